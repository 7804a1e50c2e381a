/* hatake-layer-private.h: internals of hatake-layer shared with its tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Resolve layer paths with the portable component-by-component walk instead of openat2(), as
 * happens by itself where the kernel (or seccomp, or valgrind) has no openat2(). */
void _hatake_layer_force_path_walk (gboolean force);

G_END_DECLS

