/* hatake-flow.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include "hatake-flow.h"

struct _HatakeFlow
{
  GObject  parent_instance;
  gboolean held;
};

G_DEFINE_FINAL_TYPE (HatakeFlow, hatake_flow, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_HELD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hatake_flow_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HatakeFlow *self = HATAKE_FLOW (object);

  switch (prop_id)
    {
    case PROP_HELD:
      g_value_set_boolean (value, self->held);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_flow_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HatakeFlow *self = HATAKE_FLOW (object);

  switch (prop_id)
    {
    case PROP_HELD:
      hatake_flow_set_held (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_flow_class_init (HatakeFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = hatake_flow_get_property;
  object_class->set_property = hatake_flow_set_property;
  properties[PROP_HELD] =
    g_param_spec_boolean ("held", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hatake_flow_init (HatakeFlow *self)
{
}

HatakeFlow *
hatake_flow_new (void)
{
  return g_object_new (HATAKE_TYPE_FLOW, NULL);
}

gboolean
hatake_flow_get_held (HatakeFlow *self)
{
  g_return_val_if_fail (HATAKE_IS_FLOW (self), FALSE);

  return self->held;
}

void
hatake_flow_set_held (HatakeFlow *self,
                      gboolean    held)
{
  g_return_if_fail (HATAKE_IS_FLOW (self));

  held = !!held;
  if (self->held == held)
    return;
  self->held = held;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HELD]);
}
