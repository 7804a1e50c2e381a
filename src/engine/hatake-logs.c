/* hatake-logs.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What conmon 2.1.6 does, seen with inotify on a real container (--log-size-max=65536, `seq 1
 * 20000`): before a record that would pass the cap it closes the file, creates LOG.tmp, renames
 * it over LOG and goes on writing into the new file; records are never split across files, but a
 * P record and its continuation can be. It never truncates in place. The replaced file is
 * unlinked: whoever has not opened it by then has lost it. So a follower has a thread of its own
 * (hatake-log-watch.c) that opens each new file the moment inotify reports LOG.tmp, and hands it to
 * the reader, which reads its current file to the end and goes on with the next one from offset
 * 0. Only when a container fills a whole file before that thread runs are lines lost, and then
 * the reader says so. A truncation in place (size below our offset, same inode) is handled too,
 * as logrotate's copytruncate would do it.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#include "hatake-log-watch.h"
#include "hatake-logs.h"

#define READ_SIZE   (256 * 1024)
#define TAIL_BLOCK  (64 * 1024)

/* ---- entries ---------------------------------------------------------------------------------- */

HatakeLogEntry *
hatake_log_entry_copy (const HatakeLogEntry *entry)
{
  HatakeLogEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);

  copy = g_new (HatakeLogEntry, 1);
  *copy = *entry;
  copy->content = entry->content ? g_bytes_ref (entry->content) : NULL;
  return copy;
}

void
hatake_log_entry_free (HatakeLogEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->content, g_bytes_unref);
  g_free (entry);
}

G_DEFINE_BOXED_TYPE (HatakeLogEntry, hatake_log_entry, hatake_log_entry_copy, hatake_log_entry_free)

/* ---- the k8s-file parser, shared by the main loop and the tail worker ---------------------------- */

/* Returns FALSE to stop feeding. ENTRY is only valid during the call. */
typedef gboolean (*EmitFunc) (HatakeLogEntry *entry,
                              gpointer        user_data);

typedef struct
{
  GByteArray *line;         /* the start of a record whose '\n' has not been read yet */
  GByteArray *pending[2];   /* P contents per stream, not yet ended by an F record */
  gint64      pending_ts[2];
} LogParser;

static inline int
stream_index (HatakeLogStream stream)
{
  return stream == HATAKE_LOG_STDOUT ? 0 : 1;
}

static void
log_parser_init (LogParser *p)
{
  p->line = g_byte_array_new ();
}

static void
log_parser_clear (LogParser *p)
{
  g_clear_pointer (&p->line, g_byte_array_unref);
  g_clear_pointer (&p->pending[0], g_byte_array_unref);
  g_clear_pointer (&p->pending[1], g_byte_array_unref);
}

/* LINE without its '\n'. */
static gboolean
parse_record (const char       *line,
              gsize             len,
              gint64           *out_ts,
              HatakeLogStream  *out_stream,
              gboolean         *out_full,
              const char      **out_content,
              gsize            *out_content_len)
{
  const char *end = line + len;
  const char *sp = memchr (line, ' ', len);
  const char *p;

  if (sp == NULL || !hatake_log_parse_timestamp (line, sp - line, out_ts))
    return FALSE;
  p = sp + 1;
  if (end - p >= 7 && memcmp (p, "stdout ", 7) == 0)
    *out_stream = HATAKE_LOG_STDOUT;
  else if (end - p >= 7 && memcmp (p, "stderr ", 7) == 0)
    *out_stream = HATAKE_LOG_STDERR;
  else
    return FALSE;
  p += 7;
  if (p == end || (*p != 'F' && *p != 'P'))
    return FALSE;
  *out_full = *p == 'F';
  p++;
  if (p < end && *p != ' ')
    return FALSE;
  if (p < end)
    p++;
  *out_content = p;
  *out_content_len = end - p;
  return TRUE;
}

