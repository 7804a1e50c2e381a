/* test-containers-page.c: the containers page, opened for real under an X server, against real
 * busybox containers of a local engine, and of a `hatake serve` reached through its socket
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-containers-page"

#include "config.h"

#include <adwaita.h>

#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>

#include "app-test-utils.h"
#include "hatake-application.h"
#include "hatake-client-engine.h"
#include "hatake-container-group.h"
#include "hatake-containers-page.h"
#include "hatake-local-engine.h"
#include "hatake-ports-cell.h"
#include "hatake-test-utils.h"
#include "hatake-window.h"

/* Labels per row: name, image, state, status, CPU, memory (the actions column has none). */
#define LABELS_PER_ROW 6

static HatakeApplication *app;

static GObject *
page_child (GtkWidget  *page,
            const char *name)
{
  return gtk_widget_get_template_child (page, HATAKE_TYPE_CONTAINERS_PAGE, name);
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

/* In the column view, row after row, left to right: the labels' texts, or the row buttons
 * named button_name. */
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
      if (button_name == NULL && GTK_IS_LABEL (child) && has_cell_ancestor (child, column_view) &&
          gtk_widget_get_mapped (child))
        g_ptr_array_add (out, g_strdup (gtk_label_get_label (GTK_LABEL (child))));
      else if (button_name != NULL && GTK_IS_BUTTON (child) &&
               g_strcmp0 (gtk_widget_get_name (child), button_name) == 0 &&
               has_cell_ancestor (child, column_view) &&
               gtk_widget_get_mapped (gtk_widget_get_parent (child)))
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

/* The button named name (an action: "start", "stop", …) of each row, borrowed. */
static GPtrArray *
row_buttons (GtkWidget  *page,
             const char *name)
{
  GtkWidget *column_view = GTK_WIDGET (page_child (page, "column_view"));
  GPtrArray *buttons = g_ptr_array_new ();

  collect (column_view, column_view, name, buttons);
  return buttons;
}

static GtkWidget *
find_actionable (GtkWidget  *widget,
                 const char *action_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_ACTIONABLE (child) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action_name) == 0)
        return child;
      if ((found = find_actionable (child, action_name)) != NULL)
        return found;
    }
  return NULL;
}

/* The toolbar's button for a selection action. */
static GtkWidget *
toolbar_button (GtkWidget  *page,
                const char *action_name)
{
  GtkWidget *button = find_actionable (page, action_name);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  return button;
}

typedef struct
{
  GtkWidget *page;
  guint      rows;
} RowsWanted;

static gboolean
shows_rows (gpointer data)
{
  RowsWanted *wanted = data;
  g_autoptr(GPtrArray) texts = cell_texts (wanted->page);

  return texts->len == wanted->rows * LABELS_PER_ROW;
}

static gboolean
wait_for_rows (GtkWidget *page,
               guint      rows)
{
  RowsWanted wanted = { page, rows };
  gboolean ok = hatake_test_wait_until (shows_rows, &wanted, 10);

  gtk_test_widget_wait_for_draw (page);
  return ok && shows_rows (&wanted);
}

typedef struct
{
  GtkWidget  *page;
  guint       row;
  const char *before;
} StatusWanted;

static gboolean
status_changed (gpointer data)
{
  StatusWanted *wanted = data;
  g_autoptr(GPtrArray) texts = cell_texts (wanted->page);
  guint index = wanted->row * LABELS_PER_ROW + 3;

  return texts->len > index && g_strcmp0 (texts->pdata[index], wanted->before) != 0;
}

typedef struct
{
  HatakeContainer      *container;
  HatakeContainerState  state;
} StateWanted;

static gboolean
has_state (gpointer data)
{
  StateWanted *wanted = data;

  return hatake_container_get_state (wanted->container) == wanted->state;
}

static gboolean
wait_for_state (HatakeContainer      *container,
                HatakeContainerState  state,
                guint                 timeout_s)
{
  StateWanted wanted = { container, state };

  return hatake_test_wait_until (has_state, &wanted, timeout_s);
}

static gboolean
has_memory_usage (gpointer data)
{
  return hatake_container_get_memory_usage (data) > 0;
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

/* Answers the delete confirmation as a user would. */
static void
answer_dialog (const char *response)
{
  AdwMessageDialog *dialog;

  g_assert_true (hatake_test_wait_until (dialog_is_shown, NULL, 10));
  dialog = g_object_ref (find_message_dialog ());
  g_assert_true (adw_message_dialog_has_response (dialog, "delete"));
  g_assert_true (adw_message_dialog_has_response (dialog, "cancel"));
  adw_message_dialog_response (dialog, response);
  if (gtk_widget_get_visible (GTK_WIDGET (dialog)))
    gtk_window_close (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

typedef struct
{
  GListModel *model;
  guint       n;
} CountWanted;

static gboolean
has_count (gpointer data)
{
  CountWanted *wanted = data;

  return g_list_model_get_n_items (wanted->model) == wanted->n;
}

static void
select_only (GtkWidget       *page,
             HatakeContainer *container)
{
  GListModel *selection = G_LIST_MODEL (page_child (page, "selection"));
  guint n = g_list_model_get_n_items (selection);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (selection, i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (item == (GObject *) container)
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (selection), i, TRUE);
          return;
        }
    }
  g_assert_not_reached ();
}

typedef struct
{
  GtkWidget  *widget;
  const char *prefix;
} TextWanted;

static gboolean
find_text (GtkWidget  *widget,
           const char *prefix)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_get_mapped (child) && gtk_widget_get_width (child) > 0 &&
          g_str_has_prefix (gtk_label_get_text (GTK_LABEL (child)), prefix))
        return TRUE;
      if (find_text (child, prefix))
        return TRUE;
    }
  return FALSE;
}

static gboolean
shows_text (gpointer data)
{
  TextWanted *wanted = data;

  return find_text (wanted->widget, wanted->prefix);
}

