/* test-api-devices.c: a container's devices and groups through the Docker Engine API, driven by the
 * real docker CLI: docker's device cgroup for every container (CAP_MKNOD opens no host device),
 * --device (a node, a folder of them, its permissions) and --group-add
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

static void
test_api_devices (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *expected = NULL;
  struct stat lc;
  int status;

  if (!require ())
    return;
  image = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_assert_cmpint (stat ("/dev/loop-control", &lc), ==, 0);

  /* every container: a node of the host's kernel log or of a loop disk can be made (CAP_MKNOD,
   * as docker allows) but not opened; the usual devices can, /dev/fuse cannot */
  out = docker_run_sh (f, image, (const char *[]) { NULL },
                "mknod /tmp/kmsg c 1 11 && echo from-a-container > /tmp/kmsg; echo kmsg=$?;"
                "mknod /tmp/loop0 b 7 0 && head -c 1 /tmp/loop0 >/dev/null; echo loop0=$?;"
                "mknod /tmp/fuse c 10 229 && true </tmp/fuse; echo fuse=$?;"
                "mknod /tmp/tun c 10 200 && true <>/tmp/tun; echo tun=$?;"
                "echo x > /dev/null; echo null=$?; head -c 8 /dev/urandom | wc -c", &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "kmsg=1"));
  g_assert_nonnull (strstr (out, "loop0=1"));
  g_assert_nonnull (strstr (out, "fuse=1"));
  g_assert_nonnull (strstr (out, "Operation not permitted"));
  g_assert_nonnull (strstr (out, "tun=0"));
  g_assert_nonnull (strstr (out, "null=0"));
  g_assert_nonnull (strstr (out, "\n8\n"));
  g_clear_pointer (&out, g_free);

  /* --device HOST:CONTAINER:r: the node, at the host's numbers, read but not written */
  out = docker_run_sh (f, image, (const char *[]) { "--device", "/dev/loop-control:/dev/lc:r", NULL },
                "stat -c '%t:%T %a' /dev/lc; true </dev/lc; echo read=$?; true >/dev/lc; echo write=$?", &status);
  expected = g_strdup_printf ("%x:%x %o\n", major (lc.st_rdev), minor (lc.st_rdev), lc.st_mode & 07777);
  g_assert_true (g_str_has_prefix (out, expected));
  g_assert_nonnull (strstr (out, "read=0"));
  g_assert_nonnull (strstr (out, "write=1"));
  g_clear_pointer (&out, g_free);
  /* a folder: every node under it, at the same place under the container's path; rwm */
  out = docker_run_sh (f, image, (const char *[]) { "--device", "/dev/net:/dev/mynet", "--device", "/dev/fuse", NULL },
                "true <>/dev/mynet/tun; echo tun=$?; true <>/dev/fuse; echo fuse=$?", &status);
  g_assert_nonnull (strstr (out, "tun=0"));
  g_assert_nonnull (strstr (out, "fuse=0"));
  g_clear_pointer (&out, g_free);
  /* what docker inspect says */
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "dev", "--device", "/dev/loop-control:/dev/lc:r",
                           "--group-add", "1234", image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f",
                           "{{range .HostConfig.Devices}}{{.PathOnHost}} {{.PathInContainer}} {{.CgroupPermissions}}{{end}}"
                           " {{.HostConfig.GroupAdd}}", "dev", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "/dev/loop-control /dev/lc r [1234]");
  g_clear_pointer (&out, g_free);
  /* no such device: refused, docker's message */
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--device", "/dev/no-such-device", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "error gathering device information while adding custom device"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--device", "/dev/fuse:relative", image, "true", NULL), !=, 0);
  g_clear_pointer (&err, g_free);

  /* --group-add: a number and a name of the image's /etc/group, for the command and for exec */
  out = docker_run_sh (f, image, (const char *[]) { "--group-add", "1234", "--group-add", "nobody", NULL }, "id -G", &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "0 1234 65534");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "grp", "--group-add", "1234", image, "sleep", "300",
                           NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "exec", "-u", "0", "grp", "id", "-G", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "0 1234");
  g_clear_pointer (&out, g_free);
  /* a group the image does not have: the start fails, and the container (--rm) is removed, as
   * docker's daemon removes it: the docker CLI waits for that, it hung here before */
  out = docker_run_sh (f, image, (const char *[]) { "--group-add", "no-such-group", NULL }, "id -G", &status);
  g_assert_cmpint (status, ==, 125);
  g_assert_nonnull (strstr (out, "unable to find group no-such-group"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (trimmed (out), ==, "grp\ndev");
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "dev", "grp", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api/devices", Fixture, NULL, fixture_set_up, test_api_devices, fixture_tear_down);
  return g_test_run ();
}
