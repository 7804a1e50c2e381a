/* test-compose-drop.c: compose projects dropped on the window (a real GdkFileList through the
 * drop target), opened from the command line's path (GApplication open), brought up on a real
 * local engine and shown, run and taken down on the Projects page
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-compose-drop"

#include "config.h"

#include <adwaita.h>
#include <unistd.h>

#include "app-test-utils.h"
#include "hatake-application.h"
#include "hatake-compose-dialog.h"
#include "hatake-compose-runner.h"
#include "hatake-log-view.h"
#include "hatake-projects-page.h"
#include "hatake-test-utils.h"
#include "hatake-window.h"
#include "hatake-window-compose.h"

static HatakeApplication *app;

/* ---- helpers ------------------------------------------------------------------------------- */

/* A folder holding FILE_NAME with CONTENTS; returns the folder. */
static char *
make_project (const char *file_name,
              const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("hatake-compose-drop-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, file_name, NULL);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return dir;
}

static HatakeWindow *
open_window (HatakeEngine *engine)
{
  HatakeWindow *window = hatake_window_new (GTK_APPLICATION (app), engine);

  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  return window;
}

static GObject *
window_child (HatakeWindow *window,
              const char   *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, name);
}

static GObject *
dialog_child (HatakeComposeDialog *dialog,
              const char          *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (dialog), HATAKE_TYPE_COMPOSE_DIALOG, name);
}

static GObject *
page_child (HatakeProjectsPage *page,
            const char         *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (page), HATAKE_TYPE_PROJECTS_PAGE, name);
}

static HatakeComposeDialog *
find_compose_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (HATAKE_IS_COMPOSE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return HATAKE_COMPOSE_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_is_shown (gpointer data)
{
  return find_compose_dialog () != NULL;
}

typedef struct
{
  HatakeComposeDialog      *dialog;
  HatakeComposeDialogState  state;
} StateWanted;

static gboolean
dialog_has_state (gpointer data)
{
  StateWanted *wanted = data;

  return hatake_compose_dialog_get_state (wanted->dialog) == wanted->state;
}

static gboolean
dialog_left_ready (gpointer data)
{
  return hatake_compose_dialog_get_state (data) != HATAKE_COMPOSE_DIALOG_READY;
}

static void
wait_for_state (HatakeComposeDialog      *dialog,
                HatakeComposeDialogState  state,
                guint                     timeout_s)
{
  StateWanted wanted = { dialog, state };

  hatake_test_wait_until (dialog_has_state, &wanted, timeout_s);
  g_assert_cmpint (hatake_compose_dialog_get_state (dialog), ==, state);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
}

/* The widget named NAME under WIDGET that is shown. */
static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_widget_get_name (child), name) == 0 && gtk_widget_get_mapped (child))
        return child;
      if ((found = find_named (child, name)) != NULL)
        return found;
    }
  return NULL;
}

/* The texts of the shown labels under WIDGET. */
static void
collect_labels (GtkWidget *widget,
                GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_mapped (child))
        continue;
      if (GTK_IS_LABEL (child))
        g_ptr_array_add (out, g_strdup (gtk_label_get_text (GTK_LABEL (child))));
      collect_labels (child, out);
    }
}

static guint
count_labels (GtkWidget  *widget,
              const char *text)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  guint n = 0;

  collect_labels (widget, labels);
  for (guint i = 0; i < labels->len; i++)
    if (g_str_equal (labels->pdata[i], text))
      n++;
  return n;
}

static gboolean
has_label_with (GtkWidget  *widget,
                const char *part)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  collect_labels (widget, labels);
  for (guint i = 0; i < labels->len; i++)
    if (strstr (labels->pdata[i], part) != NULL)
      return TRUE;
  return FALSE;
}

typedef struct
{
  HatakeEngine *engine;
  const char   *project;
  guint         n;
} RunningWanted;

/* The engine itself runs N containers of the project. */
static gboolean
engine_runs (gpointer data)
{
  RunningWanted *wanted = data;
  g_autoptr(GPtrArray) containers = hatake_compose_get_containers (wanted->engine, wanted->project, NULL, FALSE);
  guint running = 0;

  for (guint i = 0; i < containers->len; i++)
    if (hatake_container_get_state (g_ptr_array_index (containers, i)) == HATAKE_CONTAINER_RUNNING)
      running++;
  return containers->len == wanted->n && running == wanted->n;
}

