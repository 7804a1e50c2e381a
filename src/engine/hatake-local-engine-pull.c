/* hatake-local-engine-pull.c: pulling an image into the store
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * resolve → manifest (→ platform manifest from an index) → config → every missing layer, each
 * fetched (a few at a time) and unpacked in a worker thread as soon as its blob is in, so the
 * downloads of later layers overlap the unpacking of earlier ones → the image record, last.
 *
 * A layer wanted by two pulls at once is fetched and unpacked once: the second pull waits on the
 * first one's LayerOp. What a failed pull brought in and no image uses is removed again, unless
 * another running pull has pinned it.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hatake-error.h"
#include "hatake-local-engine-private.h"
#include "hatake-manifest.h"
#include "hatake-reference.h"

/* ---- progress from worker threads ------------------------------------------------------------ */

/* Workers report often; the main thread hears of it at most once per main-loop turn. */
typedef struct
{
  gatomicrefcount  ref;
  HatakePullLayer *layer;     /* touched on the main thread only */
  gint64           done;      /* written by the worker, read on the main thread: __atomic */
  int              pending;   /* atomic */
} ProgressRelay;

static ProgressRelay *
progress_relay_new (HatakePullLayer *layer)
{
  ProgressRelay *relay = g_new0 (ProgressRelay, 1);

  g_atomic_ref_count_init (&relay->ref);
  relay->layer = layer ? g_object_ref (layer) : NULL;
  return relay;
}

static void
progress_relay_unref (gpointer data)
{
  ProgressRelay *relay = data;

  if (g_atomic_ref_count_dec (&relay->ref))
    {
      g_clear_object (&relay->layer);
      g_free (relay);
    }
}

static gboolean
progress_relay_dispatch (gpointer data)
{
  ProgressRelay *relay = data;

  g_atomic_int_set (&relay->pending, 0);
  if (relay->layer != NULL && hatake_pull_layer_get_state (relay->layer) == HATAKE_LAYER_EXTRACTING)
    hatake_pull_layer_set_current (relay->layer, __atomic_load_n (&relay->done, __ATOMIC_RELAXED));
  return G_SOURCE_REMOVE;
}

typedef struct
{
  ProgressRelay *relay;
  GMainContext  *context;
} ProgressTarget;

static void
on_unpack_progress (guint64  compressed_done,
                    gpointer user_data)
{
  ProgressTarget *target = user_data;
  ProgressRelay *relay = target->relay;

  __atomic_store_n (&relay->done, (gint64) compressed_done, __ATOMIC_RELAXED);
  if (g_atomic_int_compare_and_exchange (&relay->pending, 0, 1))
    {
      g_atomic_ref_count_inc (&relay->ref);
      g_main_context_invoke_full (target->context, G_PRIORITY_DEFAULT, progress_relay_dispatch,
                                  relay, progress_relay_unref);
    }
}

/* ---- one layer: fetch and unpack, shared ------------------------------------------------------ */

typedef struct
{
  HatakeLocalEngine *engine;      /* unowned: the engine outlives its operations */
  HatakeRegistry    *registry;    /* the first requester's (its credentials) */
  HatakeReference   *ref;
  char              *blob_digest;
  gint64             size;
  char              *diff_id;
  char              *chain_id;
  HatakePullLayer   *progress;    /* the first requester's */
  GCancellable      *cancellable;
  GPtrArray         *waiters;     /* of GTask */
} LayerOp;

static void
layer_op_free (LayerOp *op)
{
  g_clear_object (&op->registry);
  hatake_reference_free (op->ref);
  g_free (op->blob_digest);
  g_free (op->diff_id);
  g_free (op->chain_id);
  g_clear_object (&op->progress);
  g_clear_object (&op->cancellable);
  g_ptr_array_unref (op->waiters);
  g_free (op);
}

