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
  GHashTable *hidden;    /* IDs of removed containers whose teardown has not ended: not shown */
  /* hatake-network-queue.c, under the lock */
  GThreadPool *pool;
  GQueue       jobs;              /* Job, waiting in order */
  guint        running_shared;
  gboolean     running_exclusive;
  GHashTable  *running_ids;       /* containers with a job running */
  GHashTable  *established;       /* network name → set of IDs set up on it, not being torn down */
  /* hatake-network-spares.c, under the lock */
  guint        spares_wanted;
  GQueue       spares;            /* IDs of spares set up, ready to be taken */
  guint        spares_coming;     /* spares made or being set up, not ready yet */
  GSource     *spares_source;     /* the refill's delay, on the default main context */
};

/* hatake-network-cidr.c */
typedef struct
{
  guint32 base;    /* host order */
  guint   prefix;
} HatakeCidr;

gboolean _hatake_ipv4_parse    (const char *text,
                                guint32    *out);
char    *_hatake_ipv4_format   (guint32     address);
/* docker's MAC for an address: 02:42 and its four bytes ("" for no address) */
char    *_hatake_ipv4_mac      (const char *ip);
guint32  _hatake_prefix_mask   (guint       prefix);
gboolean _hatake_cidr_parse    (const char *text,
                                HatakeCidr *out);
char    *_hatake_cidr_format   (HatakeCidr  c);
gboolean _hatake_cidr_overlaps (HatakeCidr  a,
                                HatakeCidr  b);
gboolean _hatake_cidr_contains (HatakeCidr  c,
                                guint32     address);

/* hatake-network-claims.c */
GPtrArray *_hatake_networks_claimed_elsewhere (HatakeNetworks  *self);
gboolean _hatake_networks_claim              (HatakeNetworks  *self,
                                              const char      *subnet,
                                              char           **other);
void     _hatake_networks_unclaim            (HatakeNetworks  *self,
                                              const char      *subnet);
GPtrArray *_hatake_networks_reserved_subnets (HatakeNetworks  *self);
void     _hatake_networks_reclaim            (HatakeNetworks  *self);

/* hatake-network-queue.c */
void     _hatake_networks_queue_init         (HatakeNetworks  *self);
void     _hatake_networks_queue_clear        (HatakeNetworks  *self);
gboolean _hatake_networks_in_shared_job      (void);
void     _hatake_networks_establish_locked   (HatakeNetworks  *self,
                                              const char      *container_id,
                                              JsonNode        *options,
                                              const char      *network);
void     _hatake_networks_load_established   (HatakeNetworks  *self);
void     _hatake_networks_forget_locked      (HatakeNetworks  *self,
                                              const char      *network,
                                              const char      *container_id);

/* hatake-network.c */
gboolean _hatake_networks_move_address_locked (HatakeNetworks *self,
                                               const char     *network_name,
                                               const char     *from,
                                               const char     *to,
                                               const char     *to_name,
                                               GError        **error);

/* hatake-network-spares.c */
/* Whether an endpoint ID is the owner's own (keepalive, spares), not a container's */
gboolean _hatake_networks_is_internal        (const char      *id);

/* hatake-network-builtin.c: "host" and "none", made up as they are asked for (CREATED: when
 * they are said to be made, the default bridge's time) */
JsonObject *_hatake_networks_builtin         (HatakeNetworks *self,
                                              const char     *name_or_id,
                                              const char     *created);
void        _hatake_networks_add_builtins    (HatakeNetworks *self,
                                              GPtrArray      *nodes,
                                              const char     *created);
gboolean _hatake_networks_take_spare         (HatakeNetworks            *self,
                                              const HatakeNetworkAttach *attach,
                                              HatakeNetworkResult       *result);
void     _hatake_networks_spares_clear       (HatakeNetworks  *self);
/* In a job that runs alone: no more spares are made, and the ready ones are torn down. */
void     _hatake_networks_drop_spares        (HatakeNetworks  *self);
/* Blocks until no spare is being made or set up (those queued after the drop tear down). */
void     _hatake_networks_wait_spares        (HatakeNetworks  *self);

/* hatake-network-host.c: netavark, namespaces, host ports, bridge addresses, options files */
char     *_hatake_networks_options_path      (HatakeNetworks  *self,
                                              const char      *container_id);
JsonNode *_hatake_networks_load_options      (const char      *path,
                                              GError         **error);
/* The container's options, or NULL. Under the lock. */
JsonNode *_hatake_networks_load_options_locked (HatakeNetworks *self,
                                                const char     *container_id);
gboolean _hatake_networks_save_options       (const char      *path,
                                              JsonNode        *options,
                                              GError         **error);
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
JsonNode *_hatake_networks_forget_dns        (HatakeNetworks  *self,
                                              const char      *container_id,
                                              JsonNode        *options,
                                              GError         **error);

/* hatake-network-links.c */
/* In a shared teardown: deletes the veths OPTIONS gives the container from inside its namespace
 * at NETNS, as netavark would (their host ends go with them); FALSE when it could not (netavark
 * tears down what is left then). */
gboolean  _hatake_networks_delete_veths      (const char      *netns,
                                              JsonNode        *options,
                                              GError         **error);

G_END_DECLS
