/* test-window.c: hatake-desktop's window, opened for real under an X server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <unistd.h>

#include "app-test-utils.h"
#include "hatake-application.h"
#include "hatake-containers-page.h"
#include "hatake-disk-page.h"
#include "hatake-engine.h"
#include "hatake-images-page.h"
#include "hatake-local-engine.h"
#include "hatake-networks-page.h"
#include "hatake-projects-page.h"
#include "hatake-volumes-page.h"
#include "hatake-window.h"

/* A stand-in engine whose image and container models the test fills itself: the window must not
 * care which implementation it shows. */
#define TEST_TYPE_ENGINE (test_engine_get_type ())
G_DECLARE_FINAL_TYPE (TestEngine, test_engine, TEST, ENGINE, GObject)

struct _TestEngine
{
  GObject     parent_instance;
  GListStore *images;
  GListStore *containers;
};

static void test_engine_iface_init (HatakeEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestEngine, test_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HATAKE_TYPE_ENGINE, test_engine_iface_init))

static GListModel *
test_engine_get_images (HatakeEngine *engine)
{
  return G_LIST_MODEL (TEST_ENGINE (engine)->images);
}

static GListModel *
test_engine_get_containers (HatakeEngine *engine)
{
  return G_LIST_MODEL (TEST_ENGINE (engine)->containers);
}

static const char *
test_engine_get_description (HatakeEngine *engine)
{
  return "test engine";
}

static void
test_engine_iface_init (HatakeEngineInterface *iface)
{
  iface->get_images = test_engine_get_images;
  iface->get_containers = test_engine_get_containers;
  iface->get_description = test_engine_get_description;
}

static void
test_engine_finalize (GObject *object)
{
  g_clear_object (&TEST_ENGINE (object)->images);
  g_clear_object (&TEST_ENGINE (object)->containers);
  G_OBJECT_CLASS (test_engine_parent_class)->finalize (object);
}

static void
test_engine_class_init (TestEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_engine_finalize;
}

static void
test_engine_init (TestEngine *self)
{
  self->images = g_list_store_new (HATAKE_TYPE_IMAGE);
  self->containers = g_list_store_new (HATAKE_TYPE_CONTAINER);
}

static HatakeApplication *app;

static HatakeImage *
make_image (const char         *id,
            const char * const *tags,
            gint64              size,
            gint64              created)
{
  HatakeImage *image = hatake_image_new (id);

  hatake_image_set_repo_tags (image, tags);
  hatake_image_set_size (image, size);
  hatake_image_set_created (image, created);
  return image;
}

/* DATA: a weak pointer to a window; a destroyed one counts as hidden (and the caller checks). */
static gboolean
window_is_hidden (gpointer data)
{
  GtkWidget *window = *(gpointer *) data;

  return window == NULL || !gtk_widget_get_visible (window);
}

static const char *
visible_page (GtkWidget *images_page)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (images_page,
                                                              HATAKE_TYPE_IMAGES_PAGE,
                                                              "stack"));
  return gtk_stack_get_visible_child_name (stack);
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

static void
collect_cell_labels (GtkWidget *widget,
                     GtkWidget *column_view,
                     GPtrArray *texts)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_get_visible (child) && has_cell_ancestor (child, column_view))
        g_ptr_array_add (texts, g_strdup (gtk_label_get_label (GTK_LABEL (child))));
      collect_cell_labels (child, column_view, texts);
    }
}

/* The texts the column view shows, row after row, left to right. */
static GPtrArray *
cell_texts (GtkWidget *images_page)
{
  GtkWidget *column_view = GTK_WIDGET (gtk_widget_get_template_child (images_page,
                                                                      HATAKE_TYPE_IMAGES_PAGE,
                                                                      "column_view"));
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  collect_cell_labels (column_view, column_view, texts);
  return texts;
}

