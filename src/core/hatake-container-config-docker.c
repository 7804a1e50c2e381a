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

/* docker's {"KEY": "VALUE"} (Labels, Sysctls) as KEY=VALUE; NULL for none */
static GStrv
map_to_strv (JsonObject *map)
{
  g_autoptr(GStrvBuilder) b = NULL;
  g_autoptr(GList) keys = NULL;

  if (map == NULL)
    return NULL;
  b = g_strv_builder_new ();
  keys = json_object_get_members (map);
  for (GList *l = keys; l != NULL; l = l->next)
    strv_builder_take (b, g_strdup_printf ("%s=%s", (char *) l->data, hatake_json_string_or (map, l->data, "")));
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
  /* (a bind's missing source is made: docker's Binds do, its Mounts refuse) */
  hatake_container_config_add_mount (config, parts[0][0] == '/' ? HATAKE_CONTAINER_MOUNT_BIND
                                                                : HATAKE_CONTAINER_MOUNT_VOLUME,
                                     parts[0], parts[1], read_only)->create_source = parts[0][0] == '/';
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

typedef enum
{
  SET_ARRAY,    /* a non-empty list */
  SET_STRING,   /* a string other than "" and the listed defaults */
  SET_NUMBER,   /* a number other than 0 */
  SET_TRUE,     /* true */
} SetWhen;

static const struct
{
  const char *member;    /* in HostConfig, or in the body with a "." first */
  SetWhen     when;
  const char *flag;      /* the docker CLI's */
  const char *defaults;  /* SET_STRING: values that ask nothing, "|"-separated */
} unsupported[] = {
  { "DeviceRequests", SET_ARRAY, "--gpus", NULL },
  { "DeviceCgroupRules", SET_ARRAY, "--device-cgroup-rule", NULL },
  { "Links", SET_ARRAY, "--link", NULL },
  { "VolumesFrom", SET_ARRAY, "--volumes-from", NULL },
  { "BlkioWeightDevice", SET_ARRAY, "--blkio-weight-device", NULL },
  { "BlkioDeviceReadBps", SET_ARRAY, "--device-read-bps", NULL },
  { "BlkioDeviceWriteBps", SET_ARRAY, "--device-write-bps", NULL },
  { "BlkioDeviceReadIOps", SET_ARRAY, "--device-read-iops", NULL },
  { "BlkioDeviceWriteIOps", SET_ARRAY, "--device-write-iops", NULL },
  { "UsernsMode", SET_STRING, "--userns", "host" },
  { "CgroupnsMode", SET_STRING, "--cgroupns", "private" },
  { "CgroupParent", SET_STRING, "--cgroup-parent", NULL },
  { "VolumeDriver", SET_STRING, "--volume-driver", "local" },
  { "CpuPeriod", SET_NUMBER, "--cpu-period", NULL },
  { "CpuQuota", SET_NUMBER, "--cpu-quota", NULL },
  { "CpuRealtimePeriod", SET_NUMBER, "--cpu-rt-period", NULL },
  { "CpuRealtimeRuntime", SET_NUMBER, "--cpu-rt-runtime", NULL },
  { "BlkioWeight", SET_NUMBER, "--blkio-weight", NULL },
  { "MemoryReservation", SET_NUMBER, "--memory-reservation", NULL },
  { "KernelMemory", SET_NUMBER, "--kernel-memory", NULL },
  { "OomKillDisable", SET_TRUE, "--oom-kill-disable", NULL },
  { ".Domainname", SET_STRING, "--domainname", NULL },
  { ".MacAddress", SET_STRING, "--mac-address", NULL },
};

static gboolean
member_is_set (JsonNode *node, SetWhen when, const char *defaults)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  switch (when)
    {
    case SET_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) > 0;
    case SET_STRING:
      {
        const char *value = json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
        g_auto(GStrv) allowed = g_strsplit (defaults ? defaults : "", "|", -1);

        return value != NULL && *value != '\0' && !g_strv_contains ((const char * const *) allowed, value);
      }
    case SET_NUMBER:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) != G_TYPE_STRING &&
             json_node_get_double (node) != 0;
    case SET_TRUE:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
             json_node_get_boolean (node);
    default:
      return FALSE;
    }
}

