/* hatake-compose-fields.c: a node read as the type a field of the compose specification has
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each check names the node's place (FILE:LINE:COLUMN), the field's path and what was expected.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hatake-compose-private.h"

static const char *
kind_name (const HatakeComposeNode *node)
{
  if (_hatake_compose_node_is_null (node))
    return _("null");
  switch (node->kind)
    {
    case HATAKE_COMPOSE_NODE_SCALAR:
      return _("a scalar");
    case HATAKE_COMPOSE_NODE_MAPPING:
      return _("a mapping");
    case HATAKE_COMPOSE_NODE_SEQUENCE:
      return _("a list");
    default:
      g_assert_not_reached ();
    }
}

gboolean
_hatake_compose_expect (const HatakeComposeNode *node,
                        HatakeComposeNodeKind    kind,
                        const char              *path,
                        GError                 **error)
{
  if (node->kind == kind && !(kind == HATAKE_COMPOSE_NODE_SCALAR && _hatake_compose_node_is_null (node)))
    return TRUE;
  switch (kind)
    {
    case HATAKE_COMPOSE_NODE_SCALAR:
      _hatake_compose_set_error (error, node, path, _("expected a string, got %s"), kind_name (node));
      break;
    case HATAKE_COMPOSE_NODE_MAPPING:
      _hatake_compose_set_error (error, node, path, _("expected a mapping, got %s"), kind_name (node));
      break;
    case HATAKE_COMPOSE_NODE_SEQUENCE:
      _hatake_compose_set_error (error, node, path, _("expected a list, got %s"), kind_name (node));
      break;
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

gboolean
_hatake_compose_get_string (const HatakeComposeNode *node,
                            const char              *path,
                            char                   **out,
                            GError                 **error)
{
  g_clear_pointer (out, g_free);
  if (_hatake_compose_node_is_null (node))
    return TRUE;
  if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_SCALAR, path, error))
    return FALSE;
  *out = g_strdup (node->value);
  return TRUE;
}

gboolean
_hatake_compose_get_bool (const HatakeComposeNode *node,
                          const char              *path,
                          gboolean                *out,
                          GError                 **error)
{
  if (node->kind != HATAKE_COMPOSE_NODE_SCALAR || !_hatake_compose_parse_bool (node->value, out))
    {
      if (node->kind == HATAKE_COMPOSE_NODE_SCALAR)
        _hatake_compose_set_error (error, node, path, _("expected a boolean (true or false), got “%s”"), node->value);
      else
        _hatake_compose_set_error (error, node, path, _("expected a boolean (true or false), got %s"), kind_name (node));
      return FALSE;
    }
  return TRUE;
}

gboolean
_hatake_compose_get_int (const HatakeComposeNode *node,
                         const char              *path,
                         gint64                   min,
                         gint64                   max,
                         gint64                  *out,
                         GError                 **error)
{
  if (node->kind != HATAKE_COMPOSE_NODE_SCALAR ||
      !g_ascii_string_to_signed (node->value, 10, min, max, out, NULL))
    {
      if (node->kind == HATAKE_COMPOSE_NODE_SCALAR)
        _hatake_compose_set_error (error, node, path, _("expected an integer from %" G_GINT64_FORMAT " to %"
                                                        G_GINT64_FORMAT ", got “%s”"), min, max, node->value);
      else
        _hatake_compose_set_error (error, node, path, _("expected an integer, got %s"), kind_name (node));
      return FALSE;
    }
  return TRUE;
}

gboolean
_hatake_compose_get_strv (const HatakeComposeNode *node,
                          const char              *path,
                          GStrv                   *out,
                          GError                 **error)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_clear_pointer (out, g_strfreev);
  if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_SEQUENCE, path, error))
    return FALSE;
  for (guint i = 0; i < node->items->len; i++)
    {
      HatakeComposeNode *item = g_ptr_array_index (node->items, i);
      g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);

      if (!_hatake_compose_expect (item, HATAKE_COMPOSE_NODE_SCALAR, item_path, error))
        return FALSE;
      g_strv_builder_add (b, item->value);
    }
  *out = g_strv_builder_end (b);
  return TRUE;
}

static void
dict_add (GPtrArray   *keys,
          GHashTable  *values,
          const char  *key,
          const char  *value)
{
  if (!g_hash_table_contains (values, key))
    g_ptr_array_add (keys, g_strdup (key));
  g_hash_table_replace (values, g_strdup (key), g_strdup (value));
}

static void
dict_add_bare (GPtrArray        *keys,
               GHashTable       *values,
               const char       *key,
               HatakeComposeEnv *env)
{
  if (env == NULL)
    dict_add (keys, values, key, "");
  else if (g_hash_table_lookup (env->vars, key) != NULL)
    dict_add (keys, values, key, g_hash_table_lookup (env->vars, key));
}

gboolean
_hatake_compose_get_dict (const HatakeComposeNode *node,
                          const char              *path,
                          HatakeComposeEnv        *env,
                          GStrv                   *out,
                          GError                 **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_clear_pointer (out, g_strfreev);
  if (node->kind == HATAKE_COMPOSE_NODE_SEQUENCE)
    {
      for (guint i = 0; i < node->items->len; i++)
        {
          HatakeComposeNode *item = g_ptr_array_index (node->items, i);
          g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);
          const char *eq;

          if (!_hatake_compose_expect (item, HATAKE_COMPOSE_NODE_SCALAR, item_path, error))
            return FALSE;
          eq = strchr (item->value, '=');
          if (eq == item->value)
            {
              _hatake_compose_set_error (error, item, item_path, _("expected KEY=VALUE, got “%s”"), item->value);
              return FALSE;
            }
          if (eq == NULL)
            dict_add_bare (keys, values, item->value, env);
          else
            {
              g_autofree char *key = g_strndup (item->value, (gsize) (eq - item->value));
              dict_add (keys, values, key, eq + 1);
            }
        }
    }
  else if (node->kind == HATAKE_COMPOSE_NODE_MAPPING)
    {
      for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
        {
          HatakeComposeNode *key = _hatake_compose_node_key (node, i);
          HatakeComposeNode *value = _hatake_compose_node_val (node, i);
          g_autofree char *item_path = g_strdup_printf ("%s.%s", path, key->value);

          if (_hatake_compose_node_is_null (value))
            dict_add_bare (keys, values, key->value, env);
          else if (value->kind != HATAKE_COMPOSE_NODE_SCALAR)
            {
              _hatake_compose_set_error (error, value, item_path, _("expected a string, a number, a boolean or null, got %s"),
                                         kind_name (value));
              return FALSE;
            }
          else
            dict_add (keys, values, key->value, value->value);
        }
    }
  else if (!_hatake_compose_node_is_null (node))
    {
      _hatake_compose_set_error (error, node, path, _("expected a mapping or a list of KEY=VALUE, got %s"),
                                 kind_name (node));
      return FALSE;
    }
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      g_autofree char *pair = g_strdup_printf ("%s=%s", key, (const char *) g_hash_table_lookup (values, key));
      g_strv_builder_add (b, pair);
    }
  *out = g_strv_builder_end (b);
  return TRUE;
}

gboolean
_hatake_compose_check_keys (const HatakeComposeNode *mapping,
                            const char              *path,
                            const char * const      *allowed,
                            GError                 **error)
{
  if (!_hatake_compose_expect (mapping, HATAKE_COMPOSE_NODE_MAPPING, path, error))
    return FALSE;
  for (guint i = 0; i < _hatake_compose_node_n_pairs (mapping); i++)
    {
      HatakeComposeNode *key = _hatake_compose_node_key (mapping, i);

      if (g_str_has_prefix (key->value, "x-") || g_strv_contains (allowed, key->value))
        continue;
      _hatake_compose_set_error (error, key, path, _("unknown field “%s”"), key->value);
      return FALSE;
    }
  return TRUE;
}

char *
_hatake_compose_child (const char *path,
       const char *key)
{
  return g_strdup_printf ("%s.%s", path, key);
}

char *
_hatake_compose_item (const char *path,
      guint       i)
{
  return g_strdup_printf ("%s[%u]", path, i);
}

/* ---- scalars with a form ------------------------------------------------------------------- */

