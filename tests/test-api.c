/* test-api.c: `hatake serve` and the Docker Engine API, driven by the real docker CLI
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

/* Version negotiation, info, the system paths, and docker's errors for what is not there. */
static void
test_api_system (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL, *headers = NULL, *body = NULL;

  if (!require ())
    return;
  g_assert_cmpint (docker (f, &out, NULL, "version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "1.44 linux");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "info", "--format", "{{.Containers}} {{.Images}} {{.OSType}}", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "0 0 linux");
  g_clear_pointer (&out, g_free);

  g_assert_cmpuint (http (f, "GET", "/_ping", NULL, &headers, &body), ==, 200);
  g_assert_cmpstr (body, ==, "OK");
  g_assert_nonnull (strstr (headers, "Api-Version: 1.44"));
  g_clear_pointer (&headers, g_free);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "HEAD", "/v1.41/_ping", NULL, &headers, NULL), ==, 200);
  g_clear_pointer (&headers, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.99/version", NULL, NULL, &body), ==, 400);
  g_assert_nonnull (strstr (body, "\"message\""));
  g_assert_nonnull (strstr (body, "newer"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/no/such/thing", NULL, NULL, &body), ==, 404);
  g_assert_nonnull (strstr (body, "page not found"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/swarm", NULL, NULL, &body), ==, 503);
  g_assert_nonnull (strstr (body, "swarm"));
}

/* While the server runs, the default bridge stays up with no container on it (as docker0); the
 * keepalive and the spares are not shown as containers; a killed server's are torn down by the
 * next engine. */
static void
test_api_default_network (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *id = NULL, *out = NULL, *bridge = NULL;
  g_autoptr(GHashTable) stale = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, &id, NULL, "network", "inspect", "-f", "{{.Id}}", "bridge", NULL), ==, 0);
  bridge = g_strdup_printf ("/sys/class/net/hk-%.10s", g_strstrip (id));
  g_assert_true (g_file_test (bridge, G_FILE_TEST_EXISTS));
  g_assert_cmpint (docker (f, &out, NULL, "network", "inspect", "-f", "{{len .Containers}}", "bridge", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "0\n");
  g_clear_pointer (&out, g_free);
  /* a container comes and goes: the bridge stays */
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", image, "echo", "on-bridge", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "on-bridge\n");
  g_assert_true (g_file_test (bridge, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);

  /* --add-host (host-gateway: the bridge's gateway), --dns, --dns-search, --dns-option and
   * --shm-size reach the container, and inspect; hatake's own CLI sends them too */
  {
    g_autofree char *gateway = NULL, *expected_hosts = NULL, *inspected = NULL;
    g_autofree char *host = g_strconcat ("unix://", f->socket, NULL);
    const char *argv[] = { HATAKE_CLI, "-H", host, "run", "--rm", "--network", "none", "--add-host", "db=10.1.2.3",
                           "--dns", "9.9.9.9", "--shm-size", "32m", image, "sh", "-c",
                           "grep db /etc/hosts; grep nameserver /etc/resolv.conf; df -k /dev/shm | tail -1", NULL };

    g_assert_cmpint (docker (f, &gateway, NULL, "network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", "bridge",
                             NULL), ==, 0);
    g_strstrip (gateway);
    g_assert_cmpint (docker (f, &out, NULL, "run", "--name", "named", "--add-host", "db:10.1.2.3", "--add-host",
                             "gw:host-gateway", "--dns", "9.9.9.9", "--dns-search", "example.test", "--dns-option",
                             "ndots:2", "--shm-size", "128m", image, "sh", "-c",
                             "grep -E '\\s(db|gw)$' /etc/hosts; grep -E '^(search|domain|nameserver|options)' /etc/resolv.conf; "
                             "df -k /dev/shm | tail -1", NULL), ==, 0);
    expected_hosts = g_strdup_printf ("10.1.2.3\tdb\n%s\tgw\nsearch example.test\nnameserver 9.9.9.9\noptions ndots:2\n",
                                      gateway);
    g_assert_true (g_str_has_prefix (out, expected_hosts));
    g_assert_nonnull (strstr (out + strlen (expected_hosts), " 131072 "));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker (f, &inspected, NULL, "inspect", "-f",
                             "{{.HostConfig.ShmSize}} {{.HostConfig.ExtraHosts}} {{.HostConfig.Dns}}", "named", NULL), ==, 0);
    g_assert_cmpstr (inspected, ==, "134217728 [db:10.1.2.3 gw:host-gateway] [9.9.9.9]\n");
    g_assert_cmpint (docker (f, NULL, NULL, "rm", "named", NULL), ==, 0);
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, NULL));
    g_assert_true (g_str_has_prefix (out, "10.1.2.3\tdb\nnameserver 9.9.9.9\n"));
    g_assert_nonnull (strstr (out, " 32768 "));
    g_clear_pointer (&out, g_free);
    /* what the docker CLI checks, the server checks too: nothing is created */
    g_free (inspected);
    inspected = g_strdup_printf ("{\"Image\": \"%s\", \"HostConfig\": {\"ExtraHosts\": [\"nocolon\"]}}", image);
    g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create", inspected, NULL, &out), ==, 400);
    g_assert_nonnull (strstr (out, "nocolon"));
    g_clear_pointer (&out, g_free);
    g_free (inspected);
    inspected = g_strdup_printf ("{\"Image\": \"%s\", \"HostConfig\": {\"Dns\": [\"not-an-ip\"]}}", image);
    g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create", inspected, NULL, &out), ==, 400);
    g_assert_nonnull (strstr (out, "not-an-ip"));
    g_clear_pointer (&out, g_free);
    /* --security-opt: no-new-privileges and seccomp=unconfined are honoured (label= means
     * nothing here); a custom profile or an unknown option is refused, naming it */
    g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "--network", "none", image, "grep", "-E",
                             "NoNewPrivs|Seccomp:", "/proc/self/status", NULL), ==, 0);
    /* (the system's default profile, where one is installed) */
    g_assert_cmpstr (out, ==, g_file_test ("/usr/share/containers/seccomp.json", G_FILE_TEST_EXISTS)
                              ? "NoNewPrivs:\t0\nSeccomp:\t2\n" : "NoNewPrivs:\t0\nSeccomp:\t0\n");
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "--network", "none", "--security-opt", "no-new-privileges",
                             "--security-opt", "seccomp=unconfined", "--security-opt", "label=disable", image, "grep",
                             "-E", "NoNewPrivs|Seccomp:", "/proc/self/status", NULL), ==, 0);
    g_assert_cmpstr (out, ==, "NoNewPrivs:\t1\nSeccomp:\t0\n");
    g_clear_pointer (&out, g_free);
    {
      g_autofree char *profile = NULL, *opt = NULL;
      int fd = g_file_open_tmp ("hatake-seccomp-XXXXXX.json", &profile, NULL);

      g_assert_cmpint (fd, >=, 0);
      close (fd);
      g_assert_true (g_file_set_contents (profile, "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", -1, NULL));
      opt = g_strconcat ("seccomp=", profile, NULL);
      g_assert_cmpint (docker (f, NULL, &out, "run", "--rm", "--network", "none", "--security-opt", opt, image, "true",
                               NULL), ==, 125);
      g_unlink (profile);
    }
    g_assert_nonnull (strstr (out, "custom seccomp profiles are not supported yet"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker (f, NULL, &out, "create", "--security-opt", "bogus=1", image, NULL), !=, 0);
    g_assert_nonnull (strstr (out, "invalid --security-opt: bogus=1"));
    g_clear_pointer (&out, g_free);
    /* --ulimit over the engine's defaults; above the engine's own hard limit, which the runtime
     * could not raise without CAP_SYS_RESOURCE, refused at create */
    g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "--network", "none", "--ulimit", "nofile=512:1024", "--ulimit",
                             "core=0", image, "sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c", NULL), ==, 0);
    g_assert_cmpstr (out, ==, "512\n1024\n0\n");
    g_clear_pointer (&out, g_free);
    {
      struct rlimit rl;
      g_autofree char *status = NULL;
      const char *cap_line;
      gboolean may_raise;

      g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
      cap_line = strstr (status, "\nCapBnd:");
      g_assert_nonnull (cap_line);
      may_raise = (g_ascii_strtoull (cap_line + strlen ("\nCapBnd:"), NULL, 16) >> 24) & 1;
      g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &rl), ==, 0);
      if (!may_raise && rl.rlim_max != RLIM_INFINITY)
        {
          g_autofree char *above = g_strdup_printf ("nofile=512:%" G_GUINT64_FORMAT, (guint64) rl.rlim_max + 1);

          g_assert_cmpint (docker (f, NULL, &out, "create", "--ulimit", above, image, NULL), !=, 0);
          g_assert_nonnull (strstr (out, "above the engine's own hard limit"));
          g_clear_pointer (&out, g_free);
        }
      else
        g_test_message ("the server may raise its limits: no --ulimit above them to refuse");
    }
    g_assert_cmpint (docker (f, &out, NULL, "ps", "-aq", NULL), ==, 0);
    g_assert_cmpstr (out, ==, "");
  }

  /* the server killed: its keepalive and spares are stale, and the next engine tears them down */
  g_hash_table_unref (hatake_test_wait_spares (f->root, 2));
  g_subprocess_force_exit (f->server);
  g_subprocess_wait (f->server, NULL, NULL);
  g_clear_object (&f->server);
  g_assert_true (g_file_test (bridge, G_FILE_TEST_EXISTS));
  hatake_cli (f, "ps", "-a", NULL);
  g_assert_false (g_file_test (bridge, G_FILE_TEST_EXISTS));
  stale = hatake_test_spares (f->root, FALSE);
  g_assert_cmpuint (g_hash_table_size (stale), ==, 0);
  hatake_cli (f, "system", "reset", "-f", NULL);
}

