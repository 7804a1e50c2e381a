/* hatake-client.h: HTTP to a Docker Engine API server (libsoup, async)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "hatake-soup.h"

#include "hatake-endpoint.h"

G_BEGIN_DECLS

/* The API version spoken: the newest that dockerd 20.10, podman 4 and hatake serve all answer. */
#define HATAKE_CLIENT_API_VERSION "1.41"

#define HATAKE_TYPE_CLIENT (hatake_client_get_type ())
G_DECLARE_FINAL_TYPE (HatakeClient, hatake_client, HATAKE, CLIENT, GObject)

/* A client of the engine at ENDPOINT (unix://, tcp:// with or without TLS, ssh://). Fails when
 * the address is not one, or its TLS files cannot be read; nothing is connected yet. */
HatakeClient *hatake_client_new             (const HatakeEndpoint *endpoint,
                                             GError              **error);
HatakeClient *hatake_client_new_unix        (const char           *socket_path);
/* The endpoint's host as given (unix:///PATH, tcp://HOST:PORT, ssh://USER@HOST) */
const char   *hatake_client_get_host        (HatakeClient         *self);

/* A connection to the engine of its own (TLS done, for tcp:// with TLS), for a request whose
 * connection the server takes over (attach, exec start). */
void          hatake_client_connect_async   (HatakeClient         *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GIOStream    *hatake_client_connect_finish  (HatakeClient         *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* The error a response of STATUS with BODY stands for: docker's {"message": …}, else the body's
 * text, else the status; its code from the status (see hatake_client_request_async) */
GError       *hatake_client_error_from_response (guint             status,
                                                 const char       *reason,
                                                 GBytes           *body);

/* PATH is the API's (with its query, without the version). BODY (may be NULL) is sent as JSON;
 * HEADERS (may be NULL) are added to the request. The answer is the response's JSON, NULL for an
 * empty one; a status of 400 or more fails with the server's message as a HatakeError
 * (404 → NOT_FOUND, 409 → CONFLICT, 400 → CONFIG, 401 → UNAUTHORIZED, 501 → UNSUPPORTED). */
void          hatake_client_request_async   (HatakeClient         *self,
                                             const char           *method,
                                             const char           *path,
                                             JsonNode             *body,
                                             SoupMessageHeaders   *headers,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
JsonNode     *hatake_client_request_finish  (HatakeClient         *self,
                                             GAsyncResult         *result,
                                             guint                *out_status,
                                             GError              **error);

/* A response read as it comes (logs, events, pulls, archives). UPLOAD (may be NULL) is sent as
 * the body with CONTENT_TYPE; else BODY as JSON. The finish gives the stream once the headers are
 * in (an error status fails as above) and, if asked, the message (its response headers). */
void          hatake_client_stream_async    (HatakeClient         *self,
                                             const char           *method,
                                             const char           *path,
                                             JsonNode             *body,
                                             GInputStream         *upload,
                                             const char           *content_type,
                                             SoupMessageHeaders   *headers,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GInputStream *hatake_client_stream_finish   (HatakeClient         *self,
                                             GAsyncResult         *result,
                                             SoupMessage         **out_message,
                                             GError              **error);

/* A path with its query: KEY, VALUE pairs (NULL-terminated; a NULL value leaves the key out),
 * each value escaped. */
char         *hatake_client_path            (const char           *path,
                                             ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
