/* test-api-update.c: docker update through the Docker Engine API, driven by the real docker CLI and
 * by `hatake update`: a running container's cgroup and its config change together, a stopped one
 * takes its new limits at its next start, and a refused update changes neither
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include <stdlib.h>
#include <string.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

/* A cgroup file of the container's own, as it sees it: the v2 name, else the v1 controller's. */
static char *
cgroup_value (Fixture *f, const char *v2, const char *v1_controller, const char *v1)
{
  g_autofree char *script = g_strdup_printf ("cat /sys/fs/cgroup/%s 2>/dev/null || cat /sys/fs/cgroup/%s/%s",
                                             v2, v1_controller, v1);
  char *out = NULL;

  g_assert_cmpint (docker (f, &out, NULL, "exec", "upd", "sh", "-c", script, NULL), ==, 0);
  return trimmed (out);
}

static char *
inspect (Fixture *f, const char *format)
{
  char *out = NULL;

  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f", format, "upd", NULL), ==, 0);
  return trimmed (out);
}

#define LIMITS "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} " \
               "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}"

static void
test_api_update (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *value = NULL, *body = NULL, *reply = NULL;
  gboolean v1;

  if (!require ())
    return;
  image = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "upd", "-m", "64m", "--memory-swap", "96m",
                           "--cpu-shares", "512", "--pids-limit", "50", image, "sleep", "300", NULL), ==, 0);
  value = cgroup_value (f, "pids.max", "pids", "pids.max");
  g_assert_cmpstr (value, ==, "50");
  g_clear_pointer (&value, g_free);
  /* --memory-swap is memory + swap (cgroup v2 has the swap alone); shares become v2's weight */
  value = cgroup_value (f, "memory.swap.max", "memory", "memory.memsw.limit_in_bytes");
  g_assert_true (g_str_equal (value, "100663296") || g_str_equal (value, "33554432"));
  g_clear_pointer (&value, g_free);
  value = cgroup_value (f, "cpu.weight", "cpu", "cpu.shares");
  /* (v2: crun 1.8's weight of 512 shares, or newer runtimes') */
  g_assert_true (g_str_equal (value, "512") || g_str_equal (value, "20") || g_str_equal (value, "59"));
  g_clear_pointer (&value, g_free);
  out = inspect (f, "{{.HostConfig.MemorySwap}} {{.HostConfig.CpuShares}}");
  g_assert_cmpstr (out, ==, "100663296 512");
  g_clear_pointer (&out, g_free);
  /* a swap limit without a memory limit: refused at create, as docker refuses it */
  g_assert_cmpint (docker (f, NULL, &err, "create", "--memory-swap", "1g", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "You should always set the Memory limit when using Memoryswap limit"));
  g_clear_pointer (&err, g_free);
  /* more memory than the swap limit set: refused, as docker refuses it */
  g_assert_cmpint (docker (f, NULL, &err, "update", "-m", "128m", "upd", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "memoryswap"));
  g_clear_pointer (&err, g_free);

  /* running: the cgroup and the config both */
  g_assert_cmpint (docker (f, &out, NULL, "update", "-m", "128m", "--memory-swap", "256m", "--cpu-shares", "1024",
                           "--cpus", "0.5", "--pids-limit", "77", "--restart", "on-failure:3", "upd", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "upd");
  g_clear_pointer (&out, g_free);
  out = inspect (f, LIMITS);
  g_assert_cmpstr (out, ==, "134217728 500000000 77 on-failure:3");
  g_clear_pointer (&out, g_free);
  value = cgroup_value (f, "memory.max", "memory", "memory.limit_in_bytes");
  g_assert_cmpstr (value, ==, "134217728");
  g_clear_pointer (&value, g_free);
  value = cgroup_value (f, "pids.max", "pids", "pids.max");
  g_assert_cmpstr (value, ==, "77");
  g_clear_pointer (&value, g_free);
  value = cgroup_value (f, "cpu.max", "cpu", "cpu.cfs_quota_us");
  v1 = strchr (value, ' ') == NULL;
  g_assert_cmpstr (value, ==, v1 ? "50000" : "50000 100000");
  g_clear_pointer (&value, g_free);
  value = cgroup_value (f, "memory.swap.max", "memory", "memory.memsw.limit_in_bytes");
  g_assert_cmpstr (value, ==, v1 ? "268435456" : "134217728");
  g_clear_pointer (&value, g_free);
  value = cgroup_value (f, "cpu.weight", "cpu", "cpu.shares");
  g_assert_true (v1 ? g_str_equal (value, "1024") : g_str_equal (value, "39") || g_str_equal (value, "100"));
  g_clear_pointer (&value, g_free);

  /* -1 lifts the PIDs limit (to as many as there can be pids) */
  g_assert_cmpint (docker (f, NULL, NULL, "update", "--pids-limit", "-1", "upd", NULL), ==, 0);
  value = cgroup_value (f, "pids.max", "pids", "pids.max");
  g_assert_true (g_str_equal (value, "max") || g_str_equal (value, "4194304"));
  g_clear_pointer (&value, g_free);
  out = inspect (f, "{{.HostConfig.PidsLimit}}");
  g_assert_cmpstr (out, ==, "0");
  g_clear_pointer (&out, g_free);

  /* the CPU sets: CPU 0 alone, then every CPU online again; beyond those refused, as docker's
   * daemon refuses them, nothing changed */
  {
    g_autofree char *online = NULL;

    g_assert_true (g_file_get_contents ("/sys/devices/system/cpu/online", &online, NULL, NULL));
    g_strstrip (online);
    g_assert_cmpint (docker (f, NULL, NULL, "update", "--cpuset-cpus", "0", "--cpuset-mems", "0", "upd", NULL), ==, 0);
    value = cgroup_value (f, "cpuset.cpus", "cpuset", "cpuset.cpus");
    g_assert_cmpstr (value, ==, "0");
    g_clear_pointer (&value, g_free);
    out = inspect (f, "{{.HostConfig.CpusetCpus}} {{.HostConfig.CpusetMems}}");
    g_assert_cmpstr (out, ==, "0 0");
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker (f, NULL, &err, "update", "--cpuset-cpus", "64", "upd", NULL), !=, 0);
    g_assert_nonnull (strstr (err, "Requested CPUs are not available - requested 64"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (docker (f, NULL, &err, "update", "--cpuset-cpus", "1-0", "upd", NULL), !=, 0);
    g_assert_nonnull (strstr (err, "Invalid value 1-0 for cpuset cpus"));
    g_clear_pointer (&err, g_free);
    value = cgroup_value (f, "cpuset.cpus", "cpuset", "cpuset.cpus");
    g_assert_cmpstr (value, ==, "0");
    g_clear_pointer (&value, g_free);
    g_assert_cmpint (docker (f, NULL, NULL, "update", "--cpuset-cpus", online, "upd", NULL), ==, 0);
    value = cgroup_value (f, "cpuset.cpus", "cpuset", "cpuset.cpus");
    g_assert_cmpstr (value, ==, online);
    g_clear_pointer (&value, g_free);
    out = inspect (f, "{{.HostConfig.CpusetCpus}}");
    g_assert_cmpstr (out, ==, online);
    g_clear_pointer (&out, g_free);
    hatake_cli (f, "update", "--cpuset-cpus", "0", "upd", NULL);
    value = cgroup_value (f, "cpuset.cpus", "cpuset", "cpuset.cpus");
    g_assert_cmpstr (value, ==, "0");
    g_clear_pointer (&value, g_free);
  }

  /* refused: docker's message, nothing changed */
  g_assert_cmpint (docker (f, NULL, &err, "update", "-m", "1m", "upd", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "Minimum memory limit allowed is 6MB"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "update", "--cpus", "64", "upd", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "Range of CPUs"));
  g_clear_pointer (&err, g_free);
  out = inspect (f, LIMITS);
  g_assert_cmpstr (out, ==, "134217728 500000000 0 on-failure:3");
  g_clear_pointer (&out, g_free);
  if (v1)
    {
      /* the kernel refuses a v1 memory limit below what tmpfs pages hold (no swap to put them
       * in): the runtime fails, the config keeps its limit and the cgroup gets it back */
      g_assert_cmpint (docker (f, NULL, NULL, "exec", "upd", "dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1M",
                               "count=24", NULL), ==, 0);
      g_assert_cmpint (docker (f, NULL, &err, "update", "-m", "8m", "upd", NULL), !=, 0);
      g_assert_nonnull (strstr (err, "Cannot update container upd"));
      g_clear_pointer (&err, g_free);
      out = inspect (f, "{{.HostConfig.Memory}}");
      g_assert_cmpstr (out, ==, "134217728");
      g_clear_pointer (&out, g_free);
      value = cgroup_value (f, "memory.max", "memory", "memory.limit_in_bytes");
      g_assert_cmpstr (value, ==, "134217728");
      g_clear_pointer (&value, g_free);
    }
  g_assert_cmpint (docker (f, NULL, &err, "update", "-m", "64m", "nosuch", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "No such container: nosuch"));
  g_clear_pointer (&err, g_free);
  /* a setting Hatake does not have is said (the docker CLI prints the warnings with the names),
   * not dropped without a word */
  g_assert_cmpint (docker (f, &out, NULL, "update", "--blkio-weight", "300", "upd", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--blkio-weight"));
  g_clear_pointer (&out, g_free);

  /* hatake's own command, through the server's socket (--pids-limit 0 lifts the limit) */
  g_assert_cmpint (docker (f, NULL, NULL, "update", "--pids-limit", "40", "upd", NULL), ==, 0);
  hatake_cli (f, "update", "--memory", "80m", "--pids-limit", "0", "upd", NULL);
  out = inspect (f, "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}");
  g_assert_cmpstr (out, ==, "83886080 0");
  g_clear_pointer (&out, g_free);

  /* two updates at once: neither undoes the other's change in the config */
  {
    g_autofree char *docker_host = g_strdup_printf ("unix://%s", f->socket);
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_autoptr(GSubprocess) a = NULL;
    g_autoptr(GSubprocess) b = NULL;
    g_autoptr(GError) error = NULL;

    g_subprocess_launcher_setenv (launcher, "DOCKER_HOST", docker_host, TRUE);
    g_subprocess_launcher_setenv (launcher, "DOCKER_CONFIG", f->docker_config, TRUE);
    a = g_subprocess_launcher_spawn (launcher, &error, "docker", "update", "-m", "72m", "upd", NULL);
    g_assert_no_error (error);
    b = g_subprocess_launcher_spawn (launcher, &error, "docker", "update", "--restart", "unless-stopped", "upd", NULL);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (a, NULL, &error));
    g_assert_true (g_subprocess_wait_check (b, NULL, &error));
    out = inspect (f, "{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}");
    g_assert_cmpstr (out, ==, "75497472 unless-stopped");
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker (f, NULL, NULL, "update", "-m", "80m", "--restart", "on-failure:3", "upd", NULL), ==, 0);
  }
  value = cgroup_value (f, "memory.max", "memory", "memory.limit_in_bytes");
  g_assert_cmpstr (value, ==, "83886080");
  g_clear_pointer (&value, g_free);

  /* stopped: saved, kept across a restart of the server, taken at the next start */
  g_assert_cmpint (docker (f, NULL, NULL, "stop", "-t", "0", "upd", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "update", "-m", "96m", "--pids-limit", "33", "upd", NULL), ==, 0);
  fixture_stop_server (f);
  fixture_start_server (f);
  out = inspect (f, LIMITS);
  g_assert_cmpstr (out, ==, "100663296 500000000 33 on-failure:3");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "start", "upd", NULL), ==, 0);
  value = cgroup_value (f, "memory.max", "memory", "memory.limit_in_bytes");
  g_assert_cmpstr (value, ==, "100663296");
  g_clear_pointer (&value, g_free);
  value = cgroup_value (f, "pids.max", "pids", "pids.max");
  g_assert_cmpstr (value, ==, "33");
  g_clear_pointer (&value, g_free);

  /* a restart policy for a container removed at its exit: refused, as docker refuses it */
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--rm", "--name", "upd-rm", image, "sleep", "300", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, &err, "update", "--restart", "always", "upd-rm", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "AutoRemove is enabled"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}", "upd-rm", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "no");
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "upd", "upd-rm", NULL), ==, 0);

  /* nor is a container created with both (docker's CLI refuses the flags itself: the API) */
  body = g_strdup_printf ("{\"Image\": \"%s\", \"Cmd\": [\"true\"], \"HostConfig\": {\"AutoRemove\": true, "
                          "\"RestartPolicy\": {\"Name\": \"always\"}}}", image);
  g_assert_cmpuint (http (f, "POST", "/containers/create?name=upd-both", body, NULL, &reply), ==, 400);
  g_assert_nonnull (strstr (reply, "can't create 'AutoRemove' container with restart policy"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-aq", "--filter", "name=upd-both", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api/update", Fixture, NULL, fixture_set_up, test_api_update, fixture_tear_down);
  return g_test_run ();
}
