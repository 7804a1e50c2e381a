/* test-container.c: the container state machine, status texts and properties
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "hatake-container.h"
#include "hatake-error.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define NAME "happy_turing"
#define N HATAKE_N_CONTAINER_STATES
#define SEC G_GINT64_CONSTANT (1000000)
/* Any fixed wall-clock time: the status texts only depend on differences. */
#define NOW (G_GINT64_CONSTANT (1700000000) * SEC)

/* DESIGN.md's transitions, written out again independently of the table in
 * hatake-container.c. */
typedef struct
{
  HatakeContainerState from;
  HatakeContainerState to;
} Pair;

static const Pair expected_allowed[] = {
  { HATAKE_CONTAINER_CREATED, HATAKE_CONTAINER_RUNNING },       /* start */
  { HATAKE_CONTAINER_CREATED, HATAKE_CONTAINER_EXITED },        /* start failed */
  { HATAKE_CONTAINER_CREATED, HATAKE_CONTAINER_REMOVING },      /* rm */
  { HATAKE_CONTAINER_CREATED, HATAKE_CONTAINER_DEAD },
  { HATAKE_CONTAINER_RUNNING, HATAKE_CONTAINER_PAUSED },        /* pause */
  { HATAKE_CONTAINER_RUNNING, HATAKE_CONTAINER_EXITED },        /* exit, stop, kill */
  { HATAKE_CONTAINER_RUNNING, HATAKE_CONTAINER_RESTARTING },    /* restart policy */
  { HATAKE_CONTAINER_RUNNING, HATAKE_CONTAINER_DEAD },
  { HATAKE_CONTAINER_PAUSED, HATAKE_CONTAINER_RUNNING },        /* unpause */
  { HATAKE_CONTAINER_PAUSED, HATAKE_CONTAINER_EXITED },         /* kill, stop */
  { HATAKE_CONTAINER_PAUSED, HATAKE_CONTAINER_DEAD },
  { HATAKE_CONTAINER_RESTARTING, HATAKE_CONTAINER_RUNNING },
  { HATAKE_CONTAINER_RESTARTING, HATAKE_CONTAINER_EXITED },
  { HATAKE_CONTAINER_RESTARTING, HATAKE_CONTAINER_DEAD },
  { HATAKE_CONTAINER_EXITED, HATAKE_CONTAINER_RUNNING },        /* start */
  { HATAKE_CONTAINER_EXITED, HATAKE_CONTAINER_RESTARTING },     /* restart policy */
  { HATAKE_CONTAINER_EXITED, HATAKE_CONTAINER_REMOVING },       /* rm */
  { HATAKE_CONTAINER_EXITED, HATAKE_CONTAINER_DEAD },
  { HATAKE_CONTAINER_REMOVING, HATAKE_CONTAINER_REMOVED },
  { HATAKE_CONTAINER_REMOVING, HATAKE_CONTAINER_DEAD },         /* removal failed half way */
  { HATAKE_CONTAINER_DEAD, HATAKE_CONTAINER_REMOVING },
};

static gboolean
expect_allowed (HatakeContainerState from,
                HatakeContainerState to)
{
  for (gsize i = 0; i < G_N_ELEMENTS (expected_allowed); i++)
    if (expected_allowed[i].from == from && expected_allowed[i].to == to)
      return TRUE;
  return FALSE;
}

/* path[s] = the previous state on a shortest path from created to s, by BFS over the test's
 * own table; path_length[s] = the number of steps. */
static HatakeContainerState previous[N];
static int path_length[N];

static void
compute_paths (void)
{
  HatakeContainerState queue[N];
  guint head = 0, tail = 0;

  for (guint s = 0; s < N; s++)
    path_length[s] = -1;
  path_length[HATAKE_CONTAINER_CREATED] = 0;
  queue[tail++] = HATAKE_CONTAINER_CREATED;
  while (head < tail)
    {
      HatakeContainerState s = queue[head++];

      for (guint t = 0; t < N; t++)
        if (path_length[t] < 0 && expect_allowed (s, t))
          {
            path_length[t] = path_length[s] + 1;
            previous[t] = s;
            queue[tail++] = t;
          }
    }
}

