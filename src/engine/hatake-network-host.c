/* hatake-network-host.c: what a network setup does on the host — netavark runs, network
 * namespaces, the host ports a container publishes, the bridges' addresses
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/netdevice.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "hatake-json.h"
#include "hatake-network-private.h"

static char *
netavark_path (void)
{
  static const char * const places[] = { "/usr/lib/podman/netavark", "/usr/libexec/podman/netavark",
                                         "/usr/local/lib/podman/netavark", NULL };
  char *found = g_find_program_in_path ("netavark");

  for (guint i = 0; found == NULL && places[i] != NULL; i++)
    if (g_file_test (places[i], G_FILE_TEST_IS_EXECUTABLE))
      found = g_strdup (places[i]);
  return found;
}

typedef struct
{
  GAsyncResult *result;
  gboolean      timed_out;
} Bounded;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ((Bounded *) user_data)->result = g_object_ref (result);
}

static gboolean
on_timeout (gpointer user_data)
{
  ((Bounded *) user_data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* A netavark run that does not end is killed after HATAKE_NETAVARK_TIMEOUT seconds (60 by
 * default): it holds the networks' lock and the machine's netavark lock, so one that hangs (it
 * was seen once under load, its exit never reported) would stop every network setup of every
 * engine on the machine. */
static gboolean
communicate_bounded (GSubprocess  *proc,
                     const char   *command,
                     char        **stdout_text,
                     char        **stderr_text,
                     GError      **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = NULL;
  const char *seconds_text = g_getenv ("HATAKE_NETAVARK_TIMEOUT");
  guint seconds = seconds_text != NULL ? (guint) g_ascii_strtoull (seconds_text, NULL, 10) : 0;
  Bounded bounded = { NULL, FALSE };
  gboolean killed = FALSE;
  gboolean ok;

  if (seconds == 0)
    seconds = 60;
  g_main_context_push_thread_default (context);
  g_subprocess_communicate_utf8_async (proc, NULL, cancellable, on_communicated, &bounded);
  timeout = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (timeout, on_timeout, &bounded, NULL);
  g_source_attach (timeout, context);
  while (bounded.result == NULL && !bounded.timed_out)
    g_main_context_iteration (context, TRUE);
  if (bounded.result == NULL)
    {
      killed = TRUE;
      g_subprocess_force_exit (proc);
      g_cancellable_cancel (cancellable);
      while (bounded.result == NULL)
        g_main_context_iteration (context, TRUE);
    }
  g_source_destroy (timeout);
  ok = g_subprocess_communicate_utf8_finish (proc, bounded.result, stdout_text, stderr_text,
                                             killed ? NULL : error);
  g_object_unref (bounded.result);
  g_main_context_pop_thread_default (context);
  if (killed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   _("netavark %s did not finish within %u seconds: killed"), command, seconds);
      return FALSE;
    }
  return ok;
}

/* PATH (made with MODE if missing) opened and flock()ed with OPERATION, waiting as long as it
 * takes; -1 with errno set when it cannot be opened. */
static int
open_locked (const char *path,
             int         mode,
             int         operation)
{
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, mode);

  if (fd >= 0)
    while (flock (fd, operation) < 0 && errno == EINTR)
      ;
  return fd;
}

/* netavark names a network's firewall chains (NETAVARK-<hash of the name>) and its aardvark-dns
 * file after the network's name, machine-wide: another engine's network of the same name (every
 * data root has a "bridge") would share them, and the last container leaving either bridge
 * would delete the other's outbound NAT rule. So netavark is given each network under its id,
 * ours alone: a copy of the options file at OPTIONS_PATH with the networks renamed, written
 * beside it (NULL, and the file as it is, when it cannot be read: a teardown tries anyway). */
