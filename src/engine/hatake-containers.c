/* hatake-containers.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A container lives in containers/<id>/ (config.json: what it was created with; state.json:
 * where it is; upper/ work/ rootfs/: its overlay; bundle/config.json: the OCI spec; ctr.log)
 * and, while it runs, in the runtime's state under /run/hatake/<root-hash>/. conmon writes the
 * exit code to exits/<id>; a GFileMonitor there tells us at once, and when no engine runs
 * conmon's exit command (`hatake system recover`) opens the store and recovery does the rest.
 * Every state change goes through hatake_container_transition(), then to state.json.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "hatake-containers-private.h"
#include "hatake-digest.h"
#include "hatake-manifest.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-layer.h"
#include "hatake-inotify.h"
#include "hatake-log-watch.h"
#include "hatake-oci-spec.h"

G_DEFINE_FINAL_TYPE (HatakeContainers, hatake_containers, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
detaching_free (Detaching *detaching)
{
  g_clear_pointer (&detaching->prepares, g_ptr_array_unref);
  g_free (detaching);
}

static void
entry_free (Entry *entry)
{
  _hatake_containers_fail_early_attaches (entry, _("the container is gone"));
  g_clear_handle_id (&entry->kill_timer, g_source_remove);
  g_clear_handle_id (&entry->restart_timer, g_source_remove);
  _hatake_containers_health_stop (entry);
  g_clear_object (&entry->container);
  hatake_container_config_free (entry->config);
  g_free (entry->image_id);
  g_clear_pointer (&entry->image_config, json_object_unref);
  g_free (entry->dir);
  g_ptr_array_unref (entry->waiters);
  g_ptr_array_unref (entry->stoppers);
  g_free (entry);
}

static void
hatake_containers_dispose (GObject *object)
{
  HatakeContainers *self = (HatakeContainers *) object;

  /* probes under way hold the engine: they end now */
  hatake_containers_set_healthchecks (self, FALSE);
  if (self->exit_watch != NULL)
    g_source_destroy (self->exit_watch);
  g_clear_pointer (&self->exit_watch, g_source_unref);
  hatake_inotify_close (self->exit_watch_fd);
  self->exit_watch_fd = -1;
  if (self->removals == 0)
    _hatake_containers_remove_idle_run_dir (self);
  G_OBJECT_CLASS (hatake_containers_parent_class)->dispose (object);
}

static void
hatake_containers_finalize (GObject *object)
{
  HatakeContainers *self = (HatakeContainers *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->runtime);
  g_clear_pointer (&self->runtimes, g_hash_table_unref);
  g_clear_object (&self->networks);
  g_clear_object (&self->volumes);
  g_clear_object (&self->model);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->settle_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->detaching, g_hash_table_unref);
  g_clear_pointer (&self->pending_names, g_hash_table_unref);
  g_free (self->runtime_note);
  g_clear_pointer (&self->cgroups, hatake_cgroup_layout_unref);
  g_free (self->self_exe);
  g_free (self->exited_exe);
  g_free (self->root);
  g_free (self->deletes_dir);
  g_free (self->run_dir);
  g_free (self->exit_dir);
  G_OBJECT_CLASS (hatake_containers_parent_class)->finalize (object);
}

static void
hatake_containers_class_init (HatakeContainersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hatake_containers_dispose;
  object_class->finalize = hatake_containers_finalize;

  /**
   * HatakeContainers::event:
   * @container: the container
   * @action: docker's action for what an operation did that the container's state does not tell:
   *   "kill", "stop", "restart", "exec_create: CMD", "exec_start: CMD", "exec_die"
   * @attributes: a JSON object node, docker's attributes for it ("signal"; "execID", "exitCode")
   *
   * Emitted on the main context, as the operation happens.
   */
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 3, HATAKE_TYPE_CONTAINER, G_TYPE_STRING, JSON_TYPE_NODE);
}

void
_hatake_containers_event (HatakeContainers *self,
                          HatakeContainer  *container,
                          const char       *action,
                          JsonObject       *attributes)
{
  g_autoptr(JsonObject) object = attributes != NULL ? attributes : json_object_new ();
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  g_signal_emit (self, signals[SIGNAL_EVENT], 0, container, action, node);
}

static void
hatake_containers_init (HatakeContainers *self)
{
  self->model = g_list_store_new (HATAKE_TYPE_CONTAINER);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
  self->runtimes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->settle_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->detaching = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) detaching_free);
  self->pending_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->healthchecks = TRUE;
  self->exit_watch_fd = -1;
}

/* ---- persistence --------------------------------------------------------------------------- */

char *
_hatake_containers_iso_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (usec <= 0)
    return g_strdup ("0001-01-01T00:00:00Z");
  dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup ("0001-01-01T00:00:00Z");
  {
    g_autoptr(GDateTime) precise = g_date_time_add (dt, usec % G_USEC_PER_SEC);
    return g_date_time_format (precise, "%Y-%m-%dT%H:%M:%S.%fZ");
  }
}

static gboolean
write_json_flags (const char *path, JsonNode *node, GFileSetContentsFlags flags, GError **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  gsize length;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &length);
  return g_file_set_contents_full (path, text, length, flags, 0600, error);
}

gboolean
_hatake_containers_write_json (const char *path, JsonNode *node, GError **error)
{
  return write_json_flags (path, node, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, error);
}

/* Written beside PATH and renamed over it: never torn, never half seen, but not fsynced (GLib's
 * CONSISTENT alone fsyncs whenever PATH exists: 1 to 2 ms each time here). For what a crash may
 * leave one step behind: a container's state (recovery asks the runtime anyway), and the files
 * made anew before each start or exec (the bundle's spec, an exec's process). */
