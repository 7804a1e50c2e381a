/* hatake-digest.h: SHA-256 at hardware speed (nettle), for hashing while streaming
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HatakeHasher HatakeHasher;

HatakeHasher *hatake_hasher_new      (void);
void          hatake_hasher_update   (HatakeHasher *self,
                                      const void   *data,
                                      gsize         length);
guint64       hatake_hasher_get_length (HatakeHasher *self);
char         *hatake_hasher_finish   (HatakeHasher *self);
void          hatake_hasher_free     (HatakeHasher *self);
char         *hatake_sha256_data     (const void   *data,
                                      gsize         length);
char         *hatake_sha256_bytes    (GBytes       *bytes);
gboolean      hatake_sha256_file     (const char   *path,
                                      char        **out_digest,
                                      guint64      *out_size,
                                      GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeHasher, hatake_hasher_free)

G_END_DECLS
