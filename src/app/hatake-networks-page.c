/* hatake-networks-page.c: the list of networks
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * As with volumes, the engine has no live model of networks (nor network events), so the page
 * asks it for the list when it is shown, after each of its own actions, and when containers come
 * and go or change state. Attached containers are the network's endpoints, as docker's inspect
 * says: running containers. (One that stops leaves its networks a moment after its state says
 * so, unannounced: Refresh shows it.) The cells are declared in hatake-networks-page.ui; this file
 * keeps the closures, the small item type the cells look up, and the actions: create (a name,
 * an optional subnet and gateway, internal or not), delete, connect and disconnect.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "hatake-networks-page.h"
#include "hatake-widget-utils.h"

/* docker's own networks: they are there on every engine and cannot be deleted */
static const char * const predefined_networks[] = { "bridge", "host", "none", NULL };

typedef struct
{
  char *id;
  char *name;
  char *address;   /* CIDR, as the engine gave it */
} Endpoint;

static void
endpoint_free (Endpoint *endpoint)
{
  g_free (endpoint->id);
  g_free (endpoint->name);
  g_free (endpoint->address);
  g_free (endpoint);
}

/* One row: what the list answer says of a network. Private to the page, as the volumes page's. */
#define HATAKE_TYPE_NETWORK_ITEM (hatake_network_item_get_type ())
G_DECLARE_FINAL_TYPE (HatakeNetworkItem, hatake_network_item, HATAKE, NETWORK_ITEM, GObject)

struct _HatakeNetworkItem
{
  GObject    parent_instance;

  char      *name;
  char      *driver;
  char      *subnet;      /* every subnet, one a line; "" when the engine gave none */
  char      *gateway;
  gboolean   internal;
  GPtrArray *endpoints;   /* of Endpoint, sorted by name */
};

G_DEFINE_FINAL_TYPE (HatakeNetworkItem, hatake_network_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_NAME,
  ITEM_PROP_DRIVER,
  ITEM_PROP_SUBNET,
  ITEM_PROP_GATEWAY,
  ITEM_PROP_INTERNAL,
  ITEM_PROP_PREDEFINED,
  ITEM_PROP_CONTAINERS,
  N_ITEM_PROPS
};

static GParamSpec *item_properties[N_ITEM_PROPS];