GStrv
hatake_container_config_docker_unsupported (JsonObject *body)
{
  JsonObject *host = hatake_json_object_member (body, "HostConfig");
  JsonObject *log = hatake_json_object_member (host, "LogConfig");
  const char *log_type = hatake_json_string (log, "Type");
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) warnings = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (unsupported); i++)
    {
      gboolean top = unsupported[i].member[0] == '.';
      JsonObject *object = top ? body : host;
      const char *name = top ? unsupported[i].member + 1 : unsupported[i].member;
      JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

      if (member_is_set (node, unsupported[i].when, unsupported[i].defaults))
        strv_builder_take (b, g_strdup_printf ("Hatake does not support %s (%s%s) yet: it is ignored",
                                                 unsupported[i].flag, top ? "" : "HostConfig.", name));
    }
  /* (conmon's own log file, which docker logs reads, whatever the driver asked) */
  if (log_type != NULL && *log_type != '\0' && !g_str_equal (log_type, "json-file") && !g_str_equal (log_type, "local"))
    strv_builder_take (b, g_strdup_printf ("Hatake does not support the log driver %s yet: the container logs "
                                             "to a file of its own, which logs reads", log_type));
  warnings = g_strv_builder_end (b);
  return warnings[0] != NULL ? g_steal_pointer (&warnings) : NULL;
}

static void
none_if_empty (GStrv *strv)
{
  if (*strv != NULL && (*strv)[0] == NULL)
    g_clear_pointer (strv, g_strfreev);
}

JsonObject *
hatake_ulimit_to_docker (const char *ulimit)
{
  JsonObject *o = json_object_new ();
  g_autofree char *name = g_strndup (ulimit, strcspn (ulimit, "="));
  const char *type;
  gint64 soft = 0, hard = 0;

  hatake_ulimit_parse (ulimit, &type, &soft, &hard, NULL);
  json_object_set_string_member (o, "Name", name);
  json_object_set_int_member (o, "Hard", hard);
  json_object_set_int_member (o, "Soft", soft);
  return o;
}

/* HostConfig.Ulimits, [{"Name": "nofile", "Soft": 512, "Hard": 1024}], as --ulimit's NAME=SOFT:HARD */
static gboolean
ulimits_from_docker (JsonArray *array, GStrv *out, GError **error)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *o = hatake_json_array_object (array, i);
      g_autofree char *text = g_strdup_printf ("%s=%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                                               hatake_json_string_or (o, "Name", ""), hatake_json_int (o, "Soft", 0),
                                               hatake_json_int (o, "Hard", 0));
      const char *type;
      gint64 soft, hard;

      if (!hatake_ulimit_parse (text, &type, &soft, &hard, error))
        return FALSE;
      g_strv_builder_add (b, text);
    }
  *out = g_strv_builder_end (b);
  none_if_empty (out);
  return TRUE;
}

/* HostConfig.Devices, [{"PathOnHost", "PathInContainer", "CgroupPermissions"}], as --device's
 * HOST:CONTAINER:PERMISSIONS (the docker CLI sends every field; an empty one is the default) */
