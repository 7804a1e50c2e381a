/* test-api-files.c: images and files through the Docker Engine API, driven by the real docker CLI:
 * image history, system prune
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <stdlib.h>
#include <string.h>

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api/history", Fixture, NULL, fixture_set_up, test_api_history, fixture_tear_down);
  g_test_add ("/api/system-prune", Fixture, NULL, fixture_set_up, test_api_system_prune, fixture_tear_down);
  return g_test_run ();
}
