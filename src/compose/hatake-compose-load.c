/* hatake-compose-load.c: from compose files to a HatakeComposeProject
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The order is compose's: the environment (this process's over the project's .env), the files
 * (-f, COMPOSE_FILE or the default lookup), each parsed and interpolated on its own, merged in
 * order; then the project's name, extends, the top-level networks, volumes, secrets and configs,
 * the services, their dependencies (no cycle), and the profiles.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hatake-compose-project-private.h"
#include "hatake-error.h"

static const char * const default_files[] = {
  "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml", NULL
};
static const char * const override_files[] = {
  "compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml",
  "docker-compose.override.yml", NULL
};
static const char * const top_fields[] = {
  "version", "name", "services", "networks", "volumes", "secrets", "configs", NULL
};

typedef struct
{
  HatakeComposeEnv      env;
  HatakeComposeContext  ctx;
  char                 *home;
  gboolean              version_warned;
} Loader;

static void
loader_clear (Loader *l)
{
  g_clear_pointer (&l->env.vars, g_hash_table_unref);
  g_clear_pointer (&l->env.warned, g_hash_table_unref);
  g_clear_pointer (&l->env.warnings, g_ptr_array_unref);
  g_clear_pointer (&l->ctx.services, g_hash_table_unref);
  g_clear_pointer (&l->ctx.networks, g_hash_table_unref);
  g_clear_pointer (&l->ctx.volumes, g_hash_table_unref);
  g_clear_pointer (&l->ctx.secrets, g_hash_table_unref);
  g_clear_pointer (&l->ctx.configs, g_hash_table_unref);
  g_clear_pointer (&l->home, g_free);
}

/* One file: parsed, its top level checked, interpolated. */
static HatakeComposeNode *
load_file (Loader      *l,
           const char  *data,
           gsize        length,
           const char  *display,
           const char  *dir,
           GError     **error)
{
  g_autoptr(HatakeComposeNode) root = _hatake_compose_yaml_parse (data, length, display, dir, error);
  HatakeComposeNode *version;

  if (root == NULL)
    return NULL;
  if (root->kind != HATAKE_COMPOSE_NODE_MAPPING)
    {
      _hatake_compose_set_error (error, root, NULL, _("expected a mapping (services:, networks:, …) at the top of the file"));
      return NULL;
    }
  if (_hatake_compose_node_lookup (root, "include") != NULL)
    {
      HatakeComposeNode *key = NULL;
      for (guint i = 0; i < _hatake_compose_node_n_pairs (root); i++)
        if (g_str_equal (_hatake_compose_node_key (root, i)->value, "include"))
          key = _hatake_compose_node_key (root, i);
      _hatake_compose_set_error (error, key, NULL, _("include is not supported yet: merge the files with -f instead"));
      return NULL;
    }
  if (!_hatake_compose_check_keys (root, NULL, top_fields, error))
    return NULL;
  version = _hatake_compose_node_lookup (root, "version");
  if (version != NULL && !l->version_warned)
    {
      g_autofree char *where = _hatake_compose_where (version);

      g_ptr_array_add (l->ctx.warnings, g_strdup_printf (_("%s: version: the attribute is obsolete, ignored"), where));
      l->version_warned = TRUE;
    }
  if (!_hatake_compose_interpolate (root, &l->env, error))
    return NULL;
  return g_steal_pointer (&root);
}

static HatakeComposeNode *
read_file (Loader      *l,
           const char  *abs,
           const char  *display,
           GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *dir = g_path_get_dirname (abs);
  gsize length = 0;

  if (!g_file_get_contents (abs, &data, &length, error))
    return NULL;
  return load_file (l, data, length, display, dir, error);
}

/* ---- extends ----------------------------------------------------------------------------- */

static gboolean resolve_extends (Loader            *l,
                                 HatakeComposeNode *services,
                                 const char        *tree,
                                 const char        *name,
                                 GPtrArray         *stack,
                                 GError           **error);

