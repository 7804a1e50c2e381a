/* hatake-log-time.c: the timestamps of conmon's log records, and --since/--until
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Split from hatake-logs.c (over 1,500 lines); declared in hatake-logs.h.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hatake-logs.h"

/* ---- timestamps -------------------------------------------------------------------------------- */

/* Howard Hinnant's days_from_civil / civil_from_days: exact for any proleptic Gregorian date,
 * without GDateTime, which keeps only microseconds and allocates. */
static gint64
days_from_civil (gint64 y,
                 int    m,
                 int    d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 gint64 *out_y,
                 int    *out_m,
                 int    *out_d)
{
  gint64 era, doe, yoe, y, doy, mp;
  int m;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *out_d = (int) (doy - (153 * mp + 2) / 5 + 1);
  m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *out_m = m;
  *out_y = y + (m <= 2);
}

char *
hatake_log_format_timestamp (gint64 ns)
{
  gint64 secs = ns / G_GINT64_CONSTANT (1000000000);
  gint64 frac = ns % G_GINT64_CONSTANT (1000000000);
  gint64 days, sod, y;
  int m, d;

  if (frac < 0)
    {
      frac += G_GINT64_CONSTANT (1000000000);
      secs--;
    }
  days = secs / 86400;
  sod = secs % 86400;
  if (sod < 0)
    {
      sod += 86400;
      days--;
    }
  civil_from_days (days, &y, &m, &d);
  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02d-%02dT%02d:%02d:%02d.%09dZ",
                          y, m, d, (int) (sod / 3600), (int) (sod / 60 % 60), (int) (sod % 60),
                          (int) frac);
}

typedef struct
{
  gint64   year;
  int      month, day, hour, minute, second;
  gint64   nanos;
  gboolean has_time;
  gboolean has_zone;
  int      offset;   /* seconds east of UTC */
} Rfc3339;

static gboolean
read_digits (const char **p,
             const char  *end,
             int          n,
             int         *out)
{
  int v = 0;

  if (end - *p < n)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

/* YYYY-MM-DD[(T|t| )HH:MM[:SS[.F…]]][Z|±HH:MM|±HHMM]; a date alone only if ALLOW_DATE. */
static gboolean
parse_rfc3339 (const char *p,
               const char *end,
               gboolean    allow_partial,
               Rfc3339    *out)
{
  int y;

  memset (out, 0, sizeof *out);
  if (!read_digits (&p, end, 4, &y) || p == end || *p++ != '-' ||
      !read_digits (&p, end, 2, &out->month) || p == end || *p++ != '-' ||
      !read_digits (&p, end, 2, &out->day))
    return FALSE;
  out->year = y;
  if (out->month < 1 || out->month > 12 || out->day < 1 || out->day > 31)
    return FALSE;
  if (p == end)
    return allow_partial;
  if (*p != 'T' && *p != 't' && *p != ' ')
    return FALSE;
  p++;
  out->has_time = TRUE;
  if (!read_digits (&p, end, 2, &out->hour) || p == end || *p++ != ':' ||
      !read_digits (&p, end, 2, &out->minute))
    return FALSE;
  if (p < end && *p == ':')
    {
      p++;
      if (!read_digits (&p, end, 2, &out->second))
        return FALSE;
      if (p < end && (*p == '.' || *p == ','))
        {
          int n = 0;

          p++;
          while (p < end && g_ascii_isdigit (*p))
            {
              if (n < 9)
                {
                  out->nanos = out->nanos * 10 + (*p - '0');
                  n++;
                }
              p++;
            }
          if (n == 0)
            return FALSE;
          for (; n < 9; n++)
            out->nanos *= 10;
        }
    }
  else if (!allow_partial)
    return FALSE;
  if (out->hour > 23 || out->minute > 59 || out->second > 60)
    return FALSE;
  if (p == end)
    return allow_partial;
  if (*p == 'Z' || *p == 'z')
    {
      p++;
      out->has_zone = TRUE;
    }
  else if (*p == '+' || *p == '-')
    {
      int sign = *p++ == '-' ? -1 : 1;
      int hh, mm;

      if (!read_digits (&p, end, 2, &hh))
        return FALSE;
      if (p < end && *p == ':')
        p++;
      if (!read_digits (&p, end, 2, &mm) || hh > 23 || mm > 59)
        return FALSE;
      out->offset = sign * (hh * 3600 + mm * 60);
      out->has_zone = TRUE;
    }
  return p == end;
}

static gint64
seconds_to_ns (gint64 secs,
               gint64 nanos)
{
  /* ns since 1970 end in 2262: later (and earlier) times saturate rather than overflow */
  if (secs >= G_MAXINT64 / G_GINT64_CONSTANT (1000000000))
    return G_MAXINT64;
  if (secs <= G_MININT64 / G_GINT64_CONSTANT (1000000000))
    return G_MININT64;
  return secs * G_GINT64_CONSTANT (1000000000) + nanos;
}

static gint64
rfc3339_to_utc_ns (const Rfc3339 *t)
{
  gint64 secs = days_from_civil (t->year, t->month, t->day) * 86400 +
                t->hour * 3600 + t->minute * 60 + t->second - t->offset;

  return seconds_to_ns (secs, t->nanos);
}

gboolean
hatake_log_parse_timestamp (const char *text,
                            gsize       length,
                            gint64     *out_ns)
{
  Rfc3339 t;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!parse_rfc3339 (text, text + length, FALSE, &t) || !t.has_zone)
    return FALSE;
  if (out_ns)
    *out_ns = rfc3339_to_utc_ns (&t);
  return TRUE;
}

