/* hatake-projects.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pass over the containers rebuilds what the labels say, and the objects already handed out
 * are updated in place (a project, a service, its containers' list), so widgets bound to them stay
 * bound: rows only come and go when a project or service does. The pass runs when the containers
 * model changes or one of its containers changes state or labels; a few hundred containers take
 * microseconds.
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <string.h>

#include "hatake-projects.h"

/* ---- shared helpers -------------------------------------------------------------------------- */

static void
set_string (GObject     *object,
            char       **field,
            const char  *value,
            GParamSpec  *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (object, pspec);
}

static void
set_uint (GObject    *object,
          guint      *field,
          guint       value,
          GParamSpec *pspec)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (object, pspec);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* containers: HatakeContainer. Adds to counts (state name → count) and returns those running. */
static guint
count_states (GPtrArray  *containers,
              GHashTable *counts)
{
  guint running = 0;

  for (guint i = 0; i < containers->len; i++)
    {
      HatakeContainerState state = hatake_container_get_state (g_ptr_array_index (containers, i));
      const char *key = hatake_container_state_to_string (state);

      g_hash_table_insert (counts, (gpointer) key,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1));
      if (state == HATAKE_CONTAINER_RUNNING)
        running++;
    }
  return running;
}

static char *
format_states (GHashTable *counts)
{
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (counts, NULL);
  guint n = g_hash_table_size (counts);
  GString *status = g_string_new (NULL);

  qsort (keys, n, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (status, "%s%s(%u)", i ? ", " : "", (const char *) keys[i],
                            GPOINTER_TO_UINT (g_hash_table_lookup (counts, keys[i])));
  return g_string_free (status, FALSE);
}

/* ---- HatakeProjectService ------------------------------------------------------------------- */

struct _HatakeProjectService
{
  GObject     parent_instance;

  char       *name;
  GListStore *containers;
  guint       n_running;
  char       *status;
};

G_DEFINE_FINAL_TYPE (HatakeProjectService, hatake_project_service, G_TYPE_OBJECT)

enum {
  SERVICE_PROP_0,
  SERVICE_PROP_NAME,
  SERVICE_PROP_CONTAINERS,
  SERVICE_PROP_N_RUNNING,
  SERVICE_PROP_STATUS,
  SERVICE_N_PROPS
};

static GParamSpec *service_properties[SERVICE_N_PROPS];

static void
hatake_project_service_finalize (GObject *object)
{
  HatakeProjectService *self = HATAKE_PROJECT_SERVICE (object);

  g_free (self->name);
  g_clear_object (&self->containers);
  g_free (self->status);
  G_OBJECT_CLASS (hatake_project_service_parent_class)->finalize (object);
}

static void
hatake_project_service_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  HatakeProjectService *self = HATAKE_PROJECT_SERVICE (object);

  switch (prop_id)
    {
    case SERVICE_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case SERVICE_PROP_CONTAINERS:
      g_value_set_object (value, self->containers);
      break;
    case SERVICE_PROP_N_RUNNING:
      g_value_set_uint (value, self->n_running);
      break;
    case SERVICE_PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_project_service_class_init (HatakeProjectServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hatake_project_service_finalize;
  object_class->get_property = hatake_project_service_get_property;

  service_properties[SERVICE_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  service_properties[SERVICE_PROP_CONTAINERS] =
    g_param_spec_object ("containers", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  service_properties[SERVICE_PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0, flags);
  service_properties[SERVICE_PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, SERVICE_N_PROPS, service_properties);
}

static void
hatake_project_service_init (HatakeProjectService *self)
{
  self->containers = g_list_store_new (HATAKE_TYPE_CONTAINER);
  self->status = g_strdup ("");
}

static guint
container_number (HatakeContainer *c)
{
  const char *number = hatake_container_get_label (c, HATAKE_PROJECT_NUMBER_LABEL);

  return number != NULL ? (guint) g_ascii_strtoull (number, NULL, 10) : 0;
}

static int
compare_by_number (gconstpointer a,
                   gconstpointer b)
{
  HatakeContainer *ca = *(HatakeContainer * const *) a;
  HatakeContainer *cb = *(HatakeContainer * const *) b;
  guint na = container_number (ca);
  guint nb = container_number (cb);

  if (na != nb)
    return na < nb ? -1 : 1;
  return g_strcmp0 (hatake_container_get_name (ca), hatake_container_get_name (cb));
}

/* containers: the service's, sorted by number. Adds their states to project_counts. */
static void
service_update (HatakeProjectService *self,
                GPtrArray            *containers,
                GHashTable           *project_counts)
{
  GListModel *model = G_LIST_MODEL (self->containers);
  guint n = g_list_model_get_n_items (model);
  gboolean same = n == containers->len;
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *status = NULL;
  guint running;

  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (model, i);

      same = c == g_ptr_array_index (containers, i);
    }
  if (!same)
    g_list_store_splice (self->containers, 0, n, containers->pdata, containers->len);

  running = count_states (containers, counts);
  count_states (containers, project_counts);
  status = format_states (counts);
  set_uint (G_OBJECT (self), &self->n_running, running, service_properties[SERVICE_PROP_N_RUNNING]);
  set_string (G_OBJECT (self), &self->status, status, service_properties[SERVICE_PROP_STATUS]);
}

const char *
hatake_project_service_get_name (HatakeProjectService *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT_SERVICE (self), NULL);
  return self->name;
}

GListModel *
hatake_project_service_get_containers (HatakeProjectService *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT_SERVICE (self), NULL);
  return G_LIST_MODEL (self->containers);
}

guint
hatake_project_service_get_n_running (HatakeProjectService *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT_SERVICE (self), 0);
  return self->n_running;
}