/* LINE includes its '\n' at LINE[LEN], so an F record's content and newline are contiguous. */
static gboolean
log_parser_record (LogParser  *p,
                   const char *line,
                   gsize       len,
                   EmitFunc    emit,
                   gpointer    user_data)
{
  HatakeLogEntry entry = { 0, };
  const char *content;
  gsize content_len;
  gboolean full;
  int i;

  if (!parse_record (line, len, &entry.timestamp, &entry.stream, &full, &content, &content_len))
    {
      g_debug ("Skipping a malformed log record: %.*s", (int) MIN (len, 80), line);
      return TRUE;
    }
  i = stream_index (entry.stream);
  if (!full)
    {
      if (p->pending[i] == NULL)
        {
          p->pending[i] = g_byte_array_new ();
          p->pending_ts[i] = entry.timestamp;
        }
      g_byte_array_append (p->pending[i], (const guint8 *) content, content_len);
      return TRUE;
    }
  if (p->pending[i] != NULL)
    {
      g_byte_array_append (p->pending[i], (const guint8 *) content, content_len + 1);
      entry.timestamp = p->pending_ts[i];
      entry.content = g_byte_array_free_to_bytes (g_steal_pointer (&p->pending[i]));
    }
  else
    entry.content = g_bytes_new (content, content_len + 1);
  {
    gboolean ret = emit (&entry, user_data);

    g_bytes_unref (entry.content);
    return ret;
  }
}

static gboolean
log_parser_feed (LogParser  *p,
                 const char *data,
                 gsize       len,
                 EmitFunc    emit,
                 gpointer    user_data)
{
  const char *end = data + len;

  while (data < end)
    {
      const char *nl = memchr (data, '\n', end - data);
      gboolean go_on;

      if (nl == NULL)
        {
          g_byte_array_append (p->line, (const guint8 *) data, end - data);
          break;
        }
      if (p->line->len > 0)
        {
          g_byte_array_append (p->line, (const guint8 *) data, nl - data + 1);
          go_on = log_parser_record (p, (const char *) p->line->data, p->line->len - 1, emit, user_data);
          g_byte_array_set_size (p->line, 0);
        }
      else
        go_on = log_parser_record (p, data, nl - data, emit, user_data);
      data = nl + 1;
      if (!go_on)
        return FALSE;
    }
  return TRUE;
}

/* At the end of a log that will not grow: what is left of P records becomes a last partial line
 * per stream, oldest first. */
static gboolean
log_parser_flush (LogParser *p,
                  EmitFunc   emit,
                  gpointer   user_data)
{
  if (p->line->len > 0)
    {
      g_debug ("Dropping an unterminated log record of %u bytes", p->line->len);
      g_byte_array_set_size (p->line, 0);
    }
  while (p->pending[0] != NULL || p->pending[1] != NULL)
    {
      int i = p->pending[1] == NULL ? 0
            : p->pending[0] == NULL ? 1
            : p->pending_ts[0] <= p->pending_ts[1] ? 0 : 1;
      HatakeLogEntry entry = { p->pending_ts[i], i == 0 ? HATAKE_LOG_STDOUT : HATAKE_LOG_STDERR,
                               g_byte_array_free_to_bytes (g_steal_pointer (&p->pending[i])), TRUE };
      gboolean go_on = emit (&entry, user_data);

      g_bytes_unref (entry.content);
      if (!go_on)
        return FALSE;
    }
  return TRUE;
}

static gboolean
options_match (const HatakeLogOptions *o,
               const HatakeLogEntry   *entry)
{
  return (o->streams == 0 || (o->streams & entry->stream) != 0) &&
         (o->since == 0 || entry->timestamp >= o->since) &&
         (o->until == 0 || entry->timestamp <= o->until);
}

/* ---- tail: find where the last N entries start, reading backwards, in a worker ------------------ */

typedef struct
{
  GFile            *file;
  HatakeLogOptions  options;
  /* results */
  GFileInputStream *stream;
  guint64           inode;
  guint64           offset;
  LogParser         parser;
  GQueue            entries;
} TailData;

static void
tail_data_free (TailData *data)
{
  g_clear_object (&data->file);
  g_clear_object (&data->stream);
  log_parser_clear (&data->parser);
  g_queue_clear_full (&data->entries, (GDestroyNotify) hatake_log_entry_free);
  g_free (data);
}

