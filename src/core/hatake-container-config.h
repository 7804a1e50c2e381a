/* hatake-container-config.h: what a container is created with (docker's create options)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  HATAKE_CONTAINER_MOUNT_BIND,
  HATAKE_CONTAINER_MOUNT_VOLUME,
  HATAKE_CONTAINER_MOUNT_TMPFS,
} HatakeContainerMountType;

typedef struct
{
  HatakeContainerMountType  type;
  char            *source;      /* host path (bind), volume name (volume; NULL: anonymous), NULL (tmpfs) */
  char            *target;      /* path inside the container, as given: never resolved on the host */
  gboolean         read_only;
  gboolean         create_source; /* bind: a missing source is made, a directory (docker's -v and
                                   * compose's short form do; --mount refuses) */
  gint64           tmpfs_size;  /* bytes, 0: the kernel's default */
  guint            tmpfs_mode;  /* 0: 01777 */
} HatakeContainerMount;

typedef enum
{
  HATAKE_RESTART_NO,
  HATAKE_RESTART_ALWAYS,
  HATAKE_RESTART_ON_FAILURE,
  HATAKE_RESTART_UNLESS_STOPPED,
} HatakeRestartPolicy;

/* A healthcheck, as docker's HealthConfig. Durations are in microseconds here (as everywhere in
 * hatake and in compose's HatakeComposeHealthcheck); docker's JSON has them in nanoseconds, and
 * hatake_health_config_to_docker()/from_docker() convert. A zero duration or retries means "not
 * set": the image's, else docker's default (the HATAKE_HEALTH_DEFAULT_* below). */
typedef struct
{
  GStrv   test;            /* {"CMD", argv…}, {"CMD-SHELL", line} or {"NONE"} (disables the image's);
                            * NULL: the image's */
  gint64  interval;        /* between the end of a probe and the next */
  gint64  timeout;         /* a probe running longer fails (exit code -1) */
  gint64  start_period;    /* after a start, failures do not count until then */
  gint64  start_interval;  /* between probes during the start period, while starting */
  int     retries;         /* consecutive failures that make the container unhealthy */
} HatakeHealthConfig;

#define HATAKE_HEALTH_DEFAULT_INTERVAL       (30 * G_USEC_PER_SEC)
#define HATAKE_HEALTH_DEFAULT_TIMEOUT        (30 * G_USEC_PER_SEC)
#define HATAKE_HEALTH_DEFAULT_START_INTERVAL (5 * G_USEC_PER_SEC)
#define HATAKE_HEALTH_DEFAULT_RETRIES        3
/* docker's MinimumDuration: a duration that is set is at least this */
#define HATAKE_HEALTH_MIN_DURATION           1000

HatakeHealthConfig *hatake_health_config_new         (void);
HatakeHealthConfig *hatake_health_config_copy        (const HatakeHealthConfig *self);
void                hatake_health_config_free        (HatakeHealthConfig       *self);
/* Whether it probes: a test other than NONE */
gboolean            hatake_health_config_is_enabled  (const HatakeHealthConfig *self);
/* docker's rule for a container's healthcheck over its image's: NULL takes the image's whole, a
 * NULL test the image's test, each duration or retries left at 0 the image's. A new config, or
 * NULL when neither has one. */
HatakeHealthConfig *hatake_health_config_merge       (const HatakeHealthConfig *self,
                                                      const HatakeHealthConfig *image);
/* docker's HealthConfig {"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"},
 * durations in nanoseconds, zeros left out (as the docker CLI sends it). */
JsonObject         *hatake_health_config_to_docker   (const HatakeHealthConfig *self);
/* The same read back (NULL for NULL or null); what docker's daemon refuses (a test that is not
 * CMD, CMD-SHELL or NONE; a duration under 1 ms; negative retries) is refused with its message. */
HatakeHealthConfig *hatake_health_config_from_docker (JsonObject               *object,
                                                      GError                  **error);
/* Go's time.ParseDuration as docker's --health-* flags take it ("1m30s", "200ms", "0"): µs,
 * refusing a negative one. */
gboolean            hatake_duration_parse            (const char               *text,
                                                      gint64                   *usec,
                                                      GError                  **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeHealthConfig, hatake_health_config_free)

