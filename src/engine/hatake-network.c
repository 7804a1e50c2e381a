/* hatake-network.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/netdevice.h>
#include <sys/ioctl.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "hatake-json.h"
#include "hatake-network-private.h"

/* Where new networks' subnets come from: /24s of 10.90.0.0/15, skipping the host's own routes
 * and docker's and podman's default networks, so that a Hatake network never hides a route. */
#define POOL_BASE     "10.90.0.0"
#define POOL_PREFIX   15
#define POOL_SUBNET   24

G_DEFINE_FINAL_TYPE (HatakeNetworks, hatake_networks, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, N_SIGNALS };
static guint signals[N_SIGNALS];

void
hatake_network_result_clear (HatakeNetworkResult *result)
{
  g_clear_pointer (&result->netns_path, g_free);
  g_clear_pointer (&result->ip, g_free);
  g_clear_pointer (&result->gateway, g_free);
  g_clear_pointer (&result->dns_servers, g_strfreev);
  g_clear_pointer (&result->dns_search, g_strfreev);
  for (guint i = 0; result->port_fds != NULL && i < result->port_fds->len; i++)
    close (g_array_index (result->port_fds, int, i));
  g_clear_pointer (&result->port_fds, g_array_unref);
}

static void
hatake_networks_finalize (GObject *object)
{
  HatakeNetworks *self = HATAKE_NETWORKS (object);

  g_free (self->dir);
  g_free (self->netns_dir);
  g_free (self->state_dir);
  _hatake_networks_spares_clear (self);
  _hatake_networks_queue_clear (self);
  g_hash_table_unref (self->detaching);
  g_hash_table_unref (self->hidden);
  g_cond_clear (&self->detached);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (hatake_networks_parent_class)->finalize (object);
}

static void
hatake_networks_class_init (HatakeNetworksClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hatake_networks_finalize;

  /**
   * HatakeNetworks::event:
   * @action: "create", "destroy", "connect" or "disconnect"
   * @id: the network's ID
   * @name: the network's name
   * @container: (nullable): the container's ID, for connect and disconnect
   *
   * Emitted in the thread that made the change (under the networks' lock: a handler must not
   * call back into them), once it is on disk.
   */
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                        G_TYPE_STRING);
}

static void
emit_event (HatakeNetworks *self,
            const char     *action,
            JsonObject     *network,
            const char     *container_id)
{
  if (container_id != NULL && _hatake_networks_is_internal (container_id))
    return;   /* not a container */
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, action, json_object_get_string_member_with_default (network, "Id", ""),
                 json_object_get_string_member_with_default (network, "Name", ""), container_id);
}

static void
hatake_networks_init (HatakeNetworks *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->detached);
  self->detaching = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->hidden = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  _hatake_networks_queue_init (self);
}

HatakeNetworks *
hatake_networks_new (const char *root,
                     const char *run_dir)
{
  HatakeNetworks *self = g_object_new (HATAKE_TYPE_NETWORKS, NULL);

  self->dir = g_build_filename (root, "networks", NULL);
  self->netns_dir = g_build_filename (run_dir, "netns", NULL);
  self->state_dir = g_build_filename (run_dir, "netavark", NULL);
  _hatake_networks_load_established (self);
  _hatake_networks_reclaim (self);
  return self;
}

/* ---- addresses ------------------------------------------------------------------------------ */

/* What a new network's subnet must not overlap (hatake-network-claims.c), parsed. */
static GArray *
reserved_subnets (HatakeNetworks *self)
{
  g_autoptr(GPtrArray) texts = _hatake_networks_reserved_subnets (self);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (HatakeCidr));

  for (guint i = 0; i < texts->len; i++)
    {
      HatakeCidr c;

      if (_hatake_cidr_parse (g_ptr_array_index (texts, i), &c))
        g_array_append_val (out, c);
    }
  return out;
}

/* ---- files ---------------------------------------------------------------------------------- */

static gboolean
name_is_valid (const char *name)
{
  if (name == NULL || !g_ascii_isalnum (name[0]) || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

static char *
network_path (HatakeNetworks *self,
              const char     *name)
{
  g_autofree char *file = g_strconcat (name, ".json", NULL);

  return g_build_filename (self->dir, file, NULL);
}

static JsonObject *
load_network (const char  *path,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_mapped_file (parser, path, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s is not a network"), path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static gboolean
save_network (HatakeNetworks *self,
              JsonObject     *network,
              GError        **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *path = network_path (self, json_object_get_string_member (network, "Name"));
  g_autofree char *text = NULL;

  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create %s: %s"),
                   self->dir, g_strerror (saved));
      return FALSE;
    }
  json_node_set_object (node, network);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* Every network, by name. Under the lock. */
static GHashTable *
load_all (HatakeNetworks *self,
          GError        **error)
{
  GHashTable *all = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, NULL);
  const char *file;

  while (dir != NULL && (file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      JsonObject *network;

      if (!g_str_has_suffix (file, ".json"))
        continue;
      path = g_build_filename (self->dir, file, NULL);
      network = load_network (path, error);
      if (network == NULL)
        {
          g_hash_table_unref (all);
          return NULL;
        }
      g_hash_table_insert (all, g_strndup (file, strlen (file) - 5), network);
    }
  return all;
}

static JsonObject *
lookup (GHashTable *all,
        const char *name_or_id)
{
  GHashTableIter iter;
  gpointer value;
  JsonObject *found = NULL;

  if (g_hash_table_contains (all, name_or_id))
    return g_hash_table_lookup (all, name_or_id);
  g_hash_table_iter_init (&iter, all);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_has_prefix (json_object_get_string_member (value, "Id"), name_or_id) && strlen (name_or_id) >= 3)
      {
        if (found != NULL)
          return NULL;   /* ambiguous */
        found = value;
      }
  return found;
}

static gboolean
network_cidr (JsonObject *network,
              const char *member,
              HatakeCidr *out)
{
  JsonArray *config = hatake_json_array_member (hatake_json_object_member (network, "IPAM"), "Config");
  JsonObject *first = config && json_array_get_length (config) > 0 ? hatake_json_array_object (config, 0) : NULL;

  return first != NULL && _hatake_cidr_parse (json_object_get_string_member_with_default (first, member, NULL), out);
}

static const char *
network_gateway (JsonObject *network)
{
  JsonArray *config = hatake_json_array_member (hatake_json_object_member (network, "IPAM"), "Config");
  JsonObject *first = config && json_array_get_length (config) > 0 ? hatake_json_array_object (config, 0) : NULL;

  return first ? json_object_get_string_member_with_default (first, "Gateway", NULL) : NULL;
}

static const char *
network_interface (JsonObject *network)
{
  return json_object_get_string_member_with_default (hatake_json_object_member (network, "Options"),
                                                     "com.docker.network.bridge.name", "");
}

static char *
random_id (void)
{
  GString *id = g_string_sized_new (64);

  for (guint i = 0; i < 8; i++)
    g_string_append_printf (id, "%08x", g_random_int ());
  return g_string_free (id, FALSE);
}

/* A subnet the user gave: not one another engine of this machine uses (the host would route it
 * to one bridge only). */
static gboolean
claim_given_subnet (HatakeNetworks  *self,
                    const char      *given,
                    HatakeCidr       subnet,
                    GError         **error)
{
  g_autoptr(GPtrArray) elsewhere = _hatake_networks_claimed_elsewhere (self);
  g_autofree char *text = _hatake_cidr_format (subnet);
  g_autofree char *owner = NULL;

  for (guint i = 0; i < elsewhere->len; i++)
    {
      HatakeCidr other;

      if (_hatake_cidr_parse (g_ptr_array_index (elsewhere, i), &other) && _hatake_cidr_overlaps (subnet, other))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Subnet %s overlaps %s, used by another engine on this machine"), given,
                       (const char *) g_ptr_array_index (elsewhere, i));
          return FALSE;
        }
    }
  if (!_hatake_networks_claim (self, text, &owner))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Subnet %s is used by the engine of %s"), given, owner);
      return FALSE;
    }
  return TRUE;
}

