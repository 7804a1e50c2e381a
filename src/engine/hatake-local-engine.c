/* hatake-local-engine.c: the engine in this process
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Wires the store, the registry client and (later) the runtime behind HatakeEngine. The image
 * model is rebuilt from the store after every change, on the main thread, updating the existing
 * HatakeImage objects in place so bound widgets see notifies rather than new rows.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <fcntl.h>
#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <unistd.h>

#include "hatake-error.h"
#include "hatake-local-engine-private.h"
#include "hatake-stats-watcher.h"
#include "hatake-logs.h"
#include "hatake-network.h"
#include "hatake-volume.h"

static void hatake_local_engine_iface_init (HatakeEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HatakeLocalEngine, hatake_local_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HATAKE_TYPE_ENGINE, hatake_local_engine_iface_init))

char *
hatake_default_data_root (void)
{
  if (geteuid () == 0)
    return g_strdup ("/var/lib/hatake");
  return g_build_filename (g_get_user_data_dir (), "hatake", NULL);
}

static void on_volume_event  (HatakeVolumes  *volumes,
                              const char     *action,
                              const char     *name,
                              gpointer        user_data);
static void on_network_event (HatakeNetworks *networks,
                              const char     *action,
                              const char     *id,
                              const char     *name,
                              const char     *container,
                              gpointer        user_data);

static void
hatake_local_engine_dispose (GObject *object)
{
  HatakeLocalEngine *self = (HatakeLocalEngine *) object;

  g_cancellable_cancel (self->cancellable);
  /* samples still in flight find no watcher when they report */
  if (self->stats != NULL)
    g_object_run_dispose (G_OBJECT (self->stats));
  g_clear_object (&self->stats);
  if (self->containers != NULL)
    {
      g_signal_handlers_disconnect_matched (hatake_containers_get_volumes (self->containers), G_SIGNAL_MATCH_FUNC,
                                            0, 0, NULL, on_volume_event, NULL);
      g_signal_handlers_disconnect_matched (hatake_containers_get_networks (self->containers), G_SIGNAL_MATCH_FUNC,
                                            0, 0, NULL, on_network_event, NULL);
    }
  G_OBJECT_CLASS (hatake_local_engine_parent_class)->dispose (object);
}

static void
hatake_local_engine_finalize (GObject *object)
{
  HatakeLocalEngine *self = (HatakeLocalEngine *) object;

  g_assert (g_hash_table_size (self->layer_ops) == 0);
  g_assert (g_hash_table_size (self->blob_ops) == 0);
  g_clear_pointer (&self->config, hatake_config_free);
  g_clear_object (&self->store);
  g_clear_object (&self->registry);
  g_clear_object (&self->containers);
  g_clear_object (&self->images);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->layer_ops, g_hash_table_unref);
  g_clear_pointer (&self->blob_ops, g_hash_table_unref);
  g_free (self->description);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (hatake_local_engine_parent_class)->finalize (object);
}

static void
hatake_local_engine_class_init (HatakeLocalEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hatake_local_engine_dispose;
  object_class->finalize = hatake_local_engine_finalize;
}

static void
hatake_local_engine_init (HatakeLocalEngine *self)
{
  self->images = g_list_store_new (HATAKE_TYPE_IMAGE);
  self->cancellable = g_cancellable_new ();
  self->layer_ops = g_hash_table_new (g_str_hash, g_str_equal);
  self->blob_ops = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->download_queue);
  self->context = g_main_context_ref_thread_default ();
}

/* ---- volume and network events ------------------------------------------------------------- */

/* What the volumes' and networks' handlers hold: they run in whichever thread made the change,
 * maybe while the engine goes away, so they never hold the engine (its last reference must not
 * be dropped off the main thread): the events they queue reach it through a weak reference, on
 * its main context. Shared (atomic refcount) by the handler's closure and each queued event. */
typedef struct
{
  GWeakRef      engine;
  GMainContext *context;
} EventSink;

static void
event_sink_clear (gpointer data)
{
  EventSink *sink = data;

  g_weak_ref_clear (&sink->engine);
  g_main_context_unref (sink->context);
}

static void
event_sink_release (gpointer  data,
                    GClosure *closure)
{
  g_atomic_rc_box_release_full (data, event_sink_clear);
}

typedef struct
{
  EventSink *sink;
  char      *type;
  char      *action;
  char      *id;
  JsonNode  *attributes;
} ObjectEvent;

static void
object_event_free (ObjectEvent *event)
{
  g_atomic_rc_box_release_full (event->sink, event_sink_clear);
  g_free (event->type);
  g_free (event->action);
  g_free (event->id);
  json_node_unref (event->attributes);
  g_free (event);
}

static gboolean
emit_object_event (gpointer user_data)
{
  ObjectEvent *event = user_data;
  g_autoptr(HatakeLocalEngine) self = g_weak_ref_get (&event->sink->engine);

  if (self != NULL)
    g_signal_emit_by_name (self, "object-event", event->type, event->action, event->id, event->attributes);
  return G_SOURCE_REMOVE;
}

