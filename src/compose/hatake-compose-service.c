/* hatake-compose-service.c: one service's merged node read into a HatakeComposeService
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every field of the specification is known: those the model keeps are read and checked, the
 * others (logging, ulimits, devices…) are accepted with a warning that they are not used yet, and
 * any other name is refused as compose refuses it.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hatake-compose-private.h"

/* Read and used */
static const char * const service_fields[] = {
  "build", "cap_add", "cap_drop", "command", "configs", "container_name", "cpus", "depends_on",
  "deploy", "devices", "dns", "domainname", "entrypoint", "env_file", "environment", "expose", "extends",
  "extra_hosts", "group_add", "healthcheck", "hostname", "image", "init", "ipc", "labels", "links", "mem_limit",
  "mem_reservation", "memswap_limit", "cpu_shares", "cpuset", "network_mode", "networks", "oom_score_adj", "pid",
  "pids_limit", "platform", "ports", "privileged", "profiles", "pull_policy", "read_only", "restart", "scale", "secrets", "shm_size", "stdin_open",
  "stop_grace_period", "stop_signal", "sysctls", "tmpfs", "tty", "user", "uts", "volumes", "working_dir",
  NULL
};

/* In the specification, not in the model yet: accepted with a warning */
static const char * const service_fields_unused[] = {
  "annotations", "attach", "blkio_config", "cgroup", "cgroup_parent", "cpu_count", "cpu_percent",
  "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime",
  "credential_spec", "develop", "device_cgroup_rules", "dns_opt", "dns_search",
  "external_links", "gpus", "isolation", "logging", "mac_address",
  "mem_swappiness", "oom_kill_disable", "post_start",
  "pre_stop", "runtime", "security_opt", "storage_opt", "ulimits", "userns_mode",
  "volumes_from", NULL
};

/* pid, ipc, uts: docker's modes ("host", or a namespace of the container's own); another
 * service's or container's namespace is refused, Hatake cannot join one yet */
