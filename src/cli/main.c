/* main.c: `hatake`, the command line, with docker's subcommand names and flags
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "hatake-cgroups.h"
#include "hatake-cli-private.h"
#include "hatake-inotify.h"

typedef struct
{
  const char       *words[3];
  HatakeCliCommand  run;
  const char       *summary;
} Command;

/* Every spelling docker accepts, longest first so "image ls" wins over "image". */
static const Command commands[] = {
  { { "image", "pull" }, hatake_cli_pull, N_("Download an image from a registry") },
  { { "image", "ls" }, hatake_cli_images, NULL },
  { { "image", "list" }, hatake_cli_images, NULL },
  { { "image", "inspect" }, hatake_cli_image_inspect, N_("Display detailed information on images") },
  { { "image", "tag" }, hatake_cli_tag, NULL },
  { { "image", "rm" }, hatake_cli_rmi, NULL },
  { { "image", "remove" }, hatake_cli_rmi, NULL },
  { { "system", "df" }, hatake_cli_system_df, N_("Show disk usage") },
  { { "system", "recover" }, hatake_cli_system_recover, NULL },
  { { "system", "dial-stdio" }, hatake_cli_system_dial_stdio, NULL },
  { { "system", "reset" }, hatake_cli_system_reset, N_("Remove all containers, images and volumes") },
  { { "network", "create" }, hatake_cli_network_create, N_("Create a network") },
  { { "network", "ls" }, hatake_cli_network_ls, N_("List networks") },
  { { "network", "list" }, hatake_cli_network_ls, NULL },
  { { "network", "inspect" }, hatake_cli_network_inspect, N_("Display detailed information on one or more networks") },
  { { "network", "rm" }, hatake_cli_network_rm, N_("Remove one or more networks") },
  { { "network", "remove" }, hatake_cli_network_rm, NULL },
  { { "network", "prune" }, hatake_cli_network_prune, N_("Remove all unused networks") },
  { { "network", "connect" }, hatake_cli_network_connect, N_("Connect a container to a network") },
  { { "network", "disconnect" }, hatake_cli_network_disconnect, N_("Disconnect a container from a network") },
  { { "volume", "create" }, hatake_cli_volume_create, N_("Create a volume") },
  { { "volume", "ls" }, hatake_cli_volume_ls, N_("List volumes") },
  { { "volume", "list" }, hatake_cli_volume_ls, NULL },
  { { "volume", "inspect" }, hatake_cli_volume_inspect, N_("Display detailed information on volumes") },
  { { "volume", "rm" }, hatake_cli_volume_rm, N_("Remove one or more volumes") },
  { { "volume", "remove" }, hatake_cli_volume_rm, NULL },
  { { "volume", "prune" }, hatake_cli_volume_prune, N_("Remove unused local volumes") },
  { { "container", "create" }, hatake_cli_create, NULL },
  { { "container", "run" }, hatake_cli_run, NULL },
  { { "container", "start" }, hatake_cli_start, NULL },
  { { "container", "stop" }, hatake_cli_stop, NULL },
  { { "container", "restart" }, hatake_cli_restart, NULL },
  { { "container", "kill" }, hatake_cli_kill, NULL },
  { { "container", "pause" }, hatake_cli_pause, NULL },
  { { "container", "unpause" }, hatake_cli_unpause, NULL },
  { { "container", "rm" }, hatake_cli_rm, NULL },
  { { "container", "remove" }, hatake_cli_rm, NULL },
  { { "container", "wait" }, hatake_cli_wait_cmd, NULL },
  { { "container", "rename" }, hatake_cli_rename, NULL },
  { { "container", "update" }, hatake_cli_update, NULL },
  { { "container", "ls" }, hatake_cli_ps, NULL },
  { { "container", "list" }, hatake_cli_ps, NULL },
  { { "container", "inspect" }, hatake_cli_container_inspect, NULL },
  { { "container", "logs" }, hatake_cli_logs, NULL },
  { { "container", "exec" }, hatake_cli_exec, NULL },
  { { "container", "top" }, hatake_cli_top, NULL },
  { { "container", "diff" }, hatake_cli_diff, NULL },
  { { "diff" }, hatake_cli_diff, N_("Inspect changes to files or directories on a container's filesystem") },
  { { "exec" }, hatake_cli_exec, N_("Execute a command in a running container") },
  { { "top" }, hatake_cli_top, N_("Display the running processes of a container") },
  { { "container", "stats" }, hatake_cli_stats, NULL },
  { { "container", "attach" }, hatake_cli_attach, NULL },
  { { "attach" }, hatake_cli_attach, N_("Attach local standard input, output, and error streams to a running container") },
  { { "stats" }, hatake_cli_stats, N_("Display a live stream of container(s) resource usage statistics") },
  { { "create" }, hatake_cli_create, N_("Create a new container") },
  { { "run" }, hatake_cli_run, N_("Create and run a new container from an image") },
  { { "start" }, hatake_cli_start, N_("Start one or more stopped containers") },
  { { "stop" }, hatake_cli_stop, N_("Stop one or more running containers") },
  { { "restart" }, hatake_cli_restart, N_("Restart one or more containers") },
  { { "kill" }, hatake_cli_kill, N_("Kill one or more running containers") },
  { { "pause" }, hatake_cli_pause, N_("Pause all processes within one or more containers") },
  { { "unpause" }, hatake_cli_unpause, N_("Unpause all processes within one or more containers") },
  { { "rm" }, hatake_cli_rm, N_("Remove one or more containers") },
  { { "wait" }, hatake_cli_wait_cmd, N_("Block until containers stop, then print their exit codes") },
  { { "rename" }, hatake_cli_rename, N_("Rename a container") },
  { { "update" }, hatake_cli_update, N_("Update configuration of one or more containers") },
  { { "ps" }, hatake_cli_ps, N_("List containers") },
  { { "port" }, hatake_cli_port, N_("List port mappings or a specific mapping for the container") },
  { { "inspect" }, hatake_cli_inspect, N_("Return low-level information on objects") },
  { { "logs" }, hatake_cli_logs, N_("Fetch the logs of a container") },
  { { "pull" }, hatake_cli_pull, NULL },
  { { "images" }, hatake_cli_images, N_("List images") },
  { { "tag" }, hatake_cli_tag, N_("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE") },
  { { "rmi" }, hatake_cli_rmi, N_("Remove one or more images") },
  { { "context", "create" }, hatake_cli_context_create, NULL },
  { { "context", "ls" }, hatake_cli_context_ls, NULL },
  { { "context", "list" }, hatake_cli_context_ls, NULL },
  { { "context", "use" }, hatake_cli_context_use, NULL },
  { { "context", "rm" }, hatake_cli_context_rm, NULL },
  { { "context", "remove" }, hatake_cli_context_rm, NULL },
  { { "context", "inspect" }, hatake_cli_context_inspect, NULL },
  { { "context", "show" }, hatake_cli_context_show, NULL },
  { { "context" }, hatake_cli_context, N_("Manage contexts: the engines to choose from") },
  { { "compose" }, hatake_cli_compose, N_("Define and run multi-container applications") },
  { { "login" }, hatake_cli_login, N_("Authenticate to a registry") },
  { { "logout" }, hatake_cli_logout, N_("Log out from a registry") },
  { { "serve" }, hatake_cli_serve, N_("Run the engine without a window") },
};

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage:  hatake [OPTIONS] COMMAND"));
  fprintf (out, "%s\n\n", _("A fast, small, Docker-compatible container engine"));
  fprintf (out, "%s\n", _("Options:"));
  fprintf (out, "  -c, --context NAME    %s\n", _("The context to use (overrides HATAKE_HOST, DOCKER_HOST, HATAKE_CONTEXT, DOCKER_CONTEXT and 'hatake context use')"));
  fprintf (out, "      --data-root DIR   %s\n", _("Where images and containers are stored"));
  fprintf (out, "  -D, --debug           %s\n", _("Show debug messages"));
  fprintf (out, "  -H, --host HOST       %s\n", _("The engine to use: unix:///PATH, tcp://HOST:PORT or ssh://USER@HOST (else --context, HATAKE_HOST, DOCKER_HOST, HATAKE_CONTEXT, DOCKER_CONTEXT, the current context, the local one)"));
  fprintf (out, "      --tls             %s\n", _("Use TLS; implied by --tlsverify"));
  fprintf (out, "      --tlscacert FILE  %s\n", _("Trust certs signed only by this CA (default $DOCKER_CERT_PATH/ca.pem)"));
  fprintf (out, "      --tlscert FILE    %s\n", _("Path to TLS certificate file (default $DOCKER_CERT_PATH/cert.pem)"));
  fprintf (out, "      --tlskey FILE     %s\n", _("Path to TLS key file (default $DOCKER_CERT_PATH/key.pem)"));
  fprintf (out, "      --tlsverify       %s\n", _("Use TLS and verify the remote (also DOCKER_TLS_VERIFY)"));
  fprintf (out, "  -v, --version         %s\n\n", _("Print version information and quit"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (commands[i].summary != NULL)
      {
        g_autofree char *name = g_strjoinv (" ", (char **) commands[i].words);
        fprintf (out, "  %-15s %s\n", name, _(commands[i].summary));
      }
  fprintf (out, "\n%s\n", _("Run 'hatake COMMAND --help' for more information on a command."));
}

static void
clear_globals (HatakeCliGlobals *globals)
{
  g_free (globals->data_root);
  g_free (globals->host);
  g_free (globals->context);
  g_free (globals->tls_ca);
  g_free (globals->tls_cert);
  g_free (globals->tls_key);
}

/* --NAME VALUE or --NAME=VALUE at argv[*i] into *VALUE */
static gboolean
option_value (const char *name, int argc, char **argv, int *i, char **value)
{
  const char *arg = argv[*i];
  size_t length = strlen (name);

  if (g_str_equal (arg, name) && *i + 1 < argc)
    {
      g_free (*value);
      *value = g_strdup (argv[++*i]);
      return TRUE;
    }
  if (strncmp (arg, name, length) == 0 && arg[length] == '=')
    {
      g_free (*value);
      *value = g_strdup (arg + length + 1);
      return TRUE;
    }
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  static const char * const host_variables[] = { "HATAKE_HOST", "DOCKER_HOST" };
  static const char * const context_variables[] = { "HATAKE_CONTEXT", "DOCKER_CONTEXT" };
  HatakeCliGlobals globals = { 0 };
  int i = 1;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* GLib's C locale made before any thread: made at a first g_ascii_strto*() in two threads at
   * once, one of them may see a good number refused (hatake-cgroups.c, warm()) */
  (void) g_ascii_strtoull ("0", NULL, 10);

  /* Global options come before the command, as docker's do. */
  for (; i < argc && argv[i][0] == '-'; i++)
    {
      const char *arg = argv[i];
      if (g_str_equal (arg, "--data-root") && i + 1 < argc)
        globals.data_root = g_strdup (argv[++i]);
      else if (g_str_has_prefix (arg, "--data-root="))
        globals.data_root = g_strdup (arg + strlen ("--data-root="));
      else if ((g_str_equal (arg, "-H") || g_str_equal (arg, "--host")) && i + 1 < argc)
        globals.host = g_strdup (argv[++i]);
      else if (g_str_has_prefix (arg, "--host="))
        globals.host = g_strdup (arg + strlen ("--host="));
      else if ((g_str_equal (arg, "-c") || g_str_equal (arg, "--context")) && i + 1 < argc)
        {
          g_free (globals.context);
          globals.context = g_strdup (argv[++i]);
        }
      else if (g_str_has_prefix (arg, "--context="))
        {
          g_free (globals.context);
          globals.context = g_strdup (arg + strlen ("--context="));
        }
      else if (g_str_equal (arg, "-D") || g_str_equal (arg, "--debug"))
        globals.debug = TRUE;
      else if (g_str_equal (arg, "--tls"))
        globals.tls = TRUE;
      else if (g_str_equal (arg, "--tlsverify"))
        globals.tls = globals.tls_verify = TRUE;
      else if (option_value ("--tlscacert", argc, argv, &i, &globals.tls_ca) ||
               option_value ("--tlscert", argc, argv, &i, &globals.tls_cert) ||
               option_value ("--tlskey", argc, argv, &i, &globals.tls_key))
        ;
      else if (g_str_equal (arg, "-v") || g_str_equal (arg, "--version"))
        {
          printf ("hatake version %s\n", PACKAGE_VERSION);
          clear_globals (&globals);
          return 0;
        }
      else if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help"))
        {
          print_help (stdout);
          clear_globals (&globals);
          return 0;
        }
      else
        {
          fprintf (stderr, _("unknown flag: %s\n"), arg);
          fprintf (stderr, "%s\n", _("See 'hatake --help'."));
          clear_globals (&globals);
          return 125;
        }
    }
  /* as docker's: -H and --context exclude each other; then the host the environment names, then
   * the context it names (then the current one, which hatake_cli_open_engine reads) */
  if (globals.host != NULL && globals.context != NULL)
    {
      fprintf (stderr, "conflicting options: cannot specify both --host and --context\n");
      clear_globals (&globals);
      return 1;
    }
  for (guint v = 0; v < G_N_ELEMENTS (host_variables) && globals.host == NULL && globals.context == NULL; v++)
    if (g_getenv (host_variables[v]) != NULL && *g_getenv (host_variables[v]) != '\0')
      globals.host = g_strdup (g_getenv (host_variables[v]));
  for (guint v = 0; v < G_N_ELEMENTS (context_variables) && globals.host == NULL && globals.context == NULL; v++)
    if (g_getenv (context_variables[v]) != NULL && *g_getenv (context_variables[v]) != '\0')
      globals.context = g_strdup (g_getenv (context_variables[v]));
  /* as docker's: DOCKER_TLS_VERIFY set (to anything) means --tlsverify */
  if (g_getenv ("DOCKER_TLS_VERIFY") != NULL && *g_getenv ("DOCKER_TLS_VERIFY") != '\0')
    globals.tls = globals.tls_verify = TRUE;
  if (globals.debug)
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  if (i >= argc)
    {
      print_help (stderr);
      clear_globals (&globals);
      return 1;
    }

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      guint n = 0;
      while (n < G_N_ELEMENTS (commands[c].words) && commands[c].words[n] != NULL)
        n++;
      if (i + (int) n > argc)
        continue;
      for (guint w = 0; w < n; w++)
        if (!g_str_equal (argv[i + w], commands[c].words[w]))
          goto next;
      {
        /* The command sees "hatake image ls" as its argv[0] and its own arguments after it. */
        g_autofree char *name = g_strjoinv (" ", (char **) commands[c].words);
        g_autofree char *prog = g_strconcat ("hatake ", name, NULL);
        int sub_argc = argc - i - (int) n + 1;
        g_autofree char **sub_argv = g_new0 (char *, sub_argc + 1);
        sub_argv[0] = prog;
        for (int k = 1; k < sub_argc; k++)
          sub_argv[k] = argv[i + (int) n + k - 1];
        g_set_prgname (prog);
        /* a one-shot command's inotify descriptors are closed after it returned, not by its
         * exit, which would wait for the kernel (hatake-inotify.c); a server's are closed as
         * they go */
        if (commands[c].run != hatake_cli_serve)
          hatake_inotify_keep_until_exit ();
        /* the runtime's first cgroup write of a start waits for an RCU grace period (~20 ms
         * here after a quiet moment): taken now, beside the command's own start, rather than
         * from the create on (one-shot run --rm after 300 ms of rest, this build against the
         * one before, alternated, 20 each: 43.0 → 37.3 ms median; back to back, the same) */
        if (commands[c].run == hatake_cli_run || commands[c].run == hatake_cli_start ||
            commands[c].run == hatake_cli_restart || commands[c].run == hatake_cli_exec ||
            commands[c].run == hatake_cli_compose)
          hatake_cgroups_warm_attach_early ();
        status = commands[c].run (&globals, sub_argc, sub_argv);
        hatake_cli_settle (&globals);
        clear_globals (&globals);
        fflush (NULL);
        hatake_inotify_hand_over ();
        return status;
      }
    next:
      ;
    }

  fprintf (stderr, _("hatake: '%s' is not a hatake command.\n"), argv[i]);
  fprintf (stderr, "%s\n", _("See 'hatake --help'"));
  clear_globals (&globals);
  return 1;
}
