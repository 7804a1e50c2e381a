/* hatake-oci-devices.c: docker's --device, as the OCI spec's linux.devices and device cgroup rules
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * As docker: a device node of the host is made at the same major and minor, mode and owner inside
 * the container, and allowed in its device cgroup with the permissions asked (rwm by default). A
 * symbolic link named on the command line is followed (/dev/cdrom); a folder brings every device
 * node under it (--device /dev/snd), its own links not followed, each at the same place under
 * the container's path.
 *
 * Every container that is not privileged has docker's device cgroup: everything denied but
 * making nodes and the few devices a program expects (null, zero, full, random, urandom, tty,
 * console, ptmx and the ptys, tun), /dev/fuse denied. Without it a container's CAP_MKNOD would
 * open any device of the host: its disks, /dev/kmsg.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "hatake-container-config.h"
#include "hatake-oci-spec.h"

/* deeper than any /dev has folders; a bound on a walk of whatever folder was named */
#define MAX_DEPTH 16

static void add_rule (JsonArray *rules, gboolean allow, const char *type, int major_number, int minor_number,
                      const char *access);

static void
add_node (JsonArray         *nodes,
          JsonArray         *rules,
          const char        *in_path,
          const struct stat *st,
          const char        *permissions)
{
  JsonObject *node = json_object_new ();
  const char *type = S_ISCHR (st->st_mode) ? "c" : "b";

  json_object_set_string_member (node, "path", in_path);
  json_object_set_string_member (node, "type", type);
  json_object_set_int_member (node, "major", major (st->st_rdev));
  json_object_set_int_member (node, "minor", minor (st->st_rdev));
  json_object_set_int_member (node, "fileMode", st->st_mode & 07777);
  json_object_set_int_member (node, "uid", st->st_uid);
  json_object_set_int_member (node, "gid", st->st_gid);
  json_array_add_object_element (nodes, node);

  add_rule (rules, TRUE, type, major (st->st_rdev), minor (st->st_rdev), permissions);
}

static gboolean
add_folder (JsonArray   *nodes,
            JsonArray   *rules,
            const char  *host,
            const char  *in_path,
            const char  *permissions,
            guint        depth,
            GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (depth > MAX_DEPTH)
    return TRUE;
  dir = g_dir_open (host, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (host, name, NULL);
      g_autofree char *inside = g_build_filename (in_path, name, NULL);
      struct stat st;

      if (lstat (path, &st) != 0)
        continue;
      if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        add_node (nodes, rules, inside, &st, permissions);
      else if (S_ISDIR (st.st_mode) && !add_folder (nodes, rules, path, inside, permissions, depth + 1, error))
        return FALSE;
    }
  return TRUE;
}

static void
add_rule (JsonArray *rules, gboolean allow, const char *type, int major_number, int minor_number, const char *access)
{
  JsonObject *rule = json_object_new ();

  json_object_set_boolean_member (rule, "allow", allow);
  if (type != NULL)
    json_object_set_string_member (rule, "type", type);
  /* (-1: any, left out) */
  if (major_number >= 0)
    json_object_set_int_member (rule, "major", major_number);
  if (minor_number >= 0)
    json_object_set_int_member (rule, "minor", minor_number);
  json_object_set_string_member (rule, "access", access);
  json_array_add_object_element (rules, rule);
}

JsonArray *
hatake_oci_spec_default_device_rules (void)
{
  static const struct { int major_number, minor_number; } allowed[] = {
    { 1, 3 } /* null */, { 1, 5 } /* zero */, { 1, 7 } /* full */, { 1, 8 } /* random */, { 1, 9 } /* urandom */,
    { 5, 0 } /* tty */, { 5, 1 } /* console */, { 5, 2 } /* ptmx */, { 136, -1 } /* pts */, { 10, 200 } /* tun */,
  };
  JsonArray *rules = json_array_new ();

  add_rule (rules, FALSE, NULL, -1, -1, "rwm");
  /* (before the wildcard: runc's cgroup v1 rules cannot take a hole out of "c *:* m" after it) */
  add_rule (rules, FALSE, "c", 10, 229, "rwm");
  add_rule (rules, TRUE, "c", -1, -1, "m");
  add_rule (rules, TRUE, "b", -1, -1, "m");
  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    add_rule (rules, TRUE, "c", allowed[i].major_number, allowed[i].minor_number, "rwm");
  return rules;
}

JsonArray *
hatake_oci_spec_devices (const char * const  *devices,
                         JsonArray          **rules,
                         GError             **error)
{
  g_autoptr(JsonArray) nodes = json_array_new ();
  g_autoptr(JsonArray) allowed = json_array_new ();

  g_return_val_if_fail (rules != NULL, NULL);

  for (guint i = 0; devices != NULL && devices[i] != NULL; i++)
    {
      g_autofree char *host = NULL, *in_path = NULL, *permissions = NULL;
      struct stat st;

      if (!hatake_device_parse (devices[i], &host, &in_path, &permissions, error))
        return NULL;
      /* (stat: a link named here is followed, as docker follows it) */
      if (stat (host, &st) != 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("error gathering device information while adding custom device “%s”: %s"), host,
                       g_strerror (errsv));
          return NULL;
        }
      if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        add_node (nodes, allowed, in_path, &st, permissions);
      else if (S_ISDIR (st.st_mode))
        {
          g_autoptr(GError) local = NULL;

          if (!add_folder (nodes, allowed, host, in_path, permissions, 0, &local))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("error gathering device information while adding custom device “%s”: %s"), host,
                           local->message);
              return NULL;
            }
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("error gathering device information while adding custom device “%s”: not a device node"),
                       host);
          return NULL;
        }
    }
  *rules = g_steal_pointer (&allowed);
  return g_steal_pointer (&nodes);
}