static char *
item_containers_text (HatakeNetworkItem *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < self->endpoints->len; i++)
    {
      Endpoint *endpoint = g_ptr_array_index (self->endpoints, i);

      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", endpoint->name);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
hatake_network_item_finalize (GObject *object)
{
  HatakeNetworkItem *self = HATAKE_NETWORK_ITEM (object);

  g_free (self->name);
  g_free (self->driver);
  g_free (self->subnet);
  g_free (self->gateway);
  g_ptr_array_unref (self->endpoints);

  G_OBJECT_CLASS (hatake_network_item_parent_class)->finalize (object);
}

static void
hatake_network_item_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HatakeNetworkItem *self = HATAKE_NETWORK_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case ITEM_PROP_DRIVER:
      g_value_set_string (value, self->driver);
      break;

    case ITEM_PROP_SUBNET:
      g_value_set_string (value, self->subnet);
      break;

    case ITEM_PROP_GATEWAY:
      g_value_set_string (value, self->gateway);
      break;

    case ITEM_PROP_INTERNAL:
      g_value_set_boolean (value, self->internal);
      break;

    case ITEM_PROP_PREDEFINED:
      g_value_set_boolean (value, g_strv_contains (predefined_networks, self->name));
      break;

    case ITEM_PROP_CONTAINERS:
      g_value_take_string (value, item_containers_text (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_network_item_class_init (HatakeNetworkItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_network_item_finalize;
  object_class->get_property = hatake_network_item_get_property;

  item_properties[ITEM_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_DRIVER] =
    g_param_spec_string ("driver", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_SUBNET] =
    g_param_spec_string ("subnet", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_GATEWAY] =
    g_param_spec_string ("gateway", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_INTERNAL] =
    g_param_spec_boolean ("internal", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_PREDEFINED] =
    g_param_spec_boolean ("predefined", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* the attached containers' names, ", " between them */
  item_properties[ITEM_PROP_CONTAINERS] =
    g_param_spec_string ("containers", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
hatake_network_item_init (HatakeNetworkItem *self)
{
  self->endpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) endpoint_free);
}

static int
compare_endpoints (gconstpointer a,
                   gconstpointer b)
{
  const Endpoint *ea = *(Endpoint * const *) a, *eb = *(Endpoint * const *) b;

  return g_strcmp0 (ea->name, eb->name);
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* From one network of the list answer (docker's shape); NULL for one without a name. */
static HatakeNetworkItem *
hatake_network_item_new_from_json (JsonObject *object)
{
  const char *name = json_object_get_string_member_with_default (object, "Name", NULL);
  JsonObject *ipam = object_member (object, "IPAM");
  JsonNode *config = ipam != NULL ? json_object_get_member (ipam, "Config") : NULL;
  JsonObject *containers = object_member (object, "Containers");
  g_autoptr(GString) subnets = g_string_new (NULL);
  g_autoptr(GString) gateways = g_string_new (NULL);
  HatakeNetworkItem *self;

  if (name == NULL || *name == '\0')
    return NULL;

  self = g_object_new (HATAKE_TYPE_NETWORK_ITEM, NULL);
  self->name = g_strdup (name);
  self->driver = g_strdup (json_object_get_string_member_with_default (object, "Driver", ""));
  self->internal = json_object_get_boolean_member_with_default (object, "Internal", FALSE);

  for (guint i = 0; config != NULL && JSON_NODE_HOLDS_ARRAY (config) &&
                    i < json_array_get_length (json_node_get_array (config)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (config), i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *subnet = entry ? json_object_get_string_member_with_default (entry, "Subnet", NULL) : NULL;
      const char *gateway = entry ? json_object_get_string_member_with_default (entry, "Gateway", NULL) : NULL;

      if (subnet != NULL && *subnet != '\0')
        g_string_append_printf (subnets, "%s%s", subnets->len > 0 ? "\n" : "", subnet);
      if (gateway != NULL && *gateway != '\0')
        g_string_append_printf (gateways, "%s%s", gateways->len > 0 ? "\n" : "", gateway);
    }
  self->subnet = g_strdup (subnets->str);
  self->gateway = g_strdup (gateways->str);

  if (containers != NULL)
    {
      g_autoptr(GList) ids = json_object_get_members (containers);

      for (GList *l = ids; l != NULL; l = l->next)
        {
          JsonObject *entry = object_member (containers, l->data);
          Endpoint *endpoint = g_new0 (Endpoint, 1);
          const char *container_name = entry ? json_object_get_string_member_with_default (entry, "Name", NULL) : NULL;

          endpoint->id = g_strdup (l->data);
          endpoint->name = g_strdup (container_name != NULL && *container_name != '\0' ? container_name : l->data);
          endpoint->address = g_strdup (entry ? json_object_get_string_member_with_default (entry, "IPv4Address", "")
                                              : "");
          g_ptr_array_add (self->endpoints, endpoint);
        }
      g_ptr_array_sort (self->endpoints, compare_endpoints);
    }
  return self;
}

static gboolean
hatake_network_item_equal (HatakeNetworkItem *a,
                           HatakeNetworkItem *b)
{
  if (g_strcmp0 (a->name, b->name) != 0 || g_strcmp0 (a->driver, b->driver) != 0 ||
      g_strcmp0 (a->subnet, b->subnet) != 0 || g_strcmp0 (a->gateway, b->gateway) != 0 ||
      a->internal != b->internal || a->endpoints->len != b->endpoints->len)
    return FALSE;
  for (guint i = 0; i < a->endpoints->len; i++)
    {
      Endpoint *ea = g_ptr_array_index (a->endpoints, i), *eb = g_ptr_array_index (b->endpoints, i);

      if (g_strcmp0 (ea->id, eb->id) != 0 || g_strcmp0 (ea->name, eb->name) != 0 ||
          g_strcmp0 (ea->address, eb->address) != 0)
        return FALSE;
    }
  return TRUE;
}

struct _HatakeNetworksPage
{
  GtkWidget         parent_instance;

  HatakeEngine     *engine;
  GListModel       *containers;     /* the engine's: containers that come and go change networks */
  gulong            containers_changed_id;
  guint             refresh_id;     /* one refresh for many changes at once */
  GCancellable     *cancellable;
  guint             list_serial;    /* answers to older list requests are dropped */

  AdwToastOverlay  *toast_overlay;
  GtkStack         *stack;
  GtkColumnView    *column_view;
  GListStore       *store;
  GtkSortListModel *sort_model;
};

G_DEFINE_FINAL_TYPE (HatakeNetworksPage, hatake_networks_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- checks ------------------------------------------------------------------------------- */

/**
 * hatake_networks_name_is_valid:
 *
 * Docker's rule for network names: letters, digits, "_", "." and "-", starting with a letter or
 * a digit (the local engine's too).
 */
gboolean
hatake_networks_name_is_valid (const char *name)
{
  if (name == NULL || !g_ascii_isalnum (name[0]) || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

static GInetAddressMask *
parse_subnet (const char *subnet)
{
  GInetAddressMask *mask;
  guint max;

  /* GInetAddressMask refuses host bits beyond the prefix, as the engines do */
  if (subnet == NULL || strchr (subnet, '/') == NULL ||
      (mask = g_inet_address_mask_new_from_string (subnet, NULL)) == NULL)
    return NULL;
  /* room for a gateway and at least one container */
  max = g_inet_address_mask_get_family (mask) == G_SOCKET_FAMILY_IPV4 ? 30 : 126;
  if (g_inet_address_mask_get_length (mask) > max)
    g_clear_object (&mask);
  return mask;
}

/**
 * hatake_networks_subnet_is_valid:
 *
 * Whether @subnet is a CIDR (IPv4 or IPv6) with no host bits set and room for addresses.
 */
gboolean
hatake_networks_subnet_is_valid (const char *subnet)
{
  g_autoptr(GInetAddressMask) mask = parse_subnet (subnet);

  return mask != NULL;
}

/**
 * hatake_networks_gateway_is_valid:
 * @subnet: (nullable): the subnet the gateway must be in
 *
 * Whether @gateway is an address of @subnet other than the subnet's own. Engines want a subnet
 * with a gateway: without one (or with an invalid one), no gateway is valid.
 */
gboolean
hatake_networks_gateway_is_valid (const char *gateway,
                                  const char *subnet)
{
  g_autoptr(GInetAddressMask) mask = parse_subnet (subnet);
  g_autoptr(GInetAddress) address = gateway ? g_inet_address_new_from_string (gateway) : NULL;

  return mask != NULL && address != NULL && g_inet_address_mask_matches (mask, address) &&
         !g_inet_address_equal (address, g_inet_address_mask_get_address (mask));
}

/* ---- closures and helpers -------------------------------------------------------------------- */

static char *
internal_text (GtkListItem *item,
               gboolean     internal)
{
  return g_strdup (internal ? _("Internal") : _("Routed"));
}

static void
update_visible_page (HatakeNetworksPage *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "list" : "empty");
}

static void
on_items_changed (HatakeNetworksPage *self,
                  guint               position,
                  guint               removed,
                  guint               added,
                  GListModel         *model)
{
  update_visible_page (self);
}

/* Operations hold the page weakly: a page closed meanwhile is not kept alive to hear back. */
typedef struct
{
  GWeakRef  page;
  char     *failure;   /* what the toast says before the engine's message */
  guint     serial;
} OpData;

static OpData *
op_data_new (HatakeNetworksPage *self,
             char               *failure)
{
  OpData *data = g_new0 (OpData, 1);

  g_weak_ref_init (&data->page, self);
  data->failure = failure;
  return data;
}

static void
op_data_free (OpData *data)
{
  g_weak_ref_clear (&data->page);
  g_free (data->failure);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpData, op_data_free)

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

static AdwMessageDialog *
question_new (HatakeNetworksPage *self,
              const char         *heading,
              const char         *body,
              const char         *response,
              const char         *label,
              AdwResponseAppearance appearance)
{
  GtkWidget *dialog = adw_message_dialog_new (hatake_widget_get_window (GTK_WIDGET (self)), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    response, label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response, appearance);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog),
                                           appearance == ADW_RESPONSE_DESTRUCTIVE ? "cancel" : response);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  return ADW_MESSAGE_DIALOG (dialog);
}

/* ---- list ---------------------------------------------------------------------------------- */

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(HatakeNetworksPage) self = g_weak_ref_get (&data->page);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *networks;

  node = hatake_engine_network_op_finish (HATAKE_ENGINE (source), result, &error);
  if (self == NULL || data->serial != self->list_serial ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not list the networks: %s"), error->message);

      hatake_toast_show (self->toast_overlay, text, TRUE);
      return;
    }

  networks = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; networks != NULL && i < json_array_get_length (networks); i++)
    {
      JsonNode *element = json_array_get_element (networks, i);
      HatakeNetworkItem *item;

      if (JSON_NODE_HOLDS_OBJECT (element) &&
          (item = hatake_network_item_new_from_json (json_node_get_object (element))) != NULL)
        g_ptr_array_add (items, item);
    }

  /* Rows that did not change keep their widgets (a click on one in progress is not lost):
   * the answers come often, and mostly say what the list already shows. */
  if (items->len == g_list_model_get_n_items (G_LIST_MODEL (self->store)))
    {
      guint i;

      for (i = 0; i < items->len; i++)
        {
          g_autoptr(HatakeNetworkItem) shown = g_list_model_get_item (G_LIST_MODEL (self->store), i);

          if (g_strcmp0 (shown->name, ((HatakeNetworkItem *) items->pdata[i])->name) != 0)
            break;
        }
      if (i == items->len)
        {
          for (i = 0; i < items->len; i++)
            {
              g_autoptr(HatakeNetworkItem) shown = g_list_model_get_item (G_LIST_MODEL (self->store), i);

              if (!hatake_network_item_equal (shown, items->pdata[i]))
                g_list_store_splice (self->store, i, 1, &items->pdata[i], 1);
            }
          return;
        }
    }
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
}

/**
 * hatake_networks_page_refresh:
 *
 * Asks the engine for its networks again; the list follows when the answer comes.
 */
void
hatake_networks_page_refresh (HatakeNetworksPage *self)
{
  HatakeNetworkOpArgs args = { 0 };
  OpData *data;

  g_return_if_fail (HATAKE_IS_NETWORKS_PAGE (self));

  if (self->engine == NULL || HATAKE_ENGINE_GET_IFACE (self->engine)->network_op_async == NULL)
    return;

  data = op_data_new (self, NULL);
  data->serial = ++self->list_serial;
  hatake_engine_network_op_async (self->engine, HATAKE_NETWORK_OP_LIST, &args, self->cancellable,
                                  list_done, data);
}

/* What an operation said: an error stays as a toast; the list is asked again either way. */
static void
op_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(HatakeNetworksPage) self = g_weak_ref_get (&data->page);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = hatake_engine_network_op_finish (HATAKE_ENGINE (source), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      /* e.g. a network in use: the engine's message names the containers */
      g_autofree char *text = g_strdup_printf (_("%s: %s"), data->failure, error->message);

      hatake_toast_show (self->toast_overlay, text, TRUE);
    }
  hatake_networks_page_refresh (self);
}

/* ---- create -------------------------------------------------------------------------------- */

static const char *
dialog_text (AdwMessageDialog *dialog,
             const char       *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), row)));
}

