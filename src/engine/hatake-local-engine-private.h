/* hatake-local-engine-private.h: shared by the files of HatakeLocalEngine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-config.h"
#include "hatake-containers.h"
#include "hatake-local-engine.h"
#include "hatake-registry.h"
#include "hatake-store.h"

G_BEGIN_DECLS

struct _HatakeLocalEngine
{
  GObject         parent_instance;

  HatakeConfig   *config;
  HatakeStore    *store;
  HatakeRegistry *registry;   /* made at its first use: default_registry() */
  HatakeContainers *containers;
  GListStore     *images;
  char           *description;
  GCancellable   *cancellable;

  GHashTable     *layer_ops;          /* chain ID → LayerOp: one fetch+unpack per layer at a time */
  GHashTable     *blob_ops;           /* digest → BlobOp: one download per blob at a time */
  guint           active_downloads;
  struct _HatakeStatsWatcher *stats; /* the watched containers' resource use (made when first needed) */
  GQueue          download_queue;     /* of BlobOp waiting for a download slot */
  GMainContext   *context;            /* where the engine's signals are emitted */
};

void     _hatake_local_engine_refresh_images (HatakeLocalEngine   *self);
void     _hatake_local_engine_pull_async     (HatakeEngine        *engine,
                                              const char          *reference,
                                              const char          *platform,
                                              HatakePull          *progress,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
HatakeImage *_hatake_local_engine_pull_finish (HatakeEngine       *engine,
                                              GAsyncResult        *result,
                                              GError             **error);
JsonNode    *_hatake_local_engine_propagate_json (HatakeEngine  *engine,
                                                 GAsyncResult  *result,
                                                 GError       **error);
void         _hatake_local_engine_images_iface_init (HatakeEngineInterface *iface);
void         _hatake_local_engine_push_iface_init (HatakeEngineInterface *iface);
void         _hatake_local_engine_archive_iface_init (HatakeEngineInterface *iface);
HatakeRegistry *_hatake_local_engine_registry_for (HatakeLocalEngine     *self,
                                               const HatakeReference *ref,
                                               HatakePull            *progress);
HatakeImage *_hatake_local_engine_find_image (HatakeLocalEngine   *self,
                                              const char          *id);

G_END_DECLS
