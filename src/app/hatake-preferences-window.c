/* hatake-preferences-window.c: the app's preferences
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Theme and log size cap are settings (the application applies the theme when the key changes;
 * the cap is given to the engine the app hosts when it opens it). Starting at login is a file,
 * ~/.config/autostart/APP_ID.desktop, written or removed when the switch moves: the file is the
 * one truth, so the switch reads it at open. The engine rows say which engine the window shows
 * and how the docker CLI reaches it.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "hatake-client-engine.h"
#include "hatake-local-engine.h"
#include "hatake-preferences-window.h"
#include "hatake-widget-utils.h"

struct _HatakePreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GCancellable         *cancellable;
  char                 *socket;
  gboolean              autostart_known;   /* the switch shows what is on disk */

  AdwComboRow          *theme_row;
  GtkSwitch            *autostart_switch;
  AdwActionRow         *engine_row;
  AdwActionRow         *location_row;
  AdwActionRow         *socket_row;
  AdwActionRow         *context_row;
  AdwActionRow         *log_row;
  GtkAdjustment        *log_size_adjustment;
};

G_DEFINE_FINAL_TYPE (HatakePreferencesWindow, hatake_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The order of the theme row's choices */
static const char * const themes[] = { "dark", "follow" };

#define AUTOSTART_CONTENTS \
  "[Desktop Entry]\n" \
  "Type=Application\n" \
  "Name=Hatake Desktop\n" \
  "Icon=" APP_ID "\n" \
  "Exec=hatake-desktop --hidden\n" \
  "X-GNOME-Autostart-enabled=true\n"

char *
hatake_preferences_autostart_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

static void
show_toast (HatakePreferencesWindow *self,
            const char              *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), hatake_toast_new (text, TRUE));
}

/* ---- theme ---------------------------------------------------------------------------------- */

static void
sync_theme_row (HatakePreferencesWindow *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");

  for (guint i = 0; i < G_N_ELEMENTS (themes); i++)
    if (g_str_equal (scheme, themes[i]) && adw_combo_row_get_selected (self->theme_row) != i)
      adw_combo_row_set_selected (self->theme_row, i);
}

static void
on_theme_selected (HatakePreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->theme_row);

  if (self->settings != NULL && selected < G_N_ELEMENTS (themes))
    g_settings_set_string (self->settings, "color-scheme", themes[selected]);
}

/* ---- autostart ------------------------------------------------------------------------------ */

static void
autostart_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HatakePreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not turn on the start at login: %s"), error->message);

      show_toast (self, text);
    }
}

static void
autostart_dir_made (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(HatakePreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hatake_preferences_autostart_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) bytes = g_bytes_new_static (AUTOSTART_CONTENTS, strlen (AUTOSTART_CONTENTS));

  if (!g_file_make_directory_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not turn on the start at login: %s"), error->message);
      show_toast (self, text);
      return;
    }
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, autostart_written, g_object_ref (self));
}

static void
autostart_deleted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HatakePreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not turn off the start at login: %s"), error->message);

      show_toast (self, text);
    }
}

static void
on_autostart_active (HatakePreferencesWindow *self)
{
  g_autofree char *path = hatake_preferences_autostart_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);

  /* Only what the user does changes the disk, not the switch catching up with it. */
  if (!self->autostart_known)
    return;

  if (gtk_switch_get_active (self->autostart_switch))
    {
      g_autoptr(GFile) dir = g_file_get_parent (file);

      /* (~/.config exists on any desktop; only autostart/ may be missing) */
      g_file_make_directory_async (dir, G_PRIORITY_DEFAULT, self->cancellable, autostart_dir_made,
                                   g_object_ref (self));
    }
  else
    g_file_delete_async (file, G_PRIORITY_DEFAULT, self->cancellable, autostart_deleted,
                         g_object_ref (self));
}

static void
autostart_queried (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HatakePreferencesWindow) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_switch_set_active (self->autostart_switch, info != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->autostart_switch), TRUE);
  self->autostart_known = TRUE;
}

/* ---- engine --------------------------------------------------------------------------------- */

/* hatake serve's default socket (as hatake-cli-serve.c picks it): where the system engine, or
 * the user's own, listens */
static char *
default_serve_socket (void)
{
  if (geteuid () == 0)
    return g_strdup ("/run/hatake/hatake.sock");
  return g_build_filename (g_get_user_runtime_dir (), "hatake", "hatake.sock", NULL);
}

static void
copy_text (HatakePreferencesWindow *self,
           const char              *text)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  gdk_clipboard_set_text (clipboard, text);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (_("Copied")));
}

static void
copy_socket_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  HatakePreferencesWindow *self = HATAKE_PREFERENCES_WINDOW (widget);

  copy_text (self, self->socket);
}

static void
copy_context_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  HatakePreferencesWindow *self = HATAKE_PREFERENCES_WINDOW (widget);
  g_autofree char *command = hatake_preferences_window_dup_context_command (self);

  copy_text (self, command);
}

const char *
hatake_preferences_window_get_socket (HatakePreferencesWindow *self)
{
  g_return_val_if_fail (HATAKE_IS_PREFERENCES_WINDOW (self), NULL);

  return self->socket;
}

