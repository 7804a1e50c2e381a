/* hatake-log-line.h: a container log kept compactly, and the row objects made from it on demand
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * HatakeLogBuffer stores every line as text in one byte array plus a small fixed-size record
 * (offset, length, stream, timestamp, colour spans); it is a GListModel of HatakeLogLine, but
 * makes a line object only when the list asks for one (get_item), so a million lines cost their
 * text and ~32 bytes each, not a million GObjects.
 *
 * The buffer also owns what changes how every line looks (timestamps shown, the search and its
 * current match): it updates the lines that are alive (on screen) in place, through their
 * properties, instead of replacing items.
 */
#pragma once

#include <gio/gio.h>
#include <pango/pango.h>

#include "hatake-log-entry.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_LOG_LINE (hatake_log_line_get_type ())
G_DECLARE_FINAL_TYPE (HatakeLogLine, hatake_log_line, HATAKE, LOG_LINE, GObject)

guint           hatake_log_line_get_position   (HatakeLogLine *self);
const char     *hatake_log_line_get_text       (HatakeLogLine *self);
PangoAttrList  *hatake_log_line_get_attributes (HatakeLogLine *self);
gboolean        hatake_log_line_get_is_stderr  (HatakeLogLine *self);
gint64          hatake_log_line_get_timestamp  (HatakeLogLine *self);

#define HATAKE_TYPE_LOG_BUFFER (hatake_log_buffer_get_type ())
G_DECLARE_FINAL_TYPE (HatakeLogBuffer, hatake_log_buffer, HATAKE, LOG_BUFFER, GObject)

HatakeLogBuffer *hatake_log_buffer_new              (void);

/* Stores the entry (ANSI SGR colours become attributes, other escapes are dropped); the model
 * shows it after the next flush, which publishes everything pending in one items-changed. */
void             hatake_log_buffer_append           (HatakeLogBuffer      *self,
                                                     const HatakeLogEntry *entry);
gboolean         hatake_log_buffer_has_pending      (HatakeLogBuffer      *self);
void             hatake_log_buffer_flush            (HatakeLogBuffer      *self);
void             hatake_log_buffer_clear            (HatakeLogBuffer      *self);

/* Every line stored, published or not. */
guint            hatake_log_buffer_get_n_lines      (HatakeLogBuffer      *self);

gboolean         hatake_log_buffer_get_show_timestamps (HatakeLogBuffer   *self);
void             hatake_log_buffer_set_show_timestamps (HatakeLogBuffer   *self,
                                                        gboolean           show_timestamps);

/* The published lines from FIRST to LAST (inclusive), as shown (with timestamps when shown),
 * each ending with '\n'. POSITIONS, if not NULL, picks lines instead (sorted, ascending). */
GBytes          *hatake_log_buffer_dup_text         (HatakeLogBuffer      *self,
                                                     guint                 first,
                                                     guint                 last);
GBytes          *hatake_log_buffer_dup_lines        (HatakeLogBuffer      *self,
                                                     const guint          *positions,
                                                     gsize                 n_positions);

/* Case-insensitive search of the lines' text (not their timestamps); NULL or "" ends it. Lines
 * published later are searched as they come. The current match is -1 until one is chosen. */
void             hatake_log_buffer_set_search       (HatakeLogBuffer      *self,
                                                     const char           *text);
const char      *hatake_log_buffer_get_search       (HatakeLogBuffer      *self);
guint            hatake_log_buffer_get_n_matches    (HatakeLogBuffer      *self);
gboolean         hatake_log_buffer_get_matches_truncated (HatakeLogBuffer *self);
int              hatake_log_buffer_get_current_match (HatakeLogBuffer     *self);
/* Makes MATCH current (wrapping around) and returns its line's position. */
guint            hatake_log_buffer_set_current_match (HatakeLogBuffer     *self,
                                                      int                  match);

/* Exposed for the tests: ANSI parsing of one line. Returns the text without escapes. */
char            *hatake_log_parse_ansi              (const char           *data,
                                                     gsize                 length,
                                                     PangoAttrList       **attributes);

G_END_DECLS
