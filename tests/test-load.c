/* test-load.c: `hatake serve` under load from real API clients, and what it leaves behind
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One served engine takes, one phase after the other: 50 parallel pulls of images that share
 * layers; 200 containers created, started, stopped and removed by 20 concurrent clients; a 1 GiB
 * log stream followed to its end; 100 event followers coming and going, 10 at once. Before and
 * after, the server's file descriptors, its children, the conmon/crun processes of its data root,
 * the mounts under it, the interfaces and firewall rules of its networks and its resident memory
 * are counted: afterwards they must be back at their idle level. Every figure is printed (TAP
 * comments), so the CI log shows them. Each client is a thread with its own SoupSession on the
 * Unix socket, using libsoup's synchronous calls, as docker's CLI would from its own process.
 *
 * It is the "load" suite: meson test --suite load (several minutes, not in "integration").
 * HATAKE_TEST_LOAD_PHASES=containers,logs,events (a comma-separated subset) runs only those
 * after the pulls, to look at one of them.
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hatake-test-api.h"
#include "hatake-test-utils.h"

#define N_CLIENTS             20
#define CONTAINERS_PER_CLIENT 10
#define PULLS_PER_IMAGE       10
#define LOG_BYTES             ((guint64) 1 << 30)
#define LOG_LINE              1024   /* bytes per line, its newline included */
#define N_FOLLOWERS           100
#define FOLLOWERS_AT_ONCE     10
/* generous: the machine is shared, and glibc keeps a heap arena per thread that served */
#define RSS_STREAM_SLACK_KB   (100 * 1024)
#define RSS_AFTER_SLACK_KB    (30 * 1024)

/* The images pulled at once: busybox's layer is shared by all but layered (public/busybox is the
 * same manifest in another repository, httpd another config on it, multiarch's amd64 image adds
 * a layer), so that several pulls want each blob at the same moment. */
static const char * const pulled[] = { "hatake/busybox:latest", "public/busybox:latest", "hatake/httpd:latest",
                                       "hatake/multiarch:latest", "hatake/layered:latest" };

/* ---- what the server holds ----------------------------------------------------------------- */

typedef struct
{
  guint  fds;           /* but its TCP connections (to registries, kept for the next pull) */
  guint  children;      /* processes whose parent is the server (zombies included) */
  guint  engine_procs;  /* other processes naming the data root or its run dir (conmon, crun, exit commands) */
  guint  mounts;        /* under the data root or its run dir */
  guint  bridges;       /* bridges of the engine's networks that exist */
  guint  veths;         /* interfaces enslaved to those bridges */
  guint  rules;         /* iptables/ip6tables lines naming the networks' subnets or bridges */
  guint  rules_total;   /* every line (the machine's: other engines change it too; printed only) */
  guint64 rss_kb;
  char  *fd_list;       /* what the descriptors are, to tell which leaked */
} Snapshot;

static void
snapshot_clear (Snapshot *s)
{
  g_clear_pointer (&s->fd_list, g_free);
}

typedef struct
{
  Fixture   *f;
  int        pid;
  char      *run_dir;
  GPtrArray *bridges;   /* names of the engine's bridges ever seen */
  GPtrArray *subnets;
} Load;

static guint64
rss_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) || (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The inodes of PID's TCP sockets: the engine's connections to registries, which libsoup keeps
 * open a while after the pulls for the next one; not what a leak check counts */
static GHashTable *
tcp_inodes (int pid)
{
  GHashTable *inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char * const tables[] = { "tcp", "tcp6" };

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/net/%s", pid, tables[t]);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 1; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          guint n = 0;

          /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode: the tenth non-empty field */
          for (guint k = 0; fields[k] != NULL; k++)
            if (*fields[k] != '\0' && ++n == 10)
              g_hash_table_add (inodes, g_strdup_printf ("socket:[%s]", fields[k]));
        }
    }
  return inodes;
}

static guint
count_fds (int pid, char **list)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GHashTable) tcp = tcp_inodes (pid);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link = g_build_filename (dir_path, name, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (target != NULL && g_hash_table_contains (tcp, target))
        continue;
      g_ptr_array_add (targets, g_strdup_printf ("%s → %s", name, target ? target : "?"));
    }
  g_ptr_array_sort (targets, compare_strings);
  for (guint i = 0; i < targets->len; i++)
    g_string_append_printf (text, "%s%s", i ? ", " : "", (char *) targets->pdata[i]);
  *list = g_strdup (text->str);
  return targets->len;
}

static void
count_processes (Load *load, Snapshot *s)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *stat = NULL, *cmdline = NULL;
      gsize length = 0;
      const char *after;
      int pid = atoi (name);

      if (pid <= 0 || pid == load->pid || pid == getpid () ||
          !g_file_get_contents (stat_path, &stat, NULL, NULL) || (after = strrchr (stat, ')')) == NULL)
        continue;
      /* ") S PPID …" */
      if (atoi (after + 4) == load->pid)
        s->children++;
      if (!g_file_get_contents (cmdline_path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, load->f->root) != NULL || strstr (cmdline, load->run_dir) != NULL)
        s->engine_procs++;
    }
}

static guint
count_mounts (Load *load)
{
  g_autofree char *mountinfo = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);

      if (g_strv_length (fields) >= 5 &&
          (g_str_has_prefix (fields[4], load->f->root) || g_str_has_prefix (fields[4], load->run_dir)))
        n++;
    }
  return n;
}

