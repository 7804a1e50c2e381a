/* hatake-network-claims.c: the subnets a new network may not take: the host's routes, docker's
 * and podman's default networks, and those the engines of this machine's other data roots use
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One machine may run several engines, each on a data root of its own (hatake serve, the app, a
 * test's, a second user's --data-root), and each draws its networks' subnets from the same pool.
 * The host's routes show only the bridges that are up: two engines whose networks have no
 * container yet would take the same subnet, and once both bridges came up the host would route
 * that subnet to one of them only. So every engine claims the subnets of its networks in a folder
 * all of them share, beside netavark's lock: RUN_BASE/subnets/A.B.C.D-PREFIX, holding the data
 * root that claims it. A claim is made with O_EXCL, so two engines picking at once cannot both
 * win. A claim whose data root is gone, or whose data root no longer has a network on that
 * subnet (it crashed between the removal and the unclaim), is stale and taken over. The folder
 * is on the run dir's tmpfs: after a reboot each engine claims its networks again as it starts.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gstdio.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hatake-json.h"
#include "hatake-network-private.h"

#define CLAIM_YOUNG_S 60

/* RUN_DIR (STATE_DIR's parent), spelled without "..": a path through STATE_DIR/.. does not
 * resolve before netavark's first run makes that folder. */
static char *
run_dir (HatakeNetworks *self)
{
  return g_path_get_dirname (self->state_dir);
}

static char *
claims_dir (HatakeNetworks *self)
{
  g_autofree char *run = run_dir (self);
  g_autofree char *base = g_path_get_dirname (run);

  return g_build_filename (base, "subnets", NULL);
}

/* "10.90.3.0/24" ↔ "10.90.3.0-24" (a file name) */
static char *
claim_path (HatakeNetworks *self,
            const char     *subnet)
{
  g_autofree char *dir = claims_dir (self);
  g_autofree char *name = g_strdelimit (g_strdup (subnet), "/", '-');

  return g_build_filename (dir, name, NULL);
}

static char *
data_root (HatakeNetworks *self)
{
  g_autofree char *root = g_path_get_dirname (self->dir);

  return g_canonicalize_filename (root, NULL);
}

/* Whether OWNER (a data root) still has a network on SUBNET. */
static gboolean
owner_uses (const char *owner,
            const char *subnet)
{
  g_autofree char *networks = g_build_filename (owner, "networks", NULL);
  g_autofree char *needle = g_strdup_printf ("\"%s\"", subnet);
  g_autoptr(GDir) dir = g_dir_open (networks, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (networks, name, NULL);
      g_autofree char *text = NULL;

      if (g_str_has_suffix (name, ".json") && g_file_get_contents (path, &text, NULL, NULL) &&
          strstr (text, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The data root the claim at PATH names, or NULL. */
static char *
read_claim (const char *path)
{
  g_autofree char *owner = NULL;

  if (!g_file_get_contents (path, &owner, NULL, NULL) || *g_strstrip (owner) == '\0')
    return NULL;
  return g_steal_pointer (&owner);
}

/* Whether OWNER's claim at PATH stands. A claim is made a moment before its network is saved: a
 * young one stands while its data root exists. */
static gboolean
claim_is_live (const char *path,
               const char *owner,
               const char *subnet)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0 || !g_file_test (owner, G_FILE_TEST_IS_DIR))
    return FALSE;
  return st.st_mtime + CLAIM_YOUNG_S >= (gint64) (g_get_real_time () / G_USEC_PER_SEC) || owner_uses (owner, subnet);
}

/* The subnets ("A.B.C.D/P") other data roots' engines claim. */
GPtrArray *
_hatake_networks_claimed_elsewhere (HatakeNetworks *self)
{
  g_autofree char *dir_path = claims_dir (self);
  g_autofree char *root = data_root (self);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *subnet = g_strdelimit (g_strdup (name), "-", '/');
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *owner = read_claim (path);

      if (owner == NULL || g_str_equal (owner, root))
        continue;
      /* (a data root that is gone, removed without its networks, claims nothing) */
      if (!g_file_test (owner, G_FILE_TEST_IS_DIR))
        g_unlink (path);
      else if (claim_is_live (path, owner, subnet))
        g_ptr_array_add (out, g_steal_pointer (&subnet));
    }
  return out;
}

/* Claims SUBNET for this data root. FALSE when another live data root holds it; NULL in *OWNER
 * or that root. A claim that cannot be written (no run dir) does not stop anything. */
gboolean
_hatake_networks_claim (HatakeNetworks  *self,
                        const char      *subnet,
                        char           **other)
{
  g_autofree char *dir = claims_dir (self);
  g_autofree char *path = claim_path (self, subnet);
  g_autofree char *root = data_root (self);
  g_autofree char *text = g_strconcat (root, "\n", NULL);

  if (other != NULL)
    *other = NULL;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return TRUE;
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      g_autofree char *owner = NULL;

      if (fd >= 0)
        {
          gboolean written = write (fd, text, strlen (text)) == (gssize) strlen (text);

          close (fd);
          if (!written)
            g_unlink (path);
          return TRUE;
        }
      if (errno != EEXIST)
        return TRUE;
      owner = read_claim (path);
      if (owner != NULL && g_str_equal (owner, root))
        return TRUE;
      if (owner != NULL && claim_is_live (path, owner, subnet))
        {
          if (other != NULL)
            *other = g_steal_pointer (&owner);
          return FALSE;
        }
      /* stale: taken over */
      g_unlink (path);
    }
  return TRUE;
}

