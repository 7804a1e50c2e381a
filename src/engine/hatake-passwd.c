/* hatake-passwd.c: docker's `-u` user specs resolved against the container's own passwd and group
 * files, and opening paths inside a container root
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The files are read through the container root with openat2(RESOLVE_IN_ROOT): an image controls
 * every byte of its /etc, including symlinks that point at host paths, so no path string built
 * from the rootfs is ever handed to open(), and the host's NSS is never asked. Where openat2()
 * is missing (Linux before 5.6, valgrind 3.19), hatake-archive.c's resolver walks the path the same
 * way, one component at a time.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include <gio/gio.h>

#include "hatake-archive.h"
#include "hatake-error.h"
#include "hatake-passwd.h"

/* An image's passwd or group file larger than this is refused rather than read into memory. */
#define MAX_DB_FILE_SIZE (16 * 1024 * 1024)

typedef int HatakePasswdFd;

static void
passwd_fd_close (int fd)
{
  if (fd >= 0)
    close (fd);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HatakePasswdFd, passwd_fd_close, -1)

void
hatake_user_clear (HatakeUser *user)
{
  g_return_if_fail (user != NULL);

  g_clear_pointer (&user->additional_gids, g_array_unref);
  g_clear_pointer (&user->name, g_free);
  g_clear_pointer (&user->home, g_free);
  user->uid = 0;
  user->gid = 0;
}

/* Without openat2(): the path resolved inside the root one component at a time (an O_PATH
 * descriptor of what it names), then that very file opened with FLAGS through its descriptor
 * (/proc/self/fd: the kernel reopens the inode the walk found, no path is resolved again).
 * -1 with errno set. */
static int
open_by_walk (int         rootfd,
              const char *path,
              int         flags)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(HatakePasswdFd) found = hatake_archive_resolve (rootfd, path, (flags & O_NOFOLLOW) == 0, &local_error);
  g_autofree char *self_path = NULL;
  struct stat st;

  if (found < 0)
    return -1;   /* (errno is the walk's) */
  if ((flags & O_DIRECTORY) && (fstat (found, &st) != 0 || !S_ISDIR (st.st_mode)))
    {
      errno = ENOTDIR;
      return -1;
    }
  if (flags & O_PATH)
    return g_steal_fd (&found);
  self_path = g_strdup_printf ("/proc/self/fd/%d", found);
  return open (self_path, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
}

int
hatake_open_in_root (int          rootfd,
                     const char  *path,
                     int          flags,
                     mode_t       mode,
                     GError     **error)
{
  struct open_how how = { 0 };
  int fd;
  int errsv;

  g_return_val_if_fail (rootfd >= 0, -1);
  g_return_val_if_fail (path != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";

  how.flags = (guint64) (flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

  if (_hatake_archive_has_openat2 ())
    {
      do
        fd = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      while (fd < 0 && (errno == EINTR || errno == EAGAIN));
      if (fd >= 0 || errno != ENOSYS)
        goto done;
    }
  g_return_val_if_fail ((flags & O_CREAT) == 0 && (flags & O_TMPFILE) != O_TMPFILE, -1);
  fd = open_by_walk (rootfd, path, flags);

done:
  if (fd >= 0)
    return fd;
  errsv = errno;
  if (errsv == ENOSYS)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("Cannot open “/%s” inside the container: the kernel has no openat2() "
                   "(Linux 5.6 or later is needed), or a seccomp filter hides it"), path);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Cannot open “/%s” inside the container: %s"), path, g_strerror (errsv));
  errno = errsv;
  return -1;
}

/* Reads a small regular file inside the root. A missing file gives TRUE with *out_contents NULL. */
static gboolean
read_db_file (int          rootfd,
              const char  *path,
              char       **out_contents,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) buf = NULL;
  g_auto(HatakePasswdFd) fd = -1;
  struct stat st;

  *out_contents = NULL;
  /* O_NONBLOCK: a FIFO planted at the path must not hang the open. */
  fd = hatake_open_in_root (rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, &local_error);
  if (fd < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
          || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (fstat (fd, &st) < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot read “/%s” inside the container: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode) || st.st_size > MAX_DB_FILE_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“/%s” inside the container is not a regular file of at most %d bytes"),
                   path, MAX_DB_FILE_SIZE);
      return FALSE;
    }

  buf = g_string_sized_new (st.st_size + 1);
  for (;;)
    {
      char chunk[8192];
      ssize_t n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Cannot read “/%s” inside the container: %s"), path, g_strerror (errsv));
          return FALSE;
        }
      if (n == 0)
        break;
      if (buf->len + (gsize) n > MAX_DB_FILE_SIZE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“/%s” inside the container is larger than %d bytes"),
                       path, MAX_DB_FILE_SIZE);
          return FALSE;
        }
      g_string_append_len (buf, chunk, n);
    }
  *out_contents = g_string_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

