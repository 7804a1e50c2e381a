/* hatake-container-group.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Its "title" is the project's name; its "summary" counts its containers and those running,
 * and follows them (containers joining, leaving, starting, stopping).
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "hatake-container-group.h"
#include "hatake-core.h"

struct _HatakeContainerGroup
{
  GObject             parent_instance;

  char               *project;
  GtkFilterListModel *children;
  GPtrArray          *watched;    /* containers whose state we follow */
};

G_DEFINE_FINAL_TYPE (HatakeContainerGroup, hatake_container_group, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
in_project (gpointer item,
            gpointer user_data)
{
  return g_strcmp0 (hatake_container_get_project (item), user_data) == 0;
}

static char *
dup_summary (HatakeContainerGroup *self)
{
  GListModel *children = G_LIST_MODEL (self->children);
  guint n = g_list_model_get_n_items (children);
  guint running = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (children, i);

      if (hatake_container_get_state (c) == HATAKE_CONTAINER_RUNNING)
        running++;
    }
  {
    g_autofree char *count = g_strdup_printf (ngettext ("%u container", "%u containers", n), n);
    /* Translators: after "3 containers, " in a compose project's summary */
    g_autofree char *up = g_strdup_printf (_("%u running"), running);

    return g_strdup_printf ("%s, %s", count, up);
  }
}

static void
on_state_changed (HatakeContainerGroup *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

static void
unwatch_all (HatakeContainerGroup *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i), on_state_changed, self);
  g_ptr_array_set_size (self->watched, 0);
}

static void
on_children_changed (HatakeContainerGroup *self)
{
  GListModel *children = G_LIST_MODEL (self->children);

  unwatch_all (self);
  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      HatakeContainer *c = g_list_model_get_item (children, i);

      g_signal_connect_swapped (c, "notify::state", G_CALLBACK (on_state_changed), self);
      g_ptr_array_add (self->watched, c);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

static void
hatake_container_group_dispose (GObject *object)
{
  HatakeContainerGroup *self = HATAKE_CONTAINER_GROUP (object);

  if (self->children != NULL)
    g_signal_handlers_disconnect_by_func (self->children, on_children_changed, self);
  unwatch_all (self);
  g_clear_object (&self->children);
  G_OBJECT_CLASS (hatake_container_group_parent_class)->dispose (object);
}

static void
hatake_container_group_finalize (GObject *object)
{
  HatakeContainerGroup *self = HATAKE_CONTAINER_GROUP (object);

  g_ptr_array_unref (self->watched);
  g_free (self->project);
  G_OBJECT_CLASS (hatake_container_group_parent_class)->finalize (object);
}

static void
hatake_container_group_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  HatakeContainerGroup *self = HATAKE_CONTAINER_GROUP (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->project);
      break;
    case PROP_SUMMARY:
      g_value_take_string (value, dup_summary (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_container_group_class_init (HatakeContainerGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hatake_container_group_dispose;
  object_class->finalize = hatake_container_group_finalize;
  object_class->get_property = hatake_container_group_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hatake_container_group_init (HatakeContainerGroup *self)
{
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
}

HatakeContainerGroup *
hatake_container_group_new (const char *project,
                            GListModel *containers)
{
  HatakeContainerGroup *self;
  GtkCustomFilter *filter;

  g_return_val_if_fail (project != NULL, NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (containers), NULL);

  self = g_object_new (HATAKE_TYPE_CONTAINER_GROUP, NULL);
  self->project = g_strdup (project);
  filter = gtk_custom_filter_new (in_project, self->project, NULL);
  self->children = gtk_filter_list_model_new (g_object_ref (containers), GTK_FILTER (filter));
  g_signal_connect_swapped (self->children, "items-changed", G_CALLBACK (on_children_changed), self);
  on_children_changed (self);
  return self;
}

const char *
hatake_container_group_get_project (HatakeContainerGroup *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER_GROUP (self), NULL);

  return self->project;
}

GListModel *
hatake_container_group_get_children (HatakeContainerGroup *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER_GROUP (self), NULL);

  return G_LIST_MODEL (self->children);
}
