/* hatake-cli-volumes.c: volume create, ls, inspect, rm, prune
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hatake-cli-private.h"
#include "hatake-api-server.h"

static JsonNode *
volume_op (HatakeEngine *engine, HatakeVolumeOp op, const HatakeVolumeOpArgs *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_volume_op_async (engine, op, args, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  return hatake_engine_volume_op_finish (engine, result, error);
}

static JsonNode *
inspect_one (HatakeEngine *engine, const char *name, GError **error)
{
  HatakeVolumeOpArgs args = { .name = name };

  return volume_op (engine, HATAKE_VOLUME_OP_INSPECT, &args, error);
}

static JsonNode *
remove_one (HatakeEngine *engine, const char *name, GError **error)
{
  HatakeVolumeOpArgs args = { .name = name };

  return volume_op (engine, HATAKE_VOLUME_OP_REMOVE, &args, error);
}

int
hatake_cli_volume_create (HatakeCliGlobals *globals, int argc, char **argv)
{
  g_autofree char *name = NULL, *driver = NULL;
  g_auto(GStrv) labels = NULL;
  g_auto(GStrv) options = NULL;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Specify volume name"), "NAME" },
    { "driver", 'd', 0, G_OPTION_ARG_STRING, &driver, N_("Specify volume driver name"), "DRIVER" },
    { "label", 0, 0, G_OPTION_ARG_STRING_ARRAY, &labels, N_("Set metadata for a volume"), "KEY=VALUE" },
    { "opt", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &options, N_("Set driver specific options (local: type, device, o)"), "KEY=VALUE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[VOLUME]", _("Create a volume"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(JsonNode) volume = NULL;
  HatakeVolumeOpArgs args = { 0 };

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc > 2)
    return hatake_cli_usage_error (context, _("requires at most 1 argument"));
  args.name = argc == 2 ? argv[1] : name;
  args.labels = (const char * const *) labels;
  args.driver = driver;
  args.options = (const char * const *) options;
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL || (volume = volume_op (engine, HATAKE_VOLUME_OP_CREATE, &args, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  printf ("%s\n", json_object_get_string_member (json_node_get_object (volume), "Name"));
  return 0;
}

int
hatake_cli_volume_ls (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean quiet = FALSE;
  g_autofree char *format = NULL;
  g_auto(GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Only display volume names"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format output: table, json, or a template"), "FORMAT" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, N_("Provide filter values (e.g. 'dangling=true')"), "FILTER" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("List volumes"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(JsonNode) list = NULL;
  HatakeVolumeOpArgs args = { 0 };
  JsonArray *volumes;
  gboolean json, table;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  json = format && g_str_equal (format, "json");
  table = !json && (format == NULL || g_str_equal (format, "table"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL || (list = volume_op (engine, HATAKE_VOLUME_OP_LIST, &args, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  volumes = json_object_get_array_member (json_node_get_object (list), "Volumes");
  if (!hatake_api_filter_list (volumes, TRUE, (const char * const *) filters, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  if (!quiet && table)
    printf ("%-15s %s\n", "DRIVER", "VOLUME NAME");
  for (guint i = 0; i < json_array_get_length (volumes); i++)
    {
      JsonObject *v = json_array_get_object_element (volumes, i);
      const char *name = json_object_get_string_member (v, "Name");
      g_autoptr(JsonBuilder) b = NULL;
      g_autoptr(JsonNode) row = NULL;

      if (quiet)
        {
          printf ("%s\n", name);
          continue;
        }
      if (table)
        {
          printf ("%-15s %s\n", "local", name);
          continue;
        }
      b = json_builder_new_immutable ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Driver");
      json_builder_add_string_value (b, "local");
      json_builder_set_member_name (b, "Labels");
      json_builder_add_string_value (b, "");
      json_builder_set_member_name (b, "Mountpoint");
      json_builder_add_string_value (b, json_object_get_string_member (v, "Mountpoint"));
      json_builder_set_member_name (b, "Name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "Scope");
      json_builder_add_string_value (b, "local");
      json_builder_end_object (b);
      row = json_builder_get_root (b);
      if (json)
        hatake_cli_print_json (row, FALSE);
      else
        {
          g_autofree char *line = hatake_cli_format_template (row, format, &error);
          if (line == NULL)
            return hatake_cli_fail (g_steal_pointer (&error));
          printf ("%s\n", line);
        }
    }
  return 0;
}

int
hatake_cli_volume_inspect (HatakeCliGlobals *globals, int argc, char **argv)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Format output: json, or a template"), "FORMAT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("VOLUME [VOLUME...]",
                                                                  _("Display detailed information on one or more volumes"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  return hatake_cli_inspect_each (engine, argc, argv, format, inspect_one);
}

int
hatake_cli_volume_rm (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Do not fail when a volume does not exist"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("VOLUME [VOLUME...]", _("Remove one or more volumes"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  return hatake_cli_remove_each (engine, argc, argv, force, remove_one);
}

int
hatake_cli_volume_prune (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean force = FALSE, all = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Do not prompt for confirmation"), NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("Remove all unused volumes, not just anonymous ones"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("Remove unused local volumes"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(JsonNode) report = NULL;
  HatakeVolumeOpArgs args = { 0 };
  JsonArray *deleted;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (!force)
    {
      char answer[16] = { 0 };
      printf ("%s", all ? _("WARNING! This will remove all local volumes not used by at least one container.\n")
                        : _("WARNING! This will remove anonymous local volumes not used by at least one container.\n"));
      printf ("%s", _("Are you sure you want to continue? [y/N] "));
      fflush (stdout);
      if (fgets (answer, sizeof answer, stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y'))
        return 0;
    }
  args.all = all;
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL || (report = volume_op (engine, HATAKE_VOLUME_OP_PRUNE, &args, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  deleted = json_object_get_array_member (json_node_get_object (report), "VolumesDeleted");
  if (json_array_get_length (deleted) > 0)
    printf ("Deleted Volumes:\n");
  for (guint i = 0; i < json_array_get_length (deleted); i++)
    printf ("%s\n", json_array_get_string_element (deleted, i));
  printf ("\nTotal reclaimed space: 0B\n");
  return 0;
}