/* Under the lock. */
static JsonObject *
create_locked (HatakeNetworks            *self,
               GHashTable                *all,
               const HatakeNetworkCreate *create,
               GError                   **error)
{
  g_autoptr(JsonObject) network = json_object_new ();
  g_autoptr(JsonObject) ipam = json_object_new ();
  g_autoptr(JsonArray) config = json_array_new ();
  g_autoptr(JsonObject) pool = json_object_new ();
  g_autoptr(JsonObject) labels = json_object_new ();
  g_autoptr(JsonObject) options = json_object_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *id = random_id ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *subnet_text = NULL;
  g_autofree char *gateway_text = NULL;
  g_autofree char *interface = NULL;
  GHashTableIter iter;
  gpointer value;
  HatakeCidr subnet, range;
  guint32 gateway;

  if (!name_is_valid (create->name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid network name “%s”: letters, digits, “_”, “.” and “-”, starting with a letter "
                     "or digit"), create->name ? create->name : "");
      return NULL;
    }
  if (g_hash_table_contains (all, create->name) || hatake_networks_is_builtin_name (create->name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("network with name %s already exists"), create->name);
      return NULL;
    }

  if (create->subnet != NULL)
    {
      if (!_hatake_cidr_parse (create->subnet, &subnet) || subnet.prefix > 30)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Invalid subnet “%s”: an IPv4 CIDR with room for addresses, such as 10.5.0.0/24"),
                       create->subnet);
          return NULL;
        }
      g_hash_table_iter_init (&iter, all);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          HatakeCidr other;

          if (network_cidr (value, "Subnet", &other) && _hatake_cidr_overlaps (subnet, other))
            {
              g_autofree char *text = _hatake_cidr_format (other);

              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Subnet %s overlaps %s of network %s"), create->subnet, text,
                           json_object_get_string_member (value, "Name"));
              return NULL;
            }
        }
      if (!claim_given_subnet (self, create->subnet, subnet, error))
        return NULL;
    }
  else
    {
      g_autoptr(GArray) reserved = reserved_subnets (self);
      guint32 pool_base = 0;
      gboolean found = FALSE;

      _hatake_ipv4_parse (POOL_BASE, &pool_base);
      for (guint32 n = 0; !found && n < (1u << (POOL_SUBNET - POOL_PREFIX)); n++)
        {
          gboolean taken = FALSE;

          subnet.base = pool_base + (n << (32 - POOL_SUBNET));
          subnet.prefix = POOL_SUBNET;
          for (guint i = 0; !taken && i < reserved->len; i++)
            taken = _hatake_cidr_overlaps (subnet, g_array_index (reserved, HatakeCidr, i));
          g_hash_table_iter_init (&iter, all);
          while (!taken && g_hash_table_iter_next (&iter, NULL, &value))
            {
              HatakeCidr other;

              taken = network_cidr (value, "Subnet", &other) && _hatake_cidr_overlaps (subnet, other);
            }
          if (!taken)
            {
              /* (another engine may have picked it since we looked) */
              g_autofree char *text = _hatake_cidr_format (subnet);

              taken = !_hatake_networks_claim (self, text, NULL);
            }
          found = !taken;
        }
      if (!found)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                       _("No free subnet is left in %s/%u: give one with --subnet"), POOL_BASE, POOL_PREFIX);
          return NULL;
        }
    }

  if (create->gateway != NULL)
    {
      if (!_hatake_ipv4_parse (create->gateway, &gateway) || !_hatake_cidr_contains (subnet, gateway) ||
          gateway == subnet.base || gateway == (subnet.base | ~_hatake_prefix_mask (subnet.prefix)))
        {
          g_autofree char *text = _hatake_cidr_format (subnet);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Invalid gateway “%s”: an address of the subnet %s"), create->gateway, text);
          return NULL;
        }
    }
  else
    gateway = subnet.base + 1;

  if (create->ip_range != NULL &&
      (!_hatake_cidr_parse (create->ip_range, &range) || range.prefix < subnet.prefix || !_hatake_cidr_contains (subnet, range.base)))
    {
      g_autofree char *text = _hatake_cidr_format (subnet);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid IP range “%s”: a CIDR inside the subnet %s"), create->ip_range, text);
      return NULL;
    }

  subnet_text = _hatake_cidr_format (subnet);
  gateway_text = _hatake_ipv4_format (gateway);
  /* unique per network, the default one included: several data roots (each with its own
   * "bridge") can be in use on one machine, and must never share a bridge */
  interface = g_strdup_printf ("hk-%.10s", id);

  json_object_set_string_member (network, "Name", create->name);
  json_object_set_string_member (network, "Id", id);
  json_object_set_string_member (network, "Created", created);
  json_object_set_string_member (network, "Scope", "local");
  json_object_set_string_member (network, "Driver", "bridge");
  json_object_set_boolean_member (network, "EnableIPv6", FALSE);
  json_object_set_string_member (ipam, "Driver", "default");
  json_object_set_object_member (ipam, "Options", json_object_new ());
  json_object_set_string_member (pool, "Subnet", subnet_text);
  json_object_set_string_member (pool, "Gateway", gateway_text);
  if (create->ip_range != NULL)
    {
      g_autofree char *range_text = _hatake_cidr_format (range);

      json_object_set_string_member (pool, "IPRange", range_text);
    }
  json_array_add_object_element (config, g_steal_pointer (&pool));
  json_object_set_array_member (ipam, "Config", g_steal_pointer (&config));
  json_object_set_object_member (network, "IPAM", g_steal_pointer (&ipam));
  json_object_set_boolean_member (network, "Internal", create->internal);
  json_object_set_boolean_member (network, "Attachable", FALSE);
  json_object_set_boolean_member (network, "Ingress", FALSE);
  json_object_set_object_member (network, "Containers", json_object_new ());
  json_object_set_string_member (options, "com.docker.network.bridge.name", interface);
  json_object_set_object_member (network, "Options", g_steal_pointer (&options));
  for (guint i = 0; create->labels != NULL && create->labels[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (create->labels[i], "=", 2);

      json_object_set_string_member (labels, kv[0], kv[1] ? kv[1] : "");
    }
  json_object_set_object_member (network, "Labels", g_steal_pointer (&labels));

  if (!save_network (self, network, error))
    return NULL;
  g_hash_table_insert (all, g_strdup (create->name), json_object_ref (network));
  emit_event (self, "create", network, NULL);
  return g_steal_pointer (&network);
}

