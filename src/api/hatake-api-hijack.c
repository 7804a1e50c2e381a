/* hatake-api-hijack.c: docker's hijacked connections (attach, exec start)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The HTTP connection is taken from libsoup and becomes a raw stream both ways: the server writes
 * "101 UPGRADED" (or "200 OK" to clients that did not ask to upgrade), then the process's output,
 * in docker's 8-byte frames unless it has a terminal, and reads what the client types. Writes are
 * queued and written in order, asynchronously: a slow client never blocks the engine, and its
 * flow is held while too much waits, so that what feeds it (a log follower, an exec's pipes)
 * pauses instead of piling up in memory.
 *
 * At the end the server's side is shut down first, and what the client still sends is read and
 * dropped until it closes: a socket closed with unread input sends a reset, and the client's
 * kernel throws away what it had not yet read of the output (docker exec -i of a command that
 * does not read its stdin ended with "connection reset by peer"). Not over TLS: the socket
 * cannot be shut down under it.
 */
#define G_LOG_DOMAIN "hatake-api"

#include "config.h"

#include <string.h>

#include "hatake-api-private.h"

/* as the API's other streams: held above the high mark until drained to the low one */
#define HIJACK_HIGH_WATER (1024 * 1024)
#define HIJACK_LOW_WATER  (256 * 1024)
/* how long a client that got its output's end may go on sending before the connection closes */
#define HIJACK_DRAIN_SECONDS 5

struct _HatakeApiHijack
{
  GIOStream    *stream;
  GSocket      *socket;      /* its socket, unless the connection is TLS (whose close_notify
                             * goes first: closed as a whole, as before) */
  GSource      *drain;       /* at the end: the client's input, read and dropped */
  GSource      *drain_timeout;
  GQueue        pending;     /* GBytes, in order */
  gsize         queued;      /* their bytes */
  HatakeFlow   *flow;
  gboolean      writing;
  gboolean      ending;
  gboolean      closing;
  GCancellable *cancellable; /* cancelled when the client is gone */
  HatakeApiHijackInput input;
  gpointer      input_data;
  guint         refs;        /* the writer's and a reader's */
  char          buffer[4096];
};

static void write_next (HatakeApiHijack *self);

static void
hijack_unref (HatakeApiHijack *self)
{
  if (--self->refs > 0)
    return;
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
  g_clear_object (&self->stream);
  g_clear_object (&self->socket);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->flow);
  g_free (self);
}

static void
on_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  hijack_unref (user_data);
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiHijack *self = user_data;
  g_autoptr(GError) error = NULL;

  GBytes *written = g_queue_pop_head (&self->pending);

  self->writing = FALSE;
  self->queued -= MIN (self->queued, g_bytes_get_size (written));
  g_bytes_unref (written);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      /* (the client is gone: what feeds it may go on, its output goes nowhere) */
      g_debug ("hijacked connection: %s", error->message);
      g_cancellable_cancel (self->cancellable);
      g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
      self->queued = 0;
    }
  if (self->queued <= HIJACK_LOW_WATER)
    hatake_flow_set_held (self->flow, FALSE);
  write_next (self);
}

static void
drain_done (HatakeApiHijack *self)
{
  g_source_destroy (self->drain);
  g_source_destroy (self->drain_timeout);
  g_clear_pointer (&self->drain, g_source_unref);
  g_clear_pointer (&self->drain_timeout, g_source_unref);
  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, on_closed, self);
}

static gboolean
on_drain (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  HatakeApiHijack *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  /* (a bounded amount per call: the main loop's other sources go on meanwhile) */
  for (guint i = 0; i < 16; i++)
    {
      n = g_socket_receive_with_blocking (socket, self->buffer, sizeof self->buffer, FALSE, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (n <= 0)
        {
          drain_done (self);
          return G_SOURCE_REMOVE;
        }
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  HatakeApiHijack *self = user_data;

  g_debug ("hijacked connection: the client still sends %d s after its end", HIJACK_DRAIN_SECONDS);
  drain_done (self);
  return G_SOURCE_REMOVE;
}

static void
close_connection (HatakeApiHijack *self)
{
  g_autoptr(GError) error = NULL;

  if (self->socket == NULL || !g_socket_shutdown (self->socket, FALSE, TRUE, &error))
    {
      if (error != NULL)
        g_debug ("hijacked connection: %s", error->message);
      g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, on_closed, self);
      return;
    }
  self->drain = g_socket_create_source (self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->drain, G_SOURCE_FUNC (on_drain), self, NULL);
  g_source_attach (self->drain, g_main_context_get_thread_default ());
  self->drain_timeout = g_timeout_source_new_seconds (HIJACK_DRAIN_SECONDS);
  g_source_set_callback (self->drain_timeout, on_drain_timeout, self, NULL);
  g_source_attach (self->drain_timeout, g_main_context_get_thread_default ());
}

static void
write_next (HatakeApiHijack *self)
{
  GBytes *bytes;

  if (self->writing || self->closing)
    return;
  bytes = g_queue_peek_head (&self->pending);
  if (bytes != NULL)
    {
      self->writing = TRUE;
      g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), g_bytes_get_data (bytes, NULL),
                                       g_bytes_get_size (bytes), G_PRIORITY_DEFAULT, NULL, on_written, self);
      return;
    }
  if (self->ending)
    {
      /* (the reader, if any, stops on the cancellation and drops its reference) */
      self->closing = TRUE;
      g_cancellable_cancel (self->cancellable);
      close_connection (self);
    }
}

