/* hatake-containers-exec.c: what reaches into a running container — exec (with a terminal
 * through conmon's console socket), top and stats (from its cgroups)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-attach.h"
#include "hatake-containers-private.h"
#include "hatake-error.h"
#include "hatake-passwd.h"
#include "hatake-json.h"

/* ---- exec ---------------------------------------------------------------------------------- */

typedef struct
{
  char              *dir;
  char              *process_path;
  GStrv              group_add;     /* the container's --group-add, for an exec's -u too */
  HatakeRuntime     *runtime;       /* the container's */
  HatakeExecOptions  options;
} ExecData;

static void
exec_data_free (ExecData *data)
{
  g_free (data->dir);
  g_free (data->process_path);
  g_strfreev (data->group_add);
  g_clear_object (&data->runtime);
  g_strfreev (data->options.argv);
  g_strfreev (data->options.env);
  g_free (data->options.user);
  g_free (data->options.working_dir);
  g_free (data->options.id);
  g_free (data);
}

/* The container's own process spec with exec's command, env, user and directory over it. */
static void
exec_prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ExecData *data = task_data;
  g_autofree char *spec_path = g_build_filename (data->dir, "bundle", "config.json", NULL);
  g_autofree char *rootfs = g_build_filename (data->dir, "rootfs", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) process_node = NULL;
  g_auto(HatakeUser) user = { 0 };
  JsonObject *process;
  GError *error = NULL;

  if (!json_parser_load_from_file (parser, spec_path, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  process_node = json_node_copy (json_object_get_member (json_node_get_object (json_parser_get_root (parser)),
                                                         "process"));
  process = json_node_get_object (process_node);
  {
    JsonArray *args = json_array_new ();
    for (guint i = 0; data->options.argv[i]; i++)
      json_array_add_string_element (args, data->options.argv[i]);
    json_object_set_array_member (process, "args", args);
  }
  json_object_set_boolean_member (process, "terminal", data->options.tty);
  if (data->options.env != NULL && data->options.env[0] != NULL)
    {
      JsonArray *old = json_object_get_array_member (process, "env");
      JsonArray *env = json_array_new ();
      for (guint i = 0; old && i < json_array_get_length (old); i++)
        {
          const char *entry = json_array_get_string_element (old, i);
          const char *eq = strchr (entry, '=');
          gboolean overridden = FALSE;
          for (guint j = 0; eq && data->options.env[j]; j++)
            overridden |= strncmp (data->options.env[j], entry, eq - entry + 1) == 0;
          if (!overridden)
            json_array_add_string_element (env, entry);
        }
      for (guint j = 0; data->options.env[j]; j++)
        json_array_add_string_element (env, data->options.env[j]);
      json_object_set_array_member (process, "env", env);
    }
  if (data->options.working_dir && *data->options.working_dir)
    json_object_set_string_member (process, "cwd", data->options.working_dir);
  if (data->options.user && *data->options.user)
    {
      int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      JsonObject *u = json_object_new ();
      JsonArray *gids = json_array_new ();
      if (rootfd < 0 || !hatake_passwd_resolve (rootfd, data->options.user, &user, &error) ||
          !hatake_passwd_add_groups (rootfd, (const char * const *) data->group_add, &user, &error))
        {
          if (rootfd >= 0)
            close (rootfd);
          else
            _hatake_containers_set_errno (&error, errno, _("Cannot open"), rootfs);
          json_object_unref (u);
          json_array_unref (gids);
          g_task_return_error (task, error);
          return;
        }
      close (rootfd);
      json_object_set_int_member (u, "uid", user.uid);
      json_object_set_int_member (u, "gid", user.gid);
      for (guint i = 0; i < user.additional_gids->len; i++)
        json_array_add_int_element (gids, g_array_index (user.additional_gids, guint32, i));
      json_object_set_array_member (u, "additionalGids", gids);
      json_object_set_object_member (process, "user", u);
    }
  if (!_hatake_containers_write_json_unsynced (data->process_path, process_node, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* docker's exec events: "exec_create: CMD", "exec_start: CMD", then "exec_die" (exit code 0
 * and more, or -1 when it could not be told) */
static void
exec_event (GTask      *task,
            const char *action,
            int         code)
{
  HatakeContainers *self = g_task_get_source_object (task);
  ExecData *data = g_task_get_task_data (task);
  HatakeContainer *container = g_object_get_data (G_OBJECT (task), "hatake-container");
  JsonObject *attributes = json_object_new ();

  if (data->options.id != NULL)
    json_object_set_string_member (attributes, "execID", data->options.id);
  if (g_str_equal (action, "exec_die"))
    {
      g_autofree char *text = g_strdup_printf ("%d", code);

      json_object_set_string_member (attributes, "exitCode", text);
      _hatake_containers_event (self, container, action, attributes);
    }
  else
    {
      g_autofree char *command = g_strjoinv (" ", data->options.argv);
      g_autofree char *full = g_strdup_printf ("%s: %s", action, command);

      _hatake_containers_event (self, container, full, attributes);
    }
}

static void
on_exec_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ExecData *data = g_task_get_task_data (task);
  GError *error = NULL;
  int code = hatake_runtime_exec_finish (HATAKE_RUNTIME (source), result, &error);

  g_unlink (data->process_path);
  exec_event (task, "exec_die", error != NULL ? -1 : code);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, code);
}

static void
on_exec_detached (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ExecData *data = g_task_get_task_data (task);
  GError *error = NULL;

  /* (the runtime read the process file before it answered) */
  g_unlink (data->process_path);
  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, 0);
}

