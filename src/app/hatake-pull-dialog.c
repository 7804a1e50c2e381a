/* hatake-pull-dialog.c: pull an image, with a progress bar per layer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The progress widgets are bound in hatake-pull-dialog.ui to the HatakePull of the running
 * pull (the :pull property): the engine updates it on the main thread and the bars follow. This
 * file validates the reference, starts and cancels the pull, and says how it ended.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hatake-pull-dialog.h"
#include "hatake-widget-utils.h"

struct _HatakePullDialog
{
  AdwWindow              parent_instance;

  HatakeEngine          *engine;
  HatakePull            *pull;
  GCancellable          *cancellable;
  HatakePullDialogState  state;
  gboolean               reference_valid;

  AdwEntryRow           *reference_row;
  AdwEntryRow           *platform_row;
  GtkButton             *pull_button;
  GtkButton             *cancel_button;
  GtkLabel              *message_label;
  GtkWidget             *progress_box;
};

G_DEFINE_FINAL_TYPE (HatakePullDialog, hatake_pull_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_PULL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
layer_digest_text (GtkListItem *item,
                   const char  *digest)
{
  const char *hex;

  if (digest == NULL)
    return NULL;
  /* Like docker's progress lines: twelve hex digits say which layer it is. */
  hex = strchr (digest, ':');
  hex = hex != NULL ? hex + 1 : digest;
  return g_strndup (hex, 12);
}

static char *
layer_state_text (GtkListItem      *item,
                  HatakeLayerState  state)
{
  return g_strdup (hatake_layer_state_to_string (state));
}

static void
update_buttons (HatakePullDialog *self)
{
  gboolean pulling = self->state == HATAKE_PULL_DIALOG_PULLING;

  gtk_widget_set_sensitive (GTK_WIDGET (self->pull_button), self->reference_valid && !pulling);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reference_row), !pulling);
  gtk_widget_set_sensitive (GTK_WIDGET (self->platform_row), !pulling);
  /* Cancel stops a pull; once none runs, the same button closes the dialog. */
  gtk_button_set_label (self->cancel_button,
                        self->state == HATAKE_PULL_DIALOG_IDLE || pulling ? _("_Cancel") : _("_Close"));
  gtk_widget_set_visible (self->progress_box, self->pull != NULL);
}

static void
on_reference_changed (HatakePullDialog *self,
                      GtkEditable      *editable)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (editable)));
  g_autoptr(HatakeReference) reference = NULL;
  g_autoptr(GError) error = NULL;

  if (*text != '\0')
    reference = hatake_reference_parse (text, &error);

  self->reference_valid = reference != NULL;
  /* An empty entry is not wrong yet: only what was typed and cannot be pulled is marked. */
  if (error != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->reference_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->reference_row), error->message);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->reference_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->reference_row), NULL);
    }
  update_buttons (self);
}

static void
set_state (HatakePullDialog      *self,
           HatakePullDialogState  state)
{
  self->state = state;
  update_buttons (self);
}

static void
pull_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HatakePullDialog) self = user_data;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = hatake_engine_pull_finish (HATAKE_ENGINE (source), result, &error);

  /* Destroyed while pulling: dispose cancelled the pull and let the widgets go. */
  if (self->cancellable == NULL)
    return;
  g_clear_object (&self->cancellable);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      hatake_label_set_message (self->message_label, _("Cancelled"), "dim-label");
      set_state (self, HATAKE_PULL_DIALOG_CANCELLED);
    }
  else if (error != NULL)
    {
      hatake_label_set_message (self->message_label, error->message, "error");
      set_state (self, HATAKE_PULL_DIALOG_FAILED);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Pulled %s"), hatake_pull_get_reference (self->pull));

      hatake_label_set_message (self->message_label, text, "success");
      set_state (self, HATAKE_PULL_DIALOG_DONE);
    }
}

/**
 * hatake_pull_dialog_start:
 *
 * Pulls the reference in the entry, as the Pull button does; nothing when it is not valid or a
 * pull runs.
 */
void
hatake_pull_dialog_start (HatakePullDialog *self)
{
  g_autofree char *reference = NULL;
  g_autofree char *platform = NULL;

  g_return_if_fail (HATAKE_IS_PULL_DIALOG (self));

  if (!self->reference_valid || self->state == HATAKE_PULL_DIALOG_PULLING || self->engine == NULL)
    return;

  reference = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reference_row))));
  platform = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->platform_row))));

  g_clear_object (&self->pull);
  self->pull = hatake_pull_new (reference);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PULL]);

  self->cancellable = g_cancellable_new ();
  hatake_label_set_message (self->message_label, NULL, NULL);
  set_state (self, HATAKE_PULL_DIALOG_PULLING);

  hatake_engine_pull_async (self->engine, reference, *platform != '\0' ? platform : NULL,
                            self->pull, self->cancellable, pull_done, g_object_ref (self));
}

