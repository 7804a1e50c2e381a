/* test-faults.c: faults injected into a real engine, each ending with a consistency check of the
 * store and of every container (tests/hatake-test-consistency.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SIGKILL of `hatake serve` during a pull, an unpack, a create, a start, a compose up and an
 * image removal; a registry answering 500 and 429 or dropping the connection; a full disk during
 * a pull and during logging; conmon or crun failing to start; a container flooding its logs.
 * After each: the data root opens with a fresh engine, is consistent, and the interrupted
 * operation can be done again.
 */
#define G_LOG_DOMAIN "hatake-test"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-core.h"
#include "hatake-test-api.h"
#include "hatake-test-consistency.h"
#include "hatake-test-utils.h"
/* the registry helpers' fixture has the same name as the served engine's: only Proxy is used */
#define Fixture RegistryFixture
#include "hatake-test-registry.h"
#undef Fixture

static guint faults_injected;
static guint checks_passed;

typedef struct
{
  Fixture  api;       /* `hatake serve` on a data root, the docker CLI against it */
  Proxy   *proxy;
  char    *tmpfs;     /* a small tmpfs mounted here, unmounted at the end whatever happened */
  char    *bin;       /* fake programs put first on the server's PATH */
  char    *project;   /* a compose project's folder */
} FaultFixture;

static gboolean
have_services (void)
{
  return require ();
}

static void
faults_set_up (FaultFixture *f, gconstpointer data)
{
  if (GPOINTER_TO_INT (data) == 1)
    {
      /* the data root is on a tmpfs: nothing there yet, the test mounts it first */
      f->api.root = hatake_test_make_data_root ();
      f->api.socket = g_strconcat (f->api.root, ".sock", NULL);
      f->api.docker_config = g_strconcat (f->api.root, ".docker", NULL);
      g_mkdir_with_parents (f->api.docker_config, 0700);
      return;
    }
  fixture_set_up (&f->api, data);
}

static void
faults_tear_down (FaultFixture *f, gconstpointer data)
{
  g_clear_pointer (&f->proxy, proxy_free);
  if (f->api.server != NULL)
    fixture_stop_server (&f->api);
  /* whatever a killed server left: containers, mounts, networks */
  if (geteuid () == 0)
    hatake_cli (&f->api, "system", "reset", "-f", NULL);
  if (f->tmpfs != NULL)
    {
      if (umount2 (f->tmpfs, MNT_DETACH) != 0 && errno != EINVAL)
        g_warning ("Cannot unmount %s: %s", f->tmpfs, g_strerror (errno));
      g_free (f->tmpfs);
    }
  fixture_tear_down (&f->api, data);
  if (f->bin != NULL)
    hatake_test_remove_tree (f->bin);
  g_free (f->bin);
  if (f->project != NULL)
    hatake_test_remove_tree (f->project);
  g_free (f->project);
}

/* ---- helpers ----------------------------------------------------------------------------- */

static void
assert_consistent (const char *root, gboolean allow_dead)
{
  g_autoptr(GError) error = NULL;

  hatake_test_check_consistency (root, allow_dead, &error);
  g_assert_no_error (error);
  checks_passed++;
}

/* SIGKILL of the server: nothing of it runs any more (its children, netavark or crun, may) */
static void
kill_server (FaultFixture *f)
{
  g_subprocess_force_exit (f->api.server);
  g_subprocess_wait (f->api.server, NULL, NULL);
  g_assert_false (g_subprocess_get_if_exited (f->api.server));
  g_clear_object (&f->api.server);
  faults_injected++;
}

/* The server stopped and the data root checked, then the server again on it. */
static void
check_with_server_stopped (FaultFixture *f, gboolean allow_dead)
{
  if (f->api.server != NULL)
    fixture_stop_server (&f->api);
  assert_consistent (f->api.root, allow_dead);
}

/* Sleeps while the main context runs (the proxy accepts connections there). */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (MIN (5000, MAX (0, end - g_get_monotonic_time ())));
    }
}

