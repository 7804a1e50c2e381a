/* hatake-registry-request.c: every HTTP exchange of the registry client
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One request helper (_hatake_registry_request_async) builds the URL, adds credentials, answers
 * 401 challenges (Bearer token or Basic), follows redirects itself (so that credentials never
 * leave the registry's own host) and retries 429/5xx and dropped connections with backoff.
 * Manifests and blobs only deal with the body.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <json-glib/json-glib.h>

#include "hatake-error.h"
#include "hatake-registry-private.h"

#define STATUS_TOO_MANY_REQUESTS 429  /* no SOUP_STATUS_ name in libsoup 3.2 */
#define MAX_REDIRECTS         10
#define MAX_BACKOFF_MS        30000
#define FIRST_BACKOFF_MS      500
#define DEFAULT_TOKEN_TTL     60
#define MAX_TOKEN_BODY        (1024 * 1024)
#define MAX_ERROR_BODY        (64 * 1024)

typedef struct
{
  char   *token;
  gint64  expires;  /* monotonic µs */
} Token;

void
_hatake_registry_token_free (gpointer data)
{
  Token *token = data;

  g_free (token->token);
  g_free (token);
}

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */

/* "docker.io", "https://index.docker.io/v1/", "registry-1.docker.io" → "docker.io";
 * "https://host:5000/" → "host:5000". */
char *
_hatake_registry_normalize (const char *registry)
{
  const char *start = registry;
  const char *slash;
  g_autofree char *raw = NULL;
  g_autofree char *host = NULL;

  if (g_str_has_prefix (start, "https://"))
    start += strlen ("https://");
  else if (g_str_has_prefix (start, "http://"))
    start += strlen ("http://");
  slash = strchr (start, '/');
  raw = slash ? g_strndup (start, slash - start) : g_strdup (start);
  host = g_ascii_strdown (raw, -1);
  if (g_str_equal (host, "index.docker.io") || g_str_equal (host, "registry-1.docker.io")
      || g_str_equal (host, "registry.hub.docker.com"))
    return g_strdup (HATAKE_DEFAULT_DOMAIN);
  return g_steal_pointer (&host);
}

/* Splits "host:port", "[::1]:port", "::1" into a bare host. */
static char *
host_without_port (const char *host)
{
  const char *colon;

  if (host[0] == '[')
    {
      const char *end = strchr (host, ']');
      return end ? g_strndup (host + 1, end - host - 1) : g_strdup (host);
    }
  colon = strchr (host, ':');
  if (colon != NULL && strchr (colon + 1, ':') == NULL)
    return g_strndup (host, colon - host);
  return g_strdup (host);
}

static gboolean
bare_host_is_loopback (const char *bare)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (bare, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
_hatake_registry_host_is_insecure (HatakeRegistry *self,
                                   const char     *host)
{
  g_autofree char *bare = host_without_port (host);

  if (bare_host_is_loopback (bare))
    return TRUE;
  for (guint i = 0; self->insecure != NULL && self->insecure[i] != NULL; i++)
    {
      g_autofree char *entry = _hatake_registry_normalize (self->insecure[i]);
      if (g_ascii_strcasecmp (entry, host) == 0 || g_ascii_strcasecmp (entry, bare) == 0)
        return TRUE;
    }
  return FALSE;
}

char *
_hatake_registry_base_url (HatakeRegistry *self,
                           const char     *host)
{
  return g_strconcat (_hatake_registry_host_is_insecure (self, host) ? "http://" : "https://",
                      host, NULL);
}

char *
_hatake_registry_parse_challenge (const char  *header,
                                  GHashTable **out_params)
{
  const char *p = header;
  const char *scheme_end;
  g_autofree char *scheme = NULL;
  GHashTable *raw;
  GHashTable *params;
  GHashTableIter iter;
  gpointer key, value;

  if (header == NULL)
    return NULL;
  while (g_ascii_isspace (*p))
    p++;
  scheme_end = p;
  while (*scheme_end != '\0' && !g_ascii_isspace (*scheme_end))
    scheme_end++;
  if (scheme_end == p)
    return NULL;
  scheme = g_ascii_strdown (p, scheme_end - p);

  raw = soup_header_parse_param_list (scheme_end);
  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, raw);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (params, g_ascii_strdown (key, -1), g_strdup (value ? value : ""));
  soup_header_free_param_list (raw);

  *out_params = params;
  return g_steal_pointer (&scheme);
}

