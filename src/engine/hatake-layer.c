/* hatake-layer.c: safe unpacking of image layers into overlayfs form
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pass over the blob: archive "raw" decompresses it (gzip, zstd, and the bzip2/xz that docker
 * also accepts), and every decompressed byte goes through the hasher on its way into a second
 * archive that only parses tar. So the diff ID covers exactly the uncompressed stream, trailing
 * zero blocks and padding included, and the limits against decompression bombs apply to the
 * same bytes.
 *
 * Entries are never written by host path. Each parent directory is opened with openat2() relative
 * to the layer root with RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_XDEV, and the leaf is made with *at() calls relative to that parent's fd, without
 * following a symlink at the leaf either. Policies:
 *  - a leading '/' is dropped (absolute names are relative to the layer root, as docker does);
 *  - ".." that would climb above the root is refused (docker refuses it too, "breakout");
 *  - a parent path that goes through a symlink is refused. A layer directory starts empty, so
 *    such a symlink can only come from this same layer, and a tar made from a file system never
 *    has entries below a symlink: only crafted layers do. Refusing is simpler to get right than
 *    following the link inside the root, and nothing can land outside dest_dir either way;
 *  - hardlink targets are resolved the same way and must exist, inside the root, and not be
 *    directories;
 *  - xattrs named trusted.overlay.* in the tar are dropped: overlayfs reads them (redirects,
 *    metacopy, opacity), and only this file decides which of them a layer gets.
 * Where openat2() answers ENOSYS (old kernels, some seccomp profiles, valgrind) the same rules are
 * applied by walking one component at a time with O_NOFOLLOW (open_walk).
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "hatake-digest.h"
#include "hatake-error.h"
#include "hatake-layer.h"
#include "hatake-layer-private.h"
#include "hatake-libarchive.h"

#define READ_CHUNK        (256 * 1024)
#define RATIO_GRACE_BYTES (1024 * 1024)        /* the ratio check starts past this much output */
#define PROGRESS_STEP     (256 * 1024)


typedef int HatakeFd;

static void
hatake_fd_close (int fd)
{
  if (fd >= 0)
    close (fd);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HatakeFd, hatake_fd_close, -1)

typedef struct archive HatakeArchive;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeArchive, sym_archive_read_free)

/* The decompressed stream, hashed and counted as the tar reader pulls it. */
typedef struct
{
  struct archive          *raw;
  HatakeHasher            *hasher;
  const HatakeLayerLimits *limits;
  HatakeLayerProgressFunc  progress;
  gpointer                 progress_data;
  GCancellable            *cancellable;
  guint64                  total;
  guint64                  progress_reported;
  const char              *current_entry;
  GError                  *error;
  gboolean                 eof;
  char                    *buffer;
} Stream;

typedef struct
{
  mode_t          mode;
  struct timespec times[2];
} DirMeta;

typedef struct
{
  int                      root_fd;
  struct archive          *tar;
  const HatakeLayerLimits *limits;
  GHashTable              *dirs;   /* relative path → DirMeta, applied after all entries */
  guint64                  size;
} Unpack;

static void
stream_report_progress (Stream   *s,
                        gboolean  force)
{
  la_int64_t done;

  if (s->progress == NULL)
    return;
  done = sym_archive_filter_bytes (s->raw, -1);
  if (done < 0)
    return;
  if (force || (guint64) done >= s->progress_reported + PROGRESS_STEP)
    {
      s->progress_reported = done;
      s->progress (done, s->progress_data);
    }
}

static const char *
stream_where (Stream *s)
{
  return s->current_entry != NULL ? s->current_entry : "(before the first entry)";
}

/* Returns the number of bytes in s->buffer, 0 at the end, -1 with s->error set. */
static gssize
stream_pull (Stream *s)
{
  la_ssize_t n;

  if (s->error != NULL)
    return -1;
  if (s->eof)
    return 0;
  if (g_cancellable_set_error_if_cancelled (s->cancellable, &s->error))
    return -1;

  n = sym_archive_read_data (s->raw, s->buffer, READ_CHUNK);
  if (n < 0)
    {
      g_set_error (&s->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Cannot decompress the layer at entry “%s”: %s"), stream_where (s),
                   sym_archive_error_string (s->raw) ? sym_archive_error_string (s->raw) : "unknown error");
      return -1;
    }
  if (n == 0)
    {
      s->eof = TRUE;
      stream_report_progress (s, TRUE);
      return 0;
    }

  hatake_hasher_update (s->hasher, s->buffer, n);
  s->total += n;

  if (s->limits->max_bytes > 0 && s->total > s->limits->max_bytes)
    {
      g_set_error (&s->error, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER,
                   "Layer entry “%s”: the layer is over the limit of %" G_GUINT64_FORMAT
                   " uncompressed bytes (max_bytes); refusing a possible decompression bomb",
                   stream_where (s), s->limits->max_bytes);
      return -1;
    }
  if (s->limits->max_ratio > 0 && s->total > RATIO_GRACE_BYTES)
    {
      la_int64_t compressed = sym_archive_filter_bytes (s->raw, -1);

      if (compressed > 0 && s->total / (guint64) compressed > s->limits->max_ratio)
        {
          g_set_error (&s->error, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER,
                       "Layer entry “%s”: %" G_GUINT64_FORMAT " uncompressed bytes from %"
                       G_GINT64_FORMAT " compressed bytes is over the limit of %u:1 (max_ratio); "
                       "refusing a possible decompression bomb",
                       stream_where (s), s->total, (gint64) compressed, s->limits->max_ratio);
          return -1;
        }
    }

  stream_report_progress (s, FALSE);
  return n;
}

