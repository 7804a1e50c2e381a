/* hatake-compose-dialog.c: a compose project's preview, and bringing it up with progress per service
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the window opens for a compose file dropped on it, chosen in "Open Compose File…" or given
 * on the command line. The file is read by the compose parser in a thread (it reads the files and
 * the project's .env as `hatake compose` does); the preview lists what the project would run, or
 * the parser's error, which names FILE:LINE:COLUMN. Start runs the compose runner's up with a
 * row per service that follows its events (Pulling, Created, Started, Healthy: up waits as up
 * --wait does); Cancel stops it, and undoes a first start (down) so no half-made project stays.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>

#include "hatake-compose-dialog.h"
#include "hatake-compose-runner.h"
#include "hatake-widget-utils.h"

typedef struct
{
  GtkWidget *row;
  GtkWidget *spinner;
  GtkLabel  *status_label;
  char      *status;
  gboolean   healthcheck;   /* started is not ready: up waits for healthy */
} ServiceRow;

struct _HatakeComposeDialog
{
  AdwWindow                 parent_instance;

  HatakeEngine             *engine;
  GFile                    *file;
  GStrv                     more_files;    /* URIs: compose files merged over file's, in order */
  HatakeComposeProject     *project;
  char                     *error;
  GCancellable             *cancellable;   /* reading, then up */
  HatakeComposeDialogState  state;
  GHashTable               *rows;          /* service name → ServiceRow */
  GHashTable               *containers;    /* container name → service name (owned by rows) */
  gboolean                  fresh;         /* the project had no containers when Start began */
  gboolean                  disposed;

  GtkButton                *cancel_button;
  GtkButton                *start_button;
  GtkWidget                *loading_box;
  GtkLabel                 *error_label;
  GtkWidget                *project_group;
  AdwActionRow             *name_row;
  AdwActionRow             *file_row;
  AdwPreferencesGroup      *services_group;
  AdwPreferencesGroup      *volumes_group;
  GtkLabel                 *warnings_label;
  GtkLabel                 *message_label;
};

G_DEFINE_FINAL_TYPE (HatakeComposeDialog, hatake_compose_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_FILE,
  PROP_MORE_FILES,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* compose's order */
static const char * const compose_names[] = {
  "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml",
};

static void
service_row_free (ServiceRow *row)
{
  g_free (row->status);
  g_free (row);
}

GFile *
hatake_compose_find_file (GFile         *file,
                          GCancellable  *cancellable,
                          GError       **error)
{
  GFileType type;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  type = g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, cancellable);
  if (type != G_FILE_TYPE_DIRECTORY)
    return g_object_ref (file);

  for (guint i = 0; i < G_N_ELEMENTS (compose_names); i++)
    {
      g_autoptr(GFile) child = g_file_get_child (file, compose_names[i]);

      if (g_file_query_exists (child, cancellable))
        return g_steal_pointer (&child);
    }
  {
    g_autofree char *name = g_file_get_parse_name (file);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("%s holds no compose file (compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml)"),
                 name);
  }
  return NULL;
}

/* ---- reading, in a thread ------------------------------------------------------------------ */

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GPtrArray *given = task_data;   /* GFile */
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  HatakeComposeOptions options = { 0 };
  HatakeComposeProject *project;
  GError *error = NULL;

  for (guint i = 0; i < given->len; i++)
    {
      g_autoptr(GFile) found = hatake_compose_find_file (g_ptr_array_index (given, i), cancellable, &error);
      char *path;

      if (found == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      path = g_file_get_path (found);
      if (path == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                                   _("Only compose files on this computer can be opened"));
          return;
        }
      g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  /* as `hatake compose -f FILE -f MORE…`: merged in that order, the project's folder is the
   * first file's, with its .env */
  options.files = (const char * const *) paths->pdata;
  project = hatake_compose_project_load (&options, &error);
  if (project == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, project, g_object_unref);
}

