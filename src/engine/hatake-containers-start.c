/* hatake-containers-start.c: a container's start — its bundle prepared in a thread, conmon
 * started ahead of it and let go once it is written, the network's setup beside the runtime's
 * create, then the runtime's start; split from hatake-containers.c (over 1,500 lines)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <glib/gstdio.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"
#include "hatake-json.h"

typedef struct
{
  Entry   *entry;     /* borrowed: the engine keeps entries while operations run */
  gboolean restarting;
  guint    waiting;   /* the runtime's create and the network's setup, in parallel; then the
                       * early attaches' connections */
  GError  *error;     /* the first of them to fail */
  gboolean ahead;     /* conmon started ahead of the bundle (spawn_conmon)… */
  HatakeRuntimeGate *gate; /* …and waiting for it there */
} StartData;

static void
start_data_free (StartData *data)
{
  g_clear_error (&data->error);
  g_clear_pointer (&data->gate, hatake_runtime_gate_abort);
  g_free (data);
}

static int
exit_code_for_start_error (const char *message)
{
  g_autofree char *lower = g_ascii_strdown (message, -1);

  /* docker's: 127 when the command is not there, 126 when it cannot be run */
  if (strstr (lower, "not found") || strstr (lower, "no such file"))
    return 127;
  if (strstr (lower, "permission denied") || strstr (lower, "is a directory"))
    return 126;
  return 128;
}

/* the command the bundle runs (its process.args[0]), or NULL */
static char *
bundle_command (Entry *entry)
{
  g_autofree char *spec_path = _hatake_containers_entry_path (entry, "bundle/config.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *process;
  JsonArray *args;

  /* (a few KB, read once when a start failed) */
  if (!json_parser_load_from_file (parser, spec_path, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  process = hatake_json_object_member (json_node_get_object (json_parser_get_root (parser)), "process");
  args = hatake_json_array_member (process, "args");
  if (args == NULL || json_array_get_length (args) == 0)
    return NULL;
  return g_strdup (json_array_get_string_element (args, 0));
}

/* crun's words for a command that cannot be run, said in runc's, which docker looks for: its
 * daemon and its CLI make a start that fails with "executable file not found" or "no such file
 * or directory" exit 127 and one with "permission denied" or "is a directory" 126 (matched case
 * for case: crun's "No such file or directory" and "Permission denied" are not). crun names the
 * command only when it found none; otherwise it is the bundle's. Other errors are kept. */
static GError *
docker_start_error (Entry  *entry,
                    GError *error)
{
  static const char not_found[] = "executable file `";
  const char *message = error->message;
  const char *at = NULL;
  const char *why = NULL;
  g_autofree char *command = NULL;
  g_autofree char *prefix = NULL;
  GError *translated;

  if ((at = strstr (message, not_found)) != NULL && strstr (at, "` not found") != NULL)
    {
      const char *name = at + strlen (not_found);

      command = g_strndup (name, strstr (name, "` not found") - name);
      /* a path is looked at, not looked for: runc says it is not there */
      why = strchr (command, '/') ? "no such file or directory" : "executable file not found in $PATH";
    }
  else if ((at = strstr (message, "open executable: Permission denied")) != NULL)
    why = "permission denied";
  /* crun's check refuses anything but a regular file (a directory, mostly) with EPERM */
  else if ((at = strstr (message, "open executable: Operation not permitted")) != NULL)
    why = "permission denied: not a regular file";
  if (why == NULL)
    return error;
  if (command == NULL)
    command = bundle_command (entry);
  prefix = g_strndup (message, at - message);
  /* docker's daemon answers these with a 400 (an invalid config), not a 404 */
  translated = g_error_new (HATAKE_ERROR, HATAKE_ERROR_CONFIG, "%sexec: \"%s\": %s", prefix,
                            command ? command : "", why);
  g_error_free (error);
  return translated;
}

static void
start_failed (HatakeContainers *self, Entry *entry, GTask *task, GError *error)
{
  g_autofree char *rootfs = _hatake_containers_entry_path (entry, "rootfs");

  error = docker_start_error (entry, error);
  _hatake_containers_fail_early_attaches (entry, error->message);
  hatake_runtime_delete_async (_hatake_containers_runtime (self, entry), hatake_container_get_id (entry->container), TRUE,
                               NULL, NULL, NULL);
  umount2 (rootfs, MNT_DETACH);
  _hatake_containers_detach_network (self, hatake_container_get_id (entry->container));
  hatake_container_set_error (entry->container, error->message);
  hatake_container_set_exit_code (entry->container, exit_code_for_start_error (error->message));
  hatake_container_set_finished_at (entry->container, g_get_real_time ());
  if (hatake_container_get_state (entry->container) != HATAKE_CONTAINER_EXITED)
    _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_EXITED, NULL);
  else
    _hatake_containers_save_state (self, entry);
  /* --rm: removed, as docker's daemon removes it; the docker CLI's `run --rm` waits for that
   * (its wait for "removed") once a start failed, and would wait forever */
  if (entry->config->auto_remove)
    _hatake_containers_remove_entry (self, entry, NULL);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  HatakeContainers *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  Entry *entry = data->entry;
  GError *error = NULL;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error))
    {
      start_failed (self, entry, task, error);
      return;
    }
  hatake_container_set_started_at (entry->container, g_get_real_time ());
  hatake_container_set_error (entry->container, NULL);
  hatake_container_set_oom_killed (entry->container, FALSE);
  hatake_container_set_exit_code (entry->container, 0);
  _hatake_containers_set_state (self, entry, HATAKE_CONTAINER_RUNNING, NULL);
  g_task_return_pointer (task, NULL, NULL);
  g_object_unref (task);
  hatake_networks_start_over (self->networks);
  /* attaches that came while the runtime started it: it runs now */
  {
    g_autoptr(GPtrArray) late = g_steal_pointer (&entry->early_attaches);

    for (guint i = 0; late != NULL && i < late->len; i++)
      _hatake_containers_connect_attach (self, entry->container, g_ptr_array_index (late, i), NULL);
  }

  /* it may have exited before we looked: the exit file is there already */
  {
    g_autofree char *exit_file = g_build_filename (self->exit_dir, hatake_container_get_id (entry->container), NULL);
    if (g_file_test (exit_file, G_FILE_TEST_EXISTS))
      _hatake_containers_handle_exit (self, entry);
  }
}

