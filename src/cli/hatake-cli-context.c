/* hatake-cli-context.c: context ls, create, use, rm, inspect, show: the engines to choose from
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A context names an engine, kept as docker keeps its own: STORE/meta/<sha256 of the name>/meta.json
 * holds {"Name", "Metadata": {"Description"}, "Endpoints": {"docker": {"Host", "SkipTLSVerify"}}}.
 * Two stores are read: hatake's own in $XDG_CONFIG_HOME/hatake/contexts, which create and rm
 * change, and docker's in $DOCKER_CONFIG/contexts (else ~/.docker/contexts), which hatake uses by
 * name but never writes; a name in both is hatake's. The current context is "currentContext" in
 * $XDG_CONFIG_HOME/hatake/config.json. "default" is built in and never stored: the local engine,
 * or the one -H, HATAKE_HOST or DOCKER_HOST names.
 *
 * docker's own messages are kept as docker words them (scripts match them); ours are translated.
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "hatake-cli-private.h"
#include "hatake-context-store.h"
#include "hatake-json.h"
#include "hatake-local-engine.h"

#define DEFAULT_CONTEXT     "default"
/* What docker connects to for an endpoint without a host */
#define DOCKER_DEFAULT_HOST "unix:///var/run/docker.sock"
/* docker's table cuts a context's error to this many characters */
#define MAX_ERROR_LENGTH    45

/* The host "default" stands for: -H, HATAKE_HOST or DOCKER_HOST (in VARIABLE); NULL: the local
 * engine */
static const char *
default_host (HatakeCliGlobals  *globals,
              const char       **variable)
{
  static const char * const variables[] = { "HATAKE_HOST", "DOCKER_HOST" };

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      const char *value = g_getenv (variables[i]);

      if (value != NULL && *value != '\0' && (globals->host == NULL || g_str_equal (globals->host, value)))
        {
          *variable = variables[i];
          return value;
        }
    }
  *variable = "--host";
  return globals->host;
}

/* Built in and never stored, as docker's "default" */
static HatakeContext *
context_default (HatakeCliGlobals *globals)
{
  HatakeContext *context = g_new0 (HatakeContext, 1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *variable = NULL;
  const char *host = default_host (globals, &variable);
  g_autofree char *root = globals->data_root ? g_strdup (globals->data_root) : hatake_default_data_root ();
  g_autofree char *description = NULL;

  if (host != NULL)
    description = g_strdup_printf ("Current %s based configuration", variable);
  else
    description = g_strdup_printf (_("The local engine (%s)"), root);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, DEFAULT_CONTEXT);
  json_builder_set_member_name (builder, "Metadata");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Description");
  json_builder_add_string_value (builder, description);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "Endpoints");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "docker");
  json_builder_begin_object (builder);
  if (host != NULL)
    {
      json_builder_set_member_name (builder, "Host");
      json_builder_add_string_value (builder, host);
    }
  json_builder_set_member_name (builder, "SkipTLSVerify");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  context->store = HATAKE_CONTEXT_BUILT_IN;
  context->meta = json_builder_get_root (builder);
  return context;
}

/* NAME in hatake's store, else in docker's */
static HatakeContext *
context_lookup (HatakeCliGlobals  *globals,
                const char        *name,
                GError           **error)
{
  g_autofree char *hatake_dir = hatake_context_hatake_store ();
  g_autofree char *docker_dir = hatake_context_docker_store ();
  g_autoptr(GError) hatake_error = NULL;
  g_autoptr(GError) docker_error = NULL;
  HatakeContext *context;

  if (g_str_equal (name, DEFAULT_CONTEXT))
    return context_default (globals);
  if ((context = hatake_context_load (HATAKE_CONTEXT_STORE_HATAKE, hatake_dir, name, &hatake_error)) != NULL)
    return context;
  if (!g_error_matches (hatake_error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&hatake_error));
      return NULL;
    }
  if ((context = hatake_context_load (HATAKE_CONTEXT_STORE_DOCKER, docker_dir, name, &docker_error)) != NULL)
    return context;
  g_propagate_error (error, g_error_matches (docker_error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND)
                              ? g_steal_pointer (&hatake_error) : g_steal_pointer (&docker_error));
  return NULL;
}

/* "default", hatake's contexts, then those of docker's whose names hatake's do not take */
static GPtrArray *
context_list (HatakeCliGlobals *globals)
{
  g_autoptr(GPtrArray) contexts = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_context_free);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *hatake_dir = hatake_context_hatake_store ();
  g_autofree char *docker_dir = hatake_context_docker_store ();

  g_ptr_array_add (contexts, context_default (globals));
  g_hash_table_add (names, g_strdup (DEFAULT_CONTEXT));
  hatake_context_list_store (contexts, names, HATAKE_CONTEXT_STORE_HATAKE, hatake_dir);
  hatake_context_list_store (contexts, names, HATAKE_CONTEXT_STORE_DOCKER, docker_dir);
  return g_steal_pointer (&contexts);
}