typedef struct
{
  HatakeProjectsPage *page;
  const char         *project;
} PageWanted;

/* The page shows the project, both services, each "running(1)". */
static gboolean
page_shows_running (gpointer data)
{
  PageWanted *wanted = data;
  GtkWidget *services_view = GTK_WIDGET (page_child (wanted->page, "services_view"));
  HatakeProject *project = hatake_projects_page_get_selected (wanted->page);

  return project != NULL && g_str_equal (hatake_project_get_name (project), wanted->project) &&
         gtk_widget_get_mapped (services_view) &&
         count_labels (services_view, "web") == 1 && count_labels (services_view, "worker") == 1 &&
         count_labels (services_view, "running(1)") == 2 &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (page_child (wanted->page, "status_label"))), "running(2)") == 0;
}

static gboolean
shows_one_service (gpointer data)
{
  return count_labels (data, "web") == 1 && count_labels (data, "worker") == 0 && count_labels (data, "running(1)") == 1;
}

static gboolean
page_is_empty (gpointer data)
{
  HatakeProjectsPage *page = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (page_child (page, "stack"))), "empty") == 0;
}

typedef struct
{
  HatakeLogView *view;
  const char    *text;     /* wanted in the log as saved */
  const char    *absent;   /* NULL, or not wanted */
} LogWanted;

static char *
saved_log (HatakeLogView *view)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hatake-compose-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "log.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  char *contents = NULL;

  g_assert_no_error (error);
  hatake_log_view_save_async (view, file, NULL, hatake_test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (hatake_log_view_save_finish (view, result, &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  hatake_test_remove_tree (dir);
  return contents;
}

static gboolean
log_shows (gpointer data)
{
  LogWanted *wanted = data;
  g_autofree char *text = NULL;

  if (hatake_log_view_get_n_lines (wanted->view) == 0)
    return FALSE;
  text = saved_log (wanted->view);
  return strstr (text, wanted->text) != NULL && (wanted->absent == NULL || strstr (text, wanted->absent) == NULL);
}

static void
close_and_check (HatakeWindow  *window,
                 HatakeEngine **engine,
                 const char    *root)
{
  hatake_test_destroy_window (window, NULL, 10);
  hatake_test_clear_finalized (engine, 30);
  hatake_test_remove_tree (root);
}

/* A drop as GTK delivers one: GtkDropTarget::drop with a GValue holding a GdkFileList. */
static HatakeComposeDialog *
drop_file (HatakeWindow *window,
           const char   *path)
{
  GtkDropTarget *target = hatake_window_get_compose_drop_target (window);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  g_assert_true (GTK_IS_DROP_TARGET (target));
  g_assert_true (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target)) == GTK_WIDGET (window));
  g_assert_cmpuint (gtk_drop_target_get_gtypes (target, NULL)[0], ==, GDK_TYPE_FILE_LIST);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (&file, 1));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);

  g_assert_true (hatake_test_wait_until (dialog_is_shown, NULL, 10));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (find_compose_dialog ())) == GTK_WINDOW (window));
  return find_compose_dialog ();
}

static char *
two_services (const char *project,
              const char *image)
{
  return g_strdup_printf ("name: %s\n"
                          "services:\n"
                          "  web:\n"
                          "    image: %s\n"
                          "    command: [\"sh\", \"-c\", \"echo hello from web; exec sleep 600\"]\n"
                          "    stop_signal: SIGKILL\n"
                          "    network_mode: none\n"
                          "    healthcheck: {test: [\"CMD-SHELL\", \"true\"], interval: 200ms}\n"
                          "  worker:\n"
                          "    image: %s\n"
                          "    command: [\"sh\", \"-c\", \"echo hello from worker; exec sleep 600\"]\n"
                          "    stop_signal: SIGKILL\n"
                          "    network_mode: none\n",
                          project, image, image);
}

/* ---- tests --------------------------------------------------------------------------------- */

/* Dropped, previewed, started with Return (the default), shown running on the Projects page
 * with its merged logs, filtered by service, then taken down from the page. */
