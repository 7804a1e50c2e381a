/* test-manifest.c: manifests, indexes, platform selection and image configs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "hatake-error.h"
#include "hatake-manifest.h"

#define D(c) "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
                       c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define DA D ("a")
#define DB D ("b")
#define DC D ("c")
#define DD D ("d")
#define DE D ("e")
#define DF D ("f")
#define D1 D ("1")
#define D2 D ("2")

static GBytes *
bytes_of (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static HatakeManifest *
parse_ok (const char *json,
          const char *content_type)
{
  g_autoptr(GBytes) bytes = bytes_of (json);
  g_autoptr(GError) error = NULL;
  HatakeManifest *m = hatake_manifest_parse (bytes, content_type, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static GError *
parse_fails (const char *json,
             const char *content_type,
             GQuark      domain,
             int         code)
{
  g_autoptr(GBytes) bytes = bytes_of (json);
  GError *error = NULL;
  g_autoptr(HatakeManifest) m = NULL;

  g_test_message ("expecting failure for: %.80s", json);
  m = hatake_manifest_parse (bytes, content_type, &error);
  g_assert_null (m);
  g_assert_error (error, domain, code);
  return error;
}

static void
test_docker_schema2 (void)
{
  static const char json[] =
    "{\"schemaVersion\": 2,"
    " \"mediaType\": \"" HATAKE_MEDIA_DOCKER_MANIFEST "\","
    " \"config\": {\"mediaType\": \"" HATAKE_MEDIA_DOCKER_CONFIG "\", \"size\": 1469, \"digest\": \"" DA "\"},"
    " \"layers\": ["
    "   {\"mediaType\": \"" HATAKE_MEDIA_DOCKER_LAYER_GZIP "\", \"size\": 2479, \"digest\": \"" DB "\"},"
    "   {\"mediaType\": \"" HATAKE_MEDIA_DOCKER_LAYER_FOREIGN "\", \"size\": 0, \"digest\": \"" DC "\"}"
    " ]}";
  g_autoptr(HatakeManifest) m = parse_ok (json, HATAKE_MEDIA_DOCKER_MANIFEST);
  HatakeDescriptor *l0, *l1;

  g_assert_false (m->is_index);
  g_assert_cmpstr (m->media_type, ==, HATAKE_MEDIA_DOCKER_MANIFEST);
  g_assert_nonnull (m->config);
  g_assert_cmpstr (m->config->media_type, ==, HATAKE_MEDIA_DOCKER_CONFIG);
  g_assert_cmpstr (m->config->digest, ==, DA);
  g_assert_cmpint (m->config->size, ==, 1469);
  g_assert_nonnull (m->layers);
  g_assert_cmpuint (m->layers->len, ==, 2);
  l0 = g_ptr_array_index (m->layers, 0);
  l1 = g_ptr_array_index (m->layers, 1);
  g_assert_cmpstr (l0->media_type, ==, HATAKE_MEDIA_DOCKER_LAYER_GZIP);
  g_assert_cmpstr (l0->digest, ==, DB);
  g_assert_cmpint (l0->size, ==, 2479);
  g_assert_cmpstr (l1->media_type, ==, HATAKE_MEDIA_DOCKER_LAYER_FOREIGN);
  g_assert_cmpstr (l1->digest, ==, DC);
  g_assert_cmpint (l1->size, ==, 0);
  g_assert_null (m->manifests);
}

static void
test_oci_manifest (void)
{
  /* no mediaType in the body: the Content-Type says what it is */
  static const char json[] =
    "{\"schemaVersion\": 2,"
    " \"config\": {\"mediaType\": \"" HATAKE_MEDIA_OCI_CONFIG "\", \"size\": 7023, \"digest\": \"" D1 "\"},"
    " \"layers\": ["
    "   {\"mediaType\": \"" HATAKE_MEDIA_OCI_LAYER_GZIP "\", \"size\": 32654, \"digest\": \"" D2 "\"},"
    "   {\"mediaType\": \"" HATAKE_MEDIA_OCI_LAYER_ZSTD "\", \"size\": 16724, \"digest\": \"" DA "\"},"
    "   {\"mediaType\": \"" HATAKE_MEDIA_OCI_LAYER "\", \"size\": 73109, \"digest\": \"" DB "\"}"
    " ],"
    " \"annotations\": {\"com.example.key\": \"value\"}}";
  g_autoptr(HatakeManifest) m = parse_ok (json, HATAKE_MEDIA_OCI_MANIFEST);
  g_autoptr(HatakeManifest) untyped = parse_ok (json, "application/json");
  static const char * const types[] = { HATAKE_MEDIA_OCI_LAYER_GZIP, HATAKE_MEDIA_OCI_LAYER_ZSTD, HATAKE_MEDIA_OCI_LAYER };
  static const gint64 sizes[] = { 32654, 16724, 73109 };
  static const char * const digests[] = { D2, DA, DB };

  g_assert_false (m->is_index);
  g_assert_cmpstr (m->media_type, ==, HATAKE_MEDIA_OCI_MANIFEST);
  g_assert_cmpstr (m->config->media_type, ==, HATAKE_MEDIA_OCI_CONFIG);
  g_assert_cmpstr (m->config->digest, ==, D1);
  g_assert_cmpint (m->config->size, ==, 7023);
  g_assert_cmpuint (m->layers->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      HatakeDescriptor *l = g_ptr_array_index (m->layers, i);
      g_assert_cmpstr (l->media_type, ==, types[i]);
      g_assert_cmpint (l->size, ==, sizes[i]);
      g_assert_cmpstr (l->digest, ==, digests[i]);
    }

  /* without either, an image manifest is taken as OCI */
  g_assert_false (untyped->is_index);
  g_assert_cmpstr (untyped->media_type, ==, HATAKE_MEDIA_OCI_MANIFEST);
  g_assert_cmpuint (untyped->layers->len, ==, 3);
}

