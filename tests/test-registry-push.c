/* test-registry-push.c: docker push and docker login through the registry client, against the
 * registries build-aux/test-services.sh starts (and a fault-injecting proxy)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test pushes an image built here (a config and one gzip layer of random bytes, so every run
 * sends new blobs) and reads it back with the pull code.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <string.h>
#include <archive.h>
#include <archive_entry.h>

#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-test-registry.h"

/* HATAKE_TEST_REGISTRY: it asks for no credentials. */
static const char *anonymous_registry;

/* A small image made here: a config and one gzip layer, with an OCI manifest. */
typedef struct
{
  GBytes *config;
  char   *config_digest;
  char   *config_path;
  GBytes *layer;
  char   *layer_digest;
  char   *layer_path;
  GBytes *manifest;
  char   *manifest_digest;
} TestImage;

static void
test_image_clear (TestImage *image)
{
  g_clear_pointer (&image->config, g_bytes_unref);
  g_free (image->config_digest);
  g_free (image->config_path);
  g_clear_pointer (&image->layer, g_bytes_unref);
  g_free (image->layer_digest);
  g_free (image->layer_path);
  g_clear_pointer (&image->manifest, g_bytes_unref);
  g_free (image->manifest_digest);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TestImage, test_image_clear)

static void
write_bytes (const char *path,
             GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

/* A tar of one file of random bytes (so that every run pushes new blobs), gzipped. */
static GBytes *
make_layer (char **out_diff_id)
{
  g_autoptr(GBytes) content = random_bytes (512 * 1024 + 7);
  gsize capacity = g_bytes_get_size (content) + 64 * 1024;
  g_autofree char *tar = g_malloc (capacity);
  size_t used = 0;
  struct archive *writer = archive_write_new ();
  struct archive_entry *entry = archive_entry_new ();
  g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (gzip));
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (archive_write_set_format_pax_restricted (writer), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_memory (writer, tar, capacity, &used), ==, ARCHIVE_OK);
  archive_entry_set_pathname (entry, "hatake-test.bin");
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, g_bytes_get_size (content));
  g_assert_cmpint (archive_write_header (writer, entry), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (writer, g_bytes_get_data (content, NULL),
                                       g_bytes_get_size (content)),
                   ==, g_bytes_get_size (content));
  g_assert_cmpint (archive_write_close (writer), ==, ARCHIVE_OK);
  archive_write_free (writer);
  archive_entry_free (entry);

  *out_diff_id = hatake_sha256_data (tar, used);
  g_output_stream_write_all (out, tar, used, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static void
test_image_init (TestImage *image,
                 Fixture   *f)
{
  g_autofree char *diff_id = NULL;
  g_autofree char *config = NULL;

  image->layer = make_layer (&diff_id);
  image->layer_digest = hatake_sha256_bytes (image->layer);
  config = g_strdup_printf ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
                            "{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", diff_id);
  image->config = g_bytes_new (config, strlen (config));
  image->config_digest = hatake_sha256_bytes (image->config);
  image->manifest = build_manifest (image->config_digest, g_bytes_get_size (image->config),
                                    image->layer_digest, g_bytes_get_size (image->layer));
  image->manifest_digest = hatake_sha256_bytes (image->manifest);
  image->config_path = g_build_filename (f->dir, "config.json", NULL);
  image->layer_path = g_build_filename (f->dir, "layer.tar.gz", NULL);
  write_bytes (image->config_path, image->config);
  write_bytes (image->layer_path, image->layer);
}

static gboolean
put_blob (HatakeRegistry        *registry,
          const HatakeReference *ref,
          const char            *digest,
          const char            *path,
          Progress              *progress,
          gboolean              *out_exists,
          GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_registry_put_blob_async (registry, ref, digest, -1, path,
                                  progress ? progress_cb : NULL, progress, NULL,
                                  store_result_cb, &result);
  return hatake_registry_put_blob_finish (registry, wait_for (&result), out_exists, error);
}

static char *
put_manifest (HatakeRegistry        *registry,
              const HatakeReference *ref,
              GBytes                *manifest,
              GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_registry_put_manifest_async (registry, ref, OCI_MANIFEST, manifest, NULL,
                                      store_result_cb, &result);
  return hatake_registry_put_manifest_finish (registry, wait_for (&result), error);
}

