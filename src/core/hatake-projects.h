/* hatake-projects.h: the compose projects an engine runs, as a live model
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Read from the labels docker compose (and `hatake compose`) put on containers, so a project
 * brought up by either, on any engine, is seen the same way. The model follows the engine's
 * containers model: projects and services appear, change and go as their containers do.
 */
#pragma once

#include <gio/gio.h>

#include "hatake-container.h"

G_BEGIN_DECLS

#define HATAKE_PROJECT_SERVICE_LABEL     "com.docker.compose.service"
#define HATAKE_PROJECT_NUMBER_LABEL      "com.docker.compose.container-number"
#define HATAKE_PROJECT_WORKING_DIR_LABEL "com.docker.compose.project.working_dir"
#define HATAKE_PROJECT_FILES_LABEL       "com.docker.compose.project.config_files"

#define HATAKE_TYPE_PROJECT_SERVICE (hatake_project_service_get_type ())
G_DECLARE_FINAL_TYPE (HatakeProjectService, hatake_project_service, HATAKE, PROJECT_SERVICE, GObject)

const char *hatake_project_service_get_name       (HatakeProjectService *self);
/* Its containers (HatakeContainer), by container number. */
GListModel *hatake_project_service_get_containers (HatakeProjectService *self);
guint       hatake_project_service_get_n_running  (HatakeProjectService *self);
/* "running(2), exited(1)": the containers counted by state, states by name, as compose ls says. */
const char *hatake_project_service_get_status     (HatakeProjectService *self);

#define HATAKE_TYPE_PROJECT (hatake_project_get_type ())
G_DECLARE_FINAL_TYPE (HatakeProject, hatake_project, HATAKE, PROJECT, GObject)

const char *hatake_project_get_name         (HatakeProject *self);
/* From its containers' labels; NULL when none says. */
const char *hatake_project_get_working_dir  (HatakeProject *self);
/* Comma-separated, as the label holds them. */
const char *hatake_project_get_config_files (HatakeProject *self);
/* Its services (HatakeProjectService), by name. */
GListModel *hatake_project_get_services     (HatakeProject *self);
guint       hatake_project_get_n_containers (HatakeProject *self);
guint       hatake_project_get_n_running    (HatakeProject *self);
const char *hatake_project_get_status       (HatakeProject *self);

#define HATAKE_TYPE_PROJECTS (hatake_projects_get_type ())
G_DECLARE_FINAL_TYPE (HatakeProjects, hatake_projects, HATAKE, PROJECTS, GObject)

/* A list of HatakeProject, by name, following containers (a list of HatakeContainer). */
HatakeProjects *hatake_projects_new    (GListModel     *containers);
HatakeProject  *hatake_projects_lookup (HatakeProjects *self,
                                        const char     *name);

G_END_DECLS
