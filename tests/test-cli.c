/* test-cli.c: the `hatake` command line as users and scripts meet it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixsocketaddress.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "hatake-test-utils.h"

typedef struct
{
  char *root;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->root = hatake_test_make_data_root ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  hatake_test_remove_tree (f->root);
  g_free (f->root);
}

/* Runs `hatake --data-root ROOT ARGS…`; returns the exit status. */
/* hatake --data-root ROOT ARGS… (up to a NULL) */
static GPtrArray *
cli_argv (Fixture *f, va_list args)
{
  GPtrArray *argv = g_ptr_array_new ();
  const char *arg;

  g_ptr_array_add (argv, (char *) HATAKE_CLI);
  g_ptr_array_add (argv, (char *) "--data-root");
  g_ptr_array_add (argv, f->root);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);
  return argv;
}

static int
run (Fixture *f, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  int status;
  va_list args;

  va_start (args, err);
  argv = cli_argv (f, args);
  va_end (args);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &stdout_text, &stderr_text, &status, &error));
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", stdout_text, stderr_text);
  if (out)
    *out = g_steal_pointer (&stdout_text);
  if (err)
    *err = g_steal_pointer (&stderr_text);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

/* Whether `hatake --data-root ROOT ARGS…` loaded libsoup (the dynamic linker's own account of
 * the libraries it loads, LD_DEBUG=files); asserts that the command succeeded */
static gboolean
loads_libsoup (Fixture *f, ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "LD_DEBUG", "files", TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status;
  va_list args;

  va_start (args, f);
  argv = cli_argv (f, args);
  va_end (args);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* (what it loaded at start, and what it opened later) */
  g_assert_nonnull (strstr (err, "file=libglib-2.0.so.0"));
  return strstr (err, "file=libsoup-3.0.so.0") != NULL;
}

/* libsoup and its 15 libraries are loaded by what speaks HTTP (a pull, hatake serve, a client of
 * another engine), not at every command's start (hatake-soup.h) */
static void
test_cli_libsoup_on_demand (Fixture *f, gconstpointer data)
{
  g_autofree char *ref = NULL;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  ref = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_false (loads_libsoup (f, "images", NULL));
  g_assert_true (loads_libsoup (f, "pull", "-q", ref, NULL));
  g_assert_false (loads_libsoup (f, "run", "--rm", "--network", "none", ref, "true", NULL));
  g_assert_false (loads_libsoup (f, "ps", "-a", NULL));
}

static void
test_cli_images_lifecycle (Fixture *f, gconstpointer data)
{
  g_autofree char *ref = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *short_id = NULL;
  g_autofree char *expected_row = NULL;
  g_autoptr(JsonNode) inspect = NULL;
  JsonObject *fx, *image;
  const char *id;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  fx = hatake_test_fixture ("hatake/busybox:latest");
  id = json_object_get_string_member (fx, "config_digest");
  short_id = g_strndup (id + 7, 12);
  ref = hatake_test_registry_ref ("hatake/busybox:latest");

  /* pull: docker's closing lines, and -q prints only the reference */
  g_assert_cmpint (run (f, &out, NULL, "pull", ref, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "latest: Pulling from hatake/busybox"));
  g_assert_nonnull (strstr (out, "Digest: "));
  g_assert_nonnull (strstr (out, json_object_get_string_member (fx, "manifest_digest")));
  g_assert_nonnull (strstr (out, "Status: Downloaded newer image for"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "pull", ref, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Status: Image is up to date for"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "image", "pull", "-q", ref, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, ref));
  g_clear_pointer (&out, g_free);

  /* images: the table, -q, --format json and a template */
  g_assert_cmpint (run (f, &out, NULL, "images", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "REPOSITORY"));
  g_assert_nonnull (strstr (out, short_id));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "images", "-q", NULL), ==, 0);
  expected_row = g_strconcat (short_id, "\n", NULL);
  g_assert_cmpstr (out, ==, expected_row);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "image", "ls", "--format", "json", NULL), ==, 0);
  {
    g_autoptr(JsonNode) row = parse_json (out);
    JsonObject *o = json_node_get_object (row);
    g_autofree char *repo = g_strconcat (g_getenv ("HATAKE_TEST_REGISTRY"), "/hatake/busybox", NULL);
    g_assert_cmpstr (json_object_get_string_member (o, "Repository"), ==, repo);
    g_assert_cmpstr (json_object_get_string_member (o, "Tag"), ==, "latest");
    g_assert_cmpstr (json_object_get_string_member (o, "ID"), ==, short_id);
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "images", "--format", "{{.Tag}}|{{.ID}}", NULL), ==, 0);
  g_clear_pointer (&expected_row, g_free);
  expected_row = g_strconcat ("latest|", short_id, "\n", NULL);
  g_assert_cmpstr (out, ==, expected_row);
  g_clear_pointer (&out, g_free);

  /* tag, then filter by reference */
  g_assert_cmpint (run (f, NULL, NULL, "tag", ref, "mybox:1", NULL), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "images", "--format", "{{.Repository}}:{{.Tag}}", "mybox", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "mybox:1\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "images", "-f", "dangling=true", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  /* inspect: docker's shape */
  g_assert_cmpint (run (f, &out, NULL, "image", "inspect", "mybox:1", NULL), ==, 0);
  inspect = parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (inspect));
  image = json_array_get_object_element (json_node_get_array (inspect), 0);
  g_assert_cmpstr (json_object_get_string_member (image, "Id"), ==, id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (image, "RepoTags")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (image, "Os"), ==, "linux");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (
                     json_object_get_object_member (image, "RootFS"), "Layers"), 0), ==,
                   json_array_get_string_element (json_object_get_array_member (fx, "diff_ids"), 0));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "image", "inspect", "-f", "{{.Id}} {{.Config.Cmd}}", "mybox:1", NULL), ==, 0);
  g_clear_pointer (&expected_row, g_free);
  expected_row = g_strconcat (id, " [sh]\n", NULL);
  g_assert_cmpstr (out, ==, expected_row);
  g_clear_pointer (&out, g_free);

  /* system df */
  g_assert_cmpint (run (f, &out, NULL, "system", "df", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Images          1"));
  g_clear_pointer (&out, g_free);

  /* rmi: by ID with two tags needs -f; by tag untags; the last tag deletes */
  g_assert_cmpint (run (f, NULL, &err, "rmi", short_id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "must be forced"));
  g_clear_pointer (&err, g_free);
  /* by digest while tags remain: the digest reference alone goes (docker's rmi repo@sha256:…) */
  {
    JsonArray *digests = json_object_get_array_member (image, "RepoDigests");
    g_autofree char *digest_ref = NULL;
    g_autofree char *expected = NULL;

    g_assert_cmpuint (json_array_get_length (digests), ==, 1);
    digest_ref = g_strdup (json_array_get_string_element (digests, 0));
    expected = g_strconcat ("Untagged: ", digest_ref, "\n", NULL);
    g_assert_cmpint (run (f, &out, NULL, "rmi", digest_ref, NULL), ==, 0);
    g_assert_cmpstr (out, ==, expected);
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run (f, &out, NULL, "image", "inspect", "-f", "{{.Id}} {{len .RepoTags}} {{len .RepoDigests}}",
                          "mybox:1", NULL), ==, 0);
    g_clear_pointer (&expected, g_free);
    expected = g_strconcat (id, " 2 0\n", NULL);
    g_assert_cmpstr (out, ==, expected);
    g_clear_pointer (&out, g_free);
  }
  g_assert_cmpint (run (f, &out, NULL, "rmi", "mybox:1", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Untagged: mybox:1\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "rmi", ref, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Untagged: "));
  g_assert_nonnull (strstr (out, id));
  g_assert_nonnull (strstr (out, "Deleted: "));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "images", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  /* nothing is left behind in the store */
  {
    g_autofree char *snapshot = hatake_test_snapshot_store (f->root);
    g_assert_cmpstr (snapshot, ==, "{\"images\":[]}");
  }
}

static void
test_cli_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (run (f, NULL, &err, "pull", "Bad//Ref", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "invalid reference format"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "image", "inspect", "nosuchimage", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "No such image: nosuchimage"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "rmi", "nosuchimage", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "No such image"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "tag", "nosuchimage", "x:1", NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "frobnicate", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "is not a hatake command"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "pull", NULL), ==, 125);
  g_assert_nonnull (strstr (err, "requires exactly 1 argument"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "images", "--filter", "colour=blue", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "invalid filter"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, &out, NULL, "--version", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "hatake version "));
  /* run's and create's -h is --hostname, as docker's; --help still helps */
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run (f, &out, NULL, i == 0 ? "run" : "create", "--help", NULL), ==, 0);
      g_assert_nonnull (strstr (out, "IMAGE [COMMAND] [ARG...]"));
      g_assert_nonnull (strstr (out, "--hostname"));
    }
}

