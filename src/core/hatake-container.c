/* hatake-container.c: a container as the engine lists it, and its state machine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <string.h>

#include "hatake-container.h"
#include "hatake-error.h"

G_DEFINE_ENUM_TYPE (HatakeContainerState, hatake_container_state,
  G_DEFINE_ENUM_VALUE (HATAKE_CONTAINER_CREATED, "created"),
  G_DEFINE_ENUM_VALUE (HATAKE_CONTAINER_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (HATAKE_CONTAINER_PAUSED, "paused"),
  G_DEFINE_ENUM_VALUE (HATAKE_CONTAINER_RESTARTING, "restarting"),
  G_DEFINE_ENUM_VALUE (HATAKE_CONTAINER_EXITED, "exited"),
  G_DEFINE_ENUM_VALUE (HATAKE_CONTAINER_REMOVING, "removing"),
  G_DEFINE_ENUM_VALUE (HATAKE_CONTAINER_DEAD, "dead"),
  G_DEFINE_ENUM_VALUE (HATAKE_CONTAINER_REMOVED, "removed"))

G_DEFINE_ENUM_TYPE (HatakeHealthStatus, hatake_health_status,
  G_DEFINE_ENUM_VALUE (HATAKE_HEALTH_NONE, "none"),
  G_DEFINE_ENUM_VALUE (HATAKE_HEALTH_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (HATAKE_HEALTH_HEALTHY, "healthy"),
  G_DEFINE_ENUM_VALUE (HATAKE_HEALTH_UNHEALTHY, "unhealthy"))

G_DEFINE_BOXED_TYPE (HatakeHealthResult, hatake_health_result, hatake_health_result_copy, hatake_health_result_free)

/* DESIGN.md "Container states": allowed[from][to]. Every pair not listed is refused, including
 * every self-transition. Removing a running or paused container is refused here: a forced
 * removal kills first (running → exited → removing). */
static const gboolean allowed[HATAKE_N_CONTAINER_STATES][HATAKE_N_CONTAINER_STATES] = {
  /* created: start; a start that fails (exited, with the error); remove; unrecoverable */
  [HATAKE_CONTAINER_CREATED] = {
    [HATAKE_CONTAINER_RUNNING] = TRUE,
    [HATAKE_CONTAINER_EXITED] = TRUE,
    [HATAKE_CONTAINER_REMOVING] = TRUE,
    [HATAKE_CONTAINER_DEAD] = TRUE,
  },
  /* running: pause; exits by itself, stop, kill; restart policy; unrecoverable */
  [HATAKE_CONTAINER_RUNNING] = {
    [HATAKE_CONTAINER_PAUSED] = TRUE,
    [HATAKE_CONTAINER_EXITED] = TRUE,
    [HATAKE_CONTAINER_RESTARTING] = TRUE,
    [HATAKE_CONTAINER_DEAD] = TRUE,
  },
  /* paused: unpause; kill or stop of a paused container; unrecoverable */
  [HATAKE_CONTAINER_PAUSED] = {
    [HATAKE_CONTAINER_RUNNING] = TRUE,
    [HATAKE_CONTAINER_EXITED] = TRUE,
    [HATAKE_CONTAINER_DEAD] = TRUE,
  },
  /* restarting: the restart succeeds; it fails or is stopped; unrecoverable */
  [HATAKE_CONTAINER_RESTARTING] = {
    [HATAKE_CONTAINER_RUNNING] = TRUE,
    [HATAKE_CONTAINER_EXITED] = TRUE,
    [HATAKE_CONTAINER_DEAD] = TRUE,
  },
  /* exited: start; restart policy applied by the exit command; remove; unrecoverable */
  [HATAKE_CONTAINER_EXITED] = {
    [HATAKE_CONTAINER_RUNNING] = TRUE,
    [HATAKE_CONTAINER_RESTARTING] = TRUE,
    [HATAKE_CONTAINER_REMOVING] = TRUE,
    [HATAKE_CONTAINER_DEAD] = TRUE,
  },
  /* removing: the removal completes; it fails half way */
  [HATAKE_CONTAINER_REMOVING] = {
    [HATAKE_CONTAINER_REMOVED] = TRUE,
    [HATAKE_CONTAINER_DEAD] = TRUE,
  },
  /* dead: remove, the only thing left to do */
  [HATAKE_CONTAINER_DEAD] = {
    [HATAKE_CONTAINER_REMOVING] = TRUE,
  },
  /* removed: gone, nothing */
  [HATAKE_CONTAINER_REMOVED] = { FALSE },
};

struct _HatakeContainer
{
  GObject               parent_instance;

  char                 *id;
  char                 *name;
  char                 *image;
  char                 *image_id;
  char                 *command;
  char                 *error;
  HatakeContainerState  state;
  int                   exit_code;
  gboolean              oom_killed;
  gint64                created;
  gint64                started_at;
  gint64                finished_at;
  int                   pid;
  guint                 restart_count;
  double                cpu_percent;
  gint64                memory_usage;
  gint64                memory_limit;
  guint                 pids;
  gint64                io[4];   /* net rx, net tx, block read, block write */
  GStrv                 labels;   /* "KEY=VALUE", as created */
  HatakeHealthStatus    health;
  guint                 failing_streak;
  GPtrArray            *health_log;   /* HatakeHealthResult, oldest first */
};

