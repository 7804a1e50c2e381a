/* hatake-run-dialog.c: create and start a container from an image
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The form reads like `hatake run -d`: a name, a command, the environment and the volumes, and
 * whether the container goes when it exits. Run creates the container, then starts it; the
 * dialog closes when both worked and shows the engine's message when one did not.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hatake-run-dialog.h"

struct _HatakeRunDialog
{
  AdwWindow        parent_instance;

  HatakeEngine    *engine;
  char            *image;
  GCancellable    *cancellable;
  char            *container_name;   /* of the one being started, for the messages */

  AdwWindowTitle  *window_title;
  GtkWidget       *form;
  GtkButton       *run_button;
  GtkLabel        *error_label;
  AdwEntryRow     *name_row;
  AdwEntryRow     *command_row;
  AdwEntryRow     *ports_row;
  GtkSwitch       *auto_remove_switch;
  GtkTextView     *env_view;
  GtkTextView     *volumes_view;
};

G_DEFINE_FINAL_TYPE (HatakeRunDialog, hatake_run_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_IMAGE,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Non-empty lines, trimmed, with their 1-based numbers, for the messages. */
static GPtrArray *
split_lines (const char *text,
             GArray     *numbers)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      guint number = i + 1;

      if (*line == '\0')
        continue;
      g_ptr_array_add (out, g_strdup (line));
      g_array_append_val (numbers, number);
    }
  return out;
}

/**
 * hatake_run_parse_env:
 * @env: (out) (transfer full): the KEY=VALUE lines, %NULL when there are none
 *
 * One KEY=VALUE per line; blank lines are skipped.
 */
gboolean
hatake_run_parse_env (const char  *text,
                      GStrv       *env,
                      GError     **error)
{
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) lines = split_lines (text, numbers);

  g_return_val_if_fail (env != NULL, FALSE);

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = lines->pdata[i];
      const char *eq = strchr (line, '=');

      if (eq == NULL || eq == line)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Environment, line %u: “%s” is not KEY=VALUE"),
                       g_array_index (numbers, guint, i), line);
          return FALSE;
        }
    }

  if (lines->len == 0)
    {
      *env = NULL;
      return TRUE;
    }
  g_ptr_array_add (lines, NULL);
  *env = (GStrv) g_ptr_array_steal (lines, NULL);
  return TRUE;
}

/* SRC:DST[:ro|rw|z|Z] or DST, as `hatake run -v` reads it (src/cli/hatake-cli-containers.c). */
static gboolean
add_volume (HatakeContainerConfig *config,
            const char            *spec)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", -1);
  guint n = g_strv_length (parts);
  gboolean ro = FALSE;

  if (n == 3)
    {
      if (g_str_equal (parts[2], "ro"))
        ro = TRUE;
      else if (!g_str_equal (parts[2], "rw") && !g_str_equal (parts[2], "z") && !g_str_equal (parts[2], "Z"))
        return FALSE;
    }
  /* A lone absolute path is an anonymous volume there. */
  if (n == 1 && g_path_is_absolute (parts[0]))
    {
      hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_VOLUME, NULL, parts[0], FALSE);
      return TRUE;
    }
  if ((n == 2 || n == 3) && g_path_is_absolute (parts[1]) && *parts[0] != '\0')
    {
      if (g_path_is_absolute (parts[0]))
        {
          g_autofree char *canonical = g_canonicalize_filename (parts[0], NULL);
          /* (as docker's -v: a missing source is made) */
          hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_BIND, canonical, parts[1], ro)->create_source =
            TRUE;
        }
      else
        hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_VOLUME, parts[0], parts[1], ro);
      return TRUE;
    }
  return FALSE;
}

/**
 * hatake_run_parse_volumes:
 *
 * Adds a mount to @config for each non-blank line of @text.
 */
