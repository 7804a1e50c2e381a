/* hatake-api-server.c: the socket, routing, replies, and the system endpoints
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-api"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hatake-api-private.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-passwd.h"

struct _HatakeApiServer
{
  GObject       parent_instance;

  HatakeEngine *engine;
  SoupServer   *soup;
  char         *socket_path;
  char         *published;    /* DATA_ROOT/api-socket, ours */
  HatakeApiEvents *events;
  GHashTable   *execs;        /* exec instances by id */
  GHashTable   *attaches;     /* container id → HatakeAttach */
  GHashTable   *summaries;    /* containers/json's, by container id */
  guint         trim_timer;
  dev_t         socket_dev;   /* the socket file we made: only that one is removed at the end */
  ino_t         socket_ino;
  GHashTable   *idle;         /* GSocket → GSource: kept-alive connections between requests */
  GCancellable *group_lookup; /* getent's, for the socket's group */
};

G_DEFINE_FINAL_TYPE (HatakeApiServer, hatake_api_server, G_TYPE_OBJECT)

/* Whether PATH is still the socket file this server made */
static gboolean
is_our_socket (HatakeApiServer *self,
               const char      *path)
{
  struct stat st;

  return stat (path, &st) == 0 && st.st_dev == self->socket_dev && st.st_ino == self->socket_ino;
}

/* Stops serving: the socket goes, connections close, and every stream under way ends (they
 * hold the server, so run_dispose() is how an owner lets it go). */
static void
hatake_api_server_dispose (GObject *object)
{
  HatakeApiServer *self = (HatakeApiServer *) object;

  g_cancellable_cancel (self->group_lookup);
  /* the streams end while their connections are still there */
  if (self->events != NULL)
    g_object_run_dispose (G_OBJECT (self->events));
  g_clear_object (&self->events);
  if (self->idle != NULL)
    g_hash_table_remove_all (self->idle);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  /* (a server started since on the same path has its own file there) */
  if (self->socket_path != NULL && is_our_socket (self, self->socket_path))
    g_unlink (self->socket_path);
  if (self->published != NULL)
    {
      g_autofree char *contents = NULL;

      /* (unless another server has published itself there since) */
      if (g_file_get_contents (self->published, &contents, NULL, NULL) && self->socket_path != NULL &&
          g_str_equal (g_strstrip (contents), self->socket_path))
        g_unlink (self->published);
    }
  g_clear_pointer (&self->published, g_free);
  g_clear_pointer (&self->socket_path, g_free);
  G_OBJECT_CLASS (hatake_api_server_parent_class)->dispose (object);
}

static void
hatake_api_server_finalize (GObject *object)
{
  HatakeApiServer *self = (HatakeApiServer *) object;

  g_clear_handle_id (&self->trim_timer, g_source_remove);
  g_clear_object (&self->soup);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->execs, g_hash_table_unref);
  g_clear_pointer (&self->attaches, g_hash_table_unref);
  g_clear_pointer (&self->summaries, g_hash_table_unref);
  g_clear_pointer (&self->idle, g_hash_table_unref);
  g_clear_object (&self->group_lookup);
  G_OBJECT_CLASS (hatake_api_server_parent_class)->finalize (object);
}

static void
hatake_api_server_class_init (HatakeApiServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hatake_api_server_dispose;
  G_OBJECT_CLASS (klass)->finalize = hatake_api_server_finalize;
}

static void
hatake_api_server_init (HatakeApiServer *self)
{
  hatake_soup_ensure ();
  self->group_lookup = g_cancellable_new ();
}

GHashTable *
hatake_api_server_get_summary_cache (HatakeApiServer *self)
{
  return self->summaries;
}

GHashTable *
hatake_api_server_get_attaches (HatakeApiServer *self)
{
  return self->attaches;
}

GHashTable *
hatake_api_server_get_execs (HatakeApiServer *self)
{
  return self->execs;
}

gboolean
hatake_api_server_publish (HatakeApiServer  *self,
                           const char       *data_root,
                           GError          **error)
{
  g_autofree char *path = g_build_filename (data_root, "api-socket", NULL);
  g_autofree char *text = NULL;

  g_return_val_if_fail (HATAKE_IS_API_SERVER (self), FALSE);
  g_return_val_if_fail (self->socket_path != NULL, FALSE);

  text = g_strconcat (self->socket_path, "\n", NULL);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  g_free (self->published);
  self->published = g_steal_pointer (&path);
  return TRUE;
}

HatakeEngine *
hatake_api_server_get_engine (HatakeApiServer *self)
{
  g_return_val_if_fail (HATAKE_IS_API_SERVER (self), NULL);
  return self->engine;
}

/* ---- replies ------------------------------------------------------------------------------ */

