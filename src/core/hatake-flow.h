/* hatake-flow.h: a consumer's say over how fast a producer goes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A producer that reads as fast as it can (a log follower) while its consumer writes to a slower
 * peer (a client's socket) would pile up what is in between in memory. The consumer holds the
 * flow while too much waits, and releases it once it has drained; the producer reads no more
 * while the flow is held, and continues on the "held" property's notification.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HATAKE_TYPE_FLOW (hatake_flow_get_type ())
G_DECLARE_FINAL_TYPE (HatakeFlow, hatake_flow, HATAKE, FLOW, GObject)

HatakeFlow *hatake_flow_new      (void);
gboolean    hatake_flow_get_held (HatakeFlow *self);
void        hatake_flow_set_held (HatakeFlow *self,
                                  gboolean    held);

G_END_DECLS
