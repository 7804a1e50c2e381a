/* hatake-store.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ordering is what keeps the store consistent when the process dies at any moment: a blob is
 * renamed under its digest only after it verified; a layer is unpacked into tmp/, synced once
 * (syncfs) and renamed under its chain ID; images.json, which points at both, is written last,
 * atomically. So whatever is visible is complete, and leftovers live only in tmp/ (partial blobs
 * are kept there to resume; half-unpacked layers are removed at open).
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-reference.h"
#include "hatake-store.h"

struct _HatakeStore
{
  GObject     parent_instance;

  char       *root;
  int         lock_fd;
  GMutex      mutex;        /* guards images, holds and images.json */
  GPtrArray  *images;       /* of HatakeImageRecord */
  GHashTable *holds;        /* digest → count: blobs and layers that work under way needs */
};

G_DEFINE_FINAL_TYPE (HatakeStore, hatake_store, G_TYPE_OBJECT)

/* Records in the store never have NULL lists, whatever callers pass in. */
static GStrv
strv_copy (GStrv strv)
{
  return strv ? g_strdupv (strv) : g_new0 (char *, 1);
}

HatakeImageRecord *
hatake_image_record_copy (const HatakeImageRecord *r)
{
  HatakeImageRecord *copy = g_new0 (HatakeImageRecord, 1);

  copy->id = g_strdup (r->id);
  copy->manifest_digest = g_strdup (r->manifest_digest);
  copy->repo_tags = strv_copy (r->repo_tags);
  copy->repo_digests = strv_copy (r->repo_digests);
  copy->layers = strv_copy (r->layers);
  copy->diff_ids = strv_copy (r->diff_ids);
  copy->blobs = strv_copy (r->blobs);
  copy->size = r->size;
  copy->created = r->created;
  copy->last_tag_time = r->last_tag_time;
  copy->os = g_strdup (r->os);
  copy->architecture = g_strdup (r->architecture);
  copy->variant = g_strdup (r->variant);
  return copy;
}

void
hatake_image_record_free (HatakeImageRecord *r)
{
  if (r == NULL)
    return;
  g_free (r->id);
  g_free (r->manifest_digest);
  g_strfreev (r->repo_tags);
  g_strfreev (r->repo_digests);
  g_strfreev (r->layers);
  g_strfreev (r->diff_ids);
  g_strfreev (r->blobs);
  g_free (r->os);
  g_free (r->architecture);
  g_free (r->variant);
  g_free (r);
}

static void
hatake_store_finalize (GObject *object)
{
  HatakeStore *self = (HatakeStore *) object;

  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_clear_pointer (&self->images, g_ptr_array_unref);
  g_clear_pointer (&self->holds, g_hash_table_unref);
  g_free (self->root);
  g_mutex_clear (&self->mutex);
  G_OBJECT_CLASS (hatake_store_parent_class)->finalize (object);
}

static void
hatake_store_class_init (HatakeStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hatake_store_finalize;
}

static void
hatake_store_init (HatakeStore *self)
{
  self->lock_fd = -1;
  g_mutex_init (&self->mutex);
  self->images = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_image_record_free);
  self->holds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static gboolean
set_errno_error (GError **error, int errsv, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("%s %s: %s"), what, path, g_strerror (errsv));
  return FALSE;
}

static gboolean
ensure_dir (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    return set_errno_error (error, errno, "Cannot create", path);
  return TRUE;
}

/* a pid and a newline fit, with room to spare (PID_MAX_LIMIT has 7 digits) */
#define LOCK_RECORD 16

/* One process owns a data root: the lock is held as long as the store is open and released by
 * the kernel when the process dies, so a crash never leaves a stale lock. */
static gboolean
take_lock (HatakeStore *self, GError **error)
{
  g_autofree char *path = g_build_filename (self->root, "lock", NULL);
  char record[LOCK_RECORD];

  self->lock_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    return set_errno_error (error, errno, "Cannot open", path);
  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      char buf[32] = { 0 };
      ssize_t n = pread (self->lock_fd, buf, sizeof buf - 1, 0);
      g_strchomp (buf);
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED,
                   _("the data root %s is in use by another hatake process%s%s%s"), self->root,
                   n > 0 ? " (pid " : "", n > 0 ? buf : "", n > 0 ? ")" : "");
      return FALSE;
    }
  /* "PID\n" and NULs, always LOCK_RECORD bytes: it covers whatever an earlier holder wrote
   * without a truncation, which on ext4 is a journal transaction (0.3–6 ms at every command's
   * start); readers stop at the newline (or the NUL) */
  memset (record, 0, sizeof record);
  g_snprintf (record, sizeof record, "%d\n", (int) getpid ());
  if (pwrite (self->lock_fd, record, sizeof record, 0) < 0)
    g_debug ("Cannot record the pid in %s: %s", path, g_strerror (errno));
  return TRUE;
}

