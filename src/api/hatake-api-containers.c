/* hatake-api-containers.c: /containers/…
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-api"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hatake-api-private.h"
#include "hatake-error.h"
#include "hatake-json.h"

/* ---- create ------------------------------------------------------------------------------ */

/* A create's or an update's answer: {"Id"} when ID is given, and "Warnings", what the body asked
 * that is not done (the request message's "hatake-unsupported"), which the docker CLI prints. */
static void
reply_with_warnings (HatakeApiRequest *request,
                     guint             status,
                     const char       *id)
{
  GStrv unsupported = g_object_get_data (G_OBJECT (request->msg), "hatake-unsupported");
  JsonArray *warnings = json_array_new ();
  JsonObject *object = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; unsupported != NULL && unsupported[i] != NULL; i++)
    json_array_add_string_element (warnings, unsupported[i]);
  if (id != NULL)
    json_object_set_string_member (object, "Id", id);
  json_object_set_array_member (object, "Warnings", warnings);
  node = hatake_api_object_node (object);
  hatake_api_request_reply_json (request, status, node);
}

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContainer) container = hatake_engine_create_container_finish (HATAKE_ENGINE (source), result, &error);

  if (container == NULL)
    hatake_api_request_reply_error (request, error);
  else
    reply_with_warnings (request, SOUP_STATUS_CREATED, hatake_container_get_id (container));
}

static void
create_container (HatakeApiServer   *server,
                  SoupServerMessage *msg,
                  GStrv              path,
                  GHashTable        *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = hatake_api_body_json (msg, TRUE, &error);
  g_autoptr(HatakeContainerConfig) config = NULL;
  HatakeApiRequest *request;

  if (body != NULL && !JSON_NODE_HOLDS_OBJECT (body))
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid JSON: not an object");
  if (error == NULL)
    config = hatake_container_config_from_docker (json_node_get_object (body), hatake_api_query (query, "name"),
                                                  &error);
  if (config == NULL)
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  /* what the body asks that is not done: said in the answer's Warnings (the docker CLI prints
   * them), not dropped without a word */
  g_object_set_data_full (G_OBJECT (msg), "hatake-unsupported",
                          hatake_container_config_docker_unsupported (json_node_get_object (body)),
                          (GDestroyNotify) g_strfreev);
  request = hatake_api_request_new (server, msg, query, path);
  hatake_engine_create_container_async (request->engine, config, request->cancellable, on_created, request);
}

/* ---- list --------------------------------------------------------------------------------- */

static const char *
container_label (gpointer    container,
                 const char *key)
{
  return hatake_container_get_label (container, key);
}

static gboolean
has_label (HatakeContainer *c,
           const char      *filter)
{
  return hatake_api_label_holds (filter, container_label, c);
}

/* docker's ps filters (its daemon's acceptedPsFilterTags): any other key is a 400, as there */
static const char * const list_filter_keys[] = {
  "ancestor", "before", "exited", "id", "isolation", "label", "name", "status", "health", "since", "volume",
  "network", "is-task", "publish", "expose", NULL
};

/* the keys the list applies itself, from the container's creation time or its inspect */
static const char * const list_only_keys[] = { "before", "since", "volume", "network", "publish", "expose", NULL };

static gboolean
matches_filters (HatakeContainer *c,
                 GHashTable      *filters)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, filters);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GStrv values = value;
      gboolean any = values[0] == NULL;
      /* labels must all match (docker's AND); the other keys take any of their values */
      gboolean all_labels = g_str_equal (key, "label");

      if (g_strv_contains (list_only_keys, key))
        continue;
      if (g_str_equal (key, "label!"))
        {
          /* (prune's) the containers with any of these labels are kept */
          for (guint i = 0; values[i] != NULL; i++)
            if (has_label (c, values[i]))
              return FALSE;
          continue;
        }
      if (all_labels)
        {
          for (guint i = 0; values[i] != NULL; i++)
            if (!has_label (c, values[i]))
              return FALSE;
          continue;
        }
      if (g_str_equal (key, "is-task"))
        {
          /* no container of ours is a swarm task: is-task=true lists none (true wins, as in docker) */
          if (g_strv_contains ((const char * const *) values, "true"))
            return FALSE;
          continue;
        }
      for (guint i = 0; values[i] != NULL && !any; i++)
        {
          const char *v = values[i];

          if (g_str_equal (key, "status"))
            any = g_str_equal (v, hatake_container_state_to_string (hatake_container_get_state (c)));
          else if (g_str_equal (key, "name"))
            any = strstr (hatake_container_get_name (c), v[0] == '/' ? v + 1 : v) != NULL;
          else if (g_str_equal (key, "id"))
            any = g_str_has_prefix (hatake_container_get_id (c), v);
          else if (g_str_equal (key, "ancestor"))
            any = g_strcmp0 (hatake_container_get_image (c), v) == 0 ||
                  g_str_has_prefix (hatake_container_get_image_id (c) ? hatake_container_get_image_id (c) : "", v);
          else if (g_str_equal (key, "health"))
            any = g_str_equal (v, hatake_health_status_to_string (hatake_container_get_health_status (c)));
          else if (g_str_equal (key, "exited"))
            /* docker: the exit code of a container that ran and stopped (not one only created) */
            any = (hatake_container_get_state (c) == HATAKE_CONTAINER_EXITED ||
                   hatake_container_get_state (c) == HATAKE_CONTAINER_DEAD) &&
                  hatake_container_get_started_at (c) != 0 &&
                  hatake_container_get_exit_code (c) == atoi (v);
          else if (g_str_equal (key, "isolation"))
            any = v[0] == '\0';   /* a Windows setting: a Linux container's isolation is "" */
          else
            any = FALSE;   /* (the callers refuse the keys not known here) */
        }
      if (!any)
        return FALSE;
    }
  return TRUE;
}

/* publish= and expose=: PORT[/PROTO] or FIRST-LAST[/PROTO], tcp when no protocol is given */
typedef struct
{
  guint first;
  guint last;
  char  proto[8];
} PortRange;

