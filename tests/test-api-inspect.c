/* test-api-inspect.c: what `docker inspect` and `docker stats` show of hatake's containers,
 * and of its networks, through `hatake serve` with the real docker CLI (and hatake's own CLI on
 * the same socket)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <string.h>

#include "hatake-json.h"
#include "hatake-test-api.h"
#include "hatake-test-utils.h"

/* docker inspect NAME, parsed: its one object */
static JsonObject *
inspect (Fixture    *f,
         const char *name)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  g_assert_cmpint (docker (f, &out, NULL, "inspect", name, NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  return json_object_ref (json_array_get_object_element (array, 0));
}

/* An array of strings as one line ("a|b|c"), "null" for none */
static char *
joined (JsonObject *object,
        const char *member)
{
  JsonArray *array = hatake_json_array_member (object, member);
  g_autoptr(GString) text = NULL;

  if (array == NULL)
    return g_strdup ("null");
  text = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (text, "%s%s", i ? "|" : "", json_array_get_string_element (array, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define assert_joined(object, member, expected) \
  G_STMT_START { \
    g_autofree char *_text = joined (object, member); \
    g_assert_cmpstr (_text, ==, expected); \
  } G_STMT_END

/* Config as docker's daemon merges it from the create and the image: the image's command,
 * environment, ports and labels where the create gave none, the create's first; Path and Args
 * what runs. Kept with the container across a restart of the engine. */
static void
test_config (Fixture *f, gconstpointer data)
{
  g_autofree char *busybox = NULL, *httpd = NULL;
  g_autoptr(JsonObject) web = NULL, sleeper = NULL, echo = NULL;
  JsonObject *config;

  if (!require ())
    return;
  busybox = hatake_test_registry_ref ("hatake/busybox:latest");
  httpd = hatake_test_registry_ref ("hatake/httpd:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", httpd, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "web", "-e", "FOO=1", "--expose", "8080", "-l", "tier=front",
                           "--network", "none", httpd, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "sleeper", "-e", "PATH=/bin", "-w", "/tmp",
                           "-v", "/scratch", "-v", "named:/named", "--network", "none", busybox, "sleep", "300", NULL),
                   ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "echo", "--entrypoint", "/bin/echo", "--network", "none",
                           busybox, NULL), ==, 0);

  for (guint round = 0; round < 2; round++)
    {
      g_clear_pointer (&web, json_object_unref);
      g_clear_pointer (&sleeper, json_object_unref);
      g_clear_pointer (&echo, json_object_unref);
      web = inspect (f, "web");
      sleeper = inspect (f, "sleeper");
      echo = inspect (f, "echo");

      /* the image's command, its PATH after the create's FOO, its ports and the create's */
      g_assert_cmpstr (hatake_json_string (web, "Path"), ==, "busybox");
      assert_joined (web, "Args", "httpd|-f|-p|80|-h|/etc");
      config = hatake_json_object_member (web, "Config");
      assert_joined (config, "Cmd", "busybox|httpd|-f|-p|80|-h|/etc");
      assert_joined (config, "Env", "FOO=1|PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      assert_joined (config, "Entrypoint", "null");
      g_assert_nonnull (hatake_json_object_member (hatake_json_object_member (config, "ExposedPorts"), "80/tcp"));
      g_assert_nonnull (hatake_json_object_member (hatake_json_object_member (config, "ExposedPorts"), "5353/udp"));
      g_assert_nonnull (hatake_json_object_member (hatake_json_object_member (config, "ExposedPorts"), "8080/tcp"));
      g_assert_cmpstr (hatake_json_string (hatake_json_object_member (config, "Labels"), "tier"), ==, "front");

      /* the create's command and PATH; no image PATH beside it */
      g_assert_cmpstr (hatake_json_string (sleeper, "Path"), ==, "sleep");
      assert_joined (sleeper, "Args", "300");
      config = hatake_json_object_member (sleeper, "Config");
      assert_joined (config, "Env", "PATH=/bin");
      assert_joined (config, "Cmd", "sleep|300");
      g_assert_cmpstr (hatake_json_string (config, "WorkingDir"), ==, "/tmp");
      /* its anonymous volume is among Config's Volumes, as docker's CLI sends it; not a named one */
      g_assert_cmpuint (json_object_get_size (hatake_json_object_member (config, "Volumes")), ==, 1);
      g_assert_nonnull (hatake_json_object_member (hatake_json_object_member (config, "Volumes"), "/scratch"));
      g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (hatake_json_object_member (web, "Config"), "Volumes")));

      /* an entrypoint of its own drops the image's command */
      g_assert_cmpstr (hatake_json_string (echo, "Path"), ==, "/bin/echo");
      assert_joined (echo, "Args", "");
      config = hatake_json_object_member (echo, "Config");
      assert_joined (config, "Entrypoint", "/bin/echo");
      assert_joined (config, "Cmd", "null");

      /* the files the engine mounts in are where inspect says */
      g_assert_true (g_str_has_suffix (hatake_json_string (sleeper, "HostsPath"), "/hosts"));
      g_assert_true (g_str_has_suffix (hatake_json_string (sleeper, "ResolvConfPath"), "/resolv.conf"));
      g_assert_true (g_str_has_prefix (hatake_json_string (sleeper, "HostnamePath"), f->root));

      /* the same from the engine that reads them back from the data root */
      if (round == 0)
        {
          fixture_stop_server (f);
          fixture_start_server (f);
        }
    }
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-v", "web", "sleeper", "echo", NULL), ==, 0);
}

/* What a container sent and received on its network (four pings of its gateway, 1000 bytes each
 * way), as docker's CLI and hatake's show it: "4.5kB / 4.4kB"; its memory as docker writes it */
static void
test_stats (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *host = NULL, *docker_out = NULL, *out = NULL, *rx = NULL;
  g_autoptr(GRegex) shape = g_regex_new ("^([0-9.]+)kB / ([0-9.]+)kB\\|[0-9.]+(B|KiB|MiB) / [0-9.]+GiB\\n$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  host = g_strconcat ("unix://", f->socket, NULL);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "box", image, "sleep", "300", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "box", "sh", "-c",
                           "ping -c 4 -s 1000 $(ip route | awk '/default/ { print $3 }')", NULL), ==, 0);
  {
    const char *argv[] = { HATAKE_CLI, "-H", host, "stats", "--no-stream", "--format", "{{.NetIO}}|{{.MemUsage}}",
                           "box", NULL };

    g_assert_cmpint (docker (f, &docker_out, NULL, "stats", "--no-stream", "--format", "{{.NetIO}}|{{.MemUsage}}",
                             "box", NULL), ==, 0);
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, NULL, NULL));
  }
  g_test_message ("stats: docker %s", docker_out);
  g_test_message ("stats: hatake %s", out);
  g_assert_true (g_regex_match (shape, docker_out, 0, NULL));
  g_assert_true (g_regex_match (shape, out, 0, &match));
  rx = g_match_info_fetch (match, 1);
  g_assert_cmpfloat (g_ascii_strtod (rx, NULL), >=, 4.0);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "box", NULL), ==, 0);
}

