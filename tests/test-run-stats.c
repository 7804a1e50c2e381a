/* test-run-stats.c: what a running container uses, from its cgroups and its network namespace,
 * through the engine and in the container model's properties
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <glib/gstdio.h>
#include "hatake-json.h"
#include "hatake-test-run.h"

static JsonNode *
stats (Fixture *f, const char *id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  hatake_engine_stats_async (f->engine, id, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_stats_finish (f->engine, result, &error);
  g_assert_no_error (error);
  return node;
}

/* "MAJOR:MINOR" of the disk PATH is on (the whole disk's, for a partition), or NULL */
static char *
disk_of (const char *path)
{
  struct stat st;
  g_autofree char *dev = NULL;
  g_autofree char *partition = NULL;
  g_autofree char *target = NULL;
  g_autofree char *parent = NULL;
  char *disk = NULL;

  if (stat (path, &st) != 0)
    return NULL;
  dev = g_strdup_printf ("/sys/dev/block/%u:%u", major (st.st_dev), minor (st.st_dev));
  partition = g_build_filename (dev, "partition", NULL);
  if (!g_file_test (partition, G_FILE_TEST_EXISTS))
    return g_file_test (dev, G_FILE_TEST_EXISTS) ? g_strdup_printf ("%u:%u", major (st.st_dev), minor (st.st_dev))
                                                   : NULL;
  target = g_file_read_link (dev, NULL);
  if (target == NULL)
    return NULL;
  parent = g_build_filename ("/sys/dev/block", target, "..", "dev", NULL);
  if (!g_file_get_contents (parent, &disk, NULL, NULL))
    return NULL;
  return g_strstrip (disk);
}

/* cgroup v1's blkio counts a cgroup's I/O only where a throttle rule applies (kernel 6.x): one
 * far above any disk's speed, on the disk of the data root, for the container of PID */
static void
count_block_io (Fixture *f, int pid)
{
  g_autofree char *cgroup_path = g_strdup_printf ("/proc/%d/cgroup", pid);
  g_autofree char *cgroups = NULL;
  g_autofree char *disk = disk_of (f->root);
  g_auto(GStrv) lines = NULL;

  g_assert_nonnull (disk);
  g_assert_true (g_file_get_contents (cgroup_path, &cgroups, NULL, NULL));
  lines = g_strsplit (cgroups, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *blkio = strstr (lines[i], ":blkio:");

      if (blkio != NULL)
        {
          g_autofree char *rule = g_strdup_printf ("%s 1000000000000", disk);
          g_autofree char *file = g_strconcat ("/sys/fs/cgroup/blkio", blkio + strlen (":blkio:"),
                                               "/blkio.throttle.write_bps_device", NULL);
          g_autoptr(GError) error = NULL;

          g_file_set_contents_full (file, rule, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error);
          g_assert_no_error (error);
        }
    }
  /* (cgroup v2's io.stat counts without one) */
}

static gint64
blkio_written (JsonNode *sample)
{
  JsonArray *io = hatake_json_array_member (hatake_json_object_member (json_node_get_object (sample), "blkio_stats"),
                                            "io_service_bytes_recursive");
  gint64 written = 0;

  for (guint i = 0; io != NULL && i < json_array_get_length (io); i++)
    if (g_ascii_strcasecmp (hatake_json_string_or (hatake_json_array_object (io, i), "op", ""), "write") == 0)
      written += hatake_json_int (hatake_json_array_object (io, i), "value", 0);
  return written;
}

/* Stats from the container's own cgroups: its memory limit, its pids, CPU time that grows,
 * what it writes to disk; no network (lo is not one). */
