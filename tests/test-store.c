/* test-store.c: the on-disk store — versions, the lock, blobs, layers and the image index
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hatake-error.h"
#include "hatake-layer.h"
#include "hatake-store.h"
#include "hatake-test-utils.h"

/* ---- helpers ----------------------------------------------------------------------------- */

typedef struct
{
  char *root;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->root = g_dir_make_tmp ("hatake-store-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  hatake_rm_rf (f->root, &error);
  g_assert_no_error (error);
  g_free (f->root);
}

static char *
sha256_of (const void *data,
           gsize       length)
{
  g_autofree char *hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);

  return g_strconcat ("sha256:", hex, NULL);
}

static char *
sha256_of_bytes (GBytes *bytes)
{
  gsize length;
  const void *data = g_bytes_get_data (bytes, &length);

  return sha256_of (data, length);
}

static char *
root_file (Fixture    *f,
           const char *first,
           ...) G_GNUC_NULL_TERMINATED;

static char *
root_file (Fixture    *f,
           const char *first,
           ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list args;
  const char *part;

  g_ptr_array_add (parts, f->root);
  va_start (args, first);
  for (part = first; part != NULL; part = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

static HatakeStore *
open_ok (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  HatakeStore *store = hatake_store_open (f->root, &error);

  g_assert_no_error (error);
  g_assert_true (HATAKE_IS_STORE (store));
  return store;
}

static void
close_store (HatakeStore **store)
{
  g_assert_finalize_object (*store);
  *store = NULL;
}

typedef struct
{
  GBytes *blob;        /* tar.gz */
  char   *blob_digest;
  char   *diff_id;     /* sha256 of the tar */
  gint64  size;        /* bytes of the regular files */
} Layer;

static void
layer_free (Layer *l)
{
  g_bytes_unref (l->blob);
  g_free (l->blob_digest);
  g_free (l->diff_id);
  g_free (l);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Layer, layer_free)

static la_ssize_t
tar_write_cb (struct archive *a,
              void           *user_data,
              const void     *buffer,
              size_t          length)
{
  g_byte_array_append (user_data, buffer, length);
  return length;
}

/* A tar with a directory and one file of the given contents, written with libarchive and
 * gzipped, so its blob digest and diff ID differ as in a real image. */
static Layer *
make_layer (const char *file_name,
            const char *contents)
{
  g_autoptr(GByteArray) tar = g_byte_array_new ();
  g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (gzip));
  g_autoptr(GError) error = NULL;
  struct archive *w = archive_write_new ();
  struct archive_entry *ae;
  g_autofree char *path = g_strconcat ("data/", file_name, NULL);
  gsize length = strlen (contents);
  Layer *l = g_new0 (Layer, 1);

  g_assert_cmpint (archive_write_set_format_pax_restricted (w), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open2 (w, tar, NULL, tar_write_cb, NULL, NULL), ==, ARCHIVE_OK);

  ae = archive_entry_new ();
  archive_entry_copy_pathname (ae, "data/");
  archive_entry_set_filetype (ae, AE_IFDIR);
  archive_entry_set_perm (ae, 0755);
  archive_entry_set_mtime (ae, 1000000000, 0);
  g_assert_cmpint (archive_write_header (w, ae), ==, ARCHIVE_OK);
  archive_entry_free (ae);

  ae = archive_entry_new ();
  archive_entry_copy_pathname (ae, path);
  archive_entry_set_filetype (ae, AE_IFREG);
  archive_entry_set_perm (ae, 0644);
  archive_entry_set_mtime (ae, 1000000000, 0);
  archive_entry_set_size (ae, length);
  g_assert_cmpint (archive_write_header (w, ae), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (w, contents, length), ==, (la_ssize_t) length);
  archive_entry_free (ae);

  g_assert_cmpint (archive_write_close (w), ==, ARCHIVE_OK);
  archive_write_free (w);

  g_output_stream_write_all (out, tar->data, tar->len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);

  l->diff_id = sha256_of (tar->data, tar->len);
  l->blob = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  l->blob_digest = sha256_of_bytes (l->blob);
  l->size = length;
  g_assert_cmpstr (l->blob_digest, !=, l->diff_id);
  return l;
}

/* Writes the layer's blob and unpacks it under chain_id. */
static void
store_layer (HatakeStore *store,
             Layer       *l,
             const char  *chain_id)
{
  g_autoptr(GError) error = NULL;

  hatake_store_write_blob (store, l->blob_digest, l->blob, &error);
  g_assert_no_error (error);
  hatake_store_unpack_layer (store, l->blob_digest, l->diff_id, chain_id, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hatake_store_has_layer (store, chain_id));
}

/* A config blob that makes the image's id. */
static char *
store_config (HatakeStore *store,
              const char  *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  char *digest = sha256_of_bytes (bytes);

  hatake_store_write_blob (store, digest, bytes, &error);
  g_assert_no_error (error);
  return digest;
}

static HatakeImageRecord *
record_new (const char         *id,
            const char * const *layers,
            const char * const *blobs,
            const char * const *tags)
{
  HatakeImageRecord *r = g_new0 (HatakeImageRecord, 1);

  r->id = g_strdup (id);
  r->manifest_digest = g_strdup ("sha256:0000000000000000000000000000000000000000000000000000000000000001");
  r->layers = g_strdupv ((char **) layers);
  r->diff_ids = g_strdupv ((char **) layers);
  r->blobs = g_strdupv ((char **) blobs);
  r->repo_tags = g_strdupv ((char **) tags);
  r->repo_digests = g_new0 (char *, 1);
  r->size = 1234;
  r->created = 1684526941;
  r->os = g_strdup ("linux");
  r->architecture = g_strdup ("amd64");
  return r;
}

static void
add_ok (HatakeStore             *store,
        const HatakeImageRecord *r)
{
  g_autoptr(GError) error = NULL;

  hatake_store_add_image (store, r, &error);
  g_assert_no_error (error);
}

static void
assert_strv_equal (char * const *a,
                   const char * const *b)
{
  guint i;

  for (i = 0; a && a[i] && b && b[i]; i++)
    g_assert_cmpstr (a[i], ==, b[i]);
  g_assert_true ((a == NULL || a[i] == NULL) && (b == NULL || b[i] == NULL));
}

static void
assert_tags (HatakeStore        *store,
             const char         *id,
             const char * const *tags)
{
  g_autoptr(HatakeImageRecord) r = hatake_store_get_image (store, id);

  g_assert_nonnull (r);
  assert_strv_equal (r->repo_tags, tags);
}

/* ---- versions and locking ---------------------------------------------------------------- */

static void
test_new_store (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autofree char *version_path = root_file (f, "VERSION", NULL);
  g_autofree char *lock_path = root_file (f, "lock", NULL);
  g_autofree char *version = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *expected_pid = g_strdup_printf ("%d\n", (int) getpid ());
  static const char * const subdirs[] = { "blobs/sha256", "layers", "l", "tmp" };
  g_autoptr(GPtrArray) images = NULL;

  g_assert_true (g_file_get_contents (version_path, &version, NULL, NULL));
  g_assert_cmpstr (g_strstrip (version), ==, "1");
  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = root_file (f, subdirs[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
    }
  g_assert_true (g_file_get_contents (lock_path, &pid, NULL, NULL));
  g_assert_cmpstr (pid, ==, expected_pid);
  g_assert_cmpstr (hatake_store_get_root (store), ==, f->root);
  images = hatake_store_list_images (store);
  g_assert_cmpuint (images->len, ==, 0);
}

static void
test_newer_version (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *version_path = root_file (f, "VERSION", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeStore) store = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (version_path, "2\n", -1, NULL));
  store = hatake_store_open (f->root, &error);
  g_assert_null (store);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_STORE_VERSION);
  g_assert_nonnull (strstr (error->message, "version 2"));
  g_assert_nonnull (strstr (error->message, "version 1"));
  g_assert_nonnull (strstr (error->message, f->root));
  /* the newer store is left as it was */
  g_assert_true (g_file_get_contents (version_path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "2\n");
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (version_path, "one\n", -1, NULL));
  store = hatake_store_open (f->root, &error);
  g_assert_null (store);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_STORE_VERSION);
  g_assert_nonnull (strstr (error->message, "one"));
}

