/* test-volumes-page.c: the volumes page, opened for real under an X server against a local
 * engine, and the window's keyboard shortcuts window
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-volumes-page"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "app-test-utils.h"
#include "hatake-application.h"
#include "hatake-test-utils.h"
#include "hatake-file-browser.h"
#include "hatake-volume-helper.h"
#include "hatake-volumes-page.h"
#include "hatake-window.h"

/* Labels per row: name, size, used by, mount point, created (the actions column has none). */
#define LABELS_PER_ROW 5

static HatakeApplication *app;

static GObject *
page_child (GtkWidget  *page,
            const char *name)
{
  return gtk_widget_get_template_child (page, HATAKE_TYPE_VOLUMES_PAGE, name);
}

static const char *
visible_page (GtkWidget *page)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (page_child (page, "stack")));
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

/* In the column view, row after row: the labels' texts, or the row buttons named button_name. */
static void
collect (GtkWidget  *widget,
         GtkWidget  *column_view,
         const char *button_name,
         GPtrArray  *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      /* Rows kept for reuse but not shown are hidden: skip them. */
      if (!gtk_widget_get_visible (child) && button_name == NULL)
        continue;
      if (button_name == NULL && GTK_IS_LABEL (child) && has_cell_ancestor (child, column_view))
        g_ptr_array_add (out, g_strdup (gtk_label_get_label (GTK_LABEL (child))));
      else if (button_name != NULL && GTK_IS_BUTTON (child) &&
               g_strcmp0 (gtk_widget_get_name (child), button_name) == 0 &&
               has_cell_ancestor (child, column_view) && gtk_widget_get_mapped (child))
        g_ptr_array_add (out, child);
      collect (child, column_view, button_name, out);
    }
}

static GPtrArray *
cell_texts (GtkWidget *page)
{
  GtkWidget *column_view = GTK_WIDGET (page_child (page, "column_view"));
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  collect (column_view, column_view, NULL, texts);
  return texts;
}

static GPtrArray *
row_buttons (GtkWidget  *page,
             const char *name)
{
  GtkWidget *column_view = GTK_WIDGET (page_child (page, "column_view"));
  GPtrArray *buttons = g_ptr_array_new ();

  collect (column_view, column_view, name, buttons);
  return buttons;
}

typedef struct
{
  GtkWidget  *page;
  const char *name;   /* NULL: no rows at all */
} RowWanted;

/* The page shows exactly the one row named name (or, with none, the empty page). */
static gboolean
shows_row (gpointer data)
{
  RowWanted *wanted = data;
  g_autoptr(GPtrArray) texts = NULL;

  if (wanted->name == NULL)
    return g_strcmp0 (visible_page (wanted->page), "empty") == 0;
  if (g_strcmp0 (visible_page (wanted->page), "list") != 0)
    return FALSE;
  texts = cell_texts (wanted->page);
  return texts->len == LABELS_PER_ROW && g_strcmp0 (texts->pdata[0], wanted->name) == 0;
}

static gboolean
wait_for_row (GtkWidget  *page,
              const char *name)
{
  RowWanted wanted = { page, name };
  gboolean ok = hatake_test_wait_until (shows_row, &wanted, 10);

  gtk_test_widget_wait_for_draw (page);
  return ok && shows_row (&wanted);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
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

/* Answers the shown question as a user would; returns once it is gone. */
static void
answer_dialog (const char *response)
{
  AdwMessageDialog *dialog;
  gpointer weak_dialog;

  g_assert_true (hatake_test_wait_until (dialog_is_shown, NULL, 10));
  dialog = find_message_dialog ();
  weak_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak_dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  g_assert_true (adw_message_dialog_has_response (dialog, "cancel"));
  adw_message_dialog_response (dialog, response);
  if (weak_dialog != NULL && gtk_widget_get_visible (GTK_WIDGET (dialog)))
    gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_dialog, 10));
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
is_visible (gpointer data)
{
  return gtk_widget_get_visible (data);
}