static void
test_format (void)
{
  const char *one[] = { "busybox:latest", NULL };
  const char *two[] = { "busybox:latest", "busybox:1.36", NULL };
  const char *mixed[] = { "localhost:5000/hatake/busybox:latest", "alpine:3", NULL };
  const char *none[] = { NULL };
  const char *port_only[] = { "localhost:5000/hatake/busybox", NULL };
  g_autofree char *s = NULL;
  gint64 now = 1700000000;

#define CHECK(expr, expected) G_STMT_START { g_free (s); s = (expr); g_assert_cmpstr (s, ==, expected); } G_STMT_END
  CHECK (hatake_images_format_repository (one), "busybox");
  CHECK (hatake_images_format_tag (one), "latest");
  CHECK (hatake_images_format_repository (two), "busybox");
  CHECK (hatake_images_format_tag (two), "latest, 1.36");
  CHECK (hatake_images_format_repository (mixed), "localhost:5000/hatake/busybox, alpine");
  CHECK (hatake_images_format_tag (mixed), "latest, 3");
  CHECK (hatake_images_format_repository (none), "<none>");
  CHECK (hatake_images_format_tag (none), "<none>");
  CHECK (hatake_images_format_repository (NULL), "<none>");
  CHECK (hatake_images_format_repository (port_only), "localhost:5000/hatake/busybox");
  CHECK (hatake_images_format_tag (port_only), "<none>");

  CHECK (hatake_images_format_created (now - 5, now), "Just now");
  CHECK (hatake_images_format_created (now + 500, now), "Just now");
  CHECK (hatake_images_format_created (now - 60, now), "1 minute ago");
  CHECK (hatake_images_format_created (now - 2 * 3600, now), "2 hours ago");
  CHECK (hatake_images_format_created (now - 3 * 86400, now), "3 days ago");
  CHECK (hatake_images_format_created (now - 65 * 86400, now), "2 months ago");
  CHECK (hatake_images_format_created (now - 800 * 86400, now), "2 years ago");
  CHECK (hatake_images_format_created (0, now), "Unknown");
#undef CHECK
}

static gboolean
window_is_drawn_with_rows (gpointer data)
{
  GtkWidget *page = data;
  g_autoptr(GPtrArray) texts = cell_texts (page);

  return texts->len > 0;
}

static void
test_window_fake_engine (void)
{
  g_autoptr(TestEngine) engine = g_object_new (TEST_TYPE_ENGINE, NULL);
  const char *old_tags[] = { "example.com/old:1", NULL };
  const char *new_tags[] = { "busybox:latest", "busybox:stable", NULL };
  g_autoptr(HatakeImage) old_image = make_image ("sha256:1111111111111111aaaa", old_tags, 1000,
                                                 g_get_real_time () / G_USEC_PER_SEC - 3 * 86400);
  g_autoptr(HatakeImage) new_image = make_image ("sha256:2222222222222222bbbb", new_tags, 4404019,
                                                 g_get_real_time () / G_USEC_PER_SEC - 7200);
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *old_size = g_format_size (1000);
  g_autofree char *new_size = g_format_size (4404019);
  g_autofree char *old_id = hatake_image_dup_short_id (old_image);
  g_autofree char *new_id = hatake_image_dup_short_id (new_image);
  HatakeWindow *window;
  GtkWidget *page;
  gpointer weak_window, weak_page, weak_engine;

  window = hatake_window_new (GTK_APPLICATION (app), HATAKE_ENGINE (engine));
  page = hatake_window_get_page (window, "images");
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_cmpstr (visible_page (page), ==, "empty");

  /* Items arrive: the list replaces the empty state, newest first. */
  g_list_store_append (engine->images, old_image);
  g_list_store_append (engine->images, new_image);
  g_assert_cmpstr (visible_page (page), ==, "list");
  g_assert_true (hatake_test_wait_until (window_is_drawn_with_rows, page, 10));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  texts = cell_texts (page);
  g_assert_cmpuint (texts->len, ==, 10);
  g_assert_cmpstr (texts->pdata[0], ==, "busybox");
  g_assert_cmpstr (texts->pdata[1], ==, "latest, stable");
  g_assert_cmpstr (texts->pdata[2], ==, new_id);
  g_assert_cmpstr (texts->pdata[3], ==, "2 hours ago");
  g_assert_cmpstr (texts->pdata[4], ==, new_size);
  g_assert_cmpstr (texts->pdata[5], ==, "example.com/old");
  g_assert_cmpstr (texts->pdata[6], ==, "1");
  g_assert_cmpstr (texts->pdata[7], ==, old_id);
  g_assert_cmpstr (texts->pdata[8], ==, "3 days ago");
  g_assert_cmpstr (texts->pdata[9], ==, old_size);
  g_clear_pointer (&texts, g_ptr_array_unref);

  /* A property change shows without any refresh. */
  hatake_image_set_repo_tags (old_image, NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  texts = cell_texts (page);
  g_assert_cmpstr (texts->pdata[5], ==, "<none>");
  g_assert_cmpstr (texts->pdata[6], ==, "<none>");
  g_clear_pointer (&texts, g_ptr_array_unref);

  g_list_store_remove_all (engine->images);
  g_assert_cmpstr (visible_page (page), ==, "empty");

  weak_window = window;
  weak_page = page;
  weak_engine = engine;
  g_object_add_weak_pointer (G_OBJECT (window), &weak_window);
  g_object_add_weak_pointer (G_OBJECT (page), &weak_page);
  g_object_add_weak_pointer (G_OBJECT (engine), &weak_engine);

  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_window, 10));
  g_assert_null (weak_page);

  g_clear_object (&engine);
  g_assert_null (weak_engine);
}

