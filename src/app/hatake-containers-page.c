/* hatake-containers-page.c: the list of containers, and what can be done with them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The columns, the filter and the sorters are declared in hatake-containers-page.ui. This file
 * keeps the closures that turn a container's properties into text, the per-row action buttons
 * (the one column that needs bind/unbind: that is where a row starts and stops watching its
 * container's resource use), and the operations on the selection.
 *
 * Activating a row shows that container's details in place of the list; the details' buttons
 * use this page's "container.*" actions, so one container's operations go through the same
 * confirmation and error toasts as the selection's.
 *
 * Containers of a compose project (the `com.docker.compose.project` label) are grouped under
 * a row of their own (HatakeContainerGroup), through a GtkTreeListModel over the filtered and
 * sorted containers: the project rows and the containers outside any project are the roots, in
 * the sorted order (a project where its first container would be), each project's containers
 * its children, in the same order. Selecting a project's row selects its containers for the
 * selection's actions.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "hatake-container-details.h"
#include "hatake-container-group.h"
#include "hatake-containers-page.h"
#include "hatake-ports-cell.h"
#include "hatake-widget-utils.h"

/* Every few seconds the rows on screen re-read their status ("Up 3 minutes" ages). */
#define STATUS_REFRESH_SECONDS 2

typedef enum
{
  PAGE_OP_START,
  PAGE_OP_STOP,
  PAGE_OP_RESTART,
  PAGE_OP_PAUSE,
  PAGE_OP_UNPAUSE,
  PAGE_OP_DELETE,
  N_PAGE_OPS
} PageOp;

static const struct
{
  const char        *action_name;
  const char        *details_action_name;   /* the shown container's, for the details */
  HatakeContainerOp  engine_op;
  const char        *icon_name;
  const char        *label;         /* the row button's tooltip and accessible label */
} page_ops[N_PAGE_OPS] = {
  [PAGE_OP_START] = { "containers.start", "container.start", HATAKE_CONTAINER_OP_START, "media-playback-start-symbolic",
                      NC_("container action", "Start") },
  [PAGE_OP_STOP] = { "containers.stop", "container.stop", HATAKE_CONTAINER_OP_STOP, "media-playback-stop-symbolic",
                     NC_("container action", "Stop") },
  [PAGE_OP_RESTART] = { "containers.restart", "container.restart", HATAKE_CONTAINER_OP_RESTART, "view-refresh-symbolic",
                        NC_("container action", "Restart") },
  [PAGE_OP_PAUSE] = { "containers.pause", "container.pause", HATAKE_CONTAINER_OP_PAUSE, "media-playback-pause-symbolic",
                      NC_("container action", "Pause") },
  [PAGE_OP_UNPAUSE] = { "containers.unpause", "container.unpause", HATAKE_CONTAINER_OP_UNPAUSE, "media-seek-forward-symbolic",
                        NC_("container action", "Resume") },
  [PAGE_OP_DELETE] = { "containers.delete", "container.delete", HATAKE_CONTAINER_OP_REMOVE, "user-trash-symbolic",
                       NC_("container action", "Delete") },
};

struct _HatakeContainersPage
{
  GtkWidget           parent_instance;

  HatakeEngine       *engine;
  GListModel         *containers;   /* the engine's, while it has one */
  GCancellable       *cancellable;
  /* Containers a row shows (bound in the actions column) → number of rows: watched for stats,
   * refreshed for status. */
  GHashTable         *bound;
  guint               status_timeout;

  AdwToastOverlay    *toast_overlay;
  GtkStack           *stack;
  GtkStack           *results_stack;
  GtkSearchEntry     *search_entry;
  GtkColumnView      *column_view;
  GtkColumnViewColumn *status_column;
  AdwBin             *details_bin;
  HatakeContainer    *details_container;   /* the one whose details show, if any */
  GtkMultiSelection  *selection;
  GtkSortListModel   *sort_model;
  GtkFilterListModel *filter_model;
  GListStore         *roots;        /* project rows and containers outside projects */
  /* The rows are made only once the window has shown its first frame: GTK 4.8's column view
   * builds a row for every item up to ~200 at once (~2 ms each), which delayed that frame. */
  gboolean            painted;
  GdkFrameClock      *frame_clock;
  guint               bind_idle;
  GHashTable         *groups;       /* project → HatakeContainerGroup among the roots */
  GtkTreeListModel   *tree;
};

