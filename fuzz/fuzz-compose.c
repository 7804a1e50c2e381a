/* fuzz-compose.c: a compose file, loaded and turned into everything a runner asks of it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is one compose file's text. The project folder is an empty folder of our own (no
 * .env, nothing for extends or env_file to find) and the environment a fixed one, so that a run
 * depends on the input only.
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include <glib/gstdio.h>

#include "hatake-compose-config.h"
#include "hatake-compose-project.h"
#include "hatake-fuzz.h"

static char *project_dir;
static char *tmp_root;

static void
remove_dirs (void)
{
  g_rmdir (project_dir);
  g_rmdir (tmp_root);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hatake_fuzz_init ();
  tmp_root = g_dir_make_tmp ("hatake-fuzz-compose-XXXXXX", NULL);
  g_assert (tmp_root != NULL);
  project_dir = g_build_filename (tmp_root, "project", NULL);
  g_assert (g_mkdir (project_dir, 0700) == 0);
  atexit (remove_dirs);
  return 0;
}

static void
use_project (HatakeComposeProject *project)
{
  g_autoptr(GPtrArray) order = hatake_compose_project_get_order (project);
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *yaml = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < order->len; i++)
    {
      HatakeComposeService *service = g_ptr_array_index (order, i);
      g_autofree char *name = hatake_compose_project_container_name (project, service, 1);
      g_autofree char *image = hatake_compose_project_image_name (project, service);
      g_auto(GStrv) labels = hatake_compose_project_container_labels (project, service, 1);
      g_autoptr(HatakeContainerConfig) config = hatake_compose_project_container_config (project, service, 1);

      g_assert (name != NULL && image != NULL && labels != NULL && config != NULL);
    }
  /* what `compose config` prints */
  json = hatake_compose_project_to_json (project);
  yaml = hatake_compose_json_to_yaml (json, &error);
  g_assert ((yaml != NULL) == (error == NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const environ[] = {
    "HOME=/nonexistent/home", "USER=fuzz", "TAG=1.25", "EMPTY=", "PORT=8080", "NAME=web", NULL
  };
  HatakeComposeOptions options = {
    .project_dir = project_dir,
    .environ = environ,
  };
  g_autoptr(HatakeComposeProject) project = NULL;
  g_autoptr(GError) error = NULL;
  /* the loader takes text with a length; a copy with a NUL after it keeps strlen-style code
   * inside the input too */
  g_autofree char *text = g_strndup ((const char *) data, size);

  project = hatake_compose_project_load_from_data (&options, text, (gssize) size, "compose.yaml", &error);
  g_assert ((project != NULL) == (error == NULL));
  if (project != NULL)
    use_project (project);
  return 0;
}