/* A decimal id within libcontainer's range, nothing else ("+1", "-1", " 1", "" are not ids). */
static gboolean
parse_id (const char *text,
          guint32    *out)
{
  guint64 v;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &v, NULL))
    return FALSE;
  if (v > HATAKE_MAX_ID)
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

/* What strconv.Atoi would take for a number: then it is an id out of range, not a name. */
static gboolean
looks_numeric (const char *text)
{
  if (*text == '-' || *text == '+')
    text++;
  if (*text == '\0')
    return FALSE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isdigit (*text))
      return FALSE;
  return TRUE;
}

/* Splits one line of a colon-separated database into fields; NULL for a comment, a blank line
 * or a line with fewer than min_fields. */
static GStrv
split_db_line (const char *line,
               guint       min_fields)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (line));
  g_auto(GStrv) fields = NULL;

  if (trimmed[0] == '\0' || trimmed[0] == '#')
    return NULL;
  fields = g_strsplit (trimmed, ":", -1);
  if (g_strv_length (fields) < min_fields)
    return NULL;
  return g_steal_pointer (&fields);
}

typedef struct
{
  char    *name;
  guint32  uid;
  guint32  gid;
  char    *home;
} PasswdEntry;

static void
passwd_entry_clear (PasswdEntry *e)
{
  g_clear_pointer (&e->name, g_free);
  g_clear_pointer (&e->home, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PasswdEntry, passwd_entry_clear)

/* The first entry matching by uid (want_name NULL) or by name. */
static gboolean
find_passwd_entry (const char  *contents,
                   const char  *want_name,
                   guint32      want_uid,
                   PasswdEntry *out)
{
  g_auto(GStrv) lines = NULL;

  if (contents == NULL)
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* name:password:uid:gid:gecos:home:shell */
      g_auto(GStrv) f = split_db_line (lines[i], 4);
      guint32 uid, gid;

      if (f == NULL || f[0][0] == '\0' || !parse_id (f[2], &uid) || !parse_id (f[3], &gid))
        continue;
      if (want_name != NULL ? strcmp (f[0], want_name) != 0 : uid != want_uid)
        continue;
      out->name = g_strdup (f[0]);
      out->uid = uid;
      out->gid = gid;
      out->home = (f[4] != NULL && f[5] != NULL && f[5][0] != '\0') ? g_strdup (f[5]) : NULL;
      return TRUE;
    }
  return FALSE;
}

static gboolean
group_lists_member (const char *members,
                    const char *name)
{
  g_auto(GStrv) list = NULL;

  if (members == NULL)
    return FALSE;
  list = g_strsplit (members, ",", -1);
  for (guint i = 0; list[i] != NULL; i++)
    if (strcmp (g_strstrip (list[i]), name) == 0)
      return TRUE;
  return FALSE;
}

/* Either finds the group named (or numbered) group_arg, or collects into sgids every group that
 * lists member. */
static gboolean
scan_groups (const char *contents,
             const char *group_arg,
             const char *member,
             guint32    *out_gid,
             GArray     *sgids)
{
  g_auto(GStrv) lines = NULL;
  guint32 want_gid = 0;
  gboolean numeric = group_arg != NULL && parse_id (group_arg, &want_gid);

  if (contents == NULL)
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* name:password:gid:member,member */
      g_auto(GStrv) f = split_db_line (lines[i], 3);
      guint32 gid;

      if (f == NULL || f[0][0] == '\0' || !parse_id (g_strstrip (f[2]), &gid))
        continue;
      if (group_arg != NULL)
        {
          if (numeric ? gid == want_gid : strcmp (f[0], group_arg) == 0)
            {
              *out_gid = gid;
              return TRUE;
            }
        }
      else if (group_lists_member (f[3], member))
        {
          gboolean seen = FALSE;

          for (guint j = 0; j < sgids->len && !seen; j++)
            seen = g_array_index (sgids, guint32, j) == gid;
          if (!seen)
            g_array_append_val (sgids, gid);
        }
    }
  return FALSE;
}

