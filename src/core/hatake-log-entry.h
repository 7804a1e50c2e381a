/* hatake-log-entry.h: container log entries, as every engine delivers them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hatake-flow.h"

G_BEGIN_DECLS

/* Also bits of HatakeLogOptions.streams. */
typedef enum
{
  HATAKE_LOG_STDOUT = 1 << 0,
  HATAKE_LOG_STDERR = 1 << 1,
} HatakeLogStream;

typedef struct
{
  gint64           timestamp;   /* ns since the epoch, of the entry's first record */
  HatakeLogStream  stream;
  GBytes          *content;     /* a whole line with its '\n'; bytes, not necessarily UTF-8 */
  gboolean         partial;     /* no '\n': the last line of a log that ended without one */
} HatakeLogEntry;

typedef struct
{
  gboolean follow;    /* wait for more at the end, until the container exits */
  gint64   tail;      /* -1: everything; N >= 0: only the last N entries (that pass the filters) */
  gint64   since;     /* ns; 0: unset. Entries older than this are skipped */
  gint64   until;     /* ns; 0: unset. The first newer entry ends the run */
  guint    streams;   /* HatakeLogStream bits; 0: both */
  HatakeFlow *flow;   /* NULL, or no more is read while it is held (the caller keeps it alive) */
} HatakeLogOptions;

#define HATAKE_LOG_OPTIONS_INIT { .follow = FALSE, .tail = -1, .since = 0, .until = 0, .streams = 0, .flow = NULL }

#define HATAKE_TYPE_LOG_ENTRY (hatake_log_entry_get_type ())
GType           hatake_log_entry_get_type (void) G_GNUC_CONST;
HatakeLogEntry *hatake_log_entry_copy     (const HatakeLogEntry *entry);
void            hatake_log_entry_free     (HatakeLogEntry       *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeLogEntry, hatake_log_entry_free)

/* Called on the main context for each entry; the entry is valid during the call only. */
typedef void (*HatakeLogFunc) (const HatakeLogEntry *entry,
                               gpointer              user_data);

/* docker's `logs -t` form: 2026-11-28T13:45:11.396711621Z (always nine digits, UTC). */
char            *hatake_log_format_timestamp      (gint64                    ns);

/* docker's --since/--until: RFC 3339 with or without fraction and zone (no zone: local time),
 * a date alone, unix seconds with an optional fraction ("1700000000.5"), or a duration back
 * from NOW_NS ("42s", "10m", "1h30m", "1.5h", "250ms"). G_IO_ERROR_INVALID_ARGUMENT otherwise. */
gboolean         hatake_log_parse_since           (const char               *text,
                                                   gint64                    now_ns,
                                                   gint64                   *out_ns,
                                                   GError                  **error);

G_END_DECLS
