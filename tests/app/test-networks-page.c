/* test-networks-page.c: the networks page, opened for real under an X server against a local
 * engine: create with a subnet, connect and disconnect a running container, delete
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-networks-page"

#include "config.h"

#include <adwaita.h>
#include <unistd.h>

#include "app-test-utils.h"
#include "hatake-application.h"
#include "hatake-networks-page.h"
#include "hatake-test-utils.h"
#include "hatake-window.h"

static HatakeApplication *app;

static GObject *
page_child (GtkWidget  *page,
            const char *name)
{
  return gtk_widget_get_template_child (page, HATAKE_TYPE_NETWORKS_PAGE, name);
}

static gboolean
has_cell_ancestor (GtkWidget *widget,
                   GtkWidget *stop)
{
  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL && w != stop; w = gtk_widget_get_parent (w))
    if (g_strcmp0 (gtk_widget_get_css_name (w), "cell") == 0)
      return TRUE;
  return FALSE;
}

static GtkWidget *
row_of (GtkWidget *cell_child)
{
  for (GtkWidget *w = cell_child; w != NULL; w = gtk_widget_get_parent (w))
    if (g_strcmp0 (gtk_widget_get_css_name (w), "row") == 0)
      return w;
  return NULL;
}

/* The labels shown in a row, in order. */
static void
collect_labels (GtkWidget *widget,
                GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child))
        g_ptr_array_add (out, g_strdup (gtk_label_get_label (GTK_LABEL (child))));
      collect_labels (child, out);
    }
}

/* The shown row whose first label is name, or NULL. */
static GtkWidget *
find_row_in (GtkWidget  *widget,
             GtkWidget  *column_view,
             const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && has_cell_ancestor (child, column_view) &&
          g_strcmp0 (gtk_label_get_label (GTK_LABEL (child)), name) == 0)
        {
          GtkWidget *row = row_of (child);
          g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

          collect_labels (row, labels);
          if (labels->len > 0 && g_strcmp0 (labels->pdata[0], name) == 0)
            return row;
        }
      if ((found = find_row_in (child, column_view, name)) != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_row (GtkWidget  *page,
          const char *name)
{
  GtkWidget *column_view = GTK_WIDGET (page_child (page, "column_view"));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (page_child (page, "stack"))), "list") != 0)
    return NULL;
  return find_row_in (column_view, column_view, name);
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_widget_get_name (child), name) == 0 &&
          gtk_widget_get_visible (child))
        return child;
      if ((found = find_button (child, name)) != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget  *page;
  const char *name;
  const char *contains;   /* a label the row must show; NULL: none */
  const char *lacks;      /* a label it must not show; NULL: none */
  gboolean    gone;       /* the row must not be there at all */
} RowWanted;

static gboolean
row_matches (gpointer data)
{
  RowWanted *wanted = data;
  GtkWidget *row = find_row (wanted->page, wanted->name);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  gboolean has = FALSE, lacks = TRUE;

  if (wanted->gone)
    return row == NULL;
  if (row == NULL)
    return FALSE;
  collect_labels (row, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      has = has || g_strcmp0 (labels->pdata[i], wanted->contains) == 0;
      lacks = lacks && g_strcmp0 (labels->pdata[i], wanted->lacks) != 0;
    }
  return (wanted->contains == NULL || has) && lacks;
}

typedef struct
{
  RowWanted row;
  gint64    refreshed;
} RefreshingWanted;

/* As a user would: press Refresh now and then until the row shows it. */
static gboolean
row_matches_refreshing (gpointer data)
{
  RefreshingWanted *wanted = data;

  if (row_matches (&wanted->row))
    return TRUE;
  if (g_get_monotonic_time () - wanted->refreshed > G_USEC_PER_SEC / 4)
    {
      g_assert_true (gtk_widget_activate_action (wanted->row.page, "networks.refresh", NULL));
      wanted->refreshed = g_get_monotonic_time ();
    }
  return FALSE;
}

static gboolean
wait_for_row (RowWanted wanted)
{
  gboolean ok = hatake_test_wait_until (row_matches, &wanted, 30);

  gtk_test_widget_wait_for_draw (wanted.page);
  return ok && row_matches (&wanted);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_is_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

static AdwMessageDialog *
wait_for_dialog (void)
{
  g_assert_true (hatake_test_wait_until (dialog_is_shown, NULL, 10));
  return find_message_dialog ();
}

/* Answers the shown question as a user would; returns once it is gone. */
static void
answer_dialog (AdwMessageDialog *dialog,
               const char       *response)
{
  gpointer weak_dialog = dialog;

  g_object_add_weak_pointer (G_OBJECT (dialog), &weak_dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, response));
  adw_message_dialog_response (dialog, response);
  if (weak_dialog != NULL && gtk_widget_get_visible (GTK_WIDGET (dialog)))
    gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_dialog, 10));
}