static gboolean
tail_collect (HatakeLogEntry *entry,
              gpointer        user_data)
{
  TailData *data = user_data;

  if (!options_match (&data->options, entry))
    return TRUE;
  g_queue_push_tail (&data->entries, hatake_log_entry_copy (entry));
  if (data->entries.length > (guint64) data->options.tail)
    hatake_log_entry_free (g_queue_pop_head (&data->entries));
  return TRUE;
}

/* Prepends the block before BUF_START to BUF; FALSE at the start of the file or on error. */
static gboolean
tail_prepend_block (GInputStream  *in,
                    GByteArray    *buf,
                    goffset       *buf_start,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gsize want = MIN (*buf_start, TAIL_BLOCK);
  g_autofree guint8 *block = NULL;
  gsize got;

  if (want == 0)
    return FALSE;
  block = g_malloc (want);
  if (!g_seekable_seek (G_SEEKABLE (in), *buf_start - want, G_SEEK_SET, cancellable, error) ||
      !g_input_stream_read_all (in, block, want, &got, cancellable, error))
    return FALSE;
  if (got != want)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The log shrank while being read"));
      return FALSE;
    }
  g_byte_array_prepend (buf, block, want);
  *buf_start -= want;
  return TRUE;
}

/* Index of the last '\n' before BUF[END - SKIP], reading further back as needed (which moves
 * END); -1 at the start of the file. */
static gssize
tail_find_newline (GInputStream  *in,
                   GByteArray    *buf,
                   goffset       *buf_start,
                   gsize         *end,
                   gsize          skip,
                   GCancellable  *cancellable,
                   GError       **error)
{
  for (;;)
    {
      const guint8 *nl = *end > skip ? memrchr (buf->data, '\n', *end - skip) : NULL;
      gsize before = buf->len;

      if (nl != NULL)
        return nl - buf->data;
      if (!tail_prepend_block (in, buf, buf_start, cancellable, error))
        return -1;
      *end += buf->len - before;
    }
}