static void
count_interfaces (Load *load, Snapshot *s)
{
  g_autoptr(GDir) dir = g_dir_open ("/sys/class/net", 0, NULL);
  const char *name;

  for (guint i = 0; i < load->bridges->len; i++)
    {
      g_autofree char *path = g_build_filename ("/sys/class/net", load->bridges->pdata[i], NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        s->bridges++;
    }
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *master_link = g_build_filename ("/sys/class/net", name, "master", NULL);
      g_autofree char *master = g_file_read_link (master_link, NULL);
      g_autofree char *base = master ? g_path_get_basename (master) : NULL;

      if (base != NULL && g_ptr_array_find_with_equal_func (load->bridges, base, g_str_equal, NULL))
        s->veths++;
    }
}

static void
count_rules (Load *load, const char *program, Snapshot *s)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char *[]) { (char *) program, NULL }, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gboolean ours = FALSE;

      if (*lines[i] == '\0' || *lines[i] == '#')
        continue;
      s->rules_total++;
      for (guint k = 0; k < load->subnets->len && !ours; k++)
        ours = strstr (lines[i], load->subnets->pdata[k]) != NULL;
      for (guint k = 0; k < load->bridges->len && !ours; k++)
        ours = strstr (lines[i], load->bridges->pdata[k]) != NULL;
      if (ours)
        s->rules++;
    }
}

/* ---- API clients --------------------------------------------------------------------------- */

static SoupSession *
client_new (Fixture *f)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (f->socket);

  /* every connection goes to the socket, whatever the URI's host */
  return soup_session_new_with_options ("remote-connectable", address, "timeout", 600, NULL);
}

static char *
uri_for (const char *path)
{
  return g_strconcat ("http://docker/v1.41", path, NULL);
}

/* One call, its body read to the end: the status (0 when the exchange itself failed), the body in
 * REPLY, how long it took in MICROSECONDS. */