/* A new container named NAME, walked into `state` through allowed transitions. */
static HatakeContainer *
container_in_state (HatakeContainerState state)
{
  HatakeContainer *container = hatake_container_new (ID, NAME);
  HatakeContainerState steps[N];
  int n = 0;

  g_assert_cmpint (path_length[state], >=, 0);
  for (HatakeContainerState s = state; s != HATAKE_CONTAINER_CREATED; s = previous[s])
    steps[n++] = s;
  g_assert_cmpint (n, ==, path_length[state]);
  while (n > 0)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (hatake_container_transition (container, steps[--n], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (hatake_container_get_state (container), ==, state);
  return container;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* Every state is reachable from created, so every pair below can be tested. */
static void
test_reachable (void)
{
  for (guint s = 0; s < N; s++)
    g_assert_cmpint (path_length[s], >=, 0);
  g_assert_cmpint (path_length[HATAKE_CONTAINER_REMOVED], ==, 2);
}

static void
test_pair (gconstpointer data)
{
  guint index = GPOINTER_TO_UINT (data);
  HatakeContainerState from = index / N;
  HatakeContainerState to = index % N;
  gboolean expected = expect_allowed (from, to);
  g_autoptr(HatakeContainer) container = container_in_state (from);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) can_error = NULL;
  guint state_notifies = 0, status_notifies = 0;
  gboolean ok;

  g_assert_cmpint (hatake_container_state_allows (from, to), ==, expected);

  g_signal_connect (container, "notify::state", G_CALLBACK (count_notify), &state_notifies);
  g_signal_connect (container, "notify::status", G_CALLBACK (count_notify), &status_notifies);

  /* can() answers the same and changes nothing. */
  ok = hatake_container_can (container, to, &can_error);
  g_assert_cmpint (ok, ==, expected);
  g_assert_cmpint (hatake_container_get_state (container), ==, from);
  g_assert_cmpuint (state_notifies, ==, 0);
  if (expected)
    g_assert_no_error (can_error);
  else
    g_assert_error (can_error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
  g_assert_true (hatake_container_can (container, to, NULL) == expected);

  ok = hatake_container_transition (container, to, &error);
  if (expected)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (hatake_container_get_state (container), ==, to);
      g_assert_cmpuint (state_notifies, ==, 1);
      g_assert_cmpuint (status_notifies, ==, 1);
    }
  else
    {
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
      g_assert_false (ok);
      g_assert_nonnull (strstr (error->message, NAME));
      g_assert_cmpstr (error->message, ==, can_error->message);
      g_assert_cmpint (hatake_container_get_state (container), ==, from);
      g_assert_cmpuint (state_notifies, ==, 0);
      g_assert_cmpuint (status_notifies, ==, 0);
      /* A NULL error is fine too. */
      g_assert_false (hatake_container_transition (container, to, NULL));
      g_assert_cmpint (hatake_container_get_state (container), ==, from);
      g_assert_cmpuint (state_notifies, ==, 0);
    }
}

static void
assert_refused_with (HatakeContainerState  from,
                     HatakeContainerState  to,
                     const char           *message)
{
  g_autoptr(HatakeContainer) container = container_in_state (from);
  g_autoptr(GError) error = NULL;

  g_assert_false (hatake_container_transition (container, to, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
  g_assert_cmpstr (error->message, ==, message);
}

/* The docker wordings a user meets most. */
static void
test_messages (void)
{
  assert_refused_with (HATAKE_CONTAINER_RUNNING, HATAKE_CONTAINER_REMOVING,
                       "You cannot remove a running container " NAME ". Stop the container "
                       "before attempting removal or force remove");
  assert_refused_with (HATAKE_CONTAINER_PAUSED, HATAKE_CONTAINER_REMOVING,
                       "You cannot remove a paused container " NAME ". Unpause and then stop "
                       "the container before attempting removal or force remove");
  assert_refused_with (HATAKE_CONTAINER_CREATED, HATAKE_CONTAINER_PAUSED,
                       "Container " NAME " is not running");
  assert_refused_with (HATAKE_CONTAINER_EXITED, HATAKE_CONTAINER_EXITED,
                       "Container " NAME " is not running");
  assert_refused_with (HATAKE_CONTAINER_RUNNING, HATAKE_CONTAINER_RUNNING,
                       "container " NAME " is already running");
  assert_refused_with (HATAKE_CONTAINER_PAUSED, HATAKE_CONTAINER_PAUSED,
                       "Container " NAME " is already paused");
  assert_refused_with (HATAKE_CONTAINER_REMOVING, HATAKE_CONTAINER_REMOVING,
                       "removal of container " NAME " is already in progress");
  assert_refused_with (HATAKE_CONTAINER_DEAD, HATAKE_CONTAINER_RUNNING,
                       "cannot start a dead container " NAME);
  for (guint to = 0; to < N; to++)
    assert_refused_with (HATAKE_CONTAINER_REMOVED, to, "No such container: " NAME);
}

/* Without a name the message names the short id. */
static void
test_message_without_name (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (hatake_container_transition (container, HATAKE_CONTAINER_PAUSED, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
  g_assert_cmpstr (error->message, ==, "Container 0123456789ab is not running");
}

/* The forced removal the engine does: kill first, then remove. */
static void
test_forced_removal_path (void)
{
  g_autoptr(HatakeContainer) container = container_in_state (HATAKE_CONTAINER_PAUSED);

  g_assert_false (hatake_container_can (container, HATAKE_CONTAINER_REMOVING, NULL));
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_EXITED, NULL));
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_REMOVING, NULL));
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_REMOVED, NULL));
  g_assert_cmpint (hatake_container_get_state (container), ==, HATAKE_CONTAINER_REMOVED);
}

