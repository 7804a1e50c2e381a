/* hatake-container-group.h: a compose project's row in the containers list
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HATAKE_TYPE_CONTAINER_GROUP (hatake_container_group_get_type ())
G_DECLARE_FINAL_TYPE (HatakeContainerGroup, hatake_container_group, HATAKE, CONTAINER_GROUP, GObject)

/* The containers of CONTAINERS (a list of HatakeContainer, kept in its order) whose
 * com.docker.compose.project label is PROJECT. */
HatakeContainerGroup *hatake_container_group_new          (const char           *project,
                                                           GListModel           *containers);
const char           *hatake_container_group_get_project  (HatakeContainerGroup *self);
GListModel           *hatake_container_group_get_children (HatakeContainerGroup *self);

G_END_DECLS
