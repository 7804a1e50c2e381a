/* hatake-archive.c: tar archives of paths inside a container's root, safely (docker cp, export)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The container owns its files and may change them while we read or write: a path checked and then
 * opened by name could have become a symlink to the host's /etc in between (CVE-2018-15664). So no
 * path is ever used twice. Every lookup starts from a directory fd: openat2() with RESOLVE_IN_ROOT
 * resolves a whole path the way a chroot would, and where the kernel (or valgrind) has no openat2()
 * the same is done here one component at a time, symlinks re-read and re-rooted. Below a resolved
 * directory, the archive walks and writes with *at() calls and O_NOFOLLOW on that fd, and checks
 * with fstat() that what it opened is what it looked at.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "hatake-archive.h"
#include "hatake-layer.h"
#include "hatake-libarchive.h"

#define MAX_SYMLINKS 40
#define COPY_CHUNK   (128 * 1024)
#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202   /* not in linux/magic.h before 6.x */
#endif

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

#define auto_fd __attribute__ ((cleanup (close_fd))) int

static gboolean
set_errno (GError **error, int errsv, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s %s: %s", what, path, g_strerror (errsv));
  return FALSE;
}

/* docker's cleaning: absolute, no "." or "..", ".." at the root staying there. */
static char *
clean_path (const char *path)
{
  return g_canonicalize_filename (path != NULL && *path != '\0' ? path : "/", "/");
}

/* The fallback resolver: one component at a time from ROOT_FD, a symlink's target read and
 * resolved again from the root (absolute) or from its directory (relative), ".." never above the
 * root. Same result as openat2 (RESOLVE_IN_ROOT). */
static int
resolve_walk (int root_fd, const char *clean, gboolean follow_last)
{
  g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func (g_free);  /* components, last first */
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (int));   /* fds of the dirs walked */
  g_auto(GStrv) parts = g_strsplit (clean, "/", -1);
  guint links = 0;
  int cur, result = -1;

  for (guint i = g_strv_length (parts); i > 0; i--)
    if (*parts[i - 1] != '\0')
      g_ptr_array_add (todo, g_strdup (parts[i - 1]));
  cur = fcntl (root_fd, F_DUPFD_CLOEXEC, 3);
  if (cur < 0)
    return -1;
  while (todo->len > 0)
    {
      g_autofree char *name = g_ptr_array_steal_index (todo, todo->len - 1);
      gboolean last = todo->len == 0;
      struct stat st;
      int next;

      if (strcmp (name, ".") == 0)
        continue;
      if (strcmp (name, "..") == 0)
        {
          if (stack->len > 0)
            {
              close (cur);
              cur = g_array_index (stack, int, stack->len - 1);
              g_array_set_size (stack, stack->len - 1);
            }
          continue;
        }
      next = openat (cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 || fstat (next, &st) < 0)
        goto out;
      if (S_ISLNK (st.st_mode) && (!last || follow_last))
        {
          char target[PATH_MAX];
          ssize_t n = readlinkat (next, "", target, sizeof target - 1);
          g_auto(GStrv) link_parts = NULL;

          close (next);
          if (n < 0 || ++links > MAX_SYMLINKS)
            {
              if (n >= 0)
                errno = ELOOP;
              goto out;
            }
          target[n] = '\0';
          if (target[0] == '/')
            {
              /* from the root again */
              for (guint i = 0; i < stack->len; i++)
                close (g_array_index (stack, int, i));
              g_array_set_size (stack, 0);
              close (cur);
              cur = fcntl (root_fd, F_DUPFD_CLOEXEC, 3);
              if (cur < 0)
                goto out;
            }
          link_parts = g_strsplit (target, "/", -1);
          for (guint i = g_strv_length (link_parts); i > 0; i--)
            if (*link_parts[i - 1] != '\0')
              g_ptr_array_add (todo, g_strdup (link_parts[i - 1]));
          continue;
        }
      if (!last && !S_ISDIR (st.st_mode))
        {
          close (next);
          errno = ENOTDIR;
          goto out;
        }
      g_array_append_val (stack, cur);
      cur = next;
    }
  result = cur;
  cur = -1;
