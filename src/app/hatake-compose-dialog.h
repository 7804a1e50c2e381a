/* hatake-compose-dialog.h: a compose project's preview, and bringing it up with progress per service
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hatake-compose-project.h"
#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_COMPOSE_DIALOG (hatake_compose_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HatakeComposeDialog, hatake_compose_dialog, HATAKE, COMPOSE_DIALOG, AdwWindow)

typedef enum
{
  HATAKE_COMPOSE_DIALOG_LOADING,
  HATAKE_COMPOSE_DIALOG_READY,
  HATAKE_COMPOSE_DIALOG_INVALID,
  HATAKE_COMPOSE_DIALOG_STARTING,
  HATAKE_COMPOSE_DIALOG_DONE,
  HATAKE_COMPOSE_DIALOG_CANCELLED,
  HATAKE_COMPOSE_DIALOG_FAILED,
} HatakeComposeDialogState;

/* FILE: a compose file, or a folder holding one (compose.yaml, compose.yml, docker-compose.yaml,
 * docker-compose.yml, in that order). It is read at once, in a thread. ENGINE may be NULL: the
 * preview shows, and Start stays off. */
GtkWidget                *hatake_compose_dialog_new         (GtkWindow           *parent,
                                                             HatakeEngine        *engine,
                                                             GFile               *file);
HatakeComposeDialogState  hatake_compose_dialog_get_state   (HatakeComposeDialog *self);
/* Returns: (nullable): the project read, once it was */
HatakeComposeProject     *hatake_compose_dialog_get_project (HatakeComposeDialog *self);
/* Returns: (nullable): why the file could not be read ("FILE:LINE:COLUMN: …") */
const char               *hatake_compose_dialog_get_error   (HatakeComposeDialog *self);
/* What SERVICE's row says of its progress ("Pulling", "Started"…), or NULL. */
const char               *hatake_compose_dialog_get_service_status (HatakeComposeDialog *self,
                                                                    const char          *service);
void                      hatake_compose_dialog_start       (HatakeComposeDialog *self);
void                      hatake_compose_dialog_cancel      (HatakeComposeDialog *self);

/* The compose file FILE names: FILE itself, or the one a folder holds. Does I/O: call it in a thread. */
GFile                    *hatake_compose_find_file          (GFile               *file,
                                                             GCancellable        *cancellable,
                                                             GError             **error);

G_END_DECLS