static guint
count_widgets (GtkWidget *widget,
               GType      type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (widget, type) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_widgets (child, type);
  return n;
}

static gboolean
shows_label (gpointer data)
{
  GtkWidget *widget = ((gpointer *) data)[0];
  const char *text = ((gpointer *) data)[1];

  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gpointer child_data[2] = { child, (gpointer) text };

      if (shows_label (child_data))
        return TRUE;
    }
  return FALSE;
}

/* The window's first frame waits only for the page it opens on (Images): the other sections'
 * pages do not exist until they are first chosen; then the page is built once, on the window's
 * engine, and shows its data. */
static void
test_window_lazy_pages (void)
{
  g_autoptr(TestEngine) engine = g_object_new (TEST_TYPE_ENGINE, NULL);
  g_autoptr(HatakeContainer) container = hatake_container_new ("4c1d2f0e9a8b7c6d5e4f3a2b1c0d9e8f"
                                                               "7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d",
                                                               "lazy-container");
  GType later[] = { HATAKE_TYPE_CONTAINERS_PAGE, HATAKE_TYPE_VOLUMES_PAGE, HATAKE_TYPE_NETWORKS_PAGE,
                    HATAKE_TYPE_PROJECTS_PAGE, HATAKE_TYPE_DISK_PAGE };
  gpointer shown[2];
  HatakeWindow *window;
  GtkListBox *sidebar;
  GtkWidget *page;
  gpointer weak_page;

  g_list_store_append (engine->containers, container);
  window = hatake_window_new (GTK_APPLICATION (app), HATAKE_ENGINE (engine));
  sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW, "sidebar"));
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_true (gtk_list_box_get_selected_row (sidebar) == gtk_list_box_get_row_at_index (sidebar, 1));
  g_assert_cmpuint (count_widgets (GTK_WIDGET (window), HATAKE_TYPE_IMAGES_PAGE), ==, 1);
  g_assert_true (gtk_widget_get_mapped (hatake_window_get_page (window, "images")));
  for (guint i = 0; i < G_N_ELEMENTS (later); i++)
    g_assert_cmpuint (count_widgets (GTK_WIDGET (window), later[i]), ==, 0);

  /* Chosen: built on the engine, and the engine's container is listed. */
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 0));
  g_assert_cmpuint (count_widgets (GTK_WIDGET (window), HATAKE_TYPE_CONTAINERS_PAGE), ==, 1);
  page = hatake_window_get_page (window, "containers");
  g_assert_true (HATAKE_IS_CONTAINERS_PAGE (page));
  g_assert_true (hatake_containers_page_get_engine (HATAKE_CONTAINERS_PAGE (page)) == HATAKE_ENGINE (engine));
  shown[0] = page;
  shown[1] = "lazy-container";
  g_assert_true (hatake_test_wait_until (shows_label, shown, 10));
  for (guint i = 1; i < G_N_ELEMENTS (later); i++)
    g_assert_cmpuint (count_widgets (GTK_WIDGET (window), later[i]), ==, 0);

  /* Once: coming back shows the same page. */
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 1));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  gtk_list_box_select_row (sidebar, gtk_list_box_get_row_at_index (sidebar, 0));
  g_assert_true (hatake_window_get_page (window, "containers") == page);
  g_assert_cmpuint (count_widgets (GTK_WIDGET (window), HATAKE_TYPE_CONTAINERS_PAGE), ==, 1);

  /* The getter builds a section not shown yet, on the engine too. */
  page = hatake_window_get_page (window, "projects");
  g_assert_true (HATAKE_IS_PROJECTS_PAGE (page));
  g_assert_true (hatake_projects_page_get_engine (HATAKE_PROJECTS_PAGE (page)) == HATAKE_ENGINE (engine));
  g_assert_false (gtk_widget_get_mapped (page));
  g_assert_cmpuint (count_widgets (GTK_WIDGET (window), HATAKE_TYPE_PROJECTS_PAGE), ==, 1);

  weak_page = page;
  g_object_add_weak_pointer (G_OBJECT (page), &weak_page);
  hatake_test_destroy_window (window, NULL, 10);
  g_assert_null (weak_page);
  hatake_test_clear_finalized (&engine, 10);
}

