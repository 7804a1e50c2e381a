/* test-api-context.c: `hatake context` as docker's: hatake's own store and docker's, the current
 * context and --context taking commands to a served engine, and the order in which -H, --context,
 * HATAKE_HOST/DOCKER_HOST and HATAKE_CONTEXT/DOCKER_CONTEXT choose the engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

typedef struct
{
  Fixture  f;           /* first: fixture_set_up and fixture_tear_down take it */
  char    *home;        /* HOME and XDG_CONFIG_HOME ($home/xdg) of every command run here */
  char    *other_root;  /* a second, empty data root: the local engine of the "default" context */
} Test;

/* DATA non-NULL: with `hatake serve` on the fixture's data root; else its folders alone (the
 * context commands need no engine) */
static void
set_up (Test *t, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xdg = NULL;

  if (data != NULL)
    fixture_set_up (&t->f, data);
  else
    {
      t->f.root = hatake_test_make_data_root ();
      t->f.socket = g_strconcat (t->f.root, ".sock", NULL);
      t->f.docker_config = g_strconcat (t->f.root, ".docker", NULL);
      g_assert_cmpint (g_mkdir (t->f.docker_config, 0700), ==, 0);
    }
  t->home = g_dir_make_tmp ("hatake-context-XXXXXX", &error);
  g_assert_no_error (error);
  xdg = g_build_filename (t->home, "xdg", NULL);
  g_assert_cmpint (g_mkdir (xdg, 0700), ==, 0);
  t->other_root = hatake_test_make_data_root ();
}

static void
tear_down (Test *t, gconstpointer data)
{
  /* the local engine a test ran on the second root goes as the fixture's does */
  if (t->f.server != NULL)
    {
      const char *argv[] = { HATAKE_CLI, "--data-root", t->other_root, "system", "reset", "-f", NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                    NULL, NULL, NULL, NULL);
    }
  hatake_test_remove_tree (t->other_root);
  hatake_test_remove_tree (t->home);
  g_free (t->other_root);
  g_free (t->home);
  fixture_tear_down (&t->f, data);
}

/* Runs `hatake --data-root OTHER_ROOT ARGS…` with HOME, XDG_CONFIG_HOME and DOCKER_CONFIG in the
 * test's folders, no engine or context from the environment but those ENV sets ("NAME=VALUE",
 * NULL-terminated, or NULL); returns the exit status. */
static int
hatake (Test *t, const char * const *env_set, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *xdg = g_build_filename (t->home, "xdg", NULL);
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  int status;
  va_list args;

  env = g_environ_setenv (env, "HOME", t->home, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", xdg, TRUE);
  env = g_environ_setenv (env, "DOCKER_CONFIG", t->f.docker_config, TRUE);
  env = g_environ_unsetenv (env, "HATAKE_HOST");
  env = g_environ_unsetenv (env, "DOCKER_HOST");
  env = g_environ_unsetenv (env, "HATAKE_CONTEXT");
  env = g_environ_unsetenv (env, "DOCKER_CONTEXT");
  for (guint i = 0; env_set != NULL && env_set[i] != NULL; i++)
    {
      g_autofree char *name = g_strndup (env_set[i], strcspn (env_set[i], "="));

      env = g_environ_setenv (env, name, env_set[i] + strlen (name) + 1, TRUE);
    }
  g_ptr_array_add (argv, (char *) HATAKE_CLI);
  g_ptr_array_add (argv, (char *) "--data-root");
  g_ptr_array_add (argv, t->other_root);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, 0, NULL, NULL, &stdout_text, &stderr_text, &status,
                               &error));
  g_assert_no_error (error);
  {
    g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata + 3);

    g_test_message ("hatake %s\nstdout: %s\nstderr: %s", line, stdout_text, stderr_text);
  }
  if (out)
    *out = g_steal_pointer (&stdout_text);
  if (err)
    *err = g_steal_pointer (&stderr_text);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static char *
meta_dir (const char *store, const char *name)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);

  return g_build_filename (store, "meta", digest, NULL);
}

