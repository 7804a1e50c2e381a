/* hatake-log-view.c: a container's log, live, for any number of lines
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lines live in a HatakeLogBuffer (text plus a small record each); the GtkListView makes
 * widgets only for the rows on screen. Entries may arrive thousands at a time: they are stored
 * at once but published to the list at most once a frame, in one items-changed.
 *
 * Following: while the view is at the end it stays there as lines arrive; scrolling up pauses
 * that and shows "Jump to End", which resumes it.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>

#include "hatake-log-line.h"
#include "hatake-log-view.h"
#include "hatake-widget-utils.h"

struct _HatakeLogView
{
  GtkWidget             parent_instance;

  HatakeLogBuffer      *buffer;
  GtkMultiSelection    *selection;

  GtkSearchEntry       *search_entry;
  GtkLabel             *match_label;
  GtkScrolledWindow    *scrolled_window;
  GtkListView          *list_view;
  GtkButton            *jump_button;

  guint                 flush_tick_id;
  guint                 flush_idle_id;
  guint                 catch_up_tick_id;

  gboolean              following;
  gboolean              wrap;
  double                last_value;

  GCancellable         *follow_cancellable;
  GCancellable         *save_cancellable;
  GtkFileChooserNative *save_dialog;
};

G_DEFINE_FINAL_TYPE (HatakeLogView, hatake_log_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_N_LINES,
  PROP_FOLLOWING,
  PROP_SHOW_TIMESTAMPS,
  PROP_WRAP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkAdjustment *
vadjustment (HatakeLogView *self)
{
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));
}

/* The list's own scrolling: it anchors the last row to the bottom edge before the next layout,
 * so rows that arrive in a frame are drawn at the end in that frame. */
static void
scroll_to_end (HatakeLogView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->buffer));

  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
}

static gboolean
at_end (GtkAdjustment *adj)
{
  return gtk_adjustment_get_value (adj) >=
         gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 1.0;
}

static gboolean
catch_up_tick_cb (GtkWidget     *widget,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (widget);

  self->catch_up_tick_id = 0;
  if (self->following)
    scroll_to_end (self);
  return G_SOURCE_REMOVE;
}

/* GTK 4.8 anchors a row it has not measured yet short of the end (by a row); once the list has
 * laid it out, anchor it again. That cannot happen while the list configures its adjustment (it
 * ignores values set then), hence the next frame. */
static void
catch_up (HatakeLogView *self)
{
  if (self->catch_up_tick_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->catch_up_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), catch_up_tick_cb, NULL, NULL);
}

static void
adjustment_changed_cb (HatakeLogView *self,
                       GtkAdjustment *adj)
{
  if (self->following && !at_end (adj))
    catch_up (self);
}

/* Only the user moves the view up; the list itself only keeps its anchor. */
static void
adjustment_value_changed_cb (HatakeLogView *self,
                             GtkAdjustment *adj)
{
  double value = gtk_adjustment_get_value (adj);

  if (at_end (adj))
    hatake_log_view_set_following (self, TRUE);
  else if (value < self->last_value)
    hatake_log_view_set_following (self, FALSE);
  else if (self->following)
    catch_up (self);
  self->last_value = value;
}

static void
flush (HatakeLogView *self)
{
  hatake_log_buffer_flush (self->buffer);
  if (self->following)
    scroll_to_end (self);
}

static gboolean
flush_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (widget);

  self->flush_tick_id = 0;
  flush (self);
  return G_SOURCE_REMOVE;
}

static gboolean
flush_idle_cb (gpointer user_data)
{
  HatakeLogView *self = user_data;

  self->flush_idle_id = 0;
  flush (self);
  return G_SOURCE_REMOVE;
}

/* On screen, once a frame; off screen (no frame clock ticks) when the main loop is idle. */
static void
schedule_flush (HatakeLogView *self)
{
  if (self->flush_tick_id != 0 || self->flush_idle_id != 0)
    return;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->flush_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), flush_tick_cb, NULL, NULL);
  else
    self->flush_idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush_idle_cb, self, NULL);
}

static void
cancel_flush (HatakeLogView *self)
{
  if (self->flush_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->flush_tick_id);
      self->flush_tick_id = 0;
    }
  g_clear_handle_id (&self->flush_idle_id, g_source_remove);
  if (self->catch_up_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->catch_up_tick_id);
      self->catch_up_tick_id = 0;
    }
}

