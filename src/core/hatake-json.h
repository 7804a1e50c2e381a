/* hatake-json.h: typed members of JSON objects, NULL when absent or of another type
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib 1.6 (Debian 12) has *_with_default getters for scalars only.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

static inline JsonObject *
hatake_json_object_member (JsonObject *object,
                           const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static inline JsonArray *
hatake_json_array_member (JsonObject *object,
                          const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static inline JsonObject *
hatake_json_array_object (JsonArray *array,
                          guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

G_END_DECLS