G_DEFINE_FINAL_TYPE (HatakeContainer, hatake_container, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SHORT_ID,
  PROP_NAME,
  PROP_IMAGE,
  PROP_IMAGE_ID,
  PROP_COMMAND,
  PROP_STATE,
  PROP_STATUS,
  PROP_EXIT_CODE,
  PROP_OOM_KILLED,
  PROP_ERROR,
  PROP_CREATED,
  PROP_STARTED_AT,
  PROP_FINISHED_AT,
  PROP_PID,
  PROP_RESTART_COUNT,
  PROP_CPU_PERCENT,
  PROP_MEMORY_USAGE,
  PROP_MEMORY_LIMIT,
  PROP_PIDS,
  PROP_NET_RX_BYTES,
  PROP_NET_TX_BYTES,
  PROP_BLOCK_READ_BYTES,
  PROP_BLOCK_WRITE_BYTES,
  PROP_LABELS,
  PROP_PROJECT,
  PROP_HEALTH,
  PROP_HEALTH_FAILING_STREAK,
  PROP_HEALTH_LOG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GEnumClass *
state_class (void)
{
  static gsize klass = 0;

  if (g_once_init_enter (&klass))
    g_once_init_leave (&klass, (gsize) g_type_class_ref (HATAKE_TYPE_CONTAINER_STATE));
  return (GEnumClass *) klass;
}

const char *
hatake_container_state_to_string (HatakeContainerState state)
{
  GEnumValue *value;

  value = g_enum_get_value (state_class (), state);
  g_return_val_if_fail (value != NULL, NULL);
  return value->value_nick;
}

gboolean
hatake_container_state_from_string (const char           *text,
                                    HatakeContainerState *out)
{
  GEnumValue *value;

  g_return_val_if_fail (text != NULL, FALSE);

  value = g_enum_get_value_by_nick (state_class (), text);
  if (value == NULL)
    return FALSE;
  if (out != NULL)
    *out = value->value;
  return TRUE;
}

gboolean
hatake_container_state_allows (HatakeContainerState from,
                               HatakeContainerState to)
{
  g_return_val_if_fail ((guint) from < HATAKE_N_CONTAINER_STATES, FALSE);
  g_return_val_if_fail ((guint) to < HATAKE_N_CONTAINER_STATES, FALSE);
  return allowed[from][to];
}

/* Why a pair is refused, so the message a user reads says what to do about it. */
typedef enum
{
  REFUSAL_NONE,               /* allowed */
  REFUSAL_EXISTS,             /* → created: nothing goes back to created */
  REFUSAL_NOT_RUNNING,        /* pause, stop, restart of a container that is not running */
  REFUSAL_ALREADY_RUNNING,
  REFUSAL_ALREADY_PAUSED,
  REFUSAL_PAUSED_RESTART,
  REFUSAL_RESTARTING_PAUSE,
  REFUSAL_ALREADY_RESTARTING,
  REFUSAL_REMOVE_RUNNING,
  REFUSAL_REMOVE_PAUSED,
  REFUSAL_REMOVE_RESTARTING,
  REFUSAL_REMOVAL_NOT_STARTED,
  REFUSAL_REMOVAL_IN_PROGRESS,
  REFUSAL_DEAD_START,
  REFUSAL_DEAD_PAUSE,
  REFUSAL_DEAD_RESTART,
  REFUSAL_DEAD_STOP,
  REFUSAL_ALREADY_DEAD,
  REFUSAL_NO_SUCH_CONTAINER,
} Refusal;

/* Exhaustive over both enums (-Werror=switch-enum): adding a state fails the build here until
 * every pair it forms has an answer. */
static Refusal
refusal_for (HatakeContainerState from,
             HatakeContainerState to)
{
  switch (from)
    {
    case HATAKE_CONTAINER_CREATED:
      switch (to)
        {
        case HATAKE_CONTAINER_CREATED:
          return REFUSAL_EXISTS;
        case HATAKE_CONTAINER_PAUSED:
        case HATAKE_CONTAINER_RESTARTING:
          return REFUSAL_NOT_RUNNING;
        case HATAKE_CONTAINER_REMOVED:
          return REFUSAL_REMOVAL_NOT_STARTED;
        case HATAKE_CONTAINER_RUNNING:
        case HATAKE_CONTAINER_EXITED:
        case HATAKE_CONTAINER_REMOVING:
        case HATAKE_CONTAINER_DEAD:
          return REFUSAL_NONE;
        }
      break;

    case HATAKE_CONTAINER_RUNNING:
      switch (to)
        {
        case HATAKE_CONTAINER_CREATED:
          return REFUSAL_EXISTS;
        case HATAKE_CONTAINER_RUNNING:
          return REFUSAL_ALREADY_RUNNING;
        case HATAKE_CONTAINER_REMOVING:
        case HATAKE_CONTAINER_REMOVED:
          return REFUSAL_REMOVE_RUNNING;
        case HATAKE_CONTAINER_PAUSED:
        case HATAKE_CONTAINER_RESTARTING:
        case HATAKE_CONTAINER_EXITED:
        case HATAKE_CONTAINER_DEAD:
          return REFUSAL_NONE;
        }
      break;

    case HATAKE_CONTAINER_PAUSED:
      switch (to)
        {
        case HATAKE_CONTAINER_CREATED:
          return REFUSAL_EXISTS;
        case HATAKE_CONTAINER_PAUSED:
          return REFUSAL_ALREADY_PAUSED;
        case HATAKE_CONTAINER_RESTARTING:
          return REFUSAL_PAUSED_RESTART;
        case HATAKE_CONTAINER_REMOVING:
        case HATAKE_CONTAINER_REMOVED:
          return REFUSAL_REMOVE_PAUSED;
        case HATAKE_CONTAINER_RUNNING:
        case HATAKE_CONTAINER_EXITED:
        case HATAKE_CONTAINER_DEAD:
          return REFUSAL_NONE;
        }
      break;

    case HATAKE_CONTAINER_RESTARTING:
      switch (to)
        {
        case HATAKE_CONTAINER_CREATED:
          return REFUSAL_EXISTS;
        case HATAKE_CONTAINER_PAUSED:
          return REFUSAL_RESTARTING_PAUSE;
        case HATAKE_CONTAINER_RESTARTING:
          return REFUSAL_ALREADY_RESTARTING;
        case HATAKE_CONTAINER_REMOVING:
        case HATAKE_CONTAINER_REMOVED:
          return REFUSAL_REMOVE_RESTARTING;
        case HATAKE_CONTAINER_RUNNING:
        case HATAKE_CONTAINER_EXITED:
        case HATAKE_CONTAINER_DEAD:
          return REFUSAL_NONE;
        }
      break;

    case HATAKE_CONTAINER_EXITED:
      switch (to)
        {
        case HATAKE_CONTAINER_CREATED:
          return REFUSAL_EXISTS;
        case HATAKE_CONTAINER_PAUSED:
        case HATAKE_CONTAINER_EXITED:
          return REFUSAL_NOT_RUNNING;
        case HATAKE_CONTAINER_REMOVED:
          return REFUSAL_REMOVAL_NOT_STARTED;
        case HATAKE_CONTAINER_RUNNING:
        case HATAKE_CONTAINER_RESTARTING:
        case HATAKE_CONTAINER_REMOVING:
        case HATAKE_CONTAINER_DEAD:
          return REFUSAL_NONE;
        }
      break;

    case HATAKE_CONTAINER_REMOVING:
      switch (to)
        {
        case HATAKE_CONTAINER_CREATED:
        case HATAKE_CONTAINER_RUNNING:
        case HATAKE_CONTAINER_PAUSED:
        case HATAKE_CONTAINER_RESTARTING:
        case HATAKE_CONTAINER_EXITED:
        case HATAKE_CONTAINER_REMOVING:
          return REFUSAL_REMOVAL_IN_PROGRESS;
        case HATAKE_CONTAINER_REMOVED:
        case HATAKE_CONTAINER_DEAD:
          return REFUSAL_NONE;
        }
      break;

    case HATAKE_CONTAINER_DEAD:
      switch (to)
        {
        case HATAKE_CONTAINER_CREATED:
          return REFUSAL_EXISTS;
        case HATAKE_CONTAINER_RUNNING:
          return REFUSAL_DEAD_START;
        case HATAKE_CONTAINER_PAUSED:
          return REFUSAL_DEAD_PAUSE;
        case HATAKE_CONTAINER_RESTARTING:
          return REFUSAL_DEAD_RESTART;
        case HATAKE_CONTAINER_EXITED:
          return REFUSAL_DEAD_STOP;
        case HATAKE_CONTAINER_DEAD:
          return REFUSAL_ALREADY_DEAD;
        case HATAKE_CONTAINER_REMOVED:
          return REFUSAL_REMOVAL_NOT_STARTED;
        case HATAKE_CONTAINER_REMOVING:
          return REFUSAL_NONE;
        }
      break;

    case HATAKE_CONTAINER_REMOVED:
      switch (to)
        {
        case HATAKE_CONTAINER_CREATED:
        case HATAKE_CONTAINER_RUNNING:
        case HATAKE_CONTAINER_PAUSED:
        case HATAKE_CONTAINER_RESTARTING:
        case HATAKE_CONTAINER_EXITED:
        case HATAKE_CONTAINER_REMOVING:
        case HATAKE_CONTAINER_DEAD:
        case HATAKE_CONTAINER_REMOVED:
          return REFUSAL_NO_SUCH_CONTAINER;
        }
      break;
    }

  g_assert_not_reached ();
}

/* docker's wording where docker has one. */
static void
set_refusal_error (GError     **error,
                   Refusal      refusal,
                   const char  *name)
{
  switch (refusal)
    {
    case REFUSAL_EXISTS:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "Container %s already exists", name);
      break;
    case REFUSAL_NOT_RUNNING:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "Container %s is not running", name);
      break;
    case REFUSAL_ALREADY_RUNNING:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "container %s is already running", name);
      break;
    case REFUSAL_ALREADY_PAUSED:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "Container %s is already paused", name);
      break;
    case REFUSAL_PAUSED_RESTART:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "Cannot restart container %s: container is paused. "
                   "Unpause the container first", name);
      break;
    case REFUSAL_RESTARTING_PAUSE:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "Container %s is restarting, wait until the container is running", name);
      break;
    case REFUSAL_ALREADY_RESTARTING:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "Container %s is already restarting", name);
      break;
    case REFUSAL_REMOVE_RUNNING:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "You cannot remove a running container %s. Stop the container before "
                   "attempting removal or force remove", name);
      break;
    case REFUSAL_REMOVE_PAUSED:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "You cannot remove a paused container %s. Unpause and then stop the "
                   "container before attempting removal or force remove", name);
      break;
    case REFUSAL_REMOVE_RESTARTING:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "You cannot remove a restarting container %s. Stop the container before "
                   "attempting removal or force remove", name);
      break;
    case REFUSAL_REMOVAL_NOT_STARTED:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "Cannot finish removing container %s: removal has not started", name);
      break;
    case REFUSAL_REMOVAL_IN_PROGRESS:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "removal of container %s is already in progress", name);
      break;
    case REFUSAL_DEAD_START:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "cannot start a dead container %s", name);
      break;
    case REFUSAL_DEAD_PAUSE:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "cannot pause a dead container %s", name);
      break;
    case REFUSAL_DEAD_RESTART:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "cannot restart a dead container %s", name);
      break;
    case REFUSAL_DEAD_STOP:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "cannot stop a dead container %s", name);
      break;
    case REFUSAL_ALREADY_DEAD:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "Container %s is already dead", name);
      break;
    case REFUSAL_NO_SUCH_CONTAINER:
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                   "No such container: %s", name);
      break;
    case REFUSAL_NONE:
      g_assert_not_reached ();
    }
}