static gboolean
write_file_atomic (const char *path, const char *contents, gssize length, GError **error)
{
  return g_file_set_contents_full (path, contents, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/* Version 0 is the layout of development builds before VERSION existed: the same tree without
 * the file and without l/ short links. Each step moves a store one version up. */
static gboolean
migrate_0_to_1 (HatakeStore *self, GError **error)
{
  g_autofree char *links = g_build_filename (self->root, "l", NULL);
  g_autofree char *layers = g_build_filename (self->root, "layers", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!ensure_dir (links, error))
    return FALSE;
  dir = g_dir_open (layers, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *short_link = g_strndup (name, 16);
      g_autofree char *link_path = g_build_filename (links, short_link, NULL);
      g_autofree char *target = g_build_filename ("..", "layers", name, "diff", NULL);
      if (symlink (target, link_path) != 0 && errno != EEXIST)
        return set_errno_error (error, errno, "Cannot create", link_path);
    }
  return TRUE;
}

static gboolean
check_version (HatakeStore *self, GError **error)
{
  typedef gboolean (*Migration) (HatakeStore *, GError **);
  static const Migration migrations[HATAKE_STORE_VERSION] = { migrate_0_to_1 };
  g_autofree char *path = g_build_filename (self->root, "VERSION", NULL);
  g_autofree char *images = g_build_filename (self->root, "images.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *current = g_strdup_printf ("%d\n", HATAKE_STORE_VERSION);
  guint64 version = 0;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_strstrip (contents);
      if (!g_ascii_string_to_unsigned (contents, 10, 0, G_MAXINT, &version, NULL))
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_STORE_VERSION,
                       _("%s does not hold a store version number (“%s”)"), path, contents);
          return FALSE;
        }
    }
  else if (!g_file_test (images, G_FILE_TEST_EXISTS))
    version = HATAKE_STORE_VERSION; /* a new store */

  if (version > HATAKE_STORE_VERSION)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_STORE_VERSION,
                   "the store at %s has format version %" G_GUINT64_FORMAT ", written by a newer hatake; "
                   "this hatake %s reads up to version %d: install a hatake that reads version %"
                   G_GUINT64_FORMAT, self->root, version, PACKAGE_VERSION, HATAKE_STORE_VERSION, version);
      return FALSE;
    }
  for (guint64 v = version; v < HATAKE_STORE_VERSION; v++)
    {
      g_message ("Migrating the store at %s from version %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                 self->root, v, v + 1);
      if (!migrations[v] (self, error))
        return FALSE;
    }
  if (version != HATAKE_STORE_VERSION || contents == NULL)
    return write_file_atomic (path, current, -1, error);
  return TRUE;
}

static GStrv
json_strv (JsonObject *o, const char *member)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (o, member);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          const char *s = json_array_get_string_element (a, i);
          if (s != NULL)
            g_strv_builder_add (b, s);
        }
    }
  return g_strv_builder_end (b);
}

static gboolean
load_images (HatakeStore *self, GError **error)
{
  g_autofree char *path = g_build_filename (self->root, "images.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonArray *images;

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("Cannot load %s: %s"), path, local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "images"))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("Cannot load %s: no “images” list"), path);
      return FALSE;
    }
  images = json_object_get_array_member (json_node_get_object (root), "images");
  for (guint i = 0; images && i < json_array_get_length (images); i++)
    {
      JsonObject *o = json_array_get_object_element (images, i);
      g_autoptr(HatakeImageRecord) r = g_new0 (HatakeImageRecord, 1);
      gboolean complete = TRUE;

      if (o == NULL || !hatake_digest_is_valid (json_object_get_string_member_with_default (o, "id", NULL)))
        continue;
      r->id = g_strdup (json_object_get_string_member (o, "id"));
      r->manifest_digest = g_strdup (json_object_get_string_member_with_default (o, "manifest", NULL));
      r->repo_tags = json_strv (o, "repo_tags");
      r->repo_digests = json_strv (o, "repo_digests");
      r->layers = json_strv (o, "layers");
      r->diff_ids = json_strv (o, "diff_ids");
      r->blobs = json_strv (o, "blobs");
      r->size = json_object_get_int_member_with_default (o, "size", 0);
      r->created = json_object_get_int_member_with_default (o, "created", 0);
      r->last_tag_time = json_object_get_int_member_with_default (o, "last_tag_time", 0);
      r->os = g_strdup (json_object_get_string_member_with_default (o, "os", NULL));
      r->architecture = g_strdup (json_object_get_string_member_with_default (o, "architecture", NULL));
      r->variant = g_strdup (json_object_get_string_member_with_default (o, "variant", NULL));

      for (guint j = 0; r->layers[j]; j++)
        complete &= hatake_digest_is_valid (r->layers[j]) && hatake_store_has_layer (self, r->layers[j]);
      if (!complete)
        {
          g_warning ("Image %s in %s lacks a layer; it is left out", r->id, path);
          continue;
        }
      g_ptr_array_add (self->images, g_steal_pointer (&r));
    }
  return TRUE;
}