static void
tail_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TailData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  g_autofree char *chunk = NULL;
  GInputStream *in;
  goffset size, buf_start, start = 0;
  gsize end;
  gssize nl;

  data->stream = g_file_read (data->file, cancellable, &error);
  if (data->stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  in = G_INPUT_STREAM (data->stream);
  info = g_file_input_stream_query_info (data->stream, G_FILE_ATTRIBUTE_UNIX_INODE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                         cancellable, &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->inode = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE);
  size = g_file_info_get_size (info);
  buf_start = size;
  end = 0;

  if (data->options.tail == 0)
    start = size;
  else
    {
      gint64 count = 0;
      gboolean seen[2] = { FALSE, FALSE };
      gboolean closed[2] = { FALSE, FALSE };

      /* the bytes after the last '\n' are a record still being written: the forward pass keeps them */
      nl = tail_find_newline (in, buf, &buf_start, &end, 0, cancellable, &error);
      if (error != NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      end = nl + 1;
      g_byte_array_set_size (buf, end);
      /* Walk records backwards, counting matching F records. Once there are N, go on until each
       * stream seen so far has an F record further back: its entries after that one start after
       * it, so none of them is cut. The worker's forward pass keeps only the last N. */
      while (end > 0)
        {
          HatakeLogEntry e = { 0, };
          const char *content;
          gsize content_len, s;
          gboolean full;

          nl = tail_find_newline (in, buf, &buf_start, &end, 1, cancellable, &error);
          if (error != NULL)
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          s = nl + 1;
          if (parse_record ((const char *) buf->data + s, end - 1 - s, &e.timestamp, &e.stream, &full,
                            &content, &content_len))
            {
              int i = stream_index (e.stream);

              if (count >= data->options.tail)
                {
                  if (full)
                    closed[i] = seen[i];   /* an unseen stream has nothing after this record */
                  else if (!closed[i])
                    seen[i] = TRUE;
                  if ((!seen[0] || closed[0]) && (!seen[1] || closed[1]))
                    {
                      start = buf_start + end;
                      break;
                    }
                }
              else
                {
                  seen[i] = TRUE;
                  if (full && (data->options.streams == 0 || (data->options.streams & e.stream) != 0) &&
                      (data->options.until == 0 || e.timestamp <= data->options.until))
                    count++;
                }
            }
          end = s;
          g_byte_array_set_size (buf, end);
          start = buf_start + end;
        }
    }

  /* forward from START to the size seen at the start, keeping the last N */
  if (!g_seekable_seek (G_SEEKABLE (in), start, G_SEEK_SET, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  log_parser_init (&data->parser);
  chunk = g_malloc (TAIL_BLOCK);
  data->offset = start;
  while (data->offset < (guint64) size)
    {
      gssize n = g_input_stream_read (in, chunk, MIN (TAIL_BLOCK, size - data->offset), cancellable, &error);

      if (n < 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (n == 0)
        break;
      data->offset += n;
      log_parser_feed (&data->parser, chunk, n, tail_collect, data);
    }
  if (!data->options.follow)
    log_parser_flush (&data->parser, tail_collect, data);
  g_task_return_boolean (task, TRUE);
}

/* ---- the reader -------------------------------------------------------------------------------- */

typedef struct
{
  GInputStream *stream;
  guint64       inode;
  guint64       seq;    /* order of the opens: a later one never opened an older file */
} OpenedLog;



static void
opened_log_free (OpenedLog *log)
{
  g_clear_object (&log->stream);
  g_free (log);
}

struct _HatakeLogReader
{
  GObject           parent_instance;

  char             *path;
  char             *basename;
  GFile            *file;
  HatakeLogOptions  options;

  GTask            *task;           /* the run, while it runs */
  GCancellable     *cancellable;    /* cancelled when the run ends, to drop what is in flight */
  GSource          *cancel_source;  /* the caller's cancellable */
  HatakeLogWatch   *watch;          /* following: the thread that opens every new file at once */

  GInputStream     *stream;
  guint64           inode;
  guint64           offset;
  guint64           stream_seq;
  guint64           next_seq;
  GQueue            next_logs;      /* OpenedLog: files that replaced ours, oldest first */
  LogParser         parser;

  guint             files_lost;     /* conmon replaced them before the watch could open them */
  HatakeFlow       *flow;           /* a reference to options.flow */
  gulong            flow_handler;

  guint             sync_requested : 1;
  guint             synced : 1;
  guint             busy : 1;            /* a read, check, open or the tail worker in flight */
  guint             poked : 1;           /* the watch spoke since the last check */
  guint             draining : 1;        /* the path is another file: read ours to its end */
  guint             exited : 1;
  guint             exited_at_check : 1;
  guint             flow_waiting : 1;    /* a read was due while the flow was held */
  guint             wait_for_log : 1;    /* following: no log yet is not the end */
};

G_DEFINE_FINAL_TYPE (HatakeLogReader, hatake_log_reader, G_TYPE_OBJECT)

enum {
  SIGNAL_ENTRY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void reader_kick      (HatakeLogReader *self);
static void reader_read_next (HatakeLogReader *self);

static void
reader_release_io (HatakeLogReader *self)
{
  g_cancellable_cancel (self->cancellable);
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  g_clear_pointer (&self->watch, hatake_log_watch_stop);
  g_clear_object (&self->stream);
  g_queue_clear_full (&self->next_logs, (GDestroyNotify) opened_log_free);
}

/* The one way a run ends. ERROR: transfer full, NULL for success. */
static void
reader_complete (HatakeLogReader *self,
                 GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  reader_release_io (self);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
reader_emit (HatakeLogEntry *entry,
             gpointer        user_data)
{
  HatakeLogReader *self = user_data;
  const HatakeLogOptions *o = &self->options;

  if (self->task == NULL)
    return FALSE;
  if (o->until != 0 && entry->timestamp > o->until)
    {
      reader_complete (self, NULL);
      return FALSE;
    }
  if (!options_match (o, entry))
    return TRUE;
  g_signal_emit (self, signals[SIGNAL_ENTRY], 0, entry);
  return self->task != NULL;
}

static void
reader_finish_at_end (HatakeLogReader *self)
{
  /* Following: the end is where the container's output ended, and the watch may not have
   * handled the last of conmon's replacements yet. Let it catch up first: it may hand over one
   * more file, and its count of files lost is final only then. */
  if (self->watch != NULL && !self->synced)
    {
      if (!self->sync_requested)
        {
          self->sync_requested = TRUE;
          hatake_log_watch_sync (self->watch);
        }
      return;
    }
  if (log_parser_flush (&self->parser, reader_emit, self))
    reader_complete (self, NULL);
}

static void
reader_use_log (HatakeLogReader *self,
                OpenedLog       *log)
{
  g_debug ("%s: now reading inode %" G_GUINT64_FORMAT " (open #%" G_GUINT64_FORMAT ")",
           self->path, log->inode, log->seq);
  g_set_object (&self->stream, log->stream);
  self->inode = log->inode;
  self->stream_seq = log->seq;
  self->offset = 0;
  self->draining = FALSE;
  opened_log_free (log);
}

static guint64
stream_inode (GFileInputStream *stream)
{
  /* fstat on a descriptor we hold: it does not wait for anything */
  g_autoptr(GFileInfo) info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_UNIX_INODE, NULL, NULL);

  return info ? g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE) : 0;
}

static gboolean
stream_rewind (GInputStream  *stream,
               GError       **error)
{
  if (G_IS_UNIX_INPUT_STREAM (stream))
    {
      if (lseek (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream)), 0, SEEK_SET) < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }
  return g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, NULL, error);
}

static void
reader_queue_log (HatakeLogReader *self,
                  OpenedLog       *log)
{
  /* not the file we read, nor one already queued */
  if (self->stream != NULL && log->inode == self->inode)
    {
      opened_log_free (log);
      return;
    }
  for (GList *l = self->next_logs.head; l != NULL; l = l->next)
    if (((OpenedLog *) l->data)->inode == log->inode)
      {
        opened_log_free (log);
        return;
      }
  g_queue_push_tail (&self->next_logs, log);
}

static void
on_watch_event (GObject                   *owner,
                HatakeLogWatch            *watch,
                const HatakeLogWatchEvent *event)
{
  HatakeLogReader *self = HATAKE_LOG_READER (owner);
  OpenedLog *log;

  if (self->task == NULL || self->watch != watch)
    {
      if (event->fd >= 0)
        close (event->fd);
      return;
    }
  if (event->fd < 0 && event->first)
    {
      /* not started yet: the watch opens the log the moment conmon makes it */
      if (event->saved_errno == ENOENT && self->wait_for_log)
        return;
      if (event->saved_errno == ENOENT)
        reader_complete (self, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No log at %s"), self->path));
      else
        reader_complete (self, g_error_new (G_IO_ERROR, g_io_error_from_errno (event->saved_errno),
                                            _("Cannot open %s: %s"), self->path,
                                            g_strerror (event->saved_errno)));
      return;
    }
  if (event->lost > self->files_lost)
    {
      if (self->files_lost == 0)
        g_warning (_("The log of %s is written faster than it can be followed at its size cap "
                     "(log-size-max): conmon replaced a file before it could be read, and its lines are lost"),
                   self->path);
      self->files_lost = event->lost;
    }
  if (event->synced)
    {
      self->synced = TRUE;
      if (self->stream == NULL && !self->busy && g_queue_is_empty (&self->next_logs))
        {
          /* the last file is read, and the watch has nothing more */
          reader_finish_at_end (self);
          return;
        }
    }
  if (event->fd < 0)
    hatake_log_watch_poke_done (self->watch);
  else
    {
      /* the thread opens in order, and its events arrive in order */
      log = g_new0 (OpenedLog, 1);
      log->stream = g_unix_input_stream_new (event->fd, TRUE);
      log->inode = event->inode;
      log->seq = ++self->next_seq;
      reader_queue_log (self, log);
    }
  self->poked = TRUE;
  reader_kick (self);
}

/* -- opening, when not following -- */

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HatakeLogReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read_finish (G_FILE (source), result, &error);
  OpenedLog *log;

  if (self->task == NULL)
    return;
  self->busy = FALSE;

  if (stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        reader_complete (self, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No log at %s"), self->path));
      else
        reader_complete (self, g_steal_pointer (&error));
      return;
    }

  log = g_new0 (OpenedLog, 1);
  log->inode = stream_inode (stream);
  log->stream = G_INPUT_STREAM (g_steal_pointer (&stream));
  if (self->options.follow && log->inode == self->inode)
    {
      /* the last look after the writer exited: the file we have just read to its end */
      opened_log_free (log);
      reader_finish_at_end (self);
      return;
    }
  log->seq = ++self->next_seq;
  reader_use_log (self, log);
  self->busy = TRUE;
  reader_read_next (self);
}

static void
reader_open (HatakeLogReader *self)
{
  self->busy = TRUE;
  g_file_read_async (self->file, G_PRIORITY_DEFAULT, self->cancellable, on_opened, g_object_ref (self));
}

/* Our file is read to its end and another one is at the path: go on with the next one the
 * watch opened. */
static void
reader_switch (HatakeLogReader *self)
{
  if (self->parser.line->len > 0)
    {
      g_debug ("%s: dropping an unterminated record at the end of a replaced log", self->path);
      g_byte_array_set_size (self->parser.line, 0);
    }
  g_clear_object (&self->stream);
  self->busy = FALSE;
  while (!g_queue_is_empty (&self->next_logs))
    {
      OpenedLog *log = g_queue_pop_head (&self->next_logs);

      if (log->seq > self->stream_seq)
        {
          self->busy = TRUE;
          reader_use_log (self, log);
          reader_read_next (self);
          return;
        }
      opened_log_free (log);
    }
  /* the watch hands the new file over as soon as it has it; once the container has exited,
   * look at the path one last time (a handover may still be on its way) */
  if (self->exited)
    reader_open (self);
}

/* -- checking the path at the end of our file -- */

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HatakeLogReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);

  if (self->task == NULL)
    return;
  self->busy = FALSE;

  if (info == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      reader_complete (self, g_steal_pointer (&error));
      return;
    }
  if (info != NULL)
    {
      guint64 inode = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE);
      guint64 size = g_file_info_get_size (info);

      if (inode != self->inode)
        {
          /* Another file is at the path. The watch hands every new one over (and the queue
           * was empty when we looked), so this is either the file before ours, when ours was
           * opened as LOG.tmp and is not renamed yet, or one on its way to us: wait for the
           * watch. Once the writer has exited, nothing more comes: read ours to its end and
           * take one last look at the path. */
          if (self->exited_at_check)
            {
              self->draining = TRUE;
              self->busy = TRUE;
              reader_read_next (self);
              return;
            }
        }
      else if (size < self->offset)
        {
          g_debug ("%s: truncated in place, reading again from the start", self->path);
          if (!stream_rewind (self->stream, &error))
            {
              reader_complete (self, g_steal_pointer (&error));
              return;
            }
          self->offset = 0;
          g_byte_array_set_size (self->parser.line, 0);
          self->busy = TRUE;
          reader_read_next (self);
          return;
        }
      else if (size != self->offset)
        {
          self->busy = TRUE;
          reader_read_next (self);
          return;
        }
    }
  if (self->poked)
    reader_kick (self);
  else if (self->exited_at_check)
    reader_finish_at_end (self);
  /* else: idle until the watch or writer_exited() speaks */
}

