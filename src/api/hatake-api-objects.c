/* hatake-api-objects.c: /images/…, /networks/…, /volumes/…
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-api"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <fnmatch.h>
#include <string.h>

#include "hatake-api-private.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-reference.h"

/* ---- images ------------------------------------------------------------------------------- */

/* docker's path.Match, which its reference filter uses: '*' and '?' stop at a '/', so
 * "busybox" and "bus*" match "busybox:1" but not "example.com/busybox:1" (FNM_PATHNAME). */
static gboolean
path_match (const char *p,
            const char *s)
{
  return fnmatch (p, s, FNM_PATHNAME) == 0;
}

/* docker's reference.FamiliarMatch: a pattern matches "name:tag" (or "name@digest") or the
 * name alone. */
static gboolean
reference_matches (GStrv       patterns,
                   const char *ref)
{
  const char *at = strchr (ref, '@');
  const char *slash = strrchr (ref, '/');
  const char *colon = at ? NULL : strrchr (slash ? slash : ref, ':');
  g_autofree char *name = g_strndup (ref, at ? (gsize) (at - ref) : colon ? (gsize) (colon - ref) : strlen (ref));

  for (guint i = 0; patterns[i] != NULL; i++)
    if (path_match (patterns[i], ref) || path_match (patterns[i], name))
      return TRUE;
  return FALSE;
}

/* Only the refs that match REFERENCES (when given): docker trims RepoTags and RepoDigests so. */
static JsonArray *
refs_array (const char * const *refs,
            GStrv               references)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; refs != NULL && refs[i] != NULL; i++)
    if (references == NULL || reference_matches (references, refs[i]))
      json_array_add_string_element (array, refs[i]);
  return array;
}

static JsonNode *
image_summary (HatakeImage *image,
               GStrv        references,
               JsonObject  *labels)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "Id", hatake_image_get_id (image));
  json_object_set_string_member (object, "ParentId", "");
  json_object_set_array_member (object, "RepoTags", refs_array (hatake_image_get_repo_tags (image), references));
  json_object_set_array_member (object, "RepoDigests",
                                refs_array (hatake_image_get_repo_digests (image), references));
  json_object_set_int_member (object, "Created", hatake_image_get_created (image));
  json_object_set_int_member (object, "Size", hatake_image_get_size (image));
  json_object_set_int_member (object, "SharedSize", -1);
  json_object_set_int_member (object, "VirtualSize", hatake_image_get_size (image));
  json_object_set_object_member (object, "Labels", labels ? json_object_ref (labels) : json_object_new ());
  json_object_set_int_member (object, "Containers", -1);
  return hatake_api_object_node (object);
}

static const char *
json_label (gpointer labels,
            const char *key)
{
  return labels != NULL ? hatake_json_string (labels, key) : NULL;
}

/* docker's MatchKVList: every "key" or "key=value" of the label filter holds. */
static gboolean
labels_match (JsonObject *labels,
              GStrv       wanted)
{
  for (guint i = 0; wanted != NULL && wanted[i] != NULL; i++)
    if (!hatake_api_label_holds (wanted[i], json_label, labels))
      return FALSE;
  return TRUE;
}

/* An image list with a label filter waits for the images' configs, where the labels are. */
typedef struct
{
  HatakeApiRequest *request;
  GHashTable       *filters;
  GPtrArray        *images;   /* the images the other filters chose, in list order */
  GPtrArray        *labels;   /* JsonObject or NULL, one per image */
  guint             pending;
} ImageList;

typedef struct
{
  ImageList *list;
  guint      index;
} ImageListItem;

static void
labels_free (gpointer labels)
{
  if (labels != NULL)
    json_object_unref (labels);
}

static void
image_list_maybe_done (ImageList *data)
{
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  GStrv references = g_hash_table_lookup (data->filters, "reference");

  if (--data->pending > 0)
    return;
  node = json_node_new (JSON_NODE_ARRAY);
  array = json_array_new ();
  json_node_take_array (node, array);
  for (guint i = 0; i < data->images->len; i++)
    {
      JsonObject *labels = g_ptr_array_index (data->labels, i);

      if (labels_match (labels, g_hash_table_lookup (data->filters, "label")))
        json_array_add_element (array, image_summary (g_ptr_array_index (data->images, i), references, labels));
    }
  hatake_api_request_reply_json (data->request, SOUP_STATUS_OK, node);
  g_hash_table_unref (data->filters);
  g_ptr_array_unref (data->images);
  g_ptr_array_unref (data->labels);
  g_free (data);
}