static char *
write_for_netavark (const char *options_path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  JsonObject *root, *networks, *infos, *renamed_networks, *renamed_infos;
  g_autoptr(GList) names = NULL;

  if (!json_parser_load_from_file (parser, options_path, NULL) || !hatake_json_root_is (parser, JSON_NODE_OBJECT))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  networks = hatake_json_object_member (root, "networks");
  infos = hatake_json_object_member (root, "network_info");
  if (networks == NULL || infos == NULL)
    return NULL;
  renamed_networks = json_object_new ();
  renamed_infos = json_object_new ();
  names = json_object_get_members (infos);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *info = hatake_json_object_member (infos, l->data);
      const char *id = info ? json_object_get_string_member_with_default (info, "id", "") : "";
      JsonNode *endpoint = json_object_get_member (networks, l->data);
      const char *name = *id != '\0' ? id : l->data;

      if (info == NULL)
        continue;
      json_object_set_string_member (info, "name", name);
      json_object_set_object_member (renamed_infos, name, json_object_ref (info));
      if (endpoint != NULL)
        json_object_set_member (renamed_networks, name, json_node_copy (endpoint));
    }
  json_object_set_object_member (root, "networks", renamed_networks);
  json_object_set_object_member (root, "network_info", renamed_infos);
  generator = json_generator_new ();
  json_generator_set_root (generator, json_parser_get_root (parser));
  text = json_generator_to_data (generator, NULL);
  path = g_strconcat (options_path, ".netavark", NULL);
  if (!g_file_set_contents (path, text, -1, NULL))
    return NULL;
  return g_steal_pointer (&path);
}

/* netavark COMMAND on NETNS with the options file; its stdout (setup's JSON) in OUT. */
gboolean
_hatake_networks_run_netavark (HatakeNetworks  *self,
              const char      *command,
              const char      *options_path,
              const char      *netns,
              char           **out,
              GError         **error)
{
  g_autofree char *netavark = netavark_path ();
  g_autofree char *lock_path = NULL;
  g_autofree char *renamed_path = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  int lock_fd;
  gboolean ok;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  if (netavark == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("netavark is not installed (Debian's netavark package): containers cannot have a network"));
      return FALSE;
    }
  if (g_mkdir_with_parents (self->state_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create %s: %s"), self->state_dir,
                   g_strerror (saved));
      return FALSE;
    }
  /* netavark 1.4 edits the firewall's shared chains without a lock of its own: two at once
   * (two engines, two data roots, an exit command) break each other's rules ("Chain already
   * exists"). One at a time on the machine, as podman does — but for the runs that change
   * nothing shared, which may overlap each other (hatake-network-queue.c). */
  lock_path = g_build_filename (self->state_dir, "..", "..", "netavark.lock", NULL);
  renamed_path = write_for_netavark (options_path);
  lock_fd = open_locked (lock_path, 0600, _hatake_networks_in_shared_job () ? LOCK_SH : LOCK_EX);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error,
                           netavark, "--config", self->state_dir, "--file", renamed_path ? renamed_path : options_path,
                           command, netns, NULL);
  ok = proc != NULL && communicate_bounded (proc, command, &stdout_text, &stderr_text, error);
  if (lock_fd >= 0)
    close (lock_fd);
  if (renamed_path != NULL)
    g_unlink (renamed_path);
  if (!ok)
    return FALSE;
  if (!g_subprocess_get_successful (proc))
    {
      /* netavark reports its errors as {"error": "…"} on stdout, some on stderr */
      g_autoptr(JsonParser) parser = json_parser_new ();
      const char *message = NULL;

      if (stdout_text != NULL && json_parser_load_from_data (parser, stdout_text, -1, NULL) &&
          hatake_json_root_is (parser, JSON_NODE_OBJECT))
        message = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                              "error", NULL);
      if (message == NULL && stderr_text != NULL && *g_strstrip (stderr_text) != '\0')
        message = stderr_text;
      if (message == NULL && stdout_text != NULL && *g_strstrip (stdout_text) != '\0')
        message = stdout_text;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("netavark %s failed (exit status %d): %s"), command,
                   g_subprocess_get_exit_status (proc), message ? message : _("no message"));
      return FALSE;
    }
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  return TRUE;
}