gboolean
hatake_run_parse_volumes (HatakeContainerConfig  *config,
                          const char             *text,
                          GError                **error)
{
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) lines = split_lines (text, numbers);

  g_return_val_if_fail (config != NULL, FALSE);

  for (guint i = 0; i < lines->len; i++)
    if (!add_volume (config, lines->pdata[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("Volumes, line %u: “%s” is not SOURCE:TARGET[:ro]"),
                     g_array_index (numbers, guint, i), (const char *) lines->pdata[i]);
        return FALSE;
      }
  return TRUE;
}

static char *
text_view_get_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * hatake_run_dialog_build_config:
 *
 * Returns: (transfer full) (nullable): what the form asks for, or %NULL and an error that says
 *   which field is wrong
 */
HatakeContainerConfig *
hatake_run_dialog_build_config (HatakeRunDialog  *self,
                                GError          **error)
{
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();
  g_autofree char *name = NULL;
  g_autofree char *command = NULL;
  g_autofree char *env = NULL;
  g_autofree char *volumes = NULL;
  g_autofree char *ports = NULL;

  g_return_val_if_fail (HATAKE_IS_RUN_DIALOG (self), NULL);

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  command = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->command_row))));
  env = text_view_get_text (self->env_view);
  volumes = text_view_get_text (self->volumes_view);

  config->image = g_strdup (self->image);
  if (*name != '\0')
    config->name = g_steal_pointer (&name);

  if (*command != '\0')
    {
      g_autoptr(GError) local_error = NULL;

      if (!g_shell_parse_argv (command, NULL, &config->cmd, &local_error))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Command: %s"), local_error->message);
          return NULL;
        }
    }

  if (!hatake_run_parse_env (env, &config->env, error) ||
      !hatake_run_parse_volumes (config, volumes, error))
    return NULL;

  /* "8080:80, 127.0.0.1:5353:53/udp": docker's -p, as many as wanted */
  ports = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ports_row)));
  {
    g_auto(GStrv) specs = g_strsplit_set (ports, ", \t", -1);
    g_autoptr(GStrvBuilder) publish = g_strv_builder_new ();

    for (guint i = 0; specs[i] != NULL; i++)
      {
        HatakePortMapping mapping;
        g_autoptr(GError) local_error = NULL;

        if (*specs[i] == '\0')
          continue;
        if (!hatake_port_mapping_parse (specs[i], &mapping, &local_error))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Published ports: %s"),
                         local_error->message);
            return NULL;
          }
        g_strv_builder_add (publish, specs[i]);
      }
    config->publish = g_strv_builder_end (publish);
    if (config->publish[0] == NULL)
      g_clear_pointer (&config->publish, g_strfreev);
  }

  config->auto_remove = gtk_switch_get_active (self->auto_remove_switch);

  return g_steal_pointer (&config);
}

static void
show_error (HatakeRunDialog *self,
            const char      *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (HatakeRunDialog *self,
          gboolean         busy)
{
  if (busy)
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  else
    g_clear_object (&self->cancellable);

  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button), !busy);
  gtk_widget_set_sensitive (self->form, !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
start_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HatakeRunDialog) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  node = hatake_engine_container_op_finish (HATAKE_ENGINE (source), result, &error);
  if (self->cancellable == NULL)
    return;
  set_busy (self, FALSE);

  if (error == NULL)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  /* Like `docker run`, the container stays: the user can look at it or delete it. */
  message = g_strdup_printf (_("“%s” was created but could not start: %s"),
                             self->container_name, error->message);
  show_error (self, message);
}

static void
create_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HatakeRunDialog) self = user_data;
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(GError) error = NULL;

  container = hatake_engine_create_container_finish (HATAKE_ENGINE (source), result, &error);
  if (self->cancellable == NULL)
    return;

  if (container == NULL)
    {
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }

  g_free (self->container_name);
  self->container_name = g_strdup (hatake_container_get_name (container));
  hatake_engine_container_op_async (self->engine, hatake_container_get_id (container),
                                    HATAKE_CONTAINER_OP_START, NULL, self->cancellable,
                                    start_done, g_object_ref (self));
}