gboolean
_hatake_containers_write_json_unsynced (const char *path, JsonNode *node, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.%08x", path, g_random_int ());

  if (!write_json_flags (tmp, node, G_FILE_SET_CONTENTS_NONE, error))
    return FALSE;
  if (g_rename (tmp, path) != 0)
    {
      int errsv = errno;

      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot rename %s: %s"), tmp,
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* Whether a container's config.json may go without fsync: one removed at its exit (--rm), whose
 * config's two fsyncs (the file, the folder) took 1 to 7 ms of every `run --rm`'s create here,
 * unless it has volumes (an anonymous one made for it is removed with it, which only its config
 * tells). Such a folder holds the empty file AUTO_REMOVE_MARK, made before the config: after a
 * power cut set-up rolls back one whose config did not reach the disk whole, as a create that
 * never ended (the container had not outlived the cut). */
#define AUTO_REMOVE_MARK "auto-remove"

static gboolean
config_unsynced (Entry *entry)
{
  if (!entry->config->auto_remove)
    return FALSE;
  for (guint i = 0; entry->config->mounts && i < entry->config->mounts->len; i++)
    if (((HatakeContainerMount *) g_ptr_array_index (entry->config->mounts, i))->type == HATAKE_CONTAINER_MOUNT_VOLUME)
      return FALSE;
  return TRUE;
}

/* config.json: what the container was made with (its networks change it later). */
gboolean
_hatake_containers_save_config (Entry *entry, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = g_build_filename (entry->dir, "config.json", NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Id");
  json_builder_add_string_value (b, hatake_container_get_id (entry->container));
  json_builder_set_member_name (b, "Name");
  json_builder_add_string_value (b, hatake_container_get_name (entry->container));
  json_builder_set_member_name (b, "Created");
  json_builder_add_int_value (b, hatake_container_get_created (entry->container));
  json_builder_set_member_name (b, "ImageId");
  json_builder_add_string_value (b, entry->image_id);
  json_builder_set_member_name (b, "Command");
  json_builder_add_string_value (b, hatake_container_get_command (entry->container));
  if (entry->image_config != NULL)
    {
      JsonNode *image = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (image, entry->image_config);
      json_builder_set_member_name (b, "ImageConfig");
      json_builder_add_value (b, image);
    }
  json_builder_set_member_name (b, "Config");
  json_builder_add_value (b, hatake_container_config_to_json (entry->config));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return config_unsynced (entry) ? _hatake_containers_write_json_unsynced (path, root, error)
                                 : _hatake_containers_write_json (path, root, error);
}

void
_hatake_containers_save_state (HatakeContainers *self, Entry *entry)
{
  HatakeContainer *c = entry->container;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (entry->dir, "state.json", NULL);

  if (hatake_container_get_state (c) == HATAKE_CONTAINER_REMOVED)
    return;
  /* A container removed at its exit (--rm) records neither the exit nor the removal: its folder
   * leaves containers/ a moment later, and each save renamed a file over another on the main
   * loop (0.2 to 6 ms here, ext4 flushing the new one). After a crash in between, the saved
   * "running" and the exit file (or conmon's absence) lead to the same exit and removal. */
  if (entry->removed_at_exit && (hatake_container_get_state (c) == HATAKE_CONTAINER_EXITED ||
                                 hatake_container_get_state (c) == HATAKE_CONTAINER_REMOVING))
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Status");
  json_builder_add_string_value (b, hatake_container_state_to_string (hatake_container_get_state (c)));
  json_builder_set_member_name (b, "ExitCode");
  json_builder_add_int_value (b, hatake_container_get_exit_code (c));
  json_builder_set_member_name (b, "Pid");
  json_builder_add_int_value (b, hatake_container_get_pid (c));
  json_builder_set_member_name (b, "StartedAt");
  json_builder_add_int_value (b, hatake_container_get_started_at (c));
  json_builder_set_member_name (b, "FinishedAt");
  json_builder_add_int_value (b, hatake_container_get_finished_at (c));
  json_builder_set_member_name (b, "RestartCount");
  json_builder_add_int_value (b, hatake_container_get_restart_count (c));
  json_builder_set_member_name (b, "OOMKilled");
  json_builder_add_boolean_value (b, hatake_container_get_oom_killed (c));
  json_builder_set_member_name (b, "Error");
  json_builder_add_string_value (b, hatake_container_get_error (c) ? hatake_container_get_error (c) : "");
  json_builder_set_member_name (b, "StoppedByUser");
  json_builder_add_boolean_value (b, entry->stopped_by_user);
  json_builder_set_member_name (b, "RemovalRequested");
  json_builder_add_boolean_value (b, entry->removal_requested);
  json_builder_set_member_name (b, "RemoveVolumes");
  json_builder_add_boolean_value (b, entry->remove_volumes);
  json_builder_set_member_name (b, "Name");
  json_builder_add_string_value (b, hatake_container_get_name (c));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  /* A few hundred bytes, renamed into place: never torn. Not fsynced: after a crash recovery asks
   * the runtime anyway, so a state that lags one step behind is corrected at the next start. But
   * "removing" is what lets an interrupted `rm` finish after a crash, once the folder is renamed
   * away: durable, unless the container goes by itself anyway (--rm). */
  /* A full disk is the usual cause: the host's condition, not the engine's bug, so said as a
   * message (a warning aborted `hatake serve` under G_DEBUG=fatal-warnings, mid-removal); the
   * state in memory goes on, and recovery corrects the file from the runtime later. */
  if (hatake_container_get_state (c) == HATAKE_CONTAINER_REMOVING && !entry->config->auto_remove
        ? !write_json_flags (path, root, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, &error)
        : !_hatake_containers_write_json_unsynced (path, root, &error))
    g_message ("Cannot save the state of %s: %s", hatake_container_get_id (c), error->message);
}

/* Moves the container to a state and records it; the one place the engine changes states. */
gboolean
_hatake_containers_set_state (HatakeContainers *self, Entry *entry, HatakeContainerState to, GError **error)
{
  HatakeContainerState from = hatake_container_get_state (entry->container);

  if (!hatake_container_transition (entry->container, to, error))
    return FALSE;
  _hatake_containers_save_state (self, entry);
  _hatake_containers_health_follow (self, entry, from);
  return TRUE;
}

char *
_hatake_containers_entry_path (Entry *entry, const char *name)
{
  return g_build_filename (entry->dir, name, NULL);
}

/* conmon's --persist-dir (its copy of the exit code, the oom mark), in the run dir */
char *
_hatake_containers_persist_dir (HatakeContainers *self, const char *id)
{
  return g_build_filename (self->run_dir, "persist", id, NULL);
}

/* ---- set-up -------------------------------------------------------------------------------- */

static gboolean
load_entry (HatakeContainers *self, const char *id, GError **error)
{
  g_autofree char *dir = g_build_filename (self->root, "containers", id, NULL);
  g_autofree char *config_path = g_build_filename (dir, "config.json", NULL);
  g_autofree char *state_path = g_build_filename (dir, "state.json", NULL);
  g_autoptr(JsonParser) cp = json_parser_new ();
  g_autoptr(JsonParser) sp = json_parser_new ();
  JsonObject *co, *so;
  HatakeContainerState state = HATAKE_CONTAINER_CREATED;
  Entry *entry;

  if (!json_parser_load_from_file (cp, config_path, error))
    return FALSE;
  if (!hatake_json_root_is (cp, JSON_NODE_OBJECT))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("%s holds no JSON object"), config_path);
      return FALSE;
    }
  co = json_node_get_object (json_parser_get_root (cp));
  entry = g_new0 (Entry, 1);
  entry->dir = g_steal_pointer (&dir);
  entry->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  entry->stoppers = g_ptr_array_new_with_free_func (g_object_unref);
  entry->image_id = g_strdup (json_object_get_string_member_with_default (co, "ImageId", NULL));
  if (hatake_json_object_member (co, "ImageConfig") != NULL)
    entry->image_config = json_object_ref (hatake_json_object_member (co, "ImageConfig"));
  entry->config = hatake_container_config_from_json (json_object_get_member (co, "Config"), NULL);
  if (entry->config == NULL)
    entry->config = hatake_container_config_new ();
  entry->container = hatake_container_new (id, json_object_get_string_member_with_default (co, "Name", id));
  hatake_container_set_image (entry->container, entry->config->image);
  hatake_container_set_image_id (entry->container, entry->image_id);
  hatake_container_set_labels (entry->container, (const char * const *) entry->config->labels);
  hatake_container_set_command (entry->container, json_object_get_string_member_with_default (co, "Command", ""));
  hatake_container_set_created (entry->container, json_object_get_int_member_with_default (co, "Created", 0));

  if (json_parser_load_from_file (sp, state_path, NULL) && hatake_json_root_is (sp, JSON_NODE_OBJECT))
    {
      so = json_node_get_object (json_parser_get_root (sp));
      hatake_container_state_from_string (json_object_get_string_member_with_default (so, "Status", "created"),
                                          &state);
      hatake_container_set_exit_code (entry->container, json_object_get_int_member_with_default (so, "ExitCode", 0));
      hatake_container_set_pid (entry->container, json_object_get_int_member_with_default (so, "Pid", 0));
      hatake_container_set_started_at (entry->container, json_object_get_int_member_with_default (so, "StartedAt", 0));
      hatake_container_set_finished_at (entry->container, json_object_get_int_member_with_default (so, "FinishedAt", 0));
      hatake_container_set_restart_count (entry->container, json_object_get_int_member_with_default (so, "RestartCount", 0));
      hatake_container_set_oom_killed (entry->container, json_object_get_boolean_member_with_default (so, "OOMKilled", FALSE));
      hatake_container_set_error (entry->container, json_object_get_string_member_with_default (so, "Error", NULL));
      entry->stopped_by_user = json_object_get_boolean_member_with_default (so, "StoppedByUser", FALSE);
      entry->removal_requested = json_object_get_boolean_member_with_default (so, "RemovalRequested", FALSE);
      entry->remove_volumes = json_object_get_boolean_member_with_default (so, "RemoveVolumes", FALSE);
      if (json_object_has_member (so, "Name"))
        hatake_container_set_name (entry->container, json_object_get_string_member (so, "Name"));
    }
  /* Walk the table from created to the recorded state, so even loading obeys it. */
  {
    static const HatakeContainerState path_running[] = { HATAKE_CONTAINER_RUNNING };
    static const HatakeContainerState path_paused[] = { HATAKE_CONTAINER_RUNNING, HATAKE_CONTAINER_PAUSED };
    static const HatakeContainerState path_restarting[] = { HATAKE_CONTAINER_RUNNING, HATAKE_CONTAINER_RESTARTING };
    static const HatakeContainerState path_exited[] = { HATAKE_CONTAINER_EXITED };
    static const HatakeContainerState path_dead[] = { HATAKE_CONTAINER_DEAD };
    const HatakeContainerState *path = NULL;
    guint n = 0;

    switch (state)
      {
      case HATAKE_CONTAINER_CREATED: break;
      case HATAKE_CONTAINER_RUNNING: path = path_running; n = 1; break;
      case HATAKE_CONTAINER_PAUSED: path = path_paused; n = 2; break;
      case HATAKE_CONTAINER_RESTARTING: path = path_restarting; n = 2; break;
      case HATAKE_CONTAINER_EXITED: path = path_exited; n = 1; break;
      /* a removal that was interrupted: dead, which recovery removes */
      case HATAKE_CONTAINER_REMOVING:
      case HATAKE_CONTAINER_REMOVED:
      case HATAKE_CONTAINER_DEAD: path = path_dead; n = 1; break;
      default: g_assert_not_reached ();
      }
    for (guint i = 0; i < n; i++)
      hatake_container_transition (entry->container, path[i], NULL);
  }
  g_hash_table_insert (self->entries, (gpointer) hatake_container_get_id (entry->container), entry);
  g_list_store_append (self->model, entry->container);
  return TRUE;
}

/* conmon renames each exit file into place. A GFileMonitor passed that on up to 100 ms late (GLib
 * batches inotify events once they come quickly), and every `run --rm` waited for it: the exit
 * folder has an inotify descriptor of its own, polled by the main loop, read the moment it
 * wakes. */
static gboolean
on_exit_events (int fd, GIOCondition condition, gpointer user_data)
{
  HatakeContainers *self = user_data;
  char buffer[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gboolean overflow = FALSE;
  ssize_t n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    for (char *p = buffer; p < buffer + n;)
      {
        const struct inotify_event *event = (const struct inotify_event *) p;

        if (event->mask & IN_Q_OVERFLOW)
          overflow = TRUE;
        else if (event->len > 0 && g_hash_table_contains (self->entries, event->name))
          g_ptr_array_add (ids, g_strdup (event->name));
        p += sizeof (struct inotify_event) + event->len;
      }
  if (overflow)
    {
      /* events were lost: every container that runs looks at its exit file */
      GHashTableIter iter;
      gpointer id;

      g_hash_table_iter_init (&iter, self->entries);
      while (g_hash_table_iter_next (&iter, &id, NULL))
        g_ptr_array_add (ids, g_strdup (id));
    }
  /* (an exit may remove its container: looked up again each time) */
  for (guint i = 0; i < ids->len; i++)
    {
      Entry *entry = g_hash_table_lookup (self->entries, g_ptr_array_index (ids, i));

      if (entry != NULL)
        _hatake_containers_handle_exit (self, entry);
    }
  return G_SOURCE_CONTINUE;
}

/* conmon's exit command, hatake-exited: beside hatake (a build tree), else in libexecdir */
static char *
find_exited_exe (const char *self_exe)
{
  g_autofree char *dir = self_exe ? g_path_get_dirname (self_exe) : NULL;
  g_autofree char *beside = dir ? g_build_filename (dir, "hatake-exited", NULL) : NULL;

  if (self_exe == NULL)
    return NULL;
  if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);
  if (g_file_test (LIBEXECDIR "/hatake-exited", G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (LIBEXECDIR "/hatake-exited");
  return NULL;
}

HatakeContainers *
hatake_containers_new (HatakeStore   *store,
                       HatakeConfig  *config,
                       const char    *self_exe,
                       GError       **error)
{
  g_autoptr(HatakeContainers) self = g_object_new (HATAKE_TYPE_CONTAINERS, NULL);
  g_autofree char *hash = NULL;
  g_autofree char *containers_dir = NULL;
  g_autofree char *state_root = NULL;
  g_autofree char *socket_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  self->store = g_object_ref (store);
  self->config = config;
  self->self_exe = g_strdup (self_exe);
  self->exited_exe = find_exited_exe (self_exe);
  self->root = g_strdup (hatake_store_get_root (store));
  self->deletes_dir = g_build_filename (self->root, "runtime-deletes", NULL);
  self->volumes = hatake_volumes_new (self->root);

  hash = hatake_sha256_data (self->root, strlen (self->root));
  self->run_dir = g_build_filename (geteuid () == 0 ? "/run/hatake" : g_get_user_runtime_dir (),
                                    geteuid () == 0 ? "" : "hatake", NULL);
  {
    g_autofree char *base = g_steal_pointer (&self->run_dir);
    g_autofree char *short_hash = g_strndup (hash + 7, 12);
    self->run_dir = g_build_filename (base, short_hash, NULL);
  }
  self->exit_dir = g_build_filename (self->run_dir, "exits", NULL);
  self->networks = hatake_networks_new (self->root, self->run_dir);
  state_root = g_build_filename (self->run_dir, "runtime", NULL);
  socket_dir = g_build_filename (self->run_dir, "socket", NULL);
  containers_dir = g_build_filename (self->root, "containers", NULL);
  if (g_mkdir_with_parents (self->exit_dir, 0700) != 0 || g_mkdir_with_parents (containers_dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot create %s: %s"),
                   self->exit_dir, g_strerror (errsv));
      return NULL;
    }

  _hatake_containers_set_up_runtime (self, state_root, socket_dir);

  dir = g_dir_open (containers_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *config_path = g_build_filename (containers_dir, name, "config.json", NULL);

      g_autofree char *path = g_build_filename (containers_dir, name, NULL);
      g_autofree char *mark = NULL;

      /* config.json is written last by create: a folder without it is a create that was killed
       * half way, rolled back here */
      if (!g_file_test (config_path, G_FILE_TEST_EXISTS))
        {
          g_debug ("Rolling back the interrupted creation of %s", name);
          hatake_rm_rf (path, NULL);
          continue;
        }
      if (load_entry (self, name, &local_error))
        continue;
      /* so is a --rm container's whose config, written without fsync, a power cut cut short */
      mark = g_build_filename (path, AUTO_REMOVE_MARK, NULL);
      if (g_file_test (mark, G_FILE_TEST_EXISTS))
        {
          g_debug ("Rolling back %s, removed at its exit, whose config is lost: %s", name, local_error->message);
          hatake_rm_rf (path, NULL);
          continue;
        }
      g_warning ("Container %s is unreadable and left out: %s", name, local_error->message);
    }

  /* conmon renames the file into place (IN_MOVED_TO); one written in place ends with a close */
  self->exit_watch_fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (self->exit_watch_fd < 0 ||
      inotify_add_watch (self->exit_watch_fd, self->exit_dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot watch %s for exits: %s"),
                   self->exit_dir, g_strerror (errsv));
      return NULL;
    }
  self->exit_watch = g_unix_fd_source_new (self->exit_watch_fd, G_IO_IN);
  g_source_set_callback (self->exit_watch, G_SOURCE_FUNC (on_exit_events), self, NULL);
  g_source_set_static_name (self->exit_watch, "[hatake] container exits");
  g_source_attach (self->exit_watch, g_main_context_get_thread_default ());
  return g_steal_pointer (&self);
}

HatakeNetworks *
hatake_containers_get_networks (HatakeContainers *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINERS (self), NULL);

  return self->networks;
}

/* The networks named by some container (running or not), as a set of names. */
GHashTable *
hatake_containers_networks_in_use (HatakeContainers *self)
{
  GHashTable *used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      if (entry->config->network_mode != NULL)
        g_hash_table_add (used, g_strdup (entry->config->network_mode));
      for (guint i = 0; i < entry->config->networks->len; i++)
        g_hash_table_add (used, g_strdup (((HatakeNetworkEndpoint *) g_ptr_array_index (entry->config->networks, i))->network));
    }
  return used;
}

GListModel *
hatake_containers_get_model (HatakeContainers *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINERS (self), NULL);
  return G_LIST_MODEL (self->model);
}