static void
buffer_n_lines_cb (HatakeLogView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
}

static void
buffer_show_timestamps_cb (HatakeLogView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_TIMESTAMPS]);
}

/* ---- rows ---------------------------------------------------------------------------------- */

static GQuark text_binding_quark;
static GQuark attributes_binding_quark;

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HatakeLogView            *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "log-line");
  gtk_widget_add_css_class (label, "monospace");
  g_object_bind_property (self, "wrap", label, "wrap", G_BINDING_SYNC_CREATE);
  gtk_list_item_set_child (item, label);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             HatakeLogView            *self)
{
  HatakeLogLine *line = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  GBinding *binding;

  binding = g_object_bind_property (line, "text", label, "label", G_BINDING_SYNC_CREATE);
  g_object_set_qdata (G_OBJECT (item), text_binding_quark, binding);
  binding = g_object_bind_property (line, "attributes", label, "attributes", G_BINDING_SYNC_CREATE);
  g_object_set_qdata (G_OBJECT (item), attributes_binding_quark, binding);

  /* A builder expression cannot set accessible properties in GTK 4.8: hence this factory. */
  if (hatake_log_line_get_is_stderr (line))
    {
      gtk_widget_add_css_class (label, "stderr");
      gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Standard error"),
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (label, "stderr");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HatakeLogView            *self)
{
  GBinding *binding;

  if ((binding = g_object_steal_qdata (G_OBJECT (item), text_binding_quark)) != NULL)
    g_binding_unbind (binding);
  if ((binding = g_object_steal_qdata (G_OBJECT (item), attributes_binding_quark)) != NULL)
    g_binding_unbind (binding);
}

/* ---- search -------------------------------------------------------------------------------- */

static void
update_match_label (HatakeLogView *self)
{
  guint n = hatake_log_buffer_get_n_matches (self->buffer);
  int current = hatake_log_buffer_get_current_match (self->buffer);
  const char *search = hatake_log_buffer_get_search (self->buffer);
  g_autofree char *text = NULL;

  if (search == NULL)
    text = g_strdup ("");
  else if (n == 0)
    text = g_strdup (_("No matches"));
  else if (hatake_log_buffer_get_matches_truncated (self->buffer))
    /* TRANSLATORS: the current search match, of more than N */
    text = g_strdup_printf (_("%d of %u+"), current + 1, n);
  else
    /* TRANSLATORS: the current search match, of N */
    text = g_strdup_printf (_("%d of %u"), current + 1, n);

  gtk_label_set_label (self->match_label, text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.next-match", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.previous-match", n > 0);
}

static void
show_match (HatakeLogView *self,
            int            match)
{
  guint position;

  if (hatake_log_buffer_get_n_matches (self->buffer) == 0)
    return;

  position = hatake_log_buffer_set_current_match (self->buffer, match);
  hatake_log_view_set_following (self, FALSE);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
}

static void
search_changed_cb (HatakeLogView  *self,
                   GtkSearchEntry *entry)
{
  /* Published lines only: what is still pending is searched when it is published. */
  flush (self);
  hatake_log_buffer_set_search (self->buffer, gtk_editable_get_text (GTK_EDITABLE (entry)));
  show_match (self, 0);
  update_match_label (self);   /* a new search may have as many matches as the last one */
}

static void
search_next_cb (HatakeLogView *self)
{
  show_match (self, hatake_log_buffer_get_current_match (self->buffer) + 1);
}

static void
search_previous_cb (HatakeLogView *self)
{
  show_match (self, hatake_log_buffer_get_current_match (self->buffer) - 1);
}

static void
search_activate_cb (HatakeLogView *self)
{
  search_next_cb (self);
}

static void
search_stop_cb (HatakeLogView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
next_match_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  search_next_cb (HATAKE_LOG_VIEW (widget));
}

static void
previous_match_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  search_previous_cb (HATAKE_LOG_VIEW (widget));
}

static void
search_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (HATAKE_LOG_VIEW (widget)->search_entry));
}

/* ---- copy, save, clear --------------------------------------------------------------------- */

static GBytes *
dup_all_text (HatakeLogView *self)
{
  return hatake_log_buffer_dup_text (self->buffer, 0, G_MAXUINT);
}

