/* hatake-compose-project.c: a loaded compose project, and the plan a runner follows
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <string.h>

#include "hatake-compose-project-private.h"

G_DEFINE_FINAL_TYPE (HatakeComposeProject, hatake_compose_project, G_TYPE_OBJECT)

static void
hatake_compose_project_finalize (GObject *object)
{
  HatakeComposeProject *self = HATAKE_COMPOSE_PROJECT (object);

  g_free (self->name);
  g_free (self->dir);
  g_strfreev (self->files);
  g_clear_pointer (&self->services, g_ptr_array_unref);
  g_strfreev (self->disabled);
  g_clear_pointer (&self->networks, g_ptr_array_unref);
  g_clear_pointer (&self->volumes, g_ptr_array_unref);
  g_clear_pointer (&self->secrets, g_ptr_array_unref);
  g_clear_pointer (&self->configs, g_ptr_array_unref);
  g_strfreev (self->warnings);

  G_OBJECT_CLASS (hatake_compose_project_parent_class)->finalize (object);
}

static void
hatake_compose_project_class_init (HatakeComposeProjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hatake_compose_project_finalize;
}

static void
hatake_compose_project_init (HatakeComposeProject *self)
{
}

static HatakeComposeProject *
load (const HatakeComposeOptions *options,
      const char                 *data,
      gssize                      length,
      const char                 *file_name,
      GError                    **error)
{
  static const HatakeComposeOptions defaults = { 0 };
  g_autoptr(HatakeComposeProject) self = g_object_new (HATAKE_TYPE_COMPOSE_PROJECT, NULL);

  if (!_hatake_compose_project_fill (self, options ? options : &defaults, data, length, file_name, error))
    return NULL;
  return g_steal_pointer (&self);
}

HatakeComposeProject *
hatake_compose_project_load (const HatakeComposeOptions  *options,
                             GError                     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load (options, NULL, 0, NULL, error);
}

HatakeComposeProject *
hatake_compose_project_load_from_data (const HatakeComposeOptions  *options,
                                       const char                  *data,
                                       gssize                       length,
                                       const char                  *file_name,
                                       GError                     **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load (options, data, length, file_name, error);
}

const char *
hatake_compose_project_get_name (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return self->name;
}

const char *
hatake_compose_project_get_dir (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return self->dir;
}

const char * const *
hatake_compose_project_get_files (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return (const char * const *) self->files;
}

GPtrArray *
hatake_compose_project_get_services (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return self->services;
}

HatakeComposeService *
hatake_compose_project_get_service (HatakeComposeProject *self,
                                    const char           *name)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->services->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (self->services, i);
      if (g_str_equal (s->name, name))
        return s;
    }
  return NULL;
}

const char * const *
hatake_compose_project_get_disabled (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return (const char * const *) self->disabled;
}

GPtrArray *
hatake_compose_project_get_networks (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return self->networks;
}

GPtrArray *
hatake_compose_project_get_volumes (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return self->volumes;
}

HatakeComposeNetwork *
hatake_compose_project_get_network (HatakeComposeProject *self,
                                    const char           *key)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);

  for (guint i = 0; i < self->networks->len; i++)
    {
      HatakeComposeNetwork *n = g_ptr_array_index (self->networks, i);
      if (g_str_equal (n->key, key))
        return n;
    }
  return NULL;
}

HatakeComposeVolume *
hatake_compose_project_get_volume (HatakeComposeProject *self,
                                   const char           *key)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);

  for (guint i = 0; i < self->volumes->len; i++)
    {
      HatakeComposeVolume *v = g_ptr_array_index (self->volumes, i);
      if (g_str_equal (v->key, key))
        return v;
    }
  return NULL;
}

GPtrArray *
hatake_compose_project_get_secrets (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return self->secrets;
}

GPtrArray *
hatake_compose_project_get_configs (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return self->configs;
}

const char * const *
hatake_compose_project_get_warnings (HatakeComposeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  return (const char * const *) self->warnings;
}

/* Kahn's algorithm over the active services (already sorted by name): each round takes the first
 * service by name whose dependencies are all placed. The loader refused cycles. */
GPtrArray *
hatake_compose_project_get_order (HatakeComposeProject *self)
{
  GPtrArray *order;
  g_autoptr(GHashTable) placed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) active = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);

  order = g_ptr_array_new ();
  for (guint i = 0; i < self->services->len; i++)
    g_hash_table_add (active, ((HatakeComposeService *) g_ptr_array_index (self->services, i))->name);
  while (order->len < self->services->len)
    {
      gboolean progress = FALSE;

      for (guint i = 0; i < self->services->len && !progress; i++)
        {
          HatakeComposeService *s = g_ptr_array_index (self->services, i);
          gboolean ready = !g_hash_table_contains (placed, s->name);

          for (guint j = 0; ready && j < s->depends_on->len; j++)
            {
              const char *dep = ((HatakeComposeDependency *) g_ptr_array_index (s->depends_on, j))->service;
              ready = !g_hash_table_contains (active, dep) || g_hash_table_contains (placed, dep);
            }
          if (ready)
            {
              g_hash_table_add (placed, s->name);
              g_ptr_array_add (order, s);
              progress = TRUE;
            }
        }
      g_assert (progress);
    }
  return order;
}