static void
reader_at_eof (HatakeLogReader *self)
{
  if (!self->options.follow)
    {
      reader_finish_at_end (self);
      return;
    }
  if (self->draining)
    {
      reader_switch (self);
      return;
    }
  if (!g_queue_is_empty (&self->next_logs))
    {
      /* replaced already; one more read catches what was written just before the rename */
      self->draining = TRUE;
      reader_read_next (self);
      return;
    }
  self->poked = FALSE;
  self->exited_at_check = self->exited;
  self->busy = TRUE;
  g_file_query_info_async (self->file, G_FILE_ATTRIBUTE_UNIX_INODE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, self->cancellable,
                           on_checked, g_object_ref (self));
}

/* -- reading -- */

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(HatakeLogReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gsize len;
  const char *data;

  if (self->task == NULL)
    return;
  self->busy = FALSE;
  if (bytes == NULL)
    {
      reader_complete (self, g_steal_pointer (&error));
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      self->busy = TRUE;
      reader_at_eof (self);
      return;
    }
  self->offset += len;
  if (log_parser_feed (&self->parser, data, len, reader_emit, self) && self->task != NULL)
    {
      self->busy = TRUE;
      reader_read_next (self);
    }
}

static void
reader_read_next (HatakeLogReader *self)
{
  g_assert (self->stream != NULL);
  g_assert (self->busy);
  if (self->flow != NULL && hatake_flow_get_held (self->flow))
    {
      /* the consumer has enough waiting: the next read when it lets go (the watch keeps every
       * file conmon puts in place open meanwhile, so nothing is lost by waiting) */
      self->busy = FALSE;
      self->flow_waiting = TRUE;
      return;
    }
  g_input_stream_read_bytes_async (G_INPUT_STREAM (self->stream), READ_SIZE, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_read, g_object_ref (self));
}