/* The server keeps two namespaces set up on the default network ahead of need. A container that
 * joins it with no address or port of its own takes one: its address is the spare's, its
 * namespace (moved under its ID) reaches the gateway, and the spare is gone from the network's
 * containers; another is set up behind it. A container with a published port gets its own. The
 * server's stop tears the spares down, with the bridge. */
static void
test_api_network_spares (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *id = NULL, *ported = NULL, *ip = NULL, *gateway = NULL, *out = NULL;
  g_autofree char *dir = NULL, *ns = NULL, *bridge = NULL, *taken = NULL;
  g_autoptr(GHashTable) before = NULL, after = NULL, left = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  dir = hatake_test_netns_dir (f->root);
  g_assert_cmpint (docker (f, &out, NULL, "network", "inspect", "-f", "{{.Id}}", "bridge", NULL), ==, 0);
  bridge = g_strdup_printf ("/sys/class/net/hk-%.10s", trimmed (out));
  g_clear_pointer (&out, g_free);
  before = hatake_test_wait_spares (f->root, 2);

  g_assert_cmpint (docker (f, &id, NULL, "run", "-d", image, "sleep", "300", NULL), ==, 0);
  trimmed (id);
  g_assert_cmpint (docker (f, &ip, NULL, "inspect", "-f", "{{.NetworkSettings.IPAddress}}", id, NULL), ==, 0);
  g_assert_cmpint (docker (f, &gateway, NULL, "inspect", "-f", "{{.NetworkSettings.Gateway}}", id, NULL), ==, 0);
  trimmed (ip);
  trimmed (gateway);
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_equal (value, ip))
      taken = g_strdup (key);
  g_assert_nonnull (taken);
  ns = g_build_filename (dir, id, NULL);
  g_assert_true (g_file_test (ns, G_FILE_TEST_EXISTS));
  g_clear_pointer (&ns, g_free);
  ns = g_build_filename (dir, taken, NULL);
  g_assert_false (g_file_test (ns, G_FILE_TEST_EXISTS));
  g_assert_cmpint (docker (f, &out, NULL, "exec", id, "sh", "-c", "ip -4 addr show eth0; ping -c 1 -W 3 $0", gateway,
                           NULL), ==, 0);
  g_assert_nonnull (strstr (out, ip));
  g_assert_nonnull (strstr (out, "1 packets received"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "network", "inspect", "-f", "{{range $k, $v := .Containers}}{{$k}} {{end}}",
                           "bridge", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, id);
  g_clear_pointer (&out, g_free);

  /* another behind it; a published port is not a spare's */
  after = hatake_test_wait_spares (f->root, 2);
  g_assert_false (g_hash_table_contains (after, taken));
  g_assert_cmpint (docker (f, &ported, NULL, "run", "-d", "-p", "127.0.0.1::80", image, "sleep", "300", NULL), ==, 0);
  g_clear_pointer (&left, g_hash_table_unref);
  left = hatake_test_spares (f->root, TRUE);
  g_assert_cmpuint (g_hash_table_size (left), ==, 2);
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_true (g_hash_table_contains (left, key));
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", id, trimmed (ported), NULL), ==, 0);

  /* the stop takes the spares and the bridge along */
  fixture_stop_server (f);
  g_clear_pointer (&left, g_hash_table_unref);
  left = hatake_test_spares (f->root, FALSE);
  g_assert_cmpuint (g_hash_table_size (left), ==, 0);
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *path = g_build_filename (dir, key, NULL);

      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  g_assert_false (g_file_test (bridge, G_FILE_TEST_EXISTS));
}

/* How many of conmon's exit commands run on ROOT: hatake-exited, and the `hatake … system
 * recover` it may start */
static guint
count_exit_commands (const char *root)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      gsize length = 0;
      gboolean recover = FALSE, exited = FALSE, on_root = FALSE;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i < length; i += strlen (cmdline + i) + 1)
        {
          recover = recover || (g_str_equal (cmdline + i, "recover") && i >= 7 &&
                                g_str_equal (cmdline + i - 7, "system"));
          on_root = on_root || g_str_equal (cmdline + i, root);
        }
      exited = length > 0 && g_str_has_suffix (cmdline, "/hatake-exited");
      n += (recover || exited) && on_root;
    }
  return n;
}

/* Under hatake serve, conmon's exit command sees the engine that owns the data root (it has
 * seen the exit itself) and ends at once: it does not wait, seconds long, for the data root. */