static void
hatake_container_finalize (GObject *object)
{
  HatakeContainer *self = (HatakeContainer *) object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->image, g_free);
  g_clear_pointer (&self->image_id, g_free);
  g_clear_pointer (&self->command, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->labels, g_strfreev);
  g_clear_pointer (&self->health_log, g_ptr_array_unref);

  G_OBJECT_CLASS (hatake_container_parent_class)->finalize (object);
}

static void
hatake_container_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HatakeContainer *self = HATAKE_CONTAINER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_LABELS:
      g_value_set_boxed (value, self->labels);
      break;
    case PROP_PROJECT:
      g_value_set_string (value, hatake_container_get_project (self));
      break;
    case PROP_SHORT_ID:
      g_value_take_string (value, hatake_container_dup_short_id (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_IMAGE:
      g_value_set_string (value, self->image);
      break;
    case PROP_IMAGE_ID:
      g_value_set_string (value, self->image_id);
      break;
    case PROP_COMMAND:
      g_value_set_string (value, self->command);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_STATUS:
      g_value_take_string (value, hatake_container_dup_status (self, g_get_real_time ()));
      break;
    case PROP_EXIT_CODE:
      g_value_set_int (value, self->exit_code);
      break;
    case PROP_OOM_KILLED:
      g_value_set_boolean (value, self->oom_killed);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;
    case PROP_STARTED_AT:
      g_value_set_int64 (value, self->started_at);
      break;
    case PROP_FINISHED_AT:
      g_value_set_int64 (value, self->finished_at);
      break;
    case PROP_PID:
      g_value_set_int (value, self->pid);
      break;
    case PROP_RESTART_COUNT:
      g_value_set_uint (value, self->restart_count);
      break;
    case PROP_CPU_PERCENT:
      g_value_set_double (value, self->cpu_percent);
      break;
    case PROP_MEMORY_USAGE:
      g_value_set_int64 (value, self->memory_usage);
      break;
    case PROP_MEMORY_LIMIT:
      g_value_set_int64 (value, self->memory_limit);
      break;
    case PROP_PIDS:
      g_value_set_uint (value, self->pids);
      break;
    case PROP_NET_RX_BYTES:
    case PROP_NET_TX_BYTES:
    case PROP_BLOCK_READ_BYTES:
    case PROP_BLOCK_WRITE_BYTES:
      g_value_set_int64 (value, self->io[prop_id - PROP_NET_RX_BYTES]);
      break;
    case PROP_HEALTH:
      g_value_set_enum (value, self->health);
      break;
    case PROP_HEALTH_FAILING_STREAK:
      g_value_set_uint (value, self->failing_streak);
      break;
    case PROP_HEALTH_LOG:
      g_value_set_boxed (value, self->health_log);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_container_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  HatakeContainer *self = HATAKE_CONTAINER (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_LABELS:
      hatake_container_set_labels (self, g_value_get_boxed (value));
      break;
    case PROP_NAME:
      hatake_container_set_name (self, g_value_get_string (value));
      break;
    case PROP_IMAGE:
      hatake_container_set_image (self, g_value_get_string (value));
      break;
    case PROP_IMAGE_ID:
      hatake_container_set_image_id (self, g_value_get_string (value));
      break;
    case PROP_COMMAND:
      hatake_container_set_command (self, g_value_get_string (value));
      break;
    case PROP_EXIT_CODE:
      hatake_container_set_exit_code (self, g_value_get_int (value));
      break;
    case PROP_OOM_KILLED:
      hatake_container_set_oom_killed (self, g_value_get_boolean (value));
      break;
    case PROP_ERROR:
      hatake_container_set_error (self, g_value_get_string (value));
      break;
    case PROP_CREATED:
      hatake_container_set_created (self, g_value_get_int64 (value));
      break;
    case PROP_STARTED_AT:
      hatake_container_set_started_at (self, g_value_get_int64 (value));
      break;
    case PROP_FINISHED_AT:
      hatake_container_set_finished_at (self, g_value_get_int64 (value));
      break;
    case PROP_PID:
      hatake_container_set_pid (self, g_value_get_int (value));
      break;
    case PROP_RESTART_COUNT:
      hatake_container_set_restart_count (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_container_class_init (HatakeContainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_container_finalize;
  object_class->get_property = hatake_container_get_property;
  object_class->set_property = hatake_container_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHORT_ID] =
    g_param_spec_string ("short-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABELS] =
    g_param_spec_boxed ("labels", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* docker compose's project (the com.docker.compose.project label), or NULL */
  properties[PROP_PROJECT] =
    g_param_spec_string ("project", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IMAGE] =
    g_param_spec_string ("image", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IMAGE_ID] =
    g_param_spec_string ("image-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMMAND] =
    g_param_spec_string ("command", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Read-only: hatake_container_transition() is the one way to change it. */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       HATAKE_TYPE_CONTAINER_STATE, HATAKE_CONTAINER_CREATED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Derived from state, exit-code, started-at and finished-at, notified when they change.
   * Its age part also changes with the clock: a view refreshes it on its own timer. */
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXIT_CODE] =
    g_param_spec_int ("exit-code", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OOM_KILLED] =
    g_param_spec_boolean ("oom-killed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STARTED_AT] =
    g_param_spec_int64 ("started-at", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FINISHED_AT] =
    g_param_spec_int64 ("finished-at", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PID] =
    g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESTART_COUNT] =
    g_param_spec_uint ("restart-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Resource use: kept current only while someone watches (hatake_engine_watch_stats). */
  properties[PROP_CPU_PERCENT] =
    g_param_spec_double ("cpu-percent", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MEMORY_USAGE] =
    g_param_spec_int64 ("memory-usage", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MEMORY_LIMIT] =
    g_param_spec_int64 ("memory-limit", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PIDS] =
    g_param_spec_uint ("pids", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Bytes since the container started: received and sent on its networks (not lo), read from
   * and written to block devices */
  properties[PROP_NET_RX_BYTES] =
    g_param_spec_int64 ("net-rx-bytes", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NET_TX_BYTES] =
    g_param_spec_int64 ("net-tx-bytes", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BLOCK_READ_BYTES] =
    g_param_spec_int64 ("block-read-bytes", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BLOCK_WRITE_BYTES] =
    g_param_spec_int64 ("block-write-bytes", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Set by the engine that probes (hatake_container_set_health()) */
  properties[PROP_HEALTH] =
    g_param_spec_enum ("health", NULL, NULL, HATAKE_TYPE_HEALTH_STATUS, HATAKE_HEALTH_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEALTH_FAILING_STREAK] =
    g_param_spec_uint ("health-failing-streak", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEALTH_LOG] =
    g_param_spec_boxed ("health-log", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hatake_container_init (HatakeContainer *self)
{
  self->state = HATAKE_CONTAINER_CREATED;
  self->health_log = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_health_result_free);
}

HatakeContainer *
hatake_container_new (const char *id,
                      const char *name)
{
  g_return_val_if_fail (id != NULL, NULL);
  return g_object_new (HATAKE_TYPE_CONTAINER, "id", id, "name", name, NULL);
}

const char *
hatake_container_get_id (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);
  return self->id;
}

/* The 12 hex digits docker shows. */
char *
hatake_container_dup_short_id (HatakeContainer *self)
{
  const char *hex;

  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);
  if (self->id == NULL)
    return NULL;
  hex = strchr (self->id, ':');
  hex = hex ? hex + 1 : self->id;
  return g_strndup (hex, 12);
}

static gboolean
set_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

const char *
hatake_container_get_name (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);
  return self->name;
}

void
hatake_container_set_name (HatakeContainer *self,
                           const char      *name)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
hatake_container_get_image (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);
  return self->image;
}

void
hatake_container_set_image (HatakeContainer *self,
                            const char      *image)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (set_string (&self->image, image))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMAGE]);
}

const char *
hatake_container_get_image_id (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);
  return self->image_id;
}

void
hatake_container_set_image_id (HatakeContainer *self,
                               const char      *image_id)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (set_string (&self->image_id, image_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMAGE_ID]);
}

const char *
hatake_container_get_command (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);
  return self->command;
}

