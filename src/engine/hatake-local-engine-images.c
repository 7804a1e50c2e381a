/* hatake-local-engine-images.c: HatakeLocalEngine's image operations — tag, remove, inspect and
 * disk usage — each in a GTask thread on the store
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-local-engine-private.h"
#include "hatake-manifest.h"
#include "hatake-reference.h"
#include "hatake-volume.h"

#include <glib/gstdio.h>

static gboolean
set_no_such_image (GError **error, const char *reference)
{
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), reference);
  return FALSE;
}

/* ---- tag ----------------------------------------------------------------------------------- */

typedef struct
{
  HatakeStore *store;
  char        *id;
  char        *tag;
} TagData;

static void
tag_data_free (TagData *data)
{
  g_object_unref (data->store);
  g_free (data->id);
  g_free (data->tag);
  g_free (data);
}

static void
tag_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  TagData *data = task_data;
  GError *error = NULL;

  /* run_store_task's tasks all return a (here empty) JSON report */
  if (hatake_store_tag_image (data->store, data->id, data->tag, &error))
    g_task_return_pointer (task, NULL, NULL);
  else
    g_task_return_error (task, error);
}

static void
on_store_changed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  JsonNode *node;

  _hatake_local_engine_refresh_images (HATAKE_LOCAL_ENGINE (g_task_get_source_object (task)));
  node = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
run_store_task (HatakeLocalEngine *self,
                GTask             *task,
                gpointer           data,
                GDestroyNotify     data_free,
                GTaskThreadFunc    func)
{
  g_autoptr(GTask) inner = g_task_new (self, g_task_get_cancellable (task), on_store_changed, task);

  g_task_set_source_tag (inner, run_store_task);
  g_task_set_task_data (inner, data, data_free);
  g_task_run_in_thread (inner, func);
}

static void
hatake_local_engine_tag_image_async (HatakeEngine        *engine,
                                     const char          *source,
                                     const char          *target,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  GError *error = NULL;
  TagData *data;

  g_task_set_source_tag (task, hatake_local_engine_tag_image_async);

  image = hatake_engine_lookup_image (engine, source);
  if (image == NULL)
    {
      set_no_such_image (&error, source);
      g_task_return_error (task, error);
      return;
    }
  ref = hatake_reference_parse (target, &error);
  if (ref == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (ref->digest != NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE,
                               _("refusing to create a tag with a digest reference: %s"), target);
      return;
    }
  data = g_new0 (TagData, 1);
  data->store = g_object_ref (self->store);
  data->id = g_strdup (hatake_image_get_id (image));
  data->tag = hatake_reference_with_tag (ref);
  run_store_task (self, g_steal_pointer (&task), data, (GDestroyNotify) tag_data_free, tag_thread);
}

static gboolean
hatake_local_engine_tag_image_finish (HatakeEngine  *engine,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_autoptr(JsonNode) node = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  node = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* ---- remove -------------------------------------------------------------------------------- */

typedef struct
{
  HatakeStore *store;
  char        *id;
  char        *untag;      /* the one tag to drop, or NULL to drop the image */
  char        *undigest;   /* the repo digest named, when removing by digest */
  GStrv        all_tags;
  GStrv        all_digests;
  gboolean     keep_image;  /* in use: untag only */
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_object_unref (data->store);
  g_free (data->id);
  g_free (data->untag);
  g_free (data->undigest);
  g_strfreev (data->all_tags);
  g_strfreev (data->all_digests);
  g_free (data);
}

static void
add_report (JsonBuilder *b, const char *what, const char *value)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, what);
  json_builder_add_string_value (b, value);
  json_builder_end_object (b);
}

