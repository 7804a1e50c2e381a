/* test-api-files.c: images and files through the Docker Engine API, driven by the real docker CLI:
 * image history, system prune, cp and export, push and login, save and load
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

/* docker image history: the config's history, newest first, with the layers' sizes and the image's
 * ID and tags on the newest entry. */
static void
test_api_history (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *id = NULL, *body = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *entries;
  g_autoptr(GError) error = NULL;

  if (!require ())
    return;
  image = g_strdup_printf ("%s/hatake/layered:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  g_assert_cmpint (docker (f, &id, NULL, "image", "inspect", "-f", "{{.Id}}", image, NULL), ==, 0);
  trimmed (id);
  g_assert_cmpint (docker (f, &out, NULL, "image", "inspect", "-f", "{{len .RootFS.Layers}}", image, NULL), ==, 0);
  g_assert_cmpint (atoi (out), >=, 2);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (docker (f, &out, NULL, "image", "history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}",
                           image, NULL), ==, 0);
  lines = g_strsplit (trimmed (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  /* newest first: the last layer the fixture made, with the image's ID; the older ones have none */
  g_assert_true (g_str_has_prefix (lines[0], id));
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *expected = g_strdup_printf ("layer %u", g_strv_length (lines) - 1 - i);

      g_assert_true (g_str_has_suffix (lines[i], expected));
      if (i > 0)
        g_assert_true (g_str_has_prefix (lines[i], "<missing>|"));
    }

  /* the raw answer: sizes are the layers' own, tags on the newest only */
  g_assert_cmpuint (http (f, "GET", "/v1.44/images/" "hatake-no-such-image/history", NULL, NULL, NULL), ==, 404);
  {
    g_autofree char *path = g_strdup_printf ("/v1.44/images/%s/history", image);

    g_assert_cmpuint (http (f, "GET", path, NULL, NULL, &body), ==, 200);
  }
  node = json_from_string (body, &error);
  g_assert_no_error (error);
  entries = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (entries), ==, g_strv_length (lines));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "Id"), ==, id);
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (json_array_get_object_element (entries, 0), "Tags"), 0), ==, image);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      g_assert_cmpint (json_object_get_int_member (entry, "Size"), >, 0);
      g_assert_cmpint (json_object_get_int_member (entry, "Created"), >, 0);
      if (i > 0)
        g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (entry, "Tags")));
    }
}

/* docker system prune: stopped containers, unused networks and (-a) unused images go, running
 * containers and what they use stay; the build cache step finds nothing to free. */
static void
test_api_system_prune (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *other = NULL, *out = NULL;

  if (!require ())
    return;
  image = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  other = g_strdup_printf ("%s/hatake/layered:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", other, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "up", image, "sleep", "600", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "down", image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "network", "create", "unused", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "create", "kept", NULL), ==, 0);
  /* the lists' filters, which the checks below lean on */
  g_assert_cmpint (docker (f, &out, NULL, "network", "ls", "--format", "{{.Name}}", "--filter", "name=unus", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "unused\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "network", "ls", "--format", "{{.Name}}", "--filter", "type=custom", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "unused\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "volume", "ls", "-q", "--filter", "name=nothing-like-it", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1.44/networks?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D", NULL, NULL, NULL), ==, 400);

  g_assert_cmpint (docker (f, &out, NULL, "system", "prune", "-a", "-f", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Total reclaimed space"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--format", "{{.Names}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "up\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "network", "ls", "--format", "{{.Name}}", "--filter", "name=unused", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "images", "--format", "{{.Repository}}", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "hatake/busybox"));
  g_assert_null (strstr (out, "hatake/layered"));
  g_clear_pointer (&out, g_free);
  /* volumes stay without --volumes */
  g_assert_cmpint (docker (f, &out, NULL, "volume", "ls", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "kept\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "up", NULL), ==, 0);
}

static char *
read_text (const char *path)
{
  g_autofree char *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return g_steal_pointer (&text);
}

/* PUT /containers/{id}/archive with a tar file as the body: the status code */
static guint
put_archive (Fixture *f, const char *container, const char *dest, const char *tar_path)
{
  g_autofree char *url = g_strdup_printf ("http://docker/v1.44/containers/%s/archive?path=%s", container, dest);
  g_autofree char *data = g_strconcat ("@", tar_path, NULL);
  g_autofree char *out = NULL;
  const char *argv[] = { "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", f->socket, "-X", "PUT",
                         "--data-binary", data, url, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL, NULL));
  return atoi (out);
}

/* The temporary overlays of copies into or out of stopped containers are gone once they end. */
static void
assert_no_archive_mounts (Fixture *f)
{
  g_autofree char *tmp = g_build_filename (f->root, "tmp", NULL);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *mountinfo = read_text ("/proc/self/mountinfo");
      g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);

      if (strstr (mountinfo, tmp) == NULL && (dir == NULL || g_dir_read_name (dir) == NULL))
        return;
      g_usleep (20 * 1000);
    }
  g_error ("a copy left its overlay mounted under %s", tmp);
}

