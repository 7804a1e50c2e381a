/* hatake-containers-recover.c: catching up with what happened while no engine ran — exits,
 * conmons gone with their containers, stale network setups — and settling before a command exits
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/types.h>
#include <unistd.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"

/* With no container alive, the run folder's empty parts go (a data root removed without
 * `system reset` would leave them in /run for good); anything still in use is not empty. */
void
_hatake_containers_remove_idle_run_dir (HatakeContainers *self)
{
  static const char * const parts[] = { "exits", "persist", "socket", "runtime", "runtime-crun", "runtime-runc", "netns",
                                         "netavark/aardvark-dns", "netavark", "" };
  GHashTableIter iter;
  Entry *entry;

  if (self->entries == NULL || self->run_dir == NULL)
    return;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (hatake_container_get_state (entry->container) != HATAKE_CONTAINER_CREATED &&
        hatake_container_get_state (entry->container) != HATAKE_CONTAINER_EXITED)
      return;
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *path = g_build_filename (self->run_dir, parts[i], NULL);

      g_rmdir (path);
    }
}

/* ---- recovery ------------------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *pending;   /* of HatakeContainer */
} RecoverData;

static void
recover_data_free (RecoverData *data)
{
  g_ptr_array_unref (data->pending);
  g_free (data);
}

static void recover_next (GTask *task);

/* The conmon of this container, by its pid file in the container's folder DIR, checked against
 * reuse of the pid. Reads files only: callable from a worker thread. */
gboolean
_hatake_containers_conmon_alive (const char *dir, const char *id)
{
  g_autofree char *pid_file = g_build_filename (dir, "conmon.pid", NULL);
  g_autofree char *pid_text = NULL;
  g_autofree char *cmdline_path = NULL;
  g_autofree char *cmdline = NULL;
  gsize length = 0;
  guint64 pid;

  if (!g_file_get_contents (pid_file, &pid_text, NULL, NULL) ||
      !g_ascii_string_to_unsigned (g_strstrip (pid_text), 10, 1, G_MAXINT, &pid, NULL))
    return FALSE;
  cmdline_path = g_strdup_printf ("/proc/%" G_GUINT64_FORMAT "/cmdline", pid);
  if (!g_file_get_contents (cmdline_path, &cmdline, &length, NULL))
    return FALSE;
  for (gsize i = 0; i + 1 < length; i++)
    if (cmdline[i] == '\0')
      cmdline[i] = ' ';
  return strstr (cmdline, "conmon") != NULL && strstr (cmdline, id) != NULL;
}

static gboolean
conmon_alive (Entry *entry)
{
  return _hatake_containers_conmon_alive (entry->dir, hatake_container_get_id (entry->container));
}

/* Whether path is a mount point (in this process's mount namespace). */
static gboolean
is_mount_point (const char *path)
{
  g_autofree char *mountinfo = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    return FALSE;
  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);

      if (g_strv_length (fields) >= 5 && g_str_equal (fields[4], path))
        return TRUE;
    }
  return FALSE;
}

/* A start the engine died in: its conmon started (the runtime's container created, maybe even
 * started) or its rootfs mounted, but the state never saved as running. */
static gboolean
start_interrupted (Entry *entry)
{
  g_autofree char *rootfs = _hatake_containers_entry_path (entry, "rootfs");

  return conmon_alive (entry) || is_mount_point (rootfs);
}

/* Undone as a failed start is (nothing of it left running, mounted or attached), and the
 * container left exited saying why. */
static void
on_interrupted_start_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  HatakeContainers *self = g_task_get_source_object (task);
  HatakeContainer *container = g_object_get_data (G_OBJECT (task), "hatake-recovering");
  g_autoptr(GError) error = NULL;
  Entry *entry;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error))
    g_debug ("runtime delete: %s", error->message);
  entry = container ? _hatake_containers_entry_for (self, container) : NULL;
  if (entry != NULL)
    {
      g_autofree char *rootfs = _hatake_containers_entry_path (entry, "rootfs");
      const char *id = hatake_container_get_id (container);

      g_debug ("%s: undoing a start the engine was stopped in", id);
      umount2 (rootfs, MNT_DETACH);
      _hatake_containers_detach_network (self, id);
      hatake_container_set_pid (container, 0);
      hatake_container_set_error (container, _("the engine stopped while it was starting the container"));
      hatake_container_set_exit_code (container, 128);
      hatake_container_set_finished_at (container, g_get_real_time ());
      if (hatake_container_get_state (container) != HATAKE_CONTAINER_EXITED)
        _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_EXITED, NULL);
      else
        _hatake_containers_save_state (self, entry);
    }
  recover_next (task);
}

