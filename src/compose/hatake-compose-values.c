/* hatake-compose-values.c: the scalar forms compose files write: durations, sizes, booleans,
 * ports and volume specs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <string.h>

#include "hatake-compose-private.h"

/* Go's time.ParseDuration, as compose reads healthcheck.interval or stop_grace_period: "1m30s",
 * "1.5h", "500ms", "2us"; "0" alone needs no unit. Negative durations are refused. */
gboolean
_hatake_compose_parse_duration (const char *text,
                                gint64     *usec)
{
  static const struct { const char *unit; gint64 ns; } units[] = {
    { "ns", 1 }, { "us", 1000 }, { "\302\265s", 1000 }, { "\316\274s", 1000 },
    { "ms", 1000000 }, { "s", G_GINT64_CONSTANT (1000000000) },
    { "m", G_GINT64_CONSTANT (60000000000) }, { "h", G_GINT64_CONSTANT (3600000000000) },
  };
  const char *p = text;
  double total = 0;

  if (text == NULL || *p == '\0')
    return FALSE;
  if (*p == '+')
    p++;
  if (g_str_equal (p, "0"))
    {
      *usec = 0;
      return TRUE;
    }
  if (*p == '\0')
    return FALSE;
  while (*p != '\0')
    {
      const char *start = p;
      double whole = 0, frac = 0, scale = 1;
      gsize best = 0;
      gint64 ns = 0;

      while (g_ascii_isdigit (*p))
        {
          whole = whole * 10 + (*p - '0');
          p++;
          if (whole > 1e18)
            return FALSE;
        }
      if (*p == '.')
        {
          p++;
          while (g_ascii_isdigit (*p))
            {
              scale /= 10;
              frac += (*p - '0') * scale;
              p++;
            }
        }
      if (p == start || (p - start == 1 && *start == '.'))
        return FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        {
          gsize n = strlen (units[i].unit);

          /* the longest unit that matches: "ms" before "m" */
          if (n > best && strncmp (p, units[i].unit, n) == 0)
            {
              best = n;
              ns = units[i].ns;
            }
        }
      if (best == 0)
        return FALSE;
      p += best;
      total += (whole + frac) * (double) ns;
      if (total > 9.2e18)
        return FALSE;
    }
  *usec = (gint64) (total / 1000);
  return TRUE;
}

/* docker's RAMInBytes: "512m", "1g", "1024k", "1.5gb", "100", binary units */
gboolean
_hatake_compose_parse_size (const char *text,
                            gint64     *bytes)
{
  const char *p = text;
  double value = 0, scale = 1, mult = 1;
  gboolean digits = FALSE;

  if (text == NULL)
    return FALSE;
  while (g_ascii_isdigit (*p))
    {
      value = value * 10 + (*p++ - '0');
      digits = TRUE;
      if (value > 1e19)
        return FALSE;
    }
  if (!digits)
    return FALSE;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        {
          scale /= 10;
          value += (*p++ - '0') * scale;
        }
    }
  if (*p == ' ')
    p++;
  switch (g_ascii_tolower (*p))
    {
    case 'k': mult = 1024.0; p++; break;
    case 'm': mult = 1024.0 * 1024; p++; break;
    case 'g': mult = 1024.0 * 1024 * 1024; p++; break;
    case 't': mult = 1024.0 * 1024 * 1024 * 1024; p++; break;
    case 'p': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; p++; break;
    default: break;
    }
  if (mult > 1 && g_ascii_tolower (*p) == 'i')
    p++;
  if (g_ascii_tolower (*p) == 'b')
    p++;
  if (*p != '\0' || value * mult > 9.2e18)
    return FALSE;
  *bytes = (gint64) (value * mult);
  return TRUE;
}

