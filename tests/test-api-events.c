/* test-api-events.c: the container events of operations, as `docker events` shows docker's: a
 * kill's signal, a stop's and a restart's, exec_create / exec_start / exec_die with the exec's ID
 * and exit code, attach; each with the container's name and image, in docker's order
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <string.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

/* `docker events` of one container between since and now, one "ACTION SIGNAL EXITCODE" line each */
static char *
events_of (Fixture    *f,
           const char *since,
           const char *container)
{
  g_autofree char *until = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);
  g_autofree char *filter = g_strconcat ("container=", container, NULL);
  char *out = NULL;

  g_assert_cmpint (docker (f, &out, NULL, "events", "--since", since, "--until", until, "--filter", filter,
                           "--format", "{{.Action}}|{{with .Actor.Attributes.signal}}{{.}}{{end}}|"
                           "{{with .Actor.Attributes.exitCode}}{{.}}{{end}}|{{.Actor.Attributes.name}}", NULL), ==, 0);
  return out;
}

static void
test_operations (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *since = NULL, *out = NULL, *exec_id = NULL, *expected = NULL, *err = NULL;
  g_autofree char *body = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "pull", "-q", image, NULL), ==, 0);
  since = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC - 1);

  /* busybox sleep as PID 1 ignores SIGUSR1 and SIGTERM: the stop's grace period ends in a SIGKILL */
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "ev", "--network", "none", image, "sleep", "300",
                           NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "ev", "sh", "-c", "exit 3", NULL), ==, 3);
  g_assert_cmpint (docker (f, NULL, NULL, "kill", "-s", "USR1", "ev", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "stop", "-t", "1", "ev", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "restart", "ev", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "ev", NULL), ==, 0);

  out = events_of (f, since, "ev");
  g_assert_cmpstr (out, ==,
                   "create|||ev\n"
                   "start|||ev\n"
                   "exec_create: sh -c exit 3|||ev\n"
                   "exec_start: sh -c exit 3|||ev\n"
                   "exec_die||3|ev\n"
                   "kill|10||ev\n"
                   "kill|15||ev\n"
                   "kill|9||ev\n"
                   "die||137|ev\n"
                   "stop|||ev\n"
                   "start|||ev\n"
                   "restart|||ev\n"
                   "kill|9||ev\n"
                   "die||137|ev\n"
                   "destroy|||ev\n");

  /* an exec made through the API: its exec_die names it */
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "ev2", "--network", "none", image, "sleep", "300",
                           NULL), ==, 0);
  g_assert_cmpuint (http (f, "POST", "/containers/ev2/exec", "{\"Cmd\": [\"true\"]}", NULL, &body), ==, 201);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
    exec_id = g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "Id"));
  }
  g_clear_pointer (&body, g_free);
  {
    g_autofree char *path = g_strdup_printf ("/exec/%s/start", exec_id);

    g_assert_cmpuint (http (f, "POST", path, "{\"Detach\": true}", NULL, &body), ==, 200);
  }
  /* (a detached exec: its end comes a little later) */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *until = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);

      g_clear_pointer (&out, g_free);
      g_assert_cmpint (docker (f, &out, NULL, "events", "--since", since, "--until", until, "--filter",
                               "container=ev2", "--filter", "event=exec_die", "--format",
                               "{{.Actor.Attributes.execID}} {{.Actor.Attributes.exitCode}} {{.Actor.Attributes.image}}",
                               NULL), ==, 0);
      if (*out != '\0')
        break;
      g_usleep (50 * 1000);
    }
  expected = g_strdup_printf ("%s 0 %s\n", exec_id, image);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "ev2", NULL), ==, 0);

  /* an attached run: attach before the start */
  g_assert_cmpint (docker (f, NULL, &err, "run", "--name", "ev3", "--network", "none", image, "true", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  out = events_of (f, since, "ev3");
  g_assert_cmpstr (out, ==, "create|||ev3\nattach|||ev3\nstart|||ev3\ndie||0|ev3\n");
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "ev3", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api-events/operations", Fixture, NULL, fixture_set_up, test_operations, fixture_tear_down);
  return g_test_run ();
}