static gboolean
parse_port_filter (const char  *key,
                   const char  *value,
                   GArray      *ranges,
                   GError     **error)
{
  const char *slash = strchr (value, '/');
  g_autofree char *ports = slash ? g_strndup (value, slash - value) : g_strdup (value);
  const char *proto = slash != NULL && slash[1] != '\0' ? slash + 1 : "tcp";
  char *dash = strchr (ports, '-');
  PortRange range = { 0 };
  guint64 first, last;

  if (strchr (value, ':') != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "filter for '%s' should not contain ':': %s",
                   key, value);
      return FALSE;
    }
  if (dash != NULL)
    *dash = '\0';
  if (!g_ascii_string_to_unsigned (ports, 10, 0, 65535, &first, NULL) ||
      !g_ascii_string_to_unsigned (dash ? dash + 1 : ports, 10, first, 65535, &last, NULL) ||
      strlen (proto) >= sizeof range.proto)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "error while looking up for %s %s: invalid port",
                   key, value);
      return FALSE;
    }
  range.first = first;
  range.last = last;
  g_strlcpy (range.proto, proto, sizeof range.proto);
  g_array_append_val (ranges, range);
  return TRUE;
}

/* whether one of PORTS' members ("80/tcp", as docker keys its port maps) is in RANGES */
static gboolean
has_port (JsonObject *ports,
          GArray     *ranges)
{
  g_autoptr(GList) keys = ports ? json_object_get_members (ports) : NULL;

  for (GList *l = keys; l != NULL; l = l->next)
    {
      char *end;
      guint64 port = g_ascii_strtoull (l->data, &end, 10);
      const char *proto = *end == '/' ? end + 1 : "tcp";

      for (guint i = 0; i < ranges->len; i++)
        {
          PortRange *r = &g_array_index (ranges, PortRange, i);

          if (port >= r->first && port <= r->last && g_str_equal (proto, r->proto))
            return TRUE;
        }
    }
  return FALSE;
}

/* A ps's filters, checked as docker's daemon checks them before it lists anything */
typedef struct
{
  GHashTable      *filters;    /* key → GStrv */
  HatakeContainer *before;     /* before=: only the containers created before it */
  HatakeContainer *since;      /* since=: only those created after it */
  GArray          *publish;    /* PortRange; NULL: not asked */
  GArray          *expose;
  gboolean         by_inspect; /* volume, network, publish or expose: the inspect decides */
} ListFilters;

static void
list_filters_free (ListFilters *lf)
{
  g_clear_pointer (&lf->filters, g_hash_table_unref);
  g_clear_object (&lf->before);
  g_clear_object (&lf->since);
  g_clear_pointer (&lf->publish, g_array_unref);
  g_clear_pointer (&lf->expose, g_array_unref);
  g_free (lf);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ListFilters, list_filters_free)

