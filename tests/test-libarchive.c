/* test-libarchive.c: libarchive loaded while it is used, and unloaded after (this test does not
 * link it)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-test"

#include "config.h"

#include <string.h>

#include "hatake-error.h"
#include "hatake-libarchive.h"

static gboolean
mapped (const char *name)
{
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, name) != NULL;
}

static void
test_libarchive_users (void)
{
  g_autoptr(GError) error = NULL;
  HatakeLibarchive *first, *second;
  struct archive *a;

  g_assert_false (mapped ("/libarchive.so"));
  g_assert_false (hatake_libarchive_loaded ());
  g_assert_null (sym_archive_read_new);

  first = hatake_libarchive_load (&error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_true (mapped ("/libarchive.so"));
  a = sym_archive_write_new ();
  g_assert_nonnull (a);
  g_assert_cmpint (sym_archive_write_set_format_pax_restricted (a), ==, ARCHIVE_OK);

  /* a second user keeps it while the first lets go */
  second = hatake_libarchive_load (&error);
  g_assert_no_error (error);
  hatake_libarchive_unload (first);
  g_assert_true (hatake_libarchive_loaded ());
  g_assert_nonnull (sym_archive_write_free);
  g_assert_cmpint (sym_archive_write_free (a), ==, ARCHIVE_OK);

  /* the last one: unmapped, with what it brought (libxml2, ICU), and no pointer into it left */
  hatake_libarchive_unload (second);
  g_assert_false (hatake_libarchive_loaded ());
  g_assert_false (mapped ("/libarchive.so"));
  g_assert_false (mapped ("/libxml2.so"));
  g_assert_null (sym_archive_write_new);
  g_assert_null (sym_archive_entry_free);

  /* and again, as the next pull does */
  first = hatake_libarchive_load (&error);
  g_assert_no_error (error);
  g_assert_true (mapped ("/libarchive.so"));
  hatake_libarchive_unload (first);
  g_assert_false (mapped ("/libarchive.so"));
}

static void
test_libarchive_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "hatake-no-such-libarchive.so.13", NULL);

  g_assert_null (_hatake_libarchive_load_module (path, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "hatake-no-such-libarchive.so.13"));
  g_assert_false (hatake_libarchive_loaded ());
  g_assert_null (sym_archive_read_new);
}

/* a library without libarchive's functions (GLib's own, which is always there): refused, naming
 * the first function missing, and closed again */
static void
test_libarchive_wrong_library (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *maps = NULL;
  char *glib;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  glib = strstr (maps, "/libglib-2.0.so");
  g_assert_nonnull (glib);
  while (glib > maps && glib[-1] != ' ')
    glib--;
  *strchr (glib, '\n') = '\0';

  g_assert_null (_hatake_libarchive_load_module (glib, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "it has no archive_"));
  g_assert_false (hatake_libarchive_loaded ());
  g_assert_null (sym_archive_read_new);

  /* the real one still loads after that */
  g_clear_error (&error);
  hatake_libarchive_unload (_hatake_libarchive_load_module (HATAKE_LIBARCHIVE_MODULE, &error));
  g_assert_no_error (error);
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* as in hatake serve: closed a moment after the last user, on the main loop, and kept when a
 * user comes back in that moment */
static void
test_libarchive_linger (void)
{
  g_autoptr(GError) error = NULL;
  HatakeLibarchive *libarchive;
  gboolean timed_out = FALSE;
  guint timeout;

  _hatake_libarchive_set_linger (200);
  hatake_libarchive_unload (hatake_libarchive_load (&error));
  g_assert_no_error (error);
  g_assert_true (hatake_libarchive_loaded ());
  g_assert_true (mapped ("/libarchive.so"));
  g_assert_nonnull (sym_archive_read_new);

  /* back within the moment: the same module, still open after the first close was due */
  libarchive = hatake_libarchive_load (&error);
  g_assert_no_error (error);
  timeout = g_timeout_add (400, on_timeout, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (mapped ("/libarchive.so"));
  g_assert_nonnull (sym_archive_read_new);

  hatake_libarchive_unload (libarchive);
  timed_out = FALSE;
  timeout = g_timeout_add_seconds (10, on_timeout, &timed_out);
  while (hatake_libarchive_loaded () && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  g_assert_false (mapped ("/libarchive.so"));
  g_assert_null (sym_archive_read_new);
  _hatake_libarchive_set_linger (0);
}

static gpointer
load_and_use (gpointer data)
{
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeLibarchive) libarchive = hatake_libarchive_load (&error);
      struct archive *a;

      g_assert_no_error (error);
      a = sym_archive_read_new ();
      g_assert_cmpint (sym_archive_read_support_format_tar (a), ==, ARCHIVE_OK);
      g_assert_cmpint (sym_archive_read_free (a), ==, ARCHIVE_OK);
    }
  return NULL;
}

/* users in several threads, each loading and unloading it over and over */
static void
test_libarchive_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("libarchive-user", load_and_use, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_false (hatake_libarchive_loaded ());
  g_assert_false (mapped ("/libarchive.so"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* closed with its last user, but in /libarchive/linger */
  _hatake_libarchive_set_linger (0);
  g_test_add_func ("/libarchive/users", test_libarchive_users);
  g_test_add_func ("/libarchive/linger", test_libarchive_linger);
  g_test_add_func ("/libarchive/missing", test_libarchive_missing);
  g_test_add_func ("/libarchive/wrong-library", test_libarchive_wrong_library);
  g_test_add_func ("/libarchive/threads", test_libarchive_threads);
  return g_test_run ();
}
