/* hatake-test-compose.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "hatake-error.h"
#include "hatake-test-compose.h"

void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("hatake-compose-XXXXXX", &error);

  g_assert_no_error (error);
  f->dir = g_build_filename (tmp, "proj", NULL);
  g_assert_cmpint (g_mkdir (f->dir, 0700), ==, 0);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *parent = g_path_get_dirname (f->dir);

  remove_tree (parent);
  g_free (f->dir);
}

void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (parent, 0700);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

const char * const no_env[] = { "HOME=/home/tester", NULL };

HatakeComposeProject *
load_data (const char          *dir,
           const char          *yaml,
           const char * const  *env,
           GError             **error)
{
  HatakeComposeOptions options = { .project_dir = dir, .environ = env ? env : no_env };

  return hatake_compose_project_load_from_data (&options, yaml, -1, "compose.yaml", error);
}

HatakeComposeProject *
load_ok (const char         *dir,
         const char         *yaml,
         const char * const *env)
{
  g_autoptr(GError) error = NULL;
  HatakeComposeProject *project = load_data (dir, yaml, env, &error);

  g_assert_no_error (error);
  g_assert_nonnull (project);
  return project;
}

void
assert_load_error (const char         *dir,
                   const char         *yaml,
                   const char * const *env,
                   const char         *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) project = load_data (dir, yaml, env, &error);

  g_assert_null (project);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, message);
}

HatakeComposeService *
service (HatakeComposeProject *project,
         const char           *name)
{
  HatakeComposeService *s = hatake_compose_project_get_service (project, name);

  g_assert_nonnull (s);
  return s;
}

void
assert_strv (GStrv       value,
             const char *first,
             ...)
{
  va_list args;
  guint i = 0;

  if (first == NULL)
    {
      g_assert_null (value);
      return;
    }
  g_assert_nonnull (value);
  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *), i++)
    {
      g_assert_nonnull (value[i]);
      g_assert_cmpstr (value[i], ==, s);
    }
  va_end (args);
  g_assert_null (value[i]);
}

void
assert_strv_empty (GStrv value)
{
  g_assert_nonnull (value);
  g_assert_null (value[0]);
}