/* docker's idOrNameFilter: a container that is not there is a 404 (the last value counts) */
static gboolean
lookup_bound (HatakeEngine     *engine,
              GStrv             values,
              HatakeContainer **out,
              GError          **error)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_clear_object (out);
      *out = hatake_engine_lookup_container (engine, values[i]);
      if (*out == NULL)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, "No such container: %s", values[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static ListFilters *
list_filters_new (HatakeEngine  *engine,
                  GHashTable    *query,
                  GError       **error)
{
  static const char * const statuses[] = {
    "created", "restarting", "running", "removing", "paused", "exited", "dead", NULL
  };
  static const char * const healths[] = { "starting", "healthy", "unhealthy", "none", NULL };
  g_autoptr(ListFilters) lf = g_new0 (ListFilters, 1);
  GStrv values;

  lf->filters = hatake_api_query_filters_only (query, list_filter_keys, error);
  if (lf->filters == NULL)
    return NULL;
  values = g_hash_table_lookup (lf->filters, "status");
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (!g_strv_contains (statuses, values[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid filter 'status=%s'", values[i]);
        return NULL;
      }
  values = g_hash_table_lookup (lf->filters, "health");
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (!g_strv_contains (healths, values[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Unrecognised filter value for health: %s",
                     values[i]);
        return NULL;
      }
  values = g_hash_table_lookup (lf->filters, "exited");
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (!g_ascii_string_to_signed (values[i], 10, G_MININT, G_MAXINT, NULL, NULL))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid filter 'exited=%s'", values[i]);
        return NULL;
      }
  values = g_hash_table_lookup (lf->filters, "is-task");
  if (values != NULL && !g_strv_contains ((const char * const *) values, "true") &&
      !g_strv_contains ((const char * const *) values, "false"))
    {
      g_autofree char *joined = g_strjoinv (",", values);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid filter 'is-task=%s'", joined);
      return NULL;
    }
  if (!lookup_bound (engine, g_hash_table_lookup (lf->filters, "before"), &lf->before, error) ||
      !lookup_bound (engine, g_hash_table_lookup (lf->filters, "since"), &lf->since, error))
    return NULL;
  for (guint k = 0; k < 2; k++)
    {
      const char *key = k == 0 ? "publish" : "expose";
      GArray **ranges = k == 0 ? &lf->publish : &lf->expose;

      values = g_hash_table_lookup (lf->filters, key);
      if (values == NULL)
        continue;
      *ranges = g_array_new (FALSE, FALSE, sizeof (PortRange));
      for (guint i = 0; values[i] != NULL; i++)
        if (!parse_port_filter (key, values[i], *ranges, error))
          return NULL;
    }
  lf->by_inspect = lf->publish != NULL || lf->expose != NULL || g_hash_table_contains (lf->filters, "volume") ||
                   g_hash_table_contains (lf->filters, "network");
  return g_steal_pointer (&lf);
}

static gboolean
matches_bounds (ListFilters     *lf,
                HatakeContainer *c)
{
  gint64 created = hatake_container_get_created (c);

  return (lf->before == NULL || created < hatake_container_get_created (lf->before)) &&
         (lf->since == NULL || created > hatake_container_get_created (lf->since));
}

/* docker: a mount's volume name (a bind's source when it has none) or its destination */
static gboolean
has_volume (JsonArray *mounts,
            GStrv      values)
{
  for (guint i = 0; mounts != NULL && i < json_array_get_length (mounts); i++)
    {
      JsonObject *m = hatake_json_array_object (mounts, i);
      const char *name = hatake_json_string_or (m, "Name", "");

      if (*name == '\0')
        name = hatake_json_string_or (m, "Source", "");
      for (guint k = 0; values[k] != NULL; k++)
        if (g_str_equal (values[k], name) || g_str_equal (values[k], hatake_json_string_or (m, "Destination", "")))
          return TRUE;
    }
  return FALSE;
}

/* docker: a network's name, or a prefix of its ID. Docker lists a container of --network none
 * or host under a network of that name, which our inspect's Networks leave out: its mode counts. */
static gboolean
has_network (JsonObject *ins,
             GStrv       values)
{
  JsonObject *networks = hatake_json_object_member (hatake_json_object_member (ins, "NetworkSettings"), "Networks");
  const char *mode = hatake_json_string_or (hatake_json_object_member (ins, "HostConfig"), "NetworkMode", "");
  g_autoptr(GList) names = networks ? json_object_get_members (networks) : NULL;

  if (g_str_equal (mode, "none") || g_str_equal (mode, "host"))
    for (guint k = 0; values[k] != NULL; k++)
      if (g_str_equal (values[k], mode))
        return TRUE;
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *id = hatake_json_string_or (hatake_json_object_member (networks, l->data), "NetworkID", "");

      for (guint k = 0; values[k] != NULL; k++)
        if (g_str_equal (values[k], l->data) || (*id != '\0' && g_str_has_prefix (id, values[k])))
          return TRUE;
    }
  return FALSE;
}

static gboolean
matches_inspect (ListFilters *lf,
                 JsonObject  *ins)
{
  GStrv volumes = g_hash_table_lookup (lf->filters, "volume");
  GStrv networks = g_hash_table_lookup (lf->filters, "network");

  if (volumes != NULL && !has_volume (hatake_json_array_member (ins, "Mounts"), volumes))
    return FALSE;
  if (networks != NULL && !has_network (ins, networks))
    return FALSE;
  /* docker's publish is the container ports of HostConfig.PortBindings, expose those of
   * Config.ExposedPorts (which take the published ones too) */
  if (lf->publish != NULL &&
      !has_port (hatake_json_object_member (hatake_json_object_member (ins, "HostConfig"), "PortBindings"),
                 lf->publish))
    return FALSE;
  if (lf->expose != NULL &&
      !has_port (hatake_json_object_member (hatake_json_object_member (ins, "Config"), "ExposedPorts"), lf->expose))
    return FALSE;
  return TRUE;
}

static JsonNode *
summary (HatakeContainer *c,
         JsonObject      *ins)
{
  JsonObject *object = json_object_new ();
  JsonArray *names = json_array_new ();
  JsonArray *ports = json_array_new ();
  JsonObject *labels = json_object_new ();
  JsonObject *host = json_object_new ();
  JsonObject *settings = json_object_new ();
  const char * const *label_list = hatake_container_get_labels (c);
  g_autofree char *slashed = g_strconcat ("/", hatake_container_get_name (c), NULL);
  JsonObject *port_map, *networks;

  json_array_add_string_element (names, slashed);
  json_object_set_string_member (object, "Id", hatake_container_get_id (c));
  json_object_set_array_member (object, "Names", names);
  json_object_set_string_member (object, "Image", hatake_container_get_image (c) ? hatake_container_get_image (c) : "");
  json_object_set_string_member (object, "ImageID", hatake_container_get_image_id (c) ? hatake_container_get_image_id (c) : "");
  json_object_set_string_member (object, "Command", hatake_container_get_command (c) ? hatake_container_get_command (c) : "");
  json_object_set_int_member (object, "Created", hatake_container_get_created (c) / G_USEC_PER_SEC);
  port_map = hatake_json_object_member (hatake_json_object_member (ins, "NetworkSettings"), "Ports");
  if (port_map != NULL)
    {
      g_autoptr(GList) keys = json_object_get_members (port_map);

      for (GList *l = keys; l != NULL; l = l->next)
        {
          JsonArray *hosts = hatake_json_array_member (port_map, l->data);
          g_auto(GStrv) port_proto = g_strsplit (l->data, "/", 2);

          for (guint i = 0; hosts != NULL && i < json_array_get_length (hosts); i++)
            {
              JsonObject *h = hatake_json_array_object (hosts, i);
              JsonObject *p = json_object_new ();
              const char *ip = hatake_json_string_or (h, "HostIp", "");

              json_object_set_string_member (p, "IP", *ip ? ip : "0.0.0.0");
              json_object_set_int_member (p, "PrivatePort", atoi (port_proto[0]));
              json_object_set_int_member (p, "PublicPort", atoi (hatake_json_string_or (h, "HostPort", "0")));
              json_object_set_string_member (p, "Type", port_proto[1] ? port_proto[1] : "tcp");
              json_array_add_object_element (ports, p);
            }
        }
    }
  json_object_set_array_member (object, "Ports", ports);
  for (guint i = 0; label_list != NULL && label_list[i] != NULL; i++)
    {
      const char *eq = strchr (label_list[i], '=');
      g_autofree char *key = eq ? g_strndup (label_list[i], eq - label_list[i]) : g_strdup (label_list[i]);

      json_object_set_string_member (labels, key, eq ? eq + 1 : "");
    }
  json_object_set_object_member (object, "Labels", labels);
  json_object_set_string_member (object, "State", hatake_container_state_to_string (hatake_container_get_state (c)));
  json_object_set_string_member (host, "NetworkMode",
                                 hatake_json_string (hatake_json_object_member (ins, "HostConfig"), "NetworkMode")
                                 ? hatake_json_string (hatake_json_object_member (ins, "HostConfig"), "NetworkMode")
                                 : "bridge");
  json_object_set_object_member (object, "HostConfig", host);
  networks = hatake_json_object_member (hatake_json_object_member (ins, "NetworkSettings"), "Networks");
  if (networks != NULL)
    json_object_set_member (settings, "Networks", json_node_copy (json_object_get_member (hatake_json_object_member (ins, "NetworkSettings"), "Networks")));
  else
    json_object_set_object_member (settings, "Networks", json_object_new ());
  json_object_set_object_member (object, "NetworkSettings", settings);
  if (ins != NULL && json_object_has_member (ins, "Mounts"))
    json_object_set_member (object, "Mounts", json_node_copy (json_object_get_member (ins, "Mounts")));
  else
    json_object_set_array_member (object, "Mounts", json_array_new ());
  return hatake_api_object_node (object);
}

/* docker ps asks for the list often: each container's summary is kept as JSON text, made from
 * its inspect once and again only when it changed (its state, times or name; a network connect
 * or disconnect clears them all). "Status" ("Up 3 minutes") is added at each answer. */
typedef struct
{
  char                 *text;      /* the summary object without its closing brace */
  HatakeContainerState  state;
  gint64                started_at;
  gint64                finished_at;
  char                 *name;
} CachedSummary;

static void
cached_summary_free (CachedSummary *cached)
{
  g_free (cached->text);
  g_free (cached->name);
  g_free (cached);
}

GHashTable *
hatake_api_summary_cache_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cached_summary_free);
}