static void
test_state_strings (void)
{
  static const char * const nicks[N] = {
    [HATAKE_CONTAINER_CREATED] = "created",
    [HATAKE_CONTAINER_RUNNING] = "running",
    [HATAKE_CONTAINER_PAUSED] = "paused",
    [HATAKE_CONTAINER_RESTARTING] = "restarting",
    [HATAKE_CONTAINER_EXITED] = "exited",
    [HATAKE_CONTAINER_REMOVING] = "removing",
    [HATAKE_CONTAINER_DEAD] = "dead",
    [HATAKE_CONTAINER_REMOVED] = "removed",
  };
  g_autoptr(GEnumClass) klass = NULL;
  HatakeContainerState out;

  g_assert_true (G_TYPE_IS_ENUM (HATAKE_TYPE_CONTAINER_STATE));
  klass = g_type_class_ref (HATAKE_TYPE_CONTAINER_STATE);
  g_assert_cmpuint (klass->n_values, ==, N);

  for (guint s = 0; s < N; s++)
    {
      const char *text = hatake_container_state_to_string (s);

      g_assert_cmpstr (text, ==, nicks[s]);
      g_assert_cmpstr (g_enum_get_value (klass, s)->value_nick, ==, nicks[s]);
      out = N;
      g_assert_true (hatake_container_state_from_string (text, &out));
      g_assert_cmpint (out, ==, s);
    }

  out = HATAKE_CONTAINER_RUNNING;
  g_assert_false (hatake_container_state_from_string ("Running", &out));
  g_assert_false (hatake_container_state_from_string ("", &out));
  g_assert_false (hatake_container_state_from_string ("stopped", &out));
  g_assert_cmpint (out, ==, HATAKE_CONTAINER_RUNNING);
}

static void
assert_status (HatakeContainer *container,
               const char      *expected)
{
  g_autofree char *status = hatake_container_dup_status (container, NOW);

  g_assert_cmpstr (status, ==, expected);
}

static void
test_status (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);

  /* created */
  hatake_container_set_created (container, 0);
  assert_status (container, "Created");

  /* running */
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_RUNNING, NULL));
  hatake_container_set_started_at (container, NOW);
  assert_status (container, "Up Less than a second");
  hatake_container_set_started_at (container, NOW - 5 * SEC);
  assert_status (container, "Up 5 seconds");
  hatake_container_set_started_at (container, NOW - 90 * SEC);
  assert_status (container, "Up About a minute");
  hatake_container_set_started_at (container, NOW - 3 * 60 * SEC);
  assert_status (container, "Up 3 minutes");
  hatake_container_set_started_at (container, NOW - 5 * 3600 * SEC);
  assert_status (container, "Up 5 hours");

  /* paused */
  hatake_container_set_started_at (container, NOW - 5 * SEC);
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_PAUSED, NULL));
  assert_status (container, "Up 5 seconds (Paused)");
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_RUNNING, NULL));

  /* restarting */
  hatake_container_set_exit_code (container, 1);
  hatake_container_set_finished_at (container, NOW - 2 * SEC);
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_RESTARTING, NULL));
  assert_status (container, "Restarting (1) 2 seconds ago");

  /* exited */
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_EXITED, NULL));
  hatake_container_set_exit_code (container, 137);
  hatake_container_set_finished_at (container, NOW - 3 * 60 * SEC);
  assert_status (container, "Exited (137) 3 minutes ago");
  hatake_container_set_exit_code (container, 0);
  hatake_container_set_finished_at (container, NOW - 1 * SEC);
  assert_status (container, "Exited (0) 1 second ago");

  /* removing, removed */
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_REMOVING, NULL));
  assert_status (container, "Removal In Progress");
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_REMOVED, NULL));
  assert_status (container, "Removed");
}

static void
test_status_dead (void)
{
  g_autoptr(HatakeContainer) container = container_in_state (HATAKE_CONTAINER_DEAD);

  assert_status (container, "Dead");
}

/* A start that failed: exited straight from created, with the runtime's error. */
static void
test_status_failed_start (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);

  hatake_container_set_exit_code (container, 127);
  hatake_container_set_error (container, "exec: \"nope\": executable file not found in $PATH");
  hatake_container_set_finished_at (container, NOW - 10 * SEC);
  g_assert_true (hatake_container_transition (container, HATAKE_CONTAINER_EXITED, NULL));
  assert_status (container, "Exited (127) 10 seconds ago");
}

