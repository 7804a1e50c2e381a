/* hatake-client-engine-wait.c: a container's wait reaches the engine before its start
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `run` asks for the wait before the start, so that a short-lived container's exit is not
 * missed; but the wait may go out on a connection of its own, and over a slow one (an ssh being
 * set up) it could reach the engine after the container has already exited, and wait for the
 * next exit. So a start of a container whose waits are still on their way is held until the
 * engine has them: docker's server answers a wait's headers as soon as it is registered.
 */
#define G_LOG_DOMAIN "hatake-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hatake-client-engine-private.h"
#include "hatake-error.h"

/* A container's waits on their way to the engine, and the calls held until they are in (see
 * _hatake_client_engine_wait_async) */
typedef struct
{
  guint      waits;
  GPtrArray *held;   /* HeldCall* */
} Registering;

static void
registering_free (Registering *registering)
{
  /* the engine going: what was held is not sent (its callers are told by their cancellables) */
  g_clear_pointer (&registering->held, g_ptr_array_unref);
  g_free (registering);
}

GHashTable *
_hatake_client_engine_new_waits (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) registering_free);
}

/* A start held until the waits on its container are in */
typedef struct
{
  gpointer             source_tag;
  char                *path;
  char                *refresh_id;
  GCancellable        *cancellable;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
} HeldCall;

static void
held_call_free (HeldCall *held)
{
  g_free (held->path);
  g_free (held->refresh_id);
  g_clear_object (&held->cancellable);
  g_free (held);
}


typedef struct
{
  HatakeClientEngine *self;
  GTask              *task;      /* (unowned: it owns this) */
  gpointer            source_tag;
  char               *id;
  gboolean            registered;
  gboolean            removed;   /* condition=removed */
  gboolean            answered;
  JsonNode           *answer;
} WaitData;

static void
wait_data_free (WaitData *data)
{
  g_object_unref (data->self);
  g_free (data->id);
  g_clear_pointer (&data->answer, json_node_unref);
  g_free (data);
}

/* The engine has the wait (its answer's headers are in, or it failed): once all the container's
 * are in, what was held goes */
static void
wait_registered (WaitData *data)
{
  HatakeClientEngine *self = data->self;
  Registering *registering = g_hash_table_lookup (self->waits_registering, data->id);
  g_autoptr(GPtrArray) held = NULL;

  if (data->registered || registering == NULL)
    return;
  data->registered = TRUE;
  if (--registering->waits > 0)
    return;
  held = g_steal_pointer (&registering->held);
  g_hash_table_remove (self->waits_registering, data->id);
  for (guint i = 0; i < held->len; i++)
    {
      HeldCall *call = g_ptr_array_index (held, i);

      _hatake_client_engine_call (self, call->source_tag, "POST", g_steal_pointer (&call->path),
                                  NULL, NULL, HATAKE_CLIENT_REFRESH_CONTAINER, call->refresh_id, call->cancellable,
                                  call->callback, call->user_data);
    }
}

static void
on_wait_refreshed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  WaitData *data = g_task_get_task_data (task);

  g_task_return_pointer (task, g_steal_pointer (&data->answer), (GDestroyNotify) json_node_unref);
}

/* The answer is one JSON object, and the wait ends with it: not with the response's last chunk,
 * which libsoup's server writes from a thread of its own, milliseconds later (read on, to free
 * the connection). A container waited for until its removal, with no error, is known to be gone:
 * out of the model, without the inspect that a refresh sends (and that the engine, busy with
 * the removal's end, answered ~5 ms later: both were on the way of every `run --rm` through an
 * engine's socket). */
static void
on_wait_line (JsonObject *line, gpointer user_data)
{
  WaitData *data = user_data;
  JsonNode *error;

  if (data->answered)
    return;
  data->answered = TRUE;
  data->answer = json_node_init_object (json_node_alloc (), line);
  error = json_object_get_member (line, "Error");
  if (data->removed && (error == NULL || JSON_NODE_HOLDS_NULL (error)))
    {
      _hatake_client_engine_drop_container (data->self, data->id);
      g_task_return_pointer (data->task, g_steal_pointer (&data->answer), (GDestroyNotify) json_node_unref);
    }
  else
    _hatake_client_engine_refresh_async (data->self, HATAKE_CLIENT_REFRESH_CONTAINER, data->id, NULL,
                                         on_wait_refreshed, g_object_ref (data->task));
}

static void
on_wait_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  WaitData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!_hatake_client_read_lines_finish (result, &error))
    {
      /* (what comes after the answer changes nothing) */
      if (data->answered)
        g_error_free (error);
      else
        g_task_return_error (task, error);
      return;
    }
  if (!data->answered)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, "%s",
                             _("The engine ended the wait without an answer"));
}

static void
on_wait_headers (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  WaitData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GInputStream) stream = hatake_client_stream_finish (HATAKE_CLIENT (source), result, NULL, &error);

  wait_registered (data);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _hatake_client_read_lines_async (stream, on_wait_line, data, g_task_get_cancellable (task), on_wait_read,
                                   g_object_ref (task));
}

/* The wait is sent at once; a start of the same container asked meanwhile is held until the
 * engine has the wait (docker's server answers a wait's headers as soon as it is registered) */
void
_hatake_client_engine_wait_async (HatakeClientEngine  *self,
                                  gpointer             source_tag,
                                  char                *path,
                                  const char          *id,
                                  gboolean             removed,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *owned = path;
  WaitData *data = g_new0 (WaitData, 1);
  Registering *registering = g_hash_table_lookup (self->waits_registering, id);

  g_task_set_source_tag (task, source_tag);
  data->self = g_object_ref (self);
  data->task = task;
  data->removed = removed;
  data->source_tag = source_tag;
  data->id = g_strdup (id);
  g_task_set_task_data (task, data, (GDestroyNotify) wait_data_free);
  if (registering == NULL)
    {
      registering = g_new0 (Registering, 1);
      registering->held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_call_free);
      g_hash_table_insert (self->waits_registering, g_strdup (id), registering);
    }
  registering->waits++;
  hatake_client_stream_async (self->client, "POST", owned, NULL, NULL, NULL, NULL, cancellable, on_wait_headers,
                              g_steal_pointer (&task));
}

gboolean
_hatake_client_engine_hold_start (HatakeClientEngine  *self,
                                  gpointer             source_tag,
                                  char                *path,
                                  const char          *id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Registering *registering = g_hash_table_lookup (self->waits_registering, id);
  HeldCall *held;

  if (registering == NULL)
    return FALSE;
  held = g_new0 (HeldCall, 1);
  held->source_tag = source_tag;
  held->path = path;
  held->refresh_id = g_strdup (id);
  held->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  held->callback = callback;
  held->user_data = user_data;
  g_ptr_array_add (registering->held, held);
  return TRUE;
}
