/* hatake-manifest.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only what a pull needs is read; every digest is checked for form here so the rest of the
 * engine can build paths from them.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-manifest.h"
#include "hatake-reference.h"

static void
descriptor_free (gpointer data)
{
  HatakeDescriptor *d = data;

  if (d == NULL)
    return;
  g_free (d->media_type);
  g_free (d->digest);
  g_free (d->os);
  g_free (d->architecture);
  g_free (d->variant);
  g_free (d);
}

void
hatake_manifest_free (HatakeManifest *self)
{
  if (self == NULL)
    return;
  g_free (self->media_type);
  descriptor_free (self->config);
  g_clear_pointer (&self->layers, g_ptr_array_unref);
  g_clear_pointer (&self->manifests, g_ptr_array_unref);
  g_free (self);
}

static gboolean
invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST, _("invalid manifest: %s"), message);
  return FALSE;
}

static const char *
get_string (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static HatakeDescriptor *
parse_descriptor (JsonNode    *node,
                  const char  *what,
                  GError     **error)
{
  HatakeDescriptor *d;
  JsonObject *object, *platform, *annotations;
  JsonNode *size;
  const char *digest;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "%s is not an object", what), NULL;
  object = json_node_get_object (node);
  digest = get_string (object, "digest");
  if (!hatake_digest_is_valid (digest))
    return invalid (error, "%s has no valid sha256 digest", what), NULL;
  size = json_object_get_member (object, "size");
  if (size == NULL || !JSON_NODE_HOLDS_VALUE (size) || json_node_get_value_type (size) != G_TYPE_INT64 ||
      json_node_get_int (size) < 0)
    return invalid (error, "%s %s has no valid size", what, digest), NULL;

  d = g_new0 (HatakeDescriptor, 1);
  d->digest = g_strdup (digest);
  d->size = json_node_get_int (size);
  d->media_type = g_strdup (get_string (object, "mediaType"));

  if (json_object_has_member (object, "platform") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "platform")))
    {
      platform = json_object_get_object_member (object, "platform");
      d->os = g_strdup (get_string (platform, "os"));
      d->architecture = g_strdup (get_string (platform, "architecture"));
      d->variant = g_strdup (get_string (platform, "variant"));
    }
  if (json_object_has_member (object, "annotations") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "annotations")))
    {
      annotations = json_object_get_object_member (object, "annotations");
      d->attestation = g_strcmp0 (get_string (annotations, "vnd.docker.reference.type"),
                                  "attestation-manifest") == 0;
    }
  return d;
}

static GPtrArray *
parse_descriptors (JsonObject  *object,
                   const char  *member,
                   const char  *what,
                   GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (descriptor_free);
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "“%s” is missing or not a list", member), NULL;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *label = g_strdup_printf ("%s %u", what, i + 1);
      HatakeDescriptor *d = parse_descriptor (json_array_get_element (array, i), label, error);
      if (d == NULL)
        return NULL;
      g_ptr_array_add (out, d);
    }
  return g_steal_pointer (&out);
}

static JsonNode *
parse_json_object (GBytes *bytes, const char *what, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonNode *root;

  if (length == 0)
    return invalid (error, "the %s is empty", what), NULL;
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    return invalid (error, "the %s is not JSON: %s", what, local_error->message), NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "the %s is not a JSON object", what), NULL;
  return json_node_ref (root);
}

HatakeManifest *
hatake_manifest_parse (GBytes      *bytes,
                       const char  *content_type,
                       GError     **error)
{
  g_autoptr(HatakeManifest) self = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  const char *media_type;
  JsonNode *version;

  g_return_val_if_fail (bytes != NULL, NULL);

  root = parse_json_object (bytes, "manifest", error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  version = json_object_get_member (object, "schemaVersion");
  media_type = get_string (object, "mediaType");
  if (media_type == NULL && content_type != NULL && !g_str_equal (content_type, "application/json") &&
      !g_str_equal (content_type, "application/octet-stream"))
    media_type = content_type;

  if ((version && JSON_NODE_HOLDS_VALUE (version) && json_node_get_value_type (version) == G_TYPE_INT64 &&
       json_node_get_int (version) == 1) ||
      g_strcmp0 (media_type, HATAKE_MEDIA_DOCKER_SCHEMA1) == 0 ||
      g_strcmp0 (media_type, HATAKE_MEDIA_DOCKER_SCHEMA1_SIGNED) == 0)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                   _("the image uses Docker image manifest schema 1, which was deprecated in 2017 and is not "
                   "supported: ask its publisher to push it again with a current tool"));
      return NULL;
    }
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != 2)
    return invalid (error, "schemaVersion is not 2"), NULL;

  self = g_new0 (HatakeManifest, 1);
  if (g_strcmp0 (media_type, HATAKE_MEDIA_OCI_INDEX) == 0 || g_strcmp0 (media_type, HATAKE_MEDIA_DOCKER_LIST) == 0 ||
      (media_type == NULL && json_object_has_member (object, "manifests")))
    {
      self->is_index = TRUE;
      self->media_type = g_strdup (media_type ? media_type : HATAKE_MEDIA_OCI_INDEX);
      self->manifests = parse_descriptors (object, "manifests", "manifest", error);
      if (self->manifests == NULL)
        return NULL;
      return g_steal_pointer (&self);
    }
  if (media_type != NULL && !g_str_equal (media_type, HATAKE_MEDIA_OCI_MANIFEST) &&
      !g_str_equal (media_type, HATAKE_MEDIA_DOCKER_MANIFEST))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                   _("unsupported manifest media type “%s”"), media_type);
      return NULL;
    }

  self->media_type = g_strdup (media_type ? media_type : HATAKE_MEDIA_OCI_MANIFEST);
  self->config = parse_descriptor (json_object_get_member (object, "config"), "the config", error);
  if (self->config == NULL)
    return NULL;
  if (self->config->size > HATAKE_MAX_CONFIG_SIZE)
    return invalid (error, "the config is %" G_GINT64_FORMAT " bytes, more than the %d allowed",
                    self->config->size, HATAKE_MAX_CONFIG_SIZE), NULL;
  self->layers = parse_descriptors (object, "layers", "layer", error);
  if (self->layers == NULL)
    return NULL;
  for (guint i = 0; i < self->layers->len; i++)
    {
      HatakeDescriptor *d = g_ptr_array_index (self->layers, i);
      if (!hatake_layer_media_type_is_supported (d->media_type))
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                       _("layer %s has the unsupported media type “%s”"), d->digest,
                       d->media_type ? d->media_type : "(none)");
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}

gboolean
hatake_layer_media_type_is_supported (const char *media_type)
{
  static const char * const supported[] = {
    HATAKE_MEDIA_DOCKER_LAYER_GZIP, HATAKE_MEDIA_DOCKER_LAYER_FOREIGN,
    HATAKE_MEDIA_OCI_LAYER, HATAKE_MEDIA_OCI_LAYER_GZIP, HATAKE_MEDIA_OCI_LAYER_ZSTD,
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    NULL
  };

  /* Unpacking sniffs the compression from the bytes, so a missing media type is fine. */
  return media_type == NULL || g_strv_contains (supported, media_type);
}

