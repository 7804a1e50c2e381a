/* test-projects.c: the compose projects model, following a containers model
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-test"

#include "config.h"

#include "hatake-core.h"

static HatakeContainer *
make_container (const char           *name,
                const char           *project,
                const char           *service,
                const char           *number,
                HatakeContainerState  state)
{
  HatakeContainer *c = hatake_container_new (name, name);
  g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  if (project != NULL)
    {
      g_autofree char *p = g_strconcat (HATAKE_CONTAINER_PROJECT_LABEL "=", project, NULL);
      g_autofree char *dir = g_strconcat (HATAKE_PROJECT_WORKING_DIR_LABEL "=/srv/", project, NULL);
      g_autofree char *files = g_strconcat (HATAKE_PROJECT_FILES_LABEL "=/srv/", project, "/compose.yaml", NULL);

      g_strv_builder_add_many (labels, p, dir, files, NULL);
    }
  if (service != NULL)
    {
      g_autofree char *s = g_strconcat (HATAKE_PROJECT_SERVICE_LABEL "=", service, NULL);

      g_strv_builder_add (labels, s);
    }
  if (number != NULL)
    {
      g_autofree char *n = g_strconcat (HATAKE_PROJECT_NUMBER_LABEL "=", number, NULL);

      g_strv_builder_add (labels, n);
    }
  strv = g_strv_builder_end (labels);
  hatake_container_set_labels (c, (const char * const *) strv);
  hatake_container_mirror_state (c, state);
  return c;
}

static void
add (GListStore      *store,
     HatakeContainer *c)
{
  g_list_store_append (store, c);
  g_object_unref (c);
}

static HatakeProject *
project_at (HatakeProjects *projects,
            guint           i)
{
  HatakeProject *p = g_list_model_get_item (G_LIST_MODEL (projects), i);

  g_assert_nonnull (p);
  g_object_unref (p);    /* the model holds it */
  return p;
}

static HatakeProjectService *
service_at (HatakeProject *project,
            guint          i)
{
  HatakeProjectService *s = g_list_model_get_item (hatake_project_get_services (project), i);

  g_assert_nonnull (s);
  g_object_unref (s);
  return s;
}

static const char *
container_name_at (HatakeProjectService *service,
                   guint                 i)
{
  g_autoptr(HatakeContainer) c = g_list_model_get_item (hatake_project_service_get_containers (service), i);

  g_assert_nonnull (c);
  return hatake_container_get_name (c);
}

static void
test_projects_group (void)
{
  g_autoptr(GListStore) store = g_list_store_new (HATAKE_TYPE_CONTAINER);
  g_autoptr(HatakeProjects) projects = NULL;
  HatakeProject *shop, *blog;
  HatakeProjectService *web;

  add (store, make_container ("shop-web-10", "shop", "web", "10", HATAKE_CONTAINER_EXITED));
  add (store, make_container ("loner", NULL, NULL, NULL, HATAKE_CONTAINER_RUNNING));
  add (store, make_container ("shop-web-2", "shop", "web", "2", HATAKE_CONTAINER_RUNNING));
  add (store, make_container ("blog-db-1", "blog", "db", "1", HATAKE_CONTAINER_RUNNING));
  add (store, make_container ("shop-db-1", "shop", "db", "1", HATAKE_CONTAINER_CREATED));
  add (store, make_container ("shop-web-1", "shop", "web", "1", HATAKE_CONTAINER_RUNNING));
  /* a project label without a service is not a compose container (docker compose ignores it) */
  add (store, make_container ("odd", "shop", NULL, NULL, HATAKE_CONTAINER_RUNNING));

  projects = hatake_projects_new (G_LIST_MODEL (store));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (projects)), ==, 2);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (projects)) == HATAKE_TYPE_PROJECT);

  blog = project_at (projects, 0);
  shop = project_at (projects, 1);
  g_assert_cmpstr (hatake_project_get_name (blog), ==, "blog");
  g_assert_cmpstr (hatake_project_get_name (shop), ==, "shop");
  g_assert_true (hatake_projects_lookup (projects, "shop") == shop);
  g_assert_null (hatake_projects_lookup (projects, "loner"));

  g_assert_cmpstr (hatake_project_get_working_dir (shop), ==, "/srv/shop");
  g_assert_cmpstr (hatake_project_get_config_files (shop), ==, "/srv/shop/compose.yaml");
  g_assert_cmpuint (hatake_project_get_n_containers (shop), ==, 4);
  g_assert_cmpuint (hatake_project_get_n_running (shop), ==, 2);
  g_assert_cmpstr (hatake_project_get_status (shop), ==, "created(1), exited(1), running(2)");
  g_assert_cmpstr (hatake_project_get_status (blog), ==, "running(1)");

  /* services by name, containers by number (as numbers: 2 before 10) */
  g_assert_cmpuint (g_list_model_get_n_items (hatake_project_get_services (shop)), ==, 2);
  g_assert_cmpstr (hatake_project_service_get_name (service_at (shop, 0)), ==, "db");
  web = service_at (shop, 1);
  g_assert_cmpstr (hatake_project_service_get_name (web), ==, "web");
  g_assert_cmpuint (g_list_model_get_n_items (hatake_project_service_get_containers (web)), ==, 3);
  g_assert_cmpstr (container_name_at (web, 0), ==, "shop-web-1");
  g_assert_cmpstr (container_name_at (web, 1), ==, "shop-web-2");
  g_assert_cmpstr (container_name_at (web, 2), ==, "shop-web-10");
  g_assert_cmpuint (hatake_project_service_get_n_running (web), ==, 2);
  g_assert_cmpstr (hatake_project_service_get_status (web), ==, "exited(1), running(2)");
}

