/* hatake-containers-ops.c: start, stop, restart, kill, pause, unpause, remove and wait on a
 * container, each checked against the state machine first
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <signal.h>
#include <string.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"

/* ---- operations ---------------------------------------------------------------------------- */

static int
stop_signal_of (Entry *entry)
{
  int sig = hatake_signal_parse (entry->config->stop_signal);
  return sig > 0 ? sig : SIGTERM;
}

/* docker's "kill" event, at every signal sent (a stop's too) */
static void
kill_event (HatakeContainers *self,
            HatakeContainer  *container,
            int               sig)
{
  JsonObject *attributes = json_object_new ();
  g_autofree char *number = g_strdup_printf ("%d", sig);

  json_object_set_string_member (attributes, "signal", number);
  _hatake_containers_event (self, container, "kill", attributes);
}

/* An operation's task that, once done well, emits ACTION (docker's "stop", "restart") and hands
 * its result to OUTER */
static void
on_done_then_event (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) outer = user_data;
  HatakeContainers *self = HATAKE_CONTAINERS (source);
  HatakeContainer *container = g_object_get_data (G_OBJECT (outer), "hatake-event-container");
  const char *action = g_object_get_data (G_OBJECT (outer), "hatake-event-action");
  GError *error = NULL;
  JsonNode *node = g_task_propagate_pointer (G_TASK (result), &error);

  if (error != NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  _hatake_containers_event (self, container, action, NULL);
  g_task_return_pointer (outer, node, node ? (GDestroyNotify) json_node_unref : NULL);
}

static GTask *
task_then_event (HatakeContainers *self,
                 HatakeContainer  *container,
                 const char       *action,
                 GTask            *outer)
{
  GTask *task = g_task_new (self, g_task_get_cancellable (outer), on_done_then_event, g_object_ref (outer));

  g_task_set_source_tag (task, g_task_get_source_tag (outer));
  g_object_set_data_full (G_OBJECT (outer), "hatake-event-container", g_object_ref (container), g_object_unref);
  g_object_set_data (G_OBJECT (outer), "hatake-event-action", (gpointer) action);
  return task;
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  HatakeContainer *container = user_data;
  HatakeContainers *self = g_object_get_data (G_OBJECT (container), "hatake-containers");
  Entry *entry = self ? _hatake_containers_entry_for (self, container) : NULL;

  if (entry != NULL)
    {
      entry->kill_timer = 0;
      kill_event (self, container, SIGKILL);
      hatake_runtime_kill_async (_hatake_containers_runtime (self, entry), hatake_container_get_id (container), SIGKILL,
                                 NULL, _hatake_containers_on_runtime_deleted, NULL);
    }
  return G_SOURCE_REMOVE;
}

static void
on_signalled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error))
    {
      /* a stop or removal that waits for the exit (one of the stoppers) */
      if (g_task_get_task_data (task) != NULL)
        {
          HatakeContainers *self = g_task_get_source_object (task);
          GHashTableIter iter;
          Entry *entry, *waiting = NULL;

          g_hash_table_iter_init (&iter, self->entries);
          while (waiting == NULL && g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
            if (g_ptr_array_find (entry->stoppers, task, NULL))
              waiting = entry;
          /* the exit came first, and completed the task; or it exited between our look and the
           * signal (crun: "No such process", runc: "container not running"): its exit will.
           * That is what was wanted. */
          if (waiting == NULL || g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND) ||
              strstr (error->message, "not running") != NULL)
            {
              g_clear_error (&error);
              return;
            }
          g_ptr_array_remove (waiting->stoppers, task);
        }
      g_task_return_error (task, error);
      return;
    }
  /* kill returns once the signal is sent; stop and removal wait for the exit (stoppers) */
  if (g_task_get_task_data (task) == NULL)
    g_task_return_pointer (task, NULL, NULL);
}

/* Sends sig; with wait_exit, the task completes when the container has exited. */
static void
signal_entry (HatakeContainers *self, Entry *entry, int sig, int timeout, gboolean wait_exit, GTask *task)
{
  HatakeContainer *c = entry->container;
  HatakeRuntime *runtime = _hatake_containers_runtime (self, entry);

  entry->stopped_by_user = TRUE;
  _hatake_containers_save_state (self, entry);
  if (wait_exit)
    {
      g_task_set_task_data (task, GINT_TO_POINTER (1), NULL);
      g_ptr_array_add (entry->stoppers, g_object_ref (task));
      if (timeout >= 0 && sig != SIGKILL)
        {
          g_object_set_data (G_OBJECT (c), "hatake-containers", self);
          g_clear_handle_id (&entry->kill_timer, g_source_remove);
          /* g_timeout_add_seconds may fire up to a second early: the grace period is a promise */
          entry->kill_timer = g_timeout_add ((guint) MAX (timeout, 0) * 1000, on_stop_timeout, c);
          if (timeout == 0)
            {
              g_clear_handle_id (&entry->kill_timer, g_source_remove);
              sig = SIGKILL;
            }
        }
    }
  kill_event (self, c, sig);
  if (hatake_container_get_state (c) == HATAKE_CONTAINER_PAUSED)
    {
      /* a frozen process cannot act on its signal: thaw it, as docker does, once signalled */
      hatake_runtime_kill_async (runtime, hatake_container_get_id (c), sig, NULL, _hatake_containers_on_runtime_deleted, NULL);
      hatake_runtime_pause_async (runtime, hatake_container_get_id (c), FALSE, NULL, on_signalled, g_object_ref (task));
      return;
    }
  hatake_runtime_kill_async (runtime, hatake_container_get_id (c), sig, NULL, on_signalled, g_object_ref (task));
}

