/* hatake-ssh-tunnel.c: an engine on another machine, reached through the system's ssh
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup connects to sockets, not to processes, so each ssh:// engine gets a Unix socket of its
 * own in a private folder; every connection to it starts one ssh whose standard input and output
 * carry that connection to `dial-stdio` on the far side, which connects them to the engine's
 * socket there. The client's half close becomes the end of ssh's input (and so the far side's
 * half close); ssh's output ending (or ssh exiting) closes the connection, once ssh's complaint,
 * if it had one, is kept for the client's error message.
 */
#define G_LOG_DOMAIN "hatake-client"

#include "config.h"

#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include <signal.h>

#include "hatake-ssh-tunnel.h"

#define MAX_STDERR 4096
#define REMOTE_COMMAND \
  "command -v hatake >/dev/null 2>&1 && exec hatake system dial-stdio; exec docker system dial-stdio"

struct _HatakeSshTunnel
{
  GObject          parent_instance;
  char            *dir;
  char            *socket_path;
  GStrv            argv;
  GSocketService  *service;
  GHashTable      *links;         /* Link* set: the connections carried now */
  char            *last_error;
};

G_DEFINE_FINAL_TYPE (HatakeSshTunnel, hatake_ssh_tunnel, G_TYPE_OBJECT)

/* ---- one connection, one ssh --------------------------------------------------------------- */

typedef struct
{
  gatomicrefcount    ref;
  HatakeSshTunnel   *tunnel;      /* weak: cleared when the tunnel goes */
  GSocketConnection *connection;
  GSubprocess       *ssh;
  GString           *stderr_text;
  GCancellable      *cancellable;
  guint              pending;     /* output spliced, stderr read, ssh exited */
} Link;

static Link *
link_ref (Link *link)
{
  g_atomic_ref_count_inc (&link->ref);
  return link;
}

static void
link_unref (Link *link)
{
  if (!g_atomic_ref_count_dec (&link->ref))
    return;
  g_clear_object (&link->connection);
  g_clear_object (&link->ssh);
  g_clear_object (&link->cancellable);
  g_string_free (link->stderr_text, TRUE);
  g_free (link);
}

/* The three ends are in: keep ssh's complaint, close the connection */
static void
link_step_done (Link *link)
{
  if (--link->pending > 0)
    return;
  if (link->tunnel != NULL)
    {
      if (!g_subprocess_get_successful (link->ssh) && link->stderr_text->len > 0)
        {
          g_free (link->tunnel->last_error);
          link->tunnel->last_error = g_strstrip (g_strdup (link->stderr_text->str));
        }
      g_hash_table_remove (link->tunnel->links, link);
    }
  g_io_stream_close (G_IO_STREAM (link->connection), NULL, NULL);
  link_unref (link);
}

static void
on_input_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;

  /* the client's half close (or its going): ssh's input is closed by the splice */
  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  link_unref (link);
}

static void
on_output_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  link_step_done (link);
}

static void
on_stderr_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);
  gsize length = bytes ? g_bytes_get_size (bytes) : 0;

  if (length == 0)
    {
      link_step_done (link);
      return;
    }
  if (link->stderr_text->len < MAX_STDERR)
    g_string_append_len (link->stderr_text, g_bytes_get_data (bytes, NULL),
                         MIN (length, MAX_STDERR - link->stderr_text->len));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), 1024, G_PRIORITY_DEFAULT, NULL, on_stderr_read, link);
}

static void
on_ssh_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  link_step_done (link);
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source_object, gpointer user_data)
{
  HatakeSshTunnel *self = user_data;
  g_autoptr(GError) error = NULL;
  Link *link = g_new0 (Link, 1);

  g_atomic_ref_count_init (&link->ref);
  link->tunnel = self;
  link->connection = g_object_ref (connection);
  link->stderr_text = g_string_new (NULL);
  link->cancellable = g_cancellable_new ();
  link->ssh = g_subprocess_newv ((const char * const *) self->argv,
                                 G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (link->ssh == NULL)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      link->tunnel = NULL;
      link_unref (link);
      return TRUE;
    }
  g_hash_table_add (self->links, link);
  link->pending = 3;
  g_output_stream_splice_async (g_subprocess_get_stdin_pipe (link->ssh),
                                g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, link->cancellable,
                                on_input_spliced, link_ref (link));
  g_output_stream_splice_async (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                g_subprocess_get_stdout_pipe (link->ssh), G_OUTPUT_STREAM_SPLICE_NONE,
                                G_PRIORITY_DEFAULT, link->cancellable, on_output_spliced, link);
  g_input_stream_read_bytes_async (g_subprocess_get_stderr_pipe (link->ssh), 1024, G_PRIORITY_DEFAULT, NULL,
                                   on_stderr_read, link);
  g_subprocess_wait_async (link->ssh, NULL, on_ssh_exited, link);
  return TRUE;
}

