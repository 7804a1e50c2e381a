/* hatake-cgroups.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * crun (1.8 at least) refuses a hybrid layout whose cgroup2 mount still owns a controller
 * ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"); runc accepts
 * every layout. Rather than let a container start fail with that message, the engine detects
 * the layout once, picks a runtime that works and says why. The mode is decided the way crun
 * decides it (what is mounted at /sys/fs/cgroup and /sys/fs/cgroup/unified), so that our
 * prediction and crun's behaviour agree.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/mount.h>
#endif
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hatake-cgroups.h"
#include "hatake-error.h"

#define CGROUP_ROOT        "/sys/fs/cgroup"
#define CGROUP_HYBRID_PATH "/sys/fs/cgroup/unified"

struct _HatakeCgroupLayout
{
  gatomicrefcount  ref_count;
  HatakeCgroupMode mode;
  char            *root;
  char            *unified_path;
  GStrv            unified_controllers;
  GStrv            v1_controllers;
  GHashTable      *v1_paths;       /* controller → mount point */
};

G_DEFINE_BOXED_TYPE (HatakeCgroupLayout, hatake_cgroup_layout,
                     hatake_cgroup_layout_ref, hatake_cgroup_layout_unref)

static const char * const known_runtimes[] = { "crun", "runc", NULL };

const char *
hatake_cgroup_mode_to_string (HatakeCgroupMode mode)
{
  switch (mode)
    {
    case HATAKE_CGROUP_MODE_UNIFIED:
      return "unified";
    case HATAKE_CGROUP_MODE_LEGACY:
      return "legacy";
    case HATAKE_CGROUP_MODE_HYBRID:
      return "hybrid";
    default:
      g_return_val_if_reached ("unknown");
    }
}

HatakeCgroupLayout *
hatake_cgroup_layout_ref (HatakeCgroupLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
hatake_cgroup_layout_unref (HatakeCgroupLayout *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->root);
  g_free (self->unified_path);
  g_strfreev (self->unified_controllers);
  g_strfreev (self->v1_controllers);
  g_clear_pointer (&self->v1_paths, g_hash_table_unref);
  g_free (self);
}

/* ---- mountinfo ---------------------------------------------------------------------------- */

typedef struct
{
  guint64  id;
  guint64  parent_id;
  char    *mount_point;
  char    *fstype;
  char    *super_options;
} Mount;

static void
mount_free (gpointer data)
{
  Mount *m = data;

  g_free (m->mount_point);
  g_free (m->fstype);
  g_free (m->super_options);
  g_free (m);
}

/* The kernel escapes space, tab, newline and backslash in paths as \ooo. */
static char *
unescape_mountinfo (const char *s)
{
  GString *out = g_string_sized_new (strlen (s));

  while (*s != '\0')
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7'
          && s[3] >= '0' && s[3] <= '7')
        {
          g_string_append_c (out, (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0')));
          s += 4;
        }
      else
        g_string_append_c (out, *s++);
    }
  return g_string_free (out, FALSE);
}