typedef struct
{
  HatakeContainerState to;
  Entry               *entry;
} PauseData;

static void
on_paused (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeContainers *self = g_task_get_source_object (task);
  PauseData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error) ||
      !_hatake_containers_set_state (self, data->entry, data->to, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, NULL, NULL);
}

/* The stopped run's state is gone from the runtime: the container starts again. */
static void
on_restart_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeContainers *self = g_task_get_source_object (task);
  HatakeContainer *container = g_object_get_data (G_OBJECT (task), "hatake-container");
  Entry *entry = _hatake_containers_entry_for (self, container);
  GError *refused = NULL;

  if (entry == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such container: %s"),
                               hatake_container_get_id (container));
      return;
    }
  /* (another client may have started or removed it meanwhile) */
  if (hatake_container_get_state (container) == HATAKE_CONTAINER_RUNNING)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if (!hatake_container_can (container, HATAKE_CONTAINER_RUNNING, &refused))
    {
      g_task_return_error (task, refused);
      return;
    }
  _hatake_containers_start_entry (self, entry, task_then_event (self, container, "restart", task));
}

/* The exit left the runtime's state of the stopped run to the restart (hatake-containers.c's
 * handle_exit): it is deleted before the start, whose create would otherwise race the delete —
 * and lose ("container already exists") or be deleted by it, when the delete is slow. */
static void
on_restart_stopped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeContainers *self = g_task_get_source_object (task);
  HatakeContainer *container = g_object_get_data (G_OBJECT (task), "hatake-container");
  Entry *entry = _hatake_containers_entry_for (self, container);
  GError *error = NULL;

  if (entry != NULL)
    entry->restart_stop = FALSE;
  g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* (the start, after the delete, finds whether the container is still there) */
  _hatake_containers_event (self, container, "stop", NULL);
  _hatake_containers_delete_exited_async (self, hatake_container_get_id (container), on_restart_deleted,
                                          g_steal_pointer (&task));
}

static void
on_removal_stopped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeContainers *self = g_task_get_source_object (task);
  HatakeContainer *container = g_object_get_data (G_OBJECT (task), "hatake-container");
  Entry *entry = _hatake_containers_entry_for (self, container);
  GError *error = NULL;

  g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    {
      /* the kill failed: the removal is not done, nor left to recovery */
      if (entry != NULL && entry->removal_requested)
        {
          entry->removal_requested = FALSE;
          _hatake_containers_save_state (self, entry);
        }
      g_task_return_error (task, error);
      return;
    }
  if (entry == NULL)
    {
      /* --rm got there first */
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  _hatake_containers_remove_entry_full (self, entry, entry->config->auto_remove ||
                     GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "hatake-volumes")), task);
}