/* Under the lock: whether an endpoint of CONTAINER_ID is left out of what is shown */
static gboolean
is_hidden (HatakeNetworks *self,
           const char     *container_id)
{
  return _hatake_networks_is_internal (container_id) || g_hash_table_contains (self->hidden, container_id);
}

/* Under the lock */
static JsonNode *
object_node (HatakeNetworks *self,
             JsonObject     *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *containers = hatake_json_object_member (object, "Containers");
  g_autoptr(GList) ids = containers ? json_object_get_members (containers) : NULL;
  gboolean hidden = FALSE;

  /* the bridge's name is kept in the network's options (docker's key), but docker shows it for
   * its default network only: docker-compose takes any option it was not given for a change,
   * and then refuses the project's next `up` (the network "needs to be recreated") */
  gboolean own_option = *network_interface (object) != '\0' &&
                        g_strcmp0 (json_object_get_string_member_with_default (object, "Name", NULL),
                                   HATAKE_DEFAULT_NETWORK) != 0;

  for (GList *l = ids; l != NULL; l = l->next)
    hidden = hidden || is_hidden (self, l->data);
  /* the owner's keepalive and spares hold addresses, but they are not containers, and a removed
   * container's address is held only until its teardown ends: not shown */
  if (hidden || own_option)
    {
      JsonObject *copy = json_object_new ();
      JsonObject *shown = json_object_new ();
      JsonObject *options = json_object_new ();
      JsonObject *given = hatake_json_object_member (object, "Options");
      g_autoptr(GList) names = json_object_get_members (object);
      g_autoptr(GList) keys = given ? json_object_get_members (given) : NULL;

      for (GList *l = ids; l != NULL; l = l->next)
        if (!is_hidden (self, l->data))
          json_object_set_member (shown, l->data, json_node_copy (json_object_get_member (containers, l->data)));
      for (GList *l = keys; l != NULL; l = l->next)
        if (!own_option || !g_str_equal (l->data, "com.docker.network.bridge.name"))
          json_object_set_member (options, l->data, json_node_copy (json_object_get_member (given, l->data)));
      for (GList *l = names; l != NULL; l = l->next)
        if (!g_str_equal (l->data, "Containers") && !g_str_equal (l->data, "Options"))
          json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (object, l->data)));
      json_object_set_object_member (copy, "Containers", shown);
      json_object_set_object_member (copy, "Options", options);
      json_node_take_object (node, copy);
      return node;
    }
  json_node_set_object (node, object);
  return node;
}

JsonNode *
hatake_networks_create (HatakeNetworks            *self,
                        const HatakeNetworkCreate *create,
                        GError                   **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GHashTable) all = load_all (self, error);
  g_autoptr(JsonObject) network = NULL;

  g_return_val_if_fail (HATAKE_IS_NETWORKS (self), NULL);

  if (all == NULL)
    return NULL;
  if (!g_hash_table_contains (all, HATAKE_DEFAULT_NETWORK) && g_strcmp0 (create->name, HATAKE_DEFAULT_NETWORK) != 0)
    {
      /* the default network takes the pool's first subnet, whatever is made first */
      HatakeNetworkCreate bridge = { .name = HATAKE_DEFAULT_NETWORK };
      g_autoptr(JsonObject) made = create_locked (self, all, &bridge, error);

      if (made == NULL)
        return NULL;
    }
  network = create_locked (self, all, create, error);
  return network ? object_node (self, network) : NULL;
}

static const char *
bridge_created (GHashTable *all)
{
  JsonObject *bridge = g_hash_table_lookup (all, HATAKE_DEFAULT_NETWORK);

  return bridge ? json_object_get_string_member_with_default (bridge, "Created", "") : "";
}

static JsonObject *
default_network (HatakeNetworks  *self,
                 GHashTable      *all,
                 GError         **error)
{
  JsonObject *network = g_hash_table_lookup (all, HATAKE_DEFAULT_NETWORK);
  HatakeNetworkCreate bridge = { .name = HATAKE_DEFAULT_NETWORK };
  g_autoptr(JsonObject) made = NULL;

  if (network != NULL)
    return network;
  made = create_locked (self, all, &bridge, error);
  return made ? g_hash_table_lookup (all, HATAKE_DEFAULT_NETWORK) : NULL;
}

