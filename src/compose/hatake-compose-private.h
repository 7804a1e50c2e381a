/* hatake-compose-private.h: what the files of the compose parser share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A compose file is read into a small tree of nodes that remember where they came from (file,
 * line, column, the folder its relative paths are resolved against). Interpolation, the merge of
 * several files, extends and the profiles all work on that tree; only the merged tree is turned
 * into the typed model, so that an error found late still points at the text that caused it.
 */
#pragma once

#include <glib.h>

#include "hatake-compose-project.h"

G_BEGIN_DECLS

typedef enum
{
  HATAKE_COMPOSE_NODE_SCALAR,
  HATAKE_COMPOSE_NODE_MAPPING,
  HATAKE_COMPOSE_NODE_SEQUENCE,
} HatakeComposeNodeKind;

typedef enum
{
  HATAKE_COMPOSE_NODE_PLAIN    = 1 << 0,  /* an unquoted scalar: may be null, a number, a boolean */
  HATAKE_COMPOSE_NODE_RESET    = 1 << 1,  /* !reset: removes what earlier files set */
  HATAKE_COMPOSE_NODE_OVERRIDE = 1 << 2,  /* !override: replaces what earlier files set, unmerged */
} HatakeComposeNodeFlags;

typedef struct _HatakeComposeNode HatakeComposeNode;
struct _HatakeComposeNode
{
  HatakeComposeNodeKind  kind;
  guint                  flags;
  char                  *file;    /* GRefString: the name errors show */
  char                  *dir;     /* GRefString: where relative paths in it start */
  guint                  line;    /* 1-based */
  guint                  column;  /* 1-based */
  char                  *value;   /* scalars */
  GPtrArray             *items;   /* sequences: the nodes; mappings: key, value, key, value… */
};

/* The most nodes one file may expand to through aliases (a "billion laughs" stops here), and
 * the most bytes of scalars its aliases may copy (few nodes of long strings, the same bomb). */
#define HATAKE_COMPOSE_MAX_NODES 1000000
#define HATAKE_COMPOSE_MAX_ALIAS_BYTES (64 * 1024 * 1024)
#define HATAKE_COMPOSE_MAX_DEPTH 200

HatakeComposeNode *_hatake_compose_node_new_scalar (const HatakeComposeNode *where,
                                                    const char              *value,
                                                    guint                    flags);
HatakeComposeNode *_hatake_compose_node_new        (HatakeComposeNodeKind    kind,
                                                    const HatakeComposeNode *where);
HatakeComposeNode *_hatake_compose_node_copy       (const HatakeComposeNode *node);
void               _hatake_compose_node_free       (HatakeComposeNode       *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeComposeNode, _hatake_compose_node_free)

gboolean           _hatake_compose_node_is_null    (const HatakeComposeNode *node);
guint              _hatake_compose_node_n_pairs    (const HatakeComposeNode *mapping);
HatakeComposeNode *_hatake_compose_node_key        (const HatakeComposeNode *mapping,
                                                    guint                    i);
HatakeComposeNode *_hatake_compose_node_val        (const HatakeComposeNode *mapping,
                                                    guint                    i);
/* The value under key, or NULL. */
HatakeComposeNode *_hatake_compose_node_lookup     (const HatakeComposeNode *mapping,
                                                    const char              *key);
/* Takes value; replaces what key had (keeping the key's place) or appends. */
void               _hatake_compose_node_set        (HatakeComposeNode       *mapping,
                                                    const char              *key,
                                                    const HatakeComposeNode *key_where,
                                                    HatakeComposeNode       *value);
void               _hatake_compose_node_remove     (HatakeComposeNode       *mapping,
                                                    const char              *key);

/* FILE:LINE:COLUMN: PATH: message, as HATAKE_ERROR_CONFIG. PATH may be NULL. */
void               _hatake_compose_set_error       (GError                 **error,
                                                    const HatakeComposeNode *node,
                                                    const char              *path,
                                                    const char              *format,
                                                    ...) G_GNUC_PRINTF (4, 5);
char              *_hatake_compose_where           (const HatakeComposeNode *node);

/* hatake-compose-yaml.c: one YAML document (anchors, aliases, << merge keys, !reset, !override).
 * An empty document is an empty mapping. */