G_DEFINE_FINAL_TYPE (HatakeContainersPage, hatake_containers_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The container a row of the list shows (transfer full), or NULL for a project's row. */
static HatakeContainer *
row_container (gpointer row)
{
  g_autoptr(GObject) item = GTK_IS_TREE_LIST_ROW (row) ? gtk_tree_list_row_get_item (row)
                                                       : g_object_ref (row);

  return HATAKE_IS_CONTAINER (item) ? g_object_ref (HATAKE_CONTAINER (item)) : NULL;
}

/* Template closures: which cells a row shows. A project's row shows its name and nothing else
 * (the other cells' expressions cannot be evaluated on it, and would keep what the recycled
 * cell showed before). */
static gboolean
is_container (gpointer  template,
              GObject  *item)
{
  return HATAKE_IS_CONTAINER (item);
}

static gboolean
is_group (gpointer  template,
          GObject  *item)
{
  return HATAKE_IS_CONTAINER_GROUP (item);
}

static GListModel *
create_children (gpointer item,
                 gpointer user_data)
{
  if (HATAKE_IS_CONTAINER_GROUP (item))
    return g_object_ref (hatake_container_group_get_children (item));
  return NULL;
}

/* The roots, in the sorted order; the store is changed only where it differs. */
static void
rebuild_roots (HatakeContainersPage *self)
{
  GListModel *sorted = G_LIST_MODEL (self->sort_model);
  g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer value;
  guint n_roots, first_diff;

  for (guint i = 0; i < g_list_model_get_n_items (sorted); i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (sorted, i);
      const char *project = hatake_container_get_project (c);
      HatakeContainerGroup *group;

      if (project == NULL)
        {
          g_ptr_array_add (want, g_object_ref (c));
          continue;
        }
      if (g_hash_table_contains (seen, project))
        continue;
      group = g_hash_table_lookup (self->groups, project);
      if (group == NULL)
        {
          group = hatake_container_group_new (project, sorted);
          g_hash_table_insert (self->groups, g_strdup (project), group);
        }
      g_hash_table_add (seen, (gpointer) hatake_container_group_get_project (group));
      g_ptr_array_add (want, g_object_ref (group));
    }

  /* projects whose last container went */
  g_hash_table_iter_init (&iter, self->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!g_hash_table_contains (seen, hatake_container_group_get_project (value)))
      g_hash_table_iter_remove (&iter);

  n_roots = g_list_model_get_n_items (G_LIST_MODEL (self->roots));
  for (first_diff = 0; first_diff < MIN (n_roots, want->len); first_diff++)
    {
      g_autoptr(GObject) have = g_list_model_get_item (G_LIST_MODEL (self->roots), first_diff);

      if (have != g_ptr_array_index (want, first_diff))
        break;
    }
  if (first_diff == n_roots && first_diff == want->len)
    return;
  g_list_store_splice (self->roots, first_diff, n_roots - first_diff,
                       want->pdata + first_diff, want->len - first_diff);
}

/* Whether op may start on a container in its current state. The state table
 * (hatake_container_can) decides; the state checks pick which transition an operation is. */
static gboolean
container_allows (HatakeContainer *container,
                  PageOp           op)
{
  HatakeContainerState state = hatake_container_get_state (container);

  switch (op)
    {
    case PAGE_OP_START:
      return (state == HATAKE_CONTAINER_CREATED || state == HATAKE_CONTAINER_EXITED) &&
             hatake_container_can (container, HATAKE_CONTAINER_RUNNING, NULL);
    case PAGE_OP_STOP:
      return (state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED) &&
             hatake_container_can (container, HATAKE_CONTAINER_EXITED, NULL);
    case PAGE_OP_RESTART:
      return state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED ||
             state == HATAKE_CONTAINER_EXITED || state == HATAKE_CONTAINER_CREATED;
    case PAGE_OP_PAUSE:
      return state == HATAKE_CONTAINER_RUNNING &&
             hatake_container_can (container, HATAKE_CONTAINER_PAUSED, NULL);
    case PAGE_OP_UNPAUSE:
      return state == HATAKE_CONTAINER_PAUSED &&
             hatake_container_can (container, HATAKE_CONTAINER_RUNNING, NULL);
    case PAGE_OP_DELETE:
      /* Running and paused ones are deleted with force (killed first). */
      return hatake_container_can (container, HATAKE_CONTAINER_REMOVING, NULL) ||
             state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED;
    case N_PAGE_OPS:
    default:
      g_assert_not_reached ();
    }
}

/* Formatting */

char *
hatake_containers_format_cpu (double cpu_percent)
{
  return g_strdup_printf ("%.1f %%", MAX (cpu_percent, 0.0));
}

char *
hatake_containers_format_memory (gint64 usage,
                                 gint64 limit)
{
  g_autofree char *used = g_format_size (MAX (usage, 0));
  g_autofree char *available = NULL;

  if (limit <= 0)
    return g_steal_pointer (&used);

  available = g_format_size (limit);
  /* TRANSLATORS: memory in use / memory the container may use, e.g. "12.3 MB / 64.0 MB" */
  return g_strdup_printf (_("%s / %s"), used, available);
}

static gboolean
state_has_usage (HatakeContainerState state)
{
  return state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED;
}

static char *
state_text (GtkListItem          *item,
            HatakeContainerState  state)
{
  switch (state)
    {
    case HATAKE_CONTAINER_CREATED: return g_strdup (C_("container state", "Created"));
    case HATAKE_CONTAINER_RUNNING: return g_strdup (C_("container state", "Running"));
    case HATAKE_CONTAINER_PAUSED: return g_strdup (C_("container state", "Paused"));
    case HATAKE_CONTAINER_RESTARTING: return g_strdup (C_("container state", "Restarting"));
    case HATAKE_CONTAINER_EXITED: return g_strdup (C_("container state", "Exited"));
    case HATAKE_CONTAINER_REMOVING: return g_strdup (C_("container state", "Removing"));
    case HATAKE_CONTAINER_DEAD: return g_strdup (C_("container state", "Dead"));
    case HATAKE_CONTAINER_REMOVED: return g_strdup (C_("container state", "Removed"));
    default: return g_strdup (hatake_container_state_to_string (state));
    }
}

/* The badge's colour comes from style.css, one class per state (".state-running"). */
static GStrv
state_classes (GtkListItem          *item,
               HatakeContainerState  state)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  g_autofree char *state_class = g_strconcat ("state-", hatake_container_state_to_string (state), NULL);
  GStrv classes;

  g_strv_builder_add (builder, "state-badge");
  g_strv_builder_add (builder, state_class);
  classes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return classes;
}