char *
hatake_preferences_window_dup_context_command (HatakePreferencesWindow *self)
{
  g_autofree char *quoted = NULL;

  g_return_val_if_fail (HATAKE_IS_PREFERENCES_WINDOW (self), NULL);

  /* quoted only when the shell would need it, so the usual line reads as people type it */
  if (strpbrk (self->socket, " \t'\"$`\\;&|<>()*?[]#~") != NULL)
    {
      g_autofree char *host = g_strconcat ("host=unix://", self->socket, NULL);

      quoted = g_shell_quote (host);
      return g_strdup_printf ("docker context create hatake --docker %s", quoted);
    }
  return g_strdup_printf ("docker context create hatake --docker host=unix://%s", self->socket);
}

static void
set_engine (HatakePreferencesWindow *self,
            HatakeEngine            *engine,
            const char              *engine_label,
            const char              *api_socket)
{
  const char *description = engine != NULL ? hatake_engine_get_description (engine) : NULL;
  g_autofree char *command = NULL;

  adw_action_row_set_subtitle (self->engine_row, engine_label != NULL ? engine_label : _("None"));

  if (engine != NULL && HATAKE_IS_LOCAL_ENGINE (engine))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->location_row), _("Data Root"));
      adw_action_row_set_subtitle (self->location_row,
                                   hatake_local_engine_get_data_root (HATAKE_LOCAL_ENGINE (engine)));
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->location_row), _("Endpoint"));
      adw_action_row_set_subtitle (self->location_row, description != NULL ? description : _("None"));
    }

  /* The socket the app serves while it hosts the engine; a remote engine's own when it is one;
   * else where hatake serve listens by default. */
  if (api_socket != NULL)
    self->socket = g_strdup (api_socket);
  else if (engine != NULL && HATAKE_IS_CLIENT_ENGINE (engine) && description != NULL &&
           g_str_has_prefix (description, "unix://"))
    self->socket = g_strdup (description + strlen ("unix://"));
  else
    self->socket = default_serve_socket ();

  adw_action_row_set_subtitle (self->socket_row, self->socket);
  command = hatake_preferences_window_dup_context_command (self);
  adw_action_row_set_subtitle (self->context_row, command);
}

/**
 * hatake_preferences_window_new:
 *
 * Returns: (transfer none): the window, not yet shown
 */
GtkWidget *
hatake_preferences_window_new (GtkWindow    *parent,
                               GSettings    *settings,
                               HatakeEngine *engine,
                               const char   *engine_label,
                               const char   *api_socket)
{
  HatakePreferencesWindow *self;
  g_autofree char *path = hatake_preferences_autostart_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine), NULL);

  self = g_object_new (HATAKE_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);

  if (settings != NULL)
    {
      g_autoptr(GSettingsSchema) schema = NULL;

      self->settings = g_object_ref (settings);
      sync_theme_row (self);
      g_signal_connect_object (settings, "changed::color-scheme", G_CALLBACK (sync_theme_row), self,
                               G_CONNECT_SWAPPED);
      g_object_get (settings, "settings-schema", &schema, NULL);
      if (g_settings_schema_has_key (schema, "log-max-size"))
        g_settings_bind (settings, "log-max-size", self->log_size_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      else
        gtk_widget_set_sensitive (GTK_WIDGET (self->log_row), FALSE);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->theme_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->log_row), FALSE);
    }
  g_signal_connect_object (self->theme_row, "notify::selected", G_CALLBACK (on_theme_selected), self,
                           G_CONNECT_SWAPPED);

  set_engine (self, engine, engine_label, api_socket);

  gtk_widget_set_sensitive (GTK_WIDGET (self->autostart_switch), FALSE);
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, self->cancellable, autostart_queried, g_object_ref (self));

  return GTK_WIDGET (self);
}

static void
hatake_preferences_window_dispose (GObject *object)
{
  HatakePreferencesWindow *self = HATAKE_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->log_size_adjustment != NULL)
    g_settings_unbind (self->log_size_adjustment, "value");
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (hatake_preferences_window_parent_class)->dispose (object);
}

static void
hatake_preferences_window_finalize (GObject *object)
{
  HatakePreferencesWindow *self = HATAKE_PREFERENCES_WINDOW (object);

  g_free (self->socket);

  G_OBJECT_CLASS (hatake_preferences_window_parent_class)->finalize (object);
}

static void
hatake_preferences_window_class_init (HatakePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hatake_preferences_window_dispose;
  object_class->finalize = hatake_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakePreferencesWindow, theme_row);
  gtk_widget_class_bind_template_child (widget_class, HatakePreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, HatakePreferencesWindow, engine_row);
  gtk_widget_class_bind_template_child (widget_class, HatakePreferencesWindow, location_row);
  gtk_widget_class_bind_template_child (widget_class, HatakePreferencesWindow, socket_row);
  gtk_widget_class_bind_template_child (widget_class, HatakePreferencesWindow, context_row);
  gtk_widget_class_bind_template_child (widget_class, HatakePreferencesWindow, log_row);
  gtk_widget_class_bind_template_child (widget_class, HatakePreferencesWindow, log_size_adjustment);
  gtk_widget_class_bind_template_callback (widget_class, on_autostart_active);

  gtk_widget_class_install_action (widget_class, "preferences.copy-socket", NULL, copy_socket_activated);
  gtk_widget_class_install_action (widget_class, "preferences.copy-context", NULL, copy_context_activated);
}

static void
hatake_preferences_window_init (HatakePreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}