/* Whether MENU (with its sections) has an item for ACTION */
static gboolean
menu_has_action (GMenuModel *menu, const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      g_autofree char *name = NULL;

      if (section != NULL && menu_has_action (section, action))
        return TRUE;
      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        return TRUE;
    }
  return FALSE;
}

static void
test_shortcuts_window (void)
{
  const char *menu_buttons[] = { "menu_button", "message_menu_button" };
  g_auto(GStrv) accels = NULL;
  HatakeWindow *window;
  GtkWindow *overlay;
  gpointer weak_window, weak_overlay;

  window = hatake_window_new (GTK_APPLICATION (app), NULL);
  weak_window = window;
  g_object_add_weak_pointer (G_OBJECT (window), &weak_window);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  /* Built on demand, not with the window (as GtkApplication would from gtk/help-overlay.ui) */
  g_assert_null (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>question"));

  /* the main menus, which name it, are built when they first open */
  for (guint i = 0; i < G_N_ELEMENTS (menu_buttons); i++)
    {
      GtkMenuButton *button = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW,
                                                                              menu_buttons[i]));

      g_assert_null (gtk_menu_button_get_menu_model (button));
      gtk_menu_button_popup (button);
      g_assert_nonnull (gtk_menu_button_get_menu_model (button));
      g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (button), "win.show-help-overlay"));
      g_assert_true (GTK_IS_POPOVER_MENU (gtk_menu_button_get_popover (button)));
      gtk_menu_button_popdown (button);
    }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  overlay = GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  g_assert_true (hatake_test_wait_until (is_visible, overlay, 10));
  g_assert_true (gtk_window_get_transient_for (overlay) == GTK_WINDOW (window));
  weak_overlay = overlay;
  g_object_add_weak_pointer (G_OBJECT (overlay), &weak_overlay);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (overlay));
  hatake_test_save_screenshot (GTK_WIDGET (overlay), "shortcuts-window.png");

  /* closed, it is hidden; asked for again, the same one comes back */
  gtk_window_close (overlay);
  g_assert_true (weak_overlay != NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  g_assert_true (GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window))) == overlay);
  g_assert_true (hatake_test_wait_until (is_visible, overlay, 10));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_window, 10));
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_overlay, 10));
}

/* The page as the window shows it, on the Volumes section. */
static GtkWidget *
open_volumes_page (HatakeEngine  *engine,
                   HatakeWindow **window_out)
{
  HatakeWindow *window = hatake_window_new (GTK_APPLICATION (app), engine);
  GtkListBox *sidebar;
  GtkWidget *page;

  page = hatake_window_get_page (window, "volumes");
  g_assert_true (HATAKE_IS_VOLUMES_PAGE (page));
  sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "sidebar"));
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 2));
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_true (hatake_volumes_page_get_engine (HATAKE_VOLUMES_PAGE (page)) == engine);

  *window_out = window;
  return page;
}

static void
create_volume (GtkWidget  *page,
               const char *name)
{
  AdwMessageDialog *dialog;
  GtkEditable *entry;

  g_assert_true (gtk_widget_activate_action (page, "volumes.create", NULL));
  g_assert_true (hatake_test_wait_until (dialog_is_shown, NULL, 10));
  dialog = find_message_dialog ();
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  /* A name the engine would refuse cannot be sent; an empty one (generated) can. */
  gtk_editable_set_text (entry, "-bad name");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));
  gtk_editable_set_text (entry, "");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "create"));
  gtk_editable_set_text (entry, name);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "create"));
  answer_dialog ("create");
}

/* Whether the page shows two rows, each with its delete button */
static gboolean
shows_two_rows (gpointer page)
{
  g_autoptr(GPtrArray) buttons = row_buttons (page, "delete");

  return buttons->len == 2;
}

static void
delete_only_row (GtkWidget *page)
{
  g_autoptr(GPtrArray) buttons = row_buttons (page, "delete");

  g_assert_cmpuint (buttons->len, ==, 1);
  gtk_widget_activate (buttons->pdata[0]);
  answer_dialog ("delete");
}