/* The healthcheck's verdict beside the state, for containers that have one. */
static gboolean
health_shown (GtkListItem        *item,
              HatakeHealthStatus  health)
{
  return health != HATAKE_HEALTH_NONE;
}

static char *
health_text (GtkListItem        *item,
             HatakeHealthStatus  health)
{
  switch (health)
    {
    case HATAKE_HEALTH_STARTING: return g_strdup (C_("container health", "Starting"));
    case HATAKE_HEALTH_HEALTHY: return g_strdup (C_("container health", "Healthy"));
    case HATAKE_HEALTH_UNHEALTHY: return g_strdup (C_("container health", "Unhealthy"));
    case HATAKE_HEALTH_NONE:
    default: return g_strdup ("");
    }
}

static char *
health_tooltip (GtkListItem        *item,
                HatakeHealthStatus  health)
{
  g_autofree char *text = health_text (item, health);

  /* TRANSLATORS: the result of a container's healthcheck, e.g. "Health: Healthy" */
  return g_strdup_printf (_("Health: %s"), text);
}

/* ".health-healthy" and its siblings in style.css, coloured like the state badge */
static GStrv
health_classes (GtkListItem        *item,
                HatakeHealthStatus  health)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  g_autofree char *health_class = g_strconcat ("health-", hatake_health_status_to_string (health), NULL);
  GStrv classes;

  g_strv_builder_add (builder, "state-badge");
  g_strv_builder_add (builder, health_class);
  classes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return classes;
}

/* Sorting by state: the live ones first. */
static int
state_rank (HatakeContainer      *container,
            HatakeContainerState  state)
{
  switch (state)
    {
    case HATAKE_CONTAINER_RUNNING: return 0;
    case HATAKE_CONTAINER_RESTARTING: return 1;
    case HATAKE_CONTAINER_PAUSED: return 2;
    case HATAKE_CONTAINER_CREATED: return 3;
    case HATAKE_CONTAINER_EXITED: return 4;
    case HATAKE_CONTAINER_DEAD: return 5;
    case HATAKE_CONTAINER_REMOVING: return 6;
    case HATAKE_CONTAINER_REMOVED:
    default: return 7;
    }
}

static char *
cpu_text (GtkListItem          *item,
          double                cpu_percent,
          HatakeContainerState  state)
{
  if (!state_has_usage (state))
    return g_strdup ("—");
  return hatake_containers_format_cpu (cpu_percent);
}

static char *
memory_text (GtkListItem          *item,
             gint64                usage,
             gint64                limit,
             HatakeContainerState  state)
{
  if (!state_has_usage (state))
    return g_strdup ("—");
  return hatake_containers_format_memory (usage, limit);
}

/* The engine, for the parts of its interface a stand-in engine may leave out. */

static GListModel *
engine_containers (HatakeEngine *engine)
{
  /* A stand-in engine that lists no containers (the window's tests) leaves the page empty. */
  if (engine == NULL || HATAKE_ENGINE_GET_IFACE (engine)->get_containers == NULL)
    return NULL;
  return hatake_engine_get_containers (engine);
}

static void
watch_stats (HatakeContainersPage *self,
             HatakeContainer      *container)
{
  if (self->engine != NULL && HATAKE_ENGINE_GET_IFACE (self->engine)->watch_stats != NULL)
    hatake_engine_watch_stats (self->engine, container);
}

static void
unwatch_stats (HatakeContainersPage *self,
               HatakeContainer      *container)
{
  if (self->engine != NULL && HATAKE_ENGINE_GET_IFACE (self->engine)->unwatch_stats != NULL)
    hatake_engine_unwatch_stats (self->engine, container);
}

/* Operations */

static void
show_error (HatakeContainersPage *self,
            PageOp                op,
            const char           *name,
            const char           *message)
{
  g_autofree char *text = NULL;

  switch (op)
    {
    case PAGE_OP_START: text = g_strdup_printf (_("Could not start “%s”: %s"), name, message); break;
    case PAGE_OP_STOP: text = g_strdup_printf (_("Could not stop “%s”: %s"), name, message); break;
    case PAGE_OP_RESTART: text = g_strdup_printf (_("Could not restart “%s”: %s"), name, message); break;
    case PAGE_OP_PAUSE: text = g_strdup_printf (_("Could not pause “%s”: %s"), name, message); break;
    case PAGE_OP_UNPAUSE: text = g_strdup_printf (_("Could not resume “%s”: %s"), name, message); break;
    case PAGE_OP_DELETE: text = g_strdup_printf (_("Could not delete “%s”: %s"), name, message); break;
    case N_PAGE_OPS:
    default: g_assert_not_reached ();
    }

  hatake_toast_show (self->toast_overlay, text, TRUE);
}

