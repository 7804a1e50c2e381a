/* test-registry.c: the registry client against a real registry, through a fault-injecting proxy
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The anonymous registry at HATAKE_TEST_REGISTRY gets its content from this test (random blobs,
 * pushed with libsoup), so nothing depends on fixture images. Faults (503, 429, a connection
 * cut mid-body, a stalled body, a redirect to another host, a lying registry) come from a small
 * threaded HTTP proxy on 127.0.0.1 that forwards to that registry.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <string.h>
#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-registry-private.h"

#define LAYER_SIZE (3 * 1024 * 1024 + 123)
#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"

/* What this run pushed to HATAKE_TEST_REGISTRY. */
static struct
{
  const char *registry;
  char       *name;            /* "hatake-test/reg-<random>" */
  GBytes     *layer;
  char       *layer_digest;
  GBytes     *manifest;
  char       *manifest_digest;
} fixture;

static gboolean
in_ci (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0;
}

/* TRUE when the service named by `variable` is there; else skips (or fails under CI). */
static gboolean
require_service (const char *variable)
{
  if (g_getenv (variable) != NULL && *g_getenv (variable) != '\0')
    return TRUE;
  if (in_ci ())
    g_test_fail_printf ("%s is not set (run build-aux/test-services.sh)", variable);
  else
    g_test_skip_printf ("%s is not set", variable);
  return FALSE;
}

static gboolean
require_registry (void)
{
  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return FALSE;
  if (fixture.manifest == NULL)
    {
      g_test_fail_printf ("could not push test content to %s", fixture.registry);
      return FALSE;
    }
  return TRUE;
}

static GBytes *
random_bytes (gsize size)
{
  guint32 *data = g_malloc (size + 4);

  for (gsize i = 0; i < size / 4 + 1; i++)
    data[i] = g_random_int ();
  return g_bytes_new_take (data, size);
}

static char *
random_digest (void)
{
  g_autoptr(GBytes) bytes = random_bytes (32);
  return hatake_sha256_bytes (bytes);
}

static void
assert_file_equals (const char *path,
                    GBytes     *expected)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, g_bytes_get_size (expected));
  g_assert_true (memcmp (contents, g_bytes_get_data (expected, NULL), length) == 0);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return -1;
  return st.st_size;
}

/* ------------------------------------------------------------------------------------------ */
/* Pushing test content (synchronous: this is the test's own setup, not the code under test)  */

static char *
push_blob (SoupSession *session,
           const char  *name,
           GBytes      *bytes)
{
  g_autofree char *url = g_strdup_printf ("http://%s/v2/%s/blobs/uploads/", fixture.registry, name);
  g_autoptr(SoupMessage) post = soup_message_new ("POST", url);
  g_autoptr(SoupMessage) put = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) base = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  g_autoptr(GUri) location = NULL;
  g_autofree char *digest = hatake_sha256_bytes (bytes);
  g_autofree char *location_str = NULL;
  g_autofree char *put_url = NULL;

  body = soup_session_send_and_read (session, post, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (post), ==, 202);
  location = g_uri_parse_relative (base, soup_message_headers_get_one (
                                     soup_message_get_response_headers (post), "Location"),
                                   SOUP_HTTP_URI_FLAGS, &error);
  g_assert_no_error (error);
  location_str = g_uri_to_string (location);
  put_url = g_strconcat (location_str, strchr (location_str, '?') ? "&" : "?", "digest=", digest,
                         NULL);
  put = soup_message_new ("PUT", put_url);
  soup_message_set_request_body_from_bytes (put, "application/octet-stream", bytes);
  g_clear_pointer (&body, g_bytes_unref);
  body = soup_session_send_and_read (session, put, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (put), ==, 201);
  return g_steal_pointer (&digest);
}

static GBytes *
build_manifest (const char *config_digest,
                gsize       config_size,
                const char *layer_digest,
                gsize       layer_size)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize length = 0;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemaVersion");
  json_builder_add_int_value (builder, 2);
  json_builder_set_member_name (builder, "mediaType");
  json_builder_add_string_value (builder, OCI_MANIFEST);
  json_builder_set_member_name (builder, "config");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mediaType");
  json_builder_add_string_value (builder, "application/vnd.oci.image.config.v1+json");
  json_builder_set_member_name (builder, "digest");
  json_builder_add_string_value (builder, config_digest);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, config_size);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "layers");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mediaType");
  json_builder_add_string_value (builder, "application/vnd.oci.image.layer.v1.tar+gzip");
  json_builder_set_member_name (builder, "digest");
  json_builder_add_string_value (builder, layer_digest);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, layer_size);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

static gboolean
push_fixture (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GBytes) config = NULL;
  g_autofree char *config_digest = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) put = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  fixture.registry = g_getenv ("HATAKE_TEST_REGISTRY");
  if (fixture.registry == NULL || *fixture.registry == '\0')
    return FALSE;
  fixture.name = g_strdup_printf ("hatake-test/reg-%08x", g_random_int ());

  {
    static const char config_json[] = "{\"architecture\":\"amd64\",\"os\":\"linux\"}";
    config = g_bytes_new_static (config_json, strlen (config_json));
  }
  config_digest = push_blob (session, fixture.name, config);
  fixture.layer = random_bytes (LAYER_SIZE);
  fixture.layer_digest = push_blob (session, fixture.name, fixture.layer);
  fixture.manifest = build_manifest (config_digest, g_bytes_get_size (config),
                                     fixture.layer_digest, LAYER_SIZE);
  fixture.manifest_digest = hatake_sha256_bytes (fixture.manifest);

  url = g_strdup_printf ("http://%s/v2/%s/manifests/v1", fixture.registry, fixture.name);
  put = soup_message_new ("PUT", url);
  soup_message_set_request_body_from_bytes (put, OCI_MANIFEST, fixture.manifest);
  body = soup_session_send_and_read (session, put, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (put), ==, 201);
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* A fault-injecting HTTP proxy: one request per connection, one thread per connection         */

typedef struct
{
  GSocketService *service;
  char           *address;         /* "127.0.0.1:PORT", usable as a registry domain */
  char           *upstream;        /* the registry's host:port */
  gint            active;          /* handler threads running */
  gboolean        stopping;

  GMutex          lock;
  GPtrArray      *requests;        /* request heads, as received */

  /* Faults. The *_count ones apply to that many blob requests, then stop. */
  guint           fail_status;
  guint           fail_count;
  char           *fail_method;     /* only requests with this method fail; NULL: any */
  char           *retry_after;
  gint64          cut_after;       /* close after this many body bytes of a blob, once */
  gint64          stall_after;     /* stop sending after this many body bytes of a blob */
  gboolean        strip_range;
  gboolean        require_basic;   /* 401 Basic to requests without Authorization */
  char           *redirect_blobs;  /* "http://host:port": 307 there for blob requests */
  char           *rewrite_from;    /* replaced in the path with rewrite_to */
  char           *rewrite_to;
  char           *fake_digest;     /* Docker-Content-Digest to send instead of the real one */
  gint64          big_manifest;    /* serve a manifest this big */
  gboolean        big_chunked;     /* … without a Content-Length */
  gboolean        relative_location; /* strip the scheme and host from Location headers */
} Proxy;