/* go-units HumanDuration, as `docker ps` prints it after "Up ". */
static void
test_status_durations (void)
{
  static const struct { gint64 ago; const char *status; } cases[] = {
    { 0, "Up Less than a second" },
    { SEC - 1, "Up Less than a second" },
    { -5 * SEC, "Up Less than a second" },   /* clock skew */
    { 1 * SEC, "Up 1 second" },
    { 59 * SEC, "Up 59 seconds" },
    { 60 * SEC, "Up About a minute" },
    { 119 * SEC, "Up About a minute" },
    { 120 * SEC, "Up 2 minutes" },
    { 59 * 60 * SEC, "Up 59 minutes" },
    { 60 * 60 * SEC, "Up About an hour" },
    { 89 * 60 * SEC, "Up About an hour" },
    { 90 * 60 * SEC, "Up 2 hours" },        /* hours round */
    { 47 * 3600 * SEC, "Up 47 hours" },
    { 48 * 3600 * SEC, "Up 2 days" },
    { 3 * 24 * 3600 * SEC, "Up 3 days" },
    { 14 * 24 * 3600 * SEC, "Up 2 weeks" },
    { 60 * 24 * 3600 * SEC, "Up 2 months" },
    { 2 * 365 * 24 * 3600 * SEC, "Up 2 years" },
  };
  g_autoptr(HatakeContainer) container = container_in_state (HATAKE_CONTAINER_RUNNING);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      hatake_container_set_started_at (container, NOW - cases[i].ago);
      assert_status (container, cases[i].status);
    }
}

/* The "status" property is the text for now. */
static void
test_status_property (void)
{
  g_autoptr(HatakeContainer) container = container_in_state (HATAKE_CONTAINER_RUNNING);
  g_autofree char *status = NULL;
  HatakeContainerState state;

  hatake_container_set_started_at (container, g_get_real_time () - 3 * 24 * 3600 * SEC);
  g_object_get (container, "status", &status, "state", &state, NULL);
  g_assert_cmpstr (status, ==, "Up 3 days");
  g_assert_cmpint (state, ==, HATAKE_CONTAINER_RUNNING);
}

typedef struct
{
  GHashTable *counts;   /* property name → count */
} Notifies;

static void
record_notify (GObject    *object,
               GParamSpec *pspec,
               gpointer    user_data)
{
  Notifies *notifies = user_data;
  const char *name = g_param_spec_get_name (pspec);

  g_hash_table_insert (notifies->counts, (gpointer) name,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (notifies->counts,
                                                                                name)) + 1));
}

static guint
notified (Notifies   *notifies,
          const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (notifies->counts, name));
}

static guint
notified_total (Notifies *notifies)
{
  GHashTableIter iter;
  gpointer value;
  guint total = 0;

  g_hash_table_iter_init (&iter, notifies->counts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    total += GPOINTER_TO_UINT (value);
  return total;
}

/* Like Console's kgx_test_property_notify: setting a new value notifies once (and "status"
 * when it derives from it), setting it again notifies nothing, and the getter returns it. */
static void
assert_property_notify (HatakeContainer *container,
                        const char      *name,
                        const GValue    *value,
                        gboolean         affects_status)
{
  Notifies notifies = { g_hash_table_new (g_str_hash, g_str_equal) };
  g_auto(GValue) got = G_VALUE_INIT;
  gulong handler;

  handler = g_signal_connect (container, "notify", G_CALLBACK (record_notify), &notifies);

  g_object_set_property (G_OBJECT (container), name, value);
  g_assert_cmpuint (notified (&notifies, name), ==, 1);
  g_assert_cmpuint (notified (&notifies, "status"), ==, affects_status ? 1 : 0);
  g_assert_cmpuint (notified_total (&notifies), ==, affects_status ? 2 : 1);

  g_object_set_property (G_OBJECT (container), name, value);
  g_assert_cmpuint (notified_total (&notifies), ==, affects_status ? 2 : 1);

  g_value_init (&got, G_VALUE_TYPE (value));
  g_object_get_property (G_OBJECT (container), name, &got);
  g_assert_cmpint (g_param_values_cmp (g_object_class_find_property (G_OBJECT_GET_CLASS (container),
                                                                     name),
                                       value, &got), ==, 0);

  g_signal_handler_disconnect (container, handler);
  g_hash_table_unref (notifies.counts);
}

static void
assert_string_property (HatakeContainer *container,
                        const char      *name,
                        const char      *text)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, text);
  assert_property_notify (container, name, &value, FALSE);
}

