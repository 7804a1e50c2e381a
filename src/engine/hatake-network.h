/* hatake-network.h: networks, their addresses, and a container's place on them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A network is DATA_ROOT/networks/<name>.json, in the shape of docker's `network inspect`
 * (Containers holds the addresses given out: the IPAM state, written atomically with each
 * change). "bridge" is the default network, as docker's: made on first use, no DNS by name.
 * User networks get aardvark-dns (names and aliases of the containers on them) and are isolated
 * from each other (netavark's "isolate").
 *
 * A container on a network gets a network namespace of its own, bind-mounted at
 * RUN_DIR/netns/<id> (crun joins it), set up by `netavark setup` from the JSON kept beside it
 * (RUN_DIR/netns/<id>.json), which `netavark teardown` gets again when the container stops:
 * both survive the engine, so a restarted engine (or `hatake system recover`) tears down what
 * an earlier one set up. netavark keeps its own state (aardvark-dns) in RUN_DIR/netavark.
 *
 * Blocking calls: use them from a worker thread (they run netavark and write files). One lock
 * covers the address bookkeeping of every network of the data root.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hatake-container-config.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_NETWORKS (hatake_networks_get_type ())
G_DECLARE_FINAL_TYPE (HatakeNetworks, hatake_networks, HATAKE, NETWORKS, GObject)

#define HATAKE_DEFAULT_NETWORK "bridge"

typedef struct
{
  const char         *name;
  const char         *subnet;     /* CIDR; NULL: the next free /24 of the pool */
  const char         *gateway;    /* NULL: the subnet's first address */
  const char         *ip_range;   /* CIDR inside the subnet addresses are given from; NULL: all */
  gboolean            internal;   /* no route out */
  const char * const *labels;     /* KEY=VALUE */
} HatakeNetworkCreate;


typedef struct
{
  const char         *container_id;
  const char         *container_name;
  HatakeNetworkEndpoint * const *endpoints; /* eth0, eth1…; none: a namespace with lo alone */
  guint               n_endpoints;
  const HatakePortMapping *ports;
  guint               n_ports;
  gboolean            defer_setup;    /* only the address and the namespace: netavark later,
                                       * with hatake_networks_setup() */
} HatakeNetworkAttach;

typedef struct
{
  char    *netns_path;
  char    *ip;               /* the container's address (on the first network) */
  char    *gateway;
  GStrv    dns_servers;      /* for resolv.conf: aardvark-dns of its user networks; NULL on bridge */
  GStrv    dns_search;
  GArray  *port_fds;         /* ints: a socket bound on each published host port, to be held by
                              * the container's conmon (netavark's DNAT reserves none) */
  gboolean set_up;           /* netavark's setup is done already (a spare was taken): nothing
                              * for hatake_networks_setup() to do */
} HatakeNetworkResult;

void            hatake_network_result_clear  (HatakeNetworkResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HatakeNetworkResult, hatake_network_result_clear)

HatakeNetworks *hatake_networks_new          (const char               *root,
                                              const char               *run_dir);

/* docker's `network inspect` object of the new network. Errors: G_IO_ERROR_EXISTS (the name),
 * G_IO_ERROR_INVALID_ARGUMENT (a bad name, subnet, gateway or range; a subnet that overlaps
 * another network's), G_IO_ERROR_NO_SPACE (the pool is used up). */
JsonNode       *hatake_networks_create       (HatakeNetworks            *self,
                                              const HatakeNetworkCreate *create,
                                              GError                   **error);
/* By name, full id or id prefix. G_IO_ERROR_NOT_FOUND. */
JsonNode       *hatake_networks_inspect      (HatakeNetworks            *self,
                                              const char               *name_or_id,
                                              GError                  **error);
/* Every network's inspect object, "bridge" first. */
GPtrArray      *hatake_networks_list         (HatakeNetworks            *self,
                                              GError                  **error);
/* Refused (G_IO_ERROR_BUSY, naming them) while containers are on it; the default network
 * cannot be removed (G_IO_ERROR_PERMISSION_DENIED). */
gboolean        hatake_networks_remove       (HatakeNetworks            *self,
                                              const char               *name_or_id,
                                              GError                  **error);

/* Gives the container an address on each network, makes its namespace and runs netavark setup.
 * On failure nothing is left (address, namespace, rules). A container that joins the default
 * network alone, with no address of its own and no published port, may take a spare instead
 * (hatake_networks_set_spares()): then result->set_up is TRUE, even with defer_setup. */
gboolean        hatake_networks_attach       (HatakeNetworks            *self,
                                              const HatakeNetworkAttach *attach,
                                              HatakeNetworkResult      *result,
                                              GError                  **error);
/* The netavark setup an attach with defer_setup left for later (the namespace exists already:
 * a runtime can be creating the container in it meanwhile). On failure, detach. */
