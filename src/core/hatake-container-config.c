/* hatake-container-config.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Persisted as the container's config.json (ours, not the OCI one), with docker's field names.
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hatake-container-config.h"
#include "hatake-error.h"
#include "hatake-json.h"

G_DEFINE_BOXED_TYPE (HatakeContainerConfig, hatake_container_config,
                     hatake_container_config_copy, hatake_container_config_free)

void
hatake_container_mount_free (HatakeContainerMount *mount)
{
  if (mount == NULL)
    return;
  g_free (mount->source);
  g_free (mount->target);
  g_free (mount);
}

static HatakeContainerMount *
mount_copy (const HatakeContainerMount *m)
{
  HatakeContainerMount *copy = g_new0 (HatakeContainerMount, 1);

  *copy = *m;
  copy->source = g_strdup (m->source);
  copy->target = g_strdup (m->target);
  return copy;
}

HatakeNetworkEndpoint *
hatake_network_endpoint_new (const char         *network,
                             const char * const *aliases,
                             const char         *ip)
{
  HatakeNetworkEndpoint *endpoint = g_new0 (HatakeNetworkEndpoint, 1);

  endpoint->network = g_strdup (network);
  endpoint->aliases = g_strdupv ((char **) aliases);
  endpoint->ip = g_strdup (ip);
  return endpoint;
}

void
hatake_network_endpoint_free (HatakeNetworkEndpoint *endpoint)
{
  if (endpoint == NULL)
    return;
  g_free (endpoint->network);
  g_strfreev (endpoint->aliases);
  g_free (endpoint->ip);
  g_free (endpoint);
}

static gpointer
endpoint_copy (gconstpointer src, gpointer unused)
{
  const HatakeNetworkEndpoint *e = src;

  return hatake_network_endpoint_new (e->network, (const char * const *) e->aliases, e->ip);
}

HatakeNetworkEndpoint *
hatake_container_config_get_network (const HatakeContainerConfig *self,
                                     const char                  *network)
{
  for (guint i = 0; self->networks != NULL && i < self->networks->len; i++)
    {
      HatakeNetworkEndpoint *e = g_ptr_array_index (self->networks, i);

      if (g_strcmp0 (e->network, network) == 0)
        return e;
    }
  return NULL;
}

/* ---- healthchecks -------------------------------------------------------------------------- */

HatakeHealthConfig *
hatake_health_config_new (void)
{
  return g_new0 (HatakeHealthConfig, 1);
}

HatakeHealthConfig *
hatake_health_config_copy (const HatakeHealthConfig *self)
{
  HatakeHealthConfig *copy;

  if (self == NULL)
    return NULL;
  copy = g_new0 (HatakeHealthConfig, 1);
  *copy = *self;
  copy->test = g_strdupv (self->test);
  return copy;
}

void
hatake_health_config_free (HatakeHealthConfig *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->test);
  g_free (self);
}

gboolean
hatake_health_config_is_enabled (const HatakeHealthConfig *self)
{
  return self != NULL && self->test != NULL && self->test[0] != NULL && !g_str_equal (self->test[0], "NONE");
}

HatakeHealthConfig *
hatake_health_config_merge (const HatakeHealthConfig *self,
                            const HatakeHealthConfig *image)
{
  HatakeHealthConfig *merged;

  if (self == NULL || image == NULL)
    return hatake_health_config_copy (self != NULL ? self : image);
  merged = hatake_health_config_copy (self);
  if (merged->test == NULL || merged->test[0] == NULL)
    {
      g_strfreev (merged->test);
      merged->test = g_strdupv (image->test);
    }
  if (merged->interval == 0)
    merged->interval = image->interval;
  if (merged->timeout == 0)
    merged->timeout = image->timeout;
  if (merged->start_period == 0)
    merged->start_period = image->start_period;
  if (merged->start_interval == 0)
    merged->start_interval = image->start_interval;
  if (merged->retries == 0)
    merged->retries = image->retries;
  return merged;
}

JsonObject *
hatake_health_config_to_docker (const HatakeHealthConfig *self)
{
  JsonObject *object;

  g_return_val_if_fail (self != NULL, NULL);
  object = json_object_new ();
  if (self->test != NULL)
    {
      JsonArray *test = json_array_new ();

      for (guint i = 0; self->test[i] != NULL; i++)
        json_array_add_string_element (test, self->test[i]);
      json_object_set_array_member (object, "Test", test);
    }
#define NS(n, v) if ((v) != 0) json_object_set_int_member (object, n, (v) * 1000)
  NS ("Interval", self->interval);
  NS ("Timeout", self->timeout);
  NS ("StartPeriod", self->start_period);
  NS ("StartInterval", self->start_interval);
#undef NS
  if (self->retries != 0)
    json_object_set_int_member (object, "Retries", self->retries);
  return object;
}

