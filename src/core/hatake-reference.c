/* hatake-reference.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The grammar is distribution/reference's: [domain/]path[:tag][@digest], where a first component
 * is a domain only when it has a '.' or a ':' or is "localhost", and paths on docker.io without a
 * '/' live under "library/".
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hatake-error.h"
#include "hatake-reference.h"

G_DEFINE_BOXED_TYPE (HatakeReference, hatake_reference, hatake_reference_copy, hatake_reference_free)

#define MAX_REFERENCE_LENGTH 255
#define MAX_TAG_LENGTH 128

gboolean
hatake_digest_is_valid (const char *digest)
{
  const char *hex;

  if (digest == NULL || !g_str_has_prefix (digest, "sha256:"))
    return FALSE;
  hex = digest + strlen ("sha256:");
  if (strlen (hex) != 64)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* A full or short (at least 4 characters) image ID, with or without "sha256:". */
gboolean
hatake_string_is_image_id (const char *text)
{
  const char *hex = text;
  gsize len;

  if (g_str_has_prefix (text, "sha256:"))
    hex += strlen ("sha256:");
  len = strlen (hex);
  if (len < 4 || len > 64)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_alnum_lower (char c)
{
  return g_ascii_islower (c) || g_ascii_isdigit (c);
}

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | -+ */
static gboolean
path_component_is_valid (const char *c)
{
  gsize len = strlen (c);

  if (len == 0 || !is_alnum_lower (c[0]) || !is_alnum_lower (c[len - 1]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (is_alnum_lower (c[i]))
        continue;
      if (c[i] == '.' || c[i] == '_')
        {
          if (c[i] == '_' && c[i + 1] == '_')
            i++;
          if (!is_alnum_lower (c[i + 1]))
            return FALSE;
          continue;
        }
      if (c[i] == '-')
        {
          while (c[i + 1] == '-')
            i++;
          if (!is_alnum_lower (c[i + 1]))
            return FALSE;
          continue;
        }
      return FALSE;
    }
  return TRUE;
}

static gboolean
domain_is_valid (const char *d)
{
  const char *colon;
  g_autofree char *host = NULL;

  if (d[0] == '[')
    {
      const char *end = strchr (d, ']');
      if (end == NULL)
        return FALSE;
      colon = end[1] == ':' ? end + 1 : NULL;
      if (end[1] != '\0' && colon == NULL)
        return FALSE;
    }
  else
    {
      colon = strchr (d, ':');
      host = g_strndup (d, colon ? (gsize) (colon - d) : strlen (d));
      if (host[0] == '\0')
        return FALSE;
      for (const char *p = host; *p; p++)
        if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
          return FALSE;
      if (host[0] == '-' || host[0] == '.')
        return FALSE;
    }
  if (colon != NULL)
    {
      const char *port = colon + 1;
      if (*port == '\0' || strlen (port) > 5)
        return FALSE;
      for (const char *p = port; *p; p++)
        if (!g_ascii_isdigit (*p))
          return FALSE;
    }
  return TRUE;
}

static gboolean
tag_is_valid (const char *t)
{
  gsize len = strlen (t);

  if (len == 0 || len > MAX_TAG_LENGTH)
    return FALSE;
  if (!g_ascii_isalnum (t[0]) && t[0] != '_')
    return FALSE;
  for (const char *p = t; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
set_invalid (GError **error, const char *text, const char *why)
{
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_REFERENCE,
               _("invalid reference format “%s”: %s"), text, why);
  return FALSE;
}

HatakeReference *
hatake_reference_parse (const char  *text,
                        GError     **error)
{
  g_autoptr(HatakeReference) ref = NULL;
  g_autofree char *rest = NULL;
  g_auto(GStrv) components = NULL;
  char *at, *slash, *colon;
  char *name;

  g_return_val_if_fail (text != NULL, NULL);

  if (*text == '\0')
    return set_invalid (error, text, "empty"), NULL;
  if (strlen (text) > MAX_REFERENCE_LENGTH + 1 + MAX_TAG_LENGTH + 1 + 71)
    return set_invalid (error, text, "too long"), NULL;

  ref = g_new0 (HatakeReference, 1);
  rest = g_strdup (text);

  at = strchr (rest, '@');
  if (at != NULL)
    {
      *at = '\0';
      if (!hatake_digest_is_valid (at + 1))
        return set_invalid (error, text, "the digest must be sha256: and 64 lowercase hex digits"), NULL;
      ref->digest = g_strdup (at + 1);
    }

  /* A tag is after the last ':' that follows the last '/' (a ':' before it is a port). */
  slash = strrchr (rest, '/');
  colon = strrchr (slash ? slash : rest, ':');
  if (colon != NULL)
    {
      *colon = '\0';
      if (!tag_is_valid (colon + 1))
        return set_invalid (error, text, "a tag is up to 128 letters, digits, '_', '.' and '-'"), NULL;
      ref->tag = g_strdup (colon + 1);
    }

  name = rest;
  slash = strchr (name, '/');
  if (slash != NULL)
    {
      g_autofree char *first = g_strndup (name, slash - name);
      if (strchr (first, '.') || strchr (first, ':') || g_str_equal (first, "localhost") || first[0] == '[')
        {
          if (!domain_is_valid (first))
            return set_invalid (error, text, "the registry host is malformed"), NULL;
          ref->domain = g_steal_pointer (&first);
          name = slash + 1;
        }
    }
  if (ref->domain == NULL)
    ref->domain = g_strdup (HATAKE_DEFAULT_DOMAIN);
  else if (g_str_equal (ref->domain, "index.docker.io") || g_str_equal (ref->domain, "registry-1.docker.io"))
    {
      g_free (ref->domain);
      ref->domain = g_strdup (HATAKE_DEFAULT_DOMAIN);
    }

  if (*name == '\0')
    return set_invalid (error, text, "the repository name is empty"), NULL;

  components = g_strsplit (name, "/", -1);
  for (guint i = 0; components[i]; i++)
    if (!path_component_is_valid (components[i]))
      {
        for (const char *p = components[i]; *p; p++)
          if (g_ascii_isupper (*p))
            return set_invalid (error, text, "repository name must be lowercase"), NULL;
        return set_invalid (error, text, "a repository name is lowercase letters, digits and separators"), NULL;
      }

  if (g_str_equal (ref->domain, HATAKE_DEFAULT_DOMAIN) && strchr (name, '/') == NULL)
    ref->path = g_strconcat ("library/", name, NULL);
  else
    ref->path = g_strdup (name);

  if (strlen (ref->domain) + 1 + strlen (ref->path) > MAX_REFERENCE_LENGTH)
    return set_invalid (error, text, "the repository name is longer than 255 characters"), NULL;

  if (ref->tag == NULL && ref->digest == NULL)
    ref->tag = g_strdup (HATAKE_DEFAULT_TAG);

  return g_steal_pointer (&ref);
}

HatakeReference *
hatake_reference_copy (const HatakeReference *self)
{
  HatakeReference *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (HatakeReference, 1);
  copy->domain = g_strdup (self->domain);
  copy->path = g_strdup (self->path);
  copy->tag = g_strdup (self->tag);
  copy->digest = g_strdup (self->digest);
  return copy;
}

void
hatake_reference_free (HatakeReference *self)
{
  if (self == NULL)
    return;
  g_free (self->domain);
  g_free (self->path);
  g_free (self->tag);
  g_free (self->digest);
  g_free (self);
}

/* "docker.io/library/busybox" */
char *
hatake_reference_repository (const HatakeReference *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_strconcat (self->domain, "/", self->path, NULL);
}

/* The fully qualified form: "docker.io/library/busybox:latest@sha256:…" */
char *
hatake_reference_to_string (const HatakeReference *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_strconcat (self->domain, "/", self->path,
                      self->tag ? ":" : "", self->tag ? self->tag : "",
                      self->digest ? "@" : "", self->digest ? self->digest : "",
                      NULL);
}

/* The repository as docker shows it: "busybox", "user/app", "127.0.0.1:5000/app". */
char *
hatake_reference_familiar_name (const HatakeReference *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (g_str_equal (self->domain, HATAKE_DEFAULT_DOMAIN))
    {
      if (g_str_has_prefix (self->path, "library/") && strchr (self->path + 8, '/') == NULL)
        return g_strdup (self->path + strlen ("library/"));
      return g_strdup (self->path);
    }
  return hatake_reference_repository (self);
}

/* "busybox:latest" in familiar form; NULL when the reference has no tag. */
char *
hatake_reference_with_tag (const HatakeReference *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->tag == NULL)
    return NULL;
  name = hatake_reference_familiar_name (self);
  return g_strconcat (name, ":", self->tag, NULL);
}

/* The host to connect to for a domain: docker.io's API lives at registry-1.docker.io. */
const char *
hatake_reference_registry_host (const HatakeReference *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (g_str_equal (self->domain, HATAKE_DEFAULT_DOMAIN))
    return "registry-1.docker.io";
  return self->domain;
}