static void
add_strv (JsonBuilder *b, const char *member, char **strv)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv && strv[i]; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

/* Called with the mutex held. */
static gboolean
save_images_locked (HatakeStore *self, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = g_build_filename (self->root, "images.json", NULL);
  g_autofree char *text = NULL;
  gsize length;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "images");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->images->len; i++)
    {
      HatakeImageRecord *r = g_ptr_array_index (self->images, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, r->id);
      json_builder_set_member_name (b, "manifest");
      json_builder_add_string_value (b, r->manifest_digest);
      add_strv (b, "repo_tags", r->repo_tags);
      add_strv (b, "repo_digests", r->repo_digests);
      add_strv (b, "layers", r->layers);
      add_strv (b, "diff_ids", r->diff_ids);
      add_strv (b, "blobs", r->blobs);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, r->size);
      json_builder_set_member_name (b, "created");
      json_builder_add_int_value (b, r->created);
      json_builder_set_member_name (b, "last_tag_time");
      json_builder_add_int_value (b, r->last_tag_time);
      json_builder_set_member_name (b, "os");
      json_builder_add_string_value (b, r->os);
      json_builder_set_member_name (b, "architecture");
      json_builder_add_string_value (b, r->architecture);
      json_builder_set_member_name (b, "variant");
      json_builder_add_string_value (b, r->variant);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &length);
  return write_file_atomic (path, text, length, error);
}

static void
clean_tmp (HatakeStore *self)
{
  g_autofree char *tmp = g_build_filename (self->root, "tmp", NULL);
  g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
  const char *name;

  /* g_file_set_contents' temporary files of a write that was killed */
  {
    g_autoptr(GDir) top = g_dir_open (self->root, 0, NULL);
    while (top != NULL && (name = g_dir_read_name (top)) != NULL)
      if (g_str_has_prefix (name, "images.json.") || g_str_has_prefix (name, "VERSION."))
        {
          g_autofree char *path = g_build_filename (self->root, name, NULL);
          g_unlink (path);
        }
  }

  /* Half-unpacked layers, half-written blobs and trash go; partial downloads stay to resume. */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      g_autoptr(GError) error = NULL;
      if (g_str_has_suffix (name, ".partial"))
        continue;
      if (!hatake_rm_rf (path, &error))
        g_warning ("Cannot clean %s: %s", path, error->message);
    }
}

HatakeStore *
hatake_store_open (const char  *root,
                   GError     **error)
{
  return hatake_store_open_full (root, TRUE, error);
}

/* With create FALSE, a data root without a store is HATAKE_ERROR_NOT_FOUND and nothing is made:
 * for conmon's exit command after `system reset` removed the root. */
