/* hatake-compose-service.h: one service of a compose project, as the files describe it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain structs owned by their HatakeComposeProject: valid while it lives, never freed by the
 * caller. Values are interpolated and merged; relative host paths are absolute; durations are in
 * microseconds and sizes in bytes. 0 (or NULL) means "not set" unless said otherwise.
 */
#pragma once

#include <glib.h>

#include "hatake-container-config.h"

G_BEGIN_DECLS

typedef struct
{
  char     *host_ip;          /* NULL: every address */
  guint16   published;        /* 0: a free port (the engine's choice) */
  guint16   published_end;    /* last of a range, = published when none */
  guint16   target;
  guint16   target_end;       /* = target when no range */
  char     *protocol;         /* "tcp" or "udp" */
  char     *mode;             /* "ingress" or "host" */
  char     *name;             /* long form's name, or NULL */
} HatakeComposePort;

typedef enum
{
  HATAKE_COMPOSE_MOUNT_VOLUME,
  HATAKE_COMPOSE_MOUNT_BIND,
  HATAKE_COMPOSE_MOUNT_TMPFS,
} HatakeComposeMountType;

typedef struct
{
  HatakeComposeMountType  type;
  char                   *source;            /* volume: the top-level volumes key (NULL: anonymous);
                                              * bind: an absolute host path; tmpfs: NULL */
  char                   *target;
  gboolean                read_only;
  gboolean                nocopy;            /* volume.nocopy */
  gboolean                create_host_path;  /* bind: create a missing source (the short form does) */
  gint64                  tmpfs_size;        /* bytes */
  guint                   tmpfs_mode;
} HatakeComposeMount;

typedef struct
{
  char  *name;          /* the top-level networks key ("default" for the implicit one) */
  GStrv  aliases;
  char  *ipv4_address;
  char  *ipv6_address;
  int    priority;
} HatakeComposeServiceNetwork;

typedef enum
{
  HATAKE_COMPOSE_CONDITION_STARTED,
  HATAKE_COMPOSE_CONDITION_HEALTHY,
  HATAKE_COMPOSE_CONDITION_COMPLETED_SUCCESSFULLY,
} HatakeComposeCondition;

typedef struct
{
  char                   *service;
  HatakeComposeCondition  condition;
  gboolean                restart;    /* restart this service when that one is restarted */
  gboolean                required;   /* FALSE: a missing service is only a warning */
} HatakeComposeDependency;

typedef struct
{
  GStrv   test;            /* docker's form: {"CMD", args…}, {"CMD-SHELL", line} or {"NONE"}; NULL: the image's */
  gint64  interval;        /* µs */
  gint64  timeout;
  gint64  start_period;
  gint64  start_interval;
  int     retries;         /* 0: not set */
  gboolean disable;
} HatakeComposeHealthcheck;

typedef struct
{
  char  *context;          /* absolute path, or a URL as written */
  char  *dockerfile;       /* as written, relative to the context */
  char  *dockerfile_inline;
  GStrv  args;             /* KEY=VALUE */
  char  *target;
  GStrv  labels;
  GStrv  cache_from;
  GStrv  tags;
  char  *network;
} HatakeComposeBuild;

/* A service's use of a top-level secret or config. */
typedef struct
{
  char  *source;
  char  *target;           /* NULL: /run/secrets/<source> (secrets), /<source> (configs) */
  char  *uid;
  char  *gid;
  int    mode;             /* -1: not set */
} HatakeComposeFileRef;

typedef struct
{
  char                       *name;
  char                       *image;         /* NULL: built (see build) */
  HatakeComposeBuild         *build;         /* NULL: pulled */
  GStrv                       command;       /* NULL: the image's; an empty vector clears it */
  GStrv                       entrypoint;    /* idem */
  GStrv                       environment;   /* KEY=VALUE: env_file entries under environment's */
  GPtrArray                  *ports;         /* of HatakeComposePort */
  GStrv                       expose;        /* PORT[-PORT][/PROTO] */
  GPtrArray                  *volumes;       /* of HatakeComposeMount, tmpfs: included */
  GPtrArray                  *networks;      /* of HatakeComposeServiceNetwork; empty with network_mode */
  char                       *network_mode;  /* host, none, bridge, service:NAME, container:ID or NULL */
  char                       *pid;           /* pid, ipc, uts: "host", or NULL for the container's */
  char                       *ipc;           /* own namespace (hatake_namespace_mode_parse) */
  char                       *uts;
  GPtrArray                  *depends_on;    /* of HatakeComposeDependency (links and
                                              * network_mode: service:x included), sorted by name */
  HatakeComposeHealthcheck   *healthcheck;   /* NULL: the image's */
  HatakeRestartPolicy         restart;
  guint                       restart_max;
  int                         replicas;      /* deploy.replicas (or scale), 1 unless set */
  double                      cpus;          /* deploy.resources.limits.cpus, or cpus */
  gint64                      memory;        /* deploy.resources.limits.memory, or mem_limit */
  gint64                      pids_limit;
  gint64                      memory_swap;   /* memswap_limit: memory + swap, -1 unlimited */
  gint64                      cpu_shares;
  char                       *cpuset;        /* docker's --cpuset-cpus list ("0-3,5") */
  gint64                      oom_score_adj; /* -1000 to 1000, 0 the default */
  double                      cpus_reservation;
  gint64                      memory_reservation;
  GStrv                       labels;        /* KEY=VALUE */
  char                       *container_name;
  char                       *hostname;
  char                       *domainname;
  char                       *user;
  char                       *working_dir;
  GStrv                       cap_add;
  GStrv                       cap_drop;
  GStrv                       sysctls;       /* KEY=VALUE */
  GStrv                       extra_hosts;   /* HOST:IP */
  GStrv                       devices;       /* HOST:CONTAINER:PERMISSIONS */
  GStrv                       group_add;
  GStrv                       dns;
  gboolean                    init;
  gboolean                    privileged;
  gboolean                    read_only;
  gboolean                    tty;
  gboolean                    stdin_open;
  char                       *stop_signal;
  gint64                      stop_grace_period;  /* µs; -1: not set */
  GStrv                       profiles;
  char                       *pull_policy;
  char                       *platform;
  gint64                      shm_size;
  GPtrArray                  *secrets;       /* of HatakeComposeFileRef */
  GPtrArray                  *configs;       /* of HatakeComposeFileRef */
} HatakeComposeService;

G_END_DECLS
