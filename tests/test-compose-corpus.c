/* test-compose-corpus.c: the compose files of tests/compose-corpus against their expectations
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each folder of tests/compose-corpus is one case (its README.md says how each was written): the
 * project is loaded as `hatake compose config` loads it, written as its JSON and compared with
 * docker-compose 1.29's `config` output (expected-1.29.yaml) or a hand-written compose v2 form
 * (expected.json); an invalid case's error must hold each line of expected-error.txt. Both
 * sides go through the same canonical form, which only undoes the ways of writing one value
 * (short or long ports and volumes, "1m30s" or "90s", a list or a mapping of KEY=VALUE, the
 * defaults v2 writes out); the values themselves must match.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <string.h>

#include "hatake-compose.h"
#include "hatake-compose-config.h"
#include "hatake-compose-private.h"
#include "hatake-error.h"

#define PROJECT "corpus"

static char *corpus_dir;

/* ---- reading a case ------------------------------------------------------------------------ */

/* The non-empty lines of a case's file, or NULL when it has none. */
static GStrv
read_lines (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_strv_builder_add (out, lines[i]);
  return g_strv_builder_end (out);
}

static char *
read_expected (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  parts = g_strsplit (text, "@CORPUS@", -1);
  return g_strjoinv (corpus_dir, parts);
}

/* A scalar as YAML 1.1 (PyYAML, which wrote 1.29's output) reads it when it is plain. 1.29
 * writes a compose file: a $ in a value is written $$, which is not part of the value. */
static JsonNode *
scalar_to_json (const HatakeComposeNode *n)
{
  const char *v = n->value;
  char *end = NULL;
  JsonNode *out = json_node_new (JSON_NODE_VALUE);

  if (!(n->flags & HATAKE_COMPOSE_NODE_PLAIN) || strstr (v, "$$") != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (v, "$$", -1);
      g_autofree char *unescaped = g_strjoinv ("$", parts);

      json_node_set_string (out, unescaped);
    }
  else if (*v == '\0' || g_str_equal (v, "~") || g_str_equal (v, "null"))
    {
      json_node_free (out);
      return json_node_new (JSON_NODE_NULL);
    }
  else if (g_str_equal (v, "true") || g_str_equal (v, "false"))
    json_node_set_boolean (out, g_str_equal (v, "true"));
  else if ((g_ascii_strtoll (v, &end, 10), *end == '\0') && end != v)
    json_node_set_int (out, g_ascii_strtoll (v, NULL, 10));
  else if ((g_ascii_strtod (v, &end), *end == '\0') && end != v)
    json_node_set_double (out, g_ascii_strtod (v, NULL));
  else
    json_node_set_string (out, v);
  return out;
}

static JsonNode *
yaml_to_json (const HatakeComposeNode *n)
{
  JsonNode *out;

  switch (n->kind)
    {
    case HATAKE_COMPOSE_NODE_SCALAR:
      return scalar_to_json (n);
    case HATAKE_COMPOSE_NODE_SEQUENCE:
      {
        JsonArray *a = json_array_new ();

        for (guint i = 0; i < n->items->len; i++)
          json_array_add_element (a, yaml_to_json (g_ptr_array_index (n->items, i)));
        out = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (out, a);
        return out;
      }
    case HATAKE_COMPOSE_NODE_MAPPING:
      {
        JsonObject *o = json_object_new ();

        for (guint i = 0; i < _hatake_compose_node_n_pairs (n); i++)
          json_object_set_member (o, _hatake_compose_node_key (n, i)->value,
                                  yaml_to_json (_hatake_compose_node_val (n, i)));
        out = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (out, o);
        return out;
      }
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

/* ---- independent readers of the forms 1.29 prints (not the parser's own) -------------------- */

/* Go's and compose's durations: 1h2m3s, 90s, 500ms, 1.5s, 10us. -1: not one. */
static gint64
duration_us (const char *text)
{
  static const struct { const char *unit; double us; } units[] = {
    { "ms", 1e3 }, { "us", 1 }, { "h", 3600e6 }, { "m", 60e6 }, { "s", 1e6 },
  };
  const char *p = text;
  double total = 0;

  if (*p == '\0')
    return -1;
  while (*p != '\0')
    {
      char *end = NULL;
      double value = g_ascii_strtod (p, &end);
      guint i;

      if (end == p)
        return -1;
      for (i = 0; i < G_N_ELEMENTS (units); i++)
        if (g_str_has_prefix (end, units[i].unit))
          break;
      if (i == G_N_ELEMENTS (units))
        return -1;
      total += value * units[i].us;
      p = end + strlen (units[i].unit);
    }
  return (gint64) total;
}

/* 512m, 1g, 128M, 1024 (bytes), 1.5g. -1: not one. */
static gint64
size_bytes (const char *text)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);
  const char *units = "bkmgt";
  const char *u;
  double scale = 1;

  if (end == text)
    return -1;
  if (*end == '\0')
    return (gint64) value;
  u = strchr (units, g_ascii_tolower (*end));
  if (u == NULL || *end == '\0')
    return -1;
  for (const char *q = units; q < u; q++)
    scale *= 1024;
  end++;
  if (*end == 'b' || *end == 'B')
    end++;
  return *end == '\0' ? (gint64) (value * scale) : -1;
}

