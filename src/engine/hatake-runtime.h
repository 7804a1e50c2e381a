/* hatake-runtime.h: the Linux backend that runs containers, through conmon and an OCI runtime
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every call is a subprocess (conmon, crun or runc) driven with GSubprocess, so nothing here
 * blocks the main loop and nothing here needs a thread.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _HatakeRuntimeGate HatakeRuntimeGate;

typedef struct
{
  const char         *id;
  const char         *name;
  const char         *bundle;          /* holds config.json; rootfs mounted by the caller */
  const char         *log_path;        /* conmon's k8s-file log */
  guint64             log_size_max;    /* 0: no cap */
  gboolean            no_log_sync;     /* no fsync of the log at exit (a log removed with it) */
  const char         *exit_dir;        /* conmon writes <id> there with the exit code */
  const char         *persist_dir;     /* conmon's oom file and the like */
  const char         *pid_file;        /* the container's init pid */
  const char         *conmon_pid_file;
  gboolean            terminal;
  gboolean            stdin_open;
  const char * const *exit_command;    /* argv run by conmon once the container exited, or NULL */
  GArray             *hold_fds;        /* ints conmon keeps open (published ports); taken: emptied */
  HatakeRuntimeGate **gate;            /* set: conmon waits, before it runs the runtime, until the
                                        * gate it returns there opens (hatake_runtime_gate_open) */
} HatakeRuntimeCreate;

#define HATAKE_TYPE_RUNTIME (hatake_runtime_get_type ())
G_DECLARE_FINAL_TYPE (HatakeRuntime, hatake_runtime, HATAKE, RUNTIME, GObject)

HatakeRuntime *hatake_runtime_new            (const char                 *runtime_path,
                                              const char                 *state_root,
                                              const char                 *conmon_path,
                                              const char                 *socket_dir);
const char    *hatake_runtime_get_name       (HatakeRuntime              *self);
const char    *hatake_runtime_get_path       (HatakeRuntime              *self);
/* What runs: the runtime's path, or (as root) a read-only mount of it (hatake-runtime.c) */
const char    *hatake_runtime_get_exec_path  (HatakeRuntime              *self);

/* conmon starts `RUNTIME create`; returns the container's pid once it is created (not started). */
void           hatake_runtime_create_async   (HatakeRuntime              *self,
                                              const HatakeRuntimeCreate  *options,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
int            hatake_runtime_create_finish  (HatakeRuntime              *self,
                                              GAsyncResult               *result,
                                              GError                    **error);
/* A gated create's conmon goes on to the runtime's create (and the gate is freed) */
void           hatake_runtime_gate_open      (HatakeRuntimeGate          *gate);
/* …or is killed before it ran anything, and its create fails (the gate is freed) */
void           hatake_runtime_gate_abort     (HatakeRuntimeGate          *gate);

/* `RUNTIME ARGS…` for start, kill, pause, resume, delete; the runtime's own message on failure. */
void           hatake_runtime_run_async      (HatakeRuntime              *self,
                                              const char * const         *args,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
gboolean       hatake_runtime_run_finish     (HatakeRuntime              *self,
                                              GAsyncResult               *result,
                                              char                      **out_stdout,
                                              GError                    **error);

void           hatake_runtime_start_async    (HatakeRuntime              *self,
                                              const char                 *id,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
void           hatake_runtime_kill_async     (HatakeRuntime              *self,
                                              const char                 *id,
                                              int                         signal_number,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
/* `RUNTIME kill --all`: every process of the container's cgroup, its init gone or not (what ends
 * the processes of a container without a PID namespace of its own) */
void           hatake_runtime_kill_all_async (HatakeRuntime              *self,
                                              const char                 *id,
                                              int                         signal_number,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
void           hatake_runtime_pause_async    (HatakeRuntime              *self,
                                              const char                 *id,
                                              gboolean                    pause,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
void           hatake_runtime_delete_async   (HatakeRuntime              *self,
                                              const char                 *id,
                                              gboolean                    force,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
/* `RUNTIME update --resources RESOURCES_PATH ID`: the file holds an OCI linux.resources object */
void           hatake_runtime_update_async   (HatakeRuntime              *self,
                                              const char                 *id,
                                              const char                 *resources_path,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
/* `RUNTIME exec --detach --process PROCESS_JSON ID`: done once the process runs, which has no
 * stdio of ours (docker exec -d) */
void           hatake_runtime_exec_detached_async (HatakeRuntime         *self,
                                              const char                 *id,
                                              const char                 *process_json,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
/* All seven finish with hatake_runtime_run_finish. */

/* Deletes the runtime's state for ID that a previous run left (its delete never came), so that
 * the next create succeeds; TRUE when there was none. A plain delete: a container the runtime
 * still runs is an error. Blocks (a thread's work). */
gboolean       hatake_runtime_delete_leftover (HatakeRuntime             *self,
                                               const char                *id,
                                               GError                   **error);

/* The delete of container ID, saved in the file DIR/ID for another process to run later
 * (hatake-exited, or hatake_runtime_run_saved_deletes) */
gboolean       hatake_runtime_save_delete    (HatakeRuntime              *self,
                                              const char                 *dir,
                                              const char                 *id,
                                              GError                    **error);
/* Runs, and removes, each delete saved in DIR; blocks (a thread's work); returns how many */
guint          hatake_runtime_run_saved_deletes (const char              *dir);

/* `RUNTIME exec --process PROCESS_JSON ID` with this process's stdout and stderr (and stdin when
 * interactive); finishes with the process's exit code (128 + signal when killed). */
typedef void (*HatakeRuntimeConsoleFunc) (int      master_fd,
                                          gpointer user_data);

/* With console set, the process gets a terminal (process_json must say terminal: true): its
 * master side is handed to console (which owns the fd) once the runtime sent it. */
void           hatake_runtime_exec_async     (HatakeRuntime              *self,
                                              const char                 *id,
                                              const char                 *process_json,
                                              gboolean                    interactive,
                                              HatakeRuntimeConsoleFunc    console,
                                              gpointer                    console_data,
                                              GDestroyNotify              console_data_free,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
/* The same with the process's stdin, stdout and stderr as pipes, handed to PIPES (the streams
 * of the GSubprocess) right after the runtime started; finish with hatake_runtime_exec_finish(). */
typedef void (*HatakeRuntimePipesFunc) (GSubprocess *process,
                                        gpointer     user_data);
void           hatake_runtime_exec_piped_async (HatakeRuntime            *self,
                                              const char                 *id,
                                              const char                 *process_json,
                                              HatakeRuntimePipesFunc      pipes,
                                              gpointer                    pipes_data,
                                              gboolean                    kill_on_cancel,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
int            hatake_runtime_exec_finish    (HatakeRuntime              *self,
                                              GAsyncResult               *result,
                                              GError                    **error);

/* `RUNTIME state ID`: the runtime's JSON, or HATAKE_ERROR_NOT_FOUND when it knows no such container. */
void           hatake_runtime_state_async    (HatakeRuntime              *self,
                                              const char                 *id,
                                              GCancellable               *cancellable,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
JsonObject    *hatake_runtime_state_finish   (HatakeRuntime              *self,
                                              GAsyncResult               *result,
                                              GError                    **error);

G_END_DECLS
