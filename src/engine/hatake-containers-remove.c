/* hatake-containers-remove.c: a container's removal — its files, its network's teardown on the
 * networks' thread, its anonymous volumes — and the waits for removals under way; split from
 * hatake-containers.c (over 1,500 lines)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"
#include "hatake-json.h"

/* ---- remove -------------------------------------------------------------------------------- */

typedef struct
{
  HatakeContainers *self;
  char             *dir;
  char             *exit_file;
  char             *rootfs;
  HatakeVolumes    *volumes;
  HatakeNetworks   *networks;
  char             *id;
  char             *socket_dir;  /* conmon's attach and control sockets */
  char             *persist_dir; /* conmon's copy of the exit code */
  gboolean          killed;      /* a dead one's runtime delete killed what ran: conmon's exit follows */
  gboolean          at_exit;     /* --rm at its exit: conmon's exit command follows */
  HatakeRuntime    *runtime;     /* its delete to save for that command, or NULL */
  char             *deletes_dir;
  gboolean          delete_saved;
  GStrv             anonymous;   /* -v: anonymous volumes to drop with it */
  char             *trash;       /* tmp/removed-XXXXXX: the folder, renamed away, to delete */
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_clear_object (&data->volumes);
  g_clear_object (&data->networks);
  g_clear_object (&data->runtime);
  g_free (data->deletes_dir);
  g_free (data->id);
  g_free (data->socket_dir);
  g_free (data->persist_dir);
  g_strfreev (data->anonymous);
  g_free (data->dir);
  g_free (data->exit_file);
  g_free (data->rootfs);
  g_free (data->trash);
  g_free (data);
}

static void
remove_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RemoveData *data = task_data;
  GError *error = NULL;
  gboolean removed;

  /* conmon writes the exit file a moment after the kill: not after the folders went (a stray
   * exit file in the run dir) — a few seconds at most, it may be gone without one */
  for (guint i = 0; data->killed && i < 250 && !g_file_test (data->exit_file, G_FILE_TEST_EXISTS) &&
                    _hatake_containers_conmon_alive (data->dir, data->id); i++)
    g_usleep (20 * 1000);
  umount2 (data->rootfs, MNT_DETACH);
  g_unlink (data->exit_file);
  /* (before the folder goes: a removal cut short here is done again, its delete with it) */
  if (data->runtime != NULL)
    {
      g_autoptr(GError) save_error = NULL;
      data->delete_saved = hatake_runtime_save_delete (data->runtime, data->deletes_dir, data->id, &save_error);
      if (!data->delete_saved)
        g_debug ("%s: the runtime's delete runs now: %s", data->id, save_error->message);
    }
  /* The folder leaves containers/ at once, into the store's tmp/ (emptied at every start): a
   * removal killed half way through its files left config.json without state.json, which the
   * next start took for a container created and never started. */
  {
    g_autofree char *root = g_path_get_dirname (data->dir);
    g_autofree char *store_root = g_path_get_dirname (root);
    g_autofree char *template = g_build_filename (store_root, "tmp", "removed-XXXXXX", NULL);
    g_autofree char *trash = g_mkdtemp (g_steal_pointer (&template));
    g_autofree char *target = trash != NULL ? g_build_filename (trash, "container", NULL) : NULL;

    if (target != NULL && rename (data->dir, target) == 0)
      {
        /* gone from the store: its files are deleted after the removal is reported (each
         * folder's rmdir takes 1 to 4 ms here), by sweep_trash */
        data->trash = g_steal_pointer (&trash);
        removed = TRUE;
      }
    else
      {
        if (trash != NULL)
          g_rmdir (trash);
        removed = hatake_rm_rf (data->dir, &error);
      }
  }
  hatake_rm_rf (data->socket_dir, NULL);
  hatake_rm_rf (data->persist_dir, NULL);
  /* (the network goes after this, on the networks' thread: on_removed) */
  if (removed)
    {
      for (guint i = 0; data->anonymous && data->anonymous[i]; i++)
        {
          g_autoptr(GError) volume_error = NULL;
          if (!hatake_volumes_remove (data->volumes, data->anonymous[i], &volume_error))
            g_debug ("Cannot remove volume %s: %s", data->anonymous[i], volume_error->message);
        }
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}


static void
sweep_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  /* (out of containers/ already: on failure, the next start's clean-up of tmp/ takes the rest) */
  if (!hatake_rm_rf (task_data, &error))
    g_debug ("Cannot remove %s: %s", (const char *) task_data, error->message);
  g_task_return_boolean (task, TRUE);
}

static void
on_swept (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeContainers *self = HATAKE_CONTAINERS (source);

  if (GPOINTER_TO_INT (user_data))
    {
      g_assert (self->exit_sweeps > 0);
      self->exit_sweeps--;
      _hatake_containers_check_settled (self);
    }
  else
    _hatake_containers_work_done (self);
}