typedef struct
{
  GWeakRef  page;
  PageOp    op;
  char     *name;
} OpData;

static void
op_data_free (OpData *data)
{
  g_weak_ref_clear (&data->page);
  g_free (data->name);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpData, op_data_free)

static void
op_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(HatakeContainersPage) self = g_weak_ref_get (&data->page);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = hatake_engine_container_op_finish (HATAKE_ENGINE (source), result, &error);
  if (error == NULL || self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  show_error (self, data->op, data->name, error->message);
}

static void
run_op (HatakeContainersPage *self,
        PageOp                op,
        GPtrArray            *containers)
{
  if (self->engine == NULL)
    return;

  for (guint i = 0; i < containers->len; i++)
    {
      HatakeContainer *container = g_ptr_array_index (containers, i);
      HatakeContainerState state = hatake_container_get_state (container);
      HatakeContainerOpArgs args = { .timeout = -1 };
      OpData *data;

      /* The state may have moved since the button was pressed: the engine would refuse. */
      if (!container_allows (container, op))
        continue;

      if (op == PAGE_OP_DELETE)
        args.force = state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED;

      data = g_new0 (OpData, 1);
      g_weak_ref_init (&data->page, self);
      data->op = op;
      data->name = g_strdup (hatake_container_get_name (container));
      hatake_engine_container_op_async (self->engine, hatake_container_get_id (container),
                                        page_ops[op].engine_op, &args, self->cancellable,
                                        op_done, data);
    }
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  GPtrArray *containers = g_object_get_data (G_OBJECT (dialog), "hatake-containers");
  g_autoptr(HatakeContainersPage) self = g_weak_ref_get (user_data);

  if (self != NULL && g_strcmp0 (response, "delete") == 0)
    run_op (self, PAGE_OP_DELETE, containers);
}

static void
weak_ref_free (gpointer data,
               GClosure *closure)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Deleting cannot be undone: ask first. */
static void
confirm_delete (HatakeContainersPage *self,
                GPtrArray            *containers)
{
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  gboolean any_running = FALSE;
  GWeakRef *page_ref;
  GtkWidget *dialog;

  if (containers->len == 0)
    return;

  for (guint i = 0; i < containers->len; i++)
    {
      HatakeContainerState state = hatake_container_get_state (g_ptr_array_index (containers, i));
      any_running |= state_has_usage (state);
    }

  if (containers->len == 1)
    {
      HatakeContainer *container = g_ptr_array_index (containers, 0);

      heading = g_strdup (_("Delete Container?"));
      body = g_strdup_printf (any_running
                              ? _("“%s” is running. It will be stopped and deleted with its files.")
                              : _("“%s” will be deleted with its files."),
                              hatake_container_get_name (container));
    }
  else
    {
      heading = g_strdup_printf (ngettext ("Delete %u Container?", "Delete %u Containers?",
                                           containers->len), containers->len);
      body = g_strdup (any_running
                       ? _("The running ones will be stopped. They will be deleted with their files.")
                       : _("They will be deleted with their files."));
    }

  dialog = adw_message_dialog_new (hatake_widget_get_window (GTK_WIDGET (self)), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "hatake-containers",
                          g_ptr_array_ref (containers), (GDestroyNotify) g_ptr_array_unref);

  page_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (page_ref, self);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_delete_response), page_ref,
                         weak_ref_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
start_op (HatakeContainersPage *self,
          PageOp                op,
          GPtrArray            *containers)
{
  if (op == PAGE_OP_DELETE)
    confirm_delete (self, containers);
  else
    run_op (self, op, containers);
}

/* The selection's actions */

static GPtrArray *
selected_containers (HatakeContainersPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GPtrArray *containers = g_ptr_array_new_with_free_func (g_object_unref);
  GtkBitsetIter iter;
  guint position;

  for (gboolean valid = gtk_bitset_iter_init_first (&iter, selected, &position);
       valid;
       valid = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(GObject) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (GTK_TREE_LIST_ROW (row));

      if (HATAKE_IS_CONTAINER (item))
        {
          if (!g_ptr_array_find (containers, item, NULL))
            g_ptr_array_add (containers, g_object_ref (item));
        }
      else if (HATAKE_IS_CONTAINER_GROUP (item))
        {
          /* a project's row stands for its containers */
          GListModel *children = hatake_container_group_get_children (HATAKE_CONTAINER_GROUP (item));

          for (guint i = 0; i < g_list_model_get_n_items (children); i++)
            {
              g_autoptr(HatakeContainer) c = g_list_model_get_item (children, i);

              if (!g_ptr_array_find (containers, c, NULL))
                g_ptr_array_add (containers, g_object_ref (c));
            }
        }
    }

  return containers;
}

static void
update_actions (HatakeContainersPage *self)
{
  g_autoptr(GPtrArray) containers = NULL;

  /* The template's models may still signal while it is disposed. */
  if (self->selection == NULL)
    return;

  containers = selected_containers (self);
  for (guint op = 0; op < N_PAGE_OPS; op++)
    {
      gboolean enabled = containers->len > 0 && self->engine != NULL;

      for (guint i = 0; enabled && i < containers->len; i++)
        enabled = container_allows (g_ptr_array_index (containers, i), op);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), page_ops[op].action_name, enabled);
    }
}

