/* hatake-widget-utils.h: what the app's pages, cells and dialogs share — toasts, the window they
 * are in, a dialog's message line, menus built on demand
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* A toast that shows TEXT as it is (not as markup); a STICKY one stays until dismissed. */
AdwToast  *hatake_toast_new         (const char      *text,
                                     gboolean         sticky);
/* Adds hatake_toast_new (TEXT, STICKY) to OVERLAY. */
void       hatake_toast_show        (AdwToastOverlay *overlay,
                                     const char      *text,
                                     gboolean         sticky);
/* Shows MESSAGE (NULL: hides LABEL) in one of the styles "error", "dim-label" or "success"
 * (NULL: none): a dialog's line that says how its work went. */
void       hatake_label_set_message (GtkLabel        *label,
                                     const char      *message,
                                     const char      *style);
/* MENU becomes BUTTON's menu the first time BUTTON opens: its GtkPopoverMenu is built then, not
 * with the window (a window's menus cost its first frame more than their buttons do). */
void       hatake_menu_button_set_menu_on_demand (GtkMenuButton *button,
                                                  GMenuModel    *menu);
/* The window WIDGET is in, for the dialogs it opens; NULL while it is in none. */
GtkWindow *hatake_widget_get_window (GtkWidget       *widget);

G_END_DECLS