/* The removed container's files, in tmp/: deleted while the removal is reported; counted as a
 * removal under way, so that a one-shot command still waits for them before it exits — unless
 * the container was removed at its exit (AT_EXIT) and the engine leaves such files
 * (hatake_containers_set_exit_cleanup_left): conmon's exit command, which waits for the command's
 * end, deletes what is left of them then. */
static void
sweep_trash (HatakeContainers *self, const char *trash, gboolean at_exit)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, on_swept, GINT_TO_POINTER (at_exit));

  g_task_set_source_tag (task, sweep_trash);
  g_task_set_task_data (task, g_strdup (trash), g_free);
  if (at_exit)
    self->exit_sweeps++;
  else
    self->removals++;
  g_task_run_in_thread (task, sweep_thread);
}

static void
detach_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  HatakeContainers *self = source;
  g_autoptr(GError) error = NULL;

  /* after a crash half way through an earlier teardown netavark may find less than it set up */
  if (!hatake_networks_detach (self->networks, task_data, &error))
    g_message ("%s: %s", (const char *) task_data, error->message);
  g_task_return_boolean (task, TRUE);
}

static void
on_detached (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeContainers *self = HATAKE_CONTAINERS (source);
  const char *id = g_task_get_task_data (G_TASK (result));
  Detaching *detaching = g_hash_table_lookup (self->detaching, id);

  if (detaching != NULL && --detaching->pending == 0)
    {
      g_autoptr(GPtrArray) prepares = g_steal_pointer (&detaching->prepares);

      g_hash_table_remove (self->detaching, id);
      for (guint i = 0; i < prepares->len; i++)
        g_task_run_in_thread (g_ptr_array_index (prepares, i), _hatake_containers_prepare_thread);
    }
  _hatake_containers_work_done (self);
}

/* The stopped container's network goes (netavark teardown runs for ~50 ms) on the networks'
 * thread, after what is queued there. A one-shot command waits for it as for a removal before
 * it exits. */
void
_hatake_containers_detach_network (HatakeContainers *self,
                                   const char       *id)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, on_detached, NULL);
  Detaching *detaching;

  g_task_set_source_tag (task, _hatake_containers_detach_network);
  g_task_set_task_data (task, g_strdup (id), g_free);
  self->removals++;
  detaching = g_hash_table_lookup (self->detaching, id);
  if (detaching == NULL)
    {
      detaching = g_new0 (Detaching, 1);
      detaching->prepares = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->detaching, g_strdup (id), detaching);
    }
  detaching->pending++;
  hatake_networks_run_job (self->networks, task, detach_thread, HATAKE_NETWORK_JOB_TEARDOWN, id);
}

gboolean
_hatake_containers_delete_left (HatakeContainers *self, Entry *entry)
{
  return self->exit_cleanup_left && entry->removed_at_exit;
}

gboolean
_hatake_containers_settled (HatakeContainers *self)
{
  return self->removals == 0 && (self->exit_cleanup_left || self->exit_sweeps == 0);
}

void
_hatake_containers_check_settled (HatakeContainers *self)
{
  g_autoptr(GPtrArray) waiters = NULL;

  if (!_hatake_containers_settled (self) || self->settle_waiters->len == 0)
    return;
  waiters = g_steal_pointer (&self->settle_waiters);
  self->settle_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    g_task_return_boolean (g_ptr_array_index (waiters, i), TRUE);
}

void
_hatake_containers_work_done (HatakeContainers *self)
{
  g_assert (self->removals > 0);
  self->removals--;
  _hatake_containers_check_settled (self);
}

static void
removal_complete (HatakeContainers *self, GAsyncResult *result)
{
  GTask *outer = g_object_get_data (G_OBJECT (result), "hatake-outer");
  HatakeContainer *container = g_object_get_data (G_OBJECT (result), "hatake-container");
  Entry *entry = _hatake_containers_entry_for (self, container);
  GError *error = NULL;
  guint position;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (entry != NULL)
        _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_DEAD, NULL);
      if (outer)
        g_task_return_error (outer, error);
      else
        g_clear_error (&error);
      _hatake_containers_work_done (self);
      return;
    }
  if (entry != NULL)
    {
      _hatake_containers_complete_waiters (entry, hatake_container_get_exit_code (container));
      hatake_container_transition (container, HATAKE_CONTAINER_REMOVED, NULL);
      if (g_list_store_find (self->model, container, &position))
        g_list_store_remove (self->model, position);
      g_hash_table_remove (self->entries, hatake_container_get_id (container));
    }
  if (outer)
    g_task_return_pointer (outer, NULL, NULL);
  _hatake_containers_work_done (self);
}

