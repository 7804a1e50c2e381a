/* hatake-local-engine-push.c: docker push and docker login on the local engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A push sends what the store already holds, byte for byte: each layer blob as it was pulled (so
 * its digest is the manifest's), then the config, then the very manifest the image was pulled
 * with, under the tag asked for. The registry checks every digest, and so does the client (the
 * manifest's digest must come back unchanged).
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hatake-error.h"
#include "hatake-local-engine-private.h"
#include "hatake-manifest.h"
#include "hatake-reference.h"

typedef struct
{
  HatakeRegistry   *registry;
  HatakeReference  *ref;
  HatakePull       *progress;
  HatakeStore      *store;
  char             *manifest_digest;
  GBytes           *manifest_bytes;
  char             *manifest_type;
  HatakeManifest   *manifest;
  guint             next;          /* the layer being sent; the config after the last */
} PushData;

static void
push_data_free (PushData *data)
{
  g_clear_object (&data->registry);
  g_clear_pointer (&data->ref, hatake_reference_free);
  g_clear_object (&data->progress);
  g_clear_object (&data->store);
  g_free (data->manifest_digest);
  g_clear_pointer (&data->manifest_bytes, g_bytes_unref);
  g_free (data->manifest_type);
  g_clear_pointer (&data->manifest, hatake_manifest_free);
  g_free (data);
}

static HatakeRegistry *
new_registry (HatakeLocalEngine *self)
{
  HatakeRegistry *registry = hatake_registry_new ();

  hatake_registry_set_insecure_registries (registry, (const char * const *) self->config->insecure_registries);
  hatake_registry_set_max_retries (registry, self->config->max_retries);
  return registry;
}

/* The engine's registry client, made at its first use: it loads libsoup (hatake-soup.h), which
 * most commands never need */
static HatakeRegistry *
default_registry (HatakeLocalEngine *self)
{
  if (self->registry == NULL)
    self->registry = new_registry (self);
  return self->registry;
}

/* The engine's registry client, or one of its own when a pull or push comes with credentials
 * (docker's X-Registry-Auth): they serve that transfer alone. */
HatakeRegistry *
_hatake_local_engine_registry_for (HatakeLocalEngine     *self,
                                   const HatakeReference *ref,
                                   HatakePull            *progress)
{
  const char *username, *password;
  HatakeRegistry *registry;

  if (!hatake_pull_get_credentials (progress, &username, &password))
    return g_object_ref (default_registry (self));
  registry = new_registry (self);
  hatake_registry_set_credentials (registry, hatake_reference_registry_host (ref), username, password);
  return registry;
}

static void push_next (GTask *task);

static void
on_blob_progress (gint64 done, gint64 total, gpointer user_data)
{
  HatakePullLayer *layer = user_data;

  hatake_pull_layer_set_state (layer, HATAKE_LAYER_DOWNLOADING);
  hatake_pull_layer_set_current (layer, done);
}

static void
on_manifest_put (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PushData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autofree char *digest = hatake_registry_put_manifest_finish (HATAKE_REGISTRY (source), result, &error);
  g_autofree char *status = NULL;
  JsonObject *o;
  JsonNode *node;

  if (digest == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!g_str_equal (digest, data->manifest_digest))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                               _("The registry stored the manifest as %s, not %s"), digest, data->manifest_digest);
      return;
    }
  hatake_pull_set_digest (data->progress, digest);
  status = g_strdup_printf ("%s: digest: %s size: %" G_GSIZE_FORMAT, data->ref->tag, digest,
                            g_bytes_get_size (data->manifest_bytes));
  hatake_pull_set_status (data->progress, status);
  o = json_object_new ();
  json_object_set_string_member (o, "Tag", data->ref->tag);
  json_object_set_string_member (o, "Digest", digest);
  json_object_set_int_member (o, "Size", g_bytes_get_size (data->manifest_bytes));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, o);
  g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
on_blob_put (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PushData *data = g_task_get_task_data (task);
  HatakePullLayer *layer = g_object_get_data (G_OBJECT (task), "hatake-layer");
  gboolean exists = FALSE;
  GError *error = NULL;

  if (!hatake_registry_put_blob_finish (HATAKE_REGISTRY (source), result, &exists, &error))
    {
      if (layer != NULL)
        hatake_pull_layer_set_state (layer, HATAKE_LAYER_FAILED);
      g_task_return_error (task, error);
      return;
    }
  if (layer != NULL)
    {
      hatake_pull_layer_set_current (layer, hatake_pull_layer_get_total (layer));
      hatake_pull_layer_set_state (layer, exists ? HATAKE_LAYER_EXISTS : HATAKE_LAYER_DONE);
    }
  data->next++;
  push_next (g_steal_pointer (&task));
}