/* ---- the canonical form -------------------------------------------------------------------- */

static char *
value_as_string (JsonNode *n)
{
  GType t = json_node_get_value_type (n);
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (t == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  if (t == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (n) ? "true" : "false");
  if (t == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (n)));
}

/* A member's scalar as a string (numbers as written), in place. */
static void
stringify (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n != NULL && JSON_NODE_HOLDS_VALUE (n))
    {
      g_autofree char *s = value_as_string (n);
      json_object_set_string_member (o, key, s);
    }
}

/* A list of KEY=VALUE (or KEY) or a mapping, as a mapping of strings (null: no value). */
static void
canon_dict (JsonObject *parent, const char *key)
{
  JsonNode *n = json_object_get_member (parent, key);
  g_autoptr(JsonObject) map = NULL;

  if (n == NULL)
    return;
  if (JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);

      map = json_object_new ();
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree char *item = value_as_string (json_array_get_element (a, i));
          char *eq = strchr (item, '=');

          if (eq == NULL)
            json_object_set_null_member (map, item);
          else
            {
              *eq = '\0';
              json_object_set_string_member (map, item, eq + 1);
            }
        }
      json_object_set_object_member (parent, key, json_object_ref (map));
    }
  else if (JSON_NODE_HOLDS_OBJECT (n))
    {
      g_autoptr(GList) members = NULL;

      map = json_object_ref (json_node_get_object (n));
      members = json_object_get_members (map);
      for (GList *l = members; l != NULL; l = l->next)
        stringify (map, l->data);
    }
  if (map != NULL && json_object_get_size (map) == 0)
    json_object_remove_member (parent, key);
}

/* A command line as 1.29 keeps it (a string) is the argv v2 writes. */
static void
canon_argv (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);
  g_auto(GStrv) argv = NULL;
  g_autoptr(JsonArray) a = NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return;
  if (!g_shell_parse_argv (json_node_get_string (n), NULL, &argv, NULL))
    return;  /* left as it is: the comparison shows it */
  a = json_array_new ();
  for (guint i = 0; argv[i] != NULL; i++)
    json_array_add_string_element (a, argv[i]);
  json_object_set_array_member (o, key, g_steal_pointer (&a));
}

static void
canon_duration (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING &&
      duration_us (json_node_get_string (n)) >= 0)
    json_object_set_int_member (o, key, duration_us (json_node_get_string (n)));
}

static void
canon_size (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return;
  if (json_node_get_value_type (n) == G_TYPE_STRING && size_bytes (json_node_get_string (n)) >= 0)
    json_object_set_int_member (o, key, size_bytes (json_node_get_string (n)));
}

static void
canon_number (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);
  char *end = NULL;
  double d;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return;
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    {
      d = g_ascii_strtod (json_node_get_string (n), &end);
      if (end == json_node_get_string (n) || *end != '\0')
        return;
    }
  else if (json_node_get_value_type (n) == G_TYPE_INT64)
    d = (double) json_node_get_int (n);
  else if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    d = json_node_get_double (n);
  else
    return;
  json_object_set_double_member (o, key, d);
}

