/* test-log-view.c: the log viewer, opened for real under an X server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-log-view"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "app-test-utils.h"
#include "hatake-engine.h"
#include "hatake-local-engine.h"
#include "hatake-log-line.h"
#include "hatake-log-view.h"
#include "hatake-test-utils.h"

/* 2023-11-14T22:13:20Z */
#define T0 G_GINT64_CONSTANT (1700000000000000000)

static void
append_text (HatakeLogView   *view,
             gint64           timestamp,
             HatakeLogStream  stream,
             const char      *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  HatakeLogEntry entry = { timestamp, stream, bytes, FALSE };

  hatake_log_view_append (view, &entry);
}

static gpointer
child (HatakeLogView *view,
       const char    *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (view), HATAKE_TYPE_LOG_VIEW, name);
}

static GListModel *
list_model (HatakeLogView *view)
{
  return G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (child (view, "list_view"))));
}

static GtkAdjustment *
vadjustment (HatakeLogView *view)
{
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (child (view, "list_view")));
}

static char *
item_text (HatakeLogView *view,
           guint          position)
{
  g_autoptr(HatakeLogLine) line = g_list_model_get_item (list_model (view), position);

  g_assert_nonnull (line);
  return g_strdup (hatake_log_line_get_text (line));
}

static void
collect_row_labels (GtkWidget *widget,
                    GtkWidget *list,
                    GPtrArray *labels)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_LABEL (c) && gtk_widget_has_css_class (c, "log-line") && gtk_widget_get_mapped (c))
        {
          graphene_rect_t bounds;

          /* on screen, not one of the rows kept around outside the view */
          if (gtk_widget_compute_bounds (c, list, &bounds) &&
              bounds.origin.y + bounds.size.height > 0 &&
              bounds.origin.y < gtk_widget_get_height (list))
            g_ptr_array_add (labels, c);
        }
      collect_row_labels (c, list, labels);
    }
}

/* The row labels on screen, top to bottom. */
static GPtrArray *
row_labels (HatakeLogView *view)
{
  GtkWidget *list = child (view, "list_view");
  GPtrArray *labels = g_ptr_array_new ();

  collect_row_labels (list, list, labels);
  return labels;
}

static GtkWidget *
find_row_label (HatakeLogView *view,
                const char    *text)
{
  g_autoptr(GPtrArray) labels = row_labels (view);

  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_label (labels->pdata[i]), text) == 0)
      return labels->pdata[i];
  return NULL;
}

typedef struct
{
  GtkWindow     *window;
  HatakeLogView *view;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 900, 480);
  f->view = HATAKE_LOG_VIEW (hatake_log_view_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hatake_test_destroy_window (f->window, f->view, 10);
}

/* Lets pending lines be published and drawn. */
static void
settle (Fixture *f)
{
  for (guint i = 0; i < 3; i++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
}

static gboolean
published (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (list_model (f->view)) == hatake_log_view_get_n_lines (f->view);
}

static void
assert_at_end (HatakeLogView *view)
{
  GtkAdjustment *adj = vadjustment (view);

  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, gtk_adjustment_get_page_size (adj));
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (adj),
                                  gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj),
                                  0.5);
}

/* ---- ANSI, without a window ----------------------------------------------------------------- */

static PangoAttribute *
find_attribute (PangoAttrList  *list,
                PangoAttrType   type,
                guint           start,
                guint           end)
{
  g_autoptr(GSList) attrs = list != NULL ? pango_attr_list_get_attributes (list) : NULL;
  PangoAttribute *found = NULL;

  for (GSList *l = attrs; l != NULL; l = l->next)
    {
      PangoAttribute *attr = l->data;

      if (found == NULL && attr->klass->type == type && attr->start_index == start && attr->end_index == end)
        found = pango_attribute_copy (attr);
      pango_attribute_destroy (attr);
    }
  return found;
}

