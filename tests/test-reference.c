/* test-reference.c: image references, normalized as docker does
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "hatake-error.h"
#include "hatake-reference.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIGEST "sha256:" HEX64

typedef struct
{
  const char *text;
  const char *domain;
  const char *path;
  const char *tag;          /* NULL: no tag */
  const char *digest;       /* NULL: no digest */
  const char *to_string;
  const char *familiar;
  const char *with_tag;     /* NULL when the reference has no tag */
  const char *registry_host;
} Normalized;

static const Normalized normalized[] = {
  { "busybox", "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest", "busybox", "busybox:latest", "registry-1.docker.io" },
  { "user/app:1.0", "docker.io", "user/app", "1.0", NULL,
    "docker.io/user/app:1.0", "user/app", "user/app:1.0", "registry-1.docker.io" },
  { "docker.io/busybox", "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest", "busybox", "busybox:latest", "registry-1.docker.io" },
  { "docker.io/library/busybox:1.36", "docker.io", "library/busybox", "1.36", NULL,
    "docker.io/library/busybox:1.36", "busybox", "busybox:1.36", "registry-1.docker.io" },
  { "index.docker.io/library/busybox", "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest", "busybox", "busybox:latest", "registry-1.docker.io" },
  { "index.docker.io/busybox", "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest", "busybox", "busybox:latest", "registry-1.docker.io" },
  { "registry-1.docker.io/x/y", "docker.io", "x/y", "latest", NULL,
    "docker.io/x/y:latest", "x/y", "x/y:latest", "registry-1.docker.io" },
  /* "library/" only disappears from the familiar name when exactly one component follows */
  { "library/a/b", "docker.io", "library/a/b", "latest", NULL,
    "docker.io/library/a/b:latest", "library/a/b", "library/a/b:latest", "registry-1.docker.io" },
  { "localhost/app", "localhost", "app", "latest", NULL,
    "localhost/app:latest", "localhost/app", "localhost/app:latest", "localhost" },
  { "localhost:5000/app:tag", "localhost:5000", "app", "tag", NULL,
    "localhost:5000/app:tag", "localhost:5000/app", "localhost:5000/app:tag", "localhost:5000" },
  { "127.0.0.1:5000/a/b/c@" DIGEST, "127.0.0.1:5000", "a/b/c", NULL, DIGEST,
    "127.0.0.1:5000/a/b/c@" DIGEST, "127.0.0.1:5000/a/b/c", NULL, "127.0.0.1:5000" },
  { "host.example.com/app:v1@" DIGEST, "host.example.com", "app", "v1", DIGEST,
    "host.example.com/app:v1@" DIGEST, "host.example.com/app", "host.example.com/app:v1",
    "host.example.com" },
  { "[::1]:5000/app", "[::1]:5000", "app", "latest", NULL,
    "[::1]:5000/app:latest", "[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000" },
  /* a single component without '.', ':' or "localhost" is a path, not a host */
  { "myhost/app", "docker.io", "myhost/app", "latest", NULL,
    "docker.io/myhost/app:latest", "myhost/app", "myhost/app:latest", "registry-1.docker.io" },
  /* separators inside components, and a tag that starts with '_' and holds capitals */
  { "x/a.b_c__d-e--f:_Tag.1-2", "docker.io", "x/a.b_c__d-e--f", "_Tag.1-2", NULL,
    "docker.io/x/a.b_c__d-e--f:_Tag.1-2", "x/a.b_c__d-e--f", "x/a.b_c__d-e--f:_Tag.1-2",
    "registry-1.docker.io" },
  { "busybox@" DIGEST, "docker.io", "library/busybox", NULL, DIGEST,
    "docker.io/library/busybox@" DIGEST, "busybox", NULL, "registry-1.docker.io" },
};

