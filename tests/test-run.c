/* test-run.c: real busybox containers through the local engine: conmon and the OCI runtime
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The runtime is the engine's choice for this machine unless HATAKE_TEST_RUNTIME names one
 * (the harness runs this file once per runtime).
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-test-utils.h"

typedef struct
{
  char         *root;
  HatakeEngine *engine;
  char         *image;
} Fixture;

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static HatakeConfig *
test_config (void)
{
  HatakeConfig *config = hatake_config_new_default ();
  const char *runtime = g_getenv ("HATAKE_TEST_RUNTIME");

  if (runtime != NULL && *runtime != '\0')
    {
      g_free (config->default_runtime);
      config->default_runtime = g_strdup (runtime);
    }
  return config;
}

static JsonNode *
op (Fixture *f, const char *id, HatakeContainerOp what, const HatakeContainerOpArgs *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_container_op_async (f->engine, id, what, args, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  return hatake_engine_container_op_finish (f->engine, result, error);
}

static HatakeContainerConfig *
config_for (Fixture *f, const char *const *cmd)
{
  HatakeContainerConfig *c = hatake_container_config_new ();

  c->image = g_strdup (f->image);
  c->cmd = g_strdupv ((char **) cmd);
  return c;
}

static HatakeContainer *
create (Fixture *f, HatakeContainerConfig *config)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HatakeContainer *c;

  hatake_engine_create_container_async (f->engine, config, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  c = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_CREATED);
  return c;
}

typedef struct
{
  GString *out;
  GString *err;
} Collected;

static void
collect (const HatakeLogEntry *entry, gpointer user_data)
{
  Collected *c = user_data;
  gsize length;
  const char *data = g_bytes_get_data (entry->content, &length);

  g_string_append_len (entry->stream == HATAKE_LOG_STDERR ? c->err : c->out, data, length);
}

static void
logs (Fixture *f, const char *id, gboolean follow, char **out, char **err)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;
  Collected c = { g_string_new (NULL), g_string_new (NULL) };

  options.follow = follow;
  hatake_engine_container_logs_async (f->engine, id, &options, collect, &c, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_true (hatake_engine_container_logs_finish (f->engine, result, &error));
  g_assert_no_error (error);
  *out = g_string_free (c.out, FALSE);
  if (err)
    *err = g_string_free (c.err, FALSE);
  else
    g_string_free (c.err, TRUE);
}

/* create + start + follow the logs + wait: the exit code */
static int
run (Fixture *f, HatakeContainerConfig *config, HatakeContainer **out_container, char **out, char **err)
{
  g_autoptr(HatakeContainer) c = create (f, config);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) waited = NULL;
  g_autoptr(GAsyncResult) wait_result = NULL;
  const char *id = hatake_container_get_id (c);

  started = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  /* waiting from before the exit, as docker's run does: an --rm container may be gone after */
  hatake_engine_container_op_async (f->engine, id, HATAKE_CONTAINER_OP_WAIT, NULL, NULL, store_result, &wait_result);
  if (out != NULL)
    logs (f, id, TRUE, out, err);
  hatake_test_run_until_done ((gpointer *) &wait_result);
  waited = hatake_engine_container_op_finish (f->engine, wait_result, &error);
  g_assert_no_error (error);
  if (out_container)
    *out_container = g_object_ref (c);
  return (int) json_object_get_int_member (json_node_get_object (waited), "StatusCode");
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeConfig) config = NULL;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  f->root = hatake_test_make_data_root ();
  config = test_config ();
  f->engine = hatake_test_engine_new (f->root, config);
  /* the runtime asked for is the one that runs, or the test says why not */
  if (g_getenv ("HATAKE_TEST_RUNTIME") != NULL &&
      hatake_local_engine_get_runtime_note (HATAKE_LOCAL_ENGINE (f->engine)) != NULL)
    {
      const char *note = hatake_local_engine_get_runtime_note (HATAKE_LOCAL_ENGINE (f->engine));
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        g_error ("%s is not usable here: %s", g_getenv ("HATAKE_TEST_RUNTIME"), note);
      g_test_skip_printf ("%s", note);
      g_clear_object (&f->engine);
      return;
    }
  f->image = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (f->engine, f->image, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->engine != NULL)
    {
      GListModel *containers = hatake_engine_get_containers (f->engine);
      HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE };

      /* nothing may outlive the test */
      while (g_list_model_get_n_items (containers) > 0)
        {
          g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, 0);
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_REMOVE, &args, &error);
          g_assert_no_error (error);
        }
      g_clear_object (&f->engine);
    }
  if (f->root != NULL)
    hatake_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->image);
}

#define SKIP_WITHOUT_ENGINE(f) if ((f)->engine == NULL) return

static void
test_echo (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "echo hello; echo oops >&2; exit 3", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int code;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  code = run (f, config, &c, &out, &err);
  g_assert_cmpint (code, ==, 3);
  g_assert_cmpstr (out, ==, "hello\n");
  g_assert_cmpstr (err, ==, "oops\n");
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 3);
  g_assert_cmpint (hatake_container_get_finished_at (c), >=, hatake_container_get_started_at (c));

  /* it ran on the runtime asked for */
  if (g_getenv ("HATAKE_TEST_RUNTIME") != NULL)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonNode) inspect = NULL;
      g_autoptr(GError) error = NULL;
      hatake_engine_inspect_container_async (f->engine, hatake_container_get_id (c), NULL, store_result, &result);
      hatake_test_run_until_done ((gpointer *) &result);
      inspect = hatake_engine_inspect_container_finish (f->engine, result, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                         json_node_get_object (inspect), "HostConfig"), "Runtime"), ==,
                       g_getenv ("HATAKE_TEST_RUNTIME"));
    }
}

/* docker's semantics inside: env merged over the image's, a working dir made, the user from the
 * container's own passwd, the hostname, the files under /etc provided. */
