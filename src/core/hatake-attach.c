/* hatake-attach.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads and writes are async on the stream; writes are queued so input typed quickly keeps its
 * order.
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include "hatake-attach.h"

#define PACKET_SIZE 8193  /* conmon's buffer plus the stream byte */

struct _HatakeAttach
{
  GObject                 parent_instance;
  GIOStream              *stream;
  gboolean                framing;
  GByteArray             *frames;     /* docker's framing: input not yet parsed */
  HatakeAttachResizeFunc  resize;
  gpointer                resize_data;
  GDestroyNotify          resize_data_free;
  GCancellable           *cancellable;
  GQueue                  pending;    /* GBytes to write */
  gboolean                writing;
  gboolean                closed;
  gboolean                input_ended;
  HatakeFlow             *flow;
  gulong                  flow_id;
  gboolean                waiting;    /* held: the next read waits for the flow's release */
};

G_DEFINE_FINAL_TYPE (HatakeAttach, hatake_attach, G_TYPE_OBJECT)

enum { OUTPUT, CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
hatake_attach_dispose (GObject *object)
{
  HatakeAttach *self = (HatakeAttach *) object;

  g_cancellable_cancel (self->cancellable);
  if (self->flow != NULL)
    g_clear_signal_handler (&self->flow_id, self->flow);
  g_clear_object (&self->flow);
  G_OBJECT_CLASS (hatake_attach_parent_class)->dispose (object);
}

static void
hatake_attach_finalize (GObject *object)
{
  HatakeAttach *self = (HatakeAttach *) object;

  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&self->frames, g_byte_array_unref);
  if (self->resize_data_free)
    self->resize_data_free (self->resize_data);
  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (hatake_attach_parent_class)->finalize (object);
}

static void
hatake_attach_class_init (HatakeAttachClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hatake_attach_dispose;
  object_class->finalize = hatake_attach_finalize;
  signals[OUTPUT] = g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_BYTES);
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);
}

static void
hatake_attach_init (HatakeAttach *self)
{
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->pending);
}

HatakeAttach *
hatake_attach_new (GIOStream              *stream,
                   gboolean                conmon_framing,
                   HatakeAttachResizeFunc  resize,
                   gpointer                resize_data,
                   GDestroyNotify          resize_data_free)
{
  HatakeAttach *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  self = g_object_new (HATAKE_TYPE_ATTACH, NULL);
  self->stream = g_object_ref (stream);
  self->framing = conmon_framing;
  self->resize = resize;
  self->resize_data = resize_data;
  self->resize_data_free = resize_data_free;
  return self;
}

static void
close_once (HatakeAttach *self)
{
  if (self->closed)
    return;
  self->closed = TRUE;
  g_signal_emit (self, signals[CLOSED], 0);
}

static void read_next (HatakeAttach *self);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(HatakeAttach) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const guint8 *data;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      close_once (self);
      return;
    }
  data = g_bytes_get_data (bytes, &length);
  if (self->frames != NULL)
    {
      /* docker's: [stream, 0, 0, 0, size (4 bytes, big endian)] then the payload */
      g_byte_array_append (self->frames, data, length);
      while (self->frames->len >= 8)
        {
          const guint8 *h = self->frames->data;
          guint32 size = ((guint32) h[4] << 24) | ((guint32) h[5] << 16) | ((guint32) h[6] << 8) | h[7];
          g_autoptr(GBytes) payload = NULL;

          if (self->frames->len < 8 + size)
            break;
          payload = g_bytes_new (h + 8, size);
          g_signal_emit (self, signals[OUTPUT], 0, h[0] == 2 ? HATAKE_LOG_STDERR : HATAKE_LOG_STDOUT, payload);
          g_byte_array_remove_range (self->frames, 0, 8 + size);
        }
    }
  else if (self->framing)
    {
      g_autoptr(GBytes) payload = g_bytes_new_from_bytes (bytes, 1, length - 1);
      g_signal_emit (self, signals[OUTPUT], 0, data[0] == 3 ? HATAKE_LOG_STDERR : HATAKE_LOG_STDOUT, payload);
    }
  else
    g_signal_emit (self, signals[OUTPUT], 0, HATAKE_LOG_STDOUT, bytes);
  if (self->flow != NULL && hatake_flow_get_held (self->flow))
    self->waiting = TRUE;
  else
    read_next (self);
}

