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
#include "hatake-file-browser.h"
#include "hatake-images-page.h"
#include "hatake-volume.h"
#include "hatake-volume-helper.h"
#include "hatake-volumes-page.h"
#include "hatake-widget-utils.h"

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
  gint64   size;     /* -1: not known (yet) */
  char    *users;    /* the containers using it, ", "-joined; NULL: not known (yet) */
};

G_DEFINE_FINAL_TYPE (HatakeVolumeItem, hatake_volume_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_NAME,
  ITEM_PROP_DRIVER,
  ITEM_PROP_MOUNTPOINT,
  ITEM_PROP_CREATED,
  ITEM_PROP_SIZE,
  ITEM_PROP_USERS,
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
  g_free (self->users);

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

    case ITEM_PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;

    case ITEM_PROP_USERS:
      g_value_set_string (value, self->users);
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
  item_properties[ITEM_PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_USERS] =
    g_param_spec_string ("users", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
hatake_volume_item_init (HatakeVolumeItem *self)
{
  self->size = -1;
}

static void
hatake_volume_item_set_size (HatakeVolumeItem *self,
                             gint64            size)
{
  if (self->size == size)
    return;
  self->size = size;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_SIZE]);
}

static void
hatake_volume_item_set_users (HatakeVolumeItem *self,
                              const char       *users)
{
  if (g_strcmp0 (self->users, users) == 0)
    return;
  g_free (self->users);
  self->users = g_strdup (users);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_USERS]);
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
  GListModel       *containers;    /* the engine's: a change may change who uses what */
  AdwToast         *toast;         /* (weak) the one shown last */
  guint             usage_serial;  /* answers to older usage requests are dropped */
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

static char *
size_text (GtkListItem *item,
           gint64       size)
{
  return size < 0 ? g_strdup ("…") : g_format_size (size);
}

static char *
users_text (GtkListItem *item,
            const char  *users)
{
  if (users == NULL)
    return g_strdup ("…");
  return g_strdup (*users != '\0' ? users : "—");
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

static void
show_toast (HatakeVolumesPage *self,
            const char        *text,
            gboolean           sticky)
{
  AdwToast *toast = hatake_toast_new (text, sticky);

  /* Newer news replaces older: an export's result is not queued behind an error the user has
   * not dismissed yet. */
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);
  g_set_weak_pointer (&self->toast, toast);
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

static HatakeVolumeItem *
find_item (HatakeVolumesPage *self,
           const char        *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeVolumeItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (g_strcmp0 (item->name, name) == 0)
        return item;
    }
  return NULL;
}

static void
disk_usage_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (&data->page);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonNode *volumes;

  node = hatake_engine_disk_usage_finish (HATAKE_ENGINE (source), result, &error);
  if (self == NULL || data->serial != self->usage_serial)
    return;
  /* Sizes are a nicety: an engine that cannot say leaves them unknown. */
  if (error != NULL)
    {
      g_debug ("No volume sizes: %s", error->message);
      return;
    }
  object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  volumes = object != NULL ? json_object_get_member (object, "Volumes") : NULL;
  for (guint i = 0; volumes != NULL && JSON_NODE_HOLDS_ARRAY (volumes) &&
                    i < json_array_get_length (json_node_get_array (volumes)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (volumes), i);
      JsonObject *volume = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonNode *usage = volume != NULL ? json_object_get_member (volume, "UsageData") : NULL;
      HatakeVolumeItem *item;

      if (usage == NULL || !JSON_NODE_HOLDS_OBJECT (usage) ||
          (item = find_item (self, json_object_get_string_member_with_default (volume, "Name", NULL))) == NULL)
        continue;
      /* docker says -1 where it did not count */
      hatake_volume_item_set_size (item, json_object_get_int_member_with_default (json_node_get_object (usage),
                                                                                  "Size", -1));
    }
}

