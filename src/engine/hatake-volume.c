/* hatake-volume.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * volumes/<name>/_data is what containers mount; volumes/<name>/volume.json holds docker's
 * metadata (created, labels, whether it is anonymous, its options). volume.json is written last,
 * atomically: a folder without it is a create that died half way and is not listed.
 *
 * Options are those of docker's local driver: `type`, `device` and `o` (mount(8)'s options), type
 * and device together, o only with them, e.g. type=none,o=bind,device=/srv/data or type=tmpfs,device=tmpfs,
 * o=size=64m. A volume with a device is mounted on its _data folder when a container that uses it
 * starts, and stays mounted until the volume is removed (docker unmounts it when the last
 * container using it stops: a tmpfs volume keeps its content longer here, never shorter). Its
 * removal unmounts it first, and never removes anything through a mount: a bind-mounted host
 * folder stays as it was.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libmount.h>

#include "hatake-error.h"
#include "hatake-layer.h"
#include "hatake-passwd.h"
#include "hatake-volume.h"
#include "hatake-json.h"

struct _HatakeVolumes
{
  GObject  parent_instance;
  char    *dir;
  GMutex   mutex;
};

G_DEFINE_FINAL_TYPE (HatakeVolumes, hatake_volumes, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
hatake_volumes_finalize (GObject *object)
{
  HatakeVolumes *self = (HatakeVolumes *) object;

  g_free (self->dir);
  g_mutex_clear (&self->mutex);
  G_OBJECT_CLASS (hatake_volumes_parent_class)->finalize (object);
}

static void
hatake_volumes_class_init (HatakeVolumesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hatake_volumes_finalize;

  /**
   * HatakeVolumes::event:
   * @action: "create" or "destroy"
   * @name: the volume's
   *
   * Emitted in the thread that made the change, once it is on disk.
   */
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
hatake_volumes_init (HatakeVolumes *self)
{
  g_mutex_init (&self->mutex);
}

HatakeVolumes *
hatake_volumes_new (const char *data_root)
{
  HatakeVolumes *self = g_object_new (HATAKE_TYPE_VOLUMES, NULL);

  self->dir = g_build_filename (data_root, "volumes", NULL);
  return self;
}

gboolean
hatake_volumes_name_is_valid (const char *name)
{
  /* docker's [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
  if (name == NULL || !g_ascii_isalnum (name[0]) || name[1] == '\0' || strlen (name) > 255)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

char *
hatake_volumes_data_path (HatakeVolumes *self,
                          const char    *name)
{
  g_return_val_if_fail (hatake_volumes_name_is_valid (name), NULL);
  return g_build_filename (self->dir, name, "_data", NULL);
}

static JsonParser *
load_meta (HatakeVolumes *self, const char *name)
{
  g_autofree char *path = g_build_filename (self->dir, name, "volume.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_file (parser, path, NULL) || !hatake_json_root_is (parser, JSON_NODE_OBJECT))
    return NULL;
  return g_steal_pointer (&parser);
}

/* The options (KEY=VALUE) as volume.json keeps them, checked as docker's local driver checks
 * them: only these, and type and device together (o needs both). NULL when refused. */
static JsonObject *
options_object (const char * const  *options,
                GError             **error)
{
  static const char * const known[] = { "type", "device", "o", NULL };
  gboolean has[3] = { FALSE, FALSE, FALSE };
  g_autoptr(JsonObject) object = json_object_new ();

  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    {
      g_autofree char *key = g_strndup (options[i], strcspn (options[i], "="));
      const char *value = options[i] + strlen (key);
      guint k;

      for (k = 0; known[k] != NULL && !g_str_equal (known[k], key); k++)
        ;
      if (g_str_equal (key, "size"))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("invalid option \"size\": quotas of the local driver's volumes are not supported"));
          return NULL;
        }
      if (known[k] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("invalid option: \"%s\""), key);
          return NULL;
        }
      if (*value != '=')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("invalid option \"%s\": it needs a value"), key);
          return NULL;
        }
      has[k] = TRUE;
      json_object_set_string_member (object, key, value + 1);
    }
  for (guint k = 0; k < 3; k++)
    for (guint n = 0; has[k] && n < 2; n++)
      if (!has[n])
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("missing required option: \"%s\""), known[n]);
          return NULL;
        }
  return g_steal_pointer (&object);
}

