/* hatake-fuzz.h: what every fuzz target shares
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A target defines both functions; libFuzzer calls them, or replay-main.c does in builds
 * without it.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int  LLVMFuzzerInitialize   (int           *argc,
                             char        ***argv);
int  LLVMFuzzerTestOneInput (const uint8_t *data,
                             size_t         size);

/* Criticals and warnings abort: bad input must come back as a GError, never as a g_critical. */
void hatake_fuzz_init       (void);

G_END_DECLS
