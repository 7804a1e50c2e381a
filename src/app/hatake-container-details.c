/* hatake-container-details.c: one container up close: overview, logs, resource use
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The overview shows the engine's inspect document (Docker's shape) as rows, and the document
 * itself below them; it is read again whenever the container changes state. The logs follow the
 * container for as long as the details exist. Resource use is sampled only while the details are
 * on screen (watch on map, unwatch on unmap), as the list does for its rows.
 *
 * The operation buttons and the back button are actionables: the containers page, which owns
 * the confirmation dialog and the error toasts, provides their actions.
 *
 * There is no terminal: a terminal widget for GTK 4 (VTE's gtk4 build) is not in Debian 12.
 * The overview says how to open one from a shell instead.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "hatake-container-details.h"
#include "hatake-json.h"
#include "hatake-containers-page.h"
#include "hatake-file-browser.h"
#include "hatake-log-view.h"

/* How often the graphs take a sample when the engine reports no change. */
#define STATS_TICK_SECONDS 1

/* HatakeStatsGraph */

struct _HatakeStatsGraph
{
  GtkWidget parent_instance;

  double    samples[HATAKE_STATS_GRAPH_SAMPLES];   /* a ring: the oldest at first */
  guint     first;
  guint     n_samples;
  double    ceiling;
};

G_DEFINE_FINAL_TYPE (HatakeStatsGraph, hatake_stats_graph, GTK_TYPE_WIDGET)

static double
stats_graph_sample (HatakeStatsGraph *self,
                    guint             i)
{
  g_assert (i < self->n_samples);
  return self->samples[(self->first + i) % HATAKE_STATS_GRAPH_SAMPLES];
}