static char *
loop_text (GPtrArray  *stack,
           const char *last)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < stack->len; i++)
    {
      const char *entry = g_ptr_array_index (stack, i);
      g_string_append_printf (s, "%s → ", strchr (entry, '#') + 1);
    }
  g_string_append (s, strchr (last, '#') + 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
resolve_extends (Loader            *l,
                 HatakeComposeNode *services,
                 const char        *tree,
                 const char        *name,
                 GPtrArray         *stack,
                 GError           **error)
{
  static const char * const fields[] = { "service", "file", NULL };
  HatakeComposeNode *node = _hatake_compose_node_lookup (services, name);
  HatakeComposeNode *ext = _hatake_compose_node_lookup (node, "extends");
  g_autofree char *path = g_strdup_printf ("services.%s.extends", name);
  g_autofree char *id = g_strdup_printf ("%s#%s", tree, name);
  g_autofree char *merge_path = g_strdup_printf ("services\n%s", name);
  HatakeComposeNode *service_node, *file_node = NULL;
  g_autoptr(HatakeComposeNode) other = NULL;
  g_autoptr(HatakeComposeNode) local = NULL;
  HatakeComposeNode *base_services = services;
  g_autofree char *base_tree = g_strdup (tree);
  HatakeComposeNode *key_node = NULL;
  gboolean ok;

  if (node == NULL || node->kind != HATAKE_COMPOSE_NODE_MAPPING || ext == NULL)
    return TRUE;
  for (guint i = 0; i < stack->len; i++)
    if (g_str_equal (g_ptr_array_index (stack, i), id))
      {
        g_autofree char *text = loop_text (stack, id);
        _hatake_compose_set_error (error, ext, path, _("extends loop: %s"), text);
        return FALSE;
      }
  if (ext->kind == HATAKE_COMPOSE_NODE_SCALAR && !_hatake_compose_node_is_null (ext))
    service_node = ext;
  else
    {
      if (!_hatake_compose_check_keys (ext, path, fields, error))
        return FALSE;
      service_node = _hatake_compose_node_lookup (ext, "service");
      file_node = _hatake_compose_node_lookup (ext, "file");
      if (service_node == NULL)
        {
          _hatake_compose_set_error (error, ext, path, _("extends needs the service to extend"));
          return FALSE;
        }
      {
        g_autofree char *sp = g_strdup_printf ("%s.service", path);
        g_autofree char *fp = g_strdup_printf ("%s.file", path);

        if (!_hatake_compose_expect (service_node, HATAKE_COMPOSE_NODE_SCALAR, sp, error) ||
            (file_node != NULL && !_hatake_compose_expect (file_node, HATAKE_COMPOSE_NODE_SCALAR, fp, error)))
          return FALSE;
      }
    }
  if (file_node != NULL)
    {
      g_autofree char *abs = _hatake_compose_resolve_path (file_node, file_node->value, l->home);

      other = read_file (l, abs, file_node->value, error);
      if (other == NULL)
        {
          if (error != NULL && *error != NULL && (*error)->domain != HATAKE_ERROR)
            {
              g_autofree char *where = _hatake_compose_where (file_node);
              g_prefix_error (error, "%s: %s: ", where, path);
            }
          return FALSE;
        }
      base_services = _hatake_compose_node_lookup (other, "services");
      g_free (base_tree);
      base_tree = g_steal_pointer (&abs);
    }
  if (_hatake_compose_node_lookup (base_services, service_node->value) == NULL)
    {
      _hatake_compose_set_error (error, service_node, path, _("extends the undefined service “%s”"), service_node->value);
      return FALSE;
    }
  g_ptr_array_add (stack, g_strdup (id));
  ok = resolve_extends (l, base_services, base_tree, service_node->value, stack, error);
  g_free (g_ptr_array_steal_index (stack, stack->len - 1));
  if (!ok)
    return FALSE;

  local = _hatake_compose_node_copy (node);
  _hatake_compose_node_remove (local, "extends");
  for (guint i = 0; i < _hatake_compose_node_n_pairs (services); i++)
    if (_hatake_compose_node_val (services, i) == node)
      key_node = _hatake_compose_node_key (services, i);
  {
    HatakeComposeNode *base = _hatake_compose_node_copy (_hatake_compose_node_lookup (base_services, service_node->value));
    HatakeComposeNode *merged;

    if (base->kind != HATAKE_COMPOSE_NODE_MAPPING)
      {
        _hatake_compose_node_free (base);
        return TRUE;   /* the service's own check says what is wrong with it */
      }
    merged = _hatake_compose_merge (base, g_steal_pointer (&local), merge_path);
    _hatake_compose_node_set (services, name, key_node, merged);
  }
  return TRUE;
}

/* ---- names ------------------------------------------------------------------------------- */

static char *
normalize_name (const char *text)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      char c = g_ascii_tolower (*p);

      if (g_ascii_isalnum (c) || ((c == '_' || c == '-') && s->len > 0))
        g_string_append_c (s, c);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

gboolean
hatake_compose_project_name_is_valid (const char *name)
{
  g_return_val_if_fail (name != NULL, FALSE);

  if (!g_ascii_islower (name[0]) && !g_ascii_isdigit (name[0]))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
choose_name (HatakeComposeProject       *self,
             const HatakeComposeOptions *options,
             Loader                     *l,
             HatakeComposeNode          *root,
             GError                    **error)
{
  const char *env_name = g_hash_table_lookup (l->env.vars, "COMPOSE_PROJECT_NAME");
  HatakeComposeNode *name_node = _hatake_compose_node_lookup (root, "name");

  if (options->project_name != NULL)
    self->name = g_strdup (options->project_name);
  else if (env_name != NULL && env_name[0] != '\0')
    self->name = g_strdup (env_name);
  else if (name_node != NULL && !_hatake_compose_node_is_null (name_node))
    {
      if (!_hatake_compose_expect (name_node, HATAKE_COMPOSE_NODE_SCALAR, "name", error))
        return FALSE;
      if (!hatake_compose_project_name_is_valid (name_node->value))
        {
          _hatake_compose_set_error (error, name_node, "name", _("“%s” is not a valid project name: it must hold only "
                                                                  "lowercase letters, digits, _ and -, and start with "
                                                                  "a letter or a digit"), name_node->value);
          return FALSE;
        }
      self->name = g_strdup (name_node->value);
      return TRUE;
    }
  else
    {
      g_autofree char *base = g_path_get_basename (self->dir);

      self->name = normalize_name (base);
      if (self->name[0] == '\0')
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
                       _("the folder name “%s” makes no project name: give one with -p or name:"), base);
          return FALSE;
        }
      return TRUE;
    }
  if (!hatake_compose_project_name_is_valid (self->name))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
                   _("“%s” is not a valid project name: it must hold only lowercase letters, digits, _ and -, "
                     "and start with a letter or a digit"), self->name);
      return FALSE;
    }
  return TRUE;
}