#define ENTRY(digest, os, arch, variant_json) \
  "{\"mediaType\": \"" HATAKE_MEDIA_OCI_MANIFEST "\", \"size\": 1000, \"digest\": \"" digest "\"," \
  " \"platform\": {\"os\": \"" os "\", \"architecture\": \"" arch "\"" variant_json "}}"
#define VARIANT(v) ", \"variant\": \"" v "\""
#define ATTESTATION(digest, ref) \
  "{\"mediaType\": \"" HATAKE_MEDIA_OCI_MANIFEST "\", \"size\": 566, \"digest\": \"" digest "\"," \
  " \"platform\": {\"os\": \"unknown\", \"architecture\": \"unknown\"}," \
  " \"annotations\": {\"vnd.docker.reference.digest\": \"" ref "\"," \
  " \"vnd.docker.reference.type\": \"attestation-manifest\"}}"

static void
test_oci_index (void)
{
  static const char json[] =
    "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_OCI_INDEX "\", \"manifests\": ["
    ENTRY (DA, "linux", "amd64", "") ","
    ENTRY (DB, "linux", "arm64", VARIANT ("v8")) ","
    ATTESTATION (DC, DA)
    "]}";
  g_autoptr(HatakeManifest) m = parse_ok (json, HATAKE_MEDIA_OCI_INDEX);
  HatakeDescriptor *d;

  g_assert_true (m->is_index);
  g_assert_cmpstr (m->media_type, ==, HATAKE_MEDIA_OCI_INDEX);
  g_assert_null (m->config);
  g_assert_cmpuint (m->manifests->len, ==, 3);

  d = g_ptr_array_index (m->manifests, 0);
  g_assert_cmpstr (d->digest, ==, DA);
  g_assert_cmpstr (d->media_type, ==, HATAKE_MEDIA_OCI_MANIFEST);
  g_assert_cmpint (d->size, ==, 1000);
  g_assert_cmpstr (d->os, ==, "linux");
  g_assert_cmpstr (d->architecture, ==, "amd64");
  g_assert_null (d->variant);
  g_assert_false (d->attestation);

  d = g_ptr_array_index (m->manifests, 1);
  g_assert_cmpstr (d->architecture, ==, "arm64");
  g_assert_cmpstr (d->variant, ==, "v8");
  g_assert_false (d->attestation);

  d = g_ptr_array_index (m->manifests, 2);
  g_assert_cmpstr (d->digest, ==, DC);
  g_assert_cmpint (d->size, ==, 566);
  g_assert_true (d->attestation);
}