/**
 * hatake_run_dialog_run:
 *
 * Creates and starts the container the form describes, as the Run button does.
 */
void
hatake_run_dialog_run (HatakeRunDialog *self)
{
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HATAKE_IS_RUN_DIALOG (self));

  if (self->cancellable != NULL || self->engine == NULL)
    return;

  config = hatake_run_dialog_build_config (self, &error);
  if (config == NULL)
    {
      show_error (self, error->message);
      return;
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  hatake_engine_create_container_async (self->engine, config, self->cancellable,
                                        create_done, g_object_ref (self));
}

static void
on_run_clicked (HatakeRunDialog *self)
{
  hatake_run_dialog_run (self);
}

GtkWidget *
hatake_run_dialog_new (GtkWindow    *parent,
                       HatakeEngine *engine,
                       const char   *image)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HATAKE_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (image != NULL, NULL);

  return g_object_new (HATAKE_TYPE_RUN_DIALOG,
                       "transient-for", parent,
                       "engine", engine,
                       "image", image,
                       NULL);
}

HatakeEngine *
hatake_run_dialog_get_engine (HatakeRunDialog *self)
{
  g_return_val_if_fail (HATAKE_IS_RUN_DIALOG (self), NULL);

  return self->engine;
}

const char *
hatake_run_dialog_get_image (HatakeRunDialog *self)
{
  g_return_val_if_fail (HATAKE_IS_RUN_DIALOG (self), NULL);

  return self->image;
}

gboolean
hatake_run_dialog_get_busy (HatakeRunDialog *self)
{
  g_return_val_if_fail (HATAKE_IS_RUN_DIALOG (self), FALSE);

  return self->cancellable != NULL;
}

static void
hatake_run_dialog_constructed (GObject *object)
{
  HatakeRunDialog *self = HATAKE_RUN_DIALOG (object);

  G_OBJECT_CLASS (hatake_run_dialog_parent_class)->constructed (object);

  adw_window_title_set_subtitle (self->window_title, self->image);
}

static void
hatake_run_dialog_dispose (GObject *object)
{
  HatakeRunDialog *self = HATAKE_RUN_DIALOG (object);

  /* A container being created still comes to be; only what follows is dropped. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_RUN_DIALOG);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hatake_run_dialog_parent_class)->dispose (object);
}

static void
hatake_run_dialog_finalize (GObject *object)
{
  HatakeRunDialog *self = HATAKE_RUN_DIALOG (object);

  g_free (self->image);
  g_free (self->container_name);

  G_OBJECT_CLASS (hatake_run_dialog_parent_class)->finalize (object);
}

static void
hatake_run_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HatakeRunDialog *self = HATAKE_RUN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    case PROP_IMAGE:
      g_value_set_string (value, self->image);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, hatake_run_dialog_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_run_dialog_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  HatakeRunDialog *self = HATAKE_RUN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    case PROP_IMAGE:
      self->image = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_run_dialog_class_init (HatakeRunDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = hatake_run_dialog_constructed;
  object_class->dispose = hatake_run_dialog_dispose;
  object_class->finalize = hatake_run_dialog_finalize;
  object_class->get_property = hatake_run_dialog_get_property;
  object_class->set_property = hatake_run_dialog_set_property;

  /**
   * HatakeRunDialog:engine:
   *
   * The engine that creates and starts the container.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HatakeRunDialog:image:
   *
   * The image to run, as a reference or an ID.
   */
  properties[PROP_IMAGE] =
    g_param_spec_string ("image", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HatakeRunDialog:busy:
   *
   * Whether a container is being created or started.
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-run-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, form);
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, run_button);
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, command_row);
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, auto_remove_switch);
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, env_view);
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, volumes_view);
  /* Reachable for the tests; the field waits for networks and has no code of its own yet. */
  gtk_widget_class_bind_template_child (widget_class, HatakeRunDialog, ports_row);
  gtk_widget_class_bind_template_callback (widget_class, on_run_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hatake_run_dialog_init (HatakeRunDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