typedef struct
{
  guint position, removed, added, calls;
} Changes;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
  changes->calls++;
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_projects_live (void)
{
  g_autoptr(GListStore) store = g_list_store_new (HATAKE_TYPE_CONTAINER);
  HatakeProjects *projects;
  HatakeProject *shop;
  HatakeProjectService *web;
  HatakeContainer *db;
  Changes top = { 0 }, services = { 0 };
  guint running_notifies = 0, status_notifies = 0;

  add (store, make_container ("shop-web-1", "shop", "web", "1", HATAKE_CONTAINER_RUNNING));
  projects = hatake_projects_new (G_LIST_MODEL (store));
  g_signal_connect (projects, "items-changed", G_CALLBACK (on_items_changed), &top);
  shop = project_at (projects, 0);
  web = service_at (shop, 0);
  g_object_add_weak_pointer (G_OBJECT (shop), (gpointer *) &shop);
  g_signal_connect (hatake_project_get_services (shop), "items-changed", G_CALLBACK (on_items_changed), &services);
  g_signal_connect (shop, "notify::n-running", G_CALLBACK (on_notify), &running_notifies);
  g_signal_connect (shop, "notify::status", G_CALLBACK (on_notify), &status_notifies);

  /* a new service joins: the same project object, one row more in its services */
  db = make_container ("shop-db-1", "shop", "db", "1", HATAKE_CONTAINER_CREATED);
  g_list_store_insert (store, 0, db);
  g_object_unref (db);
  g_assert_cmpuint (top.calls, ==, 0);
  g_assert_true (project_at (projects, 0) == shop);
  g_assert_cmpuint (services.calls, ==, 1);
  g_assert_cmpuint (services.position, ==, 0);
  g_assert_cmpuint (services.added, ==, 1);
  g_assert_true (service_at (shop, 1) == web);
  g_assert_cmpuint (running_notifies, ==, 0);
  g_assert_cmpuint (status_notifies, ==, 1);
  g_assert_cmpstr (hatake_project_get_status (shop), ==, "created(1), running(1)");

  /* a state change is followed, with a notify only for what changed */
  hatake_container_mirror_state (db, HATAKE_CONTAINER_RUNNING);
  g_assert_cmpuint (hatake_project_get_n_running (shop), ==, 2);
  g_assert_cmpuint (running_notifies, ==, 1);
  g_assert_cmpstr (hatake_project_get_status (shop), ==, "running(2)");
  g_assert_cmpuint (services.calls, ==, 1);

  /* a second project, sorted before it */
  add (store, make_container ("api-app-1", "api", "app", "1", HATAKE_CONTAINER_RUNNING));
  g_assert_cmpuint (top.calls, ==, 1);
  g_assert_cmpuint (top.position, ==, 0);
  g_assert_cmpuint (top.added, ==, 1);
  g_assert_true (project_at (projects, 1) == shop);

  /* labels changing move a container (a client engine learns them late) */
  {
    const char *labels[] = { HATAKE_CONTAINER_PROJECT_LABEL "=shop", HATAKE_PROJECT_SERVICE_LABEL "=web",
                             HATAKE_PROJECT_NUMBER_LABEL "=2", NULL };

    hatake_container_set_labels (db, labels);
    g_assert_cmpuint (g_list_model_get_n_items (hatake_project_get_services (shop)), ==, 1);
    g_assert_cmpuint (g_list_model_get_n_items (hatake_project_service_get_containers (web)), ==, 2);
    g_assert_cmpstr (container_name_at (web, 1), ==, "shop-db-1");
  }

  /* the last containers of a project go: so does the project */
  g_list_store_remove (store, 0);   /* shop-db-1 */
  g_assert_cmpuint (hatake_project_service_get_n_running (web), ==, 1);
  g_list_store_remove (store, 0);   /* shop-web-1 */
  g_assert_cmpuint (top.calls, ==, 2);
  g_assert_cmpuint (top.position, ==, 1);
  g_assert_cmpuint (top.removed, ==, 1);
  g_assert_null (shop);             /* nothing else held it */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (projects)), ==, 1);

  g_assert_finalize_object (projects);
}

/* The model lets go of the containers it follows once it is gone, and the engine's model is
 * not kept alive past it. */
static void
test_projects_release (void)
{
  GListStore *store = g_list_store_new (HATAKE_TYPE_CONTAINER);
  HatakeContainer *c = make_container ("x-a-1", "x", "a", "1", HATAKE_CONTAINER_RUNNING);
  HatakeProjects *projects;

  g_list_store_append (store, c);
  projects = hatake_projects_new (G_LIST_MODEL (store));
  g_assert_finalize_object (projects);
  g_assert_finalize_object (store);
  /* no handler of the gone model is left on the container */
  hatake_container_mirror_state (c, HATAKE_CONTAINER_EXITED);
  g_assert_finalize_object (c);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/projects/group", test_projects_group);
  g_test_add_func ("/projects/live", test_projects_live);
  g_test_add_func ("/projects/release", test_projects_release);
  return g_test_run ();
}