static void
on_image_list_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ImageListItem *item = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_inspect_image_finish (HATAKE_ENGINE (source), result, &error);
  JsonObject *config = node && JSON_NODE_HOLDS_OBJECT (node)
                         ? hatake_json_object_member (json_node_get_object (node), "Config") : NULL;
  JsonObject *labels = hatake_json_object_member (config, "Labels");

  /* (an image removed meanwhile has no labels, so it drops out of a label filter's list) */
  if (error != NULL)
    g_debug ("image list: %s", error->message);
  if (labels != NULL)
    g_ptr_array_index (item->list->labels, item->index) = json_object_ref (labels);
  image_list_maybe_done (item->list);
  g_free (item);
}

/* docker's before and since: the image a value names (the last one wins, as in docker), or 404. */
static gboolean
image_filter_time (HatakeEngine *engine,
                   GStrv         values,
                   gint64       *created,
                   GError      **error)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_autoptr(HatakeImage) image = hatake_engine_lookup_image (engine, values[i]);

      if (image == NULL)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), values[i]);
          return FALSE;
        }
      *created = hatake_image_get_created (image);
    }
  return TRUE;
}

static void
list_images (HatakeApiServer   *server,
             SoupServerMessage *msg,
             GStrv              path,
             GHashTable        *query)
{
  HatakeEngine *engine = hatake_api_server_get_engine (server);
  GListModel *images = hatake_engine_get_images (engine);
  /* docker's acceptedImageFilterTags; anything else is refused, never ignored */
  static const char * const known[] = { "dangling", "label", "before", "since", "reference", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) filters = hatake_api_query_filters_only (query, known, &error);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  GStrv dangling = filters ? g_hash_table_lookup (filters, "dangling") : NULL;
  GStrv references = filters ? g_hash_table_lookup (filters, "reference") : NULL;
  GStrv labels = filters ? g_hash_table_lookup (filters, "label") : NULL;
  gboolean only_dangling = FALSE;
  gint64 before = G_MAXINT64, since = G_MININT64;
  ImageList *data;

  if (filters != NULL && dangling != NULL)
    {
      /* as docker: dangling=true wins; else it must be false */
      only_dangling = g_strv_contains ((const char * const *) dangling, "true");
      if (!only_dangling && !g_strv_contains ((const char * const *) dangling, "false"))
        {
          g_autofree char *values = g_strjoinv (" ", dangling);

          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid filter 'dangling=[%s]'", values);
        }
    }
  if (filters == NULL || error != NULL ||
      !image_filter_time (engine, g_hash_table_lookup (filters, "before"), &before, &error) ||
      !image_filter_time (engine, g_hash_table_lookup (filters, "since"), &since, &error))
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  if (references != NULL && references[0] == NULL)
    references = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (images); i++)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (images, i);
      const char * const *tags = hatake_image_get_repo_tags (image);
      const char * const *digests = hatake_image_get_repo_digests (image);
      gboolean tagged = tags != NULL && tags[0] != NULL;
      gboolean referenced = FALSE;

      /* docker: dangling=true keeps the untagged; dangling=false drops those with no name at all */
      if ((only_dangling && tagged) ||
          (dangling != NULL && !only_dangling && !tagged && (digests == NULL || digests[0] == NULL)))
        continue;
      if (hatake_image_get_created (image) >= before || hatake_image_get_created (image) <= since)
        continue;
      for (guint j = 0; references != NULL && tags != NULL && tags[j] != NULL && !referenced; j++)
        referenced = reference_matches (references, tags[j]);
      for (guint j = 0; references != NULL && digests != NULL && digests[j] != NULL && !referenced; j++)
        referenced = reference_matches (references, digests[j]);
      if (references != NULL && !referenced)
        continue;
      g_ptr_array_add (chosen, g_steal_pointer (&image));
    }

  data = g_new0 (ImageList, 1);
  data->request = hatake_api_request_new (server, msg, query, path);
  data->filters = g_steal_pointer (&filters);
  data->images = g_steal_pointer (&chosen);
  data->labels = g_ptr_array_new_full (data->images->len, labels_free);
  g_ptr_array_set_size (data->labels, data->images->len);
  data->pending = 1;
  /* the labels are in each image's config, read off the main thread: only when filtered on */
  for (guint i = 0; labels != NULL && labels[0] != NULL && i < data->images->len; i++)
    {
      ImageListItem *item = g_new0 (ImageListItem, 1);

      item->list = data;
      item->index = i;
      data->pending++;
      hatake_engine_inspect_image_async (engine, hatake_image_get_id (g_ptr_array_index (data->images, i)),
                                         data->request->cancellable, on_image_list_inspected, item);
    }
  image_list_maybe_done (data);
}

