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

#include "hatake-api-server.h"
#include "hatake-cli-private.h"
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
  g_autofree char *host = NULL, *data_root = NULL, *pidfile = NULL;
  gboolean detach = FALSE;
  int ready = -1;
  const GOptionEntry entries[] = {
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &detach, N_("Run in the background once serving (with --pidfile)"), NULL },
    { "host", 'H', 0, G_OPTION_ARG_STRING, &host, N_("Socket to listen on (unix:///PATH)"), "unix:///PATH" },
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

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (host != NULL && !g_str_has_prefix (host, "unix://"))
    return hatake_cli_usage_error (context, _("only unix:// sockets are served (TCP needs TLS, which is not offered yet)"));
  /* From here on the engine's messages are the API's, and the API speaks English as dockerd does:
   * docker-compose and the SDKs match some of them ("No such container", "is already in use") */
  setlocale (LC_MESSAGES, "C");
  socket_path = host != NULL ? g_strdup (host + strlen ("unix://")) : default_socket ();
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
  if (!hatake_api_server_listen_unix (server, socket_path, &error) ||
      !hatake_api_server_publish (server, hatake_local_engine_get_data_root (HATAKE_LOCAL_ENGINE (engine)), &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  if (pidfile != NULL)
    {
      g_autofree char *pid = g_strdup_printf ("%d\n", getpid ());

      if (!g_file_set_contents (pidfile, pid, -1, &error))
        return hatake_cli_fail (g_steal_pointer (&error));
    }
  g_message (_("API listening on %s"), socket_path);
  /* the default bridge stays up while we run, as docker0 does: a container on it does not pay
   * netavark's whole network setup and teardown (after the recovery's teardowns are done) */
  hatake_cli_settle (globals);
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
