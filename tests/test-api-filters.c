/* test-api-filters.c: `docker ps` filters and the exit codes of a command that cannot be run,
 * through `hatake serve` with the real docker CLI
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Most containers here are only created (or run with --network none): the filters read what a
 * container was made with, and a start costs a network's setup.
 */
#include "config.h"

#include <gio/gio.h>

#include <string.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

/* docker ps -a --filter FILTER: the names, newest first, a line each; the filter must be taken */
static char *
ps (Fixture    *f,
    const char *filter)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = docker (f, &out, &err, "ps", "-a", "--format", "{{.Names}}", "--filter", filter, NULL);

  if (status != 0)
    g_test_message ("ps --filter %s: %s", filter, err);
  g_assert_cmpint (status, ==, 0);
  return g_steal_pointer (&out);
}

/* docker ps -a --filter FILTER, which must be refused: its message */
static char *
ps_refused (Fixture    *f,
            const char *filter)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (docker (f, NULL, &err, "ps", "-a", "--filter", filter, NULL), ==, 1);
  return g_steal_pointer (&err);
}

/* docker create --name NAME ARGS… IMAGE true (a macro: docker() takes the arguments as they come) */
#define create(f, image, name, ...) \
  g_assert_cmpint (docker (f, NULL, NULL, "create", "--name", name, __VA_ARGS__, image, "true", NULL), ==, 0)

/* exited=: the exit code of the containers that ran and stopped, not of one only created */
static void
test_exited (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, NULL, "run", "--network", "none", "--name", "killed", image, "sh", "-c",
                           "exit 137", NULL), ==, 137);
  g_assert_cmpint (docker (f, NULL, NULL, "run", "--network", "none", "--name", "fine", image, "true", NULL), ==, 0);
  create (f, image, "fresh", "--network", "none");

  out = ps (f, "exited=137");
  g_assert_cmpstr (out, ==, "killed\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "exited=0");
  g_assert_cmpstr (out, ==, "fine\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "exited=1");
  g_assert_cmpstr (out, ==, "");
  /* either code */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &out, NULL, "ps", "-a", "--format", "{{.Names}}", "--filter", "exited=0", "--filter",
                           "exited=137", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "fine\nkilled\n");
  err = ps_refused (f, "exited=x");
  g_assert_nonnull (strstr (err, "invalid filter 'exited=x'"));
}

