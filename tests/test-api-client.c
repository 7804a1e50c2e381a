/* test-api-client.c: the HatakeEngine behind the Docker Engine API (src/client/) against a real
 * `hatake serve`, its models kept live by the event stream, and `hatake` commands on a served data
 * root going through its socket
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hatake-client-engine.h"
#include "hatake-test-api.h"
#include "hatake-test-utils.h"

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static HatakeEngine *
connect_engine (Fixture *f)
{
  g_autoptr(HatakeClientEngine) engine = hatake_client_engine_new_unix (f->socket);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hatake_client_engine_connect_async (engine, NULL, store_result, &result);
  g_assert_true (hatake_client_engine_connect_finish (engine, wait_for (&result), &error));
  g_assert_no_error (error);
  return HATAKE_ENGINE (g_steal_pointer (&engine));
}

/* Spins the main loop until CONDITION holds for the container (or 10 s pass). */
static HatakeContainer *
wait_container (HatakeEngine *engine, const char *name, gboolean (*condition) (HatakeContainer *))
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (engine, name);

      if (condition (c))
        return g_steal_pointer (&c);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  return NULL;
}

static gboolean
is_running (HatakeContainer *c)
{
  return c != NULL && hatake_container_get_state (c) == HATAKE_CONTAINER_RUNNING;
}

static gboolean
is_exited (HatakeContainer *c)
{
  return c != NULL && hatake_container_get_state (c) == HATAKE_CONTAINER_EXITED;
}

static gboolean
is_created_or_exited (HatakeContainer *c)
{
  return c != NULL && (hatake_container_get_state (c) == HATAKE_CONTAINER_CREATED ||
                       hatake_container_get_state (c) == HATAKE_CONTAINER_EXITED);
}

static gboolean
has_run (HatakeContainer *c)
{
  return c != NULL && hatake_container_get_started_at (c) > 0;
}

static gboolean
is_gone (HatakeContainer *c)
{
  return c == NULL;
}

static void
collect_log (const HatakeLogEntry *entry, gpointer user_data)
{
  GString *out = user_data;
  gsize length = 0;
  const char *data = g_bytes_get_data (entry->content, &length);

  g_assert_cmpint (entry->timestamp, >, 0);
  g_string_append_printf (out, "%s:%.*s", entry->stream == HATAKE_LOG_STDERR ? "err" : "out", (int) length, data);
}

/* Pull with progress, create, start, logs, wait and remove through the interface; the models
 * follow what another client (the docker CLI) does, by events. */
