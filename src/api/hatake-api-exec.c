/* hatake-api-exec.c: docker exec through the API
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * POST /containers/{id}/exec makes an exec instance (kept by the server), POST /exec/{id}/start
 * runs it on a hijacked connection (its pipes, or its terminal with Tty), GET /exec/{id}/json
 * tells whether it runs and its exit code, which the docker CLI asks once the stream ended.
 */
#define G_LOG_DOMAIN "hatake-api"

#include "config.h"

#include <string.h>

#include "hatake-api-private.h"
#include "hatake-attach.h"
#include "hatake-json.h"

typedef struct
{
  char     *id;
  char     *container;    /* its id */
  GStrv     argv;
  GStrv     env;
  char     *user;
  char     *working_dir;
  gboolean  tty;
  gboolean  attach_stdin;
  gboolean  attach_stdout;
  gboolean  attach_stderr;
  gboolean  privileged;
  gboolean  running;
  gboolean  started;
  int       exit_code;
} ExecInstance;

static void
exec_instance_free (ExecInstance *e)
{
  g_free (e->id);
  g_free (e->container);
  g_strfreev (e->argv);
  g_strfreev (e->env);
  g_free (e->user);
  g_free (e->working_dir);
  g_free (e);
}

GHashTable *
hatake_api_exec_table_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) exec_instance_free);
}

/* Drops the instances of containers that are gone (as docker's go with their container), so
 * that a long-lived server does not keep one per exec ever made. */
static void
forget_execs_of_removed (HatakeApiServer *server)
{
  HatakeEngine *engine = hatake_api_server_get_engine (server);
  GHashTableIter iter;
  ExecInstance *e;

  g_hash_table_iter_init (&iter, hatake_api_server_get_execs (server));
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &e))
    {
      g_autoptr(HatakeContainer) c = NULL;

      if (e->running)
        continue;
      c = hatake_engine_lookup_container (engine, e->container);
      if (c == NULL)
        g_hash_table_iter_remove (&iter);
    }
}

static void
create_exec (HatakeApiServer   *server,
             SoupServerMessage *msg,
             GStrv              path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = hatake_api_body_json (msg, TRUE, &error);
  g_autoptr(HatakeContainer) container = hatake_engine_lookup_container (hatake_api_server_get_engine (server), path[1]);
  ExecInstance *e;
  JsonObject *o, *reply;
  g_autoptr(JsonNode) node = NULL;
  GString *hex;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, error ? error->message : "invalid JSON: not an object");
      return;
    }
  if (container == NULL)
    {
      g_autofree char *message = g_strdup_printf ("No such container: %s", path[1]);

      hatake_api_reply_message (msg, SOUP_STATUS_NOT_FOUND, message);
      return;
    }
  if (hatake_container_get_state (container) != HATAKE_CONTAINER_RUNNING)
    {
      g_autofree char *message = g_strdup_printf ("Container %s is %s", hatake_container_get_id (container),
                                                  hatake_container_get_state (container) == HATAKE_CONTAINER_PAUSED
                                                  ? "paused, unpause the container before exec" : "not running");

      hatake_api_reply_message (msg, SOUP_STATUS_CONFLICT, message);
      return;
    }
  o = json_node_get_object (body);
  e = g_new0 (ExecInstance, 1);
  if (!hatake_json_strv_member (o, "Cmd", TRUE, &e->argv, &error) ||
      !hatake_json_strv_member (o, "Env", FALSE, &e->env, &error))
    {
      exec_instance_free (e);
      hatake_api_reply_error (msg, error);
      return;
    }
  if (e->argv == NULL || e->argv[0] == NULL)
    {
      exec_instance_free (e);
      hatake_api_reply_message (msg, SOUP_STATUS_BAD_REQUEST, "No exec command specified");
      return;
    }
  hex = g_string_new (NULL);
  for (guint i = 0; i < 32; i++)
    g_string_append_printf (hex, "%02x", g_random_int_range (0, 256));
  e->id = g_string_free (hex, FALSE);
  e->container = g_strdup (hatake_container_get_id (container));
  e->user = g_strdup (hatake_json_string_or (o, "User", NULL));
  e->working_dir = g_strdup (hatake_json_string_or (o, "WorkingDir", NULL));
  if (e->user != NULL && *e->user == '\0')
    g_clear_pointer (&e->user, g_free);
  if (e->working_dir != NULL && *e->working_dir == '\0')
    g_clear_pointer (&e->working_dir, g_free);
  e->tty = hatake_json_boolean (o, "Tty", FALSE);
  e->attach_stdin = hatake_json_boolean (o, "AttachStdin", FALSE);
  e->attach_stdout = hatake_json_boolean (o, "AttachStdout", FALSE);
  e->attach_stderr = hatake_json_boolean (o, "AttachStderr", FALSE);
  e->privileged = hatake_json_boolean (o, "Privileged", FALSE);
  e->exit_code = -1;
  forget_execs_of_removed (server);
  g_hash_table_insert (hatake_api_server_get_execs (server), e->id, e);
  reply = json_object_new ();
  json_object_set_string_member (reply, "Id", e->id);
  node = hatake_api_object_node (reply);
  hatake_api_reply_json (msg, SOUP_STATUS_CREATED, node);
}