HatakeHealthConfig *
hatake_health_config_from_docker (JsonObject  *object,
                                  GError     **error)
{
  static const char * const durations[] = { "Interval", "Timeout", "StartPeriod", "StartInterval" };
  g_autoptr(HatakeHealthConfig) self = NULL;
  JsonArray *test;
  gint64 *fields[4];

  if (object == NULL)
    return NULL;
  self = hatake_health_config_new ();
  fields[0] = &self->interval;
  fields[1] = &self->timeout;
  fields[2] = &self->start_period;
  fields[3] = &self->start_interval;
  test = hatake_json_array_member (object, "Test");
  if (test != NULL && json_array_get_length (test) > 0)
    {
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      const char *kind;

      for (guint i = 0; i < json_array_get_length (test); i++)
        {
          JsonNode *element = json_array_get_element (test, i);

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   "Healthcheck Test must be a list of strings");
              return NULL;
            }
          g_strv_builder_add (b, json_node_get_string (element));
        }
      self->test = g_strv_builder_end (b);
      kind = self->test[0];
      if (!g_str_equal (kind, "NONE") && !g_str_equal (kind, "CMD") && !g_str_equal (kind, "CMD-SHELL"))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Unknown type %s in Healthcheck Test (expected CMD, CMD-SHELL or NONE)", kind);
          return NULL;
        }
      if (!g_str_equal (kind, "NONE") && self->test[1] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Healthcheck %s has no command", kind);
          return NULL;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    {
      gint64 ns = hatake_json_int (object, durations[i], 0);

      if (ns != 0 && ns < HATAKE_HEALTH_MIN_DURATION * 1000)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "%s in Healthcheck cannot be less than 1ms", durations[i]);
          return NULL;
        }
      *fields[i] = ns / 1000;
    }
  if (hatake_json_int (object, "Retries", 0) < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Retries in Healthcheck cannot be negative");
      return NULL;
    }
  self->retries = (int) MIN (hatake_json_int (object, "Retries", 0), G_MAXINT);
  return g_steal_pointer (&self);
}

/* Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, or "0" */
gboolean
hatake_duration_parse (const char  *text,
                       gint64      *usec,
                       GError     **error)
{
  static const struct { const char *unit; double usec; } units[] = {
    { "ns", 1e-3 }, { "us", 1 }, { "µs", 1 }, { "μs", 1 }, { "ms", 1e3 }, { "s", 1e6 }, { "m", 60e6 },
    { "h", 3600e6 },
  };
  const char *p = text;
  double total = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  if (*p == '+')
    p++;
  if (g_str_equal (p, "0"))
    {
      *usec = 0;
      return TRUE;
    }
  if (*p == '\0' || *p == '-')
    goto invalid;
  while (*p != '\0')
    {
      const char *start = p;
      g_autofree char *number = NULL;
      gboolean found = FALSE;
      gsize best = 0;
      double factor = 0;

      guint dots = 0;

      while (g_ascii_isdigit (*p) || *p == '.')
        dots += *p++ == '.';
      if (p == start || dots > 1 || (p == start + 1 && *start == '.'))
        goto invalid;
      number = g_strndup (start, p - start);
      /* the longest unit that matches: "ms" before "m" */
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (g_str_has_prefix (p, units[i].unit) && strlen (units[i].unit) > best)
          {
            best = strlen (units[i].unit);
            factor = units[i].usec;
            found = TRUE;
          }
      if (!found)
        goto invalid;
      p += best;
      total += g_ascii_strtod (number, NULL) * factor;
    }
  if (total > (double) G_MAXINT64 / 1000)
    goto invalid;
  *usec = (gint64) (total + 0.5);
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("invalid duration “%s”"), text);
  return FALSE;
}

/* ---- the config ----------------------------------------------------------------------------- */

HatakeContainerConfig *
hatake_container_config_new (void)
{
  HatakeContainerConfig *self = g_new0 (HatakeContainerConfig, 1);

  self->stop_timeout = -1;
  self->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_container_mount_free);
  self->network_mode = g_strdup ("bridge");   /* docker's default network */
  self->networks = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_network_endpoint_free);
  return self;
}