static void
on_recover_state (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  HatakeContainers *self = g_task_get_source_object (task);
  HatakeContainer *container = g_object_get_data (G_OBJECT (task), "hatake-recovering");
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GError) error = NULL;
  Entry *entry;
  const char *status;

  state = hatake_runtime_state_finish (HATAKE_RUNTIME (source), result, &error);
  entry = container ? _hatake_containers_entry_for (self, container) : NULL;
  status = state ? json_object_get_string_member_with_default (state, "status", "") : "";
  if (entry != NULL && !g_str_equal (status, "running") && !g_str_equal (status, "paused") &&
      !g_str_equal (status, "created"))
    {
      /* conmon is gone without an exit file (a reboot, a kill of conmon): docker reports 255 */
      g_autofree char *exit_file = g_build_filename (self->exit_dir, hatake_container_get_id (container), NULL);
      if (!g_file_test (exit_file, G_FILE_TEST_EXISTS))
        {
          g_file_set_contents (exit_file, "255", -1, NULL);
          hatake_container_set_error (container, _("the container's monitor (conmon) is gone"));
        }
      _hatake_containers_handle_exit (self, entry);
    }
  else if (entry != NULL && g_str_equal (status, "paused") &&
           hatake_container_get_state (container) == HATAKE_CONTAINER_RUNNING)
    _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_PAUSED, NULL);
  recover_next (task);
}

/* Network namespaces and rules of containers that no longer run (or no longer exist), left by an
 * engine killed between a container's exit and its teardown: torn down now. */