const char *
hatake_containers_get_run_dir (HatakeContainers *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINERS (self), NULL);
  return self->run_dir;
}

const char *
hatake_containers_get_runtime_note (HatakeContainers *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINERS (self), NULL);
  return self->runtime_note;
}

/* A full ID, a name (with or without docker's leading '/'), or a unique ID prefix. */
HatakeContainer *
hatake_containers_lookup (HatakeContainers  *self,
                          const char        *id_or_name,
                          GError           **error)
{
  GHashTableIter iter;
  Entry *entry, *found = NULL;
  const char *name = id_or_name[0] == '/' ? id_or_name + 1 : id_or_name;
  guint matches = 0;

  entry = g_hash_table_lookup (self->entries, id_or_name);
  if (entry != NULL)
    return g_object_ref (entry->container);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (g_str_equal (hatake_container_get_name (entry->container), name))
      return g_object_ref (entry->container);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (*id_or_name != '\0' && g_str_has_prefix (hatake_container_get_id (entry->container), id_or_name))
      {
        found = entry;
        matches++;
      }
  if (matches == 1)
    return g_object_ref (found->container);
  if (matches > 1)
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                 _("multiple containers match the prefix “%s”"), id_or_name);
  else
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such container: %s"), id_or_name);
  return NULL;
}

