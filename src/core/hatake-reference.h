/* hatake-reference.h: image references, parsed and normalized as docker does
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HATAKE_DEFAULT_DOMAIN "docker.io"
#define HATAKE_DEFAULT_TAG "latest"

typedef struct _HatakeReference HatakeReference;

struct _HatakeReference
{
  char *domain;   /* "docker.io", "127.0.0.1:5000", … */
  char *path;     /* "library/busybox" */
  char *tag;      /* NULL when only a digest was given */
  char *digest;   /* "sha256:<64 hex>" or NULL */
};

#define HATAKE_TYPE_REFERENCE (hatake_reference_get_type ())
GType             hatake_reference_get_type      (void) G_GNUC_CONST;

HatakeReference  *hatake_reference_parse         (const char             *text,
                                                  GError                **error);
HatakeReference  *hatake_reference_copy          (const HatakeReference  *self);
void              hatake_reference_free          (HatakeReference        *self);
char             *hatake_reference_to_string     (const HatakeReference  *self);
char             *hatake_reference_repository    (const HatakeReference  *self);
char             *hatake_reference_familiar_name (const HatakeReference  *self);
char             *hatake_reference_with_tag      (const HatakeReference  *self);
const char       *hatake_reference_registry_host (const HatakeReference  *self);
gboolean          hatake_digest_is_valid         (const char             *digest);
gboolean          hatake_string_is_image_id      (const char             *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeReference, hatake_reference_free)

G_END_DECLS