static void
test_normalization (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (normalized); i++)
    {
      const Normalized *n = &normalized[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeReference) ref = NULL;
      g_autoptr(HatakeReference) copy = NULL;
      g_autofree char *to_string = NULL;
      g_autofree char *familiar = NULL;
      g_autofree char *with_tag = NULL;
      g_autofree char *repository = NULL;
      g_autofree char *expected_repository = NULL;

      g_test_message ("parsing “%s”", n->text);
      ref = hatake_reference_parse (n->text, &error);
      g_assert_no_error (error);
      g_assert_nonnull (ref);
      g_assert_cmpstr (ref->domain, ==, n->domain);
      g_assert_cmpstr (ref->path, ==, n->path);
      g_assert_cmpstr (ref->tag, ==, n->tag);
      g_assert_cmpstr (ref->digest, ==, n->digest);

      to_string = hatake_reference_to_string (ref);
      g_assert_cmpstr (to_string, ==, n->to_string);
      familiar = hatake_reference_familiar_name (ref);
      g_assert_cmpstr (familiar, ==, n->familiar);
      with_tag = hatake_reference_with_tag (ref);
      g_assert_cmpstr (with_tag, ==, n->with_tag);
      g_assert_cmpstr (hatake_reference_registry_host (ref), ==, n->registry_host);
      repository = hatake_reference_repository (ref);
      expected_repository = g_strconcat (n->domain, "/", n->path, NULL);
      g_assert_cmpstr (repository, ==, expected_repository);

      /* the fully qualified form parses back to the same reference */
      {
        g_autoptr(HatakeReference) again = hatake_reference_parse (to_string, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (again->domain, ==, ref->domain);
        g_assert_cmpstr (again->path, ==, ref->path);
        g_assert_cmpstr (again->tag, ==, ref->tag);
        g_assert_cmpstr (again->digest, ==, ref->digest);
      }

      copy = hatake_reference_copy (ref);
      g_assert_true (copy != ref);
      g_assert_true (copy->domain != ref->domain);
      g_assert_cmpstr (copy->domain, ==, ref->domain);
      g_assert_cmpstr (copy->path, ==, ref->path);
      g_assert_cmpstr (copy->tag, ==, ref->tag);
      g_assert_cmpstr (copy->digest, ==, ref->digest);
    }
}

static void
test_boxed_type (void)
{
  g_autoptr(HatakeReference) ref = hatake_reference_parse ("user/app:2", NULL);
  HatakeReference *copy;

  g_assert_true (G_TYPE_IS_BOXED (HATAKE_TYPE_REFERENCE));
  copy = g_boxed_copy (HATAKE_TYPE_REFERENCE, ref);
  g_assert_cmpstr (copy->path, ==, "user/app");
  g_assert_cmpstr (copy->tag, ==, "2");
  g_boxed_free (HATAKE_TYPE_REFERENCE, copy);
}

static void
assert_invalid (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeReference) ref = NULL;

  g_test_message ("expecting “%.40s%s” to be rejected", text, strlen (text) > 40 ? "…" : "");
  ref = hatake_reference_parse (text, &error);
  g_assert_null (ref);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
}

static void
test_malformed (void)
{
  static const char * const bad[] = {
    "",
    "UPPER/case",
    "Busybox",
    "a//b",
    "app/",
    "/app",
    "app:",
    "app:-bad",
    "app:.bad",
    "app:a/b",
    "app@sha256:0123",
    "app@sha256:" HEX64 "00",
    "app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
    "app@md5:0123456789abcdef0123456789abcdef",
    "app@",
    "-app",
    "app-",
    "app_",
    "_app",
    "a..b",
    "a___b",
    "a b",
    "host:notaport/app",
    "host:/app",
    "host:123456/app",
    "-host.com/app",
    "host_name.com/app",
    "[::1/app",
    "localhost/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_invalid (bad[i]);
}

static void
test_messages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeReference) ref = NULL;

  /* the message quotes the reference so a user sees which one was wrong */
  ref = hatake_reference_parse ("UPPER/case", &error);
  g_assert_null (ref);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE);
  g_assert_nonnull (strstr (error->message, "UPPER/case"));
  g_assert_nonnull (strstr (error->message, "lowercase"));
  g_clear_error (&error);

  ref = hatake_reference_parse ("", &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE);
  g_assert_nonnull (strstr (error->message, "empty"));
}

