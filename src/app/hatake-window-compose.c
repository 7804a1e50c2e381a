/* hatake-window-compose.c: the window's ways to open a compose project
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A compose file (or a folder holding one) dropped anywhere on the window, chosen in "Open
 * Compose File…", or given on the command line (GApplication open) opens the same preview,
 * HatakeComposeDialog; once its project is up the window shows the Projects page on it.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>

#include "hatake-compose-dialog.h"
#include "hatake-projects-page.h"
#include "hatake-window-compose.h"

#define DROP_TARGET_KEY "hatake-compose-drop-target"

static void
on_dialog_state (HatakeComposeDialog *dialog,
                 GParamSpec          *pspec,
                 HatakeWindow        *self)
{
  GtkListBox *sidebar;
  HatakeProjectsPage *page;

  if (hatake_compose_dialog_get_state (dialog) != HATAKE_COMPOSE_DIALOG_DONE)
    return;

  /* The project just started is what the user wants to see next. */
  sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (self), HATAKE_TYPE_WINDOW, "sidebar"));
  page = HATAKE_PROJECTS_PAGE (hatake_window_get_page (self, "projects"));
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (sidebar)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), "projects") == 0)
      gtk_list_box_select_row (sidebar, GTK_LIST_BOX_ROW (row));
  hatake_projects_page_select (page, hatake_compose_project_get_name (hatake_compose_dialog_get_project (dialog)));
}

static GtkWidget *
present_dialog (HatakeWindow *self,
                GtkWidget    *dialog)
{
  g_signal_connect_object (dialog, "notify::state", G_CALLBACK (on_dialog_state), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

GtkWidget *
hatake_window_open_compose_file (HatakeWindow *self,
                                 GFile        *file)
{
  g_return_val_if_fail (HATAKE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  return present_dialog (self, hatake_compose_dialog_new (GTK_WINDOW (self), hatake_window_get_engine (self), file));
}

GtkWidget *
hatake_window_drop_compose_files (HatakeWindow *self,
                                  GdkFileList  *files)
{
  g_autoptr(GSList) list = NULL;

  g_return_val_if_fail (HATAKE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (files != NULL, NULL);

  /* (the list's files are the list's) */
  list = gdk_file_list_get_files (files);
  if (list == NULL)
    return NULL;
  if (list->next == NULL)
    return hatake_window_open_compose_file (self, list->data);

  /* Several: one project, the files merged in the order they came, as `compose -f A -f B` */
  {
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    g_auto(GStrv) more = NULL;

    for (GSList *l = list->next; l != NULL; l = l->next)
      {
        g_autofree char *uri = g_file_get_uri (l->data);

        g_strv_builder_add (builder, uri);
      }
    more = g_strv_builder_end (builder);
    return present_dialog (self, g_object_new (HATAKE_TYPE_COMPOSE_DIALOG,
                                               "transient-for", self,
                                               "engine", hatake_window_get_engine (self),
                                               "file", list->data,
                                               "more-files", more,
                                               NULL));
  }
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         HatakeWindow  *self)
{
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  return hatake_window_drop_compose_files (self, g_value_get_boxed (value)) != NULL;
}

GtkDropTarget *
hatake_window_get_compose_drop_target (HatakeWindow *self)
{
  g_return_val_if_fail (HATAKE_IS_WINDOW (self), NULL);

  return g_object_get_data (G_OBJECT (self), DROP_TARGET_KEY);
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     HatakeWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        hatake_window_open_compose_file (self, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
open_compose_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  HatakeWindow *self = HATAKE_WINDOW (user_data);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) compose = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Open Compose File"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (compose, _("Compose Files"));
  gtk_file_filter_add_pattern (compose, "*.yaml");
  gtk_file_filter_add_pattern (compose, "*.yml");
  gtk_file_filter_add_mime_type (compose, "application/yaml");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), compose);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
_hatake_window_compose_init (HatakeWindow *self)
{
  g_autoptr(GSimpleAction) action = g_simple_action_new ("open-compose", NULL);
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();

  g_signal_connect_object (target, "drop", G_CALLBACK (on_drop), self, 0);
  g_object_set_data (G_OBJECT (self), DROP_TARGET_KEY, target);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  g_signal_connect_object (action, "activate", G_CALLBACK (open_compose_activated), self, 0);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>o"),
                                                          gtk_named_action_new ("win.open-compose")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}
