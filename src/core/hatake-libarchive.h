/* hatake-libarchive.h: libarchive, loaded while something uses it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

G_BEGIN_DECLS

/* What hatake calls of libarchive, through sym_NAME pointers: valid while a HatakeLibarchive is
 * held, NULL once the module is closed. */
#define HATAKE_LIBARCHIVE_SYMBOLS(X) \
  X (archive_entry_atime) \
  X (archive_entry_atime_is_set) \
  X (archive_entry_atime_nsec) \
  X (archive_entry_copy_pathname) \
  X (archive_entry_copy_stat) \
  X (archive_entry_copy_symlink) \
  X (archive_entry_filetype) \
  X (archive_entry_free) \
  X (archive_entry_gid) \
  X (archive_entry_hardlink) \
  X (archive_entry_hardlink_utf8) \
  X (archive_entry_linkify) \
  X (archive_entry_linkresolver_free) \
  X (archive_entry_linkresolver_new) \
  X (archive_entry_linkresolver_set_strategy) \
  X (archive_entry_mtime) \
  X (archive_entry_mtime_is_set) \
  X (archive_entry_mtime_nsec) \
  X (archive_entry_new) \
  X (archive_entry_pathname) \
  X (archive_entry_pathname_utf8) \
  X (archive_entry_perm) \
  X (archive_entry_rdev) \
  X (archive_entry_set_filetype) \
  X (archive_entry_set_gid) \
  X (archive_entry_set_mtime) \
  X (archive_entry_set_pathname) \
  X (archive_entry_set_perm) \
  X (archive_entry_set_size) \
  X (archive_entry_set_uid) \
  X (archive_entry_size) \
  X (archive_entry_symlink) \
  X (archive_entry_symlink_utf8) \
  X (archive_entry_uid) \
  X (archive_entry_xattr_count) \
  X (archive_entry_xattr_next) \
  X (archive_entry_xattr_reset) \
  X (archive_errno) \
  X (archive_error_string) \
  X (archive_filter_bytes) \
  X (archive_filter_count) \
  X (archive_filter_name) \
  X (archive_format) \
  X (archive_read_data) \
  X (archive_read_data_block) \
  X (archive_read_free) \
  X (archive_read_new) \
  X (archive_read_next_header) \
  X (archive_read_open) \
  X (archive_read_open_filename) \
  X (archive_read_support_filter_bzip2) \
  X (archive_read_support_filter_gzip) \
  X (archive_read_support_filter_xz) \
  X (archive_read_support_filter_zstd) \
  X (archive_read_support_format_gnutar) \
  X (archive_read_support_format_raw) \
  X (archive_read_support_format_tar) \
  X (archive_set_error) \
  X (archive_write_close) \
  X (archive_write_data) \
  X (archive_write_fail) \
  X (archive_write_free) \
  X (archive_write_header) \
  X (archive_write_new) \
  X (archive_write_open) \
  X (archive_write_set_format_pax_restricted)

#define HATAKE_LIBARCHIVE_DECLARE(name) extern __typeof__ (name) *sym_##name;
HATAKE_LIBARCHIVE_SYMBOLS (HATAKE_LIBARCHIVE_DECLARE)
#undef HATAKE_LIBARCHIVE_DECLARE

typedef struct _HatakeLibarchive HatakeLibarchive;

HatakeLibarchive *hatake_libarchive_load   (GError          **error);
void              hatake_libarchive_unload (HatakeLibarchive *self);
gboolean          hatake_libarchive_loaded (void);
void              hatake_libarchive_read_support_compressions (struct archive *a);

/* for tests */
HatakeLibarchive *_hatake_libarchive_load_module (const char  *path,
                                                  GError     **error);
void              _hatake_libarchive_set_linger  (guint        milliseconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeLibarchive, hatake_libarchive_unload)

G_END_DECLS
