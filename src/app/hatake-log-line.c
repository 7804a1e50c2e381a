/* hatake-log-line.c: a container log kept compactly, and the row objects made from it on demand
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <string.h>

#include "hatake-log-line.h"

/* A search that matches everywhere stops counting here: the list stays usable and memory bounded. */
#define MAX_MATCHES 100000

/* ------------------------------------------------------------------------------------------ */
/* HatakeLogLine                                                                              */

struct _HatakeLogLine
{
  GObject        parent_instance;

  guint          position;
  gboolean       is_stderr;
  gint64         timestamp;
  char          *text;
  PangoAttrList *attributes;
};

G_DEFINE_FINAL_TYPE (HatakeLogLine, hatake_log_line, G_TYPE_OBJECT)

enum {
  LINE_PROP_0,
  LINE_PROP_POSITION,
  LINE_PROP_TEXT,
  LINE_PROP_ATTRIBUTES,
  LINE_PROP_IS_STDERR,
  LINE_PROP_TIMESTAMP,
  N_LINE_PROPS
};

static GParamSpec *line_properties[N_LINE_PROPS];

guint
hatake_log_line_get_position (HatakeLogLine *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_LINE (self), 0);
  return self->position;
}

const char *
hatake_log_line_get_text (HatakeLogLine *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_LINE (self), NULL);
  return self->text;
}

PangoAttrList *
hatake_log_line_get_attributes (HatakeLogLine *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_LINE (self), NULL);
  return self->attributes;
}

gboolean
hatake_log_line_get_is_stderr (HatakeLogLine *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_LINE (self), FALSE);
  return self->is_stderr;
}

gint64
hatake_log_line_get_timestamp (HatakeLogLine *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_LINE (self), 0);
  return self->timestamp;
}

/* Takes TEXT and ATTRIBUTES. */
static void
hatake_log_line_update (HatakeLogLine *self,
                        char          *text,
                        PangoAttrList *attributes)
{
  gboolean same_attributes;

  if (g_strcmp0 (self->text, text) != 0)
    {
      g_free (self->text);
      self->text = text;
      g_object_notify_by_pspec (G_OBJECT (self), line_properties[LINE_PROP_TEXT]);
    }
  else
    g_free (text);

  same_attributes = (self->attributes == NULL && attributes == NULL) ||
                    (self->attributes != NULL && attributes != NULL &&
                     pango_attr_list_equal (self->attributes, attributes));
  if (!same_attributes)
    {
      g_clear_pointer (&self->attributes, pango_attr_list_unref);
      self->attributes = attributes;
      g_object_notify_by_pspec (G_OBJECT (self), line_properties[LINE_PROP_ATTRIBUTES]);
    }
  else if (attributes != NULL)
    pango_attr_list_unref (attributes);
}

static void
hatake_log_line_finalize (GObject *object)
{
  HatakeLogLine *self = HATAKE_LOG_LINE (object);

  g_free (self->text);
  g_clear_pointer (&self->attributes, pango_attr_list_unref);

  G_OBJECT_CLASS (hatake_log_line_parent_class)->finalize (object);
}