static void
layer_op_complete (LayerOp *op, GError *error)
{
  HatakeLocalEngine *self = op->engine;

  g_hash_table_steal (self->layer_ops, op->chain_id);
  if (op->progress != NULL)
    hatake_pull_layer_set_state (op->progress, error ? HATAKE_LAYER_FAILED : HATAKE_LAYER_DONE);
  for (guint i = 0; i < op->waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (op->waiters, i);
      HatakePullLayer *layer = g_task_get_task_data (task);
      if (layer != NULL && layer != op->progress)
        hatake_pull_layer_set_state (layer, error ? HATAKE_LAYER_FAILED : HATAKE_LAYER_DONE);
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  layer_op_free (op);
}

typedef struct
{
  HatakeStore       *store;
  char              *blob_digest;
  char              *diff_id;
  char              *chain_id;
  HatakeLayerLimits  limits;
  ProgressTarget     target;
} UnpackData;

static void
unpack_data_free (UnpackData *data)
{
  g_clear_object (&data->store);
  g_free (data->blob_digest);
  g_free (data->diff_id);
  g_free (data->chain_id);
  progress_relay_unref (data->target.relay);
  g_main_context_unref (data->target.context);
  g_free (data);
}

static void
unpack_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  UnpackData *data = task_data;
  GError *error = NULL;

  if (hatake_store_unpack_layer (data->store, data->blob_digest, data->diff_id, data->chain_id, &data->limits,
                                 on_unpack_progress, &data->target, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_unpacked (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LayerOp *op = user_data;
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  layer_op_complete (op, error);
}

static void
layer_op_unpack (LayerOp *op)
{
  g_autoptr(GTask) task = NULL;
  UnpackData *data = g_new0 (UnpackData, 1);

  data->store = g_object_ref (op->engine->store);
  data->blob_digest = g_strdup (op->blob_digest);
  data->diff_id = g_strdup (op->diff_id);
  data->chain_id = g_strdup (op->chain_id);
  data->limits = op->engine->config->layer_limits;
  data->target.relay = progress_relay_new (op->progress);
  data->target.context = g_main_context_ref_thread_default ();
  if (op->progress != NULL)
    {
      hatake_pull_layer_set_state (op->progress, HATAKE_LAYER_EXTRACTING);
      hatake_pull_layer_set_current (op->progress, 0);
    }

  task = g_task_new (NULL, op->cancellable, on_unpacked, op);
  g_task_set_source_tag (task, layer_op_unpack);
  g_task_set_task_data (task, data, (GDestroyNotify) unpack_data_free);
  g_task_run_in_thread (task, unpack_thread);
}

/* ---- one blob: fetched once however many want it ----------------------------------------- */

typedef struct
{
  HatakeLocalEngine *engine;      /* unowned: the engine outlives its operations */
  HatakeRegistry    *registry;    /* the first requester's (its credentials) */
  HatakeReference   *ref;
  char              *digest;
  gint64             size;
  HatakePullLayer   *progress;    /* the first requester's, or NULL */
  GCancellable      *cancellable;
  GPtrArray         *waiters;     /* of GTask */
} BlobOp;

static void
blob_op_complete (BlobOp *op, GError *error)
{
  g_hash_table_steal (op->engine->blob_ops, op->digest);
  for (guint i = 0; i < op->waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (op->waiters, i);
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_clear_object (&op->registry);
  hatake_reference_free (op->ref);
  g_free (op->digest);
  g_clear_object (&op->progress);
  g_clear_object (&op->cancellable);
  g_ptr_array_unref (op->waiters);
  g_free (op);
}

static void blob_op_start (BlobOp *op);

static void
start_queued_downloads (HatakeLocalEngine *self)
{
  while (self->active_downloads < self->config->max_concurrent_downloads &&
         !g_queue_is_empty (&self->download_queue))
    blob_op_start (g_queue_pop_head (&self->download_queue));
}

static void
on_blob_progress (gint64   done,
                  gint64   total,
                  gpointer user_data)
{
  BlobOp *op = user_data;

  if (op->progress != NULL)
    {
      hatake_pull_layer_set_state (op->progress, HATAKE_LAYER_DOWNLOADING);
      hatake_pull_layer_set_current (op->progress, done);
    }
}

static void
on_blob_fetched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BlobOp *op = user_data;
  HatakeLocalEngine *self = op->engine;
  g_autoptr(GError) error = NULL;

  self->active_downloads--;
  start_queued_downloads (self);
  hatake_registry_get_blob_finish (HATAKE_REGISTRY (source), result, &error);
  blob_op_complete (op, error);
}

static void
blob_op_start (BlobOp *op)
{
  HatakeLocalEngine *self = op->engine;
  g_autofree char *partial = hatake_store_blob_partial_path (self->store, op->digest);
  g_autofree char *final = hatake_store_blob_path (self->store, op->digest);

  self->active_downloads++;
  if (op->progress != NULL)
    hatake_pull_layer_set_state (op->progress, HATAKE_LAYER_DOWNLOADING);
  hatake_registry_get_blob_async (op->registry, op->ref, op->digest, op->size, partial, final,
                                  on_blob_progress, op, op->cancellable, on_blob_fetched, op);
}

/* Brings a blob into the store, verified. Configs (no progress) go before queued layers: the
 * layers cannot start before the config has been read anyway. */
static void
fetch_blob_async (HatakeLocalEngine     *self,
                  HatakeRegistry        *registry,
                  const HatakeReference *ref,
                  const char            *digest,
                  gint64                 size,
                  HatakePullLayer       *progress,
                  GCancellable          *cancellable,
                  GAsyncReadyCallback    callback,
                  gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  BlobOp *op;

  g_task_set_source_tag (task, fetch_blob_async);
  if (hatake_store_has_blob (self->store, digest))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  op = g_hash_table_lookup (self->blob_ops, digest);
  if (op != NULL)
    {
      g_ptr_array_add (op->waiters, g_steal_pointer (&task));
      return;
    }
  op = g_new0 (BlobOp, 1);
  op->engine = self;
  op->registry = g_object_ref (registry);
  op->ref = hatake_reference_copy (ref);
  op->digest = g_strdup (digest);
  op->size = size;
  op->progress = progress ? g_object_ref (progress) : NULL;
  op->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  op->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (op->waiters, g_steal_pointer (&task));
  g_hash_table_insert (self->blob_ops, op->digest, op);
  if (progress == NULL)
    g_queue_push_head (&self->download_queue, op);
  else
    g_queue_push_tail (&self->download_queue, op);
  start_queued_downloads (self);
}

static gboolean
fetch_blob_finish (HatakeLocalEngine  *self,
                   GAsyncResult       *result,
                   GError            **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_layer_blob_fetched (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  LayerOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!fetch_blob_finish (HATAKE_LOCAL_ENGINE (source), result, &error))
    layer_op_complete (op, error);
  else
    layer_op_unpack (op);
}

static void
ensure_layer_async (HatakeLocalEngine      *self,
                    HatakeRegistry         *registry,
                    const HatakeReference  *ref,
                    const HatakeDescriptor *blob,
                    const char             *diff_id,
                    const char             *chain_id,
                    HatakePullLayer        *progress,
                    GCancellable           *cancellable,
                    GAsyncReadyCallback     callback,
                    gpointer                user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  LayerOp *op;

  g_task_set_source_tag (task, ensure_layer_async);
  if (progress != NULL)
    g_task_set_task_data (task, g_object_ref (progress), g_object_unref);

  if (hatake_store_has_layer (self->store, chain_id))
    {
      hatake_pull_layer_set_state (progress, HATAKE_LAYER_EXISTS);
      g_task_return_boolean (task, TRUE);
      return;
    }

  op = g_hash_table_lookup (self->layer_ops, chain_id);
  if (op != NULL)
    {
      g_ptr_array_add (op->waiters, g_steal_pointer (&task));
      return;
    }

  op = g_new0 (LayerOp, 1);
  op->engine = self;
  op->registry = g_object_ref (registry);
  op->ref = hatake_reference_copy (ref);
  op->blob_digest = g_strdup (blob->digest);
  op->size = blob->size;
  op->diff_id = g_strdup (diff_id);
  op->chain_id = g_strdup (chain_id);
  op->progress = progress ? g_object_ref (progress) : NULL;
  op->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  op->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (op->waiters, g_steal_pointer (&task));
  g_hash_table_insert (self->layer_ops, op->chain_id, op);

  if (hatake_store_has_blob (self->store, blob->digest))
    layer_op_unpack (op);
  else
    fetch_blob_async (self, registry, ref, blob->digest, blob->size, progress, op->cancellable, on_layer_blob_fetched,
                      op);
}

static gboolean
ensure_layer_finish (HatakeLocalEngine  *self,
                     GAsyncResult       *result,
                     GError            **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the pull ------------------------------------------------------------------------------- */

typedef struct
{
  HatakeRegistry    *registry;         /* the engine's, or one with the pull's credentials */
  HatakeReference   *ref;
  HatakePlatform    *platform;
  HatakePull        *progress;
  GCancellable      *cancellable;      /* ours: cancels the rest when one layer fails */
  GCancellable      *user_cancellable;
  gulong             cancel_id;
  GBytes            *index_bytes;
  char              *index_digest;
  GBytes            *manifest_bytes;
  char              *manifest_digest;
  HatakeManifest    *manifest;
  HatakeImageConfig *config;
  GPtrArray         *chain_ids;
  GPtrArray         *new_blobs;        /* fetched by this pull: dropped again if it fails */
  GPtrArray         *new_layers;
  GPtrArray         *pinned;
  guint              pending;
  GError            *error;
} PullData;

static void
pull_data_free (PullData *data)
{
  if (data->cancel_id != 0)
    g_cancellable_disconnect (data->user_cancellable, data->cancel_id);
  g_clear_object (&data->registry);
  hatake_reference_free (data->ref);
  hatake_platform_free (data->platform);
  g_clear_object (&data->progress);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->user_cancellable);
  g_clear_pointer (&data->index_bytes, g_bytes_unref);
  g_free (data->index_digest);
  g_clear_pointer (&data->manifest_bytes, g_bytes_unref);
  g_free (data->manifest_digest);
  hatake_manifest_free (data->manifest);
  hatake_image_config_free (data->config);
  g_clear_pointer (&data->chain_ids, g_ptr_array_unref);
  g_clear_pointer (&data->new_blobs, g_ptr_array_unref);
  g_clear_pointer (&data->new_layers, g_ptr_array_unref);
  g_clear_pointer (&data->pinned, g_ptr_array_unref);
  g_clear_error (&data->error);
  g_free (data);
}

/* What this pull needs is held in the store until its image references it. */
static void
pull_pin (HatakeLocalEngine *self, PullData *data, const char *digest)
{
  hatake_store_hold (self->store, digest);
  g_ptr_array_add (data->pinned, g_strdup (digest));
}

static void
pull_unpin_all (HatakeLocalEngine *self, PullData *data)
{
  for (guint i = 0; i < data->pinned->len; i++)
    hatake_store_release (self->store, g_ptr_array_index (data->pinned, i));
  g_ptr_array_set_size (data->pinned, 0);
}

static GStrv
ptr_array_to_strv (GPtrArray *digests)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; i < digests->len; i++)
    g_strv_builder_add (b, g_ptr_array_index (digests, i));
  return g_strv_builder_end (b);
}

typedef struct
{
  HatakeStore *store;
  GStrv        blobs;
  GStrv        layers;
} CleanupData;

static void
cleanup_data_free (CleanupData *data)
{
  g_object_unref (data->store);
  g_strfreev (data->blobs);
  g_strfreev (data->layers);
  g_free (data);
}

static void
cleanup_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  CleanupData *data = task_data;

  hatake_store_remove_unreferenced (data->store, (const char * const *) data->blobs,
                                    (const char * const *) data->layers);
  g_task_return_boolean (task, TRUE);
}

