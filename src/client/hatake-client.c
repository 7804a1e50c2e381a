/* hatake-client.c: HTTP to a Docker Engine API server (libsoup, async)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupSession for the engine, so requests share keep-alive connections as docker's own client
 * does: on a Unix socket every connection goes to the socket (the session's remote-connectable);
 * on tcp:// the requests name the host, over TLS (the CA checked, a client certificate shown)
 * when the endpoint says so; on ssh:// the session's socket is an HatakeSshTunnel's, each of whose
 * connections is an ssh to the far side. The hijacked requests (attach, exec) get their
 * connections the same ways from hatake_client_connect_async(). Errors come back as the server said
 * them: docker's {"message": …} body, mapped by status onto HatakeError codes, so the CLI and the
 * app say the same whether the engine is in-process or behind a socket.
 */
#define G_LOG_DOMAIN "hatake-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gunixsocketaddress.h>

#include <stdarg.h>
#include <string.h>

#include "hatake-client.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-ssh-tunnel.h"

#define MAX_ERROR_BODY (64 * 1024)
#define MAX_JSON_BODY  (64 * 1024 * 1024)

struct _HatakeClient
{
  GObject          parent_instance;
  HatakeEndpoint  *endpoint;
  HatakeEndpointKind kind;
  char            *socket_path;   /* unix:// (the tunnel's for ssh://) */
  char            *host;          /* tcp:// */
  guint16          port;
  char            *base_uri;      /* what request paths are appended to */
  GTlsCertificate *certificate;   /* the client's, shown to a TLS server */
  GTlsDatabase    *database;      /* the CA's */
  HatakeSshTunnel *tunnel;
  SoupSession     *session;
};

G_DEFINE_FINAL_TYPE (HatakeClient, hatake_client, G_TYPE_OBJECT)

static void
hatake_client_finalize (GObject *object)
{
  HatakeClient *self = (HatakeClient *) object;

  /* its connections closed while the session is there: a response stream left open (the event
   * stream's, a wait's) closed after the session's end called into it (a crash in one run of
   * test-client-errors in fifty) */
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->tunnel);
  g_clear_object (&self->certificate);
  g_clear_object (&self->database);
  g_clear_pointer (&self->endpoint, hatake_endpoint_free);
  g_free (self->socket_path);
  g_free (self->host);
  g_free (self->base_uri);
  G_OBJECT_CLASS (hatake_client_parent_class)->finalize (object);
}

static void
hatake_client_class_init (HatakeClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hatake_client_finalize;
}

static void
hatake_client_init (HatakeClient *self)
{
  hatake_soup_ensure ();
}

/* The TLS material, read now so that a wrong file is said at once, not at each request */
static gboolean
load_tls (HatakeClient *self, GError **error)
{
  const HatakeEndpoint *endpoint = self->endpoint;

  if (endpoint->ca_file != NULL && !endpoint->skip_verify)
    {
      /* (GTlsFileDatabase wants an absolute path) */
      g_autofree char *ca_path = g_canonicalize_filename (endpoint->ca_file, NULL);

      self->database = g_tls_file_database_new (ca_path, error);
      if (self->database == NULL)
        {
          g_prefix_error (error, _("Cannot read the CA certificate %s: "), endpoint->ca_file);
          return FALSE;
        }
    }
  if (endpoint->cert_file != NULL || endpoint->key_file != NULL)
    {
      if (endpoint->cert_file == NULL || endpoint->key_file == NULL)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, "%s",
                       _("A client certificate needs both its certificate and its key"));
          return FALSE;
        }
      self->certificate = g_tls_certificate_new_from_files (endpoint->cert_file, endpoint->key_file, error);
      if (self->certificate == NULL)
        {
          g_prefix_error (error, _("Cannot read the client certificate %s: "), endpoint->cert_file);
          return FALSE;
        }
    }
  return TRUE;
}

HatakeClient *
hatake_client_new (const HatakeEndpoint  *endpoint,
                   GError               **error)
{
  g_autoptr(HatakeClient) self = g_object_new (HATAKE_TYPE_CLIENT, NULL);
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *name = NULL;
  g_autofree char *user = NULL;

  g_return_val_if_fail (endpoint != NULL, NULL);

  self->endpoint = hatake_endpoint_copy (endpoint);
  if (!hatake_endpoint_parse (endpoint, &self->kind, &name, &self->port, &user, error))
    return NULL;
  switch (self->kind)
    {
    case HATAKE_ENDPOINT_UNIX:
      self->socket_path = g_steal_pointer (&name);
      break;
    case HATAKE_ENDPOINT_SSH:
      self->tunnel = hatake_ssh_tunnel_new (user, name, self->port, error);
      if (self->tunnel == NULL)
        return NULL;
      self->socket_path = g_strdup (hatake_ssh_tunnel_get_socket_path (self->tunnel));
      break;
    case HATAKE_ENDPOINT_TCP:
    default:
      if (hatake_endpoint_uses_tls (endpoint) && !load_tls (self, error))
        return NULL;
      self->host = g_steal_pointer (&name);
      break;
    }
  if (self->socket_path != NULL)
    {
      address = g_unix_socket_address_new (self->socket_path);
      self->base_uri = g_strdup ("http://docker");
    }
  else
    {
      g_autofree char *authority = strchr (self->host, ':') ? g_strdup_printf ("[%s]", self->host)
                                                             : g_strdup (self->host);

      self->base_uri = g_strdup_printf ("%s://%s:%u", hatake_endpoint_uses_tls (endpoint) ? "https" : "http",
                                        authority, self->port);
    }
  /* streams (logs -f, events) stay open as long as they have something to say */
  self->session = soup_session_new_with_options ("remote-connectable", address, "timeout", 0, "idle-timeout", 30,
                                                 "max-conns-per-host", 16, NULL);
  if (self->database != NULL)
    soup_session_set_tls_database (self->session, self->database);
  return g_steal_pointer (&self);
}