static void
hatake_log_line_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  HatakeLogLine *self = HATAKE_LOG_LINE (object);

  switch (prop_id)
    {
    case LINE_PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;

    case LINE_PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case LINE_PROP_ATTRIBUTES:
      g_value_set_boxed (value, self->attributes);
      break;

    case LINE_PROP_IS_STDERR:
      g_value_set_boolean (value, self->is_stderr);
      break;

    case LINE_PROP_TIMESTAMP:
      g_value_set_int64 (value, self->timestamp);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_log_line_class_init (HatakeLogLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_log_line_finalize;
  object_class->get_property = hatake_log_line_get_property;

  line_properties[LINE_PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* What the row shows: the timestamp when shown, then the line without its escapes. */
  line_properties[LINE_PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* ANSI colours and bold, search highlights, the dimmed timestamp. */
  line_properties[LINE_PROP_ATTRIBUTES] =
    g_param_spec_boxed ("attributes", NULL, NULL, PANGO_TYPE_ATTR_LIST,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  line_properties[LINE_PROP_IS_STDERR] =
    g_param_spec_boolean ("is-stderr", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  line_properties[LINE_PROP_TIMESTAMP] =
    g_param_spec_int64 ("timestamp", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_LINE_PROPS, line_properties);
}

static void
hatake_log_line_init (HatakeLogLine *self)
{
}

/* ------------------------------------------------------------------------------------------ */
/* ANSI SGR                                                                                   */

enum {
  SPAN_FG   = 1 << 0,
  SPAN_BOLD = 1 << 1,
};

typedef struct
{
  guint32 start;   /* bytes into the line's text */
  guint32 end;
  guint32 rgb;
  guint8  flags;
} Span;

/* GNOME Console's palette: readable on both the light and the dark style. */
static const guint32 ansi_palette[16] = {
  0x241f31, 0xc01c28, 0x2ec27e, 0xf5c211, 0x1e78e4, 0x9841bb, 0x0ab9dc, 0xc0bfbc,
  0x5e5c64, 0xed333b, 0x57e389, 0xf8e45c, 0x51a1ff, 0xc061cb, 0x4fd2fd, 0xf6f5f4,
};

static guint32
ansi_256 (guint n)
{
  static const guint8 cube[6] = { 0, 95, 135, 175, 215, 255 };

  if (n < 16)
    return ansi_palette[n];
  if (n < 232)
    {
      n -= 16;
      return (cube[n / 36] << 16) | (cube[(n / 6) % 6] << 8) | cube[n % 6];
    }
  n = 8 + (MIN (n, 255) - 232) * 10;
  return (n << 16) | (n << 8) | n;
}

typedef struct
{
  guint32 rgb;
  guint8  flags;
  gsize   start;
} SgrState;

static void
sgr_close_span (SgrState *state,
                gsize     position,
                GArray   *spans)
{
  if (state->flags != 0 && position > state->start)
    {
      Span span = { state->start, position, state->rgb, state->flags };
      g_array_append_val (spans, span);
    }
  state->start = position;
}

/* PARAMS: what is between "ESC [" and "m", e.g. "1;31" or "38;5;208". */
static void
sgr_apply (SgrState   *state,
           const char *params,
           gsize       length)
{
  guint values[32];
  guint n = 0;
  gsize i = 0;

  /* An empty parameter is 0, so "ESC [ m" and "ESC [ ; 1 m" work. */
  while (n < G_N_ELEMENTS (values))
    {
      guint v = 0;

      for (; i < length && g_ascii_isdigit (params[i]); i++)
        v = MIN (v * 10 + (guint) (params[i] - '0'), 1000u);
      values[n++] = v;
      if (i >= length)
        break;
      i++;   /* ';' or ':' */
    }

  for (guint k = 0; k < n; k++)
    {
      guint v = values[k];

      if (v == 0)
        state->flags = 0;
      else if (v == 1)
        state->flags |= SPAN_BOLD;
      else if (v == 22)
        state->flags &= ~SPAN_BOLD;
      else if (v >= 30 && v <= 37)
        {
          state->rgb = ansi_palette[v - 30];
          state->flags |= SPAN_FG;
        }
      else if (v >= 90 && v <= 97)
        {
          state->rgb = ansi_palette[8 + v - 90];
          state->flags |= SPAN_FG;
        }
      else if (v == 39)
        state->flags &= ~SPAN_FG;
      else if (v == 38 || v == 48)
        {
          /* 256 colours and true colour; backgrounds are parsed only to be skipped. */
          if (k + 2 < n && values[k + 1] == 5)
            {
              if (v == 38)
                {
                  state->rgb = ansi_256 (values[k + 2]);
                  state->flags |= SPAN_FG;
                }
              k += 2;
            }
          else if (k + 4 < n && values[k + 1] == 2)
            {
              if (v == 38)
                {
                  state->rgb = (MIN (values[k + 2], 255u) << 16) |
                               (MIN (values[k + 3], 255u) << 8) |
                               MIN (values[k + 4], 255u);
                  state->flags |= SPAN_FG;
                }
              k += 4;
            }
          else
            k = n;
        }
    }
}

/* DATA must be valid UTF-8. Escapes are ASCII, so dropping them keeps it valid; so does dropping
 * control characters (a tab stays). */
static void
parse_ansi (const char *data,
            gsize       length,
            GString    *out,
            GArray     *spans)
{
  SgrState state = { 0, 0, out->len };
  gsize base = out->len;
  gsize i = 0;

  while (i < length)
    {
      guchar c = data[i];

      if (c == 0x1b)
        {
          guchar next = i + 1 < length ? data[i + 1] : 0;

          if (next == '[')
            {
              gsize j = i + 2;

              /* parameters and intermediates, up to the final byte */
              while (j < length && !(data[j] >= 0x40 && data[j] <= 0x7e))
                j++;
              if (j < length && data[j] == 'm')
                {
                  sgr_close_span (&state, out->len, spans);
                  sgr_apply (&state, data + i + 2, j - (i + 2));
                }
              i = MIN (j + 1, length);
            }
          else if (next == ']')
            {
              /* OSC (titles, hyperlinks): up to BEL or ST */
              gsize j = i + 2;

              while (j < length && data[j] != 0x07 && !(data[j] == 0x1b && j + 1 < length && data[j + 1] == '\\'))
                j++;
              i = j >= length ? length : j + (data[j] == 0x07 ? 1 : 2);
            }
          else if (next >= 0x20 && next < 0x7f)
            i += 2;
          else
            i += 1;
        }
      else if ((c < 0x20 && c != '\t') || c == 0x7f)
        i++;
      else
        {
          gsize j = i + 1;

          while (j < length && (guchar) data[j] != 0x1b && ((guchar) data[j] >= 0x20 || data[j] == '\t') && data[j] != 0x7f)
            j++;
          g_string_append_len (out, data + i, j - i);
          i = j;
        }
    }
  sgr_close_span (&state, out->len, spans);

  /* spans are relative to the line */
  for (guint k = 0; k < spans->len; k++)
    {
      Span *span = &g_array_index (spans, Span, k);
      span->start -= base;
      span->end -= base;
    }
}

static void
spans_to_attributes (const Span    *spans,
                     guint          n_spans,
                     guint          offset,
                     PangoAttrList *list)
{
  for (guint k = 0; k < n_spans; k++)
    {
      const Span *span = &spans[k];
      PangoAttribute *attr;

      if (span->flags & SPAN_FG)
        {
          attr = pango_attr_foreground_new (((span->rgb >> 16) & 0xff) * 257,
                                            ((span->rgb >> 8) & 0xff) * 257,
                                            (span->rgb & 0xff) * 257);
          attr->start_index = offset + span->start;
          attr->end_index = offset + span->end;
          pango_attr_list_insert (list, attr);
        }
      if (span->flags & SPAN_BOLD)
        {
          attr = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
          attr->start_index = offset + span->start;
          attr->end_index = offset + span->end;
          pango_attr_list_insert (list, attr);
        }
    }
}

char *
hatake_log_parse_ansi (const char     *data,
                       gsize           length,
                       PangoAttrList **attributes)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (Span));
  g_autofree char *valid = NULL;

  if (!g_utf8_validate_len (data, length, NULL))
    {
      valid = g_utf8_make_valid (data, length);
      data = valid;
      length = strlen (valid);
    }
  parse_ansi (data, length, out, spans);
  if (attributes != NULL)
    {
      *attributes = pango_attr_list_new ();
      spans_to_attributes ((Span *) (gpointer) spans->data, spans->len, 0, *attributes);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* HatakeLogBuffer                                                                            */

typedef struct
{
  guint64 offset;       /* into text */
  gint64  timestamp;
  guint32 length;
  guint32 first_span;   /* into spans, when n_spans > 0 */
  guint16 n_spans;
  guint8  stream;
} Record;

typedef struct
{
  guint   line;
  guint32 start;        /* bytes into the line's text */
  guint32 end;
} Match;

struct _HatakeLogBuffer
{
  GObject     parent_instance;

  /* Every line's text, each followed by '\n' so that no search match spans two lines. */
  GByteArray *text;
  GArray     *records;
  GArray     *spans;
  guint       n_published;

  gboolean    show_timestamps;

  /* position → HatakeLogLine, unowned: the lines that the list holds, updated in place */
  GHashTable *live;

  char       *search;
  GRegex     *regex;
  GArray     *matches;
  gboolean    truncated;
  int         current;

  GString    *scratch;
  GArray     *scratch_spans;
};

static void hatake_log_buffer_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HatakeLogBuffer, hatake_log_buffer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      hatake_log_buffer_list_model_init))

enum {
  PROP_0,
  PROP_N_LINES,
  PROP_SHOW_TIMESTAMPS,
  PROP_SEARCH,
  PROP_N_MATCHES,
  PROP_CURRENT_MATCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static inline Record *
record_at (HatakeLogBuffer *self,
           guint            position)
{
  return &g_array_index (self->records, Record, position);
}

/* The first match on a line at or after POSITION. */
static guint
first_match_from (HatakeLogBuffer *self,
                  guint            position)
{
  guint lo = 0, hi = self->matches->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->matches, Match, mid).line < position)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
render_line (HatakeLogBuffer  *self,
             guint             position,
             char            **out_text,
             PangoAttrList   **out_attributes)
{
  const Record *record = record_at (self, position);
  GString *text = g_string_new (NULL);
  PangoAttrList *attributes = pango_attr_list_new ();
  guint prefix = 0;

  if (self->show_timestamps)
    {
      g_autofree char *ts = hatake_log_format_timestamp (record->timestamp);
      PangoAttribute *attr = pango_attr_foreground_alpha_new (0xffff * 55 / 100);

      g_string_append (text, ts);
      attr->start_index = 0;
      attr->end_index = text->len;
      pango_attr_list_insert (attributes, attr);
      g_string_append_c (text, ' ');
      prefix = text->len;
    }
  g_string_append_len (text, (const char *) self->text->data + record->offset, record->length);

  if (record->n_spans > 0)
    spans_to_attributes (&g_array_index (self->spans, Span, record->first_span),
                         record->n_spans, prefix, attributes);

  /* After the colours, so that a highlight wins over them. */
  for (guint m = first_match_from (self, position);
       m < self->matches->len && g_array_index (self->matches, Match, m).line == position;
       m++)
    {
      const Match *match = &g_array_index (self->matches, Match, m);
      gboolean current = (int) m == self->current;
      guint16 r = current ? 0xff00 : 0xf600, g = current ? 0x7800 : 0xd300, b = current ? 0x0000 : 0x2d00;
      PangoAttribute *attr;

      attr = pango_attr_background_new (r, g, b);
      attr->start_index = prefix + match->start;
      attr->end_index = prefix + match->end;
      pango_attr_list_insert (attributes, attr);

      attr = pango_attr_foreground_new (0, 0, 0);
      attr->start_index = prefix + match->start;
      attr->end_index = prefix + match->end;
      pango_attr_list_insert (attributes, attr);
    }

  *out_text = g_string_free (text, FALSE);
  *out_attributes = attributes;
}

static void
refresh_line (HatakeLogBuffer *self,
              HatakeLogLine   *line)
{
  char *text;
  PangoAttrList *attributes;

  render_line (self, line->position, &text, &attributes);
  hatake_log_line_update (line, text, attributes);
}

static void
refresh_live_lines (HatakeLogBuffer *self)
{
  GHashTableIter iter;
  gpointer line;

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, NULL, &line))
    refresh_line (self, line);
}

static void
refresh_position (HatakeLogBuffer *self,
                  guint            position)
{
  HatakeLogLine *line = g_hash_table_lookup (self->live, GUINT_TO_POINTER (position));

  if (line != NULL)
    refresh_line (self, line);
}

static void
live_line_gone (gpointer  data,
                GObject  *where_the_object_was)
{
  HatakeLogBuffer *self = data;
  /* Weak notifies run before finalize: the line's fields are still there. */
  HatakeLogLine *line = (HatakeLogLine *) where_the_object_was;

  if (g_hash_table_lookup (self->live, GUINT_TO_POINTER (line->position)) == line)
    g_hash_table_remove (self->live, GUINT_TO_POINTER (line->position));
}

static void
forget_live_lines (HatakeLogBuffer *self)
{
  GHashTableIter iter;
  gpointer line;

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, NULL, &line))
    {
      g_object_weak_unref (line, live_line_gone, self);
      g_hash_table_iter_remove (&iter);
    }
}