static void
on_image_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_inspect_image_finish (HATAKE_ENGINE (source), result, &error);

  hatake_api_request_reply_result (user_data, node, error);
}

static void
on_image_history (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_image_history_finish (HATAKE_ENGINE (source), result, &error);

  hatake_api_request_reply_result (user_data, node, error);
}

static void
on_image_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_remove_image_finish (HATAKE_ENGINE (source), result, &error);

  if (error != NULL)
    hatake_api_request_reply_error (request, error);
  else if (node == NULL)
    {
      g_autoptr(JsonNode) empty = json_node_new (JSON_NODE_ARRAY);

      json_node_take_array (empty, json_array_new ());
      hatake_api_request_reply_json (request, SOUP_STATUS_OK, empty);
    }
  else
    hatake_api_request_reply_json (request, SOUP_STATUS_OK, node);
}

static void
on_tagged (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  hatake_engine_tag_image_finish (HATAKE_ENGINE (source), result, &error);
  hatake_api_request_reply_done (user_data, SOUP_STATUS_CREATED, error);
}

/* ---- image prune: untagged images, or (dangling=false) every image no container uses ---------- */

typedef struct
{
  HatakeApiRequest *request;
  JsonArray        *deleted;
  gint64            reclaimed;
  guint             pending;
} ImagePrune;

typedef struct
{
  ImagePrune *prune;
  char       *id;
  gint64      size;
} ImagePruneItem;

static void
image_prune_maybe_done (ImagePrune *data)
{
  JsonObject *object;
  g_autoptr(JsonNode) node = NULL;

  if (--data->pending > 0)
    return;
  object = json_object_new ();
  json_object_set_array_member (object, "ImagesDeleted", data->deleted);
  json_object_set_int_member (object, "SpaceReclaimed", data->reclaimed);
  node = hatake_api_object_node (object);
  hatake_api_request_reply_json (data->request, SOUP_STATUS_OK, node);
  g_free (data);
}

static void
on_image_pruned (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ImagePruneItem *item = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node G_GNUC_UNUSED = hatake_engine_remove_image_finish (HATAKE_ENGINE (source), result, &error);

  if (error == NULL)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "Deleted", item->id);
      json_array_add_object_element (item->prune->deleted, entry);
      item->prune->reclaimed += item->size;
    }
  else
    g_debug ("image prune: %s", error->message);
  image_prune_maybe_done (item->prune);
  g_free (item->id);
  g_free (item);
}

static void
prune_images (HatakeApiServer   *server,
              SoupServerMessage *msg,
              GStrv              path,
              GHashTable        *query)
{
  HatakeEngine *engine = hatake_api_server_get_engine (server);
  GListModel *images = hatake_engine_get_images (engine);
  GListModel *containers = hatake_engine_get_containers (engine);
  g_autoptr(GError) error = NULL;
  /* docker's until and label filters need image labels and dates kept apart: refused, not ignored */
  static const char * const known[] = { "dangling", NULL };
  g_autoptr(GHashTable) filters = hatake_api_query_filters_only (query, known, &error);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GStrv dangling = filters ? g_hash_table_lookup (filters, "dangling") : NULL;
  gboolean only_dangling = dangling == NULL || dangling[0] == NULL ||
                           !(g_str_equal (dangling[0], "false") || g_str_equal (dangling[0], "0"));
  ImagePrune *data;

  if (filters == NULL)
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);

      if (hatake_container_get_image_id (c) != NULL)
        g_hash_table_add (used, g_strdup (hatake_container_get_image_id (c)));
    }
  data = g_new0 (ImagePrune, 1);
  data->deleted = json_array_new ();
  data->pending = 1;
  data->request = hatake_api_request_new (server, msg, query, path);
  for (guint i = 0; i < g_list_model_get_n_items (images); i++)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (images, i);
      const char * const *tags = hatake_image_get_repo_tags (image);
      gboolean tagged = tags != NULL && tags[0] != NULL;
      ImagePruneItem *item;

      if (g_hash_table_contains (used, hatake_image_get_id (image)) || (only_dangling && tagged))
        continue;
      item = g_new0 (ImagePruneItem, 1);
      item->prune = data;
      item->id = g_strdup (hatake_image_get_id (image));
      item->size = hatake_image_get_size (image);
      data->pending++;
      /* (every tag goes with it: the image is unused) */
      hatake_engine_remove_image_async (engine, item->id, TRUE, NULL, on_image_pruned, item);
    }
  image_prune_maybe_done (data);
}

