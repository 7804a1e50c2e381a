/* test-registry.c: the registry client's pulls against a real registry, through a fault-injecting
 * proxy
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The anonymous registry at HATAKE_TEST_REGISTRY gets its content from this test (random blobs,
 * pushed with libsoup), so nothing depends on fixture images. Faults (503, 429, a connection
 * cut mid-body, a stalled body, a redirect to another host, a lying registry) come from the
 * proxy of hatake-test-registry.c. Pushing and logging in are in test-registry-push.c.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"
/* (libsoup linked: the test's own calls go to it directly, before any HatakeRegistry loads it) */
#define HATAKE_SOUP_NO_REDIRECT

#include <string.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-registry-private.h"
#include "hatake-test-registry.h"

/* What this run pushed to HATAKE_TEST_REGISTRY. */
static struct
{
  const char *registry;
  char       *name;            /* "hatake-test/reg-<random>" */
  GBytes     *layer;
  char       *layer_digest;
  GBytes     *manifest;
  char       *manifest_digest;
} fixture;

static gboolean
require_registry (void)
{
  if (!require_service ("HATAKE_TEST_REGISTRY"))
    return FALSE;
  if (fixture.manifest == NULL)
    {
      g_test_fail_printf ("could not push test content to %s", fixture.registry);
      return FALSE;
    }
  return TRUE;
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return -1;
  return st.st_size;
}

/* ------------------------------------------------------------------------------------------ */
/* Pushing test content (synchronous: this is the test's own setup, not the code under test)  */

static char *
push_blob (SoupSession *session,
           const char  *name,
           GBytes      *bytes)
{
  g_autofree char *url = g_strdup_printf ("http://%s/v2/%s/blobs/uploads/", fixture.registry, name);
  g_autoptr(SoupMessage) post = soup_message_new ("POST", url);
  g_autoptr(SoupMessage) put = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) base = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  g_autoptr(GUri) location = NULL;
  g_autofree char *digest = hatake_sha256_bytes (bytes);
  g_autofree char *location_str = NULL;
  g_autofree char *put_url = NULL;

  body = soup_session_send_and_read (session, post, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (post), ==, 202);
  location = g_uri_parse_relative (base, soup_message_headers_get_one (
                                     soup_message_get_response_headers (post), "Location"),
                                   SOUP_HTTP_URI_FLAGS, &error);
  g_assert_no_error (error);
  location_str = g_uri_to_string (location);
  put_url = g_strconcat (location_str, strchr (location_str, '?') ? "&" : "?", "digest=", digest,
                         NULL);
  put = soup_message_new ("PUT", put_url);
  soup_message_set_request_body_from_bytes (put, "application/octet-stream", bytes);
  g_clear_pointer (&body, g_bytes_unref);
  body = soup_session_send_and_read (session, put, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (put), ==, 201);
  return g_steal_pointer (&digest);
}

static gboolean
push_fixture (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GBytes) config = NULL;
  g_autofree char *config_digest = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) put = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  fixture.registry = g_getenv ("HATAKE_TEST_REGISTRY");
  if (fixture.registry == NULL || *fixture.registry == '\0')
    return FALSE;
  fixture.name = g_strdup_printf ("hatake-test/reg-%08x", g_random_int ());

  {
    static const char config_json[] = "{\"architecture\":\"amd64\",\"os\":\"linux\"}";
    config = g_bytes_new_static (config_json, strlen (config_json));
  }
  config_digest = push_blob (session, fixture.name, config);
  fixture.layer = random_bytes (LAYER_SIZE);
  fixture.layer_digest = push_blob (session, fixture.name, fixture.layer);
  fixture.manifest = build_manifest (config_digest, g_bytes_get_size (config),
                                     fixture.layer_digest, LAYER_SIZE);
  fixture.manifest_digest = hatake_sha256_bytes (fixture.manifest);

  url = g_strdup_printf ("http://%s/v2/%s/manifests/v1", fixture.registry, fixture.name);
  put = soup_message_new ("PUT", url);
  soup_message_set_request_body_from_bytes (put, OCI_MANIFEST, fixture.manifest);
  body = soup_session_send_and_read (session, put, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (put), ==, 201);
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Unit tests of the pieces                                                                   */