guint
hatake_api_status_for_error (const GError *error)
{
  if (error->domain == HATAKE_ERROR)
    switch ((HatakeError) error->code)
      {
      case HATAKE_ERROR_NOT_FOUND:
        return SOUP_STATUS_NOT_FOUND;
      case HATAKE_ERROR_CONFLICT:
      case HATAKE_ERROR_INVALID_STATE:
      case HATAKE_ERROR_STORE_LOCKED:
        return SOUP_STATUS_CONFLICT;
      case HATAKE_ERROR_INVALID_REFERENCE:
      case HATAKE_ERROR_CONFIG:
        return SOUP_STATUS_BAD_REQUEST;
      case HATAKE_ERROR_UNAUTHORIZED:
        return SOUP_STATUS_UNAUTHORIZED;
      case HATAKE_ERROR_UNSUPPORTED:
        return SOUP_STATUS_NOT_IMPLEMENTED;
      case HATAKE_ERROR_FAILED:
      case HATAKE_ERROR_DIGEST_MISMATCH:
      case HATAKE_ERROR_INVALID_MANIFEST:
      case HATAKE_ERROR_NO_MATCHING_PLATFORM:
      case HATAKE_ERROR_UNSAFE_LAYER:
      case HATAKE_ERROR_STORE_VERSION:
      case HATAKE_ERROR_REGISTRY:
      case HATAKE_ERROR_INSECURE:
      default:
        return SOUP_STATUS_INTERNAL_SERVER_ERROR;
      }
  if (error->domain == G_IO_ERROR)
    switch (error->code)
      {
      case G_IO_ERROR_NOT_FOUND:
        return SOUP_STATUS_NOT_FOUND;
      case G_IO_ERROR_EXISTS:
      case G_IO_ERROR_BUSY:
      case G_IO_ERROR_ADDRESS_IN_USE:
        return SOUP_STATUS_CONFLICT;
      case G_IO_ERROR_INVALID_ARGUMENT:
      case G_IO_ERROR_INVALID_DATA:
        return SOUP_STATUS_BAD_REQUEST;
      case G_IO_ERROR_PERMISSION_DENIED:
        return SOUP_STATUS_FORBIDDEN;
      default:
        return SOUP_STATUS_INTERNAL_SERVER_ERROR;
      }
  if (error->domain == JSON_PARSER_ERROR || error->domain == G_OPTION_ERROR)
    return SOUP_STATUS_BAD_REQUEST;
  return SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

JsonNode *
hatake_api_object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

gboolean
hatake_api_label_holds (const char          *filter,
                        HatakeApiLabelLookup lookup,
                        gpointer             owner)
{
  const char *eq = strchr (filter, '=');
  g_autofree char *key = g_strndup (filter, eq != NULL ? (gsize) (eq - filter) : strlen (filter));
  const char *value = lookup (owner, key);

  return value != NULL && (eq == NULL || g_str_equal (value, eq + 1));
}

static void
set_json_body (SoupServerMessage *msg,
               guint              status,
               JsonNode          *node)
{
  g_autofree char *text = NULL;
  gsize length = 0;

  if (node != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();

      json_generator_set_root (generator, node);
      text = json_generator_to_data (generator, &length);
      text = g_realloc (text, length + 2);
      text[length++] = '\n';
      text[length] = '\0';
    }
  soup_server_message_set_status (msg, status, NULL);
  if (node != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, g_steal_pointer (&text), length);
}

void
hatake_api_reply_json (SoupServerMessage *msg,
                       guint              status,
                       JsonNode          *node)
{
  set_json_body (msg, status, node);
}

void
hatake_api_reply_message (SoupServerMessage *msg,
                          guint              status,
                          const char        *message)
{
  JsonObject *object = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  json_object_set_string_member (object, "message", message);
  node = hatake_api_object_node (object);
  set_json_body (msg, status, node);
}

void
hatake_api_reply_error (SoupServerMessage *msg,
                        const GError      *error)
{
  hatake_api_reply_message (msg, hatake_api_status_for_error (error), error->message);
}

/* ---- requests answered later -------------------------------------------------------------- */

static void
on_message_finished (SoupServerMessage *msg,
                     gpointer           user_data)
{
  HatakeApiRequest *request = user_data;

  /* the client went away (or the reply went out): stop whatever still works for it */
  request->finished = TRUE;
  g_cancellable_cancel (request->cancellable);
}

static void
destroy_source (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

/* Whether the client has ended its side of SOCKET: EOF or an error (FALSE for "not yet" and for
 * bytes waiting, which are the next request's) */
static gboolean
client_ended (GSocket *socket, gboolean *more)
{
  char byte;
  gssize peeked = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  *more = peeked < 0 && (errno == EAGAIN || errno == EINTR);
  return peeked == 0 || (peeked < 0 && !*more);
}

static gboolean
on_client_readable (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  HatakeApiRequest *request = user_data;
  gboolean more;

  if (client_ended (socket, &more))
    {
      g_debug ("A client went away while its answer was under way: what works for it stops");
      g_cancellable_cancel (request->cancellable);
    }
  else if (more)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&request->gone_watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

HatakeApiRequest *
hatake_api_request_new (HatakeApiServer   *server,
                        SoupServerMessage *msg,
                        GHashTable        *query,
                        GStrv              path)
{
  HatakeApiRequest *request = g_new0 (HatakeApiRequest, 1);

  request->server = g_object_ref (server);
  request->engine = g_object_ref (server->engine);
  request->msg = g_object_ref (msg);
  request->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (query != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (request->query, g_strdup (key), g_strdup (value));
    }
  request->path = g_strdupv (path);
  request->cancellable = g_cancellable_new ();
  request->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_message_finished), request);
  request->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_message_finished), request);
  /* libsoup only learns of a client's end when it writes: a wait or an event stream with
   * nothing to say would hold the connection (and what works for it) for ever */
  if (soup_server_message_get_socket (msg) != NULL)
    {
      request->gone_watch = g_socket_create_source (soup_server_message_get_socket (msg),
                                                    G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (request->gone_watch, G_SOURCE_FUNC (on_client_readable), request, NULL);
      g_source_attach (request->gone_watch, NULL);
    }
  soup_server_message_pause (msg);
  return request;
}

