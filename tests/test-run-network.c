/* test-run-network.c: real busybox containers on networks through the local engine: names and
 * isolation, published ports, internal networks, an address used again, setups and teardowns
 * side by side, two engines' networks of one name, two engines' subnets
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The runtime is the engine's choice for this machine unless HATAKE_TEST_RUNTIME names one
 * (the harness runs this file once per runtime, as test-run.c).
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-local-engine-private.h"
#include "hatake-network.h"
#include "hatake-test-run.h"

/* What an HTTP GET of PATH on 127.0.0.1:PORT answers (the body), or NULL: connecting with
 * TIMEOUT seconds an attempt, ATTEMPTS times. */
static char *
http_get_full (guint16 port, const char *path, guint timeout, guint attempts)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
  g_autoptr(GString) response = g_string_new (NULL);
  char buf[4096];
  gssize n;
  const char *body;

  g_socket_client_set_timeout (client, timeout);
  for (guint attempt = 0; connection == NULL && attempt < attempts; attempt++)
    {
      connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
      if (connection == NULL)
        g_usleep (100000);
    }
  if (connection == NULL ||
      !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                  strlen (request), NULL, NULL, NULL))
    return NULL;
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buf, sizeof buf,
                                   NULL, NULL)) > 0)
    g_string_append_len (response, buf, n);
  body = strstr (response->str, "\r\n\r\n");
  return body ? g_strdup (body + 4) : NULL;
}

static char *
http_get (guint16 port, const char *path)
{
  return http_get_full (port, path, 5, 50);
}

static gboolean
answer_http (GThreadedSocketService *service,
             GSocketConnection      *connection,
             GObject                *source,
             gpointer                user_data)
{
  const char *reply = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhost\n";
  char buf[1024];

  g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buf, sizeof buf, NULL, NULL);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), reply, strlen (reply),
                             NULL, NULL, NULL);
  return TRUE;
}

/* --internal: no route out. A container on a normal network reaches a server on the host's own
 * address; one on an internal network does not. */
static void
test_internal_network (Fixture *f, gconstpointer data)
{
  g_autofree char *inside = g_strdup_printf ("hk-int-%d", getpid ());
  g_autofree char *outside = g_strdup_printf ("hk-ext-%d", getpid ());
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autofree char *host_text = NULL, *probe = NULL;
  HatakeNetworkOpArgs args = { 0 };
  guint16 port;

  SKIP_WITHOUT_ENGINE (f);
  /* the host's first IPv4 address that is not one of our bridges' */
  {
    g_autofree char *out = NULL;
    g_auto(GStrv) words = NULL;

    g_assert_true (g_spawn_command_line_sync ("hostname -I", &out, NULL, NULL, NULL));
    words = g_strsplit (g_strstrip (out), " ", -1);
    for (guint i = 0; words[i] != NULL && host_text == NULL; i++)
      if (strchr (words[i], '.') != NULL && !g_str_has_prefix (words[i], "10.90.") && !g_str_has_prefix (words[i], "10.91."))
        host_text = g_strdup (words[i]);
    g_assert_nonnull (host_text);
  }
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (answer_http), NULL);
  g_socket_service_start (service);

  args.name = inside;
  args.internal = TRUE;
  a = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (a), "Internal"));
  args.name = outside;
  args.internal = FALSE;
  b = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);

  probe = g_strdup_printf ("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 %s %u | tail -1; true", host_text, port);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HatakeContainerConfig) config = config_for (f, (const char *[]) { "sh", "-c", probe, NULL });
      g_autofree char *out = NULL, *err = NULL;

      g_free (config->network_mode);
      config->network_mode = g_strdup (i == 0 ? outside : inside);
      g_assert_cmpint (run (f, config, NULL, &out, &err), ==, 0);
      g_assert_cmpstr (out, ==, i == 0 ? "host\n" : "");
    }
  g_socket_service_stop (service);
  args.name = inside;
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
  args.name = outside;
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
}

/* The address of NAME on NETWORK, as the network lists it (no prefix). */
static char *
address_on (Fixture *f, const char *network, HatakeContainer *container)
{
  HatakeNetworkOpArgs args = { .name = network };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) inspected = network_op (f, HATAKE_NETWORK_OP_INSPECT, &args, &error);
  JsonObject *containers;
  char *ip;

  g_assert_no_error (error);
  containers = json_object_get_object_member (json_node_get_object (inspected), "Containers");
  ip = g_strdup (json_object_get_string_member (json_object_get_object_member (
                   containers, hatake_container_get_id (container)), "IPv4Address"));
  *strchr (ip, '/') = '\0';
  return ip;
}

/* Runs the main loop for MS milliseconds, or until *SLOT is set; whether it was */
static gboolean
done_within (gpointer *slot, guint ms)
{
  for (gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
       *slot == NULL && g_get_monotonic_time () < until;)
    g_main_context_iteration (NULL, FALSE), g_usleep (5000);
  return *slot != NULL;
}

/* A new network NAME, and a container running CMD started on it */
static HatakeContainer *
start_on_new_network (Fixture *f, const char *name, const char *const *cmd)
{
  HatakeNetworkOpArgs args = { .name = name };
  g_autoptr(HatakeContainerConfig) config = config_for (f, cmd);
  g_autoptr(JsonNode) created = NULL, started = NULL;
  g_autoptr(GError) error = NULL;
  HatakeContainer *c;

  created = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  g_free (config->network_mode);
  config->network_mode = g_strdup (name);
  c = create (f, config);
  started = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  return c;
}