static gboolean
cached_is_current (CachedSummary   *cached,
                   HatakeContainer *c)
{
  return cached != NULL && cached->state == hatake_container_get_state (c) &&
         cached->started_at == hatake_container_get_started_at (c) &&
         cached->finished_at == hatake_container_get_finished_at (c) &&
         g_strcmp0 (cached->name, hatake_container_get_name (c)) == 0;
}

static void
cache_summary (GHashTable      *cache,
               HatakeContainer *c,
               JsonObject      *inspect)
{
  g_autoptr(JsonNode) node = summary (c, inspect);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  CachedSummary *cached = g_new0 (CachedSummary, 1);
  gsize length = 0;

  json_generator_set_root (generator, node);
  cached->text = json_generator_to_data (generator, &length);
  /* "{…}" → "{…": Status goes in at the end */
  if (length > 0 && cached->text[length - 1] == '}')
    cached->text[length - 1] = '\0';
  cached->state = hatake_container_get_state (c);
  cached->started_at = hatake_container_get_started_at (c);
  cached->finished_at = hatake_container_get_finished_at (c);
  cached->name = g_strdup (hatake_container_get_name (c));
  g_hash_table_replace (cache, g_strdup (hatake_container_get_id (c)), cached);
}

typedef struct
{
  HatakeApiRequest *request;
  GHashTable       *cache;
  GPtrArray        *chosen;     /* newest first */
  guint             pending;
  ListFilters      *filters;
  GHashTable       *rejected;   /* IDs whose inspect did not match (filters->by_inspect) */
  int               limit;      /* applied here when the inspects filter */
} ListData;

static void
list_reply (ListData *data)
{
  g_autoptr(GString) text = g_string_new ("[");
  gint64 now = g_get_real_time ();
  gboolean first = TRUE;
  int n = 0;

  for (guint i = 0; i < data->chosen->len; i++)
    {
      HatakeContainer *c = g_ptr_array_index (data->chosen, i);
      CachedSummary *cached = g_hash_table_lookup (data->cache, hatake_container_get_id (c));
      g_autofree char *status = NULL;

      if (cached == NULL)   /* (one removed meanwhile is left out) */
        continue;
      if (g_hash_table_contains (data->rejected, hatake_container_get_id (c)))
        continue;
      if (data->limit > 0 && n++ >= data->limit)
        break;
      status = hatake_container_dup_status (c, now);
      g_string_append (text, first ? "" : ",");
      g_string_append (text, cached->text);
      g_string_append (text, ",\"Status\":\"");
      for (const char *p = status; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (text, '\\');
          g_string_append_c (text, *p);
        }
      g_string_append (text, "\"}");
      first = FALSE;
    }
  g_string_append (text, "]\n");
  hatake_api_request_reply_text (data->request, SOUP_STATUS_OK, "application/json", g_string_free (g_steal_pointer (&text), FALSE));
  g_ptr_array_unref (data->chosen);
  list_filters_free (data->filters);
  g_hash_table_unref (data->rejected);
  g_free (data);
}

typedef struct
{
  ListData        *list;
  HatakeContainer *container;
} ListItem;

static void
on_list_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ListItem *item = user_data;
  ListData *data = item->list;
  g_autoptr(JsonNode) inspect = hatake_engine_inspect_container_finish (HATAKE_ENGINE (source), result, NULL);

  if (inspect != NULL)
    {
      cache_summary (data->cache, item->container, json_node_get_object (inspect));
      if (data->filters->by_inspect && !matches_inspect (data->filters, json_node_get_object (inspect)))
        g_hash_table_add (data->rejected, g_strdup (hatake_container_get_id (item->container)));
    }
  else
    g_hash_table_remove (data->cache, hatake_container_get_id (item->container));
  g_object_unref (item->container);
  g_free (item);
  if (--data->pending == 0)
    list_reply (data);
}

static void
list_containers (HatakeApiServer   *server,
                 SoupServerMessage *msg,
                 GStrv              path,
                 GHashTable        *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ListFilters) filters = list_filters_new (hatake_api_server_get_engine (server), query, &error);
  GListModel *containers = hatake_engine_get_containers (hatake_api_server_get_engine (server));
  gboolean all = hatake_api_query_bool (query, "all", FALSE);
  const char *limit_text = hatake_api_query (query, "limit");
  /* docker: a limit of 0 or less is none; one above 0 also takes stopped containers (ps -l, -n) */
  int limit = limit_text ? atoi (limit_text) : 0;
  ListData *data;

  if (filters == NULL)
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  data = g_new0 (ListData, 1);
  data->cache = hatake_api_server_get_summary_cache (server);
  data->chosen = g_ptr_array_new_with_free_func (g_object_unref);
  data->rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* the inspects may still drop some: the limit waits for them */
  data->limit = filters->by_inspect ? limit : 0;
  /* newest first, as docker lists them */
  for (guint i = g_list_model_get_n_items (containers); i > 0; i--)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i - 1);
      HatakeContainerState state = hatake_container_get_state (c);

      if (limit > 0 && !filters->by_inspect && data->chosen->len >= (guint) limit)
        break;
      if (state == HATAKE_CONTAINER_REMOVED)
        continue;
      if (!all && limit <= 0 && !g_hash_table_contains (filters->filters, "status") &&
          state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED && state != HATAKE_CONTAINER_RESTARTING)
        continue;
      if (!matches_filters (c, filters->filters) || !matches_bounds (filters, c))
        continue;
      g_ptr_array_add (data->chosen, g_steal_pointer (&c));
    }
  /* (the cache forgets containers that are gone) */
  if (g_hash_table_size (data->cache) > g_list_model_get_n_items (containers))
    {
      g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter iter;
      gpointer key;

      for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
        {
          g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);
          g_hash_table_add (present, (gpointer) hatake_container_get_id (c));
        }
      g_hash_table_iter_init (&iter, data->cache);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (present, key))
          g_hash_table_iter_remove (&iter);
    }
  data->filters = g_steal_pointer (&filters);
  data->request = hatake_api_request_new (server, msg, query, path);
  data->pending = 1;
  for (guint i = 0; i < data->chosen->len; i++)
    {
      HatakeContainer *c = g_ptr_array_index (data->chosen, i);
      ListItem *item;

      if (!data->filters->by_inspect &&
          cached_is_current (g_hash_table_lookup (data->cache, hatake_container_get_id (c)), c))
        continue;
      item = g_new0 (ListItem, 1);
      item->list = data;
      item->container = g_object_ref (c);
      data->pending++;
      hatake_engine_inspect_container_async (data->request->engine, hatake_container_get_id (c), NULL,
                                             on_list_inspected, item);
    }
  if (--data->pending == 0)
    list_reply (data);
}