/* From any thread; always emitted later, from the main context: never inside the caller's
 * locks. */
static void
queue_object_event (EventSink  *sink,
                    const char *type,
                    const char *action,
                    const char *id,
                    JsonObject *attributes)   /* taken */
{
  ObjectEvent *event = g_new0 (ObjectEvent, 1);
  g_autoptr(GSource) source = g_idle_source_new ();

  event->sink = g_atomic_rc_box_acquire (sink);
  event->type = g_strdup (type);
  event->action = g_strdup (action);
  event->id = g_strdup (id);
  event->attributes = json_node_init_object (json_node_alloc (), attributes);
  json_object_unref (attributes);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emit_object_event, event, (GDestroyNotify) object_event_free);
  g_source_attach (source, sink->context);
}

/* docker's container events of operations (kill, stop, exec_*, attach…) as object events */
static void
on_container_event (HatakeContainers *containers,
                    HatakeContainer  *container,
                    const char       *action,
                    JsonNode         *attributes,
                    gpointer          user_data)
{
  g_signal_emit_by_name (user_data, "object-event", "container", action, hatake_container_get_id (container),
                         attributes);
}

static void
on_volume_event (HatakeVolumes *volumes,
                 const char    *action,
                 const char    *name,
                 gpointer       user_data)
{
  JsonObject *attributes = json_object_new ();

  json_object_set_string_member (attributes, "driver", "local");
  queue_object_event (user_data, "volume", action, name, attributes);
}

static void
on_network_event (HatakeNetworks *networks,
                  const char     *action,
                  const char     *id,
                  const char     *name,
                  const char     *container,
                  gpointer        user_data)
{
  JsonObject *attributes = json_object_new ();

  json_object_set_string_member (attributes, "name", name);
  json_object_set_string_member (attributes, "type", "bridge");
  if (container != NULL)
    json_object_set_string_member (attributes, "container", container);
  queue_object_event (user_data, "network", action, id, attributes);
}

/* conmon runs `hatake system recover` when a container exits: find our own CLI, next to this
 * executable (installed, or in the build tree), else on PATH. $HATAKE_EXE wins. */
static char *
find_hatake_executable (void)
{
  const char *env = g_getenv ("HATAKE_EXE");
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self_exe ? g_path_get_dirname (self_exe) : NULL;
  const char *candidates[] = { "hatake", "../cli/hatake", "../src/cli/hatake", "../../src/cli/hatake" };

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  for (guint i = 0; dir != NULL && i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *path = g_build_filename (dir, candidates[i], NULL);
      g_autofree char *canonical = g_canonicalize_filename (path, NULL);
      if (g_file_test (canonical, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (canonical, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&canonical);
    }
  {
    g_autofree char *installed = g_build_filename (BINDIR, "hatake", NULL);
    if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
      return g_steal_pointer (&installed);
  }
  return g_find_program_in_path ("hatake");
}

static HatakeLocalEngine *local_engine_new (const char *data_root, HatakeConfig *config, gboolean create,
                                             GError **error);

HatakeLocalEngine *
hatake_local_engine_new (const char    *data_root,
                         HatakeConfig  *config,
                         GError       **error)
{
  return local_engine_new (data_root, config, TRUE, error);
}

HatakeLocalEngine *
hatake_local_engine_new_existing (const char  *data_root,
                                  GError     **error)
{
  return local_engine_new (data_root, NULL, FALSE, error);
}

static HatakeLocalEngine *
local_engine_new (const char    *data_root,
                  HatakeConfig  *config,
                  gboolean       create,
                  GError       **error)
{
  g_autoptr(HatakeLocalEngine) self = g_object_new (HATAKE_TYPE_LOCAL_ENGINE, NULL);
  g_autofree char *root = data_root ? g_strdup (data_root) : hatake_default_data_root ();

  if (config != NULL)
    {
      self->config = hatake_config_new_default ();
      g_strfreev (self->config->insecure_registries);
      self->config->insecure_registries = g_strdupv (config->insecure_registries);
      self->config->max_concurrent_downloads = config->max_concurrent_downloads;
      self->config->max_retries = config->max_retries;
      self->config->layer_limits = config->layer_limits;
      g_free (self->config->default_runtime);
      self->config->default_runtime = g_strdup (config->default_runtime);
      self->config->log_size_max = config->log_size_max;
      self->config->network_spares = config->network_spares;
      self->config->path = g_strdup (config->path);
    }
  else if ((self->config = hatake_config_load_default (error)) == NULL)
    return NULL;

  self->store = hatake_store_open_full (root, create, error);
  if (self->store == NULL)
    return NULL;
  {
    g_autofree char *exe = find_hatake_executable ();
    self->containers = hatake_containers_new (self->store, self->config, exe, error);
    if (self->containers == NULL)
      return NULL;
  }
  for (guint i = 0; i < 2; i++)
    {
      EventSink *sink = g_atomic_rc_box_new0 (EventSink);

      g_weak_ref_init (&sink->engine, self);
      sink->context = g_main_context_ref (self->context);
      if (i == 0)
        g_signal_connect_data (hatake_containers_get_volumes (self->containers), "event",
                               G_CALLBACK (on_volume_event), sink, event_sink_release, 0);
      else
        g_signal_connect_data (hatake_containers_get_networks (self->containers), "event",
                               G_CALLBACK (on_network_event), sink, event_sink_release, 0);
    }
  /* (emitted on this engine's main context, as the containers' operations run) */
  g_signal_connect_object (self->containers, "event", G_CALLBACK (on_container_event), self, 0);
  self->description = g_strdup_printf ("local engine (%s)", hatake_store_get_root (self->store));
  _hatake_local_engine_refresh_images (self);
  return g_steal_pointer (&self);
}

const char *
hatake_local_engine_get_data_root (HatakeLocalEngine *self)
{
  g_return_val_if_fail (HATAKE_IS_LOCAL_ENGINE (self), NULL);
  return hatake_store_get_root (self->store);
}

HatakeImage *
_hatake_local_engine_find_image (HatakeLocalEngine *self,
                                 const char        *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->images));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (G_LIST_MODEL (self->images), i);
      if (g_str_equal (hatake_image_get_id (image), id))
        return g_steal_pointer (&image);
    }
  return NULL;
}