/* docker removes a network whose containers have all stopped. Here a stopped container gives
 * its endpoint back in a teardown queued at its exit; a removal asked for at once, before that
 * teardown has run (the networks' queue is held here until then), waits for it instead of
 * refusing the network as still in use. */
static void
test_remove_after_exit (Fixture *f, gconstpointer data)
{
  g_autofree char *name = g_strdup_printf ("hk-exit-%d", getpid ());
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(JsonNode) node = NULL, waited = NULL;
  g_autoptr(GAsyncResult) removed = NULL, blocked = NULL;
  g_autoptr(GTask) blocker_task = NULL;
  g_autoptr(GError) error = NULL;
  HatakeNetworkOpArgs args = { 0 };
  HatakeNetworks *networks;
  HatakeTestBlocker blocker;

  SKIP_WITHOUT_ENGINE (f);
  networks = hatake_containers_get_networks (HATAKE_LOCAL_ENGINE (f->engine)->containers);
  args.name = name;
  c = start_on_new_network (f, name, (const char *[]) { "sleep", "1", NULL });

  /* the container's setup is done: hold the queue until it has exited */
  hatake_test_blocker_init (&blocker);
  blocker_task = g_task_new (NULL, NULL, store_result, &blocked);
  g_task_set_task_data (blocker_task, &blocker, NULL);
  hatake_networks_run_in_thread (networks, blocker_task, hatake_test_blocker_thread);
  hatake_test_blocker_wait (&blocker);
  waited = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_WAIT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);

  hatake_engine_network_op_async (f->engine, HATAKE_NETWORK_OP_REMOVE, &args, NULL, store_result, &removed);
  g_assert_false (done_within ((gpointer *) &removed, 300));   /* it waits behind the teardown */

  hatake_test_blocker_release (&blocker);
  hatake_test_run_until_done ((gpointer *) &removed);
  g_assert_null (hatake_engine_network_op_finish (f->engine, removed, &error));
  g_assert_no_error (error);
  hatake_test_run_until_done ((gpointer *) &blocked);
  g_clear_pointer (&node, json_node_unref);
  node = network_op (f, HATAKE_NETWORK_OP_INSPECT, &args, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  hatake_test_blocker_clear (&blocker);
}

/* A removal is done once the container's files are gone; its network's teardown (the kernel's
 * veth deletion, ~15 ms, which every bridged `docker run --rm` waited for) goes on behind it.
 * Meanwhile no network shows the container, its address stays taken (a container asking for it
 * waits, never getting it while the old veth is still on the bridge), and the engine is not
 * settled (a one-shot command waits). The networks' queue is held here so that the teardown
 * cannot run before the checks. */
static void
test_removed_before_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *name = g_strdup_printf ("hk-gone-%d", getpid ());
  g_autoptr(HatakeContainerConfig) again = config_for (f, (const char *[]) { "sleep", "600", NULL });
  g_autoptr(HatakeContainer) c = NULL, taker = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GAsyncResult) removed = NULL, blocked = NULL, settled = NULL, started = NULL;
  g_autoptr(GTask) blocker_task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL, *taken = NULL;
  HatakeContainerOpArgs force = { .timeout = 1, .force = TRUE };
  HatakeNetworkOpArgs args = { .name = name };
  HatakeTestBlocker blocker;

  SKIP_WITHOUT_ENGINE (f);
  c = start_on_new_network (f, name, (const char *[]) { "sleep", "600", NULL });
  address = address_on (f, name, c);

  hatake_test_blocker_init (&blocker);
  blocker_task = g_task_new (NULL, NULL, store_result, &blocked);
  g_task_set_task_data (blocker_task, &blocker, NULL);
  hatake_networks_run_in_thread (hatake_containers_get_networks (HATAKE_LOCAL_ENGINE (f->engine)->containers),
                                 blocker_task, hatake_test_blocker_thread);
  hatake_test_blocker_wait (&blocker);
  hatake_engine_container_op_async (f->engine, hatake_container_get_id (c), HATAKE_CONTAINER_OP_REMOVE, &force, NULL,
                                    store_result, &removed);
  g_assert_true (done_within ((gpointer *) &removed, 10000));   /* not behind the held teardown */
  g_clear_pointer (&node, json_node_unref);
  node = hatake_engine_container_op_finish (f->engine, removed, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = network_op (f, HATAKE_NETWORK_OP_INSPECT, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (json_node_get_object (node), "Containers")),
                    ==, 0);
  hatake_containers_settle_async (HATAKE_LOCAL_ENGINE (f->engine)->containers, NULL, store_result, &settled);
  g_free (again->network_mode);
  again->network_mode = g_strdup (name);
  g_ptr_array_add (again->networks, hatake_network_endpoint_new (name, NULL, address));
  taker = create (f, again);
  hatake_engine_container_op_async (f->engine, hatake_container_get_id (taker), HATAKE_CONTAINER_OP_START, NULL, NULL,
                                    store_result, &started);
  g_assert_false (done_within ((gpointer *) &started, 300));
  g_assert_null (settled);

  hatake_test_blocker_release (&blocker);
  hatake_test_run_until_done ((gpointer *) &settled);
  g_assert_true (hatake_containers_settle_finish (HATAKE_LOCAL_ENGINE (f->engine)->containers, settled, NULL));
  hatake_test_run_until_done ((gpointer *) &started);
  g_clear_pointer (&node, json_node_unref);
  node = hatake_engine_container_op_finish (f->engine, started, &error);
  g_assert_no_error (error);
  taken = address_on (f, name, taker);
  g_assert_cmpstr (taken, ==, address);
  hatake_test_run_until_done ((gpointer *) &blocked);
  hatake_test_blocker_clear (&blocker);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (taker), HATAKE_CONTAINER_OP_REMOVE, &force, &error);
  g_assert_no_error (error);
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
}

