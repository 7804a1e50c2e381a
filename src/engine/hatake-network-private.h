/* hatake-network-private.h: shared by the files of HatakeNetworks
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-network.h"

G_BEGIN_DECLS

struct _HatakeNetworks
{
  GObject  parent_instance;

  char    *dir;        /* DATA_ROOT/networks */
  char    *netns_dir;  /* RUN_DIR/netns */
  char    *state_dir;  /* RUN_DIR/netavark */
  GMutex   lock;
  GCond    detached;     /* signalled as a teardown ends */
  GHashTable *detaching; /* IDs of containers whose teardown runs outside the lock */
  GThreadPool *queue;  /* one thread: hatake_networks_run_in_thread() */
};

/* hatake-network-host.c: netavark, namespaces, host ports, bridge addresses */
gboolean _hatake_networks_run_netavark       (HatakeNetworks  *self,
                                              const char      *command,
                                              const char      *options_path,
                                              const char      *netns,
                                              char           **out,
                                              GError         **error);
gboolean _hatake_networks_make_netns         (const char      *path,
                                              GError         **error);
void     _hatake_networks_remove_netns       (const char      *path);
gboolean _hatake_networks_pick_host_ports    (JsonNode        *options,
                                              GError         **error);
gboolean _hatake_networks_check_ports_free   (HatakeNetworks  *self,
                                              const char      *container_id,
                                              JsonNode        *options,
                                              GError         **error);
gboolean _hatake_networks_hold_ports         (JsonNode             *options,
                                              HatakeNetworkResult  *result,
                                              GError              **error);
void     _hatake_networks_pin_bridge_address (JsonNode        *options);

G_END_DECLS
