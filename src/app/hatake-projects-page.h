/* hatake-projects-page.h: the compose projects the engine runs, their services, actions and logs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_PROJECTS_PAGE (hatake_projects_page_get_type ())
G_DECLARE_FINAL_TYPE (HatakeProjectsPage, hatake_projects_page, HATAKE, PROJECTS_PAGE, GtkWidget)

typedef enum
{
  HATAKE_PROJECTS_PAGE_UP,
  HATAKE_PROJECTS_PAGE_DOWN,
  HATAKE_PROJECTS_PAGE_RESTART,
  HATAKE_PROJECTS_PAGE_PULL,
} HatakeProjectsPageOp;

GtkWidget     *hatake_projects_page_new          (HatakeEngine       *engine);
HatakeEngine  *hatake_projects_page_get_engine   (HatakeProjectsPage *self);
void           hatake_projects_page_set_engine   (HatakeProjectsPage *self,
                                                  HatakeEngine       *engine);
/* Selects the project named NAME; FALSE when the engine has none of that name. */
gboolean       hatake_projects_page_select       (HatakeProjectsPage *self,
                                                  const char         *name);
/* Returns: (nullable) (transfer none): the project shown */
HatakeProject *hatake_projects_page_get_selected (HatakeProjectsPage *self);
/* What the toolbar's and the service rows' buttons do: OP on the project shown, or on its
 * SERVICE alone (down then stops and removes that service's containers). */
void           hatake_projects_page_run          (HatakeProjectsPage   *self,
                                                  HatakeProjectsPageOp  op,
                                                  const char           *service);
/* How many operations run now. */
guint          hatake_projects_page_get_n_running_ops (HatakeProjectsPage *self);

G_END_DECLS