/* User networks: DNS by name and alias inside one, isolation between two, a published port
 * reachable from the host, and nothing left behind. */
static void
test_networks (Fixture *f, gconstpointer data)
{
  const char *serve[] = { "busybox", "httpd", "-f", "-p", "80", "-h", "/etc", NULL };
  const char *serve_two[] = { "sh", "-c", "busybox httpd -p 81 -h /etc && exec busybox httpd -f -p 80 -h /etc", NULL };
  const char *aliases[] = { "svc", NULL };
  g_autofree char *net_a = g_strdup_printf ("hk-test-a-%d", getpid ());
  g_autofree char *net_b = g_strdup_printf ("hk-test-b-%d", getpid ());
  g_autofree char *publish = NULL;
  g_autofree char *ask_by_alias = NULL;
  g_autofree char *ask_other = NULL;
  g_autofree char *served = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *server_ip = NULL;
  g_autofree char *interface = NULL;
  g_autofree char *netns = NULL;
  g_autoptr(HatakeContainerConfig) server_config = NULL;
  g_autoptr(HatakeContainerConfig) client_config = NULL;
  g_autoptr(HatakeContainerConfig) outsider_config = NULL;
  g_autoptr(HatakeContainer) server = NULL;
  g_autoptr(JsonNode) created_a = NULL, created_b = NULL, inspected = NULL, started = NULL, removed = NULL;
  g_autoptr(GError) error = NULL;
  HatakeNetworkOpArgs args = { 0 };
  JsonObject *containers;
  guint16 port;

  SKIP_WITHOUT_ENGINE (f);
  args.name = net_a;
  created_a = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  args.name = net_b;
  created_b = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  /* the second one got another subnet */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (
                     json_object_get_object_member (json_node_get_object (created_a), "IPAM"), "Config"), 0), "Subnet"), !=,
                   json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (
                     json_object_get_object_member (json_node_get_object (created_b), "IPAM"), "Config"), 0), "Subnet"));
  /* a name taken */
  args.name = net_a;
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* a web server on A on two ports, published on the host as a range */
  do
    port = free_tcp_port ();
  while (port == 65535 || !tcp_port_free (port + 1));
  publish = g_strdup_printf ("127.0.0.1:%u-%u:80-81", port, port + 1);
  server_config = config_for (f, serve_two);
  server_config->name = g_strdup_printf ("srv-%d", getpid ());
  server_config->hostname = g_strdup ("webhost");
  g_free (server_config->network_mode);
  server_config->network_mode = g_strdup (net_a);
  g_ptr_array_add (server_config->networks, hatake_network_endpoint_new (net_a, aliases, NULL));
  server_config->publish = g_strdupv ((char *[]) { publish, NULL });
  server = create (f, server_config);
  started = op (f, hatake_container_get_id (server), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);

  /* from the host, through the published ports */
  served = http_get (port, "/hostname");
  g_assert_cmpstr (served, ==, "webhost\n");
  g_clear_pointer (&served, g_free);
  served = http_get (port + 1, "/hostname");
  g_assert_cmpstr (served, ==, "webhost\n");

  /* the same port again, and one something on the host listens on: refused before the start */
  {
    g_autoptr(HatakeContainerConfig) twin_config = config_for (f, serve);
    g_autoptr(HatakeContainerConfig) host_config = config_for (f, serve);
    g_autoptr(HatakeContainer) twin = NULL, host_clash = NULL;
    g_autoptr(JsonNode) nothing = NULL, gone = NULL;
    g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = NULL;
    g_autofree char *busy = NULL;
    guint16 taken = free_tcp_port ();

    g_free (twin_config->network_mode);
    twin_config->network_mode = g_strdup (net_b);
    twin_config->publish = g_strdupv ((char *[]) { publish, NULL });
    twin = create (f, twin_config);
    nothing = op (f, hatake_container_get_id (twin), HATAKE_CONTAINER_OP_START, NULL, &error);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "port is already allocated"));
    g_assert_nonnull (strstr (error->message, server_config->name));
    g_clear_error (&error);

    address = g_inet_socket_address_new (any, taken);
    g_assert_true (g_socket_bind (listener, address, TRUE, NULL));
    g_assert_true (g_socket_listen (listener, NULL));
    busy = g_strdup_printf ("%u:80", taken);
    g_free (host_config->network_mode);
    host_config->network_mode = g_strdup (net_b);
    host_config->publish = g_strdupv ((char *[]) { busy, NULL });
    host_clash = create (f, host_config);
    g_clear_pointer (&nothing, json_node_unref);
    nothing = op (f, hatake_container_get_id (host_clash), HATAKE_CONTAINER_OP_START, NULL, &error);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "port is already allocated"));
    g_clear_error (&error);
    /* nothing of theirs stayed on B */
    {
      HatakeNetworkOpArgs b_args = { .name = net_b };
      g_autoptr(JsonNode) b = network_op (f, HATAKE_NETWORK_OP_INSPECT, &b_args, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (json_object_get_size (json_object_get_object_member (json_node_get_object (b), "Containers")), ==, 0);
    }
    gone = op (f, hatake_container_get_id (twin), HATAKE_CONTAINER_OP_REMOVE, &(HatakeContainerOpArgs) { .force = TRUE }, &error);
    g_assert_no_error (error);
    g_clear_pointer (&gone, json_node_unref);
    gone = op (f, hatake_container_get_id (host_clash), HATAKE_CONTAINER_OP_REMOVE, &(HatakeContainerOpArgs) { .force = TRUE }, &error);
    g_assert_no_error (error);
  }

  args.name = net_a;
  inspected = network_op (f, HATAKE_NETWORK_OP_INSPECT, &args, &error);
  g_assert_no_error (error);
  containers = json_object_get_object_member (json_node_get_object (inspected), "Containers");
  g_assert_true (json_object_has_member (containers, hatake_container_get_id (server)));
  server_ip = g_strdup (json_object_get_string_member (json_object_get_object_member (
                          containers, hatake_container_get_id (server)), "IPv4Address"));
  *strchr (server_ip, '/') = '\0';
  /* (a user network's options show no bridge name, as docker's: it is hk- and the ID's start) */
  g_assert_false (json_object_has_member (json_object_get_object_member (json_node_get_object (inspected), "Options"),
                                          "com.docker.network.bridge.name"));
  interface = g_strdup_printf ("hk-%.10s", json_object_get_string_member (json_node_get_object (inspected), "Id"));

  /* in use: not removed */
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, server_config->name));
  g_clear_error (&error);

  /* on A, by alias and by name */
  ask_by_alias = g_strdup_printf ("wget -q -O - http://svc/hostname && wget -q -O - http://%s/hostname",
                                  server_config->name);
  client_config = config_for (f, (const char *[]) { "sh", "-c", ask_by_alias, NULL });
  g_free (client_config->network_mode);
  client_config->network_mode = g_strdup (net_a);
  g_assert_cmpint (run (f, client_config, NULL, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "webhost\nwebhost\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* from B: no name, no route */
  ask_other = g_strdup_printf ("nslookup svc >/dev/null 2>&1 && echo resolved; "
                               "wget -q -T 2 -O - http://%s/hostname || echo unreachable", server_ip);
  outsider_config = config_for (f, (const char *[]) { "sh", "-c", ask_other, NULL });
  g_free (outsider_config->network_mode);
  outsider_config->network_mode = g_strdup (net_b);
  g_assert_cmpint (run (f, outsider_config, NULL, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "unreachable\n");

  /* removed: its namespace, its address and the port's rules go; then the network can go */
  netns = g_build_filename ("/run/hatake", NULL);
  removed = op (f, hatake_container_get_id (server), HATAKE_CONTAINER_OP_REMOVE,
                &(HatakeContainerOpArgs) { .timeout = 1, .force = TRUE }, &error);
  g_assert_no_error (error);
  g_clear_pointer (&served, g_free);
  served = http_get (port, "/hostname");
  g_assert_null (served);
  g_clear_pointer (&inspected, json_node_unref);
  inspected = network_op (f, HATAKE_NETWORK_OP_INSPECT, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (json_node_get_object (inspected),
                                                                         "Containers")), ==, 0);
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
  args.name = net_b;
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
  {
    g_autofree char *sys = g_build_filename ("/sys/class/net", interface, NULL);

    g_assert_false (g_file_test (sys, G_FILE_TEST_EXISTS));
  }
}

/* A container made again at once, on the address of one just removed, answers on its published
 * port at once: its MAC follows from its address (docker's 02:42:…), so the host's neighbour
 * entry for the address stays right (with a random MAC it pointed at the old one for ~30 s). */
static void
test_published_again (Fixture *f, gconstpointer data)
{
  const char *serve[] = { "busybox", "httpd", "-f", "-p", "80", "-h", "/etc", NULL };
  g_autofree char *net = g_strdup_printf ("hk-test-again-%d", getpid ());
  g_autofree char *publish = NULL, *first_ip = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) created = NULL, gone = NULL, stayed = NULL;
  g_autoptr(HatakeContainer) stay = NULL;
  HatakeNetworkOpArgs args = { .name = net };
  guint16 port;

  SKIP_WITHOUT_ENGINE (f);
  created = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  /* one that stays keeps the network's bridge (and the host's neighbour entries on it) up, as
   * the default network's own endpoint does */
  {
    g_autoptr(HatakeContainerConfig) config = config_for (f, (const char *[]) { "sleep", "600", NULL });
    g_autoptr(JsonNode) started = NULL;

    config->name = g_strdup_printf ("again-stay-%d", getpid ());
    g_free (config->network_mode);
    config->network_mode = g_strdup (net);
    stay = create (f, config);
    started = op (f, hatake_container_get_id (stay), HATAKE_CONTAINER_OP_START, NULL, &error);
    g_assert_no_error (error);
  }
  port = free_tcp_port ();
  publish = g_strdup_printf ("127.0.0.1:%u:80", port);
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(HatakeContainerConfig) config = config_for (f, serve);
      g_autoptr(HatakeContainer) server = NULL;
      g_autoptr(JsonNode) started = NULL, removed = NULL;
      g_autofree char *served = NULL, *ip = NULL;

      config->name = g_strdup_printf ("again-%u-%d", round, getpid ());
      config->hostname = g_strdup_printf ("round%u", round);
      g_free (config->network_mode);
      config->network_mode = g_strdup (net);
      config->publish = g_strdupv ((char *[]) { publish, NULL });
      server = create (f, config);
      started = op (f, hatake_container_get_id (server), HATAKE_CONTAINER_OP_START, NULL, &error);
      g_assert_no_error (error);
      ip = address_on (f, net, server);
      /* docker's MAC, from the address */
      {
        g_autoptr(GAsyncResult) result = NULL;
        g_autoptr(JsonNode) inspected = NULL;
        JsonObject *settings;
        guint a, b, c, d;
        g_autofree char *mac = NULL;

        hatake_engine_inspect_container_async (f->engine, hatake_container_get_id (server), NULL, store_result, &result);
        hatake_test_run_until_done ((gpointer *) &result);
        inspected = hatake_engine_inspect_container_finish (f->engine, result, &error);
        g_assert_no_error (error);
        settings = json_object_get_object_member (json_node_get_object (inspected), "NetworkSettings");
        g_assert_cmpint (sscanf (ip, "%u.%u.%u.%u", &a, &b, &c, &d), ==, 4);
        mac = g_strdup_printf ("02:42:%02x:%02x:%02x:%02x", a, b, c, d);
        g_assert_cmpstr (json_object_get_string_member (settings, "MacAddress"), ==, mac);
        g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                           json_object_get_object_member (settings, "Networks"), net), "MacAddress"), ==, mac);
      }
      if (round == 0)
        {
          served = http_get (port, "/hostname");
          first_ip = g_strdup (ip);
        }
      else
        {
          /* the same address again, answering within a few seconds (1 s an attempt) */
          g_assert_cmpstr (ip, ==, first_ip);
          served = http_get_full (port, "/hostname", 1, 3);
        }
      g_assert_cmpstr (served, ==, round == 0 ? "round0\n" : "round1\n");
      removed = op (f, hatake_container_get_id (server), HATAKE_CONTAINER_OP_REMOVE,
                    &(HatakeContainerOpArgs) { .timeout = 1, .force = TRUE }, &error);
      g_assert_no_error (error);
    }
  stayed = op (f, hatake_container_get_id (stay), HATAKE_CONTAINER_OP_REMOVE,
               &(HatakeContainerOpArgs) { .timeout = 0, .force = TRUE }, &error);
  g_assert_no_error (error);
  gone = network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error);
  g_assert_no_error (error);
}