static void
set_state (HatakeComposeDialog      *self,
           HatakeComposeDialogState  state);

static char *
port_text (const HatakeComposePort *p)
{
  g_autofree char *target = p->target_end > p->target ? g_strdup_printf ("%u-%u", p->target, p->target_end)
                                                      : g_strdup_printf ("%u", p->target);
  g_autofree char *published = NULL;

  if (p->published != 0)
    published = p->published_end > p->published ? g_strdup_printf ("%u-%u:", p->published, p->published_end)
                                                 : g_strdup_printf ("%u:", p->published);
  return g_strdup_printf ("%s%s%s%s/%s", p->host_ip ? p->host_ip : "", p->host_ip ? ":" : "",
                          published ? published : "", target, p->protocol ? p->protocol : "tcp");
}

static char *
mount_text (const HatakeComposeMount *m)
{
  switch (m->type)
    {
    case HATAKE_COMPOSE_MOUNT_VOLUME:
    case HATAKE_COMPOSE_MOUNT_BIND:
      if (m->source == NULL)
        return g_strdup (m->target);
      return g_strdup_printf ("%s:%s%s", m->source, m->target, m->read_only ? ":ro" : "");
    case HATAKE_COMPOSE_MOUNT_TMPFS:
      return g_strdup_printf ("tmpfs:%s", m->target);
    default:
      g_assert_not_reached ();
    }
}

/* "image busybox · ports 8080:80/tcp · volumes data:/data" */
static char *
service_summary (HatakeComposeProject *project,
                 HatakeComposeService *s)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *image = hatake_compose_project_image_name (project, s);

  g_string_append_printf (text, s->build != NULL ? _("builds %s") : _("image %s"), image);
  for (guint i = 0; s->ports != NULL && i < s->ports->len; i++)
    {
      g_autofree char *port = port_text (g_ptr_array_index (s->ports, i));

      g_string_append (text, i == 0 ? _(" · ports ") : ", ");
      g_string_append (text, port);
    }
  for (guint i = 0; s->volumes != NULL && i < s->volumes->len; i++)
    {
      g_autofree char *mount = mount_text (g_ptr_array_index (s->volumes, i));

      g_string_append (text, i == 0 ? _(" · volumes ") : ", ");
      g_string_append (text, mount);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
add_service_row (HatakeComposeDialog  *self,
                 HatakeComposeService *s)
{
  ServiceRow *row = g_new0 (ServiceRow, 1);
  g_autofree char *summary = service_summary (self->project, s);
  GtkWidget *label;

  row->row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), s->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row), summary);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row->row), 3);
  gtk_widget_set_name (row->row, s->name);
  row->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (row->spinner, FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row->row), row->spinner);
  label = gtk_label_new (NULL);
  gtk_widget_add_css_class (label, "dim-label");
  row->status_label = GTK_LABEL (label);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row->row), label);
  adw_preferences_group_add (self->services_group, row->row);
  row->healthcheck = s->healthcheck != NULL && !s->healthcheck->disable && s->healthcheck->test != NULL &&
                     g_strcmp0 (s->healthcheck->test[0], "NONE") != 0;
  g_hash_table_insert (self->rows, g_strdup (s->name), row);

  /* The runner names containers; the rows are services. */
  for (guint i = 1; i <= MAX (s->replicas, 1); i++)
    g_hash_table_insert (self->containers, hatake_compose_project_container_name (self->project, s, i),
                         g_strdup (s->name));
}