out:
  if (cur >= 0)
    close (cur);
  for (guint i = 0; i < stack->len; i++)
    close (g_array_index (stack, int, i));
  return result;
}

static gint no_openat2;

void
_hatake_archive_force_path_walk (gboolean force)
{
  g_atomic_int_set (&no_openat2, force ? 1 : 0);
}

/* FALSE once openat2() answered ENOSYS (or the tests said so): callers go straight to the walk. */
gboolean
_hatake_archive_has_openat2 (void)
{
  return !g_atomic_int_get (&no_openat2);
}

static int
resolve_clean (int root_fd, const char *clean, gboolean follow_last)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  const char *rel = clean[0] == '/' ? clean + 1 : clean;
  int fd;

  if (*rel == '\0')
    rel = ".";
  if (!g_atomic_int_get (&no_openat2))
    {
      do
        fd = syscall (SYS_openat2, root_fd, rel, &how, sizeof how);
      while (fd < 0 && (errno == EINTR || errno == EAGAIN));
      if (fd >= 0 || errno != ENOSYS)
        return fd;
      g_atomic_int_set (&no_openat2, 1);
    }
  return resolve_walk (root_fd, rel, follow_last);
}

static gboolean
path_follows_last (const char *path)
{
  return g_str_has_suffix (path, "/") || g_str_has_suffix (path, "/.") || g_str_equal (path, ".");
}

int
hatake_archive_resolve (int          root_fd,
                        const char  *path,
                        gboolean     follow,
                        GError     **error)
{
  g_autofree char *clean = clean_path (path);
  int fd = resolve_clean (root_fd, clean, follow || path_follows_last (path));

  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("Could not find the file %s in container"), path);
      else
        set_errno (error, errno, _("Cannot open"), path);
    }
  return fd;
}

/* ---- stat ----------------------------------------------------------------------------------- */

/* Go's os.FileMode, which docker's clients decode */
static guint32
go_file_mode (mode_t mode)
{
  guint32 m = mode & 0777;

  if (mode & S_ISUID)
    m |= 1u << 23;
  if (mode & S_ISGID)
    m |= 1u << 22;
  if (mode & S_ISVTX)
    m |= 1u << 20;
  switch (mode & S_IFMT)
    {
    case S_IFDIR:  m |= 1u << 31; break;
    case S_IFLNK:  m |= 1u << 27; break;
    case S_IFIFO:  m |= 1u << 25; break;
    case S_IFSOCK: m |= 1u << 24; break;
    case S_IFBLK:  m |= 1u << 26; break;
    case S_IFCHR:  m |= (1u << 26) | (1u << 21); break;
    default: break;
    }
  return m;
}

static char *
base_name (const char *path)
{
  g_autofree char *clean = clean_path (path);

  if (g_str_has_suffix (path, "/.") || g_str_equal (path, "."))
    return g_strdup (".");
  return g_path_get_basename (clean);
}

JsonNode *
hatake_archive_stat (int          root_fd,
                     const char  *path,
                     GError     **error)
{
  auto_fd fd = hatake_archive_resolve (root_fd, path, FALSE, error);
  g_autofree char *name = NULL, *target = NULL;
  g_autoptr(GDateTime) mtime = NULL;
  g_autofree char *mtime_text = NULL;
  JsonObject *o;
  JsonNode *node;
  struct stat st;

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) < 0)
    {
      set_errno (error, errno, _("Cannot stat"), path);
      return NULL;
    }
  name = base_name (path);
  if (S_ISLNK (st.st_mode))
    {
      char buffer[PATH_MAX];
      ssize_t n = readlinkat (fd, "", buffer, sizeof buffer - 1);

      if (n >= 0)
        {
          g_autofree char *clean = clean_path (path);
          g_autofree char *dir = g_path_get_dirname (clean);

          buffer[n] = '\0';
          target = g_canonicalize_filename (buffer, dir);
        }
    }
  mtime = g_date_time_new_from_unix_utc (st.st_mtime);
  mtime_text = mtime ? g_date_time_format_iso8601 (mtime) : g_strdup ("1970-01-01T00:00:00Z");
  o = json_object_new ();
  json_object_set_string_member (o, "name", name);
  json_object_set_int_member (o, "size", st.st_size);
  json_object_set_int_member (o, "mode", go_file_mode (st.st_mode));
  json_object_set_string_member (o, "mtime", mtime_text);
  json_object_set_string_member (o, "linkTarget", target ? target : "");
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, o);
  return node;
}

