/* hatake-containers-private.h: shared by the files of HatakeContainers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-cgroups.h"
#include "hatake-containers.h"
#include "hatake-runtime.h"
#include "hatake-network.h"
#include "hatake-volume.h"

G_BEGIN_DECLS

/* --pid host: how far the killing of a container's other processes at its init's exit is (its
 * exit is told only once they are gone) */
typedef enum
{
  EXIT_KILL_NONE,      /* not begun (or no --pid host) */
  EXIT_KILL_RUNNING,   /* the runtime's kill --all runs */
  EXIT_KILL_DONE,      /* they are killed: the exit goes on */
} ExitKillStage;

typedef struct
{
  HatakeContainer       *container;
  HatakeContainerConfig *config;
  char                  *image_id;
  JsonObject            *image_config;   /* the image's defaults docker's inspect merges, or NULL */
  char                  *dir;
  GPtrArray             *waiters;        /* GTasks of wait, completed at the next exit */
  GPtrArray             *stoppers;       /* GTasks of stop/kill-for-removal, completed at exit */
  guint                  kill_timer;
  guint                  restart_timer;
  gboolean               stopped_by_user;
  gboolean               removal_requested; /* a forced removal asked: recovery finishes it */
  gboolean               remove_volumes;    /* with its anonymous volumes (-v, --rm) */
  gboolean               removed_at_exit;   /* --rm, exited: its exit and removal go unsaved */
  gboolean               restart_stop;      /* stopped by a restart: kept, --rm or not (dockerd) */
  ExitKillStage          exit_kill;
  guint                  archive_writers; /* copies into the stopped container: a start waits */
  guint                  health_timer;   /* the next healthcheck probe */
  struct _HealthProbe   *health_probe;   /* the one under way */
  struct _HatakeContainers *health_owner; /* (unowned) for the timer */
  GPtrArray             *early_attaches; /* GTasks of attaches to a created container, or NULL */
} Entry;

typedef struct _HealthProbe HealthProbe;

struct _HatakeContainers
{
  GObject          parent_instance;

  HatakeStore     *store;
  HatakeConfig    *config;
  HatakeRuntime   *runtime;       /* the engine's: the configured one, or what the cgroups take */
  GHashTable      *runtimes;      /* a container's --runtime → its HatakeRuntime (made at first use) */
  HatakeVolumes   *volumes;
  HatakeNetworks  *networks;
  char            *runtime_note;
  HatakeCgroupLayout *cgroups;    /* detected once: reading mountinfo costs ~1 ms per 10 mounts */
  char            *self_exe;
  char            *exited_exe;    /* hatake-exited, conmon's exit command, or NULL: self_exe's */
  char            *root;          /* data root */
  char            *run_dir;       /* /run/hatake/<hash> */
  char            *exit_dir;
  GListStore      *model;
  GHashTable      *entries;       /* id → Entry */
  int              exit_watch_fd; /* inotify on exit_dir (conmon's exit files), or -1 */
  GSource         *exit_watch;
  guint            removals;      /* removals under way, and --pid host exits waiting for their
                                   * processes' end: what a settle waits for */
  GHashTable      *pending_names; /* names of creates under way */
  guint            exit_sweeps;   /* deletions of the files of containers removed at their exit */
  gboolean         exit_cleanup_left; /* a settle does not wait for those, nor is the runtime's
                                     * delete of such a container run (saved in deletes_dir) */
  char            *deletes_dir;   /* DATA_ROOT/runtime-deletes: the runtime deletes saved */
  GPtrArray       *settle_waiters;/* GTasks completed when settled (_hatake_containers_settled) */
  GHashTable      *detaching;     /* id → Detaching: its network's teardown is queued */
  gboolean         healthchecks;  /* probed while this engine runs (not in one-shot commands) */
};

/* hatake-containers.c */
Entry    *_hatake_containers_entry_for  (HatakeContainers *self,
                                         HatakeContainer  *container);
/* hatake-containers-runtimes.c */
/* The engine's runtime (self->runtime, self->cgroups, self->runtime_note): the configured one,
 * unless this machine's cgroups cannot take it */
void      _hatake_containers_set_up_runtime (HatakeContainers *self,
                                         const char       *state_root,
                                         const char       *socket_dir);
/* The path of the runtime a container asks for with --runtime, when it can run containers on
 * this machine's cgroups; else NULL and why not, in words for people */
char     *_hatake_containers_resolve_runtime (HatakeContainers *self,
                                         const char       *wanted,
                                         GError          **error);
/* The runtime that runs ENTRY's container: its --runtime's, else the engine's (ENTRY may be NULL) */
HatakeRuntime *_hatake_containers_runtime (HatakeContainers *self,
                                         Entry            *entry);
/* The same by the container's ID (a container removed meanwhile: the engine's) */
HatakeRuntime *_hatake_containers_runtime_for_id (HatakeContainers *self,
                                         const char       *id);
char     *_hatake_containers_iso_time   (gint64            usec);
/* Emits the "event" signal; attributes (taken) may be NULL */
void      _hatake_containers_event       (HatakeContainers *self,
                                         HatakeContainer  *container,
                                         const char       *action,
                                         JsonObject       *attributes);
gboolean  _hatake_containers_set_state   (HatakeContainers *self,
                                         Entry           *entry,
                                         HatakeContainerState to,
                                         GError         **error);
char     *_hatake_containers_entry_path  (Entry           *entry,
                                         const char      *name);
char     *_hatake_containers_persist_dir (HatakeContainers *self,
                                         const char      *id);
