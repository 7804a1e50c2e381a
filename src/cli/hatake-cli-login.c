/* hatake-cli-login.c: login and logout, the credentials kept as the docker CLI keeps them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In $DOCKER_CONFIG/config.json (else ~/.docker/config.json), under "auths" as {"auth": base64
 * "user:pass"} keyed by the server as docker keys it; unless the file names a credential helper
 * for that server ("credHelpers") or for all ("credsStore"): then `docker-credential-NAME store`
 * keeps them and "auths" holds an empty entry for the server, as docker leaves it. The rest of
 * the file is kept as it was, so docker and hatake share one file.
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hatake-cli-private.h"
#include "hatake-json.h"

/* The key docker keeps Docker Hub's credentials under */
#define DOCKER_HUB_SERVER     "https://index.docker.io/v1/"
/* What every helper prints, with a failing exit, for a server it holds nothing for */
#define HELPER_NOT_FOUND      "credentials not found in native keychain"
/* A helper's user name for an identity token, which is no password */
#define HELPER_TOKEN_USERNAME "<token>"

/* ---- the config file ------------------------------------------------------------------------ */

typedef struct
{
  char     *path;
  JsonNode *root;   /* an object */
} DockerConfig;

static void
docker_config_free (DockerConfig *config)
{
  g_free (config->path);
  g_clear_pointer (&config->root, json_node_unref);
  g_free (config);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DockerConfig, docker_config_free)

static DockerConfig *
docker_config_load (GError **error)
{
  g_autoptr(DockerConfig) config = g_new0 (DockerConfig, 1);
  const char *dir = g_getenv ("DOCKER_CONFIG");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (dir != NULL && *dir != '\0')
    config->path = g_build_filename (dir, "config.json", NULL);
  else
    config->path = g_build_filename (g_get_home_dir (), ".docker", "config.json", NULL);
  if (!g_file_get_contents (config->path, &contents, &length, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      config->root = hatake_json_node_new_object ();
      return g_steal_pointer (&config);
    }
  /* docker would start over from an empty file and so lose what it could not read: refuse. */
  if (length > 0 && !json_parser_load_from_data (parser, contents, length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Error loading config file %s: %s"),
                   config->path, local_error->message);
      return NULL;
    }
  if (length > 0 && !hatake_json_root_is (parser, JSON_NODE_OBJECT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Error loading config file %s: not a JSON object"), config->path);
      return NULL;
    }
  config->root = length > 0 ? json_node_copy (json_parser_get_root (parser))
                            : hatake_json_node_new_object ();
  return g_steal_pointer (&config);
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
docker_config_auths (DockerConfig *config)
{
  JsonObject *root = json_node_get_object (config->root);
  JsonObject *auths = object_member (root, "auths");

  if (auths == NULL)
    {
      auths = json_object_new ();
      json_object_set_object_member (root, "auths", auths);
    }
  return auths;
}

/* As docker: the server's own entry in credHelpers, even an empty one, else credsStore. */
static const char *
docker_config_helper (DockerConfig *config,
                      const char   *server)
{
  JsonObject *root = json_node_get_object (config->root);
  JsonObject *helpers = object_member (root, "credHelpers");
  const char *name;

  if (helpers != NULL && json_object_has_member (helpers, server))
    name = string_member (helpers, server);
  else
    name = string_member (root, "credsStore");
  return name != NULL && *name != '\0' ? name : NULL;
}

static void
append_line_break (GString *out,
                   guint    depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (out, '\t');
}

/* Go's json.MarshalIndent with a tab, as docker writes the file (json-glib's pretty output
 * puts blanks inside empty objects and before colons); scalars and keys are json-glib's. */
static void
append_indented (GString  *out,
                 JsonNode *node,
                 guint     depth)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      g_string_append_c (out, '{');
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autoptr(JsonNode) key = json_node_init_string (json_node_alloc (), l->data);
          g_autofree char *key_text = json_to_string (key, FALSE);

          append_line_break (out, depth + 1);
          g_string_append_printf (out, "%s: ", key_text);
          append_indented (out, json_object_get_member (object, l->data), depth + 1);
          if (l->next != NULL)
            g_string_append_c (out, ',');
        }
      if (members != NULL)
        append_line_break (out, depth);
      g_string_append_c (out, '}');
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      g_string_append_c (out, '[');
      for (guint i = 0; i < n; i++)
        {
          append_line_break (out, depth + 1);
          append_indented (out, json_array_get_element (array, i), depth + 1);
          if (i + 1 < n)
            g_string_append_c (out, ',');
        }
      if (n > 0)
        append_line_break (out, depth);
      g_string_append_c (out, ']');
    }
  else
    {
      g_autofree char *text = json_to_string (node, FALSE);

      g_string_append (out, text);
    }
}