const char *
hatake_project_service_get_status (HatakeProjectService *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT_SERVICE (self), NULL);
  return self->status;
}

/* ---- HatakeProject -------------------------------------------------------------------------- */

struct _HatakeProject
{
  GObject     parent_instance;

  char       *name;
  char       *working_dir;
  char       *config_files;
  GListStore *services;
  guint       n_containers;
  guint       n_running;
  char       *status;
};

G_DEFINE_FINAL_TYPE (HatakeProject, hatake_project, G_TYPE_OBJECT)

enum {
  PROJECT_PROP_0,
  PROJECT_PROP_NAME,
  PROJECT_PROP_WORKING_DIR,
  PROJECT_PROP_CONFIG_FILES,
  PROJECT_PROP_SERVICES,
  PROJECT_PROP_N_CONTAINERS,
  PROJECT_PROP_N_RUNNING,
  PROJECT_PROP_STATUS,
  PROJECT_N_PROPS
};

static GParamSpec *project_properties[PROJECT_N_PROPS];

static void
hatake_project_finalize (GObject *object)
{
  HatakeProject *self = HATAKE_PROJECT (object);

  g_free (self->name);
  g_free (self->working_dir);
  g_free (self->config_files);
  g_clear_object (&self->services);
  g_free (self->status);
  G_OBJECT_CLASS (hatake_project_parent_class)->finalize (object);
}