/* Drops CONTAINER_ID's lines from FILE, an aardvark-dns network file ("GATEWAY…" then one
 * "ID IPV4 IPV6 NAMES" line per container), replacing it whole through a file in TMP_DIR, on the
 * same file system (not g_file_set_contents(): its temporary file, beside FILE, would be read
 * as one more network by an aardvark-dns reloading meanwhile). Whether a line went. */
static gboolean
drop_dns_entries (const char  *file,
                  const char  *tmp_dir,
                  const char  *container_id,
                  GError     **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  g_autofree char *tmp = NULL;
  gboolean dropped = FALSE;
  int fd;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return FALSE;   /* no entries on that network */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strchr (lines[i], ' ');

      if (i > 0 && space != NULL && (gsize) (space - lines[i]) == strlen (container_id) &&
          strncmp (lines[i], container_id, space - lines[i]) == 0)
        {
          dropped = TRUE;
          continue;
        }
      if (lines[i][0] != '\0')
        g_string_append_printf (kept, "%s\n", lines[i]);
    }
  if (!dropped)
    return FALSE;
  tmp = g_build_filename (tmp_dir, ".dns-XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0 || write (fd, kept->str, kept->len) != (gssize) kept->len || close (fd) != 0 || g_rename (tmp, file) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot rewrite %s: %s"), file, g_strerror (saved));
      if (fd >= 0)
        g_unlink (tmp);
      return FALSE;
    }
  return TRUE;
}

/* For a teardown beside others: takes CONTAINER_ID's names out of aardvark-dns (what netavark
 * would do, but under netavark's own aardvark.lock, which its setups take to add names and its
 * teardowns do not) and tells it; returns a copy of OPTIONS that leaves DNS alone. */
JsonNode *
_hatake_networks_forget_dns (HatakeNetworks  *self,
                             const char      *container_id,
                             JsonNode        *options,
                             GError         **error)
{
  g_autoptr(JsonNode) copy = json_node_copy (options);
  JsonObject *info = hatake_json_object_member (json_node_get_object (copy), "network_info");
  g_autoptr(GList) names = info ? json_object_get_members (info) : NULL;
  g_autofree char *dns_dir = g_build_filename (self->state_dir, "aardvark-dns", NULL);
  gboolean dropped = FALSE;
  int lock_fd = -1;

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *network = hatake_json_object_member (info, l->data);
      const char *name;
      g_autofree char *file = NULL;
      g_autoptr(GError) local_error = NULL;

      if (network == NULL || !json_object_get_boolean_member_with_default (network, "dns_enabled", FALSE))
        continue;
      json_object_set_boolean_member (network, "dns_enabled", FALSE);
      if (lock_fd < 0)
        {
          g_autofree char *lock_path = g_build_filename (self->state_dir, "aardvark.lock", NULL);

          lock_fd = open_locked (lock_path, 0644, LOCK_EX);
          if (lock_fd < 0)
            {
              int saved = errno;

              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot open %s: %s"), lock_path,
                           g_strerror (saved));
              return NULL;
            }
        }
      /* (netavark's name for the network: its id) */
      name = json_object_get_string_member_with_default (network, "id", "");
      if (*name == '\0' || strchr (name, '/') != NULL)
        name = l->data;
      file = g_build_filename (dns_dir, name, NULL);
      if (drop_dns_entries (file, self->state_dir, container_id, &local_error))
        dropped = TRUE;
      else if (local_error != NULL)
        {
          close (lock_fd);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  if (dropped)
    {
      g_autofree char *pid_path = g_build_filename (dns_dir, "aardvark.pid", NULL);
      g_autofree char *pid_text = NULL;
      gint64 pid = 0;

      if (g_file_get_contents (pid_path, &pid_text, NULL, NULL) &&
          g_ascii_string_to_signed (g_strstrip (pid_text), 10, 1, G_MAXINT, &pid, NULL))
        kill ((pid_t) pid, SIGHUP);
    }
  if (lock_fd >= 0)
    close (lock_fd);
  return g_steal_pointer (&copy);
}