static void
test_api_exit_command (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *maps_path = NULL, *maps = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  maps_path = g_strdup_printf ("/proc/%s/maps", g_subprocess_get_identifier (f->server));
  /* libarchive is loaded only while a layer is unpacked: not as started, not after the pull */
  g_assert_true (g_file_get_contents (maps_path, &maps, NULL, NULL));
  g_assert_null (strstr (maps, "/libarchive.so"));
  g_clear_pointer (&maps, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  /* (closed a second after its last use; the dlclose() unmaps one library after the other: a
   * read of the maps in between saw libarchive gone and libxml2 still there) */
  for (guint i = 0; i < 100; i++)
    {
      g_clear_pointer (&maps, g_free);
      g_assert_true (g_file_get_contents (maps_path, &maps, NULL, NULL));
      if (strstr (maps, "/libarchive.so") == NULL && strstr (maps, "/libxml2.so") == NULL)
        break;
      g_usleep (50 * 1000);
    }
  g_assert_null (strstr (maps, "/libarchive.so"));
  g_assert_null (strstr (maps, "/libxml2.so"));
  /* the pull went direct (no proxy in the environment) without loading GIO's default proxy
   * resolver: libproxy, its C++ runtime and dconf stay out of the server's memory. (With a proxy
   * set, GLib 2.74 loads it before it is told of ours.) */
  if (g_getenv ("HTTP_PROXY") == NULL && g_getenv ("http_proxy") == NULL &&
      g_getenv ("HTTPS_PROXY") == NULL && g_getenv ("https_proxy") == NULL)
    g_assert_null (strstr (maps, "libproxy"));
  for (guint round = 0; round < 3; round++)
    {
      gint64 exited;

      g_assert_cmpint (docker (f, NULL, NULL, "run", "--rm", "--network", "none", image, "true", NULL), ==, 0);
      exited = g_get_monotonic_time ();
      /* it starts a moment after the container's exit and is gone well within a second (under
       * ASan too), where it used to wait 3 s for the owner to let go */
      while (g_get_monotonic_time () - exited < G_USEC_PER_SEC)
        {
          if (count_exit_commands (f->root) > 0)
            g_test_message ("round %u: an exit command runs %.0f ms after", round,
                            (g_get_monotonic_time () - exited) / 1000.0);
          g_usleep (50 * 1000);
        }
      g_assert_cmpuint (count_exit_commands (f->root), ==, 0);
    }
}

/* The lifecycle of containers through the docker CLI, with attached output and exit codes. */
static void
test_api_containers (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *id = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  /* a missing image is pulled, with docker's progress */
  g_assert_cmpint (docker (f, &out, &err, "run", "--name", "hello", image, "sh", "-c",
                           "echo to-stdout; echo to-stderr >&2; exit 3", NULL), ==, 3);
  g_assert_cmpstr (out, ==, "to-stdout\n");
  g_assert_nonnull (strstr (err, "to-stderr\n"));
  g_assert_nonnull (strstr (err, "Pull complete"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "images", "--format", "{{.Repository}}:{{.Tag}}", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "hatake/busybox:latest"));
  g_clear_pointer (&out, g_free);

  /* detached, listed, its logs, stopped, started again, renamed, removed */
  g_assert_cmpint (docker (f, &id, NULL, "run", "-d", "--name", "web", "--label", "tier=front", image,
                           "sh", "-c", "echo started; trap 'exit 0' TERM; while :; do sleep 0.1; done", NULL), ==, 0);
  g_assert_cmpuint (strlen (trimmed (id)), ==, 64);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "--format", "{{.Names}} {{.State}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "web running\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--filter", "label=tier=front", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "web\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "hello\n");
  g_clear_pointer (&out, g_free);
  for (guint i = 0; i < 50; i++)
    {
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (docker (f, &out, NULL, "logs", "web", NULL), ==, 0);
      if (g_str_equal (out, "started\n"))
        break;
      g_usleep (100 * 1000);
    }
  g_assert_cmpstr (out, ==, "started\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f", "{{.State.Running}} {{.Config.Labels.tier}} {{.Name}}",
                           "web", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "true front /web\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "pause", "web", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f", "{{.State.Status}}", "web", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "paused\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "pause", "web", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Error response from daemon"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "unpause", "web", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "stop", "-t", "5", "web", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "web", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "exited 0\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "start", "web", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "rename", "web", "web2", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "web2\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "rm", "web2", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Error response from daemon"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "web2", "hello", NULL), ==, 0);

  /* --rm: gone once the command returns */
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", image, "echo", "bye", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "bye\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  /* prune takes the stopped ones only; label! keeps those with the label */
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "p1", image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "--name", "p2", image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "p3", "--label", "keep=yes", image, "true", NULL), ==, 0);
  /* ps -l: the newest, stopped or not; limit=0 is no limit */
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-l", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "p3\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-n", "2", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "p3\np2\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/containers/json?all=1&limit=0", NULL, NULL, &out), ==, 200);
  g_assert_nonnull (strstr (out, "/p1"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "keep", image, "sleep", "300", NULL), ==, 0);
  /* a filter prune does not know is refused: ignoring it would delete more than asked */
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/prune?filters=%7B%22labl%22%3A%5B%22x%22%5D%7D",
                          NULL, NULL, &out), ==, 400);
  g_assert_nonnull (strstr (out, "invalid filter 'labl'"));
  g_clear_pointer (&out, g_free);
  for (guint i = 0; i < 3; i++)
    {
      const char *object = (const char *[]) { "images", "volumes", "networks" }[i];
      g_autofree char *url = g_strdup_printf ("/v1.44/%s/prune?filters=%%7B%%22until%%22%%3A%%5B%%2210m%%22%%5D%%7D", object);

      g_assert_cmpuint (http (f, "POST", url, NULL, NULL, &out), ==, 400);
      g_assert_nonnull (strstr (out, "invalid filter 'until'"));
      g_clear_pointer (&out, g_free);
    }
  /* until: a duration back from now, or a time; what it cannot read is refused */
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/prune?filters=%7B%22until%22%3A%5B%22abc%22%5D%7D",
                          NULL, NULL, &out), ==, 400);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "container", "prune", "-f", "--filter", "until=10m", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "p1"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "container", "prune", "-f", "--filter", "label!=keep",
                           "--filter", "until=2999-01-01T00:00:00Z", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Deleted Containers:"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "p3"));
  g_assert_null (strstr (out, "p1"));
  g_assert_null (strstr (out, "p2"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "container", "prune", "-f", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Deleted Containers:"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "keep\n");
  g_clear_pointer (&out, g_free);
  /* starting a running container, stopping a stopped one: docker's 304 */
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/keep/start", NULL, NULL, NULL), ==, 304);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "idle", image, "true", NULL), ==, 0);
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/idle/stop", NULL, NULL, NULL), ==, 304);
  g_assert_cmpint (docker (f, &out, NULL, "stop", "idle", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "idle\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "idle", NULL), ==, 0);
  /* link=1 removes a link, never the container */
  g_assert_cmpuint (http (f, "DELETE", "/v1.44/containers/keep?link=1&force=1", NULL, NULL, &out), ==, 400);
  g_assert_nonnull (strstr (out, "default link name"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-q", "--filter", "name=keep", NULL), ==, 0);
  g_assert_cmpstr (out, !=, "");
  g_clear_pointer (&out, g_free);
  /* an empty force= is false, as docker reads it: a running container stays */
  g_assert_cmpuint (http (f, "DELETE", "/v1.44/containers/keep?force=", NULL, NULL, &out), ==, 409);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "keep", NULL), ==, 0);

  /* -i: the client's stdin reaches the container (and its end ends cat) */
  {
    g_autofree char *script = g_strdup_printf ("printf 'line one\\nline two\\n' | DOCKER_HOST=unix://%s DOCKER_CONFIG=%s "
                                               "docker run -i --rm %s sh -c 'cat; echo end-of-input'",
                                               f->socket, f->docker_config, image);
    int status = -1;

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL }, NULL,
                                 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "line one\nline two\nend-of-input\n");
    g_clear_pointer (&out, g_free);
  }

  /* docker's errors, and nothing changed */
  g_assert_cmpint (docker (f, NULL, &err, "rm", "nosuch", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "No such container: nosuch"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "create", "--name", "bad name", image, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "Invalid container name"));
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *body = g_strdup_printf ("{\"Image\": \"%s\"}", image);

    g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create?name=a%2Fb", body, NULL, &out), ==, 400);
    g_assert_nonnull (strstr (out, "Invalid container name"));
    g_clear_pointer (&out, g_free);
  }
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
}

