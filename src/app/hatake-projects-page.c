/* hatake-projects-page.c: the compose projects the engine runs, their services, actions and logs
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is the engine's live model of projects (read from the labels docker compose puts on
 * containers, hatake_engine_get_projects), so a project brought up from here, the CLI or docker
 * compose shows the same way, with the state of its services rolled up. Actions load the project
 * from the files its labels name (config_files, working_dir) and run the compose runner: up, down,
 * restart, pull, for the whole project or one service. The logs are the project's containers'
 * merged, each line prefixed with its container in its service's colour, as `compose logs` prints
 * them, with a filter by service.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hatake-compose-runner.h"
#include "hatake-log-view.h"
#include "hatake-projects-page.h"
#include "hatake-widget-utils.h"

struct _HatakeProjectsPage
{
  GtkWidget           parent_instance;

  HatakeEngine       *engine;
  HatakeProject      *project;        /* the one shown, whose logs stream */
  GCancellable       *cancellable;    /* the page's operations */
  GCancellable       *logs_cancellable;
  guint               n_ops;
  gboolean            filling_filter;

  AdwToastOverlay    *toast_overlay;
  GtkStack           *stack;
  GtkListView        *project_list;
  GtkSingleSelection *selection;
  GtkColumnView      *services_view;
  GtkDropDown        *service_filter;
  GtkStringList      *service_names;
  HatakeLogView      *log_view;
};

G_DEFINE_FINAL_TYPE (HatakeProjectsPage, hatake_projects_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* as `hatake compose logs` colours them */
static const int palette[] = { 36, 33, 32, 35, 34, 96, 93, 92, 95, 94 };

/* "web-1 (running), web-2 (exited)": re-evaluated when the service's status changes, which is
 * when one of its containers does. */
static char *
containers_text (GtkListItem          *item,
                 HatakeProjectService *service,
                 const char           *status)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GListModel *containers;

  if (service == NULL)
    return NULL;
  containers = hatake_project_service_get_containers (service);
  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);

      if (i > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, "%s (%s)", hatake_container_get_name (c),
                              hatake_container_state_to_string (hatake_container_get_state (c)));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- logs ---------------------------------------------------------------------------------- */

typedef struct
{
  GWeakRef      page;
  GCancellable *cancellable;
  char         *project;
  GHashTable   *colors;   /* service name → palette index */
} LogsData;

static void
logs_data_free (LogsData *data)
{
  g_weak_ref_clear (&data->page);
  g_clear_object (&data->cancellable);
  g_free (data->project);
  g_hash_table_unref (data->colors);
  g_free (data);
}

static void
on_log_entry (HatakeContainer      *container,
              const HatakeLogEntry *entry,
              gpointer              user_data)
{
  LogsData *data = user_data;
  g_autoptr(HatakeProjectsPage) self = NULL;
  const char *name = hatake_container_get_name (container);
  const char *service = hatake_container_get_label (container, HATAKE_COMPOSE_SERVICE_LABEL);
  size_t length = strlen (data->project);
  g_autoptr(GString) line = NULL;
  g_autoptr(GBytes) content = NULL;
  HatakeLogEntry prefixed = *entry;
  gsize n;
  const char *bytes;

  if (g_cancellable_is_cancelled (data->cancellable) ||
      (self = g_weak_ref_get (&data->page)) == NULL)
    return;
  /* "web-1" for p-web-1, as docker compose shows it */
  if (strncmp (name, data->project, length) == 0 && name[length] == '-')
    name += length + 1;
  line = g_string_new (NULL);
  g_string_append_printf (line, "\033[%dm%s |\033[0m ",
                          palette[GPOINTER_TO_UINT (g_hash_table_lookup (data->colors, service ? service : ""))
                                  % G_N_ELEMENTS (palette)],
                          name);
  bytes = g_bytes_get_data (entry->content, &n);
  g_string_append_len (line, bytes, n);
  content = g_string_free_to_bytes (g_steal_pointer (&line));
  prefixed.content = content;
  hatake_log_view_append (self->log_view, &prefixed);
}

static void
logs_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LogsData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!hatake_compose_logs_finish (HATAKE_ENGINE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("The logs of %s ended: %s", data->project, error->message);
  logs_data_free (data);
}