static void
test_docker_list (void)
{
  static const char json[] =
    "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_DOCKER_LIST "\", \"manifests\": ["
    "{\"mediaType\": \"" HATAKE_MEDIA_DOCKER_MANIFEST "\", \"size\": 527, \"digest\": \"" DD "\","
    " \"platform\": {\"architecture\": \"arm\", \"os\": \"linux\", \"variant\": \"v6\"}},"
    "{\"mediaType\": \"" HATAKE_MEDIA_DOCKER_MANIFEST "\", \"size\": 528, \"digest\": \"" DE "\","
    " \"platform\": {\"architecture\": \"ppc64le\", \"os\": \"linux\"}}"
    "]}";
  g_autoptr(HatakeManifest) m = parse_ok (json, NULL);
  g_autoptr(HatakeManifest) by_shape = NULL;
  HatakeDescriptor *d;

  g_assert_true (m->is_index);
  g_assert_cmpstr (m->media_type, ==, HATAKE_MEDIA_DOCKER_LIST);
  g_assert_cmpuint (m->manifests->len, ==, 2);
  d = g_ptr_array_index (m->manifests, 0);
  g_assert_cmpstr (d->media_type, ==, HATAKE_MEDIA_DOCKER_MANIFEST);
  g_assert_cmpstr (d->digest, ==, DD);
  g_assert_cmpint (d->size, ==, 527);
  g_assert_cmpstr (d->os, ==, "linux");
  g_assert_cmpstr (d->architecture, ==, "arm");
  g_assert_cmpstr (d->variant, ==, "v6");
  d = g_ptr_array_index (m->manifests, 1);
  g_assert_cmpstr (d->architecture, ==, "ppc64le");
  g_assert_cmpint (d->size, ==, 528);

  /* an index without any media type is recognized by its "manifests" */
  by_shape = parse_ok ("{\"schemaVersion\": 2, \"manifests\": [" ENTRY (DA, "linux", "amd64", "") "]}",
                       "application/json");
  g_assert_true (by_shape->is_index);
  g_assert_cmpstr (by_shape->media_type, ==, HATAKE_MEDIA_OCI_INDEX);
  g_assert_cmpuint (by_shape->manifests->len, ==, 1);
}

/* ---- platform selection ------------------------------------------------------------------ */

static const HatakeDescriptor *
select_ok (HatakeManifest *m,
           const char     *platform_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakePlatform) platform = hatake_platform_parse (platform_text, &error);
  const HatakeDescriptor *d;

  g_assert_no_error (error);
  d = hatake_manifest_select_platform (m, platform, &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);
  return d;
}

