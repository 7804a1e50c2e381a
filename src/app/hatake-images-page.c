/* hatake-images-page.c: the list of images
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cells are declared in hatake-images-page.ui; this file keeps the closures that turn an
 * image's properties into text, the switch between the list and the empty state, and the
 * actions: pull (a dialog), run (a dialog) and delete (after a confirmation).
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hatake-image.h"
#include "hatake-images-page.h"
#include "hatake-pull-dialog.h"
#include "hatake-run-dialog.h"
#include "hatake-widget-utils.h"

struct _HatakeImagesPage
{
  GtkWidget           parent_instance;

  HatakeEngine       *engine;
  GCancellable       *cancellable;

  AdwToastOverlay    *toast_overlay;
  GtkStack           *stack;
  GtkColumnView      *column_view;
  GtkSortListModel   *sort_model;
};

G_DEFINE_FINAL_TYPE (HatakeImagesPage, hatake_images_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "registry:5000/a/b:tag" → "registry:5000/a/b" and "tag": the tag is after the last colon that
 * follows the last slash, so a registry's port is never taken for a tag. */
static void
split_repo_tag (const char  *repo_tag,
                char       **repository,
                char       **tag)
{
  const char *colon = strrchr (repo_tag, ':');
  const char *slash = strrchr (repo_tag, '/');

  if (colon != NULL && (slash == NULL || colon > slash))
    {
      *repository = g_strndup (repo_tag, colon - repo_tag);
      *tag = g_strdup (colon + 1);
    }
  else
    {
      *repository = g_strdup (repo_tag);
      *tag = g_strdup ("<none>");
    }
}

char *
hatake_images_format_repository (const char * const *repo_tags)
{
  g_autoptr(GPtrArray) repositories = g_ptr_array_new_with_free_func (g_free);
  gboolean all_same = TRUE;

  if (repo_tags == NULL || repo_tags[0] == NULL)
    return g_strdup ("<none>");

  for (guint i = 0; repo_tags[i] != NULL; i++)
    {
      char *repository, *tag;

      split_repo_tag (repo_tags[i], &repository, &tag);
      g_free (tag);
      if (repositories->len > 0 && strcmp (repositories->pdata[0], repository) != 0)
        all_same = FALSE;
      g_ptr_array_add (repositories, repository);
    }

  /* One repository with several tags shows once; several repositories show in the order of the
   * tags, so the two columns read side by side. */
  if (all_same)
    return g_strdup (repositories->pdata[0]);

  g_ptr_array_add (repositories, NULL);
  return g_strjoinv (", ", (char **) repositories->pdata);
}

char *
hatake_images_format_tag (const char * const *repo_tags)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);

  if (repo_tags == NULL || repo_tags[0] == NULL)
    return g_strdup ("<none>");

  for (guint i = 0; repo_tags[i] != NULL; i++)
    {
      char *repository, *tag;

      split_repo_tag (repo_tags[i], &repository, &tag);
      g_free (repository);
      g_ptr_array_add (tags, tag);
    }

  g_ptr_array_add (tags, NULL);
  return g_strjoinv (", ", (char **) tags->pdata);
}

char *
hatake_images_format_created (gint64 created,
                              gint64 now)
{
  gint64 age = now - created;
  int n;

  if (created <= 0)
    return g_strdup (_("Unknown"));

  /* A clock that went back makes images from the future: call them new. */
  if (age < 60)
    return g_strdup (_("Just now"));

  if (age < 60 * 60)
    {
      n = age / 60;
      return g_strdup_printf (ngettext ("%d minute ago", "%d minutes ago", n), n);
    }

  if (age < 24 * 60 * 60)
    {
      n = age / (60 * 60);
      return g_strdup_printf (ngettext ("%d hour ago", "%d hours ago", n), n);
    }

  if (age < 30 * 24 * 60 * 60)
    {
      n = age / (24 * 60 * 60);
      return g_strdup_printf (ngettext ("%d day ago", "%d days ago", n), n);
    }

  if (age < 365 * 24 * 60 * 60)
    {
      n = age / (30 * 24 * 60 * 60);
      return g_strdup_printf (ngettext ("%d month ago", "%d months ago", n), n);
    }

  n = age / (365 * 24 * 60 * 60);
  return g_strdup_printf (ngettext ("%d year ago", "%d years ago", n), n);
}

static char *
repository_text (GtkListItem        *item,
                 const char * const *repo_tags)
{
  return hatake_images_format_repository (repo_tags);
}

static char *
tag_text (GtkListItem        *item,
          const char * const *repo_tags)
{
  return hatake_images_format_tag (repo_tags);
}

static char *
created_text (GtkListItem *item,
              gint64       created)
{
  return hatake_images_format_created (created, g_get_real_time () / G_USEC_PER_SEC);
}

static char *
size_text (GtkListItem *item,
           gint64       size)
{
  return g_format_size (MAX (size, 0));
}

static void
update_visible_page (HatakeImagesPage *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "list" : "empty");
}

static void
on_items_changed (HatakeImagesPage *self,
                  guint             position,
                  guint             removed,
                  guint             added,
                  GListModel       *model)
{
  update_visible_page (self);
}

