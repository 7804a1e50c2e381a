/* hatake-runtime.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * conmon's contract (api version 1): it double-forks, so the process we start exits at once;
 * its child runs `RUNTIME create`, then writes {"data": PID} — or {"data": -1, "message": …} —
 * to the pipe named by $_OCI_SYNCPIPE, holds the container's stdio, writes the log, and when the
 * container exits writes the exit code to EXIT_DIR/ID and runs the exit command. GSubprocess
 * closes every other descriptor in the child, so nothing of ours leaks into conmon.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <dirent.h>
#include <poll.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <gio/gunixinputstream.h>

#include "hatake-error.h"
#include "hatake-runtime.h"
#include "hatake-json.h"

struct _HatakeRuntime
{
  GObject  parent_instance;
  char    *runtime_path;
  char    *exec_path;     /* what runs: runtime_path, or its read-only mount */
  char    *name;
  char    *state_root;
  char    *conmon_path;
  char    *socket_dir;
};

G_DEFINE_FINAL_TYPE (HatakeRuntime, hatake_runtime, G_TYPE_OBJECT)

static void
hatake_runtime_finalize (GObject *object)
{
  HatakeRuntime *self = (HatakeRuntime *) object;

  g_free (self->runtime_path);
  g_free (self->exec_path);
  g_free (self->name);
  g_free (self->state_root);
  g_free (self->conmon_path);
  g_free (self->socket_dir);
  G_OBJECT_CLASS (hatake_runtime_parent_class)->finalize (object);
}

static void
hatake_runtime_class_init (HatakeRuntimeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hatake_runtime_finalize;
}

static void
hatake_runtime_init (HatakeRuntime *self)
{
}

/* ---- the runtime's binary, read-only ----------------------------------------------------------
 *
 * crun and runc protect their binary from the container they set up (CVE-2019-5736: a process in
 * the container opened /proc/PID/exe of the runtime's init for writing and replaced the host's
 * binary): each command first bind-mounts /proc/self/exe read-only, or copies itself into a
 * sealed memfd, and executes itself again from there — 5 to 10 ms a command here, twice on a
 * container's way up (create, start). Their cloned_binary.c skips that when the binary already
 * runs from a read-only mount and _LIBCONTAINER_CLONED_BINARY is set, "an administrator's bind
 * mount". As root we keep such a mount, /run/hatake/runtimes/NAME-HASH, of the runtime's own
 * inode: /proc/PID/exe then leads to a read-only mount, and a write through it fails (EROFS) as
 * it would through the runtime's own. It is checked at each start (same inode, read-only) and
 * mounted again when the package replaced the binary. Anything unexpected: the runtime runs from
 * its own path and protects itself as usual. */

#define CLONED_BINARY_ENV "_LIBCONTAINER_CLONED_BINARY"
#define RUNTIMES_DIR      "/run/hatake/runtimes"