static gboolean
parse_namespace (const char               *kind,
                 const HatakeComposeNode  *node,
                 const char               *path,
                 char                    **mode,
                 GError                  **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_SCALAR, path, error))
    return FALSE;
  g_clear_pointer (mode, g_free);
  if (g_str_has_prefix (node->value, "service:"))
    {
      _hatake_compose_set_error (error, node, path, _("Hatake does not support another service's namespace yet "
                                                      "(only host, and private, the default)"));
      return FALSE;
    }
  if (!hatake_namespace_mode_parse (kind, node->value, mode, &local_error))
    {
      _hatake_compose_set_error (error, node, path, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
mount_free (HatakeComposeMount *m)
{
  g_free (m->source);
  g_free (m->target);
  g_free (m);
}

static void
service_network_free (HatakeComposeServiceNetwork *n)
{
  g_free (n->name);
  g_strfreev (n->aliases);
  g_free (n->ipv4_address);
  g_free (n->ipv6_address);
  g_free (n);
}

static void
dependency_free (HatakeComposeDependency *d)
{
  g_free (d->service);
  g_free (d);
}

static void
file_ref_free (HatakeComposeFileRef *r)
{
  g_free (r->source);
  g_free (r->target);
  g_free (r->uid);
  g_free (r->gid);
  g_free (r);
}

static void
build_free (HatakeComposeBuild *b)
{
  if (b == NULL)
    return;
  g_free (b->context);
  g_free (b->dockerfile);
  g_free (b->dockerfile_inline);
  g_strfreev (b->args);
  g_free (b->target);
  g_strfreev (b->labels);
  g_strfreev (b->cache_from);
  g_strfreev (b->tags);
  g_free (b->network);
  g_free (b);
}

static void
healthcheck_free (HatakeComposeHealthcheck *h)
{
  if (h == NULL)
    return;
  g_strfreev (h->test);
  g_free (h);
}

void
_hatake_compose_service_free (HatakeComposeService *s)
{
  if (s == NULL)
    return;
  g_free (s->name);
  g_free (s->image);
  build_free (s->build);
  g_strfreev (s->command);
  g_strfreev (s->entrypoint);
  g_strfreev (s->environment);
  g_clear_pointer (&s->ports, g_ptr_array_unref);
  g_strfreev (s->expose);
  g_clear_pointer (&s->volumes, g_ptr_array_unref);
  g_clear_pointer (&s->networks, g_ptr_array_unref);
  g_free (s->network_mode);
  g_free (s->pid);
  g_free (s->ipc);
  g_free (s->uts);
  g_free (s->cpuset);
  g_clear_pointer (&s->depends_on, g_ptr_array_unref);
  healthcheck_free (s->healthcheck);
  g_strfreev (s->labels);
  g_free (s->container_name);
  g_free (s->hostname);
  g_free (s->domainname);
  g_free (s->user);
  g_free (s->working_dir);
  g_strfreev (s->cap_add);
  g_strfreev (s->cap_drop);
  g_strfreev (s->sysctls);
  g_strfreev (s->extra_hosts);
  g_strfreev (s->devices);
  g_strfreev (s->group_add);
  g_strfreev (s->dns);
  g_free (s->stop_signal);
  g_strfreev (s->profiles);
  g_free (s->pull_policy);
  g_free (s->platform);
  g_clear_pointer (&s->secrets, g_ptr_array_unref);
  g_clear_pointer (&s->configs, g_ptr_array_unref);
  g_free (s);
}

/* A string (split as a shell would) or a list; "" clears. */
static gboolean
get_command (const HatakeComposeNode *node,
             const char              *path,
             GStrv                   *out,
             GError                 **error)
{
  g_clear_pointer (out, g_strfreev);
  if (_hatake_compose_node_is_null (node))
    return TRUE;
  if (node->kind == HATAKE_COMPOSE_NODE_SCALAR)
    {
      g_autoptr(GError) local = NULL;

      /* "" (or blanks) clears the image's, as an empty list does */
      if (strspn (node->value, " \t\n") == strlen (node->value))
        {
          *out = g_new0 (char *, 1);
          return TRUE;
        }
      if (!g_shell_parse_argv (node->value, NULL, out, &local))
        {
          _hatake_compose_set_error (error, node, path, _("expected a command line, got “%s”: %s"),
                                     node->value, local->message);
          return FALSE;
        }
      return TRUE;
    }
  return _hatake_compose_get_strv (node, path, out, error);
}

static gboolean
list_or_string (const HatakeComposeNode *node,
                const char              *path,
                GStrv                   *out,
                GError                 **error)
{
  if (node->kind == HATAKE_COMPOSE_NODE_SCALAR && !_hatake_compose_node_is_null (node))
    {
      g_strfreev (*out);
      *out = g_new0 (char *, 2);
      (*out)[0] = g_strdup (node->value);
      return TRUE;
    }
  return _hatake_compose_get_strv (node, path, out, error);
}

/* ---- fields -------------------------------------------------------------------------------- */

static gboolean
parse_networks (HatakeComposeContext    *ctx,
                HatakeComposeService    *s,
                const HatakeComposeNode *node,
                const char              *path,
                GError                 **error)
{
  static const char * const fields[] = { "aliases", "ipv4_address", "ipv6_address", "link_local_ips",
    "mac_address", "priority", "gw_priority", "driver_opts", "interface_name", NULL };
  g_autoptr(HatakeComposeNode) map = NULL;

  if (node->kind != HATAKE_COMPOSE_NODE_SEQUENCE && node->kind != HATAKE_COMPOSE_NODE_MAPPING)
    {
      _hatake_compose_set_error (error, node, path, _("expected a list or a mapping of networks"));
      return FALSE;
    }
  if (node->kind == HATAKE_COMPOSE_NODE_SEQUENCE)
    for (guint i = 0; i < node->items->len; i++)
      {
        g_autofree char *ip = _hatake_compose_item (path, i);
        if (!_hatake_compose_expect (g_ptr_array_index (node->items, i), HATAKE_COMPOSE_NODE_SCALAR, ip, error))
          return FALSE;
      }
  map = _hatake_compose_list_to_map (_hatake_compose_node_copy (node), '\0');
  for (guint i = 0; i < _hatake_compose_node_n_pairs (map); i++)
    {
      HatakeComposeNode *key = _hatake_compose_node_key (map, i);
      HatakeComposeNode *v = _hatake_compose_node_val (map, i);
      g_autofree char *np = _hatake_compose_child (path, key->value);
      HatakeComposeServiceNetwork *n = g_new0 (HatakeComposeServiceNetwork, 1);
      HatakeComposeNode *sub;

      n->name = g_strdup (key->value);
      g_ptr_array_add (s->networks, n);
      if (!g_hash_table_contains (ctx->networks, key->value))
        {
          _hatake_compose_set_error (error, key, path, _("service uses the undefined network “%s” (declare it under the "
                                                         "top-level networks)"), key->value);
          return FALSE;
        }
      if (_hatake_compose_node_is_null (v))
        continue;
      if (!_hatake_compose_check_keys (v, np, fields, error))
        return FALSE;
      if ((sub = _hatake_compose_node_lookup (v, "aliases")) != NULL)
        {
          g_autofree char *p = _hatake_compose_child (np, "aliases");
          if (!_hatake_compose_get_strv (sub, p, &n->aliases, error))
            return FALSE;
        }
      if ((sub = _hatake_compose_node_lookup (v, "ipv4_address")) != NULL)
        {
          g_autofree char *p = _hatake_compose_child (np, "ipv4_address");
          if (!_hatake_compose_get_string (sub, p, &n->ipv4_address, error))
            return FALSE;
        }
      if ((sub = _hatake_compose_node_lookup (v, "ipv6_address")) != NULL)
        {
          g_autofree char *p = _hatake_compose_child (np, "ipv6_address");
          if (!_hatake_compose_get_string (sub, p, &n->ipv6_address, error))
            return FALSE;
        }
      if ((sub = _hatake_compose_node_lookup (v, "priority")) != NULL)
        {
          g_autofree char *p = _hatake_compose_child (np, "priority");
          gint64 prio;
          if (!_hatake_compose_get_int (sub, p, G_MININT, G_MAXINT, &prio, error))
            return FALSE;
          n->priority = (int) prio;
        }
    }
  return TRUE;
}

static HatakeComposeDependency *
add_dependency (HatakeComposeService *s,
                const char           *name)
{
  HatakeComposeDependency *d;

  for (guint i = 0; i < s->depends_on->len; i++)
    if (g_str_equal (((HatakeComposeDependency *) g_ptr_array_index (s->depends_on, i))->service, name))
      return g_ptr_array_index (s->depends_on, i);
  d = g_new0 (HatakeComposeDependency, 1);
  d->service = g_strdup (name);
  d->condition = HATAKE_COMPOSE_CONDITION_STARTED;
  d->required = TRUE;
  g_ptr_array_add (s->depends_on, d);
  return d;
}

static gboolean
check_service_ref (HatakeComposeContext    *ctx,
                   const HatakeComposeNode *node,
                   const char              *path,
                   const char              *name,
                   GError                 **error)
{
  if (g_hash_table_contains (ctx->services, name))
    return TRUE;
  _hatake_compose_set_error (error, node, path, _("depends on the undefined service “%s”"), name);
  return FALSE;
}

static gboolean
parse_depends_on (HatakeComposeContext    *ctx,
                  HatakeComposeService    *s,
                  const HatakeComposeNode *node,
                  const char              *path,
                  GError                 **error)
{
  static const char * const fields[] = { "condition", "restart", "required", NULL };
  static const char * const conditions[] = { "service_started", "service_healthy",
    "service_completed_successfully", NULL };
  g_autoptr(HatakeComposeNode) map = NULL;

  if (node->kind != HATAKE_COMPOSE_NODE_SEQUENCE && node->kind != HATAKE_COMPOSE_NODE_MAPPING)
    {
      _hatake_compose_set_error (error, node, path, _("expected a list or a mapping of services"));
      return FALSE;
    }
  if (node->kind == HATAKE_COMPOSE_NODE_SEQUENCE)
    for (guint i = 0; i < node->items->len; i++)
      {
        g_autofree char *ip = _hatake_compose_item (path, i);
        if (!_hatake_compose_expect (g_ptr_array_index (node->items, i), HATAKE_COMPOSE_NODE_SCALAR, ip, error))
          return FALSE;
      }
  map = _hatake_compose_list_to_map (_hatake_compose_node_copy (node), '\0');
  for (guint i = 0; i < _hatake_compose_node_n_pairs (map); i++)
    {
      HatakeComposeNode *key = _hatake_compose_node_key (map, i);
      HatakeComposeNode *v = _hatake_compose_node_val (map, i);
      g_autofree char *dp = _hatake_compose_child (path, key->value);
      gboolean required = TRUE, restart = FALSE;
      int condition = HATAKE_COMPOSE_CONDITION_STARTED;
      HatakeComposeNode *sub;
      HatakeComposeDependency *d;

      if (!_hatake_compose_node_is_null (v))
        {
          if (!_hatake_compose_check_keys (v, dp, fields, error))
            return FALSE;
          if ((sub = _hatake_compose_node_lookup (v, "condition")) != NULL)
            {
              g_autofree char *p = _hatake_compose_child (dp, "condition");
              condition = -1;
              for (guint c = 0; conditions[c] != NULL; c++)
                if (sub->kind == HATAKE_COMPOSE_NODE_SCALAR && g_str_equal (sub->value, conditions[c]))
                  condition = (int) c;
              if (condition < 0)
                {
                  _hatake_compose_set_error (error, sub, p, _("expected service_started, service_healthy or "
                                                              "service_completed_successfully"));
                  return FALSE;
                }
            }
          if ((sub = _hatake_compose_node_lookup (v, "restart")) != NULL)
            {
              g_autofree char *p = _hatake_compose_child (dp, "restart");
              if (!_hatake_compose_get_bool (sub, p, &restart, error))
                return FALSE;
            }
          if ((sub = _hatake_compose_node_lookup (v, "required")) != NULL)
            {
              g_autofree char *p = _hatake_compose_child (dp, "required");
              if (!_hatake_compose_get_bool (sub, p, &required, error))
                return FALSE;
            }
        }
      if (!g_hash_table_contains (ctx->services, key->value) && !required)
        {
          g_autofree char *where = _hatake_compose_where (key);
          g_ptr_array_add (ctx->warnings, g_strdup_printf (_("%s: %s: the optional dependency “%s” is not defined, "
                                                              "ignored"), where, path, key->value));
          continue;
        }
      if (!check_service_ref (ctx, key, path, key->value, error))
        return FALSE;
      d = add_dependency (s, key->value);
      d->condition = (HatakeComposeCondition) condition;
      d->restart = restart;
      d->required = required;
    }
  return TRUE;
}

static gboolean
parse_restart (HatakeComposeService    *s,
               const HatakeComposeNode *node,
               const char              *path,
               GError                 **error)
{
  static const char * const names[] = { "no", "always", "on-failure", "unless-stopped" };
  g_autofree char *name = NULL;
  char *colon;
  guint64 max = 0;

  if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_SCALAR, path, error))
    return FALSE;
  name = g_strdup (node->value);
  colon = strchr (name, ':');
  if (colon != NULL)
    {
      *colon = '\0';
      if (!g_str_equal (name, "on-failure") || !g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXINT, &max, NULL))
        goto bad;
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i]))
      {
        s->restart = (HatakeRestartPolicy) i;
        s->restart_max = (guint) max;
        return TRUE;
      }