/* false is what an absent boolean means */
static void
drop_false (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_BOOLEAN &&
      !json_node_get_boolean (n))
    json_object_remove_member (o, key);
}

static void
add_port (JsonArray *out, const char *host_ip, const char *published, guint target,
          const char *protocol, const char *mode)
{
  JsonObject *p = json_object_new ();

  if (host_ip != NULL && *host_ip != '\0')
    json_object_set_string_member (p, "host_ip", host_ip);
  if (published != NULL && *published != '\0')
    json_object_set_string_member (p, "published", published);
  json_object_set_int_member (p, "target", target);
  json_object_set_string_member (p, "protocol", protocol ? protocol : "tcp");
  json_object_set_string_member (p, "mode", mode ? mode : "ingress");
  json_array_add_object_element (out, p);
}

static gboolean
parse_range (const char *text, guint *first, guint *last)
{
  g_auto(GStrv) ends = g_strsplit (text, "-", 2);

  *first = (guint) g_ascii_strtoull (ends[0], NULL, 10);
  *last = ends[1] ? (guint) g_ascii_strtoull (ends[1], NULL, 10) : *first;
  return *first > 0 && *last >= *first;
}

/* One port, long or short, as long ones, ranges of targets one entry per port (as v2 and 1.29
 * both write them). */
static void
canon_port (JsonArray *out, JsonNode *n)
{
  g_autofree char *host_ip = NULL, *published = NULL, *target = NULL, *protocol = NULL;
  g_autofree char *mode = NULL;
  guint t0, t1, p0, p1;

  if (JSON_NODE_HOLDS_OBJECT (n))
    {
      JsonObject *o = json_node_get_object (n);
      JsonNode *m;

      if ((m = json_object_get_member (o, "host_ip")) != NULL)
        host_ip = value_as_string (m);
      if ((m = json_object_get_member (o, "published")) != NULL && !JSON_NODE_HOLDS_NULL (m))
        published = value_as_string (m);
      if ((m = json_object_get_member (o, "target")) != NULL)
        target = value_as_string (m);
      if ((m = json_object_get_member (o, "protocol")) != NULL)
        protocol = value_as_string (m);
      if ((m = json_object_get_member (o, "mode")) != NULL)
        mode = value_as_string (m);
    }
  else
    {
      g_autofree char *spec = value_as_string (n);
      char *slash = strchr (spec, '/');
      char *colon;

      if (slash != NULL)
        {
          protocol = g_strdup (slash + 1);
          *slash = '\0';
        }
      colon = strrchr (spec, ':');
      target = g_strdup (colon ? colon + 1 : spec);
      if (colon != NULL)
        {
          char *colon2;

          *colon = '\0';
          colon2 = strrchr (spec, ':');
          published = g_strdup (colon2 ? colon2 + 1 : spec);
          if (colon2 != NULL)
            {
              *colon2 = '\0';
              host_ip = g_strdup (spec);
            }
        }
    }
  if (target == NULL || !parse_range (target, &t0, &t1))
    {
      json_array_add_element (out, json_node_copy (n));  /* unreadable: compared as it is */
      return;
    }
  if (t1 > t0 && published != NULL && parse_range (published, &p0, &p1) && p1 - p0 == t1 - t0)
    for (guint i = 0; i <= t1 - t0; i++)
      {
        g_autofree char *one = g_strdup_printf ("%u", p0 + i);
        add_port (out, host_ip, one, t0 + i, protocol, mode);
      }
  else if (t1 > t0)
    for (guint i = t0; i <= t1; i++)
      add_port (out, host_ip, published, i, protocol, mode);
  else
    add_port (out, host_ip, published, t0, protocol, mode);
}

/* [source:]target[:mode] as the long form; what the long form says beyond type, source, target
 * and read_only stays for the comparison to see. */
