/* hatake-network-links.c: a container's veths, gone with its network namespace, for a teardown
 * that leaves its networks up
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A teardown beside others (a "shared" one, hatake-network-queue.c: every network of the
 * container stays up for another, and it publishes no port) has nothing network-wide to undo:
 * no firewall rule names such a container (checked: iptables-save and ip6tables-save are the same
 * with and without it), and its aardvark-dns names are taken out by the caller. What is left is
 * its veths. netavark 1.4 deletes them one by one (RTM_DELLINK, ~30 ms each in the kernel,
 * waiting for RCU) after its own start-up and an iptables and an ip6tables run: ~70 ms, on the way
 * of every bridged `docker run --rm`, whose removal waits for it.
 *
 * Here the namespace goes instead: unmounted, with no process left in it, the kernel destroys it
 * and the veths in it, their host ends included (~5 ms here, its clean-up batched). The address
 * must not be given back before the host end has left the bridge (the next container would get
 * it while the old one could still answer for it): the host ends are found first (from inside
 * the namespace, their index is each container end's IFLA_LINK), then their RTM_DELLINK is
 * awaited on a netlink socket subscribed before the unmount. A host end still there after
 * LINGER_MS (something holds the namespace) is deleted outright.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hatake-json.h"
#include "hatake-network-private.h"

#define LINGER_MS 2000

typedef struct
{
  struct nlmsghdr  header;
  struct ifinfomsg info;
  char             attributes[64];
} LinkRequest;

static int
netlink_socket (guint32 groups)
{
  struct sockaddr_nl address = { .nl_family = AF_NETLINK, .nl_groups = groups };
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

  if (fd >= 0 && bind (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      int errsv = errno;
      close (fd);
      errno = errsv;
      return -1;
    }
  return fd;
}

/* Sends REQUEST and reads the first answer into BUFFER: its length, or -errno */
static ssize_t
netlink_ask (int fd, LinkRequest *request, char *buffer, size_t size)
{
  ssize_t n;

  if (send (fd, request, request->header.nlmsg_len, 0) < 0)
    return -errno;
  do
    n = recv (fd, buffer, size, 0);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
}

/* The index (in the namespace its peer lives in) of the peer of the veth NAME in the calling
 * thread's namespace; 0 when there is no such interface; -errno on failure */
static int
veth_peer (int fd, const char *name)
{
  LinkRequest request = { 0 };
  struct rtattr *attribute;
  char buffer[8192] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  struct nlmsghdr *answer = (struct nlmsghdr *) buffer;
  size_t length = strlen (name) + 1;
  ssize_t n;

  if (length > IFNAMSIZ)
    return -EINVAL;
  request.header.nlmsg_len = NLMSG_LENGTH (sizeof (struct ifinfomsg));
  request.header.nlmsg_type = RTM_GETLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST;
  request.info.ifi_family = AF_UNSPEC;
  attribute = (struct rtattr *) ((char *) &request + NLMSG_ALIGN (request.header.nlmsg_len));
  attribute->rta_type = IFLA_IFNAME;
  attribute->rta_len = RTA_LENGTH (length);
  memcpy (RTA_DATA (attribute), name, length);
  request.header.nlmsg_len = NLMSG_ALIGN (request.header.nlmsg_len) + RTA_ALIGN (attribute->rta_len);

  n = netlink_ask (fd, &request, buffer, sizeof buffer);
  if (n < 0)
    return (int) n;
  if (!NLMSG_OK (answer, (size_t) n))
    return -EBADMSG;
  if (answer->nlmsg_type == NLMSG_ERROR)
    {
      int code = ((struct nlmsgerr *) NLMSG_DATA (answer))->error;
      return code == -ENODEV ? 0 : code < 0 ? code : -EBADMSG;
    }
  if (answer->nlmsg_type != RTM_NEWLINK)
    return -EBADMSG;
  {
    struct ifinfomsg *info = NLMSG_DATA (answer);
    int left = IFLA_PAYLOAD (answer);

    for (attribute = IFLA_RTA (info); RTA_OK (attribute, left); attribute = RTA_NEXT (attribute, left))
      if (attribute->rta_type == IFLA_LINK && RTA_PAYLOAD (attribute) >= sizeof (int))
        {
          int peer = *(int *) RTA_DATA (attribute);
          /* (a link to itself: not a veth) */
          return peer > 0 && peer != info->ifi_index ? peer : -EINVAL;
        }
  }
  return -EINVAL;
}

/* Deletes the interface INDEX of the calling thread's namespace; 0 or -errno (-ENODEV: gone) */
static int
delete_link (int fd, int index)
{
  LinkRequest request = { 0 };
  char buffer[1024] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  struct nlmsghdr *answer = (struct nlmsghdr *) buffer;
  ssize_t n;

  request.header.nlmsg_len = NLMSG_LENGTH (sizeof (struct ifinfomsg));
  request.header.nlmsg_type = RTM_DELLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.info.ifi_family = AF_UNSPEC;
  request.info.ifi_index = index;
  n = netlink_ask (fd, &request, buffer, sizeof buffer);
  if (n < 0)
    return (int) n;
  if (!NLMSG_OK (answer, (size_t) n) || answer->nlmsg_type != NLMSG_ERROR)
    return -EBADMSG;
  return ((struct nlmsgerr *) NLMSG_DATA (answer))->error;
}