static void
remove_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RemoveData *data = task_data;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(GPtrArray) deleted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HatakeImageRecord) record = NULL;
  GError *error = NULL;

  json_builder_begin_array (b);
  if (data->untag != NULL)
    {
      if (!hatake_store_untag_image (data->store, data->id, data->untag, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      add_report (b, "Untagged", data->untag);
      record = hatake_store_get_image (data->store, data->id);
      if (record != NULL && (record->repo_tags[0] != NULL || data->keep_image))
        {
          json_builder_end_array (b);
          g_task_return_pointer (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
          return;
        }
    }
  else
    {
      for (guint i = 0; data->all_tags[i]; i++)
        {
          if (data->keep_image && !hatake_store_untag_image (data->store, data->id, data->all_tags[i], &error))
            {
              g_task_return_error (task, error);
              return;
            }
          add_report (b, "Untagged", data->all_tags[i]);
        }
    }
  if (data->keep_image)
    {
      /* a container still uses it: it stays, untagged, until that container is removed */
      json_builder_end_array (b);
      g_task_return_pointer (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
      return;
    }
  for (guint i = 0; data->all_digests[i]; i++)
    add_report (b, "Untagged", data->all_digests[i]);
  if (!hatake_store_remove_image (data->store, data->id, deleted, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  add_report (b, "Deleted", data->id);
  for (guint i = 0; i < deleted->len; i++)
    add_report (b, "Deleted", g_ptr_array_index (deleted, i));
  json_builder_end_array (b);
  g_task_return_pointer (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
}

static void
hatake_local_engine_remove_image_async (HatakeEngine        *engine,
                                        const char          *reference,
                                        gboolean             force,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autofree char *tag = NULL;
  const char * const *tags;
  RemoveData *data;

  g_task_set_source_tag (task, hatake_local_engine_remove_image_async);

  image = hatake_engine_lookup_image (engine, reference);
  if (image == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), reference);
      return;
    }
  tags = hatake_image_get_repo_tags (image);
  ref = hatake_reference_parse (reference, NULL);
  tag = ref && !ref->digest ? hatake_reference_with_tag (ref) : NULL;
  /* docker: a digest reference goes alone while the image has tags; with none, the image goes */
  if (ref && ref->digest && tags != NULL && tags[0] != NULL)
    {
      g_autofree char *name = hatake_reference_familiar_name (ref);
      g_autofree char *digest_ref = g_strconcat (name, "@", ref->digest, NULL);

      if (g_strv_contains (hatake_image_get_repo_digests (image), digest_ref))
        {
          g_free (tag);
          tag = g_steal_pointer (&digest_ref);
        }
    }

  data = g_new0 (RemoveData, 1);
  data->store = g_object_ref (self->store);
  data->id = g_strdup (hatake_image_get_id (image));
  data->all_tags = g_strdupv ((char **) tags);
  data->all_digests = g_strdupv ((char **) hatake_image_get_repo_digests (image));

  if (tag != NULL && (g_strv_contains (tags, tag) || strchr (tag, '@') != NULL))
    data->untag = g_steal_pointer (&tag);
  else if (g_strv_length ((char **) tags) > 1 && !force)
    {
      g_autofree char *short_id = hatake_image_dup_short_id (image);
      remove_data_free (data);
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                               _("conflict: unable to delete %s (must be forced) - image is referenced in "
                               "multiple repositories"), short_id);
      return;
    }
  /* An image a container was made from stays while the container does: -f only untags it. */
  if ((data->untag == NULL || (strchr (data->untag, '@') == NULL && g_strv_length ((char **) tags) <= 1)) &&
      hatake_containers_image_in_use (self->containers, data->id))
    {
      g_autofree char *short_id = hatake_image_dup_short_id (image);
      if (!force || g_strv_length ((char **) tags) == 0)
        {
          remove_data_free (data);
          g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                                   _("conflict: unable to remove repository reference \"%s\" (must force) - "
                                     "a container is using its referenced image %s"), reference, short_id);
          return;
        }
      data->keep_image = TRUE;
    }
  run_store_task (self, g_steal_pointer (&task), data, (GDestroyNotify) remove_data_free, remove_thread);
}

/* ---- inspect ------------------------------------------------------------------------------- */

typedef struct
{
  HatakeStore       *store;
  HatakeImageRecord *record;
} InspectData;

static void
inspect_data_free (InspectData *data)
{
  g_object_unref (data->store);
  hatake_image_record_free (data->record);
  g_free (data);
}

static void
add_strv_member (JsonBuilder *b, const char *name, char **strv)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; strv && strv[i]; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return dt ? g_date_time_format_iso8601 (dt) : g_strdup ("0001-01-01T00:00:00Z");
}

static void
add_member_copy (JsonBuilder *b, JsonObject *from, const char *from_name, const char *to_name)
{
  JsonNode *node = from ? json_object_get_member (from, from_name) : NULL;

  json_builder_set_member_name (b, to_name);
  if (node != NULL)
    json_builder_add_value (b, json_node_copy (node));
  else
    json_builder_add_null_value (b);
}

/* The shape of docker's GET /images/{name}/json. */
static void
inspect_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  InspectData *data = task_data;
  HatakeImageRecord *r = data->record;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(HatakeImageConfig) config = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(GString) lower = g_string_new (NULL);
  g_autofree char *created = format_time (r->created);
  g_autofree char *tagged = format_time (r->last_tag_time);
  JsonObject *c;
  GError *error = NULL;
  guint n_layers;

  bytes = hatake_store_read_blob (data->store, r->id, HATAKE_MAX_CONFIG_SIZE, &error);
  if (bytes == NULL || (config = hatake_image_config_parse (bytes, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  c = json_node_get_object (config->root);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Id");
  json_builder_add_string_value (b, r->id);
  add_strv_member (b, "RepoTags", r->repo_tags);
  add_strv_member (b, "RepoDigests", r->repo_digests);
  json_builder_set_member_name (b, "Parent");
  json_builder_add_string_value (b, "");
  json_builder_set_member_name (b, "Comment");
  json_builder_add_string_value (b, json_object_get_string_member_with_default (c, "comment", ""));
  json_builder_set_member_name (b, "Created");
  json_builder_add_string_value (b, created);
  add_member_copy (b, c, "author", "Author");
  add_member_copy (b, c, "config", "Config");
  json_builder_set_member_name (b, "Architecture");
  json_builder_add_string_value (b, r->architecture);
  if (r->variant)
    {
      json_builder_set_member_name (b, "Variant");
      json_builder_add_string_value (b, r->variant);
    }
  json_builder_set_member_name (b, "Os");
  json_builder_add_string_value (b, r->os);
  json_builder_set_member_name (b, "Size");
  json_builder_add_int_value (b, r->size);

  json_builder_set_member_name (b, "GraphDriver");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Name");
  json_builder_add_string_value (b, "overlay2");
  json_builder_set_member_name (b, "Data");
  json_builder_begin_object (b);
  n_layers = g_strv_length (r->layers);
  for (guint i = n_layers; i > 1; i--)
    {
      g_autofree char *path = hatake_store_layer_path (data->store, r->layers[i - 2]);
      g_string_append_printf (lower, "%s%s", lower->len ? ":" : "", path);
    }
  if (n_layers > 0)
    {
      g_autofree char *top = hatake_store_layer_path (data->store, r->layers[n_layers - 1]);
      json_builder_set_member_name (b, n_layers > 1 ? "UpperDir" : "MergedDir");
      json_builder_add_string_value (b, top);
    }
  if (lower->len)
    {
      json_builder_set_member_name (b, "LowerDir");
      json_builder_add_string_value (b, lower->str);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "RootFS");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Type");
  json_builder_add_string_value (b, "layers");
  add_strv_member (b, "Layers", r->diff_ids);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "Metadata");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "LastTagTime");
  json_builder_add_string_value (b, tagged);
  json_builder_end_object (b);
  json_builder_end_object (b);

  g_task_return_pointer (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
}

/* Runs THREAD_FUNC on the store's record of the image REFERENCE names (InspectData). */
static void
hatake_local_engine_image_task (HatakeEngine        *engine,
                                const char          *reference,
                                gpointer             source_tag,
                                GTaskThreadFunc      thread_func,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeImage) image = NULL;
  InspectData *data;

  g_task_set_source_tag (task, source_tag);
  image = hatake_engine_lookup_image (engine, reference);
  if (image == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), reference);
      return;
    }
  data = g_new0 (InspectData, 1);
  data->store = g_object_ref (self->store);
  data->record = hatake_store_get_image (self->store, hatake_image_get_id (image));
  if (data->record == NULL)
    {
      inspect_data_free (data);
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), reference);
      return;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) inspect_data_free);
  g_task_run_in_thread (task, thread_func);
}

