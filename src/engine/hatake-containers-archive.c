/* hatake-containers-archive.c: docker cp and docker export, on running and stopped containers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Which files a path names depends on the container's state, as under docker:
 *  - running (or paused): the container's own view, /proc/PID/root, with its volumes, binds and
 *    tmpfs mounts. The pid is pinned with a pidfd first, and checked alive once its root is open,
 *    so a pid the kernel gave to someone else meanwhile is never used;
 *  - stopped: an overlay of the image and the container's changes mounted for the call alone, in
 *    a mount namespace of the call's own thread (see archive_thread), and a path under a volume or
 *    bind mount goes to that mount's source. Reading mounts it read-only with the container's upper layer as one more lower
 *    layer, which can share it with anything; writing mounts it read-write, and the container's
 *    start waits (is refused) while that lasts, since two overlays must not share an upper layer.
 *  - export is the container's root file system without its mounts: the overlay a start mounted
 *    while it runs, the read-only one otherwise.
 * Paths inside are resolved by hatake-archive.c, never as host paths.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hatake-archive.h"
#include "hatake-containers.h"
#include "hatake-containers-private.h"
#include "hatake-error.h"
#include "hatake-layer.h"

typedef struct
{
  char *target;   /* cleaned path inside the container */
  char *source;   /* host directory */
} MountMap;

static void
mount_map_free (MountMap *m)
{
  g_free (m->target);
  g_free (m->source);
  g_free (m);
}

typedef struct
{
  HatakeArchiveOp     op;
  char               *id;
  char               *path;
  GInputStream       *tar;
  HatakeArchiveFlags  flags;
  int                 pid;          /* > 0: running, its view */
  HatakeStore        *store;
  char               *root;         /* data root */
  char               *image_id;
  char               *dir;          /* the container's folder */
  GPtrArray          *mounts;       /* MountMap: volumes and binds, for stopped containers */
  char               *mountpoint;   /* our overlay, while mounted */
  int                 root_fd;
  int                 tar_fd;       /* GET/EXPORT: our end of the socket the tar goes down */
  GCancellable       *cancellable;
  GMainContext       *context;
} ArchiveData;

/* What a call holds on the host: its overlay (unmounted from the thread whose namespace has it)
 * and its fds. */
static void
archive_data_release (ArchiveData *data)
{
  if (data->mountpoint != NULL)
    {
      if (umount2 (data->mountpoint, MNT_DETACH) != 0)
        g_warning ("Cannot unmount %s: %s", data->mountpoint, g_strerror (errno));
      g_rmdir (data->mountpoint);
      g_clear_pointer (&data->mountpoint, g_free);
    }
  if (data->root_fd >= 0)
    close (data->root_fd);
  if (data->tar_fd >= 0)
    close (data->tar_fd);
  data->root_fd = data->tar_fd = -1;
}

static void
archive_data_free (ArchiveData *data)
{
  archive_data_release (data);
  g_clear_object (&data->tar);
  g_clear_object (&data->store);
  g_clear_object (&data->cancellable);
  g_clear_pointer (&data->mounts, g_ptr_array_unref);
  g_clear_pointer (&data->context, g_main_context_unref);
  g_free (data->id);
  g_free (data->path);
  g_free (data->root);
  g_free (data->image_id);
  g_free (data->dir);
  g_free (data);
}

/* The running container's root, its process pinned: -1 with ERROR when it is gone. */
static int
open_process_root (int pid, GError **error)
{
  g_autofree char *proc = g_strdup_printf ("/proc/%d/root", pid);
  int pidfd = syscall (SYS_pidfd_open, pid, 0);
  int fd;

  if (pidfd < 0)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE, _("The container is not running"));
      return -1;
    }
  fd = open (proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
  /* still the same process once its root is open: the pid was not recycled in between */
  if (fd >= 0 && syscall (SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0)
    {
      close (fd);
      fd = -1;
      errno = ESRCH;
    }
  close (pidfd);
  if (fd < 0)
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE, _("The container is not running"));
  return fd;
}

