/* hatake-window.c: hatake-desktop's main window
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sidebar of sections and a stack of pages, or, when there is no engine to show, one status
 * page that says why. A window may come before its engine (the app opens its own engine after
 * the window's first frame): its sections stay empty until hatake_window_set_engine().
 *
 * A section's page is built the first time the section is chosen (or asked for with
 * hatake_window_get_page), on the window's engine: the first frame waits for the page the window
 * opens on only, and a section never opened costs nothing.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>

#include "hatake-containers-page.h"
#include "hatake-disk-page.h"
#include "hatake-images-page.h"
#include "hatake-networks-page.h"
#include "hatake-projects-page.h"
#include "hatake-volumes-page.h"
#include "hatake-window.h"
#include "hatake-widget-utils.h"
#include "hatake-window-compose.h"

struct _HatakeWindow
{
  AdwApplicationWindow  parent_instance;

  HatakeEngine         *engine;

  GtkStack             *main_stack;
  AdwStatusPage        *message_page;
  GtkMenuButton        *engine_button;
  GtkMenuButton        *message_engine_button;
  GtkMenuButton        *menu_button;
  GtkMenuButton        *message_menu_button;
  GMenuModel           *primary_menu;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar;
  GtkListBoxRow        *images_row;
  GtkBox               *content_box;
  GtkStack             *content_stack;
  AdwWindowTitle       *content_title;
};

/* The sections by the names of their rows and of their places (AdwBins) in content_stack */
static const struct {
  const char *name;
  GType     (*get_type) (void);
} sections[] = {
  { "containers", hatake_containers_page_get_type },
  { "images", hatake_images_page_get_type },
  { "volumes", hatake_volumes_page_get_type },
  { "networks", hatake_networks_page_get_type },
  { "projects", hatake_projects_page_get_type },
  { "disk", hatake_disk_page_get_type },
};

G_DEFINE_FINAL_TYPE (HatakeWindow, hatake_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

HatakeWindow *
hatake_window_new (GtkApplication *application,
                   HatakeEngine   *engine)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine), NULL);

  return g_object_new (HATAKE_TYPE_WINDOW,
                       "application", application,
                       "engine", engine,
                       NULL);
}

HatakeEngine *
hatake_window_get_engine (HatakeWindow *self)
{
  g_return_val_if_fail (HATAKE_IS_WINDOW (self), NULL);

  return self->engine;
}

/**
 * hatake_window_get_page:
 * @name: a section's name: "containers", "images", "volumes", "networks", "projects" or "disk"
 *
 * The section's page (a #HatakeContainersPage, #HatakeImagesPage, …), built now on the window's
 * engine if the section was not shown yet.
 *
 * Returns: (transfer none): the page
 */
GtkWidget *
hatake_window_get_page (HatakeWindow *self,
                        const char   *name)
{
  GtkWidget *slot;
  GtkWidget *page;

  g_return_val_if_fail (HATAKE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  slot = gtk_stack_get_child_by_name (self->content_stack, name);
  g_return_val_if_fail (ADW_IS_BIN (slot), NULL);

  page = adw_bin_get_child (ADW_BIN (slot));
  if (page != NULL)
    return page;

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    if (g_str_equal (sections[i].name, name))
      {
        page = g_object_new (sections[i].get_type (), "engine", self->engine, NULL);
        adw_bin_set_child (ADW_BIN (slot), page);
        return page;
      }
  g_return_val_if_reached (NULL);
}

/**
 * hatake_window_set_engine:
 * @engine: the engine the window shows from now on
 *
 * Gives a window made without an engine the one it shows, once that is open: the section shown
 * fills in on it. A window's engine is set once only.
 */
void
hatake_window_set_engine (HatakeWindow *self,
                          HatakeEngine *engine)
{
  const char *visible;

  g_return_if_fail (HATAKE_IS_WINDOW (self));
  g_return_if_fail (HATAKE_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  /* a page asked for before (hatake_window_get_page) was built on no engine */
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    adw_bin_set_child (ADW_BIN (gtk_stack_get_child_by_name (self->content_stack, sections[i].name)), NULL);
  visible = gtk_stack_get_visible_child_name (self->content_stack);
  if (visible != NULL)
    hatake_window_get_page (self, visible);
  gtk_stack_set_visible_child_name (self->main_stack, "engine");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

/**
 * hatake_window_show_loading:
 *
 * Shows the sections, empty, while the engine opens (hatake_window_set_engine() fills them).
 */
void
hatake_window_show_loading (HatakeWindow *self)
{
  g_return_if_fail (HATAKE_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->main_stack, "engine");
}

/**
 * hatake_window_show_message:
 * @description: Pango markup
 *
 * Replaces the window's content with a status page, for when there is no engine to show.
 */
void
hatake_window_show_message (HatakeWindow *self,
                            const char   *icon_name,
                            const char   *title,
                            const char   *description)
{
  g_return_if_fail (HATAKE_IS_WINDOW (self));

  adw_status_page_set_icon_name (self->message_page, icon_name);
  adw_status_page_set_title (self->message_page, title);
  adw_status_page_set_description (self->message_page, description);
  gtk_stack_set_visible_child_name (self->main_stack, "message");
}

/**
 * hatake_window_set_engine_switcher:
 * @engines: the engines to choose from (items of app.engine)
 * @label: what the switcher says of the engine shown
 * @description: (nullable): where it is (the tooltip)
 *
 * Fills the switcher in the header (and in the message page's, so that another engine can be
 * chosen when this one cannot be reached).
 */
void
hatake_window_set_engine_switcher (HatakeWindow *self,
                                   GMenuModel   *engines,
                                   const char   *label,
                                   const char   *description)
{
  GtkMenuButton *buttons[] = { self->engine_button, self->message_engine_button };

  g_return_if_fail (HATAKE_IS_WINDOW (self));

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      g_autofree char *tooltip = description ? g_strdup_printf (_("Engine: %s"), description) : NULL;

      hatake_menu_button_set_menu_on_demand (buttons[i], engines);
      gtk_menu_button_set_label (buttons[i], label ? label : _("Engine"));
      gtk_menu_button_set_always_show_arrow (buttons[i], TRUE);
      if (tooltip != NULL)
        gtk_widget_set_tooltip_text (GTK_WIDGET (buttons[i]), tooltip);
    }
}

static void
on_sidebar_row_selected (HatakeWindow  *self,
                         GtkListBoxRow *row,
                         GtkListBox    *sidebar)
{
  if (row != NULL)
    {
      const char *name = gtk_widget_get_name (GTK_WIDGET (row));

      /* (with no engine yet, hatake_window_set_engine builds the page shown) */
      if (self->engine != NULL)
        hatake_window_get_page (self, name);
      gtk_stack_set_visible_child_name (self->content_stack, name);
    }
}

static void
on_sidebar_row_activated (HatakeWindow  *self,
                          GtkListBoxRow *row,
                          GtkListBox    *sidebar)
{
  /* Folded, the sidebar covers the content: choosing a section goes to it. */
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_box));
}