static gboolean
is_number (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static gboolean
is_under (const char *path,
          const char *dir)
{
  gsize len = strlen (dir);

  if (g_str_equal (dir, "/"))
    return TRUE;
  return strncmp (path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* Fields: ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPER_OPTIONS */
static Mount *
parse_mountinfo_line (const char  *line,
                      guint        line_number,
                      GError     **error)
{
  g_auto(GStrv) fields = g_strsplit (line, " ", -1);
  guint n = g_strv_length (fields);
  guint sep = 0;
  Mount *m;

  for (guint i = 6; i < n; i++)
    if (g_str_equal (fields[i], "-"))
      {
        sep = i;
        break;
      }

  if (n < 10 || sep == 0 || n - sep < 3 || !is_number (fields[0]) || !is_number (fields[1])
      || strchr (fields[2], ':') == NULL || fields[4][0] != '/' || fields[sep + 1][0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("mountinfo line %u is malformed (expected “ID PARENT MAJ:MIN ROOT MOUNT-POINT "
                     "OPTIONS … - TYPE SOURCE SUPER-OPTIONS”): “%s”"),
                   line_number, line);
      return NULL;
    }

  m = g_new0 (Mount, 1);
  m->id = g_ascii_strtoull (fields[0], NULL, 10);
  m->parent_id = g_ascii_strtoull (fields[1], NULL, 10);
  m->mount_point = unescape_mountinfo (fields[4]);
  m->fstype = g_strdup (fields[sep + 1]);
  m->super_options = g_strdup (fields[sep + 3]);
  return m;
}

/* The controllers (and "name=…" hierarchies) a v1 mount carries, from its super options. What
 * is not an option of the cgroup file system is a controller, so new controllers need no
 * change here. */
static GStrv
v1_mount_controllers (const char *super_options)
{
  static const char * const not_controllers[] = {
    "rw", "ro", "noprefix", "xattr", "clone_children", "cpuset_v2_mode", "favordynmods",
    "nsdelegate", "all", "none", NULL
  };
  g_auto(GStrv) options = g_strsplit (super_options, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; options[i] != NULL; i++)
    {
      const char *o = options[i];

      if (*o == '\0' || g_strv_contains (not_controllers, o))
        continue;
      if (strchr (o, '=') != NULL && !g_str_has_prefix (o, "name="))
        continue;
      g_strv_builder_add (builder, o);
    }
  return g_strv_builder_end (builder);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GStrv
sorted_unique (GPtrArray *names)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    if (i == 0 || !g_str_equal (names->pdata[i], names->pdata[i - 1]))
      g_strv_builder_add (builder, names->pdata[i]);
  return g_strv_builder_end (builder);
}

static GStrv
parse_controllers_file (const char *text)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_auto(GStrv) words = g_strsplit_set (text, " \t\n", -1);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_ptr_array_add (names, words[i]);
  return sorted_unique (names);
}

/* Whether @m is out of sight: something was mounted over it or over a directory above its
 * mount point in its parent, or its parent is out of sight. The order of mountinfo's lines is
 * not the order of the mounts (this machine lists / after its children), so this goes by the
 * parent IDs: a mount made later over a directory of the parent has that parent too, while one
 * made later below would have the newer mount as its parent. @covered_by_child is TRUE when
 * asked on behalf of the mount stacked right on top of @m, which being covered by it does
 * not hide. */
static gboolean
mount_is_hidden (GHashTable *by_id,
                 Mount      *m,
                 gboolean    covered_by_child,
                 guint       depth_left)
{
  GHashTableIter iter;
  gpointer value;
  Mount *parent;

  g_hash_table_iter_init (&iter, by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const Mount *other = value;

      if (other == m)
        continue;
      if (!covered_by_child && other->parent_id == m->id
          && g_str_equal (other->mount_point, m->mount_point))
        return TRUE;
      if (other->parent_id == m->parent_id && other->id != m->parent_id
          && !g_str_equal (other->mount_point, m->mount_point)
          && is_under (m->mount_point, other->mount_point))
        return TRUE;
    }

  parent = g_hash_table_lookup (by_id, &m->parent_id);
  /* depth_left guards against a (corrupt) cycle of parents. */
  if (parent == NULL || parent == m || depth_left == 0)
    return FALSE;
  return mount_is_hidden (by_id, parent, g_str_equal (parent->mount_point, m->mount_point),
                          depth_left - 1);
}

HatakeCgroupLayout *
hatake_cgroups_parse (const char            *mountinfo_text,
                      HatakeCgroupsReadFunc  read_file,
                      gpointer               user_data,
                      GError               **error)
{
  g_autoptr(GPtrArray) mounts = g_ptr_array_new_with_free_func (mount_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) v1_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) v1_names = NULL;
  g_autoptr(HatakeCgroupLayout) self = NULL;
  g_auto(GStrv) lines = NULL;
  const Mount *cgroup2_root = NULL;
  const Mount *cgroup2_hybrid = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (mountinfo_text != NULL, NULL);
  g_return_val_if_fail (read_file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lines = g_strsplit (mountinfo_text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      Mount *m;

      if (lines[i][0] == '\0')
        continue;
      m = parse_mountinfo_line (lines[i], i + 1, error);
      if (m == NULL)
        return NULL;
      g_ptr_array_add (mounts, m);
      g_hash_table_replace (by_id, &m->id, m);
    }
  if (mounts->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("mountinfo is empty: is /proc mounted?"));
      return NULL;
    }

  for (guint i = 0; i < mounts->len; i++)
    {
      Mount *m = mounts->pdata[i];

      if (mount_is_hidden (by_id, m, FALSE, mounts->len))
        continue;
      if (g_str_equal (m->fstype, "cgroup2"))
        {
          if (g_str_equal (m->mount_point, CGROUP_ROOT))
            cgroup2_root = m;
          else if (g_str_equal (m->mount_point, CGROUP_HYBRID_PATH))
            cgroup2_hybrid = m;
        }
      else if (g_str_equal (m->fstype, "cgroup"))
        {
          g_auto(GStrv) controllers = v1_mount_controllers (m->super_options);

          /* A hierarchy can be mounted more than once; the one under /sys/fs/cgroup is the
           * one runtimes use. */
          for (guint j = 0; controllers[j] != NULL; j++)
            {
              const char *old = g_hash_table_lookup (v1_paths, controllers[j]);

              if (old == NULL || (!is_under (old, CGROUP_ROOT) && is_under (m->mount_point, CGROUP_ROOT)))
                g_hash_table_insert (v1_paths, g_strdup (controllers[j]), g_strdup (m->mount_point));
            }
        }
    }

  self = g_new0 (HatakeCgroupLayout, 1);
  g_atomic_ref_count_init (&self->ref_count);

  if (cgroup2_root != NULL)
    {
      self->mode = HATAKE_CGROUP_MODE_UNIFIED;
      self->unified_path = g_strdup (CGROUP_ROOT);
    }
  else if (cgroup2_hybrid != NULL)
    {
      self->mode = HATAKE_CGROUP_MODE_HYBRID;
      self->unified_path = g_strdup (CGROUP_HYBRID_PATH);
    }
  else if (g_hash_table_size (v1_paths) > 0)
    self->mode = HATAKE_CGROUP_MODE_LEGACY;
  else
    {
      g_set_error_literal (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                           _("No cgroup file system is mounted: containers need cgroups. Mount "
                             "one with `mount -t cgroup2 cgroup2 /sys/fs/cgroup`."));
      return NULL;
    }

  if (self->unified_path != NULL)
    {
      g_autofree char *path = g_build_filename (self->unified_path, "cgroup.controllers", NULL);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *text = read_file (path, user_data, &local_error);

      if (text == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      _("Cannot tell which controllers the cgroup2 mount at %s "
                                        "owns: "), self->unified_path);
          return NULL;
        }
      self->unified_controllers = parse_controllers_file (text);
    }
  else
    self->unified_controllers = g_new0 (char *, 1);

  v1_names = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, v1_paths);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (v1_names, key);
  self->v1_controllers = sorted_unique (v1_names);
  self->v1_paths = g_steal_pointer (&v1_paths);

  return g_steal_pointer (&self);
}