static gboolean
write_text (GOutputStream *out,
            const char    *text)
{
  return g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
}

static void
proxy_record (Proxy      *proxy,
              const char *head)
{
  g_mutex_lock (&proxy->lock);
  g_ptr_array_add (proxy->requests, g_strdup (head));
  g_mutex_unlock (&proxy->lock);
}

static char *
find_header (GPtrArray  *headers,
             const char *name)
{
  gsize len = strlen (name);

  for (guint i = 0; i < headers->len; i++)
    {
      const char *line = headers->pdata[i];
      if (g_ascii_strncasecmp (line, name, len) == 0 && line[len] == ':')
        return g_strstrip (g_strdup (line + len + 1));
    }
  return NULL;
}

static void
proxy_serve_big_manifest (Proxy         *proxy,
                          GOutputStream *out)
{
  g_autofree char *head = NULL;
  g_autofree char *chunk = g_malloc (64 * 1024);
  gint64 left = proxy->big_manifest;

  memset (chunk, ' ', 64 * 1024);
  if (proxy->big_chunked)
    head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nConnection: close\r\n\r\n",
                            OCI_MANIFEST);
  else
    head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %"
                            G_GINT64_FORMAT "\r\nConnection: close\r\n\r\n",
                            OCI_MANIFEST, proxy->big_manifest);
  if (!write_text (out, head))
    return;
  while (left > 0)
    {
      gsize n = MIN (left, 64 * 1024);
      if (!g_output_stream_write_all (out, chunk, n, NULL, NULL, NULL))
        return;
      left -= n;
    }
}

/* Copies the request body (by its Content-Length) to out, or throws it away. */
static gboolean
proxy_copy_body (GPtrArray     *headers,
                 GInputStream  *in,
                 GOutputStream *out)
{
  g_autofree char *length = find_header (headers, "Content-Length");
  g_autofree char *buffer = g_malloc (16 * 1024);
  guint64 left = 0;

  if (length != NULL)
    g_ascii_string_to_unsigned (length, 10, 0, G_MAXINT64, &left, NULL);
  while (left > 0)
    {
      gssize n = g_input_stream_read (in, buffer, MIN (left, 16 * 1024), NULL, NULL);

      if (n <= 0 || (out != NULL && !g_output_stream_write_all (out, buffer, n, NULL, NULL, NULL)))
        return FALSE;
      left -= n;
    }
  return TRUE;
}

static void
proxy_forward (Proxy             *proxy,
               GSocketConnection *client,
               GInputStream      *in,
               const char        *method,
               const char        *path,
               GPtrArray         *headers,
               gboolean           is_blob)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (client));
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GDataInputStream) up_in = NULL;
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GString) response = g_string_new (NULL);
  g_autofree char *status_line = NULL;
  g_autofree char *buffer = g_malloc (16 * 1024);
  gint64 sent = 0;
  gint64 cut = -1, stall = -1;
  char *line;

  upstream = g_socket_client_connect_to_host (socket_client, proxy->upstream, 80, NULL, NULL);
  if (upstream == NULL)
    {
      write_text (out, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                       "Connection: close\r\n\r\n");
      return;
    }

  g_string_append_printf (request, "%s %s HTTP/1.1\r\n", method, path);
  for (guint i = 0; i < headers->len; i++)
    {
      const char *h = headers->pdata[i];
      if (g_ascii_strncasecmp (h, "Connection:", 11) == 0
          || (proxy->strip_range && g_ascii_strncasecmp (h, "Range:", 6) == 0))
        continue;
      g_string_append_printf (request, "%s\r\n", h);
    }
  g_string_append (request, "Connection: close\r\n\r\n");
  if (!write_text (g_io_stream_get_output_stream (G_IO_STREAM (upstream)), request->str)
      || !proxy_copy_body (headers, in, g_io_stream_get_output_stream (G_IO_STREAM (upstream))))
    return;

  up_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (upstream)));
  g_data_input_stream_set_newline_type (up_in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  status_line = g_data_input_stream_read_line (up_in, NULL, NULL, NULL);
  if (status_line == NULL)
    return;
  g_string_append_printf (response, "%s\r\n", status_line);
  while ((line = g_data_input_stream_read_line (up_in, NULL, NULL, NULL)) != NULL && *line != '\0')
    {
      if (g_ascii_strncasecmp (line, "Connection:", 11) == 0)
        ;
      else if (proxy->fake_digest != NULL
               && g_ascii_strncasecmp (line, "Docker-Content-Digest:", 22) == 0)
        g_string_append_printf (response, "Docker-Content-Digest: %s\r\n", proxy->fake_digest);
      else if (proxy->relative_location && g_ascii_strncasecmp (line, "Location: http", 14) == 0)
        g_string_append_printf (response, "Location: %s\r\n",
                                strchr (strstr (line, "://") + 3, '/'));
      else
        g_string_append_printf (response, "%s\r\n", line);
      g_free (line);
    }
  g_free (line);
  g_string_append (response, "Connection: close\r\n\r\n");
  if (!write_text (out, response->str))
    return;

  g_mutex_lock (&proxy->lock);
  if (is_blob && proxy->cut_after >= 0)
    {
      cut = proxy->cut_after;
      proxy->cut_after = -1;
    }
  if (is_blob)
    stall = proxy->stall_after;
  g_mutex_unlock (&proxy->lock);

  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (up_in), buffer, 16 * 1024, NULL, NULL);
      gint64 limit = cut >= 0 ? cut : stall;

      if (n <= 0)
        return;
      if (limit >= 0 && sent + n > limit)
        n = limit - sent;
      if (n > 0 && !g_output_stream_write_all (out, buffer, n, NULL, NULL, NULL))
        return;
      sent += n;
      if (cut >= 0 && sent >= cut)
        return;  /* the caller closes the connection: a drop mid-body */
      if (stall >= 0 && sent >= stall)
        {
          /* Hold the connection open without sending, until the client gives up. */
          GSocket *socket = g_socket_connection_get_socket (client);
          for (int i = 0; i < 100 && !proxy->stopping; i++)
            if (g_socket_condition_timed_wait (socket, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                               100 * G_TIME_SPAN_MILLISECOND, NULL, NULL))
              break;
          return;
        }
    }
}

