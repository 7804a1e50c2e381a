/* hatake-registry.h: a Registry HTTP API v2 client (libsoup3, fully async)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hatake-reference.h"

G_BEGIN_DECLS

#define HATAKE_MAX_MANIFEST_SIZE (4 * 1024 * 1024)

#define HATAKE_TYPE_REGISTRY (hatake_registry_get_type ())
G_DECLARE_FINAL_TYPE (HatakeRegistry, hatake_registry, HATAKE, REGISTRY, GObject)

/* Called on the thread that started the transfer with the bytes of the blob now on disk
 * (including a resumed prefix), or sent so far (from 0 again when an upload starts over). */
typedef void (*HatakeBlobProgressFunc) (gint64   done,
                                        gint64   total,
                                        gpointer user_data);

HatakeRegistry *hatake_registry_new                      (void);
void            hatake_registry_set_insecure_registries  (HatakeRegistry          *self,
                                                          const char * const      *hosts);
void            hatake_registry_set_auth_file            (HatakeRegistry          *self,
                                                          const char              *path);
void            hatake_registry_set_credentials          (HatakeRegistry          *self,
                                                          const char              *registry,
                                                          const char              *username,
                                                          const char              *password);
void            hatake_registry_set_max_retries          (HatakeRegistry          *self,
                                                          guint                    max_retries);

/* Fetches a manifest by tag or digest (ref->digest wins over ref->tag). The bytes are verified
 * against the digest asked for, or against Docker-Content-Digest when fetched by tag; larger than
 * HATAKE_MAX_MANIFEST_SIZE is refused. */
void            hatake_registry_get_manifest_async       (HatakeRegistry          *self,
                                                          const HatakeReference   *ref,
                                                          GCancellable            *cancellable,
                                                          GAsyncReadyCallback      callback,
                                                          gpointer                 user_data);
GBytes         *hatake_registry_get_manifest_finish      (HatakeRegistry          *self,
                                                          GAsyncResult            *result,
                                                          char                   **out_media_type,
                                                          char                   **out_digest,
                                                          GError                 **error);

/* Streams a blob to partial_path while hashing it; resumes from what partial_path already holds
 * (Range), after a drop too. Only once its size and digest verified is it fsynced and renamed to
 * final_path. Retries 5xx and 429 with backoff, honouring Retry-After. */
void            hatake_registry_get_blob_async           (HatakeRegistry          *self,
                                                          const HatakeReference   *ref,
                                                          const char              *digest,
                                                          gint64                   size,
                                                          const char              *partial_path,
                                                          const char              *final_path,
                                                          HatakeBlobProgressFunc   progress,
                                                          gpointer                 progress_data,
                                                          GCancellable            *cancellable,
                                                          GAsyncReadyCallback      callback,
                                                          gpointer                 user_data);
gboolean        hatake_registry_get_blob_finish          (HatakeRegistry          *self,
                                                          GAsyncResult            *result,
                                                          GError                 **error);

/* Uploads the blob at path (size bytes; -1: the file's size) unless the repository has it:
 * HEAD first, and when it is there *out_exists is TRUE and nothing is sent ("Layer already
 * exists"). Else POSTs an upload and PUTs the file, streamed, to the location the registry
 * answers. The registry checks the digest; its refusal is the error, in its own words. 5xx and
 * 429 start the upload over, with backoff. */
void            hatake_registry_put_blob_async           (HatakeRegistry          *self,
                                                          const HatakeReference   *ref,
                                                          const char              *digest,
                                                          gint64                   size,
                                                          const char              *path,
                                                          HatakeBlobProgressFunc   progress,
                                                          gpointer                 progress_data,
                                                          GCancellable            *cancellable,
                                                          GAsyncReadyCallback      callback,
                                                          gpointer                 user_data);
gboolean        hatake_registry_put_blob_finish          (HatakeRegistry          *self,
                                                          GAsyncResult            *result,
                                                          gboolean                *out_exists,
                                                          GError                 **error);

/* PUTs a manifest under ref's digest, else its tag ("latest" without one); its blobs must be
 * in the repository already. Returns its digest: the sha256 of the bytes, which the registry's
 * Docker-Content-Digest must agree with. */
void            hatake_registry_put_manifest_async       (HatakeRegistry          *self,
                                                          const HatakeReference   *ref,
                                                          const char              *media_type,
                                                          GBytes                  *manifest,
                                                          GCancellable            *cancellable,
                                                          GAsyncReadyCallback      callback,
                                                          gpointer                 user_data);
char           *hatake_registry_put_manifest_finish      (HatakeRegistry          *self,
                                                          GAsyncResult            *result,
                                                          GError                 **error);

/* What docker login checks: GET /v2/ with these credentials (Basic, or a token fetched with
 * them for no repository). A registry that asks for none accepts any. The credentials, tokens
 * and auth file of the registry object are neither used nor changed: storing the credentials
 * that passed is the caller's business. */
void            hatake_registry_check_login_async        (HatakeRegistry          *self,
                                                          const char              *registry,
                                                          const char              *username,
                                                          const char              *password,
                                                          GCancellable            *cancellable,
                                                          GAsyncReadyCallback      callback,
                                                          gpointer                 user_data);
gboolean        hatake_registry_check_login_finish       (HatakeRegistry          *self,
                                                          GAsyncResult            *result,
                                                          GError                 **error);

G_END_DECLS