/* Normalizes as containerd does: x86_64 → amd64, aarch64 → arm64 (variant v8), armhf → arm/v7. */
static void
normalize_platform (HatakePlatform *p)
{
  char *arch = p->architecture;

  if (p->os != NULL)
    {
      char *lower = g_ascii_strdown (p->os, -1);
      g_free (p->os);
      p->os = lower;
    }
  if (arch == NULL)
    return;
  if (g_str_equal (arch, "x86_64") || g_str_equal (arch, "x86-64"))
    p->architecture = g_strdup ("amd64");
  else if (g_str_equal (arch, "aarch64"))
    p->architecture = g_strdup ("arm64");
  else if (g_str_equal (arch, "armhf"))
    {
      p->architecture = g_strdup ("arm");
      if (p->variant == NULL)
        p->variant = g_strdup ("v7");
    }
  else if (g_str_equal (arch, "armel"))
    {
      p->architecture = g_strdup ("arm");
      if (p->variant == NULL)
        p->variant = g_strdup ("v6");
    }
  else if (g_str_equal (arch, "i386") || g_str_equal (arch, "i686"))
    p->architecture = g_strdup ("386");
  else
    return;
  g_free (arch);
}

/* The variant a platform has when it names none. */
static const char *
default_variant (const char *architecture)
{
  if (g_strcmp0 (architecture, "arm64") == 0)
    return "v8";
  if (g_strcmp0 (architecture, "arm") == 0)
    return "v7";
  return NULL;
}

