/* hatake-cli-compose.c: `hatake compose`, docker compose's commands on any engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Options and printing only: what runs a project is hatake-compose-runner, on the engine
 * hatake_cli_open_engine() picks (the local one, or a remote one through -H or a context).
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

#include "hatake-cli-private.h"
#include "hatake-compose-config.h"
#include "hatake-compose-runner.h"

typedef struct
{
  HatakeCliGlobals *globals;
  GStrv             files;
  char             *project_name;
  GStrv             profiles;
  char             *project_dir;
} Compose;

static void
compose_clear (Compose *c)
{
  g_strfreev (c->files);
  g_free (c->project_name);
  g_strfreev (c->profiles);
  g_free (c->project_dir);
}

static HatakeComposeProject *
load_project (Compose *c, const char * const *services, GError **error)
{
  HatakeComposeOptions options = { 0 };
  HatakeComposeProject *project;
  const char * const *warnings;

  options.project_dir = c->project_dir;
  options.files = (const char * const *) c->files;
  options.project_name = c->project_name;
  options.profiles = (const char * const *) c->profiles;
  options.services = services;
  project = hatake_compose_project_load (&options, error);
  if (project == NULL)
    return NULL;
  warnings = hatake_compose_project_get_warnings (project);
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    fprintf (stderr, "WARN[0000] %s\n", warnings[i]);
  return project;
}

static void
print_event (const char *kind, const char *name, const char *status, gpointer user_data)
{
  if (status == NULL)
    fprintf (stderr, "WARN[0000] %s\n", name);
  else
    fprintf (stderr, " %s %s  %s\n", kind, name, status);
  fflush (stderr);
}

static gboolean
run_op (HatakeEngine *engine, HatakeComposeProject *project, HatakeComposeOp op,
        const HatakeComposeRunOptions *options, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_compose_op_async (engine, project, op, options, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  return hatake_compose_op_finish (engine, result, error);
}

/* The images up would pull, pulled first with `hatake pull`'s progress (on stderr, as docker
 * compose shows it); the runner would pull them too, without it. */
static gboolean
pull_images (HatakeEngine *engine, HatakeComposeProject *project, gboolean all, gboolean quiet, GError **error)
{
  GPtrArray *services = hatake_compose_project_get_services (project);
  int saved = dup (STDOUT_FILENO);
  gboolean ok = TRUE;

  fflush (stdout);
  dup2 (STDERR_FILENO, STDOUT_FILENO);
  for (guint i = 0; ok && i < services->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (services, i);
      g_autoptr(HatakeImage) present = s->image ? hatake_engine_lookup_image (engine, s->image) : NULL;
      g_autoptr(HatakeImage) image = NULL;

      if (s->image == NULL || (present != NULL && !all) || g_strcmp0 (s->pull_policy, "never") == 0)
        continue;
      fprintf (stderr, " %s Pulling\n", s->name);
      image = hatake_cli_pull_image (engine, s->image, s->platform, quiet, error);
      fflush (stdout);
      if (image == NULL)
        {
          g_prefix_error (error, "service \"%s\": ", s->name);
          ok = FALSE;
        }
      else
        fprintf (stderr, " %s Pulled\n", s->name);
    }
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  return ok;
}

/* ---- logs, merged and prefixed ------------------------------------------------------------- */

typedef struct
{
  const char *project;
  gboolean    color;
  gboolean    timestamps;
  guint       width;
  GHashTable *colors;   /* container name → colour index */
} Prefixer;

static const char *
short_name (const char *project, HatakeContainer *c)
{
  const char *name = hatake_container_get_name (c);
  size_t length = strlen (project);

  /* docker compose shows "web-1" for p-web-1 */
  if (strncmp (name, project, length) == 0 && name[length] == '-')
    return name + length + 1;
  return name;
}

static void
print_prefixed (HatakeContainer *c, const HatakeLogEntry *entry, gpointer user_data)
{
  static const int palette[] = { 36, 33, 32, 35, 34, 96, 93, 92, 95, 94 };
  Prefixer *p = user_data;
  const char *name = short_name (p->project, c);
  gsize length;
  const char *data = g_bytes_get_data (entry->content, &length);
  int color = palette[GPOINTER_TO_UINT (g_hash_table_lookup (p->colors, name)) % G_N_ELEMENTS (palette)];

  if (p->color)
    printf ("\033[%dm%-*s |\033[0m ", color, (int) p->width, name);
  else
    printf ("%-*s | ", (int) p->width, name);
  if (p->timestamps)
    {
      g_autofree char *ts = hatake_log_format_timestamp (entry->timestamp);
      printf ("%s ", ts);
    }
  fwrite (data, 1, length, stdout);
  if (entry->partial)
    putchar ('\n');
  fflush (stdout);
}