static GError *
select_fails (HatakeManifest *m,
              const char     *platform_text)
{
  g_autoptr(HatakePlatform) platform = hatake_platform_parse (platform_text, NULL);
  GError *error = NULL;

  g_assert_nonnull (platform);
  g_assert_null (hatake_manifest_select_platform (m, platform, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NO_MATCHING_PLATFORM);
  return error;
}

static const char multi_index[] =
  "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_OCI_INDEX "\", \"manifests\": ["
  ATTESTATION (DF, DA) ","
  ENTRY (DA, "linux", "amd64", "") ","
  ENTRY (DB, "linux", "arm64", VARIANT ("v8")) ","
  ENTRY (DC, "linux", "arm", VARIANT ("v6")) ","
  ENTRY (DD, "linux", "arm", VARIANT ("v7")) ","
  ENTRY (DE, "windows", "amd64", "")
  "]}";

static void
test_select_platform (void)
{
  g_autoptr(HatakeManifest) m = parse_ok (multi_index, NULL);

  g_assert_cmpstr (select_ok (m, "linux/amd64")->digest, ==, DA);
  g_assert_cmpstr (select_ok (m, "linux/arm64/v8")->digest, ==, DB);
  g_assert_cmpstr (select_ok (m, "linux/arm64")->digest, ==, DB);
  g_assert_cmpstr (select_ok (m, "linux/arm/v7")->digest, ==, DD);
  g_assert_cmpstr (select_ok (m, "linux/arm/v6")->digest, ==, DC);
  g_assert_cmpstr (select_ok (m, "windows/amd64")->digest, ==, DE);
  /* names the kernel uses are normalized to the registries' */
  g_assert_cmpstr (select_ok (m, "linux/x86_64")->digest, ==, DA);
  g_assert_cmpstr (select_ok (m, "linux/aarch64")->digest, ==, DB);
  g_assert_cmpstr (select_ok (m, "Linux/amd64")->digest, ==, DA);
}

static void
test_select_variant_defaults (void)
{
  /* an arm64 entry without a variant is v8, an arm one without a variant is v7 */
  g_autoptr(HatakeManifest) m = parse_ok (
    "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_DOCKER_LIST "\", \"manifests\": ["
    ENTRY (DA, "linux", "amd64", "") ","
    ENTRY (DB, "linux", "arm64", "") ","
    ENTRY (DC, "linux", "arm", "")
    "]}", NULL);
  g_autoptr(HatakeManifest) only_v6 = parse_ok (
    "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_DOCKER_LIST "\", \"manifests\": ["
    ENTRY (DC, "linux", "arm", VARIANT ("v6"))
    "]}", NULL);
  g_autoptr(HatakeManifest) kernel_names = parse_ok (
    "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_DOCKER_LIST "\", \"manifests\": ["
    ENTRY (DA, "linux", "x86_64", "") ","
    ENTRY (DB, "linux", "aarch64", "")
    "]}", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (select_ok (m, "linux/arm64/v8")->digest, ==, DB);
  g_assert_cmpstr (select_ok (m, "linux/arm64")->digest, ==, DB);
  g_assert_cmpstr (select_ok (m, "linux/arm/v7")->digest, ==, DC);
  g_assert_cmpstr (select_ok (m, "linux/aarch64")->digest, ==, DB);
  error = select_fails (m, "linux/arm/v6");
  g_clear_error (&error);
  error = select_fails (m, "linux/arm64/v9");
  g_clear_error (&error);

  /* a v7 machine does not get a v6-only image picked as v7, nor the reverse */
  error = select_fails (only_v6, "linux/arm/v7");
  g_clear_error (&error);
  g_assert_cmpstr (select_ok (only_v6, "linux/arm/v6")->digest, ==, DC);

  /* entries written with kernel names are normalized too */
  g_assert_cmpstr (select_ok (kernel_names, "linux/amd64")->digest, ==, DA);
  g_assert_cmpstr (select_ok (kernel_names, "linux/arm64/v8")->digest, ==, DB);
}

static void
test_select_never_attestation (void)
{
  /* the attestation comes first, and matches no real platform in any field but the annotation */
  g_autoptr(HatakeManifest) m = parse_ok (
    "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_OCI_INDEX "\", \"manifests\": ["
    "{\"mediaType\": \"" HATAKE_MEDIA_OCI_MANIFEST "\", \"size\": 566, \"digest\": \"" DF "\","
    " \"platform\": {\"os\": \"linux\", \"architecture\": \"amd64\"},"
    " \"annotations\": {\"vnd.docker.reference.type\": \"attestation-manifest\"}},"
    ENTRY (DA, "linux", "amd64", "")
    "]}", NULL);
  g_autoptr(HatakeManifest) only_attestations = parse_ok (
    "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_OCI_INDEX "\", \"manifests\": ["
    ATTESTATION (DF, DA) "]}", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (select_ok (m, "linux/amd64")->digest, ==, DA);

  error = select_fails (only_attestations, "unknown/unknown");
  g_assert_null (strstr (error->message, "unknown/unknown,"));
  g_assert_nonnull (strstr (error->message, "none"));
}

static void
test_select_no_match (void)
{
  g_autoptr(HatakeManifest) m = parse_ok (multi_index, NULL);
  g_autoptr(GError) error = select_fails (m, "linux/s390x");

  /* the message says what was asked for and lists what there is, attestations left out */
  g_assert_nonnull (strstr (error->message, "linux/s390x"));
  g_assert_nonnull (strstr (error->message, "linux/amd64"));
  g_assert_nonnull (strstr (error->message, "linux/arm64/v8"));
  g_assert_nonnull (strstr (error->message, "linux/arm/v6"));
  g_assert_nonnull (strstr (error->message, "linux/arm/v7"));
  g_assert_nonnull (strstr (error->message, "windows/amd64"));
  g_assert_null (strstr (error->message, "unknown"));
}

static void
test_platform_parse (void)
{
  static const char * const bad[] = { "linux", "linux/", "/amd64", "linux/arm64/", "a/b/c/d", "", "//" };
  g_autoptr(HatakePlatform) p = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakePlatform) none = hatake_platform_parse (bad[i], &error);
      g_test_message ("platform “%s”", bad[i]);
      g_assert_null (none);
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }

  p = hatake_platform_parse ("linux/arm64/v8", NULL);
  g_assert_cmpstr (p->os, ==, "linux");
  g_assert_cmpstr (p->architecture, ==, "arm64");
  g_assert_cmpstr (p->variant, ==, "v8");
  text = hatake_platform_to_string (p);
  g_assert_cmpstr (text, ==, "linux/arm64/v8");
  g_clear_pointer (&p, hatake_platform_free);
  g_clear_pointer (&text, g_free);

  p = hatake_platform_parse ("linux/x86_64", NULL);
  g_assert_cmpstr (p->architecture, ==, "amd64");
  g_assert_null (p->variant);
  text = hatake_platform_to_string (p);
  g_assert_cmpstr (text, ==, "linux/amd64");
  g_clear_pointer (&p, hatake_platform_free);

  p = hatake_platform_parse ("linux/armhf", NULL);
  g_assert_cmpstr (p->architecture, ==, "arm");
  g_assert_cmpstr (p->variant, ==, "v7");
  g_clear_pointer (&p, hatake_platform_free);

  p = hatake_platform_host ();
  g_assert_cmpstr (p->os, ==, "linux");
#if defined(__x86_64__)
  g_assert_cmpstr (p->architecture, ==, "amd64");
#elif defined(__aarch64__)
  g_assert_cmpstr (p->architecture, ==, "arm64");
#endif
}

/* ---- refused manifests ------------------------------------------------------------------- */

static void
test_schema1 (void)
{
  static const char v1[] =
    "{\"schemaVersion\": 1, \"name\": \"library/busybox\", \"tag\": \"latest\", \"architecture\": \"amd64\","
    " \"fsLayers\": [{\"blobSum\": \"" DA "\"}], \"history\": []}";
  static const char v1_typed[] =
    "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_DOCKER_SCHEMA1 "\"}";
  GError *error;

  error = parse_fails (v1, NULL, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "schema 1"));
  g_clear_error (&error);

  error = parse_fails (v1, HATAKE_MEDIA_DOCKER_SCHEMA1_SIGNED, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "schema 1"));
  g_clear_error (&error);

  /* the signed media type alone, from the Content-Type, is enough to refuse it */
  error = parse_fails ("{\"name\": \"library/busybox\", \"fsLayers\": []}",
                       HATAKE_MEDIA_DOCKER_SCHEMA1_SIGNED, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "schema 1"));
  g_clear_error (&error);

  error = parse_fails (v1_typed, NULL, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "schema 1"));
  g_clear_error (&error);
}