static void
test_process_settings (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c",
                        "echo $PATH; echo $FOO; pwd; id -u; id -g; hostname; cat /etc/hostname; "
                        "grep -c localhost /etc/hosts; test -s /etc/resolv.conf && echo resolv", NULL };
  const char *env[] = { "FOO=bar", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->env = g_strdupv ((char **) env);
  config->working_dir = g_strdup ("/made/for/you");
  config->user = g_strdup ("nobody");
  config->hostname = g_strdup ("hatake-box");
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 9);
  g_assert_nonnull (strstr (lines[0], "/bin"));
  g_assert_cmpstr (lines[1], ==, "bar");
  g_assert_cmpstr (lines[2], ==, "/made/for/you");
  g_assert_cmpstr (lines[3], ==, "65534");
  g_assert_cmpstr (lines[4], ==, "65534");
  g_assert_cmpstr (lines[5], ==, "hatake-box");
  g_assert_cmpstr (lines[6], ==, "hatake-box");
  g_assert_cmpint (atoi (lines[7]), >=, 1);
  g_assert_cmpstr (lines[8], ==, "resolv");
}

/* The entrypoint/cmd rules, seen from inside. */
static void
test_entrypoint (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "one", "two", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->entrypoint = g_strsplit ("echo entry", " ", -1);
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "entry one two\n");
}

/* busybox sleep as PID 1 ignores SIGTERM: stop waits its timeout, then SIGKILL: 137. */
static void
test_stop_kill (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sleep", "300", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs args = { .timeout = 1 };
  const char *id;
  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  c = create (f, config);
  id = hatake_container_get_id (c);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_RUNNING);
  g_assert_cmpint (hatake_container_get_pid (c), >, 0);
  g_assert_cmpint (kill (hatake_container_get_pid (c), 0), ==, 0);

  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_STOP, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
  /* SIGTERM was ignored, so SIGKILL after the grace period: 128 + 9 */
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 137);

  /* start again, then kill: 137 at once */
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_KILL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_WAIT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "StatusCode"), ==, 137);

  /* kill of an exited container is refused */
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_KILL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
}

/* stop sends the stop signal first: a process that handles it exits its own way. */
static void
test_stop_signal (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "trap 'exit 42' USR1; echo ready; while :; do sleep 0.1; done", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs args = { .timeout = 30 };

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->stop_signal = g_strdup ("SIGUSR1");
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  /* the trap is set once it printed */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *out = NULL;
      logs (f, hatake_container_get_id (c), FALSE, &out, NULL);
      if (g_str_equal (out, "ready\n"))
        break;
      g_usleep (20 * 1000);
    }
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_STOP, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 42);
}

static void
test_pause_and_remove (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sleep", "300", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs force = { .timeout = -1, .force = TRUE };
  g_autofree char *dir = NULL;
  const char *id;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  c = create (f, config);
  id = hatake_container_get_id (c);
  dir = g_build_filename (f->root, "containers", id, NULL);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);

  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_UNPAUSE, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
  g_clear_error (&error);

  node = op (f, id, HATAKE_CONTAINER_OP_PAUSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_PAUSED);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_UNPAUSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_RUNNING);

  /* a running container is not removed without force */
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_REMOVE, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));

  node = op (f, id, HATAKE_CONTAINER_OP_REMOVE, &force, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_REMOVED);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_null (hatake_engine_lookup_container (f->engine, id));

  /* and nothing can be done with it any more */
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
}

static void
test_auto_remove (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "true", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->auto_remove = TRUE;
  g_assert_cmpint (run (f, config, &c, NULL, NULL), ==, 0);
  for (guint i = 0; i < 5000 && hatake_container_get_state (c) != HATAKE_CONTAINER_REMOVED; i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_REMOVED);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_containers (f->engine)), ==, 0);
}

static void
test_restart_on_failure (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "echo run; exit 2", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *out = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->restart = HATAKE_RESTART_ON_FAILURE;
  config->restart_max = 2;
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  /* two restarts, then it stays exited */
  while (!(hatake_container_get_restart_count (c) == 2 &&
           hatake_container_get_state (c) == HATAKE_CONTAINER_EXITED) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (hatake_container_get_restart_count (c), ==, 2);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 2);
  logs (f, hatake_container_get_id (c), FALSE, &out, NULL);
  g_assert_cmpstr (out, ==, "run\nrun\nrun\n");
}

/* A missing command fails the start with docker's code and leaves the container exited. */
static void
test_start_failure (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "/no/such/program", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 127);
  g_assert_nonnull (hatake_container_get_error (c));
}

static gboolean
process_running (const char *cmdline,
                 gsize       length)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *file = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *text = NULL;
      gsize n = 0;

      if (g_ascii_isdigit (name[0]) && g_file_get_contents (file, &text, &n, NULL) &&
          n == length && memcmp (text, cmdline, length) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A netavark that never ends is killed after its timeout: the start fails saying so, nothing of
 * it is left running, and once netavark works the same container starts (the networks' lock and
 * the machine's netavark lock were let go). */
static void
test_netavark_hang (Fixture *f, gconstpointer data)
{
  static const char hung[] = "sleep\0" "599\0";
  const char *cmd[] = { "true", NULL };
  g_autofree char *bin = hatake_test_make_data_root ();
  g_autofree char *fake = g_build_filename (bin, "netavark", NULL);
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *path = g_strconcat (bin, ":", old_path, NULL);
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  SKIP_WITHOUT_ENGINE (f);
  g_assert_true (g_file_set_contents (fake, "#!/bin/sh\nexec sleep 599\n", -1, NULL));
  g_assert_cmpint (g_chmod (fake, 0755), ==, 0);
  config = config_for (f, cmd);
  g_free (config->network_mode);
  config->network_mode = g_strdup ("bridge");
  c = create (f, config);

  g_setenv ("HATAKE_NETAVARK_TIMEOUT", "1", TRUE);
  g_setenv ("PATH", path, TRUE);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  /* the cleanup's teardown (queued after the failed start) runs the hanging netavark too, with
   * the same bound: done before the real one and the default bound (60 s) are back, or its
   * "sleep 599" outlives the test and fails the next run's check below */
  {
    g_autoptr(GAsyncResult) settled = NULL;

    hatake_local_engine_settle_async (HATAKE_LOCAL_ENGINE (f->engine), NULL, store_result, &settled);
    while (settled == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (hatake_local_engine_settle_finish (HATAKE_LOCAL_ENGINE (f->engine), settled, NULL));
  }
  g_setenv ("PATH", old_path, TRUE);
  g_unsetenv ("HATAKE_NETAVARK_TIMEOUT");
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "netavark setup did not finish within 1 seconds"));
  g_assert_cmpint (hatake_container_get_state (c), !=, HATAKE_CONTAINER_RUNNING);
  /* nothing of the hanging netavark is left */
  for (guint i = 0; i < 150 && process_running (hung, sizeof hung - 1); i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  g_assert_false (process_running (hung, sizeof hung - 1));

  g_clear_error (&error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_WAIT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 0);
}

/* Sysctls of the container's own namespaces are set in it (the network's, IPC's) and leave the
 * host's alone; one of the host's (vm.*) or a net.* on the host's network is refused at create,
 * naming it, before anything exists. */
static void
test_sysctls (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContainer) refused = NULL;
  g_autofree char *out = NULL, *host_before = NULL, *host_after = NULL;
  guint n_before;

  SKIP_WITHOUT_ENGINE (f);
  g_assert_true (g_file_get_contents ("/proc/sys/net/ipv4/ip_unprivileged_port_start", &host_before, NULL, NULL));
  config = config_for (f, cmd);
  config->sysctls = g_strsplit ("net.ipv4.ip_unprivileged_port_start=99|kernel.shmmni=1234", "|", -1);
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "99\n1234\n");
  g_assert_true (g_file_get_contents ("/proc/sys/net/ipv4/ip_unprivileged_port_start", &host_after, NULL, NULL));
  g_assert_cmpstr (host_after, ==, host_before);

  n_before = g_list_model_get_n_items (hatake_engine_get_containers (f->engine));
  g_strfreev (config->sysctls);
  config->sysctls = g_strsplit ("vm.swappiness=10", "|", -1);
  hatake_engine_create_container_async (f->engine, config, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  refused = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "'vm.swappiness' is not allowed"));
  g_assert_null (refused);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_containers (f->engine)), ==, n_before);

  g_clear_error (&error);
  g_clear_object (&result);
  g_strfreev (config->sysctls);
  config->sysctls = g_strsplit ("net.ipv4.ip_forward=0", "|", -1);
  g_free (config->network_mode);
  config->network_mode = g_strdup ("host");
  hatake_engine_create_container_async (f->engine, config, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  refused = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "host's network"));
}