gboolean
hatake_containers_image_in_use (HatakeContainers *self,
                                const char       *image_id)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (g_strcmp0 (entry->image_id, image_id) == 0)
      return TRUE;
  return FALSE;
}

/* Names of the containers that mount the volume. */
GStrv
hatake_containers_volume_users (HatakeContainers *self,
                                const char       *volume)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    for (guint i = 0; entry->config->mounts && i < entry->config->mounts->len; i++)
      {
        HatakeContainerMount *m = g_ptr_array_index (entry->config->mounts, i);
        if (m->type == HATAKE_CONTAINER_MOUNT_VOLUME && g_strcmp0 (m->source, volume) == 0)
          {
            g_strv_builder_add (b, hatake_container_get_name (entry->container));
            break;
          }
      }
  return g_strv_builder_end (b);
}

/* Volume name → how many containers mount it (GUINT_TO_POINTER), for every volume in use. */
GHashTable *
hatake_containers_volume_counts (HatakeContainers *self)
{
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; entry->config->mounts && i < entry->config->mounts->len; i++)
        {
          HatakeContainerMount *m = g_ptr_array_index (entry->config->mounts, i);

          /* (a container that mounts one volume twice is one user, as in volume_users) */
          if (m->type != HATAKE_CONTAINER_MOUNT_VOLUME || m->source == NULL || !g_hash_table_add (seen, m->source))
            continue;
          g_hash_table_insert (counts, g_strdup (m->source),
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, m->source)) + 1));
        }
    }
  return g_steal_pointer (&counts);
}