static gboolean
is_read_only_copy (const char *path, const struct stat *of)
{
  struct stat st;
  struct statvfs vfs;

  return stat (path, &st) == 0 && st.st_dev == of->st_dev && st.st_ino == of->st_ino &&
         statvfs (path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0;
}

static char *
read_only_runtime (const char *path)
{
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, path, -1);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf ("%s-%.12s", base, sum);
  g_autofree char *target = g_build_filename (RUNTIMES_DIR, name, NULL);
  struct stat of;
  int lock_fd, fd;
  gboolean ok = FALSE;

  if (geteuid () != 0 || !g_path_is_absolute (path) || stat (path, &of) != 0 || !S_ISREG (of.st_mode))
    return NULL;
  if (is_read_only_copy (target, &of))
    return g_steal_pointer (&target);
  if (g_mkdir_with_parents (RUNTIMES_DIR, 0700) != 0)
    return NULL;
  /* one engine mounts it; another that came at the same time finds it done */
  lock_fd = open (RUNTIMES_DIR "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) != 0)
    {
      if (lock_fd >= 0)
        close (lock_fd);
      return NULL;
    }
  if (is_read_only_copy (target, &of))
    ok = TRUE;
  else
    {
      /* the mount of an older binary (the package was upgraded), or of none */
      while (umount2 (target, MNT_DETACH) == 0)
        ;
      fd = open (target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0700);
      if (fd >= 0)
        {
          close (fd);
          if (mount (path, target, NULL, MS_BIND, NULL) == 0)
            {
              if (mount (NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0)
                ok = is_read_only_copy (target, &of);
              if (!ok)
                umount2 (target, MNT_DETACH);
            }
        }
      if (!ok)
        g_debug ("%s runs from its own path (no read-only mount: %s)", path, g_strerror (errno));
    }
  close (lock_fd);
  return ok ? g_steal_pointer (&target) : NULL;
}

/* Every descriptor from 3 up close-on-exec: what GLib's fork path did in the child (closing them),
 * done in the parent. Descriptors the engine was started with (a shell's, a service manager's)
 * are not, and conmon would hold them for its container's life. */
static void
descriptors_cloexec (void)
{
  DIR *dir;
  struct dirent *e;

  if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  /* (before Linux 5.11) */
  dir = opendir ("/proc/self/fd");
  if (dir == NULL)
    return;
  while ((e = readdir (dir)) != NULL)
    {
      gint64 fd = g_ascii_strtoll (e->d_name, NULL, 10);
      int flags;

      if (fd >= 3 && fd != dirfd (dir) && (flags = fcntl ((int) fd, F_GETFD)) >= 0 && !(flags & FD_CLOEXEC))
        fcntl ((int) fd, F_SETFD, flags | FD_CLOEXEC);
    }
  closedir (dir);
}

/* A launcher for the runtime, or for conmon, which runs it.
 *
 * INHERIT_FDS, and no working directory: GLib then spawns with posix_spawn() (vfork), not
 * fork(). A fork copies the engine's page tables, and every page either side writes before the
 * exec is a copy-on-write fault: 4 ms a spawn here against 1, and three spawns lie on the way of
 * every run --rm (conmon, the runtime's start, its delete), the main loop waiting on each (bench/run:
 * 106 → 95 ms). Descriptors are made close-on-exec first, so the child gets only those the
 * launcher maps (tests/test-run.c /run/conmon-descriptors). */
static GSubprocessLauncher *
runtime_launcher (HatakeRuntime *self, GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags | G_SUBPROCESS_FLAGS_INHERIT_FDS);

  descriptors_cloexec ();
  if (g_strcmp0 (self->exec_path, self->runtime_path) != 0)
    g_subprocess_launcher_setenv (launcher, CLONED_BINARY_ENV, "1", TRUE);
  return launcher;
}

HatakeRuntime *
hatake_runtime_new (const char *runtime_path,
                    const char *state_root,
                    const char *conmon_path,
                    const char *socket_dir)
{
  HatakeRuntime *self;

  g_return_val_if_fail (runtime_path != NULL && state_root != NULL, NULL);
  self = g_object_new (HATAKE_TYPE_RUNTIME, NULL);
  self->runtime_path = g_strdup (runtime_path);
  self->exec_path = read_only_runtime (runtime_path);
  if (self->exec_path == NULL)
    self->exec_path = g_strdup (runtime_path);
  self->name = g_path_get_basename (runtime_path);
  self->state_root = g_strdup (state_root);
  /* (found once: each spawn would search PATH again, one failed execve per folder before it) */
  self->conmon_path = g_find_program_in_path (conmon_path ? conmon_path : "conmon");
  if (self->conmon_path == NULL)
    self->conmon_path = g_strdup (conmon_path ? conmon_path : "conmon");
  self->socket_dir = g_strdup (socket_dir);
  return self;
}

const char *
hatake_runtime_get_name (HatakeRuntime *self)
{
  g_return_val_if_fail (HATAKE_IS_RUNTIME (self), NULL);
  return self->name;
}

const char *
hatake_runtime_get_path (HatakeRuntime *self)
{
  g_return_val_if_fail (HATAKE_IS_RUNTIME (self), NULL);
  return self->runtime_path;
}

const char *
hatake_runtime_get_exec_path (HatakeRuntime *self)
{
  g_return_val_if_fail (HATAKE_IS_RUNTIME (self), NULL);
  return self->exec_path;
}

/* runc logs as logfmt (level=error msg="…"), crun as "crun: …": keep the part for people. */
static char *
runtime_message (const char *name, const char *stderr_text)
{
  g_autofree char *text = g_strstrip (g_strdup (stderr_text ? stderr_text : ""));
  const char *msg = strstr (text, "msg=\"");

  if (msg != NULL)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      for (const char *p = msg + 5; *p && *p != '"'; p++)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          g_string_append_c (out, *p);
        }
      return g_strdup_printf ("%s: %s", name, out->str);
    }
  if (*text == '\0')
    return g_strdup_printf (_("%s failed without a message"), name);
  if (g_str_has_prefix (text, name))
    return g_steal_pointer (&text);
  return g_strdup_printf ("%s: %s", name, text);
}

static int
classify (const char *message)
{
  if (strstr (message, "does not exist") || strstr (message, "not found") ||
      strstr (message, "No such file or directory: container") ||
      /* crun kill: the process has exited, its exit not yet reaped ("open pidfd: No such process") */
      strstr (message, "No such process"))
    return HATAKE_ERROR_NOT_FOUND;
  return HATAKE_ERROR_FAILED;
}

/* ---- plain runtime commands ------------------------------------------------------------------
 *
 * Spawned from a worker thread: a spawn holds its caller until the child's exec is done, and the
 * runtime's binary is big — 2 to 10 ms here for each `crun delete` or `crun start`, which held the
 * main loop of `hatake serve` while a `run --rm`'s exit was to be answered. */

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  HatakeRuntime *self = source;
  GPtrArray *argv = task_data;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  GError *error = NULL;

  launcher = runtime_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, cancellable, &out, &err, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_autofree char *message = runtime_message (self->name, err);
      g_task_return_new_error (task, HATAKE_ERROR, classify (message), "%s", message);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&out), g_free);
}

