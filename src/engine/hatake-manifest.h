/* hatake-manifest.h: image manifests, indexes and configs (Docker schema 2 and OCI)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define HATAKE_MEDIA_DOCKER_MANIFEST      "application/vnd.docker.distribution.manifest.v2+json"
#define HATAKE_MEDIA_DOCKER_LIST          "application/vnd.docker.distribution.manifest.list.v2+json"
#define HATAKE_MEDIA_DOCKER_SCHEMA1       "application/vnd.docker.distribution.manifest.v1+json"
#define HATAKE_MEDIA_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define HATAKE_MEDIA_DOCKER_CONFIG        "application/vnd.docker.container.image.v1+json"
#define HATAKE_MEDIA_DOCKER_LAYER_GZIP    "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define HATAKE_MEDIA_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define HATAKE_MEDIA_OCI_MANIFEST         "application/vnd.oci.image.manifest.v1+json"
#define HATAKE_MEDIA_OCI_INDEX            "application/vnd.oci.image.index.v1+json"
#define HATAKE_MEDIA_OCI_CONFIG           "application/vnd.oci.image.config.v1+json"
#define HATAKE_MEDIA_OCI_LAYER            "application/vnd.oci.image.layer.v1.tar"
#define HATAKE_MEDIA_OCI_LAYER_GZIP       "application/vnd.oci.image.layer.v1.tar+gzip"
#define HATAKE_MEDIA_OCI_LAYER_ZSTD       "application/vnd.oci.image.layer.v1.tar+zstd"

/* What a pull asks registries for, best first. */
#define HATAKE_MANIFEST_ACCEPT \
  HATAKE_MEDIA_OCI_INDEX ", " HATAKE_MEDIA_DOCKER_LIST ", " HATAKE_MEDIA_OCI_MANIFEST ", " \
  HATAKE_MEDIA_DOCKER_MANIFEST ", " HATAKE_MEDIA_DOCKER_SCHEMA1_SIGNED ", " HATAKE_MEDIA_DOCKER_SCHEMA1

#define HATAKE_MAX_CONFIG_SIZE (8 * 1024 * 1024)

typedef struct
{
  char   *media_type;
  char   *digest;
  gint64  size;
  /* index entries only */
  char   *os;
  char   *architecture;
  char   *variant;
  gboolean attestation;
} HatakeDescriptor;

typedef struct
{
  gboolean  is_index;
  char     *media_type;
  HatakeDescriptor *config;      /* image manifests */
  GPtrArray *layers;             /* of HatakeDescriptor, image manifests */
  GPtrArray *manifests;          /* of HatakeDescriptor, indexes */
} HatakeManifest;

typedef struct
{
  char     *os;
  char     *architecture;
  char     *variant;
  gint64    created;             /* unix seconds, 0 when unknown */
  GPtrArray *diff_ids;           /* of char * */
  JsonNode *root;                /* the whole config, for inspect */
} HatakeImageConfig;

typedef struct
{
  char *os;
  char *architecture;
  char *variant;
} HatakePlatform;

HatakeManifest    *hatake_manifest_parse         (GBytes                *bytes,
                                                  const char            *content_type,
                                                  GError               **error);
void               hatake_manifest_free          (HatakeManifest        *self);
const HatakeDescriptor *hatake_manifest_select_platform (HatakeManifest *self,
                                                  const HatakePlatform  *platform,
                                                  GError               **error);
HatakeImageConfig *hatake_image_config_parse     (GBytes                *bytes,
                                                  GError               **error);
void               hatake_image_config_free      (HatakeImageConfig     *self);

HatakePlatform    *hatake_platform_parse         (const char            *text,
                                                  GError               **error);
HatakePlatform    *hatake_platform_host          (void);
char              *hatake_platform_to_string     (const HatakePlatform  *self);
void               hatake_platform_free          (HatakePlatform        *self);
char              *hatake_chain_id               (const char            *parent_chain_id,
                                                  const char            *diff_id);
gboolean           hatake_layer_media_type_is_supported (const char     *media_type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeManifest, hatake_manifest_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeImageConfig, hatake_image_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakePlatform, hatake_platform_free)

G_END_DECLS