static void
set_clipboard (HatakeLogView *self,
               GBytes        *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autofree char *text = g_strndup (data != NULL ? data : "", length);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

static void
copy_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (widget);
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(GBytes) bytes = NULL;

  flush (self);
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_is_empty (selected))
    bytes = dup_all_text (self);
  else
    {
      guint64 n = gtk_bitset_get_size (selected);
      g_autofree guint *positions = g_new (guint, n);
      GtkBitsetIter iter;
      guint position;
      guint i = 0;

      for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position);
           more;
           more = gtk_bitset_iter_next (&iter, &position))
        positions[i++] = position;
      bytes = hatake_log_buffer_dup_lines (self->buffer, positions, i);
    }
  set_clipboard (self, bytes);
}

static void
copy_all_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (widget);
  g_autoptr(GBytes) bytes = NULL;

  flush (self);
  bytes = dup_all_text (self);
  set_clipboard (self, bytes);
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
hatake_log_view_save_async (HatakeLogView       *self,
                            GFile               *file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (HATAKE_IS_LOG_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_log_view_save_async);

  /* a snapshot: lines that arrive while it is written are not in the file */
  flush (self);
  bytes = dup_all_text (self);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, save_done_cb, g_steal_pointer (&task));
}

gboolean
hatake_log_view_save_finish (HatakeLogView  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
save_from_dialog_done_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!hatake_log_view_save_finish (HATAKE_LOG_VIEW (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Cannot save the log: %s", error->message);
}

static void
save_response_cb (HatakeLogView        *self,
                  int                   response,
                  GtkFileChooserNative *dialog)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL)
    {
      if (self->save_cancellable == NULL)
        self->save_cancellable = g_cancellable_new ();
      hatake_log_view_save_async (self, file, self->save_cancellable, save_from_dialog_done_cb, NULL);
    }

  g_clear_object (&self->save_dialog);
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (widget);

  if (self->save_dialog != NULL)
    return;

  self->save_dialog = gtk_file_chooser_native_new (_("Save Log"),
                                                   hatake_widget_get_window (widget),
                                                   GTK_FILE_CHOOSER_ACTION_SAVE,
                                                   _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->save_dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->save_dialog), "container.log");
  g_signal_connect_object (self->save_dialog, "response", G_CALLBACK (save_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->save_dialog));
}

static void
clear_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  hatake_log_view_clear (HATAKE_LOG_VIEW (widget));
}

static void
jump_to_end_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  hatake_log_view_set_following (HATAKE_LOG_VIEW (widget), TRUE);
}

/* ---- following a container ------------------------------------------------------------------ */

typedef struct
{
  HatakeLogView *view;          /* unowned: valid while cancellable is not cancelled */
  GCancellable  *cancellable;
} FollowRun;

static void
follow_run_free (FollowRun *run)
{
  g_clear_object (&run->cancellable);
  g_free (run);
}

static void
follow_entry_cb (const HatakeLogEntry *entry,
                 gpointer              user_data)
{
  FollowRun *run = user_data;

  if (!g_cancellable_is_cancelled (run->cancellable))
    hatake_log_view_append (run->view, entry);
}

static void
follow_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  FollowRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!hatake_engine_container_logs_finish (HATAKE_ENGINE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The log ended early: %s", error->message);

  if (!g_cancellable_is_cancelled (run->cancellable) && run->view->follow_cancellable == run->cancellable)
    g_clear_object (&run->view->follow_cancellable);
  follow_run_free (run);
}

/* ---- public API ---------------------------------------------------------------------------- */

GtkWidget *
hatake_log_view_new (void)
{
  return g_object_new (HATAKE_TYPE_LOG_VIEW, NULL);
}

void
hatake_log_view_append (HatakeLogView        *self,
                        const HatakeLogEntry *entry)
{
  g_return_if_fail (HATAKE_IS_LOG_VIEW (self));
  g_return_if_fail (entry != NULL);

  hatake_log_buffer_append (self->buffer, entry);
  schedule_flush (self);
}

void
hatake_log_view_append_func (const HatakeLogEntry *entry,
                             gpointer              view)
{
  hatake_log_view_append (view, entry);
}

