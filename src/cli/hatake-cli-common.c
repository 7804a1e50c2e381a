/* hatake-cli-common.c: what every `hatake` command shares
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <stdio.h>
#include <string.h>


#include "hatake-cli-private.h"
#include "hatake-client-engine.h"
#include "hatake-local-engine.h"
#include "hatake-owner.h"

/* The engine is in this process for now; once the API lands, a running owner of the data root
 * is reached through its socket instead (DESIGN.md: one owner per data root). */
/* Whether the data root's owner is a long-running engine (hatake serve, the app) rather than
 * another one-shot command or an exit command, which will be done in a moment. */
static gboolean
owner_is_long_running (const char *data_root)
{
  g_autofree char *root = data_root ? g_strdup (data_root) : hatake_default_data_root ();
  g_autofree char *lock = g_build_filename (root, "lock", NULL);
  g_autofree char *pid = NULL;

  if (!g_file_get_contents (lock, &pid, NULL, NULL))
    return FALSE;
  g_strstrip (pid);
  return hatake_owner_is_long_running (pid);
}

/* The engine at ENDPOINT, its models read. */
static HatakeEngine *
open_remote_engine (HatakeCliGlobals *globals, const HatakeEndpoint *endpoint, GError **error)
{
  g_autoptr(HatakeClientEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  engine = hatake_client_engine_new (endpoint, error);
  if (engine == NULL)
    return NULL;
  hatake_client_engine_set_one_off (engine, globals->one_off);
  hatake_client_engine_connect_async (engine, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  if (!hatake_client_engine_connect_finish (engine, result, error))
    {
      g_prefix_error (error, _("Cannot reach the engine at %s: "), endpoint->host);
      return NULL;
    }
  return HATAKE_ENGINE (g_steal_pointer (&engine));
}

HatakeEngine *
hatake_cli_open_engine (HatakeCliGlobals  *globals,
                        GError           **error)
{
  gboolean may_be_remote = !globals->local_only && !globals->existing_only;

  g_autoptr(HatakeLocalEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HatakeEndpoint) endpoint = NULL;
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  gint64 serving_deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  gulong wait_us = 5 * 1000;
  GError *local_error = NULL;

  /* -H, or the context's engine; serve, system reset and conmon's exit command stay local */
  if (may_be_remote && !hatake_cli_context_endpoint (globals, &endpoint, error))
    return NULL;
  if (endpoint != NULL)
    return open_remote_engine (globals, endpoint, error);
  /* A command takes the data root itself, waiting for another short-lived holder (a command,
   * conmon's exit command) rather than fail; a long-running owner (hatake serve, the app) is
   * used through the socket it serves. */
  while ((engine = globals->existing_only ? hatake_local_engine_new_existing (globals->data_root, &local_error)
                                          : hatake_local_engine_new (globals->data_root, NULL, &local_error)) == NULL)
    {
      if (g_error_matches (local_error, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED) && may_be_remote &&
          owner_is_long_running (globals->data_root))
        {
          g_autofree char *root = globals->data_root ? g_strdup (globals->data_root) : hatake_default_data_root ();
          g_autofree char *socket = hatake_client_owner_host (root);

          if (socket != NULL)
            {
              g_autoptr(HatakeEndpoint) owner = hatake_endpoint_new (socket);

              g_clear_error (&local_error);
              return open_remote_engine (globals, owner, error);
            }
        }
      /* a long-running owner that serves no socket yet may be starting (hatake serve publishes
       * it a moment after taking the data root): a few seconds for it. conmon's exit command
       * (existing_only) has nothing to wait for there: that owner sees exits itself, and one
       * still starting reads them when it recovers. */
      if (!g_error_matches (local_error, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED) ||
          (owner_is_long_running (globals->data_root) &&
           (globals->existing_only || g_get_monotonic_time () > serving_deadline)) ||
          g_get_monotonic_time () > deadline)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      g_clear_error (&local_error);
      /* the holder is usually a one-shot command about to finish: soon again, then less often
       * (conmon's exit commands of a `compose down` wait here by the dozen, and took the CPU
       * the command they wait for needed) */
      g_usleep (wait_us);
      wait_us = MIN (wait_us * 2, 100 * 1000);
    }
  /* a one-shot command probes no healthchecks (hatake serve turns them on again): its engine is
   * gone before a probe is due. It first catches up with what happened while no engine ran. */
  hatake_local_engine_set_healthchecks (engine, FALSE);
  /* nor does it wait for the deletion of a --rm container's files at its exit (2 to 8 ms of
   * every `hatake run --rm` here): conmon's exit command, hatake-exited, waits for this
   * process's end and deletes what is left of them. system recover is that exit command's
   * own engine: none follows it. */
  hatake_local_engine_set_exit_cleanup_left (engine, !globals->existing_only);
  hatake_local_engine_recover_async (engine, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  if (!hatake_local_engine_recover_finish (engine, result, error))
    return NULL;
  if (globals->engines == NULL)
    globals->engines = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (globals->engines, g_object_ref (engine));
  return HATAKE_ENGINE (g_steal_pointer (&engine));
}

/* What the command's engines still have under way (a network teardown after an exit, a removal)
 * finishes before the process exits: none is left half done. */
void
hatake_cli_settle (HatakeCliGlobals *globals)
{
  for (guint i = 0; globals->engines != NULL && i < globals->engines->len; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;

      hatake_local_engine_settle_async (g_ptr_array_index (globals->engines, i), NULL, hatake_cli_store_result, &result);
      hatake_cli_wait ((gpointer *) &result);
      hatake_local_engine_settle_finish (g_ptr_array_index (globals->engines, i), result, NULL);
    }
  g_clear_pointer (&globals->engines, g_ptr_array_unref);
}

void
hatake_cli_store_result (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* A command line tool may wait: spin the main context until the operation reports. */
GAsyncResult *
hatake_cli_wait (gpointer *result_slot)
{
  while (*result_slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result_slot;
}

int
hatake_cli_fail (GError *error)
{
  fprintf (stderr, "Error: %s\n", error->message);
  g_error_free (error);
  return 1;
}

int
hatake_cli_usage_error (GOptionContext *context,
                        const char     *message)
{
  fprintf (stderr, "%s: %s\n", g_get_prgname (), message);
  fprintf (stderr, _("See '%s --help'.\n"), g_get_prgname ());
  return 125;
}

GOptionContext *
hatake_cli_option_context (const char         *usage,
                           const char         *summary,
                           const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (usage);

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return context;
}

/* go-units' sizes: BASE 1000 (decimal units, three significant digits: "4.26MB", "567kB", as
 * docker shows sizes) or 1024 (binary units, four: "484KiB", "23.54GiB", its MEM USAGE) */
static char *
format_size (gint64 bytes,
             gboolean binary)
{
  static const char * const decimal[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  static const char * const binary_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
  const char * const *units = binary ? binary_units : decimal;
  double base = binary ? 1024.0 : 1000.0;
  double value = (double) bytes;
  guint unit = 0;

  while (value >= base && unit + 1 < G_N_ELEMENTS (decimal))
    {
      value /= base;
      unit++;
    }
  return g_strdup_printf (binary ? "%.4g%s" : "%.3g%s", value, units[unit]);
}

char *
hatake_cli_format_size (gint64 bytes)
{
  return format_size (bytes, FALSE);
}

char *
hatake_cli_format_binary_size (gint64 bytes)
{
  return format_size (bytes, TRUE);
}

/* docker's "3 days ago", from go-units' HumanDuration. */
char *
hatake_cli_format_since (gint64 unix_seconds)
{
  gint64 s = g_get_real_time () / G_USEC_PER_SEC - unix_seconds;
  gint64 m = s / 60, h = m / 60;
  g_autofree char *d = NULL;

  if (unix_seconds <= 0)
    return g_strdup ("N/A");
  if (s < 1)
    d = g_strdup ("Less than a second");
  else if (s == 1)
    d = g_strdup ("1 second");
  else if (s < 60)
    d = g_strdup_printf ("%" G_GINT64_FORMAT " seconds", s);
  else if (m == 1)
    d = g_strdup ("About a minute");
  else if (m < 60)
    d = g_strdup_printf ("%" G_GINT64_FORMAT " minutes", m);
  else if ((s + 1800) / 3600 == 1)
    d = g_strdup ("About an hour");
  else if (h < 48)
    d = g_strdup_printf ("%" G_GINT64_FORMAT " hours", (s + 1800) / 3600);
  else if (h < 24 * 7 * 2)
    d = g_strdup_printf ("%" G_GINT64_FORMAT " days", h / 24);
  else if (h < 24 * 30 * 2)
    d = g_strdup_printf ("%" G_GINT64_FORMAT " weeks", h / 24 / 7);
  else if (h < 24 * 365 * 2)
    d = g_strdup_printf ("%" G_GINT64_FORMAT " months", h / 24 / 30);
  else
    d = g_strdup_printf ("%" G_GINT64_FORMAT " years", h / 24 / 365);
  return g_strconcat (d, " ago", NULL);
}

void
hatake_cli_print_json (JsonNode *node,
                       gboolean  pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 4);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

static void
append_value (GString *out, JsonNode *node, gboolean as_json)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, as_json ? "null" : "<no value>");
      return;
    }
  if (!as_json && JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);
      if (type == G_TYPE_STRING)
        g_string_append (out, json_node_get_string (node));
      else if (type == G_TYPE_INT64)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      else if (type == G_TYPE_BOOLEAN)
        g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      else
        g_string_append_printf (out, "%g", json_node_get_double (node));
      return;
    }
  if (!as_json && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          if (i)
            g_string_append_c (out, ' ');
          append_value (out, json_array_get_element (a, i), FALSE);
        }
      g_string_append_c (out, ']');
      return;
    }
  {
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autofree char *text = NULL;
    json_generator_set_root (gen, node);
    text = json_generator_to_data (gen, NULL);
    g_string_append (out, text);
  }
}

/* The part of Go's text/template that scripts use with docker's --format: {{.Field}},
 * {{.Field.Sub}}, {{json .}}, {{json .Field}} and {{len .Field}}, with \t and \n as in docker. */
char *
hatake_cli_format_template (JsonNode    *root,
                            const char  *template,
                            GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = template;

  while (*p)
    {
      const char *open = strstr (p, "{{");
      const char *close;
      g_autofree char *action = NULL;
      gboolean as_json = FALSE, as_len = FALSE;
      const char *path;
      JsonNode *node = root;

      if (open == NULL)
        open = p + strlen (p);
      for (; p < open; p++)
        {
          if (p[0] == '\\' && p[1] == 't')
            g_string_append_c (out, '\t'), p++;
          else if (p[0] == '\\' && p[1] == 'n')
            g_string_append_c (out, '\n'), p++;
          else
            g_string_append_c (out, *p);
        }
      if (*p == '\0')
        break;
      close = strstr (open, "}}");
      if (close == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "template parsing error: unclosed action in “%s”", template);
          return NULL;
        }
      action = g_strstrip (g_strndup (open + 2, close - open - 2));
      path = action;
      if (g_str_has_prefix (path, "json ") || g_str_has_prefix (path, "len "))
        {
          as_json = path[0] == 'j';
          as_len = path[0] == 'l';
          path += as_json ? 5 : 4;
          while (*path == ' ')
            path++;
        }
      if (path[0] != '.')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "template parsing error: unsupported action “%s”", action);
          return NULL;
        }
      if (path[1] != '\0')
        {
          g_auto(GStrv) parts = g_strsplit (path + 1, ".", -1);
          for (guint i = 0; parts[i] && node != NULL; i++)
            node = JSON_NODE_HOLDS_OBJECT (node) ? json_object_get_member (json_node_get_object (node), parts[i])
                                                  : NULL;
          if (node == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "template: can't evaluate field %s", path + 1);
              return NULL;
            }
        }
      if (as_len)
        {
          if (JSON_NODE_HOLDS_OBJECT (node))
            g_string_append_printf (out, "%u", json_object_get_size (json_node_get_object (node)));
          else if (JSON_NODE_HOLDS_ARRAY (node))
            g_string_append_printf (out, "%u", json_array_get_length (json_node_get_array (node)));
          else if (JSON_NODE_HOLDS_NULL (node))
            g_string_append (out, "0");
          else if (json_node_get_value_type (node) == G_TYPE_STRING)
            g_string_append_printf (out, "%zu", strlen (json_node_get_string (node)));
          else
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "template: error calling len: len of type %s", json_node_type_name (node));
              return NULL;
            }
        }
      else
        append_value (out, node, as_json);
      p = close + 2;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* `inspect` of volumes, networks…: each NAME through LOOKUP, as a JSON array or one FORMAT
 * line each; a name that fails is said on stderr and makes the status 1. */
