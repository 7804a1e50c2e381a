/* test-pull.c: pulls of every fixture through the local engine, against a real registry
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-store.h"
#include "hatake-test-utils.h"

typedef struct
{
  char         *root;
  HatakeEngine *engine;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->root = hatake_test_make_data_root ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  /* Tasks finished in a worker thread drop their last reference (and so the engine's) there,
   * a moment after their callback ran here: wait for them, within bounds. */
  for (guint i = 0; f->engine != NULL && G_OBJECT (f->engine)->ref_count > 1 && i < 5000; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
  if (f->engine != NULL)
    g_assert_finalize_object (g_steal_pointer (&f->engine));
  hatake_test_remove_tree (f->root);
  g_free (f->root);
}

static gboolean
have_services (void)
{
  return hatake_test_require_env ("HATAKE_TEST_REGISTRY") && hatake_test_require_root ();
}

static char *
layer_file (Fixture *f, const char *chain_id, const char *rel)
{
  return g_build_filename (f->root, "layers", chain_id + 7, "diff", rel, NULL);
}

static void
test_pull_busybox (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeImage) again = NULL;
  g_autoptr(HatakePull) progress = NULL;
  g_autoptr(HatakePull) progress2 = NULL;
  g_autoptr(HatakePullLayer) layer = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *repo_digest = NULL;
  g_autofree char *busybox = NULL;
  JsonObject *fx;
  JsonArray *diff_ids;
  struct stat st;

  if (!have_services ())
    return;
  fx = hatake_test_fixture ("hatake/busybox:latest");
  ref = hatake_test_registry_ref ("hatake/busybox:latest");
  f->engine = hatake_test_engine_new (f->root, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (f->engine)), ==, 0);

  progress = hatake_pull_new (ref);
  image = hatake_test_pull (f->engine, ref, NULL, progress, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hatake_image_get_id (image), ==, json_object_get_string_member (fx, "config_digest"));
  tag = g_strdup (ref);
  g_assert_true (hatake_image_has_tag (image, tag));
  repo_digest = g_strdup_printf ("%s/hatake/busybox@%s", g_getenv ("HATAKE_TEST_REGISTRY"),
                                 json_object_get_string_member (fx, "manifest_digest"));
  g_assert_true (g_strv_contains (hatake_image_get_repo_digests (image), repo_digest));
  g_assert_cmpstr (hatake_image_get_architecture (image), ==, "amd64");
  g_assert_cmpint (hatake_image_get_size (image), >, 500000);
  g_assert_cmpstr (hatake_pull_get_digest (progress), ==, json_object_get_string_member (fx, "manifest_digest"));

  /* the model the UI binds to holds it */
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (f->engine)), ==, 1);

  /* progress: one layer, complete */
  g_assert_cmpuint (g_list_model_get_n_items (hatake_pull_get_layers (progress)), ==, 1);
  layer = g_list_model_get_item (hatake_pull_get_layers (progress), 0);
  g_assert_cmpint (hatake_pull_layer_get_state (layer), ==, HATAKE_LAYER_DONE);
  g_assert_cmpint (hatake_pull_layer_get_current (layer), ==, hatake_pull_layer_get_total (layer));
  g_assert_cmpfloat (hatake_pull_get_fraction (progress), ==, 1.0);

  /* the layer is unpacked, owners and modes kept */
  diff_ids = json_object_get_array_member (fx, "diff_ids");
  busybox = layer_file (f, json_array_get_string_element (diff_ids, 0), "bin/busybox");
  g_assert_cmpint (lstat (busybox, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_true (st.st_mode & S_IXUSR);
  g_assert_cmpint (st.st_uid, ==, 0);

  /* a second pull fetches nothing */
  progress2 = hatake_pull_new (ref);
  again = hatake_test_pull (f->engine, ref, NULL, progress2, &error);
  g_assert_no_error (error);
  g_assert_true (again == image);
  g_clear_object (&layer);
  layer = g_list_model_get_item (hatake_pull_get_layers (progress2), 0);
  g_assert_cmpint (hatake_pull_layer_get_state (layer), ==, HATAKE_LAYER_EXISTS);
}

static gboolean
is_whiteout (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0);
}