void
hatake_container_set_command (HatakeContainer *self,
                              const char      *command)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (set_string (&self->command, command))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMMAND]);
}

HatakeContainerState
hatake_container_get_state (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), HATAKE_CONTAINER_REMOVED);
  return self->state;
}

/* The name docker would print: the name when there is one, else the short id. */
static char *
dup_display_name (HatakeContainer *self)
{
  if (self->name != NULL && self->name[0] != '\0')
    return g_strdup (self->name);
  return hatake_container_dup_short_id (self);
}

gboolean
hatake_container_can (HatakeContainer       *self,
                      HatakeContainerState   to,
                      GError               **error)
{
  g_autofree char *name = NULL;
  Refusal refusal;

  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), FALSE);
  g_return_val_if_fail ((guint) to < HATAKE_N_CONTAINER_STATES, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  refusal = refusal_for (self->state, to);
  /* The table decides; the switch only words it. They must agree. */
  g_assert ((refusal == REFUSAL_NONE) == allowed[self->state][to]);
  if (allowed[self->state][to])
    return TRUE;

  name = dup_display_name (self);
  set_refusal_error (error, refusal, name);
  return FALSE;
}

gboolean
hatake_container_transition (HatakeContainer       *self,
                             HatakeContainerState   to,
                             GError               **error)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), FALSE);
  g_return_val_if_fail ((guint) to < HATAKE_N_CONTAINER_STATES, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!hatake_container_can (self, to, error))
    return FALSE;

  g_debug ("container %s: %s → %s", self->id,
           hatake_container_state_to_string (self->state),
           hatake_container_state_to_string (to));
  self->state = to;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  return TRUE;
}