JsonNode *
hatake_networks_inspect (HatakeNetworks  *self,
                         const char      *name_or_id,
                         GError         **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GHashTable) all = load_all (self, error);
  g_autoptr(JsonObject) builtin = NULL;
  JsonObject *network;

  if (all == NULL)
    return NULL;
  if ((g_strcmp0 (name_or_id, HATAKE_DEFAULT_NETWORK) == 0 || hatake_networks_is_builtin_name (name_or_id)) &&
      default_network (self, all, error) == NULL)
    return NULL;
  network = lookup (all, name_or_id);
  if (network == NULL && (builtin = _hatake_networks_builtin (self, name_or_id, bridge_created (all))) != NULL)
    return json_node_init_object (json_node_alloc (), builtin);
  if (network == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("network %s not found"), name_or_id);
      return NULL;
    }
  return object_node (self, network);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  const char *na = json_object_get_string_member (json_node_get_object (*(JsonNode **) a), "Name");
  const char *nb = json_object_get_string_member (json_node_get_object (*(JsonNode **) b), "Name");

  if (g_str_equal (na, HATAKE_DEFAULT_NETWORK))
    return -1;
  if (g_str_equal (nb, HATAKE_DEFAULT_NETWORK))
    return 1;
  return g_strcmp0 (na, nb);
}

GPtrArray *
hatake_networks_list (HatakeNetworks  *self,
                      GError         **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GHashTable) all = load_all (self, error);
  GPtrArray *out;
  GHashTableIter iter;
  gpointer value;

  if (all == NULL || default_network (self, all, error) == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_hash_table_iter_init (&iter, all);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (out, object_node (self, value));
  _hatake_networks_add_builtins (self, out, bridge_created (all));
  g_ptr_array_sort (out, compare_names);
  return out;
}

gboolean
hatake_networks_remove (HatakeNetworks  *self,
                        const char      *name_or_id,
                        GError         **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(JsonObject) builtin = NULL;
  g_autofree char *path = NULL;
  JsonObject *network, *containers;
  const char *name;

  /* a container's teardown under way still holds its address (it used to hold the lock) */
  while (g_hash_table_size (self->detaching) > 0)
    g_cond_wait (&self->detached, &self->lock);
  all = load_all (self, error);
  if (all == NULL)
    return FALSE;
  network = lookup (all, name_or_id);
  if (network == NULL && (builtin = _hatake_networks_builtin (self, name_or_id, "")) != NULL)
    network = builtin;
  if (network == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("network %s not found"), name_or_id);
      return FALSE;
    }
  name = json_object_get_string_member (network, "Name");
  if (g_str_equal (name, HATAKE_DEFAULT_NETWORK) || builtin != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("%s is a pre-defined network and cannot be removed"), name);
      return FALSE;
    }
  containers = hatake_json_object_member (network, "Containers");
  if (containers != NULL && json_object_get_size (containers) > 0)
    {
      g_autoptr(GString) names = g_string_new (NULL);
      g_autoptr(GList) members = json_object_get_members (containers);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonObject *c = hatake_json_object_member (containers, l->data);

          g_string_append_printf (names, "%s%s", names->len ? ", " : "",
                                  json_object_get_string_member_with_default (c, "Name", l->data));
        }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   _("error while removing network: network %s has active endpoints (%s)"), name, names->str);
      return FALSE;
    }
  path = network_path (self, name);
  if (g_unlink (path) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot remove %s: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  {
    HatakeCidr subnet;

    if (network_cidr (network, "Subnet", &subnet))
      {
        g_autofree char *text = _hatake_cidr_format (subnet);

        _hatake_networks_unclaim (self, text);
      }
  }
  emit_event (self, "destroy", network, NULL);
  return TRUE;
}

/* ---- a container's place ---------------------------------------------------------------------- */

/* The next free address (or IP, if given) of the network, recorded for the container. Under the lock. */
static char *
allocate (HatakeNetworks  *self,
          JsonObject      *network,
          const char      *container_id,
          const char      *container_name,
          const char      *ip,
          GError         **error)
{
  JsonObject *containers = hatake_json_object_member (network, "Containers");
  g_autoptr(GHashTable) used = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GList) members = NULL;
  g_autoptr(JsonObject) entry = json_object_new ();
  g_autofree char *address = NULL;
  g_autofree char *mac = NULL;
  g_autofree char *with_prefix = NULL;
  guint32 gateway, candidate = 0, last;
  HatakeCidr subnet, range;
  gboolean found = FALSE;
  gboolean again;

  if (containers == NULL)
    {
      containers = json_object_new ();
      json_object_set_object_member (network, "Containers", containers);
    }
  /* an address an earlier start of the container kept (an engine killed half way) */
  again = json_object_has_member (containers, container_id);
  if (again)
    json_object_remove_member (containers, container_id);
  if (!network_cidr (network, "Subnet", &subnet) || !_hatake_ipv4_parse (network_gateway (network), &gateway))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Network %s has no usable subnet"),
                   json_object_get_string_member (network, "Name"));
      return NULL;
    }
  if (!network_cidr (network, "IPRange", &range))
    range = subnet;
  members = json_object_get_members (containers);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonObject *c = hatake_json_object_member (containers, l->data);
      g_auto(GStrv) parts = g_strsplit (json_object_get_string_member_with_default (c, "IPv4Address", ""), "/", 2);
      guint32 a;

      if (parts[0] != NULL && _hatake_ipv4_parse (parts[0], &a))
        g_hash_table_add (used, GUINT_TO_POINTER (a));
    }

  last = subnet.base | ~_hatake_prefix_mask (subnet.prefix);
  if (ip != NULL)
    {
      if (!_hatake_ipv4_parse (ip, &candidate) || !_hatake_cidr_contains (subnet, candidate) || candidate == subnet.base ||
          candidate == last || candidate == gateway)
        {
          g_autofree char *text = _hatake_cidr_format (subnet);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Invalid address %s: not a free host address of %s"), ip, text);
          return NULL;
        }
      if (g_hash_table_contains (used, GUINT_TO_POINTER (candidate)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Address %s is already in use"), ip);
          return NULL;
        }
      found = TRUE;
    }
  else
    for (guint32 a = MAX (range.base, subnet.base + 1); !found && a < (range.base | ~_hatake_prefix_mask (range.prefix)) && a < last; a++)
      if (a != gateway && !g_hash_table_contains (used, GUINT_TO_POINTER (a)))
        {
          candidate = a;
          found = TRUE;
        }
  if (!found)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("No free address is left on network %s"),
                   json_object_get_string_member (network, "Name"));
      return NULL;
    }
  address = _hatake_ipv4_format (candidate);
  mac = _hatake_ipv4_mac (address);
  with_prefix = g_strdup_printf ("%s/%u", address, subnet.prefix);
  json_object_set_string_member (entry, "Name", container_name);
  json_object_set_string_member (entry, "EndpointID", "");
  json_object_set_string_member (entry, "MacAddress", mac);
  json_object_set_string_member (entry, "IPv4Address", with_prefix);
  json_object_set_string_member (entry, "IPv6Address", "");
  json_object_set_object_member (containers, container_id, g_steal_pointer (&entry));
  if (!save_network (self, network, error))
    {
      json_object_remove_member (containers, container_id);
      return NULL;
    }
  if (!again)
    emit_event (self, "connect", network, container_id);
  return g_steal_pointer (&address);
}