/* The merged view is what a container sees: check it through a real overlay mount. */
static void
test_pull_layered (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *merged = NULL;
  g_autoptr(GString) lower = g_string_new (NULL);
  JsonObject *fx, *present;
  JsonArray *diff_ids, *absent;
  g_autoptr(GList) paths = NULL;
  g_autofree char *options = NULL;
  char *parent = NULL;

  if (!have_services ())
    return;
  fx = hatake_test_fixture ("hatake/layered:latest");
  ref = hatake_test_registry_ref ("hatake/layered:latest");
  f->engine = hatake_test_engine_new (f->root, NULL);
  image = hatake_test_pull (f->engine, ref, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hatake_image_get_id (image), ==, json_object_get_string_member (fx, "config_digest"));

  /* lowerdir lists the top layer first */
  diff_ids = json_object_get_array_member (fx, "diff_ids");
  g_assert_cmpuint (json_array_get_length (diff_ids), >=, 2);
  {
    g_autoptr(GPtrArray) chains = g_ptr_array_new_with_free_func (g_free);
    for (guint i = 0; i < json_array_get_length (diff_ids); i++)
      {
        const char *diff = json_array_get_string_element (diff_ids, i);
        g_autofree char *text = parent ? g_strconcat (parent, " ", diff, NULL) : NULL;
        char *chain = text ? g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1) : NULL;
        char *full = chain ? g_strconcat ("sha256:", chain, NULL) : g_strdup (diff);
        g_free (chain);
        g_ptr_array_add (chains, full);
        parent = full;
      }
    for (guint i = chains->len; i > 0; i--)
      {
        g_autofree char *dir = g_build_filename (f->root, "layers", (char *) g_ptr_array_index (chains, i - 1) + 7,
                                                 "diff", NULL);
        g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
        g_string_append_printf (lower, "%s%s", lower->len ? ":" : "", dir);
      }
    /* the whiteout of delete-me is in overlayfs's form in the layer that deletes it */
    {
      gboolean found = FALSE;
      for (guint i = 0; i < chains->len; i++)
        {
          g_autofree char *wh = g_build_filename (f->root, "layers", (char *) g_ptr_array_index (chains, i) + 7,
                                                  "diff", "data", "delete-me", NULL);
          found |= is_whiteout (wh);
        }
      g_assert_true (found);
    }
  }

  merged = g_build_filename (f->root, "merged", NULL);
  g_assert_cmpint (g_mkdir (merged, 0755), ==, 0);
  options = g_strdup_printf ("lowerdir=%s", lower->str);
  if (mount ("overlay", merged, "overlay", MS_RDONLY, options) != 0)
    g_error ("Cannot mount the image's layers with overlayfs: %s", g_strerror (errno));

  present = json_object_get_object_member (json_object_get_object_member (fx, "expect"), "present");
  paths = json_object_get_members (present);
  for (GList *l = paths; l; l = l->next)
    {
      const char *rel = l->data;
      JsonObject *e = json_object_get_object_member (present, rel);
      const char *type = json_object_get_string_member (e, "type");
      g_autofree char *path = g_build_filename (merged, rel, NULL);
      struct stat st;

      g_test_message ("checking %s", rel);
      g_assert_cmpint (lstat (path, &st), ==, 0);
      if (g_str_equal (type, "dir"))
        g_assert_true (S_ISDIR (st.st_mode));
      else if (g_str_equal (type, "file"))
        g_assert_true (S_ISREG (st.st_mode));
      else if (g_str_equal (type, "symlink"))
        {
          g_autofree char *target = g_file_read_link (path, NULL);
          g_assert_true (S_ISLNK (st.st_mode));
          g_assert_cmpstr (target, ==, json_object_get_string_member (e, "target"));
        }
      if (json_object_has_member (e, "mode"))
        g_assert_cmpint (st.st_mode & 07777, ==, json_object_get_int_member (e, "mode"));
      if (json_object_has_member (e, "uid"))
        g_assert_cmpint (st.st_uid, ==, json_object_get_int_member (e, "uid"));
      if (json_object_has_member (e, "gid"))
        g_assert_cmpint (st.st_gid, ==, json_object_get_int_member (e, "gid"));
      if (json_object_has_member (e, "mtime"))
        g_assert_cmpint (st.st_mtime, ==, json_object_get_int_member (e, "mtime"));
      if (json_object_has_member (e, "nlink"))
        g_assert_cmpint (st.st_nlink, ==, json_object_get_int_member (e, "nlink"));
      if (json_object_has_member (e, "same_inode_as"))
        {
          g_autofree char *other = g_build_filename (merged, json_object_get_string_member (e, "same_inode_as"), NULL);
          struct stat st2;
          g_assert_cmpint (lstat (other, &st2), ==, 0);
          g_assert_cmpint (st.st_ino, ==, st2.st_ino);
        }
      if (json_object_has_member (e, "content"))
        {
          g_autofree char *contents = NULL;
          g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
          g_assert_cmpstr (contents, ==, json_object_get_string_member (e, "content"));
        }
      if (json_object_has_member (e, "xattrs"))
        {
          JsonObject *x = json_object_get_object_member (e, "xattrs");
          g_autoptr(GList) names = json_object_get_members (x);
          for (GList *n = names; n; n = n->next)
            {
              char value[256] = { 0 };
              g_assert_cmpint (lgetxattr (path, n->data, value, sizeof value - 1), >, 0);
              g_assert_cmpstr (value, ==, json_object_get_string_member (x, n->data));
            }
        }
    }
  absent = json_object_get_array_member (json_object_get_object_member (fx, "expect"), "absent");
  for (guint i = 0; i < json_array_get_length (absent); i++)
    {
      g_autofree char *path = g_build_filename (merged, json_array_get_string_element (absent, i), NULL);
      struct stat st;
      g_test_message ("checking that %s is absent", json_array_get_string_element (absent, i));
      g_assert_cmpint (lstat (path, &st), !=, 0);
    }
  g_assert_cmpint (umount (merged), ==, 0);
}