static char *
selected_service (HatakeProjectsPage *self)
{
  guint position = gtk_drop_down_get_selected (self->service_filter);

  /* the first is "All Services" */
  if (position == 0 || position == GTK_INVALID_LIST_POSITION)
    return NULL;
  return g_strdup (gtk_string_list_get_string (self->service_names, position));
}

/* Shows the logs of the project shown (of its service chosen in the filter) from the start, and
 * follows them. */
static void
restart_logs (HatakeProjectsPage *self)
{
  g_autofree char *service = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;
  GListModel *services;
  LogsData *data;

  g_cancellable_cancel (self->logs_cancellable);
  g_clear_object (&self->logs_cancellable);
  hatake_log_view_clear (self->log_view);
  if (self->project == NULL || self->engine == NULL)
    return;

  service = selected_service (self);
  containers = hatake_compose_get_containers (self->engine, hatake_project_get_name (self->project), service, FALSE);
  if (containers->len == 0)
    return;

  self->logs_cancellable = g_cancellable_new ();
  data = g_new0 (LogsData, 1);
  g_weak_ref_init (&data->page, self);
  data->cancellable = g_object_ref (self->logs_cancellable);
  data->project = g_strdup (hatake_project_get_name (self->project));
  data->colors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* a service keeps its colour whatever the filter */
  services = hatake_project_get_services (self->project);
  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(HatakeProjectService) s = g_list_model_get_item (services, i);

      g_hash_table_insert (data->colors, g_strdup (hatake_project_service_get_name (s)), GUINT_TO_POINTER (i));
    }
  options.follow = TRUE;
  hatake_compose_logs_async (self->engine, containers, &options, on_log_entry, data, self->logs_cancellable,
                             logs_done, data);
}

static void
fill_filter (HatakeProjectsPage *self)
{
  g_autofree char *chosen = selected_service (self);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->service_names));
  guint selected = 0;

  g_ptr_array_add (names, g_strdup (_("All Services")));
  if (self->project != NULL)
    {
      GListModel *services = hatake_project_get_services (self->project);

      for (guint i = 0; i < g_list_model_get_n_items (services); i++)
        {
          g_autoptr(HatakeProjectService) s = g_list_model_get_item (services, i);

          if (g_strcmp0 (chosen, hatake_project_service_get_name (s)) == 0)
            selected = names->len;
          g_ptr_array_add (names, g_strdup (hatake_project_service_get_name (s)));
        }
    }
  g_ptr_array_add (names, NULL);
  self->filling_filter = TRUE;
  gtk_string_list_splice (self->service_names, 0, n_old, (const char * const *) names->pdata);
  gtk_drop_down_set_selected (self->service_filter, selected);
  self->filling_filter = FALSE;
}

static void
on_filter_changed (HatakeProjectsPage *self)
{
  if (!self->filling_filter)
    restart_logs (self);
}

static void
on_project_containers_changed (HatakeProjectsPage *self)
{
  /* new containers (up, scale) or ones that started again: their logs come in from the start */
  restart_logs (self);
}

static void
on_services_changed (HatakeProjectsPage *self)
{
  fill_filter (self);
}

static void
update_actions (HatakeProjectsPage *self)
{
  gboolean has_project = self->project != NULL && self->engine != NULL;
  static const char * const names[] = {
    "projects.up", "projects.down", "projects.restart", "projects.pull",
    "projects.service-up", "projects.service-down", "projects.service-restart", "projects.service-pull",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), names[i], has_project);
}

