/* test-layer.c: layer unpacking, diff IDs, whiteouts and hostile layers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hatake-error.h"
#include "hatake-layer.h"
#include "hatake-layer-private.h"

typedef enum
{
  COMP_NONE,
  COMP_GZIP,
  COMP_ZSTD,
} Compression;

/* ---- building tars ---------------------------------------------------------------------- */

typedef struct
{
  struct archive *w;
  GByteArray     *bytes;
} Tar;

static la_ssize_t
tar_write_cb (struct archive *a,
              void           *user_data,
              const void     *buffer,
              size_t          length)
{
  GByteArray *bytes = user_data;

  g_byte_array_append (bytes, buffer, length);
  return length;
}

static Tar *
tar_new (void)
{
  Tar *tar = g_new0 (Tar, 1);

  tar->bytes = g_byte_array_new ();
  tar->w = archive_write_new ();
  g_assert_cmpint (archive_write_set_format_pax_restricted (tar->w), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open2 (tar->w, tar->bytes, NULL, tar_write_cb, NULL, NULL), ==,
                   ARCHIVE_OK);
  return tar;
}

typedef struct
{
  const char *name;
  mode_t      type;       /* AE_IF*; ignored for hardlinks */
  mode_t      perm;
  guint       uid, gid;
  gint64      mtime;
  long        mtime_nsec;
  const char *data;       /* file contents */
  gsize       size;       /* of data; 0 means strlen (data) */
  const char *symlink;
  const char *hardlink;
  const char *xattr_name;
  const char *xattr_value;
  dev_t       rdev;
} Ent;

static void
tar_add (Tar       *tar,
         const Ent *e)
{
  struct archive_entry *ae = archive_entry_new ();
  gsize size = e->data ? (e->size ? e->size : strlen (e->data)) : e->size;

  archive_entry_copy_pathname (ae, e->name);
  if (e->hardlink)
    {
      archive_entry_set_filetype (ae, AE_IFREG);
      archive_entry_copy_hardlink (ae, e->hardlink);
      size = 0;
    }
  else
    archive_entry_set_filetype (ae, e->type ? e->type : AE_IFREG);
  archive_entry_set_perm (ae, e->perm ? e->perm : 0644);
  archive_entry_set_uid (ae, e->uid);
  archive_entry_set_gid (ae, e->gid);
  archive_entry_set_mtime (ae, e->mtime ? e->mtime : 1000000000, e->mtime_nsec);
  if (e->symlink)
    archive_entry_copy_symlink (ae, e->symlink);
  if (e->xattr_name)
    archive_entry_xattr_add_entry (ae, e->xattr_name, e->xattr_value, strlen (e->xattr_value));
  if (e->rdev)
    archive_entry_set_rdev (ae, e->rdev);
  if (archive_entry_filetype (ae) == AE_IFREG && !e->hardlink)
    archive_entry_set_size (ae, size);
  g_assert_cmpint (archive_write_header (tar->w, ae), ==, ARCHIVE_OK);
  if (size > 0 && !e->hardlink)
    {
      const char *data = e->data;
      g_autofree char *zeros = NULL;

      if (data == NULL)
        data = zeros = g_malloc0 (size);
      g_assert_cmpint (archive_write_data (tar->w, data, size), ==, (la_ssize_t) size);
    }
  archive_entry_free (ae);
}

static GBytes *
tar_finish (Tar *tar)
{
  GBytes *bytes;

  g_assert_cmpint (archive_write_close (tar->w), ==, ARCHIVE_OK);
  archive_write_free (tar->w);
  bytes = g_byte_array_free_to_bytes (tar->bytes);
  g_free (tar);
  return bytes;
}

static GBytes *
tar_from (const Ent *ents,
          gsize      n)
{
  Tar *tar = tar_new ();

  for (gsize i = 0; i < n; i++)
    tar_add (tar, &ents[i]);
  return tar_finish (tar);
}

/* Compresses exactly these bytes (libarchive's raw format), so every form has the same tar. */
static char *
write_blob (const char  *dir,
            GBytes      *tar,
            Compression  comp)
{
  static const char *suffix[] = { "tar", "tar.gz", "tar.zst" };
  static guint counter;
  char *path = g_strdup_printf ("%s/blob-%u.%s", dir, counter++, suffix[comp]);
  gsize len;
  const void *data = g_bytes_get_data (tar, &len);
  struct archive *w;
  struct archive_entry *ae;
  g_autoptr(GError) error = NULL;

  if (comp == COMP_NONE)
    {
      g_file_set_contents (path, data, len, &error);
      g_assert_no_error (error);
      return path;
    }
  w = archive_write_new ();
  if (comp == COMP_GZIP)
    g_assert_cmpint (archive_write_add_filter_gzip (w), ==, ARCHIVE_OK);
  else
    g_assert_cmpint (archive_write_add_filter_zstd (w), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_set_format_raw (w), ==, ARCHIVE_OK);
  archive_write_set_bytes_in_last_block (w, 1);
  g_assert_cmpint (archive_write_open_filename (w, path), ==, ARCHIVE_OK);
  ae = archive_entry_new ();
  archive_entry_set_filetype (ae, AE_IFREG);
  archive_entry_copy_pathname (ae, "layer.tar");
  archive_entry_set_size (ae, len);
  g_assert_cmpint (archive_write_header (w, ae), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (w, data, len), ==, (la_ssize_t) len);
  g_assert_cmpint (archive_write_close (w), ==, ARCHIVE_OK);
  archive_write_free (w);
  archive_entry_free (ae);
  return path;
}