static void
selection_action_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  HatakeContainersPage *self = HATAKE_CONTAINERS_PAGE (widget);
  g_autoptr(GPtrArray) containers = selected_containers (self);

  for (guint op = 0; op < N_PAGE_OPS; op++)
    if (g_str_equal (action_name, page_ops[op].action_name))
      {
        start_op (self, op, containers);
        return;
      }
  g_assert_not_reached ();
}

static void
on_selection_changed (HatakeContainersPage *self,
                      guint                 position,
                      guint                 n_items,
                      GtkSelectionModel    *selection)
{
  update_actions (self);
}

static void
on_selection_items_changed (HatakeContainersPage *self,
                            guint                 position,
                            guint                 removed,
                            guint                 added,
                            GListModel           *model)
{
  update_actions (self);
}

static void
on_container_state_changed (HatakeContainersPage *self,
                            GParamSpec           *pspec,
                            HatakeContainer      *container)
{
  update_actions (self);
}

/* The row buttons */

typedef struct
{
  GtkWidget *buttons[N_PAGE_OPS];
} RowButtons;

static void
update_row_buttons (GtkListItem *item)
{
  RowButtons *row = g_object_get_data (G_OBJECT (item), "hatake-row-buttons");
  HatakeContainer *container = g_object_get_data (G_OBJECT (item), "hatake-row-container");
  gboolean paused;

  if (row == NULL || container == NULL)
    return;

  for (guint op = 0; op < N_PAGE_OPS; op++)
    gtk_widget_set_sensitive (row->buttons[op], container_allows (container, op));

  /* Pause and resume share a place: one of them is shown. */
  paused = hatake_container_get_state (container) == HATAKE_CONTAINER_PAUSED;
  gtk_widget_set_visible (row->buttons[PAGE_OP_PAUSE], !paused);
  gtk_widget_set_visible (row->buttons[PAGE_OP_UNPAUSE], paused);
}

static void
on_row_state_changed (HatakeContainer *container,
                      GParamSpec      *pspec,
                      GtkListItem     *item)
{
  update_row_buttons (item);
}

static void
on_row_button_clicked (GtkButton   *button,
                       GtkListItem *item)
{
  GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (button), HATAKE_TYPE_CONTAINERS_PAGE);
  HatakeContainer *container = g_object_get_data (G_OBJECT (item), "hatake-row-container");
  g_autoptr(GPtrArray) containers = g_ptr_array_new_with_free_func (g_object_unref);
  PageOp op = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "hatake-op"));

  if (page == NULL || container == NULL)
    return;

  g_ptr_array_add (containers, g_object_ref (container));
  start_op (HATAKE_CONTAINERS_PAGE (page), op, containers);
}

static void
actions_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HatakeContainersPage     *self)
{
  RowButtons *row = g_new0 (RowButtons, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);

  gtk_widget_add_css_class (box, "row-actions");
  for (guint op = 0; op < N_PAGE_OPS; op++)
    {
      const char *label = g_dpgettext2 (GETTEXT_PACKAGE, "container action", page_ops[op].label);
      /* The tooltip set while the button is hidden: on a visible widget GTK asks the X server
       * where the pointer is, a round trip per button that made the first frame with 100
       * containers 100 ms slower (bench/app). */
      GtkWidget *button = g_object_new (GTK_TYPE_BUTTON,
                                        "icon-name", page_ops[op].icon_name,
                                        "visible", FALSE,
                                        "tooltip-text", label,
                                        "visible", TRUE,
                                        NULL);

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "circular");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      gtk_widget_set_name (button, page_ops[op].action_name + strlen ("containers."));
      g_object_set_data (G_OBJECT (button), "hatake-op", GUINT_TO_POINTER (op));
      g_signal_connect (button, "clicked", G_CALLBACK (on_row_button_clicked), item);
      gtk_box_append (GTK_BOX (box), button);
      row->buttons[op] = button;
    }
  gtk_widget_set_visible (row->buttons[PAGE_OP_UNPAUSE], FALSE);

  g_object_set_data_full (G_OBJECT (item), "hatake-row-buttons", row, g_free);
  gtk_list_item_set_child (item, box);
}

static void
actions_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HatakeContainersPage     *self)
{
  HatakeContainer *container = row_container (gtk_list_item_get_item (item));
  guint count;

  /* a project's row has no buttons of its own */
  gtk_widget_set_visible (gtk_list_item_get_child (item), container != NULL);
  if (container == NULL)
    return;
  g_object_set_data_full (G_OBJECT (item), "hatake-row-container", container, g_object_unref);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->bound, container));
  g_signal_connect_object (container, "notify::state", G_CALLBACK (on_row_state_changed), item, 0);
  update_row_buttons (item);

  /* Stats are sampled only for what is on screen. */
  if (count == 0)
    {
      g_hash_table_insert (self->bound, g_object_ref (container), GUINT_TO_POINTER (1));
      watch_stats (self, container);
    }
  else
    g_hash_table_insert (self->bound, g_object_ref (container), GUINT_TO_POINTER (count + 1));
}