/* Who uses which volume: each container's Mounts, from its inspect (every engine has them). */
typedef struct
{
  GWeakRef    page;
  guint       serial;
  guint       pending;
  GHashTable *users;    /* volume name → GPtrArray of container names */
} UsersData;

static void
users_data_free (UsersData *data)
{
  g_weak_ref_clear (&data->page);
  g_hash_table_unref (data->users);
  g_free (data);
}

static void
users_publish (UsersData *data)
{
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (&data->page);
  guint n;

  if (self == NULL || data->serial != self->usage_serial)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeVolumeItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      GPtrArray *names = g_hash_table_lookup (data->users, item->name);
      g_autofree char *text = NULL;

      if (names != NULL)
        {
          g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
          g_ptr_array_add (names, NULL);
          text = g_strjoinv (", ", (char **) names->pdata);
          g_ptr_array_remove_index (names, names->len - 1);
        }
      hatake_volume_item_set_users (item, text != NULL ? text : "");
    }
}

static void
inspect_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  UsersData *data = user_data;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonNode *mounts;
  const char *name;

  node = hatake_engine_inspect_container_finish (HATAKE_ENGINE (source), result, NULL);
  object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  mounts = object != NULL ? json_object_get_member (object, "Mounts") : NULL;
  name = object != NULL ? json_object_get_string_member_with_default (object, "Name", "") : "";
  if (*name == '/')
    name++;
  for (guint i = 0; mounts != NULL && JSON_NODE_HOLDS_ARRAY (mounts) &&
                    i < json_array_get_length (json_node_get_array (mounts)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (mounts), i);
      JsonObject *mount = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *volume;
      GPtrArray *names;

      if (mount == NULL || g_strcmp0 (json_object_get_string_member_with_default (mount, "Type", ""), "volume") != 0 ||
          (volume = json_object_get_string_member_with_default (mount, "Name", NULL)) == NULL)
        continue;
      if ((names = g_hash_table_lookup (data->users, volume)) == NULL)
        {
          names = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (data->users, g_strdup (volume), names);
        }
      if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, g_strdup (name));
    }

  if (--data->pending == 0)
    {
      users_publish (data);
      users_data_free (data);
    }
}

/* Sizes (the engine's disk usage) and users (the containers' mounts) of the volumes listed */
static void
refresh_usage (HatakeVolumesPage *self)
{
  UsersData *users;
  OpData *data;
  guint n;

  if (self->engine == NULL)
    return;

  self->usage_serial++;
  if (HATAKE_ENGINE_GET_IFACE (self->engine)->disk_usage_async != NULL)
    {
      data = op_data_new (self, NULL);
      data->serial = self->usage_serial;
      hatake_engine_disk_usage_async (self->engine, self->cancellable, disk_usage_done, data);
    }

  users = g_new0 (UsersData, 1);
  g_weak_ref_init (&users->page, self);
  users->serial = self->usage_serial;
  users->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  users->pending = 1;   /* this function's own, so the last answer (or none) publishes */
  n = self->containers != NULL ? g_list_model_get_n_items (self->containers) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeContainer) container = g_list_model_get_item (self->containers, i);

      /* our own helpers hold a volume only for a moment */
      if (hatake_container_get_label (container, HATAKE_VOLUME_HELPER_LABEL) != NULL)
        continue;
      users->pending++;
      hatake_engine_inspect_container_async (self->engine, hatake_container_get_id (container), self->cancellable,
                                             inspect_done, users);
    }
  if (--users->pending == 0)
    {
      users_publish (users);
      users_data_free (users);
    }
}

static void
on_containers_changed (HatakeVolumesPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh_usage (self);
}