/* A group spec, a name in the group file or a number, as its gid (libcontainer's rules). */
static gboolean
group_id (const char  *contents,
          const char  *group_arg,
          guint32     *gid,
          GError     **error)
{
  if (scan_groups (contents, group_arg, NULL, gid, NULL))
    return TRUE;
  if (looks_numeric (group_arg) && !parse_id (group_arg, gid))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                   _("unable to find group %s: uids and gids must be in range 0-%d"), group_arg, HATAKE_MAX_ID);
      return FALSE;
    }
  if (!parse_id (group_arg, gid))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                   _("unable to find group %s: no matching entries in group file"), group_arg);
      return FALSE;
    }
  return TRUE;
}

gboolean
hatake_passwd_add_groups (int                  rootfd,
                          const char * const  *groups,
                          HatakeUser          *user,
                          GError             **error)
{
  g_autofree char *contents = NULL;

  g_return_val_if_fail (user != NULL && user->additional_gids != NULL, FALSE);

  if (groups == NULL || groups[0] == NULL)
    return TRUE;
  if (!read_db_file (rootfd, "etc/group", &contents, error))
    return FALSE;
  for (guint i = 0; groups[i] != NULL; i++)
    {
      gboolean seen = FALSE;
      guint32 gid;

      if (!group_id (contents, groups[i], &gid, error))
        return FALSE;
      for (guint j = 0; j < user->additional_gids->len && !seen; j++)
        seen = g_array_index (user->additional_gids, guint32, j) == gid;
      if (!seen)
        g_array_append_val (user->additional_gids, gid);
    }
  return TRUE;
}

gboolean
hatake_passwd_resolve (int          rootfd,
                       const char  *spec,
                       HatakeUser  *out,
                       GError     **error)
{
  g_autofree char *passwd = NULL;
  g_autofree char *group = NULL;
  g_autofree char *user_arg = NULL;
  g_autofree char *group_arg = NULL;
  g_auto(PasswdEntry) entry = { 0 };
  g_auto(HatakeUser) user = { 0 };
  const char *colon;
  guint32 uid = 0;
  gboolean uid_numeric;
  gboolean found;

  g_return_val_if_fail (rootfd >= 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hatake_user_clear (out);
  if (spec == NULL)
    spec = "";
  colon = strchr (spec, ':');
  user_arg = colon != NULL ? g_strndup (spec, colon - spec) : g_strdup (spec);
  group_arg = colon != NULL ? g_strdup (colon + 1) : NULL;
  if (group_arg != NULL && group_arg[0] == '\0')
    g_clear_pointer (&group_arg, g_free);

  if (!read_db_file (rootfd, "etc/passwd", &passwd, error))
    return FALSE;

  user.additional_gids = g_array_new (FALSE, FALSE, sizeof (guint32));
  uid_numeric = user_arg[0] != '\0' && parse_id (user_arg, &uid);
  if (user_arg[0] == '\0')
    found = find_passwd_entry (passwd, NULL, 0, &entry);
  else if (uid_numeric)
    found = find_passwd_entry (passwd, NULL, uid, &entry);
  else
    {
      if (looks_numeric (user_arg))
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                       _("unable to find user %s: uids and gids must be in range 0-%d"),
                       user_arg, HATAKE_MAX_ID);
          return FALSE;
        }
      found = find_passwd_entry (passwd, user_arg, 0, &entry);
      if (!found)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                       _("unable to find user %s: no matching entries in passwd file"), user_arg);
          return FALSE;
        }
    }

  if (found)
    {
      user.uid = entry.uid;
      user.gid = entry.gid;
      user.name = g_steal_pointer (&entry.name);
      user.home = g_steal_pointer (&entry.home);
    }
  else
    {
      user.uid = uid;
      user.gid = 0;
    }
  if (user.home == NULL)
    user.home = g_strdup ("/");

  if (group_arg != NULL || user.name != NULL)
    {
      if (!read_db_file (rootfd, "etc/group", &group, error))
        return FALSE;
      if (group_arg != NULL)
        {
          if (!group_id (group, group_arg, &user.gid, error))
            return FALSE;
        }
      else
        {
          /* Supplementary groups only in the implicit form, as libcontainer does. */
          scan_groups (group, NULL, user.name, NULL, user.additional_gids);
        }
    }

  *out = user;
  memset (&user, 0, sizeof user);
  return TRUE;
}