static void
detach_stale_networks (HatakeContainers *self)
{
  g_autofree char *dir_path = g_build_filename (self->run_dir, "netns", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *file;

  while (dir != NULL && (file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;
      Entry *entry;
      HatakeContainerState state;

      if (!g_str_has_suffix (file, ".json"))
        continue;
      id = g_strndup (file, strlen (file) - strlen (".json"));
      entry = g_hash_table_lookup (self->entries, id);
      state = entry ? hatake_container_get_state (entry->container) : HATAKE_CONTAINER_REMOVED;
      /* (a restarting one sets its network up again itself, stale files included) */
      if (state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED ||
          state == HATAKE_CONTAINER_RESTARTING)
        continue;
      g_debug ("%s: tearing down the network of a container that is %s", id, hatake_container_state_to_string (state));
      _hatake_containers_detach_network (self, id);
    }
}

static void
recover_next (GTask *task)
{
  HatakeContainers *self = g_task_get_source_object (task);
  RecoverData *data = g_task_get_task_data (task);

  while (data->pending->len > 0)
    {
      g_autoptr(HatakeContainer) container = g_object_ref (g_ptr_array_index (data->pending, 0));
      Entry *entry = _hatake_containers_entry_for (self, container);
      g_autofree char *exit_file = NULL;

      g_ptr_array_remove_index (data->pending, 0);
      if (entry == NULL)
        continue;
      exit_file = g_build_filename (self->exit_dir, hatake_container_get_id (container), NULL);
      /* A removal the engine was stopped in: asked for (the kill of a forced one sent or not),
       * under way (saved removing: loaded as dead) or failed (dead). The user asked for it:
       * finished now as a removal of a dead container is (the runtime's delete kills what
       * still runs; then the network, the mount, the files), and waited for as removals are. */
      if (entry->removal_requested || hatake_container_get_state (container) == HATAKE_CONTAINER_DEAD)
        {
          g_debug ("%s: finishing a removal the engine was stopped in", hatake_container_get_id (container));
          g_clear_handle_id (&entry->restart_timer, g_source_remove);
          if (hatake_container_get_state (container) != HATAKE_CONTAINER_DEAD)
            _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_DEAD, NULL);
          _hatake_containers_remove_entry_full (self, entry, entry->remove_volumes || entry->config->auto_remove,
                                                NULL);
          continue;
        }
      switch (hatake_container_get_state (container))
        {
        case HATAKE_CONTAINER_RUNNING:
        case HATAKE_CONTAINER_PAUSED:
          if (g_file_test (exit_file, G_FILE_TEST_EXISTS))
            {
              _hatake_containers_handle_exit (self, entry);
              continue;
            }
          /* conmon still there: the container runs, or its exit file is on its way (the monitor
           * sees it). No runtime call, so a command stays quick with many containers. */
          if (conmon_alive (entry))
            continue;
          /* ask the runtime; on_recover_state carries on with the rest */
          g_object_set_data_full (G_OBJECT (task), "hatake-recovering", g_object_ref (container), g_object_unref);
          hatake_runtime_state_async (_hatake_containers_runtime (self, entry), hatake_container_get_id (container), NULL,
                                      on_recover_state, task);
          return;
        case HATAKE_CONTAINER_RESTARTING:
          /* the engine died between the exit and the restart: restart now */
          g_object_set_data (G_OBJECT (container), "hatake-containers", self);
          entry->restart_timer = g_timeout_add (0, _hatake_containers_do_restart, container);
          continue;
        case HATAKE_CONTAINER_CREATED:
        case HATAKE_CONTAINER_EXITED:
          /* (only a container never saved as started: an exited one's conmon lives on a moment
           * after the exit, running its exit command, which waits for this store) */
          if (hatake_container_get_state (container) == HATAKE_CONTAINER_CREATED && start_interrupted (entry))
            {
              /* the runtime's delete kills what runs; on_interrupted_start_deleted carries on */
              g_object_set_data_full (G_OBJECT (task), "hatake-recovering", g_object_ref (container), g_object_unref);
              hatake_runtime_delete_async (_hatake_containers_runtime (self, entry), hatake_container_get_id (container), TRUE,
                                           NULL, on_interrupted_start_deleted, task);
              return;
            }
          if (hatake_container_get_state (container) == HATAKE_CONTAINER_EXITED && entry->config->auto_remove)
            _hatake_containers_remove_entry (self, entry, NULL);
          continue;
        case HATAKE_CONTAINER_DEAD:
          g_assert_not_reached ();  /* (removed above) */
        case HATAKE_CONTAINER_REMOVING:
        case HATAKE_CONTAINER_REMOVED:
          /* (never loaded so: a saved removing loads dead) */
          continue;
        default:
          g_assert_not_reached ();
        }
    }
  detach_stale_networks (self);
  /* the running ones are probed again (their health was this engine's memory: starting) */
  hatake_containers_set_healthchecks (self, self->healthchecks);
  /* --rm removals that recovery started finish before it reports: a one-shot command exits
   * right after */
  if (!_hatake_containers_settled (self))
    {
      g_ptr_array_add (self->settle_waiters, task);
      return;
    }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
hatake_containers_settle_async (HatakeContainers    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hatake_containers_settle_async);
  if (!_hatake_containers_settled (self))
    g_ptr_array_add (self->settle_waiters, task);
  else
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

void
hatake_containers_set_exit_cleanup_left (HatakeContainers *self,
                                       gboolean          left)
{
  g_return_if_fail (HATAKE_IS_CONTAINERS (self));
  self->exit_cleanup_left = left;
  _hatake_containers_check_settled (self);
}

gboolean
hatake_containers_settle_finish (HatakeContainers  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
saved_deletes_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  guint n = hatake_runtime_run_saved_deletes (task_data);

  if (n > 0)
    g_debug ("%u runtime delete(s) left by an earlier command run", n);
  g_task_return_boolean (task, TRUE);
}

static void
on_saved_deletes_run (GObject *source, GAsyncResult *result, gpointer user_data)
{
  _hatake_containers_work_done (HATAKE_CONTAINERS (source));
}

/* Runtime deletes that a one-shot command left to conmon's exit command and that it did not run
 * (killed, or this engine took the data root first), run in a thread: a command waits for them
 * as for a removal */
static void
run_saved_deletes (HatakeContainers *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->deletes_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (strchr (name, '.') == NULL)
      {
        g_autoptr(GTask) task = g_task_new (self, NULL, on_saved_deletes_run, NULL);

        g_task_set_source_tag (task, run_saved_deletes);
        g_task_set_task_data (task, g_strdup (self->deletes_dir), g_free);
        self->removals++;
        g_task_run_in_thread (task, saved_deletes_thread);
        return;
      }
}

void
hatake_containers_recover_async (HatakeContainers    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  RecoverData *data = g_new0 (RecoverData, 1);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  g_task_set_source_tag (task, hatake_containers_recover_async);
  run_saved_deletes (self);
  data->pending = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (data->pending, g_list_model_get_item (G_LIST_MODEL (self->model), i));
  g_task_set_task_data (task, data, (GDestroyNotify) recover_data_free);
  recover_next (task);
}

gboolean
hatake_containers_recover_finish (HatakeContainers  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