void
hatake_container_mirror_state (HatakeContainer      *self,
                               HatakeContainerState  state)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  g_return_if_fail ((guint) state < HATAKE_N_CONTAINER_STATES);

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

int
hatake_container_get_exit_code (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->exit_code;
}

void
hatake_container_set_exit_code (HatakeContainer *self,
                                int              exit_code)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (self->exit_code == exit_code)
    return;
  self->exit_code = exit_code;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXIT_CODE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

gboolean
hatake_container_get_oom_killed (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), FALSE);
  return self->oom_killed;
}

void
hatake_container_set_oom_killed (HatakeContainer *self,
                                 gboolean         oom_killed)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  oom_killed = !!oom_killed;
  if (self->oom_killed == oom_killed)
    return;
  self->oom_killed = oom_killed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OOM_KILLED]);
}

const char *
hatake_container_get_error (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);
  return self->error;
}

void
hatake_container_set_error (HatakeContainer *self,
                            const char      *error)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (set_string (&self->error, error))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

gint64
hatake_container_get_created (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->created;
}

void
hatake_container_set_created (HatakeContainer *self,
                              gint64           created_usec)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (self->created == created_usec)
    return;
  self->created = created_usec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED]);
}

gint64
hatake_container_get_started_at (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->started_at;
}

