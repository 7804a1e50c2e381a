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

/* A string member, NULL when the object or the member is missing or not a string. */
static inline const char *
hatake_json_string (JsonObject *object,
                    const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static inline const char *
hatake_json_string_or (JsonObject *object,
                       const char *name,
                       const char *fallback)
{
  const char *value = hatake_json_string (object, name);

  return value != NULL ? value : fallback;
}

static inline gint64
hatake_json_int (JsonObject *object,
                 const char *name,
                 gint64      fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE)
         ? json_node_get_int (node) : fallback;
}

static inline gboolean
hatake_json_boolean (JsonObject *object,
                     const char *name,
                     gboolean    fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN
         ? json_node_get_boolean (node) : fallback;
}

/* Adds the strings of array to b, nulls skipped; FALSE at an element of any other type (a
 * number, a nested list…), as Go's json.Unmarshal into []string refuses it. */
static inline gboolean
hatake_json_array_add_strings (JsonArray    *array,
                               GStrvBuilder *b)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_NULL (element))
        continue;
      if (json_node_get_value_type (element) != G_TYPE_STRING)
        return FALSE;
      g_strv_builder_add (b, json_node_get_string (element));
    }
  return TRUE;
}

/* A member holding a list of strings (nulls skipped), or when one_string is TRUE also a lone
 * string (docker's StrSlice), as a GStrv in *out: NULL when absent or null. Any other shape is
 * an error naming the member, as Go's json.Unmarshal into []string refuses it. */
static inline gboolean
hatake_json_strv_member (JsonObject  *object,
                         const char  *name,
                         gboolean     one_string,
                         GStrv       *out,
                         GError     **error)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (one_string && json_node_get_value_type (node) == G_TYPE_STRING)
    g_strv_builder_add (b, json_node_get_string (node));
  else if (!JSON_NODE_HOLDS_ARRAY (node) || !hatake_json_array_add_strings (json_node_get_array (node), b))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s: not a list of strings", name);
      return FALSE;
    }
  *out = g_strv_builder_end (b);
  return TRUE;
}

/* Whether the parser's document is of TYPE: FALSE when it holds none (blank, or comments only —
 * json-glib then has no root, which JSON_NODE_HOLDS_* would take with a critical). */
static inline gboolean
hatake_json_root_is (JsonParser   *parser,
                     JsonNodeType  type)
{
  JsonNode *root = json_parser_get_root (parser);

  return root != NULL && JSON_NODE_TYPE (root) == type;
}

/* A node holding a new empty object ({}). json_node_init_object() takes a reference of the
 * object it is given, so json_object_new() passed to it inline is leaked. */
static inline JsonNode *
hatake_json_node_new_object (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

G_END_DECLS
