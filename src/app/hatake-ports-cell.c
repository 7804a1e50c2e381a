/* hatake-ports-cell.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * HatakeContainer has no ports: they are in its inspect (NetworkSettings.Ports, the host ports
 * the engine picked included), which both engines answer. The cell asks for it while it shows a
 * running container, again when that container's state changes (a restart may pick other host
 * ports), and forgets it when the container stops. TCP ports become links that open
 * http://HOST:PORT/ in the browser; UDP ones are plain text.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "hatake-json.h"
#include "hatake-ports-cell.h"
#include "hatake-widget-utils.h"

struct _HatakePortsCell
{
  GtkWidget        parent_instance;

  HatakeEngine    *engine;
  HatakeContainer *container;
  GCancellable    *cancellable;   /* the inspect in flight */
  GtkWidget       *box;
};

G_DEFINE_FINAL_TYPE (HatakePortsCell, hatake_ports_cell, GTK_TYPE_WIDGET)

static gboolean
is_any_address (const char *host_ip)
{
  return host_ip == NULL || *host_ip == '\0' || g_str_equal (host_ip, "0.0.0.0") ||
         g_str_equal (host_ip, "::");
}

char *
hatake_ports_cell_uri_for (const char *host_ip,
                           const char *host_port)
{
  g_return_val_if_fail (host_port != NULL, NULL);

  if (is_any_address (host_ip))
    return g_strdup_printf ("http://localhost:%s/", host_port);
  if (strchr (host_ip, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%s/", host_ip, host_port);
  return g_strdup_printf ("http://%s:%s/", host_ip, host_port);
}

char *
hatake_ports_cell_text_for (const char *host_ip,
                            const char *host_port,
                            const char *container_port)
{
  g_return_val_if_fail (host_port != NULL, NULL);
  g_return_val_if_fail (container_port != NULL, NULL);

  if (host_ip != NULL && strchr (host_ip, ':') != NULL)
    return g_strdup_printf ("[%s]:%s→%s", host_ip, host_port, container_port);
  return g_strdup_printf ("%s:%s→%s", host_ip && *host_ip ? host_ip : "0.0.0.0", host_port,
                          container_port);
}

static void
clear_links (HatakePortsCell *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);
}

static void
on_uri_shown (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GtkWidget) link = user_data;
  g_autoptr(GError) error = NULL;
  GtkWidget *overlay;

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error))
    return;
  overlay = gtk_widget_get_ancestor (link, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not open “%s”: %s"),
                                               gtk_link_button_get_uri (GTK_LINK_BUTTON (link)),
                                               error->message);
      hatake_toast_show (ADW_TOAST_OVERLAY (overlay), text, FALSE);
    }
  else
    g_debug ("Could not open %s: %s", gtk_link_button_get_uri (GTK_LINK_BUTTON (link)), error->message);
}

/* Opened ourselves rather than by GtkLinkButton's default, so a failure says why in a toast. */
static gboolean
on_activate_link (GtkLinkButton *link,
                  gpointer       user_data)
{
  gtk_show_uri_full (hatake_widget_get_window (GTK_WIDGET (link)), gtk_link_button_get_uri (link),
                     GDK_CURRENT_TIME, NULL, on_uri_shown, g_object_ref (link));
  return TRUE;
}

static int
compare_port_keys (gconstpointer a,
                   gconstpointer b)
{
  const char *ka = *(const char **) a, *kb = *(const char **) b;
  int na = atoi (ka), nb = atoi (kb);

  return na != nb ? (na < nb ? -1 : 1) : g_strcmp0 (ka, kb);
}