/* The root can be read-only; a bind mount can be read-only; a tmpfs is writable. */
static void
test_filesystems (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c",
                        "touch /x 2>/dev/null && echo root-rw || echo root-ro; "
                        "cat /data/file; touch /data/new 2>/dev/null && echo bind-rw || echo bind-ro; "
                        "touch /scratch/y && echo tmpfs-rw", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *host = hatake_test_make_data_root ();
  g_autofree char *file = g_build_filename (host, "file", NULL);
  g_autofree char *created = g_build_filename (host, "new", NULL);

  SKIP_WITHOUT_ENGINE (f);
  g_assert_true (g_file_set_contents (file, "from the host\n", -1, NULL));
  config = config_for (f, cmd);
  config->read_only = TRUE;
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_BIND, host, "/data", TRUE);
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, "/scratch", FALSE);
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "root-ro\nfrom the host\nbind-ro\ntmpfs-rw\n");
  g_assert_false (g_file_test (created, G_FILE_TEST_EXISTS));
  hatake_test_remove_tree (host);
}

/* The engine leaks no descriptor into the container: only stdio is open in it. */
static void
test_no_fd_leak (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "ls /proc/self/fd | sort -n | tr '\\n' ' '", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  /* 0 1 2, and ls's own directory descriptor */
  g_assert_cmpstr (out, ==, "0 1 2 3 ");
}

static void
test_names (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "true", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainerConfig) again = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContainer) none = NULL;
  g_autoptr(HatakeContainer) found = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->name = g_strdup ("web");
  c = create (f, config);
  g_assert_cmpstr (hatake_container_get_name (c), ==, "web");
  found = hatake_engine_lookup_container (f->engine, "/web");
  g_assert_true (found == c);

  again = config_for (f, cmd);
  again->name = g_strdup ("web");
  hatake_engine_create_container_async (f->engine, again, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  none = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT);
  g_assert_null (none);
}

/* exec runs inside with the container's settings, its exit code and exec's overrides; top sees
 * the container's processes. Output goes to this process's stdout: check it through a file in a
 * bind mount instead. */
static void
test_exec_top (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sleep", "300", NULL };
  const char *exec_cmd[] = { "sh", "-c", "echo $A $(id -u) $(pwd) > /out/result; exit 7", NULL };
  const char *env[] = { "A=from-exec", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) top_result = NULL;
  g_autoptr(JsonNode) top = NULL;
  g_autofree char *host = hatake_test_make_data_root ();
  g_autofree char *file = g_build_filename (host, "result", NULL);
  g_autofree char *contents = NULL;
  HatakeExecOptions options = { 0 };
  JsonArray *processes;
  int code;

  SKIP_WITHOUT_ENGINE (f);
  g_assert_cmpint (g_chmod (host, 0777), ==, 0);  /* exec runs as nobody */
  config = config_for (f, cmd);
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_BIND, host, "/out", FALSE);
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);

  options.argv = (GStrv) exec_cmd;
  options.env = (GStrv) env;
  options.user = (char *) "nobody";
  options.working_dir = (char *) "/tmp";
  hatake_engine_exec_async (f->engine, hatake_container_get_id (c), &options, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  code = hatake_engine_exec_finish (f->engine, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (code, ==, 7);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "from-exec 65534 /tmp\n");

  hatake_engine_top_async (f->engine, hatake_container_get_id (c), NULL, store_result, &top_result);
  hatake_test_run_until_done ((gpointer *) &top_result);
  top = hatake_engine_top_finish (f->engine, top_result, &error);
  g_assert_no_error (error);
  processes = json_object_get_array_member (json_node_get_object (top), "Processes");
  g_assert_cmpuint (json_array_get_length (processes), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (processes, 0), 7), ==, "sleep 300");
  hatake_test_remove_tree (host);
}