static void
test_migrate_from_0 (Fixture       *f,
                     gconstpointer  data)
{
  static const char hex[] = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
  g_autofree char *images = root_file (f, "images.json", NULL);
  g_autofree char *diff = root_file (f, "layers", hex, "diff", NULL);
  g_autofree char *meta = root_file (f, "layers", hex, "layer.json", NULL);
  g_autofree char *version_path = root_file (f, "VERSION", NULL);
  g_autofree char *links = root_file (f, "l", NULL);
  g_autofree char *link = root_file (f, "l", "abcdef0123456789", NULL);
  g_autofree char *version = NULL;
  g_autofree char *target = NULL;
  g_autoptr(HatakeStore) store = NULL;

  g_assert_true (g_file_set_contents (images, "{\"images\": []}", -1, NULL));
  g_assert_cmpint (g_mkdir_with_parents (diff, 0755), ==, 0);
  g_assert_true (g_file_set_contents (meta, "{\"size\": 7}", -1, NULL));

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "Migrating the store at * from version 0 to 1");
  store = open_ok (f);
  g_test_assert_expected_messages ();

  g_assert_true (g_file_get_contents (version_path, &version, NULL, NULL));
  g_assert_cmpstr (g_strstrip (version), ==, "1");
  g_assert_true (g_file_test (links, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  target = g_file_read_link (link, NULL);
  g_assert_cmpstr (target, ==, "../layers/abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789/diff");
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_DIR));
  close_store (&store);

  /* once migrated, opening again migrates nothing (no message, which would fail the test) */
  store = open_ok (f);
}