/* before= and since=: by name or ID, the containers created before or after it (not itself) */
static void
test_before_since (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *id = NULL, *filter = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  create (f, image, "first", "--network", "none");
  create (f, image, "second", "--network", "none");
  create (f, image, "third", "--network", "none");

  out = ps (f, "before=second");
  g_assert_cmpstr (out, ==, "first\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "since=second");
  g_assert_cmpstr (out, ==, "third\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "since=third");
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (docker (f, &id, NULL, "inspect", "--format", "{{.Id}}", "third", NULL), ==, 0);
  filter = g_strdup_printf ("before=%.12s", trimmed (id));
  out = ps (f, filter);
  g_assert_cmpstr (out, ==, "second\nfirst\n");
  /* docker's daemon: a 404 for a container that is not there */
  err = ps_refused (f, "before=nosuch");
  g_assert_nonnull (strstr (err, "No such container: nosuch"));
}

/* volume=: a mount's volume name, a bind's source, or where it is mounted */
static void
test_volume (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *dir = NULL, *bind = NULL, *filter = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  dir = g_build_filename (f->root, "bound", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  bind = g_strconcat (dir, ":/mnt/bound", NULL);
  create (f, image, "named", "--network", "none", "-v", "filtervol:/data");
  create (f, image, "bound", "--network", "none", "-v", bind);
  create (f, image, "bare", "--network", "none");

  out = ps (f, "volume=filtervol");
  g_assert_cmpstr (out, ==, "named\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "volume=/data");
  g_assert_cmpstr (out, ==, "named\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "volume=/mnt/bound");
  g_assert_cmpstr (out, ==, "bound\n");
  g_clear_pointer (&out, g_free);
  filter = g_strconcat ("volume=", dir, NULL);
  out = ps (f, filter);
  g_assert_cmpstr (out, ==, "bound\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "volume=nosuchvolume");
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-v", "named", NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "volume", "rm", "filtervol", NULL), ==, 0);
}

/* network=: a network the container is on, by name (none by the container's mode) */
static void
test_network (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  create (f, image, "isolated", "--network", "none");
  create (f, image, "bridged", "--network", "bridge");

  out = ps (f, "network=none");
  g_assert_cmpstr (out, ==, "isolated\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "network=bridge");
  g_assert_cmpstr (out, ==, "bridged\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "network=nosuchnet");
  g_assert_cmpstr (out, ==, "");
}

/* publish= is the container ports published, expose= those exposed (the published ones too),
 * PORT[/PROTO] or a range, tcp unless said */
static void
test_ports (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  create (f, image, "published", "-p", "127.0.0.1:18080:80");
  create (f, image, "exposed", "--network", "none", "--expose", "9000-9001/udp");
  create (f, image, "closed", "--network", "none");

  out = ps (f, "publish=80");
  g_assert_cmpstr (out, ==, "published\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "publish=79-81/tcp");
  g_assert_cmpstr (out, ==, "published\n");
  g_clear_pointer (&out, g_free);
  /* the host's port is not it */
  out = ps (f, "publish=18080");
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  out = ps (f, "publish=80/udp");
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  out = ps (f, "publish=9001/udp");
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  out = ps (f, "expose=80");
  g_assert_cmpstr (out, ==, "published\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "expose=9001/udp");
  g_assert_cmpstr (out, ==, "exposed\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "expose=9000-9005");
  g_assert_cmpstr (out, ==, "");
  err = ps_refused (f, "publish=18080:80");
  g_assert_nonnull (strstr (err, "should not contain ':'"));
}

/* Keys docker does not know and statuses it has not are a 400; is-task=true lists nothing */
static void
test_invalid (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *err = NULL, *body = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  create (f, image, "one", "--network", "none");

  err = ps_refused (f, "status=bogus");
  g_assert_nonnull (strstr (err, "invalid filter 'status=bogus'"));
  g_clear_pointer (&err, g_free);
  err = ps_refused (f, "bogus=1");
  g_assert_nonnull (strstr (err, "invalid filter 'bogus'"));
  g_clear_pointer (&err, g_free);
  err = ps_refused (f, "is-task=maybe");
  g_assert_nonnull (strstr (err, "invalid filter 'is-task=maybe'"));
  g_assert_cmpuint (http (f, "GET", "/containers/json?all=1&filters=%7B%22status%22%3A%5B%22bogus%22%5D%7D", NULL,
                          NULL, &body), ==, 400);
  g_assert_nonnull (strstr (body, "invalid filter 'status=bogus'"));

  out = ps (f, "is-task=true");
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  out = ps (f, "is-task=false");
  g_assert_cmpstr (out, ==, "one\n");
  g_clear_pointer (&out, g_free);
  out = ps (f, "status=created");
  g_assert_cmpstr (out, ==, "one\n");
}

/* A command that cannot be run: docker's CLI exits 127 or 126 by the words of the start's error,
 * and an exec's by the exit code the engine gives it */
static void
test_exit_codes (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *err = NULL, *host = NULL, *cli_err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--network", "none", image, "nonexistentcmd", NULL), ==, 127);
  g_assert_nonnull (strstr (err, "exec: \"nonexistentcmd\": executable file not found in $PATH"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--network", "none", image, "/nonexistent/cmd", NULL), ==,
                   127);
  g_assert_nonnull (strstr (err, "exec: \"/nonexistent/cmd\": no such file or directory"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--network", "none", image, "/etc", NULL), ==, 126);
  g_assert_nonnull (strstr (err, "exec: \"/etc\": permission denied"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (docker (f, NULL, &err, "run", "--rm", "--network", "none", image, "/etc/passwd", NULL), ==, 126);
  g_assert_nonnull (strstr (err, "exec: \"/etc/passwd\": permission denied"));

  /* hatake's own CLI through the API: the same codes */
  host = g_strconcat ("unix://", f->socket, NULL);
  {
    const char *argv[] = { HATAKE_CLI, "-H", host, "run", "--rm", "--network", "none", image, "nonexistentcmd", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &cli_err, &status, &error);
    g_assert_no_error (error);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 127);
  }
  {
    const char *argv[] = { HATAKE_CLI, "-H", host, "run", "--rm", "--network", "none", image, "/etc", NULL };

    g_clear_pointer (&cli_err, g_free);
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &cli_err, &status, &error);
    g_assert_no_error (error);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 126);
  }

  /* exec: 126 for a command that is not there (docker's daemon's), a command's own 255 kept */
  g_assert_cmpint (docker (f, NULL, NULL, "run", "-d", "--network", "none", "--name", "box", image, "sleep", "300",
                           NULL), ==, 0);
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "box", "nonexistentcmd", NULL), ==, 126);
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "box", "/etc", NULL), ==, 126);
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "-t", "box", "nonexistentcmd", NULL), ==, 126);
  g_assert_cmpint (docker (f, NULL, NULL, "exec", "box", "sh", "-c", "exit 255", NULL), ==, 255);
  g_assert_cmpint (docker (f, NULL, NULL, "rm", "-f", "box", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api-filters/exited", Fixture, NULL, fixture_set_up, test_exited, fixture_tear_down);
  g_test_add ("/api-filters/before-since", Fixture, NULL, fixture_set_up, test_before_since, fixture_tear_down);
  g_test_add ("/api-filters/volume", Fixture, NULL, fixture_set_up, test_volume, fixture_tear_down);
  g_test_add ("/api-filters/network", Fixture, NULL, fixture_set_up, test_network, fixture_tear_down);
  g_test_add ("/api-filters/ports", Fixture, NULL, fixture_set_up, test_ports, fixture_tear_down);
  g_test_add ("/api-filters/invalid", Fixture, NULL, fixture_set_up, test_invalid, fixture_tear_down);
  g_test_add ("/api-filters/exit-codes", Fixture, NULL, fixture_set_up, test_exit_codes, fixture_tear_down);
  return g_test_run ();
}