static char *
hatake_store (Test *t)
{
  return g_build_filename (t->home, "xdg", "hatake", "contexts", NULL);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* The rows of `context ls --format json`, one object a line, by name */
static GHashTable *
ls_rows (Test *t, const char * const *env_set)
{
  g_autoptr(GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_node_unref);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (hatake (t, env_set, &out, NULL, "context", "ls", "--format", "json", NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      JsonNode *row = parse (lines[i]);

      g_hash_table_replace (rows, g_strdup (json_object_get_string_member (json_node_get_object (row), "Name")), row);
    }
  return g_steal_pointer (&rows);
}

static JsonObject *
row (GHashTable *rows, const char *name)
{
  JsonNode *node = g_hash_table_lookup (rows, name);

  g_assert_nonnull (node);
  return json_node_get_object (node);
}

static char *
config_current (Test *t)
{
  g_autofree char *path = g_build_filename (t->home, "xdg", "hatake", "config.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) config = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  config = parse (text);
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (config), "currentContext", NULL));
}

/* create, ls, inspect, use, show and rm, as docker's, in hatake's store only */
static void
test_context_round_trip (Test *t, gconstpointer data)
{
  g_autofree char *host = g_strdup_printf ("unix://%s", t->f.socket);
  g_autofree char *store = hatake_store (t);
  g_autofree char *dir = meta_dir (store, "served");
  g_autofree char *meta_path = g_build_filename (dir, "meta.json", NULL);
  g_autofree char *docker_store = g_build_filename (t->f.docker_config, "contexts", NULL);
  g_autofree char *out = NULL, *err = NULL, *meta = NULL, *expected = NULL, *current = NULL;
  g_autofree char *local = g_strdup_printf ("The local engine (%s)", t->other_root);
  g_autoptr(GHashTable) rows = NULL;
  g_autoptr(JsonNode) inspected = NULL;
  JsonObject *context;

  /* only "default" at first: the local engine of the data root */
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "ls", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "default\n");
  g_clear_pointer (&out, g_free);
  rows = ls_rows (t, NULL);
  g_assert_cmpuint (g_hash_table_size (rows), ==, 1);
  g_assert_true (json_object_get_boolean_member (row (rows, "default"), "Current"));
  g_assert_cmpstr (json_object_get_string_member (row (rows, "default"), "Description"), ==, local);
  g_assert_cmpstr (json_object_get_string_member (row (rows, "default"), "DockerEndpoint"), ==, "");
  g_clear_pointer (&rows, g_hash_table_unref);

  /* create: the name on stdout, docker's words on stderr, docker's file */
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "create", "served", "--docker", host, "--description",
                           "The test engine", NULL), ==, 125);
  expected = g_strdup_printf ("hatake context create: invalid argument \"%s\" for \"--docker\" flag: %s must be "
                              "formatted as key=value\nSee 'hatake context create --help'.\n", host, host);
  g_assert_cmpstr (err, ==, expected);
  g_clear_pointer (&expected, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *spec = g_strconcat ("host=", host, NULL);

    g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "create", "served", "--docker", spec, "--description",
                             "The test engine", NULL), ==, 0);
  }
  g_assert_cmpstr (out, ==, "served\n");
  g_assert_cmpstr (err, ==, "Successfully created context \"served\"\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_get_contents (meta_path, &meta, NULL, NULL));
  expected = g_strdup_printf ("{\"Name\":\"served\",\"Metadata\":{\"Description\":\"The test engine\"},"
                              "\"Endpoints\":{\"docker\":{\"Host\":\"%s\",\"SkipTLSVerify\":false}}}", host);
  g_assert_cmpstr (meta, ==, expected);
  /* docker's store is never written */
  g_assert_false (g_file_test (docker_store, G_FILE_TEST_EXISTS));

  /* ls: docker's columns, default current */
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "ls", NULL), ==, 0);
  {
    g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
    int name = strlen ("default *   "), description = strlen (local) + 3;
    g_autofree char *header = g_strdup_printf ("%-*s%-*s%-*sERROR", name, "NAME", description, "DESCRIPTION",
                                               (int) strlen (host) + 3, "DOCKER ENDPOINT");
    g_autofree char *first = g_strdup_printf ("%-*s%-*s%-*s", name, "default *", description, local,
                                              (int) strlen (host) + 3, "");
    g_autofree char *second = g_strdup_printf ("%-*s%-*s%s   ", name, "served", description, "The test engine", host);

    g_assert_cmpuint (g_strv_length (lines), ==, 4);
    g_assert_cmpstr (lines[0], ==, header);
    g_assert_cmpstr (lines[1], ==, first);
    g_assert_cmpstr (lines[2], ==, second);
  }
  g_clear_pointer (&out, g_free);
  rows = ls_rows (t, NULL);
  context = row (rows, "served");
  g_assert_false (json_object_get_boolean_member (context, "Current"));
  g_assert_cmpstr (json_object_get_string_member (context, "Description"), ==, "The test engine");
  g_assert_cmpstr (json_object_get_string_member (context, "DockerEndpoint"), ==, host);
  g_assert_cmpstr (json_object_get_string_member (context, "Error"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (context, "Store"), ==, "hatake");
  g_clear_pointer (&rows, g_hash_table_unref);
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "ls", "--format", "{{.Name}}:{{.Current}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "default:true\nserved:false\n");
  g_clear_pointer (&out, g_free);

  /* inspect: docker's array */
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "inspect", "served", NULL), ==, 0);
  inspected = parse (out);
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (inspected)), ==, 1);
  context = json_array_get_object_element (json_node_get_array (inspected), 0);
  g_assert_cmpstr (json_object_get_string_member (context, "Name"), ==, "served");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (context, "Metadata"), "Description"),
                   ==, "The test engine");
  {
    JsonObject *endpoint = json_object_get_object_member (json_object_get_object_member (context, "Endpoints"), "docker");
    JsonObject *storage = json_object_get_object_member (context, "Storage");
    g_autofree char *tls = NULL;

    g_assert_cmpstr (json_object_get_string_member (endpoint, "Host"), ==, host);
    g_assert_false (json_object_get_boolean_member (endpoint, "SkipTLSVerify"));
    g_assert_cmpuint (json_object_get_size (json_object_get_object_member (context, "TLSMaterial")), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (storage, "MetadataPath"), ==, dir);
    tls = g_build_filename (store, "tls", strrchr (dir, '/') + 1, NULL);
    g_assert_cmpstr (json_object_get_string_member (storage, "TLSPath"), ==, tls);
  }
  g_clear_pointer (&inspected, json_node_unref);
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "inspect", "--format", "{{.Name}} {{.Storage.MetadataPath}}",
                           "served", "default", NULL), ==, 0);
  g_free (expected);
  expected = g_strdup_printf ("served %s\ndefault <IN MEMORY>\n", dir);
  g_assert_cmpstr (out, ==, expected);
  g_clear_pointer (&out, g_free);

  /* use and show */
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "use", "served", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "served\n");
  g_assert_cmpstr (err, ==, "Current context is now \"served\"\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  current = config_current (t);
  g_assert_cmpstr (current, ==, "served");
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "show", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "served\n");
  g_clear_pointer (&out, g_free);
  rows = ls_rows (t, NULL);
  g_assert_true (json_object_get_boolean_member (row (rows, "served"), "Current"));
  g_assert_false (json_object_get_boolean_member (row (rows, "default"), "Current"));
  g_clear_pointer (&rows, g_hash_table_unref);
  /* inspect without a name: the current one */
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "inspect", "-f", "{{.Name}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "served\n");
  g_clear_pointer (&out, g_free);

  /* rm: not the current one without -f; "default" never */
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "rm", "served", NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "context \"served\" is in use, set -f flag to force remove\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_test (meta_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "use", "default", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "default\n");
  g_assert_cmpstr (err, ==, "Current context is now \"default\"\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&current, g_free);
  current = config_current (t);
  g_assert_null (current);
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "rm", "served", "default", NULL), ==, 1);
  g_assert_cmpstr (out, ==, "served\n");
  g_assert_cmpstr (err, ==, "context \"default\" cannot be removed\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "ls", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "default\n");
  g_clear_pointer (&out, g_free);
  /* rm -f of the current one falls back to "default" */
  {
    g_autofree char *spec = g_strconcat ("host=", host, NULL);

    g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "create", "again", "--docker", spec, NULL), ==, 0);
  }
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "use", "again", NULL), ==, 0);
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "rm", "-f", "again", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "again\n");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&current, g_free);
  current = config_current (t);
  g_assert_null (current);
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "show", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "default\n");
  g_assert_false (g_file_test (docker_store, G_FILE_TEST_EXISTS));
}