/* Go's time.ParseDuration, as docker uses it: a sequence of decimal numbers with units. */
static gboolean
parse_duration (const char *p,
                gint64     *out_ns)
{
  static const struct { const char *unit; gint64 ns; } units[] = {
    { "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "ms", 1000000 },
    { "s", G_GINT64_CONSTANT (1000000000) }, { "m", G_GINT64_CONSTANT (60000000000) },
    { "h", G_GINT64_CONSTANT (3600000000000) },
  };
  double total = 0;

  if (*p == '\0')
    return FALSE;
  while (*p)
    {
      const char *start = p;
      double value;
      gsize best = 0;
      gint64 scale = 0;
      char *num_end;

      while (g_ascii_isdigit (*p) || *p == '.')
        p++;
      if (p == start)
        return FALSE;
      {
        g_autofree char *num = g_strndup (start, p - start);

        value = g_ascii_strtod (num, &num_end);
        if (*num_end != '\0')
          return FALSE;
      }
      for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
        {
          gsize len = strlen (units[i].unit);

          if (strncmp (p, units[i].unit, len) == 0 && len > best)
            {
              best = len;
              scale = units[i].ns;
            }
        }
      if (best == 0)
        return FALSE;
      p += best;
      total += value * (double) scale;
    }
  if (total > (double) G_MAXINT64)
    return FALSE;
  *out_ns = (gint64) total;
  return TRUE;
}

gboolean
hatake_log_parse_since (const char  *text,
                        gint64       now_ns,
                        gint64      *out_ns,
                        GError     **error)
{
  gint64 ns;
  Rfc3339 t;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_ns != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (parse_duration (text, &ns))
    {
      *out_ns = now_ns - ns;
      return TRUE;
    }

  /* unix seconds, with up to nine digits of fraction */
  {
    const char *p = text;
    gint64 secs = 0, frac = 0;
    int n = 0;

    while (g_ascii_isdigit (*p) && p - text < 18)
      secs = secs * 10 + (*p++ - '0');
    if (p > text && (*p == '\0' || *p == '.'))
      {
        gboolean ok = TRUE;

        if (*p == '.')
          {
            p++;
            while (g_ascii_isdigit (*p) && n < 9)
              {
                frac = frac * 10 + (*p++ - '0');
                n++;
              }
            ok = n > 0 && *p == '\0';
            for (; n < 9; n++)
              frac *= 10;
          }
        if (ok)
          {
            *out_ns = seconds_to_ns (secs, frac);
            return TRUE;
          }
      }
  }

  if (parse_rfc3339 (text, text + strlen (text), TRUE, &t))
    {
      if (t.has_zone)
        *out_ns = rfc3339_to_utc_ns (&t);
      else
        {
          g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
          g_autoptr(GDateTime) dt = g_date_time_new (tz, (int) t.year, t.month, t.day,
                                                     t.hour, t.minute, t.second);

          if (dt == NULL)
            goto invalid;
          *out_ns = seconds_to_ns (g_date_time_to_unix (dt), t.nanos);
        }
      return TRUE;
    }

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("“%s” is neither a time (2006-01-02T15:04:05Z, 1700000000.5) nor a duration (10m, 1h30m)"),
               text);
  return FALSE;
}