HatakeStore *
hatake_store_open_full (const char  *root,
                        gboolean     create,
                        GError     **error)
{
  g_autoptr(HatakeStore) self = NULL;
  static const char * const subdirs[] = { "blobs/sha256", "layers", "l", "tmp", NULL };

  g_return_val_if_fail (root != NULL, NULL);

  self = g_object_new (HATAKE_TYPE_STORE, NULL);
  self->root = g_canonicalize_filename (root, NULL);
  if (!create)
    {
      g_autofree char *version = g_build_filename (self->root, "VERSION", NULL);
      if (!g_file_test (version, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("There is no store at %s"), self->root);
          return NULL;
        }
    }
  else if (!ensure_dir (self->root, error))
    return NULL;
  if (!take_lock (self, error) || !check_version (self, error))
    return NULL;
  for (guint i = 0; subdirs[i]; i++)
    {
      g_autofree char *path = g_build_filename (self->root, subdirs[i], NULL);
      if (!ensure_dir (path, error))
        return NULL;
    }
  clean_tmp (self);
  if (!load_images (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
hatake_store_get_root (HatakeStore *self)
{
  g_return_val_if_fail (HATAKE_IS_STORE (self), NULL);
  return self->root;
}

static const char *
digest_hex (const char *digest)
{
  g_assert (hatake_digest_is_valid (digest));
  return digest + strlen ("sha256:");
}

char *
hatake_store_blob_path (HatakeStore *self,
                        const char  *digest)
{
  g_return_val_if_fail (HATAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (hatake_digest_is_valid (digest), NULL);
  return g_build_filename (self->root, "blobs", "sha256", digest_hex (digest), NULL);
}

char *
hatake_store_blob_partial_path (HatakeStore *self,
                                const char  *digest)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (HATAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (hatake_digest_is_valid (digest), NULL);
  name = g_strconcat (digest_hex (digest), ".partial", NULL);
  return g_build_filename (self->root, "tmp", name, NULL);
}

gboolean
hatake_store_has_blob (HatakeStore *self,
                       const char  *digest)
{
  g_autofree char *path = hatake_store_blob_path (self, digest);

  return path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* Reads a small blob (manifest, config) and checks it again: it is about to be trusted. */
GBytes *
hatake_store_read_blob (HatakeStore  *self,
                        const char   *digest,
                        gsize         max_size,
                        GError      **error)
{
  g_autofree char *path = hatake_store_blob_path (self, digest);
  g_autofree char *contents = NULL;
  g_autofree char *actual = NULL;
  gsize length;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("blob %s is not in the store"), digest);
      return NULL;
    }
  if ((gsize) st.st_size > max_size)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                   "blob %s is %" G_GINT64_FORMAT " bytes, more than the %" G_GSIZE_FORMAT " allowed",
                   digest, (gint64) st.st_size, max_size);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  actual = hatake_sha256_data (contents, length);
  if (!g_str_equal (actual, digest))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                   _("blob %s in the store is corrupt (its bytes hash to %s)"), digest, actual);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

gboolean
hatake_store_write_blob (HatakeStore  *self,
                         const char   *digest,
                         GBytes       *bytes,
                         GError      **error)
{
  g_autofree char *path = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *actual = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_return_val_if_fail (HATAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (hatake_digest_is_valid (digest), FALSE);

  actual = hatake_sha256_data (data, length);
  if (!g_str_equal (actual, digest))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                   _("content does not match its digest %s (it hashes to %s)"), digest, actual);
      return FALSE;
    }
  path = hatake_store_blob_path (self, digest);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  /* Written (durably) in tmp/ and renamed in: a kill mid-write leaves litter only in tmp/,
   * which the next open clears, never a stray file among the blobs. */
  {
    g_autofree char *partial = hatake_store_blob_partial_path (self, digest);
    tmp = g_strdup_printf ("%s.%08x.new", partial, g_random_int ());
  }
  if (!write_file_atomic (tmp, data, length, error))
    return FALSE;
  if (rename (tmp, path) != 0)
    {
      int errsv = errno;
      g_unlink (tmp);
      return set_errno_error (error, errsv, "Cannot store", path);
    }
  return TRUE;
}

static char *
layer_dir (HatakeStore *self, const char *chain_id)
{
  return g_build_filename (self->root, "layers", digest_hex (chain_id), NULL);
}

char *
hatake_store_layer_path (HatakeStore *self,
                         const char  *chain_id)
{
  g_return_val_if_fail (HATAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (hatake_digest_is_valid (chain_id), NULL);
  return g_build_filename (self->root, "layers", digest_hex (chain_id), "diff", NULL);
}

gboolean
hatake_store_has_layer (HatakeStore *self,
                        const char  *chain_id)
{
  g_autofree char *dir = NULL;
  g_autofree char *meta = NULL;

  g_return_val_if_fail (HATAKE_IS_STORE (self), FALSE);
  if (!hatake_digest_is_valid (chain_id))
    return FALSE;
  dir = layer_dir (self, chain_id);
  meta = g_build_filename (dir, "layer.json", NULL);
  return g_file_test (meta, G_FILE_TEST_IS_REGULAR);
}

gint64
hatake_store_get_layer_size (HatakeStore *self,
                             const char  *chain_id)
{
  g_autofree char *dir = layer_dir (self, chain_id);
  g_autofree char *meta = g_build_filename (dir, "layer.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_mapped_file (parser, meta, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  return json_object_get_int_member_with_default (json_node_get_object (root), "size", 0);
}

static gboolean
sync_filesystem (const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return set_errno_error (error, errno, "Cannot open", path);
  if (syncfs (fd) != 0)
    {
      int errsv = errno;
      close (fd);
      return set_errno_error (error, errsv, "Cannot sync", path);
    }
  close (fd);
  return TRUE;
}

/* Unpacks a verified blob into layers/<chain>/diff. The layer becomes visible only once its diff
 * ID matched and its files are durable: one syncfs for the whole layer rather than an fsync per
 * file. If another pull committed the same layer meanwhile, ours is thrown away. */
gboolean
hatake_store_unpack_layer (HatakeStore             *self,
                           const char              *blob_digest,
                           const char              *diff_id,
                           const char              *chain_id,
                           const HatakeLayerLimits *limits,
                           HatakeLayerProgressFunc  progress,
                           gpointer                 progress_data,
                           GCancellable            *cancellable,
                           GError                 **error)
{
  g_autofree char *tmp_template = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *diff = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *meta_path = NULL;
  g_autofree char *meta = NULL;
  g_autofree char *final = NULL;
  g_autofree char *short_name = NULL;
  g_autofree char *link_path = NULL;
  g_autofree char *link_target = NULL;
  guint64 size = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (HATAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (hatake_digest_is_valid (blob_digest), FALSE);
  g_return_val_if_fail (hatake_digest_is_valid (diff_id), FALSE);
  g_return_val_if_fail (hatake_digest_is_valid (chain_id), FALSE);

  if (hatake_store_has_layer (self, chain_id))
    return TRUE;

  tmp_template = g_build_filename (self->root, "tmp", "layer-XXXXXX", NULL);
  tmp = g_mkdtemp (g_steal_pointer (&tmp_template));
  if (tmp == NULL)
    return set_errno_error (error, errno, "Cannot create a folder in", self->root);
  diff = g_build_filename (tmp, "diff", NULL);
  if (g_mkdir (diff, 0755) != 0)
    {
      set_errno_error (error, errno, "Cannot create", diff);
      goto out;
    }
  blob = hatake_store_blob_path (self, blob_digest);
  if (!hatake_layer_unpack (blob, diff, limits, progress, progress_data, &actual, &size, cancellable, error))
    goto out;
  if (!g_str_equal (actual, diff_id))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH,
                   _("layer %s unpacks to diff ID %s, but the image config says %s"), blob_digest, actual, diff_id);
      goto out;
    }

  meta = g_strdup_printf ("{\"chain_id\":\"%s\",\"diff_id\":\"%s\",\"blob\":\"%s\",\"size\":%" G_GUINT64_FORMAT "}\n",
                          chain_id, diff_id, blob_digest, size);
  meta_path = g_build_filename (tmp, "layer.json", NULL);
  if (!g_file_set_contents (meta_path, meta, -1, error))
    goto out;
  if (!sync_filesystem (tmp, error))
    goto out;

  final = layer_dir (self, chain_id);
  if (rename (tmp, final) != 0)
    {
      if ((errno == ENOTEMPTY || errno == EEXIST) && hatake_store_has_layer (self, chain_id))
        ok = TRUE;
      else
        set_errno_error (error, errno, "Cannot move the layer into", final);
      goto out;
    }
  g_clear_pointer (&tmp, g_free);

  /* Short names keep overlayfs's lowerdir option within one page for deep images. */
  short_name = g_strndup (digest_hex (chain_id), 16);
  link_path = g_build_filename (self->root, "l", short_name, NULL);
  link_target = g_build_filename ("..", "layers", digest_hex (chain_id), "diff", NULL);
  if (symlink (link_target, link_path) != 0 && errno != EEXIST)
    g_warning ("Cannot create %s: %s", link_path, g_strerror (errno));
  ok = TRUE;

out:
  if (tmp != NULL)
    hatake_rm_rf (tmp, NULL);
  return ok;
}

GPtrArray *
hatake_store_list_images (HatakeStore *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_image_record_free);

  g_return_val_if_fail (HATAKE_IS_STORE (self), out);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->images->len; i++)
    g_ptr_array_add (out, hatake_image_record_copy (g_ptr_array_index (self->images, i)));
  g_mutex_unlock (&self->mutex);
  return out;
}