/* A stopped container's files: an overlay of our own, read-only unless WRITABLE. */
static gboolean
mount_stopped (ArchiveData *data, gboolean writable, GError **error)
{
  g_autoptr(GString) lower = _hatake_containers_lower_dirs (data->store, data->root, data->image_id, error);
  g_autofree char *upper = g_build_filename (data->dir, "upper", NULL);
  g_autofree char *work = g_build_filename (data->dir, "work", NULL);
  g_autofree char *tmp = g_build_filename (data->root, "tmp", NULL);
  g_autofree char *template = NULL;
  g_autofree char *options = NULL;

  if (lower == NULL)
    return FALSE;
  if (g_mkdir_with_parents (upper, 0755) != 0 || g_mkdir_with_parents (work, 0700) != 0 ||
      g_mkdir_with_parents (tmp, 0700) != 0)
    return _hatake_containers_set_errno (error, errno, _("Cannot create"), data->dir);
  template = g_build_filename (tmp, "archive-XXXXXX", NULL);
  if (g_mkdtemp_full (template, 0700) == NULL)
    return _hatake_containers_set_errno (error, errno, _("Cannot create"), template);
  if (writable)
    options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s",
                               lower->len ? lower->str : upper, upper, work);
  else
    options = g_strdup_printf ("lowerdir=%s%s%s", upper, lower->len ? ":" : "", lower->str);
  /* a single lower layer and no upper one is not an overlay the kernel mounts: bind it instead */
  if (!writable && lower->len == 0 ? mount (upper, template, NULL, MS_BIND, NULL) != 0
                                   : mount ("overlay", template, "overlay", writable ? 0 : MS_RDONLY, options) != 0)
    {
      int errsv = errno;

      g_rmdir (template);
      return _hatake_containers_set_errno (error, errsv, _("Cannot mount the container's root filesystem at"), template);
    }
  data->mountpoint = g_steal_pointer (&template);
  return TRUE;
}

/* For a stopped container: the volume or bind whose target holds PATH (the longest), else NULL. */
static MountMap *
mount_for (ArchiveData *data, const char *clean)
{
  MountMap *best = NULL;

  for (guint i = 0; data->mounts && i < data->mounts->len; i++)
    {
      MountMap *m = g_ptr_array_index (data->mounts, i);
      gsize len = strlen (m->target);

      if ((g_str_equal (clean, m->target) || (g_str_has_prefix (clean, m->target) && clean[len] == '/')) &&
          (best == NULL || len > strlen (best->target)))
        best = m;
    }
  return best;
}