/* Image names hold slashes: /images/127.0.0.1:5000/a/b:1/json names "127.0.0.1:5000/a/b:1". */
static char *
image_name (GStrv path,
            guint first,
            guint last)
{
  g_autoptr(GString) name = g_string_new (NULL);

  for (guint i = first; i < last; i++)
    {
      if (i > first)
        g_string_append_c (name, '/');
      g_string_append (name, path[i]);
    }
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static gboolean
images_route (HatakeApiServer   *server,
              SoupServerMessage *msg,
              const char        *method,
              GStrv              path,
              GHashTable        *query)
{
  guint n = g_strv_length (path);
  HatakeApiRequest *request;

  if (n == 2 && g_str_equal (method, "GET") && g_str_equal (path[1], "json"))
    list_images (server, msg, path, query);
  else if (n == 2 && g_str_equal (method, "POST") && g_str_equal (path[1], "create"))
    hatake_api_images_pull (server, msg, path, query);
  else if (n == 2 && g_str_equal (method, "POST") && g_str_equal (path[1], "prune"))
    prune_images (server, msg, path, query);
  else if (n >= 3 && g_str_equal (method, "GET") && g_str_equal (path[n - 1], "json"))
    {
      g_autofree char *name = image_name (path, 1, n - 1);

      request = hatake_api_request_new (server, msg, query, path);
      hatake_engine_inspect_image_async (request->engine, name, request->cancellable, on_image_inspected, request);
    }
  else if (n >= 3 && g_str_equal (method, "GET") && g_str_equal (path[n - 1], "history"))
    {
      g_autofree char *name = image_name (path, 1, n - 1);

      request = hatake_api_request_new (server, msg, query, path);
      hatake_engine_image_history_async (request->engine, name, request->cancellable, on_image_history, request);
    }
  else if (n >= 3 && g_str_equal (method, "POST") && g_str_equal (path[n - 1], "tag"))
    {
      g_autofree char *name = image_name (path, 1, n - 1);
      const char *repo = hatake_api_query (query, "repo");
      const char *tag = hatake_api_query (query, "tag");
      g_autofree char *target = NULL;

      if (repo == NULL || *repo == '\0')
        {
          hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, "repository name must have at least one component");
          return TRUE;
        }
      target = g_strdup_printf ("%s:%s", repo, tag && *tag ? tag : "latest");
      request = hatake_api_request_new (server, msg, query, path);
      hatake_engine_tag_image_async (request->engine, name, target, request->cancellable, on_tagged, request);
    }
  else if (n >= 2 && g_str_equal (method, "DELETE"))
    {
      g_autofree char *name = image_name (path, 1, n);

      request = hatake_api_request_new (server, msg, query, path);
      hatake_engine_remove_image_async (request->engine, name, hatake_api_query_bool (query, "force", FALSE),
                                        request->cancellable, on_image_removed, request);
    }
  else if (n >= 3 && g_str_equal (method, "POST") && g_str_equal (path[n - 1], "push"))
    {
      g_autofree char *name = image_name (path, 1, n - 1);

      hatake_api_images_push (server, msg, path, query, name);
    }
  else if (n == 2 && g_str_equal (method, "POST") && g_str_equal (path[1], "load"))
    hatake_api_images_load (server, msg, path, query);
  else if (n == 2 && g_str_equal (method, "GET") && g_str_equal (path[1], "get"))
    hatake_api_images_save (server, msg, path, query, NULL);
  else if (n >= 3 && g_str_equal (method, "GET") && g_str_equal (path[n - 1], "get"))
    {
      g_autofree char *name = image_name (path, 1, n - 1);

      hatake_api_images_save (server, msg, path, query, name);
    }
  else
    return FALSE;
  return TRUE;
}

/* ---- networks and volumes ----------------------------------------------------------------- */

typedef struct
{
  HatakeApiRequest *request;
  guint             ok_status;
  gboolean          is_volume;
  gboolean          no_body;   /* the status alone, whatever the engine returns */
  GHashTable       *filters;   /* a list's ?filters= */
} OpData;