static JsonNode *
canon_volume (JsonNode *n)
{
  JsonObject *o;

  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    {
      g_auto(GStrv) parts = g_strsplit (json_node_get_string (n), ":", 3);
      JsonNode *out = json_node_new (JSON_NODE_OBJECT);
      guint len = g_strv_length (parts);

      o = json_object_new ();
      json_node_take_object (out, o);
      if (len == 1)
        {
          json_object_set_string_member (o, "type", "volume");
          json_object_set_string_member (o, "target", parts[0]);
          return out;
        }
      json_object_set_string_member (o, "type", strchr ("/.~", parts[0][0]) ? "bind" : "volume");
      json_object_set_string_member (o, "source", parts[0]);
      json_object_set_string_member (o, "target", parts[1]);
      if (len == 3)
        {
          g_auto(GStrv) options = g_strsplit (parts[2], ",", -1);

          for (guint i = 0; options[i] != NULL; i++)
            if (g_str_equal (options[i], "ro"))
              json_object_set_boolean_member (o, "read_only", TRUE);
            else if (!g_str_equal (options[i], "rw"))
              json_object_set_string_member (o, "mode", parts[2]);
        }
      return out;
    }
  n = json_node_copy (n);
  if (JSON_NODE_HOLDS_OBJECT (n))
    drop_false (json_node_get_object (n), "read_only");
  return n;
}

static int
compare_targets (gconstpointer a, gconstpointer b)
{
  JsonNode *x = *(JsonNode * const *) a, *y = *(JsonNode * const *) b;
  const char *tx = JSON_NODE_HOLDS_OBJECT (x)
                   ? json_object_get_string_member_with_default (json_node_get_object (x), "target", "") : "";
  const char *ty = JSON_NODE_HOLDS_OBJECT (y)
                   ? json_object_get_string_member_with_default (json_node_get_object (y), "target", "") : "";

  return strcmp (tx, ty);
}

/* Mounts by target: 1.29 sorts the volumes of merged files so, v2 keeps the files' order; a
 * mount under another's target still comes after it. Takes the array. */
static JsonArray *
sort_by_target (JsonArray *in)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  JsonArray *out = json_array_new ();

  for (guint i = 0; i < json_array_get_length (in); i++)
    g_ptr_array_add (nodes, json_array_get_element (in, i));
  g_ptr_array_sort (nodes, compare_targets);
  for (guint i = 0; i < nodes->len; i++)
    json_array_add_element (out, json_node_copy (g_ptr_array_index (nodes, i)));
  json_array_unref (in);
  return out;
}

static gboolean
profiles_active (JsonObject *service, const char * const *profiles)
{
  JsonArray *a;

  if (!json_object_has_member (service, "profiles"))
    return TRUE;
  a = json_object_get_array_member (service, "profiles");
  for (guint i = 0; i < json_array_get_length (a); i++)
    if (profiles != NULL && g_strv_contains (profiles, json_array_get_string_element (a, i)))
      return TRUE;
  return FALSE;
}