void
hatake_api_request_free (HatakeApiRequest *request)
{
  if (request == NULL)
    return;
  g_clear_signal_handler (&request->finished_id, request->msg);
  g_clear_signal_handler (&request->disconnected_id, request->msg);
  g_clear_signal_handler (&request->wrote_id, request->msg);
  g_clear_object (&request->flow);
  if (request->gone_watch != NULL)
    destroy_source (g_steal_pointer (&request->gone_watch));
  g_cancellable_cancel (request->cancellable);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->msg);
  g_clear_object (&request->engine);
  g_clear_object (&request->server);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_strfreev (request->path);
  g_free (request);
}

void
hatake_api_request_reply_json (HatakeApiRequest *request,
                               guint             status,
                               JsonNode         *node)
{
  set_json_body (request->msg, status, node);
  soup_server_message_unpause (request->msg);
  hatake_api_request_free (request);
}

void
hatake_api_request_reply_error (HatakeApiRequest *request,
                                const GError     *error)
{
  if (request->streaming)
    {
      /* headers are out: docker's clients read the error from the stream */
      JsonObject *detail = json_object_new ();
      JsonObject *object = json_object_new ();
      g_autoptr(JsonNode) node = NULL;

      json_object_set_string_member (detail, "message", error->message);
      json_object_set_object_member (object, "errorDetail", detail);
      json_object_set_string_member (object, "error", error->message);
      node = hatake_api_object_node (object);
      hatake_api_request_write_json (request, node);
      hatake_api_request_end_stream (request);
      return;
    }
  hatake_api_reply_error (request->msg, error);
  soup_server_message_unpause (request->msg);
  hatake_api_request_free (request);
}

/* An engine call's answer: its JSON (200), or its error. */
void
hatake_api_request_reply_result (HatakeApiRequest *request,
                                 JsonNode         *node,
                                 const GError     *error)
{
  if (error != NULL)
    hatake_api_request_reply_error (request, error);
  else
    hatake_api_request_reply_json (request, SOUP_STATUS_OK, node);
}

/* An engine call that returns nothing: STATUS, or its error. */
void
hatake_api_request_reply_done (HatakeApiRequest *request,
                               guint             status,
                               const GError     *error)
{
  if (error != NULL)
    hatake_api_request_reply_error (request, error);
  else
    hatake_api_request_reply_status (request, status);
}

void
hatake_api_request_reply_text (HatakeApiRequest *request,
                               guint             status,
                               const char       *content_type,
                               char             *text)
{
  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_set_response (request->msg, content_type, SOUP_MEMORY_TAKE, text, strlen (text));
  soup_server_message_unpause (request->msg);
  hatake_api_request_free (request);
}

void
hatake_api_request_reply_status (HatakeApiRequest *request,
                                 guint             status)
{
  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_unpause (request->msg);
  hatake_api_request_free (request);
}

/* What a stream may have waiting for its client before its producer is held, and what it must
 * have drained to before it is let go again */
#define STREAM_HIGH_WATER (1024 * 1024)
#define STREAM_LOW_WATER  (256 * 1024)

static void
on_wrote_body_data (SoupServerMessage *msg,
                    guint              size,
                    gpointer           user_data)
{
  HatakeApiRequest *request = user_data;

  request->queued -= MIN (request->queued, size);
  if (request->queued <= STREAM_LOW_WATER)
    hatake_flow_set_held (request->flow, FALSE);
}

void
hatake_api_request_begin_stream (HatakeApiRequest *request,
                                 const char       *content_type)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);

  request->streaming = TRUE;
  /* a stream's chunks go once they are written: a SoupMessageBody keeps every chunk by default,
   * so a follower held all it was ever sent (1 GiB of logs, days of events), and finding the next
   * chunk to write walked them all (a 1 GiB log stream stalled the server at full CPU) */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (request->msg), FALSE);
  request->flow = hatake_flow_new ();
  request->wrote_id = g_signal_connect (request->msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), request);
  soup_server_message_set_status (request->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, content_type, NULL);
  soup_server_message_unpause (request->msg);
}