/* docker cp in and out of running and stopped containers, through volumes, never out of the
 * container through its symlinks (CVE-2018-15664) or a hostile tar; docker export. */
static void
test_api_cp (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *dir = NULL, *host_file = NULL, *copy = NULL;
  g_autofree char *escape_name = NULL, *host_escape = NULL, *tar = NULL, *text = NULL, *id = NULL;
  g_autofree char *export_file = NULL, *listing = NULL, *escape_dest = NULL;

  if (!require ())
    return;
  image = g_strdup_printf ("%s/hatake/busybox:latest", g_getenv ("HATAKE_TEST_REGISTRY"));
  dir = g_strconcat (f->root, ".files", NULL);
  g_mkdir_with_parents (dir, 0700);
  host_file = g_build_filename (dir, "note.txt", NULL);
  g_assert_true (g_file_set_contents (host_file, "from the host\n", -1, NULL));

  /* a running container: in, then out again, a file and a folder */
  g_assert_cmpint (docker (f, &id, NULL, "run", "-d", "--name", "box", image, "sleep", "600", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "cp", host_file, "box:/tmp/", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "exec", "box", "cat", "/tmp/note.txt", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "from the host\n");
  g_clear_pointer (&out, g_free);
  copy = g_build_filename (dir, "hostname", NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "cp", "box:/etc/hostname", copy, NULL), ==, 0);
  text = read_text (copy);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (trimmed (id), trimmed (text)));
  g_clear_pointer (&copy, g_free);
  copy = g_build_filename (dir, "etc-copy", NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "cp", "box:/etc", copy, NULL), ==, 0);
  {
    g_autofree char *passwd = g_build_filename (copy, "passwd", NULL);
    g_autofree char *contents = read_text (passwd);

    g_assert_nonnull (contents);
    g_assert_nonnull (strstr (contents, "root:"));
  }
  g_assert_cmpint (docker (f, NULL, &err, "cp", "box:/no/such/file", dir, NULL), !=, 0);
  /* docker 28 reads our message; 20.10 says it from the 404 of its HEAD, which has no body */
  g_assert_true (strstr (err, "Could not find the file") != NULL || strstr (err, "No such container:path") != NULL);
  g_clear_pointer (&err, g_free);

  /* symlinks the container made resolve inside it: the copy lands in its /etc, not the host's,
   * and reading through a link to /etc reads the container's */
  escape_name = g_strdup_printf ("hatake-cp-escape-%d", (int) getpid ());
  host_escape = g_build_filename ("/etc", escape_name, NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "box", "sh", "-c",
                           "ln -s / /tmp/rootlink && ln -s /etc /evil && echo inside > /etc/marker", NULL), ==, 0);
  {
    g_autofree char *named = g_build_filename (dir, escape_name, NULL);

    g_assert_true (g_file_set_contents (named, "x\n", -1, NULL));
    g_assert_cmpint (docker (f, NULL, NULL, "cp", named, "box:/tmp/rootlink/etc/", NULL), ==, 0);
  }
  g_assert_false (g_file_test (host_escape, G_FILE_TEST_EXISTS));
  escape_dest = g_strconcat ("/etc/", escape_name, NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "box", "test", "-f", escape_dest, NULL), ==, 0);
  g_clear_pointer (&copy, g_free);
  copy = g_build_filename (dir, "marker", NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "cp", "box:/evil/marker", copy, NULL), ==, 0);
  g_clear_pointer (&text, g_free);
  text = read_text (copy);
  g_assert_cmpstr (text, ==, "inside\n");

  /* a tar whose entry climbs out is refused (400) and writes nothing out there */
  tar = g_build_filename (dir, "evil.tar", NULL);
  {
    g_autofree char *script = g_strdup_printf (
      "import tarfile, io\n"
      "t = tarfile.open('%s', 'w')\n"
      "for name in ['fine.txt', '../../../../tmp/%s']:\n"
      "    i = tarfile.TarInfo(name); i.size = 1; t.addfile(i, io.BytesIO(b'x'))\n"
      "t.close()\n", tar, escape_name);
    const char *argv[] = { "python3", "-c", script, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL));
  }
  g_assert_cmpuint (put_archive (f, "box", "/tmp", tar), ==, 400);
  {
    g_autofree char *host_tmp = g_build_filename ("/tmp", escape_name, NULL);
    g_autofree char *inside = g_strconcat ("/tmp/", escape_name, NULL);

    g_assert_false (g_file_test (host_tmp, G_FILE_TEST_EXISTS));
    g_assert_cmpint (docker (f, NULL, NULL, "exec", "box", "test", "-e", inside, NULL), !=, 0);
  }
  g_assert_cmpuint (put_archive (f, "box", "/no/such/dir", tar), ==, 404);
  g_assert_cmpuint (put_archive (f, "no-such-container", "/tmp", tar), ==, 404);

  /* a stopped container: its own overlay for the copy, the container's start sees the result */
  g_assert_cmpint (docker (f, NULL, NULL, "stop", "-t", "0", "box", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "cp", host_file, "box:/stopped.txt", NULL), ==, 0);
  g_clear_pointer (&copy, g_free);
  copy = g_build_filename (dir, "out.txt", NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "cp", "box:/tmp/note.txt", copy, NULL), ==, 0);
  g_clear_pointer (&text, g_free);
  text = read_text (copy);
  g_assert_cmpstr (text, ==, "from the host\n");
  assert_no_archive_mounts (f);

  /* docker export: the container's files, those copied in included */
  export_file = g_build_filename (dir, "export.tar", NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "export", "-o", export_file, "box", NULL), ==, 0);
  {
    const char *argv[] = { "tar", "-tf", export_file, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &listing, NULL, NULL, NULL));
  }
  g_assert_nonnull (strstr (listing, "stopped.txt\n"));
  g_assert_nonnull (strstr (listing, "tmp/note.txt\n"));
  g_assert_nonnull (strstr (listing, "bin/"));
  assert_no_archive_mounts (f);

  g_assert_cmpint (docker (f, NULL, NULL, "start", "box", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "exec", "box", "cat", "/stopped.txt", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "from the host\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "box", NULL), ==, 0);

  /* a volume of a container that never ran: the copy goes to the volume */
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "holder", "-v", "cpdata:/data", image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "cp", host_file, "holder:/data/", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "-v", "cpdata:/v", image, "cat", "/v/note.txt", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "from the host\n");
  g_clear_pointer (&out, g_free);
  assert_no_archive_mounts (f);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "holder", NULL), ==, 0);
  hatake_test_remove_tree (dir);
}

