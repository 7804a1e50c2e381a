/* hatake-registry-private.h: shared by the files of HatakeRegistry, and exposed for its unit tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-soup.h"

#include "hatake-registry.h"

G_BEGIN_DECLS

struct _HatakeRegistry
{
  GObject      parent_instance;

  SoupSession *session;  /* _hatake_registry_session() */
  char       **insecure;
  char        *auth_file;
  GHashTable  *credentials;       /* normalized registry → base64 "user:pass" (set explicitly) */
  GHashTable  *file_credentials;  /* the same, from the auth file or its credential helpers
                                     ("": the helper has none), once loaded */
  GHashTable  *cred_helpers;      /* the auth file's credHelpers: normalized registry → name */
  char        *creds_store;       /* the auth file's credsStore: the other registries' helper */
  gboolean     file_loaded;
  GHashTable  *tokens;            /* "host scope" → Token */
  GHashTable  *basic_hosts;       /* hosts that answered with a Basic challenge */
  guint        max_retries;
};

/* "https://HOST" or, for a loopback or insecure host, "http://HOST". */
char     *_hatake_registry_base_url         (HatakeRegistry *self,
                                             const char     *host);
gboolean  _hatake_registry_host_is_insecure (HatakeRegistry *self,
                                             const char     *host);

/* Parses one WWW-Authenticate challenge: returns the scheme in lower case ("bearer", "basic")
 * and its parameters (keys lower case) in *out_params. NULL when it does not parse. */
char     *_hatake_registry_parse_challenge  (const char     *header,
                                             GHashTable    **out_params);

/* The backoff before retry number `attempt` (0-based), honouring a Retry-After value. */
guint     _hatake_registry_backoff_ms       (guint           attempt,
                                             const char     *retry_after);

/* hatake-registry-request.c: the helpers of every exchange */

/* "docker.io", "https://index.docker.io/v1/", "registry-1.docker.io" → "docker.io";
 * "https://host:5000/" → "host:5000". */
char     *_hatake_registry_normalize        (const char     *registry);
/* Frees a cached token (the values of HatakeRegistry.tokens). */
void      _hatake_registry_token_free       (gpointer        data);
/* The HTTP session, made at the first call */
SoupSession *_hatake_registry_session       (HatakeRegistry *self);

/* hatake-registry-credentials.c */

/* The credentials for a registry domain (base64 "user:pass", NULL for none): the explicit
 * ones, else those of the auth file (read once) or of the credential helper it names for the
 * registry (asked once). */
void      _hatake_registry_credentials_lookup_async  (HatakeRegistry      *self,
                                                      const char          *domain,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
char     *_hatake_registry_credentials_lookup_finish (GAsyncResult        *result,
                                                      GError             **error);

/* A cancellable delay: completes after ms, or at once (as CANCELLED) when cancelled. */
void      _hatake_registry_delay_async      (guint                ms,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean  _hatake_registry_delay_finish     (GAsyncResult        *result,
                                             GError             **error);
/* Waits MS (the task's cancellable cancels it), then FUNC (TASK), whose reference it takes; a
 * cancellation fails the task instead. The retries of requests, downloads and uploads. */
typedef void (*HatakeRegistryRetryFunc) (GTask *task);
void      _hatake_registry_retry_after      (guint                    ms,
                                             GTask                   *task,
                                             HatakeRegistryRetryFunc  func);

/* Reads a whole body, failing with G_IO_ERROR_MESSAGE_TOO_LARGE beyond cap bytes. */
void      _hatake_registry_read_capped_async  (GInputStream        *stream,
                                               gsize                cap,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GBytes   *_hatake_registry_read_capped_finish (GAsyncResult        *result,
                                               GError             **error);

typedef enum
{
  REGISTRY_REQUEST_PING,      /* /v2/ */
  REGISTRY_REQUEST_MANIFEST,  /* /v2/NAME/manifests/OBJECT */
  REGISTRY_REQUEST_BLOB,      /* /v2/NAME/blobs/OBJECT */
  REGISTRY_REQUEST_UPLOAD,    /* /v2/NAME/blobs/uploads/, or the location it answered with */
} RegistryRequestKind;

/* Called as a request body goes out, with the bytes sent in this attempt so far. */
typedef void (*RegistrySentFunc) (gint64   sent,
                                  gpointer user_data);

/* What to ask; everything is copied or referenced. Fields left zero: a GET without a body. */
typedef struct
{
  RegistryRequestKind  kind;
  const char          *method;          /* NULL: GET */
  const char          *object;          /* MANIFEST: a tag or digest; BLOB, UPLOAD: the digest */
  const char          *registry;        /* PING: the registry, as a user names it */
  GUri                *location;        /* UPLOAD: where the registry said to PUT the bytes */
  const char          *accept;
  gint64               range_start;     /* > 0: from that byte on */
  gboolean             push;            /* the token asks for pull,push (else pull) */
  gboolean             caller_retries;  /* 429, 5xx and drops fail at once, for the caller to
                                           start over (see _hatake_registry_request_can_retry) */
  const char          *credentials;     /* base64 "user:pass" in place of the stored ones; no
                                           stored credential, token or Basic host is used or
                                           changed: a login check */
  const char          *content_type;
  GBytes              *body;
  GFile               *body_file;       /* streamed, body_size bytes, read anew for each attempt */
  gint64               body_size;
  RegistrySentFunc     sent;
  gpointer             sent_data;
} RegistryRequest;

/* A 2xx answer (or 416 to a Range), its body not read yet. */
typedef struct
{
  SoupMessage  *msg;
  GInputStream *stream;
  GUri         *uri;     /* where it came from, after redirects */
} RegistryResponse;

void      _hatake_registry_response_free    (RegistryResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RegistryResponse, _hatake_registry_response_free)

/* One exchange with auth, redirects and retries; ref names the repository (NULL for a ping).
 * Completes with the response once its status is 2xx (or 416 to a Range), else fails with a
 * typed error that names the registry's own reason. */
void      _hatake_registry_request_async    (HatakeRegistry        *self,
                                             const HatakeReference *ref,
                                             const RegistryRequest *spec,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);
RegistryResponse *_hatake_registry_request_finish (GAsyncResult  *result,
                                                   GError       **error);
/* After a failure with caller_retries: whether it is worth starting over (429, 5xx, a drop),
 * and the registry's Retry-After (owned by the result, NULL if none). */
gboolean  _hatake_registry_request_can_retry (GAsyncResult  *result,
                                              const char   **out_retry_after);

G_END_DECLS