static char *
dialog_value (AdwMessageDialog *dialog,
              const char       *row)
{
  return g_strstrip (g_strdup (dialog_text (dialog, row)));
}

static void
mark_row (GtkWidget *row,
          gboolean   ok)
{
  if (ok)
    gtk_widget_remove_css_class (row, "error");
  else
    gtk_widget_add_css_class (row, "error");
}

/* The dialog never offers what the engine would refuse for its form alone. */
static void
on_create_changed (GtkEditable      *editable,
                   AdwMessageDialog *dialog)
{
  g_autofree char *name = dialog_value (dialog, "name");
  g_autofree char *subnet = dialog_value (dialog, "subnet");
  g_autofree char *gateway = dialog_value (dialog, "gateway");
  gboolean name_ok = hatake_networks_name_is_valid (name);
  gboolean subnet_ok = *subnet == '\0' || hatake_networks_subnet_is_valid (subnet);
  gboolean gateway_ok = *gateway == '\0' || hatake_networks_gateway_is_valid (gateway, subnet);

  /* an empty name is not an error yet: the user has not typed it */
  mark_row (g_object_get_data (G_OBJECT (dialog), "name"), name_ok || *name == '\0');
  mark_row (g_object_get_data (G_OBJECT (dialog), "subnet"), subnet_ok);
  mark_row (g_object_get_data (G_OBJECT (dialog), "gateway"), gateway_ok);
  adw_message_dialog_set_response_enabled (dialog, "create", name_ok && subnet_ok && gateway_ok);
}

