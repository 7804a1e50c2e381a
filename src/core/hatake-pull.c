/* hatake-pull.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only ever touched on the main thread: workers report through an idle callback that calls the
 * setters, so every notify reaches bound widgets on the thread that owns them.
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <string.h>

#include "hatake-pull.h"

G_DEFINE_ENUM_TYPE (HatakeLayerState, hatake_layer_state,
  G_DEFINE_ENUM_VALUE (HATAKE_LAYER_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (HATAKE_LAYER_DOWNLOADING, "downloading"),
  G_DEFINE_ENUM_VALUE (HATAKE_LAYER_VERIFYING, "verifying"),
  G_DEFINE_ENUM_VALUE (HATAKE_LAYER_EXTRACTING, "extracting"),
  G_DEFINE_ENUM_VALUE (HATAKE_LAYER_DONE, "done"),
  G_DEFINE_ENUM_VALUE (HATAKE_LAYER_EXISTS, "exists"),
  G_DEFINE_ENUM_VALUE (HATAKE_LAYER_FAILED, "failed"))

/* Docker's progress words, which scripts parse: never translated. */
const char *
hatake_layer_state_to_string (HatakeLayerState state)
{
  switch (state)
    {
    case HATAKE_LAYER_WAITING: return "Waiting";
    case HATAKE_LAYER_DOWNLOADING: return "Downloading";
    case HATAKE_LAYER_VERIFYING: return "Verifying Checksum";
    case HATAKE_LAYER_EXTRACTING: return "Extracting";
    case HATAKE_LAYER_DONE: return "Pull complete";
    case HATAKE_LAYER_EXISTS: return "Already exists";
    case HATAKE_LAYER_FAILED: return "Failed";
    default: g_assert_not_reached ();
    }
}

const char *
hatake_layer_state_to_push_string (HatakeLayerState state)
{
  switch (state)
    {
    case HATAKE_LAYER_WAITING: return "Preparing";
    case HATAKE_LAYER_DOWNLOADING: return "Pushing";
    case HATAKE_LAYER_VERIFYING: return "Pushing";
    case HATAKE_LAYER_EXTRACTING: return "Pushing";
    case HATAKE_LAYER_DONE: return "Pushed";
    case HATAKE_LAYER_EXISTS: return "Layer already exists";
    case HATAKE_LAYER_FAILED: return "Failed";
    default: g_assert_not_reached ();
    }
}

struct _HatakePullLayer
{
  GObject           parent_instance;
  char             *digest;
  HatakeLayerState  state;
  gint64            current;
  gint64            total;
};

G_DEFINE_FINAL_TYPE (HatakePullLayer, hatake_pull_layer, G_TYPE_OBJECT)

enum {
  LAYER_PROP_0,
  LAYER_PROP_DIGEST,
  LAYER_PROP_STATE,
  LAYER_PROP_CURRENT,
  LAYER_PROP_TOTAL,
  LAYER_PROP_FRACTION,
  LAYER_N_PROPS
};

static GParamSpec *layer_properties[LAYER_N_PROPS];

static void
hatake_pull_layer_finalize (GObject *object)
{
  HatakePullLayer *self = (HatakePullLayer *) object;

  g_free (self->digest);
  G_OBJECT_CLASS (hatake_pull_layer_parent_class)->finalize (object);
}