HatakeContainerConfig *
hatake_container_config_copy (const HatakeContainerConfig *self)
{
  HatakeContainerConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_new0 (HatakeContainerConfig, 1);
  *copy = *self;
  copy->name = g_strdup (self->name);
  copy->image = g_strdup (self->image);
  copy->entrypoint = g_strdupv (self->entrypoint);
  copy->cmd = g_strdupv (self->cmd);
  copy->env = g_strdupv (self->env);
  copy->working_dir = g_strdup (self->working_dir);
  copy->user = g_strdup (self->user);
  copy->hostname = g_strdup (self->hostname);
  copy->labels = g_strdupv (self->labels);
  copy->cap_add = g_strdupv (self->cap_add);
  copy->sysctls = g_strdupv (self->sysctls);
  copy->extra_hosts = g_strdupv (self->extra_hosts);
  copy->dns = g_strdupv (self->dns);
  copy->dns_search = g_strdupv (self->dns_search);
  copy->dns_options = g_strdupv (self->dns_options);
  copy->security_opt = g_strdupv (self->security_opt);
  copy->ulimits = g_strdupv (self->ulimits);
  copy->devices = g_strdupv (self->devices);
  copy->group_add = g_strdupv (self->group_add);
  copy->cap_drop = g_strdupv (self->cap_drop);
  copy->stop_signal = g_strdup (self->stop_signal);
  copy->runtime = g_strdup (self->runtime);
  copy->network_mode = g_strdup (self->network_mode);
  copy->pid_mode = g_strdup (self->pid_mode);
  copy->cpuset_cpus = g_strdup (self->cpuset_cpus);
  copy->cpuset_mems = g_strdup (self->cpuset_mems);
  copy->ipc_mode = g_strdup (self->ipc_mode);
  copy->uts_mode = g_strdup (self->uts_mode);
  copy->publish = g_strdupv (self->publish);
  copy->expose = g_strdupv (self->expose);
  copy->networks = self->networks ? g_ptr_array_copy (self->networks, endpoint_copy, NULL)
                                  : g_ptr_array_new ();
  g_ptr_array_set_free_func (copy->networks, (GDestroyNotify) hatake_network_endpoint_free);
  copy->healthcheck = hatake_health_config_copy (self->healthcheck);
  copy->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_container_mount_free);
  for (guint i = 0; self->mounts && i < self->mounts->len; i++)
    g_ptr_array_add (copy->mounts, mount_copy (g_ptr_array_index (self->mounts, i)));
  return copy;
}

void
hatake_container_config_free (HatakeContainerConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->image);
  g_strfreev (self->entrypoint);
  g_strfreev (self->cmd);
  g_strfreev (self->env);
  g_free (self->working_dir);
  g_free (self->user);
  g_free (self->hostname);
  g_strfreev (self->labels);
  g_strfreev (self->cap_add);
  g_strfreev (self->sysctls);
  g_strfreev (self->extra_hosts);
  g_strfreev (self->dns);
  g_strfreev (self->dns_search);
  g_strfreev (self->dns_options);
  g_strfreev (self->security_opt);
  g_strfreev (self->ulimits);
  g_strfreev (self->devices);
  g_strfreev (self->group_add);
  g_strfreev (self->cap_drop);
  g_free (self->stop_signal);
  g_free (self->runtime);
  g_free (self->network_mode);
  g_free (self->pid_mode);
  g_free (self->cpuset_cpus);
  g_free (self->cpuset_mems);
  g_free (self->ipc_mode);
  g_free (self->uts_mode);
  g_strfreev (self->publish);
  g_strfreev (self->expose);
  g_clear_pointer (&self->networks, g_ptr_array_unref);
  g_clear_pointer (&self->mounts, g_ptr_array_unref);
  hatake_health_config_free (self->healthcheck);
  g_free (self);
}

HatakeContainerMount *
hatake_container_config_add_mount (HatakeContainerConfig *self,
                                   HatakeContainerMountType        type,
                                   const char            *source,
                                   const char            *target,
                                   gboolean               read_only)
{
  HatakeContainerMount *m = g_new0 (HatakeContainerMount, 1);

  m->type = type;
  m->source = g_strdup (source);
  m->target = g_strdup (target);
  m->read_only = read_only;
  g_ptr_array_add (self->mounts, m);
  return m;
}

static const char * const restart_names[] = { "no", "always", "on-failure", "unless-stopped" };
static const char * const mount_types[] = { "bind", "volume", "tmpfs" };

const char *
hatake_restart_policy_to_string (HatakeRestartPolicy policy)
{
  g_return_val_if_fail (policy <= HATAKE_RESTART_UNLESS_STOPPED, "no");
  return restart_names[policy];
}

