/* hatake-compose-service-mounts.c: a service's ports, volumes and tmpfs
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Short forms ("8080:80/udp", "./data:/data:ro") and long ones (mappings) become the same structs;
 * bind sources become absolute, named volumes must be declared at the top level.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hatake-compose-private.h"

gboolean
_hatake_compose_parse_ports (HatakeComposeService    *s,
             const HatakeComposeNode *node,
             const char              *path,
             GError                 **error)
{
  static const char * const fields[] = { "name", "target", "published", "host_ip", "protocol", "app_protocol",
    "mode", NULL };

  if (!_hatake_compose_expect (node, HATAKE_COMPOSE_NODE_SEQUENCE, path, error))
    return FALSE;
  for (guint i = 0; i < node->items->len; i++)
    {
      HatakeComposeNode *p = g_ptr_array_index (node->items, i);
      g_autofree char *ip = _hatake_compose_item (path, i);

      if (p->kind == HATAKE_COMPOSE_NODE_SCALAR && !_hatake_compose_node_is_null (p))
        {
          if (!_hatake_compose_parse_port (p->value, s->ports))
            {
              _hatake_compose_set_error (error, p, ip, _("expected [ip:][host:]container[/tcp|udp], got “%s”"), p->value);
              return FALSE;
            }
          continue;
        }
      if (!_hatake_compose_check_keys (p, ip, fields, error))
        return FALSE;
      {
        HatakeComposePort *port = g_new0 (HatakeComposePort, 1);
        HatakeComposeNode *target = _hatake_compose_node_lookup (p, "target");
        HatakeComposeNode *published = _hatake_compose_node_lookup (p, "published");
        HatakeComposeNode *v;
        gint64 n;

        g_ptr_array_add (s->ports, port);
        port->protocol = g_strdup ("tcp");
        port->mode = g_strdup ("ingress");
        if (target == NULL)
          {
            _hatake_compose_set_error (error, p, ip, _("a port needs a target"));
            return FALSE;
          }
        {
          g_autofree char *tp = _hatake_compose_child (ip, "target");
          if (!_hatake_compose_get_int (target, tp, 1, 65535, &n, error))
            return FALSE;
          port->target = port->target_end = (guint16) n;
        }
        if (published != NULL && !_hatake_compose_node_is_null (published))
          {
            g_autofree char *pp = _hatake_compose_child (ip, "published");
            g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_port_free);
            g_autofree char *spec = NULL;

            if (!_hatake_compose_expect (published, HATAKE_COMPOSE_NODE_SCALAR, pp, error))
              return FALSE;
            spec = g_strdup_printf ("%s:1", published->value);
            if (!_hatake_compose_parse_port (spec, one))
              {
                _hatake_compose_set_error (error, published, pp, _("expected a port or a range of ports, got “%s”"),
                                           published->value);
                return FALSE;
              }
            port->published = ((HatakeComposePort *) g_ptr_array_index (one, 0))->published;
            port->published_end = ((HatakeComposePort *) g_ptr_array_index (one, 0))->published_end;
          }
        if ((v = _hatake_compose_node_lookup (p, "host_ip")) != NULL)
          {
            g_autofree char *hp = _hatake_compose_child (ip, "host_ip");
            if (!_hatake_compose_get_string (v, hp, &port->host_ip, error))
              return FALSE;
          }
        if ((v = _hatake_compose_node_lookup (p, "name")) != NULL)
          {
            g_autofree char *np = _hatake_compose_child (ip, "name");
            if (!_hatake_compose_get_string (v, np, &port->name, error))
              return FALSE;
          }
        if ((v = _hatake_compose_node_lookup (p, "protocol")) != NULL)
          {
            g_autofree char *pp = _hatake_compose_child (ip, "protocol");
            if (!_hatake_compose_get_string (v, pp, &port->protocol, error))
              return FALSE;
            if (port->protocol == NULL)
              port->protocol = g_strdup ("tcp");
            if (!g_str_equal (port->protocol, "tcp") && !g_str_equal (port->protocol, "udp") &&
                !g_str_equal (port->protocol, "sctp"))
              {
                _hatake_compose_set_error (error, v, pp, _("expected tcp, udp or sctp, got “%s”"), port->protocol);
                return FALSE;
              }
          }
        if ((v = _hatake_compose_node_lookup (p, "mode")) != NULL)
          {
            g_autofree char *mp = _hatake_compose_child (ip, "mode");
            if (!_hatake_compose_get_string (v, mp, &port->mode, error))
              return FALSE;
            if (port->mode == NULL)
              port->mode = g_strdup ("ingress");
            if (!g_str_equal (port->mode, "ingress") && !g_str_equal (port->mode, "host"))
              {
                _hatake_compose_set_error (error, v, mp, _("expected ingress or host, got “%s”"), port->mode);
                return FALSE;
              }
          }
      }
    }
  return TRUE;
}

static gboolean
check_volume_key (HatakeComposeContext    *ctx,
                  const HatakeComposeNode *node,
                  const char              *path,
                  const char              *name,
                  GError                 **error)
{
  if (g_hash_table_contains (ctx->volumes, name))
    return TRUE;
  _hatake_compose_set_error (error, node, path, _("service uses the undefined volume “%s” (declare it under the "
                                                  "top-level volumes, or write a path: ./%s)"), name, name);
  return FALSE;
}

gboolean
_hatake_compose_parse_tmpfs_spec (HatakeComposeService    *s,
                  const HatakeComposeNode *node,
                  const char              *path,
                  GError                 **error)
{
  g_auto(GStrv) parts = g_strsplit (node->value, ":", 2);
  HatakeComposeMount *m = g_new0 (HatakeComposeMount, 1);

  m->type = HATAKE_COMPOSE_MOUNT_TMPFS;
  m->target = g_strdup (parts[0] != NULL ? parts[0] : "");   /* "" splits into no parts at all */
  g_ptr_array_add (s->volumes, m);
  if (!g_path_is_absolute (m->target))
    {
      _hatake_compose_set_error (error, node, path, _("expected an absolute path in the container, got “%s”"), node->value);
      return FALSE;
    }
  if (parts[1] != NULL)
    {
      g_auto(GStrv) options = g_strsplit (parts[1], ",", -1);

      for (guint i = 0; options[i] != NULL; i++)
        {
          guint64 mode;

          if (g_str_has_prefix (options[i], "size=") && !_hatake_compose_parse_size (options[i] + 5, &m->tmpfs_size))
            {
              _hatake_compose_set_error (error, node, path, _("expected a size such as 64m, got “%s”"), options[i] + 5);
              return FALSE;
            }
          if (g_str_has_prefix (options[i], "mode="))
            {
              if (!g_ascii_string_to_unsigned (options[i] + 5, 8, 0, 07777, &mode, NULL))
                {
                  _hatake_compose_set_error (error, node, path, _("expected an octal mode such as 1777, got “%s”"),
                                             options[i] + 5);
                  return FALSE;
                }
              m->tmpfs_mode = (guint) mode;
            }
          if (g_str_equal (options[i], "ro"))
            m->read_only = TRUE;
        }
    }
  return TRUE;
}

