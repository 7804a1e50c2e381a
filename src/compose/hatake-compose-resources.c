/* hatake-compose-resources.c: a project's top-level networks, volumes, secrets and configs
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each gets the name the engine knows it by: <project>_<key>, unless it is external (its key, or
 * name:) or name: says otherwise.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hatake-compose-project-private.h"

void
_hatake_compose_network_free (HatakeComposeNetwork *n)
{
  if (n == NULL)
    return;
  g_free (n->key);
  g_free (n->name);
  g_free (n->driver);
  g_strfreev (n->driver_opts);
  g_strfreev (n->labels);
  g_clear_pointer (&n->ipam, g_ptr_array_unref);
  g_free (n->ipam_driver);
  g_free (n);
}

void
_hatake_compose_volume_free (HatakeComposeVolume *v)
{
  if (v == NULL)
    return;
  g_free (v->key);
  g_free (v->name);
  g_free (v->driver);
  g_strfreev (v->driver_opts);
  g_strfreev (v->labels);
  g_free (v);
}

void
_hatake_compose_resource_free (HatakeComposeResource *r)
{
  if (r == NULL)
    return;
  g_free (r->key);
  g_free (r->name);
  g_free (r->file);
  g_free (r->environment);
  g_free (r->value);
  g_free (r->content);
  g_strfreev (r->labels);
  g_free (r);
}

static void
ipam_free (HatakeComposeIpam *ipam)
{
  g_free (ipam->subnet);
  g_free (ipam->gateway);
  g_free (ipam->ip_range);
  g_free (ipam);
}

/* external: true, or the old external: {name: N} */
static gboolean
get_external (const HatakeComposeNode *node,
              const char              *path,
              gboolean                *external,
              char                   **name,
              GError                 **error)
{
  if (node->kind == HATAKE_COMPOSE_NODE_MAPPING)
    {
      static const char * const fields[] = { "name", NULL };
      HatakeComposeNode *n = _hatake_compose_node_lookup (node, "name");
      g_autofree char *np = _hatake_compose_child (path, "name");

      if (!_hatake_compose_check_keys (node, path, fields, error))
        return FALSE;
      *external = TRUE;
      return n == NULL || _hatake_compose_get_string (n, np, name, error);
    }
  return _hatake_compose_get_bool (node, path, external, error);
}