static void
test_drop_up_down (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  g_autofree char *root = NULL;
  g_autofree char *image = NULL;
  g_autofree char *project = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  HatakeComposeDialog *dialog;
  HatakeProjectsPage *page;
  HatakeLogView *log_view;
  HatakeWindow *window;
  GtkWidget *start_button;
  RunningWanted running;
  PageWanted shown;
  LogWanted log;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  project = g_strdup_printf ("drop%d", (int) getpid ());
  contents = two_services (project, image);
  dir = make_project ("compose.yaml", contents);
  path = g_build_filename (dir, "compose.yaml", NULL);
  window = open_window (engine);
  page = HATAKE_PROJECTS_PAGE (hatake_window_get_page (window, "projects"));

  g_assert_null (hatake_engine_lookup_image (engine, image));
  dialog = drop_file (window, path);
  wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_READY, 30);
  g_assert_cmpstr (hatake_compose_project_get_name (hatake_compose_dialog_get_project (dialog)), ==, project);
  /* the preview: a row per service, with its image */
  g_assert_nonnull (find_named (GTK_WIDGET (dialog_child (dialog, "services_group")), "web"));
  g_assert_nonnull (find_named (GTK_WIDGET (dialog_child (dialog, "services_group")), "worker"));
  {
    g_autofree char *summary = g_strdup_printf ("image %s", image);

    g_assert_true (has_label_with (GTK_WIDGET (dialog_child (dialog, "services_group")), summary));
  }
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (dialog_child (dialog, "name_row"))), ==, project);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog_child (dialog, "error_label"))));
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "compose-drop-preview.png");

  /* Return starts it: Start is the default widget, and the default action is what Return runs. */
  start_button = GTK_WIDGET (dialog_child (dialog, "start_button"));
  g_assert_true (gtk_widget_get_sensitive (start_button));
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (dialog)) == start_button);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == start_button);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "default.activate", NULL));
  /* (a button activated looks pressed for a moment before it clicks) */
  g_assert_true (hatake_test_wait_until (dialog_left_ready, dialog, 10));
  g_assert_cmpint (hatake_compose_dialog_get_state (dialog), ==, HATAKE_COMPOSE_DIALOG_STARTING);
  g_assert_false (gtk_widget_get_sensitive (start_button));
  wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_DONE, 180);
  /* up waits for health: web has a healthcheck, worker runs once started */
  g_assert_cmpstr (hatake_compose_dialog_get_service_status (dialog, "web"), ==, "Healthy");
  g_assert_cmpstr (hatake_compose_dialog_get_service_status (dialog, "worker"), ==, "Started");
  g_assert_true (has_label_with (GTK_WIDGET (find_named (GTK_WIDGET (dialog_child (dialog, "services_group")), "web")),
                                 "Healthy"));
  g_assert_true (has_label_with (GTK_WIDGET (dialog), "is up"));
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "compose-drop-started.png");

  /* the image was not there: the runner pulled it */
  {
    g_autoptr(HatakeImage) pulled = hatake_engine_lookup_image (engine, image);

    g_assert_nonnull (pulled);
  }

  /* really running on the engine */
  running = (RunningWanted) { engine, project, 2 };
  g_assert_true (hatake_test_wait_until (engine_runs, &running, 30));

  /* the window went to the Projects page, on the project */
  hatake_test_destroy_window (dialog, NULL, 10);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (window_child (window, "content_stack"))), ==,
                   "projects");
  shown = (PageWanted) { page, project };
  g_assert_true (hatake_test_wait_until (page_shows_running, &shown, 30));

  /* the merged logs, each line prefixed with its container; then one service's alone */
  log_view = HATAKE_LOG_VIEW (page_child (page, "log_view"));
  log = (LogWanted) { log_view, "web-1 | hello from web", NULL };
  g_assert_true (hatake_test_wait_until (log_shows, &log, 30));
  log = (LogWanted) { log_view, "worker-1 | hello from worker", NULL };
  g_assert_true (hatake_test_wait_until (log_shows, &log, 30));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  hatake_test_save_screenshot (GTK_WIDGET (window), "compose-drop-projects-page.png");
  {
    GtkDropDown *filter = GTK_DROP_DOWN (page_child (page, "service_filter"));
    GListModel *names = gtk_drop_down_get_model (filter);

    g_assert_cmpuint (g_list_model_get_n_items (names), ==, 3);
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (names), 2), ==, "worker");
    gtk_drop_down_set_selected (filter, 2);
    log = (LogWanted) { log_view, "worker-1 | hello from worker", "hello from web" };
    g_assert_true (hatake_test_wait_until (log_shows, &log, 30));
    gtk_drop_down_set_selected (filter, 0);
  }

  /* one service's down from its row's button: its container goes, the other runs on */
  {
    GtkWidget *services_view = GTK_WIDGET (page_child (page, "services_view"));
    GtkWidget *down = find_named (services_view, "down");

    g_assert_nonnull (down);
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (down)), ==, "projects.service-down");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "projects.service-down", "s", "worker"));
    running = (RunningWanted) { engine, project, 1 };
    g_assert_true (hatake_test_wait_until (engine_runs, &running, 60));
    containers = hatake_compose_get_containers (engine, project, "web", FALSE);
    g_assert_cmpuint (containers->len, ==, 1);
    g_clear_pointer (&containers, g_ptr_array_unref);
    g_assert_true (hatake_test_wait_until (shows_one_service, services_view, 10));
  }

  /* down from the page's action: the containers go, and the page is empty */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "projects.down", NULL));
  running = (RunningWanted) { engine, project, 0 };
  g_assert_true (hatake_test_wait_until (engine_runs, &running, 60));
  containers = hatake_compose_get_containers (engine, project, NULL, TRUE);
  g_assert_cmpuint (containers->len, ==, 0);
  g_assert_true (hatake_test_wait_until (page_is_empty, page, 10));

  close_and_check (window, &engine, root);
  hatake_test_remove_tree (dir);
}