guint
_hatake_registry_backoff_ms (guint       attempt,
                             const char *retry_after)
{
  guint64 delay = (guint64) FIRST_BACKOFF_MS << MIN (attempt, 16);

  if (retry_after != NULL)
    {
      guint64 seconds;
      g_autoptr(GDateTime) when = NULL;
      g_autofree char *trimmed = g_strstrip (g_strdup (retry_after));

      if (g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXUINT32, &seconds, NULL))
        delay = seconds * 1000;
      else if ((when = soup_date_time_new_from_http_string (retry_after)) != NULL)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          GTimeSpan span = g_date_time_difference (when, now);
          delay = span > 0 ? (guint64) (span / G_TIME_SPAN_MILLISECOND) : 0;
        }
    }
  return (guint) MIN (delay, MAX_BACKOFF_MS);
}

static gboolean
error_is_transient (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE);
}

static gboolean
status_is_retryable (guint status)
{
  return status == STATUS_TOO_MANY_REQUESTS
      || status == SOUP_STATUS_INTERNAL_SERVER_ERROR
      || status == SOUP_STATUS_BAD_GATEWAY
      || status == SOUP_STATUS_SERVICE_UNAVAILABLE
      || status == SOUP_STATUS_GATEWAY_TIMEOUT;
}

static int
uri_effective_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

static gboolean
uri_same_origin (GUri *a,
                 GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0
      && g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0
      && uri_effective_port (a) == uri_effective_port (b);
}

/* Registries and token services are not trusted to send the types they should: these never
 * warn, they answer NULL / the default. */
static const char *
json_string_member (JsonObject *object,
                    const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
json_int_member (JsonObject *object,
                 const char *name,
                 gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return fallback;
}

/* The registry's {"errors":[{"code","message"}]} (or a token service's {"details"}) as text;
 * NULL when the body says nothing useful. */
static char *
describe_error_body (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  gsize length = 0;
  const char *data;
  JsonNode *root;
  JsonObject *object;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &length);
  if (length == 0 || !json_parser_load_from_data (parser, data, length, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);

  if (json_object_has_member (object, "errors")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "errors")))
    {
      JsonArray *errors = json_object_get_array_member (object, "errors");

      for (guint i = 0; i < json_array_get_length (errors); i++)
        {
          JsonNode *node = json_array_get_element (errors, i);
          JsonObject *entry;
          const char *code, *message;
          g_autoptr(GString) one = g_string_new (NULL);

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          entry = json_node_get_object (node);
          code = json_string_member (entry, "code");
          message = json_string_member (entry, "message");
          if (code != NULL)
            {
              g_autofree char *lower = g_ascii_strdown (code, -1);
              g_strdelimit (lower, "_", ' ');
              g_string_append (one, lower);
              if (message != NULL)
                g_string_append (one, ": ");
            }
          if (message != NULL)
            g_string_append (one, message);
          /* A manifest with two unknown blobs gets the same words twice: once says it. */
          if (one->len == 0 || strstr (text->str, one->str) != NULL)
            continue;
          if (text->len > 0)
            g_string_append (text, "; ");
          g_string_append (text, one->str);
        }
    }
  else
    {
      const char *keys[] = { "details", "message", "error_description", "error" };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          JsonNode *node = json_object_get_member (object, keys[i]);
          if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
              && json_node_get_value_type (node) == G_TYPE_STRING)
            {
              g_string_append (text, json_node_get_string (node));
              break;
            }
        }
    }

  if (text->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
describe_failure (SoupMessage *msg,
                  GBytes      *body)
{
  char *text = describe_error_body (body);

  if (text != NULL)
    return text;
  return g_strdup_printf ("HTTP %u %s", soup_message_get_status (msg),
                          soup_message_get_reason_phrase (msg)
                            ? soup_message_get_reason_phrase (msg) : "");
}

/* ------------------------------------------------------------------------------------------ */
/* Async building blocks: a cancellable delay, and reading a body up to a cap                  */

typedef struct
{
  GSource *timeout;
  GSource *cancel;
} Delay;

static void
delay_free (gpointer data)
{
  Delay *delay = data;

  if (delay->timeout != NULL)
    {
      g_source_destroy (delay->timeout);
      g_source_unref (delay->timeout);
    }
  if (delay->cancel != NULL)
    {
      g_source_destroy (delay->cancel);
      g_source_unref (delay->cancel);
    }
  g_free (delay);
}

static void
delay_stop (GTask *task)
{
  Delay *delay = g_task_get_task_data (task);

  if (delay->timeout != NULL)
    g_source_destroy (delay->timeout);
  if (delay->cancel != NULL)
    g_source_destroy (delay->cancel);
}

static gboolean
delay_timeout_cb (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  delay_stop (task);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
delay_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  delay_stop (task);
  g_task_return_boolean (task, TRUE);  /* the task's cancellable turns this into CANCELLED */
  return G_SOURCE_REMOVE;
}

void
_hatake_registry_delay_async (guint                ms,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Delay *delay = g_new0 (Delay, 1);

  g_task_set_source_tag (task, _hatake_registry_delay_async);
  g_task_set_task_data (task, delay, delay_free);

  delay->timeout = g_timeout_source_new (ms);
  g_source_set_callback (delay->timeout, delay_timeout_cb, g_object_ref (task), NULL);
  g_source_attach (delay->timeout, g_task_get_context (task));
  if (cancellable != NULL)
    {
      delay->cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (delay->cancel, G_SOURCE_FUNC (delay_cancelled_cb),
                             g_object_ref (task), NULL);
      g_source_attach (delay->cancel, g_task_get_context (task));
    }
}

gboolean
_hatake_registry_delay_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  GByteArray *buffer;
  gsize       cap;
} ReadCapped;