/* The files are gone: the container is removed. Its network goes behind it: the teardown that
 * its exit started (queued before this one on the networks' thread; the namespace and its
 * options live in the run dir, not in the container's folder) runs on, or this one finishes it
 * (one whose setup never ran or half ran tears down with complaints). Meanwhile no network shows
 * it, and its address stays taken; a one-shot command waits for it before it exits, a network's
 * removal waits for it in the networks' queue. Waiting for it here held every bridged
 * `docker run --rm` ~15 ms longer, for the kernel's veth deletion. */
static void
on_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeContainers *self = HATAKE_CONTAINERS (source);
  RemoveData *data = g_task_get_task_data (G_TASK (result));

  if (data->trash != NULL)
    sweep_trash (self, data->trash, data->at_exit);
  if (data->runtime != NULL && !data->delete_saved)
    hatake_runtime_delete_async (data->runtime, data->id, FALSE, NULL, _hatake_containers_on_runtime_deleted, NULL);
  if (data->networks != NULL)
    {
      /* (a container whose files could not go stays, dead: still shown) */
      if (!g_task_had_error (G_TASK (result)))
        hatake_networks_hide (data->networks, data->id);
      _hatake_containers_detach_network (self, data->id);
    }
  removal_complete (self, result);
}


/* A dead container's runtime state is deleted (what still runs killed) before its files go. */
static void
on_dead_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error))
    g_debug ("runtime delete: %s", error->message);
  g_task_run_in_thread (task, remove_thread);
}

void
_hatake_containers_remove_entry (HatakeContainers *self, Entry *entry, GTask *outer)
{
  /* --rm drops the container's anonymous volumes too, as docker does */
  _hatake_containers_remove_entry_full (self, entry, entry->config->auto_remove, outer);
}

void
_hatake_containers_remove_entry_full (HatakeContainers *self, Entry *entry, gboolean volumes, GTask *outer)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GStrvBuilder) anonymous = g_strv_builder_new ();
  /* an exit already deleted the runtime's state; only a dead container may still have some */
  gboolean delete_runtime = hatake_container_get_state (entry->container) == HATAKE_CONTAINER_DEAD;
  RemoveData *data;
  GError *error = NULL;

  /* saved with the state: a removal interrupted by the engine's end is finished with the same */
  entry->remove_volumes = volumes;
  if (!_hatake_containers_set_state (self, entry, HATAKE_CONTAINER_REMOVING, &error))
    {
      if (outer)
        g_task_return_error (outer, error);
      else
        g_clear_error (&error);
      return;
    }
  for (guint i = 0; volumes && entry->config->mounts && i < entry->config->mounts->len; i++)
    {
      HatakeContainerMount *m = g_ptr_array_index (entry->config->mounts, i);
      g_auto(GStrv) users = NULL;
      if (m->type != HATAKE_CONTAINER_MOUNT_VOLUME || !hatake_volumes_is_anonymous (self->volumes, m->source))
        continue;
      users = hatake_containers_volume_users (self, m->source);
      if (g_strv_length (users) <= 1)
        g_strv_builder_add (anonymous, m->source);
    }
  data = g_new0 (RemoveData, 1);
  data->volumes = g_object_ref (self->volumes);
  data->networks = g_object_ref (self->networks);
  data->id = g_strdup (hatake_container_get_id (entry->container));
  data->anonymous = g_strv_builder_end (anonymous);
  data->dir = g_strdup (entry->dir);
  data->exit_file = g_build_filename (self->exit_dir, hatake_container_get_id (entry->container), NULL);
  data->socket_dir = g_build_filename (self->run_dir, "socket", data->id, NULL);
  data->persist_dir = _hatake_containers_persist_dir (self, data->id);
  data->rootfs = _hatake_containers_entry_path (entry, "rootfs");
  task = g_task_new (self, NULL, on_removed, NULL);
  g_task_set_source_tag (task, _hatake_containers_remove_entry);
  g_task_set_task_data (task, data, (GDestroyNotify) remove_data_free);
  if (outer)
    g_object_set_data_full (G_OBJECT (task), "hatake-outer", g_object_ref (outer), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "hatake-container", g_object_ref (entry->container), g_object_unref);
  self->removals++;
  data->killed = delete_runtime;
  data->at_exit = entry->removed_at_exit && outer == NULL;
  if (!delete_runtime && data->at_exit && _hatake_containers_delete_left (self, entry))
    {
      data->runtime = g_object_ref (_hatake_containers_runtime (self, entry));
      data->deletes_dir = g_strdup (self->deletes_dir);
    }
  if (delete_runtime)
    hatake_runtime_delete_async (_hatake_containers_runtime (self, entry), data->id, TRUE, NULL, on_dead_deleted,
                                 g_steal_pointer (&task));
  else
    g_task_run_in_thread (task, remove_thread);
}