/* As docker saves it: tab-indented, written whole to a temporary file and renamed over the
 * file a symlink points to; a new file is 0600 in a 0700 directory, an existing one keeps its
 * mode and owner. */
static gboolean
docker_config_save (DockerConfig  *config,
                    GError       **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *target = realpath (config->path, NULL);
  g_autofree char *dir = NULL;
  struct stat st;
  gboolean existed;

  if (target == NULL)
    target = g_strdup (config->path);
  existed = g_stat (target, &st) == 0;
  dir = g_path_get_dirname (target);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "mkdir %s: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  append_indented (text, config->root, 0);
  if (!g_file_set_contents_full (target, text->str, text->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 existed ? (int) (st.st_mode & 07777) : 0600, error))
    return FALSE;
  if (existed && (st.st_uid != geteuid () || st.st_gid != getegid ())
      && chown (target, st.st_uid, st.st_gid) != 0)
    g_debug ("Cannot give %s back to %u:%u: %s", target, st.st_uid, st.st_gid, g_strerror (errno));
  return TRUE;
}

/* docker's ConvertToHostname: "https://host:5000/v2/" → "host:5000", "host/path" → "host". */
static char *
convert_to_hostname (const char *address)
{
  if (strstr (address, "://") != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (address, G_URI_FLAGS_NONE, NULL);
      const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

      if (host != NULL && *host != '\0')
        {
          gboolean ipv6 = strchr (host, ':') != NULL;

          if (g_uri_get_port (uri) == -1)
            return g_strdup (host);
          return g_strdup_printf (ipv6 ? "[%s]:%d" : "%s:%d", host, g_uri_get_port (uri));
        }
    }
  return g_strndup (address, strcspn (address, "/"));
}

/* ---- credential helpers ---------------------------------------------------------------------- */

/* Runs docker-credential-NAME ACTION with INPUT on stdin; FALSE with docker's message when it
 * fails, and its output (trimmed) in *out either way. */
static gboolean
helper_run (const char  *name,
            const char  *action,
            const char  *verb,
            const char  *input,
            char       **out,
            GError     **error)
{
  g_autofree char *program = g_strconcat ("docker-credential-", name, NULL);
  g_autoptr(GSubprocess) helper = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;

  helper = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                             | G_SUBPROCESS_FLAGS_STDERR_PIPE, &local_error, program, action, NULL);
  if (helper == NULL || !g_subprocess_communicate_utf8 (helper, input, NULL, &text, &err, &local_error))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "error %s credentials - err: %s, out: ``",
                   verb, local_error->message);
      return FALSE;
    }
  g_strstrip (text);
  if (!g_subprocess_get_successful (helper))
    {
      /* docker's words, with the helper's own (which most print on stdout) */
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                   "error %s credentials - err: exit status %d, out: `%s`", verb,
                   g_subprocess_get_if_exited (helper) ? g_subprocess_get_exit_status (helper) : -1,
                   *text != '\0' ? text : g_strstrip (err));
      *out = g_steal_pointer (&text);
      return FALSE;
    }
  *out = g_steal_pointer (&text);
  return TRUE;
}

static gboolean
helper_store (const char  *name,
              const char  *server,
              const char  *username,
              const char  *secret,
              GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *input = NULL;
  g_autofree char *out = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ServerURL");
  json_builder_add_string_value (builder, server);
  json_builder_set_member_name (builder, "Username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "Secret");
  json_builder_add_string_value (builder, secret);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  input = json_to_string (node, FALSE);
  return helper_run (name, "store", "storing", input, &out, error);
}

/* TRUE with NULLs when the helper holds nothing for the server. */
static gboolean
helper_get (const char  *name,
            const char  *server,
            char       **username,
            char       **secret,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *out = NULL;
  JsonObject *answer;

  if (!helper_run (name, "get", "getting", server, &out, &local_error))
    {
      if (g_strcmp0 (out, HELPER_NOT_FOUND) == 0)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, out, -1, error))
    return FALSE;
  answer = hatake_json_root_is (parser, JSON_NODE_OBJECT)
           ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  if (g_strcmp0 (string_member (answer, "Username"), HELPER_TOKEN_USERNAME) != 0
      && string_member (answer, "Username") != NULL && *string_member (answer, "Username") != '\0')
    {
      *username = g_strdup (string_member (answer, "Username"));
      *secret = g_strdup (string_member (answer, "Secret"));
    }
  return TRUE;
}