/* docker's ValidateContextName */
static gboolean
validate_name (const char  *name,
               GError     **error)
{
  gboolean valid = g_ascii_isalnum (name[0]) && name[1] != '\0';

  for (const char *p = name; valid && *p != '\0'; p++)
    valid = g_ascii_isalnum (*p) || strchr ("_.+-", *p) != NULL;
  if (*name == '\0')
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "context name cannot be empty");
  else if (g_str_equal (name, DEFAULT_CONTEXT))
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "\"%s\" is a reserved context name", DEFAULT_CONTEXT);
  else if (!valid)
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                 "context name \"%s\" is invalid, names are validated against regexp \"%s\"", name,
                 "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$");
  else
    return TRUE;
  return FALSE;
}

/* ---- hatake's config.json -------------------------------------------------------------------- */

/* "currentContext" from the file; NULL for "default" or when the file cannot be read (said once) */
static char *
config_current (void)
{
  g_autoptr(GError) error = NULL;
  char *current = hatake_context_config_current (&error);

  if (error != NULL)
    fprintf (stderr, "WARNING: %s\n", error->message);
  return current;
}

/* Sets "currentContext" to NAME, or removes it for NULL (as docker leaves it for "default"); the
 * rest of the file is kept, and a file that would not change is not written. */
static gboolean
config_set_current (const char  *name,
                    GError     **error)
{
  g_autofree char *path = hatake_context_config_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(JsonNode) config = hatake_context_config_load (path, error);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  JsonObject *object;

  if (config == NULL)
    return FALSE;
  object = json_node_get_object (config);
  if (g_strcmp0 (hatake_json_string (object, "currentContext"), name) == 0 ||
      (name == NULL && !json_object_has_member (object, "currentContext")))
    return TRUE;
  if (name != NULL)
    json_object_set_string_member (object, "currentContext", name);
  else
    json_object_remove_member (object, "currentContext");
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "mkdir %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  json_generator_set_root (generator, config);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent_char (generator, '\t');
  json_generator_set_indent (generator, 1);
  text = json_generator_to_data (generator, NULL);
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* ---- the engine a command uses --------------------------------------------------------------- */

/* The current context's name, as docker resolves it: --context (or HATAKE_CONTEXT, DOCKER_CONTEXT,
 * which main() puts there unless a host was named), "default" when a host was named (-H,
 * HATAKE_HOST, DOCKER_HOST), else the one `context use` set. */
static char *
current_name (HatakeCliGlobals *globals)
{
  g_autofree char *current = NULL;

  if (globals->context != NULL)
    return g_strdup (globals->context);
  if (globals->host != NULL || (current = config_current ()) == NULL)
    return g_strdup (DEFAULT_CONTEXT);
  return g_steal_pointer (&current);
}

/* docker's TLS options for -H (and HATAKE_HOST, DOCKER_HOST): --tls or --tlsverify say whether,
 * the files are the ones named, else those in DOCKER_CERT_PATH (~/.docker) that exist */
static void
apply_tls_options (HatakeCliGlobals *globals,
                   HatakeEndpoint   *endpoint)
{
  const char *cert_path = g_getenv ("DOCKER_CERT_PATH");
  g_autofree char *dir = cert_path != NULL && *cert_path != '\0' ? g_strdup (cert_path)
                                                                  : g_build_filename (g_get_home_dir (), ".docker", NULL);
  struct { const char *given; const char *file; char **field; } files[] = {
    { globals->tls_ca, "ca.pem", &endpoint->ca_file },
    { globals->tls_cert, "cert.pem", &endpoint->cert_file },
    { globals->tls_key, "key.pem", &endpoint->key_file },
  };

  if (!globals->tls)
    return;
  endpoint->tls = TRUE;
  endpoint->skip_verify = !globals->tls_verify;
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *fallback = g_build_filename (dir, files[i].file, NULL);

      if (files[i].given != NULL)
        *files[i].field = g_strdup (files[i].given);
      else if (g_file_test (fallback, G_FILE_TEST_EXISTS))
        *files[i].field = g_steal_pointer (&fallback);
    }
  /* without verification the CA is not used */
  if (endpoint->skip_verify)
    g_clear_pointer (&endpoint->ca_file, g_free);
}

gboolean
hatake_cli_context_endpoint (HatakeCliGlobals  *globals,
                             HatakeEndpoint   **endpoint,
                             GError           **error)
{
  g_autofree char *name = NULL;
  g_autoptr(HatakeContext) context = NULL;
  g_autoptr(HatakeEndpoint) result = NULL;

  g_return_val_if_fail (endpoint != NULL && *endpoint == NULL, FALSE);

  if (globals->host != NULL)
    {
      result = hatake_endpoint_new (globals->host);
      apply_tls_options (globals, result);
      *endpoint = g_steal_pointer (&result);
      return TRUE;
    }
  name = current_name (globals);
  context = context_lookup (globals, name, error);
  if (context == NULL)
    {
      g_prefix_error (error, "unable to resolve docker endpoint: ");
      return FALSE;
    }
  /* as docker: a stored endpoint without a host is docker's default socket; "default" without
   * one is the local engine */
  if (context->store == HATAKE_CONTEXT_BUILT_IN)
    {
      if (hatake_context_host (context) == NULL)
        return TRUE;
      result = hatake_endpoint_new (hatake_context_host (context));
      apply_tls_options (globals, result);
    }
  else
    {
      result = hatake_endpoint_new (hatake_context_host (context) != NULL ? hatake_context_host (context) : DOCKER_DEFAULT_HOST);
      hatake_context_apply_tls (context, result);
    }
  *endpoint = g_steal_pointer (&result);
  return TRUE;
}