/* Networks, volumes and published ports through the docker CLI. */
static void
test_api_networks_volumes (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *publish = NULL, *url = NULL, *body = NULL;
  g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "network", "create", "--label", "team=api", "apinet", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "network", "ls", "--format", "{{.Name}}", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "apinet\n"));
  g_assert_nonnull (strstr (out, "bridge\n"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "network", "inspect", "-f", "{{.Labels.team}}", "apinet", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "api\n");
  g_clear_pointer (&out, g_free);

  g_assert_true (g_socket_bind (probe, any, FALSE, NULL));
  bound = g_socket_get_local_address (probe, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (probe, NULL);
  publish = g_strdup_printf ("127.0.0.1:%u:80", port);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "srv", "--hostname", "apihost", "--network", "apinet",
                           "--network-alias", "svc", "-p", publish, image, "busybox", "httpd", "-f", "-p", "80",
                           "-h", "/etc", NULL), ==, 0);
  url = g_strdup_printf ("http://127.0.0.1:%u/hostname", port);
  for (guint i = 0; i < 30; i++)
    {
      g_clear_pointer (&body, g_free);
      g_spawn_sync (NULL, (char *[]) { (char *) "curl", (char *) "-s", (char *) "-m", (char *) "2", url, NULL }, NULL,
                    G_SPAWN_SEARCH_PATH, NULL, NULL, &body, NULL, NULL, NULL);
      if (body != NULL && g_str_equal (body, "apihost\n"))
        break;
      g_usleep (100 * 1000);
    }
  g_assert_cmpstr (body, ==, "apihost\n");
  g_assert_cmpint (docker (f, &out, NULL, "port", "srv", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "80/tcp -> 127.0.0.1:"));
  g_clear_pointer (&out, g_free);
  /* by its alias from another container on the network */
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "--network", "apinet", image, "wget", "-q", "-O", "-",
                           "http://svc/hostname", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "apihost\n");
  g_clear_pointer (&out, g_free);
  /* connect and disconnect */
  g_assert_cmpint (docker (f, NULL, NULL, "network", "connect", "bridge", "srv", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f", "{{len .NetworkSettings.Networks}}", "srv", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "2\n");
  g_clear_pointer (&out, g_free);
  /* docker ps says so too (its summaries are kept between calls: a connect must renew them) */
  g_assert_cmpint (docker (f, &out, NULL, "ps", "--filter", "name=srv", "--format", "{{.Networks}}", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "bridge"));
  g_assert_nonnull (strstr (out, "apinet"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "network", "disconnect", "bridge", "srv", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "--filter", "name=srv", "--format", "{{.Networks}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "apinet\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "network", "rm", "apinet", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "srv"));
  g_clear_pointer (&err, g_free);

  /* a named volume outlives its containers */
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "--label", "keep=yes", "data", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "--rm", "-v", "data:/data", image, "sh", "-c",
                           "echo kept > /data/file", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "-v", "data:/data:ro", image, "cat", "/data/file", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "kept\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "volume", "ls", "--format", "{{.Name}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "data\n");
  g_clear_pointer (&out, g_free);

  /* -v /anon: the CLI sends it as Config.Volumes, an anonymous volume (mounted there, its data
   * kept apart from the container's own layer), which the container's --rm removes */
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "-v", "/anon", image, "sh", "-c",
                           "grep -c ' /anon ' /proc/mounts && touch /anon/file", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "1\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "volume", "ls", "--format", "{{.Name}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "data\n");
  g_clear_pointer (&out, g_free);
  /* …and a relative one is refused by the server too */
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create",
                          "{\"Image\": \"x\", \"Volumes\": {\"anon\": {}}}", NULL, &out), ==, 400);
  g_assert_nonnull (strstr (out, "absolute path"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "srv", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "network", "rm", "apinet", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "rm", "data", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "volume", "ls", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  /* image prune: a tagged image is not dangling; unused, -a takes it */
  g_assert_cmpint (docker (f, NULL, NULL, "image", "prune", "-f", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "images", "-q", NULL), ==, 0);
  g_assert_cmpuint (strlen (out), >, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "image", "prune", "-a", "-f", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Total reclaimed space"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "images", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
}

static int
compare_strings (const void *a, const void *b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* `docker images` (or `docker volume ls`) with up to two filters: the names listed, sorted, on
 * one line */
static char *
listed (Fixture *f, gboolean volumes, const char *filter1, const char *filter2)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) sorted = NULL;

  g_assert_true (filter1 != NULL || filter2 == NULL);
  if (volumes)
    g_assert_cmpint (docker (f, &out, NULL, "volume", "ls", "--format", "{{.Name}}", filter1 ? "-f" : NULL, filter1,
                             filter2 ? "-f" : NULL, filter2, NULL), ==, 0);
  else
    g_assert_cmpint (docker (f, &out, NULL, "images", "--format", "{{.Repository}}:{{.Tag}}", filter1 ? "-f" : NULL,
                             filter1, filter2 ? "-f" : NULL, filter2, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_strv_builder_add (names, lines[i]);
  sorted = g_strv_builder_end (names);
  qsort (sorted, g_strv_length (sorted), sizeof (char *), compare_strings);
  return g_strjoinv (" ", sorted);
}

#define assert_listed(f, volumes, filter1, filter2, expected) \
  G_STMT_START {                                                \
    g_autofree char *_names = listed (f, volumes, filter1, filter2); \
    g_assert_cmpstr (_names, ==, expected);                     \
  } G_STMT_END

/* docker images -f: dangling, label, before, since, reference (whose tags alone are shown), on
 * three images loaded from an archive made here: old and mid tagged, with labels and dates of
 * their own, and one with no tag at all; an unknown filter is refused, not ignored (which made
 * `docker rmi $(docker images -qf dangling=true)` remove every image). */
static void
test_api_image_filters (Fixture *f, gconstpointer data)
{
  g_autofree char *archive = NULL, *script = NULL, *out = NULL, *err = NULL, *body = NULL;
  const char *argv[] = { "python3", "-c", NULL, NULL };
  int status = 0;

  if (!require ())
    return;
  archive = g_build_filename (f->root, "filters.tar", NULL);
  script = g_strdup_printf (
    "import tarfile, json, io, hashlib\n"
    "out = tarfile.open('%s', 'w')\n"
    "def add(name, data):\n"
    "    i = tarfile.TarInfo(name); i.size = len(data); out.addfile(i, io.BytesIO(data))\n"
    "b = io.BytesIO(); t = tarfile.open(fileobj=b, mode='w'); i = tarfile.TarInfo('f'); i.size = 1\n"
    "t.addfile(i, io.BytesIO(b'x')); t.close(); add('l.tar', b.getvalue())\n"
    "diff = 'sha256:' + hashlib.sha256(b.getvalue()).hexdigest()\n"
    "m = []\n"
    "for name, year, labels, tags in (('old', 2020, {'tier': 'base', 'team': 'a'}, ['filt/old:1', 'other/old:1']),\n"
    "                                 ('mid', 2021, {'tier': 'app'}, ['filt/mid:1']), ('none', 2022, None, [])):\n"
    "    add(name + '.json', json.dumps({'architecture': 'amd64', 'os': 'linux', 'created': '%%d-01-01T00:00:00Z' %% year,\n"
    "        'config': {'Labels': labels, 'Cmd': ['true']}, 'rootfs': {'type': 'layers', 'diff_ids': [diff]}}).encode())\n"
    "    m.append({'Config': name + '.json', 'RepoTags': tags, 'Layers': ['l.tar']})\n"
    "add('manifest.json', json.dumps(m).encode()); out.close()\n", archive);
  argv[2] = script;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "load", "-i", archive, NULL), ==, 0);

  assert_listed (f, FALSE, NULL, NULL, "<none>:<none> filt/mid:1 filt/old:1 other/old:1");
  assert_listed (f, FALSE, "dangling=true", NULL, "<none>:<none>");
  assert_listed (f, FALSE, "dangling=false", NULL, "filt/mid:1 filt/old:1 other/old:1");
  assert_listed (f, FALSE, "label=tier", NULL, "filt/mid:1 filt/old:1 other/old:1");
  assert_listed (f, FALSE, "label=tier=base", NULL, "filt/old:1 other/old:1");
  /* every label filter must hold */
  assert_listed (f, FALSE, "label=tier", "label=team=a", "filt/old:1 other/old:1");
  assert_listed (f, FALSE, "label=tier=app", "label=team", "");
  assert_listed (f, FALSE, "before=filt/mid:1", NULL, "filt/old:1 other/old:1");
  assert_listed (f, FALSE, "since=filt/old:1", NULL, "<none>:<none> filt/mid:1");
  assert_listed (f, FALSE, "since=other/old:1", "dangling=false", "filt/mid:1");
  /* the reference filter: a glob whose '*' stops at '/', on the name or name:tag; the images it
   * lists show only the tags that matched */
  assert_listed (f, FALSE, "reference=filt/*", NULL, "filt/mid:1 filt/old:1");
  assert_listed (f, FALSE, "reference=*/old", NULL, "filt/old:1 other/old:1");
  assert_listed (f, FALSE, "reference=other/old:1", NULL, "other/old:1");
  assert_listed (f, FALSE, "reference=*", NULL, "");
  assert_listed (f, FALSE, "reference=filt/*", "dangling=true", "");

  g_assert_cmpint (docker (f, NULL, &err, "images", "-f", "bogus=1", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "invalid filter 'bogus'"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "images", "-f", "before=hatake-no-such-image", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "No such image"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/images/json?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D", NULL, NULL, &body),
                    ==, 400);
  g_assert_nonnull (strstr (body, "invalid filter 'bogus'"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/images/json?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D", NULL, NULL,
                          &body), ==, 400);
  g_assert_nonnull (strstr (body, "invalid filter 'dangling=[maybe]'"));
  g_clear_pointer (&body, g_free);

  /* the cleanup idiom removes the untagged image alone */
  g_assert_cmpint (docker (f, &out, NULL, "images", "-q", "-f", "dangling=true", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "rmi", trimmed (out), NULL), ==, 0);
  assert_listed (f, FALSE, NULL, NULL, "filt/mid:1 filt/old:1 other/old:1");
}

/* docker volume ls -f: dangling (no container mounts it), label (all of them), name, driver;
 * and an unknown filter refused. */
static void
test_api_volume_filters (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *err = NULL, *body = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "--label", "keep=yes", "vused", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "--label", "keep=yes", "--label", "tier=x", "vfree",
                           NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "vuser", "-v", "vused:/data", image, "true", NULL), ==, 0);

  assert_listed (f, TRUE, NULL, NULL, "vfree vused");
  assert_listed (f, TRUE, "dangling=true", NULL, "vfree");
  assert_listed (f, TRUE, "dangling=false", NULL, "vused");
  assert_listed (f, TRUE, "label=keep=yes", NULL, "vfree vused");
  assert_listed (f, TRUE, "label=keep=yes", "label=tier=x", "vfree");
  assert_listed (f, TRUE, "label=keep=no", NULL, "");
  assert_listed (f, TRUE, "name=vfr", NULL, "vfree");
  assert_listed (f, TRUE, "driver=local", "dangling=true", "vfree");
  g_assert_cmpint (docker (f, NULL, &err, "volume", "ls", "-f", "bogus=1", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "invalid filter 'bogus'"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/volumes?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D", NULL, NULL, &body),
                    ==, 200);
  g_assert_nonnull (strstr (body, "\"vfree\""));
  g_assert_null (strstr (body, "\"vused\""));
  g_clear_pointer (&body, g_free);

  /* once its container is gone, the volume is dangling too */
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "vuser", NULL), ==, 0);
  assert_listed (f, TRUE, "dangling=true", NULL, "vfree vused");
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "rm", "vfree", "vused", NULL), ==, 0);
}