static gboolean
service_says (gpointer data)
{
  const char **wanted = data;   /* dialog, service, status */

  return g_strcmp0 (hatake_compose_dialog_get_service_status ((HatakeComposeDialog *) wanted[0], wanted[1]),
                    wanted[2]) == 0;
}

/* The names of the engine's networks */
static GHashTable *
network_names (HatakeEngine *engine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeNetworkOpArgs args = { 0 };
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *array;

  hatake_engine_network_op_async (engine, HATAKE_NETWORK_OP_LIST, &args, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_network_op_finish (engine, result, &error);
  g_assert_no_error (error);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_hash_table_add (names, g_strdup (json_object_get_string_member (json_array_get_object_element (array, i), "Name")));
  return names;
}

/* Cancel while a start waits for a service's health (it gets healthy only after a minute): the
 * dialog says it was cancelled, and a project that had nothing before is left with nothing: no
 * container, running or not, and no network of its own. */
static void
test_drop_cancel (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  g_autoptr(GHashTable) networks = NULL;
  g_autofree char *root = NULL, *image = NULL, *project = NULL, *contents = NULL, *dir = NULL, *path = NULL;
  g_autofree char *default_network = NULL;
  const char *slow_started[3], *quick_started[3];
  HatakeComposeDialog *dialog;
  HatakeWindow *window;
  GtkWidget *cancel_button;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  project = g_strdup_printf ("cancel%d", (int) getpid ());
  contents = g_strdup_printf ("name: %s\n"
                              "services:\n"
                              "  slow:\n"
                              "    image: %s\n"
                              "    command: [\"sh\", \"-c\", \"sleep 60; touch /tmp/ready; exec sleep 600\"]\n"
                              "    stop_signal: SIGKILL\n"
                              "    healthcheck: {test: [\"CMD-SHELL\", \"test -f /tmp/ready\"], interval: 200ms, retries: 1000}\n"
                              "  quick:\n"
                              "    image: %s\n"
                              "    command: [\"sleep\", \"600\"]\n"
                              "    stop_signal: SIGKILL\n",
                              project, image, image);
  dir = make_project ("compose.yaml", contents);
  path = g_build_filename (dir, "compose.yaml", NULL);
  default_network = g_strconcat (project, "_default", NULL);
  window = open_window (engine);

  dialog = drop_file (window, path);
  wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_READY, 30);
  hatake_compose_dialog_start (dialog);
  g_assert_cmpint (hatake_compose_dialog_get_state (dialog), ==, HATAKE_COMPOSE_DIALOG_STARTING);

  /* both started, and the start waits on slow's health: its row still works */
  slow_started[0] = quick_started[0] = (const char *) dialog;
  slow_started[1] = "slow";
  quick_started[1] = "quick";
  slow_started[2] = quick_started[2] = "Started";
  g_assert_true (hatake_test_wait_until (service_says, slow_started, 120));
  g_assert_true (hatake_test_wait_until (service_says, quick_started, 30));
  g_assert_true (gtk_widget_get_visible (find_named (GTK_WIDGET (dialog_child (dialog, "services_group")), "slow")));
  g_assert_false (hatake_test_wait_until (hatake_test_never, NULL, 1));
  g_assert_cmpint (hatake_compose_dialog_get_state (dialog), ==, HATAKE_COMPOSE_DIALOG_STARTING);
  {
    RunningWanted running = { engine, project, 2 };

    g_assert_true (engine_runs (&running));
  }
  networks = network_names (engine);
  g_assert_true (g_hash_table_contains (networks, default_network));
  g_clear_pointer (&networks, g_hash_table_unref);
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "compose-cancel-waiting.png");

  /* the Cancel button, while starting, cancels */
  cancel_button = GTK_WIDGET (dialog_child (dialog, "cancel_button"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (cancel_button)), ==, "_Cancel");
  gtk_widget_activate (cancel_button);
  wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_CANCELLED, 60);
  g_assert_true (has_label_with (GTK_WIDGET (dialog), "Cancelled: nothing of the project was left"));
  g_assert_cmpstr (hatake_compose_dialog_get_service_status (dialog, "slow"), ==, "Removed");
  g_assert_cmpstr (hatake_compose_dialog_get_service_status (dialog, "quick"), ==, "Removed");
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "compose-cancel-done.png");

  /* what the start made is gone */
  containers = hatake_compose_get_containers (engine, project, NULL, TRUE);
  g_assert_cmpuint (containers->len, ==, 0);
  networks = network_names (engine);
  g_assert_false (g_hash_table_contains (networks, default_network));
  /* and it may be started again */
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (dialog_child (dialog, "start_button"))));

  hatake_test_destroy_window (dialog, NULL, 10);
  close_and_check (window, &engine, root);
  hatake_test_remove_tree (dir);
}

