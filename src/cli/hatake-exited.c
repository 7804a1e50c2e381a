/* hatake-exited.c: conmon's exit command, the part that runs at every container exit
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   hatake-exited HATAKE DATA_ROOT ID
 *
 * A container's exit needs `HATAKE --data-root DATA_ROOT system recover` (its --rm, its restart
 * policy) only when no engine deals with it. This decides that from the data root's lock, in a
 * few system calls, before anything as heavy as hatake (some 40 libraries to load) starts while
 * the engine that owns the data root is busy with that same exit:
 *   - a long-running engine (hatake serve, the app) owns the data root: it watches exits
 *     itself, nothing to do;
 *   - a one-shot command (hatake run…) owns it: wait for it to end (15 s at most, as
 *     system recover does), then, if the container is gone (its --rm was applied), run the
 *     runtime deletes the command saved for it (runtime-deletes/ID: it does not run those of
 *     containers removed at their exit) and delete what it left of removed containers' files
 *     (it does not wait for that: tmp/removed-*, garbage whoever deletes it), nothing more;
 *   - otherwise, or when unsure, run system recover.
 * Plain libc: no GLib to load either.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hatake-owner.h"

#define WAIT_SECONDS 15
#define MAX_DELETES  64   /* taken at a time; the next engine runs any left */
#define MAX_ARGS     32

/* A runtime delete saved by the engine (hatake_runtime_save_delete): NUL-terminated strings, the
 * runtime's environment up to an empty string, then its binary and global options */
typedef struct
{
  char    id[NAME_MAX + 1];
  char   *text;
  ssize_t length;
} Delete;

static void
on_alarm (int sig)
{
  (void) sig;
}

/* The pid the lock's holder wrote into it, or "" */
static void
read_holder (int fd, char *pid, size_t size)
{
  ssize_t n = pread (fd, pid, size - 1, 0);

  pid[n > 0 ? n : 0] = '\0';
  pid[strcspn (pid, "\n")] = '\0';
}

static int
remove_entry (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  (void) st;
  (void) type;
  (void) ftw;
  remove (path);
  return 0;
}

/* The files of containers removed at their exit, renamed whole into ROOT/tmp/removed-* by the
 * engine that removed them: never crossing into another file system (a mount left there) */
static void
sweep_removed (const char *root)
{
  char tmp[PATH_MAX], path[PATH_MAX];
  struct dirent *entry;
  DIR *dir;

  if (snprintf (tmp, sizeof tmp, "%s/tmp", root) >= (int) sizeof tmp || (dir = opendir (tmp)) == NULL)
    return;
  while ((entry = readdir (dir)) != NULL)
    if (strncmp (entry->d_name, "removed-", 8) == 0 &&
        snprintf (path, sizeof path, "%s/%s", tmp, entry->d_name) < (int) sizeof path)
      nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  closedir (dir);
}

/* Reads the file PATH (a saved delete) whole, or NULL */
static char *
read_small (const char *path, ssize_t *length)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  char *text = NULL;
  struct stat st;

  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0 && st.st_size <= 65536 &&
      (text = malloc ((size_t) st.st_size)) != NULL &&
      (*length = read (fd, text, (size_t) st.st_size)) != st.st_size)
    {
      free (text);
      text = NULL;
    }
  if (fd >= 0)
    close (fd);
  return text;
}

/* Takes the deletes saved in ROOT/runtime-deletes: a file is taken by whoever deletes it (a
 * sibling of this process, or the next engine, may be at it too) */
static size_t
take_deletes (const char *root, Delete *deletes, size_t max)
{
  char dir_path[PATH_MAX], path[PATH_MAX];
  struct dirent *entry;
  size_t n = 0;
  DIR *dir;

  if (snprintf (dir_path, sizeof dir_path, "%s/runtime-deletes", root) >= (int) sizeof dir_path ||
      (dir = opendir (dir_path)) == NULL)
    return 0;
  while (n < max && (entry = readdir (dir)) != NULL)
    {
      Delete *d = &deletes[n];

      /* (temporary files have a dot in their name) */
      if (strchr (entry->d_name, '.') != NULL ||
          snprintf (path, sizeof path, "%s/%s", dir_path, entry->d_name) >= (int) sizeof path ||
          (d->text = read_small (path, &d->length)) == NULL)
        continue;
      if (unlink (path) != 0)
        {
          free (d->text);
          continue;
        }
      snprintf (d->id, sizeof d->id, "%s", entry->d_name);
      n++;
    }
  closedir (dir);
  return n;
}