HatakePlatform *
hatake_platform_parse (const char  *text,
                       GError     **error)
{
  g_auto(GStrv) parts = NULL;
  HatakePlatform *p;

  g_return_val_if_fail (text != NULL, NULL);
  parts = g_strsplit (text, "/", -1);
  if (g_strv_length (parts) < 2 || g_strv_length (parts) > 3 || *parts[0] == '\0' || *parts[1] == '\0' ||
      (parts[2] && *parts[2] == '\0'))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE,
                   _("invalid platform “%s”: expected os/arch[/variant], e.g. linux/arm64/v8"), text);
      return NULL;
    }
  p = g_new0 (HatakePlatform, 1);
  p->os = g_strdup (parts[0]);
  p->architecture = g_strdup (parts[1]);
  p->variant = g_strdup (parts[2]);
  normalize_platform (p);
  return p;
}

HatakePlatform *
hatake_platform_host (void)
{
  const char *arch;

#if defined(__x86_64__)
  arch = "amd64";
#elif defined(__aarch64__)
  arch = "arm64";
#elif defined(__arm__)
  arch = "arm";
#elif defined(__i386__)
  arch = "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  arch = "ppc64le";
#elif defined(__s390x__)
  arch = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  arch = "riscv64";
#else
  arch = "unknown";
#endif
  {
    HatakePlatform *p = g_new0 (HatakePlatform, 1);
    p->os = g_strdup ("linux");
    p->architecture = g_strdup (arch);
    return p;
  }
}

char *
hatake_platform_to_string (const HatakePlatform *self)
{
  return g_strconcat (self->os ? self->os : "unknown", "/", self->architecture ? self->architecture : "unknown",
                      self->variant ? "/" : "", self->variant ? self->variant : "", NULL);
}

void
hatake_platform_free (HatakePlatform *self)
{
  if (self == NULL)
    return;
  g_free (self->os);
  g_free (self->architecture);
  g_free (self->variant);
  g_free (self);
}

static gboolean
platform_matches (const HatakePlatform   *want,
                  const HatakeDescriptor *d)
{
  HatakePlatform have = { g_strdup (d->os), g_strdup (d->architecture), g_strdup (d->variant) };
  const char *have_variant;
  gboolean match;

  normalize_platform (&have);
  have_variant = have.variant ? have.variant : default_variant (have.architecture);
  /* A platform asked for without a variant takes any variant of its architecture. */
  match = g_strcmp0 (want->os, have.os) == 0 &&
          g_strcmp0 (want->architecture, have.architecture) == 0 &&
          (want->variant == NULL || g_strcmp0 (want->variant, have_variant) == 0);
  g_free (have.os);
  g_free (have.architecture);
  g_free (have.variant);
  return match;
}

