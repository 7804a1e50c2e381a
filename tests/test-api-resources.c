/* test-api-resources.c: docker's --oom-score-adj, --cpuset-cpus and --cpuset-mems through the
 * Docker Engine API, driven by the real docker CLI (and hatake's own CLI): what the container's
 * processes get, inspect, and docker's refusals (a score out of range, a CPU this machine does not
 * have), and a score the engine may not lower refused saying why
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include <string.h>
#include <sys/prctl.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

static gint64
own_oom_score_adj (void)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/oom_score_adj", &text, NULL, NULL));
  return g_ascii_strtoll (text, NULL, 10);
}

static void
test_api_resources (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *online = NULL, *expected = NULL;
  /* (the server is this process's child: the same bounding set) */
  gboolean may_lower = prctl (PR_CAPBSET_READ, 24 /* CAP_SYS_RESOURCE */, 0, 0, 0) == 1;
  int status;

  if (!require ())
    return;
  image = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);

  /* what the container's processes have: the score, the one CPU and memory node */
  out = docker_run_sh_ok (f, image, (const char *[]) { "--oom-score-adj", "500", "--cpuset-cpus", "0", "--cpuset-mems", "0", NULL },
                "cat /proc/self/oom_score_adj; grep -E '^(Cpus|Mems)_allowed_list' /proc/self/status");
  g_assert_cmpstr (out, ==, "500\nCpus_allowed_list:\t0\nMems_allowed_list:\t0\n");
  g_clear_pointer (&out, g_free);
  /* a default container: docker's 0, every CPU online */
  g_assert_true (g_file_get_contents ("/sys/devices/system/cpu/online", &online, NULL, NULL));
  g_strstrip (online);
  out = docker_run_sh_ok (f, image, (const char *[]) { NULL },
                "cat /proc/self/oom_score_adj; grep '^Cpus_allowed_list' /proc/self/status");
  expected = g_strdup_printf ("0\nCpus_allowed_list:\t%s\n", online);
  g_assert_cmpstr (out, ==, expected);
  g_clear_pointer (&out, g_free);

  /* a score below the engine's own: refused, naming the cause, unless the engine may lower it */
  out = docker_run_sh (f, image, (const char *[]) { "--oom-score-adj", "-500", NULL }, "cat /proc/self/oom_score_adj",
                       &status);
  if (may_lower || own_oom_score_adj () <= -500)
    {
      g_assert_cmpint (status, ==, 0);
      g_assert_cmpstr (out, ==, "-500\n");
    }
  else
    {
      g_assert_cmpint (status, !=, 0);
      g_assert_nonnull (strstr (out, "--oom-score-adj -500: below the engine's own OOM score adjustment"));
      g_assert_nonnull (strstr (out, "(no CAP_SYS_RESOURCE)"));
    }
  g_clear_pointer (&out, g_free);

  /* docker's refusals, with its messages */
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--oom-score-adj", "1001", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "Invalid value 1001, range for oom score adj is [-1000, 1000]"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--cpuset-cpus", "64", image, "true", NULL), !=, 0);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Requested CPUs are not available - requested 64, available: %s", online);
  g_assert_nonnull (strstr (err, expected));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "create", "--cpuset-cpus", "0-", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "Invalid value 0- for cpuset cpus"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "create", "--cpuset-mems", "63", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "Requested memory nodes are not available - requested 63"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "-q", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "");
  g_clear_pointer (&out, g_free);

  /* inspect, as docker's: the values given, or 0 and "" (and no warning that they are ignored) */
  g_assert_cmpint (docker (f, &out, &err, "create", "--name", "res", "--oom-score-adj", "300", "--cpuset-cpus", "0",
                           "--cpuset-mems", "0", image, "true", NULL), ==, 0);
  g_assert_null (strstr (out, "Hatake does not support"));
  g_assert_null (strstr (err, "Hatake does not support"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "plain", image, "true", NULL), ==, 0);
  /* hatake's own flags, through the server's socket */
  hatake_cli (f, "create", "--name", "hres", "--oom-score-adj", "200", "--cpuset-cpus", "0-0", image, "true", NULL);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f",
                           "{{.HostConfig.OomScoreAdj}}|{{.HostConfig.CpusetCpus}}|{{.HostConfig.CpusetMems}}",
                           "res", "plain", "hres", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "300|0|0\n0||\n200|0-0|");
  g_clear_pointer (&out, g_free);
  /* and they hold at a start, as at the first */
  g_assert_cmpint (docker (f, &out, NULL, "start", "-a", "res", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "res", "plain", "hres", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api/resources", Fixture, NULL, fixture_set_up, test_api_resources, fixture_tear_down);
  return g_test_run ();
}
