/* test-disk-page.c: the disk usage page, opened for real under an X server against a local
 * engine: the figures of an image and a stopped container, and pruning through the page
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-disk-page"

#include "config.h"

#include <adwaita.h>
#include <unistd.h>

#include "app-test-utils.h"
#include "hatake-application.h"
#include "hatake-disk-page.h"
#include "hatake-test-utils.h"
#include "hatake-window.h"

static HatakeApplication *app;

/* docker's figures for a hand-made answer: two images sharing a layer (one in use, one
 * dangling), a running and a stopped container, a used and an unused volume. */
static void
test_summarize (void)
{
  const char *json =
    "{\"LayersSize\": 1000,"
    " \"Images\": ["
    "   {\"Id\": \"sha256:a\", \"RepoTags\": [\"a:1\"], \"Size\": 700, \"SharedSize\": 200, \"Containers\": 2},"
    "   {\"Id\": \"sha256:b\", \"RepoTags\": [\"<none>:<none>\"], \"Size\": 500, \"SharedSize\": 200, \"Containers\": 0},"
    "   {\"Id\": \"sha256:c\", \"RepoTags\": [\"c:1\"], \"Size\": 100, \"SharedSize\": -1, \"Containers\": -1}],"
    " \"Containers\": ["
    "   {\"Id\": \"1\", \"State\": \"running\", \"SizeRw\": 10},"
    "   {\"Id\": \"2\", \"State\": \"exited\", \"SizeRw\": 30}],"
    " \"Volumes\": ["
    "   {\"Name\": \"used\", \"UsageData\": {\"Size\": 50, \"RefCount\": 1}},"
    "   {\"Name\": \"free\", \"UsageData\": {\"Size\": 70, \"RefCount\": 0}},"
    "   {\"Name\": \"unknown\", \"UsageData\": {\"Size\": -1, \"RefCount\": -1}}],"
    " \"BuildCache\": []}";
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  HatakeDiskUsageSummary s;

  g_assert_nonnull (node);
  hatake_disk_usage_summarize (node, &s);
  g_assert_cmpuint (s.images.count, ==, 3);
  g_assert_cmpuint (s.images.active, ==, 1);
  g_assert_cmpint (s.images.size, ==, 1000);
  g_assert_cmpint (s.images.reclaimable, ==, 1000 - (700 - 200));
  g_assert_cmpuint (s.dangling_images, ==, 1);
  g_assert_cmpint (s.dangling_images_size, ==, 300);
  g_assert_cmpuint (s.containers.count, ==, 2);
  g_assert_cmpuint (s.containers.active, ==, 1);
  g_assert_cmpint (s.containers.size, ==, 40);
  g_assert_cmpint (s.containers.reclaimable, ==, 30);
  g_assert_cmpuint (s.volumes.count, ==, 3);
  g_assert_cmpuint (s.volumes.active, ==, 1);
  g_assert_cmpint (s.volumes.size, ==, 120);
  g_assert_cmpint (s.volumes.reclaimable, ==, 70);

  hatake_disk_usage_summarize (NULL, &s);
  g_assert_cmpuint (s.images.count, ==, 0);
  g_assert_cmpint (s.volumes.size, ==, 0);
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

static void
answer_dialog (AdwMessageDialog *dialog,
               const char       *response)
{
  gpointer weak_dialog = dialog;

  g_object_add_weak_pointer (G_OBJECT (dialog), &weak_dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, response));
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

typedef struct
{
  HatakeDiskPage *page;
  guint           images;
  guint           containers;
} CountsWanted;

static gboolean
has_counts (gpointer data)
{
  CountsWanted *wanted = data;
  const HatakeDiskUsageSummary *s = hatake_disk_page_get_summary (wanted->page);

  return s != NULL && s->images.count == wanted->images && s->containers.count == wanted->containers;
}

static gboolean
has_no_volumes (gpointer page)
{
  const HatakeDiskUsageSummary *s = hatake_disk_page_get_summary (page);

  return s != NULL && s->volumes.count == 0;
}

static const char *
row_subtitle (GtkWidget  *page,
              const char *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (gtk_widget_get_template_child (page, HATAKE_TYPE_DISK_PAGE, row)));
}