static void
test_window_message (void)
{
  HatakeWindow *window = hatake_window_new (GTK_APPLICATION (app), NULL);
  GtkStack *main_stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                   HATAKE_TYPE_WINDOW, "main_stack"));
  AdwStatusPage *message = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                           HATAKE_TYPE_WINDOW,
                                                                           "message_page"));

  hatake_window_show_message (window, "dialog-warning-symbolic", "The Engine Could Not Start",
                              "data root is locked");
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "message");
  g_assert_cmpstr (adw_status_page_get_title (message), ==, "The Engine Could Not Start");
  g_assert_cmpstr (adw_status_page_get_description (message), ==, "data root is locked");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (message)));

  hatake_test_destroy_window (window, NULL, 10);
}

static void
test_color_scheme (void)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_assert_cmpint (adw_style_manager_get_color_scheme (style_manager), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style_manager));

  g_settings_set_string (settings, "color-scheme", "follow");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style_manager), ==, ADW_COLOR_SCHEME_DEFAULT);

  g_settings_set_string (settings, "color-scheme", "dark");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style_manager), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style_manager));
}

static void
pull_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GError **error = ((gpointer *) user_data)[1];
  HatakeImage **image = ((gpointer *) user_data)[0];

  *image = hatake_engine_pull_finish (HATAKE_ENGINE (source), result, error);
  if (*image == NULL)
    g_assert_nonnull (*error);
}

static gboolean
pull_finished (gpointer data)
{
  gpointer *results = data;

  return *(HatakeImage **) results[0] != NULL || *(GError **) results[1] != NULL;
}

static gboolean
has_one_row (gpointer data)
{
  g_autoptr(GPtrArray) texts = cell_texts (data);

  return texts->len == 5;
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
}