static void
read_capped_free (gpointer data)
{
  ReadCapped *state = data;

  g_clear_pointer (&state->buffer, g_byte_array_unref);
  g_free (state);
}

static void read_capped_next (GTask *task);

static void
read_capped_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ReadCapped *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&state->buffer)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }
  g_byte_array_append (state->buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (state->buffer->len > state->cap)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "larger than %" G_GSIZE_FORMAT " bytes", state->cap);
      return;
    }
  read_capped_next (g_steal_pointer (&task));
}

static void
read_capped_next (GTask *task)
{
  GInputStream *stream = g_task_get_source_object (task);

  g_input_stream_read_bytes_async (stream, 64 * 1024, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_capped_cb, task);
}

/* Reads a whole body, failing with G_IO_ERROR_MESSAGE_TOO_LARGE beyond cap bytes. */
void
_hatake_registry_read_capped_async (GInputStream        *stream,
                                    gsize                cap,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  ReadCapped *state = g_new0 (ReadCapped, 1);

  g_task_set_source_tag (task, _hatake_registry_read_capped_async);
  state->buffer = g_byte_array_new ();
  state->cap = cap;
  g_task_set_task_data (task, state, read_capped_free);
  read_capped_next (g_steal_pointer (&task));
}

GBytes *
_hatake_registry_read_capped_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* The request helper                                                                         */

typedef struct
{
  RegistryRequestKind  kind;
  char                *method;
  char                *domain;        /* whose credentials: "docker.io", "host:port" */
  char                *name;          /* for messages: the image's name, or the host for a ping */
  char                *object;        /* tag or digest */
  char                *accept;
  gint64               range_start;   /* -1: no Range */
  gboolean             push;
  gboolean             caller_retries;
  gboolean             retryable;     /* failed in a way the caller may retry */
  char                *retry_after;
  char                *given;         /* a login check's credentials: nothing stored is used */
  char                *content_type;
  GBytes              *body;
  GFile               *body_file;
  gint64               body_size;
  gint64               body_sent;
  RegistrySentFunc     sent;
  gpointer             sent_data;
  GUri                *registry_uri;  /* https://HOST/ (or http for loopback/insecure) */
  GUri                *uri;           /* the URL of the current attempt */
  char                *scope;         /* NULL for a ping: a token for no repository */
  char                *token_key;
  char                *bearer;
  char                *basic;
  guint                redirects;
  guint                retries;
  gboolean             authenticated;
  SoupMessage         *msg;
  GInputStream        *stream;
  GHashTable          *challenge;
} Request;

static void
request_clear_message (Request *req)
{
  if (req->msg != NULL)
    g_signal_handlers_disconnect_by_data (req->msg, req);
  g_clear_object (&req->msg);
}