#define MANIFEST_WITH(config, layers) \
  "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_OCI_MANIFEST "\"" config ", \"layers\": [" layers "]}"
#define GOOD_CONFIG \
  ", \"config\": {\"mediaType\": \"" HATAKE_MEDIA_OCI_CONFIG "\", \"size\": 100, \"digest\": \"" D1 "\"}"
#define GOOD_LAYER \
  "{\"mediaType\": \"" HATAKE_MEDIA_OCI_LAYER_GZIP "\", \"size\": 10, \"digest\": \"" D2 "\"}"

static void
test_invalid (void)
{
  static const struct { const char *json; const char *needle; } cases[] = {
    { "", "empty" },
    { "{\"schemaVersion\": 2, \"config\": ", "JSON" },
    { "[1, 2, 3]", "object" },
    { "\"a string\"", "object" },
    { "{\"mediaType\": \"" HATAKE_MEDIA_OCI_MANIFEST "\"}", "schemaVersion" },
    { "{\"schemaVersion\": 3, \"mediaType\": \"" HATAKE_MEDIA_OCI_MANIFEST "\"}", "schemaVersion" },
    { "{\"schemaVersion\": \"2\", \"mediaType\": \"" HATAKE_MEDIA_OCI_MANIFEST "\"}", "schemaVersion" },
    { MANIFEST_WITH ("", GOOD_LAYER), "config" },
    { MANIFEST_WITH (", \"config\": \"" D1 "\"", GOOD_LAYER), "config" },
    { MANIFEST_WITH (", \"config\": {\"size\": 100, \"digest\": \"sha256:1234\"}", GOOD_LAYER), "config" },
    { MANIFEST_WITH (", \"config\": {\"size\": 100}", GOOD_LAYER), "config" },
    { MANIFEST_WITH (", \"config\": {\"digest\": \"" D1 "\"}", GOOD_LAYER), "size" },
    { MANIFEST_WITH (", \"config\": {\"size\": \"100\", \"digest\": \"" D1 "\"}", GOOD_LAYER), "size" },
    { MANIFEST_WITH (GOOD_CONFIG, "{\"size\": 10, \"digest\": \"sha256:XYZ\"}"), "layer 1" },
    { MANIFEST_WITH (GOOD_CONFIG, GOOD_LAYER ", {\"size\": 10, \"digest\": \"md5:" "0123456789abcdef0123456789abcdef" "\"}"), "layer 2" },
    { MANIFEST_WITH (GOOD_CONFIG, "{\"size\": -1, \"digest\": \"" D2 "\"}"), "size" },
    { MANIFEST_WITH (GOOD_CONFIG, "{\"size\": 1.5, \"digest\": \"" D2 "\"}"), "size" },
    { MANIFEST_WITH (GOOD_CONFIG, "42"), "layer 1" },
    { "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_OCI_MANIFEST "\"" GOOD_CONFIG "}", "layers" },
    { "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_OCI_MANIFEST "\"" GOOD_CONFIG ", \"layers\": {}}", "layers" },
    { "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_OCI_INDEX "\"}", "manifests" },
    { "{\"schemaVersion\": 2, \"mediaType\": \"" HATAKE_MEDIA_OCI_INDEX "\", \"manifests\": [{\"size\": 1}]}", "manifest 1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = parse_fails (cases[i].json, NULL, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }
}

static void
test_config_too_big (void)
{
  g_autofree char *at_limit = g_strdup_printf (
    MANIFEST_WITH (", \"config\": {\"size\": %d, \"digest\": \"" D1 "\"}", GOOD_LAYER), HATAKE_MAX_CONFIG_SIZE);
  g_autofree char *over = g_strdup_printf (
    MANIFEST_WITH (", \"config\": {\"size\": %d, \"digest\": \"" D1 "\"}", GOOD_LAYER), HATAKE_MAX_CONFIG_SIZE + 1);
  g_autoptr(HatakeManifest) m = parse_ok (at_limit, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (m->config->size, ==, HATAKE_MAX_CONFIG_SIZE);
  error = parse_fails (over, NULL, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST);
  g_assert_nonnull (strstr (error->message, "config"));
}

static void
test_unsupported_media_types (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeManifest) no_type = NULL;

  error = parse_fails (MANIFEST_WITH (GOOD_CONFIG, GOOD_LAYER ",{\"mediaType\": \"application/x-rar\", \"size\": 1, \"digest\": \"" DA "\"}"),
                       NULL, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "application/x-rar"));
  g_assert_nonnull (strstr (error->message, DA));
  g_clear_error (&error);

  error = parse_fails ("{\"schemaVersion\": 2, \"mediaType\": \"application/vnd.example.thing+json\"}",
                       NULL, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "application/vnd.example.thing+json"));
  g_clear_error (&error);

  /* a layer without a media type is unpacked by sniffing its bytes */
  no_type = parse_ok (MANIFEST_WITH (GOOD_CONFIG, "{\"size\": 10, \"digest\": \"" D2 "\"}"), NULL);
  g_assert_null (((HatakeDescriptor *) g_ptr_array_index (no_type->layers, 0))->media_type);

  g_assert_true (hatake_layer_media_type_is_supported (HATAKE_MEDIA_DOCKER_LAYER_GZIP));
  g_assert_true (hatake_layer_media_type_is_supported (HATAKE_MEDIA_OCI_LAYER_ZSTD));
  g_assert_true (hatake_layer_media_type_is_supported (NULL));
  g_assert_false (hatake_layer_media_type_is_supported (HATAKE_MEDIA_OCI_CONFIG));
  g_assert_false (hatake_layer_media_type_is_supported ("application/vnd.oci.image.layer.v1.tar+bzip2"));
}