static HatakeImage *
find_image (HatakeImagesPage *self,
            const char       *id)
{
  GListModel *model = G_LIST_MODEL (self->sort_model);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (model, i);

      if (g_strcmp0 (hatake_image_get_id (image), id) == 0)
        return g_steal_pointer (&image);
    }
  return NULL;
}

/* The image as the run dialog names it: a tag reads better than an ID. */
static const char *
run_reference (HatakeImage *image)
{
  const char * const *tags = hatake_image_get_repo_tags (image);

  return tags != NULL && tags[0] != NULL ? tags[0] : hatake_image_get_id (image);
}

/* The image as deleting names it: its tag when it has exactly one (removing that tag removes the
 * image, as `docker rmi` does), else its ID, so a second tag is not just untagged. */
static const char *
delete_reference (HatakeImage *image)
{
  const char * const *tags = hatake_image_get_repo_tags (image);

  if (tags != NULL && tags[0] != NULL && tags[1] == NULL)
    return tags[0];
  return hatake_image_get_id (image);
}

/**
 * hatake_images_page_open_pull_dialog:
 *
 * Returns: (transfer none) (nullable): the pull dialog, shown; %NULL without an engine
 */
GtkWidget *
hatake_images_page_open_pull_dialog (HatakeImagesPage *self)
{
  HatakeEngine *engine;
  GtkWidget *dialog;

  g_return_val_if_fail (HATAKE_IS_IMAGES_PAGE (self), NULL);

  if ((engine = self->engine) == NULL)
    return NULL;
  dialog = hatake_pull_dialog_new (hatake_widget_get_window (GTK_WIDGET (self)), engine);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/**
 * hatake_images_page_open_run_dialog:
 *
 * Returns: (transfer none) (nullable): the run dialog for @image, shown; %NULL without an engine
 */
GtkWidget *
hatake_images_page_open_run_dialog (HatakeImagesPage *self,
                                    HatakeImage      *image)
{
  HatakeEngine *engine;
  GtkWidget *dialog;

  g_return_val_if_fail (HATAKE_IS_IMAGES_PAGE (self), NULL);
  g_return_val_if_fail (HATAKE_IS_IMAGE (image), NULL);

  if ((engine = self->engine) == NULL)
    return NULL;
  dialog = hatake_run_dialog_new (hatake_widget_get_window (GTK_WIDGET (self)), engine, run_reference (image));
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

typedef struct
{
  GWeakRef  page;
  char     *reference;
} DeleteData;

static void
delete_data_free (DeleteData *data)
{
  g_weak_ref_clear (&data->page);
  g_free (data->reference);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeleteData, delete_data_free)

static void
delete_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(DeleteData) data = user_data;
  g_autoptr(HatakeImagesPage) self = g_weak_ref_get (&data->page);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  node = hatake_engine_remove_image_finish (HATAKE_ENGINE (source), result, &error);
  if (error == NULL || self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Mostly a conflict: a container was made from it. The engine says which. */
  text = g_strdup_printf (_("Could not delete “%s”: %s"), data->reference, error->message);
  hatake_toast_show (self->toast_overlay, text, TRUE);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  g_autoptr(HatakeImagesPage) self = g_weak_ref_get (user_data);
  const char *reference = g_object_get_data (G_OBJECT (dialog), "hatake-reference");
  HatakeEngine *engine;
  DeleteData *data;

  if (self == NULL || g_strcmp0 (response, "delete") != 0 || (engine = self->engine) == NULL)
    return;

  data = g_new0 (DeleteData, 1);
  g_weak_ref_init (&data->page, self);
  data->reference = g_strdup (reference);
  hatake_engine_remove_image_async (engine, reference, FALSE, self->cancellable, delete_done, data);
}

static void
weak_ref_free (gpointer  data,
               GClosure *closure)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/**
 * hatake_images_page_confirm_delete:
 *
 * Asks whether to delete @image, and deletes it when the answer is yes.
 *
 * Returns: (transfer none): the question, shown
 */
GtkWidget *
hatake_images_page_confirm_delete (HatakeImagesPage *self,
                                   HatakeImage      *image)
{
  const char *reference;
  g_autofree char *body = NULL;
  GWeakRef *page_ref;
  GtkWidget *dialog;

  g_return_val_if_fail (HATAKE_IS_IMAGES_PAGE (self), NULL);
  g_return_val_if_fail (HATAKE_IS_IMAGE (image), NULL);

  reference = delete_reference (image);
  body = g_strdup_printf (_("“%s” will be deleted. An image that containers were made from stays until they are deleted."),
                          reference);
  dialog = adw_message_dialog_new (hatake_widget_get_window (GTK_WIDGET (self)), _("Delete Image?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "hatake-reference", g_strdup (reference), g_free);

  page_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (page_ref, self);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_delete_response), page_ref,
                         weak_ref_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
pull_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  hatake_images_page_open_pull_dialog (HATAKE_IMAGES_PAGE (widget));
}

static void
run_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HatakeImagesPage *self = HATAKE_IMAGES_PAGE (widget);
  g_autoptr(HatakeImage) image = find_image (self, g_variant_get_string (parameter, NULL));

  if (image != NULL)
    hatake_images_page_open_run_dialog (self, image);
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HatakeImagesPage *self = HATAKE_IMAGES_PAGE (widget);
  g_autoptr(HatakeImage) image = find_image (self, g_variant_get_string (parameter, NULL));

  if (image != NULL)
    hatake_images_page_confirm_delete (self, image);
}

static GtkWidget *
row_button (const char *name,
            const char *icon_name,
            const char *label,
            const char *action_name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_name (button, name);
  /* The target comes first, so the action never sees a button without one; bind sets the
   * row's image ID. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (""));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  return button;
}

static void
actions_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HatakeImagesPage         *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);

  gtk_widget_add_css_class (box, "row-actions");
  gtk_box_append (GTK_BOX (box), row_button ("run", "media-playback-start-symbolic", _("Run…"), "images.run"));
  gtk_box_append (GTK_BOX (box), row_button ("delete", "user-trash-symbolic", _("Delete…"), "images.delete"));
  gtk_list_item_set_child (item, box);
}

static void
actions_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HatakeImagesPage         *self)
{
  HatakeImage *image = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GVariant *target = g_variant_ref_sink (g_variant_new_string (hatake_image_get_id (image)));

  for (GtkWidget *button = gtk_widget_get_first_child (box); button != NULL;
       button = gtk_widget_get_next_sibling (button))
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  g_variant_unref (target);
}

GtkWidget *
hatake_images_page_new (void)
{
  return g_object_new (HATAKE_TYPE_IMAGES_PAGE, NULL);
}

GListModel *
hatake_images_page_get_model (HatakeImagesPage *self)
{
  g_return_val_if_fail (HATAKE_IS_IMAGES_PAGE (self), NULL);

  return gtk_sort_list_model_get_model (self->sort_model);
}

void
hatake_images_page_set_model (HatakeImagesPage *self,
                              GListModel       *model)
{
  g_return_if_fail (HATAKE_IS_IMAGES_PAGE (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (gtk_sort_list_model_get_model (self->sort_model) == model)
    return;

  gtk_sort_list_model_set_model (self->sort_model, model);
  update_visible_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/**
 * hatake_images_page_get_engine:
 *
 * Returns: (transfer none) (nullable): the engine the page pulls, runs and deletes with
 */
HatakeEngine *
hatake_images_page_get_engine (HatakeImagesPage *self)
{
  g_return_val_if_fail (HATAKE_IS_IMAGES_PAGE (self), NULL);

  return self->engine;
}

/**
 * hatake_images_page_set_engine:
 *
 * Sets the engine the page pulls, runs and deletes with, and shows its images.
 */
void
hatake_images_page_set_engine (HatakeImagesPage *self,
                               HatakeEngine     *engine)
{
  g_return_if_fail (HATAKE_IS_IMAGES_PAGE (self));
  g_return_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;
  if (engine != NULL)
    hatake_images_page_set_model (self, hatake_engine_get_images (engine));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

static void
hatake_images_page_dispose (GObject *object)
{
  HatakeImagesPage *self = HATAKE_IMAGES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_IMAGES_PAGE);

  G_OBJECT_CLASS (hatake_images_page_parent_class)->dispose (object);
}

static void
hatake_images_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HatakeImagesPage *self = HATAKE_IMAGES_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, hatake_images_page_get_model (self));
      break;

    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_images_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  HatakeImagesPage *self = HATAKE_IMAGES_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      hatake_images_page_set_model (self, g_value_get_object (value));
      break;

    case PROP_ENGINE:
      hatake_images_page_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_images_page_class_init (HatakeImagesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hatake_images_page_dispose;
  object_class->get_property = hatake_images_page_get_property;
  object_class->set_property = hatake_images_page_set_property;

  /**
   * HatakeImagesPage:model:
   *
   * The images to show, a #GListModel of #HatakeImage (the engine's live model).
   */
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * HatakeImagesPage:engine:
   *
   * The engine the page pulls, runs and deletes with; %NULL: the window's.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HATAKE_TYPE_IMAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-images-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeImagesPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HatakeImagesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeImagesPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, HatakeImagesPage, sort_model);
  gtk_widget_class_bind_template_callback (widget_class, repository_text);
  gtk_widget_class_bind_template_callback (widget_class, tag_text);
  gtk_widget_class_bind_template_callback (widget_class, created_text);
  gtk_widget_class_bind_template_callback (widget_class, size_text);
  gtk_widget_class_bind_template_callback (widget_class, actions_setup);
  gtk_widget_class_bind_template_callback (widget_class, actions_bind);

  gtk_widget_class_install_action (widget_class, "images.pull", NULL, pull_activated);
  gtk_widget_class_install_action (widget_class, "images.run", "s", run_activated);
  gtk_widget_class_install_action (widget_class, "images.delete", "s", delete_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "imagespage");
}

static void
hatake_images_page_init (HatakeImagesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->sort_model, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  update_visible_page (self);
}
