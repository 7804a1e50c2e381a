/* hatake-api-attach.c: POST /containers/{id}/attach, on a hijacked connection
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Without stdin, the output comes from the container's log (followed from the attach on, so
 * nothing written between a start and the attach is lost); with stdin (docker run -i, -it,
 * docker attach), both ways through conmon's attach socket, connected before the process runs
 * when the attach comes before the start (as docker run's does).
 */
#define G_LOG_DOMAIN "hatake-api"

#include "config.h"

#include <string.h>

#include "hatake-api-private.h"
#include "hatake-attach.h"
#include "hatake-json.h"

/* ---- attach: docker's hijacked connection ---------------------------------------------------- */

typedef struct
{
  HatakeApiHijack *hijack;
  gboolean         multiplexed;
  char            *id;
  HatakeEngine    *engine;
  HatakeContainer *container;
  gulong           state_handler;
  HatakeContainerState waited;  /* the state (created, exited) a start is awaited from */
  gint64           since;      /* ns: what the container writes from the attach on */
  gboolean         interactive; /* stdin=1: the container's stdio through conmon, both ways */
  HatakeAttach    *attach;
  HatakeApiServer *server;
} AttachData;

static void
attach_data_free (AttachData *data)
{
  if (data->attach != NULL)
    {
      g_signal_handlers_disconnect_by_data (data->attach, data);
      g_hash_table_remove (hatake_api_server_get_attaches (data->server), data->id);
      hatake_attach_close (data->attach);
    }
  g_clear_object (&data->attach);
  g_clear_object (&data->server);
  g_clear_signal_handler (&data->state_handler, data->container);
  g_clear_object (&data->container);
  g_clear_object (&data->engine);
  g_free (data->id);
  g_free (data);
}

static void
on_attach_entry (const HatakeLogEntry *entry,
                 gpointer              user_data)
{
  AttachData *data = user_data;
  gsize length = 0;
  const char *bytes = g_bytes_get_data (entry->content, &length);

  hatake_api_hijack_write_frame (data->hijack, data->multiplexed, entry->stream == HATAKE_LOG_STDERR ? 2 : 1,
                                 bytes, length);
}

static void
on_attach_logs_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AttachData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!hatake_engine_container_logs_finish (HATAKE_ENGINE (source), result, &error))
    g_debug ("attach %s: %s", data->id, error->message);
  hatake_api_hijack_end (data->hijack);
  attach_data_free (data);
}

