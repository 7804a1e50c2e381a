/* hatake-local-engine-archive.c: docker save and docker load on the local engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The archive is docker's (docker 25 and later write it so): an OCI image layout (oci-layout,
 * index.json, blobs/sha256/…) that also holds docker's manifest.json, whose entries name the
 * config and layers by their paths. The blobs are the store's, as pulled (compressed layers), so
 * a save costs a copy and no recompression; docker load, podman load and our load read them all.
 *
 * A load unpacks the archive into a folder of the store's tmp/ first (with the same care as
 * docker cp: nothing of it lands outside), then takes each image from manifest.json, or from
 * index.json when there is none: every file it names is opened inside that folder without
 * following a link, hashed, and linked into the store as a blob; each layer is unpacked and must
 * hash to the config's diff ID, or the load fails before any image or tag changes.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hatake-archive.h"
#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-layer.h"
#include "hatake-local-engine-private.h"
#include "hatake-manifest.h"
#include "hatake-reference.h"

/* ---- save ---------------------------------------------------------------------------------- */

typedef struct
{
  HatakeStore *store;
  GPtrArray   *records;     /* HatakeImageRecord, one per image */
  GPtrArray   *tags;        /* GStrv per record: the names asked for that are its tags */
  int          out_fd;
  GCancellable *cancellable;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->records, g_ptr_array_unref);
  g_clear_pointer (&data->tags, g_ptr_array_unref);
  g_clear_object (&data->cancellable);
  if (data->out_fd >= 0)
    close (data->out_fd);
  g_free (data);
}

static char *
blob_name (const char *digest)
{
  return g_strconcat ("blobs/sha256/", digest + strlen ("sha256:"), NULL);
}

static gboolean
save_blob (SaveData *data, HatakeTarWriter *tar, GHashTable *sent, const char *digest, GError **error)
{
  g_autofree char *name = NULL, *path = NULL;

  if (g_hash_table_contains (sent, digest))
    return TRUE;
  g_hash_table_add (sent, g_strdup (digest));
  name = blob_name (digest);
  path = hatake_store_blob_path (data->store, digest);
  return hatake_tar_writer_add_file (tar, name, path, error);
}

static gboolean
save_image (SaveData *data, HatakeTarWriter *tar, GHashTable *sent, guint i, JsonArray *manifests, JsonArray *index,
            GError **error)
{
  HatakeImageRecord *r = g_ptr_array_index (data->records, i);
  GStrv tags = g_ptr_array_index (data->tags, i);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(HatakeManifest) manifest = NULL;
  JsonObject *entry, *descriptor;
  JsonArray *layers, *repo_tags;

  if (r->manifest_digest == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED, _("The image %s has no manifest to save"), r->id);
      return FALSE;
    }
  bytes = hatake_store_read_blob (data->store, r->manifest_digest, HATAKE_MAX_MANIFEST_SIZE, error);
  if (bytes == NULL || (manifest = hatake_manifest_parse (bytes, NULL, error)) == NULL)
    return FALSE;
  if (manifest->is_index || manifest->config == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST, _("The image %s has no manifest to save"), r->id);
      return FALSE;
    }
  layers = json_array_new ();
  for (guint l = 0; l < manifest->layers->len; l++)
    {
      const HatakeDescriptor *d = g_ptr_array_index (manifest->layers, l);

      g_autofree char *name = blob_name (d->digest);

      if (!save_blob (data, tar, sent, d->digest, error))
        {
          json_array_unref (layers);
          return FALSE;
        }
      json_array_add_string_element (layers, name);
    }
  if (!save_blob (data, tar, sent, manifest->config->digest, error) ||
      !save_blob (data, tar, sent, r->manifest_digest, error))
    {
      json_array_unref (layers);
      return FALSE;
    }

  /* manifest.json, docker's */
  entry = json_object_new ();
  repo_tags = json_array_new ();
  for (guint t = 0; tags && tags[t]; t++)
    json_array_add_string_element (repo_tags, tags[t]);
  {
    g_autofree char *config_name = blob_name (manifest->config->digest);

    json_object_set_string_member (entry, "Config", config_name);
  }
  json_object_set_array_member (entry, "RepoTags", repo_tags);
  json_object_set_array_member (entry, "Layers", layers);
  json_array_add_object_element (manifests, entry);

  /* index.json, OCI's: one descriptor per tag (or one without a name) */
  for (guint t = 0; t == 0 || (tags && tags[t]); t++)
    {
      descriptor = json_object_new ();
      json_object_set_string_member (descriptor, "mediaType", manifest->media_type ? manifest->media_type
                                                                                    : HATAKE_MEDIA_OCI_MANIFEST);
      json_object_set_string_member (descriptor, "digest", r->manifest_digest);
      json_object_set_int_member (descriptor, "size", g_bytes_get_size (bytes));
      if (tags && tags[t])
        {
          g_autoptr(HatakeReference) ref = hatake_reference_parse (tags[t], NULL);
          JsonObject *annotations = json_object_new ();

          json_object_set_string_member (annotations, "io.containerd.image.name", tags[t]);
          if (ref != NULL && ref->tag != NULL)
            json_object_set_string_member (annotations, "org.opencontainers.image.ref.name", ref->tag);
          json_object_set_object_member (descriptor, "annotations", annotations);
        }
      json_array_add_object_element (index, descriptor);
    }
  return TRUE;
}

