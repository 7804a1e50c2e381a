/* app-test-utils.c: what the UI tests share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "app-test-utils.h"

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
hatake_test_wait_until (HatakeTestCondition condition,
                        gpointer            data,
                        guint               timeout_s)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (timeout_s, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
  return condition (data);
}

gboolean
hatake_test_never (gpointer data)
{
  return FALSE;
}

gboolean
hatake_test_pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
has_engine (gpointer window)
{
  g_autoptr(GObject) engine = NULL;

  g_object_get (window, "engine", &engine, NULL);
  return engine != NULL;
}

gpointer
hatake_test_wait_for_engine (gpointer window,
                             guint    timeout_s)
{
  g_autoptr(GObject) engine = NULL;

  g_assert_true (hatake_test_wait_until (has_engine, window, timeout_s));
  g_object_get (window, "engine", &engine, NULL);
  return engine;   /* (the window holds it) */
}

void
hatake_test_destroy_window (gpointer window,
                            gpointer widget,
                            guint    timeout_s)
{
  gpointer weak_window = window, weak_widget = widget;

  g_assert_true (GTK_IS_WINDOW (window));
  g_assert_true (widget == NULL || GTK_IS_WIDGET (widget));
  g_object_add_weak_pointer (G_OBJECT (window), &weak_window);
  if (widget != NULL)
    g_object_add_weak_pointer (G_OBJECT (widget), &weak_widget);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak_window, timeout_s));
  g_assert_null (weak_widget);
}

void
hatake_test_clear_finalized (gpointer object_ptr,
                             guint    timeout_s)
{
  GObject **object = object_ptr;
  gpointer weak = *object;

  g_assert_true (G_IS_OBJECT (weak));
  g_object_add_weak_pointer (weak, &weak);
  g_clear_object (object);
  g_assert_true (hatake_test_wait_until (hatake_test_pointer_is_null, &weak, timeout_s));
}

void
hatake_test_store_result (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
hatake_test_save_screenshot (GtkWidget  *window,
                             const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);

  /* The paintable follows the widget from frame to frame: a frame in progress may leave it
   * empty for a moment. */
  for (guint i = 0; node == NULL && i < 50; i++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gtk_widget_queue_draw (window);
      gtk_test_widget_wait_for_draw (window);
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}