/* ---- operations --------------------------------------------------------------------------- */

static void
on_op_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_container_op_finish (HATAKE_ENGINE (source), result, &error);

  if (error != NULL)
    {
      /* docker: starting a running container or stopping a stopped one is "not modified" */
      if (g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE) &&
          (g_str_equal (request->path[2], "start") || g_str_equal (request->path[2], "stop")) &&
          (strstr (error->message, "already") != NULL || strstr (error->message, "not running") != NULL))
        {
          hatake_api_request_reply_status (request, SOUP_STATUS_NOT_MODIFIED);
          return;
        }
      hatake_api_request_reply_error (request, error);
      return;
    }
  if (g_str_equal (request->path[2], "wait"))
    {
      hatake_api_request_reply_json (request, SOUP_STATUS_OK, node);
      return;
    }
  hatake_api_request_reply_status (request, SOUP_STATUS_NO_CONTENT);
}

static void
container_op (HatakeApiServer   *server,
              SoupServerMessage *msg,
              GStrv              path,
              GHashTable        *query,
              HatakeContainerOp  op)
{
  HatakeApiRequest *request;
  HatakeContainerOpArgs args = { .timeout = -1 };
  const char *t = hatake_api_query (query, "t");

  if (t == NULL)
    t = hatake_api_query (query, "timeout");
  if (t != NULL)
    args.timeout = atoi (t);
  args.signal = (char *) hatake_api_query (query, "signal");
  args.force = hatake_api_query_bool (query, "force", FALSE);
  args.volumes = hatake_api_query_bool (query, "v", FALSE);
  /* docker: starting a running container or stopping one that does not run changes nothing
   * (304); the engine's own callers take both as done */
  if (op == HATAKE_CONTAINER_OP_START || op == HATAKE_CONTAINER_OP_STOP)
    {
      g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (hatake_api_server_get_engine (server), path[1]);
      HatakeContainerState state = c ? hatake_container_get_state (c) : HATAKE_CONTAINER_REMOVED;

      if (c != NULL &&
          (op == HATAKE_CONTAINER_OP_START ? state == HATAKE_CONTAINER_RUNNING
                                           : (state == HATAKE_CONTAINER_CREATED || state == HATAKE_CONTAINER_EXITED ||
                                              state == HATAKE_CONTAINER_DEAD)))
        {
          soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
          return;
        }
    }
  request = hatake_api_request_new (server, msg, query, path);
  hatake_engine_container_op_async (request->engine, path[1], op, &args, request->cancellable, on_op_done, request);
}

/* ---- wait ---------------------------------------------------------------------------------- */

typedef struct
{
  HatakeApiRequest *request;
  HatakeContainer  *container;
  gulong            handler;
  gboolean          removed;      /* condition=removed */
  gboolean          seen_running; /* next-exit: an exit only counts after a start */
  gulong            cancelled_id;
  guint             idle;
} WaitData;

static void
wait_reply (WaitData *data)
{
  JsonObject *object = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  json_object_set_int_member (object, "StatusCode", hatake_container_get_exit_code (data->container));
  json_object_set_null_member (object, "Error");
  node = hatake_api_object_node (object);
  g_clear_signal_handler (&data->handler, data->container);
  g_cancellable_disconnect (data->request->cancellable, data->cancelled_id);
  g_clear_handle_id (&data->idle, g_source_remove);
  hatake_api_request_write_json (data->request, node);
  hatake_api_request_end_stream (data->request);
  g_object_unref (data->container);
  g_free (data);
}

static gboolean
wait_abandoned (gpointer user_data)
{
  WaitData *data = user_data;

  /* the client went away: nobody to answer */
  data->idle = 0;
  wait_reply (data);
  return G_SOURCE_REMOVE;
}

static void
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  WaitData *data = user_data;

  if (data->idle == 0)
    data->idle = g_idle_add (wait_abandoned, data);
}

static gboolean
is_stopped (HatakeContainerState state)
{
  return state == HATAKE_CONTAINER_EXITED || state == HATAKE_CONTAINER_DEAD || state == HATAKE_CONTAINER_CREATED ||
         state == HATAKE_CONTAINER_REMOVED;
}

static void
on_wait_state (HatakeContainer *container,
               GParamSpec      *pspec,
               gpointer         user_data)
{
  WaitData *data = user_data;
  HatakeContainerState state = hatake_container_get_state (container);

  if (state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_RESTARTING)
    data->seen_running = TRUE;
  if (data->removed ? state == HATAKE_CONTAINER_REMOVED
                    : (state == HATAKE_CONTAINER_EXITED || state == HATAKE_CONTAINER_DEAD ||
                       state == HATAKE_CONTAINER_REMOVED) &&
                      (data->seen_running || state == HATAKE_CONTAINER_REMOVED))
    wait_reply (data);
}

static void
wait_container (HatakeApiServer   *server,
                SoupServerMessage *msg,
                GStrv              path,
                GHashTable        *query)
{
  HatakeContainer *container = hatake_engine_lookup_container (hatake_api_server_get_engine (server), path[1]);
  const char *condition = hatake_api_query (query, "condition");
  WaitData *data;

  if (condition != NULL && *condition != '\0' && !g_str_equal (condition, "not-running") &&
      !g_str_equal (condition, "next-exit") && !g_str_equal (condition, "removed"))
    {
      g_autofree char *message = g_strdup_printf ("invalid condition: \"%s\"", condition);

      g_clear_object (&container);
      hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, message);
      return;
    }
  if (container == NULL)
    {
      g_autofree char *message = g_strdup_printf ("No such container: %s", path[1]);

      hatake_api_reply_message (msg, SOUP_STATUS_NOT_FOUND, message);
      return;
    }
  data = g_new0 (WaitData, 1);
  data->container = container;
  data->request = hatake_api_request_new (server, msg, query, path);
  /* the headers go out at once, as docker's: the CLI starts the container only once its wait
   * is registered */
  hatake_api_request_begin_stream (data->request, "application/json");
  data->removed = g_strcmp0 (condition, "removed") == 0;
  if (condition == NULL || *condition == '\0' || g_str_equal (condition, "not-running"))
    {
      if (is_stopped (hatake_container_get_state (container)))
        {
          wait_reply (data);
          return;
        }
      data->seen_running = TRUE;
    }
  else if (!data->removed)
    data->seen_running = !is_stopped (hatake_container_get_state (container));
  data->handler = g_signal_connect (container, "notify::state", G_CALLBACK (on_wait_state), data);
  data->cancelled_id = g_cancellable_connect (data->request->cancellable, G_CALLBACK (on_wait_cancelled), data, NULL);
}

