/* hatake-cli-streams.c: the commands that stream from a container — logs, attach, exec, top,
 * stats — and the terminal handling `run` shares with them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <signal.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "hatake-cli-private.h"
#include "hatake-json.h"
#include "hatake-stats-watcher.h"

/* ---- logs ---------------------------------------------------------------------------------- */

typedef struct
{
  gboolean timestamps;
} LogPrinter;

static void
print_entry (const HatakeLogEntry *entry, gpointer user_data)
{
  LogPrinter *printer = user_data;
  FILE *out = entry->stream == HATAKE_LOG_STDERR ? stderr : stdout;
  gsize length;
  const char *data = g_bytes_get_data (entry->content, &length);

  if (printer->timestamps)
    {
      g_autofree char *ts = hatake_log_format_timestamp (entry->timestamp);
      fprintf (out, "%s ", ts);
    }
  fwrite (data, 1, length, out);
  fflush (out);
}

void
hatake_cli_begin_logs (HatakeEngine *engine, const char *id, const HatakeLogOptions *options,
                       GCancellable *cancellable, GAsyncResult **result)
{
  static LogPrinter plain = { FALSE };

  hatake_engine_container_logs_async (engine, id, options, print_entry, &plain, cancellable, hatake_cli_store_result,
                                      result);
}

gboolean
hatake_cli_stream_logs (HatakeEngine *engine, const char *id, const HatakeLogOptions *options, gboolean timestamps, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  LogPrinter printer = { timestamps };

  hatake_engine_container_logs_async (engine, id, options, print_entry, &printer, NULL,
                                      hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  return hatake_engine_container_logs_finish (engine, result, error);
}

int
hatake_cli_logs (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean follow = FALSE, timestamps = FALSE, details = FALSE;
  g_autofree char *tail = NULL, *since = NULL, *until = NULL;
  const GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, N_("Follow log output"), NULL },
    { "timestamps", 't', 0, G_OPTION_ARG_NONE, &timestamps, N_("Show timestamps"), NULL },
    { "tail", 'n', 0, G_OPTION_ARG_STRING, &tail, N_("Number of lines to show from the end of the logs"), "N" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_("Show logs since timestamp or relative (e.g. 42m)"), "TIME" },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("Show logs before a timestamp or relative (e.g. 42m)"), "TIME" },
    { "details", 0, 0, G_OPTION_ARG_NONE, &details, N_("Show extra details provided to logs"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER", _("Fetch the logs of a container"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;
  gint64 now = g_get_real_time () * 1000;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 2)
    return hatake_cli_usage_error (context, _("requires exactly 1 argument"));
  options.follow = follow;
  if (tail != NULL && !g_str_equal (tail, "all"))
    {
      guint64 n;
      if (!g_ascii_string_to_unsigned (tail, 10, 0, G_MAXINT64, &n, NULL))
        return hatake_cli_usage_error (context, _("invalid value for --tail"));
      options.tail = (gint64) n;
    }
  if ((since && !hatake_log_parse_since (since, now, &options.since, &error)) ||
      (until && !hatake_log_parse_since (until, now, &options.until, &error)))
    return hatake_cli_usage_error (context, error->message);
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  if (!hatake_cli_stream_logs (engine, argv[1], &options, timestamps, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  return 0;
}

/* ---- attach: the terminal to a container's stdio ------------------------------------------- */

typedef struct
{
  HatakeAttach    *attach;
  GInputStream    *stdin_stream;
  GCancellable    *cancellable;
  guint            winch;
  gboolean         closed;
  gboolean         raw;
  gboolean         reading;      /* a read of our stdin is under way (terminal_end waits for it) */
  struct termios   saved;
} Terminal;

static void
on_attach_output (HatakeAttach *attach, int stream, GBytes *bytes, gpointer user_data)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  FILE *out = stream == HATAKE_LOG_STDERR ? stderr : stdout;

  fwrite (data, 1, length, out);
  fflush (out);
}

static void
on_attach_closed (HatakeAttach *attach, gpointer user_data)
{
  Terminal *t = user_data;

  t->closed = TRUE;
  g_cancellable_cancel (t->cancellable);
  g_main_context_wakeup (NULL);
}

static void
on_stdin (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Terminal *t = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  t->reading = FALSE;
  if (t->closed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      /* our input ended: so does the container's (cat and friends finish), as docker's CLI does */
      hatake_attach_end_input (t->attach);
      return;
    }
  hatake_attach_write (t->attach, bytes);
  t->reading = TRUE;
  g_input_stream_read_bytes_async (t->stdin_stream, 4096, G_PRIORITY_DEFAULT, t->cancellable, on_stdin, t);
}

static void
send_size (Terminal *t)
{
  struct winsize size;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    hatake_attach_resize (t->attach, size.ws_col, size.ws_row);
}

static gboolean
on_winch (gpointer user_data)
{
  send_size (user_data);
  return G_SOURCE_CONTINUE;
}

static void
terminal_begin (Terminal *t, HatakeAttach *attach, gboolean with_stdin, gboolean tty)
{
  t->attach = g_object_ref (attach);
  t->cancellable = g_cancellable_new ();
  g_signal_connect (attach, "output", G_CALLBACK (on_attach_output), t);
  g_signal_connect (attach, "closed", G_CALLBACK (on_attach_closed), t);
  if (tty && isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &t->saved) == 0)
    {
      struct termios raw = t->saved;
      cfmakeraw (&raw);
      t->raw = tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0;
    }
  if (tty)
    {
      send_size (t);
      t->winch = g_unix_signal_add (SIGWINCH, on_winch, t);
    }
  hatake_attach_start (attach);
  if (with_stdin)
    {
      t->stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      t->reading = TRUE;
      g_input_stream_read_bytes_async (t->stdin_stream, 4096, G_PRIORITY_DEFAULT, t->cancellable, on_stdin, t);
    }
}