HatakeClient *
hatake_client_new_unix (const char *socket_path)
{
  g_autofree char *host = g_strdup_printf ("unix://%s", socket_path);
  g_autoptr(HatakeEndpoint) endpoint = hatake_endpoint_new (host);

  return hatake_client_new (endpoint, NULL);
}

const char *
hatake_client_get_host (HatakeClient *self)
{
  g_return_val_if_fail (HATAKE_IS_CLIENT (self), NULL);
  return self->endpoint->host;
}

/* A connection failure, with what ssh said when it was ssh that failed */
static void
prefix_unreachable (HatakeClient *self, GError **error)
{
  if (self->tunnel != NULL && hatake_ssh_tunnel_get_last_error (self->tunnel) != NULL)
    g_prefix_error (error, _("Cannot reach the engine (ssh: %s): "), hatake_ssh_tunnel_get_last_error (self->tunnel));
  else
    g_prefix_error (error, _("Cannot reach the engine: "));
}

/* ---- connections of our own (hijacked requests) ---------------------------------------------- */

/* skip-tls-verify: whatever the server shows (the connection is still encrypted) */
static gboolean
accept_any_certificate (gpointer             connection_or_message,
                        GTlsCertificate     *certificate,
                        GTlsCertificateFlags errors,
                        gpointer             user_data)
{
  return TRUE;
}

static void
on_handshake (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_object_ref (source), g_object_unref);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeClient *self = g_task_get_source_object (task);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  GError *error = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      prefix_unreachable (self, &error);
      g_task_return_error (task, error);
      return;
    }
  if (self->host == NULL || !hatake_endpoint_uses_tls (self->endpoint))
    {
      g_task_return_pointer (task, g_steal_pointer (&connection), g_object_unref);
      return;
    }
  {
    g_autoptr(GSocketConnectable) identity = g_network_address_new (self->host, self->port);

    tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  }
  if (tls == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), self->database);
  if (self->certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), self->certificate);
  if (self->endpoint->skip_verify)
    g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    on_handshake, g_object_ref (task));
}

void
hatake_client_connect_async (HatakeClient        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GSocketClient) sockets = g_socket_client_new ();
  g_autoptr(GSocketConnectable) address = NULL;

  g_task_set_source_tag (task, hatake_client_connect_async);
  if (self->socket_path != NULL)
    address = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (self->socket_path));
  else
    address = g_network_address_new (self->host, self->port);
  g_socket_client_connect_async (sockets, address, cancellable, on_connected, g_steal_pointer (&task));
}

GIOStream *
hatake_client_connect_finish (HatakeClient  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
hatake_client_path (const char *path,
                    ...)
{
  GString *out = g_string_new (path);
  gboolean first = strchr (path, '?') == NULL;
  const char *key;
  va_list args;

  va_start (args, path);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);
      g_autofree char *escaped = NULL;

      if (value == NULL)
        continue;
      escaped = g_uri_escape_string (value, NULL, FALSE);
      g_string_append_printf (out, "%c%s=%s", first ? '?' : '&', key, escaped);
      first = FALSE;
    }
  va_end (args);
  return g_string_free (out, FALSE);
}

static HatakeError
error_code_for_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_NOT_FOUND: return HATAKE_ERROR_NOT_FOUND;
    case SOUP_STATUS_CONFLICT: return HATAKE_ERROR_CONFLICT;
    case SOUP_STATUS_BAD_REQUEST: return HATAKE_ERROR_CONFIG;
    case SOUP_STATUS_UNAUTHORIZED: return HATAKE_ERROR_UNAUTHORIZED;
    case SOUP_STATUS_FORBIDDEN: return HATAKE_ERROR_UNAUTHORIZED;
    case SOUP_STATUS_NOT_IMPLEMENTED: return HATAKE_ERROR_UNSUPPORTED;
    default: return HATAKE_ERROR_FAILED;
    }
}

