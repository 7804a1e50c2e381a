/* hatake-oci-spec.h: the OCI runtime config.json of a container, from its image config and the
 * options of `docker run`, with docker's defaults and rules
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hatake-passwd.h"

G_BEGIN_DECLS

#define HATAKE_OCI_DEFAULT_PATH_ENV   "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define HATAKE_OCI_DEFAULT_SECCOMP    "/usr/share/containers/seccomp.json"
#define HATAKE_OCI_DEFAULT_INIT       "/usr/bin/tini-static"
#define HATAKE_OCI_INIT_DESTINATION   "/sbin/docker-init"
/* Asked for RLIMIT_NOFILE and RLIMIT_NPROC, lowered to the engine's own hard limits. */
#define HATAKE_OCI_DEFAULT_RLIMIT     1048576
/* The annotation that carries the stop signal (podman's name for it). */
#define HATAKE_OCI_STOP_SIGNAL_ANNOTATION "org.opencontainers.image.stopSignal"

typedef enum
{
  HATAKE_MOUNT_BIND,     /* a host path: source, destination, read_only, propagation */
  HATAKE_MOUNT_VOLUME,   /* a named or anonymous volume, source already resolved to its host dir */
  HATAKE_MOUNT_TMPFS,    /* destination, tmpfs_size, tmpfs_mode */
} HatakeMountType;

/* Plain data, borrowed by the spec; nothing here is freed by hatake-oci-spec. */
typedef struct
{
  HatakeMountType  type;
  const char      *source;        /* bind, volume: an absolute host path */
  const char      *destination;   /* an absolute path in the container, not "/" */
  gboolean         read_only;
  const char      *propagation;   /* bind: rprivate (NULL), private, rshared, shared, rslave, slave */
  guint64          tmpfs_size;    /* tmpfs: bytes, 0 for the kernel's default (half of RAM) */
  guint32          tmpfs_mode;    /* tmpfs: permission bits, 0 for 01777 */
  const char * const *flags;      /* volume: mount(8)'s per-mount flags its device is mounted with
                                   * (ro, nosuid, noexec…), which the runtime's remount keeps */
} HatakeMount;

/* The options of a container, as `docker run` takes them. Every pointer is borrowed. Initialise
 * with hatake_container_spec_init(): zero means "docker's default" everywhere. */
