/* hatake-compose-project.h: a compose project read from its files (compose specification)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading does everything up to a plan: the files are read (libyaml), each interpolated with the
 * environment over the project's .env, merged in order (-f a -f b, or compose.yaml with its
 * override file), extends resolved, validated, the profiles applied. What comes back is a whole,
 * valid project or nothing and an error (HATAKE_ERROR_CONFIG, "FILE:LINE:COLUMN: PATH: what was
 * expected"). A runner then takes hatake_compose_project_get_order() and, for each service and
 * replica, hatake_compose_project_container_config().
 */
#pragma once

#include <glib-object.h>

#include "hatake-compose-service.h"
#include "hatake-container-config.h"

G_BEGIN_DECLS

/* What com.docker.compose.version says on our containers: the docker compose whose behaviour
 * this parser follows. */
#define HATAKE_COMPOSE_VERSION "2.24.0"

typedef struct
{
  const char         *project_dir;   /* NULL: the first file's folder, else the current one */
  const char * const *files;         /* -f; NULL: COMPOSE_FILE, else compose.yaml (or .yml,
                                      * docker-compose.yaml, .yml) in project_dir and its override */
  const char         *project_name;  /* -p; NULL: COMPOSE_PROJECT_NAME, name:, the folder's name */
  const char * const *environ;       /* KEY=VALUE as g_get_environ(); NULL: this process's */
  const char * const *profiles;      /* --profile; NULL: COMPOSE_PROFILES */
  const char * const *services;      /* services named by the caller: active whatever their profiles */
} HatakeComposeOptions;

typedef struct
{
  char    *key;                      /* the name in the file */
  char    *name;                     /* the engine's: <project>_<key>, or name: */
  char    *driver;
  GStrv    driver_opts;              /* KEY=VALUE */
  gboolean external;
  gboolean internal;
  gboolean attachable;
  gboolean enable_ipv6;
  GStrv    labels;                   /* KEY=VALUE */
  char      *ipam_driver;
  GPtrArray *ipam;                   /* of HatakeComposeIpam */
} HatakeComposeNetwork;

typedef struct
{
  char *subnet;
  char *gateway;
  char *ip_range;
} HatakeComposeIpam;

typedef struct
{
  char    *key;
  char    *name;                     /* <project>_<key>, or name: */
  char    *driver;
  GStrv    driver_opts;
  gboolean external;
  GStrv    labels;
} HatakeComposeVolume;

/* A top-level secret or config: one of file, environment and content, or external. */
typedef struct
{
  char    *key;
  char    *name;
  char    *file;                     /* absolute */
  char    *environment;              /* the variable's name */
  char    *value;                    /* environment's value when loaded (NULL: not set) */
  char    *content;
  gboolean external;
  GStrv    labels;
} HatakeComposeResource;

#define HATAKE_TYPE_COMPOSE_PROJECT (hatake_compose_project_get_type ())
G_DECLARE_FINAL_TYPE (HatakeComposeProject, hatake_compose_project, HATAKE, COMPOSE_PROJECT, GObject)

HatakeComposeProject *hatake_compose_project_load           (const HatakeComposeOptions *options,
                                                             GError                    **error);
/* One file's text (the app's preview, tests, fuzzers): file_name is what errors name and what
 * extends resolve against; options->files is not used. */
HatakeComposeProject *hatake_compose_project_load_from_data (const HatakeComposeOptions *options,
                                                             const char                 *data,
                                                             gssize                      length,
                                                             const char                 *file_name,
                                                             GError                    **error);

const char           *hatake_compose_project_get_name        (HatakeComposeProject *self);
/* Absolute. */
const char           *hatake_compose_project_get_dir         (HatakeComposeProject *self);
/* The files read, absolute, in merge order (empty for load_from_data). */
const char * const   *hatake_compose_project_get_files       (HatakeComposeProject *self);
/* The active services, sorted by name (of HatakeComposeService). */
GPtrArray            *hatake_compose_project_get_services    (HatakeComposeProject *self);
HatakeComposeService *hatake_compose_project_get_service     (HatakeComposeProject *self,
                                                             const char           *name);
/* Services left out by their profiles, sorted. */
const char * const   *hatake_compose_project_get_disabled    (HatakeComposeProject *self);
/* The networks and volumes the active services need, sorted by key (of HatakeComposeNetwork,
 * HatakeComposeVolume): "default" is there when a service is on it. */
GPtrArray            *hatake_compose_project_get_networks    (HatakeComposeProject *self);
GPtrArray            *hatake_compose_project_get_volumes     (HatakeComposeProject *self);
HatakeComposeNetwork *hatake_compose_project_get_network     (HatakeComposeProject *self,
                                                             const char           *key);
HatakeComposeVolume  *hatake_compose_project_get_volume      (HatakeComposeProject *self,
                                                             const char           *key);
GPtrArray            *hatake_compose_project_get_secrets     (HatakeComposeProject *self);
GPtrArray            *hatake_compose_project_get_configs     (HatakeComposeProject *self);
/* What the user should be told (unset variables, fields read but not used), as compose says it. */
const char * const   *hatake_compose_project_get_warnings    (HatakeComposeProject *self);

/* The active services, each after what it depends on (ties by name): the order to create them in
 * (the reverse is the order to stop them). */
GPtrArray            *hatake_compose_project_get_order       (HatakeComposeProject *self);
/* <project>-<service>-<number> as compose v2 names them, or container_name. number from 1. */
char                 *hatake_compose_project_container_name  (HatakeComposeProject *self,
                                                             HatakeComposeService *service,
                                                             guint                 number);
/* The image a service runs: image:, else <project>-<service> (what its build is tagged). */
char                 *hatake_compose_project_image_name      (HatakeComposeProject *self,
                                                             HatakeComposeService *service);
/* The labels compose puts on a service's containers (com.docker.compose.*), KEY=VALUE, sorted. */
GStrv                 hatake_compose_project_container_labels (HatakeComposeProject *self,
                                                              HatakeComposeService *service,
                                                              guint                 number);
/* What the number-th container of service is created from: the service's fields, its labels
 * with compose's, volumes and networks by their engine names. What a HatakeContainerConfig cannot
 * say (healthcheck, build, depends_on, the secrets given by content…) stays in the service. */
HatakeContainerConfig *hatake_compose_project_container_config (HatakeComposeProject *self,
                                                               HatakeComposeService *service,
                                                               guint                 number);

/* Whether name is a valid project name ([a-z0-9][a-z0-9_-]*). */
gboolean              hatake_compose_project_name_is_valid   (const char           *name);

G_END_DECLS