typedef struct
{
  const char *root;
} RootReader;

static char *
read_under_root (const char  *path,
                 gpointer     user_data,
                 GError     **error)
{
  RootReader *reader = user_data;
  g_autofree char *full = g_build_filename (reader->root, path, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (full, &contents, NULL, error))
    return NULL;
  return contents;
}

HatakeCgroupLayout *
hatake_cgroups_detect_full (const char  *root,
                            const char  *mountinfo_path,
                            GError     **error)
{
  g_autofree char *canonical_root = NULL;
  g_autofree char *default_mountinfo = NULL;
  g_autofree char *text = NULL;
  RootReader reader;
  HatakeCgroupLayout *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  canonical_root = g_canonicalize_filename (root != NULL ? root : "/", NULL);
  if (mountinfo_path == NULL)
    mountinfo_path = default_mountinfo = g_build_filename (canonical_root, "proc", "self",
                                                           "mountinfo", NULL);
  if (!g_file_get_contents (mountinfo_path, &text, NULL, error))
    return NULL;

  reader.root = canonical_root;
  self = hatake_cgroups_parse (text, read_under_root, &reader, error);
  if (self == NULL)
    {
      g_prefix_error (error, "%s: ", mountinfo_path);
      return NULL;
    }
  self->root = g_steal_pointer (&canonical_root);
  return self;
}