static void
test_property_notify (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);
  g_auto(GValue) value = G_VALUE_INIT;

  assert_string_property (container, "name", "other_name");
  assert_string_property (container, "image", "busybox:latest");
  assert_string_property (container, "image-id", "sha256:" ID);
  assert_string_property (container, "command", "sh -c 'sleep 1'");
  assert_string_property (container, "error", "OCI runtime create failed");
  assert_string_property (container, "error", NULL);

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 137);
  assert_property_notify (container, "exit-code", &value, TRUE);
  g_value_set_int (&value, 4242);
  assert_property_notify (container, "pid", &value, FALSE);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_BOOLEAN);
  g_value_set_boolean (&value, TRUE);
  assert_property_notify (container, "oom-killed", &value, FALSE);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_INT64);
  g_value_set_int64 (&value, NOW - 60 * SEC);
  assert_property_notify (container, "created", &value, FALSE);
  g_value_set_int64 (&value, NOW - 30 * SEC);
  assert_property_notify (container, "started-at", &value, TRUE);
  g_value_set_int64 (&value, NOW);
  assert_property_notify (container, "finished-at", &value, TRUE);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, 3);
  assert_property_notify (container, "restart-count", &value, FALSE);
}

/* The C setters: the same name twice is one notification. */
static void
test_setter_notify (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);
  guint name_notifies = 0, status_notifies = 0, pid_notifies = 0;

  g_signal_connect (container, "notify::name", G_CALLBACK (count_notify), &name_notifies);
  g_signal_connect (container, "notify::status", G_CALLBACK (count_notify), &status_notifies);
  g_signal_connect (container, "notify::pid", G_CALLBACK (count_notify), &pid_notifies);

  hatake_container_set_name (container, "web");
  hatake_container_set_name (container, "web");
  g_assert_cmpuint (name_notifies, ==, 1);
  g_assert_cmpstr (hatake_container_get_name (container), ==, "web");
  hatake_container_set_name (container, NAME);
  g_assert_cmpuint (name_notifies, ==, 2);
  g_assert_cmpuint (status_notifies, ==, 0);

  hatake_container_set_pid (container, 100);
  hatake_container_set_pid (container, 100);
  g_assert_cmpuint (pid_notifies, ==, 1);
  g_assert_cmpuint (status_notifies, ==, 0);

  hatake_container_set_exit_code (container, 2);
  hatake_container_set_exit_code (container, 2);
  hatake_container_set_started_at (container, NOW);
  hatake_container_set_started_at (container, NOW);
  hatake_container_set_finished_at (container, NOW);
  hatake_container_set_finished_at (container, NOW);
  g_assert_cmpuint (status_notifies, ==, 3);

  hatake_container_set_oom_killed (container, TRUE);
  g_assert_true (hatake_container_get_oom_killed (container));
  hatake_container_set_restart_count (container, 2);
  g_assert_cmpuint (hatake_container_get_restart_count (container), ==, 2);
  hatake_container_set_image (container, "alpine");
  g_assert_cmpstr (hatake_container_get_image (container), ==, "alpine");
  hatake_container_set_image_id (container, "sha256:" ID);
  g_assert_cmpstr (hatake_container_get_image_id (container), ==, "sha256:" ID);
  hatake_container_set_command (container, "top");
  g_assert_cmpstr (hatake_container_get_command (container), ==, "top");
  hatake_container_set_created (container, NOW);
  g_assert_cmpint (hatake_container_get_created (container), ==, NOW);
  g_assert_cmpint (hatake_container_get_started_at (container), ==, NOW);
  g_assert_cmpint (hatake_container_get_finished_at (container), ==, NOW);
  g_assert_cmpint (hatake_container_get_exit_code (container), ==, 2);
  g_assert_cmpint (hatake_container_get_pid (container), ==, 100);
}

