/* hatake-window.h: hatake-desktop's main window
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_WINDOW (hatake_window_get_type ())
G_DECLARE_FINAL_TYPE (HatakeWindow, hatake_window, HATAKE, WINDOW, AdwApplicationWindow)

HatakeWindow *hatake_window_new          (GtkApplication *application,
                                          HatakeEngine   *engine);
HatakeEngine *hatake_window_get_engine   (HatakeWindow   *self);
void          hatake_window_set_engine   (HatakeWindow   *self,
                                          HatakeEngine   *engine);
void          hatake_window_show_loading (HatakeWindow   *self);
GtkWidget    *hatake_window_get_page     (HatakeWindow   *self,
                                          const char     *name);
void          hatake_window_show_message (HatakeWindow   *self,
                                          const char     *icon_name,
                                          const char     *title,
                                          const char     *description);

void          hatake_window_set_engine_switcher (HatakeWindow *self,
                                                 GMenuModel   *engines,
                                                 const char   *label,
                                                 const char   *description);

G_END_DECLS