static HatakeImageRecord *
find_locked (HatakeStore *self, const char *id)
{
  for (guint i = 0; i < self->images->len; i++)
    {
      HatakeImageRecord *r = g_ptr_array_index (self->images, i);
      if (g_str_equal (r->id, id))
        return r;
    }
  return NULL;
}

HatakeImageRecord *
hatake_store_get_image (HatakeStore *self,
                        const char  *id)
{
  HatakeImageRecord *r;

  g_return_val_if_fail (HATAKE_IS_STORE (self), NULL);
  g_mutex_lock (&self->mutex);
  r = find_locked (self, id);
  r = r ? hatake_image_record_copy (r) : NULL;
  g_mutex_unlock (&self->mutex);
  return r;
}

static GStrv
strv_remove (GStrv strv, const char *item)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; strv && strv[i]; i++)
    if (!g_str_equal (strv[i], item))
      g_strv_builder_add (b, strv[i]);
  g_strfreev (strv);
  return g_strv_builder_end (b);
}

static GStrv
strv_add (GStrv strv, const char *item)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (strv && g_strv_contains ((const char * const *) strv, item))
    return strv;
  g_strv_builder_addv (b, (const char **) strv);
  g_strv_builder_add (b, item);
  g_strfreev (strv);
  return g_strv_builder_end (b);
}