HatakeCgroupLayout *
hatake_cgroups_detect (const char  *root,
                       GError     **error)
{
  return hatake_cgroups_detect_full (root, NULL, error);
}

/* ---- accessors ---------------------------------------------------------------------------- */

HatakeCgroupMode
hatake_cgroup_layout_get_mode (HatakeCgroupLayout *self)
{
  g_return_val_if_fail (self != NULL, HATAKE_CGROUP_MODE_UNIFIED);
  return self->mode;
}

const char *
hatake_cgroup_layout_get_root (HatakeCgroupLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->root;
}

const char *
hatake_cgroup_layout_get_unified_path (HatakeCgroupLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->unified_path;
}

const char * const *
hatake_cgroup_layout_get_unified_controllers (HatakeCgroupLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->unified_controllers;
}

const char * const *
hatake_cgroup_layout_get_v1_controllers (HatakeCgroupLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->v1_controllers;
}

guint
hatake_cgroup_layout_lookup_controller (HatakeCgroupLayout  *self,
                                        const char          *controller,
                                        const char         **out_path)
{
  const char *path;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (controller != NULL, 0);

  if (out_path != NULL)
    *out_path = NULL;

  /* The kernel binds a controller to one hierarchy at a time, so the order does not matter. */
  if (g_strv_contains ((const char * const *) self->unified_controllers, controller))
    {
      if (out_path != NULL)
        *out_path = self->unified_path;
      return 2;
    }
  path = g_hash_table_lookup (self->v1_paths, controller);
  if (path != NULL)
    {
      if (out_path != NULL)
        *out_path = path;
      return 1;
    }
  return 0;
}

/* The folder of the cgroup PATH ("/" or "/a/b") under MOUNT */
static char *
in_mount (const char *mount,
          const char *path)
{
  return g_str_equal (path, "/") ? g_strdup (mount) : g_build_filename (mount, path, NULL);
}

GHashTable *
hatake_cgroup_layout_dirs (HatakeCgroupLayout *self,
                           const char         *proc_cgroup)
{
  GHashTable *dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (self != NULL && proc_cgroup != NULL, dirs);

  lines = g_strsplit (proc_cgroup, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ":", 3);
      g_auto(GStrv) controllers = NULL;

      if (g_strv_length (f) != 3 || f[2][0] != '/')
        continue;
      if (*f[1] == '\0')
        {
          if (self->unified_path != NULL)
            g_hash_table_replace (dirs, g_strdup (""), in_mount (self->unified_path, f[2]));
          continue;
        }
      controllers = g_strsplit (f[1], ",", -1);
      for (guint c = 0; controllers[c] != NULL; c++)
        {
          const char *mount = NULL;

          if (hatake_cgroup_layout_lookup_controller (self, controllers[c], &mount) == 1 && mount != NULL)
            g_hash_table_replace (dirs, g_strdup (controllers[c]), in_mount (mount, f[2]));
        }
    }
  return dirs;
}

static gint warming;   /* a warm write is under way */

/* cgroup.procs of the cgroup this process is in, on LAYOUT's cgroup2 mount (else pids', else any
 * v1 hierarchy's); NULL when none */
static char *
own_procs_file (HatakeCgroupLayout *layout)
{
  g_autofree char *own = NULL;
  g_autoptr(GHashTable) dirs = NULL;
  GHashTableIter iter;
  const char *dir;

  if (!g_file_get_contents ("/proc/self/cgroup", &own, NULL, NULL))
    return NULL;
  dirs = hatake_cgroup_layout_dirs (layout, own);
  dir = g_hash_table_lookup (dirs, "");
  if (dir == NULL)
    dir = g_hash_table_lookup (dirs, "pids");
  g_hash_table_iter_init (&iter, dirs);
  if (dir == NULL && !g_hash_table_iter_next (&iter, NULL, (gpointer *) &dir))
    return NULL;
  return g_build_filename (dir, "cgroup.procs", NULL);
}