/* ---- credentials as docker stores them ------------------------------------------------------- */

static gboolean
decode_auth (const char  *auth,
             char       **username,
             char       **password)
{
  gsize length = 0;
  g_autofree guchar *decoded = auth != NULL ? g_base64_decode (auth, &length) : NULL;
  g_autofree char *pair = decoded != NULL ? g_strndup ((const char *) decoded, length) : NULL;
  const char *colon = pair != NULL ? strchr (pair, ':') : NULL;

  if (colon == NULL || colon == pair)
    return FALSE;
  *username = g_strndup (pair, colon - pair);
  *password = g_strdup (colon + 1);
  return TRUE;
}

/* The credentials kept for a server, as docker reads them before it prompts. */
static gboolean
stored_credentials (DockerConfig  *config,
                    const char    *server,
                    char         **username,
                    char         **password,
                    GError       **error)
{
  const char *helper = docker_config_helper (config, server);
  JsonObject *auths = object_member (json_node_get_object (config->root), "auths");
  g_autoptr(GList) keys = NULL;

  if (helper != NULL)
    return helper_get (helper, server, username, password, error);
  if (auths == NULL)
    return TRUE;
  if (decode_auth (string_member (object_member (auths, server), "auth"), username, password))
    return TRUE;
  /* entries written by older clients, keyed by a URL */
  keys = json_object_get_members (auths);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      g_autofree char *host = convert_to_hostname (l->data);

      if (g_str_equal (host, server)
          && decode_auth (string_member (object_member (auths, l->data), "auth"), username, password))
        return TRUE;
    }
  return TRUE;
}

static gboolean
store_credentials (DockerConfig  *config,
                   const char    *server,
                   const char    *username,
                   const char    *password,
                   GError       **error)
{
  const char *helper = docker_config_helper (config, server);
  JsonObject *auths = docker_config_auths (config);
  g_autoptr(JsonObject) entry = json_object_new ();
  g_autoptr(JsonNode) node = json_node_alloc ();
  g_autoptr(GError) local_error = NULL;

  if (helper != NULL && !helper_store (helper, server, username, password, &local_error))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "Error saving credentials: %s",
                   local_error->message);
      return FALSE;
    }
  if (helper == NULL)
    {
      g_autofree char *pair = g_strconcat (username, ":", password, NULL);
      g_autofree char *auth = g_base64_encode ((const guchar *) pair, strlen (pair));

      json_object_set_string_member (entry, "auth", auth);
      fprintf (stderr, "\nWARNING! Your credentials are stored unencrypted in '%s'.\n"
               "Configure a credential helper to remove this warning. See\n"
               "https://docs.docker.com/go/credential-store/\n\n", config->path);
    }
  json_node_init_object (node, entry);
  /* docker leaves an unchanged file alone */
  if (json_object_has_member (auths, server)
      && json_node_equal (json_object_get_member (auths, server), node))
    return TRUE;
  json_object_set_member (auths, server, g_steal_pointer (&node));
  if (!docker_config_save (config, &local_error))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "Error saving credentials: %s",
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- prompts --------------------------------------------------------------------------------- */

static struct termios echo_saved;
static const int echo_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* A signal during the password prompt gives the terminal its echo back before it ends us. */
static void
restore_echo (int signum)
{
  tcsetattr (STDIN_FILENO, TCSANOW, &echo_saved);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* A line as docker reads one: without its end and the blanks around it ("" at the end). */
static char *
read_line (void)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  return g_strstrip (g_string_free (g_steal_pointer (&line), FALSE));
}

