/* replay-main.c: a fuzz target's inputs, replayed once each, for builds without libFuzzer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: fuzz-NAME [FILE|DIR]… — each file, and each file in each directory (sorted, not
 * recursive, dot files skipped), goes once through LLVMFuzzerTestOneInput. A crash, a sanitizer
 * report or valgrind's error exit fails the test, and so does finding no input at all.
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hatake-fuzz.h"

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static guint
replay_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      exit (EXIT_FAILURE);
    }
  /* A copy of exactly the input's size, so that ASan and valgrind catch a read past its end */
  {
    g_autofree guint8 *copy = g_memdup2 (contents, length);
    LLVMFuzzerTestOneInput (copy, length);
  }
  return 1;
}

static guint
replay_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n = 0;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
        n += replay_file (file);
    }
  return n;
}

int
main (int    argc,
      char **argv)
{
  guint n = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    n += g_file_test (argv[i], G_FILE_TEST_IS_DIR) ? replay_dir (argv[i]) : replay_file (argv[i]);
  printf ("%s: %u inputs replayed\n", argv[0], n);
  return n > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