static void
test_challenge (void)
{
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *basic = NULL;

  scheme = _hatake_registry_parse_challenge (
    "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\","
    "scope=\"repository:a/b:pull,push\",error=\"insufficient_scope\"", &params);
  g_assert_cmpstr (scheme, ==, "bearer");
  g_assert_cmpstr (g_hash_table_lookup (params, "realm"), ==, "https://auth.example.com/token");
  g_assert_cmpstr (g_hash_table_lookup (params, "service"), ==, "registry.example.com");
  g_assert_cmpstr (g_hash_table_lookup (params, "scope"), ==, "repository:a/b:pull,push");
  g_clear_pointer (&params, g_hash_table_unref);

  basic = _hatake_registry_parse_challenge ("Basic Realm=\"with \\\"quotes\\\", and comma\"",
                                            &params);
  g_assert_cmpstr (basic, ==, "basic");
  g_assert_cmpstr (g_hash_table_lookup (params, "realm"), ==, "with \"quotes\", and comma");

  g_assert_null (_hatake_registry_parse_challenge (NULL, NULL));
  g_assert_null (_hatake_registry_parse_challenge ("   ", NULL));
}

static void
test_base_url (void)
{
  g_autoptr(HatakeRegistry) registry = hatake_registry_new ();
  const char *insecure[] = { "registry.lan:5000", "http://plain.example.com/", NULL };
  struct { const char *host; const char *url; } cases[] = {
    { "registry-1.docker.io", "https://registry-1.docker.io" },
    { "127.0.0.1:5000", "http://127.0.0.1:5000" },
    { "127.9.8.7", "http://127.9.8.7" },
    { "localhost:5000", "http://localhost:5000" },
    { "[::1]:5000", "http://[::1]:5000" },
    { "registry.lan:5000", "http://registry.lan:5000" },
    { "registry.lan:5001", "https://registry.lan:5001" },
    { "plain.example.com", "http://plain.example.com" },
    { "128.0.0.1", "https://128.0.0.1" },
    { "localhost.example.com", "https://localhost.example.com" },
  };

  hatake_registry_set_insecure_registries (registry, insecure);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = _hatake_registry_base_url (registry, cases[i].host);
      g_assert_cmpstr (url, ==, cases[i].url);
    }
  g_assert_finalize_object (g_steal_pointer (&registry));
}

static void
test_backoff (void)
{
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, NULL), ==, 500);
  g_assert_cmpuint (_hatake_registry_backoff_ms (1, NULL), ==, 1000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (2, NULL), ==, 2000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (20, NULL), ==, 30000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, "3"), ==, 3000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, " 0 "), ==, 0);
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, "86400"), ==, 30000);
  g_assert_cmpuint (_hatake_registry_backoff_ms (0, "Wed, 21 Oct 2015 07:28:00 GMT"), ==, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Manifests                                                                                  */

static void
test_manifest_by_tag (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *media_type = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_registry ())
    return;
  ref = make_ref (fixture.registry, fixture.name, "v1");
  bytes = fetch_manifest (f->registry, ref, &media_type, &digest, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, fixture.manifest));
  g_assert_cmpstr (media_type, ==, OCI_MANIFEST);
  g_assert_cmpstr (digest, ==, fixture.manifest_digest);
}

static void
test_manifest_by_digest (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_registry ())
    return;
  ref = make_ref (fixture.registry, fixture.name, fixture.manifest_digest);
  bytes = fetch_manifest (f->registry, ref, NULL, &digest, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, fixture.manifest));
  g_assert_cmpstr (digest, ==, fixture.manifest_digest);
}

/* The registry answers a digest with bytes that hash to something else. */
static void
test_manifest_wrong_digest (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wrong = random_digest ();

  if (!require_registry ())
    return;
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->rewrite_from = g_strdup (wrong);
  proxy->rewrite_to = g_strdup (fixture.manifest_digest);
  ref = make_ref (proxy->address, fixture.name, wrong);
  bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_null (bytes);
}