static void
hatake_local_engine_inspect_image_async (HatakeEngine        *engine,
                                         const char          *reference,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  hatake_local_engine_image_task (engine, reference, hatake_local_engine_inspect_image_async, inspect_thread,
                                  cancellable, callback, user_data);
}

/* ---- history ------------------------------------------------------------------------------- */

static gint64
history_time (JsonObject *entry)
{
  const char *created = hatake_json_string (entry, "created");
  g_autoptr(GDateTime) dt = created ? g_date_time_new_from_iso8601 (created, NULL) : NULL;

  return dt ? g_date_time_to_unix (dt) : 0;
}

static void
add_history_entry (GPtrArray *entries, const char *created_by, const char *comment, gint64 created, gint64 size)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "Id", "<missing>");
  json_object_set_int_member (o, "Created", created);
  json_object_set_string_member (o, "CreatedBy", created_by ? created_by : "");
  json_object_set_null_member (o, "Tags");
  json_object_set_int_member (o, "Size", size);
  json_object_set_string_member (o, "Comment", comment ? comment : "");
  g_ptr_array_add (entries, o);
}

/* docker's GET /images/{name}/history: the config's history, newest first, each entry that made a
 * layer given that layer's unpacked size; the newest carries the image's ID and tags. A config
 * without history (or one that names fewer layers than the image has) gets an entry per layer. */
