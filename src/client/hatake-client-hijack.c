/* hatake-client-hijack.c: exec in a remote engine, over a hijacked connection
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docker's attach and exec start answer a request by taking the connection over: after the
 * response's headers the socket carries the process's stdio both ways. libsoup 3's client cannot
 * hand a connection over for anything but WebSockets, so this one request is written here, as the
 * docker CLI writes it (HTTP/1.1 with Upgrade: tcp), on a connection of its own; its response's
 * status line and headers are read line by line, and what follows stays in the same buffered
 * stream, which becomes the process's output. Everything else of the client goes through libsoup.
 *
 * Without a terminal the output is docker's multiplexed stream (8-byte frame headers naming
 * stdout or stderr); with one it is the terminal's raw bytes, handed to the caller as a
 * HatakeAttach like the local engine's.
 */
#define G_LOG_DOMAIN "hatake-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include <string.h>
#include <unistd.h>

#include "hatake-client-engine-private.h"
#include "hatake-error.h"
#include "hatake-json.h"

#define MAX_HEADER_LINES 100

/* ---- the hijacked request ------------------------------------------------------------------- */

typedef struct
{
  char              *request;
  GIOStream         *connection;
  GDataInputStream  *in;
  guint              status;
  gint64             content_length;
  guint              lines;
} Hijack;

static void
hijack_free (Hijack *h)
{
  g_free (h->request);
  g_clear_object (&h->connection);
  g_clear_object (&h->in);
  g_free (h);
}

static void
on_error_body (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Hijack *h = g_task_get_task_data (task);
  g_autoptr(GBytes) body = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  g_task_return_error (task, hatake_client_error_from_response (h->status, NULL, body));
}

static void
on_header_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Hijack *h = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  gsize length = 0;
  g_autofree char *line = g_data_input_stream_read_line_finish (h->in, result, &length, &error);

  if (line == NULL)
    {
      g_task_return_error (task, error ? error : g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                              _("The engine closed the connection")));
      return;
    }
  g_strchomp (line);
  if (++h->lines > MAX_HEADER_LINES)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The engine's answer has no end"));
      return;
    }
  if (h->lines == 1)
    {
      /* "HTTP/1.1 101 UPGRADED" */
      const char *space = strchr (line, ' ');

      h->status = space ? (guint) g_ascii_strtoull (space + 1, NULL, 10) : 0;
    }
  else if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
    h->content_length = g_ascii_strtoll (line + 15, NULL, 10);
  else if (*line == '\0')
    {
      if (h->status >= 400 || h->status == 0)
        {
          g_input_stream_read_bytes_async (G_INPUT_STREAM (h->in), MAX (0, MIN (h->content_length, 65536)),
                                           G_PRIORITY_DEFAULT, cancellable, on_error_body, g_object_ref (task));
          return;
        }
      /* what the buffer already holds beyond the headers is the stream's start: it stays. The
       * connection goes with the stream: dropping its last reference would close the socket */
      GIOStream *stream = g_simple_io_stream_new (G_INPUT_STREAM (h->in),
                                                  g_io_stream_get_output_stream (G_IO_STREAM (h->connection)));

      g_object_set_data_full (G_OBJECT (stream), HATAKE_ATTACH_CONNECTION_KEY, g_object_ref (h->connection),
                              g_object_unref);
      g_task_return_pointer (task, stream, g_object_unref);
      return;
    }
  g_data_input_stream_read_line_async (h->in, G_PRIORITY_DEFAULT, cancellable, on_header_line, g_object_ref (task));
}

static void
on_request_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Hijack *h = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  h->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (h->connection)));
  g_data_input_stream_set_newline_type (h->in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  g_data_input_stream_read_line_async (h->in, G_PRIORITY_DEFAULT, g_task_get_cancellable (task), on_header_line,
                                       g_object_ref (task));
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Hijack *h = g_task_get_task_data (task);
  GError *error = NULL;

  h->connection = hatake_client_connect_finish (HATAKE_CLIENT (source), result, &error);
  if (h->connection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (h->connection)), h->request,
                                   strlen (h->request), G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   on_request_written, g_object_ref (task));
}