static void
hatake_project_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HatakeProject *self = HATAKE_PROJECT (object);

  switch (prop_id)
    {
    case PROJECT_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROJECT_PROP_WORKING_DIR:
      g_value_set_string (value, self->working_dir);
      break;
    case PROJECT_PROP_CONFIG_FILES:
      g_value_set_string (value, self->config_files);
      break;
    case PROJECT_PROP_SERVICES:
      g_value_set_object (value, self->services);
      break;
    case PROJECT_PROP_N_CONTAINERS:
      g_value_set_uint (value, self->n_containers);
      break;
    case PROJECT_PROP_N_RUNNING:
      g_value_set_uint (value, self->n_running);
      break;
    case PROJECT_PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_project_class_init (HatakeProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hatake_project_finalize;
  object_class->get_property = hatake_project_get_property;

  project_properties[PROJECT_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  project_properties[PROJECT_PROP_WORKING_DIR] =
    g_param_spec_string ("working-dir", NULL, NULL, NULL, flags);
  project_properties[PROJECT_PROP_CONFIG_FILES] =
    g_param_spec_string ("config-files", NULL, NULL, NULL, flags);
  project_properties[PROJECT_PROP_SERVICES] =
    g_param_spec_object ("services", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  project_properties[PROJECT_PROP_N_CONTAINERS] =
    g_param_spec_uint ("n-containers", NULL, NULL, 0, G_MAXUINT, 0, flags);
  project_properties[PROJECT_PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0, flags);
  project_properties[PROJECT_PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, PROJECT_N_PROPS, project_properties);
}

static void
hatake_project_init (HatakeProject *self)
{
  self->services = g_list_store_new (HATAKE_TYPE_PROJECT_SERVICE);
  self->status = g_strdup ("");
}

/* What one pass saw of a project. */
typedef struct
{
  GHashTable *services;       /* name → GPtrArray of HatakeContainer (unowned) */
  const char *working_dir;
  const char *config_files;
} Seen;

static void
seen_free (Seen *seen)
{
  g_hash_table_unref (seen->services);
  g_free (seen);
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  g_autofree gpointer *keys = NULL;
  guint n;
  GPtrArray *sorted;

  keys = g_hash_table_get_keys_as_array (table, &n);
  sorted = g_ptr_array_new_full (n, NULL);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (sorted, keys[i]);
  g_ptr_array_sort (sorted, compare_strings);
  return sorted;
}

static void
project_update (HatakeProject *self,
                Seen          *seen)
{
  GListModel *services = G_LIST_MODEL (self->services);
  g_autoptr(GPtrArray) names = sorted_keys (seen->services);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *status = NULL;
  guint i = 0, j = 0, total = 0, running = 0;

  /* merge the services we have (by name) with those seen (by name) */
  while (i < g_list_model_get_n_items (services) || j < names->len)
    {
      g_autoptr(HatakeProjectService) service = NULL;
      int cmp;

      if (i < g_list_model_get_n_items (services))
        service = g_list_model_get_item (services, i);
      if (service == NULL)
        cmp = 1;
      else if (j == names->len)
        cmp = -1;
      else
        cmp = strcmp (service->name, g_ptr_array_index (names, j));

      if (cmp < 0)
        {
          g_list_store_remove (self->services, i);
          continue;
        }
      if (cmp > 0)
        {
          g_clear_object (&service);
          service = g_object_new (HATAKE_TYPE_PROJECT_SERVICE, NULL);
          service->name = g_strdup (g_ptr_array_index (names, j));
          g_list_store_insert (self->services, i, service);
        }
      {
        GPtrArray *containers = g_hash_table_lookup (seen->services, g_ptr_array_index (names, j));

        g_ptr_array_sort (containers, compare_by_number);
        service_update (service, containers, counts);
        total += containers->len;
        running += service->n_running;
      }
      i++;
      j++;
    }

  status = format_states (counts);
  set_string (G_OBJECT (self), &self->working_dir, seen->working_dir,
              project_properties[PROJECT_PROP_WORKING_DIR]);
  set_string (G_OBJECT (self), &self->config_files, seen->config_files,
              project_properties[PROJECT_PROP_CONFIG_FILES]);
  set_uint (G_OBJECT (self), &self->n_containers, total, project_properties[PROJECT_PROP_N_CONTAINERS]);
  set_uint (G_OBJECT (self), &self->n_running, running, project_properties[PROJECT_PROP_N_RUNNING]);
  set_string (G_OBJECT (self), &self->status, status, project_properties[PROJECT_PROP_STATUS]);
}

const char *
hatake_project_get_name (HatakeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT (self), NULL);
  return self->name;
}

const char *
hatake_project_get_working_dir (HatakeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT (self), NULL);
  return self->working_dir;
}

const char *
hatake_project_get_config_files (HatakeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT (self), NULL);
  return self->config_files;
}

GListModel *
hatake_project_get_services (HatakeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT (self), NULL);
  return G_LIST_MODEL (self->services);
}

guint
hatake_project_get_n_containers (HatakeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT (self), 0);
  return self->n_containers;
}

guint
hatake_project_get_n_running (HatakeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT (self), 0);
  return self->n_running;
}

const char *
hatake_project_get_status (HatakeProject *self)
{
  g_return_val_if_fail (HATAKE_IS_PROJECT (self), NULL);
  return self->status;
}

/* ---- HatakeProjects ------------------------------------------------------------------------- */

struct _HatakeProjects
{
  GObject     parent_instance;

  GListModel *containers;
  GPtrArray  *projects;       /* HatakeProject, by name */
  GPtrArray  *watched;        /* the containers whose state and labels we follow */
};

static void hatake_projects_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HatakeProjects, hatake_projects, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, hatake_projects_list_model_init))

static GType
hatake_projects_get_item_type (GListModel *model)
{
  return HATAKE_TYPE_PROJECT;
}

static guint
hatake_projects_get_n_items (GListModel *model)
{
  return HATAKE_PROJECTS (model)->projects->len;
}

static gpointer
hatake_projects_get_item (GListModel *model,
                          guint       position)
{
  HatakeProjects *self = HATAKE_PROJECTS (model);

  if (position >= self->projects->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->projects, position));
}

static void
hatake_projects_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = hatake_projects_get_item_type;
  iface->get_n_items = hatake_projects_get_n_items;
  iface->get_item = hatake_projects_get_item;
}

