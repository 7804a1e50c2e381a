/* test-network.c: networks and their addresses, -p specifications (no netavark needed)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-run's /run/networks sets real containers up on them.
 */
#include "config.h"

#include <string.h>

#include "hatake-network.h"
#include "hatake-json.h"
#include "hatake-test-utils.h"

static gboolean
overlaps_host_route (const char *cidr)
{
  g_autofree char *routes = NULL;
  g_auto(GStrv) parts = g_strsplit (cidr, "/", 2);
  g_auto(GStrv) octets = g_strsplit (parts[0], ".", 4);
  guint32 base = (atoi (octets[0]) << 24) | (atoi (octets[1]) << 16) | (atoi (octets[2]) << 8) | atoi (octets[3]);
  guint prefix = atoi (parts[1]);

  if (!g_file_get_contents ("/proc/net/route", &routes, NULL, NULL))
    return FALSE;
  {
    g_auto(GStrv) lines = g_strsplit (routes, "\n", -1);

    for (guint i = 1; lines[i] != NULL; i++)
      {
        g_auto(GStrv) f = g_strsplit_set (lines[i], "\t ", -1);
        guint32 dest, mask, m;

        if (g_strv_length (f) < 8)
          continue;
        dest = GUINT32_FROM_BE ((guint32) g_ascii_strtoull (f[1], NULL, 16));
        mask = GUINT32_FROM_BE ((guint32) g_ascii_strtoull (f[7], NULL, 16));
        if (mask == 0)
          continue;
        m = mask & (prefix ? 0xffffffffu << (32 - prefix) : 0);
        if ((dest & m) == (base & m))
          return TRUE;
      }
  }
  return FALSE;
}

