/* hatake-compose-yaml.c: compose files as trees of nodes that know where they were written
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libyaml's event API, so that every node keeps its mark (0-based there, 1-based here). Anchors
 * are kept as copies and aliases copied again: later stages change nodes in place (interpolation,
 * the merge), which shared nodes would make visible twice. The copies count against a budget so
 * that a few lines of aliases cannot ask for gigabytes.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <yaml.h>

#include "hatake-compose-private.h"
#include "hatake-error.h"

/* ---- nodes ------------------------------------------------------------------------------- */

HatakeComposeNode *
_hatake_compose_node_new (HatakeComposeNodeKind    kind,
                          const HatakeComposeNode *where)
{
  HatakeComposeNode *node = g_new0 (HatakeComposeNode, 1);

  node->kind = kind;
  if (where != NULL)
    {
      node->file = where->file ? g_ref_string_acquire (where->file) : NULL;
      node->dir = where->dir ? g_ref_string_acquire (where->dir) : NULL;
      node->line = where->line;
      node->column = where->column;
    }
  if (kind != HATAKE_COMPOSE_NODE_SCALAR)
    node->items = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_node_free);
  return node;
}

HatakeComposeNode *
_hatake_compose_node_new_scalar (const HatakeComposeNode *where,
                                 const char              *value,
                                 guint                    flags)
{
  HatakeComposeNode *node = _hatake_compose_node_new (HATAKE_COMPOSE_NODE_SCALAR, where);

  node->value = g_strdup (value);
  node->flags = flags;
  return node;
}

HatakeComposeNode *
_hatake_compose_node_copy (const HatakeComposeNode *node)
{
  HatakeComposeNode *copy = _hatake_compose_node_new (node->kind, node);

  copy->flags = node->flags;
  copy->value = g_strdup (node->value);
  for (guint i = 0; node->items != NULL && i < node->items->len; i++)
    g_ptr_array_add (copy->items, _hatake_compose_node_copy (g_ptr_array_index (node->items, i)));
  return copy;
}

void
_hatake_compose_node_free (HatakeComposeNode *node)
{
  if (node == NULL)
    return;
  g_clear_pointer (&node->file, g_ref_string_release);
  g_clear_pointer (&node->dir, g_ref_string_release);
  g_free (node->value);
  g_clear_pointer (&node->items, g_ptr_array_unref);
  g_free (node);
}

gboolean
_hatake_compose_node_is_null (const HatakeComposeNode *node)
{
  if (node == NULL)
    return TRUE;
  return node->kind == HATAKE_COMPOSE_NODE_SCALAR && (node->flags & HATAKE_COMPOSE_NODE_PLAIN) &&
         (node->value[0] == '\0' || g_str_equal (node->value, "~") || g_str_equal (node->value, "null") ||
          g_str_equal (node->value, "Null") || g_str_equal (node->value, "NULL"));
}

guint
_hatake_compose_node_n_pairs (const HatakeComposeNode *mapping)
{
  g_assert (mapping->kind == HATAKE_COMPOSE_NODE_MAPPING);
  return mapping->items->len / 2;
}

HatakeComposeNode *
_hatake_compose_node_key (const HatakeComposeNode *mapping,
                          guint                    i)
{
  return g_ptr_array_index (mapping->items, 2 * i);
}

HatakeComposeNode *
_hatake_compose_node_val (const HatakeComposeNode *mapping,
                          guint                    i)
{
  return g_ptr_array_index (mapping->items, 2 * i + 1);
}

static int
find_key (const HatakeComposeNode *mapping,
          const char              *key)
{
  for (guint i = 0; i < _hatake_compose_node_n_pairs (mapping); i++)
    if (g_str_equal (_hatake_compose_node_key (mapping, i)->value, key))
      return (int) i;
  return -1;
}

HatakeComposeNode *
_hatake_compose_node_lookup (const HatakeComposeNode *mapping,
                             const char              *key)
{
  int i;

  if (mapping == NULL || mapping->kind != HATAKE_COMPOSE_NODE_MAPPING)
    return NULL;
  i = find_key (mapping, key);
  return i < 0 ? NULL : _hatake_compose_node_val (mapping, (guint) i);
}

void
_hatake_compose_node_set (HatakeComposeNode       *mapping,
                          const char              *key,
                          const HatakeComposeNode *key_where,
                          HatakeComposeNode       *value)
{
  int i = find_key (mapping, key);

  if (i >= 0)
    {
      _hatake_compose_node_free (g_ptr_array_index (mapping->items, 2 * i + 1));
      g_ptr_array_index (mapping->items, 2 * i + 1) = value;
      return;
    }
  g_ptr_array_add (mapping->items, _hatake_compose_node_new_scalar (key_where ? key_where : value, key, 0));
  g_ptr_array_add (mapping->items, value);
}