/* docker exec: output and exit codes, stdin, user and directory, detached. */
static void
test_api_exec (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *unused_exec = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "box", image, "sleep", "300", NULL), ==, 0);
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/box/exec", "{\"Cmd\": [\"env\"], \"Env\": [{}]}", NULL, &out), ==, 400);
  g_assert_nonnull (strstr (out, "Env: not a list of strings"));
  g_clear_pointer (&out, g_free);
  /* an exec instance made, never started: the server forgets it once its container is gone */
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/box/exec", "{\"Cmd\": [\"true\"]}", NULL, &out), ==, 201);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
    unused_exec = g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "Id"));
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, &err, "exec", "box", "sh", "-c", "echo out; echo err >&2; exit 4", NULL), ==, 4);
  g_assert_cmpstr (out, ==, "out\n");
  g_assert_cmpstr (err, ==, "err\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "exec", "-w", "/etc", "-u", "1:1", "-e", "GREETING=hi", "box", "sh", "-c",
                           "pwd; id -u; echo $GREETING", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "/etc\n1\nhi\n");
  g_clear_pointer (&out, g_free);
  /* stdin, through the hijacked connection */
  {
    g_autofree char *script = g_strdup_printf ("echo through-stdin | DOCKER_HOST=unix://%s DOCKER_CONFIG=%s docker exec -i box cat",
                                               f->socket, f->docker_config);
    int status = -1;

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL }, NULL,
                                 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "through-stdin\n");
    g_clear_pointer (&out, g_free);
  }
  /* a command that ends without reading its stdin: its output and its exit code still reach
   * docker (a connection closed with unread input sends a reset, which threw them away) */
  {
    g_autofree char *script = g_strdup_printf ("head -c 4194304 /dev/zero | DOCKER_HOST=unix://%s DOCKER_CONFIG=%s "
                                               "docker exec -i box sh -c 'echo unread; exit 5'",
                                               f->socket, f->docker_config);
    int status = -1;

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL }, NULL,
                                 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL));
    g_test_message ("docker exec -i, unread: %s", err);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 5);
    g_assert_cmpstr (out, ==, "unread\n");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  /* docker diff: what the container changed, as docker sorts and marks it; the mount points the
   * runtime made for /etc/hosts, /proc… are not among them (docker keeps those in a layer of its
   * own), and /etc is there for its passwd alone; a link is an entry, never followed (to / here:
   * the host's, were the walk to follow it). The same through hatake's own CLI on the API. */
  {
    static const char expected[] = "C /bin\nD /bin/ls\nC /etc\nC /etc/passwd\nA /made\nA /made/deep\nA /made/deep/f\n"
                                   "A /made/root\n";
    g_autofree char *host = g_strconcat ("unix://", f->socket, NULL);
    const char *argv[] = { HATAKE_CLI, "-H", host, "diff", "box", NULL };

    g_assert_cmpint (docker (f, &out, NULL, "diff", "box", NULL), ==, 0);
    g_assert_cmpstr (out, ==, "");
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker (f, NULL, NULL, "exec", "box", "sh", "-c",
                             "mkdir -p /made/deep && echo > /made/deep/f && rm /bin/ls && echo x >> /etc/passwd && "
                             "ln -s / /made/root", NULL),
                     ==, 0);
    g_assert_cmpint (docker (f, &out, NULL, "diff", "box", NULL), ==, 0);
    g_assert_cmpstr (out, ==, expected);
    g_clear_pointer (&out, g_free);
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, NULL));
    g_assert_cmpstr (out, ==, expected);
    g_clear_pointer (&out, g_free);
    /* a volume's mount point, and the folders made only to hold it, are no change either */
    g_assert_cmpint (docker (f, NULL, NULL, "run", "--name", "nested", "-v", "/made/for/volume", image, "true", NULL), ==, 0);
    g_assert_cmpint (docker (f, &out, NULL, "diff", "nested", NULL), ==, 0);
    g_assert_cmpstr (out, ==, "");
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker (f, NULL, NULL, "rm", "-v", "nested", NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, &err, "diff", "no-such-box", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "No such container"));
    g_clear_pointer (&err, g_free);
  }
  /* -it: a terminal on both sides (util-linux's script gives docker one), what is typed reaches the
   * shell, what it computes comes back through the terminal (\r\n), and its exit code is docker's */
  {
    g_autofree char *script = g_strdup_printf ("printf 'tty; echo in-$((6*7)); exit 3\\n' | DOCKER_HOST=unix://%s "
                                               "DOCKER_CONFIG=%s script -qec 'docker exec -it box sh' /dev/null",
                                               f->socket, f->docker_config);
    int status = -1;

    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL }, NULL,
                                 G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, NULL));
    g_test_message ("docker exec -it: %s", out);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 3);
    g_assert_nonnull (strstr (out, "\nin-42\r\n"));
    g_assert_nonnull (strstr (out, "/dev/pts/"));
    g_clear_pointer (&out, g_free);
  }
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "-d", "box", "touch", "/tmp/detached", NULL), ==, 0);
  for (guint i = 0; i < 30 && docker (f, NULL, NULL, "exec", "box", "test", "-e", "/tmp/detached", NULL) != 0; i++)
    g_usleep (100 * 1000);
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "box", "test", "-e", "/tmp/detached", NULL), ==, 0);
  /* what runs in it, and what it uses */
  g_assert_cmpint (docker (f, &out, NULL, "top", "box", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "sleep 300"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "box", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "box 1\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "system", "df", "--format", "{{.Type}} {{.TotalCount}}", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Images 1\n"));
  g_clear_pointer (&out, g_free);
  /* not in a stopped container */
  g_assert_cmpint (docker (f, NULL, NULL, "stop", "-t", "0", "box", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, &err, "exec", "box", "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "is not running"));
  g_clear_pointer (&err, g_free);
  /* a stopped container's stats are zeros, as docker's (docker stats -a --no-stream) */
  g_assert_cmpint (docker (f, &out, NULL, "stats", "-a", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.PIDs}}",
                           NULL), ==, 0);
  g_assert_cmpstr (out, ==, "box 0.00% 0\n");
  g_clear_pointer (&out, g_free);
  {
    g_autofree char *url = g_strdup_printf ("/v1.44/exec/%s/json", unused_exec);

    g_assert_cmpuint (http (f, "GET", url, NULL, NULL, NULL), ==, 200);
    g_assert_cmpint (docker (f, NULL, NULL, "rm", "box", NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "box2", image, "sleep", "300", NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, NULL, "exec", "box2", "true", NULL), ==, 0);
    g_assert_cmpuint (http (f, "GET", url, NULL, NULL, NULL), ==, 404);
    g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "box2", NULL), ==, 0);
  }
}