static void
show_project (HatakeComposeDialog *self)
{
  GPtrArray *services = hatake_compose_project_get_services (self->project);
  GPtrArray *volumes = hatake_compose_project_get_volumes (self->project);
  const char * const *files = hatake_compose_project_get_files (self->project);
  const char * const *warnings = hatake_compose_project_get_warnings (self->project);
  g_autofree char *title = g_strdup_printf (_("Compose Project “%s”"), hatake_compose_project_get_name (self->project));

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_action_row_set_subtitle (self->name_row, hatake_compose_project_get_name (self->project));
  {
    /* every file, one a line, in the order they merge */
    g_autofree char *all = files != NULL ? g_strjoinv ("\n", (char **) files) : g_strdup ("");

    adw_action_row_set_subtitle (self->file_row, all);
    adw_action_row_set_subtitle_lines (self->file_row, 0);
  }
  gtk_widget_set_visible (self->project_group, TRUE);

  for (guint i = 0; i < services->len; i++)
    add_service_row (self, g_ptr_array_index (services, i));
  gtk_widget_set_visible (GTK_WIDGET (self->services_group), services->len > 0);

  for (guint i = 0; i < volumes->len; i++)
    {
      HatakeComposeVolume *v = g_ptr_array_index (volumes, i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), v->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   v->external ? _("external") : v->driver ? v->driver : "local");
      adw_preferences_group_add (self->volumes_group, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->volumes_group), volumes->len > 0);

  if (warnings != NULL && warnings[0] != NULL)
    {
      g_autofree char *text = g_strjoinv ("\n", (char **) warnings);

      gtk_label_set_text (self->warnings_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), TRUE);
    }
}

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  HatakeComposeDialog *self = HATAKE_COMPOSE_DIALOG (source);
  g_autoptr(GError) error = NULL;

  self->project = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->disposed)
    return;
  gtk_widget_set_visible (self->loading_box, FALSE);
  if (self->project == NULL)
    {
      self->error = g_strdup (error->message);
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      set_state (self, HATAKE_COMPOSE_DIALOG_INVALID);
      return;
    }
  show_project (self);
  if (self->engine == NULL)
    hatake_label_set_message (self->message_label, _("There is no engine to start the project on."), "dim-label");
  set_state (self, HATAKE_COMPOSE_DIALOG_READY);
}

static void
load (HatakeComposeDialog *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, load_done, NULL);

  GPtrArray *files = g_ptr_array_new_with_free_func (g_object_unref);

  g_task_set_source_tag (task, load);
  g_ptr_array_add (files, g_object_ref (self->file));
  for (guint i = 0; self->more_files != NULL && self->more_files[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_for_uri (self->more_files[i]));
  g_task_set_task_data (task, files, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, load_thread);
}

/* ---- up ------------------------------------------------------------------------------------ */

static gboolean
status_is_final (const char *status)
{
  static const char * const finals[] = { "Started", "Running", "Healthy", "Exited", "Created", NULL };

  return g_strv_contains (finals, status);
}

static void
set_service_status (HatakeComposeDialog *self,
                    const char          *service,
                    const char          *status)
{
  ServiceRow *row = g_hash_table_lookup (self->rows, service);
  /* A row says the words the user reads; the runner's are docker compose's. */
  const char *text = g_str_equal (status, "Pulling") ? _("Pulling…")
                   : g_str_equal (status, "Pulled") ? _("Pulled")
                   : g_str_equal (status, "Created") || g_str_equal (status, "Recreated") ? _("Created")
                   : g_str_equal (status, "Started") ? _("Started")
                   : g_str_equal (status, "Running") ? _("Running")
                   : g_str_equal (status, "Waiting") ? _("Waiting…")
                   : g_str_equal (status, "Healthy") ? _("Healthy")
                   : g_str_equal (status, "Exited") ? _("Exited")
                   : g_str_equal (status, "Removed") ? _("Removed")
                   : status;
  gboolean busy;

  if (row == NULL)
    return;
  g_free (row->status);
  row->status = g_strdup (status);
  busy = self->state == HATAKE_COMPOSE_DIALOG_STARTING && !status_is_final (status);
  /* "Created" is final only with no start to come */
  if (g_str_equal (status, "Created") && self->state == HATAKE_COMPOSE_DIALOG_STARTING)
    busy = TRUE;
  /* nor "Started" for a service whose health is waited for */
  if (row->healthcheck && (g_str_equal (status, "Started") || g_str_equal (status, "Running")) &&
      self->state == HATAKE_COMPOSE_DIALOG_STARTING)
    busy = TRUE;
  gtk_label_set_text (row->status_label, text);
  gtk_widget_set_visible (row->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (row->spinner), busy);
}

