/* hatake-containers.h: the local engine's containers — records on disk, the model, the lifecycle
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hatake-config.h"
#include "hatake-container.h"
#include "hatake-container-config.h"
#include "hatake-store.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_CONTAINERS (hatake_containers_get_type ())
G_DECLARE_FINAL_TYPE (HatakeContainers, hatake_containers, HATAKE, CONTAINERS, GObject)

HatakeContainers *hatake_containers_new             (HatakeStore            *store,
                                                     HatakeConfig           *config,
                                                     const char             *self_exe,
                                                     GError                **error);
GListModel       *hatake_containers_get_model       (HatakeContainers       *self);
const char       *hatake_containers_get_runtime_note (HatakeContainers      *self);
const char       *hatake_containers_get_run_dir     (HatakeContainers       *self);
HatakeContainer  *hatake_containers_lookup          (HatakeContainers       *self,
                                                     const char             *id_or_name,
                                                     GError                **error);
GStrv             hatake_containers_volume_users    (HatakeContainers       *self,
                                                     const char             *volume);
GHashTable       *hatake_containers_volume_counts   (HatakeContainers       *self);
struct _HatakeVolumes *hatake_containers_get_volumes (HatakeContainers      *self);
struct _HatakeNetworks *hatake_containers_get_networks (HatakeContainers     *self);
GHashTable *hatake_containers_networks_in_use (HatakeContainers  *self);
/* Completes once no removal or network teardown is under way (a one-shot command waits for
 * it before it exits). */
void hatake_containers_settle_async  (HatakeContainers    *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean hatake_containers_settle_finish (HatakeContainers  *self,
                                          GAsyncResult      *result,
                                          GError           **error);
/* LEFT: for a container removed at its exit (--rm), the runtime's delete is not run but saved
 * in DATA_ROOT/runtime-deletes (hatake_runtime_save_delete), and a settle does not wait for the
 * deletion of its files: for a one-shot command, whose end conmon's exit command (hatake-exited)
 * waits for, and which then runs the delete and deletes the files. Off by default. */
void     hatake_containers_set_exit_cleanup_left (HatakeContainers *self,
                                                gboolean          left);
gboolean          hatake_containers_image_in_use    (HatakeContainers       *self,
                                                     const char             *image_id);

/* Healthchecks are probed while enabled (the default), for the running containers that have one;
 * a one-shot command, whose engine lives for a moment, turns them off. */
void              hatake_containers_set_healthchecks (HatakeContainers      *self,
                                                     gboolean                enabled);
gboolean          hatake_containers_get_healthchecks (HatakeContainers      *self);

/* Brings the models in line with what happened while no engine ran: exits, --rm, restarts. */
void              hatake_containers_recover_async   (HatakeContainers       *self,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean          hatake_containers_recover_finish  (HatakeContainers       *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);

void              hatake_containers_create_async    (HatakeContainers       *self,
                                                     const HatakeContainerConfig *config,
                                                     const char             *image_id,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
HatakeContainer  *hatake_containers_create_finish   (HatakeContainers       *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);

/* Finishes with a JsonNode: wait gives {"StatusCode": N}; the others NULL on success. */
void              hatake_containers_op_async        (HatakeContainers       *self,
                                                     HatakeContainer        *container,
                                                     HatakeContainerOp       op,
                                                     const HatakeContainerOpArgs *args,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
JsonNode         *hatake_containers_op_finish       (HatakeContainers       *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);
void              hatake_containers_exec_async      (HatakeContainers       *self,
                                                     HatakeContainer        *container,
                                                     const HatakeExecOptions *options,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
int               hatake_containers_exec_finish     (HatakeContainers       *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);
/* docker's GET /containers/{id}/top: {"Titles": […], "Processes": [[…], …]} from the runtime's pids */
void              hatake_containers_changes_async   (HatakeContainers       *self,
                                                     HatakeContainer        *container,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
JsonNode         *hatake_containers_changes_finish  (HatakeContainers       *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);
void              hatake_containers_top_async       (HatakeContainers       *self,
                                                     HatakeContainer        *container,
                                                     const char             *ps_args,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
JsonNode         *hatake_containers_top_finish      (HatakeContainers       *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);
/* docker cp and export (see hatake-containers-archive.c for which files a path reaches) */
void              hatake_containers_archive_async   (HatakeContainers       *self,
                                                     HatakeContainer        *container,
                                                     HatakeArchiveOp         op,
                                                     const char             *path,
                                                     GInputStream           *tar,
                                                     HatakeArchiveFlags      flags,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
GInputStream     *hatake_containers_archive_finish  (HatakeContainers       *self,
                                                     GAsyncResult           *result,
                                                     JsonNode              **out_stat,
                                                     GError                **error);
/* One sample in the shape of docker's stats (cpu_stats, memory_stats, pids_stats, blkio_stats),
 * read from the container's cgroups, v1 or v2. */
void              hatake_containers_stats_async     (HatakeContainers       *self,
                                                     HatakeContainer        *container,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
JsonNode         *hatake_containers_stats_finish    (HatakeContainers       *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);
/* A connection to conmon's attach socket: at once for a running container; for one not started
 * yet, once a start has created it and before its process runs (docker attaches before it
 * starts); fails when that start fails, or in any other state. */
void              hatake_containers_connect_attach_async  (HatakeContainers    *self,
                                                           HatakeContainer     *container,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
GSocketConnection *hatake_containers_connect_attach_finish (HatakeContainers   *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
/* conmon's attach socket and control FIFO of a running container */
char             *hatake_containers_attach_path     (HatakeContainers       *self,
                                                     HatakeContainer        *container);
char             *hatake_containers_ctl_path        (HatakeContainers       *self,
                                                     HatakeContainer        *container);
gboolean          hatake_containers_rename          (HatakeContainers       *self,
                                                     HatakeContainer        *container,
                                                     const char             *name,
                                                     GError                **error);
/* docker update (hatake-containers-update.c): the limits of a running or paused container
 * changed by the runtime first, then the config saved; a refused update changes nothing.
 * G_IO_ERROR_INVALID_ARGUMENT for values docker refuses, HATAKE_ERROR_INVALID_STATE for a
 * container being removed, the runtime's error (named) otherwise. */
void              hatake_containers_update_async    (HatakeContainers       *self,
                                                     HatakeContainer        *container,
                                                     const HatakeContainerUpdate *update,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean          hatake_containers_update_finish   (HatakeContainers       *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);
/* docker's network connect / disconnect (hatake-containers-network.c) */
void              hatake_containers_connect_async   (HatakeContainers       *self,
                                                     HatakeContainer        *container,
                                                     const HatakeNetworkEndpoint *endpoint,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
void              hatake_containers_disconnect_async (HatakeContainers      *self,
                                                     HatakeContainer        *container,
                                                     const char             *network,
                                                     gboolean                force,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean          hatake_containers_network_change_finish (HatakeContainers *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);
JsonNode         *hatake_containers_inspect         (HatakeContainers       *self,
                                                     HatakeContainer        *container);
char             *hatake_containers_log_path        (HatakeContainers       *self,
                                                     HatakeContainer        *container);

int               hatake_signal_parse               (const char             *text);

G_END_DECLS