static void
resize_pty (guint width, guint height, gpointer user_data)
{
  int fd = GPOINTER_TO_INT (user_data);
  struct winsize size = { .ws_row = height, .ws_col = width };

  if (ioctl (fd, TIOCSWINSZ, &size) != 0)
    g_debug ("Cannot resize the terminal: %s", g_strerror (errno));
}

static void
close_fd (gpointer user_data)
{
  close (GPOINTER_TO_INT (user_data));
}

static void
on_exec_pipes (GSubprocess *process, gpointer user_data)
{
  ExecData *data = user_data;

  data->options.pipes_ready (g_subprocess_get_stdin_pipe (process), g_subprocess_get_stdout_pipe (process),
                             g_subprocess_get_stderr_pipe (process), data->options.attach_data);
}

/* The exec's terminal arrived: hand it over as a HatakeAttach. */
static void
on_exec_console (int master, gpointer user_data)
{
  GTask *task = user_data;
  ExecData *data = g_task_get_task_data (task);
  g_autoptr(GInputStream) in = g_unix_input_stream_new (master, TRUE);
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (dup (master), TRUE);
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
  g_autoptr(HatakeAttach) attach = hatake_attach_new (stream, FALSE, resize_pty, GINT_TO_POINTER (dup (master)), close_fd);

  if (data->options.attach_ready)
    data->options.attach_ready (attach, data->options.attach_data);
}

static void
on_exec_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ExecData *data = g_task_get_task_data (task);
  HatakeContainer *container = g_object_get_data (G_OBJECT (task), "hatake-container");
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_unlink (data->process_path);
      g_task_return_error (task, error);
      return;
    }
  exec_event (task, "exec_create", 0);
  exec_event (task, "exec_start", 0);
  if (data->options.detach)
    {
      /* the runtime's own: it answers once the process runs, whose parent is then the
       * container's (as docker's exec -d, nobody waits for it) */
      GCancellable *cancellable = g_task_get_cancellable (task);

      hatake_runtime_exec_detached_async (data->runtime, hatake_container_get_id (container), data->process_path,
                                          cancellable, on_exec_detached, g_steal_pointer (&task));
      return;
    }
  if (!data->options.tty && data->options.pipes_ready != NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);
      GTask *owned = g_steal_pointer (&task);

      hatake_runtime_exec_piped_async (data->runtime, hatake_container_get_id (container), data->process_path,
                                       on_exec_pipes, data, data->options.kill_on_cancel, cancellable,
                                       on_exec_done, owned);
      return;
    }
  {
    GCancellable *cancellable = g_task_get_cancellable (task);
    GTask *owned = g_steal_pointer (&task);
    hatake_runtime_exec_async (data->runtime, hatake_container_get_id (container), data->process_path,
                               data->options.interactive, data->options.tty ? on_exec_console : NULL,
                               data->options.tty ? g_object_ref (owned) : NULL,
                               data->options.tty ? g_object_unref : NULL, cancellable, on_exec_done, owned);
  }
}

