/* test-api-namespaces.c: docker's --pid host, --ipc host and --uts host through the Docker Engine
 * API, driven by the real docker CLI: the host's namespaces seen from inside (and a default
 * container's own), /dev/shm, the hostname, inspect, docker's refusals, and a stop or a forced
 * removal of a container in the host's PID namespace that leaves none of its processes running
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <string.h>
#include <unistd.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

/* This process's namespace of KIND ("pid:[4026531836]"), as readlink shows it inside */
static char *
host_ns (const char *kind)
{
  g_autofree char *path = g_strconcat ("/proc/self/ns/", kind, NULL);
  g_autoptr(GError) error = NULL;
  char *link = g_file_read_link (path, &error);

  g_assert_no_error (error);
  return link;
}

/* The host's processes whose command line is exactly `sleep SECONDS` */
static guint
count_sleeps (const char *seconds)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autofree char *wanted = g_strdup_printf ("sleep%c%s", '\0', seconds);
  gsize wanted_len = strlen ("sleep") + 1 + strlen (seconds) + 1;
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      gsize len = 0;

      if (g_ascii_isdigit (*name) && g_file_get_contents (path, &cmdline, &len, NULL) && len == wanted_len &&
          memcmp (cmdline, wanted, len) == 0)
        n++;
    }
  return n;
}

/* Waits (5 s at most) until COUNT processes run `sleep SECONDS` */
static gboolean
wait_sleeps (const char *seconds, guint count)
{
  for (guint i = 0; i < 100; i++)
    {
      if (count_sleeps (seconds) == count)
        return TRUE;
      g_usleep (50 * 1000);
    }
  return FALSE;
}

static void
test_api_namespaces (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *expected = NULL, *script = NULL;
  g_autofree char *pid_ns = host_ns ("pid"), *ipc_ns = host_ns ("ipc"), *uts_ns = host_ns ("uts");
  g_autofree char *shm_file = g_strdup_printf ("/dev/shm/hatake-test-ns-%d", (int) getpid ());
  char hostname[256] = { 0 };

  if (!require ())
    return;
  g_assert_cmpint (gethostname (hostname, sizeof hostname - 1), ==, 0);
  image = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_assert_true (g_file_set_contents (shm_file, "from the host", -1, NULL));

  /* the host's three: this test's own process among the PIDs, the host's name, the host's /dev/shm */
  script = g_strdup_printf ("for n in pid ipc uts; do readlink /proc/self/ns/$n; done; "
                            "test -e /proc/%d/cmdline && echo sees-test-process; hostname; cat /etc/hostname; "
                            "echo HOSTNAME=$HOSTNAME; cat %s", (int) getpid (), shm_file);
  out = docker_run_sh_ok (f, image, (const char *[]) { "--pid", "host", "--ipc", "host", "--uts", "host", NULL },
                          script);
  expected = g_strdup_printf ("%s\n%s\n%s\nsees-test-process\n%s\n%s\nHOSTNAME=%s\nfrom the host", pid_ns, ipc_ns,
                              uts_ns, hostname, hostname, hostname);
  g_assert_cmpstr (out, ==, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&expected, g_free);
  /* each alone (--privileged implies none of them) */
  out = docker_run_sh_ok (f, image, (const char *[]) { "--ipc", "host", "--privileged", NULL },
                "for n in pid ipc uts; do readlink /proc/self/ns/$n; done");
  g_assert_true (g_str_has_prefix (out, "pid:"));
  g_assert_null (strstr (out, pid_ns));
  g_assert_nonnull (strstr (out, ipc_ns));
  g_assert_null (strstr (out, uts_ns));
  g_clear_pointer (&out, g_free);
  /* a default container: its own, none of the host's processes, a /dev/shm of its own */
  g_clear_pointer (&script, g_free);
  script = g_strdup_printf ("for n in pid ipc uts; do readlink /proc/self/ns/$n; done; "
                            "test -e /proc/%d/cmdline || echo own-pids; hostname; test -e %s || echo own-shm",
                            (int) getpid (), shm_file);
  out = docker_run_sh_ok (f, image, (const char *[]) { NULL }, script);
  g_assert_null (strstr (out, pid_ns));
  g_assert_null (strstr (out, ipc_ns));
  g_assert_null (strstr (out, uts_ns));
  g_assert_nonnull (strstr (out, "own-pids\n"));
  g_assert_nonnull (strstr (out, "own-shm\n"));
  expected = g_strdup_printf ("\n%s\n", hostname);
  g_assert_null (strstr (out, expected));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&expected, g_free);
  g_unlink (shm_file);

  /* what inspect says, as docker's: IPC's default by name, "" for the others */
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "hostns", "--pid", "host", "--ipc", "host", "--uts",
                           "host", image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "ownns", image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f",
                           "{{.HostConfig.PidMode}}|{{.HostConfig.IpcMode}}|{{.HostConfig.UTSMode}}", "hostns", "ownns",
                           NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "host|host|host\n|private|");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "hostns", "ownns", NULL), ==, 0);

  /* docker's refusals: a hostname the host's UTS namespace cannot have; what Hatake lacks, said */
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--uts", "host", "-h", "x", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "conflicting options: hostname and the UTS mode"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--pid", "container:other", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "Hatake does not support --pid container:other yet"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "-q", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "");
  g_clear_pointer (&out, g_free);
}

