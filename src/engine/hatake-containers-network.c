/* hatake-containers-network.c: docker's `network connect` and `network disconnect`
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A container's networks are the endpoints of its config (config.json). A connect or a
 * disconnect changes them; on a container that runs (or is paused), its namespace gets or loses
 * the interface at once, by netavark in a worker thread. The config is written only once the
 * namespace agrees, so a failure leaves the container as it was.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"
#include "hatake-json.h"

typedef struct
{
  HatakeNetworks        *networks;
  char                  *id;
  char                  *name;
  char                  *dir;
  HatakeNetworkEndpoint *endpoint;    /* connect */
  char                  *network;     /* disconnect: as given */
  GStrv                  joined;      /* the networks the container is on now */
  gboolean               live;        /* its namespace exists: change it too */
  gboolean               force;
  char                  *resolved;    /* the network's own name */
  HatakeNetworkResult    result;
} NetData;

static void
net_data_free (NetData *data)
{
  g_clear_object (&data->networks);
  g_free (data->id);
  g_free (data->name);
  g_free (data->dir);
  hatake_network_endpoint_free (data->endpoint);
  g_free (data->network);
  g_strfreev (data->joined);
  g_free (data->resolved);
  hatake_network_result_clear (&data->result);
  g_free (data);
}

/* The name of the network NAME_OR_ID, as the networks know it. */
static char *
resolve_network (HatakeNetworks  *networks,
                 const char      *name_or_id,
                 GError         **error)
{
  g_autoptr(JsonNode) node = NULL;

  if (g_str_equal (name_or_id, HATAKE_DEFAULT_NETWORK))
    return g_strdup (name_or_id);
  node = hatake_networks_inspect (networks, name_or_id, error);
  if (node == NULL)
    {
      if (error != NULL && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        (*error)->domain = HATAKE_ERROR, (*error)->code = HATAKE_ERROR_NOT_FOUND;
      return NULL;
    }
  /* host and none are network modes, chosen at create (docker's words) */
  if (hatake_networks_is_builtin_name (json_object_get_string_member (json_node_get_object (node), "Name")))
    {
      const char *name = json_object_get_string_member (json_node_get_object (node), "Name");

      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                   _("container cannot be disconnected from %s network or connected to %s network"), name, name);
      return NULL;
    }
  return g_strdup (json_object_get_string_member (json_node_get_object (node), "Name"));
}

/* resolv.conf is bind-mounted into the container: written in place (a rename would leave the
 * container with the old file). Puts the new network's name server first. */
static void
add_name_servers (const char                *dir,
                  const HatakeNetworkResult *result)
{
  g_autofree char *path = g_build_filename (dir, "resolv.conf", NULL);
  g_autofree char *old = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  int fd;

  if (result->dns_servers == NULL || !g_file_get_contents (path, &old, NULL, NULL))
    return;
  lines = g_strsplit (old, "\n", -1);
  if (result->dns_search != NULL && strstr (old, "search ") == NULL)
    {
      g_autofree char *search = g_strjoinv (" ", result->dns_search);

      g_string_append_printf (text, "search %s\n", search);
    }
  for (guint i = 0; result->dns_servers[i] != NULL; i++)
    {
      g_autofree char *line = g_strconcat ("nameserver ", result->dns_servers[i], NULL);

      if (!g_strv_contains ((const char * const *) lines, line))
        g_string_append_printf (text, "%s\n", line);
    }
  g_string_append (text, old);
  fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0 || write (fd, text->str, text->len) != (ssize_t) text->len)
    g_message ("Could not update %s: %s", path, g_strerror (errno));
  if (fd >= 0)
    close (fd);
}

static void
connect_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  NetData *data = task_data;
  g_autoptr(HatakeNetworkEndpoint) endpoint = NULL;
  GError *error = NULL;

  data->resolved = resolve_network (data->networks, data->endpoint->network, &error);
  if (data->resolved == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_strv_contains ((const char * const *) data->joined, data->resolved))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                               _("endpoint with name %s already exists in network %s"), data->name, data->resolved);
      return;
    }
  endpoint = hatake_network_endpoint_new (data->resolved, (const char * const *) data->endpoint->aliases,
                                          data->endpoint->ip);
  if (data->live &&
      !hatake_networks_connect (data->networks, data->id, data->name, endpoint, &data->result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED))
    {
      /* it stopped meanwhile: the config alone, as for a stopped container */
      g_clear_error (&error);
      data->live = FALSE;
    }
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        error->domain = HATAKE_ERROR, error->code = HATAKE_ERROR_CONFLICT;
      g_task_return_error (task, error);
      return;
    }
  if (data->live)
    add_name_servers (data->dir, &data->result);
  g_task_return_boolean (task, TRUE);
}

