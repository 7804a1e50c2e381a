/* hatake-compose-service-fields.c: a service's build, environment, healthcheck and deploy
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hatake-compose-private.h"

gboolean
_hatake_compose_parse_build (HatakeComposeContext    *ctx,
             HatakeComposeService    *s,
             const HatakeComposeNode *node,
             const char              *path,
             GError                 **error)
{
  static const char * const fields[] = { "context", "dockerfile", "dockerfile_inline", "args", "target",
    "labels", "cache_from", "cache_to", "tags", "network", "shm_size", "extra_hosts", "platforms",
    "ssh", "secrets", "pull", "no_cache", "additional_contexts", "privileged", "isolation", "entitlements",
    "ulimits", NULL };
  HatakeComposeBuild *b = g_new0 (HatakeComposeBuild, 1);
  const HatakeComposeNode *context = node;

  s->build = b;
  if (node->kind == HATAKE_COMPOSE_NODE_MAPPING)
    {
      if (!_hatake_compose_check_keys (node, path, fields, error))
        return FALSE;
      context = _hatake_compose_node_lookup (node, "context");
      for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
        {
          const char *k = _hatake_compose_node_key (node, i)->value;
          HatakeComposeNode *v = _hatake_compose_node_val (node, i);
          g_autofree char *p = _hatake_compose_child (path, k);
          gboolean ok = TRUE;

          if (g_str_equal (k, "dockerfile"))
            ok = _hatake_compose_get_string (v, p, &b->dockerfile, error);
          else if (g_str_equal (k, "dockerfile_inline"))
            ok = _hatake_compose_get_string (v, p, &b->dockerfile_inline, error);
          else if (g_str_equal (k, "args"))
            ok = _hatake_compose_get_dict (v, p, ctx->env, &b->args, error);
          else if (g_str_equal (k, "target"))
            ok = _hatake_compose_get_string (v, p, &b->target, error);
          else if (g_str_equal (k, "labels"))
            ok = _hatake_compose_get_dict (v, p, NULL, &b->labels, error);
          else if (g_str_equal (k, "cache_from"))
            ok = _hatake_compose_get_strv (v, p, &b->cache_from, error);
          else if (g_str_equal (k, "tags"))
            ok = _hatake_compose_get_strv (v, p, &b->tags, error);
          else if (g_str_equal (k, "network"))
            ok = _hatake_compose_get_string (v, p, &b->network, error);
          if (!ok)
            return FALSE;
        }
    }
  if (context == NULL || _hatake_compose_node_is_null (context))
    b->context = g_strdup (node->dir);
  else
    {
      g_autofree char *p = node == context ? g_strdup (path) : _hatake_compose_child (path, "context");

      if (!_hatake_compose_expect (context, HATAKE_COMPOSE_NODE_SCALAR, p, error))
        return FALSE;
      /* a Git URL or another remote context stays as written */
      if (strstr (context->value, "://") != NULL || g_str_has_prefix (context->value, "git@"))
        b->context = g_strdup (context->value);
      else
        b->context = _hatake_compose_resolve_path (context, context->value, ctx->home);
    }
  if (b->dockerfile == NULL && b->dockerfile_inline == NULL)
    b->dockerfile = g_strdup ("Dockerfile");
  return TRUE;
}

static gboolean
read_env_file (HatakeComposeContext    *ctx,
               const HatakeComposeNode *node,
               const char              *path,
               const char              *file,
               gboolean                 required,
               GHashTable              *vars,
               GPtrArray               *order,
               GError                 **error)
{
  g_autofree char *abs = _hatake_compose_resolve_path (node, file, ctx->home);
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (abs, &data, &length, &local))
    {
      if (!required && g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      _hatake_compose_set_error (error, node, path, _("cannot read the env file %s: %s"), abs, local->message);
      return FALSE;
    }
  return _hatake_compose_dotenv_parse (data, length, abs, vars, order, ctx->env->vars, error);
}