/* ---- fixtures --------------------------------------------------------------------------- */

typedef struct
{
  char *tmp;       /* removed at the end */
  char *dest;      /* an empty layer directory inside tmp */
  char *outside;   /* a directory a hostile layer aims at */
} Fixture;

static void
fixture_init (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("test-layer-XXXXXX", &error);
  g_assert_no_error (error);
  f->dest = g_build_filename (f->tmp, "layers", "dest", NULL);
  f->outside = g_build_filename (f->tmp, "outside", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->dest, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->outside, 0755), ==, 0);
}

static void
fixture_clear (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hatake_rm_rf (f->tmp, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (f->tmp, G_FILE_TEST_EXISTS));
  g_free (f->tmp);
  g_free (f->dest);
  g_free (f->outside);
}

static void
fresh_dest (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hatake_rm_rf (f->dest, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  g_assert_nonnull (dir);
  return g_dir_read_name (dir) == NULL;
}

/* Root is needed for owners, devices and trusted.* xattrs. Under CI=true nothing skips. */
static gboolean
need_root (void)
{
  if (geteuid () == 0)
    return TRUE;
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    g_error ("this test needs root, and CI=true does not allow skipping it");
  g_test_skip ("needs root");
  return FALSE;
}

static char *
sha256_of (GBytes *bytes)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  return g_strconcat ("sha256:", hex, NULL);
}

static gboolean
unpack (const char               *blob,
        const char               *dest,
        const HatakeLayerLimits  *limits,
        char                    **out_diff_id,
        guint64                  *out_size,
        GError                  **error)
{
  return hatake_layer_unpack (blob, dest, limits, NULL, NULL, out_diff_id, out_size, NULL, error);
}

static char *
path_in (const char *dir,
         const char *rel)
{
  return g_build_filename (dir, rel, NULL);
}

/* ---- a normal layer --------------------------------------------------------------------- */

static const char file_data[] = "hello, layer\n";

static const Ent normal_layer[] = {
  { .name = "./", .type = AE_IFDIR, .perm = 0755, .mtime = 1400000000 },
  { .name = "etc/", .type = AE_IFDIR, .perm = 0750, .uid = 42, .gid = 43, .mtime = 1500000000 },
  { .name = "etc/file", .perm = 0640, .uid = 1234, .gid = 5678, .mtime = 1600000000,
    .mtime_nsec = 123456789, .data = file_data, .xattr_name = "user.test", .xattr_value = "hello" },
  { .name = "etc/suid", .perm = 04755, .uid = 0, .gid = 0, .data = "#!/bin/sh\n" },
  { .name = "etc/hard", .hardlink = "etc/file" },
  { .name = "etc/link", .type = AE_IFLNK, .perm = 0777, .symlink = "/etc/file", .mtime = 1300000000,
    .uid = 7, .gid = 8 },
  { .name = "implicit/sub/deep", .data = "x" },
  { .name = "dev/null", .type = AE_IFCHR, .perm = 0666, .rdev = 0 },  /* rdev set below */
  { .name = "dev/fifo", .type = AE_IFIFO, .perm = 0600 },
  { .name = "/abs/file", .data = "absolute" },
  { .name = "sparse", .size = 3 * 1024 * 1024 },
  { .name = "replaced", .data = "first" },
  { .name = "replaced", .data = "second!" },
  { .name = "merged/", .type = AE_IFDIR, .perm = 0700 },
  { .name = "merged/inner", .data = "in" },
  { .name = "merged/", .type = AE_IFDIR, .perm = 0711, .mtime = 1100000000 },
  { .name = "dir-then-file/", .type = AE_IFDIR, .perm = 0755 },
  { .name = "dir-then-file/child", .data = "c" },
  { .name = "dir-then-file", .data = "now a file" },
};

static GBytes *
build_normal_layer (void)
{
  Ent ents[G_N_ELEMENTS (normal_layer)];

  memcpy (ents, normal_layer, sizeof ents);
  for (gsize i = 0; i < G_N_ELEMENTS (ents); i++)
    if (g_strcmp0 (ents[i].name, "dev/null") == 0)
      ents[i].rdev = makedev (1, 3);
  return tar_from (ents, G_N_ELEMENTS (ents));
}

static guint64 progress_last;
static guint   progress_calls;

static void
on_progress (guint64  done,
             gpointer user_data)
{
  g_assert_cmpuint (done, >=, progress_last);
  progress_last = done;
  progress_calls++;
}