/* ---- the commands ---------------------------------------------------------------------------- */

/* docker's own refusals are printed as they are, with status 1 */
static int
fail_plain (GError *error)
{
  fprintf (stderr, "%s\n", error->message);
  g_error_free (error);
  return 1;
}

/* docker: a wrong count of arguments is status 1 (a bad flag 125) */
static int
argument_error (GOptionContext *context,
                const char     *message)
{
  hatake_cli_usage_error (context, message);
  return 1;
}

/* The environment variable naming a host, which takes over from the current context */
static const char *
host_variable (void)
{
  if (g_getenv ("HATAKE_HOST") != NULL && *g_getenv ("HATAKE_HOST") != '\0')
    return "HATAKE_HOST";
  if (g_getenv ("DOCKER_HOST") != NULL && *g_getenv ("DOCKER_HOST") != '\0')
    return "DOCKER_HOST";
  return NULL;
}

int
hatake_cli_context (HatakeCliGlobals *globals,
                    int               argc,
                    char            **argv)
{
  static const struct { const char *name; const char *summary; } commands[] = {
    { "create", N_("Create a context") },
    { "inspect", N_("Display detailed information on one or more contexts") },
    { "ls", N_("List contexts") },
    { "rm", N_("Remove one or more contexts") },
    { "show", N_("Print the name of the current context") },
    { "use", N_("Set the current context") },
  };
  gboolean help = argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h");
  FILE *out = help ? stdout : stderr;

  if (!help)
    fprintf (stderr, _("hatake: unknown command: hatake context %s\n\n"), argv[1]);
  fprintf (out, "%s\n\n%s\n\n", _("Usage:  hatake context COMMAND"), _("Manage contexts"));
  fprintf (out, "%s\n\n", _("A context names the engine hatake commands use. \"default\" is built in: the local\n"
                             "engine, or the one HATAKE_HOST or DOCKER_HOST names.\n"
                             "hatake's own contexts are kept in $XDG_CONFIG_HOME/hatake/contexts, which create\n"
                             "and rm change. docker's ($DOCKER_CONFIG/contexts, else ~/.docker/contexts) are\n"
                             "listed too, with \"(docker)\" before their description (\"Store\": \"docker\" in\n"
                             "--format json), and used by name, but never changed; a name in both is hatake's.\n"
                             "The current context is kept in $XDG_CONFIG_HOME/hatake/config.json. For one\n"
                             "command, -c/--context, HATAKE_CONTEXT or DOCKER_CONTEXT choose another one, and\n"
                             "-H/--host, HATAKE_HOST or DOCKER_HOST an engine instead (-H before --context, before\n"
                             "HATAKE_HOST and DOCKER_HOST, before HATAKE_CONTEXT and DOCKER_CONTEXT)."));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-11s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run 'hatake context COMMAND --help' for more information on a command."));
  return help ? 0 : 1;
}

static int
natural_compare (const char *a,
                 const char *b)
{
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          const char *end_a = a, *end_b = b;
          int order;

          while (*a == '0' && g_ascii_isdigit (a[1]))
            a++;
          while (*b == '0' && g_ascii_isdigit (b[1]))
            b++;
          for (end_a = a; g_ascii_isdigit (*end_a); end_a++)
            ;
          for (end_b = b; g_ascii_isdigit (*end_b); end_b++)
            ;
          if (end_a - a != end_b - b)
            return end_a - a < end_b - b ? -1 : 1;
          if ((order = strncmp (a, b, end_a - a)) != 0)
            return order;
          a = end_a;
          b = end_b;
          continue;
        }
      if (*a != *b)
        return (guchar) *a - (guchar) *b;
      a++;
      b++;
    }
  return (guchar) *a - (guchar) *b;
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  JsonObject *row_a = json_node_get_object (*(JsonNode **) a);
  JsonObject *row_b = json_node_get_object (*(JsonNode **) b);

  return natural_compare (json_object_get_string_member (row_a, "Name"), json_object_get_string_member (row_b, "Name"));
}

/* docker's Ellipsis: at most MAX characters, the last one "…" when cut */
static char *
ellipsis (const char *text,
          glong       max)
{
  g_autofree char *start = NULL;

  if (g_utf8_strlen (text, -1) <= max)
    return g_strdup (text);
  start = g_utf8_substring (text, 0, max - 1);
  return g_strconcat (start, "…", NULL);
}