/* The command PREFIX (NULL-terminated), then ARGS up to a NULL, started by LAUNCHER. */
static GSubprocess *
spawn_va (GSubprocessLauncher *launcher, const char * const *prefix, va_list args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  const char *arg;

  for (guint i = 0; prefix[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) prefix[i]);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static GSubprocess *
spawn_docker (FaultFixture *f, ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *host = g_strconcat ("unix://", f->api.socket, NULL);
  const char *prefix[] = { "docker", NULL };
  GSubprocess *process;
  va_list args;

  g_subprocess_launcher_setenv (launcher, "DOCKER_HOST", host, TRUE);
  g_subprocess_launcher_setenv (launcher, "DOCKER_CONFIG", f->api.docker_config, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DOCKER_CONTEXT");
  va_start (args, f);
  process = spawn_va (launcher, prefix, args);
  va_end (args);
  return process;
}

static GSubprocess *
spawn_hatake (FaultFixture *f, const char *cwd, ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  const char *prefix[] = { HATAKE_CLI, "--data-root", f->api.root, NULL };
  GSubprocess *process;
  va_list args;

  g_subprocess_launcher_set_cwd (launcher, cwd);
  va_start (args, cwd);
  process = spawn_va (launcher, prefix, args);
  va_end (args);
  return process;
}

static void
on_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Waits for a subprocess while the main context runs; its exit status. */
static int
wait_spinning (GSubprocess *process)
{
  gboolean done = FALSE;
  int status;

  g_subprocess_wait_async (process, NULL, on_waited, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_object_unref (process);
  return status;
}

static void
finish (GSubprocess *process)
{
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

/* Milliseconds a subprocess took (with a server running: the time to aim kills within). */
static gint64
time_subprocess (GSubprocess *process, int *status)
{
  gint64 start = g_get_monotonic_time ();

  g_subprocess_wait (process, NULL, NULL);
  if (status)
    *status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_object_unref (process);
  return (g_get_monotonic_time () - start) / 1000;
}

static gboolean
on_bound (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Milliseconds a subprocess took, or -1 (and killed) when it ran over the bound: a hang fails
 * the test instead of stopping it. */
static gint64
wait_bounded (GSubprocess *process, guint seconds, int *status)
{
  gint64 start = g_get_monotonic_time ();
  gboolean done = FALSE;
  gboolean over = FALSE;
  guint bound = g_timeout_add_seconds (seconds, on_bound, &over);

  g_subprocess_wait_async (process, NULL, on_waited, &done);
  while (!done && !over)
    g_main_context_iteration (NULL, TRUE);
  if (!done)
    {
      g_subprocess_force_exit (process);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      g_object_unref (process);
      return -1;
    }
  g_source_remove (bound);
  *status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_object_unref (process);
  return (g_get_monotonic_time () - start) / 1000;
}

static char *
inspect (FaultFixture *f, const char *what, const char *format)
{
  g_autofree char *out = NULL;

  if (docker (&f->api, &out, NULL, "inspect", "-f", format, what, NULL) != 0)
    return NULL;
  return g_strdup (g_strstrip (out));
}

/* Files in DIR whose names start with PREFIX, with their total size. */
static guint
count_files (const char *dir_path, const char *prefix, goffset *total)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  if (total)
    *total = 0;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      GStatBuf st;

      if (!g_str_has_prefix (name, prefix) || g_stat (path, &st) != 0)
        continue;
      n++;
      if (total)
        *total += st.st_size;
    }
  return n;
}

static gint64
vm_rss_kb (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) || (line = strstr (status, "VmRSS:")) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen ("VmRSS:"), NULL, 10);
}

static GPid
server_pid (FaultFixture *f)
{
  return (GPid) g_ascii_strtoll (g_subprocess_get_identifier (f->api.server), NULL, 10);
}

/* ---- SIGKILL of the engine ---------------------------------------------------------------- */

/* Mid-layer: the proxy stops sending after some of the layer, deterministically. */
static void
test_kill_pull (FaultFixture *f, gconstpointer data)
{
  g_autofree char *ref = NULL;
  g_autofree char *tmp = NULL;
  GSubprocess *pull;
  goffset partial = 0;

  if (!have_services ())
    return;
  f->proxy = proxy_new ("127.0.0.1", g_getenv ("HATAKE_TEST_REGISTRY"));
  f->proxy->stall_after = 300 * 1024;
  ref = g_strconcat (f->proxy->address, "/hatake/busybox:latest", NULL);
  tmp = g_build_filename (f->api.root, "tmp", NULL);
  pull = spawn_docker (f, "pull", ref, NULL);
  for (guint i = 0; i < 400 && (count_files (tmp, "", &partial) == 0 || partial < 300 * 1024); i++)
    spin (25);
  g_test_message ("killing the engine with %" G_GOFFSET_FORMAT " bytes of the layer in tmp/", partial);
  g_assert_cmpint (partial, >=, 300 * 1024);
  kill_server (f);
  finish (pull);
  assert_consistent (f->api.root, FALSE);
  /* the partial download stays in tmp/ (to resume), never under blobs/ */
  g_assert_cmpuint (count_files (tmp, "", NULL), >, 0);

  f->proxy->stall_after = -1;
  fixture_start_server (&f->api);
  /* (the proxy needs the main context running) */
  g_assert_cmpint (wait_spinning (spawn_docker (f, "pull", ref, NULL)), ==, 0);
  g_assert_cmpint (docker (&f->api, NULL, NULL, "run", "--rm", ref, "true", NULL), ==, 0);
  check_with_server_stopped (f, FALSE);
}

/* A layer of 300 MB of zeros (the bomb fixture, within the default limits) is being unpacked. */
static void
test_kill_unpack (FaultFixture *f, gconstpointer data)
{
  g_autofree char *ref = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *layers = NULL;
  GSubprocess *pull;
  gboolean unpacking = FALSE;

  if (!have_services ())
    return;
  ref = hatake_test_registry_ref ("hatake/evil-bomb:latest");
  tmp = g_build_filename (f->api.root, "tmp", NULL);
  layers = g_build_filename (f->api.root, "layers", NULL);
  pull = spawn_docker (f, "pull", ref, NULL);
  for (guint i = 0; i < 2000 && !unpacking; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL && !unpacking)
        if (g_str_has_prefix (name, "layer-"))
          {
            g_autofree char *zeros = g_build_filename (tmp, name, "diff", "zeros", NULL);
            GStatBuf st;

            unpacking = g_stat (zeros, &st) == 0 && st.st_size > 16 * 1024 * 1024;
          }
      if (!unpacking)
        g_usleep (5 * 1000);
    }
  g_assert_true (unpacking);
  kill_server (f);
  finish (pull);
  g_assert_cmpuint (count_files (layers, "", NULL), ==, 0);
  assert_consistent (f->api.root, FALSE);
  /* the half-unpacked layer is gone once a store opened */
  g_assert_cmpuint (count_files (tmp, "layer-", NULL), ==, 0);

  fixture_start_server (&f->api);
  g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", ref, NULL), ==, 0);
  g_assert_cmpuint (count_files (layers, "", NULL), ==, 1);
  g_assert_cmpint (docker (&f->api, NULL, NULL, "rmi", ref, NULL), ==, 0);
  check_with_server_stopped (f, FALSE);
}

typedef enum
{
  KILL_CREATE,
  KILL_START,
  KILL_RMI,
  KILL_COMPOSE,
} KillWhat;

static const char compose_project[] =
  "services:\n"
  "  a:\n"
  "    image: @IMAGE@\n"
  "    command: [\"sleep\", \"600\"]\n"
  "    stop_signal: SIGKILL\n"
  "  b:\n"
  "    image: @IMAGE@\n"
  "    command: [\"sleep\", \"600\"]\n"
  "    stop_signal: SIGKILL\n"
  "    depends_on: [a]\n"
  "  c:\n"
  "    image: @IMAGE@\n"
  "    command: [\"sleep\", \"600\"]\n"
  "    stop_signal: SIGKILL\n"
  "    depends_on: [b]\n";