static void
on_content_page_changed (HatakeWindow *self,
                         GParamSpec   *pspec,
                         GtkStack     *stack)
{
  GtkWidget *child = gtk_stack_get_visible_child (stack);
  const char *title = NULL;

  if (child != NULL)
    title = gtk_stack_page_get_title (gtk_stack_get_page (stack, child));
  adw_window_title_set_title (self->content_title, title);
}

static void
show_sidebar_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  HatakeWindow *self = HATAKE_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* The shortcuts window is built the first time it is asked for: GtkApplication would build it
 * with every window, from gtk/help-overlay.ui, before the window's first frame. */
static void
show_help_overlay_activated (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  GtkApplicationWindow *window = user_data;
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder =
        gtk_builder_new_from_resource ("/io/github/hatake/Desktop/hatake-shortcuts-window.ui");

      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      /* modal, transient for the window, hidden on close, destroyed with it; this action stays */
      gtk_application_window_set_help_overlay (window, overlay);
    }
  gtk_window_present (GTK_WINDOW (overlay));
}

static void
hatake_window_constructed (GObject *object)
{
  HatakeWindow *self = HATAKE_WINDOW (object);

  G_OBJECT_CLASS (hatake_window_parent_class)->constructed (object);

  /* Images is the section the window opens on; its page is built with the engine (the engine
   * property is set after this, hatake_window_set_engine). */
  gtk_list_box_select_row (self->sidebar, self->images_row);

  /* Until an engine comes, callers replace this with the reason or with the loading sections;
   * an empty window would only puzzle. */
  hatake_window_show_message (self, "computer-fail-symbolic", _("No Engine"), NULL);
}

static void
hatake_window_dispose (GObject *object)
{
  HatakeWindow *self = HATAKE_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_WINDOW);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hatake_window_parent_class)->dispose (object);
}

static void
hatake_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HatakeWindow *self = HATAKE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HatakeWindow *self = HATAKE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      if (g_value_get_object (value) != NULL)
        hatake_window_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_window_class_init (HatakeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = hatake_window_constructed;
  object_class->dispose = hatake_window_dispose;
  object_class->get_property = hatake_window_get_property;
  object_class->set_property = hatake_window_set_property;

  /**
   * HatakeWindow:engine:
   *
   * The engine the window shows, or %NULL when there is none (the window then shows a message,
   * or, while its engine opens, its sections empty). Set once only.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, message_page);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, engine_button);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, message_engine_button);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, message_menu_button);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, images_row);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeWindow, content_title);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_content_page_changed);

  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
hatake_window_init (HatakeWindow *self)
{
  static const GActionEntry actions[] = {
    { .name = "show-help-overlay", .activate = show_help_overlay_activated },
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  hatake_menu_button_set_menu_on_demand (self->menu_button, self->primary_menu);
  hatake_menu_button_set_menu_on_demand (self->message_menu_button, self->primary_menu);
  _hatake_window_compose_init (self);
}