static guint
call (SoupSession *session,
      const char  *method,
      const char  *path,
      JsonNode    *body,
      char       **reply,
      gint64      *microseconds)
{
  g_autofree char *uri = uri_for (path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autofree char *text = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  if (microseconds != NULL)
    *microseconds = g_get_monotonic_time () - started;
  if (answer == NULL)
    {
      g_printerr ("%s %s: %s\n", method, path, error->message);
      return 0;
    }
  if (reply != NULL)
    *reply = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  return soup_message_get_status (msg);
}

/* Fails the test (from any thread) when a call did not answer WANT. */
static void
expect (guint status, guint want, const char *what, const char *reply)
{
  if (status != want)
    g_error ("%s: status %u, not %u: %s", what, status, want, reply ? reply : "");
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* ---- latencies ------------------------------------------------------------------------------ */

typedef enum
{
  OP_CREATE,
  OP_START,
  OP_STOP,
  OP_KILL,
  OP_WAIT,
  OP_REMOVE,
  N_OPS
} Op;

static const char * const op_names[N_OPS] = { "create", "start", "stop", "kill", "wait", "remove" };

typedef struct
{
  GArray *samples[N_OPS];   /* gint64 microseconds */
} Latencies;

static void
latencies_init (Latencies *l)
{
  for (guint i = 0; i < N_OPS; i++)
    l->samples[i] = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
latencies_clear (Latencies *l)
{
  for (guint i = 0; i < N_OPS; i++)
    g_clear_pointer (&l->samples[i], g_array_unref);
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gint64
percentile (GArray *samples, double p)
{
  if (samples->len == 0)
    return 0;
  return g_array_index (samples, gint64, MIN (samples->len - 1, (guint) (p * samples->len)));
}

/* ---- phase: pulls --------------------------------------------------------------------------- */

typedef struct
{
  Fixture    *f;
  const char *reference;
  gint64      microseconds;
} Pull;

static gpointer
pull_thread (gpointer user_data)
{
  Pull *pull = user_data;
  g_autoptr(SoupSession) session = client_new (pull->f);
  g_autofree char *ref = hatake_test_registry_ref (pull->reference);
  const char *colon = strrchr (ref, ':');
  g_autofree char *name = g_strndup (ref, colon - ref);
  g_autofree char *name_q = g_uri_escape_string (name, NULL, TRUE);
  g_autofree char *path = g_strdup_printf ("/images/create?fromImage=%s&tag=%s", name_q, colon + 1);
  g_autofree char *reply = NULL;
  g_auto(GStrv) lines = NULL;
  guint status = call (session, "POST", path, NULL, &reply, &pull->microseconds);

  expect (status, 200, path, reply);
  /* a progress stream: an error comes as a line of its own, after the 200 */
  lines = g_strsplit (reply, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      node = parse (lines[i]);
      if (json_object_has_member (json_node_get_object (node), "error"))
        g_error ("pull of %s: %s", pull->reference, lines[i]);
    }
  return NULL;
}

/* Every chain of layers the image makes (its diff IDs' prefixes): one unpacked layer each */
static void
add_chains (GHashTable *chains, JsonObject *image)
{
  JsonArray *diff_ids = json_object_get_array_member (image, "diff_ids");
  g_autoptr(GString) chain = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (diff_ids); i++)
    {
      g_string_append_printf (chain, "%s,", json_array_get_string_element (diff_ids, i));
      g_hash_table_add (chains, g_strdup (chain->str));
    }
}

static guint
count_entries (const char *root, const char *rel)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
add_digests (GHashTable *digests, JsonObject *image)
{
  JsonArray *layers = json_object_get_array_member (image, "layers");

  g_hash_table_add (digests, g_strdup (json_object_get_string_member (image, "manifest_digest")));
  g_hash_table_add (digests, g_strdup (json_object_get_string_member (image, "config_digest")));
  for (guint i = 0; i < json_array_get_length (layers); i++)
    g_hash_table_add (digests, g_strdup (json_object_get_string_member (json_array_get_object_element (layers, i),
                                                                        "digest")));
}

static void
phase_pulls (Load *load)
{
  g_autofree char *blobs_path = g_build_filename (load->f->root, "blobs", "sha256", NULL);
  g_autoptr(GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) other = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) chains = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GDir) dir = NULL;
  g_autoptr(SoupSession) session = client_new (load->f);
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *reply = NULL, *store = NULL, *images_out = NULL;
  Pull pulls[G_N_ELEMENTS (pulled) * PULLS_PER_IMAGE];
  gint64 started = g_get_monotonic_time (), slowest = 0;
  guint files = 0, unexpected = 0;
  const char *name;

  for (guint i = 0; i < G_N_ELEMENTS (pulls); i++)
    {
      pulls[i] = (Pull) { load->f, pulled[i % G_N_ELEMENTS (pulled)], 0 };
      g_ptr_array_add (threads, g_thread_new ("pull", pull_thread, &pulls[i]));
    }
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  for (guint i = 0; i < G_N_ELEMENTS (pulls); i++)
    slowest = MAX (slowest, pulls[i].microseconds);
  g_test_message ("pulls: %u of %u images at once in %.1f s (slowest %.1f s)", (guint) G_N_ELEMENTS (pulls),
                  (guint) G_N_ELEMENTS (pulled), (g_get_monotonic_time () - started) / 1e6, slowest / 1e6);

  /* each blob once: the files are the manifests', configs' and layers' digests, and no more (an
   * index's other platforms' manifests may be kept, nothing of their contents) */
  for (guint i = 0; i < G_N_ELEMENTS (pulled); i++)
    {
      JsonObject *fixture = hatake_test_fixture (pulled[i]);

      if (json_object_has_member (fixture, "index_digest"))
        {
          JsonArray *manifests = json_object_get_array_member (fixture, "manifests");

          g_hash_table_add (wanted, g_strdup (json_object_get_string_member (fixture, "index_digest")));
          for (guint k = 0; k < json_array_get_length (manifests); k++)
            {
              JsonObject *m = json_array_get_object_element (manifests, k);
              JsonObject *platform = json_object_get_object_member (json_object_get_object_member (m, "descriptor"),
                                                                    "platform");

              if (g_str_equal (json_object_get_string_member (platform, "architecture"), "amd64"))
                {
                  add_digests (wanted, m);
                  add_chains (chains, m);
                }
              else
                g_hash_table_add (other, g_strdup (json_object_get_string_member (m, "manifest_digest")));
            }
        }
      else
        {
          add_digests (wanted, fixture);
          add_chains (chains, fixture);
        }
    }
  dir = g_dir_open (blobs_path, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *digest = g_strconcat ("sha256:", name, NULL);

      files++;
      if (!g_hash_table_contains (wanted, digest) && !g_hash_table_contains (other, digest))
        {
          g_test_message ("unexpected blob %s", digest);
          unexpected++;
        }
      g_hash_table_remove (wanted, digest);
    }
  g_test_message ("pulls: %u blob files; %u unique digests in the manifests were missing, %u files unexpected",
                  files, g_hash_table_size (wanted), unexpected);
  g_assert_cmpuint (g_hash_table_size (wanted), ==, 0);
  g_assert_cmpuint (unexpected, ==, 0);
  store = hatake_test_snapshot_store (load->f->root);
  g_test_message ("store after the pulls:\n%s", store);
  /* and each layer unpacked once, with its short link */
  g_test_message ("pulls: %u unpacked layers, %u links, for %u chains of layers", count_entries (load->f->root, "layers"),
                  count_entries (load->f->root, "l"), g_hash_table_size (chains));
  g_assert_cmpuint (count_entries (load->f->root, "layers"), ==, g_hash_table_size (chains));
  g_assert_cmpuint (count_entries (load->f->root, "l"), ==, g_hash_table_size (chains));

  /* the images are all there, through the API and through docker images */
  expect (call (session, "GET", "/images/json", NULL, &reply, NULL), 200, "images", reply);
  listed = parse (reply);
  for (guint i = 0; i < G_N_ELEMENTS (pulled); i++)
    {
      g_autofree char *ref = hatake_test_registry_ref (pulled[i]);
      gboolean found = FALSE;

      for (guint k = 0; k < json_array_get_length (json_node_get_array (listed)) && !found; k++)
        {
          JsonObject *image = json_array_get_object_element (json_node_get_array (listed), k);
          JsonArray *tags = json_object_get_array_member (image, "RepoTags");

          for (guint t = 0; tags != NULL && t < json_array_get_length (tags) && !found; t++)
            found = g_str_equal (json_array_get_string_element (tags, t), ref);
        }
      g_assert_true (found);
    }
  g_assert_cmpint (docker (load->f, &images_out, NULL, "images", "--format", "{{.Repository}}:{{.Tag}}", NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (pulled); i++)
    {
      g_autofree char *ref = hatake_test_registry_ref (pulled[i]);

      g_assert_nonnull (strstr (images_out, ref));
    }
}

/* ---- phase: containers ---------------------------------------------------------------------- */

typedef struct
{
  Fixture   *f;
  guint      index;
  char      *image;
  Latencies  latencies;
} Client;

static void
timed (Client *client, Op op, guint status, guint want, const char *what, const char *reply, gint64 microseconds)
{
  expect (status, want, what, reply);
  g_array_append_val (client->latencies.samples[op], microseconds);
}

static JsonNode *
create_body (const char *image, const char * const *cmd, const char *bind)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Image");
  json_builder_add_string_value (b, image);
  json_builder_set_member_name (b, "Cmd");
  json_builder_begin_array (b);
  for (guint i = 0; cmd[i] != NULL; i++)
    json_builder_add_string_value (b, cmd[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Labels");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "hatake.test");
  json_builder_add_string_value (b, "load");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "HostConfig");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "NetworkMode");
  json_builder_add_string_value (b, "bridge");
  if (bind != NULL)
    {
      json_builder_set_member_name (b, "Binds");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, bind);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static char *
create_container (SoupSession *session, const char *name, JsonNode *body, guint *status, char **reply,
                  gint64 *microseconds)
{
  g_autofree char *path = g_strdup_printf ("/containers/create?name=%s", name);
  g_autoptr(JsonNode) created = NULL;

  *status = call (session, "POST", path, body, reply, microseconds);
  if (*status != 201)
    return NULL;
  created = parse (*reply);
  return g_strdup (json_object_get_string_member (json_node_get_object (created), "Id"));
}

static gpointer
client_thread (gpointer user_data)
{
  Client *client = user_data;
  g_autoptr(SoupSession) session = client_new (client->f);
  static const char * const cmd[] = { "sleep", "600", NULL };
  g_autoptr(JsonNode) body = create_body (client->image, cmd, NULL);

  for (guint i = 0; i < CONTAINERS_PER_CLIENT; i++)
    {
      g_autofree char *name = g_strdup_printf ("load-%02u-%02u", client->index, i);
      g_autofree char *reply = NULL, *id = NULL, *path = NULL;
      gint64 us;
      guint status;

      id = create_container (session, name, body, &status, &reply, &us);
      timed (client, OP_CREATE, status, 201, name, reply, us);
      g_clear_pointer (&reply, g_free);

      path = g_strdup_printf ("/containers/%s/start", id);
      status = call (session, "POST", path, NULL, &reply, &us);
      timed (client, OP_START, status, 204, path, reply, us);
      g_clear_pointer (&reply, g_free);
      g_clear_pointer (&path, g_free);

      /* half stopped (busybox's sleep ignores SIGTERM: t=0 kills it at once), half killed and
       * waited for, as `docker kill` then `docker rm` */
      if (i % 2 == 0)
        {
          path = g_strdup_printf ("/containers/%s/stop?t=0", id);
          status = call (session, "POST", path, NULL, &reply, &us);
          timed (client, OP_STOP, status, 204, path, reply, us);
        }
      else
        {
          path = g_strdup_printf ("/containers/%s/kill", id);
          status = call (session, "POST", path, NULL, &reply, &us);
          timed (client, OP_KILL, status, 204, path, reply, us);
          g_clear_pointer (&reply, g_free);
          g_clear_pointer (&path, g_free);
          path = g_strdup_printf ("/containers/%s/wait", id);
          status = call (session, "POST", path, NULL, &reply, &us);
          timed (client, OP_WAIT, status, 200, path, reply, us);
        }
      g_clear_pointer (&reply, g_free);
      g_clear_pointer (&path, g_free);

      path = g_strdup_printf ("/containers/%s", id);
      status = call (session, "DELETE", path, NULL, &reply, &us);
      timed (client, OP_REMOVE, status, 204, path, reply, us);
    }
  return NULL;
}

/* While the clients work: how long the server takes to answer a ping and a container list (on
 * its main loop), and to create and remove a volume (in GLib's worker threads: a pool that the
 * container operations must not use up). */
typedef struct
{
  Fixture  *f;
  gboolean  stop;   /* atomic */
  gint64    ping_max;
  gint64    list_max;
  GArray   *volume;   /* gint64 microseconds, create and remove */
  guint     rounds;
} Prober;

/* A volume made and removed: two calls that the engine runs in GLib's worker threads */
static void
volume_round (SoupSession *session, guint round, GArray *samples)
{
  g_autofree char *name = g_strdup_printf ("load-probe-%u", round);
  g_autofree char *path = g_strdup_printf ("/volumes/%s", name);
  g_autofree char *created = NULL, *removed = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  gint64 us;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Name");
  json_builder_add_string_value (b, name);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  expect (call (session, "POST", "/volumes/create", body, &created, &us), 201, name, created);
  g_array_append_val (samples, us);
  expect (call (session, "DELETE", path, NULL, &removed, &us), 204, path, removed);
  g_array_append_val (samples, us);
}

static gpointer
prober_thread (gpointer user_data)
{
  Prober *p = user_data;
  g_autoptr(SoupSession) session = client_new (p->f);

  while (!g_atomic_int_get (&p->stop))
    {
      g_autofree char *reply = NULL, *list = NULL;
      gint64 us;

      expect (call (session, "GET", "/_ping", NULL, &reply, &us), 200, "ping", reply);
      p->ping_max = MAX (p->ping_max, us);
      expect (call (session, "GET", "/containers/json?all=1", NULL, &list, &us), 200, "list", list);
      p->list_max = MAX (p->list_max, us);
      volume_round (session, p->rounds, p->volume);
      p->rounds++;
      g_usleep (100 * 1000);
    }
  return NULL;
}

static void
phase_containers (Load *load)
{
  g_autoptr(SoupSession) session = client_new (load->f);
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_autofree char *reply = NULL;
  Client clients[N_CLIENTS];
  GThread *threads[N_CLIENTS];
  Prober prober = { load->f, FALSE, 0, 0, g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };
  GThread *probe;
  Latencies all;
  gint64 started = g_get_monotonic_time ();

  latencies_init (&all);
  {
    g_autoptr(GArray) quiet = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (guint i = 0; i < 10; i++)
      volume_round (session, 1000 + i, quiet);
    g_array_sort (quiet, compare_gint64);
    g_test_message ("  before them, a volume's create or remove: median %.0f ms, max %.0f ms",
                    percentile (quiet, 0.5) / 1e3, percentile (quiet, 1.0) / 1e3);
  }
  probe = g_thread_new ("probe", prober_thread, &prober);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      clients[i] = (Client) { load->f, i, image };
      latencies_init (&clients[i].latencies);
      threads[i] = g_thread_new ("client", client_thread, &clients[i]);
    }
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_thread_join (threads[i]);
      for (guint op = 0; op < N_OPS; op++)
        g_array_append_vals (all.samples[op], clients[i].latencies.samples[op]->data,
                             clients[i].latencies.samples[op]->len);
      latencies_clear (&clients[i].latencies);
    }
  g_atomic_int_set (&prober.stop, TRUE);
  g_thread_join (probe);
  g_test_message ("containers: %u by %u clients created, started, stopped or killed, removed in %.1f s",
                  N_CLIENTS * CONTAINERS_PER_CLIENT, N_CLIENTS, (g_get_monotonic_time () - started) / 1e6);
  for (guint op = 0; op < N_OPS; op++)
    {
      g_array_sort (all.samples[op], compare_gint64);
      g_test_message ("  %-6s ×%3u: median %6.0f ms, p90 %6.0f ms, max %6.0f ms", op_names[op],
                      all.samples[op]->len, percentile (all.samples[op], 0.5) / 1e3,
                      percentile (all.samples[op], 0.9) / 1e3, percentile (all.samples[op], 1.0) / 1e3);
    }
  g_array_sort (prober.volume, compare_gint64);
  g_test_message ("  while they ran, %u rounds: ping took at most %.0f ms, the container list %.0f ms; a volume's"
                  " create or remove median %.0f ms, p90 %.0f ms, max %.0f ms", prober.rounds, prober.ping_max / 1e3,
                  prober.list_max / 1e3, percentile (prober.volume, 0.5) / 1e3, percentile (prober.volume, 0.9) / 1e3,
                  percentile (prober.volume, 1.0) / 1e3);
  g_array_unref (prober.volume);
  g_assert_cmpuint (all.samples[OP_CREATE]->len, ==, N_CLIENTS * CONTAINERS_PER_CLIENT);
  g_assert_cmpuint (all.samples[OP_REMOVE]->len, ==, N_CLIENTS * CONTAINERS_PER_CLIENT);
  latencies_clear (&all);

  /* none of them is left */
  expect (call (session, "GET", "/containers/json?all=1", NULL, &reply, NULL), 200, "list", reply);
  listed = parse (reply);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (listed)), ==, 0);
}

