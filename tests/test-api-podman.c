/* test-api-podman.c: the client engine (src/client/) on podman's Docker-compatible service, started
 * by the test with a store, a run folder and a configuration of its own
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "hatake-client-engine.h"
#include "hatake-test-utils.h"

typedef struct
{
  char        *dir;
  char        *socket;
  char       **env;
  char       **base;      /* podman --root … --runroot … */
  GSubprocess *service;
} Podman;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* `podman --root … ARGS…`; its exit status */
static int
podman (Podman *p, char **out, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  int status = -1;
  va_list args;

  for (guint i = 0; p->base[i] != NULL; i++)
    g_ptr_array_add (argv, p->base[i]);
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, p->env, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, out, NULL, &status, NULL));
  return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}

/* The real docker CLI on podman's socket */
static int
docker_at (Podman *p, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *host = g_strconcat ("unix://", p->socket, NULL);
  const char *arg;
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, (char *) "docker");
  g_ptr_array_add (argv, (char *) "-H");
  g_ptr_array_add (argv, host);
  va_start (args, p);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL |
                               G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL));
  return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}

/* podman's service as bench/run starts podman: cgroupfs (no systemd here), events in a file, the
 * test registry insecure, ulimits no higher than ours (MACHINE-NOTES); NULL (skipped) where
 * podman cannot run */
static Podman *
podman_start (void)
{
  g_autofree char *path = g_find_program_in_path ("podman");
  g_autofree char *conf = NULL, *registries = NULL, *tmp = NULL, *text = NULL, *host = NULL, *log = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GStrvBuilder) base = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autoptr(GError) error = NULL;
  struct rlimit nofile, nproc;
  Podman *p;

  if (path == NULL)
    {
      if (g_getenv ("CI") != NULL)
        g_error ("podman is missing: build-aux/install-deps.sh test installs it");
      g_test_skip ("no podman");
      return NULL;
    }
  p = g_new0 (Podman, 1);
  p->dir = g_dir_make_tmp ("hatake-podman-XXXXXX", NULL);
  p->socket = g_build_filename (p->dir, "podman.sock", NULL);
  conf = g_build_filename (p->dir, "containers.conf", NULL);
  registries = g_build_filename (p->dir, "registries.conf", NULL);
  tmp = g_build_filename (p->dir, "tmp", NULL);
  log = g_build_filename (p->dir, "service.log", NULL);
  g_assert_cmpint (g_mkdir (tmp, 0700), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &nofile), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_NPROC, &nproc), ==, 0);
  if (nproc.rlim_max == RLIM_INFINITY || nproc.rlim_max > 32768)
    nproc.rlim_max = 32768;
  text = g_strdup_printf ("[containers]\ndefault_ulimits = [\"nofile=%lu:%lu\", \"nproc=%lu:%lu\"]\n"
                          "[engine]\ncgroup_manager = \"cgroupfs\"\n"
                          "events_logger = \"file\"\nevents_logfile_path = \"%s/events.log\"\n",
                          (unsigned long) nofile.rlim_max, (unsigned long) nofile.rlim_max,
                          (unsigned long) nproc.rlim_max, (unsigned long) nproc.rlim_max, p->dir);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("unqualified-search-registries = []\n[[registry]]\nlocation = \"%s\"\ninsecure = true\n",
                          g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_true (g_file_set_contents (registries, text, -1, NULL));
  p->env = g_get_environ ();
  p->env = g_environ_setenv (p->env, "CONTAINERS_CONF", conf, TRUE);
  p->env = g_environ_setenv (p->env, "CONTAINERS_REGISTRIES_CONF", registries, TRUE);
  p->env = g_environ_setenv (p->env, "TMPDIR", tmp, TRUE);
  {
    g_autofree char *root = g_build_filename (p->dir, "root", NULL);
    g_autofree char *runroot = g_build_filename (p->dir, "run", NULL);

    g_strv_builder_add_many (base, "podman", "--root", root, "--runroot", runroot, NULL);
  }
  p->base = g_strv_builder_end (base);
  host = g_strconcat ("unix://", p->socket, NULL);
  g_strv_builder_addv (argv, (const char **) p->base);
  g_strv_builder_add_many (argv, "system", "service", "--time", "0", host, NULL);
  args = g_strv_builder_end (argv);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_environ (launcher, p->env);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  p->service = g_subprocess_launcher_spawnv (launcher, (const char * const *) args, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 300 && docker_at (p, "version", NULL) != 0; i++)
    {
      g_assert_nonnull (g_subprocess_get_identifier (p->service));   /* still running */
      g_usleep (100 * 1000);
    }
  if (docker_at (p, "version", NULL) != 0)
    {
      g_autofree char *said = NULL;

      g_file_get_contents (log, &said, NULL, NULL);
      g_test_message ("podman's service: %s", said);
    }
  g_assert_cmpint (docker_at (p, "version", NULL), ==, 0);
  return p;
}