void
hatake_api_request_write (HatakeApiRequest *request,
                          const void       *data,
                          gsize             length)
{
  if (g_cancellable_is_cancelled (request->cancellable) || length == 0)
    return;
  soup_message_body_append (soup_server_message_get_response_body (request->msg), SOUP_MEMORY_COPY, data, length);
  request->queued += length;
  if (request->flow != NULL && request->queued > STREAM_HIGH_WATER)
    hatake_flow_set_held (request->flow, TRUE);
  soup_server_message_unpause (request->msg);
}

void
hatake_api_request_write_json (HatakeApiRequest *request,
                               JsonNode         *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  gsize length = 0;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);
  text = g_realloc (text, length + 2);
  text[length++] = '\n';
  hatake_api_request_write (request, text, length);
}

void
hatake_api_request_end_stream (HatakeApiRequest *request)
{
  /* (a client that went away as the socket told, not libsoup, still needs the message ended) */
  if (!request->finished)
    {
      soup_message_body_complete (soup_server_message_get_response_body (request->msg));
      soup_server_message_unpause (request->msg);
    }
  hatake_api_request_free (request);
}

/* ---- request parts ------------------------------------------------------------------------ */

JsonNode *
hatake_api_parse_json (const char  *data,
                       gsize        length,
                       gboolean     required,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (length > 0 && !json_parser_load_from_data (parser, data, length, error))
    {
      g_prefix_error (error, "invalid JSON: ");
      return NULL;
    }
  /* json-glib reads a body of only blanks or comments as no document at all (a NULL root) */
  root = length > 0 ? json_parser_get_root (parser) : NULL;
  if (root == NULL)
    {
      if (required)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "request body is empty");
      return required ? NULL : json_node_new (JSON_NODE_NULL);
    }
  return json_node_ref (root);
}

JsonNode *
hatake_api_body_json (SoupServerMessage *msg,
                      gboolean           required,
                      GError           **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  return hatake_api_parse_json (data, length, required, error);
}

const char *
hatake_api_query (GHashTable *query,
                  const char *key)
{
  return query != NULL ? g_hash_table_lookup (query, key) : NULL;
}

gboolean
hatake_api_query_bool (GHashTable *query,
                       const char *key,
                       gboolean    fallback)
{
  const char *value = hatake_api_query (query, key);
  g_autofree char *v = NULL;

  if (value == NULL)
    return fallback;
  /* docker's httputils.BoolValue: present and not one of the false spellings (an empty
   * ?force= is false, not a forced removal) */
  v = g_ascii_strdown (value, -1);
  g_strstrip (v);
  return !(*v == '\0' || g_str_equal (v, "0") || g_str_equal (v, "no") || g_str_equal (v, "false") ||
           g_str_equal (v, "none"));
}

/* Docker's filters.FromJSON: each member is a list of strings, or the older map of strings to
 * true. Any other shape (a number, a nested list…) is refused rather than read as nothing. */
static gboolean
filter_values (JsonNode    *node,
               GStrvBuilder *values)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    return hatake_json_array_add_strings (json_node_get_array (node), values);
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) inner = json_object_get_members (object);

      for (GList *k = inner; k != NULL; k = k->next)
        {
          JsonNode *member = json_object_get_member (object, k->data);

          if (json_node_get_value_type (member) != G_TYPE_BOOLEAN)
            return FALSE;
          g_strv_builder_add (values, k->data);
        }
      return TRUE;
    }
  return JSON_NODE_HOLDS_NULL (node);
}

GHashTable *
hatake_api_query_filters (GHashTable  *query,
                          GError     **error)
{
  const char *text = hatake_api_query (query, "filters");
  g_autoptr(GHashTable) filters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  g_autoptr(GList) keys = NULL;

  if (text == NULL || *text == '\0')
    return g_steal_pointer (&filters);
  if (!json_parser_load_from_data (parser, text, -1, NULL) || json_parser_get_root (parser) == NULL ||
      !hatake_json_root_is (parser, JSON_NODE_OBJECT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid filter: %s", text);
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  keys = json_object_get_members (object);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      g_autoptr(GStrvBuilder) values = g_strv_builder_new ();

      if (!filter_values (json_object_get_member (object, l->data), values))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "invalid filter '%s': values must be a list of strings", (const char *) l->data);
          return NULL;
        }
      g_hash_table_insert (filters, g_strdup (l->data), g_strv_builder_end (values));
    }
  return g_steal_pointer (&filters);
}

GHashTable *
hatake_api_query_filters_only (GHashTable         *query,
                               const char * const *known,
                               GError            **error)
{
  g_autoptr(GHashTable) filters = hatake_api_query_filters (query, error);
  GHashTableIter iter;
  gpointer key;

  if (filters == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, filters);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_strv_contains (known, key))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid filter '%s'", (const char *) key);
        return NULL;
      }
  return g_steal_pointer (&filters);
}

/* ---- system ------------------------------------------------------------------------------- */

static void
add_version_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Api-Version", HATAKE_API_VERSION);
  soup_message_headers_replace (headers, "Docker-Experimental", "false");
  soup_message_headers_replace (headers, "Ostype", "linux");
  soup_message_headers_replace (headers, "Server", "Hatake/" PACKAGE_VERSION " (linux)");
}

