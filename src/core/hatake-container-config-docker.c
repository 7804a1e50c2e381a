/* hatake-container-config-docker.c: HatakeContainerConfig and docker's POST /containers/create body
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The body is docker's ContainerConfig with HostConfig and NetworkingConfig in it (API 1.44). The API
 * server reads it; a client of a Docker Engine API writes it.
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <string.h>

#include "hatake-container-config.h"
#include "hatake-json.h"

/* g_strv_builder_take() is GLib 2.80 */
static void
strv_builder_take (GStrvBuilder *builder,
                   char         *value)
{
  g_strv_builder_add (builder, value);
  g_free (value);
}

/* ---- docker's body → HatakeContainerConfig ------------------------------------------------- */

static GStrv
strv_member (JsonObject *object,
             const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;
  g_autoptr(GStrvBuilder) b = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  b = g_strv_builder_new ();
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    g_strv_builder_add (b, json_node_get_string (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      {
        const char *s = json_array_get_string_element (json_node_get_array (node), i);
        if (s != NULL)
          g_strv_builder_add (b, s);
      }
  return g_strv_builder_end (b);
}

static char *
string_member (JsonObject *object,
               const char *name)
{
  const char *s = object ? hatake_json_string_or (object, name, NULL) : NULL;

  return s != NULL && *s != '\0' ? g_strdup (s) : NULL;
}

/* "src:dst[:opts]": a host path (absolute) or a volume's name. */
static gboolean
add_bind (HatakeContainerConfig *config,
          const char            *bind,
          GError               **error)
{
  g_auto(GStrv) parts = g_strsplit (bind, ":", 3);
  gboolean read_only = FALSE;

  if (parts[0] == NULL || *parts[0] == '\0' || parts[1] == NULL || *parts[1] != '/')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid volume specification: '%s'", bind);
      return FALSE;
    }
  if (parts[2] != NULL)
    {
      g_auto(GStrv) options = g_strsplit (parts[2], ",", -1);
      for (guint i = 0; options[i] != NULL; i++)
        read_only |= g_str_equal (options[i], "ro");
    }
  hatake_container_config_add_mount (config, parts[0][0] == '/' ? HATAKE_CONTAINER_MOUNT_BIND
                                                                : HATAKE_CONTAINER_MOUNT_VOLUME,
                                     parts[0], parts[1], read_only);
  return TRUE;
}

/* the kernel's size= of a tmpfs: bytes, or k, m, g or t of them (powers of 1024) */
static gboolean
parse_tmpfs_size (const char *text,
                  gint64     *size)
{
  char *end = NULL;
  guint64 n;
  guint shift = 0;

  if (!g_ascii_isdigit (*text))
    return FALSE;
  n = g_ascii_strtoull (text, &end, 10);
  switch (g_ascii_tolower (*end))
    {
    case 'k': shift = 10; end++; break;
    case 'm': shift = 20; end++; break;
    case 'g': shift = 30; end++; break;
    case 't': shift = 40; end++; break;
    default: break;
    }
  if (*end != '\0' || n > (guint64) (G_MAXINT64 >> shift))
    return FALSE;
  *size = (gint64) (n << shift);
  return TRUE;
}

/* HostConfig.Tmpfs's "size=64m,mode=1777,ro" (docker's --tmpfs /run:OPTIONS); the other mount
 * options (noexec, nosuid…) are not kept. */
static gboolean
tmpfs_options (HatakeContainerMount  *mount,
               const char            *target,
               const char            *options,
               GError               **error)
{
  g_auto(GStrv) list = g_strsplit (options, ",", -1);

  for (guint i = 0; list[i] != NULL; i++)
    {
      const char *option = list[i];
      gboolean valid = TRUE;
      guint64 mode;

      if (g_str_has_prefix (option, "size="))
        valid = parse_tmpfs_size (option + 5, &mount->tmpfs_size);
      else if (g_str_has_prefix (option, "mode="))
        {
          valid = g_ascii_string_to_unsigned (option + 5, 8, 0, 07777, &mode, NULL);
          mount->tmpfs_mode = valid ? (guint) mode : 0;
        }
      else if (g_str_equal (option, "ro") || g_str_equal (option, "rw"))
        mount->read_only = g_str_equal (option, "ro");
      if (!valid)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid tmpfs option \"%s\" for %s", option,
                       target);
          return FALSE;
        }
    }
  return TRUE;
}