static void
set_project (HatakeProjectsPage *self,
             HatakeProject      *project)
{
  if (self->project == project)
    return;
  if (self->project != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->project, self);
      g_signal_handlers_disconnect_by_data (hatake_project_get_services (self->project), self);
    }
  g_set_object (&self->project, project);
  if (project != NULL)
    {
      g_signal_connect_object (project, "notify::n-containers", G_CALLBACK (on_project_containers_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (project, "notify::n-running", G_CALLBACK (on_project_containers_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (hatake_project_get_services (project), "items-changed",
                               G_CALLBACK (on_services_changed), self, G_CONNECT_SWAPPED);
    }
  fill_filter (self);
  restart_logs (self);
  update_actions (self);
}

static void
on_selection_changed (HatakeProjectsPage *self)
{
  set_project (self, gtk_single_selection_get_selected_item (self->selection));
}

static void
update_visible_page (HatakeProjectsPage *self)
{
  GListModel *model = gtk_single_selection_get_model (self->selection);
  guint n_items = model != NULL ? g_list_model_get_n_items (model) : 0;

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "list" : "empty");
}

/* ---- operations ---------------------------------------------------------------------------- */

/* Operations hold the page weakly: a page closed meanwhile is not kept alive to hear back. */
typedef struct
{
  GWeakRef              page;
  HatakeEngine         *engine;
  GCancellable         *cancellable;
  HatakeProjectsPageOp  op;
  char                 *project;
  char                 *service;
  char                 *working_dir;
  GStrv                 files;
  HatakeComposeProject *compose;
  GPtrArray            *pending;   /* pull: images; down of a service: its containers' ids */
} OpData;

static void
op_data_free (OpData *data)
{
  g_weak_ref_clear (&data->page);
  g_clear_object (&data->engine);
  g_clear_object (&data->cancellable);
  g_free (data->project);
  g_free (data->service);
  g_free (data->working_dir);
  g_strfreev (data->files);
  g_clear_object (&data->compose);
  g_clear_pointer (&data->pending, g_ptr_array_unref);
  g_free (data);
}

/* The toast that says how it went, and the end of DATA. */
static void
op_finish (OpData *data,
           GError *error)
{
  g_autoptr(HatakeProjectsPage) self = g_weak_ref_get (&data->page);
  g_autofree char *what = data->service ? g_strdup_printf (_("“%s” of “%s”"), data->service, data->project)
                                        : g_strdup_printf ("“%s”", data->project);
  g_autofree char *text = NULL;

  if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->n_ops--;
      if (error != NULL)
        {
          /* TRANSLATORS: "“web” of “shop”: the engine's message" */
          text = g_strdup_printf (_("%s: %s"), what, error->message);
          hatake_toast_show (self->toast_overlay, text, TRUE);
        }
      else
        {
          switch (data->op)
            {
            case HATAKE_PROJECTS_PAGE_UP:
              text = g_strdup_printf (_("%s is up"), what);
              break;
            case HATAKE_PROJECTS_PAGE_DOWN:
              text = g_strdup_printf (_("%s is down"), what);
              break;
            case HATAKE_PROJECTS_PAGE_RESTART:
              text = g_strdup_printf (_("%s restarted"), what);
              break;
            case HATAKE_PROJECTS_PAGE_PULL:
              text = g_strdup_printf (_("The images of %s are pulled"), what);
              break;
            default:
              g_assert_not_reached ();
            }
          hatake_toast_show (self->toast_overlay, text, FALSE);
        }
    }
  else if (self != NULL)
    self->n_ops--;
  op_data_free (data);
}

static void
runner_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  OpData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (g_task_get_source_tag (G_TASK (result)) == hatake_compose_up_async)
    hatake_compose_up_finish (data->engine, result, &error);
  else
    hatake_compose_op_finish (data->engine, result, &error);
  op_finish (data, error);
}

static void pull_next (OpData *data);

static void
pull_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  OpData *data = user_data;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = hatake_engine_pull_finish (data->engine, result, &error);
  if (image == NULL)
    op_finish (data, error);
  else
    pull_next (data);
}

/* The images one after the other, as `compose pull` does */
static void
pull_next (OpData *data)
{
  g_autofree char *image = NULL;

  if (data->pending->len == 0)
    {
      op_finish (data, NULL);
      return;
    }
  image = g_ptr_array_steal_index (data->pending, 0);
  hatake_engine_pull_async (data->engine, image, NULL, NULL, data->cancellable, pull_done, data);
}

static void remove_next (OpData *data);

static void
remove_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  OpData *data = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = hatake_engine_container_op_finish (data->engine, result, &error);
  if (error != NULL)
    op_finish (data, error);
  else
    remove_next (data);
}

