/* hatake-log-view.h: a container's log, live, for any number of lines
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hatake-engine.h"
#include "hatake-log-entry.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_LOG_VIEW (hatake_log_view_get_type ())
G_DECLARE_FINAL_TYPE (HatakeLogView, hatake_log_view, HATAKE, LOG_VIEW, GtkWidget)

GtkWidget *hatake_log_view_new               (void);

/* Adds one entry; it shows within a frame. hatake_log_view_append_func is the same as a
 * HatakeLogFunc, with the view as its data. */
void       hatake_log_view_append            (HatakeLogView        *self,
                                              const HatakeLogEntry *entry);
void       hatake_log_view_append_func       (const HatakeLogEntry *entry,
                                              gpointer              view);

/* Clears the view and shows CONTAINER_ID's whole log, then follows it until the container exits.
 * Replaces (cancels) a previous one; disposing the view cancels it too. */
void       hatake_log_view_follow_container  (HatakeLogView        *self,
                                              HatakeEngine         *engine,
                                              const char           *container_id);

/* Writes the log as shown (with timestamps when shown) to FILE; the file chooser uses it. */
void       hatake_log_view_save_async        (HatakeLogView        *self,
                                              GFile                *file,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean   hatake_log_view_save_finish       (HatakeLogView        *self,
                                              GAsyncResult         *result,
                                              GError              **error);

guint      hatake_log_view_get_n_lines       (HatakeLogView        *self);
void       hatake_log_view_clear             (HatakeLogView        *self);

gboolean   hatake_log_view_get_following     (HatakeLogView        *self);
void       hatake_log_view_set_following     (HatakeLogView        *self,
                                              gboolean              following);
gboolean   hatake_log_view_get_show_timestamps (HatakeLogView      *self);
void       hatake_log_view_set_show_timestamps (HatakeLogView      *self,
                                              gboolean              show_timestamps);
gboolean   hatake_log_view_get_wrap          (HatakeLogView        *self);
void       hatake_log_view_set_wrap          (HatakeLogView        *self,
                                              gboolean              wrap);

G_END_DECLS