HatakeComposeNode *_hatake_compose_yaml_parse      (const char              *data,
                                                    gsize                    length,
                                                    const char              *file,
                                                    const char              *dir,
                                                    GError                 **error);

/* hatake-compose-interpolate.c */
typedef struct
{
  GHashTable *vars;       /* name → value: .env under the environment */
  GPtrArray  *warnings;   /* of char *; NULL: none kept */
  GHashTable *warned;     /* variables already warned about */
} HatakeComposeEnv;

/* KEY=VALUE lines as compose reads .env (and env_file). Each KEY is added to vars, and to order
 * (may be NULL) when vars did not have it; lookup (may be NULL) resolves ${…} in unquoted and
 * double-quoted values after vars, and gives bare KEYs their value. */
gboolean           _hatake_compose_dotenv_parse    (const char              *data,
                                                    gsize                    length,
                                                    const char              *file,
                                                    GHashTable              *vars,
                                                    GPtrArray               *order,
                                                    GHashTable              *lookup,
                                                    GError                 **error);
/* Every scalar value (not the keys) of node. */
gboolean           _hatake_compose_interpolate     (HatakeComposeNode       *node,
                                                    HatakeComposeEnv        *env,
                                                    GError                 **error);
/* One string; where names the scalar for errors and warnings. */
char              *_hatake_compose_interpolate_string (const char              *text,
                                                       HatakeComposeEnv        *env,
                                                       const HatakeComposeNode *where,
                                                       GError                 **error);

/* hatake-compose-merge.c */
/* Puts override onto base as the compose specification says. path is where base is, its segments
 * separated by newlines (service names may hold dots), "" at the top. Both are consumed; the
 * result is returned. */
HatakeComposeNode *_hatake_compose_merge           (HatakeComposeNode       *base,
                                                    HatakeComposeNode       *override,
                                                    const char              *path);
/* Drops the !reset values of a tree no earlier file is merged under, clears the tags. */
void               _hatake_compose_strip_tags      (HatakeComposeNode       *node);
/* The forms that merge by key written as mappings (environment, labels, …: "K=V" lists). */
HatakeComposeNode *_hatake_compose_list_to_map     (HatakeComposeNode       *node,
                                                    char                     separator);

/* hatake-compose-values.c: the scalar forms */
gboolean           _hatake_compose_parse_duration  (const char              *text,
                                                    gint64                  *usec);
gboolean           _hatake_compose_parse_size      (const char              *text,
                                                    gint64                  *bytes);
gboolean           _hatake_compose_parse_bool      (const char              *text,
                                                    gboolean                *value);
gboolean           _hatake_compose_parse_port      (const char              *text,
                                                    GPtrArray               *ports);
char              *_hatake_compose_port_key        (const HatakeComposePort *port);
void               _hatake_compose_port_free       (HatakeComposePort       *port);
/* The target of a short volume spec, for the merge (NULL: not one). */
char              *_hatake_compose_volume_target   (const char              *spec);

/* hatake-compose-service.c: one merged, interpolated service node → the model */
typedef struct
{
  HatakeComposeEnv  *env;
  const char        *home;       /* what ~ stands for in bind sources */
  GPtrArray         *warnings;
  GHashTable        *services;   /* the names of every service (profiles or not) */
  GHashTable        *networks;   /* the top-level keys: what services may name */
  GHashTable        *volumes;
  GHashTable        *secrets;
  GHashTable        *configs;
} HatakeComposeContext;

HatakeComposeService *_hatake_compose_service_parse (HatakeComposeContext    *ctx,
                                                     const char              *name,
                                                     HatakeComposeNode       *node,
                                                     GError                 **error);
void               _hatake_compose_service_free    (HatakeComposeService    *service);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeComposeService, _hatake_compose_service_free)

/* hatake-compose-service-mounts.c */
gboolean           _hatake_compose_parse_ports     (HatakeComposeService    *s,
                                                    const HatakeComposeNode *node,
                                                    const char              *path,
                                                    GError                 **error);
gboolean           _hatake_compose_parse_tmpfs_spec (HatakeComposeService    *s,
                                                     const HatakeComposeNode *node,
                                                     const char              *path,
                                                     GError                 **error);