/* ---- phase: a 1 GiB log stream --------------------------------------------------------------- */

typedef struct
{
  int       pid;
  gboolean  stop;   /* atomic */
  guint64   peak_kb;
  guint     samples;
} Sampler;

static gpointer
sampler_thread (gpointer user_data)
{
  Sampler *s = user_data;

  while (!g_atomic_int_get (&s->stop))
    {
      s->peak_kb = MAX (s->peak_kb, rss_kb (s->pid));
      s->samples++;
      g_usleep (100 * 1000);
    }
  return NULL;
}

static void
phase_log_stream (Load *load, guint64 idle_kb)
{
  g_autoptr(SoupSession) session = client_new (load->f);
  g_autofree char *image = hatake_test_registry_ref ("hatake/busybox:latest");
  g_autofree char *gate = g_strconcat (load->f->root, ".gate", NULL);
  g_autofree char *bind = g_strconcat (gate, ":/gate", NULL);
  g_autofree char *go = g_build_filename (gate, "go", NULL);
  g_autofree char *line = g_strnfill (LOG_LINE - 1, 'x');
  g_autofree char *head_arg = g_strdup_printf ("%" G_GUINT64_FORMAT, LOG_BYTES);
  g_autofree char *script = g_strconcat ("while [ ! -e /gate/go ]; do sleep 0.05; done; yes \"$0\" | head -c ",
                                         head_arg, NULL);
  const char * const cmd[] = { "sh", "-c", script, line, NULL };
  g_autoptr(JsonNode) body = create_body (image, cmd, bind);
  g_autofree char *reply = NULL, *id = NULL, *path = NULL, *uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  Sampler sampler = { load->pid, FALSE, 0, 0 };
  GThread *sampling;
  guint64 bytes = 0, newlines = 0, frames = 0;
  gboolean only_x = TRUE;
  guint8 *buffer = g_malloc (1 << 20);
  gint64 started;
  guint status;

  g_assert_cmpint (g_mkdir_with_parents (gate, 0755), ==, 0);
  id = create_container (session, "load-log", body, &status, &reply, NULL);
  expect (status, 201, "create load-log", reply);
  g_clear_pointer (&reply, g_free);
  path = g_strdup_printf ("/containers/%s/start", id);
  expect (call (session, "POST", path, NULL, &reply, NULL), 204, path, reply);
  g_clear_pointer (&path, g_free);

  /* following before the container writes a byte: conmon rotates its log every 100 MB
   * (log-size-max), and what was rotated away before a reader came is gone, as with docker */
  path = g_strdup_printf ("/containers/%s/logs?follow=1&stdout=1&stderr=1", id);
  uri = uri_for (path);
  msg = soup_message_new ("GET", uri);
  in = soup_session_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  expect (soup_message_get_status (msg), 200, path, NULL);
  sampling = g_thread_new ("rss", sampler_thread, &sampler);
  started = g_get_monotonic_time ();
  g_assert_true (g_file_set_contents (go, "", 0, NULL));

  /* docker's multiplexed stream: an 8-byte header (stream, 0, 0, 0, length big-endian), then
   * that many bytes */
  for (;;)
    {
      guint8 header[8];
      gsize got = 0;
      guint32 length;

      g_assert_true (g_input_stream_read_all (in, header, sizeof header, &got, NULL, &error));
      g_assert_no_error (error);
      if (got == 0)
        break;
      g_assert_cmpuint (got, ==, sizeof header);
      g_assert_cmpuint (header[0], ==, 1);   /* stdout */
      length = (guint32) header[4] << 24 | (guint32) header[5] << 16 | (guint32) header[6] << 8 | header[7];
      frames++;
      while (length > 0)
        {
          gsize want = MIN (length, 1 << 20);

          g_assert_true (g_input_stream_read_all (in, buffer, want, &got, NULL, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (got, ==, want);
          for (gsize i = 0; i < got; i++)
            if (buffer[i] == '\n')
              newlines++;
            else if (buffer[i] != 'x')
              only_x = FALSE;
          bytes += got;
          length -= got;
        }
    }
  g_atomic_int_set (&sampler.stop, TRUE);
  g_thread_join (sampling);
  g_test_message ("log stream: %" G_GUINT64_FORMAT " bytes (%" G_GUINT64_FORMAT " lines) in %" G_GUINT64_FORMAT
                  " frames, %.1f s (%.0f MB/s)", bytes, newlines, frames,
                  (g_get_monotonic_time () - started) / 1e6,
                  bytes / 1e6 / ((g_get_monotonic_time () - started) / 1e6));
  g_test_message ("log stream: server RSS idle %" G_GUINT64_FORMAT " kB, peak %" G_GUINT64_FORMAT " kB (%u samples)",
                  idle_kb, sampler.peak_kb, sampler.samples);
  g_assert_cmpuint (bytes, ==, LOG_BYTES);
  g_assert_cmpuint (newlines, ==, LOG_BYTES / LOG_LINE);
  g_assert_true (only_x);
  g_assert_cmpuint (sampler.peak_kb, <, idle_kb + RSS_STREAM_SLACK_KB);
  g_input_stream_close (in, NULL, NULL);
  g_clear_object (&in);
  g_clear_pointer (&reply, g_free);
  g_clear_pointer (&path, g_free);

  path = g_strdup_printf ("/containers/%s?force=1", id);
  expect (call (session, "DELETE", path, NULL, &reply, NULL), 204, path, reply);
  hatake_test_remove_tree (gate);
  g_free (buffer);
}

/* ---- phase: event followers ------------------------------------------------------------------ */

typedef struct
{
  Fixture *f;
  guint    index;
  guint    followed;
} Follower;

static gpointer
follower_thread (gpointer user_data)
{
  Follower *follower = user_data;
  g_autoptr(SoupSession) session = client_new (follower->f);
  g_autofree char *image = hatake_test_registry_ref ("hatake/busybox:latest");
  static const char * const cmd[] = { "true", NULL };
  g_autoptr(JsonNode) body = create_body (image, cmd, NULL);

  for (guint i = 0; i < N_FOLLOWERS / FOLLOWERS_AT_ONCE; i++)
    {
      g_autofree char *name = g_strdup_printf ("load-ev-%02u-%02u", follower->index, i);
      g_autofree char *filters = NULL;
      g_autofree char *filters_q = NULL;
      g_autofree char *events = NULL, *uri = NULL;
      g_autofree char *reply = NULL, *path = NULL, *id = NULL;
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) filter = NULL;
      g_autoptr(GInputStream) in = NULL;
      g_autoptr(GDataInputStream) lines = NULL;
      g_autoptr(GError) error = NULL;
      gboolean seen = FALSE;
      guint status;

      /* {"container": [NAME]}: its own container's events only */
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "container");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, name);
      json_builder_end_array (b);
      json_builder_end_object (b);
      filter = json_builder_get_root (b);
      filters = json_to_string (filter, FALSE);
      filters_q = g_uri_escape_string (filters, NULL, TRUE);
      events = g_strconcat ("/events?filters=", filters_q, NULL);
      uri = uri_for (events);
      msg = soup_message_new ("GET", uri);
      in = soup_session_send (session, msg, NULL, &error);
      g_assert_no_error (error);
      expect (soup_message_get_status (msg), 200, "events", NULL);
      lines = g_data_input_stream_new (in);

      /* the event it waits for, caused on another connection of the same client (the engine has
       * no volume events, as docker has: a container's create is one) */
      id = create_container (session, name, body, &status, &reply, NULL);
      expect (status, 201, name, reply);

      while (!seen)
        {
          g_autofree char *text = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
          g_autoptr(JsonNode) event = NULL;

          g_assert_no_error (error);
          g_assert_nonnull (text);
          if (*g_strstrip (text) == '\0')
            continue;
          event = parse (text);
          seen = g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (event), "Action", NULL),
                            "create") == 0;
        }
      /* gone in the middle of the stream, as a `docker events` that is interrupted */
      g_input_stream_close (G_INPUT_STREAM (lines), NULL, NULL);
      follower->followed++;

      path = g_strdup_printf ("/containers/%s", id);
      g_clear_pointer (&reply, g_free);
      expect (call (session, "DELETE", path, NULL, &reply, NULL), 204, path, reply);
    }
  return NULL;
}