static void
actions_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                HatakeContainersPage     *self)
{
  g_autoptr(HatakeContainer) container = g_object_steal_data (G_OBJECT (item), "hatake-row-container");
  guint count;

  if (container == NULL)
    return;

  g_signal_handlers_disconnect_by_func (container, on_row_state_changed, item);

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->bound, container));
  if (count > 1)
    g_hash_table_insert (self->bound, g_object_ref (container), GUINT_TO_POINTER (count - 1));
  else if (count == 1)
    {
      unwatch_stats (self, container);
      g_hash_table_remove (self->bound, container);
    }
}

/* The ports column: its cells ask the engine for the ports of the running container they show. */
static void
ports_setup (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             HatakeContainersPage     *self)
{
  gtk_list_item_set_child (item, hatake_ports_cell_new ());
}

static void
ports_bind (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            HatakeContainersPage     *self)
{
  g_autoptr(HatakeContainer) container = row_container (gtk_list_item_get_item (item));
  HatakePortsCell *cell = HATAKE_PORTS_CELL (gtk_list_item_get_child (item));

  hatake_ports_cell_set_engine (cell, self->engine);
  hatake_ports_cell_set_container (cell, container);
}

static void
ports_unbind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HatakeContainersPage     *self)
{
  hatake_ports_cell_set_container (HATAKE_PORTS_CELL (gtk_list_item_get_child (item)), NULL);
}

/* The status text says how long ago: re-read it for the rows on screen. */
static gboolean
refresh_status (gpointer data)
{
  HatakeContainersPage *self = data;
  GHashTableIter iter;
  gpointer container;

  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &container, NULL))
    g_object_notify (container, "status");

  return G_SOURCE_CONTINUE;
}

/* The details of one container */

static void update_visible_page (HatakeContainersPage *self);

static void
update_details_actions (HatakeContainersPage *self)
{
  for (guint op = 0; op < N_PAGE_OPS; op++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), page_ops[op].details_action_name,
                                   self->details_container != NULL && self->engine != NULL &&
                                   container_allows (self->details_container, op));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "containers.show-list",
                                 self->details_container != NULL);
}

static void
show_list (HatakeContainersPage *self)
{
  if (self->details_container == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->details_container, self);
  g_clear_object (&self->details_container);
  /* Disposing the details stops their log and their stats. */
  if (self->details_bin != NULL)
    adw_bin_set_child (self->details_bin, NULL);
  update_details_actions (self);
  update_visible_page (self);
  if (self->column_view != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
on_details_state_changed (HatakeContainersPage *self,
                          GParamSpec           *pspec,
                          HatakeContainer      *container)
{
  /* Nothing left to show: back to the list. */
  if (hatake_container_get_state (container) == HATAKE_CONTAINER_REMOVED)
    show_list (self);
  else
    update_details_actions (self);
}

static void
show_details (HatakeContainersPage *self,
              HatakeContainer      *container)
{
  if (self->engine == NULL || hatake_container_get_state (container) == HATAKE_CONTAINER_REMOVED)
    return;

  show_list (self);
  self->details_container = g_object_ref (container);
  g_signal_connect_object (container, "notify::state", G_CALLBACK (on_details_state_changed), self,
                           G_CONNECT_SWAPPED);
  adw_bin_set_child (self->details_bin, hatake_container_details_new (self->engine, container));
  update_details_actions (self);
  update_visible_page (self);
}

static void
on_row_activated (HatakeContainersPage *self,
                  guint                 position,
                  GtkColumnView        *column_view)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  g_autoptr(HatakeContainer) container = row ? row_container (row) : NULL;

  if (container != NULL)
    show_details (self, container);
  else if (row != NULL)
    gtk_tree_list_row_set_expanded (row, !gtk_tree_list_row_get_expanded (row));
}

static void
details_action_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  HatakeContainersPage *self = HATAKE_CONTAINERS_PAGE (widget);
  g_autoptr(GPtrArray) containers = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->details_container == NULL)
    return;

  g_ptr_array_add (containers, g_object_ref (self->details_container));
  for (guint op = 0; op < N_PAGE_OPS; op++)
    if (g_str_equal (action_name, page_ops[op].details_action_name))
      {
        start_op (self, op, containers);
        return;
      }
  g_assert_not_reached ();
}

static void
show_list_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  show_list (HATAKE_CONTAINERS_PAGE (widget));
}

/* Which page shows */

static void
update_visible_page (HatakeContainersPage *self)
{
  guint n_containers, n_shown;

  if (self->sort_model == NULL)
    return;

  n_containers = self->containers ? g_list_model_get_n_items (self->containers) : 0;
  n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));

  if (self->details_container != NULL)
    gtk_stack_set_visible_child_name (self->stack, "details");
  else
    gtk_stack_set_visible_child_name (self->stack, n_containers > 0 ? "list" : "empty");
  gtk_stack_set_visible_child_name (self->results_stack, n_shown > 0 || n_containers == 0 ? "rows" : "no-results");
}

static void
connect_state (HatakeContainersPage *self,
               GListModel           *model,
               guint                 position,
               guint                 n_items)
{
  for (guint i = position; i < position + n_items; i++)
    {
      g_autoptr(HatakeContainer) container = g_list_model_get_item (model, i);

      g_signal_handlers_disconnect_by_func (container, on_container_state_changed, self);
      g_signal_connect_object (container, "notify::state", G_CALLBACK (on_container_state_changed),
                               self, G_CONNECT_SWAPPED);
    }
}

