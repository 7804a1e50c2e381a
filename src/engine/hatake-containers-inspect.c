/* hatake-containers-inspect.c: what a container is, in docker's shapes, and where its streams are
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Split from hatake-containers.c (over 2,500 lines): read-only views of an entry.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hatake-containers-private.h"
#include "hatake-json.h"

/* ---- attach -------------------------------------------------------------------------------- */

char *
hatake_containers_attach_path (HatakeContainers *self,
                               HatakeContainer  *container)
{
  g_autofree char *socket_dir = g_build_filename (self->run_dir, "socket", NULL);
  return g_build_filename (socket_dir, hatake_container_get_id (container), "attach", NULL);
}

char *
hatake_containers_ctl_path (HatakeContainers *self,
                            HatakeContainer  *container)
{
  Entry *entry = _hatake_containers_entry_for (self, container);
  return entry ? g_build_filename (entry->dir, "bundle", "ctl", NULL) : NULL;
}

/* ---- inspect ------------------------------------------------------------------------------- */

char *
hatake_containers_log_path (HatakeContainers *self,
                            HatakeContainer  *container)
{
  Entry *entry = _hatake_containers_entry_for (self, container);

  return entry ? g_build_filename (entry->dir, "ctr.log", NULL) : NULL;
}

/* docker's port maps ({"80/tcp": [{"HostIp": …, "HostPort": …}, …]}): one key per container
 * port with every host binding of it (a port may be published twice: -p 8080:80 -p 9090:80) */
typedef struct
{
  GPtrArray  *keys;       /* in the order first seen */
  GHashTable *bindings;   /* key → JsonArray */
} PortMap;

static void
port_map_init (PortMap *map)
{
  map->keys = g_ptr_array_new_with_free_func (g_free);
  map->bindings = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) json_array_unref);
}

static void
port_map_add (PortMap    *map,
              const char *key,
              const char *host_ip,
              const char *host_port)
{
  JsonArray *list = g_hash_table_lookup (map->bindings, key);
  JsonObject *binding = json_object_new ();

  if (list == NULL)
    {
      char *owned = g_strdup (key);

      list = json_array_new ();
      g_ptr_array_add (map->keys, owned);
      g_hash_table_insert (map->bindings, owned, list);
    }
  json_object_set_string_member (binding, "HostIp", host_ip);
  json_object_set_string_member (binding, "HostPort", host_port);
  json_array_add_object_element (list, binding);
}

/* the map as an object of b's, and cleared */
static void
port_map_write (PortMap     *map,
                JsonBuilder *b)
{
  json_builder_begin_object (b);
  for (guint i = 0; i < map->keys->len; i++)
    {
      const char *key = g_ptr_array_index (map->keys, i);
      JsonNode *node = json_node_init_array (json_node_alloc (), g_hash_table_lookup (map->bindings, key));

      json_builder_set_member_name (b, key);
      json_builder_add_value (b, node);
    }
  json_builder_end_object (b);
  g_hash_table_unref (map->bindings);
  g_ptr_array_unref (map->keys);
}

/* docker's Mounts: what is mounted where, volumes by name and by their folder on the host
 * (docker-compose 1.29 reads them to carry anonymous volumes over to a recreated container) */