static GType
hatake_log_buffer_get_item_type (GListModel *model)
{
  return HATAKE_TYPE_LOG_LINE;
}

static guint
hatake_log_buffer_get_n_items (GListModel *model)
{
  return HATAKE_LOG_BUFFER (model)->n_published;
}

static gpointer
hatake_log_buffer_get_item (GListModel *model,
                            guint       position)
{
  HatakeLogBuffer *self = HATAKE_LOG_BUFFER (model);
  HatakeLogLine *line;
  const Record *record;

  if (position >= self->n_published)
    return NULL;

  line = g_hash_table_lookup (self->live, GUINT_TO_POINTER (position));
  if (line != NULL)
    return g_object_ref (line);

  record = record_at (self, position);
  line = g_object_new (HATAKE_TYPE_LOG_LINE, NULL);
  line->position = position;
  line->is_stderr = record->stream == HATAKE_LOG_STDERR;
  line->timestamp = record->timestamp;
  render_line (self, position, &line->text, &line->attributes);

  g_object_weak_ref (G_OBJECT (line), live_line_gone, self);
  g_hash_table_insert (self->live, GUINT_TO_POINTER (position), line);
  return line;
}

static void
hatake_log_buffer_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = hatake_log_buffer_get_item_type;
  iface->get_n_items = hatake_log_buffer_get_n_items;
  iface->get_item = hatake_log_buffer_get_item;
}