static void
disconnect_state (HatakeContainersPage *self,
                  GListModel           *model)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeContainer) container = g_list_model_get_item (model, i);
      g_signal_handlers_disconnect_by_func (container, on_container_state_changed, self);
    }
}

/* The selection's actions follow the state of every container, shown or not: a selected row
 * may be scrolled away. */
static void
on_containers_changed (HatakeContainersPage *self,
                       guint                 position,
                       guint                 removed,
                       guint                 added,
                       GListModel           *model)
{
  connect_state (self, model, position, added);
  update_visible_page (self);
}

static void
on_shown_changed (HatakeContainersPage *self,
                  guint                 position,
                  guint                 removed,
                  guint                 added,
                  GListModel           *model)
{
  update_visible_page (self);
}

static void
bind_containers (HatakeContainersPage *self)
{
  if (self->painted && self->filter_model != NULL &&
      gtk_filter_list_model_get_model (self->filter_model) != self->containers)
    gtk_filter_list_model_set_model (self->filter_model, self->containers);
}

static gboolean
bind_containers_idle (gpointer user_data)
{
  HatakeContainersPage *self = user_data;

  self->bind_idle = 0;
  bind_containers (self);
  return G_SOURCE_REMOVE;
}

static void
forget_frame_clock (HatakeContainersPage *self)
{
  if (self->frame_clock != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->frame_clock, self);
      g_clear_object (&self->frame_clock);
    }
}

static void
on_after_paint (HatakeContainersPage *self)
{
  forget_frame_clock (self);
  self->painted = TRUE;
  if (self->bind_idle == 0)
    self->bind_idle = g_idle_add (bind_containers_idle, self);
}

static void
hatake_containers_page_realize (GtkWidget *widget)
{
  HatakeContainersPage *self = HATAKE_CONTAINERS_PAGE (widget);

  GTK_WIDGET_CLASS (hatake_containers_page_parent_class)->realize (widget);
  if (!self->painted && self->frame_clock == NULL)
    {
      self->frame_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
      g_signal_connect_swapped (self->frame_clock, "after-paint", G_CALLBACK (on_after_paint), self);
    }
}

static void
hatake_containers_page_unrealize (GtkWidget *widget)
{
  forget_frame_clock (HATAKE_CONTAINERS_PAGE (widget));
  GTK_WIDGET_CLASS (hatake_containers_page_parent_class)->unrealize (widget);
}

/* Public API */

GtkWidget *
hatake_containers_page_new (HatakeEngine *engine)
{
  g_return_val_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine), NULL);

  return g_object_new (HATAKE_TYPE_CONTAINERS_PAGE, "engine", engine, NULL);
}

HatakeEngine *
hatake_containers_page_get_engine (HatakeContainersPage *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINERS_PAGE (self), NULL);

  return self->engine;
}

void
hatake_containers_page_set_engine (HatakeContainersPage *self,
                                   HatakeEngine         *engine)
{
  g_return_if_fail (HATAKE_IS_CONTAINERS_PAGE (self));
  g_return_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine));

  if (self->engine == engine)
    return;

  /* The details belong to the old engine. */
  show_list (self);

  if (self->containers != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->containers, on_containers_changed, self);
      disconnect_state (self, self->containers);
    }
  /* Unbinding the rows unwatches their stats on the old engine. */
  gtk_filter_list_model_set_model (self->filter_model, NULL);
  g_clear_object (&self->containers);

  g_set_object (&self->engine, engine);

  self->containers = engine_containers (engine);
  if (self->containers != NULL)
    {
      g_object_ref (self->containers);
      g_signal_connect_object (self->containers, "items-changed",
                               G_CALLBACK (on_containers_changed), self, G_CONNECT_SWAPPED);
      connect_state (self, self->containers, 0, g_list_model_get_n_items (self->containers));
    }
  bind_containers (self);

  update_visible_page (self);
  update_actions (self);
  update_details_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

GtkSearchEntry *
hatake_containers_page_get_search_entry (HatakeContainersPage *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINERS_PAGE (self), NULL);

  return self->search_entry;
}

/* GObject */

static void
hatake_containers_page_map (GtkWidget *widget)
{
  HatakeContainersPage *self = HATAKE_CONTAINERS_PAGE (widget);

  GTK_WIDGET_CLASS (hatake_containers_page_parent_class)->map (widget);

  if (self->status_timeout == 0)
    self->status_timeout = g_timeout_add_seconds (STATUS_REFRESH_SECONDS, refresh_status, self);
  /* What it says may have aged while hidden. */
  refresh_status (self);
}

static void
hatake_containers_page_unmap (GtkWidget *widget)
{
  HatakeContainersPage *self = HATAKE_CONTAINERS_PAGE (widget);

  g_clear_handle_id (&self->status_timeout, g_source_remove);

  GTK_WIDGET_CLASS (hatake_containers_page_parent_class)->unmap (widget);
}