static void
test_window_local_engine (void)
{
  const char *registry = g_getenv ("HATAKE_TEST_REGISTRY");
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeLocalEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakePull) progress = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *data_root = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *expected_repository = NULL;
  g_autofree char *expected_size = NULL;
  g_autofree char *expected_id = NULL;
  gpointer results[2] = { &image, &error };
  HatakeWindow *window;
  GtkWidget *page;

  if (registry == NULL || *registry == '\0')
    {
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        {
          g_test_message ("HATAKE_TEST_REGISTRY is not set (start build-aux/test-services.sh)");
          g_test_fail ();
        }
      else
        g_test_skip ("HATAKE_TEST_REGISTRY is not set");
      return;
    }

  data_root = g_dir_make_tmp ("hatake-app-XXXXXX", &error);
  g_assert_no_error (error);
  engine = hatake_local_engine_new (data_root, NULL, &error);
  g_assert_no_error (error);

  window = hatake_window_new (GTK_APPLICATION (app), HATAKE_ENGINE (engine));
  page = hatake_window_get_page (window, "images");
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  g_assert_cmpstr (visible_page (page), ==, "empty");

  reference = g_strdup_printf ("%s/hatake/busybox:latest", registry);
  progress = hatake_pull_new (reference);
  hatake_engine_pull_async (HATAKE_ENGINE (engine), reference, NULL, progress, NULL, pull_done, results);
  g_assert_true (hatake_test_wait_until (pull_finished, results, 240));
  g_assert_no_error (error);
  g_assert_nonnull (image);

  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_images (HATAKE_ENGINE (engine))), ==, 1);
  g_assert_cmpstr (visible_page (page), ==, "list");
  g_assert_true (hatake_test_wait_until (has_one_row, page, 10));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  expected_repository = g_strdup_printf ("%s/hatake/busybox", registry);
  g_assert_cmpint (hatake_image_get_size (image), >, 0);
  expected_size = g_format_size (hatake_image_get_size (image));
  expected_id = hatake_image_dup_short_id (image);

  texts = cell_texts (page);
  g_assert_cmpuint (texts->len, ==, 5);
  g_assert_cmpstr (texts->pdata[0], ==, expected_repository);
  g_assert_cmpstr (texts->pdata[1], ==, "latest");
  g_assert_cmpstr (texts->pdata[2], ==, expected_id);
  g_assert_cmpstr (texts->pdata[4], ==, expected_size);

  hatake_test_destroy_window (window, NULL, 10);

  g_clear_object (&image);
  g_clear_object (&progress);
  hatake_test_clear_finalized (&engine, 10);

  remove_tree (data_root);
}

static void
on_curl_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **out = user_data;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, out, NULL, NULL))
    *out = g_strdup ("");
}

static gboolean
string_is_set (gpointer data)
{
  return *(char **) data != NULL;
}

/* curl on the app's own socket, the main loop running meanwhile (the server is in this process). */
static char *
curl_app (const char *socket, const char *method, const char *path, const char *body)
{
  g_autofree char *url = g_strconcat ("http://docker", path, NULL);
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "curl", "-s", "-X", method, "--unix-socket", socket,
                           "-H", "Content-Type: application/json", "--data-binary", body ? body : "", url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (curl, NULL, NULL, on_curl_done, &out);
  g_assert_true (hatake_test_wait_until (string_is_set, &out, 60));
  g_test_message ("%s %s → %s", method, path, out);
  return out;
}

static gboolean
has_one_container (gpointer data)
{
  return g_list_model_get_n_items (hatake_engine_get_containers (data)) == 1;
}

static gboolean
api_is_served (gpointer data)
{
  const char *socket = hatake_application_get_api_socket (HATAKE_APPLICATION (data));

  return socket != NULL && g_file_test (socket, G_FILE_TEST_EXISTS);
}

/* As root the application hosts the engine: closing its window hides it, the engine stays,
 * activating again shows the same window; Quit ends it all. */