static void
hatake_stats_graph_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  HatakeStatsGraph *self = HATAKE_STATS_GRAPH (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double top = self->ceiling;
  double step = width / (HATAKE_STATS_GRAPH_SAMPLES - 1);
  GdkRGBA color;
  cairo_t *cr;

  if (self->n_samples == 0 || width <= 0 || height <= 0)
    return;

  for (guint i = 0; i < self->n_samples; i++)
    top = MAX (top, stats_graph_sample (self, i));
  if (top <= 0)
    top = 1;

  /* GTK 4.8 has no GskPath: the line is drawn with cairo into a node. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  /* The newest sample at the right edge; older ones slide to the left. */
  for (guint i = 0; i < self->n_samples; i++)
    {
      double x = width - (self->n_samples - 1 - i) * step;
      double y = height - 2 - (height - 4) * CLAMP (stats_graph_sample (self, i) / top, 0, 1);

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_stroke_preserve (cr);

  cairo_line_to (cr, width, height);
  cairo_line_to (cr, width - (self->n_samples - 1) * step, height);
  cairo_close_path (cr);
  color.alpha *= 0.15;
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
hatake_stats_graph_class_init (HatakeStatsGraphClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = hatake_stats_graph_snapshot;
  gtk_widget_class_set_css_name (widget_class, "statsgraph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
hatake_stats_graph_init (HatakeStatsGraph *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
hatake_stats_graph_new (void)
{
  return g_object_new (HATAKE_TYPE_STATS_GRAPH, NULL);
}

void
hatake_stats_graph_set_ceiling (HatakeStatsGraph *self,
                                double            ceiling)
{
  g_return_if_fail (HATAKE_IS_STATS_GRAPH (self));

  if (self->ceiling == ceiling)
    return;
  self->ceiling = MAX (ceiling, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
hatake_stats_graph_push (HatakeStatsGraph *self,
                         double            value)
{
  g_return_if_fail (HATAKE_IS_STATS_GRAPH (self));

  if (self->n_samples < HATAKE_STATS_GRAPH_SAMPLES)
    self->samples[(self->first + self->n_samples++) % HATAKE_STATS_GRAPH_SAMPLES] = value;
  else
    {
      self->samples[self->first] = value;
      self->first = (self->first + 1) % HATAKE_STATS_GRAPH_SAMPLES;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
hatake_stats_graph_get_n_samples (HatakeStatsGraph *self)
{
  g_return_val_if_fail (HATAKE_IS_STATS_GRAPH (self), 0);

  return self->n_samples;
}

/* HatakeContainerDetails */

struct _HatakeContainerDetails
{
  GtkWidget         parent_instance;

  HatakeEngine     *engine;
  HatakeContainer  *container;
  JsonNode         *inspect;
  GCancellable     *inspect_cancellable;
  gboolean          watching;
  guint             hold_timeout;
  gboolean          cpu_fresh;      /* a sample arrived since the last tick */
  gboolean          memory_fresh;

  GtkWidget        *content;   /* bound so that disposing the template unparents it */
  GtkLabel         *name_label;
  GtkLabel         *state_label;
  GtkWidget        *pause_button;
  GtkWidget        *unpause_button;
  AdwViewStack     *view_stack;
  AdwActionRow     *name_row;
  AdwActionRow     *id_row;
  AdwActionRow     *image_row;
  AdwActionRow     *command_row;
  AdwActionRow     *created_row;
  AdwActionRow     *state_row;
  AdwActionRow     *exit_code_row;
  AdwActionRow     *started_row;
  AdwActionRow     *finished_row;
  AdwActionRow     *pid_row;
  AdwActionRow     *restart_count_row;
  AdwActionRow     *error_row;
  AdwActionRow     *runtime_row;
  AdwActionRow     *restart_policy_row;
  AdwActionRow     *memory_limit_row;
  AdwActionRow     *cpus_row;
  AdwActionRow     *terminal_row;
  GtkExpander      *raw_expander;
  GtkTextView      *raw_view;
  HatakeLogView    *log_view;
  HatakeFileBrowser *file_browser;
  GtkLabel         *cpu_label;
  GtkLabel         *memory_label;
  GtkLabel         *network_label;
  GtkLabel         *disk_label;
  HatakeStatsGraph *cpu_graph;
  HatakeStatsGraph *memory_graph;
};

G_DEFINE_FINAL_TYPE (HatakeContainerDetails, hatake_container_details, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_CONTAINER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Reading the inspect document */

static JsonNode *
member_value (JsonObject *object,
              const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? node : NULL;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = member_value (object, name);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static gint64
member_int (JsonObject *object,
            const char *name,
            gint64      otherwise)
{
  JsonNode *node = member_value (object, name);

  if (node == NULL)
    return otherwise;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  return json_node_get_int (node);
}

/* "2024-05-01T10:00:00.123456789Z" as the local time, to the second; Docker's zero time
 * ("0001-01-01T00:00:00Z") as nothing. */
static char *
format_time (const char *iso8601)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso8601 == NULL || g_str_has_prefix (iso8601, "0001-"))
    return NULL;
  utc = g_date_time_new_from_iso8601 (iso8601, NULL);
  if (utc == NULL)
    return g_strdup (iso8601);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static void
set_row (AdwActionRow *row,
         const char   *text)
{
  adw_action_row_set_subtitle (row, text != NULL && *text != '\0' ? text : "—");
}

static void
set_row_take (AdwActionRow *row,
              char         *text)
{
  set_row (row, text);
  g_free (text);
}

static void
append_words (GString  *command,
              JsonNode *words)
{
  JsonArray *array;

  if (words == NULL || !JSON_NODE_HOLDS_ARRAY (words))
    return;

  array = json_node_get_array (words);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *word = JSON_NODE_HOLDS_VALUE (element) ? json_node_get_string (element) : NULL;
      g_autofree char *quoted = g_shell_quote (word ? word : "");
      gboolean plain = word != NULL && *word != '\0' && strpbrk (word, " \t\n'\"$;&|<>()*?`\\") == NULL;

      g_string_append_printf (command, "%s%s", command->len ? " " : "", plain ? word : quoted);
    }
}

/* Entrypoint and Cmd, as a shell would take them back; Path and Args where there are none. */
static char *
format_command (JsonObject *root)
{
  JsonObject *config = hatake_json_object_member (root, "Config");
  g_autoptr(GString) command = g_string_new (NULL);

  append_words (command, config ? json_object_get_member (config, "Entrypoint") : NULL);
  append_words (command, config ? json_object_get_member (config, "Cmd") : NULL);
  if (command->len == 0)
    {
      g_string_append (command, member_string (root, "Path") ? member_string (root, "Path") : "");
      append_words (command, json_object_get_member (root, "Args"));
    }
  return g_string_free (g_steal_pointer (&command), FALSE);
}

static void
show_inspect (HatakeContainerDetails *self)
{
  JsonObject *root = JSON_NODE_HOLDS_OBJECT (self->inspect) ? json_node_get_object (self->inspect) : NULL;
  JsonObject *state = hatake_json_object_member (root, "State");
  JsonObject *host = hatake_json_object_member (root, "HostConfig");
  JsonObject *config = hatake_json_object_member (root, "Config");
  JsonObject *policy = hatake_json_object_member (host, "RestartPolicy");
  const char *name = member_string (root, "Name");
  const char *status = member_string (state, "Status");
  const char *error = member_string (state, "Error");
  const char *image = member_string (config, "Image");
  gint64 memory = member_int (host, "Memory", 0);
  gint64 nano_cpus = member_int (host, "NanoCpus", 0);
  gint64 pid = member_int (state, "Pid", 0);
  g_autofree char *raw = json_to_string (self->inspect, TRUE);

  /* Docker names start with the slash of its old link hierarchy. */
  if (name != NULL && *name == '/')
    name++;
  set_row (self->name_row, name);
  set_row (self->id_row, member_string (root, "Id"));
  set_row (self->image_row, image != NULL ? image : member_string (root, "Image"));
  set_row_take (self->command_row, format_command (root));
  set_row_take (self->created_row, format_time (member_string (root, "Created")));

  if (status != NULL && member_int (state, "OOMKilled", FALSE))
    set_row_take (self->state_row, g_strdup_printf (_("%s (out of memory)"), status));
  else
    set_row (self->state_row, status);
  if (g_strcmp0 (status, "exited") == 0 || g_strcmp0 (status, "dead") == 0)
    set_row_take (self->exit_code_row, g_strdup_printf ("%" G_GINT64_FORMAT, member_int (state, "ExitCode", 0)));
  else
    set_row (self->exit_code_row, NULL);
  set_row_take (self->started_row, format_time (member_string (state, "StartedAt")));
  set_row_take (self->finished_row, format_time (member_string (state, "FinishedAt")));
  set_row_take (self->pid_row, pid > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, pid) : NULL);
  set_row_take (self->restart_count_row,
                g_strdup_printf ("%" G_GINT64_FORMAT, member_int (root, "RestartCount", 0)));
  set_row (self->error_row, error);
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), error != NULL && *error != '\0');

  set_row (self->runtime_row, member_string (host, "Runtime"));
  if (policy != NULL && member_string (policy, "Name") != NULL && *member_string (policy, "Name") != '\0')
    {
      gint64 retries = member_int (policy, "MaximumRetryCount", 0);

      if (retries > 0)
        set_row_take (self->restart_policy_row,
                      g_strdup_printf ("%s:%" G_GINT64_FORMAT, member_string (policy, "Name"), retries));
      else
        set_row (self->restart_policy_row, member_string (policy, "Name"));
    }
  else
    set_row (self->restart_policy_row, "no");
  set_row_take (self->memory_limit_row, memory > 0 ? g_format_size (memory) : g_strdup (_("Unlimited")));
  set_row_take (self->cpus_row, nano_cpus > 0 ? g_strdup_printf ("%.2f", nano_cpus / 1e9) : g_strdup (_("Unlimited")));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->raw_view), raw, -1);
}

static void
inspect_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HatakeContainerDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = hatake_engine_inspect_container_finish (HATAKE_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node == NULL)
    {
      /* Gone between the change and the question: the page takes us back to the list. */
      g_debug ("Could not inspect %s: %s", hatake_container_get_id (self->container), error->message);
      return;
    }

  g_clear_pointer (&self->inspect, json_node_unref);
  self->inspect = g_steal_pointer (&node);
  show_inspect (self);
}

static void
refresh_inspect (HatakeContainerDetails *self)
{
  if (self->engine == NULL || self->container == NULL ||
      hatake_container_get_state (self->container) == HATAKE_CONTAINER_REMOVED)
    return;

  g_cancellable_cancel (self->inspect_cancellable);
  g_clear_object (&self->inspect_cancellable);
  self->inspect_cancellable = g_cancellable_new ();
  hatake_engine_inspect_container_async (self->engine, hatake_container_get_id (self->container),
                                         self->inspect_cancellable, inspect_done,
                                         g_object_ref (self));
}

/* The header */

static const char *
state_label_text (HatakeContainerState state)
{
  switch (state)
    {
    case HATAKE_CONTAINER_CREATED: return C_("container state", "Created");
    case HATAKE_CONTAINER_RUNNING: return C_("container state", "Running");
    case HATAKE_CONTAINER_PAUSED: return C_("container state", "Paused");
    case HATAKE_CONTAINER_RESTARTING: return C_("container state", "Restarting");
    case HATAKE_CONTAINER_EXITED: return C_("container state", "Exited");
    case HATAKE_CONTAINER_REMOVING: return C_("container state", "Removing");
    case HATAKE_CONTAINER_DEAD: return C_("container state", "Dead");
    case HATAKE_CONTAINER_REMOVED: return C_("container state", "Removed");
    default: return hatake_container_state_to_string (state);
    }
}

/* libadwaita's own colour classes: the list's badge style is scoped to its column view. */
static const char *
state_label_class (HatakeContainerState state)
{
  switch (state)
    {
    case HATAKE_CONTAINER_RUNNING: return "success";
    case HATAKE_CONTAINER_PAUSED:
    case HATAKE_CONTAINER_RESTARTING: return "warning";
    case HATAKE_CONTAINER_CREATED: return "accent";
    case HATAKE_CONTAINER_DEAD: return "error";
    case HATAKE_CONTAINER_EXITED:
    case HATAKE_CONTAINER_REMOVING:
    case HATAKE_CONTAINER_REMOVED:
    default: return "dim-label";
    }
}

static void
update_header (HatakeContainerDetails *self)
{
  HatakeContainerState state = hatake_container_get_state (self->container);
  const char *classes[] = { "caption-heading", "state-badge", state_label_class (state), NULL };
  gboolean paused = state == HATAKE_CONTAINER_PAUSED;

  gtk_label_set_label (self->name_label, hatake_container_get_name (self->container));
  gtk_label_set_label (self->state_label, state_label_text (state));
  gtk_widget_set_css_classes (GTK_WIDGET (self->state_label), classes);
  /* Pause and resume share a place, as in the rows. */
  gtk_widget_set_visible (self->pause_button, !paused);
  gtk_widget_set_visible (self->unpause_button, paused);
}

static void
on_state_changed (HatakeContainerDetails *self)
{
  update_header (self);
  refresh_inspect (self);
}

/* Resource use */

static gboolean
state_has_usage (HatakeContainerState state)
{
  return state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED;
}

static void
on_cpu_changed (HatakeContainerDetails *self)
{
  double cpu = hatake_container_get_cpu_percent (self->container);
  g_autofree char *text = hatake_containers_format_cpu (cpu);

  gtk_label_set_label (self->cpu_label, text);
  hatake_stats_graph_push (self->cpu_graph, cpu);
  self->cpu_fresh = TRUE;
}

static void
on_memory_changed (HatakeContainerDetails *self)
{
  gint64 usage = hatake_container_get_memory_usage (self->container);
  gint64 limit = hatake_container_get_memory_limit (self->container);
  g_autofree char *text = hatake_containers_format_memory (usage, limit);

  /* Scaled to what it uses: without a limit of its own, the limit is the host's memory,
   * and the line would lie flat on the floor. */
  gtk_label_set_label (self->memory_label, text);
  hatake_stats_graph_push (self->memory_graph, usage);
  self->memory_fresh = TRUE;
}

/* Totals since the start, as docker stats shows them */
static void
on_io_changed (HatakeContainerDetails *self)
{
  g_autofree char *rx = g_format_size (hatake_container_get_net_rx_bytes (self->container));
  g_autofree char *tx = g_format_size (hatake_container_get_net_tx_bytes (self->container));
  g_autofree char *read = g_format_size (hatake_container_get_block_read_bytes (self->container));
  g_autofree char *written = g_format_size (hatake_container_get_block_write_bytes (self->container));
  /* Translators: bytes a container received and sent on its networks, e.g. "2.1 kB received · 980 bytes sent" */
  g_autofree char *network = g_strdup_printf (_("%s received · %s sent"), rx, tx);
  /* Translators: bytes a container read from and wrote to disks, e.g. "1.6 MB read · 0 bytes written" */
  g_autofree char *disk = g_strdup_printf (_("%s read · %s written"), read, written);

  gtk_label_set_label (self->network_label, network);
  gtk_label_set_label (self->disk_label, disk);
}

/* A property notifies only when its value changes: a steady value repeats once a tick, so
 * the graphs keep time. */
static gboolean
hold_samples (gpointer data)
{
  HatakeContainerDetails *self = data;

  if (state_has_usage (hatake_container_get_state (self->container)))
    {
      if (!self->cpu_fresh)
        hatake_stats_graph_push (self->cpu_graph, hatake_container_get_cpu_percent (self->container));
      if (!self->memory_fresh)
        hatake_stats_graph_push (self->memory_graph, hatake_container_get_memory_usage (self->container));
    }
  self->cpu_fresh = self->memory_fresh = FALSE;
  return G_SOURCE_CONTINUE;
}

static gboolean
engine_can_watch (HatakeEngine *engine)
{
  HatakeEngineInterface *iface = HATAKE_ENGINE_GET_IFACE (engine);

  return iface->watch_stats != NULL && iface->unwatch_stats != NULL;
}

static void
start_watching (HatakeContainerDetails *self)
{
  if (self->watching || self->engine == NULL || self->container == NULL || !engine_can_watch (self->engine))
    return;

  self->watching = TRUE;
  hatake_engine_watch_stats (self->engine, self->container);
  self->hold_timeout = g_timeout_add_seconds (STATS_TICK_SECONDS, hold_samples, self);
  if (state_has_usage (hatake_container_get_state (self->container)))
    {
      on_cpu_changed (self);
      on_memory_changed (self);
      on_io_changed (self);
    }
}

static void
stop_watching (HatakeContainerDetails *self)
{
  if (!self->watching)
    return;

  self->watching = FALSE;
  g_clear_handle_id (&self->hold_timeout, g_source_remove);
  hatake_engine_unwatch_stats (self->engine, self->container);
}

/* Public API */

GtkWidget *
hatake_container_details_new (HatakeEngine    *engine,
                              HatakeContainer *container)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (HATAKE_IS_CONTAINER (container), NULL);

  return g_object_new (HATAKE_TYPE_CONTAINER_DETAILS, "engine", engine, "container", container, NULL);
}

HatakeEngine *
hatake_container_details_get_engine (HatakeContainerDetails *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER_DETAILS (self), NULL);

  return self->engine;
}

HatakeContainer *
hatake_container_details_get_container (HatakeContainerDetails *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER_DETAILS (self), NULL);

  return self->container;
}