static GBytes *
json_bytes (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  gsize length = strlen (text);

  return g_bytes_new_take (g_steal_pointer (&text), length);
}

static gpointer
save_thread (gpointer user_data)
{
  SaveData *data = user_data;
  HatakeTarWriter *tar = hatake_tar_writer_new (data->out_fd, data->cancellable);
  g_autoptr(GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonNode) manifests = json_node_init_array (json_node_alloc (), json_array_new ());
  g_autoptr(JsonNode) index = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) error = NULL;
  JsonObject *index_object = json_object_new ();
  JsonArray *descriptors = json_array_new ();
  gboolean ok = TRUE;

  json_array_unref (json_node_get_array (manifests));
  json_object_set_int_member (index_object, "schemaVersion", 2);
  json_object_set_string_member (index_object, "mediaType", HATAKE_MEDIA_OCI_INDEX);
  json_object_set_array_member (index_object, "manifests", descriptors);
  json_node_take_object (index, index_object);
  for (guint i = 0; ok && i < data->records->len; i++)
    ok = save_image (data, tar, sent, i, json_node_get_array (manifests), descriptors, &error);
  if (ok)
    {
      g_autoptr(GBytes) manifest_bytes = json_bytes (manifests);
      g_autoptr(GBytes) index_bytes = json_bytes (index);
      g_autoptr(GBytes) layout = g_bytes_new_static ("{\"imageLayoutVersion\":\"1.0.0\"}", 30);

      ok = hatake_tar_writer_add_bytes (tar, "oci-layout", layout, &error) &&
           hatake_tar_writer_add_bytes (tar, "index.json", index_bytes, &error) &&
           hatake_tar_writer_add_bytes (tar, "manifest.json", manifest_bytes, &error);
    }
  if (!hatake_tar_writer_close (tar, !ok, ok ? &error : NULL) || !ok)
    g_message ("docker save stopped: %s", error ? error->message : "");
  for (guint i = 0; i < data->records->len; i++)
    {
      HatakeImageRecord *r = g_ptr_array_index (data->records, i);

      for (guint b = 0; r->blobs && r->blobs[b]; b++)
        hatake_store_release (data->store, r->blobs[b]);
    }
  save_data_free (data);
  return NULL;
}