static void
test_client_engine (Fixture *f, gconstpointer data)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakePull) progress = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeContainer) created = NULL, seen = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *reference = NULL;
  HatakeContainerOpArgs args = { .timeout = -1 };
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;

  if (!require ())
    return;
  reference = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  engine = connect_engine (f);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (engine)), ==, 0);

  /* pull: progress per layer, then the image in the model */
  progress = hatake_pull_new (reference);
  hatake_engine_pull_async (engine, reference, NULL, progress, NULL, store_result, &result);
  image = hatake_engine_pull_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  g_clear_object (&result);
  g_assert_true (hatake_image_has_tag (image, reference));
  g_assert_cmpuint (g_list_model_get_n_items (hatake_pull_get_layers (progress)), >=, 1);
  g_assert_true (g_str_has_prefix (hatake_pull_get_digest (progress), "sha256:"));
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (engine)), ==, 1);

  /* create and start through the interface: the model has it at once */
  config = hatake_container_config_new ();
  config->name = g_strdup ("through-client");
  config->image = g_strdup (reference);
  config->cmd = g_strdupv ((char *[]) { (char *) "sh", (char *) "-c", (char *) "echo hello; echo oops >&2", NULL });
  g_free (config->network_mode);
  config->network_mode = g_strdup ("none");
  hatake_engine_create_container_async (engine, config, NULL, store_result, &result);
  created = hatake_engine_create_container_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (hatake_container_get_name (created), ==, "through-client");
  g_assert_cmpint (hatake_container_get_state (created), ==, HATAKE_CONTAINER_CREATED);
  hatake_engine_container_op_async (engine, "through-client", HATAKE_CONTAINER_OP_START, &args, NULL, store_result,
                                    &result);
  answer = hatake_engine_container_op_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  seen = wait_container (engine, "through-client", is_exited);
  g_assert_nonnull (seen);
  g_assert_true (seen == created);   /* the same object, updated */
  g_assert_cmpint (hatake_container_get_exit_code (seen), ==, 0);
  g_assert_cmpint (hatake_container_get_started_at (seen), >, 0);

  /* logs, both streams, demultiplexed */
  hatake_engine_container_logs_async (engine, "through-client", &options, collect_log, log, NULL, store_result, &result);
  g_assert_true (hatake_engine_container_logs_finish (engine, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_nonnull (strstr (log->str, "out:hello\n"));
  g_assert_nonnull (strstr (log->str, "err:oops\n"));

  /* the engine's errors, as the local engine gives them */
  hatake_engine_container_op_async (engine, "no-such-container", HATAKE_CONTAINER_OP_START, &args, NULL, store_result,
                                    &result);
  g_assert_null (hatake_engine_container_op_finish (engine, wait_for (&result), &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);

  /* another client's changes come by events */
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "by-docker", reference, "sleep", "600", NULL), ==, 0);
  g_clear_object (&seen);
  seen = wait_container (engine, "by-docker", is_running);
  g_assert_nonnull (seen);
  /* its resource use while watched, from the engine's stats */
  hatake_engine_watch_stats (engine, seen);
  for (gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       hatake_container_get_memory_usage (seen) == 0 && g_get_monotonic_time () < deadline;)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hatake_container_get_memory_usage (seen), >, 0);
  g_assert_cmpuint (hatake_container_get_pids (seen), >=, 1);
  hatake_engine_unwatch_stats (engine, seen);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "by-docker", NULL), ==, 0);
  g_clear_object (&seen);
  seen = wait_container (engine, "by-docker", is_gone);
  g_assert_null (hatake_engine_lookup_container (engine, "by-docker"));

  /* remove through the interface */
  args.force = TRUE;
  g_clear_pointer (&answer, json_node_unref);
  hatake_engine_container_op_async (engine, "through-client", HATAKE_CONTAINER_OP_REMOVE, &args, NULL, store_result,
                                    &result);
  answer = hatake_engine_container_op_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_null (hatake_engine_lookup_container (engine, "through-client"));
  hatake_client_engine_disconnect (HATAKE_CLIENT_ENGINE (engine));
}

