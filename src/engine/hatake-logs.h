/* hatake-logs.h: the one reader of conmon's k8s-file logs (CLI, API and app share it)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * conmon writes one record per line: `TIMESTAMP STREAM TAG CONTENT`, TIMESTAMP in RFC 3339 with
 * nanoseconds, STREAM stdout or stderr, TAG F (the content ended with a newline) or P (the
 * content continues in the stream's next record). The reader joins P records back into lines.
 *
 * At --log-size-max, conmon 2.1.6 does not truncate in place: it creates LOG.tmp, renames it over
 * LOG and writes on in the new file (a P record and its continuation can sit in two files). A
 * follower keeps reading the old descriptor to its end, then moves to the new file.
 */
#pragma once

#include <gio/gio.h>

#include "hatake-log-entry.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_LOG_READER (hatake_log_reader_get_type ())
G_DECLARE_FINAL_TYPE (HatakeLogReader, hatake_log_reader, HATAKE, LOG_READER, GObject)

/* Entries arrive through the "entry" signal (void (*) (HatakeLogReader *, HatakeLogEntry *, gpointer);
 * the entry is only valid during the emission) on the thread-default main context of
 * run_async's caller. */
HatakeLogReader *hatake_log_reader_new            (const char               *path,
                                                   const HatakeLogOptions   *options);
const char      *hatake_log_reader_get_path       (HatakeLogReader          *self);

/* Once per reader. Completes with TRUE at the end of the log when not following; when following,
 * after hatake_log_reader_stop() or hatake_log_reader_writer_exited() has had its effect. A
 * missing log is G_IO_ERROR_NOT_FOUND; cancellation G_IO_ERROR_CANCELLED. A following run keeps
 * the reader alive until it completes. */
void             hatake_log_reader_run_async      (HatakeLogReader          *self,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
gboolean         hatake_log_reader_run_finish     (HatakeLogReader          *self,
                                                   GAsyncResult             *result,
                                                   GError                  **error);

/* Following a container that has not started yet: its log is not there until conmon makes it.
 * The run waits for it instead of ending with G_IO_ERROR_NOT_FOUND, and ends with nothing when
 * the writer exits without having made one. Before run_async. */
void             hatake_log_reader_set_wait_for_log (HatakeLogReader        *self,
                                                     gboolean                wait);

/* Ends the run now, successfully; nothing more is delivered. Safe from an "entry" handler. */
void             hatake_log_reader_stop           (HatakeLogReader          *self);

/* The writer (conmon) has exited, so the log will not grow again: read everything still unread,
 * across a replacement of the file, deliver a last partial line, then complete. Call it after
 * conmon exited (its exit file exists), so that every byte written is visible. */
void             hatake_log_reader_writer_exited  (HatakeLogReader          *self);
/* While following: how many files conmon replaced before the reader could open them (their lines
 * are lost; it warns once when that happens). */
guint            hatake_log_reader_get_files_lost (HatakeLogReader          *self);


/* RFC 3339 timestamps as conmon writes them; FALSE if TEXT is not one. */
gboolean         hatake_log_parse_timestamp       (const char               *text,
                                                   gsize                     length,
                                                   gint64                   *out_ns);

/* docker's --since/--until: RFC 3339 with or without fraction and zone (no zone: local time),
 * a date alone, unix seconds with an optional fraction ("1700000000.5"), or a duration back
 * from NOW_NS ("42s", "10m", "1h30m", "1.5h", "250ms"). G_IO_ERROR_INVALID_ARGUMENT otherwise. */

G_END_DECLS
