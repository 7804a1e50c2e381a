/* hatake-compose-secrets.c: a service's secrets and configs as files in its containers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * As docker compose does without swarm: one given by a file is bind-mounted read-only at its
 * target; one given by an environment variable or by content is written into the container
 * once it is created, before it starts (a tar put through the engine's archive call, so it works
 * the same on a remote engine). Targets: /run/secrets/<source> for secrets, /<source> for
 * configs; a relative secret target is under /run/secrets.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <string.h>

#include "hatake-compose-project-private.h"
#include "hatake-error.h"
#include "hatake-libarchive.h"

static char *
target_of (const HatakeComposeFileRef *ref,
           gboolean                    secret)
{
  if (ref->target == NULL)
    return secret ? g_build_filename ("/run/secrets", ref->source, NULL) : g_strconcat ("/", ref->source, NULL);
  if (secret && !g_path_is_absolute (ref->target))
    return g_build_filename ("/run/secrets", ref->target, NULL);
  /* a config's relative target is from the container's root, as docker compose takes it */
  if (!g_path_is_absolute (ref->target))
    return g_strconcat ("/", ref->target, NULL);
  return g_strdup (ref->target);
}

static HatakeComposeResource *
find_resource (GPtrArray  *resources,
               const char *key)
{
  for (guint i = 0; resources != NULL && i < resources->len; i++)
    {
      HatakeComposeResource *r = g_ptr_array_index (resources, i);

      if (g_str_equal (r->key, key))
        return r;
    }
  return NULL;
}

void
_hatake_compose_add_file_mounts (HatakeComposeProject  *self,
                                 HatakeComposeService  *service,
                                 HatakeContainerConfig *config)
{
  for (guint kind = 0; kind < 2; kind++)
    {
      GPtrArray *refs = kind == 0 ? service->secrets : service->configs;
      GPtrArray *resources = kind == 0 ? self->secrets : self->configs;

      for (guint i = 0; refs != NULL && i < refs->len; i++)
        {
          HatakeComposeFileRef *ref = g_ptr_array_index (refs, i);
          HatakeComposeResource *r = find_resource (resources, ref->source);
          g_autofree char *target = target_of (ref, kind == 0);

          if (r != NULL && r->file != NULL)
            hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_BIND, r->file, target, TRUE);
        }
    }
}

static gssize
write_to_bytes (struct archive *a,
                void           *user_data,
                const void     *buffer,
                size_t          length)
{
  g_byte_array_append (user_data, buffer, (guint) length);
  return (gssize) length;
}

static gboolean
add_entry (struct archive  *a,
           const char      *path,
           const char      *content,
           int              mode,
           gint64           uid,
           gint64           gid,
           GError         **error)
{
  struct archive_entry *entry = sym_archive_entry_new ();
  gsize length = content ? strlen (content) : 0;
  gboolean ok;

  sym_archive_entry_set_pathname (entry, path);
  sym_archive_entry_set_filetype (entry, content ? AE_IFREG : AE_IFDIR);
  sym_archive_entry_set_perm (entry, (mode_t) mode);
  sym_archive_entry_set_uid (entry, uid);
  sym_archive_entry_set_gid (entry, gid);
  sym_archive_entry_set_size (entry, (la_int64_t) length);
  sym_archive_entry_set_mtime (entry, g_get_real_time () / G_USEC_PER_SEC, 0);
  ok = sym_archive_write_header (a, entry) == ARCHIVE_OK &&
       (length == 0 || sym_archive_write_data (a, content, length) == (la_ssize_t) length);
  if (!ok)
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "%s: %s", path, sym_archive_error_string (a));
  sym_archive_entry_free (entry);
  return ok;
}

/* uid and gid are numbers in compose files (as strings) */
static gint64
id_of (const char *text)
{
  return text != NULL ? (gint64) g_ascii_strtoll (text, NULL, 10) : 0;
}

GBytes *
_hatake_compose_file_contents_tar (HatakeComposeProject  *self,
                                   HatakeComposeService  *service,
                                   GError               **error)
{
  g_autoptr(HatakeLibarchive) libarchive = NULL;   /* first: released after the archive */
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GHashTable) dirs = NULL;
  struct archive *a;
  guint files = 0;
  gboolean ok = TRUE;

  /* (most services have neither: libarchive is not even loaded for them) */
  if ((service->secrets == NULL || service->secrets->len == 0) &&
      (service->configs == NULL || service->configs->len == 0))
    return NULL;
  libarchive = hatake_libarchive_load (error);
  if (libarchive == NULL)
    return NULL;
  bytes = g_byte_array_new ();
  dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  a = sym_archive_write_new ();
  sym_archive_write_set_format_pax_restricted (a);
  sym_archive_write_open (a, bytes, NULL, write_to_bytes, NULL);
  for (guint kind = 0; ok && kind < 2; kind++)
    {
      GPtrArray *refs = kind == 0 ? service->secrets : service->configs;
      GPtrArray *resources = kind == 0 ? self->secrets : self->configs;
      const char *what = kind == 0 ? "secret" : "config";

      for (guint i = 0; ok && refs != NULL && i < refs->len; i++)
        {
          HatakeComposeFileRef *ref = g_ptr_array_index (refs, i);
          HatakeComposeResource *r = find_resource (resources, ref->source);
          g_autofree char *target = target_of (ref, kind == 0);
          g_auto(GStrv) parts = NULL;
          g_autoptr(GString) dir = g_string_new (NULL);
          const char *content;

          if (r == NULL || r->file != NULL)
            continue;
          if (r->external)
            {
              g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                           "service \"%s\": %s \"%s\" is external: external %ss are swarm's, which is not "
                           "supported", service->name, what, r->key, what);
              ok = FALSE;
              break;
            }
          content = r->content;
          if (r->environment != NULL)
            {
              content = r->value;
              if (content == NULL)
                {
                  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
                               "service \"%s\": %s \"%s\": environment variable %s is not set", service->name,
                               what, r->key, r->environment);
                  ok = FALSE;
                  break;
                }
            }
          /* the folders on the way, once each (relative paths: the tar is put at /) */
          parts = g_strsplit (target + 1, "/", -1);
          for (guint k = 0; ok && parts[k] != NULL && parts[k + 1] != NULL; k++)
            {
              g_string_append_printf (dir, "%s%s", k ? "/" : "", parts[k]);
              if (*parts[k] == '\0' || g_hash_table_contains (dirs, dir->str))
                continue;
              g_hash_table_add (dirs, g_strdup (dir->str));
              ok = add_entry (a, dir->str, NULL, 0755, 0, 0, error);
            }
          ok = ok && add_entry (a, target + 1, content, ref->mode >= 0 ? ref->mode : 0444, id_of (ref->uid),
                                id_of (ref->gid), error);
          files++;
        }
    }
  if (ok && sym_archive_write_close (a) != ARCHIVE_OK)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "%s", sym_archive_error_string (a));
      ok = FALSE;
    }
  sym_archive_write_free (a);
  if (!ok || files == 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}
