/* hatake-preferences-window.h: the app's preferences
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_PREFERENCES_WINDOW (hatake_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (HatakePreferencesWindow, hatake_preferences_window, HATAKE, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* SETTINGS: the app's (NULL without a schema: those rows are off). ENGINE (may be NULL) and
 * ENGINE_LABEL: the engine the window shows; API_SOCKET: the socket the app serves, NULL when it
 * does not host the engine. */
GtkWidget  *hatake_preferences_window_new            (GtkWindow  *parent,
                                                      GSettings  *settings,
                                                      HatakeEngine *engine,
                                                      const char *engine_label,
                                                      const char *api_socket);
/* The Docker Engine API socket the docker CLI should use for the engine shown */
const char *hatake_preferences_window_get_socket     (HatakePreferencesWindow *self);
/* `docker context create hatake --docker host=unix://SOCKET` */
char       *hatake_preferences_window_dup_context_command (HatakePreferencesWindow *self);
/* ~/.config/autostart/io.github.hatake.Desktop.desktop */
char       *hatake_preferences_autostart_path        (void);

G_END_DECLS