static const char *
go_arch (void)
{
  static struct utsname u;

  if (uname (&u) != 0)
    return "amd64";
  if (g_str_equal (u.machine, "x86_64"))
    return "amd64";
  if (g_str_equal (u.machine, "aarch64"))
    return "arm64";
  return u.machine;
}

static JsonNode *
version_node (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  struct utsname u = { 0 };

  uname (&u);
#define STR(k, v) (json_builder_set_member_name (b, k), json_builder_add_string_value (b, v))
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Platform");
  json_builder_begin_object (b);
  STR ("Name", "Hatake Engine");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "Components");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  STR ("Name", "Engine");
  STR ("Version", PACKAGE_VERSION);
  json_builder_set_member_name (b, "Details");
  json_builder_begin_object (b);
  STR ("ApiVersion", HATAKE_API_VERSION);
  STR ("MinAPIVersion", HATAKE_API_MIN_VERSION);
  STR ("Os", "linux");
  STR ("Arch", go_arch ());
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  STR ("Version", PACKAGE_VERSION);
  STR ("ApiVersion", HATAKE_API_VERSION);
  STR ("MinAPIVersion", HATAKE_API_MIN_VERSION);
  STR ("GitCommit", "");
  STR ("GoVersion", "none (C, GLib " G_STRINGIFY (GLIB_MAJOR_VERSION) "." G_STRINGIFY (GLIB_MINOR_VERSION) ")");
  STR ("Os", "linux");
  STR ("Arch", go_arch ());
  STR ("KernelVersion", u.release);
  json_builder_end_object (b);
#undef STR
  return json_builder_get_root (b);
}

static JsonNode *
info_node (HatakeApiServer *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GListModel *containers = hatake_engine_get_containers (self->engine);
  GListModel *images = hatake_engine_get_images (self->engine);
  guint running = 0, paused = 0, stopped = 0;
  struct utsname u = { 0 };
  char hostname[256] = "";

  uname (&u);
  gethostname (hostname, sizeof hostname - 1);
  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);

      switch (hatake_container_get_state (c))
        {
        case HATAKE_CONTAINER_RUNNING:
        case HATAKE_CONTAINER_RESTARTING:
          running++;
          break;
        case HATAKE_CONTAINER_PAUSED:
          paused++;
          break;
        case HATAKE_CONTAINER_CREATED:
        case HATAKE_CONTAINER_EXITED:
        case HATAKE_CONTAINER_REMOVING:
        case HATAKE_CONTAINER_REMOVED:
        case HATAKE_CONTAINER_DEAD:
        default:
          stopped++;
          break;
        }
    }
#define STR(k, v) (json_builder_set_member_name (b, k), json_builder_add_string_value (b, v))
#define INT(k, v) (json_builder_set_member_name (b, k), json_builder_add_int_value (b, v))
#define BOOL(k, v) (json_builder_set_member_name (b, k), json_builder_add_boolean_value (b, v))
  json_builder_begin_object (b);
  STR ("ID", hostname);
  INT ("Containers", g_list_model_get_n_items (containers));
  INT ("ContainersRunning", running);
  INT ("ContainersPaused", paused);
  INT ("ContainersStopped", stopped);
  INT ("Images", g_list_model_get_n_items (images));
  STR ("Driver", "overlay");
  json_builder_set_member_name (b, "DriverStatus");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Plugins");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Volume");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "local");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Network");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "bridge");
  json_builder_add_string_value (b, "host");
  json_builder_add_string_value (b, "null");
  json_builder_end_array (b);
  json_builder_end_object (b);
  BOOL ("MemoryLimit", TRUE);
  BOOL ("SwapLimit", FALSE);
  BOOL ("CpuCfsPeriod", TRUE);
  BOOL ("CpuCfsQuota", TRUE);
  BOOL ("PidsLimit", TRUE);
  BOOL ("IPv4Forwarding", TRUE);
  BOOL ("Debug", FALSE);
  INT ("NFd", 0);
  INT ("NGoroutines", 0);
  STR ("SystemTime", "");
  STR ("LoggingDriver", "k8s-file");
  STR ("CgroupDriver", "cgroupfs");
  STR ("CgroupVersion", g_file_test ("/sys/fs/cgroup/cgroup.controllers", G_FILE_TEST_EXISTS) ? "2" : "1");
  INT ("NEventsListener", 0);
  STR ("KernelVersion", u.release);
  STR ("OperatingSystem", "Hatake Engine");
  STR ("OSType", "linux");
  STR ("Architecture", u.machine);
  INT ("NCPU", g_get_num_processors ());
  INT ("MemTotal", sysconf (_SC_PHYS_PAGES) * (gint64) sysconf (_SC_PAGESIZE));
  STR ("IndexServerAddress", "https://index.docker.io/v1/");
  STR ("DockerRootDir", hatake_engine_get_description (self->engine));
  STR ("Name", hostname);
  STR ("ServerVersion", PACKAGE_VERSION);
  STR ("DefaultRuntime", "crun");
  json_builder_set_member_name (b, "Runtimes");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "Labels");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  BOOL ("ExperimentalBuild", FALSE);
  json_builder_set_member_name (b, "Swarm");
  json_builder_begin_object (b);
  STR ("NodeID", "");
  STR ("NodeAddr", "");
  STR ("LocalNodeState", "inactive");
  BOOL ("ControlAvailable", FALSE);
  STR ("Error", "");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "SecurityOptions");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "name=seccomp,profile=default");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Warnings");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