/* "no", "always", "unless-stopped", "on-failure", "on-failure:3" */
gboolean
hatake_restart_policy_parse (const char           *text,
                             HatakeRestartPolicy  *policy,
                             guint                *max_retries,
                             GError              **error)
{
  g_autofree char *name = g_strdup (text ? text : "no");
  char *colon = strchr (name, ':');
  guint64 n = 0;

  if (colon != NULL)
    {
      *colon = '\0';
      if (!g_str_equal (name, "on-failure") ||
          !g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXINT, &n, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("invalid restart policy “%s”: only on-failure takes a maximum retry count"), text);
          return FALSE;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (restart_names); i++)
    if (g_str_equal (name, restart_names[i]))
      {
        *policy = (HatakeRestartPolicy) i;
        *max_retries = (guint) n;
        return TRUE;
      }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("invalid restart policy “%s”: expected no, always, on-failure[:N] or unless-stopped"), text);
  return FALSE;
}

void
hatake_container_update_clear (HatakeContainerUpdate *update)
{
  g_free (update->cpuset_cpus);
  g_free (update->cpuset_mems);
  *update = (HatakeContainerUpdate) { 0 };
}

void
hatake_container_update_copy (const HatakeContainerUpdate *src,
                              HatakeContainerUpdate       *dest)
{
  *dest = *src;
  dest->cpuset_cpus = g_strdup (src->cpuset_cpus);
  dest->cpuset_mems = g_strdup (src->cpuset_mems);
}

/* *FIELD becomes a copy of VALUE, unless VALUE is NULL or "" (an update's "unchanged") */
static void
replace_if_given (char      **field,
                  const char *value)
{
  if (value == NULL || *value == '\0')
    return;
  g_free (*field);
  *field = g_strdup (value);
}

gboolean
hatake_container_config_update (HatakeContainerConfig       *config,
                                const HatakeContainerUpdate *update,
                                GError                     **error)
{
  g_return_val_if_fail (config != NULL && update != NULL, FALSE);

  if (update->set_restart && update->restart != HATAKE_RESTART_NO && config->auto_remove)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Restart policy cannot be updated because AutoRemove is enabled for the container"));
      return FALSE;
    }
  if (update->memory != 0)
    config->memory = update->memory;
  if (update->memory_swap != 0)
    config->memory_swap = update->memory_swap;
  if (update->cpu_shares != 0)
    config->cpu_shares = update->cpu_shares;
  if (update->cpus != 0)
    config->cpus = update->cpus;
  if (update->pids_limit != 0)
    config->pids_limit = MAX (update->pids_limit, 0);
  replace_if_given (&config->cpuset_cpus, update->cpuset_cpus);
  replace_if_given (&config->cpuset_mems, update->cpuset_mems);
  if (update->set_restart)
    {
      config->restart = update->restart;
      config->restart_max = update->restart == HATAKE_RESTART_ON_FAILURE ? update->restart_max : 0;
    }
  return TRUE;
}