static void
close_and_check (HatakeWindow  *window,
                 GtkWidget     *page,
                 HatakeEngine **engine,
                 const char    *root)
{
  hatake_test_destroy_window (window, page, 10);
  hatake_test_clear_finalized (engine, 10);
  hatake_test_remove_tree (root);
}

static void
test_local_engine (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autofree char *root = NULL;
  TextWanted toast;
  HatakeWindow *window;
  GtkWidget *page;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  page = open_volumes_page (engine, &window);

  g_assert_true (wait_for_row (page, NULL));

  create_volume (page, "data");
  g_assert_true (wait_for_row (page, "data"));
  hatake_test_save_screenshot (GTK_WIDGET (window), "volumes-page.png");

  /* Cancelling keeps it. */
  {
    g_autoptr(GPtrArray) buttons = row_buttons (page, "delete");

    g_assert_cmpuint (buttons->len, ==, 1);
    gtk_widget_activate (buttons->pdata[0]);
    answer_dialog ("cancel");
    g_assert_true (wait_for_row (page, "data"));
  }

  delete_only_row (page);
  g_assert_true (wait_for_row (page, NULL));

  /* One made elsewhere (a run, the command line) shows without asking. */
  {
    HatakeVolumeOpArgs args = { .name = "elsewhere" };
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) error = NULL;

    hatake_engine_volume_op_async (engine, HATAKE_VOLUME_OP_CREATE, &args, NULL, hatake_test_store_result, &result);
    hatake_test_run_until_done ((gpointer *) &result);
    node = hatake_engine_volume_op_finish (engine, result, &error);
    g_assert_no_error (error);
    g_assert_true (wait_for_row (page, "elsewhere"));
    delete_only_row (page);
    g_assert_true (wait_for_row (page, NULL));
  }

  /* Prune: an unnamed (generated) one and a named one, both unused, both go. */
  create_volume (page, "");
  create_volume (page, "cache");
  g_assert_true (hatake_test_wait_until ((HatakeTestCondition) gtk_widget_get_mapped,
                             page_child (page, "column_view"), 10));
  /* (both made before the prune: the creates are asynchronous, and a prune that came first
   * deleted one, or none, of them) */
  g_assert_true (hatake_test_wait_until (shows_two_rows, page, 10));
  g_assert_true (gtk_widget_activate_action (page, "volumes.prune", NULL));
  answer_dialog ("prune");
  g_assert_true (wait_for_row (page, NULL));
  toast = (TextWanted) { page, "2 volumes deleted" };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 10));

  close_and_check (window, page, &engine, root);
}

/* A volume a container uses is not deleted, and the page says why. */
static void
test_in_use (void)
{
  const char *cmd[] = { "true", NULL };
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *reference = NULL;
  TextWanted toast;
  HatakeWindow *window;
  GtkWidget *page;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (engine, reference, NULL, NULL, &error);
  g_assert_no_error (error);

  page = open_volumes_page (engine, &window);
  create_volume (page, "data");
  g_assert_true (wait_for_row (page, "data"));
  hatake_test_save_screenshot (GTK_WIDGET (window), "volumes-page.png");

  config = hatake_container_config_new ();
  config->image = g_strdup (reference);
  config->name = g_strdup ("user");
  config->cmd = g_strdupv ((char **) cmd);
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_VOLUME, "data", "/data", FALSE);
  hatake_engine_create_container_async (engine, config, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  container = hatake_engine_create_container_finish (engine, result, &error);
  g_assert_no_error (error);

  delete_only_row (page);
  toast = (TextWanted) { page, "Could not delete “data”: " };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 10));
  /* The engine names the container that holds it. */
  toast = (TextWanted) { page, "Could not delete “data”: remove data: volume is in use - [" };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 10));
  g_assert_true (wait_for_row (page, "data"));

  /* The task holds the engine. */
  g_clear_object (&result);
  g_clear_object (&container);
  g_clear_object (&image);
  close_and_check (window, page, &engine, root);
}