static void
test_parse_ansi (void)
{
  PangoAttrList *attrs = NULL;
  PangoAttribute *attr;
  char *text;

#define PARSE(s) hatake_log_parse_ansi (s, strlen (s), &attrs)
  text = PARSE ("\033[31mred\033[0m plain");
  g_assert_cmpstr (text, ==, "red plain");
  attr = find_attribute (attrs, PANGO_ATTR_FOREGROUND, 0, 3);
  g_assert_nonnull (attr);
  g_assert_cmpuint (((PangoAttrColor *) attr)->color.red, ==, 0xc0 * 257);
  pango_attribute_destroy (attr);
  g_assert_null (find_attribute (attrs, PANGO_ATTR_FOREGROUND, 3, 9));
  g_free (text);
  pango_attr_list_unref (attrs);

  /* bold and bright, then bold off; other escapes (cursor, OSC title, CR) go */
  text = PARSE ("\033[1;92mok\033[22m x\033[K\033]0;title\007\r");
  g_assert_cmpstr (text, ==, "ok x");
  g_assert_nonnull ((attr = find_attribute (attrs, PANGO_ATTR_WEIGHT, 0, 2)));
  pango_attribute_destroy (attr);
  g_assert_nonnull ((attr = find_attribute (attrs, PANGO_ATTR_FOREGROUND, 0, 2)));
  pango_attribute_destroy (attr);
  g_assert_nonnull ((attr = find_attribute (attrs, PANGO_ATTR_FOREGROUND, 2, 4)));
  pango_attribute_destroy (attr);
  g_free (text);
  pango_attr_list_unref (attrs);

  /* 256 colours; an unfinished escape at the end; invalid UTF-8 */
  text = PARSE ("\033[38;5;208mo\033[39mé\xff\033[3");
  g_assert_cmpstr (text, ==, "oé\xef\xbf\xbd");
  g_assert_nonnull ((attr = find_attribute (attrs, PANGO_ATTR_FOREGROUND, 0, 1)));
  g_assert_cmpuint (((PangoAttrColor *) attr)->color.red, ==, 0xff * 257);
  pango_attribute_destroy (attr);
  g_free (text);
  pango_attr_list_unref (attrs);
#undef PARSE
}

/* ---- many lines ----------------------------------------------------------------------------- */

typedef struct
{
  HatakeLogView *view;
  guint          next;
  guint          total;
  guint          idles;
  guint          frames;
  gint64         last_frame;
  gint64         max_gap;
} Feeder;

static gboolean
feed_cb (gpointer data)
{
  Feeder *feeder = data;
  gint64 deadline = g_get_monotonic_time () + 4000;
  char text[128];

  /* a few milliseconds per idle, however fast appending is: the window must keep drawing */
  while (feeder->next < feeder->total && g_get_monotonic_time () < deadline)
    for (guint k = 0; k < 64 && feeder->next < feeder->total; k++, feeder->next++)
      {
        g_snprintf (text, sizeof text, "%u \033[3%um%s\033[0m the quick brown fox jumps over the lazy dog\n",
                    feeder->next, feeder->next % 8, feeder->next % 3 ? "INFO" : "WARN");
        append_text (feeder->view, T0 + feeder->next * 1000, feeder->next % 5 ? HATAKE_LOG_STDOUT : HATAKE_LOG_STDERR, text);
      }
  feeder->idles++;
  return feeder->next < feeder->total ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Feeder        *feeder)
{
  gint64 now = g_get_monotonic_time ();

  if (feeder->last_frame != 0 && feeder->next < feeder->total)
    feeder->max_gap = MAX (feeder->max_gap, now - feeder->last_frame);
  feeder->last_frame = now;
  feeder->frames++;
}

static gboolean
fed (gpointer data)
{
  Feeder *feeder = data;

  return feeder->next == feeder->total &&
         g_list_model_get_n_items (list_model (feeder->view)) == feeder->total;
}