/* docker events: the history with since/until and filters, and a live follower. */
static void
test_api_events (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *since = NULL, *until = NULL, *host = NULL;
  g_autoptr(GSubprocess) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *live = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  since = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC - 1);
  /* a follower from now on, for one container's deaths */
  host = g_strconcat ("unix://", f->socket, NULL);
  env = g_environ_setenv (env, "DOCKER_HOST", host, TRUE);
  env = g_environ_setenv (env, "DOCKER_CONFIG", f->docker_config, TRUE);
  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    g_subprocess_launcher_set_environ (launcher, env);
    follower = g_subprocess_launcher_spawn (launcher, &error, "docker", "events", "--filter", "event=die",
                                            "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}",
                                            NULL);
    g_assert_no_error (error);
  }
  g_usleep (500 * 1000);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "--name", "ev", "--label", "kind=event", image, "sh", "-c", "exit 7",
                           NULL), ==, 7);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "ev", NULL), ==, 0);
  until = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);
  g_assert_cmpint (docker (f, &out, NULL, "events", "--since", since, "--until", until, "--filter", "container=ev",
                           "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.kind}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "container create event\ncontainer attach event\ncontainer start event\n"
                            "container die event\ncontainer destroy event\n");
  g_clear_pointer (&out, g_free);
  /* the live follower saw the death, with its exit code */
  {
    GInputStream *stream = g_subprocess_get_stdout_pipe (follower);
    char buffer[256] = "";
    gsize got = 0;

    g_input_stream_read_all (stream, buffer, strlen ("die ev 7\n"), &got, NULL, &error);
    g_assert_no_error (error);
    live = g_strndup (buffer, got);
  }
  g_assert_cmpstr (live, ==, "die ev 7\n");
  g_subprocess_force_exit (follower);
  g_subprocess_wait (follower, NULL, NULL);
}

/* Volumes and networks have events too: made by their own commands or by a run that needs them. */
static void
test_api_object_events (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *since = NULL, *until = NULL, *id = NULL, *expected = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  since = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC - 1);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "evvol1", NULL), ==, 0);
  g_assert_cmpint (docker (f, &id, NULL, "network", "create", "evnet", NULL), ==, 0);
  g_strstrip (id);
  /* a run makes the named volume it mounts, and joins and leaves the network */
  g_assert_cmpint (docker (f, NULL, NULL, "run", "--rm", "--name", "evrun", "--network", "evnet", "-v", "evvol2:/data",
                           image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "network", "rm", "evnet", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "rm", "evvol1", "evvol2", NULL), ==, 0);
  until = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);

  g_assert_cmpint (docker (f, &out, NULL, "events", "--since", since, "--until", until, "--filter", "type=volume",
                           "--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "volume create evvol1 local\nvolume create evvol2 local\n"
                            "volume destroy evvol1 local\nvolume destroy evvol2 local\n");
  g_clear_pointer (&out, g_free);
  /* by name: the network's ID is its actor, as docker's */
  g_assert_cmpint (docker (f, &out, NULL, "events", "--since", since, "--until", until, "--filter", "network=evnet",
                           "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}}",
                           NULL), ==, 0);
  expected = g_strdup_printf ("create %s evnet bridge\nconnect %s evnet bridge\ndisconnect %s evnet bridge\n"
                              "destroy %s evnet bridge\n", id, id, id, id);
  g_assert_cmpstr (out, ==, expected);
  g_clear_pointer (&out, g_free);
  /* the container that joined is named; one volume alone is picked out */
  g_assert_cmpint (docker (f, &out, NULL, "events", "--since", since, "--until", until, "--filter", "event=connect",
                           "--format", "{{.Type}} {{.Actor.Attributes.container}}", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "network "));
  g_assert_cmpuint (strlen (out), ==, strlen ("network ") + 64 + 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "events", "--since", since, "--until", until, "--filter", "volume=evvol2",
                           "--format", "{{.Action}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "create\ndestroy\n");
}

/* `docker-compose ARGS…` in DIR; its stdout in OUT (replaced). */
static gboolean
compose_run (const char *compose, const char *dir, GStrv env, char **out, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, (char *) compose);
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_clear_pointer (out, g_free);
  g_assert_true (g_spawn_sync (dir, (char **) argv->pdata, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, out, NULL,
                               &status, NULL));
  g_test_message ("docker-compose %s: %s", (char *) argv->pdata[1], *out);
  return g_spawn_check_wait_status (status, NULL);
}

/* docker-compose 1.29 (Debian's) brings a project up and down through the socket. */
static void
test_api_compose (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *dir = NULL, *file = NULL, *yaml = NULL, *host = NULL;
  g_autofree char *compose = g_find_program_in_path ("docker-compose");
  g_auto(GStrv) env = g_get_environ ();

  if (!require ())
    return;
  if (compose == NULL)
    {
      if (g_getenv ("CI") != NULL)
        g_error ("docker-compose is missing: build-aux/install-deps.sh test installs it");
      g_test_skip ("no docker-compose");
      return;
    }
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  dir = g_build_filename (f->docker_config, "shop", NULL);
  g_mkdir_with_parents (dir, 0700);
  file = g_build_filename (dir, "docker-compose.yml", NULL);
  yaml = g_strdup_printf ("version: \"3\"\n"
                          "services:\n"
                          "  web:\n"
                          "    image: %s\n"
                          "    hostname: webhost\n"
                          "    command: busybox httpd -f -p 80 -h /etc\n"
                          "    stop_signal: SIGKILL\n"
                          "    volumes: [\"data:/data\"]\n"
                          "  client:\n"
                          "    image: %s\n"
                          "    command: sh -c \"until wget -q -O - http://web/hostname; do sleep 0.2; done; exec sleep 300\"\n"
                          "    stop_signal: SIGKILL\n"
                          "    depends_on: [web]\n"
                          "volumes:\n"
                          "  data: {}\n", image, image);
  g_assert_true (g_file_set_contents (file, yaml, -1, NULL));
  host = g_strconcat ("unix://", f->socket, NULL);
  env = g_environ_setenv (env, "DOCKER_HOST", host, TRUE);
  env = g_environ_setenv (env, "DOCKER_CONFIG", f->docker_config, TRUE);
  g_assert_true (compose_run (compose, dir, env, &out, "up", "-d", NULL));
  g_assert_true (compose_run (compose, dir, env, &out, "ps", "-q", NULL));
  {
    g_auto(GStrv) ids = g_strsplit (g_strstrip (out), "\n", -1);

    g_assert_cmpuint (g_strv_length (ids), ==, 2);
  }
  /* the client reached the web service by its name, and compose shows its logs */
  for (guint i = 0; i < 50; i++)
    {
      g_assert_true (compose_run (compose, dir, env, &out, "logs", "--no-color", "client", NULL));
      if (strstr (out, "webhost") != NULL)
        break;
      g_usleep (100 * 1000);
    }
  g_assert_nonnull (strstr (out, "client_1  | webhost"));
  /* up again: the project is as it should be (compose compares the network it finds with the
   * file's, options included: one it was not given made it refuse) */
  g_assert_true (compose_run (compose, dir, env, &out, "up", "-d", NULL));
  g_assert_true (compose_run (compose, dir, env, &out, "ps", "-q", NULL));
  {
    g_auto(GStrv) ids = g_strsplit (g_strstrip (out), "\n", -1);

    g_assert_cmpuint (g_strv_length (ids), ==, 2);
  }
  g_assert_true (compose_run (compose, dir, env, &out, "down", "-v", NULL));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "volume", "ls", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "network", "ls", "--format", "{{.Name}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "bridge\nhost\nnone\n");
}