static gboolean
proxy_run_cb (GThreadedSocketService *service,
              GSocketConnection      *connection,
              GObject                *source,
              gpointer                user_data)
{
  Proxy *proxy = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) head = g_string_new (NULL);
  g_autofree char *request_line = NULL;
  g_autofree char *authorization = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *path = NULL;
  gboolean is_blob, is_manifest;
  char *line;

  g_atomic_int_inc (&proxy->active);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  request_line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  if (request_line == NULL)
    goto out;
  g_string_append_printf (head, "%s\n", request_line);
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL && *line != '\0')
    {
      g_string_append_printf (head, "%s\n", line);
      g_ptr_array_add (headers, line);
    }
  g_free (line);
  proxy_record (proxy, head->str);

  parts = g_strsplit (request_line, " ", 3);
  if (g_strv_length (parts) != 3)
    goto out;
  path = g_strdup (parts[1]);
  if (proxy->rewrite_from != NULL && strstr (path, proxy->rewrite_from) != NULL)
    {
      g_auto(GStrv) pieces = g_strsplit (path, proxy->rewrite_from, -1);
      g_free (path);
      path = g_strjoinv (proxy->rewrite_to, pieces);
    }
  is_blob = strstr (path, "/blobs/") != NULL;
  is_manifest = strstr (path, "/manifests/") != NULL;
  authorization = find_header (headers, "Authorization");

  if (proxy->require_basic && authorization == NULL)
    {
      write_text (out, "HTTP/1.1 401 Unauthorized\r\n"
                       "WWW-Authenticate: Basic realm=\"hatake test\"\r\n"
                       "Content-Type: application/json\r\nContent-Length: 0\r\n"
                       "Connection: close\r\n\r\n");
      goto out;
    }
  if (is_blob && proxy->redirect_blobs != NULL)
    {
      g_autofree char *reply = g_strdup_printf ("HTTP/1.1 307 Temporary Redirect\r\n"
                                                "Location: %s%s\r\nContent-Length: 0\r\n"
                                                "Connection: close\r\n\r\n",
                                                proxy->redirect_blobs, path);
      write_text (out, reply);
      goto out;
    }
  if (is_blob)
    {
      guint status = 0;

      g_mutex_lock (&proxy->lock);
      if (proxy->fail_count > 0
          && (proxy->fail_method == NULL || g_str_equal (proxy->fail_method, parts[0])))
        {
          proxy->fail_count--;
          status = proxy->fail_status;
        }
      g_mutex_unlock (&proxy->lock);
      if (status != 0)
        {
          g_autofree char *reply = NULL;

          reply = g_strdup_printf ("HTTP/1.1 %u Try Later\r\nRetry-After: %s\r\n"
                                   "Content-Length: 0\r\nConnection: close\r\n\r\n",
                                   status, proxy->retry_after);
          /* Read the body first, so that the client hears the status, not a reset. */
          proxy_copy_body (headers, G_INPUT_STREAM (in), NULL);
          write_text (out, reply);
          goto out;
        }
    }
  if (is_manifest && proxy->big_manifest > 0)
    {
      proxy_serve_big_manifest (proxy, out);
      goto out;
    }
  proxy_forward (proxy, connection, G_INPUT_STREAM (in), parts[0], path, headers, is_blob);

out:
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_atomic_int_dec_and_test (&proxy->active);
  return TRUE;
}

static Proxy *
proxy_new (const char *bind_ip,
           const char *upstream)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (bind_ip);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&proxy->lock);
  proxy->requests = g_ptr_array_new_with_free_func (g_free);
  proxy->upstream = g_strdup (upstream);
  proxy->cut_after = -1;
  proxy->stall_after = -1;
  proxy->retry_after = g_strdup ("1");
  proxy->service = g_threaded_socket_service_new (16);
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  proxy->address =
    g_strdup_printf ("%s:%u", bind_ip,
                     g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  g_signal_connect (proxy->service, "run", G_CALLBACK (proxy_run_cb), proxy);
  g_socket_service_start (proxy->service);
  return proxy;
}

static void
proxy_free (Proxy *proxy)
{
  proxy->stopping = TRUE;
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  for (int i = 0; i < 500 && g_atomic_int_get (&proxy->active) > 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpint (g_atomic_int_get (&proxy->active), ==, 0);
  g_clear_object (&proxy->service);
  g_ptr_array_unref (proxy->requests);
  g_mutex_clear (&proxy->lock);
  g_free (proxy->address);
  g_free (proxy->upstream);
  g_free (proxy->retry_after);
  g_free (proxy->fail_method);
  g_free (proxy->redirect_blobs);
  g_free (proxy->rewrite_from);
  g_free (proxy->rewrite_to);
  g_free (proxy->fake_digest);
  g_free (proxy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_free)

/* The request heads the proxy saw that contain `needle` (e.g. "/blobs/"). */
static GPtrArray *
proxy_requests_matching (Proxy      *proxy,
                         const char *needle)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&proxy->lock);
  for (guint i = 0; i < proxy->requests->len; i++)
    if (strstr (proxy->requests->pdata[i], needle) != NULL)
      g_ptr_array_add (found, g_strdup (proxy->requests->pdata[i]));
  g_mutex_unlock (&proxy->lock);
  return found;
}

static gboolean
head_has_header (const char *head,
                 const char *header_prefix)
{
  g_auto(GStrv) lines = g_strsplit (head, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], header_prefix, strlen (header_prefix)) == 0)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------------------------------ */
/* Running the client                                                                         */