/* A runtime state for ID, from a run whose delete never came (an engine killed between the
 * container's exit and its delete, a delete that failed): the runtime's create would refuse every
 * start of the container after it ("container already exists"). A plain delete, which the
 * runtime refuses for a container still running: no process is killed here. */
gboolean
hatake_runtime_delete_leftover (HatakeRuntime  *self,
                                const char     *id,
                                GError        **error)
{
  g_autofree char *state = NULL;
  g_autofree char *root = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { NULL, NULL, "delete", id, NULL };
  struct stat st;

  g_return_val_if_fail (HATAKE_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (id != NULL && *id != '\0' && strchr (id, '/') == NULL, FALSE);

  /* (crun and runc both keep a container's state in ROOT/ID) */
  state = g_build_filename (self->state_root, id, NULL);
  if (lstat (state, &st) != 0)
    return TRUE;
  root = g_strconcat ("--root=", self->state_root, NULL);
  argv[0] = self->exec_path;
  argv[1] = root;
  launcher = runtime_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, error))
    return FALSE;
  /* (a state gone meanwhile is no leftover: the delete conmon's exit command runs for a one-shot
   * command's container may have come first, and the runtime's own then fails on it) */
  if ((!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0) &&
      lstat (state, &st) == 0)
    {
      g_autofree char *message = runtime_message (self->name, err);
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                   _("A previous run of the container is left in the runtime and cannot be deleted: %s"),
                   message);
      return FALSE;
    }
  g_debug ("%s: deleted a runtime state left by a previous run", id);
  return TRUE;
}

/* exec --detach: the process inherits the runtime's stdio, so none of it may be a pipe of ours
 * (a wait for its end of file would last the process's life); the runtime's own message, should
 * it fail, is in its --log file instead */
typedef struct
{
  GPtrArray *argv;
  char      *log_path;
} DetachedExec;

static void
detached_exec_free (DetachedExec *d)
{
  g_ptr_array_unref (d->argv);
  g_free (d->log_path);
  g_free (d);
}

static void
exec_detached_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  HatakeRuntime *self = source;
  DetachedExec *d = task_data;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *log = NULL;
  GError *error = NULL;

  launcher = runtime_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) d->argv->pdata, &error);
  if (process == NULL || !g_subprocess_wait (process, cancellable, &error))
    {
      g_unlink (d->log_path);
      g_task_return_error (task, error);
      return;
    }
  g_file_get_contents (d->log_path, &log, NULL, NULL);
  g_unlink (d->log_path);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_autofree char *message = runtime_message (self->name, log);
      g_task_return_new_error (task, HATAKE_ERROR, classify (message), "%s", message);
      return;
    }
  g_task_return_pointer (task, g_strdup (""), g_free);
}

void
hatake_runtime_exec_detached_async (HatakeRuntime       *self,
                                    const char          *id,
                                    const char          *process_json,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DetachedExec *d;

  g_return_if_fail (HATAKE_IS_RUNTIME (self));
  g_return_if_fail (id != NULL && process_json != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_runtime_exec_detached_async);
  d = g_new0 (DetachedExec, 1);
  d->log_path = g_strconcat (process_json, ".log", NULL);
  d->argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (d->argv, g_strdup (self->exec_path));
  g_ptr_array_add (d->argv, g_strconcat ("--root=", self->state_root, NULL));
  g_ptr_array_add (d->argv, g_strconcat ("--log=", d->log_path, NULL));
  g_ptr_array_add (d->argv, g_strdup ("exec"));
  g_ptr_array_add (d->argv, g_strdup ("--detach"));
  g_ptr_array_add (d->argv, g_strdup ("--process"));
  g_ptr_array_add (d->argv, g_strdup (process_json));
  g_ptr_array_add (d->argv, g_strdup (id));
  g_ptr_array_add (d->argv, NULL);
  g_task_set_task_data (task, d, (GDestroyNotify) detached_exec_free);
  g_task_run_in_thread (task, exec_detached_thread);
}

void
hatake_runtime_run_async (HatakeRuntime       *self,
                          const char * const  *args,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *argv;

  g_return_if_fail (HATAKE_IS_RUNTIME (self));
  g_return_if_fail (args != NULL && args[0] != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_runtime_run_async);

  argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (self->exec_path));
  g_ptr_array_add (argv, g_strconcat ("--root=", self->state_root, NULL));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  g_task_set_task_data (task, argv, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, run_thread);
}

gboolean
hatake_runtime_run_finish (HatakeRuntime  *self,
                           GAsyncResult   *result,
                           char          **out_stdout,
                           GError        **error)
{
  g_autofree char *out = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  out = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (out_stdout)
    *out_stdout = g_steal_pointer (&out);
  return TRUE;
}

void
hatake_runtime_start_async (HatakeRuntime       *self,
                            const char          *id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  const char *args[] = { "start", id, NULL };
  hatake_runtime_run_async (self, args, cancellable, callback, user_data);
}