static void
add_mounts (HatakeContainers            *self,
            const HatakeContainerConfig *config,
            JsonBuilder                 *b)
{
  json_builder_set_member_name (b, "Mounts");
  json_builder_begin_array (b);
  for (guint i = 0; config != NULL && i < config->mounts->len; i++)
    {
      HatakeContainerMount *m = g_ptr_array_index (config->mounts, i);
      gboolean volume = m->type == HATAKE_CONTAINER_MOUNT_VOLUME;
      g_autofree char *source = volume && m->source ? hatake_volumes_data_path (self->volumes, m->source)
                                                    : g_strdup (m->source ? m->source : "");

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Type");
      json_builder_add_string_value (b, volume ? "volume" : m->type == HATAKE_CONTAINER_MOUNT_BIND ? "bind" : "tmpfs");
      if (volume)
        {
          json_builder_set_member_name (b, "Name");
          json_builder_add_string_value (b, m->source ? m->source : "");
          json_builder_set_member_name (b, "Driver");
          json_builder_add_string_value (b, "local");
        }
      json_builder_set_member_name (b, "Source");
      json_builder_add_string_value (b, source ? source : "");
      json_builder_set_member_name (b, "Destination");
      json_builder_add_string_value (b, m->target);
      json_builder_set_member_name (b, "Mode");
      json_builder_add_string_value (b, "");
      json_builder_set_member_name (b, "RW");
      json_builder_add_boolean_value (b, !m->read_only);
      json_builder_set_member_name (b, "Propagation");
      json_builder_add_string_value (b, m->type == HATAKE_CONTAINER_MOUNT_BIND ? "rprivate" : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* docker's NetworkSettings, from what netavark was given while the container runs (its
 * namespace's options file): addresses, aliases and published ports; when it does not run (its
 * teardown may still be under way), the networks it is on, without addresses or ports
 * (docker-compose reads them to know what to connect). */
static void
add_network_settings (HatakeContainers            *self,
                      const char                  *id,
                      gboolean                     running,
                      const HatakeContainerConfig *config,
                      JsonBuilder                 *b)
{
  g_autofree char *file = g_strconcat (id, ".json", NULL);
  g_autofree char *path = g_build_filename (self->run_dir, "netns", file, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *options = NULL, *networks, *info;
  JsonArray *ports;
  g_autoptr(GList) names = NULL;
  const char *first_ip = "", *first_gateway = "", *first_mac = "";

  if (running && json_parser_load_from_file (parser, path, NULL) && hatake_json_root_is (parser, JSON_NODE_OBJECT))
    options = json_node_get_object (json_parser_get_root (parser));
  networks = hatake_json_object_member (options, "networks");
  info = hatake_json_object_member (options, "network_info");
  ports = hatake_json_array_member (options, "port_mappings");
  names = networks ? json_object_get_members (networks) : NULL;

  json_builder_set_member_name (b, "NetworkSettings");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Ports");
  if (options == NULL)
    {
      json_builder_begin_object (b);
      json_builder_end_object (b);
    }
  else
    {
      PortMap map;

      port_map_init (&map);
      for (guint i = 0; ports != NULL && i < json_array_get_length (ports); i++)
        {
          JsonObject *p = hatake_json_array_object (ports, i);
          gint64 range = MAX (json_object_get_int_member_with_default (p, "range", 1), 1);
          const char *host_ip = json_object_get_string_member_with_default (p, "host_ip", "");

          for (gint64 k = 0; k < range; k++)
            {
              g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT "/%s",
                                                      json_object_get_int_member (p, "container_port") + k,
                                                      json_object_get_string_member (p, "protocol"));
              g_autofree char *host_port = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                            json_object_get_int_member (p, "host_port") + k);

              port_map_add (&map, key, *host_ip ? host_ip : "0.0.0.0", host_port);
            }
        }
      port_map_write (&map, b);
    }
  json_builder_set_member_name (b, "Networks");
  json_builder_begin_object (b);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *n = hatake_json_object_member (networks, l->data);
      JsonObject *ni = hatake_json_object_member (info, l->data);
      JsonArray *ips = hatake_json_array_member (n, "static_ips");
      JsonArray *aliases = hatake_json_array_member (n, "aliases");
      JsonArray *subnets = hatake_json_array_member (ni, "subnets");
      JsonObject *subnet = subnets && json_array_get_length (subnets) > 0 ? hatake_json_array_object (subnets, 0) : NULL;
      const char *ip = ips && json_array_get_length (ips) > 0 ? json_array_get_string_element (ips, 0) : "";
      const char *gateway = json_object_get_string_member_with_default (subnet, "gateway", "");
      const char *cidr = json_object_get_string_member_with_default (subnet, "subnet", "");
      const char *slash = strchr (cidr, '/');

      if (l == names)
        {
          first_ip = ip;
          first_gateway = gateway;
          first_mac = json_object_get_string_member_with_default (n, "static_mac", "");
        }
      json_builder_set_member_name (b, l->data);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "NetworkID");
      json_builder_add_string_value (b, json_object_get_string_member_with_default (ni, "id", ""));
      json_builder_set_member_name (b, "IPAddress");
      json_builder_add_string_value (b, ip);
      json_builder_set_member_name (b, "IPPrefixLen");
      json_builder_add_int_value (b, slash ? atoi (slash + 1) : 0);
      json_builder_set_member_name (b, "Gateway");
      json_builder_add_string_value (b, gateway);
      json_builder_set_member_name (b, "MacAddress");
      json_builder_add_string_value (b, json_object_get_string_member_with_default (n, "static_mac", ""));
      json_builder_set_member_name (b, "Aliases");
      json_builder_begin_array (b);
      for (guint i = 0; aliases != NULL && i < json_array_get_length (aliases); i++)
        json_builder_add_string_value (b, json_array_get_string_element (aliases, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  for (guint i = 0; options == NULL && config != NULL && i < config->networks->len; i++)
    {
      HatakeNetworkEndpoint *e = g_ptr_array_index (config->networks, i);

      json_builder_set_member_name (b, e->network);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "IPAMConfig");
      if (e->ip != NULL)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "IPv4Address");
          json_builder_add_string_value (b, e->ip);
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "NetworkID");
      json_builder_add_string_value (b, "");
      json_builder_set_member_name (b, "IPAddress");
      json_builder_add_string_value (b, "");
      json_builder_set_member_name (b, "IPPrefixLen");
      json_builder_add_int_value (b, 0);
      json_builder_set_member_name (b, "Gateway");
      json_builder_add_string_value (b, "");
      json_builder_set_member_name (b, "Aliases");
      json_builder_begin_array (b);
      for (guint k = 0; e->aliases != NULL && e->aliases[k] != NULL; k++)
        json_builder_add_string_value (b, e->aliases[k]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "IPAddress");
  json_builder_add_string_value (b, first_ip);
  json_builder_set_member_name (b, "Gateway");
  json_builder_add_string_value (b, first_gateway);
  json_builder_set_member_name (b, "MacAddress");
  json_builder_add_string_value (b, first_mac);
  json_builder_end_object (b);
}

