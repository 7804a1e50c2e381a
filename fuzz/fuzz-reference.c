/* fuzz-reference.c: image references (and the platform strings that go with them)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Besides not crashing, what parses must print as something that parses back to the same
 * reference: the store, the API and the CLI all key images on that string.
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include <string.h>

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
check_same (const HatakeReference *a,
            const HatakeReference *b)
{
  g_assert_cmpstr (a->domain, ==, b->domain);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpstr (a->tag, ==, b->tag);
  g_assert_cmpstr (a->digest, ==, b->digest);
}

static gboolean
familiar_is_ambiguous (const HatakeReference *ref)
{
  g_autofree char *first = NULL;
  const char *slash = strchr (ref->path, '/');

  if (!g_str_equal (ref->domain, HATAKE_DEFAULT_DOMAIN) || slash == NULL)
    return FALSE;
  first = g_strndup (ref->path, (gsize) (slash - ref->path));
  return strchr (first, '.') != NULL || strchr (first, ':') != NULL || g_str_equal (first, "localhost");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(HatakePlatform) platform = NULL;
  g_autoptr(GError) error = NULL;

  (void) hatake_digest_is_valid (text);
  (void) hatake_string_is_image_id (text);

  platform = hatake_platform_parse (text, &error);
  g_assert ((platform != NULL) == (error == NULL));
  if (platform != NULL)
    {
      g_autofree char *printed = hatake_platform_to_string (platform);
      g_assert (printed != NULL);
    }
  g_clear_error (&error);

  ref = hatake_reference_parse (text, &error);
  g_assert ((ref != NULL) == (error == NULL));
  if (ref != NULL)
    {
      g_autofree char *printed = hatake_reference_to_string (ref);
      g_autofree char *familiar = hatake_reference_familiar_name (ref);
      g_autofree char *repository = hatake_reference_repository (ref);
      g_autofree char *with_tag = hatake_reference_with_tag (ref);
      g_autoptr(HatakeReference) copy = hatake_reference_copy (ref);
      g_autoptr(HatakeReference) again = NULL;
      g_autoptr(HatakeReference) from_familiar = NULL;
      g_autoptr(GError) again_error = NULL;

      g_assert (ref->domain != NULL && ref->path != NULL);
      g_assert (ref->tag != NULL || ref->digest != NULL);
      g_assert (ref->digest == NULL || hatake_digest_is_valid (ref->digest));
      g_assert (hatake_reference_registry_host (ref) != NULL);
      check_same (ref, copy);

      again = hatake_reference_parse (printed, &again_error);
      g_assert_no_error (again_error);
      check_same (ref, again);

      /* "docker.io/a.b/c" is shown as "a.b/c", which reads back as on the registry a.b: an
       * ambiguity of docker's own grammar, so the familiar name is only checked without it */
      if (!familiar_is_ambiguous (ref))
        {
          from_familiar = hatake_reference_parse (familiar, &again_error);
          g_assert_no_error (again_error);
          g_assert_cmpstr (from_familiar->domain, ==, ref->domain);
          g_assert_cmpstr (from_familiar->path, ==, ref->path);
        }
      g_assert (with_tag == NULL || g_str_has_prefix (with_tag, familiar));
      g_assert (g_str_has_suffix (repository, ref->path));
    }
  return 0;
}