/* docker's name filter: the name itself, or a regular expression found in it */
static gboolean
name_matches (const char *name, const char *pattern)
{
  g_autoptr(GRegex) regex = NULL;

  if (g_str_equal (name, pattern))
    return TRUE;
  regex = g_regex_new (pattern, 0, 0, NULL);
  return regex != NULL && g_regex_match (regex, name, 0, NULL);
}

static gboolean
any_value (GHashTable *filters, const char *key, gboolean (*test) (JsonObject *, const char *), JsonObject *object)
{
  GStrv values = g_hash_table_lookup (filters, key);

  if (values == NULL || values[0] == NULL)
    return TRUE;
  for (guint i = 0; values[i]; i++)
    if (test (object, values[i]))
      return TRUE;
  return FALSE;
}

/* docker's label filters (MatchKVList): every value must hold */
static gboolean
all_values (GHashTable *filters, const char *key, gboolean (*test) (JsonObject *, const char *), JsonObject *object)
{
  GStrv values = g_hash_table_lookup (filters, key);

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (!test (object, values[i]))
      return FALSE;
  return TRUE;
}

static gboolean
filter_name (JsonObject *o, const char *v)
{
  return name_matches (hatake_json_string_or (o, "Name", ""), v);
}

static gboolean
filter_id (JsonObject *o, const char *v)
{
  return g_str_has_prefix (hatake_json_string_or (o, "Id", ""), v);
}

static gboolean
filter_driver (JsonObject *o, const char *v)
{
  return g_str_equal (hatake_json_string_or (o, "Driver", ""), v);
}

static gboolean
filter_label (JsonObject *o, const char *v)
{
  return hatake_api_label_holds (v, json_label, hatake_json_object_member (o, "Labels"));
}

static gboolean
filter_type (JsonObject *o, const char *v)
{
  const char *name = hatake_json_string_or (o, "Name", "");
  gboolean builtin = g_str_equal (name, "bridge") || g_str_equal (name, "host") || g_str_equal (name, "none");

  return g_str_equal (v, builtin ? "builtin" : "custom");
}

static gboolean
filter_dangling (JsonObject *o, const char *v)
{
  JsonObject *containers = hatake_json_object_member (o, "Containers");
  JsonObject *usage = hatake_json_object_member (o, "UsageData");
  /* a volume's users are counted in its UsageData, a network's are listed in Containers */
  gboolean dangling = usage != NULL ? hatake_json_int (usage, "RefCount", 0) == 0
                                    : containers == NULL || json_object_get_size (containers) == 0;

  return dangling == (g_str_equal (v, "true") || g_str_equal (v, "1"));
}


static gboolean
list_item_matches (JsonObject *o, GHashTable *filters)
{
  return any_value (filters, "name", filter_name, o) && any_value (filters, "id", filter_id, o) &&
         any_value (filters, "driver", filter_driver, o) && all_values (filters, "label", filter_label, o) &&
         any_value (filters, "type", filter_type, o) && any_value (filters, "dangling", filter_dangling, o);
}

static void
filter_list (JsonArray *array, GHashTable *filters)
{
  for (guint i = json_array_get_length (array); i > 0; i--)
    {
      JsonObject *o = hatake_json_array_object (array, i - 1);

      if (o == NULL || !list_item_matches (o, filters))
        json_array_remove_element (array, i - 1);
    }
}

static void
on_object_op (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OpData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = data->is_volume ? hatake_engine_volume_op_finish (HATAKE_ENGINE (source), result, &error)
                                             : hatake_engine_network_op_finish (HATAKE_ENGINE (source), result, &error);

  /* a container's networks may have changed: containers/json makes its summaries again */
  if (!data->is_volume)
    g_hash_table_remove_all (hatake_api_server_get_summary_cache (data->request->server));

  if (error != NULL)
    hatake_api_request_reply_error (data->request, error);
  else if (node == NULL || data->no_body || data->ok_status == SOUP_STATUS_NO_CONTENT)
    hatake_api_request_reply_status (data->request, data->ok_status);
  else if (data->ok_status == SOUP_STATUS_CREATED && !data->is_volume)
    {
      /* docker answers a network create with {"Id", "Warning"} */
      JsonObject *object = json_object_new ();
      g_autoptr(JsonNode) reply = NULL;

      json_object_set_string_member (object, "Id", json_object_get_string_member (json_node_get_object (node), "Id"));
      json_object_set_string_member (object, "Warning", "");
      reply = hatake_api_object_node (object);
      hatake_api_request_reply_json (data->request, SOUP_STATUS_CREATED, reply);
    }
  else
    {
      if (data->filters != NULL && JSON_NODE_HOLDS_ARRAY (node))
        filter_list (json_node_get_array (node), data->filters);
      else if (data->filters != NULL)
        {
          JsonArray *volumes = hatake_json_array_member (json_node_get_object (node), "Volumes");

          if (volumes != NULL)
            filter_list (volumes, data->filters);
        }
      hatake_api_request_reply_json (data->request, data->ok_status, node);
    }
  g_clear_pointer (&data->filters, g_hash_table_unref);
  g_free (data);
}

