/* hatake-compose-runner.h: a compose project run on an engine (up, down, start, stop, logs…)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything goes through the HatakeEngine interface, so a project runs the same on the local
 * engine and on a remote one. Containers, networks and volumes carry docker compose's labels
 * (com.docker.compose.project, .service, .network, .volume, .config-hash…): what a project owns
 * is found by them, by this runner and by every other tool.
 */
#pragma once

#include "hatake-compose-project.h"
#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_COMPOSE_CONFIG_HASH_LABEL "com.docker.compose.config-hash"
#define HATAKE_COMPOSE_SERVICE_LABEL     "com.docker.compose.service"
#define HATAKE_COMPOSE_NUMBER_LABEL      "com.docker.compose.container-number"
#define HATAKE_COMPOSE_ONEOFF_LABEL      "com.docker.compose.oneoff"

/* What happens, as docker compose prints it: KIND is "Network", "Volume", "Container", "Image"
 * or "Warning" (then NAME is the message and STATUS NULL); STATUS is docker compose's word
 * ("Created", "Recreated", "Running", "Started", "Stopped", "Removed", "Pulling", "Pulled",
 * "Waiting", "Exited", "Healthy"). Called on the main context. */
typedef void (*HatakeComposeEventFunc) (const char *kind,
                                        const char *name,
                                        const char *status,
                                        gpointer    user_data);

typedef struct
{
  const char * const     *services;        /* up, start, stop, restart: NULL for all (up adds
                                            * what they depend on) */
  gboolean                volumes;         /* down -v: the project's named volumes too */
  gboolean                remove_orphans;  /* down, up: containers of services not in the files */
  int                     timeout;         /* stop, restart, down: seconds, -1: the container's */
  gboolean                no_start;        /* up: create only */
  gboolean                wait;            /* up: until every service's containers run, healthy
                                            * when they have a healthcheck (up --wait) */
  HatakeComposeEventFunc  event;
  gpointer                event_data;
} HatakeComposeRunOptions;

#define HATAKE_COMPOSE_RUN_OPTIONS_INIT { .services = NULL, .volumes = FALSE, .remove_orphans = FALSE, \
                                          .timeout = -1, .no_start = FALSE, .wait = FALSE, .event = NULL, \
                                          .event_data = NULL }

typedef enum
{
  HATAKE_COMPOSE_OP_START,
  HATAKE_COMPOSE_OP_STOP,
  HATAKE_COMPOSE_OP_RESTART,
  HATAKE_COMPOSE_OP_DOWN,
} HatakeComposeOp;

/* Networks (<project>_default and the declared ones; external ones must exist), volumes, the
 * images that are missing (pulled), then each service's containers in dependency order, each
 * started once what it depends on is in the state depends_on asks for. A container whose
 * config-hash label differs from its service's is recreated, the others are left running.
 * Fails at the first error, naming the service; a container created whose start failed is
 * removed again, so what stays is running or has run. */
void      hatake_compose_up_async     (HatakeEngine                  *engine,
                                       HatakeComposeProject          *project,
                                       const HatakeComposeRunOptions *options,
                                       GCancellable                  *cancellable,
                                       GAsyncReadyCallback            callback,
                                       gpointer                       user_data);
gboolean  hatake_compose_up_finish    (HatakeEngine                  *engine,
                                       GAsyncResult                  *result,
                                       GError                       **error);

/* start, stop, restart the project's containers (in dependency order, stop in reverse), or
 * down: stop and remove them (one-off ones too; orphans with remove_orphans), then the
 * project's networks and, with volumes, its named volumes (never external ones). */
void      hatake_compose_op_async     (HatakeEngine                  *engine,
                                       HatakeComposeProject          *project,
                                       HatakeComposeOp                op,
                                       const HatakeComposeRunOptions *options,
                                       GCancellable                  *cancellable,
                                       GAsyncReadyCallback            callback,
                                       gpointer                       user_data);
gboolean  hatake_compose_op_finish    (HatakeEngine                  *engine,
                                       GAsyncResult                  *result,
                                       GError                       **error);

/* The containers of the project named PROJECT (of HatakeContainer, referenced): SERVICE's alone
 * unless NULL, one-off ones (compose run) only with ONEOFF; sorted by service, then number. */
GPtrArray *hatake_compose_get_containers (HatakeEngine               *engine,
                                          const char                 *project,
                                          const char                 *service,
                                          gboolean                    oneoff);

/* The projects that have containers on the engine, as docker compose ls shows them: an array
 * of {"Name", "Status" ("running(2), exited(1)"), "ConfigFiles"}, sorted by name. */
JsonNode  *hatake_compose_list_projects  (HatakeEngine               *engine);

/* The SHA-256 (hex) of what SERVICE's containers are created from, its number left out: what
 * the config-hash label holds, and what tells up whether a container is to be recreated. */
char      *hatake_compose_config_hash    (HatakeComposeProject       *project,
                                          HatakeComposeService       *service);

/* Each entry of CONTAINER's log, with the container it comes from. */
typedef void (*HatakeComposeLogFunc) (HatakeContainer      *container,
                                      const HatakeLogEntry *entry,
                                      gpointer              user_data);

/* The logs of CONTAINERS (of HatakeContainer) merged as they come; with options->follow until
 * every one has exited (or CANCELLABLE is cancelled: then no error). */
void      hatake_compose_logs_async   (HatakeEngine                  *engine,
                                       GPtrArray                     *containers,
                                       const HatakeLogOptions        *options,
                                       HatakeComposeLogFunc           func,
                                       gpointer                       func_data,
                                       GCancellable                  *cancellable,
                                       GAsyncReadyCallback            callback,
                                       gpointer                       user_data);
gboolean  hatake_compose_logs_finish  (HatakeEngine                  *engine,
                                       GAsyncResult                  *result,
                                       GError                       **error);

/* What the engine says of CONTAINER's health. The engine has no healthchecks yet: always NONE
 * for now; service_healthy then waits as service_started does (and up says so). */
typedef enum
{
  HATAKE_COMPOSE_HEALTH_NONE,
  HATAKE_COMPOSE_HEALTH_STARTING,
  HATAKE_COMPOSE_HEALTH_HEALTHY,
  HATAKE_COMPOSE_HEALTH_UNHEALTHY,
} HatakeComposeHealth;

HatakeComposeHealth hatake_compose_container_health (HatakeEngine    *engine,
                                                     HatakeContainer *container);

G_END_DECLS