static void
hatake_pull_layer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HatakePullLayer *self = HATAKE_PULL_LAYER (object);

  switch (prop_id)
    {
    case LAYER_PROP_DIGEST: g_value_set_string (value, self->digest); break;
    case LAYER_PROP_STATE: g_value_set_enum (value, self->state); break;
    case LAYER_PROP_CURRENT: g_value_set_int64 (value, self->current); break;
    case LAYER_PROP_TOTAL: g_value_set_int64 (value, self->total); break;
    case LAYER_PROP_FRACTION: g_value_set_double (value, hatake_pull_layer_get_fraction (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_pull_layer_class_init (HatakePullLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_pull_layer_finalize;
  object_class->get_property = hatake_pull_layer_get_property;

  layer_properties[LAYER_PROP_DIGEST] =
    g_param_spec_string ("digest", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  layer_properties[LAYER_PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, HATAKE_TYPE_LAYER_STATE, HATAKE_LAYER_WAITING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  layer_properties[LAYER_PROP_CURRENT] =
    g_param_spec_int64 ("current", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  layer_properties[LAYER_PROP_TOTAL] =
    g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  layer_properties[LAYER_PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, LAYER_N_PROPS, layer_properties);
}

static void
hatake_pull_layer_init (HatakePullLayer *self)
{
}

HatakePullLayer *
hatake_pull_layer_new (const char *digest,
                       gint64      total)
{
  HatakePullLayer *self;

  g_return_val_if_fail (digest != NULL, NULL);
  self = g_object_new (HATAKE_TYPE_PULL_LAYER, NULL);
  self->digest = g_strdup (digest);
  self->total = MAX (total, 0);
  return self;
}

const char *
hatake_pull_layer_get_digest (HatakePullLayer *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL_LAYER (self), NULL);
  return self->digest;
}

HatakeLayerState
hatake_pull_layer_get_state (HatakePullLayer *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL_LAYER (self), HATAKE_LAYER_WAITING);
  return self->state;
}

void
hatake_pull_layer_set_state (HatakePullLayer  *self,
                             HatakeLayerState  state)
{
  g_return_if_fail (HATAKE_IS_PULL_LAYER (self));
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), layer_properties[LAYER_PROP_STATE]);
  if (state == HATAKE_LAYER_DONE || state == HATAKE_LAYER_EXISTS)
    hatake_pull_layer_set_current (self, self->total);
}

gint64
hatake_pull_layer_get_current (HatakePullLayer *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL_LAYER (self), 0);
  return self->current;
}

void
hatake_pull_layer_set_current (HatakePullLayer *self,
                               gint64           current)
{
  g_return_if_fail (HATAKE_IS_PULL_LAYER (self));
  current = CLAMP (current, 0, MAX (self->total, current));
  if (self->current == current)
    return;
  self->current = current;
  g_object_notify_by_pspec (G_OBJECT (self), layer_properties[LAYER_PROP_CURRENT]);
  g_object_notify_by_pspec (G_OBJECT (self), layer_properties[LAYER_PROP_FRACTION]);
}

gint64
hatake_pull_layer_get_total (HatakePullLayer *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL_LAYER (self), 0);
  return self->total;
}

double
hatake_pull_layer_get_fraction (HatakePullLayer *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL_LAYER (self), 0.0);
  if (self->total <= 0)
    return self->state == HATAKE_LAYER_DONE || self->state == HATAKE_LAYER_EXISTS ? 1.0 : 0.0;
  return CLAMP ((double) self->current / (double) self->total, 0.0, 1.0);
}

struct _HatakePull
{
  GObject     parent_instance;
  char       *reference;
  char       *status;
  char       *digest;
  GListStore *layers;
  char       *username;
  char       *password;
};

