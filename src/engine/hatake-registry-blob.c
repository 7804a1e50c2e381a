/* hatake-registry-blob.c: downloading a blob, hashed as it streams to disk, resumed with Range
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <unistd.h>

#include <gio/gfiledescriptorbased.h>

#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-registry-private.h"

#define BLOB_CHUNK            (128 * 1024)
#define PROGRESS_INTERVAL_US  (50 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  HatakeReference        *ref;
  char                   *digest;
  gint64                  size;
  GFile                  *partial;
  GFile                  *final;
  HatakeBlobProgressFunc  progress;
  gpointer                progress_data;

  HatakeHasher           *hasher;
  gint64                  offset;          /* bytes in partial, all hashed */
  GOutputStream          *out;
  RegistryResponse       *response;
  gint64                  response_length; /* -1: unknown */
  gint64                  response_read;
  guint                   drops;
  gint64                  last_progress;
  GBytes                  *chunk;
  GError                 *pending_error;
} Blob;

static void
blob_free (gpointer data)
{
  Blob *blob = data;

  g_clear_pointer (&blob->ref, hatake_reference_free);
  g_free (blob->digest);
  g_clear_object (&blob->partial);
  g_clear_object (&blob->final);
  g_clear_pointer (&blob->hasher, hatake_hasher_free);
  g_clear_object (&blob->out);  /* closes it; the partial file stays for the next attempt */
  g_clear_pointer (&blob->response, _hatake_registry_response_free);
  g_clear_pointer (&blob->chunk, g_bytes_unref);
  g_clear_error (&blob->pending_error);
  g_free (blob);
}

static void blob_request (GTask *task);
static void blob_read (GTask *task);

static void
blob_report (Blob     *blob,
             gboolean  force)
{
  gint64 now;

  if (blob->progress == NULL)
    return;
  now = g_get_monotonic_time ();
  if (!force && now - blob->last_progress < PROGRESS_INTERVAL_US)
    return;
  blob->last_progress = now;
  blob->progress (blob->offset, blob->size, blob->progress_data);
}

/* In a thread: hash what partial_path already holds and open it for appending. */
static void
blob_prepare_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  Blob *blob = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autofree guchar *buffer = NULL;

  blob->hasher = hatake_hasher_new ();
  blob->offset = 0;

  in = g_file_read (blob->partial, cancellable, &error);
  if (in != NULL)
    {
      gssize n;

      buffer = g_malloc (1024 * 1024);
      while ((n = g_input_stream_read (G_INPUT_STREAM (in), buffer, 1024 * 1024, cancellable,
                                       &error)) > 0)
        {
          hatake_hasher_update (blob->hasher, buffer, n);
          blob->offset += n;
        }
      if (n < 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);

  if (blob->size >= 0 && blob->offset > blob->size)
    {
      /* More than the blob can hold: start over. */
      g_clear_pointer (&blob->hasher, hatake_hasher_free);
      blob->hasher = hatake_hasher_new ();
      blob->offset = 0;
      out = g_file_replace (blob->partial, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &error);
    }
  else
    out = g_file_append_to (blob->partial, G_FILE_CREATE_NONE, cancellable, &error);
  if (out == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  blob->out = G_OUTPUT_STREAM (g_steal_pointer (&out));
  g_task_return_boolean (task, TRUE);
}

/* In a thread: make the verified bytes durable, then give them their final name. */
static void
blob_commit_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Blob *blob = task_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_flush (blob->out, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (G_IS_FILE_DESCRIPTOR_BASED (blob->out)
      && fdatasync (g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (blob->out))) != 0)
    {
      int saved = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("Cannot sync %s: %s"), g_file_peek_path (blob->partial),
                               g_strerror (saved));
      return;
    }
  if (!g_output_stream_close (blob->out, NULL, &error)
      || !g_file_move (blob->partial, blob->final,
                       G_FILE_COPY_OVERWRITE | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                       NULL, NULL, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
blob_committed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *inner = G_TASK (result);
  g_autoptr(GTask) task = g_object_steal_data (G_OBJECT (inner), "hatake-outer");
  Blob *blob = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (inner, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  blob_report (blob, TRUE);
  g_task_return_boolean (task, TRUE);
}

static void
blob_deleted_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Blob *blob = g_task_get_task_data (task);

  g_file_delete_finish (G_FILE (object), result, NULL);
  g_task_return_error (task, g_steal_pointer (&blob->pending_error));
}

/* Bytes that do not verify are worthless: drop them so that a retry starts clean. */
static void
blob_fail_mismatch (GTask  *task,
                    GError *error)
{
  Blob *blob = g_task_get_task_data (task);

  g_clear_pointer (&blob->response, _hatake_registry_response_free);
  g_clear_object (&blob->out);
  g_clear_error (&blob->pending_error);
  blob->pending_error = error;
  g_file_delete_async (blob->partial, G_PRIORITY_DEFAULT, NULL, blob_deleted_cb, task);
}

static void
blob_complete (GTask *task)
{
  Blob *blob = g_task_get_task_data (task);
  g_autofree char *computed = hatake_hasher_finish (blob->hasher);
  g_autofree char *name = hatake_reference_familiar_name (blob->ref);
  GTask *inner;

  g_clear_pointer (&blob->hasher, hatake_hasher_free);
  g_clear_pointer (&blob->response, _hatake_registry_response_free);

  if (blob->size >= 0 && blob->offset != blob->size)
    {
      blob_fail_mismatch (task, g_error_new (HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                                             "blob %s of %s has %" G_GINT64_FORMAT
                                             " bytes, expected %" G_GINT64_FORMAT,
                                             blob->digest, name, blob->offset, blob->size));
      return;
    }
  if (!g_str_equal (computed, blob->digest))
    {
      blob_fail_mismatch (task, g_error_new (HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                                             _("blob %s of %s hashes to %s"),
                                             blob->digest, name, computed));
      return;
    }

  /* The commit must run to its end once started (a half-renamed blob helps no one), so it
   * does not take the cancellable. */
  inner = g_task_new (NULL, NULL, blob_committed_cb, NULL);
  g_task_set_source_tag (inner, blob_commit_thread);
  g_task_set_task_data (inner, blob, NULL);
  g_object_set_data_full (G_OBJECT (inner), "hatake-outer", task, g_object_unref);
  g_task_run_in_thread (inner, blob_commit_thread);
  g_object_unref (inner);
}

/* The connection dropped mid-body: carry on from what we have, with Range. */
static void
blob_dropped (GTask  *task,
              GError *error)
{
  HatakeRegistry *self = g_task_get_source_object (task);
  Blob *blob = g_task_get_task_data (task);

  g_clear_pointer (&blob->response, _hatake_registry_response_free);
  if (blob->drops >= self->max_retries)
    {
      g_autofree char *name = hatake_reference_familiar_name (blob->ref);

      g_prefix_error (&error, "Downloading blob %s of %s failed after %u retries: ",
                      blob->digest, name, blob->drops);
      g_task_return_error (task, error);
      return;
    }
  g_debug ("Blob %s dropped at %" G_GINT64_FORMAT " bytes: %s", blob->digest, blob->offset,
           error->message);
  g_error_free (error);
  _hatake_registry_retry_after (_hatake_registry_backoff_ms (blob->drops++, NULL), task, blob_request);
}

static void
blob_written_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Blob *blob = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gsize length = g_bytes_get_size (blob->chunk);

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  hatake_hasher_update (blob->hasher, g_bytes_get_data (blob->chunk, NULL), length);
  g_clear_pointer (&blob->chunk, g_bytes_unref);
  blob->offset += length;
  blob->response_read += length;
  blob_report (blob, FALSE);
  blob_read (g_steal_pointer (&task));
}

