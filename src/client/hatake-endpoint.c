/* hatake-endpoint.c: where an engine is and how to reach it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdlib.h>
#include <string.h>

#include "hatake-endpoint.h"
#include "hatake-error.h"

G_DEFINE_BOXED_TYPE (HatakeEndpoint, hatake_endpoint, hatake_endpoint_copy, hatake_endpoint_free)

HatakeEndpoint *
hatake_endpoint_new (const char *host)
{
  HatakeEndpoint *self = g_new0 (HatakeEndpoint, 1);

  self->host = g_strdup (host);
  return self;
}

HatakeEndpoint *
hatake_endpoint_copy (const HatakeEndpoint *self)
{
  HatakeEndpoint *copy = g_new0 (HatakeEndpoint, 1);

  copy->host = g_strdup (self->host);
  copy->ca_file = g_strdup (self->ca_file);
  copy->cert_file = g_strdup (self->cert_file);
  copy->key_file = g_strdup (self->key_file);
  copy->tls = self->tls;
  copy->skip_verify = self->skip_verify;
  return copy;
}

void
hatake_endpoint_free (HatakeEndpoint *self)
{
  if (self == NULL)
    return;
  g_free (self->host);
  g_free (self->ca_file);
  g_free (self->cert_file);
  g_free (self->key_file);
  g_free (self);
}

gboolean
hatake_endpoint_uses_tls (const HatakeEndpoint *self)
{
  return g_str_has_prefix (self->host, "tcp://") &&
         (self->tls || self->skip_verify || self->ca_file != NULL || self->cert_file != NULL);
}

static gboolean
bad_host (const char *host, const char *why, GError **error)
{
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, _("Cannot use the engine address “%s”: %s"), host, why);
  return FALSE;
}

/* HOST[:PORT] (an IPv6 address in brackets), with nothing after it but an optional "/" */
static gboolean
parse_authority (const char *host, const char *authority, char **name, guint16 *port, GError **error)
{
  g_autofree char *copy = g_strdup (authority);
  char *slash = strchr (copy, '/');
  char *colon;
  char *end = NULL;
  guint64 number;

  if (slash != NULL)
    {
      if (slash[1] != '\0')
        return bad_host (host, _("a path is not allowed here"), error);
      *slash = '\0';
    }
  if (copy[0] == '[')
    {
      char *close = strchr (copy, ']');

      if (close == NULL)
        return bad_host (host, _("an IPv6 address is not closed by “]”"), error);
      *close = '\0';
      *name = g_strdup (copy + 1);
      colon = close[1] == ':' ? close + 1 : NULL;
      if (colon == NULL && close[1] != '\0')
        return bad_host (host, _("unexpected text after the address"), error);
    }
  else
    {
      colon = strrchr (copy, ':');
      *name = colon != NULL ? g_strndup (copy, colon - copy) : g_strdup (copy);
    }
  if (**name == '\0')
    return bad_host (host, _("no host name"), error);
  *port = 0;
  if (colon != NULL)
    {
      number = g_ascii_strtoull (colon + 1, &end, 10);
      if (colon[1] == '\0' || *end != '\0' || number == 0 || number > 65535)
        return bad_host (host, _("the port is not a number from 1 to 65535"), error);
      *port = (guint16) number;
    }
  return TRUE;
}

gboolean
hatake_endpoint_parse (const HatakeEndpoint  *self,
                       HatakeEndpointKind    *kind,
                       char                 **path_or_host,
                       guint16               *port,
                       char                 **user,
                       GError               **error)
{
  const char *host = self->host;
  g_autofree char *name = NULL;
  g_autofree char *login = NULL;
  guint16 number = 0;

  if (host == NULL || *host == '\0')
    return bad_host ("", _("it is empty"), error);
  if (g_str_has_prefix (host, "unix://"))
    {
      const char *path = host + strlen ("unix://");

      if (*path != '/')
        return bad_host (host, _("a unix:// address needs an absolute path (unix:///PATH)"), error);
      *kind = HATAKE_ENDPOINT_UNIX;
      name = g_strdup (path);
    }
  else if (g_str_has_prefix (host, "tcp://"))
    {
      if (!parse_authority (host, host + strlen ("tcp://"), &name, &number, error))
        return FALSE;
      *kind = HATAKE_ENDPOINT_TCP;
      /* docker's defaults: 2376 with TLS, 2375 without */
      if (number == 0)
        number = hatake_endpoint_uses_tls (self) ? 2376 : 2375;
    }
  else if (g_str_has_prefix (host, "ssh://"))
    {
      const char *rest = host + strlen ("ssh://");
      const char *at = strchr (rest, '@');

      if (at != NULL)
        {
          login = g_strndup (rest, at - rest);
          rest = at + 1;
          if (*login == '\0')
            return bad_host (host, _("an empty user name"), error);
        }
      if (!parse_authority (host, rest, &name, &number, error))
        return FALSE;
      /* it reaches ssh's command line: nothing ssh could take for an option */
      if (name[0] == '-' || (login != NULL && login[0] == '-'))
        return bad_host (host, _("a host or user may not start with “-”"), error);
      *kind = HATAKE_ENDPOINT_SSH;
    }
  else
    {
      const char *separator = strstr (host, "://");
      g_autofree char *scheme = separator ? g_strndup (host, separator - host) : NULL;
      g_autofree char *why = scheme ? g_strdup_printf (_("%s:// is not supported (unix://, tcp:// and ssh:// are)"), scheme)
                                    : g_strdup (_("it names no scheme (unix://, tcp:// or ssh://)"));

      return bad_host (host, why, error);
    }
  *path_or_host = g_steal_pointer (&name);
  if (port != NULL)
    *port = number;
  if (user != NULL)
    *user = g_steal_pointer (&login);
  return TRUE;
}