/* `hatake` on the data root hatake serve owns goes through its socket; -H names a socket. */
static void
test_client_cli (Fixture *f, gconstpointer data)
{
  g_autofree char *reference = NULL, *out = NULL, *err = NULL, *host = NULL;
  int status = -1;

  if (!require ())
    return;
  reference = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "served", reference, "sleep", "600", NULL), ==, 0);
  {
    const char *argv[] = { HATAKE_CLI, "--data-root", f->root, "ps", "--format", "{{.Names}} {{.State}}", NULL };
    g_auto(GStrv) env = g_environ_unsetenv (g_get_environ (), "DOCKER_HOST");

    env = g_environ_unsetenv (env, "HATAKE_HOST");
    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, 0, NULL, NULL, &out, &err, &status, NULL));
    g_test_message ("hatake ps: %s %s", out, err);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "served running\n");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  /* a change made by a command shows up to the server's other clients at once */
  {
    const char *argv[] = { HATAKE_CLI, "--data-root", f->root, "stop", "-t", "0", "served", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
    g_test_message ("hatake stop: %s %s", out, err);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--format", "{{.Names}} {{.State}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "served exited\n");
  g_clear_pointer (&out, g_free);
  /* exec through the socket: stdout and stderr apart, the exit code, stdin, and a terminal */
  g_assert_cmpint (docker (f, NULL, NULL, "start", "served", NULL), ==, 0);
  {
    const char *argv[] = { HATAKE_CLI, "--data-root", f->root, "exec", "served", "sh", "-c",
                           "echo to-out; echo to-err >&2; exit 4", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 4);
    g_assert_cmpstr (out, ==, "to-out\n");
    g_assert_cmpstr (err, ==, "to-err\n");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    g_autofree char *script = g_strdup_printf ("echo through-stdin | %s --data-root %s exec -i served cat", HATAKE_CLI,
                                               f->root);

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL }, NULL,
                                 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "through-stdin\n");
    g_clear_pointer (&out, g_free);
  }
  {
    g_autofree char *script = g_strdup_printf ("printf 'tty; echo in-$((6*7)); exit 3\\n' | "
                                               "script -qec '%s --data-root %s exec -it served sh' /dev/null",
                                               HATAKE_CLI, f->root);

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL }, NULL,
                                 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, NULL));
    g_test_message ("hatake exec -it: %s", out);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 3);
    g_assert_nonnull (strstr (out, "\nin-42\r\n"));
    g_assert_nonnull (strstr (out, "/dev/pts/"));
    g_clear_pointer (&out, g_free);
  }
  g_assert_cmpint (docker (f, NULL, NULL, "stop", "-t", "0", "served", NULL), ==, 0);
  /* run -i and -it: stdin reaches the container and its end ends it; the terminal both ways */
  {
    g_autofree char *script = g_strdup_printf ("echo into-run | %s --data-root %s run -i --rm --network none %s cat",
                                               HATAKE_CLI, f->root, reference);

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL }, NULL,
                                 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "into-run\n");
    g_clear_pointer (&out, g_free);
  }
  {
    g_autofree char *script = g_strdup_printf ("printf 'tty; echo run-$((6*7)); exit 6\\n' | script -qec "
                                               "'%s --data-root %s run -it --rm --network none %s sh' /dev/null",
                                               HATAKE_CLI, f->root, reference);

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL }, NULL,
                                 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, NULL));
    g_test_message ("hatake run -it: %s", out);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 6);
    g_assert_nonnull (strstr (out, "\nrun-42\r\n"));
    g_assert_nonnull (strstr (out, "/dev/pts/"));
    g_clear_pointer (&out, g_free);
  }
  /* run in the foreground: its output, its exit code, and with --rm nothing left */
  {
    const char *argv[] = { HATAKE_CLI, "--data-root", f->root, "run", "--rm", "--network", "none", reference, "sh", "-c",
                           "echo through-the-socket; exit 5", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
    g_test_message ("hatake run: %s %s", out, err);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 5);
    g_assert_cmpstr (out, ==, "through-the-socket\n");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "served\n");
  g_clear_pointer (&out, g_free);
  /* system dial-stdio: the engine's socket as stdin and stdout (what ssh runs on the far side),
   * the served data root's owner found as the other commands find it */
  {
    g_autofree char *script = g_strdup_printf ("printf 'GET /v1.41/_ping HTTP/1.0\\r\\nHost: d\\r\\n\\r\\n' | "
                                               "%s --data-root %s system dial-stdio", HATAKE_CLI, f->root);

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL }, NULL,
                                 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL));
    g_test_message ("dial-stdio: %s %s", out, err);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_true (g_str_has_prefix (out, "HTTP/1.0 200 OK\r\n"));
    g_assert_true (g_str_has_suffix (out, "\r\n\r\nOK"));
    g_assert_nonnull (strstr (out, "Api-Version: 1.44\r\n"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  /* -H: any socket */
  host = g_strconcat ("unix://", f->socket, NULL);
  {
    const char *argv[] = { HATAKE_CLI, "-H", host, "images", "--format", "{{.Repository}}", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "hatake/busybox"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { HATAKE_CLI, "-H", "unix:///nonexistent/hatake.sock", "ps", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "Cannot reach the engine at unix:///nonexistent/hatake.sock"));
  }
}

/* `hatake ARGV…` on F's served data root (no DOCKER_HOST or HATAKE_HOST): its exit status, its
 * stdout and stderr in OUT and ERR */
static gboolean
served_cli (Fixture *f, const char * const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_environ_unsetenv (g_get_environ (), "DOCKER_HOST");
  int status = -1;

  env = g_environ_unsetenv (env, "HATAKE_HOST");
  g_ptr_array_add (argv, (gpointer) HATAKE_CLI);
  g_ptr_array_add (argv, (gpointer) "--data-root");
  g_ptr_array_add (argv, f->root);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, 0, NULL, NULL, out, err, &status, NULL));
  return g_spawn_check_wait_status (status, NULL);
}