typedef struct
{
  char           *dir;
  HatakeRegistry *registry;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("hatake-test-registry-XXXXXX", &error);
  g_assert_no_error (error);
  f->registry = hatake_registry_new ();
  /* Never the user's own credentials. */
  {
    g_autofree char *none = g_build_filename (f->dir, "no-such-config.json", NULL);
    hatake_registry_set_auth_file (f->registry, none);
  }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* Nothing the client started may outlive its operations. */
  g_assert_finalize_object (f->registry);
  remove_tree (f->dir);
  g_free (f->dir);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

static HatakeReference *
make_ref (const char *domain,
          const char *name,
          const char *tag_or_digest)
{
  g_autofree char *text = g_strdup_printf ("%s/%s%s%s", domain, name,
                                           g_str_has_prefix (tag_or_digest, "sha256:") ? "@" : ":",
                                           tag_or_digest);
  g_autoptr(GError) error = NULL;
  HatakeReference *ref = hatake_reference_parse (text, &error);

  g_assert_no_error (error);
  return ref;
}

static GBytes *
fetch_manifest (HatakeRegistry        *registry,
                const HatakeReference *ref,
                char                 **media_type,
                char                 **digest,
                GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_registry_get_manifest_async (registry, ref, NULL, store_result_cb, &result);
  return hatake_registry_get_manifest_finish (registry, wait_for (&result), media_type, digest,
                                              error);
}

typedef struct
{
  guint         calls;
  gint64        first;
  gint64        last;
  gint64        total;
  gint64        cancel_at;
  GCancellable *cancellable;
} Progress;

static void
progress_cb (gint64   done,
             gint64   total,
             gpointer user_data)
{
  Progress *progress = user_data;

  if (progress->calls++ == 0)
    progress->first = done;
  g_assert_cmpint (done, >=, progress->last);
  progress->last = done;
  progress->total = total;
  if (progress->cancellable != NULL && progress->cancel_at >= 0 && done >= progress->cancel_at)
    g_cancellable_cancel (progress->cancellable);
}

static gboolean
fetch_blob (HatakeRegistry        *registry,
            const HatakeReference *ref,
            const char            *digest,
            gint64                 size,
            const char            *partial,
            const char            *final,
            Progress              *progress,
            GCancellable          *cancellable,
            GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_registry_get_blob_async (registry, ref, digest, size, partial, final,
                                  progress ? progress_cb : NULL, progress, cancellable,
                                  store_result_cb, &result);
  return hatake_registry_get_blob_finish (registry, wait_for (&result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* Unit tests of the pieces                                                                   */

static void
test_challenge (void)
{
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *basic = NULL;

  scheme = _hatake_registry_parse_challenge (
    "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\","
    "scope=\"repository:a/b:pull,push\",error=\"insufficient_scope\"", &params);
  g_assert_cmpstr (scheme, ==, "bearer");
  g_assert_cmpstr (g_hash_table_lookup (params, "realm"), ==, "https://auth.example.com/token");
  g_assert_cmpstr (g_hash_table_lookup (params, "service"), ==, "registry.example.com");
  g_assert_cmpstr (g_hash_table_lookup (params, "scope"), ==, "repository:a/b:pull,push");
  g_clear_pointer (&params, g_hash_table_unref);

  basic = _hatake_registry_parse_challenge ("Basic Realm=\"with \\\"quotes\\\", and comma\"",
                                            &params);
  g_assert_cmpstr (basic, ==, "basic");
  g_assert_cmpstr (g_hash_table_lookup (params, "realm"), ==, "with \"quotes\", and comma");

  g_assert_null (_hatake_registry_parse_challenge (NULL, NULL));
  g_assert_null (_hatake_registry_parse_challenge ("   ", NULL));
}

static void
test_base_url (void)
{
  g_autoptr(HatakeRegistry) registry = hatake_registry_new ();
  const char *insecure[] = { "registry.lan:5000", "http://plain.example.com/", NULL };
  struct { const char *host; const char *url; } cases[] = {
    { "registry-1.docker.io", "https://registry-1.docker.io" },
    { "127.0.0.1:5000", "http://127.0.0.1:5000" },
    { "127.9.8.7", "http://127.9.8.7" },
    { "localhost:5000", "http://localhost:5000" },
    { "[::1]:5000", "http://[::1]:5000" },
    { "registry.lan:5000", "http://registry.lan:5000" },
    { "registry.lan:5001", "https://registry.lan:5001" },
    { "plain.example.com", "http://plain.example.com" },
    { "128.0.0.1", "https://128.0.0.1" },
    { "localhost.example.com", "https://localhost.example.com" },
  };

  hatake_registry_set_insecure_registries (registry, insecure);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = _hatake_registry_base_url (registry, cases[i].host);
      g_assert_cmpstr (url, ==, cases[i].url);
    }
  g_assert_finalize_object (g_steal_pointer (&registry));
}

static void
test_backoff (void)
{
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, NULL), ==, 500);
  g_assert_cmpuint (_hatake_registry_backoff_ms (1, NULL), ==, 1000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (2, NULL), ==, 2000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (20, NULL), ==, 30000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, "3"), ==, 3000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, " 0 "), ==, 0);
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, "86400"), ==, 30000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, "Wed, 21 Oct 2015 07:28:00 GMT"), ==, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Manifests                                                                                  */

static void
test_manifest_by_tag (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *media_type = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_registry ())
    return;
  ref = make_ref (fixture.registry, fixture.name, "v1");
  bytes = fetch_manifest (f->registry, ref, &media_type, &digest, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, fixture.manifest));
  g_assert_cmpstr (media_type, ==, OCI_MANIFEST);
  g_assert_cmpstr (digest, ==, fixture.manifest_digest);
}

static void
test_manifest_by_digest (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_registry ())
    return;
  ref = make_ref (fixture.registry, fixture.name, fixture.manifest_digest);
  bytes = fetch_manifest (f->registry, ref, NULL, &digest, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, fixture.manifest));
  g_assert_cmpstr (digest, ==, fixture.manifest_digest);
}

/* The registry answers a digest with bytes that hash to something else. */
static void
test_manifest_wrong_digest (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wrong = random_digest ();

  if (!require_registry ())
    return;
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->rewrite_from = g_strdup (wrong);
  proxy->rewrite_to = g_strdup (fixture.manifest_digest);
  ref = make_ref (proxy->address, fixture.name, wrong);
  bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_null (bytes);
}

/* By tag, the bytes must match the registry's Docker-Content-Digest. */
static void
test_manifest_wrong_header_digest (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_registry ())
    return;
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->fake_digest = random_digest ();
  ref = make_ref (proxy->address, fixture.name, "v1");
  bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_null (bytes);
}

static void
test_manifest_not_found (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(HatakeReference) repo = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  if (!require_registry ())
    return;
  ref = make_ref (fixture.registry, fixture.name, "no-such-tag");
  bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  expected = g_strdup_printf ("%s/%s:no-such-tag", fixture.registry, fixture.name);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_null (bytes);
  g_clear_error (&error);

  repo = make_ref (fixture.registry, "hatake-test/no-such-repository", "latest");
  bytes = fetch_manifest (f->registry, repo, NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "hatake-test/no-such-repository:latest"));
}

static void
test_manifest_too_big (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;

  if (!require_registry ())
    return;
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->big_manifest = HATAKE_MAX_MANIFEST_SIZE + 1;
  ref = make_ref (proxy->address, fixture.name, "v1");

  /* Refused by its Content-Length, then (chunked) by what arrives. */
  for (int chunked = 0; chunked <= 1; chunked++)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      proxy->big_chunked = chunked;
      bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST);
      g_assert_null (bytes);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Blobs                                                                                      */

typedef struct
{
  char *partial;
  char *final;
} Paths;

static void
paths_init (Paths      *paths,
            Fixture    *f)
{
  paths->partial = g_build_filename (f->dir, "blob.partial", NULL);
  paths->final = g_build_filename (f->dir, "blob", NULL);
}