static void
release (HatakeNetworks *self,
         const char     *network_name,
         const char     *container_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = network_path (self, network_name);
  g_autoptr(JsonObject) network = load_network (path, NULL);
  JsonObject *containers = network ? hatake_json_object_member (network, "Containers") : NULL;

  if (containers == NULL || !json_object_has_member (containers, container_id))
    return;
  json_object_remove_member (containers, container_id);
  if (!save_network (self, network, &error))
    /* a full data root, the host's condition: a message, as for a container's state (a warning
     * aborts `hatake serve` under G_DEBUG=fatal-warnings, mid-removal) */
    g_message ("Could not give back %s's address on %s: %s", container_id, network_name, error->message);
  else
    emit_event (self, "disconnect", network, container_id);
}

/* The address FROM holds on NETWORK_NAME passes to TO (named TO_NAME). Under the lock. */
gboolean
_hatake_networks_move_address_locked (HatakeNetworks  *self,
                                      const char      *network_name,
                                      const char      *from,
                                      const char      *to,
                                      const char      *to_name,
                                      GError         **error)
{
  g_autofree char *path = network_path (self, network_name);
  g_autoptr(JsonObject) network = load_network (path, error);
  JsonObject *containers = network ? hatake_json_object_member (network, "Containers") : NULL;
  g_autoptr(JsonObject) entry = NULL;

  if (network == NULL)
    return FALSE;
  if (containers == NULL || hatake_json_object_member (containers, from) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("%s has no address on network %s"), from, network_name);
      return FALSE;
    }
  entry = json_object_ref (hatake_json_object_member (containers, from));
  json_object_set_string_member (entry, "Name", to_name);
  json_object_remove_member (containers, from);
  json_object_set_object_member (containers, to, g_steal_pointer (&entry));
  if (!save_network (self, network, error))
    return FALSE;
  emit_event (self, "connect", network, to);
  return TRUE;
}

static JsonArray *
port_mappings_json (const HatakePortMapping *ports,
                    guint                    n_ports)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < n_ports; i++)
    {
      const HatakePortMapping *p = &ports[i];
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "host_ip", p->host_ip);
      json_object_set_int_member (o, "container_port", p->container_port);
      json_object_set_int_member (o, "host_port", p->host_port);
      json_object_set_int_member (o, "range", MAX (p->range, 1));
      json_object_set_string_member (o, "protocol", p->protocol);
      json_array_add_object_element (array, o);
    }
  return array;
}

static JsonArray *
strings_json (const char * const *strings)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    json_array_add_string_element (array, strings[i]);
  return array;
}

/* The container's place on NETWORK in netavark's options: "networks" (its address, names and
 * interface) and "network_info" (the network). */
static void
add_network_options (JsonObject  *options,
                     JsonObject  *network,
                     const char  *container_id,
                     const char  *container_name,
                     const char * const *aliases,
                     const char  *ip,
                     const char  *interface)
{
  const char *name = json_object_get_string_member (network, "Name");
  gboolean dns = !g_str_equal (name, HATAKE_DEFAULT_NETWORK);
  JsonObject *networks = hatake_json_object_member (options, "networks");
  JsonObject *infos = hatake_json_object_member (options, "network_info");
  JsonObject *endpoint = json_object_new ();
  JsonObject *info = json_object_new ();
  JsonObject *subnet = json_object_new ();
  JsonObject *ipam = json_object_new ();
  JsonObject *extra = json_object_new ();
  JsonArray *names = json_array_new ();
  JsonArray *subnets = json_array_new ();
  HatakeCidr cidr;
  g_autofree char *subnet_text = NULL;
  g_autofree char *mac = _hatake_ipv4_mac (ip);

  if (networks == NULL)
    {
      networks = json_object_new ();
      json_object_set_object_member (options, "networks", networks);
    }
  if (infos == NULL)
    {
      infos = json_object_new ();
      json_object_set_object_member (options, "network_info", infos);
    }
  network_cidr (network, "Subnet", &cidr);
  subnet_text = _hatake_cidr_format (cidr);

  json_object_set_array_member (endpoint, "static_ips", strings_json ((const char *[]) { ip, NULL }));
  json_object_set_string_member (endpoint, "static_mac", mac);
  if (dns)
    {
      g_autofree char *short_id = g_strndup (container_id, 12);

      json_array_add_string_element (names, container_name);
      json_array_add_string_element (names, short_id);
      for (guint i = 0; aliases != NULL && aliases[i] != NULL; i++)
        json_array_add_string_element (names, aliases[i]);
    }
  json_object_set_array_member (endpoint, "aliases", names);
  json_object_set_string_member (endpoint, "interface_name", interface);
  json_object_set_object_member (networks, name, endpoint);

  json_object_set_string_member (info, "name", name);
  json_object_set_string_member (info, "id", json_object_get_string_member (network, "Id"));
  json_object_set_string_member (info, "driver", "bridge");
  json_object_set_string_member (info, "network_interface", network_interface (network));
  json_object_set_string_member (subnet, "subnet", subnet_text);
  json_object_set_string_member (subnet, "gateway", network_gateway (network));
  json_array_add_object_element (subnets, subnet);
  json_object_set_array_member (info, "subnets", subnets);
  json_object_set_boolean_member (info, "ipv6_enabled", FALSE);
  json_object_set_boolean_member (info, "internal",
                                  json_object_get_boolean_member_with_default (network, "Internal", FALSE));
  json_object_set_boolean_member (info, "dns_enabled", dns);
  json_object_set_string_member (ipam, "driver", "host-local");
  json_object_set_object_member (info, "ipam_options", ipam);
  /* docker isolates user networks from each other; netavark only when asked */
  json_object_set_string_member (extra, "isolate", "true");
  json_object_set_object_member (info, "options", extra);
  json_object_set_object_member (infos, name, info);
}

