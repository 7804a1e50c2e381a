/* hatake-container.h: a container as the engine lists it, and its state machine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* DESIGN.md's states. Every change goes through hatake_container_transition(), which consults
 * the one table in hatake-container.c. */
typedef enum
{
  HATAKE_CONTAINER_CREATED,
  HATAKE_CONTAINER_RUNNING,
  HATAKE_CONTAINER_PAUSED,
  HATAKE_CONTAINER_RESTARTING,
  HATAKE_CONTAINER_EXITED,
  HATAKE_CONTAINER_REMOVING,
  HATAKE_CONTAINER_DEAD,
  HATAKE_CONTAINER_REMOVED,      /* gone: the object outlives the container for its holders */
} HatakeContainerState;

#define HATAKE_N_CONTAINER_STATES (HATAKE_CONTAINER_REMOVED + 1)

#define HATAKE_TYPE_CONTAINER_STATE (hatake_container_state_get_type ())
GType        hatake_container_state_get_type  (void) G_GNUC_CONST;
/* docker's words: "created", "running", "paused", "restarting", "exited", "removing", "dead",
 * and "removed" for ours. These are the GEnum nicknames. */
const char  *hatake_container_state_to_string (HatakeContainerState state);
gboolean     hatake_container_state_from_string (const char           *text,
                                                 HatakeContainerState *out);

/* Whether the table allows from → to. No self-transitions; nothing leaves removed. */
gboolean     hatake_container_state_allows    (HatakeContainerState  from,
                                               HatakeContainerState  to);

/* docker's State.Health.Status; none: the container has no healthcheck (or it has not started
 * since it was created, or no engine that runs healthchecks has seen it run). */
typedef enum
{
  HATAKE_HEALTH_NONE,
  HATAKE_HEALTH_STARTING,     /* since the start, until a probe succeeds or retries fail */
  HATAKE_HEALTH_HEALTHY,
  HATAKE_HEALTH_UNHEALTHY,
} HatakeHealthStatus;

#define HATAKE_TYPE_HEALTH_STATUS (hatake_health_status_get_type ())
GType        hatake_health_status_get_type    (void) G_GNUC_CONST;
/* "none", "starting", "healthy", "unhealthy": docker's words, the GEnum nicknames */
const char  *hatake_health_status_to_string   (HatakeHealthStatus    status);
gboolean     hatake_health_status_from_string (const char           *text,
                                               HatakeHealthStatus   *out);

/* One probe, as docker's HealthcheckResult */
typedef struct
{
  gint64  start;       /* µs since the epoch */
  gint64  end;
  int     exit_code;   /* 0: healthy, else a failure; -1: it could not run or timed out */
  char   *output;      /* stdout and stderr, at most HATAKE_HEALTH_MAX_OUTPUT bytes */
} HatakeHealthResult;

#define HATAKE_HEALTH_MAX_OUTPUT 4096
#define HATAKE_HEALTH_LOG_SIZE   5

#define HATAKE_TYPE_HEALTH_RESULT (hatake_health_result_get_type ())
GType               hatake_health_result_get_type (void) G_GNUC_CONST;
HatakeHealthResult *hatake_health_result_new      (gint64                    start,
                                                   gint64                    end,
                                                   int                       exit_code,
                                                   const char               *output);
HatakeHealthResult *hatake_health_result_copy     (const HatakeHealthResult *self);
void                hatake_health_result_free     (HatakeHealthResult       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeHealthResult, hatake_health_result_free)

#define HATAKE_TYPE_CONTAINER (hatake_container_get_type ())
G_DECLARE_FINAL_TYPE (HatakeContainer, hatake_container, HATAKE, CONTAINER, GObject)

HatakeContainer     *hatake_container_new             (const char           *id,
                                                       const char           *name);
/* The label docker compose puts on a project's containers */
#define HATAKE_CONTAINER_PROJECT_LABEL "com.docker.compose.project"
const char * const  *hatake_container_get_labels      (HatakeContainer      *self);
void                 hatake_container_set_labels      (HatakeContainer      *self,
                                                       const char * const   *labels);
const char          *hatake_container_get_label       (HatakeContainer      *self,
                                                       const char           *key);
const char          *hatake_container_get_project     (HatakeContainer      *self);
const char          *hatake_container_get_id          (HatakeContainer      *self);
char                *hatake_container_dup_short_id    (HatakeContainer      *self);
const char          *hatake_container_get_name        (HatakeContainer      *self);
void                 hatake_container_set_name        (HatakeContainer      *self,
                                                       const char           *name);
const char          *hatake_container_get_image       (HatakeContainer      *self);
void                 hatake_container_set_image       (HatakeContainer      *self,
                                                       const char           *image);
const char          *hatake_container_get_image_id    (HatakeContainer      *self);
void                 hatake_container_set_image_id    (HatakeContainer      *self,
                                                       const char           *image_id);
const char          *hatake_container_get_command     (HatakeContainer      *self);
void                 hatake_container_set_command     (HatakeContainer      *self,
                                                       const char           *command);