bad:
  _hatake_compose_set_error (error, node, path, _("expected no, always, on-failure[:N] or unless-stopped, got “%s”"),
                             node->value);
  return FALSE;
}

static void
file_refs_init (GPtrArray **refs)
{
  if (*refs == NULL)
    *refs = g_ptr_array_new_with_free_func ((GDestroyNotify) file_ref_free);
}

static gboolean
parse_file_refs (GHashTable              *declared,
                 const char              *what,
                 GPtrArray               *refs,
                 const HatakeComposeNode *node,
                 const char              *path,
                 GError                 **error)
{
  static const char * const fields[] = { "source", "target", "uid", "gid", "mode", NULL };

  if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_SEQUENCE, path, error))
    return FALSE;
  for (guint i = 0; i < node->items->len; i++)
    {
      HatakeComposeNode *e = g_ptr_array_index (node->items, i);
      g_autofree char *ip = _hatake_compose_item (path, i);
      HatakeComposeFileRef *r = g_new0 (HatakeComposeFileRef, 1);
      HatakeComposeNode *source = e;
      HatakeComposeNode *sub;

      r->mode = -1;
      g_ptr_array_add (refs, r);
      if (e->kind == HATAKE_COMPOSE_NODE_MAPPING)
        {
          g_autofree char *sp = _hatake_compose_child (ip, "source");
          g_autofree char *tp = _hatake_compose_child (ip, "target");
          g_autofree char *up = _hatake_compose_child (ip, "uid");
          g_autofree char *gp = _hatake_compose_child (ip, "gid");
          g_autofree char *mp = _hatake_compose_child (ip, "mode");

          if (!_hatake_compose_check_keys (e, ip, fields, error))
            return FALSE;
          source = _hatake_compose_node_lookup (e, "source");
          if (source == NULL)
            {
              _hatake_compose_set_error (error, e, ip, _("needs a source"));
              return FALSE;
            }
          if (!_hatake_compose_expect (source, HATAKE_COMPOSE_NODE_SCALAR, sp, error))
            return FALSE;
          if (((sub = _hatake_compose_node_lookup (e, "target")) && !_hatake_compose_get_string (sub, tp, &r->target, error)) ||
              ((sub = _hatake_compose_node_lookup (e, "uid")) && !_hatake_compose_get_string (sub, up, &r->uid, error)) ||
              ((sub = _hatake_compose_node_lookup (e, "gid")) && !_hatake_compose_get_string (sub, gp, &r->gid, error)))
            return FALSE;
          if ((sub = _hatake_compose_node_lookup (e, "mode")) != NULL)
            {
              guint64 mode;

              if (sub->kind != HATAKE_COMPOSE_NODE_SCALAR ||
                  !g_ascii_string_to_unsigned (g_str_has_prefix (sub->value, "0o") ? sub->value + 2 : sub->value,
                                               8, 0, 07777, &mode, NULL))
                {
                  _hatake_compose_set_error (error, sub, mp, _("expected an octal mode such as 0440"));
                  return FALSE;
                }
              r->mode = (int) mode;
            }
        }
      else if (!_hatake_compose_expect (e, HATAKE_COMPOSE_NODE_SCALAR, ip, error))
        return FALSE;
      r->source = g_strdup (source->value);
      if (!g_hash_table_contains (declared, r->source))
        {
          /* TRANSLATORS: the first %s is "secret" or "config" */
          _hatake_compose_set_error (error, source, ip, _("service uses the undefined %s “%s”"), what, r->source);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
is_name (const char *text,
         gboolean    dots)
{
  if (!g_ascii_isalnum (text[0]))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && !(dots && *p == '.'))
      return FALSE;
  return TRUE;
}

/* devices: HOST[:CONTAINER][:PERMISSIONS] each, as docker's --device, kept as the engine keeps
 * them (HOST:CONTAINER:PERMISSIONS) */
static gboolean
parse_devices (HatakeComposeService    *s,
               const HatakeComposeNode *v,
               const char              *p,
               GError                 **error)
{
  g_auto(GStrv) texts = NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (!_hatake_compose_get_strv (v, p, &texts, error))
    return FALSE;
  for (guint i = 0; texts[i] != NULL; i++)
    {
      g_autofree char *host = NULL, *container = NULL, *permissions = NULL;
      g_autoptr(GError) local = NULL;

      if (!hatake_device_parse (texts[i], &host, &container, &permissions, &local))
        {
          _hatake_compose_set_error (error, g_ptr_array_index (v->items, i), p, "%s", local->message);
          return FALSE;
        }
      g_autofree char *device = g_strdup_printf ("%s:%s:%s", host, container, permissions);

      g_strv_builder_add (b, device);
    }
  g_clear_pointer (&s->devices, g_strfreev);
  s->devices = g_strv_builder_end (b);
  return TRUE;
}

static gboolean
parse_extra_hosts (HatakeComposeService    *s,
                   const HatakeComposeNode *node,
                   const char              *path,
                   GError                 **error)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (node->kind == HATAKE_COMPOSE_NODE_MAPPING)
    {
      for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
        {
          HatakeComposeNode *key = _hatake_compose_node_key (node, i);
          HatakeComposeNode *v = _hatake_compose_node_val (node, i);
          g_autofree char *p = _hatake_compose_child (path, key->value);
          g_autofree char *pair = NULL;

          if (!_hatake_compose_expect (v, HATAKE_COMPOSE_NODE_SCALAR, p, error))
            return FALSE;
          pair = g_strdup_printf ("%s:%s", key->value, v->value);
          g_strv_builder_add (b, pair);
        }
    }
  else
    {
      g_auto(GStrv) list = NULL;

      if (!_hatake_compose_get_strv (node, path, &list, error))
        return FALSE;
      for (guint i = 0; list[i] != NULL; i++)
        {
          gsize n = strcspn (list[i], ":=");
          g_autofree char *pair = NULL;

          if (list[i][n] == '\0' || n == 0)
            {
              g_autofree char *ip = _hatake_compose_item (path, i);
              _hatake_compose_set_error (error, g_ptr_array_index (node->items, i), ip,
                                         _("expected HOST:IP, got “%s”"), list[i]);
              return FALSE;
            }
          pair = g_strdup_printf ("%.*s:%s", (int) n, list[i], list[i] + n + 1);
          g_strv_builder_add (b, pair);
        }
    }
  s->extra_hosts = g_strv_builder_end (b);
  return TRUE;
}

