/* hatake-layer.h: safe unpacking of image layers into overlayfs form
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 max_bytes;      /* most uncompressed bytes a layer may hold (decompression bombs) */
  guint64 max_entries;    /* most tar entries a layer may hold */
  guint   max_ratio;      /* most uncompressed bytes per compressed byte, 0 for no check */
} HatakeLayerLimits;

/* Called from the worker thread with the compressed bytes consumed so far. */
typedef void (*HatakeLayerProgressFunc) (guint64  compressed_done,
                                         gpointer user_data);

void     hatake_layer_limits_init_default (HatakeLayerLimits        *limits);

/* Blocking: run it in a worker thread. Unpacks the layer blob at blob_path (gzip, zstd or plain
 * tar, detected from its bytes) into dest_dir, an existing empty directory, turning whiteouts
 * (.wh.NAME, .wh..wh..opq) into overlayfs's form (0/0 character devices, the trusted.overlay.opaque
 * xattr). Every path is resolved inside dest_dir: entries that would escape it (../, absolute
 * paths, writes through symlinks, hardlinks to outside), malformed whiteouts and layers over the
 * limits fail with HATAKE_ERROR_UNSAFE_LAYER naming the entry. On success *out_diff_id is the
 * sha256 of the whole uncompressed stream and *out_size the bytes of the files unpacked.
 * Does not sync: the caller syncs once per layer. */
gboolean hatake_layer_unpack (const char               *blob_path,
                              const char               *dest_dir,
                              const HatakeLayerLimits  *limits,
                              HatakeLayerProgressFunc   progress,
                              gpointer                  progress_data,
                              char                    **out_diff_id,
                              guint64                  *out_size,
                              GCancellable             *cancellable,
                              GError                  **error);

/* Blocking: removes a directory tree without following symlinks, nor crossing into a filesystem
 * mounted below it (that fails with EBUSY, nothing of it removed). */
gboolean hatake_rm_rf        (const char               *path,
                              GError                  **error);

/* Whether dfd/path (path "" for dfd itself) is the root of a mount, its link not followed */
gboolean hatake_is_mount_root (int                       dfd,
                               const char               *path);

G_END_DECLS