static void
phase_events (Load *load)
{
  Follower followers[FOLLOWERS_AT_ONCE];
  GThread *threads[FOLLOWERS_AT_ONCE];
  gint64 started = g_get_monotonic_time ();
  guint followed = 0;

  for (guint i = 0; i < FOLLOWERS_AT_ONCE; i++)
    {
      followers[i] = (Follower) { load->f, i, 0 };
      threads[i] = g_thread_new ("events", follower_thread, &followers[i]);
    }
  for (guint i = 0; i < FOLLOWERS_AT_ONCE; i++)
    {
      g_thread_join (threads[i]);
      followed += followers[i].followed;
    }
  g_test_message ("events: %u followers, %u at once, each saw its event, in %.1f s", followed, FOLLOWERS_AT_ONCE,
                  (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpuint (followed, ==, N_FOLLOWERS);
}

/* ---- the whole ------------------------------------------------------------------------------- */

/* The engine's networks: their bridges and subnets, to tell its interfaces and rules apart from
 * those of the other engines on the machine. */
static void
learn_networks (Load *load)
{
  g_autoptr(SoupSession) session = client_new (load->f);
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *reply = NULL;
  JsonArray *networks;

  expect (call (session, "GET", "/networks", NULL, &reply, NULL), 200, "networks", reply);
  listed = parse (reply);
  networks = json_node_get_array (listed);
  for (guint i = 0; i < json_array_get_length (networks); i++)
    {
      JsonObject *network = json_array_get_object_element (networks, i);
      JsonObject *ipam = json_object_get_object_member (network, "IPAM");
      JsonArray *config = ipam ? json_object_get_array_member (ipam, "Config") : NULL;
      /* (each bridge network's bridge: hk- and its ID's start; host and none have none) */
      g_autofree char *bridge = g_strdup_printf ("hk-%.10s", json_object_get_string_member (network, "Id"));

      if (g_strcmp0 (json_object_get_string_member_with_default (network, "Driver", ""), "bridge") != 0)
        continue;
      if (!g_ptr_array_find_with_equal_func (load->bridges, bridge, g_str_equal, NULL))
        g_ptr_array_add (load->bridges, g_strdup (bridge));
      for (guint k = 0; config != NULL && k < json_array_get_length (config); k++)
        {
          const char *subnet = json_object_get_string_member_with_default (json_array_get_object_element (config, k),
                                                                           "Subnet", NULL);

          if (subnet != NULL && !g_ptr_array_find_with_equal_func (load->subnets, subnet, g_str_equal, NULL))
            g_ptr_array_add (load->subnets, g_strdup (subnet));
        }
    }
}

static void
snapshot_take (Load *load, Snapshot *s, const char *when)
{
  snapshot_clear (s);
  *s = (Snapshot) { 0 };
  s->fds = count_fds (load->pid, &s->fd_list);
  count_processes (load, s);
  s->mounts = count_mounts (load);
  count_interfaces (load, s);
  count_rules (load, "iptables-save", s);
  count_rules (load, "ip6tables-save", s);
  s->rss_kb = rss_kb (load->pid);
  g_test_message ("%s: %u fds, %u children, %u engine processes, %u mounts, %u bridges and %u veths of %u networks,"
                  " %u firewall rules of theirs (%u on the machine), RSS %" G_GUINT64_FORMAT " kB",
                  when, s->fds, s->children, s->engine_procs, s->mounts, s->bridges, s->veths, load->bridges->len,
                  s->rules, s->rules_total, s->rss_kb);
}

/* Waits (a busy machine finishes exits and teardowns late) until nothing is above IDLE but the
 * memory's slack (only the processes and mounts unless ALL), or until a minute passed; the last
 * snapshot in NOW. */
static void
settle (Load *load, const Snapshot *idle, Snapshot *now, const char *when, gboolean all)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  for (;;)
    {
      snapshot_take (load, now, when);
      if ((now->children <= idle->children && now->engine_procs <= idle->engine_procs &&
           now->mounts <= idle->mounts &&
           (!all || (now->veths <= idle->veths && now->bridges <= idle->bridges && now->rules <= idle->rules &&
                     now->fds <= idle->fds && now->rss_kb < idle->rss_kb + RSS_AFTER_SLACK_KB))) ||
          g_get_monotonic_time () > deadline)
        break;
      g_usleep (2 * G_USEC_PER_SEC);
    }
}

static void
assert_back_to (const Snapshot *idle, const Snapshot *now)
{
  if (now->fds > idle->fds)
    g_test_message ("descriptors at idle: %s\ndescriptors now: %s", idle->fd_list, now->fd_list);
  g_assert_cmpuint (now->fds, <=, idle->fds);
  g_assert_cmpuint (now->children, <=, idle->children);
  g_assert_cmpuint (now->engine_procs, <=, idle->engine_procs);
  g_assert_cmpuint (now->mounts, <=, idle->mounts);
  g_assert_cmpuint (now->bridges, <=, idle->bridges);
  g_assert_cmpuint (now->veths, <=, idle->veths);
  g_assert_cmpuint (now->rules, <=, idle->rules);
  g_assert_cmpuint (now->rss_kb, <, idle->rss_kb + RSS_AFTER_SLACK_KB);
}

/* A first container, so that what the engine makes once and keeps (the default network, its
 * bridge with the engine's own keepalive endpoint on it and their firewall rules, as docker keeps
 * docker0; GLib's worker threads) is part of the idle level. */
static void
warm_up (Load *load)
{
  g_autoptr(SoupSession) session = client_new (load->f);
  g_autofree char *image = hatake_test_registry_ref ("hatake/busybox:latest");
  static const char * const cmd[] = { "true", NULL };
  g_autoptr(JsonNode) body = create_body (image, cmd, NULL);
  g_autofree char *reply = NULL, *id = NULL, *path = NULL;
  guint status;

  id = create_container (session, "load-warm-up", body, &status, &reply, NULL);
  expect (status, 201, "create load-warm-up", reply);
  g_clear_pointer (&reply, g_free);
  path = g_strdup_printf ("/containers/%s/start", id);
  expect (call (session, "POST", path, NULL, &reply, NULL), 204, path, reply);
  g_clear_pointer (&reply, g_free);
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/containers/%s/wait", id);
  expect (call (session, "POST", path, NULL, &reply, NULL), 200, path, reply);
  g_clear_pointer (&reply, g_free);
  g_clear_pointer (&path, g_free);
  learn_networks (load);
  path = g_strdup_printf ("/containers/%s", id);
  expect (call (session, "DELETE", path, NULL, &reply, NULL), 204, path, reply);
}

/* serve answers before it is done starting: after its recovery it keeps the default bridge up
 * (as dockerd keeps docker0), with a netavark run. The snapshots count from there. */
static void
wait_started (Load *load)
{
  for (guint i = 0; i < 600; i++)
    {
      Snapshot s = { 0 };
      gboolean up;

      learn_networks (load);
      count_processes (load, &s);
      count_interfaces (load, &s);
      up = load->bridges->len > 0 && s.bridges == load->bridges->len && s.children == 0;
      snapshot_clear (&s);
      if (up)
        return;
      g_usleep (50 * 1000);
    }
  g_error ("serve did not bring its default bridge up within 30 s");
}

static gboolean
phase_wanted (const char *name)
{
  const char *phases = g_getenv ("HATAKE_TEST_LOAD_PHASES");
  g_auto(GStrv) names = phases != NULL ? g_strsplit (phases, ",", -1) : NULL;

  return names == NULL || g_strv_contains ((const char * const *) names, name);
}

static void
test_load (Fixture *f, gconstpointer data)
{
  g_autofree char *hash = NULL, *short_hash = NULL;
  Load load = { f };
  Snapshot fresh = { 0 }, after_pulls = { 0 }, idle = { 0 }, now = { 0 };
  gint64 started = g_get_monotonic_time (), phase;

  if (!require ())
    return;
  load.pid = atoi (g_subprocess_get_identifier (f->server));
  /* the engine's run dir: /run/hatake/ and the first 12 hex digits of its data root's sha256 */
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, f->root, -1);
  short_hash = g_strndup (hash, 12);
  load.run_dir = g_build_filename ("/run/hatake", short_hash, NULL);
  load.bridges = g_ptr_array_new_with_free_func (g_free);
  load.subnets = g_ptr_array_new_with_free_func (g_free);

  wait_started (&load);
  snapshot_take (&load, &fresh, "fresh server");
  phase = g_get_monotonic_time ();
  phase_pulls (&load);
  g_test_message ("time: pulls %.1f s", (g_get_monotonic_time () - phase) / 1e6);
  /* a pull leaves no descriptor, process or mount behind (its registry connections, which are
   * the engine's to keep, are not counted); what serve does meanwhile on its own (the network
   * spares' setup: a netavark child, its pidfd, pipes and lock) is waited for — a snapshot during
   * one counted its four descriptors once (CI) */
  settle (&load, &fresh, &after_pulls, "after the pulls", FALSE);
  if (after_pulls.fds > fresh.fds)
    g_test_message ("fds fresh: %s\nfds after the pulls: %s", fresh.fd_list, after_pulls.fd_list);
  /* (the first pull leaves a worker thread's main context: one eventfd, kept; a descriptor
   * left by each of the 50 pulls would be 50) */
  g_assert_cmpuint (after_pulls.fds, <=, fresh.fds + 2);
  g_assert_cmpuint (after_pulls.children, <=, fresh.children);
  g_assert_cmpuint (after_pulls.mounts, <=, fresh.mounts);

  warm_up (&load);
  /* idle: a moment after the warm-up, its exits and teardowns done */
  g_usleep (2 * G_USEC_PER_SEC);
  settle (&load, &after_pulls, &idle, "idle", FALSE);

  if (phase_wanted ("containers"))
    {
      phase = g_get_monotonic_time ();
      phase_containers (&load);
      g_test_message ("time: containers %.1f s", (g_get_monotonic_time () - phase) / 1e6);
      settle (&load, &idle, &now, "after the containers", TRUE);
      assert_back_to (&idle, &now);
    }

  if (phase_wanted ("logs"))
    {
      phase = g_get_monotonic_time ();
      phase_log_stream (&load, idle.rss_kb);
      g_test_message ("time: log stream %.1f s", (g_get_monotonic_time () - phase) / 1e6);
      settle (&load, &idle, &now, "after the log stream", TRUE);
      assert_back_to (&idle, &now);
    }

  if (phase_wanted ("events"))
    {
      phase = g_get_monotonic_time ();
      phase_events (&load);
      g_test_message ("time: events %.1f s", (g_get_monotonic_time () - phase) / 1e6);
    }

  learn_networks (&load);
  settle (&load, &idle, &now, "after everything", TRUE);
  g_test_message ("RSS: fresh %" G_GUINT64_FORMAT " kB, idle %" G_GUINT64_FORMAT " kB, after %" G_GUINT64_FORMAT
                  " kB; fds: fresh %u, idle %u, after %u", fresh.rss_kb, idle.rss_kb, now.rss_kb, fresh.fds, idle.fds,
                  now.fds);
  assert_back_to (&idle, &now);
  g_test_message ("time: all %.1f s", (g_get_monotonic_time () - started) / 1e6);

  snapshot_clear (&fresh);
  snapshot_clear (&after_pulls);
  snapshot_clear (&idle);
  snapshot_clear (&now);
  g_ptr_array_unref (load.bridges);
  g_ptr_array_unref (load.subnets);
  g_free (load.run_dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/load/all", Fixture, NULL, fixture_set_up, test_load, fixture_tear_down);
  return g_test_run ();
}