static void
check_normal_layer (const char *dest)
{
  struct stat st, st2;
  g_autofree char *file = path_in (dest, "etc/file");
  g_autofree char *hard = path_in (dest, "etc/hard");
  g_autofree char *suid = path_in (dest, "etc/suid");
  g_autofree char *link = path_in (dest, "etc/link");
  g_autofree char *etc = path_in (dest, "etc");
  g_autofree char *implicit = path_in (dest, "implicit/sub");
  g_autofree char *null = path_in (dest, "dev/null");
  g_autofree char *fifo = path_in (dest, "dev/fifo");
  g_autofree char *abs = path_in (dest, "abs/file");
  g_autofree char *sparse = path_in (dest, "sparse");
  g_autofree char *replaced = path_in (dest, "replaced");
  g_autofree char *merged = path_in (dest, "merged");
  g_autofree char *merged_inner = path_in (dest, "merged/inner");
  g_autofree char *dtf = path_in (dest, "dir-then-file");
  g_autofree char *contents = NULL;
  g_autofree char *target = NULL;
  char value[64];
  gssize n;

  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, file_data);
  g_clear_pointer (&contents, g_free);
  g_assert_cmpint (lstat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpint (st.st_uid, ==, 1234);
  g_assert_cmpint (st.st_gid, ==, 5678);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1600000000);
  g_assert_cmpint (st.st_mtim.tv_nsec, ==, 123456789);
  g_assert_cmpint (st.st_nlink, ==, 2);
  n = getxattr (file, "user.test", value, sizeof value);
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpmem (value, 5, "hello", 5);

  g_assert_cmpint (lstat (hard, &st2), ==, 0);
  g_assert_cmpuint (st2.st_ino, ==, st.st_ino);

  g_assert_cmpint (lstat (suid, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 04755);

  g_assert_cmpint (lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_assert_cmpint (st.st_uid, ==, 7);
  g_assert_cmpint (st.st_gid, ==, 8);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1300000000);
  target = g_file_read_link (link, NULL);
  g_assert_cmpstr (target, ==, "/etc/file");

  /* Files were written into etc/ after its entry: its times are still the tar's. */
  g_assert_cmpint (lstat (etc, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0750);
  g_assert_cmpint (st.st_uid, ==, 42);
  g_assert_cmpint (st.st_gid, ==, 43);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1500000000);

  g_assert_cmpint (lstat (dest, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1400000000);

  g_assert_cmpint (lstat (implicit, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0755);

  g_assert_cmpint (lstat (null, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpint (major (st.st_rdev), ==, 1);
  g_assert_cmpint (minor (st.st_rdev), ==, 3);
  g_assert_cmpint (st.st_mode & 07777, ==, 0666);
  g_assert_cmpint (lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));

  g_assert_true (g_file_get_contents (abs, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "absolute");
  g_clear_pointer (&contents, g_free);

  g_assert_cmpint (lstat (sparse, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 3 * 1024 * 1024);

  g_assert_true (g_file_get_contents (replaced, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "second!");
  g_clear_pointer (&contents, g_free);

  g_assert_cmpint (lstat (merged, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0711);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1100000000);
  g_assert_true (g_file_test (merged_inner, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (lstat (dtf, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
}

static void
test_normal_layer (void)
{
  Fixture f;
  g_autoptr(GBytes) tar = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *first_id = NULL;
  guint64 expected_size = strlen (file_data) + strlen ("#!/bin/sh\n") + 1 + strlen ("absolute")
                          + 3 * 1024 * 1024 + strlen ("first") + strlen ("second!") + 2 + 1
                          + strlen ("now a file");

  if (!need_root ())
    return;
  fixture_init (&f);
  tar = build_normal_layer ();
  expected = sha256_of (tar);

  for (Compression comp = COMP_NONE; comp <= COMP_ZSTD; comp++)
    {
      g_autofree char *blob = write_blob (f.tmp, tar, comp);
      g_autofree char *diff_id = NULL;
      g_autoptr(GError) error = NULL;
      guint64 size = 0;
      struct stat st;

      g_test_message ("compression %d", comp);
      fresh_dest (&f);
      progress_last = 0;
      progress_calls = 0;
      hatake_layer_unpack (blob, f.dest, NULL, on_progress, NULL, &diff_id, &size, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (diff_id, ==, expected);
      g_assert_cmpuint (size, ==, expected_size);
      g_assert_cmpint (stat (blob, &st), ==, 0);
      g_assert_cmpuint (progress_calls, >, 0);
      g_assert_cmpuint (progress_last, ==, (guint64) st.st_size);
      check_normal_layer (f.dest);
      if (first_id == NULL)
        first_id = g_strdup (diff_id);
      g_assert_cmpstr (diff_id, ==, first_id);
    }
  fixture_clear (&f);
}

/* A tar with bytes after its end-of-archive blocks: docker's diff ID covers them too. */
static void
test_trailing_bytes (void)
{
  Fixture f;
  const Ent ents[] = { { .name = "a", .data = "a" } };
  g_autoptr(GBytes) tar = tar_from (ents, G_N_ELEMENTS (ents));
  g_autoptr(GByteArray) padded = g_byte_array_new ();
  g_autoptr(GBytes) padded_bytes = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *diff_id = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  char zeros[4096] = { 0 };

  fixture_init (&f);
  g_byte_array_append (padded, g_bytes_get_data (tar, NULL), g_bytes_get_size (tar));
  g_byte_array_append (padded, (const guint8 *) zeros, sizeof zeros);
  padded_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&padded));
  expected = sha256_of (padded_bytes);
  blob = write_blob (f.tmp, padded_bytes, COMP_GZIP);
  g_assert_true (unpack (blob, f.dest, NULL, &diff_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (diff_id, ==, expected);
  fixture_clear (&f);
}

/* docker's empty layer: 1024 zero bytes, with a well-known diff ID. */
static void
test_empty_layer (void)
{
  Fixture f;
  g_autoptr(GBytes) zeros = g_bytes_new_take (g_malloc0 (1024), 1024);
  g_autoptr(GError) error = NULL;

  fixture_init (&f);
  for (Compression comp = COMP_NONE; comp <= COMP_ZSTD; comp++)
    {
      g_autofree char *blob = write_blob (f.tmp, zeros, comp);
      g_autofree char *diff_id = NULL;
      guint64 size = 1;

      fresh_dest (&f);
      unpack (blob, f.dest, NULL, &diff_id, &size, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (diff_id, ==,
                       "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
      g_assert_cmpuint (size, ==, 0);
      g_assert_true (dir_is_empty (f.dest));
    }
  fixture_clear (&f);
}

/* Names are bytes: a UTF-8 name (in a pax header, as Go's archive/tar writes it) lands as the same
 * bytes, whatever the locale of the process that unpacks it. */
static void
test_utf8_names (void)
{
  Fixture f;
  const Ent ents[] = {
    { .name = "caf\xc3\xa9/", .type = AE_IFDIR },
    { .name = "caf\xc3\xa9/\xe7\x95\x91.txt", .data = "hatake" },
    { .name = "link", .type = AE_IFLNK, .symlink = "caf\xc3\xa9/\xe7\x95\x91.txt" },
    { .name = "hard", .hardlink = "caf\xc3\xa9/\xe7\x95\x91.txt" },
  };
  g_autoptr(GBytes) tar = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));

  if (setlocale (LC_ALL, "C.UTF-8") == NULL)
    {
      g_test_skip ("no C.UTF-8 locale to write the tar with");
      return;
    }
  tar = tar_from (ents, G_N_ELEMENTS (ents));
  fixture_init (&f);
  blob = write_blob (f.tmp, tar, COMP_GZIP);

  for (const char **locale = (const char *[]) { "C", "C.UTF-8", NULL }; *locale; locale++)
    {
      g_autofree char *path = NULL;
      g_autofree char *target = NULL;
      g_autofree char *link = NULL;
      g_autofree char *hard = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("unpacking in the %s locale", *locale);
      g_assert_nonnull (setlocale (LC_ALL, *locale));
      fresh_dest (&f);
      unpack (blob, f.dest, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      path = path_in (f.dest, "caf\xc3\xa9/\xe7\x95\x91.txt");
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      link = path_in (f.dest, "link");
      target = g_file_read_link (link, NULL);
      g_assert_cmpstr (target, ==, "caf\xc3\xa9/\xe7\x95\x91.txt");
      hard = path_in (f.dest, "hard");
      g_assert_true (g_file_test (hard, G_FILE_TEST_IS_REGULAR));
    }
  setlocale (LC_ALL, saved);
  fixture_clear (&f);
}

/* A later entry replaces an earlier one of the same name: a symlink pointing outside is replaced,
 * never written through. */
static void
test_replace_symlink (void)
{
  Fixture f;
  g_autofree char *victim = NULL;
  g_autoptr(GBytes) tar = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *inside = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  fixture_init (&f);
  victim = g_build_filename (f.outside, "victim", NULL);
  {
    const Ent ents[] = {
      { .name = "f", .type = AE_IFLNK, .symlink = victim },
      { .name = "f", .data = "inside" },
      { .name = "d", .type = AE_IFLNK, .symlink = f.outside },
      { .name = "d/", .type = AE_IFDIR },
      { .name = "d/x", .data = "x" },
    };
    tar = tar_from (ents, G_N_ELEMENTS (ents));
  }
  blob = write_blob (f.tmp, tar, COMP_NONE);
  unpack (blob, f.dest, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dir_is_empty (f.outside));
  inside = path_in (f.dest, "f");
  g_assert_true (g_file_get_contents (inside, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "inside");
  g_clear_pointer (&inside, g_free);
  inside = path_in (f.dest, "d/x");
  g_assert_true (g_file_test (inside, G_FILE_TEST_IS_REGULAR));
  fixture_clear (&f);
}

/* ---- whiteouts -------------------------------------------------------------------------- */

static void
test_whiteouts (void)
{
  Fixture f;
  const Ent ents[] = {
    { .name = "a/", .type = AE_IFDIR, .perm = 0755, .mtime = 1500000000 },
    { .name = "a/x", .data = "x" },
    { .name = "a/.wh.x", .data = "" },
    { .name = ".wh.gone", .data = "" },
    { .name = "b/", .type = AE_IFDIR, .perm = 0755 },
    { .name = "b/.wh..wh..opq", .data = "" },
    { .name = "b/kept", .data = "k" },
    { .name = ".wh..wh.plnk/", .type = AE_IFDIR, .perm = 0700 },
  };
  g_autoptr(GBytes) tar = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *ax = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *b = NULL;
  g_autofree char *a = NULL;
  g_autofree char *aufs = NULL;
  g_autofree char *marker = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;
  char value[8];

  if (!need_root ())
    return;
  fixture_init (&f);
  tar = tar_from (ents, G_N_ELEMENTS (ents));
  blob = write_blob (f.tmp, tar, COMP_GZIP);
  unpack (blob, f.dest, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  ax = path_in (f.dest, "a/x");
  gone = path_in (f.dest, "gone");
  for (const char **p = (const char *[]) { ax, gone, NULL }; *p; p++)
    {
      g_assert_cmpint (lstat (*p, &st), ==, 0);
      g_assert_true (S_ISCHR (st.st_mode));
      g_assert_cmpint (st.st_rdev, ==, makedev (0, 0));
    }
  a = path_in (f.dest, "a");
  g_assert_cmpint (lstat (a, &st), ==, 0);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1500000000);

  b = path_in (f.dest, "b");
  g_assert_cmpint (getxattr (b, "trusted.overlay.opaque", value, sizeof value), ==, 1);
  g_assert_cmpint (value[0], ==, 'y');
  marker = path_in (f.dest, "b/.wh..wh..opq");
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  aufs = path_in (f.dest, ".wh..wh.plnk");
  g_assert_false (g_file_test (aufs, G_FILE_TEST_EXISTS));
  fixture_clear (&f);
}

/* ---- hostile layers --------------------------------------------------------------------- */

static void
expect_unsafe (Fixture                 *f,
               const Ent               *ents,
               gsize                    n,
               Compression              comp,
               const HatakeLayerLimits *limits,
               const char              *entry)
{
  g_autoptr(GBytes) tar = tar_from (ents, n);
  g_autofree char *blob = write_blob (f->tmp, tar, comp);
  g_autofree char *diff_id = NULL;
  g_autoptr(GError) error = NULL;

  fresh_dest (f);
  g_assert_false (unpack (blob, f->dest, limits, &diff_id, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER);
  g_assert_null (diff_id);
  g_test_message ("%s", error->message);
  if (strstr (error->message, entry) == NULL)
    g_error ("“%s” does not name the entry “%s”", error->message, entry);
  g_assert_true (dir_is_empty (f->outside));
}

static void
test_dotdot_escape (void)
{
  Fixture f;
  const Ent plain[] = { { .name = "../outside/pwned", .data = "x" } };
  const Ent deep[] = {
    { .name = "a/b/", .type = AE_IFDIR },
    { .name = "a/b/../../../../outside/pwned", .data = "x" },
  };
  g_autofree char *layers_pwned = NULL;

  fixture_init (&f);
  expect_unsafe (&f, plain, G_N_ELEMENTS (plain), COMP_NONE, NULL, "../outside/pwned");
  expect_unsafe (&f, deep, G_N_ELEMENTS (deep), COMP_GZIP, NULL, "a/b/../../../../outside/pwned");
  layers_pwned = g_build_filename (f.tmp, "layers", "pwned", NULL);
  g_assert_false (g_file_test (layers_pwned, G_FILE_TEST_EXISTS));
  fixture_clear (&f);
}

/* Absolute names are relative to the layer root, as docker treats them. */
static void
test_absolute_stays_inside (void)
{
  Fixture f;
  g_autofree char *name = NULL;
  g_autofree char *inside = NULL;
  g_autoptr(GBytes) tar = NULL;
  g_autofree char *blob = NULL;
  g_autoptr(GError) error = NULL;

  fixture_init (&f);
  name = g_build_filename (f.outside, "pwned", NULL);
  {
    const Ent ents[] = { { .name = name, .data = "x" } };
    tar = tar_from (ents, G_N_ELEMENTS (ents));
  }
  blob = write_blob (f.tmp, tar, COMP_ZSTD);
  unpack (blob, f.dest, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dir_is_empty (f.outside));
  inside = g_build_filename (f.dest, name, NULL);
  g_assert_true (g_file_test (inside, G_FILE_TEST_IS_REGULAR));
  fixture_clear (&f);
}

static void
test_symlink_write_through (void)
{
  Fixture f;

  fixture_init (&f);
  {
    const Ent abs[] = {
      { .name = "link", .type = AE_IFLNK, .symlink = f.outside },
      { .name = "link/pwned", .data = "x" },
    };
    const Ent rel[] = {
      { .name = "up", .type = AE_IFLNK, .symlink = "../../outside" },
      { .name = "up/pwned", .data = "x" },
    };
    const Ent dir[] = {
      { .name = "up", .type = AE_IFLNK, .symlink = "../../outside" },
      { .name = "up/sub/", .type = AE_IFDIR },
    };
    const Ent nested[] = {
      { .name = "d/", .type = AE_IFDIR },
      { .name = "d/l", .type = AE_IFLNK, .symlink = "/" },
      { .name = "d/l/etc/pwned", .data = "x" },
    };
    const Ent opaque[] = {
      { .name = "up", .type = AE_IFLNK, .symlink = "../../outside" },
      { .name = "up/.wh..wh..opq", .data = "" },
    };
    const Ent whiteout[] = {
      { .name = "up", .type = AE_IFLNK, .symlink = "../../outside" },
      { .name = "up/.wh.x", .data = "" },
    };

    expect_unsafe (&f, abs, G_N_ELEMENTS (abs), COMP_GZIP, NULL, "link/pwned");
    expect_unsafe (&f, rel, G_N_ELEMENTS (rel), COMP_NONE, NULL, "up/pwned");
    expect_unsafe (&f, dir, G_N_ELEMENTS (dir), COMP_NONE, NULL, "up/sub/");
    expect_unsafe (&f, nested, G_N_ELEMENTS (nested), COMP_NONE, NULL, "d/l/etc/pwned");
    expect_unsafe (&f, opaque, G_N_ELEMENTS (opaque), COMP_NONE, NULL, "up/.wh..wh..opq");
    expect_unsafe (&f, whiteout, G_N_ELEMENTS (whiteout), COMP_NONE, NULL, "up/.wh.x");
  }
  fixture_clear (&f);
}

static void
test_hardlink_escape (void)
{
  Fixture f;
  g_autofree char *secret = NULL;

  fixture_init (&f);
  secret = g_build_filename (f.tmp, "secret", NULL);
  g_assert_true (g_file_set_contents (secret, "secret", -1, NULL));
  {
    const Ent dotdot[] = { { .name = "hl", .hardlink = "../../secret" } };
    const Ent absolute[] = { { .name = "hl", .hardlink = secret } };
    const Ent missing[] = { { .name = "hl", .hardlink = "not/there" } };
    const Ent via_link[] = {
      { .name = "up", .type = AE_IFLNK, .symlink = "../.." },
      { .name = "hl", .hardlink = "up/secret" },
    };
    const Ent to_dir[] = {
      { .name = "d/", .type = AE_IFDIR },
      { .name = "hl", .hardlink = "d" },
    };

    expect_unsafe (&f, dotdot, G_N_ELEMENTS (dotdot), COMP_NONE, NULL, "hl");
    expect_unsafe (&f, absolute, G_N_ELEMENTS (absolute), COMP_NONE, NULL, "hl");
    expect_unsafe (&f, missing, G_N_ELEMENTS (missing), COMP_NONE, NULL, "hl");
    expect_unsafe (&f, via_link, G_N_ELEMENTS (via_link), COMP_NONE, NULL, "hl");
    expect_unsafe (&f, to_dir, G_N_ELEMENTS (to_dir), COMP_NONE, NULL, "hl");
  }
  {
    struct stat st;
    g_assert_cmpint (stat (secret, &st), ==, 0);
    g_assert_cmpint (st.st_nlink, ==, 1);
  }
  fixture_clear (&f);
}

static void
test_malformed_whiteouts (void)
{
  Fixture f;
  const Ent empty[] = { { .name = "a/.wh.", .data = "" } };
  const Ent dot[] = { { .name = ".wh..", .data = "" } };
  const Ent dotdot[] = { { .name = "a/.wh...", .data = "" } };
  const Ent as_parent[] = { { .name = ".wh.../outside/x", .data = "" } };
  const Ent as_dir[] = { { .name = "a/.wh.b/c", .data = "" } };
  const Ent opq_dir[] = { { .name = "a/.wh..wh..opq/", .type = AE_IFDIR } };
  const Ent opq_link[] = { { .name = "a/.wh..wh..opq", .type = AE_IFLNK, .symlink = "x" } };

  fixture_init (&f);
  expect_unsafe (&f, empty, 1, COMP_NONE, NULL, "a/.wh.");
  expect_unsafe (&f, dot, 1, COMP_NONE, NULL, ".wh..");
  expect_unsafe (&f, dotdot, 1, COMP_NONE, NULL, "a/.wh...");
  expect_unsafe (&f, as_parent, 1, COMP_NONE, NULL, ".wh.../outside/x");
  expect_unsafe (&f, as_dir, 1, COMP_NONE, NULL, "a/.wh.b/c");
  expect_unsafe (&f, opq_dir, 1, COMP_NONE, NULL, "a/.wh..wh..opq");
  expect_unsafe (&f, opq_link, 1, COMP_NONE, NULL, "a/.wh..wh..opq");
  fixture_clear (&f);
}

static void
test_bomb_max_bytes (void)
{
  Fixture f;
  const Ent ents[] = {
    { .name = "small", .data = "s" },
    { .name = "zeros", .size = 8 * 1024 * 1024 },
  };
  HatakeLayerLimits limits;

  fixture_init (&f);
  hatake_layer_limits_init_default (&limits);
  limits.max_bytes = 2 * 1024 * 1024;
  expect_unsafe (&f, ents, G_N_ELEMENTS (ents), COMP_ZSTD, &limits, "zeros");
  expect_unsafe (&f, ents, G_N_ELEMENTS (ents), COMP_NONE, &limits, "zeros");
  fixture_clear (&f);
}

static void
test_bomb_max_ratio (void)
{
  Fixture f;
  const Ent ents[] = { { .name = "zeros", .size = 16 * 1024 * 1024 } };
  HatakeLayerLimits limits;
  g_autoptr(GBytes) tar = tar_from (ents, G_N_ELEMENTS (ents));
  g_autofree char *plain = NULL;
  g_autoptr(GError) error = NULL;

  fixture_init (&f);
  hatake_layer_limits_init_default (&limits);
  limits.max_ratio = 50;
  expect_unsafe (&f, ents, G_N_ELEMENTS (ents), COMP_GZIP, &limits, "zeros");
  expect_unsafe (&f, ents, G_N_ELEMENTS (ents), COMP_ZSTD, &limits, "zeros");
  /* An uncompressed layer is 1:1 and passes. */
  plain = write_blob (f.tmp, tar, COMP_NONE);
  fresh_dest (&f);
  g_assert_true (unpack (plain, f.dest, &limits, NULL, NULL, &error));
  g_assert_no_error (error);
  fixture_clear (&f);
}

static void
test_too_many_entries (void)
{
  Fixture f;
  Ent ents[30];
  char names[30][16];
  HatakeLayerLimits limits;

  for (guint i = 0; i < G_N_ELEMENTS (ents); i++)
    {
      g_snprintf (names[i], sizeof names[i], "f%02u", i);
      ents[i] = (Ent) { .name = names[i], .data = "x" };
    }
  fixture_init (&f);
  hatake_layer_limits_init_default (&limits);
  limits.max_entries = 10;
  expect_unsafe (&f, ents, G_N_ELEMENTS (ents), COMP_GZIP, &limits, "f10");
  fixture_clear (&f);
}

static void
test_truncated_and_garbage (void)
{
  Fixture f;
  g_autoptr(GBytes) tar = NULL;
  g_autofree char *gz = NULL;
  g_autofree char *zst = NULL;
  g_autofree char *garbage = NULL;
  g_autofree char *empty = NULL;

  fixture_init (&f);
  tar = build_normal_layer ();
  gz = write_blob (f.tmp, tar, COMP_GZIP);
  zst = write_blob (f.tmp, tar, COMP_ZSTD);
  garbage = g_build_filename (f.tmp, "garbage", NULL);
  empty = g_build_filename (f.tmp, "empty", NULL);
  g_assert_true (g_file_set_contents (garbage, "this is not a layer at all, not even close", -1,
                                      NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));

  for (const char **p = (const char *[]) { gz, zst, NULL }; *p; p++)
    {
      struct stat st;

      g_assert_cmpint (stat (*p, &st), ==, 0);
      for (off_t cut = 10; cut < st.st_size; cut += st.st_size / 7 + 1)
        {
          g_autofree char *copy = g_strdup_printf ("%s.cut", *p);
          g_autofree char *data = NULL;
          g_autofree char *diff_id = NULL;
          g_autoptr(GError) error = NULL;

          g_assert_true (g_file_get_contents (*p, &data, NULL, NULL));
          g_assert_true (g_file_set_contents (copy, data, cut, NULL));
          fresh_dest (&f);
          g_assert_false (unpack (copy, f.dest, NULL, &diff_id, NULL, &error));
          g_assert_nonnull (error);
          g_assert_null (diff_id);
          g_test_message ("cut at %ld: %s", (long) cut, error->message);
        }
    }
  for (const char **p = (const char *[]) { garbage, empty, NULL }; *p; p++)
    {
      g_autoptr(GError) error = NULL;

      fresh_dest (&f);
      g_assert_false (unpack (*p, f.dest, NULL, NULL, NULL, &error));
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
    }
  fixture_clear (&f);
}

static void
test_cancelled (void)
{
  Fixture f;
  g_autoptr(GBytes) tar = NULL;
  g_autofree char *blob = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  fixture_init (&f);
  tar = build_normal_layer ();
  blob = write_blob (f.tmp, tar, COMP_GZIP);
  g_cancellable_cancel (cancellable);
  g_assert_false (hatake_layer_unpack (blob, f.dest, NULL, NULL, NULL, NULL, NULL, cancellable,
                                       &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  fixture_clear (&f);
}

static void
cancel_on_progress (guint64  done,
                    gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

/* Cancelled in the middle of a large file, not only between entries. */
static void
test_cancelled_midway (void)
{
  Fixture f;
  const Ent ents[] = { { .name = "big", .size = 32 * 1024 * 1024 } };
  g_autoptr(GBytes) tar = tar_from (ents, G_N_ELEMENTS (ents));
  g_autofree char *blob = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  fixture_init (&f);
  blob = write_blob (f.tmp, tar, COMP_NONE);
  g_assert_false (hatake_layer_unpack (blob, f.dest, NULL, cancel_on_progress, cancellable, NULL,
                                       NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  fixture_clear (&f);
}

/* ---- hatake_rm_rf ----------------------------------------------------------------------- */

static void
test_rm_rf (void)
{
  Fixture f;
  g_autofree char *tree = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *link = NULL;
  g_autofree char *link2 = NULL;
  g_autofree char *file = NULL;
  g_autofree char *ro = NULL;
  g_autoptr(GError) error = NULL;

  fixture_init (&f);
  kept = g_build_filename (f.outside, "kept", NULL);
  g_assert_true (g_file_set_contents (kept, "kept", -1, NULL));
  tree = g_build_filename (f.tmp, "tree", NULL);
  sub = g_build_filename (tree, "a", "b", "c", NULL);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  link = g_build_filename (tree, "a", "to-outside", NULL);
  g_assert_cmpint (symlink (f.outside, link), ==, 0);
  link2 = g_build_filename (tree, "a", "b", "to-kept", NULL);
  g_assert_cmpint (symlink (kept, link2), ==, 0);
  file = g_build_filename (sub, "file", NULL);
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  ro = g_build_filename (tree, "a", "b", NULL);
  g_assert_cmpint (chmod (ro, 0555), ==, 0);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *many = g_strdup_printf ("%s/many-%u", tree, i);
      g_assert_true (g_file_set_contents (many, "m", -1, NULL));
    }

  g_assert_true (hatake_rm_rf (tree, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (f.outside, G_FILE_TEST_IS_DIR));

  /* Missing is fine, and so is a missing parent. */
  g_assert_true (hatake_rm_rf (tree, &error));
  g_assert_no_error (error);
  g_clear_pointer (&sub, g_free);
  sub = g_build_filename (tree, "x", "y", NULL);
  g_assert_true (hatake_rm_rf (sub, &error));
  g_assert_no_error (error);

  /* A symlink given directly is removed, not followed. */
  g_clear_pointer (&link, g_free);
  link = g_build_filename (f.tmp, "top-link", NULL);
  g_assert_cmpint (symlink (f.outside, link), ==, 0);
  g_assert_true (hatake_rm_rf (link, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  fixture_clear (&f);
}

static void
test_limits_default (void)
{
  HatakeLayerLimits limits;

  hatake_layer_limits_init_default (&limits);
  g_assert_cmpuint (limits.max_bytes, ==, G_GUINT64_CONSTANT (64) << 30);
  g_assert_cmpuint (limits.max_entries, ==, 5000000);
  g_assert_cmpuint (limits.max_ratio, ==, 0);
}

typedef void (*TestFunc) (void);

/* The same test with paths resolved by the walk that stands in for openat2() where it is missing. */
static void
run_with_path_walk (gconstpointer data)
{
  _hatake_layer_force_path_walk (TRUE);
  ((TestFunc) data) ();
  _hatake_layer_force_path_walk (FALSE);
}

static void
add_both (const char *path,
          TestFunc    func)
{
  g_autofree char *walk = g_strconcat ("/layer/path-walk", path + strlen ("/layer"), NULL);

  g_test_add_func (path, func);
  g_test_add_data_func (walk, (gconstpointer) func, run_with_path_walk);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/layer/limits-default", test_limits_default);
  add_both ("/layer/normal", test_normal_layer);
  g_test_add_func ("/layer/trailing-bytes", test_trailing_bytes);
  g_test_add_func ("/layer/empty", test_empty_layer);
  add_both ("/layer/utf8-names", test_utf8_names);
  add_both ("/layer/whiteouts", test_whiteouts);
  add_both ("/layer/unsafe/dotdot", test_dotdot_escape);
  add_both ("/layer/unsafe/replace-symlink", test_replace_symlink);
  add_both ("/layer/unsafe/absolute-stays-inside", test_absolute_stays_inside);
  add_both ("/layer/unsafe/symlink-write-through", test_symlink_write_through);
  add_both ("/layer/unsafe/hardlink", test_hardlink_escape);
  add_both ("/layer/unsafe/malformed-whiteouts", test_malformed_whiteouts);
  g_test_add_func ("/layer/unsafe/bomb-max-bytes", test_bomb_max_bytes);
  g_test_add_func ("/layer/unsafe/bomb-max-ratio", test_bomb_max_ratio);
  g_test_add_func ("/layer/unsafe/too-many-entries", test_too_many_entries);
  g_test_add_func ("/layer/truncated-and-garbage", test_truncated_and_garbage);
  g_test_add_func ("/layer/cancelled", test_cancelled);
  g_test_add_func ("/layer/cancelled-midway", test_cancelled_midway);
  g_test_add_func ("/layer/rm-rf", test_rm_rf);

  return g_test_run ();
}