static void
on_flow_held (HatakeFlow      *flow,
              GParamSpec      *pspec,
              HatakeLogReader *self)
{
  if (hatake_flow_get_held (flow) || !self->flow_waiting)
    return;
  self->flow_waiting = FALSE;
  reader_kick (self);
}

static void
reader_kick (HatakeLogReader *self)
{
  if (self->task == NULL || self->busy)
    return;
  if (self->stream == NULL)
    {
      if (self->watch == NULL)
        reader_open (self);
      else if (!g_queue_is_empty (&self->next_logs))
        {
          self->busy = TRUE;
          reader_use_log (self, g_queue_pop_head (&self->next_logs));
          reader_read_next (self);
        }
      else if (self->exited && self->wait_for_log)
        reader_finish_at_end (self);   /* (after the watch has handed over what it still has) */
      return;
    }
  self->busy = TRUE;
  reader_read_next (self);
}

/* -- tail -- */

static void
on_tail_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HatakeLogReader) self = user_data;
  TailData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  HatakeLogEntry *entry;

  if (self->task == NULL)
    return;
  self->busy = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        reader_complete (self, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No log at %s"), self->path));
      else
        reader_complete (self, g_steal_pointer (&error));
      return;
    }

  self->stream = G_INPUT_STREAM (g_steal_pointer (&data->stream));
  self->inode = data->inode;
  self->offset = data->offset;
  self->stream_seq = ++self->next_seq;
  log_parser_clear (&self->parser);
  self->parser = data->parser;
  memset (&data->parser, 0, sizeof data->parser);

  while ((entry = g_queue_pop_head (&data->entries)) != NULL)
    {
      G_GNUC_UNUSED g_autoptr(HatakeLogEntry) owned = entry;   /* (freed at the end of the turn) */

      if (!reader_emit (entry, self))
        return;
    }
  if (!self->options.follow)
    reader_complete (self, NULL);
  else
    reader_kick (self);
}