/* POST PATH with BODY, the connection taken over: the finish gives the stream both ways. */
static void
hijack_async (HatakeClient *client, const char *path, JsonNode *body, GCancellable *cancellable,
              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);
  g_autofree char *json = json_to_string (body, FALSE);
  Hijack *h = g_new0 (Hijack, 1);

  h->request = g_strdup_printf ("POST /v" HATAKE_CLIENT_API_VERSION "%s HTTP/1.1\r\nHost: docker\r\n"
                                "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\n"
                                "Content-Length: %zu\r\n\r\n%s", path, strlen (json), json);
  g_task_set_task_data (task, h, (GDestroyNotify) hijack_free);
  hatake_client_connect_async (client, cancellable, on_connected, g_steal_pointer (&task));
}

static GIOStream *
hijack_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- attach --------------------------------------------------------------------------------- */

typedef struct
{
  HatakeClient *client;
  char         *path;        /* the attach request's */
  char         *resize;      /* /containers/{id}/resize */
  gboolean      tty;
} AttachData;

static void
attach_data_free (AttachData *data)
{
  g_clear_object (&data->client);
  g_free (data->path);
  g_free (data->resize);
  g_free (data);
}

static void
resize_container (guint width, guint height, gpointer user_data)
{
  AttachData *data = user_data;
  g_autofree char *w = g_strdup_printf ("%u", width), *h = g_strdup_printf ("%u", height);
  g_autofree char *path = hatake_client_path (data->resize, "h", h, "w", w, NULL);

  hatake_client_request_async (data->client, "POST", path, NULL, NULL, NULL, NULL, NULL);
}

static void
on_attached (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  AttachData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GIOStream) stream = hijack_finish (result, &error);
  AttachData *resize;
  HatakeAttach *attach;

  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* the attach may outlive this call: its resizes hold what they need */
  resize = g_new0 (AttachData, 1);
  resize->client = g_object_ref (data->client);
  resize->resize = g_strdup (data->resize);
  attach = hatake_attach_new (stream, FALSE, resize_container, resize, (GDestroyNotify) attach_data_free);
  if (!data->tty)
    hatake_attach_set_docker_framing (attach);
  g_task_return_pointer (task, attach, g_object_unref);
}

/* Whether the container has a terminal decides the stream's format: raw, or multiplexed */
static void
on_attach_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  AttachData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonNode) node = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

  if (node == NULL)
    {
      g_task_return_error (task, error ? error : g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED, "inspect"));
      return;
    }
  data->tty = hatake_json_boolean (hatake_json_object_member (json_node_get_object (node), "Config"), "Tty", FALSE);
  json_node_take_object (body, json_object_new ());
  hijack_async (data->client, data->path, body, g_task_get_cancellable (task), on_attached, g_object_ref (task));
}

void
_hatake_client_engine_attach_async (HatakeEngine        *engine,
                                    const char          *container,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  HatakeClientEngine *self = HATAKE_CLIENT_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *id = _hatake_client_escape (container);
  g_autofree char *inspect = g_strdup_printf ("/containers/%s/json", id);
  AttachData *data = g_new0 (AttachData, 1);

  g_task_set_source_tag (task, _hatake_client_engine_attach_async);
  data->client = g_object_ref (self->client);
  data->path = g_strdup_printf ("/containers/%s/attach?stream=1&stdin=1&stdout=1&stderr=1", id);
  data->resize = g_strdup_printf ("/containers/%s/resize", id);
  g_task_set_task_data (task, data, (GDestroyNotify) attach_data_free);
  hatake_client_request_async (self->client, "GET", inspect, NULL, NULL, cancellable, on_attach_inspected,
                               g_steal_pointer (&task));
}