static void
add_strv (JsonBuilder *b, const char *name, char **strv, gboolean keep_null)
{
  if (strv == NULL && !keep_null)
    return;
  json_builder_set_member_name (b, name);
  if (strv == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_array (b);
  for (guint i = 0; strv[i]; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
hatake_container_config_to_json (const HatakeContainerConfig *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  g_return_val_if_fail (self != NULL, NULL);
  json_builder_begin_object (b);
  add_string (b, "Name", self->name);
  add_string (b, "Image", self->image);
  add_strv (b, "Entrypoint", self->entrypoint, TRUE);
  add_strv (b, "Cmd", self->cmd, TRUE);
  add_strv (b, "Env", self->env, FALSE);
  add_string (b, "WorkingDir", self->working_dir);
  add_string (b, "User", self->user);
  add_string (b, "Hostname", self->hostname);
  add_strv (b, "Labels", self->labels, FALSE);
#define BOOL(n, v) json_builder_set_member_name (b, n), json_builder_add_boolean_value (b, v)
#define INT(n, v) json_builder_set_member_name (b, n), json_builder_add_int_value (b, v)
  BOOL ("Tty", self->tty);
  BOOL ("OpenStdin", self->open_stdin);
  BOOL ("AutoRemove", self->auto_remove);
  BOOL ("ReadonlyRootfs", self->read_only);
  BOOL ("Privileged", self->privileged);
  BOOL ("Init", self->init);
  add_strv (b, "CapAdd", self->cap_add, FALSE);
  add_strv (b, "CapDrop", self->cap_drop, FALSE);
  add_strv (b, "Sysctls", self->sysctls, FALSE);
  add_strv (b, "ExtraHosts", self->extra_hosts, FALSE);
  add_strv (b, "Dns", self->dns, FALSE);
  add_strv (b, "DnsSearch", self->dns_search, FALSE);
  add_strv (b, "DnsOptions", self->dns_options, FALSE);
  INT ("ShmSize", self->shm_size);
  add_strv (b, "SecurityOpt", self->security_opt, FALSE);
  add_strv (b, "Ulimits", self->ulimits, FALSE);
  add_strv (b, "Devices", self->devices, FALSE);
  add_strv (b, "GroupAdd", self->group_add, FALSE);
  INT ("Memory", self->memory);
  INT ("MemorySwap", self->memory_swap);
  INT ("CpuShares", self->cpu_shares);
  add_string (b, "CpusetCpus", self->cpuset_cpus);
  add_string (b, "CpusetMems", self->cpuset_mems);
  INT ("OomScoreAdj", self->oom_score_adj);
  json_builder_set_member_name (b, "NanoCpus");
  json_builder_add_int_value (b, (gint64) (self->cpus * 1e9 + 0.5));
  INT ("PidsLimit", self->pids_limit);
  json_builder_set_member_name (b, "RestartPolicy");
  json_builder_begin_object (b);
  add_string (b, "Name", restart_names[self->restart]);
  INT ("MaximumRetryCount", self->restart_max);
  json_builder_end_object (b);
  add_string (b, "StopSignal", self->stop_signal);
  INT ("StopTimeout", self->stop_timeout);
  add_string (b, "Runtime", self->runtime);
  add_string (b, "NetworkMode", self->network_mode);
  add_string (b, "PidMode", self->pid_mode);
  add_string (b, "IpcMode", self->ipc_mode);
  add_string (b, "UTSMode", self->uts_mode);
  add_strv (b, "Publish", self->publish, FALSE);
  BOOL ("PublishAllPorts", self->publish_all);
  add_strv (b, "Expose", self->expose, FALSE);
  json_builder_set_member_name (b, "Networks");
  json_builder_begin_array (b);
  for (guint i = 0; self->networks && i < self->networks->len; i++)
    {
      HatakeNetworkEndpoint *e = g_ptr_array_index (self->networks, i);

      json_builder_begin_object (b);
      add_string (b, "Name", e->network);
      add_strv (b, "Aliases", e->aliases, FALSE);
      add_string (b, "IPAddress", e->ip);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Mounts");
  json_builder_begin_array (b);
  for (guint i = 0; self->mounts && i < self->mounts->len; i++)
    {
      HatakeContainerMount *m = g_ptr_array_index (self->mounts, i);
      json_builder_begin_object (b);
      add_string (b, "Type", mount_types[m->type]);
      add_string (b, "Source", m->source);
      add_string (b, "Target", m->target);
      BOOL ("ReadOnly", m->read_only);
      BOOL ("CreateSource", m->create_source);
      INT ("TmpfsSize", m->tmpfs_size);
      INT ("TmpfsMode", m->tmpfs_mode);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (self->healthcheck != NULL)
    {
      JsonNode *health = json_node_new (JSON_NODE_OBJECT);

      json_node_take_object (health, hatake_health_config_to_docker (self->healthcheck));
      json_builder_set_member_name (b, "Healthcheck");
      json_builder_add_value (b, health);
    }
#undef BOOL
#undef INT
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static GStrv
get_strv (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);
  g_autoptr(GStrvBuilder) b = NULL;
  JsonArray *a;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  a = json_node_get_array (node);
  b = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *s = json_array_get_string_element (a, i);
      if (s != NULL)
        g_strv_builder_add (b, s);
    }
  return g_strv_builder_end (b);
}

static char *
get_string (JsonObject *o, const char *name)
{
  return g_strdup (json_object_get_string_member_with_default (o, name, NULL));
}

HatakeContainerConfig *
hatake_container_config_from_json (JsonNode  *node,
                                   GError   **error)
{
  g_autoptr(HatakeContainerConfig) self = hatake_container_config_new ();
  JsonObject *o, *restart;
  JsonArray *mounts, *networks;
  g_autofree char *policy = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("a container's config is not a JSON object"));
      return NULL;
    }
  o = json_node_get_object (node);
  self->name = get_string (o, "Name");
  self->image = get_string (o, "Image");
  self->entrypoint = get_strv (o, "Entrypoint");
  self->cmd = get_strv (o, "Cmd");
  self->env = get_strv (o, "Env");
  self->working_dir = get_string (o, "WorkingDir");
  self->user = get_string (o, "User");
  self->hostname = get_string (o, "Hostname");
  self->labels = get_strv (o, "Labels");
  self->tty = json_object_get_boolean_member_with_default (o, "Tty", FALSE);
  self->open_stdin = json_object_get_boolean_member_with_default (o, "OpenStdin", FALSE);
  self->auto_remove = json_object_get_boolean_member_with_default (o, "AutoRemove", FALSE);
  self->read_only = json_object_get_boolean_member_with_default (o, "ReadonlyRootfs", FALSE);
  self->privileged = json_object_get_boolean_member_with_default (o, "Privileged", FALSE);
  self->init = json_object_get_boolean_member_with_default (o, "Init", FALSE);
  self->cap_add = get_strv (o, "CapAdd");
  self->cap_drop = get_strv (o, "CapDrop");
  self->sysctls = get_strv (o, "Sysctls");
  self->extra_hosts = get_strv (o, "ExtraHosts");
  self->dns = get_strv (o, "Dns");
  self->dns_search = get_strv (o, "DnsSearch");
  self->dns_options = get_strv (o, "DnsOptions");
  self->shm_size = MAX (json_object_get_int_member_with_default (o, "ShmSize", 0), 0);
  self->security_opt = get_strv (o, "SecurityOpt");
  self->ulimits = get_strv (o, "Ulimits");
  self->devices = get_strv (o, "Devices");
  self->group_add = get_strv (o, "GroupAdd");
  self->memory = json_object_get_int_member_with_default (o, "Memory", 0);
  self->memory_swap = json_object_get_int_member_with_default (o, "MemorySwap", 0);
  self->cpu_shares = json_object_get_int_member_with_default (o, "CpuShares", 0);
  self->cpuset_cpus = get_string (o, "CpusetCpus");
  self->cpuset_mems = get_string (o, "CpusetMems");
  self->oom_score_adj = json_object_get_int_member_with_default (o, "OomScoreAdj", 0);
  self->cpus = json_object_get_int_member_with_default (o, "NanoCpus", 0) / 1e9;
  self->pids_limit = json_object_get_int_member_with_default (o, "PidsLimit", 0);
  restart = json_object_has_member (o, "RestartPolicy") ? json_object_get_object_member (o, "RestartPolicy") : NULL;
  policy = restart ? get_string (restart, "Name") : NULL;
  if (policy != NULL && !hatake_restart_policy_parse (policy, &self->restart, &self->restart_max, error))
    return NULL;
  if (restart != NULL)
    self->restart_max = json_object_get_int_member_with_default (restart, "MaximumRetryCount", 0);
  self->stop_signal = get_string (o, "StopSignal");
  self->stop_timeout = json_object_get_int_member_with_default (o, "StopTimeout", -1);
  self->runtime = get_string (o, "Runtime");
  g_free (self->network_mode);
  self->network_mode = get_string (o, "NetworkMode");
  self->pid_mode = get_string (o, "PidMode");
  self->ipc_mode = get_string (o, "IpcMode");
  self->uts_mode = get_string (o, "UTSMode");
  self->publish = get_strv (o, "Publish");
  self->publish_all = json_object_get_boolean_member_with_default (o, "PublishAllPorts", FALSE);
  self->expose = get_strv (o, "Expose");
  networks = hatake_json_array_member (o, "Networks");
  for (guint i = 0; networks != NULL && i < json_array_get_length (networks); i++)
    {
      JsonObject *e = hatake_json_array_object (networks, i);
      HatakeNetworkEndpoint *endpoint;

      if (e == NULL || json_object_get_string_member_with_default (e, "Name", NULL) == NULL)
        continue;
      endpoint = g_new0 (HatakeNetworkEndpoint, 1);
      endpoint->network = get_string (e, "Name");
      endpoint->aliases = get_strv (e, "Aliases");
      endpoint->ip = get_string (e, "IPAddress");
      g_ptr_array_add (self->networks, endpoint);
    }
  /* (what docker's create took; a config.json that says otherwise was not written by us) */
  self->healthcheck = hatake_health_config_from_docker (hatake_json_object_member (o, "Healthcheck"), NULL);
  mounts = json_object_has_member (o, "Mounts") ? json_object_get_array_member (o, "Mounts") : NULL;
  for (guint i = 0; mounts && i < json_array_get_length (mounts); i++)
    {
      JsonObject *m = json_array_get_object_element (mounts, i);
      const char *type = json_object_get_string_member_with_default (m, "Type", "bind");
      HatakeContainerMount *mount = g_new0 (HatakeContainerMount, 1);

      mount->type = g_str_equal (type, "volume") ? HATAKE_CONTAINER_MOUNT_VOLUME :
                    g_str_equal (type, "tmpfs") ? HATAKE_CONTAINER_MOUNT_TMPFS : HATAKE_CONTAINER_MOUNT_BIND;
      mount->source = get_string (m, "Source");
      mount->target = get_string (m, "Target");
      mount->read_only = json_object_get_boolean_member_with_default (m, "ReadOnly", FALSE);
      mount->create_source = json_object_get_boolean_member_with_default (m, "CreateSource", FALSE);
      mount->tmpfs_size = json_object_get_int_member_with_default (m, "TmpfsSize", 0);
      mount->tmpfs_mode = json_object_get_int_member_with_default (m, "TmpfsMode", 0);
      g_ptr_array_add (self->mounts, mount);
    }
  return g_steal_pointer (&self);
}

/* ---- -p, docker's --publish ----------------------------------------------------------------------------------- */

static gboolean
parse_port_range (const char *text,
                  guint16    *first,
                  guint16    *count)
{
  g_auto(GStrv) ends = g_strsplit (text, "-", 2);
  guint64 a, b;

  if (ends[0] == NULL || !g_ascii_string_to_unsigned (ends[0], 10, 1, 65535, &a, NULL))
    return FALSE;
  b = a;
  if (ends[1] != NULL && !g_ascii_string_to_unsigned (ends[1], 10, a, 65535, &b, NULL))
    return FALSE;
  *first = a;
  *count = b - a + 1;
  return TRUE;
}

gboolean
hatake_port_mapping_parse (const char         *spec,
                           HatakePortMapping  *mapping,
                           GError            **error)
{
  g_autofree char *copy = g_strdup (spec ? spec : "");
  char *proto = strchr (copy, '/');
  char *container, *host = NULL, *ip = NULL;
  guint16 host_count = 0;

  memset (mapping, 0, sizeof *mapping);
  g_strlcpy (mapping->protocol, "tcp", sizeof mapping->protocol);
  if (proto != NULL)
    {
      *proto++ = '\0';
      if (!g_str_equal (proto, "tcp") && !g_str_equal (proto, "udp"))
        goto invalid;
      g_strlcpy (mapping->protocol, proto, sizeof mapping->protocol);
    }
  container = strrchr (copy, ':');
  if (container != NULL)
    {
      *container++ = '\0';
      host = strrchr (copy, ':');
      if (host != NULL)
        {
          *host++ = '\0';
          ip = copy;
        }
      else
        host = copy;
    }
  else
    container = copy;

  if (!parse_port_range (container, &mapping->container_port, &mapping->range))
    goto invalid;
  if (host != NULL && *host != '\0')
    {
      if (!parse_port_range (host, &mapping->host_port, &host_count) ||
          (host_count != mapping->range && !(host_count > 1 && mapping->range == 1)))
        goto invalid;
      if (host_count > 1 && mapping->range == 1)
        {
          /* a host range for one port: docker takes the first free one; we take the first */
          host_count = 1;
        }
    }
  if (ip != NULL && *ip != '\0')
    {
      g_autoptr(GInetAddress) address = ip[0] == '[' ? NULL : g_inet_address_new_from_string (ip);

      if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV4)
        goto invalid;
      g_strlcpy (mapping->host_ip, ip, sizeof mapping->host_ip);
    }
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Invalid port “%s”: expected [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], ports 1 to 65535, "
                 "ranges of the same length"), spec ? spec : "");
  return FALSE;
}

