/* hatake-test-consistency.h: the check that ends every fault test
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opens a data root whose owner is gone (killed, or stopped) with a fresh engine, lets it
 * recover, and checks that the store and every container are consistent.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* FALSE with an error naming the first inconsistency:
 *  - every image's manifest, config and layer blobs are in the store, each verifying against its
 *    digest; every unpacked layer the image names is there;
 *  - nothing under blobs/sha256 but complete blobs named by their digest (no temp or partial
 *    file visible there: those live in tmp/);
 *  - every container in a stable state (created, running, paused, exited; dead only when
 *    allow_dead), its config readable; a running or paused one has its conmon and its process,
 *    any other has neither, no rootfs mount left and no network namespace left.
 * The engine used for the check is gone when this returns (the data root is free again). */
gboolean hatake_test_check_consistency (const char  *data_root,
                                        gboolean     allow_dead,
                                        GError     **error);

G_END_DECLS