HatakeLogBuffer *
hatake_log_buffer_new (void)
{
  return g_object_new (HATAKE_TYPE_LOG_BUFFER, NULL);
}

void
hatake_log_buffer_append (HatakeLogBuffer      *self,
                          const HatakeLogEntry *entry)
{
  g_autofree char *valid = NULL;
  const char *data;
  gsize length;
  Record record = { 0, };
  gsize before;

  g_return_if_fail (HATAKE_IS_LOG_BUFFER (self));
  g_return_if_fail (entry != NULL);

  if (self->records->len >= G_MAXUINT - 1)
    return;

  data = entry->content != NULL ? g_bytes_get_data (entry->content, &length) : NULL;
  if (data == NULL)
    length = 0;
  if (length > 0 && data[length - 1] == '\n')
    length--;
  if (!g_utf8_validate_len (data, length, NULL))
    {
      valid = g_utf8_make_valid (data, length);
      data = valid;
      length = strlen (valid);
    }

  g_string_truncate (self->scratch, 0);
  g_array_set_size (self->scratch_spans, 0);
  parse_ansi (data, length, self->scratch, self->scratch_spans);

  before = self->text->len;
  record.offset = before;
  record.timestamp = entry->timestamp;
  record.length = MIN (self->scratch->len, G_MAXUINT32);
  record.stream = entry->stream == HATAKE_LOG_STDERR ? HATAKE_LOG_STDERR : HATAKE_LOG_STDOUT;
  record.n_spans = MIN (self->scratch_spans->len, G_MAXUINT16);
  record.first_span = self->spans->len;
  if (record.n_spans > 0)
    g_array_append_vals (self->spans, self->scratch_spans->data, record.n_spans);

  g_byte_array_append (self->text, (const guint8 *) self->scratch->str, record.length);
  g_byte_array_append (self->text, (const guint8 *) "\n", 1);
  g_array_append_val (self->records, record);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
}