/* `hatake run` on a served data root asks the server for no list (of containers, with an inspect
 * of each, or of images) and follows no event: it asks only for what it creates. `hatake ps` does
 * list (which shows that the log would tell). An image the engine lacks is pulled after the
 * create failed for want of it, as docker's client does; with --pull never, that is the error. */
static void
test_client_cli_run_one_off (Fixture *f, gconstpointer data)
{
  g_autofree char *reference = NULL, *log = NULL, *httpd = NULL;
  gsize before = 0;
  const char *run_part;

  if (!require ())
    return;
  fixture_stop_server (f);
  f->serve_log = g_strconcat (f->root, ".serve.log", NULL);
  fixture_start_server (f);
  reference = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "other", reference, "sleep", "600", NULL), ==, 0);
  g_assert_true (g_file_get_contents (f->serve_log, &log, &before, NULL));
  g_clear_pointer (&log, g_free);
  {
    const char *args[] = { "run", "--rm", "--network", "none", reference, "sh", "-c", "echo ran", NULL };
    g_autofree char *out = NULL;

    g_assert_true (served_cli (f, args, &out, NULL));
    g_assert_cmpstr (out, ==, "ran\n");
  }
  g_assert_true (g_file_get_contents (f->serve_log, &log, NULL, NULL));
  run_part = log + before;
  g_test_message ("the server's log of the run (%zu bytes on):\n%s", before, run_part);
  g_assert_nonnull (strstr (run_part, "POST /v1.41/containers/create"));
  g_assert_null (strstr (run_part, "GET /v1.41/containers/json"));
  g_assert_null (strstr (run_part, "/containers/other/json"));
  g_assert_null (strstr (run_part, "GET /v1.41/images/json"));
  g_assert_null (strstr (run_part, "GET /v1.41/events"));
  g_clear_pointer (&log, g_free);

  /* an image it does not have yet */
  httpd = g_strdup_printf ("%s/hatake/httpd:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  {
    const char *never[] = { "run", "--rm", "--network", "none", "--pull", "never", httpd, "true", NULL };
    const char *missing[] = { "run", "--rm", "--network", "none", httpd, "true", NULL };
    g_autofree char *err = NULL;

    g_assert_false (served_cli (f, never, NULL, &err));
    g_assert_nonnull (strstr (err, "No such image"));
    g_clear_pointer (&err, g_free);
    g_assert_true (served_cli (f, missing, NULL, &err));
    g_assert_nonnull (strstr (err, "Unable to find image"));
  }
  hatake_cli (f, "ps", NULL);
  g_assert_true (g_file_get_contents (f->serve_log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "GET /v1.41/containers/json"));
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "other", NULL), ==, 0);
}

/* The engine restarted under a connected client: the event stream comes back by itself, and what
 * changed while it was away is in the models. */
static void
test_client_reconnect (Fixture *f, gconstpointer data)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeContainer) seen = NULL;
  g_autofree char *reference = NULL;

  if (!require ())
    return;
  reference = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "before", "--network", "none", reference, "true", NULL),
                   ==, 0);
  engine = connect_engine (f);
  g_assert_nonnull ((seen = hatake_engine_lookup_container (engine, "before")));
  g_clear_object (&seen);

  fixture_stop_server (f);
  /* the stream has ended: the client keeps trying */
  for (guint i = 0; i < 20; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  /* meanwhile, with no server: the command owns the data root itself */
  hatake_cli (f, "rm", "before", NULL);
  hatake_cli (f, "create", "--name", "while-away", "--network", "none", reference, "true", NULL);
  fixture_start_server (f);

  seen = wait_container (engine, "while-away", is_created_or_exited);
  g_assert_nonnull (seen);
  g_clear_object (&seen);
  seen = wait_container (engine, "before", is_gone);
  g_assert_null (hatake_engine_lookup_container (engine, "before"));
  /* and the stream is live again */
  g_assert_cmpint (docker (f, NULL, NULL, "start", "while-away", NULL), ==, 0);
  g_clear_object (&seen);
  seen = wait_container (engine, "while-away", has_run);
  g_assert_nonnull (seen);
  hatake_client_engine_disconnect (HATAKE_CLIENT_ENGINE (engine));
}

