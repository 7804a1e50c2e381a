/* fuzz-image-config.c: an image's config blob, and the OCI runtime config made from it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the config blob. What parses is used as `run` uses it: chain IDs from its diff
 * IDs, its volumes, its user, and config.json built with docker's defaults (no seccomp profile
 * read, so nothing depends on the host's files).
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include "hatake-fuzz.h"
#include "hatake-manifest.h"
#include "hatake-oci-spec.h"
#include "hatake-reference.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hatake_fuzz_init ();
  return 0;
}

static void
build_spec (JsonObject *image_config)
{
  HatakeContainerSpec spec;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) oci = NULL;
  g_auto(GStrv) volumes = NULL;

  hatake_container_spec_init (&spec);
  spec.id = "0123456789abcdef0123456789abcdef";
  spec.rootfs = "/nonexistent/rootfs";
  spec.seccomp_profile = "unconfined";

  volumes = hatake_oci_spec_image_volumes (image_config, &error);
  g_assert ((volumes != NULL) == (error == NULL));
  g_clear_error (&error);
  g_assert (hatake_oci_spec_user_spec (image_config, &spec) != NULL);

  oci = hatake_oci_spec_build (image_config, &spec, NULL, &error);
  g_assert ((oci != NULL) == (error == NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImageConfig) config = hatake_image_config_parse (bytes, &error);
  g_autofree char *chain = NULL;
  JsonObject *root;

  g_assert ((config != NULL) == (error == NULL));
  if (config == NULL)
    return 0;

  for (guint i = 0; i < config->diff_ids->len; i++)
    {
      char *next = hatake_chain_id (chain, g_ptr_array_index (config->diff_ids, i));
      g_assert (hatake_digest_is_valid (next));
      g_free (chain);
      chain = next;
    }

  root = json_node_get_object (config->root);
  if (json_object_has_member (root, "config") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "config")))
    build_spec (json_object_get_object_member (root, "config"));
  else
    build_spec (NULL);
  return 0;
}