static void
on_flow_held (HatakeFlow *flow,
              GParamSpec *pspec,
              gpointer    user_data)
{
  HatakeAttach *self = user_data;

  if (self->waiting && !hatake_flow_get_held (flow) && !g_cancellable_is_cancelled (self->cancellable))
    {
      self->waiting = FALSE;
      read_next (self);
    }
}

void
hatake_attach_set_flow (HatakeAttach *self,
                        HatakeFlow   *flow)
{
  g_return_if_fail (HATAKE_IS_ATTACH (self));
  g_return_if_fail (self->flow == NULL);
  self->flow = g_object_ref (flow);
  self->flow_id = g_signal_connect (flow, "notify::held", G_CALLBACK (on_flow_held), self);
}

static void
read_next (HatakeAttach *self)
{
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (self->stream), PACKET_SIZE, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_read, g_object_ref (self));
}

void
hatake_attach_set_docker_framing (HatakeAttach *self)
{
  g_return_if_fail (HATAKE_IS_ATTACH (self));
  if (self->frames == NULL)
    self->frames = g_byte_array_new ();
}

void
hatake_attach_start (HatakeAttach *self)
{
  g_return_if_fail (HATAKE_IS_ATTACH (self));
  read_next (self);
}

static void write_next (HatakeAttach *self);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HatakeAttach) self = user_data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_debug ("attach: %s", error->message);
      return;
    }
  write_next (self);
}

static void
write_next (HatakeAttach *self)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const void *data;

  if (self->writing)
    return;
  if (g_queue_is_empty (&self->pending))
    {
      /* the input ended: the container's stdin closes (conmon, or the API server, sees the
       * socket's write side go) */
      GIOStream *connection = G_IS_SOCKET_CONNECTION (self->stream)
                                ? self->stream : g_object_get_data (G_OBJECT (self->stream), HATAKE_ATTACH_CONNECTION_KEY);

      if (!self->input_ended || connection == NULL || self->closed)
        return;
      if (G_IS_SOCKET_CONNECTION (connection))
        g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)), FALSE, TRUE, NULL);
      else
        /* TLS: close_notify ends the write side, the read side stays */
        g_output_stream_close_async (g_io_stream_get_output_stream (connection), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      return;
    }
  bytes = g_queue_pop_head (&self->pending);
  data = g_bytes_get_data (bytes, &length);
  self->writing = TRUE;
  /* the bytes stay alive on the task until the write completes */
  g_object_set_data_full (G_OBJECT (self), "hatake-writing", g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), data, length, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_written, g_object_ref (self));
}

void
hatake_attach_write (HatakeAttach *self,
                     GBytes       *bytes)
{
  g_return_if_fail (HATAKE_IS_ATTACH (self));
  g_queue_push_tail (&self->pending, g_bytes_ref (bytes));
  write_next (self);
}

void
hatake_attach_end_input (HatakeAttach *self)
{
  g_return_if_fail (HATAKE_IS_ATTACH (self));
  self->input_ended = TRUE;
  write_next (self);
}

void
hatake_attach_resize (HatakeAttach *self,
                      guint         width,
                      guint         height)
{
  g_return_if_fail (HATAKE_IS_ATTACH (self));
  if (self->resize)
    self->resize (width, height, self->resize_data);
}

void
hatake_attach_close (HatakeAttach *self)
{
  g_return_if_fail (HATAKE_IS_ATTACH (self));
  g_cancellable_cancel (self->cancellable);
  g_io_stream_close (self->stream, NULL, NULL);
  close_once (self);
}
