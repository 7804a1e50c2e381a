/* hatake-test-registry.c: what test-registry (pulling) and test-registry-push share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hatake-digest.h"
#include "hatake-test-registry.h"

static gboolean
in_ci (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0;
}

/* TRUE when the service named by `variable` is there; else skips (or fails under CI). */
gboolean
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

GBytes *
random_bytes (gsize size)
{
  guint32 *data = g_malloc (size + 4);

  for (gsize i = 0; i < size / 4 + 1; i++)
    data[i] = g_random_int ();
  return g_bytes_new_take (data, size);
}

char *
random_digest (void)
{
  g_autoptr(GBytes) bytes = random_bytes (32);
  return hatake_sha256_bytes (bytes);
}

void
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

GBytes *
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

/* ------------------------------------------------------------------------------------------ */
/* A fault-injecting HTTP proxy: one request per connection, one thread per connection         */

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
  if (is_blob && proxy->bogus_partial && g_str_has_prefix (status_line, "HTTP/1.1 200"))
    g_string_append (response, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1-1/2\r\n");
  else
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
  if (proxy->fail_manifests ? is_manifest : is_blob)
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

Proxy *
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

void
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

/* The request heads the proxy saw that contain `needle` (e.g. "/blobs/"). */
GPtrArray *
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

gboolean
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

void
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

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* Nothing the client started may outlive its operations. */
  g_assert_finalize_object (f->registry);
  remove_tree (f->dir);
  g_free (f->dir);
}

void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

GAsyncResult *
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

HatakeReference *
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

GBytes *
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

void
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

gboolean
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

void
paths_init (Paths      *paths,
            Fixture    *f)
{
  paths->partial = g_build_filename (f->dir, "blob.partial", NULL);
  paths->final = g_build_filename (f->dir, "blob", NULL);
}

void
paths_clear (Paths *paths)
{
  g_free (paths->partial);
  g_free (paths->final);
}

/* ------------------------------------------------------------------------------------------ */
/* The registries with authentication that build-aux/test-services.sh starts                  */

GBytes *
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

const char *
test_user (void)
{
  return g_getenv ("HATAKE_TEST_USER") ? g_getenv ("HATAKE_TEST_USER") : "hatake";
}

const char *
test_password (void)
{
  return g_getenv ("HATAKE_TEST_PASSWORD") ? g_getenv ("HATAKE_TEST_PASSWORD") : "hatake-secret";
}
