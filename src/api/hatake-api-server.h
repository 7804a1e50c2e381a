/* hatake-api-server.h: the Docker Engine API, served for an engine on a Unix socket
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the docker CLI, docker-compose and the Docker SDKs speak (API 1.44; older clients
 * negotiate down), on libsoup's SoupServer: versioned and unversioned paths, docker's status
 * codes and error bodies ({"message": …}), streams (pull progress, logs, wait) as chunked
 * responses, and attach as a hijacked connection. Every request goes through the HatakeEngine
 * interface: the API and the engine's models are one truth.
 */
#pragma once

#include <gio/gio.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_API_VERSION     "1.44"
#define HATAKE_API_MIN_VERSION "1.24"

#define HATAKE_TYPE_API_SERVER (hatake_api_server_get_type ())
G_DECLARE_FINAL_TYPE (HatakeApiServer, hatake_api_server, HATAKE, API_SERVER, GObject)

HatakeApiServer *hatake_api_server_new          (HatakeEngine     *engine);
/* Listens on a Unix socket at PATH (mode 0660, group "hatake" where it exists). A socket file
 * left by a server that is gone is replaced; one that answers is G_IO_ERROR_ADDRESS_IN_USE. */
gboolean         hatake_api_server_listen_unix  (HatakeApiServer  *self,
                                                 const char       *path,
                                                 GError          **error);
HatakeEngine    *hatake_api_server_get_engine   (HatakeApiServer  *self);
/* Says, in DATA_ROOT/api-socket, where this server listens: the `hatake` commands on that data
 * root use the engine through it (DESIGN.md: one owner per data root). Removed at dispose. */
/* HOST's addresses on PORT, over TLS with CERTIFICATE, for clients showing a certificate that CA
 * signed (there is no TCP without that) */
gboolean         hatake_api_server_listen_tls   (HatakeApiServer  *self,
                                                 const char       *host,
                                                 guint16           port,
                                                 GTlsCertificate  *certificate,
                                                 GTlsDatabase     *ca,
                                                 GError          **error);
gboolean         hatake_api_server_publish      (HatakeApiServer  *self,
                                                 const char       *data_root,
                                                 GError          **error);

/* The volume (VOLUMES) or network list LIST, as GET /volumes or /networks give it, filtered in
 * place as their ?filters= filter it, by FILTERS (KEY=VALUE, as docker's --filter): for the CLI's
 * lists of a local engine. G_IO_ERROR_INVALID_ARGUMENT names a key that list has not. */
gboolean         hatake_api_filter_list         (JsonArray           *list,
                                                 gboolean             volumes,
                                                 const char * const  *filters,
                                                 GError             **error);

G_END_DECLS
