/* hatake-test-run.h: the fixture of the container tests (test-run.c, test-run-network.c): a
 * local engine on a data root of its own, with the test registry's busybox pulled
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-test-utils.h"

G_BEGIN_DECLS

typedef struct
{
  char         *root;
  HatakeEngine *engine;
  char         *image;
} Fixture;

#define SKIP_WITHOUT_ENGINE(f) if ((f)->engine == NULL) return

void                   store_result      (GObject                     *source,
                                          GAsyncResult                *result,
                                          gpointer                     user_data);
JsonNode              *op                (Fixture                     *f,
                                          const char                  *id,
                                          HatakeContainerOp            what,
                                          const HatakeContainerOpArgs *args,
                                          GError                     **error);
HatakeContainerConfig *config_for        (Fixture                     *f,
                                          const char * const          *cmd);
HatakeContainer       *create            (Fixture                     *f,
                                          HatakeContainerConfig       *config);
void                   logs              (Fixture                     *f,
                                          const char                  *id,
                                          gboolean                     follow,
                                          char                       **out,
                                          char                       **err);
int                    run               (Fixture                     *f,
                                          HatakeContainerConfig       *config,
                                          HatakeContainer            **out_container,
                                          char                       **out,
                                          char                       **err);
void                   fixture_set_up    (Fixture                     *f,
                                          gconstpointer                data);
void                   fixture_tear_down (Fixture                     *f,
                                          gconstpointer                data);
JsonNode              *network_op        (Fixture                     *f,
                                          HatakeNetworkOp              what,
                                          const HatakeNetworkOpArgs   *args,
                                          GError                     **error);
/* A TCP port free on 127.0.0.1 now; whether PORT is free on every address. */
guint16                free_tcp_port     (void);
gboolean               tcp_port_free     (guint16                      port);

G_END_DECLS
