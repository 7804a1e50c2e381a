/* hatake-cli-serve.c: `hatake serve`, the engine without a window
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <locale.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <gio/gunixsocketaddress.h>

#include "hatake-api-server.h"
#include "hatake-cli-private.h"
#include "hatake-client.h"
#include "hatake-client-engine.h"
#include "hatake-local-engine.h"

static gboolean stop_asked;

/* SIGINT/SIGTERM: handled from the start (a signal during the startup must not kill us midway,
 * leaving the socket and the default network behind); the loop quits, or never starts */
static gboolean
on_signal (gpointer loop)
{
  stop_asked = TRUE;
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* The API socket's default place: /run/hatake/hatake.sock as root, else in the user's runtime
 * folder, as DESIGN.md has it. */
static char *
default_socket (void)
{
  if (geteuid () == 0)
    return g_strdup ("/run/hatake/hatake.sock");
  return g_build_filename (g_get_user_runtime_dir (), "hatake", "hatake.sock", NULL);
}

/* Forks: the parent waits until the child says it serves (or exits, having said why on stderr)
 * and exits with that; the child, in a session of its own, gets the pipe's write end. Done before
 * the engine starts any thread. */
static int
detach_from_terminal (void)
{
  int fds[2];
  pid_t pid;
  char byte = 0;

  if (pipe2 (fds, O_CLOEXEC) != 0)
    {
      g_printerr ("hatake serve: %s\n", g_strerror (errno));
      return -1;
    }
  pid = fork ();
  if (pid < 0)
    {
      g_printerr ("hatake serve: %s\n", g_strerror (errno));
      return -1;
    }
  if (pid > 0)
    {
      close (fds[1]);
      _exit (read (fds[0], &byte, 1) == 1 && byte == '1' ? 0 : 1);
    }
  close (fds[0]);
  setsid ();
  return fds[1];
}

/* Holds the data root (its lock makes this process the owner), serves the Docker Engine API on
 * a Unix socket and runs the engine's main loop until SIGINT or SIGTERM. */
int
hatake_cli_serve (HatakeCliGlobals *globals,
                  int               argc,
                  char            **argv)
{
  g_autofree char *data_root = NULL, *pidfile = NULL;
  g_autofree char *tls_ca = NULL, *tls_cert = NULL, *tls_key = NULL;
  g_auto(GStrv) hosts = NULL;
  gboolean detach = FALSE, tls = FALSE, tls_verify = FALSE;
  int ready = -1;
  const GOptionEntry entries[] = {
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &detach, N_("Run in the background once serving (with --pidfile)"), NULL },
    { "host", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &hosts, N_("Socket to listen on: unix:///PATH, or tcp://ADDRESS:PORT with --tlsverify (may be repeated)"), "ADDRESS" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS; implied by --tlsverify"), NULL },
    { "tlsverify", 0, 0, G_OPTION_ARG_NONE, &tls_verify, N_("Use TLS and verify the remote (required on TCP)"), NULL },
    { "tlscacert", 0, 0, G_OPTION_ARG_FILENAME, &tls_ca, N_("Trust certs signed only by this CA"), "FILE" },
    { "tlscert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_("Path to TLS certificate file"), "FILE" },
    { "tlskey", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("Path to TLS key file"), "FILE" },
    { "data-root", 0, 0, G_OPTION_ARG_FILENAME, &data_root, N_("Root directory of persistent state"), "DIR" },
    { "pidfile", 'p', 0, G_OPTION_ARG_FILENAME, &pidfile, N_("Path to use for the daemon PID file"), "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("Run the engine without a window"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeApiServer) server = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *socket_path = NULL;
  g_autoptr(GPtrArray) tcp = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_endpoint_free);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) ca = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    {
      g_autoptr(HatakeEndpoint) endpoint = hatake_endpoint_new (hosts[i]);
      g_autofree char *name = NULL;
      HatakeEndpointKind kind;

      endpoint->tls = TRUE;
      if (!hatake_endpoint_parse (endpoint, &kind, &name, NULL, NULL, &error))
        return hatake_cli_usage_error (context, error->message);
      if (kind == HATAKE_ENDPOINT_SSH)
        return hatake_cli_usage_error (context, _("ssh:// is for clients: serve on a unix:// socket there"));
      if (kind == HATAKE_ENDPOINT_UNIX && socket_path != NULL)
        return hatake_cli_usage_error (context, _("only one unix:// socket is served"));
      if (kind == HATAKE_ENDPOINT_UNIX)
        socket_path = g_steal_pointer (&name);
      else
        g_ptr_array_add (tcp, g_steal_pointer (&endpoint));
    }
  /* the API is as good as root: on TCP only for clients with a certificate our CA signed */
  if (tcp->len > 0 && (!tls_verify || tls_ca == NULL || tls_cert == NULL || tls_key == NULL))
    return hatake_cli_usage_error (context, _("tcp:// needs --tlsverify with --tlscacert, --tlscert and --tlskey: "
                                              "anyone reaching the port would be root"));
  if (tcp->len > 0)
    {
      if ((certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error)) == NULL)
        {
          g_prefix_error (&error, _("Cannot read the certificate %s: "), tls_cert);
          return hatake_cli_fail (g_steal_pointer (&error));
        }
      g_autofree char *ca_path = g_canonicalize_filename (tls_ca, NULL);

      if ((ca = g_tls_file_database_new (ca_path, &error)) == NULL)
        {
          g_prefix_error (&error, _("Cannot read the CA certificate %s: "), tls_ca);
          return hatake_cli_fail (g_steal_pointer (&error));
        }
    }
  /* From here on the engine's messages are the API's, and the API speaks English as dockerd does:
   * docker-compose and the SDKs match some of them ("No such container", "is already in use") */
  setlocale (LC_MESSAGES, "C");
  if (socket_path == NULL && tcp->len == 0)
    socket_path = default_socket ();
  if (data_root != NULL)
    {
      g_free (globals->data_root);
      globals->data_root = g_steal_pointer (&data_root);
    }
  /* --detach: the parent returns once the child serves (0) or failed (1, its message said) */
  if (detach && (ready = detach_from_terminal ()) < 0)
    return 1;
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  globals->local_only = TRUE;
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  server = hatake_api_server_new (engine);
  if (socket_path != NULL &&
      (!hatake_api_server_listen_unix (server, socket_path, &error) ||
       !hatake_api_server_publish (server, hatake_local_engine_get_data_root (HATAKE_LOCAL_ENGINE (engine)), &error)))
    return hatake_cli_fail (g_steal_pointer (&error));
  for (guint i = 0; i < tcp->len; i++)
    {
      HatakeEndpoint *endpoint = g_ptr_array_index (tcp, i);
      g_autofree char *name = NULL;
      HatakeEndpointKind kind;
      guint16 port = 0;

      hatake_endpoint_parse (endpoint, &kind, &name, &port, NULL, NULL);
      if (!hatake_api_server_listen_tls (server, name, port, certificate, ca, &error))
        return hatake_cli_fail (g_steal_pointer (&error));
      g_message (_("API listening on %s (TLS, client certificates required)"), endpoint->host);
    }
  if (pidfile != NULL)
    {
      g_autofree char *pid = g_strdup_printf ("%d\n", getpid ());

      if (!g_file_set_contents (pidfile, pid, -1, &error))
        return hatake_cli_fail (g_steal_pointer (&error));
    }
  if (socket_path != NULL)
    g_message (_("API listening on %s"), socket_path);
  /* the default bridge stays up while we run, as docker0 does: a container on it does not pay
   * netavark's whole network setup and teardown (after the recovery's teardowns are done) */
  hatake_cli_settle (globals);
  if (HATAKE_IS_LOCAL_ENGINE (engine))
    {
      /* a long-running engine: conmon's exit commands leave its exits to it */
      hatake_local_engine_set_healthchecks (HATAKE_LOCAL_ENGINE (engine), TRUE);
      hatake_local_engine_set_exit_cleanup_left (HATAKE_LOCAL_ENGINE (engine), FALSE);
    }
  if (HATAKE_IS_LOCAL_ENGINE (engine) &&
      !hatake_local_engine_hold_default_network (HATAKE_LOCAL_ENGINE (engine), TRUE, &error))
    {
      g_warning ("The default network is not kept up: %s", error->message);
      g_clear_error (&error);
    }


  if (ready >= 0)
    {
      /* serving: the parent goes, and so do our ties to its terminal */
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

      if (write (ready, "1", 1) != 1)
        g_debug ("the parent is gone");
      close (ready);
      if (null >= 0)
        {
          dup2 (null, STDIN_FILENO);
          dup2 (null, STDOUT_FILENO);
          dup2 (null, STDERR_FILENO);
          close (null);
        }
    }
  g_message (_("Serving the %s, %u images"), hatake_engine_get_description (engine),
             g_list_model_get_n_items (hatake_engine_get_images (engine)));
  if (HATAKE_IS_LOCAL_ENGINE (engine) && hatake_local_engine_get_runtime_note (HATAKE_LOCAL_ENGINE (engine)))
    g_message ("%s", hatake_local_engine_get_runtime_note (HATAKE_LOCAL_ENGINE (engine)));
  if (!stop_asked)
    g_main_loop_run (loop);
  g_message (_("Stopping"));
  g_object_run_dispose (G_OBJECT (server));
  if (HATAKE_IS_LOCAL_ENGINE (engine) &&
      !hatake_local_engine_hold_default_network (HATAKE_LOCAL_ENGINE (engine), FALSE, &error))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  if (pidfile != NULL)
    g_unlink (pidfile);
  return 0;
}

/* ---- system dial-stdio --------------------------------------------------------------------- */

typedef struct
{
  GIOStream         *connection;
  GAsyncResult      *connected;
  gboolean           done;
  GError            *error;
} Dial;

static void
on_stdin_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Dial *dial = user_data;

  /* our input ended: the engine sees the request's end, and answers to the end */
  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  if (G_IS_SOCKET_CONNECTION (dial->connection))
    g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (dial->connection)), FALSE, TRUE, NULL);
  else
    g_output_stream_close (g_io_stream_get_output_stream (dial->connection), NULL, NULL);   /* TLS: close_notify */
}