gboolean
hatake_log_buffer_has_pending (HatakeLogBuffer *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), FALSE);

  return self->records->len > self->n_published;
}

/* Finds the matches in lines FIRST..END-1 (after the ones already found). */
static void
search_lines (HatakeLogBuffer *self,
              guint            first,
              guint            end)
{
  g_autoptr(GMatchInfo) info = NULL;
  const char *text = (const char *) self->text->data;
  gsize start_offset, end_offset;
  guint line = first;

  if (self->regex == NULL || self->truncated || first >= end)
    return;

  start_offset = record_at (self, first)->offset;
  end_offset = record_at (self, end - 1)->offset + record_at (self, end - 1)->length;

  g_regex_match_full (self->regex, text, end_offset, start_offset, 0, &info, NULL);
  while (g_match_info_matches (info))
    {
      int s, e;
      Match match;

      if (self->matches->len >= MAX_MATCHES)
        {
          self->truncated = TRUE;
          break;
        }
      g_match_info_fetch_pos (info, 0, &s, &e);
      /* matches come in order: walk the lines along with them */
      while (line + 1 < end && record_at (self, line + 1)->offset <= (guint64) s)
        line++;
      match.line = line;
      match.start = s - record_at (self, line)->offset;
      match.end = e - record_at (self, line)->offset;
      if (e > s)
        g_array_append_val (self->matches, match);
      g_match_info_next (info, NULL);
    }
}

void
hatake_log_buffer_flush (HatakeLogBuffer *self)
{
  guint before, added;
  guint n_matches;

  g_return_if_fail (HATAKE_IS_LOG_BUFFER (self));

  before = self->n_published;
  added = self->records->len - before;
  if (added == 0)
    return;

  n_matches = self->matches->len;
  self->n_published = self->records->len;
  search_lines (self, before, self->n_published);

  g_list_model_items_changed (G_LIST_MODEL (self), before, 0, added);
  if (self->matches->len != n_matches)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MATCHES]);
}

