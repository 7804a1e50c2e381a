/* hatake-application.h: hatake-desktop's application object
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HATAKE_TYPE_APPLICATION (hatake_application_get_type ())
G_DECLARE_FINAL_TYPE (HatakeApplication, hatake_application, HATAKE, APPLICATION, AdwApplication)

HatakeApplication *hatake_application_new           (void);
const char        *hatake_application_get_data_root (HatakeApplication *self);
/* The Docker Engine API socket while the app hosts the engine, else NULL. */
const char        *hatake_application_get_api_socket (HatakeApplication *self);
GMenuModel        *hatake_application_get_engine_menu (HatakeApplication *self);
/* What the switcher says of the engine shown ("This Computer", a context's name…) */
const char        *hatake_application_get_engine_label (HatakeApplication *self);
void               hatake_application_set_data_root (HatakeApplication *self,
                                                     const char        *data_root);

G_END_DECLS
