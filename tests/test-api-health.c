/* test-api-health.c: healthchecks run by `hatake serve`, driven and read by the real docker CLI
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Short intervals (200 ms) keep each case within a few seconds. Each state is polled through
 * docker inspect, as a user (or compose's service_healthy) sees it.
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <string.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

/* docker inspect --format FORMAT NAME, trimmed */
static char *
inspect (Fixture    *f,
         const char *name,
         const char *format)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (docker (f, &out, NULL, "inspect", "--format", format, name, NULL), ==, 0);
  return g_strdup (trimmed (out));
}

/* Polls the container's health status until it is want (within seconds); the status seen last */
static char *
wait_health (Fixture    *f,
             const char *name,
             const char *want,
             int         seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  char *status = NULL;

  do
    {
      g_free (status);
      status = inspect (f, name, "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}");
      if (g_str_equal (status, want))
        break;
      g_usleep (50 * 1000);
    }
  while (g_get_monotonic_time () < deadline);
  return status;
}

static JsonObject *
health_object (Fixture    *f,
               const char *name,
               JsonNode  **holder)
{
  g_autofree char *text = inspect (f, name, "{{json .State.Health}}");
  g_autoptr(GError) error = NULL;

  *holder = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*holder));
  return json_node_get_object (*holder);
}

/* A probe that succeeds: starting, then healthy; docker run --health-cmd made it through the API
 * (Config.Healthcheck in nanoseconds); docker ps says (healthy) and filters on it; the event. */
static void
test_healthy (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *id = NULL, *status = NULL, *config = NULL, *out = NULL, *since = NULL;
  g_autofree char *until = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *health;
  JsonArray *log;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  since = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC - 1);
  /* (the first probe comes an interval after the start: starting until then) */
  g_assert_cmpint (docker (f, &id, NULL, "run", "-d", "--name", "ok", "--health-cmd", "echo fine; touch /probed",
                           "--health-interval", "1500ms", "--health-timeout", "5s", "--health-retries", "4",
                           image, "sleep", "300", NULL), ==, 0);
  status = inspect (f, "ok", "{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}");
  g_assert_cmpstr (status, ==, "starting 0 0");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "--format", "{{.Status}}", "--filter", "name=ok", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "(health: starting)"));
  g_clear_pointer (&status, g_free);
  status = wait_health (f, "ok", "healthy", 10);
  g_assert_cmpstr (status, ==, "healthy");

  config = inspect (f, "ok", "{{json .Config.Healthcheck}}");
  g_assert_cmpstr (config, ==, "{\"Test\":[\"CMD-SHELL\",\"echo fine; touch /probed\"],\"Interval\":1500000000,"
                               "\"Timeout\":5000000000,\"Retries\":4}");
  /* it ran in the container */
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "ok", "test", "-e", "/probed", NULL), ==, 0);

  health = health_object (f, "ok", &holder);
  g_assert_cmpint (json_object_get_int_member (health, "FailingStreak"), ==, 0);
  log = json_object_get_array_member (health, "Log");
  g_assert_cmpuint (json_array_get_length (log), >=, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (log, 0), "ExitCode"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (log, 0), "Output"), ==, "fine\n");

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "--format", "{{.Names}} {{.Status}}", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "ok Up "));
  g_assert_nonnull (strstr (out, " (healthy)\n"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-q", "--no-trunc", "--filter", "health=healthy", NULL), ==, 0);
  g_assert_cmpstr (out, ==, id);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-q", "--filter", "health=unhealthy", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");

  g_clear_pointer (&out, g_free);
  until = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);
  g_assert_cmpint (docker (f, &out, NULL, "events", "--since", since, "--until", until, "--filter",
                           "event=health_status", "--format", "{{.Action}} {{.Actor.Attributes.name}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "health_status: healthy ok\n");

  /* stopped, its probes stop; started again, it is starting again */
  g_assert_cmpint (docker (f, NULL, NULL, "stop", "-t", "0", "ok", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "start", "ok", NULL), ==, 0);
  g_clear_pointer (&status, g_free);
  status = inspect (f, "ok", "{{.State.Health.Status}} {{.State.Health.FailingStreak}}");
  g_assert_cmpstr (status, ==, "starting 0");
  g_clear_pointer (&status, g_free);
  status = wait_health (f, "ok", "healthy", 10);
  g_assert_cmpstr (status, ==, "healthy");
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "ok", NULL), ==, 0);
}