void
hatake_runtime_kill_async (HatakeRuntime       *self,
                           const char          *id,
                           int                  signal_number,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autofree char *sig = g_strdup_printf ("%d", signal_number);
  const char *args[] = { "kill", id, sig, NULL };
  hatake_runtime_run_async (self, args, cancellable, callback, user_data);
}

void
hatake_runtime_kill_all_async (HatakeRuntime       *self,
                               const char          *id,
                               int                  signal_number,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree char *sig = g_strdup_printf ("%d", signal_number);
  const char *args[] = { "kill", "--all", id, sig, NULL };
  hatake_runtime_run_async (self, args, cancellable, callback, user_data);
}

void
hatake_runtime_pause_async (HatakeRuntime       *self,
                            const char          *id,
                            gboolean             pause,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  const char *args[] = { pause ? "pause" : "resume", id, NULL };
  hatake_runtime_run_async (self, args, cancellable, callback, user_data);
}

void
hatake_runtime_update_async (HatakeRuntime       *self,
                             const char          *id,
                             const char          *resources_path,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  /* (crun and runc both take an OCI linux.resources object from this file) */
  const char *args[] = { "update", "--resources", resources_path, id, NULL };
  hatake_runtime_run_async (self, args, cancellable, callback, user_data);
}

void
hatake_runtime_delete_async (HatakeRuntime       *self,
                             const char          *id,
                             gboolean             force,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  const char *args[] = { "delete", force ? "--force" : id, force ? id : NULL, NULL };
  hatake_runtime_run_async (self, args, cancellable, callback, user_data);
}

/* ---- a delete left to another process ------------------------------------------------------
 *
 * A one-shot command does not run the delete of a container removed at its exit: conmon's exit
 * command (hatake-exited), which waits for the command's end anyway, runs it then, or else the
 * next engine does. The file DIR/ID says how: NUL-terminated strings, the runtime's environment
 * (NAME=VALUE) up to an empty string, then its binary and global options, which `delete ID`
 * follows (`delete --force ID` should that fail). Its temporary files have a dot in their name. */

gboolean
hatake_runtime_save_delete (HatakeRuntime  *self,
                            const char     *dir,
                            const char     *id,
                            GError        **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = g_build_filename (dir, id, NULL);
  g_autofree char *root = g_strconcat ("--root=", self->state_root, NULL);

  g_return_val_if_fail (HATAKE_IS_RUNTIME (self), FALSE);
  if (g_strcmp0 (self->exec_path, self->runtime_path) != 0)
    g_string_append_len (text, CLONED_BINARY_ENV "=1", sizeof (CLONED_BINARY_ENV "=1"));
  g_string_append_c (text, '\0');
  g_string_append_len (text, self->exec_path, strlen (self->exec_path) + 1);
  g_string_append_len (text, root, strlen (root) + 1);
  if (g_mkdir (dir, 0700) != 0 && errno != EEXIST)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create %s: %s"), dir,
                   g_strerror (saved));
      return FALSE;
    }
  /* whole or not at all for its readers (a temporary file, renamed), but not synced: it deletes
   * a state in the runtime's root, which a power loss takes with it (a tmpfs, as /run is); where
   * that root is on a disk, the file lost to a power loss leaves the state of a container that is
   * gone (a start of one still there deletes such a state first). The fsync of file and folder
   * took ~0.6 ms of every `run --rm`'s exit here (3.48 → 2.88 ms, the container's exit to the
   * command's). */
  return g_file_set_contents_full (path, text->str, (gssize) text->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_ONLY_EXISTING, 0600, error);
}

/* Runs `delete ID`, then `delete --force ID` when that fails, as TEXT (a saved delete's file)
 * says; FALSE when it says nothing runnable */
static gboolean
run_saved_delete (const char *text, gsize length, const char *id)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  gsize i = 0;

  if (length == 0 || text[length - 1] != '\0')
    return FALSE;
  for (; i < length && text[i] != '\0'; i += strlen (text + i) + 1)
    {
      g_autofree char *name = g_strndup (text + i, strcspn (text + i, "="));
      if (text[i + strlen (name)] == '=')
        env = g_environ_setenv (env, name, text + i + strlen (name) + 1, TRUE);
    }
  for (i++; i < length; i += strlen (text + i) + 1)
    g_ptr_array_add (argv, (char *) text + i);
  if (argv->len == 0 || !g_path_is_absolute (g_ptr_array_index (argv, 0)))
    return FALSE;
  g_ptr_array_add (argv, "delete");
  for (guint force = 0; force < 2; force++)
    {
      g_autoptr(GError) error = NULL;
      int status = -1;

      if (force)
        g_ptr_array_add (argv, "--force");
      g_ptr_array_add (argv, (char *) id);
      g_ptr_array_add (argv, NULL);
      if (g_spawn_sync (NULL, (char **) argv->pdata, env,
                        G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                        &error) &&
          g_spawn_check_wait_status (status, NULL))
        return TRUE;
      g_debug ("%s delete%s %s: %s", (const char *) g_ptr_array_index (argv, 0), force ? " --force" : "", id,
               error ? error->message : "failed");
      g_ptr_array_set_size (argv, argv->len - 2);
    }
  return TRUE;
}