static void
on_create_activated (AdwEntryRow      *row,
                     AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "create"))
    {
      adw_message_dialog_response (dialog, "create");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void
on_create_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  g_autoptr(HatakeNetworksPage) self = g_weak_ref_get (user_data);
  g_autofree char *name = dialog_value (dialog, "name");
  g_autofree char *subnet = dialog_value (dialog, "subnet");
  g_autofree char *gateway = dialog_value (dialog, "gateway");
  GtkSwitch *internal = g_object_get_data (G_OBJECT (dialog), "internal-switch");
  HatakeNetworkOpArgs args = { 0 };

  if (self == NULL || g_strcmp0 (response, "create") != 0 || self->engine == NULL)
    return;

  args.name = name;
  args.subnet = *subnet != '\0' ? subnet : NULL;
  args.gateway = *gateway != '\0' ? gateway : NULL;
  args.internal = gtk_switch_get_active (internal);
  hatake_engine_network_op_async (self->engine, HATAKE_NETWORK_OP_CREATE, &args, self->cancellable, op_done,
                                  op_data_new (self, g_strdup_printf (_("Could not create “%s”"), name)));
}

static GtkWidget *
entry_row_new (AdwMessageDialog *dialog,
               const char       *id,
               const char       *title,
               const char       *accessible)
{
  GtkWidget *row = adw_entry_row_new ();

  gtk_widget_set_name (row, id);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_signal_connect_object (row, "changed", G_CALLBACK (on_create_changed), dialog, 0);
  g_signal_connect_object (row, "entry-activated", G_CALLBACK (on_create_activated), dialog, 0);
  g_object_set_data (G_OBJECT (dialog), id, row);
  return row;
}

