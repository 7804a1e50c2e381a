/* hatake-test-api.h: a `hatake serve` per test, and the real docker CLI and raw HTTP against it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char        *root;
  char        *socket;
  char        *docker_config;
  GSubprocess *server;
  GStrv        serve_args;   /* more arguments for `hatake serve` (set before fixture_start_server) */
  gboolean     serve_no_leak_check;   /* under ASan: no exit-time leak check for this serve (see
                                       * test-api-remote.c's TLS tests) */
  char        *serve_log;    /* when set (before fixture_start_server): the server's output, with its
                              * API's debug messages (a line per request) */
} Fixture;

/* Starts `hatake serve` on a fresh data root (when root and the registry are there). */
void     fixture_set_up    (Fixture       *f,
                            gconstpointer  data);
/* Stops the server (checking it exits cleanly and takes its socket along) and removes everything. */
void     fixture_tear_down (Fixture       *f,
                            gconstpointer  data);
/* The server alone, on the same data root and socket (a restart in the middle of a test). */
void     fixture_start_server (Fixture    *f);
void     fixture_stop_server  (Fixture    *f);
/* Runs `hatake --data-root ROOT ARGS…` (NULL-terminated), output dropped. */
void     hatake_cli        (Fixture       *f,
                            ...) G_GNUC_NULL_TERMINATED;
/* Runs `docker ARGS…` (NULL-terminated) against the server; returns the exit status. */
int      docker            (Fixture       *f,
                            char         **out,
                            char         **err,
                            ...) G_GNUC_NULL_TERMINATED;
/* `docker run --rm --network none ARGS… IMAGE sh -c SCRIPT` (ARGS NULL-terminated) against the
 * server: its output, stderr included; its exit status in STATUS */
char    *docker_run_sh     (Fixture            *f,
                            const char         *image,
                            const char * const *args,
                            const char         *script,
                            int                *status);
/* The same, which must succeed: its output */
char    *docker_run_sh_ok  (Fixture            *f,
                            const char         *image,
                            const char * const *args,
                            const char         *script);
/* One raw HTTP/1.0 exchange on the socket: the status line's code, headers and body. */
guint    http              (Fixture       *f,
                            const char    *method,
                            const char    *path,
                            const char    *body,
                            char         **headers,
                            char         **content);
char    *trimmed           (char          *text);
/* Root, the test registry and the docker CLI; skips without them (fails under CI=true). */
gboolean require           (void);

G_END_DECLS