void
hatake_containers_exec_async (HatakeContainers        *self,
                              HatakeContainer         *container,
                              const HatakeExecOptions *options,
                              GCancellable            *cancellable,
                              GAsyncReadyCallback      callback,
                              gpointer                 user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) prepare = NULL;
  Entry *entry = _hatake_containers_entry_for (self, container);
  ExecData *data;

  g_task_set_source_tag (task, hatake_containers_exec_async);
  if (entry == NULL || hatake_container_get_state (container) != HATAKE_CONTAINER_RUNNING)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                               hatake_container_get_state (container) == HATAKE_CONTAINER_PAUSED
                               ? _("Container %s is paused, unpause the container before exec")
                               : _("Container %s is not running"), hatake_container_get_name (container));
      return;
    }
  if (options->argv == NULL || options->argv[0] == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("No exec command specified"));
      return;
    }
  data = g_new0 (ExecData, 1);
  data->dir = g_strdup (entry->dir);
  data->process_path = g_strdup_printf ("%s/exec-%08x.json", entry->dir, g_random_int ());
  data->group_add = g_strdupv (entry->config->group_add);
  data->runtime = g_object_ref (_hatake_containers_runtime (self, entry));
  data->options.argv = g_strdupv (options->argv);
  data->options.env = g_strdupv (options->env);
  data->options.user = g_strdup (options->user);
  data->options.working_dir = g_strdup (options->working_dir);
  data->options.interactive = options->interactive;
  data->options.tty = options->tty;
  data->options.kill_on_cancel = options->kill_on_cancel;
  /* (no terminal, no stdin: nobody would be there) */
  data->options.detach = options->detach;
  if (options->detach)
    data->options.tty = data->options.interactive = FALSE;
  data->options.id = g_strdup (options->id);
  data->options.attach_ready = options->attach_ready;
  data->options.pipes_ready = options->pipes_ready;
  data->options.attach_data = options->attach_data;
  g_task_set_task_data (task, data, (GDestroyNotify) exec_data_free);
  g_object_set_data_full (G_OBJECT (task), "hatake-container", g_object_ref (container), g_object_unref);

  prepare = g_task_new (self, cancellable, on_exec_prepared, g_steal_pointer (&task));
  g_task_set_source_tag (prepare, hatake_containers_exec_async);
  g_task_set_task_data (prepare, data, NULL);
  /* the runtime's exec joins the container's cgroup: its wait taken ahead, as a start's */
  hatake_cgroups_warm_attach (self->cgroups);
  g_task_run_in_thread (prepare, exec_prepare_thread);
}

int
hatake_containers_exec_finish (HatakeContainers  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  return (int) g_task_propagate_int (G_TASK (result), error);
}

/* ---- top ----------------------------------------------------------------------------------- */

static char *
read_proc (int pid, const char *what)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, what);
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("");
  /* cmdline separates arguments with NULs */
  for (gsize i = 0; i + 1 < length; i++)
    if (contents[i] == '\0')
      contents[i] = ' ';
  return contents;
}

/* The words of a line of ps's output, between runs of spaces and tabs (Go's strings.Fields) */
static GStrv
fields_of (const char *line)
{
  g_auto(GStrv) all = g_strsplit_set (line, " \t", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; all[i] != NULL; i++)
    if (*all[i] != '\0')
      g_strv_builder_add (b, all[i]);
  return g_strv_builder_end (b);
}

/* docker's parsePSOutput: the host's ps output's lines of PIDS (a thread line, "-" for PID, goes
 * with its process's), the titles from its header, the last column with the spaces in it */
