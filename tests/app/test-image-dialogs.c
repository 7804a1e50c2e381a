/* test-image-dialogs.c: the images page's pull, run and delete dialogs, opened for real under an
 * X server against a local engine and the test registry
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-image-dialogs"

#include "config.h"

#include <adwaita.h>

#include "app-test-utils.h"
#include "hatake-application.h"
#include "hatake-images-page.h"
#include "hatake-pull-dialog.h"
#include "hatake-run-dialog.h"
#include "hatake-test-utils.h"
#include "hatake-window.h"

static HatakeApplication *app;

static gpointer
child (gpointer    widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

/* The visible toplevel of type, borrowed. */
static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static gboolean
toplevel_is_shown (gpointer data)
{
  return find_toplevel (GPOINTER_TO_SIZE (data)) != NULL;
}

static GtkWidget *
wait_for_toplevel (GType type)
{
  g_assert_true (hatake_test_wait_until (toplevel_is_shown, GSIZE_TO_POINTER (type), 10));
  return find_toplevel (type);
}

/* As the user's click lands: GtkButton's activate only emits clicked after its press animation. */
static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
}

static GtkWidget *
find_actionable (GtkWidget  *widget,
                 const char *action_name)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_ACTIONABLE (c) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (c)), action_name) == 0)
        return c;
      if ((found = find_actionable (c, action_name)) != NULL)
        return found;
    }
  return NULL;
}

/* Mapped buttons named name (the rows' "run", "delete"), borrowed. */
static void
collect_buttons (GtkWidget  *widget,
                 const char *name,
                 GPtrArray  *out)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_BUTTON (c) && gtk_widget_get_mapped (c) && g_strcmp0 (gtk_widget_get_name (c), name) == 0)
        g_ptr_array_add (out, c);
      collect_buttons (c, name, out);
    }
}

/* How many mapped labels under widget read text. */
static guint
count_labels (GtkWidget  *widget,
              const char *text)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_LABEL (c) && gtk_widget_get_mapped (c) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (c)), text) == 0)
        n++;
      n += count_labels (c, text);
    }
  return n;
}

static gboolean
find_text_prefix (GtkWidget  *widget,
                  const char *prefix)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_LABEL (c) && gtk_widget_get_mapped (c) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (c)), prefix))
        return TRUE;
      if (find_text_prefix (c, prefix))
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

  return find_text_prefix (wanted->widget, wanted->prefix);
}