void
_hatake_compose_node_remove (HatakeComposeNode *mapping,
                             const char        *key)
{
  int i = find_key (mapping, key);

  if (i >= 0)
    g_ptr_array_remove_range (mapping->items, 2 * (guint) i, 2);
}

char *
_hatake_compose_where (const HatakeComposeNode *node)
{
  return g_strdup_printf ("%s:%u:%u", node->file ? node->file : "-", node->line, node->column);
}

void
_hatake_compose_set_error (GError                 **error,
                           const HatakeComposeNode *node,
                           const char              *path,
                           const char              *format,
                           ...)
{
  g_autofree char *message = NULL;
  g_autofree char *where = _hatake_compose_where (node);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (path != NULL && path[0] != '\0')
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, "%s: %s: %s", where, path, message);
  else
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, "%s: %s", where, message);
}

/* ---- libyaml ----------------------------------------------------------------------------- */

typedef struct
{
  yaml_parser_t  parser;
  char          *file;
  char          *dir;
  GHashTable    *anchors;   /* name → HatakeComposeNode (a copy) */
  guint          n_nodes;
  gsize          n_alias_bytes;   /* of scalars copied by aliases */
} Loader;

static gboolean
next_event (Loader       *l,
            yaml_event_t *event,
            GError      **error)
{
  if (yaml_parser_parse (&l->parser, event))
    return TRUE;
  {
    /* The reader's errors have an offset, the others a mark */
    yaml_mark_t mark = l->parser.error == YAML_READER_ERROR ? l->parser.mark : l->parser.problem_mark;
    HatakeComposeNode where = { .file = l->file, .line = (guint) mark.line + 1,
                                .column = (guint) mark.column + 1 };

    if (l->parser.context != NULL)
      _hatake_compose_set_error (error, &where, NULL, _("invalid YAML: %s %s"),
                                 l->parser.problem ? l->parser.problem : "error", l->parser.context);
    else
      _hatake_compose_set_error (error, &where, NULL, _("invalid YAML: %s"),
                                 l->parser.problem ? l->parser.problem : "error");
  }
  return FALSE;
}

static guint
count_nodes (const HatakeComposeNode *node)
{
  guint n = 1;

  for (guint i = 0; node->items != NULL && i < node->items->len; i++)
    n += count_nodes (g_ptr_array_index (node->items, i));
  return n;
}

static gsize
count_bytes (const HatakeComposeNode *node)
{
  gsize n = node->value != NULL ? strlen (node->value) : 0;

  for (guint i = 0; node->items != NULL && i < node->items->len; i++)
    n += count_bytes (g_ptr_array_index (node->items, i));
  return n;
}

static HatakeComposeNode *
mark_node (Loader            *l,
           HatakeComposeNodeKind kind,
           const yaml_mark_t *mark)
{
  HatakeComposeNode where = { .file = l->file, .dir = l->dir, .line = (guint) mark->line + 1,
                              .column = (guint) mark->column + 1 };

  l->n_nodes++;
  return _hatake_compose_node_new (kind, &where);
}

static void
apply_tag (HatakeComposeNode   *node,
           const yaml_char_t   *tag)
{
  if (tag == NULL)
    return;
  if (g_str_equal ((const char *) tag, "!reset"))
    node->flags |= HATAKE_COMPOSE_NODE_RESET;
  else if (g_str_equal ((const char *) tag, "!override"))
    node->flags |= HATAKE_COMPOSE_NODE_OVERRIDE;
  else if (g_str_equal ((const char *) tag, YAML_STR_TAG))
    node->flags &= ~(guint) HATAKE_COMPOSE_NODE_PLAIN;
}

