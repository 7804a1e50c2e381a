/* hatake-cli-private.h: shared by the `hatake` command's files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gi18n.h>

#include "hatake-core.h"
#include "hatake-endpoint.h"

G_BEGIN_DECLS

typedef struct
{
  char *data_root;
  gboolean debug;
  gboolean existing_only;   /* never create a store (conmon's exit command) */
  gboolean local_only;      /* the engine in this process, whatever -H says (serve, system reset) */
  gboolean one_off;         /* the command needs none of the engine's lists and events (run,
                             * create): an engine behind the API is connected to without them */
  char *host;               /* -H, else (without --context) HATAKE_HOST, else DOCKER_HOST: the engine
                             * behind that socket */
  char *context;            /* --context, else (without a host) HATAKE_CONTEXT, else DOCKER_CONTEXT */
  gboolean tls;             /* --tls, --tlsverify, DOCKER_TLS_VERIFY: TLS to a tcp:// host */
  gboolean tls_verify;      /* --tlsverify, DOCKER_TLS_VERIFY: and its certificate checked */
  char *tls_ca;             /* --tlscacert, --tlscert, --tlskey: when given (else docker's files */
  char *tls_cert;           /* in DOCKER_CERT_PATH, ~/.docker, when they exist) */
  char *tls_key;
  GPtrArray *engines;       /* opened by the command: settled before the process exits */
} HatakeCliGlobals;

typedef int (*HatakeCliCommand) (HatakeCliGlobals *globals,
                                 int               argc,
                                 char            **argv);

HatakeEngine *hatake_cli_open_engine   (HatakeCliGlobals  *globals,
                                        GError           **error);
void          hatake_cli_settle        (HatakeCliGlobals  *globals);

/* One object by name (inspect, remove: NULL and no error for "removed") */
typedef JsonNode *(*HatakeCliObjectFunc) (HatakeEngine  *engine,
                                          const char    *name,
                                          GError       **error);
int           hatake_cli_inspect_each  (HatakeEngine       *engine,
                                        int                 argc,
                                        char              **argv,
                                        const char         *format,
                                        HatakeCliObjectFunc lookup);
int           hatake_cli_remove_each   (HatakeEngine       *engine,
                                        int                 argc,
                                        char              **argv,
                                        gboolean            force,
                                        HatakeCliObjectFunc remove);
GAsyncResult *hatake_cli_wait          (gpointer          *result_slot);
void          hatake_cli_store_result  (GObject           *source,
                                        GAsyncResult      *result,
                                        gpointer           user_data);
int           hatake_cli_fail          (GError            *error);
int           hatake_cli_usage_error   (GOptionContext    *context,
                                        const char        *message);
GOptionContext *hatake_cli_option_context (const char     *usage,
                                        const char        *summary,
                                        const GOptionEntry *entries);
/* docker's sizes: "512m", "1g", "1048576", powers of 1024 */
gboolean      hatake_cli_parse_bytes   (const char        *text,
                                        gint64            *out);
/* --memory-swap's value (-1: unlimited); G_OPTION_ERROR_BAD_VALUE naming the flag */
gboolean      hatake_cli_parse_memory_swap (const char    *text,
                                        gint64            *out,
                                        GError           **error);
/* --cpus's value; G_OPTION_ERROR_BAD_VALUE naming the flag */
gboolean      hatake_cli_parse_cpus    (const char        *text,
                                        double            *out,
                                        GError           **error);
char         *hatake_cli_format_size   (gint64             bytes);
char         *hatake_cli_format_binary_size (gint64        bytes);
char         *hatake_cli_format_since  (gint64             unix_seconds);
char         *hatake_cli_format_template (JsonNode        *root,
                                        const char        *template,
                                        GError           **error);
void          hatake_cli_print_json    (JsonNode          *node,
                                        gboolean           pretty);

/* hatake-cli-streams.c, for `run`: print the log (following with options->follow), and attach
 * the terminal (stdin forwarded when WITH_STDIN, raw and resized when TTY) until it closes. */
gboolean     hatake_cli_stream_logs     (HatakeEngine           *engine,
                                         const char             *id,
                                         const HatakeLogOptions *options,
                                         gboolean                timestamps,
                                         GError                **error);
/* The same, begun: the stream goes on while the caller does more (run starts the container);
 * *RESULT is set when it ends, for hatake_engine_container_logs_finish(). */
void         hatake_cli_begin_logs      (HatakeEngine           *engine,
                                         const char             *id,
                                         const HatakeLogOptions *options,
                                         GCancellable           *cancellable,
                                         GAsyncResult          **result);
/* The same in two steps, for run: attach (before the start: nothing is missed), then the
 * terminal once it started; CATCH_UP prints what the log has from before the attach first. */
void         hatake_cli_begin_attach    (HatakeEngine           *engine,
                                         const char             *id,
                                         GAsyncResult          **result);
gboolean     hatake_cli_run_terminal    (HatakeEngine           *engine,
                                         const char             *id,
                                         GAsyncResult          **result,
                                         gboolean                catch_up,
                                         gboolean                with_stdin,
                                         gboolean                tty,
                                         GError                **error);
gboolean     hatake_cli_attach_terminal (HatakeEngine           *engine,
                                         const char             *id,
                                         gboolean                with_stdin,
                                         gboolean                tty,
                                         GError                **error);

HatakeImage *hatake_cli_pull_image (HatakeEngine *engine,
                                    const char   *reference,
                                    const char   *platform,
                                    gboolean      quiet,
                                    GError      **error);

int hatake_cli_pull         (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_create       (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_run          (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_start        (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_stop         (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_restart      (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_kill         (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_pause        (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_unpause      (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_rm           (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_wait_cmd     (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_rename       (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_update       (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_ps           (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_inspect      (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_container_inspect (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_logs         (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_exec         (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_top          (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_diff         (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_volume_create (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_volume_ls    (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_volume_inspect (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_volume_rm    (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_volume_prune (HatakeCliGlobals *globals, int argc, char **argv);

/* hatake-cli-networks.c */
int hatake_cli_network_create (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_network_ls (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_network_inspect (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_network_rm (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_network_connect (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_network_disconnect (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_port (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_network_prune (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_attach       (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_stats        (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_system_reset (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_system_recover (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_images       (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_image_inspect(HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_tag          (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_rmi          (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_system_df    (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_system_dial_stdio (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_serve        (HatakeCliGlobals *globals, int argc, char **argv);

/* hatake-cli-context.c: the engine the command is to use, as docker picks it: -H, the context
 * (--context, HATAKE_CONTEXT, DOCKER_CONTEXT, the current one; HATAKE_HOST and DOCKER_HOST before
 * the last two), its host in *HOST; NULL there for the local engine. */
/* The engine the command names (-H and the --tls options, or a context): NULL in *ENDPOINT for
 * the local engine */
gboolean hatake_cli_context_endpoint (HatakeCliGlobals  *globals,
                                      HatakeEndpoint   **endpoint,
                                      GError           **error);
int hatake_cli_context      (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_context_ls   (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_context_create (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_context_use  (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_context_rm   (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_context_inspect (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_context_show (HatakeCliGlobals *globals, int argc, char **argv);

/* hatake-cli-compose.c */
int hatake_cli_compose      (HatakeCliGlobals *globals, int argc, char **argv);

/* hatake-cli-login.c */
int hatake_cli_login        (HatakeCliGlobals *globals, int argc, char **argv);
int hatake_cli_logout       (HatakeCliGlobals *globals, int argc, char **argv);

G_END_DECLS