static void
history_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  InspectData *data = task_data;
  HatakeImageRecord *r = data->record;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(HatakeImageConfig) config = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  JsonArray *history, *out = json_array_new ();
  JsonObject *newest;
  guint n_layers = g_strv_length (r->layers), n_made = 0, layer = 0;
  GError *error = NULL;

  bytes = hatake_store_read_blob (data->store, r->id, HATAKE_MAX_CONFIG_SIZE, &error);
  if (bytes == NULL || (config = hatake_image_config_parse (bytes, &error)) == NULL)
    {
      json_array_unref (out);
      g_task_return_error (task, error);
      return;
    }
  history = hatake_json_array_member (json_node_get_object (config->root), "history");
  for (guint i = 0; history && i < json_array_get_length (history); i++)
    {
      JsonObject *h = hatake_json_array_object (history, i);

      if (h != NULL && !hatake_json_boolean (h, "empty_layer", FALSE))
        n_made++;
    }
  if (history != NULL && n_made == n_layers)
    {
      for (guint i = 0; i < json_array_get_length (history); i++)
        {
          JsonObject *h = hatake_json_array_object (history, i);
          gint64 size = 0;

          if (h == NULL)
            continue;
          if (!hatake_json_boolean (h, "empty_layer", FALSE))
            size = hatake_store_get_layer_size (data->store, r->layers[layer++]);
          add_history_entry (entries, hatake_json_string (h, "created_by"), hatake_json_string (h, "comment"),
                             history_time (h), size);
        }
    }
  else
    {
      for (guint i = 0; i < n_layers; i++)
        add_history_entry (entries, NULL, NULL, r->created, hatake_store_get_layer_size (data->store, r->layers[i]));
      if (n_layers == 0)
        add_history_entry (entries, NULL, NULL, r->created, 0);
    }

  newest = g_ptr_array_index (entries, entries->len - 1);
  json_object_set_string_member (newest, "Id", r->id);
  if (r->repo_tags != NULL && r->repo_tags[0] != NULL)
    {
      JsonArray *tags = json_array_new ();

      for (guint i = 0; r->repo_tags[i]; i++)
        json_array_add_string_element (tags, r->repo_tags[i]);
      json_object_set_array_member (newest, "Tags", tags);
    }
  for (guint i = entries->len; i > 0; i--)
    json_array_add_object_element (out, json_object_ref (g_ptr_array_index (entries, i - 1)));
  g_task_return_pointer (task, json_node_init_array (json_node_alloc (), out), (GDestroyNotify) json_node_unref);
  json_array_unref (out);
}

static void
hatake_local_engine_image_history_async (HatakeEngine        *engine,
                                         const char          *reference,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  hatake_local_engine_image_task (engine, reference, hatake_local_engine_image_history_async, history_thread,
                                  cancellable, callback, user_data);
}

/* ---- disk usage ---------------------------------------------------------------------------- */

/* What the worker needs of a container, taken on the main thread (the model lives there). */
typedef struct
{
  char   *id;
  char   *name;
  char   *image;
  char   *image_id;
  char   *state;
  gint64  created;
  char   *upper;      /* its writable layer: SizeRw */
} DiskContainer;

