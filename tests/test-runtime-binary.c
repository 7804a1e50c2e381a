/* test-runtime-binary.c: the runtime runs from a read-only mount of its own binary
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * crun and runc skip copying themselves before each command (their CVE-2019-5736 protection)
 * when their binary is on a read-only mount and _LIBCONTAINER_CLONED_BINARY is set. The engine
 * keeps that mount (hatake-runtime.c): these check that what runs is the runtime's own inode,
 * read-only, that a write through it fails, that the runtime's processes get the variable, and
 * that a replaced binary (a package upgrade) is mounted anew. And a delete saved for another
 * process (what a one-shot command leaves) runs that mount, with the variable, once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-runtime.h"
#include "hatake-test-utils.h"

/* a stand-in runtime: prints the variable the real ones read */
static const char script[] = "#!/bin/sh\necho \"cloned=$_LIBCONTAINER_CLONED_BINARY\"\n";

static void
store (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char *
run_runtime (HatakeRuntime *runtime)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "state", "x", NULL };
  char *out = NULL;

  hatake_runtime_run_async (runtime, args, NULL, store, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_true (hatake_runtime_run_finish (runtime, result, &out, &error));
  g_assert_no_error (error);
  return out;
}

static void
write_runtime (const char *path)
{
  g_autofree char *tmp = g_strconcat (path, ".new", NULL);

  /* a new inode, renamed over the old one, as dpkg replaces a binary */
  g_assert_true (g_file_set_contents (tmp, script, -1, NULL));
  g_assert_cmpint (g_chmod (tmp, 0755), ==, 0);
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
}

static void
test_read_only_binary (void)
{
  g_autofree char *dir = NULL, *path = NULL, *state = NULL, *out = NULL;
  g_autoptr(HatakeRuntime) runtime = NULL;
  g_autoptr(HatakeRuntime) again = NULL;
  const char *exec_path;
  struct stat st_path, st_exec;
  struct statvfs vfs;
  int fd;

  if (!hatake_test_require_root ())
    return;
  dir = g_dir_make_tmp ("hatake-runtime-XXXXXX", NULL);
  path = g_build_filename (dir, "fake-runtime", NULL);
  state = g_build_filename (dir, "state", NULL);
  write_runtime (path);

  runtime = hatake_runtime_new (path, state, "conmon", dir);
  exec_path = hatake_runtime_get_exec_path (runtime);
  g_assert_cmpstr (hatake_runtime_get_path (runtime), ==, path);
  g_assert_cmpstr (exec_path, !=, path);
  g_assert_true (g_str_has_prefix (exec_path, "/run/hatake/runtimes/fake-runtime-"));
  /* the runtime's own inode, on a read-only mount: no write reaches it */
  g_assert_cmpint (stat (path, &st_path), ==, 0);
  g_assert_cmpint (stat (exec_path, &st_exec), ==, 0);
  g_assert_true (st_path.st_dev == st_exec.st_dev && st_path.st_ino == st_exec.st_ino);
  g_assert_cmpint (statvfs (exec_path, &vfs), ==, 0);
  g_assert_true (vfs.f_flag & ST_RDONLY);
  fd = open (exec_path, O_WRONLY | O_APPEND | O_CLOEXEC);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, EROFS);
  /* what runs is that mount, told that it is one */
  out = run_runtime (runtime);
  g_assert_cmpstr (out, ==, "cloned=1\n");

  /* the same mount for the next engine */
  again = hatake_runtime_new (path, state, "conmon", dir);
  g_assert_cmpstr (hatake_runtime_get_exec_path (again), ==, exec_path);
  g_clear_object (&again);

  /* upgraded: the new binary is mounted in its place */
  write_runtime (path);
  g_assert_cmpint (stat (path, &st_path), ==, 0);
  g_assert_true (st_path.st_ino != st_exec.st_ino);
  again = hatake_runtime_new (path, state, "conmon", dir);
  g_assert_cmpstr (hatake_runtime_get_exec_path (again), ==, exec_path);
  g_assert_cmpint (stat (exec_path, &st_exec), ==, 0);
  g_assert_true (st_path.st_dev == st_exec.st_dev && st_path.st_ino == st_exec.st_ino);
  g_assert_cmpint (statvfs (exec_path, &vfs), ==, 0);
  g_assert_true (vfs.f_flag & ST_RDONLY);

  /* (the mounts are this test's own: gone with it) */
  while (umount2 (exec_path, MNT_DETACH) == 0)
    ;
  g_assert_cmpint (g_unlink (exec_path), ==, 0);
  hatake_test_remove_tree (dir);
}

