/* hatake-registry.c: a Registry HTTP API v2 client (libsoup3, fully async)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object, getting manifests, and the login check. Every HTTP exchange goes through the
 * request helper of hatake-registry-request.c (auth, redirects, retries), which answers
 * challenges with the credentials of hatake-registry-credentials.c (the auth file, credential
 * helpers); downloading blobs is in hatake-registry-blob.c, pushing in hatake-registry-push.c.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-proxy.h"
#include "hatake-registry-private.h"

#define DEFAULT_MAX_RETRIES   5

#define MANIFEST_ACCEPT \
  "application/vnd.oci.image.index.v1+json, " \
  "application/vnd.oci.image.manifest.v1+json, " \
  "application/vnd.docker.distribution.manifest.list.v2+json, " \
  "application/vnd.docker.distribution.manifest.v2+json, " \
  "application/vnd.docker.distribution.manifest.v1+prettyjws, " \
  "application/vnd.docker.distribution.manifest.v1+json"

G_DEFINE_FINAL_TYPE (HatakeRegistry, hatake_registry, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------------------------ */
/* Manifests                                                                                  */

typedef struct
{
  GBytes *bytes;
  char   *media_type;
  char   *digest;
} ManifestResult;

static void
manifest_result_free (ManifestResult *result)
{
  g_clear_pointer (&result->bytes, g_bytes_unref);
  g_free (result->media_type);
  g_free (result->digest);
  g_free (result);
}

typedef struct
{
  HatakeReference  *ref;
  RegistryResponse *response;
} ManifestData;

static void
manifest_data_free (gpointer data)
{
  ManifestData *md = data;

  g_clear_pointer (&md->ref, hatake_reference_free);
  g_clear_pointer (&md->response, _hatake_registry_response_free);
  g_free (md);
}

static char *
manifest_name (const HatakeReference *ref)
{
  g_autofree char *name = hatake_reference_familiar_name (ref);

  if (ref->digest != NULL)
    return g_strconcat (name, "@", ref->digest, NULL);
  return g_strconcat (name, ":", ref->tag ? ref->tag : HATAKE_DEFAULT_TAG, NULL);
}

static void
manifest_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ManifestData *md = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = _hatake_registry_read_capped_finish (result, &error);
  g_autofree char *name = manifest_name (md->ref);
  g_autofree char *digest = NULL;
  SoupMessageHeaders *headers;
  const char *content_type;
  const char *header_digest;
  ManifestResult *out;

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                                 _("the manifest for %s is larger than %d bytes"), name,
                                 HATAKE_MAX_MANIFEST_SIZE);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  headers = soup_message_get_response_headers (md->response->msg);
  digest = hatake_sha256_bytes (bytes);
  header_digest = soup_message_headers_get_one (headers, "Docker-Content-Digest");
  if (md->ref->digest != NULL && !g_str_equal (md->ref->digest, digest))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                               _("the manifest for %s hashes to %s"), name, digest);
      return;
    }
  if (md->ref->digest == NULL && header_digest != NULL)
    {
      g_autofree char *expected = g_strstrip (g_strdup (header_digest));

      if (g_str_has_prefix (expected, "sha256:") && !g_str_equal (expected, digest))
        {
          g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                                   _("the manifest for %s hashes to %s, but the registry says %s"),
                                   name, digest, expected);
          return;
        }
    }

  content_type = soup_message_headers_get_content_type (headers, NULL);
  out = g_new0 (ManifestResult, 1);
  out->bytes = g_steal_pointer (&bytes);
  out->media_type = g_strdup (content_type);
  out->digest = g_steal_pointer (&digest);
  g_task_return_pointer (task, out, (GDestroyNotify) manifest_result_free);
}

static void
manifest_response_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ManifestData *md = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  GCancellable *cancellable;

  md->response = _hatake_registry_request_finish (result, &error);
  if (md->response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  headers = soup_message_get_response_headers (md->response->msg);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > HATAKE_MAX_MANIFEST_SIZE)
    {
      g_autofree char *name = manifest_name (md->ref);
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                               "the manifest for %s is larger than %d bytes (%" G_GINT64_FORMAT ")",
                               name, HATAKE_MAX_MANIFEST_SIZE,
                               (gint64) soup_message_headers_get_content_length (headers));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  _hatake_registry_read_capped_async (md->response->stream, HATAKE_MAX_MANIFEST_SIZE, cancellable,
                                      manifest_read_cb, g_steal_pointer (&task));
}

void
hatake_registry_get_manifest_async (HatakeRegistry        *self,
                                    const HatakeReference *ref,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  ManifestData *md;
  RegistryRequest spec = {
    .kind = REGISTRY_REQUEST_MANIFEST,
    .accept = MANIFEST_ACCEPT,
  };

  g_return_if_fail (HATAKE_IS_REGISTRY (self));
  g_return_if_fail (ref != NULL && ref->domain != NULL && ref->path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_registry_get_manifest_async);
  md = g_new0 (ManifestData, 1);
  md->ref = hatake_reference_copy (ref);
  g_task_set_task_data (task, md, manifest_data_free);

  spec.object = ref->digest ? ref->digest : ref->tag ? ref->tag : HATAKE_DEFAULT_TAG;
  _hatake_registry_request_async (self, ref, &spec, cancellable, manifest_response_cb,
                                  g_steal_pointer (&task));
}

