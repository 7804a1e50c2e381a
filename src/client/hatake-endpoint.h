/* hatake-endpoint.h: where an engine is and how to reach it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  HATAKE_ENDPOINT_UNIX,   /* unix:///PATH */
  HATAKE_ENDPOINT_TCP,    /* tcp://HOST[:PORT], plain HTTP or TLS */
  HATAKE_ENDPOINT_SSH,    /* ssh://[USER@]HOST[:PORT], through the system's ssh and dial-stdio */
} HatakeEndpointKind;

/* What docker's contexts and its -H/--tls* options say of an engine. The TLS files are paths
 * (PEM); without a CA the system's trust is used. TLS is used on tcp:// when asked (tls), and
 * whenever a certificate or CA is given, as docker does. */
typedef struct
{
  char     *host;
  char     *ca_file;
  char     *cert_file;
  char     *key_file;
  gboolean  tls;
  gboolean  skip_verify;
} HatakeEndpoint;

#define HATAKE_TYPE_ENDPOINT (hatake_endpoint_get_type ())
GType               hatake_endpoint_get_type   (void) G_GNUC_CONST;

HatakeEndpoint     *hatake_endpoint_new        (const char            *host);
HatakeEndpoint     *hatake_endpoint_copy       (const HatakeEndpoint  *self);
void                hatake_endpoint_free       (HatakeEndpoint        *self);

/* The host's parts: KIND, and for unix:// the PATH, for tcp:// and ssh:// the HOST, PORT (0 when
 * not given) and for ssh:// the USER (NULL when not given). Fails with HATAKE_ERROR_CONFIG naming
 * what is wrong (an unknown scheme, no path, a bad port, a path after an ssh host). */
gboolean            hatake_endpoint_parse      (const HatakeEndpoint  *self,
                                                HatakeEndpointKind    *kind,
                                                char                 **path_or_host,
                                                guint16               *port,
                                                char                 **user,
                                                GError               **error);
/* Whether TLS is used: tcp:// with tls, a CA or a certificate */
gboolean            hatake_endpoint_uses_tls   (const HatakeEndpoint  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeEndpoint, hatake_endpoint_free)

G_END_DECLS
