/* hatake-api-private.h: shared by the files of the API server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "hatake-soup.h"

#include "hatake-api-server.h"

G_BEGIN_DECLS

/* g_strv_builder_take() is GLib 2.80 */
static inline void
strv_builder_take (GStrvBuilder *builder,
                   char         *value)
{
  g_strv_builder_add (builder, value);
  g_free (value);
}

/* One request being answered later: the message is paused and held until a reply. */
typedef struct
{
  HatakeApiServer   *server;
  HatakeEngine      *engine;
  SoupServerMessage *msg;
  GHashTable        *query;    /* owned copy */
  GStrv              path;     /* the segments after the version */
  gboolean           streaming;
  gboolean           finished;     /* libsoup is done with the message (sent, or the client gone) */
  gulong             finished_id;
  gulong             disconnected_id;
  GCancellable      *cancellable;  /* cancelled when the client goes away */
  GSource           *gone_watch;   /* the connection, for its client's end while nothing is written */
  HatakeFlow        *flow;         /* a stream's: held while too much of it waits to be written */
  gsize              queued;       /* bytes of the stream handed to libsoup, not yet written */
  gulong             wrote_id;
} HatakeApiRequest;

HatakeApiRequest *hatake_api_request_new          (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   GHashTable        *query,
                                                   GStrv              path);
void              hatake_api_request_free         (HatakeApiRequest  *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeApiRequest, hatake_api_request_free)

/* Final answers; each frees the request. */
void              hatake_api_request_reply_json   (HatakeApiRequest  *request,
                                                   guint              status,
                                                   JsonNode          *node);
void              hatake_api_request_reply_error  (HatakeApiRequest  *request,
                                                   const GError      *error);
void              hatake_api_request_reply_status (HatakeApiRequest  *request,
                                                   guint              status);
/* TEXT is taken */
void              hatake_api_request_reply_text   (HatakeApiRequest  *request,
                                                   guint              status,
                                                   const char        *content_type,
                                                   char              *text);
void              hatake_api_request_reply_result (HatakeApiRequest  *request,
                                                   JsonNode          *node,
                                                   const GError      *error);
void              hatake_api_request_reply_done   (HatakeApiRequest  *request,
                                                   guint              status,
                                                   const GError      *error);
/* Streams: headers first, then chunks, then the end (which frees the request). */
void              hatake_api_request_begin_stream (HatakeApiRequest  *request,
                                                   const char        *content_type);
void              hatake_api_request_write        (HatakeApiRequest  *request,
                                                   const void        *data,
                                                   gsize              length);
void              hatake_api_request_write_json   (HatakeApiRequest  *request,
                                                   JsonNode          *node);
void              hatake_api_request_end_stream   (HatakeApiRequest  *request);

/* Immediate answers. */
void              hatake_api_reply_json           (SoupServerMessage *msg,
                                                   guint              status,
                                                   JsonNode          *node);
void              hatake_api_reply_message        (SoupServerMessage *msg,
                                                   guint              status,
                                                   const char        *message);
void              hatake_api_reply_error          (SoupServerMessage *msg,
                                                   const GError      *error);
guint             hatake_api_status_for_error     (const GError      *error);

JsonNode         *hatake_api_body_json            (SoupServerMessage *msg,
                                                   gboolean           required,
                                                   GError           **error);
/* What hatake_api_body_json() makes of a body's bytes: the document, JSON null for an empty
 * body that is not required, or NULL and an error. */
JsonNode         *hatake_api_parse_json           (const char        *data,
                                                   gsize              length,
                                                   gboolean           required,
                                                   GError           **error);
const char       *hatake_api_query                (GHashTable        *query,
                                                   const char        *key);
gboolean          hatake_api_query_bool           (GHashTable        *query,
                                                   const char        *key,
                                                   gboolean           fallback);
/* docker's filters={"key":["value",…]} (or the old {"key":{"value":true}}): key → GStrv. */
GHashTable       *hatake_api_query_filters        (GHashTable        *query,
                                                   GError           **error);
/* ?filters= for an endpoint that acts on what it matches (the prunes): a key not in known is
 * refused ("invalid filter 'key'"), where ignoring it would widen what is deleted. */
GHashTable       *hatake_api_query_filters_only   (GHashTable        *query,
                                                   const char * const *known,
                                                   GError           **error);
JsonNode         *hatake_api_object_node          (JsonObject        *object);
/* A label filter's "key" or "key=value" (docker's MatchKVList, one entry) holds for what
 * lookup (owner, key) finds. */
typedef const char *(*HatakeApiLabelLookup) (gpointer owner, const char *key);
gboolean          hatake_api_label_holds          (const char        *filter,
                                                   HatakeApiLabelLookup lookup,
                                                   gpointer           owner);