static void
blob_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Blob *blob = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  GCancellable *cancellable;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        blob_dropped (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  length = g_bytes_get_size (bytes);
  if (length == 0)
    {
      gboolean complete_response = blob->response_length < 0
        || blob->response_read >= blob->response_length;

      /* A body that ended before its Content-Length, or before the size we know, is a drop
       * unless the registry sent all it meant to. */
      if (!complete_response
          || (blob->size >= 0 && blob->offset < blob->size && blob->response_length < 0))
        blob_dropped (g_steal_pointer (&task),
                      g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                   "the connection closed after %" G_GINT64_FORMAT " bytes",
                                   blob->offset));
      else
        blob_complete (g_steal_pointer (&task));
      return;
    }

  if (blob->size >= 0 && blob->offset + (gint64) length > blob->size)
    {
      g_autofree char *name = hatake_reference_familiar_name (blob->ref);

      blob_fail_mismatch (g_steal_pointer (&task),
                          g_error_new (HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                                       "blob %s of %s is larger than %" G_GINT64_FORMAT " bytes",
                                       blob->digest, name, blob->size));
      return;
    }

  blob->chunk = g_steal_pointer (&bytes);
  cancellable = g_task_get_cancellable (task);
  g_output_stream_write_all_async (blob->out, g_bytes_get_data (blob->chunk, NULL), length,
                                   G_PRIORITY_DEFAULT, cancellable, blob_written_cb,
                                   g_steal_pointer (&task));
}

static void
blob_read (GTask *task)
{
  Blob *blob = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (blob->response->stream, BLOB_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), blob_read_cb, task);
}

static void
blob_replaced_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Blob *blob = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GFileOutputStream *out;

  out = g_file_replace_finish (G_FILE (object), result, &error);
  if (out == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  blob->out = G_OUTPUT_STREAM (out);
  if (blob->response != NULL)
    blob_read (g_steal_pointer (&task));
  else
    blob_request (g_steal_pointer (&task));
}

/* Throws away what partial_path holds; then reads the current response, or asks again. */
static void
blob_restart (GTask *task)
{
  Blob *blob = g_task_get_task_data (task);

  g_clear_object (&blob->out);
  g_clear_pointer (&blob->hasher, hatake_hasher_free);
  blob->hasher = hatake_hasher_new ();
  blob->offset = 0;
  g_file_replace_async (blob->partial, NULL, FALSE, G_FILE_CREATE_NONE, G_PRIORITY_DEFAULT,
                        g_task_get_cancellable (task), blob_replaced_cb, task);
}