HatakeVolumes *
hatake_containers_get_volumes (HatakeContainers *self)
{
  return self->volumes;
}

Entry *
_hatake_containers_entry_for (HatakeContainers *self, HatakeContainer *container)
{
  return g_hash_table_lookup (self->entries, hatake_container_get_id (container));
}

/* ---- names --------------------------------------------------------------------------------- */

static gboolean
name_is_valid (const char *name)
{
  /* docker's [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
  if (name == NULL || !g_ascii_isalnum (name[0]) || name[1] == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
name_taken (HatakeContainers *self, const char *name, HatakeContainer *except)
{
  GHashTableIter iter;
  Entry *entry;

  if (g_hash_table_contains (self->pending_names, name))
    return TRUE;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->container != except && g_str_equal (hatake_container_get_name (entry->container), name))
      return TRUE;
  return FALSE;
}

static char *
generate_name (HatakeContainers *self)
{
  static const char * const left[] = { "brave", "calm", "eager", "gentle", "happy", "keen", "lucid",
                                       "nimble", "quiet", "swift", "tender", "vivid", "wise", "zen" };
  static const char * const right[] = { "aster", "birch", "cedar", "daikon", "edamame", "fern", "ginkgo",
                                        "hatake", "iris", "juniper", "kale", "lotus", "maple", "nori" };

  for (;;)
    {
      g_autofree char *name = g_strdup_printf ("%s_%s", left[g_random_int_range (0, G_N_ELEMENTS (left))],
                                               right[g_random_int_range (0, G_N_ELEMENTS (right))]);
      if (!name_taken (self, name, NULL))
        return g_steal_pointer (&name);
      if (g_random_int_range (0, 4) == 0)
        {
          g_autofree char *numbered = g_strdup_printf ("%s%u", name, g_random_int_range (1, 100));
          if (!name_taken (self, numbered, NULL))
            return g_steal_pointer (&numbered);
        }
    }
}

gboolean
hatake_containers_rename (HatakeContainers  *self,
                          HatakeContainer   *container,
                          const char        *name,
                          GError           **error)
{
  Entry *entry = _hatake_containers_entry_for (self, container);
  const char *clean = name[0] == '/' ? name + 1 : name;

  if (!name_is_valid (clean))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"), clean);
      return FALSE;
    }
  if (name_taken (self, clean, container))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                   _("Conflict. The container name \"/%s\" is already in use"), clean);
      return FALSE;
    }
  hatake_container_set_name (container, clean);
  _hatake_containers_save_state (self, entry);
  return TRUE;
}

/* ---- create -------------------------------------------------------------------------------- */

static char *
command_text (JsonObject *image_config, const HatakeContainerConfig *c)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_auto(GStrv) entrypoint = NULL;
  g_auto(GStrv) cmd = NULL;

  /* (the image config's shapes were checked when it was read) */
  hatake_json_strv_member (image_config, "Entrypoint", TRUE, &entrypoint, NULL);
  hatake_json_strv_member (image_config, "Cmd", TRUE, &cmd, NULL);
  if (c->entrypoint != NULL)
    for (guint i = 0; c->entrypoint[i]; i++)
      g_ptr_array_add (words, c->entrypoint[i]);
  else
    for (guint i = 0; entrypoint != NULL && entrypoint[i]; i++)
      g_ptr_array_add (words, entrypoint[i]);
  if (c->cmd != NULL && c->cmd[0] != NULL)
    for (guint i = 0; c->cmd[i]; i++)
      g_ptr_array_add (words, c->cmd[i]);
  else if (c->entrypoint == NULL)
    for (guint i = 0; cmd != NULL && cmd[i]; i++)
      g_ptr_array_add (words, cmd[i]);
  g_ptr_array_add (words, NULL);
  return g_strjoinv (" ", (char **) words->pdata);
}

JsonObject *
_hatake_containers_read_image_config (HatakeStore *store, const char *image_id, GError **error)
{
  g_autoptr(GBytes) bytes = hatake_store_read_blob (store, image_id, HATAKE_MAX_CONFIG_SIZE, error);
  g_autoptr(HatakeImageConfig) config = NULL;
  JsonObject *root;

  if (bytes == NULL || (config = hatake_image_config_parse (bytes, error)) == NULL)
    return NULL;
  root = json_node_get_object (config->root);
  if (json_object_has_member (root, "config") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "config")))
    return json_object_ref (json_object_get_object_member (root, "config"));
  return json_object_new ();
}

/* What of the image's config docker's inspect merges into a container's (kept with it: the
 * image may go, or be tagged anew) */
static JsonObject *
image_defaults (JsonObject *image_config)
{
  static const char * const keys[] = { "User", "Env", "Cmd", "Entrypoint", "WorkingDir", "ExposedPorts", "Volumes",
                                       "Labels", "StopSignal" };
  JsonObject *kept = json_object_new ();

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *node = json_object_get_member (image_config, keys[i]);

      if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
        json_object_set_member (kept, keys[i], json_node_copy (node));
    }
  return kept;
}

