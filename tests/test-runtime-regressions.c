/* test-runtime-regressions.c: runtime regression checks
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These tests guard the OCI runtime we ship with (crun or runc), not our code: each one replays
 * a known runtime escape (a CVE or a hostile image layout) through the local engine and checks
 * that the host is untouched. A failure here means the runtime on this machine is vulnerable
 * (update or patch it), not that the engine regressed.
 *
 * The runtime is the engine's choice for this machine unless HATAKE_TEST_RUNTIME names one
 * (run the file once per runtime). Tests skip without root or the test registry, except under
 * CI=true where that fails them.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-test-run.h"

static const char *
runtime_name (void)
{
  const char *runtime = g_getenv ("HATAKE_TEST_RUNTIME");
  return runtime != NULL && *runtime != '\0' ? runtime : "the default runtime";
}

/* (CMD may be NULL: the image's own) */
static HatakeContainerConfig *
image_config (const char *image, const char *const *cmd)
{
  HatakeContainerConfig *c = hatake_container_config_new ();

  c->image = g_strdup (image);
  if (cmd != NULL)
    c->cmd = g_strdupv ((char **) cmd);
  return c;
}

/* A hostile container may be refused (at create or start) or may run: either is fine here, what
 * it must not do is reach the host. TRUE when it ran to its end (*out, *err, *code set); FALSE
 * with *why set when the engine or the runtime refused it. */
static gboolean
try_run (Fixture *f, HatakeContainerConfig *config, char **out, char **err, int *code, char **why)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) waited = NULL;
  const char *id;

  hatake_engine_create_container_async (f->engine, config, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  c = hatake_engine_create_container_finish (f->engine, result, &error);
  if (c == NULL)
    {
      g_assert_nonnull (error);
      *why = g_strdup_printf ("create refused: %s", error->message);
      return FALSE;
    }
  id = hatake_container_get_id (c);
  started = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  if (error != NULL)
    {
      *why = g_strdup_printf ("start refused: %s", error->message);
      /* a refused start leaves nothing running */
      g_assert_cmpint (hatake_container_get_state (c), !=, HATAKE_CONTAINER_RUNNING);
      return FALSE;
    }
  logs (f, id, TRUE, out, err);
  waited = op (f, id, HATAKE_CONTAINER_OP_WAIT, NULL, &error);
  g_assert_no_error (error);
  *code = (int) json_object_get_int_member (json_node_get_object (waited), "StatusCode");
  return TRUE;
}

static HatakeContainer *
start_sleeper (Fixture *f, const char *const *cmd)
{
  g_autoptr(HatakeContainerConfig) config = image_config (f->image, cmd);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainer *c;

  hatake_engine_create_container_async (f->engine, config, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  c = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_no_error (error);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_RUNNING);
  return c;
}