static gboolean
set_mkdir_error (GError     **error,
                 const char  *path,
                 int          errsv)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               _("Cannot create “%s” inside the container: %s"), path, g_strerror (errsv));
  return FALSE;
}

/* A component that is a symlink to a missing target: its target is made instead (docker makes
 * the working directory at the end of SecureJoin the same way), so the walk restarts on
 * "<target>/<rest>", relative to the link's directory unless absolute. */
static char *
follow_dangling (int          parent,
                 const char  *parent_path,
                 const char  *name,
                 char       **rest)
{
  g_autofree char *target = NULL;
  g_autofree char *tail = g_strjoinv ("/", rest);
  char buf[PATH_MAX];
  ssize_t n;

  n = readlinkat (parent, name, buf, sizeof buf - 1);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  if (buf[0] == '/')
    target = g_strdup (buf);
  else
    target = g_strconcat (parent_path, "/", buf, NULL);
  return g_strconcat (target, "/", tail, NULL);
}

#define MAX_LINK_FOLLOWS 40

static gboolean
mkdir_p_in_root (int          rootfd,
                 const char  *path,
                 const char  *asked,
                 mode_t       mode,
                 uid_t        uid,
                 gid_t        gid,
                 guint        follows,
                 GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) prefix = g_string_new ("");
  g_auto(HatakePasswdFd) parent = -1;

  parent = hatake_open_in_root (rootfd, "/", O_PATH | O_DIRECTORY, 0, error);
  if (parent < 0)
    return FALSE;

  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      const char *name = parts[i];
      gsize parent_len = prefix->len;
      int next;

      if (name[0] == '\0' || strcmp (name, ".") == 0)
        continue;
      if (prefix->len > 0)
        g_string_append_c (prefix, '/');
      g_string_append (prefix, name);

      /* The whole prefix is resolved from the root each time, so ".." and symlinks on the way
       * are clamped at the root exactly as the runtime will see them. */
      next = hatake_open_in_root (rootfd, prefix->str, O_PATH | O_DIRECTORY, 0, &local_error);
      if (next < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
          && strcmp (name, "..") != 0)
        {
          g_clear_error (&local_error);
          /* mkdirat() never follows a final symlink: a dangling one gives EEXIST. */
          if (mkdirat (parent, name, mode) == 0)
            {
              if (fchownat (parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return set_mkdir_error (error, asked, errno);
            }
          else if (errno != EEXIST)
            return set_mkdir_error (error, asked, errno);
          next = hatake_open_in_root (rootfd, prefix->str, O_PATH | O_DIRECTORY, 0, &local_error);
          if (next < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            {
              g_autofree char *parent_path = g_strndup (prefix->str, parent_len);
              g_autofree char *restart = NULL;

              g_clear_error (&local_error);
              restart = follow_dangling (parent, parent_path, name, parts + i + 1);
              if (restart == NULL)
                return set_mkdir_error (error, asked, errno);
              if (follows >= MAX_LINK_FOLLOWS)
                return set_mkdir_error (error, asked, ELOOP);
              return mkdir_p_in_root (rootfd, restart, asked, mode, uid, gid, follows + 1, error);
            }
        }
      if (next < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                           _("Cannot create “%s” inside the container: “/%s” is not a directory"),
                           asked, prefix->str);
              return FALSE;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      close (parent);
      parent = next;
    }
  return TRUE;
}

gboolean
hatake_mkdir_p_in_root (int          rootfd,
                        const char  *path,
                        mode_t       mode,
                        uid_t        uid,
                        gid_t        gid,
                        GError     **error)
{
  g_return_val_if_fail (rootfd >= 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return mkdir_p_in_root (rootfd, path, path, mode, uid, gid, 0, error);
}