typedef struct
{
  HatakeStore           *store;
  HatakeVolumes         *volumes;
  char                  *root;
  char                  *id;
  char                  *name;
  char                  *image_id;
  HatakeContainerConfig *config;
  Entry                 *entry;     /* made by the worker, handed to the main thread */
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->volumes);
  g_free (data->root);
  g_free (data->id);
  g_free (data->name);
  g_free (data->image_id);
  hatake_container_config_free (data->config);
  if (data->entry != NULL)
    entry_free (data->entry);
  g_free (data);
}

/* Blocking: the image's config, volumes, the container's folder and its config.json. */
static void
create_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  CreateData *data = task_data;
  g_autoptr(JsonObject) image_config = NULL;
  g_autofree char *command = NULL;
  g_auto(GStrv) volumes = NULL;
  g_autoptr(JsonArray) devices = NULL;
  g_autoptr(JsonArray) device_rules = NULL;
  g_autoptr(JsonObject) limits = NULL;
  GError *error = NULL;
  Entry *entry;

  image_config = _hatake_containers_read_image_config (data->store, data->image_id, &error);
  if (image_config == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* refused before anything exists: an image volume that climbs out of the root */
  volumes = hatake_oci_spec_image_volumes (image_config, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* refused at create, as docker does, rather than at the first start (a device: checked again
   * at each start, it may have gone) */
  devices = hatake_oci_spec_devices ((const char * const *) data->config->devices, &device_rules, &error);
  limits = devices == NULL ? NULL : hatake_oci_spec_limits (data->config->memory, data->config->memory_swap,
                                                            data->config->cpu_shares, data->config->cpus,
                                                            data->config->cpuset_cpus, data->config->cpuset_mems,
                                                            data->config->pids_limit, &error);
  if (devices == NULL || limits == NULL ||
      !hatake_oci_spec_check_sysctls ((const char * const *) data->config->sysctls,
                                      g_strcmp0 (data->config->network_mode, "host") == 0,
                                      g_strcmp0 (data->config->ipc_mode, "host") == 0, &error) ||
      !hatake_container_config_check_namespaces (data->config, &error) ||
      !_hatake_containers_check_host_entries (data->config, &error) ||
      !hatake_oci_spec_check_ulimits ((const char * const *) data->config->ulimits, &error) ||
      !hatake_oci_spec_check_oom_score_adj (data->config->oom_score_adj, &error) ||
      !hatake_container_config_security (data->config, &(gboolean) { FALSE }, &(gboolean) { FALSE }, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  command = command_text (image_config, data->config);
  if (*command == '\0')
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("no command specified"));
      return;
    }

  entry = g_new0 (Entry, 1);
  entry->dir = g_build_filename (data->root, "containers", data->id, NULL);
  entry->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  entry->stoppers = g_ptr_array_new_with_free_func (g_object_unref);
  entry->image_id = g_strdup (data->image_id);
  entry->config = hatake_container_config_copy (data->config);
  entry->image_config = image_defaults (image_config);
  _hatake_containers_health_merge_image (entry->config, image_config);
  g_free (entry->config->name);
  entry->config->name = g_strdup (data->name);
  entry->container = hatake_container_new (data->id, data->name);
  hatake_container_set_image (entry->container, data->config->image);
  hatake_container_set_image_id (entry->container, data->image_id);
  hatake_container_set_labels (entry->container, (const char * const *) data->config->labels);
  hatake_container_set_command (entry->container, command);
  hatake_container_set_created (entry->container, g_get_real_time ());
  data->entry = entry;

  /* The image's declared volumes become anonymous volumes, unless a mount covers them. */
  for (guint i = 0; volumes && volumes[i]; i++)
    {
      gboolean covered = FALSE;
      for (guint j = 0; j < entry->config->mounts->len; j++)
        {
          HatakeContainerMount *m = g_ptr_array_index (entry->config->mounts, j);
          g_autofree char *clean = hatake_oci_spec_clean_path (m->target);
          covered |= g_strcmp0 (clean, volumes[i]) == 0;
        }
      if (!covered)
        hatake_container_config_add_mount (entry->config, HATAKE_CONTAINER_MOUNT_VOLUME, NULL, volumes[i], FALSE);
    }
  /* Volumes exist from create on, named ones made when missing, as docker does. */
  for (guint j = 0; j < entry->config->mounts->len; j++)
    {
      HatakeContainerMount *m = g_ptr_array_index (entry->config->mounts, j);
      char *volume;
      if (m->type != HATAKE_CONTAINER_MOUNT_VOLUME)
        continue;
      volume = hatake_volumes_ensure (data->volumes, m->source, NULL, NULL, m->source == NULL, NULL, &error);
      if (volume == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_free (m->source);
      m->source = volume;
    }

  /* config.json is written before the container exists anywhere else: a create killed half way
   * leaves a folder without it, which the next start rolls back */
  if (g_mkdir_with_parents (entry->dir, 0700) != 0)
    {
      int errsv = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv), "%s", g_strerror (errsv));
      return;
    }
  if (config_unsynced (entry))
    {
      g_autofree char *mark = g_build_filename (entry->dir, AUTO_REMOVE_MARK, NULL);
      int fd = g_creat (mark, 0600);
      if (fd < 0)
        {
          int errsv = errno;
          hatake_rm_rf (entry->dir, NULL);
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot create %s: %s"), mark,
                                   g_strerror (errsv));
          return;
        }
      close (fd);
    }
  if (!_hatake_containers_save_config (entry, &error))
    {
      hatake_rm_rf (entry->dir, NULL);
      g_task_return_error (task, error);
      return;
    }
  _hatake_containers_save_state (NULL, entry);
  g_task_return_boolean (task, TRUE);
}

static void
on_create_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeContainers *self = g_task_get_source_object (task);
  CreateData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  Entry *entry;

  g_hash_table_remove (self->pending_names, data->name);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  entry = g_steal_pointer (&data->entry);
  g_hash_table_insert (self->entries, (gpointer) hatake_container_get_id (entry->container), entry);
  g_list_store_append (self->model, entry->container);
  g_task_return_pointer (task, g_object_ref (entry->container), g_object_unref);
}

/* A network's name, not "none", "host" or another container's namespace. */
static gboolean
network_mode_is_network (const char *mode)
{
  return mode != NULL && *mode != '\0' && !g_str_equal (mode, "none") && !g_str_equal (mode, "host") &&
         !g_str_has_prefix (mode, "container:");
}

