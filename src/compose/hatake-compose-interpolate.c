/* hatake-compose-interpolate.c: ${VARIABLE} in compose files, and .env files
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The forms of the compose specification's interpolation: $V, ${V}, ${V:-default}, ${V-default},
 * ${V:?error}, ${V?error}, ${V:+replacement}, ${V+replacement}, nested in the default, the error
 * and the replacement, and $$ for a $. Values only: keys stay as written.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hatake-compose-private.h"
#include "hatake-error.h"

typedef const char *(*LookupFunc) (const char *name,
                                   gpointer    data);

typedef struct
{
  LookupFunc               lookup;
  gpointer                 data;
  const HatakeComposeNode *where;
  const char              *path;
  GPtrArray               *warnings;
  GHashTable              *warned;
  guint                    depth;   /* ${…} inside ${…}: expand() calls under way */
} Expander;

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static void
warn_unset (Expander   *x,
            const char *name)
{
  g_autofree char *where = NULL;

  if (x->warnings == NULL || (x->warned != NULL && g_hash_table_contains (x->warned, name)))
    return;
  if (x->warned != NULL)
    g_hash_table_add (x->warned, g_strdup (name));
  where = _hatake_compose_where (x->where);
  g_ptr_array_add (x->warnings, g_strdup_printf (_("%s: the “%s” variable is not set, defaulting to a blank string"),
                                                 where, name));
}

static gboolean expand (Expander   *x,
                        const char *s,
                        gsize       len,
                        GString    *out,
                        GError    **error);

static gboolean
invalid (Expander   *x,
         const char *s,
         gsize       len,
         GError    **error)
{
  g_autofree char *text = g_strndup (s, len);

  _hatake_compose_set_error (error, x->where, x->path,
                             _("invalid interpolation format in “%s” (write $$ for a $ that is not a variable)"),
                             text);
  return FALSE;
}

/* s points after "${"; returns the length up to and including the closing brace, or 0. */
static gsize
braced_length (const char *s,
               gsize       len)
{
  guint depth = 1;

  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '$' && i + 1 < len && s[i + 1] == '$')
        i++;
      else if (s[i] == '$' && i + 1 < len && s[i + 1] == '{')
        {
          depth++;
          i++;
        }
      else if (s[i] == '}' && --depth == 0)
        return i + 1;
    }
  return 0;
}

static gboolean
expand_braced (Expander   *x,
               const char *s,      /* after "${" */
               gsize       len,    /* up to the closing brace, excluded */
               GString    *out,
               GError    **error)
{
  gsize n = 0;
  g_autofree char *name = NULL;
  const char *value;
  const char *word;
  gsize word_len;
  gboolean colon = FALSE;
  char op;

  while (n < len && is_name_char (s[n]))
    n++;
  if (n == 0 || !is_name_start (s[0]))
    return invalid (x, s - 2, len + 3, error);
  name = g_strndup (s, n);
  value = x->lookup (name, x->data);
  if (n == len)
    {
      if (value == NULL)
        warn_unset (x, name);
      else
        g_string_append (out, value);
      return TRUE;
    }
  if (s[n] == ':')
    {
      colon = TRUE;
      n++;
    }
  if (n >= len || (s[n] != '-' && s[n] != '?' && s[n] != '+'))
    return invalid (x, s - 2, len + 3, error);
  op = s[n];
  word = s + n + 1;
  word_len = len - n - 1;
  {
    gboolean set = value != NULL && (!colon || value[0] != '\0');

    switch (op)
      {
      case '-':
        if (set)
          g_string_append (out, value);
        else
          return expand (x, word, word_len, out, error);
        return TRUE;
      case '+':
        if (set)
          return expand (x, word, word_len, out, error);
        return TRUE;
      case '?':
        if (set)
          {
            g_string_append (out, value);
            return TRUE;
          }
        else
          {
            g_autoptr(GString) message = g_string_new (NULL);

            if (!expand (x, word, word_len, message, error))
              return FALSE;
            _hatake_compose_set_error (error, x->where, x->path,
                                       _("required variable %s is missing a value: %s"), name, message->str);
            return FALSE;
          }
      default:
        g_assert_not_reached ();
      }
  }
}

/* Longer than the kernel takes for one environment string or argument (MAX_ARG_STRLEN): no
 * value that long can reach a container, and without a bound a .env whose lines each use the
 * one before twice doubles at every line ("billion laughs" again). */
#define MAX_VALUE_LENGTH (128 * 1024)

static gboolean expand_text (Expander   *x,
                             const char *s,
                             gsize       len,
                             GString    *out,
                             GError    **error);

/* Defaults inside defaults nest no deeper than this: each level is a call, and a file of a
 * few hundred KB of "${X:-${X:-…" would otherwise overflow the stack. */
#define MAX_NESTING 64

