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

/* For a one-off command (`run`, `create`): the connect only checks that the engine answers; it
 * reads neither the container nor the image list and follows no event, so the models hold only
 * what the caller's calls bring in, as of their answers. The lists cost an inspect of every
 * container the engine has, the images' JSON, and the events an inspect of each container that
 * changes, all while the command waits; the engine writes each event to it as well. FALSE by
 * default; set before connecting. */
void                hatake_client_engine_set_one_off    (HatakeClientEngine   *self,
                                                         gboolean              one_off);

/* The engine that owns DATA_ROOT when it serves the API (DATA_ROOT/api-socket, written by hatake
 * serve and the app), as "unix://PATH" if its socket answers; NULL otherwise. Blocking: a file
 * read and a local connect. */
char               *hatake_client_owner_host            (const char           *data_root);
/* Whether a Unix socket at PATH answers (blocking: a local connect). */
gboolean            hatake_client_socket_answers        (const char           *path);

/* Stops following the events (the models stay as they are). */
void                hatake_client_engine_disconnect     (HatakeClientEngine   *self);

G_END_DECLS
