/* test-archive.c: paths resolved inside a root whatever its symlinks say, and tars of them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#include <archive.h>
#include <archive_entry.h>

#include "hatake-archive.h"
#include "hatake-layer.h"

typedef struct
{
  char *dir;     /* holds root/ and, next to it, outside/ */
  char *root;
  int   root_fd;
} Fixture;

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *etc = NULL, *outside = NULL, *path = NULL;

  f->dir = g_dir_make_tmp ("hatake-archive-XXXXXX", NULL);
  f->root = g_build_filename (f->dir, "root", NULL);
  etc = g_build_filename (f->root, "etc", NULL);
  outside = g_build_filename (f->dir, "etc", NULL);
  g_assert_cmpint (g_mkdir_with_parents (etc, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (outside, 0755), ==, 0);
  write_file (etc, "real", "inside\n");
  write_file (outside, "real", "OUTSIDE\n");
  /* links a container could make to reach the host: absolute, climbing, looping */
  path = g_build_filename (f->root, "abs", NULL);
  g_assert_cmpint (symlink ("/etc", path), ==, 0);
  g_free (path);
  path = g_build_filename (f->root, "etc", "rel", NULL);
  g_assert_cmpint (symlink ("../../../../etc", path), ==, 0);
  g_free (path);
  path = g_build_filename (f->root, "loop", NULL);
  g_assert_cmpint (symlink ("loop", path), ==, 0);
  f->root_fd = open (f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (f->root_fd, >=, 0);
  _hatake_archive_force_path_walk (GPOINTER_TO_INT (data));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  _hatake_archive_force_path_walk (FALSE);
  close (f->root_fd);
  hatake_rm_rf (f->dir, NULL);
  g_free (f->dir);
  g_free (f->root);
}

/* What PATH resolves to, read through /proc (the fd is O_PATH). */
static char *
read_resolved (Fixture *f, const char *path)
{
  g_autoptr(GError) error = NULL;
  int fd = hatake_archive_resolve (f->root_fd, path, FALSE, &error);
  g_autofree char *proc = NULL;
  char *text = NULL;

  g_assert_no_error (error);
  proc = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_assert_true (g_file_get_contents (proc, &text, NULL, NULL));
  close (fd);
  return text;
}

static void
test_resolve (Fixture *f, gconstpointer data)
{
  const char *paths[] = { "/etc/real", "abs/real", "/abs/../abs/real", "etc/rel/real", "../../etc/real",
                          "/etc/../../../etc/real", NULL };
  g_autoptr(GError) error = NULL;
  struct stat st;
  int fd;

  for (guint i = 0; paths[i]; i++)
    {
      g_autofree char *text = read_resolved (f, paths[i]);

      g_test_message ("%s", paths[i]);
      g_assert_cmpstr (text, ==, "inside\n");
    }
  /* the last component is the link itself unless asked (or written with a trailing slash) */
  fd = hatake_archive_resolve (f->root_fd, "abs", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  close (fd);
  fd = hatake_archive_resolve (f->root_fd, "abs/", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  close (fd);
  /* a loop and a missing file are errors, not hangs */
  g_assert_cmpint (hatake_archive_resolve (f->root_fd, "loop/x", FALSE, &error), <, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (hatake_archive_resolve (f->root_fd, "etc/missing/x", FALSE, &error), <, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

typedef struct
{
  int         root_fd;
  const char *path;
  int         out_fd;
  gboolean    ok;
} WriteJob;

static gpointer
write_job (gpointer user_data)
{
  WriteJob *job = user_data;
  g_autoptr(GError) error = NULL;

  job->ok = hatake_archive_write_tar (job->root_fd, job->path, job->out_fd, NULL, &error);
  g_assert_no_error (error);
  close (job->out_fd);
  return NULL;
}

/* The tar of "abs/" (the root's /etc through a link) extracted through a link that points out: both
 * stay inside. */
static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autofree char *copied = NULL, *outside = NULL, *link = NULL, *dest = NULL;
  g_autoptr(JsonNode) stat = NULL;
  WriteJob job = { .root_fd = f->root_fd, .path = "abs/" };
  GThread *thread;
  int pair[2];

  stat = hatake_archive_stat (f->root_fd, "abs/", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (stat), "name"), ==, "abs");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stat), "mode") & (1u << 31), !=, 0);

  dest = g_build_filename (f->root, "dest", NULL);
  g_assert_cmpint (g_mkdir (dest, 0755), ==, 0);
  link = g_build_filename (f->root, "dest", "out", NULL);
  g_assert_cmpint (symlink ("/../..", link), ==, 0);   /* "the root's parent" */

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), ==, 0);
  job.out_fd = pair[1];
  thread = g_thread_new ("writer", write_job, &job);
  in = g_unix_input_stream_new (pair[0], TRUE);
  g_assert_true (hatake_archive_extract (f->root_fd, "/dest/out", in, HATAKE_ARCHIVE_FLAGS_NONE, NULL, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_true (job.ok);

  /* "/dest/out" is the root itself: the copy is root/abs/real, and nothing went next to root */
  copied = g_build_filename (f->root, "abs", "real", NULL);
  g_assert_true (g_file_test (copied, G_FILE_TEST_IS_REGULAR));
  outside = g_build_filename (f->dir, "abs", NULL);
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
  g_free (copied);
  copied = g_build_filename (f->root, "abs", "rel", NULL);
  g_assert_true (g_file_test (copied, G_FILE_TEST_IS_SYMLINK));   /* links copied as links */
}

/* A tar of one file, FILTER-compressed (libarchive's write filter code) */
static GBytes *
compressed_tar (int filter)
{
  struct archive *a = archive_write_new ();
  struct archive_entry *entry = archive_entry_new ();
  gsize size = 1 << 20, used = 0;
  char *buffer = g_malloc (size);

  archive_write_set_format_pax_restricted (a);
  g_assert_cmpint (archive_write_add_filter (a, filter), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_memory (a, buffer, size, &used), ==, ARCHIVE_OK);
  archive_entry_set_pathname (entry, "copied");
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, 6);
  g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (a, "hello\n", 6), ==, 6);
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_entry_free (entry);
  archive_write_free (a);
  return g_bytes_new_take (buffer, used);
}