static GSubprocess *
start_operation (FaultFixture *f, KillWhat what, guint round, const char *image)
{
  g_autofree char *name = g_strdup_printf ("faults-%u", round);

  switch (what)
    {
    case KILL_CREATE:
      return spawn_docker (f, "create", "--name", name, image, "sleep", "600", NULL);
    case KILL_START:
      return spawn_docker (f, "start", name, NULL);
    case KILL_RMI:
      return spawn_docker (f, "rmi", image, NULL);
    case KILL_COMPOSE:
      return spawn_hatake (f, f->project, "compose", "-p", "faults", "up", "-d", NULL);
    default:
      g_assert_not_reached ();
    }
}

/* What each round needs before the operation (with the server up). */
static void
prepare_round (FaultFixture *f, KillWhat what, guint round, const char *image)
{
  g_autofree char *name = g_strdup_printf ("faults-%u", round);

  switch (what)
    {
    case KILL_CREATE:
    case KILL_COMPOSE:
      break;
    case KILL_START:
      g_assert_cmpint (docker (&f->api, NULL, NULL, "create", "--name", name, image, "sleep", "600", NULL), ==, 0);
      break;
    case KILL_RMI:
      g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", image, NULL), ==, 0);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* After the restart: the interrupted operation done again succeeds, and is undone for the next
 * round. */
static void
redo_round (FaultFixture *f, KillWhat what, guint round, const char *image)
{
  g_autofree char *name = g_strdup_printf ("faults-%u", round);
  g_autofree char *state = NULL;
  g_autofree char *out = NULL;

  switch (what)
    {
    case KILL_CREATE:
      /* the create happened entirely or not at all */
      state = inspect (f, name, "{{.State.Status}}");
      g_test_message ("round %u: after the kill, %s is %s", round, name, state ? state : "absent");
      g_assert_true (state == NULL || g_str_equal (state, "created"));
      if (state == NULL)
        g_assert_cmpint (docker (&f->api, NULL, NULL, "create", "--name", name, image, "sleep", "600", NULL), ==, 0);
      g_assert_cmpint (docker (&f->api, NULL, NULL, "start", name, NULL), ==, 0);
      g_assert_cmpint (docker (&f->api, NULL, NULL, "rm", "-f", name, NULL), ==, 0);
      break;
    case KILL_START:
      state = inspect (f, name, "{{.State.Status}}");
      g_test_message ("round %u: after the kill, %s is %s", round, name, state);
      g_assert_nonnull (state);
      if (!g_str_equal (state, "running"))
        g_assert_cmpint (docker (&f->api, NULL, NULL, "start", name, NULL), ==, 0);
      g_free (state);
      state = inspect (f, name, "{{.State.Status}}");
      g_assert_cmpstr (state, ==, "running");
      g_assert_cmpint (docker (&f->api, NULL, NULL, "rm", "-f", name, NULL), ==, 0);
      break;
    case KILL_RMI:
      docker (&f->api, &out, NULL, "images", "-q", image, NULL);
      g_test_message ("round %u: after the kill, the image is %s", round, *g_strstrip (out) ? "there" : "gone");
      if (*out != '\0')
        g_assert_cmpint (docker (&f->api, NULL, NULL, "rmi", image, NULL), ==, 0);
      g_free (out);
      docker (&f->api, &out, NULL, "images", "-q", image, NULL);
      g_assert_cmpstr (g_strstrip (out), ==, "");
      break;
    case KILL_COMPOSE:
      {
        GSubprocess *up = spawn_hatake (f, f->project, "compose", "-p", "faults", "up", "-d", NULL);
        int status = -1;

        time_subprocess (up, &status);
        g_assert_cmpint (status, ==, 0);
        docker (&f->api, &out, NULL, "ps", "-q", "--filter", "label=com.docker.compose.project=faults", NULL);
        {
          g_auto(GStrv) ids = g_strsplit (g_strstrip (out), "\n", -1);
          g_assert_cmpuint (g_strv_length (ids), ==, 3);
        }
        up = spawn_hatake (f, f->project, "compose", "-p", "faults", "down", NULL);
        time_subprocess (up, &status);
        g_assert_cmpint (status, ==, 0);
        break;
      }
    default:
      g_assert_not_reached ();
    }
}

/* Kills the server at fractions of how long the operation takes undisturbed, 0 to 1. */
static void
test_kill_operation (FaultFixture *f, gconstpointer data)
{
  KillWhat what = GPOINTER_TO_INT (data) - 10;
  const char *fixture = what == KILL_RMI ? "hatake/layered:latest" : "hatake/busybox:latest";
  g_autofree char *image = hatake_test_registry_ref (fixture);
  gint64 took;
  int status = -1;
  guint rounds = 6;

  if (!have_services ())
    return;
  if (what != KILL_RMI)
    g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", image, NULL), ==, 0);
  if (what == KILL_COMPOSE)
    {
      g_autoptr(GString) text = g_string_new (compose_project);
      g_autofree char *file = NULL;

      f->project = g_dir_make_tmp ("hatake-faults-compose-XXXXXX", NULL);
      file = g_build_filename (f->project, "compose.yaml", NULL);
      g_string_replace (text, "@IMAGE@", image, 0);
      g_assert_true (g_file_set_contents (file, text->str, -1, NULL));
    }

  /* once undisturbed, for the time it takes */
  prepare_round (f, what, 0, image);
  took = time_subprocess (start_operation (f, what, 0, image), &status);
  g_assert_cmpint (status, ==, 0);
  g_test_message ("undisturbed, it takes %" G_GINT64_FORMAT " ms", took);
  if (what == KILL_COMPOSE)
    {
      GSubprocess *down = spawn_hatake (f, f->project, "compose", "-p", "faults", "down", NULL);
      time_subprocess (down, &status);
      g_assert_cmpint (status, ==, 0);
    }
  else if (what == KILL_CREATE || what == KILL_START)
    g_assert_cmpint (docker (&f->api, NULL, NULL, "rm", "-f", "faults-0", NULL), ==, 0);

  for (guint round = 1; round <= rounds; round++)
    {
      /* the docker CLI's own start-up is a good part of it: aim at the engine's part */
      gint64 delay = took * (round - 1) / (rounds - 1);
      GSubprocess *operation;

      prepare_round (f, what, round, image);
      operation = start_operation (f, what, round, image);
      g_usleep (delay * 1000);
      kill_server (f);
      finish (operation);
      g_test_message ("round %u: killed after %" G_GINT64_FORMAT " ms", round, delay);
      assert_consistent (f->api.root, FALSE);
      fixture_start_server (&f->api);
      redo_round (f, what, round, image);
    }
  check_with_server_stopped (f, FALSE);
}

/* ---- a removal interrupted ------------------------------------------------------------------ */

/* Whether any line of FILE mentions TEXT. */
static gboolean
file_mentions (const char *file, const char *text)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (file, &contents, NULL, NULL) && strstr (contents, text) != NULL;
}

/* A process whose command line mentions TEXT (a conmon names its container's id). */
static gboolean
process_mentions (const char *text)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (*name) || !g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* What of the container is still on the machine: a conmon or other process naming it, its
 * process, a mount, or a file of it in a run dir (network namespace, exit file, sockets); NULL
 * when nothing is. */
static char *
container_leftover (const char *id, GPid pid)
{
  g_autoptr(GDir) runs = g_dir_open ("/run/hatake", 0, NULL);
  const char *run;

  if (process_mentions (id))
    return g_strdup ("a process naming it");
  if (pid > 0 && kill (pid, 0) == 0)
    return g_strdup_printf ("its process %d", (int) pid);
  if (file_mentions ("/proc/self/mountinfo", id))
    return g_strdup ("a mount");
  while (runs != NULL && (run = g_dir_read_name (runs)) != NULL)
    {
      static const char * const parts[] = { "netns", "exits", "persist", "socket" };

      for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
        {
          g_autofree char *path = g_build_filename ("/run/hatake", run, parts[i], id, NULL);
          g_autofree char *json = g_strconcat (path, ".json", NULL);

          if (g_file_test (path, G_FILE_TEST_EXISTS))
            return g_steal_pointer (&path);
          if (g_file_test (json, G_FILE_TEST_EXISTS))
            return g_steal_pointer (&json);
        }
    }
  return NULL;
}

/* Nothing of the container is left: not listed and no folder once the removal has answered;
 * no conmon, process, mount, network namespace or other file of it in any run dir a moment
 * later — conmon runs its exit command after the kill, and the network's teardown (netavark,
 * then the namespace's unmount) runs behind the removal's answer, queued after what the
 * networks' thread has to do before it (a spare's setup). */
static void
assert_container_gone (FaultFixture *f, const char *id, GPid pid)
{
  g_autofree char *dir = g_build_filename (f->api.root, "containers", id, NULL);
  g_autofree char *out = NULL;
  g_autofree char *left = NULL;

  g_assert_cmpint (docker (&f->api, &out, NULL, "ps", "-a", "-q", "--no-trunc", NULL), ==, 0);
  g_assert_null (strstr (out, id));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  for (guint i = 0; (left = container_leftover (id, pid)) != NULL && i < 200; i++)
    {
      g_clear_pointer (&left, g_free);
      g_usleep (50 * 1000);
    }
  if (left != NULL)
    g_error ("%s is left of removed container %s", left, id);
}

/* A running container, by name: its id and process. */
static char *
run_sleeper (FaultFixture *f, const char *name, const char *image, GPid *pid)
{
  g_autofree char *pid_text = NULL;
  char *id;

  g_assert_cmpint (docker (&f->api, NULL, NULL, "run", "-d", "--name", name, image, "sleep", "600", NULL), ==, 0);
  id = inspect (f, name, "{{.Id}}");
  pid_text = inspect (f, name, "{{.State.Pid}}");
  g_assert_nonnull (id);
  g_assert_nonnull (pid_text);
  *pid = (GPid) g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (*pid, >, 0);
  return id;
}

/* The server killed at points of a `docker rm -f` of a running container: once the request
 * reached the engine, the restarted server (or conmon's exit command before it) finishes the
 * removal; before, the container runs on untouched. */
static void
test_kill_rm_force (FaultFixture *f, gconstpointer data)
{
  g_autofree char *image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_autofree char *id = NULL;
  gint64 took, cli;
  GPid pid;
  int status = -1;
  guint rounds = 6, gone = 0;

  if (!have_services ())
    return;
  g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", image, NULL), ==, 0);
  /* once undisturbed, for the time it takes, and the docker CLI's own part of it */
  id = run_sleeper (f, "faults-rm-0", image, &pid);
  cli = time_subprocess (spawn_docker (f, "inspect", "faults-rm-0", NULL), NULL);
  took = time_subprocess (spawn_docker (f, "rm", "-f", "faults-rm-0", NULL), &status);
  g_assert_cmpint (status, ==, 0);
  assert_container_gone (f, id, pid);
  g_test_message ("undisturbed, it takes %" G_GINT64_FORMAT " ms (the CLI alone %" G_GINT64_FORMAT " ms)", took, cli);

  for (guint round = 1; round <= rounds; round++)
    {
      g_autofree char *name = g_strdup_printf ("faults-rm-%u", round);
      g_autofree char *state = NULL;
      /* from a little before the request can arrive to the end */
      gint64 start = cli / 2;
      gint64 delay = start + MAX (took - start, 0) * (round - 1) / (rounds - 1);
      GSubprocess *rm;

      g_free (id);
      id = run_sleeper (f, name, image, &pid);
      rm = spawn_docker (f, "rm", "-f", name, NULL);
      g_usleep (delay * 1000);
      kill_server (f);
      finish (rm);
      fixture_start_server (&f->api);
      state = inspect (f, name, "{{.State.Status}}");
      g_test_message ("round %u: killed after %" G_GINT64_FORMAT " ms, %s is %s", round, delay, name,
                      state ? state : "gone");
      if (state == NULL)
        gone++;
      else
        {
          /* the request never reached the engine: nothing of it was done */
          g_assert_cmpstr (state, ==, "running");
          g_assert_cmpint (docker (&f->api, NULL, NULL, "rm", "-f", name, NULL), ==, 0);
        }
      assert_container_gone (f, id, pid);
    }
  g_test_message ("%u of %u removals interrupted in the engine were finished", gone, rounds);
  /* (the last rounds are killed after the undisturbed removal's whole time) */
  g_assert_cmpuint (gone, >, 0);
  check_with_server_stopped (f, FALSE);
}

/* Containers saved as removing and as dead (a removal the engine died in, one that failed),
 * their processes still running: the next server finishes both removals. */
static void
test_saved_removing (FaultFixture *f, gconstpointer data)
{
  static const char * const states[] = { "removing", "dead" };
  g_autofree char *image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_autofree char *ids[G_N_ELEMENTS (states)] = { NULL, };
  GPid pids[G_N_ELEMENTS (states)];

  if (!have_services ())
    return;
  g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", image, NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *name = g_strdup_printf ("faults-saved-%s", states[i]);

      ids[i] = run_sleeper (f, name, image, &pids[i]);
    }
  /* the containers run on without the server */
  fixture_stop_server (&f->api);
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *path = g_build_filename (f->api.root, "containers", ids[i], "state.json", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(GError) error = NULL;

      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
      json_object_set_string_member (json_node_get_object (json_parser_get_root (parser)), "Status", states[i]);
      json_generator_set_root (generator, json_parser_get_root (parser));
      json_generator_to_file (generator, path, &error);
      g_assert_no_error (error);
      g_assert_true (kill (pids[i], 0) == 0);
    }
  faults_injected++;
  fixture_start_server (&f->api);
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    assert_container_gone (f, ids[i], pids[i]);
  check_with_server_stopped (f, FALSE);
}