static void
request_free (gpointer data)
{
  Request *req = data;

  g_free (req->method);
  g_free (req->domain);
  g_free (req->name);
  g_free (req->object);
  g_free (req->accept);
  g_free (req->retry_after);
  g_free (req->given);
  g_free (req->content_type);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_clear_object (&req->body_file);
  g_clear_pointer (&req->registry_uri, g_uri_unref);
  g_clear_pointer (&req->uri, g_uri_unref);
  g_free (req->scope);
  g_free (req->token_key);
  g_free (req->bearer);
  g_free (req->basic);
  request_clear_message (req);
  g_clear_object (&req->stream);
  g_clear_pointer (&req->challenge, g_hash_table_unref);
  g_free (req);
}

void
_hatake_registry_response_free (RegistryResponse *response)
{
  g_clear_object (&response->msg);
  g_clear_object (&response->stream);
  g_clear_pointer (&response->uri, g_uri_unref);
  g_free (response);
}

/* The credentials that answer a request's challenge: those a login check was given, else the
 * stored ones. The task is the callback's user data. */
static void
request_credentials (GTask               *task,
                     GAsyncReadyCallback  callback)
{
  HatakeRegistry *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  g_autoptr(GTask) given = NULL;

  if (req->given == NULL)
    {
      _hatake_registry_credentials_lookup_async (self, req->domain, g_task_get_cancellable (task),
                                                 callback, task);
      return;
    }
  given = g_task_new (self, g_task_get_cancellable (task), callback, task);
  g_task_set_source_tag (given, _hatake_registry_credentials_lookup_async);
  g_task_return_pointer (given, g_strdup (req->given), g_free);
}

static void request_send (GTask *task);
static void request_start (GTask *task);

static void
request_fail_with (GTask       *task,
                   SoupMessage *msg,
                   GBytes      *body)
{
  Request *req = g_task_get_task_data (task);
  guint status = soup_message_get_status (msg);
  g_autofree char *cause = describe_failure (msg, body);
  const char *name = req->name;
  gboolean denied = status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN;
  const char *separator = hatake_digest_is_valid (req->object) ? "@" : ":";

  if (denied && !uri_same_origin (req->uri, req->registry_uri))
    /* Blob storage the registry redirected to: its refusal is not about the user's access. */
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                             _("the storage at %s refused %s of %s: %s"), g_uri_get_host (req->uri),
                             req->object, name, cause);
  else if (denied && req->kind == REGISTRY_REQUEST_PING)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED,
                             _("unauthorized: incorrect username or password for %s: %s"), name,
                             cause);
  else if (denied && req->push)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED,
                             _("push access denied for %s: %s"), name, cause);
  else if (denied)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED,
                             _("pull access denied for %s, repository does not exist or may "
                             "require authorization: %s"), name, cause);
  else if (req->kind == REGISTRY_REQUEST_PING)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                             _("registry %s failed: %s"), name, cause);
  else if (status == SOUP_STATUS_NOT_FOUND && req->kind == REGISTRY_REQUEST_MANIFEST && !req->push)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                             _("manifest for %s%s%s not found: %s"), name, separator, req->object,
                             cause);
  else if (status == SOUP_STATUS_NOT_FOUND && req->kind == REGISTRY_REQUEST_BLOB)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                             _("blob %s not found in %s: %s"), req->object, name, cause);
  else if (req->push && req->kind == REGISTRY_REQUEST_MANIFEST)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                             _("the registry refused the manifest %s%s%s: %s"), name, separator,
                             req->object, cause);
  else if (req->push)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                             _("the registry refused blob %s of %s: %s"), req->object, name,
                             cause);
  else
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                             _("registry %s failed on %s (%s): %s"),
                             g_uri_get_host (req->uri), name, req->object, cause);
}

static void
request_error_body_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GBytes) body = _hatake_registry_read_capped_finish (result, NULL);

  if (g_task_return_error_if_cancelled (task))
    return;
  request_fail_with (task, req->msg, body);
}

/* Reads the registry's error body (if any) to say why, then fails the task (whose reference it
 * takes). */
static void
request_fail (GTask *task)
{
  Request *req = g_task_get_task_data (task);

  if (req->stream == NULL)
    {
      request_fail_with (task, req->msg, NULL);
      g_object_unref (task);
      return;
    }
  _hatake_registry_read_capped_async (req->stream, MAX_ERROR_BODY, g_task_get_cancellable (task),
                                      request_error_body_cb, task);
}

typedef struct
{
  GTask                   *task;
  HatakeRegistryRetryFunc  func;
} RetryData;