/* Pushes the image as DOMAIN/NAME:v1: the blobs, then the manifest. */
static gboolean
push_image (Fixture    *f,
            TestImage  *image,
            const char *domain,
            const char *name,
            GError    **error)
{
  g_autoptr(HatakeReference) ref = make_ref (domain, name, "v1");
  g_autofree char *digest = NULL;
  Progress progress = { 0 };
  gboolean exists = TRUE;

  if (!put_blob (f->registry, ref, image->config_digest, image->config_path, NULL, &exists,
                 error))
    return FALSE;
  g_assert_false (exists);
  if (!put_blob (f->registry, ref, image->layer_digest, image->layer_path, &progress, &exists,
                 error))
    return FALSE;
  g_assert_false (exists);
  g_assert_cmpint (progress.last, ==, g_bytes_get_size (image->layer));
  g_assert_cmpint (progress.total, ==, g_bytes_get_size (image->layer));
  digest = put_manifest (f->registry, ref, image->manifest, error);
  if (digest == NULL)
    return FALSE;
  g_assert_cmpstr (digest, ==, image->manifest_digest);
  return TRUE;
}

/* Reads DOMAIN/NAME:v1 back with the pull code: the same bytes, the same digests. */
static void
assert_image_pulled (Fixture    *f,
                     TestImage  *image,
                     const char *domain,
                     const char *name)
{
  g_autoptr(HatakeReference) ref = make_ref (domain, name, "v1");
  g_autoptr(GBytes) manifest = NULL;
  g_autofree char *media_type = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Paths) paths = { 0 };

  manifest = fetch_manifest (f->registry, ref, &media_type, &digest, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (manifest, image->manifest));
  g_assert_cmpstr (media_type, ==, OCI_MANIFEST);
  g_assert_cmpstr (digest, ==, image->manifest_digest);

  paths_init (&paths, f);
  g_assert_true (fetch_blob (f->registry, ref, image->layer_digest,
                             g_bytes_get_size (image->layer), paths.partial, paths.final, NULL,
                             NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, image->layer);
  g_assert_true (fetch_blob (f->registry, ref, image->config_digest,
                             g_bytes_get_size (image->config), paths.partial, paths.final, NULL,
                             NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, image->config);
}

static char *
random_name (const char *prefix)
{
  return g_strdup_printf ("%s-%08x", prefix, g_random_int ());
}

static void
test_push_image (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(TestImage) image = { 0 };
  g_autofree char *name = random_name ("hatake-test/push");
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(HatakeReference) by_digest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  gboolean exists = FALSE;

  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return;
  test_image_init (&image, f);
  g_assert_true (push_image (f, &image, anonymous_registry, name, &error));
  g_assert_no_error (error);
  assert_image_pulled (f, &image, anonymous_registry, name);

  /* Once there, a blob is not sent again. */
  ref = make_ref (anonymous_registry, name, "v1");
  g_assert_true (put_blob (f->registry, ref, image.layer_digest, image.layer_path, NULL, &exists,
                           &error));
  g_assert_no_error (error);
  g_assert_true (exists);

  /* By digest too; a manifest that does not hash to the digest named is not sent. */
  by_digest = make_ref (anonymous_registry, name, image.manifest_digest);
  digest = put_manifest (f->registry, by_digest, image.manifest, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (digest, ==, image.manifest_digest);
  g_clear_pointer (&by_digest, hatake_reference_free);
  g_clear_pointer (&digest, g_free);
  by_digest = make_ref (anonymous_registry, name, image.config_digest);
  digest = put_manifest (f->registry, by_digest, image.manifest, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_null (digest);
}

/* The registry hashes what it receives: bytes under another digest are refused, in its words. */
static void
test_push_wrong_digest (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(TestImage) image = { 0 };
  g_autofree char *name = random_name ("hatake-test/push");
  g_autofree char *wrong = random_digest ();
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_auto(Paths) paths = { 0 };

  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return;
  test_image_init (&image, f);
  ref = make_ref (anonymous_registry, name, "v1");
  g_assert_false (put_blob (f->registry, ref, wrong, image.layer_path, NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "digest invalid"));
  g_assert_nonnull (strstr (error->message, wrong));
  g_clear_error (&error);

  paths_init (&paths, f);
  g_assert_false (fetch_blob (f->registry, ref, wrong, -1, paths.partial, paths.final, NULL,
                              NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A manifest whose blobs are not there is refused too. */
  digest = put_manifest (f->registry, ref, image.manifest, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "blob unknown"));
  g_assert_null (digest);
}

/* A 503 to the PUT starts the upload over (a new POST), and a relative Location works. */
static void
test_push_restart (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(TestImage) image = { 0 };
  g_autofree char *name = random_name ("hatake-test/push");
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GPtrArray) puts = NULL;

  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return;
  test_image_init (&image, f);
  proxy = proxy_new ("127.0.0.1", anonymous_registry);
  proxy->fail_status = 503;
  proxy->fail_count = 1;
  proxy->fail_method = g_strdup ("PUT");
  proxy->relative_location = TRUE;
  g_assert_true (push_image (f, &image, proxy->address, name, &error));
  g_assert_no_error (error);
  assert_image_pulled (f, &image, anonymous_registry, name);

  posts = proxy_requests_matching (proxy, "POST /v2/");
  puts = proxy_requests_matching (proxy, "PUT /v2/");
  g_assert_cmpuint (posts->len, ==, 3);  /* the config, the layer twice */
  g_assert_cmpuint (puts->len, ==, 4);   /* and the manifest */
  g_assert_true (strstr (puts->pdata[0], "digest=sha256%3A") != NULL);
}

static void
check_push_auth (Fixture    *f,
                 const char *variable,
                 const char *password,
                 gboolean    expect_ok)
{
  g_auto(TestImage) image = { 0 };
  g_autofree char *name = random_name ("hatake/push");
  g_autoptr(GError) error = NULL;
  const char *host;

  if (!require_service (variable))
    return;
  host = g_getenv (variable);
  test_image_init (&image, f);
  hatake_registry_set_credentials (f->registry, host, test_user (), password);
  if (expect_ok)
    {
      g_assert_true (push_image (f, &image, host, name, &error));
      g_assert_no_error (error);
      assert_image_pulled (f, &image, host, name);
    }
  else
    {
      g_assert_false (push_image (f, &image, host, name, &error));
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, name));
    }
}

static void
test_push_basic (Fixture *f, gconstpointer data)
{
  check_push_auth (f, "HATAKE_TEST_REGISTRY_BASIC", test_password (), TRUE);
}

static void
test_push_basic_wrong (Fixture *f, gconstpointer data)
{
  check_push_auth (f, "HATAKE_TEST_REGISTRY_BASIC", "wrong", FALSE);
}

static void
test_push_token (Fixture *f, gconstpointer data)
{
  check_push_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", test_password (), TRUE);
}

static void
test_push_token_wrong (Fixture *f, gconstpointer data)
{
  check_push_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "wrong", FALSE);
}