static JsonNode *
parse_ps_output (const char  *output,
                 GHashTable  *pids,
                 GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  g_auto(GStrv) header = fields_of (lines[0] ? lines[0] : "");
  guint n_titles = g_strv_length (header);
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  gboolean in_container = FALSE;
  int pid_index = -1;

  for (guint i = 0; pid_index < 0 && i < n_titles; i++)
    if (g_str_equal (header[i], "PID"))
      pid_index = (int) i;
  if (pid_index < 0)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("Couldn't find PID field in ps output"));
      return NULL;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Titles");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_titles; i++)
    json_builder_add_string_value (b, header[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Processes");
  json_builder_begin_array (b);
  for (guint l = 1; lines[l] != NULL; l++)
    {
      g_auto(GStrv) fields = fields_of (lines[l]);
      guint n_fields = g_strv_length (fields);
      const char *pid;
      guint64 number = 0;

      if (n_fields == 0)
        continue;
      if ((guint) pid_index >= n_fields)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("Unexpected ps output line: %s"), lines[l]);
          return NULL;
        }
      pid = fields[pid_index];
      if (!g_str_equal (pid, "-"))
        {
          if (!g_ascii_string_to_unsigned (pid, 10, 1, G_MAXINT, &number, NULL))
            {
              g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("Unexpected pid '%s'"), pid);
              return NULL;
            }
          in_container = g_hash_table_contains (pids, GINT_TO_POINTER ((int) number));
        }
      if (!in_container)
        continue;
      json_builder_begin_array (b);
      for (guint i = 0; i + 1 < n_titles && i < n_fields; i++)
        json_builder_add_string_value (b, fields[i]);
      if (n_fields >= n_titles)
        {
          g_autofree char *last = g_strjoinv (" ", fields + n_titles - 1);

          json_builder_add_string_value (b, last);
        }
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
on_host_ps (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autofree char *out = NULL, *err = NULL;
  GError *error = NULL;
  JsonNode *node;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &out, &err, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!g_subprocess_get_successful (G_SUBPROCESS (source)))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("Error running ps: %s"),
                               g_strstrip (err ? err : out));
      return;
    }
  node = parse_ps_output (out, g_task_get_task_data (task), &error);
  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

/* The host's ps with the ps_args of the top (split at spaces, as docker's daemon does) */
static void
run_host_ps (GTask      *task,
             const char *ps_args,
             JsonArray  *pids)
{
  g_auto(GStrv) words = g_strsplit (ps_args, " ", -1);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) ps = NULL;
  GHashTable *set = g_hash_table_new (NULL, NULL);
  GError *error = NULL;

  for (guint i = 0; pids != NULL && i < json_array_get_length (pids); i++)
    g_hash_table_add (set, GINT_TO_POINTER ((int) json_array_get_int_element (pids, i)));
  g_task_set_task_data (task, set, (GDestroyNotify) g_hash_table_unref);
  g_ptr_array_add (argv, (gpointer) "ps");
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (argv, words[i]);
  g_ptr_array_add (argv, NULL);
  ps = g_subprocess_newv ((const char * const *) argv->pdata,
                          G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (ps == NULL)
    {
      g_prefix_error (&error, _("Error running ps: "));
      g_task_return_error (task, error);
      return;
    }
  g_subprocess_communicate_utf8_async (ps, NULL, g_task_get_cancellable (task), on_host_ps, g_object_ref (task));
}

