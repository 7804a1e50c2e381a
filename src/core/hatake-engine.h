/* hatake-engine.h: the one interface the app, the CLI and compose use
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two implementations: the local engine (src/engine/) and, later, a Docker Engine API client
 * (src/client/). Models are live GListModels; operations are _async/_finish pairs. Results meant
 * for programs (inspect, disk usage, delete reports) are JsonNodes in the Docker Engine API's
 * shapes, so the CLI, the API server and the client share one vocabulary.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hatake-attach.h"
#include "hatake-container.h"
#include "hatake-container-config.h"
#include "hatake-image.h"
#include "hatake-log-entry.h"
#include "hatake-projects.h"
#include "hatake-pull.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_ENGINE (hatake_engine_get_type ())
G_DECLARE_INTERFACE (HatakeEngine, hatake_engine, HATAKE, ENGINE, GObject)

struct _HatakeEngineInterface
{
  GTypeInterface parent_iface;

  GListModel  *(*get_images)            (HatakeEngine         *self);
  const char  *(*get_description)       (HatakeEngine         *self);

  void         (*pull_async)            (HatakeEngine         *self,
                                         const char           *reference,
                                         const char           *platform,
                                         HatakePull           *progress,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  HatakeImage *(*pull_finish)           (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);

  void         (*tag_image_async)       (HatakeEngine         *self,
                                         const char           *source,
                                         const char           *target,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  gboolean     (*tag_image_finish)      (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);

  void         (*remove_image_async)    (HatakeEngine         *self,
                                         const char           *reference,
                                         gboolean              force,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*remove_image_finish)   (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);

  void         (*inspect_image_async)   (HatakeEngine         *self,
                                         const char           *reference,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*inspect_image_finish)  (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*push_async)            (HatakeEngine         *self,
                                         const char           *reference,
                                         HatakePull           *progress,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*push_finish)           (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*login_async)           (HatakeEngine         *self,
                                         const char           *registry,
                                         const char           *username,
                                         const char           *password,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  gboolean     (*login_finish)          (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*save_images_async)     (HatakeEngine         *self,
                                         const char * const   *references,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  GInputStream *(*save_images_finish)   (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*load_images_async)     (HatakeEngine         *self,
                                         GInputStream         *tar,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*load_images_finish)    (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  /* docker's GET /images/{name}/history: an array, newest first */
  void         (*image_history_async)   (HatakeEngine         *self,
                                         const char           *reference,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*image_history_finish)  (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);

  GListModel  *(*get_containers)        (HatakeEngine         *self);
  void         (*create_container_async)(HatakeEngine         *self,
                                         const HatakeContainerConfig *config,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  HatakeContainer *(*create_container_finish) (HatakeEngine   *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*container_op_async)    (HatakeEngine         *self,
                                         const char           *container,
                                         HatakeContainerOp     op,
                                         const HatakeContainerOpArgs *args,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*container_op_finish)   (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*inspect_container_async) (HatakeEngine       *self,
                                         const char           *container,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*inspect_container_finish) (HatakeEngine      *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*rename_container_async) (HatakeEngine        *self,
                                         const char           *container,
                                         const char           *name,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  gboolean     (*rename_container_finish) (HatakeEngine       *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*update_container_async) (HatakeEngine        *self,
                                         const char           *container,
                                         const HatakeContainerUpdate *update,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  gboolean     (*update_container_finish) (HatakeEngine       *self,
                                         GAsyncResult         *result,
                                         GError              **error);

  void         (*container_logs_async)  (HatakeEngine         *self,
                                         const char           *container,
                                         const HatakeLogOptions *options,
                                         HatakeLogFunc         func,
                                         gpointer              func_data,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  gboolean     (*container_logs_finish) (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);

  void         (*exec_async)            (HatakeEngine         *self,
                                         const char           *container,
                                         const HatakeExecOptions *options,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  int          (*exec_finish)           (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*changes_async)         (HatakeEngine         *self,
                                         const char           *container,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*changes_finish)        (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*top_async)             (HatakeEngine         *self,
                                         const char           *container,
                                         const char           *ps_args,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*top_finish)            (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*container_archive_async) (HatakeEngine       *self,
                                         const char           *id,
                                         HatakeArchiveOp       op,
                                         const char           *path,
                                         GInputStream         *tar,
                                         HatakeArchiveFlags    flags,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  GInputStream *(*container_archive_finish) (HatakeEngine     *self,
                                         GAsyncResult         *result,
                                         JsonNode            **out_stat,
                                         GError              **error);

  void         (*attach_async)          (HatakeEngine         *self,
                                         const char           *container,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  HatakeAttach *(*attach_finish)        (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*stats_async)           (HatakeEngine         *self,
                                         const char           *container,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*stats_finish)          (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void         (*watch_stats)           (HatakeEngine         *self,
                                         HatakeContainer      *container);
  void         (*unwatch_stats)         (HatakeEngine         *self,
                                         HatakeContainer      *container);
  void         (*volume_op_async)       (HatakeEngine         *self,
                                         HatakeVolumeOp        op,
                                         const HatakeVolumeOpArgs *args,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*volume_op_finish)      (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);

  void         (*network_op_async)      (HatakeEngine         *self,
                                         HatakeNetworkOp       op,
                                         const HatakeNetworkOpArgs *args,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*network_op_finish)     (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);

  void         (*disk_usage_async)      (HatakeEngine         *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  JsonNode    *(*disk_usage_finish)     (HatakeEngine         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
};

GListModel  *hatake_engine_get_images           (HatakeEngine         *self);
/* The compose projects among the engine's containers, live (made on first use, owned by the
 * engine): the same on every engine, as it is read from the containers' labels. */
HatakeProjects *hatake_engine_get_projects      (HatakeEngine         *self);
const char  *hatake_engine_get_description      (HatakeEngine         *self);
HatakeImage *hatake_engine_lookup_image         (HatakeEngine         *self,
                                                 const char           *reference);
void         hatake_engine_pull_async           (HatakeEngine         *self,
                                                 const char           *reference,
                                                 const char           *platform,
                                                 HatakePull           *progress,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
HatakeImage *hatake_engine_pull_finish          (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void         hatake_engine_tag_image_async      (HatakeEngine         *self,
                                                 const char           *source,
                                                 const char           *target,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean     hatake_engine_tag_image_finish     (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void         hatake_engine_remove_image_async   (HatakeEngine         *self,
                                                 const char           *reference,
                                                 gboolean              force,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_remove_image_finish  (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void         hatake_engine_inspect_image_async  (HatakeEngine         *self,
                                                 const char           *reference,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_inspect_image_finish (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* Pushes the image REFERENCE (a tag) names to its registry, PROGRESS showing each layer (and
 * holding the credentials to use, if any). → {"Tag", "Digest", "Size"} of the manifest pushed. */
void         hatake_engine_push_async           (HatakeEngine         *self,
                                                 const char           *reference,
                                                 HatakePull           *progress,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_push_finish          (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* docker login's check: the credentials work on REGISTRY. Nothing is stored. */
void         hatake_engine_login_async          (HatakeEngine         *self,
                                                 const char           *registry,
                                                 const char           *username,
                                                 const char           *password,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean     hatake_engine_login_finish         (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* docker save: a tar (docker's and OCI's layout) of the images REFERENCES name, as it is written. */
void         hatake_engine_save_images_async    (HatakeEngine         *self,
                                                 const char * const   *references,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GInputStream *hatake_engine_save_images_finish  (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* docker load: the images of TAR (docker save's or an OCI layout) into the store, tagged as it
 * says. → an array of docker's lines ("Loaded image: NAME:TAG", "Loaded image ID: ID"). */
void         hatake_engine_load_images_async    (HatakeEngine         *self,
                                                 GInputStream         *tar,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_load_images_finish   (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void         hatake_engine_image_history_async  (HatakeEngine         *self,
                                                 const char           *reference,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_image_history_finish (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
GListModel  *hatake_engine_get_containers       (HatakeEngine         *self);
HatakeContainer *hatake_engine_lookup_container (HatakeEngine         *self,
                                                 const char           *id_or_name);
void         hatake_engine_create_container_async (HatakeEngine       *self,
                                                 const HatakeContainerConfig *config,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
HatakeContainer *hatake_engine_create_container_finish (HatakeEngine  *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void         hatake_engine_container_op_async   (HatakeEngine         *self,
                                                 const char           *container,
                                                 HatakeContainerOp     op,
                                                 const HatakeContainerOpArgs *args,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_container_op_finish  (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void         hatake_engine_inspect_container_async (HatakeEngine      *self,
                                                 const char           *container,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_inspect_container_finish (HatakeEngine     *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void         hatake_engine_rename_container_async (HatakeEngine       *self,
                                                 const char           *container,
                                                 const char           *name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean     hatake_engine_rename_container_finish (HatakeEngine      *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* docker update: the container's limits (its cgroup's too, while it runs) and restart policy */
void         hatake_engine_update_container_async (HatakeEngine       *self,
                                                 const char           *container,
                                                 const HatakeContainerUpdate *update,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean     hatake_engine_update_container_finish (HatakeEngine      *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* Delivers the container's log entries to func; with options->follow, until it exits. */
void         hatake_engine_container_logs_async (HatakeEngine         *self,
                                                 const char           *container,
                                                 const HatakeLogOptions *options,
                                                 HatakeLogFunc         func,
                                                 gpointer              func_data,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean     hatake_engine_container_logs_finish (HatakeEngine        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void         hatake_engine_exec_async           (HatakeEngine         *self,
                                                 const char           *container,
                                                 const HatakeExecOptions *options,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
int          hatake_engine_exec_finish          (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* docker diff: [{"Path": "/etc", "Kind": 0}…], Kind 0 modified, 1 added, 2 deleted */
void         hatake_engine_changes_async        (HatakeEngine         *self,
                                                 const char           *container,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_changes_finish       (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* docker top: ps_args NULL for docker's default (ps -ef's columns), else the host's ps run with
 * them (split at spaces, as docker's daemon does), its lines of the container's processes */
void         hatake_engine_top_async            (HatakeEngine         *self,
                                                 const char           *container,
                                                 const char           *ps_args,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_top_finish           (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* docker cp and export: OP on PATH inside the container (PATH unused for EXPORT); TAR is what PUT
 * extracts. The finish gives GET's and EXPORT's tar as a stream being written (read it to the
 * end, or close it to stop), and STAT's and GET's stat of PATH. */
void         hatake_engine_container_archive_async (HatakeEngine      *self,
                                                 const char           *id,
                                                 HatakeArchiveOp       op,
                                                 const char           *path,
                                                 GInputStream         *tar,
                                                 HatakeArchiveFlags    flags,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GInputStream *hatake_engine_container_archive_finish (HatakeEngine     *self,
                                                 GAsyncResult         *result,
                                                 JsonNode            **out_stat,
                                                 GError              **error);
/* Connects to a running container's stdio (it must have a terminal or an open stdin); to a
 * created one's from before its process runs, once it is started (docker attaches first). */
void         hatake_engine_attach_async         (HatakeEngine         *self,
                                                 const char           *container,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
HatakeAttach *hatake_engine_attach_finish       (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* One sample of the container's resource use, in docker's stats shape. */
void         hatake_engine_stats_async          (HatakeEngine         *self,
                                                 const char           *container,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_stats_finish         (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* While watched (counted), the container's cpu-percent, memory-usage, memory-limit and pids
 * properties follow its resource use, once a second; nothing is sampled otherwise. */
void         hatake_engine_watch_stats          (HatakeEngine         *self,
                                                 HatakeContainer      *container);
void         hatake_engine_unwatch_stats        (HatakeEngine         *self,
                                                 HatakeContainer      *container);
void         hatake_engine_volume_op_async      (HatakeEngine         *self,
                                                 HatakeVolumeOp        op,
                                                 const HatakeVolumeOpArgs *args,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
void         hatake_engine_network_op_async     (HatakeEngine         *self,
                                                 HatakeNetworkOp       op,
                                                 const HatakeNetworkOpArgs *args,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_network_op_finish    (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
JsonNode    *hatake_engine_volume_op_finish     (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void         hatake_engine_disk_usage_async     (HatakeEngine         *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *hatake_engine_disk_usage_finish    (HatakeEngine         *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