/* A store written by a newer hatake is refused, naming the version it needs. */
static void
test_cli_newer_store (Fixture *f, gconstpointer data)
{
  g_autofree char *version = g_build_filename (f->root, "VERSION", NULL);
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (version, "7\n", -1, NULL));
  g_assert_cmpint (run (f, NULL, &err, "images", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "version 7"));
}

/* A bad value in hatake.conf stops the command with the file, key and value named. */
static void
test_cli_bad_config (Fixture *f, gconstpointer data)
{
  g_autofree char *conf = g_build_filename (f->root, "bad.conf", NULL);
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (conf, "[registries]\nmax-concurrent-downloads=lots\n", -1, NULL));
  g_setenv ("HATAKE_CONFIG", conf, TRUE);
  g_assert_cmpint (run (f, NULL, &err, "images", NULL), ==, 1);
  g_unsetenv ("HATAKE_CONFIG");
  g_assert_nonnull (strstr (err, conf));
  g_assert_nonnull (strstr (err, "max-concurrent-downloads=lots"));
}

static char *
trimmed (char *text)
{
  return g_strstrip (text);
}

/* The command line's container lifecycle, and what happens while no engine runs: a container
 * started by a one-shot `hatake run -d` keeps running after the command is gone, its exit is
 * recorded by conmon's exit command, and --rm applies without any engine. */