/**
 * hatake_networks_page_open_create_dialog:
 *
 * Asks for a new network's name, subnet and gateway (both optional: the engine picks them) and
 * whether it is internal (no route out), and creates it.
 *
 * Returns: (transfer none): the question, shown
 */
GtkWidget *
hatake_networks_page_open_create_dialog (HatakeNetworksPage *self)
{
  AdwMessageDialog *dialog;
  GtkWidget *list, *name, *internal_row, *internal_switch;

  g_return_val_if_fail (HATAKE_IS_NETWORKS_PAGE (self), NULL);

  dialog = question_new (self, _("Create Network"),
                         _("Leave the subnet and the gateway empty for the engine’s choice."),
                         "create", _("C_reate"), ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "create", FALSE);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  name = entry_row_new (dialog, "name", _("_Name"), _("Network name"));
  gtk_list_box_append (GTK_LIST_BOX (list), name);
  gtk_list_box_append (GTK_LIST_BOX (list),
                       entry_row_new (dialog, "subnet", _("_Subnet (e.g. 10.5.0.0/24)"), _("Subnet")));
  gtk_list_box_append (GTK_LIST_BOX (list),
                       entry_row_new (dialog, "gateway", _("_Gateway (e.g. 10.5.0.1)"), _("Gateway")));

  internal_row = adw_action_row_new ();
  gtk_widget_set_name (internal_row, "internal");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (internal_row), _("_Internal"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (internal_row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (internal_row), _("No route out of the network"));
  internal_switch = gtk_switch_new ();
  gtk_widget_set_valign (internal_switch, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (internal_switch), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Internal"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (internal_row), internal_switch);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (internal_row), internal_switch);
  g_object_set_data (G_OBJECT (dialog), "internal-switch", internal_switch);
  gtk_list_box_append (GTK_LIST_BOX (list), internal_row);
  adw_message_dialog_set_extra_child (dialog, list);

  g_signal_connect_data (dialog, "response", G_CALLBACK (on_create_response), weak_ref_new (self),
                         weak_ref_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (name);
  return GTK_WIDGET (dialog);
}

/* ---- delete -------------------------------------------------------------------------------- */

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  g_autoptr(HatakeNetworksPage) self = g_weak_ref_get (user_data);
  const char *name = g_object_get_data (G_OBJECT (dialog), "hatake-network");
  HatakeNetworkOpArgs args = { .name = name };

  if (self == NULL || g_strcmp0 (response, "delete") != 0 || self->engine == NULL)
    return;

  hatake_engine_network_op_async (self->engine, HATAKE_NETWORK_OP_REMOVE, &args, self->cancellable, op_done,
                                  op_data_new (self, g_strdup_printf (_("Could not delete “%s”"), name)));
}

/**
 * hatake_networks_page_confirm_delete:
 *
 * Asks whether to delete the network @network, and deletes it when the answer is yes. The
 * engine refuses while containers are attached; the page then says which.
 *
 * Returns: (transfer none) (nullable): the question, shown; %NULL for a predefined network
 */
GtkWidget *
hatake_networks_page_confirm_delete (HatakeNetworksPage *self,
                                     const char         *network)
{
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  g_return_val_if_fail (HATAKE_IS_NETWORKS_PAGE (self), NULL);
  g_return_val_if_fail (network != NULL, NULL);

  if (g_strv_contains (predefined_networks, network))
    return NULL;

  body = g_strdup_printf (_("“%s” will be deleted. A network that containers are attached to cannot be deleted."),
                          network);
  dialog = question_new (self, _("Delete Network?"), body, "delete", _("_Delete"), ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (dialog), "hatake-network", g_strdup (network), g_free);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_delete_response), weak_ref_new (self),
                         weak_ref_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return GTK_WIDGET (dialog);
}

/* ---- connect and disconnect ------------------------------------------------------------------ */

static void
on_container_selected (GtkDropDown      *drop_down,
                       GParamSpec       *pspec,
                       AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "connect",
                                           gtk_drop_down_get_selected_item (drop_down) != NULL);
}