gboolean
_hatake_compose_parse_bool (const char *text,
                            gboolean   *value)
{
  static const char * const yes[] = { "true", "yes", "y", "on" };
  static const char * const no[] = { "false", "no", "n", "off" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0)
      {
        *value = TRUE;
        return TRUE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    if (g_ascii_strcasecmp (text, no[i]) == 0)
      {
        *value = FALSE;
        return TRUE;
      }
  return FALSE;
}

static gboolean
parse_port_number (const char *text,
                   guint16    *port,
                   gboolean    zero_ok)
{
  guint64 n;

  if (text[0] == '\0' || !g_ascii_string_to_unsigned (text, 10, zero_ok ? 0 : 1, 65535, &n, NULL))
    return FALSE;
  *port = (guint16) n;
  return TRUE;
}

static gboolean
parse_port_range (const char *text,
                  guint16    *start,
                  guint16    *end)
{
  const char *dash = strchr (text, '-');
  g_autofree char *first = NULL;

  if (dash == NULL)
    {
      if (!parse_port_number (text, start, FALSE))
        return FALSE;
      *end = *start;
      return TRUE;
    }
  first = g_strndup (text, (gsize) (dash - text));
  return parse_port_number (first, start, FALSE) && parse_port_number (dash + 1, end, FALSE) && *end >= *start;
}

void
_hatake_compose_port_free (HatakeComposePort *port)
{
  if (port == NULL)
    return;
  g_free (port->host_ip);
  g_free (port->protocol);
  g_free (port->mode);
  g_free (port->name);
  g_free (port);
}

/* [ip:][host[-range]:]container[-range][/proto], ip in brackets for IPv6 */
gboolean
_hatake_compose_parse_port (const char *text,
                            GPtrArray  *ports)
{
  g_autofree char *spec = g_strdup (text);
  g_autofree char *ip = NULL;
  const char *host = NULL;
  const char *container;
  const char *protocol = "tcp";
  char *slash = strrchr (spec, '/');
  char *rest = spec;
  char *colon;
  HatakeComposePort port = { 0 };

  if (slash != NULL)
    {
      *slash = '\0';
      protocol = slash + 1;
      if (!g_str_equal (protocol, "tcp") && !g_str_equal (protocol, "udp") && !g_str_equal (protocol, "sctp"))
        return FALSE;
    }
  if (rest[0] == '[')
    {
      char *close = strchr (rest, ']');

      if (close == NULL || close[1] != ':')
        return FALSE;
      ip = g_strndup (rest + 1, (gsize) (close - rest - 1));
      rest = close + 2;
      colon = strrchr (rest, ':');
      if (colon == NULL)
        return FALSE;
      *colon = '\0';
      host = rest;
      container = colon + 1;
    }
  else
    {
      colon = strrchr (rest, ':');
      if (colon == NULL)
        container = rest;
      else
        {
          char *host_colon;

          *colon = '\0';
          container = colon + 1;
          host_colon = strrchr (rest, ':');
          if (host_colon == NULL)
            host = rest;
          else
            {
              *host_colon = '\0';
              host = host_colon + 1;
              ip = g_strdup (rest);
              if (ip[0] == '\0')
                return FALSE;
            }
        }
    }
  if (!parse_port_range (container, &port.target, &port.target_end))
    return FALSE;
  if (host != NULL && host[0] != '\0')
    {
      if (!parse_port_range (host, &port.published, &port.published_end))
        return FALSE;
      /* two ranges must be as long; a host range for one port lets the engine pick among them */
      if (port.target_end != port.target &&
          port.published_end - port.published != port.target_end - port.target)
        return FALSE;
    }
  else if (host != NULL && ip == NULL)
    return FALSE;   /* ":80" */
  {
    HatakeComposePort *p = g_new0 (HatakeComposePort, 1);

    *p = port;
    p->host_ip = g_steal_pointer (&ip);
    p->protocol = g_strdup (protocol);
    p->mode = g_strdup ("ingress");
    g_ptr_array_add (ports, p);
  }
  return TRUE;
}

char *
_hatake_compose_port_key (const HatakeComposePort *port)
{
  g_autofree char *published = port->published == 0 ? g_strdup ("") :
    port->published_end != port->published ? g_strdup_printf ("%u-%u", port->published, port->published_end) :
    g_strdup_printf ("%u", port->published);
  g_autofree char *target = port->target_end != port->target ?
    g_strdup_printf ("%u-%u", port->target, port->target_end) : g_strdup_printf ("%u", port->target);

  return g_strdup_printf ("%s|%s|%s|%s", port->host_ip ? port->host_ip : "", published, target, port->protocol);
}

char *
_hatake_compose_volume_target (const char *spec)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", -1);
  guint n = g_strv_length (parts);

  if (n == 1)
    return g_strdup (parts[0]);
  if (n == 2 || n == 3)
    return g_strdup (parts[1]);
  return NULL;
}