HatakeAttach *
_hatake_client_engine_attach_finish (HatakeEngine  *engine,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- exec ----------------------------------------------------------------------------------- */

typedef struct
{
  HatakeClientEngine *self;
  char               *exec_id;
  gboolean            tty;
  gboolean            interactive;
  gboolean            detach;         /* docker exec -d: no stream, the start's answer ends it */
  void              (*attach_ready) (HatakeAttach *attach, gpointer user_data);
  gpointer            attach_data;
  GIOStream          *stream;
  HatakeAttach       *attach;
  gulong              closed_id;
  GOutputStream      *out[3];         /* without a terminal: this process's stdout and stderr */
  GInputStream       *stdin_stream;
  char                in_buffer[16 * 1024];
} ExecData;

static void
exec_data_free (ExecData *data)
{
  if (data->attach != NULL)
    {
      g_clear_signal_handler (&data->closed_id, data->attach);
      g_signal_handlers_disconnect_by_data (data->attach, data);
    }
  g_clear_object (&data->attach);
  g_clear_object (&data->stream);
  g_clear_object (&data->self);
  for (guint i = 0; i < 3; i++)
    g_clear_object (&data->out[i]);
  g_clear_object (&data->stdin_stream);
  g_free (data->exec_id);
  g_free (data);
}

static void
on_exec_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(JsonNode) node = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);

  if (node == NULL)
    g_task_return_error (task, error ? error : g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED, "exec"));
  else
    g_task_return_int (task, hatake_json_int (json_node_get_object (node), "ExitCode", -1));
}

/* the stream ended: the process has; its exit code is the exec's */
static void
exec_ended (GTask *task)
{
  ExecData *data = g_task_get_task_data (task);
  g_autofree char *path = g_strdup_printf ("/exec/%s/json", data->exec_id);

  hatake_client_request_async (data->self->client, "GET", path, NULL, NULL, g_task_get_cancellable (task),
                               on_exec_inspected, g_object_ref (task));
}

static void
on_attach_closed (HatakeAttach *attach, gpointer user_data)
{
  GTask *task = user_data;

  exec_ended (task);
  g_object_unref (task);
}

/* without a terminal: the process's output to this process's own (blocking writes to our stdio) */
static void
on_exec_output (HatakeAttach *attach, int stream, GBytes *bytes, gpointer user_data)
{
  ExecData *data = user_data;
  gsize length = 0;
  const void *chunk = g_bytes_get_data (bytes, &length);

  g_output_stream_write_all (data->out[stream == HATAKE_LOG_STDERR ? 2 : 1], chunk, length, NULL, NULL, NULL);
}

static void
on_input (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ExecData *data = g_task_get_task_data (task);
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  g_autoptr(GBytes) bytes = NULL;

  if (n <= 0)
    {
      /* our stdin ended: so does the process's */
      hatake_attach_end_input (data->attach);
      return;
    }
  bytes = g_bytes_new (data->in_buffer, n);
  hatake_attach_write (data->attach, bytes);
  g_input_stream_read_async (data->stdin_stream, data->in_buffer, sizeof data->in_buffer, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), on_input, g_object_ref (task));
}

typedef struct
{
  HatakeClient *client;
  char         *exec_id;
} ResizeData;

static void
resize_data_free (gpointer user_data)
{
  ResizeData *r = user_data;

  g_object_unref (r->client);
  g_free (r->exec_id);
  g_free (r);
}

/* the terminal's size: the attach may outlive the call, so this holds what it needs */
static void
resize_exec (guint width, guint height, gpointer user_data)
{
  ResizeData *r = user_data;
  g_autofree char *w = g_strdup_printf ("%u", width), *hh = g_strdup_printf ("%u", height);
  g_autofree char *base = g_strdup_printf ("/exec/%s/resize", r->exec_id);
  g_autofree char *path = hatake_client_path (base, "h", hh, "w", w, NULL);

  hatake_client_request_async (r->client, "POST", path, NULL, NULL, NULL, NULL, NULL);
}

static void
on_exec_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ExecData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->stream = hijack_finish (result, &error);
  if (data->stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->tty)
    {
      /* a terminal: raw bytes both ways, the caller's to show (as the local engine's) */
      ResizeData *r = g_new0 (ResizeData, 1);

      r->client = g_object_ref (data->self->client);
      r->exec_id = g_strdup (data->exec_id);
      data->attach = hatake_attach_new (data->stream, FALSE, resize_exec, r, resize_data_free);
    }
  else
    {
      /* no terminal: docker's frames, to this process's stdio, as the local engine runs it */
      data->attach = hatake_attach_new (data->stream, FALSE, NULL, NULL, NULL);
      hatake_attach_set_docker_framing (data->attach);
    }
  data->closed_id = g_signal_connect (data->attach, "closed", G_CALLBACK (on_attach_closed), g_object_ref (task));
  if (data->tty)
    {
      if (data->attach_ready != NULL)
        data->attach_ready (data->attach, data->attach_data);
      else
        hatake_attach_start (data->attach);
      return;
    }
  data->out[1] = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  data->out[2] = g_unix_output_stream_new (STDERR_FILENO, FALSE);
  g_signal_connect (data->attach, "output", G_CALLBACK (on_exec_output), data);
  if (data->interactive)
    {
      data->stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_input_stream_read_async (data->stdin_stream, data->in_buffer, sizeof data->in_buffer, G_PRIORITY_DEFAULT,
                                 g_task_get_cancellable (task), on_input, g_object_ref (task));
    }
  hatake_attach_start (data->attach);
}