static gpointer
warm_thread (gpointer data)
{
  /* (no layout: read here, off the caller's thread) */
  g_autoptr(HatakeCgroupLayout) layout = data != NULL ? data : hatake_cgroups_detect ("/", NULL);
  /* (read right before the write: a write into another cgroup than its own would move the
   * process, and it may have been moved since the engine started) */
  g_autofree char *procs = layout != NULL ? own_procs_file (layout) : NULL;
  int fd = procs != NULL ? open (procs, O_WRONLY | O_CLOEXEC) : -1;
  char pid[24];

  if (fd >= 0)
    {
      g_snprintf (pid, sizeof pid, "%d", (int) getpid ());
      if (write (fd, pid, strlen (pid)) < 0)
        g_debug ("warming the cgroup writes: %s: %s", procs, g_strerror (errno));
      close (fd);
    }
  g_atomic_int_set (&warming, 0);
  return NULL;
}

static void
warm (HatakeCgroupLayout *layout)
{
  g_autoptr(GError) error = NULL;
  GThread *thread;

  if (!g_atomic_int_compare_and_exchange (&warming, 0, 1))
    return;
  /* GLib makes its C locale at the first g_ascii_strto*(), behind a g_once: a thread that waits
   * there may come back with errno set, and g_ascii_string_to_unsigned() then refuses a good
   * number. The thread parses mountinfo at once; made here first, the caller's next parse (the
   * store's VERSION, at a command's start) cannot meet it half made. Seen: "VERSION does not
   * hold a store version number (“1”)", once in 54 `run --rm`. */
  (void) g_ascii_strtoull ("0", NULL, 10);
  thread = g_thread_try_new ("hatake-cgwarm", warm_thread, layout ? hatake_cgroup_layout_ref (layout) : NULL, &error);
  if (thread == NULL)
    {
      g_debug ("warming the cgroup writes: %s", error->message);
      g_clear_pointer (&layout, hatake_cgroup_layout_unref);
      g_atomic_int_set (&warming, 0);
      return;
    }
  g_thread_unref (thread);
}

void
hatake_cgroups_warm_attach (HatakeCgroupLayout *self)
{
  if (self != NULL)
    warm (self);
}

void
hatake_cgroups_warm_attach_early (void)
{
  warm (NULL);
}

static char *
join_or_none (const char * const *names)
{
  if (names[0] == NULL)
    return g_strdup (_("no controller"));
  return g_strjoinv (", ", (char **) names);
}

char *
hatake_cgroup_layout_describe (HatakeCgroupLayout *self)
{
  g_autofree char *v1 = NULL;
  g_autofree char *v2 = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  v1 = join_or_none ((const char * const *) self->v1_controllers);
  v2 = join_or_none ((const char * const *) self->unified_controllers);
  switch (self->mode)
    {
    case HATAKE_CGROUP_MODE_UNIFIED:
      return g_strdup_printf (_("unified: cgroup2 at %s with %s"), self->unified_path, v2);
    case HATAKE_CGROUP_MODE_LEGACY:
      return g_strdup_printf (_("legacy: cgroup v1 hierarchies (%s), no cgroup2 mount"), v1);
    case HATAKE_CGROUP_MODE_HYBRID:
      return g_strdup_printf (_("hybrid: cgroup v1 hierarchies (%s) and a cgroup2 mount at %s "
                                "that owns %s"), v1, self->unified_path, v2);
    default:
      g_return_val_if_reached (NULL);
    }
}

/* ---- runtimes ----------------------------------------------------------------------------- */

static char *
runtime_name (const char *runtime)
{
  return g_path_get_basename (runtime);
}

static char *
crun_hint (void)
{
  return g_strdup (_("To use crun, move those controllers to cgroup v1 (`hatake system cgroups "
                     "--fix`) or boot with a unified cgroup layout (kernel parameter "
                     "systemd.unified_cgroup_hierarchy=1)."));
}

gboolean
hatake_cgroups_runtime_supports (HatakeCgroupLayout  *layout,
                                 const char          *runtime,
                                 char               **out_why)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (layout != NULL, FALSE);
  g_return_val_if_fail (runtime != NULL, FALSE);

  if (out_why != NULL)
    *out_why = NULL;

  name = runtime_name (runtime);
  if (g_str_equal (name, "crun") && layout->mode == HATAKE_CGROUP_MODE_HYBRID
      && layout->unified_controllers[0] != NULL)
    {
      if (out_why != NULL)
        {
          g_autofree char *owned = g_strjoinv (", ", layout->unified_controllers);

          *out_why = g_strdup_printf (_("crun refuses hybrid cgroup layouts whose cgroup2 mount "
                                        "(%s) still owns controllers (here: %s)"),
                                      layout->unified_path, owned);
        }
      return FALSE;
    }
  return TRUE;
}