/* By tag, the bytes must match the registry's Docker-Content-Digest. */
static void
test_manifest_wrong_header_digest (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_registry ())
    return;
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->fake_digest = random_digest ();
  ref = make_ref (proxy->address, fixture.name, "v1");
  bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_null (bytes);
}

static void
test_manifest_not_found (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(HatakeReference) repo = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  if (!require_registry ())
    return;
  ref = make_ref (fixture.registry, fixture.name, "no-such-tag");
  bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  expected = g_strdup_printf ("%s/%s:no-such-tag", fixture.registry, fixture.name);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_null (bytes);
  g_clear_error (&error);

  repo = make_ref (fixture.registry, "hatake-test/no-such-repository", "latest");
  bytes = fetch_manifest (f->registry, repo, NULL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "hatake-test/no-such-repository:latest"));
}

static void
test_manifest_too_big (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;

  if (!require_registry ())
    return;
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->big_manifest = HATAKE_MAX_MANIFEST_SIZE + 1;
  ref = make_ref (proxy->address, fixture.name, "v1");

  /* Refused by its Content-Length, then (chunked) by what arrives. */
  for (int chunked = 0; chunked <= 1; chunked++)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      proxy->big_chunked = chunked;
      bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST);
      g_assert_null (bytes);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Blobs                                                                                      */

static void
test_blob_download (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  ref = make_ref (fixture.registry, fixture.name, "v1");
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, &progress, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
  g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (progress.calls, >=, 1);
  g_assert_cmpint (progress.last, ==, LAYER_SIZE);
  g_assert_cmpint (progress.total, ==, LAYER_SIZE);

  /* An unknown size (-1) is fine too. */
  g_unlink (paths.final);
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, -1, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
}

static void
test_blob_not_found (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = random_digest ();

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  ref = make_ref (fixture.registry, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, missing, 10, paths.partial, paths.final, NULL,
                              NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
}

/* The bytes served do not hash to the digest asked for: nothing is kept. */
static void
test_blob_wrong_digest (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wrong = random_digest ();

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->rewrite_from = g_strdup (wrong);
  proxy->rewrite_to = g_strdup (fixture.layer_digest);
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, wrong, LAYER_SIZE, paths.partial, paths.final,
                              NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
}

static void
test_blob_wrong_size (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(HatakeReference) ref = NULL;
  gint64 sizes[] = { LAYER_SIZE + 1, LAYER_SIZE - 1, 0 };

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  ref = make_ref (fixture.registry, fixture.name, "v1");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, sizes[i], paths.partial,
                                  paths.final, NULL, NULL, &error));
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
      g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
    }
}

static void
write_prefix (const char *path,
              const void *data,
              gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);
}

/* A partial file from an earlier attempt is continued with Range, not downloaded again. */
static void
test_blob_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blob_requests = NULL;
  g_autofree char *range = g_strdup_printf ("Range: bytes=%d-", LAYER_SIZE / 2);
  Progress progress = { 0 };

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  write_prefix (paths.partial, g_bytes_get_data (fixture.layer, NULL), LAYER_SIZE / 2);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, &progress, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
  g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
  g_assert_cmpint (progress.first, ==, LAYER_SIZE / 2);
  g_assert_cmpint (progress.last, ==, LAYER_SIZE);

  blob_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (blob_requests->len, ==, 1);
  g_assert_true (head_has_header (blob_requests->pdata[0], range));
}

/* A registry that ignores Range (200 instead of 206): start over, still correct. */
static void
test_blob_resume_ignored (Fixture       *f,
                          gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  write_prefix (paths.partial, g_bytes_get_data (fixture.layer, NULL), LAYER_SIZE / 3);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->strip_range = TRUE;
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
}