/* Gives SUBNET's claim back, if it is this data root's. */
void
_hatake_networks_unclaim (HatakeNetworks *self,
                          const char     *subnet)
{
  g_autofree char *path = claim_path (self, subnet);
  g_autofree char *root = data_root (self);
  g_autofree char *owner = read_claim (path);

  if (owner != NULL && g_str_equal (owner, root))
    g_unlink (path);
}

/* The subnets a new network must not overlap ("A.B.C.D/P"): the host's IPv4 routes (not the
 * default one), the networks docker and podman make, and other engines' claims. */
GPtrArray *
_hatake_networks_reserved_subnets (HatakeNetworks *self)
{
  GPtrArray *out = _hatake_networks_claimed_elsewhere (self);
  g_autofree char *routes = NULL;

  g_ptr_array_add (out, g_strdup ("172.17.0.0/16"));   /* docker0 */
  g_ptr_array_add (out, g_strdup ("10.88.0.0/16"));    /* podman */
  if (g_file_get_contents ("/proc/net/route", &routes, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (routes, "\n", -1);

      for (guint i = 1; lines[i] != NULL; i++)
        {
          g_auto(GStrv) f = g_strsplit_set (lines[i], " \t", -1);
          g_autoptr(GPtrArray) fields = g_ptr_array_new ();
          guint32 dest, mask;

          for (guint j = 0; f[j] != NULL; j++)
            if (f[j][0] != '\0')
              g_ptr_array_add (fields, f[j]);
          if (fields->len < 8)
            continue;
          dest = ntohl ((guint32) g_ascii_strtoull (fields->pdata[1], NULL, 16));
          mask = ntohl ((guint32) g_ascii_strtoull (fields->pdata[7], NULL, 16));
          if (mask == 0)
            continue;
          dest &= mask;
          g_ptr_array_add (out, g_strdup_printf ("%u.%u.%u.%u/%d", dest >> 24, (dest >> 16) & 0xff, (dest >> 8) & 0xff,
                                                 dest & 0xff, __builtin_popcount (mask)));
        }
    }
  return out;
}

/* The subnets ("A.B.C.D/P") of this data root's networks. */
static GPtrArray *
own_subnets (HatakeNetworks *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->dir, name, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonArray *config;
      JsonObject *first;

      if (!g_str_has_suffix (name, ".json") || !json_parser_load_from_file (parser, path, NULL) ||
          !hatake_json_root_is (parser, JSON_NODE_OBJECT))
        continue;
      config = hatake_json_array_member (hatake_json_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                                    "IPAM"), "Config");
      first = config && json_array_get_length (config) > 0 ? hatake_json_array_object (config, 0) : NULL;
      if (first != NULL && json_object_has_member (first, "Subnet"))
        g_ptr_array_add (out, g_strdup (json_object_get_string_member (first, "Subnet")));
    }
  return out;
}

/* At start: this data root's subnets claimed again where they are not (after a reboot: the
 * claims live on a tmpfs); a claim that is there already is one small read. */
void
_hatake_networks_reclaim (HatakeNetworks *self)
{
  g_autoptr(GPtrArray) subnets = own_subnets (self);

  for (guint i = 0; i < subnets->len; i++)
    {
      g_autofree char *owner = NULL;

      if (!_hatake_networks_claim (self, g_ptr_array_index (subnets, i), &owner))
        g_message ("Subnet %s of %s is used by the engine of %s too",
                   (const char *) g_ptr_array_index (subnets, i), self->dir, owner);
    }
}
