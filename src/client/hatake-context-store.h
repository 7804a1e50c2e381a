/* hatake-context-store.h: docker's contexts, and hatake's own, as stores of named engines
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hatake-endpoint.h"

G_BEGIN_DECLS

typedef enum
{
  HATAKE_CONTEXT_BUILT_IN,        /* "default", and the stub of a current context that does not exist */
  HATAKE_CONTEXT_STORE_HATAKE,
  HATAKE_CONTEXT_STORE_DOCKER,
} HatakeContextStore;

typedef struct
{
  HatakeContextStore  store;
  char               *dir;    /* the store's folder (…/contexts); NULL when built in */
  JsonNode           *meta;   /* meta.json, an object */
} HatakeContext;

void           hatake_context_free             (HatakeContext       *context);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeContext, hatake_context_free)

const char    *hatake_context_name             (HatakeContext       *context);
/* "" when there is none */
const char    *hatake_context_description      (HatakeContext       *context);
JsonObject    *hatake_context_docker_endpoint  (HatakeContext       *context);
/* The endpoint's host; NULL when it names none */
const char    *hatake_context_host             (HatakeContext       *context);

/* The stores' folders */
char          *hatake_context_hatake_store     (void);
char          *hatake_context_docker_store     (void);
/* STORE/KIND/<sha256 of NAME>: where docker keeps a context's metadata (KIND "meta") and its TLS
 * material ("tls") */
char          *hatake_context_path             (const char          *dir,
                                                const char          *kind,
                                                const char          *name);
/* The context in the meta.json at PATH of the store at DIR */
HatakeContext *hatake_context_read             (HatakeContextStore   store,
                                                const char          *dir,
                                                const char          *path,
                                                GError             **error);
/* NAME in the store at DIR; HATAKE_ERROR_NOT_FOUND in docker's words when it is not there */
HatakeContext *hatake_context_load             (HatakeContextStore   store,
                                                const char          *dir,
                                                const char          *name,
                                                GError             **error);
/* The store at DIR's contexts into CONTEXTS, but those whose names are in NAMES (which gets
 * theirs); files that are not contexts are skipped */
void           hatake_context_list_store       (GPtrArray           *contexts,
                                                GHashTable          *names,
                                                HatakeContextStore   store,
                                                const char          *dir);
/* A stored context's TLS material and SkipTLSVerify into ENDPOINT */
void           hatake_context_apply_tls        (HatakeContext       *context,
                                                HatakeEndpoint      *endpoint);

/* $XDG_CONFIG_HOME/hatake/config.json, as an object ({} when there is none yet) */
char          *hatake_context_config_path      (void);
JsonNode      *hatake_context_config_load      (const char          *path,
                                                GError             **error);
/* Its "currentContext"; NULL for none (or "default"), with ERROR set when the file is unreadable */
char          *hatake_context_config_current   (GError             **error);

G_END_DECLS
