/* hatake-api-archive.c: docker cp and docker export (/containers/{id}/archive and /export), and
 * the two halves every large body needs: uploads spooled to disk, downloads sent at the pace the
 * client reads
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-api"

#include "config.h"

#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hatake-api-private.h"

#define SEND_CHUNK  (64 * 1024)
#define SPOOL_FD    "hatake-spool-fd"
#define SPOOL_ERROR "hatake-spool-errno"

/* ---- uploads ------------------------------------------------------------------------------- */

static void
spool_close (gpointer data)
{
  close (GPOINTER_TO_INT (data) - 1);
}

static void
on_got_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  int fd = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (msg), SPOOL_FD)) - 1;
  gsize length = 0;
  const char *data = g_bytes_get_data (chunk, &length);

  if (fd < 0 || g_object_get_data (G_OBJECT (msg), SPOOL_ERROR) != NULL)
    return;
  /* into the page cache: a local file, never a wait on the network */
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_object_set_data (G_OBJECT (msg), SPOOL_ERROR, GINT_TO_POINTER (errno));
          return;
        }
      data += n;
      length -= n;
    }
}

/* Called with the headers, before the body: a body that can be large (a tar) goes to an unlinked
 * file as it arrives, instead of into memory. */
void
hatake_api_spool_body (SoupServerMessage *msg)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  int fd = g_file_open_tmp ("hatake-upload-XXXXXX", &name, &error);

  if (fd < 0)
    {
      g_warning ("Cannot spool an upload: %s", error->message);
      return;   /* it accumulates in memory instead */
    }
  g_unlink (name);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_object_set_data_full (G_OBJECT (msg), SPOOL_FD, GINT_TO_POINTER (fd + 1), spool_close);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), NULL);
}

GInputStream *
hatake_api_body_stream (SoupServerMessage  *msg,
                        GError            **error)
{
  int fd = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (msg), SPOOL_FD)) - 1;
  int errsv = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (msg), SPOOL_ERROR));
  g_autoptr(GBytes) bytes = NULL;
  int copy;

  if (fd < 0)
    {
      bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
      return g_memory_input_stream_new_from_bytes (bytes);
    }
  if (errsv != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "Cannot keep the upload: %s", g_strerror (errsv));
      return NULL;
    }
  /* a file of its own for the reader, from the start */
  {
    g_autofree char *proc = g_strdup_printf ("/proc/self/fd/%d", fd);

    copy = open (proc, O_RDONLY | O_CLOEXEC);
  }
  if (copy < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "Cannot read the upload: %s", g_strerror (errno));
      return NULL;
    }
  return g_unix_input_stream_new (copy, TRUE);
}

/* ---- downloads ----------------------------------------------------------------------------- */

typedef struct
{
  HatakeApiRequest *request;
  GInputStream     *in;
  char             *buffer;
  gulong            wrote_id;
} SendData;

static void send_next (SendData *data);

static void
send_end (SendData *data)
{
  g_clear_signal_handler (&data->wrote_id, data->request->msg);
  g_input_stream_close (data->in, NULL, NULL);
  hatake_api_request_end_stream (data->request);
  g_object_unref (data->in);
  g_free (data->buffer);
  g_free (data);
}

static void
on_wrote_chunk (SoupServerMessage *msg, gpointer user_data)
{
  send_next (user_data);
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SendData *data = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n <= 0)
    {
      /* the end, or the client gone; a failure midway leaves a tar without its end, which
       * docker's clients report */
      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("A download stopped: %s", error->message);
      send_end (data);
      return;
    }
  /* the next read waits for this chunk to be written: a slow client slows the producer */
  hatake_api_request_write (data->request, data->buffer, n);
}

static void
send_next (SendData *data)
{
  g_input_stream_read_async (data->in, data->buffer, SEND_CHUNK, G_PRIORITY_DEFAULT, data->request->cancellable,
                             on_read, data);
}

void
hatake_api_request_send_stream (HatakeApiRequest *request,
                                const char       *content_type,
                                GInputStream     *in)
{
  SendData *data = g_new0 (SendData, 1);

  data->request = request;
  data->in = g_object_ref (in);
  data->buffer = g_malloc (SEND_CHUNK);
  hatake_api_request_begin_stream (request, content_type);
  data->wrote_id = g_signal_connect (request->msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), data);
  send_next (data);
}

/* ---- the routes ---------------------------------------------------------------------------- */

static void
set_stat_header (SoupServerMessage *msg, JsonNode *stat)
{
  g_autofree char *json = json_to_string (stat, FALSE);
  g_autofree char *encoded = g_base64_encode ((const guchar *) json, strlen (json));

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Docker-Container-Path-Stat",
                                encoded);
}

static void
on_archive (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stat = NULL;
  g_autoptr(GInputStream) tar = hatake_engine_container_archive_finish (HATAKE_ENGINE (source), result, &stat, &error);

  if (error != NULL)
    {
      hatake_api_request_reply_error (request, error);
      return;
    }
  if (stat != NULL)
    set_stat_header (request->msg, stat);
  if (tar != NULL)
    hatake_api_request_send_stream (request, "application/x-tar", tar);
  else
    hatake_api_request_reply_status (request, SOUP_STATUS_OK);   /* HEAD's stat, or PUT's done */
}