gboolean           _hatake_compose_parse_volume_short (HatakeComposeContext    *ctx,
                                                       HatakeComposeService    *s,
                                                       const HatakeComposeNode *node,
                                                       const char              *path,
                                                       GError                 **error);
gboolean           _hatake_compose_parse_volume_long (HatakeComposeContext    *ctx,
                                                      HatakeComposeService    *s,
                                                      const HatakeComposeNode *node,
                                                      const char              *path,
                                                      GError                 **error);

/* hatake-compose-service-fields.c */
gboolean           _hatake_compose_parse_build       (HatakeComposeContext    *ctx,
                                                      HatakeComposeService    *s,
                                                      const HatakeComposeNode *node,
                                                      const char              *path,
                                                      GError                 **error);
/* env_file entries, then environment over them, in the order they were first written */
gboolean           _hatake_compose_parse_environment (HatakeComposeContext    *ctx,
                                                      HatakeComposeService    *s,
                                                      const HatakeComposeNode *svc,
                                                      const char              *path,
                                                      GError                 **error);
gboolean           _hatake_compose_parse_healthcheck (HatakeComposeService    *s,
                                                      const HatakeComposeNode *node,
                                                      const char              *path,
                                                      GError                 **error);
/* has_replicas: set when deploy.replicas is */
gboolean           _hatake_compose_parse_deploy      (HatakeComposeService    *s,
                                                      const HatakeComposeNode *node,
                                                      const char              *path,
                                                      gboolean                *has_replicas,
                                                      GError                 **error);

/* hatake-compose-fields.c: shared checks for the typed parsers */
gboolean           _hatake_compose_expect          (const HatakeComposeNode *node,
                                                    HatakeComposeNodeKind    kind,
                                                    const char              *path,
                                                    GError                 **error);
gboolean           _hatake_compose_get_string      (const HatakeComposeNode *node,
                                                    const char              *path,
                                                    char                   **out,
                                                    GError                 **error);
gboolean           _hatake_compose_get_bool        (const HatakeComposeNode *node,
                                                    const char              *path,
                                                    gboolean                *out,
                                                    GError                 **error);
gboolean           _hatake_compose_get_int         (const HatakeComposeNode *node,
                                                    const char              *path,
                                                    gint64                   min,
                                                    gint64                   max,
                                                    gint64                  *out,
                                                    GError                 **error);
gboolean           _hatake_compose_get_strv        (const HatakeComposeNode *node,
                                                    const char              *path,
                                                    GStrv                   *out,
                                                    GError                 **error);
/* A list of "K=V" or a mapping, as KEY=VALUE; a key without value (bare, or null) is looked up
 * in the env when env is not NULL (and left out when unset), else kept as "KEY". */
gboolean           _hatake_compose_get_dict        (const HatakeComposeNode *node,
                                                    const char              *path,
                                                    HatakeComposeEnv        *env,
                                                    GStrv                   *out,
                                                    GError                 **error);
/* Each key of mapping is in allowed (NULL-terminated), or an x- extension. */
gboolean           _hatake_compose_check_keys      (const HatakeComposeNode *mapping,
                                                    const char              *path,
                                                    const char * const      *allowed,
                                                    GError                 **error);
char              *_hatake_compose_child           (const char              *path,
                                                    const char              *key);
char              *_hatake_compose_item            (const char              *path,
                                                    guint                    i);
gboolean           _hatake_compose_get_duration    (const HatakeComposeNode *node,
                                                    const char              *path,
                                                    gint64                  *usec,
                                                    GError                 **error);
gboolean           _hatake_compose_get_size        (const HatakeComposeNode *node,
                                                    const char              *path,
                                                    gint64                  *bytes,
                                                    GError                 **error);
gboolean           _hatake_compose_get_cpus        (const HatakeComposeNode *node,
                                                    const char              *path,
                                                    double                  *cpus,
                                                    GError                 **error);
/* bind sources and files: ~ is home, relative paths start at the node's folder */
char              *_hatake_compose_resolve_path    (const HatakeComposeNode *node,
                                                    const char              *path,
                                                    const char              *home);

G_END_DECLS
