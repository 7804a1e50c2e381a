/* hatake-volumes-page.c: the list of volumes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine has no live model of volumes (unlike images and containers), so the page asks it
 * for the list when it is shown and after each of its own actions. The cells are declared in
 * hatake-volumes-page.ui; this file keeps the closures, the small item type the cells look up,
 * and the actions: create (a name, or none for a generated one), delete and prune, each after a
 * question.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "hatake-error.h"
#include "hatake-images-page.h"
#include "hatake-volume.h"
#include "hatake-volumes-page.h"

/* One row: what the list answer says of a volume. Private to the page — nothing else needs a
 * volume as an object yet — so it lives here rather than in a file pair of its own. */
#define HATAKE_TYPE_VOLUME_ITEM (hatake_volume_item_get_type ())
G_DECLARE_FINAL_TYPE (HatakeVolumeItem, hatake_volume_item, HATAKE, VOLUME_ITEM, GObject)

struct _HatakeVolumeItem
{
  GObject  parent_instance;

  char    *name;
  char    *driver;
  char    *mountpoint;
  gint64   created;
};

G_DEFINE_FINAL_TYPE (HatakeVolumeItem, hatake_volume_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_NAME,
  ITEM_PROP_DRIVER,
  ITEM_PROP_MOUNTPOINT,
  ITEM_PROP_CREATED,
  N_ITEM_PROPS
};

static GParamSpec *item_properties[N_ITEM_PROPS];

static void
hatake_volume_item_finalize (GObject *object)
{
  HatakeVolumeItem *self = HATAKE_VOLUME_ITEM (object);

  g_free (self->name);
  g_free (self->driver);
  g_free (self->mountpoint);

  G_OBJECT_CLASS (hatake_volume_item_parent_class)->finalize (object);
}

static void
hatake_volume_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HatakeVolumeItem *self = HATAKE_VOLUME_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case ITEM_PROP_DRIVER:
      g_value_set_string (value, self->driver);
      break;

    case ITEM_PROP_MOUNTPOINT:
      g_value_set_string (value, self->mountpoint);
      break;

    case ITEM_PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_volume_item_class_init (HatakeVolumeItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_volume_item_finalize;
  object_class->get_property = hatake_volume_item_get_property;

  item_properties[ITEM_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_DRIVER] =
    g_param_spec_string ("driver", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_MOUNTPOINT] =
    g_param_spec_string ("mountpoint", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
hatake_volume_item_init (HatakeVolumeItem *self)
{
}

/* From one element of the list answer's "Volumes"; NULL for one without a name. */
static HatakeVolumeItem *
hatake_volume_item_new_from_json (JsonObject *object)
{
  HatakeVolumeItem *self;
  const char *name = json_object_get_string_member_with_default (object, "Name", NULL);
  const char *created_at = json_object_get_string_member_with_default (object, "CreatedAt", NULL);

  if (name == NULL || *name == '\0')
    return NULL;

  self = g_object_new (HATAKE_TYPE_VOLUME_ITEM, NULL);
  self->name = g_strdup (name);
  self->driver = g_strdup (json_object_get_string_member_with_default (object, "Driver", "local"));
  self->mountpoint = g_strdup (json_object_get_string_member_with_default (object, "Mountpoint", ""));
  if (created_at != NULL)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (created_at, NULL);

      if (time != NULL)
        self->created = MAX (g_date_time_to_unix (time), 0);
    }
  return self;
}

struct _HatakeVolumesPage
{
  GtkWidget         parent_instance;

  HatakeEngine     *engine;
  GCancellable     *cancellable;
  guint             list_serial;   /* answers to older list requests are dropped */

  AdwToastOverlay  *toast_overlay;
  GtkStack         *stack;
  GtkColumnView    *column_view;
  GListStore       *store;
  GtkSortListModel *sort_model;
};

G_DEFINE_FINAL_TYPE (HatakeVolumesPage, hatake_volumes_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
created_text (GtkListItem *item,
              gint64       created)
{
  return hatake_images_format_created (created, g_get_real_time () / G_USEC_PER_SEC);
}

static void
update_visible_page (HatakeVolumesPage *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "list" : "empty");
}

static void
on_items_changed (HatakeVolumesPage *self,
                  guint              position,
                  guint              removed,
                  guint              added,
                  GListModel        *model)
{
  update_visible_page (self);
}

static GtkWindow *
page_window (HatakeVolumesPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
show_toast (HatakeVolumesPage *self,
            const char        *text,
            gboolean           sticky)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (markup);

  /* Errors stay until dismissed; news of success goes by itself. */
  if (sticky)
    adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Operations hold the page weakly: a page closed meanwhile is not kept alive to hear back. */
typedef struct
{
  GWeakRef  page;
  char     *name;
  guint     serial;
} OpData;

static OpData *
op_data_new (HatakeVolumesPage *self,
             const char        *name)
{
  OpData *data = g_new0 (OpData, 1);

  g_weak_ref_init (&data->page, self);
  data->name = g_strdup (name);
  return data;
}

static void
op_data_free (OpData *data)
{
  g_weak_ref_clear (&data->page);
  g_free (data->name);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpData, op_data_free)

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (&data->page);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *volumes = NULL;

  node = hatake_engine_volume_op_finish (HATAKE_ENGINE (source), result, &error);
  if (self == NULL || data->serial != self->list_serial ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not list the volumes: %s"), error->message);

      show_toast (self, text, TRUE);
      return;
    }

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);

      if (json_object_has_member (object, "Volumes") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "Volumes")))
        volumes = json_object_get_array_member (object, "Volumes");
    }

  for (guint i = 0; volumes != NULL && i < json_array_get_length (volumes); i++)
    {
      JsonNode *element = json_array_get_element (volumes, i);
      HatakeVolumeItem *item;

      if (JSON_NODE_HOLDS_OBJECT (element) &&
          (item = hatake_volume_item_new_from_json (json_node_get_object (element))) != NULL)
        g_ptr_array_add (items, item);
    }

  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
}