static void
test_many_lines (Fixture       *f,
                 gconstpointer  data)
{
  Feeder feeder = { f->view, 0, 100000, 0, 0, 0, 0 };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  gint64 start = g_get_monotonic_time ();
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  gulong handler;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &feeder);
  g_idle_add (feed_cb, &feeder);
  g_assert_true (hatake_test_wait_until (fed, &feeder, 120));
  g_signal_handler_disconnect (clock, handler);
  settle (f);

  g_test_message ("100000 lines in %.2f s: %u idles, %u frames, longest frame gap %.1f ms",
                  (g_get_monotonic_time () - start) / 1e6, feeder.idles, feeder.frames,
                  feeder.max_gap / 1e3);
  /* the window kept drawing while lines poured in */
  g_assert_cmpuint (feeder.frames, >, 1);

  g_assert_cmpuint (hatake_log_view_get_n_lines (f->view), ==, 100000);
  g_assert_cmpuint (g_list_model_get_n_items (list_model (f->view)), ==, 100000);
  first = item_text (f->view, 0);
  last = item_text (f->view, 99999);
  g_assert_cmpstr (first, ==, "0 WARN the quick brown fox jumps over the lazy dog");
  g_assert_cmpstr (last, ==, "99999 WARN the quick brown fox jumps over the lazy dog");

  /* followed to the end, and the last line is on screen */
  g_assert_true (hatake_log_view_get_following (f->view));
  assert_at_end (f->view);
  g_assert_nonnull (find_row_label (f->view, last));
}

/* ---- one line's looks ----------------------------------------------------------------------- */

static void
test_ansi_row (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(HatakeLogLine) line = NULL;
  PangoAttribute *attr;
  GtkWidget *label;

  append_text (f->view, T0, HATAKE_LOG_STDOUT, "\033[31mred\033[0m plain\n");
  settle (f);

  line = g_list_model_get_item (list_model (f->view), 0);
  g_assert_cmpstr (hatake_log_line_get_text (line), ==, "red plain");
  attr = find_attribute (hatake_log_line_get_attributes (line), PANGO_ATTR_FOREGROUND, 0, 3);
  g_assert_nonnull (attr);
  pango_attribute_destroy (attr);

  /* and so does the row's label */
  label = find_row_label (f->view, "red plain");
  g_assert_nonnull (label);
  attr = find_attribute (gtk_label_get_attributes (GTK_LABEL (label)), PANGO_ATTR_FOREGROUND, 0, 3);
  g_assert_nonnull (attr);
  pango_attribute_destroy (attr);
  g_assert_true (gtk_widget_has_css_class (label, "monospace"));
}

static void
test_stderr (Fixture       *f,
             gconstpointer  data)
{
  GtkWidget *out_label, *err_label;

  append_text (f->view, T0, HATAKE_LOG_STDOUT, "to stdout\n");
  append_text (f->view, T0 + 1, HATAKE_LOG_STDERR, "to stderr\n");
  settle (f);

  out_label = find_row_label (f->view, "to stdout");
  err_label = find_row_label (f->view, "to stderr");
  g_assert_nonnull (out_label);
  g_assert_nonnull (err_label);
  g_assert_false (gtk_widget_has_css_class (out_label, "stderr"));
  g_assert_true (gtk_widget_has_css_class (err_label, "stderr"));
}

/* ---- search --------------------------------------------------------------------------------- */

static gboolean
label_reads (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (gtk_label_get_label (args[0]), args[1]) == 0;
}

static gboolean
has_background (HatakeLogLine *line,
                guint          start,
                guint          end,
                guint16        red)
{
  PangoAttribute *attr = find_attribute (hatake_log_line_get_attributes (line), PANGO_ATTR_BACKGROUND, start, end);
  gboolean ok = attr != NULL && ((PangoAttrColor *) attr)->color.red == red;

  g_clear_pointer (&attr, pango_attribute_destroy);
  return ok;
}