static void
on_cleaned_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PullData *data = g_task_get_task_data (task);

  g_task_return_error (task, g_steal_pointer (&data->error));
}

/* Every failure ends here, once nothing of the pull runs any more. A cancelled pull keeps what
 * it fetched, so the next one resumes; a refused one (bad digest, hostile layer, …) drops it. */
static void
pull_fail (GTask *task)
{
  HatakeLocalEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  CleanupData *cleanup;
  g_autoptr(GTask) cleanup_task = NULL;

  g_assert (data->error != NULL);
  g_assert (data->pending == 0);

  pull_unpin_all (self, data);
  hatake_pull_set_status (data->progress, data->error->message);
  if (g_error_matches (data->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      (data->new_blobs->len == 0 && data->new_layers->len == 0))
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      g_object_unref (task);
      return;
    }
  cleanup = g_new0 (CleanupData, 1);
  cleanup->store = g_object_ref (self->store);
  cleanup->blobs = ptr_array_to_strv (data->new_blobs);
  cleanup->layers = ptr_array_to_strv (data->new_layers);
  cleanup_task = g_task_new (self, NULL, on_cleaned_up, task);
  g_task_set_source_tag (cleanup_task, pull_fail);
  g_task_set_task_data (cleanup_task, cleanup, (GDestroyNotify) cleanup_data_free);
  g_task_run_in_thread (cleanup_task, cleanup_thread);
}

