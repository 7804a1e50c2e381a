/* hatake-proxy.h: HTTP proxies as docker takes them, from the environment
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GProxyResolver *hatake_proxy_resolver_new_from_env (void);

G_END_DECLS