guint
hatake_runtime_run_saved_deletes (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      gsize length = 0;

      /* (whoever deletes the file runs it: hatake-exited may be at it too) */
      if (strchr (name, '.') != NULL || !g_file_get_contents (path, &text, &length, NULL) || g_unlink (path) != 0)
        continue;
      if (!run_saved_delete (text, length, name))
        g_warning ("%s: not a runtime command; removed", path);
      n++;
    }
  return n;
}

static void
on_state (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  GError *error = NULL;
  JsonNode *root;

  if (!hatake_runtime_run_finish (HATAKE_RUNTIME (source), result, &out, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!json_parser_load_from_data (parser, out, -1, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("The runtime's state is not a JSON object"));
      return;
    }
  g_task_return_pointer (task, json_object_ref (json_node_get_object (root)), (GDestroyNotify) json_object_unref);
}

void
hatake_runtime_state_async (HatakeRuntime       *self,
                            const char          *id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  const char *args[] = { "state", id, NULL };
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hatake_runtime_state_async);
  hatake_runtime_run_async (self, args, cancellable, on_state, task);
}

JsonObject *
hatake_runtime_state_finish (HatakeRuntime  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- create through conmon ------------------------------------------------------------------- */

typedef struct
{
  GSubprocess      *conmon;
  GDataInputStream *sync;
  char             *conmon_stderr;
  char             *line;
  gboolean          exited;
  gboolean          line_read;
  GError           *error;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_clear_object (&data->conmon);
  g_clear_object (&data->sync);
  g_free (data->conmon_stderr);
  g_free (data->line);
  g_clear_error (&data->error);
  g_free (data);
}

/* Both the sync pipe's line and conmon's exit (with what it said on stderr) are in. Each of the
 * two callbacks holds a reference of its own and drops it when it returns, so the task (with
 * conmon's GSubprocess and both pipes) goes when the second is done. */
static void
create_maybe_done (GTask *task)
{
  HatakeRuntime *self = g_task_get_source_object (task);
  CreateData *data = g_task_get_task_data (task);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;
  gint64 pid;

  if (!data->exited || !data->line_read)
    return;
  if (data->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      return;
    }
  if (data->line == NULL || !json_parser_load_from_data (parser, data->line, -1, NULL) ||
      !hatake_json_root_is (parser, JSON_NODE_OBJECT))
    {
      g_autofree char *message = runtime_message ("conmon", data->conmon_stderr);
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, "%s", message);
      return;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  pid = json_object_get_int_member_with_default (o, "data", -1);
  if (pid <= 0)
    {
      const char *message = json_object_get_string_member_with_default (o, "message", NULL);
      g_autofree char *clean = runtime_message (self->name, message ? message : data->conmon_stderr);
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, "%s", clean);
      return;
    }
  g_task_return_int (task, pid);
}

static void
on_sync_line (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CreateData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (error != NULL && data->error == NULL)
    data->error = error;
  else
    g_clear_error (&error);
  data->line_read = TRUE;
  create_maybe_done (task);
}

static void
on_conmon_exited (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CreateData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, &data->conmon_stderr, &error))
    {
      if (data->error == NULL)
        data->error = error;
      else
        g_clear_error (&error);
    }
  data->exited = TRUE;
  create_maybe_done (task);
}

/* conmon (2.1) reads its start pipe, when $_OCI_STARTPIPE names one, after it parsed its options
 * and opened the log, and before it forks or runs anything: started ahead, its own start-up
 * (~10 ms) overlaps the engine's preparing of the bundle. A socket, not a pipe: a byte sent to a
 * conmon that died is an error, never a SIGPIPE. */
struct _HatakeRuntimeGate
{
  int          fd;
  GSubprocess *conmon;
};

static void
gate_free (HatakeRuntimeGate *gate)
{
  close (gate->fd);
  g_object_unref (gate->conmon);
  g_free (gate);
}

void
hatake_runtime_gate_open (HatakeRuntimeGate *gate)
{
  g_return_if_fail (gate != NULL);
  /* (a conmon already gone has its create fail on its own) */
  if (send (gate->fd, "1", 1, MSG_NOSIGNAL) != 1)
    g_debug ("conmon's start pipe: %s", g_strerror (errno));
  gate_free (gate);
}

static void
on_gate_conmon_killed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  gate_free (user_data);
}

void
hatake_runtime_gate_abort (HatakeRuntimeGate *gate)
{
  g_return_if_fail (gate != NULL);
  /* the socket closes once conmon is dead: on an end of file, it would go on. GSubprocess sends
   * its SIGKILL later, from GLib's worker thread (it must not kill a pid that thread reaped):
   * closed at once, the socket let conmon go on now and then before the signal came. */
  g_subprocess_force_exit (gate->conmon);
  g_subprocess_wait_async (gate->conmon, NULL, on_gate_conmon_killed, gate);
}