int
hatake_cli_inspect_each (HatakeEngine       *engine,
                         int                 argc,
                         char              **argv,
                         const char         *format,
                         HatakeCliObjectFunc lookup)
{
  g_autoptr(JsonArray) all = json_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  for (int i = 1; i < argc; i++)
    {
      JsonNode *object = lookup (engine, argv[i], &error);

      if (object == NULL)
        {
          fprintf (stderr, "Error: %s\n", error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }
      if (format != NULL && !g_str_equal (format, "json"))
        {
          g_autofree char *line = hatake_cli_format_template (object, format, &error);

          json_node_unref (object);
          if (line == NULL)
            return hatake_cli_fail (g_steal_pointer (&error));
          printf ("%s\n", line);
          continue;
        }
      json_array_add_element (all, object);
    }
  if (format == NULL || g_str_equal (format, "json"))
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), all);

      hatake_cli_print_json (root, TRUE);
    }
  return status;
}

/* `rm` of volumes, networks…: each NAME through REMOVE, printed when gone; with FORCE a name
 * that does not exist is no error. */
int
hatake_cli_remove_each (HatakeEngine       *engine,
                        int                 argc,
                        char              **argv,
                        gboolean            force,
                        HatakeCliObjectFunc remove)
{
  int status = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node G_GNUC_UNUSED = remove (engine, argv[i], &error);

      if (error != NULL)
        {
          if (!(force && g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND)))
            {
              fprintf (stderr, "Error response from daemon: %s\n", error->message);
              status = 1;
            }
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return status;
}

