/* hatake-test-utils.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "hatake-layer.h"
#include "hatake-test-utils.h"

static gboolean
under_ci (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0;
}

gboolean
hatake_test_require_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value != NULL && *value != '\0')
    return TRUE;
  if (under_ci ())
    g_error ("%s is not set: CI must start the test services (build-aux/test-services.sh)", name);
  g_test_skip_printf ("%s is not set: start build-aux/test-services.sh", name);
  return FALSE;
}

gboolean
hatake_test_require_root (void)
{
  if (geteuid () == 0)
    return TRUE;
  if (under_ci ())
    g_error ("CI runs as root, but this test runs as uid %d", (int) geteuid ());
  g_test_skip ("needs root");
  return FALSE;
}

static JsonParser *fixtures_parser;

JsonObject *
hatake_test_fixture (const char *reference)
{
  g_autoptr(GError) error = NULL;
  JsonObject *fixtures;

  if (fixtures_parser == NULL)
    {
      fixtures_parser = json_parser_new ();
      if (!json_parser_load_from_file (fixtures_parser, g_getenv ("HATAKE_TEST_FIXTURES"), &error))
        g_error ("Cannot load the fixtures: %s", error->message);
    }
  fixtures = json_object_get_object_member (json_node_get_object (json_parser_get_root (fixtures_parser)),
                                            "fixtures");
  g_assert_true (json_object_has_member (fixtures, reference));
  return json_object_get_object_member (fixtures, reference);
}

char *
hatake_test_registry_ref (const char *reference)
{
  return g_strconcat (g_getenv ("HATAKE_TEST_REGISTRY"), "/", reference, NULL);
}

char *
hatake_test_make_data_root (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("hatake-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* conmon's exit command (`hatake system recover`) may still be busy in a data root when a test
 * is done with it: move the root aside first, so a late one finds no store, then remove it,
 * giving one that is inside a moment to finish. */
void
hatake_test_remove_tree (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *aside = g_strdup_printf ("%s.removing-%08x", path, g_random_int ());

  if (rename (path, aside) != 0)
    {
      g_free (aside);
      aside = g_strdup (path);
    }
  for (guint i = 0; i < 100; i++)
    {
      g_clear_error (&error);
      if (hatake_rm_rf (aside, &error))
        return;
      g_usleep (50 * 1000);
    }
  g_warning ("Cannot remove %s: %s", aside, error->message);
}

HatakeEngine *
hatake_test_engine_new (const char   *data_root,
                        HatakeConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeConfig) defaults = hatake_config_new_default ();
  HatakeLocalEngine *engine = hatake_local_engine_new (data_root, config ? config : defaults, &error);

  g_assert_no_error (error);
  return HATAKE_ENGINE (engine);
}

/* What is pending in the main context, then a millisecond for the threads */
static void
spin_a_moment (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_usleep (1000);
}

/* Until ENGINE's work begun in the background has ended: a removed container's network
 * teardown runs on the networks' thread after the removal's answer, and a test that drops its
 * engine right after would end the process in the middle of it (netns mounts left behind). */
void
hatake_test_settle_engine (HatakeEngine *engine)
{
  g_autoptr(GAsyncResult) settled = NULL;

  hatake_local_engine_settle_async (HATAKE_LOCAL_ENGINE (engine), NULL, hatake_test_keep_result, &settled);
  hatake_test_run_until_done ((gpointer *) &settled);
  g_assert_true (hatake_local_engine_settle_finish (HATAKE_LOCAL_ENGINE (engine), settled, NULL));
}

/* Tasks finished in a worker thread drop their last reference (and so the engine's, or its
 * store's) there, a moment after their callback ran here: wait for them, within bounds, so that
 * the engine is gone and DATA_ROOT's lock free when this returns. Settles the engine first. */
