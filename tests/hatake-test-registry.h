/* hatake-test-registry.h: what test-registry (pulling) and test-registry-push share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A fresh HatakeRegistry per test, the client's calls run to completion on the main loop, and a
 * small threaded HTTP proxy on 127.0.0.x that forwards to a registry and injects faults (503, 429,
 * a connection cut mid-body, a stalled body, a redirect to another host, a lying registry).
 */
#pragma once

#include <gio/gio.h>

#include "hatake-registry.h"

G_BEGIN_DECLS

#define LAYER_SIZE (3 * 1024 * 1024 + 123)
#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"

/* TRUE when the service named by `variable` is there; else skips (or fails under CI). */
gboolean         require_service         (const char             *variable);

GBytes          *random_bytes            (gsize                   size);
char            *random_digest           (void);
void             assert_file_equals      (const char             *path,
                                          GBytes                 *expected);
/* An OCI manifest of one config and one gzip layer. */
GBytes          *build_manifest          (const char             *config_digest,
                                          gsize                   config_size,
                                          const char             *layer_digest,
                                          gsize                   layer_size);

/* ------------------------------------------------------------------------------------------ */
/* A fault-injecting HTTP proxy: one request per connection, one thread per connection         */

typedef struct
{
  GSocketService *service;
  char           *address;         /* "127.0.0.1:PORT", usable as a registry domain */
  char           *upstream;        /* the registry's host:port */
  gint            active;          /* handler threads running */
  gboolean        stopping;

  GMutex          lock;
  GPtrArray      *requests;        /* request heads, as received */

  /* Faults. The *_count ones apply to that many blob (or, with fail_manifests, manifest)
   * requests, then stop. */
  guint           fail_status;
  guint           fail_count;
  char           *fail_method;     /* only requests with this method fail; NULL: any */
  char           *retry_after;
  gint64          cut_after;       /* close after this many body bytes of a blob, once */
  gint64          stall_after;     /* stop sending after this many body bytes of a blob */
  gboolean        strip_range;
  gboolean        require_basic;   /* 401 Basic to requests without Authorization */
  char           *redirect_blobs;  /* "http://host:port": 307 there for blob requests */
  char           *rewrite_from;    /* replaced in the path with rewrite_to */
  char           *rewrite_to;
  char           *fake_digest;     /* Docker-Content-Digest to send instead of the real one */
  gint64          big_manifest;    /* serve a manifest this big */
  gboolean        big_chunked;     /* … without a Content-Length */
  gboolean        relative_location; /* strip the scheme and host from Location headers */
  gboolean        fail_manifests;  /* fail_status applies to manifest requests instead of blobs */
  gboolean        bogus_partial;   /* blobs come as "206" with a Content-Range from byte 1 */
} Proxy;

Proxy           *proxy_new               (const char             *bind_ip,
                                          const char             *upstream);
void             proxy_free              (Proxy                  *proxy);
/* The request heads the proxy saw that contain `needle` (e.g. "/blobs/"). */
GPtrArray       *proxy_requests_matching (Proxy                  *proxy,
                                          const char             *needle);
gboolean         head_has_header         (const char             *head,
                                          const char             *header_prefix);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_free)

/* ------------------------------------------------------------------------------------------ */
/* Running the client                                                                         */

typedef struct
{
  char           *dir;
  HatakeRegistry *registry;
} Fixture;

void             fixture_setup           (Fixture                *f,
                                          gconstpointer           data);
void             fixture_teardown        (Fixture                *f,
                                          gconstpointer           data);

/* A GAsyncReadyCallback that stores the result in the GAsyncResult * that user_data points at. */
void             store_result_cb         (GObject                *object,
                                          GAsyncResult           *result,
                                          gpointer                user_data);
/* Spins the main loop until *slot is set (a minute at most). */
GAsyncResult    *wait_for                (GAsyncResult          **slot);

HatakeReference *make_ref                (const char             *domain,
                                          const char             *name,
                                          const char             *tag_or_digest);
GBytes          *fetch_manifest          (HatakeRegistry         *registry,
                                          const HatakeReference  *ref,
                                          char                  **media_type,
                                          char                  **digest,
                                          GError                **error);

typedef struct
{
  guint         calls;
  gint64        first;
  gint64        last;
  gint64        total;
  gint64        cancel_at;
  GCancellable *cancellable;
} Progress;

void             progress_cb             (gint64                  done,
                                          gint64                  total,
                                          gpointer                user_data);
gboolean         fetch_blob              (HatakeRegistry         *registry,
                                          const HatakeReference  *ref,
                                          const char             *digest,
                                          gint64                  size,
                                          const char             *partial,
                                          const char             *final,
                                          Progress               *progress,
                                          GCancellable           *cancellable,
                                          GError                **error);

/* Where fetch_blob writes, in the fixture's directory. */
typedef struct
{
  char *partial;
  char *final;
} Paths;

void             paths_init              (Paths                  *paths,
                                          Fixture                *f);
void             paths_clear             (Paths                  *paths);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Paths, paths_clear)

/* ------------------------------------------------------------------------------------------ */
/* The registries with authentication that build-aux/test-services.sh starts                  */

/* The manifest of NAME:latest (a busybox image) at the registry named by VARIABLE. */
GBytes          *fetch_busybox           (Fixture                *f,
                                          const char             *variable,
                                          const char             *name,
                                          GError                **error);
const char      *test_user               (void);
const char      *test_password           (void);

G_END_DECLS
