/* test-client-errors.c: the client engine against an engine that answers badly — truncated JSON,
 * a 500, a connection closed mid-answer, nothing at all — gives errors that say so and leaves its
 * models as they were. The engine here is a test double on a Unix socket (a misbehaving server
 * cannot be had from a real one on demand); it speaks HTTP/1.1 as dockerd does.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include <string.h>

#include "hatake-client-engine.h"
#include "hatake-error.h"
#include "hatake-test-utils.h"

typedef enum
{
  BAD_TRUNCATED,   /* containers/json: a JSON array cut in the middle */
  BAD_500,         /* containers/json: 500 with docker's error body */
  BAD_CLOSED,      /* containers/json: the connection closed before any answer */
  BAD_NOT_JSON,    /* containers/json: 200 with HTML */
  BAD_BLANK,       /* containers/json: 200 with blanks alone (json-glib: no document) */
  BAD_500_BLANK,   /* containers/json: 500 with blanks alone */
  WAIT_UNENDED,    /* one container; its waits answer, and their responses never end */
} Bad;

typedef struct
{
  Bad             bad;
  char           *dir;
  char           *socket;
  GSocketService *service;
  GPtrArray      *connections;   /* kept open (the event stream's) */
  gint            inspects;      /* GET /containers/abc/json */
  gint            lists;         /* GET /containers/json */
  gint            others;        /* any other request but a wait's and /version */
  GSocketConnection *events;     /* (atomic) the event stream's */
} Fixture;

