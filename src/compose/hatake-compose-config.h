/* hatake-compose-config.h: a loaded project written back as a compose file (`compose config`)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-compose-project.h"
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The project as the files say it once loaded (interpolated, merged, extends and profiles
 * applied, paths absolute), in the shape of a compose file. */
JsonNode *hatake_compose_project_to_json (HatakeComposeProject  *project);
/* JSON as YAML, block style, written by libyaml's emitter. */
char     *hatake_compose_json_to_yaml    (JsonNode              *node,
                                          GError               **error);

G_END_DECLS