static void
add_if_executable (GPtrArray  *found,
                   const char *path)
{
  if (path == NULL || !g_path_is_absolute (path)
      || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) || g_file_test (path, G_FILE_TEST_IS_DIR))
    return;
  g_ptr_array_add (found, g_strdup (path));
}

char **
hatake_cgroups_find_runtimes (void)
{
  /* PATH may lack the sbin directories for a user, and Debian puts runc in /usr/sbin. */
  static const char * const dirs[] = {
    "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", NULL
  };
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; known_runtimes[i] != NULL; i++)
    {
      g_autofree char *in_path = g_find_program_in_path (known_runtimes[i]);
      guint before = found->len;

      add_if_executable (found, in_path);
      for (guint j = 0; dirs[j] != NULL && found->len == before; j++)
        {
          g_autofree char *path = g_build_filename (dirs[j], known_runtimes[i], NULL);

          add_if_executable (found, path);
        }
    }
  g_ptr_array_add (found, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&found), FALSE);
}

/* The entry of @available for @runtime: the same path, or for a bare name the path whose base
 * name it is. */
static const char *
lookup_available (const char * const *available,
                  const char         *runtime)
{
  gboolean by_path = strchr (runtime, '/') != NULL;

  for (guint i = 0; available[i] != NULL; i++)
    {
      g_autofree char *name = NULL;

      if (by_path)
        {
          if (g_str_equal (available[i], runtime))
            return available[i];
          continue;
        }
      name = runtime_name (available[i]);
      if (g_str_equal (name, runtime))
        return available[i];
    }
  return NULL;
}

static const char *
debian_package (const char *name)
{
  return g_strv_contains (known_runtimes, name) ? name : NULL;
}

static char *
install_hint (const char *name)
{
  const char *package = debian_package (name);

  if (package != NULL)
    return g_strdup_printf (_("Install it with `apt install %s` (Debian package %s)."),
                            package, package);
  return g_strdup_printf (_("Install %s or put it on PATH."), name);
}

gboolean
hatake_cgroups_choose_runtime (HatakeCgroupLayout  *layout,
                               const char          *wanted,
                               gboolean             wanted_explicitly,
                               const char * const  *available,
                               char               **out_runtime,
                               char               **out_reason,
                               GError             **error)
{
  static const char * const none[] = { NULL };
  g_autofree char *wanted_name = NULL;
  g_autofree char *why = NULL;
  const char *wanted_path;
  gboolean wanted_works;
  gboolean any_installed;

  g_return_val_if_fail (layout != NULL, FALSE);
  g_return_val_if_fail (wanted != NULL || !wanted_explicitly, FALSE);
  g_return_val_if_fail (out_runtime != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_runtime = NULL;
  if (out_reason != NULL)
    *out_reason = NULL;
  if (available == NULL)
    available = none;

  if (wanted == NULL)
    wanted = known_runtimes[0];
  wanted_name = runtime_name (wanted);
  wanted_path = lookup_available (available, wanted);
  wanted_works = hatake_cgroups_runtime_supports (layout, wanted, &why);

  if (wanted_path != NULL && wanted_works)
    {
      *out_runtime = g_strdup (wanted_path);
      return TRUE;
    }

  if (wanted_explicitly)
    {
      if (wanted_path == NULL)
        {
          g_autofree char *hint = install_hint (wanted_name);

          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                       _("The runtime %s asked for with --runtime is not installed. %s"),
                       wanted, hint);
        }
      else
        {
          g_autofree char *hint = crun_hint ();

          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                       _("You asked for %s with --runtime, but %s, so it cannot start containers "
                         "on this machine. Leave out --runtime (or use --runtime runc) to run with "
                         "runc. %s"),
                       wanted_name, why, hint);
        }
      return FALSE;
    }

  /* Not asked for on the command line: fall back to another runtime that works. */
  any_installed = wanted_path != NULL;
  for (guint i = 0; known_runtimes[i] != NULL; i++)
    {
      const char *name = known_runtimes[i];
      const char *path;

      if (g_str_equal (name, wanted_name))
        continue;
      path = lookup_available (available, name);
      if (path == NULL)
        continue;
      any_installed = TRUE;
      if (!hatake_cgroups_runtime_supports (layout, name, NULL))
        continue;

      *out_runtime = g_strdup (path);
      if (out_reason != NULL)
        {
          g_autofree char *hint = wanted_path == NULL ? install_hint (wanted_name) : crun_hint ();

          if (wanted_path == NULL)
            *out_reason = g_strdup_printf (_("%s is not installed; using %s instead. %s"),
                                           wanted_name, name, hint);
          else
            *out_reason = g_strdup_printf (_("%s; using %s instead. %s"), why, name, hint);
        }
      return TRUE;
    }

  if (!any_installed)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                   _("No OCI runtime is installed: hatake needs crun or runc to run containers. "
                     "Install one with `apt install crun` or `apt install runc` (Debian packages "
                     "crun and runc)."));
      return FALSE;
    }

  if (wanted_path != NULL)
    {
      g_autofree char *hint = crun_hint ();

      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                   _("%s, and runc, which works with any cgroup layout, is not installed. Install "
                     "it with `apt install runc` (Debian package runc). %s"),
                   why, hint);
    }
  else
    {
      /* Only runtimes that cannot work here are installed, and not the one configured. */
      g_autofree char *owned = g_strjoinv (", ", layout->unified_controllers);

      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                   _("%s is not installed, and the installed runtimes cannot work with this "
                     "hybrid cgroup layout (its cgroup2 mount owns %s). Install runc with "
                     "`apt install runc` (Debian package runc)."),
                   wanted_name, owned);
    }
  return FALSE;
}