/* No PID namespace ends a --pid host container's other processes with its init: a stop or a
 * forced removal still leaves none of them, a child of the init nor an exec's, running. top and
 * exec work there. */
static void
test_api_pid_host_stop (Fixture *f, gconstpointer data)
{
  /* (unique command lines, this test's pid in them, to find on the host) */
  g_autofree char *child = g_strdup_printf ("%d1", 100000 + (int) getpid ());
  g_autofree char *execd = g_strdup_printf ("%d2", 100000 + (int) getpid ());
  g_autofree char *script = g_strdup_printf ("sleep %s & sleep 300", child);
  g_autofree char *probe = g_strdup_printf ("test -e /proc/%d/cmdline && echo host-pids", (int) getpid ());
  g_autofree char *image = NULL, *out = NULL;
  const char *removal[] = { "stop", "rm" };

  if (!require ())
    return;
  image = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  for (guint round = 0; round < G_N_ELEMENTS (removal); round++)
    {
      g_test_message ("round %u: %s", round, removal[round]);
      g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "ph", "--network", "none", "--pid", "host",
                               image, "sh", "-c", script, NULL), ==, 0);
      g_assert_cmpint (docker (f, NULL, NULL, "exec", "-d", "ph", "sleep", execd, NULL), ==, 0);
      g_assert_true (wait_sleeps (child, 1));
      g_assert_true (wait_sleeps (execd, 1));
      g_assert_cmpint (docker (f, &out, NULL, "top", "ph", NULL), ==, 0);
      g_assert_nonnull (strstr (out, child));
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (docker (f, &out, NULL, "exec", "ph", "sh", "-c", probe, NULL), ==, 0);
      g_assert_cmpstr (trimmed (out), ==, "host-pids");
      g_clear_pointer (&out, g_free);

      /* (sleep is no PID 1 here: the stop's SIGTERM ends it) */
      if (round == 0)
        g_assert_cmpint (docker (f, NULL, NULL, "stop", "-t", "5", "ph", NULL), ==, 0);
      else
        g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "ph", NULL), ==, 0);
      /* (killed before the answer came, as docker's are: not by the runtime's delete, after it) */
      g_assert_cmpuint (count_sleeps (child), ==, 0);
      g_assert_cmpuint (count_sleeps (execd), ==, 0);
      if (round == 0)
        {
          /* and it starts again, the same way */
          g_assert_cmpint (docker (f, NULL, NULL, "start", "ph", NULL), ==, 0);
          g_assert_true (wait_sleeps (child, 1));
          g_assert_cmpint (docker (f, NULL, NULL, "kill", "ph", NULL), ==, 0);
          g_assert_true (wait_sleeps (child, 0));
          g_assert_cmpint (docker (f, NULL, NULL, "rm", "ph", NULL), ==, 0);
        }
    }
}

/* --network container:X: X's network namespace (its interfaces and address), its hostname and
 * /etc/hosts; X must exist and be running; no published ports. Through docker's CLI and hatake's
 * own (which spells the mode as a network). */
static void
test_api_network_container (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *base_ns = NULL, *base_hosts = NULL;
  const char *probe = "hostname; readlink /proc/self/ns/net; tail -n 1 /etc/hosts";

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "base", "-h", "basehost", image, "sleep", "300",
                           NULL), ==, 0);
  g_assert_cmpint (docker (f, &base_ns, NULL, "exec", "base", "readlink", "/proc/self/ns/net", NULL), ==, 0);
  g_assert_cmpint (docker (f, &base_hosts, NULL, "exec", "base", "tail", "-n", "1", "/etc/hosts", NULL), ==, 0);
  g_assert_nonnull (strstr (base_hosts, "basehost"));
  {
    g_autofree char *expected = g_strconcat ("basehost\n", base_ns, base_hosts, NULL);
    g_autofree char *via_hatake = NULL;

    g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "--network", "container:base", image, "sh", "-c", probe,
                             NULL), ==, 0);
    g_assert_cmpstr (out, ==, expected);
    g_clear_pointer (&out, g_free);
    /* (its own namespace would have no eth0) */
    g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "--network", "container:base", image, "cat",
                             "/sys/class/net/eth0/address", NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    {
      const char *argv[] = { HATAKE_CLI, "--data-root", f->root, "run", "--rm", "--network", "container:base", image,
                             "sh", "-c", probe, NULL };
      int status = -1;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &via_hatake, NULL, &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_cmpstr (via_hatake, ==, expected);
    }
  }
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--network", "container:nosuch", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "nosuch"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "stopped", image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--network", "container:stopped", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "non running container"));
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "base", "stopped", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api/namespaces", Fixture, NULL, fixture_set_up, test_api_namespaces, fixture_tear_down);
  g_test_add ("/api/namespaces/pid-host-stop", Fixture, NULL, fixture_set_up, test_api_pid_host_stop,
              fixture_tear_down);
  g_test_add ("/api/namespaces/network-container", Fixture, NULL, fixture_set_up, test_api_network_container,
              fixture_tear_down);
  return g_test_run ();
}