static void
on_retry_delay (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  RetryData *data = user_data;
  g_autoptr(GTask) task = data->task;
  HatakeRegistryRetryFunc func = data->func;
  g_autoptr(GError) error = NULL;

  g_free (data);
  if (!_hatake_registry_delay_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  func (g_steal_pointer (&task));
}

void
_hatake_registry_retry_after (guint                    ms,
                              GTask                   *task,
                              HatakeRegistryRetryFunc  func)
{
  RetryData *data = g_new0 (RetryData, 1);

  data->task = task;
  data->func = func;
  _hatake_registry_delay_async (ms, g_task_get_cancellable (task), on_retry_delay, data);
}

static void
request_retry_later (GTask      *task,
                     const char *retry_after)
{
  Request *req = g_task_get_task_data (task);
  guint delay = _hatake_registry_backoff_ms (req->retries, retry_after);

  req->retries++;
  g_debug ("Retrying %s in %u ms (attempt %u)", g_uri_get_path (req->uri), delay, req->retries);
  g_clear_object (&req->stream);
  _hatake_registry_retry_after (delay, task, request_send);
}

static void
token_body_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeRegistry *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  SoupMessage *msg = g_object_get_data (object, "hatake-message");
  guint status = soup_message_get_status (msg);
  JsonNode *root;
  JsonObject *json;
  const char *token;
  gint64 expires_in;
  Token *cached;

  body = _hatake_registry_read_capped_finish (result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *cause = describe_failure (msg, body);
      gboolean denied = status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN;

      if (denied && req->kind == REGISTRY_REQUEST_PING)
        g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED,
                                 _("unauthorized: incorrect username or password for %s: the "
                                 "token service refused: %s"), req->name, cause);
      else if (denied && req->push)
        g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED,
                                 _("push access denied for %s: the token service refused: %s"),
                                 req->name, cause);
      else if (denied)
        g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED,
                                 _("pull access denied for %s, repository does not exist or may "
                                 "require authorization: the token service refused: %s"),
                                 req->name, cause);
      else
        g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                                 _("the token service for %s failed: %s"), req->name, cause);
      return;
    }

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                   &error)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                               _("the token service answered something that is not a JSON object%s%s"),
                               error ? ": " : "", error ? error->message : "");
      return;
    }
  json = json_node_get_object (root);
  token = json_string_member (json, "token");
  if (token == NULL || *token == '\0')
    token = json_string_member (json, "access_token");
  if (token == NULL || *token == '\0')
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                               _("the token service answered without a token"));
      return;
    }
  expires_in = json_int_member (json, "expires_in", DEFAULT_TOKEN_TTL);
  if (expires_in <= 0)
    expires_in = DEFAULT_TOKEN_TTL;

  /* A login check's token is for credentials that may never be stored: not cached. */
  if (req->given == NULL)
    {
      cached = g_new0 (Token, 1);
      cached->token = g_strdup (token);
      /* A little early, so a token does not expire on the way. */
      cached->expires = g_get_monotonic_time () + MAX (expires_in - 5, 1) * G_TIME_SPAN_SECOND;
      g_hash_table_replace (self->tokens, g_strdup (req->token_key), cached);
    }

  g_free (req->bearer);
  req->bearer = g_strdup (token);
  request_send (g_steal_pointer (&task));
}

static void
token_sent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  SoupMessage *msg = soup_session_get_async_result_message ((SoupSession *) object, result);
  GCancellable *cancellable = g_task_get_cancellable (task);

  stream = soup_session_send_finish ((SoupSession *) object, result, &error);
  if (stream == NULL)
    {
      g_prefix_error (&error, "Cannot reach the token service: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_object_set_data_full (G_OBJECT (stream), "hatake-message", g_object_ref (msg), g_object_unref);
  _hatake_registry_read_capped_async (stream, MAX_TOKEN_BODY, cancellable, token_body_cb,
                                      g_steal_pointer (&task));
}

static void
append_query (GString    *url,
              const char *key,
              const char *value)
{
  g_string_append_c (url, strchr (url->str, '?') ? '&' : '?');
  g_string_append (url, key);
  g_string_append_c (url, '=');
  g_string_append_uri_escaped (url, value, NULL, FALSE);
}

static void
token_credentials_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeRegistry *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *credentials = _hatake_registry_credentials_lookup_finish (result, &error);
  const char *realm = g_hash_table_lookup (req->challenge, "realm");
  const char *service = g_hash_table_lookup (req->challenge, "service");
  g_autoptr(GString) url = g_string_new (realm);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  GCancellable *cancellable;

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (service != NULL)
    append_query (url, "service", service);
  if (req->scope != NULL)
    append_query (url, "scope", req->scope);

  uri = g_uri_parse (url->str, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
                      && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                               _("the registry %s names an invalid token service: %s"),
                               g_uri_get_host (req->registry_uri), realm);
      return;
    }

  msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (credentials != NULL)
    {
      g_autofree char *header = g_strconcat ("Basic ", credentials, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    header);
    }
  cancellable = g_task_get_cancellable (task);
  soup_session_send_async (_hatake_registry_session (self), msg, G_PRIORITY_DEFAULT, cancellable, token_sent_cb,
                           g_steal_pointer (&task));
}