/* ---- writing a tar -------------------------------------------------------------------------- */

typedef struct
{
  int                             out_fd;
  GCancellable                   *cancellable;
  struct archive                 *archive;
  struct archive_entry_linkresolver *links;
  GError                         *error;
  char                           *buffer;
} Writer;

static la_ssize_t
writer_write (struct archive *a, void *user_data, const void *data, size_t length)
{
  Writer *w = user_data;
  size_t done = 0;

  while (done < length)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (w->cancellable, &w->error))
        return -1;
      n = send (w->out_fd, (const char *) data + done, length - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          /* the reader went away (EPIPE): the client disconnected */
          g_set_error (&w->error, G_IO_ERROR, g_io_error_from_errno (errno), _("Cannot send the archive: %s"),
                       g_strerror (errno));
          return -1;
        }
      done += n;
    }
  return length;
}

/* The file systems of a running container's view that are not its files. */
static gboolean
is_pseudo_fs (int fd)
{
  struct statfs sfs;

  if (fstatfs (fd, &sfs) < 0)
    return FALSE;
  switch ((unsigned long) sfs.f_type)
    {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case MQUEUE_MAGIC:
    case SECURITYFS_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case BPF_FS_MAGIC:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
writer_fail (Writer *w, const char *name)
{
  if (w->error == NULL)
    g_set_error (&w->error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot archive %s: %s"), name,
                 sym_archive_error_string (w->archive));
  return FALSE;
}

static gboolean write_node (Writer *w, int parent_fd, const char *name, const char *archive_name);

static gboolean
write_file_data (Writer *w, int fd, const char *archive_name)
{
  for (;;)
    {
      ssize_t n = read (fd, w->buffer, COPY_CHUNK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_errno (&w->error, errno, _("Cannot read"), archive_name);
      if (n == 0)
        return TRUE;   /* a file that shrank meanwhile: libarchive pads it to its size */
      if (sym_archive_write_data (w->archive, w->buffer, n) < 0)
        return writer_fail (w, archive_name);
    }
}

static gboolean
write_children (Writer *w, int dir_fd, const char *archive_name)
{
  DIR *dir;
  struct dirent *d;
  int fd;
  gboolean ok = TRUE;

  if (is_pseudo_fs (dir_fd))
    return TRUE;
  fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return set_errno (&w->error, errno, _("Cannot read"), archive_name);
    }
  while (ok && (d = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;

      if (strcmp (d->d_name, ".") == 0 || strcmp (d->d_name, "..") == 0)
        continue;
      child = *archive_name ? g_strconcat (archive_name, "/", d->d_name, NULL) : g_strdup (d->d_name);
      ok = write_node (w, dirfd (dir), d->d_name, child);
    }
  closedir (dir);
  return ok;
}

/* One entry and, for a directory, everything below it; NAME is looked up in PARENT_FD without
 * following a symlink, and what is opened is checked to be what was looked at. */
static gboolean
write_node (Writer *w, int parent_fd, const char *name, const char *archive_name)
{
  struct archive_entry *entry = NULL, *sparse = NULL;
  auto_fd fd = -1;
  struct stat st, opened;
  gboolean ok = TRUE;

  if (g_cancellable_set_error_if_cancelled (w->cancellable, &w->error))
    return FALSE;
  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? TRUE : set_errno (&w->error, errno, _("Cannot stat"), archive_name);
  if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    {
      fd = openat (parent_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
                   (S_ISDIR (st.st_mode) ? O_DIRECTORY : 0));
      if (fd < 0)
        return errno == ENOENT ? TRUE : set_errno (&w->error, errno, _("Cannot open"), archive_name);
      if (fstat (fd, &opened) < 0 || opened.st_ino != st.st_ino || opened.st_dev != st.st_dev ||
          (opened.st_mode & S_IFMT) != (st.st_mode & S_IFMT))
        {
          g_set_error (&w->error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s changed while being archived"), archive_name);
          return FALSE;
        }
      st = opened;
    }

  entry = sym_archive_entry_new ();
  sym_archive_entry_copy_stat (entry, &st);
  if (S_ISDIR (st.st_mode))
    {
      g_autofree char *dir_name = g_strconcat (archive_name, "/", NULL);
      sym_archive_entry_copy_pathname (entry, dir_name);
    }
  else
    sym_archive_entry_copy_pathname (entry, archive_name);
  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (parent_fd, name, target, sizeof target - 1);

      if (n < 0)
        {
          sym_archive_entry_free (entry);
          return set_errno (&w->error, errno, _("Cannot read the link"), archive_name);
        }
      target[n] = '\0';
      sym_archive_entry_copy_symlink (entry, target);
    }
  if (!S_ISREG (st.st_mode))
    sym_archive_entry_set_size (entry, 0);
  else
    sym_archive_entry_linkify (w->links, &entry, &sparse);   /* a second name of a file: a hard link */

  if (entry != NULL)
    {
      if (sym_archive_write_header (w->archive, entry) < ARCHIVE_WARN)
        ok = writer_fail (w, archive_name);
      else if (S_ISREG (st.st_mode) && sym_archive_entry_size (entry) > 0)
        ok = write_file_data (w, fd, archive_name);
      sym_archive_entry_free (entry);
    }
  if (sparse != NULL)
    sym_archive_entry_free (sparse);
  if (ok && S_ISDIR (st.st_mode))
    ok = write_children (w, fd, archive_name);
  return ok;
}

gboolean
hatake_archive_write_tar (int            root_fd,
                          const char    *path,
                          int            out_fd,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(HatakeLibarchive) libarchive = NULL;
  Writer w = { .out_fd = out_fd, .cancellable = cancellable };
  auto_fd parent_fd = -1;
  g_autofree char *leaf = NULL, *name = NULL;
  gboolean ok;

  if (path != NULL && !path_follows_last (path))
    {
      /* the last component as it is: a symlink is archived as a symlink */
      g_autofree char *clean = clean_path (path);
      g_autofree char *dir = g_path_get_dirname (clean);

      leaf = g_path_get_basename (clean);
      if (g_str_equal (clean, "/"))
        {
          g_free (leaf);
          leaf = g_strdup (".");
        }
      parent_fd = hatake_archive_resolve (root_fd, dir, TRUE, error);
      if (parent_fd < 0)
        return FALSE;
    }
  else if (path != NULL)
    {
      parent_fd = hatake_archive_resolve (root_fd, path, TRUE, error);
      if (parent_fd < 0)
        return FALSE;
      leaf = g_strdup (".");
    }
  else if ((parent_fd = fcntl (root_fd, F_DUPFD_CLOEXEC, 3)) < 0)
    return set_errno (error, errno, _("Cannot open"), "/");

  libarchive = hatake_libarchive_load (error);
  if (libarchive == NULL)
    return FALSE;
  w.archive = sym_archive_write_new ();
  w.links = sym_archive_entry_linkresolver_new ();
  w.buffer = g_malloc (COPY_CHUNK);
  sym_archive_write_set_format_pax_restricted (w.archive);
  sym_archive_entry_linkresolver_set_strategy (w.links, sym_archive_format (w.archive));
  if (sym_archive_write_open (w.archive, &w, NULL, writer_write, NULL) != ARCHIVE_OK)
    ok = writer_fail (&w, path ? path : "/");
  else if (path == NULL)
    {
      /* docker export: the root's contents, named relative to it */
      auto_fd dir_fd = openat (parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

      ok = dir_fd >= 0 ? write_children (&w, dir_fd, "") : set_errno (&w.error, errno, _("Cannot open"), "/");
    }
  else
    {
      name = base_name (path);
      if (g_str_equal (name, "/"))
        {
          g_free (name);
          name = g_strdup (".");
        }
      ok = write_node (&w, parent_fd, leaf, name);
    }
  if (ok && sym_archive_write_close (w.archive) != ARCHIVE_OK)
    ok = writer_fail (&w, path ? path : "/");
  if (!ok)
    sym_archive_write_fail (w.archive);   /* no end of archive: the reader sees it cut short */
  sym_archive_write_free (w.archive);
  sym_archive_entry_linkresolver_free (w.links);
  g_free (w.buffer);
  if (!ok)
    g_propagate_error (error, w.error);
  return ok;
}

/* ---- a tar of files and bytes ----------------------------------------------------------------- */

struct _HatakeTarWriter
{
  Writer            w;
  gint64            mtime;
  HatakeLibarchive *libarchive;   /* NULL when it could not be loaded: w.error says why */
};

HatakeTarWriter *
hatake_tar_writer_new (int           out_fd,
                       GCancellable *cancellable)
{
  HatakeTarWriter *self = g_new0 (HatakeTarWriter, 1);

  self->w.out_fd = out_fd;
  self->w.cancellable = cancellable;
  self->w.buffer = g_malloc (COPY_CHUNK);
  self->mtime = g_get_real_time () / G_USEC_PER_SEC;
  self->libarchive = hatake_libarchive_load (&self->w.error);
  if (self->libarchive == NULL)
    return self;
  self->w.archive = sym_archive_write_new ();
  sym_archive_write_set_format_pax_restricted (self->w.archive);
  if (sym_archive_write_open (self->w.archive, &self->w, NULL, writer_write, NULL) != ARCHIVE_OK)
    writer_fail (&self->w, "archive");
  return self;
}

static struct archive_entry *
tar_writer_entry (HatakeTarWriter *self, const char *name, gint64 size)
{
  struct archive_entry *entry = sym_archive_entry_new ();

  sym_archive_entry_copy_pathname (entry, name);
  sym_archive_entry_set_filetype (entry, AE_IFREG);
  sym_archive_entry_set_perm (entry, 0644);
  sym_archive_entry_set_size (entry, size);
  sym_archive_entry_set_mtime (entry, self->mtime, 0);
  return entry;
}

gboolean
hatake_tar_writer_add_file (HatakeTarWriter  *self,
                            const char       *name,
                            const char       *path,
                            GError          **error)
{
  auto_fd fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct archive_entry *entry;
  struct stat st;
  gboolean ok;

  if (self->w.error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->w.error));
      return FALSE;
    }
  if (fd < 0 || fstat (fd, &st) < 0)
    return set_errno (error, errno, _("Cannot open"), path);
  entry = tar_writer_entry (self, name, st.st_size);
  ok = sym_archive_write_header (self->w.archive, entry) >= ARCHIVE_WARN ? write_file_data (&self->w, fd, name)
                                                                     : writer_fail (&self->w, name);
  sym_archive_entry_free (entry);
  if (!ok)
    g_propagate_error (error, g_error_copy (self->w.error));
  return ok;
}

gboolean
hatake_tar_writer_add_bytes (HatakeTarWriter  *self,
                             const char       *name,
                             GBytes           *bytes,
                             GError          **error)
{
  gsize length = 0;
  const void *data = g_bytes_get_data (bytes, &length);
  struct archive_entry *entry;
  gboolean ok = self->w.error == NULL;

  if (ok)
    {
      entry = tar_writer_entry (self, name, length);
      ok = sym_archive_write_header (self->w.archive, entry) >= ARCHIVE_WARN &&
           (length == 0 || sym_archive_write_data (self->w.archive, data, length) >= 0);
      sym_archive_entry_free (entry);
      if (!ok)
        writer_fail (&self->w, name);
    }
  if (!ok)
    g_propagate_error (error, g_error_copy (self->w.error));
  return ok;
}

gboolean
hatake_tar_writer_close (HatakeTarWriter  *self,
                         gboolean          abort,
                         GError          **error)
{
  gboolean ok = self->w.error == NULL;

  if (ok && !abort && sym_archive_write_close (self->w.archive) != ARCHIVE_OK)
    ok = writer_fail (&self->w, "archive");
  if (self->libarchive != NULL)
    {
      if (abort || !ok)
        sym_archive_write_fail (self->w.archive);   /* no end of archive: a reader sees it cut short */
      sym_archive_write_free (self->w.archive);
      hatake_libarchive_unload (self->libarchive);
    }
  g_free (self->w.buffer);
  if (!ok && self->w.error != NULL)
    g_propagate_error (error, self->w.error);
  else
    g_clear_error (&self->w.error);
  g_free (self);
  return ok || abort;
}

/* ---- extracting ----------------------------------------------------------------------------- */

/* The directory DIR (a cleaned path inside the root), made with its missing parents. */
static int
open_dir_creating (int root_fd, const char *dir, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (dir, "/", -1);
  g_autoptr(GString) prefix = g_string_new ("/");
  int fd = resolve_clean (root_fd, dir, TRUE);

  if (fd >= 0 || errno != ENOENT)
    {
      if (fd < 0)
        set_errno (error, errno, _("Cannot open"), dir);
      return fd;
    }
  for (guint i = 0; parts[i]; i++)
    {
      auto_fd parent = -1;

      if (*parts[i] == '\0')
        continue;
      parent = resolve_clean (root_fd, prefix->str, TRUE);
      if (parent < 0)
        {
          set_errno (error, errno, _("Cannot open"), prefix->str);
          return -1;
        }
      if (mkdirat (parent, parts[i], 0755) < 0 && errno != EEXIST)
        {
          set_errno (error, errno, _("Cannot create"), parts[i]);
          return -1;
        }
      if (prefix->len > 1)
        g_string_append_c (prefix, '/');
      g_string_append (prefix, parts[i]);
    }
  fd = resolve_clean (root_fd, dir, TRUE);
  if (fd < 0)
    set_errno (error, errno, _("Cannot open"), dir);
  return fd;
}

/* "a/./b/" → "a/b"; NULL when it climbs out (docker: "is outside of"). */
static char *
entry_relative (const char *name)
{
  g_auto(GStrv) parts = g_strsplit (name, "/", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; parts[i]; i++)
    {
      if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        {
          if (kept->len == 0)
            return NULL;
          g_ptr_array_set_size (kept, kept->len - 1);
          continue;
        }
      g_ptr_array_add (kept, parts[i]);
    }
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("/", (char **) kept->pdata);
}

static gboolean
remove_existing (int parent_fd, const char *leaf, const char *name, GError **error)
{
  struct stat st;
  g_autofree char *proc = NULL;

  if (fstatat (parent_fd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? TRUE : set_errno (error, errno, _("Cannot stat"), name);
  if (!S_ISDIR (st.st_mode))
    return unlinkat (parent_fd, leaf, 0) == 0 || errno == ENOENT ? TRUE : set_errno (error, errno, _("Cannot remove"), name);
  /* through the parent's fd: the tree is removed without following a symlink */
  proc = g_strdup_printf ("/proc/self/fd/%d/%s", parent_fd, leaf);
  return hatake_rm_rf (proc, error);
}

static gboolean
extract_data (struct archive *a, int fd, const char *name, GError **error)
{
  const void *block;
  size_t size;
  la_int64_t offset;
  int r;

  while ((r = sym_archive_read_data_block (a, &block, &size, &offset)) == ARCHIVE_OK)
    {
      size_t done = 0;

      while (done < size)
        {
          ssize_t n = pwrite (fd, (const char *) block + done, size - done, offset + done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return set_errno (error, errno, _("Cannot write"), name);
          done += n;
        }
    }
  if (r != ARCHIVE_EOF)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Cannot read the archive at %s: %s"), name,
                   sym_archive_error_string (a));
      return FALSE;
    }
  return TRUE;
}

static gboolean
extract_entry (struct archive *a, struct archive_entry *entry, int root_fd, const char *dest,
               HatakeArchiveFlags flags, GError **error)
{
  const char *raw = sym_archive_entry_pathname (entry);
  g_autofree char *rel = raw ? entry_relative (raw) : NULL;
  g_autofree char *full = NULL, *dir = NULL, *leaf = NULL;
  mode_t type = sym_archive_entry_filetype (entry);
  mode_t mode = sym_archive_entry_perm (entry);
  auto_fd parent_fd = -1;
  struct stat st;
  gboolean is_dir = type == AE_IFDIR;

  if (rel == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The archive's entry %s is outside of the destination %s"), raw ? raw : "", dest);
      return FALSE;
    }
  if (*rel == '\0')
    return TRUE;   /* "./": the destination itself */
  full = g_build_filename (dest, rel, NULL);
  dir = g_path_get_dirname (full);
  leaf = g_path_get_basename (full);
  parent_fd = open_dir_creating (root_fd, dir, error);
  if (parent_fd < 0)
    return FALSE;

  if (fstatat (parent_fd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if ((flags & HATAKE_ARCHIVE_NO_OVERWRITE_DIR) && S_ISDIR (st.st_mode) && !is_dir)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("cannot overwrite directory \"%s\" with non-directory \"%s\""), full, raw);
          return FALSE;
        }
      if ((flags & HATAKE_ARCHIVE_NO_OVERWRITE_DIR) && !S_ISDIR (st.st_mode) && is_dir)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("cannot overwrite non-directory \"%s\" with directory \"%s\""), full, raw);
          return FALSE;
        }
      if (!(S_ISDIR (st.st_mode) && is_dir) && !remove_existing (parent_fd, leaf, full, error))
        return FALSE;
    }

  if (sym_archive_entry_hardlink (entry) != NULL)
    {
      g_autofree char *target_rel = entry_relative (sym_archive_entry_hardlink (entry));
      g_autofree char *target = target_rel ? g_build_filename (dest, target_rel, NULL) : NULL;
      auto_fd target_fd = target ? resolve_clean (root_fd, target, FALSE) : -1;
      struct stat tst;

      if (target_fd < 0 || fstat (target_fd, &tst) < 0 || S_ISDIR (tst.st_mode))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The archive's hard link %s points to %s, which is not a file in the destination"),
                       raw, sym_archive_entry_hardlink (entry));
          return FALSE;
        }
      if (linkat (target_fd, "", parent_fd, leaf, AT_EMPTY_PATH) < 0)
        return set_errno (error, errno, _("Cannot link"), full);
      return TRUE;
    }

  switch (type)
    {
    case AE_IFDIR:
      if (mkdirat (parent_fd, leaf, 0700) < 0 && errno != EEXIST)
        return set_errno (error, errno, _("Cannot create"), full);
      break;
    case AE_IFREG:
      {
        auto_fd fd = openat (parent_fd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (fd < 0)
          return set_errno (error, errno, _("Cannot create"), full);
        if (!extract_data (a, fd, full, error))
          return FALSE;
      }
      break;
    case AE_IFLNK:
      if (symlinkat (sym_archive_entry_symlink (entry) ? sym_archive_entry_symlink (entry) : "", parent_fd, leaf) < 0)
        return set_errno (error, errno, _("Cannot create"), full);
      break;
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      if (mknodat (parent_fd, leaf, type | 0600, sym_archive_entry_rdev (entry)) < 0)
        return set_errno (error, errno, _("Cannot create"), full);
      break;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("The archive's entry %s has an unsupported type"), raw);
      return FALSE;
    }

  /* owner (only root can give files away), then mode (a chown clears setuid bits), then
   * times; never through a symlink */
  if (geteuid () == 0 && fchownat (parent_fd, leaf,
                (flags & HATAKE_ARCHIVE_KEEP_OWNERS) ? (uid_t) sym_archive_entry_uid (entry) : 0,
                (flags & HATAKE_ARCHIVE_KEEP_OWNERS) ? (gid_t) sym_archive_entry_gid (entry) : 0,
                AT_SYMLINK_NOFOLLOW) < 0)
    return set_errno (error, errno, _("Cannot change the owner of"), full);
  if (type != AE_IFLNK && fchmodat (parent_fd, leaf, mode, 0) < 0)
    return set_errno (error, errno, _("Cannot change the mode of"), full);
  {
    struct timespec times[2] = {
      { .tv_sec = sym_archive_entry_atime (entry), .tv_nsec = sym_archive_entry_atime_nsec (entry) },
      { .tv_sec = sym_archive_entry_mtime (entry), .tv_nsec = sym_archive_entry_mtime_nsec (entry) },
    };

    if (!sym_archive_entry_atime_is_set (entry))
      times[0] = times[1];
    utimensat (parent_fd, leaf, times, AT_SYMLINK_NOFOLLOW);
  }
  return TRUE;
}