/* The Python Docker SDK (Debian's python3-docker) through the socket. */
static void
test_api_python_sdk (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *script = NULL, *out = NULL, *err = NULL;
  int status = -1;

  if (!require ())
    return;
  if (!g_spawn_command_line_sync ("python3 -c 'import docker'", NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      if (g_getenv ("CI") != NULL)
        g_error ("python3-docker is missing: build-aux/install-deps.sh test installs it");
      g_test_skip ("no python3-docker");
      return;
    }
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  script = g_strdup_printf (
    "import docker, time\n"
    "c = docker.DockerClient(base_url='unix://%s', version='auto')\n"
    "assert c.ping()\n"
    "c.images.pull('%s')\n"
    "print(c.containers.run('%s', ['echo', 'from-sdk'], remove=True).decode(), end='')\n"
    "box = c.containers.run('%s', ['sh', '-c', 'echo logged; sleep 300'], detach=True, name='sdkbox',\n"
    "                       labels={'via': 'sdk'})\n"
    "for _ in range(50):\n"
    "    if box.logs() == b'logged\\n': break\n"
    "    time.sleep(0.1)\n"
    "box.reload()\n"
    "print(box.status, box.logs().decode().strip(), box.labels['via'])\n"
    "r = box.exec_run(['sh', '-c', 'echo exec-out; exit 3'])\n"
    "print(r.exit_code, r.output.decode().strip())\n"
    "box.stop(timeout=0)\n"
    "print(box.wait()['StatusCode'])\n"
    "box.remove()\n"
    "print(len(c.containers.list(all=True)))\n",
    f->socket, image, image, image);
  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "python3", (char *) "-c", script, NULL }, NULL,
                               G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL));
  g_test_message ("python: %s\n%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "from-sdk\nrunning logged sdk\n3 exec-out\n137\n0\n");
}

/* Many clients at once: `docker rm -f` of 40 containers opens a connection for each. */
static void
test_api_many_clients (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *host = NULL;
  g_auto(GStrv) env = g_get_environ ();
  int status = -1;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_ptr_array_add (argv, g_strdup ("docker"));
  g_ptr_array_add (argv, g_strdup ("rm"));
  g_ptr_array_add (argv, g_strdup ("-f"));
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *id = NULL;

      g_assert_cmpint (docker (f, &id, NULL, "create", image, "true", NULL), ==, 0);
      g_ptr_array_add (argv, g_strdup (g_strstrip (id)));
    }
  g_ptr_array_add (argv, NULL);
  host = g_strconcat ("unix://", f->socket, NULL);
  env = g_environ_setenv (env, "DOCKER_HOST", host, TRUE);
  env = g_environ_setenv (env, "DOCKER_CONFIG", f->docker_config, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                               NULL));
  g_test_message ("%s", err);
  /* no connection refused (the listen backlog); under a slow build (AddressSanitizer) Go's
   * client may still see a kept-alive connection close under it for one of them ("server
   * closed idle connection": a known gap, in the note), so what is left is removed again */
  g_assert_null (strstr (err, "Cannot connect"));
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (g_strstrip (err), "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        g_assert_nonnull (strstr (lines[i], "server closed idle connection"));
      g_clear_pointer (&out, g_free);
      /* each failed removal left its container, and only those */
      g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "-q", NULL), ==, 0);
      {
        g_auto(GStrv) left = g_strsplit (g_strstrip (out), "\n", -1);

        g_assert_cmpuint (g_strv_length (left), ==, g_strv_length (lines));
      }
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (docker (f, NULL, NULL, "container", "prune", "-f", NULL), ==, 0);
    }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
}

