/* hatake-compose-project-private.h: what the loader fills in a HatakeComposeProject
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-compose-private.h"
#include "hatake-compose-project.h"

G_BEGIN_DECLS

struct _HatakeComposeProject
{
  GObject     parent_instance;

  char       *name;
  char       *dir;
  GStrv       files;
  GPtrArray  *services;   /* of HatakeComposeService, sorted by name */
  GStrv       disabled;
  GPtrArray  *networks;   /* of HatakeComposeNetwork, sorted by key */
  GPtrArray  *volumes;
  GPtrArray  *secrets;    /* of HatakeComposeResource */
  GPtrArray  *configs;
  GStrv       warnings;
};

void _hatake_compose_network_free  (HatakeComposeNetwork  *network);
void _hatake_compose_volume_free   (HatakeComposeVolume   *volume);
void _hatake_compose_resource_free (HatakeComposeResource *resource);

/* hatake-compose-resources.c: the top-level networks, volumes, secrets and configs (node: the
 * section, NULL when absent), named for project, appended to out sorted by key */
gboolean _hatake_compose_parse_networks  (const char                 *project,
                                          HatakeComposeNode          *node,
                                          GPtrArray                  *out,
                                          GError                    **error);
gboolean _hatake_compose_parse_volumes   (const char                 *project,
                                          HatakeComposeNode          *node,
                                          GPtrArray                  *out,
                                          GError                    **error);
gboolean _hatake_compose_parse_resources (const char                 *project,
                                          const char                 *section,
                                          HatakeComposeContext       *ctx,
                                          HatakeComposeNode          *node,
                                          GPtrArray                  *out,
                                          GError                    **error);

/* hatake-compose-load.c: fills self from options (files NULL: data is the one file) */
gboolean _hatake_compose_project_fill (HatakeComposeProject       *self,
                                       const HatakeComposeOptions *options,
                                       const char                 *data,
                                       gssize                      length,
                                       const char                 *file_name,
                                       GError                    **error);

/* hatake-compose-secrets.c: the service's secrets and configs given by a file, as read-only
 * bind mounts added to config; those given by environment or content, as a tar to put at / in
 * its containers once created (NULL and no error: none) */
void    _hatake_compose_add_file_mounts   (HatakeComposeProject  *self,
                                           HatakeComposeService  *service,
                                           HatakeContainerConfig *config);
GBytes *_hatake_compose_file_contents_tar (HatakeComposeProject  *self,
                                           HatakeComposeService  *service,
                                           GError               **error);

G_END_DECLS
