/* hatake-networks-page.h: the list of networks, and creating, deleting, connecting and
 * disconnecting
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_NETWORKS_PAGE (hatake_networks_page_get_type ())
G_DECLARE_FINAL_TYPE (HatakeNetworksPage, hatake_networks_page, HATAKE, NETWORKS_PAGE, GtkWidget)

GtkWidget    *hatake_networks_page_new                 (HatakeEngine       *engine);
HatakeEngine *hatake_networks_page_get_engine          (HatakeNetworksPage *self);
void          hatake_networks_page_set_engine          (HatakeNetworksPage *self,
                                                        HatakeEngine       *engine);
GListModel   *hatake_networks_page_get_model           (HatakeNetworksPage *self);
void          hatake_networks_page_refresh             (HatakeNetworksPage *self);
GtkWidget    *hatake_networks_page_open_create_dialog  (HatakeNetworksPage *self);
GtkWidget    *hatake_networks_page_open_connect_dialog (HatakeNetworksPage *self,
                                                        const char         *network);
GtkWidget    *hatake_networks_page_confirm_delete      (HatakeNetworksPage *self,
                                                        const char         *network);
void          hatake_networks_page_disconnect          (HatakeNetworksPage *self,
                                                        const char         *network,
                                                        const char         *container);

/* Checks of what the create dialog sends (empty is fine for the optional ones). */
gboolean      hatake_networks_name_is_valid            (const char         *name);
gboolean      hatake_networks_subnet_is_valid          (const char         *subnet);
gboolean      hatake_networks_gateway_is_valid         (const char         *gateway,
                                                        const char         *subnet);

G_END_DECLS