/* A corrupt prefix fails verification and is deleted, so the next attempt starts clean. */
static void
test_blob_resume_corrupt (Fixture       *f,
                          gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) garbage = random_bytes (LAYER_SIZE / 2);

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  write_prefix (paths.partial, g_bytes_get_data (garbage, NULL), g_bytes_get_size (garbage));
  ref = make_ref (fixture.registry, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                              paths.final, NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_DIGEST_MISMATCH);
  g_assert_false (g_file_test (paths.partial, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
}

/* The connection drops mid-body: the client continues from where it got. */
static void
test_blob_drop (Fixture       *f,
                gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blob_requests = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->cut_after = 1024 * 1024 + 17;
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);

  blob_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (blob_requests->len, ==, 2);
  g_assert_false (head_has_header (blob_requests->pdata[0], "Range:"));
  g_assert_true (head_has_header (blob_requests->pdata[1], "Range: bytes=1048593-"));
}

static void
check_retry_status (Fixture *f,
                    guint    status)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blob_requests = NULL;
  gint64 start;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->fail_status = status;
  proxy->fail_count = 1;
  ref = make_ref (proxy->address, fixture.name, "v1");

  start = g_get_monotonic_time ();
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Retry-After: 1 was honoured (the default first backoff is 0.5 s). */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * G_TIME_SPAN_MILLISECOND);
  assert_file_equals (paths.final, fixture.layer);
  blob_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (blob_requests->len, ==, 2);
}

static void
test_blob_retry_503 (Fixture       *f,
                     gconstpointer  data)
{
  check_retry_status (f, 503);
}

static void
test_blob_retry_429 (Fixture       *f,
                     gconstpointer  data)
{
  check_retry_status (f, 429);
}

/* When every attempt fails, the error says so (and the retries are bounded). */
static void
test_blob_retry_exhausted (Fixture       *f,
                           gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blob_requests = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->fail_status = 503;
  proxy->fail_count = 100;
  g_free (proxy->retry_after);
  proxy->retry_after = g_strdup ("0");
  hatake_registry_set_max_retries (f->registry, 2);
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                              paths.final, NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY);
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
  blob_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (blob_requests->len, ==, 3);
}

/* The registry redirects blobs to storage on another host: credentials stay behind. */
static void
test_blob_redirect (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(Proxy) storage = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) registry_requests = NULL;
  g_autoptr(GPtrArray) storage_requests = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  storage = proxy_new ("127.0.0.2", fixture.registry);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->require_basic = TRUE;
  proxy->redirect_blobs = g_strdup_printf ("http://%s", storage->address);
  hatake_registry_set_credentials (f->registry, proxy->address, "hatake", "hatake-secret");
  ref = make_ref (proxy->address, fixture.name, "v1");

  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);

  registry_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (registry_requests->len, ==, 2);  /* anonymous → 401, then Basic → 307 */
  g_assert_false (head_has_header (registry_requests->pdata[0], "Authorization:"));
  g_assert_true (head_has_header (registry_requests->pdata[1], "Authorization: Basic "));
  storage_requests = proxy_requests_matching (storage, "/blobs/");
  g_assert_cmpuint (storage_requests->len, ==, 1);
  g_assert_false (head_has_header (storage_requests->pdata[0], "Authorization:"));
}

/* A redirect to a URL with no host ("http:/v2/…") is refused with its URL, not sent. */
static void
test_blob_redirect_no_host (Fixture       *f,
                            gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->redirect_blobs = g_strdup ("http:");
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                              paths.final, NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY);
  g_assert_nonnull (strstr (error->message, "unsupported URL: http:/v2/"));
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
}

/* A 206 that does not start where the download does (from its start: nothing to resume) is
 * an error naming it, not a request asked again and again. */
static void
test_blob_bogus_partial (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blob_requests = NULL;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->bogus_partial = TRUE;
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                              paths.final, NULL, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_REGISTRY);
  g_assert_nonnull (strstr (error->message, "(206)"));
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
  blob_requests = proxy_requests_matching (proxy, "/blobs/");
  g_assert_cmpuint (blob_requests->len, ==, 1);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Cancelled mid-download: CANCELLED, and the partial file stays for the next pull to resume. */