static void
test_lengths (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autofree char *long_name = g_strnfill (300, 'a');
  g_autofree char *tag128 = g_strnfill (128, 't');
  g_autofree char *tag129 = g_strnfill (129, 't');
  g_autofree char *ok_tag = g_strconcat ("app:", tag128, NULL);
  g_autofree char *bad_tag = g_strconcat ("app:", tag129, NULL);
  /* docker.io/library/ + 237 = 255 characters: the longest name docker accepts */
  g_autofree char *name237 = g_strnfill (237, 'a');
  g_autofree char *name238 = g_strnfill (238, 'a');

  assert_invalid (long_name);
  assert_invalid (bad_tag);
  assert_invalid (name238);

  ref = hatake_reference_parse (ok_tag, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ref->tag, ==, tag128);
  g_clear_pointer (&ref, hatake_reference_free);

  ref = hatake_reference_parse (name237, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (ref->domain) + 1 + strlen (ref->path), ==, 255);
}

/* docker limits the name (domain and path, 255 characters) and the tag (128) separately, so a
 * name near the limit with a long tag and a digest is still a valid reference. */
static void
test_long_name_with_long_tag (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autofree char *path = g_strnfill (240, 'a');
  g_autofree char *tag = g_strnfill (128, 't');
  g_autofree char *text = g_strconcat ("example.com/", path, ":", tag, "@" DIGEST, NULL);

  ref = hatake_reference_parse (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ref);
  g_assert_cmpstr (ref->domain, ==, "example.com");
  g_assert_cmpstr (ref->path, ==, path);
  g_assert_cmpstr (ref->tag, ==, tag);
  g_assert_cmpstr (ref->digest, ==, DIGEST);
}

static void
test_digest_is_valid (void)
{
  g_assert_true (hatake_digest_is_valid (DIGEST));
  g_assert_false (hatake_digest_is_valid (NULL));
  g_assert_false (hatake_digest_is_valid (""));
  g_assert_false (hatake_digest_is_valid (HEX64));
  g_assert_false (hatake_digest_is_valid ("sha256:"));
  g_assert_false (hatake_digest_is_valid ("sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"));
  g_assert_false (hatake_digest_is_valid (DIGEST "0"));
  g_assert_false (hatake_digest_is_valid ("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
  g_assert_false (hatake_digest_is_valid ("sha256:g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  g_assert_false (hatake_digest_is_valid ("sha512:" HEX64));
  g_assert_false (hatake_digest_is_valid ("SHA256:" HEX64));
}

static void
test_string_is_image_id (void)
{
  g_assert_true (hatake_string_is_image_id ("abcd"));
  g_assert_true (hatake_string_is_image_id ("0123456789ab"));
  g_assert_true (hatake_string_is_image_id (HEX64));
  g_assert_true (hatake_string_is_image_id (DIGEST));
  g_assert_true (hatake_string_is_image_id ("sha256:abcd"));

  g_assert_false (hatake_string_is_image_id (""));
  g_assert_false (hatake_string_is_image_id ("abc"));
  g_assert_false (hatake_string_is_image_id ("sha256:abc"));
  g_assert_false (hatake_string_is_image_id ("sha256:"));
  g_assert_false (hatake_string_is_image_id (HEX64 "0"));
  g_assert_false (hatake_string_is_image_id ("ABCD"));
  g_assert_false (hatake_string_is_image_id ("abcD"));
  g_assert_false (hatake_string_is_image_id ("sha256:ABCDEF"));
  g_assert_false (hatake_string_is_image_id ("busybox"));
  g_assert_false (hatake_string_is_image_id ("abcd:latest"));
  g_assert_false (hatake_string_is_image_id ("sha512:abcd"));
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reference/normalization", test_normalization);
  g_test_add_func ("/reference/boxed-type", test_boxed_type);
  g_test_add_func ("/reference/malformed", test_malformed);
  g_test_add_func ("/reference/messages", test_messages);
  g_test_add_func ("/reference/lengths", test_lengths);
  g_test_add_func ("/reference/digest-is-valid", test_digest_is_valid);
  g_test_add_func ("/reference/string-is-image-id", test_string_is_image_id);
  /* fails until hatake_reference_parse limits the name, not the whole text */
  g_test_add_func ("/reference/long-name-with-long-tag", test_long_name_with_long_tag);

  return g_test_run ();
}
