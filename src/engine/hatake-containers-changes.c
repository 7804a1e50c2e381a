/* hatake-containers-changes.c: docker diff — what a container changed in its filesystem
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The container's overlayfs upper directory holds every change: a whiteout (a character device
 * 0/0) is a deletion; anything else was added, or modified when the image's layers have that
 * path. The walk never follows a link: the upper directory by descriptors (openat, O_NOFOLLOW),
 * the layers component by component, so a link the image or the container made cannot lead it
 * out of either.
 *
 * docker keeps the mount points it makes (/etc/hosts, /proc…) in an "init" layer of their own,
 * and its diff never shows them. Here the runtime makes them in the upper directory: the spec's
 * mount destinations are left out, and so is a directory whose only entries were those.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"
#include "hatake-json.h"

/* directories deep: each level holds a descriptor while the walk is below it */
#define MAX_DEPTH 256

typedef enum
{
  CHANGE_MODIFIED = 0,  /* docker's kinds */
  CHANGE_ADDED    = 1,
  CHANGE_DELETED  = 2,
} ChangeKind;

typedef struct
{
  char       *path;
  ChangeKind  kind;
} Change;

typedef struct
{
  char       *upper;
  char      **layers;   /* top first */
  char       *spec;     /* the bundle's config.json: its mount destinations */
  GHashTable *mounts;   /* "/etc/hosts"… */
  GArray     *changes;  /* Change */
} ChangesData;

static void
change_clear (Change *change)
{
  g_free (change->path);
}

static void
changes_data_free (ChangesData *data)
{
  g_free (data->upper);
  g_strfreev (data->layers);
  g_free (data->spec);
  g_clear_pointer (&data->mounts, g_hash_table_unref);
  g_clear_pointer (&data->changes, g_array_unref);
  g_free (data);
}

static gboolean
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && major (st->st_rdev) == 0 && minor (st->st_rdev) == 0;
}

/* Whether PATH ("a/b/c") is in LAYER: NULL when this layer says nothing of it (look below),
 * else TRUE or FALSE (a whiteout, a parent that is no directory, or an opaque parent: hidden
 * from the layers below). */