static void
test_format (void)
{
  g_autofree char *s = NULL;
  g_autofree char *mb12 = g_format_size (12300000);
  g_autofree char *mb64 = g_format_size (64000000);
  g_autofree char *both = g_strdup_printf ("%s / %s", mb12, mb64);

#define CHECK(expr, expected) G_STMT_START { g_free (s); s = (expr); g_assert_cmpstr (s, ==, expected); } G_STMT_END
  CHECK (hatake_containers_format_cpu (12.5), "12.5 %");
  CHECK (hatake_containers_format_cpu (0), "0.0 %");
  CHECK (hatake_containers_format_cpu (-1), "0.0 %");
  CHECK (hatake_containers_format_cpu (250.04), "250.0 %");
  CHECK (hatake_containers_format_memory (12300000, 64000000), both);
  CHECK (hatake_containers_format_memory (12300000, 0), mb12);
#undef CHECK
}

static HatakeContainer *
create_with_config (HatakeEngine          *engine,
                    HatakeContainerConfig *config)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HatakeContainer *container;

  hatake_engine_create_container_async (engine, config, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  container = hatake_engine_create_container_finish (engine, result, &error);
  g_assert_no_error (error);
  return container;
}

static HatakeContainer *
create_container (HatakeEngine *engine,
                  const char   *image,
                  const char   *name,
                  const char   *const *cmd)
{
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();

  config->image = g_strdup (image);
  config->name = g_strdup (name);
  config->cmd = g_strdupv ((char **) cmd);
  return create_with_config (engine, config);
}

static void
engine_op (HatakeEngine      *engine,
           HatakeContainer   *container,
           HatakeContainerOp  op,
           gboolean           force)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs args = { .timeout = 1, .force = force };

  hatake_engine_container_op_async (engine, hatake_container_get_id (container), op, &args, NULL,
                                    hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
}

