/* hatake-compose-merge.c: several compose files as one (the specification's merge rules)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mappings merge key by key, sequences append, scalars are replaced. The exceptions, by place:
 * command, entrypoint and healthcheck.test are replaced; ports, volumes, secrets and configs are
 * unique by what they publish or where they mount; environment, labels and the like merge by key
 * whichever form (list or mapping) each file wrote them in. !reset removes what earlier files
 * set, !override replaces it without merging.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <string.h>

#include "hatake-compose-private.h"

typedef struct
{
  const char *segs[HATAKE_COMPOSE_MAX_DEPTH + 8];
  guint       n;
} Path;

/* pattern is dot-separated, "*" any one segment (service names may hold dots: never split them) */
static gboolean
path_is (const Path *path,
         const char *pattern)
{
  g_auto(GStrv) parts = g_strsplit (pattern, ".", -1);
  guint n = g_strv_length (parts);

  if (n != path->n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!g_str_equal (parts[i], "*") && !g_str_equal (parts[i], path->segs[i]))
      return FALSE;
  return TRUE;
}

HatakeComposeNode *
_hatake_compose_list_to_map (HatakeComposeNode *node,
                             char               separator)
{
  HatakeComposeNode *map;

  if (node->kind != HATAKE_COMPOSE_NODE_SEQUENCE)
    return node;
  for (guint i = 0; i < node->items->len; i++)
    if (((HatakeComposeNode *) g_ptr_array_index (node->items, i))->kind != HATAKE_COMPOSE_NODE_SCALAR)
      return node;
  map = _hatake_compose_node_new (HATAKE_COMPOSE_NODE_MAPPING, node);
  map->flags = node->flags;
  for (guint i = 0; i < node->items->len; i++)
    {
      HatakeComposeNode *item = g_ptr_array_index (node->items, i);
      const char *sep = separator ? strchr (item->value, separator) : NULL;
      g_autofree char *key = sep ? g_strndup (item->value, (gsize) (sep - item->value)) : g_strdup (item->value);
      HatakeComposeNode *value = sep ? _hatake_compose_node_new_scalar (item, sep + 1, 0)
                                     : _hatake_compose_node_new_scalar (item, "", HATAKE_COMPOSE_NODE_PLAIN);

      _hatake_compose_node_set (map, key, item, value);
    }
  _hatake_compose_node_free (node);
  return map;
}

/* A scalar where a mapping is the long form: build: DIR → {context: DIR}, extends: S → {service: S} */
static HatakeComposeNode *
scalar_to_map (HatakeComposeNode *node,
               const char        *key)
{
  HatakeComposeNode *map;

  if (node->kind != HATAKE_COMPOSE_NODE_SCALAR || _hatake_compose_node_is_null (node))
    return node;
  map = _hatake_compose_node_new (HATAKE_COMPOSE_NODE_MAPPING, node);
  map->flags = node->flags & (HATAKE_COMPOSE_NODE_RESET | HATAKE_COMPOSE_NODE_OVERRIDE);
  node->flags &= ~(guint) (HATAKE_COMPOSE_NODE_RESET | HATAKE_COMPOSE_NODE_OVERRIDE);
  _hatake_compose_node_set (map, key, node, node);
  return map;
}

static HatakeComposeNode *
scalar_to_list (HatakeComposeNode *node)
{
  HatakeComposeNode *list;

  if (node->kind != HATAKE_COMPOSE_NODE_SCALAR || _hatake_compose_node_is_null (node))
    return node;
  list = _hatake_compose_node_new (HATAKE_COMPOSE_NODE_SEQUENCE, node);
  list->flags = node->flags & (HATAKE_COMPOSE_NODE_RESET | HATAKE_COMPOSE_NODE_OVERRIDE);
  node->flags &= ~(guint) (HATAKE_COMPOSE_NODE_RESET | HATAKE_COMPOSE_NODE_OVERRIDE);
  g_ptr_array_add (list->items, node);
  return list;
}

