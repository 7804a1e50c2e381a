/* hatake-network-links.c: a container's veths deleted without netavark, for a teardown that
 * leaves its networks up
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A teardown beside others (a "shared" one, hatake-network-queue.c: every network of the
 * container stays up for another, and it publishes no port) has nothing network-wide to undo:
 * no firewall rule names such a container (checked: iptables-save and ip6tables-save are the same
 * with and without it), and its aardvark-dns names are taken out by the caller. What is left is
 * its veths, which netavark 1.4 deletes from inside the container's namespace, by their names,
 * after its own start-up and an iptables and an ip6tables run: ~70 ms, on the way of every
 * bridged `docker run --rm`, whose removal waits for it. The same deletions are made here, from
 * a thread that enters the namespace (~30 ms, most of it the kernel's wait for RCU).
 *
 * Deleting a veth's end deletes its peer: the host's end leaves the bridge before the address is
 * given back. Only what is inside the container's own namespace is touched, by name, as netavark
 * does: what a container with CAP_NET_ADMIN did to its interfaces can mislead nothing on the
 * host's side. (Unmounting the namespace alone would let the kernel destroy it with its veths
 * some milliseconds later, but the host ends are known only from inside, where the container
 * could have changed them, and a copy of the mount in another mount namespace keeps it alive.)
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hatake-json.h"
#include "hatake-network-private.h"

typedef struct
{
  struct nlmsghdr  header;
  struct ifinfomsg info;
  char             attributes[64];
} LinkRequest;

/* Deletes the interface NAME of the calling thread's namespace: 0, or -errno (-ENODEV: none) */
static int
delete_link (int fd, const char *name)
{
  LinkRequest request = { 0 };
  struct rtattr *attribute;
  char buffer[1024] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  struct nlmsghdr *answer = (struct nlmsghdr *) buffer;
  size_t length = strlen (name) + 1;
  ssize_t n;

  if (length > IFNAMSIZ)
    return -EINVAL;
  request.header.nlmsg_len = NLMSG_LENGTH (sizeof (struct ifinfomsg));
  request.header.nlmsg_type = RTM_DELLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.info.ifi_family = AF_UNSPEC;
  attribute = (struct rtattr *) ((char *) &request + NLMSG_ALIGN (request.header.nlmsg_len));
  attribute->rta_type = IFLA_IFNAME;
  attribute->rta_len = RTA_LENGTH (length);
  memcpy (RTA_DATA (attribute), name, length);
  request.header.nlmsg_len = NLMSG_ALIGN (request.header.nlmsg_len) + RTA_ALIGN (attribute->rta_len);

  if (send (fd, &request, request.header.nlmsg_len, 0) < 0)
    return -errno;
  do
    n = recv (fd, buffer, sizeof buffer, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  if (!NLMSG_OK (answer, n) || answer->nlmsg_type != NLMSG_ERROR)
    return -EBADMSG;
  return ((struct nlmsgerr *) NLMSG_DATA (answer))->error;
}

typedef struct
{
  int          netns;
  GStrv        names;
  int          error;   /* errno */
  const char  *failed;  /* what failed */
} Deletion;

/* In a thread of its own, which enters the container's namespace and ends there: the engine's
 * other threads (and what they spawn) stay in the host's. */
static gpointer
delete_thread (gpointer user_data)
{
  Deletion *deletion = user_data;
  int fd;

  if (setns (deletion->netns, CLONE_NEWNET) != 0)
    {
      deletion->error = errno;
      deletion->failed = "setns";
      return NULL;
    }
  fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    {
      deletion->error = errno;
      deletion->failed = "netlink";
      return NULL;
    }
  for (guint i = 0; deletion->names[i] != NULL; i++)
    {
      int code = delete_link (fd, deletion->names[i]);

      if (code != 0 && code != -ENODEV)
        {
          deletion->error = -code;
          deletion->failed = deletion->names[i];
          break;
        }
    }
  close (fd);
  return NULL;
}

/* The interfaces OPTIONS gives the container, one per network */
static GStrv
interface_names (JsonNode *options)
{
  JsonObject *networks = hatake_json_object_member (json_node_get_object (options), "networks");
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(GList) members = networks ? json_object_get_members (networks) : NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = json_object_get_string_member_with_default (
        hatake_json_object_member (networks, l->data), "interface_name", NULL);
      if (name != NULL)
        g_strv_builder_add (names, name);
    }
  return g_strv_builder_end (names);
}

gboolean
_hatake_networks_delete_veths (const char  *netns,
                               JsonNode    *options,
                               GError     **error)
{
  g_auto(GStrv) names = interface_names (options);
  Deletion deletion = { .names = names };
  GThread *thread;
  g_autoptr(GError) thread_error = NULL;

  deletion.netns = open (netns, O_RDONLY | O_CLOEXEC);
  if (deletion.netns < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot open %s: %s"), netns,
                   g_strerror (errsv));
      return FALSE;
    }
  thread = g_thread_try_new ("hatake-netns", delete_thread, &deletion, &thread_error);
  if (thread == NULL)
    {
      close (deletion.netns);
      g_propagate_error (error, g_steal_pointer (&thread_error));
      return FALSE;
    }
  g_thread_join (thread);
  close (deletion.netns);
  if (deletion.error != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (deletion.error),
                   _("Cannot delete the interfaces of %s (%s): %s"), netns, deletion.failed,
                   g_strerror (deletion.error));
      return FALSE;
    }
  return TRUE;
}
