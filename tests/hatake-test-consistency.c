/* hatake-test-consistency.c: the check that ends every fault test
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-test"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hatake-core.h"
#include "hatake-digest.h"
#include "hatake-local-engine.h"
#include "hatake-test-consistency.h"

#define FAIL(...) (g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, __VA_ARGS__), FALSE)

static gboolean
is_hex_digest (const char *name)
{
  if (strlen (name) != 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* Every file under blobs/sha256 is a complete blob named by its digest. */
static gboolean
check_blob_dir (const char *root, GError **error)
{
  g_autofree char *dir_path = g_build_filename (root, "blobs", "sha256", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *digest = NULL;
      g_autoptr(GError) local = NULL;

      if (!is_hex_digest (name))
        return FAIL ("a file that is not a blob is visible in the store: %s", path);
      if (!hatake_sha256_file (path, &digest, NULL, &local))
        return FAIL ("blob %s cannot be read: %s", path, local->message);
      if (!g_str_equal (digest + strlen ("sha256:"), name))
        return FAIL ("blob %s holds bytes of %s (a partial or corrupt blob is visible)", path, digest);
    }
  return TRUE;
}

/* Every directory under layers/ is a complete layer (its diff/ and the metadata written last
 * before the rename). */
static gboolean
check_layer_dir (const char *root, GError **error)
{
  g_autofree char *dir_path = g_build_filename (root, "layers", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *diff = g_build_filename (dir_path, name, "diff", NULL);
      g_autofree char *meta = g_build_filename (dir_path, name, "layer.json", NULL);

      if (!is_hex_digest (name))
        return FAIL ("something that is not a layer is visible in the store: %s/%s", dir_path, name);
      if (!g_file_test (diff, G_FILE_TEST_IS_DIR) || !g_file_test (meta, G_FILE_TEST_IS_REGULAR))
        return FAIL ("layer %s/%s is incomplete (no diff/ or layer.json)", dir_path, name);
    }
  return TRUE;
}