static JsonNode *
new_options (const char              *container_id,
             const char              *container_name,
             const HatakePortMapping *ports,
             guint                    n_ports)
{
  JsonObject *options = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (options, "container_id", container_id);
  json_object_set_string_member (options, "container_name", container_name);
  json_object_set_array_member (options, "port_mappings", port_mappings_json (ports, n_ports));
  json_object_set_object_member (options, "networks", json_object_new ());
  json_object_set_object_member (options, "network_info", json_object_new ());
  json_node_take_object (node, options);
  return node;
}

/* The network an endpoint names ("bridge" made on first use), or NULL with an error. */
static JsonObject *
endpoint_network (HatakeNetworks  *self,
                  GHashTable      *all,
                  const char      *wanted,
                  GError         **error)
{
  JsonObject *network;

  if (wanted == NULL)
    wanted = HATAKE_DEFAULT_NETWORK;
  network = g_str_equal (wanted, HATAKE_DEFAULT_NETWORK) ? default_network (self, all, error) : lookup (all, wanted);
  if (network == NULL && error != NULL && *error == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("network %s not found"), wanted);
  return network;
}

/* What netavark would answer (and does): aardvark-dns listens on the gateway of each network
 * with DNS. */
static void
add_dns (HatakeNetworkResult *result,
         JsonObject          *network)
{
  guint n = result->dns_servers ? g_strv_length (result->dns_servers) : 0;

  if (g_str_equal (json_object_get_string_member (network, "Name"), HATAKE_DEFAULT_NETWORK))
    return;
  result->dns_servers = g_renew (char *, result->dns_servers, n + 2);
  result->dns_servers[n] = g_strdup (network_gateway (network));
  result->dns_servers[n + 1] = NULL;
  if (result->dns_search == NULL)
    {
      result->dns_search = g_new0 (char *, 2);
      result->dns_search[0] = g_strdup ("dns.podman");
    }
}

static guint
count_networks (JsonNode *options)
{
  JsonObject *networks = hatake_json_object_member (json_node_get_object (options), "networks");

  return networks ? json_object_get_size (networks) : 0;
}

/* With or without the lock (see hatake_networks_setup). */
static gboolean
run_setup (HatakeNetworks  *self,
           const char      *opts_path,
           JsonNode        *options,
           const char      *netns,
           GError         **error)
{
  if (!_hatake_networks_run_netavark (self, "setup", opts_path, netns, NULL, error))
    return FALSE;
  _hatake_networks_pin_bridge_address (options);
  return TRUE;
}

/* Gives back the addresses OPTIONS (a container's options, or NULL) hold. Under the lock. */
static void
release_all (HatakeNetworks *self,
             const char     *container_id,
             JsonNode       *options)
{
  JsonObject *networks = options ? hatake_json_object_member (json_node_get_object (options), "networks") : NULL;
  g_autoptr(GList) names = networks ? json_object_get_members (networks) : NULL;

  for (GList *l = names; l != NULL; l = l->next)
    release (self, l->data, container_id);
}

/* Tears down what an options file describes and gives its addresses back. Under the lock. */
static gboolean
teardown_locked (HatakeNetworks  *self,
                 const char      *container_id,
                 GError         **error)
{
  g_autofree char *opts_path = _hatake_networks_options_path (self, container_id);
  g_autofree char *netns = g_build_filename (self->netns_dir, container_id, NULL);
  g_autoptr(JsonNode) options = _hatake_networks_load_options (opts_path, NULL);
  g_autoptr(GError) local_error = NULL;
  gboolean ok = TRUE;

  _hatake_networks_forget_locked (self, NULL, container_id);
  if (!g_file_test (opts_path, G_FILE_TEST_EXISTS))
    return TRUE;
  if ((options == NULL || count_networks (options) > 0) &&
      !_hatake_networks_run_netavark (self, "teardown", opts_path, netns, NULL, &local_error))
    {
      /* the namespace and the addresses go anyway: a failed teardown must not keep them */
      g_propagate_error (error, g_steal_pointer (&local_error));
      ok = FALSE;
    }
  _hatake_networks_remove_netns (netns);
  release_all (self, container_id, options);
  g_unlink (opts_path);
  return ok;
}

/* Whether ATTACH asks for what a removed container may hold until its teardown has ended: an
 * address, a published port (its DNAT rules go with the teardown) */
