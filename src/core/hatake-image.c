/* hatake-image.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <string.h>

#include "hatake-image.h"

struct _HatakeImage
{
  GObject  parent_instance;

  char    *id;
  GStrv    repo_tags;
  GStrv    repo_digests;
  gint64   size;
  gint64   created;
  char    *architecture;
  char    *os;
};

G_DEFINE_FINAL_TYPE (HatakeImage, hatake_image, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SHORT_ID,
  PROP_REPO_TAGS,
  PROP_REPO_DIGESTS,
  PROP_SIZE,
  PROP_CREATED,
  PROP_ARCHITECTURE,
  PROP_OS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hatake_image_finalize (GObject *object)
{
  HatakeImage *self = (HatakeImage *) object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->repo_tags, g_strfreev);
  g_clear_pointer (&self->repo_digests, g_strfreev);
  g_clear_pointer (&self->architecture, g_free);
  g_clear_pointer (&self->os, g_free);

  G_OBJECT_CLASS (hatake_image_parent_class)->finalize (object);
}

static void
hatake_image_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HatakeImage *self = HATAKE_IMAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_SHORT_ID:
      g_value_take_string (value, hatake_image_dup_short_id (self));
      break;
    case PROP_REPO_TAGS:
      g_value_set_boxed (value, self->repo_tags);
      break;
    case PROP_REPO_DIGESTS:
      g_value_set_boxed (value, self->repo_digests);
      break;
    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;
    case PROP_ARCHITECTURE:
      g_value_set_string (value, self->architecture);
      break;
    case PROP_OS:
      g_value_set_string (value, self->os);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_image_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HatakeImage *self = HATAKE_IMAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_REPO_TAGS:
      hatake_image_set_repo_tags (self, g_value_get_boxed (value));
      break;
    case PROP_REPO_DIGESTS:
      hatake_image_set_repo_digests (self, g_value_get_boxed (value));
      break;
    case PROP_SIZE:
      hatake_image_set_size (self, g_value_get_int64 (value));
      break;
    case PROP_CREATED:
      hatake_image_set_created (self, g_value_get_int64 (value));
      break;
    case PROP_ARCHITECTURE:
      hatake_image_set_architecture (self, g_value_get_string (value));
      break;
    case PROP_OS:
      hatake_image_set_os (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_image_class_init (HatakeImageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_image_finalize;
  object_class->get_property = hatake_image_get_property;
  object_class->set_property = hatake_image_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHORT_ID] =
    g_param_spec_string ("short-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPO_TAGS] =
    g_param_spec_boxed ("repo-tags", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPO_DIGESTS] =
    g_param_spec_boxed ("repo-digests", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ARCHITECTURE] =
    g_param_spec_string ("architecture", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OS] =
    g_param_spec_string ("os", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hatake_image_init (HatakeImage *self)
{
  self->repo_tags = g_new0 (char *, 1);
  self->repo_digests = g_new0 (char *, 1);
}

HatakeImage *
hatake_image_new (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);
  return g_object_new (HATAKE_TYPE_IMAGE, "id", id, NULL);
}

const char *
hatake_image_get_id (HatakeImage *self)
{
  g_return_val_if_fail (HATAKE_IS_IMAGE (self), NULL);
  return self->id;
}

/* The 12 hex digits docker shows. */
char *
hatake_image_dup_short_id (HatakeImage *self)
{
  const char *hex;

  g_return_val_if_fail (HATAKE_IS_IMAGE (self), NULL);
  hex = strchr (self->id, ':');
  hex = hex ? hex + 1 : self->id;
  return g_strndup (hex, 12);
}

static gboolean
set_strv (GStrv *field, const char * const *value)
{
  const char *empty[] = { NULL };

  if (value == NULL)
    value = empty;
  if (g_strv_equal ((const char * const *) *field, value))
    return FALSE;
  g_strfreev (*field);
  *field = g_strdupv ((char **) value);
  return TRUE;
}

const char * const *
hatake_image_get_repo_tags (HatakeImage *self)
{
  g_return_val_if_fail (HATAKE_IS_IMAGE (self), NULL);
  return (const char * const *) self->repo_tags;
}

void
hatake_image_set_repo_tags (HatakeImage        *self,
                            const char * const *tags)
{
  g_return_if_fail (HATAKE_IS_IMAGE (self));
  if (set_strv (&self->repo_tags, tags))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPO_TAGS]);
}

const char * const *
hatake_image_get_repo_digests (HatakeImage *self)
{
  g_return_val_if_fail (HATAKE_IS_IMAGE (self), NULL);
  return (const char * const *) self->repo_digests;
}

void
hatake_image_set_repo_digests (HatakeImage        *self,
                               const char * const *digests)
{
  g_return_if_fail (HATAKE_IS_IMAGE (self));
  if (set_strv (&self->repo_digests, digests))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPO_DIGESTS]);
}

gboolean
hatake_image_has_tag (HatakeImage *self,
                      const char  *tag)
{
  g_return_val_if_fail (HATAKE_IS_IMAGE (self), FALSE);
  return g_strv_contains ((const char * const *) self->repo_tags, tag);
}

gint64
hatake_image_get_size (HatakeImage *self)
{
  g_return_val_if_fail (HATAKE_IS_IMAGE (self), 0);
  return self->size;
}

void
hatake_image_set_size (HatakeImage *self,
                       gint64       size)
{
  g_return_if_fail (HATAKE_IS_IMAGE (self));
  if (self->size == size)
    return;
  self->size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}

gint64
hatake_image_get_created (HatakeImage *self)
{
  g_return_val_if_fail (HATAKE_IS_IMAGE (self), 0);
  return self->created;
}

void
hatake_image_set_created (HatakeImage *self,
                          gint64       created)
{
  g_return_if_fail (HATAKE_IS_IMAGE (self));
  if (self->created == created)
    return;
  self->created = created;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED]);
}

const char *
hatake_image_get_architecture (HatakeImage *self)
{
  g_return_val_if_fail (HATAKE_IS_IMAGE (self), NULL);
  return self->architecture;
}

static gboolean
set_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
hatake_image_set_architecture (HatakeImage *self,
                               const char  *architecture)
{
  g_return_if_fail (HATAKE_IS_IMAGE (self));
  if (set_string (&self->architecture, architecture))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARCHITECTURE]);
}

const char *
hatake_image_get_os (HatakeImage *self)
{
  g_return_val_if_fail (HATAKE_IS_IMAGE (self), NULL);
  return self->os;
}

void
hatake_image_set_os (HatakeImage *self,
                     const char  *os)
{
  g_return_if_fail (HATAKE_IS_IMAGE (self));
  if (set_string (&self->os, os))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OS]);
}