static int
exec_in (Fixture *f, HatakeContainer *c, const char *const *argv, const char *working_dir, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  HatakeExecOptions options = { 0 };

  options.argv = (GStrv) argv;
  options.working_dir = (char *) working_dir;
  hatake_engine_exec_async (f->engine, hatake_container_get_id (c), &options, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  return hatake_engine_exec_finish (f->engine, result, error);
}

static void
pull (Fixture *f, const char *fixture, char **ref)
{
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(GError) error = NULL;

  *ref = hatake_test_registry_ref (fixture);
  image = hatake_test_pull (f->engine, *ref, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Nothing under the host's /tmp/hatake-evil* got a mount on top of it. */
static void
assert_no_host_mount_on (const char *path)
{
  g_autofree char *mountinfo = NULL;
  g_autofree char *needle = g_strdup_printf (" %s ", path);

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  g_assert_null (strstr (mountinfo, needle));
}

/* ------------------------------------------------------------------------------------------
 * CVE-2024-21626 ("Leaky Vessels"): runc < 1.1.12 leaked a host directory fd (the cgroup dir)
 * into the container's init, so a working dir of /proc/self/fd/N gave the process a cwd on
 * the host file system. The runtime must refuse the start or keep the cwd inside the root. */

typedef struct
{
  char *path;     /* /tmp/hatake-leak-marker-XXXXXX */
  char *name;     /* its base name */
  char *content;  /* random, so it cannot be in the container by chance */
} Marker;

static void
marker_make (Marker *m)
{
  g_autoptr(GError) error = NULL;
  int fd;

  m->path = g_strdup ("/tmp/hatake-leak-marker-XXXXXX");
  fd = g_mkstemp (m->path);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  m->name = g_path_get_basename (m->path);
  {
    g_autofree char *uuid = g_uuid_string_random ();
    m->content = g_strdup_printf ("hatake-leak-%s-%08x", uuid, g_random_int ());
  }
  g_file_set_contents (m->path, m->content, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (m->path, 0644), ==, 0);
}

static void
marker_clear (Marker *m)
{
  g_unlink (m->path);
  g_free (m->path);
  g_free (m->name);
  g_free (m->content);
}

/* What a process inside runs to look for the host: its cwd, its parent, the marker by a relative
 * path climbing out of the cwd and through /proc/self/cwd. */
static char *
probe_script (const Marker *m)
{
  return g_strdup_printf ("echo cwd=$(readlink /proc/self/cwd); ls -a .. 2>&1 | head -n 40; "
                          "cat ../../../../../../../../tmp/%s 2>/dev/null; "
                          "cat /proc/self/cwd/../../../../../../../../tmp/%s 2>/dev/null; "
                          "ls ../../../../../../../../tmp 2>&1; true",
                          m->name, m->name);
}

static void
assert_no_leak (const Marker *m, const char *what, const char *out, const char *err)
{
  g_test_message ("%s: %s ran; stdout: %s; stderr: %s", what, runtime_name (), out, err ? err : "");
  g_assert_null (strstr (out, m->content));
  g_assert_null (strstr (out, m->name));  /* not even listed: the host's /tmp is not reachable */
  if (err != NULL)
    g_assert_null (strstr (err, m->content));
  /* a cwd outside the root reads as a host path such as /sys/fs/cgroup/... */
  g_assert_null (strstr (out, "cwd=/sys/fs/cgroup"));
}

static void
test_leaky_vessels_workdir (Fixture *f, gconstpointer data)
{
  Marker m;
  g_autofree char *script = NULL;

  SKIP_WITHOUT_ENGINE (f);
  g_test_message ("runtime regression check (guards %s, not hatake): CVE-2024-21626 \"Leaky Vessels\", "
                  "a working dir of /proc/self/fd/N must not put the process outside its root", runtime_name ());
  marker_make (&m);
  script = probe_script (&m);
  /* control: the probe runs and reports its cwd, so a leak would be seen */
  {
    const char *cmd[] = { "sh", "-c", script, NULL };
    g_autoptr(HatakeContainerConfig) config = image_config (f->image, cmd);
    g_autofree char *out = NULL, *err = NULL, *why = NULL;
    int code = -1;

    config->working_dir = g_strdup ("/tmp");
    g_assert_true (try_run (f, config, &out, &err, &code, &why));
    g_assert_cmpint (code, ==, 0);
    g_assert_true (g_str_has_prefix (out, "cwd=/tmp\n"));
    assert_no_leak (&m, "control run -w /tmp", out, err);
  }
  for (int n = 3; n <= 9; n++)
    {
      const char *cmd[] = { "sh", "-c", script, NULL };
      g_autoptr(HatakeContainerConfig) config = image_config (f->image, cmd);
      g_autofree char *out = NULL, *err = NULL, *why = NULL, *what = NULL;
      int code = -1;

      config->working_dir = g_strdup_printf ("/proc/self/fd/%d", n);
      what = g_strdup_printf ("run -w %s", config->working_dir);
      if (try_run (f, config, &out, &err, &code, &why))
        {
          g_test_message ("%s: exit %d", what, code);
          assert_no_leak (&m, what, out, err);
        }
      else
        g_test_message ("%s: %s refused it (fine): %s", what, runtime_name (), why);
    }
  /* the marker is still there and untouched: the probe was meaningful */
  {
    g_autofree char *content = NULL;
    g_assert_true (g_file_get_contents (m.path, &content, NULL, NULL));
    g_assert_cmpstr (content, ==, m.content);
  }
  marker_clear (&m);
}

/* The same through exec: `runc exec --cwd /proc/self/fd/N` was the second vector. The probe's
 * findings go to a host directory bind-mounted at /out (by absolute path, so they land there
 * whatever the cwd is). */
static void
test_leaky_vessels_exec (Fixture *f, gconstpointer data)
{
  const char *sleeper[] = { "sleep", "300", NULL };
  Marker m;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *script = NULL;
  g_autofree char *host = NULL;

  SKIP_WITHOUT_ENGINE (f);
  g_test_message ("runtime regression check (guards %s, not hatake): CVE-2024-21626 \"Leaky Vessels\" "
                  "through exec, a working dir of /proc/self/fd/N must not put the process outside its root",
                  runtime_name ());
  marker_make (&m);
  script = probe_script (&m);
  host = hatake_test_make_data_root ();
  config = image_config (f->image, sleeper);
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_BIND, host, "/out", FALSE);
  hatake_engine_create_container_async (f->engine, config, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  c = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_no_error (error);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);

  for (int n = 2; n <= 9; n++)
    {
      /* n == 2 is the control: a plain cwd, where the probe must run and report it */
      g_autofree char *cwd = n == 2 ? g_strdup ("/tmp") : g_strdup_printf ("/proc/self/fd/%d", n);
      g_autofree char *full = g_strdup_printf ("(%s) > /out/probe-%d 2>&1", script, n);
      g_autofree char *probe = g_strdup_printf ("%s/probe-%d", host, n);
      g_autofree char *out = NULL;
      g_autofree char *what = g_strdup_printf ("exec -w %s", cwd);
      const char *argv[] = { "sh", "-c", full, NULL };
      int code;

      code = exec_in (f, c, argv, cwd, &error);
      if (n == 2)
        {
          g_autofree char *control = NULL;
          g_assert_no_error (error);
          g_assert_cmpint (code, ==, 0);
          g_assert_true (g_file_get_contents (probe, &control, NULL, NULL));
          g_assert_true (g_str_has_prefix (control, "cwd=/tmp\n"));
          assert_no_leak (&m, what, control, NULL);
          continue;
        }
      if (error != NULL)
        {
          g_test_message ("%s: %s refused it (fine): %s", what, runtime_name (), error->message);
          g_clear_error (&error);
          continue;
        }
      g_test_message ("%s: exit %d", what, code);
      if (!g_file_get_contents (probe, &out, NULL, NULL))
        {
          /* the runtime reported the exec failure as an exit code: nothing ran */
          g_test_message ("%s: the probe did not run", what);
          continue;
        }
      assert_no_leak (&m, what, out, NULL);
    }
  hatake_test_remove_tree (host);
  marker_clear (&m);
}

/* The image says WorkingDir /proc/self/fd/7 (fixture hatake/evil-workdir-fd). */
static void
test_leaky_vessels_image (Fixture *f, gconstpointer data)
{
  Marker m;
  g_autofree char *ref = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL, *err = NULL, *why = NULL;
  int code = -1;

  SKIP_WITHOUT_ENGINE (f);
  g_test_message ("runtime regression check (guards %s, not hatake): CVE-2024-21626 \"Leaky Vessels\", "
                  "an image whose WorkingDir is /proc/self/fd/7", runtime_name ());
  marker_make (&m);
  pull (f, "hatake/evil-workdir-fd:latest", &ref);
  config = image_config (ref, NULL);
  if (try_run (f, config, &out, &err, &code, &why))
    {
      g_test_message ("image WorkingDir /proc/self/fd/7: exit %d", code);
      /* the fixture's command cats ../../../../../../tmp/hatake-leak-marker-* itself */
      g_test_message ("stdout: %s; stderr: %s", out, err);
      g_assert_null (strstr (out, m.content));
      g_assert_null (strstr (err, m.content));
      g_assert_null (strstr (out, "/sys/fs/cgroup"));
    }
  else
    g_test_message ("image WorkingDir /proc/self/fd/7: %s refused it (fine): %s", runtime_name (), why);
  marker_clear (&m);
}

/* ------------------------------------------------------------------------------------------
 * An image whose /dev, or /dev/null, is a symlink to a host path: the runtime mounts a tmpfs on
 * /dev and creates/binds device nodes there; it must resolve those paths inside the root (runc
 * CVE-2021-30465-style symlink races and the old "/dev symlink" bugs). */

static void
test_dev_symlink (Fixture *f, gconstpointer data)
{
  const char *host_dir = "/tmp/hatake-evil-dev";
  g_autofree char *ref = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL, *err = NULL, *why = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GString) appeared = NULL;
  struct stat st;
  int code = -1;

  SKIP_WITHOUT_ENGINE (f);
  g_test_message ("runtime regression check (guards %s, not hatake): an image whose /dev is a symlink "
                  "to a host directory (%s); setting up /dev must stay inside the root", runtime_name (), host_dir);
  hatake_test_remove_tree (host_dir);
  g_assert_cmpint (g_mkdir (host_dir, 0755), ==, 0);
  pull (f, "hatake/evil-dev-symlink:latest", &ref);
  config = image_config (ref, NULL);
  if (try_run (f, config, &out, &err, &code, &why))
    g_test_message ("/dev -> %s: ran, exit %d; stdout: %s; stderr: %s", host_dir, code, out, err);
  else
    g_test_message ("/dev -> %s: %s refused it (fine): %s", host_dir, runtime_name (), why);

  /* still an empty, plain directory of the host's, with no mount on it */
  g_assert_cmpint (lstat (host_dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  dir = g_dir_open (host_dir, 0, NULL);
  g_assert_nonnull (dir);
  appeared = g_string_new (NULL);
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    g_string_append_printf (appeared, "%s%s/%s", appeared->len ? " " : "", host_dir, name);
  assert_no_host_mount_on (host_dir);
  /* clean up first: what the runtime wrote on the host must not outlive a failure */
  hatake_test_remove_tree (host_dir);
  if (appeared->len > 0)
    g_test_message ("%s wrote on the host through the image's /dev symlink: %s", runtime_name (), appeared->str);
  g_assert_cmpstr (appeared->str, ==, "");
}

static void
test_devnull_symlink (Fixture *f, gconstpointer data)
{
  const char *host_file = "/tmp/hatake-evil-null";
  const char *content = "host file: must keep this content and mode 0600\n";
  g_autofree char *ref = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL, *err = NULL, *why = NULL, *after = NULL;
  g_autoptr(GError) error = NULL;
  struct stat before_st, st;
  int code = -1;

  SKIP_WITHOUT_ENGINE (f);
  g_test_message ("runtime regression check (guards %s, not hatake): an image whose /dev/null is a symlink "
                  "to a host file (%s); creating or binding /dev/null must not touch it", runtime_name (), host_file);
  g_unlink (host_file);
  g_file_set_contents (host_file, content, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (host_file, 0600), ==, 0);
  g_assert_cmpint (lstat (host_file, &before_st), ==, 0);
  pull (f, "hatake/evil-devnull-symlink:latest", &ref);
  config = image_config (ref, NULL);
  if (try_run (f, config, &out, &err, &code, &why))
    g_test_message ("/dev/null -> %s: ran, exit %d; stdout: %s; stderr: %s", host_file, code, out, err);
  else
    g_test_message ("/dev/null -> %s: %s refused it (fine): %s", host_file, runtime_name (), why);

  g_assert_cmpint (lstat (host_file, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpint (st.st_ino, ==, before_st.st_ino);
  g_assert_cmpint (st.st_uid, ==, before_st.st_uid);
  g_assert_cmpint (st.st_gid, ==, before_st.st_gid);
  g_assert_true (g_file_get_contents (host_file, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, content);
  assert_no_host_mount_on (host_file);
  g_unlink (host_file);
}

/* ------------------------------------------------------------------------------------------
 * CVE-2019-5736: a container process opened the runtime's own binary through /proc/<pid>/exe
 * (while runc init ran inside it, during start or exec) and overwrote it on the host. The host
 * binaries must be byte for byte the same afterwards. */

static const char *const host_binaries[] = {
  "/usr/bin/crun", "/usr/sbin/runc", "/usr/bin/runc", "/bin/busybox", "/usr/bin/conmon", NULL
};

static char *
file_fingerprint (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *sum = NULL;
  gsize length;
  struct stat st;

  if (stat (path, &st) != 0)  /* the file a symlink such as /usr/bin/runc points at */
    return NULL;
  g_assert_true (g_file_get_contents (path, &data, &length, &error));
  g_assert_no_error (error);
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
  return g_strdup_printf ("%s size=%" G_GSIZE_FORMAT " mode=%o sha256=%s", path, length,
                          (unsigned) (st.st_mode & 07777), sum);
}

static void
test_proc_exe_overwrite (Fixture *f, gconstpointer data)
{
  /* keeps opening every /proc/<pid>/exe for writing while the test starts execs in it, so the
   * runtime's init (visible in the container's pid namespace during an exec) is a target */
  const char *watcher[] = { "sh", "-c",
                            "echo x >> /proc/self/exe 2>/dev/null && echo WROTE-SELF; "
                            "end=$(( $(date +%s) + 4 )); "
                            "while [ $(date +%s) -lt $end ]; do "
                            "  for p in /proc/[0-9]*; do "
                            "    [ $p = /proc/1 ] && continue; "
                            "    (echo x >> $p/exe) 2>/dev/null && echo WROTE $p $(readlink $p/exe); "
                            "  done; "
                            "done; sleep 300", NULL };
  const char *self[] = { "sh", "-c", "echo x >> /proc/self/exe && echo WROTE-SELF; true", NULL };
  const char *loop[] = { "sh", "-c",
                         "for p in /proc/[0-9]*; do (echo x >> $p/exe) 2>/dev/null && echo WROTE $p; done; true",
                         NULL };
  const char *runtime_self[] = { "/proc/self/exe", NULL };
  const char *noop[] = { "true", NULL };
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HatakeContainer) c = NULL;

  SKIP_WITHOUT_ENGINE (f);
  g_test_message ("runtime regression check (guards %s, not hatake): CVE-2019-5736, a container must not "
                  "be able to write to the runtime's (or any host) binary through /proc/<pid>/exe", runtime_name ());
  for (guint i = 0; host_binaries[i] != NULL; i++)
    g_ptr_array_add (before, file_fingerprint (host_binaries[i]));

  /* 1. the process's own exe, then every process it can see */
  {
    const char *const *cmds[] = { self, loop, runtime_self };
    for (guint i = 0; i < G_N_ELEMENTS (cmds); i++)
      {
        g_autoptr(HatakeContainerConfig) config = image_config (f->image, cmds[i]);
        g_autofree char *out = NULL, *err = NULL, *why = NULL;
        int code = -1;

        if (try_run (f, config, &out, &err, &code, &why))
          g_test_message ("%s: exit %d; stdout: %s; stderr: %s", cmds[i][1] ? cmds[i][2] : cmds[i][0],
                          code, out, err);
        else
          g_test_message ("%s: refused: %s", cmds[i][0], why);
      }
  }

  /* 2. a watcher racing the runtime's init during execs */
  c = start_sleeper (f, watcher);
  for (int i = 0; i < 6; i++)
    {
      g_autoptr(GError) error = NULL;
      int code = exec_in (f, c, noop, NULL, &error);
      if (error != NULL)
        g_test_message ("exec %d: %s", i, error->message);
      else
        g_assert_cmpint (code, ==, 0);
      g_usleep (100 * 1000);
    }
  {
    g_autofree char *out = NULL;
    logs (f, hatake_container_get_id (c), FALSE, &out, NULL);
    g_test_message ("watcher: %s", out);
  }

  for (guint i = 0; host_binaries[i] != NULL; i++)
    {
      g_autofree char *now = file_fingerprint (host_binaries[i]);
      g_assert_cmpstr (now, ==, before->pdata[i]);
      if (now != NULL)
        g_test_message ("unchanged: %s", now);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/runtime-regression/cve-2024-21626/workdir", test_leaky_vessels_workdir);
  ADD ("/runtime-regression/cve-2024-21626/exec-workdir", test_leaky_vessels_exec);
  ADD ("/runtime-regression/cve-2024-21626/image-workdir", test_leaky_vessels_image);
  ADD ("/runtime-regression/dev-symlink", test_dev_symlink);
  ADD ("/runtime-regression/dev-null-symlink", test_devnull_symlink);
  ADD ("/runtime-regression/cve-2019-5736/proc-exe", test_proc_exe_overwrite);
#undef ADD
  return g_test_run ();
}