gboolean
hatake_container_config_security (const HatakeContainerConfig *config,
                                  gboolean                    *no_new_privileges,
                                  gboolean                    *seccomp_unconfined,
                                  GError                     **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  *no_new_privileges = FALSE;
  *seccomp_unconfined = FALSE;
  for (guint i = 0; config->security_opt != NULL && config->security_opt[i] != NULL; i++)
    {
      const char *opt = config->security_opt[i];
      gsize n = strcspn (opt, ":=");
      g_autofree char *key = g_strndup (opt, n);
      const char *value = opt[n] != '\0' ? opt + n + 1 : NULL;

      /* (Go's strconv.ParseBool, as docker reads the value) */
      static const char * const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
      static const char * const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

      if (g_str_equal (key, "no-new-privileges") &&
          (value == NULL || g_strv_contains (yes, value) || g_strv_contains (no, value)))
        *no_new_privileges = value == NULL || g_strv_contains (yes, value);
      else if (g_str_equal (key, "seccomp") && g_strcmp0 (value, "unconfined") == 0)
        *seccomp_unconfined = TRUE;
      else if (g_str_equal (key, "seccomp") && value != NULL)
        {
          /* (the docker CLI sends a profile's content in place of its file name) */
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
                       _("invalid --security-opt: custom seccomp profiles are not supported yet (only seccomp=unconfined)"));
          return FALSE;
        }
      else if ((g_str_equal (key, "apparmor") || g_str_equal (key, "label")) && value != NULL)
        continue;
      else
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, _("invalid --security-opt: %s"), opt);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
hatake_namespace_mode_parse (const char  *kind,
                             const char  *text,
                             char       **mode,
                             GError     **error)
{
  gboolean ipc = g_strcmp0 (kind, "ipc") == 0;
  g_autofree char *upper = NULL;

  g_return_val_if_fail (kind != NULL && mode != NULL, FALSE);

  *mode = NULL;
  if (text == NULL || *text == '\0' || g_str_equal (text, "private") || (ipc && g_str_equal (text, "shareable")))
    return TRUE;
  if (g_str_equal (text, "host"))
    {
      *mode = g_strdup ("host");
      return TRUE;
    }
  /* what docker does with these needs another container's namespaces joined (or, for --ipc
   * none, no /dev/shm): refused rather than quietly given a namespace of the container's own */
  if ((g_str_has_prefix (text, "container:") && text[10] != '\0') || (ipc && g_str_equal (text, "none")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Hatake does not support --%s %s yet (only host, and private, the default)"), kind, text);
      return FALSE;
    }
  upper = g_ascii_strup (kind, -1);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("invalid %s mode: %s"), upper, text);
  return FALSE;
}