static void
canon_service (JsonObject *s)
{
  static const char * const flags[] = { "init", "privileged", "read_only", "tty", "stdin_open" };
  JsonNode *n;

  canon_argv (s, "command");
  canon_argv (s, "entrypoint");
  canon_dict (s, "environment");
  canon_dict (s, "labels");
  canon_dict (s, "sysctls");
  canon_duration (s, "stop_grace_period");
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    drop_false (s, flags[i]);
  if ((n = json_object_get_member (s, "restart")) != NULL && JSON_NODE_HOLDS_VALUE (n) &&
      g_strcmp0 (json_node_get_string (n), "no") == 0)
    json_object_remove_member (s, "restart");

  if ((n = json_object_get_member (s, "build")) != NULL)
    {
      if (JSON_NODE_HOLDS_VALUE (n))
        {
          JsonObject *b = json_object_new ();

          json_object_set_string_member (b, "context", json_node_get_string (n));
          json_object_set_object_member (s, "build", b);
        }
      /* v2 writes the default Dockerfile out */
      if (!json_object_has_member (json_object_get_object_member (s, "build"), "dockerfile") &&
          !json_object_has_member (json_object_get_object_member (s, "build"), "dockerfile_inline"))
        json_object_set_string_member (json_object_get_object_member (s, "build"), "dockerfile", "Dockerfile");
      canon_dict (json_object_get_object_member (s, "build"), "args");
      canon_dict (json_object_get_object_member (s, "build"), "labels");
    }

  if ((n = json_object_get_member (s, "healthcheck")) != NULL)
    {
      JsonObject *h = json_node_get_object (n);
      static const char * const durations[] = { "interval", "timeout", "start_period", "start_interval" };
      JsonNode *test = json_object_get_member (h, "test");

      for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
        canon_duration (h, durations[i]);
      if (test != NULL && JSON_NODE_HOLDS_VALUE (test))
        {
          JsonArray *a = json_array_new ();

          json_array_add_string_element (a, "CMD-SHELL");
          json_array_add_string_element (a, json_node_get_string (test));
          json_object_set_array_member (h, "test", a);
        }
      /* 1.29 writes disable: true as test: [NONE], v2 keeps it */
      if (json_object_has_member (h, "disable") && json_object_get_boolean_member (h, "disable"))
        {
          JsonArray *a = json_array_new ();

          json_object_remove_member (h, "disable");
          json_array_add_string_element (a, "NONE");
          json_object_set_array_member (h, "test", a);
        }
      drop_false (h, "disable");
    }

  if ((n = json_object_get_member (s, "ports")) != NULL)
    {
      JsonArray *in = json_node_get_array (n), *out = json_array_new ();

      for (guint i = 0; i < json_array_get_length (in); i++)
        canon_port (out, json_array_get_element (in, i));
      json_object_set_array_member (s, "ports", out);
    }
  if ((n = json_object_get_member (s, "expose")) != NULL)
    {
      JsonArray *in = json_node_get_array (n), *out = json_array_new ();

      for (guint i = 0; i < json_array_get_length (in); i++)
        {
          g_autofree char *port = value_as_string (json_array_get_element (in, i));
          json_array_add_string_element (out, port);
        }
      json_object_set_array_member (s, "expose", out);
    }

  /* the short tmpfs: field is in volumes in hatake's model, after the volumes */
  if ((n = json_object_get_member (s, "volumes")) != NULL || json_object_has_member (s, "tmpfs"))
    {
      JsonArray *out = json_array_new ();
      JsonNode *t = json_object_get_member (s, "tmpfs");

      for (guint i = 0; n != NULL && i < json_array_get_length (json_node_get_array (n)); i++)
        json_array_add_element (out, canon_volume (json_array_get_element (json_node_get_array (n), i)));
      if (t != NULL)
        {
          g_autoptr(JsonArray) list = JSON_NODE_HOLDS_ARRAY (t) ? json_node_dup_array (t) : json_array_new ();

          if (JSON_NODE_HOLDS_VALUE (t))
            json_array_add_string_element (list, json_node_get_string (t));
          for (guint i = 0; i < json_array_get_length (list); i++)
            {
              JsonObject *v = json_object_new ();

              json_object_set_string_member (v, "type", "tmpfs");
              json_object_set_string_member (v, "target", json_array_get_string_element (list, i));
              json_array_add_object_element (out, v);
            }
          json_object_remove_member (s, "tmpfs");
        }
      json_object_set_array_member (s, "volumes", sort_by_target (out));
    }

  /* v2 writes the dependency network_mode: service:NAME implies */
  if ((n = json_object_get_member (s, "network_mode")) != NULL && JSON_NODE_HOLDS_VALUE (n) &&
      g_str_has_prefix (json_node_get_string (n), "service:"))
    {
      const char *dep = json_node_get_string (n) + strlen ("service:");

      if (!json_object_has_member (s, "depends_on"))
        json_object_set_object_member (s, "depends_on", json_object_new ());
      n = json_object_get_member (s, "depends_on");
      if (JSON_NODE_HOLDS_ARRAY (n))
        json_array_add_string_element (json_node_get_array (n), dep);
      else if (!json_object_has_member (json_node_get_object (n), dep))
        json_object_set_object_member (json_node_get_object (n), dep, json_object_new ());
    }
  n = json_object_get_member (s, "depends_on");
  if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonObject *map = json_object_new ();

      for (guint i = 0; i < json_array_get_length (json_node_get_array (n)); i++)
        json_object_set_object_member (map, json_array_get_string_element (json_node_get_array (n), i),
                                       json_object_new ());
      json_object_set_object_member (s, "depends_on", map);
    }
  if ((n = json_object_get_member (s, "depends_on")) != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (json_node_get_object (n));

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonObject *d = json_object_get_object_member (json_node_get_object (n), l->data);

          if (!json_object_has_member (d, "condition"))
            json_object_set_string_member (d, "condition", "service_started");
          if (!json_object_has_member (d, "required"))
            json_object_set_boolean_member (d, "required", TRUE);
          if (!json_object_has_member (d, "restart"))
            json_object_set_boolean_member (d, "restart", FALSE);
        }
    }

  /* v2 writes the default network of a service that names none */
  n = json_object_get_member (s, "networks");
  if (n == NULL && !json_object_has_member (s, "network_mode"))
    {
      JsonObject *map = json_object_new ();

      json_object_set_null_member (map, "default");
      json_object_set_object_member (s, "networks", map);
    }
  else if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonObject *map = json_object_new ();

      for (guint i = 0; i < json_array_get_length (json_node_get_array (n)); i++)
        json_object_set_null_member (map, json_array_get_string_element (json_node_get_array (n), i));
      json_object_set_object_member (s, "networks", map);
    }
  else if (n != NULL)
    {
      JsonObject *map = json_node_get_object (n);
      g_autoptr(GList) members = json_object_get_members (map);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *v = json_object_get_member (map, l->data);

          if (JSON_NODE_HOLDS_OBJECT (v) && json_object_get_size (json_node_get_object (v)) == 0)
            json_object_set_null_member (map, l->data);
        }
    }

  /* deploy.replicas is scale: v2 (and hatake) write one of them */
  if ((n = json_object_get_member (s, "deploy")) != NULL)
    {
      JsonObject *d = json_node_get_object (n);
      JsonNode *r = json_object_get_member (d, "resources");

      if (json_object_has_member (d, "replicas"))
        {
          json_object_set_int_member (s, "scale", json_object_get_int_member (d, "replicas"));
          json_object_remove_member (d, "replicas");
        }
      for (guint i = 0; r != NULL && i < 2; i++)
        {
          const char *kind = i == 0 ? "limits" : "reservations";
          JsonNode *ln = json_object_get_member (json_node_get_object (r), kind);
          JsonObject *l;

          if (ln == NULL || !JSON_NODE_HOLDS_OBJECT (ln))
            continue;
          l = json_node_get_object (ln);
          canon_number (l, "cpus");
          canon_size (l, "memory");
        }
      if (json_object_get_size (d) == 0)
        json_object_remove_member (s, "deploy");
    }
  if (json_object_has_member (s, "scale") && json_object_get_int_member (s, "scale") == 1)
    json_object_remove_member (s, "scale");

  for (guint k = 0; k < 2; k++)
    {
      const char *key = k == 0 ? "secrets" : "configs";
      JsonArray *in;

      if ((n = json_object_get_member (s, key)) == NULL)
        continue;
      in = json_node_get_array (n);
      for (guint i = 0; i < json_array_get_length (in); i++)
        {
          JsonNode *e = json_array_get_element (in, i);

          if (JSON_NODE_HOLDS_VALUE (e))
            {
              JsonObject *r = json_object_new ();

              json_object_set_string_member (r, "source", json_node_get_string (e));
              json_node_init_object (e, r);
              json_object_unref (r);
            }
          else
            canon_number (json_node_get_object (e), "mode");
        }
    }
}