static void
on_top_pids (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  static const char * const titles[] = { "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD" };
  long ticks = sysconf (_SC_CLK_TCK);
  GError *error = NULL;
  JsonArray *pids;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, &out, &error) ||
      !json_parser_load_from_data (parser, out, -1, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  pids = hatake_json_root_is (parser, JSON_NODE_ARRAY) ? json_node_get_array (json_parser_get_root (parser)) : NULL;
  if (g_task_get_task_data (task) != NULL)
    {
      g_autofree char *ps_args = g_strdup (g_task_get_task_data (task));

      run_host_ps (task, ps_args, pids);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Titles");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    json_builder_add_string_value (b, titles[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Processes");
  json_builder_begin_array (b);
  for (guint i = 0; pids && i < json_array_get_length (pids); i++)
    {
      int pid = (int) json_array_get_int_element (pids, i);
      g_autofree char *stat = read_proc (pid, "stat");
      g_autofree char *cmdline = g_strstrip (read_proc (pid, "cmdline"));
      g_autofree char *status = read_proc (pid, "status");
      const char *close_paren = strrchr (stat, ')');
      g_auto(GStrv) fields = close_paren ? g_strsplit (close_paren + 2, " ", -1) : NULL;
      const char *uid_line = strstr (status, "\nUid:");
      g_autofree char *uid = uid_line ? g_strndup (uid_line + 6, strcspn (uid_line + 6, "\t\n")) : g_strdup ("?");
      g_autofree char *ppid = fields && g_strv_length (fields) > 1 ? g_strdup (fields[1]) : g_strdup ("?");
      guint64 cpu = fields && g_strv_length (fields) > 12 ?
                    g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10) : 0;
      g_autofree char *time_text = g_strdup_printf ("%02" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT,
                                                    cpu / ticks / 3600, cpu / ticks / 60 % 60, cpu / ticks % 60);
      g_autofree char *pid_text = g_strdup_printf ("%d", pid);

      g_strstrip (uid);
      json_builder_begin_array (b);
      json_builder_add_string_value (b, uid);
      json_builder_add_string_value (b, pid_text);
      json_builder_add_string_value (b, ppid);
      json_builder_add_string_value (b, "0");
      json_builder_add_string_value (b, "");
      json_builder_add_string_value (b, "?");
      json_builder_add_string_value (b, time_text);
      json_builder_add_string_value (b, *cmdline ? cmdline : "?");
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_task_return_pointer (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
}

void
hatake_containers_top_async (HatakeContainers    *self,
                             HatakeContainer     *container,
                             const char          *ps_args,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  const char *args[] = { "ps", "--format", "json", hatake_container_get_id (container), NULL };
  HatakeContainerState state = hatake_container_get_state (container);

  g_task_set_source_tag (task, hatake_containers_top_async);
  /* (the ps_args, until the host's ps takes their place with the container's PIDs) */
  if (ps_args != NULL && *ps_args != '\0')
    g_task_set_task_data (task, g_strdup (ps_args), g_free);
  if (state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                               _("Container %s is not running"), hatake_container_get_name (container));
      return;
    }
  hatake_runtime_run_async (_hatake_containers_runtime_for_id (self, hatake_container_get_id (container)), args,
                            cancellable, on_top_pids, g_steal_pointer (&task));
}

JsonNode *
hatake_containers_top_finish (HatakeContainers  *self,
                              GAsyncResult      *result,
                              GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- stats --------------------------------------------------------------------------------- */

static gint64
read_number (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *contents = NULL;

  if (dir == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  g_strstrip (contents);
  if (g_str_equal (contents, "max"))
    return G_MAXINT64;
  return g_ascii_strtoll (contents, NULL, 10);
}

/* "key value" lines (cpu.stat, memory.stat): the value of key, or -1 */
static gint64
read_keyed (const char *dir, const char *file, const char *key)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gsize key_length = strlen (key);

  if (dir == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], key) && lines[i][key_length] == ' ')
      return g_ascii_strtoll (lines[i] + key_length + 1, NULL, 10);
  return -1;
}

