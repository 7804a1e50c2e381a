/* test-container-details.c: a container's details, opened from the containers list for real
 * under an X server, against a real busybox container of a local engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-container-details"

#include "config.h"

#include <adwaita.h>

#include "app-test-utils.h"
#include "hatake-application.h"
#include "hatake-container-details.h"
#include "hatake-containers-page.h"
#include "hatake-file-browser.h"
#include "hatake-log-view.h"
#include "hatake-test-utils.h"

#define N_LOG_LINES 50

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

static HatakeContainer *
create_container (HatakeEngine *engine,
                  const char   *image,
                  const char   *name,
                  const char   *const *cmd)
{
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HatakeContainer *container;

  config->image = g_strdup (image);
  config->name = g_strdup (name);
  config->cmd = g_strdupv ((char **) cmd);
  hatake_engine_create_container_async (engine, config, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  container = hatake_engine_create_container_finish (engine, result, &error);
  g_assert_no_error (error);
  return container;
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

static GObject *
details_child (GtkWidget  *details,
               const char *name)
{
  return gtk_widget_get_template_child (details, HATAKE_TYPE_CONTAINER_DETAILS, name);
}

static const char *
row_text (GtkWidget  *details,
          const char *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (details_child (details, row)));
}

typedef struct
{
  GtkWidget  *details;
  const char *row;
  const char *text;
} RowWanted;

static gboolean
row_says (gpointer data)
{
  RowWanted *wanted = data;

  return g_strcmp0 (row_text (wanted->details, wanted->row), wanted->text) == 0;
}

static gboolean
has_inspect (gpointer data)
{
  return hatake_container_details_get_inspect (data) != NULL;
}

static gboolean
has_all_lines (gpointer data)
{
  return hatake_log_view_get_n_lines (data) >= N_LOG_LINES;
}

static gboolean
graph_has_samples (gpointer data)
{
  return hatake_stats_graph_get_n_samples (data) >= 1;
}

/* The row of container in the page's list. */
static guint
row_position (GtkWidget       *page,
              HatakeContainer *container)
{
  GListModel *rows = G_LIST_MODEL (page_child (page, "selection"));

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (item == (GObject *) container)
        return i;
    }
  g_assert_not_reached ();
}

/* What a double-click or Enter on the row does. */
static GtkWidget *
open_details (GtkWidget       *page,
              HatakeContainer *container)
{
  GtkWidget *details;

  g_signal_emit_by_name (page_child (page, "column_view"), "activate", row_position (page, container));
  g_assert_cmpstr (visible_page (page), ==, "details");
  details = adw_bin_get_child (ADW_BIN (page_child (page, "details_bin")));
  g_assert_true (HATAKE_IS_CONTAINER_DETAILS (details));
  g_assert_true (hatake_container_details_get_container (HATAKE_CONTAINER_DETAILS (details)) == container);
  gtk_test_widget_wait_for_draw (details);
  return details;
}

static gboolean
is_list (gpointer data)
{
  return g_strcmp0 (visible_page (data), "list") == 0;
}

typedef struct
{
  HatakeFileBrowser *browser;
  const char        *path;
  const char        *entry;   /* a name the listing has */
} ListingWanted;

/* The position of NAME in the browser's listing, or -1 */
static int
entry_position (HatakeFileBrowser *browser,
                const char        *name)
{
  GListModel *model = hatake_file_browser_get_model (browser);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(HatakeFileEntry) entry = g_list_model_get_item (model, i);

      if (g_str_equal (hatake_file_entry_get_name (entry), name))
        return (int) i;
    }
  return -1;
}

static gboolean
lists (gpointer data)
{
  ListingWanted *wanted = data;

  return !hatake_file_browser_get_loading (wanted->browser) &&
         g_strcmp0 (hatake_file_browser_get_path (wanted->browser), wanted->path) == 0 &&
         entry_position (wanted->browser, wanted->entry) >= 0;
}

