/* hatake-inotify.h: inotify descriptors closed without waiting for the kernel (see the .c file)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Closes an inotify descriptor without waiting for the kernel: in a thread of its own, or, once
 * hatake_inotify_keep_until_exit() was called, by hatake_inotify_hand_over(). */
void  hatake_inotify_close           (int fd);

/* For a one-shot process: from now on, closes are kept for hatake_inotify_hand_over(). */
void  hatake_inotify_keep_until_exit (void);

/* For a one-shot process, just before it exits: the kept descriptors go to a child process that
 * closes them once this process has exited; this process's own copies are closed. Returns the
 * child's PID, 0 when nothing was kept, -1 when no child could be made (then they were closed
 * here, waiting). Closes are no longer kept after it. */
pid_t hatake_inotify_hand_over       (void);

G_END_DECLS