typedef struct
{
  const char         *id;              /* the container id: default hostname (12 chars) */
  const char         *rootfs;          /* absolute host path of the (mounted) root filesystem */
  const char         *cgroups_path;    /* linux.cgroupsPath, e.g. "hatake-<id>"; NULL for none */

  const char * const *entrypoint;      /* NULL: the image's; empty (or {""}): none. A non-empty
                                        * one also drops the image's Cmd (docker's rule) */
  const char * const *cmd;             /* NULL or empty: the image's Cmd, unless entrypoint is set */
  const char * const *env;             /* "KEY=VALUE" over the image's by key; "KEY" unsets */
  const char         *working_dir;     /* NULL or "": the image's WorkingDir, then "/" */
  const char         *user;            /* NULL: the image's User (hatake_oci_spec_user_spec()) */
  const char         *hostname;        /* NULL: the first 12 characters of id */

  gboolean            tty;
  gboolean            read_only;       /* a read-only root (and read-only hosts/resolv.conf) */
  gboolean            privileged;
  const char * const *cap_add;         /* "NET_ADMIN", "cap_net_admin", "ALL" */
  const char * const *cap_drop;
  const char * const *sysctls;         /* KEY=VALUE: linux.sysctl, namespaced keys only */

  gint64              memory;          /* bytes, 0 for no limit; at least 6 MiB */
  gint64              memory_swap;     /* memory + swap in bytes: 0 twice memory, -1 unlimited */
  gint64              cpu_shares;      /* relative CPU weight, 0 for the default */
  double              cpus;            /* 0 for no limit, else 0.01 to the number of CPUs */
  const char         *cpuset_cpus;     /* docker's lists ("0-3,5") of the CPUs and memory nodes */
  const char         *cpuset_mems;     /* allowed; NULL or "" for all */
  gint64              oom_score_adj;   /* process.oomScoreAdj, -1000 to 1000 */
  gint64              pids_limit;      /* 0 or -1 for no limit */
  gint64              shm_size;        /* /dev/shm's size in bytes, 0 for 64 MiB */

  const HatakeMount  *mounts;
  guint               n_mounts;

  gboolean            init;            /* run tini as PID 1 (docker's --init) */
  const char         *init_path;       /* NULL: HATAKE_OCI_DEFAULT_INIT */
  const char         *stop_signal;     /* NULL: the image's StopSignal, then SIGTERM */

  const char         *hosts_path;      /* host files bind-mounted at /etc/hosts, … NULL: none */
  const char         *hostname_path;
  const char         *resolv_conf_path;

  const char         *netns_path;      /* a network namespace to join; NULL: a new one, which has
                                        * only lo (docker's --network none) */
  gboolean            host_network;    /* share the host's network namespace */
  gboolean            host_pid;        /* --pid host: the host's PID namespace */
  gboolean            host_ipc;        /* --ipc host: its IPC namespace and /dev/shm (no shm_size) */
  gboolean            host_uts;        /* --uts host: its UTS namespace, so hostname is only the
                                        * HOSTNAME variable's (the runtime cannot set the host's) */

  const char         *seccomp_profile; /* NULL: HATAKE_OCI_DEFAULT_SECCOMP when it exists; a path;
                                        * "unconfined" for none. Ignored when privileged */
  gboolean            no_new_privileges; /* --security-opt no-new-privileges */
  const char * const *ulimits;         /* --ulimit NAME=SOFT[:HARD], over the engine's defaults */
  const char * const *devices;         /* --device HOST[:CONTAINER][:PERMISSIONS] */
} HatakeContainerSpec;

void        hatake_container_spec_init    (HatakeContainerSpec  *spec);

/* The user spec to resolve with hatake_passwd_resolve(): spec->user, else the image config's
 * User, else "" (root). Borrowed from one of them. */
const char *hatake_oci_spec_user_spec     (JsonObject                 *image_config,
                                           const HatakeContainerSpec  *spec);

/* Builds config.json. image_config is the "config" member of the image's config blob (Env,
 * Entrypoint, Cmd, WorkingDir, User, Volumes, StopSignal), or NULL; user is the resolved user
 * (NULL for root). Reads the engine's rlimits and, unless privileged, the seccomp profile.
 * Errors (nothing is half-built):
 *   G_IO_ERROR_INVALID_ARGUMENT  no command ("no command specified"), a relative working dir or
 *                                mount destination, an unknown capability, a bad env entry, bad
 *                                memory/swap/cpus values, a missing init binary
 *   HATAKE_ERROR_UNSAFE_LAYER    an image Volume or WorkingDir that climbs out of the root with
 *                                ".." ("/../../etc")
 *   HATAKE_ERROR_INVALID_MANIFEST  a seccomp profile that does not parse */
JsonNode   *hatake_oci_spec_build         (JsonObject                 *image_config,
                                           const HatakeContainerSpec  *spec,
                                           const HatakeUser           *user,
                                           GError                    **error);

/* The OCI linux.resources for these limits (0, NULL: none; memory_swap -1: unlimited swap, 0:
 * twice the memory), checked as docker checks them: a create's (in hatake_oci_spec_build) and a
 * `docker update`'s (the runtime's update). G_IO_ERROR_INVALID_ARGUMENT with docker's message. With
 * a CPU set, reads /sys (hatake_oci_spec_check_cpuset()). */
JsonObject *hatake_oci_spec_limits        (gint64                      memory,
                                           gint64                      memory_swap,
                                           gint64                      cpu_shares,
                                           double                      cpus,
                                           const char                 *cpuset_cpus,
                                           const char                 *cpuset_mems,
                                           gint64                      pids_limit,
                                           GError                    **error);

