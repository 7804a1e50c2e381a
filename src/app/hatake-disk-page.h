/* hatake-disk-page.h: what the engine's images, containers and volumes take on disk, and
 * pruning them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "hatake-disk-usage.h"
#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_DISK_PAGE (hatake_disk_page_get_type ())
G_DECLARE_FINAL_TYPE (HatakeDiskPage, hatake_disk_page, HATAKE, DISK_PAGE, GtkWidget)

typedef enum
{
  HATAKE_DISK_PRUNE_IMAGES,
  HATAKE_DISK_PRUNE_CONTAINERS,
  HATAKE_DISK_PRUNE_VOLUMES,
} HatakeDiskPrune;

GtkWidget    *hatake_disk_page_new             (HatakeEngine   *engine);
HatakeEngine *hatake_disk_page_get_engine      (HatakeDiskPage *self);
void          hatake_disk_page_set_engine      (HatakeDiskPage *self,
                                                HatakeEngine   *engine);
void          hatake_disk_page_refresh         (HatakeDiskPage *self);
/* NULL until the engine answered once */
const HatakeDiskUsageSummary *hatake_disk_page_get_summary (HatakeDiskPage *self);
GtkWidget    *hatake_disk_page_confirm_prune   (HatakeDiskPage *self,
                                                HatakeDiskPrune what);

G_END_DECLS