static void
terminal_end (Terminal *t)
{
  if (t->attach == NULL)
    return;
  if (t->raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &t->saved);
  g_clear_handle_id (&t->winch, g_source_remove);
  g_signal_handlers_disconnect_by_data (t->attach, t);
  g_cancellable_cancel (t->cancellable);
  /* the cancelled stdin read reports before T goes (it is the caller's, on its stack): a read
   * that had finished in its thread already comes a moment later, with its data */
  while (t->reading)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&t->stdin_stream);
  g_clear_object (&t->cancellable);
  g_clear_object (&t->attach);
}

/* Connects the terminal to the container until its output ends: raw mode on a tty, input
 * forwarded, window size followed. Output written before we attached comes from the log. */
void
hatake_cli_begin_attach (HatakeEngine *engine, const char *id, GAsyncResult **result)
{
  hatake_engine_attach_async (engine, id, NULL, hatake_cli_store_result, result);
}

gboolean
hatake_cli_run_terminal (HatakeEngine *engine, const char *id, GAsyncResult **result, gboolean catch_up,
                         gboolean with_stdin, gboolean tty, GError **error)
{
  g_autoptr(HatakeAttach) attach = NULL;
  Terminal t = { 0 };

  hatake_cli_wait ((gpointer *) result);
  attach = hatake_engine_attach_finish (engine, *result, error);
  if (attach == NULL)
    return FALSE;
  /* attached to a running container: what it wrote before is in its log */
  if (catch_up)
    {
      HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;
      if (!hatake_cli_stream_logs (engine, id, &options, FALSE, error))
        return FALSE;
    }
  terminal_begin (&t, attach, with_stdin, tty);
  while (!t.closed)
    g_main_context_iteration (NULL, TRUE);
  terminal_end (&t);
  return TRUE;
}

gboolean
hatake_cli_attach_terminal (HatakeEngine *engine, const char *id, gboolean with_stdin, gboolean tty, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_cli_begin_attach (engine, id, &result);
  return hatake_cli_run_terminal (engine, id, &result, TRUE, with_stdin, tty, error);
}