static void
remove_next (OpData *data)
{
  HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE };
  g_autofree char *id = NULL;

  if (data->pending->len == 0)
    {
      op_finish (data, NULL);
      return;
    }
  id = g_ptr_array_steal_index (data->pending, 0);
  hatake_engine_container_op_async (data->engine, id, HATAKE_CONTAINER_OP_REMOVE, &args, data->cancellable,
                                    remove_done, data);
}

/* A service's down: its containers stopped (by the runner, with the service's stop signal and
 * grace period), then removed; the project's networks stay for the other services. */
static void
service_stopped (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  OpData *data = user_data;
  g_autoptr(GPtrArray) containers = NULL;
  g_autoptr(GError) error = NULL;

  if (!hatake_compose_op_finish (data->engine, result, &error))
    {
      op_finish (data, error);
      return;
    }
  containers = hatake_compose_get_containers (data->engine, data->project, data->service, FALSE);
  data->pending = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < containers->len; i++)
    g_ptr_array_add (data->pending, g_strdup (hatake_container_get_id (g_ptr_array_index (containers, i))));
  remove_next (data);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpData *data = task_data;
  HatakeComposeOptions options = { 0 };
  const char *services[] = { data->service, NULL };
  HatakeComposeProject *project;
  GError *error = NULL;

  options.files = (const char * const *) data->files;
  options.project_dir = data->working_dir;
  options.project_name = data->project;
  options.services = data->service ? services : NULL;
  project = hatake_compose_project_load (&options, &error);
  if (project == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, project, g_object_unref);
}