void
hatake_container_set_started_at (HatakeContainer *self,
                                 gint64           usec)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (self->started_at == usec)
    return;
  self->started_at = usec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTED_AT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

gint64
hatake_container_get_finished_at (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->finished_at;
}

void
hatake_container_set_finished_at (HatakeContainer *self,
                                  gint64           usec)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (self->finished_at == usec)
    return;
  self->finished_at = usec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED_AT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

int
hatake_container_get_pid (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->pid;
}

void
hatake_container_set_pid (HatakeContainer *self,
                          int              pid)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  g_return_if_fail (pid >= 0);
  if (self->pid == pid)
    return;
  self->pid = pid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);
}

guint
hatake_container_get_restart_count (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->restart_count;
}

void
hatake_container_set_restart_count (HatakeContainer *self,
                                    guint            count)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  if (self->restart_count == count)
    return;
  self->restart_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTART_COUNT]);
}

/* ---- health ------------------------------------------------------------------------------- */

static GEnumClass *
health_class (void)
{
  static gsize klass = 0;

  if (g_once_init_enter (&klass))
    g_once_init_leave (&klass, (gsize) g_type_class_ref (HATAKE_TYPE_HEALTH_STATUS));
  return (GEnumClass *) klass;
}

const char *
hatake_health_status_to_string (HatakeHealthStatus status)
{
  GEnumValue *value = g_enum_get_value (health_class (), status);

  g_return_val_if_fail (value != NULL, NULL);
  return value->value_nick;
}