/* ---- environment ------------------------------------------------------------------------- */

static GHashTable *
environ_table (const char * const *envp)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) own = envp == NULL ? g_get_environ () : NULL;

  if (envp == NULL)
    envp = (const char * const *) own;
  for (guint i = 0; envp[i] != NULL; i++)
    {
      const char *eq = strchr (envp[i], '=');

      if (eq != NULL && eq != envp[i])
        g_hash_table_replace (table, g_strndup (envp[i], (gsize) (eq - envp[i])), g_strdup (eq + 1));
    }
  return table;
}

/* The project's .env under the environment: what ${…} and bare environment keys see. */
static gboolean
read_dotenv (Loader      *l,
             const char  *dir,
             GHashTable  *process,
             GError     **error)
{
  g_autofree char *path = g_build_filename (dir, ".env", NULL);
  g_autofree char *data = NULL;
  gsize length = 0;
  GHashTableIter iter;
  gpointer k, v;

  l->env.vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (g_file_get_contents (path, &data, &length, NULL) &&
      !_hatake_compose_dotenv_parse (data, length, ".env", l->env.vars, NULL, process, error))
    return FALSE;
  g_hash_table_iter_init (&iter, process);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_hash_table_replace (l->env.vars, g_strdup (k), g_strdup (v));
  return TRUE;
}