/* ---- registry faults ----------------------------------------------------------------------- */

typedef struct
{
  const char *name;
  guint       status;
  guint       count;
  gboolean    manifests;
  gint64      cut_after;
  gboolean    succeeds;
} RegistryFault;

static void
test_registry_fault (FaultFixture *f, gconstpointer data)
{
  const RegistryFault *fault = data;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  gint64 start;

  if (!have_services ())
    return;
  /* the served engine is not needed: the engine in this process pulls through the proxy */
  fixture_stop_server (&f->api);
  f->proxy = proxy_new ("127.0.0.1", g_getenv ("HATAKE_TEST_REGISTRY"));
  f->proxy->fail_status = fault->status;
  f->proxy->fail_count = fault->count;
  f->proxy->fail_manifests = fault->manifests;
  f->proxy->cut_after = fault->cut_after;
  ref = g_strconcat (f->proxy->address, "/hatake/busybox:latest", NULL);

  engine = hatake_test_engine_new (f->api.root, NULL);
  before = hatake_test_snapshot_store (f->api.root);
  start = g_get_monotonic_time ();
  image = hatake_test_pull (engine, ref, NULL, NULL, &error);
  faults_injected++;
  requests = proxy_requests_matching (f->proxy, fault->manifests ? "/manifests/" : "/blobs/");
  g_test_message ("%s: %s after %" G_GINT64_FORMAT " ms, %u requests: %s", fault->name,
                  image ? "pulled" : "failed", (g_get_monotonic_time () - start) / 1000, requests->len,
                  error ? error->message : "");
  if (fault->succeeds)
    {
      g_assert_no_error (error);
      g_assert_nonnull (image);
      /* it was retried */
      g_assert_cmpuint (requests->len, >, fault->manifests ? 1 : 2);
      if (fault->status == 429)
        g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);   /* Retry-After: 1 */
    }
  else
    {
      g_autofree char *status = g_strdup_printf ("%u", fault->status);

      g_assert_null (image);
      g_assert_nonnull (error);
      /* the error names the cause: the status and the registry */
      g_assert_nonnull (strstr (error->message, status));
      g_assert_nonnull (strstr (error->message, f->proxy->address));
      /* nothing half done is visible */
      after = hatake_test_snapshot_store (f->api.root);
      g_assert_cmpstr (after, ==, before);
    }
  g_clear_object (&image);
  hatake_test_drop_engine (&engine, f->api.root);
  assert_consistent (f->api.root, FALSE);
}