static JsonNode *
volume_op (Fixture *f, HatakeVolumeOp what, const HatakeVolumeOpArgs *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_volume_op_async (f->engine, what, args, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  return hatake_engine_volume_op_finish (f->engine, result, error);
}

/* A named volume outlives its containers; a new one is filled from the image (copy-up); one in
 * use cannot be removed; rm -v drops anonymous volumes. */
static void
test_volumes (Fixture *f, gconstpointer data)
{
  const char *write_cmd[] = { "sh", "-c", "echo kept > /data/file; ls /etc/passwd", NULL };
  const char *read_cmd[] = { "cat", "/data/file", NULL };
  const char *copy_cmd[] = { "sh", "-c", "grep -c root /etc/passwd", NULL };
  g_autoptr(HatakeContainerConfig) writer = NULL;
  g_autoptr(HatakeContainerConfig) reader = NULL;
  g_autoptr(HatakeContainerConfig) copier = NULL;
  g_autoptr(HatakeContainer) copy_container = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *out = NULL;
  g_autofree char *copied = NULL;
  HatakeVolumeOpArgs named = { .name = "store" };
  HatakeVolumeOpArgs none = { 0 };
  HatakeContainerOpArgs remove_volumes = { .timeout = -1, .volumes = TRUE };
  const char *volume_dir;

  SKIP_WITHOUT_ENGINE (f);
  writer = config_for (f, write_cmd);
  hatake_container_config_add_mount (writer, HATAKE_CONTAINER_MOUNT_VOLUME, "store", "/data", FALSE);
  writer->auto_remove = TRUE;
  g_assert_cmpint (run (f, writer, NULL, &out, NULL), ==, 0);
  g_clear_pointer (&out, g_free);

  reader = config_for (f, read_cmd);
  hatake_container_config_add_mount (reader, HATAKE_CONTAINER_MOUNT_VOLUME, "store", "/data", TRUE);
  reader->name = g_strdup ("reader");
  g_assert_cmpint (run (f, reader, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "kept\n");

  /* in use by "reader": refused, and still there */
  node = volume_op (f, HATAKE_VOLUME_OP_REMOVE, &named, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "reader"));
  g_clear_error (&error);
  node = volume_op (f, HATAKE_VOLUME_OP_INSPECT, &named, &error);
  g_assert_no_error (error);
  volume_dir = json_object_get_string_member (json_node_get_object (node), "Mountpoint");
  g_assert_true (g_str_has_prefix (volume_dir, f->root));
  g_clear_pointer (&node, json_node_unref);

  /* copy-up: an anonymous volume over /etc starts with the image's /etc */
  copier = config_for (f, copy_cmd);
  hatake_container_config_add_mount (copier, HATAKE_CONTAINER_MOUNT_VOLUME, NULL, "/etc", FALSE);
  g_assert_cmpint (run (f, copier, &copy_container, &copied, NULL), ==, 0);
  g_assert_cmpint (atoi (copied), >=, 1);
  list = volume_op (f, HATAKE_VOLUME_OP_LIST, &none, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (list), "Volumes")), ==, 2);
  g_clear_pointer (&list, json_node_unref);

  /* rm -v takes the anonymous volume with it, not the named one */
  node = op (f, hatake_container_get_id (copy_container), HATAKE_CONTAINER_OP_REMOVE, &remove_volumes, &error);
  g_assert_no_error (error);
  list = volume_op (f, HATAKE_VOLUME_OP_LIST, &none, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (list), "Volumes")), ==, 1);
}

/* Security: an image whose /etc/passwd, working directory and declared volume are symlinks to
 * host paths reads and writes only inside its root; a volume declared outside the root is
 * refused before anything exists. Each check fails if our openat2 resolution is removed. */
static void
test_hostile_paths (Fixture *f, gconstpointer data)
{
  const char *dirs[] = { "/tmp/hatake-escape-workdir", "/tmp/hatake-escape-vol" };
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeImage) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContainerConfig) as_nobody = NULL;
  g_autoptr(HatakeContainerConfig) as_root = NULL;
  g_autoptr(HatakeContainerConfig) volume_outside = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(HatakeContainer) none = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *bad_ref = NULL;
  g_autofree char *out = NULL;
  JsonArray *escapes;

  SKIP_WITHOUT_ENGINE (f);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      hatake_test_remove_tree (dirs[i]);
      g_assert_cmpint (g_mkdir_with_parents (dirs[i], 0755), ==, 0);
    }
  ref = hatake_test_registry_ref ("hatake/evil-paths:latest");
  image = hatake_test_pull (f->engine, ref, NULL, NULL, &error);
  g_assert_no_error (error);

  /* "nobody" is looked up in the container's /etc/shadow (where its passwd link points, inside
   * the root), which has no such user: never in the host's /etc/shadow or passwd */
  as_nobody = hatake_container_config_new ();
  as_nobody->image = g_strdup (ref);
  as_nobody->user = g_strdup ("nobody");
  c = create (f, as_nobody);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nobody"));
  g_clear_error (&error);

  /* as root: the working dir and the volume land inside the root */
  as_root = hatake_container_config_new ();
  as_root->image = g_strdup (ref);
  g_assert_cmpint (run (f, as_root, NULL, &out, NULL), ==, 0);
  /* inside, the link's target (a path of the container's own) is where it works */
  g_assert_cmpstr (out, ==, "/tmp/hatake-escape-workdir/sub\n");
  escapes = json_object_get_array_member (hatake_test_fixture ("hatake/evil-paths:latest"), "escape_paths");
  for (guint i = 0; i < json_array_get_length (escapes); i++)
    g_assert_false (g_file_test (json_array_get_string_element (escapes, i), G_FILE_TEST_EXISTS));

  /* a declared volume outside the root: refused at create, nothing made */
  bad_ref = hatake_test_registry_ref ("hatake/evil-volume:latest");
  bad = hatake_test_pull (f->engine, bad_ref, NULL, NULL, &error);
  g_assert_no_error (error);
  volume_outside = hatake_container_config_new ();
  volume_outside->image = g_strdup (bad_ref);
  hatake_engine_create_container_async (f->engine, volume_outside, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  none = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER);
  g_assert_null (none);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_containers (f->engine)), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    hatake_test_remove_tree (dirs[i]);
}