static void
test_local_engine (void)
{
  const char *sleep_cmd[] = { "sleep", "300", NULL };
  const char *true_cmd[] = { "true", NULL };
  const char *missing_cmd[] = { "/no/such/program", NULL };
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeContainer) web = NULL;
  g_autoptr(HatakeContainer) oneshot = NULL;
  g_autoptr(HatakeContainer) broken = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GPtrArray) start = NULL;
  g_autoptr(GPtrArray) stop = NULL;
  g_autoptr(GPtrArray) delete = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *first_status = NULL;
  StatusWanted aging;
  GListModel *containers;
  GtkListBox *sidebar;
  GtkEditable *search;
  HatakeWindow *window;
  GtkWidget *page;
  CountWanted one_left, none_left;
  TextWanted toast;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  containers = hatake_engine_get_containers (engine);

  /* The page as the window shows it: choose the Containers section. */
  window = hatake_window_new (GTK_APPLICATION (app), engine);
  page = hatake_window_get_page (window, "containers");
  sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "sidebar"));
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 0));
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_true (hatake_containers_page_get_engine (HATAKE_CONTAINERS_PAGE (page)) == engine);
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_cmpstr (visible_page (page), ==, "empty");

  /* One running container and one that ran and exited. */
  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (engine, reference, NULL, NULL, &error);
  g_assert_no_error (error);
  web = create_container (engine, reference, "web", sleep_cmd);
  oneshot = create_container (engine, reference, "oneshot", true_cmd);
  engine_op (engine, web, HATAKE_CONTAINER_OP_START, FALSE);
  engine_op (engine, oneshot, HATAKE_CONTAINER_OP_START, FALSE);
  engine_op (engine, oneshot, HATAKE_CONTAINER_OP_WAIT, FALSE);
  g_assert_true (wait_for_state (web, HATAKE_CONTAINER_RUNNING, 10));
  g_assert_true (wait_for_state (oneshot, HATAKE_CONTAINER_EXITED, 10));

  g_assert_cmpstr (visible_page (page), ==, "list");
  g_assert_true (wait_for_rows (page, 2));

  /* Newest first: oneshot, then web. */
  texts = cell_texts (page);
  g_assert_cmpstr (texts->pdata[0], ==, "oneshot");
  g_assert_cmpstr (texts->pdata[1], ==, reference);
  g_assert_cmpstr (texts->pdata[2], ==, "Exited");
  g_assert_true (g_str_has_prefix (texts->pdata[3], "Exited (0)"));
  g_assert_cmpstr (texts->pdata[4], ==, "—");
  g_assert_cmpstr (texts->pdata[6], ==, "web");
  g_assert_cmpstr (texts->pdata[8], ==, "Running");
  g_assert_true (g_str_has_prefix (texts->pdata[9], "Up "));
  first_status = g_strdup (texts->pdata[9]);
  g_clear_pointer (&texts, g_ptr_array_unref);

  /* The rows on screen are watched: the running one's resource use arrives by itself. */
  g_assert_true (hatake_test_wait_until (has_memory_usage, web, 10));
  gtk_test_widget_wait_for_draw (page);
  texts = cell_texts (page);
  g_assert_true (g_str_has_suffix (texts->pdata[10], " %"));
  g_assert_cmpstr (texts->pdata[11], !=, "—");
  g_clear_pointer (&texts, g_ptr_array_unref);

  /* The status says how long ago: it ages on screen with nothing else changing. */
  aging = (StatusWanted) { page, 1, first_status };
  g_assert_true (hatake_test_wait_until (status_changed, &aging, 10));

  /* Each row's buttons follow its container's state. */
  start = row_buttons (page, "start");
  stop = row_buttons (page, "stop");
  delete = row_buttons (page, "delete");
  g_assert_cmpuint (start->len, ==, 2);
  g_assert_cmpuint (stop->len, ==, 2);
  g_assert_cmpuint (delete->len, ==, 2);
  g_assert_true (gtk_widget_get_sensitive (start->pdata[0]));
  g_assert_false (gtk_widget_get_sensitive (stop->pdata[0]));
  g_assert_false (gtk_widget_get_sensitive (start->pdata[1]));
  g_assert_true (gtk_widget_get_sensitive (stop->pdata[1]));
  g_assert_true (gtk_widget_get_sensitive (delete->pdata[0]));
  g_assert_true (gtk_widget_get_sensitive (delete->pdata[1]));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (stop->pdata[1]), ==, "Stop");

  /* Nothing selected: no selection action. */
  g_assert_false (gtk_widget_get_sensitive (toolbar_button (page, "containers.stop")));
  g_assert_false (gtk_widget_get_sensitive (toolbar_button (page, "containers.delete")));

  /* The selection's actions are those every selected container allows. */
  select_only (page, web);
  g_assert_true (gtk_widget_get_sensitive (toolbar_button (page, "containers.stop")));
  g_assert_true (gtk_widget_get_sensitive (toolbar_button (page, "containers.pause")));
  g_assert_false (gtk_widget_get_sensitive (toolbar_button (page, "containers.start")));
  g_assert_false (gtk_widget_get_sensitive (toolbar_button (page, "containers.unpause")));
  g_assert_true (gtk_widget_get_sensitive (toolbar_button (page, "containers.delete")));
  gtk_selection_model_select_all (GTK_SELECTION_MODEL (page_child (page, "selection")));
  g_assert_false (gtk_widget_get_sensitive (toolbar_button (page, "containers.stop")));
  g_assert_false (gtk_widget_get_sensitive (toolbar_button (page, "containers.start")));
  g_assert_true (gtk_widget_get_sensitive (toolbar_button (page, "containers.restart")));
  g_assert_true (gtk_widget_get_sensitive (toolbar_button (page, "containers.delete")));
  select_only (page, web);

  hatake_test_save_screenshot (GTK_WIDGET (window), "containers-page.png");

  /* The search filters by name or by image. */
  search = GTK_EDITABLE (hatake_containers_page_get_search_entry (HATAKE_CONTAINERS_PAGE (page)));
  gtk_editable_set_text (search, "WEB");
  g_assert_true (wait_for_rows (page, 1));
  texts = cell_texts (page);
  g_assert_cmpstr (texts->pdata[0], ==, "web");
  g_clear_pointer (&texts, g_ptr_array_unref);
  gtk_editable_set_text (search, "busybox");
  g_assert_true (wait_for_rows (page, 2));
  gtk_editable_set_text (search, "no such thing");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (page_child (page, "results_stack"))), ==,
                   "no-results");
  gtk_editable_set_text (search, "");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (page_child (page, "results_stack"))), ==,
                   "rows");
  g_assert_true (wait_for_rows (page, 2));
  /* Rows the filter hid left the selection. */
  g_assert_false (gtk_widget_get_sensitive (toolbar_button (page, "containers.stop")));
  select_only (page, web);

  /* Stop from the row: the real container exits (busybox's sleep ignores SIGTERM: the engine
   * kills it after the stop timeout), and the buttons turn round. */
  g_clear_pointer (&stop, g_ptr_array_unref);
  stop = row_buttons (page, "stop");
  gtk_widget_activate (stop->pdata[1]);
  g_assert_true (wait_for_state (web, HATAKE_CONTAINER_EXITED, 30));
  gtk_test_widget_wait_for_draw (page);
  g_clear_pointer (&start, g_ptr_array_unref);
  g_clear_pointer (&stop, g_ptr_array_unref);
  start = row_buttons (page, "start");
  stop = row_buttons (page, "stop");
  g_assert_true (gtk_widget_get_sensitive (start->pdata[1]));
  g_assert_false (gtk_widget_get_sensitive (stop->pdata[1]));
  g_assert_true (gtk_widget_get_sensitive (toolbar_button (page, "containers.start")));
  g_assert_false (gtk_widget_get_sensitive (toolbar_button (page, "containers.stop")));

  /* Start it again through the selection's action. */
  g_assert_true (gtk_widget_activate_action (page, "containers.start", NULL));
  g_assert_true (wait_for_state (web, HATAKE_CONTAINER_RUNNING, 30));

  /* Delete asks first; cancelling keeps the container. */
  g_clear_pointer (&delete, g_ptr_array_unref);
  delete = row_buttons (page, "delete");
  gtk_widget_activate (delete->pdata[1]);
  answer_dialog ("cancel");
  g_assert_cmpint (hatake_container_get_state (web), ==, HATAKE_CONTAINER_RUNNING);
  g_assert_cmpuint (g_list_model_get_n_items (containers), ==, 2);

  /* Confirmed, the running container goes, with force. */
  gtk_widget_activate (delete->pdata[1]);
  answer_dialog ("delete");
  one_left = (CountWanted) { containers, 1 };
  g_assert_true (hatake_test_wait_until (has_count, &one_left, 30));
  g_assert_cmpint (hatake_container_get_state (web), ==, HATAKE_CONTAINER_REMOVED);
  g_assert_true (wait_for_rows (page, 1));

  /* And the last one through the selection's action: the empty state is back. */
  select_only (page, oneshot);
  g_assert_true (gtk_widget_activate_action (page, "containers.delete", NULL));
  answer_dialog ("delete");
  none_left = (CountWanted) { containers, 0 };
  g_assert_true (hatake_test_wait_until (has_count, &none_left, 30));
  g_assert_cmpstr (visible_page (page), ==, "empty");

  /* What the engine refuses shows as a toast with its message. */
  broken = create_container (engine, reference, "broken", missing_cmd);
  g_assert_true (wait_for_rows (page, 1));
  g_clear_pointer (&start, g_ptr_array_unref);
  start = row_buttons (page, "start");
  g_assert_cmpuint (start->len, ==, 1);
  g_assert_true (gtk_widget_get_sensitive (start->pdata[0]));
  gtk_widget_activate (start->pdata[0]);
  toast = (TextWanted) { GTK_WIDGET (page_child (page, "toast_overlay")), "Could not start “broken”: " };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 30));
  /* Let the toast slide in before the picture. */
  g_assert_false (hatake_test_wait_until (hatake_test_never, NULL, 1));
  hatake_test_save_screenshot (GTK_WIDGET (window), "containers-page-error.png");
  engine_op (engine, broken, HATAKE_CONTAINER_OP_REMOVE, TRUE);
  g_assert_true (hatake_test_wait_until (has_count, &none_left, 30));

  hatake_test_destroy_window (window, page, 10);

  g_clear_pointer (&start, g_ptr_array_unref);
  g_clear_pointer (&stop, g_ptr_array_unref);
  g_clear_pointer (&delete, g_ptr_array_unref);
  g_clear_object (&web);
  g_clear_object (&oneshot);
  g_clear_object (&broken);
  g_clear_object (&image);
  hatake_test_settle_engine (engine);
  hatake_test_clear_finalized (&engine, 10);

  hatake_test_remove_tree (root);
}

