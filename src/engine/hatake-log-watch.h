/* hatake-log-watch.h: a thread that opens each file conmon puts at a log's path, at once
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For HatakeLogReader while it follows (see hatake-logs.c on conmon's replacements). The
 * thread blocks in poll() on an inotify descriptor of its own and opens the file the instant
 * conmon creates LOG.tmp (or LOG appears), then hands the descriptor over through an idle
 * source on CONTEXT: events arrive there in order, in that context's thread. It counts the
 * files conmon replaced before they could be opened.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _HatakeLogWatch HatakeLogWatch;

typedef struct
{
  int      fd;            /* an opened file, for the receiver to own; -1 for none */
  int      saved_errno;   /* fd -1 and first: why the first open failed */
  guint64  inode;
  gboolean first;         /* the answer to open_first */
  gboolean synced;        /* the answer to hatake_log_watch_sync() */
  guint    lost;          /* files replaced before they could be opened, so far */
} HatakeLogWatchEvent;

/* An event without a file is a poke (the log changed): hatake_log_watch_poke_done() lets the
 * next change poke again. WATCH is for comparison only: it may have been stopped since. */
typedef void (*HatakeLogWatchFunc) (GObject                   *owner,
                                    HatakeLogWatch            *watch,
                                    const HatakeLogWatchEvent *event);

/* OWNER is kept alive while an event is on its way; it stops the watch before it goes. */
HatakeLogWatch *hatake_log_watch_start     (const char          *path,
                                            GMainContext        *context,
                                            gboolean             open_first,
                                            GObject             *owner,
                                            HatakeLogWatchFunc   func,
                                            GError             **error);
/* The thread handles every event so far, then answers with an event whose synced is set. */
void            hatake_log_watch_sync      (HatakeLogWatch      *watch);
void            hatake_log_watch_poke_done (HatakeLogWatch      *watch);
/* Joins the thread (it wakes at once): no I/O is waited for. */
void            hatake_log_watch_stop      (HatakeLogWatch      *watch);

G_END_DECLS
