/* hatake-network-spares.c: namespaces set up on the default network ahead of need
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A container's netavark setup on the default bridge is ~24 iptables calls even when the bridge
 * and its rules are up already (netavark 1.4 checks each rule with `iptables -C` or `-S`, one
 * process each): ~190 ms here, on the start's path, since the container's process may not start
 * before its interface is there. So a long-running owner (hatake serve) keeps a few namespaces
 * set up on the default network ahead of need: "spares", endpoints of the owner's own as the
 * keepalive is (HATAKE_NETWORK_SPARE_PREFIX and a random part; never shown as containers). A
 * container that joins the default network alone, with no address of its own and no published
 * port (`docker run` without -p), takes one:
 *   - its options file is written under the container's ID, naming the container;
 *   - the address passes to the container in the network's file (its "connect" event);
 *   - the namespace is bind-mounted under the container's ID, and the spare's mount goes;
 *   - it is established at once, with nothing left for netavark to do.
 * Each step is undone when a later one fails, and the spare is then torn down: the container
 * gets a namespace of its own the usual way. What it gets is what its own setup would have given
 * it: the spare's namespace was never entered by any process, and its address, MAC (derived from
 * the address), routes and rules are made by the same netavark setup from the same kind of
 * options. A new spare is set up behind each one taken, once the taker's start is over
 * (hatake_networks_start_over(), or SPARE_REFILL_DELAY_MS after, when the start failed), so that
 * the two do not contend for the CPU; soon enough for the next run to find one (back-to-back
 * bridged runs through serve, bench/network: 86 → 55 ms a run).
 * The owner's stop tears them down (hatake_networks_release_default); those of an owner that was
 * killed name no container, and the next engine tears them down with the other stale setups.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "hatake-json.h"
#include "hatake-network-private.h"

#define SPARE_REFILL_DELAY_MS 300

gboolean
_hatake_networks_is_internal (const char *id)
{
  return g_str_equal (id, HATAKE_NETWORK_KEEPALIVE) || g_str_has_prefix (id, HATAKE_NETWORK_SPARE_PREFIX);
}

/* Whether a spare gives ATTACH what its own setup would */
static gboolean
fits_spare (const HatakeNetworkAttach *attach)
{
  const HatakeNetworkEndpoint *endpoint;

  if (_hatake_networks_is_internal (attach->container_id) || attach->n_endpoints != 1 || attach->n_ports > 0)
    return FALSE;
  endpoint = attach->endpoints[0];
  return (endpoint->network == NULL || g_str_equal (endpoint->network, HATAKE_DEFAULT_NETWORK)) &&
         endpoint->ip == NULL && (endpoint->aliases == NULL || endpoint->aliases[0] == NULL);
}

/* The namespace bind-mounted at FROM is bind-mounted at TO, and FROM goes. */
static gboolean
move_netns (const char  *from,
            const char  *to,
            GError     **error)
{
  int fd = open (to, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  int saved;

  if (fd < 0)
    goto fail;
  close (fd);
  if (mount (from, to, "none", MS_BIND, NULL) < 0)
    {
      saved = errno;
      g_unlink (to);
      errno = saved;
      goto fail;
    }
  _hatake_networks_remove_netns (from);
  return TRUE;

fail:
  saved = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot move the network namespace %s to %s: %s"),
               from, to, g_strerror (saved));
  return FALSE;
}

