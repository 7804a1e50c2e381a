/* hatake-window-compose.h: the window's ways to open a compose project — a drop, the primary
 * menu's "Open Compose File…" (win.open-compose), the command line
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-window.h"

G_BEGIN_DECLS

/* For hatake_window_init: the drop target on the whole window and win.open-compose (Ctrl+O). */
void           _hatake_window_compose_init           (HatakeWindow *self);

/* The drop target (GDK_TYPE_FILE_LIST) whose "drop" opens a compose project's preview. */
GtkDropTarget *hatake_window_get_compose_drop_target (HatakeWindow *self);
/* What a drop does: the preview of the file (a compose file, or a folder holding one); of
 * several, one project with the files merged in the order they came (compose -f A -f B).
 * Returns: (transfer none) (nullable): the dialog shown, NULL when FILES is empty */
GtkWidget     *hatake_window_drop_compose_files      (HatakeWindow *self,
                                                      GdkFileList  *files);
/* The preview of FILE (a compose file or a folder holding one), on the window's engine.
 * Returns: (transfer none): the dialog shown */
GtkWidget     *hatake_window_open_compose_file       (HatakeWindow *self,
                                                      GFile        *file);

G_END_DECLS