/* A tag names one image: giving it to this one takes it from any other. */
static void
take_tag_locked (HatakeStore *self, HatakeImageRecord *owner, const char *tag)
{
  for (guint i = 0; i < self->images->len; i++)
    {
      HatakeImageRecord *r = g_ptr_array_index (self->images, i);
      if (r != owner)
        r->repo_tags = strv_remove (r->repo_tags, tag);
    }
  owner->repo_tags = strv_add (owner->repo_tags, tag);
  owner->last_tag_time = g_get_real_time () / G_USEC_PER_SEC;
}

gboolean
hatake_store_add_image (HatakeStore              *self,
                        const HatakeImageRecord  *record,
                        GError                  **error)
{
  HatakeImageRecord *r;
  gboolean ok;

  g_return_val_if_fail (HATAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL && hatake_digest_is_valid (record->id), FALSE);

  for (guint i = 0; record->layers && record->layers[i]; i++)
    if (!hatake_store_has_layer (self, record->layers[i]))
      {
        g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                     _("layer %s of image %s is not in the store"), record->layers[i], record->id);
        return FALSE;
      }

  g_mutex_lock (&self->mutex);
  r = find_locked (self, record->id);
  if (r == NULL)
    {
      HatakeImageRecord *copy = hatake_image_record_copy (record);
      g_strfreev (copy->repo_tags);
      g_strfreev (copy->repo_digests);
      copy->repo_tags = g_new0 (char *, 1);
      copy->repo_digests = g_new0 (char *, 1);
      g_ptr_array_add (self->images, copy);
      r = copy;
    }
  else
    {
      for (guint i = 0; record->blobs && record->blobs[i]; i++)
        r->blobs = strv_add (r->blobs, record->blobs[i]);
    }
  for (guint i = 0; record->repo_tags && record->repo_tags[i]; i++)
    take_tag_locked (self, r, record->repo_tags[i]);
  for (guint i = 0; record->repo_digests && record->repo_digests[i]; i++)
    r->repo_digests = strv_add (r->repo_digests, record->repo_digests[i]);
  ok = save_images_locked (self, error);
  g_mutex_unlock (&self->mutex);
  return ok;
}

gboolean
hatake_store_tag_image (HatakeStore  *self,
                        const char   *id,
                        const char   *tag,
                        GError      **error)
{
  HatakeImageRecord *r;
  gboolean ok;

  g_return_val_if_fail (HATAKE_IS_STORE (self), FALSE);
  g_mutex_lock (&self->mutex);
  r = find_locked (self, id);
  if (r == NULL)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), id);
      return FALSE;
    }
  take_tag_locked (self, r, tag);
  ok = save_images_locked (self, error);
  g_mutex_unlock (&self->mutex);
  return ok;
}

