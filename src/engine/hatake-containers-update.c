/* hatake-containers-update.c: docker update, a container's limits and restart policy changed
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The new config is checked as a create checks it, then, for a container that runs (or is
 * paused), its cgroup is changed by the runtime's `update` first: only once that worked is the
 * config saved, so a refused update changes nothing. The update is applied to the config as it
 * is then, not to the copy it was checked on: another update or a network connect that ended
 * meanwhile is kept. A container whose swap limit was never given keeps twice its memory as
 * memory + swap, the new memory's (more lenient than docker, which keeps the create's and refuses
 * a memory above it). A stopped container takes the new limits at
 * its next start, from its saved config; its restart policy counts from its next exit, when the
 * engine (or hatake-exited) reads that config.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <glib/gstdio.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"
#include "hatake-oci-spec.h"

/* pids.max takes "max" for no limit, which crun 1.8 cannot write (it writes -1, which the kernel
 * refuses, and 0 means "leave it"); a cgroup cannot hold more tasks than there are pids, and
 * pid_max is at most PID_MAX_LIMIT (2^22 on 64-bit), so that many is no limit. */
#define PIDS_NO_LIMIT (G_GINT64_CONSTANT (1) << 22)

typedef struct
{
  char                  *id;
  char                  *name;
  HatakeContainerUpdate  update;
  char                  *resources;  /* the runtime's input file, one per update */
  JsonObject            *undo;       /* the previous limits, for a runtime that failed half way */
  GError                *error;      /* the runtime's, reported once the undo is done */
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  if (data->resources != NULL)
    g_unlink (data->resources);
  g_free (data->id);
  g_free (data->name);
  hatake_container_update_clear (&data->update);
  g_free (data->resources);
  g_clear_pointer (&data->undo, json_object_unref);
  g_clear_error (&data->error);
  g_free (data);
}

static gboolean
is_set (const char *cpuset)
{
  return cpuset != NULL && *cpuset != '\0';
}

/* CPU's member KIND ("cpus", "mems"): the set, or with none (an update's undo, to a container
 * made without one) every CPU or memory node online, as the kernel gave it */
static void
set_cpuset (JsonObject *cpu,
            const char *kind,
            const char *cpuset)
{
  g_autofree char *online = NULL;

  if (!is_set (cpuset))
    cpuset = online = hatake_oci_spec_online (kind);
  if (cpuset != NULL)
    json_object_set_string_member (cpu, kind, cpuset);
}

/* The linux.resources that set, of CONFIG's limits, those UPDATE changes (no limit as the
 * runtime can write it); an empty object when it changes none. */
static JsonObject *
changed_limits (const HatakeContainerConfig *config,
                const HatakeContainerUpdate *update)
{
  JsonObject *out = json_object_new ();

  if (update->memory != 0 || update->memory_swap != 0)
    {
      JsonObject *memory = json_object_new ();
      gint64 swap = config->memory_swap != 0 ? config->memory_swap : config->memory * 2;

      /* (-1: no limit; swap is memory + swap: twice the memory unless given, as a create has it) */
      json_object_set_int_member (memory, "limit", config->memory > 0 ? config->memory : -1);
      json_object_set_int_member (memory, "swap", config->memory > 0 ? swap : -1);
      json_object_set_object_member (out, "memory", memory);
    }
  if (update->cpus != 0 || update->cpu_shares != 0 || is_set (update->cpuset_cpus) || is_set (update->cpuset_mems))
    {
      JsonObject *cpu = json_object_new ();

      if (update->cpus != 0)
        {
          json_object_set_int_member (cpu, "quota", config->cpus > 0 ? (gint64) (config->cpus * 100000 + 0.5) : -1);
          json_object_set_int_member (cpu, "period", 100000);
        }
      if (update->cpu_shares != 0)
        json_object_set_int_member (cpu, "shares", config->cpu_shares > 0 ? CLAMP (config->cpu_shares, 2, 262144) : 1024);
      if (is_set (update->cpuset_cpus))
        set_cpuset (cpu, "cpus", config->cpuset_cpus);
      if (is_set (update->cpuset_mems))
        set_cpuset (cpu, "mems", config->cpuset_mems);
      json_object_set_object_member (out, "cpu", cpu);
    }
  if (update->pids_limit != 0)
    {
      JsonObject *pids = json_object_new ();

      json_object_set_int_member (pids, "limit", config->pids_limit > 0 ? config->pids_limit : PIDS_NO_LIMIT);
      json_object_set_object_member (out, "pids", pids);
    }
  return out;
}