static void
test_close_keeps_engine (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_root = NULL;
  HatakeApplication *own_app;
  GtkWindow *window;
  HatakeEngine *engine;
  gpointer weak_window;
  g_autofree char *socket = NULL;

  if (geteuid () != 0)
    {
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        {
          g_test_message ("not root: the application hosts the engine only as root");
          g_test_fail ();
        }
      else
        g_test_skip ("the application hosts the engine only as root");
      return;
    }

  data_root = g_dir_make_tmp ("hatake-app-XXXXXX", &error);
  g_assert_no_error (error);
  own_app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (own_app), G_APPLICATION_NON_UNIQUE);
  hatake_application_set_data_root (own_app, data_root);
  g_application_register (G_APPLICATION (own_app), NULL, &error);
  g_assert_no_error (error);

  g_application_activate (G_APPLICATION (own_app));
  window = gtk_application_get_active_window (GTK_APPLICATION (own_app));
  g_assert_true (HATAKE_IS_WINDOW (window));
  /* the window comes first: its engine opens after its first frame, and the section it opens
   * on fills in then */
  g_assert_null (hatake_window_get_engine (HATAKE_WINDOW (window)));
  {
    GtkStack *main_stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW,
                                                                     "main_stack"));
    GtkStack *content_stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), HATAKE_TYPE_WINDOW,
                                                                        "content_stack"));
    GtkWidget *slot = gtk_stack_get_child_by_name (content_stack, "images");

    g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "engine");
    g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack), ==, "images");
    g_assert_null (adw_bin_get_child (ADW_BIN (slot)));
    engine = hatake_test_wait_for_engine (window, 10);
    g_assert_true (HATAKE_IS_LOCAL_ENGINE (engine));
    g_assert_true (HATAKE_IS_IMAGES_PAGE (adw_bin_get_child (ADW_BIN (slot))));
    g_assert_true (hatake_images_page_get_engine (HATAKE_IMAGES_PAGE (adw_bin_get_child (ADW_BIN (slot)))) ==
                   HATAKE_ENGINE (engine));
    g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "engine");
    g_assert_true (gtk_window_get_hide_on_close (window));
  }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  weak_window = window;
  g_object_add_weak_pointer (G_OBJECT (window), &weak_window);

  /* it serves the Docker Engine API for the engine it shows, once the window is up: a
   * container made through the socket is in the window's model at once */
  g_assert_true (hatake_test_wait_until (api_is_served, own_app, 10));
  socket = g_strdup (hatake_application_get_api_socket (own_app));
  {
    g_autofree char *ping = curl_app (socket, "GET", "/_ping", NULL);

    g_assert_cmpstr (ping, ==, "OK");
  }
  if (g_getenv ("HATAKE_TEST_REGISTRY") != NULL)
    {
      g_autofree char *image = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
      g_autofree char *pull_path = g_strdup_printf ("/images/create?fromImage=%s", image);
      g_autofree char *body = g_strdup_printf ("{\"Image\": \"%s\", \"Cmd\": [\"true\"]}", image);
      g_autofree char *pulled = curl_app (socket, "POST", pull_path, NULL);
      g_autofree char *created = curl_app (socket, "POST", "/containers/create?name=from-api", body);
      g_autoptr(HatakeContainer) container = NULL;

      g_assert_nonnull (strstr (pulled, "Downloaded newer image"));
      g_assert_nonnull (strstr (created, "\"Id\""));
      g_assert_true (hatake_test_wait_until (has_one_container, engine, 10));
      container = g_list_model_get_item (hatake_engine_get_containers (engine), 0);
      g_assert_cmpstr (hatake_container_get_name (container), ==, "from-api");
    }

  gtk_window_close (window);
  g_assert_true (hatake_test_wait_until (window_is_hidden, &weak_window, 10));
  g_assert_nonnull (weak_window);
  g_assert_nonnull (g_list_find (gtk_application_get_windows (GTK_APPLICATION (own_app)), window));
  g_assert_true (hatake_window_get_engine (HATAKE_WINDOW (window)) == engine);

  g_application_activate (G_APPLICATION (own_app));
  g_assert_true (gtk_application_get_active_window (GTK_APPLICATION (own_app)) == window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_action_group_activate_action (G_ACTION_GROUP (own_app), "quit", NULL);
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_window, 10));
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (own_app)));

  /* A registered GtkApplication that never ran keeps references of its own. */
  g_object_unref (own_app);
  /* the socket goes with it */
  g_assert_false (g_file_test (socket, G_FILE_TEST_EXISTS));
  remove_tree (data_root);
}