static void
pull_set_error (PullData *data, GError *error)
{
  if (data->error == NULL)
    {
      data->error = error;
      g_cancellable_cancel (data->cancellable);
    }
  else
    g_error_free (error);
}

typedef struct
{
  HatakeStore       *store;
  HatakeImageRecord *record;
  GBytes            *index_bytes;
  char              *index_digest;
  GBytes            *manifest_bytes;
  char              *manifest_digest;
} CommitData;

static void
commit_data_free (CommitData *data)
{
  g_object_unref (data->store);
  hatake_image_record_free (data->record);
  g_clear_pointer (&data->index_bytes, g_bytes_unref);
  g_free (data->index_digest);
  g_clear_pointer (&data->manifest_bytes, g_bytes_unref);
  g_free (data->manifest_digest);
  g_free (data);
}

static void
commit_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  CommitData *data = task_data;
  GError *error = NULL;

  if ((data->index_bytes == NULL ||
       hatake_store_write_blob (data->store, data->index_digest, data->index_bytes, &error)) &&
      hatake_store_write_blob (data->store, data->manifest_digest, data->manifest_bytes, &error) &&
      hatake_store_add_image (data->store, data->record, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_committed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeLocalEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  GError *error = NULL;
  HatakeImage *image;
  g_autofree char *status = NULL;
  g_autofree char *name = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      data->error = error;
      pull_fail (g_steal_pointer (&task));
      return;
    }
  pull_unpin_all (self, data);
  _hatake_local_engine_refresh_images (self);
  image = _hatake_local_engine_find_image (self, data->manifest->config->digest);
  name = hatake_reference_to_string (data->ref);
  if (image == NULL)
    {
      /* (an rmi of the same image between the commit and now) */
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                               _("image %s was removed while it was being pulled"), name);
      return;
    }
  hatake_pull_set_digest (data->progress, data->index_digest ? data->index_digest : data->manifest_digest);
  status = g_strdup_printf ("Downloaded newer image for %s", name);
  hatake_pull_set_status (data->progress, status);
  g_task_return_pointer (task, image, g_object_unref);
}

