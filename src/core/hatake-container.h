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
/* docker's status text: "Up 3 minutes", "Exited (0) 2 seconds ago", "Created", … */
char                *hatake_container_dup_status      (HatakeContainer      *self,
                                                       gint64                now_usec);

G_END_DECLS