/* (the runtime's input, made anew for each update: as an exec's process file, not fsynced) */
static gboolean
write_resources (const char *path, JsonObject *resources, GError **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, resources);
  return _hatake_containers_write_json_unsynced (path, node, error);
}

static void
update_save (GTask *task)
{
  HatakeContainers *self = g_task_get_source_object (task);
  UpdateData *data = g_task_get_task_data (task);
  Entry *entry = g_hash_table_lookup (self->entries, data->id);
  HatakeContainerConfig *previous;
  HatakeContainerConfig *updated;
  GError *error = NULL;

  if (entry == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such container: %s"), data->name);
      return;
    }
  previous = entry->config;
  updated = hatake_container_config_copy (previous);
  if (!hatake_container_config_update (updated, &data->update, &error))
    {
      hatake_container_config_free (updated);
      g_task_return_error (task, error);
      return;
    }
  entry->config = updated;
  if (!_hatake_containers_save_config (entry, &error))
    {
      entry->config = previous;
      hatake_container_config_free (updated);
      g_task_return_error (task, error);
      return;
    }
  hatake_container_config_free (previous);
  g_task_return_boolean (task, TRUE);
}

static void
update_failed (GTask *task)
{
  UpdateData *data = g_task_get_task_data (task);

  g_task_return_new_error (task, data->error->domain, data->error->code, _("Cannot update container %s: %s"),
                           data->name, data->error->message);
}

static void
on_undone (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  UpdateData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error))
    g_warning ("Container %s: its limits could not be set back after a failed update: %s", data->id,
               error->message);
  update_failed (task);
}

static void
on_runtime_updated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  UpdateData *data = g_task_get_task_data (task);
  g_autoptr(GError) undo_error = NULL;

  if (hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &data->error))
    {
      update_save (task);
      return;
    }
  /* the runtime writes one cgroup file after the other: those before the one it failed on
   * hold the new values; the old ones go back (the runtime's own input file, rewritten), and
   * the update fails once they are */
  if (write_resources (data->resources, data->undo, &undo_error))
    {
      hatake_runtime_update_async (HATAKE_RUNTIME (source), data->id, data->resources, NULL, on_undone,
                                   g_steal_pointer (&task));
      return;
    }
  g_warning ("Container %s: its limits could not be set back after a failed update: %s", data->id,
             undo_error->message);
  update_failed (task);
}

void
hatake_containers_update_async (HatakeContainers            *self,
                                HatakeContainer             *container,
                                const HatakeContainerUpdate *update,
                                GCancellable                *cancellable,
                                GAsyncReadyCallback          callback,
                                gpointer                     user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) limits = NULL;
  g_autoptr(JsonObject) changes = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  HatakeContainerState state;
  GError *error = NULL;
  UpdateData *data;
  Entry *entry;

  g_return_if_fail (HATAKE_IS_CONTAINERS (self));
  g_return_if_fail (HATAKE_IS_CONTAINER (container));
  g_return_if_fail (update != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_containers_update_async);
  entry = _hatake_containers_entry_for (self, container);
  state = hatake_container_get_state (container);
  if (entry == NULL || state == HATAKE_CONTAINER_REMOVING || state == HATAKE_CONTAINER_REMOVED ||
      state == HATAKE_CONTAINER_DEAD)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                               _("Cannot update container %s: it is being removed"),
                               hatake_container_get_name (container));
      return;
    }

  data = g_new0 (UpdateData, 1);
  data->id = g_strdup (hatake_container_get_id (container));
  data->name = g_strdup (hatake_container_get_name (container));
  hatake_container_update_copy (update, &data->update);
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);
  /* the new limits are checked whole, as the next start will check them */
  config = hatake_container_config_copy (entry->config);
  if (!hatake_container_config_update (config, update, &error) ||
      (limits = hatake_oci_spec_limits (config->memory, config->memory_swap, config->cpu_shares, config->cpus,
                                        config->cpuset_cpus, config->cpuset_mems, config->pids_limit,
                                        &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  changes = changed_limits (config, update);
  if ((state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED) || json_object_get_size (changes) == 0)
    {
      update_save (task);
      return;
    }
  data->undo = changed_limits (entry->config, update);
  {
    g_autofree char *name = g_strdup_printf ("update-%08x.json", g_random_int ());

    data->resources = _hatake_containers_entry_path (entry, name);
  }
  if (!write_resources (data->resources, changes, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* (not cancellable: a runtime stopped half way would leave half the limits changed) */
  hatake_runtime_update_async (_hatake_containers_runtime (self, entry), data->id, data->resources, NULL,
                               on_runtime_updated, g_steal_pointer (&task));
}

gboolean
hatake_containers_update_finish (HatakeContainers  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