/* Whether a service names the network (or volume) key. */
static gboolean
is_used (JsonObject *services, const char *field, const char *key)
{
  g_autoptr(GList) list = json_object_get_values (services);

  for (GList *l = list; l != NULL; l = l->next)
    {
      JsonObject *s = json_node_get_object (l->data);
      JsonNode *n = json_object_get_member (s, field);

      if (n == NULL)
        continue;
      if (JSON_NODE_HOLDS_OBJECT (n) && json_object_has_member (json_node_get_object (n), key))
        return TRUE;
      for (guint i = 0; JSON_NODE_HOLDS_ARRAY (n) && i < json_array_get_length (json_node_get_array (n)); i++)
        {
          JsonNode *v = json_array_get_element (json_node_get_array (n), i);

          if (JSON_NODE_HOLDS_OBJECT (v) &&
              g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (v), "source", NULL),
                         key) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* The top-level networks, volumes, secrets or configs: those the services use, each with the
 * name the engine gets (<project>_<key>, or the key when external), as v2 writes them. */
static void
canon_resources (JsonObject *root, const char *field, const char *service_field)
{
  JsonObject *services = json_object_get_object_member (root, "services");
  JsonObject *map;
  g_autoptr(GList) members = NULL;

  if (g_str_equal (field, "networks") && is_used (services, "networks", "default"))
    {
      if (!json_object_has_member (root, "networks"))
        json_object_set_object_member (root, "networks", json_object_new ());
      if (!json_object_has_member (json_object_get_object_member (root, "networks"), "default"))
        json_object_set_object_member (json_object_get_object_member (root, "networks"), "default",
                                       json_object_new ());
    }
  if (!json_object_has_member (root, field))
    return;
  map = json_object_get_object_member (root, field);
  members = json_object_get_members (map);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *n = json_object_get_member (map, key);
      JsonObject *o;

      if (!is_used (services, service_field, key))
        {
          json_object_remove_member (map, key);
          continue;
        }
      if (JSON_NODE_HOLDS_NULL (n))
        json_object_set_object_member (map, key, json_object_new ());
      o = json_object_get_object_member (map, key);
      drop_false (o, "external");
      drop_false (o, "internal");
      canon_dict (o, "labels");
      canon_dict (o, "driver_opts");
      if (!json_object_has_member (o, "name"))
        {
          g_autofree char *name = json_object_has_member (o, "external") ? g_strdup (key)
                                  : g_strdup_printf ("%s_%s", PROJECT, key);
          json_object_set_string_member (o, "name", name);
        }
    }
  if (json_object_get_size (map) == 0)
    json_object_remove_member (root, field);
}

static void
canon_project (JsonNode *node, const char * const *profiles)
{
  JsonObject *root = json_node_get_object (node);
  JsonObject *services = json_object_get_object_member (root, "services");
  g_autoptr(GList) names = json_object_get_members (services);

  /* 1.29 writes the file format's version, v2 the project's name (the test sets it) */
  json_object_remove_member (root, "version");
  json_object_remove_member (root, "name");
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *s = json_object_get_object_member (services, l->data);

      /* v2 leaves out the services of inactive profiles, 1.29 wrote them all */
      if (!profiles_active (s, profiles))
        json_object_remove_member (services, l->data);
      else
        canon_service (s);
    }
  canon_resources (root, "networks", "networks");
  canon_resources (root, "volumes", "volumes");
  canon_resources (root, "secrets", "secrets");
  canon_resources (root, "configs", "configs");
}

