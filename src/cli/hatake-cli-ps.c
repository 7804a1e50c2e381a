/* hatake-cli-ps.c: `hatake ps`, docker's columns, filters and formats
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hatake-cli-private.h"
#include "hatake-json.h"
#include "hatake-client-engine.h"
#include "hatake-local-engine.h"

/* docker ps's PORTS: "127.0.0.1:8080->80/tcp, 443/tcp", by container port */
static char *
ps_ports (JsonObject *inspect)
{
  JsonObject *ports = hatake_json_object_member (hatake_json_object_member (inspect, "NetworkSettings"), "Ports");
  g_autoptr(GList) keys = ports ? json_object_get_members (ports) : NULL;
  GString *text = g_string_new (NULL);

  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      JsonArray *bindings = hatake_json_array_member (ports, l->data);
      guint n = bindings ? json_array_get_length (bindings) : 0;

      for (guint i = 0; i < MAX (n, 1); i++)
        {
          JsonObject *b = n ? json_array_get_object_element (bindings, i) : NULL;
          const char *ip = b ? hatake_json_string (b, "HostIp") : NULL;
          const char *port = b ? hatake_json_string (b, "HostPort") : NULL;

          if (text->len > 0)
            g_string_append (text, ", ");
          if (port != NULL && ip != NULL && strchr (ip, ':') != NULL)
            g_string_append_printf (text, "[%s]:%s->", ip, port);
          else if (port != NULL)
            g_string_append_printf (text, "%s:%s->", ip && *ip ? ip : "0.0.0.0", port);
          g_string_append (text, l->data);
        }
    }
  return g_string_free (text, FALSE);
}

/* docker ps's NETWORKS, MOUNTS and LOCAL VOLUMES from the container's inspect */
static void
ps_attachments (JsonObject  *inspect,
                char       **networks,
                char       **mounts,
                char       **local_volumes)
{
  JsonObject *nets = hatake_json_object_member (hatake_json_object_member (inspect, "NetworkSettings"), "Networks");
  JsonArray *list = hatake_json_array_member (inspect, "Mounts");
  g_autoptr(GList) keys = nets ? json_object_get_members (nets) : NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func (g_free);
  guint volumes = 0;

  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    g_ptr_array_add (names, g_strdup (l->data));
  g_ptr_array_add (names, NULL);
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *m = json_array_get_object_element (list, i);
      gboolean volume = g_strcmp0 (hatake_json_string (m, "Type"), "volume") == 0;

      volumes += volume;
      g_ptr_array_add (sources, g_strdup (hatake_json_string_or (m, volume ? "Name" : "Source", "")));
    }
  g_ptr_array_add (sources, NULL);
  *networks = g_strjoinv (",", (char **) names->pdata);
  *mounts = g_strjoinv (",", (char **) sources->pdata);
  *local_volumes = g_strdup_printf ("%u", volumes);
}

/* inspect: the container's (NULL: the columns it gives are left empty) */
static JsonNode *
ps_row (HatakeContainer *c, gboolean no_trunc, JsonObject *inspect)
{
  g_autofree char *ports = inspect ? ps_ports (inspect) : g_strdup ("");
  g_autofree char *networks = NULL, *mounts = NULL, *local_volumes = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *id = no_trunc ? g_strdup (hatake_container_get_id (c)) : hatake_container_dup_short_id (c);
  g_autofree char *status = hatake_container_dup_status (c, g_get_real_time ());
  g_autofree char *since = hatake_cli_format_since (hatake_container_get_created (c) / G_USEC_PER_SEC);
  g_autofree char *command = NULL;
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (hatake_container_get_created (c) / G_USEC_PER_SEC);
  g_autofree char *created_at = created ? g_date_time_format (created, "%Y-%m-%d %H:%M:%S %z %Z") : g_strdup ("");
  const char *cmd = hatake_container_get_command (c) ? hatake_container_get_command (c) : "";
  const char * const *label_list = hatake_container_get_labels (c);
  g_autofree char *labels = label_list ? g_strjoinv (",", (char **) label_list) : g_strdup ("");

  if (!no_trunc && g_utf8_strlen (cmd, -1) > 20)
    {
      g_autofree char *cut = g_utf8_substring (cmd, 0, 19);
      command = g_strdup_printf ("\"%s…\"", cut);
    }
  else
    command = g_strdup_printf ("\"%s\"", cmd);
  if (inspect != NULL)
    ps_attachments (inspect, &networks, &mounts, &local_volumes);
  json_builder_begin_object (b);
#define STR(n, v) (json_builder_set_member_name (b, n), json_builder_add_string_value (b, v))
  STR ("Command", command);
  STR ("CreatedAt", created_at);
  STR ("ID", id);
  STR ("Image", hatake_container_get_image (c) ? hatake_container_get_image (c) : "");
  STR ("Labels", labels);
  STR ("LocalVolumes", local_volumes ? local_volumes : "0");
  STR ("Mounts", mounts ? mounts : "");
  STR ("Names", hatake_container_get_name (c));
  STR ("Networks", networks ? networks : "");
  STR ("Ports", ports);
  STR ("RunningFor", since);
  STR ("Size", "0B");
  STR ("State", hatake_container_state_to_string (hatake_container_get_state (c)));
  STR ("Status", status);
#undef STR
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
ps_matches (HatakeContainer *c, char **filters, GError **error)
{
  for (guint i = 0; filters && filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      g_autofree char *key = eq ? g_strndup (filters[i], eq - filters[i]) : g_strdup (filters[i]);
      const char *value = eq ? eq + 1 : "";

      if (g_str_equal (key, "status"))
        {
          if (!g_str_equal (value, hatake_container_state_to_string (hatake_container_get_state (c))))
            return FALSE;
        }
      else if (g_str_equal (key, "name"))
        {
          if (strstr (hatake_container_get_name (c), value) == NULL)
            return FALSE;
        }
      else if (g_str_equal (key, "id"))
        {
          if (!g_str_has_prefix (hatake_container_get_id (c), value))
            return FALSE;
        }
      else if (g_str_equal (key, "health"))
        {
          if (!g_str_equal (value, hatake_health_status_to_string (hatake_container_get_health_status (c))))
            return FALSE;
        }
      else if (g_str_equal (key, "exited"))
        {
          if (hatake_container_get_state (c) != HATAKE_CONTAINER_EXITED ||
              hatake_container_get_exit_code (c) != atoi (value))
            return FALSE;
        }
      else if (g_str_equal (key, "label"))
        {
          /* label=KEY (any value) or label=KEY=VALUE, as docker's */
          const char * const *labels = hatake_container_get_labels (c);
          gboolean with_value = strchr (value, '=') != NULL;
          gboolean found = FALSE;

          for (guint l = 0; labels != NULL && labels[l] != NULL && !found; l++)
            {
              const char *sep = strchr (labels[l], '=');
              gsize key_length = sep ? (gsize) (sep - labels[l]) : strlen (labels[l]);

              found = with_value ? g_str_equal (labels[l], value)
                                 : strlen (value) == key_length && strncmp (labels[l], value, key_length) == 0;
            }
          if (!found)
            return FALSE;
        }
      else if (g_str_equal (key, "ancestor"))
        {
          if (g_strcmp0 (hatake_container_get_image (c), value) != 0 &&
              !g_str_has_prefix (hatake_container_get_image_id (c) ? hatake_container_get_image_id (c) + 7 : "", value))
            return FALSE;
        }
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "invalid filter '%s'", key);
          return FALSE;
        }
    }
  return TRUE;
}