static const gboolean *
layer_has (const char *layer, const char *path)
{
  static const gboolean yes = TRUE, no = FALSE;
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  int fd = open (layer, O_PATH | O_DIRECTORY | O_CLOEXEC);
  const gboolean *answer = NULL;
  gboolean opaque = FALSE;
  struct stat st;

  if (fd < 0)
    return NULL;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      gboolean last = parts[i + 1] == NULL;
      int next;

      if (fstatat (fd, parts[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
        {
          /* not in this layer, nor below an opaque directory of it */
          answer = opaque ? &no : NULL;
          break;
        }
      if (is_whiteout (&st))
        {
          answer = &no;
          break;
        }
      if (last)
        {
          answer = &yes;
          break;
        }
      if (!S_ISDIR (st.st_mode))
        {
          answer = &no;
          break;
        }
      /* (O_RDONLY, not O_PATH: fgetxattr() needs a readable descriptor) */
      next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (fd);
      fd = next;
      if (fd < 0)
        return NULL;
      {
        char flag[2] = { 0 };
        opaque |= fgetxattr (fd, "trusted.overlay.opaque", flag, 1) == 1 && flag[0] == 'y';
      }
    }
  close (fd);
  return answer;
}

static gboolean
in_image (ChangesData *data, const char *path)
{
  for (guint i = 0; data->layers[i] != NULL; i++)
    {
      const gboolean *has = layer_has (data->layers[i], path);

      if (has != NULL)
        return *has;
    }
  return FALSE;
}

static void
add_change (ChangesData *data, const char *path, ChangeKind kind)
{
  Change change = { g_strconcat ("/", path, NULL), kind };

  g_array_append_val (data->changes, change);
}

/* The entries of the upper directory DIR_FD at PATH ("" for the root, DEPTH 0; closes DIR_FD). NEW: the
 * directory replaced whatever the image had there (opaque, or not in the image), so every entry
 * below is added. Sets *EXCLUDED when an entry was left out as a mount point, and returns
 * whether any entry was reported. */
static gboolean
walk (ChangesData *data, int dir_fd, const char *path, guint depth, gboolean new, gboolean *excluded, GError **error)
{
  DIR *dir = fdopendir (dir_fd);
  gboolean reported = FALSE;
  struct dirent *de;

  if (dir == NULL)
    {
      int errsv = errno;
      g_autofree char *where = g_strconcat ("/", path, NULL);

      close (dir_fd);
      return _hatake_containers_set_errno (error, errsv, _("Cannot read the container's changes in"), where);
    }
  while ((errno = 0, de = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      struct stat st;

      if (g_str_equal (de->d_name, ".") || g_str_equal (de->d_name, ".."))
        continue;
      child = *path ? g_strconcat (path, "/", de->d_name, NULL) : g_strdup (de->d_name);
      if (fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;  /* (gone meanwhile: the container runs) */
      if (is_whiteout (&st))
        {
          add_change (data, child, CHANGE_DELETED);
          reported = TRUE;
          continue;
        }
      if (g_hash_table_contains (data->mounts, child))
        {
          *excluded = TRUE;
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          int fd = openat (dirfd (dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          char opaque[2] = { 0 };
          gboolean added, child_excluded = FALSE, child_reported;
          guint at = data->changes->len;

          if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
            continue;  /* (changed meanwhile: the container runs) */
          if (fd < 0 || depth >= MAX_DEPTH)
            {
              int errsv = fd < 0 ? errno : ELOOP;
              g_autofree char *where = g_strconcat ("/", child, NULL);

              if (fd >= 0)
                close (fd);
              _hatake_containers_set_errno (error, errsv, _("Cannot read the container's changes in"), where);
              break;
            }
          added = new || !in_image (data, child);
          /* (the directory comes before what is in it) */
          add_change (data, child, added ? CHANGE_ADDED : CHANGE_MODIFIED);
          /* an opaque one hides the image's: what it holds is new */
          child_reported = walk (data, fd, child, depth + 1,
                                 added || (fgetxattr (fd, "trusted.overlay.opaque", opaque, 1) == 1 && opaque[0] == 'y'),
                                 &child_excluded, error);
          if (error != NULL && *error != NULL)
            break;
          /* made only to hold mount points: not the container's change, nor its parent's */
          if (!child_reported && child_excluded)
            {
              g_array_remove_index (data->changes, at);
              *excluded = TRUE;
            }
          else
            reported = TRUE;
          continue;
        }
      add_change (data, child, new || !in_image (data, child) ? CHANGE_ADDED : CHANGE_MODIFIED);
      reported = TRUE;
    }
  if (de == NULL && errno != 0)
    {
      int errsv = errno;
      g_autofree char *where = g_strconcat ("/", path, NULL);

      _hatake_containers_set_errno (error, errsv, _("Cannot read the container's changes in"), where);
    }
  closedir (dir);
  return reported;
}

static int
compare_changes (gconstpointer a, gconstpointer b)
{
  return strcmp (((const Change *) a)->path, ((const Change *) b)->path);
}

static void
read_mounts (ChangesData *data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *mounts;

  if (!json_parser_load_from_mapped_file (parser, data->spec, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  mounts = hatake_json_array_member (json_node_get_object (root), "mounts");
  for (guint i = 0; mounts != NULL && i < json_array_get_length (mounts); i++)
    {
      const char *destination = hatake_json_string (hatake_json_array_object (mounts, i), "destination");
      g_autofree char *clean = destination ? g_canonicalize_filename (destination, "/") : NULL;

      if (clean != NULL && clean[1] != '\0')
        g_hash_table_add (data->mounts, g_strdup (clean + 1));
    }
}

static void
changes_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ChangesData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gboolean excluded = FALSE;
  int fd;

  read_mounts (data);
  fd = open (data->upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  /* (never started: nothing changed yet) */
  if (fd < 0 && errno != ENOENT)
    {
      int errsv = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                               _("Cannot read the container's changes: %s"), g_strerror (errsv));
      return;
    }
  if (fd >= 0)
    walk (data, fd, "", 0, FALSE, &excluded, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_array_sort (data->changes, compare_changes);
  json_builder_begin_array (b);
  for (guint i = 0; i < data->changes->len; i++)
    {
      Change *change = &g_array_index (data->changes, Change, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Path");
      json_builder_add_string_value (b, change->path);
      json_builder_set_member_name (b, "Kind");
      json_builder_add_int_value (b, change->kind);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  g_task_return_pointer (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
}

void
hatake_containers_changes_async (HatakeContainers    *self,
                                 HatakeContainer     *container,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Entry *entry = _hatake_containers_entry_for (self, container);
  g_autoptr(GString) lower = NULL;
  GError *error = NULL;
  ChangesData *data;

  g_task_set_source_tag (task, hatake_containers_changes_async);
  if (entry == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such container: %s"),
                               hatake_container_get_id (container));
      return;
    }
  lower = _hatake_containers_lower_dirs (self->store, self->root, entry->image_id, &error);
  if (lower == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (ChangesData, 1);
  data->upper = _hatake_containers_entry_path (entry, "upper");
  data->spec = _hatake_containers_entry_path (entry, "bundle/config.json");
  data->layers = lower->len > 0 ? g_strsplit (lower->str, ":", -1) : g_new0 (char *, 1);
  data->mounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  data->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_array_set_clear_func (data->changes, (GDestroyNotify) change_clear);
  g_task_set_task_data (task, data, (GDestroyNotify) changes_data_free);
  g_task_run_in_thread (task, changes_thread);
}

JsonNode *
hatake_containers_changes_finish (HatakeContainers  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