typedef struct
{
  HatakeApplication *app;
  gboolean           window_made;
  gboolean           hidden_at_first;
  gboolean           engine_at_first;
  gboolean           shown_when_activated;
} HiddenRun;

/* Once the first activation is over: look, activate again as opening the app does, quit. */
static gboolean
check_hidden (gpointer data)
{
  HiddenRun *run = data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  run->window_made = HATAKE_IS_WINDOW (window);
  if (run->window_made)
    {
      /* never drawn, the window gets its engine at once */
      hatake_test_wait_for_engine (window, 10);
      run->hidden_at_first = !gtk_widget_get_visible (GTK_WIDGET (window)) &&
                             !gtk_widget_get_mapped (GTK_WIDGET (window));
      run->engine_at_first = HATAKE_IS_LOCAL_ENGINE (hatake_window_get_engine (HATAKE_WINDOW (window)));
      g_application_activate (G_APPLICATION (run->app));
      run->shown_when_activated = gtk_widget_get_visible (GTK_WIDGET (window)) &&
                                  gtk_application_get_active_window (GTK_APPLICATION (run->app)) == window;
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      hatake_test_save_screenshot (GTK_WIDGET (window), "window-after-hidden.png");
    }
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
on_hidden_window_added (GtkApplication *application,
                        GtkWindow      *window,
                        HiddenRun      *run)
{
  g_idle_add (check_hidden, run);
}

/* `hatake-desktop --hidden` (the autostart's command line): the window and its engine are made,
 * not shown, until the app is opened again. */
static void
test_start_hidden (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_root = NULL;
  HiddenRun run = { NULL };
  char *argv[] = { (char *) "hatake-desktop", (char *) "--hidden", (char *) "--data-root", NULL, NULL };
  int status;

  if (geteuid () != 0)
    {
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        {
          g_test_message ("not root: the application hosts the engine only as root");
          g_test_fail ();
        }
      else
        g_test_skip ("the application hosts the engine only as root");
      return;
    }

  data_root = g_dir_make_tmp ("hatake-app-XXXXXX", &error);
  g_assert_no_error (error);
  argv[3] = data_root;
  run.app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect (run.app, "window-added", G_CALLBACK (on_hidden_window_added), &run);
  status = g_application_run (G_APPLICATION (run.app), G_N_ELEMENTS (argv) - 1, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.window_made);
  g_assert_true (run.engine_at_first);
  g_assert_true (run.hidden_at_first);
  g_assert_true (run.shown_when_activated);
  g_assert_cmpstr (hatake_application_get_data_root (run.app), ==, data_root);

  g_object_unref (run.app);
  remove_tree (data_root);
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
      g_test_add_func ("/app/window/no-display", test_no_display);
      return g_test_run ();
    }

  gtk_test_init (&argc, &argv, NULL);

  /* Registering runs the application's startup (settings, color scheme) without running it. */
  app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/format", test_format);
  g_test_add_func ("/app/window/fake-engine", test_window_fake_engine);
  g_test_add_func ("/app/window/lazy-pages", test_window_lazy_pages);
  g_test_add_func ("/app/window/message", test_window_message);
  g_test_add_func ("/app/window/local-engine", test_window_local_engine);
  g_test_add_func ("/app/color-scheme", test_color_scheme);
  g_test_add_func ("/app/window/close-keeps-engine", test_close_keeps_engine);
  g_test_add_func ("/app/window/start-hidden", test_start_hidden);

  ret = g_test_run ();

  /* A registered GtkApplication that never ran keeps references of its own: only drop ours. */
  g_clear_object (&app);
  return ret;
}