gboolean
_hatake_compose_parse_volume_short (HatakeComposeContext    *ctx,
                    HatakeComposeService    *s,
                    const HatakeComposeNode *node,
                    const char              *path,
                    GError                 **error)
{
  static const char * const modes[] = { "ro", "rw", "z", "Z", "nocopy", "consistent", "cached", "delegated",
    "shared", "slave", "private", "rshared", "rslave", "rprivate", "copy", NULL };
  g_auto(GStrv) parts = g_strsplit (node->value, ":", -1);
  guint n = g_strv_length (parts);
  HatakeComposeMount *m;
  const char *source = n >= 2 ? parts[0] : NULL;
  const char *target = n >= 2 ? parts[1] : parts[0];

  if (n == 0 || n > 3 || target[0] != '/' || (source != NULL && source[0] == '\0'))
    {
      _hatake_compose_set_error (error, node, path, _("expected [source:]/target[:ro|rw], got “%s”"), node->value);
      return FALSE;
    }
  m = g_new0 (HatakeComposeMount, 1);
  g_ptr_array_add (s->volumes, m);
  m->target = g_strdup (target);
  if (source == NULL)
    m->type = HATAKE_COMPOSE_MOUNT_VOLUME;
  else if (source[0] == '/' || source[0] == '.' || source[0] == '~')
    {
      m->type = HATAKE_COMPOSE_MOUNT_BIND;
      m->source = _hatake_compose_resolve_path (node, source, ctx->home);
      m->create_host_path = TRUE;
    }
  else
    {
      m->type = HATAKE_COMPOSE_MOUNT_VOLUME;
      m->source = g_strdup (source);
      if (!check_volume_key (ctx, node, path, source, error))
        return FALSE;
    }
  if (n == 3)
    {
      g_auto(GStrv) options = g_strsplit (parts[2], ",", -1);

      for (guint i = 0; options[i] != NULL; i++)
        {
          if (!g_strv_contains (modes, options[i]))
            {
              _hatake_compose_set_error (error, node, path, _("unknown volume option “%s” (expected ro, rw, z, Z, "
                                                              "nocopy or a propagation)"), options[i]);
              return FALSE;
            }
          if (g_str_equal (options[i], "ro"))
            m->read_only = TRUE;
          else if (g_str_equal (options[i], "rw"))
            m->read_only = FALSE;
          else if (g_str_equal (options[i], "nocopy"))
            m->nocopy = TRUE;
        }
    }
  return TRUE;
}