/* Starts or removes (force) CONTAINERS all at once, and waits for every one. */
static void
op_all (Fixture *f, GPtrArray *containers, HatakeContainerOp what)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  HatakeContainerOpArgs args = { .timeout = 1, .force = TRUE };

  g_ptr_array_set_size (results, containers->len);
  for (guint i = 0; i < containers->len; i++)
    hatake_engine_container_op_async (f->engine, hatake_container_get_id (g_ptr_array_index (containers, i)), what,
                                      &args, NULL, store_result, &results->pdata[i]);
  for (guint i = 0; i < containers->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) done = NULL;

      hatake_test_run_until_done (&results->pdata[i]);
      done = hatake_engine_container_op_finish (f->engine, results->pdata[i], &error);
      g_assert_no_error (error);
    }
}

/* The IDs aardvark-dns holds names of on the network NETWORK_ID (its file under RUN_DIR, named
 * after the id), sorted by the file's order; NULL when it has no file for the network. */
static GPtrArray *
dns_entries (Fixture *f, const char *network_id)
{
  g_autofree char *file = g_build_filename (hatake_local_engine_get_run_dir (HATAKE_LOCAL_ENGINE (f->engine)),
                                            "netavark", "aardvark-dns", network_id, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *ids;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return NULL;
  ids = g_ptr_array_new_with_free_func (g_free);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (ids, g_strndup (lines[i], strcspn (lines[i], " ")));
  return ids;
}

static gboolean
holds_id (GPtrArray *ids, HatakeContainer *container)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), hatake_container_get_id (container)))
      return TRUE;
  return FALSE;
}