#undef STR
#undef INT
#undef BOOL
  return json_builder_get_root (b);
}

/* ---- memory ------------------------------------------------------------------------------- */

/* A burst of requests (a compose project, a hundred containers) leaves glibc's heap grown; when
 * the clients have been quiet for a while, it goes back to the system, so an idle server stays
 * small. */
static gboolean
on_quiet (gpointer user_data)
{
  HatakeApiServer *self = user_data;

  self->trim_timer = 0;
  malloc_trim (0);
  return G_SOURCE_REMOVE;
}

static void
note_activity (HatakeApiServer *self)
{
  g_clear_handle_id (&self->trim_timer, g_source_remove);
  self->trim_timer = g_timeout_add_seconds (2, on_quiet, self);
}

/* ---- routing ------------------------------------------------------------------------------ */

GStrv
hatake_api_split_path (const char  *path,
                       GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (path[0] == '/' ? path + 1 : path, "/", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  guint start = 0;

  if (parts[0] != NULL && parts[0][0] == 'v' && g_ascii_isdigit (parts[0][1]))
    {
      g_auto(GStrv) numbers = g_strsplit (parts[0] + 1, ".", 2);
      guint major = atoi (numbers[0]), minor = numbers[1] ? atoi (numbers[1]) : 0;

      if (major != 1 || minor > 44 || minor < 24)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "client version %s is %s than the server's supported API versions (%s to %s)",
                       parts[0] + 1, minor > 44 ? "newer" : "older", HATAKE_API_MIN_VERSION, HATAKE_API_VERSION);
          return NULL;
        }
      start = 1;
    }
  for (guint i = start; parts[i] != NULL; i++)
    if (*parts[i] != '\0' || parts[i + 1] != NULL)
      g_strv_builder_add (b, parts[i]);
  return g_strv_builder_end (b);
}

/* libsoup 3.2 drops the Content-Length of a 204 as it writes the headers (RFC 9110 forbids one),
 * and then takes the reply for one that ends at EOF: it closed the connection after every 204.
 * The docker CLI, reusing the connection for the second DELETE of `docker volume rm a b`, got a
 * reset (Go sends no DELETE again). The headers are out by now: this only says that no body
 * follows, so the connection is kept. */
static void
on_wrote_headers (SoupServerMessage *msg,
                  gpointer           user_data)
{
  guint status = soup_server_message_get_status (msg);

  if (status == SOUP_STATUS_NO_CONTENT || status == SOUP_STATUS_NOT_MODIFIED)
    soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg), SOUP_ENCODING_NONE);
}

/* With the headers, before the body is read. */
static void
handle_early (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *raw_path,
              GHashTable        *query,
              gpointer           user_data)
{
  g_auto(GStrv) path = hatake_api_split_path (raw_path, NULL);

  g_signal_connect (msg, "wrote-headers", G_CALLBACK (on_wrote_headers), NULL);
  if (path != NULL && hatake_api_archive_wants_spool (soup_server_message_get_method (msg), path))
    hatake_api_spool_body (msg);
}