/* Creates NAME from busybox with VOLUME at TARGET, runs CMD in it to its end: its exit code. */
static int
run_container (HatakeEngine *engine,
               const char   *reference,
               const char   *name,
               const char   *volume,
               const char   *target,
               const char   *script)
{
  const char *cmd[] = { "sh", "-c", script, NULL };
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  HatakeContainerOpArgs args = { .timeout = -1 };

  config->image = g_strdup (reference);
  config->name = g_strdup (name);
  config->cmd = g_strdupv ((char **) cmd);
  g_free (config->network_mode);
  config->network_mode = g_strdup ("none");
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_VOLUME, volume, target, FALSE);
  hatake_engine_create_container_async (engine, config, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  container = hatake_engine_create_container_finish (engine, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  hatake_engine_container_op_async (engine, name, HATAKE_CONTAINER_OP_START, &args, NULL,
                                    hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_clear_pointer (&node, json_node_unref);
  node = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  hatake_engine_container_op_async (engine, name, HATAKE_CONTAINER_OP_WAIT, &args, NULL,
                                    hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_clear_pointer (&node, json_node_unref);
  node = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_int_member (json_node_get_object (node), "StatusCode");
}

static void
remove_container (HatakeEngine *engine,
                  const char   *name)
{
  HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  hatake_engine_container_op_async (engine, name, HATAKE_CONTAINER_OP_REMOVE, &args, NULL,
                                    hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
}

typedef struct
{
  GtkWidget  *page;
  const char *name;
  const char *size;
  const char *users;
} UsageWanted;

/* The row of NAME says SIZE and USERS. */
static gboolean
shows_usage (gpointer data)
{
  UsageWanted *wanted = data;
  g_autoptr(GPtrArray) texts = cell_texts (wanted->page);

  for (guint i = 0; i + LABELS_PER_ROW <= texts->len; i += LABELS_PER_ROW)
    if (g_strcmp0 (texts->pdata[i], wanted->name) == 0)
      return g_strcmp0 (texts->pdata[i + 1], wanted->size) == 0 &&
             g_strcmp0 (texts->pdata[i + 2], wanted->users) == 0;
  return FALSE;
}

/* No helper container is left. */
static gboolean
no_helpers (gpointer data)
{
  GListModel *containers = hatake_engine_get_containers (data);

  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(HatakeContainer) container = g_list_model_get_item (containers, i);

      if (hatake_container_get_label (container, HATAKE_VOLUME_HELPER_LABEL) != NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
browser_lists (gpointer data)
{
  GListModel *model = hatake_file_browser_get_model (data);
  g_autoptr(HatakeFileEntry) entry = NULL;

  if (hatake_file_browser_get_loading (data) || g_list_model_get_n_items (model) != 1)
    return FALSE;
  entry = g_list_model_get_item (model, 0);
  return g_str_equal (hatake_file_entry_get_name (entry), "greeting.txt") &&
         hatake_file_entry_get_size (entry) == 5 && !hatake_file_entry_is_dir (entry);
}

static GtkWidget *
find_child_of_type (GtkWidget *widget,
                    GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      if ((found = find_child_of_type (child, type)) != NULL)
        return found;
    }
  return NULL;
}

/* Size and users, delete refused while in use, export, import and browse, on a real engine. */
static void
test_transfer (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *tar_path = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GFile) tar_file = NULL;
  g_autofree char *size_text = g_format_size (5);
  const char *tar_argv[] = { "tar", "-tvf", NULL, NULL };
  TextWanted toast;
  UsageWanted usage;
  HatakeWindow *window;
  GtkWidget *page, *browse_window, *browser;
  int status = -1;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (engine, reference, NULL, NULL, &error);
  g_assert_no_error (error);

  page = open_volumes_page (engine, &window);
  create_volume (page, "data");
  g_assert_true (wait_for_row (page, "data"));

  /* A container writes a file into it: the row shows its size and the container. */
  g_assert_cmpint (run_container (engine, reference, "prefs-writer", "data", "/data",
                                  "printf hello > /data/greeting.txt"), ==, 0);
  usage = (UsageWanted) { page, "data", size_text, "prefs-writer" };
  g_assert_true (gtk_widget_activate_action (page, "volumes.refresh", NULL));
  if (!hatake_test_wait_until (shows_usage, &usage, 20))
    {
      g_autoptr(GPtrArray) texts = cell_texts (page);

      g_ptr_array_add (texts, NULL);
      g_test_message ("row: %s", g_strjoinv (" | ", (char **) texts->pdata));
      g_assert_not_reached ();
    }
  hatake_test_save_screenshot (GTK_WIDGET (window), "volumes-usage.png");

  /* In use: not deleted, and the toast says by whom. */
  delete_only_row (page);
  toast = (TextWanted) { page, "Could not delete “data”: remove data: volume is in use - [prefs-writer]" };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 10));
  g_assert_true (wait_for_row (page, "data"));

  /* Export: a tar with the file, as `tar -C DIR -cf FILE .` makes it */
  tar_path = g_build_filename (root, "data.tar", NULL);
  tar_file = g_file_new_for_path (tar_path);
  hatake_volumes_page_export (HATAKE_VOLUMES_PAGE (page), "data", tar_file);
  toast = (TextWanted) { page, "“data” exported to " };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 30));
  tar_argv[2] = tar_path;
  g_spawn_sync (NULL, (char **) tar_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &listing, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("%s", listing);
  g_assert_nonnull (strstr (listing, "./greeting.txt"));
  g_assert_true (hatake_test_wait_until (no_helpers, engine, 20));

  /* Import into another volume: a container reads the file there. */
  create_volume (page, "copy");
  hatake_volumes_page_import (HATAKE_VOLUMES_PAGE (page), "copy", tar_file);
  toast = (TextWanted) { page, "" };
  {
    g_autofree char *wanted = g_strdup_printf ("%s imported into “copy”", tar_path);

    toast.prefix = wanted;
    g_assert_true (hatake_test_wait_until (shows_text, &toast, 30));
  }
  g_assert_true (hatake_test_wait_until (no_helpers, engine, 20));
  g_assert_cmpint (run_container (engine, reference, "prefs-reader", "copy", "/c",
                                  "test \"$(cat /c/greeting.txt)\" = hello"), ==, 0);

  /* Browse: the volume's one file, read through a helper container that goes with the window. */
  browse_window = hatake_volumes_page_browse (HATAKE_VOLUMES_PAGE (page), "data");
  browser = find_child_of_type (browse_window, HATAKE_TYPE_FILE_BROWSER);
  g_assert_nonnull (browser);
  g_assert_true (hatake_test_wait_until (browser_lists, browser, 30));
  g_assert_cmpstr (hatake_file_browser_get_path (HATAKE_FILE_BROWSER (browser)), ==, HATAKE_VOLUME_HELPER_PATH);
  /* never above the volume */
  hatake_file_browser_open (HATAKE_FILE_BROWSER (browser), "..");
  g_assert_cmpstr (hatake_file_browser_get_path (HATAKE_FILE_BROWSER (browser)), ==, HATAKE_VOLUME_HELPER_PATH);
  gtk_test_widget_wait_for_draw (browse_window);
  hatake_test_save_screenshot (browse_window, "volume-browse.png");
  g_assert_false (no_helpers (engine));
  hatake_test_destroy_window (browse_window, NULL, 10);
  g_assert_true (hatake_test_wait_until (no_helpers, engine, 20));

  remove_container (engine, "prefs-writer");
  remove_container (engine, "prefs-reader");
  g_clear_object (&image);
  close_and_check (window, page, &engine, root);
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
      g_test_add_func ("/app/volumes-page/no-display", test_no_display);
      return g_test_run ();
    }

  gtk_test_init (&argc, &argv, NULL);

  /* Registering runs the application's startup (settings, style) without running it. */
  /* Pages switch at once: the screenshots show one page, not a crossfade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/app/volumes-page/local-engine", test_local_engine);
  g_test_add_func ("/app/volumes-page/in-use", test_in_use);
  g_test_add_func ("/app/volumes-page/transfer", test_transfer);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