/* Capabilities, rlimits, masked and read-only /proc paths, seccomp: exactly what was asked. */
static void
test_confinement (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c",
                        "grep CapEff /proc/self/status | cut -f2; ulimit -n; "
                        "grep Seccomp: /proc/self/status | cut -f2; "
                        "cat /proc/timer_list 2>/dev/null | wc -c; "
                        "(echo x > /proc/sys/kernel/domainname) 2>/dev/null && echo sys-rw || echo sys-ro", NULL };
  const char *drop_all[] = { "ALL", NULL };
  const char *add_net[] = { "NET_ADMIN", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(HatakeContainerConfig) dropped = NULL;
  g_autoptr(HatakeContainerConfig) added = NULL;
  g_autofree char *out = NULL, *out_dropped = NULL, *out_added = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *nofile = NULL;
  struct rlimit limit;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  g_assert_cmpint (run (f, config, &container, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  /* docker's 14 default capabilities */
  g_assert_cmpstr (lines[0], ==, "00000000a80425fb");
  /* never more open files than the engine itself may have */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  nofile = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) MIN (limit.rlim_max, 1048576));
  g_assert_cmpstr (lines[1], ==, nofile);
  g_assert_cmpstr (lines[2], ==, "2");
  g_assert_cmpstr (lines[3], ==, "0");
  g_assert_cmpstr (lines[4], ==, "sys-ro");
  if (g_strcmp0 (g_getenv ("HATAKE_TEST_RUNTIME"), "crun") == 0)
    {
      /* crun gets the program compiled once (test-seccomp checks it is the one crun would
       * compile), kept in the data root for the next container with this profile */
      g_autofree char *spec_path = g_build_filename (f->root, "containers", hatake_container_get_id (container),
                                                     "bundle", "config.json", NULL);
      g_autofree char *cache = g_build_filename (f->root, "cache", "seccomp", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree guchar *program = NULL;
      g_autofree char *cached = NULL;
      const char *encoded, *name;
      gsize len, cached_len;

      json_parser_load_from_file (parser, spec_path, &error);
      g_assert_no_error (error);
      encoded = json_object_get_string_member (json_object_get_object_member (
                  json_node_get_object (json_parser_get_root (parser)), "annotations"), "run.oci.seccomp_bpf_data");
      g_assert_nonnull (encoded);
      program = g_base64_decode (encoded, &len);
      dir = g_dir_open (cache, 0, &error);
      g_assert_no_error (error);
      name = g_dir_read_name (dir);
      g_assert_nonnull (name);
      g_assert_null (g_dir_read_name (dir));
      {
        g_autofree char *path = g_build_filename (cache, name, NULL);

        g_assert_true (g_file_get_contents (path, &cached, &cached_len, &error));
      }
      g_assert_cmpmem (program, len, cached, cached_len);
    }

  dropped = config_for (f, cmd);
  dropped->cap_drop = g_strdupv ((char **) drop_all);
  g_assert_cmpint (run (f, dropped, NULL, &out_dropped, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out_dropped, "0000000000000000\n"));

  added = config_for (f, cmd);
  added->cap_add = g_strdupv ((char **) add_net);
  g_assert_cmpint (run (f, added, NULL, &out_added, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out_added, "00000000a80435fb\n"));
}

/* --privileged: every capability the engine has, no more (root here lacks CAP_SYS_RESOURCE in
 * its bounding set; asking crun for all 41 failed with "capset: Operation not permitted"). */
static void
test_privileged (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "grep CapEff /proc/self/status | cut -f2", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *status = NULL;
  g_autofree char *want = NULL;
  const char *bnd;
  guint64 engine_caps;

  SKIP_WITHOUT_ENGINE (f);
  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  bnd = strstr (status, "CapBnd:");
  g_assert_nonnull (bnd);
  engine_caps = g_ascii_strtoull (bnd + strlen ("CapBnd:"), NULL, 16) & ((G_GUINT64_CONSTANT (1) << 41) - 1);
  want = g_strdup_printf ("%016" G_GINT64_MODIFIER "x\n", engine_caps);
  config = config_for (f, cmd);
  config->privileged = TRUE;
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, want);
}

static JsonNode *
network_op (Fixture *f, HatakeNetworkOp what, const HatakeNetworkOpArgs *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_network_op_async (f->engine, what, args, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  return hatake_engine_network_op_finish (f->engine, result, error);
}

static guint16
free_tcp_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) any = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
tcp_port_free (guint16 port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, port);

  return g_socket_bind (socket, address, FALSE, NULL);
}

/* What an HTTP GET of PATH on 127.0.0.1:PORT answers (the body), or NULL: connecting with
 * TIMEOUT seconds an attempt, ATTEMPTS times. */
static char *
http_get_full (guint16 port, const char *path, guint timeout, guint attempts)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
  g_autoptr(GString) response = g_string_new (NULL);
  char buf[4096];
  gssize n;
  const char *body;

  g_socket_client_set_timeout (client, timeout);
  for (guint attempt = 0; connection == NULL && attempt < attempts; attempt++)
    {
      connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
      if (connection == NULL)
        g_usleep (100000);
    }
  if (connection == NULL ||
      !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                  strlen (request), NULL, NULL, NULL))
    return NULL;
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buf, sizeof buf,
                                   NULL, NULL)) > 0)
    g_string_append_len (response, buf, n);
  body = strstr (response->str, "\r\n\r\n");
  return body ? g_strdup (body + 4) : NULL;
}

static char *
http_get (guint16 port, const char *path)
{
  return http_get_full (port, path, 5, 50);
}

static gboolean
answer_http (GThreadedSocketService *service,
             GSocketConnection      *connection,
             GObject                *source,
             gpointer                user_data)
{
  const char *reply = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhost\n";
  char buf[1024];

  g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buf, sizeof buf, NULL, NULL);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), reply, strlen (reply),
                             NULL, NULL, NULL);
  return TRUE;
}

/* --internal: no route out. A container on a normal network reaches a server on the host's own
 * address; one on an internal network does not. */
static void
test_internal_network (Fixture *f, gconstpointer data)
{
  g_autofree char *inside = g_strdup_printf ("hk-int-%d", getpid ());
  g_autofree char *outside = g_strdup_printf ("hk-ext-%d", getpid ());
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autofree char *host_text = NULL, *probe = NULL;
  HatakeNetworkOpArgs args = { 0 };
  guint16 port;

  SKIP_WITHOUT_ENGINE (f);
  /* the host's first IPv4 address that is not one of our bridges' */
  {
    g_autofree char *out = NULL;
    g_auto(GStrv) words = NULL;

    g_assert_true (g_spawn_command_line_sync ("hostname -I", &out, NULL, NULL, NULL));
    words = g_strsplit (g_strstrip (out), " ", -1);
    for (guint i = 0; words[i] != NULL && host_text == NULL; i++)
      if (strchr (words[i], '.') != NULL && !g_str_has_prefix (words[i], "10.90.") && !g_str_has_prefix (words[i], "10.91."))
        host_text = g_strdup (words[i]);
    g_assert_nonnull (host_text);
  }
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (answer_http), NULL);
  g_socket_service_start (service);

  args.name = inside;
  args.internal = TRUE;
  a = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (a), "Internal"));
  args.name = outside;
  args.internal = FALSE;
  b = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);

  probe = g_strdup_printf ("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 %s %u | tail -1; true", host_text, port);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HatakeContainerConfig) config = config_for (f, (const char *[]) { "sh", "-c", probe, NULL });
      g_autofree char *out = NULL, *err = NULL;

      g_free (config->network_mode);
      config->network_mode = g_strdup (i == 0 ? outside : inside);
      g_assert_cmpint (run (f, config, NULL, &out, &err), ==, 0);
      g_assert_cmpstr (out, ==, i == 0 ? "host\n" : "");
    }
  g_socket_service_stop (service);
  args.name = inside;
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
  args.name = outside;
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
}