static void
on_up_event (const char *kind,
             const char *name,
             const char *status,
             gpointer    user_data)
{
  HatakeComposeDialog *self = user_data;
  const char *service;

  if (self->disposed)
    return;
  if (status == NULL)
    {
      /* a warning */
      hatake_label_set_message (self->message_label, name, "dim-label");
      return;
    }
  if (g_str_equal (kind, "Image"))
    set_service_status (self, name, status);
  else if (g_str_equal (kind, "Container") && (service = g_hash_table_lookup (self->containers, name)) != NULL)
    set_service_status (self, service, status);
  else
    {
      g_autofree char *text = g_strdup_printf ("%s %s  %s", kind, name, status);

      hatake_label_set_message (self->message_label, text, "dim-label");
    }
}

static void
stop_spinners (HatakeComposeDialog *self)
{
  GHashTableIter iter;
  ServiceRow *row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    {
      gtk_spinner_set_spinning (GTK_SPINNER (row->spinner), FALSE);
      gtk_widget_set_visible (row->spinner, FALSE);
    }
}

static void
rolled_back (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HatakeComposeDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  hatake_compose_op_finish (HATAKE_ENGINE (source), result, &error);
  if (self->disposed)
    return;
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cancelled, but what was made could not be removed: %s"),
                                               error->message);

      hatake_label_set_message (self->message_label, text, "error");
    }
  else
    {
      GHashTableIter iter;
      const char *service;

      hatake_label_set_message (self->message_label, _("Cancelled: nothing of the project was left"), "dim-label");
      g_hash_table_iter_init (&iter, self->rows);
      while (g_hash_table_iter_next (&iter, (gpointer *) &service, NULL))
        set_service_status (self, service, "Removed");
    }
  set_state (self, HATAKE_COMPOSE_DIALOG_CANCELLED);
}