typedef struct
{
  char                *name;          /* NULL: generated */
  char                *image;         /* as the user wrote it */
  GStrv                entrypoint;    /* NULL: the image's; an empty vector clears it */
  GStrv                cmd;           /* NULL: the image's (unless the entrypoint was set) */
  GStrv                env;           /* KEY=VALUE, over the image's */
  char                *working_dir;
  char                *user;
  char                *hostname;
  GStrv                labels;        /* KEY=VALUE */
  gboolean             tty;
  gboolean             open_stdin;
  gboolean             auto_remove;
  gboolean             read_only;
  gboolean             privileged;
  gboolean             init;
  GStrv                cap_add;
  GStrv                cap_drop;
  GStrv                sysctls;       /* KEY=VALUE, namespaced ones only (docker's HostConfig.Sysctls) */
  GStrv                extra_hosts;   /* --add-host NAME:IP, IP may be "host-gateway" (ExtraHosts) */
  GStrv                dns;           /* --dns: resolv.conf's servers instead of the host's */
  GStrv                dns_search;    /* --dns-search */
  GStrv                dns_options;   /* --dns-option */
  gint64               shm_size;      /* --shm-size: /dev/shm's, bytes; 0: 64 MiB */
  GStrv                ulimits;       /* --ulimit NAME=SOFT[:HARD], as docker's CLI takes it */
  GStrv                devices;       /* --device HOST[:CONTAINER][:PERMISSIONS] (rwm), checked */
  GStrv                group_add;     /* --group-add: more groups, names (the container's
                                       * /etc/group) or numbers */
  GStrv                security_opt;  /* --security-opt: no-new-privileges[:true|false],
                                       * seccomp=unconfined, apparmor=…, label=… (no-ops here) */
  gint64               memory;        /* bytes, 0: no limit */
  gint64               memory_swap;   /* --memory-swap, memory + swap in bytes: 0 twice memory,
                                       * -1 unlimited */
  gint64               cpu_shares;    /* --cpu-shares, relative weight; 0: the default (1024) */
  double               cpus;          /* 0: no limit */
  char                *cpuset_cpus;   /* --cpuset-cpus, --cpuset-mems: docker's lists ("0-3,5") of */
  char                *cpuset_mems;   /* the CPUs and memory nodes allowed; NULL: all. Checked by
                                       * the engine (hatake_oci_spec_check_cpuset()) */
  gint64               oom_score_adj; /* --oom-score-adj, -1000 to 1000; 0: the default */
  gint64               pids_limit;    /* 0: no limit */
  HatakeRestartPolicy  restart;
  guint                restart_max;   /* on-failure:N, 0: no cap */
  char                *stop_signal;   /* NULL: the image's, else SIGTERM */
  int                  stop_timeout;  /* seconds, -1: 10 */
  GPtrArray           *mounts;        /* of HatakeContainerMount */
  char                *runtime;       /* NULL: the engine's default */
  char                *network_mode;  /* "none", "host", "bridge" or a network's name: the first */
  char                *pid_mode;      /* --pid, --ipc, --uts: "host" shares the host's namespace; */
  char                *ipc_mode;      /* NULL: one of its own (docker's "private", "" and for IPC */
  char                *uts_mode;      /* "shareable"). hatake_namespace_mode_parse() */
  GStrv                publish;       /* docker's -p: [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO] */
  gboolean             publish_all;   /* -P: each exposed port on a free host port */
  GStrv                expose;        /* --expose: PORT[/PROTO], over the image's ExposedPorts */
  GPtrArray           *networks;      /* of HatakeNetworkEndpoint: the networks the container is on
                                       * (network connect/disconnect change it); empty at create:
                                       * network_mode's alone, when it names a network */
  HatakeHealthConfig  *healthcheck;   /* NULL: the image's; after create, the image's merged in */
} HatakeContainerConfig;

/* A container's place on one network, as docker's EndpointSettings. */
typedef struct
{
  char  *network;   /* name */
  GStrv  aliases;   /* names it has there besides its own */
  char  *ip;        /* a static address; NULL: the next free one */
} HatakeNetworkEndpoint;

HatakeNetworkEndpoint *hatake_network_endpoint_new  (const char                  *network,
                                                     const char * const          *aliases,
                                                     const char                  *ip);
void                   hatake_network_endpoint_free (HatakeNetworkEndpoint       *endpoint);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeNetworkEndpoint, hatake_network_endpoint_free)

/* The operations on an existing container, as the API names them. */
typedef enum
{
  HATAKE_CONTAINER_OP_START,
  HATAKE_CONTAINER_OP_STOP,
  HATAKE_CONTAINER_OP_RESTART,
  HATAKE_CONTAINER_OP_KILL,
  HATAKE_CONTAINER_OP_PAUSE,
  HATAKE_CONTAINER_OP_UNPAUSE,
  HATAKE_CONTAINER_OP_REMOVE,
  HATAKE_CONTAINER_OP_WAIT,
} HatakeContainerOp;