static gboolean
parse_ipam (HatakeComposeNetwork    *n,
            const HatakeComposeNode *node,
            const char              *path,
            GError                 **error)
{
  static const char * const fields[] = { "driver", "config", "options", NULL };
  static const char * const config_fields[] = { "subnet", "gateway", "ip_range", "aux_addresses", NULL };
  HatakeComposeNode *config;
  g_autofree char *cp = _hatake_compose_child (path, "config");

  if (!_hatake_compose_check_keys (node, path, fields, error))
    return FALSE;
  if ((config = _hatake_compose_node_lookup (node, "driver")) != NULL)
    {
      g_autofree char *dp = _hatake_compose_child (path, "driver");

      g_clear_pointer (&n->ipam_driver, g_free);
      if (!_hatake_compose_get_string (config, dp, &n->ipam_driver, error))
        return FALSE;
    }
  config = _hatake_compose_node_lookup (node, "config");
  if (config == NULL)
    return TRUE;
  if (!_hatake_compose_expect (config, HATAKE_COMPOSE_NODE_SEQUENCE, cp, error))
    return FALSE;
  for (guint i = 0; i < config->items->len; i++)
    {
      HatakeComposeNode *c = g_ptr_array_index (config->items, i);
      g_autofree char *ip = _hatake_compose_item (cp, i);
      HatakeComposeIpam *ipam = g_new0 (HatakeComposeIpam, 1);
      HatakeComposeNode *v;

      g_ptr_array_add (n->ipam, ipam);
      if (!_hatake_compose_check_keys (c, ip, config_fields, error))
        return FALSE;
      if ((v = _hatake_compose_node_lookup (c, "subnet")) != NULL)
        {
          g_autofree char *p = _hatake_compose_child (ip, "subnet");
          if (!_hatake_compose_get_string (v, p, &ipam->subnet, error))
            return FALSE;
        }
      if ((v = _hatake_compose_node_lookup (c, "gateway")) != NULL)
        {
          g_autofree char *p = _hatake_compose_child (ip, "gateway");
          if (!_hatake_compose_get_string (v, p, &ipam->gateway, error))
            return FALSE;
        }
      if ((v = _hatake_compose_node_lookup (c, "ip_range")) != NULL)
        {
          g_autofree char *p = _hatake_compose_child (ip, "ip_range");
          if (!_hatake_compose_get_string (v, p, &ipam->ip_range, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_network (const char              *project,
               HatakeComposeNetwork    *n,
               const HatakeComposeNode *node,
               const char              *path,
               GError                 **error)
{
  static const char * const fields[] = { "name", "driver", "driver_opts", "ipam", "external", "internal",
    "attachable", "enable_ipv6", "enable_ipv4", "labels", NULL };
  g_autofree char *name = NULL;

  if (!_hatake_compose_node_is_null (node))
    {
      if (!_hatake_compose_check_keys (node, path, fields, error))
        return FALSE;
      for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
        {
          const char *k = _hatake_compose_node_key (node, i)->value;
          HatakeComposeNode *v = _hatake_compose_node_val (node, i);
          g_autofree char *p = _hatake_compose_child (path, k);
          gboolean ok = TRUE;

          if (g_str_equal (k, "name"))
            ok = _hatake_compose_get_string (v, p, &name, error);
          else if (g_str_equal (k, "driver"))
            ok = _hatake_compose_get_string (v, p, &n->driver, error);
          else if (g_str_equal (k, "driver_opts"))
            ok = _hatake_compose_get_dict (v, p, NULL, &n->driver_opts, error);
          else if (g_str_equal (k, "ipam"))
            ok = parse_ipam (n, v, p, error);
          else if (g_str_equal (k, "external"))
            ok = get_external (v, p, &n->external, &name, error);
          else if (g_str_equal (k, "internal"))
            ok = _hatake_compose_get_bool (v, p, &n->internal, error);
          else if (g_str_equal (k, "attachable"))
            ok = _hatake_compose_get_bool (v, p, &n->attachable, error);
          else if (g_str_equal (k, "enable_ipv6"))
            ok = _hatake_compose_get_bool (v, p, &n->enable_ipv6, error);
          else if (g_str_equal (k, "labels"))
            ok = _hatake_compose_get_dict (v, p, NULL, &n->labels, error);
          if (!ok)
            return FALSE;
        }
    }
  if (name != NULL)
    n->name = g_steal_pointer (&name);
  else if (n->external)
    n->name = g_strdup (n->key);
  else
    n->name = g_strdup_printf ("%s_%s", project, n->key);
  return TRUE;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  /* every type here starts with its key */
  return strcmp (**(char * const * const *) a, **(char * const * const *) b);
}

gboolean
_hatake_compose_parse_networks (const char         *project,
                                HatakeComposeNode  *node,
                                GPtrArray          *out,
                                GError            **error)
{
  gboolean have_default = FALSE;

  if (node != NULL && !_hatake_compose_node_is_null (node))
    {
      if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_MAPPING, "networks", error))
        return FALSE;
      for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
        {
          const char *key = _hatake_compose_node_key (node, i)->value;
          g_autofree char *p = _hatake_compose_child ("networks", key);
          HatakeComposeNetwork *n;

          if (g_str_has_prefix (key, "x-"))
            continue;
          n = g_new0 (HatakeComposeNetwork, 1);
          n->key = g_strdup (key);
          n->ipam = g_ptr_array_new_with_free_func ((GDestroyNotify) ipam_free);
          g_ptr_array_add (out, n);
          have_default = have_default || g_str_equal (key, "default");
          if (!parse_network (project, n, _hatake_compose_node_val (node, i), p, error))
            return FALSE;
        }
    }
  if (!have_default)
    {
      HatakeComposeNetwork *n = g_new0 (HatakeComposeNetwork, 1);

      n->key = g_strdup ("default");
      n->name = g_strdup_printf ("%s_default", project);
      n->ipam = g_ptr_array_new_with_free_func ((GDestroyNotify) ipam_free);
      g_ptr_array_add (out, n);
    }
  g_ptr_array_sort (out, compare_keys);
  return TRUE;
}

gboolean
_hatake_compose_parse_volumes (const char         *project,
                               HatakeComposeNode  *node,
                               GPtrArray          *out,
                               GError            **error)
{
  static const char * const fields[] = { "name", "driver", "driver_opts", "external", "labels", NULL };

  if (node == NULL || _hatake_compose_node_is_null (node))
    return TRUE;
  if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_MAPPING, "volumes", error))
    return FALSE;
  for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
    {
      const char *key = _hatake_compose_node_key (node, i)->value;
      HatakeComposeNode *v = _hatake_compose_node_val (node, i);
      g_autofree char *path = _hatake_compose_child ("volumes", key);
      g_autofree char *name = NULL;
      HatakeComposeVolume *vol;

      if (g_str_has_prefix (key, "x-"))
        continue;
      vol = g_new0 (HatakeComposeVolume, 1);
      vol->key = g_strdup (key);
      g_ptr_array_add (out, vol);
      if (!_hatake_compose_node_is_null (v))
        {
          if (!_hatake_compose_check_keys (v, path, fields, error))
            return FALSE;
          for (guint j = 0; j < _hatake_compose_node_n_pairs (v); j++)
            {
              const char *k = _hatake_compose_node_key (v, j)->value;
              HatakeComposeNode *f = _hatake_compose_node_val (v, j);
              g_autofree char *p = _hatake_compose_child (path, k);
              gboolean ok = TRUE;

              if (g_str_equal (k, "name"))
                ok = _hatake_compose_get_string (f, p, &name, error);
              else if (g_str_equal (k, "driver"))
                ok = _hatake_compose_get_string (f, p, &vol->driver, error);
              else if (g_str_equal (k, "driver_opts"))
                ok = _hatake_compose_get_dict (f, p, NULL, &vol->driver_opts, error);
              else if (g_str_equal (k, "external"))
                ok = get_external (f, p, &vol->external, &name, error);
              else if (g_str_equal (k, "labels"))
                ok = _hatake_compose_get_dict (f, p, NULL, &vol->labels, error);
              if (!ok)
                return FALSE;
            }
        }
      if (name != NULL)
        vol->name = g_steal_pointer (&name);
      else if (vol->external)
        vol->name = g_strdup (key);
      else
        vol->name = g_strdup_printf ("%s_%s", project, key);
    }
  g_ptr_array_sort (out, compare_keys);
  return TRUE;
}

gboolean
_hatake_compose_parse_resources (const char            *project,
                                 const char            *section,
                                 HatakeComposeContext  *ctx,
                                 HatakeComposeNode     *node,
                                 GPtrArray             *out,
                                 GError               **error)
{
  static const char * const fields[] = { "name", "file", "environment", "content", "external", "labels",
    "driver", "driver_opts", "template_driver", NULL };

  if (node == NULL || _hatake_compose_node_is_null (node))
    return TRUE;
  if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_MAPPING, section, error))
    return FALSE;
  for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
    {
      const char *key = _hatake_compose_node_key (node, i)->value;
      HatakeComposeNode *v = _hatake_compose_node_val (node, i);
      g_autofree char *path = _hatake_compose_child (section, key);
      g_autofree char *name = NULL;
      HatakeComposeResource *r;
      guint sources = 0;

      if (g_str_has_prefix (key, "x-"))
        continue;
      r = g_new0 (HatakeComposeResource, 1);
      r->key = g_strdup (key);
      g_ptr_array_add (out, r);
      if (!_hatake_compose_check_keys (v, path, fields, error))
        return FALSE;
      for (guint j = 0; j < _hatake_compose_node_n_pairs (v); j++)
        {
          const char *k = _hatake_compose_node_key (v, j)->value;
          HatakeComposeNode *f = _hatake_compose_node_val (v, j);
          g_autofree char *p = _hatake_compose_child (path, k);
          gboolean ok = TRUE;

          if (g_str_equal (k, "name"))
            ok = _hatake_compose_get_string (f, p, &name, error);
          else if (g_str_equal (k, "file"))
            {
              ok = _hatake_compose_expect (f, HATAKE_COMPOSE_NODE_SCALAR, p, error);
              if (ok)
                r->file = _hatake_compose_resolve_path (f, f->value, ctx->home);
              sources++;
            }
          else if (g_str_equal (k, "environment"))
            {
              /* A source names a value: null (`environment:` alone) is not one. */
              ok = _hatake_compose_expect (f, HATAKE_COMPOSE_NODE_SCALAR, p, error) &&
                   _hatake_compose_get_string (f, p, &r->environment, error);
              if (ok && ctx->env != NULL && ctx->env->vars != NULL)
                r->value = g_strdup (g_hash_table_lookup (ctx->env->vars, r->environment));
              sources++;
            }
          else if (g_str_equal (k, "content"))
            {
              ok = _hatake_compose_expect (f, HATAKE_COMPOSE_NODE_SCALAR, p, error) &&
                   _hatake_compose_get_string (f, p, &r->content, error);
              sources++;
            }
          else if (g_str_equal (k, "external"))
            {
              ok = get_external (f, p, &r->external, &name, error);
              sources += r->external ? 1 : 0;
            }
          else if (g_str_equal (k, "labels"))
            ok = _hatake_compose_get_dict (f, p, NULL, &r->labels, error);
          if (!ok)
            return FALSE;
        }
      if (sources != 1)
        {
          _hatake_compose_set_error (error, v, path, _("expected exactly one of file, environment, content and "
                                                       "external"));
          return FALSE;
        }
      if (name != NULL)
        r->name = g_steal_pointer (&name);
      else if (r->external)
        r->name = g_strdup (key);
      else
        r->name = g_strdup_printf ("%s_%s", project, key);
    }
  g_ptr_array_sort (out, compare_keys);
  return TRUE;
}