/* ---- comparison ---------------------------------------------------------------------------- */

static char *
show (JsonNode *n)
{
  if (n == NULL)
    return g_strdup ("(absent)");
  return json_to_string (n, FALSE);
}

static void
mismatch (GPtrArray *out, const char *path, JsonNode *expected, JsonNode *ours)
{
  g_autofree char *e = show (expected), *o = show (ours);

  g_ptr_array_add (out, g_strdup_printf ("%s: expected %s, hatake has %s", path, e, o));
}

static void
compare (GPtrArray *out, const char *path, JsonNode *expected, JsonNode *ours)
{
  if (expected == NULL || ours == NULL || json_node_get_node_type (expected) != json_node_get_node_type (ours))
    {
      mismatch (out, path, expected, ours);
      return;
    }
  switch (json_node_get_node_type (expected))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *e = json_node_get_object (expected), *o = json_node_get_object (ours);
        g_autoptr(GList) keys = json_object_get_members (e);
        g_autoptr(GList) ours_keys = json_object_get_members (o);

        for (GList *l = ours_keys; l != NULL; l = l->next)
          if (!json_object_has_member (e, l->data))
            keys = g_list_append (keys, l->data);
        for (GList *l = keys; l != NULL; l = l->next)
          {
            g_autofree char *child = *path ? g_strdup_printf ("%s.%s", path, (char *) l->data)
                                           : g_strdup (l->data);
            compare (out, child, json_object_get_member (e, l->data), json_object_get_member (o, l->data));
          }
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *e = json_node_get_array (expected), *o = json_node_get_array (ours);
        guint n = MAX (json_array_get_length (e), json_array_get_length (o));

        for (guint i = 0; i < n; i++)
          {
            g_autofree char *child = g_strdup_printf ("%s[%u]", path, i);
            compare (out, child,
                     i < json_array_get_length (e) ? json_array_get_element (e, i) : NULL,
                     i < json_array_get_length (o) ? json_array_get_element (o, i) : NULL);
          }
        break;
      }
    case JSON_NODE_VALUE:
      if (!json_node_equal (expected, ours))
        mismatch (out, path, expected, ours);
      break;
    case JSON_NODE_NULL:
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- the cases ----------------------------------------------------------------------------- */