/* Both the runtime's create and the network's setup are done: then the attaches that came before
 * the start connect to conmon, while the process waits (docker attaches before it starts, so it
 * misses nothing a container writes and exits with); then start, or say what failed. Called again
 * as each of those connections is made (hatake-containers-attach.c). */
void
_hatake_containers_created_and_set_up (GTask *task)
{
  HatakeContainers *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);

  if (--data->waiting > 0)
    return;
  if (data->error != NULL)
    {
      start_failed (self, data->entry, task, g_steal_pointer (&data->error));
      return;
    }
  if (data->entry->early_attaches != NULL && data->entry->early_attaches->len > 0)
    {
      g_autoptr(GPtrArray) attaches = g_steal_pointer (&data->entry->early_attaches);

      data->waiting = attaches->len;
      for (guint i = 0; i < attaches->len; i++)
        _hatake_containers_connect_attach (self, data->entry->container, g_ptr_array_index (attaches, i), task);
      return;
    }
  hatake_runtime_start_async (_hatake_containers_runtime (self, data->entry),
                              hatake_container_get_id (data->entry->container), NULL, on_started, task);
}

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  StartData *data = g_task_get_task_data (task);
  GError *error = NULL;
  int pid;

  pid = hatake_runtime_create_finish (HATAKE_RUNTIME (source), result, &error);
  if (pid <= 0)
    {
      if (data->error == NULL)
        data->error = g_steal_pointer (&error);
      g_clear_error (&error);
    }
  else
    hatake_container_set_pid (data->entry->container, pid);
  _hatake_containers_created_and_set_up (task);
}

static void
network_setup_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  HatakeContainers *self = source;
  GError *error = NULL;

  if (hatake_networks_setup (self->networks, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_network_set_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  StartData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (data->error == NULL)
        data->error = g_steal_pointer (&error);
      g_clear_error (&error);
    }
  _hatake_containers_created_and_set_up (task);
}

/* conmon, to run the runtime's create: once the bundle is prepared, or ahead of it, GATED, waiting
 * at its start pipe meanwhile (its own start-up, ~10 ms, then overlaps the preparing). PORT_FDS
 * (published ports), when given, are conmon's to hold. */