static void
prefixer_init (Prefixer *p, const char *project, GPtrArray *containers, gboolean no_color)
{
  p->project = project;
  p->color = !no_color && isatty (STDOUT_FILENO);
  p->colors = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < containers->len; i++)
    {
      const char *name = short_name (project, g_ptr_array_index (containers, i));

      p->width = MAX (p->width, strlen (name));
      g_hash_table_insert (p->colors, (gpointer) name, GUINT_TO_POINTER (i));
    }
}

static gboolean
on_interrupt (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* The logs of CONTAINERS until they all end, or Ctrl-C (then *INTERRUPTED). */
static gboolean
follow_logs (HatakeEngine *engine, const char *project, GPtrArray *containers, const HatakeLogOptions *options,
             gboolean no_color, gboolean timestamps, gboolean *interrupted, GError **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  Prefixer prefixer = { 0 };
  guint sigint = g_unix_signal_add (SIGINT, on_interrupt, cancellable);
  guint sigterm = g_unix_signal_add (SIGTERM, on_interrupt, cancellable);
  gboolean ok;

  prefixer_init (&prefixer, project, containers, no_color);
  prefixer.timestamps = timestamps;
  hatake_compose_logs_async (engine, containers, options, print_prefixed, &prefixer, cancellable,
                             hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  ok = hatake_compose_logs_finish (engine, result, error);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_hash_table_unref (prefixer.colors);
  if (interrupted != NULL)
    *interrupted = g_cancellable_is_cancelled (cancellable);
  return ok;
}

/* ---- commands ------------------------------------------------------------------------------ */

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static int
compose_up (Compose *c, int argc, char **argv)
{
  gboolean detach = FALSE, no_color = FALSE, remove_orphans = FALSE, no_start = FALSE, wait = FALSE;
  int wait_timeout = 0;
  g_autofree char *pull = NULL;
  const GOptionEntry entries[] = {
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &detach, N_("Detached mode: Run containers in the background"), NULL },
    { "no-color", 0, 0, G_OPTION_ARG_NONE, &no_color, N_("Produce monochrome output"), NULL },
    { "remove-orphans", 0, 0, G_OPTION_ARG_NONE, &remove_orphans, N_("Remove containers for services not defined in the Compose file"), NULL },
    { "no-start", 0, 0, G_OPTION_ARG_NONE, &no_start, N_("Don't start the services after creating them"), NULL },
    { "pull", 0, 0, G_OPTION_ARG_STRING, &pull, N_("Pull image before running (\"always\"|\"missing\"|\"never\")"), "POLICY" },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait, N_("Wait for services to be running|healthy. Implies detached mode."), NULL },
    { "wait-timeout", 0, 0, G_OPTION_ARG_INT, &wait_timeout, N_("Maximum duration to wait for the project to be running|healthy"), "SECONDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[SERVICE...]", _("Create and start containers"), entries);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint timer = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HatakeComposeRunOptions options = HATAKE_COMPOSE_RUN_OPTIONS_INIT;
  const char * const *services;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  services = argc > 1 ? (const char * const *) argv + 1 : NULL;
  if ((project = load_project (c, services, &error)) == NULL ||
      (engine = hatake_cli_open_engine (c->globals, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  if (g_strcmp0 (pull, "never") != 0 &&
      !pull_images (engine, project, g_strcmp0 (pull, "always") == 0, FALSE, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  options.services = services;
  options.remove_orphans = remove_orphans;
  options.no_start = no_start;
  options.wait = wait;
  options.event = print_event;
  if (wait)
    detach = TRUE;
  if (wait && wait_timeout > 0)
    timer = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, (guint) wait_timeout, cancel_cb, cancellable, NULL);
  hatake_compose_up_async (engine, project, &options, cancellable, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  /* (the timer that cancelled is gone already) */
  if (!g_cancellable_is_cancelled (cancellable))
    g_clear_handle_id (&timer, g_source_remove);
  if (!hatake_compose_up_finish (engine, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&error);
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("timeout waiting for the project to be running and healthy (%d s)"), wait_timeout);
        }
      return hatake_cli_fail (g_steal_pointer (&error));
    }
  if (!detach && !no_start)
    {
      const char *name = hatake_compose_project_get_name (project);
      g_autoptr(GPtrArray) all = hatake_compose_get_containers (engine, name, NULL, FALSE);
      g_autoptr(GPtrArray) attached = g_ptr_array_new_with_free_func (g_object_unref);
      HatakeLogOptions log_options = HATAKE_LOG_OPTIONS_INIT;
      gboolean interrupted = FALSE;

      for (guint i = 0; i < all->len; i++)
        {
          HatakeContainer *ct = g_ptr_array_index (all, i);
          const char *service = hatake_container_get_label (ct, HATAKE_COMPOSE_SERVICE_LABEL);

          if (services == NULL || g_strv_contains (services, service))
            g_ptr_array_add (attached, g_object_ref (ct));
        }
      fprintf (stderr, "Attaching to %u containers\n", attached->len);
      log_options.follow = TRUE;
      if (!follow_logs (engine, name, attached, &log_options, no_color, FALSE, &interrupted, &error))
        return hatake_cli_fail (g_steal_pointer (&error));
      if (interrupted)
        {
          fprintf (stderr, "Gracefully stopping... (press Ctrl+C again to force)\n");
          options.services = NULL;
          if (!run_op (engine, project, HATAKE_COMPOSE_OP_STOP, &options, &error))
            return hatake_cli_fail (g_steal_pointer (&error));
          return 130;
        }
      for (guint i = 0; i < attached->len; i++)
        {
          HatakeContainer *ct = g_ptr_array_index (attached, i);

          if (hatake_container_get_state (ct) == HATAKE_CONTAINER_EXITED)
            printf ("%s exited with code %d\n", short_name (name, ct), hatake_container_get_exit_code (ct));
        }
    }
  return 0;
}

static int
compose_down (Compose *c, int argc, char **argv)
{
  gboolean volumes = FALSE, remove_orphans = FALSE;
  int timeout = -1;
  const GOptionEntry entries[] = {
    { "volumes", 'v', 0, G_OPTION_ARG_NONE, &volumes, N_("Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes attached to containers"), NULL },
    { "remove-orphans", 0, 0, G_OPTION_ARG_NONE, &remove_orphans, N_("Remove containers for services not defined in the Compose file"), NULL },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, N_("Specify a shutdown timeout in seconds"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("Stop and remove containers, networks"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  HatakeComposeRunOptions options = HATAKE_COMPOSE_RUN_OPTIONS_INIT;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc > 1)
    return hatake_cli_usage_error (context, _("accepts no arguments"));
  if ((project = load_project (c, NULL, &error)) == NULL ||
      (engine = hatake_cli_open_engine (c->globals, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  options.volumes = volumes;
  options.remove_orphans = remove_orphans;
  options.timeout = timeout;
  options.event = print_event;
  if (!run_op (engine, project, HATAKE_COMPOSE_OP_DOWN, &options, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  return 0;
}

/* start, stop, restart */
static int
compose_simple_op (Compose *c, int argc, char **argv, HatakeComposeOp op, const char *summary)
{
  int timeout = -1;
  const GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, N_("Specify a shutdown timeout in seconds"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[SERVICE...]", summary,
                                                                  op == HATAKE_COMPOSE_OP_START ? entries + 1 : entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  HatakeComposeRunOptions options = HATAKE_COMPOSE_RUN_OPTIONS_INIT;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  options.services = argc > 1 ? (const char * const *) argv + 1 : NULL;
  if ((project = load_project (c, options.services, &error)) == NULL ||
      (engine = hatake_cli_open_engine (c->globals, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  options.timeout = timeout;
  options.event = print_event;
  if (!run_op (engine, project, op, &options, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  return 0;
}

static JsonNode *
ps_row (const char *project, HatakeContainer *ct)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *status = hatake_container_dup_status (ct, g_get_real_time ());
  g_autofree char *since = hatake_cli_format_since (hatake_container_get_created (ct) / G_USEC_PER_SEC);
  g_autofree char *short_id = hatake_container_dup_short_id (ct);
  g_autofree char *command = g_strdup_printf ("\"%s\"", hatake_container_get_command (ct) ? hatake_container_get_command (ct) : "");
  g_autofree char *labels = g_strjoinv (",", (char **) hatake_container_get_labels (ct));

#define STR(n, v) (json_builder_set_member_name (b, n), json_builder_add_string_value (b, v))
  json_builder_begin_object (b);
  STR ("Command", command);
  STR ("CreatedAt", since);
  json_builder_set_member_name (b, "ExitCode");
  json_builder_add_int_value (b, hatake_container_get_exit_code (ct));
  STR ("Health", "");
  STR ("ID", short_id);
  STR ("Image", hatake_container_get_image (ct) ? hatake_container_get_image (ct) : "");
  STR ("Labels", labels ? labels : "");
  STR ("Name", hatake_container_get_name (ct));
  STR ("Names", hatake_container_get_name (ct));
  STR ("Project", project);
  STR ("RunningFor", since);
  STR ("Service", hatake_container_get_label (ct, HATAKE_COMPOSE_SERVICE_LABEL));
  STR ("State", hatake_container_state_to_string (hatake_container_get_state (ct)));
  STR ("Status", status);
  json_builder_end_object (b);
#undef STR
  return json_builder_get_root (b);
}

static int
compose_ps (Compose *c, int argc, char **argv)
{
  gboolean all = FALSE, quiet = FALSE, services_only = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("Show all stopped containers (including those created by the run command)"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Only display IDs"), NULL },
    { "services", 0, 0, G_OPTION_ARG_NONE, &services_only, N_("Display services"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format the output: table or json"), "FORMAT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[SERVICE...]", _("List containers"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  const char *name;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if ((project = load_project (c, NULL, &error)) == NULL ||
      (engine = hatake_cli_open_engine (c->globals, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  name = hatake_compose_project_get_name (project);
  containers = hatake_compose_get_containers (engine, name, NULL, all);
  if (format == NULL || g_str_equal (format, "table"))
    if (!quiet && !services_only)
      printf ("%-24s %-32s %-22s %-12s %-16s %-24s %s\n", "NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS");
  for (guint i = 0; i < containers->len; i++)
    {
      HatakeContainer *ct = g_ptr_array_index (containers, i);
      const char *service = hatake_container_get_label (ct, HATAKE_COMPOSE_SERVICE_LABEL);
      HatakeContainerState state = hatake_container_get_state (ct);
      g_autoptr(JsonNode) row = NULL;
      JsonObject *o;

      if (argc > 1 && !g_strv_contains ((const char * const *) argv + 1, service))
        continue;
      if (!all && state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_RESTARTING &&
          state != HATAKE_CONTAINER_PAUSED)
        continue;
      row = ps_row (name, ct);
      o = json_node_get_object (row);
      if (quiet)
        printf ("%s\n", hatake_container_get_id (ct));
      else if (services_only)
        printf ("%s\n", service);
      else if (format != NULL && g_str_equal (format, "json"))
        hatake_cli_print_json (row, FALSE);
      else if (format != NULL && !g_str_equal (format, "table"))
        {
          g_autofree char *line = hatake_cli_format_template (row, format, &error);

          if (line == NULL)
            return hatake_cli_fail (g_steal_pointer (&error));
          printf ("%s\n", line);
        }
      else
        printf ("%-24s %-32s %-22s %-12s %-16s %-24s %s\n", json_object_get_string_member (o, "Name"),
                json_object_get_string_member (o, "Image"), json_object_get_string_member (o, "Command"),
                service, json_object_get_string_member (o, "RunningFor"), json_object_get_string_member (o, "Status"), "");
    }
  return 0;
}

static int
compose_logs (Compose *c, int argc, char **argv)
{
  gboolean follow = FALSE, no_color = FALSE, timestamps = FALSE;
  g_autofree char *tail = NULL;
  const GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, N_("Follow log output"), NULL },
    { "no-color", 0, 0, G_OPTION_ARG_NONE, &no_color, N_("Produce monochrome output"), NULL },
    { "timestamps", 't', 0, G_OPTION_ARG_NONE, &timestamps, N_("Show timestamps"), NULL },
    { "tail", 'n', 0, G_OPTION_ARG_STRING, &tail, N_("Number of lines to show from the end of the logs for each container"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[SERVICE...]", _("View output from containers"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;
  const char *name;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (tail != NULL && !g_str_equal (tail, "all"))
    {
      guint64 n;

      if (!g_ascii_string_to_unsigned (tail, 10, 0, G_MAXINT64, &n, NULL))
        return hatake_cli_usage_error (context, _("invalid value for --tail"));
      options.tail = (gint64) n;
    }
  options.follow = follow;
  if ((project = load_project (c, NULL, &error)) == NULL ||
      (engine = hatake_cli_open_engine (c->globals, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  name = hatake_compose_project_get_name (project);
  all = hatake_compose_get_containers (engine, name, NULL, FALSE);
  for (guint i = 0; i < all->len; i++)
    if (argc < 2 || g_strv_contains ((const char * const *) argv + 1,
                                     hatake_container_get_label (g_ptr_array_index (all, i), HATAKE_COMPOSE_SERVICE_LABEL)))
      g_ptr_array_add (chosen, g_object_ref (g_ptr_array_index (all, i)));
  if (!follow_logs (engine, name, chosen, &options, no_color, timestamps, NULL, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  return 0;
}

static HatakeContainer *
first_replica (HatakeEngine *engine, HatakeComposeProject *project, const char *service, GError **error)
{
  g_autoptr(GPtrArray) containers = hatake_compose_get_containers (engine, hatake_compose_project_get_name (project),
                                                                   service, FALSE);

  for (guint i = 0; i < containers->len; i++)
    if (hatake_container_get_state (g_ptr_array_index (containers, i)) == HATAKE_CONTAINER_RUNNING)
      return g_object_ref (g_ptr_array_index (containers, i));
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("service \"%s\" is not running"), service);
  return NULL;
}

static int
compose_exec (Compose *c, int argc, char **argv)
{
  gboolean no_tty = FALSE, detach = FALSE, privileged = FALSE;
  g_auto(GStrv) env = NULL;
  g_autofree char *user = NULL, *workdir = NULL;
  const GOptionEntry entries[] = {
    { "no-TTY", 'T', 0, G_OPTION_ARG_NONE, &no_tty, N_("Disable pseudo-TTY allocation. By default `compose exec` allocates a TTY."), NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &detach, N_("Detached mode: Run command in the background"), NULL },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, N_("Set environment variables"), "KEY=VALUE" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("Run the command as this user"), "USER" },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &workdir, N_("Path to workdir directory for this command"), "DIR" },
    { "privileged", 0, 0, G_OPTION_ARG_NONE, &privileged, N_("Give extended privileges to the process"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("SERVICE COMMAND [ARGS...]",
                                                                  _("Execute a command in a running container"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(GPtrArray) exec_argv = g_ptr_array_new ();

  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 3)
    return hatake_cli_usage_error (context, _("requires at least 2 arguments"));
  if ((project = load_project (c, NULL, &error)) == NULL ||
      (engine = hatake_cli_open_engine (c->globals, &error)) == NULL ||
      (container = first_replica (engine, project, argv[1], &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  /* `hatake exec` does the rest, on the same engine (the data root's owner, or -H's) */
  g_clear_object (&engine);
  hatake_cli_settle (c->globals);
  g_ptr_array_add (exec_argv, (char *) "hatake exec");
  g_ptr_array_add (exec_argv, (char *) (detach ? "-d" : "-i"));
  if (!no_tty && !detach && isatty (STDIN_FILENO))
    g_ptr_array_add (exec_argv, (char *) "-t");
  if (privileged)
    g_ptr_array_add (exec_argv, (char *) "--privileged");
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_ptr_array_add (exec_argv, (char *) "-e");
      g_ptr_array_add (exec_argv, env[i]);
    }
  if (user != NULL)
    {
      g_ptr_array_add (exec_argv, (char *) "-u");
      g_ptr_array_add (exec_argv, user);
    }
  if (workdir != NULL)
    {
      g_ptr_array_add (exec_argv, (char *) "-w");
      g_ptr_array_add (exec_argv, workdir);
    }
  g_ptr_array_add (exec_argv, (char *) hatake_container_get_name (container));
  for (int i = 2; i < argc; i++)
    g_ptr_array_add (exec_argv, argv[i]);
  g_ptr_array_add (exec_argv, NULL);
  return hatake_cli_exec (c->globals, (int) exec_argv->len - 1, (char **) exec_argv->pdata);
}

static int
compose_run (Compose *c, int argc, char **argv)
{
  gboolean rm = FALSE, no_tty = FALSE, no_deps = FALSE, detach = FALSE;
  g_auto(GStrv) env = NULL;
  g_autofree char *entrypoint = NULL, *user = NULL, *workdir = NULL, *name_option = NULL;
  const GOptionEntry entries[] = {
    { "rm", 0, 0, G_OPTION_ARG_NONE, &rm, N_("Automatically remove the container when it exits"), NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &detach, N_("Run container in background and print container ID"), NULL },
    { "no-TTY", 'T', 0, G_OPTION_ARG_NONE, &no_tty, N_("Disable pseudo-TTY allocation (default: auto-detected)"), NULL },
    { "no-deps", 0, 0, G_OPTION_ARG_NONE, &no_deps, N_("Don't start linked services"), NULL },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, N_("Set environment variables"), "KEY=VALUE" },
    { "entrypoint", 0, 0, G_OPTION_ARG_STRING, &entrypoint, N_("Override the entrypoint of the image"), "CMD" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("Run as specified username or uid"), "USER" },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &workdir, N_("Working directory inside the container"), "DIR" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name_option, N_("Assign a name to the container"), "NAME" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("SERVICE [COMMAND] [ARGS...]",
                                                                  _("Run a one-off command on a service"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) wait_result = NULL;
  g_autoptr(GAsyncResult) start_result = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) environment = g_strv_builder_new ();
  HatakeComposeService *service;
  gboolean tty;
  int status = 0;

  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  {
    const char *wanted[] = { argv[1], NULL };

    if ((project = load_project (c, wanted, &error)) == NULL ||
        (engine = hatake_cli_open_engine (c->globals, &error)) == NULL)
      return hatake_cli_fail (g_steal_pointer (&error));
  }
  service = hatake_compose_project_get_service (project, argv[1]);
  if (service == NULL)
    return hatake_cli_fail (g_error_new (HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("no such service: %s"), argv[1]));
  if (!pull_images (engine, project, FALSE, FALSE, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  /* what it depends on runs first, as up would start it */
  if (!no_deps && service->depends_on->len > 0)
    {
      HatakeComposeRunOptions options = HATAKE_COMPOSE_RUN_OPTIONS_INIT;
      g_autoptr(GStrvBuilder) deps = g_strv_builder_new ();
      g_auto(GStrv) deps_v = NULL;

      for (guint i = 0; i < service->depends_on->len; i++)
        g_strv_builder_add (deps, ((HatakeComposeDependency *) g_ptr_array_index (service->depends_on, i))->service);
      deps_v = g_strv_builder_end (deps);
      options.services = (const char * const *) deps_v;
      options.event = print_event;
      hatake_compose_up_async (engine, project, &options, NULL, hatake_cli_store_result, &result);
      hatake_cli_wait ((gpointer *) &result);
      if (!hatake_compose_up_finish (engine, result, &error))
        return hatake_cli_fail (g_steal_pointer (&error));
      g_clear_object (&result);
    }
  config = hatake_compose_project_container_config (project, service, 1);
  g_free (config->name);
  if (name_option != NULL)
    config->name = g_strdup (name_option);
  else
    {
      g_autofree char *hex = g_strdup_printf ("%08x%04x", g_random_int (), g_random_int () & 0xffff);
      config->name = g_strdup_printf ("%s-%s-run-%s", hatake_compose_project_get_name (project), service->name, hex);
    }
  for (guint i = 0; config->labels[i] != NULL; i++)
    if (!g_str_has_prefix (config->labels[i], HATAKE_COMPOSE_ONEOFF_LABEL "="))
      g_strv_builder_add (labels, config->labels[i]);
  g_strv_builder_add (labels, HATAKE_COMPOSE_ONEOFF_LABEL "=True");
  g_strfreev (config->labels);
  config->labels = g_strv_builder_end (labels);
  /* compose run publishes no ports (unless --service-ports, not done) */
  g_clear_pointer (&config->publish, g_strfreev);
  if (argc > 2)
    {
      g_strfreev (config->cmd);
      config->cmd = g_strdupv (argv + 2);
    }
  if (entrypoint != NULL)
    {
      const char *ep[] = { entrypoint, NULL };

      g_strfreev (config->entrypoint);
      config->entrypoint = *entrypoint ? g_strdupv ((char **) ep) : g_new0 (char *, 1);
    }
  if (config->env != NULL)
    g_strv_builder_addv (environment, (const char **) config->env);
  if (env != NULL)
    g_strv_builder_addv (environment, (const char **) env);
  g_strfreev (config->env);
  config->env = g_strv_builder_end (environment);
  if (user != NULL)
    g_free (config->user), config->user = g_strdup (user);
  if (workdir != NULL)
    g_free (config->working_dir), config->working_dir = g_strdup (workdir);
  tty = !no_tty && !detach && isatty (STDIN_FILENO);
  config->tty = tty;
  config->open_stdin = !detach;
  config->restart = HATAKE_RESTART_NO;
  hatake_engine_create_container_async (engine, config, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  container = hatake_engine_create_container_finish (engine, result, &error);
  if (container == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  if (!detach)
    hatake_engine_container_op_async (engine, config->name, HATAKE_CONTAINER_OP_WAIT, NULL, NULL,
                                      hatake_cli_store_result, &wait_result);
  hatake_engine_container_op_async (engine, config->name, HATAKE_CONTAINER_OP_START, NULL, NULL,
                                    hatake_cli_store_result, &start_result);
  hatake_cli_wait ((gpointer *) &start_result);
  started = hatake_engine_container_op_finish (engine, start_result, &error);
  if (error != NULL)
    status = hatake_cli_fail (g_steal_pointer (&error));
  else if (detach)
    printf ("%s\n", hatake_container_get_id (container));
  else
    {
      g_autoptr(JsonNode) waited = NULL;
      gboolean ok;

      if (tty || isatty (STDIN_FILENO))
        ok = hatake_cli_attach_terminal (engine, config->name, TRUE, tty, &error);
      else
        {
          HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;

          options.follow = TRUE;
          ok = hatake_cli_stream_logs (engine, config->name, &options, FALSE, &error);
        }
      if (!ok)
        {
          fprintf (stderr, "Error: %s\n", error->message);
          g_clear_error (&error);
        }
      hatake_cli_wait ((gpointer *) &wait_result);
      waited = hatake_engine_container_op_finish (engine, wait_result, &error);
      if (waited == NULL)
        status = hatake_cli_fail (g_steal_pointer (&error));
      else
        status = (int) json_object_get_int_member (json_node_get_object (waited), "StatusCode");
    }
  if (rm && !detach)
    {
      HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE };
      g_autoptr(GAsyncResult) removed = NULL;
      g_autoptr(JsonNode) node = NULL;

      hatake_engine_container_op_async (engine, config->name, HATAKE_CONTAINER_OP_REMOVE, &args, NULL,
                                        hatake_cli_store_result, &removed);
      hatake_cli_wait ((gpointer *) &removed);
      node = hatake_engine_container_op_finish (engine, removed, NULL);
    }
  return status;
}

static int
compose_pull (Compose *c, int argc, char **argv)
{
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Pull without printing progress information"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[SERVICE...]", _("Pull service images"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(HatakeEngine) engine = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if ((project = load_project (c, argc > 1 ? (const char * const *) argv + 1 : NULL, &error)) == NULL ||
      (engine = hatake_cli_open_engine (c->globals, &error)) == NULL ||
      !pull_images (engine, project, TRUE, quiet, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  return 0;
}

static int
compose_config (Compose *c, int argc, char **argv)
{
  g_autofree char *format = NULL;
  gboolean services = FALSE, quiet = FALSE;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format the output. Values: [yaml | json]"), "FORMAT" },
    { "services", 0, 0, G_OPTION_ARG_NONE, &services, N_("Print the service names, one per line"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Only validate the configuration, don't print anything"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[SERVICE...]", _("Parse, resolve and render compose file in canonical format"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (format != NULL && !g_str_equal (format, "yaml") && !g_str_equal (format, "json"))
    return hatake_cli_usage_error (context, _("unsupported format"));
  if ((project = load_project (c, NULL, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  if (quiet)
    return 0;
  if (services)
    {
      GPtrArray *list = hatake_compose_project_get_services (project);

      for (guint i = 0; i < list->len; i++)
        printf ("%s\n", ((HatakeComposeService *) g_ptr_array_index (list, i))->name);
      return 0;
    }
  node = hatake_compose_project_to_json (project);
  if (format != NULL && g_str_equal (format, "json"))
    hatake_cli_print_json (node, TRUE);
  else
    {
      g_autofree char *yaml = hatake_compose_json_to_yaml (node, &error);

      if (yaml == NULL)
        return hatake_cli_fail (g_steal_pointer (&error));
      fputs (yaml, stdout);
    }
  return 0;
}

static int
compose_ls (Compose *c, int argc, char **argv)
{
  gboolean all = FALSE, quiet = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("Show all stopped Compose projects"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Only display IDs"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format the output. Values: [table | json]"), "FORMAT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("List running compose projects"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(JsonNode) projects = NULL;
  g_autoptr(JsonArray) shown = json_array_new ();
  JsonArray *list;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if ((engine = hatake_cli_open_engine (c->globals, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  projects = hatake_compose_list_projects (engine);
  list = json_node_get_array (projects);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);

      if (all || strstr (json_object_get_string_member (o, "Status"), "running") != NULL)
        json_array_add_element (shown, json_node_copy (json_array_get_element (list, i)));
    }
  if (format != NULL && g_str_equal (format, "json"))
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), shown);

      hatake_cli_print_json (root, FALSE);
      return 0;
    }
  if (!quiet)
    printf ("%-24s %-24s %s\n", "NAME", "STATUS", "CONFIG FILES");
  for (guint i = 0; i < json_array_get_length (shown); i++)
    {
      JsonObject *o = json_array_get_object_element (shown, i);

      if (quiet)
        printf ("%s\n", json_object_get_string_member (o, "Name"));
      else
        printf ("%-24s %-24s %s\n", json_object_get_string_member (o, "Name"),
                json_object_get_string_member (o, "Status"), json_object_get_string_member (o, "ConfigFiles"));
    }
  return 0;
}

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage:  hatake compose [OPTIONS] COMMAND"));
  fprintf (out, "%s\n\n", _("Define and run multi-container applications"));
  fprintf (out, "%s\n", _("Options:"));
  fprintf (out, "  -f, --file FILE              %s\n", _("Compose configuration files"));
  fprintf (out, "  -p, --project-name NAME      %s\n", _("Project name"));
  fprintf (out, "      --profile PROFILE        %s\n", _("Specify a profile to enable"));
  fprintf (out, "      --project-directory DIR  %s\n", _("Specify an alternate working directory"));
  fprintf (out, "\n%s\n", _("Commands:"));
  fprintf (out, "  config    %s\n", _("Parse, resolve and render compose file in canonical format"));
  fprintf (out, "  down      %s\n", _("Stop and remove containers, networks"));
  fprintf (out, "  exec      %s\n", _("Execute a command in a running container"));
  fprintf (out, "  logs      %s\n", _("View output from containers"));
  fprintf (out, "  ls        %s\n", _("List running compose projects"));
  fprintf (out, "  ps        %s\n", _("List containers"));
  fprintf (out, "  pull      %s\n", _("Pull service images"));
  fprintf (out, "  restart   %s\n", _("Restart service containers"));
  fprintf (out, "  run       %s\n", _("Run a one-off command on a service"));
  fprintf (out, "  start     %s\n", _("Start services"));
  fprintf (out, "  stop      %s\n", _("Stop services"));
  fprintf (out, "  up        %s\n", _("Create and start containers"));
}

/* --NAME VALUE, -N VALUE or --NAME=VALUE at argv[*i] */
static gboolean
option_value (const char *name, const char *short_name, int argc, char **argv, int *i, const char **value)
{
  const char *arg = argv[*i];
  size_t length = strlen (name);

  if ((g_str_equal (arg, name) || g_strcmp0 (arg, short_name) == 0) && *i + 1 < argc)
    {
      *value = argv[++*i];
      return TRUE;
    }
  if (strncmp (arg, name, length) == 0 && arg[length] == '=')
    {
      *value = arg + length + 1;
      return TRUE;
    }
  return FALSE;
}

/* `hatake compose [-f FILE]... [-p NAME] [--profile P]... [--project-directory DIR] COMMAND …` */
int
hatake_cli_compose (HatakeCliGlobals *globals, int argc, char **argv)
{
  Compose c = { .globals = globals };
  g_autoptr(GStrvBuilder) files = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) profiles = g_strv_builder_new ();
  gboolean any_file = FALSE, any_profile = FALSE;
  g_autofree char *prog = NULL;
  const char *command;
  int i = 1, status;

  for (; i < argc && argv[i][0] == '-'; i++)
    {
      const char *arg = argv[i];
      const char *value = NULL;

      if (option_value ("--file", "-f", argc, argv, &i, &value))
        g_strv_builder_add (files, value), any_file = TRUE;
      else if (option_value ("--project-name", "-p", argc, argv, &i, &value))
        g_free (c.project_name), c.project_name = g_strdup (value);
      else if (option_value ("--profile", NULL, argc, argv, &i, &value))
        g_strv_builder_add (profiles, value), any_profile = TRUE;
      else if (option_value ("--project-directory", NULL, argc, argv, &i, &value))
        g_free (c.project_dir), c.project_dir = g_strdup (value);
      else if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help"))
        {
          print_help (stdout);
          compose_clear (&c);
          return 0;
        }
      else
        {
          fprintf (stderr, _("unknown flag: %s\n"), arg);
          print_help (stderr);
          compose_clear (&c);
          return 125;
        }
    }
  if (any_file)
    c.files = g_strv_builder_end (files);
  if (any_profile)
    c.profiles = g_strv_builder_end (profiles);
  if (i >= argc)
    {
      print_help (stderr);
      compose_clear (&c);
      return 1;
    }
  command = argv[i];
  prog = g_strconcat ("hatake compose ", command, NULL);
  g_set_prgname (prog);
  argv += i;
  argc -= i;
  argv[0] = prog;
  if (g_str_equal (command, "up"))
    status = compose_up (&c, argc, argv);
  else if (g_str_equal (command, "down"))
    status = compose_down (&c, argc, argv);
  else if (g_str_equal (command, "ps"))
    status = compose_ps (&c, argc, argv);
  else if (g_str_equal (command, "logs"))
    status = compose_logs (&c, argc, argv);
  else if (g_str_equal (command, "start"))
    status = compose_simple_op (&c, argc, argv, HATAKE_COMPOSE_OP_START, _("Start services"));
  else if (g_str_equal (command, "stop"))
    status = compose_simple_op (&c, argc, argv, HATAKE_COMPOSE_OP_STOP, _("Stop services"));
  else if (g_str_equal (command, "restart"))
    status = compose_simple_op (&c, argc, argv, HATAKE_COMPOSE_OP_RESTART, _("Restart service containers"));
  else if (g_str_equal (command, "exec"))
    status = compose_exec (&c, argc, argv);
  else if (g_str_equal (command, "run"))
    status = compose_run (&c, argc, argv);
  else if (g_str_equal (command, "pull"))
    status = compose_pull (&c, argc, argv);
  else if (g_str_equal (command, "config") || g_str_equal (command, "convert"))
    status = compose_config (&c, argc, argv);
  else if (g_str_equal (command, "ls"))
    status = compose_ls (&c, argc, argv);
  else
    {
      fprintf (stderr, _("hatake compose: '%s' is not a compose command.\n"), command);
      status = 1;
    }
  compose_clear (&c);
  return status;
}