static void
disk_container_free (DiskContainer *c)
{
  g_free (c->id);
  g_free (c->name);
  g_free (c->image);
  g_free (c->image_id);
  g_free (c->state);
  g_free (c->upper);
  g_free (c);
}

typedef struct
{
  HatakeStore   *store;
  HatakeVolumes *volumes;
  GPtrArray     *containers;    /* of DiskContainer */
  GHashTable    *image_users;   /* image ID → how many containers use it */
  GStrv          volume_names;
  GArray        *volume_refs;   /* guint per volume name: how many containers mount it */
} DiskUsageData;

static void
disk_usage_data_free (DiskUsageData *data)
{
  g_object_unref (data->store);
  g_object_unref (data->volumes);
  g_ptr_array_unref (data->containers);
  g_hash_table_unref (data->image_users);
  g_strfreev (data->volume_names);
  g_array_unref (data->volume_refs);
  g_free (data);
}

/* The bytes of the files under path, as docker counts a writable layer or a volume (apparent
 * sizes, symbolic links not followed). */
static gint64
tree_size (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  gint64 total = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        total += tree_size (child);
      else if (S_ISREG (st.st_mode) || S_ISLNK (st.st_mode))
        total += st.st_size;
    }
  return total;
}

static void
disk_usage_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  DiskUsageData *data = task_data;
  HatakeStore *store = data->store;
  g_autoptr(GPtrArray) records = hatake_store_list_images (store);
  g_autoptr(GHashTable) users = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  /* A layer used by more than one image is "shared", as docker counts it. */
  for (guint i = 0; i < records->len; i++)
    {
      HatakeImageRecord *r = g_ptr_array_index (records, i);
      for (guint j = 0; r->layers[j]; j++)
        g_hash_table_insert (users, r->layers[j],
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (users, r->layers[j])) + 1));
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "LayersSize");
  json_builder_add_int_value (b, hatake_store_get_layers_size (store));
  json_builder_set_member_name (b, "Images");
  json_builder_begin_array (b);
  for (guint i = 0; i < records->len; i++)
    {
      HatakeImageRecord *r = g_ptr_array_index (records, i);
      gint64 shared = 0;

      for (guint j = 0; r->layers[j]; j++)
        if (GPOINTER_TO_UINT (g_hash_table_lookup (users, r->layers[j])) > 1)
          shared += hatake_store_get_layer_size (store, r->layers[j]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Id");
      json_builder_add_string_value (b, r->id);
      json_builder_set_member_name (b, "ParentId");
      json_builder_add_string_value (b, "");
      add_strv_member (b, "RepoTags", r->repo_tags);
      add_strv_member (b, "RepoDigests", r->repo_digests);
      json_builder_set_member_name (b, "Created");
      json_builder_add_int_value (b, r->created);
      json_builder_set_member_name (b, "Size");
      json_builder_add_int_value (b, r->size);
      json_builder_set_member_name (b, "SharedSize");
      json_builder_add_int_value (b, shared);
      json_builder_set_member_name (b, "Labels");
      json_builder_add_null_value (b);
      json_builder_set_member_name (b, "Containers");
      json_builder_add_int_value (b, GPOINTER_TO_UINT (g_hash_table_lookup (data->image_users, r->id)));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "Containers");
  json_builder_begin_array (b);
  for (guint i = 0; i < data->containers->len; i++)
    {
      DiskContainer *c = g_ptr_array_index (data->containers, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Id");
      json_builder_add_string_value (b, c->id);
      json_builder_set_member_name (b, "Names");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, c->name);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "Image");
      json_builder_add_string_value (b, c->image);
      json_builder_set_member_name (b, "ImageID");
      json_builder_add_string_value (b, c->image_id);
      json_builder_set_member_name (b, "Created");
      json_builder_add_int_value (b, c->created);
      json_builder_set_member_name (b, "State");
      json_builder_add_string_value (b, c->state);
      json_builder_set_member_name (b, "SizeRw");
      json_builder_add_int_value (b, c->upper ? tree_size (c->upper) : 0);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "Volumes");
  json_builder_begin_array (b);
  for (guint i = 0; data->volume_names[i] != NULL; i++)
    {
      g_autoptr(JsonNode) volume = hatake_volumes_inspect (data->volumes, data->volume_names[i], NULL);
      g_autofree char *path = hatake_volumes_data_path (data->volumes, data->volume_names[i]);
      g_autoptr(GList) members = NULL;

      if (volume == NULL || !JSON_NODE_HOLDS_OBJECT (volume))
        continue;
      /* inspect's fields (an immutable node: copied), and docker's UsageData, which only system
       * df fills */
      json_builder_begin_object (b);
      members = json_object_get_members (json_node_get_object (volume));
      for (GList *l = members; l != NULL; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_value (b, json_node_copy (json_object_get_member (json_node_get_object (volume), l->data)));
        }
      json_builder_set_member_name (b, "UsageData");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Size");
      json_builder_add_int_value (b, path ? tree_size (path) : 0);
      json_builder_set_member_name (b, "RefCount");
      json_builder_add_int_value (b, g_array_index (data->volume_refs, guint, i));
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "BuildCache");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_task_return_pointer (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
}