static la_ssize_t
tar_read_cb (struct archive *a,
             void           *user_data,
             const void    **buffer)
{
  Stream *s = user_data;
  gssize n = stream_pull (s);

  *buffer = s->buffer;
  if (n < 0)
    {
      sym_archive_set_error (a, EIO, "%s", s->error->message);
      return ARCHIVE_FATAL;
    }
  return n;
}

/* Set when the kernel has no openat2() (before 5.6, or a seccomp profile that answers ENOSYS,
 * and valgrind 3.19), or by the tests. */
static gint force_walk;

void
_hatake_layer_force_path_walk (gboolean force)
{
  g_atomic_int_set (&force_walk, force ? 1 : 0);
}

/* The fallback for openat2() with the flags below: one component at a time with O_NOFOLLOW, refusing any
 * symlink on the way (ELOOP) except a final one asked for with O_PATH | O_NOFOLLOW. Paths here are
 * already clean (no ".."); ".." is refused anyway. */
static int
open_walk (int         root_fd,
           const char *path,
           int         flags)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_auto(HatakeFd) cur = -1;
  struct stat st;
  char proc[64];

  cur = fcntl (root_fd, F_DUPFD_CLOEXEC, 3);
  if (cur < 0 || fstat (cur, &st) < 0)
    return -1;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = parts[i];
      gboolean last = parts[i + 1] == NULL;
      int next;

      if (name[0] == '\0' || strcmp (name, ".") == 0)
        continue;
      if (strcmp (name, "..") == 0)
        {
          errno = EXDEV;
          return -1;
        }
      if (!S_ISDIR (st.st_mode))
        {
          errno = ENOTDIR;
          return -1;
        }
      next = openat (cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        return -1;
      close (cur);
      cur = next;
      if (fstat (cur, &st) < 0)
        return -1;
      if (S_ISLNK (st.st_mode) && !(last && (flags & O_PATH) && (flags & O_NOFOLLOW)))
        {
          errno = ELOOP;
          return -1;
        }
    }
  if ((flags & O_DIRECTORY) && !S_ISDIR (st.st_mode))
    {
      errno = ENOTDIR;
      return -1;
    }
  if (flags & O_PATH)
    return g_steal_fd (&cur);
  /* Reopen the very inode reached, not the name again. */
  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", (int) cur);
  return open (proc, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
}

/* Every path inside the layer is opened here: beneath root_fd, through no symlink, no magic link
 * and no mount point. */
static int
open_in_root (int         root_fd,
              const char *path,
              int         flags)
{
  struct open_how how = {
    .flags = flags | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  int fd;

  if (g_atomic_int_get (&force_walk))
    return open_walk (root_fd, path, flags);
  do
    fd = syscall (SYS_openat2, root_fd, path, &how, sizeof how);
  while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  if (fd < 0 && errno == ENOSYS)
    {
      g_debug ("openat2() is not available: resolving layer paths one component at a time");
      g_atomic_int_set (&force_walk, 1);
      return open_walk (root_fd, path, flags);
    }
  return fd;
}

static gboolean
set_errno_error (GError    **error,
                 int         errsv,
                 const char *entry,
                 const char *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               _("Layer entry “%s”: %s: %s"), entry, what, g_strerror (errsv));
  return FALSE;
}

static gboolean
set_unsafe_error (GError    **error,
                  const char *entry,
                  const char *why)
{
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER,
               _("Unsafe layer entry “%s”: %s"), entry, why);
  return FALSE;
}

/* Splits a tar name into clean components. A leading '/' is dropped; ".." pops a component and is
 * refused when there is nothing left to pop. A component that looks like a whiteout anywhere but
 * at the end is refused: ".wh.x/y" or ".wh..." followed by more is never a real whiteout. */