/* A probe that fails: starting while fewer than retries failed, then unhealthy with the streak,
 * the log of the last 5 and its output, and docker's event */
static void
test_unhealthy (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *status = NULL, *out = NULL, *since = NULL, *until = NULL;
  g_autoptr(JsonNode) holder = NULL;
  gboolean saw_one_failure = FALSE;
  gint64 deadline;
  JsonObject *health, *last;
  JsonArray *log;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  since = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC - 1);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "bad", "--health-cmd", "echo failing >&2; exit 3",
                           "--health-interval", "1s", "--health-retries", "2", image, "sleep", "300", NULL), ==, 0);
  /* one failure: still starting, its streak 1 */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_free (status);
      status = inspect (f, "bad", "{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}");
      if (g_str_equal (status, "starting 1 1"))
        saw_one_failure = TRUE;
      if (g_str_has_prefix (status, "unhealthy"))
        break;
      g_assert_true (g_str_equal (status, "starting 0 0") || g_str_equal (status, "starting 1 1"));
      g_usleep (50 * 1000);
    }
  g_assert_true (saw_one_failure);
  g_assert_cmpstr (status, ==, "unhealthy 2 2");

  /* it goes on probing: the log keeps the last 5 */
  g_clear_pointer (&status, g_free);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_free (status);
      status = inspect (f, "bad", "{{.State.Health.FailingStreak}}");
      if (atoi (status) >= 6)
        break;
      g_usleep (200 * 1000);
    }
  health = health_object (f, "bad", &holder);
  g_assert_cmpstr (json_object_get_string_member (health, "Status"), ==, "unhealthy");
  g_assert_cmpint (json_object_get_int_member (health, "FailingStreak"), >=, 6);
  log = json_object_get_array_member (health, "Log");
  g_assert_cmpuint (json_array_get_length (log), ==, 5);
  last = json_array_get_object_element (log, 4);
  g_assert_cmpint (json_object_get_int_member (last, "ExitCode"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (last, "Output"), ==, "failing\n");
  g_assert_cmpstr (json_object_get_string_member (last, "Start"), <, json_object_get_string_member (last, "End"));

  g_assert_cmpint (docker (f, &out, NULL, "ps", "--format", "{{.Status}}", "--filter", "name=bad", NULL), ==, 0);
  g_assert_nonnull (strstr (out, " (unhealthy)\n"));
  g_clear_pointer (&out, g_free);
  until = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);
  g_assert_cmpint (docker (f, &out, NULL, "events", "--since", since, "--until", until, "--filter",
                           "event=health_status", "--format", "{{.Action}}", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "health_status: unhealthy\n");
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "bad", NULL), ==, 0);
}

/* Failures within the start period do not count (probed at the start interval there, as docker
 * does: its default is 5 s); after it, they do */
static void
test_start_period (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *status = NULL, *first = NULL;
  gint64 started, deadline;
  int probes_in_period = 0;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  started = g_get_monotonic_time ();
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "warming", "--health-cmd", "exit 1",
                           "--health-interval", "200ms", "--health-retries", "1", "--health-start-period", "5s",
                           "--health-start-interval", "200ms",
                           image, "sleep", "300", NULL), ==, 0);
  /* for 4 s of its 5 (counted from before the run: a loaded machine may take a while to start
   * it): failures logged, still starting with no streak, until three were seen */
  while (probes_in_period < 3 && g_get_monotonic_time () < started + 4 * G_USEC_PER_SEC)
    {
      g_free (status);
      status = inspect (f, "warming", "{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}");
      g_assert_true (g_str_has_prefix (status, "starting 0 "));
      probes_in_period = atoi (status + strlen ("starting 0 "));
      g_usleep (100 * 1000);
    }
  g_assert_cmpint (probes_in_period, >=, 3);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_clear_pointer (&status, g_free);
  status = wait_health (f, "warming", "unhealthy", 10);
  g_assert_cmpstr (status, ==, "unhealthy");
  g_assert_cmpint (g_get_monotonic_time (), <, deadline);
  first = inspect (f, "warming", "{{.State.Health.FailingStreak}}");
  g_assert_cmpint (atoi (first), >=, 1);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "warming", NULL), ==, 0);
}