/* ---- the files --------------------------------------------------------------------------- */

static gboolean
find_files (HatakeComposeProject       *self,
            const HatakeComposeOptions *options,
            Loader                     *l,
            GPtrArray                  *abs,
            GPtrArray                  *display,
            GError                    **error)
{
  const char *compose_file = g_hash_table_lookup (l->env.vars, "COMPOSE_FILE");
  g_auto(GStrv) from_env = NULL;
  const char * const *files = options->files;

  if (files == NULL && compose_file != NULL && compose_file[0] != '\0')
    files = (const char * const *) (from_env = g_strsplit (compose_file, ":", -1));
  if (files != NULL)
    {
      for (guint i = 0; files[i] != NULL; i++)
        {
          if (files[i][0] == '\0')
            continue;
          g_ptr_array_add (abs, g_canonicalize_filename (files[i], self->dir));
          g_ptr_array_add (display, g_strdup (files[i]));
        }
      if (abs->len > 0)
        return TRUE;
    }
  for (guint i = 0; default_files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (self->dir, default_files[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_ptr_array_add (abs, g_steal_pointer (&path));
          g_ptr_array_add (display, g_strdup (default_files[i]));
          break;
        }
    }
  if (abs->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("no compose file in %s (compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml)"),
                   self->dir);
      return FALSE;
    }
  for (guint i = 0; override_files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (self->dir, override_files[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_ptr_array_add (abs, g_steal_pointer (&path));
          g_ptr_array_add (display, g_strdup (override_files[i]));
          break;
        }
    }
  return TRUE;
}

/* ---- dependencies ------------------------------------------------------------------------ */

static gboolean
find_cycle (GHashTable   *by_name,
            const char   *name,
            GHashTable   *state,      /* name → 1 visiting, 2 done */
            GPtrArray    *stack,
            GPtrArray   **cycle)
{
  HatakeComposeService *s = g_hash_table_lookup (by_name, name);
  guint st = GPOINTER_TO_UINT (g_hash_table_lookup (state, name));

  if (st == 2 || s == NULL)
    return FALSE;
  if (st == 1)
    {
      guint start = 0;

      while (!g_str_equal (g_ptr_array_index (stack, start), name))
        start++;
      *cycle = g_ptr_array_new ();
      for (guint i = start; i < stack->len; i++)
        g_ptr_array_add (*cycle, g_ptr_array_index (stack, i));
      g_ptr_array_add (*cycle, (gpointer) name);
      return TRUE;
    }
  g_hash_table_insert (state, (gpointer) name, GUINT_TO_POINTER (1));
  g_ptr_array_add (stack, (gpointer) name);
  for (guint i = 0; i < s->depends_on->len; i++)
    if (find_cycle (by_name, ((HatakeComposeDependency *) g_ptr_array_index (s->depends_on, i))->service,
                    state, stack, cycle))
      return TRUE;
  g_ptr_array_remove_index (stack, stack->len - 1);
  g_hash_table_insert (state, (gpointer) name, GUINT_TO_POINTER (2));
  return FALSE;
}

static gboolean
check_cycles (GPtrArray          *services,
              HatakeComposeNode  *services_node,
              GError            **error)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) state = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  for (guint i = 0; i < services->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (services, i);
      g_hash_table_insert (by_name, s->name, s);
    }
  for (guint i = 0; i < services->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (services, i);
      g_autoptr(GPtrArray) cycle = NULL;

      if (find_cycle (by_name, s->name, state, stack, &cycle))
        {
          g_autoptr(GString) text = g_string_new (NULL);
          const char *first = g_ptr_array_index (cycle, 0);
          HatakeComposeNode *node = _hatake_compose_node_lookup (services_node, first);
          HatakeComposeNode *where = _hatake_compose_node_lookup (node, "depends_on");
          g_autofree char *path = g_strdup_printf ("services.%s", first);

          for (guint j = 0; j < cycle->len; j++)
            g_string_append_printf (text, "%s%s", j ? " → " : "", (const char *) g_ptr_array_index (cycle, j));
          if (where == NULL)
            where = _hatake_compose_node_lookup (node, "links");
          if (where == NULL)
            where = _hatake_compose_node_lookup (node, "network_mode");
          _hatake_compose_set_error (error, where ? where : node, path, _("dependency cycle: %s"), text->str);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
profile_enabled (HatakeComposeService *s,
                 GStrv                 profiles)
{
  if (s->profiles == NULL || s->profiles[0] == NULL)
    return TRUE;
  if (g_strv_contains ((const char * const *) profiles, "*"))
    return TRUE;
  for (guint i = 0; s->profiles[i] != NULL; i++)
    if (g_strv_contains ((const char * const *) profiles, s->profiles[i]))
      return TRUE;
  return FALSE;
}

static void
activate (GHashTable *by_name,
          GHashTable *active,
          const char *name)
{
  HatakeComposeService *s = g_hash_table_lookup (by_name, name);

  if (s == NULL || g_hash_table_contains (active, name))
    return;
  g_hash_table_add (active, s->name);
  for (guint i = 0; i < s->depends_on->len; i++)
    activate (by_name, active, ((HatakeComposeDependency *) g_ptr_array_index (s->depends_on, i))->service);
}

static int
compare_services (gconstpointer a,
                  gconstpointer b)
{
  return strcmp ((*(HatakeComposeService * const *) a)->name, (*(HatakeComposeService * const *) b)->name);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Active services (profiles, named ones and what they depend on), sorted; the rest's names. */
static gboolean
apply_profiles (HatakeComposeProject       *self,
                const HatakeComposeOptions *options,
                Loader                     *l,
                GPtrArray                  *all,
                GError                    **error)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) active = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) disabled = g_ptr_array_new ();
  g_auto(GStrv) profiles = NULL;
  const char *env_profiles = g_hash_table_lookup (l->env.vars, "COMPOSE_PROFILES");

  if (options->profiles != NULL)
    profiles = g_strdupv ((char **) options->profiles);
  else if (env_profiles != NULL && env_profiles[0] != '\0')
    {
      profiles = g_strsplit (env_profiles, ",", -1);
      for (guint i = 0; profiles[i] != NULL; i++)
        g_strstrip (profiles[i]);
    }
  else
    profiles = g_new0 (char *, 1);

  for (guint i = 0; i < all->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (all, i);
      g_hash_table_insert (by_name, s->name, s);
    }
  for (guint i = 0; options->services != NULL && options->services[i] != NULL; i++)
    if (!g_hash_table_contains (by_name, options->services[i]))
      {
        g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, _("no such service: %s"), options->services[i]);
        return FALSE;
      }
    else
      activate (by_name, active, options->services[i]);
  for (guint i = 0; i < all->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (all, i);
      if (profile_enabled (s, profiles))
        activate (by_name, active, s->name);
    }
  self->services = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_service_free);
  while (all->len > 0)
    {
      HatakeComposeService *s = g_ptr_array_steal_index (all, 0);

      if (g_hash_table_contains (active, s->name))
        g_ptr_array_add (self->services, s);
      else
        {
          g_ptr_array_add (disabled, g_strdup (s->name));
          _hatake_compose_service_free (s);
        }
    }
  g_ptr_array_sort (self->services, compare_services);
  g_ptr_array_sort (disabled, compare_strings);
  g_ptr_array_add (disabled, NULL);
  self->disabled = (GStrv) g_ptr_array_free (g_steal_pointer (&disabled), FALSE);
  return TRUE;
}