/* A volume made or removed by anyone (a run, compose, the command line, another client). */
static void
on_object_event (HatakeVolumesPage *self,
                 const char        *type,
                 const char        *action,
                 const char        *id,
                 JsonNode          *attributes,
                 HatakeEngine      *engine)
{
  if (g_str_equal (type, "volume") && gtk_widget_get_mapped (GTK_WIDGET (self)))
    hatake_volumes_page_refresh (self);
}

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
  refresh_usage (self);
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

  dialog = adw_message_dialog_new (hatake_widget_get_window (GTK_WIDGET (self)), _("Create Volume"),
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
  dialog = adw_message_dialog_new (hatake_widget_get_window (GTK_WIDGET (self)), _("Delete Volume?"), body);
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

  dialog = adw_message_dialog_new (hatake_widget_get_window (GTK_WIDGET (self)), _("Delete Unused Volumes?"),
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

/* ---- browse, export, import ----------------------------------------------------------------- */

/* A browse window's helper container: removed when the window goes, or at once when the window
 * went before the helper was made. */
typedef struct
{
  HatakeEngine *engine;
  GWeakRef      browser;
  char         *helper;
  gboolean      window_gone;
  gboolean      helper_done;
} BrowseData;

static void
browse_data_release (BrowseData *data)
{
  if (!data->window_gone || !data->helper_done)
    return;
  if (data->helper != NULL)
    hatake_volume_helper_remove_async (data->engine, data->helper, NULL, NULL);
  g_object_unref (data->engine);
  g_weak_ref_clear (&data->browser);
  g_free (data->helper);
  g_free (data);
}

static void
browse_helper_ready (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  BrowseData *data = user_data;
  g_autoptr(HatakeFileBrowser) browser = g_weak_ref_get (&data->browser);
  g_autoptr(GError) error = NULL;

  data->helper = hatake_volume_helper_create_finish (HATAKE_ENGINE (source), result, &error);
  data->helper_done = TRUE;
  if (browser != NULL && data->helper != NULL)
    hatake_file_browser_set_target (browser, data->engine, data->helper, HATAKE_VOLUME_HELPER_PATH);
  else if (browser != NULL)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (browser));
      GtkWidget *page = g_object_get_data (G_OBJECT (root), "hatake-volumes-page");
      g_autofree char *text = g_strdup_printf (_("Could not browse the volume: %s"), error->message);

      if (page != NULL)
        show_toast (HATAKE_VOLUMES_PAGE (page), text, TRUE);
      gtk_window_destroy (GTK_WINDOW (root));
    }
  browse_data_release (data);
}

static void
on_browse_window_destroy (GtkWidget  *window,
                          BrowseData *data)
{
  data->window_gone = TRUE;
  browse_data_release (data);
}

/**
 * hatake_volumes_page_browse:
 *
 * Opens a window listing the files of the volume @name (read-only), through a helper container
 * made for it and removed with the window.
 *
 * Returns: (transfer none): the window, shown
 */
GtkWidget *
hatake_volumes_page_browse (HatakeVolumesPage *self,
                            const char        *name)
{
  g_autofree char *title = NULL;
  GtkWidget *window, *box, *header, *browser;
  BrowseData *data;

  g_return_val_if_fail (HATAKE_IS_VOLUMES_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (self->engine != NULL, NULL);

  title = g_strdup_printf (_("Files of “%s”"), name);
  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_transient_for (GTK_WINDOW (window), hatake_widget_get_window (GTK_WIDGET (self)));
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 480);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  browser = hatake_file_browser_new ();
  gtk_widget_set_vexpand (browser, TRUE);
  gtk_box_append (GTK_BOX (box), browser);
  adw_window_set_content (ADW_WINDOW (window), box);
  /* (weak: the page may go first) */
  g_object_set_data (G_OBJECT (window), "hatake-volumes-page", self);
  g_signal_connect_object (self, "destroy", G_CALLBACK (gtk_window_destroy), window, G_CONNECT_SWAPPED);

  data = g_new0 (BrowseData, 1);
  data->engine = g_object_ref (self->engine);
  g_weak_ref_init (&data->browser, browser);
  g_signal_connect (window, "destroy", G_CALLBACK (on_browse_window_destroy), data);
  hatake_volume_helper_create_async (self->engine, name, TRUE, NULL, browse_helper_ready, data);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

typedef struct
{
  GWeakRef  page;
  char     *name;
  GFile    *file;
} TransferOp;

static void
transfer_op_free (TransferOp *op)
{
  g_weak_ref_clear (&op->page);
  g_free (op->name);
  g_clear_object (&op->file);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TransferOp, transfer_op_free)

static TransferOp *
transfer_op_new (HatakeVolumesPage *self,
                 const char        *name,
                 GFile             *file)
{
  TransferOp *op = g_new0 (TransferOp, 1);

  g_weak_ref_init (&op->page, self);
  op->name = g_strdup (name);
  op->file = file != NULL ? g_object_ref (file) : NULL;
  return op;
}

static void
export_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TransferOp) op = user_data;
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (&op->page);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_parse_name (op->file);
  g_autofree char *text = NULL;
  gboolean ok = hatake_volume_export_finish (HATAKE_ENGINE (source), result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ok)
    text = g_strdup_printf (_("“%s” exported to %s"), op->name, path);
  else
    text = g_strdup_printf (_("Could not export “%s”: %s"), op->name, error->message);
  show_toast (self, text, !ok);
}