/* What a container on NETWORK resolves of NAMES: "name:ok" or "name:missing", a line each. */
static char *
resolve_names (Fixture *f, const char *network, GPtrArray *names)
{
  g_autoptr(GString) script = g_string_new (NULL);
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;

  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (script, "if nslookup %s >/dev/null 2>&1; then echo %s:ok; else echo %s:missing; fi; ",
                            (char *) g_ptr_array_index (names, i), (char *) g_ptr_array_index (names, i),
                            (char *) g_ptr_array_index (names, i));
  config = config_for (f, (const char *[]) { "sh", "-c", script->str, NULL });
  g_free (config->network_mode);
  config->network_mode = g_strdup (network);
  g_assert_cmpint (run (f, config, NULL, &out, &err), ==, 0);
  return out;
}

/* The veths on BRIDGE */
static guint
bridge_ports (const char *bridge)
{
  g_autofree char *brif = g_build_filename ("/sys/class/net", bridge, "brif", NULL);

  return hatake_test_count_entries (brif);
}

/* Runs the main loop until BRIDGE has N veths (an exited container's teardown is queued at its
 * exit, not awaited), 10 s at most; then their number */
static guint
wait_bridge_ports (const char *bridge, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (bridge_ports (bridge) != n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (10 * 1000), TRUE);
  return bridge_ports (bridge);
}