static gboolean
shows_labels (gpointer data)
{
  RowsWanted *wanted = data;
  g_autoptr(GPtrArray) texts = cell_texts (wanted->page);

  return texts->len == wanted->rows;
}

static gboolean
wait_for_labels (GtkWidget *page,
                 guint      labels)
{
  RowsWanted wanted = { page, labels };

  return hatake_test_wait_until (shows_labels, &wanted, 10);
}

static gboolean
selection_has_rows (gpointer data)
{
  CountWanted *wanted = data;

  return g_list_model_get_n_items (wanted->model) == wanted->n;
}

static gboolean
all_running (gpointer data)
{
  HatakeContainer **pair = data;

  return hatake_container_get_state (pair[0]) == HATAKE_CONTAINER_RUNNING &&
         hatake_container_get_state (pair[1]) == HATAKE_CONTAINER_RUNNING;
}

/* The row at POSITION of the list (a GtkTreeListRow's item), transfer full. */
static GObject *
row_item (GListModel *rows,
          guint       position)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, position);

  return row ? gtk_tree_list_row_get_item (row) : NULL;
}

/* Containers of a compose project (com.docker.compose.project) under a row of their own. */
static void
test_projects (void)
{
  const char *sleep_cmd[] = { "sleep", "300", NULL };
  const char *shop_labels[] = { "com.docker.compose.project=shop", "com.docker.compose.service=web", NULL };
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeContainer) db = NULL;
  g_autoptr(HatakeContainer) web = NULL;
  g_autoptr(HatakeContainer) lone = NULL;
  g_autoptr(GObject) item = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GtkTreeListRow) group_row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *summary = NULL;
  HatakeContainer *pair[2];
  GListModel *rows, *containers;
  GtkListBox *sidebar;
  HatakeWindow *window;
  GtkWidget *page;
  CountWanted wanted;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  containers = hatake_engine_get_containers (engine);
  window = hatake_window_new (GTK_APPLICATION (app), engine);
  page = hatake_window_get_page (window, "containers");
  sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "sidebar"));
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 0));
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  rows = G_LIST_MODEL (page_child (page, "selection"));

  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (engine, reference, NULL, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();

    config->image = g_strdup (reference);
    config->cmd = g_strdupv ((char **) sleep_cmd);
    config->labels = g_strdupv ((char **) shop_labels);
    config->name = g_strdup ("shop-db-1");
    db = create_with_config (engine, config);
    g_free (config->name);
    config->name = g_strdup ("shop-web-1");
    web = create_with_config (engine, config);
  }
  lone = create_container (engine, reference, "lone", sleep_cmd);
  g_assert_cmpstr (hatake_container_get_project (web), ==, "shop");
  g_assert_null (hatake_container_get_project (lone));

  /* Newest first: lone; then the project where its newest container is, with both inside,
   * newest first too */
  wanted = (CountWanted) { rows, 4 };
  g_assert_true (hatake_test_wait_until (selection_has_rows, &wanted, 10));
  item = row_item (rows, 0);
  g_assert_true (item == (GObject *) lone);
  g_clear_object (&item);
  item = row_item (rows, 1);
  g_assert_true (HATAKE_IS_CONTAINER_GROUP (item));
  g_assert_cmpstr (hatake_container_group_get_project (HATAKE_CONTAINER_GROUP (item)), ==, "shop");
  g_object_get (item, "summary", &summary, NULL);
  g_assert_cmpstr (summary, ==, "2 containers, 0 running");
  g_clear_pointer (&summary, g_free);
  group_row = g_list_model_get_item (rows, 1);
  g_assert_true (gtk_tree_list_row_is_expandable (group_row));
  g_assert_true (gtk_tree_list_row_get_expanded (group_row));
  g_clear_object (&item);
  item = row_item (rows, 2);
  g_assert_true (item == (GObject *) web);
  g_clear_object (&item);
  item = row_item (rows, 3);
  g_assert_true (item == (GObject *) db);
  g_clear_object (&item);

  /* On screen: the project's row shows its name alone; its containers their six cells */
  g_assert_cmpstr (visible_page (page), ==, "list");
  /* past the stack's crossfade */
  g_assert_false (hatake_test_wait_until (hatake_test_never, NULL, 1));
  g_assert_true (wait_for_labels (page, 3 * LABELS_PER_ROW + 1));
  hatake_test_save_screenshot (GTK_WIDGET (window), "containers-page-projects.png");
  texts = cell_texts (page);
  g_assert_cmpuint (texts->len, ==, 3 * LABELS_PER_ROW + 1);
  {
    const char *names[] = { "lone", "shop", "shop-web-1", "shop-db-1", reference };
    guint found[G_N_ELEMENTS (names)] = { 0, };

    /* (the row widgets are not kept in the rows' order: count, do not place) */
    for (guint i = 0; i < texts->len; i++)
      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        if (g_strcmp0 (texts->pdata[i], names[j]) == 0)
          found[j]++;
    g_assert_cmpuint (found[0], ==, 1);
    g_assert_cmpuint (found[1], ==, 1);
    g_assert_cmpuint (found[2], ==, 1);
    g_assert_cmpuint (found[3], ==, 1);
    g_assert_cmpuint (found[4], ==, 3);   /* the image, in the containers' rows only */
  }
  g_clear_pointer (&texts, g_ptr_array_unref);

  /* Selecting the project's row is selecting its containers: start starts both */
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (rows), 1, TRUE);
  g_assert_true (gtk_widget_get_sensitive (toolbar_button (page, "containers.start")));
  g_assert_true (gtk_widget_activate_action (page, "containers.start", NULL));
  pair[0] = web;
  pair[1] = db;
  g_assert_true (hatake_test_wait_until (all_running, pair, 30));
  g_assert_cmpint (hatake_container_get_state (lone), ==, HATAKE_CONTAINER_CREATED);
  item = row_item (rows, 1);
  g_object_get (item, "summary", &summary, NULL);
  g_assert_cmpstr (summary, ==, "2 containers, 2 running");
  g_clear_object (&item);

  /* Collapsed, the project is one row */
  gtk_tree_list_row_set_expanded (group_row, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2);
  gtk_tree_list_row_set_expanded (group_row, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 4);

  /* The search filters inside projects too; a project with nothing shown goes */
  gtk_editable_set_text (GTK_EDITABLE (page_child (page, "search_entry")), "web");
  wanted = (CountWanted) { rows, 2 };
  g_assert_true (hatake_test_wait_until (selection_has_rows, &wanted, 10));
  item = row_item (rows, 1);
  g_assert_true (item == (GObject *) web);
  g_clear_object (&item);
  gtk_editable_set_text (GTK_EDITABLE (page_child (page, "search_entry")), "lone");
  wanted = (CountWanted) { rows, 1 };
  g_assert_true (hatake_test_wait_until (selection_has_rows, &wanted, 10));
  gtk_editable_set_text (GTK_EDITABLE (page_child (page, "search_entry")), "");

  /* Its containers removed, the project's row goes */
  engine_op (engine, web, HATAKE_CONTAINER_OP_REMOVE, TRUE);
  engine_op (engine, db, HATAKE_CONTAINER_OP_REMOVE, TRUE);
  wanted = (CountWanted) { rows, 1 };
  g_assert_true (hatake_test_wait_until (selection_has_rows, &wanted, 30));
  item = row_item (rows, 0);
  g_assert_true (item == (GObject *) lone);
  g_clear_object (&item);
  g_assert_cmpuint (g_list_model_get_n_items (containers), ==, 1);

  engine_op (engine, lone, HATAKE_CONTAINER_OP_REMOVE, TRUE);
  g_clear_object (&group_row);
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&web);
  g_clear_object (&db);
  g_clear_object (&lone);
  g_clear_object (&image);
  g_clear_object (&engine);
  hatake_test_remove_tree (root);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* `hatake --data-root ROOT ARGS…`: succeeds */