gboolean
hatake_health_status_from_string (const char         *text,
                                  HatakeHealthStatus *out)
{
  GEnumValue *value;

  g_return_val_if_fail (text != NULL, FALSE);
  value = g_enum_get_value_by_nick (health_class (), text);
  if (value == NULL)
    return FALSE;
  if (out != NULL)
    *out = value->value;
  return TRUE;
}

HatakeHealthResult *
hatake_health_result_new (gint64      start,
                          gint64      end,
                          int         exit_code,
                          const char *output)
{
  HatakeHealthResult *self = g_new0 (HatakeHealthResult, 1);
  gsize length = output ? strlen (output) : 0;

  self->start = start;
  self->end = end;
  self->exit_code = exit_code;
  /* cut at a byte count, as docker does; valid UTF-8 (a cut character, a probe's binary output)
   * for JSON */
  self->output = g_utf8_make_valid (output ? output : "", MIN (length, HATAKE_HEALTH_MAX_OUTPUT));
  return self;
}

HatakeHealthResult *
hatake_health_result_copy (const HatakeHealthResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return hatake_health_result_new (self->start, self->end, self->exit_code, self->output);
}

void
hatake_health_result_free (HatakeHealthResult *self)
{
  if (self == NULL)
    return;
  g_free (self->output);
  g_free (self);
}

HatakeHealthStatus
hatake_container_get_health_status (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), HATAKE_HEALTH_NONE);
  return self->health;
}

guint
hatake_container_get_health_failing_streak (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->failing_streak;
}

void
hatake_container_set_health (HatakeContainer    *self,
                             HatakeHealthStatus  status,
                             guint               failing_streak)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  g_return_if_fail (status <= HATAKE_HEALTH_UNHEALTHY);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->failing_streak != failing_streak)
    {
      self->failing_streak = failing_streak;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH_FAILING_STREAK]);
    }
  if (self->health != status)
    {
      self->health = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

GPtrArray *
hatake_container_get_health_log (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);
  return self->health_log;
}

void
hatake_container_add_health_result (HatakeContainer          *self,
                                    const HatakeHealthResult *result)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));
  g_return_if_fail (result != NULL);

  g_ptr_array_add (self->health_log, hatake_health_result_copy (result));
  if (self->health_log->len > HATAKE_HEALTH_LOG_SIZE)
    g_ptr_array_remove_range (self->health_log, 0, self->health_log->len - HATAKE_HEALTH_LOG_SIZE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH_LOG]);
}

void
hatake_container_set_health_log (HatakeContainer *self,
                                 GPtrArray       *log)
{
  gboolean same;

  g_return_if_fail (HATAKE_IS_CONTAINER (self));

  same = (log ? log->len : 0) == self->health_log->len;
  for (guint i = 0; same && i < self->health_log->len; i++)
    {
      const HatakeHealthResult *a = g_ptr_array_index (self->health_log, i);
      const HatakeHealthResult *b = g_ptr_array_index (log, i);

      same = a->start == b->start && a->end == b->end && a->exit_code == b->exit_code &&
             g_strcmp0 (a->output, b->output) == 0;
    }
  if (same)
    return;
  g_ptr_array_set_size (self->health_log, 0);
  for (guint i = 0; log != NULL && i < log->len; i++)
    g_ptr_array_add (self->health_log, hatake_health_result_copy (g_ptr_array_index (log, i)));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH_LOG]);
}

/* go-units HumanDuration, which `docker ps` uses: seconds and minutes truncate, hours round. */
static char *
dup_human_duration (gint64 usec)
{
  const gint64 hour = G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  gint64 seconds, minutes, hours;

  if (usec < 0)
    usec = 0;
  seconds = usec / G_USEC_PER_SEC;
  if (seconds < 1)
    return g_strdup ("Less than a second");
  if (seconds == 1)
    return g_strdup ("1 second");
  if (seconds < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " seconds", seconds);
  minutes = seconds / 60;
  if (minutes == 1)
    return g_strdup ("About a minute");
  if (minutes < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " minutes", minutes);
  hours = (usec + hour / 2) / hour;
  if (hours == 1)
    return g_strdup ("About an hour");
  if (hours < 48)
    return g_strdup_printf ("%" G_GINT64_FORMAT " hours", hours);
  if (hours < 24 * 7 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT " days", hours / 24);
  if (hours < 24 * 30 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT " weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT " months", hours / 24 / 30);
  return g_strdup_printf ("%" G_GINT64_FORMAT " years", usec / hour / 24 / 365);
}

/* docker's State.String(). A timestamp that was never set (0) leaves its age out instead of
 * printing one measured from 1970. */
char *
hatake_container_dup_status (HatakeContainer *self,
                             gint64           now_usec)
{
  g_autofree char *age = NULL;

  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);

  switch (self->state)
    {
    case HATAKE_CONTAINER_CREATED:
      return g_strdup ("Created");
    case HATAKE_CONTAINER_RUNNING:
    case HATAKE_CONTAINER_PAUSED:
      if (self->started_at == 0)
        age = g_strdup ("Up");
      else
        {
          g_autofree char *duration = dup_human_duration (now_usec - self->started_at);
          age = g_strconcat ("Up ", duration, NULL);
        }
      if (self->state == HATAKE_CONTAINER_PAUSED)
        return g_strconcat (age, " (Paused)", NULL);
      switch (self->health)
        {
        case HATAKE_HEALTH_STARTING:
          return g_strconcat (age, " (health: starting)", NULL);
        case HATAKE_HEALTH_HEALTHY:
          return g_strconcat (age, " (healthy)", NULL);
        case HATAKE_HEALTH_UNHEALTHY:
          return g_strconcat (age, " (unhealthy)", NULL);
        case HATAKE_HEALTH_NONE:
          break;
        }
      return g_steal_pointer (&age);
    case HATAKE_CONTAINER_RESTARTING:
      if (self->finished_at == 0)
        return g_strdup_printf ("Restarting (%d)", self->exit_code);
      age = dup_human_duration (now_usec - self->finished_at);
      return g_strdup_printf ("Restarting (%d) %s ago", self->exit_code, age);
    case HATAKE_CONTAINER_EXITED:
      if (self->finished_at == 0)
        return g_strdup_printf ("Exited (%d)", self->exit_code);
      age = dup_human_duration (now_usec - self->finished_at);
      return g_strdup_printf ("Exited (%d) %s ago", self->exit_code, age);
    case HATAKE_CONTAINER_REMOVING:
      return g_strdup ("Removal In Progress");
    case HATAKE_CONTAINER_DEAD:
      return g_strdup ("Dead");
    case HATAKE_CONTAINER_REMOVED:
      return g_strdup ("Removed");
    }

  g_assert_not_reached ();
}