void
hatake_log_buffer_clear (HatakeLogBuffer *self)
{
  guint removed;
  gboolean had_lines, had_matches;
  int current;

  g_return_if_fail (HATAKE_IS_LOG_BUFFER (self));

  removed = self->n_published;
  had_lines = self->records->len > 0;
  had_matches = self->matches->len > 0;
  current = self->current;

  forget_live_lines (self);
  /* Give the memory back: a cleared log is often a big one. */
  g_byte_array_unref (self->text);
  self->text = g_byte_array_new ();
  g_array_unref (self->records);
  self->records = g_array_new (FALSE, FALSE, sizeof (Record));
  g_array_unref (self->spans);
  self->spans = g_array_new (FALSE, FALSE, sizeof (Span));
  g_array_set_size (self->matches, 0);
  self->truncated = FALSE;
  self->current = -1;
  self->n_published = 0;

  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  if (had_lines)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
  if (had_matches)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MATCHES]);
  if (current != -1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_MATCH]);
}

guint
hatake_log_buffer_get_n_lines (HatakeLogBuffer *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), 0);

  return self->records->len;
}

gboolean
hatake_log_buffer_get_show_timestamps (HatakeLogBuffer *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), FALSE);

  return self->show_timestamps;
}

void
hatake_log_buffer_set_show_timestamps (HatakeLogBuffer *self,
                                       gboolean         show_timestamps)
{
  g_return_if_fail (HATAKE_IS_LOG_BUFFER (self));

  show_timestamps = !!show_timestamps;
  if (self->show_timestamps == show_timestamps)
    return;

  self->show_timestamps = show_timestamps;
  refresh_live_lines (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_TIMESTAMPS]);
}

static void
append_shown_line (HatakeLogBuffer *self,
                   GString         *out,
                   guint            position)
{
  const Record *record = record_at (self, position);

  if (self->show_timestamps)
    {
      g_autofree char *ts = hatake_log_format_timestamp (record->timestamp);

      g_string_append (out, ts);
      g_string_append_c (out, ' ');
    }
  /* the text and its '\n' */
  g_string_append_len (out, (const char *) self->text->data + record->offset, record->length + 1);
}

GBytes *
hatake_log_buffer_dup_text (HatakeLogBuffer *self,
                            guint            first,
                            guint            last)
{
  GString *out;

  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), NULL);

  if (self->n_published == 0 || first > last || first >= self->n_published)
    return g_bytes_new (NULL, 0);
  last = MIN (last, self->n_published - 1);

  /* Without timestamps the stored text is already the file. */
  if (!self->show_timestamps)
    {
      guint64 start = record_at (self, first)->offset;
      guint64 end = record_at (self, last)->offset + record_at (self, last)->length + 1;

      return g_bytes_new (self->text->data + start, end - start);
    }

  out = g_string_sized_new ((last - first + 1) * 32);
  for (guint i = first; i <= last; i++)
    append_shown_line (self, out, i);
  return g_string_free_to_bytes (out);
}

GBytes *
hatake_log_buffer_dup_lines (HatakeLogBuffer *self,
                             const guint     *positions,
                             gsize            n_positions)
{
  GString *out;

  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), NULL);
  g_return_val_if_fail (positions != NULL || n_positions == 0, NULL);

  out = g_string_new (NULL);
  for (gsize i = 0; i < n_positions; i++)
    if (positions[i] < self->n_published)
      append_shown_line (self, out, positions[i]);
  return g_string_free_to_bytes (out);
}

void
hatake_log_buffer_set_search (HatakeLogBuffer *self,
                              const char      *text)
{
  g_autofree char *pattern = NULL;
  g_autofree char *normalized = NULL;
  guint n_matches;
  int current;

  g_return_if_fail (HATAKE_IS_LOG_BUFFER (self));

  /* A line holds no newline, so a search for one finds nothing: drop them. */
  if (text != NULL && *text != '\0')
    normalized = g_strdelimit (g_strdup (text), "\r\n", ' ');
  if (g_strcmp0 (self->search, normalized) == 0)
    return;

  g_free (self->search);
  self->search = g_steal_pointer (&normalized);
  g_clear_pointer (&self->regex, g_regex_unref);
  n_matches = self->matches->len;
  current = self->current;
  g_array_set_size (self->matches, 0);
  self->truncated = FALSE;
  self->current = -1;

  if (self->search != NULL)
    {
      pattern = g_regex_escape_string (self->search, -1);
      self->regex = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      search_lines (self, 0, self->n_published);
    }

  refresh_live_lines (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
  if (n_matches != self->matches->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MATCHES]);
  if (current != -1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_MATCH]);
}