/* ---- fixing a hybrid layout --------------------------------------------------------------- */

gboolean
hatake_cgroups_fix_hybrid (HatakeCgroupLayout   *layout,
                           char               ***out_moved,
                           GError              **error)
{
  g_autoptr(GStrvBuilder) moved = NULL;

  g_return_val_if_fail (layout != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_moved != NULL)
    *out_moved = NULL;

  if (layout->root == NULL || !g_str_equal (layout->root, "/"))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                   _("Only the running system's cgroup layout can be fixed, not the one under %s."),
                   layout->root != NULL ? layout->root : _("(a parsed description)"));
      return FALSE;
    }

  moved = g_strv_builder_new ();
  if (layout->mode != HATAKE_CGROUP_MODE_HYBRID || layout->unified_controllers[0] == NULL)
    {
      if (out_moved != NULL)
        *out_moved = g_strv_builder_end (moved);
      return TRUE;
    }

#ifdef __linux__
  if (geteuid () != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("Moving cgroup controllers to v1 changes the whole machine's cgroup layout "
                     "and needs root. Run `hatake system cgroups --fix` as root."));
      return FALSE;
    }

  for (guint i = 0; layout->unified_controllers[i] != NULL; i++)
    {
      const char *name = layout->unified_controllers[i];
      g_autofree char *target = g_build_filename (CGROUP_ROOT, name, NULL);
      gboolean created = !g_file_test (target, G_FILE_TEST_EXISTS);

      if (g_mkdir (target, 0755) != 0 && errno != EEXIST)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot create %s to mount the %s controller as cgroup v1: %s"),
                       target, name, g_strerror (saved_errno));
          return FALSE;
        }
      if (mount ("cgroup", target, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME,
                 name) != 0)
        {
          int saved_errno = errno;

          if (created)
            g_rmdir (target);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot mount the %s controller as cgroup v1 at %s: %s%s"),
                       name, target, g_strerror (saved_errno),
                       saved_errno == EBUSY
                         ? _(" (a cgroup in the cgroup2 hierarchy still uses it: remove it from "
                             "the cgroup.subtree_control files first)")
                         : "");
          return FALSE;
        }
      g_debug ("Moved the %s cgroup controller from cgroup2 to a v1 hierarchy at %s",
               name, target);
      g_strv_builder_add (moved, name);
    }

  if (out_moved != NULL)
    *out_moved = g_strv_builder_end (moved);
  return TRUE;
#else
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("Cgroup layouts can only be changed on Linux."));
  return FALSE;
#endif
}