/* -- the object -- */

static void
hatake_log_reader_dispose (GObject *object)
{
  HatakeLogReader *self = (HatakeLogReader *) object;

  reader_release_io (self);
  if (self->flow != NULL)
    g_clear_signal_handler (&self->flow_handler, self->flow);
  g_clear_object (&self->flow);
  G_OBJECT_CLASS (hatake_log_reader_parent_class)->dispose (object);
}

static void
hatake_log_reader_finalize (GObject *object)
{
  HatakeLogReader *self = (HatakeLogReader *) object;

  g_assert (self->task == NULL);
  log_parser_clear (&self->parser);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->file);
  g_free (self->path);
  g_free (self->basename);
  G_OBJECT_CLASS (hatake_log_reader_parent_class)->finalize (object);
}

static void
hatake_log_reader_class_init (HatakeLogReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hatake_log_reader_dispose;
  object_class->finalize = hatake_log_reader_finalize;

  /**
   * HatakeLogReader::entry:
   * @entry: (transfer none): valid during the emission only; copy it to keep it
   */
  signals[SIGNAL_ENTRY] =
    g_signal_new ("entry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, HATAKE_TYPE_LOG_ENTRY | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
hatake_log_reader_init (HatakeLogReader *self)
{
  HatakeLogOptions defaults = HATAKE_LOG_OPTIONS_INIT;

  self->options = defaults;
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->next_logs);
  log_parser_init (&self->parser);
}

HatakeLogReader *
hatake_log_reader_new (const char             *path,
                       const HatakeLogOptions *options)
{
  HatakeLogReader *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (HATAKE_TYPE_LOG_READER, NULL);
  self->path = g_strdup (path);
  self->file = g_file_new_for_path (path);
  self->basename = g_file_get_basename (self->file);
  if (options != NULL)
    self->options = *options;
  if (self->options.flow != NULL)
    {
      self->flow = g_object_ref (self->options.flow);
      self->flow_handler = g_signal_connect (self->flow, "notify::held", G_CALLBACK (on_flow_held), self);
    }
  self->options.flow = NULL;   /* (the reference is self->flow) */
  return self;
}

const char *
hatake_log_reader_get_path (HatakeLogReader *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_READER (self), NULL);

  return self->path;
}