static void
spawn_conmon (HatakeContainers *self, GTask *task, GArray *port_fds, gboolean gated)
{
  StartData *data = g_task_get_task_data (task);
  Entry *entry = data->entry;
  const char *id = hatake_container_get_id (entry->container);
  g_autofree char *bundle = _hatake_containers_entry_path (entry, "bundle");
  g_autofree char *log_path = _hatake_containers_entry_path (entry, "ctr.log");
  g_autofree char *pid_file = _hatake_containers_entry_path (entry, "pidfile");
  g_autofree char *conmon_pid = _hatake_containers_entry_path (entry, "conmon.pid");
  g_autofree char *exit_file = g_build_filename (self->exit_dir, id, NULL);
  g_autofree char *persist_dir = _hatake_containers_persist_dir (self, id);
  g_autofree char *oom_file = g_build_filename (persist_dir, "oom", NULL);
  g_autofree char *old_oom_file = _hatake_containers_entry_path (entry, "oom");
  /* (hatake-exited runs system recover only when no engine deals with the exit) */
  const char *recover_command[] = { self->self_exe, "--data-root", self->root, "system", "recover", NULL };
  const char *exited_command[] = { self->exited_exe, self->self_exe, self->root, id, NULL };
  HatakeRuntimeCreate create = { 0 };

  g_unlink (exit_file);
  g_unlink (oom_file);
  g_unlink (old_oom_file);
  g_mkdir_with_parents (persist_dir, 0700);
  if (gated)
    {
      data->ahead = TRUE;
      create.gate = &data->gate;
    }
  create.id = id;
  create.name = hatake_container_get_name (entry->container);
  create.bundle = bundle;
  create.log_path = log_path;
  create.log_size_max = self->config->log_size_max;
  /* conmon fsyncs the log once the container exited, before it writes the exit code: 0.5 to 14 ms
   * here, that every `run --rm` waited for, for a log removed a moment later */
  create.no_log_sync = entry->config->auto_remove;
  create.exit_dir = self->exit_dir;
  /* conmon writes the exit code there before the exit dir, and gives up without the latter when
   * the former fails: in the container's folder, a full data root left the exit unseen and
   * every stop or removal waiting for it for ever. The run dir is a tmpfs of its own. */
  create.persist_dir = persist_dir;
  create.pid_file = pid_file;
  create.conmon_pid_file = conmon_pid;
  create.terminal = entry->config->tty;
  create.stdin_open = entry->config->open_stdin;
  create.exit_command = self->exited_exe ? exited_command : self->self_exe ? recover_command : NULL;
  create.hold_fds = port_fds;
  data->waiting++;
  hatake_runtime_create_async (_hatake_containers_runtime (self, entry), &create, NULL, on_created, task);
}

static void
on_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  HatakeContainers *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  const char *id = hatake_container_get_id (data->entry->container);
  PrepareData *prepared = g_task_get_task_data (G_TASK (result));
  g_autofree char *spec = _hatake_containers_entry_path (data->entry, "bundle/config.json");
  g_autofree char *new_spec = g_strconcat (spec, ".new", NULL);
  GError *error = NULL;

  /* the bundle is complete from here: a conmon started ahead, were the engine to end before it
   * opens the gate, would find no bundle before this (its runtime's create fails) */
  if (g_task_propagate_boolean (G_TASK (result), &error) && rename (new_spec, spec) != 0)
    _hatake_containers_set_errno (&error, errno, _("Cannot rename"), new_spec);
  if (error != NULL)
    {
      /* (a conmon started ahead is killed; its create's end, an error, comes after this one) */
      g_clear_pointer (&data->gate, hatake_runtime_gate_abort);
      if (data->error == NULL)
        data->error = error;
      else
        g_clear_error (&error);
      _hatake_containers_created_and_set_up (task);
      return;
    }
  if (prepared->setup_pending)
    {
      g_autoptr(GTask) setup = g_task_new (self, NULL, on_network_set_up, task);

      data->waiting++;
      g_task_set_source_tag (setup, on_prepared);
      g_task_set_task_data (setup, g_strdup (id), g_free);
      hatake_networks_run_job (self->networks, setup, network_setup_thread, HATAKE_NETWORK_JOB_SETUP, id);
    }
  if (data->gate != NULL)
    hatake_runtime_gate_open (g_steal_pointer (&data->gate));
  /* (one started ahead that is gone already says why on its own) */
  else if (!data->ahead)
    spawn_conmon (self, task, prepared->port_fds, FALSE);
  _hatake_containers_created_and_set_up (task);
}