/* What a client may send to PUT /containers/{id}/archive: a tar as it is or compressed as docker
 * takes it (gzip, bzip2, xz; and zstd). Another compression (compress's .Z here; lzop, lrzip and
 * grzip would run programs) is refused, and nothing is written. */
static void
test_extract_compressions (Fixture *f, gconstpointer data)
{
  static const struct { int filter; gboolean taken; } cases[] = {
    { ARCHIVE_FILTER_NONE, TRUE },
    { ARCHIVE_FILTER_GZIP, TRUE },
    { ARCHIVE_FILTER_BZIP2, TRUE },
    { ARCHIVE_FILTER_XZ, TRUE },
    { ARCHIVE_FILTER_ZSTD, TRUE },
    { ARCHIVE_FILTER_COMPRESS, FALSE },
  };
  g_autofree char *copied = g_build_filename (f->root, "copied", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) tar = compressed_tar (cases[i].filter);
      g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (tar);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      gboolean ok;

      g_test_message ("filter %d", cases[i].filter);
      ok = hatake_archive_extract (f->root_fd, "/", in, HATAKE_ARCHIVE_FLAGS_NONE, NULL, &error);
      if (cases[i].taken)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_true (g_file_get_contents (copied, &text, NULL, NULL));
          g_assert_cmpstr (text, ==, "hello\n");
          g_assert_cmpint (g_unlink (copied), ==, 0);
        }
      else
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
          g_assert_false (ok);
          g_assert_false (g_file_test (copied, G_FILE_TEST_EXISTS));
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/archive/resolve", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up, test_resolve, fixture_tear_down);
  g_test_add ("/archive/resolve-walk", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up, test_resolve, fixture_tear_down);
  g_test_add ("/archive/round-trip", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/archive/extract-compressions", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up,
              test_extract_compressions, fixture_tear_down);
  g_test_add ("/archive/round-trip-walk", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up, test_round_trip,
              fixture_tear_down);
  return g_test_run ();
}