static void
pull_commit (GTask *task)
{
  HatakeLocalEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  g_autoptr(GTask) commit_task = NULL;
  g_autoptr(GStrvBuilder) blobs = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) layers = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) diff_ids = g_strv_builder_new ();
  g_autofree char *tag = hatake_reference_with_tag (data->ref);
  g_autofree char *name = hatake_reference_familiar_name (data->ref);
  CommitData *commit = g_new0 (CommitData, 1);
  HatakeImageRecord *r = g_new0 (HatakeImageRecord, 1);
  const char *tags[] = { tag, NULL };
  g_autofree char *repo_digest = g_strconcat (name, "@", data->index_digest ? data->index_digest : data->manifest_digest, NULL);
  const char *digests[] = { repo_digest, NULL };

  hatake_pull_set_status (data->progress, "Writing image");
  pull_pin (self, data, data->manifest_digest);
  if (data->index_digest)
    pull_pin (self, data, data->index_digest);
  if (data->index_digest)
    g_strv_builder_add (blobs, data->index_digest);
  g_strv_builder_add (blobs, data->manifest_digest);
  g_strv_builder_add (blobs, data->manifest->config->digest);
  for (guint i = 0; i < data->manifest->layers->len; i++)
    {
      HatakeDescriptor *d = g_ptr_array_index (data->manifest->layers, i);
      g_strv_builder_add (blobs, d->digest);
      g_strv_builder_add (layers, g_ptr_array_index (data->chain_ids, i));
      g_strv_builder_add (diff_ids, g_ptr_array_index (data->config->diff_ids, i));
      r->size += hatake_store_get_layer_size (self->store, g_ptr_array_index (data->chain_ids, i));
    }
  r->id = g_strdup (data->manifest->config->digest);
  r->manifest_digest = g_strdup (data->manifest_digest);
  r->repo_tags = g_strdupv ((char **) (tag ? tags : tags + 1));
  r->repo_digests = g_strdupv ((char **) digests);
  r->layers = g_strv_builder_end (layers);
  r->diff_ids = g_strv_builder_end (diff_ids);
  r->blobs = g_strv_builder_end (blobs);
  r->created = data->config->created;
  r->os = g_strdup (data->config->os);
  r->architecture = g_strdup (data->config->architecture);
  r->variant = g_strdup (data->config->variant);

  commit->store = g_object_ref (self->store);
  commit->record = r;
  commit->index_bytes = data->index_bytes ? g_bytes_ref (data->index_bytes) : NULL;
  commit->index_digest = g_strdup (data->index_digest);
  commit->manifest_bytes = g_bytes_ref (data->manifest_bytes);
  commit->manifest_digest = g_strdup (data->manifest_digest);

  commit_task = g_task_new (self, NULL, on_committed, task);
  g_task_set_source_tag (commit_task, pull_commit);
  g_task_set_task_data (commit_task, commit, (GDestroyNotify) commit_data_free);
  g_task_run_in_thread (commit_task, commit_thread);
}