/* ---- logs ---------------------------------------------------------------------------------- */

typedef struct
{
  HatakeApiRequest *request;
  gboolean          multiplexed;   /* no tty: docker's 8-byte frame headers */
  gboolean          timestamps;
  gboolean          started;
} LogsData;

static void
write_frame (HatakeApiRequest *request,
             gboolean          multiplexed,
             HatakeLogStream   stream,
             const char       *prefix,
             const void       *data,
             gsize             length)
{
  gsize prefix_length = prefix ? strlen (prefix) : 0;

  if (multiplexed)
    {
      guint8 header[8] = { stream == HATAKE_LOG_STDERR ? 2 : 1, 0, 0, 0 };
      guint32 size = GUINT32_TO_BE ((guint32) (length + prefix_length));

      memcpy (header + 4, &size, 4);
      hatake_api_request_write (request, header, sizeof header);
    }
  if (prefix_length > 0)
    hatake_api_request_write (request, prefix, prefix_length);
  hatake_api_request_write (request, data, length);
}

static void
on_log_entry (const HatakeLogEntry *entry,
              gpointer              user_data)
{
  LogsData *data = user_data;
  gsize length = 0;
  const char *bytes = g_bytes_get_data (entry->content, &length);
  g_autofree char *stamp = NULL;

  if (data->timestamps)
    {
      g_autofree char *t = hatake_log_format_timestamp (entry->timestamp);
      stamp = g_strconcat (t, " ", NULL);
    }
  write_frame (data->request, data->multiplexed, entry->stream, stamp, bytes, length);
}

static void
on_logs_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LogsData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!hatake_engine_container_logs_finish (HATAKE_ENGINE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("logs: %s", error->message);
  hatake_api_request_end_stream (data->request);
  g_free (data);
}

static void
on_logs_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LogsData *data = user_data;
  HatakeApiRequest *request = data->request;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) inspect = hatake_engine_inspect_container_finish (HATAKE_ENGINE (source), result, &error);
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;
  const char *tail = hatake_api_query (request->query, "tail");
  const char *since = hatake_api_query (request->query, "since");
  const char *until = hatake_api_query (request->query, "until");

  if (inspect == NULL)
    {
      hatake_api_request_reply_error (request, error);
      g_free (data);
      return;
    }
  options.follow = hatake_api_query_bool (request->query, "follow", FALSE);
  options.streams = (hatake_api_query_bool (request->query, "stdout", FALSE) ? HATAKE_LOG_STDOUT : 0) |
                    (hatake_api_query_bool (request->query, "stderr", FALSE) ? HATAKE_LOG_STDERR : 0);
  if (tail != NULL && !g_str_equal (tail, "all"))
    options.tail = MAX (atoll (tail), 0);
  if (since != NULL && *since != '\0' && !g_str_equal (since, "0"))
    options.since = (gint64) (g_ascii_strtod (since, NULL) * 1e9);
  if (until != NULL && *until != '\0' && !g_str_equal (until, "0"))
    options.until = (gint64) (g_ascii_strtod (until, NULL) * 1e9);
  data->multiplexed = !hatake_json_boolean (hatake_json_object_member (json_node_get_object (inspect), "Config"), "Tty", FALSE);
  data->timestamps = hatake_api_query_bool (request->query, "timestamps", FALSE);
  hatake_api_request_begin_stream (request, data->multiplexed ? "application/vnd.docker.multiplexed-stream"
                                                              : "application/vnd.docker.raw-stream");
  /* a client that reads slower than the log is read holds the reading, not the server's memory */
  options.flow = request->flow;
  hatake_engine_container_logs_async (request->engine, request->path[1], &options, on_log_entry, data,
                                     request->cancellable, on_logs_done, data);
}

static void
container_logs (HatakeApiServer   *server,
                SoupServerMessage *msg,
                GStrv              path,
                GHashTable        *query)
{
  LogsData *data;

  if (!hatake_api_query_bool (query, "stdout", FALSE) && !hatake_api_query_bool (query, "stderr", FALSE))
    {
      hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, "You must choose at least one stream");
      return;
    }
  data = g_new0 (LogsData, 1);
  data->request = hatake_api_request_new (server, msg, query, path);
  hatake_engine_inspect_container_async (data->request->engine, path[1], data->request->cancellable,
                                         on_logs_inspected, data);
}

/* ---- inspect, rename, top, kill… ------------------------------------------------------------ */

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_inspect_container_finish (HATAKE_ENGINE (source), result, &error);

  hatake_api_request_reply_result (user_data, node, error);
}

static void
on_renamed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  hatake_engine_rename_container_finish (HATAKE_ENGINE (source), result, &error);
  hatake_api_request_reply_done (user_data, SOUP_STATUS_NO_CONTENT, error);
}

static void
on_updated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiRequest *request = user_data;
  g_autoptr(GError) error = NULL;

  if (!hatake_engine_update_container_finish (HATAKE_ENGINE (source), result, &error))
    hatake_api_request_reply_error (request, error);
  else
    reply_with_warnings (request, SOUP_STATUS_OK, NULL);
}

/* POST /containers/{id}/update: docker update */
static void
update_container (HatakeApiServer   *server,
                  SoupServerMessage *msg,
                  GStrv              path,
                  GHashTable        *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = hatake_api_body_json (msg, TRUE, &error);
  g_auto(HatakeContainerUpdate) update = { 0 };
  GStrv unsupported = NULL;
  HatakeApiRequest *request;

  if (body != NULL && !JSON_NODE_HOLDS_OBJECT (body))
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid JSON: not an object");
  if (error != NULL ||
      !hatake_container_update_from_docker (json_node_get_object (body), &update, &unsupported, &error))
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  g_object_set_data_full (G_OBJECT (msg), "hatake-unsupported", unsupported, (GDestroyNotify) g_strfreev);
  request = hatake_api_request_new (server, msg, query, path);
  hatake_engine_update_container_async (request->engine, path[1], &update, request->cancellable, on_updated,
                                        request);
}