gboolean
hatake_container_config_check_namespaces (const HatakeContainerConfig *config,
                                          GError                     **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  /* (the host's name is the container's: docker's runconfig refuses another) */
  if (g_strcmp0 (config->uts_mode, "host") == 0 && config->hostname != NULL && *config->hostname != '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("conflicting options: hostname and the UTS mode"));
      return FALSE;
    }
  return TRUE;
}

gboolean
hatake_ulimit_parse (const char   *text,
                     const char  **type,
                     gint64       *soft,
                     gint64       *hard,
                     GError      **error)
{
  static const struct { const char *name, *type; } names[] = {
    { "as", "RLIMIT_AS" }, { "core", "RLIMIT_CORE" }, { "cpu", "RLIMIT_CPU" }, { "data", "RLIMIT_DATA" },
    { "fsize", "RLIMIT_FSIZE" }, { "locks", "RLIMIT_LOCKS" }, { "memlock", "RLIMIT_MEMLOCK" },
    { "msgqueue", "RLIMIT_MSGQUEUE" }, { "nice", "RLIMIT_NICE" }, { "nofile", "RLIMIT_NOFILE" },
    { "nproc", "RLIMIT_NPROC" }, { "rss", "RLIMIT_RSS" }, { "rtprio", "RLIMIT_RTPRIO" },
    { "rttime", "RLIMIT_RTTIME" }, { "sigpending", "RLIMIT_SIGPENDING" }, { "stack", "RLIMIT_STACK" },
  };
  const char *eq = strchr (text, '=');
  g_autofree char *name = eq ? g_strndup (text, eq - text) : NULL;
  g_auto(GStrv) values = eq ? g_strsplit (eq + 1, ":", 3) : NULL;
  guint n = values ? g_strv_length (values) : 0;

  *type = NULL;
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i].name))
      *type = names[i].type;
  if (*type == NULL || n < 1 || n > 2 ||
      !g_ascii_string_to_signed (values[0], 10, -1, G_MAXINT64, soft, NULL) ||
      !g_ascii_string_to_signed (values[n - 1], 10, -1, G_MAXINT64, hard, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("invalid ulimit “%s”: not NAME=SOFT[:HARD] with a name such as nofile or nproc"), text);
      return FALSE;
    }
  /* (-1, unlimited, is above any number) */
  if (*hard != -1 && (*soft == -1 || *soft > *hard))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("invalid ulimit “%s”: the soft limit is above the hard one"), text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_device_permissions (const char *text)
{
  if (*text == '\0' || strlen (text) > 3)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (strchr ("rwm", *p) == NULL || strchr (p + 1, *p) != NULL)
      return FALSE;
  return TRUE;
}

gboolean
hatake_device_parse (const char  *text,
                     char       **host,
                     char       **container,
                     char       **permissions,
                     GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", 4);
  guint n = g_strv_length (parts);
  const char *in = NULL, *perms = "rwm";

  *host = *container = *permissions = NULL;
  if (n == 3)
    {
      in = parts[1];
      perms = parts[2];
    }
  else if (n == 2)
    {
      /* HOST:PERMISSIONS or HOST:CONTAINER, as docker tells them apart */
      if (is_device_permissions (parts[1]))
        perms = parts[1];
      else
        in = parts[1];
    }
  if (n < 1 || n > 3 || parts[0][0] != '/' || (in != NULL && in[0] != '/') || !is_device_permissions (perms))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("invalid device “%s”: not HOST_PATH[:CONTAINER_PATH][:PERMISSIONS] with absolute paths "
                     "and permissions among r, w and m"), text);
      return FALSE;
    }
  *host = g_strdup (parts[0]);
  *container = g_strdup (in != NULL ? in : parts[0]);
  *permissions = g_strdup (perms);
  return TRUE;
}
