/* hatake-network-builtin.c: docker's pre-defined networks "host" and "none", listed and
 * inspected beside the bridges (a container joins them by its network mode, never through
 * netavark)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-network"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hatake-json.h"
#include "hatake-network-private.h"

static const char * const builtin_names[] = { "host", "none", NULL };

gboolean
hatake_networks_is_builtin_name (const char *name)
{
  return name != NULL && g_strv_contains (builtin_names, name);
}

/* Its ID: the same for as long as the data root lives, as docker's are for its daemon */
static char *
builtin_id (HatakeNetworks *self,
            const char     *name)
{
  g_autofree char *seed = g_strdup_printf ("%s\n%s", self->dir, name);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
}

static JsonObject *
builtin_object (HatakeNetworks *self,
                const char     *name,
                const char     *created)
{
  JsonObject *network = json_object_new ();
  JsonObject *ipam = json_object_new ();
  JsonObject *config_from = json_object_new ();
  g_autofree char *id = builtin_id (self, name);

  json_object_set_string_member (network, "Name", name);
  json_object_set_string_member (network, "Id", id);
  json_object_set_string_member (network, "Created", created);
  json_object_set_string_member (network, "Scope", "local");
  json_object_set_string_member (network, "Driver", g_str_equal (name, "none") ? "null" : name);
  json_object_set_boolean_member (network, "EnableIPv6", FALSE);
  json_object_set_string_member (ipam, "Driver", "default");
  json_object_set_null_member (ipam, "Options");
  json_object_set_array_member (ipam, "Config", json_array_new ());
  json_object_set_object_member (network, "IPAM", ipam);
  json_object_set_boolean_member (network, "Internal", FALSE);
  json_object_set_boolean_member (network, "Attachable", FALSE);
  json_object_set_boolean_member (network, "Ingress", FALSE);
  json_object_set_string_member (config_from, "Network", "");
  json_object_set_object_member (network, "ConfigFrom", config_from);
  json_object_set_boolean_member (network, "ConfigOnly", FALSE);
  json_object_set_object_member (network, "Containers", json_object_new ());
  json_object_set_object_member (network, "Options", json_object_new ());
  json_object_set_object_member (network, "Labels", json_object_new ());
  return network;
}

JsonObject *
_hatake_networks_builtin (HatakeNetworks *self,
                          const char     *name_or_id,
                          const char     *created)
{
  for (guint i = 0; builtin_names[i] != NULL; i++)
    {
      g_autofree char *id = builtin_id (self, builtin_names[i]);

      if (g_str_equal (name_or_id, builtin_names[i]) ||
          (strlen (name_or_id) >= 3 && g_str_has_prefix (id, name_or_id)))
        return builtin_object (self, builtin_names[i], created);
    }
  return NULL;
}

void
_hatake_networks_add_builtins (HatakeNetworks *self,
                               GPtrArray      *nodes,
                               const char     *created)
{
  for (guint i = 0; builtin_names[i] != NULL; i++)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_take_object (node, builtin_object (self, builtin_names[i], created));
      g_ptr_array_add (nodes, node);
    }
}