void
_hatake_containers_start_entry (HatakeContainers *self, Entry *entry, GTask *task)
{
  StartData *data = g_new0 (StartData, 1);
  PrepareData *prepare;
  g_autoptr(GTask) prepare_task = NULL;
  g_autofree char *join_netns = NULL, *join_dir = NULL;
  GError *join_error = NULL;
  gboolean ahead;

  if (entry->archive_writers > 0)
    {
      /* hatake-containers-archive.c has the container's upper layer mounted for a copy into it */
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                               _("Container %s is busy: a copy into it is under way"),
                               hatake_container_get_name (entry->container));
      g_free (data);
      g_object_unref (task);
      return;
    }
  /* --network container:X joins X's namespace: X must be running (docker's rule) */
  if (g_str_has_prefix (entry->config->network_mode ? entry->config->network_mode : "", "container:"))
    {
      const char *other = entry->config->network_mode + strlen ("container:");
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeContainer) joined = hatake_containers_lookup (self, other, &error);
      HatakeContainerState state = joined ? hatake_container_get_state (joined) : HATAKE_CONTAINER_DEAD;

      if (joined == NULL || joined == entry->container ||
          (state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED) ||
          hatake_container_get_pid (joined) <= 0)
        join_error = g_error_new (HATAKE_ERROR, joined == NULL ? HATAKE_ERROR_NOT_FOUND : HATAKE_ERROR_INVALID_STATE,
                                  joined == NULL ? _("cannot join network of container %s: no such container")
                                                 : _("cannot join network of a non running container: %s"),
                                  other);
      else
        {
          join_netns = g_strdup_printf ("/proc/%d/ns/net", hatake_container_get_pid (joined));
          join_dir = g_strdup (_hatake_containers_entry_for (self, joined)->dir);
        }
    }
  /* the runtime's create writes to cgroup.procs ~10 ms from now: its wait for an RCU grace
   * period is taken ahead, beside the preparing */
  hatake_cgroups_warm_attach (self->cgroups);
  prepare = g_new0 (PrepareData, 1);
  data->entry = entry;
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);
  entry->stopped_by_user = FALSE;

  prepare->store = g_object_ref (self->store);
  prepare->runtime = g_object_ref (_hatake_containers_runtime (self, entry));
  prepare->root = g_strdup (self->root);
  prepare->volumes = g_object_ref (self->volumes);
  prepare->dir = g_strdup (entry->dir);
  prepare->id = g_strdup (hatake_container_get_id (entry->container));
  prepare->image_id = g_strdup (entry->image_id);
  prepare->config = hatake_container_config_copy (entry->config);
  prepare->networks = g_object_ref (self->networks);
  prepare->name = g_strdup (hatake_container_get_name (entry->container));
  prepare->join_netns = g_steal_pointer (&join_netns);
  prepare->join_dir = g_steal_pointer (&join_dir);
  prepare->join_error = join_error;
  if (g_str_equal (hatake_runtime_get_name (prepare->runtime), "crun"))
    prepare->seccomp_cache = g_build_filename (self->root, "cache", "seccomp", NULL);
  prepare_task = g_task_new (self, NULL, on_prepared, task);
  g_task_set_source_tag (prepare_task, _hatake_containers_start_entry);
  g_task_set_task_data (prepare_task, prepare, (GDestroyNotify) _hatake_containers_prepare_data_free);
  data->waiting = 1;
  {
    Detaching *detaching = g_hash_table_lookup (self->detaching, prepare->id);

    /* a restart right after an exit: its network is set up again after the exit's teardown
     * (queued on the networks' thread), not torn down by it */
    if (detaching != NULL)
      {
        g_ptr_array_add (detaching->prepares, g_steal_pointer (&prepare_task));
        return;
      }
  }
  /* conmon starts while the bundle is prepared, unless it is to hold published ports, which the
   * preparing binds. A gate closed without a byte (the engine killed) lets it go on: with no
   * bundle, its runtime's create fails, rather than run a previous start's over no root. */
  ahead = (entry->config->publish == NULL || entry->config->publish[0] == NULL) && !entry->config->publish_all;
  if (ahead)
    {
      g_autofree char *spec = _hatake_containers_entry_path (entry, "bundle/config.json");
      g_unlink (spec);
    }
  g_task_run_in_thread (prepare_task, _hatake_containers_prepare_thread);
  if (ahead)
    spawn_conmon (self, task, NULL, TRUE);
}