/* YAML's << merge keys: the mappings named there give the keys the mapping does not have. */
static gboolean
apply_merge_keys (HatakeComposeNode *mapping,
                  GError           **error)
{
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func ((GDestroyNotify) _hatake_compose_node_free);

  for (guint i = 0; i < _hatake_compose_node_n_pairs (mapping);)
    {
      HatakeComposeNode *key = _hatake_compose_node_key (mapping, i);

      if (!(key->flags & HATAKE_COMPOSE_NODE_PLAIN) || !g_str_equal (key->value, "<<"))
        {
          i++;
          continue;
        }
      g_ptr_array_add (sources, g_ptr_array_steal_index (mapping->items, 2 * i + 1));
      g_ptr_array_remove_index (mapping->items, 2 * i);
    }
  for (guint s = 0; s < sources->len; s++)
    {
      HatakeComposeNode *source = g_ptr_array_index (sources, s);
      guint n = source->kind == HATAKE_COMPOSE_NODE_SEQUENCE ? source->items->len : 1;

      for (guint j = 0; j < n; j++)
        {
          HatakeComposeNode *m = source->kind == HATAKE_COMPOSE_NODE_SEQUENCE ?
                                 g_ptr_array_index (source->items, j) : source;

          if (m->kind != HATAKE_COMPOSE_NODE_MAPPING)
            {
              _hatake_compose_set_error (error, m, NULL, _("a << merge key takes a mapping or a list of mappings"));
              return FALSE;
            }
          for (guint k = 0; k < _hatake_compose_node_n_pairs (m); k++)
            {
              HatakeComposeNode *key = _hatake_compose_node_key (m, k);

              if (_hatake_compose_node_lookup (mapping, key->value) == NULL)
                {
                  g_ptr_array_add (mapping->items, _hatake_compose_node_copy (key));
                  g_ptr_array_add (mapping->items, _hatake_compose_node_copy (_hatake_compose_node_val (m, k)));
                }
            }
        }
    }
  return TRUE;
}

static HatakeComposeNode *load_node (Loader       *l,
                                     yaml_event_t *event,
                                     guint         depth,
                                     GError      **error);

static gboolean
load_children (Loader            *l,
               HatakeComposeNode *node,
               yaml_event_type_t  end,
               guint              depth,
               GError           **error)
{
  for (;;)
    {
      yaml_event_t event;
      HatakeComposeNode *child;

      if (!next_event (l, &event, error))
        return FALSE;
      if (event.type == end)
        {
          yaml_event_delete (&event);
          return TRUE;
        }
      child = load_node (l, &event, depth + 1, error);
      yaml_event_delete (&event);
      if (child == NULL)
        return FALSE;
      if (node->kind == HATAKE_COMPOSE_NODE_MAPPING && node->items->len % 2 == 0)
        {
          if (child->kind != HATAKE_COMPOSE_NODE_SCALAR)
            {
              _hatake_compose_set_error (error, child, NULL, _("a mapping's keys must be strings"));
              _hatake_compose_node_free (child);
              return FALSE;
            }
          if (!((child->flags & HATAKE_COMPOSE_NODE_PLAIN) && g_str_equal (child->value, "<<")) &&
              _hatake_compose_node_lookup (node, child->value) != NULL)
            {
              _hatake_compose_set_error (error, child, NULL, _("the key “%s” is already defined in this mapping"),
                                         child->value);
              _hatake_compose_node_free (child);
              return FALSE;
            }
        }
      g_ptr_array_add (node->items, child);
    }
}

