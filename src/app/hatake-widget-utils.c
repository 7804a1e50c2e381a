/* hatake-widget-utils.c: what the app's pages, cells and dialogs share — toasts, the window they
 * are in, a dialog's message line, menus built on demand
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include "hatake-widget-utils.h"

AdwToast *
hatake_toast_new (const char *text,
                  gboolean    sticky)
{
  /* A toast's title is markup: an engine's message or a name may hold "<" or "&". */
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_return_val_if_fail (text != NULL, NULL);

  markup = g_markup_escape_text (text, -1);
  toast = adw_toast_new (markup);
  /* Errors stay until dismissed; news of success goes by itself. */
  if (sticky)
    adw_toast_set_timeout (toast, 0);
  return toast;
}

void
hatake_toast_show (AdwToastOverlay *overlay,
                   const char      *text,
                   gboolean         sticky)
{
  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));
  g_return_if_fail (text != NULL);

  adw_toast_overlay_add_toast (overlay, hatake_toast_new (text, sticky));
}

void
hatake_label_set_message (GtkLabel   *label,
                          const char *message,
                          const char *style)
{
  g_return_if_fail (GTK_IS_LABEL (label));

  gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "success");
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), style);
  gtk_label_set_text (label, message);
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

GtkWindow *
hatake_widget_get_window (GtkWidget *widget)
{
  GtkRoot *root;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  root = gtk_widget_get_root (widget);
  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
build_menu (GtkMenuButton *button,
            gpointer       user_data)
{
  /* Called only while the button has neither a popover nor a menu: once */
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (user_data));
}

void
hatake_menu_button_set_menu_on_demand (GtkMenuButton *button,
                                       GMenuModel    *menu)
{
  g_return_if_fail (GTK_IS_MENU_BUTTON (button));
  g_return_if_fail (G_IS_MENU_MODEL (menu));

  /* (a menu it had goes: the new one is built when the button next opens) */
  gtk_menu_button_set_menu_model (button, NULL);
  gtk_menu_button_set_create_popup_func (button, build_menu, g_object_ref (menu), g_object_unref);
}