void
hatake_containers_op_async (HatakeContainers            *self,
                            HatakeContainer             *container,
                            HatakeContainerOp            op,
                            const HatakeContainerOpArgs *args,
                            GCancellable                *cancellable,
                            GAsyncReadyCallback          callback,
                            gpointer                     user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Entry *entry = _hatake_containers_entry_for (self, container);
  HatakeContainerState state;
  GError *error = NULL;
  int timeout;

  g_task_set_source_tag (task, hatake_containers_op_async);
  if (entry == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such container: %s"),
                               hatake_container_get_id (container));
      return;
    }
  state = hatake_container_get_state (container);
  timeout = args && args->timeout >= 0 ? args->timeout
          : entry->config->stop_timeout >= 0 ? entry->config->stop_timeout : 10;

  switch (op)
    {
    case HATAKE_CONTAINER_OP_START:
      if (state == HATAKE_CONTAINER_RUNNING)
        {
          /* docker: starting a running container is not an error */
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
      if (!hatake_container_can (container, HATAKE_CONTAINER_RUNNING, &error))
        break;
      g_clear_handle_id (&entry->restart_timer, g_source_remove);
      _hatake_containers_start_entry (self, entry, g_steal_pointer (&task));
      return;

    case HATAKE_CONTAINER_OP_STOP:
      if (state == HATAKE_CONTAINER_RESTARTING)
        {
          g_clear_handle_id (&entry->restart_timer, g_source_remove);
          entry->stopped_by_user = TRUE;
          _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_EXITED, NULL);
        }
      if (state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED)
        {
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
      {
        g_autoptr(GTask) stop = task_then_event (self, container, "stop", task);

        signal_entry (self, entry, stop_signal_of (entry), timeout, TRUE, stop);
      }
      return;

    case HATAKE_CONTAINER_OP_RESTART:
      if (state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED)
        {
          GTask *stop = g_task_new (self, cancellable, on_restart_stopped, g_object_ref (task));
          g_object_set_data_full (G_OBJECT (task), "hatake-container", g_object_ref (container), g_object_unref);
          g_task_set_source_tag (stop, hatake_containers_op_async);
          /* a --rm container is not removed by the exit its restart makes, as dockerd's restart
           * keeps it (it used to be removed while it was started again: hatake serve crashed) */
          entry->restart_stop = TRUE;
          signal_entry (self, entry, stop_signal_of (entry), timeout, TRUE, stop);
          g_object_unref (stop);
          return;
        }
      if (!hatake_container_can (container, HATAKE_CONTAINER_RUNNING, &error))
        break;
      g_clear_handle_id (&entry->restart_timer, g_source_remove);
      _hatake_containers_start_entry (self, entry, task_then_event (self, container, "restart", task));
      return;

    case HATAKE_CONTAINER_OP_KILL:
      {
        int sig = args && args->signal ? hatake_signal_parse (args->signal) : SIGKILL;
        if (sig <= 0)
          {
            error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Invalid signal: %s"), args->signal);
            break;
          }
        if (state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED)
          {
            error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                                 _("Cannot kill container: %s: Container %s is not running"),
                                 hatake_container_get_name (container), hatake_container_get_id (container));
            break;
          }
        signal_entry (self, entry, sig, -1, FALSE, task);
        return;
      }

    case HATAKE_CONTAINER_OP_PAUSE:
    case HATAKE_CONTAINER_OP_UNPAUSE:
      {
        PauseData *data = g_new0 (PauseData, 1);
        data->to = op == HATAKE_CONTAINER_OP_PAUSE ? HATAKE_CONTAINER_PAUSED : HATAKE_CONTAINER_RUNNING;
        data->entry = entry;
        g_task_set_task_data (task, data, g_free);
        if (!hatake_container_can (container, data->to, &error))
          break;
        hatake_runtime_pause_async (_hatake_containers_runtime (self, entry), hatake_container_get_id (container),
                                    op == HATAKE_CONTAINER_OP_PAUSE, NULL, on_paused, g_steal_pointer (&task));
        return;
      }

    case HATAKE_CONTAINER_OP_REMOVE:
      if ((state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED) && args && args->force)
        {
          GTask *stop = g_task_new (self, cancellable, on_removal_stopped, g_object_ref (task));
          g_object_set_data_full (G_OBJECT (task), "hatake-container", g_object_ref (container), g_object_unref);
          g_object_set_data (G_OBJECT (task), "hatake-volumes", GINT_TO_POINTER (args->volumes));
          g_task_set_source_tag (stop, hatake_containers_op_async);
          /* saved with the kill (signal_entry): an engine killed before the removal completes
           * leaves it to recovery, which finishes it */
          entry->removal_requested = TRUE;
          entry->remove_volumes = entry->config->auto_remove || args->volumes;
          signal_entry (self, entry, SIGKILL, -1, TRUE, stop);
          g_object_unref (stop);
          return;
        }
      if (state == HATAKE_CONTAINER_RESTARTING && args && args->force)
        {
          g_clear_handle_id (&entry->restart_timer, g_source_remove);
          _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_EXITED, NULL);
        }
      if (!hatake_container_can (container, HATAKE_CONTAINER_REMOVING, &error))
        break;
      _hatake_containers_remove_entry_full (self, entry, entry->config->auto_remove || (args && args->volumes), task);
      return;

    case HATAKE_CONTAINER_OP_WAIT:
      if (state == HATAKE_CONTAINER_EXITED || state == HATAKE_CONTAINER_DEAD ||
          state == HATAKE_CONTAINER_REMOVING || state == HATAKE_CONTAINER_REMOVED)
        {
          g_task_return_pointer (task, _hatake_containers_status_code_node (hatake_container_get_exit_code (container)),
                                 (GDestroyNotify) json_node_unref);
          return;
        }
      g_ptr_array_add (entry->waiters, g_steal_pointer (&task));
      return;

    default:
      g_assert_not_reached ();
    }
  g_task_return_error (task, error);
}

JsonNode *
hatake_containers_op_finish (HatakeContainers  *self,
                             GAsyncResult      *result,
                             GError           **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