/* SPARE becomes ATTACH's container's. Under the lock. */
static gboolean
adopt_locked (HatakeNetworks            *self,
              const char                *spare,
              const HatakeNetworkAttach *attach,
              HatakeNetworkResult       *result,
              GError                   **error)
{
  const char *id = attach->container_id;
  g_autofree char *from_opts = _hatake_networks_options_path (self, spare);
  g_autofree char *to_opts = _hatake_networks_options_path (self, id);
  g_autofree char *from_ns = g_build_filename (self->netns_dir, spare, NULL);
  g_autofree char *to_ns = g_build_filename (self->netns_dir, id, NULL);
  g_autoptr(JsonNode) options = _hatake_networks_load_options (from_opts, error);
  JsonObject *object, *endpoint, *info;
  JsonArray *ips, *subnets;

  if (options == NULL)
    return FALSE;
  object = json_node_get_object (options);
  endpoint = hatake_json_object_member (hatake_json_object_member (object, "networks"), HATAKE_DEFAULT_NETWORK);
  info = hatake_json_object_member (hatake_json_object_member (object, "network_info"), HATAKE_DEFAULT_NETWORK);
  ips = endpoint ? hatake_json_array_member (endpoint, "static_ips") : NULL;
  subnets = info ? hatake_json_array_member (info, "subnets") : NULL;
  if (ips == NULL || json_array_get_length (ips) != 1 || subnets == NULL || json_array_get_length (subnets) != 1 ||
      json_object_get_size (hatake_json_object_member (object, "networks")) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s is not a spare on the default network"),
                   from_opts);
      return FALSE;
    }
  json_object_set_string_member (object, "container_id", id);
  json_object_set_string_member (object, "container_name", attach->container_name);
  if (!_hatake_networks_save_options (to_opts, options, error))
    return FALSE;
  if (!_hatake_networks_move_address_locked (self, HATAKE_DEFAULT_NETWORK, spare, id, attach->container_name, error))
    {
      g_unlink (to_opts);
      return FALSE;
    }
  if (!move_netns (from_ns, to_ns, error))
    {
      _hatake_networks_move_address_locked (self, HATAKE_DEFAULT_NETWORK, id, spare, spare, NULL);
      g_unlink (to_opts);
      return FALSE;
    }
  g_unlink (from_opts);
  _hatake_networks_forget_locked (self, NULL, spare);
  _hatake_networks_establish_locked (self, id, options, NULL);
  result->netns_path = g_steal_pointer (&to_ns);
  result->ip = g_strdup (json_array_get_string_element (ips, 0));
  result->gateway = g_strdup (json_object_get_string_member_with_default (json_array_get_object_element (subnets, 0),
                                                                          "gateway", ""));
  result->set_up = TRUE;
  return TRUE;
}

static void
teardown_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (!hatake_networks_detach (source, task_data, &error))
    g_message ("%s: %s", (const char *) task_data, error->message);
  g_task_return_boolean (task, TRUE);
}

static void
queue_teardown (HatakeNetworks *self,
                const char     *spare)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

  g_task_set_source_tag (task, queue_teardown);
  g_task_set_task_data (task, g_strdup (spare), g_free);
  hatake_networks_run_job (self, task, teardown_thread, HATAKE_NETWORK_JOB_TEARDOWN, spare);
}

/* A spare's setup, on the networks' threads; one the owner no longer wants is torn down. */
static void
spare_setup_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  HatakeNetworks *self = source;
  const char *id = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = self->spares_wanted > 0;
  g_mutex_unlock (&self->lock);
  if (ok && !hatake_networks_setup (self, id, &error))
    {
      g_message ("Could not set up a spare on the default network: %s", error->message);
      ok = FALSE;
    }
  /* (in this job: it ran alone unless other containers on the bridge keep it up meanwhile) */
  if (!ok && !hatake_networks_detach (self, id, &error) && error != NULL)
    g_message ("%s: %s", id, error->message);
  g_mutex_lock (&self->lock);
  self->spares_coming--;
  if (ok)
    g_queue_push_tail (&self->spares, g_strdup (id));
  g_cond_broadcast (&self->detached);
  g_mutex_unlock (&self->lock);
  g_task_return_boolean (task, TRUE);
}

/* Makes spares (an address and a namespace each) up to the owner's count, their setups queued. */
static void
refill_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  HatakeNetworks *self = source;

  for (;;)
    {
      g_autoptr(HatakeNetworkEndpoint) endpoint = hatake_network_endpoint_new (HATAKE_DEFAULT_NETWORK, NULL, NULL);
      HatakeNetworkEndpoint *endpoints[] = { endpoint };
      g_autofree char *random = g_uuid_string_random ();
      g_autofree char *id = NULL;
      HatakeNetworkAttach attach = { .endpoints = endpoints, .n_endpoints = 1, .defer_setup = TRUE };
      g_auto(HatakeNetworkResult) result = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GTask) setup = NULL;

      g_mutex_lock (&self->lock);
      if (self->spares.length + self->spares_coming >= self->spares_wanted)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      self->spares_coming++;
      g_mutex_unlock (&self->lock);

      id = g_strdup_printf ("%s%.8s", HATAKE_NETWORK_SPARE_PREFIX, random);
      attach.container_id = attach.container_name = id;
      if (!hatake_networks_attach (self, &attach, &result, &error))
        {
          /* (the next spare taken tries again) */
          g_message ("Could not make a spare on the default network: %s", error->message);
          g_mutex_lock (&self->lock);
          self->spares_coming--;
          g_cond_broadcast (&self->detached);
          g_mutex_unlock (&self->lock);
          break;
        }
      setup = g_task_new (self, NULL, NULL, NULL);
      g_task_set_source_tag (setup, refill_thread);
      g_task_set_task_data (setup, g_strdup (id), g_free);
      hatake_networks_run_job (self, setup, spare_setup_thread, HATAKE_NETWORK_JOB_SETUP, id);
    }
  g_task_return_boolean (task, TRUE);
}