static void
paths_clear (Paths *paths)
{
  g_free (paths->partial);
  g_free (paths->final);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Paths, paths_clear)

static void
test_blob_download (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  ref = make_ref (fixture.registry, fixture.name, "v1");
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, &progress, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
  g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (progress.calls, >=, 1);
  g_assert_cmpint (progress.last, ==, LAYER_SIZE);
  g_assert_cmpint (progress.total, ==, LAYER_SIZE);

  /* An unknown size (-1) is fine too. */
  g_unlink (paths.final);
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, -1, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
}

static void
test_blob_not_found (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = random_digest ();

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  ref = make_ref (fixture.registry, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, missing, 10, paths.partial, paths.final, NULL,
                              NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
}

/* The bytes served do not hash to the digest asked for: nothing is kept. */
static void
test_blob_wrong_digest (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wrong = random_digest ();

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->rewrite_from = g_strdup (wrong);
  proxy->rewrite_to = g_strdup (fixture.layer_digest);
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, wrong, LAYER_SIZE, paths.partial, paths.final,
                              NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
}

static void
test_blob_wrong_size (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(HatakeReference) ref = NULL;
  gint64 sizes[] = { LAYER_SIZE + 1, LAYER_SIZE - 1, 0 };

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  ref = make_ref (fixture.registry, fixture.name, "v1");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, sizes[i], paths.partial,
                                  paths.final, NULL, NULL, &error));
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
      g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
    }
}

static void
write_prefix (const char *path,
              const void *data,
              gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);
}

/* A partial file from an earlier attempt is continued with Range, not downloaded again. */
static void
test_blob_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blob_requests = NULL;
  g_autofree char *range = g_strdup_printf ("Range: bytes=%d-", LAYER_SIZE / 2);
  Progress progress = { 0 };

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  write_prefix (paths.partial, g_bytes_get_data (fixture.layer, NULL), LAYER_SIZE / 2);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, &progress, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
  g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
  g_assert_cmpint (progress.first, ==, LAYER_SIZE / 2);
  g_assert_cmpint (progress.last, ==, LAYER_SIZE);

  blob_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (blob_requests->len, ==, 1);
  g_assert_true (head_has_header (blob_requests->pdata[0], range));
}

/* A registry that ignores Range (200 instead of 206): start over, still correct. */
static void
test_blob_resume_ignored (Fixture       *f,
                          gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  write_prefix (paths.partial, g_bytes_get_data (fixture.layer, NULL), LAYER_SIZE / 3);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->strip_range = TRUE;
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
}

/* A corrupt prefix fails verification and is deleted, so the next attempt starts clean. */
static void
test_blob_resume_corrupt (Fixture       *f,
                          gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) garbage = random_bytes (LAYER_SIZE / 2);

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  write_prefix (paths.partial, g_bytes_get_data (garbage, NULL), g_bytes_get_size (garbage));
  ref = make_ref (fixture.registry, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                              paths.final, NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
}

/* The connection drops mid-body: the client continues from where it got. */
static void
test_blob_drop (Fixture       *f,
                gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blob_requests = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->cut_after = 1024 * 1024 + 17;
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);

  blob_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (blob_requests->len, ==, 2);
  g_assert_false (head_has_header (blob_requests->pdata[0], "Range:"));
  g_assert_true (head_has_header (blob_requests->pdata[1], "Range: bytes=1048593-"));
}

static void
check_retry_status (Fixture *f,
                    guint    status)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blob_requests = NULL;
  gint64 start;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->fail_status = status;
  proxy->fail_count = 1;
  ref = make_ref (proxy->address, fixture.name, "v1");

  start = g_get_monotonic_time ();
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Retry-After: 1 was honoured (the default first backoff is 0.5 s). */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * G_TIME_SPAN_MILLISECOND);
  assert_file_equals (paths.final, fixture.layer);
  blob_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (blob_requests->len, ==, 2);
}

static void
test_blob_retry_503 (Fixture       *f,
                     gconstpointer  data)
{
  check_retry_status (f, 503);
}

static void
test_blob_retry_429 (Fixture       *f,
                     gconstpointer  data)
{
  check_retry_status (f, 429);
}

/* When every attempt fails, the error says so (and the retries are bounded). */
static void
test_blob_retry_exhausted (Fixture       *f,
                           gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blob_requests = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->fail_status = 503;
  proxy->fail_count = 100;
  g_free (proxy->retry_after);
  proxy->retry_after = g_strdup ("0");
  hatake_registry_set_max_retries (f->registry, 2);
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                              paths.final, NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY);
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
  blob_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (blob_requests->len, ==, 3);
}

/* The registry redirects blobs to storage on another host: credentials stay behind. */
static void
test_blob_redirect (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(Proxy) storage = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) registry_requests = NULL;
  g_autoptr(GPtrArray) storage_requests = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  storage = proxy_new ("127.0.0.2", fixture.registry);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->require_basic = TRUE;
  proxy->redirect_blobs = g_strdup_printf ("http://%s", storage->address);
  hatake_registry_set_credentials (f->registry, proxy->address, "hatake", "hatake-secret");
  ref = make_ref (proxy->address, fixture.name, "v1");

  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);

  registry_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (registry_requests->len, ==, 2);  /* anonymous → 401, then Basic → 307 */
  g_assert_false (head_has_header (registry_requests->pdata[0], "Authorization:"));
  g_assert_true (head_has_header (registry_requests->pdata[1], "Authorization: Basic "));
  storage_requests = proxy_requests_matching (storage, "/blobs/");
  g_assert_cmpuint (storage_requests->len, ==, 1);
  g_assert_false (head_has_header (storage_requests->pdata[0], "Authorization:"));
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Cancelled mid-download: CANCELLED, and the partial file stays for the next pull to resume. */
static void
test_blob_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 stall = 1024 * 1024;
  gint64 kept;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->stall_after = stall;
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_timeout_add (500, cancel_cb, cancellable);
  g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                              paths.final, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
  kept = file_size (paths.partial);
  g_assert_cmpint (kept, >, 0);
  g_assert_cmpint (kept, <=, stall);

  /* The next attempt resumes from there. */
  proxy->stall_after = -1;
  g_clear_error (&error);
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
}

/* ------------------------------------------------------------------------------------------ */
/* Authentication, against the registries build-aux/test-services.sh starts                   */

static GBytes *
fetch_busybox (Fixture     *f,
               const char  *variable,
               const char  *name,
               GError     **error)
{
  g_autoptr(HatakeReference) ref = make_ref (g_getenv (variable), name, "latest");
  g_autofree char *digest = NULL;
  GBytes *bytes = fetch_manifest (f->registry, ref, NULL, &digest, error);

  if (bytes != NULL)
    {
      g_assert_true (g_str_has_prefix (digest, "sha256:"));
      g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
    }
  return bytes;
}