static char *
read_password (void)
{
  struct sigaction action = { 0 };
  struct sigaction previous[G_N_ELEMENTS (echo_signals)];
  gboolean quiet = FALSE;
  char *password;

  /* echo is off before the prompt shows: what is typed at it is never shown */
  if (tcgetattr (STDIN_FILENO, &echo_saved) == 0)
    {
      struct termios no_echo = echo_saved;

      no_echo.c_lflag &= ~(tcflag_t) ECHO;
      action.sa_handler = restore_echo;
      for (guint i = 0; i < G_N_ELEMENTS (echo_signals); i++)
        sigaction (echo_signals[i], &action, &previous[i]);
      quiet = tcsetattr (STDIN_FILENO, TCSANOW, &no_echo) == 0;
    }
  printf ("Password: ");
  fflush (stdout);
  password = read_line ();
  if (quiet)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &echo_saved);
      for (guint i = 0; i < G_N_ELEMENTS (echo_signals); i++)
        sigaction (echo_signals[i], &previous[i], NULL);
    }
  printf ("\n");
  return password;
}

static char *
read_stdin (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[4096];
  size_t n;

  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    g_string_append_len (text, buffer, n);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- login ----------------------------------------------------------------------------------- */

static gboolean
is_blank (const char *text)
{
  while (text != NULL && g_ascii_isspace (*text))
    text++;
  return text == NULL || *text == '\0';
}

/* docker's own refusals are printed as they are */
static int
fail_plain (const char *message)
{
  fprintf (stderr, "%s\n", message);
  return 1;
}

static gboolean
check_login (HatakeCliGlobals  *globals,
             HatakeEngine     **engine,
             const char        *server,
             const char        *username,
             const char        *password,
             GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (*engine == NULL && (*engine = hatake_cli_open_engine (globals, error)) == NULL)
    return FALSE;
  hatake_engine_login_async (*engine, server, username, password, NULL, hatake_cli_store_result,
                             &result);
  hatake_cli_wait ((gpointer *) &result);
  return hatake_engine_login_finish (*engine, result, error);
}

/* What docker does first when given neither a user nor a password: log in with what it keeps. */
static gboolean
login_with_stored (HatakeCliGlobals  *globals,
                   HatakeEngine     **engine,
                   DockerConfig      *config,
                   const char        *server,
                   char             **stored_username)
{
  g_autofree char *password = NULL;
  g_autoptr(GError) error = NULL;

  if (!stored_credentials (config, server, stored_username, &password, &error))
    g_debug ("No stored credentials for %s: %s", server, error->message);
  if (*stored_username == NULL || password == NULL || *password == '\0')
    return FALSE;
  printf ("Authenticating with existing credentials... [Username: %s]\n", *stored_username);
  printf ("To login with a different account, run 'hatake logout' followed by 'hatake login'\n\n");
  fflush (stdout);
  if (!check_login (globals, engine, server, *stored_username, password, &error))
    {
      if (g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_UNAUTHORIZED))
        fprintf (stderr, "Stored credentials invalid or expired\n");
      else
        fprintf (stderr, "Login did not succeed, error: %s\n", error->message);
      return FALSE;
    }
  if (!store_credentials (config, server, *stored_username, password, &error))
    fprintf (stderr, "%s\n", error->message);
  return TRUE;
}