/* ---- the tunnel ----------------------------------------------------------------------------- */

static void
hatake_ssh_tunnel_dispose (GObject *object)
{
  HatakeSshTunnel *self = (HatakeSshTunnel *) object;

  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
    }
  if (self->links != NULL)
    {
      GHashTableIter iter;
      Link *link;

      /* the links finish by themselves once their ssh is gone */
      g_hash_table_iter_init (&iter, self->links);
      while (g_hash_table_iter_next (&iter, (gpointer *) &link, NULL))
        {
          link->tunnel = NULL;
          g_cancellable_cancel (link->cancellable);
          g_subprocess_send_signal (link->ssh, SIGTERM);
        }
      g_clear_pointer (&self->links, g_hash_table_unref);
    }
  if (self->socket_path != NULL)
    g_unlink (self->socket_path);
  if (self->dir != NULL)
    g_rmdir (self->dir);
  G_OBJECT_CLASS (hatake_ssh_tunnel_parent_class)->dispose (object);
}

static void
hatake_ssh_tunnel_finalize (GObject *object)
{
  HatakeSshTunnel *self = (HatakeSshTunnel *) object;

  g_free (self->dir);
  g_free (self->socket_path);
  g_strfreev (self->argv);
  g_free (self->last_error);
  G_OBJECT_CLASS (hatake_ssh_tunnel_parent_class)->finalize (object);
}

static void
hatake_ssh_tunnel_class_init (HatakeSshTunnelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hatake_ssh_tunnel_dispose;
  G_OBJECT_CLASS (klass)->finalize = hatake_ssh_tunnel_finalize;
}

static void
hatake_ssh_tunnel_init (HatakeSshTunnel *self)
{
  self->links = g_hash_table_new (NULL, NULL);
}

HatakeSshTunnel *
hatake_ssh_tunnel_new (const char  *user,
                       const char  *host,
                       guint16      port,
                       GError     **error)
{
  g_autoptr(HatakeSshTunnel) self = g_object_new (HATAKE_TYPE_SSH_TUNNEL, NULL);
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_autoptr(GSocketAddress) address = NULL;
  const char *program = g_getenv ("HATAKE_SSH");
  g_auto(GStrv) words = NULL;

  g_return_val_if_fail (host != NULL && host[0] != '-', NULL);

  if (program != NULL && *program != '\0')
    {
      if (!g_shell_parse_argv (program, NULL, &words, error))
        {
          g_prefix_error (error, "HATAKE_SSH: ");
          return NULL;
        }
      g_strv_builder_addv (argv, (const char **) words);
    }
  else
    g_strv_builder_add (argv, "ssh");
  if (user != NULL)
    g_strv_builder_add_many (argv, "-l", user, NULL);
  if (port != 0)
    {
      g_autofree char *number = g_strdup_printf ("%u", port);

      g_strv_builder_add_many (argv, "-p", number, NULL);
    }
  g_strv_builder_add_many (argv, "-o", "ConnectTimeout=30", "-T", "--", host, REMOTE_COMMAND, NULL);
  self->argv = g_strv_builder_end (argv);

  self->dir = g_dir_make_tmp ("hatake-ssh-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  self->socket_path = g_build_filename (self->dir, "engine.sock", NULL);
  address = g_unix_socket_address_new (self->socket_path);
  self->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error))
    return NULL;
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);
  return g_steal_pointer (&self);
}

const char *
hatake_ssh_tunnel_get_socket_path (HatakeSshTunnel *self)
{
  g_return_val_if_fail (HATAKE_IS_SSH_TUNNEL (self), NULL);
  return self->socket_path;
}

const char *
hatake_ssh_tunnel_get_last_error (HatakeSshTunnel *self)
{
  g_return_val_if_fail (HATAKE_IS_SSH_TUNNEL (self), NULL);
  return self->last_error;
}