/* A bind's missing source: -v makes it (a directory, as docker does), --mount refuses it and
 * makes nothing; a source that is a file stays a file. Through docker's CLI (Binds and Mounts),
 * then hatake's own on the served data root (whose -v goes to the engine as docker's Binds). */
static void
test_api_bind_source (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *dir = NULL, *made = NULL, *refused = NULL, *file = NULL, *bind = NULL;
  g_autofree char *mount = NULL, *file_bind = NULL, *out = NULL, *err = NULL, *content = NULL, *written = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  dir = g_dir_make_tmp ("hatake-bind-XXXXXX", NULL);
  made = g_build_filename (dir, "made", "deeper", NULL);
  refused = g_build_filename (dir, "refused", NULL);
  file = g_build_filename (dir, "file.txt", NULL);
  g_assert_true (g_file_set_contents (file, "a file\n", -1, NULL));
  bind = g_strconcat (made, ":/d", NULL);
  mount = g_strconcat ("type=bind,source=", refused, ",target=/d", NULL);
  file_bind = g_strconcat (file, ":/f.txt:ro", NULL);

  g_assert_cmpint (docker (f, NULL, NULL, "run", "--rm", "--network", "none", "-v", bind, image, "sh", "-c",
                           "echo written > /d/out", NULL), ==, 0);
  written = g_build_filename (made, "out", NULL);
  g_assert_true (g_file_get_contents (written, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "written\n");
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--network", "none", "--mount", mount, image, "true", NULL),
                   !=, 0);
  g_assert_nonnull (strstr (err, "bind source path does not exist"));
  g_assert_false (g_file_test (refused, G_FILE_TEST_EXISTS));
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "--network", "none", "-v", file_bind, image, "cat", "/f.txt",
                           NULL), ==, 0);
  g_assert_cmpstr (out, ==, "a file\n");
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));

  /* hatake's CLI: the same */
  hatake_test_remove_tree (made);
  hatake_cli (f, "run", "--rm", "--network", "none", "-v", bind, image, "true", NULL);
  g_assert_true (g_file_test (made, G_FILE_TEST_IS_DIR));
  hatake_test_remove_tree (dir);
}