/* ---- image configs ----------------------------------------------------------------------- */

static void
test_image_config (void)
{
  static const char json[] =
    "{\"architecture\": \"arm64\", \"variant\": \"v8\", \"os\": \"linux\","
    " \"created\": \"2023-05-19T20:09:01Z\","
    " \"config\": {\"Env\": [\"PATH=/bin\"], \"Cmd\": [\"sh\"]},"
    " \"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"" DA "\", \"" DB "\"]},"
    " \"history\": []}";
  g_autoptr(GBytes) bytes = bytes_of (json);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImageConfig) c = hatake_image_config_parse (bytes, &error);
  JsonObject *config;

  g_assert_no_error (error);
  g_assert_cmpstr (c->os, ==, "linux");
  g_assert_cmpstr (c->architecture, ==, "arm64");
  g_assert_cmpstr (c->variant, ==, "v8");
  /* date -u -d 2023-05-19T20:09:01Z +%s */
  g_assert_cmpint (c->created, ==, 1684526941);
  g_assert_cmpuint (c->diff_ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (c->diff_ids, 0), ==, DA);
  g_assert_cmpstr (g_ptr_array_index (c->diff_ids, 1), ==, DB);
  g_assert_nonnull (c->root);
  config = json_object_get_object_member (json_node_get_object (c->root), "config");
  g_assert_nonnull (config);
  g_assert_true (json_object_has_member (config, "Cmd"));
}