static void
add_port (HatakePortsCell *self,
          const char      *key,
          JsonObject      *binding)
{
  const char *host_ip = json_object_get_string_member_with_default (binding, "HostIp", "");
  const char *host_port = json_object_get_string_member_with_default (binding, "HostPort", "");
  g_autofree char *text = NULL;
  GtkWidget *widget;

  if (*host_port == '\0')
    return;
  text = hatake_ports_cell_text_for (host_ip, host_port, key);
  if (g_str_has_suffix (key, "/tcp"))
    {
      g_autofree char *uri = hatake_ports_cell_uri_for (host_ip, host_port);
      g_autofree char *tooltip = g_strdup_printf (_("Open %s in the browser"), uri);

      widget = gtk_link_button_new_with_label (uri, text);
      gtk_widget_set_tooltip_text (widget, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      g_signal_connect (widget, "activate-link", G_CALLBACK (on_activate_link), NULL);
    }
  else
    {
      widget = gtk_label_new (text);
      gtk_widget_add_css_class (widget, "dim-label");
    }
  gtk_box_append (GTK_BOX (self->box), widget);
}

static void
show_ports (HatakePortsCell *self,
            JsonNode        *inspect)
{
  JsonObject *root = JSON_NODE_HOLDS_OBJECT (inspect) ? json_node_get_object (inspect) : NULL;
  JsonObject *ports = hatake_json_object_member (hatake_json_object_member (root, "NetworkSettings"), "Ports");
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GList) members = ports ? json_object_get_members (ports) : NULL;

  clear_links (self);
  for (GList *l = members; l != NULL; l = l->next)
    g_ptr_array_add (keys, l->data);
  g_ptr_array_sort (keys, compare_port_keys);

  for (guint i = 0; i < keys->len; i++)
    {
      JsonNode *node = json_object_get_member (ports, keys->pdata[i]);
      JsonArray *bindings = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      /* exposed but not published: null */
      for (guint j = 0; bindings != NULL && j < json_array_get_length (bindings); j++)
        {
          JsonNode *b = json_array_get_element (bindings, j);

          if (JSON_NODE_HOLDS_OBJECT (b))
            add_port (self, keys->pdata[i], json_node_get_object (b));
        }
    }
}

static void
inspect_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HatakePortsCell) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = hatake_engine_inspect_container_finish (HATAKE_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL)
    {
      /* gone between the change and the question: its row goes too */
      g_debug ("Could not inspect for ports: %s", error->message);
      clear_links (self);
      return;
    }
  show_ports (self, node);
}

static void
refresh (HatakePortsCell *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->engine == NULL || self->container == NULL ||
      HATAKE_ENGINE_GET_IFACE (self->engine)->inspect_container_async == NULL ||
      hatake_container_get_state (self->container) != HATAKE_CONTAINER_RUNNING)
    {
      clear_links (self);
      return;
    }

  self->cancellable = g_cancellable_new ();
  hatake_engine_inspect_container_async (self->engine, hatake_container_get_id (self->container),
                                         self->cancellable, inspect_done, g_object_ref (self));
}

static void
on_state_changed (HatakePortsCell *self)
{
  refresh (self);
}

void
hatake_ports_cell_set_engine (HatakePortsCell *self,
                              HatakeEngine    *engine)
{
  g_return_if_fail (HATAKE_IS_PORTS_CELL (self));
  g_return_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine));

  if (g_set_object (&self->engine, engine))
    refresh (self);
}

HatakeContainer *
hatake_ports_cell_get_container (HatakePortsCell *self)
{
  g_return_val_if_fail (HATAKE_IS_PORTS_CELL (self), NULL);

  return self->container;
}

void
hatake_ports_cell_set_container (HatakePortsCell *self,
                                 HatakeContainer *container)
{
  g_return_if_fail (HATAKE_IS_PORTS_CELL (self));
  g_return_if_fail (container == NULL || HATAKE_IS_CONTAINER (container));

  if (self->container == container)
    return;
  if (self->container != NULL)
    g_signal_handlers_disconnect_by_func (self->container, on_state_changed, self);
  g_set_object (&self->container, container);
  if (container != NULL)
    g_signal_connect_object (container, "notify::state", G_CALLBACK (on_state_changed), self,
                             G_CONNECT_SWAPPED);
  refresh (self);
}

GtkWidget *
hatake_ports_cell_new (void)
{
  return g_object_new (HATAKE_TYPE_PORTS_CELL, NULL);
}

static void
hatake_ports_cell_dispose (GObject *object)
{
  HatakePortsCell *self = HATAKE_PORTS_CELL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->container != NULL)
    g_signal_handlers_disconnect_by_func (self->container, on_state_changed, self);
  g_clear_object (&self->container);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (hatake_ports_cell_parent_class)->dispose (object);
}

static void
hatake_ports_cell_class_init (HatakePortsCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hatake_ports_cell_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ports");
}

static void
hatake_ports_cell_init (HatakePortsCell *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}