void
hatake_containers_create_async (HatakeContainers            *self,
                                const HatakeContainerConfig *config,
                                const char                  *image_id,
                                GCancellable                *cancellable,
                                GAsyncReadyCallback          callback,
                                gpointer                     user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) worker = NULL;
  g_autofree char *name = NULL;
  CreateData *data;

  g_task_set_source_tag (task, hatake_containers_create_async);
  /* a start follows at once more often than not (docker run): the runtime's cgroup.procs wait,
   * taken ahead from here, is over sooner */
  hatake_cgroups_warm_attach (self->cgroups);

  /* (the command line refuses --rm with --restart itself; a client of the API is told as
   * dockerd tells it) */
  if (config->auto_remove && config->restart != HATAKE_RESTART_NO)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("can't create 'AutoRemove' container with restart policy"));
      return;
    }
  /* a runtime that cannot run it here is said now, not at its start (docker: 400) */
  if (config->runtime != NULL && *config->runtime != '\0')
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = _hatake_containers_resolve_runtime (self, config->runtime, &error);

      if (path == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", error->message);
          return;
        }
    }
  /* names are decided here, on the main thread, and held until the create is done */
  if (config->name != NULL)
    {
      const char *clean = config->name[0] == '/' ? config->name + 1 : config->name;
      if (!name_is_valid (clean))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"), clean);
          return;
        }
      if (name_taken (self, clean, NULL))
        {
          g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                                   _("Conflict. The container name \"/%s\" is already in use"), clean);
          return;
        }
      name = g_strdup (clean);
    }
  else
    name = generate_name (self);
  g_hash_table_add (self->pending_names, g_strdup (name));

  data = g_new0 (CreateData, 1);
  data->store = g_object_ref (self->store);
  data->volumes = g_object_ref (self->volumes);
  data->root = g_strdup (self->root);
  data->name = g_steal_pointer (&name);
  data->image_id = g_strdup (image_id);
  data->config = hatake_container_config_copy (config);
  /* its networks: network_mode's, unless others were given */
  if (data->config->networks->len == 0 && network_mode_is_network (data->config->network_mode))
    g_ptr_array_add (data->config->networks, hatake_network_endpoint_new (data->config->network_mode, NULL, NULL));
  else if (data->config->networks->len > 0 && !network_mode_is_network (data->config->network_mode))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                               _("conflicting options: network mode %s and networks to connect to"),
                               data->config->network_mode ? data->config->network_mode : "");
      g_hash_table_remove (self->pending_names, data->name);
      create_data_free (data);
      return;
    }
  {
    GString *hex = g_string_new (NULL);
    for (guint i = 0; i < 32; i++)
      g_string_append_printf (hex, "%02x", g_random_int_range (0, 256));
    data->id = g_string_free (hex, FALSE);
  }
  worker = g_task_new (self, cancellable, on_create_done, g_steal_pointer (&task));
  g_task_set_source_tag (worker, hatake_containers_create_async);
  g_task_set_task_data (worker, data, (GDestroyNotify) create_data_free);
  g_task_run_in_thread (worker, create_thread);
}

HatakeContainer *
hatake_containers_create_finish (HatakeContainers  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- signals ------------------------------------------------------------------------------- */

int
hatake_signal_parse (const char *text)
{
  static const struct { const char *name; int number; } names[] = {
    { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL }, { "TRAP", SIGTRAP },
    { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
    { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
    { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
    { "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
    { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
  };
  const char *name = text;
  guint64 n;

  if (text == NULL || *text == '\0')
    return -1;
  if (g_ascii_string_to_unsigned (text, 10, 1, 64, &n, NULL))
    return (int) n;
  if (g_ascii_strncasecmp (name, "SIG", 3) == 0)
    name += 3;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i].name) == 0)
      return names[i].number;
  return -1;
}

/* ---- exits, restart policies, --rm --------------------------------------------------------- */


static gboolean
restart_due (Entry *entry)
{
  HatakeContainerConfig *c = entry->config;
  int code = hatake_container_get_exit_code (entry->container);

  if (entry->stopped_by_user)
    return FALSE;
  switch (c->restart)
    {
    case HATAKE_RESTART_NO: return FALSE;
    case HATAKE_RESTART_ALWAYS: return TRUE;
    case HATAKE_RESTART_UNLESS_STOPPED: return TRUE;
    case HATAKE_RESTART_ON_FAILURE:
      return code != 0 && (c->restart_max == 0 || hatake_container_get_restart_count (entry->container) < c->restart_max);
    default: g_assert_not_reached ();
    }
}

static void
on_restarted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) && error != NULL)
    g_message ("Restarting a container failed: %s", error->message);
}

gboolean
_hatake_containers_do_restart (gpointer user_data)
{
  HatakeContainer *container = user_data;
  HatakeContainers *self = g_object_get_data (G_OBJECT (container), "hatake-containers");
  Entry *entry = self ? _hatake_containers_entry_for (self, container) : NULL;
  GTask *task;

  if (entry == NULL)
    return G_SOURCE_REMOVE;
  entry->restart_timer = 0;
  if (hatake_container_get_state (container) != HATAKE_CONTAINER_RESTARTING)
    return G_SOURCE_REMOVE;
  hatake_container_set_restart_count (container, hatake_container_get_restart_count (container) + 1);
  task = g_task_new (self, NULL, on_restarted, NULL);
  g_task_set_source_tag (task, _hatake_containers_do_restart);
  _hatake_containers_start_entry (self, entry, task);
  return G_SOURCE_REMOVE;
}

void
_hatake_containers_on_runtime_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error))
    g_debug ("runtime delete: %s", error->message);
}

static void
on_exited_forced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error))
    g_debug ("runtime delete --force of %s: %s", (const char *) g_task_get_task_data (task), error->message);
  g_task_return_boolean (task, TRUE);
}

static void
on_exited_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *id = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error) ||
      g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_debug ("runtime delete of %s: %s; forced now", id, error->message);
  hatake_runtime_delete_async (HATAKE_RUNTIME (source), id, TRUE, NULL, on_exited_forced, g_steal_pointer (&task));
}

/* Without --force: a container with a PID namespace of its own has no process left once it has
 * exited (one with the host's had them killed), and crun's forced delete would freeze and thaw
 * the empty cgroup for nothing — on cgroup v1 each freezer write patches the kernel's text on
 * every CPU (8% of hatake serve's time under `docker run --rm` in a loop, perf). Should it fail,
 * the forced one follows. */