static const char *
platform_config (JsonObject *fx, const char *arch)
{
  JsonArray *manifests = json_object_get_array_member (fx, "manifests");

  for (guint i = 0; i < json_array_get_length (manifests); i++)
    {
      JsonObject *m = json_array_get_object_element (manifests, i);
      if (g_str_equal (json_object_get_string_member (json_object_get_object_member (m, "platform"), "architecture"),
                       arch))
        return json_object_get_string_member (m, "config_digest");
    }
  g_assert_not_reached ();
}

static void
test_pull_multiarch (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) amd64 = NULL;
  g_autoptr(HatakeImage) arm64 = NULL;
  g_autoptr(HatakeImage) none = NULL;
  g_autoptr(HatakePull) progress = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *repo_digest = NULL;
  JsonObject *fx;

  if (!have_services ())
    return;
  fx = hatake_test_fixture ("hatake/multiarch:latest");
  ref = hatake_test_registry_ref ("hatake/multiarch:latest");
  f->engine = hatake_test_engine_new (f->root, NULL);

  progress = hatake_pull_new (ref);
  amd64 = hatake_test_pull (f->engine, ref, NULL, progress, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hatake_image_get_id (amd64), ==, platform_config (fx, "amd64"));
  /* the repo digest is the index's, as docker records it */
  repo_digest = g_strdup_printf ("%s/hatake/multiarch@%s", g_getenv ("HATAKE_TEST_REGISTRY"),
                                 json_object_get_string_member (fx, "index_digest"));
  g_assert_true (g_strv_contains (hatake_image_get_repo_digests (amd64), repo_digest));
  g_assert_cmpstr (hatake_pull_get_digest (progress), ==, json_object_get_string_member (fx, "index_digest"));

  arm64 = hatake_test_pull (f->engine, ref, "linux/arm64/v8", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hatake_image_get_id (arm64), ==, platform_config (fx, "arm64"));
  g_assert_cmpstr (hatake_image_get_architecture (arm64), ==, "arm64");
  /* the tag moved to the image pulled last */
  g_assert_true (hatake_image_has_tag (arm64, ref));
  g_assert_false (hatake_image_has_tag (amd64, ref));

  none = hatake_test_pull (f->engine, ref, "linux/s390x", NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NO_MATCHING_PLATFORM);
  g_assert_nonnull (strstr (error->message, "linux/arm64/v8"));
  g_assert_null (none);
  g_clear_error (&error);

  none = hatake_test_pull (f->engine, ref, "linux", NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE);
}

