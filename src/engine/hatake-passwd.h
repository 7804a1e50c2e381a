/* hatake-passwd.h: docker's `-u` user specs resolved against the container's own passwd and group
 * files, and opening paths inside a container root
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/* Highest uid or gid a spec may name (libcontainer's range). */
#define HATAKE_MAX_ID G_MAXINT32

typedef struct
{
  guint32  uid;
  guint32  gid;
  GArray  *additional_gids;  /* guint32: supplementary groups from /etc/group, never NULL after resolve */
  char    *name;             /* the passwd entry's name, NULL for a number with no entry */
  char    *home;             /* the passwd entry's home, "/" when there is none */
} HatakeUser;

void     hatake_user_clear       (HatakeUser  *user);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HatakeUser, hatake_user_clear)

/* Resolves a docker user spec — "", "name", "uid", "name:group", "uid:gid", "name:gid",
 * "uid:group" — with libcontainer's rules against etc/passwd and etc/group read inside the
 * container root rootfd (an O_PATH or O_DIRECTORY fd), never the host's NSS:
 *   - "" is uid 0 (its passwd entry when there is one, else gid 0 and home "/");
 *   - a number is always a uid, fine without a passwd entry (then gid 0, or the group given);
 *   - a name missing from passwd fails with HATAKE_ERROR_NOT_FOUND, "unable to find user NAME:
 *     no matching entries in passwd file" (also when there is no passwd file);
 *   - a group is a name or a number, with the same rules ("unable to find group …");
 *   - supplementary groups (the groups listing the user's name) only when no group is given.
 * Comments, blank lines and malformed lines in the files are skipped. A missing file is an
 * empty one; a file that is not a regular file is refused (G_IO_ERROR_INVALID_DATA), so a FIFO or
 * a device placed at /etc/passwd by an image cannot block or flood the engine.
 * Blocking (small file reads). *out must be zeroed (or hold an earlier result): it is cleared
 * first and filled only on success. */
gboolean hatake_passwd_resolve   (int          rootfd,
                                  const char  *spec,
                                  HatakeUser  *out,
                                  GError     **error);

/* docker's --group-add: each of GROUPS (a name in the container's etc/group, or a number, with
 * the rules of a user spec's group) added to USER's supplementary groups, once each. Blocking. */
gboolean hatake_passwd_add_groups (int                  rootfd,
                                   const char * const  *groups,
                                   HatakeUser          *user,
                                   GError             **error);
/* Opens path (absolute or relative, both taken from the container root) inside rootfd with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): symlinks and ".." are followed but can never
 * leave the root, so an /etc/passwd -> /etc/shadow symlink reads the container's shadow, not the
 * host's. O_CLOEXEC is always added. Returns the fd, or -1 with errno kept and error set
 * (G_IO_ERROR from errno; G_IO_ERROR_NOT_SUPPORTED with a clear message when the kernel, a
 * seccomp profile or valgrind has no openat2(), which needs Linux 5.6). */
int      hatake_open_in_root     (int          rootfd,
                                  const char  *path,
                                  int          flags,
                                  mode_t       mode,
                                  GError     **error);

/* Makes directory path (e.g. the working directory) and its missing parents inside rootfd, one
 * mkdirat() at a time, each parent resolved with hatake_open_in_root(), so a component that is a
 * symlink to a host path lands inside the root. Directories it makes get mode (before umask) and
 * owner uid:gid; existing ones are left alone. A symlink to a missing target has its target made
 * (inside the root), as docker does for the working directory. A component that exists and is
 * not a directory fails with G_IO_ERROR_NOT_DIRECTORY; a symlink loop with G_IO_ERROR from ELOOP.
 * Blocking. */
gboolean hatake_mkdir_p_in_root  (int          rootfd,
                                  const char  *path,
                                  mode_t       mode,
                                  uid_t        uid,
                                  gid_t        gid,
                                  GError     **error);

G_END_DECLS
