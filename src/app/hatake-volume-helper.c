/* hatake-volume-helper.c: a volume's files through a throwaway container
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine interface (docker's API) has no archive operation for a volume, only for a
 * container: so, as docker users do by hand, a container that mounts the volume stands in for
 * it. It is only created, never started (docker cp reads and writes a stopped container's
 * volumes), so any image serves and nothing runs; it is removed when the work is done. This
 * works the same on the local engine and on a remote one.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hatake-volume-helper.h"

/* busybox when the engine has it (small, and what people pull for this), else any image */
static char *
pick_image (HatakeEngine *engine)
{
  GListModel *images = hatake_engine_get_images (engine);
  guint n = g_list_model_get_n_items (images);
  char *first = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (images, i);
      const char * const *tags = hatake_image_get_repo_tags (image);

      for (guint j = 0; tags != NULL && tags[j] != NULL; j++)
        if (strstr (tags[j], "busybox") != NULL)
          {
            g_free (first);
            return g_strdup (tags[j]);
          }
      if (first == NULL)
        first = g_strdup (hatake_image_get_id (image));
    }
  return first;
}

static void
created (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(HatakeContainer) container = NULL;
  GError *error = NULL;

  container = hatake_engine_create_container_finish (HATAKE_ENGINE (source), result, &error);
  if (container == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (hatake_container_get_id (container)), g_free);
}

void
hatake_volume_helper_create_async (HatakeEngine        *engine,
                                   const char          *volume,
                                   gboolean             read_only,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  static const char *cmd[] = { "true", NULL };
  g_autoptr(GTask) task = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *suffix = NULL;
  const char *labels[] = { HATAKE_VOLUME_HELPER_LABEL "=true", NULL };

  g_return_if_fail (HATAKE_IS_ENGINE (engine));
  g_return_if_fail (volume != NULL);

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_volume_helper_create_async);

  config = hatake_container_config_new ();
  if ((config->image = pick_image (engine)) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                               _("A helper container reads the volume, and it needs an image: pull one first (busybox is enough)"));
      return;
    }
  /* unique among the helpers of every app on this engine */
  suffix = g_uuid_string_random ();
  suffix[8] = '\0';
  config->name = g_strdup_printf ("hatake-volume-%s", suffix);
  config->cmd = g_strdupv ((char **) cmd);
  config->labels = g_strdupv ((char **) labels);
  g_free (config->network_mode);
  config->network_mode = g_strdup ("none");
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_VOLUME, volume, HATAKE_VOLUME_HELPER_PATH,
                                     read_only);
  hatake_engine_create_container_async (engine, config, cancellable, created, g_steal_pointer (&task));
}