static gboolean
expand (Expander   *x,
        const char *s,
        gsize       len,
        GString    *out,
        GError    **error)
{
  gboolean ok;

  if (x->depth >= MAX_NESTING)
    {
      _hatake_compose_set_error (error, x->where, x->path,
                                 _("interpolation nests ${…} deeper than %u levels"), MAX_NESTING);
      return FALSE;
    }
  x->depth++;
  ok = expand_text (x, s, len, out, error);
  x->depth--;
  return ok;
}

static gboolean
expand_text (Expander   *x,
             const char *s,
             gsize       len,
             GString    *out,
             GError    **error)
{
  for (gsize i = 0; i < len;)
    {
      if (out->len > MAX_VALUE_LENGTH)
        {
          _hatake_compose_set_error (error, x->where, x->path,
                                     _("interpolation makes a value longer than %u bytes"), MAX_VALUE_LENGTH);
          return FALSE;
        }
      if (s[i] != '$' || i + 1 >= len)
        {
          g_string_append_c (out, s[i++]);
          continue;
        }
      if (s[i + 1] == '$')
        {
          g_string_append_c (out, '$');
          i += 2;
        }
      else if (s[i + 1] == '{')
        {
          gsize inner = braced_length (s + i + 2, len - i - 2);

          if (inner == 0)
            return invalid (x, s + i, len - i, error);
          if (!expand_braced (x, s + i + 2, inner - 1, out, error))
            return FALSE;
          i += 2 + inner;
        }
      else if (is_name_start (s[i + 1]))
        {
          gsize n = 1;
          g_autofree char *name = NULL;
          const char *value;

          while (i + 1 + n < len && is_name_char (s[i + 1 + n]))
            n++;
          name = g_strndup (s + i + 1, n);
          value = x->lookup (name, x->data);
          if (value == NULL)
            warn_unset (x, name);
          else
            g_string_append (out, value);
          i += 1 + n;
        }
      else
        g_string_append_c (out, s[i++]);
    }
  if (out->len > MAX_VALUE_LENGTH)
    {
      _hatake_compose_set_error (error, x->where, x->path,
                                 _("interpolation makes a value longer than %u bytes"), MAX_VALUE_LENGTH);
      return FALSE;
    }
  return TRUE;
}

static const char *
lookup_env (const char *name,
            gpointer    data)
{
  HatakeComposeEnv *env = data;

  return g_hash_table_lookup (env->vars, name);
}