static void
test_image_config_created (void)
{
  static const struct { const char *created; gint64 expected; } cases[] = {
    /* docker writes nanoseconds */
    { "2023-05-19T20:09:01.530834209Z", 1684526941 },
    { "2023-05-19T22:09:01+02:00", 1684526941 },
    { "1970-01-01T00:00:00Z", 0 },
    { "not a date", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"os\": \"linux\", \"architecture\": \"amd64\", \"created\": \"%s\","
        " \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}}", cases[i].created);
      g_autoptr(GBytes) bytes = bytes_of (json);
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeImageConfig) c = hatake_image_config_parse (bytes, &error);

      g_test_message ("created “%s”", cases[i].created);
      g_assert_no_error (error);
      g_assert_cmpint (c->created, ==, cases[i].expected);
      g_assert_cmpuint (c->diff_ids->len, ==, 0);
      g_assert_null (c->variant);
    }
}

static void
test_image_config_invalid (void)
{
  static const struct { const char *json; const char *needle; } cases[] = {
    { "", "empty" },
    { "{", "JSON" },
    { "[]", "object" },
    { "{\"os\": \"linux\"}", "rootfs" },
    { "{\"rootfs\": []}", "rootfs" },
    { "{\"rootfs\": {\"diff_ids\": []}}", "layers" },
    { "{\"rootfs\": {\"type\": \"tarball\", \"diff_ids\": []}}", "layers" },
    { "{\"rootfs\": {\"type\": \"layers\"}}", "diff_ids" },
    { "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": \"" DA "\"}}", "diff_ids" },
    { "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"" DA "\", \"sha256:1234\"]}}", "diff ID 2" },
    { "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [42]}}", "diff ID 1" },
    { "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [{}]}}", "diff ID 1" },
    { "{\"config\": [], \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}}", "config is not an object" },
    { "{\"config\": {\"Cmd\": [\"sh\", 1]}, \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}}",
      "config.Cmd is not a list of strings" },
    { "{\"config\": {\"Entrypoint\": {}}, \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}}",
      "config.Entrypoint is not a list of strings" },
    { "{\"config\": {\"Env\": \"A=1\"}, \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}}",
      "config.Env is not a list of strings" },
    { "{\"config\": {\"Env\": [\"A=1\", [\"B\"]]}, \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}}",
      "config.Env is not a list of strings" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = bytes_of (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeImageConfig) c = NULL;

      g_test_message ("config: %s", cases[i].json);
      c = hatake_image_config_parse (bytes, &error);
      g_assert_null (c);
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }
}

static char *
sha256_of_string (const char *text)
{
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);

  return g_strconcat ("sha256:", hex, NULL);
}