static void
disconnect_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  NetData *data = task_data;
  GError *error = NULL;

  data->resolved = resolve_network (data->networks, data->network, &error);
  if (data->resolved == NULL)
    {
      /* a network removed meanwhile: still forgotten with force */
      if (!data->force)
        {
          g_task_return_error (task, error);
          return;
        }
      g_clear_error (&error);
      data->resolved = g_strdup (data->network);
    }
  if (!g_strv_contains ((const char * const *) data->joined, data->resolved) && !data->force)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                               _("container %s is not connected to network %s"), data->name, data->resolved);
      return;
    }
  if (data->live && !hatake_networks_disconnect (data->networks, data->id, data->resolved, &error))
    {
      /* its address went all the same: the config must not keep it */
      g_message ("%s: %s", data->id, error->message);
      g_clear_error (&error);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_changed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeContainers *self = HATAKE_CONTAINERS (source);
  g_autoptr(GTask) task = user_data;
  NetData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  Entry *entry;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  entry = g_hash_table_lookup (self->entries, data->id);
  if (entry == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such container: %s"), data->name);
      return;
    }
  if (data->endpoint != NULL)
    g_ptr_array_add (entry->config->networks,
                     hatake_network_endpoint_new (data->resolved, (const char * const *) data->endpoint->aliases,
                                                  data->endpoint->ip));
  else
    for (guint i = 0; i < entry->config->networks->len; i++)
      if (g_strcmp0 (((HatakeNetworkEndpoint *) g_ptr_array_index (entry->config->networks, i))->network,
                     data->resolved) == 0)
        g_ptr_array_remove_index (entry->config->networks, i--);
  if (!_hatake_containers_save_config (entry, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static NetData *
net_data_new (HatakeContainers  *self,
              HatakeContainer   *container,
              GError           **error)
{
  Entry *entry = _hatake_containers_entry_for (self, container);
  HatakeContainerState state;
  const char *mode;
  NetData *data;
  g_autoptr(GStrvBuilder) joined = g_strv_builder_new ();

  if (entry == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such container: %s"),
                   hatake_container_get_id (container));
      return NULL;
    }
  state = hatake_container_get_state (container);
  mode = entry->config->network_mode;
  if (g_strcmp0 (mode, "host") == 0 || g_strcmp0 (mode, "none") == 0 || g_str_has_prefix (mode ? mode : "", "container:"))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                   _("container %s uses network mode %s: it cannot be connected to or disconnected from networks"),
                   hatake_container_get_name (container), mode);
      return NULL;
    }
  if (state == HATAKE_CONTAINER_REMOVING || state == HATAKE_CONTAINER_REMOVED || state == HATAKE_CONTAINER_DEAD ||
      state == HATAKE_CONTAINER_RESTARTING)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE, _("container %s is %s"),
                   hatake_container_get_name (container), hatake_container_state_to_string (state));
      return NULL;
    }
  data = g_new0 (NetData, 1);
  data->networks = g_object_ref (self->networks);
  data->id = g_strdup (hatake_container_get_id (container));
  data->name = g_strdup (hatake_container_get_name (container));
  data->dir = g_strdup (entry->dir);
  data->live = state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED;
  for (guint i = 0; i < entry->config->networks->len; i++)
    g_strv_builder_add (joined, ((HatakeNetworkEndpoint *) g_ptr_array_index (entry->config->networks, i))->network);
  data->joined = g_strv_builder_end (joined);
  return data;
}

void
hatake_containers_connect_async (HatakeContainers            *self,
                                 HatakeContainer             *container,
                                 const HatakeNetworkEndpoint *endpoint,
                                 GCancellable                *cancellable,
                                 GAsyncReadyCallback          callback,
                                 gpointer                     user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) worker = NULL;
  GError *error = NULL;
  NetData *data;

  g_task_set_source_tag (task, hatake_containers_connect_async);
  if (endpoint->network == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_CONFLICT,
                               _("container cannot be connected to network %s"), "(none)");
      return;
    }
  data = net_data_new (self, container, &error);
  if (data == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->endpoint = hatake_network_endpoint_new (endpoint->network, (const char * const *) endpoint->aliases,
                                                endpoint->ip);
  worker = g_task_new (self, cancellable, on_changed, g_steal_pointer (&task));
  g_task_set_task_data (worker, data, (GDestroyNotify) net_data_free);
  hatake_networks_run_in_thread (self->networks, worker, connect_thread);
}

void
hatake_containers_disconnect_async (HatakeContainers    *self,
                                    HatakeContainer     *container,
                                    const char          *network,
                                    gboolean             force,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) worker = NULL;
  GError *error = NULL;
  NetData *data;

  g_task_set_source_tag (task, hatake_containers_disconnect_async);
  data = net_data_new (self, container, &error);
  if (data == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->network = g_strdup (network);
  data->force = force;
  worker = g_task_new (self, cancellable, on_changed, g_steal_pointer (&task));
  g_task_set_task_data (worker, data, (GDestroyNotify) net_data_free);
  hatake_networks_run_in_thread (self->networks, worker, disconnect_thread);
}

gboolean
hatake_containers_network_change_finish (HatakeContainers  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