const char *
hatake_log_buffer_get_search (HatakeLogBuffer *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), NULL);

  return self->search;
}

guint
hatake_log_buffer_get_n_matches (HatakeLogBuffer *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), 0);

  return self->matches->len;
}

gboolean
hatake_log_buffer_get_matches_truncated (HatakeLogBuffer *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), FALSE);

  return self->truncated;
}

int
hatake_log_buffer_get_current_match (HatakeLogBuffer *self)
{
  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), -1);

  return self->current;
}

guint
hatake_log_buffer_set_current_match (HatakeLogBuffer *self,
                                     int              match)
{
  int n;
  int previous;

  g_return_val_if_fail (HATAKE_IS_LOG_BUFFER (self), 0);

  n = (int) self->matches->len;
  if (n == 0)
    return 0;

  match = ((match % n) + n) % n;
  previous = self->current;
  if (previous != match)
    {
      self->current = match;
      if (previous >= 0 && previous < n)
        refresh_position (self, g_array_index (self->matches, Match, previous).line);
      refresh_position (self, g_array_index (self->matches, Match, match).line);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_MATCH]);
    }
  return g_array_index (self->matches, Match, match).line;
}

static void
hatake_log_buffer_finalize (GObject *object)
{
  HatakeLogBuffer *self = HATAKE_LOG_BUFFER (object);

  forget_live_lines (self);
  g_hash_table_unref (self->live);
  g_byte_array_unref (self->text);
  g_array_unref (self->records);
  g_array_unref (self->spans);
  g_array_unref (self->matches);
  g_clear_pointer (&self->regex, g_regex_unref);
  g_free (self->search);
  g_string_free (self->scratch, TRUE);
  g_array_unref (self->scratch_spans);

  G_OBJECT_CLASS (hatake_log_buffer_parent_class)->finalize (object);
}

static void
hatake_log_buffer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HatakeLogBuffer *self = HATAKE_LOG_BUFFER (object);

  switch (prop_id)
    {
    case PROP_N_LINES:
      g_value_set_uint (value, self->records->len);
      break;

    case PROP_SHOW_TIMESTAMPS:
      g_value_set_boolean (value, self->show_timestamps);
      break;

    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;

    case PROP_N_MATCHES:
      g_value_set_uint (value, self->matches->len);
      break;

    case PROP_CURRENT_MATCH:
      g_value_set_int (value, self->current);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_log_buffer_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  HatakeLogBuffer *self = HATAKE_LOG_BUFFER (object);

  switch (prop_id)
    {
    case PROP_SHOW_TIMESTAMPS:
      hatake_log_buffer_set_show_timestamps (self, g_value_get_boolean (value));
      break;

    case PROP_SEARCH:
      hatake_log_buffer_set_search (self, g_value_get_string (value));
      break;

    case PROP_CURRENT_MATCH:
      hatake_log_buffer_set_current_match (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_log_buffer_class_init (HatakeLogBufferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_log_buffer_finalize;
  object_class->get_property = hatake_log_buffer_get_property;
  object_class->set_property = hatake_log_buffer_set_property;

  properties[PROP_N_LINES] =
    g_param_spec_uint ("n-lines", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_TIMESTAMPS] =
    g_param_spec_boolean ("show-timestamps", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_MATCHES] =
    g_param_spec_uint ("n-matches", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT_MATCH] =
    g_param_spec_int ("current-match", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hatake_log_buffer_init (HatakeLogBuffer *self)
{
  self->text = g_byte_array_new ();
  self->records = g_array_new (FALSE, FALSE, sizeof (Record));
  self->spans = g_array_new (FALSE, FALSE, sizeof (Span));
  self->matches = g_array_new (FALSE, FALSE, sizeof (Match));
  self->live = g_hash_table_new (NULL, NULL);
  self->current = -1;
  self->scratch = g_string_new (NULL);
  self->scratch_spans = g_array_new (FALSE, FALSE, sizeof (Span));
}
