/* hatake-run-dialog.h: create and start a container from an image
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hatake-core.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_RUN_DIALOG (hatake_run_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HatakeRunDialog, hatake_run_dialog, HATAKE, RUN_DIALOG, AdwWindow)

GtkWidget             *hatake_run_dialog_new          (GtkWindow        *parent,
                                                       HatakeEngine     *engine,
                                                       const char       *image);
HatakeEngine          *hatake_run_dialog_get_engine   (HatakeRunDialog  *self);
const char            *hatake_run_dialog_get_image    (HatakeRunDialog  *self);
gboolean               hatake_run_dialog_get_busy     (HatakeRunDialog  *self);
HatakeContainerConfig *hatake_run_dialog_build_config (HatakeRunDialog  *self,
                                                       GError          **error);
void                   hatake_run_dialog_run          (HatakeRunDialog  *self);

/* The parsing behind the fields, exposed for the tests. */
gboolean               hatake_run_parse_env           (const char             *text,
                                                       GStrv                  *env,
                                                       GError                **error);
gboolean               hatake_run_parse_volumes       (HatakeContainerConfig  *config,
                                                       const char             *text,
                                                       GError                **error);

G_END_DECLS