static HatakeComposeProject *
load_case (const char *dir, GStrv *environ_out, GError **error)
{
  HatakeComposeOptions options = { 0 };
  g_auto(GStrv) files = read_lines (dir, "files");
  g_auto(GStrv) environ = read_lines (dir, "environ");

  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    {
      char *relative = files[i];
      files[i] = g_build_filename (dir, relative, NULL);
      g_free (relative);
    }
  if (environ == NULL)
    environ = g_new0 (char *, 1);
  options.project_dir = dir;
  options.files = (const char * const *) files;
  options.project_name = PROJECT;
  options.environ = (const char * const *) environ;
  *environ_out = g_steal_pointer (&environ);
  return hatake_compose_project_load (&options, error);
}

static void
test_case (gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = g_build_filename (corpus_dir, name, NULL);
  g_autofree char *expected_error = read_expected (dir, "expected-error.txt");
  g_autofree char *expected_yaml = read_expected (dir, "expected-1.29.yaml");
  g_autofree char *expected_json = read_expected (dir, "expected.json");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) environ = NULL;
  g_autoptr(HatakeComposeProject) project = load_case (dir, &environ, &error);
  g_autoptr(JsonNode) ours = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(GPtrArray) diffs = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) profiles = NULL;
  const char *profile_list = g_environ_getenv (environ, "COMPOSE_PROFILES");

  if (expected_error != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (expected_error, "\n", -1);

      g_assert_null (project);
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0' && strstr (error->message, lines[i]) == NULL)
          g_test_fail_printf ("%s: the error “%s” does not say “%s”", name, error->message, lines[i]);
      return;
    }

  g_assert_no_error (error);
  g_assert_true (expected_yaml != NULL || expected_json != NULL);
  if (expected_yaml != NULL)
    {
      g_autoptr(HatakeComposeNode) tree = _hatake_compose_yaml_parse (expected_yaml, strlen (expected_yaml),
                                                                      "expected-1.29.yaml", dir, &error);

      g_assert_no_error (error);
      expected = yaml_to_json (tree);
    }
  else
    {
      expected = json_from_string (expected_json, &error);
      g_assert_no_error (error);
    }
  ours = hatake_compose_project_to_json (project);
  if (profile_list != NULL)
    profiles = g_strsplit (profile_list, ",", -1);
  canon_project (expected, (const char * const *) profiles);
  canon_project (ours, (const char * const *) profiles);
  compare (diffs, "", expected, ours);
  for (guint i = 0; i < diffs->len; i++)
    g_test_message ("%s: %s", name, (char *) g_ptr_array_index (diffs, i));
  if (diffs->len > 0)
    {
      g_autofree char *e = json_to_string (expected, TRUE), *o = json_to_string (ours, TRUE);

      g_test_message ("%s: canonical expected:\n%s\ncanonical hatake:\n%s", name, e, o);
      g_test_fail_printf ("%s: %u field(s) differ from %s", name, diffs->len,
                          expected_yaml ? "docker-compose 1.29" : "the hand-written expectation");
    }
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

int
main (int argc, char **argv)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  corpus_dir = g_test_build_filename (G_TEST_DIST, "compose-corpus", NULL);
  dir = g_dir_open (corpus_dir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (corpus_dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *test = g_strdup_printf ("/compose-corpus/%s", (char *) g_ptr_array_index (names, i));
      g_test_add_data_func (test, g_ptr_array_index (names, i), test_case);
    }
  ret = g_test_run ();
  g_free (corpus_dir);
  return ret;
}