/* Both sides in the same form before they merge. */
static HatakeComposeNode *
normalize (HatakeComposeNode *node,
           const Path        *path)
{
  if (path_is (path, "services.*.environment") || path_is (path, "services.*.labels") ||
      path_is (path, "services.*.sysctls") || path_is (path, "services.*.build.args") ||
      path_is (path, "services.*.build.labels") || path_is (path, "services.*.deploy.labels") ||
      path_is (path, "networks.*.labels") || path_is (path, "volumes.*.labels") ||
      path_is (path, "secrets.*.labels") || path_is (path, "configs.*.labels") ||
      path_is (path, "networks.*.driver_opts") || path_is (path, "volumes.*.driver_opts"))
    return _hatake_compose_list_to_map (node, '=');
  if (path_is (path, "services.*.networks") || path_is (path, "services.*.depends_on"))
    return _hatake_compose_list_to_map (node, '\0');
  if (path_is (path, "services.*.build"))
    return scalar_to_map (node, "context");
  if (path_is (path, "services.*.extends"))
    return scalar_to_map (node, "service");
  if (path_is (path, "services.*.env_file") || path_is (path, "services.*.tmpfs") ||
      path_is (path, "services.*.dns") || path_is (path, "services.*.dns_search"))
    return scalar_to_list (node);
  return node;
}

static char *
scalar_member (const HatakeComposeNode *mapping,
               const char              *key,
               const char              *fallback)
{
  HatakeComposeNode *v = _hatake_compose_node_lookup (mapping, key);

  if (v == NULL || v->kind != HATAKE_COMPOSE_NODE_SCALAR || _hatake_compose_node_is_null (v))
    return g_strdup (fallback);
  return g_strdup (v->value);
}

/* What makes an entry of ports, volumes, secrets or configs the same as another; NULL: none */
static char *
unique_key (const HatakeComposeNode *item,
            const Path              *path)
{
  const char *field = path->segs[path->n - 1];

  if (g_str_equal (field, "ports"))
    {
      if (item->kind == HATAKE_COMPOSE_NODE_SCALAR)
        {
          g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_port_free);

          if (!_hatake_compose_parse_port (item->value, ports) || ports->len == 0)
            return NULL;
          return _hatake_compose_port_key (g_ptr_array_index (ports, 0));
        }
      if (item->kind == HATAKE_COMPOSE_NODE_MAPPING)
        {
          g_autofree char *ip = scalar_member (item, "host_ip", "");
          g_autofree char *published = scalar_member (item, "published", "");
          g_autofree char *target = scalar_member (item, "target", "");
          g_autofree char *protocol = scalar_member (item, "protocol", "tcp");

          return g_strdup_printf ("%s|%s|%s|%s", ip, published, target, protocol);
        }
      return NULL;
    }
  if (g_str_equal (field, "volumes"))
    {
      if (item->kind == HATAKE_COMPOSE_NODE_SCALAR)
        return _hatake_compose_volume_target (item->value);
      if (item->kind == HATAKE_COMPOSE_NODE_MAPPING)
        return scalar_member (item, "target", NULL);
      return NULL;
    }
  /* secrets, configs */
  if (item->kind == HATAKE_COMPOSE_NODE_SCALAR)
    return g_strdup (item->value);
  if (item->kind == HATAKE_COMPOSE_NODE_MAPPING)
    {
      g_autofree char *source = scalar_member (item, "source", "");
      return scalar_member (item, "target", source);
    }
  return NULL;
}

static HatakeComposeNode *merge (HatakeComposeNode *base,
                                 HatakeComposeNode *override,
                                 Path              *path);

static void
merge_unique (HatakeComposeNode *base,
              HatakeComposeNode *override,
              const Path        *path)
{
  while (override->items->len > 0)
    {
      HatakeComposeNode *item = g_ptr_array_steal_index (override->items, 0);
      g_autofree char *key = unique_key (item, path);
      gboolean replaced = FALSE;

      _hatake_compose_strip_tags (item);
      for (guint i = 0; key != NULL && i < base->items->len; i++)
        {
          g_autofree char *other = unique_key (g_ptr_array_index (base->items, i), path);

          if (g_strcmp0 (key, other) == 0)
            {
              _hatake_compose_node_free (g_ptr_array_index (base->items, i));
              g_ptr_array_index (base->items, i) = item;
              replaced = TRUE;
              break;
            }
        }
      if (!replaced)
        g_ptr_array_add (base->items, item);
    }
}

