/* hatake-registry-private.h: internals of the registry client, exposed for its unit tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-registry.h"

G_BEGIN_DECLS

/* "https://HOST" or, for a loopback or insecure host, "http://HOST". */
char     *_hatake_registry_base_url         (HatakeRegistry *self,
                                             const char     *host);
gboolean  _hatake_registry_host_is_insecure (HatakeRegistry *self,
                                             const char     *host);

/* Parses one WWW-Authenticate challenge: returns the scheme in lower case ("bearer", "basic")
 * and its parameters (keys lower case) in *out_params. NULL when it does not parse. */
char     *_hatake_registry_parse_challenge  (const char     *header,
                                             GHashTable    **out_params);

/* The backoff before retry number `attempt` (0-based), honouring a Retry-After value. */
guint     _hatake_registry_backoff_ms       (guint           attempt,
                                             const char     *retry_after);

G_END_DECLS