static gboolean
split_path (const char  *name,
            const char  *entry,
            GPtrArray   *out,
            GError     **error)
{
  g_auto(GStrv) raw = g_strsplit (name, "/", -1);
  guint last = 0;

  for (guint i = 0; raw[i] != NULL; i++)
    if (raw[i][0] != '\0' && strcmp (raw[i], ".") != 0)
      last = i;

  for (guint i = 0; raw[i] != NULL; i++)
    {
      const char *part = raw[i];

      if (part[0] == '\0' || strcmp (part, ".") == 0)
        continue;
      if (i != last && g_str_has_prefix (part, ".wh."))
        return set_unsafe_error (error, entry, "a whiteout name is used as a directory");
      if (strcmp (part, "..") == 0)
        {
          if (out->len == 0)
            return set_unsafe_error (error, entry, "its path climbs above the layer root");
          g_ptr_array_remove_index (out, out->len - 1);
          continue;
        }
      g_ptr_array_add (out, g_strdup (part));
    }
  return TRUE;
}

static char *
join_path (GPtrArray *parts,
           guint      n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (s, '/');
      g_string_append (s, g_ptr_array_index (parts, i));
    }
  if (s->len == 0)
    g_string_append_c (s, '.');
  return g_string_free (s, FALSE);
}

static gboolean
set_resolve_error (GError    **error,
                   int         errsv,
                   const char *entry,
                   const char *what)
{
  if (errsv == ELOOP)
    return set_unsafe_error (error, entry, "its path goes through a symbolic link");
  if (errsv == EXDEV)
    return set_unsafe_error (error, entry, "its path leaves the layer root");
  return set_errno_error (error, errsv, entry, what);
}

/* Returns an O_PATH fd on the directory made of the first n parts, creating missing directories
 * (0755, as docker does) one component at a time, each beneath the previous one. */
static int
open_parent (Unpack     *u,
             GPtrArray  *parts,
             guint       n,
             const char *entry,
             GError    **error)
{
  g_autofree char *path = join_path (parts, n);
  g_auto(HatakeFd) cur = -1;
  int fd;

  fd = open_in_root (u->root_fd, path, O_PATH | O_DIRECTORY);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    {
      set_resolve_error (error, errno, entry, "cannot open its parent directory");
      return -1;
    }

  cur = fcntl (u->root_fd, F_DUPFD_CLOEXEC, 3);
  if (cur < 0)
    {
      set_errno_error (error, errno, entry, "cannot duplicate the root fd");
      return -1;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *name = g_ptr_array_index (parts, i);
      int next;

      next = open_in_root (cur, name, O_PATH | O_DIRECTORY);
      if (next < 0 && errno == ENOENT)
        {
          if (mkdirat (cur, name, 0755) < 0 && errno != EEXIST)
            {
              set_errno_error (error, errno, entry, "cannot create a parent directory");
              return -1;
            }
          next = open_in_root (cur, name, O_PATH | O_DIRECTORY);
        }
      if (next < 0)
        {
          set_resolve_error (error, errno, entry, "cannot open a parent directory");
          return -1;
        }
      close (cur);
      cur = next;
    }
  return g_steal_fd (&cur);
}