static void
hatake_local_engine_save_images_async (HatakeEngine        *engine,
                                       const char * const  *references,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);  /* id → index */
  SaveData *data = g_new0 (SaveData, 1);
  int pair[2];

  g_task_set_source_tag (task, hatake_local_engine_save_images_async);
  data->out_fd = -1;
  data->store = g_object_ref (self->store);
  data->records = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_image_record_free);
  data->tags = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  data->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  for (guint i = 0; references && references[i]; i++)
    {
      g_autoptr(HatakeImage) image = hatake_engine_lookup_image (engine, references[i]);
      HatakeImageRecord *r = image ? hatake_store_get_image (self->store, hatake_image_get_id (image)) : NULL;
      gpointer index;
      const char * const *tags;

      if (r == NULL)
        {
          save_data_free (data);
          g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), references[i]);
          return;
        }
      if (!g_hash_table_lookup_extended (by_id, r->id, NULL, &index))
        {
          index = GUINT_TO_POINTER (data->records->len);
          g_ptr_array_add (data->records, r);
          g_ptr_array_add (data->tags, g_new0 (char *, 1));
          g_hash_table_insert (by_id, r->id, index);
          for (guint b = 0; r->blobs && r->blobs[b]; b++)
            hatake_store_hold (self->store, r->blobs[b]);
        }
      else
        hatake_image_record_free (r);
      /* a name that is one of its tags goes with it; an ID or digest adds none */
      tags = hatake_image_get_repo_tags (image);
      for (guint t = 0; tags && tags[t]; t++)
        {
          g_autoptr(HatakeReference) ref = hatake_reference_parse (references[i], NULL);
          g_autofree char *full = ref && ref->digest == NULL ? hatake_reference_with_tag (ref) : NULL;
          GStrv *names = (GStrv *) &g_ptr_array_index (data->tags, GPOINTER_TO_UINT (index));

          if (full != NULL && g_str_equal (full, tags[t]) && !g_strv_contains ((const char * const *) *names, tags[t]))
            {
              guint n = g_strv_length (*names);

              *names = g_renew (char *, *names, n + 2);
              (*names)[n] = g_strdup (tags[t]);
              (*names)[n + 1] = NULL;
            }
        }
    }
  if (data->records->len == 0 || socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    {
      int errsv = errno;

      for (guint i = 0; i < data->records->len; i++)
        for (guint b = 0; ((HatakeImageRecord *) g_ptr_array_index (data->records, i))->blobs[b]; b++)
          hatake_store_release (self->store, ((HatakeImageRecord *) g_ptr_array_index (data->records, i))->blobs[b]);
      save_data_free (data);
      if (references == NULL || references[0] == NULL)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("No image to save"));
      else
        g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv), "socketpair: %s", g_strerror (errsv));
      return;
    }
  shutdown (pair[0], SHUT_WR);
  shutdown (pair[1], SHUT_RD);
  data->out_fd = pair[1];
  g_thread_unref (g_thread_new ("hatake-save", save_thread, data));
  g_task_return_pointer (task, g_unix_input_stream_new (pair[0], TRUE), g_object_unref);
}