static void
on_layer_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PullData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!ensure_layer_finish (HATAKE_LOCAL_ENGINE (source), result, &error))
    pull_set_error (data, error);
  if (--data->pending > 0)
    return;
  if (data->error != NULL)
    pull_fail (g_steal_pointer (&task));
  else
    pull_commit (g_steal_pointer (&task));
}

typedef struct
{
  HatakeStore *store;
  char        *digest;
} ReadConfigData;

static void
read_config_data_free (ReadConfigData *data)
{
  g_object_unref (data->store);
  g_free (data->digest);
  g_free (data);
}

static void
read_config_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReadConfigData *data = task_data;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  HatakeImageConfig *config;

  bytes = hatake_store_read_blob (data->store, data->digest, HATAKE_MAX_CONFIG_SIZE, &error);
  if (bytes == NULL || (config = hatake_image_config_parse (bytes, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, config, (GDestroyNotify) hatake_image_config_free);
}

static void
on_config_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeLocalEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  GError *error = NULL;
  const char *parent = NULL;

  data->config = g_task_propagate_pointer (G_TASK (result), &error);
  if (data->config == NULL)
    {
      data->error = error;
      pull_fail (g_steal_pointer (&task));
      return;
    }
  if (data->config->diff_ids->len != data->manifest->layers->len)
    {
      data->error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                                 _("invalid image: the manifest lists %u layers but the config %u diff IDs"),
                                 data->manifest->layers->len, data->config->diff_ids->len);
      pull_fail (g_steal_pointer (&task));
      return;
    }

  data->chain_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < data->config->diff_ids->len; i++)
    {
      char *chain = hatake_chain_id (parent, g_ptr_array_index (data->config->diff_ids, i));
      g_ptr_array_add (data->chain_ids, chain);
      parent = chain;
    }

  hatake_pull_set_status (data->progress, "Pulling fs layers");
  data->pending = data->manifest->layers->len;
  if (data->pending == 0)
    {
      pull_commit (g_steal_pointer (&task));
      return;
    }
  for (guint i = 0; i < data->manifest->layers->len; i++)
    {
      HatakeDescriptor *d = g_ptr_array_index (data->manifest->layers, i);
      const char *chain = g_ptr_array_index (data->chain_ids, i);
      HatakePullLayer *layer = hatake_pull_find_layer (data->progress, d->digest);

      if (layer == NULL)
        layer = hatake_pull_add_layer (data->progress, d->digest, d->size);
      if (!hatake_store_has_layer (self->store, chain) && !g_hash_table_contains (self->layer_ops, chain))
        g_ptr_array_add (data->new_layers, g_strdup (chain));
      if (!hatake_store_has_blob (self->store, d->digest))
        g_ptr_array_add (data->new_blobs, g_strdup (d->digest));
      pull_pin (self, data, chain);
      pull_pin (self, data, d->digest);
      ensure_layer_async (self, data->registry, data->ref, d, g_ptr_array_index (data->config->diff_ids, i), chain, layer,
                          data->cancellable, on_layer_ready, g_object_ref (task));
    }
}

static void
pull_read_config (GTask *task)
{
  HatakeLocalEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  g_autoptr(GTask) read_task = NULL;
  ReadConfigData *read;

  read = g_new0 (ReadConfigData, 1);
  read->store = g_object_ref (self->store);
  read->digest = g_strdup (data->manifest->config->digest);
  read_task = g_task_new (self, data->cancellable, on_config_read, task);
  g_task_set_source_tag (read_task, pull_read_config);
  g_task_set_task_data (read_task, read, (GDestroyNotify) read_config_data_free);
  g_task_run_in_thread (read_task, read_config_thread);
}