/* docker's error body, {"message": …}, else the status' own words */
GError *
hatake_client_error_from_response (guint status, const char *reason, GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *message = NULL;
  gsize length = 0;
  const char *data = body ? g_bytes_get_data (body, &length) : NULL;

  if (data != NULL && length > 0 && json_parser_load_from_data (parser, data, length, NULL) &&
      hatake_json_root_is (parser, JSON_NODE_OBJECT))
    message = hatake_json_string (json_node_get_object (json_parser_get_root (parser)), "message");
  if (message != NULL)
    return g_error_new_literal (HATAKE_ERROR, error_code_for_status (status), message);
  if (data != NULL && length > 0 && g_utf8_validate (data, length, NULL))
    {
      g_autofree char *text = g_strstrip (g_strndup (data, MIN (length, 4096)));

      if (*text != '\0')
        return g_error_new_literal (HATAKE_ERROR, error_code_for_status (status), text);
    }
  return g_error_new (HATAKE_ERROR, error_code_for_status (status), _("The engine answered %u %s"), status,
                      reason ? reason : "");
}

static GError *
error_from_response (SoupMessage *msg, GBytes *body)
{
  return hatake_client_error_from_response (soup_message_get_status (msg), soup_message_get_reason_phrase (msg), body);
}

static SoupMessage *
new_message (HatakeClient *self, const char *method, const char *path, JsonNode *body, SoupMessageHeaders *headers)
{
  g_autofree char *uri = g_strdup_printf ("%s/v" HATAKE_CLIENT_API_VERSION "%s", self->base_uri, path);
  SoupMessage *msg = soup_message_new (method, uri);

  if (msg == NULL)
    return NULL;
  if (self->certificate != NULL)
    soup_message_set_tls_client_certificate (msg, self->certificate);
  if (self->endpoint->skip_verify)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (headers != NULL)
    {
      SoupMessageHeadersIter iter;
      const char *name, *value;

      soup_message_headers_iter_init (&iter, headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        soup_message_headers_replace (soup_message_get_request_headers (msg), name, value);
    }
  return msg;
}

/* ---- JSON requests -------------------------------------------------------------------------- */

static void
on_json_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = soup_session_get_async_result_message ((SoupSession *) source, result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish ((SoupSession *) source, result, &error);
  g_autoptr(JsonParser) parser = NULL;
  guint status;
  gsize length = 0;
  const char *data;

  if (body == NULL)
    {
      prefix_unreachable (g_task_get_source_object (task), &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (msg);
  g_object_set_data (G_OBJECT (task), "hatake-status", GUINT_TO_POINTER (status));
  if (status >= 400)
    {
      g_task_return_error (task, error_from_response (msg, body));
      return;
    }
  data = g_bytes_get_data (body, &length);
  if (length == 0)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, length, &error))
    {
      g_prefix_error (&error, _("The engine's answer is not JSON: "));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* blanks alone parse, into no document */
  if (json_parser_get_root (parser) == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("The engine's answer is not JSON: %s"),
                               _("no value"));
      return;
    }
  g_task_return_pointer (task, json_node_ref (json_parser_get_root (parser)), (GDestroyNotify) json_node_unref);
}

void
hatake_client_request_async (HatakeClient        *self,
                             const char          *method,
                             const char          *path,
                             JsonNode            *body,
                             SoupMessageHeaders  *headers,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(SoupMessage) msg = new_message (self, method, path, body, headers);

  g_task_set_source_tag (task, hatake_client_request_async);
  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s %s", method, path);
      return;
    }
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable, on_json_read,
                                    g_steal_pointer (&task));
}

JsonNode *
hatake_client_request_finish (HatakeClient  *self,
                              GAsyncResult  *result,
                              guint         *out_status,
                              GError       **error)
{
  if (out_status != NULL)
    *out_status = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "hatake-status"));
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- streams -------------------------------------------------------------------------------- */

static void
on_error_body (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GBytes) body = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  g_task_return_error (task, error_from_response (msg, body));
}

static void
on_stream_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish ((SoupSession *) source, result, &error);

  if (stream == NULL)
    {
      prefix_unreachable (g_task_get_source_object (task), &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (soup_message_get_status (msg) >= 400)
    {
      g_input_stream_read_bytes_async (stream, MAX_ERROR_BODY, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                       on_error_body, g_object_ref (task));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&stream), g_object_unref);
}

void
hatake_client_stream_async (HatakeClient        *self,
                            const char          *method,
                            const char          *path,
                            JsonNode            *body,
                            GInputStream        *upload,
                            const char          *content_type,
                            SoupMessageHeaders  *headers,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  SoupMessage *msg = new_message (self, method, path, body, headers);

  g_task_set_source_tag (task, hatake_client_stream_async);
  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s %s", method, path);
      return;
    }
  if (upload != NULL)
    soup_message_set_request_body (msg, content_type ? content_type : "application/x-tar", upload, -1);
  g_task_set_task_data (task, msg, g_object_unref);
  soup_session_send_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable, on_stream_sent, g_steal_pointer (&task));
}

GInputStream *
hatake_client_stream_finish (HatakeClient  *self,
                             GAsyncResult  *result,
                             SoupMessage  **out_message,
                             GError       **error)
{
  GInputStream *stream = g_task_propagate_pointer (G_TASK (result), error);

  if (out_message != NULL)
    *out_message = stream ? g_object_ref (g_task_get_task_data (G_TASK (result))) : NULL;
  return stream;
}
