/* hatake-owner.h: what kind of process owns a data root (plain C: hatake-exited links no GLib)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* Whether process PID (a decimal string) is a long-running engine — hatake serve or the app —
 * rather than a one-shot command or an exit command, which will be done in a moment. Reads its
 * whole command line; 0 when it cannot be read. */
int hatake_owner_is_long_running (const char *pid);
