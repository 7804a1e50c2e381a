/* hatake-network-queue.c: the networks' own threads, where netavark runs, one at a time or, when
 * that is safe, a few side by side
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * netavark 1.4 has no locking of its own, so its runs are serialized machine-wide (the flock in
 * _hatake_networks_run_netavark). Most of them change nothing shared, though: a setup on a
 * bridge that is already up only checks that the network's firewall rules are there (24
 * `iptables -C/-S`, ~60 ms), and a teardown that is not the network's last deletes one veth
 * (~25 ms in the kernel, most of it waiting for RCU; ten at once take ~50 ms, not ~220). Such a
 * run is "shared": it may overlap other shared runs (under a shared flock), never an exclusive
 * one. A run is shared when, for every network of the container:
 *  - another container's setup on that network has finished and its teardown has not begun (the
 *    "established" set): that veth keeps the bridge and its rules in place for as long as the
 *    run lasts, so netavark neither creates nor deletes anything network-wide. A teardown leaves
 *    the set when it is dispatched, so the last container's teardown is always exclusive and
 *    waits for the shared ones.
 *  - the container publishes no port: port rules are written into shared chains.
 * aardvark-dns's entries are the one thing left that two runs could edit at once: netavark
 * appends under its lock (aardvark.lock) but rewrites the file without it on a teardown, so a
 * shared teardown removes the container's entries itself, under that lock (hatake-network.c).
 * Whatever cannot be shown shared (after a restart nothing is established yet) runs exclusive,
 * as before. Jobs start in the order given; a container's jobs never overlap each other.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "hatake-json.h"
#include "hatake-network-private.h"

#define MAX_SHARED 4

typedef struct
{
  GTask            *task;
  GTaskThreadFunc   func;
  HatakeNetworkJob  kind;
  char             *container_id;
  gboolean          shared;
} Job;

static GPrivate in_shared_job;

static void
job_free (Job *job)
{
  g_clear_object (&job->task);
  g_free (job->container_id);
  g_free (job);
}

/* Whether the calling thread runs a shared job (netavark then takes the lock shared). */
gboolean
_hatake_networks_in_shared_job (void)
{
  return GPOINTER_TO_INT (g_private_get (&in_shared_job));
}

/* Under the lock. */
static void
establish_locked (HatakeNetworks *self,
                  const char     *network,
                  const char     *container_id)
{
  GHashTable *set = g_hash_table_lookup (self->established, network);

  if (set == NULL)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->established, g_strdup (network), set);
    }
  g_hash_table_add (set, g_strdup (container_id));
}

/* The set outlives the process (a CLI's engine lives for one command): a container whose setup
 * has finished has RUN_DIR/netns/ID.ready; whoever tears it down removes that first. */
static char *
ready_path (HatakeNetworks *self,
            const char     *container_id)
{
  g_autofree char *file = g_strconcat (container_id, ".ready", NULL);

  return g_build_filename (self->netns_dir, file, NULL);
}

/* Under the lock. NETWORK NULL: every network. */
void
_hatake_networks_forget_locked (HatakeNetworks *self,
                                const char     *network,
                                const char     *container_id)
{
  g_autofree char *ready = ready_path (self, container_id);
  GHashTableIter iter;
  gpointer key, set;

  /* (after a disconnect the file would still name the network until the options are saved) */
  g_unlink (ready);

  g_hash_table_iter_init (&iter, self->established);
  while (g_hash_table_iter_next (&iter, &key, &set))
    if (network == NULL || g_str_equal (key, network))
      {
        g_hash_table_remove (set, container_id);
        if (g_hash_table_size (set) == 0)
          g_hash_table_iter_remove (&iter);
      }
}

/* Under the lock: CONTAINER_ID is set up on every network of OPTIONS. */
static void
establish_networks_locked (HatakeNetworks *self,
                           const char     *container_id,
                           JsonNode       *options)
{
  JsonObject *networks = hatake_json_object_member (json_node_get_object (options), "networks");
  g_autoptr(GList) names = networks ? json_object_get_members (networks) : NULL;

  for (GList *l = names; l != NULL; l = l->next)
    establish_locked (self, l->data, container_id);
}

/* Under the lock: the container's setup on the networks of OPTIONS (or on NETWORK alone) has
 * finished. */
