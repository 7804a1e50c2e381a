/* hatake-stats-watcher.c: the live resource use of the containers someone looks at
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app's rows show CPU and memory of the containers on screen: they watch them, and only the
 * watched ones are sampled. The same for every engine: a sample is the engine's stats call (the
 * local engine reads cgroups, a remote one asks its API), so the numbers mean the same.
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include "hatake-json.h"
#include "hatake-stats-watcher.h"

typedef struct
{
  guint    count;
  gint64   cpu;      /* the last sample's, to measure the next against */
  gint64   system;
  gboolean busy;
} Watch;

struct _HatakeStatsWatcher
{
  GObject       parent_instance;
  HatakeEngine *engine;      /* not referenced */
  GHashTable   *watches;     /* HatakeContainer → Watch */
  guint         timer;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HatakeStatsWatcher, hatake_stats_watcher, G_TYPE_OBJECT)

static void
hatake_stats_watcher_dispose (GObject *object)
{
  HatakeStatsWatcher *self = (HatakeStatsWatcher *) object;

  /* samples still in flight find nothing to report to */
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_hash_table_remove_all (self->watches);
  self->engine = NULL;
  G_OBJECT_CLASS (hatake_stats_watcher_parent_class)->dispose (object);
}

static void
hatake_stats_watcher_finalize (GObject *object)
{
  HatakeStatsWatcher *self = (HatakeStatsWatcher *) object;

  g_clear_pointer (&self->watches, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (hatake_stats_watcher_parent_class)->finalize (object);
}

static void
hatake_stats_watcher_class_init (HatakeStatsWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hatake_stats_watcher_dispose;
  object_class->finalize = hatake_stats_watcher_finalize;
}

static void
hatake_stats_watcher_init (HatakeStatsWatcher *self)
{
  self->watches = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, g_free);
  self->cancellable = g_cancellable_new ();
}

HatakeStatsWatcher *
hatake_stats_watcher_new (HatakeEngine *engine)
{
  HatakeStatsWatcher *self = g_object_new (HATAKE_TYPE_STATS_WATCHER, NULL);

  self->engine = engine;
  return self;
}

static gint64
member_int (JsonObject *o, const char *a, const char *b, const char *c)
{
  JsonObject *inner = hatake_json_object_member (o, a);

  if (c != NULL)
    inner = hatake_json_object_member (inner, b);
  return inner != NULL ? hatake_json_int (inner, c ? c : b, 0) : 0;
}

typedef struct
{
  HatakeStatsWatcher *self;
  HatakeContainer    *container;
} Sample;

/* a container that does not run uses nothing, as docker stats -a shows it */
static void
clear_usage (HatakeContainer *container)
{
  hatake_container_set_usage (container, 0.0, 0, 0, 0);
  hatake_container_set_io (container, 0, 0, 0, 0);
}

void
hatake_stats_io_totals (JsonObject    *sample,
                        HatakeStatsIo *out)
{
  JsonObject *networks = hatake_json_object_member (sample, "networks");
  JsonArray *block = hatake_json_array_member (hatake_json_object_member (sample, "blkio_stats"),
                                               "io_service_bytes_recursive");
  g_autoptr(GList) names = networks ? json_object_get_members (networks) : NULL;

  *out = (HatakeStatsIo) { 0 };
  for (GList *l = names; l != NULL; l = l->next)
    {
      out->net_rx += member_int (networks, l->data, "rx_bytes", NULL);
      out->net_tx += member_int (networks, l->data, "tx_bytes", NULL);
    }
  for (guint i = 0; block != NULL && i < json_array_get_length (block); i++)
    {
      JsonObject *entry = hatake_json_array_object (block, i);
      const char *op = entry ? hatake_json_string (entry, "op") : NULL;

      if (op != NULL && g_ascii_strcasecmp (op, "read") == 0)
        out->block_read += hatake_json_int (entry, "value", 0);
      else if (op != NULL && g_ascii_strcasecmp (op, "write") == 0)
        out->block_written += hatake_json_int (entry, "value", 0);
    }
}