/* Published ports are the running container's: none once it stopped (its network's teardown
 * may still be under way when stop returns), theirs again when it starts */
static void
test_ports_after_stop (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "web", "-p", "127.0.0.1::80", image, "sleep", "300", NULL),
                   ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f", "{{json .NetworkSettings.Ports}}", "web", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "{}\n");
  g_clear_pointer (&out, g_free);
  for (guint round = 0; round < 2; round++)
    {
      g_assert_cmpint (docker (f, NULL, NULL, "start", "web", NULL), ==, 0);
      g_assert_cmpint (docker (f, &out, NULL, "port", "web", NULL), ==, 0);
      g_assert_true (g_str_has_prefix (out, "80/tcp -> 127.0.0.1:"));
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (docker (f, NULL, NULL, "stop", "-t", "0", "web", NULL), ==, 0);
      g_assert_cmpint (docker (f, &out, NULL, "port", "web", NULL), ==, 0);
      g_assert_cmpstr (out, ==, "");
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (docker (f, &out, NULL, "inspect", "-f", "{{json .NetworkSettings.Ports}}", "web", NULL), ==, 0);
      g_assert_cmpstr (out, ==, "{}\n");
      g_clear_pointer (&out, g_free);
    }
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "web", NULL), ==, 0);
}

/* docker's pre-defined networks: bridge, host and none are listed and inspected; none of them
 * can be made again, removed or pruned; host and none take no container by connect */