typedef struct
{
  GInputStream *in;
  GCancellable *cancellable;
  char         *buffer;
} Reader;

static la_ssize_t
reader_read (struct archive *a, void *user_data, const void **data)
{
  Reader *r = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read (r->in, r->buffer, COPY_CHUNK, r->cancellable, &error);

  if (n < 0)
    {
      sym_archive_set_error (a, EIO, "%s", error->message);
      return -1;
    }
  *data = r->buffer;
  return n;
}

gboolean
hatake_archive_extract (int                         root_fd,
                        const char                 *path,
                        GInputStream               *in,
                        HatakeArchiveFlags   flags,
                        GCancellable               *cancellable,
                        GError                    **error)
{
  g_autoptr(HatakeLibarchive) libarchive = NULL;   /* first: released after the archive */
  g_autofree char *dest = clean_path (path);
  auto_fd dest_fd = resolve_clean (root_fd, dest, TRUE);
  Reader reader = { .in = in, .cancellable = cancellable };
  struct archive *a;
  struct archive_entry *entry;
  struct stat st;
  gboolean ok = TRUE;
  int r;

  if (dest_fd < 0 || fstat (dest_fd, &st) < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("Could not find the file %s in container"), path);
      else
        set_errno (error, errno, _("Cannot open"), path);
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("extraction point is not a directory"));
      return FALSE;
    }

  libarchive = hatake_libarchive_load (error);
  if (libarchive == NULL)
    return FALSE;
  a = sym_archive_read_new ();
  sym_archive_read_support_format_tar (a);
  sym_archive_read_support_format_gnutar (a);
  hatake_libarchive_read_support_compressions (a);
  reader.buffer = g_malloc (COPY_CHUNK);
  if (sym_archive_read_open (a, &reader, NULL, reader_read, NULL) != ARCHIVE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Cannot read the archive: %s"),
                   sym_archive_error_string (a));
      sym_archive_read_free (a);
      g_free (reader.buffer);
      return FALSE;
    }
  while (ok && (r = sym_archive_read_next_header (a, &entry)) != ARCHIVE_EOF)
    {
      if (r < ARCHIVE_WARN)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Cannot read the archive: %s"),
                       sym_archive_error_string (a));
          ok = FALSE;
        }
      else if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      else
        ok = extract_entry (a, entry, root_fd, dest, flags, error);
    }
  sym_archive_read_free (a);
  g_free (reader.buffer);
  return ok;
}