typedef struct
{
  int          netns;
  GStrv        names;
  GArray      *peers;   /* ints, one per name found */
  int          error;   /* errno */
  const char  *failed;  /* what failed */
} PeerLookup;

/* In a thread of its own, which enters the container's namespace and ends there: the engine's
 * other threads (and what they spawn) stay in the host's. */
static gpointer
peers_thread (gpointer user_data)
{
  PeerLookup *lookup = user_data;
  int fd;

  if (setns (lookup->netns, CLONE_NEWNET) != 0)
    {
      lookup->error = errno;
      lookup->failed = "setns";
      return NULL;
    }
  fd = netlink_socket (0);
  if (fd < 0)
    {
      lookup->error = errno;
      lookup->failed = "netlink";
      return NULL;
    }
  for (guint i = 0; lookup->names[i] != NULL; i++)
    {
      int peer = veth_peer (fd, lookup->names[i]);

      if (peer < 0)
        {
          lookup->error = -peer;
          lookup->failed = lookup->names[i];
          break;
        }
      if (peer > 0)
        g_array_append_val (lookup->peers, peer);
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

/* Whether the host's interface INDEX is gone */
static gboolean
link_gone (int index)
{
  char name[IF_NAMESIZE];

  return if_indextoname ((unsigned) index, name) == NULL;
}

/* Waits, on FD (subscribed to link events), for every one of PEERS to go, until DEADLINE; the
 * ones left stay in PEERS */
static void
wait_links_gone (int fd, GArray *peers, gint64 deadline)
{
  char buffer[16384] __attribute__ ((aligned (NLMSG_ALIGNTO)));

  for (guint i = peers->len; i > 0; i--)
    if (link_gone (g_array_index (peers, int, i - 1)))
      g_array_remove_index_fast (peers, i - 1);
  while (peers->len > 0)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      struct pollfd p = { .fd = fd, .events = POLLIN };
      gboolean recheck = FALSE;
      ssize_t n;

      if (left <= 0 || poll (&p, 1, (int) left) <= 0)
        return;
      n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0)
        {
          /* (ENOBUFS: events were lost, look again) */
          recheck = errno != EAGAIN && errno != EINTR;
          n = 0;
        }
      for (struct nlmsghdr *h = (struct nlmsghdr *) buffer; NLMSG_OK (h, (size_t) n); h = NLMSG_NEXT (h, n))
        if (h->nlmsg_type == RTM_DELLINK)
          recheck = TRUE;
      /* (a bridge port's removal is an RTM_DELLINK too: only the link's absence counts) */
      for (guint i = peers->len; recheck && i > 0; i--)
        if (link_gone (g_array_index (peers, int, i - 1)))
          g_array_remove_index_fast (peers, i - 1);
    }
}

gboolean
_hatake_networks_drop_netns (const char  *netns,
                             JsonNode    *options,
                             GError     **error)
{
  g_auto(GStrv) names = interface_names (options);
  g_autoptr(GArray) peers = g_array_new (FALSE, FALSE, sizeof (int));
  PeerLookup lookup = { .names = names, .peers = peers };
  int events;

  lookup.netns = open (netns, O_RDONLY | O_CLOEXEC);
  if (lookup.netns < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot open %s: %s"), netns,
                   g_strerror (errsv));
      return FALSE;
    }
  g_thread_join (g_thread_new ("hatake-netns", peers_thread, &lookup));
  close (lookup.netns);
  if (lookup.error != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (lookup.error), _("Cannot find the veths of %s (%s): %s"),
                   netns, lookup.failed, g_strerror (lookup.error));
      return FALSE;
    }
  /* subscribed before the namespace goes: no deletion is missed */
  events = netlink_socket (RTMGRP_LINK);
  if (events < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot watch the host's links: %s"),
                   g_strerror (errsv));
      return FALSE;
    }

  _hatake_networks_remove_netns (netns);
  wait_links_gone (events, peers, g_get_monotonic_time () + LINGER_MS * G_TIME_SPAN_MILLISECOND);
  close (events);
  for (guint i = 0; i < peers->len; i++)
    {
      int index = g_array_index (peers, int, i);
      int fd = netlink_socket (0);
      int code = fd >= 0 ? delete_link (fd, index) : -errno;

      g_message ("%s: the veth %d outlived its namespace: deleted (%s)", netns, index,
                 code == 0 || code == -ENODEV ? "done" : g_strerror (-code));
      if (fd >= 0)
        close (fd);
    }
  return TRUE;
}