int
hatake_cli_login (HatakeCliGlobals *globals,
                  int               argc,
                  char            **argv)
{
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  gboolean password_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "username", 'u', 0, G_OPTION_ARG_STRING, &username, N_("Username"), NULL },
    { "password", 'p', 0, G_OPTION_ARG_STRING, &password, N_("Password or Personal Access Token (PAT)"), NULL },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Take the Password or Personal Access Token (PAT) from stdin"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[SERVER]",
    _("Authenticate to a registry.\nDefaults to Docker Hub if no server is specified."), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(DockerConfig) config = NULL;
  g_autofree char *server = NULL;
  g_autofree char *stored_username = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc > 2)
    {
      hatake_cli_usage_error (context, _("requires at most 1 argument"));
      return 1;
    }
  if (username != NULL && *g_strstrip (username) == '\0')
    return fail_plain ("username is empty");
  if (password != NULL && *password == '\0')
    return fail_plain ("password is empty");
  if (password != NULL && password_stdin)
    return fail_plain ("conflicting options: cannot specify both --password and --password-stdin");
  if (password != NULL)
    fprintf (stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  if (password_stdin)
    {
      gsize length;

      if (username == NULL)
        return fail_plain ("the --password-stdin option requires --username to be set");
      password = read_stdin ();
      length = strlen (password);
      if (length > 0 && password[length - 1] == '\n')
        password[--length] = '\0';
      if (length > 0 && password[length - 1] == '\r')
        password[--length] = '\0';
    }
  if (argc < 2 || *argv[1] == '\0' || g_str_equal (argv[1], "docker.io"))
    server = g_strdup (DOCKER_HUB_SERVER);
  else
    server = convert_to_hostname (argv[1]);
  config = docker_config_load (&error);
  if (config == NULL)
    return fail_plain (error->message);

  if (username == NULL && password == NULL
      && login_with_stored (globals, &engine, config, server, &stored_username))
    {
      printf ("Login Succeeded\n");
      return 0;
    }

  /* docker prompts only on a terminal: a pipe is for --password-stdin */
  if ((username == NULL || is_blank (password)) && !isatty (STDIN_FILENO))
    return fail_plain ("Error: Cannot perform an interactive login from a non TTY device");
  if (username == NULL)
    {
      if (g_str_equal (server, DOCKER_HUB_SERVER))
        printf ("Log in with your Docker ID or email address to push and pull images from Docker Hub. "
                "If you don't have a Docker ID, head over to https://hub.docker.com/ to create one.\n");
      if (stored_username != NULL)
        printf ("Username (%s): ", stored_username);
      else
        printf ("Username: ");
      fflush (stdout);
      username = read_line ();
      if (*username == '\0' && stored_username != NULL)
        {
          g_free (username);
          username = g_strdup (stored_username);
        }
      if (*username == '\0')
        return fail_plain ("error: username is required");
    }
  if (is_blank (password))
    {
      g_free (password);
      password = read_password ();
      if (*password == '\0')
        return fail_plain ("error: password is required");
    }

  if (!check_login (globals, &engine, server, username, password, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  if (!store_credentials (config, server, username, password, &error))
    return fail_plain (error->message);
  printf ("Login Succeeded\n");
  return 0;
}

/* ---- logout ---------------------------------------------------------------------------------- */

int
hatake_cli_logout (HatakeCliGlobals *globals,
                   int               argc,
                   char            **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[SERVER]",
    _("Log out from a registry.\nIf no server is specified, the default is defined by the daemon."),
    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(DockerConfig) config = NULL;
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) errors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree char *hostname = NULL;
  JsonObject *auths;
  gboolean changed = FALSE;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc > 2)
    {
      hatake_cli_usage_error (context, _("requires at most 1 argument"));
      return 1;
    }
  /* docker.io is Docker Hub here as for login (docker's logout would look for "docker.io"). */
  if (argc < 2 || *argv[1] == '\0' || g_str_equal (argv[1], "docker.io"))
    {
      hostname = g_strdup (DOCKER_HUB_SERVER);
      g_ptr_array_add (servers, g_strdup (DOCKER_HUB_SERVER));
    }
  else
    {
      /* and the spellings older clients kept it under */
      hostname = convert_to_hostname (argv[1]);
      g_ptr_array_add (servers, g_strdup (argv[1]));
      g_ptr_array_add (servers, g_strdup (hostname));
      g_ptr_array_add (servers, g_strconcat ("http://", hostname, NULL));
      g_ptr_array_add (servers, g_strconcat ("https://", hostname, NULL));
    }
  config = docker_config_load (&error);
  if (config == NULL)
    return fail_plain (error->message);
  auths = object_member (json_node_get_object (config->root), "auths");

  printf ("Removing login credentials for %s\n", hostname);
  for (guint i = 0; i < servers->len; i++)
    {
      const char *server = g_ptr_array_index (servers, i);
      const char *helper = docker_config_helper (config, server);
      g_autofree char *out = NULL;
      g_autoptr(GError) erase_error = NULL;

      if (helper != NULL && !helper_run (helper, "erase", "erasing", server, &out, &erase_error))
        {
          g_hash_table_replace (errors, (gpointer) server, g_strdup (erase_error->message));
          continue;
        }
      if (auths != NULL && json_object_has_member (auths, server))
        {
          json_object_remove_member (auths, server);
          changed = TRUE;
        }
    }
  if (changed && !docker_config_save (config, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  /* As docker: a warning only when no spelling could be erased (each one counted once). */
  if (g_hash_table_size (errors) == servers->len)
    {
      fprintf (stderr, "WARNING: could not erase credentials:\n");
      for (guint i = 0; i < servers->len; i++)
        fprintf (stderr, "%s: %s\n", (char *) g_ptr_array_index (servers, i),
                 (char *) g_hash_table_lookup (errors, g_ptr_array_index (servers, i)));
    }
  return 0;
}
