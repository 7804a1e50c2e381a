/* fuzz-layer.c: the layer unpacker, on tar entries (plain, gzip or zstd)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a layer blob. It is unpacked into a fresh folder inside a tree of our own, and
 * whatever the layer says (../, absolute paths, symlinks, hardlinks out), nothing may appear in
 * that tree outside the folder: every run checks the tree is as it was and then removes the
 * folder.
 *
 *   ROOT/blob              the input
 *   ROOT/outside/          must stay empty
 *   ROOT/outside/in/dest/  where the layer goes
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include <glib/gstdio.h>

#include "hatake-fuzz.h"
#include "hatake-layer.h"

static char *root;
static char *blob;
static char *outside;
static char *inside;
static char *dest;

static void
remove_tree (void)
{
  hatake_rm_rf (root, NULL);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hatake_fuzz_init ();
  root = g_dir_make_tmp ("hatake-fuzz-layer-XXXXXX", NULL);
  g_assert (root != NULL);
  blob = g_build_filename (root, "blob", NULL);
  outside = g_build_filename (root, "outside", NULL);
  inside = g_build_filename (outside, "in", NULL);
  dest = g_build_filename (inside, "dest", NULL);
  g_assert (g_mkdir_with_parents (inside, 0755) == 0);
  atexit (remove_tree);
  return 0;
}

/* path holds exactly the one entry named (or nothing, for NULL) */
static void
assert_only (const char *path,
             const char *a,
             const char *b)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert (dir != NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_strcmp0 (name, a) != 0 && g_strcmp0 (name, b) != 0)
      g_error ("the layer wrote %s/%s, outside the folder it was unpacked into", path, name);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  HatakeLayerLimits limits;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) rm_error = NULL;
  g_autofree char *diff_id = NULL;
  guint64 unpacked = 0;
  gboolean ok;

  g_assert (g_file_set_contents (blob, (const char *) data, (gssize) size, NULL));
  g_assert (g_mkdir (dest, 0755) == 0);

  /* small limits: a bomb is refused quickly instead of filling the disk */
  hatake_layer_limits_init_default (&limits);
  limits.max_bytes = 16 * 1024 * 1024;
  limits.max_entries = 4096;

  ok = hatake_layer_unpack (blob, dest, &limits, NULL, NULL, &diff_id, &unpacked, NULL, &error);
  g_assert (ok == (error == NULL));
  g_assert (!ok || (diff_id != NULL && g_str_has_prefix (diff_id, "sha256:")));

  assert_only (root, "blob", "outside");
  assert_only (outside, "in", NULL);
  assert_only (inside, "dest", NULL);

  if (!hatake_rm_rf (dest, &rm_error))
    g_error ("cannot remove %s: %s", dest, rm_error->message);
  return 0;
}
