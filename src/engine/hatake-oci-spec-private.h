/* hatake-oci-spec-private.h: what the files of hatake-oci-spec share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-oci-spec.h"

G_BEGIN_DECLS

/* Whether NAME ("CAP_SYS_RESOURCE") is in this process's bounding set, so a runtime it starts
 * may use it */
gboolean _hatake_oci_spec_engine_has_capability (const char *name);

G_END_DECLS