/* "state", "status" and the resource use are read-only; the property specs follow STYLE.md. */
/* Resource use changes notify only what changed, once per sample. */
static void
test_usage (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);
  guint cpu = 0, memory = 0, limit = 0, pids = 0;

  g_signal_connect_swapped (container, "notify::cpu-percent", G_CALLBACK (g_atomic_int_inc), &cpu);
  g_signal_connect_swapped (container, "notify::memory-usage", G_CALLBACK (g_atomic_int_inc), &memory);
  g_signal_connect_swapped (container, "notify::memory-limit", G_CALLBACK (g_atomic_int_inc), &limit);
  g_signal_connect_swapped (container, "notify::pids", G_CALLBACK (g_atomic_int_inc), &pids);
  hatake_container_set_usage (container, 12.5, 1000, 4096, 3);
  g_assert_cmpfloat (hatake_container_get_cpu_percent (container), ==, 12.5);
  g_assert_cmpint (hatake_container_get_memory_usage (container), ==, 1000);
  g_assert_cmpint (hatake_container_get_memory_limit (container), ==, 4096);
  g_assert_cmpuint (hatake_container_get_pids (container), ==, 3);
  hatake_container_set_usage (container, 12.5, 2000, 4096, 3);
  g_assert_cmpuint (cpu, ==, 1);
  g_assert_cmpuint (memory, ==, 2);
  g_assert_cmpuint (limit, ==, 1);
  g_assert_cmpuint (pids, ==, 1);

  /* the I/O totals the same way: each its own property */
  {
    static const char * const io[] = { "net-rx-bytes", "net-tx-bytes", "block-read-bytes", "block-write-bytes" };
    guint counts[G_N_ELEMENTS (io)] = { 0 };

    for (guint i = 0; i < G_N_ELEMENTS (io); i++)
      {
        g_autofree char *signal = g_strconcat ("notify::", io[i], NULL);

        g_signal_connect_swapped (container, signal, G_CALLBACK (g_atomic_int_inc), &counts[i]);
      }
    hatake_container_set_io (container, 1, 2, 3, 4);
    hatake_container_set_io (container, 1, 20, 3, 40);
    g_assert_cmpint (hatake_container_get_net_rx_bytes (container), ==, 1);
    g_assert_cmpint (hatake_container_get_net_tx_bytes (container), ==, 20);
    g_assert_cmpint (hatake_container_get_block_read_bytes (container), ==, 3);
    g_assert_cmpint (hatake_container_get_block_write_bytes (container), ==, 40);
    g_assert_cmpuint (counts[0], ==, 1);
    g_assert_cmpuint (counts[1], ==, 2);
    g_assert_cmpuint (counts[2], ==, 1);
    g_assert_cmpuint (counts[3], ==, 2);
    for (guint i = 0; i < G_N_ELEMENTS (io); i++)
      {
        gint64 value = -1;

        g_object_get (container, io[i], &value, NULL);
        g_assert_cmpint (value, ==, i % 2 ? (i + 1) * 10 : i + 1);
      }
  }
}

/* Labels as created; the compose project is one of them. */
static void
test_labels (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);
  const char *labels[] = { "tier=web", "com.docker.compose.project=shop", "empty=", NULL };
  const char *other[] = { "com.docker.compose.project=blog", NULL };
  guint project_notifies = 0;

  g_signal_connect (container, "notify::project", G_CALLBACK (count_notify), &project_notifies);
  g_assert_null (hatake_container_get_labels (container));
  g_assert_null (hatake_container_get_project (container));
  hatake_container_set_labels (container, labels);
  g_assert_cmpstr (hatake_container_get_label (container, "tier"), ==, "web");
  g_assert_cmpstr (hatake_container_get_label (container, "empty"), ==, "");
  g_assert_null (hatake_container_get_label (container, "tie"));
  g_assert_null (hatake_container_get_label (container, "missing"));
  g_assert_cmpstr (hatake_container_get_project (container), ==, "shop");
  g_assert_cmpuint (project_notifies, ==, 1);
  hatake_container_set_labels (container, labels);
  g_assert_cmpuint (project_notifies, ==, 1);   /* the same project: no notify */
  hatake_container_set_labels (container, other);
  g_assert_cmpstr (hatake_container_get_project (container), ==, "blog");
  g_assert_cmpuint (project_notifies, ==, 2);
  hatake_container_set_labels (container, NULL);
  g_assert_null (hatake_container_get_project (container));
  g_assert_cmpuint (project_notifies, ==, 3);
}

static void
test_property_specs (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);
  GObjectClass *klass = G_OBJECT_GET_CLASS (container);
  static const char * const names[] = {
    "id", "short-id", "name", "image", "image-id", "command", "state", "status", "exit-code",
    "oom-killed", "error", "created", "started-at", "finished-at", "pid", "restart-count",
    "cpu-percent", "memory-usage", "memory-limit", "pids", "net-rx-bytes", "net-tx-bytes", "block-read-bytes",
    "block-write-bytes", "labels", "project", "health",
    "health-failing-streak", "health-log",
  };
  guint n_specs;
  g_autofree GParamSpec **specs = g_object_class_list_properties (klass, &n_specs);

  g_assert_cmpuint (n_specs, ==, G_N_ELEMENTS (names));
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, names[i]);

      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_READABLE);
      if ((pspec->flags & G_PARAM_WRITABLE) && !(pspec->flags & G_PARAM_CONSTRUCT_ONLY))
        g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
    }
  g_assert_false (g_object_class_find_property (klass, "state")->flags & G_PARAM_WRITABLE);
  g_assert_false (g_object_class_find_property (klass, "status")->flags & G_PARAM_WRITABLE);
  g_assert_false (g_object_class_find_property (klass, "short-id")->flags & G_PARAM_WRITABLE);
  g_assert_true (g_object_class_find_property (klass, "id")->flags & G_PARAM_CONSTRUCT_ONLY);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (g_object_class_find_property (klass, "state")));
  g_assert_true (G_IS_PARAM_SPEC_ENUM (g_object_class_find_property (klass, "health")));
  g_assert_false (g_object_class_find_property (klass, "health")->flags & G_PARAM_WRITABLE);
}