static gboolean
check_pull_policy (const HatakeComposeNode *node,
                   const char              *path,
                   const char              *policy,
                   GError                 **error)
{
  static const char * const policies[] = { "always", "never", "missing", "build", "if_not_present",
    "daily", "weekly", "refresh", NULL };
  gint64 every;

  if (g_strv_contains (policies, policy) ||
      (g_str_has_prefix (policy, "every_") && _hatake_compose_parse_duration (policy + 6, &every)))
    return TRUE;
  _hatake_compose_set_error (error, node, path, _("expected always, never, missing, build, daily, weekly or "
                                                  "every_DURATION, got “%s”"), policy);
  return FALSE;
}

static gboolean
check_expose (const HatakeComposeNode *node,
              const char              *path,
              GStrv                    expose,
              GError                 **error)
{
  for (guint i = 0; expose[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_port_free);

      if (strchr (expose[i], ':') != NULL || !_hatake_compose_parse_port (expose[i], ports))
        {
          g_autofree char *ip = _hatake_compose_item (path, i);
          _hatake_compose_set_error (error, g_ptr_array_index (node->items, i), ip,
                                     _("expected PORT[-PORT][/tcp|udp], got “%s”"), expose[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static int
compare_dependencies (gconstpointer a,
                      gconstpointer b)
{
  const HatakeComposeDependency *da = *(HatakeComposeDependency * const *) a;
  const HatakeComposeDependency *db = *(HatakeComposeDependency * const *) b;

  return strcmp (da->service, db->service);
}

static gboolean
parse_field (HatakeComposeContext    *ctx,
             HatakeComposeService    *s,
             const char              *k,
             HatakeComposeNode       *v,
             const char              *p,
             gboolean                *has_replicas,
             GError                 **error)
{
  gint64 n;

  if (g_str_equal (k, "image"))
    return _hatake_compose_get_string (v, p, &s->image, error);
  if (g_str_equal (k, "build"))
    return _hatake_compose_parse_build (ctx, s, v, p, error);
  if (g_str_equal (k, "command"))
    return get_command (v, p, &s->command, error);
  if (g_str_equal (k, "entrypoint"))
    return get_command (v, p, &s->entrypoint, error);
  if (g_str_equal (k, "environment") || g_str_equal (k, "env_file") || g_str_equal (k, "extends"))
    return TRUE;   /* read after the loop (environment) or before (extends) */
  if (g_str_equal (k, "ports"))
    return _hatake_compose_parse_ports (s, v, p, error);
  if (g_str_equal (k, "expose"))
    return _hatake_compose_get_strv (v, p, &s->expose, error) && check_expose (v, p, s->expose, error);
  if (g_str_equal (k, "volumes"))
    {
      if (!_hatake_compose_expect (v, HATAKE_COMPOSE_NODE_SEQUENCE, p, error))
        return FALSE;
      for (guint i = 0; i < v->items->len; i++)
        {
          HatakeComposeNode *e = g_ptr_array_index (v->items, i);
          g_autofree char *ip = _hatake_compose_item (p, i);

          if (e->kind == HATAKE_COMPOSE_NODE_MAPPING ? !_hatake_compose_parse_volume_long (ctx, s, e, ip, error) :
              !_hatake_compose_expect (e, HATAKE_COMPOSE_NODE_SCALAR, ip, error) ||
              !_hatake_compose_parse_volume_short (ctx, s, e, ip, error))
            return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (k, "tmpfs"))
    {
      g_auto(GStrv) list = NULL;

      if (!list_or_string (v, p, &list, error))
        return FALSE;
      for (guint i = 0; list[i] != NULL; i++)
        {
          g_autofree char *ip = v->kind == HATAKE_COMPOSE_NODE_SEQUENCE ? _hatake_compose_item (p, i) : g_strdup (p);
          HatakeComposeNode *e = v->kind == HATAKE_COMPOSE_NODE_SEQUENCE ? g_ptr_array_index (v->items, i) : v;

          if (!_hatake_compose_parse_tmpfs_spec (s, e, ip, error))
            return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (k, "networks"))
    return parse_networks (ctx, s, v, p, error);
  if (g_str_equal (k, "network_mode"))
    return _hatake_compose_get_string (v, p, &s->network_mode, error);
  if (g_str_equal (k, "pid") || g_str_equal (k, "ipc") || g_str_equal (k, "uts"))
    return parse_namespace (k, v, p, k[0] == 'p' ? &s->pid : k[0] == 'i' ? &s->ipc : &s->uts, error);
  if (g_str_equal (k, "depends_on"))
    return parse_depends_on (ctx, s, v, p, error);
  if (g_str_equal (k, "links"))
    {
      g_auto(GStrv) links = NULL;

      if (!_hatake_compose_get_strv (v, p, &links, error))
        return FALSE;
      for (guint i = 0; links[i] != NULL; i++)
        {
          g_autofree char *service = g_strndup (links[i], strcspn (links[i], ":"));
          g_autofree char *ip = _hatake_compose_item (p, i);

          if (!check_service_ref (ctx, g_ptr_array_index (v->items, i), ip, service, error))
            return FALSE;
          add_dependency (s, service);
        }
      return TRUE;
    }
  if (g_str_equal (k, "healthcheck"))
    return _hatake_compose_parse_healthcheck (s, v, p, error);
  if (g_str_equal (k, "restart"))
    return parse_restart (s, v, p, error);
  if (g_str_equal (k, "deploy"))
    return _hatake_compose_node_is_null (v) || _hatake_compose_parse_deploy (s, v, p, has_replicas, error);
  if (g_str_equal (k, "scale"))
    {
      if (!_hatake_compose_get_int (v, p, 0, 10000, &n, error))
        return FALSE;
      if (!*has_replicas)
        s->replicas = (int) n;
      return TRUE;
    }
  if (g_str_equal (k, "cpus"))
    return s->cpus > 0 || _hatake_compose_get_cpus (v, p, &s->cpus, error);
  if (g_str_equal (k, "mem_limit"))
    return s->memory > 0 || _hatake_compose_get_size (v, p, &s->memory, error);
  if (g_str_equal (k, "mem_reservation"))
    return s->memory_reservation > 0 || _hatake_compose_get_size (v, p, &s->memory_reservation, error);
  if (g_str_equal (k, "pids_limit"))
    return s->pids_limit != 0 || _hatake_compose_get_int (v, p, -1, G_MAXINT64, &s->pids_limit, error);
  if (g_str_equal (k, "shm_size"))
    return _hatake_compose_get_size (v, p, &s->shm_size, error);
  if (g_str_equal (k, "memswap_limit"))
    {
      /* (-1: unlimited swap) */
      if (v->kind == HATAKE_COMPOSE_NODE_SCALAR && g_strcmp0 (v->value, "-1") == 0)
        {
          s->memory_swap = -1;
          return TRUE;
        }
      return _hatake_compose_get_size (v, p, &s->memory_swap, error);
    }
  if (g_str_equal (k, "cpu_shares"))
    return _hatake_compose_get_int (v, p, 0, 262144, &s->cpu_shares, error);
  /* (the list is checked by the engine at create, as docker's daemon checks it) */
  if (g_str_equal (k, "cpuset"))
    return _hatake_compose_get_string (v, p, &s->cpuset, error);
  if (g_str_equal (k, "oom_score_adj"))
    return _hatake_compose_get_int (v, p, -1000, 1000, &s->oom_score_adj, error);
  if (g_str_equal (k, "labels"))
    return _hatake_compose_get_dict (v, p, NULL, &s->labels, error);
  if (g_str_equal (k, "sysctls"))
    return _hatake_compose_get_dict (v, p, NULL, &s->sysctls, error);
  if (g_str_equal (k, "extra_hosts"))
    return parse_extra_hosts (s, v, p, error);
  if (g_str_equal (k, "devices"))
    return parse_devices (s, v, p, error);
  if (g_str_equal (k, "group_add"))
    return _hatake_compose_get_strv (v, p, &s->group_add, error);
  if (g_str_equal (k, "dns"))
    return list_or_string (v, p, &s->dns, error);
  if (g_str_equal (k, "container_name"))
    {
      if (!_hatake_compose_get_string (v, p, &s->container_name, error))
        return FALSE;
      if (s->container_name != NULL && !is_name (s->container_name, TRUE))
        {
          _hatake_compose_set_error (error, v, p, _("expected a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), got “%s”"),
                                     s->container_name);
          return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (k, "hostname"))
    return _hatake_compose_get_string (v, p, &s->hostname, error);
  if (g_str_equal (k, "domainname"))
    return _hatake_compose_get_string (v, p, &s->domainname, error);
  if (g_str_equal (k, "user"))
    return _hatake_compose_get_string (v, p, &s->user, error);
  if (g_str_equal (k, "working_dir"))
    return _hatake_compose_get_string (v, p, &s->working_dir, error);
  if (g_str_equal (k, "cap_add"))
    return _hatake_compose_get_strv (v, p, &s->cap_add, error);
  if (g_str_equal (k, "cap_drop"))
    return _hatake_compose_get_strv (v, p, &s->cap_drop, error);
  if (g_str_equal (k, "init"))
    return _hatake_compose_get_bool (v, p, &s->init, error);
  if (g_str_equal (k, "privileged"))
    return _hatake_compose_get_bool (v, p, &s->privileged, error);
  if (g_str_equal (k, "read_only"))
    return _hatake_compose_get_bool (v, p, &s->read_only, error);
  if (g_str_equal (k, "tty"))
    return _hatake_compose_get_bool (v, p, &s->tty, error);
  if (g_str_equal (k, "stdin_open"))
    return _hatake_compose_get_bool (v, p, &s->stdin_open, error);
  if (g_str_equal (k, "stop_signal"))
    return _hatake_compose_get_string (v, p, &s->stop_signal, error);
  if (g_str_equal (k, "stop_grace_period"))
    return _hatake_compose_get_duration (v, p, &s->stop_grace_period, error);
  if (g_str_equal (k, "profiles"))
    {
      if (!_hatake_compose_get_strv (v, p, &s->profiles, error))
        return FALSE;
      for (guint i = 0; s->profiles[i] != NULL; i++)
        if (!is_name (s->profiles[i], TRUE))
          {
            g_autofree char *ip = _hatake_compose_item (p, i);
            _hatake_compose_set_error (error, g_ptr_array_index (v->items, i), ip,
                                       _("expected a profile name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), got “%s”"), s->profiles[i]);
            return FALSE;
          }
      return TRUE;
    }
  if (g_str_equal (k, "pull_policy"))
    return _hatake_compose_get_string (v, p, &s->pull_policy, error) &&
           (s->pull_policy == NULL || check_pull_policy (v, p, s->pull_policy, error));
  if (g_str_equal (k, "platform"))
    return _hatake_compose_get_string (v, p, &s->platform, error);
  if (g_str_equal (k, "secrets"))
    {
      file_refs_init (&s->secrets);
      return parse_file_refs (ctx->secrets, "secret", s->secrets, v, p, error);
    }
  if (g_str_equal (k, "configs"))
    {
      file_refs_init (&s->configs);
      return parse_file_refs (ctx->configs, "config", s->configs, v, p, error);
    }
  g_assert_not_reached ();
}

HatakeComposeService *
_hatake_compose_service_parse (HatakeComposeContext  *ctx,
                               const char            *name,
                               HatakeComposeNode     *node,
                               GError               **error)
{
  g_autoptr(HatakeComposeService) s = g_new0 (HatakeComposeService, 1);
  g_autofree char *path = g_strdup_printf ("services.%s", name);
  gboolean has_replicas = FALSE;

  s->name = g_strdup (name);
  s->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_port_free);
  s->volumes = g_ptr_array_new_with_free_func ((GDestroyNotify) mount_free);
  s->networks = g_ptr_array_new_with_free_func ((GDestroyNotify) service_network_free);
  s->depends_on = g_ptr_array_new_with_free_func ((GDestroyNotify) dependency_free);
  file_refs_init (&s->secrets);
  file_refs_init (&s->configs);
  s->replicas = 1;
  s->stop_grace_period = -1;

  if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_MAPPING, path, error))
    return NULL;
  /* deploy first: its limits win over the older cpus, mem_limit, pids_limit and scale */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
      {
        HatakeComposeNode *key = _hatake_compose_node_key (node, i);
        HatakeComposeNode *v = _hatake_compose_node_val (node, i);
        g_autofree char *p = _hatake_compose_child (path, key->value);

        if ((pass == 0) != g_str_equal (key->value, "deploy"))
          continue;
        if (g_str_has_prefix (key->value, "x-"))
          continue;
        if (g_strv_contains (service_fields_unused, key->value))
          {
            g_autofree char *where = _hatake_compose_where (key);
            g_ptr_array_add (ctx->warnings, g_strdup_printf (_("%s: %s: not supported yet, ignored"), where, p));
            continue;
          }
        if (!g_strv_contains (service_fields, key->value))
          {
            _hatake_compose_set_error (error, key, path, _("unknown field “%s”"), key->value);
            return NULL;
          }
        if (!parse_field (ctx, s, key->value, v, p, &has_replicas, error))
          return NULL;
      }
  if (!_hatake_compose_parse_environment (ctx, s, node, path, error))
    return NULL;
  if (s->image == NULL && s->build == NULL)
    {
      _hatake_compose_set_error (error, node, path, _("a service needs an image or a build"));
      return NULL;
    }
  if (s->network_mode != NULL)
    {
      if (_hatake_compose_node_lookup (node, "networks") != NULL)
        {
          _hatake_compose_set_error (error, _hatake_compose_node_lookup (node, "network_mode"), path,
                                     _("network_mode and networks cannot be used together"));
          return NULL;
        }
      if (g_str_has_prefix (s->network_mode, "service:"))
        {
          g_autofree char *p = _hatake_compose_child (path, "network_mode");

          if (!check_service_ref (ctx, _hatake_compose_node_lookup (node, "network_mode"), p, s->network_mode + 8, error))
            return NULL;
          add_dependency (s, s->network_mode + 8);
        }
    }
  else if (s->networks->len == 0)
    {
      HatakeComposeServiceNetwork *n = g_new0 (HatakeComposeServiceNetwork, 1);

      n->name = g_strdup ("default");
      g_ptr_array_add (s->networks, n);
    }
  if (s->container_name != NULL && s->replicas > 1)
    {
      _hatake_compose_set_error (error, _hatake_compose_node_lookup (node, "container_name"), path,
                                 _("container_name is set, so the service cannot have %d replicas"), s->replicas);
      return NULL;
    }
  g_ptr_array_sort (s->depends_on, compare_dependencies);
  return g_steal_pointer (&s);
}