/* One row of `context ls`, with docker's members (Store added: "hatake", "docker" or "" when built in) */
static JsonNode *
list_row (const char   *name,
          HatakeContextStore  store,
          gboolean      current,
          const char   *description,
          const char   *endpoint,
          const char   *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *short_error = ellipsis (error != NULL ? error : "", MAX_ERROR_LENGTH);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Current");
  json_builder_add_boolean_value (builder, current);
  json_builder_set_member_name (builder, "Description");
  json_builder_add_string_value (builder, description);
  json_builder_set_member_name (builder, "DockerEndpoint");
  json_builder_add_string_value (builder, endpoint != NULL ? endpoint : "");
  json_builder_set_member_name (builder, "Error");
  json_builder_add_string_value (builder, short_error);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "Store");
  json_builder_add_string_value (builder, store == HATAKE_CONTEXT_STORE_HATAKE ? "hatake" : store == HATAKE_CONTEXT_STORE_DOCKER ? "docker" : "");
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* A cell as docker's tabwriter pads it: the column's width and three blanks */
static void
append_cell (GString    *line,
             const char *text,
             glong       width)
{
  g_string_append (line, text);
  for (glong n = g_utf8_strlen (text, -1); n < width + 3; n++)
    g_string_append_c (line, ' ');
}

static void
print_table (GPtrArray *rows)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  glong widths[3] = { strlen ("NAME"), strlen ("DESCRIPTION"), strlen ("DOCKER ENDPOINT") };

  /* the cells of each row: name (* on the current one), description (its store), endpoint */
  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *row = json_node_get_object (g_ptr_array_index (rows, i));
      const char *description = json_object_get_string_member (row, "Description");
      gboolean docker = g_str_equal (json_object_get_string_member (row, "Store"), "docker");

      g_ptr_array_add (cells, g_strconcat (json_object_get_string_member (row, "Name"),
                                           json_object_get_boolean_member (row, "Current") ? " *" : "", NULL));
      g_ptr_array_add (cells, !docker ? g_strdup (description)
                                      : *description != '\0' ? g_strconcat ("(docker) ", description, NULL)
                                                             : g_strdup ("(docker)"));
      g_ptr_array_add (cells, g_strdup (json_object_get_string_member (row, "DockerEndpoint")));
      for (guint c = 0; c < 3; c++)
        widths[c] = MAX (widths[c], g_utf8_strlen (g_ptr_array_index (cells, 3 * i + c), -1));
    }
  {
    g_autoptr(GString) line = g_string_new (NULL);

    append_cell (line, "NAME", widths[0]);
    append_cell (line, "DESCRIPTION", widths[1]);
    append_cell (line, "DOCKER ENDPOINT", widths[2]);
    printf ("%sERROR\n", line->str);
  }
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < 3; c++)
        append_cell (line, g_ptr_array_index (cells, 3 * i + c), widths[c]);
      printf ("%s%s\n", line->str,
              json_object_get_string_member (json_node_get_object (g_ptr_array_index (rows, i)), "Error"));
    }
}

int
hatake_cli_context_ls (HatakeCliGlobals *globals,
                       int               argc,
                       char            **argv)
{
  g_autofree char *format = NULL;
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format output: table, json, or a template"), "FORMAT" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Only show context names"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("",
    _("List contexts. Those in docker's store show \"(docker)\" before their description, and \"docker\" as "
      "their Store in --format json."), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contexts = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *current = NULL;
  g_autofree char *configured = NULL;
  const char *variable = host_variable ();
  gboolean found = FALSE;
  gboolean json;
  const char *template;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc > 1)
    return argument_error (context, _("accepts no arguments"));
  json = format != NULL && g_str_equal (format, "json");
  template = format != NULL && !json && !g_str_equal (format, "table")
             ? (g_str_has_prefix (format, "table ") ? format + strlen ("table ") : format) : NULL;
  current = current_name (globals);
  contexts = context_list (globals);
  for (guint i = 0; i < contexts->len; i++)
    {
      HatakeContext *c = g_ptr_array_index (contexts, i);
      gboolean is_current = g_str_equal (hatake_context_name (c), current);

      found |= is_current;
      g_ptr_array_add (rows, list_row (hatake_context_name (c), c->store, is_current, hatake_context_description (c),
                                       hatake_context_host (c), NULL));
    }
  /* as docker: a current context that cannot be found is a row that says why */
  if (!found)
    {
      g_autoptr(HatakeContext) missing G_GNUC_UNUSED = context_lookup (globals, current, &error);

      g_ptr_array_add (rows, list_row (current, HATAKE_CONTEXT_BUILT_IN, TRUE, "", "", error ? error->message : ""));
      g_clear_error (&error);
    }
  g_ptr_array_sort (rows, compare_rows);

  if (!quiet && !json && template == NULL)
    print_table (rows);
  else
    for (guint i = 0; i < rows->len; i++)
      {
        JsonNode *row = g_ptr_array_index (rows, i);

        if (quiet)
          printf ("%s\n", json_object_get_string_member (json_node_get_object (row), "Name"));
        else if (json)
          hatake_cli_print_json (row, FALSE);
        else
          {
            g_autofree char *line = hatake_cli_format_template (row, template, &error);

            if (line == NULL)
              return hatake_cli_fail (g_steal_pointer (&error));
            printf ("%s\n", line);
          }
      }
  /* as docker: a host in the environment wins over the context `context use` set */
  configured = globals->context == NULL ? config_current () : NULL;
  if (variable != NULL && configured != NULL)
    fprintf (stderr, "Warning: %1$s environment variable overrides the active context. To use a context, either "
             "set the global --context flag, or unset %1$s environment variable.\n", variable);
  return 0;
}

