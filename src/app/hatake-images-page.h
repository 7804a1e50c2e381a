/* hatake-images-page.h: the list of images
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hatake-core.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_IMAGES_PAGE (hatake_images_page_get_type ())
G_DECLARE_FINAL_TYPE (HatakeImagesPage, hatake_images_page, HATAKE, IMAGES_PAGE, GtkWidget)

GtkWidget  *hatake_images_page_new       (void);
GListModel *hatake_images_page_get_model (HatakeImagesPage *self);
void        hatake_images_page_set_model (HatakeImagesPage *self,
                                          GListModel       *model);
HatakeEngine *hatake_images_page_get_engine (HatakeImagesPage *self);
void        hatake_images_page_set_engine (HatakeImagesPage *self,
                                           HatakeEngine     *engine);

/* What the page's actions open, for the tests. */
GtkWidget  *hatake_images_page_open_pull_dialog (HatakeImagesPage *self);
GtkWidget  *hatake_images_page_open_run_dialog  (HatakeImagesPage *self,
                                                 HatakeImage      *image);
GtkWidget  *hatake_images_page_confirm_delete   (HatakeImagesPage *self,
                                                 HatakeImage      *image);

/* Formatting shared with the cells, exposed for the tests. */
char       *hatake_images_format_repository (const char * const *repo_tags);
char       *hatake_images_format_tag        (const char * const *repo_tags);
char       *hatake_images_format_created    (gint64              created,
                                             gint64              now);

G_END_DECLS