/* Main thread only. Reading the records is a copy from memory under the store's lock. */
void
_hatake_local_engine_refresh_images (HatakeLocalEngine *self)
{
  g_autoptr(GPtrArray) records = hatake_store_list_images (self->store);
  g_autoptr(GHashTable) live = g_hash_table_new (g_str_hash, g_str_equal);
  guint n;

  for (guint i = 0; i < records->len; i++)
    {
      HatakeImageRecord *r = g_ptr_array_index (records, i);
      g_autoptr(HatakeImage) image = _hatake_local_engine_find_image (self, r->id);

      g_hash_table_add (live, r->id);
      if (image == NULL)
        image = hatake_image_new (r->id);
      g_object_freeze_notify (G_OBJECT (image));
      hatake_image_set_repo_tags (image, (const char * const *) r->repo_tags);
      hatake_image_set_repo_digests (image, (const char * const *) r->repo_digests);
      hatake_image_set_size (image, r->size);
      hatake_image_set_created (image, r->created);
      hatake_image_set_architecture (image, r->architecture);
      hatake_image_set_os (image, r->os);
      g_object_thaw_notify (G_OBJECT (image));
      if (!g_list_store_find (self->images, image, NULL))
        g_list_store_append (self->images, image);
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->images));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (G_LIST_MODEL (self->images), i - 1);
      if (!g_hash_table_contains (live, hatake_image_get_id (image)))
        g_list_store_remove (self->images, i - 1);
    }
}

static GListModel *
hatake_local_engine_get_images (HatakeEngine *engine)
{
  return G_LIST_MODEL (HATAKE_LOCAL_ENGINE (engine)->images);
}

static const char *
hatake_local_engine_get_description (HatakeEngine *engine)
{
  return HATAKE_LOCAL_ENGINE (engine)->description;
}

