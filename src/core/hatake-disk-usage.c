/* hatake-disk-usage.c: docker system df's figures (the app's Disk Usage page, hatake system df)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <string.h>

#include "hatake-disk-usage.h"

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
array_object (JsonArray *array,
              guint      i)
{
  JsonNode *node = json_array_get_element (array, i);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

gint64
hatake_disk_usage_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  /* docker gives -1 for what it did not compute: nothing to count */
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return MAX (json_node_get_int (node), 0);
}

/* No tag but <none>:<none>: what docker calls dangling. */
gboolean
hatake_disk_usage_image_is_dangling (JsonObject *image)
{
  JsonArray *tags = array_member (image, "RepoTags");

  for (guint i = 0; tags != NULL && i < json_array_get_length (tags); i++)
    if (g_strcmp0 (json_array_get_string_element (tags, i), "<none>:<none>") != 0)
      return FALSE;
  return TRUE;
}

gboolean
hatake_disk_usage_container_is_active (JsonObject *container)
{
  const char *state = json_object_get_string_member_with_default (container, "State", "");

  return g_str_equal (state, "running") || g_str_equal (state, "paused") || g_str_equal (state, "restarting");
}

/**
 * hatake_disk_usage_summarize:
 * @disk_usage: docker's GET /system/df answer
 *
 * Images take LayersSize (layers are shared); deleting the unused ones frees all of it but the
 * unshared part of each image in use. Stopped containers free their writable layers; volumes no
 * container mounts free their data. (docker/cli's formatter/disk_usage.go)
 */
void
hatake_disk_usage_summarize (JsonNode               *disk_usage,
                             HatakeDiskUsageSummary *summary)
{
  JsonObject *root;
  JsonArray *images, *containers, *volumes;
  gint64 used = 0;

  g_return_if_fail (summary != NULL);

  memset (summary, 0, sizeof *summary);
  if (disk_usage == NULL || !JSON_NODE_HOLDS_OBJECT (disk_usage))
    return;
  root = json_node_get_object (disk_usage);

  images = array_member (root, "Images");
  summary->images.size = hatake_disk_usage_int (root, "LayersSize");
  for (guint i = 0; images != NULL && i < json_array_get_length (images); i++)
    {
      JsonObject *image = array_object (images, i);
      gint64 unique = image ? hatake_disk_usage_int (image, "Size") - hatake_disk_usage_int (image, "SharedSize") : 0;

      if (image == NULL)
        continue;
      summary->images.count++;
      if (hatake_disk_usage_int (image, "Containers") > 0)
        {
          summary->images.active++;
          used += MAX (unique, 0);
        }
      else if (hatake_disk_usage_image_is_dangling (image))
        {
          summary->dangling_images++;
          summary->dangling_images_size += MAX (unique, 0);
        }
    }
  summary->images.reclaimable = MAX (summary->images.size - used, 0);

  containers = array_member (root, "Containers");
  for (guint i = 0; containers != NULL && i < json_array_get_length (containers); i++)
    {
      JsonObject *container = array_object (containers, i);
      gint64 size = hatake_disk_usage_int (container, "SizeRw");

      if (container == NULL)
        continue;
      summary->containers.count++;
      summary->containers.size += size;
      if (hatake_disk_usage_container_is_active (container))
        summary->containers.active++;
      else
        summary->containers.reclaimable += size;
    }

  volumes = array_member (root, "Volumes");
  for (guint i = 0; volumes != NULL && i < json_array_get_length (volumes); i++)
    {
      JsonObject *volume = array_object (volumes, i);
      JsonNode *usage_node = volume ? json_object_get_member (volume, "UsageData") : NULL;
      JsonObject *usage = usage_node && JSON_NODE_HOLDS_OBJECT (usage_node) ? json_node_get_object (usage_node) : NULL;
      gint64 size = hatake_disk_usage_int (usage, "Size");

      if (volume == NULL)
        continue;
      summary->volumes.count++;
      summary->volumes.size += size;
      if (hatake_disk_usage_int (usage, "RefCount") > 0)
        summary->volumes.active++;
      else
        summary->volumes.reclaimable += size;
    }
}
