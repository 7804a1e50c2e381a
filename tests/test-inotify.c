/* test-inotify.c: a one-shot process's inotify descriptors, closed after it exits
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kcmp.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hatake-inotify.h"

#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* What /proc/PID/fd/FD points to, or NULL */
static char *
fd_target (pid_t pid, int fd)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd/%d", (int) pid, fd);

  return g_file_read_link (path, NULL);
}

/* Whether PID has exited (gone, or a zombie not yet reaped) */
static gboolean
has_exited (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  end = strrchr (stat, ')');
  return end != NULL && end[1] == ' ' && (end[2] == 'Z' || end[2] == 'X');
}

/* How many descriptors PID holds below LIMIT (valgrind's own are above the limit it shows),
 * and how many of them are neither inotify instances nor pipes */
static guint
count_fds (pid_t pid, rlim_t limit, guint *n_other)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GDir) fds = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (fds);
  *n_other = 0;
  while ((name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *what = NULL;

      if ((rlim_t) atoi (name) >= limit || (what = fd_target (pid, atoi (name))) == NULL)
        continue;
      if (!g_str_equal (what, "anon_inode:inotify") && !g_str_has_prefix (what, "pipe:"))
        (*n_other)++;
      n++;
    }
  return n;
}

/* The one-shot process: keeps an inotify descriptor with a watch, hands it over, reports the
 * keeper, the descriptors' numbers and what it saw on READY, then exits when GO is written */
static void G_GNUC_NORETURN
one_shot_process (int ready, int go, const char *dir)
{
  int watch = inotify_init1 (IN_CLOEXEC);
  int plain = open ("/dev/null", O_RDONLY);   /* inherited by a fork, as standard output is */
  char line[128];
  pid_t keeper;
  int kept_open, closed_after, same_memory;
  char c;

  if (watch < 0 || plain < 0 || inotify_add_watch (watch, dir, IN_CREATE) < 0)
    _exit (3);
  hatake_inotify_keep_until_exit ();
  hatake_inotify_close (watch);
  kept_open = fcntl (watch, F_GETFD) >= 0;
  keeper = hatake_inotify_hand_over ();
  closed_after = fcntl (watch, F_GETFD) < 0 && errno == EBADF;
  /* 0: the keeper's memory is this process's (kcmp compares the two processes' mm) */
  same_memory = (int) syscall (SYS_kcmp, getpid (), keeper, KCMP_VM, 0, 0);
  snprintf (line, sizeof line, "%d %d %d %d %d %d\n", (int) keeper, watch, plain, kept_open, closed_after,
            same_memory);
  if (write (ready, line, strlen (line)) < 0 || read (go, &c, 1) < 0)
    _exit (4);
  _exit (0);
}

static void
test_hand_over (void)
{
  g_autofree char *dir = g_dir_make_tmp ("hatake-inotify-XXXXXX", NULL);
  int ready[2], go[2];
  char line[128] = { 0 };
  int keeper, watch, plain, kept_open, closed_after, same_memory, status;
  g_autofree char *target = NULL;
  guint n_fds, n_other;
  struct rlimit files;
  pid_t process;

  g_assert_nonnull (dir);
  g_assert_cmpint (pipe2 (ready, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (go, O_CLOEXEC), ==, 0);
  process = fork ();
  g_assert_cmpint (process, >=, 0);
  if (process == 0)
    one_shot_process (ready[1], go[0], dir);
  close (ready[1]);
  close (go[0]);
  g_assert_cmpint (read (ready[0], line, sizeof line - 1), >, 0);
  g_assert_cmpint (sscanf (line, "%d %d %d %d %d %d", &keeper, &watch, &plain, &kept_open, &closed_after,
                           &same_memory), ==, 6);
  /* a close kept the descriptor open until the hand-over, which closed the process's copy */
  g_assert_true (kept_open);
  g_assert_true (closed_after);
  g_assert_cmpint (keeper, >, 0);
  /* it shares the process's memory: no copy of its page tables, and the process's exit leaves
   * the memory's teardown to it (under valgrind, which runs no such clone, it is a fork) */
  if (!RUNNING_ON_VALGRIND)
    g_assert_cmpint (same_memory, ==, 0);

  /* the keeper holds the inotify descriptor and the pipe it learns the process's exit from,
   * nothing else: not the process's standard output or the data root's lock, which it would
   * keep past that exit */
  target = fd_target (keeper, watch);
  g_assert_cmpstr (target, ==, "anon_inode:inotify");
  /* (it may still be closing the others when the process reports) */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &files), ==, 0);
  for (int i = 0; i < 1000 && (n_fds = count_fds (keeper, files.rlim_cur, &n_other)) != 2; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (n_fds, ==, 2);
  g_assert_cmpuint (n_other, ==, 0);
  g_assert_null (fd_target (keeper, plain));

  /* it stays while the process does, and goes once the process has exited */
  g_usleep (50 * 1000);
  g_assert_false (has_exited (keeper));
  g_assert_cmpint (write (go[1], "x", 1), ==, 1);
  g_assert_cmpint (waitpid (process, &status, 0), ==, process);
  /* (its status is valgrind's under valgrind: the fork's memory counts as lost) */
  g_assert_true (WIFEXITED (status));
  for (int i = 0; i < 1000 && !has_exited (keeper); i++)
    g_usleep (10 * 1000);
  g_assert_true (has_exited (keeper));

  close (ready[0]);
  close (go[1]);
  g_rmdir (dir);
}

/* Without keeping, a close goes at once (in a thread) and a hand-over has nothing to do */
static void
test_close_in_thread (void)
{
  int watch = inotify_init1 (IN_CLOEXEC);

  g_assert_cmpint (watch, >=, 0);
  hatake_inotify_close (watch);
  for (int i = 0; i < 10000 && fcntl (watch, F_GETFD) >= 0; i++)
    g_usleep (1000);
  g_assert_cmpint (fcntl (watch, F_GETFD), <, 0);
  g_assert_cmpint (hatake_inotify_hand_over (), ==, 0);
}

/* A one-shot process keeps a few descriptors, not more: the others are closed as they go */
static void
test_keep_bounded (void)
{
  int watches[12];

  hatake_inotify_keep_until_exit ();
  for (guint i = 0; i < G_N_ELEMENTS (watches); i++)
    {
      watches[i] = inotify_init1 (IN_CLOEXEC);
      g_assert_cmpint (watches[i], >=, 0);
    }
  for (guint i = 0; i < G_N_ELEMENTS (watches); i++)
    hatake_inotify_close (watches[i]);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpint (fcntl (watches[i], F_GETFD), >=, 0);
  for (guint i = 8; i < G_N_ELEMENTS (watches); i++)
    {
      for (int n = 0; n < 10000 && fcntl (watches[i], F_GETFD) >= 0; n++)
        g_usleep (1000);
      g_assert_cmpint (fcntl (watches[i], F_GETFD), <, 0);
    }
  /* (the kept ones go to a keeper that stays until this test ends) */
  g_assert_cmpint (hatake_inotify_hand_over (), >, 0);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpint (fcntl (watches[i], F_GETFD), <, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/inotify/close-in-thread", test_close_in_thread);
  g_test_add_func ("/inotify/hand-over", test_hand_over);
  g_test_add_func ("/inotify/keep-bounded", test_keep_bounded);
  return g_test_run ();
}
