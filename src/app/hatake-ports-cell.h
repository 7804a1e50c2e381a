/* hatake-ports-cell.h: a container's published ports, as links that open in the browser
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hatake-core.h"
#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_PORTS_CELL (hatake_ports_cell_get_type ())
G_DECLARE_FINAL_TYPE (HatakePortsCell, hatake_ports_cell, HATAKE, PORTS_CELL, GtkWidget)

GtkWidget       *hatake_ports_cell_new           (void);
void             hatake_ports_cell_set_engine    (HatakePortsCell *self,
                                                  HatakeEngine    *engine);
HatakeContainer *hatake_ports_cell_get_container (HatakePortsCell *self);
void             hatake_ports_cell_set_container (HatakePortsCell *self,
                                                  HatakeContainer *container);

/* The address a published port is reached at from this computer: "http://localhost:8080/"
 * for every address (0.0.0.0, ::, ""), "http://[::1]:8080/" for an IPv6 one. */
char            *hatake_ports_cell_uri_for       (const char      *host_ip,
                                                  const char      *host_port);
/* What the link says, docker ps's way: "0.0.0.0:8080→80/tcp" */
char            *hatake_ports_cell_text_for      (const char      *host_ip,
                                                  const char      *host_port,
                                                  const char      *container_port);

G_END_DECLS