static void
test_stats (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c",
                        "while [ ! -e /go ]; do :; done; dd if=/dev/zero of=/written bs=1M count=4 conv=fsync; "
                        "while :; do :; done", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  JsonObject *memory;
  gint64 cpu1, cpu2;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->memory = 64 * 1024 * 1024;
  g_free (config->network_mode);
  config->network_mode = g_strdup ("none");
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  first = stats (f, hatake_container_get_id (c));
  g_usleep (300 * 1000);
  second = stats (f, hatake_container_get_id (c));

  memory = json_object_get_object_member (json_node_get_object (second), "memory_stats");
  g_assert_cmpint (json_object_get_int_member (memory, "limit"), ==, 64 * 1024 * 1024);
  g_assert_cmpint (json_object_get_int_member (memory, "usage"), >, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (second),
                                                                             "pids_stats"), "current"), >=, 1);
  cpu1 = json_object_get_int_member (json_object_get_object_member (json_object_get_object_member (
           json_node_get_object (first), "cpu_stats"), "cpu_usage"), "total_usage");
  cpu2 = json_object_get_int_member (json_object_get_object_member (json_object_get_object_member (
           json_node_get_object (second), "cpu_stats"), "cpu_usage"), "total_usage");
  /* a busy loop burns most of 300 ms of one CPU */
  g_assert_cmpint (cpu2 - cpu1, >, 50 * 1000 * 1000);
  /* --network none: lo alone, which docker does not count */
  g_assert_cmpuint (json_object_get_size (hatake_json_object_member (json_node_get_object (second), "networks")), ==, 0);

  /* 4 MiB written and synced */
  count_block_io (f, hatake_container_get_pid (c));
  {
    g_autofree char *go = g_strdup_printf ("/proc/%d/root/go", hatake_container_get_pid (c));
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    g_assert_true (g_file_set_contents (go, "", 0, NULL));
    while (blkio_written (second) < 4 << 20 && g_get_monotonic_time () < deadline)
      {
        g_usleep (100 * 1000);
        g_clear_pointer (&second, json_node_unref);
        second = stats (f, hatake_container_get_id (c));
      }
    g_assert_cmpint (blkio_written (second), >=, 4 << 20);
  }

  /* the model's properties follow while someone watches, and only then */
  {
    guint notifies = 0;
    gulong handler = g_signal_connect_swapped (c, "notify::memory-usage", G_CALLBACK (g_atomic_int_inc), &notifies);
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    g_assert_cmpint (hatake_container_get_memory_limit (c), ==, 0);
    hatake_engine_watch_stats (f->engine, c);
    while ((hatake_container_get_cpu_percent (c) <= 10.0 || hatake_container_get_memory_usage (c) == 0) &&
           g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpfloat (hatake_container_get_cpu_percent (c), >, 10.0);
    g_assert_cmpint (hatake_container_get_memory_usage (c), >, 0);
    g_assert_cmpint (hatake_container_get_memory_limit (c), ==, 64 * 1024 * 1024);
    g_assert_cmpuint (hatake_container_get_pids (c), >=, 1);
    g_assert_cmpint (hatake_container_get_block_write_bytes (c), >=, 4 << 20);
    g_assert_cmpint (hatake_container_get_net_rx_bytes (c), ==, 0);
    g_assert_cmpuint (notifies, >=, 1);
    hatake_engine_unwatch_stats (f->engine, c);
    /* no sampling once nobody watches: nothing changes over two periods */
    while (g_main_context_iteration (NULL, FALSE))
      ;
    notifies = 0;
    deadline = g_get_monotonic_time () + 2500 * 1000;
    while (g_get_monotonic_time () < deadline)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (20 * 1000);
      }
    g_assert_cmpuint (notifies, ==, 0);
    g_signal_handler_disconnect (c, handler);
  }
}

/* Stats count what a container sends and receives on its own interfaces, as docker's "networks"
 * (eth0; lo is not counted), and the model's net-rx-bytes and net-tx-bytes follow; a container
 * on the host's network has none of its own (the host's traffic is not its). */
static void
test_network_stats (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c",
                        "while [ ! -e /go ]; do sleep 0.05; done; "
                        "ping -c 4 -s 1000 $(ip route | awk '/default/ { print $3 }') && touch /pinged; sleep 600",
                        NULL };
  g_autoptr(HatakeContainerConfig) config = config_for (f, cmd);
  g_autoptr(HatakeContainerConfig) host_config = config_for (f, (const char *[]) { "sleep", "600", NULL });
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(HatakeContainer) host = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) sample = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *go = NULL;
  g_autofree char *pinged = NULL;
  JsonObject *networks, *eth0;
  gint64 deadline;

  SKIP_WITHOUT_ENGINE (f);
  g_free (config->network_mode);
  config->network_mode = g_strdup ("bridge");
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);

  /* before: eth0 alone, with little on it */
  sample = stats (f, hatake_container_get_id (c));
  networks = hatake_json_object_member (json_node_get_object (sample), "networks");
  g_assert_cmpuint (json_object_get_size (networks), ==, 1);
  g_assert_nonnull (hatake_json_object_member (networks, "eth0"));
  g_assert_cmpint (hatake_json_int (hatake_json_object_member (networks, "eth0"), "tx_bytes", -1), <, 4000);

  go = g_strdup_printf ("/proc/%d/root/go", hatake_container_get_pid (c));
  pinged = g_strdup_printf ("/proc/%d/root/pinged", hatake_container_get_pid (c));
  hatake_engine_watch_stats (f->engine, c);
  g_assert_true (g_file_set_contents (go, "", 0, NULL));
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!g_file_test (pinged, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  g_assert_true (g_file_test (pinged, G_FILE_TEST_EXISTS));

  /* four echo requests of 1000 bytes out, four replies in */
  g_clear_pointer (&sample, json_node_unref);
  sample = stats (f, hatake_container_get_id (c));
  eth0 = hatake_json_object_member (hatake_json_object_member (json_node_get_object (sample), "networks"), "eth0");
  g_assert_cmpint (hatake_json_int (eth0, "tx_bytes", 0), >=, 4 * 1000);
  g_assert_cmpint (hatake_json_int (eth0, "rx_bytes", 0), >=, 4 * 1000);
  g_assert_cmpint (hatake_json_int (eth0, "tx_packets", 0), >=, 4);
  g_assert_cmpint (hatake_json_int (eth0, "rx_packets", 0), >=, 4);

  while ((hatake_container_get_net_tx_bytes (c) < 4000 || hatake_container_get_net_rx_bytes (c) < 4000) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hatake_container_get_net_tx_bytes (c), >=, 4000);
  g_assert_cmpint (hatake_container_get_net_rx_bytes (c), >=, 4000);
  hatake_engine_unwatch_stats (f->engine, c);

  g_free (host_config->network_mode);
  host_config->network_mode = g_strdup ("host");
  host = create (f, host_config);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (host), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&sample, json_node_unref);
  sample = stats (f, hatake_container_get_id (host));
  g_assert_cmpuint (json_object_get_size (hatake_json_object_member (json_node_get_object (sample), "networks")), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/run/stats", test_stats);
  ADD ("/run/network-stats", test_network_stats);
#undef ADD
  return g_test_run ();
}