/* A new network namespace bound at PATH. The calling thread steps into it to make it and steps
 * back: this thread only, never the process. */
gboolean
_hatake_networks_make_netns (const char  *path,
            GError     **error)
{
  int own, fd, saved;

  fd = open (path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0)
    goto fail;
  close (fd);
  own = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (own < 0)
    goto fail;
  if (unshare (CLONE_NEWNET) < 0)
    {
      saved = errno;
      close (own);
      errno = saved;
      goto fail;
    }
  saved = mount ("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0 ? errno : 0;
  if (setns (own, CLONE_NEWNET) < 0)
    g_error ("Could not return to the engine's network namespace: %s", g_strerror (errno));
  close (own);
  if (saved != 0)
    {
      errno = saved;
      goto fail;
    }
  return TRUE;

fail:
  saved = errno;
  g_unlink (path);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot make a network namespace at %s: %s"),
               path, g_strerror (saved));
  return FALSE;
}

void
_hatake_networks_remove_netns (const char *path)
{
  umount2 (path, MNT_DETACH);
  g_unlink (path);
}

/* A free port of the host's for each mapping without one (-P, -p 80): the kernel's choice. */
gboolean
_hatake_networks_pick_host_ports (JsonNode  *options,
                 GError   **error)
{
  JsonArray *ports = hatake_json_array_member (json_node_get_object (options), "port_mappings");

  for (guint i = 0; ports != NULL && i < json_array_get_length (ports); i++)
    {
      JsonObject *p = hatake_json_array_object (ports, i);
      gboolean udp = g_strcmp0 (json_object_get_string_member (p, "protocol"), "udp") == 0;
      struct sockaddr_in sa = { .sin_family = AF_INET };
      socklen_t len = sizeof sa;
      int fd;

      if (json_object_get_int_member (p, "host_port") != 0)
        continue;
      fd = socket (AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
      if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
          getsockname (fd, (struct sockaddr *) &sa, &len) < 0)
        {
          int saved = errno;

          if (fd >= 0)
            close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("No free port on the host: %s"),
                       g_strerror (saved));
          return FALSE;
        }
      close (fd);
      json_object_set_int_member (p, "host_port", ntohs (sa.sin_port));
    }
  return TRUE;
}

/* A host port is taken when another container publishes it (netavark's DNAT reserves nothing),
 * or when something on the host listens there: either is refused before anything is set up,
 * naming the port, as docker does ("port is already allocated"). Under the lock. */
