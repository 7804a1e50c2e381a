/* hatake-image.h: an image as the engine lists it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HATAKE_TYPE_IMAGE (hatake_image_get_type ())
G_DECLARE_FINAL_TYPE (HatakeImage, hatake_image, HATAKE, IMAGE, GObject)

HatakeImage        *hatake_image_new              (const char         *id);
const char         *hatake_image_get_id           (HatakeImage        *self);
char               *hatake_image_dup_short_id     (HatakeImage        *self);
const char * const *hatake_image_get_repo_tags    (HatakeImage        *self);
void                hatake_image_set_repo_tags    (HatakeImage        *self,
                                                   const char * const *tags);
const char * const *hatake_image_get_repo_digests (HatakeImage        *self);
void                hatake_image_set_repo_digests (HatakeImage        *self,
                                                   const char * const *digests);
gint64              hatake_image_get_size         (HatakeImage        *self);
void                hatake_image_set_size         (HatakeImage        *self,
                                                   gint64              size);
gint64              hatake_image_get_created      (HatakeImage        *self);
void                hatake_image_set_created      (HatakeImage        *self,
                                                   gint64              created);
const char         *hatake_image_get_architecture (HatakeImage        *self);
void                hatake_image_set_architecture (HatakeImage        *self,
                                                   const char         *architecture);
const char         *hatake_image_get_os           (HatakeImage        *self);
void                hatake_image_set_os           (HatakeImage        *self,
                                                   const char         *os);
gboolean            hatake_image_has_tag          (HatakeImage        *self,
                                                   const char         *tag);

G_END_DECLS