/* User networks: DNS by name and alias inside one, isolation between two, a published port
 * reachable from the host, and nothing left behind. */
static void
test_networks (Fixture *f, gconstpointer data)
{
  const char *serve[] = { "busybox", "httpd", "-f", "-p", "80", "-h", "/etc", NULL };
  const char *serve_two[] = { "sh", "-c", "busybox httpd -p 81 -h /etc && exec busybox httpd -f -p 80 -h /etc", NULL };
  const char *aliases[] = { "svc", NULL };
  g_autofree char *net_a = g_strdup_printf ("hk-test-a-%d", getpid ());
  g_autofree char *net_b = g_strdup_printf ("hk-test-b-%d", getpid ());
  g_autofree char *publish = NULL;
  g_autofree char *ask_by_alias = NULL;
  g_autofree char *ask_other = NULL;
  g_autofree char *served = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *server_ip = NULL;
  g_autofree char *interface = NULL;
  g_autofree char *netns = NULL;
  g_autoptr(HatakeContainerConfig) server_config = NULL;
  g_autoptr(HatakeContainerConfig) client_config = NULL;
  g_autoptr(HatakeContainerConfig) outsider_config = NULL;
  g_autoptr(HatakeContainer) server = NULL;
  g_autoptr(JsonNode) created_a = NULL, created_b = NULL, inspected = NULL, started = NULL, removed = NULL;
  g_autoptr(GError) error = NULL;
  HatakeNetworkOpArgs args = { 0 };
  JsonObject *containers;
  guint16 port;

  SKIP_WITHOUT_ENGINE (f);
  args.name = net_a;
  created_a = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  args.name = net_b;
  created_b = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  /* the second one got another subnet */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (
                     json_object_get_object_member (json_node_get_object (created_a), "IPAM"), "Config"), 0), "Subnet"), !=,
                   json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (
                     json_object_get_object_member (json_node_get_object (created_b), "IPAM"), "Config"), 0), "Subnet"));
  /* a name taken */
  args.name = net_a;
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* a web server on A on two ports, published on the host as a range */
  do
    port = free_tcp_port ();
  while (port == 65535 || !tcp_port_free (port + 1));
  publish = g_strdup_printf ("127.0.0.1:%u-%u:80-81", port, port + 1);
  server_config = config_for (f, serve_two);
  server_config->name = g_strdup_printf ("srv-%d", getpid ());
  server_config->hostname = g_strdup ("webhost");
  g_free (server_config->network_mode);
  server_config->network_mode = g_strdup (net_a);
  g_ptr_array_add (server_config->networks, hatake_network_endpoint_new (net_a, aliases, NULL));
  server_config->publish = g_strdupv ((char *[]) { publish, NULL });
  server = create (f, server_config);
  started = op (f, hatake_container_get_id (server), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);

  /* from the host, through the published ports */
  served = http_get (port, "/hostname");
  g_assert_cmpstr (served, ==, "webhost\n");
  g_clear_pointer (&served, g_free);
  served = http_get (port + 1, "/hostname");
  g_assert_cmpstr (served, ==, "webhost\n");

  /* the same port again, and one something on the host listens on: refused before the start */
  {
    g_autoptr(HatakeContainerConfig) twin_config = config_for (f, serve);
    g_autoptr(HatakeContainerConfig) host_config = config_for (f, serve);
    g_autoptr(HatakeContainer) twin = NULL, host_clash = NULL;
    g_autoptr(JsonNode) nothing = NULL, gone = NULL;
    g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = NULL;
    g_autofree char *busy = NULL;
    guint16 taken = free_tcp_port ();

    g_free (twin_config->network_mode);
    twin_config->network_mode = g_strdup (net_b);
    twin_config->publish = g_strdupv ((char *[]) { publish, NULL });
    twin = create (f, twin_config);
    nothing = op (f, hatake_container_get_id (twin), HATAKE_CONTAINER_OP_START, NULL, &error);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "port is already allocated"));
    g_assert_nonnull (strstr (error->message, server_config->name));
    g_clear_error (&error);

    address = g_inet_socket_address_new (any, taken);
    g_assert_true (g_socket_bind (listener, address, TRUE, NULL));
    g_assert_true (g_socket_listen (listener, NULL));
    busy = g_strdup_printf ("%u:80", taken);
    g_free (host_config->network_mode);
    host_config->network_mode = g_strdup (net_b);
    host_config->publish = g_strdupv ((char *[]) { busy, NULL });
    host_clash = create (f, host_config);
    g_clear_pointer (&nothing, json_node_unref);
    nothing = op (f, hatake_container_get_id (host_clash), HATAKE_CONTAINER_OP_START, NULL, &error);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "port is already allocated"));
    g_clear_error (&error);
    /* nothing of theirs stayed on B */
    {
      HatakeNetworkOpArgs b_args = { .name = net_b };
      g_autoptr(JsonNode) b = network_op (f, HATAKE_NETWORK_OP_INSPECT, &b_args, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (json_object_get_size (json_object_get_object_member (json_node_get_object (b), "Containers")), ==, 0);
    }
    gone = op (f, hatake_container_get_id (twin), HATAKE_CONTAINER_OP_REMOVE, &(HatakeContainerOpArgs) { .force = TRUE }, &error);
    g_assert_no_error (error);
    g_clear_pointer (&gone, json_node_unref);
    gone = op (f, hatake_container_get_id (host_clash), HATAKE_CONTAINER_OP_REMOVE, &(HatakeContainerOpArgs) { .force = TRUE }, &error);
    g_assert_no_error (error);
  }

  args.name = net_a;
  inspected = network_op (f, HATAKE_NETWORK_OP_INSPECT, &args, &error);
  g_assert_no_error (error);
  containers = json_object_get_object_member (json_node_get_object (inspected), "Containers");
  g_assert_true (json_object_has_member (containers, hatake_container_get_id (server)));
  server_ip = g_strdup (json_object_get_string_member (json_object_get_object_member (
                          containers, hatake_container_get_id (server)), "IPv4Address"));
  *strchr (server_ip, '/') = '\0';
  interface = g_strdup (json_object_get_string_member (json_object_get_object_member (
                          json_node_get_object (inspected), "Options"), "com.docker.network.bridge.name"));

  /* in use: not removed */
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, server_config->name));
  g_clear_error (&error);

  /* on A, by alias and by name */
  ask_by_alias = g_strdup_printf ("wget -q -O - http://svc/hostname && wget -q -O - http://%s/hostname",
                                  server_config->name);
  client_config = config_for (f, (const char *[]) { "sh", "-c", ask_by_alias, NULL });
  g_free (client_config->network_mode);
  client_config->network_mode = g_strdup (net_a);
  g_assert_cmpint (run (f, client_config, NULL, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "webhost\nwebhost\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* from B: no name, no route */
  ask_other = g_strdup_printf ("nslookup svc >/dev/null 2>&1 && echo resolved; "
                               "wget -q -T 2 -O - http://%s/hostname || echo unreachable", server_ip);
  outsider_config = config_for (f, (const char *[]) { "sh", "-c", ask_other, NULL });
  g_free (outsider_config->network_mode);
  outsider_config->network_mode = g_strdup (net_b);
  g_assert_cmpint (run (f, outsider_config, NULL, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "unreachable\n");

  /* removed: its namespace, its address and the port's rules go; then the network can go */
  netns = g_build_filename ("/run/hatake", NULL);
  removed = op (f, hatake_container_get_id (server), HATAKE_CONTAINER_OP_REMOVE,
                &(HatakeContainerOpArgs) { .timeout = 1, .force = TRUE }, &error);
  g_assert_no_error (error);
  g_clear_pointer (&served, g_free);
  served = http_get (port, "/hostname");
  g_assert_null (served);
  g_clear_pointer (&inspected, json_node_unref);
  inspected = network_op (f, HATAKE_NETWORK_OP_INSPECT, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (json_node_get_object (inspected),
                                                                         "Containers")), ==, 0);
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
  args.name = net_b;
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
  {
    g_autofree char *sys = g_build_filename ("/sys/class/net", interface, NULL);

    g_assert_false (g_file_test (sys, G_FILE_TEST_EXISTS));
  }
}

/* The address of NAME on NETWORK, as the network lists it (no prefix). */
static char *
address_on (Fixture *f, const char *network, HatakeContainer *container)
{
  HatakeNetworkOpArgs args = { .name = network };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) inspected = network_op (f, HATAKE_NETWORK_OP_INSPECT, &args, &error);
  JsonObject *containers;
  char *ip;

  g_assert_no_error (error);
  containers = json_object_get_object_member (json_node_get_object (inspected), "Containers");
  ip = g_strdup (json_object_get_string_member (json_object_get_object_member (
                   containers, hatake_container_get_id (container)), "IPv4Address"));
  *strchr (ip, '/') = '\0';
  return ip;
}

