/* hatake-client-engine-private.h: shared by the files of the client engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-client.h"
#include "hatake-client-engine.h"

G_BEGIN_DECLS

struct _HatakeClientEngine
{
  GObject       parent_instance;

  HatakeClient *client;
  GListStore   *containers;
  GListStore   *images;
  char         *description;
  GCancellable *events_cancellable;   /* the event stream followed; NULL when not connected */
  guint         reconnect_timer;
  guint         backoff_ms;
  struct _HatakeStatsWatcher *stats;  /* the watched containers' resource use, from the API's stats */
  GHashTable   *waits_registering;    /* container ID → GPtrArray of calls held until its waits are in */
  GHashTable   *removed;              /* IDs of the containers dropped as removed: an answer sent
                                       * before their removal and read after it brings none back */
  gboolean      one_off;              /* the connect reads no list and follows no event */
};

/* A name or ID as one segment of a path */
static inline char *
_hatake_client_escape (const char *text)
{
  return g_uri_escape_string (text, NULL, FALSE);
}

/* What a call refreshes before it reports: the models are current when its callback runs. */
typedef enum
{
  HATAKE_CLIENT_REFRESH_NONE,
  HATAKE_CLIENT_REFRESH_CONTAINER,    /* the one named */
  HATAKE_CLIENT_REFRESH_CONTAINERS,
  HATAKE_CLIENT_REFRESH_IMAGES,
} HatakeClientRefresh;

/* A request whose answer is the task's result (a JsonNode, or NULL); PATH is taken. */
void      _hatake_client_engine_call          (HatakeClientEngine  *self,
                                               gpointer             source_tag,
                                               const char          *method,
                                               char                *path,
                                               JsonNode            *body,
                                               SoupMessageHeaders  *headers,
                                               HatakeClientRefresh  refresh,
                                               const char          *refresh_id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
JsonNode *_hatake_client_engine_json_finish   (HatakeEngine        *engine,
                                               GAsyncResult        *result,
                                               GError             **error);
gboolean  _hatake_client_engine_bool_finish   (HatakeEngine        *engine,
                                               GAsyncResult        *result,
                                               GError             **error);
/* Container ID out of the model (known to be gone) */
void      _hatake_client_engine_drop_container (HatakeClientEngine *self,
                                                const char         *id);
/* The models brought up to date; the callback gets a boolean task */
void      _hatake_client_engine_refresh_async (HatakeClientEngine  *self,
                                               HatakeClientRefresh  what,
                                               const char          *id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* docker's X-Registry-Auth for the credentials PROGRESS holds ("{}" without) */
SoupMessageHeaders *_hatake_client_registry_auth (HatakePull   *progress);
/* A stream of JSON lines (pull, push, load): each object to LINE_FUNC until the end; an
 * {"error"} line fails the task */
typedef void (*HatakeClientLineFunc) (JsonObject *line,
                                      gpointer    user_data);
void      _hatake_client_read_lines_async     (GInputStream        *stream,
                                               HatakeClientLineFunc line_func,
                                               gpointer             line_data,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  _hatake_client_read_lines_finish    (GAsyncResult        *result,
                                               GError             **error);

void      _hatake_client_engine_images_iface_init (HatakeEngineInterface *iface);
/* hatake-client-hijack.c */
void      _hatake_client_engine_exec_async    (HatakeEngine            *engine,
                                               const char              *container,
                                               const HatakeExecOptions *options,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
int       _hatake_client_engine_exec_finish   (HatakeEngine            *engine,
                                               GAsyncResult            *result,
                                               GError                 **error);
void      _hatake_client_engine_attach_async  (HatakeEngine            *engine,
                                               const char              *container,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
HatakeAttach *_hatake_client_engine_attach_finish (HatakeEngine        *engine,
                                               GAsyncResult            *result,
                                               GError                 **error);

/* hatake-client-engine-wait.c: container ID → the waits on their way and the starts held */
GHashTable *_hatake_client_engine_new_waits   (void);
/* POST PATH (taken): a wait on container ID, which the engine has once its headers are in;
 * REMOVED: its condition is "removed" */
void      _hatake_client_engine_wait_async    (HatakeClientEngine  *self,
                                               gpointer             source_tag,
                                               char                *path,
                                               const char          *id,
                                               gboolean             removed,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* A start (POST PATH) of container ID held until its waits are in: TRUE (PATH taken), or FALSE
 * when none is on its way (nothing taken: the caller sends it) */
gboolean  _hatake_client_engine_hold_start    (HatakeClientEngine  *self,
                                               gpointer             source_tag,
                                               char                *path,
                                               const char          *id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);

G_END_DECLS