/* Whether a settle is done: no removal under way, nor (unless left) an exit's deletion */
gboolean  _hatake_containers_settled      (HatakeContainers *self);
/* Completes the settle waiters once settled */
void      _hatake_containers_check_settled (HatakeContainers *self);
/* Whether the runtime's delete of ENTRY, removed at its exit, is left to conmon's exit command */
gboolean  _hatake_containers_delete_left (HatakeContainers *self,
                                         Entry           *entry);
/* One of self->removals is done; the settle waiters complete with the last */
void      _hatake_containers_work_done   (HatakeContainers *self);
void      _hatake_containers_handle_exit (HatakeContainers *self,
                                         Entry           *entry);
void      _hatake_containers_detach_network (HatakeContainers *self,
                                         const char      *id);
void      _hatake_containers_remove_entry (HatakeContainers *self,
                                         Entry           *entry,
                                         GTask           *outer);
gboolean  _hatake_containers_do_restart  (gpointer         container);
/* hatake-containers-health.c */
void      _hatake_containers_health_follow (HatakeContainers *self,
                                         Entry           *entry,
                                         HatakeContainerState from);
void      _hatake_containers_health_stop (Entry           *entry);
void      _hatake_containers_health_merge_image (HatakeContainerConfig *config,
                                                 JsonObject            *image_config);
/* hatake-containers-recover.c */
gboolean  _hatake_containers_conmon_alive (const char      *dir,
                                         const char      *id);
void      _hatake_containers_remove_idle_run_dir (HatakeContainers *self);
void      _hatake_containers_save_state  (HatakeContainers *self,
                                         Entry           *entry);
JsonNode *_hatake_containers_status_code_node (int        code);
/* `runtime delete` after an exit: logged when it fails */
void      _hatake_containers_on_runtime_deleted (GObject      *source,
                                         GAsyncResult    *result,
                                         gpointer         user_data);
/* Deletes the runtime's state of a container that has exited (plainly, then forced), then
 * calls CALLBACK (may be NULL) whatever came of it: a failure is logged */
void      _hatake_containers_delete_exited_async (HatakeContainers    *self,
                                                  const char          *id,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void      _hatake_containers_remove_entry_full (HatakeContainers *self,
                                         Entry           *entry,
                                         gboolean         volumes,
                                         GTask           *outer);

gboolean  _hatake_containers_save_config (Entry           *entry,
                                         GError          **error);
/* hatake-containers-attach.c: connects ATTACH (a GTask of hatake_containers_connect_attach_async)
 * to conmon; then, when START is given, goes on with that start */
void      _hatake_containers_connect_attach (HatakeContainers *self,
                                             HatakeContainer  *container,
                                             GTask            *attach,
                                             GTask            *start);
void      _hatake_containers_fail_early_attaches (Entry        *entry,
                                                  const char   *why);
/* hatake-containers-start.c */
void      _hatake_containers_start_entry (HatakeContainers *self,
                                         Entry           *entry,
                                         GTask           *task);
/* a start's next step once what it waited for is done */
void      _hatake_containers_created_and_set_up (GTask        *start);
/* hatake-containers.c */
gboolean  _hatake_containers_write_json (const char       *path,
                                         JsonNode         *node,
                                         GError          **error);
gboolean  _hatake_containers_write_json_unsynced (const char       *path,
                                         JsonNode         *node,
                                         GError          **error);
gboolean  _hatake_containers_set_errno  (GError          **error,
                                         int               errsv,
                                         const char       *what,
                                         const char       *path);


/* hatake-containers-prepare.c: a start's preparation, run in a worker thread */
typedef struct
{
  HatakeStore           *store;
  HatakeRuntime         *runtime;        /* deletes a runtime state a previous run left */
  char                  *root;
  char                  *dir;
  char                  *id;
  char                  *image_id;
  HatakeContainerConfig *config;
  char                  *seccomp_cache;  /* crun: where compiled seccomp programs are kept; else NULL */
  HatakeNetworks        *networks;
  HatakeVolumes         *volumes;        /* mounts those with a device of their own */
  char                  *name;
  gboolean               attached;       /* a network was set up: torn down if the start fails */
  gboolean               setup_pending;  /* its netavark setup runs while the runtime creates */
  GArray                *port_fds;       /* its published ports, bound: for conmon to hold */
  gboolean               mounted;
  char                  *join_netns;     /* --network container:X: X's namespace, its folder, and */
  char                  *join_dir;       /* its hostname, /etc/hosts and resolv.conf are this one's */
  GError                *join_error;     /* X not there or not running: the start fails with it */
} PrepareData;

void        _hatake_containers_prepare_data_free (PrepareData  *data);
gboolean    _hatake_containers_check_host_entries (const HatakeContainerConfig *c,
                                                   GError                     **error);
GString    *_hatake_containers_lower_dirs (HatakeStore  *store,
                                           const char   *root,
                                           const char   *image_id,
                                           GError      **error);
void        _hatake_containers_prepare_thread    (GTask        *task,
                                                  gpointer      source,
                                                  gpointer      task_data,
                                                  GCancellable *cancellable);
JsonObject *_hatake_containers_read_image_config (HatakeStore  *store,
                                                  const char   *image_id,
                                                  GError      **error);

/* hatake-containers.c: the container's waits answered with its exit code */
void _hatake_containers_complete_waiters (Entry *entry,
                                          int    code);

/* A container whose network's teardown is queued, and the starts that wait for it */
typedef struct
{
  guint      pending;    /* teardowns queued */
  GPtrArray *prepares;   /* GTask: _hatake_containers_prepare_thread's, run when none is */
} Detaching;

G_END_DECLS
