/* hatake-disk-page.h: what the engine's images, containers and volumes take on disk, and
 * pruning them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

/* One kind of object, as a row of `docker system df`. */
typedef struct
{
  guint  count;
  guint  active;        /* images and volumes in use, containers running */
  gint64 size;
  gint64 reclaimable;   /* what deleting the inactive ones frees */
} HatakeDiskUsageKind;

typedef struct
{
  HatakeDiskUsageKind images;
  HatakeDiskUsageKind containers;
  HatakeDiskUsageKind volumes;
  gint64              dangling_images_size;  /* what an images prune (dangling only) frees */
  guint               dangling_images;
} HatakeDiskUsageSummary;

/* The figures docker's `system df` prints, from a GET /system/df answer. */
void          hatake_disk_usage_summarize       (JsonNode               *disk_usage,
                                                 HatakeDiskUsageSummary *summary);

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