/* health: its notifies, status's words for it (docker ps's), and the log's last five */
static void
test_health (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);
  gint64 now = g_get_real_time ();
  guint health_notifies = 0, streak_notifies = 0, status_notifies = 0, log_notifies = 0;
  g_autofree char *long_output = g_strnfill (HATAKE_HEALTH_MAX_OUTPUT + 100, 'x');
  g_autoptr(GPtrArray) copy = NULL;
  HatakeHealthStatus status;
  GPtrArray *log;
  char *text;

  g_assert_cmpstr (hatake_health_status_to_string (HATAKE_HEALTH_STARTING), ==, "starting");
  g_assert_cmpstr (hatake_health_status_to_string (HATAKE_HEALTH_UNHEALTHY), ==, "unhealthy");
  g_assert_true (hatake_health_status_from_string ("healthy", &status));
  g_assert_cmpint (status, ==, HATAKE_HEALTH_HEALTHY);
  g_assert_false (hatake_health_status_from_string ("fine", NULL));

  g_signal_connect (container, "notify::health", G_CALLBACK (count_notify), &health_notifies);
  g_signal_connect (container, "notify::health-failing-streak", G_CALLBACK (count_notify), &streak_notifies);
  g_signal_connect (container, "notify::status", G_CALLBACK (count_notify), &status_notifies);
  g_signal_connect (container, "notify::health-log", G_CALLBACK (count_notify), &log_notifies);
  g_assert_cmpint (hatake_container_get_health_status (container), ==, HATAKE_HEALTH_NONE);
  g_assert_no_error (NULL);
  hatake_container_transition (container, HATAKE_CONTAINER_RUNNING, NULL);
  hatake_container_set_started_at (container, now - 5 * G_USEC_PER_SEC);
  status_notifies = 0;
  text = hatake_container_dup_status (container, now);
  g_assert_cmpstr (text, ==, "Up 5 seconds");
  g_free (text);

  hatake_container_set_health (container, HATAKE_HEALTH_STARTING, 0);
  g_assert_cmpuint (health_notifies, ==, 1);
  g_assert_cmpuint (status_notifies, ==, 1);
  g_assert_cmpuint (streak_notifies, ==, 0);
  text = hatake_container_dup_status (container, now);
  g_assert_cmpstr (text, ==, "Up 5 seconds (health: starting)");
  g_free (text);
  hatake_container_set_health (container, HATAKE_HEALTH_STARTING, 0);
  g_assert_cmpuint (health_notifies, ==, 1);
  hatake_container_set_health (container, HATAKE_HEALTH_STARTING, 2);
  g_assert_cmpuint (health_notifies, ==, 1);
  g_assert_cmpuint (streak_notifies, ==, 1);
  g_assert_cmpuint (hatake_container_get_health_failing_streak (container), ==, 2);
  hatake_container_set_health (container, HATAKE_HEALTH_HEALTHY, 0);
  g_assert_cmpuint (health_notifies, ==, 2);
  g_assert_cmpuint (streak_notifies, ==, 2);
  text = hatake_container_dup_status (container, now);
  g_assert_cmpstr (text, ==, "Up 5 seconds (healthy)");
  g_free (text);
  hatake_container_set_health (container, HATAKE_HEALTH_UNHEALTHY, 3);
  text = hatake_container_dup_status (container, now);
  g_assert_cmpstr (text, ==, "Up 5 seconds (unhealthy)");
  g_free (text);
  /* paused, and not running: docker shows no health */
  hatake_container_transition (container, HATAKE_CONTAINER_PAUSED, NULL);
  text = hatake_container_dup_status (container, now);
  g_assert_cmpstr (text, ==, "Up 5 seconds (Paused)");
  g_free (text);

  for (int i = 0; i < 7; i++)
    {
      g_autoptr(HatakeHealthResult) r = hatake_health_result_new (now + i, now + i + 1, i, i == 6 ? long_output : "out");

      hatake_container_add_health_result (container, r);
    }
  g_assert_cmpuint (log_notifies, ==, 7);
  log = hatake_container_get_health_log (container);
  g_assert_cmpuint (log->len, ==, HATAKE_HEALTH_LOG_SIZE);
  g_assert_cmpint (((HatakeHealthResult *) g_ptr_array_index (log, 0))->exit_code, ==, 2);
  g_assert_cmpint (((HatakeHealthResult *) g_ptr_array_index (log, 4))->exit_code, ==, 6);
  g_assert_cmpint (((HatakeHealthResult *) g_ptr_array_index (log, 4))->start, ==, now + 6);
  g_assert_cmpuint (strlen (((HatakeHealthResult *) g_ptr_array_index (log, 4))->output), ==, HATAKE_HEALTH_MAX_OUTPUT);
  g_assert_cmpstr (((HatakeHealthResult *) g_ptr_array_index (log, 3))->output, ==, "out");

  /* a remote engine's log: replaced, notified only when it differs */
  copy = g_ptr_array_copy (log, (GCopyFunc) (void (*) (void)) hatake_health_result_copy, NULL);
  g_ptr_array_set_free_func (copy, (GDestroyNotify) hatake_health_result_free);
  hatake_container_set_health_log (container, copy);
  g_assert_cmpuint (log_notifies, ==, 7);
  g_ptr_array_remove_index (copy, 0);
  hatake_container_set_health_log (container, copy);
  g_assert_cmpuint (log_notifies, ==, 8);
  g_assert_cmpuint (hatake_container_get_health_log (container)->len, ==, 4);
  hatake_container_set_health_log (container, NULL);
  g_assert_cmpuint (hatake_container_get_health_log (container)->len, ==, 0);
}