static void
on_connect_response (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  g_autoptr(HatakeNetworksPage) self = g_weak_ref_get (user_data);
  const char *network = g_object_get_data (G_OBJECT (dialog), "hatake-network");
  GtkDropDown *drop_down = GTK_DROP_DOWN (adw_message_dialog_get_extra_child (dialog));
  HatakeContainer *container = gtk_drop_down_get_selected_item (drop_down);
  HatakeNetworkOpArgs args = { .name = network };

  if (self == NULL || g_strcmp0 (response, "connect") != 0 || self->engine == NULL || container == NULL)
    return;

  args.container = hatake_container_get_id (container);
  hatake_engine_network_op_async (self->engine, HATAKE_NETWORK_OP_CONNECT, &args, self->cancellable, op_done,
                                  op_data_new (self, g_strdup_printf (_("Could not connect “%s” to “%s”"),
                                                                      hatake_container_get_name (container),
                                                                      network)));
}

/**
 * hatake_networks_page_open_connect_dialog:
 *
 * Asks which of the engine's containers to connect to @network, and connects it.
 *
 * Returns: (transfer none) (nullable): the question, shown; %NULL without an engine or its containers
 */
GtkWidget *
hatake_networks_page_open_connect_dialog (HatakeNetworksPage *self,
                                          const char         *network)
{
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  GtkExpression *expression;
  GtkWidget *drop_down;

  g_return_val_if_fail (HATAKE_IS_NETWORKS_PAGE (self), NULL);
  g_return_val_if_fail (network != NULL, NULL);

  if (self->containers == NULL)
    return NULL;

  heading = g_strdup_printf (_("Connect a Container to “%s”"), network);
  dialog = question_new (self, heading,
                         _("A running container gets its address on the network at once; a stopped one when it starts."),
                         "connect", _("C_onnect"), ADW_RESPONSE_SUGGESTED);
  g_object_set_data_full (G_OBJECT (dialog), "hatake-network", g_strdup (network), g_free);

  expression = gtk_property_expression_new (HATAKE_TYPE_CONTAINER, NULL, "name");
  drop_down = gtk_drop_down_new (g_object_ref (self->containers), expression);
  gtk_drop_down_set_enable_search (GTK_DROP_DOWN (drop_down), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Container"), -1);
  g_signal_connect_object (drop_down, "notify::selected", G_CALLBACK (on_container_selected), dialog, 0);
  adw_message_dialog_set_extra_child (dialog, drop_down);
  on_container_selected (GTK_DROP_DOWN (drop_down), NULL, dialog);

  g_signal_connect_data (dialog, "response", G_CALLBACK (on_connect_response), weak_ref_new (self),
                         weak_ref_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (drop_down);
  return GTK_WIDGET (dialog);
}

/**
 * hatake_networks_page_disconnect:
 *
 * Disconnects @container (a name or an id) from @network; a failure shows as a toast.
 */
void
hatake_networks_page_disconnect (HatakeNetworksPage *self,
                                 const char         *network,
                                 const char         *container)
{
  HatakeNetworkOpArgs args = { .name = network, .container = container };

  g_return_if_fail (HATAKE_IS_NETWORKS_PAGE (self));
  g_return_if_fail (network != NULL && container != NULL);

  if (self->engine == NULL)
    return;

  hatake_engine_network_op_async (self->engine, HATAKE_NETWORK_OP_DISCONNECT, &args, self->cancellable, op_done,
                                  op_data_new (self, g_strdup_printf (_("Could not disconnect “%s” from “%s”"),
                                                                      container, network)));
}

/* ---- actions and cells ----------------------------------------------------------------------- */

static void
create_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  hatake_networks_page_open_create_dialog (HATAKE_NETWORKS_PAGE (widget));
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  hatake_networks_page_refresh (HATAKE_NETWORKS_PAGE (widget));
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  const char *name = g_variant_get_string (parameter, NULL);

  if (*name != '\0')
    hatake_networks_page_confirm_delete (HATAKE_NETWORKS_PAGE (widget), name);
}

static void
connect_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  const char *name = g_variant_get_string (parameter, NULL);

  if (*name != '\0')
    hatake_networks_page_open_connect_dialog (HATAKE_NETWORKS_PAGE (widget), name);
}

static void
disconnect_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  const char *network, *container;

  g_variant_get (parameter, "(&s&s)", &network, &container);
  if (*network != '\0' && *container != '\0')
    hatake_networks_page_disconnect (HATAKE_NETWORKS_PAGE (widget), network, container);
}

static GtkWidget *
row_button_new (const char *icon_name,
                const char *name,
                const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_name (button, name);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return button;
}