G_DEFINE_FINAL_TYPE (HatakePull, hatake_pull, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REFERENCE,
  PROP_STATUS,
  PROP_DIGEST,
  PROP_LAYERS,
  PROP_FRACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hatake_pull_finalize (GObject *object)
{
  HatakePull *self = (HatakePull *) object;

  g_free (self->reference);
  g_free (self->status);
  g_free (self->digest);
  g_clear_object (&self->layers);
  g_free (self->username);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  G_OBJECT_CLASS (hatake_pull_parent_class)->finalize (object);
}

static void
hatake_pull_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HatakePull *self = HATAKE_PULL (object);

  switch (prop_id)
    {
    case PROP_REFERENCE: g_value_set_string (value, self->reference); break;
    case PROP_STATUS: g_value_set_string (value, self->status); break;
    case PROP_DIGEST: g_value_set_string (value, self->digest); break;
    case PROP_LAYERS: g_value_set_object (value, self->layers); break;
    case PROP_FRACTION: g_value_set_double (value, hatake_pull_get_fraction (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_pull_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HatakePull *self = HATAKE_PULL (object);

  switch (prop_id)
    {
    case PROP_REFERENCE: self->reference = g_value_dup_string (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_pull_class_init (HatakePullClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_pull_finalize;
  object_class->get_property = hatake_pull_get_property;
  object_class->set_property = hatake_pull_set_property;

  properties[PROP_REFERENCE] =
    g_param_spec_string ("reference", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIGEST] =
    g_param_spec_string ("digest", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAYERS] =
    g_param_spec_object ("layers", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hatake_pull_init (HatakePull *self)
{
  self->layers = g_list_store_new (HATAKE_TYPE_PULL_LAYER);
}

HatakePull *
hatake_pull_new (const char *reference)
{
  return g_object_new (HATAKE_TYPE_PULL, "reference", reference, NULL);
}

const char *
hatake_pull_get_reference (HatakePull *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL (self), NULL);
  return self->reference;
}

const char *
hatake_pull_get_status (HatakePull *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL (self), NULL);
  return self->status;
}

void
hatake_pull_set_status (HatakePull *self,
                        const char *status)
{
  g_return_if_fail (HATAKE_IS_PULL (self));
  if (g_strcmp0 (self->status, status) == 0)
    return;
  g_free (self->status);
  self->status = g_strdup (status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

const char *
hatake_pull_get_digest (HatakePull *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL (self), NULL);
  return self->digest;
}

void
hatake_pull_set_digest (HatakePull *self,
                        const char *digest)
{
  g_return_if_fail (HATAKE_IS_PULL (self));
  if (g_strcmp0 (self->digest, digest) == 0)
    return;
  g_free (self->digest);
  self->digest = g_strdup (digest);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIGEST]);
}

GListModel *
hatake_pull_get_layers (HatakePull *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL (self), NULL);
  return G_LIST_MODEL (self->layers);
}

static void
on_layer_progress (HatakePull *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

HatakePullLayer *
hatake_pull_add_layer (HatakePull *self,
                       const char *digest,
                       gint64      total)
{
  g_autoptr(HatakePullLayer) layer = NULL;

  g_return_val_if_fail (HATAKE_IS_PULL (self), NULL);

  layer = hatake_pull_layer_new (digest, total);
  g_signal_connect_object (layer, "notify::fraction", G_CALLBACK (on_layer_progress),
                           self, G_CONNECT_SWAPPED);
  g_list_store_append (self->layers, layer);
  return layer;
}

HatakePullLayer *
hatake_pull_find_layer (HatakePull *self,
                        const char *digest)
{
  guint n;

  g_return_val_if_fail (HATAKE_IS_PULL (self), NULL);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->layers));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakePullLayer) layer = g_list_model_get_item (G_LIST_MODEL (self->layers), i);
      if (g_str_equal (layer->digest, digest))
        return layer;
    }
  return NULL;
}

double
hatake_pull_get_fraction (HatakePull *self)
{
  gint64 current = 0, total = 0;
  guint n;

  g_return_val_if_fail (HATAKE_IS_PULL (self), 0.0);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->layers));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakePullLayer) layer = g_list_model_get_item (G_LIST_MODEL (self->layers), i);
      current += layer->current;
      total += layer->total;
    }
  return total > 0 ? CLAMP ((double) current / (double) total, 0.0, 1.0) : 0.0;
}

void
hatake_pull_set_credentials (HatakePull *self,
                             const char *username,
                             const char *password)
{
  g_return_if_fail (HATAKE_IS_PULL (self));
  g_free (self->username);
  g_free (self->password);
  self->username = g_strdup (username);
  self->password = g_strdup (password);
}

gboolean
hatake_pull_get_credentials (HatakePull  *self,
                             const char **username,
                             const char **password)
{
  g_return_val_if_fail (HATAKE_IS_PULL (self), FALSE);
  *username = self->username;
  *password = self->password;
  return self->username != NULL && self->password != NULL;
}
