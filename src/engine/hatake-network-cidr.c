/* hatake-network-cidr.c: IPv4 addresses and subnets, parsed and formatted
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>

#include "hatake-network-private.h"

gboolean
_hatake_ipv4_parse (const char *text,
                    guint32    *out)
{
  struct in_addr a;

  if (text == NULL || inet_pton (AF_INET, text, &a) != 1)
    return FALSE;
  *out = ntohl (a.s_addr);
  return TRUE;
}

/* docker's: 02:42 and the address's four bytes. The same address always has the same MAC: a
 * container made again with the address of one just removed is reached at once, where a new
 * random MAC left the host's neighbour entry for the address pointing at the old one until it
 * went stale (some 30 s without an answer on a published port). */
char *
_hatake_ipv4_mac (const char *ip)
{
  guint32 a = 0;

  if (!_hatake_ipv4_parse (ip, &a))
    return g_strdup ("");
  return g_strdup_printf ("02:42:%02x:%02x:%02x:%02x", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

char *
_hatake_ipv4_format (guint32 address)
{
  char buf[INET_ADDRSTRLEN];
  struct in_addr a = { .s_addr = htonl (address) };

  return g_strdup (inet_ntop (AF_INET, &a, buf, sizeof buf));
}

guint32
_hatake_prefix_mask (guint prefix)
{
  return prefix == 0 ? 0 : (guint32) (0xffffffffu << (32 - prefix));
}

gboolean
_hatake_cidr_parse (const char *text,
                    HatakeCidr *out)
{
  g_auto(GStrv) parts = text ? g_strsplit (text, "/", 2) : NULL;
  guint64 prefix;
  guint32 address;

  if (parts == NULL || parts[0] == NULL || parts[1] == NULL || !_hatake_ipv4_parse (parts[0], &address) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, 32, &prefix, NULL))
    return FALSE;
  out->prefix = prefix;
  out->base = address & _hatake_prefix_mask (prefix);
  return TRUE;
}

char *
_hatake_cidr_format (HatakeCidr c)
{
  g_autofree char *a = _hatake_ipv4_format (c.base);

  return g_strdup_printf ("%s/%u", a, c.prefix);
}

gboolean
_hatake_cidr_overlaps (HatakeCidr a,
                       HatakeCidr b)
{
  guint prefix = MIN (a.prefix, b.prefix);

  return (a.base & _hatake_prefix_mask (prefix)) == (b.base & _hatake_prefix_mask (prefix));
}

gboolean
_hatake_cidr_contains (HatakeCidr    c,
                       guint32 address)
{
  return (address & _hatake_prefix_mask (c.prefix)) == c.base;
}