HatakeApiHijack *
hatake_api_hijack_new (SoupServerMessage *msg,
                       const char        *content_type)
{
  HatakeApiHijack *self = g_new0 (HatakeApiHijack, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  gboolean upgrade = soup_message_headers_get_one (headers, "Upgrade") != NULL;
  g_autofree char *head = NULL;

  g_queue_init (&self->pending);
  self->refs = 1;
  self->cancellable = g_cancellable_new ();
  self->flow = hatake_flow_new ();
  if (soup_server_message_get_socket (msg) != NULL &&
      g_strcmp0 (g_uri_get_scheme (soup_server_message_get_uri (msg)), "https") != 0)
    self->socket = g_object_ref (soup_server_message_get_socket (msg));
  self->stream = soup_server_message_steal_connection (msg);
  head = g_strdup_printf ("HTTP/1.1 %s\r\nContent-Type: %s\r\n%s\r\n", upgrade ? "101 UPGRADED" : "200 OK",
                          content_type, upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "");
  hatake_api_hijack_write (self, head, strlen (head));
  return self;
}

GCancellable *
hatake_api_hijack_get_cancellable (HatakeApiHijack *self)
{
  return self->cancellable;
}

HatakeFlow *
hatake_api_hijack_get_flow (HatakeApiHijack *self)
{
  return self->flow;
}

void
hatake_api_hijack_write (HatakeApiHijack *self,
                         const void      *data,
                         gsize            length)
{
  if (g_cancellable_is_cancelled (self->cancellable) || self->ending || length == 0)
    return;
  g_queue_push_tail (&self->pending, g_bytes_new (data, length));
  self->queued += length;
  if (self->queued > HIJACK_HIGH_WATER)
    hatake_flow_set_held (self->flow, TRUE);
  write_next (self);
}

void
hatake_api_hijack_write_frame (HatakeApiHijack *self,
                               gboolean         multiplexed,
                               guint8           stream,
                               const void      *data,
                               gsize            length)
{
  if (multiplexed)
    {
      guint8 header[8] = { stream, 0, 0, 0 };
      guint32 size = GUINT32_TO_BE ((guint32) length);

      memcpy (header + 4, &size, 4);
      hatake_api_hijack_write (self, header, sizeof header);
    }
  hatake_api_hijack_write (self, data, length);
}

/* Everything queued is written, then the connection closes and the hijack is freed; the input
 * function is not called again. */
void
hatake_api_hijack_end (HatakeApiHijack *self)
{
  self->ending = TRUE;
  self->input = NULL;
  write_next (self);
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiHijack *self = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (g_cancellable_is_cancelled (self->cancellable) || self->input == NULL)
    {
      hijack_unref (self);
      return;
    }
  self->input (n > 0 ? self->buffer : NULL, n > 0 ? n : 0, self->input_data);
  if (n > 0)
    g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), self->buffer, sizeof self->buffer,
                               G_PRIORITY_DEFAULT, self->cancellable, on_read, self);
  else
    hijack_unref (self);
}

/* What the client sends goes to INPUT (a NULL chunk at its end). Stops when the hijack ends. */
void
hatake_api_hijack_read (HatakeApiHijack      *self,
                        HatakeApiHijackInput  input,
                        gpointer              input_data)
{
  self->input = input;
  self->input_data = input_data;
  self->refs++;
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), self->buffer, sizeof self->buffer,
                             G_PRIORITY_DEFAULT, self->cancellable, on_read, self);
}