static void
hatake_at (const char *root, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, (char *) HATAKE_CLI);
  g_ptr_array_add (argv, (char *) "--data-root");
  g_ptr_array_add (argv, (char *) root);
  va_start (args, root);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                               &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

typedef struct
{
  GtkWidget  *page;
  const char *state;
} RowStateWanted;

static gboolean
first_row_state (gpointer data)
{
  RowStateWanted *wanted = data;
  g_autoptr(GPtrArray) texts = cell_texts (wanted->page);

  return texts->len == LABELS_PER_ROW && g_strcmp0 (texts->pdata[2], wanted->state) == 0;
}

/* The page on an engine behind its API (a `hatake serve`): what commands do there shows up live,
 * through the event stream. */
static void
test_remote_engine (void)
{
  g_autofree char *root = NULL, *socket = NULL, *host = NULL, *reference = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(HatakeClientEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GError) error = NULL;
  HatakeWindow *window;
  GtkWidget *page;
  GtkListBox *sidebar;
  RowStateWanted wanted;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  root = hatake_test_make_data_root ();
  socket = g_strconcat (root, ".sock", NULL);
  host = g_strconcat ("unix://", socket, NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error, HATAKE_CLI, "serve", "--data-root", root, "-H", host, NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 400 && !hatake_client_socket_answers (socket); i++)
    g_usleep (25 * 1000);
  g_assert_true (hatake_client_socket_answers (socket));

  engine = hatake_client_engine_new_unix (socket);
  hatake_client_engine_connect_async (engine, NULL, hatake_test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (hatake_client_engine_connect_finish (engine, result, &error));
  g_assert_no_error (error);

  window = hatake_window_new (GTK_APPLICATION (app), HATAKE_ENGINE (engine));
  page = hatake_window_get_page (window, "containers");
  sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "sidebar"));
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 0));
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (visible_page (page), ==, "empty");

  /* commands on the served data root go through its socket; the page follows */
  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  hatake_at (root, "run", "-d", "--name", "remote-web", "--network", "none", reference, "sleep", "600", NULL);
  wanted = (RowStateWanted) { page, "Running" };
  g_assert_true (hatake_test_wait_until (first_row_state, &wanted, 15));
  texts = cell_texts (page);
  g_assert_cmpstr (texts->pdata[0], ==, "remote-web");
  g_assert_cmpstr (texts->pdata[1], ==, reference);
  g_assert_true (g_str_has_prefix (texts->pdata[3], "Up "));
  g_clear_pointer (&texts, g_ptr_array_unref);
  /* the row on screen is watched: its resource use comes from the engine's stats */
  {
    g_autoptr(HatakeContainer) web = hatake_engine_lookup_container (HATAKE_ENGINE (engine), "remote-web");

    g_assert_true (hatake_test_wait_until (has_memory_usage, web, 15));
  }
  gtk_test_widget_wait_for_draw (page);
  texts = cell_texts (page);
  g_assert_cmpstr (texts->pdata[5], !=, "—");
  hatake_test_save_screenshot (GTK_WIDGET (window), "containers-page-remote");

  hatake_at (root, "stop", "-t", "0", "remote-web", NULL);
  wanted = (RowStateWanted) { page, "Exited" };
  g_assert_true (hatake_test_wait_until (first_row_state, &wanted, 15));
  hatake_at (root, "rm", "remote-web", NULL);
  g_assert_true (wait_for_rows (page, 0));

  gtk_window_destroy (GTK_WINDOW (window));
  hatake_client_engine_disconnect (engine);
  g_subprocess_send_signal (server, SIGTERM);
  g_assert_true (g_subprocess_wait_check (server, NULL, &error));
  g_assert_no_error (error);
  hatake_at (root, "system", "reset", "-f", NULL);
  hatake_test_remove_tree (root);
}

