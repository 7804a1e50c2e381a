/* test-exited.c: hatake-exited, conmon's exit command, decides from the data root's lock
 * whether a container's exit needs `hatake system recover`, and runs the runtime deletes a one-shot
 * command saved. The hatake and the runtime it would run are scripts of the test's that note how
 * they were called.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include "hatake-runtime.h"
#include "hatake-test-utils.h"

#define ID "0123abcd"

typedef struct
{
  char *dir;
  char *root;
  char *hatake;   /* the script standing for hatake */
  char *called;   /* where it writes its arguments */
  int   lock_fd;  /* the data root's lock, when the test holds it */
  HatakeRuntime *runtime; /* a script too, that fails unless forced */
  char *runtime_called;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *script = NULL;

  f->dir = g_dir_make_tmp ("hatake-exited-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->root = g_build_filename (f->dir, "root", NULL);
  f->hatake = g_build_filename (f->dir, "hatake", NULL);
  f->called = g_build_filename (f->dir, "called", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->root, 0700), ==, 0);
  script = g_strdup_printf ("#!/bin/sh\necho \"$@\" > '%s'\n", f->called);
  g_assert_true (g_file_set_contents (f->hatake, script, -1, NULL));
  g_assert_cmpint (g_chmod (f->hatake, 0755), ==, 0);
  f->lock_fd = -1;

  {
    g_autofree char *path = g_build_filename (f->dir, "runtime", NULL);
    g_autofree char *state = g_build_filename (f->dir, "state", NULL);
    g_autofree char *text = NULL;

    f->runtime_called = g_build_filename (f->dir, "runtime-called", NULL);
    text = g_strdup_printf ("#!/bin/sh\necho \"cloned=$_LIBCONTAINER_CLONED_BINARY $*\" >> '%s'\n"
                            "case \" $* \" in *\" --force \"*) exit 0;; esac\nexit 1\n",
                            f->runtime_called);
    g_assert_true (g_file_set_contents (path, text, -1, NULL));
    g_assert_cmpint (g_chmod (path, 0755), ==, 0);
    /* (as root, run from a read-only mount of its own, told so by _LIBCONTAINER_CLONED_BINARY) */
    f->runtime = hatake_runtime_new (path, state, "conmon", f->dir);
  }
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->lock_fd >= 0)
    close (f->lock_fd);
  if (g_str_has_prefix (hatake_runtime_get_exec_path (f->runtime), "/run/hatake/runtimes/"))
    {
      while (umount2 (hatake_runtime_get_exec_path (f->runtime), MNT_DETACH) == 0)
        ;
      g_unlink (hatake_runtime_get_exec_path (f->runtime));
    }
  g_clear_object (&f->runtime);
  g_free (f->runtime_called);
  hatake_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->root);
  g_free (f->hatake);
  g_free (f->called);
}

/* Takes the data root's lock as an engine does, with PID as its holder */
static void
hold_lock (Fixture *f, GPid pid)
{
  g_autofree char *path = g_build_filename (f->root, "lock", NULL);
  g_autofree char *text = g_strdup_printf ("%d\n", (int) pid);

  f->lock_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (f->lock_fd, >=, 0);
  g_assert_cmpint (flock (f->lock_fd, LOCK_EX | LOCK_NB), ==, 0);
  g_assert_cmpint (pwrite (f->lock_fd, text, strlen (text), 0), ==, (gssize) strlen (text));
}

static GSubprocess *
start_exited (Fixture *f, const char *id)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, HATAKE_EXITED, f->hatake, f->root, id,
                                     NULL);

  g_assert_no_error (error);
  return p;
}

static int
run_exited (Fixture *f, const char *id)
{
  g_autoptr(GSubprocess) p = start_exited (f, id);

  g_assert_true (g_subprocess_wait (p, NULL, NULL));
  g_assert_true (g_subprocess_get_if_exited (p));
  return g_subprocess_get_exit_status (p);
}

/* What the stand-in hatake was called with, or NULL when it was not */
static char *
called (Fixture *f)
{
  char *args = NULL;

  if (!g_file_get_contents (f->called, &args, NULL, NULL))
    return NULL;
  return g_strchomp (args);
}

/* No engine holds the data root: the exit is system recover's */
static void
test_no_engine (Fixture *f, gconstpointer data)
{
  g_autofree char *args = NULL;
  g_autofree char *expected = g_strdup_printf ("--data-root %s system recover", f->root);

  /* (no lock file yet: no store to speak of, system recover knows what to do) */
  g_assert_cmpint (run_exited (f, ID), ==, 0);
  args = called (f);
  g_assert_cmpstr (args, ==, expected);
  g_clear_pointer (&args, g_free);
  g_assert_cmpint (g_unlink (f->called), ==, 0);

  /* a lock file nobody holds */
  hold_lock (f, 1);
  close (f->lock_fd);
  f->lock_fd = -1;
  g_assert_cmpint (run_exited (f, ID), ==, 0);
  args = called (f);
  g_assert_cmpstr (args, ==, expected);
}

/* hatake serve owns the data root: it saw the exit, nothing runs. Its command line is read
 * whole: a data root's long path may come before "serve". */