/* ---- start --------------------------------------------------------------------------------- */

typedef struct
{
  HatakeApiServer *server;
  char            *id;
  HatakeApiHijack *hijack;      /* NULL when detached */
  gboolean         tty;
  HatakeAttach    *attach;      /* tty */
  GOutputStream   *stdin_pipe;  /* no tty */
  guint            open_pipes;  /* stdout, stderr still being read */
  gboolean         exited;
  char             buffer[2][4096];
  GInputStream    *pipes[2];
  HatakeFlow      *flow;        /* the client's: pipes wait while it is held */
  gulong           flow_id;
  gboolean         waiting[2];  /* a pipe not read again until the flow is released */
} Run;

static void
run_maybe_done (Run *run)
{
  if (!run->exited || run->open_pipes > 0)
    return;
  if (run->hijack != NULL)
    hatake_api_hijack_end (run->hijack);
  if (run->attach != NULL)
    g_signal_handlers_disconnect_by_data (run->attach, run);
  g_clear_object (&run->attach);
  g_clear_object (&run->stdin_pipe);
  g_clear_object (&run->pipes[0]);
  g_clear_object (&run->pipes[1]);
  g_clear_signal_handler (&run->flow_id, run->flow);
  g_clear_object (&run->flow);
  g_clear_object (&run->server);
  g_free (run->id);
  g_free (run);
}

static void on_pipe_read (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_pipe (Run *run, guint which)
{
  g_input_stream_read_async (run->pipes[which], run->buffer[which], sizeof run->buffer[which], G_PRIORITY_DEFAULT,
                             NULL, on_pipe_read, run);
}

static void
on_pipe_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  guint which = G_INPUT_STREAM (source) == run->pipes[0] ? 0 : 1;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      run->open_pipes--;
      run_maybe_done (run);
      return;
    }
  if (run->hijack != NULL)
    hatake_api_hijack_write_frame (run->hijack, TRUE, which + 1, run->buffer[which], n);
  if (run->flow != NULL && hatake_flow_get_held (run->flow))
    run->waiting[which] = TRUE;
  else
    read_pipe (run, which);
}

static void
on_flow_held (HatakeFlow *flow,
              GParamSpec *pspec,
              gpointer    user_data)
{
  Run *run = user_data;

  if (hatake_flow_get_held (flow))
    return;
  for (guint which = 0; which < 2; which++)
    if (run->waiting[which])
      {
        run->waiting[which] = FALSE;
        read_pipe (run, which);
      }
}

static void
on_client_input (const char *data,
                 gsize       length,
                 gpointer    user_data)
{
  Run *run = user_data;

  if (run->attach != NULL)
    {
      if (data != NULL)
        {
          g_autoptr(GBytes) bytes = g_bytes_new (data, length);

          hatake_attach_write (run->attach, bytes);
        }
      return;
    }
  if (run->stdin_pipe == NULL)
    return;
  if (data == NULL)
    g_output_stream_close (run->stdin_pipe, NULL, NULL);
  else
    /* small writes to a pipe: the process reads them as they come */
    g_output_stream_write_all (run->stdin_pipe, data, length, NULL, NULL, NULL);
}