gboolean
hatake_is_mount_root (int         dfd,
                      const char *path)
{
  struct statx stx;

  return statx (dfd, path, AT_SYMLINK_NOFOLLOW | (path[0] == '\0' ? AT_EMPTY_PATH : 0), 0, &stx) == 0 &&
         (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

/* Removes dfd/name, recursing into directories without following symlinks, nor into another
 * filesystem mounted on one below name (EBUSY: what a volume's bind mount shows is the host's,
 * not ours to remove). Returns 0 or errno. */
static int
rm_rf_at (int         dfd,
          const char *name,
          gboolean    below)
{
  int fd;
  DIR *dir;
  int err = 0;

  if (unlinkat (dfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return errno;

  fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : errno;
  if (below && hatake_is_mount_root (fd, ""))
    {
      close (fd);
      return EBUSY;
    }
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      err = errno;
      close (fd);
      return err;
    }

  /* Removing entries while reading a directory may make readdir() skip some: go round until
   * a pass finds nothing left. */
  for (gboolean removed = TRUE; removed && err == 0;)
    {
      struct dirent *de;

      removed = FALSE;
      rewinddir (dir);
      while (err == 0)
        {
          errno = 0;
          de = readdir (dir);
          if (de == NULL)
            {
              err = errno;
              break;
            }
          if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
            continue;
          err = rm_rf_at (dirfd (dir), de->d_name, TRUE);
          removed = TRUE;
        }
    }
  closedir (dir);
  if (err != 0)
    return err;
  if (unlinkat (dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return errno;
  return 0;
}

/* Makes room for a new leaf. Returns TRUE with *out_is_dir when a directory stays (both the old
 * and the new entry are directories: they merge). */
static gboolean
clear_leaf (int          parent_fd,
            const char  *leaf,
            gboolean     new_is_dir,
            gboolean    *out_is_dir,
            const char  *entry,
            GError     **error)
{
  struct stat st;
  int err;

  *out_is_dir = FALSE;
  if (fstatat (parent_fd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return set_errno_error (error, errno, entry, "cannot inspect the existing file");
    }
  if (S_ISDIR (st.st_mode) && new_is_dir)
    {
      *out_is_dir = TRUE;
      return TRUE;
    }
  err = rm_rf_at (parent_fd, leaf, TRUE);
  if (err != 0)
    return set_errno_error (error, err, entry, "cannot replace the existing file");
  return TRUE;
}

static gboolean
apply_xattrs (struct archive_entry *ae,
              int                   fd,
              gboolean              is_path_fd,
              const char           *entry,
              GError              **error)
{
  const char *name;
  const void *value;
  size_t size;

  if (sym_archive_entry_xattr_reset (ae) == 0)
    return TRUE;
  while (sym_archive_entry_xattr_next (ae, &name, &value, &size) == ARCHIVE_OK)
    {
      int r;

      if (name == NULL || name[0] == '\0')
        continue;
      if (g_str_has_prefix (name, "trusted.overlay."))
        {
          g_debug ("Layer entry “%s”: dropping the xattr %s", entry, name);
          continue;
        }
      if (is_path_fd)
        {
          /* An O_PATH fd (symlinks, devices): the /proc magic link reaches the inode itself. */
          char proc[64];

          g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
          r = setxattr (proc, name, value, size, 0);
        }
      else
        r = fsetxattr (fd, name, value, size, 0);
      if (r < 0)
        {
          int errsv = errno;

          /* As docker: file systems without xattrs, or attributes we may not set (security.*
           * without CAP_SYS_ADMIN, user.* on symlinks), are not worth failing a pull over. */
          if (errsv == EPERM || errsv == ENOTSUP || errsv == EACCES)
            {
              g_debug ("Layer entry “%s”: skipping the xattr %s: %s", entry, name, g_strerror (errsv));
              continue;
            }
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Layer entry “%s”: cannot set the xattr %s: %s"), entry, name, g_strerror (errsv));
          return FALSE;
        }
    }
  return TRUE;
}

static void
entry_times (struct archive_entry *ae,
             struct timespec       times[2])
{
  if (sym_archive_entry_mtime_is_set (ae))
    {
      times[1].tv_sec = sym_archive_entry_mtime (ae);
      times[1].tv_nsec = sym_archive_entry_mtime_nsec (ae);
    }
  else
    times[1].tv_nsec = UTIME_OMIT;
  if (sym_archive_entry_atime_is_set (ae))
    {
      times[0].tv_sec = sym_archive_entry_atime (ae);
      times[0].tv_nsec = sym_archive_entry_atime_nsec (ae);
    }
  else
    times[0] = times[1];
}

static gboolean
unpack_whiteout (Unpack                *u,
                 struct archive_entry  *ae,
                 int                    parent_fd,
                 const char            *leaf,
                 const char            *entry,
                 GError               **error)
{
  const char *target = leaf + strlen (".wh.");
  int err;

  if (strcmp (leaf, ".wh..wh..opq") == 0)
    {
      g_auto(HatakeFd) dir_fd = -1;

      if (sym_archive_entry_hardlink (ae) != NULL || sym_archive_entry_filetype (ae) != AE_IFREG)
        return set_unsafe_error (error, entry, "an opaque-directory marker that is not a plain file");
      dir_fd = openat (parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd < 0)
        return set_errno_error (error, errno, entry, "cannot open the opaque directory");
      if (fsetxattr (dir_fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
        return set_errno_error (error, errno, entry, "cannot mark the directory opaque");
      return TRUE;
    }
  if (g_str_has_prefix (leaf, ".wh..wh."))
    {
      g_debug ("Layer entry “%s”: ignoring aufs metadata", entry);
      return TRUE;
    }
  if (target[0] == '\0' || strcmp (target, ".") == 0 || strcmp (target, "..") == 0
      || strchr (target, '/') != NULL)
    return set_unsafe_error (error, entry, "a malformed whiteout");

  err = rm_rf_at (parent_fd, target, TRUE);
  if (err != 0)
    return set_errno_error (error, err, entry, "cannot remove the whited-out file");
  if (mknodat (parent_fd, target, S_IFCHR | 0000, makedev (0, 0)) < 0)
    return set_errno_error (error, errno, entry, "cannot create the overlay whiteout");
  return TRUE;
}

static gboolean
unpack_hardlink (Unpack                *u,
                 struct archive_entry  *ae,
                 const char            *link_name,
                 int                    parent_fd,
                 const char            *leaf,
                 const char            *entry,
                 GError               **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *target = NULL;
  g_auto(HatakeFd) target_fd = -1;
  struct stat st, existing;
  gboolean is_dir;

  if (!split_path (link_name, entry, parts, error))
    return FALSE;
  if (parts->len == 0)
    return set_unsafe_error (error, entry, "a hardlink to the layer root");
  target = join_path (parts, parts->len);
  target_fd = open_in_root (u->root_fd, target, O_PATH | O_NOFOLLOW);
  if (target_fd < 0)
    {
      int errsv = errno;

      if (errsv == ENOENT || errsv == ENOTDIR)
        {
          g_autofree char *why = g_strdup_printf ("its hardlink target “%s” is not in the layer",
                                                  link_name);
          return set_unsafe_error (error, entry, why);
        }
      return set_resolve_error (error, errsv, entry, "cannot open its hardlink target");
    }
  if (fstat (target_fd, &st) < 0)
    return set_errno_error (error, errno, entry, "cannot inspect its hardlink target");
  if (S_ISDIR (st.st_mode))
    return set_unsafe_error (error, entry, "a hardlink to a directory");

  if (fstatat (parent_fd, leaf, &existing, AT_SYMLINK_NOFOLLOW) == 0
      && existing.st_dev == st.st_dev && existing.st_ino == st.st_ino)
    return TRUE;
  if (!clear_leaf (parent_fd, leaf, FALSE, &is_dir, entry, error))
    return FALSE;

  if (linkat (target_fd, "", parent_fd, leaf, AT_EMPTY_PATH) < 0)
    {
      char proc[64];

      /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the magic link does not. */
      g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", (int) target_fd);
      if (linkat (AT_FDCWD, proc, parent_fd, leaf, AT_SYMLINK_FOLLOW) < 0)
        return set_errno_error (error, errno, entry, "cannot create the hardlink");
    }
  return TRUE;
}

static gboolean
write_file_data (Unpack      *u,
                 int          fd,
                 la_int64_t   size,
                 const char  *entry,
                 GError     **error)
{
  la_int64_t end = 0;

  for (;;)
    {
      const void *buf;
      size_t len;
      la_int64_t offset;
      int r = sym_archive_read_data_block (u->tar, &buf, &len, &offset);

      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          /* When the stream failed (a limit, cancellation) the caller reports that instead. */
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Layer entry “%s”: cannot read its data: %s"), entry,
                       sym_archive_error_string (u->tar) ? sym_archive_error_string (u->tar) : "unknown error");
          return FALSE;
        }
      for (size_t done = 0; done < len;)
        {
          ssize_t n = pwrite (fd, (const char *) buf + done, len - done, offset + done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return set_errno_error (error, errno, entry, "cannot write");
          done += n;
        }
      end = MAX (end, offset + (la_int64_t) len);
    }
  /* A sparse file's last hole has no data block. */
  if (size > end && ftruncate (fd, size) < 0)
    return set_errno_error (error, errno, entry, "cannot set the size");
  return TRUE;
}

static gboolean
unpack_entry (Unpack                *u,
              struct archive_entry  *ae,
              const char            *entry,
              GError               **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_auto(HatakeFd) parent_fd = -1;
  g_auto(HatakeFd) fd = -1;
  const char *hardlink = sym_archive_entry_hardlink (ae);
  mode_t type = sym_archive_entry_filetype (ae);
  mode_t mode = sym_archive_entry_perm (ae) & 07777;
  uid_t uid = sym_archive_entry_uid (ae);
  gid_t gid = sym_archive_entry_gid (ae);
  struct timespec times[2];
  const char *leaf;
  gboolean is_dir = FALSE;

  if (hardlink == NULL)
    hardlink = sym_archive_entry_hardlink_utf8 (ae);
  entry_times (ae, times);

  if (!split_path (entry, entry, parts, error))
    return FALSE;

  if (parts->len == 0)
    {
      DirMeta *meta;

      /* "./": the layer root itself, whose owner, mode and times docker applies too. */
      if (hardlink != NULL || type != AE_IFDIR)
        return set_unsafe_error (error, entry, "names the layer root but is not a directory");
      fd = openat (u->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        return set_errno_error (error, errno, entry, "cannot open the layer root");
      if (fchown (fd, uid, gid) < 0)
        return set_errno_error (error, errno, entry, "cannot change the owner");
      if (!apply_xattrs (ae, fd, FALSE, entry, error))
        return FALSE;
      meta = g_new0 (DirMeta, 1);
      meta->mode = mode;
      memcpy (meta->times, times, sizeof meta->times);
      g_hash_table_replace (u->dirs, g_strdup ("."), meta);
      return TRUE;
    }

  leaf = g_ptr_array_index (parts, parts->len - 1);
  parent_fd = open_parent (u, parts, parts->len - 1, entry, error);
  if (parent_fd < 0)
    return FALSE;

  if (g_str_has_prefix (leaf, ".wh."))
    return unpack_whiteout (u, ae, parent_fd, leaf, entry, error);

  if (hardlink != NULL)
    return unpack_hardlink (u, ae, hardlink, parent_fd, leaf, entry, error);

  switch (type)
    {
    case AE_IFREG:
      if (!clear_leaf (parent_fd, leaf, FALSE, &is_dir, entry, error))
        return FALSE;
      fd = openat (parent_fd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        return set_errno_error (error, errno, entry, "cannot create the file");
      if (!write_file_data (u, fd, sym_archive_entry_size (ae), entry, error))
        return FALSE;
      u->size += MAX (sym_archive_entry_size (ae), 0);
      /* chown first: it clears setuid and setgid bits. */
      if (fchown (fd, uid, gid) < 0)
        return set_errno_error (error, errno, entry, "cannot change the owner");
      if (fchmod (fd, mode) < 0)
        return set_errno_error (error, errno, entry, "cannot change the mode");
      if (!apply_xattrs (ae, fd, FALSE, entry, error))
        return FALSE;
      if (futimens (fd, times) < 0)
        return set_errno_error (error, errno, entry, "cannot set the times");
      return TRUE;

    case AE_IFDIR:
      {
        g_autofree char *path = NULL;
        DirMeta *meta;

        if (!clear_leaf (parent_fd, leaf, TRUE, &is_dir, entry, error))
          return FALSE;
        if (!is_dir && mkdirat (parent_fd, leaf, 0700) < 0)
          return set_errno_error (error, errno, entry, "cannot create the directory");
        fd = openat (parent_fd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
          return set_errno_error (error, errno, entry, "cannot open the directory");
        if (fchown (fd, uid, gid) < 0)
          return set_errno_error (error, errno, entry, "cannot change the owner");
        if (!apply_xattrs (ae, fd, FALSE, entry, error))
          return FALSE;
        /* The mode and times wait until the end: writing inside would change the times, and a
         * read-only mode would stop the writes of an unprivileged engine. */
        path = join_path (parts, parts->len);
        meta = g_new0 (DirMeta, 1);
        meta->mode = mode;
        memcpy (meta->times, times, sizeof meta->times);
        g_hash_table_replace (u->dirs, g_steal_pointer (&path), meta);
        return TRUE;
      }

    case AE_IFLNK:
      {
        const char *target = sym_archive_entry_symlink (ae);

        if (target == NULL)
          target = sym_archive_entry_symlink_utf8 (ae);
        if (target == NULL)
          return set_unsafe_error (error, entry, "a symbolic link without a target");
        if (!clear_leaf (parent_fd, leaf, FALSE, &is_dir, entry, error))
          return FALSE;
        /* The target is stored, never followed here: at run time it resolves in the container. */
        if (symlinkat (target, parent_fd, leaf) < 0)
          return set_errno_error (error, errno, entry, "cannot create the symbolic link");
        if (fchownat (parent_fd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
          return set_errno_error (error, errno, entry, "cannot change the owner");
        if (sym_archive_entry_xattr_count (ae) > 0)
          {
            fd = openat (parent_fd, leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0)
              return set_errno_error (error, errno, entry, "cannot open the symbolic link");
            if (!apply_xattrs (ae, fd, TRUE, entry, error))
              return FALSE;
          }
        if (utimensat (parent_fd, leaf, times, AT_SYMLINK_NOFOLLOW) < 0)
          return set_errno_error (error, errno, entry, "cannot set the times");
        return TRUE;
      }

    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      if (!clear_leaf (parent_fd, leaf, FALSE, &is_dir, entry, error))
        return FALSE;
      if (mknodat (parent_fd, leaf, type | mode, sym_archive_entry_rdev (ae)) < 0)
        {
          if (errno == EPERM)
            {
              g_debug ("Layer entry “%s”: skipping a device node: %s", entry, g_strerror (errno));
              return TRUE;
            }
          return set_errno_error (error, errno, entry, "cannot create the node");
        }
      if (fchownat (parent_fd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return set_errno_error (error, errno, entry, "cannot change the owner");
      /* The leaf is the node just made (nothing else writes in this tree): no symlink to follow. */
      if (fchmodat (parent_fd, leaf, mode, 0) < 0)
        return set_errno_error (error, errno, entry, "cannot change the mode");
      if (sym_archive_entry_xattr_count (ae) > 0)
        {
          fd = openat (parent_fd, leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);
          if (fd < 0)
            return set_errno_error (error, errno, entry, "cannot open the node");
          if (!apply_xattrs (ae, fd, TRUE, entry, error))
            return FALSE;
        }
      if (utimensat (parent_fd, leaf, times, AT_SYMLINK_NOFOLLOW) < 0)
        return set_errno_error (error, errno, entry, "cannot set the times");
      return TRUE;

    default:
      g_debug ("Layer entry “%s”: skipping an entry of type 0%o", entry, (unsigned) type);
      return TRUE;
    }
}

static int
compare_depth (gconstpointer a,
               gconstpointer b)
{
  const char *pa = *(const char * const *) a;
  const char *pb = *(const char * const *) b;
  int da = 0, db = 0;

  for (const char *p = pa; *p; p++)
    da += *p == '/';
  for (const char *p = pb; *p; p++)
    db += *p == '/';
  if (strcmp (pa, ".") == 0)
    da = -1;
  if (strcmp (pb, ".") == 0)
    db = -1;
  return db - da;
}

/* Deepest first, so that setting a directory's times does not disturb its parent's. */
static gboolean
apply_dir_metadata (Unpack  *u,
                    GError **error)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  keys = g_hash_table_get_keys_as_array (u->dirs, &n);
  qsort (keys, n, sizeof (gpointer), compare_depth);
  for (guint i = 0; i < n; i++)
    {
      const char *path = keys[i];
      DirMeta *meta = g_hash_table_lookup (u->dirs, path);
      g_auto(HatakeFd) fd = -1;

      fd = open_in_root (u->root_fd, path, O_RDONLY | O_DIRECTORY);
      if (fd < 0)
        {
          /* Replaced by a later entry, or removed by a whiteout: nothing to apply. */
          if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
            continue;
          return set_errno_error (error, errno, path, "cannot open the directory");
        }
      if (fchmod (fd, meta->mode) < 0)
        return set_errno_error (error, errno, path, "cannot change the mode");
      if (futimens (fd, meta->times) < 0)
        return set_errno_error (error, errno, path, "cannot set the times");
    }
  return TRUE;
}

void
hatake_layer_limits_init_default (HatakeLayerLimits *limits)
{
  g_return_if_fail (limits != NULL);

  /* Big enough for any real image (the largest CUDA and ML layers are a few tens of GiB), small
   * enough that a bomb cannot fill a disk. The ratio check is off by default: gzip tops out
   * near 1000:1, but zstd reaches far more on legitimate files of zeros, and max_bytes already
   * bounds the damage; hatake.conf can turn it on. */
  limits->max_bytes = G_GUINT64_CONSTANT (64) << 30;
  limits->max_entries = 5000000;
  limits->max_ratio = 0;
}

gboolean
hatake_layer_unpack (const char               *blob_path,
                     const char               *dest_dir,
                     const HatakeLayerLimits  *limits,
                     HatakeLayerProgressFunc   progress,
                     gpointer                  progress_data,
                     char                    **out_diff_id,
                     guint64                  *out_size,
                     GCancellable             *cancellable,
                     GError                  **error)
{
  g_autoptr(HatakeLibarchive) libarchive = NULL;   /* first: released after the archives */
  g_autoptr(HatakeArchive) raw = NULL;
  g_autoptr(HatakeArchive) tar = NULL;
  g_autoptr(HatakeHasher) hasher = NULL;
  g_autoptr(GHashTable) dirs = NULL;
  g_autofree char *buffer = NULL;
  g_autofree char *current = NULL;
  g_auto(HatakeFd) root_fd = -1;
  HatakeLayerLimits default_limits;
  struct archive_entry *raw_entry;
  Stream s = { 0 };
  Unpack u = { 0 };
  guint64 n_entries = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (blob_path != NULL, FALSE);
  g_return_val_if_fail (dest_dir != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (limits == NULL)
    {
      hatake_layer_limits_init_default (&default_limits);
      limits = &default_limits;
    }

  root_fd = open (dest_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot open the layer directory %s: %s"), dest_dir, g_strerror (errsv));
      return FALSE;
    }

  libarchive = hatake_libarchive_load (error);
  if (libarchive == NULL)
    return FALSE;
  raw = sym_archive_read_new ();
  hatake_libarchive_read_support_compressions (raw);
  sym_archive_read_support_format_raw (raw);
  if (sym_archive_read_open_filename (raw, blob_path, READ_CHUNK) != ARCHIVE_OK
      || sym_archive_read_next_header (raw, &raw_entry) != ARCHIVE_OK)
    {
      int errsv = sym_archive_errno (raw);

      g_set_error (error, G_IO_ERROR,
                   errsv > 0 ? g_io_error_from_errno (errsv) : G_IO_ERROR_INVALID_DATA,
                   _("Cannot read the layer %s: %s"), blob_path,
                   sym_archive_error_string (raw) ? sym_archive_error_string (raw) : "empty or unreadable");
      return FALSE;
    }
  /* One compression, as docker: a gzip inside a gzip is not a layer (and the diff ID would be
   * of different bytes than the builder hashed). The client reader counts as one filter. */
  if (sym_archive_filter_count (raw) > 2)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                   _("Cannot read the layer %s: it is compressed more than once (%s)"), blob_path,
                   sym_archive_filter_name (raw, 0));
      return FALSE;
    }

  hasher = hatake_hasher_new ();
  buffer = g_malloc (READ_CHUNK);
  s.raw = raw;
  s.hasher = hasher;
  s.limits = limits;
  s.progress = progress;
  s.progress_data = progress_data;
  s.cancellable = cancellable;
  s.buffer = buffer;

  dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  u.root_fd = root_fd;
  u.limits = limits;
  u.dirs = dirs;

  tar = sym_archive_read_new ();
  sym_archive_read_support_format_tar (tar);
  u.tar = tar;
  if (sym_archive_read_open (tar, &s, NULL, tar_read_cb, NULL) != ARCHIVE_OK)
    {
      if (s.error != NULL)
        g_propagate_error (error, g_steal_pointer (&s.error));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("Cannot read the layer %s: not a tar archive (%s)"),
                     blob_path, sym_archive_error_string (tar));
      goto out;
    }

  for (;;)
    {
      struct archive_entry *ae;
      const char *name;
      GError *local_error = NULL;
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      r = sym_archive_read_next_header (tar, &ae);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          if (s.error != NULL)
            g_propagate_error (error, g_steal_pointer (&s.error));
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("Cannot read the layer %s after entry “%s”: %s"), blob_path,
                         current ? current : "(none)", sym_archive_error_string (tar));
          goto out;
        }
      if (r == ARCHIVE_WARN)
        g_debug ("Layer %s: %s", blob_path, sym_archive_error_string (tar));

      name = sym_archive_entry_pathname (ae);
      if (name == NULL)
        name = sym_archive_entry_pathname_utf8 (ae);
      g_free (current);
      current = g_strdup (name ? name : "(unnamed)");
      s.current_entry = current;
      if (name == NULL || name[0] == '\0')
        {
          set_unsafe_error (error, current, "an entry without a name");
          goto out;
        }

      if (limits->max_entries > 0 && ++n_entries > limits->max_entries)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER,
                       "Layer entry “%s”: the layer is over the limit of %" G_GUINT64_FORMAT
                       " entries (max_entries)", current, limits->max_entries);
          goto out;
        }

      if (!unpack_entry (&u, ae, current, &local_error))
        {
          /* A failure inside libarchive (a read while writing data) leaves no GError. */
          if (s.error != NULL)
            {
              g_clear_error (&local_error);
              g_propagate_error (error, g_steal_pointer (&s.error));
            }
          else if (local_error != NULL)
            g_propagate_error (error, local_error);
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("Cannot read the layer %s at entry “%s”: %s"), blob_path, current,
                         sym_archive_error_string (tar));
          goto out;
        }
    }

  /* Past the end-of-archive blocks: the rest of the stream is part of the diff ID too. */
  s.current_entry = "(after the last entry)";
  for (;;)
    {
      gssize n = stream_pull (&s);

      if (n == 0)
        break;
      if (n < 0)
        {
          g_propagate_error (error, g_steal_pointer (&s.error));
          goto out;
        }
    }

  if (!apply_dir_metadata (&u, error))
    goto out;

  if (out_diff_id != NULL)
    *out_diff_id = hatake_hasher_finish (hasher);
  if (out_size != NULL)
    *out_size = u.size;
  ok = TRUE;

out:
  g_clear_error (&s.error);
  return ok;
}

gboolean
hatake_rm_rf (const char  *path,
              GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;
  g_auto(HatakeFd) parent_fd = -1;
  gsize len;
  int err;

  g_return_val_if_fail (path != NULL && path[0] != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  trimmed = g_strdup (path);
  len = strlen (trimmed);
  while (len > 1 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  parent = g_path_get_dirname (trimmed);
  base = g_path_get_basename (trimmed);
  if (strcmp (base, "/") == 0 || strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Refusing to remove %s"), path);
      return FALSE;
    }

  parent_fd = open (parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      err = errno;
    }
  else
    err = rm_rf_at (parent_fd, base, FALSE);
  if (err != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                   _("Cannot remove %s: %s"), path, g_strerror (err));
      return FALSE;
    }
  return TRUE;
}