/* Layers one after the other (their order is the manifest's), then the config, then the manifest. */
static void
push_next (GTask *task)
{
  PushData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint n_layers = data->manifest->layers->len;
  const HatakeDescriptor *d;
  HatakePullLayer *layer = NULL;
  g_autofree char *path = NULL;

  if (data->next > n_layers)
    {
      hatake_registry_put_manifest_async (data->registry, data->ref, data->manifest_type, data->manifest_bytes,
                                          cancellable, on_manifest_put, task);
      return;
    }
  d = data->next < n_layers ? g_ptr_array_index (data->manifest->layers, data->next) : data->manifest->config;
  if (data->next < n_layers)
    layer = hatake_pull_find_layer (data->progress, d->digest);
  g_object_set_data (G_OBJECT (task), "hatake-layer", layer);
  path = hatake_store_blob_path (data->store, d->digest);
  hatake_registry_put_blob_async (data->registry, data->ref, d->digest, d->size, path,
                                  layer ? on_blob_progress : NULL, layer, cancellable, on_blob_put, task);
}

/* In a worker: the manifest the image was pulled with, and every blob it names still here. */
static void
push_prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PushData *data = task_data;
  GError *error = NULL;

  data->manifest_bytes = hatake_store_read_blob (data->store, data->manifest_digest, HATAKE_MAX_MANIFEST_SIZE, &error);
  if (data->manifest_bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* the store keeps manifests by content: their type is in them (both kinds we keep say it) */
  data->manifest = hatake_manifest_parse (data->manifest_bytes, NULL, &error);
  if (data->manifest == NULL || data->manifest->is_index || data->manifest->config == NULL)
    {
      if (error == NULL)
        error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST, _("The image's manifest is not one to push"));
      g_task_return_error (task, error);
      return;
    }
  data->manifest_type = g_strdup (data->manifest->media_type ? data->manifest->media_type : HATAKE_MEDIA_OCI_MANIFEST);
  for (guint i = 0; i <= data->manifest->layers->len; i++)
    {
      const HatakeDescriptor *d = i < data->manifest->layers->len ? g_ptr_array_index (data->manifest->layers, i)
                                                                  : data->manifest->config;

      if (!hatake_store_has_blob (data->store, d->digest))
        {
          g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                                   _("The blob %s of the image is not in the store: pull the image again to push it"),
                                   d->digest);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_push_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PushData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < data->manifest->layers->len; i++)
    {
      const HatakeDescriptor *d = g_ptr_array_index (data->manifest->layers, i);

      if (hatake_pull_find_layer (data->progress, d->digest) == NULL)
        hatake_pull_add_layer (data->progress, d->digest, d->size);
    }
  hatake_pull_set_status (data->progress, "Pushing");
  push_next (g_steal_pointer (&task));
}

static void
hatake_local_engine_push_async (HatakeEngine        *engine,
                                const char          *reference,
                                HatakePull          *progress,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) prepare = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeImageRecord) record = NULL;
  GError *error = NULL;
  PushData *data;

  g_task_set_source_tag (task, hatake_local_engine_push_async);
  ref = hatake_reference_parse (reference, &error);
  if (ref == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (ref->digest != NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE,
                               _("Push a tag, not a digest: %s"), reference);
      return;
    }
  image = hatake_engine_lookup_image (engine, reference);
  record = image ? hatake_store_get_image (self->store, hatake_image_get_id (image)) : NULL;
  if (record == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("An image does not exist locally with the tag: %s"),
                               reference);
      return;
    }
  if (record->manifest_digest == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                               _("The image %s has no manifest to push"), reference);
      return;
    }
  data = g_new0 (PushData, 1);
  data->registry = _hatake_local_engine_registry_for (self, ref, progress);
  data->ref = g_steal_pointer (&ref);
  data->progress = g_object_ref (progress);
  data->store = g_object_ref (self->store);
  data->manifest_digest = g_strdup (record->manifest_digest);
  g_task_set_task_data (task, data, (GDestroyNotify) push_data_free);
  hatake_pull_set_status (progress, "Preparing");

  prepare = g_task_new (self, cancellable, on_push_prepared, g_steal_pointer (&task));
  g_task_set_task_data (prepare, data, NULL);
  g_task_run_in_thread (prepare, push_prepare_thread);
}

static JsonNode *
hatake_local_engine_push_finish (HatakeEngine  *engine,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- login --------------------------------------------------------------------------------- */

static void
on_login_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (hatake_registry_check_login_finish (HATAKE_REGISTRY (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
hatake_local_engine_login_async (HatakeEngine        *engine,
                                 const char          *registry,
                                 const char          *username,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hatake_local_engine_login_async);
  /* docker's default registry, as the CLI names it */
  if (registry == NULL || *registry == '\0' || g_str_has_prefix (registry, "https://index.docker.io/v1"))
    registry = "registry-1.docker.io";
  hatake_registry_check_login_async (default_registry (self), registry, username ? username : "", password ? password : "",
                                     cancellable, on_login_checked, g_steal_pointer (&task));
}

static gboolean
hatake_local_engine_login_finish (HatakeEngine  *engine,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_hatake_local_engine_push_iface_init (HatakeEngineInterface *iface)
{
  iface->push_async = hatake_local_engine_push_async;
  iface->push_finish = hatake_local_engine_push_finish;
  iface->login_async = hatake_local_engine_login_async;
  iface->login_finish = hatake_local_engine_login_finish;
}
