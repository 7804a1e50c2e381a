/* test-api-volumes.c: volumes with docker's local driver options (type, device, o) made by the
 * real docker CLI, hatake's CLI and hatake compose, through `hatake serve`: a host folder bound,
 * a tmpfs, their options refused, and whatever is bound never removed by a volume's removal nor
 * by `hatake system reset`
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <string.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

/* Whether PATH is a mount point here, read from /proc/self/mountinfo */
static gboolean
mounted_at (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);

      if (g_strv_length (fields) >= 5 && g_str_equal (fields[4], path))
        return TRUE;
    }
  return FALSE;
}

/* The test registry's busybox, pulled */
static char *
busybox_pulled (Fixture *f)
{
  g_autofree char *busybox = hatake_test_registry_ref ("hatake/busybox:latest");

  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", busybox, NULL), ==, 0);
  return g_steal_pointer (&busybox);
}

static char *
volume_data (Fixture    *f,
             const char *name)
{
  return g_build_filename (f->root, "volumes", name, "_data", NULL);
}

/* A host folder with a file in it, for a volume to bind */
static char *
host_folder (Fixture    *f,
             const char *name)
{
  g_autofree char *dir = g_build_filename (f->docker_config, name, NULL);
  g_autofree char *keep = g_build_filename (dir, "keep", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (keep, "kept\n", -1, NULL));
  return g_steal_pointer (&dir);
}

static void
assert_file (const char *dir,
             const char *name,
             const char *expected)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, expected);
}

/* type=none,o=bind,device=DIR: containers read and write DIR itself; the volume shows its
 * options; its removal unmounts it and leaves DIR and what was written there */
static void
test_bind_device (Fixture *f, gconstpointer data)
{
  g_autofree char *busybox = NULL, *dir = NULL, *device = NULL, *out = NULL, *err = NULL, *vdata = NULL;
  g_autofree char *options = NULL;
  const char *args[] = { "-v", "bound:/data", NULL };
  const char *ro_args[] = { "-v", "bound-ro:/data", NULL };
  int status = 0;

  if (!require ())
    return;
  busybox = busybox_pulled (f);
  dir = host_folder (f, "host");
  device = g_strconcat ("device=", dir, NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "-o", "type=none", "-o", "o=bind", "-o", device,
                           "bound", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "volume", "inspect", "--format", "{{json .Options}}", "bound", NULL), ==, 0);
  options = g_strdup_printf ("{\"device\":\"%s\",\"o\":\"bind\",\"type\":\"none\"}", dir);
  g_assert_cmpstr (g_strstrip (out), ==, options);
  g_clear_pointer (&out, g_free);
  vdata = volume_data (f, "bound");
  g_assert_false (mounted_at (vdata));   /* (mounted when a container uses it) */

  g_free (out);
  out = docker_run_sh_ok (f, busybox, args, "cat /data/keep; echo written > /data/new");
  g_assert_cmpstr (out, ==, "kept\n");
  assert_file (dir, "new", "written\n");
  g_assert_true (mounted_at (vdata));
  /* a second container over the same mount: no second mount stacked on it */
  g_free (out);
  out = docker_run_sh_ok (f, busybox, args, "cat /data/new");
  g_assert_cmpstr (out, ==, "written\n");

  /* o=bind,ro: read-only in the container */
  g_free (device);
  device = g_strconcat ("device=", dir, NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "-o", "type=none", "-o", "o=bind,ro", "-o", device,
                           "bound-ro", NULL), ==, 0);
  g_free (out);
  out = docker_run_sh (f, busybox, ro_args, "cat /data/keep; echo no > /data/other", &status);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (out, "kept"));
  g_assert_nonnull (strstr (out, "Read-only file system"));

  /* in use: refused, still mounted */
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "user", "--network", "none", "-v", "bound:/data",
                           busybox, "sleep", "300", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, &err, "volume", "rm", "bound", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "in use"));
  g_assert_true (mounted_at (vdata));
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "user", NULL), ==, 0);

  g_assert_cmpint (docker (f, NULL, NULL, "volume", "rm", "bound", "bound-ro", NULL), ==, 0);
  g_assert_false (mounted_at (vdata));
  g_assert_false (g_file_test (vdata, G_FILE_TEST_EXISTS));
  assert_file (dir, "keep", "kept\n");
  assert_file (dir, "new", "written\n");
}

/* type=tmpfs,device=tmpfs,o=size=…,mode=…: a tmpfs of that size and mode at the mount point,
 * whose flags (o=…,noexec) apply too */