char *
hatake_compose_project_container_name (HatakeComposeProject *self,
                                       HatakeComposeService *service,
                                       guint                 number)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  g_return_val_if_fail (service != NULL, NULL);

  if (service->container_name != NULL)
    return g_strdup (service->container_name);
  return g_strdup_printf ("%s-%s-%u", self->name, service->name, number);
}

char *
hatake_compose_project_image_name (HatakeComposeProject *self,
                                   HatakeComposeService *service)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  g_return_val_if_fail (service != NULL, NULL);

  if (service->image != NULL)
    return g_strdup (service->image);
  return g_strdup_printf ("%s-%s", self->name, service->name);
}

static const char * const condition_names[] = {
  "service_started", "service_healthy", "service_completed_successfully"
};

GStrv
hatake_compose_project_container_labels (HatakeComposeProject *self,
                                         HatakeComposeService *service,
                                         guint                 number)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) depends = g_string_new (NULL);
  g_autofree char *files = NULL;

  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  g_return_val_if_fail (service != NULL, NULL);

  for (guint i = 0; i < service->depends_on->len; i++)
    {
      HatakeComposeDependency *d = g_ptr_array_index (service->depends_on, i);

      g_string_append_printf (depends, "%s%s:%s:%s", i ? "," : "", d->service, condition_names[d->condition],
                              d->restart ? "true" : "false");
    }
  files = g_strjoinv (",", self->files);
  g_ptr_array_add (labels, g_strdup_printf ("com.docker.compose.container-number=%u", number));
  g_ptr_array_add (labels, g_strdup_printf ("com.docker.compose.depends_on=%s", depends->str));
  g_ptr_array_add (labels, g_strdup ("com.docker.compose.oneoff=False"));
  g_ptr_array_add (labels, g_strdup_printf ("com.docker.compose.project=%s", self->name));
  g_ptr_array_add (labels, g_strdup_printf ("com.docker.compose.project.config_files=%s", files));
  g_ptr_array_add (labels, g_strdup_printf ("com.docker.compose.project.working_dir=%s", self->dir));
  g_ptr_array_add (labels, g_strdup_printf ("com.docker.compose.service=%s", service->name));
  g_ptr_array_add (labels, g_strdup ("com.docker.compose.version=" HATAKE_COMPOSE_VERSION));
  g_ptr_array_add (labels, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&labels), FALSE);
}

static GStrv
strv_concat (GStrv               a,
             const char * const *b)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (a != NULL)
    g_strv_builder_addv (builder, (const char **) a);
  if (b != NULL)
    g_strv_builder_addv (builder, (const char **) b);
  return g_strv_builder_end (builder);
}

static char *
port_range (guint16 first,
            guint16 last)
{
  return last != first ? g_strdup_printf ("%u-%u", first, last) : g_strdup_printf ("%u", first);
}