static gboolean
devices_from_docker (JsonArray *array, GStrv *out, GError **error)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *o = hatake_json_array_object (array, i);
      const char *on_host = hatake_json_string_or (o, "PathOnHost", "");
      const char *in = hatake_json_string_or (o, "PathInContainer", "");
      const char *perms = hatake_json_string_or (o, "CgroupPermissions", "");
      g_autofree char *text = g_strdup_printf ("%s:%s:%s", on_host, *in ? in : on_host, *perms ? perms : "rwm");
      g_autofree char *host = NULL, *container = NULL, *permissions = NULL;

      if (!hatake_device_parse (text, &host, &container, &permissions, error))
        return FALSE;
      strv_builder_take (b, g_strdup_printf ("%s:%s:%s", host, container, permissions));
    }
  *out = g_strv_builder_end (b);
  none_if_empty (out);
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
  g_auto(GStrv) binds = NULL;
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
  if (!hatake_json_strv_member (host, "Binds", FALSE, &binds, error) ||
      !hatake_json_strv_member (body, "Cmd", TRUE, &c->cmd, error) ||
      !hatake_json_strv_member (body, "Entrypoint", TRUE, &c->entrypoint, error) ||
      !hatake_json_strv_member (body, "Env", FALSE, &c->env, error) ||
      !hatake_json_strv_member (host, "CapAdd", TRUE, &c->cap_add, error) ||
      !hatake_json_strv_member (host, "CapDrop", TRUE, &c->cap_drop, error) ||
      !hatake_json_strv_member (host, "ExtraHosts", FALSE, &c->extra_hosts, error) ||
      !hatake_json_strv_member (host, "Dns", FALSE, &c->dns, error) ||
      !hatake_json_strv_member (host, "DnsSearch", FALSE, &c->dns_search, error) ||
      !hatake_json_strv_member (host, "DnsOptions", FALSE, &c->dns_options, error) ||
      !hatake_json_strv_member (host, "SecurityOpt", FALSE, &c->security_opt, error) ||
      !hatake_json_strv_member (host, "GroupAdd", FALSE, &c->group_add, error) ||
      !devices_from_docker (hatake_json_array_member (host, "Devices"), &c->devices, error))
    return NULL;
  c->working_dir = string_member (body, "WorkingDir");
  c->user = string_member (body, "User");
  c->hostname = string_member (body, "Hostname");
  c->tty = hatake_json_boolean (body, "Tty", FALSE);
  c->open_stdin = hatake_json_boolean (body, "OpenStdin", FALSE);
  c->stop_signal = string_member (body, "StopSignal");
  c->stop_timeout = hatake_json_int (body, "StopTimeout", -1);
  if (hatake_json_object_member (body, "Healthcheck") != NULL)
    {
      GError *local_error = NULL;

      c->healthcheck = hatake_health_config_from_docker (hatake_json_object_member (body, "Healthcheck"),
                                                         &local_error);
      if (c->healthcheck == NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
    }
  c->labels = map_to_strv (labels);
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
      c->sysctls = map_to_strv (hatake_json_object_member (host, "Sysctls"));
      c->memory = hatake_json_int (host, "Memory", 0);
      c->memory_swap = hatake_json_int (host, "MemorySwap", 0);
      c->cpu_shares = MAX (hatake_json_int (host, "CpuShares", 0), 0);
      c->cpuset_cpus = string_member (host, "CpusetCpus");
      c->cpuset_mems = string_member (host, "CpusetMems");
      c->oom_score_adj = hatake_json_int (host, "OomScoreAdj", 0);
      c->cpus = hatake_json_int (host, "NanoCpus", 0) / 1e9;
      c->pids_limit = MAX (hatake_json_int (host, "PidsLimit", 0), 0);
      c->shm_size = MAX (hatake_json_int (host, "ShmSize", 0), 0);
      /* (the docker CLI sends [] for none) */
      none_if_empty (&c->extra_hosts);
      none_if_empty (&c->dns);
      none_if_empty (&c->dns_search);
      none_if_empty (&c->dns_options);
      none_if_empty (&c->security_opt);
      if (!ulimits_from_docker (hatake_json_array_member (host, "Ulimits"), &c->ulimits, error))
        return NULL;
      c->runtime = string_member (host, "Runtime");
      mode = hatake_json_string_or (host, "NetworkMode", "");
      if (*mode != '\0' && !g_str_equal (mode, "default"))
        {
          g_free (c->network_mode);
          c->network_mode = g_strdup (mode);
        }
      if (!hatake_namespace_mode_parse ("pid", hatake_json_string (host, "PidMode"), &c->pid_mode, error) ||
          !hatake_namespace_mode_parse ("ipc", hatake_json_string (host, "IpcMode"), &c->ipc_mode, error) ||
          !hatake_namespace_mode_parse ("uts", hatake_json_string (host, "UTSMode"), &c->uts_mode, error))
        return NULL;
    }
  /* (docker's runconfig checks this as it decodes the body) */
  if (!hatake_container_config_check_namespaces (c, error))
    return NULL;
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
  /* docker run -v /data: the CLI sends it as Config.Volumes, an anonymous volume unless a bind,
   * a mount or a tmpfs above already covers that path */
  if (hatake_json_object_member (body, "Volumes") != NULL)
    {
      g_autoptr(GList) keys = json_object_get_members (hatake_json_object_member (body, "Volumes"));

      for (GList *l = keys; l != NULL; l = l->next)
        {
          g_autofree char *target = NULL;
          gboolean covered = FALSE;

          if (*(const char *) l->data != '/')
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "invalid volume specification: '%s': the mount point must be an absolute path",
                           (const char *) l->data);
              return NULL;
            }
          target = g_canonicalize_filename (l->data, "/");
          for (guint i = 0; i < c->mounts->len && !covered; i++)
            {
              g_autofree char *other = g_canonicalize_filename (((HatakeContainerMount *) g_ptr_array_index (c->mounts, i))->target, "/");
              covered = g_str_equal (other, target);
            }
          if (!covered)
            hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_VOLUME, NULL, target, FALSE);
        }
    }
  if (bindings != NULL)
    {
      g_autoptr(GList) keys = json_object_get_members (bindings);

      for (GList *l = keys; l != NULL; l = l->next)
        {
          JsonArray *hosts = hatake_json_array_member (bindings, l->data);
          g_auto(GStrv) port_proto = g_strsplit (l->data, "/", 2);

          /* "" splits into no parts at all */
          if (port_proto[0] == NULL)
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   "invalid port specification: \"\"");
              return NULL;
            }
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
          g_auto(GStrv) aliases = NULL;
          g_autofree char *ip = string_member (hatake_json_object_member (e, "IPAMConfig"), "IPv4Address");

          if (!hatake_json_strv_member (e, "Aliases", FALSE, &aliases, error))
            return NULL;
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