char *
_hatake_compose_interpolate_string (const char              *text,
                                    HatakeComposeEnv        *env,
                                    const HatakeComposeNode *where,
                                    GError                 **error)
{
  Expander x = { lookup_env, env, where, NULL, env->warnings, env->warned };
  g_autoptr(GString) out = g_string_new (NULL);

  if (strchr (text, '$') == NULL)
    return g_strdup (text);
  if (!expand (&x, text, strlen (text), out, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
interpolate_node (HatakeComposeNode *node,
                  HatakeComposeEnv  *env,
                  const char        *path,
                  GError           **error)
{
  switch (node->kind)
    {
    case HATAKE_COMPOSE_NODE_SCALAR:
      if (strchr (node->value, '$') != NULL)
        {
          Expander x = { lookup_env, env, node, path, env->warnings, env->warned };
          g_autoptr(GString) out = g_string_new (NULL);

          if (!expand (&x, node->value, strlen (node->value), out, error))
            return FALSE;
          g_free (node->value);
          node->value = g_string_free (g_steal_pointer (&out), FALSE);
          /* YAML read it as a string before it was interpolated: what a variable expands to is
           * never null, `KEY: ${EMPTY}` is KEY="" (as in compose and 1.29) */
          node->flags &= ~(guint) HATAKE_COMPOSE_NODE_PLAIN;
        }
      return TRUE;
    case HATAKE_COMPOSE_NODE_SEQUENCE:
      for (guint i = 0; i < node->items->len; i++)
        {
          g_autofree char *child = g_strdup_printf ("%s[%u]", path, i);

          if (!interpolate_node (g_ptr_array_index (node->items, i), env, child, error))
            return FALSE;
        }
      return TRUE;
    case HATAKE_COMPOSE_NODE_MAPPING:
      for (guint i = 0; i < _hatake_compose_node_n_pairs (node); i++)
        {
          const char *key = _hatake_compose_node_key (node, i)->value;
          g_autofree char *child = path[0] ? g_strdup_printf ("%s.%s", path, key) : g_strdup (key);

          if (!interpolate_node (_hatake_compose_node_val (node, i), env, child, error))
            return FALSE;
        }
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

gboolean
_hatake_compose_interpolate (HatakeComposeNode *node,
                             HatakeComposeEnv  *env,
                             GError           **error)
{
  return interpolate_node (node, env, "", error);
}

/* ---- .env -------------------------------------------------------------------------------- */

typedef struct
{
  GHashTable *vars;
  GHashTable *lookup;
} DotenvLookup;

static const char *
lookup_dotenv (const char *name,
               gpointer    data)
{
  DotenvLookup *d = data;
  const char *value = g_hash_table_lookup (d->vars, name);

  if (value == NULL && d->lookup != NULL)
    value = g_hash_table_lookup (d->lookup, name);
  return value;
}

static gboolean
dotenv_expand (const char   *text,
               DotenvLookup *d,
               const char   *file,
               guint         line,
               guint         column,
               GString      *out,
               GError      **error)
{
  HatakeComposeNode where = { .file = (char *) file, .line = line, .column = column };
  Expander x = { lookup_dotenv, d, &where, NULL, NULL, NULL };

  return expand (&x, text, strlen (text), out, error);
}

gboolean
_hatake_compose_dotenv_parse (const char  *data,
                              gsize        length,
                              const char  *file,
                              GHashTable  *vars,
                              GPtrArray   *order,
                              GHashTable  *lookup,
                              GError     **error)
{
  DotenvLookup d = { vars, lookup };
  const char *p = data;
  const char *end = data + length;
  guint line = 1;

  while (p < end)
    {
      const char *key_start;
      g_autofree char *key = NULL;
      g_autoptr(GString) value = g_string_new (NULL);
      guint key_line = line;
      HatakeComposeNode where = { .file = (char *) file, .line = line, .column = 1 };

      while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
      if (p < end && (*p == '\n' || *p == '#'))
        {
          while (p < end && *p != '\n')
            p++;
          if (p < end)
            p++;
          line++;
          continue;
        }
      if (p >= end)
        break;
      if (end - p > 7 && strncmp (p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t'))
        {
          p += 6;
          while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        }
      key_start = p;
      while (p < end && (g_ascii_isalnum (*p) || *p == '_' || *p == '.' || *p == '-'))
        p++;
      key = g_strndup (key_start, (gsize) (p - key_start));
      while (p < end && (*p == ' ' || *p == '\t'))
        p++;
      {
        const char *line_start = key_start;
        while (line_start > data && line_start[-1] != '\n')
          line_start--;
        where.column = (guint) (key_start - line_start) + 1;
      }
      if (key[0] == '\0' || (p < end && *p != '=' && *p != '\n' && *p != '\r' && *p != '#'))
        {
          _hatake_compose_set_error (error, &where, NULL, _("expected KEY=VALUE, a comment or an empty line"));
          return FALSE;
        }
      if (p >= end || *p != '=')
        {
          /* A bare KEY takes its value from the environment, when it has one */
          const char *inherited = lookup != NULL ? g_hash_table_lookup (lookup, key) : NULL;

          if (inherited != NULL)
            {
              if (order != NULL && !g_hash_table_contains (vars, key))
                g_ptr_array_add (order, g_strdup (key));
              g_hash_table_replace (vars, g_strdup (key), g_strdup (inherited));
            }
          continue;
        }
      p++;
      while (p < end && (*p == ' ' || *p == '\t'))
        p++;
      if (p < end && (*p == '\'' || *p == '"'))
        {
          char quote = *p++;
          g_autoptr(GString) raw = g_string_new (NULL);

          while (p < end && *p != quote)
            {
              if (*p == '\n')
                line++;
              if (quote == '"' && *p == '\\' && p + 1 < end)
                {
                  p++;
                  switch (*p)
                    {
                    case 'n': g_string_append_c (raw, '\n'); break;
                    case 't': g_string_append_c (raw, '\t'); break;
                    case 'r': g_string_append_c (raw, '\r'); break;
                    case '$': g_string_append (raw, "$$"); break;
                    default: g_string_append_c (raw, *p); break;
                    }
                  p++;
                  continue;
                }
              g_string_append_c (raw, *p++);
            }
          if (p >= end)
            {
              _hatake_compose_set_error (error, &where, key, _("the value's closing %c is missing"), quote);
              return FALSE;
            }
          p++;
          if (quote == '\'')
            g_string_append (value, raw->str);
          else if (!dotenv_expand (raw->str, &d, file, key_line, where.column, value, error))
            return FALSE;
          /* what follows the closing quote on its line is a comment or blank */
          while (p < end && *p != '\n')
            p++;
        }
      else
        {
          const char *start = p;
          g_autofree char *raw = NULL;
          gsize n;

          while (p < end && *p != '\n' && !(*p == '#' && p > start && (p[-1] == ' ' || p[-1] == '\t')))
            p++;
          n = (gsize) (p - start);
          while (n > 0 && g_ascii_isspace (start[n - 1]))
            n--;
          raw = g_strndup (start, n);
          if (!dotenv_expand (raw, &d, file, key_line, where.column, value, error))
            return FALSE;
          while (p < end && *p != '\n')
            p++;
        }
      if (order != NULL && !g_hash_table_contains (vars, key))
        g_ptr_array_add (order, g_strdup (key));
      g_hash_table_replace (vars, g_steal_pointer (&key), g_string_free (g_steal_pointer (&value), FALSE));
    }
  return TRUE;
}