/* Sets data->root_fd to what stands for "/", and returns the path inside it. */
static char *
open_root (ArchiveData *data, GError **error)
{
  g_autofree char *clean = g_canonicalize_filename (data->path ? data->path : "/", "/");
  MountMap *m;

  if (data->op == HATAKE_ARCHIVE_EXPORT && data->pid > 0)
    {
      g_autofree char *rootfs = g_build_filename (data->dir, "rootfs", NULL);

      data->root_fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (data->root_fd < 0)
        _hatake_containers_set_errno (error, errno, _("Cannot open"), rootfs);
      return data->root_fd < 0 ? NULL : g_strdup ("/");
    }
  if (data->pid > 0)
    {
      data->root_fd = open_process_root (data->pid, error);
      return data->root_fd < 0 ? NULL : g_strdup (data->path);
    }
  m = data->op == HATAKE_ARCHIVE_EXPORT ? NULL : mount_for (data, clean);
  if (m != NULL)
    {
      const char *rest = clean + strlen (m->target);
      gboolean trailing = g_str_has_suffix (data->path, "/") || g_str_has_suffix (data->path, "/.");

      data->root_fd = open (m->source, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (data->root_fd < 0)
        {
          _hatake_containers_set_errno (error, errno, _("Cannot open"), m->source);
          return NULL;
        }
      /* "/" names the mount's own folder; a trailing "/." or "/" keeps its meaning */
      return g_strconcat (*rest ? rest : "/", trailing && *rest ? (g_str_has_suffix (data->path, "/.") ? "/." : "/") : "",
                          NULL);
    }
  if (!mount_stopped (data, data->op == HATAKE_ARCHIVE_PUT, error))
    return NULL;
  data->root_fd = open (data->mountpoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (data->root_fd < 0)
    {
      _hatake_containers_set_errno (error, errno, _("Cannot open"), data->mountpoint);
      return NULL;
    }
  return g_strdup (data->path ? data->path : "/");
}

typedef struct
{
  GInputStream *tar;
  JsonNode     *stat;
} ArchiveResult;

static void
archive_result_free (ArchiveResult *result)
{
  g_clear_object (&result->tar);
  g_clear_pointer (&result->stat, json_node_unref);
  g_free (result);
}

/* A thread of its own per call: when the call mounts, it does so in a mount namespace of this
 * thread alone, which the host never sees and which goes with the thread, so no overlay is ever
 * left mounted (not even when the engine is killed mid-copy). The answer goes back through the
 * task; a tar is then written from here for as long as its reader reads. */
static gpointer
archive_thread (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ArchiveData *data = g_task_get_task_data (task);
  ArchiveResult *result = g_new0 (ArchiveResult, 1);
  g_autofree char *inner = NULL;
  g_autoptr(GError) tar_error = NULL;
  GError *error = NULL;
  int pair[2];

  if (data->pid <= 0)
    {
      if (unshare (CLONE_NEWNS | CLONE_FS) != 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        {
          _hatake_containers_set_errno (&error, errno, _("Cannot make a mount namespace for"), data->id);
          goto fail;
        }
    }
  inner = open_root (data, &error);
  if (inner == NULL)
    goto fail;
  if (data->op == HATAKE_ARCHIVE_PUT)
    {
      if (!hatake_archive_extract (data->root_fd, inner, data->tar, data->flags, data->cancellable, &error))
        goto fail;
      archive_data_release (data);
      g_task_return_pointer (task, result, (GDestroyNotify) archive_result_free);
      return NULL;
    }
  if (data->op != HATAKE_ARCHIVE_EXPORT && (result->stat = hatake_archive_stat (data->root_fd, inner, &error)) == NULL)
    goto fail;
  if (data->op == HATAKE_ARCHIVE_STAT)
    {
      archive_data_release (data);
      g_task_return_pointer (task, result, (GDestroyNotify) archive_result_free);
      return NULL;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    {
      _hatake_containers_set_errno (&error, errno, _("Cannot create"), "socketpair");
      goto fail;
    }
  shutdown (pair[0], SHUT_WR);
  shutdown (pair[1], SHUT_RD);
  data->tar_fd = pair[1];
  result->tar = g_unix_input_stream_new (pair[0], TRUE);
  g_task_return_pointer (task, result, (GDestroyNotify) archive_result_free);

  if (!hatake_archive_write_tar (data->root_fd, data->op == HATAKE_ARCHIVE_EXPORT ? NULL : inner, data->tar_fd,
                                 data->cancellable, &tar_error))
    g_debug ("%s: the archive stopped: %s", data->id, tar_error->message);
  /* the mount goes now, in this thread's namespace (the task's data is freed wherever its last
   * reference goes) */
  archive_data_release (data);
  return NULL;

fail:
  archive_data_release (data);
  archive_result_free (result);
  g_task_return_error (task, error);
  return NULL;
}

static void
on_archive_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) outer = user_data;
  HatakeContainers *self = HATAKE_CONTAINERS (source);
  HatakeContainer *container = g_object_get_data (G_OBJECT (outer), "hatake-container");
  Entry *entry = _hatake_containers_entry_for (self, container);
  GError *error = NULL;
  ArchiveResult *answer = g_task_propagate_pointer (G_TASK (result), &error);

  if (entry != NULL && g_object_get_data (G_OBJECT (outer), "hatake-writer") != NULL)
    entry->archive_writers--;
  if (error != NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, answer, (GDestroyNotify) archive_result_free);
}

void
hatake_containers_archive_async (HatakeContainers    *self,
                                 HatakeContainer     *container,
                                 HatakeArchiveOp      op,
                                 const char          *path,
                                 GInputStream        *tar,
                                 HatakeArchiveFlags   flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  Entry *entry = _hatake_containers_entry_for (self, container);
  HatakeContainerState state = hatake_container_get_state (container);
  ArchiveData *data;

  g_task_set_source_tag (task, hatake_containers_archive_async);
  if (entry == NULL || state == HATAKE_CONTAINER_REMOVING || state == HATAKE_CONTAINER_DEAD)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE,
                               _("Container %s is being removed"), hatake_container_get_name (container));
      return;
    }
  data = g_new0 (ArchiveData, 1);
  data->op = op;
  data->id = g_strdup (hatake_container_get_id (container));
  data->path = g_strdup (path);
  data->tar = tar ? g_object_ref (tar) : NULL;
  data->flags = flags;
  data->root_fd = data->tar_fd = -1;
  data->store = g_object_ref (self->store);
  data->root = g_strdup (self->root);
  data->image_id = g_strdup (entry->image_id);
  data->dir = g_strdup (entry->dir);
  data->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  if ((state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED) && hatake_container_get_pid (container) > 0)
    data->pid = hatake_container_get_pid (container);
  else
    {
      data->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) mount_map_free);
      for (guint i = 0; entry->config->mounts && i < entry->config->mounts->len; i++)
        {
          HatakeContainerMount *m = g_ptr_array_index (entry->config->mounts, i);
          MountMap *map;

          if (m->type == HATAKE_CONTAINER_MOUNT_TMPFS || m->source == NULL ||
              (m->type == HATAKE_CONTAINER_MOUNT_VOLUME && !hatake_volumes_name_is_valid (m->source)))
            continue;
          map = g_new0 (MountMap, 1);
          map->target = g_canonicalize_filename (m->target, "/");
          map->source = m->type == HATAKE_CONTAINER_MOUNT_VOLUME ? hatake_volumes_data_path (self->volumes, m->source)
                                                                 : g_strdup (m->source);
          if (!g_file_test (map->source, G_FILE_TEST_IS_DIR))
            mount_map_free (map);   /* a bound file: reached through the overlay's mount point */
          else
            g_ptr_array_add (data->mounts, map);
        }
      if (op == HATAKE_ARCHIVE_PUT)
        {
          /* a start waits for this copy: two overlays must not share the upper layer */
          entry->archive_writers++;
          g_object_set_data (G_OBJECT (task), "hatake-writer", GINT_TO_POINTER (1));
        }
    }
  g_object_set_data_full (G_OBJECT (task), "hatake-container", g_object_ref (container), g_object_unref);

  inner = g_task_new (self, cancellable, on_archive_done, g_steal_pointer (&task));
  g_task_set_task_data (inner, data, (GDestroyNotify) archive_data_free);
  g_thread_unref (g_thread_new ("hatake-archive", archive_thread, g_steal_pointer (&inner)));
}

GInputStream *
hatake_containers_archive_finish (HatakeContainers  *self,
                                  GAsyncResult      *result_,
                                  JsonNode         **out_stat,
                                  GError           **error)
{
  ArchiveResult *result = g_task_propagate_pointer (G_TASK (result_), error);
  GInputStream *tar;

  if (result == NULL)
    return NULL;
  if (out_stat != NULL)
    *out_stat = g_steal_pointer (&result->stat);
  tar = g_steal_pointer (&result->tar);
  archive_result_free (result);
  return tar;
}
