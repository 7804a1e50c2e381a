/* hatake-oci-resources.c: docker's --cpuset-cpus, --cpuset-mems and --oom-score-adj, checked as
 * docker's daemon checks them, and where it does not, as the runtime would otherwise fail
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CPU set is docker's list ("0-3,5"); every CPU and memory node in it must be online on this
 * machine (docker reads the root cgroup's cpuset; the kernel's online lists are the same set
 * outside a container, and a node list that does not exist means one node, 0, as the kernel has
 * it without NUMA).
 *
 * An OOM score lower than the engine's own needs CAP_SYS_RESOURCE: without it the runtime's
 * write to /proc/self/oom_score_adj fails and every start of the container would fail with the
 * runtime's "Permission denied". (The kernel's floor is the lowest score a privileged ancestor
 * set, which is not readable; the engine's own score is at or above it, so what is refused here
 * could at worst have worked, never the other way round.)
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <gio/gio.h>

#include "hatake-error.h"
#include "hatake-oci-spec-private.h"

#define CPUS_ONLINE  "/sys/devices/system/cpu/online"
#define NODES_ONLINE "/sys/devices/system/node/online"

typedef struct
{
  guint64 first, last;
} Range;

/* docker's list syntax (its ParseUintList): numbers and ranges "A-B" with A <= B, separated by
 * commas, nothing else; "" is the empty list. FALSE when TEXT is not one. */
static gboolean
parse_list (const char *text,
            GArray    **ranges)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (Range));
  g_auto(GStrv) items = NULL;

  *ranges = NULL;
  if (*text != '\0')
    items = g_strsplit (text, ",", -1);
  for (guint i = 0; items != NULL && items[i] != NULL; i++)
    {
      const char *dash = strchr (items[i], '-');
      g_autofree char *first = g_strndup (items[i], dash != NULL ? (gsize) (dash - items[i]) : strlen (items[i]));
      Range r;

      if (!g_ascii_string_to_unsigned (first, 10, 0, G_MAXUINT32, &r.first, NULL))
        return FALSE;
      r.last = r.first;
      if (dash != NULL && (!g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXUINT32, &r.last, NULL) ||
                           r.last < r.first))
        return FALSE;
      g_array_append_val (out, r);
    }
  *ranges = g_steal_pointer (&out);
  return TRUE;
}

static gboolean
ranges_contain (GArray  *ranges,
                guint64  n)
{
  for (guint i = 0; i < ranges->len; i++)
    if (n >= g_array_index (ranges, Range, i).first && n <= g_array_index (ranges, Range, i).last)
      return TRUE;
  return FALSE;
}

/* Whether every number of REQUESTED is in AVAILABLE (the loop stops at the first above the
 * highest available, so a huge range costs no more than the machine's CPUs) */
static gboolean
ranges_cover (GArray *available,
              GArray *requested)
{
  for (guint i = 0; i < requested->len; i++)
    {
      const Range *r = &g_array_index (requested, Range, i);

      for (guint64 n = r->first; n <= r->last; n++)
        if (!ranges_contain (available, n))
          return FALSE;
    }
  return TRUE;
}

/* The kernel's list at ONLINE_PATH, stripped; ONLINE_DEFAULT when there is no such file (NULL:
 * an error then too) */
static char *
read_online (const char  *online_path,
             const char  *online_default,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *online = NULL;

  if (!g_file_get_contents (online_path, &online, NULL, &local_error))
    {
      if (online_default == NULL || !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", online_path);
          return NULL;
        }
      online = g_strdup (online_default);
    }
  return g_strstrip (online);
}

char *
hatake_oci_spec_online (const char *kind)
{
  g_autoptr(GError) error = NULL;
  char *online = g_str_equal (kind, "cpus") ? read_online (CPUS_ONLINE, NULL, &error)
                                            : read_online (NODES_ONLINE, "0", &error);

  if (online == NULL)
    g_debug ("%s", error->message);
  return online;
}

static gboolean
check_list (const char  *requested,
            const char  *kind,          /* "cpus", "mems": docker's word in its syntax error */
            const char  *online_path,
            const char  *online_default, /* when ONLINE_PATH does not exist */
            GError     **error)
{
  g_autoptr(GArray) wanted = NULL;
  g_autoptr(GArray) available = NULL;
  g_autofree char *online = NULL;

  if (requested == NULL || *requested == '\0')
    return TRUE;
  if (!parse_list (requested, &wanted))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Invalid value %s for cpuset %s"),
                   requested, kind);
      return FALSE;
    }
  online = read_online (online_path, online_default, error);
  if (online == NULL)
    return FALSE;
  if (!parse_list (online, &available))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: not a list of numbers: %s"), online_path, online);
      return FALSE;
    }
  if (!ranges_cover (available, wanted))
    {
      if (g_str_equal (kind, "cpus"))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("Requested CPUs are not available - requested %s, available: %s"), requested, online);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("Requested memory nodes are not available - requested %s, available: %s"), requested, online);
      return FALSE;
    }
  return TRUE;
}

gboolean
hatake_oci_spec_check_cpuset (const char  *cpus,
                              const char  *mems,
                              GError     **error)
{
  return check_list (cpus, "cpus", CPUS_ONLINE, NULL, error) &&
         check_list (mems, "mems", NODES_ONLINE, "0", error);
}

gboolean
hatake_oci_spec_check_oom_score_adj (gint64    score,
                                     GError  **error)
{
  g_autofree char *text = NULL;
  gint64 own;

  if (score < -1000 || score > 1000)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid value %" G_GINT64_FORMAT ", range for oom score adj is [-1000, 1000]"), score);
      return FALSE;
    }
  /* (0 is docker's default, which every container is given when none is asked) */
  if (score == 0 || _hatake_oci_spec_engine_has_capability ("CAP_SYS_RESOURCE"))
    return TRUE;
  if (!g_file_get_contents ("/proc/self/oom_score_adj", &text, NULL, NULL) ||
      !g_ascii_string_to_signed (g_strstrip (text), 10, -1000, 1000, &own, NULL))
    own = 0;
  if (score >= own)
    return TRUE;
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
               _("--oom-score-adj %" G_GINT64_FORMAT ": below the engine's own OOM score adjustment (%" G_GINT64_FORMAT
                 "), which it may not lower (no CAP_SYS_RESOURCE)"), score, own);
  return FALSE;
}