int
hatake_cli_context_show (HatakeCliGlobals *globals,
                         int               argc,
                         char            **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("Print the name of the current context"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autofree char *current = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc > 1)
    return argument_error (context, _("accepts no arguments"));
  current = current_name (globals);
  printf ("%s\n", current);
  return 0;
}

int
hatake_cli_context_use (HatakeCliGlobals *globals,
                        int               argc,
                        char            **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTEXT",
    _("Set the current context: the engine hatake commands use from now on (a context of docker's store "
      "too; docker's own current context stays as it is)"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContext) chosen = NULL;
  const char *variable = host_variable ();
  const char *name;
  gboolean is_default;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 2)
    return argument_error (context, _("requires exactly 1 argument"));
  name = argv[1];
  is_default = g_str_equal (name, DEFAULT_CONTEXT);
  if (!is_default && (!validate_name (name, &error) || (chosen = context_lookup (globals, name, &error)) == NULL))
    return fail_plain (g_steal_pointer (&error));
  /* docker keeps "default" as no entry */
  if (!config_set_current (is_default ? NULL : name, &error))
    return fail_plain (g_steal_pointer (&error));
  printf ("%s\n", name);
  fprintf (stderr, "Current context is now \"%s\"\n", name);
  if (!is_default && variable != NULL)
    fprintf (stderr, "Warning: %1$s environment variable overrides the active context. To use \"%2$s\", either set "
             "the global --context flag, or unset %1$s environment variable.\n", variable, name);
  return 0;
}

/* ---- create ---------------------------------------------------------------------------------- */

/* docker's strconv.ParseBool */
static gboolean
parse_bool (const char *text,
            gboolean   *value)
{
  static const char * const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
  static const char * const no[] = { "0", "f", "F", "FALSE", "false", "False" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_str_equal (text, yes[i]) || g_str_equal (text, no[i]))
      {
        *value = g_str_equal (text, yes[i]);
        return TRUE;
      }
  return FALSE;
}

/* A stored context's TLS files into TLS (file name → path), to be copied with it */
static void
context_tls_files (HatakeContext    *context,
                   GHashTable *tls)
{
  g_autoptr(HatakeEndpoint) endpoint = hatake_endpoint_new ("");
  struct { const char *file; char *path; } files[3];

  if (context->store == HATAKE_CONTEXT_BUILT_IN)
    return;
  hatake_context_apply_tls (context, endpoint);
  files[0].file = "ca.pem", files[0].path = endpoint->ca_file;
  files[1].file = "cert.pem", files[1].path = endpoint->cert_file;
  files[2].file = "key.pem", files[2].path = endpoint->key_file;
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (files[i].path != NULL)
      g_hash_table_replace (tls, g_strdup (files[i].file), g_strdup (files[i].path));
}

/* The endpoint --docker describes ("host=tcp://HOST:PORT,ca=FILE,cert=FILE,key=FILE,
 * skip-tls-verify=true", or "from=NAME"), as a new object for Endpoints.docker; the TLS files
 * to copy into the context go into TLS (file name → path) */
static JsonObject *
docker_endpoint (HatakeCliGlobals  *globals,
                 char             **specs,
                 GHashTable        *tls,
                 GError           **error)
{
  static const char * const keys[] = { "from", "host", "ca", "cert", "key", "skip-tls-verify" };
  g_autoptr(GHashTable) config = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(JsonObject) endpoint = json_object_new ();
  const char *value;
  gboolean skip = FALSE;

  for (guint i = 0; specs[i] != NULL; i++)
    {
      g_auto(GStrv) pairs = g_strsplit (specs[i], ",", -1);

      for (guint p = 0; pairs[p] != NULL; p++)
        {
          const char *equals = strchr (pairs[p], '=');
          g_autofree char *key = equals != NULL ? g_strndup (pairs[p], equals - pairs[p]) : NULL;
          gboolean known = FALSE;

          if (key == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "invalid argument \"%s\" for \"--docker\" flag: %s must be formatted as key=value",
                           specs[i], pairs[p]);
              return NULL;
            }
          for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
            known |= g_str_equal (key, keys[k]);
          if (!known)
            {
              g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                           "unable to create docker endpoint config: unrecognized config key: %s", key);
              return NULL;
            }
          g_hash_table_replace (config, g_steal_pointer (&key), g_strdup (equals + 1));
        }
    }
  if ((value = g_hash_table_lookup (config, "from")) != NULL)
    {
      g_autoptr(HatakeContext) from = context_lookup (globals, value, error);

      if (from == NULL)
        {
          g_prefix_error (error, "unable to create docker endpoint config: ");
          return NULL;
        }
      if (hatake_context_docker_endpoint (from) == NULL)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                       "unable to create docker endpoint config: unable to get endpoint from context \"%s\"", value);
          return NULL;
        }
      context_tls_files (from, tls);
      return json_object_ref (hatake_context_docker_endpoint (from));
    }
  {
    static const char * const files[][2] = { { "ca", "ca.pem" }, { "cert", "cert.pem" }, { "key", "key.pem" } };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      if ((value = g_hash_table_lookup (config, files[i][0])) != NULL && *value != '\0')
        {
          if (!g_file_test (value, G_FILE_TEST_IS_REGULAR))
            {
              g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                           "unable to create docker endpoint config: open %s: no such file or directory", value);
              return NULL;
            }
          g_hash_table_replace (tls, g_strdup (files[i][1]), g_strdup (value));
        }
    if (g_hash_table_contains (tls, "cert.pem") != g_hash_table_contains (tls, "key.pem"))
      {
        g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "%s",
                     "unable to create docker endpoint config: cert and key must be set together");
        return NULL;
      }
  }
  if ((value = g_hash_table_lookup (config, "skip-tls-verify")) != NULL && !parse_bool (value, &skip))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                   "unable to create docker endpoint config: skip-tls-verify: parsing \"%s\": invalid syntax", value);
      return NULL;
    }
  if ((value = g_hash_table_lookup (config, "host")) != NULL && *value != '\0')
    json_object_set_string_member (endpoint, "Host", value);
  json_object_set_boolean_member (endpoint, "SkipTLSVerify", skip);
  return g_steal_pointer (&endpoint);
}