static const char *
answer_for (Fixture *f, const char *request_line)
{
  if (g_str_has_prefix (request_line, "GET /v1.41/events"))
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  if (g_str_has_prefix (request_line, "GET /v1.41/images/json"))
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]";
  if (f->bad == WAIT_UNENDED)
    {
      if (g_str_has_prefix (request_line, "GET /v1.41/containers/json"))
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n[{\"Id\":\"abc\"}]";
      if (g_str_has_prefix (request_line, "GET /v1.41/version"))
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 21\r\n\r\n{\"ApiVersion\":\"1.41\"}";
      if (g_str_has_prefix (request_line, "GET /v1.41/containers/abc/json"))
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 70\r\n\r\n"
               "{\"Id\":\"abc\",\"Name\":\"/box\",\"State\":{\"Status\":\"running\",\"Running\":true}}";
      /* the answer, and not the end of the response (the connection is kept) */
      if (g_str_has_prefix (request_line, "POST /v1.41/containers/abc/wait"))
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
               "1e\r\n{\"StatusCode\":3,\"Error\":null}\n\r\n";
    }
  if (!g_str_has_prefix (request_line, "GET /v1.41/containers/json"))
    return "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n"
           "{\"message\":\"page not found\"}";
  switch (f->bad)
    {
    case BAD_TRUNCATED:
      return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n[{\"Id\":\"abc\",\"Nam";
    case BAD_500:
      return "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 37\r\n\r\n"
             "{\"message\":\"the store is on fire\"}\n  ";
    case BAD_NOT_JSON:
      return "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>";
    case BAD_BLANK:
      return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n \n ";
    case BAD_500_BLANK:
      return "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n \n";
    case WAIT_UNENDED:   /* (its container list is above) */
    case BAD_CLOSED:
    default:
      return NULL;
    }
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source, gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_autofree char *request_line = NULL;
  const char *answer;
  char *line;

  /* (blocking reads: the client wrote its whole request before we are called back) */
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  request_line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL && *line != '\0')
    g_free (line);
  g_free (line);
  answer = request_line ? answer_for (f, request_line) : NULL;
  if (request_line != NULL && g_str_has_prefix (request_line, "GET /v1.41/containers/abc/json"))
    g_atomic_int_inc (&f->inspects);
  if (request_line != NULL && g_str_has_prefix (request_line, "GET /v1.41/containers/json"))
    g_atomic_int_inc (&f->lists);
  else if (request_line != NULL && !g_str_has_prefix (request_line, "GET /v1.41/containers/abc/json") &&
           !g_str_has_prefix (request_line, "GET /v1.41/version") && g_strrstr (request_line, "/wait") == NULL)
    g_atomic_int_inc (&f->others);
  if (answer == NULL)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), answer, strlen (answer), NULL,
                             NULL, NULL);
  /* one answer per connection, as a server that says nothing of keep-alive and closes; the
   * event stream stays open */
  if (g_str_has_prefix (request_line, "GET /v1.41/events") || g_strrstr (request_line, "/wait") != NULL)
    g_ptr_array_add (f->connections, g_object_ref (connection));
  if (g_str_has_prefix (request_line, "GET /v1.41/events"))
    g_atomic_pointer_set (&f->events, connection);
  else
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  f->bad = GPOINTER_TO_INT (data);
  f->dir = g_dir_make_tmp ("hatake-bad-engine-XXXXXX", &error);
  g_assert_no_error (error);
  f->socket = g_build_filename (f->dir, "engine.sock", NULL);
  f->connections = g_ptr_array_new_with_free_func (g_object_unref);
  address = g_unix_socket_address_new (f->socket);
  f->service = g_threaded_socket_service_new (4);
  g_socket_listener_add_address (G_SOCKET_LISTENER (f->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (f->service, "run", G_CALLBACK (on_incoming), f);
  g_socket_service_start (f->service);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_socket_service_stop (f->service);
  g_socket_listener_close (G_SOCKET_LISTENER (f->service));
  g_clear_object (&f->service);
  g_ptr_array_unref (f->connections);
  g_unlink (f->socket);
  g_rmdir (f->dir);
  g_free (f->socket);
  g_free (f->dir);
}

static void
test_bad_answer (Fixture *f, gconstpointer data)
{
  static const char * const expected[] = {
    [BAD_TRUNCATED] = "not JSON",
    [BAD_500] = "the store is on fire",
    [BAD_CLOSED] = "Cannot reach the engine",
    [BAD_NOT_JSON] = "not JSON",
    [BAD_BLANK] = "not JSON",
    [BAD_500_BLANK] = "The engine answered 500 Internal Server Error",
  };
  g_autoptr(HatakeClientEngine) engine = hatake_client_engine_new_unix (f->socket);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hatake_client_engine_connect_async (engine, NULL, hatake_test_keep_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_false (hatake_client_engine_connect_finish (engine, result, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected[f->bad]));
  if (f->bad == BAD_500)
    g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED);
  /* nothing half read */
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_containers (HATAKE_ENGINE (engine))), ==, 0);
  hatake_client_engine_disconnect (engine);
}

/* The engine on the fixture's socket, connected (as for a one-off command if ONE_OFF) */
static HatakeClientEngine *
connected_engine (Fixture *f, gboolean one_off)
{
  HatakeClientEngine *engine = hatake_client_engine_new_unix (f->socket);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hatake_client_engine_set_one_off (engine, one_off);
  hatake_client_engine_connect_async (engine, NULL, hatake_test_keep_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_true (hatake_client_engine_connect_finish (engine, result, &error));
  g_assert_no_error (error);
  return engine;
}

static JsonNode *
wait_op (HatakeEngine *engine, gboolean removed)
{
  HatakeContainerOpArgs args = { .timeout = -1, .removed = removed };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *answer;

  hatake_engine_container_op_async (engine, "abc", HATAKE_CONTAINER_OP_WAIT, &args, NULL, hatake_test_keep_result,
                                    &result);
  hatake_test_run_until_done ((gpointer *) &result);
  answer = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
  return answer;
}

/* A wait is over with its answer, the one JSON object of its response, not with the response's
 * end (which libsoup's server writes from a thread of its own, later): here it never comes. After
 * a wait until the next exit, the container is read again; after one until its removal, it is
 * dropped from the model with no request (the engine said it is gone). */
static void
test_wait_answer (Fixture *f, gconstpointer data)
{
  g_autoptr(HatakeClientEngine) engine = connected_engine (f, FALSE);
  GListModel *containers = hatake_engine_get_containers (HATAKE_ENGINE (engine));
  g_autoptr(JsonNode) next_exit = NULL;
  g_autoptr(JsonNode) removed = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (containers), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&f->inspects), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&f->lists), ==, 1);

  next_exit = wait_op (HATAKE_ENGINE (engine), FALSE);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (next_exit), "StatusCode"), ==, 3);
  g_assert_cmpint (g_atomic_int_get (&f->inspects), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (containers), ==, 1);

  removed = wait_op (HATAKE_ENGINE (engine), TRUE);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (removed), "StatusCode"), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (containers), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&f->inspects), ==, 2);
  hatake_client_engine_disconnect (engine);
}

/* A one-off connect (the command line's run and create) only asks for the engine's version: no
 * list, no inspect, no event stream; a container it acts on comes into the model with the call's
 * own refresh. An engine that is not one-off (the test above) lists and follows. */
