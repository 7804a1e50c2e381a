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
/* The engine's network namespaces of DATA_ROOT: RUN_DIR/netns (root's run folder) */
char        *hatake_test_netns_dir        (const char     *data_root);
/* How many entries the folder PATH has (it must exist) */
guint        hatake_test_count_entries    (const char     *path);
/* The owner's spares on the default network, ID → address, from its file; with READY, only
 * those set up (their .ready there). _wait_: until there are COUNT ready (15 s at most). */
GHashTable  *hatake_test_spares           (const char     *data_root,
                                           gboolean        ready);
GHashTable  *hatake_test_wait_spares      (const char     *data_root,
                                           guint           count);
HatakeEngine *hatake_test_engine_new      (const char     *data_root,
                                           HatakeConfig   *config);
void          hatake_test_settle_engine   (HatakeEngine   *engine);
void          hatake_test_drop_engine     (HatakeEngine  **engine,
                                           const char     *data_root);
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

/* A job that holds a queue (the networks' threads) until released: run
 * hatake_test_blocker_thread with the blocker as its task data. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean running, released;
} HatakeTestBlocker;

void         hatake_test_blocker_init     (HatakeTestBlocker *blocker);
void         hatake_test_blocker_clear    (HatakeTestBlocker *blocker);
void         hatake_test_blocker_thread   (GTask          *task,
                                           gpointer        source,
                                           gpointer        task_data,
                                           GCancellable   *cancellable);
/* Blocks until the job runs */
void         hatake_test_blocker_wait     (HatakeTestBlocker *blocker);
void         hatake_test_blocker_release  (HatakeTestBlocker *blocker);

G_END_DECLS
