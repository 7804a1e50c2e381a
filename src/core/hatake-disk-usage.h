/* hatake-disk-usage.h: docker system df's figures from an engine's disk usage answer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

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

/* A number of docker's answer; 0 for one missing or -1 (what docker did not compute). */
gint64   hatake_disk_usage_int                 (JsonObject *object,
                                                const char *name);
/* An image tagged <none>:<none> alone: what docker calls dangling. */
gboolean hatake_disk_usage_image_is_dangling   (JsonObject *image);
/* A container running, paused or restarting. */
gboolean hatake_disk_usage_container_is_active (JsonObject *container);

G_END_DECLS