static void
loaded (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  OpData *data = user_data;
  g_autoptr(GError) error = NULL;
  HatakeComposeRunOptions options = HATAKE_COMPOSE_RUN_OPTIONS_INIT;
  const char *services[] = { data->service, NULL };

  data->compose = g_task_propagate_pointer (G_TASK (result), &error);
  if (data->compose == NULL)
    {
      op_finish (data, error);
      return;
    }
  options.services = data->service ? services : NULL;
  switch (data->op)
    {
    case HATAKE_PROJECTS_PAGE_UP:
      hatake_compose_up_async (data->engine, data->compose, &options, data->cancellable, runner_done, data);
      break;

    case HATAKE_PROJECTS_PAGE_DOWN:
      if (data->service != NULL)
        hatake_compose_op_async (data->engine, data->compose, HATAKE_COMPOSE_OP_STOP, &options, data->cancellable,
                                 service_stopped, data);
      else
        hatake_compose_op_async (data->engine, data->compose, HATAKE_COMPOSE_OP_DOWN, &options, data->cancellable,
                                 runner_done, data);
      break;

    case HATAKE_PROJECTS_PAGE_RESTART:
      hatake_compose_op_async (data->engine, data->compose, HATAKE_COMPOSE_OP_RESTART, &options, data->cancellable,
                               runner_done, data);
      break;

    case HATAKE_PROJECTS_PAGE_PULL:
      {
        GPtrArray *list = hatake_compose_project_get_services (data->compose);

        data->pending = g_ptr_array_new_with_free_func (g_free);
        for (guint i = 0; i < list->len; i++)
          {
            HatakeComposeService *s = g_ptr_array_index (list, i);

            if (s->image != NULL && (data->service == NULL || g_str_equal (s->name, data->service)))
              g_ptr_array_add (data->pending, g_strdup (s->image));
          }
        pull_next (data);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

void
hatake_projects_page_run (HatakeProjectsPage   *self,
                          HatakeProjectsPageOp  op,
                          const char           *service)
{
  g_autoptr(GTask) task = NULL;
  const char *files;
  OpData *data;

  g_return_if_fail (HATAKE_IS_PROJECTS_PAGE (self));
  g_return_if_fail (op <= HATAKE_PROJECTS_PAGE_PULL);

  if (self->project == NULL || self->engine == NULL)
    return;
  files = hatake_project_get_config_files (self->project);
  if (files == NULL || *files == '\0')
    {
      g_autofree char *text = g_strdup_printf (_("“%s”: its containers do not say which compose files it was "
                                                 "brought up from"),
                                               hatake_project_get_name (self->project));
      hatake_toast_show (self->toast_overlay, text, TRUE);
      return;
    }

  data = g_new0 (OpData, 1);
  g_weak_ref_init (&data->page, self);
  data->engine = g_object_ref (self->engine);
  data->cancellable = g_object_ref (self->cancellable);
  data->op = op;
  data->project = g_strdup (hatake_project_get_name (self->project));
  data->service = g_strdup (service);
  data->working_dir = g_strdup (hatake_project_get_working_dir (self->project));
  /* docker compose writes them comma-separated */
  data->files = g_strsplit (files, ",", -1);
  self->n_ops++;

  /* The files are read again, as `compose` would: what changed in them since is what runs. */
  task = g_task_new (NULL, self->cancellable, loaded, data);
  g_task_set_source_tag (task, hatake_projects_page_run);
  g_task_set_task_data (task, data, NULL);
  g_task_run_in_thread (task, load_thread);
}

guint
hatake_projects_page_get_n_running_ops (HatakeProjectsPage *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECTS_PAGE (self), 0);

  return self->n_ops;
}

static void
project_op_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  HatakeProjectsPage *self = HATAKE_PROJECTS_PAGE (widget);
  const char *service = parameter != NULL ? g_variant_get_string (parameter, NULL) : NULL;
  const char *verb = strchr (action_name, '.') + 1;
  HatakeProjectsPageOp op;

  if (g_str_has_prefix (verb, "service-"))
    verb += strlen ("service-");
  if (g_str_equal (verb, "up"))
    op = HATAKE_PROJECTS_PAGE_UP;
  else if (g_str_equal (verb, "down"))
    op = HATAKE_PROJECTS_PAGE_DOWN;
  else if (g_str_equal (verb, "restart"))
    op = HATAKE_PROJECTS_PAGE_RESTART;
  else
    op = HATAKE_PROJECTS_PAGE_PULL;
  if (service != NULL && *service == '\0')
    return;
  hatake_projects_page_run (self, op, service);
}

static void
actions_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HatakeProjectsPage       *self)
{
  static const struct { const char *name, *icon, *action, *label; } buttons[] = {
    { "up", "media-playback-start-symbolic", "projects.service-up", N_("Up") },
    { "down", "media-playback-stop-symbolic", "projects.service-down", N_("Down (Stop and Remove)") },
    { "restart", "view-refresh-symbolic", "projects.service-restart", N_("Restart") },
    { "pull", "folder-download-symbolic", "projects.service-pull", N_("Pull") },
  };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      GtkWidget *button = gtk_button_new_from_icon_name (buttons[i].icon);

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "circular");
      gtk_widget_set_tooltip_text (button, _(buttons[i].label));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(buttons[i].label), -1);
      gtk_widget_set_name (button, buttons[i].name);
      /* The target comes first, so the action never sees a button without one. */
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (""));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), buttons[i].action);
      gtk_box_append (GTK_BOX (box), button);
    }
  gtk_list_item_set_child (item, box);
}

static void
actions_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HatakeProjectsPage       *self)
{
  HatakeProjectService *service = gtk_list_item_get_item (item);

  for (GtkWidget *button = gtk_widget_get_first_child (gtk_list_item_get_child (item));
       button != NULL;
       button = gtk_widget_get_next_sibling (button))
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                            g_variant_new_string (hatake_project_service_get_name (service)));
}

/* ---- the page ------------------------------------------------------------------------------ */

GtkWidget *
hatake_projects_page_new (HatakeEngine *engine)
{
  g_return_val_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine), NULL);

  return g_object_new (HATAKE_TYPE_PROJECTS_PAGE, "engine", engine, NULL);
}

HatakeEngine *
hatake_projects_page_get_engine (HatakeProjectsPage *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECTS_PAGE (self), NULL);

  return self->engine;
}

static void
on_projects_changed (HatakeProjectsPage *self)
{
  update_visible_page (self);
}

/* The engine's projects, bound the first time the page is shown (or asked to select one): the
 * model follows every container, which a window that never shows the page need not pay for. */
static void
ensure_model (HatakeProjectsPage *self)
{
  HatakeProjects *projects;

  if (self->engine == NULL || gtk_single_selection_get_model (self->selection) != NULL)
    return;
  projects = hatake_engine_get_projects (self->engine);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (projects));
  g_signal_connect_object (projects, "items-changed", G_CALLBACK (on_projects_changed), self, G_CONNECT_SWAPPED);
  update_visible_page (self);
  on_selection_changed (self);
}

