/* hatake-containers-page.h: the list of containers, and what can be done with them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_CONTAINERS_PAGE (hatake_containers_page_get_type ())
G_DECLARE_FINAL_TYPE (HatakeContainersPage, hatake_containers_page, HATAKE, CONTAINERS_PAGE, GtkWidget)

GtkWidget      *hatake_containers_page_new              (HatakeEngine         *engine);
HatakeEngine   *hatake_containers_page_get_engine       (HatakeContainersPage *self);
void            hatake_containers_page_set_engine       (HatakeContainersPage *self,
                                                         HatakeEngine         *engine);
GtkSearchEntry *hatake_containers_page_get_search_entry (HatakeContainersPage *self);

/* Formatting shared with the cells, exposed for the tests. */
char           *hatake_containers_format_cpu            (double                cpu_percent);
char           *hatake_containers_format_memory         (gint64                usage,
                                                         gint64                limit);

G_END_DECLS