typedef struct
{
  int       timeout;     /* stop, restart: seconds before SIGKILL; -1: the container's own */
  char     *signal;      /* kill: name or number; NULL: SIGKILL */
  gboolean  force;       /* remove: kill first */
  gboolean  volumes;     /* remove: its anonymous volumes too */
  gboolean  removed;     /* wait: until its --rm has removed it too, as docker's condition
                          * "removed" (an engine behind the API: its model may learn of the
                          * removal later) */
} HatakeContainerOpArgs;

struct _HatakeAttach;

/* `exec` in a running container. Without tty, local engines run the process with this process's
 * stdio; with tty, attach_ready gets the process's terminal (a HatakeAttach, borrowed). */
typedef struct
{
  GStrv     argv;
  GStrv     env;          /* KEY=VALUE over the container's */
  char     *user;         /* NULL: the container's */
  char     *working_dir;  /* NULL: the container's */
  gboolean  interactive;  /* keep stdin */
  gboolean  privileged;
  gboolean  tty;
  gboolean  kill_on_cancel; /* with pipes_ready: a cancelled exec's process is killed (a probe's) */
  gboolean  detach;       /* docker exec -d: done once the process runs (0), its stdio none; its
                           * exit is not waited for */
  char     *id;           /* the exec instance's ID (the API's) for its events, or NULL */
  void    (*attach_ready) (struct _HatakeAttach *attach,
                           gpointer              user_data);
  gpointer  attach_data;
  /* without tty, instead of this process's stdio: the process's pipes (local engines; the API) */
  void    (*pipes_ready)  (GOutputStream        *stdin_pipe,
                           GInputStream         *stdout_pipe,
                           GInputStream         *stderr_pipe,
                           gpointer              user_data);
} HatakeExecOptions;

typedef enum
{
  HATAKE_VOLUME_OP_CREATE,    /* → the volume, as docker's GET /volumes/{name} */
  HATAKE_VOLUME_OP_LIST,      /* → {"Volumes": […], "Warnings": []} */
  HATAKE_VOLUME_OP_INSPECT,   /* → the volume */
  HATAKE_VOLUME_OP_REMOVE,    /* → NULL; a volume in use is refused with HATAKE_ERROR_CONFLICT */
  HATAKE_VOLUME_OP_PRUNE,     /* → {"VolumesDeleted": […], "SpaceReclaimed": N} */
} HatakeVolumeOp;

typedef struct
{
  const char         *name;     /* create: NULL for a random name */
  const char * const *labels;   /* create: KEY=VALUE */
  const char         *driver;   /* create: NULL for "local" */
  const char * const *options;  /* create: the driver's, KEY=VALUE (local: type, device, o) */
  gboolean            all;      /* prune: named volumes too, not only anonymous ones */
} HatakeVolumeOpArgs;

typedef enum
{
  HATAKE_NETWORK_OP_CREATE,   /* → the network, as docker's GET /networks/{id} */
  HATAKE_NETWORK_OP_LIST,     /* → an array of networks */
  HATAKE_NETWORK_OP_INSPECT,  /* → the network */
  HATAKE_NETWORK_OP_REMOVE,   /* → NULL; a network with running containers is refused */
  HATAKE_NETWORK_OP_PRUNE,    /* → {"NetworksDeleted": […]}: those no container names */
  HATAKE_NETWORK_OP_CONNECT,  /* → NULL; a running container gets its interface at once */
  HATAKE_NETWORK_OP_DISCONNECT, /* → NULL */
} HatakeNetworkOp;

/* docker cp and docker export: what a container archive call does */
typedef enum
{
  HATAKE_ARCHIVE_STAT,        /* → the path's stat (docker's X-Docker-Container-Path-Stat) */
  HATAKE_ARCHIVE_GET,         /* → the stat, and a tar of the path as it is written */
  HATAKE_ARCHIVE_PUT,         /* the tar given is extracted into the directory path names */
  HATAKE_ARCHIVE_EXPORT,      /* → a tar of the container's root file system, volumes left out */
} HatakeArchiveOp;

typedef enum
{
  HATAKE_ARCHIVE_FLAGS_NONE           = 0,
  /* docker's noOverwriteDirNonDir: a directory never replaces a file, nor a file a directory */
  HATAKE_ARCHIVE_NO_OVERWRITE_DIR     = 1 << 0,
  /* docker's copyUIDGID: owners from the archive; else everything copied in belongs to root */
  HATAKE_ARCHIVE_KEEP_OWNERS          = 1 << 1,
} HatakeArchiveFlags;