static void
test_parse (void)
{
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  HatakeContainerMount *mount;

  g_assert_true (hatake_run_parse_env ("A=1\n\n  B=two words  \nC=\n", &env, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (env), ==, 3);
  g_assert_cmpstr (env[0], ==, "A=1");
  g_assert_cmpstr (env[1], ==, "B=two words");
  g_assert_cmpstr (env[2], ==, "C=");
  g_clear_pointer (&env, g_strfreev);

  g_assert_true (hatake_run_parse_env (" \n", &env, &error));
  g_assert_null (env);

  g_assert_false (hatake_run_parse_env ("A=1\nNOVALUE\n", &env, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_clear_error (&error);
  g_assert_false (hatake_run_parse_env ("=x", &env, &error));
  g_clear_error (&error);

  g_assert_true (hatake_run_parse_volumes (config, "/srv/data:/data:ro\ncache:/cache\n\n/anon\n", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->mounts->len, ==, 3);
  mount = config->mounts->pdata[0];
  g_assert_cmpint (mount->type, ==, HATAKE_CONTAINER_MOUNT_BIND);
  g_assert_cmpstr (mount->source, ==, "/srv/data");
  g_assert_cmpstr (mount->target, ==, "/data");
  g_assert_true (mount->read_only);
  mount = config->mounts->pdata[1];
  g_assert_cmpint (mount->type, ==, HATAKE_CONTAINER_MOUNT_VOLUME);
  g_assert_cmpstr (mount->source, ==, "cache");
  g_assert_false (mount->read_only);
  mount = config->mounts->pdata[2];
  g_assert_cmpint (mount->type, ==, HATAKE_CONTAINER_MOUNT_VOLUME);
  g_assert_null (mount->source);
  g_assert_cmpstr (mount->target, ==, "/anon");

  g_assert_false (hatake_run_parse_volumes (config, "relative/only", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hatake_run_parse_volumes (config, "/a:/b:bogus", &error));
  g_clear_error (&error);
}

static gboolean
pull_finished (gpointer data)
{
  return hatake_pull_dialog_get_state (data) != HATAKE_PULL_DIALOG_PULLING;
}

typedef struct
{
  HatakePullDialog *dialog;
  guint             max_layers;
  gboolean          saw_downloading;
} PullWatch;

/* Follows the pull as the user sees it, and remembers what went past. */
static gboolean
watch_pull (gpointer data)
{
  PullWatch *watch = data;
  HatakePull *pull = hatake_pull_dialog_get_pull (watch->dialog);
  GListModel *layers = pull != NULL ? hatake_pull_get_layers (pull) : NULL;
  guint n = layers != NULL ? g_list_model_get_n_items (layers) : 0;

  watch->max_layers = MAX (watch->max_layers, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakePullLayer) layer = g_list_model_get_item (layers, i);
      HatakeLayerState state = hatake_pull_layer_get_state (layer);

      if (state == HATAKE_LAYER_DOWNLOADING || state == HATAKE_LAYER_VERIFYING ||
          state == HATAKE_LAYER_EXTRACTING)
        watch->saw_downloading = TRUE;
    }
  return pull_finished (watch->dialog);
}

static gboolean
layer_is_busy (gpointer data)
{
  PullWatch *watch = data;

  watch_pull (watch);
  return watch->saw_downloading || pull_finished (watch->dialog);
}

static HatakeImage *
find_image (GListModel *model,
            const char *reference)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (model, i);
      const char * const *tags = hatake_image_get_repo_tags (image);

      if (tags != NULL && g_strv_contains (tags, reference))
        return g_steal_pointer (&image);
    }
  return NULL;
}

typedef struct
{
  GListModel *model;
  const char *reference;
  gboolean    present;
} ImageWanted;

static gboolean
image_presence (gpointer data)
{
  ImageWanted *wanted = data;
  g_autoptr(HatakeImage) image = find_image (wanted->model, wanted->reference);

  return (image != NULL) == wanted->present;
}

typedef struct
{
  HatakeEngine *engine;
  const char   *name;
} ContainerWanted;

static gboolean
container_exited (gpointer data)
{
  ContainerWanted *wanted = data;
  g_autoptr(HatakeContainer) container = hatake_engine_lookup_container (wanted->engine, wanted->name);

  return container != NULL && hatake_container_get_state (container) == HATAKE_CONTAINER_EXITED;
}

static void
test_pull_dialog (HatakeWindow *window,
                  GtkWidget    *page,
                  HatakeEngine *engine)
{
  g_autofree char *layered = hatake_test_registry_ref ("hatake/layered:latest");
  g_autofree char *bomb = hatake_test_registry_ref ("hatake/evil-bomb:latest");
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeImage) bomb_image = NULL;
  GListModel *images = hatake_images_page_get_model (HATAKE_IMAGES_PAGE (page));
  HatakePullDialog *dialog;
  GtkWidget *pull_button, *cancel_button, *reference_row, *layers_view, *message_label;
  GListModel *layers;
  PullWatch watch = { 0 };
  ImageWanted shown;
  gpointer weak_dialog, weak_pull;
  guint done_rows;

  /* The toolbar's Pull button opens the dialog, modal over the window. */
  pull_button = find_actionable (page, "images.pull");
  g_assert_nonnull (pull_button);
  g_assert_true (gtk_widget_get_mapped (pull_button));
  click (pull_button);
  dialog = HATAKE_PULL_DIALOG (wait_for_toplevel (HATAKE_TYPE_PULL_DIALOG));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));

  pull_button = child (dialog, HATAKE_TYPE_PULL_DIALOG, "pull_button");
  cancel_button = child (dialog, HATAKE_TYPE_PULL_DIALOG, "cancel_button");
  reference_row = child (dialog, HATAKE_TYPE_PULL_DIALOG, "reference_row");
  layers_view = child (dialog, HATAKE_TYPE_PULL_DIALOG, "layers_view");
  message_label = child (dialog, HATAKE_TYPE_PULL_DIALOG, "message_label");

  /* Empty: nothing to pull, but nothing wrong yet. */
  g_assert_false (gtk_widget_get_sensitive (pull_button));
  g_assert_false (gtk_widget_has_css_class (reference_row, "error"));

  /* What does not parse is marked while typed, and cannot be pulled. */
  gtk_editable_set_text (GTK_EDITABLE (reference_row), "Not A/Valid::Reference");
  g_assert_false (gtk_widget_get_sensitive (pull_button));
  g_assert_true (gtk_widget_has_css_class (reference_row, "error"));
  g_assert_nonnull (gtk_widget_get_tooltip_text (reference_row));
  hatake_pull_dialog_start (dialog);
  g_assert_null (hatake_pull_dialog_get_pull (dialog));

  gtk_editable_set_text (GTK_EDITABLE (reference_row), layered);
  g_assert_true (gtk_widget_get_sensitive (pull_button));
  g_assert_false (gtk_widget_has_css_class (reference_row, "error"));

  /* Pull: a row per layer, each ending complete, the overall bar full, the image listed. */
  click (pull_button);
  g_assert_cmpint (hatake_pull_dialog_get_state (dialog), ==, HATAKE_PULL_DIALOG_PULLING);
  g_assert_false (gtk_widget_get_sensitive (pull_button));
  watch.dialog = dialog;
  g_assert_true (hatake_test_wait_until (watch_pull, &watch, 60));
  g_assert_cmpint (hatake_pull_dialog_get_state (dialog), ==, HATAKE_PULL_DIALOG_DONE);

  layers = hatake_pull_get_layers (hatake_pull_dialog_get_pull (dialog));
  g_assert_cmpuint (g_list_model_get_n_items (layers), >=, 3);
  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(HatakePullLayer) layer = g_list_model_get_item (layers, i);
      HatakeLayerState state = hatake_pull_layer_get_state (layer);

      g_assert_true (state == HATAKE_LAYER_DONE || state == HATAKE_LAYER_EXISTS);
      g_assert_cmpfloat (hatake_pull_layer_get_fraction (layer), ==, 1.0);
    }
  g_assert_cmpfloat (hatake_pull_get_fraction (hatake_pull_dialog_get_pull (dialog)), ==, 1.0);

  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (child (dialog, HATAKE_TYPE_PULL_DIALOG, "overall_bar")), ==, 1.0);
  done_rows = count_labels (layers_view, "Pull complete") + count_labels (layers_view, "Already exists");
  g_assert_cmpuint (done_rows, ==, g_list_model_get_n_items (layers));
  g_assert_cmpuint (done_rows, >=, 3);
  g_assert_true (gtk_widget_get_visible (message_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (message_label)), "Pulled "));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (cancel_button)), ==, "_Close");

  shown = (ImageWanted) { images, layered, TRUE };
  g_assert_true (hatake_test_wait_until (image_presence, &shown, 10));
  image = find_image (images, layered);

  hatake_test_save_screenshot (GTK_WIDGET (dialog), "pull-dialog.png");

  /* Cancel while a layer comes in: the dialog says so, and no image is left. */
  weak_pull = hatake_pull_dialog_get_pull (dialog);
  g_object_add_weak_pointer (weak_pull, &weak_pull);
  gtk_editable_set_text (GTK_EDITABLE (reference_row), bomb);
  click (pull_button);
  /* The finished pull's progress went with it. */
  g_assert_null (weak_pull);
  watch = (PullWatch) { dialog, 0, FALSE };
  g_assert_true (hatake_test_wait_until (layer_is_busy, &watch, 60));
  g_assert_cmpint (hatake_pull_dialog_get_state (dialog), ==, HATAKE_PULL_DIALOG_PULLING);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (cancel_button)), ==, "_Cancel");
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "pull-dialog-pulling.png");
  click (cancel_button);
  g_assert_true (hatake_test_wait_until (pull_finished, dialog, 30));
  g_assert_cmpint (hatake_pull_dialog_get_state (dialog), ==, HATAKE_PULL_DIALOG_CANCELLED);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (message_label)), ==, "Cancelled");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  bomb_image = hatake_engine_lookup_image (engine, bomb);
  g_assert_null (bomb_image);
  hatake_test_save_screenshot (GTK_WIDGET (dialog), "pull-dialog-cancelled.png");

  /* Cancelled, the same button closes the dialog, which goes. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (cancel_button)), ==, "_Close");
  weak_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak_dialog);
  click (cancel_button);
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_dialog, 10));
}

static void
test_run_dialog (GtkWidget    *page,
                 HatakeEngine *engine,
                 HatakeImage  *busybox)
{
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(GPtrArray) run_buttons = g_ptr_array_new ();
  HatakeRunDialog *dialog;
  GtkWidget *ports_row, *error_label;
  g_autofree char *published_port = NULL;
  ContainerWanted exited = { engine, "from-dialog" };
  gpointer weak_dialog;

  /* Each row has a Run button; the action opens the dialog for that row's image. */
  gtk_test_widget_wait_for_draw (page);
  collect_buttons (child (page, HATAKE_TYPE_IMAGES_PAGE, "column_view"), "run", run_buttons);
  g_assert_cmpuint (run_buttons->len, ==, g_list_model_get_n_items (hatake_images_page_get_model (HATAKE_IMAGES_PAGE (page))));
  g_assert_true (gtk_widget_activate_action (page, "images.run", "s", hatake_image_get_id (busybox)));
  dialog = HATAKE_RUN_DIALOG (wait_for_toplevel (HATAKE_TYPE_RUN_DIALOG));
  g_assert_cmpstr (hatake_run_dialog_get_image (dialog), ==, hatake_image_get_repo_tags (busybox)[0]);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));

  /* A published port that is not one: said, nothing created */
  ports_row = child (dialog, HATAKE_TYPE_RUN_DIALOG, "ports_row");
  g_assert_true (gtk_widget_get_sensitive (ports_row));
  error_label = child (dialog, HATAKE_TYPE_RUN_DIALOG, "error_label");
  gtk_editable_set_text (child (dialog, HATAKE_TYPE_RUN_DIALOG, "name_row"), "from-dialog");
  gtk_editable_set_text (GTK_EDITABLE (ports_row), "8080:http");
  click (child (dialog, HATAKE_TYPE_RUN_DIALOG, "run_button"));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (error_label)), "Published ports: Invalid port “8080:http”"));
  g_assert_null (hatake_engine_lookup_container (engine, "from-dialog"));
  /* a free port of the host's, published on loopback for the run below */
  {
    g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;
    g_autofree char *spec = NULL;

    g_assert_true (g_socket_bind (probe, address, FALSE, NULL));
    bound = g_socket_get_local_address (probe, NULL);
    published_port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    spec = g_strdup_printf ("127.0.0.1:%s:80", published_port);
    g_socket_close (probe, NULL);
    gtk_editable_set_text (GTK_EDITABLE (ports_row), spec);
  }

  /* A malformed line is shown, and nothing is created. */
  gtk_editable_set_text (child (dialog, HATAKE_TYPE_RUN_DIALOG, "name_row"), "from-dialog");
  gtk_editable_set_text (child (dialog, HATAKE_TYPE_RUN_DIALOG, "command_row"), "sh -c 'echo hi'");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (child (dialog, HATAKE_TYPE_RUN_DIALOG, "env_view")),
                            "GREETING=hi\nbroken\n", -1);
  click (child (dialog, HATAKE_TYPE_RUN_DIALOG, "run_button"));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (error_label)), "Environment, line 2"));
  g_assert_false (hatake_run_dialog_get_busy (dialog));
  container = hatake_engine_lookup_container (engine, "from-dialog");
  g_assert_null (container);

  /* Fixed, Run creates and starts the container, and the dialog closes. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (child (dialog, HATAKE_TYPE_RUN_DIALOG, "env_view")),
                            "GREETING=hi\n", -1);
  weak_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak_dialog);
  click (child (dialog, HATAKE_TYPE_RUN_DIALOG, "run_button"));
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_dialog, 30));

  container = hatake_engine_lookup_container (engine, "from-dialog");
  g_assert_nonnull (container);
  g_assert_true (hatake_test_wait_until (container_exited, &exited, 30));
  g_assert_cmpint (hatake_container_get_exit_code (container), ==, 0);
  /* with the port it was given */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(JsonNode) inspected = NULL;
    g_autoptr(GError) error = NULL;
    JsonObject *bindings;
    JsonObject *binding;

    hatake_engine_inspect_container_async (engine, "from-dialog", NULL, hatake_test_store_result, &result);
    hatake_test_run_until_done ((gpointer *) &result);
    inspected = hatake_engine_inspect_container_finish (engine, result, &error);
    g_assert_no_error (error);
    bindings = json_object_get_object_member (json_object_get_object_member (json_node_get_object (inspected),
                                                                             "HostConfig"), "PortBindings");
    binding = json_array_get_object_element (json_object_get_array_member (bindings, "80/tcp"), 0);
    g_assert_cmpstr (json_object_get_string_member (binding, "HostIp"), ==, "127.0.0.1");
    g_assert_cmpstr (json_object_get_string_member (binding, "HostPort"), ==, published_port);
  }
}