/* ---- HatakeContainerConfig → docker's body ------------------------------------------------- */

static void
set_string (JsonObject *object,
            const char *name,
            const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
}

/* NULL: left out (docker's nil, the image's); empty: [] (docker's empty list, which clears) */
/* KEY=VALUE as docker's {"KEY": "VALUE"} (KEY alone: docker's -l KEY, the empty value) */
static JsonObject *
strv_to_map (const char * const *strv)
{
  JsonObject *map = json_object_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    {
      const char *eq = strchr (strv[i], '=');
      g_autofree char *key = eq ? g_strndup (strv[i], eq - strv[i]) : g_strdup (strv[i]);

      json_object_set_string_member (map, key, eq ? eq + 1 : "");
    }
  return map;
}

static void
set_strv (JsonObject         *object,
          const char         *name,
          const char * const *strv)
{
  JsonArray *array;

  if (strv == NULL)
    return;
  array = json_array_new ();
  for (guint i = 0; strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  json_object_set_array_member (object, name, array);
}

/* ExposedPorts {"80/tcp": {}} */
static void
expose_port (JsonObject *exposed,
             const char *port)
{
  if (!json_object_has_member (exposed, port))
    json_object_set_object_member (exposed, port, json_object_new ());
}

/* --expose PORT[/PROTO]: one port a member, a range spelled out, as the docker CLI sends them */
static void
add_exposed (JsonObject *exposed,
             const char *spec)
{
  HatakePortMapping m;

  if (strchr (spec, ':') != NULL || !hatake_port_mapping_parse (spec, &m, NULL))
    {
      /* as written, for the daemon to judge */
      expose_port (exposed, spec);
      return;
    }
  for (guint i = 0; i < m.range; i++)
    {
      g_autofree char *port = g_strdup_printf ("%u/%s", m.container_port + i, m.protocol);

      expose_port (exposed, port);
    }
}

/* The HOST_PORT of [IP:][HOST_PORT:]PORT[/PROTO], "" when it has none. */
static char *
publish_host_port (const char *spec)
{
  g_autofree char *ports = g_strndup (spec, strcspn (spec, "/"));
  char *container = strrchr (ports, ':');
  char *host;

  if (container == NULL)
    return g_strdup ("");
  *container = '\0';
  host = strrchr (ports, ':');
  return g_strdup (host != NULL ? host + 1 : ports);
}

/* -p as the docker CLI sends it: PortBindings {"80/tcp": [{"HostIp", "HostPort"}, …]} with a
 * member a container port (a range spelled out; a host range for one port stays a range, of which
 * docker takes a free port), and each port exposed too: docker's daemon publishes only the ports
 * that ExposedPorts lists. */
static void
add_published (JsonObject *bindings,
               JsonObject *exposed,
               const char *spec)
{
  HatakePortMapping m;
  g_autofree char *host_port = NULL;

  if (!hatake_port_mapping_parse (spec, &m, NULL))
    {
      /* as written, for the daemon to refuse: left out, the container would lack the port */
      if (!json_object_has_member (bindings, spec))
        json_object_set_array_member (bindings, spec, json_array_new ());
      return;
    }
  host_port = publish_host_port (spec);
  for (guint i = 0; i < m.range; i++)
    {
      g_autofree char *port = g_strdup_printf ("%u/%s", m.container_port + i, m.protocol);
      /* a range of host ports, one each; else as written ("", "8080", "8000-8010") */
      g_autofree char *host = m.range > 1 && m.host_port != 0 ? g_strdup_printf ("%u", m.host_port + i)
                                                              : g_strdup (host_port);
      JsonArray *hosts = hatake_json_array_member (bindings, port);
      JsonObject *binding = json_object_new ();

      if (hosts == NULL)
        {
          hosts = json_array_new ();
          json_object_set_array_member (bindings, port, hosts);
        }
      json_object_set_string_member (binding, "HostIp", m.host_ip);
      json_object_set_string_member (binding, "HostPort", host);
      json_array_add_object_element (hosts, binding);
      expose_port (exposed, port);
    }
}

/* What -v writes, Binds' "SOURCE:TARGET[:ro]", reads back as the same mount: a bind of an absolute
 * path whose missing source is made, or a named volume, no ':' in either. */
static gboolean
is_bind_spec (const HatakeContainerMount *m)
{
  if (m->type == HATAKE_CONTAINER_MOUNT_TMPFS || m->source == NULL || *m->source == '\0' ||
      m->target == NULL || *m->target != '/' || (m->type == HATAKE_CONTAINER_MOUNT_BIND && !m->create_source))
    return FALSE;
  if ((m->type == HATAKE_CONTAINER_MOUNT_BIND) != (m->source[0] == '/'))
    return FALSE;
  return strchr (m->source, ':') == NULL && strchr (m->target, ':') == NULL;
}

/* HostConfig.Mounts' entry, as --mount writes it */
static JsonObject *
mount_object (const HatakeContainerMount *m)
{
  static const char * const types[] = { "bind", "volume", "tmpfs" };
  JsonObject *object = json_object_new ();

  g_assert (m->type <= HATAKE_CONTAINER_MOUNT_TMPFS);
  json_object_set_string_member (object, "Type", types[m->type]);
  set_string (object, "Source", m->source);
  set_string (object, "Target", m->target);
  if (m->read_only)
    json_object_set_boolean_member (object, "ReadOnly", TRUE);
  /* (tmpfs_size and tmpfs_mode of a bind or a volume mean nothing: docker has no place for them) */
  if (m->type == HATAKE_CONTAINER_MOUNT_TMPFS && (m->tmpfs_size != 0 || m->tmpfs_mode != 0))
    {
      JsonObject *options = json_object_new ();

      if (m->tmpfs_size != 0)
        json_object_set_int_member (options, "SizeBytes", m->tmpfs_size);
      if (m->tmpfs_mode != 0)
        json_object_set_int_member (options, "Mode", m->tmpfs_mode);
      json_object_set_object_member (object, "TmpfsOptions", options);
    }
  return object;
}

/* HostConfig; the ports it publishes are added to exposed */
static JsonObject *
host_config (const HatakeContainerConfig *config,
             JsonObject                  *exposed)
{
  JsonObject *host = json_object_new ();
  JsonObject *bindings = json_object_new ();
  JsonObject *restart = json_object_new ();
  g_autoptr(JsonArray) binds = json_array_new ();
  g_autoptr(JsonArray) mounts = json_array_new ();
  gboolean in_binds = TRUE;

  /* Binds for as long as the mounts can be written so, Mounts from there: docker's daemon orders
   * them by target, ours reads Binds first and keeps the order given */
  for (guint i = 0; config->mounts != NULL && i < config->mounts->len; i++)
    {
      const HatakeContainerMount *m = g_ptr_array_index (config->mounts, i);

      in_binds = in_binds && is_bind_spec (m);
      if (in_binds)
        {
          g_autofree char *bind = g_strconcat (m->source, ":", m->target, m->read_only ? ":ro" : "", NULL);

          json_array_add_string_element (binds, bind);
        }
      else
        json_array_add_object_element (mounts, mount_object (m));
    }
  /* (left out when empty, as the docker CLI does) */
  if (json_array_get_length (binds) > 0)
    json_object_set_array_member (host, "Binds", g_steal_pointer (&binds));
  if (json_array_get_length (mounts) > 0)
    json_object_set_array_member (host, "Mounts", g_steal_pointer (&mounts));

  for (guint i = 0; config->publish != NULL && config->publish[i] != NULL; i++)
    add_published (bindings, exposed, config->publish[i]);
  json_object_set_object_member (host, "PortBindings", bindings);
  json_object_set_boolean_member (host, "PublishAllPorts", config->publish_all);
  json_object_set_string_member (restart, "Name", hatake_restart_policy_to_string (config->restart));
  json_object_set_int_member (restart, "MaximumRetryCount", config->restart_max);
  json_object_set_object_member (host, "RestartPolicy", restart);
  json_object_set_boolean_member (host, "AutoRemove", config->auto_remove);
  set_string (host, "NetworkMode", config->network_mode);
  set_string (host, "PidMode", config->pid_mode);
  set_string (host, "IpcMode", config->ipc_mode);
  set_string (host, "UTSMode", config->uts_mode);
  json_object_set_int_member (host, "Memory", config->memory);
  if (config->memory_swap != 0)
    json_object_set_int_member (host, "MemorySwap", config->memory_swap);
  if (config->cpu_shares != 0)
    json_object_set_int_member (host, "CpuShares", config->cpu_shares);
  set_string (host, "CpusetCpus", config->cpuset_cpus);
  set_string (host, "CpusetMems", config->cpuset_mems);
  if (config->oom_score_adj != 0)
    json_object_set_int_member (host, "OomScoreAdj", config->oom_score_adj);
  json_object_set_int_member (host, "NanoCpus", (gint64) (config->cpus * 1e9 + 0.5));
  json_object_set_int_member (host, "PidsLimit", config->pids_limit);
  set_strv (host, "CapAdd", (const char * const *) config->cap_add);
  set_strv (host, "CapDrop", (const char * const *) config->cap_drop);
  set_strv (host, "ExtraHosts", (const char * const *) config->extra_hosts);
  set_strv (host, "Dns", (const char * const *) config->dns);
  set_strv (host, "DnsSearch", (const char * const *) config->dns_search);
  set_strv (host, "DnsOptions", (const char * const *) config->dns_options);
  set_strv (host, "SecurityOpt", (const char * const *) config->security_opt);
  set_strv (host, "GroupAdd", (const char * const *) config->group_add);
  if (config->devices != NULL)
    {
      JsonArray *devices = json_array_new ();

      for (guint i = 0; config->devices[i] != NULL; i++)
        {
          g_autofree char *on_host = NULL, *in = NULL, *perms = NULL;
          JsonObject *o;

          if (!hatake_device_parse (config->devices[i], &on_host, &in, &perms, NULL))
            continue;
          o = json_object_new ();
          json_object_set_string_member (o, "PathOnHost", on_host);
          json_object_set_string_member (o, "PathInContainer", in);
          json_object_set_string_member (o, "CgroupPermissions", perms);
          json_array_add_object_element (devices, o);
        }
      json_object_set_array_member (host, "Devices", devices);
    }
  if (config->ulimits != NULL)
    {
      JsonArray *ulimits = json_array_new ();

      for (guint i = 0; config->ulimits[i] != NULL; i++)
        json_array_add_object_element (ulimits, hatake_ulimit_to_docker (config->ulimits[i]));
      json_object_set_array_member (host, "Ulimits", ulimits);
    }
  if (config->shm_size > 0)
    json_object_set_int_member (host, "ShmSize", config->shm_size);
  if (config->sysctls != NULL)
    json_object_set_object_member (host, "Sysctls", strv_to_map ((const char * const *) config->sysctls));
  json_object_set_boolean_member (host, "Privileged", config->privileged);
  /* (docker's null: the daemon's default, which may be an init) */
  if (config->init)
    json_object_set_boolean_member (host, "Init", TRUE);
  json_object_set_boolean_member (host, "ReadonlyRootfs", config->read_only);
  set_string (host, "Runtime", config->runtime);
  return host;
}

/* NetworkingConfig: API 1.44 takes every network at create; the network mode's is the first */
static JsonObject *
networking_config (const HatakeContainerConfig *config)
{
  JsonObject *networking = json_object_new ();
  JsonObject *endpoints = json_object_new ();

  for (guint i = 0; config->networks != NULL && i < config->networks->len; i++)
    {
      const HatakeNetworkEndpoint *e = g_ptr_array_index (config->networks, i);
      JsonObject *endpoint = json_object_new ();

      set_strv (endpoint, "Aliases", (const char * const *) e->aliases);
      if (e->ip != NULL)
        {
          JsonObject *ipam = json_object_new ();

          json_object_set_string_member (ipam, "IPv4Address", e->ip);
          json_object_set_object_member (endpoint, "IPAMConfig", ipam);
        }
      json_object_set_object_member (endpoints, e->network, endpoint);
    }
  json_object_set_object_member (networking, "EndpointsConfig", endpoints);
  return networking;
}

JsonNode *
hatake_container_config_to_docker (const HatakeContainerConfig *config)
{
  JsonObject *body, *host;
  g_autoptr(JsonObject) exposed = NULL;
  JsonNode *node;

  g_return_val_if_fail (config != NULL, NULL);

  body = json_object_new ();
  /* config->name has no place in the body: it is the request's ?name= */
  set_string (body, "Image", config->image);
  set_strv (body, "Entrypoint", (const char * const *) config->entrypoint);
  set_strv (body, "Cmd", (const char * const *) config->cmd);
  set_strv (body, "Env", (const char * const *) config->env);
  set_string (body, "WorkingDir", config->working_dir);
  set_string (body, "User", config->user);
  set_string (body, "Hostname", config->hostname);
  if (config->labels != NULL)
    {
      json_object_set_object_member (body, "Labels", strv_to_map ((const char * const *) config->labels));
    }
  json_object_set_boolean_member (body, "Tty", config->tty);
  /* -i, as docker create -i sends it; stdout and stderr are attached when no -a says otherwise */
  json_object_set_boolean_member (body, "OpenStdin", config->open_stdin);
  json_object_set_boolean_member (body, "AttachStdin", config->open_stdin);
  json_object_set_boolean_member (body, "StdinOnce", config->open_stdin);
  json_object_set_boolean_member (body, "AttachStdout", TRUE);
  json_object_set_boolean_member (body, "AttachStderr", TRUE);
  set_string (body, "StopSignal", config->stop_signal);
  if (config->stop_timeout >= 0)
    json_object_set_int_member (body, "StopTimeout", config->stop_timeout);
  if (config->healthcheck != NULL)
    json_object_set_object_member (body, "Healthcheck", hatake_health_config_to_docker (config->healthcheck));

  exposed = json_object_new ();
  for (guint i = 0; config->expose != NULL && config->expose[i] != NULL; i++)
    add_exposed (exposed, config->expose[i]);
  host = host_config (config, exposed);
  if (json_object_get_size (exposed) > 0)
    json_object_set_object_member (body, "ExposedPorts", json_object_ref (exposed));
  json_object_set_object_member (body, "HostConfig", host);
  json_object_set_object_member (body, "NetworkingConfig", networking_config (config));

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, body);
  return node;
}