static void
actions_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HatakeNetworksPage       *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *connect = row_button_new ("list-add-symbolic", "connect", _("Connect a Container…"));
  GtkWidget *delete = row_button_new ("user-trash-symbolic", "delete", _("Delete…"));

  /* The targets come first, so the actions never see a button without one. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (connect), g_variant_new_string (""));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (connect), "networks.connect");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (delete), g_variant_new_string (""));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "networks.delete");
  gtk_box_append (GTK_BOX (box), connect);
  gtk_box_append (GTK_BOX (box), delete);
  gtk_list_item_set_child (item, box);
}

static void
actions_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HatakeNetworksPage       *self)
{
  HatakeNetworkItem *network = gtk_list_item_get_item (item);
  GtkWidget *connect = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *delete = gtk_widget_get_next_sibling (connect);
  gboolean predefined = g_strv_contains (predefined_networks, network->name);
  /* host and none take no endpoints; bridge does */
  gboolean connectable = !predefined || g_str_equal (network->name, "bridge");

  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (connect), g_variant_new_string (network->name));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (delete), g_variant_new_string (network->name));
  /* The actions stay enabled for the other rows: these buttons alone go insensitive, without
   * the action (its helper would make them sensitive again as it follows the action's state) */
  gtk_widget_set_visible (connect, connectable);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), predefined ? NULL : "networks.delete");
  gtk_widget_set_sensitive (delete, !predefined);
  gtk_widget_set_tooltip_text (delete, predefined ? _("A predefined network cannot be deleted") : _("Delete…"));
}

static void
containers_setup (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  HatakeNetworksPage       *self)
{
  gtk_list_item_set_child (item, gtk_box_new (GTK_ORIENTATION_VERTICAL, 2));
}

static void
containers_bind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 HatakeNetworksPage       *self)
{
  HatakeNetworkItem *network = gtk_list_item_get_item (item);
  GtkBox *box = GTK_BOX (gtk_list_item_get_child (item));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);

  if (network->endpoints->len == 0)
    {
      GtkWidget *none = gtk_label_new (_("None"));

      gtk_label_set_xalign (GTK_LABEL (none), 0);
      gtk_widget_add_css_class (none, "dim-label");
      gtk_box_append (box, none);
      return;
    }

  for (guint i = 0; i < network->endpoints->len; i++)
    {
      Endpoint *endpoint = g_ptr_array_index (network->endpoints, i);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *name = gtk_label_new (endpoint->name);
      GtkWidget *address = gtk_label_new (endpoint->address);
      g_autofree char *label = g_strdup_printf (_("Disconnect “%s”"), endpoint->name);
      GtkWidget *button = row_button_new ("window-close-symbolic", "disconnect", label);

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (address), 0);
      gtk_widget_add_css_class (address, "dim-label");
      gtk_widget_add_css_class (address, "monospace");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", network->name, endpoint->id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "networks.disconnect");
      gtk_box_append (GTK_BOX (row), name);
      gtk_box_append (GTK_BOX (row), address);
      gtk_box_append (GTK_BOX (row), button);
      gtk_box_append (box, row);
    }
}

/* ---- the page ------------------------------------------------------------------------------ */

GtkWidget *
hatake_networks_page_new (HatakeEngine *engine)
{
  g_return_val_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine), NULL);

  return g_object_new (HATAKE_TYPE_NETWORKS_PAGE, "engine", engine, NULL);
}

HatakeEngine *
hatake_networks_page_get_engine (HatakeNetworksPage *self)
{
  g_return_val_if_fail (HATAKE_IS_NETWORKS_PAGE (self), NULL);

  return self->engine;
}

static gboolean
refresh_idle (gpointer data)
{
  HatakeNetworksPage *self = data;

  self->refresh_id = 0;
  hatake_networks_page_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
queue_refresh (HatakeNetworksPage *self)
{
  /* only what is on screen is kept up to date: showing the page asks anyway */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->refresh_id == 0)
    self->refresh_id = g_idle_add (refresh_idle, self);
}

/* A network made or removed by anyone (compose, the command line, another client). */
static void
on_object_event (HatakeNetworksPage *self,
                 const char         *type,
                 const char         *action,
                 const char         *id,
                 JsonNode           *attributes,
                 HatakeEngine       *engine)
{
  if (g_str_equal (type, "network"))
    queue_refresh (self);
}

/* A container that starts joins its networks; one that stops leaves them. */
static void
on_container_state (HatakeNetworksPage *self,
                    GParamSpec         *pspec,
                    HatakeContainer    *container)
{
  queue_refresh (self);
}

static void
watch_containers (HatakeNetworksPage *self,
                  guint               position,
                  guint               n,
                  gboolean            watch)
{
  for (guint i = position; i < position + n; i++)
    {
      g_autoptr(HatakeContainer) container = g_list_model_get_item (self->containers, i);

      if (watch)
        g_signal_connect_object (container, "notify::state", G_CALLBACK (on_container_state), self,
                                 G_CONNECT_SWAPPED);
      else
        g_signal_handlers_disconnect_by_func (container, on_container_state, self);
    }
}

