/* hatake-log-watch.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hatake-inotify.h"
#include "hatake-log-watch.h"

/* -- the watch: a thread that opens each file conmon puts in place, the moment it appears --
 *
 * A GFileMonitor reports a rename some tens of milliseconds late (its events pass through
 * GLib's worker thread and the main loop, and opening then goes through the thread pool); a
 * container that writes fast fills a small log in less than that, and conmon replaces it again:
 * the file in between was never opened, and its lines were lost. This thread blocks in poll() on
 * its own inotify descriptor and opens the file in the same instant it learns of it: at
 * IN_CREATE of LOG.tmp (before conmon has written a byte into it, and before it renames it over
 * LOG), or at IN_MOVED_TO/IN_CREATE of LOG. Opening an inode keeps its contents readable after
 * conmon unlinks it, so every file is read to its end. Writes only poke the reader. */

struct _HatakeLogWatch
{
  GObject         *owner;           /* not a reference: the owner stops the thread before it goes */
  HatakeLogWatchFunc func;
  GMainContext    *context;
  GThread         *thread;
  int              inotify_fd;
  int              dir_fd;
  int              wake_fd;         /* eventfd: stop */
  int              sync_fd;         /* eventfd: handle what has happened, then answer */
  char            *name;
  char            *tmp_name;
  gboolean         open_first;      /* open LOG before the first event (no tail worker does) */
  int              poke_pending;    /* atomic */
  guint64          last_inode;      /* thread only */
  guint            lost;            /* thread only: files replaced before the thread could open them */
  gboolean         rename_pending;  /* thread only: LOG.tmp opened, its rename not seen yet */
};

typedef struct
{
  GObject             *owner;       /* a reference while the event is on its way */
  HatakeLogWatch      *watch;       /* compared, never used: it may be gone */
  HatakeLogWatchFunc   func;
  HatakeLogWatchEvent  event;
} Posted;

static gboolean
deliver (gpointer user_data)
{
  Posted *posted = user_data;

  posted->func (posted->owner, posted->watch, &posted->event);
  g_object_unref (posted->owner);
  g_free (posted);
  return G_SOURCE_REMOVE;
}

static void
watch_post (HatakeLogWatch *watch,
            int       fd,
            int       saved_errno,
            guint64   inode,
            gboolean  first,
            gboolean  synced)
{
  Posted *posted = g_new0 (Posted, 1);
  GSource *source;

  posted->owner = g_object_ref (watch->owner);
  posted->watch = watch;
  posted->func = watch->func;
  posted->event.fd = fd;
  posted->event.saved_errno = saved_errno;
  posted->event.inode = inode;
  posted->event.first = first;
  posted->event.synced = synced;
  posted->event.lost = watch->lost;
  source = g_idle_source_new ();
  /* not g_main_context_invoke(): from another thread it may run the callback right there, when
   * it can acquire the context; a source always runs in the reader's thread, in order */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver, posted, NULL);
  g_source_set_static_name (source, "[hatake] log watch");
  g_source_attach (source, watch->context);
  g_source_unref (source);
}

typedef enum
{
  WATCH_OPEN_FAILED,
  WATCH_OPEN_SAME,     /* the file handed over last */
  WATCH_OPEN_NEW,
} WatchOpen;

