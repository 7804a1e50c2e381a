/* hatake-client-engine.h: the HatakeEngine of an engine behind the Docker Engine API
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-endpoint.h"
#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_CLIENT_ENGINE (hatake_client_engine_get_type ())
G_DECLARE_FINAL_TYPE (HatakeClientEngine, hatake_client_engine, HATAKE, CLIENT_ENGINE, GObject)

/* The engine at ENDPOINT (hatake serve, dockerd, podman's service; on a Unix socket, tcp:// with
 * or without TLS, or ssh://). Fails when the endpoint cannot be used (see hatake_client_new());
 * nothing is read before hatake_client_engine_connect_async(). */
HatakeClientEngine *hatake_client_engine_new          (const HatakeEndpoint *endpoint,
                                                       GError              **error);
/* The engine on the Unix socket SOCKET_PATH */
HatakeClientEngine *hatake_client_engine_new_unix     (const char           *socket_path);

/* Reads the engine's images and containers into the models, then follows its events: the models
 * stay live, and a dropped connection is retried with backoff (the models refreshed on return). */
void                hatake_client_engine_connect_async  (HatakeClientEngine   *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean            hatake_client_engine_connect_finish (HatakeClientEngine   *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Whether the connect reads the engine's container list (TRUE by default). Without it the
 * containers model holds only what the caller's calls bring: those it creates or acts on, kept
 * current by their events (`run` and `create` need no other; the list costs an inspect of every
 * container the engine has, before the first call). Set before connecting. */
void                hatake_client_engine_set_list_containers (HatakeClientEngine *self,
                                                              gboolean            list);

/* The engine that owns DATA_ROOT when it serves the API (DATA_ROOT/api-socket, written by hatake
 * serve and the app), as "unix://PATH" if its socket answers; NULL otherwise. Blocking: a file
 * read and a local connect. */
char               *hatake_client_owner_host            (const char           *data_root);
/* Whether a Unix socket at PATH answers (blocking: a local connect). */
gboolean            hatake_client_socket_answers        (const char           *path);

/* Stops following the events (the models stay as they are). */
void                hatake_client_engine_disconnect     (HatakeClientEngine   *self);

G_END_DECLS