HatakeContainerState hatake_container_get_state       (HatakeContainer      *self);
/* The one way to change the state: refuses what the table refuses with
 * HATAKE_ERROR_INVALID_STATE, naming the container, the state and the operation. */
gboolean             hatake_container_transition      (HatakeContainer      *self,
                                                       HatakeContainerState  to,
                                                       GError              **error);
/* A remote engine's container: the state its engine reports, which that engine's own table
 * already allowed (the client may see only the end of several steps). Never for local ones. */
void                 hatake_container_mirror_state    (HatakeContainer      *self,
                                                       HatakeContainerState  state);
/* Checks, without changing anything, whether an operation may start: the app enables its
 * actions with this, the engine refuses with its error. */
gboolean             hatake_container_can             (HatakeContainer      *self,
                                                       HatakeContainerState  to,
                                                       GError              **error);
int                  hatake_container_get_exit_code   (HatakeContainer      *self);
void                 hatake_container_set_exit_code   (HatakeContainer      *self,
                                                       int                   exit_code);
gboolean             hatake_container_get_oom_killed  (HatakeContainer      *self);
void                 hatake_container_set_oom_killed  (HatakeContainer      *self,
                                                       gboolean              oom_killed);
const char          *hatake_container_get_error       (HatakeContainer      *self);
void                 hatake_container_set_error       (HatakeContainer      *self,
                                                       const char           *error);
gint64               hatake_container_get_created     (HatakeContainer      *self);
void                 hatake_container_set_created     (HatakeContainer      *self,
                                                       gint64                created_usec);
gint64               hatake_container_get_started_at  (HatakeContainer      *self);
void                 hatake_container_set_started_at  (HatakeContainer      *self,
                                                       gint64                usec);
gint64               hatake_container_get_finished_at (HatakeContainer      *self);
void                 hatake_container_set_finished_at (HatakeContainer      *self,
                                                       gint64                usec);
int                  hatake_container_get_pid         (HatakeContainer      *self);
void                 hatake_container_set_pid         (HatakeContainer      *self,
                                                       int                   pid);
guint                hatake_container_get_restart_count (HatakeContainer    *self);
void                 hatake_container_set_restart_count (HatakeContainer    *self,
                                                       guint                 count);
double               hatake_container_get_cpu_percent (HatakeContainer    *self);
gint64               hatake_container_get_memory_usage (HatakeContainer   *self);
gint64               hatake_container_get_memory_limit (HatakeContainer   *self);
guint                hatake_container_get_pids        (HatakeContainer    *self);
void                 hatake_container_set_usage       (HatakeContainer    *self,
                                                       double              cpu_percent,
                                                       gint64              memory_usage,
                                                       gint64              memory_limit,
                                                       guint               pids);
/* The "net-rx-bytes", "net-tx-bytes", "block-read-bytes" and "block-write-bytes" properties:
 * totals since the start, sampled as the usage above */
gint64               hatake_container_get_net_rx_bytes (HatakeContainer   *self);
gint64               hatake_container_get_net_tx_bytes (HatakeContainer   *self);
gint64               hatake_container_get_block_read_bytes (HatakeContainer *self);
gint64               hatake_container_get_block_write_bytes (HatakeContainer *self);
void                 hatake_container_set_io          (HatakeContainer    *self,
                                                       gint64              net_rx_bytes,
                                                       gint64              net_tx_bytes,
                                                       gint64              block_read_bytes,
                                                       gint64              block_write_bytes);
/* The "health" property (a HatakeHealthStatus, notified when it changes: the app and the compose
 * runner wait for HATAKE_HEALTH_HEALTHY on it), with the "health-failing-streak" property beside
 * it. The engine that probes sets them (the local engine while it runs healthchecks; a remote
 * engine's as its State.Health says); status shows it as docker ps does. */
HatakeHealthStatus   hatake_container_get_health_status (HatakeContainer  *self);
guint                hatake_container_get_health_failing_streak (HatakeContainer *self);
void                 hatake_container_set_health      (HatakeContainer      *self,
                                                       HatakeHealthStatus    status,
                                                       guint                 failing_streak);
/* The last HATAKE_HEALTH_LOG_SIZE probes, oldest first: a GPtrArray of HatakeHealthResult
 * (borrowed; the "health-log" property notifies changes) */
GPtrArray           *hatake_container_get_health_log  (HatakeContainer      *self);
void                 hatake_container_add_health_result (HatakeContainer    *self,
                                                       const HatakeHealthResult *result);
/* Replaces the log (a remote engine's); NULL empties it */
void                 hatake_container_set_health_log  (HatakeContainer      *self,
                                                       GPtrArray            *log);
/* docker's status text: "Up 3 minutes", "Up 5 seconds (healthy)", "Exited (0) 2 seconds ago",
 * "Created", … */
char                *hatake_container_dup_status      (HatakeContainer      *self,
                                                       gint64                now_usec);

G_END_DECLS