void
hatake_log_view_follow_container (HatakeLogView *self,
                                  HatakeEngine  *engine,
                                  const char    *container_id)
{
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;
  FollowRun *run;

  g_return_if_fail (HATAKE_IS_LOG_VIEW (self));
  g_return_if_fail (HATAKE_IS_ENGINE (engine));
  g_return_if_fail (container_id != NULL);

  if (self->follow_cancellable != NULL)
    {
      g_cancellable_cancel (self->follow_cancellable);
      g_clear_object (&self->follow_cancellable);
    }
  hatake_log_view_clear (self);

  run = g_new0 (FollowRun, 1);
  run->view = self;
  run->cancellable = g_cancellable_new ();
  self->follow_cancellable = g_object_ref (run->cancellable);

  options.follow = TRUE;
  hatake_engine_container_logs_async (engine, container_id, &options,
                                      follow_entry_cb, run, run->cancellable,
                                      follow_done_cb, run);
}

guint
hatake_log_view_get_n_lines (HatakeLogView *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_VIEW (self), 0);

  return hatake_log_buffer_get_n_lines (self->buffer);
}

void
hatake_log_view_clear (HatakeLogView *self)
{
  g_return_if_fail (HATAKE_IS_LOG_VIEW (self));

  cancel_flush (self);
  hatake_log_buffer_clear (self->buffer);
  hatake_log_view_set_following (self, TRUE);
}

gboolean
hatake_log_view_get_following (HatakeLogView *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_VIEW (self), FALSE);

  return self->following;
}

void
hatake_log_view_set_following (HatakeLogView *self,
                               gboolean       following)
{
  g_return_if_fail (HATAKE_IS_LOG_VIEW (self));

  following = !!following;
  if (following)
    scroll_to_end (self);
  if (self->following == following)
    return;

  self->following = following;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

gboolean
hatake_log_view_get_show_timestamps (HatakeLogView *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_VIEW (self), FALSE);

  return hatake_log_buffer_get_show_timestamps (self->buffer);
}

void
hatake_log_view_set_show_timestamps (HatakeLogView *self,
                                     gboolean       show_timestamps)
{
  g_return_if_fail (HATAKE_IS_LOG_VIEW (self));

  /* notified through the buffer */
  hatake_log_buffer_set_show_timestamps (self->buffer, show_timestamps);
}

gboolean
hatake_log_view_get_wrap (HatakeLogView *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_VIEW (self), FALSE);

  return self->wrap;
}

void
hatake_log_view_set_wrap (HatakeLogView *self,
                          gboolean       wrap)
{
  g_return_if_fail (HATAKE_IS_LOG_VIEW (self));

  wrap = !!wrap;
  if (self->wrap == wrap)
    return;

  self->wrap = wrap;
  /* Wrapped rows take the width they are given; unwrapped ones scroll sideways. */
  gtk_scrolled_window_set_policy (self->scrolled_window,
                                  wrap ? GTK_POLICY_NEVER : GTK_POLICY_AUTOMATIC,
                                  GTK_POLICY_AUTOMATIC);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WRAP]);
}

/* ---- GObject ------------------------------------------------------------------------------- */

static void
hatake_log_view_map (GtkWidget *widget)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (widget);

  GTK_WIDGET_CLASS (hatake_log_view_parent_class)->map (widget);

  /* an idle flush becomes a frame flush */
  if (self->flush_idle_id != 0)
    {
      cancel_flush (self);
      schedule_flush (self);
    }
}

static void
hatake_log_view_unmap (GtkWidget *widget)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (widget);
  gboolean pending = self->flush_tick_id != 0;

  cancel_flush (self);
  GTK_WIDGET_CLASS (hatake_log_view_parent_class)->unmap (widget);
  if (pending)
    schedule_flush (self);
}

static void
hatake_log_view_dispose (GObject *object)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (object);
  GtkWidget *child;

  if (self->follow_cancellable != NULL)
    g_cancellable_cancel (self->follow_cancellable);
  g_clear_object (&self->follow_cancellable);
  if (self->save_cancellable != NULL)
    g_cancellable_cancel (self->save_cancellable);
  g_clear_object (&self->save_cancellable);
  cancel_flush (self);
  if (self->save_dialog != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->save_dialog));
  g_clear_object (&self->save_dialog);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_LOG_VIEW);
  /* the toolbar and the overlay are not bound, so not unparented by the template */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  if (self->buffer != NULL)
    g_signal_handlers_disconnect_by_data (self->buffer, self);
  g_clear_object (&self->buffer);

  G_OBJECT_CLASS (hatake_log_view_parent_class)->dispose (object);
}