/* Whether MENU (with its sections) has an item of app.engine for CHOICE */
static gboolean
menu_offers (GMenuModel *menu, const char *choice)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET,
                                                                          G_VARIANT_TYPE_STRING);

      if (section != NULL && menu_offers (section, choice))
        return TRUE;
      if (target != NULL && g_str_equal (g_variant_get_string (target, NULL), choice))
        return TRUE;
    }
  return FALSE;
}

static gboolean
engine_has_container (gpointer data)
{
  g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (HATAKE_ENGINE (data), "on-served");

  return c != NULL;
}

/* An application of its own on ROOT, activated: its window, once its engine (ours) is open */
static HatakeApplication *
open_own_app (const char *root, GtkWindow **window)
{
  g_autoptr(GError) error = NULL;
  HatakeApplication *own_app = hatake_application_new ();

  g_application_set_flags (G_APPLICATION (own_app), G_APPLICATION_NON_UNIQUE);
  hatake_application_set_data_root (own_app, root);
  g_application_register (G_APPLICATION (own_app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (own_app));
  *window = gtk_application_get_active_window (GTK_APPLICATION (own_app));
  g_assert_true (HATAKE_IS_LOCAL_ENGINE (hatake_test_wait_for_engine (*window, 10)));
  return own_app;
}

/* The switcher in the header: docker's contexts are offered next to this computer's engine;
 * choosing one opens the window on it (its containers there, live), and back */
static void
test_engine_switcher (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *root = NULL, *served_root = NULL, *socket = NULL, *host = NULL, *docker_config = NULL;
  g_autofree char *reference = NULL, *meta_dir = NULL, *meta = NULL, *digest = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GMenuModel) menu = NULL;
  g_autoptr(GError) error = NULL;
  HatakeApplication *own_app;
  GtkWindow *window;
  HatakeEngine *engine;
  GtkMenuButton *button;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  root = hatake_test_make_data_root ();
  served_root = hatake_test_make_data_root ();
  socket = g_strconcat (served_root, ".sock", NULL);
  host = g_strconcat ("unix://", socket, NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error, HATAKE_CLI, "serve", "--data-root", served_root, "-H", host,
                                        NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 400 && !hatake_client_socket_answers (socket); i++)
    g_usleep (25 * 1000);
  g_assert_true (hatake_client_socket_answers (socket));
  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  hatake_at (served_root, "create", "--name", "on-served", "--network", "none", reference, "true", NULL);

  /* a context in docker's store, as `docker context create served --docker host=…` writes it */
  docker_config = g_dir_make_tmp ("hatake-docker-config-XXXXXX", NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "served", -1);
  meta_dir = g_build_filename (docker_config, "contexts", "meta", digest, NULL);
  g_assert_cmpint (g_mkdir_with_parents (meta_dir, 0755), ==, 0);
  meta = g_strdup_printf ("{\"Name\":\"served\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"%s\","
                          "\"SkipTLSVerify\":false}}}", host);
  {
    g_autofree char *path = g_build_filename (meta_dir, "meta.json", NULL);

    g_assert_true (g_file_set_contents (path, meta, -1, NULL));
  }
  g_setenv ("DOCKER_CONFIG", docker_config, TRUE);

  own_app = open_own_app (root, &window);
  button = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "engine_button"));
  g_assert_cmpstr (gtk_menu_button_get_label (button), ==, "This Computer");

  menu = hatake_application_get_engine_menu (own_app);
  g_assert_true (menu_offers (menu, "local"));
  g_assert_true (menu_offers (menu, "system"));
  g_assert_true (menu_offers (menu, "context:served"));
  g_assert_false (menu_offers (menu, "context:default"));
  /* the switcher's menu is built when it first opens, and offers the same engines */
  g_assert_null (gtk_menu_button_get_menu_model (button));
  gtk_menu_button_popup (button);
  g_assert_nonnull (gtk_menu_button_get_menu_model (button));
  g_assert_true (menu_offers (gtk_menu_button_get_menu_model (button), "context:served"));
  g_assert_true (GTK_IS_POPOVER_MENU (gtk_menu_button_get_popover (button)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (button))));
  gtk_menu_button_popdown (button);

  /* the context: a new window on the served engine, its container there */
  g_action_group_activate_action (G_ACTION_GROUP (own_app), "engine", g_variant_new_string ("context:served"));
  window = gtk_application_get_active_window (GTK_APPLICATION (own_app));
  engine = hatake_window_get_engine (HATAKE_WINDOW (window));
  g_assert_true (HATAKE_IS_CLIENT_ENGINE (engine));
  g_assert_cmpstr (hatake_engine_get_description (engine), ==, host);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (own_app))), ==, 1);
  button = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "engine_button"));
  g_assert_cmpstr (gtk_menu_button_get_label (button), ==, "served");
  g_assert_true (hatake_test_wait_until (engine_has_container, engine, 15));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  hatake_test_save_screenshot (GTK_WIDGET (window), "engine-switcher");

  /* and back to this computer's engine, which has no such container */
  g_action_group_activate_action (G_ACTION_GROUP (own_app), "engine", g_variant_new_string ("local"));
  window = gtk_application_get_active_window (GTK_APPLICATION (own_app));
  engine = hatake_test_wait_for_engine (window, 10);
  g_assert_true (HATAKE_IS_LOCAL_ENGINE (engine));
  g_assert_false (engine_has_container (engine));

  g_action_group_activate_action (G_ACTION_GROUP (own_app), "quit", NULL);
  g_object_unref (own_app);
  g_unsetenv ("DOCKER_CONFIG");
  g_subprocess_send_signal (server, SIGTERM);
  g_assert_true (g_subprocess_wait_check (server, NULL, &error));
  g_assert_no_error (error);
  hatake_at (served_root, "system", "reset", "-f", NULL);
  /* (a registered application that never ran keeps references of its own: its local engine,
   * which made nothing, goes with the process) */
  hatake_test_remove_tree (served_root);
  hatake_test_remove_tree (root);
  hatake_test_remove_tree (docker_config);
}