/* ---- a full disk --------------------------------------------------------------------------- */

static void
mount_tmpfs (FaultFixture *f, const char *size)
{
  g_autofree char *options = g_strdup_printf ("size=%s,mode=0711", size);

  if (f->tmpfs == NULL)
    {
      f->tmpfs = g_strdup (f->api.root);
      if (mount ("tmpfs", f->tmpfs, "tmpfs", 0, options) != 0)
        g_error ("Cannot mount a tmpfs on %s: %s", f->tmpfs, g_strerror (errno));
    }
  else if (mount ("tmpfs", f->tmpfs, "tmpfs", MS_REMOUNT, options) != 0)
    g_error ("Cannot remount the tmpfs on %s: %s", f->tmpfs, g_strerror (errno));
}

static void
test_disk_full_pull (FaultFixture *f, gconstpointer data)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = NULL;

  if (!have_services ())
    return;
  /* room for the store's own files, not for busybox's 1 MB layer */
  mount_tmpfs (f, "600k");
  ref = hatake_test_registry_ref ("hatake/busybox:latest");
  engine = hatake_test_engine_new (f->api.root, NULL);
  image = hatake_test_pull (engine, ref, NULL, NULL, &error);
  faults_injected++;
  g_test_message ("pull on a full disk: %s", error ? error->message : "pulled");
  g_assert_null (image);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
  hatake_test_drop_engine (&engine, f->api.root);
  assert_consistent (f->api.root, FALSE);

  /* room made: the pull succeeds (resuming what it had) */
  mount_tmpfs (f, "64m");
  g_clear_error (&error);
  engine = hatake_test_engine_new (f->api.root, NULL);
  image = hatake_test_pull (engine, ref, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&image);
  hatake_test_drop_engine (&engine, f->api.root);
  assert_consistent (f->api.root, FALSE);
}