static void
assert_current_match_shown (Fixture    *f,
                            const char *text)
{
  settle (f);
  g_assert_nonnull (find_row_label (f->view, text));
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  GtkLabel *match_label = child (f->view, "match_label");
  GtkEditable *entry = child (f->view, "search_entry");
  g_autoptr(HatakeLogLine) line = NULL;
  gpointer args[2] = { match_label, NULL };

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *text = NULL;

      if (i == 100)
        text = g_strdup ("100 an Apple a day\n");
      else if (i == 1500)
        text = g_strdup ("1500 apple and apple\n");
      else
        text = g_strdup_printf ("%u nothing to see\n", i);
      append_text (f->view, T0 + i, HATAKE_LOG_STDOUT, text);
    }
  settle (f);
  assert_at_end (f->view);

  gtk_editable_set_text (entry, "apple");
  args[1] = "1 of 3";
  g_assert_true (hatake_test_wait_until (label_reads, args, 10));
  assert_current_match_shown (f, "100 an Apple a day");
  g_assert_false (hatake_log_view_get_following (f->view));

  /* the current match in orange, the others in yellow */
  line = g_list_model_get_item (list_model (f->view), 100);
  g_assert_true (has_background (line, 7, 12, 0xff00));
  g_clear_object (&line);
  line = g_list_model_get_item (list_model (f->view), 1500);
  g_assert_true (has_background (line, 5, 10, 0xf600));
  g_assert_true (has_background (line, 15, 20, 0xf600));

  gtk_widget_activate_action (GTK_WIDGET (f->view), "log.next-match", NULL);
  g_assert_cmpstr (gtk_label_get_label (match_label), ==, "2 of 3");
  /* the line that is alive changed in place */
  g_assert_true (has_background (line, 5, 10, 0xff00));
  g_assert_true (has_background (line, 15, 20, 0xf600));
  assert_current_match_shown (f, "1500 apple and apple");

  g_signal_emit_by_name (child (f->view, "next_button"), "clicked");
  g_assert_cmpstr (gtk_label_get_label (match_label), ==, "3 of 3");
  g_assert_true (has_background (line, 15, 20, 0xff00));

  g_signal_emit_by_name (child (f->view, "next_button"), "clicked");
  g_assert_cmpstr (gtk_label_get_label (match_label), ==, "1 of 3");
  assert_current_match_shown (f, "100 an Apple a day");

  g_signal_emit_by_name (child (f->view, "previous_button"), "clicked");
  g_assert_cmpstr (gtk_label_get_label (match_label), ==, "3 of 3");
  assert_current_match_shown (f, "1500 apple and apple");
  gtk_widget_activate_action (GTK_WIDGET (f->view), "log.previous-match", NULL);
  g_assert_cmpstr (gtk_label_get_label (match_label), ==, "2 of 3");

  /* lines that arrive later are searched too */
  append_text (f->view, T0 + 3000, HATAKE_LOG_STDOUT, "late apple\n");
  settle (f);
  g_assert_cmpstr (gtk_label_get_label (match_label), ==, "2 of 4");

  gtk_editable_set_text (entry, "");
  args[1] = "";
  g_assert_true (hatake_test_wait_until (label_reads, args, 10));
  g_assert_false (has_background (line, 5, 10, 0xf600));
  g_assert_false (gtk_widget_is_sensitive (child (f->view, "next_button")));
}

/* ---- following ------------------------------------------------------------------------------ */

static void
append_numbered (HatakeLogView *view,
                 guint          from,
                 guint          to)
{
  for (guint i = from; i < to; i++)
    {
      g_autofree char *text = g_strdup_printf ("line %u\n", i);
      append_text (view, T0 + i, HATAKE_LOG_STDOUT, text);
    }
}