static void
test_blob_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(Paths) paths = { 0 };
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 stall = 1024 * 1024;
  gint64 kept;

  if (!require_registry ())
    return;
  paths_init (&paths, f);
  proxy = proxy_new ("127.0.0.1", fixture.registry);
  proxy->stall_after = stall;
  ref = make_ref (proxy->address, fixture.name, "v1");
  g_timeout_add (500, cancel_cb, cancellable);
  g_assert_false (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                              paths.final, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (paths.final, G_FILE_TEST_EXISTS));
  kept = file_size (paths.partial);
  g_assert_cmpint (kept, >, 0);
  g_assert_cmpint (kept, <=, stall);

  /* The next attempt resumes from there. */
  proxy->stall_after = -1;
  g_clear_error (&error);
  g_assert_true (fetch_blob (f->registry, ref, fixture.layer_digest, LAYER_SIZE, paths.partial,
                             paths.final, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file_equals (paths.final, fixture.layer);
}

/* ------------------------------------------------------------------------------------------ */
/* Authentication, against the registries build-aux/test-services.sh starts                   */

static void
check_auth (Fixture    *f,
            const char *variable,
            const char *name,
            const char *user,
            const char *password,
            gboolean    expect_ok)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_service (variable))
    return;
  if (user != NULL)
    hatake_registry_set_credentials (f->registry, g_getenv (variable), user, password);
  bytes = fetch_busybox (f, variable, name, &error);
  if (expect_ok)
    {
      g_assert_no_error (error);
      g_assert_nonnull (bytes);
    }
  else
    {
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, name));
    }
}

static void
test_auth_basic (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_BASIC", "hatake/busybox",
              test_user (), test_password (), TRUE);
}

static void
test_auth_basic_wrong (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_BASIC", "hatake/busybox", test_user (), "wrong", FALSE);
}

static void
test_auth_basic_anonymous (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_BASIC", "hatake/busybox", NULL, NULL, FALSE);
}

static void
test_auth_token (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox",
              test_user (), test_password (), TRUE);
}

static void
test_auth_token_wrong (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox", test_user (), "wrong", FALSE);
}

static void
test_auth_token_anonymous (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "hatake/busybox", NULL, NULL, FALSE);
}

static void
test_auth_token_public (Fixture *f, gconstpointer data)
{
  check_auth (f, "HATAKE_TEST_REGISTRY_TOKEN", "public/busybox", NULL, NULL, TRUE);
}

/* A token is fetched once per repository and reused (for blobs too) until it expires. */
static void
test_auth_token_cached (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GPtrArray) requests = NULL;

  if (!require_service ("HATAKE_TEST_REGISTRY_TOKEN"))
    return;
  proxy = proxy_new ("127.0.0.1", g_getenv ("HATAKE_TEST_REGISTRY_TOKEN"));
  hatake_registry_set_credentials (f->registry, proxy->address, test_user (), test_password ());
  ref = make_ref (proxy->address, "hatake/busybox", "latest");
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      bytes = fetch_manifest (f->registry, ref, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (bytes);
    }
  requests = proxy_requests_matching (proxy, "/manifests/");
  g_assert_cmpuint (requests->len, ==, 3);  /* anonymous → 401, then the token twice */
  g_assert_false (head_has_header (requests->pdata[0], "Authorization:"));
  g_assert_true (head_has_header (requests->pdata[1], "Authorization: Bearer "));
  g_assert_true (head_has_header (requests->pdata[2], "Authorization: Bearer "));
}