/* The create dialog's row named name (name, subnet, gateway, internal). */
static GtkWidget *
dialog_row (AdwMessageDialog *dialog,
            const char       *name)
{
  GtkWidget *list = adw_message_dialog_get_extra_child (dialog);

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      return row;
  g_assert_not_reached ();
}

static gboolean
find_text (GtkWidget  *widget,
           const char *prefix)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_get_mapped (child) &&
          g_str_has_prefix (gtk_label_get_text (GTK_LABEL (child)), prefix))
        return TRUE;
      if (find_text (child, prefix))
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  GtkWidget  *widget;
  const char *prefix;
} TextWanted;

static gboolean
shows_text (gpointer data)
{
  TextWanted *wanted = data;

  return find_text (wanted->widget, wanted->prefix);
}

static gboolean
has_size (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

static void
test_checks (void)
{
  g_assert_true (hatake_networks_name_is_valid ("backend"));
  g_assert_true (hatake_networks_name_is_valid ("a_b.c-1"));
  g_assert_false (hatake_networks_name_is_valid (""));
  g_assert_false (hatake_networks_name_is_valid ("-x"));
  g_assert_false (hatake_networks_name_is_valid ("a b"));

  g_assert_true (hatake_networks_subnet_is_valid ("10.5.0.0/24"));
  g_assert_true (hatake_networks_subnet_is_valid ("fd00:1::/64"));
  g_assert_false (hatake_networks_subnet_is_valid ("10.5.0.1/24"));   /* host bits */
  g_assert_false (hatake_networks_subnet_is_valid ("10.5.0.0"));
  g_assert_false (hatake_networks_subnet_is_valid ("10.5.0.0/32"));   /* no room */
  g_assert_false (hatake_networks_subnet_is_valid ("ten/8"));

  g_assert_true (hatake_networks_gateway_is_valid ("10.5.0.1", "10.5.0.0/24"));
  g_assert_true (hatake_networks_gateway_is_valid ("10.5.0.254", "10.5.0.0/24"));
  g_assert_false (hatake_networks_gateway_is_valid ("10.5.0.0", "10.5.0.0/24"));
  g_assert_false (hatake_networks_gateway_is_valid ("10.6.0.1", "10.5.0.0/24"));
  g_assert_false (hatake_networks_gateway_is_valid ("10.5.0.1", NULL));
  g_assert_false (hatake_networks_gateway_is_valid ("10.5.0.1", ""));
}

static JsonObject *
inspect_network (HatakeEngine *engine,
                 const char   *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeNetworkOpArgs args = { .name = name };

  hatake_engine_network_op_async (engine, HATAKE_NETWORK_OP_INSPECT, &args, NULL, hatake_test_store_result,
                                  &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_network_op_finish (engine, result, &error);
  if (g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND))
    return NULL;
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static HatakeContainer *
run_container (HatakeEngine *engine,
               const char   *reference,
               const char   *name)
{
  const char *cmd[] = { "sleep", "300", NULL };
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) started = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs args = { .timeout = -1 };
  HatakeContainer *container;

  config->image = g_strdup (reference);
  config->name = g_strdup (name);
  config->cmd = g_strdupv ((char **) cmd);
  g_free (config->network_mode);
  config->network_mode = g_strdup ("bridge");
  hatake_engine_create_container_async (engine, config, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  container = hatake_engine_create_container_finish (engine, result, &error);
  g_assert_no_error (error);

  hatake_engine_container_op_async (engine, name, HATAKE_CONTAINER_OP_START, &args, NULL,
                                    hatake_test_store_result, &started);
  hatake_test_run_until_done ((gpointer *) &started);
  node = hatake_engine_container_op_finish (engine, started, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (container), ==, HATAKE_CONTAINER_RUNNING);
  return container;
}

static void
remove_container (HatakeEngine    *engine,
                  HatakeContainer *container)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs args = { .timeout = 1, .force = TRUE };

  hatake_engine_container_op_async (engine, hatake_container_get_id (container), HATAKE_CONTAINER_OP_REMOVE,
                                    &args, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
}

/* The row's connect button, the container chosen in the dialog's drop-down. */
static void
connect_through_row (GtkWidget       *page,
                     const char      *network,
                     HatakeContainer *container)
{
  AdwMessageDialog *dialog;
  GtkDropDown *drop_down;

  gtk_widget_activate (find_button (find_row (page, network), "connect"));
  dialog = wait_for_dialog ();
  drop_down = GTK_DROP_DOWN (adw_message_dialog_get_extra_child (dialog));
  for (guint i = 0; i < g_list_model_get_n_items (gtk_drop_down_get_model (drop_down)); i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (gtk_drop_down_get_model (drop_down), i);

      if (c == container)
        gtk_drop_down_set_selected (drop_down, i);
    }
  g_assert_true (gtk_drop_down_get_selected_item (drop_down) == (gpointer) container);
  answer_dialog (dialog, "connect");
}

static void
kill_container (HatakeEngine    *engine,
                HatakeContainer *container)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs args = { .timeout = -1 };

  hatake_engine_container_op_async (engine, hatake_container_get_id (container), HATAKE_CONTAINER_OP_KILL,
                                    &args, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
}

static gboolean
has_exited (gpointer container)
{
  return hatake_container_get_state (container) == HATAKE_CONTAINER_EXITED;
}

/* Create with a subnet and a gateway, connect a running container, delete while it is attached
 * (refused, the engine's reason shown), disconnect, connect again and stop the container, delete:
 * each step seen in the row and in the engine's own answer. */
static void
test_local_engine (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) inspected = NULL;
  g_autofree char *root = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *network = g_strdup_printf ("hk-net-%d", (int) getpid ());
  g_autofree char *container_name = g_strdup_printf ("hk-net-box-%d", (int) getpid ());
  g_autofree char *subnet = g_strdup_printf ("10.213.%d.0/24", (int) (getpid () % 250));
  g_autofree char *gateway = g_strdup_printf ("10.213.%d.1", (int) (getpid () % 250));
  g_autofree char *bad_gateway = g_strdup_printf ("10.214.%d.1", (int) (getpid () % 250));
  g_autofree char *address_prefix = g_strdup_printf ("10.213.%d.", (int) (getpid () % 250));
  g_autofree char *refused = NULL;
  AdwMessageDialog *dialog;
  GtkListBox *sidebar;
  HatakeWindow *window;
  GtkWidget *page, *row, *button;
  TextWanted toast;
  JsonObject *attached;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (engine, reference, NULL, NULL, &error);
  g_assert_no_error (error);

  window = hatake_window_new (GTK_APPLICATION (app), engine);
  page = hatake_window_get_page (window, "networks");
  g_assert_true (HATAKE_IS_NETWORKS_PAGE (page));
  sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "sidebar"));
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 3));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 640);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_true (hatake_networks_page_get_engine (HATAKE_NETWORKS_PAGE (page)) == engine);

  /* The default network is there, and docker's other two (the engine lists them as docker's
   * does): none can be deleted. */
  g_assert_true (wait_for_row ((RowWanted) { page, "bridge", "None" }));
  g_assert_true (wait_for_row ((RowWanted) { page, "host", "host" }));
  g_assert_true (wait_for_row ((RowWanted) { page, "none", "null" }));
  for (guint i = 0; i < 3; i++)
    {
      const char *name = (const char *[]) { "bridge", "host", "none" }[i];

      button = find_button (find_row (page, name), "delete");
      g_assert_nonnull (button);
      g_assert_false (gtk_widget_get_sensitive (button));
      g_assert_null (hatake_networks_page_confirm_delete (HATAKE_NETWORKS_PAGE (page), name));
    }

  /* Create through the dialog: what the engine would refuse cannot be sent. */
  g_assert_true (gtk_widget_activate_action (page, "networks.create", NULL));
  dialog = wait_for_dialog ();
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));
  gtk_editable_set_text (GTK_EDITABLE (dialog_row (dialog, "name")), network);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "create"));
  gtk_editable_set_text (GTK_EDITABLE (dialog_row (dialog, "subnet")), "10.213.0.7/24");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));
  gtk_editable_set_text (GTK_EDITABLE (dialog_row (dialog, "subnet")), subnet);
  gtk_editable_set_text (GTK_EDITABLE (dialog_row (dialog, "gateway")), bad_gateway);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));
  g_assert_true (gtk_widget_has_css_class (dialog_row (dialog, "gateway"), "error"));
  gtk_editable_set_text (GTK_EDITABLE (dialog_row (dialog, "gateway")), gateway);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "create"));
  gtk_widget_activate (dialog_row (dialog, "internal"));
  g_assert_true (hatake_test_wait_until (has_size, dialog, 10));
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "networks-create-dialog.png");
  answer_dialog (dialog, "create");

  g_assert_true (wait_for_row ((RowWanted) { page, network, subnet }));
  g_assert_true (wait_for_row ((RowWanted) { page, network, gateway }));
  g_assert_true (wait_for_row ((RowWanted) { page, network, "Internal" }));
  g_assert_true (wait_for_row ((RowWanted) { page, network, "None" }));
  inspected = inspect_network (engine, network);
  g_assert_nonnull (inspected);
  g_assert_true (json_object_get_boolean_member (inspected, "Internal"));
  g_clear_pointer (&inspected, json_object_unref);

  /* Connect a running container through the page. */
  container = run_container (engine, reference, container_name);
  /* started, it joined the default network: the page follows by itself */
  g_assert_true (wait_for_row ((RowWanted) { page, "bridge", container_name }));
  connect_through_row (page, network, container);

  g_assert_true (wait_for_row ((RowWanted) { page, network, container_name, "None" }));
  inspected = inspect_network (engine, network);
  attached = json_object_get_object_member (inspected, "Containers");
  g_assert_true (json_object_has_member (attached, hatake_container_get_id (container)));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (attached, hatake_container_get_id (container)),
                                                  "Name"), ==, container_name);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_get_object_member (attached, hatake_container_get_id (container)),
                                                                  "IPv4Address"),
                                   address_prefix));
  g_clear_pointer (&inspected, json_object_unref);
  hatake_test_save_screenshot (GTK_WIDGET (window), "networks-page.png");

  /* Deleting it now is refused by the engine, which says who is attached. */
  gtk_widget_activate (find_button (find_row (page, network), "delete"));
  answer_dialog (wait_for_dialog (), "delete");
  refused = g_strdup_printf ("Could not delete “%s”: error while removing network: network %s has active endpoints (%s)",
                             network, network, container_name);
  toast = (TextWanted) { page, refused };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 10));
  hatake_test_save_screenshot (GTK_WIDGET (window), "networks-page-in-use.png");
  inspected = inspect_network (engine, network);
  g_assert_nonnull (inspected);
  g_clear_pointer (&inspected, json_object_unref);

  /* Disconnect from the row. */
  row = find_row (page, network);
  gtk_widget_activate (find_button (row, "disconnect"));
  g_assert_true (wait_for_row ((RowWanted) { page, network, "None", container_name }));
  inspected = inspect_network (engine, network);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (inspected, "Containers")), ==, 0);
  g_clear_pointer (&inspected, json_object_unref);

  /* Connected again, it leaves the network when it stops. The engine tears the network down
   * after the exit, and says nothing when it is done: the refresh button shows it. */
  connect_through_row (page, network, container);
  g_assert_true (wait_for_row ((RowWanted) { page, network, container_name, "None" }));
  kill_container (engine, container);
  g_assert_true (hatake_test_wait_until (has_exited, container, 30));
  {
    RefreshingWanted wanted = { { page, network, "None", container_name }, 0 };

    g_assert_true (hatake_test_wait_until (row_matches_refreshing, &wanted, 30));
  }
  inspected = inspect_network (engine, network);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (inspected, "Containers")), ==, 0);
  g_clear_pointer (&inspected, json_object_unref);

  /* Cancelling keeps it; deleting removes it. */
  gtk_widget_activate (find_button (find_row (page, network), "delete"));
  answer_dialog (wait_for_dialog (), "cancel");
  g_assert_true (wait_for_row ((RowWanted) { page, network }));
  gtk_widget_activate (find_button (find_row (page, network), "delete"));
  answer_dialog (wait_for_dialog (), "delete");
  g_assert_true (wait_for_row ((RowWanted) { page, network, .gone = TRUE }));
  g_assert_null (inspect_network (engine, network));
  g_assert_true (wait_for_row ((RowWanted) { page, "bridge" }));

  remove_container (engine, container);

  hatake_test_destroy_window (window, page, 10);
  g_clear_object (&container);
  g_clear_object (&image);
  hatake_test_settle_engine (engine);
  hatake_test_clear_finalized (&engine, 10);
  hatake_test_remove_tree (root);
}

static void
test_no_display (void)
{
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    {
      g_test_message ("DISPLAY is not set: the UI tests need an X server (Xvfb)");
      g_test_fail ();
    }
  else
    g_test_skip ("DISPLAY is not set");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *display = g_getenv ("DISPLAY");
  int ret;

  if (display == NULL || *display == '\0')
    {
      g_test_init (&argc, &argv, NULL);
      g_test_add_func ("/app/networks-page/no-display", test_no_display);
      return g_test_run ();
    }

  gtk_test_init (&argc, &argv, NULL);
  /* Pages switch at once: the screenshots show one page, not a crossfade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/networks-page/checks", test_checks);
  g_test_add_func ("/app/networks-page/local-engine", test_local_engine);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