static void
test_follow (Fixture       *f,
             gconstpointer  data)
{
  GtkAdjustment *adj = vadjustment (f->view);
  GtkWidget *jump = child (f->view, "jump_button");

  append_numbered (f->view, 0, 500);
  settle (f);
  assert_at_end (f->view);
  g_assert_false (gtk_widget_get_visible (jump));

  /* more lines while following: still at the end */
  append_numbered (f->view, 500, 800);
  settle (f);
  assert_at_end (f->view);
  g_assert_nonnull (find_row_label (f->view, "line 799"));

  /* the user scrolls up: following pauses, the button shows, new lines do not move the view */
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) - 2000);
  settle (f);
  g_assert_false (hatake_log_view_get_following (f->view));
  g_assert_true (gtk_widget_get_visible (jump));
  g_assert_true (gtk_widget_get_mapped (jump));
  {
    double before = gtk_adjustment_get_value (adj);

    append_numbered (f->view, 800, 900);
    settle (f);
    g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (adj), before, 0.5);
    g_assert_null (find_row_label (f->view, "line 899"));
  }

  /* the button: back to the end, following again */
  g_signal_emit_by_name (jump, "clicked");
  settle (f);
  g_assert_true (hatake_log_view_get_following (f->view));
  g_assert_false (gtk_widget_get_visible (jump));
  assert_at_end (f->view);
  g_assert_nonnull (find_row_label (f->view, "line 899"));

  append_numbered (f->view, 900, 1000);
  settle (f);
  assert_at_end (f->view);
  g_assert_nonnull (find_row_label (f->view, "line 999"));

  /* scrolling down to the end by hand resumes following too */
  gtk_adjustment_set_value (adj, 0);
  settle (f);
  g_assert_false (hatake_log_view_get_following (f->view));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  settle (f);
  g_assert_true (hatake_log_view_get_following (f->view));
}

/* ---- timestamps, wrap, clear, copy, save ---------------------------------------------------- */

static void
test_timestamps (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *ts = hatake_log_format_timestamp (T0 + 5);
  g_autofree char *expected = g_strdup_printf ("%s hello", ts);
  g_autoptr(HatakeLogLine) line = NULL;

  append_text (f->view, T0 + 5, HATAKE_LOG_STDOUT, "hello\n");
  settle (f);
  line = g_list_model_get_item (list_model (f->view), 0);
  g_assert_cmpstr (hatake_log_line_get_text (line), ==, "hello");
  g_assert_cmpstr (ts, ==, "2023-11-14T22:13:20.000000005Z");

  g_signal_emit_by_name (child (f->view, "timestamps_button"), "clicked");
  g_assert_true (hatake_log_view_get_show_timestamps (f->view));
  g_assert_cmpstr (hatake_log_line_get_text (line), ==, expected);
  settle (f);
  g_assert_nonnull (find_row_label (f->view, expected));

  g_signal_emit_by_name (child (f->view, "timestamps_button"), "clicked");
  g_assert_false (hatake_log_view_get_show_timestamps (f->view));
  g_assert_cmpstr (hatake_log_line_get_text (line), ==, "hello");

  /* wrap: the labels wrap and the list stops scrolling sideways */
  g_signal_emit_by_name (child (f->view, "wrap_button"), "clicked");
  g_assert_true (hatake_log_view_get_wrap (f->view));
  settle (f);
  g_assert_true (gtk_label_get_wrap (GTK_LABEL (find_row_label (f->view, "hello"))));
}

static void
test_clear (Fixture       *f,
            gconstpointer  data)
{
  append_numbered (f->view, 0, 300);
  settle (f);
  g_assert_cmpuint (g_list_model_get_n_items (list_model (f->view)), ==, 300);

  gtk_widget_activate_action (GTK_WIDGET (f->view), "log.clear", NULL);
  g_assert_cmpuint (hatake_log_view_get_n_lines (f->view), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list_model (f->view)), ==, 0);
  settle (f);
  g_assert_null (find_row_label (f->view, "line 299"));

  /* and fills again */
  append_numbered (f->view, 0, 3);
  hatake_log_view_clear (f->view);
  settle (f);
  g_assert_cmpuint (g_list_model_get_n_items (list_model (f->view)), ==, 0);
  append_numbered (f->view, 7, 8);
  settle (f);
  g_assert_nonnull (find_row_label (f->view, "line 7"));
}

static char *
read_clipboard (HatakeLogView *view)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (view));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *text;

  gdk_clipboard_read_text_async (clipboard, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  text = gdk_clipboard_read_text_finish (clipboard, result, &error);
  g_assert_no_error (error);
  return text;
}