static void
on_top (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_top_finish (HATAKE_ENGINE (source), result, &error);

  hatake_api_request_reply_result (user_data, node, error);
}

static void
on_changes (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_changes_finish (HATAKE_ENGINE (source), result, &error);

  hatake_api_request_reply_result (user_data, node, error);
}

/* ---- prune: every stopped container ----------------------------------------------------------- */

typedef struct
{
  HatakeApiRequest *request;
  JsonArray        *deleted;
  guint             pending;
} PruneData;

static void
prune_maybe_done (PruneData *data)
{
  JsonObject *object;
  g_autoptr(JsonNode) node = NULL;

  if (--data->pending > 0)
    return;
  object = json_object_new ();
  json_object_set_array_member (object, "ContainersDeleted", data->deleted);
  json_object_set_int_member (object, "SpaceReclaimed", 0);
  node = hatake_api_object_node (object);
  hatake_api_request_reply_json (data->request, SOUP_STATUS_OK, node);
  g_free (data);
}

typedef struct
{
  PruneData *prune;
  char      *id;
} PruneItem;

static void
on_pruned_one (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PruneItem *item = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node G_GNUC_UNUSED = hatake_engine_container_op_finish (HATAKE_ENGINE (source), result, &error);

  if (error == NULL)
    json_array_add_string_element (item->prune->deleted, item->id);
  else
    g_debug ("prune: %s", error->message);
  prune_maybe_done (item->prune);
  g_free (item->id);
  g_free (item);
}

static void
prune_containers (HatakeApiServer   *server,
                  SoupServerMessage *msg,
                  GStrv              path,
                  GHashTable        *query)
{
  g_autoptr(GError) error = NULL;
  static const char * const known[] = { "until", "label", "label!", NULL };
  g_autoptr(GHashTable) filters = hatake_api_query_filters_only (query, known, &error);
  GListModel *containers = hatake_engine_get_containers (hatake_api_server_get_engine (server));
  GStrv until = filters ? g_hash_table_lookup (filters, "until") : NULL;
  gint64 before = G_MAXINT64;   /* µs; created before it is pruned */
  HatakeContainerOpArgs args = { .timeout = -1 };
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  PruneData *data;

  /* docker's getUntilFromPruneFilters: one timestamp or duration back from now, else 400 */
  if (until != NULL && until[0] != NULL)
    {
      gint64 ns;

      if (until[1] != NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "more than one until filter specified");
      else if (hatake_log_parse_since (until[0], g_get_real_time () * 1000, &ns, &error))
        before = ns / 1000;
    }
  if (filters == NULL || error != NULL)
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  g_hash_table_remove (filters, "until");
  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      HatakeContainer *c = g_list_model_get_item (containers, i);
      HatakeContainerState state = hatake_container_get_state (c);

      if ((state == HATAKE_CONTAINER_EXITED || state == HATAKE_CONTAINER_CREATED || state == HATAKE_CONTAINER_DEAD) &&
          matches_filters (c, filters) && hatake_container_get_created (c) < before)
        g_ptr_array_add (chosen, c);
      else
        g_object_unref (c);
    }
  data = g_new0 (PruneData, 1);
  data->deleted = json_array_new ();
  data->pending = chosen->len + 1;
  data->request = hatake_api_request_new (server, msg, query, path);
  for (guint i = 0; i < chosen->len; i++)
    {
      PruneItem *item = g_new0 (PruneItem, 1);

      item->prune = data;
      item->id = g_strdup (hatake_container_get_id (g_ptr_array_index (chosen, i)));
      hatake_engine_container_op_async (data->request->engine, item->id, HATAKE_CONTAINER_OP_REMOVE, &args, NULL,
                                        on_pruned_one, item);
    }
  prune_maybe_done (data);
}

/* ---- stats: one sample, or one a second ---------------------------------------------------- */

typedef struct
{
  HatakeApiRequest *request;
  guint             timer;
  gboolean          stream;
  gboolean          sent;
} StatsData;

static void stats_sample (StatsData *data);

/* Go's zero StatsJSON with the container's name and ID: what docker answers for a container
 * that is not running (docker stats -a shows it as zeros) */
static JsonNode *
stats_of_stopped (HatakeContainer *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *name = g_strconcat ("/", hatake_container_get_name (c), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "read");
  json_builder_add_string_value (b, "0001-01-01T00:00:00Z");
  json_builder_set_member_name (b, "preread");
  json_builder_add_string_value (b, "0001-01-01T00:00:00Z");
  for (guint i = 0; i < 2; i++)
    {
      json_builder_set_member_name (b, i == 0 ? "cpu_stats" : "precpu_stats");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "cpu_usage");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "total_usage");
      json_builder_add_int_value (b, 0);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "system_cpu_usage");
      json_builder_add_int_value (b, 0);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "memory_stats");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "pids_stats");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, hatake_container_get_id (c));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
stats_end (StatsData *data)
{
  g_clear_handle_id (&data->timer, g_source_remove);
  hatake_api_request_end_stream (data->request);
  g_free (data);
}

static gboolean
on_stats_tick (gpointer user_data)
{
  StatsData *data = user_data;

  data->timer = 0;
  stats_sample (data);
  return G_SOURCE_REMOVE;
}