gboolean
_hatake_networks_check_ports_free (HatakeNetworks  *self,
                  const char      *container_id,
                  JsonNode        *options,
                  GError         **error)
{
  JsonArray *ports = hatake_json_array_member (json_node_get_object (options), "port_mappings");
  g_autofree char *run_dir = g_path_get_dirname (self->netns_dir);
  g_autofree char *runs = g_path_get_dirname (run_dir);
  g_autofree char *own = g_strconcat (container_id, ".json", NULL);
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) roots = g_dir_open (runs, 0, NULL);
  const char *root;

  /* the other containers' mappings: of every data root of the machine (their run dirs are
   * siblings of ours), since they share the host's ports */
  while (roots != NULL && ports != NULL && json_array_get_length (ports) > 0 &&
         (root = g_dir_read_name (roots)) != NULL)
    {
      g_autofree char *netns_dir = g_build_filename (runs, root, "netns", NULL);
      g_autoptr(GDir) dir = g_dir_open (netns_dir, 0, NULL);
      const char *file;

      while (dir != NULL && (file = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (file, ".json") &&
            !(g_str_equal (file, own) && g_str_equal (netns_dir, self->netns_dir)))
          g_ptr_array_add (others, g_build_filename (netns_dir, file, NULL));
    }
  for (guint k = 0; k < others->len; k++)
    {
      const char *path = g_ptr_array_index (others, k);
      g_autoptr(JsonParser) parser = NULL;
      JsonArray *theirs;

      parser = json_parser_new ();
      if (!json_parser_load_from_file (parser, path, NULL))
        continue;
      theirs = hatake_json_array_member (json_node_get_object (json_parser_get_root (parser)), "port_mappings");
      for (guint i = 0; i < json_array_get_length (ports); i++)
        for (guint j = 0; theirs != NULL && j < json_array_get_length (theirs); j++)
          {
            JsonObject *a = hatake_json_array_object (ports, i), *b = hatake_json_array_object (theirs, j);
            gint64 a0 = json_object_get_int_member (a, "host_port"), b0 = json_object_get_int_member (b, "host_port");
            gint64 a1 = a0 + MAX (json_object_get_int_member (a, "range"), 1);
            gint64 b1 = b0 + MAX (json_object_get_int_member (b, "range"), 1);
            const char *ai = json_object_get_string_member_with_default (a, "host_ip", "");
            const char *bi = json_object_get_string_member_with_default (b, "host_ip", "");

            if (g_strcmp0 (json_object_get_string_member (a, "protocol"), json_object_get_string_member (b, "protocol")) != 0 ||
                a1 <= b0 || b1 <= a0 || (*ai && *bi && !g_str_equal (ai, bi)))
              continue;
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                         _("Bind for %s:%" G_GINT64_FORMAT " failed: port is already allocated (container %s "
                           "publishes it)"), *ai ? ai : "0.0.0.0", MAX (a0, b0),
                         json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                                     "container_name", ""));
            return FALSE;
          }
    }
  for (guint i = 0; ports != NULL && i < json_array_get_length (ports); i++)
    {
      JsonObject *p = hatake_json_array_object (ports, i);
      const char *protocol = json_object_get_string_member (p, "protocol");
      gboolean udp = g_strcmp0 (protocol, "udp") == 0;
      guint first = json_object_get_int_member (p, "host_port");
      guint count = MAX (json_object_get_int_member (p, "range"), 1);

      for (guint port = first; port < first + count; port++)
        {
          struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
          const char *host_ip = json_object_get_string_member_with_default (p, "host_ip", "");
          int fd, one = 1, saved = 0;

          if (*host_ip != '\0')
            inet_pton (AF_INET, host_ip, &sa.sin_addr);
          fd = socket (AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
          if (fd >= 0)
            {
              setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
              if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                saved = errno;
              close (fd);
            }
          if (saved == EADDRINUSE)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                           _("Bind for %s:%u failed: port is already allocated (something on the host listens there)"),
                           *host_ip ? host_ip : "0.0.0.0", port);
              return FALSE;
            }
        }
    }

  return TRUE;
}

/* Each published host port bound (TCP ones listening, as podman's): nothing else on the host can
 * take them while the container's conmon holds these, engine or no engine. */
gboolean
_hatake_networks_hold_ports (JsonNode             *options,
            HatakeNetworkResult  *result,
            GError              **error)
{
  JsonArray *ports = hatake_json_array_member (json_node_get_object (options), "port_mappings");

  for (guint i = 0; ports != NULL && i < json_array_get_length (ports); i++)
    {
      JsonObject *p = hatake_json_array_object (ports, i);
      gboolean udp = g_strcmp0 (json_object_get_string_member (p, "protocol"), "udp") == 0;
      const char *host_ip = json_object_get_string_member_with_default (p, "host_ip", "");
      guint first = json_object_get_int_member (p, "host_port");
      guint count = MAX (json_object_get_int_member (p, "range"), 1);

      for (guint port = first; port < first + count; port++)
        {
          struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
          int fd, one = 1;

          if (*host_ip != '\0')
            inet_pton (AF_INET, host_ip, &sa.sin_addr);
          fd = socket (AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
          if (fd >= 0 && !udp)
            setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
          if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0 || (!udp && listen (fd, 1) < 0))
            {
              int saved = errno;

              if (fd >= 0)
                close (fd);
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                           _("Bind for %s:%u failed: %s"), *host_ip ? host_ip : "0.0.0.0", port,
                           saved == EADDRINUSE ? _("port is already allocated") : g_strerror (saved));
              return FALSE;
            }
          if (result->port_fds == NULL)
            result->port_fds = g_array_new (FALSE, FALSE, sizeof (int));
          g_array_append_val (result->port_fds, fd);
        }
    }
  return TRUE;
}