static gboolean
blob_present (const char *root, const char *digest, const char *what, const char *image, GError **error)
{
  g_autofree char *path = NULL;

  if (digest == NULL || !g_str_has_prefix (digest, "sha256:") || !is_hex_digest (digest + 7))
    return FAIL ("image %s names a bad %s digest: %s", image, what, digest ? digest : "(none)");
  path = g_build_filename (root, "blobs", "sha256", digest + 7, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FAIL ("image %s: its %s %s is missing from the store", image, what, digest);
  return TRUE;
}

/* A manifest blob names its config and layers: all of them must be there (an index names
 * manifests, of which the image holds the one it pulled). */
static gboolean
check_manifest (const char *root, const char *digest, const char *image, GError **error)
{
  g_autofree char *path = g_build_filename (root, "blobs", "sha256", digest + 7, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  char first = 0;
  JsonObject *manifest;

  /* layers are blobs too: only JSON is looked into */
  if (in == NULL || g_input_stream_read (G_INPUT_STREAM (in), &first, 1, NULL, NULL) != 1 || first != '{')
    return TRUE;
  if (!json_parser_load_from_file (parser, path, &local) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FAIL ("image %s: manifest %s does not parse: %s", image, digest, local ? local->message : "not an object");
  manifest = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (manifest, "manifests"))
    return TRUE;
  if (!json_object_has_member (manifest, "schemaVersion") || !json_object_has_member (manifest, "config"))
    return TRUE;  /* an image config, not a manifest */
  if (!blob_present (root,
                     json_object_get_string_member_with_default (json_object_get_object_member (manifest, "config"),
                                                                 "digest", NULL),
                     "config", image, error))
    return FALSE;
  if (json_object_has_member (manifest, "layers"))
    {
      JsonArray *layers = json_object_get_array_member (manifest, "layers");

      for (guint i = 0; i < json_array_get_length (layers); i++)
        if (!blob_present (root,
                           json_object_get_string_member_with_default (json_array_get_object_element (layers, i),
                                                                       "digest", NULL),
                           "layer blob", image, error))
          return FALSE;
    }
  return TRUE;
}

static gboolean
check_images (const char *root, GError **error)
{
  g_autofree char *index = g_build_filename (root, "images.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  JsonArray *images;

  if (!g_file_test (index, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!json_parser_load_from_file (parser, index, &local) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FAIL ("%s does not parse: %s", index, local ? local->message : "not an object");
  images = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "images");
  for (guint i = 0; images != NULL && i < json_array_get_length (images); i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);
      const char *id = json_object_get_string_member_with_default (image, "id", NULL);
      const char *manifest = json_object_get_string_member_with_default (image, "manifest", NULL);
      JsonArray *blobs = json_object_get_array_member (image, "blobs");
      JsonArray *layers = json_object_get_array_member (image, "layers");

      if (!blob_present (root, id, "config", id ? id : "?", error) ||
          !blob_present (root, manifest, "manifest", id, error))
        return FALSE;
      for (guint j = 0; blobs != NULL && j < json_array_get_length (blobs); j++)
        {
          const char *blob = json_array_get_string_element (blobs, j);

          if (!blob_present (root, blob, "blob", id, error) || !check_manifest (root, blob, id, error))
            return FALSE;
        }
      for (guint j = 0; layers != NULL && j < json_array_get_length (layers); j++)
        {
          const char *chain = json_array_get_string_element (layers, j);
          g_autofree char *diff = g_build_filename (root, "layers", chain + strlen ("sha256:"), "diff", NULL);

          if (!g_file_test (diff, G_FILE_TEST_IS_DIR))
            return FAIL ("image %s: its layer %s is not unpacked in the store", id, chain);
        }
    }
  return TRUE;
}

/* ---- containers ---------------------------------------------------------------------------- */

/* A live process (not a zombie) that belongs to the container: in its cgroup (/hatake/<id>). */
static gboolean
container_process_alive (int pid, const char *id)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *cgroup_path = g_strdup_printf ("/proc/%d/cgroup", pid);
  g_autofree char *stat = NULL, *cgroup = NULL;
  const char *end;

  if (pid <= 0 || !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
      !g_file_get_contents (cgroup_path, &cgroup, NULL, NULL))
    return FALSE;
  end = strrchr (stat, ')');
  if (end == NULL || end[1] == '\0' || end[2] == 'Z')
    return FALSE;
  return strstr (cgroup, id) != NULL;
}

/* Any process whose command line names conmon and the container. */
static gboolean
conmon_alive (const char *id)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL, *cmdline = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "cmdline", NULL);
      if (!g_file_get_contents (path, &cmdline, &length, NULL) || length == 0)
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (g_str_has_suffix (strtok (cmdline, " "), "conmon") && strstr (cmdline + strlen (cmdline) + 1, id) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* A mount point under prefix (a container's folder, its network namespace file). */
static char *
find_mount_under (const char *prefix)
{
  g_autofree char *mountinfo = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    return NULL;
  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);

      if (g_strv_length (fields) >= 5 && g_str_has_prefix (fields[4], prefix))
        return g_strdup (fields[4]);
    }
  return NULL;
}

static gboolean
check_container (const char       *root,
                 const char       *run_dir,
                 HatakeContainer  *container,
                 gboolean          allow_dead,
                 GPtrArray        *no_conmon,
                 GError          **error)
{
  const char *id = hatake_container_get_id (container);
  const char *name = hatake_container_get_name (container);
  HatakeContainerState state = hatake_container_get_state (container);
  const char *state_name = hatake_container_state_to_string (state);
  g_autofree char *config = g_build_filename (root, "containers", id, "config.json", NULL);
  g_autofree char *dir = g_build_filename (root, "containers", id, "", NULL);
  g_autofree char *netns = g_build_filename (run_dir, "netns", id, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *mount = NULL;
  gboolean live;

  if (!json_parser_load_from_file (parser, config, &local))
    return FAIL ("container %s (%s): its config cannot be read: %s", name, id, local->message);
  switch (state)
    {
    case HATAKE_CONTAINER_CREATED:
    case HATAKE_CONTAINER_EXITED:
      live = FALSE;
      break;
    case HATAKE_CONTAINER_RUNNING:
    case HATAKE_CONTAINER_PAUSED:
      live = TRUE;
      break;
    case HATAKE_CONTAINER_DEAD:
      if (!allow_dead)
        return FAIL ("container %s (%s) is dead after recovery", name, id);
      live = FALSE;
      break;
    case HATAKE_CONTAINER_RESTARTING:
    case HATAKE_CONTAINER_REMOVING:
    case HATAKE_CONTAINER_REMOVED:
    default:
      return FAIL ("container %s (%s) is left %s after recovery", name, id, state_name);
    }
  if (live)
    {
      if (!conmon_alive (id))
        return FAIL ("container %s (%s) is %s, but its conmon is gone", name, id, state_name);
      if (!container_process_alive (hatake_container_get_pid (container), id))
        return FAIL ("container %s (%s) is %s, but its process %d is not", name, id, state_name,
                     hatake_container_get_pid (container));
      return TRUE;
    }
  /* its conmon: checked once the engine is gone (see below) */
  g_ptr_array_add (no_conmon, g_strdup_printf ("%s (%s) is %s", id, name, state_name));
  if (container_process_alive (hatake_container_get_pid (container), id))
    return FAIL ("container %s (%s) is %s, but its process %d still runs", name, id, state_name,
                 hatake_container_get_pid (container));
  if ((mount = find_mount_under (dir)) != NULL)
    return FAIL ("container %s (%s) is %s, but %s is still mounted", name, id, state_name, mount);
  if (g_file_test (netns, G_FILE_TEST_EXISTS))
    return FAIL ("container %s (%s) is %s, but its network namespace %s is left", name, id, state_name, netns);
  return TRUE;
}

/* ---- the engine ---------------------------------------------------------------------------- */

static void
keep_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static HatakeLocalEngine *
open_engine (const char *data_root, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  g_autoptr(HatakeConfig) config = hatake_config_new_default ();

  /* conmon's exit command (`hatake system recover`) may hold the lock for a moment */
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      HatakeLocalEngine *engine = hatake_local_engine_new (data_root, config, &local);

      if (engine != NULL)
        return engine;
      if (!g_error_matches (local, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED) || g_get_monotonic_time () > deadline)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local), "the data root does not open: ");
          return NULL;
        }
      g_usleep (50 * 1000);
    }
}