static void
on_config_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  PullData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!fetch_blob_finish (HATAKE_LOCAL_ENGINE (source), result, &error))
    {
      data->error = error;
      pull_fail (task);
      return;
    }
  pull_read_config (task);
}

static void on_manifest_fetched (GObject *source, GAsyncResult *result, gpointer user_data);

static void
pull_handle_manifest (GTask *task, GBytes *bytes, const char *media_type, const char *digest)
{
  HatakeLocalEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  g_autoptr(HatakeManifest) manifest = NULL;
  GError *error = NULL;
  const HatakeDescriptor *config;

  manifest = hatake_manifest_parse (bytes, media_type, &error);
  if (manifest == NULL)
    {
      data->error = error;
      pull_fail (task);
      return;
    }

  if (manifest->is_index)
    {
      const HatakeDescriptor *chosen;
      g_autoptr(HatakeReference) by_digest = NULL;

      if (data->index_digest != NULL)
        {
          data->error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                                     _("invalid manifest: the index %s points at another index"), digest);
          pull_fail (task);
          return;
        }
      chosen = hatake_manifest_select_platform (manifest, data->platform, &error);
      if (chosen == NULL)
        {
          data->error = error;
          pull_fail (task);
          return;
        }
      data->index_bytes = g_bytes_ref (bytes);
      data->index_digest = g_strdup (digest);
      by_digest = hatake_reference_copy (data->ref);
      g_free (by_digest->digest);
      by_digest->digest = g_strdup (chosen->digest);
      hatake_registry_get_manifest_async (data->registry, by_digest, data->cancellable,
                                          on_manifest_fetched, task);
      return;
    }

  data->manifest_bytes = g_bytes_ref (bytes);
  data->manifest_digest = g_strdup (digest);
  data->manifest = g_steal_pointer (&manifest);
  config = data->manifest->config;

  hatake_pull_set_status (data->progress, "Pulling config");
  pull_pin (self, data, config->digest);
  if (hatake_store_has_blob (self->store, config->digest))
    {
      pull_read_config (task);
      return;
    }
  /* dropped again only if this pull fails while no other one still needs it */
  g_ptr_array_add (data->new_blobs, g_strdup (config->digest));
  fetch_blob_async (self, data->registry, data->ref, config->digest, config->size, NULL, data->cancellable,
                    on_config_fetched, task);
}

static void
on_manifest_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  PullData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *media_type = NULL;
  g_autofree char *digest = NULL;
  GError *error = NULL;

  bytes = hatake_registry_get_manifest_finish (HATAKE_REGISTRY (source), result, &media_type, &digest, &error);
  if (bytes == NULL)
    {
      data->error = error;
      pull_fail (task);
      return;
    }
  pull_handle_manifest (task, bytes, media_type, digest);
}

static void
on_user_cancelled (GCancellable *user_cancellable,
                   GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

void
_hatake_local_engine_pull_async (HatakeEngine        *engine,
                                 const char          *reference,
                                 const char          *platform,
                                 HatakePull          *progress,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = NULL;
  PullData *data;
  GError *error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _hatake_local_engine_pull_async);

  data = g_new0 (PullData, 1);
  data->progress = progress ? g_object_ref (progress) : hatake_pull_new (reference);
  data->cancellable = g_cancellable_new ();
  data->new_blobs = g_ptr_array_new_with_free_func (g_free);
  data->new_layers = g_ptr_array_new_with_free_func (g_free);
  data->pinned = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify) pull_data_free);
  if (cancellable != NULL)
    {
      data->user_cancellable = g_object_ref (cancellable);
      data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_user_cancelled),
                                               data->cancellable, NULL);
    }

  data->ref = hatake_reference_parse (reference, &error);
  if (data->ref != NULL)
    data->platform = platform && *platform ? hatake_platform_parse (platform, &error) : hatake_platform_host ();
  if (data->ref == NULL || data->platform == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  hatake_pull_set_status (data->progress, "Resolving");
  data->registry = _hatake_local_engine_registry_for (self, data->ref, data->progress);
  hatake_registry_get_manifest_async (data->registry, data->ref, data->cancellable, on_manifest_fetched,
                                      g_steal_pointer (&task));
}

HatakeImage *
_hatake_local_engine_pull_finish (HatakeEngine  *engine,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