static void
test_copy_save (Fixture       *f,
                gconstpointer  data)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (list_model (f->view));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *ts = hatake_log_format_timestamp (T0 + 1);
  g_autofree char *expected = NULL;

  append_numbered (f->view, 0, 3);
  append_text (f->view, T0 + 3, HATAKE_LOG_STDERR, "\033[1merr\033[0m\n");
  settle (f);

  gtk_widget_activate_action (GTK_WIDGET (f->view), "log.copy", NULL);
  text = read_clipboard (f->view);
  g_assert_cmpstr (text, ==, "line 0\nline 1\nline 2\nerr\n");
  g_clear_pointer (&text, g_free);

  /* a selection: only those lines, as shown */
  gtk_selection_model_select_item (selection, 1, TRUE);
  gtk_selection_model_select_item (selection, 3, FALSE);
  hatake_log_view_set_show_timestamps (f->view, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (f->view), "log.copy", NULL);
  text = read_clipboard (f->view);
  expected = g_strdup_printf ("%s line 1\n2023-11-14T22:13:20.000000003Z err\n", ts);
  g_assert_cmpstr (text, ==, expected);
  g_clear_pointer (&text, g_free);

  gtk_widget_activate_action (GTK_WIDGET (f->view), "log.copy-all", NULL);
  text = read_clipboard (f->view);
  g_assert_true (g_str_has_prefix (text, "2023-11-14T22:13:20.000000000Z line 0\n"));
  hatake_log_view_set_show_timestamps (f->view, FALSE);

  file = g_file_new_tmp ("hatake-log-XXXXXX.log", &stream, &error);
  g_assert_no_error (error);
  hatake_log_view_save_async (f->view, file, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_true (hatake_log_view_save_finish (f->view, result, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (g_file_peek_path (file), &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, "line 0\nline 1\nline 2\nerr\n");
  g_file_delete (file, NULL, NULL);
}

/* ---- the screenshot ------------------------------------------------------------------------- */

static void
screenshot (const char *name)
{
  const char *dir = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : ".", name, NULL);
  const char *argv[] = { "import", "-window", "root", path, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    g_test_message ("no screenshot (imagemagick's import): %s", error ? error->message : "failed");
  else
    g_test_message ("screenshot: %s", path);
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  static const char *lines[] = {
    "\033[32m2024/05/01 12:00:01\033[0m [notice] 1#1: using the \"epoll\" event method",
    "\033[32m2024/05/01 12:00:01\033[0m [notice] 1#1: nginx/1.25.5",
    "\033[33mWARN\033[0m  config: \033[1mworker_connections\033[0m exceed open file resource limit: 1024",
    "\033[34mINFO\033[0m  listening on 0.0.0.0:80",
    "\033[91mERROR\033[0m upstream timed out (110: Connection timed out) while reading response header",
    "\033[36mDEBUG\033[0m GET /healthz 200 0.4ms",
    "\033[35mTRACE\033[0m span=3f2a request_id=8c1e route=/api/v1/containers",
  };

  gtk_window_set_default_size (f->window, 1100, 560);
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s\n", lines[i % G_N_ELEMENTS (lines)]);
      append_text (f->view, T0 + i * G_GINT64_CONSTANT (1234567890), i % 7 == 4 ? HATAKE_LOG_STDERR : HATAKE_LOG_STDOUT, text);
    }
  hatake_log_view_set_show_timestamps (f->view, TRUE);
  gtk_editable_set_text (child (f->view, "search_entry"), "timed out");
  g_signal_emit_by_name (child (f->view, "search_entry"), "search-changed");
  gtk_adjustment_set_value (vadjustment (f->view), 200);
  settle (f);
  g_usleep (200 * 1000);
  settle (f);
  screenshot ("test-log-view.png");
}

/* ---- a real engine -------------------------------------------------------------------------- */

static JsonNode *
container_op (HatakeEngine                *engine,
              const char                  *id,
              HatakeContainerOp            op,
              const HatakeContainerOpArgs *args)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  hatake_engine_container_op_async (engine, id, op, args, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  node = hatake_engine_container_op_finish (engine, result, &error);
  g_assert_no_error (error);
  return node;
}

static gboolean
has_200_lines (gpointer data)
{
  Fixture *f = data;

  return hatake_log_view_get_n_lines (f->view) >= 200 && published (f);
}

static void
test_real_engine (Fixture       *f,
                  gconstpointer  data)
{
  const char *cmd[] = { "sh", "-c", "for i in $(seq 1 200); do echo line $i; done", NULL };
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *reference = NULL;
  HatakeContainerOpArgs remove_args = { .timeout = -1, .force = TRUE };

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;

  root = hatake_test_make_data_root ();
  engine = hatake_test_engine_new (root, NULL);
  reference = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (engine, reference, NULL, NULL, &error);
  g_assert_no_error (error);

  config = hatake_container_config_new ();
  config->image = g_strdup (reference);
  config->cmd = g_strdupv ((char **) cmd);
  hatake_engine_create_container_async (engine, config, NULL, hatake_test_store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  container = hatake_engine_create_container_finish (engine, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);   /* it holds the engine */

  node = container_op (engine, hatake_container_get_id (container), HATAKE_CONTAINER_OP_START, NULL);
  g_clear_pointer (&node, json_node_unref);
  hatake_log_view_follow_container (f->view, engine, hatake_container_get_id (container));
  g_assert_true (hatake_test_wait_until (has_200_lines, f, 60));
  node = container_op (engine, hatake_container_get_id (container), HATAKE_CONTAINER_OP_WAIT, NULL);
  g_clear_pointer (&node, json_node_unref);
  settle (f);

  g_assert_cmpuint (hatake_log_view_get_n_lines (f->view), ==, 200);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *text = item_text (f->view, i);
      g_autofree char *expected = g_strdup_printf ("line %u", i + 1);

      g_assert_cmpstr (text, ==, expected);
    }
  assert_at_end (f->view);
  g_assert_nonnull (find_row_label (f->view, "line 200"));

  /* following another container (here: the same one again) starts over */
  hatake_log_view_follow_container (f->view, engine, hatake_container_get_id (container));
  g_assert_cmpuint (hatake_log_view_get_n_lines (f->view), ==, 0);
  g_assert_true (hatake_test_wait_until (has_200_lines, f, 60));
  g_assert_cmpuint (hatake_log_view_get_n_lines (f->view), ==, 200);

  node = container_op (engine, hatake_container_get_id (container), HATAKE_CONTAINER_OP_REMOVE, &remove_args);
  g_clear_pointer (&node, json_node_unref);

  g_clear_object (&container);
  g_clear_object (&image);
  hatake_test_settle_engine (engine);
  hatake_test_clear_finalized (&engine, 10);
  hatake_test_remove_tree (root);
}

static void
test_no_display (void)
{
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    {
      g_test_message ("DISPLAY is not set: the UI tests need an X server (Xvfb)");
      g_test_fail ();
    }
  else
    g_test_skip ("DISPLAY is not set");
}

int
main (int   argc,
      char *argv[])
{
  const char *display = g_getenv ("DISPLAY");
  g_autoptr(GtkCssProvider) css = NULL;

  if (display == NULL || *display == '\0')
    {
      g_test_init (&argc, &argv, NULL);
      g_test_add_func ("/log-view/no-display", test_no_display);
      return g_test_run ();
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/hatake/Desktop/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add_func ("/log-view/parse-ansi", test_parse_ansi);
#define ADD(path, func) g_test_add ("/log-view/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("many-lines", test_many_lines);
  ADD ("ansi-row", test_ansi_row);
  ADD ("stderr", test_stderr);
  ADD ("search", test_search);
  ADD ("follow", test_follow);
  ADD ("timestamps-wrap", test_timestamps);
  ADD ("clear", test_clear);
  ADD ("copy-save", test_copy_save);
  ADD ("screenshot", test_screenshot);
  ADD ("real-engine", test_real_engine);
#undef ADD

  return g_test_run ();
}