static const char *
test_user (void)
{
  return g_getenv ("HATAKE_TEST_USER") ? g_getenv ("HATAKE_TEST_USER") : "hatake";
}

static const char *
test_password (void)
{
  return g_getenv ("HATAKE_TEST_PASSWORD") ? g_getenv ("HATAKE_TEST_PASSWORD") : "hatake-secret";
}

static void
check_auth (Fixture    *f,
            const char *variable,
            const char *name,
            const char *user,
            const char *password,
            gboolean    expect_ok)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_service (variable))
    return;
  if (user != NULL)
    hatake_registry_set_credentials (f->registry, g_getenv (variable), user, password);
  bytes = fetch_busybox (f, variable, name, &error);
  if (expect_ok)
    {
      g_assert_no_error (error);
      g_assert_nonnull (bytes);
    }
  else
    {
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, name));
    }
}

static void
test_auth_basic (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_BASIC", "hatake/busybox",
              test_user (), test_password (), TRUE);
}

static void
test_auth_basic_wrong (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_BASIC", "hatake/busybox", test_user (), "wrong", FALSE);
}

static void
test_auth_basic_anonymous (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_BASIC", "hatake/busybox", NULL, NULL, FALSE);
}

static void
test_auth_token (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox",
              test_user (), test_password (), TRUE);
}

static void
test_auth_token_wrong (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox", test_user (), "wrong", FALSE);
}

static void
test_auth_token_anonymous (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox", NULL, NULL, FALSE);
}

static void
test_auth_token_public (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "public/busybox", NULL, NULL, TRUE);
}

/* A token is fetched once per repository and reused (for blobs too) until it expires. */
static void
test_auth_token_cached (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GPtrArray) requests = NULL;

  if (!require_service ("HATAKE_TEST_REGISTRY_TOKEN"))
    return;
  proxy = proxy_new ("127.0.0.1", g_getenv ("HATAKE_TEST_REGISTRY_TOKEN"));
  hatake_registry_set_credentials (f->registry, proxy->address, test_user (), test_password ());
  ref = make_ref (proxy->address, "hatake/busybox", "latest");
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (bytes);
    }
  requests = proxy_requests_matching (proxy, "/manifests/");
  g_assert_cmpuint (requests->len, ==, 3);  /* anonymous → 401, then the token twice */
  g_assert_false (head_has_header (requests->pdata[0], "Authorization:"));
  g_assert_true (head_has_header (requests->pdata[1], "Authorization: Bearer "));
  g_assert_true (head_has_header (requests->pdata[2], "Authorization: Bearer "));
}

