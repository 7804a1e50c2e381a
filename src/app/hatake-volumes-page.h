/* hatake-volumes-page.h: the list of volumes, and creating, deleting and pruning them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_VOLUMES_PAGE (hatake_volumes_page_get_type ())
G_DECLARE_FINAL_TYPE (HatakeVolumesPage, hatake_volumes_page, HATAKE, VOLUMES_PAGE, GtkWidget)

GtkWidget    *hatake_volumes_page_new                (HatakeEngine      *engine);
HatakeEngine *hatake_volumes_page_get_engine         (HatakeVolumesPage *self);
void          hatake_volumes_page_set_engine         (HatakeVolumesPage *self,
                                                      HatakeEngine      *engine);
GListModel   *hatake_volumes_page_get_model          (HatakeVolumesPage *self);
void          hatake_volumes_page_refresh            (HatakeVolumesPage *self);
GtkWidget    *hatake_volumes_page_open_create_dialog (HatakeVolumesPage *self);
GtkWidget    *hatake_volumes_page_confirm_delete     (HatakeVolumesPage *self,
                                                      const char        *name);
GtkWidget    *hatake_volumes_page_confirm_prune      (HatakeVolumesPage *self);
/* Read-only: a window listing the volume's files */
GtkWidget    *hatake_volumes_page_browse             (HatakeVolumesPage *self,
                                                      const char        *name);
/* The volume's files into a tar FILE, and back; a toast says how it went */
void          hatake_volumes_page_export             (HatakeVolumesPage *self,
                                                      const char        *name,
                                                      GFile             *file);
void          hatake_volumes_page_import             (HatakeVolumesPage *self,
                                                      const char        *name,
                                                      GFile             *file);

G_END_DECLS
