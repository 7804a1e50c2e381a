/* hatake-compose-runner-logs.c: the projects an engine runs (compose ls) and a project's merged
 * logs (compose logs), split from hatake-compose-runner.c: they read the engine's models and
 * streams and run no Job
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <string.h>

#include "hatake-compose-runner.h"
#include "hatake-error.h"

/* ---- ls ------------------------------------------------------------------------------------ */

JsonNode *
hatake_compose_list_projects (HatakeEngine *engine)
{
  GListModel *projects;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (HATAKE_IS_ENGINE (engine), NULL);

  projects = G_LIST_MODEL (hatake_engine_get_projects (engine));
  json_builder_begin_array (b);
  for (guint i = 0; i < g_list_model_get_n_items (projects); i++)
    {
      g_autoptr(HatakeProject) project = g_list_model_get_item (projects, i);
      const char *config_files = hatake_project_get_config_files (project);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Name");
      json_builder_add_string_value (b, hatake_project_get_name (project));
      json_builder_set_member_name (b, "Status");
      json_builder_add_string_value (b, hatake_project_get_status (project));
      json_builder_set_member_name (b, "ConfigFiles");
      json_builder_add_string_value (b, config_files ? config_files : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

/* ---- logs ---------------------------------------------------------------------------------- */

typedef struct
{
  GTask                *task;
  guint                 pending;
  GError               *error;
  HatakeComposeLogFunc  func;
  gpointer              func_data;
} Logs;

typedef struct
{
  Logs            *logs;
  HatakeContainer *container;
} LogStream;

static void
on_log_entry (const HatakeLogEntry *entry, gpointer user_data)
{
  LogStream *stream = user_data;

  stream->logs->func (stream->container, entry, stream->logs->func_data);
}

/* One of what LOGS waits for is done; the last one ends it, with the first error kept. */
static void
logs_drop (Logs *logs)
{
  if (--logs->pending > 0)
    return;
  if (logs->error != NULL)
    g_task_return_error (logs->task, g_steal_pointer (&logs->error));
  else
    g_task_return_boolean (logs->task, TRUE);
  g_object_unref (logs->task);
  g_free (logs);
}

static void
on_log_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LogStream *stream = user_data;
  Logs *logs = stream->logs;
  g_autoptr(GError) error = NULL;

  if (!hatake_engine_container_logs_finish (HATAKE_ENGINE (source), result, &error) && logs->error == NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    logs->error = g_steal_pointer (&error);
  g_object_unref (stream->container);
  g_free (stream);
  logs_drop (logs);
}

void
hatake_compose_logs_async (HatakeEngine           *engine,
                           GPtrArray              *containers,
                           const HatakeLogOptions *options,
                           HatakeComposeLogFunc    func,
                           gpointer                func_data,
                           GCancellable           *cancellable,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  Logs *logs;

  g_return_if_fail (HATAKE_IS_ENGINE (engine));
  g_return_if_fail (containers != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (func != NULL);

  logs = g_new0 (Logs, 1);
  logs->task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (logs->task, hatake_compose_logs_async);
  logs->func = func;
  logs->func_data = func_data;
  /* one more than there are streams: held until all have been asked for */
  logs->pending = containers->len + 1;
  for (guint i = 0; i < containers->len; i++)
    {
      LogStream *stream = g_new0 (LogStream, 1);

      stream->logs = logs;
      stream->container = g_object_ref (g_ptr_array_index (containers, i));
      hatake_engine_container_logs_async (engine, hatake_container_get_id (stream->container), options, on_log_entry,
                                          stream, cancellable, on_log_done, stream);
    }
  logs_drop (logs);
}

gboolean
hatake_compose_logs_finish (HatakeEngine  *engine,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