static void
test_lock (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(HatakeStore) first = open_ok (f);
  g_autoptr(HatakeStore) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = g_strdup_printf ("pid %d", (int) getpid ());

  /* flock() locks belong to the open file description, so a second open() conflicts even
   * within one process */
  second = hatake_store_open (f->root, &error);
  g_assert_null (second);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED);
  g_assert_nonnull (strstr (error->message, f->root));
  g_assert_nonnull (strstr (error->message, pid));
  g_clear_error (&error);

  /* the failed attempt closing its own descriptor must not release the first one's lock */
  second = hatake_store_open (f->root, &error);
  g_assert_null (second);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED);
  g_clear_error (&error);

  close_store (&first);
  /* what a holder with a longer PID left there is covered, without a truncation: the file
   * names the new holder alone (readers stop at the newline and at the NUL) */
  {
    g_autofree char *lock_path = root_file (f, "lock", NULL);
    g_autofree char *expected = g_strdup_printf ("%d\n", (int) getpid ());
    g_autofree char *contents = NULL;

    g_assert_true (g_file_set_contents (lock_path, "4194304\n", -1, NULL));
    second = hatake_store_open (f->root, &error);
    g_assert_no_error (error);
    g_assert_nonnull (second);
    g_assert_true (g_file_get_contents (lock_path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, expected);
  }
}

/* ---- blobs ------------------------------------------------------------------------------- */