/* /containers/{id}/archive (GET, HEAD, PUT) and /containers/{id}/export */
gboolean
hatake_api_archive_route (HatakeApiServer   *server,
                          SoupServerMessage *msg,
                          const char        *method,
                          GStrv              path,
                          GHashTable        *query)
{
  const char *where = hatake_api_query (query, "path");
  HatakeArchiveFlags flags = HATAKE_ARCHIVE_FLAGS_NONE;
  g_autoptr(GInputStream) tar = NULL;
  g_autoptr(GError) error = NULL;
  HatakeApiRequest *request;
  HatakeArchiveOp op;

  if (g_strv_length (path) != 3 || !g_str_equal (path[0], "containers"))
    return FALSE;
  if (g_str_equal (path[2], "export") && g_str_equal (method, "GET"))
    op = HATAKE_ARCHIVE_EXPORT;
  else if (!g_str_equal (path[2], "archive"))
    return FALSE;
  else if (g_str_equal (method, "GET"))
    op = HATAKE_ARCHIVE_GET;
  else if (g_str_equal (method, "HEAD"))
    op = HATAKE_ARCHIVE_STAT;
  else if (g_str_equal (method, "PUT"))
    op = HATAKE_ARCHIVE_PUT;
  else
    return FALSE;

  if (op != HATAKE_ARCHIVE_EXPORT && (where == NULL || *where == '\0'))
    {
      hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, "path is required");
      return TRUE;
    }
  if (op == HATAKE_ARCHIVE_PUT)
    {
      tar = hatake_api_body_stream (msg, &error);
      if (tar == NULL)
        {
          hatake_api_reply_error (msg, error);
          return TRUE;
        }
      if (hatake_api_query_bool (query, "noOverwriteDirNonDir", FALSE))
        flags |= HATAKE_ARCHIVE_NO_OVERWRITE_DIR;
      if (hatake_api_query_bool (query, "copyUIDGID", FALSE))
        flags |= HATAKE_ARCHIVE_KEEP_OWNERS;
    }
  request = hatake_api_request_new (server, msg, query, path);
  hatake_engine_container_archive_async (request->engine, path[1], op, where, tar, flags, request->cancellable,
                                         on_archive, request);
  return TRUE;
}

/* ---- docker save and load ----------------------------------------------------------------- */

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) tar = hatake_engine_save_images_finish (HATAKE_ENGINE (source), result, &error);

  if (tar == NULL)
    hatake_api_request_reply_error (request, error);
  else
    hatake_api_request_send_stream (request, "application/x-tar", tar);
}

/* GET /images/get?names=A&names=B (the parsed query keeps one of each key: read them all from the
 * URI) and GET /images/{NAME}/get */
void
hatake_api_images_save (HatakeApiServer   *server,
                        SoupServerMessage *msg,
                        GStrv              path,
                        GHashTable        *query,
                        const char        *name)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) references = NULL;
  HatakeApiRequest *request;

  if (name != NULL)
    g_strv_builder_add (names, name);
  else
    {
      const char *raw = g_uri_get_query (soup_server_message_get_uri (msg));
      g_auto(GStrv) pairs = g_strsplit (raw ? raw : "", "&", -1);

      for (guint i = 0; pairs[i]; i++)
        if (g_str_has_prefix (pairs[i], "names="))
          {
            g_autofree char *plus = g_strdelimit (g_strdup (pairs[i] + strlen ("names=")), "+", ' ');
            g_autofree char *value = g_uri_unescape_string (plus, NULL);

            if (value != NULL && *value != '\0')
              g_strv_builder_add (names, value);
          }
    }
  references = g_strv_builder_end (names);
  if (references[0] == NULL)
    {
      hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, "names is required");
      return;
    }
  request = hatake_api_request_new (server, msg, query, path);
  hatake_engine_save_images_async (request->engine, (const char * const *) references, request->cancellable, on_saved,
                                   request);
}

static void
on_images_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) lines = hatake_engine_load_images_finish (HATAKE_ENGINE (source), result, &error);
  JsonArray *array;

  if (lines == NULL)
    {
      hatake_api_request_reply_error (request, error);
      return;
    }
  hatake_api_request_begin_stream (request, "application/json");
  array = json_node_get_array (lines);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_object_new ();
      g_autofree char *text = g_strconcat (json_array_get_string_element (array, i), "\n", NULL);
      g_autoptr(JsonNode) node = NULL;

      json_object_set_string_member (o, "stream", text);
      node = hatake_api_object_node (o);
      hatake_api_request_write_json (request, node);
    }
  hatake_api_request_end_stream (request);
}

/* POST /images/load: the body (spooled) is the archive */
void
hatake_api_images_load (HatakeApiServer   *server,
                        SoupServerMessage *msg,
                        GStrv              path,
                        GHashTable        *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) tar = hatake_api_body_stream (msg, &error);
  HatakeApiRequest *request;

  if (tar == NULL)
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  request = hatake_api_request_new (server, msg, query, path);
  hatake_engine_load_images_async (request->engine, tar, request->cancellable, on_images_loaded, request);
}

/* The uploads this server spools (see hatake_api_spool_body). */
gboolean
hatake_api_archive_wants_spool (const char *method,
                                GStrv       path)
{
  guint n = g_strv_length (path);

  return (g_str_equal (method, "PUT") && n == 3 && g_str_equal (path[0], "containers") &&
          g_str_equal (path[2], "archive")) ||
         (g_str_equal (method, "POST") && n == 2 && g_str_equal (path[0], "images") && g_str_equal (path[1], "load"));
}