char *
hatake_volumes_ensure (HatakeVolumes       *self,
                       const char          *name,
                       const char * const  *labels,
                       const char * const  *options,
                       gboolean             anonymous,
                       gboolean            *out_created,
                       GError             **error)
{
  g_autofree char *generated = NULL;
  g_autofree char *data = NULL;
  g_autofree char *meta_path = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) existing = NULL;
  g_autoptr(JsonObject) stored_options = NULL;

  if (out_created)
    *out_created = FALSE;
  if (name == NULL)
    {
      GString *hex = g_string_new (NULL);
      for (guint i = 0; i < 32; i++)
        g_string_append_printf (hex, "%02x", g_random_int_range (0, 256));
      name = generated = g_string_free (hex, FALSE);
    }
  if (!hatake_volumes_name_is_valid (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("create %s: \"%s\" includes invalid characters for a local volume name, only "
                     "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed"), name, name);
      return NULL;
    }

  stored_options = options_object (options, error);
  if (stored_options == NULL)
    return NULL;
  g_mutex_lock (&self->mutex);
  existing = load_meta (self, name);
  if (existing != NULL)
    {
      g_mutex_unlock (&self->mutex);
      return g_strdup (name);
    }
  data = hatake_volumes_data_path (self, name);
  if (g_mkdir_with_parents (data, 0755) != 0)
    {
      int errsv = errno;
      g_mutex_unlock (&self->mutex);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot create %s: %s"), data, g_strerror (errsv));
      return NULL;
    }
  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "CreatedAt");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, "Anonymous");
  json_builder_add_boolean_value (b, anonymous);
  json_builder_set_member_name (b, "Labels");
  json_builder_begin_object (b);
  for (guint i = 0; labels && labels[i]; i++)
    {
      const char *eq = strchr (labels[i], '=');
      g_autofree char *key = eq ? g_strndup (labels[i], eq - labels[i]) : g_strdup (labels[i]);
      json_builder_set_member_name (b, key);
      json_builder_add_string_value (b, eq ? eq + 1 : "");
    }
  json_builder_end_object (b);
  if (json_object_get_size (stored_options) > 0)
    {
      json_builder_set_member_name (b, "Options");
      json_builder_add_value (b, json_node_init_object (json_node_alloc (), stored_options));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  meta_path = g_build_filename (self->dir, name, "volume.json", NULL);
  if (!g_file_set_contents_full (meta_path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      g_mutex_unlock (&self->mutex);
      return NULL;
    }
  g_mutex_unlock (&self->mutex);
  if (out_created)
    *out_created = TRUE;
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, "create", name);
  return g_strdup (name);
}

/* docker's GET /volumes/{name} */
JsonNode *
hatake_volumes_inspect (HatakeVolumes  *self,
                        const char     *name,
                        GError        **error)
{
  g_autoptr(JsonParser) parser = hatake_volumes_name_is_valid (name) ? load_meta (self, name) : NULL;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *data = NULL;
  JsonObject *meta;

  if (parser == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("get %s: no such volume"), name);
      return NULL;
    }
  meta = json_node_get_object (json_parser_get_root (parser));
  data = hatake_volumes_data_path (self, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "CreatedAt");
  json_builder_add_string_value (b, json_object_get_string_member_with_default (meta, "CreatedAt", ""));
  json_builder_set_member_name (b, "Driver");
  json_builder_add_string_value (b, "local");
  json_builder_set_member_name (b, "Labels");
  if (json_object_has_member (meta, "Labels"))
    json_builder_add_value (b, json_node_copy (json_object_get_member (meta, "Labels")));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "Mountpoint");
  json_builder_add_string_value (b, data);
  json_builder_set_member_name (b, "Name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "Options");
  if (hatake_json_object_member (meta, "Options") != NULL)
    json_builder_add_value (b, json_node_copy (json_object_get_member (meta, "Options")));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "Scope");
  json_builder_add_string_value (b, "local");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

GStrv
hatake_volumes_names (HatakeVolumes *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, NULL);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(JsonParser) parser = hatake_volumes_name_is_valid (name) ? load_meta (self, name) : NULL;
      if (parser != NULL)
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, (GCompareFunc) (void (*) (void)) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    g_strv_builder_add (b, g_ptr_array_index (names, i));
  return g_strv_builder_end (b);
}