static void
test_create (void)
{
  g_autofree char *root = hatake_test_make_data_root ();
  g_autofree char *run = g_build_filename (root, "run", NULL);
  g_autoptr(HatakeNetworks) networks = hatake_networks_new (root, run);
  g_autoptr(HatakeNetworks) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL, fixed = NULL, inspected = NULL, by_id = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *subnet_a = NULL, *subnet_b = NULL, *subnet_bridge = NULL;
  const char *labels[] = { "team=web", NULL };
  HatakeNetworkCreate create = { .name = "front", .labels = labels };
  HatakeNetworkCreate clash = { .name = "clash", .subnet = "10.123.0.0/16" };
  HatakeNetworkCreate inside = { .name = "inside", .subnet = "10.123.7.0/24" };
  JsonObject *o;

  a = hatake_networks_create (networks, &create, &error);
  g_assert_no_error (error);
  o = json_node_get_object (a);
  g_assert_cmpstr (json_object_get_string_member (o, "Name"), ==, "front");
  g_assert_cmpuint (strlen (json_object_get_string_member (o, "Id")), ==, 64);
  g_assert_cmpstr (json_object_get_string_member (o, "Driver"), ==, "bridge");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "Labels"), "team"), ==, "web");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (o, "Containers")), ==, 0);

  /* the default network came first and took the pool's first free subnet; each its own */
  all = hatake_networks_list (networks, &error);
  g_assert_no_error (error);
  /* (with docker's host and none, never made) */
  g_assert_cmpuint (all->len, ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (all->pdata[0]), "Name"), ==, "bridge");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (all->pdata[2]), "Name"), ==, "host");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (all->pdata[3]), "Name"), ==, "none");
  subnet_bridge = hatake_test_network_subnet (all->pdata[0]);
  subnet_a = hatake_test_network_subnet (a);
  g_assert_cmpstr (subnet_bridge, !=, subnet_a);
  g_assert_true (g_str_has_prefix (subnet_a, "10.9"));
  g_assert_true (g_str_has_suffix (subnet_a, "/24"));
  g_assert_false (overlaps_host_route (subnet_a));
  g_assert_false (overlaps_host_route (subnet_bridge));

  create.name = "back";
  b = hatake_networks_create (networks, &create, &error);
  g_assert_no_error (error);
  subnet_b = hatake_test_network_subnet (b);
  g_assert_cmpstr (subnet_b, !=, subnet_a);
  g_assert_cmpstr (subnet_b, !=, subnet_bridge);

  /* a name taken, a bad name */
  g_assert_null (hatake_networks_create (networks, &create, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  create.name = "no/slash";
  g_assert_null (hatake_networks_create (networks, &create, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* a given subnet, gateway and range; one that overlaps it is refused naming it */
  {
    HatakeNetworkCreate given = { .name = "given", .subnet = "10.123.4.0/22", .gateway = "10.123.4.254",
                                  .ip_range = "10.123.5.0/24" };
    JsonObject *config;

    fixed = hatake_networks_create (networks, &given, &error);
    g_assert_no_error (error);
    config = json_array_get_object_element (json_object_get_array_member (
               json_object_get_object_member (json_node_get_object (fixed), "IPAM"), "Config"), 0);
    g_assert_cmpstr (json_object_get_string_member (config, "Subnet"), ==, "10.123.4.0/22");
    g_assert_cmpstr (json_object_get_string_member (config, "Gateway"), ==, "10.123.4.254");
    g_assert_cmpstr (json_object_get_string_member (config, "IPRange"), ==, "10.123.5.0/24");
  }
  g_assert_null (hatake_networks_create (networks, &clash, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "given"));
  g_clear_error (&error);
  g_assert_null (hatake_networks_create (networks, &inside, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  {
    HatakeNetworkCreate bad[] = {
      { .name = "b1", .subnet = "10.124.0.0" },
      { .name = "b2", .subnet = "10.124.0.0/31" },
      { .name = "b3", .subnet = "10.124.0.0/24", .gateway = "10.125.0.1" },
      { .name = "b4", .subnet = "10.124.0.0/24", .gateway = "10.124.0.255" },
      { .name = "b5", .subnet = "10.124.0.0/24", .ip_range = "10.124.1.0/25" },
      { .name = "b6", .subnet = "fd00::/64" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(JsonNode) none = hatake_networks_create (networks, &bad[i], &error);

        g_assert_null (none);
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
        g_clear_error (&error);
      }
  }

  /* kept on disk: another engine on the data root sees them, by name and by id prefix */
  again = hatake_networks_new (root, run);
  inspected = hatake_networks_inspect (again, "back", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (inspected), "Id"), ==,
                   json_object_get_string_member (json_node_get_object (b), "Id"));
  {
    g_autofree char *prefix = g_strndup (json_object_get_string_member (json_node_get_object (b), "Id"), 12);

    by_id = hatake_networks_inspect (again, prefix, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (by_id), "Name"), ==, "back");
  }

  /* host and none: docker's shape, the same ID for another engine on the data root, found by a
   * prefix of it; never made */
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i ? "none" : "host";
      g_autoptr(JsonNode) one = hatake_networks_inspect (networks, name, &error);
      g_autoptr(JsonNode) two = NULL;
      g_autoptr(JsonNode) three = NULL;
      g_autofree char *prefix = NULL;
      HatakeNetworkCreate taken = { .name = name };
      JsonObject *builtin;

      g_assert_no_error (error);
      builtin = json_node_get_object (one);
      g_assert_cmpstr (json_object_get_string_member (builtin, "Driver"), ==, i ? "null" : "host");
      g_assert_cmpstr (json_object_get_string_member (builtin, "Scope"), ==, "local");
      g_assert_cmpuint (strlen (json_object_get_string_member (builtin, "Id")), ==, 64);
      g_assert_cmpuint (json_array_get_length (hatake_json_array_member (hatake_json_object_member (builtin, "IPAM"),
                                                                         "Config")), ==, 0);
      two = hatake_networks_inspect (again, name, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (two), "Id"), ==,
                       json_object_get_string_member (builtin, "Id"));
      prefix = g_strndup (json_object_get_string_member (builtin, "Id"), 12);
      three = hatake_networks_inspect (again, prefix, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (three), "Name"), ==, name);
      g_assert_null (hatake_networks_create (networks, &taken, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
      g_clear_error (&error);
      g_assert_true (hatake_networks_is_builtin_name (name));
    }
  g_assert_false (hatake_networks_is_builtin_name ("bridge"));

  /* removal: the pre-defined networks stay; unknown names are not found */
  for (guint i = 0; i < 3; i++)
    {
      const char *name = (const char *[]) { "bridge", "host", "none" }[i];

      g_assert_false (hatake_networks_remove (again, name, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, name));
      g_clear_error (&error);
    }
  g_assert_true (hatake_networks_remove (again, "back", &error));
  g_assert_no_error (error);
  g_assert_false (hatake_networks_remove (again, "back", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (hatake_networks_inspect (networks, "back", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  hatake_test_remove_tree (root);
}

static void
test_ports (void)
{
  static const struct
  {
    const char *spec;
    const char *ip;
    guint host, container, range;
    const char *proto;
  } good[] = {
    { "80", "", 0, 80, 1, "tcp" },
    { "8080:80", "", 8080, 80, 1, "tcp" },
    { "127.0.0.1:8080:80", "127.0.0.1", 8080, 80, 1, "tcp" },
    { "127.0.0.1::80", "127.0.0.1", 0, 80, 1, "tcp" },
    { "53:53/udp", "", 53, 53, 1, "udp" },
    { "8000-8002:9000-9002", "", 8000, 9000, 3, "tcp" },
    { "7000-7002", "", 0, 7000, 3, "tcp" },
    { "8000-8001:80", "", 8000, 80, 1, "tcp" },
    { "::80", "", 0, 80, 1, "tcp" },   /* a host range for one port: its first */
    { "10.1.2.3:6000-6001:6000-6001/udp", "10.1.2.3", 6000, 6000, 2, "udp" },
  };
  static const char * const bad[] = {
    "", "0", "65536", "http", "80/sctp", "8000-8001:80-82", "9000-8000:80", "a:80:80", "8080:",
    "[::1]:80:80", "1.2.3:80:80",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      HatakePortMapping m;
      g_autoptr(GError) error = NULL;

      g_assert_true (hatake_port_mapping_parse (good[i].spec, &m, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (m.host_ip, ==, good[i].ip);
      g_assert_cmpuint (m.host_port, ==, good[i].host);
      g_assert_cmpuint (m.container_port, ==, good[i].container);
      g_assert_cmpuint (m.range, ==, good[i].range);
      g_assert_cmpstr (m.protocol, ==, good[i].proto);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      HatakePortMapping m;
      g_autoptr(GError) error = NULL;

      if (hatake_port_mapping_parse (bad[i], &m, &error))
        g_error ("“%s” was taken", bad[i]);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
teardown_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_assert_true (hatake_networks_detach (source, data, NULL));
  g_task_return_boolean (task, TRUE);
}

static void
mark_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_atomic_int_set ((int *) data, TRUE);
  g_task_return_boolean (task, TRUE);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_too_long (gpointer user_data)
{
  g_error ("the teardown with nothing to do did not run beside the other");
  return G_SOURCE_REMOVE;
}

/* On the networks' queue, a teardown of a container without a network (no options file) may run
 * beside other such jobs (as beside a spare's setup on the bridge the owner keeps up); one that
 * has something to tear down runs alone. */
static void
test_queue_noop_teardown (void)
{
  g_autofree char *root = hatake_test_make_data_root ();
  g_autofree char *run = g_build_filename (root, "run", NULL);
  g_autofree char *netns = g_build_filename (run, "netns", NULL);
  g_autofree char *options = g_build_filename (netns, "with-options.json", NULL);
  g_autoptr(HatakeNetworks) networks = hatake_networks_new (root, run);
  /* (each task holds the networks, as the engine's do, until its job is done with them) */
  g_autoptr(GTask) blocker_task = g_task_new (networks, NULL, NULL, NULL);
  g_autoptr(GTask) noop = NULL, held = NULL;
  gboolean noop_done = FALSE, held_done = FALSE;
  int held_ran = FALSE;
  HatakeTestBlocker blocker;
  guint timeout;

  hatake_test_blocker_init (&blocker);
  g_assert_cmpint (g_mkdir_with_parents (netns, 0700), ==, 0);
  g_assert_true (g_file_set_contents (options, "{}", -1, NULL));

  /* (itself a teardown with nothing to do, so that it is shared) */
  g_task_set_task_data (blocker_task, &blocker, NULL);
  hatake_networks_run_job (networks, blocker_task, hatake_test_blocker_thread, HATAKE_NETWORK_JOB_TEARDOWN,
                           "no-network-either");
  hatake_test_blocker_wait (&blocker);

  noop = g_task_new (networks, NULL, on_done, &noop_done);
  g_task_set_task_data (noop, g_strdup ("no-network"), g_free);
  held = g_task_new (networks, NULL, on_done, &held_done);
  g_task_set_task_data (held, &held_ran, NULL);
  hatake_networks_run_job (networks, noop, teardown_thread, HATAKE_NETWORK_JOB_TEARDOWN, "no-network");
  hatake_networks_run_job (networks, held, mark_thread, HATAKE_NETWORK_JOB_TEARDOWN, "with-options");
  timeout = g_timeout_add_seconds (10, on_too_long, NULL);
  while (!noop_done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  /* the other cannot start before the blocker ends */
  g_assert_false (g_atomic_int_get (&held_ran));
  hatake_test_blocker_release (&blocker);
  while (!held_done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_atomic_int_get (&held_ran));
  g_clear_object (&held);
  g_clear_object (&noop);
  g_clear_object (&blocker_task);
  g_clear_object (&networks);
  hatake_test_blocker_clear (&blocker);
  hatake_test_remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/network/create", test_create);
  g_test_add_func ("/network/ports", test_ports);
  g_test_add_func ("/network/queue-noop-teardown", test_queue_noop_teardown);
  return g_test_run ();
}