double
hatake_container_get_cpu_percent (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0.0);
  return self->cpu_percent;
}

gint64
hatake_container_get_memory_usage (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->memory_usage;
}

gint64
hatake_container_get_memory_limit (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->memory_limit;
}

guint
hatake_container_get_pids (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->pids;
}

/* One sample of resource use, from the engine: notifies what changed. */
void
hatake_container_set_usage (HatakeContainer *self,
                            double           cpu_percent,
                            gint64           memory_usage,
                            gint64           memory_limit,
                            guint            pids)
{
  g_return_if_fail (HATAKE_IS_CONTAINER (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->cpu_percent != cpu_percent)
    {
      self->cpu_percent = cpu_percent;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPU_PERCENT]);
    }
  if (self->memory_usage != memory_usage)
    {
      self->memory_usage = memory_usage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY_USAGE]);
    }
  if (self->memory_limit != memory_limit)
    {
      self->memory_limit = memory_limit;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY_LIMIT]);
    }
  if (self->pids != pids)
    {
      self->pids = pids;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PIDS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gint64
hatake_container_get_net_rx_bytes (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->io[0];
}

gint64
hatake_container_get_net_tx_bytes (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->io[1];
}

gint64
hatake_container_get_block_read_bytes (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->io[2];
}

gint64
hatake_container_get_block_write_bytes (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), 0);
  return self->io[3];
}

/* One sample of I/O totals, from the engine: notifies what changed. */
void
hatake_container_set_io (HatakeContainer *self,
                         gint64           net_rx_bytes,
                         gint64           net_tx_bytes,
                         gint64           block_read_bytes,
                         gint64           block_write_bytes)
{
  const gint64 io[] = { net_rx_bytes, net_tx_bytes, block_read_bytes, block_write_bytes };

  g_return_if_fail (HATAKE_IS_CONTAINER (self));

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < G_N_ELEMENTS (io); i++)
    if (self->io[i] != io[i])
      {
        self->io[i] = io[i];
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NET_RX_BYTES + i]);
      }
  g_object_thaw_notify (G_OBJECT (self));
}

const char * const *
hatake_container_get_labels (HatakeContainer *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);

  return (const char * const *) self->labels;
}

void
hatake_container_set_labels (HatakeContainer    *self,
                             const char * const *labels)
{
  g_autofree char *old_project = NULL;

  g_return_if_fail (HATAKE_IS_CONTAINER (self));

  old_project = g_strdup (hatake_container_get_project (self));
  g_strfreev (self->labels);
  self->labels = labels != NULL && labels[0] != NULL ? g_strdupv ((char **) labels) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABELS]);
  if (g_strcmp0 (old_project, hatake_container_get_project (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

const char *
hatake_container_get_label (HatakeContainer *self,
                            const char      *key)
{
  gsize key_len;

  g_return_val_if_fail (HATAKE_IS_CONTAINER (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  key_len = strlen (key);
  for (guint i = 0; self->labels != NULL && self->labels[i] != NULL; i++)
    if (strncmp (self->labels[i], key, key_len) == 0 && self->labels[i][key_len] == '=')
      return self->labels[i] + key_len + 1;
  return NULL;
}

const char *
hatake_container_get_project (HatakeContainer *self)
{
  const char *project = hatake_container_get_label (self, HATAKE_CONTAINER_PROJECT_LABEL);

  return project != NULL && project[0] != '\0' ? project : NULL;
}