static void
test_pull_compressions (Fixture *f, gconstpointer data)
{
  const char *tags[] = { "gzip", "zstd", "tar" };
  g_autofree char *layers = NULL;
  g_autoptr(GDir) dir = NULL;
  guint n = 0;

  if (!have_services ())
    return;
  f->engine = hatake_test_engine_new (f->root, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strconcat ("hatake/compress:", tags[i], NULL);
      g_autofree char *ref = hatake_test_registry_ref (name);
      g_autoptr(HatakeImage) image = hatake_test_pull (f->engine, ref, NULL, NULL, &error);
      JsonObject *fx = hatake_test_fixture (name);

      g_assert_no_error (error);
      g_assert_cmpstr (hatake_image_get_id (image), ==, json_object_get_string_member (fx, "config_digest"));
    }
  /* one uncompressed layer, whatever the compression: unpacked and stored once */
  layers = g_build_filename (f->root, "layers", NULL);
  dir = g_dir_open (layers, 0, NULL);
  while (g_dir_read_name (dir))
    n++;
  g_assert_cmpuint (n, ==, 1);
}

typedef struct
{
  const char  *reference;
  GQuark       domain;
  int          code;
  const char  *message_part;
  const char  *config;       /* hatake.conf text, or NULL */
} Hostile;

static void
test_pull_hostile (Fixture *f, gconstpointer data)
{
  const Hostile *h = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeImage) busybox = NULL;
  g_autoptr(HatakeConfig) config = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *busybox_ref = NULL;
  JsonObject *fx;
  JsonArray *escapes;

  if (!have_services ())
    return;
  fx = hatake_test_fixture (h->reference);
  if (json_object_has_member (fx, "host_dirs_to_create"))
    {
      JsonArray *dirs = json_object_get_array_member (fx, "host_dirs_to_create");
      for (guint i = 0; i < json_array_get_length (dirs); i++)
        g_mkdir_with_parents (json_array_get_string_element (dirs, i), 0755);
    }
  if (h->config != NULL)
    {
      g_autofree char *path = g_build_filename (f->root, "test.conf", NULL);
      g_assert_true (g_file_set_contents (path, h->config, -1, NULL));
      config = hatake_config_load (path, &error);
      g_assert_no_error (error);
    }

  /* a store with an image in it already, which must come out untouched */
  f->engine = hatake_test_engine_new (f->root, config);
  busybox_ref = hatake_test_registry_ref ("hatake/busybox:latest");
  busybox = hatake_test_pull (f->engine, busybox_ref, NULL, NULL, &error);
  g_assert_no_error (error);
  before = hatake_test_snapshot_store (f->root);

  ref = hatake_test_registry_ref (h->reference);
  image = hatake_test_pull (f->engine, ref, NULL, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, h->domain, h->code);
  g_test_message ("%s: %s", h->reference, error->message);
  g_assert_nonnull (strstr (error->message, h->message_part));

  after = hatake_test_snapshot_store (f->root);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (f->engine)), ==, 1);

  escapes = json_object_get_array_member (fx, "escape_paths");
  for (guint i = 0; i < json_array_get_length (escapes); i++)
    g_assert_false (g_file_test (json_array_get_string_element (escapes, i), G_FILE_TEST_EXISTS));

  /* the engine still works */
  g_clear_error (&error);
  g_clear_object (&busybox);
  busybox = hatake_test_pull (f->engine, busybox_ref, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_pull_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (!have_services ())
    return;
  f->engine = hatake_test_engine_new (f->root, NULL);
  before = hatake_test_snapshot_store (f->root);

  image = hatake_test_pull (f->engine, "Not/A Reference", NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE);
  g_clear_error (&error);

  missing = hatake_test_registry_ref ("hatake/busybox:no-such-tag");
  image = hatake_test_pull (f->engine, missing, NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "hatake/busybox"));
  g_clear_error (&error);

  g_free (missing);
  missing = hatake_test_registry_ref ("hatake/no-such-image:latest");
  image = hatake_test_pull (f->engine, missing, NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND) ||
                 g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED));
  g_assert_nonnull (strstr (error->message, "hatake/no-such-image"));
  g_clear_error (&error);

  after = hatake_test_snapshot_store (f->root);
  g_assert_cmpstr (before, ==, after);
}