static void
on_stdio_output (HatakeAttach *attach,
                 int           stream,
                 GBytes       *bytes,
                 gpointer      user_data)
{
  AttachData *data = user_data;

  hatake_api_hijack_write_frame (data->hijack, data->multiplexed, stream == HATAKE_LOG_STDERR ? 2 : 1,
                                 g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
on_stdio_closed (HatakeAttach *attach,
                 gpointer      user_data)
{
  AttachData *data = user_data;

  hatake_api_hijack_end (data->hijack);
  attach_data_free (data);
}

static void
on_client_input (const char *bytes,
                 gsize       length,
                 gpointer    user_data)
{
  AttachData *data = user_data;
  g_autoptr(GBytes) chunk = NULL;

  if (data->attach == NULL)
    return;
  if (bytes == NULL)
    {
      hatake_attach_end_input (data->attach);
      return;
    }
  chunk = g_bytes_new (bytes, length);
  hatake_attach_write (data->attach, chunk);
}

static void
on_stdio_attached (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AttachData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->attach = hatake_engine_attach_finish (HATAKE_ENGINE (source), result, &error);
  if (data->attach == NULL)
    {
      g_autofree char *line = g_strdup_printf ("%s\n", error->message);

      hatake_api_hijack_write_frame (data->hijack, data->multiplexed, 2, line, strlen (line));
      hatake_api_hijack_end (data->hijack);
      attach_data_free (data);
      return;
    }
  g_hash_table_insert (hatake_api_server_get_attaches (data->server), g_strdup (data->id), g_object_ref (data->attach));
  g_signal_connect (data->attach, "output", G_CALLBACK (on_stdio_output), data);
  g_signal_connect (data->attach, "closed", G_CALLBACK (on_stdio_closed), data);
  hatake_attach_set_flow (data->attach, hatake_api_hijack_get_flow (data->hijack));
  hatake_attach_start (data->attach);
  hatake_api_hijack_read (data->hijack, on_client_input, data);
}

static void
attach_follow (AttachData *data)
{
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;

  g_clear_signal_handler (&data->state_handler, data->container);
  if (data->interactive)
    {
      /* through conmon's attach socket: for a container not started yet, from before its
       * process runs (the engine connects once the start has created it) */
      if (hatake_container_get_state (data->container) != HATAKE_CONTAINER_RUNNING &&
          hatake_container_get_state (data->container) != HATAKE_CONTAINER_CREATED &&
          hatake_container_get_state (data->container) != HATAKE_CONTAINER_EXITED)
        {
          hatake_api_hijack_end (data->hijack);
          attach_data_free (data);
          return;
        }
      hatake_engine_attach_async (data->engine, data->id, NULL, on_stdio_attached, data);
      return;
    }
  /* what the container writes from the attach on (its log keeps earlier runs'), to its exit */
  options.follow = TRUE;
  options.since = data->since;
  options.flow = hatake_api_hijack_get_flow (data->hijack);
  hatake_engine_container_logs_async (data->engine, data->id, &options, on_attach_entry, data,
                                     hatake_api_hijack_get_cancellable (data->hijack), on_attach_logs_done, data);
}

static void
on_attach_state (HatakeContainer *container,
                 GParamSpec      *pspec,
                 gpointer         user_data)
{
  AttachData *data = user_data;

  /* started (its log exists now), or gone without starting */
  if (hatake_container_get_state (container) != data->waited)
    attach_follow (data);
}

static void
on_attach_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AttachData *data = user_data;
  g_autoptr(JsonNode) inspect = hatake_engine_inspect_container_finish (HATAKE_ENGINE (source), result, NULL);

  data->multiplexed = inspect == NULL ||
                      !hatake_json_boolean (hatake_json_object_member (json_node_get_object (inspect), "Config"), "Tty", FALSE);
  /* docker attaches before it starts (run, and start -a of a stopped one, as dockerd lets it):
   * follow the log once the container runs (the engine attaches stdio to a created or exited
   * container itself, before its process runs) */
  data->waited = hatake_container_get_state (data->container);
  if ((data->waited == HATAKE_CONTAINER_CREATED || data->waited == HATAKE_CONTAINER_EXITED) && !data->interactive)
    data->state_handler = g_signal_connect (data->container, "notify::state", G_CALLBACK (on_attach_state), data);
  else
    attach_follow (data);
}

void
hatake_api_containers_attach (HatakeApiServer   *server,
                              SoupServerMessage *msg,
                              const char        *id,
                              GHashTable        *query)
{
  HatakeEngine *engine = hatake_api_server_get_engine (server);
  g_autoptr(HatakeContainer) container = hatake_engine_lookup_container (engine, id);
  AttachData *data;

  if (container == NULL)
    {
      g_autofree char *message = g_strdup_printf ("No such container: %s", id);

      hatake_api_reply_message (msg, SOUP_STATUS_NOT_FOUND, message);
      return;
    }
  data = g_new0 (AttachData, 1);
  data->id = g_strdup (hatake_container_get_id (container));
  data->container = g_object_ref (container);
  data->since = g_get_real_time () * 1000 - 1000;
  data->engine = g_object_ref (engine);
  data->server = g_object_ref (server);
  data->interactive = hatake_api_query_bool (query, "stdin", FALSE);
  data->hijack = hatake_api_hijack_new (msg, "application/vnd.docker.multiplexed-stream");
  if (!hatake_api_query_bool (query, "stream", FALSE) && !hatake_api_query_bool (query, "logs", FALSE))
    {
      hatake_api_hijack_end (data->hijack);
      attach_data_free (data);
      return;
    }
  /* docker's "attach" event (whether the output comes from the log or from conmon) */
  {
    g_autoptr(JsonObject) none = json_object_new ();
    g_autoptr(JsonNode) attributes = json_node_init_object (json_node_alloc (), none);

    g_signal_emit_by_name (engine, "object-event", "container", "attach", data->id, attributes);
  }
  hatake_engine_inspect_container_async (engine, data->id, NULL, on_attach_inspected, data);
}
