/* hatake-pull-dialog.h: pull an image, with a progress bar per layer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hatake-core.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_PULL_DIALOG (hatake_pull_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HatakePullDialog, hatake_pull_dialog, HATAKE, PULL_DIALOG, AdwWindow)

typedef enum
{
  HATAKE_PULL_DIALOG_IDLE,
  HATAKE_PULL_DIALOG_PULLING,
  HATAKE_PULL_DIALOG_DONE,
  HATAKE_PULL_DIALOG_CANCELLED,
  HATAKE_PULL_DIALOG_FAILED,
} HatakePullDialogState;

GtkWidget             *hatake_pull_dialog_new       (GtkWindow        *parent,
                                                     HatakeEngine     *engine);
HatakeEngine          *hatake_pull_dialog_get_engine (HatakePullDialog *self);
HatakePull            *hatake_pull_dialog_get_pull  (HatakePullDialog *self);
HatakePullDialogState  hatake_pull_dialog_get_state (HatakePullDialog *self);
void                   hatake_pull_dialog_start     (HatakePullDialog *self);
void                   hatake_pull_dialog_cancel    (HatakePullDialog *self);

G_END_DECLS