void
_hatake_networks_establish_locked (HatakeNetworks *self,
                                   const char     *container_id,
                                   JsonNode       *options,
                                   const char     *network)
{
  g_autofree char *ready = NULL;

  if (network != NULL)
    {
      establish_locked (self, network, container_id);
      return;
    }
  establish_networks_locked (self, container_id, options);
  ready = ready_path (self, container_id);
  g_file_set_contents (ready, "", 0, NULL);
}

/* At start: the containers set up by an earlier process, and not torn down since. */
void
_hatake_networks_load_established (HatakeNetworks *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->netns_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;
      g_autoptr(JsonNode) options = NULL;

      if (!g_str_has_suffix (name, ".ready"))
        continue;
      id = g_strndup (name, strlen (name) - strlen (".ready"));
      options = _hatake_networks_load_options_locked (self, id);
      if (options != NULL && JSON_NODE_HOLDS_OBJECT (options))
        establish_networks_locked (self, id, options);   /* (its .ready is there) */
    }
}

static gboolean
can_share_locked (HatakeNetworks *self,
                  Job            *job)
{
  g_autoptr(JsonNode) options = NULL;
  JsonObject *object, *networks;
  JsonArray *ports;
  g_autoptr(GList) names = NULL;

  if (job->kind == HATAKE_NETWORK_JOB_OTHER || job->container_id == NULL)
    return FALSE;
  options = _hatake_networks_load_options_locked (self, job->container_id);
  if (options == NULL)
    {
      /* a teardown that finds nothing to do (a container without a network: --network none or
       * host) runs netavark not at all: it may run beside a spare's setup and other shared jobs */
      g_autofree char *path = _hatake_networks_options_path (self, job->container_id);

      return job->kind == HATAKE_NETWORK_JOB_TEARDOWN && !g_file_test (path, G_FILE_TEST_EXISTS);
    }
  if (!JSON_NODE_HOLDS_OBJECT (options))
    return FALSE;
  object = json_node_get_object (options);
  ports = json_object_has_member (object, "port_mappings") ? hatake_json_array_member (object, "port_mappings") : NULL;
  networks = hatake_json_object_member (object, "networks");
  if ((ports != NULL && json_array_get_length (ports) > 0) || networks == NULL)
    return FALSE;
  names = json_object_get_members (networks);
  if (names == NULL)
    return FALSE;
  for (GList *l = names; l != NULL; l = l->next)
    {
      GHashTable *set = g_hash_table_lookup (self->established, l->data);
      guint others = set ? g_hash_table_size (set) : 0;

      if (set != NULL && g_hash_table_contains (set, job->container_id))
        others--;
      if (others == 0)
        return FALSE;
    }
  return TRUE;
}

/* Under the lock: starts what may start, in order. */
static void
dispatch_locked (HatakeNetworks *self)
{
  Job *job;

  while (!self->running_exclusive && (job = g_queue_peek_head (&self->jobs)) != NULL)
    {
      gboolean shared = can_share_locked (self, job);

      if (!shared && self->running_shared > 0)
        break;
      if (shared && (self->running_shared >= MAX_SHARED ||
                     g_hash_table_contains (self->running_ids, job->container_id)))
        break;
      g_queue_pop_head (&self->jobs);
      job->shared = shared;
      if (shared)
        self->running_shared++;
      else
        self->running_exclusive = TRUE;
      if (job->container_id != NULL)
        {
          g_hash_table_add (self->running_ids, g_strdup (job->container_id));
          if (job->kind == HATAKE_NETWORK_JOB_TEARDOWN)
            _hatake_networks_forget_locked (self, NULL, job->container_id);
        }
      g_thread_pool_push (self->pool, job, NULL);
    }
}

static void
job_run (gpointer item,
         gpointer user_data)
{
  Job *job = item;
  HatakeNetworks *self = user_data;

  g_private_set (&in_shared_job, GINT_TO_POINTER (job->shared));
  job->func (job->task, g_task_get_source_object (job->task), g_task_get_task_data (job->task),
             g_task_get_cancellable (job->task));
  g_private_set (&in_shared_job, GINT_TO_POINTER (FALSE));

  g_mutex_lock (&self->lock);
  if (job->shared)
    self->running_shared--;
  else
    self->running_exclusive = FALSE;
  if (job->container_id != NULL)
    g_hash_table_remove (self->running_ids, job->container_id);
  dispatch_locked (self);
  g_mutex_unlock (&self->lock);
  job_free (job);
}

