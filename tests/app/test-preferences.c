/* test-preferences.c: the preferences window, opened for real under an X server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-preferences"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "app-test-utils.h"
#include "hatake-application.h"
#include "hatake-preferences-window.h"

static HatakeApplication *app;

static GObject *
child (GtkWidget  *window,
       const char *name)
{
  return gtk_widget_get_template_child (window, HATAKE_TYPE_PREFERENCES_WINDOW, name);
}

static HatakePreferencesWindow *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (HATAKE_IS_PREFERENCES_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return HATAKE_PREFERENCES_WINDOW (window);
    }
  return NULL;
}

static gboolean
preferences_shown (gpointer data)
{
  return find_preferences () != NULL;
}

static gboolean
is_sensitive (gpointer data)
{
  return gtk_widget_get_sensitive (data);
}

/* written in full: the file appears as it is written, when there was none */
static gboolean
autostart_written (gpointer data)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (data, &contents, NULL, NULL) &&
         strstr (contents, "\nExec=hatake-desktop --hidden\n") != NULL &&
         g_str_has_suffix (contents, "X-GNOME-Autostart-enabled=true\n");
}

static gboolean
file_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
text_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static char *
clipboard_text (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, text_read, &text);
  g_assert_true (hatake_test_wait_until (pointer_set, &text, 10));
  return text;
}

static void
test_preferences (void)
{
  g_auto(GStrv) accels = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *autostart = hatake_preferences_autostart_path ();
  g_autofree char *contents = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *command = NULL;
  g_autofree char *socket = NULL;
  g_autofree char *wanted = NULL;
  g_autofree char *scheme = NULL;
  AdwStyleManager *style = adw_style_manager_get_default ();
  HatakePreferencesWindow *window;
  GtkSwitch *autostart_switch;

  /* Ctrl+comma, and the action the primary menu names */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.preferences");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>comma"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_assert_true (hatake_test_wait_until (preferences_shown, NULL, 10));
  window = find_preferences ();
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  /* Style: the row sets the key, and the application applies it to the style manager. */
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (GTK_WIDGET (window), "theme_row"))), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (GTK_WIDGET (window), "theme_row")), 1);
  scheme = g_settings_get_string (settings, "color-scheme");
  g_assert_cmpstr (scheme, ==, "follow");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (GTK_WIDGET (window), "theme_row")), 0);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);

  /* The docker context line, copied: the socket hatake serve listens on (no engine is hosted) */
  command = hatake_preferences_window_dup_context_command (window);
  socket = geteuid () == 0 ? g_strdup ("/run/hatake/hatake.sock")
                           : g_build_filename (g_get_user_runtime_dir (), "hatake", "hatake.sock", NULL);
  wanted = g_strconcat ("docker context create hatake --docker host=unix://", socket, NULL);
  g_assert_cmpstr (hatake_preferences_window_get_socket (window), ==, socket);
  g_assert_cmpstr (command, ==, wanted);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "preferences.copy-context", NULL));
  copied = clipboard_text (GTK_WIDGET (window));
  g_assert_cmpstr (copied, ==, command);
  g_clear_pointer (&copied, g_free);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "preferences.copy-socket", NULL));
  copied = clipboard_text (GTK_WIDGET (window));
  g_assert_cmpstr (copied, ==, socket);

  /* Start at login: the switch writes the autostart file (with --hidden), and removes it. */
  autostart_switch = GTK_SWITCH (child (GTK_WIDGET (window), "autostart_switch"));
  g_assert_true (hatake_test_wait_until (is_sensitive, autostart_switch, 10));
  g_assert_false (gtk_switch_get_active (autostart_switch));
  g_assert_false (g_file_test (autostart, G_FILE_TEST_EXISTS));
  gtk_switch_set_active (autostart_switch, TRUE);
  g_assert_true (hatake_test_wait_until (autostart_written, autostart, 10));
  g_assert_true (g_file_get_contents (autostart, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\nExec=hatake-desktop --hidden\n"));
  g_assert_nonnull (strstr (contents, "[Desktop Entry]\n"));
  hatake_test_save_screenshot (GTK_WIDGET (window), "preferences.png");
  gtk_switch_set_active (autostart_switch, FALSE);
  g_assert_true (hatake_test_wait_until (file_gone, autostart, 10));

  /* The log size cap is the setting */
  gtk_adjustment_set_value (GTK_ADJUSTMENT (child (GTK_WIDGET (window), "log_size_adjustment")), 50);
  g_assert_cmpuint (g_settings_get_uint (settings, "log-max-size"), ==, 50);

  hatake_test_destroy_window (window, NULL, 10);

  /* Opened again, the switch reads the file that is there. */
  g_assert_true (g_file_set_contents (autostart, "[Desktop Entry]\n", -1, NULL));
  window = HATAKE_PREFERENCES_WINDOW (hatake_preferences_window_new (NULL, settings, NULL, "Test", "/tmp/a b/hatake.sock"));
  gtk_window_present (GTK_WINDOW (window));
  autostart_switch = GTK_SWITCH (child (GTK_WIDGET (window), "autostart_switch"));
  g_assert_true (hatake_test_wait_until (is_sensitive, autostart_switch, 10));
  g_assert_true (gtk_switch_get_active (autostart_switch));
  g_assert_true (g_file_test (autostart, G_FILE_TEST_EXISTS));
  /* a socket path the shell would split is quoted */
  g_clear_pointer (&command, g_free);
  command = hatake_preferences_window_dup_context_command (window);
  g_assert_cmpstr (command, ==, "docker context create hatake --docker 'host=unix:///tmp/a b/hatake.sock'");
  g_assert_cmpuint (gtk_adjustment_get_value (GTK_ADJUSTMENT (child (GTK_WIDGET (window), "log_size_adjustment"))), ==, 50);
  hatake_test_destroy_window (window, NULL, 10);
  g_unlink (autostart);
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
  g_autofree char *config_home = NULL;
  const char *display = g_getenv ("DISPLAY");
  int ret;

  if (display == NULL || *display == '\0')
    {
      g_test_init (&argc, &argv, NULL);
      g_test_add_func ("/app/preferences/no-display", test_no_display);
      return g_test_run ();
    }

  /* The autostart file goes under a folder of the test's own (before GLib reads the variable). */
  config_home = g_dir_make_tmp ("hatake-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  app = hatake_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/preferences", test_preferences);

  ret = g_test_run ();

  g_clear_object (&app);
  {
    g_autofree char *autostart_dir = g_build_filename (config_home, "autostart", NULL);

    g_rmdir (autostart_dir);
    g_rmdir (config_home);
  }
  return ret;
}