/* env_file entries, then environment over them, in the order they were first written */
gboolean
_hatake_compose_parse_environment (HatakeComposeContext    *ctx,
                   HatakeComposeService    *s,
                   const HatakeComposeNode *svc,
                   const char              *path,
                   GError                 **error)
{
  HatakeComposeNode *env_file = _hatake_compose_node_lookup (svc, "env_file");
  HatakeComposeNode *environment = _hatake_compose_node_lookup (svc, "environment");
  g_autoptr(GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (env_file != NULL && !_hatake_compose_node_is_null (env_file))
    {
      g_autofree char *p = _hatake_compose_child (path, "env_file");
      guint n = env_file->kind == HATAKE_COMPOSE_NODE_SEQUENCE ? env_file->items->len : 1;

      if (env_file->kind == HATAKE_COMPOSE_NODE_MAPPING)
        return _hatake_compose_expect (env_file, HATAKE_COMPOSE_NODE_SEQUENCE, p, error);
      for (guint i = 0; i < n; i++)
        {
          HatakeComposeNode *e = env_file->kind == HATAKE_COMPOSE_NODE_SEQUENCE ?
                                 g_ptr_array_index (env_file->items, i) : env_file;
          g_autofree char *ip = env_file->kind == HATAKE_COMPOSE_NODE_SEQUENCE ? _hatake_compose_item (p, i) : g_strdup (p);
          gboolean required = TRUE;
          HatakeComposeNode *file = e;

          if (e->kind == HATAKE_COMPOSE_NODE_MAPPING)
            {
              static const char * const fields[] = { "path", "required", "format", NULL };
              HatakeComposeNode *r = _hatake_compose_node_lookup (e, "required");
              g_autofree char *rp = _hatake_compose_child (ip, "required");
              g_autofree char *pp = _hatake_compose_child (ip, "path");

              if (!_hatake_compose_check_keys (e, ip, fields, error) ||
                  (r != NULL && !_hatake_compose_get_bool (r, rp, &required, error)))
                return FALSE;
              file = _hatake_compose_node_lookup (e, "path");
              if (file == NULL)
                {
                  _hatake_compose_set_error (error, e, ip, _("an env_file entry needs a path"));
                  return FALSE;
                }
              if (!_hatake_compose_expect (file, HATAKE_COMPOSE_NODE_SCALAR, pp, error))
                return FALSE;
            }
          else if (!_hatake_compose_expect (e, HATAKE_COMPOSE_NODE_SCALAR, ip, error))
            return FALSE;
          if (!read_env_file (ctx, file, ip, file->value, required, vars, order, error))
            return FALSE;
        }
    }
  if (environment != NULL)
    {
      g_autofree char *p = _hatake_compose_child (path, "environment");
      g_auto(GStrv) pairs = NULL;

      if (!_hatake_compose_get_dict (environment, p, ctx->env, &pairs, error))
        return FALSE;
      for (guint i = 0; pairs[i] != NULL; i++)
        {
          char *eq = strchr (pairs[i], '=');
          g_autofree char *key = g_strndup (pairs[i], (gsize) (eq - pairs[i]));

          if (!g_hash_table_contains (vars, key))
            g_ptr_array_add (order, g_strdup (key));
          g_hash_table_replace (vars, g_steal_pointer (&key), g_strdup (eq + 1));
        }
    }
  for (guint i = 0; i < order->len; i++)
    {
      const char *key = g_ptr_array_index (order, i);
      g_autofree char *pair = g_strdup_printf ("%s=%s", key, (const char *) g_hash_table_lookup (vars, key));
      g_strv_builder_add (b, pair);
    }
  s->environment = g_strv_builder_end (b);
  return TRUE;
}

gboolean
_hatake_compose_parse_healthcheck (HatakeComposeService    *s,
                   const HatakeComposeNode *node,
                   const char              *path,
                   GError                 **error)
{
  static const char * const fields[] = { "test", "interval", "timeout", "retries", "start_period",
    "start_interval", "disable", NULL };
  HatakeComposeHealthcheck *h = g_new0 (HatakeComposeHealthcheck, 1);

  s->healthcheck = h;
  if (!_hatake_compose_check_keys (node, path, fields, error))
    return FALSE;
  for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
    {
      const char *k = _hatake_compose_node_key (node, i)->value;
      HatakeComposeNode *v = _hatake_compose_node_val (node, i);
      g_autofree char *p = _hatake_compose_child (path, k);
      gboolean ok = TRUE;
      gint64 n;

      if (g_str_equal (k, "test"))
        {
          if (v->kind == HATAKE_COMPOSE_NODE_SCALAR && !_hatake_compose_node_is_null (v))
            {
              g_strfreev (h->test);
              h->test = g_new0 (char *, 3);
              h->test[0] = g_strdup ("CMD-SHELL");
              h->test[1] = g_strdup (v->value);
            }
          else if ((ok = _hatake_compose_get_strv (v, p, &h->test, error)))
            {
              const char *first = h->test[0];

              if (first == NULL || (!g_str_equal (first, "CMD") && !g_str_equal (first, "CMD-SHELL") &&
                                    !g_str_equal (first, "NONE")) ||
                  (g_str_equal (first, "CMD-SHELL") && g_strv_length (h->test) != 2) ||
                  (g_str_equal (first, "CMD") && g_strv_length (h->test) < 2))
                {
                  _hatake_compose_set_error (error, v, p, _("expected a command line, [\"CMD\", args…], "
                                                            "[\"CMD-SHELL\", line] or [\"NONE\"]"));
                  return FALSE;
                }
              if (g_str_equal (first, "NONE"))
                h->disable = TRUE;
            }
        }
      else if (g_str_equal (k, "interval"))
        ok = _hatake_compose_get_duration (v, p, &h->interval, error);
      else if (g_str_equal (k, "timeout"))
        ok = _hatake_compose_get_duration (v, p, &h->timeout, error);
      else if (g_str_equal (k, "start_period"))
        ok = _hatake_compose_get_duration (v, p, &h->start_period, error);
      else if (g_str_equal (k, "start_interval"))
        ok = _hatake_compose_get_duration (v, p, &h->start_interval, error);
      else if (g_str_equal (k, "retries"))
        {
          ok = _hatake_compose_get_int (v, p, 0, G_MAXINT, &n, error);
          h->retries = (int) n;
        }
      else if (g_str_equal (k, "disable"))
        {
          gboolean disable = FALSE;
          ok = _hatake_compose_get_bool (v, p, &disable, error);
          h->disable = h->disable || disable;
        }
      if (!ok)
        return FALSE;
    }
  if (h->disable)
    {
      g_strfreev (h->test);
      h->test = g_new0 (char *, 2);
      h->test[0] = g_strdup ("NONE");
    }
  return TRUE;
}

gboolean
_hatake_compose_parse_deploy (HatakeComposeService    *s,
              const HatakeComposeNode *node,
              const char              *path,
              gboolean                *has_replicas,
              GError                 **error)
{
  static const char * const fields[] = { "mode", "replicas", "labels", "resources", "restart_policy",
    "placement", "update_config", "rollback_config", "endpoint_mode", NULL };
  static const char * const resources_fields[] = { "limits", "reservations", NULL };
  static const char * const limits_fields[] = { "cpus", "memory", "pids", NULL };
  static const char * const reservations_fields[] = { "cpus", "memory", "devices", "generic_resources", NULL };
  static const char * const restart_fields[] = { "condition", "delay", "max_attempts", "window", NULL };
  HatakeComposeNode *v, *r, *sub;

  if (!_hatake_compose_check_keys (node, path, fields, error))
    return FALSE;
  if ((v = _hatake_compose_node_lookup (node, "replicas")) != NULL && !_hatake_compose_node_is_null (v))
    {
      g_autofree char *p = _hatake_compose_child (path, "replicas");
      gint64 n;

      if (!_hatake_compose_get_int (v, p, 0, 10000, &n, error))
        return FALSE;
      s->replicas = (int) n;
      *has_replicas = TRUE;
    }
  if ((v = _hatake_compose_node_lookup (node, "resources")) != NULL)
    {
      g_autofree char *p = _hatake_compose_child (path, "resources");

      if (!_hatake_compose_check_keys (v, p, resources_fields, error))
        return FALSE;
      if ((r = _hatake_compose_node_lookup (v, "limits")) != NULL)
        {
          g_autofree char *lp = _hatake_compose_child (p, "limits");
          g_autofree char *cp = _hatake_compose_child (lp, "cpus");
          g_autofree char *mp = _hatake_compose_child (lp, "memory");
          g_autofree char *pp = _hatake_compose_child (lp, "pids");

          if (!_hatake_compose_check_keys (r, lp, limits_fields, error))
            return FALSE;
          if ((sub = _hatake_compose_node_lookup (r, "cpus")) != NULL && !_hatake_compose_get_cpus (sub, cp, &s->cpus, error))
            return FALSE;
          if ((sub = _hatake_compose_node_lookup (r, "memory")) != NULL && !_hatake_compose_get_size (sub, mp, &s->memory, error))
            return FALSE;
          if ((sub = _hatake_compose_node_lookup (r, "pids")) != NULL &&
              !_hatake_compose_get_int (sub, pp, -1, G_MAXINT64, &s->pids_limit, error))
            return FALSE;
        }
      if ((r = _hatake_compose_node_lookup (v, "reservations")) != NULL)
        {
          g_autofree char *lp = _hatake_compose_child (p, "reservations");
          g_autofree char *cp = _hatake_compose_child (lp, "cpus");
          g_autofree char *mp = _hatake_compose_child (lp, "memory");

          if (!_hatake_compose_check_keys (r, lp, reservations_fields, error))
            return FALSE;
          if ((sub = _hatake_compose_node_lookup (r, "cpus")) != NULL &&
              !_hatake_compose_get_cpus (sub, cp, &s->cpus_reservation, error))
            return FALSE;
          if ((sub = _hatake_compose_node_lookup (r, "memory")) != NULL &&
              !_hatake_compose_get_size (sub, mp, &s->memory_reservation, error))
            return FALSE;
        }
    }
  if ((v = _hatake_compose_node_lookup (node, "restart_policy")) != NULL)
    {
      g_autofree char *p = _hatake_compose_child (path, "restart_policy");
      g_autofree char *cp = _hatake_compose_child (p, "condition");
      g_autofree char *mp = _hatake_compose_child (p, "max_attempts");
      gint64 max = 0;

      if (!_hatake_compose_check_keys (v, p, restart_fields, error))
        return FALSE;
      if ((sub = _hatake_compose_node_lookup (v, "max_attempts")) != NULL &&
          !_hatake_compose_get_int (sub, mp, 0, G_MAXINT, &max, error))
        return FALSE;
      if ((sub = _hatake_compose_node_lookup (v, "condition")) != NULL)
        {
          if (!_hatake_compose_expect (sub, HATAKE_COMPOSE_NODE_SCALAR, cp, error))
            return FALSE;
          if (g_str_equal (sub->value, "none"))
            s->restart = HATAKE_RESTART_NO;
          else if (g_str_equal (sub->value, "any"))
            s->restart = HATAKE_RESTART_ALWAYS;
          else if (g_str_equal (sub->value, "on-failure"))
            {
              s->restart = HATAKE_RESTART_ON_FAILURE;
              s->restart_max = (guint) max;
            }
          else
            {
              _hatake_compose_set_error (error, sub, cp, _("expected none, on-failure or any, got “%s”"), sub->value);
              return FALSE;
            }
        }
    }
  return TRUE;
}