static void
hatake_local_engine_disk_usage_async (HatakeEngine        *engine,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GListModel *model = hatake_containers_get_model (self->containers);
  HatakeVolumes *volumes = hatake_containers_get_volumes (self->containers);
  DiskUsageData *data = g_new0 (DiskUsageData, 1);

  g_task_set_source_tag (task, hatake_local_engine_disk_usage_async);
  data->store = g_object_ref (self->store);
  data->volumes = g_object_ref (volumes);
  data->containers = g_ptr_array_new_with_free_func ((GDestroyNotify) disk_container_free);
  data->image_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* The containers' facts are read here: their model and bookkeeping belong to this thread. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(HatakeContainer) container = g_list_model_get_item (model, i);
      g_autoptr(JsonNode) inspect = hatake_containers_inspect (self->containers, container);
      JsonObject *graph = hatake_json_object_member (json_node_get_object (inspect), "GraphDriver");
      JsonObject *graph_data = graph ? hatake_json_object_member (graph, "Data") : NULL;
      const char *upper = graph_data ? json_object_get_string_member_with_default (graph_data, "UpperDir", NULL) : NULL;
      const char *image_id = hatake_container_get_image_id (container);
      DiskContainer *c = g_new0 (DiskContainer, 1);

      c->id = g_strdup (hatake_container_get_id (container));
      c->name = g_strconcat ("/", hatake_container_get_name (container), NULL);
      c->image = g_strdup (hatake_container_get_image (container));
      c->image_id = g_strdup (image_id ? image_id : "");
      c->state = g_strdup (hatake_container_state_to_string (hatake_container_get_state (container)));
      c->created = hatake_container_get_created (container) / G_USEC_PER_SEC;
      c->upper = upper && *upper ? g_strdup (upper) : NULL;
      g_ptr_array_add (data->containers, c);
      if (image_id != NULL)
        g_hash_table_insert (data->image_users, g_strdup (image_id),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (data->image_users, image_id)) + 1));
    }
  /* (as the volume prune does, on this thread: a directory listing) */
  data->volume_names = hatake_volumes_names (volumes);
  data->volume_refs = g_array_new (FALSE, TRUE, sizeof (guint));
  for (guint i = 0; data->volume_names[i] != NULL; i++)
    {
      g_auto(GStrv) volume_users = hatake_containers_volume_users (self->containers, data->volume_names[i]);
      guint n = g_strv_length (volume_users);

      g_array_append_val (data->volume_refs, n);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) disk_usage_data_free);
  g_task_run_in_thread (task, disk_usage_thread);
}

/* ---- containers ------------------------------------------------------------------------------ */

void
_hatake_local_engine_images_iface_init (HatakeEngineInterface *iface)
{
  iface->tag_image_async = hatake_local_engine_tag_image_async;
  iface->tag_image_finish = hatake_local_engine_tag_image_finish;
  iface->remove_image_async = hatake_local_engine_remove_image_async;
  iface->remove_image_finish = _hatake_local_engine_propagate_json;
  iface->inspect_image_async = hatake_local_engine_inspect_image_async;
  iface->inspect_image_finish = _hatake_local_engine_propagate_json;
  iface->image_history_async = hatake_local_engine_image_history_async;
  iface->image_history_finish = _hatake_local_engine_propagate_json;
  iface->disk_usage_async = hatake_local_engine_disk_usage_async;
  iface->disk_usage_finish = _hatake_local_engine_propagate_json;
}