void
_hatake_networks_queue_init (HatakeNetworks *self)
{
  g_queue_init (&self->jobs);
  self->running_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->established = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_hash_table_unref);
  self->pool = g_thread_pool_new (job_run, self, MAX_SHARED, FALSE, NULL);
}

/* At finalize: no job is queued or running then (each holds its task, whose source is the
 * engine's containers, which hold the networks). */
void
_hatake_networks_queue_clear (HatakeNetworks *self)
{
  g_thread_pool_free (self->pool, FALSE, FALSE);
  g_queue_clear_full (&self->jobs, (GDestroyNotify) job_free);
  g_clear_pointer (&self->running_ids, g_hash_table_unref);
  g_clear_pointer (&self->established, g_hash_table_unref);
}

void
hatake_networks_run_job (HatakeNetworks   *self,
                         GTask            *task,
                         GTaskThreadFunc   func,
                         HatakeNetworkJob  kind,
                         const char       *container_id)
{
  Job *job;

  g_return_if_fail (HATAKE_IS_NETWORKS (self));
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);
  g_return_if_fail (kind == HATAKE_NETWORK_JOB_OTHER || container_id != NULL);

  job = g_new0 (Job, 1);
  job->task = g_object_ref (task);
  job->func = func;
  job->kind = kind;
  job->container_id = g_strdup (container_id);
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->jobs, job);
  dispatch_locked (self);
  g_mutex_unlock (&self->lock);
}

void
hatake_networks_run_in_thread (HatakeNetworks  *self,
                               GTask           *task,
                               GTaskThreadFunc  func)
{
  hatake_networks_run_job (self, task, func, HATAKE_NETWORK_JOB_OTHER, NULL);
}

/* The keep-alive endpoint joins outside the queue: its setup takes netavark's lock exclusively,
 * and one more established container only lets more jobs share. */
gboolean
hatake_networks_hold_default (HatakeNetworks  *self,
                              GError         **error)
{
  g_autoptr(HatakeNetworkEndpoint) endpoint = hatake_network_endpoint_new (HATAKE_DEFAULT_NETWORK, NULL, NULL);
  HatakeNetworkEndpoint *endpoints[] = { endpoint };
  HatakeNetworkAttach attach = { .container_id = HATAKE_NETWORK_KEEPALIVE, .container_name = HATAKE_NETWORK_KEEPALIVE,
                                 .endpoints = endpoints, .n_endpoints = 1 };
  g_auto(HatakeNetworkResult) result = { 0 };

  g_return_val_if_fail (HATAKE_IS_NETWORKS (self), FALSE);
  return hatake_networks_attach (self, &attach, &result, error);
}

typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean done;
  GError  *error;
} Release;

static void
release_default_thread (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  Release *release = task_data;
  GError *error = NULL;

  _hatake_networks_drop_spares (source);
  hatake_networks_detach (source, HATAKE_NETWORK_KEEPALIVE, &error);
  g_mutex_lock (&release->lock);
  release->error = error;
  release->done = TRUE;
  g_cond_signal (&release->cond);
  g_mutex_unlock (&release->lock);
  /* (RELEASE is the caller's and may be gone now) */
  g_task_return_boolean (task, TRUE);
}

/* It leaves through the queue, and alone, with the spares: it is often the established container
 * that let the jobs before it share, so it may go only once they are done (beside them, two of them could
 * each find the bridge empty and both delete its firewall chains, the second failing). An
 * exclusive job starts when every job queued before it has ended. The caller blocks without
 * running its main context: an owner that is stopping (serve after its API is gone) must not
 * dispatch what is still pending there. */
gboolean
hatake_networks_release_default (HatakeNetworks  *self,
                                 GError         **error)
{
  Release release = { .done = FALSE };
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (HATAKE_IS_NETWORKS (self), FALSE);
  g_mutex_init (&release.lock);
  g_cond_init (&release.cond);
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_source_tag (task, hatake_networks_release_default);
  g_task_set_task_data (task, &release, NULL);
  hatake_networks_run_in_thread (self, task, release_default_thread);
  g_mutex_lock (&release.lock);
  while (!release.done)
    g_cond_wait (&release.cond, &release.lock);
  g_mutex_unlock (&release.lock);
  g_mutex_clear (&release.lock);
  g_cond_clear (&release.cond);
  _hatake_networks_wait_spares (self);
  if (release.error != NULL)
    {
      g_propagate_error (error, release.error);
      return FALSE;
    }
  return TRUE;
}
