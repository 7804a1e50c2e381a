/* hatake-images-page.c: the list of images
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cells are declared in hatake-images-page.ui; this file keeps the closures that turn an
 * image's properties into text, and the switch between the list and the empty state.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hatake-image.h"
#include "hatake-images-page.h"

struct _HatakeImagesPage
{
  GtkWidget           parent_instance;

  GtkStack           *stack;
  GtkColumnView      *column_view;
  GtkSortListModel   *sort_model;
};

G_DEFINE_FINAL_TYPE (HatakeImagesPage, hatake_images_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
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

static void
hatake_images_page_dispose (GObject *object)
{
  HatakeImagesPage *self = HATAKE_IMAGES_PAGE (object);

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

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HATAKE_TYPE_IMAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-images-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeImagesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeImagesPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, HatakeImagesPage, sort_model);
  gtk_widget_class_bind_template_callback (widget_class, repository_text);
  gtk_widget_class_bind_template_callback (widget_class, tag_text);
  gtk_widget_class_bind_template_callback (widget_class, created_text);
  gtk_widget_class_bind_template_callback (widget_class, size_text);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "imagespage");
}

static void
hatake_images_page_init (HatakeImagesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->sort_model, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  update_visible_page (self);
}