static gboolean
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  HatakeLogReader *self = user_data;

  reader_complete (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled")));
  return G_SOURCE_REMOVE;
}

void
hatake_log_reader_run_async (HatakeLogReader     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HATAKE_IS_LOG_READER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL && !g_cancellable_is_cancelled (self->cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_log_reader_run_async);
  self->task = g_steal_pointer (&task);

  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (on_caller_cancelled), self, NULL);
      g_source_attach (self->cancel_source, g_task_get_context (self->task));
    }

  /* watch the folder before the first open, so that no replacement goes unseen */
  if (self->options.follow)
    {
      self->watch = hatake_log_watch_start (self->path, g_task_get_context (self->task), self->options.tail < 0,
                                            G_OBJECT (self), on_watch_event, &error);
      if (self->watch == NULL)
        {
          reader_complete (self, g_steal_pointer (&error));
          return;
        }
    }

  if (self->options.tail >= 0)
    {
      g_autoptr(GTask) worker = g_task_new (NULL, self->cancellable, on_tail_done, g_object_ref (self));
      TailData *data = g_new0 (TailData, 1);

      data->file = g_object_ref (self->file);
      data->options = self->options;
      g_queue_init (&data->entries);
      g_task_set_source_tag (worker, tail_worker);
      g_task_set_task_data (worker, data, (GDestroyNotify) tail_data_free);
      self->busy = TRUE;
      g_task_run_in_thread (worker, tail_worker);
    }
  else if (self->watch == NULL)
    reader_open (self);
  /* else the watch opens LOG first */
}

gboolean
hatake_log_reader_run_finish (HatakeLogReader  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (HATAKE_IS_LOG_READER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hatake_log_reader_stop (HatakeLogReader *self)
{
  g_return_if_fail (HATAKE_IS_LOG_READER (self));

  reader_complete (self, NULL);
}

void
hatake_log_reader_set_wait_for_log (HatakeLogReader *self,
                                    gboolean         wait)
{
  g_return_if_fail (HATAKE_IS_LOG_READER (self));
  g_return_if_fail (self->task == NULL);

  self->wait_for_log = wait;
}

void
hatake_log_reader_writer_exited (HatakeLogReader *self)
{
  g_return_if_fail (HATAKE_IS_LOG_READER (self));

  self->exited = TRUE;
  self->poked = TRUE;
  reader_kick (self);
}

guint
hatake_log_reader_get_files_lost (HatakeLogReader *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_READER (self), 0);

  return self->files_lost;
}
