/* hatake-container-details.h: one container up close: overview, logs, resource use
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_CONTAINER_DETAILS (hatake_container_details_get_type ())
G_DECLARE_FINAL_TYPE (HatakeContainerDetails, hatake_container_details, HATAKE, CONTAINER_DETAILS, GtkWidget)

/* The header's operation buttons use the actions "container.start", "container.stop",
 * "container.restart", "container.pause", "container.unpause" and "container.delete", and the
 * back button "containers.show-list": an ancestor (the containers page) provides them. */
GtkWidget       *hatake_container_details_new           (HatakeEngine           *engine,
                                                         HatakeContainer        *container);
HatakeEngine    *hatake_container_details_get_engine    (HatakeContainerDetails *self);
HatakeContainer *hatake_container_details_get_container (HatakeContainerDetails *self);

/* The last inspect result, or NULL while the first one is on its way. */
JsonNode        *hatake_container_details_get_inspect   (HatakeContainerDetails *self);

/* A line graph of the last HATAKE_STATS_GRAPH_SAMPLES values, drawn with GtkSnapshot.
 * TODO: its own hatake-stats-graph.{c,h} when more pages graph things. */
#define HATAKE_STATS_GRAPH_SAMPLES 60

#define HATAKE_TYPE_STATS_GRAPH (hatake_stats_graph_get_type ())
G_DECLARE_FINAL_TYPE (HatakeStatsGraph, hatake_stats_graph, HATAKE, STATS_GRAPH, GtkWidget)

GtkWidget *hatake_stats_graph_new           (void);
/* The value at the top of the graph; 0 scales to the largest sample shown. */
void       hatake_stats_graph_set_ceiling   (HatakeStatsGraph *self,
                                             double            ceiling);
void       hatake_stats_graph_push          (HatakeStatsGraph *self,
                                             double            value);
guint      hatake_stats_graph_get_n_samples (HatakeStatsGraph *self);

G_END_DECLS