/* In the thread: open NAME (relative to the folder) and hand it over unless it is the last one. */
static WatchOpen
watch_open (HatakeLogWatch *watch,
            const char *name,
            gboolean    first)
{
  struct stat st;
  int fd = openat (watch->dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

  if (fd < 0)
    {
      if (first)
        watch_post (watch, -1, errno, 0, TRUE, FALSE);
      return WATCH_OPEN_FAILED;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return WATCH_OPEN_FAILED;
    }
  if ((guint64) st.st_ino == watch->last_inode)
    {
      close (fd);
      return WATCH_OPEN_SAME;
    }
  watch->last_inode = st.st_ino;
  watch_post (watch, fd, 0, st.st_ino, first, FALSE);
  return WATCH_OPEN_NEW;
}

/* In the thread: what one batch of inotify events means. */
static void
watch_process (HatakeLogWatch *watch,
               const char *buf,
               gssize      n,
               gboolean   *poke,
               gboolean   *lost_changed)
{
  for (const char *p = buf; p < buf + n; )
    {
      const struct inotify_event *ev = (const struct inotify_event *) p;
      const char *name = ev->len > 0 ? ev->name : "";

      p += sizeof (struct inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW)
        {
          /* events were dropped: look at LOG now, as if it had been renamed */
          g_warning ("Too many changes to %s at once: log lines may have been missed", watch->name);
          watch_open (watch, watch->name, FALSE);
          watch->rename_pending = FALSE;
          *poke = TRUE;
        }
      else if (strcmp (name, watch->tmp_name) == 0 && (ev->mask & IN_CREATE))
        {
          /* conmon renames it over LOG in a moment; if it already has, LOG is the same file
           * (or a later one). Each LOG.tmp is one new file: when none comes of it, conmon
           * has replaced a file that nobody opened, and its lines are gone. */
          WatchOpen opened = watch_open (watch, watch->tmp_name, FALSE);

          if (opened == WATCH_OPEN_FAILED)
            opened = watch_open (watch, watch->name, FALSE);
          if (opened != WATCH_OPEN_NEW)
            {
              watch->lost++;
              *lost_changed = TRUE;
            }
          watch->rename_pending = TRUE;
        }
      else if (strcmp (name, watch->name) == 0)
        {
          /* The rename of the LOG.tmp opened above needs no open: opening LOG now could
           * give the file before it, if conmon has created the next LOG.tmp but not yet
           * renamed it, and hand that over after its successor. */
          if ((ev->mask & IN_MOVED_TO) && watch->rename_pending)
            watch->rename_pending = FALSE;
          else if (ev->mask & (IN_CREATE | IN_MOVED_TO))
            watch_open (watch, watch->name, FALSE);
          *poke = TRUE;
        }
    }
}

static gpointer
watch_thread (gpointer user_data)
{
  HatakeLogWatch *watch = user_data;
  /* room for a burst of events with names */
  char buf[16 * (sizeof (struct inotify_event) + NAME_MAX + 1)]
    __attribute__ ((aligned (__alignof__ (struct inotify_event))));

  /* It sleeps in poll() nearly always, and what it does when it wakes has to happen before
   * conmon fills one more file: ahead of the container's own processes, where the engine may
   * (as root; otherwise this fails and changes nothing). */
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), -15);
  if (watch->open_first)
    watch_open (watch, watch->name, TRUE);

  for (;;)
    {
      struct pollfd fds[3] = {
        { .fd = watch->inotify_fd, .events = POLLIN },
        { .fd = watch->wake_fd, .events = POLLIN },
        { .fd = watch->sync_fd, .events = POLLIN },
      };
      gboolean poke = FALSE, lost_changed = FALSE, sync = FALSE;
      guint64 value;
      gssize n;

      if (poll (fds, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (fds[1].revents != 0)
        break;
      if (fds[2].revents != 0 && read (watch->sync_fd, &value, sizeof value) == sizeof value)
        sync = TRUE;
      /* on a sync request, everything inotify holds (all that happened before it) */
      while ((n = read (watch->inotify_fd, buf, sizeof buf)) > 0)
        {
          watch_process (watch, buf, n, &poke, &lost_changed);
          if (!sync)
            break;
        }
      if (n < 0 && errno != EINTR && errno != EAGAIN)
        break;
      if (lost_changed || sync || (poke && g_atomic_int_compare_and_exchange (&watch->poke_pending, 0, 1)))
        watch_post (watch, -1, 0, 0, FALSE, sync);
    }
  return NULL;
}

void
hatake_log_watch_sync (HatakeLogWatch *watch)
{
  guint64 one = 1;

  if (write (watch->sync_fd, &one, sizeof one) < 0)
    g_warning ("Could not wake the log watch thread: %s", g_strerror (errno));
}

void
hatake_log_watch_stop (HatakeLogWatch *watch)
{
  guint64 one = 1;

  if (watch->thread != NULL)
    {
      /* the thread wakes at once and leaves: joining does not wait on any I/O */
      if (write (watch->wake_fd, &one, sizeof one) < 0)
        g_warning ("Could not wake the log watch thread: %s", g_strerror (errno));
      g_thread_join (watch->thread);
    }
  hatake_inotify_close (watch->inotify_fd);
  if (watch->dir_fd >= 0)
    close (watch->dir_fd);
  if (watch->wake_fd >= 0)
    close (watch->wake_fd);
  if (watch->sync_fd >= 0)
    close (watch->sync_fd);
  g_main_context_unref (watch->context);
  g_free (watch->name);
  g_free (watch->tmp_name);
  g_free (watch);
}

HatakeLogWatch *
hatake_log_watch_start (const char          *path,
                        GMainContext        *context,
                        gboolean             open_first,
                        GObject             *owner,
                        HatakeLogWatchFunc   func,
                        GError             **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  HatakeLogWatch *watch = g_new0 (HatakeLogWatch, 1);
  int saved;

  watch->owner = owner;
  watch->func = func;
  watch->context = g_main_context_ref (context);
  watch->name = g_path_get_basename (path);
  watch->tmp_name = g_strconcat (watch->name, ".tmp", NULL);
  watch->open_first = open_first;
  watch->inotify_fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  watch->dir_fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  watch->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  watch->sync_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (watch->inotify_fd < 0 || watch->dir_fd < 0 || watch->wake_fd < 0 || watch->sync_fd < 0 ||
      inotify_add_watch (watch->inotify_fd, dir, IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_ONLYDIR) < 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot watch %s: %s"), dir, g_strerror (saved));
      hatake_log_watch_stop (watch);
      return NULL;
    }
  watch->thread = g_thread_new ("hatake-log-watch", watch_thread, watch);
  return watch;
}

void
hatake_log_watch_poke_done (HatakeLogWatch *watch)
{
  g_atomic_int_set (&watch->poke_pending, 0);
}