gboolean
_hatake_compose_parse_volume_long (HatakeComposeContext    *ctx,
                   HatakeComposeService    *s,
                   const HatakeComposeNode *node,
                   const char              *path,
                   GError                 **error)
{
  static const char * const fields[] = { "type", "source", "target", "read_only", "consistency", "bind",
    "volume", "tmpfs", "image", NULL };
  static const char * const bind_fields[] = { "propagation", "create_host_path", "selinux", "recursive", NULL };
  static const char * const volume_fields[] = { "nocopy", "subpath", "labels", NULL };
  static const char * const tmpfs_fields[] = { "size", "mode", NULL };
  HatakeComposeMount *m = g_new0 (HatakeComposeMount, 1);
  HatakeComposeNode *type = _hatake_compose_node_lookup (node, "type");
  HatakeComposeNode *source = _hatake_compose_node_lookup (node, "source");
  HatakeComposeNode *target = _hatake_compose_node_lookup (node, "target");
  HatakeComposeNode *v, *sub;
  g_autofree char *tp = _hatake_compose_child (path, "type");
  g_autofree char *sp = _hatake_compose_child (path, "source");
  g_autofree char *gp = _hatake_compose_child (path, "target");

  g_ptr_array_add (s->volumes, m);
  if (!_hatake_compose_check_keys (node, path, fields, error))
    return FALSE;
  if (type == NULL || target == NULL)
    {
      _hatake_compose_set_error (error, node, path, _("a volume needs a type and a target"));
      return FALSE;
    }
  if (!_hatake_compose_expect (type, HATAKE_COMPOSE_NODE_SCALAR, tp, error) ||
      !_hatake_compose_get_string (target, gp, &m->target, error))
    return FALSE;
  if (m->target == NULL || m->target[0] != '/')
    {
      _hatake_compose_set_error (error, target, gp, _("expected an absolute path in the container"));
      return FALSE;
    }
  if (source != NULL && !_hatake_compose_expect (source, HATAKE_COMPOSE_NODE_SCALAR, sp, error))
    return FALSE;
  if (g_str_equal (type->value, "volume"))
    {
      m->type = HATAKE_COMPOSE_MOUNT_VOLUME;
      if (source != NULL)
        {
          m->source = g_strdup (source->value);
          if (!check_volume_key (ctx, source, sp, source->value, error))
            return FALSE;
        }
    }
  else if (g_str_equal (type->value, "bind"))
    {
      m->type = HATAKE_COMPOSE_MOUNT_BIND;
      if (source == NULL)
        {
          _hatake_compose_set_error (error, node, path, _("a bind mount needs a source"));
          return FALSE;
        }
      m->source = _hatake_compose_resolve_path (source, source->value, ctx->home);
    }
  else if (g_str_equal (type->value, "tmpfs"))
    m->type = HATAKE_COMPOSE_MOUNT_TMPFS;
  else
    {
      _hatake_compose_set_error (error, type, tp, _("expected volume, bind or tmpfs, got “%s”"), type->value);
      return FALSE;
    }
  if ((v = _hatake_compose_node_lookup (node, "read_only")) != NULL)
    {
      g_autofree char *p = _hatake_compose_child (path, "read_only");
      if (!_hatake_compose_get_bool (v, p, &m->read_only, error))
        return FALSE;
    }
  if ((v = _hatake_compose_node_lookup (node, "bind")) != NULL)
    {
      g_autofree char *p = _hatake_compose_child (path, "bind");
      g_autofree char *cp = _hatake_compose_child (p, "create_host_path");

      if (!_hatake_compose_check_keys (v, p, bind_fields, error))
        return FALSE;
      if ((sub = _hatake_compose_node_lookup (v, "create_host_path")) != NULL &&
          !_hatake_compose_get_bool (sub, cp, &m->create_host_path, error))
        return FALSE;
    }
  if ((v = _hatake_compose_node_lookup (node, "volume")) != NULL)
    {
      g_autofree char *p = _hatake_compose_child (path, "volume");
      g_autofree char *np = _hatake_compose_child (p, "nocopy");

      if (!_hatake_compose_check_keys (v, p, volume_fields, error))
        return FALSE;
      if ((sub = _hatake_compose_node_lookup (v, "nocopy")) != NULL &&
          !_hatake_compose_get_bool (sub, np, &m->nocopy, error))
        return FALSE;
    }
  if ((v = _hatake_compose_node_lookup (node, "tmpfs")) != NULL)
    {
      g_autofree char *p = _hatake_compose_child (path, "tmpfs");
      g_autofree char *zp = _hatake_compose_child (p, "size");
      g_autofree char *mp = _hatake_compose_child (p, "mode");

      if (!_hatake_compose_check_keys (v, p, tmpfs_fields, error))
        return FALSE;
      if ((sub = _hatake_compose_node_lookup (v, "size")) != NULL && !_hatake_compose_get_size (sub, zp, &m->tmpfs_size, error))
        return FALSE;
      if ((sub = _hatake_compose_node_lookup (v, "mode")) != NULL)
        {
          guint64 mode;

          if (sub->kind != HATAKE_COMPOSE_NODE_SCALAR ||
              !g_ascii_string_to_unsigned (g_str_has_prefix (sub->value, "0o") ? sub->value + 2 : sub->value,
                                           8, 0, 07777, &mode, NULL))
            {
              _hatake_compose_set_error (error, sub, mp, _("expected an octal mode such as 1777"));
              return FALSE;
            }
          m->tmpfs_mode = (guint) mode;
        }
    }
  return TRUE;
}