/* A container made again at once, on the address of one just removed, answers on its published
 * port at once: its MAC follows from its address (docker's 02:42:…), so the host's neighbour
 * entry for the address stays right (with a random MAC it pointed at the old one for ~30 s). */
static void
test_published_again (Fixture *f, gconstpointer data)
{
  const char *serve[] = { "busybox", "httpd", "-f", "-p", "80", "-h", "/etc", NULL };
  g_autofree char *net = g_strdup_printf ("hk-test-again-%d", getpid ());
  g_autofree char *publish = NULL, *first_ip = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) created = NULL, gone = NULL, stayed = NULL;
  g_autoptr(HatakeContainer) stay = NULL;
  HatakeNetworkOpArgs args = { .name = net };
  guint16 port;

  SKIP_WITHOUT_ENGINE (f);
  created = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  /* one that stays keeps the network's bridge (and the host's neighbour entries on it) up, as
   * the default network's own endpoint does */
  {
    g_autoptr(HatakeContainerConfig) config = config_for (f, (const char *[]) { "sleep", "600", NULL });
    g_autoptr(JsonNode) started = NULL;

    config->name = g_strdup_printf ("again-stay-%d", getpid ());
    g_free (config->network_mode);
    config->network_mode = g_strdup (net);
    stay = create (f, config);
    started = op (f, hatake_container_get_id (stay), HATAKE_CONTAINER_OP_START, NULL, &error);
    g_assert_no_error (error);
  }
  port = free_tcp_port ();
  publish = g_strdup_printf ("127.0.0.1:%u:80", port);
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(HatakeContainerConfig) config = config_for (f, serve);
      g_autoptr(HatakeContainer) server = NULL;
      g_autoptr(JsonNode) started = NULL, removed = NULL;
      g_autofree char *served = NULL, *ip = NULL;

      config->name = g_strdup_printf ("again-%u-%d", round, getpid ());
      config->hostname = g_strdup_printf ("round%u", round);
      g_free (config->network_mode);
      config->network_mode = g_strdup (net);
      config->publish = g_strdupv ((char *[]) { publish, NULL });
      server = create (f, config);
      started = op (f, hatake_container_get_id (server), HATAKE_CONTAINER_OP_START, NULL, &error);
      g_assert_no_error (error);
      ip = address_on (f, net, server);
      /* docker's MAC, from the address */
      {
        g_autoptr(GAsyncResult) result = NULL;
        g_autoptr(JsonNode) inspected = NULL;
        JsonObject *settings;
        guint a, b, c, d;
        g_autofree char *mac = NULL;

        hatake_engine_inspect_container_async (f->engine, hatake_container_get_id (server), NULL, store_result, &result);
        hatake_test_run_until_done ((gpointer *) &result);
        inspected = hatake_engine_inspect_container_finish (f->engine, result, &error);
        g_assert_no_error (error);
        settings = json_object_get_object_member (json_node_get_object (inspected), "NetworkSettings");
        g_assert_cmpint (sscanf (ip, "%u.%u.%u.%u", &a, &b, &c, &d), ==, 4);
        mac = g_strdup_printf ("02:42:%02x:%02x:%02x:%02x", a, b, c, d);
        g_assert_cmpstr (json_object_get_string_member (settings, "MacAddress"), ==, mac);
        g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                           json_object_get_object_member (settings, "Networks"), net), "MacAddress"), ==, mac);
      }
      if (round == 0)
        {
          served = http_get (port, "/hostname");
          first_ip = g_strdup (ip);
        }
      else
        {
          /* the same address again, answering within a few seconds (1 s an attempt) */
          g_assert_cmpstr (ip, ==, first_ip);
          served = http_get_full (port, "/hostname", 1, 3);
        }
      g_assert_cmpstr (served, ==, round == 0 ? "round0\n" : "round1\n");
      removed = op (f, hatake_container_get_id (server), HATAKE_CONTAINER_OP_REMOVE,
                    &(HatakeContainerOpArgs) { .timeout = 1, .force = TRUE }, &error);
      g_assert_no_error (error);
    }
  stayed = op (f, hatake_container_get_id (stay), HATAKE_CONTAINER_OP_REMOVE,
               &(HatakeContainerOpArgs) { .timeout = 0, .force = TRUE }, &error);
  g_assert_no_error (error);
  gone = network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error);
  g_assert_no_error (error);
}

