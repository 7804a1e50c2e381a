/* hatake-store.h: blobs by digest, unpacked layers by chain ID, and the image index
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hatake-layer.h"

G_BEGIN_DECLS

#define HATAKE_STORE_VERSION 1

typedef struct
{
  char   *id;               /* the config's digest */
  char   *manifest_digest;
  GStrv   repo_tags;        /* familiar "name:tag" */
  GStrv   repo_digests;     /* familiar "name@sha256:…" */
  GStrv   layers;           /* chain IDs, base first */
  GStrv   diff_ids;
  GStrv   blobs;            /* every blob the image holds on to: manifests, config, layers */
  gint64  size;             /* unpacked bytes of all layers */
  gint64  created;
  gint64  last_tag_time;
  char   *os;
  char   *architecture;
  char   *variant;
} HatakeImageRecord;

HatakeImageRecord *hatake_image_record_copy (const HatakeImageRecord *record);
void               hatake_image_record_free (HatakeImageRecord       *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeImageRecord, hatake_image_record_free)

#define HATAKE_TYPE_STORE (hatake_store_get_type ())
G_DECLARE_FINAL_TYPE (HatakeStore, hatake_store, HATAKE, STORE, GObject)

/* Everything below may block (file I/O, fsync): the engine calls it from worker threads, except
 * the path builders and lookups in memory. All of it is thread-safe. */
HatakeStore       *hatake_store_open               (const char              *root,
                                                    GError                 **error);
HatakeStore       *hatake_store_open_full          (const char              *root,
                                                    gboolean                 create,
                                                    GError                 **error);
const char        *hatake_store_get_root           (HatakeStore             *self);

char              *hatake_store_blob_path          (HatakeStore             *self,
                                                    const char              *digest);
char              *hatake_store_blob_partial_path  (HatakeStore             *self,
                                                    const char              *digest);
gboolean           hatake_store_has_blob           (HatakeStore             *self,
                                                    const char              *digest);
GBytes            *hatake_store_read_blob          (HatakeStore             *self,
                                                    const char              *digest,
                                                    gsize                    max_size,
                                                    GError                 **error);
gboolean           hatake_store_write_blob         (HatakeStore             *self,
                                                    const char              *digest,
                                                    GBytes                  *bytes,
                                                    GError                 **error);

gboolean           hatake_store_has_layer          (HatakeStore             *self,
                                                    const char              *chain_id);
char              *hatake_store_layer_path         (HatakeStore             *self,
                                                    const char              *chain_id);
gint64             hatake_store_get_layer_size     (HatakeStore             *self,
                                                    const char              *chain_id);
gboolean           hatake_store_unpack_layer       (HatakeStore             *self,
                                                    const char              *blob_digest,
                                                    const char              *diff_id,
                                                    const char              *chain_id,
                                                    const HatakeLayerLimits *limits,
                                                    HatakeLayerProgressFunc  progress,
                                                    gpointer                 progress_data,
                                                    GCancellable            *cancellable,
                                                    GError                 **error);

GPtrArray         *hatake_store_list_images        (HatakeStore             *self);
HatakeImageRecord *hatake_store_get_image          (HatakeStore             *self,
                                                    const char              *id);
gboolean           hatake_store_add_image          (HatakeStore             *self,
                                                    const HatakeImageRecord *record,
                                                    GError                 **error);
gboolean           hatake_store_tag_image          (HatakeStore             *self,
                                                    const char              *id,
                                                    const char              *tag,
                                                    GError                 **error);
gboolean           hatake_store_untag_image        (HatakeStore             *self,
                                                    const char              *id,
                                                    const char              *tag,
                                                    GError                 **error);
gboolean           hatake_store_remove_image       (HatakeStore             *self,
                                                    const char              *id,
                                                    GPtrArray               *deleted_layers,
                                                    GError                 **error);
void               hatake_store_hold               (HatakeStore             *self,
                                                    const char              *digest);
void               hatake_store_release            (HatakeStore             *self,
                                                    const char              *digest);
gboolean           hatake_store_collect_garbage    (HatakeStore             *self,
                                                    GPtrArray               *deleted_layers,
                                                    GError                 **error);
void               hatake_store_remove_unreferenced (HatakeStore           *self,
                                                    const char * const      *blobs,
                                                    const char * const      *layers);
gint64             hatake_store_get_layers_size    (HatakeStore             *self);

G_END_DECLS