/* netavark, where the engine finds it */
static char *
netavark_program (void)
{
  static const char * const places[] = { "/usr/lib/podman/netavark", "/usr/libexec/podman/netavark",
                                         "/usr/local/lib/podman/netavark" };
  char *found = g_find_program_in_path ("netavark");

  for (guint i = 0; found == NULL && i < G_N_ELEMENTS (places); i++)
    if (g_file_test (places[i], G_FILE_TEST_IS_EXECUTABLE))
      found = g_strdup (places[i]);
  g_assert_nonnull (found);
  return found;
}

/* Setups and teardowns on a network that is up run side by side (hatake-network-queue.c); what
 * they share stays whole: every name is in aardvark-dns once after six starts at once, the
 * names of four removed at once go and the others stay (a teardown beside others edits those
 * entries itself), and the last two removed at once take the bridge with them. */
static void
test_side_by_side (Fixture *f, gconstpointer data)
{
  g_autofree char *net = g_strdup_printf ("hk-test-s-%d", getpid ());
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) middle = g_ptr_array_new ();
  g_autoptr(GPtrArray) ends = g_ptr_array_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(JsonNode) created = NULL, inspected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *bridge = NULL;
  g_autofree char *sys = NULL;
  g_autoptr(GString) want = g_string_new (NULL);
  g_autofree char *bin = hatake_test_make_data_root ();
  g_autofree char *logger = g_build_filename (bin, "netavark", NULL);
  g_autofree char *log = g_strconcat (logger, ".log", NULL);
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *path = g_strconcat (bin, ":", old_path, NULL);
  g_autofree char *ran = NULL, *address = NULL;
  HatakeNetworkOpArgs args = { .name = net };
  const char *net_id;

  SKIP_WITHOUT_ENGINE (f);
  created = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  net_id = json_object_get_string_member (json_node_get_object (created), "Id");
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(HatakeContainerConfig) config = config_for (f, (const char *[]) { "sleep", "600", NULL });

      config->name = g_strdup_printf ("side-%d-%u", getpid (), i);
      g_free (config->network_mode);
      config->network_mode = g_strdup (net);
      g_ptr_array_add (names, g_strdup (config->name));
      g_ptr_array_add (all, create (f, config));
      g_ptr_array_add (i == 0 || i == 5 ? ends : middle, g_ptr_array_index (all, i));
    }
  op_all (f, all, HATAKE_CONTAINER_OP_START);
  ids = dns_entries (f, net_id);
  g_assert_nonnull (ids);
  g_assert_cmpuint (ids->len, ==, 6);
  for (guint i = 0; i < all->len; i++)
    g_assert_true (holds_id (ids, g_ptr_array_index (all, i)));
  resolved = resolve_names (f, net, names);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (want, "%s:ok\n", (char *) g_ptr_array_index (names, i));
  g_assert_cmpstr (resolved, ==, want->str);

  /* The four teardowns beside the ends' run no netavark (hatake-network-links.c): their veths
   * go with their namespaces, and are gone from the bridge once the engine has settled; their
   * addresses are free again (one given by hand is taken). */
  inspected = network_op (f, HATAKE_NETWORK_OP_INSPECT, &args, &error);
  g_assert_no_error (error);
  bridge = g_strdup_printf ("hk-%.10s", json_object_get_string_member (json_node_get_object (inspected), "Id"));
  sys = g_build_filename ("/sys/class/net", bridge, NULL);
  g_assert_cmpuint (wait_bridge_ports (bridge, 6), ==, 6);
  {
    JsonObject *containers = json_object_get_object_member (json_node_get_object (inspected), "Containers");
    JsonObject *one = json_object_get_object_member (containers, hatake_container_get_id (g_ptr_array_index (middle, 0)));

    address = g_strndup (json_object_get_string_member (one, "IPv4Address"),
                         strcspn (json_object_get_string_member (one, "IPv4Address"), "/"));
  }
  {
    g_autofree char *real = netavark_program ();
    g_autofree char *script = g_strdup_printf ("#!/bin/sh\necho \"$*\" >> \"$0.log\"\nexec %s \"$@\"\n", real);

    g_assert_true (g_file_set_contents (logger, script, -1, NULL));
    g_assert_cmpint (g_chmod (logger, 0755), ==, 0);
  }
  g_setenv ("PATH", path, TRUE);
  op_all (f, middle, HATAKE_CONTAINER_OP_REMOVE);
  hatake_test_settle_engine (f->engine);
  if (g_file_get_contents (log, &ran, NULL, NULL))
    g_assert_null (strstr (ran, "teardown"));
  g_assert_cmpuint (bridge_ports (bridge), ==, 2);
  {
    g_autoptr(HatakeContainerConfig) again = config_for (f, (const char *[]) { "sh", "-c", "ip -4 addr show eth0", NULL });
    g_autoptr(HatakeContainer) taker = NULL;
    g_autoptr(GPtrArray) gone = g_ptr_array_new ();
    g_autofree char *out = NULL;

    g_free (again->network_mode);
    again->network_mode = g_strdup (net);
    g_ptr_array_add (again->networks, hatake_network_endpoint_new (net, NULL, address));
    g_assert_cmpint (run (f, again, &taker, &out, NULL), ==, 0);
    g_assert_nonnull (strstr (out, address));
    /* (removed: its names leave aardvark-dns before the checks below) */
    g_ptr_array_add (gone, taker);
    op_all (f, gone, HATAKE_CONTAINER_OP_REMOVE);
    hatake_test_settle_engine (f->engine);
  }
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = dns_entries (f, net_id);
  g_assert_nonnull (ids);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_true (holds_id (ids, g_ptr_array_index (ends, 0)));
  g_assert_true (holds_id (ids, g_ptr_array_index (ends, 1)));
  g_clear_pointer (&resolved, g_free);
  resolved = resolve_names (f, net, names);
  g_string_truncate (want, 0);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (want, "%s:%s\n", (char *) g_ptr_array_index (names, i), i == 0 || i == 5 ? "ok" : "missing");
  g_assert_cmpstr (resolved, ==, want->str);

  g_assert_true (g_file_test (sys, G_FILE_TEST_EXISTS));
  op_all (f, ends, HATAKE_CONTAINER_OP_REMOVE);
  hatake_test_settle_engine (f->engine);
  g_setenv ("PATH", old_path, TRUE);
  g_assert_false (g_file_test (sys, G_FILE_TEST_EXISTS));
  /* (the last one's teardown, which takes the bridge, is netavark's: the logger was in use) */
  g_clear_pointer (&ran, g_free);
  g_assert_true (g_file_get_contents (log, &ran, NULL, NULL));
  g_assert_nonnull (strstr (ran, "teardown"));
  g_assert_null (dns_entries (f, net_id));
  g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
}