/* --init runs tini as PID 1; the command is its child. */
static void
test_init (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_ENGINE (f);
  if (!g_file_test ("/usr/bin/tini-static", G_FILE_TEST_EXISTS))
    {
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        g_error ("tini-static is missing: build-aux/install-deps.sh installs it");
      g_test_skip ("tini-static is not installed");
      return;
    }
  config = config_for (f, cmd);
  config->init = TRUE;
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "/sbin/docker-init -- sh -c"));
}

/* A memory limit holds: a process over it is killed (137) and reported as OOM-killed. */
static void
test_oom (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->memory = 16 * 1024 * 1024;
  g_assert_cmpint (run (f, config, &c, &out, NULL), ==, 137);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (hatake_container_get_oom_killed (c));
}

static JsonNode *
stats (Fixture *f, const char *id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  hatake_engine_stats_async (f->engine, id, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_stats_finish (f->engine, result, &error);
  g_assert_no_error (error);
  return node;
}

/* Stats from the container's own cgroups: its memory limit, its pids, CPU time that grows. */
static void
test_stats (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "while :; do :; done", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  JsonObject *memory;
  gint64 cpu1, cpu2;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->memory = 64 * 1024 * 1024;
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  first = stats (f, hatake_container_get_id (c));
  g_usleep (300 * 1000);
  second = stats (f, hatake_container_get_id (c));

  memory = json_object_get_object_member (json_node_get_object (second), "memory_stats");
  g_assert_cmpint (json_object_get_int_member (memory, "limit"), ==, 64 * 1024 * 1024);
  g_assert_cmpint (json_object_get_int_member (memory, "usage"), >, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (second),
                                                                             "pids_stats"), "current"), >=, 1);
  cpu1 = json_object_get_int_member (json_object_get_object_member (json_object_get_object_member (
           json_node_get_object (first), "cpu_stats"), "cpu_usage"), "total_usage");
  cpu2 = json_object_get_int_member (json_object_get_object_member (json_object_get_object_member (
           json_node_get_object (second), "cpu_stats"), "cpu_usage"), "total_usage");
  /* a busy loop burns most of 300 ms of one CPU */
  g_assert_cmpint (cpu2 - cpu1, >, 50 * 1000 * 1000);

  /* the model's properties follow while someone watches, and only then */
  {
    guint notifies = 0;
    gulong handler = g_signal_connect_swapped (c, "notify::memory-usage", G_CALLBACK (g_atomic_int_inc), &notifies);
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    g_assert_cmpint (hatake_container_get_memory_limit (c), ==, 0);
    hatake_engine_watch_stats (f->engine, c);
    while ((hatake_container_get_cpu_percent (c) <= 10.0 || hatake_container_get_memory_usage (c) == 0) &&
           g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpfloat (hatake_container_get_cpu_percent (c), >, 10.0);
    g_assert_cmpint (hatake_container_get_memory_usage (c), >, 0);
    g_assert_cmpint (hatake_container_get_memory_limit (c), ==, 64 * 1024 * 1024);
    g_assert_cmpuint (hatake_container_get_pids (c), >=, 1);
    g_assert_cmpuint (notifies, >=, 1);
    hatake_engine_unwatch_stats (f->engine, c);
    /* no sampling once nobody watches: nothing changes over two periods */
    while (g_main_context_iteration (NULL, FALSE))
      ;
    notifies = 0;
    deadline = g_get_monotonic_time () + 2500 * 1000;
    while (g_get_monotonic_time () < deadline)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (20 * 1000);
      }
    g_assert_cmpuint (notifies, ==, 0);
    g_signal_handler_disconnect (c, handler);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/run/echo", test_echo);
  ADD ("/run/process-settings", test_process_settings);
  ADD ("/run/entrypoint", test_entrypoint);
  ADD ("/run/stop-kill", test_stop_kill);
  ADD ("/run/stop-signal", test_stop_signal);
  ADD ("/run/pause-remove", test_pause_and_remove);
  ADD ("/run/auto-remove", test_auto_remove);
  ADD ("/run/restart-on-failure", test_restart_on_failure);
  ADD ("/run/start-failure", test_start_failure);
  ADD ("/run/netavark-hang", test_netavark_hang);
  ADD ("/run/sysctls", test_sysctls);
  ADD ("/run/filesystems", test_filesystems);
  ADD ("/run/no-fd-leak", test_no_fd_leak);
  ADD ("/run/names", test_names);
  ADD ("/run/exec-top", test_exec_top);
  ADD ("/run/volumes", test_volumes);
  ADD ("/run/hostile-paths", test_hostile_paths);
  ADD ("/run/confinement", test_confinement);
  ADD ("/run/privileged", test_privileged);
  ADD ("/run/networks", test_networks);
  ADD ("/run/internal-network", test_internal_network);
  ADD ("/run/published-again", test_published_again);
  ADD ("/run/init", test_init);
  ADD ("/run/oom", test_oom);
  ADD ("/run/stats", test_stats);
#undef ADD
  return g_test_run ();
}
