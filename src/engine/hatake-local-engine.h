/* hatake-local-engine.h: the engine in this process
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-engine.h"
#include "hatake-config.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_LOCAL_ENGINE (hatake_local_engine_get_type ())
G_DECLARE_FINAL_TYPE (HatakeLocalEngine, hatake_local_engine, HATAKE, LOCAL_ENGINE, GObject)

/* Opens (creating or migrating) the store at data_root — NULL for the default root — and takes
 * the data root's lock. config may be NULL: then it is loaded from the default places. */
HatakeLocalEngine *hatake_local_engine_new           (const char         *data_root,
                                                      HatakeConfig       *config,
                                                      GError            **error);
/* The same, but a data root without a store is HATAKE_ERROR_NOT_FOUND instead of a new store. */
HatakeLocalEngine *hatake_local_engine_new_existing  (const char         *data_root,
                                                      GError            **error);
const char        *hatake_local_engine_get_data_root (HatakeLocalEngine  *self);
char              *hatake_default_data_root          (void);
/* Brings the containers in line with what happened while no engine ran (exits, --rm, restart
 * policies). Call once after new(); models are usable before it finishes. */
void               hatake_local_engine_recover_async (HatakeLocalEngine  *self,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean           hatake_local_engine_recover_finish (HatakeLocalEngine *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
/* Completes once no removal or network teardown started here is still under way: a one-shot
 * command waits for it before it exits, so that it never leaves one half done. */
void               hatake_local_engine_settle_async  (HatakeLocalEngine  *self,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean           hatake_local_engine_settle_finish (HatakeLocalEngine  *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
const char        *hatake_local_engine_get_runtime_note (HatakeLocalEngine *self);
/* Where the runtime's state, conmon's sockets and exit files live (under /run). */
const char        *hatake_local_engine_get_run_dir  (HatakeLocalEngine  *self);
/* Blocking (netavark): a long-running owner keeps the default bridge up while it runs
 * (hatake_networks_hold_default); call with FALSE before it exits. */
gboolean           hatake_local_engine_hold_default_network (HatakeLocalEngine *self,
                                                             gboolean           hold,
                                                             GError           **error);

/* Healthchecks are probed while this engine runs, from new() on (the app, hatake serve); a
 * one-shot command, which exits in a moment, turns them off before it recovers. */
void               hatake_local_engine_set_healthchecks (HatakeLocalEngine *self,
                                                         gboolean           enabled);
/* LEFT: what is left of containers removed at their exit (their files, their runtime's delete)
 * is left to conmon's exit command (hatake_containers_set_exit_cleanup_left): for a one-shot
 * command, which that command follows. */
void               hatake_local_engine_set_exit_cleanup_left (HatakeLocalEngine *self,
                                                            gboolean           left);
G_END_DECLS