static gboolean
check_login (HatakeRegistry  *registry,
             const char      *host,
             const char      *password,
             GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_registry_check_login_async (registry, host, test_user (), password, NULL,
                                     store_result_cb, &result);
  return hatake_registry_check_login_finish (registry, wait_for (&result), error);
}

/* Right and wrong passwords; the credentials stored in the object are neither used nor
 * changed (nor tokens cached), so a pull after a good check is still anonymous. */
static void
check_login_auth (Fixture    *f,
                  const char *variable)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *host;

  if (!require_service (variable))
    return;
  host = g_getenv (variable);
  g_assert_true (check_login (f->registry, host, test_password (), &error));
  g_assert_no_error (error);
  bytes = fetch_busybox (f, variable, "hatake/busybox", &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  hatake_registry_set_credentials (f->registry, host, test_user (), test_password ());
  g_assert_false (check_login (f->registry, host, "wrong", &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "incorrect username or password"));
  g_assert_nonnull (strstr (error->message, host));
  g_clear_error (&error);
  bytes = fetch_busybox (f, variable, "hatake/busybox", &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
}

static void
test_login_basic (Fixture *f, gconstpointer data)
{
  check_login_auth (f, "HATAKE_TEST_REGISTRY_BASIC");
}

static void
test_login_token (Fixture *f, gconstpointer data)
{
  check_login_auth (f, "HATAKE_TEST_REGISTRY_TOKEN");
}

/* A registry that asks for no credentials accepts any, as docker login says. */
static void
test_login_anonymous (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return;
  g_assert_true (check_login (f->registry, anonymous_registry, "anything", &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("http://%s/", anonymous_registry);
  g_assert_true (check_login (f->registry, url, "anything", &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  anonymous_registry = g_getenv ("HATAKE_TEST_REGISTRY");

#define ADD(path, func) \
  g_test_add ("/registry/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("push/image", test_push_image);
  ADD ("push/wrong-digest", test_push_wrong_digest);
  ADD ("push/restart", test_push_restart);
  ADD ("push/basic", test_push_basic);
  ADD ("push/basic-wrong", test_push_basic_wrong);
  ADD ("push/token", test_push_token);
  ADD ("push/token-wrong", test_push_token_wrong);
  ADD ("login/anonymous", test_login_anonymous);
  ADD ("login/basic", test_login_basic);
  ADD ("login/token", test_login_token);
#undef ADD

  return g_test_run ();
}