static void
test_cli_containers (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  g_autofree char *status = NULL;
  gint64 deadline;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");

  /* run pulls what is missing (progress on stderr), prints the output, exits with its code */
  g_assert_cmpint (run (f, &out, &err, "run", "--name", "hello", image, "sh", "-c", "echo hi; exit 5", NULL), ==, 5);
  g_assert_cmpstr (out, ==, "hi\n");
  g_assert_nonnull (strstr (err, "Unable to find image"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* ps hides exited containers unless -a; the status is docker's */
  g_assert_cmpint (run (f, &out, NULL, "ps", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "ps", "-a", "--format", "{{.Names}} {{.State}} {{.Status}}", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "hello exited Exited (5) "));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "logs", "hello", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "hi\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "inspect", "-f", "{{.State.ExitCode}} {{.Name}}", "hello", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "5 /hello\n");
  g_clear_pointer (&out, g_free);

  /* rename, then remove */
  g_assert_cmpint (run (f, NULL, NULL, "rename", "hello", "bye", NULL), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "rm", "bye", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "bye\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, NULL, &err, "rm", "bye", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "No such container: bye"));
  g_clear_pointer (&err, g_free);

  /* a detached container outlives the command that started it. It exits (4) when the test
   * says so, a file in its volume (a fixed sleep ran out before the checks did under ASan) */
  g_assert_cmpint (run (f, &out, NULL, "run", "-d", "--name", "sleeper", "-l", "tier=back", "-l", "team=core",
                        "-v", "clivol:/data", "-p", "127.0.0.1::80", "-p", "127.0.0.1::80", image, "sh", "-c",
                        "until [ -e /data/done ]; do sleep 0.1; done; exit 4", NULL), ==, 0);
  id = g_strdup (trimmed (out));
  g_assert_cmpuint (strlen (id), ==, 64);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "ps", "--format", "{{.Names}} {{.State}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "sleeper running\n");
  g_clear_pointer (&out, g_free);
  /* what docker's ps shows of its ports (one port published twice: both), networks and volumes */
  g_assert_cmpint (run (f, &out, NULL, "ps", "--format", "{{.Ports}}|{{.Networks}}|{{.Mounts}}|{{.LocalVolumes}}", NULL),
                   ==, 0);
  {
    g_autoptr(GRegex) shape = g_regex_new ("^127\\.0\\.0\\.1:[0-9]+->80/tcp, 127\\.0\\.0\\.1:[0-9]+->80/tcp\\|bridge\\|clivol\\|1\n$", 0, 0, NULL);

    g_assert_true (g_regex_match (shape, out, 0, NULL));
  }
  g_clear_pointer (&out, g_free);
  /* system df counts it (running: active) and its volume (mounted: active) */
  g_assert_cmpint (run (f, &out, NULL, "system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Images 1 1\nContainers 1 1\nLocal Volumes 1 1\nBuild Cache 0 0\n");
  g_clear_pointer (&out, g_free);
  /* docker's label filters (KEY, KEY=VALUE) and its Labels column */
  g_assert_cmpint (run (f, &out, NULL, "ps", "--format", "{{.Names}}", "-f", "label=tier", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "sleeper\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "ps", "--format", "{{.Names}}", "-f", "label=tier=back", "-f", "label=team=core",
                        NULL), ==, 0);
  g_assert_cmpstr (out, ==, "sleeper\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "ps", "-q", "-f", "label=tier=front", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "ps", "-q", "-f", "label=tie", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "ps", "--format", "{{.Labels}}", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "tier=back"));
  g_assert_nonnull (strstr (out, "team=core"));
  g_clear_pointer (&out, g_free);

  /* it exits while no engine runs: conmon's exit command records it */
  {
    g_autofree char *done = g_build_filename (f->root, "volumes", "clivol", "_data", "done", NULL);

    g_assert_true (g_file_set_contents (done, "", 0, NULL));
  }
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  do
    {
      g_usleep (300 * 1000);
      g_clear_pointer (&status, g_free);
      g_assert_cmpint (run (f, &status, NULL, "ps", "-a", "--format", "{{.State}} {{.Status}}", "-f", "name=sleeper", NULL), ==, 0);
    }
  while (!g_str_has_prefix (status, "exited") && g_get_monotonic_time () < deadline);
  g_assert_true (g_str_has_prefix (status, "exited Exited (4)"));
  g_assert_cmpint (run (f, &out, NULL, "wait", "sleeper", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "4\n");
  g_clear_pointer (&out, g_free);

  /* run --rm in the foreground, and with -i (stdin /dev/null): every line of a container that
   * prints and is gone at once (its output used to be lost now and then: followed, or attached,
   * only once the start had answered; -i mostly failed with "cannot attach to a stopped
   * container") */
  for (guint i = 0; i < 6; i++)
    {
      if (i % 2 == 0)
        g_assert_cmpint (run (f, &out, NULL, "run", "--rm", "--network", "none", image, "sh", "-c",
                              "echo one; echo two", NULL), ==, 0);
      else
        g_assert_cmpint (run (f, &out, NULL, "run", "--rm", "-i", "--network", "none", image, "sh", "-c",
                              "echo one; echo two", NULL), ==, 0);
      g_assert_cmpstr (out, ==, "one\ntwo\n");
      g_clear_pointer (&out, g_free);
    }
  /* their files and their runtime's state: the command need not delete the files before it
   * exits, and leaves the runtime's delete (saved in runtime-deletes/); conmon's exit command
   * does both once the command is gone (no command here meanwhile: each start cleans tmp/ and
   * runs the deletes left too) */
  {
    g_autofree char *tmp = g_build_filename (f->root, "tmp", NULL);
    g_autofree char *deletes = g_build_filename (f->root, "runtime-deletes", NULL);
    g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, f->root, -1);
    g_autofree char *state_root = g_strdup_printf ("/run/hatake/%.12s/runtime", hash);
    g_autofree char *ids = NULL;
    gboolean left;

    deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    do
      {
        g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
        const char *name;

        g_assert_nonnull (dir);
        left = FALSE;
        while ((name = g_dir_read_name (dir)) != NULL)
          left |= g_str_has_prefix (name, "removed-");
        if (left)
          g_usleep (50 * 1000);
      }
    while (left && g_get_monotonic_time () < deadline);
    g_assert_false (left);

    g_assert_cmpint (run (f, &ids, NULL, "ps", "-a", "-q", "--no-trunc", NULL), ==, 0);
    do
      {
        g_autoptr(GDir) dir = g_dir_open (deletes, 0, NULL);
        g_autoptr(GDir) states = g_dir_open (state_root, 0, NULL);
        const char *name;

        left = FALSE;
        while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
          left = TRUE;
        /* (only containers that are still there have one) */
        while (states != NULL && (name = g_dir_read_name (states)) != NULL)
          left |= strstr (ids, name) == NULL;
        if (left)
          g_usleep (50 * 1000);
      }
    while (left && g_get_monotonic_time () < deadline);
    g_assert_false (left);
  }
  /* a delete left unrun (conmon's exit command killed): the next command's engine runs it */
  {
    g_autofree char *dir = g_dir_make_tmp ("hatake-cli-XXXXXX", NULL);
    g_autofree char *script = g_build_filename (dir, "fake-runtime", NULL);
    g_autofree char *called = g_build_filename (dir, "called", NULL);
    g_autofree char *text = g_strdup_printf ("#!/bin/sh\necho \"$*\" > '%s'\n", called);
    g_autofree char *saved = g_build_filename (f->root, "runtime-deletes", "0123abcd", NULL);
    g_autoptr(GString) marker = g_string_new (NULL);
    g_autofree char *args = NULL;

    g_assert_true (g_file_set_contents (script, text, -1, NULL));
    g_assert_cmpint (g_chmod (script, 0755), ==, 0);
    g_string_append_c (marker, '\0');
    g_string_append_len (marker, script, strlen (script) + 1);
    g_string_append_len (marker, "--root=/x", sizeof "--root=/x");
    g_assert_true (g_file_set_contents (saved, marker->str, marker->len, NULL));
    g_assert_cmpint (run (f, &out, NULL, "ps", "-a", NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_assert_true (g_file_get_contents (called, &args, NULL, NULL));
    g_assert_cmpstr (args, ==, "--root=/x delete 0123abcd\n");
    g_assert_false (g_file_test (saved, G_FILE_TEST_EXISTS));
    hatake_test_remove_tree (dir);
  }

  /* --rm applies without an engine: the exit command removes it */
  g_assert_cmpint (run (f, &out, NULL, "run", "-d", "--rm", "--name", "gone", image, "sleep", "1", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  do
    {
      g_usleep (300 * 1000);
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run (f, &out, NULL, "ps", "-a", "-q", "-f", "name=gone", NULL), ==, 0);
    }
  while (*out != '\0' && g_get_monotonic_time () < deadline);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  /* stop (busybox sleep ignores SIGTERM: killed after -t), kill, errors */
  g_assert_cmpint (run (f, NULL, NULL, "run", "-d", "--name", "longer", image, "sleep", "300", NULL), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "stop", "-t", "1", "longer", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "longer\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "longer", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "exited 137\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, NULL, &err, "kill", "longer", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "is not running"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, NULL, "rm", "-f", "longer", "sleeper", NULL), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "ps", "-a", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
}

/* Starts a foreground `hatake run RUN_ARGS… IMAGE CMD…` (the image pulled first), waits until
 * its container runs (as seen from the state file), then SIGKILLs the command. */
static void
run_then_kill (Fixture *f, const char *const *run_args, const char *const *cmd)
{
  g_autofree char *image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  int status;
  GPid pid;

  g_assert_cmpint (run (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_ptr_array_add (argv, (char *) HATAKE_CLI);
  g_ptr_array_add (argv, (char *) "--data-root");
  g_ptr_array_add (argv, f->root);
  g_ptr_array_add (argv, (char *) "run");
  for (guint i = 0; run_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) run_args[i]);
  g_ptr_array_add (argv, image);
  for (guint i = 0; cmd[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) cmd[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_async (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  for (;;)
    {
      g_autofree char *found = NULL;
      g_autofree char *grep = g_strdup_printf ("sh -c 'grep -l \"\\\"Status\\\":\\\"running\\\"\" %s/containers/*/state.json'",
                                               f->root);
      g_spawn_command_line_sync (grep, &found, NULL, NULL, NULL);
      if (found && *found)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
}

/* SIGKILL the engine while a container runs (a foreground `hatake run`): the container keeps
 * running, and the next command sees it so. */
static void
test_cli_engine_killed (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  run_then_kill (f, (const char *[]) { "--name", "survivor", NULL }, (const char *[]) { "sleep", "300", NULL });

  g_assert_cmpint (run (f, &out, NULL, "ps", "--format", "{{.Names}} {{.State}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "survivor running\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, NULL, NULL, "rm", "-f", "survivor", NULL), ==, 0);
}

/* A foreground `hatake run --rm` sees the exit itself; killed before the exit, conmon's exit
 * command does the --rm, with no other command run meanwhile. */
static void
test_cli_engine_killed_rm (Fixture *f, gconstpointer data)
{
  g_autofree char *containers = NULL;
  gboolean empty = FALSE;
  gint64 deadline;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  run_then_kill (f, (const char *[]) { "--rm", "--network", "none", NULL }, (const char *[]) { "sleep", "2", NULL });

  containers = g_build_filename (f->root, "containers", NULL);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!empty && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GDir) dir = g_dir_open (containers, 0, NULL);

      empty = dir != NULL && g_dir_read_name (dir) == NULL;
      if (!empty)
        g_usleep (200 * 1000);
    }
  g_assert_true (empty);
}

/* run -i takes stdin from a pipe; run -it gives a terminal (through tmux, as a person would),
 * with the window size followed, and exits with the container's code. */
static gint
compare_lines (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* volume ls and network ls --filter, as docker's lists filter: -f was ignored by volume ls, and
 * network ls had none */
static void
test_cli_list_filters (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  static const struct { const char *filter; const char *volumes; } cases[] = {
    { "name=team", "team-vol\n" },
    { "label=team=a", "team-vol\n" },
    { "label=team", "team-vol\n" },
    { "dangling=true", "team-vol\n" },
    { "dangling=false", "used-vol\n" },
    { "driver=local", "team-vol\nused-vol\n" },
    { "driver=other", "" },
  };

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (run (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "volume", "create", "--label", "team=a", "team-vol", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "volume", "create", "used-vol", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "create", "--name", "user", "--network", "none", "-v", "used-vol:/data",
                        image, "true", NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      g_autoptr(GString) sorted = g_string_new (NULL);
      g_auto(GStrv) lines = NULL;

      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run (f, &out, NULL, "volume", "ls", "-q", "--filter", cases[i].filter, NULL), ==, 0);
      g_test_message ("volume ls -f %s: %s", cases[i].filter, out);
      lines = g_strsplit (out, "\n", -1);
      for (guint k = 0; lines[k] != NULL; k++)
        if (*lines[k] != '\0')
          g_ptr_array_add (names, lines[k]);
      g_ptr_array_sort (names, compare_lines);
      for (guint k = 0; k < names->len; k++)
        g_string_append_printf (sorted, "%s\n", (const char *) g_ptr_array_index (names, k));
      g_assert_cmpstr (sorted->str, ==, cases[i].volumes);
    }
  g_assert_cmpint (run (f, NULL, &err, "volume", "ls", "--filter", "bogus=1", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "invalid filter 'bogus'"));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "network", "ls", "-q", "--filter", "type=builtin", NULL), ==, 0);
  g_assert_cmpint (strlen (out), ==, 3 * 13);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "network", "ls", "--format", "{{.Name}}", "--filter", "name=hos", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "host\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "network", "ls", "-q", "--filter", "type=custom", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "network", "ls", "-f", "scope", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "bad format of filter"));
  g_assert_cmpint (run (f, NULL, NULL, "rm", "user", NULL), ==, 0);
}

/* start -a and -ai: attached from before the start, this run's output only (the log keeps the
 * run before), the container's exit code as the command's; -a was accepted and ignored before */
static void
test_cli_start_attach (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (run (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);

  g_assert_cmpint (run (f, &out, NULL, "run", "--name", "attached", "--network", "none", image, "sh", "-c",
                        "echo out-$((1+1)); echo err-3 >&2; exit 5", NULL), ==, 5);
  g_assert_cmpstr (out, ==, "out-2\n");
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run (f, &out, &err, "start", "-a", "attached", NULL), ==, 5);
      g_assert_cmpstr (out, ==, "out-2\n");
      g_assert_nonnull (strstr (err, "err-3"));
    }
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "start", "-a", "attached", "attached", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "cannot start and attach multiple containers"));
  /* a stopped container is attached by start -a only: attach says so, as docker's CLI */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "attach", "attached", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "cannot attach to a stopped container"));

  /* -ai: its stdin too, from created and from exited */
  g_assert_cmpint (run (f, NULL, NULL, "create", "-i", "--name", "fed", "--network", "none", image, "sh", "-c",
                        "read line; echo got-$line", NULL), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *input = g_strdup_printf ("line%u\n", i);
      g_autofree char *expected = g_strdup_printf ("got-line%u\n", i);

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                  HATAKE_CLI, "--data-root", f->root, "start", "-ai", "fed", NULL);
      g_assert_no_error (error);
      g_clear_pointer (&out, g_free);
      g_assert_true (g_subprocess_communicate_utf8 (process, input, NULL, &out, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, expected);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
    }
  g_assert_cmpint (run (f, NULL, NULL, "rm", "attached", "fed", NULL), ==, 0);
}

static void
test_cli_interactive (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *root_arg = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *command = NULL;
  g_autofree char *screen = NULL;
  g_autofree char *status_file = NULL;
  g_autofree char *status = NULL;
  /* a tmux server of our own: another test run on this machine has its own */
  g_autofree char *socket_name = g_strdup_printf ("hatake-test-%d", (int) getpid ());
  gint64 deadline;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (run (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              HATAKE_CLI, "--data-root", f->root, "run", "-i", "--rm", image, "sh", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, "echo piped-$((2+3)); exit 4\n", NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "piped-5\n");
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 4);

  g_autofree char *tmux = g_find_program_in_path ("tmux");

  if (tmux == NULL)
    {
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        g_error ("tmux is missing: build-aux/install-deps.sh test installs it");
      g_test_skip ("tmux is not installed");
      return;
    }
  status_file = g_build_filename (f->root, "exit-status", NULL);
  command = g_strdup_printf ("%s --data-root %s run -it --rm %s sh; echo $? > %s; sleep 60",
                             HATAKE_CLI, f->root, image, status_file);
  {
    const char *argv[] = { "tmux", "-L", socket_name, "new-session", "-d", "-s", "it", "-x", "100", "-y", "30",
                           command, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
#define TMUX(...) do { const char *a[] = { "tmux", "-L", socket_name, __VA_ARGS__, NULL }; \
    g_assert_true (g_spawn_sync (NULL, (char **) a, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL)); } while (0)
  /* wait for the shell to be there */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  do
    {
      const char *argv[] = { "tmux", "-L", socket_name, "capture-pane", "-t", "it", "-p", NULL };
      g_clear_pointer (&screen, g_free);
      g_usleep (100 * 1000);
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &screen, NULL, NULL, NULL);
    }
  while ((screen == NULL || strstr (screen, "built-in shell") == NULL) && g_get_monotonic_time () < deadline);
  g_test_message ("screen: %s", screen ? screen : "(none)");
  g_assert_nonnull (strstr (screen, "built-in shell"));
  TMUX ("send-keys", "-t", "it", "echo hello-$((1+2)); stty size; exit 3", "Enter");
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!g_file_get_contents (status_file, &status, NULL, NULL) && g_get_monotonic_time () < deadline)
    g_usleep (100 * 1000);
  {
    const char *argv[] = { "tmux", "-L", socket_name, "capture-pane", "-t", "it", "-p", NULL };
    g_clear_pointer (&screen, g_free);
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &screen, NULL, NULL, NULL);
  }
  TMUX ("kill-server");
#undef TMUX
  g_test_message ("%s", screen);
  g_assert_cmpstr (status, ==, "3\n");
  g_assert_nonnull (strstr (screen, "hello-3"));
  /* the container's terminal has the size of ours */
  g_assert_nonnull (strstr (screen, "30 100"));

  /* exec -it gets a terminal of its own in a running container */
  g_assert_cmpint (run (f, NULL, NULL, "run", "-q", "-d", "--name", "tty-box", image, "sleep", "300", NULL), ==, 0);
  g_clear_pointer (&command, g_free);
  g_clear_pointer (&status, g_free);
  g_unlink (status_file);
  command = g_strdup_printf ("%s --data-root %s exec -it tty-box sh; echo $? > %s; sleep 60",
                             HATAKE_CLI, f->root, status_file);
  {
    const char *argv[] = { "tmux", "-L", socket_name, "new-session", "-d", "-s", "ex", "-x", "90", "-y", "25",
                           command, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error));
  }
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  do
    {
      const char *argv[] = { "tmux", "-L", socket_name, "capture-pane", "-t", "ex", "-p", NULL };
      g_clear_pointer (&screen, g_free);
      g_usleep (100 * 1000);
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &screen, NULL, NULL, NULL);
    }
  while ((screen == NULL || strstr (screen, "built-in shell") == NULL) && g_get_monotonic_time () < deadline);
  {
    const char *argv[] = { "tmux", "-L", socket_name, "send-keys", "-t", "ex", "tty; stty size; exit 6", "Enter", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL));
  }
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!g_file_get_contents (status_file, &status, NULL, NULL) && g_get_monotonic_time () < deadline)
    g_usleep (100 * 1000);
  {
    const char *argv[] = { "tmux", "-L", socket_name, "capture-pane", "-t", "ex", "-p", NULL };
    const char *kill_argv[] = { "tmux", "-L", socket_name, "kill-server", NULL };
    g_clear_pointer (&screen, g_free);
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &screen, NULL, NULL, NULL);
    g_spawn_sync (NULL, (char **) kill_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_test_message ("%s", screen);
  g_assert_cmpstr (status, ==, "6\n");
  g_assert_nonnull (strstr (screen, "/dev/pts/"));
  g_assert_nonnull (strstr (screen, "25 90"));
  g_assert_cmpint (run (f, NULL, NULL, "rm", "-f", "tty-box", NULL), ==, 0);
}