static void
test_blobs (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("hello blob", 10);
  g_autoptr(GBytes) other = g_bytes_new_static ("other", 5);
  g_autofree char *digest = sha256_of_bytes (bytes);
  g_autofree char *blobs_dir = root_file (f, "blobs", "sha256", NULL);
  g_autofree char *expected_path = root_file (f, "blobs", "sha256", digest + strlen ("sha256:"), NULL);
  g_autofree char *path = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *expected_partial = NULL;
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GError) error = NULL;

  path = hatake_store_blob_path (store, digest);
  g_assert_cmpstr (path, ==, expected_path);
  partial = hatake_store_blob_partial_path (store, digest);
  expected_partial = g_strconcat (f->root, "/tmp/", digest + strlen ("sha256:"), ".partial", NULL);
  g_assert_cmpstr (partial, ==, expected_partial);

  /* bytes that do not hash to the digest never land under it */
  g_assert_false (hatake_store_write_blob (store, digest, other, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_nonnull (strstr (error->message, digest));
  g_clear_error (&error);
  g_assert_false (hatake_store_has_blob (store, digest));
  g_assert_cmpuint (hatake_test_count_entries (blobs_dir), ==, 0);

  read = hatake_store_read_blob (store, digest, 1024, &error);
  g_assert_null (read);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (hatake_store_write_blob (store, digest, bytes, &error));
  g_assert_no_error (error);
  g_assert_true (hatake_store_has_blob (store, digest));
  g_assert_true (g_file_test (expected_path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (hatake_test_count_entries (blobs_dir), ==, 1);
  /* writing it again is fine */
  g_assert_true (hatake_store_write_blob (store, digest, bytes, &error));
  g_assert_no_error (error);

  read = hatake_store_read_blob (store, digest, 1024, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (read, bytes));
  g_clear_pointer (&read, g_bytes_unref);

  /* a limit below its size refuses it */
  read = hatake_store_read_blob (store, digest, 9, &error);
  g_assert_null (read);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST);
}

static void
test_read_tampered_blob (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("{\"config\": true}", 16);
  g_autofree char *digest = sha256_of_bytes (bytes);
  g_autofree char *path = NULL;
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (hatake_store_write_blob (store, digest, bytes, &error));
  g_assert_no_error (error);
  path = hatake_store_blob_path (store, digest);
  /* same length, other bytes */
  g_assert_true (g_file_set_contents (path, "{\"config\": fals}", -1, NULL));

  read = hatake_store_read_blob (store, digest, 1024, &error);
  g_assert_null (read);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_nonnull (strstr (error->message, digest));
}

/* ---- layers ------------------------------------------------------------------------------ */

static void
test_unpack_layer (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autoptr(Layer) l = make_layer ("hello.txt", "hello, layer\n");
  g_autoptr(GError) error = NULL;
  const char *hex = l->diff_id + strlen ("sha256:");
  g_autofree char *short_name = g_strndup (hex, 16);
  g_autofree char *link = root_file (f, "l", short_name, NULL);
  g_autofree char *link_target = NULL;
  g_autofree char *expected_target = g_strconcat ("../layers/", hex, "/diff", NULL);
  g_autofree char *layer_path = NULL;
  g_autofree char *expected_layer_path = root_file (f, "layers", hex, "diff", NULL);
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *tmp = root_file (f, "tmp", NULL);

  g_assert_false (hatake_store_has_layer (store, l->diff_id));
  g_assert_true (hatake_store_write_blob (store, l->blob_digest, l->blob, &error));
  g_assert_no_error (error);
  /* a first layer's chain ID is its diff ID */
  g_assert_true (hatake_store_unpack_layer (store, l->blob_digest, l->diff_id, l->diff_id,
                                            NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (hatake_store_has_layer (store, l->diff_id));
  layer_path = hatake_store_layer_path (store, l->diff_id);
  g_assert_cmpstr (layer_path, ==, expected_layer_path);
  file = g_build_filename (layer_path, "data", "hello.txt", NULL);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "hello, layer\n");
  g_assert_cmpint (hatake_store_get_layer_size (store, l->diff_id), ==, l->size);
  g_assert_cmpint (hatake_store_get_layers_size (store), ==, l->size);

  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  link_target = g_file_read_link (link, NULL);
  g_assert_cmpstr (link_target, ==, expected_target);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_DIR));

  g_assert_cmpuint (hatake_test_count_entries (tmp), ==, 0);

  /* unpacking a layer that is there already is a no-op */
  g_assert_true (hatake_store_unpack_layer (store, l->blob_digest, l->diff_id, l->diff_id,
                                            NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_unpack_wrong_diff_id (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autoptr(Layer) l = make_layer ("hello.txt", "hello, layer\n");
  g_autoptr(Layer) other = make_layer ("other.txt", "something else\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *layers = root_file (f, "layers", NULL);
  g_autofree char *links = root_file (f, "l", NULL);
  g_autofree char *tmp = root_file (f, "tmp", NULL);

  g_assert_true (hatake_store_write_blob (store, l->blob_digest, l->blob, &error));
  g_assert_no_error (error);
  g_assert_false (hatake_store_unpack_layer (store, l->blob_digest, other->diff_id, other->diff_id,
                                             NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_nonnull (strstr (error->message, other->diff_id));
  g_assert_nonnull (strstr (error->message, l->diff_id));

  g_assert_false (hatake_store_has_layer (store, other->diff_id));
  g_assert_cmpuint (hatake_test_count_entries (layers), ==, 0);
  g_assert_cmpuint (hatake_test_count_entries (links), ==, 0);
  g_assert_cmpuint (hatake_test_count_entries (tmp), ==, 0);
}

/* ---- images ------------------------------------------------------------------------------ */

static void
test_add_image_needs_layers (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autoptr(Layer) l = make_layer ("a", "a\n");
  g_autofree char *config = store_config (store, "{\"id\": 1}");
  const char *layers[] = { l->diff_id, NULL };
  g_autoptr(HatakeImageRecord) r = record_new (config, layers, NULL, (const char *[]) { "app:1", NULL });
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(HatakeImageRecord) got = NULL;

  g_assert_false (hatake_store_add_image (store, r, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, l->diff_id));
  g_clear_error (&error);
  images = hatake_store_list_images (store);
  g_assert_cmpuint (images->len, ==, 0);
  g_assert_null (hatake_store_get_image (store, config));

  store_layer (store, l, l->diff_id);
  g_assert_true (hatake_store_add_image (store, r, &error));
  g_assert_no_error (error);
  got = hatake_store_get_image (store, config);
  g_assert_nonnull (got);
  assert_strv_equal (got->layers, layers);
  assert_strv_equal (got->repo_tags, (const char *[]) { "app:1", NULL });
  g_assert_cmpint (got->last_tag_time, >, 0);
}

static void
test_tags_move (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autofree char *x = store_config (store, "{\"image\": \"x\"}");
  g_autofree char *y = store_config (store, "{\"image\": \"y\"}");
  g_autoptr(HatakeImageRecord) rx = record_new (x, NULL, (const char *[]) { x, NULL },
                                                (const char *[]) { "a:1", "b:1", NULL });
  g_autoptr(HatakeImageRecord) ry = record_new (y, NULL, (const char *[]) { y, NULL },
                                                (const char *[]) { "a:1", NULL });
  g_autoptr(GError) error = NULL;

  add_ok (store, rx);
  assert_tags (store, x, (const char *[]) { "a:1", "b:1", NULL });

  /* a tag names one image */
  add_ok (store, ry);
  assert_tags (store, x, (const char *[]) { "b:1", NULL });
  assert_tags (store, y, (const char *[]) { "a:1", NULL });

  g_assert_true (hatake_store_tag_image (store, x, "a:1", &error));
  g_assert_no_error (error);
  assert_tags (store, x, (const char *[]) { "b:1", "a:1", NULL });
  assert_tags (store, y, (const char *[]) { NULL });

  /* tagging twice does not repeat the tag */
  g_assert_true (hatake_store_tag_image (store, x, "a:1", &error));
  assert_tags (store, x, (const char *[]) { "b:1", "a:1", NULL });

  g_assert_false (hatake_store_tag_image (store, "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                                          "c:1", &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (hatake_store_untag_image (store, x, "b:1", &error));
  g_assert_no_error (error);
  assert_tags (store, x, (const char *[]) { "a:1", NULL });

  /* a tag the image does not have */
  g_assert_false (hatake_store_untag_image (store, x, "b:1", &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (hatake_store_untag_image (store, y, "a:1", &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_tags (store, x, (const char *[]) { "a:1", NULL });
}

static void
test_untag_drops_repo_digests (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autofree char *x = store_config (store, "{\"image\": \"x\"}");
  g_autoptr(HatakeImageRecord) rx = record_new (x, NULL, (const char *[]) { x, NULL },
                                                (const char *[]) { "app:1", "app:2", "other:1", NULL });
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImageRecord) got = NULL;
  static const char app_digest[] = "app@sha256:1111111111111111111111111111111111111111111111111111111111111111";
  static const char other_digest[] = "other@sha256:2222222222222222222222222222222222222222222222222222222222222222";

  g_strfreev (rx->repo_digests);
  rx->repo_digests = g_strdupv ((char *[]) { (char *) app_digest, (char *) other_digest, NULL });
  add_ok (store, rx);

  /* app:2 still names the repository, so its digest stays */
  g_assert_true (hatake_store_untag_image (store, x, "app:1", &error));
  g_assert_no_error (error);
  got = hatake_store_get_image (store, x);
  assert_strv_equal (got->repo_digests, (const char *[]) { app_digest, other_digest, NULL });
  g_clear_pointer (&got, hatake_image_record_free);

  /* the last tag of the repository takes its digest with it */
  g_assert_true (hatake_store_untag_image (store, x, "app:2", &error));
  g_assert_no_error (error);
  got = hatake_store_get_image (store, x);
  assert_strv_equal (got->repo_tags, (const char *[]) { "other:1", NULL });
  assert_strv_equal (got->repo_digests, (const char *[]) { other_digest, NULL });
}

static void
test_remove_image_shared_layer (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autoptr(Layer) base = make_layer ("base", "base layer\n");
  g_autoptr(Layer) top = make_layer ("top", "top layer!\n");
  g_autofree char *top_chain = NULL;
  g_autofree char *x = store_config (store, "{\"image\": \"x\"}");
  g_autofree char *y = store_config (store, "{\"image\": \"y\"}");
  g_autoptr(HatakeImageRecord) rx = NULL;
  g_autoptr(HatakeImageRecord) ry = NULL;
  g_autoptr(GPtrArray) deleted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autofree char *base_link = NULL;
  g_autofree char *top_link = NULL;
  g_autofree char *blobs_dir = root_file (f, "blobs", "sha256", NULL);
  g_autofree char *layers_dir = root_file (f, "layers", NULL);
  g_autofree char *links_dir = root_file (f, "l", NULL);
  g_autofree char *tmp_dir = root_file (f, "tmp", NULL);

  {
    /* chain(2) = sha256(chain(1) + " " + diff(2)) */
    g_autofree char *text = g_strconcat (base->diff_id, " ", top->diff_id, NULL);
    top_chain = sha256_of (text, strlen (text));
  }
  store_layer (store, base, base->diff_id);
  store_layer (store, top, top_chain);
  {
    g_autofree char *s1 = g_strndup (base->diff_id + strlen ("sha256:"), 16);
    g_autofree char *s2 = g_strndup (top_chain + strlen ("sha256:"), 16);
    base_link = root_file (f, "l", s1, NULL);
    top_link = root_file (f, "l", s2, NULL);
  }

  rx = record_new (x, (const char *[]) { base->diff_id, NULL },
                   (const char *[]) { x, base->blob_digest, NULL }, (const char *[]) { "x:1", NULL });
  ry = record_new (y, (const char *[]) { base->diff_id, top_chain, NULL },
                   (const char *[]) { y, base->blob_digest, top->blob_digest, NULL }, (const char *[]) { "y:1", NULL });
  add_ok (store, rx);
  add_ok (store, ry);
  g_assert_cmpuint (hatake_test_count_entries (blobs_dir), ==, 4);
  g_assert_cmpuint (hatake_test_count_entries (layers_dir), ==, 2);
  g_assert_cmpint (hatake_store_get_layers_size (store), ==, base->size + top->size);

  g_assert_true (hatake_store_remove_image (store, y, deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (deleted, 0), ==, top_chain);
  g_assert_null (hatake_store_get_image (store, y));
  {
    g_autoptr(HatakeImageRecord) kept = hatake_store_get_image (store, x);
    g_assert_nonnull (kept);
  }

  g_assert_true (hatake_store_has_layer (store, base->diff_id));
  g_assert_false (hatake_store_has_layer (store, top_chain));
  g_assert_true (g_file_test (base_link, G_FILE_TEST_IS_SYMLINK));
  g_assert_false (g_file_test (top_link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (hatake_store_has_blob (store, x));
  g_assert_true (hatake_store_has_blob (store, base->blob_digest));
  g_assert_false (hatake_store_has_blob (store, y));
  g_assert_false (hatake_store_has_blob (store, top->blob_digest));
  g_assert_cmpuint (hatake_test_count_entries (blobs_dir), ==, 2);
  g_assert_cmpuint (hatake_test_count_entries (layers_dir), ==, 1);
  g_assert_cmpint (hatake_store_get_layers_size (store), ==, base->size);

  g_assert_false (hatake_store_remove_image (store, y, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_ptr_array_set_size (deleted, 0);
  g_assert_true (hatake_store_remove_image (store, x, deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (deleted, 0), ==, base->diff_id);
  images = hatake_store_list_images (store);
  g_assert_cmpuint (images->len, ==, 0);
  g_assert_cmpuint (hatake_test_count_entries (blobs_dir), ==, 0);
  g_assert_cmpuint (hatake_test_count_entries (layers_dir), ==, 0);
  g_assert_cmpuint (hatake_test_count_entries (links_dir), ==, 0);
  /* the trash is gone too */
  g_assert_cmpuint (hatake_test_count_entries (tmp_dir), ==, 0);
}

static void
test_remove_unreferenced (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autoptr(Layer) used = make_layer ("used", "used\n");
  g_autoptr(Layer) failed = make_layer ("failed", "from a failed pull\n");
  g_autofree char *x = store_config (store, "{\"image\": \"x\"}");
  g_autoptr(HatakeImageRecord) rx = NULL;

  store_layer (store, used, used->diff_id);
  store_layer (store, failed, failed->diff_id);
  rx = record_new (x, (const char *[]) { used->diff_id, NULL },
                   (const char *[]) { x, used->blob_digest, NULL }, NULL);
  add_ok (store, rx);

  hatake_store_remove_unreferenced (store,
                                    (const char *[]) { used->blob_digest, failed->blob_digest, NULL },
                                    (const char *[]) { used->diff_id, failed->diff_id, NULL });
  g_assert_true (hatake_store_has_blob (store, used->blob_digest));
  g_assert_true (hatake_store_has_layer (store, used->diff_id));
  g_assert_false (hatake_store_has_blob (store, failed->blob_digest));
  g_assert_false (hatake_store_has_layer (store, failed->diff_id));
}

/* ---- reopening --------------------------------------------------------------------------- */

static void
test_clean_tmp_at_open (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autofree char *half_layer = root_file (f, "tmp", "layer-AbC123", "diff", "usr", NULL);
  g_autofree char *half_layer_top = root_file (f, "tmp", "layer-AbC123", NULL);
  g_autofree char *trash = root_file (f, "tmp", "trash-XyZ789", NULL);
  g_autofree char *partial = root_file (f, "tmp", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.partial", NULL);
  g_autofree char *contents = NULL;

  close_store (&store);
  g_assert_cmpint (g_mkdir_with_parents (half_layer, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (trash, 0755), ==, 0);
  g_assert_true (g_file_set_contents (partial, "first half", -1, NULL));

  store = open_ok (f);
  g_assert_false (g_file_test (half_layer_top, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (trash, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (partial, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "first half");
}

static void
assert_records_equal (const HatakeImageRecord *a,
                      const HatakeImageRecord *b)
{
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_cmpstr (a->manifest_digest, ==, b->manifest_digest);
  assert_strv_equal (a->repo_tags, (const char * const *) b->repo_tags);
  assert_strv_equal (a->repo_digests, (const char * const *) b->repo_digests);
  assert_strv_equal (a->layers, (const char * const *) b->layers);
  assert_strv_equal (a->diff_ids, (const char * const *) b->diff_ids);
  assert_strv_equal (a->blobs, (const char * const *) b->blobs);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpint (a->created, ==, b->created);
  g_assert_cmpint (a->last_tag_time, ==, b->last_tag_time);
  g_assert_cmpstr (a->os, ==, b->os);
  g_assert_cmpstr (a->architecture, ==, b->architecture);
  g_assert_cmpstr (a->variant, ==, b->variant);
}

static void
test_reload (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autoptr(Layer) l = make_layer ("file", "contents\n");
  g_autofree char *x = store_config (store, "{\"image\": \"x\"}");
  g_autofree char *y = store_config (store, "{\"image\": \"y\"}");
  g_autoptr(HatakeImageRecord) rx = NULL;
  g_autoptr(HatakeImageRecord) ry = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;

  store_layer (store, l, l->diff_id);
  rx = record_new (x, (const char *[]) { l->diff_id, NULL }, (const char *[]) { x, l->blob_digest, NULL },
                   (const char *[]) { "x:1", "localhost:5000/x:2", NULL });
  g_strfreev (rx->repo_digests);
  rx->repo_digests = g_strdupv ((char *[]) { "x@sha256:3333333333333333333333333333333333333333333333333333333333333333", NULL });
  rx->variant = g_strdup ("v8");
  rx->architecture[0] = 'b';
  ry = record_new (y, NULL, (const char *[]) { y, NULL }, NULL);
  g_clear_pointer (&ry->os, g_free);
  add_ok (store, rx);
  add_ok (store, ry);
  before = hatake_store_list_images (store);
  g_assert_cmpuint (before->len, ==, 2);

  close_store (&store);
  store = open_ok (f);
  after = hatake_store_list_images (store);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    assert_records_equal (g_ptr_array_index (before, i), g_ptr_array_index (after, i));
  /* and what was written is what was asked for */
  g_assert_cmpstr (((HatakeImageRecord *) g_ptr_array_index (after, 0))->variant, ==, "v8");
  g_assert_cmpstr (((HatakeImageRecord *) g_ptr_array_index (after, 0))->architecture, ==, "bmd64");
  g_assert_null (((HatakeImageRecord *) g_ptr_array_index (after, 1))->os);
  g_assert_cmpint (((HatakeImageRecord *) g_ptr_array_index (after, 0))->created, ==, 1684526941);
}

static void
test_reload_missing_layer (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autoptr(Layer) kept = make_layer ("kept", "kept\n");
  g_autoptr(Layer) lost = make_layer ("lost", "lost\n");
  g_autofree char *x = store_config (store, "{\"image\": \"x\"}");
  g_autofree char *y = store_config (store, "{\"image\": \"y\"}");
  g_autoptr(HatakeImageRecord) rx = NULL;
  g_autoptr(HatakeImageRecord) ry = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lost_dir = root_file (f, "layers", lost->diff_id + strlen ("sha256:"), NULL);
  g_autofree char *pattern = g_strdup_printf ("Image %s * lacks a layer*", y);

  store_layer (store, kept, kept->diff_id);
  store_layer (store, lost, lost->diff_id);
  rx = record_new (x, (const char *[]) { kept->diff_id, NULL }, NULL, (const char *[]) { "x:1", NULL });
  ry = record_new (y, (const char *[]) { kept->diff_id, lost->diff_id, NULL }, NULL, (const char *[]) { "y:1", NULL });
  add_ok (store, rx);
  add_ok (store, ry);
  close_store (&store);

  hatake_rm_rf (lost_dir, &error);
  g_assert_no_error (error);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, pattern);
  store = open_ok (f);
  g_test_assert_expected_messages ();
  images = hatake_store_list_images (store);
  g_assert_cmpuint (images->len, ==, 1);
  g_assert_cmpstr (((HatakeImageRecord *) g_ptr_array_index (images, 0))->id, ==, x);
  g_assert_null (hatake_store_get_image (store, y));
}

/* An image with no layers (FROM scratch plus metadata) or a record built without a blob list
 * must not crash the garbage collector. */
static void
test_remove_image_without_lists (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(HatakeStore) store = open_ok (f);
  g_autofree char *x = store_config (store, "{\"image\": \"x\"}");
  g_autofree char *y = store_config (store, "{\"image\": \"y\"}");
  g_autoptr(HatakeImageRecord) rx = record_new (x, NULL, NULL, (const char *[]) { "x:1", NULL });
  g_autoptr(HatakeImageRecord) ry = record_new (y, NULL, (const char *[]) { y, NULL }, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (rx->layers);
  g_assert_null (rx->blobs);
  add_ok (store, rx);
  add_ok (store, ry);
  g_assert_true (hatake_store_remove_image (store, y, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(HatakeImageRecord) kept = hatake_store_get_image (store, x);
    g_assert_nonnull (kept);
  }
  g_assert_true (hatake_store_remove_image (store, x, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/store/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("new-store", test_new_store);
  ADD ("newer-version", test_newer_version);
  ADD ("migrate-from-0", test_migrate_from_0);
  ADD ("lock", test_lock);
  ADD ("blobs", test_blobs);
  ADD ("read-tampered-blob", test_read_tampered_blob);
  ADD ("unpack-layer", test_unpack_layer);
  ADD ("unpack-wrong-diff-id", test_unpack_wrong_diff_id);
  ADD ("add-image-needs-layers", test_add_image_needs_layers);
  ADD ("tags-move", test_tags_move);
  ADD ("untag-drops-repo-digests", test_untag_drops_repo_digests);
  ADD ("remove-image-shared-layer", test_remove_image_shared_layer);
  ADD ("remove-unreferenced", test_remove_unreferenced);
  ADD ("clean-tmp-at-open", test_clean_tmp_at_open);
  ADD ("reload", test_reload);
  ADD ("reload-missing-layer", test_reload_missing_layer);
  ADD ("remove-image-without-lists", test_remove_image_without_lists);
#undef ADD

  return g_test_run ();
}