/* A container writing more logs than the disk holds. */
static void
test_disk_full_logging (FaultFixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *out = NULL;
  g_autofree char *state = NULL;
  g_autofree char *id = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *ballast = NULL;
  GStatBuf st;

  if (!have_services ())
    return;
  mount_tmpfs (f, "24m");
  ballast = g_build_filename (f->tmpfs, "ballast", NULL);
  {
    g_autofree char *bytes = g_malloc0 (4 * 1024 * 1024);

    g_assert_true (g_file_set_contents (ballast, bytes, 4 * 1024 * 1024, NULL));
  }
  fixture_start_server (&f->api);
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", image, NULL), ==, 0);
  g_assert_cmpint (docker (&f->api, NULL, NULL, "run", "-d", "--name", "faults-ticker", image,
                           "sh", "-c", "while :; do echo tick; sleep 0.2; done", NULL), ==, 0);
  /* 40 MB of lines, then a last word, and it stays */
  g_assert_cmpint (docker (&f->api, NULL, NULL, "run", "-d", "--name", "faults-filler", image,
                           "sh", "-c", "yes filling-the-disk | head -c 40000000; echo last-word; exec sleep 600",
                           NULL), ==, 0);
  faults_injected++;
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *df = NULL;

      if (docker (&f->api, &df, NULL, "logs", "--tail", "1", "faults-filler", NULL) == 0 && strstr (df, "last-word"))
        break;
      g_usleep (100 * 1000);
    }
  id = inspect (f, "faults-filler", "{{.Id}}");
  log_path = g_build_filename (f->api.root, "containers", id, "ctr.log", NULL);
  g_assert_cmpint (g_stat (log_path, &st), ==, 0);
  g_test_message ("the filler's log holds %" G_GOFFSET_FORMAT " bytes on a 24 MB disk", (goffset) st.st_size);

  /* the engine answers, the filler runs on, its logs read to their (cut) end */
  g_assert_cmpint (docker (&f->api, &out, NULL, "ps", "-q", NULL), ==, 0);
  state = inspect (f, "faults-filler", "{{.State.Status}}");
  g_assert_cmpstr (state, ==, "running");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (&f->api, &out, NULL, "logs", "--tail", "3", "faults-filler", NULL), ==, 0);
  /* the other container runs on */
  g_free (state);
  state = inspect (f, "faults-ticker", "{{.State.Status}}");
  g_assert_cmpstr (state, ==, "running");

  /* the filler goes while the disk is still full (conmon's exit file is not on it: the removal
   * hung when it was), within bounds, and nothing of it is left */
  {
    g_autofree char *dir = g_build_filename (f->api.root, "containers", id, NULL);
    GSubprocess *rm = spawn_docker (f, "rm", "-f", "faults-filler", NULL);
    int status = -1;
    gint64 took = wait_bounded (rm, 60, &status);

    g_test_message ("rm -f on the full disk: %d after %" G_GINT64_FORMAT " ms", status, took);
    g_assert_cmpint (took, >=, 0);
    g_assert_cmpint (status, ==, 0);
    g_assert_null (inspect (f, "faults-filler", "{{.State.Status}}"));
    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  }

  /* room made (the ballast goes): the ticker's lines are logged again */
  g_assert_cmpint (g_unlink (ballast), ==, 0);
  g_usleep (1500 * 1000);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (&f->api, &out, NULL, "logs", "--tail", "2", "faults-ticker", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "tick"));
  check_with_server_stopped (f, FALSE);
  fixture_start_server (&f->api);
}

/* ---- conmon or crun failing to start ------------------------------------------------------- */