static void
basic_credentials_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeRegistry *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *credentials = _hatake_registry_credentials_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (credentials == NULL)
    {
      /* Nothing to answer the challenge with: say why with the registry's own words. */
      request_fail (g_steal_pointer (&task));
      return;
    }
  if (req->given == NULL)
    g_hash_table_add (self->basic_hosts, g_strdup (g_uri_get_host (req->registry_uri)));
  g_free (req->basic);
  req->basic = g_steal_pointer (&credentials);
  request_send (g_steal_pointer (&task));
}

static void
request_authenticate (GTask *task)
{
  HatakeRegistry *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  const char *header;
  g_autofree char *scheme = NULL;

  header = soup_message_headers_get_one (soup_message_get_response_headers (req->msg),
                                         "WWW-Authenticate");
  g_clear_pointer (&req->challenge, g_hash_table_unref);
  scheme = _hatake_registry_parse_challenge (header, &req->challenge);
  req->authenticated = TRUE;

  if (scheme != NULL && g_str_equal (scheme, "bearer")
      && g_hash_table_lookup (req->challenge, "realm") != NULL)
    {
      if (req->given == NULL)
        g_hash_table_remove (self->tokens, req->token_key);
      g_clear_object (&req->stream);
      request_credentials (task, token_credentials_cb);
    }
  else if (scheme != NULL && g_str_equal (scheme, "basic"))
    request_credentials (task, basic_credentials_cb);
  else
    request_fail (task);
}

static gboolean
request_follow_redirect (GTask   *task,
                         GError **error)
{
  HatakeRegistry *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  const char *location;
  g_autoptr(GUri) target = NULL;
  const char *scheme;

  location = soup_message_headers_get_one (soup_message_get_response_headers (req->msg),
                                           "Location");
  if (location == NULL)
    return g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                        _("the registry %s redirected without a Location"),
                        g_uri_get_host (req->registry_uri)), FALSE;
  if (++req->redirects > MAX_REDIRECTS)
    return g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                        _("too many redirects from %s"), g_uri_get_host (req->registry_uri)), FALSE;

  target = g_uri_parse_relative (req->uri, location, SOUP_HTTP_URI_FLAGS, error);
  if (target == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (target);
  /* ("http:x" parses, with no host: libsoup would refuse the message with a critical) */
  if ((g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0) ||
      g_uri_get_host (target) == NULL || *g_uri_get_host (target) == '\0')
    return g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY,
                        _("the registry redirected to an unsupported URL: %s"), location), FALSE;
  if (g_ascii_strcasecmp (scheme, "http") == 0
      && g_ascii_strcasecmp (g_uri_get_scheme (req->uri), "https") == 0)
    {
      g_autofree char *authority = g_uri_get_port (target) > 0
        ? g_strdup_printf ("%s:%d", g_uri_get_host (target), g_uri_get_port (target))
        : g_strdup (g_uri_get_host (target));

      if (!_hatake_registry_host_is_insecure (self, authority))
        return g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INSECURE,
                            _("the registry %s redirected from HTTPS to plain HTTP (%s)"),
                            g_uri_get_host (req->registry_uri), location), FALSE;
    }

  g_uri_unref (req->uri);
  req->uri = g_steal_pointer (&target);
  return TRUE;
}