/* Two compose files dropped at once: one project, the second merged over the first (as compose
 * -f A -f B): its command wins, its service is added; the preview names both files. */
static void
test_drop_several (void)
{
  g_autoptr(GFile) base = NULL, override = NULL;
  g_autofree char *dir = NULL, *base_path = NULL, *override_path = NULL, *both = NULL;
  g_autoptr(GError) error = NULL;
  GtkDropTarget *target;
  GFile *files[2];
  HatakeComposeProject *project;
  HatakeComposeService *web;
  HatakeComposeDialog *dialog;
  HatakeWindow *window;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  dir = make_project ("compose.yaml", "name: merged\n"
                                      "services:\n"
                                      "  web:\n"
                                      "    image: busybox\n"
                                      "    command: [\"sleep\", \"1\"]\n");
  base_path = g_build_filename (dir, "compose.yaml", NULL);
  override_path = g_build_filename (dir, "override.yaml", NULL);
  g_file_set_contents (override_path, "services:\n"
                                      "  web:\n"
                                      "    command: [\"sleep\", \"2\"]\n"
                                      "  extra:\n"
                                      "    image: busybox\n", -1, &error);
  g_assert_no_error (error);
  window = open_window (NULL);

  base = g_file_new_for_path (base_path);
  override = g_file_new_for_path (override_path);
  files[0] = base;
  files[1] = override;
  target = hatake_window_get_compose_drop_target (window);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (files, 2));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  g_assert_true (hatake_test_wait_until (dialog_is_shown, NULL, 10));
  dialog = find_compose_dialog ();

  wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_READY, 30);
  project = hatake_compose_dialog_get_project (dialog);
  g_assert_cmpstr (hatake_compose_project_get_name (project), ==, "merged");
  web = hatake_compose_project_get_service (project, "web");
  g_assert_nonnull (web);
  g_assert_cmpstr (web->command[1], ==, "2");
  g_assert_nonnull (hatake_compose_project_get_service (project, "extra"));
  g_assert_nonnull (find_named (GTK_WIDGET (dialog_child (dialog, "services_group")), "extra"));
  both = g_strconcat (base_path, "\n", override_path, NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (dialog_child (dialog, "file_row"))), ==, both);
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "compose-drop-several.png");

  hatake_test_destroy_window (dialog, NULL, 10);
  hatake_test_destroy_window (window, NULL, 10);
  hatake_test_remove_tree (dir);
}