static void
write_docker_config (const char *dir, const char *registry, const char *user, const char *password)
{
  g_autofree char *pair = g_strconcat (user, ":", password, NULL);
  g_autofree char *auth = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_autofree char *json = g_strdup_printf ("{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}", registry, auth);
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  g_setenv ("DOCKER_CONFIG", dir, TRUE);
}

typedef struct
{
  const char *registry_env;
  const char *reference;
  const char *user;        /* NULL: anonymous */
  const char *password;
  gboolean    works;
} AuthCase;

static void
test_pull_auth (Fixture *f, gconstpointer data)
{
  const AuthCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *config_dir = g_build_filename (f->root, "docker-config", NULL);

  if (!have_services () || !hatake_test_require_env (c->registry_env))
    return;
  g_mkdir (config_dir, 0700);
  if (c->user != NULL)
    write_docker_config (config_dir, g_getenv (c->registry_env), c->user,
                         c->password ? c->password : g_getenv ("HATAKE_TEST_PASSWORD"));
  else
    g_setenv ("DOCKER_CONFIG", config_dir, TRUE);

  f->engine = hatake_test_engine_new (f->root, NULL);
  ref = g_strconcat (g_getenv (c->registry_env), "/", c->reference, NULL);
  image = hatake_test_pull (f->engine, ref, NULL, NULL, &error);
  g_unsetenv ("DOCKER_CONFIG");
  if (c->works)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (hatake_image_get_id (image), ==,
                       json_object_get_string_member (hatake_test_fixture ("hatake/busybox:latest"), "config_digest"));
    }
  else
    {
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, c->reference[0] == 'p' ? "public/busybox" : "hatake/busybox"));
      g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (f->engine)), ==, 0);
    }
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Two pulls of the same image at once share the work and both get the image. */
static void
test_pull_concurrent_real (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(HatakeImage) i1 = NULL;
  g_autoptr(HatakeImage) i2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakePull) p1 = NULL;
  g_autoptr(HatakePull) p2 = NULL;
  g_autofree char *ref = NULL;
  guint n1, downloading_in_second = 0;

  if (!have_services ())
    return;
  ref = hatake_test_registry_ref ("hatake/layered:latest");
  f->engine = hatake_test_engine_new (f->root, NULL);
  p1 = hatake_pull_new (ref);
  p2 = hatake_pull_new (ref);
  hatake_engine_pull_async (f->engine, ref, NULL, p1, NULL, store_result, &r1);
  hatake_engine_pull_async (f->engine, ref, NULL, p2, NULL, store_result, &r2);
  hatake_test_run_until_done ((gpointer *) &r1);
  hatake_test_run_until_done ((gpointer *) &r2);
  i1 = hatake_engine_pull_finish (f->engine, r1, &error);
  g_assert_no_error (error);
  i2 = hatake_engine_pull_finish (f->engine, r2, &error);
  g_assert_no_error (error);
  g_assert_true (i1 == i2);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (f->engine)), ==, 1);

  /* the first pull did the work; the second one's layers never downloaded themselves */
  n1 = g_list_model_get_n_items (hatake_pull_get_layers (p2));
  g_assert_cmpuint (n1, >=, 2);
  for (guint i = 0; i < n1; i++)
    {
      g_autoptr(HatakePullLayer) l1 = g_list_model_get_item (hatake_pull_get_layers (p1), i);
      g_autoptr(HatakePullLayer) l2 = g_list_model_get_item (hatake_pull_get_layers (p2), i);
      g_assert_cmpint (hatake_pull_layer_get_state (l1), ==, HATAKE_LAYER_DONE);
      g_assert_cmpint (hatake_pull_layer_get_state (l2), ==, HATAKE_LAYER_DONE);
      downloading_in_second += hatake_pull_layer_get_current (l2) != hatake_pull_layer_get_total (l2);
    }
  g_assert_cmpuint (downloading_in_second, ==, 0);
}