static HatakeComposeNode *
merge (HatakeComposeNode *base,
       HatakeComposeNode *override,
       Path              *path)
{
  /* an empty value in a later file (every line of it commented out, or `web:` alone) keeps
   * the earlier one, as compose-go's mergeYaml (!reset says remove) */
  if (override == NULL)
    return base;
  if (_hatake_compose_node_is_null (override) && !(override->flags & HATAKE_COMPOSE_NODE_RESET) &&
      !(override->flags & HATAKE_COMPOSE_NODE_OVERRIDE))
    {
      _hatake_compose_node_free (override);
      return base;
    }
  base = normalize (base, path);
  override = normalize (override, path);

  if (path_is (path, "services.*.command") || path_is (path, "services.*.entrypoint") ||
      path_is (path, "services.*.healthcheck.test") ||
      base->kind != override->kind || override->kind == HATAKE_COMPOSE_NODE_SCALAR)
    {
      _hatake_compose_node_free (base);
      _hatake_compose_strip_tags (override);
      return override;
    }
  if (override->kind == HATAKE_COMPOSE_NODE_SEQUENCE)
    {
      if (path_is (path, "services.*.ports") || path_is (path, "services.*.volumes") ||
          path_is (path, "services.*.secrets") || path_is (path, "services.*.configs"))
        merge_unique (base, override, path);
      else
        while (override->items->len > 0)
          {
            HatakeComposeNode *item = g_ptr_array_steal_index (override->items, 0);

            _hatake_compose_strip_tags (item);
            g_ptr_array_add (base->items, item);
          }
      _hatake_compose_node_free (override);
      return base;
    }
  /* two mappings */
  while (override->items->len > 0)
    {
      g_autoptr(HatakeComposeNode) key = g_ptr_array_steal_index (override->items, 0);
      HatakeComposeNode *value = g_ptr_array_steal_index (override->items, 0);
      HatakeComposeNode *existing = _hatake_compose_node_lookup (base, key->value);

      if (value->flags & HATAKE_COMPOSE_NODE_RESET)
        {
          _hatake_compose_node_remove (base, key->value);
          _hatake_compose_node_free (value);
          continue;
        }
      if (existing == NULL || (value->flags & HATAKE_COMPOSE_NODE_OVERRIDE))
        {
          _hatake_compose_strip_tags (value);
          _hatake_compose_node_set (base, key->value, key, value);
          continue;
        }
      /* take the base's value out, merge, put the result back in its place */
      if (path->n >= G_N_ELEMENTS (path->segs))
        {
          /* deeper than any compose file goes (aliases can nest past the loader's limit): the
           * later value wins whole */
          _hatake_compose_strip_tags (value);
          _hatake_compose_node_set (base, key->value, key, value);
          continue;
        }
      for (guint i = 0; i < _hatake_compose_node_n_pairs (base); i++)
        if (_hatake_compose_node_val (base, i) == existing)
          {
            path->segs[path->n++] = key->value;
            g_ptr_array_index (base->items, 2 * i + 1) = merge (existing, value, path);
            path->n--;
            break;
          }
    }
  _hatake_compose_node_free (override);
  return base;
}

HatakeComposeNode *
_hatake_compose_merge (HatakeComposeNode *base,
                       HatakeComposeNode *override,
                       const char        *path)
{
  Path p = { .n = 0 };
  g_auto(GStrv) segs = path[0] ? g_strsplit (path, "\n", -1) : g_new0 (char *, 1);

  /* path is "\n"-separated here: its segments (service names) may hold dots */
  for (guint i = 0; segs[i] != NULL && p.n < G_N_ELEMENTS (p.segs); i++)
    p.segs[p.n++] = segs[i];
  return merge (base, override, &p);
}

void
_hatake_compose_strip_tags (HatakeComposeNode *node)
{
  node->flags &= ~(guint) (HATAKE_COMPOSE_NODE_RESET | HATAKE_COMPOSE_NODE_OVERRIDE);
  if (node->kind == HATAKE_COMPOSE_NODE_MAPPING)
    {
      for (guint i = 0; i < _hatake_compose_node_n_pairs (node);)
        {
          HatakeComposeNode *value = _hatake_compose_node_val (node, i);

          if (value->flags & HATAKE_COMPOSE_NODE_RESET)
            g_ptr_array_remove_range (node->items, 2 * i, 2);
          else
            {
              _hatake_compose_strip_tags (value);
              i++;
            }
        }
    }
  else if (node->kind == HATAKE_COMPOSE_NODE_SEQUENCE)
    {
      for (guint i = 0; i < node->items->len;)
        {
          HatakeComposeNode *item = g_ptr_array_index (node->items, i);

          if (item->flags & HATAKE_COMPOSE_NODE_RESET)
            g_ptr_array_remove_index (node->items, i);
          else
            {
              _hatake_compose_strip_tags (item);
              i++;
            }
        }
    }
}
