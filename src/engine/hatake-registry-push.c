/* hatake-registry-push.c: uploading blobs and manifests, what docker push does
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A blob goes up in one monolithic PUT (POST an upload, then PUT the whole file to the location
 * the registry answers with), as docker does for layers: the registry hashes what arrives and
 * refuses bytes that do not match the digest, so nothing is hashed here. Every exchange asks for
 * a pull,push token.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-registry-private.h"

#define PROGRESS_INTERVAL_US  (50 * G_TIME_SPAN_MILLISECOND)

/* ------------------------------------------------------------------------------------------ */
/* Blobs                                                                                      */

typedef struct
{
  HatakeReference        *ref;
  char                   *digest;
  gint64                  size;
  GFile                  *file;
  HatakeBlobProgressFunc  progress;
  gpointer                progress_data;

  gint64                  last_progress;
  guint                   restarts;
  gboolean                exists;
} Upload;

static void
upload_free (gpointer data)
{
  Upload *upload = data;

  g_clear_pointer (&upload->ref, hatake_reference_free);
  g_free (upload->digest);
  g_clear_object (&upload->file);
  g_free (upload);
}

static void upload_start (GTask *task);

static void
upload_report (Upload   *upload,
               gint64    sent,
               gboolean  force)
{
  gint64 now;

  if (upload->progress == NULL)
    return;
  now = g_get_monotonic_time ();
  if (!force && now - upload->last_progress < PROGRESS_INTERVAL_US)
    return;
  upload->last_progress = now;
  upload->progress (sent, upload->size, upload->progress_data);
}

static void
upload_sent_cb (gint64   sent,
                gpointer user_data)
{
  upload_report (user_data, sent, FALSE);
}

static void
upload_put_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeRegistry *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(RegistryResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *retry_after = NULL;
  const char *header;
  g_autofree char *stored = NULL;

  response = _hatake_registry_request_finish (result, &error);
  if (response == NULL)
    {
      gboolean retry = _hatake_registry_request_can_retry (result, &retry_after);

      if (retry && upload->restarts >= self->max_retries)
        {
          g_autofree char *name = hatake_reference_familiar_name (upload->ref);

          g_prefix_error (&error, "Uploading blob %s of %s failed after %u retries: ",
                          upload->digest, name, upload->restarts);
        }
      if (!retry || upload->restarts >= self->max_retries)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* The upload the registry had started may have ended with the failure: a new one. */
      g_debug ("Upload of blob %s failed, starting over: %s", upload->digest, error->message);
      _hatake_registry_retry_after (_hatake_registry_backoff_ms (upload->restarts++, retry_after),
                                    g_steal_pointer (&task), upload_start);
      return;
    }

  header = soup_message_headers_get_one (soup_message_get_response_headers (response->msg),
                                         "Docker-Content-Digest");
  stored = g_strstrip (g_strdup (header ? header : upload->digest));
  if (!g_str_equal (stored, upload->digest))
    {
      g_autofree char *name = hatake_reference_familiar_name (upload->ref);

      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                               _("the registry stored blob %s of %s as %s"), upload->digest, name,
                               stored);
      return;
    }
  upload_report (upload, upload->size, TRUE);
  g_task_return_boolean (task, TRUE);
}

/* The location an upload answered with, plus the digest that completes it. */
static GUri *
upload_location (RegistryResponse  *response,
                 const char        *digest,
                 GError           **error)
{
  const char *location;
  g_autoptr(GUri) target = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *query = NULL;

  location = soup_message_headers_get_one (soup_message_get_response_headers (response->msg),
                                           "Location");
  if (location == NULL)
    return g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                        _("the registry %s started an upload without a Location"),
                        g_uri_get_host (response->uri)), NULL;
  /* Relative locations are allowed, and resolve against where the answer came from. */
  target = g_uri_parse_relative (response->uri, location, SOUP_HTTP_URI_FLAGS, error);
  if (target == NULL)
    return NULL;

  escaped = g_uri_escape_string (digest, NULL, FALSE);
  if (g_uri_get_query (target) != NULL && *g_uri_get_query (target) != '\0')
    query = g_strconcat (g_uri_get_query (target), "&digest=", escaped, NULL);
  else
    query = g_strconcat ("digest=", escaped, NULL);
  return g_uri_build (g_uri_get_flags (target), g_uri_get_scheme (target),
                      g_uri_get_userinfo (target), g_uri_get_host (target),
                      g_uri_get_port (target), g_uri_get_path (target), query,
                      g_uri_get_fragment (target));
}

static void
upload_started_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeRegistry *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(RegistryResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) location = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  RegistryRequest spec = {
    .kind = REGISTRY_REQUEST_UPLOAD,
    .method = SOUP_METHOD_PUT,
    .object = upload->digest,
    .push = TRUE,
    /* A failed PUT may have ended the upload on the registry's side: resending the same
     * location is no retry, starting over is. */
    .caller_retries = TRUE,
    .content_type = "application/octet-stream",
    .body_file = upload->file,
    .body_size = upload->size,
    .sent = upload_sent_cb,
    .sent_data = upload,
  };

  response = _hatake_registry_request_finish (result, &error);
  if (response != NULL)
    location = upload_location (response, upload->digest, &error);
  if (location == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  spec.location = location;
  upload_report (upload, 0, TRUE);
  _hatake_registry_request_async (self, upload->ref, &spec, cancellable, upload_put_cb,
                                  g_steal_pointer (&task));
}

