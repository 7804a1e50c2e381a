/* hatake-pull.h: the observable progress of one image pull
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  HATAKE_LAYER_WAITING,
  HATAKE_LAYER_DOWNLOADING,
  HATAKE_LAYER_VERIFYING,
  HATAKE_LAYER_EXTRACTING,
  HATAKE_LAYER_DONE,
  HATAKE_LAYER_EXISTS,      /* already in the store: nothing fetched */
  HATAKE_LAYER_FAILED,
} HatakeLayerState;

#define HATAKE_TYPE_LAYER_STATE (hatake_layer_state_get_type ())
GType hatake_layer_state_get_type (void) G_GNUC_CONST;
const char *hatake_layer_state_to_string (HatakeLayerState state);

#define HATAKE_TYPE_PULL_LAYER (hatake_pull_layer_get_type ())
G_DECLARE_FINAL_TYPE (HatakePullLayer, hatake_pull_layer, HATAKE, PULL_LAYER, GObject)

HatakePullLayer  *hatake_pull_layer_new         (const char       *digest,
                                                 gint64            total);
const char       *hatake_pull_layer_get_digest  (HatakePullLayer  *self);
HatakeLayerState  hatake_pull_layer_get_state   (HatakePullLayer  *self);
void              hatake_pull_layer_set_state   (HatakePullLayer  *self,
                                                 HatakeLayerState  state);
gint64            hatake_pull_layer_get_current (HatakePullLayer  *self);
void              hatake_pull_layer_set_current (HatakePullLayer  *self,
                                                 gint64            current);
gint64            hatake_pull_layer_get_total   (HatakePullLayer  *self);
double            hatake_pull_layer_get_fraction(HatakePullLayer  *self);

#define HATAKE_TYPE_PULL (hatake_pull_get_type ())
G_DECLARE_FINAL_TYPE (HatakePull, hatake_pull, HATAKE, PULL, GObject)

HatakePull       *hatake_pull_new               (const char       *reference);
const char       *hatake_pull_get_reference     (HatakePull       *self);
const char       *hatake_pull_get_status        (HatakePull       *self);
void              hatake_pull_set_status        (HatakePull       *self,
                                                 const char       *status);
const char       *hatake_pull_get_digest        (HatakePull       *self);
void              hatake_pull_set_digest        (HatakePull       *self,
                                                 const char       *digest);
GListModel       *hatake_pull_get_layers        (HatakePull       *self);
HatakePullLayer  *hatake_pull_add_layer         (HatakePull       *self,
                                                 const char       *digest,
                                                 gint64            total);
HatakePullLayer  *hatake_pull_find_layer        (HatakePull       *self,
                                                 const char       *digest);
double            hatake_pull_get_fraction      (HatakePull       *self);
/* The credentials this transfer alone uses (docker's X-Registry-Auth), over the engine's own */
void              hatake_pull_set_credentials   (HatakePull       *self,
                                                 const char       *username,
                                                 const char       *password);
gboolean          hatake_pull_get_credentials   (HatakePull       *self,
                                                 const char      **username,
                                                 const char      **password);
/* A push's words for a layer's state, as docker's push progress says them */
const char       *hatake_layer_state_to_push_string (HatakeLayerState state);

G_END_DECLS