/* The shape of docker's GET /containers/{id}/json, for what exists so far. */
static void
add_strv_or_null (JsonBuilder *b,
                  const char  *name,
                  GStrv        strv)
{
  json_builder_set_member_name (b, name);
  if (strv == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_array (b);
  for (guint i = 0; strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

/* An array of strings of the image's config, or NULL */
static GStrv
image_strv (JsonObject *image,
            const char *key)
{
  GStrv strv = NULL;

  /* (checked when the image config was read: a list of strings, or a lone one) */
  hatake_json_strv_member (image, key, TRUE, &strv, NULL);
  return strv;
}

static void
add_object_keys (JsonBuilder *b,
                 JsonObject  *object,
                 GHashTable  *seen)
{
  g_autoptr(GList) keys = object ? json_object_get_members (object) : NULL;

  for (GList *l = keys; l != NULL; l = l->next)
    if (g_hash_table_add (seen, l->data))
      {
        json_builder_set_member_name (b, l->data);
        json_builder_begin_object (b);
        json_builder_end_object (b);
      }
}

/* What the container runs with, as docker's daemon merges it from the create and the image
 * (IMAGE: the image's config, NULL for a container made before it was kept): the image's
 * entrypoint and command unless the create gave its own, its environment under the create's,
 * its working directory, user, ports, volumes, labels and stop signal where the create has
 * none. */
typedef struct
{
  GStrv entrypoint;
  GStrv cmd;
  GStrv env;
  GStrv anonymous;   /* where anonymous volumes are mounted (docker's create's Config.Volumes) */
} Effective;

static void
effective_clear (Effective *e)
{
  g_strfreev (e->entrypoint);
  g_strfreev (e->cmd);
  g_strfreev (e->env);
  g_strfreev (e->anonymous);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Effective, effective_clear)

static void
effective_init (Effective                   *e,
                const HatakeContainerConfig *c,
                JsonObject                  *image)
{
  g_autoptr(GStrvBuilder) env = g_strv_builder_new ();
  g_auto(GStrv) image_env = image_strv (image, "Env");

  e->entrypoint = c->entrypoint != NULL ? g_strdupv (c->entrypoint) : image_strv (image, "Entrypoint");
  if (c->cmd != NULL && c->cmd[0] != NULL)
    e->cmd = g_strdupv (c->cmd);
  else if (c->entrypoint == NULL)
    e->cmd = image_strv (image, "Cmd");
  if (c->env != NULL)
    g_strv_builder_addv (env, (const char **) c->env);
  for (guint i = 0; image_env != NULL && image_env[i] != NULL; i++)
    {
      const char *eq = strchr (image_env[i], '=');
      g_autofree char *key = g_strndup (image_env[i], eq ? (gsize) (eq - image_env[i]) : strlen (image_env[i]));
      gboolean set = FALSE;

      for (guint j = 0; c->env != NULL && c->env[j] != NULL && !set; j++)
        set = g_str_has_prefix (c->env[j], key) && (c->env[j][strlen (key)] == '=' || c->env[j][strlen (key)] == '\0');
      if (!set)
        g_strv_builder_add (env, image_env[i]);
    }
  e->env = g_strv_builder_end (env);
  if (e->env[0] == NULL && c->env == NULL && image_env == NULL)
    g_clear_pointer (&e->env, g_strfreev);
}

/* docker's Config of a container, in docker's shape. */
static JsonNode *
docker_config (const HatakeContainerConfig *c,
               JsonObject                  *image,
               const Effective             *e,
               const char                  *id)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  /* (docker's daemon gives a container without --hostname its short id there, --uts host too:
   * the name it has is the host's all the same) */
  g_autofree char *short_id = g_strndup (id, 12);
  const char *image_user = hatake_json_string (image, "User");
  const char *image_dir = hatake_json_string (image, "WorkingDir");
  const char *image_signal = hatake_json_string (image, "StopSignal");
  JsonObject *image_labels = hatake_json_object_member (image, "Labels");
  JsonObject *image_volumes = hatake_json_object_member (image, "Volumes");

#define STR(n, v) (json_builder_set_member_name (b, n), json_builder_add_string_value (b, (v) ? (v) : ""))
#define BOOL(n, v) (json_builder_set_member_name (b, n), json_builder_add_boolean_value (b, v))
  json_builder_begin_object (b);
  STR ("Hostname", c->hostname ? c->hostname : short_id);
  STR ("Domainname", "");
  STR ("User", c->user ? c->user : image_user);
  BOOL ("AttachStdin", c->open_stdin);
  BOOL ("AttachStdout", TRUE);
  BOOL ("AttachStderr", TRUE);
  json_builder_set_member_name (b, "ExposedPorts");
  json_builder_begin_object (b);
  for (guint i = 0; c->expose != NULL && c->expose[i] != NULL; i++)
    if (g_hash_table_add (seen, c->expose[i]))
      {
        json_builder_set_member_name (b, c->expose[i]);
        json_builder_begin_object (b);
        json_builder_end_object (b);
      }
  add_object_keys (b, hatake_json_object_member (image, "ExposedPorts"), seen);
  json_builder_end_object (b);
  BOOL ("Tty", c->tty);
  BOOL ("OpenStdin", c->open_stdin);
  BOOL ("StdinOnce", FALSE);
  add_strv_or_null (b, "Env", e->env);
  add_strv_or_null (b, "Cmd", e->cmd);
  STR ("Image", c->image);
  /* the create's anonymous volumes (-v /data) and the image's */
  json_builder_set_member_name (b, "Volumes");
  if ((image_volumes != NULL && json_object_get_size (image_volumes) > 0) ||
      (e->anonymous != NULL && e->anonymous[0] != NULL))
    {
      g_hash_table_remove_all (seen);
      json_builder_begin_object (b);
      for (guint i = 0; e->anonymous != NULL && e->anonymous[i] != NULL; i++)
        if (g_hash_table_add (seen, e->anonymous[i]))
          {
            json_builder_set_member_name (b, e->anonymous[i]);
            json_builder_begin_object (b);
            json_builder_end_object (b);
          }
      add_object_keys (b, image_volumes, seen);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  STR ("WorkingDir", c->working_dir ? c->working_dir : image_dir);
  add_strv_or_null (b, "Entrypoint", e->entrypoint);
  json_builder_set_member_name (b, "Labels");
  json_builder_begin_object (b);
  g_hash_table_remove_all (seen);
  {
    g_autoptr(GHashTable) own = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; c->labels != NULL && c->labels[i] != NULL; i++)
      {
        const char *eq = strchr (c->labels[i], '=');
        char *key = eq ? g_strndup (c->labels[i], eq - c->labels[i]) : g_strdup (c->labels[i]);

        json_builder_set_member_name (b, key);
        json_builder_add_string_value (b, eq ? eq + 1 : "");
        g_hash_table_add (own, key);
      }
    /* the image's, under the create's */
    {
      g_autoptr(GList) keys = image_labels ? json_object_get_members (image_labels) : NULL;

      for (GList *l = keys; l != NULL; l = l->next)
        if (!g_hash_table_contains (own, l->data) && hatake_json_string (image_labels, l->data) != NULL)
          {
            json_builder_set_member_name (b, l->data);
            json_builder_add_string_value (b, hatake_json_string (image_labels, l->data));
          }
    }
  }
  json_builder_end_object (b);
  if (c->stop_signal != NULL || image_signal != NULL)
    STR ("StopSignal", c->stop_signal ? c->stop_signal : image_signal);
  if (c->stop_timeout >= 0)
    {
      json_builder_set_member_name (b, "StopTimeout");
      json_builder_add_int_value (b, c->stop_timeout);
    }
  if (c->healthcheck != NULL)
    {
      JsonNode *health = json_node_new (JSON_NODE_OBJECT);

      json_node_take_object (health, hatake_health_config_to_docker (c->healthcheck));
      json_builder_set_member_name (b, "Healthcheck");
      json_builder_add_value (b, health);
    }
  json_builder_end_object (b);
#undef STR
#undef BOOL
  return json_builder_get_root (b);
}

JsonNode *
hatake_containers_inspect (HatakeContainers *self,
                           HatakeContainer  *container)
{
  Entry *entry = _hatake_containers_entry_for (self, container);
  HatakeContainer *c = container;
  HatakeContainerState state = hatake_container_get_state (c);
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *created = _hatake_containers_iso_time (hatake_container_get_created (c));
  g_autofree char *started = _hatake_containers_iso_time (hatake_container_get_started_at (c));
  g_autofree char *finished = _hatake_containers_iso_time (hatake_container_get_finished_at (c));
  g_autofree char *name = g_strconcat ("/", hatake_container_get_name (c), NULL);
  g_autofree char *log_path = entry ? g_build_filename (entry->dir, "ctr.log", NULL) : NULL;
  g_auto(Effective) effective = { NULL };
  g_autoptr(JsonNode) config = NULL;
  g_autofree char *rootfs = entry ? g_build_filename (entry->dir, "rootfs", NULL) : NULL;
  g_autofree char *upper = entry ? g_build_filename (entry->dir, "upper", NULL) : NULL;
  const char *error = hatake_container_get_error (c);

  if (entry != NULL)
    {
      g_autoptr(GStrvBuilder) anonymous = g_strv_builder_new ();

      effective_init (&effective, entry->config, entry->image_config);
      for (guint i = 0; entry->config->mounts != NULL && i < entry->config->mounts->len; i++)
        {
          HatakeContainerMount *m = g_ptr_array_index (entry->config->mounts, i);

          if (m->type == HATAKE_CONTAINER_MOUNT_VOLUME && hatake_volumes_is_anonymous (self->volumes, m->source))
            g_strv_builder_add (anonymous, m->target);
        }
      effective.anonymous = g_strv_builder_end (anonymous);
      config = docker_config (entry->config, entry->image_config, &effective, hatake_container_get_id (c));
    }

  json_builder_begin_object (b);
#define STR(n, v) (json_builder_set_member_name (b, n), json_builder_add_string_value (b, v))
#define INT(n, v) (json_builder_set_member_name (b, n), json_builder_add_int_value (b, v))
#define BOOL(n, v) (json_builder_set_member_name (b, n), json_builder_add_boolean_value (b, v))
  STR ("Id", hatake_container_get_id (c));
  STR ("Created", created);
  /* what runs: the first word, then the others (a container made before the image's config was
   * kept has its command line only, in words) */
  {
    g_autoptr(GStrvBuilder) words = g_strv_builder_new ();
    g_auto(GStrv) argv = NULL;

    if (entry != NULL && entry->image_config != NULL)
      {
        if (effective.entrypoint != NULL)
          g_strv_builder_addv (words, (const char **) effective.entrypoint);
        if (effective.cmd != NULL)
          g_strv_builder_addv (words, (const char **) effective.cmd);
        argv = g_strv_builder_end (words);
      }
    else
      argv = g_strsplit (hatake_container_get_command (c) ? hatake_container_get_command (c) : "", " ", -1);
    STR ("Path", argv[0] != NULL ? argv[0] : "");
    add_strv_or_null (b, "Args", argv[0] != NULL ? argv + 1 : argv);
  }
  json_builder_set_member_name (b, "State");
  json_builder_begin_object (b);
  STR ("Status", hatake_container_state_to_string (state));
  BOOL ("Running", state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED);
  BOOL ("Paused", state == HATAKE_CONTAINER_PAUSED);
  BOOL ("Restarting", state == HATAKE_CONTAINER_RESTARTING);
  BOOL ("OOMKilled", hatake_container_get_oom_killed (c));
  BOOL ("Dead", state == HATAKE_CONTAINER_DEAD);
  INT ("Pid", hatake_container_get_pid (c));
  INT ("ExitCode", hatake_container_get_exit_code (c));
  STR ("Error", error ? error : "");
  STR ("StartedAt", started);
  STR ("FinishedAt", finished);
  /* docker's State.Health: there once the container ran with a healthcheck */
  if (hatake_container_get_health_status (c) != HATAKE_HEALTH_NONE)
    {
      GPtrArray *log = hatake_container_get_health_log (c);

      json_builder_set_member_name (b, "Health");
      json_builder_begin_object (b);
      STR ("Status", hatake_health_status_to_string (hatake_container_get_health_status (c)));
      INT ("FailingStreak", hatake_container_get_health_failing_streak (c));
      json_builder_set_member_name (b, "Log");
      json_builder_begin_array (b);
      for (guint i = 0; i < log->len; i++)
        {
          const HatakeHealthResult *r = g_ptr_array_index (log, i);
          g_autofree char *start = _hatake_containers_iso_time (r->start);
          g_autofree char *end = _hatake_containers_iso_time (r->end);

          json_builder_begin_object (b);
          STR ("Start", start);
          STR ("End", end);
          INT ("ExitCode", r->exit_code);
          STR ("Output", r->output ? r->output : "");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  STR ("Image", hatake_container_get_image_id (c) ? hatake_container_get_image_id (c) : "");
  /* the files the engine writes for it and mounts in */
  {
    static const char * const files[][2] = { { "ResolvConfPath", "resolv.conf" }, { "HostnamePath", "hostname" },
                                             { "HostsPath", "hosts" } };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *path = entry ? g_build_filename (entry->dir, files[i][1], NULL) : NULL;

        STR (files[i][0], path ? path : "");
      }
  }
  STR ("LogPath", log_path ? log_path : "");
  STR ("Name", name);
  INT ("RestartCount", hatake_container_get_restart_count (c));
  STR ("Driver", "overlay2");
  STR ("Platform", "linux");
  STR ("MountLabel", "");
  STR ("ProcessLabel", "");
  STR ("AppArmorProfile", "");
  json_builder_set_member_name (b, "ExecIDs");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "Config");
  if (config != NULL)
    json_builder_add_value (b, json_node_ref (config));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "HostConfig");
  json_builder_begin_object (b);
  STR ("Runtime", hatake_runtime_get_name (_hatake_containers_runtime (self, entry)));
  /* conmon writes k8s-file logs, but clients read this as "the logs endpoint serves them":
   * docker-compose skips containers without a driver, the Docker SDK returns run()'s output only
   * for json-file or journald. Said as docker's json-file: the API serves them the same way. */
  json_builder_set_member_name (b, "LogConfig");
  json_builder_begin_object (b);
  STR ("Type", "json-file");
  json_builder_set_member_name (b, "Config");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  if (entry != NULL)
    {
      PortMap bindings;

      STR ("NetworkMode", entry->config->network_mode ? entry->config->network_mode : "bridge");
      /* (docker's defaults: its IPC mode by name, "" for the others) */
      STR ("PidMode", entry->config->pid_mode ? entry->config->pid_mode : "");
      STR ("IpcMode", entry->config->ipc_mode ? entry->config->ipc_mode : "private");
      STR ("UTSMode", entry->config->uts_mode ? entry->config->uts_mode : "");
      json_builder_set_member_name (b, "PublishAllPorts");
      json_builder_add_boolean_value (b, entry->config->publish_all);
      /* docker's PortBindings: what was asked, running or not ("0" … a random port) */
      json_builder_set_member_name (b, "PortBindings");
      port_map_init (&bindings);
      for (guint i = 0; entry->config->publish != NULL && entry->config->publish[i] != NULL; i++)
        {
          HatakePortMapping m;

          if (!hatake_port_mapping_parse (entry->config->publish[i], &m, NULL))
            continue;
          for (guint k = 0; k < MAX (m.range, 1); k++)
            {
              g_autofree char *key = g_strdup_printf ("%u/%s", m.container_port + k, m.protocol);
              g_autofree char *host_port = m.host_port ? g_strdup_printf ("%u", m.host_port + k) : g_strdup ("");

              port_map_add (&bindings, key, m.host_ip, host_port);
            }
        }
      port_map_write (&bindings, b);
      BOOL ("AutoRemove", entry->config->auto_remove);
      BOOL ("Privileged", entry->config->privileged);
      BOOL ("ReadonlyRootfs", entry->config->read_only);
      INT ("Memory", entry->config->memory);
      /* (docker's: memory + swap, twice the memory when not given, 0 without a memory limit) */
      INT ("MemorySwap", entry->config->memory_swap != 0 ? entry->config->memory_swap : entry->config->memory * 2);
      INT ("CpuShares", entry->config->cpu_shares);
      STR ("CpusetCpus", entry->config->cpuset_cpus ? entry->config->cpuset_cpus : "");
      STR ("CpusetMems", entry->config->cpuset_mems ? entry->config->cpuset_mems : "");
      INT ("OomScoreAdj", entry->config->oom_score_adj);
      INT ("NanoCpus", (gint64) (entry->config->cpus * 1e9 + 0.5));
      INT ("PidsLimit", entry->config->pids_limit);
      /* (docker reports its default) */
      INT ("ShmSize", entry->config->shm_size > 0 ? entry->config->shm_size : 64 * 1024 * 1024);
      add_strv_or_null (b, "ExtraHosts", entry->config->extra_hosts);
      add_strv_or_null (b, "Dns", entry->config->dns);
      add_strv_or_null (b, "DnsSearch", entry->config->dns_search);
      add_strv_or_null (b, "DnsOptions", entry->config->dns_options);
      add_strv_or_null (b, "SecurityOpt", entry->config->security_opt);
      add_strv_or_null (b, "GroupAdd", entry->config->group_add);
      json_builder_set_member_name (b, "Devices");
      json_builder_begin_array (b);
      for (guint i = 0; entry->config->devices != NULL && entry->config->devices[i] != NULL; i++)
        {
          g_autofree char *on_host = NULL, *in = NULL, *perms = NULL;

          if (!hatake_device_parse (entry->config->devices[i], &on_host, &in, &perms, NULL))
            continue;
          json_builder_begin_object (b);
          STR ("PathOnHost", on_host);
          STR ("PathInContainer", in);
          STR ("CgroupPermissions", perms);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "Ulimits");
      json_builder_begin_array (b);
      for (guint i = 0; entry->config->ulimits != NULL && entry->config->ulimits[i] != NULL; i++)
        {
          JsonNode *ulimit = json_node_new (JSON_NODE_OBJECT);

          json_node_take_object (ulimit, hatake_ulimit_to_docker (entry->config->ulimits[i]));
          json_builder_add_value (b, ulimit);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "RestartPolicy");
      json_builder_begin_object (b);
      STR ("Name", hatake_restart_policy_to_string (entry->config->restart));
      INT ("MaximumRetryCount", entry->config->restart_max);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "GraphDriver");
  json_builder_begin_object (b);
  STR ("Name", "overlay2");
  json_builder_set_member_name (b, "Data");
  json_builder_begin_object (b);
  STR ("MergedDir", rootfs ? rootfs : "");
  STR ("UpperDir", upper ? upper : "");
  json_builder_end_object (b);
  json_builder_end_object (b);
  add_mounts (self, entry ? entry->config : NULL, b);
  add_network_settings (self, hatake_container_get_id (c),
                        state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED,
                        entry ? entry->config : NULL, b);
#undef STR
#undef INT
#undef BOOL
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
