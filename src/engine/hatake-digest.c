/* hatake-digest.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GChecksum's SHA-256 runs at about 210 MB/s here; libcrypto's uses the CPU's SHA extensions and
 * runs at well over 1 GB/s, which keeps hashing off the critical path of a pull.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <gio/gio.h>
#include <openssl/evp.h>

#include "hatake-digest.h"

struct _HatakeHasher
{
  EVP_MD_CTX *ctx;
  guint64     length;
  gboolean    finished;
};

HatakeHasher *
hatake_hasher_new (void)
{
  HatakeHasher *self = g_new0 (HatakeHasher, 1);

  self->ctx = EVP_MD_CTX_new ();
  if (self->ctx == NULL || EVP_DigestInit_ex (self->ctx, EVP_sha256 (), NULL) != 1)
    g_error ("libcrypto cannot create a SHA-256 context");
  return self;
}

void
hatake_hasher_update (HatakeHasher *self,
                      const void   *data,
                      gsize         length)
{
  g_return_if_fail (self != NULL && !self->finished);
  if (length == 0)
    return;
  EVP_DigestUpdate (self->ctx, data, length);
  self->length += length;
}

guint64
hatake_hasher_get_length (HatakeHasher *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->length;
}

/* Returns "sha256:<hex>"; the hasher takes no more data afterwards. */
char *
hatake_hasher_finish (HatakeHasher *self)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  GString *out;

  g_return_val_if_fail (self != NULL && !self->finished, NULL);
  EVP_DigestFinal_ex (self->ctx, md, &md_len);
  self->finished = TRUE;

  out = g_string_sized_new (7 + 2 * md_len);
  g_string_append (out, "sha256:");
  for (unsigned int i = 0; i < md_len; i++)
    g_string_append_printf (out, "%02x", md[i]);
  return g_string_free (out, FALSE);
}

void
hatake_hasher_free (HatakeHasher *self)
{
  if (self == NULL)
    return;
  EVP_MD_CTX_free (self->ctx);
  g_free (self);
}

char *
hatake_sha256_data (const void *data,
                    gsize       length)
{
  g_autoptr(HatakeHasher) hasher = hatake_hasher_new ();

  hatake_hasher_update (hasher, data, length);
  return hatake_hasher_finish (hasher);
}

char *
hatake_sha256_bytes (GBytes *bytes)
{
  gsize length;
  const void *data = g_bytes_get_data (bytes, &length);

  return hatake_sha256_data (data, length);
}

/* Blocking: call it from a worker thread. */
gboolean
hatake_sha256_file (const char  *path,
                    char       **out_digest,
                    guint64     *out_size,
                    GError     **error)
{
  g_autoptr(HatakeHasher) hasher = hatake_hasher_new ();
  g_autofree char *buffer = g_malloc (1 << 20);
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot open %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  for (;;)
    {
      ssize_t n = read (fd, buffer, 1 << 20);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Cannot read %s: %s"), path, g_strerror (errsv));
          return FALSE;
        }
      if (n == 0)
        break;
      hatake_hasher_update (hasher, buffer, n);
    }
  close (fd);
  if (out_size)
    *out_size = hatake_hasher_get_length (hasher);
  if (out_digest)
    *out_digest = hatake_hasher_finish (hasher);
  return TRUE;
}