static GInputStream *
hatake_local_engine_save_images_finish (HatakeEngine  *engine,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- load ---------------------------------------------------------------------------------- */

typedef struct
{
  HatakeStore  *store;
  GInputStream *tar;
  char         *dir;        /* where the archive is unpacked */
  int           dir_fd;
  GPtrArray    *held;       /* blobs and layers held while the load runs */
  GPtrArray    *new_blobs;  /* what this load brought into the store: gone again if it fails */
  GPtrArray    *new_layers;
  gboolean      failed;
  GPtrArray    *loaded;     /* what docker load prints */
} LoadData;

static void
load_data_free (LoadData *data)
{
  for (guint i = 0; data->held && i < data->held->len; i++)
    hatake_store_release (data->store, g_ptr_array_index (data->held, i));
  g_clear_pointer (&data->held, g_ptr_array_unref);
  if (data->failed)
    {
      /* what no image took: a failed load leaves the store as it found it */
      g_ptr_array_add (data->new_blobs, NULL);
      g_ptr_array_add (data->new_layers, NULL);
      hatake_store_remove_unreferenced (data->store, (const char * const *) data->new_blobs->pdata,
                                        (const char * const *) data->new_layers->pdata);
    }
  g_clear_pointer (&data->new_blobs, g_ptr_array_unref);
  g_clear_pointer (&data->new_layers, g_ptr_array_unref);
  if (data->dir_fd >= 0)
    close (data->dir_fd);
  if (data->dir != NULL)
    hatake_rm_rf (data->dir, NULL);
  g_free (data->dir);
  g_clear_object (&data->store);
  g_clear_object (&data->tar);
  g_clear_pointer (&data->loaded, g_ptr_array_unref);
  g_free (data);
}

static void
load_hold (LoadData *data, const char *digest)
{
  hatake_store_hold (data->store, digest);
  g_ptr_array_add (data->held, g_strdup (digest));
}

/* Opens NAME inside the unpacked archive: a regular file, reached through no link. */
static int
open_member (LoadData *data, const char *name, GError **error)
{
  g_autofree char *proc = NULL;
  struct stat st;
  int path_fd, fd;

  path_fd = hatake_archive_resolve (data->dir_fd, name, FALSE, NULL);
  if (path_fd < 0 || fstat (path_fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      if (path_fd >= 0)
        close (path_fd);
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                   _("The archive has no file %s, which its manifest names"), name);
      return -1;
    }
  proc = g_strdup_printf ("/proc/self/fd/%d", path_fd);
  fd = open (proc, O_RDONLY | O_CLOEXEC);
  close (path_fd);
  if (fd < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", name, g_strerror (errno));
  return fd;
}

static GBytes *
read_member (LoadData *data, const char *name, gsize max, GError **error)
{
  int fd = open_member (data, name, error);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (fd < 0)
    return NULL;
  in = g_unix_input_stream_new (fd, TRUE);
  bytes = g_input_stream_read_bytes (in, max + 1, NULL, error);
  if (bytes != NULL && g_bytes_get_size (bytes) > max)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST, _("%s in the archive is too large"), name);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

/* The member NAME as a blob of the store (hashed as it is read, then linked in): its digest. */
static char *
take_blob (LoadData *data, const char *name, GError **error)
{
  int fd = open_member (data, name, error);
  g_autoptr(HatakeHasher) hasher = NULL;
  g_autofree char *buffer = NULL, *digest = NULL, *path = NULL, *proc = NULL;
  ssize_t n;

  if (fd < 0)
    return NULL;
  hasher = hatake_hasher_new ();
  buffer = g_malloc (256 * 1024);
  while ((n = read (fd, buffer, 256 * 1024)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      hatake_hasher_update (hasher, buffer, n);
  if (n < 0 || fsync (fd) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", name, g_strerror (errno));
      close (fd);
      return NULL;
    }
  digest = hatake_hasher_finish (hasher);
  load_hold (data, digest);
  path = hatake_store_blob_path (data->store, digest);
  proc = g_strdup_printf ("/proc/self/fd/%d", fd);
  /* the very file hashed, under its digest (the same file system: the store's tmp/) */
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    ;
  else if (linkat (AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
    g_ptr_array_add (data->new_blobs, g_strdup (digest));
  else if (errno != EEXIST)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _("Cannot store %s: %s"), name, g_strerror (errno));
      close (fd);
      return NULL;
    }
  close (fd);
  return g_steal_pointer (&digest);
}

static const char *
layer_media_type (HatakeStore *store, const char *digest)
{
  g_autofree char *path = hatake_store_blob_path (store, digest);
  guchar magic[4] = { 0 };
  FILE *f = fopen (path, "rb");

  if (f != NULL)
    {
      if (fread (magic, 1, sizeof magic, f) != sizeof magic)
        memset (magic, 0, sizeof magic);
      fclose (f);
    }
  if (magic[0] == 0x1f && magic[1] == 0x8b)
    return HATAKE_MEDIA_OCI_LAYER_GZIP;
  if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return HATAKE_MEDIA_OCI_LAYER_ZSTD;
  return HATAKE_MEDIA_OCI_LAYER;
}

/* One image: its config and layers (names inside the archive), its tags. */
static gboolean
load_image (LoadData *data, const char *config_name, GStrv layer_names, GStrv tags, GBytes *manifest_given,
            GCancellable *cancellable, GError **error)
{
  g_autoptr(GBytes) config_bytes = read_member (data, config_name, HATAKE_MAX_CONFIG_SIZE, error);
  g_autoptr(HatakeImageConfig) config = NULL;
  g_autoptr(HatakeImageRecord) r = NULL;
  g_autoptr(GStrvBuilder) blobs = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) chains = g_strv_builder_new ();
  g_autoptr(GBytes) manifest_bytes = NULL;
  g_autofree char *config_digest = NULL, *parent = NULL, *manifest_digest = NULL;
  g_autoptr(GString) manifest = NULL;
  HatakeLayerLimits limits;
  guint n = g_strv_length (layer_names);

  if (config_bytes == NULL || (config = hatake_image_config_parse (config_bytes, error)) == NULL)
    return FALSE;
  if (config->diff_ids->len != n)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                   _("The archive names %u layers for %s, whose config has %u"), n, config_name, config->diff_ids->len);
      return FALSE;
    }
  config_digest = take_blob (data, config_name, error);
  if (config_digest == NULL)
    return FALSE;
  hatake_layer_limits_init_default (&limits);
  manifest = g_string_new (NULL);
  g_string_append_printf (manifest, "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\","
                          "\"digest\":\"%s\",\"size\":%" G_GSIZE_FORMAT "},\"layers\":[",
                          HATAKE_MEDIA_OCI_MANIFEST, HATAKE_MEDIA_OCI_CONFIG, config_digest,
                          g_bytes_get_size (config_bytes));
  r = g_new0 (HatakeImageRecord, 1);
  for (guint i = 0; i < n; i++)
    {
      const char *diff_id = g_ptr_array_index (config->diff_ids, i);
      g_autofree char *digest = take_blob (data, layer_names[i], error);
      g_autofree char *chain = NULL;
      g_autofree char *path = NULL;
      struct stat st;

      if (digest == NULL)
        return FALSE;
      chain = hatake_chain_id (parent, diff_id);
      load_hold (data, chain);
      /* the blob's content must be the layer the config names: unpacking checks its diff ID */
      if (!hatake_store_has_layer (data->store, chain))
        {
          if (!hatake_store_unpack_layer (data->store, digest, diff_id, chain, &limits, NULL, NULL, cancellable, error))
            {
              g_prefix_error (error, _("Layer %s of the archive: "), layer_names[i]);
              return FALSE;
            }
          g_ptr_array_add (data->new_layers, g_strdup (chain));
        }
      path = hatake_store_blob_path (data->store, digest);
      if (stat (path, &st) != 0)
        st.st_size = 0;
      g_string_append_printf (manifest, "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%" G_GINT64_FORMAT "}",
                              i ? "," : "", layer_media_type (data->store, digest), digest, (gint64) st.st_size);
      g_strv_builder_add (blobs, digest);
      g_strv_builder_add (chains, chain);
      r->size += hatake_store_get_layer_size (data->store, chain);
      g_free (parent);
      parent = g_steal_pointer (&chain);
    }
  g_string_append (manifest, "]}");
  /* an OCI archive's own manifest when it came with one (its digest is the registry's), else ours */
  manifest_bytes = manifest_given ? g_bytes_ref (manifest_given)
                                  : g_bytes_new (manifest->str, manifest->len);
  manifest_digest = hatake_sha256_bytes (manifest_bytes);
  if (!hatake_store_has_blob (data->store, manifest_digest))
    g_ptr_array_add (data->new_blobs, g_strdup (manifest_digest));
  if (!hatake_store_write_blob (data->store, manifest_digest, manifest_bytes, error))
    return FALSE;
  load_hold (data, manifest_digest);
  g_strv_builder_add (blobs, manifest_digest);
  g_strv_builder_add (blobs, config_digest);

  r->id = g_strdup (config_digest);
  r->manifest_digest = g_strdup (manifest_digest);
  r->repo_tags = g_strdupv (tags);
  r->repo_digests = g_new0 (char *, 1);
  r->layers = g_strv_builder_end (chains);
  r->diff_ids = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    r->diff_ids[i] = g_strdup (g_ptr_array_index (config->diff_ids, i));
  r->blobs = g_strv_builder_end (blobs);
  r->created = config->created;
  r->os = g_strdup (config->os);
  r->architecture = g_strdup (config->architecture);
  r->variant = g_strdup (config->variant);
  if (!hatake_store_add_image (data->store, r, error))
    return FALSE;
  for (guint t = 0; tags && tags[t]; t++)
    g_ptr_array_add (data->loaded, g_strdup_printf ("Loaded image: %s", tags[t]));
  if (tags == NULL || tags[0] == NULL)
    g_ptr_array_add (data->loaded, g_strdup_printf ("Loaded image ID: %s", r->id));
  return TRUE;
}

static GStrv
string_array (JsonArray *array)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_strv_builder_add (b, json_node_get_string (node));
    }
  return g_strv_builder_end (b);
}