static void
on_containers_changed (HatakeNetworksPage *self,
                       guint               position,
                       guint               removed,
                       guint               added,
                       GListModel         *containers)
{
  watch_containers (self, position, added, TRUE);
  queue_refresh (self);
}

static void
unwatch_all (HatakeNetworksPage *self)
{
  if (self->containers != NULL)
    watch_containers (self, 0, g_list_model_get_n_items (self->containers), FALSE);
  g_clear_signal_handler (&self->containers_changed_id, self->containers);
  g_clear_object (&self->containers);
}

void
hatake_networks_page_set_engine (HatakeNetworksPage *self,
                                 HatakeEngine       *engine)
{
  g_return_if_fail (HATAKE_IS_NETWORKS_PAGE (self));
  g_return_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine));

  if (self->engine == engine)
    return;
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, on_object_event, self);
  g_set_object (&self->engine, engine);
  if (engine != NULL)
    g_signal_connect_object (engine, "object-event", G_CALLBACK (on_object_event), self, G_CONNECT_SWAPPED);

  unwatch_all (self);
  /* (test engines may have no containers) */
  if (engine != NULL && HATAKE_ENGINE_GET_IFACE (engine)->get_containers != NULL)
    {
      self->containers = g_object_ref (hatake_engine_get_containers (engine));
      self->containers_changed_id = g_signal_connect_object (self->containers, "items-changed",
                                                             G_CALLBACK (on_containers_changed), self,
                                                             G_CONNECT_SWAPPED);
      watch_containers (self, 0, g_list_model_get_n_items (self->containers), TRUE);
    }

  /* What another engine said is no longer true. */
  self->list_serial++;
  g_list_store_remove_all (self->store);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    hatake_networks_page_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

/**
 * hatake_networks_page_get_model:
 *
 * Returns: (transfer none): the networks shown, as the list last answered
 */
GListModel *
hatake_networks_page_get_model (HatakeNetworksPage *self)
{
  g_return_val_if_fail (HATAKE_IS_NETWORKS_PAGE (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}

static void
hatake_networks_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hatake_networks_page_parent_class)->map (widget);

  /* The stack maps only the page on show: choosing the section is what refreshes. */
  hatake_networks_page_refresh (HATAKE_NETWORKS_PAGE (widget));
}

static void
hatake_networks_page_dispose (GObject *object)
{
  HatakeNetworksPage *self = HATAKE_NETWORKS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  unwatch_all (self);
  g_clear_object (&self->engine);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_NETWORKS_PAGE);

  G_OBJECT_CLASS (hatake_networks_page_parent_class)->dispose (object);
}

static void
hatake_networks_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HatakeNetworksPage *self = HATAKE_NETWORKS_PAGE (object);

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
hatake_networks_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  HatakeNetworksPage *self = HATAKE_NETWORKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      hatake_networks_page_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_networks_page_class_init (HatakeNetworksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hatake_networks_page_dispose;
  object_class->get_property = hatake_networks_page_get_property;
  object_class->set_property = hatake_networks_page_set_property;

  widget_class->map = hatake_networks_page_map;

  /**
   * HatakeNetworksPage:engine:
   *
   * The engine whose networks the page shows.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HATAKE_TYPE_NETWORK_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-networks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeNetworksPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HatakeNetworksPage, stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeNetworksPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, HatakeNetworksPage, store);
  gtk_widget_class_bind_template_child (widget_class, HatakeNetworksPage, sort_model);
  gtk_widget_class_bind_template_callback (widget_class, internal_text);
  gtk_widget_class_bind_template_callback (widget_class, actions_setup);
  gtk_widget_class_bind_template_callback (widget_class, actions_bind);
  gtk_widget_class_bind_template_callback (widget_class, containers_setup);
  gtk_widget_class_bind_template_callback (widget_class, containers_bind);

  gtk_widget_class_install_action (widget_class, "networks.create", NULL, create_activated);
  gtk_widget_class_install_action (widget_class, "networks.refresh", NULL, refresh_activated);
  gtk_widget_class_install_action (widget_class, "networks.delete", "s", delete_activated);
  gtk_widget_class_install_action (widget_class, "networks.connect", "s", connect_activated);
  gtk_widget_class_install_action (widget_class, "networks.disconnect", "(ss)", disconnect_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "networkspage");
}

static void
hatake_networks_page_init (HatakeNetworksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->sort_model, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  update_visible_page (self);
}