/* A YAML error: the dialog says where (FILE:LINE:COLUMN), and there is nothing to start. */
static void
test_drop_error (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autofree char *root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  HatakeComposeDialog *dialog;
  HatakeWindow *window;
  GtkLabel *error_label;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  /* line 4, column 19: the second ':' */
  dir = make_project ("compose.yaml", "services:\n"
                                      "  web:\n"
                                      "    image: busybox\n"
                                      "    command: sleep: 600\n");
  path = g_build_filename (dir, "compose.yaml", NULL);
  window = open_window (engine);

  dialog = drop_file (window, path);
  wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_INVALID, 30);
  error_label = GTK_LABEL (dialog_child (dialog, "error_label"));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (error_label), "compose.yaml:4:19: "));
  g_assert_cmpstr (gtk_label_get_text (error_label), ==, hatake_compose_dialog_get_error (dialog));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dialog_child (dialog, "start_button"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog_child (dialog, "services_group"))));
  g_assert_null (hatake_compose_dialog_get_project (dialog));
  /* Return now closes the dialog instead */
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (dialog)) ==
                 GTK_WIDGET (dialog_child (dialog, "cancel_button")));
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "compose-drop-error.png");

  hatake_test_destroy_window (dialog, NULL, 10);
  close_and_check (window, &engine, root);
  hatake_test_remove_tree (dir);
}

/* A folder: its compose.yaml, which compose prefers to docker-compose.yml. */
static void
test_drop_folder (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  GdkFileList *files;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *other = NULL;
  g_autofree char *expected = NULL;
  HatakeComposeDialog *dialog;
  HatakeWindow *window;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  dir = make_project ("compose.yaml", "name: chosen\nservices:\n  app:\n    image: busybox\n    ports: [\"8080:80\"]\n");
  other = g_build_filename (dir, "docker-compose.yml", NULL);
  g_assert_true (g_file_set_contents (other, "name: passed-over\nservices:\n  app:\n    image: busybox\n", -1, NULL));
  window = open_window (engine);

  /* the drop target's handler, with the list a drop carries */
  folder = g_file_new_for_path (dir);
  files = gdk_file_list_new_from_array (&folder, 1);
  dialog = HATAKE_COMPOSE_DIALOG (hatake_window_drop_compose_files (window, files));
  g_boxed_free (GDK_TYPE_FILE_LIST, files);
  g_assert_nonnull (dialog);
  wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_READY, 30);
  g_assert_cmpstr (hatake_compose_project_get_name (hatake_compose_dialog_get_project (dialog)), ==, "chosen");
  expected = g_build_filename (dir, "compose.yaml", NULL);
  g_assert_cmpstr (hatake_compose_project_get_files (hatake_compose_dialog_get_project (dialog))[0], ==, expected);
  g_assert_true (has_label_with (GTK_WIDGET (dialog_child (dialog, "services_group")), "ports 8080:80/tcp"));
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "compose-drop-folder.png");
  hatake_test_destroy_window (dialog, NULL, 10);

  /* a folder with none says so */
  {
    g_autofree char *empty = g_dir_make_tmp ("hatake-compose-empty-XXXXXX", NULL);
    g_autoptr(GFile) empty_file = g_file_new_for_path (empty);

    dialog = HATAKE_COMPOSE_DIALOG (hatake_window_open_compose_file (window, empty_file));
    wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_INVALID, 30);
    g_assert_nonnull (strstr (hatake_compose_dialog_get_error (dialog), "holds no compose file"));
    hatake_test_destroy_window (dialog, NULL, 10);
    hatake_test_remove_tree (empty);
  }

  close_and_check (window, &engine, root);
  hatake_test_remove_tree (dir);
}