/* Bad requests get docker's errors and change nothing. */
static void
test_api_bad_requests (Fixture *f, gconstpointer data)
{
  g_autofree char *body = NULL;
  g_autofree char *image = NULL, *create = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create", "{not json", NULL, &body), ==, 400);
  g_assert_nonnull (strstr (body, "invalid JSON"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create", "{}", NULL, &body), ==, 400);
  g_clear_pointer (&body, g_free);
  create = g_strdup_printf ("{\"Image\": \"%s\"}", image);
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create", create, NULL, &body), ==, 404);
  g_assert_nonnull (strstr (body, "No such image"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create",
                          "{\"Image\": \"x\", \"HostConfig\": {\"PortBindings\": {\"99999/tcp\": [{\"HostPort\": \"1\"}]}}}",
                          NULL, &body), ==, 400);
  g_assert_nonnull (strstr (body, "Invalid port"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/nosuch/wait?condition=bogus", NULL, NULL, &body), ==, 400);
  g_assert_nonnull (strstr (body, "invalid condition"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/nosuch/wait", NULL, NULL, &body), ==, 404);
  g_assert_nonnull (strstr (body, "No such container"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/nosuch/start", NULL, NULL, &body), ==, 404);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/containers/json?filters=%7Bbad", NULL, NULL, &body), ==, 400);
  g_clear_pointer (&body, g_free);
  /* what the client got wrong is a 400, as docker's validation errors, not a 500 */
  g_assert_cmpuint (http (f, "POST", "/v1.44/volumes/create", "{\"Name\": \"a/b\"}", NULL, &body), ==, 400);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create",
                          "{\"Image\": \"x\", \"HostConfig\": {\"RestartPolicy\": {\"Name\": \"sometimes\"}}}",
                          NULL, &body), ==, 400);
  g_clear_pointer (&body, g_free);
  /* lists of strings that hold something else: docker's 400, never a critical in the server */
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create", "{\"Image\": \"x\", \"Cmd\": [[\"sh\"]]}",
                          NULL, &body), ==, 400);
  g_assert_nonnull (strstr (body, "Cmd: not a list of strings"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/v1.44/networks/nosuch/connect",
                          "{\"Container\": \"c\", \"EndpointConfig\": {\"Aliases\": [1, \"a\"]}}",
                          NULL, &body), ==, 400);
  g_assert_nonnull (strstr (body, "Aliases"));
  g_clear_pointer (&body, g_free);
  /* values that are neither strings nor true are refused, not read as no filter at all */
  g_assert_cmpuint (http (f, "GET", "/v1.44/containers/json?filters=%7B%22label%22%3A%5B%5B%22x%22%5D%5D%7D",
                          NULL, NULL, &body), ==, 400);
  g_assert_nonnull (strstr (body, "invalid filter 'label'"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/containers/json?filters=%7B%22status%22%3A%22exited%22%7D",
                          NULL, NULL, &body), ==, 400);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/containers/json?all=1", NULL, NULL, &body), ==, 200);
  g_assert_cmpstr (g_strstrip (body), ==, "[]");
}

/* A follower that reads nothing is cut off once far behind, and the engine carries on: what it
 * missed is not kept for it without bound. */
static void
test_api_slow_follower (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) create = g_string_new (NULL);
  g_autofree char *image = NULL, *body = NULL;
  const char *request = "GET /v1.44/events HTTP/1.1\r\nHost: hatake\r\n\r\n";
  GInputStream *in;
  gsize total = 0, sent = 0;
  char buffer[65536];
  gssize got;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  /* every event of this container carries its 200 KB label */
  g_string_append_printf (create, "{\"Image\": \"%s\", \"Labels\": {\"big\": \"", image);
  for (guint i = 0; i < 200 * 1024; i++)
    g_string_append_c (create, 'a' + i % 26);
  g_string_append (create, "\"}, \"HostConfig\": {\"NetworkMode\": \"none\"}}");
  g_assert_cmpuint (http (f, "POST", "/v1.44/containers/create?name=slow-a", create->str, NULL, &body), ==, 201);

  address = g_unix_socket_address_new (f->socket);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                            strlen (request), NULL, NULL, &error));
  g_usleep (200 * 1000);
  /* 60 renames: some 12 MB of events that nobody reads */
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *path = g_strdup_printf ("/v1.44/containers/slow-%c/rename?name=slow-%c", i % 2 ? 'b' : 'a',
                                               i % 2 ? 'a' : 'b');

      g_clear_pointer (&body, g_free);
      g_assert_cmpuint (http (f, "POST", path, NULL, NULL, &body), ==, 204);
      sent += 200 * 1024;
    }
  /* the engine answers as ever */
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "GET", "/_ping", NULL, NULL, &body), ==, 200);

  /* the follower's stream ends, well short of everything */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 10);
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while ((got = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
    total += got;
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_test_message ("%zu bytes of events sent, %zu read by the follower that was cut off", sent, total);
  g_assert_cmpuint (total, <, sent / 2);
}

/* An exec's client that reads nothing holds the exec back (its pipe or terminal fills) instead
 * of the server keeping all it writes; once the client reads, everything arrives. */
static void
test_api_slow_exec_client (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  const gsize size = 20 * 1000 * 1000;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--network", "none", "--name", "pump", image, "sleep", "300", NULL), ==, 0);
  /* pipes, then a terminal */
  for (guint tty = 0; tty < 2; tty++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketAddress) address = NULL;
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *body = NULL, *request = NULL, *start = NULL;
      GInputStream *in;
      gsize total = 0;
      char buffer[65536];
      gssize got;

      body = g_strdup_printf ("{\"Cmd\": [\"sh\", \"-c\", \"rm -f /tmp/done; head -c %zu /dev/zero; touch /tmp/done\"], "
                              "\"AttachStdout\": true, \"AttachStderr\": true, \"Tty\": %s}", size, tty ? "true" : "false");
      g_assert_cmpuint (http (f, "POST", "/v1.44/containers/pump/exec", body, NULL, &request), ==, 201);
      g_assert_true (json_parser_load_from_data (parser, request, -1, NULL));
      start = g_strdup_printf ("{\"Detach\": false, \"Tty\": %s}", tty ? "true" : "false");
      g_clear_pointer (&body, g_free);
      body = g_strdup_printf ("POST /v1.44/exec/%s/start HTTP/1.1\r\nHost: hatake\r\nContent-Type: application/json\r\n"
                              "Content-Length: %zu\r\n\r\n%s",
                              json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "Id"),
                              strlen (start), start);
      address = g_unix_socket_address_new (f->socket);
      connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), body,
                                                strlen (body), NULL, NULL, &error));
      /* nothing read for 2 s: the exec is still writing, held back */
      g_usleep (2 * G_USEC_PER_SEC);
      g_assert_cmpint (docker (f, NULL, NULL, "exec", "pump", "test", "-e", "/tmp/done", NULL), ==, 1);

      g_socket_set_timeout (g_socket_connection_get_socket (connection), 60);
      in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
      while ((got = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
        total += got;
      g_assert_no_error (error);
      g_test_message ("tty %u: %zu bytes read", tty, total);
      /* (with the reply's head, and the frames' headers without a terminal) */
      g_assert_cmpuint (total, >, size);
      g_assert_cmpint (docker (f, NULL, NULL, "exec", "pump", "test", "-e", "/tmp/done", NULL), ==, 0);
    }
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "pump", NULL), ==, 0);
}

/* Reads one reply with no body (up to its blank line) from STREAM. */
static char *
read_head (GInputStream *stream)
{
  GString *head = g_string_new (NULL);

  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      char c;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_input_stream_read (stream, &c, 1, NULL, &error), ==, 1);
      g_string_append_c (head, c);
    }
  return g_string_free (head, FALSE);
}

/* A 204 keeps its connection open, as every reply does (libsoup 3.2 closed it: the docker CLI's
 * second DELETE on a reused connection then failed). */
static void
test_api_keep_alive (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  const char *requests[] = { "DELETE /v1.44/volumes/keep-one HTTP/1.1\r\nHost: hatake\r\n\r\n",
                             "DELETE /v1.44/volumes/keep-two HTTP/1.1\r\nHost: hatake\r\n\r\n",
                             "HEAD /_ping HTTP/1.1\r\nHost: hatake\r\n\r\n" };
  const char *statuses[] = { "HTTP/1.1 204 ", "HTTP/1.1 204 ", "HTTP/1.1 200 " };

  if (!require ())
    return;
  g_assert_cmpuint (http (f, "POST", "/v1.44/volumes/create", "{\"Name\": \"keep-one\"}", NULL, &body), ==, 201);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/v1.44/volumes/create", "{\"Name\": \"keep-two\"}", NULL, &body), ==, 201);
  address = g_unix_socket_address_new (f->socket);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
      g_autofree char *head = NULL;

      g_assert_true (g_output_stream_write_all (out, requests[i], strlen (requests[i]), NULL, NULL, &error));
      g_assert_no_error (error);
      head = read_head (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
      g_assert_true (g_str_has_prefix (head, statuses[i]));
      g_assert_null (strstr (head, "Connection: close"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api/system", Fixture, NULL, fixture_set_up, test_api_system, fixture_tear_down);
  g_test_add ("/api/default-network", Fixture, NULL, fixture_set_up, test_api_default_network, fixture_tear_down);
  g_test_add ("/api/network-spares", Fixture, NULL, fixture_set_up, test_api_network_spares, fixture_tear_down);
  g_test_add ("/api/containers", Fixture, NULL, fixture_set_up, test_api_containers, fixture_tear_down);
  g_test_add ("/api/exit-command", Fixture, NULL, fixture_set_up, test_api_exit_command, fixture_tear_down);
  g_test_add ("/api/networks-volumes", Fixture, NULL, fixture_set_up, test_api_networks_volumes, fixture_tear_down);
  g_test_add ("/api/image-filters", Fixture, NULL, fixture_set_up, test_api_image_filters, fixture_tear_down);
  g_test_add ("/api/volume-filters", Fixture, NULL, fixture_set_up, test_api_volume_filters, fixture_tear_down);
  g_test_add ("/api/exec", Fixture, NULL, fixture_set_up, test_api_exec, fixture_tear_down);
  g_test_add ("/api/slow-exec-client", Fixture, NULL, fixture_set_up, test_api_slow_exec_client, fixture_tear_down);
  g_test_add ("/api/events", Fixture, NULL, fixture_set_up, test_api_events, fixture_tear_down);
  g_test_add ("/api/object-events", Fixture, NULL, fixture_set_up, test_api_object_events, fixture_tear_down);
  g_test_add ("/api/keep-alive", Fixture, NULL, fixture_set_up, test_api_keep_alive, fixture_tear_down);
  g_test_add ("/api/slow-follower", Fixture, NULL, fixture_set_up, test_api_slow_follower, fixture_tear_down);
  g_test_add ("/api/compose", Fixture, NULL, fixture_set_up, test_api_compose, fixture_tear_down);
  g_test_add ("/api/python-sdk", Fixture, NULL, fixture_set_up, test_api_python_sdk, fixture_tear_down);
  g_test_add ("/api/many-clients", Fixture, NULL, fixture_set_up, test_api_many_clients, fixture_tear_down);
  g_test_add ("/api/bad-requests", Fixture, NULL, fixture_set_up, test_api_bad_requests, fixture_tear_down);
  return g_test_run ();
}