/* What the client engine can reach: unix:///PATH, tcp://HOST[:PORT], ssh://[USER@]HOST[:PORT] */
static gboolean
check_host (const char  *from,
            const char  *host,
            GError     **error)
{
  g_autoptr(HatakeEndpoint) endpoint = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL, *user = NULL;
  HatakeEndpointKind kind;

  if (host == NULL && from != NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                   _("context \"%s\" names no engine to copy (the local engine has no address): name one with "
                     "--docker host=unix:///PATH"), from);
      return FALSE;
    }
  if (host == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "%s",
                   _("unable to create docker endpoint config: a host is required: --docker host=unix:///PATH"));
      return FALSE;
    }
  endpoint = hatake_endpoint_new (host);
  if (!hatake_endpoint_parse (endpoint, &kind, &name, NULL, &user, &local_error))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                   "unable to create docker endpoint config: unable to apply docker endpoint options: unable to "
                   "parse docker host `%s` (%s)", host, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The TLS files (file name → path) into STORE/tls/<sha256 of NAME>/docker, the key readable by its
 * owner only, as docker keeps them */
static gboolean
context_save_tls (const char  *dir,
                  const char  *name,
                  GHashTable  *tls,
                  GError     **error)
{
  g_autofree char *tls_dir = hatake_context_path (dir, "tls", name);
  g_autofree char *endpoint_dir = g_build_filename (tls_dir, "docker", NULL);
  GHashTableIter iter;
  const char *file, *source;

  if (g_hash_table_size (tls) == 0)
    return TRUE;
  if (g_mkdir_with_parents (endpoint_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "mkdir %s: %s", endpoint_dir, g_strerror (saved));
      return FALSE;
    }
  g_hash_table_iter_init (&iter, tls);
  while (g_hash_table_iter_next (&iter, (gpointer *) &file, (gpointer *) &source))
    {
      g_autofree char *contents = NULL;
      g_autofree char *target = g_build_filename (endpoint_dir, file, NULL);
      gsize length = 0;

      if (!g_file_get_contents (source, &contents, &length, error) ||
          !g_file_set_contents_full (target, contents, length, G_FILE_SET_CONTENTS_CONSISTENT,
                                     g_str_equal (file, "key.pem") ? 0600 : 0644, error))
        return FALSE;
    }
  return TRUE;
}