/* Only what the active services use is the project's to create. */
static void
keep_used (HatakeComposeProject *self,
           GPtrArray            *networks,
           GPtrArray            *volumes)
{
  g_autoptr(GHashTable) used_networks = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) used_volumes = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->services->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (self->services, i);

      for (guint j = 0; j < s->networks->len; j++)
        g_hash_table_add (used_networks, ((HatakeComposeServiceNetwork *) g_ptr_array_index (s->networks, j))->name);
      for (guint j = 0; j < s->volumes->len; j++)
        {
          HatakeComposeMount *m = g_ptr_array_index (s->volumes, j);
          if (m->type == HATAKE_COMPOSE_MOUNT_VOLUME && m->source != NULL)
            g_hash_table_add (used_volumes, m->source);
        }
    }
  self->networks = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_network_free);
  self->volumes = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_volume_free);
  while (networks->len > 0)
    {
      HatakeComposeNetwork *n = g_ptr_array_steal_index (networks, 0);

      if (g_hash_table_contains (used_networks, n->key))
        g_ptr_array_add (self->networks, n);
      else
        _hatake_compose_network_free (n);
    }
  while (volumes->len > 0)
    {
      HatakeComposeVolume *v = g_ptr_array_steal_index (volumes, 0);

      if (g_hash_table_contains (used_volumes, v->key))
        g_ptr_array_add (self->volumes, v);
      else
        _hatake_compose_volume_free (v);
    }
}