static void
test_long_running_owner (Fixture *f, gconstpointer data)
{
  g_autofree char *long_root = g_strnfill (10000, 'r');

  for (guint i = 0; i < 2; i++)
    {
      /* (a shell reading its stdin: no child of its own left behind when it is killed) */
      const char *argv[] = { "/bin/sh", "-c", "read line", i == 0 ? "--data-root=/x" : long_root, "serve", NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) serve = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
      GPid pid;

      g_assert_no_error (error);
      pid = atoi (g_subprocess_get_identifier (serve));
      hold_lock (f, pid);
      g_assert_cmpint (run_exited (f, ID), ==, 0);
      g_assert_null (called (f));
      close (f->lock_fd);
      f->lock_fd = -1;
      g_subprocess_force_exit (serve);
      g_subprocess_wait (serve, NULL, NULL);
    }
}

static gboolean
release_lock (gpointer data)
{
  Fixture *f = data;

  close (f->lock_fd);
  f->lock_fd = -1;
  return G_SOURCE_REMOVE;
}

/* A one-shot command holds the data root: wait for it; then a container it removed needs
 * nothing but the runtime deletes the command saved (each taken: the file goes) and the deletion
 * of what it left of removed containers' files (tmp/removed-*, nothing else there); one still
 * there needs system recover (whose engine cleans tmp/ and runs the deletes) */
static void
test_one_shot_owner (Fixture *f, gconstpointer data)
{
  g_autofree char *container = g_build_filename (f->root, "containers", ID, NULL);
  g_autofree char *trash = g_build_filename (f->root, "tmp", "removed-Ab12Cd", NULL);
  g_autofree char *trash_file = g_build_filename (trash, "container", "upper", "etc", "passwd", NULL);
  g_autofree char *other = g_build_filename (f->root, "tmp", "layer-Ab12Cd", "file", NULL);
  g_autofree char *deletes = g_build_filename (f->root, "runtime-deletes", NULL);
  g_autofree char *saved = g_build_filename (deletes, ID, NULL);
  g_autofree char *not_runnable = g_build_filename (deletes, "feedbeef", NULL);
  g_autofree char *temporary = g_build_filename (deletes, "feedbeef.Ab12Cd", NULL);
  g_autofree char *state = g_build_filename (f->dir, "state", NULL);
  const char *cloned = g_strcmp0 (hatake_runtime_get_exec_path (f->runtime), hatake_runtime_get_path (f->runtime))
                       ? "1" : "";
  g_autofree char *expected = g_strdup_printf ("cloned=%s --root=%s delete " ID "\n"
                                               "cloned=%s --root=%s delete --force " ID "\n",
                                               cloned, state, cloned, state);

  for (guint kept = 0; kept < 2; kept++)
    {
      g_autoptr(GSubprocess) p = NULL;
      g_autofree char *args = NULL;
      g_autofree char *trash_dir = g_path_get_dirname (trash_file);
      g_autofree char *other_dir = g_path_get_dirname (other);
      gint64 start;

      g_assert_cmpint (g_mkdir_with_parents (trash_dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (trash_file, "root:x:0:0::/:/bin/sh\n", -1, NULL));
      g_assert_cmpint (g_mkdir_with_parents (other_dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (other, "", -1, NULL));
      if (kept)
        g_assert_cmpint (g_mkdir_with_parents (container, 0700), ==, 0);
      g_unlink (f->runtime_called);
      g_assert_true (hatake_runtime_save_delete (f->runtime, deletes, ID, NULL));
      /* (one whose binary is no absolute path, and a half-written one) */
      g_assert_true (g_file_set_contents (not_runnable, "\0runtime\0--root=/x\0", 20, NULL));
      g_assert_true (g_file_set_contents (temporary, "\0/bin/false\0", 13, NULL));
      hold_lock (f, getpid ());
      start = g_get_monotonic_time ();
      p = start_exited (f, ID);
      g_timeout_add (300, release_lock, f);
      while (f->lock_fd >= 0)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (g_subprocess_wait (p, NULL, NULL));
      /* it waited for the lock */
      g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
      g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
      args = called (f);
      if (kept)
        g_assert_nonnull (args);
      else
        g_assert_null (args);
      g_assert_cmpint (g_file_test (trash, G_FILE_TEST_EXISTS), ==, kept != 0);
      g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
      /* the delete ran, forced after it failed, with the runtime's environment */
      g_clear_pointer (&args, g_free);
      g_file_get_contents (f->runtime_called, &args, NULL, NULL);
      g_assert_cmpstr (args, ==, kept ? NULL : expected);
      g_assert_cmpint (g_file_test (saved, G_FILE_TEST_EXISTS), ==, kept != 0);
      g_assert_cmpint (g_file_test (not_runnable, G_FILE_TEST_EXISTS), ==, kept != 0);
      g_assert_true (g_file_test (temporary, G_FILE_TEST_EXISTS));
    }
}

/* An id that is not a plain name is refused before anything is looked at */
static void
test_bad_id (Fixture *f, gconstpointer data)
{
  const char *bad[] = { "../x", "", ".", "a/b" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_cmpint (run_exited (f, bad[i]), ==, 2);
  g_assert_null (called (f));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/exited/no-engine", Fixture, NULL, fixture_set_up, test_no_engine, fixture_tear_down);
  g_test_add ("/exited/long-running-owner", Fixture, NULL, fixture_set_up, test_long_running_owner,
              fixture_tear_down);
  g_test_add ("/exited/one-shot-owner", Fixture, NULL, fixture_set_up, test_one_shot_owner, fixture_tear_down);
  g_test_add ("/exited/bad-id", Fixture, NULL, fixture_set_up, test_bad_id, fixture_tear_down);
  return g_test_run ();
}