/* A tag from the archive, normalized ("busybox" → "docker.io/library/busybox:latest" is what
 * docker means; we keep the familiar form docker prints). NULL when it is not a reference. */
static char *
normalize_tag (const char *text)
{
  g_autoptr(HatakeReference) ref = hatake_reference_parse (text, NULL);

  return ref != NULL && ref->digest == NULL ? hatake_reference_with_tag (ref) : NULL;
}

static GStrv
normalize_tags (GStrv tags)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; tags && tags[i]; i++)
    {
      g_autofree char *tag = normalize_tag (tags[i]);

      if (tag != NULL)
        g_strv_builder_add (b, tag);
    }
  return g_strv_builder_end (b);
}

/* JSON from bytes that end without a NUL */
static JsonNode *
parse_json (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  if (!json_parser_load_from_data (parser, data, length, NULL) || json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

static gboolean
load_docker_manifest (LoadData *data, GBytes *bytes, GCancellable *cancellable, GError **error)
{
  g_autoptr(JsonNode) root = parse_json (bytes);
  JsonArray *entries = root && JSON_NODE_HOLDS_ARRAY (root) ? json_node_get_array (root) : NULL;

  if (entries == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST, _("The archive's manifest.json is not a list"));
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = hatake_json_array_object (entries, i);
      const char *config = hatake_json_string (entry, "Config");
      g_auto(GStrv) layers = string_array (hatake_json_array_member (entry, "Layers"));
      g_auto(GStrv) raw_tags = string_array (hatake_json_array_member (entry, "RepoTags"));
      g_auto(GStrv) tags = normalize_tags (raw_tags);

      if (config == NULL)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                       _("Entry %u of the archive's manifest.json names no Config"), i);
          return FALSE;
        }
      if (!load_image (data, config, layers, tags, NULL, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
load_oci_index (LoadData *data, GBytes *bytes, GCancellable *cancellable, GError **error)
{
  g_autoptr(HatakeManifest) index = hatake_manifest_parse (bytes, HATAKE_MEDIA_OCI_INDEX, error);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *descriptors;

  if (index == NULL)
    return FALSE;
  root = parse_json (bytes);
  descriptors = hatake_json_array_member (json_node_get_object (root), "manifests");
  for (guint i = 0; descriptors && i < json_array_get_length (descriptors); i++)
    {
      JsonObject *d = hatake_json_array_object (descriptors, i);
      const char *digest = hatake_json_string (d, "digest");
      JsonObject *annotations = hatake_json_object_member (d, "annotations");
      const char *name = hatake_json_string (annotations, "io.containerd.image.name");
      g_autofree char *member = NULL, *tag = name ? normalize_tag (name) : NULL;
      g_autoptr(GBytes) manifest_bytes = NULL;
      g_autoptr(HatakeManifest) manifest = NULL;
      g_autoptr(GStrvBuilder) layers = g_strv_builder_new ();
      g_auto(GStrv) layer_names = NULL;
      g_autofree char *config_name = NULL;
      const char *tags[] = { tag, NULL };

      if (digest == NULL || !hatake_digest_is_valid (digest))
        continue;
      member = blob_name (digest);
      manifest_bytes = read_member (data, member, HATAKE_MAX_MANIFEST_SIZE, error);
      if (manifest_bytes == NULL || (manifest = hatake_manifest_parse (manifest_bytes, NULL, error)) == NULL)
        return FALSE;
      if (manifest->is_index || manifest->config == NULL)
        continue;   /* a nested index (several platforms): not one image to load */
      for (guint l = 0; l < manifest->layers->len; l++)
        {
          g_autofree char *layer = blob_name (((HatakeDescriptor *) g_ptr_array_index (manifest->layers, l))->digest);

          g_strv_builder_add (layers, layer);
        }
      layer_names = g_strv_builder_end (layers);
      config_name = blob_name (manifest->config->digest);
      if (!load_image (data, config_name, layer_names, (GStrv) (tag ? tags : tags + 1), manifest_bytes, cancellable,
                       error))
        return FALSE;
    }
  return TRUE;
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GBytes) index = NULL;
  g_autofree char *template = g_build_filename (hatake_store_get_root (data->store), "tmp", "load-XXXXXX", NULL);
  GError *error = NULL;
  JsonArray *loaded;

  data->dir = g_mkdtemp (g_steal_pointer (&template));
  if (data->dir == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
      return;
    }
  data->dir_fd = open (data->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (data->dir_fd < 0 || !hatake_archive_extract (data->dir_fd, "/", data->tar, HATAKE_ARCHIVE_FLAGS_NONE, cancellable,
                                                   &error))
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
      g_prefix_error (&error, _("The archive cannot be read: "));
      g_task_return_error (task, error);
      return;
    }
  manifest = read_member (data, "manifest.json", HATAKE_MAX_MANIFEST_SIZE, NULL);
  index = manifest ? NULL : read_member (data, "index.json", HATAKE_MAX_MANIFEST_SIZE, NULL);
  if (manifest == NULL && index == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                               _("The archive holds no manifest.json or index.json: it is not an image archive "
                                 "(docker save or an OCI layout)"));
      return;
    }
  if (manifest ? !load_docker_manifest (data, manifest, cancellable, &error)
               : !load_oci_index (data, index, cancellable, &error))
    {
      data->failed = TRUE;
      g_task_return_error (task, error);
      return;
    }
  loaded = json_array_new ();
  for (guint i = 0; i < data->loaded->len; i++)
    json_array_add_string_element (loaded, g_ptr_array_index (data->loaded, i));
  g_task_return_pointer (task, json_node_init_array (json_node_alloc (), loaded), (GDestroyNotify) json_node_unref);
  json_array_unref (loaded);
}

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeLocalEngine *self = g_task_get_source_object (task);
  GError *error = NULL;
  JsonNode *node = g_task_propagate_pointer (G_TASK (result), &error);

  /* images (or tags) may have come even when a later one failed */
  _hatake_local_engine_refresh_images (self);
  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
hatake_local_engine_load_images_async (HatakeEngine        *engine,
                                       GInputStream        *tar,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  HatakeLocalEngine *self = HATAKE_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) work = NULL;
  LoadData *data = g_new0 (LoadData, 1);

  g_task_set_source_tag (task, hatake_local_engine_load_images_async);
  data->store = g_object_ref (self->store);
  data->tar = g_object_ref (tar);
  data->dir_fd = -1;
  data->held = g_ptr_array_new_with_free_func (g_free);
  data->new_blobs = g_ptr_array_new_with_free_func (g_free);
  data->new_layers = g_ptr_array_new_with_free_func (g_free);
  data->loaded = g_ptr_array_new_with_free_func (g_free);
  work = g_task_new (self, cancellable, on_loaded, g_steal_pointer (&task));
  g_task_set_task_data (work, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (work, load_thread);
}

static JsonNode *
hatake_local_engine_load_images_finish (HatakeEngine  *engine,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_hatake_local_engine_archive_iface_init (HatakeEngineInterface *iface)
{
  iface->save_images_async = hatake_local_engine_save_images_async;
  iface->save_images_finish = hatake_local_engine_save_images_finish;
  iface->load_images_async = hatake_local_engine_load_images_async;
  iface->load_images_finish = hatake_local_engine_load_images_finish;
}