void
hatake_runtime_create_async (HatakeRuntime              *self,
                             const HatakeRuntimeCreate  *o,
                             GCancellable               *cancellable,
                             GAsyncReadyCallback         callback,
                             gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GInputStream) sync_in = NULL;
  CreateData *data;
  GError *error = NULL;
  int fds[2], gate_fds[2] = { -1, -1 };

  g_return_if_fail (HATAKE_IS_RUNTIME (self));
  g_return_if_fail (o != NULL && o->id != NULL && o->bundle != NULL);

  if (o->gate != NULL)
    *o->gate = NULL;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_runtime_create_async);
  data = g_new0 (CreateData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);

  if (g_mkdir_with_parents (self->socket_dir, 0700) != 0 || g_mkdir_with_parents (o->exit_dir, 0700) != 0)
    {
      int errsv = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                               _("Cannot create the runtime's folders: %s"), g_strerror (errsv));
      return;
    }
  if (pipe2 (fds, O_CLOEXEC) != 0)
    fds[0] = -1;
  if (fds[0] < 0 || (o->gate != NULL && socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gate_fds) != 0))
    {
      int errsv = errno;
      if (fds[0] >= 0)
        close (fds[0]), close (fds[1]);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                               _("Cannot create a pipe for conmon: %s"), g_strerror (errsv));
      return;
    }

#define ARG(x) g_ptr_array_add (argv, g_strdup (x))
#define ARG2(a, b) (ARG (a), ARG (b))
  ARG (self->conmon_path);
  ARG2 ("--api-version", "1");
  ARG2 ("-c", o->id);
  ARG2 ("-u", o->id);
  ARG2 ("-n", o->name ? o->name : o->id);
  ARG2 ("-r", self->exec_path);
  ARG2 ("-b", o->bundle);
  ARG2 ("-p", o->pid_file);
  ARG2 ("-P", o->conmon_pid_file);
  ARG2 ("--exit-dir", o->exit_dir);
  if (o->persist_dir)
    ARG2 ("--persist-dir", o->persist_dir);
  g_ptr_array_add (argv, g_strconcat ("--log-path=k8s-file:", o->log_path, NULL));
  if (o->log_size_max > 0)
    g_ptr_array_add (argv, g_strdup_printf ("--log-size-max=%" G_GUINT64_FORMAT, o->log_size_max));
  if (o->no_log_sync)
    ARG ("--no-sync-log");
  ARG2 ("--socket-dir-path", self->socket_dir);
  g_ptr_array_add (argv, g_strconcat ("--runtime-arg=--root=", self->state_root, NULL));
  if (o->terminal)
    ARG ("--terminal");
  if (o->stdin_open)
    ARG ("--stdin");
  if (o->exit_command != NULL && o->exit_command[0] != NULL)
    {
      ARG2 ("--exit-command", o->exit_command[0]);
      for (guint i = 1; o->exit_command[i]; i++)
        ARG2 ("--exit-command-arg", o->exit_command[i]);
    }
#undef ARG
#undef ARG2
  g_ptr_array_add (argv, NULL);

  launcher = runtime_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "_OCI_SYNCPIPE", "3", TRUE);
  /* conmon is a GLib program too: our own debugging settings (fatal warnings in tests) are not
   * its, and must not turn one of its warnings into a dead container */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  if (o->gate != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "_OCI_STARTPIPE", "4", TRUE);
      g_subprocess_launcher_take_fd (launcher, gate_fds[1], 4);
    }
  else
    /* conmon hands its environment to its exit command: `system recover` (and the conmons it
     * starts) may have inherited one */
    g_subprocess_launcher_unsetenv (launcher, "_OCI_STARTPIPE");
  /* conmon holds these for the container's life; the runtime it starts closes them for the
   * container's process */
  for (guint i = 0; o->hold_fds != NULL && i < o->hold_fds->len; i++)
    g_subprocess_launcher_take_fd (launcher, g_array_index (o->hold_fds, int, i), 5 + i);
  if (o->hold_fds != NULL)
    g_array_set_size (o->hold_fds, 0);
  data->conmon = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  /* the launcher owns the write end; drop our copy so EOF comes when conmon is done with it */
  g_clear_object (&launcher);
  if (data->conmon == NULL)
    {
      close (fds[0]);
      if (o->gate != NULL)
        close (gate_fds[0]);
      g_prefix_error (&error, _("Cannot start conmon: "));
      g_task_return_error (task, error);
      return;
    }
  if (o->gate != NULL)
    {
      *o->gate = g_new0 (HatakeRuntimeGate, 1);
      (*o->gate)->fd = gate_fds[0];
      (*o->gate)->conmon = g_object_ref (data->conmon);
    }

  sync_in = g_unix_input_stream_new (fds[0], TRUE);
  data->sync = g_data_input_stream_new (sync_in);
  g_data_input_stream_read_line_async (data->sync, G_PRIORITY_DEFAULT, cancellable, on_sync_line,
                                       g_object_ref (task));
  g_subprocess_communicate_utf8_async (data->conmon, NULL, cancellable, on_conmon_exited,
                                       g_steal_pointer (&task));
}