static const char * const network_filter_keys[] = { "name", "id", "driver", "label", "type", "dangling", NULL };
static const char * const volume_filter_keys[] = { "name", "driver", "label", "dangling", NULL };

gboolean
hatake_api_filter_list (JsonArray *list, gboolean volumes, const char * const *filters, GError **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);

  g_return_val_if_fail (list != NULL, FALSE);
  for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
    {
      const char *eq = strchr (filters[i], '=');
      g_autofree char *key = g_strndup (filters[i], eq != NULL ? (gsize) (eq - filters[i]) : strlen (filters[i]));
      GStrv old = g_hash_table_lookup (table, key);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      if (eq == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad format of filter (expected name=value)");
          return FALSE;
        }
      if (!g_strv_contains (volumes ? volume_filter_keys : network_filter_keys, key))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid filter '%s'", key);
          return FALSE;
        }
      if (old != NULL)
        g_strv_builder_addv (builder, (const char **) old);
      g_strv_builder_add (builder, eq + 1);
      g_hash_table_replace (table, g_steal_pointer (&key), g_strv_builder_end (builder));
    }
  filter_list (list, table);
  return TRUE;
}

/* A list with ?filters=: the filters parsed and checked against what docker's network and
 * volume lists filter on, else the request answered (400). */
static gboolean
op_data_take_filters (OpData *data, GHashTable *query)
{
  g_autoptr(GError) error = NULL;

  data->filters = hatake_api_query_filters_only (query, data->is_volume ? volume_filter_keys : network_filter_keys,
                                                 &error);
  if (data->filters != NULL)
    return TRUE;
  hatake_api_request_reply_error (data->request, error);
  g_free (data);
  return FALSE;
}

static OpData *
op_data_new (HatakeApiServer   *server,
             SoupServerMessage *msg,
             GStrv              path,
             GHashTable        *query,
             guint              ok_status,
             gboolean           is_volume)
{
  OpData *data = g_new0 (OpData, 1);

  data->request = hatake_api_request_new (server, msg, query, path);
  data->ok_status = ok_status;
  data->is_volume = is_volume;
  return data;
}

/* A map of strings (Labels, DriverOpts) as KEY=VALUE */
static GStrv
string_map_of (JsonObject *object,
               const char *member)
{
  JsonObject *labels = hatake_json_object_member (object, member);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GList) keys = labels ? json_object_get_members (labels) : NULL;

  for (GList *l = keys; l != NULL; l = l->next)
    strv_builder_take (b, g_strdup_printf ("%s=%s", (char *) l->data,
                                             hatake_json_string_or (labels, l->data, "")));
  return g_strv_builder_end (b);
}