static void
answer_delete (const char *response)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  g_object_ref (dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, "delete"));
  g_assert_true (adw_message_dialog_has_response (dialog, "cancel"));
  adw_message_dialog_response (dialog, response);
  if (gtk_widget_get_visible (GTK_WIDGET (dialog)))
    gtk_window_close (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

static void
test_delete (HatakeWindow *window,
             GtkWidget    *page,
             HatakeEngine *engine,
             HatakeImage  *busybox)
{
  g_autofree char *layered = hatake_test_registry_ref ("hatake/layered:latest");
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(GPtrArray) delete_buttons = g_ptr_array_new ();
  GListModel *images = hatake_images_page_get_model (HATAKE_IMAGES_PAGE (page));
  ImageWanted gone = { images, layered, FALSE };
  TextWanted toast;
  guint n = g_list_model_get_n_items (images);

  image = find_image (images, layered);
  g_assert_nonnull (image);
  gtk_test_widget_wait_for_draw (page);
  collect_buttons (child (page, HATAKE_TYPE_IMAGES_PAGE, "column_view"), "delete", delete_buttons);
  g_assert_cmpuint (delete_buttons->len, ==, n);

  /* Asked first: cancelled, the image stays. */
  g_assert_true (gtk_widget_activate_action (page, "images.delete", "s", hatake_image_get_id (image)));
  answer_delete ("cancel");
  g_assert_false (hatake_test_wait_until (hatake_test_never, NULL, 1));
  g_assert_cmpuint (g_list_model_get_n_items (images), ==, n);

  /* Confirmed, the unused image goes. */
  g_assert_true (gtk_widget_activate_action (page, "images.delete", "s", hatake_image_get_id (image)));
  answer_delete ("delete");
  g_assert_true (hatake_test_wait_until (image_presence, &gone, 30));
  g_assert_cmpuint (g_list_model_get_n_items (images), ==, n - 1);

  /* An image a container was made from is refused: the engine's message shows as a toast. */
  g_assert_true (gtk_widget_activate_action (page, "images.delete", "s", hatake_image_get_id (busybox)));
  answer_delete ("delete");
  toast = (TextWanted) { child (page, HATAKE_TYPE_IMAGES_PAGE, "toast_overlay"), "Could not delete " };
  g_assert_true (hatake_test_wait_until (shows_text, &toast, 30));
  g_assert_false (hatake_test_wait_until (hatake_test_never, NULL, 1));
  hatake_test_save_screenshot (GTK_WIDGET (window), "images-page-delete-refused.png");
}

static void
engine_remove (HatakeEngine *engine,
               const char   *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs args = { .timeout = 1, .force = TRUE };

  hatake_engine_container_op_async (engine, name, HATAKE_CONTAINER_OP_REMOVE, &args, NULL,
                                    hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
}

static void
test_local_engine (void)
{
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) busybox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *busybox_ref = NULL;
  HatakeWindow *window;
  GtkWidget *page;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);

  window = hatake_window_new (GTK_APPLICATION (app), engine);
  page = hatake_window_get_page (window, "images");
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_true (hatake_images_page_get_engine (HATAKE_IMAGES_PAGE (page)) == engine);

  test_pull_dialog (window, page, engine);

  busybox_ref = hatake_test_registry_ref ("hatake/busybox:latest");
  busybox = hatake_test_pull (engine, busybox_ref, NULL, NULL, &error);
  g_assert_no_error (error);

  test_run_dialog (page, engine, busybox);
  test_delete (window, page, engine, busybox);

  engine_remove (engine, "from-dialog");

  hatake_test_destroy_window (window, page, 10);

  g_clear_object (&busybox);
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
      g_test_add_func ("/app/image-dialogs/no-display", test_no_display);
      return g_test_run ();
    }

  gtk_test_init (&argc, &argv, NULL);

  app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/image-dialogs/parse", test_parse);
  g_test_add_func ("/app/image-dialogs/local-engine", test_local_engine);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