static void
on_object_event (HatakeEngine *engine,
                 const char   *type,
                 const char   *action,
                 const char   *id,
                 JsonNode     *attributes,
                 gpointer      user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s %s %s %s", type, action, id,
                                               json_object_get_string_member_with_default (
                                                 json_node_get_object (attributes), "driver", "-")));
}

/* Volumes and networks have no model: what another client changes is told as it happens. */
static void
test_client_object_events (Fixture *f, gconstpointer data)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  gint64 deadline;

  if (!require ())
    return;
  engine = connect_engine (f);
  g_signal_connect (engine, "object-event", G_CALLBACK (on_object_event), seen);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "client-vol", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "rm", "client-vol", NULL), ==, 0);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (seen->len < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, seen->len < 2);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "volume create client-vol local");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "volume destroy client-vol local");
  g_signal_handlers_disconnect_by_data (engine, seen);
  hatake_client_engine_disconnect (HATAKE_CLIENT_ENGINE (engine));
}

/* ---- a real dockerd ----------------------------------------------------------------------- */

typedef struct
{
  char        *dir;
  char        *socket;
  GSubprocess *dockerd;
} Dockerd;

static void
dockerd_child_setup (gpointer data)
{
  setsid ();   /* its containerd follows it into this session, which the teardown ends */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static int
docker_at (Dockerd *d, char **out, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *host = g_strconcat ("unix://", d->socket, NULL);
  const char *arg;
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, (char *) "docker");
  g_ptr_array_add (argv, (char *) "-H");
  g_ptr_array_add (argv, host);
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  /* (what is not kept goes nowhere: not into the test's TAP output) */
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL |
                               (out == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : 0),
                               NULL, NULL, out, NULL, &status, NULL));
  return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}

/* dockerd on a data root and socket of its own, no bridge and no iptables (the test's networks
 * are netavark's), the test registry insecure; NULL (skipped) where dockerd cannot run */