/* docker's GET /volumes */
JsonNode *
hatake_volumes_list (HatakeVolumes *self,
                     GHashTable    *counts)
{
  g_auto(GStrv) names = hatake_volumes_names (self);
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Volumes");
  json_builder_begin_array (b);
  for (guint i = 0; names[i]; i++)
    {
      g_autoptr(JsonNode) v = hatake_volumes_inspect (self, names[i], NULL);
      g_autoptr(GList) members = NULL;

      if (v == NULL || !JSON_NODE_HOLDS_OBJECT (v))
        continue;
      if (counts == NULL)
        {
          json_builder_add_value (b, g_steal_pointer (&v));
          continue;
        }
      /* docker's UsageData: a list's dangling filter reads RefCount; the size is not counted here */
      members = json_object_get_members (json_node_get_object (v));
      json_builder_begin_object (b);
      for (GList *l = members; l != NULL; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_value (b, json_node_copy (json_object_get_member (json_node_get_object (v), l->data)));
        }
      json_builder_set_member_name (b, "UsageData");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Size");
      json_builder_add_int_value (b, -1);
      json_builder_set_member_name (b, "RefCount");
      json_builder_add_int_value (b, GPOINTER_TO_UINT (g_hash_table_lookup (counts, names[i])));
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Warnings");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
hatake_volumes_is_anonymous (HatakeVolumes *self,
                             const char    *name)
{
  g_autoptr(JsonParser) parser = hatake_volumes_name_is_valid (name) ? load_meta (self, name) : NULL;

  return parser != NULL &&
         json_object_get_boolean_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                      "Anonymous", FALSE);
}

/* Propagation changes take a mount call of their own, with no other flag but MS_REC */
#define PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/* The per-mount flags among mount(8)'s options: a bind mount of the volume's folder takes them */
static GStrv
per_mount_flags (const char *vfs_options)
{
  static const char * const kept[] = { "ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime",
                                       "strictatime", NULL };
  g_auto(GStrv) all = g_strsplit (vfs_options ? vfs_options : "", ",", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; all[i] != NULL; i++)
    if (g_strv_contains (kept, all[i]))
      g_strv_builder_add (b, all[i]);
  return g_strv_builder_end (b);
}

gboolean
hatake_volumes_mount (HatakeVolumes  *self,
                      const char     *name,
                      GStrv          *out_flags,
                      GError        **error)
{
  g_autoptr(JsonParser) parser = hatake_volumes_name_is_valid (name) ? load_meta (self, name) : NULL;
  g_autofree char *data = NULL;
  g_autofree char *fs_options = NULL;
  g_autofree char *vfs_options = NULL;
  JsonObject *options;
  const char *type, *device, *o;
  unsigned long flags = 0;
  int errsv = 0;

  *out_flags = NULL;
  if (parser == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("get %s: no such volume"), name);
      return FALSE;
    }
  options = hatake_json_object_member (json_node_get_object (json_parser_get_root (parser)), "Options");
  device = options ? hatake_json_string (options, "device") : NULL;
  type = options ? hatake_json_string (options, "type") : NULL;
  o = options ? hatake_json_string_or (options, "o", "") : "";
  if (device == NULL || type == NULL)
    return TRUE;
  /* mount(8)'s options: the kernel's flags, and the rest for the filesystem */
  if (mnt_optstr_get_flags (o, &flags, mnt_get_builtin_optmap (MNT_LINUX_MAP)) != 0 ||
      mnt_split_optstr (o, NULL, &vfs_options, &fs_options, 1, 0) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("volume %s: cannot read its mount options \"%s\""), name, o);
      return FALSE;
    }
  if ((flags & MS_BIND) && !g_path_is_absolute (device))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("volume %s: the device of a bind mount must be an absolute path, not \"%s\""), name, device);
      return FALSE;
    }
  data = hatake_volumes_data_path (self, name);
  g_mutex_lock (&self->mutex);
  if (!hatake_is_mount_root (AT_FDCWD, data))
    {
      if (mount (device, data, type, flags & ~(PROPAGATION | MS_REMOUNT), fs_options) != 0)
        errsv = errno;
      /* a bind mount takes its flags (ro, nosuid…) from a remount, as mount(8) does */
      else if ((flags & MS_BIND) && (flags & ~(MS_BIND | MS_REC | PROPAGATION | MS_REMOUNT)) != 0 &&
               mount (NULL, data, NULL, MS_REMOUNT | MS_BIND | (flags & ~(MS_REC | PROPAGATION | MS_REMOUNT)), NULL) != 0)
        errsv = errno;
      else if ((flags & PROPAGATION) && mount (NULL, data, NULL, flags & (PROPAGATION | MS_REC), NULL) != 0)
        errsv = errno;
      if (errsv != 0 && hatake_is_mount_root (AT_FDCWD, data))
        umount2 (data, MNT_DETACH);
    }
  g_mutex_unlock (&self->mutex);
  if (errsv == 0)
    *out_flags = per_mount_flags (vfs_options);
  if (errsv != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("volume %s: cannot mount %s (type %s, options \"%s\") on %s: %s"), name, device, type, o, data,
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* Unmounts what was mounted on the volume's folder (all of it, when mounts were stacked there).
 * umount2 itself says when nothing is mounted there any more (EINVAL), on any kernel: statx's
 * mount root attribute, which hatake_volumes_mount reads, came with Linux 5.8. */
static gboolean
unmount_locked (HatakeVolumes  *self,
                const char     *name,
                GError        **error)
{
  g_autofree char *data = hatake_volumes_data_path (self, name);
  int errsv = EBUSY;

  for (guint i = 0; i < 16; i++)
    {
      if (umount2 (data, UMOUNT_NOFOLLOW) == 0)
        continue;
      if (errno == EINVAL || errno == ENOENT)
        return TRUE;
      errsv = errno;
      if (errno == EBUSY && umount2 (data, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
        continue;
      break;
    }
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot unmount %s: %s"), data, g_strerror (errsv));
  return FALSE;
}

/* The caller has checked that no container uses it. */
gboolean
hatake_volumes_remove (HatakeVolumes  *self,
                       const char     *name,
                       GError        **error)
{
  g_autoptr(JsonParser) parser = hatake_volumes_name_is_valid (name) ? load_meta (self, name) : NULL;
  g_autofree char *dir = NULL;
  g_autofree char *meta = NULL;

  if (parser == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("get %s: no such volume"), name);
      return FALSE;
    }
  dir = g_build_filename (self->dir, name, NULL);
  meta = g_build_filename (dir, "volume.json", NULL);
  /* unmounted first (what was mounted there is left as it is), then the metadata goes: a removal
   * cut short leaves no half volume in the list */
  g_mutex_lock (&self->mutex);
  if (!unmount_locked (self, name, error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  if (g_unlink (meta) != 0)
    {
      int errsv = errno;
      g_mutex_unlock (&self->mutex);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot remove %s: %s"), meta, g_strerror (errsv));
      return FALSE;
    }
  g_mutex_unlock (&self->mutex);
  /* (gone from the list from here on, whatever is left of its files) */
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, "destroy", name);
  return hatake_rm_rf (dir, error);
}

/* ---- copy-up ------------------------------------------------------------------------------- */

static gboolean
copy_tree (int src_dir, int dst_dir, GError **error)
{
  int fd = dup (src_dir);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *e;
  gboolean ok = TRUE;

  if (dir == NULL)
    {
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _("Cannot read a folder: %s"), g_strerror (errno));
      return FALSE;
    }
  while (ok && (e = readdir (dir)) != NULL)
    {
      struct stat st;

      if (g_str_equal (e->d_name, ".") || g_str_equal (e->d_name, ".."))
        continue;
      if (fstatat (src_dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          int s, d;
          if (mkdirat (dst_dir, e->d_name, st.st_mode & 07777) != 0 && errno != EEXIST)
            continue;
          s = openat (src_dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          d = openat (dst_dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (s >= 0 && d >= 0)
            ok = copy_tree (s, d, error);
          if (d >= 0)
            {
              if (fchown (d, st.st_uid, st.st_gid) != 0 || fchmod (d, st.st_mode & 07777) != 0)
                g_debug ("Cannot set the owner or mode of %s", e->d_name);
              close (d);
            }
          if (s >= 0)
            close (s);
        }
      else if (S_ISREG (st.st_mode))
        {
          int s = openat (src_dir, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          int d = openat (dst_dir, e->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
          char buf[65536];
          ssize_t n;
          while (s >= 0 && d >= 0 && (n = read (s, buf, sizeof buf)) > 0)
            if (write (d, buf, n) != n)
              break;
          if (d >= 0)
            {
              if (fchown (d, st.st_uid, st.st_gid) != 0 || fchmod (d, st.st_mode & 07777) != 0)
                g_debug ("Cannot set the owner or mode of %s", e->d_name);
              close (d);
            }
          if (s >= 0)
            close (s);
        }
      else if (S_ISLNK (st.st_mode))
        {
          char target[4096];
          ssize_t n = readlinkat (src_dir, e->d_name, target, sizeof target - 1);
          if (n >= 0)
            {
              target[n] = '\0';
              /* a link is copied as a link: never followed on the host */
              if (symlinkat (target, dst_dir, e->d_name) == 0 &&
                  fchownat (dst_dir, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
                g_debug ("Cannot set the owner of %s", e->d_name);
            }
        }
    }
  closedir (dir);
  return ok;
}

gboolean
hatake_volumes_copy_up (int          rootfd,
                        const char  *container_path,
                        const char  *volume_dir,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  int src, dst;
  gboolean ok;
  struct stat st;

  src = hatake_open_in_root (rootfd, container_path, O_RDONLY | O_DIRECTORY, 0, &local_error);
  if (src < 0)
    return TRUE;  /* nothing in the image there: an empty volume */
  dst = open (volume_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dst < 0)
    {
      int errsv = errno;
      close (src);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot open %s: %s"), volume_dir, g_strerror (errsv));
      return FALSE;
    }
  ok = copy_tree (src, dst, error);
  /* the volume takes the owner and mode of the image's folder, as docker's copy-up does */
  if (ok && fstat (src, &st) == 0 && (fchown (dst, st.st_uid, st.st_gid) != 0 || fchmod (dst, st.st_mode & 07777) != 0))
    g_debug ("Cannot set the owner or mode of %s", volume_dir);
  close (src);
  close (dst);
  return ok;
}