static void
add_io_bytes (const char *v1_dir, const char *v2_dir, gint64 *read_bytes, gint64 *write_bytes)
{
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) lines = NULL;

  if (v2_dir != NULL)
    {
      path = g_build_filename (v2_dir, "io.stat", NULL);
      if (g_file_get_contents (path, &contents, NULL, NULL))
        {
          lines = g_strsplit (contents, "\n", -1);
          for (guint i = 0; lines[i]; i++)
            {
              const char *r = strstr (lines[i], "rbytes="), *w = strstr (lines[i], "wbytes=");
              if (r)
                *read_bytes += g_ascii_strtoll (r + 7, NULL, 10);
              if (w)
                *write_bytes += g_ascii_strtoll (w + 7, NULL, 10);
            }
        }
      return;
    }
  if (v1_dir == NULL)
    return;
  path = g_build_filename (v1_dir, "blkio.throttle.io_service_bytes", NULL);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], " ", -1);
      if (g_strv_length (f) == 3 && g_str_equal (f[1], "Read"))
        *read_bytes += g_ascii_strtoll (f[2], NULL, 10);
      else if (g_strv_length (f) == 3 && g_str_equal (f[1], "Write"))
        *write_bytes += g_ascii_strtoll (f[2], NULL, 10);
    }
}

/* docker's "networks": each interface of the container's network namespace but lo, from
 * /proc/PID/net/dev (which shows PID's namespace); none for a container on the host's. */