/* Two engines on one machine draw their subnets from one pool: a network whose bridge is not up
 * yet (no container: no route on the host) keeps its subnet from the other engine all the same,
 * a subnet given by hand that the other engine uses is refused, and a removed network gives its
 * subnet back. */
static void
test_subnets_between_roots (Fixture *f, gconstpointer data)
{
  g_autofree char *net = g_strdup_printf ("hk-claim-%d", getpid ());
  g_autofree char *ours = NULL, *theirs = NULL, *our_bridge = NULL, *their_bridge = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
  g_autoptr(GError) error = NULL;
  HatakeNetworkOpArgs args = { .name = net };
  HatakeNetworkOpArgs bridge = { .name = "bridge" };
  Fixture other = { 0 };

  SKIP_WITHOUT_ENGINE (f);
  fixture_set_up (&other, NULL);
  g_assert_nonnull (other.engine);
  a = network_op (f, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  b = network_op (&other, HATAKE_NETWORK_OP_CREATE, &args, &error);
  g_assert_no_error (error);
  ours = hatake_test_network_subnet (a);
  theirs = hatake_test_network_subnet (b);
  g_assert_cmpstr (ours, !=, theirs);
  /* (each engine made its default network first) */
  c = network_op (f, HATAKE_NETWORK_OP_INSPECT, &bridge, &error);
  g_assert_no_error (error);
  d = network_op (&other, HATAKE_NETWORK_OP_INSPECT, &bridge, &error);
  g_assert_no_error (error);
  our_bridge = hatake_test_network_subnet (c);
  their_bridge = hatake_test_network_subnet (d);
  g_assert_cmpstr (our_bridge, !=, their_bridge);
  g_assert_cmpstr (our_bridge, !=, theirs);
  g_assert_cmpstr (their_bridge, !=, ours);

  {
    g_autofree char *name = g_strdup_printf ("hk-claim2-%d", getpid ());
    HatakeNetworkOpArgs given = { .name = name, .subnet = ours };
    g_autoptr(JsonNode) refused = network_op (&other, HATAKE_NETWORK_OP_CREATE, &given, &error);

    g_assert_null (refused);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "used by"));
    g_clear_error (&error);
    g_assert_null (network_op (f, HATAKE_NETWORK_OP_REMOVE, &args, &error));
    g_assert_no_error (error);
    e = network_op (&other, HATAKE_NETWORK_OP_CREATE, &given, &error);
    g_assert_no_error (error);
    g_assert_null (network_op (&other, HATAKE_NETWORK_OP_REMOVE, &given, &error));
    g_assert_no_error (error);
  }
  g_assert_null (network_op (&other, HATAKE_NETWORK_OP_REMOVE, &args, &error));
  g_assert_no_error (error);
  fixture_tear_down (&other, NULL);
}