static HatakeContainer *
run_to_exit (HatakeEngine *engine,
             const char   *reference,
             const char   *name,
             const char   *volume)
{
  /* 64 KiB in its writable layer (what a prune of it frees) and 32 KiB in its volume */
  const char *cmd[] = { "sh", "-c",
                        "dd if=/dev/zero of=/junk bs=1024 count=64 2>/dev/null && "
                        "dd if=/dev/zero of=/data/junk bs=1024 count=32 2>/dev/null", NULL };
  const HatakeContainerOp ops[] = { HATAKE_CONTAINER_OP_START, HATAKE_CONTAINER_OP_WAIT };
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HatakeContainer *container;

  config->image = g_strdup (reference);
  config->name = g_strdup (name);
  config->cmd = g_strdupv ((char **) cmd);
  g_free (config->network_mode);
  config->network_mode = g_strdup ("none");
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_VOLUME, volume, "/data", FALSE);
  hatake_engine_create_container_async (engine, config, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  container = hatake_engine_create_container_finish (engine, result, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_autoptr(GAsyncResult) op_result = NULL;
      g_autoptr(JsonNode) node = NULL;
      HatakeContainerOpArgs args = { .timeout = -1 };

      hatake_engine_container_op_async (engine, name, ops[i], &args, NULL, hatake_test_store_result, &op_result);
      hatake_test_run_until_done ((gpointer *) &op_result);
      node = hatake_engine_container_op_finish (engine, op_result, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (hatake_container_get_state (container), ==, HATAKE_CONTAINER_EXITED);
  g_assert_cmpint (hatake_container_get_exit_code (container), ==, 0);
  return container;
}

static void
test_local_engine (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *name = g_strdup_printf ("hk-disk-%d", (int) getpid ());
  g_autofree char *volume = g_strdup_printf ("hk-disk-data-%d", (int) getpid ());
  g_autofree char *freed = NULL;
  g_autofree char *body = NULL;
  g_autofree char *image_size = NULL;
  const HatakeDiskUsageSummary *s;
  AdwMessageDialog *dialog;
  HatakeContainer *container;
  GtkListBox *sidebar;
  HatakeWindow *window;
  GtkWidget *page;
  gpointer weak_container;
  TextWanted toast;
  CountsWanted counts;
  gint64 images_reclaimable_before;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (engine, reference, NULL, NULL, &error);
  g_assert_no_error (error);
  container = run_to_exit (engine, reference, name, volume);
  weak_container = container;
  g_object_add_weak_pointer (G_OBJECT (container), &weak_container);
  /* the engine's model holds it until it is removed */
  g_object_unref (container);

  window = hatake_window_new (GTK_APPLICATION (app), engine);
  page = hatake_window_get_page (window, "disk");
  g_assert_true (HATAKE_IS_DISK_PAGE (page));
  sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "sidebar"));
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 5));  /* Disk Usage */
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (page));

  /* The figures: the image is in use, the stopped container's 64 KiB can go. */
  counts = (CountsWanted) { HATAKE_DISK_PAGE (page), 1, 1 };
  g_assert_true (hatake_test_wait_until (has_counts, &counts, 30));
  s = hatake_disk_page_get_summary (HATAKE_DISK_PAGE (page));
  g_assert_cmpint (s->images.size, >, 0);
  g_assert_cmpuint (s->images.active, ==, 1);
  g_assert_cmpint (s->images.reclaimable, <, s->images.size);
  g_assert_cmpuint (s->containers.active, ==, 0);
  g_assert_cmpint (s->containers.size, >=, 64 * 1024);
  g_assert_cmpint (s->containers.reclaimable, ==, s->containers.size);
  /* the stopped container still mounts its volume: in use */
  g_assert_cmpuint (s->volumes.count, ==, 1);
  g_assert_cmpuint (s->volumes.active, ==, 1);
  g_assert_cmpint (s->volumes.size, >=, 32 * 1024);
  g_assert_cmpint (s->volumes.reclaimable, ==, 0);
  images_reclaimable_before = s->images.reclaimable;
  freed = g_format_size (s->containers.reclaimable);
  image_size = g_format_size (s->images.size);
  g_assert_nonnull (strstr (row_subtitle (page, "containers_row"), "1 container, 0 running"));
  g_assert_nonnull (strstr (row_subtitle (page, "containers_row"), freed));
  g_assert_nonnull (strstr (row_subtitle (page, "images_row"), "1 image, 1 in use"));
  g_assert_nonnull (strstr (row_subtitle (page, "images_row"), image_size));
  gtk_test_widget_wait_for_draw (page);
  hatake_test_save_screenshot (GTK_WIDGET (window), "disk-page.png");

  /* Prune the containers: the question says what it frees; cancelling keeps it. */
  g_assert_true (gtk_widget_activate_action (page, "disk.prune-containers", NULL));
  dialog = wait_for_dialog ();
  body = g_strdup_printf ("1 stopped container will be deleted, freeing %s.", freed);
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, body);
  answer_dialog (dialog, "cancel");
  {
    g_autoptr(HatakeContainer) kept = hatake_engine_lookup_container (engine, name);

    g_assert_nonnull (kept);
  }

  g_assert_true (gtk_widget_activate_action (page, "disk.prune-containers", NULL));
  answer_dialog (wait_for_dialog (), "prune");
  counts = (CountsWanted) { HATAKE_DISK_PAGE (page), 1, 0 };
  g_assert_true (hatake_test_wait_until (has_counts, &counts, 30));
  g_assert_null (hatake_engine_lookup_container (engine, name));
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_container, 10));
  toast = (TextWanted) { page, "1 container deleted" };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 10));
  s = hatake_disk_page_get_summary (HATAKE_DISK_PAGE (page));
  g_assert_cmpint (s->containers.reclaimable, ==, 0);
  /* the image is no longer in use: all of it can go now */
  g_assert_cmpuint (s->images.active, ==, 0);
  g_assert_cmpint (s->images.reclaimable, ==, s->images.size);
  g_assert_cmpint (s->images.reclaimable, >, images_reclaimable_before);
  g_assert_nonnull (strstr (row_subtitle (page, "containers_row"), "0 containers, 0 running"));
  g_assert_cmpuint (s->volumes.active, ==, 0);
  g_assert_cmpint (s->volumes.reclaimable, ==, s->volumes.size);
  g_assert_nonnull (strstr (row_subtitle (page, "volumes_row"), "1 volume, 0 in use"));
  hatake_test_save_screenshot (GTK_WIDGET (window), "disk-page-pruned.png");

  /* Volumes: the one no container mounts now goes, with its data. */
  g_clear_pointer (&freed, g_free);
  freed = g_format_size (s->volumes.reclaimable);
  g_assert_true (gtk_widget_activate_action (page, "disk.prune-volumes", NULL));
  dialog = wait_for_dialog ();
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("1 volume that no container uses will be deleted with its data, freeing %s.", freed);
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, body);
  answer_dialog (dialog, "prune");
  g_assert_true (hatake_test_wait_until (has_no_volumes, page, 30));
  toast = (TextWanted) { page, "1 volume deleted" };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 10));

  /* Images: untagged ones only by default (none here); all unused when asked. */
  g_assert_true (gtk_widget_activate_action (page, "disk.prune-images", NULL));
  dialog = wait_for_dialog ();
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_body (dialog), "0 untagged images"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog)), TRUE);
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("1 image that no container uses will be deleted, freeing %s.", image_size);
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, body);
  answer_dialog (dialog, "prune");
  counts = (CountsWanted) { HATAKE_DISK_PAGE (page), 0, 0 };
  g_assert_true (hatake_test_wait_until (has_counts, &counts, 30));
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (engine)), ==, 0);
  toast = (TextWanted) { page, "1 image deleted" };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 10));

  hatake_test_destroy_window (window, page, 10);
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
      g_test_add_func ("/app/disk-page/summarize", test_summarize);
      g_test_add_func ("/app/disk-page/no-display", test_no_display);
      return g_test_run ();
    }

  gtk_test_init (&argc, &argv, NULL);
  /* Pages switch at once: the screenshots show one page, not a crossfade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/disk-page/summarize", test_summarize);
  g_test_add_func ("/app/disk-page/local-engine", test_local_engine);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