/* Runs DELETE (`delete ID`, or `delete --force ID`); TRUE when it succeeded */
static int
run_delete (const Delete *delete, int force)
{
  char *argv[MAX_ARGS + 4];
  size_t n = 0, i = 0;
  int status = -1;
  pid_t pid;

  if (delete->text[delete->length - 1] != '\0')
    return 1;  /* (not one: nothing to retry) */
  for (; i < (size_t) delete->length && delete->text[i] != '\0'; i += strlen (delete->text + i) + 1)
    ;
  for (i++; i < (size_t) delete->length && n < MAX_ARGS; i += strlen (delete->text + i) + 1)
    argv[n++] = delete->text + i;
  if (n == 0 || argv[0][0] != '/')
    return 1;
  argv[n++] = (char *) "delete";
  if (force)
    argv[n++] = (char *) "--force";
  argv[n++] = (char *) delete->id;
  argv[n] = NULL;

  pid = fork ();
  if (pid == 0)
    {
      for (i = 0; delete->text[i] != '\0'; i += strlen (delete->text + i) + 1)
        putenv (delete->text + i);
      execv (argv[0], argv);
      _exit (127);
    }
  while (pid > 0 && waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return pid > 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static int
recover (const char *hatake, const char *root)
{
  execl (hatake, hatake, "--data-root", root, "system", "recover", (char *) NULL);
  fprintf (stderr, "hatake-exited: cannot run %s: %s\n", hatake, strerror (errno));
  return 1;
}

int
main (int argc, char **argv)
{
  const char *hatake, *root, *id;
  char lock[PATH_MAX], container[PATH_MAX], pid[32];
  struct sigaction alarm_action = { .sa_handler = on_alarm };
  struct stat st;
  int fd;

  if (argc != 4 || strchr (argv[3], '/') != NULL || argv[3][0] == '\0' || argv[3][0] == '.')
    {
      fprintf (stderr, "usage: hatake-exited HATAKE DATA_ROOT ID\n");
      return 2;
    }
  hatake = argv[1];
  root = argv[2];
  id = argv[3];
  if (snprintf (lock, sizeof lock, "%s/lock", root) >= (int) sizeof lock ||
      snprintf (container, sizeof container, "%s/containers/%s", root, id) >= (int) sizeof container)
    return recover (hatake, root);

  fd = open (lock, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return recover (hatake, root);  /* (no store, or not ours to read: system recover knows) */
  if (flock (fd, LOCK_SH | LOCK_NB) == 0)
    {
      close (fd);  /* no engine: the exit is ours */
      return recover (hatake, root);
    }
  read_holder (fd, pid, sizeof pid);
  if (pid[0] != '\0' && hatake_owner_is_long_running (pid))
    return 0;

  /* a one-shot command: it may apply this exit itself before it ends */
  sigaction (SIGALRM, &alarm_action, NULL);
  alarm (WAIT_SECONDS);
  if (flock (fd, LOCK_SH) != 0)
    {
      fprintf (stderr, "hatake-exited: the data root %s is still in use (pid %s)\n", root, pid);
      return 1;
    }
  alarm (0);
  if (lstat (container, &st) != 0 && errno == ENOENT)
    {
      Delete deletes[MAX_DELETES];
      size_t n = take_deletes (root, deletes, MAX_DELETES);

      /* (an ignored SIGCHLD, inherited through the exec, would reap the runtime's exit status) */
      signal (SIGCHLD, SIG_DFL);
      /* (unlocked: the next command need not wait for this) */
      close (fd);
      for (size_t i = 0; i < n; i++)
        {
          if (!run_delete (&deletes[i], 0))
            run_delete (&deletes[i], 1);
          free (deletes[i].text);
        }
      sweep_removed (root);
      return 0;
    }
  close (fd);
  return recover (hatake, root);
}