/**
 * hatake_volumes_page_refresh:
 *
 * Asks the engine for its volumes again; the list follows when the answer comes.
 */
void
hatake_volumes_page_refresh (HatakeVolumesPage *self)
{
  HatakeVolumeOpArgs args = { 0 };
  HatakeEngine *engine;
  OpData *data;

  g_return_if_fail (HATAKE_IS_VOLUMES_PAGE (self));

  if ((engine = self->engine) == NULL)
    return;

  data = op_data_new (self, NULL);
  data->serial = ++self->list_serial;
  hatake_engine_volume_op_async (engine, HATAKE_VOLUME_OP_LIST, &args, self->cancellable,
                                 list_done, data);
}

static void
create_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (&data->page);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = hatake_engine_volume_op_finish (HATAKE_ENGINE (source), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_autofree char *text = NULL;

      if (data->name != NULL)
        text = g_strdup_printf (_("Could not create “%s”: %s"), data->name, error->message);
      else
        text = g_strdup_printf (_("Could not create a volume: %s"), error->message);
      show_toast (self, text, TRUE);
    }
  hatake_volumes_page_refresh (self);
}

static void
on_create_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (user_data);
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  HatakeVolumeOpArgs args = { 0 };
  HatakeEngine *engine;

  if (self == NULL || g_strcmp0 (response, "create") != 0 || (engine = self->engine) == NULL)
    return;

  args.name = *name != '\0' ? name : NULL;
  hatake_engine_volume_op_async (engine, HATAKE_VOLUME_OP_CREATE, &args, self->cancellable,
                                 create_done, op_data_new (self, args.name));
}

static void
on_name_changed (GtkEditable      *entry,
                 AdwMessageDialog *dialog)
{
  const char *text = gtk_editable_get_text (entry);
  /* The engine's own rule, so the dialog never offers what create would refuse. */
  gboolean ok = *text == '\0' || hatake_volumes_name_is_valid (text);

  adw_message_dialog_set_response_enabled (dialog, "create", ok);
  if (ok)
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
}