static void
blob_response_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Blob *blob = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  guint status;

  blob->response = _hatake_registry_request_finish (result, &error);
  if (blob->response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (blob->response->msg);
  headers = soup_message_get_response_headers (blob->response->msg);
  blob->response_read = 0;
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    blob->response_length = soup_message_headers_get_content_length (headers);
  else
    blob->response_length = -1;

  if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE)
    {
      /* What we hold is not a prefix the registry knows: start over. */
      g_clear_pointer (&blob->response, _hatake_registry_response_free);
      if (blob->drops++ >= HATAKE_REGISTRY (g_task_get_source_object (task))->max_retries)
        {
          g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                                   _("the registry refuses every range of blob %s"), blob->digest);
          return;
        }
      blob_restart (g_steal_pointer (&task));
      return;
    }

  if (status == SOUP_STATUS_PARTIAL_CONTENT)
    {
      goffset start = -1, end = -1, total = -1;

      if (!soup_message_headers_get_content_range (headers, &start, &end, &total)
          || start != blob->offset)
        {
          g_debug ("Blob %s: Content-Range starts at %" G_GINT64_FORMAT ", asked %" G_GINT64_FORMAT,
                   blob->digest, (gint64) start, blob->offset);
          g_clear_pointer (&blob->response, _hatake_registry_response_free);
          /* (from the start there is nothing to restart: asking again gets the same answer) */
          if (blob->offset == 0 || blob->drops++ >= HATAKE_REGISTRY (g_task_get_source_object (task))->max_retries)
            {
              g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                                       _("the registry answered blob %s with a part (206) that does not start "
                                         "where it was asked to (%" G_GINT64_FORMAT ")"),
                                       blob->digest, blob->offset);
              return;
            }
          blob_restart (g_steal_pointer (&task));
          return;
        }
    }
  else if (blob->offset > 0)
    {
      /* The registry ignored Range and sends the whole blob. */
      blob_restart (g_steal_pointer (&task));
      return;
    }

  blob_read (g_steal_pointer (&task));
}

static void
blob_request (GTask *task)
{
  HatakeRegistry *self = g_task_get_source_object (task);
  Blob *blob = g_task_get_task_data (task);
  RegistryRequest spec = {
    .kind = REGISTRY_REQUEST_BLOB,
    .object = blob->digest,
    .range_start = blob->offset,
  };

  _hatake_registry_request_async (self, blob->ref, &spec, g_task_get_cancellable (task),
                                  blob_response_cb, task);
}

static void
blob_prepared_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *inner = G_TASK (result);
  g_autoptr(GTask) task = g_object_steal_data (G_OBJECT (inner), "hatake-outer");
  Blob *blob = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (inner, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (blob->offset > 0)
    blob_report (blob, TRUE);
  if (blob->size >= 0 && blob->offset == blob->size)
    blob_complete (g_steal_pointer (&task));
  else
    blob_request (g_steal_pointer (&task));
}

void
hatake_registry_get_blob_async (HatakeRegistry         *self,
                                const HatakeReference  *ref,
                                const char             *digest,
                                gint64                  size,
                                const char             *partial_path,
                                const char             *final_path,
                                HatakeBlobProgressFunc  progress,
                                gpointer                progress_data,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  GTask *inner;
  Blob *blob;

  g_return_if_fail (HATAKE_IS_REGISTRY (self));
  g_return_if_fail (ref != NULL && ref->domain != NULL && ref->path != NULL);
  g_return_if_fail (digest != NULL);
  g_return_if_fail (partial_path != NULL && final_path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_registry_get_blob_async);
  blob = g_new0 (Blob, 1);
  blob->ref = hatake_reference_copy (ref);
  blob->digest = g_strdup (digest);
  blob->size = size;
  blob->partial = g_file_new_for_path (partial_path);
  blob->final = g_file_new_for_path (final_path);
  blob->progress = progress;
  blob->progress_data = progress_data;
  blob->response_length = -1;
  g_task_set_task_data (task, blob, blob_free);

  if (!hatake_digest_is_valid (digest))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                               _("cannot verify blob digest %s: only sha256 is supported"), digest);
      return;
    }

  /* Hashing what a previous attempt left is blocking file I/O: a worker does it. The inner
   * task carries the outer one, and shares its data. */
  inner = g_task_new (NULL, cancellable, blob_prepared_cb, NULL);
  g_task_set_source_tag (inner, blob_prepare_thread);
  g_task_set_task_data (inner, blob, NULL);
  g_object_set_data_full (G_OBJECT (inner), "hatake-outer", g_steal_pointer (&task),
                          g_object_unref);
  g_task_run_in_thread (inner, blob_prepare_thread);
  g_object_unref (inner);
}

gboolean
hatake_registry_get_blob_finish (HatakeRegistry  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (HATAKE_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hatake_registry_get_blob_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