static void
up_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(HatakeComposeDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  hatake_compose_up_finish (HATAKE_ENGINE (source), result, &error);
  /* A cancelled first start is undone, with the dialog closed too: no half-made project stays
   * (down removes what carries its labels, its default network included). A project that had
   * containers before keeps what it has: those were the user's. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->fresh)
    {
      HatakeComposeRunOptions options = HATAKE_COMPOSE_RUN_OPTIONS_INIT;

      options.timeout = 0;
      if (!self->disposed)
        hatake_label_set_message (self->message_label,
                                  _("Cancelling: removing what was made…"), "dim-label");
      hatake_compose_op_async (HATAKE_ENGINE (source), self->project, HATAKE_COMPOSE_OP_DOWN, &options, NULL,
                               rolled_back, g_object_ref (self));
      if (!self->disposed)
        stop_spinners (self);
      return;
    }
  if (self->disposed)
    return;
  stop_spinners (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      hatake_label_set_message (self->message_label,
                                _("Cancelled: the containers that had started keep running"), "dim-label");
      set_state (self, HATAKE_COMPOSE_DIALOG_CANCELLED);
    }
  else if (error != NULL)
    {
      hatake_label_set_message (self->message_label, error->message, "error");
      set_state (self, HATAKE_COMPOSE_DIALOG_FAILED);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Project “%s” is up"), hatake_compose_project_get_name (self->project));

      hatake_label_set_message (self->message_label, text, "success");
      set_state (self, HATAKE_COMPOSE_DIALOG_DONE);
    }
}

/**
 * hatake_compose_dialog_start:
 *
 * Brings the project up, as the Start button does; nothing unless it is ready (or ended).
 */
void
hatake_compose_dialog_start (HatakeComposeDialog *self)
{
  HatakeComposeRunOptions options = HATAKE_COMPOSE_RUN_OPTIONS_INIT;

  g_return_if_fail (HATAKE_IS_COMPOSE_DIALOG (self));

  if (self->engine == NULL || self->project == NULL ||
      self->state == HATAKE_COMPOSE_DIALOG_STARTING || self->state == HATAKE_COMPOSE_DIALOG_LOADING)
    return;

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  hatake_label_set_message (self->message_label, NULL, NULL);
  set_state (self, HATAKE_COMPOSE_DIALOG_STARTING);
  {
    GHashTableIter iter;
    const char *service;

    g_hash_table_iter_init (&iter, self->rows);
    while (g_hash_table_iter_next (&iter, (gpointer *) &service, NULL))
      set_service_status (self, service, "Waiting");
  }
  {
    g_autoptr(GPtrArray) had = hatake_compose_get_containers (self->engine, hatake_compose_project_get_name (self->project),
                                                              NULL, FALSE);

    self->fresh = had->len == 0;
  }
  /* up --wait: done once every service runs, and is healthy when it has a healthcheck */
  options.wait = TRUE;
  options.event = on_up_event;
  options.event_data = self;
  hatake_compose_up_async (self->engine, self->project, &options, self->cancellable, up_done, g_object_ref (self));
}

/**
 * hatake_compose_dialog_cancel:
 *
 * Stops a start that runs, as the Cancel button does then.
 */
void
hatake_compose_dialog_cancel (HatakeComposeDialog *self)
{
  g_return_if_fail (HATAKE_IS_COMPOSE_DIALOG (self));

  if (self->state == HATAKE_COMPOSE_DIALOG_STARTING)
    g_cancellable_cancel (self->cancellable);
}

static void
set_state (HatakeComposeDialog      *self,
           HatakeComposeDialogState  state)
{
  gboolean startable = state == HATAKE_COMPOSE_DIALOG_READY || state == HATAKE_COMPOSE_DIALOG_CANCELLED ||
                       state == HATAKE_COMPOSE_DIALOG_FAILED;
  gboolean ended = state == HATAKE_COMPOSE_DIALOG_DONE || state == HATAKE_COMPOSE_DIALOG_INVALID;

  self->state = state;
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), startable && self->engine != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->start_button), state != HATAKE_COMPOSE_DIALOG_DONE);
  /* Cancel stops a start; otherwise the same button closes the dialog. */
  gtk_button_set_label (self->cancel_button, ended ? _("_Close") : _("_Cancel"));
  gtk_window_set_default_widget (GTK_WINDOW (self),
                                 ended ? GTK_WIDGET (self->cancel_button) : GTK_WIDGET (self->start_button));
  /* Return activates the focus when it is a button: the one Return should press gets it. */
  if (startable && self->engine != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->start_button));
  else if (ended)
    gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
on_start_clicked (HatakeComposeDialog *self)
{
  hatake_compose_dialog_start (self);
}

static void
on_cancel_clicked (HatakeComposeDialog *self)
{
  if (self->state == HATAKE_COMPOSE_DIALOG_STARTING)
    hatake_compose_dialog_cancel (self);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static gboolean
hatake_compose_dialog_close_request (GtkWindow *window)
{
  HatakeComposeDialog *self = HATAKE_COMPOSE_DIALOG (window);

  /* Closing is giving up: reading or starting stops with the dialog. */
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (hatake_compose_dialog_parent_class)->close_request (window);
}

GtkWidget *
hatake_compose_dialog_new (GtkWindow    *parent,
                           HatakeEngine *engine,
                           GFile        *file)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  return g_object_new (HATAKE_TYPE_COMPOSE_DIALOG,
                       "transient-for", parent,
                       "engine", engine,
                       "file", file,
                       NULL);
}

HatakeComposeDialogState
hatake_compose_dialog_get_state (HatakeComposeDialog *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_DIALOG (self), HATAKE_COMPOSE_DIALOG_LOADING);

  return self->state;
}