typedef struct
{
  const char         *name;      /* create, inspect, remove: name or id */
  const char         *subnet;    /* create: CIDR; NULL from the pool */
  const char         *gateway;
  const char         *ip_range;
  gboolean            internal;
  const char * const *labels;    /* KEY=VALUE */
  const char         *container; /* connect, disconnect: name or id */
  const char * const *aliases;   /* connect */
  const char         *ip;        /* connect: a static address */
  gboolean            force;     /* disconnect: also when the container is not on it */
} HatakeNetworkOpArgs;

typedef struct
{
  guint16  host_port;        /* 0: netavark's choice is not used: the engine picks one */
  guint16  container_port;
  guint16  range;            /* how many consecutive ports, at least 1 */
  char     protocol[4];      /* "tcp" or "udp" */
  char     host_ip[46];      /* "" for every address */
} HatakePortMapping;

/* "[ip:][hostPort:]containerPort[/tcp|udp]" with ranges ("8000-8001:80-81"), as docker's -p.
 * G_IO_ERROR_INVALID_ARGUMENT naming what is wrong. */
gboolean        hatake_port_mapping_parse    (const char               *spec,
                                              HatakePortMapping        *mapping,
                                              GError                  **error);

#define HATAKE_TYPE_CONTAINER_CONFIG (hatake_container_config_get_type ())
GType                  hatake_container_config_get_type   (void) G_GNUC_CONST;
HatakeContainerConfig *hatake_container_config_new        (void);
HatakeContainerConfig *hatake_container_config_copy       (const HatakeContainerConfig *self);
void                   hatake_container_config_free       (HatakeContainerConfig       *self);
/* (returns the mount added, owned by SELF) */
HatakeContainerMount  *hatake_container_config_add_mount  (HatakeContainerConfig       *self,
                                                           HatakeContainerMountType              type,
                                                           const char                  *source,
                                                           const char                  *target,
                                                           gboolean                     read_only);
JsonNode              *hatake_container_config_to_json    (const HatakeContainerConfig *self);
HatakeContainerConfig *hatake_container_config_from_json  (JsonNode                    *node,
                                                           GError                     **error);
/* docker's POST /containers/create body (its ContainerConfig, HostConfig and NetworkingConfig) as
 * the config it asks for; name is the request's ?name=, NULL for a generated one. A body asking
 * for what cannot be is refused, the message naming what is wrong (docker's where it has one). */
/* CONFIG's --security-opt, read: no-new-privileges[:=]BOOL, seccomp[:=]unconfined; apparmor= and
 * label= are accepted and mean nothing here (no AppArmor nor SELinux confinement). FALSE, with
 * HATAKE_ERROR_CONFIG naming it, for an option that cannot be honoured (a custom seccomp profile,
 * an unknown one). */
gboolean               hatake_container_config_security (const HatakeContainerConfig *config,
                                                         gboolean                    *no_new_privileges,
                                                         gboolean                    *seccomp_unconfined,
                                                         GError                     **error);
/* --device's HOST[:CONTAINER][:PERMISSIONS], as docker reads it: CONTAINER defaults to HOST, the
 * permissions ("rwm" by default) to a subset of r, w and m; a second field that is permissions is
 * taken as such. FALSE with G_IO_ERROR_INVALID_ARGUMENT naming what is wrong (a relative path). */
gboolean               hatake_device_parse                (const char                  *text,
                                                           char                       **host,
                                                           char                       **container,
                                                           char                       **permissions,
                                                           GError                     **error);
/* docker's --pid, --ipc or --uts value (KIND "pid", "ipc" or "uts") as a config's mode: "host", or
 * NULL for a namespace of the container's own ("", "private", and for IPC "shareable": nothing can
 * join it here anyway). FALSE with G_IO_ERROR_INVALID_ARGUMENT for what docker refuses ("invalid
 * PID mode: …") and for what docker does that Hatake does not yet (another container's namespace,
 * --ipc none), saying so. */
gboolean               hatake_namespace_mode_parse        (const char                  *kind,
                                                           const char                  *text,
                                                           char                       **mode,
                                                           GError                     **error);
/* docker's checks of the namespace modes that involve other settings (a --hostname with
 * --uts host); G_IO_ERROR_INVALID_ARGUMENT with docker's message. */
gboolean               hatake_container_config_check_namespaces (const HatakeContainerConfig *config,
                                                                 GError                     **error);