static Dockerd *
dockerd_start (void)
{
  g_autofree char *path = g_find_program_in_path ("dockerd");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL, *exec = NULL, *host = NULL, *pidfile = NULL, *log = NULL;
  Dockerd *d;

  if (path == NULL)
    {
      if (g_getenv ("CI") != NULL)
        g_error ("dockerd is missing (Debian's docker.io): build-aux/install-deps.sh test installs it");
      g_test_skip ("no dockerd");
      return NULL;
    }
  d = g_new0 (Dockerd, 1);
  d->dir = g_dir_make_tmp ("hatake-dockerd-XXXXXX", NULL);
  d->socket = g_build_filename (d->dir, "docker.sock", NULL);
  data = g_build_filename (d->dir, "data", NULL);
  exec = g_build_filename (d->dir, "exec", NULL);
  pidfile = g_build_filename (d->dir, "docker.pid", NULL);
  log = g_build_filename (d->dir, "dockerd.log", NULL);
  host = g_strconcat ("unix://", d->socket, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, dockerd_child_setup, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  d->dockerd = g_subprocess_launcher_spawn (launcher, &error, path, "--data-root", data, "--exec-root", exec, "-H", host,
                                            "--pidfile", pidfile, "--iptables=false", "--bridge=none",
                                            "--insecure-registry", g_getenv ("HATAKE_TEST_REGISTRY"), NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 300 && docker_at (d, NULL, "version", NULL) != 0; i++)
    {
      g_assert_nonnull (g_subprocess_get_identifier (d->dockerd));   /* still running */
      g_usleep (100 * 1000);
    }
  g_assert_cmpint (docker_at (d, NULL, "version", NULL), ==, 0);
  return d;
}

static void
dockerd_stop (Dockerd *d)
{
  g_autofree char *ids = NULL;
  g_autofree char *containerd_pid_file = g_build_filename (d->dir, "exec", "containerd", "containerd.pid", NULL);
  g_autofree char *containerd_pid = NULL;

  docker_at (d, &ids, "ps", "-aq", NULL);
  if (ids != NULL && *g_strstrip (ids) != '\0')
    {
      g_auto(GStrv) list = g_strsplit (ids, "\n", -1);

      for (guint i = 0; list[i]; i++)
        docker_at (d, NULL, "rm", "-f", list[i], NULL);
    }
  g_file_get_contents (containerd_pid_file, &containerd_pid, NULL, NULL);
  kill (-(pid_t) atoi (g_subprocess_get_identifier (d->dockerd)), SIGTERM);
  g_subprocess_wait (d->dockerd, NULL, NULL);
  if (containerd_pid != NULL && atoi (containerd_pid) > 1)
    kill (atoi (containerd_pid), SIGTERM);
  g_usleep (200 * 1000);
  hatake_test_remove_tree (d->dir);
  g_clear_object (&d->dockerd);
  g_free (d->socket);
  g_free (d->dir);
  g_free (d);
}

/* The same interface on a real dockerd: pull with progress, create, start, logs, remove, and the
 * models following what the docker CLI does there. */
static void
test_client_dockerd (Fixture *f, gconstpointer data)
{
  Dockerd *d;
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

  if (!require () || (d = dockerd_start ()) == NULL)
    return;
  reference = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  client = hatake_client_engine_new_unix (d->socket);
  engine = HATAKE_ENGINE (client);
  hatake_client_engine_connect_async (client, NULL, store_result, &result);
  g_assert_true (hatake_client_engine_connect_finish (client, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  progress = hatake_pull_new (reference);
  hatake_engine_pull_async (engine, reference, NULL, progress, NULL, store_result, &result);
  image = hatake_engine_pull_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (hatake_image_has_tag (image, reference));
  g_assert_cmpuint (g_list_model_get_n_items (hatake_pull_get_layers (progress)), >=, 1);

  config->name = g_strdup ("on-dockerd");
  config->image = g_strdup (reference);
  config->cmd = g_strdupv ((char *[]) { (char *) "sh", (char *) "-c", (char *) "echo from-dockerd; exit 3", NULL });
  g_free (config->network_mode);
  config->network_mode = g_strdup ("none");
  hatake_engine_create_container_async (engine, config, NULL, store_result, &result);
  created = hatake_engine_create_container_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  hatake_engine_container_op_async (engine, "on-dockerd", HATAKE_CONTAINER_OP_START, &args, NULL, store_result, &result);
  answer = hatake_engine_container_op_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  seen = wait_container (engine, "on-dockerd", is_exited);
  g_assert_nonnull (seen);
  g_assert_cmpint (hatake_container_get_exit_code (seen), ==, 3);
  hatake_engine_container_logs_async (engine, "on-dockerd", &options, collect_log, log, NULL, store_result, &result);
  g_assert_true (hatake_engine_container_logs_finish (engine, wait_for (&result), &error));
  g_clear_object (&result);
  g_assert_cmpstr (log->str, ==, "out:from-dockerd\n");

  /* dockerd's events move the model too */
  g_assert_cmpint (docker_at (d, NULL, "run", "-d", "--network", "none", "--name", "by-cli", reference, "sleep", "600",
                              NULL), ==, 0);
  g_clear_object (&seen);
  seen = wait_container (engine, "by-cli", is_running);
  g_assert_nonnull (seen);
  g_assert_cmpint (docker_at (d, NULL, "rm", "-f", "by-cli", NULL), ==, 0);
  g_clear_object (&seen);
  seen = wait_container (engine, "by-cli", is_gone);
  g_assert_null (hatake_engine_lookup_container (engine, "by-cli"));

  /* hatake's commands on dockerd: exec, and a compose project up and down (its network and
   * containers made by dockerd, with compose's labels, and gone again) */
  {
    g_autofree char *host = g_strconcat ("unix://", d->socket, NULL);
    g_autofree char *project = g_dir_make_tmp ("hatake-compose-dockerd-XXXXXX", NULL);
    g_autofree char *file = g_build_filename (project, "compose.yaml", NULL);
    g_autofree char *yaml = g_strdup_printf ("services:\n"
                                             "  web:\n    image: %s\n    command: [\"sleep\", \"600\"]\n"
                                             "    stop_signal: SIGKILL\n"
                                             "  worker:\n    image: %s\n    command: [\"sleep\", \"600\"]\n"
                                             "    stop_signal: SIGKILL\n    depends_on: [web]\n",
                                             reference, reference);
    g_autofree char *out = NULL;
    int status = -1;

    g_assert_cmpint (docker_at (d, NULL, "run", "-d", "--network", "none", "--name", "exec-here", reference, "sleep",
                                "600", NULL), ==, 0);
    {
      const char *argv[] = { HATAKE_CLI, "-H", host, "exec", "exec-here", "sh", "-c", "echo in-dockerd; exit 4", NULL };

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                                   &status, NULL));
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 4);
      g_assert_cmpstr (out, ==, "in-dockerd\n");
      g_clear_pointer (&out, g_free);
    }
    g_assert_true (g_file_set_contents (file, yaml, -1, NULL));
    {
      const char *argv[] = { HATAKE_CLI, "-H", host, "compose", "-p", "ondockerd", "-f", file, "up", "-d", NULL };

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
    g_assert_cmpint (docker_at (d, &out, "ps", "--filter", "label=com.docker.compose.project=ondockerd", "--format",
                                "{{.Names}} {{.State}} {{.Label \"com.docker.compose.service\"}}", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "ondockerd-web-1 running web\n"));
    g_assert_nonnull (strstr (out, "ondockerd-worker-1 running worker\n"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker_at (d, &out, "network", "ls", "--format", "{{.Name}}", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "ondockerd_default\n"));
    g_clear_pointer (&out, g_free);
    {
      const char *argv[] = { HATAKE_CLI, "-H", host, "compose", "-p", "ondockerd", "-f", file, "down", NULL };

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
    g_assert_cmpint (docker_at (d, &out, "ps", "-a", "--filter", "label=com.docker.compose.project=ondockerd",
                                "--format", "{{.Names}}", NULL), ==, 0);
    g_assert_cmpstr (g_strstrip (out), ==, "");
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker_at (d, &out, "network", "ls", "--format", "{{.Name}}", NULL), ==, 0);
    g_assert_null (strstr (out, "ondockerd_default"));
    g_assert_cmpint (docker_at (d, NULL, "rm", "-f", "exec-here", NULL), ==, 0);
    hatake_test_remove_tree (project);
  }

  g_clear_pointer (&answer, json_node_unref);
  hatake_engine_container_op_async (engine, "on-dockerd", HATAKE_CONTAINER_OP_REMOVE, &args, NULL, store_result, &result);
  answer = hatake_engine_container_op_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_null (hatake_engine_lookup_container (engine, "on-dockerd"));
  hatake_client_engine_disconnect (client);
  dockerd_stop (d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/client/engine", Fixture, NULL, fixture_set_up, test_client_engine, fixture_tear_down);
  g_test_add ("/client/cli", Fixture, NULL, fixture_set_up, test_client_cli, fixture_tear_down);
  g_test_add ("/client/cli-run-one-off", Fixture, NULL, fixture_set_up, test_client_cli_run_one_off,
              fixture_tear_down);
  g_test_add ("/client/reconnect", Fixture, NULL, fixture_set_up, test_client_reconnect, fixture_tear_down);
  g_test_add ("/client/object-events", Fixture, NULL, fixture_set_up, test_client_object_events, fixture_tear_down);
  g_test_add ("/client/dockerd", Fixture, NULL, fixture_set_up, test_client_dockerd, fixture_tear_down);
  return g_test_run ();
}
