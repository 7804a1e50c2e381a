/* test-passwd.c: user specs resolved inside a container root, paths opened and made inside it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hatake-error.h"
#include "hatake-layer.h"
#include "hatake-archive.h"
#include "hatake-passwd.h"

static const char passwd_text[] =
  "# a comment\n"
  "root:x:0:0:root:/root:/bin/sh\n"
  "\n"
  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
  "   \n"
  "broken\n"
  "bad:x:abc:1::/bad:/bin/sh\n"
  "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
  "bob:x:1001:100::/home/bob:/bin/sh\n"
  "alice:x:2000:2000:second alice, first wins:/nope:/bin/sh\n"
  "nohome:x:1002:1002\n";

static const char group_text[] =
  "root:x:0:\n"
  "# comment\n"
  "wheel:x:10:alice,bob\n"
  "garbage line\n"
  "users:x:100:alice\n"
  "staff:x:50:bob\n"
  "alice:x:1000:\n"
  "alicelike:x:60:alice2,malice\n";

typedef struct
{
  char *dir;        /* the temp dir: rootfs/ and outside/ below it */
  char *rootfs;
  int   rootfd;
} Fixture;

static void
write_file (const char *dir,
            const char *rel,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
make_dir (const char *dir,
          const char *rel)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* (without openat2, under valgrind 3.19 or an old kernel, both variants walk) */
  _hatake_archive_force_path_walk (data != NULL);
  f->dir = g_dir_make_tmp ("hatake-passwd-XXXXXX", &error);
  g_assert_no_error (error);
  f->rootfs = g_build_filename (f->dir, "rootfs", NULL);
  g_assert_cmpint (g_mkdir (f->rootfs, 0755), ==, 0);
  f->rootfd = open (f->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (f->rootfd, >=, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  _hatake_archive_force_path_walk (FALSE);
  close (f->rootfd);
  g_assert_true (hatake_rm_rf (f->dir, NULL));
  g_free (f->rootfs);
  g_free (f->dir);
}

static void
write_db (Fixture *f)
{
  write_file (f->rootfs, "etc/passwd", passwd_text);
  write_file (f->rootfs, "etc/group", group_text);
}

static void
assert_gids (const HatakeUser *user,
             const guint32    *want,
             guint             n)
{
  g_assert_nonnull (user->additional_gids);
  g_assert_cmpuint (user->additional_gids->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (user->additional_gids, guint32, i), ==, want[i]);
}

static void
test_resolve_names_and_numbers (Fixture       *f,
                                gconstpointer  data)
{
  const struct {
    const char *spec;
    guint32 uid, gid;
    const char *name;
    const char *home;
    guint32 sgids[4];
    guint n_sgids;
  } cases[] = {
    { "", 0, 0, "root", "/root", { 0 }, 0 },
    { NULL, 0, 0, "root", "/root", { 0 }, 0 },
    { "alice", 1000, 1000, "alice", "/home/alice", { 10, 100 }, 2 },
    { "1000", 1000, 1000, "alice", "/home/alice", { 10, 100 }, 2 },
    { "bob", 1001, 100, "bob", "/home/bob", { 10, 50 }, 2 },
    { "daemon", 1, 1, "daemon", "/usr/sbin", { 0 }, 0 },
    { "4242", 4242, 0, NULL, "/", { 0 }, 0 },           /* a number needs no entry */
    { "alice:staff", 1000, 50, "alice", "/home/alice", { 0 }, 0 }, /* explicit group: no sgids */
    { "alice:4242", 1000, 4242, "alice", "/home/alice", { 0 }, 0 },
    { "alice:100", 1000, 100, "alice", "/home/alice", { 0 }, 0 },
    { "4242:users", 4242, 100, NULL, "/", { 0 }, 0 },
    { "4242:77", 4242, 77, NULL, "/", { 0 }, 0 },
    { "alice:", 1000, 1000, "alice", "/home/alice", { 10, 100 }, 2 },
    { "nohome", 1002, 1002, "nohome", "/", { 0 }, 0 },
    { "2147483647", 2147483647, 0, NULL, "/", { 0 }, 0 },
  };

  if (f->dir == NULL)
    return;
  write_db (f);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(HatakeUser) user = { 0 };

      g_test_message ("spec “%s”", cases[i].spec ? cases[i].spec : "(null)");
      g_assert_true (hatake_passwd_resolve (f->rootfd, cases[i].spec, &user, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (user.uid, ==, cases[i].uid);
      g_assert_cmpuint (user.gid, ==, cases[i].gid);
      g_assert_cmpstr (user.name, ==, cases[i].name);
      g_assert_cmpstr (user.home, ==, cases[i].home);
      assert_gids (&user, cases[i].sgids, cases[i].n_sgids);
    }
}

static void
test_resolve_errors (Fixture       *f,
                     gconstpointer  data)
{
  const struct {
    const char *spec;
    const char *message;
  } cases[] = {
    { "nobody", "unable to find user nobody: no matching entries in passwd file" },
    { "broken", "unable to find user broken: no matching entries in passwd file" },
    { "bad", "unable to find user bad: no matching entries in passwd file" },
    { "alice:nogroup", "unable to find group nogroup: no matching entries in group file" },
    { "-1", NULL },
    { "2147483648", NULL },
    { "99999999999999999999", NULL },
    { "1000:-5", NULL },
  };

  if (f->dir == NULL)
    return;
  write_db (f);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(HatakeUser) user = { 0 };

      g_test_message ("spec “%s”", cases[i].spec);
      g_assert_false (hatake_passwd_resolve (f->rootfd, cases[i].spec, &user, &error));
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
      else
        g_assert_nonnull (strstr (error->message, "range"));
      g_assert_null (user.additional_gids);
      g_assert_null (user.home);
    }
}

static void
test_resolve_no_files (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(HatakeUser) user = { 0 };

  if (f->dir == NULL)
    return;
  g_assert_true (hatake_passwd_resolve (f->rootfd, "", &user, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (user.uid, ==, 0);
  g_assert_cmpuint (user.gid, ==, 0);
  g_assert_cmpstr (user.home, ==, "/");

  g_assert_true (hatake_passwd_resolve (f->rootfd, "123:456", &user, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (user.uid, ==, 123);
  g_assert_cmpuint (user.gid, ==, 456);

  g_assert_false (hatake_passwd_resolve (f->rootfd, "alice", &user, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (hatake_passwd_resolve (f->rootfd, "0:wheel", &user, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
}

/* /etc/passwd -> an absolute host path: the host file (a decoy with other ids) must never be
 * read; the same path inside the root is. */
static void
test_symlink_absolute (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(HatakeUser) user = { 0 };
  g_autofree char *decoy_dir = NULL;
  g_autofree char *decoy = NULL;
  g_autofree char *link = NULL;

  if (f->dir == NULL)
    return;
  decoy_dir = g_build_filename (f->dir, "outside", NULL);
  write_file (decoy_dir, "passwd", "alice:x:7777:7777::/decoy:/bin/sh\nroot:x:0:7777::/decoy:/bin/sh\n");
  decoy = g_build_filename (decoy_dir, "passwd", NULL);
  write_file (f->rootfs, "etc/group", group_text);
  link = g_build_filename (f->rootfs, "etc", "passwd", NULL);
  g_assert_cmpint (symlink (decoy, link), ==, 0);

  /* Nothing at that path inside the root: no passwd file at all. */
  g_assert_false (hatake_passwd_resolve (f->rootfd, "alice", &user, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (hatake_passwd_resolve (f->rootfd, "", &user, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (user.gid, ==, 0);
  g_assert_cmpstr (user.home, ==, "/");

  /* The same path inside the root is the one read. */
  write_file (f->rootfs, decoy, "alice:x:5555:5556::/inside:/bin/sh\n");
  g_assert_true (hatake_passwd_resolve (f->rootfd, "alice", &user, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (user.uid, ==, 5555);
  g_assert_cmpuint (user.gid, ==, 5556);
  g_assert_cmpstr (user.home, ==, "/inside");
}

/* A relative symlink that climbs with ".." is clamped at the root. */
static void
test_symlink_relative_escape (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(HatakeUser) user = { 0 };
  g_autofree char *link = NULL;

  if (f->dir == NULL)
    return;
  /* dir/outside/passwd is what ../../outside/passwd names from the host's point of view. */
  write_file (f->dir, "outside/passwd", "alice:x:7777:7777::/decoy:/bin/sh\n");
  write_file (f->rootfs, "outside/passwd", "alice:x:3333:3333::/clamped:/bin/sh\n");
  make_dir (f->rootfs, "etc");
  link = g_build_filename (f->rootfs, "etc", "passwd", NULL);
  g_assert_cmpint (symlink ("../../../../../../../../outside/passwd", link), ==, 0);

  g_assert_true (hatake_passwd_resolve (f->rootfd, "alice", &user, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (user.uid, ==, 3333);
  g_assert_cmpstr (user.home, ==, "/clamped");
}

static void
test_not_regular (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(HatakeUser) user = { 0 };
  g_autofree char *fifo = NULL;

  if (f->dir == NULL)
    return;
  make_dir (f->rootfs, "etc");
  fifo = g_build_filename (f->rootfs, "etc", "passwd", NULL);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  /* Must not block on the FIFO. */
  g_assert_false (hatake_passwd_resolve (f->rootfd, "alice", &user, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_open_in_root (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char buf[64] = { 0 };
  int fd;

  if (f->dir == NULL)
    return;
  write_file (f->dir, "secret", "host");
  write_file (f->rootfs, "secret", "container");
  make_dir (f->rootfs, "etc");
  fd = hatake_open_in_root (f->rootfd, "/etc/../../../../secret", O_RDONLY, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (read (fd, buf, sizeof buf - 1), ==, 9);
  g_assert_cmpstr (buf, ==, "container");
  close (fd);

  fd = hatake_open_in_root (f->rootfd, "missing", O_RDONLY, 0, &error);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, ENOENT);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_mkdir_p (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *made = g_build_filename (f->rootfs ? f->rootfs : "", "a", "b", "c", NULL);
  g_autofree char *file = NULL;
  struct stat st;

  if (f->dir == NULL)
    return;
  g_assert_true (hatake_mkdir_p_in_root (f->rootfd, "/a//b/./c/", 0750, 1234, 5678, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (made, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  if (geteuid () == 0)
    {
      g_assert_cmpuint (st.st_uid, ==, 1234);
      g_assert_cmpuint (st.st_gid, ==, 5678);
    }
  /* Again: nothing to do, no error. */
  g_assert_true (hatake_mkdir_p_in_root (f->rootfd, "/a/b/c", 0750, 0, 0, &error));
  g_assert_no_error (error);

  write_file (f->rootfs, "file", "x");
  g_assert_false (hatake_mkdir_p_in_root (f->rootfd, "/file/sub", 0755, 0, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_clear_error (&error);

  /* A dangling symlink: its target is made inside the root, never on the host. */
  file = g_build_filename (f->rootfs, "dangling", NULL);
  g_assert_cmpint (symlink ("/nonexistent-hatake-target/deeper", file), ==, 0);
  g_assert_true (hatake_mkdir_p_in_root (f->rootfd, "/dangling/x", 0755, 0, 0, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test ("/nonexistent-hatake-target", G_FILE_TEST_EXISTS));
  g_free (file);
  file = g_build_filename (f->rootfs, "nonexistent-hatake-target", "deeper", "x", NULL);
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_DIR));

  /* A symlink loop ends with an error, not a hang. */
  g_free (file);
  file = g_build_filename (f->rootfs, "loop", NULL);
  g_assert_cmpint (symlink ("loop2", file), ==, 0);
  g_free (file);
  file = g_build_filename (f->rootfs, "loop2", NULL);
  g_assert_cmpint (symlink ("loop", file), ==, 0);
  g_assert_false (hatake_mkdir_p_in_root (f->rootfd, "/loop/x", 0755, 0, 0, &error));
  g_assert_nonnull (error);
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  g_assert_nonnull (dir);
  return g_dir_read_name (dir) == NULL;
}

/* rootfs/work -> /tmp/…/outside: the working dir lands inside the root, never outside. */
static void
test_mkdir_p_through_symlink (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *outside = NULL;
  g_autofree char *link = NULL;
  g_autofree char *inside = NULL;
  g_autofree char *rel_link = NULL;
  g_autofree char *clamped = NULL;

  if (f->dir == NULL)
    return;
  outside = g_build_filename (f->dir, "outside", NULL);
  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
  link = g_build_filename (f->rootfs, "work", NULL);
  g_assert_cmpint (symlink (outside, link), ==, 0);

  g_assert_true (hatake_mkdir_p_in_root (f->rootfd, "/work/sub/dir", 0755, 0, 0, &error));
  g_assert_no_error (error);
  g_assert_true (dir_is_empty (outside));
  inside = g_build_filename (f->rootfs, outside, "sub", "dir", NULL);
  g_assert_true (g_file_test (inside, G_FILE_TEST_IS_DIR));

  /* A relative link that climbs, and ".." in the path itself. */
  rel_link = g_build_filename (f->rootfs, "up", NULL);
  g_assert_cmpint (symlink ("../../../../../../..", rel_link), ==, 0);
  g_assert_true (hatake_mkdir_p_in_root (f->rootfd, "/up/escaped/../../../x", 0755, 0, 0, &error));
  g_assert_no_error (error);
  clamped = g_build_filename (f->rootfs, "x", NULL);
  g_assert_true (g_file_test (clamped, G_FILE_TEST_IS_DIR));
  g_assert_false (g_file_test ("/escaped", G_FILE_TEST_EXISTS));
  g_assert_true (dir_is_empty (outside));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  /* each case twice: with openat2(), and walking one component at a time as without it */
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down); \
                      g_test_add ("/walk" path, Fixture, GINT_TO_POINTER (1), fixture_set_up, fn, fixture_tear_down)
  ADD ("/passwd/resolve/names-and-numbers", test_resolve_names_and_numbers);
  ADD ("/passwd/resolve/errors", test_resolve_errors);
  ADD ("/passwd/resolve/no-files", test_resolve_no_files);
  ADD ("/passwd/resolve/symlink-absolute", test_symlink_absolute);
  ADD ("/passwd/resolve/symlink-relative-escape", test_symlink_relative_escape);
  ADD ("/passwd/resolve/not-regular", test_not_regular);
  ADD ("/passwd/open-in-root", test_open_in_root);
  ADD ("/passwd/mkdir-p", test_mkdir_p);
  ADD ("/passwd/mkdir-p/through-symlink", test_mkdir_p_through_symlink);
#undef ADD

  return g_test_run ();
}
