/* test-api-security.c: who reaches the engine. The API socket is as good as root: its owner's
 * and its group's alone (0660, group "hatake" where it exists, as docker's); TCP is refused
 * without TLS; a container sees neither the engine's socket nor its data root unless one is
 * mounted in on purpose.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

#define NOBODY 65534

/* What connect() to the socket gives a process of uid NOBODY with the groups given: 0 when it
 * connects, else errno. (A child of ours: async-signal-safe calls only after the fork.) */
static int
connect_as_nobody (const char  *path,
                   const gid_t *groups,
                   int          n_groups)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int status = 0;
  pid_t pid;

  g_assert_cmpuint (strlen (path), <, sizeof address.sun_path);
  strcpy (address.sun_path, path);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int fd;

      if (setgroups ((size_t) n_groups, groups) != 0 || setgid (NOBODY) != 0 || setuid (NOBODY) != 0)
        _exit (200);
      fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0)
        _exit (201);
      _exit (connect (fd, (struct sockaddr *) &address, sizeof address) == 0 ? 0 : errno);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), <, 200);
  return WEXITSTATUS (status);
}

/* The socket is 0660, root's and the hatake group's (root's group where there is none): a user
 * outside the group is refused, one in it is let in. */
static void
test_socket_group (Fixture *f, gconstpointer data)
{
  g_autofree char *parent = NULL;
  struct group *hatake;
  struct stat st;
  gid_t in_group[1];

  if (!require ())
    return;
  g_assert_cmpint (g_stat (f->socket, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0660);
  g_assert_cmpint (st.st_uid, ==, 0);
  hatake = getgrnam ("hatake");
  g_assert_cmpint (st.st_gid, ==, hatake != NULL ? hatake->gr_gid : 0);

  /* (the folder it is in lets everyone through: the socket's own mode is what decides) */
  parent = g_path_get_dirname (f->socket);
  g_assert_cmpint (g_stat (parent, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0001, ==, 0001);
  g_assert_cmpint (g_stat (f->socket, &st), ==, 0);
  g_assert_cmpint (connect_as_nobody (f->socket, NULL, 0), ==, EACCES);
  in_group[0] = st.st_gid;
  g_assert_cmpint (connect_as_nobody (f->socket, in_group, 1), ==, 0);
  /* and the server answers its own: the docker CLI as root */
  g_assert_cmpint (docker (f, NULL, NULL, "version", NULL), ==, 0);

  /* the group was looked up without NSS: no module of it (libnss_systemd…) in the server */
  {
    g_autofree char *maps_path = g_strdup_printf ("/proc/%s/maps", g_subprocess_get_identifier (f->server));
    g_autofree char *maps = NULL;

    g_assert_true (g_file_get_contents (maps_path, &maps, NULL, NULL));
    g_assert_null (strstr (maps, "libnss_"));
  }
}

/* The group comes from /etc/group (no NSS module loaded into the engine for it): a "hatake"
 * group made there is the socket's at the next start, and its members get in. */
static void
test_socket_group_from_files (Fixture *f, gconstpointer data)
{
  const char *groupadd[] = { "groupadd", "-r", "hatake", NULL };
  const char *groupdel[] = { "groupdel", "hatake", NULL };
  gboolean made = FALSE;
  struct group *hatake;
  struct stat st;
  gid_t gid;
  int status;

  if (!require ())
    return;
  if (getgrnam ("hatake") == NULL)
    {
      /* (groupadd: Debian's passwd, which every system has) */
      g_assert_true (g_spawn_sync (NULL, (char **) groupadd, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                   &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      made = TRUE;
    }
  hatake = getgrnam ("hatake");
  g_assert_nonnull (hatake);
  gid = hatake->gr_gid;
  g_assert_cmpuint (gid, !=, 0);

  fixture_stop_server (f);
  fixture_start_server (f);
  g_assert_cmpint (g_stat (f->socket, &st), ==, 0);
  g_assert_cmpint (st.st_gid, ==, gid);
  g_assert_cmpint (st.st_mode & 07777, ==, 0660);
  g_assert_cmpint (connect_as_nobody (f->socket, NULL, 0), ==, EACCES);
  g_assert_cmpint (connect_as_nobody (f->socket, &gid, 1), ==, 0);

  if (made)
    {
      g_assert_true (g_spawn_sync (NULL, (char **) groupdel, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                   &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
}

static gboolean
port_listens (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  return connection != NULL;
}

/* tcp:// without TLS, or with TLS but no client certificates to check, is refused before
 * anything listens, saying why; nothing is left on the port. */
static void
test_no_plain_tcp (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *host = NULL;
  g_autofree char *root = NULL;
  guint16 port;
  const char *extra[][3] = { { NULL }, { "--tls", NULL }, { "--tlsverify", NULL } };

  if (!require ())
    return;
  /* a free port: taken and let go */
  g_assert_true (g_socket_bind (probe, any_port, TRUE, NULL));
  bound = g_socket_get_local_address (probe, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (probe, NULL);
  host = g_strdup_printf ("tcp://127.0.0.1:%u", port);
  root = hatake_test_make_data_root ();

  for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
    {
      g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;

      g_strv_builder_add_many (args, HATAKE_CLI, "serve", "--data-root", root, "-H", host, NULL);
      for (guint k = 0; extra[i][k] != NULL; k++)
        g_strv_builder_add (args, extra[i][k]);
      argv = g_strv_builder_end (args);
      g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error));
      g_assert_no_error (error);
      g_test_message ("%s", err);
      g_assert_false (g_spawn_check_wait_status (status, NULL));
      g_assert_nonnull (strstr (err, "tcp:// needs --tlsverify with --tlscacert, --tlscert and --tlskey"));
      g_assert_false (port_listens (port));
    }
  hatake_test_remove_tree (root);
}

/* A container run the usual way sees neither the engine's socket nor its data root; one that
 * mounts the socket on purpose (docker's -v /var/run/docker.sock…) has it. */
static void
test_container_sees_no_socket (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL, *out = NULL, *mount = NULL;
  g_autofree char *look = NULL;

  if (!require ())
    return;
  image = hatake_test_registry_ref ("hatake/busybox:latest");
  look = g_strdup_printf ("for p in %s %s /run/hatake/hatake.sock /var/run/docker.sock; do "
                          "if [ -e $p ]; then echo seen $p; fi; done; echo done", f->socket, f->root);
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", image, "sh", "-c", look, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "done\n");
  g_clear_pointer (&out, g_free);
  /* the root's whole file system is not there either: /proc/1 is the container's */
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", image, "cat", "/proc/1/cmdline", NULL), ==, 0);
  g_assert_null (strstr (out, "serve"));
  g_clear_pointer (&out, g_free);

  mount = g_strconcat (f->socket, ":/var/run/docker.sock", NULL);
  g_assert_cmpint (docker (f, &out, NULL, "run", "--rm", "-v", mount, image, "sh", "-c",
                           "test -S /var/run/docker.sock && echo socket", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "socket\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api-security/socket-group", Fixture, NULL, fixture_set_up, test_socket_group, fixture_tear_down);
  g_test_add ("/api-security/socket-group-from-files", Fixture, NULL, fixture_set_up, test_socket_group_from_files,
              fixture_tear_down);
  g_test_add ("/api-security/no-plain-tcp", Fixture, NULL, fixture_set_up, test_no_plain_tcp, fixture_tear_down);
  g_test_add ("/api-security/container-sees-no-socket", Fixture, NULL, fixture_set_up,
              test_container_sees_no_socket, fixture_tear_down);
  return g_test_run ();
}