static void
on_exec_started_detached (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, 0);
}

static void
on_exec_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ExecData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonNode) node = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);
  const char *id = node && JSON_NODE_HOLDS_OBJECT (node) ? hatake_json_string (json_node_get_object (node), "Id") : NULL;
  g_autofree char *path = NULL;
  JsonObject *o;
  g_autoptr(JsonNode) body = NULL;

  if (id == NULL)
    {
      g_task_return_error (task, error ? error : g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED, "exec"));
      return;
    }
  data->exec_id = g_strdup (id);
  path = g_strdup_printf ("/exec/%s/start", id);
  o = json_object_new ();
  json_object_set_boolean_member (o, "Detach", data->detach);
  json_object_set_boolean_member (o, "Tty", data->tty);
  body = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  /* (detached: a plain request, answered once the process runs) */
  if (data->detach)
    {
      hatake_client_request_async (data->self->client, "POST", path, body, NULL, g_task_get_cancellable (task),
                                   on_exec_started_detached, g_object_ref (task));
      return;
    }
  hijack_async (data->self->client, path, body, g_task_get_cancellable (task), on_exec_started, g_object_ref (task));
}

static JsonArray *
strv_array (const char * const *strv)
{
  JsonArray *a = json_array_new ();

  for (guint i = 0; strv && strv[i]; i++)
    json_array_add_string_element (a, strv[i]);
  return a;
}

void
_hatake_client_engine_exec_async (HatakeEngine            *engine,
                                  const char              *container,
                                  const HatakeExecOptions *options,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  HatakeClientEngine *self = HATAKE_CLIENT_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *id = _hatake_client_escape (container);
  g_autofree char *path = g_strdup_printf ("/containers/%s/exec", id);
  ExecData *data = g_new0 (ExecData, 1);
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = NULL;

  g_task_set_source_tag (task, _hatake_client_engine_exec_async);
  if (options->pipes_ready != NULL)
    {
      exec_data_free (data);
      json_object_unref (o);
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                               _("exec with pipes is not available on an engine reached through its API"));
      return;
    }
  data->self = g_object_ref (self);
  data->detach = options->detach;
  data->tty = options->tty && !options->detach;
  data->interactive = options->interactive && !options->detach;
  data->attach_ready = options->attach_ready;
  data->attach_data = options->attach_data;
  g_task_set_task_data (task, data, (GDestroyNotify) exec_data_free);
  json_object_set_boolean_member (o, "AttachStdin", data->interactive);
  json_object_set_boolean_member (o, "AttachStdout", !data->detach);
  json_object_set_boolean_member (o, "AttachStderr", !data->detach);
  json_object_set_boolean_member (o, "Tty", data->tty);
  json_object_set_boolean_member (o, "Privileged", options->privileged);
  json_object_set_array_member (o, "Cmd", strv_array ((const char * const *) options->argv));
  if (options->env != NULL)
    json_object_set_array_member (o, "Env", strv_array ((const char * const *) options->env));
  if (options->user != NULL)
    json_object_set_string_member (o, "User", options->user);
  if (options->working_dir != NULL)
    json_object_set_string_member (o, "WorkingDir", options->working_dir);
  body = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  hatake_client_request_async (self->client, "POST", path, body, NULL, cancellable, on_exec_created,
                               g_steal_pointer (&task));
}

int
_hatake_client_engine_exec_finish (HatakeEngine  *engine,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  GError *local = NULL;
  gssize code = g_task_propagate_int (G_TASK (result), &local);

  if (local != NULL)
    {
      g_propagate_error (error, local);
      return -1;
    }
  return (int) code;
}