/* docker push to the anonymous registry, and login, push and pull (X-Registry-Auth) on the ones
 * with Basic and token authentication; what is pushed pulls back as the same image. */
static void
test_api_push_login (Fixture *f, gconstpointer data)
{
  const char *anonymous = g_getenv ("HATAKE_TEST_REGISTRY");
  const char *basic = g_getenv ("HATAKE_TEST_REGISTRY_BASIC");
  const char *token = g_getenv ("HATAKE_TEST_REGISTRY_TOKEN");
  const char *user = g_getenv ("HATAKE_TEST_USER");
  const char *password = g_getenv ("HATAKE_TEST_PASSWORD");
  g_autofree char *source = NULL, *id = NULL, *out = NULL, *err = NULL, *config = NULL, *config_path = NULL;
  guint suffix = g_random_int ();

  if (!require () || !hatake_test_require_env ("HATAKE_TEST_REGISTRY_BASIC") ||
      !hatake_test_require_env ("HATAKE_TEST_REGISTRY_TOKEN"))
    return;
  source = g_strdup_printf ("%s/hatake/layered:latest", anonymous);
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", source, NULL), ==, 0);
  g_assert_cmpint (docker (f, &id, NULL, "image", "inspect", "-f", "{{.Id}}", source, NULL), ==, 0);
  trimmed (id);

  /* anonymous: push, forget, pull back: the same image */
  {
    g_autofree char *target = g_strdup_printf ("%s/pushed-%08x/layered:v1", anonymous, suffix);
    g_autofree char *again = NULL;

    g_assert_cmpint (docker (f, NULL, NULL, "tag", source, target, NULL), ==, 0);
    g_assert_cmpint (docker (f, &out, NULL, "push", target, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "The push refers to repository"));
    g_assert_nonnull (strstr (out, ": Pushed"));
    g_assert_nonnull (strstr (out, "v1: digest: sha256:"));
    g_clear_pointer (&out, g_free);
    /* a second push finds every layer there */
    g_assert_cmpint (docker (f, &out, NULL, "push", target, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "Layer already exists"));
    g_assert_null (strstr (out, ": Pushed"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker (f, NULL, NULL, "rmi", "-f", id, NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", target, NULL), ==, 0);
    g_assert_cmpint (docker (f, &again, NULL, "image", "inspect", "-f", "{{.Id}}", target, NULL), ==, 0);
    g_assert_cmpstr (trimmed (again), ==, id);
  }
  g_assert_cmpint (docker (f, NULL, &err, "push", "hatake-no-such-image:1", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "does not exist locally"));
  g_clear_pointer (&err, g_free);

  /* Basic authentication: refused without credentials and with wrong ones; docker keeps the
   * right ones in its config.json and sends them with each push and pull */
  {
    g_autofree char *target = g_strdup_printf ("%s/pushed-%08x/layered:v1", basic, suffix);

    g_assert_cmpint (docker (f, NULL, NULL, "tag", id, target, NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, &err, "push", target, NULL), !=, 0);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (docker (f, NULL, &err, "login", "-u", user, "-p", "wrong-password", basic, NULL), !=, 0);
    g_assert_nonnull (strstr (err, "incorrect username or password"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (docker (f, &out, NULL, "login", "-u", user, "-p", password, basic, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "Login Succeeded"));
    g_clear_pointer (&out, g_free);
    config_path = g_build_filename (f->docker_config, "config.json", NULL);
    g_assert_true (g_file_get_contents (config_path, &config, NULL, NULL));
    g_assert_nonnull (strstr (config, basic));
    g_assert_cmpint (docker (f, &out, NULL, "push", target, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "v1: digest: sha256:"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (docker (f, NULL, NULL, "rmi", target, NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", target, NULL), ==, 0);
    /* logged out, the engine has no credentials of its own to fall back on */
    g_assert_cmpint (docker (f, NULL, NULL, "logout", basic, NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, NULL, "rmi", target, NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, &err, "pull", target, NULL), !=, 0);
    g_clear_pointer (&err, g_free);
  }

  /* token authentication */
  {
    g_autofree char *target = g_strdup_printf ("%s/pushed-%08x/layered:t", token, suffix);

    g_assert_cmpint (docker (f, NULL, NULL, "tag", id, target, NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, &err, "login", "-u", user, "-p", "wrong-password", token, NULL), !=, 0);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (docker (f, NULL, NULL, "login", "-u", user, "-p", password, token, NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, NULL, "push", target, NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, NULL, "rmi", target, NULL), ==, 0);
    g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", target, NULL), ==, 0);
  }
  g_assert_cmpuint (http (f, "POST", "/v1.44/auth", "{not json", NULL, NULL), ==, 400);
}

static void
run_python (const char *script)
{
  const char *argv[] = { "python3", "-c", script, NULL };
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("python3 failed: %s", err);
}

static guint
count_entries (const char *root, const char *sub)
{
  g_autofree char *path = g_build_filename (root, sub, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* What docker images lists: "ID REPOSITORY:TAG" lines */
static char *
image_list (Fixture *f)
{
  char *out = NULL;

  g_assert_cmpint (docker (f, &out, NULL, "images", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}", NULL), ==, 0);
  return out;
}

/* docker save and docker load: a round trip of two images through an empty store, docker's older
 * archive layout (uncompressed layer.tar files), and hostile archives that change nothing. */
static void
test_api_save_load (Fixture *f, gconstpointer data)
{
  const char *registry = g_getenv ("HATAKE_TEST_REGISTRY");
  g_autofree char *layered = NULL, *busybox = NULL, *dir = NULL, *archive = NULL, *legacy = NULL, *listing = NULL;
  g_autofree char *before = NULL, *out = NULL, *err = NULL, *script = NULL, *tmp = NULL;
  guint blobs_before, layers_before;

  if (!require ())
    return;
  layered = g_strdup_printf ("%s/hatake/layered:latest", registry);
  busybox = g_strdup_printf ("%s/hatake/busybox:latest", registry);
  dir = g_strconcat (f->root, ".files", NULL);
  g_mkdir_with_parents (dir, 0700);
  archive = g_build_filename (dir, "images.tar", NULL);
  legacy = g_build_filename (dir, "legacy.tar", NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", layered, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", busybox, NULL), ==, 0);
  before = image_list (f);

  g_assert_cmpint (docker (f, NULL, NULL, "save", "-o", archive, layered, busybox, NULL), ==, 0);
  {
    const char *argv[] = { "tar", "-tf", archive, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &listing, NULL, NULL, NULL));
  }
  g_assert_nonnull (strstr (listing, "manifest.json\n"));
  g_assert_nonnull (strstr (listing, "index.json\n"));
  g_assert_nonnull (strstr (listing, "oci-layout\n"));
  g_assert_nonnull (strstr (listing, "blobs/sha256/"));
  g_assert_cmpint (docker (f, NULL, &err, "save", "-o", archive, "hatake-no-such-image", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "No such image"));
  g_clear_pointer (&err, g_free);

  /* into an empty store: every layer comes from the archive */
  g_assert_cmpint (docker (f, NULL, NULL, "image", "prune", "-a", "-f", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "save", "-o", archive, layered, NULL), !=, 0);   /* gone */
  {
    g_autofree char *empty = image_list (f);

    g_assert_cmpstr (empty, ==, "");
  }
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", layered, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", busybox, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "save", "-o", archive, layered, busybox, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "image", "prune", "-a", "-f", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "load", "-i", archive, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Loaded image: "));
  g_assert_nonnull (strstr (out, "hatake/layered:latest"));
  g_assert_nonnull (strstr (out, "hatake/busybox:latest"));
  g_clear_pointer (&out, g_free);
  {
    g_autofree char *after = image_list (f);

    g_assert_cmpstr (after, ==, before);
  }
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", busybox, "echo", "loaded", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "loaded\n");
  g_clear_pointer (&out, g_free);

  /* docker's older layout: NAME/layer.tar, uncompressed, and no index.json */
  script = g_strdup_printf (
    "import tarfile, json, gzip, io\n"
    "src = tarfile.open('%s'); out = tarfile.open('%s', 'w')\n"
    "def add(name, data):\n"
    "    i = tarfile.TarInfo(name); i.size = len(data); out.addfile(i, io.BytesIO(data))\n"
    "entries = []\n"
    "for n, e in enumerate(json.load(src.extractfile('manifest.json'))):\n"
    "    add('%%d.json' %% n, src.extractfile(e['Config']).read())\n"
    "    layers = []\n"
    "    for k, l in enumerate(e['Layers']):\n"
    "        layers.append('%%d-%%d/layer.tar' %% (n, k)); add(layers[-1], gzip.decompress(src.extractfile(l).read()))\n"
    "    entries.append({'Config': '%%d.json' %% n, 'RepoTags': e['RepoTags'], 'Layers': layers})\n"
    "add('manifest.json', json.dumps(entries).encode()); out.close()\n", archive, legacy);
  run_python (script);
  g_assert_cmpint (docker (f, NULL, NULL, "image", "prune", "-a", "-f", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "load", "-i", legacy, NULL), ==, 0);
  {
    g_autofree char *after = image_list (f);

    g_assert_cmpstr (after, ==, before);
  }
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", busybox, "echo", "legacy", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "legacy\n");
  g_clear_pointer (&out, g_free);

  /* hostile archives: a manifest naming a file outside the archive, a layer that is not the one
   * its config names, no manifest at all; each refused, nothing added, nothing left in tmp/ */
  g_assert_cmpint (docker (f, NULL, NULL, "image", "prune", "-a", "-f", NULL), ==, 0);
  blobs_before = count_entries (f->root, "blobs/sha256");
  layers_before = count_entries (f->root, "layers");
  {
    const char *cases[] = {
      /* the config of the archive and /etc/passwd as its layer */
      "m = [{'Config': 'c.json', 'RepoTags': ['evil:1'], 'Layers': ['../../../../etc/passwd']}]\n"
      "add('c.json', json.dumps({'architecture': 'amd64', 'os': 'linux', 'rootfs': {'type': 'layers', "
      "'diff_ids': ['sha256:' + '0' * 64]}}).encode())\n",
      /* a layer whose content is not its diff ID */
      "m = [{'Config': 'c.json', 'RepoTags': ['evil:2'], 'Layers': ['l.tar']}]\n"
      "add('c.json', json.dumps({'architecture': 'amd64', 'os': 'linux', 'rootfs': {'type': 'layers', "
      "'diff_ids': ['sha256:' + '1' * 64]}}).encode())\n"
      "b = io.BytesIO(); t = tarfile.open(fileobj=b, mode='w'); i = tarfile.TarInfo('f'); i.size = 1\n"
      "t.addfile(i, io.BytesIO(b'x')); t.close(); add('l.tar', b.getvalue())\n",
      /* a symlink where the manifest says a layer is */
      "m = [{'Config': 'c.json', 'RepoTags': ['evil:3'], 'Layers': ['link']}]\n"
      "add('c.json', json.dumps({'architecture': 'amd64', 'os': 'linux', 'rootfs': {'type': 'layers', "
      "'diff_ids': ['sha256:' + '2' * 64]}}).encode())\n"
      "i = tarfile.TarInfo('link'); i.type = tarfile.SYMTYPE; i.linkname = '/etc/passwd'; out.addfile(i)\n",
      /* no manifest */
      "m = None\nadd('hello.txt', b'hello')\n",
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *evil = g_build_filename (dir, "evil.tar", NULL);
        g_autofree char *evil_script = g_strdup_printf (
          "import tarfile, json, io\n"
          "out = tarfile.open('%s', 'w')\n"
          "def add(name, data):\n"
          "    i = tarfile.TarInfo(name); i.size = len(data); out.addfile(i, io.BytesIO(data))\n"
          "%s"
          "if m is not None: add('manifest.json', json.dumps(m).encode())\n"
          "out.close()\n", evil, cases[i]);
        g_autofree char *after = NULL;

        run_python (evil_script);
        g_assert_cmpint (docker (f, NULL, &err, "load", "-i", evil, NULL), !=, 0);
        g_test_message ("hostile archive %u: %s", i, err);
        g_clear_pointer (&err, g_free);
        after = image_list (f);
        g_assert_cmpstr (after, ==, "");
      }
  }
  /* what the failed loads brought in went again */
  g_assert_cmpuint (count_entries (f->root, "blobs/sha256"), ==, blobs_before);
  g_assert_cmpuint (count_entries (f->root, "layers"), ==, layers_before);
  tmp = g_build_filename (f->root, "tmp", NULL);
  {
    g_autoptr(GDir) d = g_dir_open (tmp, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      g_assert_false (g_str_has_prefix (name, "load-"));
  }
  hatake_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api/history", Fixture, NULL, fixture_set_up, test_api_history, fixture_tear_down);
  g_test_add ("/api/system-prune", Fixture, NULL, fixture_set_up, test_api_system_prune, fixture_tear_down);
  g_test_add ("/api/cp", Fixture, NULL, fixture_set_up, test_api_cp, fixture_tear_down);
  g_test_add ("/api/bind-source", Fixture, NULL, fixture_set_up, test_api_bind_source, fixture_tear_down);
  g_test_add ("/api/push-login", Fixture, NULL, fixture_set_up, test_api_push_login, fixture_tear_down);
  g_test_add ("/api/save-load", Fixture, NULL, fixture_set_up, test_api_save_load, fixture_tear_down);
  return g_test_run ();
}