GBytes *
hatake_registry_get_manifest_finish (HatakeRegistry  *self,
                                     GAsyncResult    *result,
                                     char           **out_media_type,
                                     char           **out_digest,
                                     GError         **error)
{
  ManifestResult *manifest;
  GBytes *bytes;

  g_return_val_if_fail (HATAKE_IS_REGISTRY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hatake_registry_get_manifest_async, NULL);

  manifest = g_task_propagate_pointer (G_TASK (result), error);
  if (manifest == NULL)
    return NULL;
  if (out_media_type != NULL)
    *out_media_type = g_steal_pointer (&manifest->media_type);
  if (out_digest != NULL)
    *out_digest = g_steal_pointer (&manifest->digest);
  bytes = g_steal_pointer (&manifest->bytes);
  manifest_result_free (manifest);
  return bytes;
}

/* ------------------------------------------------------------------------------------------ */
/* Login                                                                                      */

static void
login_checked_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RegistryResponse) response = NULL;
  GError *error = NULL;

  response = _hatake_registry_request_finish (result, &error);
  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
hatake_registry_check_login_async (HatakeRegistry      *self,
                                   const char          *registry,
                                   const char          *username,
                                   const char          *password,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *pair = NULL;
  g_autofree char *credentials = NULL;
  RegistryRequest spec = {
    .kind = REGISTRY_REQUEST_PING,
    .registry = registry,
  };

  g_return_if_fail (HATAKE_IS_REGISTRY (self));
  g_return_if_fail (registry != NULL && *registry != '\0');
  g_return_if_fail (username != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_registry_check_login_async);
  pair = g_strconcat (username, ":", password ? password : "", NULL);
  credentials = g_base64_encode ((const guchar *) pair, strlen (pair));
  spec.credentials = credentials;
  _hatake_registry_request_async (self, NULL, &spec, cancellable, login_checked_cb,
                                  g_steal_pointer (&task));
}

gboolean
hatake_registry_check_login_finish (HatakeRegistry  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (HATAKE_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        hatake_registry_check_login_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* The object                                                                                 */

void
hatake_registry_set_insecure_registries (HatakeRegistry     *self,
                                         const char * const *hosts)
{
  g_return_if_fail (HATAKE_IS_REGISTRY (self));

  g_strfreev (self->insecure);
  self->insecure = g_strdupv ((char **) hosts);
}

void
hatake_registry_set_auth_file (HatakeRegistry *self,
                               const char     *path)
{
  g_return_if_fail (HATAKE_IS_REGISTRY (self));

  g_free (self->auth_file);
  self->auth_file = g_strdup (path);
  self->file_loaded = FALSE;
  g_hash_table_remove_all (self->file_credentials);
  g_hash_table_remove_all (self->cred_helpers);
  g_clear_pointer (&self->creds_store, g_free);
}

void
hatake_registry_set_credentials (HatakeRegistry *self,
                                 const char     *registry,
                                 const char     *username,
                                 const char     *password)
{
  g_autofree char *pair = NULL;

  g_return_if_fail (HATAKE_IS_REGISTRY (self));
  g_return_if_fail (registry != NULL);

  if (username == NULL)
    {
      g_autofree char *key = _hatake_registry_normalize (registry);
      g_hash_table_remove (self->credentials, key);
      return;
    }
  pair = g_strconcat (username, ":", password ? password : "", NULL);
  g_hash_table_replace (self->credentials, _hatake_registry_normalize (registry),
                        g_base64_encode ((const guchar *) pair, strlen (pair)));
  /* Tokens were issued for other credentials. */
  g_hash_table_remove_all (self->tokens);
}

void
hatake_registry_set_max_retries (HatakeRegistry *self,
                                 guint           max_retries)
{
  g_return_if_fail (HATAKE_IS_REGISTRY (self));

  self->max_retries = max_retries;
}

static void
hatake_registry_finalize (GObject *object)
{
  HatakeRegistry *self = HATAKE_REGISTRY (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->insecure, g_strfreev);
  g_clear_pointer (&self->auth_file, g_free);
  g_clear_pointer (&self->credentials, g_hash_table_unref);
  g_clear_pointer (&self->file_credentials, g_hash_table_unref);
  g_clear_pointer (&self->cred_helpers, g_hash_table_unref);
  g_clear_pointer (&self->creds_store, g_free);
  g_clear_pointer (&self->tokens, g_hash_table_unref);
  g_clear_pointer (&self->basic_hosts, g_hash_table_unref);

  G_OBJECT_CLASS (hatake_registry_parent_class)->finalize (object);
}

static void
hatake_registry_class_init (HatakeRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_registry_finalize;
}

/* The HTTP session, made at the first request: every engine has a registry client, and most
 * commands never reach a registry (a SoupSession's making, with libsoup's types, cost a one-shot
 * `run --rm` 1–2 ms, perf stat) */
SoupSession *
_hatake_registry_session (HatakeRegistry *self)
{
  g_autoptr(GProxyResolver) proxies = NULL;

  if (self->session != NULL)
    return self->session;
  proxies = hatake_proxy_resolver_new_from_env ();
  /* libsoup's default of two connections per host would serialize a pull's parallel layer
   * downloads (three by default, up to 32 by configuration) into waves. */
  self->session = soup_session_new_with_options ("user-agent", "hatake/" PACKAGE_VERSION,
                                                 "max-conns-per-host", 32, "max-conns", 64,
                                                 "proxy-resolver", proxies, NULL);
  /* We answer challenges ourselves (tokens are per repository), and blobs must arrive as the
   * registry stores them: no transparent decoding, which would also break byte ranges. */
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_AUTH_MANAGER);
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_CONTENT_DECODER);
  return self->session;
}

static void
hatake_registry_init (HatakeRegistry *self)
{
  hatake_soup_ensure ();
  self->credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->file_credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cred_helpers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        _hatake_registry_token_free);
  self->basic_hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_retries = DEFAULT_MAX_RETRIES;
}

HatakeRegistry *
hatake_registry_new (void)
{
  return g_object_new (HATAKE_TYPE_REGISTRY, NULL);
}