static void
on_name_activate (GtkEntry         *entry,
                  AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "create"))
    {
      adw_message_dialog_response (dialog, "create");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void
weak_ref_free (gpointer  data,
               GClosure *closure)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

/**
 * hatake_volumes_page_open_create_dialog:
 *
 * Asks for a new volume's name (none: the engine makes one up) and creates it.
 *
 * Returns: (transfer none): the question, shown
 */
GtkWidget *
hatake_volumes_page_open_create_dialog (HatakeVolumesPage *self)
{
  GtkWidget *dialog;
  GtkWidget *entry;

  g_return_val_if_fail (HATAKE_IS_VOLUMES_PAGE (self), NULL);

  dialog = adw_message_dialog_new (page_window (self), _("Create Volume"),
                                   _("Leave the name empty for a generated one."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "create", _("C_reate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "create");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Volume name"), -1);
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_name_changed), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (on_name_activate), dialog, 0);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  g_signal_connect_data (dialog, "response", G_CALLBACK (on_create_response), weak_ref_new (self),
                         weak_ref_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
  return dialog;
}

static void
delete_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (&data->page);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = hatake_engine_volume_op_finish (HATAKE_ENGINE (source), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Mostly a conflict: a container uses it. The engine's message says which. */
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not delete “%s”: %s"), data->name,
                                               error->message);

      show_toast (self, text, TRUE);
    }
  hatake_volumes_page_refresh (self);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (user_data);
  const char *name = g_object_get_data (G_OBJECT (dialog), "hatake-volume");
  HatakeVolumeOpArgs args = { .name = name };
  HatakeEngine *engine;

  if (self == NULL || g_strcmp0 (response, "delete") != 0 || (engine = self->engine) == NULL)
    return;

  hatake_engine_volume_op_async (engine, HATAKE_VOLUME_OP_REMOVE, &args, self->cancellable,
                                 delete_done, op_data_new (self, name));
}

/**
 * hatake_volumes_page_confirm_delete:
 *
 * Asks whether to delete the volume @name with its data, and deletes it when the answer is yes.
 *
 * Returns: (transfer none): the question, shown
 */