static void
podman_stop (Podman *p)
{
  g_subprocess_send_signal (p->service, SIGTERM);
  g_subprocess_wait (p->service, NULL, NULL);
  podman (p, NULL, "system", "reset", "-f", NULL);
  hatake_test_remove_tree (p->dir);
  g_clear_object (&p->service);
  g_strfreev (p->env);
  g_strfreev (p->base);
  g_free (p->socket);
  g_free (p->dir);
  g_free (p);
}

/* Spins the main loop until NAME is there in the state wanted (or gone for 0), 15 s at most */
static gboolean
wait_state (HatakeEngine *engine, const char *name, HatakeContainerState state, gboolean gone)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (engine, name);

      if (gone ? c == NULL : (c != NULL && hatake_container_get_state (c) == state))
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  return FALSE;
}

static void
collect_log (const HatakeLogEntry *entry, gpointer user_data)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (entry->content, &length);

  g_string_append_printf (user_data, "%s:%.*s", entry->stream == HATAKE_LOG_STDERR ? "err" : "out", (int) length, data);
}

/* The same interface on podman: pull with progress, create, start, its exit code, logs, the
 * models following what the docker CLI does there, remove */
static void
test_podman (void)
{
  Podman *p;
  g_autoptr(HatakeClientEngine) client = NULL;
  HatakeEngine *engine;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakePull) progress = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();
  g_autoptr(HatakeContainer) created = NULL, seen = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *reference = NULL;
  HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE };
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root () || (p = podman_start ()) == NULL)
    return;
  reference = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  client = hatake_client_engine_new_unix (p->socket);
  engine = HATAKE_ENGINE (client);
  hatake_client_engine_connect_async (client, NULL, hatake_test_keep_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_true (hatake_client_engine_connect_finish (client, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  progress = hatake_pull_new (reference);
  hatake_engine_pull_async (engine, reference, NULL, progress, NULL, hatake_test_keep_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  image = hatake_engine_pull_finish (engine, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_nonnull (image);
  g_assert_true (hatake_image_has_tag (image, reference));

  config->name = g_strdup ("on-podman");
  config->image = g_strdup (reference);
  config->cmd = g_strdupv ((char *[]) { (char *) "sh", (char *) "-c", (char *) "echo from-podman; exit 3", NULL });
  g_free (config->network_mode);
  config->network_mode = g_strdup ("none");
  hatake_engine_create_container_async (engine, config, NULL, hatake_test_keep_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  created = hatake_engine_create_container_finish (engine, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  hatake_engine_container_op_async (engine, "on-podman", HATAKE_CONTAINER_OP_START, &args, NULL,
                                    hatake_test_keep_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  answer = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (wait_state (engine, "on-podman", HATAKE_CONTAINER_EXITED, FALSE));
  seen = hatake_engine_lookup_container (engine, "on-podman");
  g_assert_cmpint (hatake_container_get_exit_code (seen), ==, 3);
  hatake_engine_container_logs_async (engine, "on-podman", &options, collect_log, log, NULL, hatake_test_keep_result,
                                      &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_true (hatake_engine_container_logs_finish (engine, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (log->str, ==, "out:from-podman\n");

  /* podman's events move the model too */
  g_assert_cmpint (docker_at (p, "run", "-d", "--network", "none", "--name", "by-cli", reference, "sleep", "600", NULL),
                   ==, 0);
  g_assert_true (wait_state (engine, "by-cli", HATAKE_CONTAINER_RUNNING, FALSE));
  g_assert_cmpint (docker_at (p, "rm", "-f", "by-cli", NULL), ==, 0);
  g_assert_true (wait_state (engine, "by-cli", 0, TRUE));

  g_clear_pointer (&answer, json_node_unref);
  hatake_engine_container_op_async (engine, "on-podman", HATAKE_CONTAINER_OP_REMOVE, &args, NULL,
                                    hatake_test_keep_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  answer = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_null (hatake_engine_lookup_container (engine, "on-podman"));
  hatake_client_engine_disconnect (client);
  podman_stop (p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/podman", test_podman);
  return g_test_run ();
}