gboolean
hatake_store_untag_image (HatakeStore  *self,
                          const char   *id,
                          const char   *tag,
                          GError      **error)
{
  HatakeImageRecord *r;
  gboolean ok;

  g_return_val_if_fail (HATAKE_IS_STORE (self), FALSE);
  g_mutex_lock (&self->mutex);
  r = find_locked (self, id);
  if (r == NULL || !g_strv_contains ((const char * const *) (strchr (tag, '@') ? r->repo_digests : r->repo_tags), tag))
    {
      g_mutex_unlock (&self->mutex);
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), tag);
      return FALSE;
    }
  if (strchr (tag, '@') != NULL)
    {
      /* a digest reference (repo@sha256:…): it alone goes */
      r->repo_digests = strv_remove (r->repo_digests, tag);
      ok = save_images_locked (self, error);
      g_mutex_unlock (&self->mutex);
      return ok;
    }
  r->repo_tags = strv_remove (r->repo_tags, tag);
  /* docker drops the repo digests of a repository once its last tag there is gone */
  {
    g_autofree char *repo = g_strndup (tag, strrchr (tag, ':') - tag);
    g_autofree char *prefix = g_strconcat (repo, "@", NULL);
    gboolean repo_still_tagged = FALSE;
    for (guint i = 0; r->repo_tags[i]; i++)
      repo_still_tagged |= g_str_has_prefix (r->repo_tags[i], repo) && r->repo_tags[i][strlen (repo)] == ':';
    if (!repo_still_tagged && r->repo_tags[0] != NULL)
      for (guint i = 0; r->repo_digests[i]; i++)
        if (g_str_has_prefix (r->repo_digests[i], prefix))
          r->repo_digests = strv_remove (r->repo_digests, r->repo_digests[i--]);
  }
  ok = save_images_locked (self, error);
  g_mutex_unlock (&self->mutex);
  return ok;
}

/* Moves a tree to tmp/ first so it disappears at once; the slow removal may then fail or be
 * interrupted without leaving a half layer in layers/. */
static void
remove_tree (HatakeStore *self, const char *path)
{
  g_autofree char *template = g_build_filename (self->root, "tmp", "trash-XXXXXX", NULL);
  g_autofree char *trash = g_mkdtemp (g_steal_pointer (&template));
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  if (trash == NULL)
    return;
  target = g_build_filename (trash, "x", NULL);
  /* ENOENT: a collection running alongside (two images removed at once) took it first */
  if (rename (path, target) != 0 && errno != ENOENT)
    g_warning ("Cannot remove %s: %s", path, g_strerror (errno));
  if (!hatake_rm_rf (trash, &error))
    g_warning ("Cannot remove %s: %s", trash, error->message);
}

static gboolean
is_hex_digest (const char *name)
{
  g_autofree char *digest = g_strconcat ("sha256:", name, NULL);
  return hatake_digest_is_valid (digest);
}

static gboolean
is_held_locked (HatakeStore *self, const char *hex)
{
  g_autofree char *digest = g_strconcat ("sha256:", hex, NULL);
  return g_hash_table_contains (self->holds, digest);
}

/* Keeps a blob or layer from garbage collection while work under way needs it, though no
 * image references it yet. Holds count: each hold is released once. */
void
hatake_store_hold (HatakeStore *self,
                   const char  *digest)
{
  guint n;

  g_return_if_fail (HATAKE_IS_STORE (self));
  g_mutex_lock (&self->mutex);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->holds, digest));
  g_hash_table_replace (self->holds, g_strdup (digest), GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&self->mutex);
}

void
hatake_store_release (HatakeStore *self,
                      const char  *digest)
{
  guint n;

  g_return_if_fail (HATAKE_IS_STORE (self));
  g_mutex_lock (&self->mutex);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->holds, digest));
  g_warn_if_fail (n > 0);
  if (n <= 1)
    g_hash_table_remove (self->holds, digest);
  else
    g_hash_table_replace (self->holds, g_strdup (digest), GUINT_TO_POINTER (n - 1));
  g_mutex_unlock (&self->mutex);
}