static gboolean
networks_route (HatakeApiServer   *server,
                SoupServerMessage *msg,
                const char        *method,
                GStrv              path,
                GHashTable        *query)
{
  guint n = g_strv_length (path);
  gboolean get = g_str_equal (method, "GET"), post = g_str_equal (method, "POST");
  HatakeNetworkOpArgs args = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_auto(GStrv) labels = NULL;
  g_auto(GStrv) aliases = NULL;
  OpData *data;

  if (n == 1 && get)
    {
      data = op_data_new (server, msg, path, query, SOUP_STATUS_OK, FALSE);
      if (op_data_take_filters (data, query))
        hatake_engine_network_op_async (data->request->engine, HATAKE_NETWORK_OP_LIST, &args, NULL, on_object_op, data);
    }
  else if (n == 2 && post && g_str_equal (path[1], "create"))
    {
      JsonObject *o, *config;
      JsonArray *ipam;
      const char *driver;

      body = hatake_api_body_json (msg, TRUE, &error);
      if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
        {
          hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, error ? error->message : "invalid JSON: not an object");
          return TRUE;
        }
      o = json_node_get_object (body);
      driver = hatake_json_string_or (o, "Driver", "bridge");
      if (driver != NULL && *driver != '\0' && !g_str_equal (driver, "bridge"))
        {
          g_autofree char *message = g_strdup_printf ("plugin \"%s\" not found: Hatake offers the bridge driver", driver);

          hatake_api_reply_message (msg, SOUP_STATUS_NOT_FOUND, message);
          return TRUE;
        }
      args.name = hatake_json_string_or (o, "Name", NULL);
      args.internal = hatake_json_boolean (o, "Internal", FALSE);
      ipam = hatake_json_array_member (hatake_json_object_member (o, "IPAM"), "Config");
      config = ipam && json_array_get_length (ipam) > 0 ? hatake_json_array_object (ipam, 0) : NULL;
      args.subnet = config ? hatake_json_string_or (config, "Subnet", NULL) : NULL;
      args.gateway = config ? hatake_json_string_or (config, "Gateway", NULL) : NULL;
      args.ip_range = config ? hatake_json_string_or (config, "IPRange", NULL) : NULL;
      labels = string_map_of (o, "Labels");
      args.labels = (const char * const *) labels;
      data = op_data_new (server, msg, path, query, SOUP_STATUS_CREATED, FALSE);
      hatake_engine_network_op_async (data->request->engine, HATAKE_NETWORK_OP_CREATE, &args, NULL, on_object_op, data);
    }
  else if (n == 2 && post && g_str_equal (path[1], "prune"))
    {
      static const char * const known[] = { NULL };   /* docker's until and label: not here yet */
      g_autoptr(GHashTable) filters = hatake_api_query_filters_only (query, known, &error);

      if (filters == NULL)
        {
          hatake_api_reply_error (msg, error);
          return TRUE;
        }
      data = op_data_new (server, msg, path, query, SOUP_STATUS_OK, FALSE);
      hatake_engine_network_op_async (data->request->engine, HATAKE_NETWORK_OP_PRUNE, &args, NULL, on_object_op, data);
    }
  else if (n == 2 && get)
    {
      args.name = path[1];
      data = op_data_new (server, msg, path, query, SOUP_STATUS_OK, FALSE);
      hatake_engine_network_op_async (data->request->engine, HATAKE_NETWORK_OP_INSPECT, &args, NULL, on_object_op, data);
    }
  else if (n == 2 && g_str_equal (method, "DELETE"))
    {
      args.name = path[1];
      data = op_data_new (server, msg, path, query, SOUP_STATUS_NO_CONTENT, FALSE);
      hatake_engine_network_op_async (data->request->engine, HATAKE_NETWORK_OP_REMOVE, &args, NULL, on_object_op, data);
    }
  else if (n == 3 && post && (g_str_equal (path[2], "connect") || g_str_equal (path[2], "disconnect")))
    {
      JsonObject *o, *endpoint;

      body = hatake_api_body_json (msg, TRUE, &error);
      if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
        {
          hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, error ? error->message : "invalid JSON: not an object");
          return TRUE;
        }
      o = json_node_get_object (body);
      endpoint = hatake_json_object_member (o, "EndpointConfig");
      args.name = path[1];
      args.container = hatake_json_string_or (o, "Container", NULL);
      args.force = hatake_json_boolean (o, "Force", FALSE);
      args.ip = hatake_json_string (hatake_json_object_member (endpoint, "IPAMConfig"), "IPv4Address");
      if (args.ip != NULL && *args.ip == '\0')
        args.ip = NULL;
      if (!hatake_json_strv_member (endpoint, "Aliases", FALSE, &aliases, &error))
        {
          hatake_api_reply_error (msg, error);
          return TRUE;
        }
      args.aliases = (const char * const *) aliases;
      data = op_data_new (server, msg, path, query, SOUP_STATUS_OK, FALSE);
      data->no_body = TRUE;
      hatake_engine_network_op_async (data->request->engine,
                                      g_str_equal (path[2], "connect") ? HATAKE_NETWORK_OP_CONNECT
                                                                       : HATAKE_NETWORK_OP_DISCONNECT,
                                      &args, NULL, on_object_op, data);
    }
  else
    return FALSE;
  return TRUE;
}