/* As docker writes it: compact, in STORE/meta/<sha256>/meta.json */
static gboolean
context_save (const char  *dir,
              JsonNode    *meta,
              GError     **error)
{
  const char *name = json_object_get_string_member (json_node_get_object (meta), "Name");
  g_autofree char *meta_dir = hatake_context_path (dir, "meta", name);
  g_autofree char *path = g_build_filename (meta_dir, "meta.json", NULL);
  g_autofree char *text = json_to_string (meta, FALSE);

  if (g_mkdir_with_parents (meta_dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "mkdir %s: %s", meta_dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

int
hatake_cli_context_create (HatakeCliGlobals *globals,
                           int               argc,
                           char            **argv)
{
  g_autofree char *description = NULL;
  g_autofree char *from = NULL;
  g_auto(GStrv) docker = NULL;
  const GOptionEntry entries[] = {
    { "description", 0, 0, G_OPTION_ARG_STRING, &description, N_("Description of the context"), "STRING" },
    { "docker", 0, 0, G_OPTION_ARG_STRING_ARRAY, &docker, N_("Set the docker endpoint: host=unix:///PATH|tcp://HOST:PORT|ssh://USER@HOST, ca=, cert=, key= (files), skip-tls-verify=, or from=CONTEXT to copy that one's"), "KEY=VALUE,…" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Create the context from a named context (else from the current one when --docker is not given)"), "CONTEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTEXT",
    _("Create a context in hatake's store."),
    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContext) existing = NULL;
  g_autoptr(JsonObject) metadata = NULL;
  g_autoptr(JsonObject) endpoints = NULL;
  g_autoptr(JsonObject) meta = json_object_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *source = NULL;
  g_autofree char *dir = hatake_context_hatake_store ();
  g_autoptr(GHashTable) tls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *name;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 2)
    return argument_error (context, _("requires exactly 1 argument"));
  name = argv[1];
  if (!validate_name (name, &error))
    return fail_plain (g_steal_pointer (&error));
  if ((existing = context_lookup (globals, name, &error)) != NULL)
    {
      if (existing->store == HATAKE_CONTEXT_STORE_DOCKER)
        fprintf (stderr, _("context \"%s\" already exists in docker's store\n"), name);
      else
        fprintf (stderr, "context \"%s\" already exists\n", name);
      return 1;
    }
  if (!g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND))
    {
      g_prefix_error (&error, "error while getting existing contexts: ");
      return fail_plain (g_steal_pointer (&error));
    }
  g_clear_error (&error);

  if (from != NULL || docker == NULL)
    {
      g_autoptr(HatakeContext) copied = NULL;

      /* as docker: the whole context copied, from --from or else the current one */
      if (docker != NULL && docker[0] != NULL)
        return fail_plain (g_error_new_literal (HATAKE_ERROR, HATAKE_ERROR_FAILED,
                                                "cannot use --docker flag when --from is set"));
      source = from != NULL ? g_strdup (from) : current_name (globals);
      if ((copied = context_lookup (globals, source, &error)) == NULL)
        return fail_plain (g_steal_pointer (&error));
      context_tls_files (copied, tls);
      metadata = hatake_json_object_member (json_node_get_object (copied->meta), "Metadata") != NULL
                 ? json_object_ref (hatake_json_object_member (json_node_get_object (copied->meta), "Metadata"))
                 : json_object_new ();
      endpoints = hatake_json_object_member (json_node_get_object (copied->meta), "Endpoints") != NULL
                  ? json_object_ref (hatake_json_object_member (json_node_get_object (copied->meta), "Endpoints"))
                  : json_object_new ();
      /* what came from the built-in one says nothing true of the copy */
      if (copied->store == HATAKE_CONTEXT_BUILT_IN && description == NULL)
        json_object_remove_member (metadata, "Description");
    }
  else
    {
      JsonObject *endpoint = docker_endpoint (globals, docker, tls, &error);

      if (endpoint == NULL)
        return g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE)
               ? hatake_cli_usage_error (context, error->message) : fail_plain (g_steal_pointer (&error));
      metadata = json_object_new ();
      endpoints = json_object_new ();
      json_object_set_object_member (endpoints, "docker", endpoint);
    }
  if (description != NULL && *description != '\0')
    json_object_set_string_member (metadata, "Description", description);
  if (!check_host (source, hatake_json_string (hatake_json_object_member (endpoints, "docker"), "Host"), &error))
    return fail_plain (g_steal_pointer (&error));

  json_object_set_string_member (meta, "Name", name);
  json_object_set_object_member (meta, "Metadata", g_steal_pointer (&metadata));
  json_object_set_object_member (meta, "Endpoints", g_steal_pointer (&endpoints));
  root = json_node_init_object (json_node_alloc (), meta);
  if (!context_save_tls (dir, name, tls, &error) || !context_save (dir, root, &error))
    return fail_plain (g_steal_pointer (&error));
  printf ("%s\n", name);
  fprintf (stderr, "Successfully created context \"%s\"\n", name);
  return 0;
}

/* ---- rm -------------------------------------------------------------------------------------- */

/* NAME's folder in hatake's store, read or not (a file that does not parse goes too) */
static gboolean
context_remove (const char  *name,
                GError     **error)
{
  g_autofree char *dir = hatake_context_hatake_store ();
  g_autofree char *meta_dir = hatake_context_path (dir, "meta", name);
  g_autofree char *path = g_build_filename (meta_dir, "meta.json", NULL);

  g_autofree char *tls_dir = hatake_context_path (dir, "tls", name);
  g_autofree char *endpoint_dir = g_build_filename (tls_dir, "docker", NULL);
  static const char * const files[] = { "ca.pem", "cert.pem", "key.pem" };

  if ((g_unlink (path) != 0 && errno != ENOENT) || g_rmdir (meta_dir) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "remove %s: %s", meta_dir, g_strerror (saved));
      return FALSE;
    }
  /* its TLS material goes with it */
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *file = g_build_filename (endpoint_dir, files[i], NULL);

      g_unlink (file);
    }
  g_rmdir (endpoint_dir);
  g_rmdir (tls_dir);
  return TRUE;
}

/* One NAME of `context rm`: FALSE with the reason, in docker's words where docker has some */
static gboolean
remove_one (HatakeCliGlobals  *globals,
            const char        *name,
            const char        *current,
            gboolean           force,
            GError           **error)
{
  g_autoptr(HatakeContext) found = NULL;
  g_autoptr(GError) lookup_error = NULL;
  g_autofree char *configured = NULL;

  if (g_str_equal (name, DEFAULT_CONTEXT))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "context \"%s\" cannot be removed", DEFAULT_CONTEXT);
      return FALSE;
    }
  found = context_lookup (globals, name, &lookup_error);
  if (found != NULL && found->store == HATAKE_CONTEXT_STORE_DOCKER)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                   _("context \"%s\" is in docker's store, which hatake does not change: docker context rm %s"),
                   name, name);
      return FALSE;
    }
  if (g_str_equal (name, current) && !force)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "context \"%s\" is in use, set -f flag to force remove",
                   name);
      return FALSE;
    }
  /* as docker: the forced removal of the current one falls back to "default" */
  configured = config_current ();
  if (g_strcmp0 (configured, name) == 0 && !config_set_current (NULL, error))
    return FALSE;
  if (g_error_matches (lookup_error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND))
    {
      if (force)
        return TRUE;
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, "context \"%s\" does not exist", name);
      return FALSE;
    }
  return context_remove (name, error);
}