/* A Linux bridge takes the lowest MAC address of its ports unless one is set: each container that
 * joins or leaves can change it, and the others then send to the gateway's old address until
 * their ARP entries go stale (seconds without DNS or a route out). netavark 1.4 leaves it so;
 * the engine gives each bridge a fixed address of its own, made from the network's id. */
void
_hatake_networks_pin_bridge_address (JsonNode *options)
{
  JsonObject *infos = hatake_json_object_member (json_node_get_object (options), "network_info");
  g_autoptr(GList) names = infos ? json_object_get_members (infos) : NULL;
  int fd = -1;

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *info = hatake_json_object_member (infos, l->data);
      const char *bridge = json_object_get_string_member_with_default (info, "network_interface", "");
      const char *id = json_object_get_string_member_with_default (info, "id", "");
      g_autofree char *type_path = g_strdup_printf ("/sys/class/net/%s/addr_assign_type", bridge);
      g_autofree char *type = NULL;
      struct ifreq request = { 0 };

      if (*bridge == '\0' || strlen (bridge) >= IFNAMSIZ || strlen (id) < 12 ||
          !g_file_get_contents (type_path, &type, NULL, NULL) || atoi (type) == NET_ADDR_SET)
        continue;
      if (fd < 0 && (fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return;
      g_strlcpy (request.ifr_name, bridge, IFNAMSIZ);
      request.ifr_hwaddr.sa_family = ARPHRD_ETHER;
      for (guint i = 0; i < 6; i++)
        {
          char hex[3] = { id[2 * i], id[2 * i + 1], '\0' };

          request.ifr_hwaddr.sa_data[i] = (char) g_ascii_strtoull (hex, NULL, 16);
        }
      /* unicast, locally administered */
      request.ifr_hwaddr.sa_data[0] = (char) ((request.ifr_hwaddr.sa_data[0] & 0xfc) | 0x02);
      if (ioctl (fd, SIOCSIFHWADDR, &request) < 0)
        g_debug ("Cannot set the address of %s: %s", bridge, g_strerror (errno));
    }
  if (fd >= 0)
    close (fd);
}

/* ---- a container's options file: what netavark is given (RUN_DIR/netns/ID.json) ------------ */

char *
_hatake_networks_options_path (HatakeNetworks *self,
                               const char     *container_id)
{
  g_autofree char *file = g_strconcat (container_id, ".json", NULL);

  return g_build_filename (self->netns_dir, file, NULL);
}

JsonNode *
_hatake_networks_load_options (const char  *path,
                               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  if (!hatake_json_root_is (parser, JSON_NODE_OBJECT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s is not a JSON object"), path);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

/* The container's options, or NULL. Under the lock. */
JsonNode *
_hatake_networks_load_options_locked (HatakeNetworks *self,
                                      const char     *container_id)
{
  g_autofree char *path = _hatake_networks_options_path (self, container_id);

  return _hatake_networks_load_options (path, NULL);
}

gboolean
_hatake_networks_save_options (const char  *path,
                               JsonNode    *options,
                               GError     **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, options);
  text = json_generator_to_data (generator, NULL);
  return g_file_set_contents (path, text, -1, error);
}