/* Credentials from a docker config.json, in each of the forms docker writes. */
static void
test_auth_config_file (Fixture       *f,
                       gconstpointer  data)
{
  const char *variables[] = { "HATAKE_TEST_REGISTRY_BASIC", "HATAKE_TEST_REGISTRY_TOKEN" };

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      const char *host;
      g_autofree char *pair = NULL;
      g_autofree char *auth = NULL;
      const char *prefixes[] = { "", "https://", "http://" };
      const char *suffixes[] = { "", "", "/v1/" };

      if (!require_service (variables[i]))
        return;
      host = g_getenv (variables[i]);
      pair = g_strconcat (test_user (), ":", test_password (), NULL);
      auth = g_base64_encode ((const guchar *) pair, strlen (pair));

      for (guint j = 0; j < G_N_ELEMENTS (prefixes) + 1; j++)
        {
          g_autoptr(HatakeRegistry) registry = hatake_registry_new ();
          g_autofree char *key = NULL;
          g_autofree char *json = NULL;
          g_autofree char *path = g_build_filename (f->dir, "config.json", NULL);
          g_autoptr(HatakeReference) ref = make_ref (host, "hatake/busybox", "latest");
          g_autoptr(GBytes) bytes = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(GAsyncResult) result = NULL;

          if (j < G_N_ELEMENTS (prefixes))
            key = g_strconcat (prefixes[j], host, suffixes[j], NULL);
          if (key != NULL)
            json = g_strdup_printf ("{\"auths\":{\"other.example.com\":{\"auth\":\"eDp5\"},"
                                    "\"%s\":{\"auth\":\"%s\"}}}", key, auth);
          else
            json = g_strdup_printf ("{\"auths\":{\"%s\":"
                                    "{\"username\":\"%s\",\"password\":\"%s\"}}}",
                                    host, test_user (), test_password ());
          write_prefix (path, json, strlen (json));
          hatake_registry_set_auth_file (registry, path);
          hatake_registry_get_manifest_async (registry, ref, NULL, store_result_cb, &result);
          bytes = hatake_registry_get_manifest_finish (registry, wait_for (&result), NULL, NULL,
                                                       &error);
          g_assert_no_error (error);
          g_assert_nonnull (bytes);
          g_clear_object (&result);
          g_assert_finalize_object (g_steal_pointer (&registry));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  push_fixture ();

  g_test_add_func ("/registry/challenge", test_challenge);
  g_test_add_func ("/registry/base-url", test_base_url);
  g_test_add_func ("/registry/backoff", test_backoff);

#define ADD(path, func) \
  g_test_add ("/registry/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("manifest/by-tag", test_manifest_by_tag);
  ADD ("manifest/by-digest", test_manifest_by_digest);
  ADD ("manifest/wrong-digest", test_manifest_wrong_digest);
  ADD ("manifest/wrong-header-digest", test_manifest_wrong_header_digest);
  ADD ("manifest/not-found", test_manifest_not_found);
  ADD ("manifest/too-big", test_manifest_too_big);
  ADD ("blob/download", test_blob_download);
  ADD ("blob/not-found", test_blob_not_found);
  ADD ("blob/wrong-digest", test_blob_wrong_digest);
  ADD ("blob/wrong-size", test_blob_wrong_size);
  ADD ("blob/resume", test_blob_resume);
  ADD ("blob/resume-ignored", test_blob_resume_ignored);
  ADD ("blob/resume-corrupt", test_blob_resume_corrupt);
  ADD ("blob/drop", test_blob_drop);
  ADD ("blob/retry-503", test_blob_retry_503);
  ADD ("blob/retry-429", test_blob_retry_429);
  ADD ("blob/retry-exhausted", test_blob_retry_exhausted);
  ADD ("blob/redirect", test_blob_redirect);
  ADD ("blob/redirect-no-host", test_blob_redirect_no_host);
  ADD ("blob/bogus-partial", test_blob_bogus_partial);
  ADD ("blob/cancel", test_blob_cancel);
  ADD ("auth/basic", test_auth_basic);
  ADD ("auth/basic-wrong", test_auth_basic_wrong);
  ADD ("auth/basic-anonymous", test_auth_basic_anonymous);
  ADD ("auth/token", test_auth_token);
  ADD ("auth/token-wrong", test_auth_token_wrong);
  ADD ("auth/token-anonymous", test_auth_token_anonymous);
  ADD ("auth/token-public", test_auth_token_public);
  ADD ("auth/token-cached", test_auth_token_cached);
  ADD ("auth/config-file", test_auth_config_file);
#undef ADD

  /* (the parsers are tested without a HatakeRegistry, which is what loads libsoup for them) */
  hatake_soup_ensure ();
  status = g_test_run ();
  g_clear_pointer (&fixture.name, g_free);
  g_clear_pointer (&fixture.layer, g_bytes_unref);
  g_clear_pointer (&fixture.layer_digest, g_free);
  g_clear_pointer (&fixture.manifest, g_bytes_unref);
  g_clear_pointer (&fixture.manifest_digest, g_free);
  return status;
}