JsonNode *
_hatake_local_engine_propagate_json (HatakeEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_recovered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (hatake_containers_recover_finish (HATAKE_CONTAINERS (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
hatake_local_engine_recover_async (HatakeLocalEngine   *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hatake_local_engine_recover_async);
  hatake_containers_recover_async (self->containers, cancellable, on_recovered, task);
}

gboolean
hatake_local_engine_recover_finish (HatakeLocalEngine  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_settled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (hatake_containers_settle_finish (HATAKE_CONTAINERS (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
hatake_local_engine_settle_async (HatakeLocalEngine   *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hatake_local_engine_settle_async);
  hatake_containers_settle_async (self->containers, cancellable, on_settled, task);
}

gboolean
hatake_local_engine_settle_finish (HatakeLocalEngine  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
hatake_local_engine_get_runtime_note (HatakeLocalEngine *self)
{
  g_return_val_if_fail (HATAKE_IS_LOCAL_ENGINE (self), NULL);
  return hatake_containers_get_runtime_note (self->containers);
}

gboolean
hatake_local_engine_hold_default_network (HatakeLocalEngine  *self,
                                          gboolean            hold,
                                          GError            **error)
{
  HatakeNetworks *networks;

  g_return_val_if_fail (HATAKE_IS_LOCAL_ENGINE (self), FALSE);
  networks = hatake_containers_get_networks (self->containers);
  if (!hold)
    return hatake_networks_release_default (networks, error);
  if (!hatake_networks_hold_default (networks, error))
    return FALSE;
  if (self->config->network_spares > 0)
    hatake_networks_set_spares (networks, self->config->network_spares);
  return TRUE;
}

void
hatake_local_engine_set_healthchecks (HatakeLocalEngine *self,
                                      gboolean           enabled)
{
  g_return_if_fail (HATAKE_IS_LOCAL_ENGINE (self));
  hatake_containers_set_healthchecks (self->containers, enabled);
}

void
hatake_local_engine_set_exit_cleanup_left (HatakeLocalEngine *self,
                                         gboolean           left)
{
  g_return_if_fail (HATAKE_IS_LOCAL_ENGINE (self));
  hatake_containers_set_exit_cleanup_left (self->containers, left);
}

const char *
hatake_local_engine_get_run_dir (HatakeLocalEngine *self)
{
  g_return_val_if_fail (HATAKE_IS_LOCAL_ENGINE (self), NULL);
  return hatake_containers_get_run_dir (self->containers);
}

static GListModel *
hatake_local_engine_get_containers (HatakeEngine *engine)
{
  return hatake_containers_get_model (HATAKE_LOCAL_ENGINE (engine)->containers);
}

static void
on_container_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  HatakeContainer *container = hatake_containers_create_finish (HATAKE_CONTAINERS (source), result, &error);

  if (container == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, container, g_object_unref);
}

static void
hatake_local_engine_create_container_async (HatakeEngine                *engine,
                                            const HatakeContainerConfig *config,
                                            GCancellable                *cancellable,
                                            GAsyncReadyCallback          callback,
                                            gpointer                     user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeImage) image = NULL;

  g_task_set_source_tag (task, hatake_local_engine_create_container_async);
  image = hatake_engine_lookup_image (engine, config->image);
  if (image == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), config->image);
      return;
    }
  hatake_containers_create_async (self->containers, config, hatake_image_get_id (image), cancellable,
                                  on_container_created, g_steal_pointer (&task));
}

static HatakeContainer *
hatake_local_engine_create_container_finish (HatakeEngine  *engine,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The containers' operations report JsonNodes (or NULL) through their GTasks: relayed as they are. */
static void
relay_json (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  JsonNode *node = g_task_propagate_pointer (G_TASK (result), &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

/* The container an operation names, or NULL once the task has reported why not. */
static HatakeContainer *
lookup_for_task (HatakeLocalEngine *self, const char *id, GTask *task)
{
  GError *error = NULL;
  HatakeContainer *container = hatake_containers_lookup (self->containers, id, &error);

  if (container == NULL)
    g_task_return_error (task, error);
  return container;
}

static void
hatake_local_engine_container_op_async (HatakeEngine                *engine,
                                        const char                  *id,
                                        HatakeContainerOp            op,
                                        const HatakeContainerOpArgs *args,
                                        GCancellable                *cancellable,
                                        GAsyncReadyCallback          callback,
                                        gpointer                     user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;

  g_task_set_source_tag (task, hatake_local_engine_container_op_async);
  container = lookup_for_task (self, id, task);
  if (container == NULL)
    return;
  hatake_containers_op_async (self->containers, container, op, args, cancellable, relay_json,
                              g_steal_pointer (&task));
}

static void
hatake_local_engine_inspect_container_async (HatakeEngine        *engine,
                                             const char          *id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;

  g_task_set_source_tag (task, hatake_local_engine_inspect_container_async);
  container = lookup_for_task (self, id, task);
  if (container != NULL)
    g_task_return_pointer (task, hatake_containers_inspect (self->containers, container),
                           (GDestroyNotify) json_node_unref);
}

static void
hatake_local_engine_rename_container_async (HatakeEngine        *engine,
                                            const char          *id,
                                            const char          *name,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, hatake_local_engine_rename_container_async);
  container = hatake_containers_lookup (self->containers, id, &error);
  if (container == NULL || !hatake_containers_rename (self->containers, container, name, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
relay_boolean (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
hatake_local_engine_update_container_async (HatakeEngine                *engine,
                                            const char                  *id,
                                            const HatakeContainerUpdate *update,
                                            GCancellable                *cancellable,
                                            GAsyncReadyCallback          callback,
                                            gpointer                     user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;

  g_task_set_source_tag (task, hatake_local_engine_update_container_async);
  container = lookup_for_task (self, id, task);
  if (container != NULL)
    hatake_containers_update_async (self->containers, container, update, cancellable, relay_boolean,
                                    g_steal_pointer (&task));
}

typedef struct
{
  HatakeLogReader *reader;
  HatakeContainer *container;
  HatakeLogFunc    func;
  gpointer         func_data;
  gulong           state_handler;
} LogsData;

static void
logs_data_free (LogsData *data)
{
  if (data->state_handler != 0)
    g_signal_handler_disconnect (data->container, data->state_handler);
  g_clear_object (&data->reader);
  g_clear_object (&data->container);
  g_free (data);
}

static void
on_log_entry (HatakeLogReader *reader, HatakeLogEntry *entry, gpointer user_data)
{
  LogsData *data = user_data;

  data->func (entry, data->func_data);
}

static gboolean
container_has_exited (HatakeContainer *container)
{
  switch (hatake_container_get_state (container))
    {
    case HATAKE_CONTAINER_RUNNING:
    case HATAKE_CONTAINER_PAUSED:
    case HATAKE_CONTAINER_RESTARTING:
    case HATAKE_CONTAINER_CREATED:
      return FALSE;
    case HATAKE_CONTAINER_EXITED:
    case HATAKE_CONTAINER_REMOVING:
    case HATAKE_CONTAINER_DEAD:
    case HATAKE_CONTAINER_REMOVED:
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* A follower ends once conmon is done writing: the engine saw the exit file. */
static void
on_log_container_state (HatakeContainer *container, GParamSpec *pspec, LogsData *data)
{
  if (container_has_exited (container))
    hatake_log_reader_writer_exited (data->reader);
}

static void
on_logs_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (hatake_log_reader_run_finish (HATAKE_LOG_READER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      /* a container that never started has no log yet: nothing to show */
      g_clear_error (&error);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

static void
hatake_local_engine_container_logs_async (HatakeEngine           *engine,
                                          const char             *id,
                                          const HatakeLogOptions *options,
                                          HatakeLogFunc           func,
                                          gpointer                func_data,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback     callback,
                                          gpointer                user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *path = NULL;
  LogsData *data;
  GError *error = NULL;
  HatakeContainer *container;

  g_task_set_source_tag (task, hatake_local_engine_container_logs_async);
  container = hatake_containers_lookup (self->containers, id, &error);
  if (container == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  path = hatake_containers_log_path (self->containers, container);
  data = g_new0 (LogsData, 1);
  data->container = container;
  data->func = func;
  data->func_data = func_data;
  data->reader = hatake_log_reader_new (path, options);
  g_signal_connect (data->reader, "entry", G_CALLBACK (on_log_entry), data);
  g_task_set_task_data (task, data, (GDestroyNotify) logs_data_free);
  if (options->follow)
    data->state_handler = g_signal_connect (container, "notify::state", G_CALLBACK (on_log_container_state), data);
  /* (run follows a container from before its start: its log comes with conmon) */
  if (options->follow && hatake_container_get_state (container) == HATAKE_CONTAINER_CREATED)
    hatake_log_reader_set_wait_for_log (data->reader, TRUE);
  hatake_log_reader_run_async (data->reader, cancellable, on_logs_done, g_object_ref (task));
  if (options->follow && container_has_exited (container))
    hatake_log_reader_writer_exited (data->reader);
}

static void
on_exec_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  int code = hatake_containers_exec_finish (HATAKE_CONTAINERS (source), result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, code);
}

static void
hatake_local_engine_exec_async (HatakeEngine            *engine,
                                const char              *id,
                                const HatakeExecOptions *options,
                                GCancellable            *cancellable,
                                GAsyncReadyCallback      callback,
                                gpointer                 user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;

  g_task_set_source_tag (task, hatake_local_engine_exec_async);
  container = lookup_for_task (self, id, task);
  if (container != NULL)
    hatake_containers_exec_async (self->containers, container, options, cancellable, on_exec_done,
                                  g_steal_pointer (&task));
}

static int
hatake_local_engine_exec_finish (HatakeEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), -1);
  return (int) g_task_propagate_int (G_TASK (result), error);
}

static void
hatake_local_engine_top_async (HatakeEngine        *engine,
                               const char          *id,
                               const char          *ps_args,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;

  g_task_set_source_tag (task, hatake_local_engine_top_async);
  container = lookup_for_task (self, id, task);
  if (container != NULL)
    hatake_containers_top_async (self->containers, container, ps_args, cancellable, relay_json,
                                 g_steal_pointer (&task));
}

static void
hatake_local_engine_changes_async (HatakeEngine        *engine,
                                   const char          *id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;

  g_task_set_source_tag (task, hatake_local_engine_changes_async);
  container = lookup_for_task (self, id, task);
  if (container != NULL)
    hatake_containers_changes_async (self->containers, container, cancellable, relay_json, g_steal_pointer (&task));
}

static void
hatake_local_engine_stats_async (HatakeEngine        *engine,
                                 const char          *id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;

  g_task_set_source_tag (task, hatake_local_engine_stats_async);
  container = lookup_for_task (self, id, task);
  if (container != NULL)
    hatake_containers_stats_async (self->containers, container, cancellable, relay_json, g_steal_pointer (&task));
}

/* The containers' archive result is kept as it is and read by the finish. */
static void
relay_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_return_pointer (task, g_object_ref (result), g_object_unref);
}

static void
hatake_local_engine_container_archive_async (HatakeEngine        *engine,
                                             const char          *id,
                                             HatakeArchiveOp      op,
                                             const char          *path,
                                             GInputStream        *tar,
                                             HatakeArchiveFlags   flags,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;

  g_task_set_source_tag (task, hatake_local_engine_container_archive_async);
  container = lookup_for_task (self, id, task);
  if (container != NULL)
    hatake_containers_archive_async (self->containers, container, op, path, tar, flags, cancellable, relay_result,
                                     g_steal_pointer (&task));
}

static GInputStream *
hatake_local_engine_container_archive_finish (HatakeEngine  *engine,
                                              GAsyncResult  *result,
                                              JsonNode     **out_stat,
                                              GError       **error)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GAsyncResult) inner = g_task_propagate_pointer (G_TASK (result), error);

  if (out_stat != NULL)
    *out_stat = NULL;
  if (inner == NULL)
    return NULL;
  return hatake_containers_archive_finish (self->containers, inner, out_stat, error);
}

/* conmon's control FIFO takes "1 HEIGHT WIDTH\n" to resize the terminal. */
static void
resize_through_ctl (guint width, guint height, gpointer user_data)
{
  const char *ctl = user_data;
  g_autofree char *message = g_strdup_printf ("1 %u %u\n", height, width);
  int fd = open (ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    return;
  if (write (fd, message, strlen (message)) < 0)
    g_debug ("Cannot resize through %s: %s", ctl, g_strerror (errno));
  close (fd);
}

static void
on_attach_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  GError *error = NULL;

  connection = hatake_containers_connect_attach_finish (HATAKE_CONTAINERS (source), result, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task,
                         hatake_attach_new (G_IO_STREAM (connection), TRUE, resize_through_ctl,
                                            g_strdup (g_task_get_task_data (task)), g_free),
                         g_object_unref);
}

/* A running container's stdio, or, for one not started yet, from before its process runs */
static void
hatake_local_engine_attach_async (HatakeEngine        *engine,
                                  const char          *id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeContainer) container = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, hatake_local_engine_attach_async);
  container = hatake_containers_lookup (self->containers, id, &error);
  if (container == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, hatake_containers_ctl_path (self->containers, container), g_free);
  hatake_containers_connect_attach_async (self->containers, container, cancellable, on_attach_connected,
                                          g_steal_pointer (&task));
}

static HatakeAttach *
hatake_local_engine_attach_finish (HatakeEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- stats while watched -------------------------------------------------------------------- */

static void
hatake_local_engine_watch_stats (HatakeEngine    *engine,
                                 HatakeContainer *container)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);

  if (self->stats == NULL)
    self->stats = hatake_stats_watcher_new (engine);
  hatake_stats_watcher_watch (self->stats, container);
}

static void
hatake_local_engine_unwatch_stats (HatakeEngine    *engine,
                                   HatakeContainer *container)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);

  g_return_if_fail (self->stats != NULL);
  hatake_stats_watcher_unwatch (self->stats, container);
}

/* ---- volumes --------------------------------------------------------------------------------- */

typedef struct
{
  HatakeVolumes  *volumes;
  HatakeVolumeOp  op;
  char           *name;
  GStrv           labels;
  GStrv           options;
  GStrv           doomed;    /* prune: the unused volumes, decided on the main thread */
  GHashTable     *counts;    /* list: each volume's users, counted on the main thread */
} VolumeData;

static void
volume_data_free (VolumeData *data)
{
  g_object_unref (data->volumes);
  g_free (data->name);
  g_strfreev (data->labels);
  g_strfreev (data->options);
  g_strfreev (data->doomed);
  g_clear_pointer (&data->counts, g_hash_table_unref);
  g_free (data);
}

static void
volume_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VolumeData *data = task_data;
  GError *error = NULL;
  JsonNode *node = NULL;

  switch (data->op)
    {
    case HATAKE_VOLUME_OP_CREATE:
      {
        g_autofree char *name = hatake_volumes_ensure (data->volumes, data->name, (const char * const *) data->labels,
                                                       (const char * const *) data->options, FALSE, NULL, &error);
        if (name != NULL)
          node = hatake_volumes_inspect (data->volumes, name, &error);
        break;
      }
    case HATAKE_VOLUME_OP_LIST:
      node = hatake_volumes_list (data->volumes, data->counts);
      break;
    case HATAKE_VOLUME_OP_INSPECT:
      node = hatake_volumes_inspect (data->volumes, data->name, &error);
      break;
    case HATAKE_VOLUME_OP_REMOVE:
      if (hatake_volumes_remove (data->volumes, data->name, &error))
        {
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
      break;
    case HATAKE_VOLUME_OP_PRUNE:
      {
        g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "VolumesDeleted");
        json_builder_begin_array (b);
        for (guint i = 0; data->doomed[i]; i++)
          if (hatake_volumes_remove (data->volumes, data->doomed[i], NULL))
            json_builder_add_string_value (b, data->doomed[i]);
        json_builder_end_array (b);
        json_builder_set_member_name (b, "SpaceReclaimed");
        json_builder_add_int_value (b, 0);
        json_builder_end_object (b);
        node = json_builder_get_root (b);
        break;
      }
    default:
      g_assert_not_reached ();
    }
  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

typedef struct
{
  HatakeNetworks  *networks;
  HatakeNetworkOp  op;
  GHashTable      *in_use;     /* prune: names containers use */
  char            *name, *subnet, *gateway, *ip_range;
  gboolean         internal;
  GStrv            labels;
} NetworkData;

static void
network_data_free (NetworkData *data)
{
  g_clear_object (&data->networks);
  g_clear_pointer (&data->in_use, g_hash_table_unref);
  g_free (data->name);
  g_free (data->subnet);
  g_free (data->gateway);
  g_free (data->ip_range);
  g_strfreev (data->labels);
  g_free (data);
}

static void
network_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  NetworkData *data = task_data;
  GError *error = NULL;
  JsonNode *node = NULL;

  switch (data->op)
    {
    case HATAKE_NETWORK_OP_CREATE:
      {
        HatakeNetworkCreate create = { data->name, data->subnet, data->gateway, data->ip_range, data->internal,
                                       (const char * const *) data->labels };

        node = hatake_networks_create (data->networks, &create, &error);
      }
      break;
    case HATAKE_NETWORK_OP_LIST:
      {
        g_autoptr(GPtrArray) all = hatake_networks_list (data->networks, &error);

        if (all != NULL)
          {
            JsonArray *array = json_array_new ();

            for (guint i = 0; i < all->len; i++)
              json_array_add_element (array, json_node_ref (g_ptr_array_index (all, i)));
            node = json_node_new (JSON_NODE_ARRAY);
            json_node_take_array (node, array);
          }
      }
      break;
    case HATAKE_NETWORK_OP_INSPECT:
      node = hatake_networks_inspect (data->networks, data->name, &error);
      break;
    case HATAKE_NETWORK_OP_PRUNE:
      {
        g_autoptr(GPtrArray) all = hatake_networks_list (data->networks, &error);
        JsonArray *deleted;
        JsonObject *object;

        if (all == NULL)
          break;
        deleted = json_array_new ();
        for (guint i = 0; i < all->len; i++)
          {
            JsonObject *n = json_node_get_object (g_ptr_array_index (all, i));
            const char *name = json_object_get_string_member (n, "Name");
            g_autoptr(GError) remove_error = NULL;

            if (g_str_equal (name, "bridge") || hatake_networks_is_builtin_name (name) ||
                g_hash_table_contains (data->in_use, name) ||
                g_hash_table_contains (data->in_use, json_object_get_string_member (n, "Id")))
              continue;
            if (hatake_networks_remove (data->networks, name, &remove_error))
              json_array_add_string_element (deleted, name);
            else
              g_debug ("prune: %s stays: %s", name, remove_error->message);
          }
        object = json_object_new ();
        json_object_set_array_member (object, "NetworksDeleted", deleted);
        node = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (node, object);
      }
      break;
    case HATAKE_NETWORK_OP_REMOVE:
      if (hatake_networks_remove (data->networks, data->name, &error))
        {
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
      break;
    case HATAKE_NETWORK_OP_CONNECT:
    case HATAKE_NETWORK_OP_DISCONNECT:   /* by the containers, on the main thread */
    default:
      g_assert_not_reached ();
    }
  if (node == NULL)
    {
      /* docker's status codes come from these through the API */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        error->domain = HATAKE_ERROR, error->code = HATAKE_ERROR_NOT_FOUND;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS) ||
               g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
        error->domain = HATAKE_ERROR, error->code = HATAKE_ERROR_CONFLICT;
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
on_network_changed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (hatake_containers_network_change_finish (HATAKE_CONTAINERS (source), result, &error))
    g_task_return_pointer (task, NULL, NULL);
  else
    g_task_return_error (task, error);
}

static void
hatake_local_engine_network_op_async (HatakeEngine              *engine,
                                      HatakeNetworkOp            op,
                                      const HatakeNetworkOpArgs *args,
                                      GCancellable              *cancellable,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  NetworkData *data = g_new0 (NetworkData, 1);

  g_task_set_source_tag (task, hatake_local_engine_network_op_async);
  if (op == HATAKE_NETWORK_OP_CONNECT || op == HATAKE_NETWORK_OP_DISCONNECT)
    {
      GError *error = NULL;
      g_autoptr(HatakeContainer) container = args->container ? hatake_containers_lookup (self->containers,
                                                                                         args->container, &error)
                                                             : NULL;

      g_free (data);
      if (container == NULL)
        {
          if (error == NULL)
            error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("No container was named"));
          g_task_return_error (task, error);
          return;
        }
      if (op == HATAKE_NETWORK_OP_CONNECT)
        {
          HatakeNetworkEndpoint endpoint = { (char *) args->name, (GStrv) args->aliases, (char *) args->ip };

          hatake_containers_connect_async (self->containers, container, &endpoint, cancellable, on_network_changed,
                                           g_object_ref (task));
        }
      else
        hatake_containers_disconnect_async (self->containers, container, args->name, args->force, cancellable,
                                            on_network_changed, g_object_ref (task));
      return;
    }
  data->networks = g_object_ref (hatake_containers_get_networks (self->containers));
  data->op = op;
  if (op == HATAKE_NETWORK_OP_PRUNE)
    data->in_use = hatake_containers_networks_in_use (self->containers);
  data->name = g_strdup (args->name);
  data->subnet = g_strdup (args->subnet);
  data->gateway = g_strdup (args->gateway);
  data->ip_range = g_strdup (args->ip_range);
  data->internal = args->internal;
  data->labels = g_strdupv ((char **) args->labels);
  g_task_set_task_data (task, data, (GDestroyNotify) network_data_free);
  /* a removal waits, in the networks' queue, for the teardowns queued before it: a container
   * that has exited holds its endpoint until its teardown has run */
  if (op == HATAKE_NETWORK_OP_REMOVE || op == HATAKE_NETWORK_OP_PRUNE)
    hatake_networks_run_in_thread (data->networks, task, network_thread);
  else
    g_task_run_in_thread (task, network_thread);
}

static void
hatake_local_engine_volume_op_async (HatakeEngine             *engine,
                                     HatakeVolumeOp            op,
                                     const HatakeVolumeOpArgs *args,
                                     GCancellable             *cancellable,
                                     GAsyncReadyCallback       callback,
                                     gpointer                  user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  HatakeVolumes *volumes = hatake_containers_get_volumes (self->containers);
  VolumeData *data;

  g_task_set_source_tag (task, hatake_local_engine_volume_op_async);
  if (op == HATAKE_VOLUME_OP_CREATE && args->driver != NULL && *args->driver != '\0' &&
      !g_str_equal (args->driver, "local"))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                               _("plugin \"%s\" not found: Hatake offers the local volume driver"), args->driver);
      return;
    }
  if (op == HATAKE_VOLUME_OP_REMOVE)
    {
      g_auto(GStrv) users = hatake_containers_volume_users (self->containers, args->name);
      if (users[0] != NULL)
        {
          g_autofree char *list = g_strjoinv (", ", users);
          g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                                   _("remove %s: volume is in use - [%s]"), args->name, list);
          return;
        }
    }
  data = g_new0 (VolumeData, 1);
  data->volumes = g_object_ref (volumes);
  data->op = op;
  data->name = g_strdup (args->name);
  data->labels = g_strdupv ((char **) args->labels);
  data->options = g_strdupv ((char **) args->options);
  if (op == HATAKE_VOLUME_OP_LIST)
    data->counts = hatake_containers_volume_counts (self->containers);
  if (op == HATAKE_VOLUME_OP_PRUNE)
    {
      g_auto(GStrv) names = hatake_volumes_names (volumes);
      g_autoptr(GStrvBuilder) doomed = g_strv_builder_new ();
      for (guint i = 0; names[i]; i++)
        {
          g_auto(GStrv) users = hatake_containers_volume_users (self->containers, names[i]);
          if (users[0] == NULL && (args->all || hatake_volumes_is_anonymous (volumes, names[i])))
            g_strv_builder_add (doomed, names[i]);
        }
      data->doomed = g_strv_builder_end (doomed);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) volume_data_free);
  g_task_run_in_thread (task, volume_thread);
}

