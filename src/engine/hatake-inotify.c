/* hatake-inotify.c: inotify descriptors closed without waiting for the kernel
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Closing an inotify descriptor waits until the kernel has freed its watches, one grace period
 * of fsnotify's SRCU: 3 to 22 ms a close here (`perf trace -e close` on `hatake run --rm`).
 *
 * A long-running process (hatake serve, the app) hands each close to a short thread of its own:
 * its main loop would otherwise stall whenever a log follower ends, and several closes overlap.
 *
 * A one-shot command cannot do that: the process ends with its engine, and an exit waits for
 * every thread, the one in close() too; and a descriptor left open is closed by the exit itself,
 * with the same wait. So the last ~13 ms of every `hatake run --rm` (its log's watch and the
 * exits' watch) were spent waiting for the kernel. A one-shot process keeps its descriptors
 * instead (hatake_inotify_keep_until_exit), and at its very end hands them to a child process
 * (hatake_inotify_hand_over) that closes everything else at once (standard output, the data
 * root's lock) and holds the inotify descriptors until the command's process is gone: the
 * command's own closes are then not the last ones and return at once, and the grace period is
 * the child's to wait, after the command has returned. The child (the keeper) uses only system
 * calls, as a child of a threaded process must.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hatake-inotify.h"

#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

/* A one-shot command that runs long (an attached compose up whose services restart, each with a
 * log follower of its own) would otherwise keep descriptors without end, and each counts against
 * the user's inotify instances (128 by default): beyond a few, they are closed in threads. */
#define MAX_KEPT 8

static GMutex  kept_lock;
static GArray *kept;   /* (nullable) the descriptors a one-shot process keeps (int) */

static gpointer
close_thread (gpointer data)
{
  close (GPOINTER_TO_INT (data));
  return NULL;
}

void
hatake_inotify_close (int fd)
{
  GThread *thread;

  if (fd < 0)
    return;
  g_mutex_lock (&kept_lock);
  if (kept != NULL && kept->len < MAX_KEPT)
    {
      g_array_append_val (kept, fd);
      g_mutex_unlock (&kept_lock);
      return;
    }
  g_mutex_unlock (&kept_lock);
  /* O_CLOEXEC, as all of ours: no child inherits it while the thread waits */
  thread = g_thread_try_new ("hatake-inotify-close", close_thread, GINT_TO_POINTER (fd), NULL);
  if (thread != NULL)
    g_thread_unref (thread);
  else
    close (fd);
}

void
hatake_inotify_keep_until_exit (void)
{
  g_mutex_lock (&kept_lock);
  if (kept == NULL)
    kept = g_array_new (FALSE, FALSE, sizeof (int));
  g_mutex_unlock (&kept_lock);
}

static int
compare_fds (gconstpointer a, gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/* Closes FROM to TO (without close_range, up to LIMIT), in the child: system calls only */
static void
close_span (unsigned int from, unsigned int to, unsigned int limit)
{
  if (syscall (SYS_close_range, from, to, 0) == 0)
    return;
  for (unsigned int fd = from; fd <= to && fd < limit; fd++)
    close ((int) fd);
}

/* In the child: closes every descriptor but the SORTED ones, without allocating */
static void
close_all_but (const int *sorted, guint n, unsigned int limit)
{
  unsigned int from = 0;

  for (guint i = 0; i < n; i++)
    {
      if ((unsigned int) sorted[i] > from)
        close_span (from, (unsigned int) sorted[i] - 1, limit);
      from = (unsigned int) sorted[i] + 1;
    }
  close_span (from, ~0U, limit);
}

/* A keeper's memory: a keeper shares this process's memory, lives on after it, and reads this
 * until its own exit, so it is never freed (kept reachable in `keepers`) */
typedef struct
{
  char         stack[16 * 1024];   /* first: its top stays aligned as g_malloc's start is */
  int          fds[MAX_KEPT + 1];  /* sorted */
  guint        n;
  unsigned int limit;
  int          alive;
} Keeper;

static GPtrArray *keepers;

/* The keeper, started with every signal blocked: system calls only, none of which fails (no
 * errno either, which is its parent thread's: the two share their memory) — close_range exists
 * (else start_keeper forks), a read of a valid pipe with no signal to interrupt it */
static int
keeper_main (void *data)
{
  Keeper *k = data;
  char c;

  close_all_but (k->fds, k->n, k->limit);
  /* (signals blocked: no EINTR; it returns 0 once this process is gone) */
  while (syscall (SYS_read, k->alive, &c, 1) > 0)
    ;
  syscall (SYS_exit, 0);
  return 0;
}

/* The keeper: a child that shares this process's memory (clone with CLONE_VM, not fork), with a
 * copy of its descriptor table. A fork copied the page tables of the whole process (1.5 ms here)
 * and made each page this process wrote afterwards a copy-on-write fault; and at this process's
 * exit the memory was torn down before its parent learnt of the exit. Shared, the memory goes
 * with the keeper's exit instead, after the command has returned (a one-shot run --rm, builds
 * alternating: 87 → 80 ms together with the unawaited deletion of a removed container's files,
 * on a machine whose page faults are slow). Valgrind runs no such clone (it aborts): under it, a
 * fork; and before Linux 5.9 too. */
static pid_t
start_keeper (Keeper *k)
{
  sigset_t all, old;
  pid_t child;
  /* (first above last: EINVAL where close_range exists, Linux 5.9 on; close_span's fallback
   * would write errno) */
  gboolean share = syscall (SYS_close_range, 1U, 0U, 0) != 0 && errno == EINVAL;

#ifdef HAVE_VALGRIND_H
  share = share && !RUNNING_ON_VALGRIND;
#endif
  if (!share)
    {
      child = fork ();
      if (child == 0)
        keeper_main (k);
      return child;
    }
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &old);
  child = clone (keeper_main, k->stack + sizeof k->stack, CLONE_VM | SIGCHLD, k);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  return child;
}

pid_t
hatake_inotify_hand_over (void)
{
  g_autoptr(GArray) fds = NULL;
  struct rlimit files = { 0 };
  int alive[2];
  pid_t child = -1;

  g_mutex_lock (&kept_lock);
  fds = g_steal_pointer (&kept);
  g_mutex_unlock (&kept_lock);
  if (fds == NULL || fds->len == 0)
    return 0;

  /* the keeper reads the end of a pipe whose other end only this process holds: the read ends
   * once this process has exited, its descriptors closed (a pidfd would do, but valgrind does
   * not know pidfd_open) */
  if (pipe2 (alive, O_CLOEXEC) == 0)
    {
      Keeper *k = g_new0 (Keeper, 1);

      g_array_append_val (fds, alive[0]);
      g_array_sort (fds, compare_fds);
      g_assert (fds->len <= G_N_ELEMENTS (k->fds));
      memcpy (k->fds, fds->data, fds->len * sizeof (int));
      k->n = fds->len;
      if (getrlimit (RLIMIT_NOFILE, &files) < 0 || files.rlim_cur > 65536)
        files.rlim_cur = 65536;
      k->limit = (unsigned int) files.rlim_cur;
      k->alive = alive[0];
      if (keepers == NULL)
        keepers = g_ptr_array_new ();
      g_ptr_array_add (keepers, k);
      child = start_keeper (k);
      /* (alive[1] stays open until this process exits) */
      if (child < 0)
        close (alive[1]);
    }
  /* with the keeper's references, these closes are not the last: none waits (or, without a
   * keeper, they wait here, as they would have at exit) */
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  return child > 0 ? child : -1;
}