/* ---- docker update ------------------------------------------------------------------------- */

gboolean
hatake_container_update_from_docker (JsonObject             *body,
                                     HatakeContainerUpdate  *update,
                                     GStrv                  *warnings,
                                     GError                **error)
{
  JsonObject *restart = hatake_json_object_member (body, "RestartPolicy");
  const char *policy = hatake_json_string_or (restart, "Name", "");
  JsonNode *pids = body != NULL ? json_object_get_member (body, "PidsLimit") : NULL;
  gint64 nano_cpus = hatake_json_int (body, "NanoCpus", 0);
  g_autoptr(JsonObject) as_create = json_object_new ();
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) create_warnings = NULL;

  g_return_val_if_fail (update != NULL && warnings != NULL, FALSE);

  *update = (HatakeContainerUpdate) { 0 };
  *warnings = NULL;
  update->memory = hatake_json_int (body, "Memory", 0);
  update->memory_swap = hatake_json_int (body, "MemorySwap", 0);
  update->cpu_shares = hatake_json_int (body, "CpuShares", 0);
  if (update->memory < 0 || nano_cpus < 0 || update->cpu_shares < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           update->memory < 0 ? "invalid Memory: it cannot be negative"
                           : nano_cpus < 0 ? "invalid NanoCpus: it cannot be negative"
                                           : "invalid CpuShares: it cannot be negative");
      return FALSE;
    }
  update->cpus = nano_cpus / 1e9;
  /* (docker's CLI sends "" for the sets it was not given: NULL, unchanged) */
  update->cpuset_cpus = string_member (body, "CpusetCpus");
  update->cpuset_mems = string_member (body, "CpusetMems");
  /* (absent or null: unchanged; 0 or -1: no limit, as docker has it) */
  if (pids != NULL && JSON_NODE_HOLDS_VALUE (pids) && json_node_get_value_type (pids) == G_TYPE_INT64)
    update->pids_limit = json_node_get_int (pids) > 0 ? json_node_get_int (pids) : -1;
  if (*policy != '\0')
    {
      gint64 retries = hatake_json_int (restart, "MaximumRetryCount", 0);

      if (!hatake_restart_policy_parse (policy, &update->restart, &update->restart_max, error))
        return FALSE;
      /* (docker's checks and messages) */
      if (retries < 0 || (retries > 0 && update->restart != HATAKE_RESTART_ON_FAILURE))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               retries < 0 ? "invalid restart policy: maximum retry count cannot be negative"
                                           : "invalid restart policy: maximum retry count can only be used with "
                                             "'on-failure'");
          return FALSE;
        }
      update->set_restart = TRUE;
      update->restart_max = (guint) MIN (retries, G_MAXINT);
    }
  /* the body is a HostConfig's Resources: what a create would warn about, the same way */
  if (body != NULL)
    json_object_set_object_member (as_create, "HostConfig", json_object_ref (body));
  create_warnings = hatake_container_config_docker_unsupported (as_create);
  if (create_warnings != NULL)
    g_strv_builder_addv (b, (const char **) create_warnings);
  *warnings = g_strv_builder_end (b);
  if ((*warnings)[0] == NULL)
    g_clear_pointer (warnings, g_strfreev);
  return TRUE;
}

JsonNode *
hatake_container_update_to_docker (const HatakeContainerUpdate *update)
{
  JsonObject *o = json_object_new ();
  JsonObject *restart = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (o, "Memory", update->memory);
  json_object_set_int_member (o, "MemorySwap", update->memory_swap);
  json_object_set_int_member (o, "CpuShares", update->cpu_shares);
  json_object_set_int_member (o, "NanoCpus", (gint64) (update->cpus * 1e9 + 0.5));
  json_object_set_string_member (o, "CpusetCpus", update->cpuset_cpus ? update->cpuset_cpus : "");
  json_object_set_string_member (o, "CpusetMems", update->cpuset_mems ? update->cpuset_mems : "");
  if (update->pids_limit != 0)
    json_object_set_int_member (o, "PidsLimit", update->pids_limit);
  json_object_set_string_member (restart, "Name",
                                 update->set_restart ? hatake_restart_policy_to_string (update->restart) : "");
  json_object_set_int_member (restart, "MaximumRetryCount", update->restart_max);
  json_object_set_object_member (o, "RestartPolicy", restart);
  json_node_take_object (node, o);
  return node;
}