int
hatake_cli_attach (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean no_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "no-stdin", 0, 0, G_OPTION_ARG_NONE, &no_stdin, N_("Do not attach STDIN"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER",
                                                                  _("Attach local standard input, output, and error streams to a running container"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) wait_result = NULL;
  g_autoptr(JsonNode) waited = NULL;
  g_autoptr(JsonNode) inspect = NULL;
  g_autoptr(GAsyncResult) inspect_result = NULL;
  JsonObject *state;
  gboolean tty;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 2)
    return hatake_cli_usage_error (context, _("requires exactly 1 argument"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  hatake_engine_inspect_container_async (engine, argv[1], NULL, hatake_cli_store_result, &inspect_result);
  hatake_cli_wait ((gpointer *) &inspect_result);
  inspect = hatake_engine_inspect_container_finish (engine, inspect_result, &error);
  if (inspect == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  tty = json_object_get_boolean_member_with_default (json_object_get_object_member (json_node_get_object (inspect),
                                                                                    "Config"), "Tty", FALSE);
  /* as docker's CLI checks: the engine would attach a stopped one from its next start (for
   * docker start -a), and this would wait until then */
  state = json_object_get_object_member (json_node_get_object (inspect), "State");
  if (state == NULL || !json_object_get_boolean_member_with_default (state, "Running", FALSE))
    {
      fprintf (stderr, "%s\n", _("You cannot attach to a stopped container, start it first"));
      return 1;
    }
  if (json_object_get_boolean_member_with_default (state, "Paused", FALSE))
    {
      fprintf (stderr, "%s\n", _("You cannot attach to a paused container, unpause it first"));
      return 1;
    }
  hatake_engine_container_op_async (engine, argv[1], HATAKE_CONTAINER_OP_WAIT, NULL, NULL,
                                    hatake_cli_store_result, &wait_result);
  if (!hatake_cli_attach_terminal (engine, argv[1], !no_stdin, tty, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  hatake_cli_wait ((gpointer *) &wait_result);
  waited = hatake_engine_container_op_finish (engine, wait_result, &error);
  if (waited == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  return (int) json_object_get_int_member (json_node_get_object (waited), "StatusCode");
}

/* ---- exec, top ----------------------------------------------------------------------------- */

typedef struct
{
  Terminal t;
  gboolean with_stdin;
} ExecTerminal;

static void
exec_attach_ready (HatakeAttach *attach, gpointer user_data)
{
  ExecTerminal *terminal = user_data;

  terminal_begin (&terminal->t, attach, terminal->with_stdin, TRUE);
}

int
hatake_cli_exec (HatakeCliGlobals *globals, int argc, char **argv)
{
  ExecTerminal terminal = { 0 };
  gboolean interactive = FALSE, tty = FALSE, detach = FALSE, privileged = FALSE;
  g_autofree char *user = NULL, *workdir = NULL;
  g_auto(GStrv) env = NULL;
  const GOptionEntry entries[] = {
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &interactive, N_("Keep STDIN open even if not attached"), NULL },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &tty, N_("Allocate a pseudo-TTY"), NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &detach, N_("Detached mode: run command in the background"), NULL },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, N_("Set environment variables"), "KEY=VALUE" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("Username or UID (format: <name|uid>[:<group|gid>])"), "USER" },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &workdir, N_("Working directory inside the container"), "DIR" },
    { "privileged", 0, 0, G_OPTION_ARG_NONE, &privileged, N_("Give extended privileges to the command"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER COMMAND [ARG...]",
                                                                  _("Execute a command in a running container"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HatakeExecOptions options = { 0 };
  int code;

  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 3)
    return hatake_cli_usage_error (context, _("requires at least 2 arguments"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  options.argv = argv + 2;
  options.env = env;
  options.user = user;
  options.working_dir = workdir;
  options.interactive = interactive;
  options.privileged = privileged;
  options.tty = tty;
  options.detach = detach;
  options.attach_ready = exec_attach_ready;
  options.attach_data = &terminal;
  terminal.with_stdin = interactive;
  hatake_engine_exec_async (engine, argv[1], &options, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  code = hatake_engine_exec_finish (engine, result, &error);
  /* what the terminal still holds, then give it back */
  for (guint i = 0; terminal.t.attach != NULL && !terminal.t.closed && i < 200; i++)
    g_main_context_iteration (NULL, FALSE) ? (void) 0 : g_usleep (5000);
  terminal_end (&terminal.t);
  if (error != NULL)
    {
      fprintf (stderr, "Error response from daemon: %s\n", error->message);
      return 126;
    }
  return code;
}

int
hatake_cli_top (HatakeCliGlobals *globals, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [ps OPTIONS]",
                                                                  _("Display the running processes of a container"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) top = NULL;
  g_autofree char *ps_args = NULL;
  JsonArray *titles, *processes;

  /* (what follows the container is ps's) */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  if (argc > 2)
    ps_args = g_strjoinv (" ", argv + 2);
  hatake_engine_top_async (engine, argv[1], ps_args, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  top = hatake_engine_top_finish (engine, result, &error);
  if (top == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  titles = json_object_get_array_member (json_node_get_object (top), "Titles");
  processes = json_object_get_array_member (json_node_get_object (top), "Processes");
  for (guint i = 0; i < json_array_get_length (titles); i++)
    printf (i + 1 < json_array_get_length (titles) ? "%-10s" : "%s\n", json_array_get_string_element (titles, i));
  for (guint p = 0; p < json_array_get_length (processes); p++)
    {
      JsonArray *row = json_array_get_array_element (processes, p);
      for (guint i = 0; i < json_array_get_length (row); i++)
        printf (i + 1 < json_array_get_length (row) ? "%-10s" : "%s\n", json_array_get_string_element (row, i));
    }
  return 0;
}

/* ---- diff ---------------------------------------------------------------------------------- */

int
hatake_cli_diff (HatakeCliGlobals *globals, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER",
                                                                  _("Inspect changes to files or directories on a container's filesystem"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) changes = NULL;
  JsonArray *array;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 2)
    return hatake_cli_usage_error (context, _("requires exactly 1 argument"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  hatake_engine_changes_async (engine, argv[1], NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  changes = hatake_engine_changes_finish (engine, result, &error);
  if (changes == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  /* (an engine with nothing to report may answer null) */
  array = JSON_NODE_HOLDS_ARRAY (changes) ? json_node_get_array (changes) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *change = hatake_json_array_object (array, i);
      const char *path = hatake_json_string (change, "Path");
      gint64 kind = change && json_object_has_member (change, "Kind") ? json_object_get_int_member (change, "Kind") : -1;

      if (path != NULL && kind >= 0 && kind <= 2)
        printf ("%c %s\n", "CAD"[kind], path);
    }
  return 0;
}

/* ---- stats --------------------------------------------------------------------------------- */

typedef struct
{
  char     *id;
  char     *name;
  JsonNode *previous;
} StatsRow;

static void
stats_row_free (StatsRow *row)
{
  g_free (row->id);
  g_free (row->name);
  g_clear_pointer (&row->previous, json_node_unref);
  g_free (row);
}

static gint64
stat_int (JsonNode *node, const char *a, const char *b, const char *c)
{
  JsonObject *o = json_node_get_object (node);

  if (!json_object_has_member (o, a))
    return 0;
  o = json_object_get_object_member (o, a);
  if (c != NULL)
    o = json_object_get_object_member (o, b);
  return json_object_get_int_member_with_default (o, c ? c : b, 0);
}

/* docker's figures: CPU % from two samples, memory less the inactive page cache. */
static JsonNode *
stats_line (StatsRow *row, JsonNode *now)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  gint64 cpu_delta = stat_int (now, "cpu_stats", "cpu_usage", "total_usage") -
                     (row->previous ? stat_int (row->previous, "cpu_stats", "cpu_usage", "total_usage") : 0);
  gint64 sys_delta = stat_int (now, "cpu_stats", "system_cpu_usage", NULL) -
                     (row->previous ? stat_int (row->previous, "cpu_stats", "system_cpu_usage", NULL) : 0);
  gint64 cpus = stat_int (now, "cpu_stats", "online_cpus", NULL);
  JsonObject *memory = json_object_get_object_member (json_node_get_object (now), "memory_stats");
  JsonObject *mem_stats = json_object_get_object_member (memory, "stats");
  gint64 cache = json_object_get_int_member_with_default (mem_stats, "inactive_file",
                   json_object_get_int_member_with_default (mem_stats, "total_inactive_file", 0));
  gint64 usage = MAX (json_object_get_int_member (memory, "usage") - cache, 0);
  gint64 limit = json_object_get_int_member (memory, "limit");
  double cpu_percent = row->previous && sys_delta > 0 ? (double) cpu_delta / sys_delta * cpus * 100.0 : 0.0;
  double mem_percent = limit > 0 ? (double) usage / limit * 100.0 : 0.0;
  g_autofree char *cpu_text = g_strdup_printf ("%.2f%%", cpu_percent);
  g_autofree char *mem_text = g_strdup_printf ("%.2f%%", mem_percent);
  g_autofree char *use = hatake_cli_format_binary_size (usage);
  g_autofree char *lim = hatake_cli_format_binary_size (limit);
  g_autofree char *mem_usage = g_strdup_printf ("%s / %s", use, lim);
  HatakeStatsIo io;
  g_autofree char *rd = NULL, *wr = NULL, *rx = NULL, *tx = NULL, *block = NULL, *net = NULL;
  g_autofree char *pids = g_strdup_printf ("%" G_GINT64_FORMAT, stat_int (now, "pids_stats", "current", NULL));
  g_autofree char *short_id = g_strndup (row->id, 12);

  /* docker's BLOCK I/O and NET I/O: read / written, received / sent */
  hatake_stats_io_totals (json_node_get_object (now), &io);
  rd = hatake_cli_format_size (io.block_read);
  wr = hatake_cli_format_size (io.block_written);
  block = g_strdup_printf ("%s / %s", rd, wr);
  rx = hatake_cli_format_size (io.net_rx);
  tx = hatake_cli_format_size (io.net_tx);
  net = g_strdup_printf ("%s / %s", rx, tx);

  json_builder_begin_object (b);
#define STR(n, v) (json_builder_set_member_name (b, n), json_builder_add_string_value (b, v))
  STR ("BlockIO", block);
  STR ("CPUPerc", cpu_text);
  STR ("Container", short_id);
  STR ("ID", short_id);
  STR ("MemPerc", mem_text);
  STR ("MemUsage", mem_usage);
  STR ("Name", row->name);
  STR ("NetIO", net);
  STR ("PIDs", pids);
#undef STR
  json_builder_end_object (b);
  g_clear_pointer (&row->previous, json_node_unref);
  row->previous = json_node_ref (now);
  return json_builder_get_root (b);
}

int
hatake_cli_stats (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean no_stream = FALSE, all = FALSE, no_trunc = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "no-stream", 0, 0, G_OPTION_ARG_NONE, &no_stream, N_("Disable streaming stats and only pull the first result"), NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("Show all containers (default shows just running)"), NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, N_("Do not truncate output"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format output: table, json, or a template"), "FORMAT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[CONTAINER...]",
                                                                  _("Display a live stream of container(s) resource usage statistics"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) stats_row_free);
  gboolean tty = isatty (STDOUT_FILENO);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  if (argc > 1)
    for (int i = 1; i < argc; i++)
      {
        g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (engine, argv[i]);
        StatsRow *row;
        if (c == NULL)
          {
            fprintf (stderr, "Error response from daemon: No such container: %s\n", argv[i]);
            return 1;
          }
        row = g_new0 (StatsRow, 1);
        row->id = g_strdup (hatake_container_get_id (c));
        row->name = g_strdup (hatake_container_get_name (c));
        g_ptr_array_add (rows, row);
      }
  else
    {
      GListModel *containers = hatake_engine_get_containers (engine);
      for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
        {
          g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);
          StatsRow *row;
          if (!all && hatake_container_get_state (c) != HATAKE_CONTAINER_RUNNING &&
              hatake_container_get_state (c) != HATAKE_CONTAINER_PAUSED)
            continue;
          row = g_new0 (StatsRow, 1);
          row->id = g_strdup (hatake_container_get_id (c));
          row->name = g_strdup (hatake_container_get_name (c));
          g_ptr_array_add (rows, row);
        }
    }

  /* a first sample to measure CPU against, then one line per container every second */
  for (guint round = 0;; round++)
    {
      g_autoptr(GString) screen = g_string_new (NULL);
      for (guint i = 0; i < rows->len; i++)
        {
          StatsRow *row = g_ptr_array_index (rows, i);
          g_autoptr(GAsyncResult) result = NULL;
          g_autoptr(JsonNode) sample = NULL;
          g_autoptr(JsonNode) line = NULL;
          JsonObject *o;

          hatake_engine_stats_async (engine, row->id, NULL, hatake_cli_store_result, &result);
          hatake_cli_wait ((gpointer *) &result);
          sample = hatake_engine_stats_finish (engine, result, NULL);
          if (sample == NULL)
            {
              g_autoptr(JsonParser) parser = json_parser_new ();
              json_parser_load_from_data (parser, "{\"cpu_stats\":{},\"memory_stats\":{\"usage\":0,\"limit\":0,\"stats\":{}},"
                                          "\"blkio_stats\":{\"io_service_bytes_recursive\":[{\"value\":0},{\"value\":0}]},"
                                          "\"pids_stats\":{\"current\":0}}", -1, NULL);
              sample = json_node_ref (json_parser_get_root (parser));
            }
          line = stats_line (row, sample);
          if (round == 0)
            continue;
          o = json_node_get_object (line);
          if (format != NULL && g_str_equal (format, "json"))
            {
              g_autoptr(JsonGenerator) gen = json_generator_new ();
              g_autofree char *text = NULL;
              json_generator_set_root (gen, line);
              text = json_generator_to_data (gen, NULL);
              g_string_append_printf (screen, "%s\n", text);
            }
          else if (format != NULL && !g_str_equal (format, "table"))
            {
              g_autofree char *text = hatake_cli_format_template (line, g_str_has_prefix (format, "table ") ? format + 6 : format, &error);
              if (text == NULL)
                return hatake_cli_fail (g_steal_pointer (&error));
              g_string_append_printf (screen, "%s\n", text);
            }
          else
            g_string_append_printf (screen, "%-15s%-20s%-10s%-24s%-10s%-20s%-20s%s\n",
                                    no_trunc ? row->id : json_object_get_string_member (o, "ID"),
                                    row->name, json_object_get_string_member (o, "CPUPerc"),
                                    json_object_get_string_member (o, "MemUsage"),
                                    json_object_get_string_member (o, "MemPerc"),
                                    json_object_get_string_member (o, "NetIO"),
                                    json_object_get_string_member (o, "BlockIO"),
                                    json_object_get_string_member (o, "PIDs"));
        }
      if (round > 0)
        {
          if (tty && !no_stream)
            printf ("\033[2J\033[H");
          if (format == NULL || g_str_equal (format, "table"))
            printf ("%-15s%-20s%-10s%-24s%-10s%-20s%-20s%s\n", "CONTAINER ID", "NAME", "CPU %",
                    "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
          printf ("%s", screen->str);
          fflush (stdout);
          if (no_stream)
            break;
        }
      /* docker's one-second period; only while someone watches */
      g_usleep (round == 0 && no_stream ? 500 * 1000 : G_USEC_PER_SEC);
    }
  return 0;
}