static gboolean
propagate_boolean (HatakeEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hatake_local_engine_iface_init (HatakeEngineInterface *iface)
{
  iface->get_containers = hatake_local_engine_get_containers;
  iface->create_container_async = hatake_local_engine_create_container_async;
  iface->create_container_finish = hatake_local_engine_create_container_finish;
  iface->container_op_async = hatake_local_engine_container_op_async;
  iface->container_op_finish = _hatake_local_engine_propagate_json;
  iface->inspect_container_async = hatake_local_engine_inspect_container_async;
  iface->inspect_container_finish = _hatake_local_engine_propagate_json;
  iface->rename_container_async = hatake_local_engine_rename_container_async;
  iface->rename_container_finish = propagate_boolean;
  iface->update_container_async = hatake_local_engine_update_container_async;
  iface->update_container_finish = propagate_boolean;
  iface->container_logs_async = hatake_local_engine_container_logs_async;
  iface->container_logs_finish = propagate_boolean;
  iface->exec_async = hatake_local_engine_exec_async;
  iface->exec_finish = hatake_local_engine_exec_finish;
  iface->changes_async = hatake_local_engine_changes_async;
  iface->changes_finish = _hatake_local_engine_propagate_json;
  iface->top_async = hatake_local_engine_top_async;
  iface->top_finish = _hatake_local_engine_propagate_json;
  iface->container_archive_async = hatake_local_engine_container_archive_async;
  iface->container_archive_finish = hatake_local_engine_container_archive_finish;
  iface->attach_async = hatake_local_engine_attach_async;
  iface->attach_finish = hatake_local_engine_attach_finish;
  iface->stats_async = hatake_local_engine_stats_async;
  iface->stats_finish = _hatake_local_engine_propagate_json;
  iface->watch_stats = hatake_local_engine_watch_stats;
  iface->unwatch_stats = hatake_local_engine_unwatch_stats;
  iface->volume_op_async = hatake_local_engine_volume_op_async;
  iface->volume_op_finish = _hatake_local_engine_propagate_json;
  iface->network_op_async = hatake_local_engine_network_op_async;
  iface->network_op_finish = _hatake_local_engine_propagate_json;
  iface->get_images = hatake_local_engine_get_images;
  iface->get_description = hatake_local_engine_get_description;
  iface->pull_async = _hatake_local_engine_pull_async;
  iface->pull_finish = _hatake_local_engine_pull_finish;
  _hatake_local_engine_images_iface_init (iface);
  _hatake_local_engine_push_iface_init (iface);
  _hatake_local_engine_archive_iface_init (iface);
}