typedef struct
{
  const char *root;
  GHashTable *stale;
} OwnSpares;

/* The app's engine has its two spares set up, none of them a stale one */
static gboolean
has_own_spares (gpointer data)
{
  OwnSpares *own = data;
  g_autoptr(GHashTable) ready = hatake_test_spares (own->root, TRUE);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, ready);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_hash_table_contains (own->stale, key))
      return FALSE;
  return g_hash_table_size (ready) == 2;
}

/* The default network's bridge interface on ROOT (hk- and its ID's beginning) */
static char *
bridge_interface (const char *root)
{
  g_autofree char *path = g_build_filename (root, "networks", "bridge.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  return g_strdup_printf ("/sys/class/net/hk-%.10s",
                          json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "Id"));
}

/* The app's own engine owns its data root as hatake serve does: it tears down what a killed
 * owner left (its recovery), keeps the default bridge up with two spares set up on it while it
 * runs, and lets them all go when it quits. */
static void
test_owner_network (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL, *host = NULL, *bridge = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GHashTable) left = NULL;
  OwnSpares own = { NULL };
  HatakeApplication *own_app;
  GtkWindow *window;

  if (!hatake_test_require_root ())
    return;
  root = hatake_test_make_data_root ();
  own.root = root;
  host = g_strdup_printf ("unix://%s/serve.sock", root);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             HATAKE_CLI, "--data-root", root, "serve", "-H", host, NULL);
  g_assert_no_error (error);
  own.stale = hatake_test_wait_spares (root, 2);
  bridge = bridge_interface (root);
  g_assert_true (g_file_test (bridge, G_FILE_TEST_EXISTS));
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);

  own_app = open_own_app (root, &window);
  g_assert_true (hatake_test_wait_until (has_own_spares, &own, 30));
  g_assert_true (g_file_test (bridge, G_FILE_TEST_EXISTS));

  g_action_group_activate_action (G_ACTION_GROUP (own_app), "quit", NULL);
  left = hatake_test_spares (root, FALSE);
  g_assert_cmpuint (g_hash_table_size (left), ==, 0);
  g_assert_false (g_file_test (bridge, G_FILE_TEST_EXISTS));
  g_object_unref (own_app);
  g_hash_table_unref (own.stale);
  /* (its engine, which made nothing, goes with the process) */
  hatake_test_remove_tree (root);
}

/* The mapped link buttons of the ports column, borrowed, row after row. */
static void
collect_links (GtkWidget *widget,
               GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LINK_BUTTON (child) && gtk_widget_get_mapped (child))
        g_ptr_array_add (out, child);
      collect_links (child, out);
    }
}

static gboolean
has_no_links (gpointer data)
{
  g_autoptr(GPtrArray) links = g_ptr_array_new ();

  collect_links (GTK_WIDGET (page_child (data, "column_view")), links);
  return links->len == 0;
}

static gboolean
has_two_links (gpointer data)
{
  g_autoptr(GPtrArray) links = g_ptr_array_new ();

  collect_links (GTK_WIDGET (page_child (data, "column_view")), links);
  return links->len == 2;
}

