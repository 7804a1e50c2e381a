/* hatake-compose-config.c: a loaded project written back as a compose file (`compose config`)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One tree (a JsonNode) for both outputs: json-glib writes the JSON, libyaml's emitter the YAML.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <string.h>
#include <yaml.h>

#include "hatake-compose-config.h"
#include "hatake-error.h"

static void
add_strv (JsonBuilder *b, const char *name, GStrv v)
{
  if (v == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; v[i] != NULL; i++)
    json_builder_add_string_value (b, v[i]);
  json_builder_end_array (b);
}

/* KEY=VALUE as a mapping, as compose config prints environment and labels */
static void
add_map (JsonBuilder *b, const char *name, GStrv v)
{
  if (v == NULL || v[0] == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  for (guint i = 0; v[i] != NULL; i++)
    {
      const char *eq = strchr (v[i], '=');
      g_autofree char *key = eq ? g_strndup (v[i], eq - v[i]) : g_strdup (v[i]);

      json_builder_set_member_name (b, key);
      if (eq != NULL)
        json_builder_add_string_value (b, eq + 1);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_object (b);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_true (JsonBuilder *b, const char *name, gboolean value)
{
  if (!value)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, TRUE);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

/* cpus and memory of deploy.resources.limits or .reservations, as v2 writes them */
static void
add_resources (JsonBuilder *b, const char *name, double cpus, gint64 memory, gint64 pids)
{
  if (cpus <= 0 && memory <= 0 && pids <= 0)
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  if (cpus > 0)
    {
      json_builder_set_member_name (b, "cpus");
      json_builder_add_double_value (b, cpus);
    }
  if (memory > 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, memory);
      add_string (b, "memory", text);
    }
  if (pids > 0)
    add_int (b, "pids", pids);
  json_builder_end_object (b);
}

/* a service's secrets: or configs: */
static void
add_file_refs (JsonBuilder *b, const char *name, GPtrArray *refs)
{
  if (refs == NULL || refs->len == 0)
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; i < refs->len; i++)
    {
      HatakeComposeFileRef *r = g_ptr_array_index (refs, i);

      json_builder_begin_object (b);
      add_string (b, "source", r->source);
      add_string (b, "target", r->target);
      add_string (b, "uid", r->uid);
      add_string (b, "gid", r->gid);
      if (r->mode >= 0)
        add_int (b, "mode", r->mode);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* top-level secrets: or configs: */
static void
add_resource_list (JsonBuilder *b, const char *name, GPtrArray *list)
{
  if (list == NULL || list->len == 0)
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  for (guint i = 0; i < list->len; i++)
    {
      HatakeComposeResource *r = g_ptr_array_index (list, i);

      json_builder_set_member_name (b, r->key);
      json_builder_begin_object (b);
      add_string (b, "name", r->name);
      add_string (b, "file", r->file);
      add_string (b, "environment", r->environment);
      add_string (b, "content", r->content);
      add_true (b, "external", r->external);
      add_map (b, "labels", r->labels);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

/* Go's duration form, as compose config prints them ("1m30s", "500ms") */
static char *
duration (gint64 us)
{
  GString *s = g_string_new (NULL);

  if (us % G_USEC_PER_SEC != 0)
    {
      g_string_append_printf (s, "%" G_GINT64_FORMAT "ms", us / 1000);
      return g_string_free (s, FALSE);
    }
  us /= G_USEC_PER_SEC;
  if (us >= 3600)
    g_string_append_printf (s, "%" G_GINT64_FORMAT "h", us / 3600);
  if (us % 3600 >= 60)
    g_string_append_printf (s, "%" G_GINT64_FORMAT "m", us % 3600 / 60);
  if (us % 60 != 0 || us == 0)
    g_string_append_printf (s, "%" G_GINT64_FORMAT "s", us % 60);
  return g_string_free (s, FALSE);
}

static const char * const condition_names[] = {
  "service_started", "service_healthy", "service_completed_successfully"
};

static void
add_service (JsonBuilder *b, HatakeComposeProject *project, HatakeComposeService *s)
{
  json_builder_set_member_name (b, s->name);
  json_builder_begin_object (b);
  if (s->build != NULL)
    {
      json_builder_set_member_name (b, "build");
      json_builder_begin_object (b);
      add_map (b, "args", s->build->args);
      add_strv (b, "cache_from", s->build->cache_from);
      add_string (b, "context", s->build->context);
      add_string (b, "dockerfile", s->build->dockerfile);
      add_string (b, "dockerfile_inline", s->build->dockerfile_inline);
      add_map (b, "labels", s->build->labels);
      add_string (b, "network", s->build->network);
      add_strv (b, "tags", s->build->tags);
      add_string (b, "target", s->build->target);
      json_builder_end_object (b);
    }
  add_strv (b, "cap_add", s->cap_add);
  add_strv (b, "cap_drop", s->cap_drop);
  add_strv (b, "command", s->command);
  add_string (b, "container_name", s->container_name);
  if (s->depends_on->len > 0)
    {
      json_builder_set_member_name (b, "depends_on");
      json_builder_begin_object (b);
      for (guint i = 0; i < s->depends_on->len; i++)
        {
          HatakeComposeDependency *d = g_ptr_array_index (s->depends_on, i);

          json_builder_set_member_name (b, d->service);
          json_builder_begin_object (b);
          add_string (b, "condition", condition_names[d->condition]);
          json_builder_set_member_name (b, "required");
          json_builder_add_boolean_value (b, d->required);
          json_builder_set_member_name (b, "restart");
          json_builder_add_boolean_value (b, d->restart);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  if (s->cpus > 0 || s->memory > 0 || s->pids_limit > 0 || s->cpus_reservation > 0 ||
      s->memory_reservation > 0)
    {
      json_builder_set_member_name (b, "deploy");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "resources");
      json_builder_begin_object (b);
      add_resources (b, "limits", s->cpus, s->memory, s->pids_limit);
      add_resources (b, "reservations", s->cpus_reservation, s->memory_reservation, 0);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  add_strv (b, "devices", s->devices);
  add_strv (b, "dns", s->dns);
  add_string (b, "domainname", s->domainname);
  add_strv (b, "entrypoint", s->entrypoint);
  add_map (b, "environment", s->environment);
  add_strv (b, "expose", s->expose);
  add_strv (b, "extra_hosts", s->extra_hosts);
  add_strv (b, "group_add", s->group_add);
  if (s->healthcheck != NULL)
    {
      HatakeComposeHealthcheck *h = s->healthcheck;
      const struct { const char *name; gint64 value; } durations[] = {
        { "interval", h->interval }, { "start_interval", h->start_interval },
        { "start_period", h->start_period }, { "timeout", h->timeout },
      };

      json_builder_set_member_name (b, "healthcheck");
      json_builder_begin_object (b);
      add_true (b, "disable", h->disable);
      for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
        if (durations[i].value > 0)
          {
            g_autofree char *d = duration (durations[i].value);
            add_string (b, durations[i].name, d);
          }
      if (h->retries > 0)
        {
          json_builder_set_member_name (b, "retries");
          json_builder_add_int_value (b, h->retries);
        }
      add_strv (b, "test", h->test);
      json_builder_end_object (b);
    }
  add_file_refs (b, "configs", s->configs);
  add_string (b, "hostname", s->hostname);
  add_string (b, "image", s->image);
  add_true (b, "init", s->init);
  add_string (b, "ipc", s->ipc);
  add_map (b, "labels", s->labels);
  add_string (b, "network_mode", s->network_mode);
  if (s->networks->len > 0)
    {
      json_builder_set_member_name (b, "networks");
      json_builder_begin_object (b);
      for (guint i = 0; i < s->networks->len; i++)
        {
          HatakeComposeServiceNetwork *n = g_ptr_array_index (s->networks, i);

          json_builder_set_member_name (b, n->name);
          if (n->aliases == NULL && n->ipv4_address == NULL && n->ipv6_address == NULL)
            json_builder_add_null_value (b);
          else
            {
              json_builder_begin_object (b);
              add_strv (b, "aliases", n->aliases);
              add_string (b, "ipv4_address", n->ipv4_address);
              add_string (b, "ipv6_address", n->ipv6_address);
              json_builder_end_object (b);
            }
        }
      json_builder_end_object (b);
    }
  if (s->ports->len > 0)
    {
      json_builder_set_member_name (b, "ports");
      json_builder_begin_array (b);
      for (guint i = 0; i < s->ports->len; i++)
        {
          HatakeComposePort *p = g_ptr_array_index (s->ports, i);

          /* a range of targets is one entry per port, as v2 writes it */
          for (guint t = p->target; t <= p->target_end; t++)
            {
              json_builder_begin_object (b);
              add_string (b, "mode", p->mode);
              add_string (b, "host_ip", p->host_ip);
              json_builder_set_member_name (b, "target");
              json_builder_add_int_value (b, t);
              if (p->published != 0)
                {
                  g_autofree char *published = NULL;

                  if (p->target_end != p->target && p->published_end - p->published == p->target_end - p->target)
                    published = g_strdup_printf ("%u", p->published + (t - p->target));
                  else if (p->published_end != p->published)
                    published = g_strdup_printf ("%u-%u", p->published, p->published_end);
                  else
                    published = g_strdup_printf ("%u", p->published);
                  add_string (b, "published", published);
                }
              add_string (b, "protocol", p->protocol);
              add_string (b, "name", p->name);
              json_builder_end_object (b);
            }
        }
      json_builder_end_array (b);
    }
  add_string (b, "pid", s->pid);
  add_string (b, "platform", s->platform);
  add_true (b, "privileged", s->privileged);
  add_strv (b, "profiles", s->profiles);
  add_string (b, "pull_policy", s->pull_policy);
  add_true (b, "read_only", s->read_only);
  if (s->replicas != 1)
    {
      json_builder_set_member_name (b, "scale");
      json_builder_add_int_value (b, s->replicas);
    }
  if (s->restart != HATAKE_RESTART_NO)
    {
      g_autofree char *restart = s->restart_max > 0
                                 ? g_strdup_printf ("%s:%u", hatake_restart_policy_to_string (s->restart),
                                                    s->restart_max)
                                 : g_strdup (hatake_restart_policy_to_string (s->restart));
      add_string (b, "restart", restart);
    }
  add_file_refs (b, "secrets", s->secrets);
  if (s->memory_swap != 0)
    {
      g_autofree char *swap = g_strdup_printf ("%" G_GINT64_FORMAT, s->memory_swap);
      add_string (b, "memswap_limit", swap);
    }
  if (s->cpu_shares > 0)
    {
      json_builder_set_member_name (b, "cpu_shares");
      json_builder_add_int_value (b, s->cpu_shares);
    }
  add_string (b, "cpuset", s->cpuset);
  if (s->oom_score_adj != 0)
    {
      json_builder_set_member_name (b, "oom_score_adj");
      json_builder_add_int_value (b, s->oom_score_adj);
    }
  if (s->shm_size > 0)
    {
      g_autofree char *shm = g_strdup_printf ("%" G_GINT64_FORMAT, s->shm_size);
      add_string (b, "shm_size", shm);
    }
  add_true (b, "stdin_open", s->stdin_open);
  if (s->stop_grace_period >= 0)
    {
      g_autofree char *d = duration (s->stop_grace_period);
      add_string (b, "stop_grace_period", d);
    }
  add_string (b, "stop_signal", s->stop_signal);
  add_map (b, "sysctls", s->sysctls);
  add_true (b, "tty", s->tty);
  add_string (b, "user", s->user);
  add_string (b, "uts", s->uts);
  if (s->volumes->len > 0)
    {
      static const char * const types[] = { "volume", "bind", "tmpfs" };

      json_builder_set_member_name (b, "volumes");
      json_builder_begin_array (b);
      for (guint i = 0; i < s->volumes->len; i++)
        {
          HatakeComposeMount *m = g_ptr_array_index (s->volumes, i);

          json_builder_begin_object (b);
          add_string (b, "type", types[m->type]);
          add_string (b, "source", m->source);
          add_string (b, "target", m->target);
          add_true (b, "read_only", m->read_only);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  add_string (b, "working_dir", s->working_dir);
  json_builder_end_object (b);
  (void) project;
}

JsonNode *
hatake_compose_project_to_json (HatakeComposeProject *project)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GPtrArray *list;

  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (project), NULL);

  json_builder_begin_object (b);
  add_string (b, "name", hatake_compose_project_get_name (project));
  json_builder_set_member_name (b, "services");
  json_builder_begin_object (b);
  list = hatake_compose_project_get_services (project);
  for (guint i = 0; i < list->len; i++)
    add_service (b, project, g_ptr_array_index (list, i));
  json_builder_end_object (b);
  list = hatake_compose_project_get_networks (project);
  if (list->len > 0)
    {
      json_builder_set_member_name (b, "networks");
      json_builder_begin_object (b);
      for (guint i = 0; i < list->len; i++)
        {
          HatakeComposeNetwork *n = g_ptr_array_index (list, i);

          json_builder_set_member_name (b, n->key);
          json_builder_begin_object (b);
          add_string (b, "name", n->name);
          add_string (b, "driver", n->driver);
          add_map (b, "driver_opts", n->driver_opts);
          add_true (b, "attachable", n->attachable);
          add_true (b, "enable_ipv6", n->enable_ipv6);
          add_true (b, "external", n->external);
          add_true (b, "internal", n->internal);
          if (n->ipam_driver != NULL || (n->ipam != NULL && n->ipam->len > 0))
            {
              json_builder_set_member_name (b, "ipam");
              json_builder_begin_object (b);
              add_string (b, "driver", n->ipam_driver);
              if (n->ipam != NULL && n->ipam->len > 0)
                {
                  json_builder_set_member_name (b, "config");
                  json_builder_begin_array (b);
                  for (guint j = 0; j < n->ipam->len; j++)
                    {
                      HatakeComposeIpam *ipam = g_ptr_array_index (n->ipam, j);

                      json_builder_begin_object (b);
                      add_string (b, "subnet", ipam->subnet);
                      add_string (b, "gateway", ipam->gateway);
                      add_string (b, "ip_range", ipam->ip_range);
                      json_builder_end_object (b);
                    }
                  json_builder_end_array (b);
                }
              json_builder_end_object (b);
            }
          add_map (b, "labels", n->labels);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  list = hatake_compose_project_get_volumes (project);
  if (list->len > 0)
    {
      json_builder_set_member_name (b, "volumes");
      json_builder_begin_object (b);
      for (guint i = 0; i < list->len; i++)
        {
          HatakeComposeVolume *v = g_ptr_array_index (list, i);

          json_builder_set_member_name (b, v->key);
          json_builder_begin_object (b);
          add_string (b, "name", v->name);
          add_string (b, "driver", v->driver);
          add_map (b, "driver_opts", v->driver_opts);
          add_true (b, "external", v->external);
          add_map (b, "labels", v->labels);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  add_resource_list (b, "secrets", hatake_compose_project_get_secrets (project));
  add_resource_list (b, "configs", hatake_compose_project_get_configs (project));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- YAML ---------------------------------------------------------------------------------- */

static int
write_string (void *data, unsigned char *buffer, size_t size)
{
  g_string_append_len (data, (const char *) buffer, (gssize) size);
  return 1;
}

static gboolean
emit_scalar (yaml_emitter_t *emitter, const char *value, gboolean plain_ok)
{
  yaml_event_t event;

  /* a string that would read back as something else (a number, a boolean, null) is quoted */
  yaml_scalar_event_initialize (&event, NULL, NULL, (yaml_char_t *) value, (int) strlen (value), plain_ok, !plain_ok,
                                plain_ok ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
  return yaml_emitter_emit (emitter, &event) != 0;
}

static gboolean
looks_like_other (const char *s)
{
  static const char * const words[] = { "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False",
                                        "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off",
                                        "Off", "OFF", "y", "Y", "n", "N" };
  char *end = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_str_equal (s, words[i]))
      return TRUE;
  g_ascii_strtod (s, &end);
  return end != s && *end == '\0';
}

static gboolean
emit_node (yaml_emitter_t *emitter, JsonNode *node)
{
  yaml_event_t event;

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *o = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (o);

        yaml_mapping_start_event_initialize (&event, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        if (!yaml_emitter_emit (emitter, &event))
          return FALSE;
        for (GList *l = members; l != NULL; l = l->next)
          if (!emit_scalar (emitter, l->data, !looks_like_other (l->data)) ||
              !emit_node (emitter, json_object_get_member (o, l->data)))
            return FALSE;
        yaml_mapping_end_event_initialize (&event);
        return yaml_emitter_emit (emitter, &event) != 0;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *a = json_node_get_array (node);

        yaml_sequence_start_event_initialize (&event, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        if (!yaml_emitter_emit (emitter, &event))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (a); i++)
          if (!emit_node (emitter, json_array_get_element (a, i)))
            return FALSE;
        yaml_sequence_end_event_initialize (&event);
        return yaml_emitter_emit (emitter, &event) != 0;
      }
    case JSON_NODE_NULL:
      return emit_scalar (emitter, "null", TRUE);
    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);
        g_autofree char *text = NULL;

        if (type == G_TYPE_STRING)
          return emit_scalar (emitter, json_node_get_string (node), !looks_like_other (json_node_get_string (node)));
        if (type == G_TYPE_BOOLEAN)
          return emit_scalar (emitter, json_node_get_boolean (node) ? "true" : "false", TRUE);
        if (type == G_TYPE_INT64)
          text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
        else
          {
            char buffer[G_ASCII_DTOSTR_BUF_SIZE];
            text = g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
          }
        return emit_scalar (emitter, text, TRUE);
      }
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

char *
hatake_compose_json_to_yaml (JsonNode  *node,
                             GError   **error)
{
  yaml_emitter_t emitter;
  yaml_event_t event;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean ok;

  g_return_val_if_fail (node != NULL, NULL);

  if (!yaml_emitter_initialize (&emitter))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "cannot set up the YAML emitter");
      return NULL;
    }
  yaml_emitter_set_output (&emitter, write_string, out);
  yaml_emitter_set_unicode (&emitter, 1);
  yaml_emitter_set_width (&emitter, -1);
  yaml_stream_start_event_initialize (&event, YAML_UTF8_ENCODING);
  ok = yaml_emitter_emit (&emitter, &event);
  yaml_document_start_event_initialize (&event, NULL, NULL, NULL, 1);
  ok = ok && yaml_emitter_emit (&emitter, &event);
  ok = ok && emit_node (&emitter, node);
  yaml_document_end_event_initialize (&event, 1);
  ok = ok && yaml_emitter_emit (&emitter, &event);
  yaml_stream_end_event_initialize (&event);
  ok = ok && yaml_emitter_emit (&emitter, &event);
  ok = ok && yaml_emitter_flush (&emitter);
  if (!ok)
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "writing YAML: %s",
                 emitter.problem ? emitter.problem : "unknown error");
  yaml_emitter_delete (&emitter);
  if (!ok)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