/* Runs COMMAND (a shell line) and asserts that it succeeded. */
static void
sh (const char *command)
{
  g_autofree char *argv_line = g_strdup_printf ("sh -c '%s'", command);
  g_autofree char *err = NULL;
  int status = -1;

  g_assert_true (g_spawn_command_line_sync (argv_line, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s: %s", command, err);
}

/* What container C gets from http://ADDRESS:8080/hello, run with exec ("" when it cannot reach
 * it); C has OUT, a folder of the host, at /out. */
static char *
fetch_from_container (Fixture *f, HatakeContainer *c, const char *out, const char *address)
{
  g_autofree char *probe = g_strdup_printf ("printf 'GET /hello HTTP/1.0\\r\\n\\r\\n' | nc -w 3 %s 8080 | tail -1 "
                                            "> /out/fetched", address);
  const char *argv[] = { "sh", "-c", probe, NULL };
  g_autofree char *file = g_build_filename (out, "fetched", NULL);
  HatakeExecOptions options = { .argv = (GStrv) argv };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_unlink (file);
  hatake_engine_exec_async (f->engine, hatake_container_get_id (c), &options, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_cmpint (hatake_engine_exec_finish (f->engine, result, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  return contents;
}

/* Two engines on one machine (two data roots), each with a network of the same name (the
 * default "bridge"): netavark names a network's firewall chains after the network's name, so
 * each network is given to netavark under a name of its own. Else the last container leaving one
 * engine's bridge deleted the outbound NAT rule the other's containers use (and that engine's
 * own teardown then failed). "Outside" is a network namespace made here, with no route back to
 * the bridges: only a masqueraded connection gets an answer. */
static void
test_two_data_roots (Fixture *f, gconstpointer data)
{
  g_autofree char *ns = g_strdup_printf ("hk-out-%d", getpid ());
  g_autofree char *outer = g_strdup_printf ("hko%d", getpid ());
  g_autofree char *inner = g_strdup_printf ("hki%d", getpid ());
  g_autofree char *www = NULL, *hello = NULL, *command = NULL, *fetched = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(HatakeContainer) leaving = NULL, staying = NULL;
  g_autoptr(HatakeContainerConfig) leaving_config = NULL, staying_config = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) started = NULL, removed = NULL;
  g_autoptr(GError) error = NULL;
  Fixture other = { 0 };

  SKIP_WITHOUT_ENGINE (f);
  command = g_strdup_printf ("ip netns add %s && ip link add %s type veth peer name %s && "
                             "ip link set %s netns %s && ip addr add 198.18.77.1/30 dev %s && ip link set %s up && "
                             "ip -n %s addr add 198.18.77.2/30 dev %s && ip -n %s link set %s up && "
                             "ip -n %s link set lo up",
                             ns, outer, inner, inner, ns, outer, outer, ns, inner, ns, inner, ns);
  sh (command);
  www = g_build_filename (f->root, "www", NULL);
  g_assert_cmpint (g_mkdir_with_parents (www, 0755), ==, 0);
  hello = g_build_filename (www, "hello", NULL);
  g_assert_true (g_file_set_contents (hello, "outside\n", -1, NULL));
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "ip", "netns", "exec", ns, "busybox", "httpd", "-f",
                             "-p", "198.18.77.2:8080", "-h", www, NULL);
  g_assert_no_error (error);

  fixture_set_up (&other, NULL);
  g_assert_nonnull (other.engine);
  /* the other engine's bridge is up first, so that the two get different subnets */
  leaving_config = config_for (&other, (const char *[]) { "sleep", "600", NULL });
  leaving = create (&other, leaving_config);
  started = op (&other, hatake_container_get_id (leaving), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&started, json_node_unref);

  /* ours runs throughout: a container set up later would put back what went */
  out = hatake_test_make_data_root ();
  staying_config = config_for (f, (const char *[]) { "sleep", "600", NULL });
  hatake_container_config_add_mount (staying_config, HATAKE_CONTAINER_MOUNT_BIND, out, "/out", FALSE);
  staying = create (f, staying_config);
  started = op (f, hatake_container_get_id (staying), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  /* (httpd may still be starting: a few tries) */
  for (guint i = 0; i < 20 && (fetched == NULL || *fetched == '\0'); i++)
    {
      g_free (fetched);
      fetched = fetch_from_container (f, staying, out, "198.18.77.2");
    }
  g_assert_cmpstr (fetched, ==, "outside\n");

  /* the other engine's bridge goes with its last container, and its firewall rules with it */
  removed = op (&other, hatake_container_get_id (leaving), HATAKE_CONTAINER_OP_REMOVE,
                &(HatakeContainerOpArgs) { .timeout = 0, .force = TRUE }, &error);
  g_assert_no_error (error);
  fixture_tear_down (&other, NULL);

  g_clear_pointer (&fetched, g_free);
  fetched = fetch_from_container (f, staying, out, "198.18.77.2");
  g_assert_cmpstr (fetched, ==, "outside\n");

  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  g_clear_pointer (&command, g_free);
  command = g_strdup_printf ("ip netns del %s", ns);
  sh (command);
  hatake_test_remove_tree (out);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/run/networks", test_networks);
  ADD ("/run/internal-network", test_internal_network);
  ADD ("/run/remove-after-exit", test_remove_after_exit);
  ADD ("/run/removed-before-teardown", test_removed_before_teardown);
  ADD ("/run/published-again", test_published_again);
  ADD ("/run/side-by-side", test_side_by_side);
  ADD ("/run/two-data-roots", test_two_data_roots);
  ADD ("/run/subnets-between-roots", test_subnets_between_roots);
#undef ADD
  return g_test_run ();
}