static GHashTable *
key_set (GPtrArray *items)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < items->len; i++)
    g_hash_table_add (set, g_strdup (**(char ***) &g_ptr_array_index (items, i)));
  return set;
}

gboolean
_hatake_compose_project_fill (HatakeComposeProject       *self,
                              const HatakeComposeOptions *options,
                              const char                 *data,
                              gssize                      length,
                              const char                 *file_name,
                              GError                    **error)
{
  Loader l = { 0 };
  g_autoptr(GHashTable) process = environ_table (options->environ);
  g_autoptr(GPtrArray) abs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) display = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HatakeComposeNode) root = NULL;
  g_autoptr(GPtrArray) networks = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_network_free);
  g_autoptr(GPtrArray) volumes = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_volume_free);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_service_free);
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);
  HatakeComposeNode *services_node;
  gboolean ok = FALSE;

  l.env.warnings = g_ptr_array_new_with_free_func (g_free);
  l.env.warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  l.ctx.env = &l.env;
  l.ctx.warnings = l.env.warnings;
  l.home = g_strdup (g_hash_table_lookup (process, "HOME") ? g_hash_table_lookup (process, "HOME")
                                                           : g_get_home_dir ());
  l.ctx.home = l.home;

  /* the project's folder: given, the first -f file's, or the current one */
  if (options->project_dir != NULL)
    {
      g_autofree char *cwd = g_get_current_dir ();
      self->dir = g_canonicalize_filename (options->project_dir, cwd);
    }
  else if (data == NULL && options->files != NULL && options->files[0] != NULL)
    {
      g_autofree char *cwd = g_get_current_dir ();
      g_autofree char *first = g_canonicalize_filename (options->files[0], cwd);
      self->dir = g_path_get_dirname (first);
    }
  else
    self->dir = g_get_current_dir ();

  if (!read_dotenv (&l, self->dir, process, error))
    goto out;

  if (data != NULL)
    {
      root = load_file (&l, data, length < 0 ? strlen (data) : (gsize) length,
                        file_name ? file_name : "compose.yaml", self->dir, error);
      if (root == NULL)
        goto out;
      _hatake_compose_strip_tags (root);
      self->files = g_new0 (char *, 1);
    }
  else
    {
      if (!find_files (self, options, &l, abs, display, error))
        goto out;
      for (guint i = 0; i < abs->len; i++)
        {
          g_autofree char *contents = NULL;
          gsize n = 0;
          HatakeComposeNode *node;

          if (!g_file_get_contents (g_ptr_array_index (abs, i), &contents, &n, error))
            goto out;
          node = load_file (&l, contents, n, g_ptr_array_index (display, i), self->dir, error);
          if (node == NULL)
            goto out;
          if (root == NULL)
            {
              _hatake_compose_strip_tags (node);
              root = node;
            }
          else
            root = _hatake_compose_merge (root, node, "");
        }
      g_ptr_array_add (abs, NULL);
      self->files = g_strdupv ((char **) abs->pdata);
    }

  if (!choose_name (self, options, &l, root, error))
    goto out;

  services_node = _hatake_compose_node_lookup (root, "services");
  if (services_node == NULL || _hatake_compose_node_is_null (services_node))
    {
      HatakeComposeNode *where = services_node ? services_node : root;
      _hatake_compose_set_error (error, where, "services", _("a project needs at least one service"));
      goto out;
    }
  if (!_hatake_compose_expect (services_node, HATAKE_COMPOSE_NODE_MAPPING, "services", error))
    goto out;
  for (guint i = 0; i < _hatake_compose_node_n_pairs (services_node); i++)
    {
      HatakeComposeNode *key = _hatake_compose_node_key (services_node, i);

      if (!g_ascii_isalnum (key->value[0]) || strspn (key->value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                  "0123456789._-") != strlen (key->value))
        {
          _hatake_compose_set_error (error, key, "services", _("“%s” is not a valid service name: use letters, digits, "
                                                                "., _ and -, starting with a letter or a digit"),
                                     key->value);
          goto out;
        }
      if (!resolve_extends (&l, services_node, "", key->value, stack, error))
        goto out;
    }

  if (!_hatake_compose_parse_networks (self->name, _hatake_compose_node_lookup (root, "networks"), networks, error) ||
      !_hatake_compose_parse_volumes (self->name, _hatake_compose_node_lookup (root, "volumes"), volumes, error))
    goto out;
  self->secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_resource_free);
  self->configs = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_resource_free);
  if (!_hatake_compose_parse_resources (self->name, "secrets", &l.ctx, _hatake_compose_node_lookup (root, "secrets"),
                                        self->secrets, error) ||
      !_hatake_compose_parse_resources (self->name, "configs", &l.ctx, _hatake_compose_node_lookup (root, "configs"),
                                        self->configs, error))
    goto out;
  l.ctx.networks = key_set (networks);
  l.ctx.volumes = key_set (volumes);
  l.ctx.secrets = key_set (self->secrets);
  l.ctx.configs = key_set (self->configs);
  l.ctx.services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < _hatake_compose_node_n_pairs (services_node); i++)
    g_hash_table_add (l.ctx.services, g_strdup (_hatake_compose_node_key (services_node, i)->value));

  for (guint i = 0; i < _hatake_compose_node_n_pairs (services_node); i++)
    {
      const char *name = _hatake_compose_node_key (services_node, i)->value;
      HatakeComposeService *s = _hatake_compose_service_parse (&l.ctx, name, _hatake_compose_node_val (services_node, i),
                                                               error);
      if (s == NULL)
        goto out;
      g_ptr_array_add (all, s);
    }
  if (!check_cycles (all, services_node, error) ||
      !apply_profiles (self, options, &l, all, error))
    goto out;
  keep_used (self, networks, volumes);

  g_ptr_array_add (l.env.warnings, NULL);
  self->warnings = (GStrv) g_ptr_array_free (g_steal_pointer (&l.env.warnings), FALSE);
  ok = TRUE;

out:
  l.ctx.warnings = NULL;
  loader_clear (&l);
  return ok;
}