/* The mapped label named "health" of the column view (the badge beside the state). */
static GtkWidget *
find_health_badge (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_widget_get_name (child), "health") == 0 &&
          gtk_widget_get_mapped (child))
        return child;
      if ((found = find_health_badge (child)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
badge_says_healthy (gpointer data)
{
  GtkWidget *badge = find_health_badge (GTK_WIDGET (page_child (data, "column_view")));

  return badge != NULL && g_strcmp0 (gtk_label_get_label (GTK_LABEL (badge)), "Healthy") == 0;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (probe, any, FALSE, NULL));
  bound = g_socket_get_local_address (probe, NULL);
  g_socket_close (probe, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* What the browser would get at a link's address: the container's web server answers there. */
static char *
fetch (const char *uri)
{
  char *body = NULL;

  for (guint i = 0; i < 30; i++)
    {
      g_clear_pointer (&body, g_free);
      g_spawn_sync (NULL, (char *[]) { (char *) "curl", (char *) "-s", (char *) "-m", (char *) "2", (char *) uri, NULL },
                    NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &body, NULL, NULL, NULL);
      if (body != NULL && *body != '\0')
        break;
      hatake_test_wait_until (hatake_test_never, NULL, 1);
    }
  return body;
}

/* A running web server publishing two ports, with a healthcheck: its row shows the ports as links
 * to http://HOST:PORT/ (every address: localhost), and a health badge that reaches Healthy. */
static void
test_ports_and_health (void)
{
  const char *httpd_cmd[] = { "busybox", "httpd", "-f", "-p", "80", "-h", "/etc", NULL };
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeContainer) web = NULL;
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();
  g_autoptr(GPtrArray) links = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL, *reference = NULL, *local_uri = NULL, *any_uri = NULL;
  g_autofree char *local_text = NULL, *any_text = NULL, *hostname_uri = NULL, *body = NULL;
  g_autofree char *expected_host = NULL;
  guint16 local_port = free_port (), any_port = free_port ();
  GtkListBox *sidebar;
  HatakeWindow *window;
  GtkWidget *page, *badge;
  g_autofree char *s = NULL;

  /* the functions the links are made with */
#define CHECK(expr, expected) G_STMT_START { g_free (s); s = (expr); g_assert_cmpstr (s, ==, expected); } G_STMT_END
  CHECK (hatake_ports_cell_uri_for ("0.0.0.0", "8080"), "http://localhost:8080/");
  CHECK (hatake_ports_cell_uri_for ("", "8080"), "http://localhost:8080/");
  CHECK (hatake_ports_cell_uri_for ("::", "8080"), "http://localhost:8080/");
  CHECK (hatake_ports_cell_uri_for ("127.0.0.1", "80"), "http://127.0.0.1:80/");
  CHECK (hatake_ports_cell_uri_for ("::1", "80"), "http://[::1]:80/");
  CHECK (hatake_ports_cell_text_for ("127.0.0.1", "8080", "80/tcp"), "127.0.0.1:8080→80/tcp");
  CHECK (hatake_ports_cell_text_for ("", "8080", "80/tcp"), "0.0.0.0:8080→80/tcp");
#undef CHECK

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  window = hatake_window_new (GTK_APPLICATION (app), engine);
  page = hatake_window_get_page (window, "containers");
  sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "sidebar"));
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 0));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 600);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (engine, reference, NULL, NULL, &error);
  g_assert_no_error (error);
  config->image = g_strdup (reference);
  config->name = g_strdup ("porty");
  config->cmd = g_strdupv ((char **) httpd_cmd);
  config->publish = g_new0 (char *, 3);
  config->publish[0] = g_strdup_printf ("127.0.0.1:%u:80/tcp", local_port);
  config->publish[1] = g_strdup_printf ("%u:8080/tcp", any_port);
  config->healthcheck = hatake_health_config_new ();
  config->healthcheck->test = g_strdupv ((char *[]) { (char *) "CMD-SHELL", (char *) "true", NULL });
  config->healthcheck->interval = 200 * 1000;
  web = create_with_config (engine, config);
  engine_op (engine, web, HATAKE_CONTAINER_OP_START, FALSE);
  g_assert_true (wait_for_state (web, HATAKE_CONTAINER_RUNNING, 10));

  /* the ports, as links that open in the browser */
  g_assert_true (hatake_test_wait_until (has_two_links, page, 10));
  collect_links (GTK_WIDGET (page_child (page, "column_view")), links);
  local_uri = g_strdup_printf ("http://127.0.0.1:%u/", local_port);
  any_uri = g_strdup_printf ("http://localhost:%u/", any_port);
  local_text = g_strdup_printf ("127.0.0.1:%u→80/tcp", local_port);
  any_text = g_strdup_printf ("0.0.0.0:%u→8080/tcp", any_port);
  /* in the order of the container's ports */
  g_assert_cmpstr (gtk_link_button_get_uri (links->pdata[0]), ==, local_uri);
  g_assert_cmpstr (gtk_button_get_label (links->pdata[0]), ==, local_text);
  g_assert_cmpstr (gtk_link_button_get_uri (links->pdata[1]), ==, any_uri);
  g_assert_cmpstr (gtk_button_get_label (links->pdata[1]), ==, any_text);
  /* what the link opens is the container's web server */
  hostname_uri = g_strconcat (local_uri, "hostname", NULL);
  body = fetch (hostname_uri);
  expected_host = g_strndup (hatake_container_get_id (web), 12);
  g_assert_nonnull (body);
  g_assert_true (g_str_has_prefix (body, expected_host));

  /* the healthcheck's verdict, on the page */
  g_assert_true (hatake_test_wait_until (badge_says_healthy, page, 20));
  g_assert_cmpint (hatake_container_get_health_status (web), ==, HATAKE_HEALTH_HEALTHY);
  badge = find_health_badge (GTK_WIDGET (page_child (page, "column_view")));
  g_assert_true (gtk_widget_has_css_class (badge, "health-healthy"));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  hatake_test_save_screenshot (GTK_WIDGET (window), "containers-page-ports-health.png");

  /* stopped: no ports to open, and no verdict */
  engine_op (engine, web, HATAKE_CONTAINER_OP_KILL, FALSE);
  g_assert_true (wait_for_state (web, HATAKE_CONTAINER_EXITED, 10));
  g_assert_true (hatake_test_wait_until (has_no_links, page, 10));

  engine_op (engine, web, HATAKE_CONTAINER_OP_REMOVE, TRUE);
  hatake_test_destroy_window (window, NULL, 10);
  g_clear_object (&web);
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
      g_test_add_func ("/app/containers-page/no-display", test_no_display);
      return g_test_run ();
    }

  gtk_test_init (&argc, &argv, NULL);

  /* Registering runs the application's startup (settings, style) without running it. */
  app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/containers-page/format", test_format);
  g_test_add_func ("/app/containers-page/local-engine", test_local_engine);
  g_test_add_func ("/app/containers-page/projects", test_projects);
  g_test_add_func ("/app/containers-page/ports-health", test_ports_and_health);
  g_test_add_func ("/app/containers-page/remote-engine", test_remote_engine);
  g_test_add_func ("/app/engine-switcher", test_engine_switcher);
  g_test_add_func ("/app/owner-network", test_owner_network);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