static void
request_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeRegistry *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status;

  g_clear_object (&req->stream);
  req->stream = soup_session_send_finish ((SoupSession *) object, result, &error);
  if (req->stream == NULL)
    {
      if (error_is_transient (error) && !req->caller_retries && req->retries < self->max_retries)
        request_retry_later (g_steal_pointer (&task), NULL);
      else
        {
          req->retryable = req->caller_retries && error_is_transient (error);
          g_task_return_error (task, g_steal_pointer (&error));
        }
      return;
    }

  status = soup_message_get_status (req->msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status)
      || (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && req->range_start > 0))
    {
      RegistryResponse *response = g_new0 (RegistryResponse, 1);

      response->msg = g_object_ref (req->msg);
      response->stream = g_steal_pointer (&req->stream);
      response->uri = g_uri_ref (req->uri);
      g_task_return_pointer (task, response, (GDestroyNotify) _hatake_registry_response_free);
      return;
    }

  switch (status)
    {
    case SOUP_STATUS_MOVED_PERMANENTLY:
    case SOUP_STATUS_FOUND:
    case SOUP_STATUS_SEE_OTHER:
    case SOUP_STATUS_TEMPORARY_REDIRECT:
    case SOUP_STATUS_PERMANENT_REDIRECT:
      if (!request_follow_redirect (task, &error))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        {
          g_clear_object (&req->stream);
          request_send (g_steal_pointer (&task));
        }
      return;

    case SOUP_STATUS_UNAUTHORIZED:
      if (!req->authenticated && uri_same_origin (req->uri, req->registry_uri))
        request_authenticate (g_steal_pointer (&task));
      else
        request_fail (g_steal_pointer (&task));
      return;

    default:
      {
        const char *retry_after =
          soup_message_headers_get_one (soup_message_get_response_headers (req->msg),
                                        "Retry-After");

        if (status_is_retryable (status) && !req->caller_retries
            && req->retries < self->max_retries)
          {
            g_autofree char *copy = g_strdup (retry_after);
            request_retry_later (g_steal_pointer (&task), copy);
            return;
          }
        req->retryable = req->caller_retries && status_is_retryable (status);
        g_free (req->retry_after);
        req->retry_after = g_strdup (retry_after);
        request_fail (g_steal_pointer (&task));
      }
      return;
    }
}

static void
request_dispatch (GTask *task)
{
  HatakeRegistry *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);

  soup_session_send_async (_hatake_registry_session (self), req->msg, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), request_sent_cb, task);
}

static void
request_wrote_body_data_cb (SoupMessage *msg,
                            guint        chunk_size,
                            gpointer     user_data)
{
  Request *req = user_data;

  req->body_sent += chunk_size;
  req->sent (req->body_sent, req->sent_data);
}

static void
request_body_opened_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read_finish (G_FILE (object), result, &error);

  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  soup_message_set_request_body (req->msg, req->content_type, G_INPUT_STREAM (stream),
                                 req->body_size);
  request_dispatch (g_steal_pointer (&task));
}

static void
request_send (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  SoupMessageHeaders *headers;

  request_clear_message (req);
  req->msg = soup_message_new_from_uri (req->method, req->uri);
  soup_message_add_flags (req->msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (req->msg);
  if (req->accept != NULL)
    soup_message_headers_replace (headers, "Accept", req->accept);
  if (req->range_start > 0)
    soup_message_headers_set_range (headers, req->range_start, -1);

  /* Credentials are for the registry only: a redirect to blob storage (S3, a CDN) carries its
   * own signature in the URL and must not see them. */
  if (uri_same_origin (req->uri, req->registry_uri))
    {
      g_autofree char *value = NULL;

      if (req->bearer != NULL)
        value = g_strconcat ("Bearer ", req->bearer, NULL);
      else if (req->basic != NULL)
        value = g_strconcat ("Basic ", req->basic, NULL);
      if (value != NULL)
        soup_message_headers_replace (headers, "Authorization", value);
    }

  if (req->sent != NULL)
    {
      req->body_sent = 0;
      g_signal_connect (req->msg, "wrote-body-data", G_CALLBACK (request_wrote_body_data_cb), req);
    }
  if (req->body != NULL)
    soup_message_set_request_body_from_bytes (req->msg, req->content_type, req->body);
  if (req->body_file != NULL)
    {
      /* Every attempt (after a challenge, a redirect) sends the file again from its start. */
      g_file_read_async (req->body_file, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                         request_body_opened_cb, task);
      return;
    }
  request_dispatch (task);
}

static void
request_start_credentials_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  req->basic = _hatake_registry_credentials_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  request_send (g_steal_pointer (&task));
}

