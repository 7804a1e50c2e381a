/* hatake-test-api.c: a `hatake serve` per test, and the real docker CLI and raw HTTP against it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"


/* Whether a server answers `GET /_ping` on PATH. A connection alone is not enough: a server
 * killed a moment ago may still have its listening socket in a child between vfork() and exec()
 * (an exec waiting on the disk for long, under load), which takes connections that nobody serves:
 * the new server, waiting for the data root behind conmon's exit command, was not up yet. */
static gboolean
socket_answers (const char *path)
{
  static const char request[] = "GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) connection = NULL;
  char answer[16] = { 0 };
  gsize n = 0;

  /* (a listener nobody serves never answers) */
  g_socket_client_set_timeout (client, 2);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, NULL);
  if (connection == NULL ||
      !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                  strlen (request), NULL, NULL, NULL) ||
      !g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)), answer,
                                sizeof answer - 1, &n, NULL, NULL))
    return FALSE;
  return g_str_has_prefix (answer, "HTTP/1.1 200");
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->root = hatake_test_make_data_root ();
  f->socket = g_strconcat (f->root, ".sock", NULL);
  f->docker_config = g_strconcat (f->root, ".docker", NULL);
  g_mkdir_with_parents (f->docker_config, 0700);
  {
    /* docker keeps credentials in its config.json unless it finds a credential helper installed
     * (docker-credential-pass, -secretservice), which it then uses for a config that holds none yet:
     * one entry makes the file the store, whatever this machine has installed */
    g_autofree char *config = g_build_filename (f->docker_config, "config.json", NULL);

    g_assert_true (g_file_set_contents (config, "{\"auths\": {\"hatake.invalid\": {}}}\n", -1, NULL));
  }
  if (!hatake_test_require_root ())
    return;
  fixture_start_server (f);
}

void
fixture_start_server (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *host = g_strconcat ("unix://", f->socket, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (f->server);
  /* a test that fails does not leave its server behind (holding the test's output open) */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (f->serve_log != NULL)
    {
      /* (GLib writes debug messages to stdout) */
      g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
      g_subprocess_launcher_set_stdout_file_path (launcher, f->serve_log);
      g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "hatake-api", TRUE);
    }
  if (f->serve_no_leak_check)
    {
      const char *asan = g_getenv ("ASAN_OPTIONS");
      g_autofree char *options = g_strconcat (asan && *asan ? asan : "", asan && *asan ? ":" : "", "detect_leaks=0",
                                              NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", options, TRUE);
    }
  {
    g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
    g_auto(GStrv) args = NULL;

    const char *wrapper = g_getenv ("HATAKE_TEST_SERVE_WRAPPER");

    /* the valgrind suite runs the server itself under valgrind: its exit status, checked in
     * fixture_stop_server, is then valgrind's verdict too (--error-exitcode) */
    if (wrapper != NULL && *wrapper != '\0')
      {
        g_auto(GStrv) words = NULL;

        g_assert_true (g_shell_parse_argv (wrapper, NULL, &words, NULL));
        g_strv_builder_addv (argv, (const char **) words);
      }
    g_strv_builder_add_many (argv, HATAKE_CLI, "serve", "--data-root", f->root, "-H", host, NULL);
    if (f->serve_args != NULL)
      g_strv_builder_addv (argv, (const char **) f->serve_args);
    args = g_strv_builder_end (argv);
    f->server = g_subprocess_launcher_spawnv (launcher, (const char * const *) args, &error);
  }
  g_assert_no_error (error);
  /* (valgrind starts it some 20 times slower) */
  {
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
    gboolean answers;

    while (!(answers = socket_answers (f->socket)) && g_get_monotonic_time () < deadline)
      g_usleep (25 * 1000);
    g_assert_true (answers);
  }
}

void
fixture_stop_server (Fixture *f)
{
  g_subprocess_send_signal (f->server, SIGTERM);
  g_subprocess_wait (f->server, NULL, NULL);
  /* a clean exit: under AddressSanitizer, a leak would make it fail */
  if (g_subprocess_get_if_signaled (f->server))
    g_error ("the server was killed by signal %d (%s)", g_subprocess_get_term_sig (f->server),
             g_strsignal (g_subprocess_get_term_sig (f->server)));
  g_assert_true (g_subprocess_get_if_exited (f->server));
  g_assert_cmpint (g_subprocess_get_exit_status (f->server), ==, 0);
  /* the socket goes with the server */
  g_assert_false (g_file_test (f->socket, G_FILE_TEST_EXISTS));
  g_clear_object (&f->server);
}

/* Runs `hatake --data-root ROOT ARGS…` (the server gone: the command owns the data root). */
void
hatake_cli (Fixture *f, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) HATAKE_CLI);
  g_ptr_array_add (argv, (char *) "--data-root");
  g_ptr_array_add (argv, f->root);
  va_start (args, f);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->server != NULL)
    {
      fixture_stop_server (f);
      hatake_cli (f, "system", "reset", "-f", NULL);
    }
  hatake_test_remove_tree (f->docker_config);
  hatake_test_remove_tree (f->root);
  if (f->serve_log != NULL)
    g_unlink (f->serve_log);
  g_free (f->serve_log);
  g_free (f->root);
  g_free (f->socket);
  g_strfreev (f->serve_args);
  g_free (f->docker_config);
}