/* --ulimit's NAME=SOFT[:HARD] (a config's, checked) as docker's {"Name", "Hard", "Soft"} */
JsonObject            *hatake_ulimit_to_docker            (const char                  *ulimit);
/* What BODY (docker's create) asks that Hatake does not do yet, one warning each, for the create's
 * Warnings (the docker CLI prints them): NULL when there is none. */
GStrv                  hatake_container_config_docker_unsupported (JsonObject *body);
HatakeContainerConfig *hatake_container_config_from_docker (JsonObject                  *body,
                                                           const char                  *name,
                                                           GError                     **error);
/* The body of docker's POST /containers/create asking for config, as the docker CLI 28 writes it
 * (config->name goes in the request's ?name=). hatake_container_config_from_docker() reads it back
 * as config, once config is in the shape it makes (publish as [IP:]HOST_PORT:PORT/PROTO, one port
 * each, in expose too, …: test-config-docker.c shows the shape). */
JsonNode              *hatake_container_config_to_docker  (const HatakeContainerConfig *config);
/* docker's --ulimit NAME=SOFT[:HARD] ("nofile=512:1024"; -1 for unlimited): the OCI rlimit's type
 * ("RLIMIT_NOFILE") and its limits. FALSE with G_IO_ERROR_INVALID_ARGUMENT naming what is wrong. */
gboolean               hatake_ulimit_parse                (const char                  *text,
                                                           const char                 **type,
                                                           gint64                      *soft,
                                                           gint64                      *hard,
                                                           GError                     **error);
gboolean               hatake_restart_policy_parse        (const char                  *text,
                                                           HatakeRestartPolicy         *policy,
                                                           guint                       *max_retries,
                                                           GError                     **error);
/* What `docker update` changes in a container's config; a zero leaves that setting as it is, as in
 * docker's POST /containers/{id}/update. */
typedef struct
{
  gint64               memory;        /* bytes; 0: unchanged */
  gint64               memory_swap;   /* 0: unchanged (twice the memory when memory changes) */
  gint64               cpu_shares;    /* 0: unchanged */
  double               cpus;          /* 0: unchanged */
  gint64               pids_limit;    /* 0: unchanged; -1: no limit */
  char                *cpuset_cpus;   /* --cpuset-cpus, --cpuset-mems: NULL (or "", as the docker */
  char                *cpuset_mems;   /* CLI sends them unset): unchanged */
  gboolean             set_restart;   /* restart and restart_max are the new policy */
  HatakeRestartPolicy  restart;
  guint                restart_max;
} HatakeContainerUpdate;

/* Frees what UPDATE holds (its CPU sets) and zeroes it */
void                   hatake_container_update_clear       (HatakeContainerUpdate       *update);
/* A copy of SRC into DEST, its strings its own */
void                   hatake_container_update_copy        (const HatakeContainerUpdate *src,
                                                            HatakeContainerUpdate       *dest);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HatakeContainerUpdate, hatake_container_update_clear)

/* docker's update body (HostConfig's Resources and RestartPolicy, at its top level) as an update
 * (to be cleared, also on failure); WARNINGS (NULL when there is none) for what it asks that
 * Hatake does not do yet (--cpu-period, --blkio-weight…), as a create's. FALSE with
 * G_IO_ERROR_INVALID_ARGUMENT naming what is wrong. */
gboolean               hatake_container_update_from_docker (JsonObject                 *body,
                                                            HatakeContainerUpdate      *update,
                                                            GStrv                      *warnings,
                                                            GError                    **error);
/* The body the docker CLI 28 sends for UPDATE. */
JsonNode              *hatake_container_update_to_docker   (const HatakeContainerUpdate *update);
/* CONFIG with UPDATE applied; FALSE with G_IO_ERROR_INVALID_ARGUMENT when the two do not go
 * together (a restart policy for a container removed at its exit, which docker refuses), CONFIG
 * unchanged. The limits are checked where they become cgroup values (hatake_oci_spec_limits). */
gboolean               hatake_container_config_update      (HatakeContainerConfig       *config,
                                                            const HatakeContainerUpdate *update,
                                                            GError                     **error);

/* The endpoint on network, or NULL. */
HatakeNetworkEndpoint *hatake_container_config_get_network (const HatakeContainerConfig *self,
                                                           const char                  *network);
const char            *hatake_restart_policy_to_string    (HatakeRestartPolicy          policy);
void                   hatake_container_mount_free                  (HatakeContainerMount                 *mount);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeContainerConfig, hatake_container_config_free)

G_END_DECLS