/* "512m", "1g", "1048576": docker's units, powers of 1024. */
gboolean
hatake_cli_parse_bytes (const char *text, gint64 *out)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);
  double mult = 1;

  if (end == text || value < 0)
    return FALSE;
  switch (g_ascii_tolower (*end))
    {
    case '\0': break;
    case 'b': end++; break;
    case 'k': mult = 1024.0; end++; break;
    case 'm': mult = 1024.0 * 1024; end++; break;
    case 'g': mult = 1024.0 * 1024 * 1024; end++; break;
    default: return FALSE;
    }
  if (g_ascii_tolower (*end) == 'b')
    end++;
  if (*end != '\0')
    return FALSE;
  *out = (gint64) (value * mult);
  return TRUE;
}

/* --cpus: a number of CPUs, 0 or more ("1.5") */
gboolean
hatake_cli_parse_cpus (const char *text, double *out, GError **error)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !(value >= 0))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid argument \"%s\" for \"--cpus\" flag"), text);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* --memory-swap: a size, or -1 for unlimited swap */
gboolean
hatake_cli_parse_memory_swap (const char *text, gint64 *out, GError **error)
{
  if (g_str_equal (text, "-1"))
    *out = -1;
  else if (!hatake_cli_parse_bytes (text, out))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid argument \"%s\" for \"--memory-swap\" flag"),
                   text);
      return FALSE;
    }
  return TRUE;
}