/* Credentials from a docker config.json, in each of the forms docker writes. */
static void
test_auth_config_file (Fixture       *f,
                       gconstpointer  data)
{
  const char *variables[] = { "HATAKE_TEST_REGISTRY_BASIC", "HATAKE_TEST_REGISTRY_TOKEN" };

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      const char *host;
      g_autofree char *pair = NULL;
      g_autofree char *auth = NULL;
      const char *prefixes[] = { "", "https://", "http://" };
      const char *suffixes[] = { "", "", "/v1/" };

      if (!require_service (variables[i]))
        return;
      host = g_getenv (variables[i]);
      pair = g_strconcat (test_user (), ":", test_password (), NULL);
      auth = g_base64_encode ((const guchar *) pair, strlen (pair));

      for (guint j = 0; j < G_N_ELEMENTS (prefixes) + 1; j++)
        {
          g_autoptr(HatakeRegistry) registry = hatake_registry_new ();
          g_autofree char *key = NULL;
          g_autofree char *json = NULL;
          g_autofree char *path = g_build_filename (f->dir, "config.json", NULL);
          g_autoptr(HatakeReference) ref = make_ref (host, "hatake/busybox", "latest");
          g_autoptr(GBytes) bytes = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(GAsyncResult) result = NULL;

          if (j < G_N_ELEMENTS (prefixes))
            key = g_strconcat (prefixes[j], host, suffixes[j], NULL);
          if (key != NULL)
            json = g_strdup_printf ("{\"auths\":{\"other.example.com\":{\"auth\":\"eDp5\"},"
                                    "\"%s\":{\"auth\":\"%s\"}}}", key, auth);
          else
            json = g_strdup_printf ("{\"auths\":{\"%s\":"
                                    "{\"username\":\"%s\",\"password\":\"%s\"}}}",
                                    host, test_user (), test_password ());
          write_prefix (path, json, strlen (json));
          hatake_registry_set_auth_file (registry, path);
          hatake_registry_get_manifest_async (registry, ref, NULL, store_result_cb, &result);
          bytes = hatake_registry_get_manifest_finish (registry, wait_for (&result), NULL, NULL,
                                                       &error);
          g_assert_no_error (error);
          g_assert_nonnull (bytes);
          g_clear_object (&result);
          g_assert_finalize_object (g_steal_pointer (&registry));
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Pushing and logging in                                                                     */

/* A small image made here: a config and one gzip layer, with an OCI manifest. */
typedef struct
{
  GBytes *config;
  char   *config_digest;
  char   *config_path;
  GBytes *layer;
  char   *layer_digest;
  char   *layer_path;
  GBytes *manifest;
  char   *manifest_digest;
} TestImage;

static void
test_image_clear (TestImage *image)
{
  g_clear_pointer (&image->config, g_bytes_unref);
  g_free (image->config_digest);
  g_free (image->config_path);
  g_clear_pointer (&image->layer, g_bytes_unref);
  g_free (image->layer_digest);
  g_free (image->layer_path);
  g_clear_pointer (&image->manifest, g_bytes_unref);
  g_free (image->manifest_digest);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TestImage, test_image_clear)

static void
write_bytes (const char *path,
             GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

/* A tar of one file of random bytes (so that every run pushes new blobs), gzipped. */
static GBytes *
make_layer (char **out_diff_id)
{
  g_autoptr(GBytes) content = random_bytes (512 * 1024 + 7);
  gsize capacity = g_bytes_get_size (content) + 64 * 1024;
  g_autofree char *tar = g_malloc (capacity);
  size_t used = 0;
  struct archive *writer = archive_write_new ();
  struct archive_entry *entry = archive_entry_new ();
  g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (gzip));
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (archive_write_set_format_pax_restricted (writer), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_memory (writer, tar, capacity, &used), ==, ARCHIVE_OK);
  archive_entry_set_pathname (entry, "hatake-test.bin");
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, g_bytes_get_size (content));
  g_assert_cmpint (archive_write_header (writer, entry), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (writer, g_bytes_get_data (content, NULL),
                                       g_bytes_get_size (content)),
                   ==, g_bytes_get_size (content));
  g_assert_cmpint (archive_write_close (writer), ==, ARCHIVE_OK);
  archive_write_free (writer);
  archive_entry_free (entry);

  *out_diff_id = hatake_sha256_data (tar, used);
  g_output_stream_write_all (out, tar, used, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static void
test_image_init (TestImage *image,
                 Fixture   *f)
{
  g_autofree char *diff_id = NULL;
  g_autofree char *config = NULL;

  image->layer = make_layer (&diff_id);
  image->layer_digest = hatake_sha256_bytes (image->layer);
  config = g_strdup_printf ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
                            "{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", diff_id);
  image->config = g_bytes_new (config, strlen (config));
  image->config_digest = hatake_sha256_bytes (image->config);
  image->manifest = build_manifest (image->config_digest, g_bytes_get_size (image->config),
                                    image->layer_digest, g_bytes_get_size (image->layer));
  image->manifest_digest = hatake_sha256_bytes (image->manifest);
  image->config_path = g_build_filename (f->dir, "config.json", NULL);
  image->layer_path = g_build_filename (f->dir, "layer.tar.gz", NULL);
  write_bytes (image->config_path, image->config);
  write_bytes (image->layer_path, image->layer);
}

static gboolean
put_blob (HatakeRegistry        *registry,
          const HatakeReference *ref,
          const char            *digest,
          const char            *path,
          Progress              *progress,
          gboolean              *out_exists,
          GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_registry_put_blob_async (registry, ref, digest, -1, path,
                                  progress ? progress_cb : NULL, progress, NULL,
                                  store_result_cb, &result);
  return hatake_registry_put_blob_finish (registry, wait_for (&result), out_exists, error);
}

static char *
put_manifest (HatakeRegistry        *registry,
              const HatakeReference *ref,
              GBytes                *manifest,
              GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_registry_put_manifest_async (registry, ref, OCI_MANIFEST, manifest, NULL,
                                      store_result_cb, &result);
  return hatake_registry_put_manifest_finish (registry, wait_for (&result), error);
}

/* Pushes the image as DOMAIN/NAME:v1: the blobs, then the manifest. */
static gboolean
push_image (Fixture    *f,
            TestImage  *image,
            const char *domain,
            const char *name,
            GError    **error)
{
  g_autoptr(HatakeReference) ref = make_ref (domain, name, "v1");
  g_autofree char *digest = NULL;
  Progress progress = { 0 };
  gboolean exists = TRUE;

  if (!put_blob (f->registry, ref, image->config_digest, image->config_path, NULL, &exists,
                 error))
    return FALSE;
  g_assert_false (exists);
  if (!put_blob (f->registry, ref, image->layer_digest, image->layer_path, &progress, &exists,
                 error))
    return FALSE;
  g_assert_false (exists);
  g_assert_cmpint (progress.last, ==, g_bytes_get_size (image->layer));
  g_assert_cmpint (progress.total, ==, g_bytes_get_size (image->layer));
  digest = put_manifest (f->registry, ref, image->manifest, error);
  if (digest == NULL)
    return FALSE;
  g_assert_cmpstr (digest, ==, image->manifest_digest);
  return TRUE;
}

/* Reads DOMAIN/NAME:v1 back with the pull code: the same bytes, the same digests. */
static void
assert_image_pulled (Fixture    *f,
                     TestImage  *image,
                     const char *domain,
                     const char *name)
{
  g_autoptr(HatakeReference) ref = make_ref (domain, name, "v1");
  g_autoptr(GBytes) manifest = NULL;
  g_autofree char *media_type = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Paths) paths = { 0 };

  manifest = fetch_manifest (f->registry, ref, &media_type, &digest, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (manifest, image->manifest));
  g_assert_cmpstr (media_type, ==, OCI_MANIFEST);
  g_assert_cmpstr (digest, ==, image->manifest_digest);

  paths_init (&paths, f);
  g_assert_true (fetch_blob (f->registry, ref, image->layer_digest,
                             g_bytes_get_size (image->layer), paths.partial, paths.final, NULL,
                             NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, image->layer);
  g_assert_true (fetch_blob (f->registry, ref, image->config_digest,
                             g_bytes_get_size (image->config), paths.partial, paths.final, NULL,
                             NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, image->config);
}

static char *
random_name (const char *prefix)
{
  return g_strdup_printf ("%s-%08x", prefix, g_random_int ());
}

static void
test_push_image (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(TestImage) image = { 0 };
  g_autofree char *name = random_name ("hatake-test/push");
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(HatakeReference) by_digest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  gboolean exists = FALSE;

  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return;
  test_image_init (&image, f);
  g_assert_true (push_image (f, &image, fixture.registry, name, &error));
  g_assert_no_error (error);
  assert_image_pulled (f, &image, fixture.registry, name);

  /* Once there, a blob is not sent again. */
  ref = make_ref (fixture.registry, name, "v1");
  g_assert_true (put_blob (f->registry, ref, image.layer_digest, image.layer_path, NULL, &exists,
                           &error));
  g_assert_no_error (error);
  g_assert_true (exists);

  /* By digest too; a manifest that does not hash to the digest named is not sent. */
  by_digest = make_ref (fixture.registry, name, image.manifest_digest);
  digest = put_manifest (f->registry, by_digest, image.manifest, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (digest, ==, image.manifest_digest);
  g_clear_pointer (&by_digest, hatake_reference_free);
  g_clear_pointer (&digest, g_free);
  by_digest = make_ref (fixture.registry, name, image.config_digest);
  digest = put_manifest (f->registry, by_digest, image.manifest, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_null (digest);
}

/* The registry hashes what it receives: bytes under another digest are refused, in its words. */
static void
test_push_wrong_digest (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(TestImage) image = { 0 };
  g_autofree char *name = random_name ("hatake-test/push");
  g_autofree char *wrong = random_digest ();
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_auto(Paths) paths = { 0 };

  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return;
  test_image_init (&image, f);
  ref = make_ref (fixture.registry, name, "v1");
  g_assert_false (put_blob (f->registry, ref, wrong, image.layer_path, NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "digest invalid"));
  g_assert_nonnull (strstr (error->message, wrong));
  g_clear_error (&error);

  paths_init (&paths, f);
  g_assert_false (fetch_blob (f->registry, ref, wrong, -1, paths.partial, paths.final, NULL,
                              NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A manifest whose blobs are not there is refused too. */
  digest = put_manifest (f->registry, ref, image.manifest, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "blob unknown"));
  g_assert_null (digest);
}

/* A 503 to the PUT starts the upload over (a new POST), and a relative Location works. */
static void
test_push_restart (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(TestImage) image = { 0 };
  g_autofree char *name = random_name ("hatake-test/push");
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GPtrArray) puts = NULL;

  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return;
  test_image_init (&image, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->fail_status = 503;
  proxy->fail_count = 1;
  proxy->fail_method = g_strdup ("PUT");
  proxy->relative_location = TRUE;
  g_assert_true (push_image (f, &image, proxy->address, name, &error));
  g_assert_no_error (error);
  assert_image_pulled (f, &image, fixture.registry, name);

  posts = proxy_requests_matching (proxy, "POST /v2/");
  puts = proxy_requests_matching (proxy, "PUT /v2/");
  g_assert_cmpuint (posts->len, ==, 3);  /* the config, the layer twice */
  g_assert_cmpuint (puts->len, ==, 4);   /* and the manifest */
  g_assert_true (strstr (puts->pdata[0], "digest=sha256%3A") != NULL);
}

static void
check_push_auth (Fixture    *f,
                 const char *variable,
                 const char *password,
                 gboolean    expect_ok)
{
  g_auto(TestImage) image = { 0 };
  g_autofree char *name = random_name ("hatake/push");
  g_autoptr(GError) error = NULL;
  const char *host;

  if (!require_service (variable))
    return;
  host = g_getenv (variable);
  test_image_init (&image, f);
  hatake_registry_set_credentials (f->registry, host, test_user (), password);
  if (expect_ok)
    {
      g_assert_true (push_image (f, &image, host, name, &error));
      g_assert_no_error (error);
      assert_image_pulled (f, &image, host, name);
    }
  else
    {
      g_assert_false (push_image (f, &image, host, name, &error));
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, name));
    }
}

static void
test_push_basic (Fixture *f, gconstpointer data)
{
  check_push_auth (f, "HATAKE_TEST_REGISTRY_BASIC", test_password (), TRUE);
}

static void
test_push_basic_wrong (Fixture *f, gconstpointer data)
{
  check_push_auth (f, "HATAKE_TEST_REGISTRY_BASIC", "wrong", FALSE);
}

static void
test_push_token (Fixture *f, gconstpointer data)
{
  check_push_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", test_password (), TRUE);
}

static void
test_push_token_wrong (Fixture *f, gconstpointer data)
{
  check_push_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "wrong", FALSE);
}

static gboolean
check_login (HatakeRegistry  *registry,
             const char      *host,
             const char      *password,
             GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_registry_check_login_async (registry, host, test_user (), password, NULL,
                                     store_result_cb, &result);
  return hatake_registry_check_login_finish (registry, wait_for (&result), error);
}

/* Right and wrong passwords; the credentials stored in the object are neither used nor
 * changed (nor tokens cached), so a pull after a good check is still anonymous. */
static void
check_login_auth (Fixture    *f,
                  const char *variable)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *host;

  if (!require_service (variable))
    return;
  host = g_getenv (variable);
  g_assert_true (check_login (f->registry, host, test_password (), &error));
  g_assert_no_error (error);
  bytes = fetch_busybox (f, variable, "hatake/busybox", &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  hatake_registry_set_credentials (f->registry, host, test_user (), test_password ());
  g_assert_false (check_login (f->registry, host, "wrong", &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "incorrect username or password"));
  g_assert_nonnull (strstr (error->message, host));
  g_clear_error (&error);
  bytes = fetch_busybox (f, variable, "hatake/busybox", &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
}

static void
test_login_basic (Fixture *f, gconstpointer data)
{
  check_login_auth (f, "HATAKE_TEST_REGISTRY_BASIC");
}

static void
test_login_token (Fixture *f, gconstpointer data)
{
  check_login_auth (f, "HATAKE_TEST_REGISTRY_TOKEN");
}

/* A registry that asks for no credentials accepts any, as docker login says. */
static void
test_login_anonymous (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return;
  g_assert_true (check_login (f->registry, fixture.registry, "anything", &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("http://%s/", fixture.registry);
  g_assert_true (check_login (f->registry, url, "anything", &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  push_fixture ();

  g_test_add_func ("/registry/challenge", test_challenge);
  g_test_add_func ("/registry/base-url", test_base_url);
  g_test_add_func ("/registry/backoff", test_backoff);

#define ADD(path, func) \
  g_test_add ("/registry/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("manifest/by-tag", test_manifest_by_tag);
  ADD ("manifest/by-digest", test_manifest_by_digest);
  ADD ("manifest/wrong-digest", test_manifest_wrong_digest);
  ADD ("manifest/wrong-header-digest", test_manifest_wrong_header_digest);
  ADD ("manifest/not-found", test_manifest_not_found);
  ADD ("manifest/too-big", test_manifest_too_big);
  ADD ("blob/download", test_blob_download);
  ADD ("blob/not-found", test_blob_not_found);
  ADD ("blob/wrong-digest", test_blob_wrong_digest);
  ADD ("blob/wrong-size", test_blob_wrong_size);
  ADD ("blob/resume", test_blob_resume);
  ADD ("blob/resume-ignored", test_blob_resume_ignored);
  ADD ("blob/resume-corrupt", test_blob_resume_corrupt);
  ADD ("blob/drop", test_blob_drop);
  ADD ("blob/retry-503", test_blob_retry_503);
  ADD ("blob/retry-429", test_blob_retry_429);
  ADD ("blob/retry-exhausted", test_blob_retry_exhausted);
  ADD ("blob/redirect", test_blob_redirect);
  ADD ("blob/cancel", test_blob_cancel);
  ADD ("auth/basic", test_auth_basic);
  ADD ("auth/basic-wrong", test_auth_basic_wrong);
  ADD ("auth/basic-anonymous", test_auth_basic_anonymous);
  ADD ("auth/token", test_auth_token);
  ADD ("auth/token-wrong", test_auth_token_wrong);
  ADD ("auth/token-anonymous", test_auth_token_anonymous);
  ADD ("auth/token-public", test_auth_token_public);
  ADD ("auth/token-cached", test_auth_token_cached);
  ADD ("auth/config-file", test_auth_config_file);
  ADD ("push/image", test_push_image);
  ADD ("push/wrong-digest", test_push_wrong_digest);
  ADD ("push/restart", test_push_restart);
  ADD ("push/basic", test_push_basic);
  ADD ("push/basic-wrong", test_push_basic_wrong);
  ADD ("push/token", test_push_token);
  ADD ("push/token-wrong", test_push_token_wrong);
  ADD ("login/anonymous", test_login_anonymous);
  ADD ("login/basic", test_login_basic);
  ADD ("login/token", test_login_token);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&fixture.name, g_free);
  g_clear_pointer (&fixture.layer, g_bytes_unref);
  g_clear_pointer (&fixture.layer_digest, g_free);
  g_clear_pointer (&fixture.manifest, g_bytes_unref);
  g_clear_pointer (&fixture.manifest_digest, g_free);
  return status;
}