gboolean
hatake_test_check_consistency (const char  *data_root,
                               gboolean     allow_dead,
                               GError     **error)
{
  g_autoptr(HatakeLocalEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) no_conmon = g_ptr_array_new_with_free_func (g_free);
  GListModel *containers;
  gboolean ok = TRUE;

  g_return_val_if_fail (data_root != NULL, FALSE);

  engine = open_engine (data_root, error);
  if (engine == NULL)
    return FALSE;
  hatake_local_engine_set_healthchecks (engine, FALSE);
  hatake_local_engine_recover_async (engine, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!hatake_local_engine_recover_finish (engine, result, &local))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "recovery fails: ");
      ok = FALSE;
    }

  ok = ok && check_blob_dir (data_root, error) && check_layer_dir (data_root, error) && check_images (data_root, error);

  containers = hatake_engine_get_containers (HATAKE_ENGINE (engine));
  for (guint i = 0; ok && i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(HatakeContainer) container = g_list_model_get_item (containers, i);

      ok = check_container (data_root, hatake_local_engine_get_run_dir (engine), container, allow_dead, no_conmon,
                            error);
    }
  if (ok)
    g_debug ("%s: consistent (%u containers)", data_root, g_list_model_get_n_items (containers));

  /* tasks finished in worker threads drop their references a moment after their callbacks ran */
  for (guint i = 0; G_OBJECT (engine)->ref_count > 1 && i < 5000; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
  g_clear_object (&engine);

  /* A conmon whose container was killed (an interrupted start undone) runs its exit command,
   * `hatake system recover`, which waits for the data root's lock: it goes once the engine
   * above is gone. */
  for (guint i = 0; ok && i < no_conmon->len; i++)
    {
      g_autofree char *id = g_strndup (g_ptr_array_index (no_conmon, i), 64);

      for (guint j = 0; j < 200 && conmon_alive (id); j++)
        g_usleep (50 * 1000);
      if (conmon_alive (id))
        ok = FAIL ("container %s, but its conmon still runs", (char *) g_ptr_array_index (no_conmon, i));
    }
  return ok;
}