gboolean        hatake_networks_setup        (HatakeNetworks            *self,
                                              const char               *container_id,
                                              GError                  **error);

/* netavark teardown, the namespace removed, the address given back. Nothing to do is not an
 * error (a container that never had a network, or was torn down already). */
gboolean        hatake_networks_detach       (HatakeNetworks            *self,
                                              const char               *container_id,
                                              GError                  **error);

/* The container is removed while its teardown (queued by its exit or its removal) may still
 * run: no network shows it from now on, as docker's do not once its removal has returned; its
 * addresses stay taken until that teardown has ended (hatake_networks_detach() then forgets it
 * here too), so that none passes to another container while its veth is still on the bridge. */
void            hatake_networks_hide         (HatakeNetworks            *self,
                                              const char               *container_id);

/* A running container (its namespace made by attach) joins one more network: an address, an
 * interface (the next free ethN) and its rules. G_IO_ERROR_EXISTS when it is on it already,
 * G_IO_ERROR_NOT_FOUND for an unknown network. On failure nothing is left. */
gboolean        hatake_networks_connect      (HatakeNetworks              *self,
                                              const char                  *container_id,
                                              const char                  *container_name,
                                              const HatakeNetworkEndpoint *endpoint,
                                              HatakeNetworkResult         *result,
                                              GError                     **error);
/* …and leaves one: its interface and rules torn down, its address given back. Not being on
 * it is not an error. */
gboolean        hatake_networks_disconnect   (HatakeNetworks            *self,
                                              const char               *container_id,
                                              const char               *network_name,
                                              GError                  **error);

/* A long-running owner (hatake serve, the app) keeps the default network up while it runs, as
 * docker keeps docker0: an endpoint of its own (HATAKE_NETWORK_KEEPALIVE) stays on the bridge,
 * so netavark does not delete the bridge and its firewall chains when the last container leaves
 * and make them again for the next one (~200 ms of iptables calls each way). Release drops it;
 * an engine that finds it left (the owner died) tears it down with the other stale setups. */
#define HATAKE_NETWORK_KEEPALIVE "hatake-keepalive"

gboolean        hatake_networks_hold_default    (HatakeNetworks          *self,
                                                 GError                 **error);
gboolean        hatake_networks_release_default (HatakeNetworks          *self,
                                                 GError                 **error);

/* A long-running owner that holds the default network keeps COUNT (> 0) namespaces set up on it
 * ahead of need ("spares", endpoints of their own as the keepalive is; hatake-network-spares.c):
 * a container that may take one skips netavark's setup, ~24 iptables calls on its start's path.
 * A new one is set up behind each one taken, once the start that took it is over
 * (hatake_networks_start_over()), or 300 ms after. hatake_networks_release_default() tears them
 * down. */
#define HATAKE_NETWORK_SPARE_PREFIX "hatake-spare-"

void            hatake_networks_set_spares      (HatakeNetworks          *self,
                                                 guint                    count);
/* A container's start is over: spares taken meanwhile are set up again now */
void            hatake_networks_start_over      (HatakeNetworks          *self);

/* What a job on the networks' threads does, for hatake-network-queue.c to tell which may run
 * side by side: a container's setup (after hatake_networks_attach() with defer_setup), its
 * teardown (hatake_networks_detach()), or anything else (run alone). */
typedef enum
{
  HATAKE_NETWORK_JOB_OTHER,
  HATAKE_NETWORK_JOB_SETUP,
  HATAKE_NETWORK_JOB_TEARDOWN,
} HatakeNetworkJob;

/* Runs FUNC for TASK (as g_task_run_in_thread() would) on the networks' own threads, started in
 * the order given: for what runs netavark. Those calls wait for the machine's netavark lock,
 * and one engine's setups and teardowns could take every thread of GLib's shared pool of GTask
 * workers — which grows by one thread per ~100 ms only — so that the rest of the engine (a
 * volume's create, a pull's unpacking, a container's create) waited seconds for a thread. A
 * setup or teardown of CONTAINER_ID may overlap others when nothing network-wide can change
 * (hatake-network-queue.c); anything else runs alone. */
void            hatake_networks_run_job         (HatakeNetworks          *self,
                                                 GTask                   *task,
                                                 GTaskThreadFunc          func,
                                                 HatakeNetworkJob         kind,
                                                 const char              *container_id);
/* hatake_networks_run_job() of a job that runs alone */
void            hatake_networks_run_in_thread   (HatakeNetworks          *self,
                                                 GTask                   *task,
                                                 GTaskThreadFunc          func);

/* "host" and "none": docker's pre-defined networks, which are network modes (listed and
 * inspected as networks; never made, removed, connected to or left) */
gboolean          hatake_networks_is_builtin_name (const char *name);

G_END_DECLS