int
hatake_runtime_create_finish (HatakeRuntime  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return (int) g_task_propagate_int (G_TASK (result), error);
}

/* ---- exec ---------------------------------------------------------------------------------- */

/* docker's daemon gives an exec whose command could not be run (not found, not executable) the
 * exit code 126, which `docker exec` exits with */
#define EXEC_NOT_STARTED 126

static void
unlink_and_free (gpointer path)
{
  g_unlink (path);
  g_free (path);
}

/* The pid file of TASK's exec (removed with the task), or NULL when there can be none: the
 * runtime writes it only once the exec's process runs, so an exec that failed without it never
 * started its command (crun checks the command before; its own failure is then 255, as is a
 * command's exit 255). */
static const char *
exec_pid_file (HatakeRuntime *self,
               GTask         *task)
{
  char *pid_file;

  if (g_mkdir_with_parents (self->socket_dir, 0700) != 0)
    return NULL;
  pid_file = g_strdup_printf ("%s/exec-%08x.pid", self->socket_dir, g_random_int ());
  g_object_set_data_full (G_OBJECT (task), "hatake-exec-pid-file", pid_file, unlink_and_free);
  return pid_file;
}

static void
on_exec_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  GCancellable *cancellable = g_object_get_data (G_OBJECT (task), "hatake-exec-cancellable");
  const char *pid_file = g_object_get_data (G_OBJECT (task), "hatake-exec-pid-file");
  /* (asked before the cancellable's handler goes: it removes the pid file) */
  gboolean started = pid_file == NULL || g_file_test (pid_file, G_FILE_TEST_EXISTS);
  GError *error = NULL;

  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable,
                              GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "hatake-exec-kill")));
  if (!g_subprocess_wait_finish (process, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_subprocess_get_if_signaled (process))
    g_task_return_int (task, 128 + g_subprocess_get_term_sig (process));
  else if (!started && g_subprocess_get_exit_status (process) != 0)
    g_task_return_int (task, EXEC_NOT_STARTED);
  else
    g_task_return_int (task, g_subprocess_get_exit_status (process));
}

typedef struct
{
  int                       listen_fd;
  char                     *socket_path;
  HatakeRuntimeConsoleFunc  console;
  gpointer                  console_data;
  GDestroyNotify            console_data_free;
} ConsoleData;

static void
console_data_free (ConsoleData *data)
{
  if (data->console_data_free)
    data->console_data_free (data->console_data);
  if (data->listen_fd >= 0)
    close (data->listen_fd);
  if (data->socket_path)
    {
      g_unlink (data->socket_path);
      g_free (data->socket_path);
    }
  g_free (data);
}

/* Blocking: the runtime connects to the console socket and sends the pty master with
 * SCM_RIGHTS (the OCI --console-socket protocol). */
static void
console_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ConsoleData *data = task_data;
  struct pollfd pfd = { .fd = data->listen_fd, .events = POLLIN };
  char payload[256];
  union { struct cmsghdr align; char buf[CMSG_SPACE (sizeof (int))]; } control;
  struct iovec iov = { payload, sizeof payload };
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  int conn, master = -1;

  if (poll (&pfd, 1, 30000) <= 0 || (conn = accept4 (data->listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("The runtime sent no terminal"));
      return;
    }
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  if (recvmsg (conn, &msg, MSG_CMSG_CLOEXEC) > 0)
    for (cmsg = CMSG_FIRSTHDR (&msg); cmsg; cmsg = CMSG_NXTHDR (&msg, cmsg))
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
        memcpy (&master, CMSG_DATA (cmsg), sizeof (int));
  close (conn);
  if (master < 0)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("The runtime sent no terminal"));
      return;
    }
  g_task_return_int (task, master);
}

static void
on_console (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ConsoleData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  int master = (int) g_task_propagate_int (G_TASK (result), &error);

  if (master < 0)
    {
      g_debug ("exec: %s", error ? error->message : "no terminal");
      return;
    }
  data->console (master, data->console_data);
}