static HatakeComposeNode *
load_node (Loader       *l,
           yaml_event_t *event,
           guint         depth,
           GError      **error)
{
  g_autoptr(HatakeComposeNode) node = NULL;
  const yaml_char_t *anchor = NULL;

  if (depth > HATAKE_COMPOSE_MAX_DEPTH)
    {
      HatakeComposeNode where = { .file = l->file, .line = (guint) event->start_mark.line + 1,
                                  .column = (guint) event->start_mark.column + 1 };
      _hatake_compose_set_error (error, &where, NULL, _("nested too deeply (more than %d levels)"),
                                 HATAKE_COMPOSE_MAX_DEPTH);
      return NULL;
    }
  switch (event->type)
    {
    case YAML_SCALAR_EVENT:
      node = mark_node (l, HATAKE_COMPOSE_NODE_SCALAR, &event->start_mark);
      node->value = g_strndup ((const char *) event->data.scalar.value, event->data.scalar.length);
      if (event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        node->flags |= HATAKE_COMPOSE_NODE_PLAIN;
      apply_tag (node, event->data.scalar.tag);
      anchor = event->data.scalar.anchor;
      break;
    case YAML_SEQUENCE_START_EVENT:
      node = mark_node (l, HATAKE_COMPOSE_NODE_SEQUENCE, &event->start_mark);
      apply_tag (node, event->data.sequence_start.tag);
      anchor = event->data.sequence_start.anchor;
      if (!load_children (l, node, YAML_SEQUENCE_END_EVENT, depth, error))
        return NULL;
      break;
    case YAML_MAPPING_START_EVENT:
      node = mark_node (l, HATAKE_COMPOSE_NODE_MAPPING, &event->start_mark);
      apply_tag (node, event->data.mapping_start.tag);
      anchor = event->data.mapping_start.anchor;
      if (!load_children (l, node, YAML_MAPPING_END_EVENT, depth, error) ||
          !apply_merge_keys (node, error))
        return NULL;
      break;
    case YAML_ALIAS_EVENT:
      {
        HatakeComposeNode *target = g_hash_table_lookup (l->anchors, event->data.alias.anchor);
        HatakeComposeNode where = { .file = l->file, .line = (guint) event->start_mark.line + 1,
                                    .column = (guint) event->start_mark.column + 1 };

        if (target == NULL)
          {
            _hatake_compose_set_error (error, &where, NULL, _("unknown anchor “%s” (an alias must follow its anchor)"),
                                       (const char *) event->data.alias.anchor);
            return NULL;
          }
        l->n_nodes += count_nodes (target);
        l->n_alias_bytes += count_bytes (target);
        if (l->n_nodes > HATAKE_COMPOSE_MAX_NODES)
          {
            _hatake_compose_set_error (error, &where, NULL, _("the aliases expand to more than %d nodes"),
                                       HATAKE_COMPOSE_MAX_NODES);
            return NULL;
          }
        if (l->n_alias_bytes > HATAKE_COMPOSE_MAX_ALIAS_BYTES)
          {
            _hatake_compose_set_error (error, &where, NULL, _("the aliases expand to more than %d MiB of text"),
                                       HATAKE_COMPOSE_MAX_ALIAS_BYTES / (1024 * 1024));
            return NULL;
          }
        return _hatake_compose_node_copy (target);
      }
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
    default:
      g_assert_not_reached ();
    }
  if (anchor != NULL)
    {
      l->n_nodes += count_nodes (node);
      g_hash_table_replace (l->anchors, g_strdup ((const char *) anchor), _hatake_compose_node_copy (node));
    }
  if (l->n_nodes > HATAKE_COMPOSE_MAX_NODES)
    {
      _hatake_compose_set_error (error, node, NULL, _("the aliases expand to more than %d nodes"),
                                 HATAKE_COMPOSE_MAX_NODES);
      return NULL;
    }
  return g_steal_pointer (&node);
}

HatakeComposeNode *
_hatake_compose_yaml_parse (const char  *data,
                            gsize        length,
                            const char  *file,
                            const char  *dir,
                            GError     **error)
{
  Loader l = { 0 };
  g_autoptr(HatakeComposeNode) root = NULL;
  gboolean ok = FALSE;
  yaml_event_t event;

  if (!yaml_parser_initialize (&l.parser))
    g_error ("yaml_parser_initialize: out of memory");
  yaml_parser_set_input_string (&l.parser, (const unsigned char *) data, length);
  l.file = g_ref_string_new (file);
  l.dir = g_ref_string_new (dir);
  l.anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) _hatake_compose_node_free);

  for (;;)
    {
      if (!next_event (&l, &event, error))
        goto out;
      if (event.type == YAML_STREAM_END_EVENT)
        {
          yaml_event_delete (&event);
          break;
        }
      if (event.type == YAML_STREAM_START_EVENT || event.type == YAML_DOCUMENT_END_EVENT)
        {
          yaml_event_delete (&event);
          continue;
        }
      if (event.type == YAML_DOCUMENT_START_EVENT)
        {
          if (root != NULL)
            {
              HatakeComposeNode where = { .file = l.file, .line = (guint) event.start_mark.line + 1,
                                          .column = (guint) event.start_mark.column + 1 };
              _hatake_compose_set_error (error, &where, NULL, _("a compose file holds one YAML document, not several"));
              yaml_event_delete (&event);
              goto out;
            }
          yaml_event_delete (&event);
          continue;
        }
      root = load_node (&l, &event, 0, error);
      yaml_event_delete (&event);
      if (root == NULL)
        goto out;
    }
  if (root == NULL)
    {
      HatakeComposeNode where = { .file = l.file, .dir = l.dir, .line = 1, .column = 1 };
      root = _hatake_compose_node_new (HATAKE_COMPOSE_NODE_MAPPING, &where);
    }
  else if (_hatake_compose_node_is_null (root))
    {
      HatakeComposeNode *empty = _hatake_compose_node_new (HATAKE_COMPOSE_NODE_MAPPING, root);
      _hatake_compose_node_free (root);
      root = empty;
    }
  ok = TRUE;

out:
  yaml_parser_delete (&l.parser);
  g_ref_string_release (l.file);
  g_ref_string_release (l.dir);
  g_hash_table_unref (l.anchors);
  return ok ? g_steal_pointer (&root) : NULL;
}