static void
on_pipes_ready (GOutputStream *stdin_pipe,
                GInputStream  *stdout_pipe,
                GInputStream  *stderr_pipe,
                gpointer       user_data)
{
  Run *run = user_data;
  ExecInstance *e = g_hash_table_lookup (hatake_api_server_get_execs (run->server), run->id);

  run->stdin_pipe = g_object_ref (stdin_pipe);
  run->pipes[0] = g_object_ref (stdout_pipe);
  run->pipes[1] = g_object_ref (stderr_pipe);
  run->open_pipes = 2;
  if (run->hijack != NULL)
    {
      run->flow = g_object_ref (hatake_api_hijack_get_flow (run->hijack));
      run->flow_id = g_signal_connect (run->flow, "notify::held", G_CALLBACK (on_flow_held), run);
    }
  read_pipe (run, 0);
  read_pipe (run, 1);
  if (e == NULL || !e->attach_stdin || run->hijack == NULL)
    g_output_stream_close (stdin_pipe, NULL, NULL);
  else
    hatake_api_hijack_read (run->hijack, on_client_input, run);
}

static void
on_attach_output (HatakeAttach   *attach,
                  HatakeLogStream stream,
                  GBytes         *bytes,
                  gpointer        user_data)
{
  Run *run = user_data;

  if (run->hijack != NULL)
    hatake_api_hijack_write (run->hijack, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
on_attach_closed (HatakeAttach *attach,
                  gpointer      user_data)
{
  Run *run = user_data;

  run->open_pipes = 0;
  run_maybe_done (run);
}

static void
on_attach_ready (HatakeAttach *attach,
                 gpointer      user_data)
{
  Run *run = user_data;
  ExecInstance *e = g_hash_table_lookup (hatake_api_server_get_execs (run->server), run->id);

  run->attach = g_object_ref (attach);
  run->open_pipes = 1;
  g_signal_connect (attach, "output", G_CALLBACK (on_attach_output), run);
  g_signal_connect (attach, "closed", G_CALLBACK (on_attach_closed), run);
  if (run->hijack != NULL)
    hatake_attach_set_flow (attach, hatake_api_hijack_get_flow (run->hijack));
  hatake_attach_start (attach);
  if (e != NULL && e->attach_stdin && run->hijack != NULL)
    hatake_api_hijack_read (run->hijack, on_client_input, run);
}

static void
on_exec_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  int code = hatake_engine_exec_finish (HATAKE_ENGINE (source), result, &error);
  ExecInstance *e = g_hash_table_lookup (hatake_api_server_get_execs (run->server), run->id);

  if (error != NULL)
    {
      g_debug ("exec %s: %s", run->id, error->message);
      if (run->hijack != NULL)
        {
          g_autofree char *line = g_strdup_printf ("%s\n", error->message);

          hatake_api_hijack_write_frame (run->hijack, !run->tty, 2, line, strlen (line));
        }
      code = 126;
      if (run->pipes[0] == NULL && run->attach == NULL)
        run->open_pipes = 0;   /* (it never ran: nothing is being read) */
    }
  if (e != NULL)
    {
      e->running = FALSE;
      e->exit_code = code;
    }
  run->exited = TRUE;
  run_maybe_done (run);
}

static void
start_exec (HatakeApiServer   *server,
            SoupServerMessage *msg,
            GStrv              path)
{
  ExecInstance *e = g_hash_table_lookup (hatake_api_server_get_execs (server), path[1]);
  g_autoptr(JsonNode) body = hatake_api_body_json (msg, FALSE, NULL);
  JsonObject *o = body && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
  gboolean detach = o ? hatake_json_boolean (o, "Detach", FALSE) : FALSE;
  HatakeExecOptions options = { 0 };
  Run *run;

  if (e == NULL)
    {
      g_autofree char *message = g_strdup_printf ("No such exec instance: %s", path[1]);

      hatake_api_reply_message (msg, SOUP_STATUS_NOT_FOUND, message);
      return;
    }
  if (e->started)
    {
      hatake_api_reply_message (msg, SOUP_STATUS_CONFLICT, "Exec instance has already been started");
      return;
    }
  e->started = TRUE;
  e->running = TRUE;
  run = g_new0 (Run, 1);
  run->server = g_object_ref (server);
  run->id = g_strdup (e->id);
  run->tty = e->tty;
  if (detach)
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  else
    run->hijack = hatake_api_hijack_new (msg, e->tty ? "application/vnd.docker.raw-stream"
                                                     : "application/vnd.docker.multiplexed-stream");
  options.argv = e->argv;
  options.env = e->env;
  options.user = e->user;
  options.working_dir = e->working_dir;
  options.id = e->id;
  options.interactive = e->attach_stdin;
  options.privileged = e->privileged;
  options.tty = e->tty;
  options.attach_ready = on_attach_ready;
  options.pipes_ready = on_pipes_ready;
  options.attach_data = run;
  hatake_engine_exec_async (hatake_api_server_get_engine (server), e->container, &options, NULL, on_exec_done, run);
}

static void
inspect_exec (HatakeApiServer   *server,
              SoupServerMessage *msg,
              GStrv              path)
{
  ExecInstance *e = g_hash_table_lookup (hatake_api_server_get_execs (server), path[1]);
  JsonObject *o, *process;
  JsonArray *arguments;
  g_autoptr(JsonNode) node = NULL;

  if (e == NULL)
    {
      g_autofree char *message = g_strdup_printf ("No such exec instance: %s", path[1]);

      hatake_api_reply_message (msg, SOUP_STATUS_NOT_FOUND, message);
      return;
    }
  o = json_object_new ();
  process = json_object_new ();
  arguments = json_array_new ();
  for (guint i = 1; e->argv[i] != NULL; i++)
    json_array_add_string_element (arguments, e->argv[i]);
  json_object_set_string_member (o, "ID", e->id);
  json_object_set_boolean_member (o, "Running", e->running);
  if (e->started && !e->running)
    json_object_set_int_member (o, "ExitCode", e->exit_code);
  else
    json_object_set_null_member (o, "ExitCode");
  json_object_set_boolean_member (process, "tty", e->tty);
  json_object_set_string_member (process, "entrypoint", e->argv[0]);
  json_object_set_array_member (process, "arguments", arguments);
  json_object_set_boolean_member (process, "privileged", e->privileged);
  json_object_set_string_member (process, "user", e->user ? e->user : "");
  json_object_set_object_member (o, "ProcessConfig", process);
  json_object_set_boolean_member (o, "OpenStdin", e->attach_stdin);
  json_object_set_boolean_member (o, "OpenStdout", e->attach_stdout);
  json_object_set_boolean_member (o, "OpenStderr", e->attach_stderr);
  json_object_set_boolean_member (o, "CanRemove", FALSE);
  json_object_set_string_member (o, "ContainerID", e->container);
  json_object_set_string_member (o, "DetachKeys", "");
  json_object_set_int_member (o, "Pid", 0);
  node = hatake_api_object_node (o);
  hatake_api_reply_json (msg, SOUP_STATUS_OK, node);
}

gboolean
hatake_api_exec_route (HatakeApiServer   *server,
                       SoupServerMessage *msg,
                       const char        *method,
                       GStrv              path,
                       GHashTable        *query)
{
  guint n = g_strv_length (path);

  if (n == 3 && g_str_equal (path[0], "containers") && g_str_equal (path[2], "exec") && g_str_equal (method, "POST"))
    create_exec (server, msg, path);
  else if (n == 3 && g_str_equal (path[0], "exec") && g_str_equal (path[2], "start") && g_str_equal (method, "POST"))
    start_exec (server, msg, path);
  else if (n == 3 && g_str_equal (path[0], "exec") && g_str_equal (path[2], "json") && g_str_equal (method, "GET"))
    inspect_exec (server, msg, path);
  else if (n == 3 && g_str_equal (path[0], "exec") && g_str_equal (path[2], "resize") && g_str_equal (method, "POST"))
    soup_server_message_set_status (msg, g_hash_table_contains (hatake_api_server_get_execs (server), path[1])
                                         ? SOUP_STATUS_OK : SOUP_STATUS_NOT_FOUND, NULL);
  else
    return FALSE;
  return TRUE;
}