static void
test_tmpfs_device (Fixture *f, gconstpointer data)
{
  g_autofree char *busybox = NULL, *out = NULL, *vdata = NULL;
  const char *args[] = { "-v", "scratch:/scratch", NULL };

  if (!require ())
    return;
  busybox = busybox_pulled (f);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs",
                           "-o", "o=size=2m,mode=0710,noexec", "scratch", NULL), ==, 0);
  out = docker_run_sh_ok (f, busybox, args,
                          "stat -c %a /scratch; grep ' /scratch ' /proc/mounts | cut -d' ' -f3,4");
  g_assert_nonnull (strstr (out, "710\n"));
  g_assert_nonnull (strstr (out, "tmpfs "));
  g_assert_nonnull (strstr (out, "noexec"));
  g_assert_nonnull (strstr (out, "size=2048k"));
  vdata = volume_data (f, "scratch");
  g_assert_true (mounted_at (vdata));
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "rm", "scratch", NULL), ==, 0);
  g_assert_false (mounted_at (vdata));
}

/* Options docker's local driver refuses, refused with its words; a device that cannot be
 * mounted fails the start naming the volume and the cause, and loses nothing */
static void
test_bad_options (Fixture *f, gconstpointer data)
{
  g_autofree char *busybox = NULL, *err = NULL, *out = NULL, *vdata = NULL;

  if (!require ())
    return;
  busybox = busybox_pulled (f);
  g_assert_cmpint (docker (f, NULL, &err, "volume", "create", "-o", "colour=blue", "v1", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "invalid option: \"colour\""));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "volume", "create", "-o", "type=tmpfs", "v1", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "missing required option: \"device\""));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "volume", "create", "-o", "o=bind", "-o", "device=/tmp", "v1", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "missing required option: \"type\""));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "volume", "create", "-d", "nfs-plugin", "v1", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "plugin \"nfs-plugin\" not found"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "volume", "ls", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");

  /* made (docker checks the device only when it mounts it), but no container starts over it */
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "-o", "type=none", "-o", "o=bind",
                           "-o", "device=/nonexistent/hatake", "gone", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, &err, "run", "--name", "c1", "--network", "none", "-v", "gone:/data", busybox,
                           "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "volume gone: cannot mount /nonexistent/hatake"));
  g_assert_nonnull (strstr (err, "No such file or directory"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "--format", "{{.State.Running}} {{.State.Error}}", "c1", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "false volume gone: cannot mount /nonexistent/hatake"));
  vdata = volume_data (f, "gone");
  g_assert_false (mounted_at (vdata));
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "c1", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "rm", "gone", NULL), ==, 0);
}

/* hatake compose passes a volume's driver_opts on; `hatake system reset` unmounts the volume
 * before it removes the data root: the host folder keeps everything */
static void
test_compose_and_reset (Fixture *f, gconstpointer data)
{
  g_autofree char *busybox = NULL, *dir = NULL, *project = NULL, *file = NULL, *yaml = NULL, *host = NULL;
  g_autofree char *vdata = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (!require ())
    return;
  busybox = busybox_pulled (f);
  dir = host_folder (f, "shared");
  project = g_build_filename (f->docker_config, "proj", NULL);
  g_assert_cmpint (g_mkdir_with_parents (project, 0755), ==, 0);
  file = g_build_filename (project, "compose.yaml", NULL);
  yaml = g_strdup_printf ("services:\n"
                          "  writer:\n"
                          "    image: %s\n"
                          "    network_mode: none\n"
                          "    command: sh -c \"cat /data/keep > /data/copy\"\n"
                          "    volumes: [\"data:/data\"]\n"
                          "volumes:\n"
                          "  data:\n"
                          "    driver: local\n"
                          "    driver_opts: { type: none, o: bind, device: \"%s\" }\n", busybox, dir);
  g_assert_true (g_file_set_contents (file, yaml, -1, NULL));
  host = g_strconcat ("unix://", f->socket, NULL);
  {
    const char *argv[] = { HATAKE_CLI, "-H", host, "compose", "-f", file, "-p", "proj", "up", NULL };

    g_assert_true (g_spawn_sync (project, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                                 &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  assert_file (dir, "copy", "kept\n");
  g_assert_cmpint (docker (f, &out, NULL, "volume", "inspect", "--format", "{{.Options.device}}", "proj_data", NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, dir);
  vdata = volume_data (f, "proj_data");
  g_assert_true (mounted_at (vdata));

  fixture_stop_server (f);
  hatake_cli (f, "system", "reset", "--force", NULL);
  g_assert_false (mounted_at (vdata));
  g_assert_false (g_file_test (f->root, G_FILE_TEST_EXISTS));
  assert_file (dir, "keep", "kept\n");
  assert_file (dir, "copy", "kept\n");
  fixture_start_server (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api-volumes/bind-device", Fixture, NULL, fixture_set_up, test_bind_device, fixture_tear_down);
  g_test_add ("/api-volumes/tmpfs-device", Fixture, NULL, fixture_set_up, test_tmpfs_device, fixture_tear_down);
  g_test_add ("/api-volumes/bad-options", Fixture, NULL, fixture_set_up, test_bad_options, fixture_tear_down);
  g_test_add ("/api-volumes/compose-and-reset", Fixture, NULL, fixture_set_up, test_compose_and_reset,
              fixture_tear_down);
  return g_test_run ();
}