static gboolean
wants_held (const HatakeNetworkAttach *attach)
{
  if (attach->n_ports > 0)
    return TRUE;
  for (guint i = 0; i < attach->n_endpoints; i++)
    if (attach->endpoints[i]->ip != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
attach_new (HatakeNetworks            *self,
            const HatakeNetworkAttach *attach,
            HatakeNetworkResult       *result,
            GError                   **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(JsonNode) options = NULL;
  g_autoptr(GPtrArray) allocated = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *netns = NULL;
  g_autofree char *opts_path = NULL;
  g_autoptr(GError) stale = NULL;

  if (g_mkdir_with_parents (self->netns_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create %s: %s"), self->netns_dir,
                   g_strerror (saved));
      return FALSE;
    }
  /* an address or a port asked for may be a removed container's, given back once its
   * teardown ends */
  while (wants_held (attach) && g_hash_table_size (self->hidden) > 0)
    g_cond_wait (&self->detached, &self->lock);
  netns = g_build_filename (self->netns_dir, attach->container_id, NULL);
  opts_path = _hatake_networks_options_path (self, attach->container_id);
  /* a setup that an engine killed half way left behind */
  if (g_file_test (opts_path, G_FILE_TEST_EXISTS))
    g_debug ("%s: tearing down what an earlier setup left", attach->container_id);
  if (!teardown_locked (self, attach->container_id, &stale))
    g_debug ("%s: %s", attach->container_id, stale->message);

  all = load_all (self, error);
  if (all == NULL)
    return FALSE;
  options = new_options (attach->container_id, attach->container_name, attach->ports, attach->n_ports);
  for (guint i = 0; i < attach->n_endpoints; i++)
    {
      const HatakeNetworkEndpoint *e = attach->endpoints[i];
      JsonObject *network = endpoint_network (self, all, e->network, error);
      g_autofree char *ip = NULL;
      g_autofree char *interface = g_strdup_printf ("eth%u", i);
      const char *name;

      if (network == NULL)
        goto fail;
      name = json_object_get_string_member (network, "Name");
      if (json_object_has_member (hatake_json_object_member (json_node_get_object (options), "networks"), name))
        continue;   /* named twice */
      ip = allocate (self, network, attach->container_id, attach->container_name, e->ip, error);
      if (ip == NULL)
        goto fail;
      g_ptr_array_add (allocated, g_strdup (name));
      add_network_options (json_node_get_object (options), network, attach->container_id, attach->container_name,
                           (const char * const *) e->aliases, ip, interface);
      if (result->ip == NULL)
        {
          result->ip = g_strdup (ip);
          result->gateway = g_strdup (network_gateway (network));
        }
      add_dns (result, network);
    }
  if (!_hatake_networks_pick_host_ports (options, error) || !_hatake_networks_check_ports_free (self, attach->container_id, options, error) ||
      !_hatake_networks_hold_ports (options, result, error))
    goto fail;
  if (!_hatake_networks_save_options (opts_path, options, error) || !_hatake_networks_make_netns (netns, error))
    goto fail;
  if (!attach->defer_setup && count_networks (options) > 0)
    {
      if (!run_setup (self, opts_path, options, netns, error))
        {
          _hatake_networks_remove_netns (netns);
          goto fail;
        }
      _hatake_networks_establish_locked (self, attach->container_id, options, NULL);
    }
  result->netns_path = g_steal_pointer (&netns);
  return TRUE;

fail:
  g_unlink (opts_path);
  for (guint i = 0; i < allocated->len; i++)
    release (self, g_ptr_array_index (allocated, i), attach->container_id);
  hatake_network_result_clear (result);
  return FALSE;
}

gboolean
hatake_networks_attach (HatakeNetworks            *self,
                        const HatakeNetworkAttach *attach,
                        HatakeNetworkResult       *result,
                        GError                   **error)
{
  g_return_val_if_fail (HATAKE_IS_NETWORKS (self), FALSE);
  g_return_val_if_fail (attach->container_id != NULL && attach->container_name != NULL, FALSE);

  return _hatake_networks_take_spare (self, attach, result) || attach_new (self, attach, result, error);
}

/* netavark runs outside the lock: the lock keeps the networks' files (addresses, options) whole,
 * and netavark reads only the container's own options, which nothing else changes while its
 * start or its teardown is under way (the engine orders a container's own steps). Netavark runs
 * are kept apart by the machine-wide lock in _hatake_networks_run_netavark (shared or not, as
 * hatake-network-queue.c decides); holding this lock through one held every other container's
 * prepare behind it. */
gboolean
hatake_networks_setup (HatakeNetworks  *self,
                       const char      *container_id,
                       GError         **error)
{
  g_autofree char *opts_path = _hatake_networks_options_path (self, container_id);
  g_autofree char *netns = g_build_filename (self->netns_dir, container_id, NULL);
  g_autoptr(JsonNode) options = NULL;

  g_mutex_lock (&self->lock);
  options = _hatake_networks_load_options (opts_path, error);
  g_mutex_unlock (&self->lock);
  if (options == NULL)
    return FALSE;
  if (count_networks (options) == 0)
    return TRUE;   /* disconnected from all: lo only */
  if (!run_setup (self, opts_path, options, netns, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  _hatake_networks_establish_locked (self, container_id, options, NULL);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

void
hatake_networks_hide (HatakeNetworks *self,
                      const char     *container_id)
{
  g_mutex_lock (&self->lock);
  g_hash_table_add (self->hidden, g_strdup (container_id));
  g_mutex_unlock (&self->lock);
}

static gboolean
detach (HatakeNetworks  *self,
        const char      *container_id,
        GError         **error)
{
  g_autofree char *opts_path = _hatake_networks_options_path (self, container_id);
  g_autofree char *netns = g_build_filename (self->netns_dir, container_id, NULL);
  g_autoptr(JsonNode) options = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *teardown_path = NULL;
  gboolean ok = TRUE, dropped = FALSE;

  g_mutex_lock (&self->lock);
  _hatake_networks_forget_locked (self, NULL, container_id);
  g_mutex_unlock (&self->lock);
  if (!g_file_test (opts_path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_mutex_lock (&self->lock);
  options = _hatake_networks_load_options (opts_path, NULL);
  g_hash_table_add (self->detaching, g_strdup (container_id));
  g_mutex_unlock (&self->lock);
  if (options != NULL && _hatake_networks_in_shared_job ())
    {
      /* beside other teardowns: netavark would rewrite aardvark-dns's files unlocked */
      g_autoptr(JsonNode) without_dns = _hatake_networks_forget_dns (self, container_id, options, &local_error);

      if (without_dns == NULL)
        {
          g_message ("%s: %s", container_id, local_error->message);
          g_clear_error (&local_error);
        }
      /* with its names gone, only its veths are left: deleted without netavark
       * (hatake-network-links.c) */
      else if (_hatake_networks_delete_veths (netns, options, &local_error))
        dropped = TRUE;
      else
        {
          g_debug ("%s: %s", container_id, local_error->message);
          g_clear_error (&local_error);
          teardown_path = g_strconcat (opts_path, ".shared", NULL);
          if (!_hatake_networks_save_options (teardown_path, without_dns, &local_error))
            {
              g_message ("%s: %s", container_id, local_error->message);
              g_clear_error (&local_error);
              g_clear_pointer (&teardown_path, g_free);
            }
        }
    }
  if (!dropped && (options == NULL || count_networks (options) > 0) &&
      !_hatake_networks_run_netavark (self, "teardown", teardown_path ? teardown_path : opts_path, netns, NULL,
                                      &local_error))
    {
      /* the namespace and the addresses go anyway: a failed teardown must not keep them */
      g_propagate_error (error, g_steal_pointer (&local_error));
      ok = FALSE;
    }
  if (teardown_path != NULL)
    g_unlink (teardown_path);
  _hatake_networks_remove_netns (netns);
  g_mutex_lock (&self->lock);
  release_all (self, container_id, options);
  g_unlink (opts_path);
  g_hash_table_remove (self->detaching, container_id);
  g_cond_broadcast (&self->detached);
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
hatake_networks_detach (HatakeNetworks  *self,
                        const char      *container_id,
                        GError         **error)
{
  gboolean ok = detach (self, container_id, error);

  /* (a removed container's teardown has ended, or it had none left to do) */
  g_mutex_lock (&self->lock);
  if (g_hash_table_remove (self->hidden, container_id))
    g_cond_broadcast (&self->detached);
  g_mutex_unlock (&self->lock);
  return ok;
}

/* A copy of OPTIONS with only NAME's endpoint: what netavark sets up or tears down for one
 * network of a container that runs. */
static JsonNode *
options_for_one (JsonNode   *options,
                 const char *name)
{
  JsonObject *all = json_node_get_object (options);
  JsonObject *networks = hatake_json_object_member (all, "networks");
  JsonObject *infos = hatake_json_object_member (all, "network_info");
  JsonArray *ports = hatake_json_array_member (all, "port_mappings");
  JsonNode *one = new_options (json_object_get_string_member (all, "container_id"),
                               json_object_get_string_member (all, "container_name"), NULL, 0);
  JsonObject *o = json_node_get_object (one);

  if (ports != NULL)
    json_object_set_array_member (o, "port_mappings", json_array_ref (ports));
  json_object_set_member (hatake_json_object_member (o, "networks"), name,
                          json_node_copy (json_object_get_member (networks, name)));
  json_object_set_member (hatake_json_object_member (o, "network_info"), name,
                          json_node_copy (json_object_get_member (infos, name)));
  return one;
}

gboolean
hatake_networks_connect (HatakeNetworks              *self,
                         const char                  *container_id,
                         const char                  *container_name,
                         const HatakeNetworkEndpoint *endpoint,
                         HatakeNetworkResult         *result,
                         GError                     **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *opts_path = _hatake_networks_options_path (self, container_id);
  g_autofree char *one_path = g_strconcat (opts_path, ".connect", NULL);
  g_autofree char *netns = g_build_filename (self->netns_dir, container_id, NULL);
  g_autoptr(JsonNode) options = _hatake_networks_load_options (opts_path, NULL);
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(JsonNode) one = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *interface = NULL;
  g_autofree char *name = NULL;
  JsonObject *networks, *network;
  guint n = 0;

  if (options == NULL || !g_file_test (netns, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   _("Container %s has no network namespace to connect"), container_name);
      return FALSE;
    }
  all = load_all (self, error);
  network = all ? endpoint_network (self, all, endpoint->network, error) : NULL;
  if (network == NULL)
    return FALSE;
  name = g_strdup (json_object_get_string_member (network, "Name"));
  networks = hatake_json_object_member (json_node_get_object (options), "networks");
  if (json_object_has_member (networks, name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("endpoint with name %s already exists in network %s"),
                   container_name, name);
      return FALSE;
    }
  /* the first free ethN */
  for (gboolean taken = TRUE; taken; n++)
    {
      g_autoptr(GList) members = json_object_get_members (networks);

      g_free (interface);
      interface = g_strdup_printf ("eth%u", n);
      taken = FALSE;
      for (GList *l = members; l != NULL && !taken; l = l->next)
        taken = g_strcmp0 (json_object_get_string_member_with_default (hatake_json_object_member (networks, l->data),
                                                                       "interface_name", ""), interface) == 0;
    }
  ip = allocate (self, network, container_id, container_name, endpoint->ip, error);
  if (ip == NULL)
    return FALSE;
  add_network_options (json_node_get_object (options), network, container_id, container_name,
                       (const char * const *) endpoint->aliases, ip, interface);
  one = options_for_one (options, name);
  if (!_hatake_networks_save_options (one_path, one, error) || !run_setup (self, one_path, one, netns, error))
    goto fail;
  /* from here on it is set up: the file that tears it down must say so */
  if (!_hatake_networks_save_options (opts_path, options, error))
    {
      g_autoptr(GError) undo = NULL;

      if (!_hatake_networks_run_netavark (self, "teardown", one_path, netns, NULL, &undo))
        g_warning ("%s: %s", container_id, undo->message);
      goto fail;
    }
  g_unlink (one_path);
  _hatake_networks_establish_locked (self, container_id, options, name);
  result->ip = g_steal_pointer (&ip);
  result->gateway = g_strdup (network_gateway (network));
  add_dns (result, network);
  return TRUE;

fail:
  g_unlink (one_path);
  release (self, name, container_id);
  return FALSE;
}

gboolean
hatake_networks_disconnect (HatakeNetworks  *self,
                            const char      *container_id,
                            const char      *network_name,
                            GError         **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *opts_path = _hatake_networks_options_path (self, container_id);
  g_autofree char *one_path = g_strconcat (opts_path, ".disconnect", NULL);
  g_autofree char *netns = g_build_filename (self->netns_dir, container_id, NULL);
  g_autoptr(JsonNode) options = _hatake_networks_load_options (opts_path, NULL);
  g_autoptr(JsonNode) one = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *networks;
  gboolean ok = TRUE;

  networks = options ? hatake_json_object_member (json_node_get_object (options), "networks") : NULL;
  if (networks == NULL || !json_object_has_member (networks, network_name))
    return TRUE;   /* not set up there */
  one = options_for_one (options, network_name);
  if (!_hatake_networks_save_options (one_path, one, error))
    return FALSE;
  _hatake_networks_forget_locked (self, network_name, container_id);
  if (!_hatake_networks_run_netavark (self, "teardown", one_path, netns, NULL, &local_error))
    {
      /* the address goes anyway, as at a detach */
      g_propagate_error (error, g_steal_pointer (&local_error));
      ok = FALSE;
    }
  g_unlink (one_path);
  json_object_remove_member (networks, network_name);
  json_object_remove_member (hatake_json_object_member (json_node_get_object (options), "network_info"),
                             network_name);
  if (!_hatake_networks_save_options (opts_path, options, ok ? error : NULL))
    ok = FALSE;
  release (self, network_name, container_id);
  return ok;
}