int
hatake_cli_context_rm (HatakeCliGlobals *globals,
                       int               argc,
                       char            **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Force the removal of a context in use"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTEXT [CONTEXT...]",
    _("Remove one or more contexts of hatake's store (docker's are left to docker context rm)"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autofree char *current = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return argument_error (context, _("requires at least 1 argument"));
  current = current_name (globals);
  /* as docker: the names removed on stdout, then every refusal on stderr */
  for (int i = 1; i < argc; i++)
    {
      if (!remove_one (globals, argv[i], current, force, &error))
        {
          g_string_append_printf (errors, "%s\n", error->message);
          g_clear_error (&error);
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  fputs (errors->str, stderr);
  return errors->len > 0 ? 1 : 0;
}

/* ---- inspect --------------------------------------------------------------------------------- */

/* (g_ptr_array_sort hands over pointers to the elements) */
static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* docker's ListTLSFiles: the files of each endpoint under STORE/tls/<sha256> */
static JsonObject *
tls_listing (HatakeContext *context)
{
  JsonObject *listing = json_object_new ();
  g_autofree char *tls_dir = NULL;
  g_autoptr(GDir) endpoints = NULL;
  const char *endpoint;

  if (context->store == HATAKE_CONTEXT_BUILT_IN)
    return listing;
  tls_dir = hatake_context_path (context->dir, "tls", hatake_context_name (context));
  endpoints = g_dir_open (tls_dir, 0, NULL);
  while (endpoints != NULL && (endpoint = g_dir_read_name (endpoints)) != NULL)
    {
      g_autofree char *path = g_build_filename (tls_dir, endpoint, NULL);
      g_autoptr(GDir) files = g_dir_open (path, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      JsonArray *array = json_array_new ();
      const char *file;

      while (files != NULL && (file = g_dir_read_name (files)) != NULL)
        g_ptr_array_add (names, g_strdup (file));
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        json_array_add_string_element (array, g_ptr_array_index (names, i));
      json_object_set_array_member (listing, endpoint, array);
    }
  return listing;
}

/* docker's inspect: the metadata with the TLS material's listing and where it is stored */
static JsonNode *
inspect_node (HatakeContext *context)
{
  JsonNode *node = json_node_copy (context->meta);
  JsonObject *object = json_node_get_object (node);
  JsonObject *storage = json_object_new ();

  if (hatake_json_object_member (object, "Metadata") == NULL)
    json_object_set_object_member (object, "Metadata", json_object_new ());
  if (hatake_json_object_member (object, "Endpoints") == NULL)
    json_object_set_object_member (object, "Endpoints", json_object_new ());
  json_object_set_object_member (object, "TLSMaterial", tls_listing (context));
  if (context->store == HATAKE_CONTEXT_BUILT_IN)
    {
      json_object_set_string_member (storage, "MetadataPath", "<IN MEMORY>");
      json_object_set_string_member (storage, "TLSPath", "<IN MEMORY>");
    }
  else
    {
      g_autofree char *meta_dir = hatake_context_path (context->dir, "meta", hatake_context_name (context));
      g_autofree char *tls_dir = hatake_context_path (context->dir, "tls", hatake_context_name (context));

      json_object_set_string_member (storage, "MetadataPath", meta_dir);
      json_object_set_string_member (storage, "TLSPath", tls_dir);
    }
  json_object_set_object_member (object, "Storage", storage);
  return node;
}

int
hatake_cli_context_inspect (HatakeCliGlobals *globals,
                            int               argc,
                            char            **argv)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Format output: json, or a template"), "FORMAT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[CONTEXT] [CONTEXT...]",
    _("Display detailed information on one or more contexts (the current one when none is named)"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) all = json_array_new ();
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gboolean json;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  json = format == NULL || g_str_equal (format, "json");
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (names, g_strdup (argv[i]));
  if (names->len == 0)
    g_ptr_array_add (names, current_name (globals));
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(HatakeContext) found = context_lookup (globals, g_ptr_array_index (names, i), &error);
      g_autoptr(JsonNode) node = NULL;

      if (found == NULL)
        {
          g_string_append_printf (errors, "%s\n", error->message);
          g_clear_error (&error);
          continue;
        }
      node = inspect_node (found);
      if (!json)
        {
          g_autofree char *line = hatake_cli_format_template (node, format, &error);

          if (line == NULL)
            return hatake_cli_fail (g_steal_pointer (&error));
          printf ("%s\n", line);
          continue;
        }
      json_array_add_element (all, g_steal_pointer (&node));
    }
  if (json)
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), all);

      hatake_cli_print_json (root, TRUE);
    }
  fputs (errors->str, stderr);
  return errors->len > 0 ? 1 : 0;
}