static void
handle (SoupServer        *soup,
        SoupServerMessage *msg,
        const char        *raw_path,
        GHashTable        *query,
        gpointer           user_data)
{
  HatakeApiServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) path = hatake_api_split_path (raw_path, &error);
  guint n;

  add_version_headers (msg);
  note_activity (self);
  if (path == NULL)
    {
      hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  g_debug ("%s %s", method, raw_path);
  n = g_strv_length (path);
  if (n == 1 && g_str_equal (path[0], "_ping"))
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      soup_message_headers_replace (headers, "Cache-Control", "no-cache, no-store, must-revalidate");
      soup_message_headers_replace (headers, "Pragma", "no-cache");
      soup_message_headers_replace (headers, "Builder-Version", "");
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      if (g_str_equal (method, "GET"))
        soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC, "OK", 2);
      return;
    }
  if (n == 1 && g_str_equal (path[0], "version") && g_str_equal (method, "GET"))
    {
      g_autoptr(JsonNode) node = version_node ();

      hatake_api_reply_json (msg, SOUP_STATUS_OK, node);
      return;
    }
  if (n == 1 && g_str_equal (path[0], "info") && g_str_equal (method, "GET"))
    {
      g_autoptr(JsonNode) node = info_node (self);

      hatake_api_reply_json (msg, SOUP_STATUS_OK, node);
      return;
    }
  if (n == 1 && g_str_equal (path[0], "auth") && g_str_equal (method, "POST"))
    {
      hatake_api_auth (self, msg, path, query);
      return;
    }
  if (n == 1 && g_str_equal (path[0], "events") && g_str_equal (method, "GET"))
    {
      hatake_api_events_serve (self->events, self, msg, path, query);
      return;
    }
  if (n >= 1 && (g_str_equal (path[0], "swarm") || g_str_equal (path[0], "services") ||
                 g_str_equal (path[0], "nodes") || g_str_equal (path[0], "tasks") ||
                 g_str_equal (path[0], "secrets") || g_str_equal (path[0], "configs")))
    {
      hatake_api_reply_message (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                "This node is not a swarm manager: Hatake does not offer swarm mode.");
      return;
    }
  if (n == 2 && g_str_equal (path[0], "build") && g_str_equal (path[1], "prune") && g_str_equal (method, "POST"))
    {
      /* `docker system prune` ends with the build cache; with no builder there is none to free */
      JsonObject *object = json_object_new ();
      g_autoptr(JsonNode) node = NULL;

      json_object_set_array_member (object, "CachesDeleted", json_array_new ());
      json_object_set_int_member (object, "SpaceReclaimed", 0);
      node = hatake_api_object_node (object);
      hatake_api_reply_json (msg, SOUP_STATUS_OK, node);
      return;
    }
  if (n >= 1 && (g_str_equal (path[0], "plugins") || g_str_equal (path[0], "build") ||
                 g_str_equal (path[0], "session") || g_str_equal (path[0], "distribution")))
    {
      g_autofree char *message = g_strdup_printf ("%s is not supported by Hatake yet", path[0]);

      hatake_api_reply_message (msg, SOUP_STATUS_NOT_IMPLEMENTED, message);
      return;
    }
  if (hatake_api_exec_route (self, msg, method, path, query) ||
      hatake_api_archive_route (self, msg, method, path, query) ||
      hatake_api_containers_route (self, msg, method, path, query) ||
      hatake_api_objects_route (self, msg, method, path, query))
    return;
  hatake_api_reply_message (msg, SOUP_STATUS_NOT_FOUND, "page not found");
}

/* ---- connections between requests ------------------------------------------------------- */

/* libsoup 3.2 (Debian 12's) never closes a kept-alive connection that its client closes while
 * it waits for the next request (fixed in 3.3: GNOME/libsoup d20c6601): each one would keep its
 * descriptor, and a dial-stdio on the far side of an ssh waiting for it, for ever. So between
 * requests the server watches the socket itself: the client's end (EOF, an error) closes it;
 * the next request's first bytes leave it to libsoup. */
static gboolean
on_idle_readable (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  HatakeApiServer *self = user_data;
  gboolean more;

  if (client_ended (socket, &more))
    {
      g_debug ("A client went away between requests: its connection is closed");
      g_socket_close (socket, NULL);
    }
  else if (more)
    return G_SOURCE_CONTINUE;
  /* a new request (libsoup reads it), or the end: either way the watch is done */
  g_hash_table_remove (self->idle, socket);
  return G_SOURCE_REMOVE;
}

/* A client's certificate over TLS: the CA's database has checked it; libsoup 3.2 refuses every
 * one, good or not, unless told otherwise */
static gboolean
on_accept_certificate (SoupServerMessage   *msg,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       gpointer             user_data)
{
  if (errors != 0)
    g_debug ("A client certificate is refused (errors 0x%x)", errors);
  return errors == 0;
}

static void
on_request_started (SoupServer *soup, SoupServerMessage *msg, HatakeApiServer *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);

  if (socket != NULL)
    g_hash_table_remove (self->idle, socket);
}

static void
on_request_done (SoupServer *soup, SoupServerMessage *msg, HatakeApiServer *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  GSource *source;

  if (socket == NULL || g_socket_is_closed (socket) || g_hash_table_contains (self->idle, socket))
    return;
  source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_idle_readable), self, NULL);
  g_source_attach (source, NULL);
  g_hash_table_insert (self->idle, g_object_ref (socket), source);
}

/* ---- the socket --------------------------------------------------------------------------- */

/* A socket file whose server is gone (killed) is stale; one that answers is in use. */
static gboolean
socket_in_use (const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address),
                                                                      NULL, NULL);

  return connection != NULL;
}

#define SOCKET_GROUP "hatake"

/* The socket goes to the group if it is still the file we made */
static void
give_socket_to_group (HatakeApiServer *self,
                      const char      *path,
                      gid_t            gid)
{
  if (path != NULL && is_our_socket (self, path) && chown (path, 0, gid) != 0)
    g_debug ("Cannot give %s to group " SOCKET_GROUP ": %s", path, g_strerror (errno));
}

static void
on_getent_group (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HatakeApiServer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) fields = NULL;
  guint64 gid;

  /* "hatake:x:GID:members"; nothing (exit 2) when no source knows the group */
  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &out, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("getent group " SOCKET_GROUP ": %s", error->message);
      return;
    }
  fields = g_strsplit (g_strstrip (out), ":", 4);
  if (g_subprocess_get_successful (G_SUBPROCESS (source)) && g_strv_length (fields) >= 3 &&
      g_str_equal (fields[0], SOCKET_GROUP) &&
      g_ascii_string_to_unsigned (fields[2], 10, 0, G_MAXINT32, &gid, NULL))
    give_socket_to_group (self, self->socket_path, (gid_t) gid);
}