/* What docker refuses, hatake refuses in docker's words and with its status; and hosts the client
 * cannot reach yet */
static void
test_context_refusals (Test *t, gconstpointer data)
{
  static const char * const unknown_context[] = { "HATAKE_CONTEXT=nope", NULL };
  g_autofree char *host = g_strdup_printf ("host=unix://%s", t->f.socket);
  g_autofree char *store = hatake_store (t);
  g_autofree char *nope = meta_dir (store, "nope");
  g_autofree char *not_found = g_strdup_printf ("context \"nope\": context not found: open %s/meta.json: no such file "
                                                "or directory\n", nope);
  g_autofree char *out = NULL, *err = NULL, *expected = NULL;
  g_autoptr(GHashTable) rows = NULL;

  /* an unknown context */
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "use", "nope", NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, not_found);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "inspect", "nope", NULL), ==, 1);
  g_assert_cmpstr (out, ==, "[]\n");
  g_assert_cmpstr (err, ==, not_found);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "context", "rm", "nope", NULL), ==, 1);
  g_assert_cmpstr (err, ==, "context \"nope\" does not exist\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "rm", "-f", "nope", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "nope\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "--context", "nope", "ps", NULL), ==, 1);
  expected = g_strconcat ("Error: unable to resolve docker endpoint: ", not_found, NULL);
  g_assert_cmpstr (err, ==, expected);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, unknown_context, NULL, &err, "images", NULL), ==, 1);
  g_assert_cmpstr (err, ==, expected);
  g_clear_pointer (&err, g_free);
  /* as docker: the current context that is not there is a row that says why */
  rows = ls_rows (t, unknown_context);
  g_assert_true (json_object_get_boolean_member (row (rows, "nope"), "Current"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (row (rows, "nope"), "Error"),
                                   "context \"nope\": context not found: open "));
  g_assert_cmpint (g_utf8_strlen (json_object_get_string_member (row (rows, "nope"), "Error"), -1), ==, 45);
  g_clear_pointer (&rows, g_hash_table_unref);

  /* a current context that is gone, and one whose file does not parse, go with rm -f and rm */
  {
    g_autofree char *config = g_build_filename (t->home, "xdg", "hatake", "config.json", NULL);
    g_autofree char *broken = meta_dir (store, "broken");
    g_autofree char *broken_meta = g_build_filename (broken, "meta.json", NULL);
    g_autofree char *current = NULL;

    g_assert_cmpint (g_mkdir_with_parents (broken, 0755), ==, 0);
    g_assert_true (g_file_set_contents (broken_meta, "{\"Name\":", -1, NULL));
    g_assert_true (g_file_set_contents (config, "{\"currentContext\": \"gone\", \"other\": 1}", -1, NULL));
    g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "show", NULL), ==, 0);
    g_assert_cmpstr (out, ==, "gone\n");
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "rm", "-f", "gone", "broken", NULL), ==, 0);
    g_assert_cmpstr (out, ==, "gone\nbroken\n");
    g_assert_cmpstr (err, ==, "");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_false (g_file_test (broken, G_FILE_TEST_EXISTS));
    current = config_current (t);
    g_assert_null (current);
    g_assert_true (g_file_get_contents (config, &out, NULL, NULL));
    g_assert_nonnull (strstr (out, "\"other\""));
    g_clear_pointer (&out, g_free);
  }

  /* names */
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "context", "create", "x", "--docker", host, NULL), ==, 1);
  g_assert_cmpstr (err, ==, "context name \"x\" is invalid, names are validated against regexp "
                            "\"^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$\"\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "context", "create", "default", "--docker", host, NULL), ==, 1);
  g_assert_cmpstr (err, ==, "\"default\" is a reserved context name\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "create", "served", "--docker", host, NULL), ==, 0);
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "create", "served", "--docker", host, NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "context \"served\" already exists\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "context", "create", "copy", "--from", "served", "--docker", host,
                           NULL), ==, 1);
  g_assert_cmpstr (err, ==, "cannot use --docker flag when --from is set\n");
  g_clear_pointer (&err, g_free);

  /* addresses that name no engine are refused, and nothing is stored */
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "create", "remote", "--docker", "host=ftp://192.0.2.1",
                           NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "ftp:// is not supported"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "context", "create", "remote", "--docker", "host=tcp://192.0.2.1:99999",
                           NULL), ==, 1);
  g_assert_nonnull (strstr (err, "the port is not a number"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "context", "create", "tunnel", "--docker", "host=ssh://-oProxyCommand=x",
                           NULL), ==, 1);
  g_assert_nonnull (strstr (err, "may not start with"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "context", "create", "remote", "--docker",
                           "host=tcp://192.0.2.1:2376,ca=/nonexistent/ca.pem", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "open /nonexistent/ca.pem: no such file or directory"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "inspect", "remote", NULL), ==, 1);
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "inspect", "tunnel", NULL), ==, 1);

  /* -H and --context exclude each other, as in docker */
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "-H", "unix:///nonexistent.sock", "--context", "served", "ps", NULL),
                   ==, 1);
  g_assert_cmpstr (err, ==, "conflicting options: cannot specify both --host and --context\n");
  g_clear_pointer (&err, g_free);
  /* a wrong count of arguments is status 1 */
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "use", NULL), ==, 1);
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "ls", "extra", NULL), ==, 1);
}