static void
test_chain_id (void)
{
  g_autofree char *chain1 = hatake_chain_id (NULL, DA);
  g_autofree char *chain2 = hatake_chain_id (chain1, DB);
  g_autofree char *chain3 = hatake_chain_id (chain2, DC);
  g_autofree char *text2 = g_strconcat (DA, " ", DB, NULL);
  g_autofree char *expected2 = sha256_of_string (text2);
  g_autofree char *text3 = g_strconcat (expected2, " ", DC, NULL);
  g_autofree char *expected3 = sha256_of_string (text3);
  g_autofree char *swapped = hatake_chain_id (DB, DA);

  g_assert_cmpstr (chain1, ==, DA);
  g_assert_cmpstr (chain2, ==, expected2);
  g_assert_cmpstr (chain3, ==, expected3);
  g_assert_cmpstr (swapped, !=, chain2);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/manifest/docker-schema2", test_docker_schema2);
  g_test_add_func ("/manifest/oci", test_oci_manifest);
  g_test_add_func ("/manifest/oci-index", test_oci_index);
  g_test_add_func ("/manifest/docker-list", test_docker_list);
  g_test_add_func ("/manifest/select-platform", test_select_platform);
  g_test_add_func ("/manifest/select-variant-defaults", test_select_variant_defaults);
  g_test_add_func ("/manifest/select-never-attestation", test_select_never_attestation);
  g_test_add_func ("/manifest/select-no-match", test_select_no_match);
  g_test_add_func ("/manifest/platform-parse", test_platform_parse);
  g_test_add_func ("/manifest/schema1", test_schema1);
  g_test_add_func ("/manifest/invalid", test_invalid);
  g_test_add_func ("/manifest/config-too-big", test_config_too_big);
  g_test_add_func ("/manifest/unsupported-media-types", test_unsupported_media_types);
  g_test_add_func ("/manifest/image-config", test_image_config);
  g_test_add_func ("/manifest/image-config-created", test_image_config_created);
  g_test_add_func ("/manifest/image-config-invalid", test_image_config_invalid);
  g_test_add_func ("/manifest/chain-id", test_chain_id);

  return g_test_run ();
}