static int
compare_created_desc (gconstpointer a, gconstpointer b)
{
  gint64 ca = hatake_container_get_created (*(HatakeContainer **) a);
  gint64 cb = hatake_container_get_created (*(HatakeContainer **) b);

  return ca < cb ? 1 : ca > cb ? -1 : 0;
}

int
hatake_cli_ps (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean all = FALSE, quiet = FALSE, no_trunc = FALSE, latest = FALSE, size = FALSE;
  int last = -1;
  g_autofree char *format = NULL;
  g_auto(GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("Show all containers (default shows just running)"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Only display container IDs"), NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, N_("Don't truncate output"), NULL },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, N_("Filter output based on conditions provided"), "FILTER" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format output: table, json, or a template"), "FORMAT" },
    { "last", 'n', 0, G_OPTION_ARG_INT, &last, N_("Show n last created containers (includes all states)"), "N" },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, N_("Show the latest created container (includes all states)"), NULL },
    { "size", 's', 0, G_OPTION_ARG_NONE, &size, N_("Display total file sizes"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("List containers"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *containers;
  gboolean json;
  const char *template;
  guint shown = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  json = format && g_str_equal (format, "json");
  template = format && !json && !g_str_equal (format, "table") ?
             (g_str_has_prefix (format, "table ") ? format + 6 : format) : NULL;
  if (latest)
    last = 1;
  if (last >= 0 || (filters && filters[0]))
    all = TRUE;
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  containers = hatake_engine_get_containers (engine);
  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    g_ptr_array_add (rows, g_list_model_get_item (containers, i));
  g_ptr_array_sort (rows, compare_created_desc);

  if (!quiet && !json && template == NULL)
    printf ("%-12s   %-20s %-22s %-16s %-28s %-8s %s\n", "CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
            "STATUS", "PORTS", "NAMES");
  for (guint i = 0; i < rows->len; i++)
    {
      HatakeContainer *c = g_ptr_array_index (rows, i);
      HatakeContainerState state = hatake_container_get_state (c);
      g_autoptr(JsonNode) row = NULL;
      g_autoptr(JsonNode) inspected = NULL;
      JsonObject *o;

      if (!all && state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED &&
          state != HATAKE_CONTAINER_RESTARTING)
        continue;
      if (!ps_matches (c, filters, &error))
        {
          if (error != NULL)
            return hatake_cli_fail (g_steal_pointer (&error));
          continue;
        }
      if (last >= 0 && shown >= (guint) last)
        break;
      shown++;
      if (!quiet)
        {
          g_autoptr(GAsyncResult) result = NULL;

          hatake_engine_inspect_container_async (engine, hatake_container_get_id (c), NULL, hatake_cli_store_result,
                                                 &result);
          hatake_cli_wait ((gpointer *) &result);
          /* (gone in between: shown without what inspect adds) */
          inspected = hatake_engine_inspect_container_finish (engine, result, NULL);
        }
      row = ps_row (c, no_trunc, inspected ? json_node_get_object (inspected) : NULL);
      o = json_node_get_object (row);
      if (quiet)
        printf ("%s\n", json_object_get_string_member (o, "ID"));
      else if (json)
        hatake_cli_print_json (row, FALSE);
      else if (template != NULL)
        {
          g_autofree char *line = hatake_cli_format_template (row, template, &error);
          if (line == NULL)
            return hatake_cli_fail (g_steal_pointer (&error));
          printf ("%s\n", line);
        }
      else
        printf ("%-12s   %-20s %-22s %-16s %-28s %-8s %s\n", json_object_get_string_member (o, "ID"),
                json_object_get_string_member (o, "Image"), json_object_get_string_member (o, "Command"),
                json_object_get_string_member (o, "RunningFor"), json_object_get_string_member (o, "Status"),
                json_object_get_string_member (o, "Ports"), json_object_get_string_member (o, "Names"));
    }
  return 0;
}
