/* hatake-containers-attach.c: connections to conmon's attach socket, and the attaches that
 * wait for a container's start (docker attaches before it starts)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gunixsocketaddress.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"

/* The attaches that waited for a start that will not come (it failed, or the container went) */
void
_hatake_containers_fail_early_attaches (Entry *entry, const char *why)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&entry->early_attaches);

  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);   /* (the array's reference) */

      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE, _("Cannot attach: %s"), why);
      g_object_unref (task);
    }
}

typedef struct
{
  GTask *attach;
  GTask *start;   /* (nullable) the start that waits for this connection */
} AttachConnect;

static void
on_attach_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AttachConnect *c = user_data;
  GError *error = NULL;
  GSocketConnection *connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (connection != NULL)
    g_task_return_pointer (c->attach, connection, g_object_unref);
  else
    {
      g_prefix_error (&error, _("Cannot attach: "));
      g_task_return_error (c->attach, error);
    }
  g_object_unref (c->attach);
  if (c->start != NULL)
    _hatake_containers_created_and_set_up (c->start);
  g_free (c);
}

void
_hatake_containers_connect_attach (HatakeContainers *self, HatakeContainer *container, GTask *attach, GTask *start)
{
  g_autofree char *path = hatake_containers_attach_path (self, container);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  AttachConnect *c = g_new0 (AttachConnect, 1);

  c->attach = attach;   /* (the reference is the caller's) */
  c->start = start;
  /* conmon's attach socket keeps message boundaries: one packet, one stream byte */
  g_socket_client_set_socket_type (client, G_SOCKET_TYPE_SEQPACKET);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), g_task_get_cancellable (attach),
                                 on_attach_connected, c);
}

void
hatake_containers_connect_attach_async (HatakeContainers    *self,
                                        HatakeContainer     *container,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Entry *entry = _hatake_containers_entry_for (self, container);

  g_task_set_source_tag (task, hatake_containers_connect_attach_async);
  if (entry != NULL && hatake_container_get_state (container) == HATAKE_CONTAINER_RUNNING)
    _hatake_containers_connect_attach (self, container, task, NULL);
  /* one not running yet, or not any more, is attached from its next start on, as dockerd does
   * (docker start -a attaches, then starts) */
  else if (entry != NULL && (hatake_container_get_state (container) == HATAKE_CONTAINER_CREATED ||
                             hatake_container_get_state (container) == HATAKE_CONTAINER_EXITED))
    {
      if (entry->early_attaches == NULL)
        entry->early_attaches = g_ptr_array_new ();
      g_ptr_array_add (entry->early_attaches, task);
    }
  else
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                               _("You cannot attach to a stopped container, start it first"));
      g_object_unref (task);
    }
}

GSocketConnection *
hatake_containers_connect_attach_finish (HatakeContainers  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