static gboolean
volumes_route (HatakeApiServer   *server,
               SoupServerMessage *msg,
               const char        *method,
               GStrv              path,
               GHashTable        *query)
{
  guint n = g_strv_length (path);
  gboolean get = g_str_equal (method, "GET"), post = g_str_equal (method, "POST");
  HatakeVolumeOpArgs args = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_auto(GStrv) labels = NULL;
  g_auto(GStrv) options = NULL;
  OpData *data;

  if (n == 1 && get)
    {
      data = op_data_new (server, msg, path, query, SOUP_STATUS_OK, TRUE);
      if (op_data_take_filters (data, query))
        hatake_engine_volume_op_async (data->request->engine, HATAKE_VOLUME_OP_LIST, &args, NULL, on_object_op, data);
    }
  else if (n == 2 && post && g_str_equal (path[1], "create"))
    {
      JsonObject *o;

      body = hatake_api_body_json (msg, FALSE, &error);
      if (body == NULL || !(JSON_NODE_HOLDS_OBJECT (body) || JSON_NODE_HOLDS_NULL (body)))
        {
          hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, error ? error->message : "invalid JSON: not an object");
          return TRUE;
        }
      o = JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
      args.driver = o ? hatake_json_string_or (o, "Driver", NULL) : NULL;
      args.name = o ? hatake_json_string_or (o, "Name", NULL) : NULL;
      if (args.name != NULL && *args.name == '\0')
        args.name = NULL;
      labels = o ? string_map_of (o, "Labels") : NULL;
      args.labels = (const char * const *) labels;
      options = o ? string_map_of (o, "DriverOpts") : NULL;
      args.options = (const char * const *) options;
      data = op_data_new (server, msg, path, query, SOUP_STATUS_CREATED, TRUE);
      hatake_engine_volume_op_async (data->request->engine, HATAKE_VOLUME_OP_CREATE, &args, NULL, on_object_op, data);
    }
  else if (n == 2 && post && g_str_equal (path[1], "prune"))
    {
      static const char * const known[] = { "all", NULL };   /* docker's label: not here yet */
      g_autoptr(GHashTable) filters = hatake_api_query_filters_only (query, known, &error);
      GStrv all = filters ? g_hash_table_lookup (filters, "all") : NULL;

      if (filters == NULL)
        {
          hatake_api_reply_error (msg, error);
          return TRUE;
        }
      args.all = all != NULL && all[0] != NULL && (g_str_equal (all[0], "true") || g_str_equal (all[0], "1"));
      data = op_data_new (server, msg, path, query, SOUP_STATUS_OK, TRUE);
      hatake_engine_volume_op_async (data->request->engine, HATAKE_VOLUME_OP_PRUNE, &args, NULL, on_object_op, data);
    }
  else if (n == 2 && get)
    {
      args.name = path[1];
      data = op_data_new (server, msg, path, query, SOUP_STATUS_OK, TRUE);
      hatake_engine_volume_op_async (data->request->engine, HATAKE_VOLUME_OP_INSPECT, &args, NULL, on_object_op, data);
    }
  else if (n == 2 && g_str_equal (method, "DELETE"))
    {
      args.name = path[1];
      data = op_data_new (server, msg, path, query, SOUP_STATUS_NO_CONTENT, TRUE);
      hatake_engine_volume_op_async (data->request->engine, HATAKE_VOLUME_OP_REMOVE, &args, NULL, on_object_op, data);
    }
  else
    return FALSE;
  return TRUE;
}

static void
on_disk_usage (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_disk_usage_finish (HATAKE_ENGINE (source), result, &error);

  hatake_api_request_reply_result (user_data, node, error);
}

gboolean
hatake_api_objects_route (HatakeApiServer   *server,
                          SoupServerMessage *msg,
                          const char        *method,
                          GStrv              path,
                          GHashTable        *query)
{
  if (path[0] == NULL)
    return FALSE;
  if (g_strv_length (path) == 2 && g_str_equal (path[0], "system") && g_str_equal (path[1], "df") &&
      g_str_equal (method, "GET"))
    {
      HatakeApiRequest *request = hatake_api_request_new (server, msg, query, path);

      hatake_engine_disk_usage_async (request->engine, request->cancellable, on_disk_usage, request);
      return TRUE;
    }
  if (g_str_equal (path[0], "images"))
    return images_route (server, msg, method, path, query);
  if (g_str_equal (path[0], "networks"))
    return networks_route (server, msg, method, path, query);
  if (g_str_equal (path[0], "volumes"))
    return volumes_route (server, msg, method, path, query);
  return FALSE;
}