/* Picks the manifest for a platform from an index; attestations are never picked. */
const HatakeDescriptor *
hatake_manifest_select_platform (HatakeManifest        *self,
                                 const HatakePlatform  *platform,
                                 GError               **error)
{
  g_autoptr(GString) available = g_string_new (NULL);
  g_autofree char *wanted = NULL;

  g_return_val_if_fail (self != NULL && self->is_index, NULL);
  g_return_val_if_fail (platform != NULL, NULL);

  for (guint i = 0; i < self->manifests->len; i++)
    {
      const HatakeDescriptor *d = g_ptr_array_index (self->manifests, i);
      if (d->attestation || g_strcmp0 (d->os, "unknown") == 0)
        continue;
      if (platform_matches (platform, d))
        return d;
    }
  for (guint i = 0; i < self->manifests->len; i++)
    {
      const HatakeDescriptor *d = g_ptr_array_index (self->manifests, i);
      HatakePlatform p = { d->os, d->architecture, d->variant };
      g_autofree char *name = NULL;
      if (d->attestation || g_strcmp0 (d->os, "unknown") == 0)
        continue;
      name = hatake_platform_to_string (&p);
      g_string_append_printf (available, "%s%s", available->len ? ", " : "", name);
    }
  wanted = hatake_platform_to_string (platform);
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NO_MATCHING_PLATFORM,
               _("no matching manifest for %s in the manifest list entries (available: %s)"),
               wanted, available->len ? available->str : "none");
  return NULL;
}

void
hatake_image_config_free (HatakeImageConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->os);
  g_free (self->architecture);
  g_free (self->variant);
  g_clear_pointer (&self->diff_ids, g_ptr_array_unref);
  g_clear_pointer (&self->root, json_node_unref);
  g_free (self);
}

HatakeImageConfig *
hatake_image_config_parse (GBytes  *bytes,
                           GError **error)
{
  g_autoptr(HatakeImageConfig) self = g_new0 (HatakeImageConfig, 1);
  JsonObject *object, *rootfs;
  JsonNode *node;
  JsonArray *diff_ids;
  const char *created;

  self->root = parse_json_object (bytes, "image config", error);
  if (self->root == NULL)
    return NULL;
  object = json_node_get_object (self->root);
  self->os = g_strdup (get_string (object, "os"));
  self->architecture = g_strdup (get_string (object, "architecture"));
  self->variant = g_strdup (get_string (object, "variant"));
  created = get_string (object, "created");
  if (created != NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (created, NULL);
      if (dt != NULL)
        self->created = g_date_time_to_unix (dt);
    }

  /* what containers run: of the shapes docker's daemon reads (Cmd, Entrypoint: a list of strings
   * or one; Env, Shell: a list), or the image is refused here, before anything is stored */
  node = json_object_get_member (object, "config");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) && !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "the image config's config is not an object"), NULL;
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      static const struct { const char *name; gboolean one_string; } lists[] = {
        { "Cmd", TRUE }, { "Entrypoint", TRUE }, { "Env", FALSE }, { "Shell", FALSE },
      };

      for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
        {
          g_auto(GStrv) strv = NULL;

          if (!hatake_json_strv_member (json_node_get_object (node), lists[i].name, lists[i].one_string, &strv, NULL))
            return invalid (error, "the image config's config.%s is not a list of strings", lists[i].name), NULL;
        }
    }

  node = json_object_get_member (object, "rootfs");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "the image config has no rootfs"), NULL;
  rootfs = json_node_get_object (node);
  if (g_strcmp0 (get_string (rootfs, "type"), "layers") != 0)
    return invalid (error, "the image config's rootfs type is not “layers”"), NULL;
  node = json_object_get_member (rootfs, "diff_ids");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "the image config has no rootfs.diff_ids"), NULL;
  diff_ids = json_node_get_array (node);
  self->diff_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (diff_ids); i++)
    {
      JsonNode *e = json_array_get_element (diff_ids, i);
      const char *id = JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING
                       ? json_node_get_string (e) : NULL;
      if (!hatake_digest_is_valid (id))
        return invalid (error, "diff ID %u of the image config is not a sha256 digest", i + 1), NULL;
      g_ptr_array_add (self->diff_ids, g_strdup (id));
    }
  return g_steal_pointer (&self);
}

/* chain(1) = diff(1); chain(n) = sha256(chain(n-1) + " " + diff(n)), as the OCI spec defines. */
char *
hatake_chain_id (const char *parent_chain_id,
                 const char *diff_id)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (diff_id != NULL, NULL);
  if (parent_chain_id == NULL)
    return g_strdup (diff_id);
  text = g_strconcat (parent_chain_id, " ", diff_id, NULL);
  return hatake_sha256_data (text, strlen (text));
}
