/* hatake-owner.c: what kind of process owns a data root
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by hatake (is the owner's socket worth trying?) and hatake-exited (must this exit wait
 * for the owner?). Plain libc, so that hatake-exited stays free of GLib.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hatake-owner.h"

int
hatake_owner_is_long_running (const char *pid)
{
  char path[64];
  char *cmdline = NULL;
  size_t size = 0, length = 0;
  ssize_t n;
  int fd, found;

  if (pid[0] == '\0' || pid[strspn (pid, "0123456789")] != '\0' ||
      snprintf (path, sizeof path, "/proc/%s/cmdline", pid) >= (int) sizeof path)
    return 0;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  /* the whole of it: a long argument (a data root's path) may come before the one that tells */
  do
    {
      if (length + 1 >= size)
        {
          char *bigger = realloc (cmdline, size = size ? size * 2 : 4096);

          if (bigger == NULL)
            {
              free (cmdline);
              close (fd);
              return 0;
            }
          cmdline = bigger;
        }
      n = read (fd, cmdline + length, size - length - 1);
      if (n > 0)
        length += (size_t) n;
    }
  while (n > 0);
  close (fd);
  if (n < 0 || length == 0)
    {
      free (cmdline);
      return 0;
    }
  /* NUL-separated words: as one line, " serve" is a word of its own */
  for (size_t i = 0; i < length; i++)
    if (cmdline[i] == '\0')
      cmdline[i] = ' ';
  cmdline[length] = '\0';
  found = strstr (cmdline, " serve") != NULL || strstr (cmdline, "hatake-desktop") != NULL;
  free (cmdline);
  return found;
}