/* `hatake-desktop path/to/compose.yaml`: GApplication open shows the same preview on the window. */
static void
test_application_open (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  HatakeComposeDialog *dialog;
  HatakeWindow *window;

  g_assert_true (g_application_get_flags (G_APPLICATION (app)) & G_APPLICATION_HANDLES_OPEN);

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  dir = make_project ("compose.yaml", "name: opened\nservices:\n  db:\n    image: busybox\n    volumes: [\"data:/data\"]\n"
                                      "volumes:\n  data: {}\n");
  path = g_build_filename (dir, "compose.yaml", NULL);
  window = open_window (engine);

  file = g_file_new_for_path (path);
  g_application_open (G_APPLICATION (app), &file, 1, "");
  g_assert_true (hatake_test_wait_until (dialog_is_shown, NULL, 10));
  dialog = find_compose_dialog ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (hatake_compose_dialog_get_state (dialog) == HATAKE_COMPOSE_DIALOG_LOADING ||
                 hatake_compose_dialog_get_state (dialog) == HATAKE_COMPOSE_DIALOG_READY);
  wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_READY, 30);
  g_assert_cmpstr (hatake_compose_project_get_name (hatake_compose_dialog_get_project (dialog)), ==, "opened");
  g_assert_true (has_label_with (GTK_WIDGET (dialog_child (dialog, "services_group")), "volumes data:/data"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog_child (dialog, "volumes_group"))));
  g_assert_true (has_label_with (GTK_WIDGET (dialog_child (dialog, "volumes_group")), "opened_data"));
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "compose-open.png");

  /* Cancel (not starting) closes it */
  {
    gpointer weak = dialog;

    g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
    gtk_widget_activate (GTK_WIDGET (dialog_child (dialog, "cancel_button")));
    g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak, 10));
  }

  close_and_check (window, &engine, root);
  hatake_test_remove_tree (dir);
}

/* `hatake-desktop compose.yaml` as root, the app's own engine still opening (it opens after the
 * window's first frame): the preview waits for that engine, then shows on it. */
static void
test_open_while_engine_opens (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GObject) dialog_engine = NULL;
  g_autofree char *root = NULL, *dir = NULL, *path = NULL;
  HatakeApplication *own_app;
  HatakeComposeDialog *dialog;
  GtkWindow *window;
  gpointer weak_window;

  /* (the application hosts the engine only as root) */
  if (!hatake_test_require_root ())
    return;
  root = hatake_test_make_data_root ();
  dir = make_project ("compose.yaml", "name: early\nservices:\n  web:\n    image: busybox\n");
  path = g_build_filename (dir, "compose.yaml", NULL);
  own_app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (own_app),
                           g_application_get_flags (G_APPLICATION (own_app)) | G_APPLICATION_NON_UNIQUE);
  hatake_application_set_data_root (own_app, root);
  g_application_register (G_APPLICATION (own_app), NULL, &error);
  g_assert_no_error (error);

  file = g_file_new_for_path (path);
  g_application_open (G_APPLICATION (own_app), &file, 1, "");
  window = gtk_application_get_active_window (GTK_APPLICATION (own_app));
  g_assert_true (HATAKE_IS_WINDOW (window));
  g_assert_null (hatake_window_get_engine (HATAKE_WINDOW (window)));
  g_assert_null (find_compose_dialog ());

  g_assert_true (hatake_test_wait_until (dialog_is_shown, NULL, 10));
  dialog = find_compose_dialog ();
  g_assert_nonnull (hatake_window_get_engine (HATAKE_WINDOW (window)));
  g_object_get (dialog, "engine", &dialog_engine, NULL);
  g_assert_true (dialog_engine == G_OBJECT (hatake_window_get_engine (HATAKE_WINDOW (window))));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == window);
  wait_for_state (dialog, HATAKE_COMPOSE_DIALOG_READY, 30);
  g_assert_cmpstr (hatake_compose_project_get_name (hatake_compose_dialog_get_project (dialog)), ==, "early");
  g_clear_object (&dialog_engine);

  weak_window = window;
  g_object_add_weak_pointer (G_OBJECT (window), &weak_window);
  g_action_group_activate_action (G_ACTION_GROUP (own_app), "quit", NULL);
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_window, 10));
  g_object_unref (own_app);
  hatake_test_remove_tree (root);
  hatake_test_remove_tree (dir);
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
      g_test_add_func ("/app/compose-drop/no-display", test_no_display);
      return g_test_run ();
    }

  gtk_test_init (&argc, &argv, NULL);
  /* Pages switch at once: the screenshots show one page, not a crossfade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/compose-drop/up-and-down", test_drop_up_down);
  g_test_add_func ("/app/compose-drop/cancel", test_drop_cancel);
  g_test_add_func ("/app/compose-drop/error", test_drop_error);
  g_test_add_func ("/app/compose-drop/several", test_drop_several);
  g_test_add_func ("/app/compose-drop/folder", test_drop_folder);
  g_test_add_func ("/app/compose-drop/application-open", test_application_open);
  g_test_add_func ("/app/compose-drop/open-while-engine-opens", test_open_while_engine_opens);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
