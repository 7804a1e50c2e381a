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

/* Called on the thread that started the download with the bytes of the blob now on disk
 * (including a resumed prefix). */
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

G_END_DECLS