static int
curl_get (guint16 port, char **body)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/hostname", port);
  g_autofree char *out = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char *[]) { (char *) "curl", (char *) "-s", (char *) "-m", (char *) "3", url, NULL }, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, NULL);
  if (body != NULL)
    *body = g_steal_pointer (&out);
  return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}

/* Networks from the command line; and a container whose conmon was killed with it leaves no
 * network behind once an engine looks again (a restarted engine cleans what a crash left). */
static void
test_cli_networks (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *id = NULL, *body = NULL;
  g_autofree char *publish = NULL, *hash = NULL, *netns = NULL, *options = NULL, *pid_text = NULL;
  g_autofree char *conmon_pid_path = NULL, *conmon_pid = NULL;
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GSocketAddress) probe_address = NULL, bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  guint16 port;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");

  g_assert_cmpint (run (f, &out, NULL, "network", "create", "--label", "team=web", "clinet", NULL), ==, 0);
  g_assert_cmpuint (strlen (trimmed (out)), ==, 64);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, NULL, &err, "network", "create", "clinet", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already exists"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, &out, NULL, "network", "ls", "--format", "{{.Name}} {{.Driver}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "bridge bridge\nclinet bridge\nhost host\nnone null\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "network", "inspect", "-f", "{{.Labels.team}}", "clinet", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "web\n");
  g_clear_pointer (&out, g_free);

  probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  probe_address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (probe, probe_address, FALSE, NULL));
  bound = g_socket_get_local_address (probe, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (probe, NULL);
  publish = g_strdup_printf ("127.0.0.1:%u:80", port);
  g_assert_cmpint (run (f, &out, NULL, "run", "-d", "--name", "srv", "--hostname", "clihost", "--network", "clinet",
                        "-p", publish, image, "busybox", "httpd", "-f", "-p", "80", "-h", "/etc", NULL), ==, 0);
  id = g_strdup (trimmed (out));
  g_clear_pointer (&out, g_free);
  for (guint attempt = 0; attempt < 30 && curl_get (port, &body) != 0; attempt++)
    {
      g_clear_pointer (&body, g_free);
      g_usleep (100 * 1000);
    }
  g_assert_cmpstr (body, ==, "clihost\n");
  /* the port is held (by the container's conmon): nothing on the host can take it meanwhile */
  {
    g_autoptr(GSocket) squatter = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GSocketAddress) wanted = g_inet_socket_address_new (loopback, port);
    g_autoptr(GError) bind_error = NULL;

    g_assert_false (g_socket_bind (squatter, wanted, TRUE, &bind_error));
    g_assert_error (bind_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  }
  {
    g_autofree char *want = g_strdup_printf ("80/tcp -> 127.0.0.1:%u\n", port);

    g_assert_cmpint (run (f, &out, NULL, "port", "srv", NULL), ==, 0);
    g_assert_cmpstr (out, ==, want);
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run (f, &out, NULL, "port", "srv", "80", NULL), ==, 0);
    g_assert_cmpstr (out, ==, want + strlen ("80/tcp -> "));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run (f, NULL, &err, "port", "srv", "81/udp", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "No public port '81/udp'"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (f, &out, NULL, "inspect", "-f", "{{.NetworkSettings.Networks.clinet.Aliases}}", "srv", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "srv"));
    g_clear_pointer (&out, g_free);
  }
  g_assert_cmpint (run (f, NULL, &err, "network", "rm", "clinet", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "srv"));
  g_clear_pointer (&err, g_free);

  /* the host's ports are shared: an engine on another data root cannot take this one either */
  {
    Fixture other = { 0 };

    other.root = hatake_test_make_data_root ();
    g_assert_cmpint (run (&other, NULL, &err, "run", "-d", "--name", "rival", "-p", publish, image,
                          "sleep", "30", NULL), !=, 0);
    g_assert_nonnull (strstr (err, "port is already allocated"));
    g_assert_nonnull (strstr (err, "srv"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (&other, NULL, NULL, "system", "reset", "-f", NULL), ==, 0);
    hatake_test_remove_tree (other.root);
    g_free (other.root);
  }

  /* conmon and the container killed together: no exit command runs, the network stays set up */
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, f->root, -1);
  netns = g_strdup_printf ("/run/hatake/%.12s/netns/%s", hash, id);
  options = g_strconcat (netns, ".json", NULL);
  g_assert_true (g_file_test (netns, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (options, G_FILE_TEST_EXISTS));
  conmon_pid_path = g_build_filename (f->root, "containers", id, "conmon.pid", NULL);
  g_assert_true (g_file_get_contents (conmon_pid_path, &conmon_pid, NULL, NULL));
  g_assert_cmpint (run (f, &pid_text, NULL, "inspect", "-f", "{{.State.Pid}}", "srv", NULL), ==, 0);
  g_assert_cmpint (kill (atoi (conmon_pid), SIGKILL), ==, 0);
  g_assert_cmpint (kill (atoi (pid_text), SIGKILL), ==, 0);
  g_usleep (300 * 1000);
  g_assert_true (g_file_test (options, G_FILE_TEST_EXISTS));

  /* the next engine (any command) finds it gone and tears its network down */
  g_assert_cmpint (run (f, &out, NULL, "ps", "-a", "--format", "{{.Names}} {{.State}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "srv exited\n");
  g_clear_pointer (&out, g_free);
  g_assert_false (g_file_test (options, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (netns, G_FILE_TEST_EXISTS));
  g_assert_cmpint (curl_get (port, NULL), !=, 0);
  g_assert_cmpint (run (f, &out, NULL, "network", "inspect", "clinet", NULL), ==, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *network;

    g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
    network = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
    g_assert_cmpuint (json_object_get_size (json_object_get_object_member (network, "Containers")), ==, 0);
  }
  g_clear_pointer (&out, g_free);

  /* prune keeps what a container names, running or not, and the default network */
  g_assert_cmpint (run (f, NULL, NULL, "network", "create", "unused", NULL), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "network", "prune", "-f", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Deleted Networks:\nunused\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, NULL, NULL, "rm", "srv", NULL), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "network", "rm", "clinet", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "clinet\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, NULL, &err, "network", "rm", "bridge", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "pre-defined"));
}

static int
wget_from (Fixture *f, const char *container, const char *host, char **body)
{
  g_autofree char *url = g_strdup_printf ("http://%s/hostname", host);

  /* (busybox-static's wget crashes with -T) */
  return run (f, body, NULL, "exec", container, "busybox", "timeout", "3", "wget", "-q", "-O", "-", url, NULL);
}

static gboolean
resolves_soon (Fixture *f, const char *container, const char *name)
{
  for (guint attempt = 0; attempt < 30; attempt++)
    {
      g_autofree char *out = NULL;

      if (run (f, &out, NULL, "exec", container, "nslookup", name, NULL) == 0)
        return TRUE;
      g_test_message ("%s does not resolve %s yet: %s", container, name, out);
      g_usleep (100 * 1000);
    }
  return FALSE;
}

static guint
count_lines_with (const char *text, const char *needle)
{
  guint n = 0;

  for (const char *p = text; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

/* network connect and disconnect, on a running container and on a stopped one; a container on
 * two networks from the start. */
static void
test_cli_network_connect (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *web_id = NULL;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (run (f, NULL, NULL, "network", "create", "front", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "network", "create", "back", NULL), ==, 0);
  g_assert_cmpint (run (f, &web_id, NULL, "run", "-d", "--name", "web", "--hostname", "webhost", "--network", "front",
                        image, "busybox", "httpd", "-f", "-p", "80", "-h", "/etc", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "run", "-d", "--name", "client", "--network", "back", image,
                        "sleep", "300", NULL), ==, 0);
  /* on other networks: no name, no route */
  g_assert_cmpint (wget_from (f, "client", "web", NULL), !=, 0);

  /* connected while it runs: a second interface, its name and alias on "back" at once */
  g_assert_cmpint (run (f, NULL, NULL, "network", "connect", "--alias", "api", "back", "web", NULL), ==, 0);
  g_assert_cmpint (wget_from (f, "client", "web", &out), ==, 0);
  g_assert_cmpstr (out, ==, "webhost\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (wget_from (f, "client", "api", &out), ==, 0);
  g_assert_cmpstr (out, ==, "webhost\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "exec", "web", "ip", "-o", "-4", "addr", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "eth0"));
  g_assert_nonnull (strstr (out, "eth1"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "inspect", "web", NULL), ==, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *networks;

    g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
    networks = json_object_get_object_member (json_object_get_object_member (
        json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0), "NetworkSettings"),
        "Networks");
    g_assert_cmpuint (json_object_get_size (networks), ==, 2);
    g_assert_true (json_object_has_member (networks, "front"));
    g_assert_true (json_object_has_member (networks, "back"));
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "network", "inspect", "-f", "{{len .Containers}}", "back", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "2\n");
  g_clear_pointer (&out, g_free);
  /* twice, an unknown network, a container without networks: refused, naming why */
  g_assert_cmpint (run (f, NULL, &err, "network", "connect", "back", "web", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already exists in network back"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "network", "connect", "nowhere", "web", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "nowhere"));
  g_assert_nonnull (strstr (err, "not found"));
  g_clear_pointer (&err, g_free);

  /* disconnected: gone from "back" at once, still on "front" */
  g_assert_cmpint (run (f, NULL, NULL, "network", "disconnect", "back", "web", NULL), ==, 0);
  g_assert_cmpint (wget_from (f, "client", "web", NULL), !=, 0);
  g_assert_cmpint (run (f, &out, NULL, "exec", "web", "ip", "-o", "-4", "addr", NULL), ==, 0);
  g_assert_null (strstr (out, "eth1"));
  g_assert_nonnull (strstr (out, "eth0"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "network", "inspect", "-f", "{{len .Containers}}", "back", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "1\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, NULL, &err, "network", "disconnect", "back", "web", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not connected"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, NULL, "network", "disconnect", "-f", "back", "web", NULL), ==, 0);

  /* connected while stopped: on both networks at its next start */
  g_assert_cmpint (run (f, NULL, NULL, "stop", "-t", "0", "web", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "network", "connect", "--alias", "api2", "back", "web", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "start", "web", NULL), ==, 0);
  for (guint attempt = 0; attempt < 20 && wget_from (f, "client", "api2", &out) != 0; attempt++)
    {
      g_clear_pointer (&out, g_free);
      g_usleep (100 * 1000);
    }
  g_assert_cmpstr (out, ==, "webhost\n");
  g_clear_pointer (&out, g_free);

  /* on two networks from the start, the second in docker's long form: its alias there resolves */
  g_assert_cmpint (run (f, NULL, NULL, "run", "-d", "--name", "dual", "--network", "front", "--network",
                        "name=back,alias=twin", image, "sleep", "300", NULL), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "exec", "dual", "ip", "-o", "-4", "addr", NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_cmpuint (count_lines_with (out, " inet "), ==, 3);   /* lo, eth0, eth1 */
  g_assert_nonnull (strstr (out, "eth1"));
  g_clear_pointer (&out, g_free);
  /* (aardvark-dns reloads its records a moment after netavark's setup returns) */
  g_assert_true (resolves_soon (f, "client", "twin"));
  g_assert_true (resolves_soon (f, "client", "dual"));
  g_assert_cmpint (run (f, NULL, &err, "run", "--rm", "--network", "none", "--network", "back", image, "true", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "conflicting options"));
  g_clear_pointer (&err, g_free);

  /* nothing is left: both networks go, with their bridges */
  g_assert_cmpint (run (f, NULL, NULL, "rm", "-f", "web", "client", "dual", NULL), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "network", "inspect", "-f", "{{len .Containers}}", "front", "back", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "0\n0\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, NULL, NULL, "network", "rm", "front", "back", NULL), ==, 0);
}

/* One datagram to 127.0.0.1:PORT and its answer, or NULL after a second. */
static char *
udp_ask (guint16 port, const char *text)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, port);
  char answer[256];
  gssize n;

  g_socket_set_timeout (socket, 1);
  if (g_socket_send_to (socket, to, text, strlen (text), NULL, NULL) < 0)
    return NULL;
  n = g_socket_receive (socket, answer, sizeof answer - 1, NULL, NULL);
  if (n < 0)
    return NULL;
  answer[n] = '\0';
  return g_strdup (answer);
}

/* "80/tcp -> 0.0.0.0:NNNN" lines of `hatake port`: NNNN for KEY. */
static guint16
published_port (const char *port_output, const char *key)
{
  g_autofree char *prefix = g_strconcat (key, " -> ", NULL);
  const char *line = strstr (port_output, prefix);
  const char *colon = line ? strchr (line + strlen (prefix), ':') : NULL;

  return colon ? (guint16) atoi (colon + 1) : 0;
}

/* -P: every port the image exposes (TCP and UDP) and --expose adds, on free ports of the host's,
 * served end to end: busybox httpd over TCP, a UDP echo server over UDP. */
static void
test_cli_publish_all (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *body = NULL, *echo = NULL, *mount = NULL;
  guint16 http_port, udp_port, extra_port;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/httpd:latest");
  mount = g_strdup_printf ("%s:/udp-echo:ro", HATAKE_UDP_ECHO);
  g_assert_cmpint (run (f, NULL, NULL, "run", "-d", "--name", "all", "--hostname", "allhost", "-P", "--expose", "7000",
                        "-v", mount, image, "sh", "-c", "/udp-echo 5353 & exec httpd -f -p 80 -h /etc", NULL), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "port", "all", NULL), ==, 0);
  g_test_message ("%s", out);
  http_port = published_port (out, "80/tcp");
  udp_port = published_port (out, "5353/udp");
  extra_port = published_port (out, "7000/tcp");
  g_assert_cmpuint (http_port, >, 0);
  g_assert_cmpuint (udp_port, >, 0);
  g_assert_cmpuint (extra_port, >, 0);
  g_assert_cmpuint (http_port, !=, extra_port);
  for (guint attempt = 0; attempt < 30 && curl_get (http_port, &body) != 0; attempt++)
    {
      g_clear_pointer (&body, g_free);
      g_usleep (100 * 1000);
    }
  g_assert_cmpstr (body, ==, "allhost\n");
  for (guint attempt = 0; attempt < 10 && echo == NULL; attempt++)
    echo = udp_ask (udp_port, "ping");
  g_assert_cmpstr (echo, ==, "echo:ping");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "inspect", "-f", "{{.HostConfig.PublishAllPorts}}", "all", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "true\n");
  g_clear_pointer (&out, g_free);

  /* an explicit -p wins over -P for its port; the rest still get free ones */
  {
    g_autofree char *publish = NULL;
    guint16 chosen;

    g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_true (g_socket_bind (probe, any, FALSE, NULL));
    bound = g_socket_get_local_address (probe, NULL);
    chosen = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    g_socket_close (probe, NULL);
    publish = g_strdup_printf ("127.0.0.1:%u:80", chosen);
    g_assert_cmpint (run (f, NULL, NULL, "run", "-d", "--name", "mixed", "-P", "-p", publish, image, NULL), ==, 0);
    g_assert_cmpint (run (f, &out, NULL, "port", "mixed", NULL), ==, 0);
    g_test_message ("%s", out);
    g_assert_cmpuint (published_port (out, "80/tcp"), ==, chosen);
    g_assert_cmpuint (count_lines_with (out, "80/tcp"), ==, 1);
    g_assert_cmpuint (published_port (out, "5353/udp"), >, 0);
    g_clear_pointer (&out, g_free);
  }
  g_assert_cmpint (run (f, NULL, NULL, "rm", "-f", "all", "mixed", NULL), ==, 0);
  g_assert_cmpint (curl_get (http_port, NULL), !=, 0);
}

/* Containers coming and going on a network do not cut the others off their gateway: the bridge
 * keeps one address (a Linux bridge otherwise takes its ports' lowest, and the others' ARP
 * entries point at the old one for seconds: no DNS, no route out). */
static void
test_cli_network_churn (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *id = NULL, *address_path = NULL, *first = NULL;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (run (f, &id, NULL, "network", "create", "churn", NULL), ==, 0);
  address_path = g_strdup_printf ("/sys/class/net/hk-%.10s/address", id);
  g_assert_cmpint (run (f, NULL, NULL, "run", "-d", "--name", "stay", "--network", "churn", image, "sleep", "300", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "run", "-d", "--name", "peer", "--network", "churn", image, "sleep", "300", NULL), ==, 0);
  g_assert_true (resolves_soon (f, "stay", "peer"));
  g_assert_true (g_file_get_contents (address_path, &first, NULL, NULL));
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *now = NULL;
      g_autofree char *err = NULL;
      int status = run (f, NULL, &err, "rm", "-f", "passer", NULL);

      /* (what the command said, should it fail otherwise: a CI run once saw it abort) */
      if (status != (i == 0 ? 1 : 0))
        g_test_message ("rm -f passer: %d: %s", status, err);
      g_assert_cmpint (status, ==, i == 0 ? 1 : 0);
      g_assert_cmpint (run (f, NULL, NULL, "run", "-d", "--name", "passer", "--network", "churn", image,
                            "sleep", "300", NULL), ==, 0);
      g_assert_true (g_file_get_contents (address_path, &now, NULL, NULL));
      g_assert_cmpstr (now, ==, first);
      /* at once: busybox's nslookup asks once and gives up after 5 s */
      g_assert_cmpint (run (f, NULL, NULL, "exec", "stay", "nslookup", "peer", NULL), ==, 0);
    }
  g_assert_cmpint (run (f, NULL, NULL, "rm", "-f", "stay", "peer", "passer", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "network", "rm", "churn", NULL), ==, 0);
}

/* exec -d: back once the process runs, which goes on alone (it was "not supported yet"); a
 * command that cannot run is said, 126 (on the local engine); also through hatake serve */
static void
test_cli_exec_detach (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  g_autofree char *socket_path = g_strconcat (f->root, ".sock", NULL);
  g_autofree char *host = g_strconcat ("unix://", socket_path, NULL);
  g_autofree char *pidfile = g_strconcat (f->root, ".pid", NULL);
  g_autofree char *pid_text = NULL;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (run (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_assert_cmpint (run (f, &id, NULL, "run", "-d", "--name", "bg", "--network", "none", image, "sleep", "300", NULL), ==, 0);
  g_strstrip (id);
  for (guint served = 0; served < 2; served++)
    {
      g_autofree char *script = g_strdup_printf ("sleep 2; echo late-%u > /late", served);
      g_autofree char *expected = g_strdup_printf ("late-%u\n", served);
      g_autoptr(GDir) dir = NULL;
      g_autofree char *dir_path = g_build_filename (f->root, "containers", id, NULL);
      const char *name;

      if (served)
        {
          g_assert_cmpint (run (f, NULL, NULL, "exec", "bg", "rm", "/late", NULL), ==, 0);
          g_assert_cmpint (run (f, NULL, NULL, "serve", "--detach", "-H", host, "--pidfile", pidfile, NULL), ==, 0);
        }
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run (f, &out, NULL, "exec", "-d", "bg", "sh", "-c", script, NULL), ==, 0);
      g_assert_cmpstr (out, ==, "");
      /* back before the process is done */
      g_assert_cmpint (run (f, NULL, NULL, "exec", "bg", "cat", "/late", NULL), !=, 0);
      g_clear_pointer (&out, g_free);
      for (guint tries = 0; tries < 100; tries++)
        {
          g_clear_pointer (&out, g_free);
          if (run (f, &out, NULL, "exec", "bg", "cat", "/late", NULL) == 0)
            break;
          g_usleep (100 * 1000);
        }
      g_assert_cmpstr (out, ==, expected);
      /* (hatake serve runs a detached exec itself, for its inspect's exit code: its answer comes
       * before the runtime's, as a missing command would fail) */
      g_clear_pointer (&err, g_free);
      if (!served)
        {
          g_assert_cmpint (run (f, NULL, &err, "exec", "-d", "bg", "no-such-command", NULL), ==, 126);
          g_assert_nonnull (strstr (err, "no-such-command"));
        }
      /* (its process file and the runtime's log are gone) */
      dir = g_dir_open (dir_path, 0, NULL);
      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_assert_false (g_str_has_prefix (name, "exec-"));
    }
  g_assert_cmpint (run (f, NULL, NULL, "rm", "-f", "bg", NULL), ==, 0);
  g_assert_true (g_file_get_contents (pidfile, &pid_text, NULL, NULL));
  g_assert_cmpint (kill (atoi (pid_text), SIGTERM), ==, 0);
  for (guint i = 0; i < 100 && kill (atoi (pid_text), 0) == 0; i++)
    g_usleep (50 * 1000);
}

/* --runtime runc: the container is runc's (its state in runc's own root), through its whole
 * life; one that is not installed is refused at create. It was taken and ignored. */
static void
test_cli_runtime_choice (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, f->root, -1);
  g_autofree char *own_state = NULL;
  g_autofree char *shared_state = NULL;
  g_autofree char *runc = NULL;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  runc = g_find_program_in_path ("runc");

  if (runc == NULL && !g_file_test ("/usr/sbin/runc", G_FILE_TEST_IS_EXECUTABLE))
    {
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        g_error ("runc is missing: build-aux/install-deps.sh test installs it");
      g_test_skip ("runc is not installed");
      return;
    }
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (run (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_assert_cmpint (run (f, &id, NULL, "run", "-d", "--runtime", "runc", "--name", "by-runc", "--network", "none",
                        image, "sleep", "300", NULL), ==, 0);
  g_strstrip (id);
  g_assert_cmpint (run (f, &out, NULL, "inspect", "-f", "{{.HostConfig.Runtime}}", "by-runc", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "runc\n");
  /* runc's state file, in runc's root (its own, unless runc is the engine's runtime here) */
  own_state = g_strdup_printf ("/run/hatake/%.12s/runtime-runc/%s/state.json", hash, id);
  shared_state = g_strdup_printf ("/run/hatake/%.12s/runtime/%s/state.json", hash, id);
  g_assert_true (g_file_test (own_state, G_FILE_TEST_EXISTS) || g_file_test (shared_state, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "exec", "by-runc", "echo", "in-runc", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "in-runc\n");
  g_assert_cmpint (run (f, NULL, NULL, "pause", "by-runc", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "unpause", "by-runc", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, NULL, "restart", "-t", "0", "by-runc", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "inspect", "-f", "{{.State.Status}}", "by-runc", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "running\n");
  g_assert_cmpint (run (f, NULL, NULL, "rm", "-f", "by-runc", NULL), ==, 0);
  /* (the runtime's delete is conmon's exit command's, once the command is gone) */
  for (guint tries = 0; tries < 100 && (g_file_test (own_state, G_FILE_TEST_EXISTS) ||
                                        g_file_test (shared_state, G_FILE_TEST_EXISTS)); tries++)
    g_usleep (100 * 1000);
  g_assert_false (g_file_test (own_state, G_FILE_TEST_EXISTS) || g_file_test (shared_state, G_FILE_TEST_EXISTS));

  /* (125: the engine refused, as docker's CLI says it) */
  g_assert_cmpint (run (f, NULL, &err, "create", "--runtime", "no-such-runtime", "--name", "by-none", image, "true",
                        NULL), ==, 125);
  g_assert_nonnull (strstr (err, "no-such-runtime"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "run", "--rm", "--runtime", "no-such-runtime", image, "true", NULL), ==, 125);
  g_assert_nonnull (strstr (err, "no-such-runtime"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "ps", "-aq", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
}

/* hatake serve --detach: back once it serves, with its pid file; the data root is its own; SIGTERM
 * takes the socket and the pid file away. */
static void
test_cli_serve_detach (Fixture *f, gconstpointer data)
{
  g_autofree char *socket_path = g_strconcat (f->root, ".sock", NULL);
  g_autofree char *host = g_strconcat ("unix://", socket_path, NULL);
  g_autofree char *pidfile = g_strconcat (f->root, ".pid", NULL);
  g_autofree char *pid_text = NULL, *err = NULL, *reply = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr(GSocketConnection) connection = NULL;
  const char *ping = "GET /_ping HTTP/1.0\r\nHost: hatake\r\n\r\n";
  char buffer[512] = "";
  gsize got = 0;
  int pid;

  if (!hatake_test_require_root ())
    return;
  g_assert_cmpint (run (f, NULL, NULL, "serve", "--detach", "-H", host, "--pidfile", pidfile, NULL), ==, 0);
  g_assert_true (g_file_get_contents (pidfile, &pid_text, NULL, NULL));
  pid = atoi (pid_text);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, 0), ==, 0);
  /* it serves already when the command returns */
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, NULL);
  g_assert_nonnull (connection);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), ping,
                                            strlen (ping), NULL, NULL, NULL));
  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer, sizeof buffer - 1, &got,
                           NULL, NULL);
  g_assert_nonnull (strstr (buffer, "200 OK"));
  g_clear_object (&connection);
  /* a second one on the same data root says why it cannot */
  g_assert_cmpint (run (f, NULL, &err, "serve", "--detach", "-H", "unix:///nonexistent/other.sock", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "in use"));
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  for (guint i = 0; i < 100 && kill (pid, 0) == 0; i++)
    g_usleep (50 * 1000);
  g_assert_cmpint (kill (pid, 0), !=, 0);
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
}

/* A restart policy holds with no engine running: conmon's exit command restarts the container. */
static void
test_cli_restart_policy (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *publish = NULL;
  g_autofree char *out = NULL;
  gint64 deadline;
  int restarts = 0;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  /* with a published port: each restart (by conmon's exit command) binds it again */
  {
    g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_true (g_socket_bind (probe, any, FALSE, NULL));
    bound = g_socket_get_local_address (probe, NULL);
    publish = g_strdup_printf ("127.0.0.1:%u:80", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    g_socket_close (probe, NULL);
  }
  g_assert_cmpint (run (f, NULL, NULL, "run", "-q", "-d", "--restart", "always", "--name", "phoenix", "-p", publish,
                        image, "sh", "-c", "sleep 0.5; exit 1", NULL), ==, 0);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (restarts < 2 && g_get_monotonic_time () < deadline)
    {
      g_usleep (300 * 1000);
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run (f, &out, NULL, "inspect", "-f", "{{.RestartCount}}", "phoenix", NULL), ==, 0);
      restarts = atoi (out);
    }
  g_assert_cmpint (restarts, >=, 2);
  /* stopped by hand, it stays stopped */
  g_assert_cmpint (run (f, NULL, NULL, "stop", "-t", "0", "phoenix", NULL), ==, 0);
  g_usleep (1500 * 1000);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "inspect", "-f", "{{.State.Status}}", "phoenix", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "exited\n");
  g_assert_cmpint (run (f, NULL, NULL, "rm", "-f", "phoenix", NULL), ==, 0);
}

/* system reset stops and removes every container and removes the data root. */
static void
test_cli_system_reset (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *out = NULL;
  g_autofree char *pid_text = NULL;
  int pid;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (run (f, NULL, NULL, "run", "-q", "-d", "--name", "doomed", image, "sleep", "300", NULL), ==, 0);
  g_assert_cmpint (run (f, &pid_text, NULL, "inspect", "-f", "{{.State.Pid}}", "doomed", NULL), ==, 0);
  pid = atoi (pid_text);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, 0), ==, 0);
  g_assert_cmpint (run (f, &out, NULL, "system", "reset", "-f", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Removed container doomed"));
  g_assert_false (g_file_test (f->root, G_FILE_TEST_EXISTS));
  /* the container's process is gone too */
  for (guint i = 0; i < 50 && kill (pid, 0) == 0; i++)
    g_usleep (100 * 1000);
  g_assert_cmpint (kill (pid, 0), !=, 0);
  g_mkdir (f->root, 0700);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli/images-lifecycle", Fixture, NULL, fixture_set_up, test_cli_images_lifecycle, fixture_tear_down);
  g_test_add ("/cli/libsoup-on-demand", Fixture, NULL, fixture_set_up, test_cli_libsoup_on_demand, fixture_tear_down);
  g_test_add ("/cli/errors", Fixture, NULL, fixture_set_up, test_cli_errors, fixture_tear_down);
  g_test_add ("/cli/newer-store", Fixture, NULL, fixture_set_up, test_cli_newer_store, fixture_tear_down);
  g_test_add ("/cli/bad-config", Fixture, NULL, fixture_set_up, test_cli_bad_config, fixture_tear_down);
  g_test_add ("/cli/containers", Fixture, NULL, fixture_set_up, test_cli_containers, fixture_tear_down);
  g_test_add ("/cli/engine-killed", Fixture, NULL, fixture_set_up, test_cli_engine_killed, fixture_tear_down);
  g_test_add ("/cli/engine-killed-rm", Fixture, NULL, fixture_set_up, test_cli_engine_killed_rm, fixture_tear_down);
  g_test_add ("/cli/system-reset", Fixture, NULL, fixture_set_up, test_cli_system_reset, fixture_tear_down);
  g_test_add ("/cli/restart-policy", Fixture, NULL, fixture_set_up, test_cli_restart_policy, fixture_tear_down);
  g_test_add ("/cli/networks", Fixture, NULL, fixture_set_up, test_cli_networks, fixture_tear_down);
  g_test_add ("/cli/serve-detach", Fixture, NULL, fixture_set_up, test_cli_serve_detach, fixture_tear_down);
  g_test_add ("/cli/network-churn", Fixture, NULL, fixture_set_up, test_cli_network_churn, fixture_tear_down);
  g_test_add ("/cli/publish-all", Fixture, NULL, fixture_set_up, test_cli_publish_all, fixture_tear_down);
  g_test_add ("/cli/network-connect", Fixture, NULL, fixture_set_up, test_cli_network_connect, fixture_tear_down);
  g_test_add ("/cli/interactive", Fixture, NULL, fixture_set_up, test_cli_interactive, fixture_tear_down);
  g_test_add ("/cli/start-attach", Fixture, NULL, fixture_set_up, test_cli_start_attach, fixture_tear_down);
  g_test_add ("/cli/list-filters", Fixture, NULL, fixture_set_up, test_cli_list_filters, fixture_tear_down);
  g_test_add ("/cli/exec-detach", Fixture, NULL, fixture_set_up, test_cli_exec_detach, fixture_tear_down);
  g_test_add ("/cli/runtime-choice", Fixture, NULL, fixture_set_up, test_cli_runtime_choice, fixture_tear_down);
  return g_test_run ();
}
