/* hatake-proxy.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <string.h>

#include "hatake-proxy.h"

static const char *
getenv_either (const char *upper, const char *lower)
{
  const char *value = g_getenv (upper);

  if (value == NULL || *value == '\0')
    value = g_getenv (lower);
  return value != NULL && *value != '\0' ? value : NULL;
}

/* Proxies as docker takes them: HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case forms)
 * from the environment, never for the machine itself (localhost, loopback addresses), and "*" in
 * NO_PROXY for none at all. NULL when no proxy is set, for "proxy-resolver" of a SoupSession.
 * Not GIO's default resolver, which follows the desktop's proxy settings (docker does not) and
 * loads libproxy, with its C++ runtime, and dconf into hatake serve at its first pull: over 1 MB
 * of its idle memory. */
GProxyResolver *
hatake_proxy_resolver_new_from_env (void)
{
  const char *https_proxy = getenv_either ("HTTPS_PROXY", "https_proxy");
  const char *http_proxy = getenv_either ("HTTP_PROXY", "http_proxy");
  const char *no_proxy = getenv_either ("NO_PROXY", "no_proxy");
  g_autoptr(GStrvBuilder) ignore = g_strv_builder_new ();
  g_auto(GStrv) ignore_hosts = NULL;
  GProxyResolver *resolver;

  g_strv_builder_add_many (ignore, "localhost", "127.0.0.0/8", "::1", NULL);
  if (no_proxy != NULL)
    {
      g_auto(GStrv) entries = g_strsplit (no_proxy, ",", -1);

      for (guint i = 0; entries[i] != NULL; i++)
        {
          g_strstrip (entries[i]);
          if (g_str_equal (entries[i], "*"))
            https_proxy = http_proxy = NULL;
          else if (*entries[i] != '\0')
            g_strv_builder_add (ignore, entries[i]);
        }
    }
  /* none: libsoup then connects directly, never asking GIO for its default resolver (which
   * GLib 2.74 fetches for every connection that may use one, loading libproxy) */
  if (http_proxy == NULL && https_proxy == NULL)
    return NULL;
  ignore_hosts = g_strv_builder_end (ignore);
  resolver = g_simple_proxy_resolver_new (NULL, ignore_hosts);
  if (http_proxy != NULL)
    g_simple_proxy_resolver_set_uri_proxy (G_SIMPLE_PROXY_RESOLVER (resolver), "http", http_proxy);
  if (https_proxy != NULL)
    g_simple_proxy_resolver_set_uri_proxy (G_SIMPLE_PROXY_RESOLVER (resolver), "https", https_proxy);
  return resolver;
}