static void
on_layer_state (HatakePullLayer *layer, GParamSpec *pspec, GCancellable *cancellable)
{
  if (hatake_pull_layer_get_state (layer) == HATAKE_LAYER_DOWNLOADING)
    g_cancellable_cancel (cancellable);
}

static void
on_layer_added (GListModel *layers, guint position, guint removed, guint added, GCancellable *cancellable)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HatakePullLayer) layer = g_list_model_get_item (layers, i);
      g_signal_connect_object (layer, "notify::state", G_CALLBACK (on_layer_state), cancellable, 0);
    }
}

/* Cancelled once a layer downloads: the error says so, nothing is visible in the store, and
 * the next pull completes. */
static void
test_pull_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HatakePull) progress = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *images = NULL;

  if (!have_services ())
    return;
  ref = hatake_test_registry_ref ("hatake/busybox:latest");
  f->engine = hatake_test_engine_new (f->root, NULL);
  progress = hatake_pull_new (ref);
  g_signal_connect (hatake_pull_get_layers (progress), "items-changed", G_CALLBACK (on_layer_added), cancellable);
  hatake_engine_pull_async (f->engine, ref, NULL, progress, cancellable, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  image = hatake_engine_pull_finish (f->engine, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (image);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (f->engine)), ==, 0);
  images = g_build_filename (f->root, "images.json", NULL);
  g_assert_false (g_file_test (images, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  image = hatake_test_pull (f->engine, ref, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
}

/* SIGKILL of a `hatake pull` at many moments: each time the store opens cleanly and shows only
 * complete images, and the next pull completes the image. */
static void
test_pull_killed (Fixture *f, gconstpointer data)
{
  const char *refs[] = { "hatake/layered:latest", "hatake/multiarch:latest", "hatake/busybox:latest" };
  guint kills = 0;

  if (!have_services ())
    return;
  for (guint round = 0; round < 12; round++)
    {
      g_autofree char *ref = hatake_test_registry_ref (refs[round % G_N_ELEMENTS (refs)]);
      const char *argv[] = { HATAKE_CLI, "--data-root", f->root, "pull", "-q", ref, NULL };
      g_autoptr(GError) error = NULL;
      GPid pid;
      int status;

      g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                                    G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                    NULL, NULL, &pid, &error));
      g_usleep (round * 7000);
      if (kill (pid, SIGKILL) == 0)
        kills++;
      waitpid (pid, &status, 0);
      g_spawn_close_pid (pid);

      /* opens cleanly, and every image it lists is complete (a child the killed command was
       * starting holds the lock until its exec closes it: a moment, under ASan a longer one) */
      {
        g_autoptr(HatakeStore) store = NULL;
        g_autoptr(GPtrArray) records = NULL;
        gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

        while ((store = hatake_store_open (f->root, &error)) == NULL &&
               g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED) && g_get_monotonic_time () < deadline)
          {
            g_clear_error (&error);
            g_usleep (20 * 1000);
          }
        g_assert_no_error (error);
        records = hatake_store_list_images (store);
        for (guint i = 0; i < records->len; i++)
          {
            HatakeImageRecord *r = g_ptr_array_index (records, i);
            for (guint j = 0; r->layers[j]; j++)
              g_assert_true (hatake_store_has_layer (store, r->layers[j]));
            for (guint j = 0; r->blobs[j]; j++)
              g_assert_true (hatake_store_has_blob (store, r->blobs[j]));
          }
      }
    }
  g_test_message ("%u pulls killed", kills);

  f->engine = hatake_test_engine_new (f->root, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *ref = hatake_test_registry_ref (refs[i]);
      g_autoptr(HatakeImage) image = hatake_test_pull (f->engine, ref, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (hatake_image_has_tag (image, ref));
    }
  /* blobs verified in the store match their names */
  {
    g_autofree char *blobs = g_build_filename (f->root, "blobs", "sha256", NULL);
    g_autoptr(GDir) dir = g_dir_open (blobs, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (blobs, name, NULL);
        g_autofree char *contents = NULL;
        g_autofree char *sum = NULL;
        gsize len;
        g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
        sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) contents, len);
        g_assert_cmpstr (sum, ==, name);
      }
  }
}