static void
hatake_containers_page_dispose (GObject *object)
{
  HatakeContainersPage *self = HATAKE_CONTAINERS_PAGE (object);
  GHashTableIter iter;
  gpointer container;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->status_timeout, g_source_remove);
  g_clear_handle_id (&self->bind_idle, g_source_remove);
  forget_frame_clock (self);
  show_list (self);

  if (self->containers != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->containers, on_containers_changed, self);
      disconnect_state (self, self->containers);
      g_clear_object (&self->containers);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_CONTAINERS_PAGE);
  if (self->sort_model != NULL)
    g_signal_handlers_disconnect_by_func (self->sort_model, rebuild_roots, self);
  g_clear_object (&self->tree);
  g_clear_pointer (&self->groups, g_hash_table_unref);
  g_clear_object (&self->roots);
  g_clear_object (&self->sort_model);

  /* Rows the column view did not unbind on its way out. */
  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &container, NULL))
    {
      unwatch_stats (self, container);
      g_hash_table_iter_remove (&iter);
    }

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hatake_containers_page_parent_class)->dispose (object);
}

static void
hatake_containers_page_finalize (GObject *object)
{
  HatakeContainersPage *self = HATAKE_CONTAINERS_PAGE (object);

  g_clear_pointer (&self->bound, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (hatake_containers_page_parent_class)->finalize (object);
}

static void
hatake_containers_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  HatakeContainersPage *self = HATAKE_CONTAINERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_containers_page_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  HatakeContainersPage *self = HATAKE_CONTAINERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      hatake_containers_page_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_containers_page_class_init (HatakeContainersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hatake_containers_page_dispose;
  widget_class->realize = hatake_containers_page_realize;
  widget_class->unrealize = hatake_containers_page_unrealize;
  object_class->finalize = hatake_containers_page_finalize;
  object_class->get_property = hatake_containers_page_get_property;
  object_class->set_property = hatake_containers_page_set_property;
  widget_class->map = hatake_containers_page_map;
  widget_class->unmap = hatake_containers_page_unmap;

  /**
   * HatakeContainersPage:engine:
   *
   * The engine whose containers the page lists and operates on.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HATAKE_TYPE_CONTAINER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-containers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, status_column);
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, details_bin);
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, selection);
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, sort_model);
  gtk_widget_class_bind_template_child (widget_class, HatakeContainersPage, filter_model);
  gtk_widget_class_bind_template_callback (widget_class, state_text);
  gtk_widget_class_bind_template_callback (widget_class, state_classes);
  gtk_widget_class_bind_template_callback (widget_class, state_rank);
  gtk_widget_class_bind_template_callback (widget_class, health_shown);
  gtk_widget_class_bind_template_callback (widget_class, health_text);
  gtk_widget_class_bind_template_callback (widget_class, health_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, health_classes);
  gtk_widget_class_bind_template_callback (widget_class, ports_setup);
  gtk_widget_class_bind_template_callback (widget_class, ports_bind);
  gtk_widget_class_bind_template_callback (widget_class, ports_unbind);
  gtk_widget_class_bind_template_callback (widget_class, cpu_text);
  gtk_widget_class_bind_template_callback (widget_class, memory_text);
  gtk_widget_class_bind_template_callback (widget_class, actions_setup);
  gtk_widget_class_bind_template_callback (widget_class, is_container);
  gtk_widget_class_bind_template_callback (widget_class, is_group);
  gtk_widget_class_bind_template_callback (widget_class, actions_bind);
  gtk_widget_class_bind_template_callback (widget_class, actions_unbind);
  gtk_widget_class_bind_template_callback (widget_class, on_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_selection_items_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  for (guint op = 0; op < N_PAGE_OPS; op++)
    gtk_widget_class_install_action (widget_class, page_ops[op].action_name, NULL,
                                     selection_action_activated);
  for (guint op = 0; op < N_PAGE_OPS; op++)
    gtk_widget_class_install_action (widget_class, page_ops[op].details_action_name, NULL,
                                     details_action_activated);
  gtk_widget_class_install_action (widget_class, "containers.show-list", NULL, show_list_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "containerspage");
}

static void
hatake_containers_page_init (HatakeContainersPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->bound = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* the rows are the tree of projects and containers over the sorted containers; the sort
   * model was the selection's until now, and is ours from here */
  g_object_ref (self->sort_model);
  self->roots = g_list_store_new (G_TYPE_OBJECT);
  self->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (self->roots)), FALSE, TRUE,
                                        create_children, NULL, NULL);
  /* after everything else that follows the sorted list: the projects' child models must have
   * taken the change in before the roots change and the view reads them */
  g_signal_connect_data (self->sort_model, "items-changed", G_CALLBACK (rebuild_roots), self, NULL,
                         G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  gtk_multi_selection_set_model (self->selection, G_LIST_MODEL (self->tree));

  gtk_sort_list_model_set_sorter (self->sort_model, gtk_column_view_get_sorter (self->column_view));
  /* Newest first, as `hatake ps` lists them. */
  gtk_column_view_sort_by_column (self->column_view, self->status_column, GTK_SORT_DESCENDING);

  g_signal_connect_object (self->sort_model, "items-changed",
                           G_CALLBACK (on_shown_changed), self, G_CONNECT_SWAPPED);
  update_visible_page (self);
  update_actions (self);
  update_details_actions (self);
}
