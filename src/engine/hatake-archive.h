/* hatake-archive.h: tar archives of paths inside a container's root, safely (docker cp, export)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hatake-container-config.h"

G_BEGIN_DECLS

/* Everything below blocks: run it in a worker thread. ROOT_FD is a directory standing for "/"
 * (the container's root, or a volume's folder); paths are resolved inside it as a chroot would,
 * a symlink that points out (absolute, or ../..) staying inside, so a container cannot make us
 * read or write the host's files (CVE-2018-15664). Paths are cleaned as docker cleans them: ".."
 * never climbs above the root. */

/* Opens PATH inside ROOT_FD (O_PATH): symlinks in its parents are followed (inside the root), the
 * last component only when FOLLOW or when PATH ends with "/" or "/.". -1 with ERROR set. */
int       hatake_archive_resolve   (int                         root_fd,
                                    const char                 *path,
                                    gboolean                    follow,
                                    GError                    **error);

/* docker's container path stat (the X-Docker-Container-Path-Stat header): name, size, mode (Go's
 * os.FileMode bits), mtime and, for a symlink, linkTarget. */
JsonNode *hatake_archive_stat      (int                         root_fd,
                                    const char                 *path,
                                    GError                    **error);

/* Writes a tar to OUT_FD (a socket: written with MSG_NOSIGNAL, so a reader that goes away ends it
 * with an error, not a SIGPIPE). With PATH, the archive holds what PATH names, its entries named
 * after PATH's last component ("." when PATH ends with "/."), as docker's GET /archive; with PATH
 * NULL, everything under the root, named relative to it (docker export). Never descends into
 * /proc, /sys and the like (pseudo file systems of a running container's view). */
gboolean  hatake_archive_write_tar (int                         root_fd,
                                    const char                 *path,
                                    int                         out_fd,
                                    GCancellable               *cancellable,
                                    GError                    **error);

/* Extracts the tar (plain or compressed) read from IN (blocking reads) into the existing directory PATH inside
 * ROOT_FD, as docker's PUT /archive. Entries that would land outside PATH fail the whole call with
 * G_IO_ERROR_INVALID_ARGUMENT naming the entry; entries before it stay (as docker's). */
gboolean  hatake_archive_extract   (int                         root_fd,
                                    const char                 *path,
                                    GInputStream               *in,
                                    HatakeArchiveFlags          flags,
                                    GCancellable               *cancellable,
                                    GError                    **error);

/* A tar made of files and bytes (docker save), written to OUT_FD as hatake_archive_write_tar
 * does. Each call blocks; the writer is freed by its close. */
typedef struct _HatakeTarWriter HatakeTarWriter;

HatakeTarWriter *hatake_tar_writer_new       (int                 out_fd,
                                              GCancellable       *cancellable);
gboolean         hatake_tar_writer_add_file  (HatakeTarWriter    *self,
                                              const char         *name,
                                              const char         *path,
                                              GError            **error);
gboolean         hatake_tar_writer_add_bytes (HatakeTarWriter    *self,
                                              const char         *name,
                                              GBytes             *bytes,
                                              GError            **error);
/* Ends the archive (unless ABORT) and frees the writer. */
gboolean         hatake_tar_writer_close     (HatakeTarWriter    *self,
                                              gboolean            abort,
                                              GError            **error);

/* Tests: resolve by walking one component at a time, as where the kernel has no openat2(). */
void      _hatake_archive_force_path_walk (gboolean                force);
gboolean  _hatake_archive_has_openat2     (void);

G_END_DECLS