static void
test_short_id (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);
  g_autoptr(HatakeContainer) prefixed = hatake_container_new ("sha256:" ID, NAME);
  g_autofree char *short_id = hatake_container_dup_short_id (container);
  g_autofree char *prefixed_short_id = hatake_container_dup_short_id (prefixed);
  g_autofree char *property = NULL;
  g_autofree char *id = NULL;

  g_assert_cmpstr (hatake_container_get_id (container), ==, ID);
  g_assert_cmpstr (short_id, ==, "0123456789ab");
  g_assert_cmpuint (strlen (short_id), ==, 12);
  g_assert_cmpstr (prefixed_short_id, ==, "0123456789ab");
  g_object_get (container, "short-id", &property, "id", &id, NULL);
  g_assert_cmpstr (property, ==, "0123456789ab");
  g_assert_cmpstr (id, ==, ID);
}

static void
test_defaults (void)
{
  g_autoptr(HatakeContainer) container = hatake_container_new (ID, NAME);

  g_assert_cmpint (hatake_container_get_state (container), ==, HATAKE_CONTAINER_CREATED);
  g_assert_cmpstr (hatake_container_get_name (container), ==, NAME);
  g_assert_null (hatake_container_get_image (container));
  g_assert_null (hatake_container_get_error (container));
  g_assert_cmpint (hatake_container_get_exit_code (container), ==, 0);
  g_assert_false (hatake_container_get_oom_killed (container));
  g_assert_cmpint (hatake_container_get_pid (container), ==, 0);
  g_assert_cmpuint (hatake_container_get_restart_count (container), ==, 0);
}

static void
test_finalize (void)
{
  HatakeContainer *container = container_in_state (HATAKE_CONTAINER_EXITED);

  hatake_container_set_image (container, "busybox");
  hatake_container_set_image_id (container, "sha256:" ID);
  hatake_container_set_command (container, "true");
  hatake_container_set_error (container, "boom");
  g_assert_finalize_object (container);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  compute_paths ();

  g_test_add_func ("/container/transition/reachable", test_reachable);
  for (guint from = 0; from < N; from++)
    for (guint to = 0; to < N; to++)
      {
        g_autofree char *path =
          g_strdup_printf ("/container/transition/%s/%s",
                           hatake_container_state_to_string (from),
                           hatake_container_state_to_string (to));

        g_test_add_data_func (path, GUINT_TO_POINTER (from * N + to), test_pair);
      }
  g_test_add_func ("/container/transition/messages", test_messages);
  g_test_add_func ("/container/transition/message-without-name", test_message_without_name);
  g_test_add_func ("/container/transition/forced-removal", test_forced_removal_path);
  g_test_add_func ("/container/state/strings", test_state_strings);
  g_test_add_func ("/container/status/states", test_status);
  g_test_add_func ("/container/status/dead", test_status_dead);
  g_test_add_func ("/container/status/failed-start", test_status_failed_start);
  g_test_add_func ("/container/status/durations", test_status_durations);
  g_test_add_func ("/container/status/property", test_status_property);
  g_test_add_func ("/container/property/notify", test_property_notify);
  g_test_add_func ("/container/property/setters", test_setter_notify);
  g_test_add_func ("/container/property/specs", test_property_specs);
  g_test_add_func ("/container/health", test_health);
  g_test_add_func ("/container/labels", test_labels);
  g_test_add_func ("/container/property/usage", test_usage);
  g_test_add_func ("/container/short-id", test_short_id);
  g_test_add_func ("/container/defaults", test_defaults);
  g_test_add_func ("/container/finalize", test_finalize);

  return g_test_run ();
}
