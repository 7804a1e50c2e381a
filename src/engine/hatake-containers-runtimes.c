/* hatake-containers-runtimes.c: the runtimes that run the containers — the engine's own, chosen
 * at start-up, and those containers ask for with --runtime, made at first use
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"

void
_hatake_containers_set_up_runtime (HatakeContainers *self, const char *state_root, const char *socket_dir)
{
  g_autoptr(HatakeCgroupLayout) layout = hatake_cgroups_detect ("/", NULL);
  g_auto(GStrv) runtimes = hatake_cgroups_find_runtimes ();
  g_autofree char *runtime = NULL;
  g_autofree char *path = NULL;

  /* the configured one, unless this machine's cgroups cannot take it */
  if (layout != NULL &&
      hatake_cgroups_choose_runtime (layout, self->config->default_runtime, FALSE, (const char * const *) runtimes,
                                     &runtime, &self->runtime_note, NULL))
    ;
  else
    runtime = g_strdup (runtimes && runtimes[0] ? runtimes[0] : self->config->default_runtime);
  if (self->runtime_note != NULL)
    g_debug ("%s", self->runtime_note);
  self->cgroups = g_steal_pointer (&layout);
  path = g_path_is_absolute (runtime) ? g_strdup (runtime) : g_find_program_in_path (runtime);
  self->runtime = hatake_runtime_new (path ? path : runtime, state_root, "conmon", socket_dir);
}

/* The path of the runtime a container asks for with --runtime, when it can run containers on
 * this machine's cgroups; else why not, in words for people (HATAKE_ERROR_NOT_FOUND, _UNSUPPORTED) */
char *
_hatake_containers_resolve_runtime (HatakeContainers *self, const char *wanted, GError **error)
{
  g_auto(GStrv) available = hatake_cgroups_find_runtimes ();
  char *path = NULL;

  if (self->cgroups == NULL)
    {
      /* (no cgroups seen: whichever is installed) */
      g_autofree char *name = g_path_get_basename (wanted);

      for (guint i = 0; available[i] != NULL && path == NULL; i++)
        if (g_str_equal (available[i], wanted) || g_str_has_suffix (available[i], name))
          path = g_strdup (available[i]);
      if (path == NULL)
        g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                     _("The runtime %s asked for with --runtime is not installed."), wanted);
      return path;
    }
  if (!hatake_cgroups_choose_runtime (self->cgroups, wanted, TRUE, (const char * const *) available, &path, NULL,
                                      error))
    return NULL;
  return path;
}

HatakeRuntime *
_hatake_containers_runtime (HatakeContainers *self, Entry *entry)
{
  const char *wanted = entry != NULL ? entry->config->runtime : NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  HatakeRuntime *runtime;

  if (wanted == NULL || *wanted == '\0')
    return self->runtime;
  runtime = g_hash_table_lookup (self->runtimes, wanted);
  if (runtime != NULL)
    return runtime;
  path = _hatake_containers_resolve_runtime (self, wanted, &error);
  if (path == NULL)
    {
      /* (the create checked it: uninstalled since, or the cgroups changed) */
      g_warning ("%s: %s; %s runs it", hatake_container_get_name (entry->container), error->message,
                 hatake_runtime_get_name (self->runtime));
      runtime = g_object_ref (self->runtime);
    }
  else if (g_str_equal (path, hatake_runtime_get_path (self->runtime)))
    runtime = g_object_ref (self->runtime);
  else
    {
      /* its own state root: the runtimes' states are not each other's */
      g_autofree char *name = g_path_get_basename (path);
      g_autofree char *part = g_strconcat ("runtime-", name, NULL);
      g_autofree char *state_root = g_build_filename (self->run_dir, part, NULL);
      g_autofree char *socket_dir = g_build_filename (self->run_dir, "socket", NULL);

      runtime = hatake_runtime_new (path, state_root, "conmon", socket_dir);
    }
  g_hash_table_insert (self->runtimes, g_strdup (wanted), runtime);
  return runtime;
}

HatakeRuntime *
_hatake_containers_runtime_for_id (HatakeContainers *self, const char *id)
{
  return _hatake_containers_runtime (self, g_hash_table_lookup (self->entries, id));
}