/* `hatake --context served ps` and the current context reach the served engine; the default
 * context, on another empty data root, does not; and -H, --context, the environment's host and
 * context and the current one take turns as in docker */
static void
test_context_served (Test *t, gconstpointer data)
{
  g_autofree char *reference = NULL, *out = NULL, *err = NULL;
  g_autofree char *socket = g_strdup_printf ("unix://%s", t->f.socket);
  g_autofree char *spec = g_strdup_printf ("host=%s", socket);
  g_autofree char *hatake_host = g_strdup_printf ("HATAKE_HOST=%s", socket);
  g_autofree char *docker_host = g_strdup_printf ("DOCKER_HOST=%s", socket);
  const char * const host_wins[] = { hatake_host, "HATAKE_CONTEXT=nope", NULL };
  const char * const docker_host_wins[] = { docker_host, "DOCKER_CONTEXT=nope", NULL };
  const char * const context_wins[] = { "HATAKE_HOST=unix:///nonexistent/hatake.sock", NULL };
  const char * const unreachable[] = { "DOCKER_HOST=unix:///nonexistent/hatake.sock", NULL };
  const char * const default_context[] = { "HATAKE_CONTEXT=default", NULL };
  const char * const docker_context[] = { "DOCKER_CONTEXT=served", NULL };

  if (!require ())
    return;
  reference = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (&t->f, NULL, NULL, "run", "-d", "--name", "in-context", reference, "sleep", "600", NULL),
                   ==, 0);
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "create", "served", "--docker", spec, NULL), ==, 0);

  /* the default context: the local engine, on its own empty data root */
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  /* --context: the served engine */
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "--context", "served", "ps", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-context\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hatake (t, docker_context, &out, NULL, "ps", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-context\n");
  g_clear_pointer (&out, g_free);
  /* the current context */
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "use", "served", NULL), ==, 0);
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "ps", "--format", "{{.Names}} {{.State}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-context running\n");
  g_clear_pointer (&out, g_free);
  /* and what a command changes there, the docker CLI sees */
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "stop", "-t", "0", "in-context", NULL), ==, 0);
  g_assert_cmpint (docker (&t->f, &out, NULL, "ps", "-a", "--format", "{{.Names}} {{.State}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-context exited\n");
  g_clear_pointer (&out, g_free);

  /* precedence: HATAKE_CONTEXT over the current one */
  g_assert_cmpint (hatake (t, default_context, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  /* the environment's host over the current one */
  g_assert_cmpint (hatake (t, unreachable, NULL, &err, "ps", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Cannot reach the engine at unix:///nonexistent/hatake.sock"));
  g_clear_pointer (&err, g_free);
  /* the environment's host over the environment's context */
  g_assert_cmpint (hatake (t, host_wins, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-context\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hatake (t, docker_host_wins, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-context\n");
  g_clear_pointer (&out, g_free);
  /* --context over the environment's host (whose warning ls gives) */
  g_assert_cmpint (hatake (t, context_wins, &out, NULL, "--context", "served", "ps", "-a", "--format", "{{.Names}}",
                           NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-context\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hatake (t, context_wins, NULL, &err, "context", "ls", "-q", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "Warning: HATAKE_HOST environment variable overrides the active context. To use a "
                            "context, either set the global --context flag, or unset HATAKE_HOST environment "
                            "variable.\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hatake (t, context_wins, &out, NULL, "context", "show", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "default\n");
  g_clear_pointer (&out, g_free);
  /* -H over the context the environment names, and over the current one */
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "use", "default", NULL), ==, 0);
  {
    const char * const unknown[] = { "HATAKE_CONTEXT=nope", NULL };

    g_assert_cmpint (hatake (t, unknown, &out, NULL, "-H", socket, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
    g_assert_cmpstr (out, ==, "in-context\n");
    g_clear_pointer (&out, g_free);
  }
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "use", "served", NULL), ==, 0);
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "-H", "unix:///nonexistent/hatake.sock", "ps", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Cannot reach the engine at unix:///nonexistent/hatake.sock"));
  g_clear_pointer (&err, g_free);

  /* what must stay local stays local, whatever the context: system reset empties the second data
   * root, not the served engine */
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "system", "reset", "-f", NULL), ==, 0);
  g_assert_cmpint (docker (&t->f, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-context\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-context\n");
}

/* A context the docker CLI created is listed (as docker's) and used by name, and never changed */
static void
test_context_docker_created (Test *t, gconstpointer data)
{
  g_autofree char *reference = NULL, *out = NULL, *err = NULL, *docker_config = NULL, *before = NULL;
  g_autofree char *after = NULL, *expected = NULL;
  g_autofree char *spec = g_strdup_printf ("host=unix://%s", t->f.socket);
  g_autofree char *docker_store = g_build_filename (t->f.docker_config, "contexts", NULL);
  g_autofree char *dir = meta_dir (docker_store, "from-docker");
  g_autofree char *meta_path = g_build_filename (dir, "meta.json", NULL);
  g_autoptr(GHashTable) rows = NULL;
  g_autoptr(JsonNode) inspected = NULL;
  JsonObject *context;

  if (!require ())
    return;
  reference = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (&t->f, NULL, NULL, "create", "--name", "made-by-docker", reference, "true", NULL), ==, 0);
  g_assert_cmpint (docker (&t->f, NULL, NULL, "context", "create", "from-docker", "--docker", spec, "--description",
                           "docker's own", NULL), ==, 0);
  g_assert_true (g_file_test (meta_path, G_FILE_TEST_EXISTS));
  docker_config = g_build_filename (t->f.docker_config, "config.json", NULL);
  g_assert_true (g_file_get_contents (docker_config, &before, NULL, NULL));

  rows = ls_rows (t, NULL);
  context = row (rows, "from-docker");
  g_assert_cmpstr (json_object_get_string_member (context, "Store"), ==, "docker");
  g_assert_cmpstr (json_object_get_string_member (context, "Description"), ==, "docker's own");
  g_assert_cmpstr (json_object_get_string_member (context, "DockerEndpoint"), ==, spec + strlen ("host="));
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "ls", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "(docker) docker's own"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "inspect", "from-docker", NULL), ==, 0);
  inspected = parse (out);
  g_clear_pointer (&out, g_free);
  context = json_array_get_object_element (json_node_get_array (inspected), 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (context, "Storage"), "MetadataPath"),
                   ==, dir);

  g_assert_cmpint (hatake (t, NULL, &out, NULL, "--context", "from-docker", "ps", "-a", "--format", "{{.Names}}",
                           NULL), ==, 0);
  g_assert_cmpstr (out, ==, "made-by-docker\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "use", "from-docker", NULL), ==, 0);
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "made-by-docker\n");
  g_clear_pointer (&out, g_free);

  /* hatake's current context is hatake's: docker's config is as docker left it */
  g_assert_true (g_file_get_contents (docker_config, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (docker (&t->f, &out, NULL, "context", "show", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "default\n");
  g_clear_pointer (&out, g_free);
  /* and its store is docker's to change */
  g_assert_cmpint (hatake (t, NULL, &out, &err, "context", "rm", "-f", "from-docker", NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "docker context rm from-docker"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_test (meta_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (hatake (t, NULL, NULL, &err, "context", "create", "from-docker", "--docker", spec, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already exists"));
  g_clear_pointer (&err, g_free);
  /* a context of hatake's copied from it */
  g_assert_cmpint (hatake (t, NULL, NULL, NULL, "context", "create", "copied", "--from", "from-docker", NULL), ==, 0);
  g_assert_cmpint (hatake (t, NULL, &out, NULL, "context", "inspect", "-f", "{{.Metadata.Description}} "
                           "{{.Endpoints.docker.Host}}", "copied", NULL), ==, 0);
  expected = g_strdup_printf ("docker's own %s\n", spec + strlen ("host="));
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpint (docker (&t->f, NULL, NULL, "context", "inspect", "from-docker", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/context/round-trip", Test, NULL, set_up, test_context_round_trip, tear_down);
  g_test_add ("/context/refusals", Test, NULL, set_up, test_context_refusals, tear_down);
  g_test_add ("/context/served", Test, "served", set_up, test_context_served, tear_down);
  g_test_add ("/context/docker-created", Test, "served", set_up, test_context_docker_created, tear_down);
  return g_test_run ();
}