/* "/v1.44/containers/json" → {"containers", "json"}; NULL and an error for an API version out of
 * range. */
GStrv             hatake_api_split_path           (const char        *path,
                                                   GError           **error);

/* The route tables; each returns FALSE when the path is not theirs. */
gboolean          hatake_api_containers_route     (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   const char        *method,
                                                   GStrv              path,
                                                   GHashTable        *query);
gboolean          hatake_api_objects_route        (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   const char        *method,
                                                   GStrv              path,
                                                   GHashTable        *query);
/* hatake-api-archive.c: docker cp and export; large uploads and downloads */
gboolean          hatake_api_archive_route        (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   const char        *method,
                                                   GStrv              path,
                                                   GHashTable        *query);
void              hatake_api_images_save          (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   GStrv              path,
                                                   GHashTable        *query,
                                                   const char        *name);
void              hatake_api_images_load          (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   GStrv              path,
                                                   GHashTable        *query);
gboolean          hatake_api_archive_wants_spool  (const char        *method,
                                                   GStrv              path);
void              hatake_api_spool_body           (SoupServerMessage *msg);
/* The request's body: from its spool file when it has one, else from memory. */
GInputStream     *hatake_api_body_stream          (SoupServerMessage *msg,
                                                   GError           **error);
/* Streams IN as the response, one chunk read when the last one is written; ends the request. */
void              hatake_api_request_send_stream  (HatakeApiRequest  *request,
                                                   const char        *content_type,
                                                   GInputStream      *in);

/* hatake-api-transfer.c: pull, push and login */
void              hatake_api_images_pull          (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   GStrv              path,
                                                   GHashTable        *query);
void              hatake_api_images_push          (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   GStrv              path,
                                                   GHashTable        *query,
                                                   const char        *name);
void              hatake_api_auth                 (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   GStrv              path,
                                                   GHashTable        *query);

/* /events (hatake-api-events.c): docker's events, made from the engine's models */
#define HATAKE_TYPE_API_EVENTS (hatake_api_events_get_type ())
G_DECLARE_FINAL_TYPE (HatakeApiEvents, hatake_api_events, HATAKE, API_EVENTS, GObject)

HatakeApiEvents  *hatake_api_events_new           (HatakeEngine      *engine);
void              hatake_api_events_serve         (HatakeApiEvents   *self,
                                                   HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   GStrv              path,
                                                   GHashTable        *query);

/* hatake-api-hijack.c: a connection taken over from libsoup (attach, exec start) */
typedef struct _HatakeApiHijack HatakeApiHijack;
typedef void (*HatakeApiHijackInput) (const char *data,
                                      gsize       length,
                                      gpointer    user_data);

HatakeApiHijack  *hatake_api_hijack_new           (SoupServerMessage *msg,
                                                   const char        *content_type);
GCancellable     *hatake_api_hijack_get_cancellable (HatakeApiHijack *self);
/* held while more than the stream's high water mark waits to be written to the client */
HatakeFlow       *hatake_api_hijack_get_flow      (HatakeApiHijack   *self);
void              hatake_api_hijack_write         (HatakeApiHijack   *self,
                                                   const void        *data,
                                                   gsize              length);
void              hatake_api_hijack_write_frame   (HatakeApiHijack   *self,
                                                   gboolean           multiplexed,
                                                   guint8             stream,
                                                   const void        *data,
                                                   gsize              length);
void              hatake_api_hijack_end           (HatakeApiHijack   *self);
void              hatake_api_hijack_read          (HatakeApiHijack   *self,
                                                   HatakeApiHijackInput input,
                                                   gpointer           input_data);

/* hatake-api-exec.c: /containers/{id}/exec and /exec/… */
gboolean          hatake_api_exec_route           (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   const char        *method,
                                                   GStrv              path,
                                                   GHashTable        *query);
GHashTable       *hatake_api_server_get_execs     (HatakeApiServer   *server);
GHashTable       *hatake_api_exec_table_new       (void);
/* containers/json's summaries, kept as text (hatake-api-containers.c); cleared by network changes */
GHashTable       *hatake_api_summary_cache_new    (void);
GHashTable       *hatake_api_server_get_summary_cache (HatakeApiServer *server);
/* container id → its HatakeAttach while a client is attached with stdin (for resize) */
GHashTable       *hatake_api_server_get_attaches  (HatakeApiServer   *server);

/* containers/{id}/attach: the connection is taken over (docker's hijack). */
void              hatake_api_containers_attach    (HatakeApiServer   *server,
                                                   SoupServerMessage *msg,
                                                   const char        *id,
                                                   GHashTable        *query);

G_END_DECLS