/* A probe that outlives its timeout fails (exit code -1, docker's message) at the timeout, not at
 * its end, and is killed */
static void
test_timeout (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *status = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *health, *first;
  gint64 started;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  started = g_get_monotonic_time ();
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "slow", "--health-cmd", "sleep 20",
                           "--health-interval", "200ms", "--health-timeout", "300ms", "--health-retries", "1",
                           image, "sleep", "300", NULL), ==, 0);
  status = wait_health (f, "slow", "unhealthy", 10);
  g_assert_cmpstr (status, ==, "unhealthy");
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  health = health_object (f, "slow", &holder);
  first = json_array_get_object_element (json_object_get_array_member (health, "Log"), 0);
  g_assert_cmpint (json_object_get_int_member (first, "ExitCode"), ==, -1);
  g_assert_cmpstr (json_object_get_string_member (first, "Output"), ==, "Health check exceeded timeout (300ms)");
  /* a probe that timed out was killed in the container: they do not pile up (one every 0.5 s
   * for 3 s, each of which would live 20 s); at most the one under way is there */
  {
    g_autofree char *top = NULL;
    g_auto(GStrv) lines = NULL;
    guint probes = 0;

    g_usleep (3 * G_USEC_PER_SEC);
    g_assert_cmpint (docker (f, &top, NULL, "top", "slow", NULL), ==, 0);
    lines = g_strsplit (top, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      probes += strstr (lines[i], "sleep 20") != NULL;
    g_assert_cmpuint (probes, <=, 1);
  }
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "slow", NULL), ==, 0);
}

/* --no-healthcheck: Test NONE, never probed, no State.Health; and a container without any */
static void
test_none (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *config = NULL, *state = NULL, *out = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "off", "--no-healthcheck", image, "sleep", "300",
                           NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--name", "plain", image, "sleep", "300", NULL), ==, 0);
  config = inspect (f, "off", "{{json .Config.Healthcheck}}");
  g_assert_cmpstr (config, ==, "{\"Test\":[\"NONE\"]}");
  g_usleep (500 * 1000);
  state = inspect (f, "off", "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}");
  g_assert_cmpstr (state, ==, "none");
  g_clear_pointer (&state, g_free);
  state = inspect (f, "plain", "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{json .Config.Healthcheck}}");
  g_assert_cmpstr (state, ==, "none null");
  g_assert_cmpint (docker (f, &out, NULL, "ps", "--format", "{{.Names}} {{.Status}}", NULL), ==, 0);
  g_assert_null (strstr (out, "health"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "--format", "{{.Names}}", "--filter", "health=none", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "off\n"));
  g_assert_nonnull (strstr (out, "plain\n"));
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "off", "plain", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api-health/healthy", Fixture, NULL, fixture_set_up, test_healthy, fixture_tear_down);
  g_test_add ("/api-health/unhealthy", Fixture, NULL, fixture_set_up, test_unhealthy, fixture_tear_down);
  g_test_add ("/api-health/start-period", Fixture, NULL, fixture_set_up, test_start_period, fixture_tear_down);
  g_test_add ("/api-health/timeout", Fixture, NULL, fixture_set_up, test_timeout, fixture_tear_down);
  g_test_add ("/api-health/none", Fixture, NULL, fixture_set_up, test_none, fixture_tear_down);
  return g_test_run ();
}