static void
hatake_log_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_N_LINES:
      g_value_set_uint (value, hatake_log_view_get_n_lines (self));
      break;

    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;

    case PROP_SHOW_TIMESTAMPS:
      g_value_set_boolean (value, hatake_log_view_get_show_timestamps (self));
      break;

    case PROP_WRAP:
      g_value_set_boolean (value, self->wrap);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_log_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  HatakeLogView *self = HATAKE_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLLOWING:
      hatake_log_view_set_following (self, g_value_get_boolean (value));
      break;

    case PROP_SHOW_TIMESTAMPS:
      hatake_log_view_set_show_timestamps (self, g_value_get_boolean (value));
      break;

    case PROP_WRAP:
      hatake_log_view_set_wrap (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_log_view_class_init (HatakeLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hatake_log_view_dispose;
  object_class->get_property = hatake_log_view_get_property;
  object_class->set_property = hatake_log_view_set_property;
  widget_class->map = hatake_log_view_map;
  widget_class->unmap = hatake_log_view_unmap;

  properties[PROP_N_LINES] =
    g_param_spec_uint ("n-lines", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * HatakeLogView:following:
   *
   * Whether the view stays at the end as lines arrive. Scrolling up clears it; scrolling back
   * to the end or "Jump to End" sets it.
   */
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_TIMESTAMPS] =
    g_param_spec_boolean ("show-timestamps", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WRAP] =
    g_param_spec_boolean ("wrap", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  text_binding_quark = g_quark_from_static_string ("hatake-log-view-text-binding");
  attributes_binding_quark = g_quark_from_static_string ("hatake-log-view-attributes-binding");

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HatakeLogView, match_label);
  gtk_widget_class_bind_template_child (widget_class, HatakeLogView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, HatakeLogView, list_view);
  gtk_widget_class_bind_template_child (widget_class, HatakeLogView, jump_button);
  /* not used from C, but reachable with gtk_widget_get_template_child (the tests press them) */
  gtk_widget_class_bind_template_child_full (widget_class, "previous_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "next_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "timestamps_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "wrap_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "copy_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "save_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "clear_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_previous_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_stop_cb);

  gtk_widget_class_install_action (widget_class, "log.next-match", NULL, next_match_activated);
  gtk_widget_class_install_action (widget_class, "log.previous-match", NULL, previous_match_activated);
  gtk_widget_class_install_action (widget_class, "log.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "log.copy", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "log.copy-all", NULL, copy_all_activated);
  gtk_widget_class_install_action (widget_class, "log.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "log.clear", NULL, clear_activated);
  gtk_widget_class_install_action (widget_class, "log.jump-to-end", NULL, jump_to_end_activated);
  gtk_widget_class_install_property_action (widget_class, "log.show-timestamps", "show-timestamps");
  gtk_widget_class_install_property_action (widget_class, "log.wrap", "wrap");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "log.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "log.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "log.next-match", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "log.previous-match", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, GDK_CONTROL_MASK, "log.jump-to-end", NULL);

  gtk_widget_class_set_css_name (widget_class, "logview");
}

static void
hatake_log_view_init (HatakeLogView *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkAdjustment *adj;

  self->following = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->buffer = hatake_log_buffer_new ();
  g_signal_connect_object (self->buffer, "notify::n-lines", G_CALLBACK (buffer_n_lines_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->buffer, "notify::show-timestamps",
                           G_CALLBACK (buffer_show_timestamps_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->buffer, "notify::n-matches", G_CALLBACK (update_match_label), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->buffer, "notify::current-match", G_CALLBACK (update_match_label), self,
                           G_CONNECT_SWAPPED);
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->buffer)));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_row_cb), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_row_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_row_cb), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  adj = vadjustment (self);
  g_signal_connect_object (adj, "changed", G_CALLBACK (adjustment_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (adjustment_value_changed_cb), self,
                           G_CONNECT_SWAPPED);

  g_object_bind_property (self, "following", self->jump_button, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->list_view));
  update_match_label (self);
}