HatakeComposeProject *
hatake_compose_dialog_get_project (HatakeComposeDialog *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_DIALOG (self), NULL);

  return self->project;
}

const char *
hatake_compose_dialog_get_error (HatakeComposeDialog *self)
{
  g_return_val_if_fail (HATAKE_IS_COMPOSE_DIALOG (self), NULL);

  return self->error;
}

const char *
hatake_compose_dialog_get_service_status (HatakeComposeDialog *self,
                                          const char          *service)
{
  ServiceRow *row;

  g_return_val_if_fail (HATAKE_IS_COMPOSE_DIALOG (self), NULL);

  row = g_hash_table_lookup (self->rows, service);
  return row != NULL ? row->status : NULL;
}

static void
hatake_compose_dialog_constructed (GObject *object)
{
  HatakeComposeDialog *self = HATAKE_COMPOSE_DIALOG (object);

  G_OBJECT_CLASS (hatake_compose_dialog_parent_class)->constructed (object);

  g_assert (self->file != NULL);
  {
    g_autofree char *name = g_file_get_parse_name (self->file);

    adw_action_row_set_subtitle (self->file_row, name);
  }
  load (self);
}

static void
hatake_compose_dialog_dispose (GObject *object)
{
  HatakeComposeDialog *self = HATAKE_COMPOSE_DIALOG (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_COMPOSE_DIALOG);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hatake_compose_dialog_parent_class)->dispose (object);
}

static void
hatake_compose_dialog_finalize (GObject *object)
{
  HatakeComposeDialog *self = HATAKE_COMPOSE_DIALOG (object);

  g_clear_object (&self->project);
  g_clear_object (&self->file);
  g_clear_pointer (&self->more_files, g_strfreev);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->containers, g_hash_table_unref);
  g_free (self->error);

  G_OBJECT_CLASS (hatake_compose_dialog_parent_class)->finalize (object);
}

static void
hatake_compose_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  HatakeComposeDialog *self = HATAKE_COMPOSE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;

    case PROP_MORE_FILES:
      g_value_set_boxed (value, self->more_files);
      break;

    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_compose_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  HatakeComposeDialog *self = HATAKE_COMPOSE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    case PROP_FILE:
      self->file = g_value_dup_object (value);
      break;

    case PROP_MORE_FILES:
      self->more_files = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_compose_dialog_class_init (HatakeComposeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = hatake_compose_dialog_constructed;
  object_class->dispose = hatake_compose_dialog_dispose;
  object_class->finalize = hatake_compose_dialog_finalize;
  object_class->get_property = hatake_compose_dialog_get_property;
  object_class->set_property = hatake_compose_dialog_set_property;
  window_class->close_request = hatake_compose_dialog_close_request;

  /**
   * HatakeComposeDialog:engine:
   *
   * The engine Start brings the project up on; %NULL: none (Start stays off).
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HatakeComposeDialog:file:
   *
   * The compose file, or a folder holding one.
   */
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HatakeComposeDialog:more-files:
   *
   * URIs of compose files (or folders holding one) merged over the file's, in this order, as
   * `hatake compose -f FILE -f MORE…` merges them; %NULL: the file alone.
   */
  properties[PROP_MORE_FILES] =
    g_param_spec_boxed ("more-files", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HatakeComposeDialog:state:
   *
   * A #HatakeComposeDialogState: reading, ready, invalid, starting, and how a start ended.
   */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, HATAKE_COMPOSE_DIALOG_LOADING, HATAKE_COMPOSE_DIALOG_FAILED,
                      HATAKE_COMPOSE_DIALOG_LOADING,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-compose-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, start_button);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, loading_box);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, project_group);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, services_group);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, volumes_group);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, warnings_label);
  gtk_widget_class_bind_template_child (widget_class, HatakeComposeDialog, message_label);
  gtk_widget_class_bind_template_callback (widget_class, on_start_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hatake_compose_dialog_init (HatakeComposeDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) service_row_free);
  self->containers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->start_button));
}