/* The socket's group, found as docker finds its own: in /etc/group (read here: no NSS module
 * is loaded into the engine for it, and nothing waits on a network directory), else through
 * `getent group`, which asks the other sources of nsswitch.conf; until it answers, the socket
 * is root's only. Before listen(): no client connects before the group is set. */
static void
set_socket_group (HatakeApiServer *self,
                  const char      *path)
{
  g_auto(HatakeUser) entry = { 0 };
  g_autoptr(GSubprocess) getent = NULL;
  g_autoptr(GError) error = NULL;
  int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  gboolean found;

  /* (the parser of containers' user specs: "0:GROUP" is root with that group) */
  found = rootfd >= 0 && hatake_passwd_resolve (rootfd, "0:" SOCKET_GROUP, &entry, NULL);
  if (rootfd >= 0)
    close (rootfd);
  if (found)
    {
      give_socket_to_group (self, path, entry.gid);
      return;
    }
  getent = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             "getent", "group", SOCKET_GROUP, NULL);
  if (getent == NULL)
    {
      g_debug ("getent group " SOCKET_GROUP ": %s", error->message);
      return;
    }
  g_subprocess_communicate_utf8_async (getent, NULL, self->group_lookup, on_getent_group, g_object_ref (self));
}

gboolean
hatake_api_server_listen_unix (HatakeApiServer  *self,
                               const char       *path,
                               GError          **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_return_val_if_fail (HATAKE_IS_API_SERVER (self), FALSE);
  g_return_val_if_fail (self->socket_path == NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create %s: %s"), dir,
                   g_strerror (saved));
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (socket_in_use (path))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                       _("Another server already listens on %s"), path);
          return FALSE;
        }
      g_unlink (path);
    }
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return FALSE;
  address = g_unix_socket_address_new (path);
  /* clients open many connections at once (`docker rm -f` of 50 containers does one each):
   * GSocket's default backlog of 10 refused the rest */
  g_socket_set_listen_backlog (socket, SOMAXCONN);
  if (!g_socket_bind (socket, address, FALSE, error))
    {
      g_prefix_error (error, _("Cannot listen on %s: "), path);
      return FALSE;
    }
  /* the socket is as good as root: its owner and the "hatake" group only */
  chmod (path, 0660);
  {
    struct stat st;

    if (stat (path, &st) == 0)
      {
        self->socket_dev = st.st_dev;
        self->socket_ino = st.st_ino;
      }
  }
  set_socket_group (self, path);
  if (!g_socket_listen (socket, error))
    {
      g_prefix_error (error, _("Cannot listen on %s: "), path);
      g_unlink (path);
      return FALSE;
    }
  if (!soup_server_listen_socket (self->soup, socket, 0, error))
    {
      g_unlink (path);
      return FALSE;
    }
  self->socket_path = g_strdup (path);
  return TRUE;
}

/* Only clients whose certificate CA signed: the API is as good as root, so an open TCP port is
 * refused (dockerd allows one and warns) */
gboolean
hatake_api_server_listen_tls (HatakeApiServer  *self,
                              const char       *host,
                              guint16           port,
                              GTlsCertificate  *certificate,
                              GTlsDatabase     *ca,
                              GError          **error)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autolist(GInetAddress) addresses = NULL;

  g_return_val_if_fail (HATAKE_IS_API_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate) && G_IS_TLS_DATABASE (ca), FALSE);

  addresses = g_resolver_lookup_by_name (resolver, host, NULL, error);
  if (addresses == NULL)
    {
      g_prefix_error (error, _("Cannot listen on %s: "), host);
      return FALSE;
    }
  soup_server_set_tls_certificate (self->soup, certificate);
  soup_server_set_tls_database (self->soup, ca);
  soup_server_set_tls_auth_mode (self->soup, G_TLS_AUTHENTICATION_REQUIRED);
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, port);

      if (!soup_server_listen (self->soup, address, SOUP_SERVER_LISTEN_HTTPS, error))
        {
          g_autofree char *text = g_inet_address_to_string (l->data);

          g_prefix_error (error, _("Cannot listen on %s port %u: "), text, port);
          return FALSE;
        }
    }
  return TRUE;
}

HatakeApiServer *
hatake_api_server_new (HatakeEngine *engine)
{
  HatakeApiServer *self;

  g_return_val_if_fail (HATAKE_IS_ENGINE (engine), NULL);
  self = g_object_new (HATAKE_TYPE_API_SERVER, NULL);
  self->engine = g_object_ref (engine);
  self->events = hatake_api_events_new (engine);
  self->execs = hatake_api_exec_table_new ();
  self->attaches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->summaries = hatake_api_summary_cache_new ();
  self->soup = soup_server_new ("server-header", "Hatake/" PACKAGE_VERSION, NULL);
  self->idle = g_hash_table_new_full (NULL, NULL, g_object_unref, (GDestroyNotify) destroy_source);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_done), self);
  soup_server_add_handler (self->soup, NULL, handle, self, NULL);
  soup_server_add_early_handler (self->soup, NULL, handle_early, self, NULL);
  return self;
}
