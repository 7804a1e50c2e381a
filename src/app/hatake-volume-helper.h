/* hatake-volume-helper.h: a volume's files through a throwaway container
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

/* Where a helper container mounts its volume */
#define HATAKE_VOLUME_HELPER_PATH "/v"
/* The label that marks helper containers */
#define HATAKE_VOLUME_HELPER_LABEL "io.github.hatake.volume-helper"

/* A container (created, never started) with VOLUME at HATAKE_VOLUME_HELPER_PATH, made from an
 * image the engine has (busybox's when there). The finish gives its id; remove it with
 * hatake_volume_helper_remove_async(). */
void      hatake_volume_helper_create_async  (HatakeEngine        *engine,
                                              const char          *volume,
                                              gboolean             read_only,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
char     *hatake_volume_helper_create_finish (HatakeEngine        *engine,
                                              GAsyncResult        *result,
                                              GError             **error);
void      hatake_volume_helper_remove_async  (HatakeEngine        *engine,
                                              const char          *id,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);

/* Writes VOLUME's files as a tar (entries "./…", as `tar -C DIR -cf FILE .`) into FILE. */
void      hatake_volume_export_async         (HatakeEngine        *engine,
                                              const char          *volume,
                                              GFile               *file,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  hatake_volume_export_finish        (HatakeEngine        *engine,
                                              GAsyncResult        *result,
                                              GError             **error);
/* Extracts the tar FILE into VOLUME (over what is there). */
void      hatake_volume_import_async         (HatakeEngine        *engine,
                                              const char          *volume,
                                              GFile               *file,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  hatake_volume_import_finish        (HatakeEngine        *engine,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