void
hatake_test_drop_engine (HatakeEngine **engine,
                         const char    *data_root)
{
  g_autofree char *lock = g_build_filename (data_root, "lock", NULL);
  int fd;

  hatake_test_settle_engine (*engine);
  for (guint i = 0; G_OBJECT (*engine)->ref_count > 1 && i < 5000; i++)
    spin_a_moment ();
  g_assert_finalize_object (g_steal_pointer (engine));
  fd = open (lock, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  for (guint i = 0; flock (fd, LOCK_EX | LOCK_NB) != 0 && i < 5000; i++)
    spin_a_moment ();
  close (fd);
}

void
hatake_test_keep_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
hatake_test_run_until_done (gpointer *result_slot)
{
  while (*result_slot == NULL)
    g_main_context_iteration (NULL, TRUE);
}

HatakeImage *
hatake_test_pull (HatakeEngine  *engine,
                  const char    *reference,
                  const char    *platform,
                  HatakePull    *progress,
                  GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_pull_async (engine, reference, platform, progress, NULL, hatake_test_keep_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  return hatake_engine_pull_finish (engine, result, error);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
snapshot_dir (GString *out, const char *root, const char *rel)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (out, "%s/%s\n", rel, (char *) g_ptr_array_index (names, i));
}

/* What a failed operation must leave exactly as it was: the visible store (not tmp/, where
 * partial downloads may stay to be resumed). */
char *
hatake_test_snapshot_store (const char *data_root)
{
  GString *out = g_string_new (NULL);
  g_autofree char *images = g_build_filename (data_root, "images.json", NULL);
  g_autofree char *contents = NULL;

  snapshot_dir (out, data_root, "blobs/sha256");
  snapshot_dir (out, data_root, "layers");
  snapshot_dir (out, data_root, "l");
  if (g_file_get_contents (images, &contents, NULL, NULL))
    g_string_append (out, contents);
  return g_string_free (out, FALSE);
}

char *
hatake_test_network_subnet (JsonNode *network)
{
  JsonObject *ipam = json_object_get_object_member (json_node_get_object (network), "IPAM");
  JsonObject *config = json_array_get_object_element (json_object_get_array_member (ipam, "Config"), 0);

  return g_strdup (json_object_get_string_member (config, "Subnet"));
}

char *
hatake_test_netns_dir (const char *data_root)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, data_root, -1);

  return g_strdup_printf ("/run/hatake/%.12s/netns", hash);
}

guint
hatake_test_count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

GHashTable *
hatake_test_spares (const char *data_root,
                    gboolean    ready)
{
  g_autofree char *path = g_build_filename (data_root, "networks", "bridge.json", NULL);
  g_autofree char *dir = hatake_test_netns_dir (data_root);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GHashTable *found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObject *containers;
  g_autoptr(GList) ids = NULL;

  if (!json_parser_load_from_file (parser, path, NULL))
    return found;
  containers = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "Containers");
  ids = json_object_get_members (containers);
  for (GList *l = ids; l != NULL; l = l->next)
    {
      JsonObject *entry = json_object_get_object_member (containers, l->data);
      g_autofree char *file = g_strconcat (l->data, ".ready", NULL);
      g_autofree char *marker = g_build_filename (dir, file, NULL);
      g_auto(GStrv) address = g_strsplit (json_object_get_string_member (entry, "IPv4Address"), "/", 2);

      if (g_str_has_prefix (l->data, "hatake-spare-") && (!ready || g_file_test (marker, G_FILE_TEST_EXISTS)))
        g_hash_table_insert (found, g_strdup (l->data), g_strdup (address[0]));
    }
  return found;
}

GHashTable *
hatake_test_wait_spares (const char *data_root,
                         guint       count)
{
  GHashTable *found = NULL;

  for (guint i = 0; i < 300; i++)
    {
      g_clear_pointer (&found, g_hash_table_unref);
      found = hatake_test_spares (data_root, TRUE);
      if (g_hash_table_size (found) == count)
        break;
      g_usleep (50 * 1000);
    }
  g_assert_cmpuint (g_hash_table_size (found), ==, count);
  return found;
}

void
hatake_test_blocker_init (HatakeTestBlocker *blocker)
{
  *blocker = (HatakeTestBlocker) { 0 };
  g_mutex_init (&blocker->lock);
  g_cond_init (&blocker->cond);
}

void
hatake_test_blocker_clear (HatakeTestBlocker *blocker)
{
  g_mutex_clear (&blocker->lock);
  g_cond_clear (&blocker->cond);
}

void
hatake_test_blocker_thread (GTask        *task,
                            gpointer      source,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  HatakeTestBlocker *blocker = task_data;

  g_mutex_lock (&blocker->lock);
  blocker->running = TRUE;
  g_cond_broadcast (&blocker->cond);
  while (!blocker->released)
    g_cond_wait (&blocker->cond, &blocker->lock);
  g_mutex_unlock (&blocker->lock);
  g_task_return_boolean (task, TRUE);
}

void
hatake_test_blocker_wait (HatakeTestBlocker *blocker)
{
  g_mutex_lock (&blocker->lock);
  while (!blocker->running)
    g_cond_wait (&blocker->cond, &blocker->lock);
  g_mutex_unlock (&blocker->lock);
}

void
hatake_test_blocker_release (HatakeTestBlocker *blocker)
{
  g_mutex_lock (&blocker->lock);
  blocker->released = TRUE;
  g_cond_broadcast (&blocker->cond);
  g_mutex_unlock (&blocker->lock);
}