/* The Files tab of a running container: /, then /etc by activating its row, then back up. */
static void
check_files (GtkWidget    *window,
             GtkWidget    *details,
             AdwViewStack *view_stack)
{
  HatakeFileBrowser *browser = HATAKE_FILE_BROWSER (details_child (details, "file_browser"));
  GObject *column_view = gtk_widget_get_template_child (GTK_WIDGET (browser), HATAKE_TYPE_FILE_BROWSER, "column_view");
  GObject *path_label = gtk_widget_get_template_child (GTK_WIDGET (browser), HATAKE_TYPE_FILE_BROWSER, "path_label");
  ListingWanted wanted = { browser, "/", "etc" };
  g_autoptr(HatakeFileEntry) etc = NULL, passwd = NULL;
  GtkWidget *up;
  int position;

  /* listed only once shown */
  g_assert_null (hatake_file_browser_get_path (browser));
  adw_view_stack_set_visible_child_name (view_stack, "files");
  g_assert_true (hatake_test_wait_until (lists, &wanted, 20));
  position = entry_position (browser, "etc");
  etc = g_list_model_get_item (hatake_file_browser_get_model (browser), position);
  g_assert_true (hatake_file_entry_is_dir (etc));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (column_view)));
  up = find_actionable (GTK_WIDGET (browser), "files.up");
  g_assert_nonnull (up);
  g_assert_false (gtk_widget_get_sensitive (up));

  /* into /etc as a double-click or Enter on its row does */
  g_signal_emit_by_name (column_view, "activate", (guint) position);
  wanted = (ListingWanted) { browser, "/etc", "passwd" };
  g_assert_true (hatake_test_wait_until (lists, &wanted, 20));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (path_label)), ==, "/etc");
  passwd = g_list_model_get_item (hatake_file_browser_get_model (browser), entry_position (browser, "passwd"));
  g_assert_false (hatake_file_entry_is_dir (passwd));
  g_assert_cmpint (hatake_file_entry_get_size (passwd), >, 0);
  g_assert_cmpint (entry_position (browser, "etc"), ==, -1);
  /* a file's row opens nothing */
  g_signal_emit_by_name (column_view, "activate", (guint) entry_position (browser, "passwd"));
  g_assert_false (hatake_file_browser_get_loading (browser));
  g_assert_cmpstr (hatake_file_browser_get_path (browser), ==, "/etc");
  gtk_test_widget_wait_for_draw (window);
  hatake_test_save_screenshot (window, "container-details-files.png");

  /* and back up with the Up button */
  g_assert_true (gtk_widget_get_sensitive (up));
  gtk_widget_activate (up);
  wanted = (ListingWanted) { browser, "/", "etc" };
  g_assert_true (hatake_test_wait_until (lists, &wanted, 20));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (path_label)), ==, "/");
  g_assert_cmpint (entry_position (browser, "passwd"), ==, -1);
}

