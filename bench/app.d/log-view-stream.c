/* log-view-stream.c: the log viewer part of bench/app. A window shows a HatakeLogView; the
 * program fills it with LINES lines (default one million) in chunks from idle callbacks, then
 * streams RATE lines a second (default 10,000, in 100 Hz ticks) for SECONDS seconds while
 * following, and prints as "key value" lines:
 *   fill-ms          wall time to append the million lines
 *   rss-kib/pss-kib  the process's memory before any line, and holding the lines
 *   frames           frames painted while streaming
 *   max-frame-gap-ms the longest interval between two painted frames while streaming
 *   max-tick-ms      the longest append tick (the main loop is blocked that long)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gtk/gtk.h>
#include <stdlib.h>

#include "hatake-log-view.h"

typedef struct
{
  HatakeLogView *view;
  GMainLoop     *loop;
  guint          lines, rate, seconds;
  guint          appended;
  guint          streamed;
  gint64         t_fill_start;
  gint64         t_stream_start;
  gint64         last_paint;
  gint64         max_gap;
  gint64         max_tick;
  guint          frames;
  gboolean       streaming;
} Bench;

static void
print_memory (const char *when)
{
  g_autofree char *status = NULL, *rollup = NULL;
  const char *rss, *pss;

  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  g_file_get_contents ("/proc/self/smaps_rollup", &rollup, NULL, NULL);
  rss = status ? strstr (status, "VmRSS:") : NULL;
  pss = rollup ? strstr (rollup, "\nPss:") : NULL;
  g_print ("rss-kib-%s %ld\n", when, rss ? strtol (rss + 6, NULL, 10) : -1L);
  g_print ("pss-kib-%s %ld\n", when, pss ? strtol (pss + 5, NULL, 10) : -1L);
}

static void
append_line (Bench *b,
             guint  n)
{
  g_autofree char *text = g_strdup_printf ("%u \033[32mINFO\033[0m request served in %u ms "
                                           "path=/api/v1/items/%u status=200\n", n, n % 97, n);
  g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
  HatakeLogEntry entry = { g_get_real_time () * 1000, n % 10 ? HATAKE_LOG_STDOUT
                                                             : HATAKE_LOG_STDERR,
                           bytes, FALSE };

  hatake_log_view_append (b->view, &entry);
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *b)
{
  gint64 now = g_get_monotonic_time ();

  if (b->streaming)
    {
      if (b->last_paint != 0)
        b->max_gap = MAX (b->max_gap, now - b->last_paint);
      b->frames++;
    }
  b->last_paint = now;
}

static gboolean
stream_tick (gpointer data)
{
  Bench *b = data;
  gint64 start = g_get_monotonic_time ();
  guint due = (guint) ((start - b->t_stream_start) * b->rate / G_USEC_PER_SEC);

  while (b->streamed < due)
    append_line (b, b->appended + b->streamed++);
  b->max_tick = MAX (b->max_tick, g_get_monotonic_time () - start);

  if (start - b->t_stream_start >= (gint64) b->seconds * G_USEC_PER_SEC)
    {
      g_main_loop_quit (b->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
fill_chunk (gpointer data)
{
  Bench *b = data;
  guint end = MIN (b->appended + 20000, b->lines);

  while (b->appended < end)
    append_line (b, b->appended++);
  if (b->appended < b->lines)
    return G_SOURCE_CONTINUE;

  g_print ("fill-ms %.0f\n", (g_get_monotonic_time () - b->t_fill_start) / 1000.0);
  g_print ("lines %u\n", hatake_log_view_get_n_lines (b->view));
  print_memory ("full");
  hatake_log_view_set_following (b->view, TRUE);
  b->streaming = TRUE;
  b->last_paint = 0;
  b->t_stream_start = g_get_monotonic_time ();
  g_timeout_add (10, stream_tick, b);
  return G_SOURCE_REMOVE;
}

static gboolean
start (gpointer data)
{
  Bench *b = data;

  print_memory ("empty");
  b->t_fill_start = g_get_monotonic_time ();
  g_idle_add (fill_chunk, b);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  Bench b = { 0 };
  GtkWidget *window;

  b.lines = argc > 1 ? (guint) atoi (argv[1]) : 1000000;
  b.rate = argc > 2 ? (guint) atoi (argv[2]) : 10000;
  b.seconds = argc > 3 ? (guint) atoi (argv[3]) : 5;

  gtk_init ();
  b.loop = g_main_loop_new (NULL, FALSE);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 640);
  b.view = HATAKE_LOG_VIEW (hatake_log_view_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (b.view));
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_after_paint), &b);
  g_timeout_add (500, start, &b);
  g_main_loop_run (b.loop);

  g_print ("streamed %u\n", b.streamed);
  g_print ("frames %u\n", b.frames);
  g_print ("max-frame-gap-ms %.1f\n", b.max_gap / 1000.0);
  g_print ("max-tick-ms %.1f\n", b.max_tick / 1000.0);
  print_memory ("streamed");

  gtk_window_destroy (GTK_WINDOW (window));
  g_main_loop_unref (b.loop);
  return 0;
}