static void
write_fake (FaultFixture *f, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (f->bin, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

/* A fake of each OCI runtime in f->bin (the engine may pick either, by the cgroup layout):
 * CASE_BRANCH is a shell case branch on each argument; anything else goes on to the real runtime. */
static void
write_fake_runtimes (FaultFixture *f, const char *case_branch)
{
  static const char * const runtimes[] = { "crun", "runc" };

  for (guint i = 0; i < G_N_ELEMENTS (runtimes); i++)
    {
      g_autofree char *sbin = g_build_filename ("/usr/sbin", runtimes[i], NULL);
      g_autofree char *real = g_find_program_in_path (runtimes[i]);
      g_autofree char *text = NULL;

      if (real == NULL && g_file_test (sbin, G_FILE_TEST_IS_EXECUTABLE))
        real = g_strdup (sbin);
      if (real == NULL)
        continue;
      text = g_strdup_printf ("#!/bin/sh\nfor a in \"$@\"; do case $a in %s esac; done\nexec %s \"$@\"\n",
                              case_branch, real);
      write_fake (f, runtimes[i], text);
    }
}

/* The server started with the fakes in f->bin ahead on its PATH (this process's PATH stays) */
static void
start_server_with_fakes (FaultFixture *f)
{
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *path = g_strconcat (f->bin, ":", old_path, NULL);

  g_setenv ("PATH", path, TRUE);
  fixture_start_server (&f->api);
  g_setenv ("PATH", old_path, TRUE);
}

static void
test_runtime_fails (FaultFixture *f, gconstpointer data)
{
  const char *program = data;
  g_autofree char *image = NULL;
  g_autofree char *err = NULL;
  g_autofree char *state = NULL;

  if (!have_services ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", image, NULL), ==, 0);
  g_assert_cmpint (docker (&f->api, NULL, NULL, "create", "--name", "faults-broken", image, "sleep", "600", NULL), ==, 0);
  fixture_stop_server (&f->api);

  f->bin = g_dir_make_tmp ("hatake-faults-bin-XXXXXX", NULL);
  if (g_str_equal (program, "conmon"))
    write_fake (f, "conmon", "#!/bin/sh\necho 'fake conmon: cannot start (injected fault)' >&2\nexit 1\n");
  else
    /* the OCI runtime fails to create the container; anything else goes to the real one */
    write_fake_runtimes (f, "create|run) echo \"fake ${0##*/}: cannot start (injected fault)\" >&2; exit 1;;");
  start_server_with_fakes (f);

  g_assert_cmpint (docker (&f->api, NULL, &err, "start", "faults-broken", NULL), !=, 0);
  faults_injected++;
  /* the start fails naming the program's own message */
  g_assert_nonnull (strstr (err, "injected fault"));
  state = inspect (f, "faults-broken", "{{.State.Status}}");
  g_test_message ("after a failed start the container is %s", state);
  /* as the design says: a start that fails leaves the container exited, the error recorded */
  g_assert_cmpstr (state, ==, "exited");
  check_with_server_stopped (f, FALSE);

  /* with the real one it starts */
  fixture_start_server (&f->api);
  g_assert_cmpint (docker (&f->api, NULL, NULL, "start", "faults-broken", NULL), ==, 0);
  g_free (state);
  state = inspect (f, "faults-broken", "{{.State.Status}}");
  g_assert_cmpstr (state, ==, "running");
  g_assert_cmpint (docker (&f->api, NULL, NULL, "rm", "-f", "faults-broken", NULL), ==, 0);
  check_with_server_stopped (f, FALSE);
  fixture_start_server (&f->api);
}

/* A restart's start waits for the delete of the stopped run's runtime state: with a slow
 * delete (a loaded machine's), the start's create ran first and failed ("container already
 * exists"), or the late delete removed the container just started. */
static void
test_runtime_slow_delete (FaultFixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *state = NULL;
  g_autofree char *runs = NULL;

  if (!have_services ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  fixture_stop_server (&f->api);
  f->bin = g_dir_make_tmp ("hatake-faults-bin-XXXXXX", NULL);
  write_fake_runtimes (f, "delete) sleep 1;;");
  start_server_with_fakes (f);

  g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", image, NULL), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "faults-restarted" : "faults-restarted-rm";

      /* (the second with --rm, which a restart keeps) */
      g_assert_cmpint (docker (&f->api, NULL, NULL, "run", "-d", "--name", name, i == 0 ? "--label=kept" : "--rm",
                               image, "sh", "-c", "echo run >> /runs; exec sleep 600", NULL), ==, 0);
      g_assert_cmpint (docker (&f->api, NULL, NULL, "restart", "-t", "0", name, NULL), ==, 0);
      faults_injected++;
      g_clear_pointer (&state, g_free);
      state = inspect (f, name, "{{.State.Status}}");
      g_assert_cmpstr (state, ==, "running");
      for (guint tries = 0; tries < 100; tries++)
        {
          g_clear_pointer (&runs, g_free);
          if (docker (&f->api, &runs, NULL, "exec", name, "cat", "/runs", NULL) == 0 && g_str_equal (runs, "run\nrun\n"))
            break;
          g_usleep (50 * 1000);
        }
      g_assert_cmpstr (runs, ==, "run\nrun\n");
      check_with_server_stopped (f, FALSE);
      start_server_with_fakes (f);
      g_clear_pointer (&state, g_free);
      state = inspect (f, name, "{{.State.Status}}");
      g_assert_cmpstr (state, ==, "running");
      g_assert_cmpint (docker (&f->api, NULL, NULL, "rm", "-f", name, NULL), ==, 0);
    }
}

/* A runtime state left by a run whose delete never came (a delete that failed, as here, or an
 * engine killed between the exit and the delete): the runtime's create refused every later start
 * of the container ("container already exists"), for good. */
static void
test_runtime_leftover (FaultFixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *flag = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *branch = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *state = NULL;

  if (!have_services ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  fixture_stop_server (&f->api);
  f->bin = g_dir_make_tmp ("hatake-faults-bin-XXXXXX", NULL);
  flag = g_build_filename (f->bin, "refuse-delete", NULL);
  refused = g_build_filename (f->bin, "refused", NULL);
  branch = g_strdup_printf ("delete) if [ -e %s ]; then echo refused >> %s; "
                            "echo \"fake ${0##*/}: delete refused (injected fault)\" >&2; exit 1; fi;;",
                            flag, refused);
  write_fake_runtimes (f, branch);
  start_server_with_fakes (f);

  g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", image, NULL), ==, 0);
  g_assert_true (g_file_set_contents (flag, "", 0, NULL));
  g_assert_cmpint (docker (&f->api, &out, NULL, "run", "--name", "faults-leftover", image, "echo", "ran", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "ran\n");
  /* (the delete follows the exit) */
  for (guint tries = 0; tries < 200 && !g_file_test (refused, G_FILE_TEST_EXISTS); tries++)
    g_usleep (50 * 1000);
  g_assert_true (g_file_test (refused, G_FILE_TEST_EXISTS));
  faults_injected++;
  g_assert_cmpint (g_unlink (flag), ==, 0);

  /* the state left is deleted before the create; the container runs again, attached */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (&f->api, &out, &err, "start", "-a", "faults-leftover", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "ran\n");
  state = inspect (f, "faults-leftover", "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}");
  g_assert_cmpstr (state, ==, "exited 0 0");
  check_with_server_stopped (f, FALSE);
  start_server_with_fakes (f);
  g_assert_cmpint (docker (&f->api, NULL, NULL, "rm", "faults-leftover", NULL), ==, 0);
}

/* ---- a container flooding its logs --------------------------------------------------------- */

static void
test_flood (FaultFixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *id = NULL;
  g_autofree char *id12 = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *out = NULL;
  gint64 rss_before, rss_after, slowest = 0;
  gint64 logged = 0;
  GStatBuf st;

  if (!have_services ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (&f->api, NULL, NULL, "pull", image, NULL), ==, 0);
  g_assert_cmpint (docker (&f->api, NULL, NULL, "ps", NULL), ==, 0);
  rss_before = vm_rss_kb (server_pid (f));
  g_assert_cmpint (docker (&f->api, NULL, NULL, "run", "-d", "--name", "faults-flood", image, "yes",
                           "flooding the logs with this line", NULL), ==, 0);
  faults_injected++;
  id = inspect (f, "faults-flood", "{{.Id}}");
  id12 = g_strndup (id, 12);
  log_path = g_build_filename (f->api.root, "containers", id, "ctr.log", NULL);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *ps = NULL;
      gint64 start = g_get_monotonic_time (), took;

      g_usleep (800 * 1000);
      start = g_get_monotonic_time ();
      g_assert_cmpint (docker (&f->api, &ps, NULL, "ps", "-q", NULL), ==, 0);
      took = (g_get_monotonic_time () - start) / 1000;
      slowest = MAX (slowest, took);
      g_assert_nonnull (strstr (ps, id12));
      if (g_stat (log_path, &st) == 0)
        logged = MAX (logged, st.st_size);
    }
  /* (conmon empties the log file when it reaches log-size-max and goes on writing, and a read
   * can end in the middle of a line conmon is writing: a tail read just then finds fewer lines
   * or a piece of one, so a few tries) */
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_auto(GStrv) lines = NULL;

      g_clear_pointer (&out, g_free);
      g_assert_cmpint (docker (&f->api, &out, NULL, "logs", "--tail", "5", "faults-flood", NULL), ==, 0);
      lines = g_strsplit (g_strstrip (out), "\n", -1);
      if ((g_strv_length (lines) == 5 && g_str_equal (lines[4], "flooding the logs with this line")) ||
          attempt == 19)
        {
          g_assert_cmpuint (g_strv_length (lines), ==, 5);
          g_assert_cmpstr (lines[4], ==, "flooding the logs with this line");
          break;
        }
      g_usleep (200 * 1000);
    }
  rss_after = vm_rss_kb (server_pid (f));
  g_test_message ("flood: log file up to %" G_GINT64_FORMAT " bytes; slowest `docker ps` %" G_GINT64_FORMAT
                  " ms; engine VmRSS %" G_GINT64_FORMAT " kB before, %" G_GINT64_FORMAT " kB after",
                  logged, slowest, rss_before, rss_after);
  g_assert_true (g_file_test (log_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (logged, >, 10 * 1024 * 1024);
  g_assert_cmpint (rss_after - rss_before, <, 100 * 1024);
  g_assert_cmpint (docker (&f->api, NULL, NULL, "rm", "-f", "faults-flood", NULL), ==, 0);
  check_with_server_stopped (f, FALSE);
  fixture_start_server (&f->api);
}

/* ---- counts --------------------------------------------------------------------------------- */

static void
test_counts (void)
{
  g_test_message ("%u faults injected, %u consistency checks passed", faults_injected, checks_passed);
  if (faults_injected > 0)
    g_assert_cmpuint (checks_passed, >=, faults_injected);
}

int
main (int argc, char **argv)
{
  static const RegistryFault registry_faults[] = {
    { "blob-500-once", 500, 1, FALSE, -1, TRUE },
    { "blob-500", 500, 1000, FALSE, -1, FALSE },
    { "blob-429-retry-after", 429, 2, FALSE, -1, TRUE },
    { "blob-429", 429, 1000, FALSE, -1, FALSE },
    { "manifest-500-once", 500, 1, TRUE, -1, TRUE },
    { "manifest-500", 500, 1000, TRUE, -1, FALSE },
    { "manifest-429-retry-after", 429, 1, TRUE, -1, TRUE },
    { "manifest-429", 429, 1000, TRUE, -1, FALSE },
    /* the first blob asked for (the config or the layer) is cut after 100 bytes */
    { "blob-dropped-mid-body", 0, 0, FALSE, 100, TRUE },
  };

  g_test_init (&argc, &argv, NULL);
  g_test_add ("/faults/kill/pull", FaultFixture, NULL, faults_set_up, test_kill_pull, faults_tear_down);
  g_test_add ("/faults/kill/unpack", FaultFixture, NULL, faults_set_up, test_kill_unpack, faults_tear_down);
  g_test_add ("/faults/kill/create", FaultFixture, GINT_TO_POINTER (10 + KILL_CREATE), faults_set_up,
              test_kill_operation, faults_tear_down);
  g_test_add ("/faults/kill/start", FaultFixture, GINT_TO_POINTER (10 + KILL_START), faults_set_up,
              test_kill_operation, faults_tear_down);
  g_test_add ("/faults/kill/compose-up", FaultFixture, GINT_TO_POINTER (10 + KILL_COMPOSE), faults_set_up,
              test_kill_operation, faults_tear_down);
  g_test_add ("/faults/kill/rm-force", FaultFixture, NULL, faults_set_up, test_kill_rm_force, faults_tear_down);
  g_test_add ("/faults/kill/saved-removing", FaultFixture, NULL, faults_set_up, test_saved_removing,
              faults_tear_down);
  g_test_add ("/faults/kill/rmi", FaultFixture, GINT_TO_POINTER (10 + KILL_RMI), faults_set_up,
              test_kill_operation, faults_tear_down);
  for (guint i = 0; i < G_N_ELEMENTS (registry_faults); i++)
    {
      g_autofree char *path = g_strconcat ("/faults/registry/", registry_faults[i].name, NULL);

      g_test_add (path, FaultFixture, &registry_faults[i], faults_set_up, test_registry_fault, faults_tear_down);
    }
  g_test_add ("/faults/disk-full/pull", FaultFixture, GINT_TO_POINTER (1), faults_set_up, test_disk_full_pull,
              faults_tear_down);
  g_test_add ("/faults/disk-full/logging", FaultFixture, GINT_TO_POINTER (1), faults_set_up,
              test_disk_full_logging, faults_tear_down);
  g_test_add ("/faults/runtime/crun", FaultFixture, "crun", faults_set_up, test_runtime_fails, faults_tear_down);
  g_test_add ("/faults/runtime/conmon", FaultFixture, "conmon", faults_set_up, test_runtime_fails,
              faults_tear_down);
  g_test_add ("/faults/runtime/leftover", FaultFixture, NULL, faults_set_up, test_runtime_leftover,
              faults_tear_down);
  g_test_add ("/faults/runtime/slow-delete", FaultFixture, NULL, faults_set_up, test_runtime_slow_delete,
              faults_tear_down);
  g_test_add ("/faults/flood/yes", FaultFixture, NULL, faults_set_up, test_flood, faults_tear_down);
  /* last: GTest runs a suite's cases, then its subsuites in the order they were added */
  g_test_add_func ("/faults/summary/counts", test_counts);
  return g_test_run ();
}