static void
upload_start (GTask *task)
{
  HatakeRegistry *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  RegistryRequest spec = {
    .kind = REGISTRY_REQUEST_UPLOAD,
    .method = SOUP_METHOD_POST,
    .object = upload->digest,
    .push = TRUE,
  };

  _hatake_registry_request_async (self, upload->ref, &spec, g_task_get_cancellable (task),
                                  upload_started_cb, task);
}

static void
upload_head_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(RegistryResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  response = _hatake_registry_request_finish (result, &error);
  if (response != NULL)
    {
      upload->exists = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  upload_start (g_steal_pointer (&task));
}

static void
upload_queried_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeRegistry *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  RegistryRequest spec = {
    .kind = REGISTRY_REQUEST_BLOB,
    .method = SOUP_METHOD_HEAD,
    .object = upload->digest,
    .push = TRUE,
  };

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (upload->size >= 0 && g_file_info_get_size (info) != upload->size)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                               _("blob %s: %s has %" G_GINT64_FORMAT " bytes, expected %"
                               G_GINT64_FORMAT), upload->digest, g_file_peek_path (upload->file),
                               (gint64) g_file_info_get_size (info), upload->size);
      return;
    }
  upload->size = g_file_info_get_size (info);
  _hatake_registry_request_async (self, upload->ref, &spec, cancellable, upload_head_cb,
                                  g_steal_pointer (&task));
}

void
hatake_registry_put_blob_async (HatakeRegistry         *self,
                                const HatakeReference  *ref,
                                const char             *digest,
                                gint64                  size,
                                const char             *path,
                                HatakeBlobProgressFunc  progress,
                                gpointer                progress_data,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  Upload *upload;

  g_return_if_fail (HATAKE_IS_REGISTRY (self));
  g_return_if_fail (ref != NULL && ref->domain != NULL && ref->path != NULL);
  g_return_if_fail (digest != NULL);
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_registry_put_blob_async);
  upload = g_new0 (Upload, 1);
  upload->ref = hatake_reference_copy (ref);
  upload->digest = g_strdup (digest);
  upload->size = size;
  upload->file = g_file_new_for_path (path);
  upload->progress = progress;
  upload->progress_data = progress_data;
  g_task_set_task_data (task, upload, upload_free);

  if (!hatake_digest_is_valid (digest))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                               _("cannot push blob digest %s: only sha256 is supported"), digest);
      return;
    }
  g_file_query_info_async (upload->file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable, upload_queried_cb,
                           g_steal_pointer (&task));
}

gboolean
hatake_registry_put_blob_finish (HatakeRegistry  *self,
                                 GAsyncResult    *result,
                                 gboolean        *out_exists,
                                 GError         **error)
{
  Upload *upload;

  g_return_val_if_fail (HATAKE_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hatake_registry_put_blob_async, FALSE);

  upload = g_task_get_task_data (G_TASK (result));
  if (out_exists != NULL)
    *out_exists = upload->exists;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* Manifests                                                                                  */

static void
manifest_put_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *digest = g_task_get_task_data (task);
  g_autoptr(RegistryResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *header;

  response = _hatake_registry_request_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  header = soup_message_headers_get_one (soup_message_get_response_headers (response->msg),
                                         "Docker-Content-Digest");
  if (header != NULL)
    {
      g_autofree char *stored = g_strstrip (g_strdup (header));

      /* The registry must have stored the very bytes we sent, or what we tag is not ours. */
      if (!g_str_equal (stored, digest))
        {
          g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                                   _("the registry %s stored the manifest as %s, but the bytes "
                                   "sent hash to %s"), g_uri_get_host (response->uri), stored,
                                   digest);
          return;
        }
    }
  g_task_return_pointer (task, g_strdup (digest), g_free);
}

void
hatake_registry_put_manifest_async (HatakeRegistry        *self,
                                    const HatakeReference *ref,
                                    const char            *media_type,
                                    GBytes                *manifest,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *digest = NULL;
  RegistryRequest spec = {
    .kind = REGISTRY_REQUEST_MANIFEST,
    .method = SOUP_METHOD_PUT,
    .push = TRUE,
    .content_type = media_type,
    .body = manifest,
  };

  g_return_if_fail (HATAKE_IS_REGISTRY (self));
  g_return_if_fail (ref != NULL && ref->domain != NULL && ref->path != NULL);
  g_return_if_fail (media_type != NULL);
  g_return_if_fail (manifest != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_registry_put_manifest_async);
  digest = hatake_sha256_bytes (manifest);

  if (g_bytes_get_size (manifest) > HATAKE_MAX_MANIFEST_SIZE)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                               _("the manifest is larger than %d bytes"), HATAKE_MAX_MANIFEST_SIZE);
      return;
    }
  if (ref->digest != NULL && !g_str_equal (ref->digest, digest))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                               _("the manifest to push as %s hashes to %s"), ref->digest, digest);
      return;
    }

  spec.object = ref->digest ? ref->digest : ref->tag ? ref->tag : HATAKE_DEFAULT_TAG;
  g_task_set_task_data (task, g_steal_pointer (&digest), g_free);
  _hatake_registry_request_async (self, ref, &spec, cancellable, manifest_put_cb,
                                  g_steal_pointer (&task));
}

char *
hatake_registry_put_manifest_finish (HatakeRegistry  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (HATAKE_IS_REGISTRY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hatake_registry_put_manifest_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