JsonNode *
hatake_container_details_get_inspect (HatakeContainerDetails *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINER_DETAILS (self), NULL);

  return self->inspect;
}

/* GObject */

/* The files are listed when first shown: a listing reads the whole tree from the engine. */
static void
on_page_shown (HatakeContainerDetails *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "files") == 0 &&
      hatake_file_browser_get_path (self->file_browser) == NULL)
    hatake_file_browser_set_target (self->file_browser, self->engine, hatake_container_get_id (self->container), "/");
}

static void
hatake_container_details_constructed (GObject *object)
{
  HatakeContainerDetails *self = HATAKE_CONTAINER_DETAILS (object);
  g_autofree char *terminal = NULL;

  G_OBJECT_CLASS (hatake_container_details_parent_class)->constructed (object);

  g_return_if_fail (self->engine != NULL && self->container != NULL);

  g_signal_connect_object (self->container, "notify::state", G_CALLBACK (on_state_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->container, "notify::name", G_CALLBACK (update_header), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->container, "notify::cpu-percent", G_CALLBACK (on_cpu_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->container, "notify::memory-usage", G_CALLBACK (on_memory_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->container, "notify::net-rx-bytes", G_CALLBACK (on_io_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->container, "notify::net-tx-bytes", G_CALLBACK (on_io_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->container, "notify::block-read-bytes", G_CALLBACK (on_io_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->container, "notify::block-write-bytes", G_CALLBACK (on_io_changed), self,
                           G_CONNECT_SWAPPED);
  update_header (self);

  /* TRANSLATORS: the placeholder for a terminal; %s is the container's name */
  terminal = g_strdup_printf (_("Open a terminal with “hatake exec -it %s sh”"),
                              hatake_container_get_name (self->container));
  adw_action_row_set_subtitle (self->terminal_row, terminal);

  hatake_stats_graph_set_ceiling (self->cpu_graph, 100);
  hatake_log_view_follow_container (self->log_view, self->engine, hatake_container_get_id (self->container));
  g_signal_connect_object (self->view_stack, "notify::visible-child-name", G_CALLBACK (on_page_shown), self,
                           G_CONNECT_SWAPPED);
  refresh_inspect (self);
}

static void
hatake_container_details_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hatake_container_details_parent_class)->map (widget);

  start_watching (HATAKE_CONTAINER_DETAILS (widget));
}

static void
hatake_container_details_unmap (GtkWidget *widget)
{
  stop_watching (HATAKE_CONTAINER_DETAILS (widget));

  GTK_WIDGET_CLASS (hatake_container_details_parent_class)->unmap (widget);
}

static void
hatake_container_details_dispose (GObject *object)
{
  HatakeContainerDetails *self = HATAKE_CONTAINER_DETAILS (object);

  g_cancellable_cancel (self->inspect_cancellable);
  stop_watching (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_CONTAINER_DETAILS);

  g_clear_object (&self->inspect_cancellable);
  g_clear_object (&self->container);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->inspect, json_node_unref);

  G_OBJECT_CLASS (hatake_container_details_parent_class)->dispose (object);
}

static void
hatake_container_details_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  HatakeContainerDetails *self = HATAKE_CONTAINER_DETAILS (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    case PROP_CONTAINER:
      g_value_set_object (value, self->container);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_container_details_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  HatakeContainerDetails *self = HATAKE_CONTAINER_DETAILS (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    case PROP_CONTAINER:
      self->container = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_container_details_class_init (HatakeContainerDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = hatake_container_details_constructed;
  object_class->dispose = hatake_container_details_dispose;
  object_class->get_property = hatake_container_details_get_property;
  object_class->set_property = hatake_container_details_set_property;
  widget_class->map = hatake_container_details_map;
  widget_class->unmap = hatake_container_details_unmap;

  /**
   * HatakeContainerDetails:engine:
   *
   * The engine the container belongs to.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HatakeContainerDetails:container:
   *
   * The container shown.
   */
  properties[PROP_CONTAINER] =
    g_param_spec_object ("container", NULL, NULL, HATAKE_TYPE_CONTAINER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HATAKE_TYPE_LOG_VIEW);
  g_type_ensure (HATAKE_TYPE_FILE_BROWSER);
  g_type_ensure (HATAKE_TYPE_STATS_GRAPH);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-container-details.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, HatakeContainerDetails, name)
  BIND (content);
  BIND (name_label);
  BIND (state_label);
  BIND (pause_button);
  BIND (unpause_button);
  BIND (view_stack);
  BIND (name_row);
  BIND (id_row);
  BIND (image_row);
  BIND (command_row);
  BIND (created_row);
  BIND (state_row);
  BIND (exit_code_row);
  BIND (started_row);
  BIND (finished_row);
  BIND (pid_row);
  BIND (restart_count_row);
  BIND (error_row);
  BIND (runtime_row);
  BIND (restart_policy_row);
  BIND (memory_limit_row);
  BIND (cpus_row);
  BIND (terminal_row);
  BIND (raw_expander);
  BIND (raw_view);
  BIND (log_view);
  BIND (file_browser);
  BIND (cpu_label);
  BIND (memory_label);
  BIND (network_label);
  BIND (disk_label);
  BIND (cpu_graph);
  BIND (memory_graph);
#undef BIND

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "containerdetails");
}

static void
hatake_container_details_init (HatakeContainerDetails *self)
{
  self->inspect_cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}
