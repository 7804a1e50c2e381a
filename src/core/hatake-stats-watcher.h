/* hatake-stats-watcher.h: the live resource use of the containers someone looks at
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_STATS_WATCHER (hatake_stats_watcher_get_type ())
G_DECLARE_FINAL_TYPE (HatakeStatsWatcher, hatake_stats_watcher, HATAKE, STATS_WATCHER, GObject)

/* Samples, once a second, the stats of each watched container of ENGINE (its stats call, docker's
 * shape) that runs, and sets its usage from them (CPU measured between two samples, memory
 * without the inactive file cache, as docker stats shows them). ENGINE is not referenced: its
 * owner disposes the watcher with it. The engines' watch_stats and unwatch_stats. */
HatakeStatsWatcher *hatake_stats_watcher_new     (HatakeEngine       *engine);
void                hatake_stats_watcher_watch   (HatakeStatsWatcher *self,
                                                  HatakeContainer    *container);
void                hatake_stats_watcher_unwatch (HatakeStatsWatcher *self,
                                                  HatakeContainer    *container);

/* The I/O totals of one stats sample (docker's shape): bytes received and sent over all its
 * "networks", read and written in its blkio_stats' io_service_bytes_recursive, by op ("Read" in
 * cgroup v1's words, "read" in v2's), over every device */
typedef struct
{
  gint64 net_rx;
  gint64 net_tx;
  gint64 block_read;
  gint64 block_written;
} HatakeStatsIo;

void                hatake_stats_io_totals       (JsonObject         *sample,
                                                  HatakeStatsIo      *out);

G_END_DECLS
