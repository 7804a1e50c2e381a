/* hatake-error.h: the engine's error domain
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HATAKE_ERROR (hatake_error_quark ())

/* One cause per thing a user can act on. I/O failures use G_IO_ERROR. */
typedef enum
{
  HATAKE_ERROR_FAILED,
  HATAKE_ERROR_INVALID_REFERENCE,   /* a malformed image reference */
  HATAKE_ERROR_NOT_FOUND,           /* no such image, tag, manifest or blob */
  HATAKE_ERROR_INVALID_STATE,       /* a refused state transition */
  HATAKE_ERROR_UNAUTHORIZED,        /* 401/403 from a registry, bad credentials */
  HATAKE_ERROR_DIGEST_MISMATCH,     /* bytes that do not hash to what was asked */
  HATAKE_ERROR_INVALID_MANIFEST,    /* a manifest or config that does not parse or is too large */
  HATAKE_ERROR_UNSUPPORTED,         /* schema 1, unknown media types, … */
  HATAKE_ERROR_NO_MATCHING_PLATFORM,/* a manifest list without the platform asked for */
  HATAKE_ERROR_UNSAFE_LAYER,        /* a layer that tries to escape its root, or a decompression bomb */
  HATAKE_ERROR_STORE_VERSION,       /* a store written by a newer hatake */
  HATAKE_ERROR_STORE_LOCKED,        /* another process owns the data root */
  HATAKE_ERROR_CONFIG,              /* a bad value in hatake.conf */
  HATAKE_ERROR_REGISTRY,            /* a registry that answered with an error */
  HATAKE_ERROR_CONFLICT,            /* e.g. removing an image that is in use */
  HATAKE_ERROR_INSECURE,            /* plain HTTP to a registry that is not marked insecure */
} HatakeError;

GQuark hatake_error_quark (void);

G_END_DECLS
