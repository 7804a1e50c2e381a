/* hatake-cli-networks.c: network create, ls, inspect, rm, connect, disconnect, prune; port
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hatake-cli-private.h"
#include "hatake-api-server.h"

static JsonNode *
network_op (HatakeEngine *engine, HatakeNetworkOp op, const HatakeNetworkOpArgs *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_network_op_async (engine, op, args, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  return hatake_engine_network_op_finish (engine, result, error);
}

static JsonNode *
inspect_one (HatakeEngine *engine, const char *name, GError **error)
{
  HatakeNetworkOpArgs args = { .name = name };

  return network_op (engine, HATAKE_NETWORK_OP_INSPECT, &args, error);
}

static JsonNode *
remove_one (HatakeEngine *engine, const char *name, GError **error)
{
  HatakeNetworkOpArgs args = { .name = name };

  return network_op (engine, HATAKE_NETWORK_OP_REMOVE, &args, error);
}

int
hatake_cli_network_create (HatakeCliGlobals *globals, int argc, char **argv)
{
  g_autofree char *driver = NULL, *subnet = NULL, *gateway = NULL, *ip_range = NULL;
  gboolean internal = FALSE;
  g_auto(GStrv) labels = NULL;
  const GOptionEntry entries[] = {
    { "driver", 'd', 0, G_OPTION_ARG_STRING, &driver, N_("Driver to manage the Network (bridge only)"), "DRIVER" },
    { "subnet", 0, 0, G_OPTION_ARG_STRING, &subnet, N_("Subnet in CIDR format that represents a network segment"), "CIDR" },
    { "gateway", 0, 0, G_OPTION_ARG_STRING, &gateway, N_("IPv4 Gateway for the master subnet"), "ADDRESS" },
    { "ip-range", 0, 0, G_OPTION_ARG_STRING, &ip_range, N_("Allocate container ip from a sub-range"), "CIDR" },
    { "internal", 0, 0, G_OPTION_ARG_NONE, &internal, N_("Restrict external access to the network"), NULL },
    { "label", 0, 0, G_OPTION_ARG_STRING_ARRAY, &labels, N_("Set metadata on a network"), "KEY=VALUE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("NETWORK", _("Create a network"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(JsonNode) network = NULL;
  HatakeNetworkOpArgs args = { 0 };

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 2)
    return hatake_cli_usage_error (context, _("requires exactly 1 argument"));
  if (driver != NULL && !g_str_equal (driver, "bridge"))
    return hatake_cli_usage_error (context, _("only the bridge driver exists"));
  args.name = argv[1];
  args.subnet = subnet;
  args.gateway = gateway;
  args.ip_range = ip_range;
  args.internal = internal;
  args.labels = (const char * const *) labels;
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL || (network = network_op (engine, HATAKE_NETWORK_OP_CREATE, &args, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  printf ("%s\n", json_object_get_string_member (json_node_get_object (network), "Id"));
  return 0;
}

int
hatake_cli_network_ls (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean quiet = FALSE;
  g_autofree char *format = NULL;
  g_auto(GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Only display network IDs"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format output: table, json, or a template"), "FORMAT" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, N_("Provide filter values (e.g. 'driver=bridge')"), "FILTER" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("List networks"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(JsonNode) list = NULL;
  HatakeNetworkOpArgs args = { 0 };
  JsonArray *networks;
  gboolean table;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  table = format == NULL || g_str_equal (format, "table");
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL || (list = network_op (engine, HATAKE_NETWORK_OP_LIST, &args, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  networks = json_node_get_array (list);
  if (!hatake_api_filter_list (networks, FALSE, (const char * const *) filters, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  if (!quiet && table)
    printf ("%-14s %-20s %-10s %s\n", "NETWORK ID", "NAME", "DRIVER", "SCOPE");
  for (guint i = 0; i < json_array_get_length (networks); i++)
    {
      JsonNode *node = json_array_get_element (networks, i);
      JsonObject *n = json_node_get_object (node);
      g_autofree char *short_id = g_strndup (json_object_get_string_member (n, "Id"), 12);

      if (quiet)
        printf ("%s\n", short_id);
      else if (table)
        printf ("%-14s %-20s %-10s %s\n", short_id, json_object_get_string_member (n, "Name"),
                json_object_get_string_member (n, "Driver"), json_object_get_string_member (n, "Scope"));
      else if (g_str_equal (format, "json"))
        hatake_cli_print_json (node, FALSE);
      else
        {
          g_autofree char *line = hatake_cli_format_template (node, format, &error);

          if (line == NULL)
            return hatake_cli_fail (g_steal_pointer (&error));
          printf ("%s\n", line);
        }
    }
  return 0;
}

int
hatake_cli_network_inspect (HatakeCliGlobals *globals, int argc, char **argv)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Format output: json, or a template"), "FORMAT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("NETWORK [NETWORK...]",
                                                                  _("Display detailed information on one or more networks"), entries);
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
hatake_cli_network_rm (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Do not error if the network does not exist"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("NETWORK [NETWORK...]", _("Remove one or more networks"), entries);
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

/* "80/tcp -> 127.0.0.1:8080", docker's `port` */
int
hatake_cli_port (HatakeCliGlobals *globals, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [PRIVATE_PORT[/PROTO]]",
                                                                  _("List port mappings or a specific mapping for the container"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *wanted = NULL;
  JsonObject *ports;
  g_autoptr(GList) keys = NULL;
  gboolean any = FALSE;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2 || argc > 3)
    return hatake_cli_usage_error (context, _("requires 1 or 2 arguments"));
  if (argc == 3)
    wanted = strchr (argv[2], '/') ? g_strdup (argv[2]) : g_strconcat (argv[2], "/tcp", NULL);
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  hatake_engine_inspect_container_async (engine, argv[1], NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  node = hatake_engine_inspect_container_finish (engine, result, &error);
  if (node == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  ports = json_object_get_object_member (json_object_get_object_member (json_node_get_object (node), "NetworkSettings"),
                                         "Ports");
  keys = ports ? json_object_get_members (ports) : NULL;
  for (GList *l = keys; l != NULL; l = l->next)
    {
      JsonArray *bindings = json_object_get_array_member (ports, l->data);

      if (wanted != NULL && !g_str_equal (wanted, l->data))
        continue;
      for (guint i = 0; bindings != NULL && i < json_array_get_length (bindings); i++)
        {
          JsonObject *binding = json_array_get_object_element (bindings, i);

          if (wanted != NULL)
            printf ("%s:%s\n", json_object_get_string_member (binding, "HostIp"),
                    json_object_get_string_member (binding, "HostPort"));
          else
            printf ("%s -> %s:%s\n", (const char *) l->data, json_object_get_string_member (binding, "HostIp"),
                    json_object_get_string_member (binding, "HostPort"));
          any = TRUE;
        }
    }
  if (wanted != NULL && !any)
    {
      fprintf (stderr, "Error: No public port '%s' published for %s\n", wanted, argv[1]);
      return 1;
    }
  return 0;
}

/* connect and disconnect: NETWORK CONTAINER, after their own options */
static int
container_network_op (HatakeCliGlobals    *globals,
                      GOptionContext      *context,
                      int                  argc,
                      char               **argv,
                      HatakeNetworkOp      op,
                      HatakeNetworkOpArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;

  if (argc != 3)
    {
      g_autofree char *message = g_strdup_printf (_("\"network %s\" requires exactly 2 arguments"),
                                                  op == HATAKE_NETWORK_OP_CONNECT ? "connect" : "disconnect");

      return hatake_cli_usage_error (context, message);
    }
  args->name = argv[1];
  args->container = argv[2];
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  network_op (engine, op, args, &error);
  if (error != NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  return 0;
}

int
hatake_cli_network_connect (HatakeCliGlobals *globals, int argc, char **argv)
{
  g_auto(GStrv) aliases = NULL;
  g_autofree char *ip = NULL;
  const GOptionEntry entries[] = {
    { "alias", 0, 0, G_OPTION_ARG_STRING_ARRAY, &aliases, N_("Add network-scoped alias for the container"), "NAME" },
    { "ip", 0, 0, G_OPTION_ARG_STRING, &ip, N_("IPv4 address (e.g., \"172.30.100.104\")"), "ADDRESS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("NETWORK CONTAINER",
                                                                  _("Connect a container to a network"), entries);
  g_autoptr(GError) error = NULL;
  HatakeNetworkOpArgs args = { 0 };

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  args.aliases = (const char * const *) aliases;
  args.ip = ip;
  return container_network_op (globals, context, argc, argv, HATAKE_NETWORK_OP_CONNECT, &args);
}

int
hatake_cli_network_disconnect (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Force the container to disconnect from a network"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("NETWORK CONTAINER",
                                                                  _("Disconnect a container from a network"), entries);
  g_autoptr(GError) error = NULL;
  HatakeNetworkOpArgs args = { 0 };

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  args.force = force;
  return container_network_op (globals, context, argc, argv, HATAKE_NETWORK_OP_DISCONNECT, &args);
}

int
hatake_cli_network_prune (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Do not prompt for confirmation"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("Remove all unused networks"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(JsonNode) pruned = NULL;
  HatakeNetworkOpArgs args = { 0 };
  JsonArray *deleted;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (!force)
    {
      char answer[16] = "";

      printf ("%s", _("WARNING! This will remove all networks not used by at least one container.\n"
                      "Are you sure you want to continue? [y/N] "));
      fflush (stdout);
      if (fgets (answer, sizeof answer, stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y'))
        return 0;
    }
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL || (pruned = network_op (engine, HATAKE_NETWORK_OP_PRUNE, &args, &error)) == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  deleted = json_object_get_array_member (json_node_get_object (pruned), "NetworksDeleted");
  if (json_array_get_length (deleted) > 0)
    printf ("%s\n", _("Deleted Networks:"));
  for (guint i = 0; i < json_array_get_length (deleted); i++)
    printf ("%s\n", json_array_get_string_element (deleted, i));
  return 0;
}