HatakeContainerConfig *
hatake_container_config_from_docker (JsonObject  *body,
                                     const char  *name,
                                     GError     **error)
{
  g_autoptr(HatakeContainerConfig) c = NULL;
  JsonObject *host = hatake_json_object_member (body, "HostConfig");
  JsonObject *labels = hatake_json_object_member (body, "Labels");
  JsonObject *exposed = hatake_json_object_member (body, "ExposedPorts");
  JsonObject *bindings = hatake_json_object_member (host, "PortBindings");
  JsonObject *restart = hatake_json_object_member (host, "RestartPolicy");
  JsonObject *tmpfs = hatake_json_object_member (host, "Tmpfs");
  JsonObject *endpoints = hatake_json_object_member (hatake_json_object_member (body, "NetworkingConfig"),
                                                     "EndpointsConfig");
  JsonArray *mounts = hatake_json_array_member (host, "Mounts");
  g_auto(GStrv) binds = strv_member (host, "Binds");
  g_autoptr(GStrvBuilder) publish = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) expose = g_strv_builder_new ();
  const char *mode;

  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  c = hatake_container_config_new ();
  c->name = g_strdup (name);
  c->image = string_member (body, "Image");
  if (c->image == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "config cannot be empty in order to create a container");
      return NULL;
    }
  c->cmd = strv_member (body, "Cmd");
  c->entrypoint = strv_member (body, "Entrypoint");
  c->env = strv_member (body, "Env");
  c->working_dir = string_member (body, "WorkingDir");
  c->user = string_member (body, "User");
  c->hostname = string_member (body, "Hostname");
  c->tty = hatake_json_boolean (body, "Tty", FALSE);
  c->open_stdin = hatake_json_boolean (body, "OpenStdin", FALSE);
  c->stop_signal = string_member (body, "StopSignal");
  c->stop_timeout = hatake_json_int (body, "StopTimeout", -1);
  if (labels != NULL)
    {
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      g_autoptr(GList) keys = json_object_get_members (labels);

      for (GList *l = keys; l != NULL; l = l->next)
        strv_builder_take (b, g_strdup_printf ("%s=%s", (char *) l->data,
                                                 hatake_json_string_or (labels, l->data, "")));
      c->labels = g_strv_builder_end (b);
    }
  if (exposed != NULL)
    {
      g_autoptr(GList) keys = json_object_get_members (exposed);

      for (GList *l = keys; l != NULL; l = l->next)
        g_strv_builder_add (expose, l->data);
    }
  c->expose = g_strv_builder_end (expose);

  if (host != NULL)
    {
      c->auto_remove = hatake_json_boolean (host, "AutoRemove", FALSE);
      c->read_only = hatake_json_boolean (host, "ReadonlyRootfs", FALSE);
      c->privileged = hatake_json_boolean (host, "Privileged", FALSE);
      c->init = hatake_json_boolean (host, "Init", FALSE);
      c->publish_all = hatake_json_boolean (host, "PublishAllPorts", FALSE);
      c->cap_add = strv_member (host, "CapAdd");
      c->cap_drop = strv_member (host, "CapDrop");
      c->memory = hatake_json_int (host, "Memory", 0);
      c->cpus = hatake_json_int (host, "NanoCpus", 0) / 1e9;
      c->pids_limit = MAX (hatake_json_int (host, "PidsLimit", 0), 0);
      c->runtime = string_member (host, "Runtime");
      mode = hatake_json_string_or (host, "NetworkMode", "");
      if (*mode != '\0' && !g_str_equal (mode, "default"))
        {
          g_free (c->network_mode);
          c->network_mode = g_strdup (mode);
        }
    }
  if (restart != NULL)
    {
      const char *policy = hatake_json_string_or (restart, "Name", "");

      if (*policy != '\0' && !hatake_restart_policy_parse (policy, &c->restart, &c->restart_max, error))
        return NULL;
      c->restart_max = hatake_json_int (restart, "MaximumRetryCount", 0);
    }
  for (guint i = 0; binds != NULL && binds[i] != NULL; i++)
    if (!add_bind (c, binds[i], error))
      return NULL;
  for (guint i = 0; mounts != NULL && i < json_array_get_length (mounts); i++)
    {
      JsonObject *m = hatake_json_array_object (mounts, i);
      const char *type = hatake_json_string_or (m, "Type", "volume");
      const char *source = hatake_json_string_or (m, "Source", NULL);
      const char *target = hatake_json_string_or (m, "Target", NULL);

      if (target == NULL || *target != '/')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid mount config: Target must be an absolute path");
          return NULL;
        }
      hatake_container_config_add_mount (c, g_str_equal (type, "bind") ? HATAKE_CONTAINER_MOUNT_BIND :
                                            g_str_equal (type, "tmpfs") ? HATAKE_CONTAINER_MOUNT_TMPFS :
                                            HATAKE_CONTAINER_MOUNT_VOLUME,
                                         source != NULL && *source != '\0' ? source : NULL, target,
                                         hatake_json_boolean (m, "ReadOnly", FALSE));
      if (g_str_equal (type, "tmpfs"))
        {
          HatakeContainerMount *added = g_ptr_array_index (c->mounts, c->mounts->len - 1);
          JsonObject *options = hatake_json_object_member (m, "TmpfsOptions");

          added->tmpfs_size = MAX (hatake_json_int (options, "SizeBytes", 0), 0);
          /* (an os.FileMode: the type bits are not ours) */
          added->tmpfs_mode = hatake_json_int (options, "Mode", 0) & 07777;
        }
    }
  if (tmpfs != NULL)
    {
      g_autoptr(GList) keys = json_object_get_members (tmpfs);

      for (GList *l = keys; l != NULL; l = l->next)
        {
          hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, l->data, FALSE);
          if (!tmpfs_options (g_ptr_array_index (c->mounts, c->mounts->len - 1), l->data,
                              hatake_json_string_or (tmpfs, l->data, ""), error))
            return NULL;
        }
    }
  if (bindings != NULL)
    {
      g_autoptr(GList) keys = json_object_get_members (bindings);

      for (GList *l = keys; l != NULL; l = l->next)
        {
          JsonArray *hosts = hatake_json_array_member (bindings, l->data);
          g_auto(GStrv) port_proto = g_strsplit (l->data, "/", 2);

          for (guint i = 0; hosts != NULL && i < json_array_get_length (hosts); i++)
            {
              JsonObject *h = hatake_json_array_object (hosts, i);
              const char *ip = hatake_json_string_or (h, "HostIp", "");
              const char *port = hatake_json_string_or (h, "HostPort", "");

              strv_builder_take (publish, g_strdup_printf ("%s%s%s:%s/%s", ip, *ip ? ":" : "", port, port_proto[0],
                                                             port_proto[1] ? port_proto[1] : "tcp"));
            }
          if (hosts == NULL || json_array_get_length (hosts) == 0)
            strv_builder_take (publish, g_strdup_printf ("%s/%s", port_proto[0], port_proto[1] ? port_proto[1] : "tcp"));
        }
    }
  c->publish = g_strv_builder_end (publish);
  for (guint i = 0; c->publish[i] != NULL; i++)
    {
      HatakePortMapping check;

      if (!hatake_port_mapping_parse (c->publish[i], &check, error))
        return NULL;
    }
  if (endpoints != NULL)
    {
      g_autoptr(GList) keys = json_object_get_members (endpoints);

      for (GList *l = keys; l != NULL; l = l->next)
        {
          JsonObject *e = hatake_json_object_member (endpoints, l->data);
          g_auto(GStrv) aliases = strv_member (e, "Aliases");
          g_autofree char *ip = string_member (hatake_json_object_member (e, "IPAMConfig"), "IPv4Address");

          if (g_str_equal (l->data, "none") || g_str_equal (l->data, "host") || g_str_equal (l->data, "default"))
            continue;
          g_ptr_array_add (c->networks, hatake_network_endpoint_new (l->data, (const char * const *) aliases, ip));
        }
      /* the network mode's endpoint first: it is eth0 */
      for (guint i = 1; i < c->networks->len; i++)
        if (g_strcmp0 (((HatakeNetworkEndpoint *) g_ptr_array_index (c->networks, i))->network, c->network_mode) == 0)
          {
            gpointer first = g_ptr_array_steal_index (c->networks, i);
            g_ptr_array_insert (c->networks, 0, first);
          }
      if (c->networks->len > 0 && g_strcmp0 (c->network_mode, "bridge") == 0 &&
          hatake_container_config_get_network (c, "bridge") == NULL)
        {
          g_free (c->network_mode);
          c->network_mode = g_strdup (((HatakeNetworkEndpoint *) g_ptr_array_index (c->networks, 0))->network);
        }
      if (c->networks->len > 0 && hatake_container_config_get_network (c, c->network_mode) == NULL &&
          g_strcmp0 (c->network_mode, "none") != 0 && g_strcmp0 (c->network_mode, "host") != 0)
        g_ptr_array_insert (c->networks, 0, hatake_network_endpoint_new (c->network_mode, NULL, NULL));
    }
  return g_steal_pointer (&c);
}