static void
add_networks (JsonBuilder *b, int pid)
{
  g_autofree char *ns = g_strdup_printf ("/proc/%d/ns/net", pid);
  g_autofree char *dev = g_strdup_printf ("/proc/%d/net/dev", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  static const char * const names[] = { "rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
                                        "tx_bytes", "tx_packets", "tx_errors", "tx_dropped" };
  /* their columns in net/dev: receive's bytes packets errs drop, then transmit's from 8 on */
  static const guint columns[] = { 0, 1, 2, 3, 8, 9, 10, 11 };
  struct stat theirs, ours;

  json_builder_set_member_name (b, "networks");
  json_builder_begin_object (b);
  if (stat (ns, &theirs) == 0 && stat ("/proc/self/ns/net", &ours) == 0 && theirs.st_ino == ours.st_ino &&
      theirs.st_dev == ours.st_dev)
    {
      json_builder_end_object (b);
      return;
    }
  if (g_file_get_contents (dev, &contents, NULL, NULL))
    lines = g_strsplit (contents, "\n", -1);
  /* two header lines (no ':' in them), then "  eth0: 1234 5 0 0 …" */
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');
      const char *p;
      g_autofree char *name = NULL;
      gint64 values[12];
      guint n;

      if (colon == NULL)
        continue;
      p = colon + 1;
      for (n = 0; n < G_N_ELEMENTS (values); n++)
        {
          char *end;

          values[n] = g_ascii_strtoll (p, &end, 10);
          if (end == p)
            break;
          p = end;
        }
      name = g_strstrip (g_strndup (lines[i], colon - lines[i]));
      if (n < G_N_ELEMENTS (values) || g_str_equal (name, "lo"))
        continue;
      json_builder_set_member_name (b, name);
      json_builder_begin_object (b);
      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        {
          json_builder_set_member_name (b, names[j]);
          json_builder_add_int_value (b, values[columns[j]]);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static gint64
host_memory (void)
{
  g_autofree char *meminfo = NULL;
  const char *total;

  if (!g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL) || (total = strstr (meminfo, "MemTotal:")) == NULL)
    return 0;
  return g_ascii_strtoll (total + 9, NULL, 10) * 1024;
}

static gint64
system_cpu_ns (void)
{
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  gint64 jiffies = 0;

  if (!g_file_get_contents ("/proc/stat", &stat, NULL, NULL))
    return 0;
  fields = g_strsplit_set (stat, " \n", 12);
  /* "cpu  user nice system idle iowait irq softirq steal …" */
  for (guint i = 2; fields[i] && i < 10; i++)
    jiffies += g_ascii_strtoll (fields[i], NULL, 10);
  return jiffies * (1000000000 / sysconf (_SC_CLK_TCK));
}

/* The container's cgroup per controller, from its init process: right whatever the runtime
 * nested it under. */
static void
stats_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  HatakeContainers *self = source;
  int pid = GPOINTER_TO_INT (task_data);
  g_autofree char *cgroup_path = g_strdup_printf ("/proc/%d/cgroup", pid);
  g_autofree char *cgroups = NULL;
  HatakeCgroupLayout *layout = self->cgroups;
  g_autoptr(GHashTable) dirs = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *now = NULL;
  const char *v2 = NULL;
  gint64 memory, limit, cpu, pids, read_bytes = 0, write_bytes = 0, cache;
  GError *error = NULL;

  if (!g_file_get_contents (cgroup_path, &cgroups, NULL, &error) || layout == NULL)
    {
      if (error == NULL)
        error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED, _("No cgroups are mounted"));
      g_task_return_error (task, error);
      return;
    }
  dirs = hatake_cgroup_layout_dirs (layout, cgroups);
  /* (the cgroup2 folder of a hybrid layout has no controller: v1's are read) */
  v2 = hatake_cgroup_layout_get_mode (layout) == HATAKE_CGROUP_MODE_UNIFIED ? g_hash_table_lookup (dirs, "") : NULL;
  if (v2 != NULL)
    {
      memory = read_number (v2, "memory.current");
      limit = read_number (v2, "memory.max");
      cache = read_keyed (v2, "memory.stat", "inactive_file");
      cpu = read_keyed (v2, "cpu.stat", "usage_usec");
      cpu = cpu >= 0 ? cpu * 1000 : -1;
      pids = read_number (v2, "pids.current");
    }
  else
    {
      const char *mem = g_hash_table_lookup (dirs, "memory");
      memory = read_number (mem, "memory.usage_in_bytes");
      limit = read_number (mem, "memory.limit_in_bytes");
      cache = read_keyed (mem, "memory.stat", "total_inactive_file");
      cpu = read_number (g_hash_table_lookup (dirs, "cpuacct"), "cpuacct.usage");
      pids = read_number (g_hash_table_lookup (dirs, "pids"), "pids.current");
    }
  add_io_bytes (g_hash_table_lookup (dirs, "blkio"), v2, &read_bytes, &write_bytes);
  {
    gint64 host = host_memory ();
    if (limit < 0 || (host > 0 && limit > host))
      limit = host;
  }
  now = _hatake_containers_iso_time (g_get_real_time ());

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "read");
  json_builder_add_string_value (b, now);
  json_builder_set_member_name (b, "pids_stats");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "current");
  json_builder_add_int_value (b, MAX (pids, 0));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "cpu_stats");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cpu_usage");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total_usage");
  json_builder_add_int_value (b, MAX (cpu, 0));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "system_cpu_usage");
  json_builder_add_int_value (b, system_cpu_ns ());
  json_builder_set_member_name (b, "online_cpus");
  json_builder_add_int_value (b, g_get_num_processors ());
  json_builder_end_object (b);
  json_builder_set_member_name (b, "memory_stats");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "usage");
  json_builder_add_int_value (b, MAX (memory, 0));
  json_builder_set_member_name (b, "limit");
  json_builder_add_int_value (b, MAX (limit, 0));
  json_builder_set_member_name (b, "stats");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, v2 ? "inactive_file" : "total_inactive_file");
  json_builder_add_int_value (b, MAX (cache, 0));
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "blkio_stats");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "io_service_bytes_recursive");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, "read");
  json_builder_set_member_name (b, "value");
  json_builder_add_int_value (b, read_bytes);
  json_builder_end_object (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, "write");
  json_builder_set_member_name (b, "value");
  json_builder_add_int_value (b, write_bytes);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  add_networks (b, pid);
  json_builder_end_object (b);
  g_task_return_pointer (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
}

void
hatake_containers_stats_async (HatakeContainers    *self,
                               HatakeContainer     *container,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  HatakeContainerState state = hatake_container_get_state (container);

  g_task_set_source_tag (task, hatake_containers_stats_async);
  if ((state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED) || hatake_container_get_pid (container) <= 0)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                               _("Container %s is not running"), hatake_container_get_name (container));
      return;
    }
  g_task_set_task_data (task, GINT_TO_POINTER (hatake_container_get_pid (container)), NULL);
  g_task_run_in_thread (task, stats_thread);
}

JsonNode *
hatake_containers_stats_finish (HatakeContainers  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