static void
test_local_engine (void)
{
  /* (two pings of its gateway: something on its network for the stats page) */
  const char *chatty_cmd[] = { "sh", "-c",
                               "ping -c 2 -s 1000 $(ip route | awk '/default/ { print $3 }') > /dev/null; "
                               "for i in $(seq 1 50); do echo line $i; done; sleep 300", NULL };
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeContainer) chatty = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *raw = NULL;
  GtkTextBuffer *raw_buffer;
  GtkTextIter raw_start, raw_end;
  GListModel *containers;
  GtkWindow *window;
  GtkWidget *page, *details, *stop, *back;
  HatakeLogView *log_view;
  HatakeStatsGraph *cpu_graph, *memory_graph;
  AdwViewStack *view_stack;
  RowWanted wanted;
  CountWanted none_left;
  gpointer weak_details;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  containers = hatake_engine_get_containers (engine);

  /* The page on its own in a window: the unit under test, without the other pages. */
  window = GTK_WINDOW (adw_application_window_new (GTK_APPLICATION (app)));
  page = hatake_containers_page_new (engine);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (engine, reference, NULL, NULL, &error);
  g_assert_no_error (error);
  chatty = create_container (engine, reference, "chatty", chatty_cmd);
  engine_op (engine, chatty, HATAKE_CONTAINER_OP_START, FALSE);
  g_assert_true (wait_for_state (chatty, HATAKE_CONTAINER_RUNNING, 10));
  g_assert_cmpstr (visible_page (page), ==, "list");

  /* Activating the row shows its details in place of the list. */
  details = open_details (page, chatty);
  weak_details = details;
  g_object_add_weak_pointer (G_OBJECT (details), &weak_details);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (details_child (details, "name_label"))), ==, "chatty");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (details_child (details, "state_label"))), ==, "Running");

  /* Overview: inspect as rows, and as the document itself. */
  g_assert_true (hatake_test_wait_until (has_inspect, details, 10));
  g_assert_cmpstr (row_text (details, "name_row"), ==, "chatty");
  g_assert_cmpstr (row_text (details, "id_row"), ==, hatake_container_get_id (chatty));
  g_assert_cmpstr (row_text (details, "state_row"), ==, "running");
  g_assert_cmpstr (row_text (details, "image_row"), ==, reference);
  g_test_message ("command: %s", row_text (details, "command_row"));
  g_assert_true (g_str_has_prefix (row_text (details, "command_row"), "sh -c "));
  g_assert_cmpstr (row_text (details, "exit_code_row"), ==, "—");
  g_assert_cmpstr (row_text (details, "pid_row"), !=, "—");
  g_assert_nonnull (strstr (row_text (details, "terminal_row"), "hatake exec -it chatty sh"));
  raw_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (details_child (details, "raw_view")));
  gtk_text_buffer_get_bounds (raw_buffer, &raw_start, &raw_end);
  raw = gtk_text_buffer_get_text (raw_buffer, &raw_start, &raw_end, FALSE);
  g_assert_nonnull (strstr (raw, hatake_container_get_id (chatty)));
  g_assert_nonnull (strstr (raw, "\"State\""));
  /* Pretty-printed: one member a line. */
  g_assert_nonnull (strchr (raw, '\n'));
  gtk_expander_set_expanded (GTK_EXPANDER (details_child (details, "raw_expander")), TRUE);
  hatake_test_save_screenshot (GTK_WIDGET (window), "container-details-overview.png");

  /* The header's actions are this container's. */
  stop = find_actionable (details, "container.stop");
  g_assert_nonnull (stop);
  g_assert_true (gtk_widget_get_sensitive (stop));
  g_assert_false (gtk_widget_get_sensitive (find_actionable (details, "container.start")));
  g_assert_true (gtk_widget_get_sensitive (find_actionable (details, "container.pause")));

  /* Logs: the whole log so far, followed. */
  view_stack = ADW_VIEW_STACK (details_child (details, "view_stack"));
  adw_view_stack_set_visible_child_name (view_stack, "logs");
  log_view = HATAKE_LOG_VIEW (details_child (details, "log_view"));
  g_assert_true (hatake_test_wait_until (has_all_lines, log_view, 20));
  g_assert_cmpuint (hatake_log_view_get_n_lines (log_view), ==, N_LOG_LINES);
  hatake_test_save_screenshot (GTK_WIDGET (window), "container-details-logs.png");

  /* Stats: watched while shown, graphed as they come. */
  adw_view_stack_set_visible_child_name (view_stack, "stats");
  cpu_graph = HATAKE_STATS_GRAPH (details_child (details, "cpu_graph"));
  memory_graph = HATAKE_STATS_GRAPH (details_child (details, "memory_graph"));
  g_assert_true (hatake_test_wait_until (has_memory_usage, chatty, 10));
  g_assert_true (hatake_test_wait_until (graph_has_samples, memory_graph, 10));
  g_assert_true (hatake_test_wait_until (graph_has_samples, cpu_graph, 10));
  /* A few more samples, for a line rather than a dot in the picture. */
  hatake_test_wait_until (hatake_test_never, NULL, 3);
  g_assert_cmpuint (hatake_stats_graph_get_n_samples (memory_graph), >=, 1);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (details_child (details, "memory_label"))), !=, "—");
  /* the pings' 2 kB and more each way */
  g_test_message ("network: %s; disk: %s", gtk_label_get_label (GTK_LABEL (details_child (details, "network_label"))),
                  gtk_label_get_label (GTK_LABEL (details_child (details, "disk_label"))));
  g_assert_true (g_regex_match_simple ("^[0-9.]+.kB received · [0-9.]+.kB sent$",
                                       gtk_label_get_label (GTK_LABEL (details_child (details, "network_label"))), 0, 0));
  g_assert_true (g_regex_match_simple (" read · .* written$",
                                       gtk_label_get_label (GTK_LABEL (details_child (details, "disk_label"))), 0, 0));
  hatake_test_save_screenshot (GTK_WIDGET (window), "container-details.png");

  check_files (GTK_WIDGET (window), details, view_stack);

  /* Stop from the header: the state row follows (sh as PID 1 ignores SIGTERM: killed after
   * the stop timeout). */
  adw_view_stack_set_visible_child_name (view_stack, "overview");
  gtk_widget_activate (stop);
  g_assert_true (wait_for_state (chatty, HATAKE_CONTAINER_EXITED, 30));
  wanted = (RowWanted) { details, "state_row", "exited" };
  g_assert_true (hatake_test_wait_until (row_says, &wanted, 10));
  g_assert_cmpstr (row_text (details, "exit_code_row"), !=, "—");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (details_child (details, "state_label"))), ==, "Exited");
  g_assert_false (gtk_widget_get_sensitive (stop));
  g_assert_true (gtk_widget_get_sensitive (find_actionable (details, "container.start")));

  /* Back to the list: the details go, with their log and stats. */
  back = find_actionable (details, "containers.show-list");
  g_assert_nonnull (back);
  g_assert_true (gtk_widget_get_sensitive (back));
  g_assert_true (gtk_widget_get_mapped (back));
  gtk_widget_activate (back);
  /* A button's activation ends (clicks) after its short press animation. */
  g_assert_true (hatake_test_wait_until (is_list, page, 5));
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_details, 10));

  /* When the container goes, so do its details. */
  details = open_details (page, chatty);
  weak_details = details;
  g_object_add_weak_pointer (G_OBJECT (details), &weak_details);
  engine_op (engine, chatty, HATAKE_CONTAINER_OP_REMOVE, TRUE);
  none_left = (CountWanted) { containers, 0 };
  g_assert_true (hatake_test_wait_until (has_count, &none_left, 30));
  g_assert_true (hatake_test_wait_until (is_list, page, 10) || g_strcmp0 (visible_page (page), "empty") == 0);
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_details, 10));

  hatake_test_destroy_window (window, page, 10);

  g_clear_object (&chatty);
  g_clear_object (&image);
  hatake_test_settle_engine (engine);
  hatake_test_clear_finalized (&engine, 10);

  hatake_test_remove_tree (root);
}

/* The graph on its own: a ring of the last samples. */
static void
test_graph (void)
{
  GtkWidget *graph = g_object_ref_sink (hatake_stats_graph_new ());
  gpointer weak_graph = graph;

  g_object_add_weak_pointer (G_OBJECT (graph), &weak_graph);
  g_assert_cmpuint (hatake_stats_graph_get_n_samples (HATAKE_STATS_GRAPH (graph)), ==, 0);
  for (guint i = 0; i < HATAKE_STATS_GRAPH_SAMPLES + 10; i++)
    hatake_stats_graph_push (HATAKE_STATS_GRAPH (graph), i);
  g_assert_cmpuint (hatake_stats_graph_get_n_samples (HATAKE_STATS_GRAPH (graph)), ==, HATAKE_STATS_GRAPH_SAMPLES);
  g_object_unref (graph);
  g_assert_null (weak_graph);
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
      g_test_add_func ("/app/container-details/no-display", test_no_display);
      return g_test_run ();
    }

  gtk_test_init (&argc, &argv, NULL);
  /* Pages switch at once: the screenshots show one page, not a crossfade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/container-details/graph", test_graph);
  g_test_add_func ("/app/container-details/local-engine", test_local_engine);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
