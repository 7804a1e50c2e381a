/* hatake-error.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "hatake-error.h"

G_DEFINE_QUARK (hatake-error-quark, hatake_error)