gboolean
_hatake_compose_get_duration (const HatakeComposeNode *node,
              const char              *path,
              gint64                  *usec,
              GError                 **error)
{
  if (node->kind != HATAKE_COMPOSE_NODE_SCALAR || !_hatake_compose_parse_duration (node->value, usec))
    {
      _hatake_compose_set_error (error, node, path, _("expected a duration such as 1m30s, 10s or 500ms, got “%s”"),
                                 node->kind == HATAKE_COMPOSE_NODE_SCALAR ? node->value : "…");
      return FALSE;
    }
  return TRUE;
}

gboolean
_hatake_compose_get_size (const HatakeComposeNode *node,
          const char              *path,
          gint64                  *bytes,
          GError                 **error)
{
  if (node->kind != HATAKE_COMPOSE_NODE_SCALAR || !_hatake_compose_parse_size (node->value, bytes))
    {
      _hatake_compose_set_error (error, node, path, _("expected a size such as 512m, 1g or 1024k, got “%s”"),
                                 node->kind == HATAKE_COMPOSE_NODE_SCALAR ? node->value : "…");
      return FALSE;
    }
  return TRUE;
}

gboolean
_hatake_compose_get_cpus (const HatakeComposeNode *node,
          const char              *path,
          double                  *cpus,
          GError                 **error)
{
  char *end = NULL;

  if (node->kind == HATAKE_COMPOSE_NODE_SCALAR && node->value[0] != '\0')
    {
      *cpus = g_ascii_strtod (node->value, &end);
      if (*end == '\0' && *cpus >= 0 && *cpus < 1e6)
        return TRUE;
    }
  _hatake_compose_set_error (error, node, path, _("expected a number of CPUs such as 0.5 or 2, got “%s”"),
                             node->kind == HATAKE_COMPOSE_NODE_SCALAR ? node->value : "…");
  return FALSE;
}

char *
_hatake_compose_resolve_path (const HatakeComposeNode *node,
                              const char              *path,
                              const char              *home)
{
  if (g_str_equal (path, "~"))
    return g_strdup (home);
  if (g_str_has_prefix (path, "~/"))
    return g_canonicalize_filename (path + 2, home);
  return g_canonicalize_filename (path, node->dir);
}