static void
on_sample (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Sample *sample = user_data;
  g_autoptr(HatakeStatsWatcher) self = sample->self;
  g_autoptr(HatakeContainer) container = sample->container;
  g_autoptr(JsonNode) node = hatake_engine_stats_finish (HATAKE_ENGINE (source), result, NULL);
  Watch *watch = g_hash_table_lookup (self->watches, container);
  gint64 cpu, system, cpus, usage, cache, limit;
  HatakeStatsIo io;
  double percent = 0.0;
  JsonObject *o;

  g_free (sample);
  if (watch == NULL)
    return;   /* no longer watched, or the watcher is gone */
  watch->busy = FALSE;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      clear_usage (container);
      return;
    }
  o = json_node_get_object (node);
  cpu = member_int (o, "cpu_stats", "cpu_usage", "total_usage");
  system = member_int (o, "cpu_stats", "system_cpu_usage", NULL);
  cpus = member_int (o, "cpu_stats", "online_cpus", NULL);
  if (watch->system > 0 && system > watch->system)
    percent = (double) (cpu - watch->cpu) / (double) (system - watch->system) * MAX (cpus, 1) * 100.0;
  watch->cpu = cpu;
  watch->system = system;
  usage = member_int (o, "memory_stats", "usage", NULL);
  cache = MAX (member_int (o, "memory_stats", "stats", "inactive_file"),
               member_int (o, "memory_stats", "stats", "total_inactive_file"));
  limit = member_int (o, "memory_stats", "limit", NULL);
  hatake_container_set_usage (container, MAX (percent, 0.0), MAX (usage - cache, 0), limit,
                              (guint) member_int (o, "pids_stats", "current", NULL));
  hatake_stats_io_totals (o, &io);
  hatake_container_set_io (container, io.net_rx, io.net_tx, io.block_read, io.block_written);
}

static gboolean
sample_watched (gpointer user_data)
{
  HatakeStatsWatcher *self = user_data;
  GHashTableIter iter;
  HatakeContainer *container;
  Watch *watch;

  g_hash_table_iter_init (&iter, self->watches);
  while (g_hash_table_iter_next (&iter, (gpointer *) &container, (gpointer *) &watch))
    {
      HatakeContainerState state = hatake_container_get_state (container);
      Sample *sample;

      if (watch->busy || self->engine == NULL)
        continue;
      if (state != HATAKE_CONTAINER_RUNNING && state != HATAKE_CONTAINER_PAUSED)
        {
          clear_usage (container);
          continue;
        }
      watch->busy = TRUE;
      sample = g_new0 (Sample, 1);
      sample->self = g_object_ref (self);
      sample->container = g_object_ref (container);
      hatake_engine_stats_async (self->engine, hatake_container_get_id (container), self->cancellable, on_sample,
                                 sample);
    }
  return G_SOURCE_CONTINUE;
}

void
hatake_stats_watcher_watch (HatakeStatsWatcher *self,
                            HatakeContainer    *container)
{
  Watch *watch;

  g_return_if_fail (HATAKE_IS_STATS_WATCHER (self));
  watch = g_hash_table_lookup (self->watches, container);
  if (watch == NULL)
    {
      watch = g_new0 (Watch, 1);
      g_hash_table_insert (self->watches, g_object_ref (container), watch);
    }
  watch->count++;
  if (self->timer == 0)
    {
      self->timer = g_timeout_add_seconds (1, sample_watched, self);
      sample_watched (self);
    }
}

void
hatake_stats_watcher_unwatch (HatakeStatsWatcher *self,
                              HatakeContainer    *container)
{
  Watch *watch;

  g_return_if_fail (HATAKE_IS_STATS_WATCHER (self));
  watch = g_hash_table_lookup (self->watches, container);
  g_return_if_fail (watch != NULL);
  if (--watch->count == 0)
    g_hash_table_remove (self->watches, container);
  if (g_hash_table_size (self->watches) == 0)
    g_clear_handle_id (&self->timer, g_source_remove);
}