static void
refill (HatakeNetworks *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

  g_task_set_source_tag (task, refill);
  g_task_run_in_thread (task, refill_thread);
}

/* The refill that a spare taken left due (its timer, spares_source), now; nothing when none is */
static void
refill_due (HatakeNetworks *self)
{
  GSource *source;

  g_mutex_lock (&self->lock);
  source = g_steal_pointer (&self->spares_source);
  g_mutex_unlock (&self->lock);
  if (source == NULL)
    return;
  g_source_destroy (source);
  g_source_unref (source);
  refill (self);
}

static gboolean
on_refill_due (gpointer user_data)
{
  refill_due (user_data);
  return G_SOURCE_REMOVE;
}

void
hatake_networks_start_over (HatakeNetworks *self)
{
  g_return_if_fail (HATAKE_IS_NETWORKS (self));
  refill_due (self);
}

gboolean
_hatake_networks_take_spare (HatakeNetworks            *self,
                             const HatakeNetworkAttach *attach,
                             HatakeNetworkResult       *result)
{
  g_autofree char *spare = NULL;
  g_autofree char *opts_path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean taken = FALSE;

  if (!fits_spare (attach))
    return FALSE;
  opts_path = _hatake_networks_options_path (self, attach->container_id);
  g_mutex_lock (&self->lock);
  /* (not over what an earlier setup of the container left: the usual attach tears that down) */
  if (!g_file_test (opts_path, G_FILE_TEST_EXISTS))
    spare = g_queue_pop_head (&self->spares);
  if (spare != NULL)
    taken = adopt_locked (self, spare, attach, result, &error);
  if (spare != NULL && self->spares_wanted > 0 && self->spares_source == NULL)
    {
      self->spares_source = g_timeout_source_new (SPARE_REFILL_DELAY_MS);
      g_source_set_callback (self->spares_source, on_refill_due, g_object_ref (self), g_object_unref);
      g_source_set_static_name (self->spares_source, "[hatake] spare refill");
      g_source_attach (self->spares_source, NULL);
    }
  g_mutex_unlock (&self->lock);
  if (spare != NULL && !taken)
    {
      g_message ("Could not hand the spare %s to %s: %s", spare, attach->container_id, error->message);
      queue_teardown (self, spare);
    }
  return taken;
}

void
hatake_networks_set_spares (HatakeNetworks *self,
                            guint           count)
{
  g_return_if_fail (HATAKE_IS_NETWORKS (self));
  g_return_if_fail (count > 0);

  g_mutex_lock (&self->lock);
  self->spares_wanted = count;
  g_mutex_unlock (&self->lock);
  refill (self);
}

void
_hatake_networks_drop_spares (HatakeNetworks *self)
{
  GQueue ready = G_QUEUE_INIT;
  GSource *source;
  char *id;

  g_mutex_lock (&self->lock);
  self->spares_wanted = 0;
  source = g_steal_pointer (&self->spares_source);
  ready = self->spares;
  g_queue_init (&self->spares);
  g_mutex_unlock (&self->lock);
  if (source != NULL)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }
  while ((id = g_queue_pop_head (&ready)) != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!hatake_networks_detach (self, id, &error))
        g_message ("%s: %s", id, error->message);
      g_free (id);
    }
}

/* Blocks until the spares being set up are ready or torn down. */
void
_hatake_networks_wait_spares (HatakeNetworks *self)
{
  g_mutex_lock (&self->lock);
  while (self->spares_coming > 0)
    g_cond_wait (&self->detached, &self->lock);
  g_mutex_unlock (&self->lock);
}

void
_hatake_networks_spares_clear (HatakeNetworks *self)
{
  /* (a pending refill holds the networks: one left now was destroyed with its context) */
  g_clear_pointer (&self->spares_source, g_source_unref);
  g_queue_clear_full (&self->spares, g_free);
}