static void
test_builtin_networks (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "network", "create", "mine", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "bridge bridge local\nhost host local\nmine bridge local\nnone null local\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "network", "ls", "-f", "type=builtin", "--format", "{{.Name}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "bridge\nhost\nnone\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "network", "ls", "-f", "type=custom", "--format", "{{.Name}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "mine\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "network", "inspect", "-f", "{{.Name}} {{.Driver}} {{len .IPAM.Config}}", "host",
                           "none", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "host host 0\nnone null 0\n");
  g_clear_pointer (&out, g_free);

  for (guint i = 0; i < 3; i++)
    {
      const char *name = (const char *[]) { "bridge", "host", "none" }[i];
      g_autofree char *expected = g_strdup_printf ("%s is a pre-defined network and cannot be removed", name);

      g_assert_cmpint (docker (f, NULL, &err, "network", "rm", name, NULL), !=, 0);
      g_assert_nonnull (strstr (err, expected));
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (docker (f, NULL, &err, "network", "create", name, NULL), !=, 0);
      g_assert_nonnull (strstr (err, "already exists"));
      g_clear_pointer (&err, g_free);
    }

  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", "cc", image, "true", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, &err, "network", "connect", "host", "cc", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "container cannot be disconnected from host network or connected to host network"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "cc", NULL), ==, 0);

  g_assert_cmpint (docker (f, NULL, NULL, "network", "prune", "-f", NULL), ==, 0);
  g_assert_cmpint (docker (f, &out, NULL, "network", "ls", "--format", "{{.Name}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "bridge\nhost\nnone\n");
}

/* docker top with ps's options: the host's ps runs with them, its lines of the container's
 * processes only; ps output without a PID column, and a ps that fails, are errors saying so */
static void
test_top (Fixture *f, gconstpointer data)
{
  g_autofree char *busybox = NULL, *out = NULL, *err = NULL, *pid = NULL, *expected = NULL;

  if (!require ())
    return;
  busybox = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", busybox, NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "topper", "--network", "none", busybox,
                           "sleep", "301", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "other", "--network", "none", busybox,
                           "sleep", "302", NULL), ==, 0);
  g_assert_cmpint (docker (f, &pid, NULL, "inspect", "--format", "{{.State.Pid}}", "topper", NULL), ==, 0);
  g_strstrip (pid);

  g_assert_cmpint (docker (f, &out, NULL, "top", "topper", "-o", "pid,args", NULL), ==, 0);
  expected = g_strdup_printf ("PID                 COMMAND\n%-19s sleep 301\n", pid);
  g_assert_cmpstr (out, ==, expected);
  g_clear_pointer (&out, g_free);
  /* BSD style: the last column keeps its spaces */
  g_assert_cmpint (docker (f, &out, NULL, "top", "topper", "aux", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "USER"));
  g_assert_nonnull (strstr (out, "sleep 301\n"));
  g_assert_null (strstr (out, "sleep 302"));
  g_clear_pointer (&out, g_free);
  /* hatake's own CLI through the same socket */
  {
    g_autofree char *host = g_strconcat ("unix://", f->socket, NULL);
    const char *argv[] = { HATAKE_CLI, "-H", host, "top", "topper", "-o", "pid,comm", NULL };
    int status = -1;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_true (g_str_has_prefix (out, "PID"));
    g_assert_nonnull (strstr (out, "sleep\n"));
  }

  g_assert_cmpint (docker (f, NULL, &err, "top", "topper", "-o", "comm", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "Couldn't find PID field in ps output"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "top", "topper", "--no-such-option", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "Error running ps"));
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "topper", "other", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api-inspect/config", Fixture, NULL, fixture_set_up, test_config, fixture_tear_down);
  g_test_add ("/api-inspect/stats", Fixture, NULL, fixture_set_up, test_stats, fixture_tear_down);
  g_test_add ("/api-inspect/ports-after-stop", Fixture, NULL, fixture_set_up, test_ports_after_stop, fixture_tear_down);
  g_test_add ("/api-inspect/top", Fixture, NULL, fixture_set_up, test_top, fixture_tear_down);
  g_test_add ("/api-inspect/builtin-networks", Fixture, NULL, fixture_set_up, test_builtin_networks, fixture_tear_down);
  return g_test_run ();
}