/**
 * hatake_volumes_page_export:
 *
 * Writes the files of the volume @name into @file as a tar; a toast says how it went.
 */
void
hatake_volumes_page_export (HatakeVolumesPage *self,
                            const char        *name,
                            GFile             *file)
{
  g_return_if_fail (HATAKE_IS_VOLUMES_PAGE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (G_IS_FILE (file));

  if (self->engine != NULL)
    hatake_volume_export_async (self->engine, name, file, self->cancellable, export_done,
                                transfer_op_new (self, name, file));
}

static void
import_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TransferOp) op = user_data;
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (&op->page);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_parse_name (op->file);
  g_autofree char *text = NULL;
  gboolean ok = hatake_volume_import_finish (HATAKE_ENGINE (source), result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ok)
    text = g_strdup_printf (_("%s imported into “%s”"), path, op->name);
  else
    text = g_strdup_printf (_("Could not import into “%s”: %s"), op->name, error->message);
  show_toast (self, text, !ok);
  hatake_volumes_page_refresh (self);
}

/**
 * hatake_volumes_page_import:
 *
 * Extracts the tar @file into the volume @name; a toast says how it went.
 */
void
hatake_volumes_page_import (HatakeVolumesPage *self,
                            const char        *name,
                            GFile             *file)
{
  g_return_if_fail (HATAKE_IS_VOLUMES_PAGE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (G_IS_FILE (file));

  if (self->engine != NULL)
    hatake_volume_import_async (self->engine, name, file, self->cancellable, import_done,
                                transfer_op_new (self, name, file));
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     TransferOp      *op)
{
  g_autoptr(HatakeVolumesPage) self = g_weak_ref_get (&op->page);
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gboolean save = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (self != NULL && response == GTK_RESPONSE_ACCEPT && file != NULL)
    {
      if (save)
        hatake_volumes_page_export (self, op->name, file);
      else
        hatake_volumes_page_import (self, op->name, file);
    }
  transfer_op_free (op);
  g_object_unref (chooser);
}

static void
choose_file (HatakeVolumesPage *self,
             const char        *name,
             gboolean           save)
{
  g_autofree char *title = save ? g_strdup_printf (_("Export “%s”"), name)
                                : g_strdup_printf (_("Import into “%s”"), name);
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (title, hatake_widget_get_window (GTK_WIDGET (self)),
                                         save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
                                         save ? _("_Export") : _("_Import"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Tar archives"));
  gtk_file_filter_add_pattern (filter, "*.tar");
  gtk_file_filter_add_mime_type (filter, "application/x-tar");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  if (save)
    {
      g_autofree char *file_name = g_strconcat (name, ".tar", NULL);

      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), transfer_op_new (self, name, NULL));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
browse_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  const char *name = g_variant_get_string (parameter, NULL);

  if (*name != '\0' && HATAKE_VOLUMES_PAGE (widget)->engine != NULL)
    hatake_volumes_page_browse (HATAKE_VOLUMES_PAGE (widget), name);
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  const char *name = g_variant_get_string (parameter, NULL);

  if (*name != '\0')
    choose_file (HATAKE_VOLUMES_PAGE (widget), name, TRUE);
}

static void
import_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  const char *name = g_variant_get_string (parameter, NULL);

  if (*name != '\0')
    choose_file (HATAKE_VOLUMES_PAGE (widget), name, FALSE);
}

static GtkWidget *
row_button (const char *name,
            const char *icon_name,
            const char *label,
            const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_name (button, name);
  /* The target comes first, so the action never sees a button without one. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (""));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

static void
actions_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HatakeVolumesPage        *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_box_append (GTK_BOX (box), row_button ("browse", "folder-symbolic", _("Browse Files"), "volumes.browse"));
  gtk_box_append (GTK_BOX (box), row_button ("export", "document-save-symbolic", _("Export to a Tar File…"),
                                             "volumes.export"));
  gtk_box_append (GTK_BOX (box), row_button ("import", "document-open-symbolic", _("Import a Tar File…"),
                                             "volumes.import"));
  gtk_box_append (GTK_BOX (box), row_button ("delete", "user-trash-symbolic", _("Delete…"), "volumes.delete"));
  gtk_list_item_set_child (item, box);
}

static void
actions_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HatakeVolumesPage        *self)
{
  HatakeVolumeItem *volume = gtk_list_item_get_item (item);

  for (GtkWidget *button = gtk_widget_get_first_child (gtk_list_item_get_child (item));
       button != NULL;
       button = gtk_widget_get_next_sibling (button))
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (volume->name));
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

  if (self->engine == engine)
    return;
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, on_object_event, self);
  g_set_object (&self->engine, engine);
  if (engine != NULL)
    g_signal_connect_object (engine, "object-event", G_CALLBACK (on_object_event), self, G_CONNECT_SWAPPED);

  if (self->containers != NULL)
    g_signal_handlers_disconnect_by_func (self->containers, on_containers_changed, self);
  g_clear_object (&self->containers);
  /* (an engine of the tests may have no containers) */
  if (engine != NULL && HATAKE_ENGINE_GET_IFACE (engine)->get_containers != NULL)
    {
      self->containers = g_object_ref (hatake_engine_get_containers (engine));
      g_signal_connect_object (self->containers, "items-changed", G_CALLBACK (on_containers_changed), self,
                               G_CONNECT_SWAPPED);
    }

  /* What another engine said is no longer true. */
  self->list_serial++;
  self->usage_serial++;
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
  g_clear_weak_pointer (&self->toast);
  if (self->containers != NULL)
    g_signal_handlers_disconnect_by_func (self->containers, on_containers_changed, self);
  g_clear_object (&self->containers);
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
  gtk_widget_class_bind_template_callback (widget_class, size_text);
  gtk_widget_class_bind_template_callback (widget_class, users_text);
  gtk_widget_class_bind_template_callback (widget_class, actions_setup);
  gtk_widget_class_bind_template_callback (widget_class, actions_bind);

  gtk_widget_class_install_action (widget_class, "volumes.create", NULL, create_activated);
  gtk_widget_class_install_action (widget_class, "volumes.prune", NULL, prune_activated);
  gtk_widget_class_install_action (widget_class, "volumes.refresh", NULL, refresh_activated);
  gtk_widget_class_install_action (widget_class, "volumes.delete", "s", delete_activated);
  gtk_widget_class_install_action (widget_class, "volumes.browse", "s", browse_activated);
  gtk_widget_class_install_action (widget_class, "volumes.export", "s", export_activated);
  gtk_widget_class_install_action (widget_class, "volumes.import", "s", import_activated);

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