/* A saved delete (hatake_runtime_save_delete), run by the next engine: `delete ID`, then forced
 * when that fails; each file taken once, one saying nothing runnable dropped, a temporary one
 * (a dot in its name) left */
static void
test_saved_delete (void)
{
  g_autofree char *dir = g_dir_make_tmp ("hatake-runtime-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "fake-runtime", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *called = g_build_filename (dir, "called", NULL);
  g_autofree char *deletes = g_build_filename (dir, "deletes", NULL);
  g_autofree char *bad = g_build_filename (deletes, "bad", NULL);
  g_autofree char *temporary = g_build_filename (deletes, "abc.Xy12Zw", NULL);
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\necho \"cloned=$_LIBCONTAINER_CLONED_BINARY $*\" >> '%s'\n"
                                           "[ \"$3\" = --force ] || [ \"$3\" = ok ]\n", called);
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;
  g_autoptr(HatakeRuntime) runtime = NULL;
  const char *cloned;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  runtime = hatake_runtime_new (path, state, "conmon", dir);
  /* (as root, a read-only mount of its own) */
  cloned = g_strcmp0 (hatake_runtime_get_exec_path (runtime), path) != 0 ? "1" : "";
  g_assert_true (hatake_runtime_save_delete (runtime, deletes, "abc", NULL));
  g_assert_true (hatake_runtime_save_delete (runtime, deletes, "ok", NULL));
  g_assert_true (g_file_set_contents (bad, "\0fake-runtime\0", 15, NULL));
  g_assert_true (g_file_set_contents (temporary, "\0/bin/false\0", 13, NULL));

  g_test_expect_message ("hatake-engine", G_LOG_LEVEL_WARNING, "*bad: not a runtime command*");
  g_assert_cmpuint (hatake_runtime_run_saved_deletes (deletes), ==, 3);
  g_test_assert_expected_messages ();
  g_assert_true (g_file_get_contents (called, &out, NULL, NULL));
  expected = g_strdup_printf ("cloned=%s --root=%s delete abc\ncloned=%s --root=%s delete --force abc\n"
                              "cloned=%s --root=%s delete ok\n", cloned, state, cloned, state, cloned, state);
  /* (in the directory's order) */
  if (strstr (out, "delete ok") < strstr (out, "delete abc"))
    {
      g_free (expected);
      expected = g_strdup_printf ("cloned=%s --root=%s delete ok\ncloned=%s --root=%s delete abc\n"
                                  "cloned=%s --root=%s delete --force abc\n", cloned, state, cloned, state, cloned,
                                  state);
    }
  g_assert_cmpstr (out, ==, expected);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (temporary, G_FILE_TEST_EXISTS));
  /* taken: nothing runs twice */
  g_assert_cmpuint (hatake_runtime_run_saved_deletes (deletes), ==, 0);

  if (*cloned)
    {
      while (umount2 (hatake_runtime_get_exec_path (runtime), MNT_DETACH) == 0)
        ;
      g_assert_cmpint (g_unlink (hatake_runtime_get_exec_path (runtime)), ==, 0);
    }
  hatake_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/read-only-binary", test_read_only_binary);
  g_test_add_func ("/runtime/saved-delete", test_saved_delete);
  return g_test_run ();
}