static void
test_one_off (Fixture *f, gconstpointer data)
{
  g_autoptr(HatakeClientEngine) engine = connected_engine (f, TRUE);
  g_autoptr(HatakeClientEngine) following = NULL;
  GListModel *containers = hatake_engine_get_containers (HATAKE_ENGINE (engine));
  g_autoptr(JsonNode) answer = NULL;

  g_assert_cmpint (g_atomic_int_get (&f->lists), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&f->inspects), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&f->others), ==, 0);
  g_assert_null (g_atomic_pointer_get (&f->events));
  g_assert_cmpuint (g_list_model_get_n_items (containers), ==, 0);

  answer = wait_op (HATAKE_ENGINE (engine), FALSE);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (answer), "StatusCode"), ==, 3);
  g_assert_cmpint (g_atomic_int_get (&f->inspects), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (containers), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&f->lists), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&f->others), ==, 0);
  hatake_client_engine_disconnect (engine);

  /* the same engine, not one-off: the events (its stream), the images and the containers */
  following = connected_engine (f, FALSE);
  g_assert_nonnull (g_atomic_pointer_get (&f->events));
  g_assert_cmpint (g_atomic_int_get (&f->lists), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&f->others), ==, 2);
  hatake_client_engine_disconnect (following);
}

/* No engine at all: the socket's path in the error */
static void
test_no_engine (void)
{
  g_autoptr(HatakeClientEngine) engine = hatake_client_engine_new_unix ("/nonexistent/engine.sock");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  hatake_client_engine_connect_async (engine, NULL, hatake_test_keep_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_false (hatake_client_engine_connect_finish (engine, result, &error));
  g_assert_nonnull (strstr (error->message, "Cannot reach the engine"));
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (HATAKE_ENGINE (engine))), ==, 0);
}

/* Addresses that name no engine are refused before anything is tried */
static void
test_bad_endpoints (void)
{
  static const char * const bad[] = { "ftp://host", "tcp://", "tcp://host:0", "tcp://host:70000", "unix://relative",
                                      "ssh://-oProxyCommand=x", "ssh://host/path", "nothing" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(HatakeEndpoint) endpoint = hatake_endpoint_new (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeClientEngine) engine = hatake_client_engine_new (endpoint, &error);

      g_assert_null (engine);
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
  /* a certificate without its key, and a CA file that is not there */
  {
    g_autoptr(HatakeEndpoint) endpoint = hatake_endpoint_new ("tcp://127.0.0.1:2376");
    g_autoptr(GError) error = NULL;
    g_autoptr(HatakeClientEngine) engine = NULL;

    endpoint->cert_file = g_strdup ("/nonexistent/cert.pem");
    engine = hatake_client_engine_new (endpoint, &error);
    g_assert_null (engine);
    g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
    g_clear_error (&error);
    g_clear_pointer (&endpoint->cert_file, g_free);
    endpoint->ca_file = g_strdup ("/nonexistent/ca.pem");
    engine = hatake_client_engine_new (endpoint, &error);
    g_assert_null (engine);
    g_assert_nonnull (strstr (error->message, "/nonexistent/ca.pem"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/client-errors/truncated-json", Fixture, GINT_TO_POINTER (BAD_TRUNCATED), fixture_set_up,
              test_bad_answer, fixture_tear_down);
  g_test_add ("/client-errors/500", Fixture, GINT_TO_POINTER (BAD_500), fixture_set_up, test_bad_answer,
              fixture_tear_down);
  g_test_add ("/client-errors/closed", Fixture, GINT_TO_POINTER (BAD_CLOSED), fixture_set_up, test_bad_answer,
              fixture_tear_down);
  g_test_add ("/client-errors/not-json", Fixture, GINT_TO_POINTER (BAD_NOT_JSON), fixture_set_up, test_bad_answer,
              fixture_tear_down);
  g_test_add ("/client-errors/blank", Fixture, GINT_TO_POINTER (BAD_BLANK), fixture_set_up, test_bad_answer,
              fixture_tear_down);
  g_test_add ("/client-errors/500-blank", Fixture, GINT_TO_POINTER (BAD_500_BLANK), fixture_set_up, test_bad_answer,
              fixture_tear_down);
  g_test_add ("/client-errors/wait-answer", Fixture, GINT_TO_POINTER (WAIT_UNENDED), fixture_set_up, test_wait_answer,
              fixture_tear_down);
  g_test_add ("/client-errors/one-off", Fixture, GINT_TO_POINTER (WAIT_UNENDED), fixture_set_up, test_one_off,
              fixture_tear_down);
  g_test_add_func ("/client-errors/no-engine", test_no_engine);
  g_test_add_func ("/client-errors/bad-endpoints", test_bad_endpoints);
  return g_test_run ();
}