void
_hatake_containers_delete_exited_async (HatakeContainers    *self,
                                        const char          *id,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  /* (the runtime's task: the containers are not held until it is done) */
  HatakeRuntime *runtime = _hatake_containers_runtime_for_id (self, id);
  GTask *task = g_task_new (runtime, NULL, callback, user_data);

  g_task_set_source_tag (task, _hatake_containers_delete_exited_async);
  g_task_set_task_data (task, g_strdup (id), g_free);
  hatake_runtime_delete_async (runtime, id, FALSE, NULL, on_exited_deleted, task);
}

JsonNode *
_hatake_containers_status_code_node (int code)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "StatusCode");
  json_builder_add_int_value (b, code);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
_hatake_containers_complete_waiters (Entry *entry, int code)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&entry->waiters);

  entry->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    g_task_return_pointer (g_ptr_array_index (waiters, i), _hatake_containers_status_code_node (code), (GDestroyNotify) json_node_unref);
}

typedef struct
{
  HatakeContainers *self;
  HatakeContainer  *container;
} ExitKill;

static void
on_exit_killed_all (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ExitKill *pending = user_data;
  Entry *entry = _hatake_containers_entry_for (pending->self, pending->container);
  g_autoptr(GError) error = NULL;

  /* (the runtime's delete, which follows, kills what is left: runc's, crun's too) */
  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error))
    g_debug ("runtime kill --all of %s: %s", hatake_container_get_id (pending->container), error->message);
  if (entry != NULL && entry->exit_kill == EXIT_KILL_RUNNING)
    {
      entry->exit_kill = EXIT_KILL_DONE;
      _hatake_containers_handle_exit (pending->self, entry);
    }
  _hatake_containers_work_done (pending->self);
  g_object_unref (pending->container);
  g_object_unref (pending->self);
  g_free (pending);
}

void
_hatake_containers_handle_exit (HatakeContainers *self, Entry *entry)
{
  HatakeContainer *c = entry->container;
  const char *id = hatake_container_get_id (c);
  g_autofree char *exit_file = g_build_filename (self->exit_dir, id, NULL);
  g_autofree char *persist_dir = _hatake_containers_persist_dir (self, id);
  g_autofree char *oom_file = g_build_filename (persist_dir, "oom", NULL);
  g_autofree char *old_oom_file = _hatake_containers_entry_path (entry, "oom");
  g_autofree char *rootfs = _hatake_containers_entry_path (entry, "rootfs");
  g_autofree char *contents = NULL;
  HatakeContainerState state = hatake_container_get_state (c);
  guint64 code = 255;
  g_autoptr(GPtrArray) stoppers = NULL;
  gboolean restarting;

  if (state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED)
    return;
  if (!g_file_get_contents (exit_file, &contents, NULL, NULL))
    return;
  g_strstrip (contents);
  if (*contents == '\0')
    return;  /* conmon is still writing it: CHANGES_DONE follows */
  g_ascii_string_to_unsigned (contents, 10, 0, 255, &code, NULL);

  /* --pid host: no PID namespace ends the init's children and execs with it. They are killed
   * before the exit is told, as docker's containerd kills them (runc kill --all): a `docker stop`
   * that returned leaves nothing running. */
  if (g_strcmp0 (entry->config->pid_mode, "host") == 0 && entry->exit_kill != EXIT_KILL_DONE)
    {
      if (entry->exit_kill == EXIT_KILL_NONE)
        {
          ExitKill *pending = g_new0 (ExitKill, 1);

          pending->self = g_object_ref (self);
          pending->container = g_object_ref (c);
          entry->exit_kill = EXIT_KILL_RUNNING;
          /* (a one-shot command, `system recover`, waits for it as for a removal) */
          self->removals++;
          hatake_runtime_kill_all_async (_hatake_containers_runtime (self, entry), id, SIGKILL, NULL, on_exit_killed_all,
                                         pending);
        }
      return;
    }
  entry->exit_kill = EXIT_KILL_NONE;
  g_clear_handle_id (&entry->kill_timer, g_source_remove);
  hatake_container_set_exit_code (c, (int) code);
  /* (in the container's folder for a container an older engine started) */
  hatake_container_set_oom_killed (c, g_file_test (oom_file, G_FILE_TEST_EXISTS) ||
                                      g_file_test (old_oom_file, G_FILE_TEST_EXISTS));
  restarting = entry->restart_stop;
  entry->removed_at_exit = entry->config->auto_remove && !restarting;
  /* what conmon left there is read: the run dir keeps nothing of a stopped container (nor the
   * mount: for one removed now, its removal's thread does both) */
  if (!entry->removed_at_exit)
    hatake_rm_rf (persist_dir, NULL);
  hatake_container_set_finished_at (c, g_get_real_time ());
  hatake_container_set_pid (c, 0);
  _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_EXITED, NULL);

  if (!entry->removed_at_exit)
    umount2 (rootfs, MNT_DETACH);
  _hatake_containers_detach_network (self, id);

  _hatake_containers_complete_waiters (entry, (int) code);
  stoppers = g_steal_pointer (&entry->stoppers);
  entry->stoppers = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < stoppers->len; i++)
    g_task_return_pointer (g_ptr_array_index (stoppers, i), NULL, NULL);

  /* The removal's thread starts first: spawning the runtime's delete holds this thread until its
   * exec, and the removal works meanwhile. */
  if (entry->removed_at_exit)
    _hatake_containers_remove_entry (self, entry, NULL);
  /* A one-shot command's removal saves the delete for conmon's exit command instead: it kept
   * the command's main loop 3 to 6 ms (the spawn; its exec is as slow as the runtime's binary is
   * big) and a CPU busy while the removal ends (one-shot run --rm, alternating builds: 76.3 → 70.4
   * ms). */
  if (hatake_container_get_state (c) == HATAKE_CONTAINER_REMOVING && _hatake_containers_delete_left (self, entry))
    return;
  /* (a restart's stop leaves it to the restart, which starts once it is done) */
  if (!restarting)
    _hatake_containers_delete_exited_async (self, id, NULL, NULL);
  if (entry->config->auto_remove)
    return;  /* (no restart policy goes with --rm; a restart's stop is the restart's to end) */
  if (restart_due (entry))
    {
      guint count = hatake_container_get_restart_count (c);
      guint delay = MIN (100u << MIN (count, 7u), 10000u);
      _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_RESTARTING, NULL);
      g_object_set_data (G_OBJECT (c), "hatake-containers", self);
      entry->restart_timer = g_timeout_add (delay, _hatake_containers_do_restart, c);
    }
}
