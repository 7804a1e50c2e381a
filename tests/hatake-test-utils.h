/* hatake-test-utils.h: what the integration tests share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hatake-core.h"
#include "hatake-local-engine.h"

G_BEGIN_DECLS

/* Skips the test when a service is missing, except under CI=true where that fails it. */
gboolean     hatake_test_require_env      (const char     *name);
gboolean     hatake_test_require_root     (void);
JsonObject  *hatake_test_fixture          (const char     *reference);
char        *hatake_test_registry_ref     (const char     *reference);
char        *hatake_test_make_data_root   (void);
void         hatake_test_remove_tree      (const char     *path);
/* The subnet of a network as inspect (or create) gives it: IPAM.Config[0].Subnet */
char        *hatake_test_network_subnet   (JsonNode       *network);
HatakeEngine *hatake_test_engine_new      (const char     *data_root,
                                           HatakeConfig   *config);
HatakeImage *hatake_test_pull             (HatakeEngine   *engine,
                                           const char     *reference,
                                           const char     *platform,
                                           HatakePull     *progress,
                                           GError        **error);
char        *hatake_test_snapshot_store   (const char     *data_root);
void         hatake_test_run_until_done   (gpointer       *result_slot);
/* A GAsyncReadyCallback keeping the result in *USER_DATA (a GAsyncResult *, NULL before), for
 * hatake_test_run_until_done() */
void         hatake_test_keep_result      (GObject        *source,
                                           GAsyncResult   *result,
                                           gpointer        user_data);

G_END_DECLS