static void
on_stdout_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Dial *dial = user_data;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &dial->error) < 0 && dial->error == NULL)
    dial->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "splice");
  dial->done = TRUE;
  g_main_context_wakeup (NULL);
}

/* The engine's socket as this process's stdin and stdout: what `ssh host hatake system dial-stdio`
 * runs on the other side, as docker's does, to reach an engine through ssh. The engine is the one
 * this command would use (-H, a context, HATAKE_HOST/DOCKER_HOST), else the data root's owner,
 * else the system socket. */
int
hatake_cli_system_dial_stdio (HatakeCliGlobals *globals, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("Proxy the stdio stream to the engine"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEndpoint) endpoint = NULL;
  g_autoptr(HatakeClient) client = NULL;
  g_autofree char *root = NULL;
  g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  Dial dial = { 0 };

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (!hatake_cli_context_endpoint (globals, &endpoint, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  if (endpoint == NULL)
    {
      g_autofree char *host = NULL;

      root = globals->data_root ? g_strdup (globals->data_root) : hatake_default_data_root ();
      host = hatake_client_owner_host (root);
      endpoint = hatake_endpoint_new (host != NULL ? host : "unix:///run/hatake/hatake.sock");   /* the system engine's */
    }
  client = hatake_client_new (endpoint, &error);
  if (client == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  hatake_client_connect_async (client, NULL, hatake_cli_store_result, &dial.connected);
  hatake_cli_wait ((gpointer *) &dial.connected);
  dial.connection = hatake_client_connect_finish (client, dial.connected, &error);
  g_clear_object (&dial.connected);
  if (dial.connection == NULL)
    {
      g_prefix_error (&error, _("Cannot reach the engine at %s: "), endpoint->host);
      return hatake_cli_fail (g_steal_pointer (&error));
    }
  g_output_stream_splice_async (g_io_stream_get_output_stream (dial.connection), in,
                                G_OUTPUT_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT, NULL, on_stdin_spliced, &dial);
  g_output_stream_splice_async (out, g_io_stream_get_input_stream (dial.connection),
                                G_OUTPUT_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT, NULL, on_stdout_spliced, &dial);
  while (!dial.done)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&dial.connection);
  if (dial.error != NULL)
    return hatake_cli_fail (dial.error);
  return 0;
}