/**
 * hatake_pull_dialog_cancel:
 *
 * Cancels the running pull, as the Cancel button does while one runs.
 */
void
hatake_pull_dialog_cancel (HatakePullDialog *self)
{
  g_return_if_fail (HATAKE_IS_PULL_DIALOG (self));

  if (self->state == HATAKE_PULL_DIALOG_PULLING)
    g_cancellable_cancel (self->cancellable);
}

static void
on_pull_clicked (HatakePullDialog *self)
{
  hatake_pull_dialog_start (self);
}

static void
on_cancel_clicked (HatakePullDialog *self)
{
  if (self->state == HATAKE_PULL_DIALOG_PULLING)
    hatake_pull_dialog_cancel (self);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static gboolean
hatake_pull_dialog_close_request (GtkWindow *window)
{
  HatakePullDialog *self = HATAKE_PULL_DIALOG (window);

  /* Closing is giving up: the pull stops with the dialog. */
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (hatake_pull_dialog_parent_class)->close_request (window);
}

GtkWidget *
hatake_pull_dialog_new (GtkWindow    *parent,
                        HatakeEngine *engine)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HATAKE_IS_ENGINE (engine), NULL);

  return g_object_new (HATAKE_TYPE_PULL_DIALOG,
                       "transient-for", parent,
                       "engine", engine,
                       NULL);
}

HatakeEngine *
hatake_pull_dialog_get_engine (HatakePullDialog *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL_DIALOG (self), NULL);

  return self->engine;
}

/**
 * hatake_pull_dialog_get_pull:
 *
 * Returns: (transfer none) (nullable): the progress of the last pull started
 */
HatakePull *
hatake_pull_dialog_get_pull (HatakePullDialog *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL_DIALOG (self), NULL);

  return self->pull;
}

HatakePullDialogState
hatake_pull_dialog_get_state (HatakePullDialog *self)
{
  g_return_val_if_fail (HATAKE_IS_PULL_DIALOG (self), HATAKE_PULL_DIALOG_IDLE);

  return self->state;
}

static void
hatake_pull_dialog_dispose (GObject *object)
{
  HatakePullDialog *self = HATAKE_PULL_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_PULL_DIALOG);
  g_clear_object (&self->pull);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hatake_pull_dialog_parent_class)->dispose (object);
}

static void
hatake_pull_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HatakePullDialog *self = HATAKE_PULL_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    case PROP_PULL:
      g_value_set_object (value, self->pull);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_pull_dialog_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  HatakePullDialog *self = HATAKE_PULL_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_pull_dialog_class_init (HatakePullDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hatake_pull_dialog_dispose;
  object_class->get_property = hatake_pull_dialog_get_property;
  object_class->set_property = hatake_pull_dialog_set_property;
  window_class->close_request = hatake_pull_dialog_close_request;

  /**
   * HatakePullDialog:engine:
   *
   * The engine that pulls.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HatakePullDialog:pull:
   *
   * The progress of the last pull started, which the progress bars and the layer list follow;
   * %NULL before the first.
   */
  properties[PROP_PULL] =
    g_param_spec_object ("pull", NULL, NULL, HATAKE_TYPE_PULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HATAKE_TYPE_PULL);
  g_type_ensure (HATAKE_TYPE_PULL_LAYER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-pull-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakePullDialog, reference_row);
  gtk_widget_class_bind_template_child (widget_class, HatakePullDialog, platform_row);
  gtk_widget_class_bind_template_child (widget_class, HatakePullDialog, pull_button);
  gtk_widget_class_bind_template_child (widget_class, HatakePullDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, HatakePullDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, HatakePullDialog, progress_box);
  /* Reachable for the tests, with no field of their own: the bindings in the .ui drive them. */
  gtk_widget_class_bind_template_child_full (widget_class, "status_label", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "overall_bar", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "layers_view", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_reference_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_pull_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, layer_digest_text);
  gtk_widget_class_bind_template_callback (widget_class, layer_state_text);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hatake_pull_dialog_init (HatakePullDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_buttons (self);
}