void
hatake_projects_page_set_engine (HatakeProjectsPage *self,
                                 HatakeEngine       *engine)
{
  GListModel *old;

  g_return_if_fail (HATAKE_IS_PROJECTS_PAGE (self));
  g_return_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine));

  if (self->engine == engine)
    return;

  old = gtk_single_selection_get_model (self->selection);
  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);
  g_set_object (&self->engine, engine);
  gtk_single_selection_set_model (self->selection, NULL);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ensure_model (self);
  update_visible_page (self);
  on_selection_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

static void
hatake_projects_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hatake_projects_page_parent_class)->map (widget);

  ensure_model (HATAKE_PROJECTS_PAGE (widget));
}

gboolean
hatake_projects_page_select (HatakeProjectsPage *self,
                             const char         *name)
{
  GListModel *model;

  g_return_val_if_fail (HATAKE_IS_PROJECTS_PAGE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  ensure_model (self);
  model = gtk_single_selection_get_model (self->selection);
  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(HatakeProject) project = g_list_model_get_item (model, i);

      if (g_str_equal (hatake_project_get_name (project), name))
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

HatakeProject *
hatake_projects_page_get_selected (HatakeProjectsPage *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECTS_PAGE (self), NULL);

  return self->project;
}

static void
hatake_projects_page_dispose (GObject *object)
{
  HatakeProjectsPage *self = HATAKE_PROJECTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->logs_cancellable);
  g_clear_object (&self->logs_cancellable);
  if (self->project != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->project, self);
      g_signal_handlers_disconnect_by_data (hatake_project_get_services (self->project), self);
    }
  g_clear_object (&self->project);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_PROJECTS_PAGE);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (hatake_projects_page_parent_class)->dispose (object);
}

static void
hatake_projects_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HatakeProjectsPage *self = HATAKE_PROJECTS_PAGE (object);

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
hatake_projects_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  HatakeProjectsPage *self = HATAKE_PROJECTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      hatake_projects_page_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_projects_page_class_init (HatakeProjectsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char * const ops[] = { "up", "down", "restart", "pull" };

  object_class->dispose = hatake_projects_page_dispose;
  object_class->get_property = hatake_projects_page_get_property;
  object_class->set_property = hatake_projects_page_set_property;

  widget_class->map = hatake_projects_page_map;

  /**
   * HatakeProjectsPage:engine:
   *
   * The engine whose compose projects the page shows.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HATAKE_TYPE_PROJECT);
  g_type_ensure (HATAKE_TYPE_PROJECT_SERVICE);
  g_type_ensure (HATAKE_TYPE_LOG_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-projects-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeProjectsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HatakeProjectsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeProjectsPage, project_list);
  gtk_widget_class_bind_template_child (widget_class, HatakeProjectsPage, selection);
  gtk_widget_class_bind_template_child (widget_class, HatakeProjectsPage, services_view);
  gtk_widget_class_bind_template_child (widget_class, HatakeProjectsPage, service_filter);
  gtk_widget_class_bind_template_child (widget_class, HatakeProjectsPage, service_names);
  gtk_widget_class_bind_template_child (widget_class, HatakeProjectsPage, log_view);
  /* Reachable for the tests, with no field of their own: the bindings in the .ui drive them. */
  gtk_widget_class_bind_template_child_full (widget_class, "title_label", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "status_label", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, containers_text);
  gtk_widget_class_bind_template_callback (widget_class, actions_setup);
  gtk_widget_class_bind_template_callback (widget_class, actions_bind);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_autofree char *project_action = g_strdup_printf ("projects.%s", ops[i]);
      g_autofree char *service_action = g_strdup_printf ("projects.service-%s", ops[i]);

      gtk_widget_class_install_action (widget_class, project_action, NULL, project_op_activated);
      gtk_widget_class_install_action (widget_class, service_action, "s", project_op_activated);
    }

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "projectspage");
}

static void
hatake_projects_page_init (HatakeProjectsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  fill_filter (self);
  update_visible_page (self);
  update_actions (self);
}