GtkWidget *
hatake_volumes_page_confirm_delete (HatakeVolumesPage *self,
                                    const char        *name)
{
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  g_return_val_if_fail (HATAKE_IS_VOLUMES_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  body = g_strdup_printf (_("“%s” and the data in it will be deleted. A volume that a container uses cannot be deleted."),
                          name);
  dialog = adw_message_dialog_new (page_window (self), _("Delete Volume?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "hatake-volume", g_strdup (name), g_free);

  g_signal_connect_data (dialog, "response", G_CALLBACK (on_delete_response), weak_ref_new (self),
                         weak_ref_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
prune_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (&data->page);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  node = hatake_engine_volume_op_finish (HATAKE_ENGINE (source), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      text = g_strdup_printf (_("Could not prune the volumes: %s"), error->message);
      show_toast (self, text, TRUE);
    }
  else
    {
      JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *deleted = object != NULL ? json_object_get_member (object, "VolumesDeleted") : NULL;
      guint n = deleted != NULL && JSON_NODE_HOLDS_ARRAY (deleted) ?
                json_array_get_length (json_node_get_array (deleted)) : 0;
      gint64 space = object != NULL ? json_object_get_int_member_with_default (object, "SpaceReclaimed", 0) : 0;
      g_autofree char *size = g_format_size (MAX (space, 0));

      text = g_strdup_printf (ngettext ("%u volume deleted, %s freed", "%u volumes deleted, %s freed", n),
                              n, size);
      show_toast (self, text, FALSE);
    }
  hatake_volumes_page_refresh (self);
}

static void
on_prune_response (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (user_data);
  /* Named volumes too: the list shows them all, and the question says so. */
  HatakeVolumeOpArgs args = { .all = TRUE };
  HatakeEngine *engine;

  if (self == NULL || g_strcmp0 (response, "prune") != 0 || (engine = self->engine) == NULL)
    return;

  hatake_engine_volume_op_async (engine, HATAKE_VOLUME_OP_PRUNE, &args, self->cancellable,
                                 prune_done, op_data_new (self, NULL));
}

/**
 * hatake_volumes_page_confirm_prune:
 *
 * Asks whether to delete every volume no container uses, and does when the answer is yes.
 *
 * Returns: (transfer none): the question, shown
 */
GtkWidget *
hatake_volumes_page_confirm_prune (HatakeVolumesPage *self)
{
  GtkWidget *dialog;

  g_return_val_if_fail (HATAKE_IS_VOLUMES_PAGE (self), NULL);

  dialog = adw_message_dialog_new (page_window (self), _("Delete Unused Volumes?"),
                                   _("Every volume that no container uses will be deleted, named ones too, with the data in them."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "prune", _("_Delete Unused"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "prune",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_signal_connect_data (dialog, "response", G_CALLBACK (on_prune_response), weak_ref_new (self),
                         weak_ref_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
create_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  hatake_volumes_page_open_create_dialog (HATAKE_VOLUMES_PAGE (widget));
}

static void
prune_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  hatake_volumes_page_confirm_prune (HATAKE_VOLUMES_PAGE (widget));
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  hatake_volumes_page_refresh (HATAKE_VOLUMES_PAGE (widget));
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  const char *name = g_variant_get_string (parameter, NULL);

  if (*name != '\0')
    hatake_volumes_page_confirm_delete (HATAKE_VOLUMES_PAGE (widget), name);
}

static void
actions_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HatakeVolumesPage        *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_tooltip_text (button, _("Delete…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Delete…"), -1);
  gtk_widget_set_name (button, "delete");
  /* The target comes first, so the action never sees a button without one. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (""));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "volumes.delete");
  gtk_list_item_set_child (item, button);
}

static void
actions_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HatakeVolumesPage        *self)
{
  HatakeVolumeItem *volume = gtk_list_item_get_item (item);

  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (gtk_list_item_get_child (item)),
                                          g_variant_new_string (volume->name));
}

GtkWidget *
hatake_volumes_page_new (HatakeEngine *engine)
{
  g_return_val_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine), NULL);

  return g_object_new (HATAKE_TYPE_VOLUMES_PAGE, "engine", engine, NULL);
}

HatakeEngine *
hatake_volumes_page_get_engine (HatakeVolumesPage *self)
{
  g_return_val_if_fail (HATAKE_IS_VOLUMES_PAGE (self), NULL);

  return self->engine;
}

void
hatake_volumes_page_set_engine (HatakeVolumesPage *self,
                                HatakeEngine      *engine)
{
  g_return_if_fail (HATAKE_IS_VOLUMES_PAGE (self));
  g_return_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;

  /* What another engine said is no longer true. */
  self->list_serial++;
  g_list_store_remove_all (self->store);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    hatake_volumes_page_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

/**
 * hatake_volumes_page_get_model:
 *
 * Returns: (transfer none): the volumes shown, as the list last answered
 */
GListModel *
hatake_volumes_page_get_model (HatakeVolumesPage *self)
{
  g_return_val_if_fail (HATAKE_IS_VOLUMES_PAGE (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}

static void
hatake_volumes_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hatake_volumes_page_parent_class)->map (widget);

  /* The stack maps only the page on show: choosing the section is what refreshes. */
  hatake_volumes_page_refresh (HATAKE_VOLUMES_PAGE (widget));
}

static void
hatake_volumes_page_dispose (GObject *object)
{
  HatakeVolumesPage *self = HATAKE_VOLUMES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_VOLUMES_PAGE);

  G_OBJECT_CLASS (hatake_volumes_page_parent_class)->dispose (object);
}

static void
hatake_volumes_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HatakeVolumesPage *self = HATAKE_VOLUMES_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_volumes_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  HatakeVolumesPage *self = HATAKE_VOLUMES_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      hatake_volumes_page_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_volumes_page_class_init (HatakeVolumesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hatake_volumes_page_dispose;
  object_class->get_property = hatake_volumes_page_get_property;
  object_class->set_property = hatake_volumes_page_set_property;

  widget_class->map = hatake_volumes_page_map;

  /**
   * HatakeVolumesPage:engine:
   *
   * The engine whose volumes the page shows; %NULL: the window's.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HATAKE_TYPE_VOLUME_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-volumes-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeVolumesPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HatakeVolumesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeVolumesPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, HatakeVolumesPage, store);
  gtk_widget_class_bind_template_child (widget_class, HatakeVolumesPage, sort_model);
  gtk_widget_class_bind_template_callback (widget_class, created_text);
  gtk_widget_class_bind_template_callback (widget_class, actions_setup);
  gtk_widget_class_bind_template_callback (widget_class, actions_bind);

  gtk_widget_class_install_action (widget_class, "volumes.create", NULL, create_activated);
  gtk_widget_class_install_action (widget_class, "volumes.prune", NULL, prune_activated);
  gtk_widget_class_install_action (widget_class, "volumes.refresh", NULL, refresh_activated);
  gtk_widget_class_install_action (widget_class, "volumes.delete", "s", delete_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "volumespage");
}

static void
hatake_volumes_page_init (HatakeVolumesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->sort_model, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  update_visible_page (self);
}