/* hatake-oci-resources.c. docker's --cpuset-cpus and --cpuset-mems (NULL or "": all) checked as
 * its daemon checks them at create and start: docker's list syntax ("Invalid value 0-x for cpuset
 * cpus") and every CPU and memory node online on this machine ("Requested CPUs are not available
 * - requested 64, available: 0-1"), G_IO_ERROR_INVALID_ARGUMENT. Reads /sys (blocking). */
gboolean    hatake_oci_spec_check_cpuset  (const char                 *cpus,
                                           const char                 *mems,
                                           GError                    **error);
/* The CPUs ("cpus") or the memory nodes ("mems") online on this machine, as a list ("0-1"); NULL
 * when it cannot be read. What a container without a CPU set may use. */
char       *hatake_oci_spec_online        (const char                 *kind);
/* --oom-score-adj: docker's range (G_IO_ERROR_INVALID_ARGUMENT, its message) and, unless the
 * engine has CAP_SYS_RESOURCE, not below the engine's own score (/proc/self/oom_score_adj), which
 * the runtime could not lower to: every start would fail (HATAKE_ERROR_CONFIG saying so). 0, the
 * default, is always accepted. */
gboolean    hatake_oci_spec_check_oom_score_adj (gint64                 score,
                                           GError                    **error);

/* --device's entries (hatake-oci-devices.c): the linux.devices nodes, and in RULES the device
 * cgroup rules that allow them. Reads the host's device nodes (blocking). A path that does not
 * exist or is no device nor folder: G_IO_ERROR_INVALID_ARGUMENT, docker's message. */
/* docker's device cgroup of a container that is not privileged: all denied, then the usual
 * devices allowed (see hatake-oci-devices.c) */
JsonArray  *hatake_oci_spec_default_device_rules (void);
JsonArray  *hatake_oci_spec_devices       (const char * const         *devices,
                                           JsonArray                 **rules,
                                           GError                    **error);

/* The image config's Volumes, cleaned and sorted, for the caller to give anonymous volumes;
 * HATAKE_ERROR_UNSAFE_LAYER for one that is relative or climbs out of the root. */
GStrv       hatake_oci_spec_image_volumes (JsonObject                 *image_config,
                                           GError                    **error);

/* Cleans an absolute container path lexically ("//a/./b/" → "/a/b"); a ".." that would climb
 * above "/" or a relative path gives NULL. */
char       *hatake_oci_spec_clean_path    (const char                 *path);

/* Docker's capability rules: the 14 defaults minus drops plus adds, "ALL" in either list, names
 * with or without CAP_ in any case; privileged gives every capability. "Every" and "ALL" mean
 * those in the engine's own bounding set; one added by name that is not there is an error
 * (G_IO_ERROR_INVALID_ARGUMENT naming it). Returns "CAP_…" names. */
/* Whether each --ulimit parses and, unless the engine may raise limits (CAP_SYS_RESOURCE), stays
 * within the engine's own hard limit, which the runtime could not raise: every start would fail.
 * HATAKE_ERROR_CONFIG naming the first that does not. */
gboolean    hatake_oci_spec_check_ulimits (const char * const         *ulimits,
                                           GError                    **error);
/* Whether every KEY=VALUE of sysctls sets a kernel parameter of the container's own namespaces
 * (as docker allows: IPC's kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, not with the host's
 * IPC; the network's net.*, not on the host's network); HATAKE_ERROR_CONFIG naming the first that
 * does not. */
gboolean    hatake_oci_spec_check_sysctls (const char * const         *sysctls,
                                           gboolean                    host_network,
                                           gboolean                    host_ipc,
                                           GError                    **error);
GStrv       hatake_oci_spec_capabilities  (const char * const         *cap_add,
                                           const char * const         *cap_drop,
                                           gboolean                    privileged,
                                           GError                    **error);

/* Converts a containers/common (docker) seccomp profile to the OCI linux.seccomp object for this
 * host's architecture and the capabilities given (the bounding set), keeping the rules whose
 * includes/excludes match, as podman does. */
JsonNode   *hatake_oci_seccomp_from_profile (JsonNode                 *profile,
                                             const char * const       *capabilities,
                                             GError                  **error);

G_END_DECLS