HatakeContainerConfig *
hatake_compose_project_container_config (HatakeComposeProject *self,
                                         HatakeComposeService *s,
                                         guint                 number)
{
  HatakeContainerConfig *c;
  g_auto(GStrv) compose_labels = NULL;
  g_autoptr(GStrvBuilder) publish = g_strv_builder_new ();

  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (self), NULL);
  g_return_val_if_fail (s != NULL, NULL);

  c = hatake_container_config_new ();
  c->name = hatake_compose_project_container_name (self, s, number);
  c->image = hatake_compose_project_image_name (self, s);
  c->entrypoint = g_strdupv (s->entrypoint);
  c->cmd = g_strdupv (s->command);
  c->env = g_strdupv (s->environment);
  c->working_dir = g_strdup (s->working_dir);
  c->user = g_strdup (s->user);
  c->hostname = g_strdup (s->hostname);
  compose_labels = hatake_compose_project_container_labels (self, s, number);
  c->labels = strv_concat (s->labels, (const char * const *) compose_labels);
  c->tty = s->tty;
  c->open_stdin = s->stdin_open;
  c->read_only = s->read_only;
  c->privileged = s->privileged;
  c->init = s->init;
  c->cap_add = g_strdupv (s->cap_add);
  c->sysctls = g_strdupv (s->sysctls);
  c->extra_hosts = g_strdupv (s->extra_hosts);
  c->devices = g_strdupv (s->devices);
  c->group_add = g_strdupv (s->group_add);
  c->dns = g_strdupv (s->dns);
  c->shm_size = MAX (s->shm_size, 0);
  c->cap_drop = g_strdupv (s->cap_drop);
  c->memory = s->memory;
  c->cpus = s->cpus;
  c->pids_limit = s->pids_limit > 0 ? s->pids_limit : 0;
  c->memory_swap = s->memory_swap;
  c->cpuset_cpus = s->cpuset != NULL && *s->cpuset != '\0' ? g_strdup (s->cpuset) : NULL;
  c->oom_score_adj = s->oom_score_adj;
  c->cpu_shares = s->cpu_shares;
  c->pid_mode = g_strdup (s->pid);
  c->ipc_mode = g_strdup (s->ipc);
  c->uts_mode = g_strdup (s->uts);
  c->restart = s->restart;
  c->restart_max = s->restart_max;
  c->stop_signal = g_strdup (s->stop_signal);
  c->stop_timeout = s->stop_grace_period < 0 ? -1 : (int) MIN (s->stop_grace_period / G_USEC_PER_SEC, G_MAXINT);
  if (s->healthcheck != NULL)
    {
      /* the same fields and units (µs); disable is test NONE already */
      c->healthcheck = hatake_health_config_new ();
      c->healthcheck->test = g_strdupv (s->healthcheck->test);
      c->healthcheck->interval = s->healthcheck->interval;
      c->healthcheck->timeout = s->healthcheck->timeout;
      c->healthcheck->start_period = s->healthcheck->start_period;
      c->healthcheck->start_interval = s->healthcheck->start_interval;
      c->healthcheck->retries = s->healthcheck->retries;
    }
  for (guint i = 0; i < s->volumes->len; i++)
    {
      HatakeComposeMount *m = g_ptr_array_index (s->volumes, i);
      HatakeContainerMount *cm;

      switch (m->type)
        {
        case HATAKE_COMPOSE_MOUNT_VOLUME:
          {
            HatakeComposeVolume *v = m->source ? hatake_compose_project_get_volume (self, m->source) : NULL;
            hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_VOLUME, v ? v->name : NULL, m->target,
                                               m->read_only);
          }
          break;
        case HATAKE_COMPOSE_MOUNT_BIND:
          hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_BIND, m->source, m->target,
                                             m->read_only)->create_source = m->create_host_path;
          break;
        case HATAKE_COMPOSE_MOUNT_TMPFS:
          hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, m->target, m->read_only);
          cm = g_ptr_array_index (c->mounts, c->mounts->len - 1);
          cm->tmpfs_size = m->tmpfs_size;
          cm->tmpfs_mode = m->tmpfs_mode;
          break;
        default:
          g_assert_not_reached ();
        }
    }
  for (guint i = 0; i < s->ports->len; i++)
    {
      HatakeComposePort *p = g_ptr_array_index (s->ports, i);
      g_autofree char *target = port_range (p->target, p->target_end);
      g_autofree char *published = p->published ? port_range (p->published, p->published_end) : g_strdup ("");
      g_autofree char *spec = NULL;

      if (p->host_ip != NULL && strchr (p->host_ip, ':') != NULL)
        spec = g_strdup_printf ("[%s]:%s:%s/%s", p->host_ip, published, target, p->protocol);
      else if (p->host_ip != NULL)
        spec = g_strdup_printf ("%s:%s:%s/%s", p->host_ip, published, target, p->protocol);
      else if (p->published)
        spec = g_strdup_printf ("%s:%s/%s", published, target, p->protocol);
      else
        spec = g_strdup_printf ("%s/%s", target, p->protocol);
      g_strv_builder_add (publish, spec);
    }
  c->publish = g_strv_builder_end (publish);
  c->expose = g_strdupv (s->expose);
  if (s->network_mode != NULL && g_str_has_prefix (s->network_mode, "service:"))
    {
      /* the engine knows containers, not services: the service's first container */
      HatakeComposeService *other = hatake_compose_project_get_service (self, s->network_mode + 8);
      g_autofree char *name = other ? hatake_compose_project_container_name (self, other, 1) : g_strdup (s->network_mode + 8);

      g_free (c->network_mode);
      c->network_mode = g_strdup_printf ("container:%s", name);
    }
  else if (s->network_mode != NULL)
    {
      g_free (c->network_mode);
      c->network_mode = g_strdup (s->network_mode);
    }
  else
    {
      for (guint i = 0; i < s->networks->len; i++)
        {
          HatakeComposeServiceNetwork *sn = g_ptr_array_index (s->networks, i);
          HatakeComposeNetwork *n = hatake_compose_project_get_network (self, sn->name);
          g_autoptr(GStrvBuilder) aliases = g_strv_builder_new ();
          g_auto(GStrv) aliases_v = NULL;

          /* compose makes the service's name an alias on every network, so that others reach it */
          g_strv_builder_add (aliases, s->name);
          if (sn->aliases != NULL)
            g_strv_builder_addv (aliases, (const char **) sn->aliases);
          aliases_v = g_strv_builder_end (aliases);
          g_ptr_array_add (c->networks, hatake_network_endpoint_new (n->name, (const char * const *) aliases_v,
                                                                     sn->ipv4_address));
        }
      if (c->networks->len > 0)
        {
          g_free (c->network_mode);
          c->network_mode = g_strdup (((HatakeNetworkEndpoint *) g_ptr_array_index (c->networks, 0))->network);
        }
    }
  _hatake_compose_add_file_mounts (self, s, c);
  return c;
}