static void
resync (HatakeProjects *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                      (GDestroyNotify) seen_free);
  g_autoptr(GPtrArray) names = NULL;
  guint i = 0, j = 0;

  /* self->watched holds every container of the model: the strings seen points to stay alive */
  for (guint k = 0; k < self->watched->len; k++)
    {
      HatakeContainer *c = g_ptr_array_index (self->watched, k);
      const char *project = hatake_container_get_project (c);
      const char *service = hatake_container_get_label (c, HATAKE_PROJECT_SERVICE_LABEL);
      Seen *s;
      GPtrArray *members;

      if (project == NULL || service == NULL)
        continue;
      s = g_hash_table_lookup (seen, project);
      if (s == NULL)
        {
          s = g_new0 (Seen, 1);
          s->services = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify) g_ptr_array_unref);
          g_hash_table_insert (seen, (gpointer) project, s);
        }
      if (s->working_dir == NULL)
        s->working_dir = hatake_container_get_label (c, HATAKE_PROJECT_WORKING_DIR_LABEL);
      if (s->config_files == NULL)
        s->config_files = hatake_container_get_label (c, HATAKE_PROJECT_FILES_LABEL);
      members = g_hash_table_lookup (s->services, service);
      if (members == NULL)
        {
          members = g_ptr_array_new ();
          g_hash_table_insert (s->services, (gpointer) service, members);
        }
      g_ptr_array_add (members, c);
    }

  names = sorted_keys (seen);
  while (i < self->projects->len || j < names->len)
    {
      HatakeProject *project = i < self->projects->len ? g_ptr_array_index (self->projects, i) : NULL;
      int cmp;

      if (project == NULL)
        cmp = 1;
      else if (j == names->len)
        cmp = -1;
      else
        cmp = strcmp (project->name, g_ptr_array_index (names, j));

      if (cmp < 0)
        {
          g_ptr_array_remove_index (self->projects, i);
          g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
          continue;
        }
      if (cmp > 0)
        {
          project = g_object_new (HATAKE_TYPE_PROJECT, NULL);
          project->name = g_strdup (g_ptr_array_index (names, j));
          project_update (project, g_hash_table_lookup (seen, project->name));
          g_ptr_array_insert (self->projects, i, project);
          g_list_model_items_changed (G_LIST_MODEL (self), i, 0, 1);
        }
      else
        project_update (project, g_hash_table_lookup (seen, project->name));
      i++;
      j++;
    }
}

static void
on_container_notify (HatakeProjects *self)
{
  resync (self);
}

static void
unwatch_all (HatakeProjects *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i), on_container_notify, self);
  g_ptr_array_set_size (self->watched, 0);
}

static void
on_containers_changed (HatakeProjects *self)
{
  guint n = g_list_model_get_n_items (self->containers);

  unwatch_all (self);
  for (guint i = 0; i < n; i++)
    {
      HatakeContainer *c = g_list_model_get_item (self->containers, i);

      g_signal_connect_swapped (c, "notify::state", G_CALLBACK (on_container_notify), self);
      g_signal_connect_swapped (c, "notify::labels", G_CALLBACK (on_container_notify), self);
      g_ptr_array_add (self->watched, c);
    }
  resync (self);
}

static void
hatake_projects_dispose (GObject *object)
{
  HatakeProjects *self = HATAKE_PROJECTS (object);

  if (self->containers != NULL)
    g_signal_handlers_disconnect_by_func (self->containers, on_containers_changed, self);
  unwatch_all (self);
  g_clear_object (&self->containers);
  G_OBJECT_CLASS (hatake_projects_parent_class)->dispose (object);
}

static void
hatake_projects_finalize (GObject *object)
{
  HatakeProjects *self = HATAKE_PROJECTS (object);

  g_ptr_array_unref (self->projects);
  g_ptr_array_unref (self->watched);
  G_OBJECT_CLASS (hatake_projects_parent_class)->finalize (object);
}

static void
hatake_projects_class_init (HatakeProjectsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hatake_projects_dispose;
  object_class->finalize = hatake_projects_finalize;
}

static void
hatake_projects_init (HatakeProjects *self)
{
  self->projects = g_ptr_array_new_with_free_func (g_object_unref);
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
}

HatakeProjects *
hatake_projects_new (GListModel *containers)
{
  HatakeProjects *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (containers), NULL);

  self = g_object_new (HATAKE_TYPE_PROJECTS, NULL);
  self->containers = g_object_ref (containers);
  g_signal_connect_swapped (containers, "items-changed", G_CALLBACK (on_containers_changed), self);
  on_containers_changed (self);
  return self;
}

HatakeProject *
hatake_projects_lookup (HatakeProjects *self,
                        const char     *name)
{
  g_return_val_if_fail (HATAKE_IS_PROJECTS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->projects->len; i++)
    {
      HatakeProject *project = g_ptr_array_index (self->projects, i);

      if (g_str_equal (project->name, name))
        return project;
    }
  return NULL;
}