/* Runs `docker ARGS…` against the server; returns the exit status. */
int
docker (Fixture *f, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL, *stderr_text = NULL, *host = g_strconcat ("unix://", f->socket, NULL);
  g_auto(GStrv) env = g_get_environ ();
  const char *arg;
  int status;
  va_list args;

  env = g_environ_setenv (env, "DOCKER_HOST", host, TRUE);
  env = g_environ_setenv (env, "DOCKER_CONFIG", f->docker_config, TRUE);
  env = g_environ_unsetenv (env, "DOCKER_CONTEXT");
  g_ptr_array_add (argv, (char *) "docker");
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &stdout_text,
                               &stderr_text, &status, &error));
  g_assert_no_error (error);
  g_test_message ("docker %s\nstdout: %s\nstderr: %s", (char *) argv->pdata[1], stdout_text, stderr_text);
  if (out)
    *out = g_steal_pointer (&stdout_text);
  if (err)
    *err = g_steal_pointer (&stderr_text);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* One raw HTTP/1.0 exchange on the socket: the status line's code, headers and body. */
guint
http (Fixture *f, const char *method, const char *path, const char *body, char **headers, char **content)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (f->socket);
  g_autoptr(GSocketConnection) connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, NULL);
  g_autofree char *request = g_strdup_printf ("%s %s HTTP/1.0\r\nHost: docker\r\nContent-Type: application/json\r\n"
                                              "Content-Length: %zu\r\n\r\n%s", method, path,
                                              body ? strlen (body) : 0, body ? body : "");
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  GInputStream *in;
  const char *split;
  char buffer[4096];
  gssize n;

  g_assert_nonnull (connection);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                            strlen (request), NULL, NULL, NULL));
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (reply, (guint8 *) buffer, n);
  g_byte_array_append (reply, (guint8 *) "", 1);
  split = strstr ((char *) reply->data, "\r\n\r\n");
  g_assert_nonnull (split);
  if (headers)
    *headers = g_strndup ((char *) reply->data, split - (char *) reply->data);
  if (content)
    *content = g_strdup (split + 4);
  g_test_message ("%s %s → %s", method, path, (char *) reply->data);
  return atoi ((char *) reply->data + strlen ("HTTP/1.1 "));
}

char *
trimmed (char *text)
{
  return g_strstrip (text);
}

gboolean
require (void)
{
  g_autofree char *docker_path = g_find_program_in_path ("docker");

  if (!hatake_test_require_root () || !hatake_test_require_env ("HATAKE_TEST_REGISTRY"))
    return FALSE;
  if (docker_path == NULL)
    {
      if (g_getenv ("CI") != NULL)
        g_error ("the docker CLI is missing (Debian's docker.io): build-aux/install-deps.sh test installs it");
      g_test_skip ("no docker CLI");
      return FALSE;
    }
  return TRUE;
}

/* `sh -c SCRIPT` in a new container with ARGS before the image; its output (stderr included). (A
 * device is opened by a redirection of `true`: one of `exec` that fails ends the shell.) */
char *
docker_run_sh (Fixture *f, const char *image, const char * const *args, const char *script, int *status)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *full = g_strdup_printf ("(%s) 2>&1", script);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *docker_host = g_strdup_printf ("unix://%s", f->socket);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_MERGE);
  char *out = NULL;

  g_strv_builder_add_many (b, "docker", "run", "--rm", "--network", "none", NULL);
  g_strv_builder_addv (b, (const char **) args);
  g_strv_builder_add_many (b, image, "sh", "-c", full, NULL);
  argv = g_strv_builder_end (b);
  g_subprocess_launcher_setenv (launcher, "DOCKER_HOST", docker_host, TRUE);
  g_subprocess_launcher_setenv (launcher, "DOCKER_CONFIG", f->docker_config, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_test_message ("docker run %s: %d\n%s", script, *status, out);
  return out;
}

char *
docker_run_sh_ok (Fixture *f, const char *image, const char * const *args, const char *script)
{
  int status;
  char *out = docker_run_sh (f, image, args, script, &status);

  g_assert_cmpint (status, ==, 0);
  return out;
}