char *
hatake_volume_helper_create_finish (HatakeEngine  *engine,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
removed (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = hatake_engine_container_op_finish (HATAKE_ENGINE (source), result, &error);
  if (error != NULL)
    g_message ("The helper container could not be removed: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

/* Never cancelled: a helper left behind would hold its volume. Failures are only logged. */
void
hatake_volume_helper_remove_async (HatakeEngine        *engine,
                                   const char          *id,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE };
  GTask *task;

  g_return_if_fail (HATAKE_IS_ENGINE (engine));
  g_return_if_fail (id != NULL);

  task = g_task_new (engine, NULL, callback, user_data);
  g_task_set_source_tag (task, hatake_volume_helper_remove_async);
  hatake_engine_container_op_async (engine, id, HATAKE_CONTAINER_OP_REMOVE, &args, NULL, removed, task);
}

/* ---- export and import ---------------------------------------------------------------------- */

typedef struct
{
  char    *volume;
  GFile   *file;
  char    *helper;
  GError  *error;     /* the work's, returned once the helper is gone */
} TransferData;

static void
transfer_data_free (TransferData *data)
{
  g_free (data->volume);
  g_clear_object (&data->file);
  g_free (data->helper);
  g_clear_error (&data->error);
  g_free (data);
}

static void
transfer_helper_removed (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TransferData *data = g_task_get_task_data (task);

  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_boolean (task, TRUE);
}

/* The end of either: ERROR (taken) is kept while the helper goes. */
static void
transfer_finish (GTask  *task,
                 GError *error)
{
  TransferData *data = g_task_get_task_data (task);

  data->error = error;
  if (data->helper == NULL)
    {
      transfer_helper_removed (NULL, NULL, task);
      return;
    }
  hatake_volume_helper_remove_async (g_task_get_source_object (task), data->helper, transfer_helper_removed,
                                     task);
}

static void
export_spliced (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error);
  transfer_finish (task, error);
}

typedef struct
{
  GTask        *task;
  GInputStream *tar;
} ExportStep;

static void
export_file_opened (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ExportStep *step = user_data;
  GTask *task = step->task;
  g_autoptr(GInputStream) tar = step->tar;
  g_autoptr(GFileOutputStream) out = NULL;
  GError *error = NULL;

  g_free (step);
  out = g_file_replace_finish (G_FILE (source), result, &error);
  if (out == NULL)
    {
      g_input_stream_close (tar, NULL, NULL);
      transfer_finish (task, error);
      return;
    }
  g_output_stream_splice_async (G_OUTPUT_STREAM (out), tar,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, g_task_get_cancellable (task), export_spliced, task);
}

static void
export_archive_ready (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  TransferData *data = g_task_get_task_data (task);
  ExportStep *step;
  GInputStream *tar;
  GError *error = NULL;

  tar = hatake_engine_container_archive_finish (HATAKE_ENGINE (source), result, NULL, &error);
  if (tar == NULL)
    {
      transfer_finish (task, error);
      return;
    }
  step = g_new0 (ExportStep, 1);
  step->task = task;
  step->tar = tar;
  g_file_replace_async (data->file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, G_PRIORITY_DEFAULT,
                        g_task_get_cancellable (task), export_file_opened, step);
}

static void
export_helper_ready (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  TransferData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if ((data->helper = hatake_volume_helper_create_finish (HATAKE_ENGINE (source), result, &error)) == NULL)
    {
      transfer_finish (task, error);
      return;
    }
  hatake_engine_container_archive_async (HATAKE_ENGINE (source), data->helper, HATAKE_ARCHIVE_GET,
                                         HATAKE_VOLUME_HELPER_PATH "/.", NULL, HATAKE_ARCHIVE_FLAGS_NONE,
                                         g_task_get_cancellable (task), export_archive_ready, task);
}

static GTask *
transfer_task_new (HatakeEngine        *engine,
                   const char          *volume,
                   GFile               *file,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (engine, cancellable, callback, user_data);
  TransferData *data = g_new0 (TransferData, 1);

  data->volume = g_strdup (volume);
  data->file = g_object_ref (file);
  g_task_set_task_data (task, data, (GDestroyNotify) transfer_data_free);
  return task;
}

void
hatake_volume_export_async (HatakeEngine        *engine,
                            const char          *volume,
                            GFile               *file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HATAKE_IS_ENGINE (engine));
  g_return_if_fail (volume != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = transfer_task_new (engine, volume, file, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_volume_export_async);
  hatake_volume_helper_create_async (engine, volume, TRUE, cancellable, export_helper_ready, task);
}

gboolean
hatake_volume_export_finish (HatakeEngine  *engine,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
import_put_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GInputStream) stream = NULL;
  GError *error = NULL;

  stream = hatake_engine_container_archive_finish (HATAKE_ENGINE (source), result, NULL, &error);
  transfer_finish (task, error);
}

static void
import_file_opened (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  TransferData *data = g_task_get_task_data (task);
  g_autoptr(GFileInputStream) in = NULL;
  GError *error = NULL;

  if ((in = g_file_read_finish (G_FILE (source), result, &error)) == NULL)
    {
      transfer_finish (task, error);
      return;
    }
  hatake_engine_container_archive_async (g_task_get_source_object (task), data->helper, HATAKE_ARCHIVE_PUT,
                                         HATAKE_VOLUME_HELPER_PATH, G_INPUT_STREAM (in),
                                         HATAKE_ARCHIVE_FLAGS_NONE, g_task_get_cancellable (task),
                                         import_put_done, task);
}

static void
import_helper_ready (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  TransferData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if ((data->helper = hatake_volume_helper_create_finish (HATAKE_ENGINE (source), result, &error)) == NULL)
    {
      transfer_finish (task, error);
      return;
    }
  g_file_read_async (data->file, G_PRIORITY_DEFAULT, g_task_get_cancellable (task), import_file_opened, task);
}

void
hatake_volume_import_async (HatakeEngine        *engine,
                            const char          *volume,
                            GFile               *file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HATAKE_IS_ENGINE (engine));
  g_return_if_fail (volume != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = transfer_task_new (engine, volume, file, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_volume_import_async);
  hatake_volume_helper_create_async (engine, volume, FALSE, cancellable, import_helper_ready, task);
}

gboolean
hatake_volume_import_finish (HatakeEngine  *engine,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