static void
request_start (GTask *task)
{
  HatakeRegistry *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  Token *token;

  /* A login check starts anonymous, as docker login does: the challenge says what to send. */
  if (req->given != NULL)
    {
      request_send (task);
      return;
    }

  token = g_hash_table_lookup (self->tokens, req->token_key);
  if (token != NULL && token->expires > g_get_monotonic_time ())
    req->bearer = g_strdup (token->token);
  else if (token != NULL)
    g_hash_table_remove (self->tokens, req->token_key);

  if (req->bearer == NULL
      && g_hash_table_contains (self->basic_hosts, g_uri_get_host (req->registry_uri)))
    {
      _hatake_registry_credentials_lookup_async (self, req->domain, g_task_get_cancellable (task),
                                                 request_start_credentials_cb, task);
      return;
    }
  request_send (task);
}

/* The URL of a request's first attempt. */
static char *
request_url (const char            *base,
             const HatakeReference *ref,
             const RegistryRequest *spec)
{
  switch (spec->kind)
    {
    case REGISTRY_REQUEST_PING:
      return g_strconcat (base, "/v2/", NULL);
    case REGISTRY_REQUEST_MANIFEST:
      return g_strconcat (base, "/v2/", ref->path, "/manifests/", spec->object, NULL);
    case REGISTRY_REQUEST_BLOB:
      return g_strconcat (base, "/v2/", ref->path, "/blobs/", spec->object, NULL);
    case REGISTRY_REQUEST_UPLOAD:
      if (spec->location != NULL)
        return g_uri_to_string (spec->location);
      return g_strconcat (base, "/v2/", ref->path, "/blobs/uploads/", NULL);
    default:
      g_assert_not_reached ();
    }
}

void
_hatake_registry_request_async (HatakeRegistry        *self,
                                const HatakeReference *ref,
                                const RegistryRequest *spec,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Request *req = g_new0 (Request, 1);
  const char *host;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  g_assert ((ref != NULL) != (spec->kind == REGISTRY_REQUEST_PING && spec->registry != NULL));
  g_assert (spec->body == NULL || spec->body_file == NULL);

  g_task_set_source_tag (task, _hatake_registry_request_async);
  g_task_set_task_data (task, req, request_free);
  req->kind = spec->kind;
  req->method = g_strdup (spec->method ? spec->method : SOUP_METHOD_GET);
  req->object = g_strdup (spec->object);
  req->accept = g_strdup (spec->accept);
  req->range_start = spec->range_start > 0 ? spec->range_start : -1;
  req->push = spec->push;
  req->caller_retries = spec->caller_retries;
  req->given = g_strdup (spec->credentials);
  req->content_type = g_strdup (spec->content_type);
  req->body = spec->body ? g_bytes_ref (spec->body) : NULL;
  req->body_file = spec->body_file ? g_object_ref (spec->body_file) : NULL;
  req->body_size = spec->body_size;
  req->sent = spec->sent;
  req->sent_data = spec->sent_data;

  if (ref != NULL)
    {
      host = hatake_reference_registry_host (ref);
      req->domain = g_strdup (ref->domain);
      req->name = hatake_reference_familiar_name (ref);
      req->scope = g_strdup_printf ("repository:%s:%s", ref->path,
                                    spec->push ? "pull,push" : "pull");
    }
  else
    {
      req->domain = _hatake_registry_normalize (spec->registry);
      host = g_str_equal (req->domain, HATAKE_DEFAULT_DOMAIN) ? "registry-1.docker.io"
                                                              : req->domain;
      req->name = g_strdup (host);
    }
  req->token_key = g_strdup_printf ("%s %s", host, req->scope ? req->scope : "");

  base = _hatake_registry_base_url (self, host);
  url = request_url (base, ref, spec);
  req->uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  req->registry_uri = g_uri_parse (base, SOUP_HTTP_URI_FLAGS, NULL);
  if (req->uri == NULL || req->registry_uri == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE,
                               _("Cannot build a URL for %s: %s"), url,
                               error ? error->message : base);
      return;
    }
  request_start (g_steal_pointer (&task));
}

RegistryResponse *
_hatake_registry_request_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_assert (g_task_get_source_tag (G_TASK (result)) == _hatake_registry_request_async);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
_hatake_registry_request_can_retry (GAsyncResult  *result,
                                    const char   **out_retry_after)
{
  Request *req = g_task_get_task_data (G_TASK (result));

  g_assert (g_task_get_source_tag (G_TASK (result)) == _hatake_registry_request_async);

  if (out_retry_after != NULL)
    *out_retry_after = req->retry_after;
  return req->retryable;
}