static void
on_stats (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StatsData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_stats_finish (HATAKE_ENGINE (source), result, &error);

  if (node == NULL && !data->sent && g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE))
    {
      g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (data->request->engine, data->request->path[1]);

      if (c != NULL)
        {
          g_autoptr(JsonNode) zero = stats_of_stopped (c);

          hatake_api_request_begin_stream (data->request, "application/json");
          hatake_api_request_write_json (data->request, zero);
          stats_end (data);
          return;
        }
    }
  if (node == NULL)
    {
      /* (a container that stopped ends the stream, as docker's) */
      if (!data->sent)
        {
          hatake_api_request_reply_error (data->request, error);
          g_free (data);
        }
      else
        stats_end (data);
      return;
    }
  if (!data->sent)
    hatake_api_request_begin_stream (data->request, "application/json");
  data->sent = TRUE;
  /* which container: the CLI's ID and NAME columns */
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (data->request->engine, data->request->path[1]);
      g_autofree char *name = c ? g_strconcat ("/", hatake_container_get_name (c), NULL) : NULL;

      if (c != NULL && !json_object_has_member (json_node_get_object (node), "id"))
        json_object_set_string_member (json_node_get_object (node), "id", hatake_container_get_id (c));
      if (c != NULL && !json_object_has_member (json_node_get_object (node), "name"))
        json_object_set_string_member (json_node_get_object (node), "name", name);
    }
  hatake_api_request_write_json (data->request, node);
  if (!data->stream || g_cancellable_is_cancelled (data->request->cancellable))
    stats_end (data);
  else
    data->timer = g_timeout_add_seconds (1, on_stats_tick, data);
}

static void
stats_sample (StatsData *data)
{
  hatake_engine_stats_async (data->request->engine, data->request->path[1], data->request->cancellable, on_stats,
                             data);
}

static void
container_stats (HatakeApiServer   *server,
                 SoupServerMessage *msg,
                 GStrv              path,
                 GHashTable        *query)
{
  StatsData *data = g_new0 (StatsData, 1);

  data->stream = hatake_api_query_bool (query, "stream", TRUE) && !hatake_api_query_bool (query, "one-shot", FALSE);
  data->request = hatake_api_request_new (server, msg, query, path);
  stats_sample (data);
}

gboolean
hatake_api_containers_route (HatakeApiServer   *server,
                             SoupServerMessage *msg,
                             const char        *method,
                             GStrv              path,
                             GHashTable        *query)
{
  guint n = g_strv_length (path);
  gboolean get = g_str_equal (method, "GET"), post = g_str_equal (method, "POST");
  static const struct { const char *name; HatakeContainerOp op; } ops[] = {
    { "start", HATAKE_CONTAINER_OP_START }, { "stop", HATAKE_CONTAINER_OP_STOP },
    { "restart", HATAKE_CONTAINER_OP_RESTART }, { "kill", HATAKE_CONTAINER_OP_KILL },
    { "pause", HATAKE_CONTAINER_OP_PAUSE }, { "unpause", HATAKE_CONTAINER_OP_UNPAUSE },
  };

  if (n < 2 || !g_str_equal (path[0], "containers"))
    return FALSE;
  if (n == 2 && get && g_str_equal (path[1], "json"))
    list_containers (server, msg, path, query);
  else if (n == 2 && post && g_str_equal (path[1], "create"))
    create_container (server, msg, path, query);
  else if (n == 2 && post && g_str_equal (path[1], "prune"))
    prune_containers (server, msg, path, query);
  else if (n == 2 && g_str_equal (method, "DELETE"))
    {
      /* (as the other operations: the third segment names it) */
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      g_auto(GStrv) with_op = NULL;

      /* link=1 removes a legacy link, never the container; there are no links here */
      if (hatake_api_query_bool (query, "link", FALSE))
        {
          hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                    strchr (path[1], '/') == NULL
                                    ? "Conflict, cannot remove the default link name of the container"
                                    : "legacy links are not supported: nothing was removed");
          return TRUE;
        }
      g_strv_builder_addv (b, (const char **) path);
      g_strv_builder_add (b, "remove");
      with_op = g_strv_builder_end (b);
      container_op (server, msg, with_op, query, HATAKE_CONTAINER_OP_REMOVE);
    }
  else if (n == 3 && get && g_str_equal (path[2], "json"))
    {
      HatakeApiRequest *request = hatake_api_request_new (server, msg, query, path);

      hatake_engine_inspect_container_async (request->engine, path[1], request->cancellable, on_inspected, request);
    }
  else if (n == 3 && get && g_str_equal (path[2], "logs"))
    container_logs (server, msg, path, query);
  else if (n == 3 && get && g_str_equal (path[2], "top"))
    {
      HatakeApiRequest *request = hatake_api_request_new (server, msg, query, path);

      const char *ps_args = hatake_api_query (query, "ps_args");

      hatake_engine_top_async (request->engine, path[1], ps_args && *ps_args ? ps_args : NULL, request->cancellable,
                               on_top, request);
    }
  else if (n == 3 && get && g_str_equal (path[2], "changes"))
    {
      HatakeApiRequest *request = hatake_api_request_new (server, msg, query, path);

      hatake_engine_changes_async (request->engine, path[1], request->cancellable, on_changes, request);
    }
  else if (n == 3 && get && g_str_equal (path[2], "stats"))
    container_stats (server, msg, path, query);
  else if (n == 3 && post && g_str_equal (path[2], "wait"))
    wait_container (server, msg, path, query);
  else if (n == 3 && post && g_str_equal (path[2], "attach"))
    hatake_api_containers_attach (server, msg, path[1], query);
  else if (n == 3 && post && g_str_equal (path[2], "resize"))
    {
      g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (hatake_api_server_get_engine (server), path[1]);
      HatakeAttach *attach = c ? g_hash_table_lookup (hatake_api_server_get_attaches (server),
                                                      hatake_container_get_id (c)) : NULL;
      const char *h = hatake_api_query (query, "h"), *w = hatake_api_query (query, "w");

      if (attach != NULL && h != NULL && w != NULL)
        hatake_attach_resize (attach, atoi (w), atoi (h));
      soup_server_message_set_status (msg, c ? SOUP_STATUS_OK : SOUP_STATUS_NOT_FOUND, NULL);
    }
  else if (n == 3 && post && g_str_equal (path[2], "update"))
    update_container (server, msg, path, query);
  else if (n == 3 && post && g_str_equal (path[2], "rename"))
    {
      const char *name = hatake_api_query (query, "name");
      HatakeApiRequest *request;

      if (name == NULL || *name == '\0')
        {
          hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, "name is required");
          return TRUE;
        }
      request = hatake_api_request_new (server, msg, query, path);
      hatake_engine_rename_container_async (request->engine, path[1], name, request->cancellable, on_renamed, request);
    }
  else if (n == 3 && post)
    {
      for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
        if (g_str_equal (path[2], ops[i].name))
          {
            container_op (server, msg, path, query, ops[i].op);
            return TRUE;
          }
      return FALSE;
    }
  else
    return FALSE;
  return TRUE;
}