/* Removes layers and blobs that no image references and nothing holds, and their links. */
gboolean
hatake_store_collect_garbage (HatakeStore  *self,
                              GPtrArray    *deleted_layers,
                              GError      **error)
{
  g_autoptr(GHashTable) used_layers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) used_blobs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *layers_path = g_build_filename (self->root, "layers", NULL);
  g_autofree char *blobs_path = g_build_filename (self->root, "blobs", "sha256", NULL);
  g_autoptr(GPtrArray) doomed_layers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) doomed_blobs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (HATAKE_IS_STORE (self), FALSE);

  /* Decide under the lock, delete outside it. A pull commits its layers before it adds its
   * image, so between the two they are unreferenced: it holds them (hatake_store_hold). */
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->images->len; i++)
    {
      HatakeImageRecord *r = g_ptr_array_index (self->images, i);
      for (guint j = 0; r->layers[j]; j++)
        g_hash_table_add (used_layers, (gpointer) digest_hex (r->layers[j]));
      for (guint j = 0; r->blobs[j]; j++)
        if (hatake_digest_is_valid (r->blobs[j]))
          g_hash_table_add (used_blobs, (gpointer) digest_hex (r->blobs[j]));
    }
  /* Only names that are digests: a blob being written has a temporary name until it verified. */
  dir = g_dir_open (layers_path, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    if (!g_hash_table_contains (used_layers, name) && is_hex_digest (name) && !is_held_locked (self, name))
      g_ptr_array_add (doomed_layers, g_strdup (name));
  g_clear_pointer (&dir, g_dir_close);
  dir = g_dir_open (blobs_path, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    if (!g_hash_table_contains (used_blobs, name) && is_hex_digest (name) && !is_held_locked (self, name))
      g_ptr_array_add (doomed_blobs, g_strdup (name));
  g_clear_pointer (&dir, g_dir_close);
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < doomed_layers->len; i++)
    {
      const char *hex = g_ptr_array_index (doomed_layers, i);
      g_autofree char *path = g_build_filename (layers_path, hex, NULL);
      g_autofree char *short_name = g_strndup (hex, 16);
      g_autofree char *link = g_build_filename (self->root, "l", short_name, NULL);
      g_unlink (link);
      remove_tree (self, path);
      if (deleted_layers)
        g_ptr_array_add (deleted_layers, g_strconcat ("sha256:", hex, NULL));
    }
  for (guint i = 0; i < doomed_blobs->len; i++)
    {
      g_autofree char *path = g_build_filename (blobs_path, g_ptr_array_index (doomed_blobs, i), NULL);
      if (g_unlink (path) != 0 && errno != ENOENT)
        return set_errno_error (error, errno, "Cannot remove", path);
    }
  return TRUE;
}

gboolean
hatake_store_remove_image (HatakeStore  *self,
                           const char   *id,
                           GPtrArray    *deleted_layers,
                           GError      **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (HATAKE_IS_STORE (self), FALSE);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->images->len; i++)
    {
      HatakeImageRecord *r = g_ptr_array_index (self->images, i);
      if (g_str_equal (r->id, id))
        {
          g_ptr_array_remove_index (self->images, i);
          ok = TRUE;
          break;
        }
    }
  if (!ok)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), id);
      return FALSE;
    }
  ok = save_images_locked (self, error);
  g_mutex_unlock (&self->mutex);
  return ok && hatake_store_collect_garbage (self, deleted_layers, error);
}

/* The unpacked bytes of every layer in the store, each counted once. */
gint64
hatake_store_get_layers_size (HatakeStore *self)
{
  g_autofree char *layers_path = g_build_filename (self->root, "layers", NULL);
  g_autoptr(GDir) dir = g_dir_open (layers_path, 0, NULL);
  const char *name;
  gint64 total = 0;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *chain = g_strconcat ("sha256:", name, NULL);
      if (hatake_digest_is_valid (chain))
        total += hatake_store_get_layer_size (self, chain);
    }
  return total;
}

/* Removes the given blobs and layers unless an image references them or something holds them:
 * what a failed pull fetched is dropped without touching what other, running pulls need. */
void
hatake_store_remove_unreferenced (HatakeStore        *self,
                                  const char * const *blobs,
                                  const char * const *layers)
{
  g_autoptr(GPtrArray) doomed_blobs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) doomed_layers = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (HATAKE_IS_STORE (self));

  g_mutex_lock (&self->mutex);
  for (guint k = 0; blobs && blobs[k]; k++)
    {
      gboolean used = g_hash_table_contains (self->holds, blobs[k]);
      for (guint i = 0; i < self->images->len && !used; i++)
        used = g_strv_contains ((const char * const *) ((HatakeImageRecord *) g_ptr_array_index (self->images, i))->blobs, blobs[k]);
      if (!used)
        g_ptr_array_add (doomed_blobs, hatake_store_blob_path (self, blobs[k]));
    }
  for (guint k = 0; layers && layers[k]; k++)
    {
      gboolean used = g_hash_table_contains (self->holds, layers[k]);
      for (guint i = 0; i < self->images->len && !used; i++)
        used = g_strv_contains ((const char * const *) ((HatakeImageRecord *) g_ptr_array_index (self->images, i))->layers, layers[k]);
      if (!used)
        g_ptr_array_add (doomed_layers, g_strdup (layers[k]));
    }
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < doomed_blobs->len; i++)
    g_unlink (g_ptr_array_index (doomed_blobs, i));
  for (guint i = 0; i < doomed_layers->len; i++)
    {
      const char *chain = g_ptr_array_index (doomed_layers, i);
      g_autofree char *path = layer_dir (self, chain);
      g_autofree char *short_name = g_strndup (digest_hex (chain), 16);
      g_autofree char *link = g_build_filename (self->root, "l", short_name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_unlink (link);
          remove_tree (self, path);
        }
    }
}