void
hatake_runtime_exec_async (HatakeRuntime            *self,
                           const char               *id,
                           const char               *process_json,
                           gboolean                  interactive,
                           HatakeRuntimeConsoleFunc  console,
                           gpointer                  console_data,
                           GDestroyNotify            console_data_destroy,
                           GCancellable             *cancellable,
                           GAsyncReadyCallback       callback,
                           gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *root = NULL;
  const char *pid_file;
  GError *error = NULL;

  g_return_if_fail (HATAKE_IS_RUNTIME (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_runtime_exec_async);
  root = g_strconcat ("--root=", self->state_root, NULL);
  launcher = runtime_launcher (self, console != NULL || interactive ? G_SUBPROCESS_FLAGS_STDIN_INHERIT
                                                                     : G_SUBPROCESS_FLAGS_NONE);
  pid_file = exec_pid_file (self, task);
  if (console == NULL)
    process = g_subprocess_launcher_spawn (launcher, &error, self->exec_path, root, "exec", "--process", process_json,
                                           pid_file ? "--pid-file" : id, pid_file, pid_file ? id : NULL, NULL);
  else
    {
      ConsoleData *data = g_new0 (ConsoleData, 1);
      g_autoptr(GTask) console_task = NULL;
      struct sockaddr_un addr = { .sun_family = AF_UNIX };

      data->console = console;
      data->console_data = console_data;
      data->console_data_free = console_data_destroy;
      data->socket_path = g_strdup_printf ("%s/console-%08x.sock", self->socket_dir, g_random_int ());
      data->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      g_strlcpy (addr.sun_path, data->socket_path, sizeof addr.sun_path);
      if (data->listen_fd < 0 || bind (data->listen_fd, (struct sockaddr *) &addr, sizeof addr) != 0 ||
          listen (data->listen_fd, 1) != 0)
        {
          int errsv = errno;
          console_data_free (data);
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                                   _("Cannot make a console socket: %s"), g_strerror (errsv));
          return;
        }
      process = g_subprocess_launcher_spawn (launcher, &error, self->exec_path, root, "exec", "--tty",
                                             "--console-socket", data->socket_path, "--process", process_json,
                                             pid_file ? "--pid-file" : id, pid_file, pid_file ? id : NULL, NULL);
      console_task = g_task_new (self, NULL, on_console, NULL);
      g_task_set_source_tag (console_task, hatake_runtime_exec_async);
      g_task_set_task_data (console_task, data, (GDestroyNotify) console_data_free);
      if (process != NULL)
        g_task_run_in_thread (console_task, console_thread);
      else
        g_task_return_int (console_task, -1);
    }
  if (process == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_subprocess_wait_async (process, cancellable, on_exec_done, g_steal_pointer (&task));
}

/* A piped exec whose cancellation kills its process: crun exec and, through the pid file crun
 * writes, the process it started in the container (killing crun alone would leave that one). */
typedef struct
{
  GSubprocess *process;
  char        *pid_file;
} ExecKill;

static void
exec_kill_free (ExecKill *kill_data)
{
  g_unlink (kill_data->pid_file);
  g_free (kill_data->pid_file);
  g_clear_object (&kill_data->process);
  g_free (kill_data);
}

static void
on_exec_cancelled (GCancellable *cancellable,
                   ExecKill     *kill_data)
{
  g_autofree char *text = NULL;
  gint64 pid;

  if (g_file_get_contents (kill_data->pid_file, &text, NULL, NULL) &&
      (pid = g_ascii_strtoll (text, NULL, 10)) > 1)
    kill ((pid_t) pid, SIGKILL);
  g_subprocess_force_exit (kill_data->process);
}

void
hatake_runtime_exec_piped_async (HatakeRuntime          *self,
                                 const char             *id,
                                 const char             *process_json,
                                 HatakeRuntimePipesFunc  pipes,
                                 gpointer                pipes_data,
                                 gboolean                kill_on_cancel,
                                 GCancellable           *cancellable,
                                 GAsyncReadyCallback     callback,
                                 gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *root = NULL;
  g_autofree char *pid_file = NULL;
  GError *error = NULL;

  g_return_if_fail (HATAKE_IS_RUNTIME (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_runtime_exec_piped_async);
  root = g_strconcat ("--root=", self->state_root, NULL);
  pid_file = g_strdup (exec_pid_file (self, task));
  launcher = runtime_launcher (self, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawn (launcher, &error, self->exec_path, root, "exec", "--process", process_json,
                                         pid_file ? "--pid-file" : id, pid_file ? pid_file : NULL,
                                         pid_file ? id : NULL, NULL);
  if (process == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (kill_on_cancel && cancellable != NULL && pid_file != NULL)
    {
      ExecKill *kill_data = g_new0 (ExecKill, 1);
      gulong handler;

      kill_data->process = g_object_ref (process);
      kill_data->pid_file = g_steal_pointer (&pid_file);
      handler = g_cancellable_connect (cancellable, G_CALLBACK (on_exec_cancelled), kill_data,
                                       (GDestroyNotify) exec_kill_free);
      /* disconnected once the exec is done (freeing kill_data), by the task's data */
      g_object_set_data_full (G_OBJECT (task), "hatake-exec-kill", GSIZE_TO_POINTER (handler), NULL);
      g_object_set_data_full (G_OBJECT (task), "hatake-exec-cancellable", g_object_ref (cancellable),
                              g_object_unref);
    }
  pipes (process, pipes_data);
  g_subprocess_wait_async (process, cancellable, on_exec_done, g_steal_pointer (&task));
}

int
hatake_runtime_exec_finish (HatakeRuntime  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return (int) g_task_propagate_int (G_TASK (result), error);
}
