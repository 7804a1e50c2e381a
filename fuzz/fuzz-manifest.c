/* fuzz-manifest.c: image manifests and indexes (Docker schema 2, OCI) as a registry sends them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the body; it is read as the registry's Content-Type would have it (none, and an
 * OCI index's, whose mediaType decides when the body has none) and then used as a pull uses it:
 * the platform picked from an index, the layers' media types checked.
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include "hatake-fuzz.h"
#include "hatake-manifest.h"
#include "hatake-reference.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hatake_fuzz_init ();
  return 0;
}

static void
use_manifest (HatakeManifest *manifest)
{
  static const char * const platforms[] = { "linux/amd64", "linux/arm64/v8", "linux/arm", "windows/amd64" };

  if (manifest->is_index)
    {
      g_assert (manifest->manifests != NULL);
      for (guint i = 0; i < G_N_ELEMENTS (platforms) + 1; i++)
        {
          g_autoptr(HatakePlatform) platform = i < G_N_ELEMENTS (platforms)
                                               ? hatake_platform_parse (platforms[i], NULL)
                                               : hatake_platform_host ();
          g_autoptr(GError) error = NULL;
          const HatakeDescriptor *d;

          g_assert (platform != NULL);
          d = hatake_manifest_select_platform (manifest, platform, &error);
          g_assert ((d != NULL) == (error == NULL));
          g_assert (d == NULL || hatake_digest_is_valid (d->digest));
        }
      return;
    }
  g_assert (manifest->config != NULL && manifest->layers != NULL);
  g_assert (hatake_digest_is_valid (manifest->config->digest));
  for (guint i = 0; i < manifest->layers->len; i++)
    {
      const HatakeDescriptor *d = g_ptr_array_index (manifest->layers, i);
      g_assert (hatake_digest_is_valid (d->digest) && d->size >= 0);
      (void) hatake_layer_media_type_is_supported (d->media_type);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const content_types[] = { NULL, HATAKE_MEDIA_OCI_INDEX };
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);

  for (guint i = 0; i < G_N_ELEMENTS (content_types); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeManifest) manifest = hatake_manifest_parse (bytes, content_types[i], &error);

      g_assert ((manifest != NULL) == (error == NULL));
      if (manifest != NULL)
        use_manifest (manifest);
    }
  return 0;
}
