/* hatake-config.h: hatake.conf, a GKeyFile with every key documented and defaults built in
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hatake-layer.h"

G_BEGIN_DECLS

typedef struct _HatakeConfig HatakeConfig;

struct _HatakeConfig
{
  char              *path;                  /* the file it was read from, or NULL */
  GStrv              insecure_registries;   /* [registries] insecure */
  guint              max_concurrent_downloads; /* [registries] max-concurrent-downloads */
  guint              max_retries;           /* [registries] max-retries */
  HatakeLayerLimits  layer_limits;          /* [limits] max-layer-size, max-layer-entries, max-compression-ratio */
  char              *default_runtime;       /* [engine] default-runtime */
  guint64            log_size_max;          /* [engine] log-size-max */
  guint              network_spares;        /* [engine] network-spares */
};

HatakeConfig *hatake_config_new_default  (void);
HatakeConfig *hatake_config_load         (const char    *path,
                                          GError       **error);
HatakeConfig *hatake_config_load_default (GError       **error);
char         *hatake_config_default_path (void);
void          hatake_config_free         (HatakeConfig  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeConfig, hatake_config_free)

G_END_DECLS