static void
test_locked (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeLocalEngine) second = NULL;

  if (!have_services ())
    return;
  f->engine = hatake_test_engine_new (f->root, NULL);
  second = hatake_local_engine_new (f->root, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED);
  g_assert_nonnull (strstr (error->message, f->root));
  g_assert_null (second);
}

static void
add_hostile (const char *name, const Hostile *h)
{
  g_autofree char *path = g_strconcat ("/pull/hostile/", name, NULL);
  g_test_add (path, Fixture, h, fixture_set_up, test_pull_hostile, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  static Hostile dotdot = { "hatake/evil-dotdot:latest", 0, HATAKE_ERROR_UNSAFE_LAYER, "escape-dotdot", NULL };
  static Hostile symlink_ = { "hatake/evil-symlink:latest", 0, HATAKE_ERROR_UNSAFE_LAYER, "link/pwned", NULL };
  static Hostile hardlink = { "hatake/evil-hardlink:latest", 0, HATAKE_ERROR_UNSAFE_LAYER, "link", NULL };
  static Hostile whiteout = { "hatake/evil-whiteout:latest", 0, HATAKE_ERROR_UNSAFE_LAYER, ".wh.", NULL };
  static Hostile bomb = { "hatake/evil-bomb:latest", 0, HATAKE_ERROR_UNSAFE_LAYER, "limit",
                          "[limits]\nmax-layer-size=64M\n" };
  static Hostile ratio = { "hatake/evil-bomb:latest", 0, HATAKE_ERROR_UNSAFE_LAYER, "ratio",
                           "[limits]\nmax-compression-ratio=100\n" };
  static Hostile digest = { "hatake/evil-digest:latest", 0, HATAKE_ERROR_DIGEST_MISMATCH, "sha256:", NULL };
  static Hostile diffid = { "hatake/evil-diffid:latest", 0, HATAKE_ERROR_DIGEST_MISMATCH, "diff ID", NULL };
  static Hostile size = { "hatake/evil-size:latest", 0, HATAKE_ERROR_DIGEST_MISMATCH, "bytes", NULL };
  static AuthCase basic_ok = { "HATAKE_TEST_REGISTRY_BASIC", "hatake/busybox:latest", "hatake", NULL, TRUE };
  static AuthCase basic_anon = { "HATAKE_TEST_REGISTRY_BASIC", "hatake/busybox:latest", NULL, NULL, FALSE };
  static AuthCase basic_wrong = { "HATAKE_TEST_REGISTRY_BASIC", "hatake/busybox:latest", "hatake", "wrong", FALSE };
  static AuthCase token_ok = { "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox:latest", "hatake", NULL, TRUE };
  static AuthCase token_anon = { "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox:latest", NULL, NULL, FALSE };
  static AuthCase token_public = { "HATAKE_TEST_REGISTRY_TOKEN", "public/busybox:latest", NULL, NULL, TRUE };
  static AuthCase token_wrong = { "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox:latest", "hatake", "wrong", FALSE };
  static AuthCase token_expired = { "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox:latest", "expired", NULL, FALSE };
  static AuthCase token_forged = { "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox:latest", "forged", NULL, FALSE };
  Hostile *all[] = { &dotdot, &symlink_, &hardlink, &whiteout, &bomb, &ratio, &digest, &diffid, &size };

  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    all[i]->domain = HATAKE_ERROR;

  g_test_add ("/pull/busybox", Fixture, NULL, fixture_set_up, test_pull_busybox, fixture_tear_down);
  g_test_add ("/pull/layered", Fixture, NULL, fixture_set_up, test_pull_layered, fixture_tear_down);
  g_test_add ("/pull/multiarch", Fixture, NULL, fixture_set_up, test_pull_multiarch, fixture_tear_down);
  g_test_add ("/pull/compressions", Fixture, NULL, fixture_set_up, test_pull_compressions, fixture_tear_down);
  g_test_add ("/pull/errors", Fixture, NULL, fixture_set_up, test_pull_errors, fixture_tear_down);
  g_test_add ("/pull/concurrent", Fixture, NULL, fixture_set_up, test_pull_concurrent_real, fixture_tear_down);
  g_test_add ("/pull/cancel", Fixture, NULL, fixture_set_up, test_pull_cancel, fixture_tear_down);
  g_test_add ("/pull/killed", Fixture, NULL, fixture_set_up, test_pull_killed, fixture_tear_down);
  g_test_add ("/pull/locked", Fixture, NULL, fixture_set_up, test_locked, fixture_tear_down);
  add_hostile ("dotdot", &dotdot);
  add_hostile ("symlink", &symlink_);
  add_hostile ("hardlink", &hardlink);
  add_hostile ("whiteout", &whiteout);
  add_hostile ("bomb-size", &bomb);
  add_hostile ("bomb-ratio", &ratio);
  add_hostile ("digest", &digest);
  add_hostile ("diff-id", &diffid);
  add_hostile ("size", &size);
  g_test_add ("/pull/auth/basic", Fixture, &basic_ok, fixture_set_up, test_pull_auth, fixture_tear_down);
  g_test_add ("/pull/auth/basic-anonymous", Fixture, &basic_anon, fixture_set_up, test_pull_auth, fixture_tear_down);
  g_test_add ("/pull/auth/basic-wrong-password", Fixture, &basic_wrong, fixture_set_up, test_pull_auth, fixture_tear_down);
  g_test_add ("/pull/auth/token", Fixture, &token_ok, fixture_set_up, test_pull_auth, fixture_tear_down);
  g_test_add ("/pull/auth/token-anonymous", Fixture, &token_anon, fixture_set_up, test_pull_auth, fixture_tear_down);
  g_test_add ("/pull/auth/token-public", Fixture, &token_public, fixture_set_up, test_pull_auth, fixture_tear_down);
  g_test_add ("/pull/auth/token-wrong-password", Fixture, &token_wrong, fixture_set_up, test_pull_auth, fixture_tear_down);
  g_test_add ("/pull/auth/token-expired", Fixture, &token_expired, fixture_set_up, test_pull_auth, fixture_tear_down);
  g_test_add ("/pull/auth/token-forged", Fixture, &token_forged, fixture_set_up, test_pull_auth, fixture_tear_down);
  return g_test_run ();
}
