/* hatake-containers-prepare.c: what a start prepares before the runtime runs (a worker thread)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The root file system mounted, volumes filled, the network's address and namespace, the host
 * files, the OCI spec (with crun's precompiled seccomp program). Split from hatake-containers.c
 * (over 2,300 lines).
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hatake-containers-private.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-layer.h"
#include "hatake-oci-spec.h"
#include "hatake-passwd.h"
#include "hatake-seccomp.h"

void
_hatake_containers_prepare_data_free (PrepareData *data)
{
  g_clear_error (&data->join_error);
  g_free (data->join_netns);
  g_free (data->join_dir);
  g_clear_object (&data->store);
  g_clear_object (&data->runtime);
  g_free (data->root);
  g_free (data->dir);
  g_free (data->id);
  g_free (data->image_id);
  g_free (data->seccomp_cache);
  g_clear_object (&data->networks);
  g_clear_object (&data->volumes);
  g_free (data->name);
  hatake_container_config_free (data->config);
  for (guint i = 0; data->port_fds != NULL && i < data->port_fds->len; i++)
    close (g_array_index (data->port_fds, int, i));
  g_clear_pointer (&data->port_fds, g_array_unref);
  g_free (data);
}

/* crun compiles the seccomp section at every start (~18 ms of its 27): give it the program
 * compiled once per profile instead. Anything wrong here only costs that time. */
static void
add_seccomp_program (PrepareData *data,
                     JsonNode    *spec_json)
{
  JsonObject *spec = json_node_get_object (spec_json);
  JsonObject *seccomp = hatake_json_object_member (hatake_json_object_member (spec, "linux"), "seccomp");
  JsonObject *annotations = hatake_json_object_member (spec, "annotations");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bpf = NULL;
  g_autofree char *encoded = NULL;

  if (seccomp == NULL || annotations == NULL || data->seccomp_cache == NULL)
    return;
  bpf = hatake_seccomp_compile_cached (seccomp, data->seccomp_cache, &error);
  if (bpf == NULL)
    {
      g_debug ("%s: crun compiles the seccomp section itself: %s", data->id, error->message);
      return;
    }
  encoded = g_base64_encode (g_bytes_get_data (bpf, NULL), g_bytes_get_size (bpf));
  json_object_set_string_member (annotations, HATAKE_SECCOMP_BPF_ANNOTATION, encoded);
}

gboolean
_hatake_containers_set_errno (GError **error, int errsv, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s %s: %s", what, path, g_strerror (errsv));
  return FALSE;
}

/* The image's layers for overlayfs's lowerdir, top layer first, as short links that keep the
 * option within a page for images with many layers; "" for an image without layers. NULL when
 * the image is gone. */
GString *
_hatake_containers_lower_dirs (HatakeStore *store,
                               const char  *root,
                               const char  *image_id,
                               GError     **error)
{
  g_autoptr(HatakeImageRecord) record = hatake_store_get_image (store, image_id);
  GString *lower;

  if (record == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("No such image: %s"), image_id);
      return NULL;
    }
  lower = g_string_new (NULL);
  for (guint i = g_strv_length (record->layers); i > 0; i--)
    {
      g_autofree char *hex = g_strndup (record->layers[i - 1] + 7, 16);
      g_string_append_printf (lower, "%s%s/l/%s", lower->len ? ":" : "", root, hex);
    }
  return lower;
}

/* A --rm container's root filesystem is mounted volatile (Linux 5.10 on), as podman mounts its
 * --rm containers': its upper layer is never synced — not by the container's fsync or syncfs,
 * nor at the unmount, which otherwise syncs the whole file system under the data root (1.8 ms
 * median here for an overlay with one file written; as long as that file system has dirty data
 * of anyone's to write). What the container wrote there is thrown away at its exit; its volumes
 * and bind mounts are not in the overlay. A volatile mount leaves a mark in the work dir
 * (work/work/incompat/volatile/dirty) that makes the kernel refuse the next mount, for an upper a crash
 * may have left torn: a container mounted again (docker restart keeps a --rm container) is one
 * the engine unmounted itself — a crash removes a --rm container — so the mark goes first. */
static gboolean
mount_overlay (const char *rootfs, const char *options, const char *work, gboolean volatile_upper)
{
  g_autofree char *with = NULL;

  if (volatile_upper)
    {
      g_autofree char *mark = g_build_filename (work, "work", "incompat", NULL);

      /* (incompat/volatile/dirty) */
      if (g_file_test (mark, G_FILE_TEST_EXISTS))
        hatake_rm_rf (mark, NULL);
      with = g_strconcat (options, ",volatile", NULL);
      if (mount ("overlay", rootfs, "overlay", 0, with) == 0)
        return TRUE;
      /* (a kernel before 5.10 knows no such option) */
      if (errno != EINVAL)
        return FALSE;
    }
  return mount ("overlay", rootfs, "overlay", 0, options) == 0;
}

static gboolean
mount_rootfs (PrepareData *data, const char *rootfs, GError **error)
{
  g_autofree char *upper = g_build_filename (data->dir, "upper", NULL);
  g_autofree char *work = g_build_filename (data->dir, "work", NULL);
  g_autoptr(GString) lower = _hatake_containers_lower_dirs (data->store, data->root, data->image_id, error);
  g_autofree char *options = NULL;

  if (lower == NULL)
    return FALSE;
  if (g_mkdir_with_parents (upper, 0755) != 0)
    return _hatake_containers_set_errno (error, errno, _("Cannot create"), upper);
  if (g_mkdir_with_parents (work, 0700) != 0)
    return _hatake_containers_set_errno (error, errno, _("Cannot create"), work);
  if (g_mkdir_with_parents (rootfs, 0755) != 0)
    return _hatake_containers_set_errno (error, errno, _("Cannot create"), rootfs);
  if (lower->len == 0)
    {
      g_autofree char *empty = g_build_filename (data->dir, "empty", NULL);
      g_mkdir_with_parents (empty, 0755);
      g_string_append (lower, empty);
    }
  options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s", lower->str, upper, work);
  if (strlen (options) + strlen (",volatile") >= 4096)
    {
      guint n = 1;

      for (const char *c = lower->str; *c; c++)
        n += *c == ':';
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                   _("The image has too many layers (%u) for one overlay mount"), n);
      return FALSE;
    }
  umount2 (rootfs, MNT_DETACH);
  if (!mount_overlay (rootfs, options, work, data->config->auto_remove))
    return _hatake_containers_set_errno (error, errno, _("Cannot mount the container's root filesystem at"), rootfs);
  return TRUE;
}

/* --add-host NAME:IP (or NAME=IP, as docker takes both); IP "host-gateway" is the host as the
 * container reaches it: its network's gateway; the loopback address on the host's network (and
 * with none, where nothing is reached anyway). FALSE when ENTRY is no such pair. */
static gboolean
split_extra_host (const char *entry, const HatakeNetworkResult *net, char **name, char **ip)
{
  const char *sep = strpbrk (entry, ":=");
  g_autoptr(GInetAddress) address = NULL;

  if (sep == NULL || sep == entry || sep[1] == '\0')
    return FALSE;
  *name = g_strndup (entry, sep - entry);
  if (g_str_equal (sep + 1, "host-gateway"))
    *ip = g_strdup (net != NULL && net->gateway != NULL ? net->gateway : "127.0.0.1");
  else
    {
      /* (an IPv6 address may come in brackets) */
      g_autofree char *bare = g_strdup (sep + 1);
      gsize n = strlen (bare);

      if (bare[0] == '[' && bare[n - 1] == ']')
        {
          bare[n - 1] = '\0';
          memmove (bare, bare + 1, n - 1);
        }
      address = g_inet_address_new_from_string (bare);
      *ip = address != NULL ? g_steal_pointer (&bare) : NULL;
    }
  if (*ip == NULL)
    g_clear_pointer (name, g_free);
  return *ip != NULL;
}

/* --add-host and --dns, checked at create (as docker does) rather than at every start */
gboolean
_hatake_containers_check_host_entries (const HatakeContainerConfig *c, GError **error)
{
  for (guint i = 0; c->extra_hosts != NULL && c->extra_hosts[i] != NULL; i++)
    {
      g_autofree char *name = NULL, *ip = NULL;

      if (!split_extra_host (c->extra_hosts[i], NULL, &name, &ip))
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, _("invalid --add-host '%s': not NAME:IP"), c->extra_hosts[i]);
          return FALSE;
        }
    }
  for (guint i = 0; c->dns != NULL && c->dns[i] != NULL; i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (c->dns[i]);

      if (address == NULL)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, _("invalid --dns '%s': not an IP address"), c->dns[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* resolv.conf, as docker writes it: the host's, less loopback servers (meaningless inside); --dns
 * replaces its servers, --dns-search its search and domain lines ("." for none), --dns-option its
 * options. On a user network the servers are its aardvark-dns (names), then --dns: aardvark-dns
 * forwards the rest to the host's servers, not to these. */
static void
append_resolv (GString *out, const HatakeContainerConfig *c, const HatakeNetworkResult *net)
{
  gboolean own_servers = net != NULL && net->dns_servers != NULL;
  gboolean servers = c->dns != NULL && c->dns[0] != NULL;
  gboolean search = c->dns_search != NULL && c->dns_search[0] != NULL;
  gboolean no_search = search && g_str_equal (c->dns_search[0], ".") && c->dns_search[1] == NULL;
  gboolean options = c->dns_options != NULL && c->dns_options[0] != NULL;
  g_autofree char *host_resolv = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean any = FALSE;

  if (!own_servers && g_file_get_contents ("/etc/resolv.conf", &host_resolv, NULL, NULL))
    lines = g_strsplit (host_resolv, "\n", -1);
  if (search && !no_search)
    {
      g_autofree char *domains = g_strjoinv (" ", c->dns_search);
      g_string_append_printf (out, "search %s\n", domains);
    }
  else if (!search && own_servers && net->dns_search != NULL)
    {
      g_autofree char *domains = g_strjoinv (" ", net->dns_search);
      g_string_append_printf (out, "search %s\n", domains);
    }
  for (guint i = 0; own_servers && net->dns_servers[i] != NULL; i++, any = TRUE)
    g_string_append_printf (out, "nameserver %s\n", net->dns_servers[i]);
  for (guint i = 0; servers && c->dns[i] != NULL; i++, any = TRUE)
    g_string_append_printf (out, "nameserver %s\n", c->dns[i]);
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gboolean server = g_str_has_prefix (line, "nameserver");

      if (*line == '\0' ||
          (server && (servers || strstr (line, " 127.") || strstr (line, " ::1"))) ||
          ((g_str_has_prefix (line, "search") || g_str_has_prefix (line, "domain")) && search) ||
          (g_str_has_prefix (line, "options") && options))
        continue;
      any |= server;
      g_string_append_printf (out, "%s\n", line);
    }
  if (!any)
    g_string_append (out, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  if (options)
    {
      g_autofree char *joined = g_strjoinv (" ", c->dns_options);
      g_string_append_printf (out, "options %s\n", joined);
    }
}

static gboolean
write_host_files (PrepareData *data, const char *hostname, const HatakeNetworkResult *net, GError **error)
{
  g_autofree char *hosts = g_build_filename (data->dir, "hosts", NULL);
  g_autofree char *hostname_path = g_build_filename (data->dir, "hostname", NULL);
  g_autofree char *resolv = g_build_filename (data->dir, "resolv.conf", NULL);
  g_autoptr(GString) hosts_text = g_string_new ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                                                "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n"
                                                "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
  g_autofree char *hostname_text = g_strconcat (hostname, "\n", NULL);
  g_autoptr(GString) resolv_text = g_string_new (NULL);

  /* (docker: the extra hosts before the container's own name) */
  for (guint i = 0; data->config->extra_hosts != NULL && data->config->extra_hosts[i] != NULL; i++)
    {
      g_autofree char *name = NULL, *ip = NULL;

      if (!split_extra_host (data->config->extra_hosts[i], net, &name, &ip))
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, _("invalid --add-host '%s': not NAME:IP"),
                       data->config->extra_hosts[i]);
          return FALSE;
        }
      g_string_append_printf (hosts_text, "%s\t%s\n", ip, name);
    }
  if (net != NULL && net->ip != NULL)
    g_string_append_printf (hosts_text, "%s\t%s\n", net->ip, hostname);
  append_resolv (resolv_text, data->config, net);
  return g_file_set_contents (hosts, hosts_text->str, -1, error) &&
         g_file_set_contents (hostname_path, hostname_text, -1, error) &&
         g_file_set_contents (resolv, resolv_text->str, -1, error);
}

/* -P: each port the image or --expose declares, unless -p maps it already, on a free port of
 * the host's. */
static gboolean
add_exposed_ports (GArray *ports, JsonObject *image_config, GStrv expose, GError **error)
{
  JsonObject *exposed = hatake_json_object_member (image_config, "ExposedPorts");
  g_autoptr(GList) keys = exposed ? json_object_get_members (exposed) : NULL;
  g_autoptr(GPtrArray) specs = g_ptr_array_new ();

  for (GList *l = keys; l != NULL; l = l->next)
    g_ptr_array_add (specs, l->data);
  for (guint i = 0; expose != NULL && expose[i] != NULL; i++)
    g_ptr_array_add (specs, expose[i]);
  for (guint i = 0; i < specs->len; i++)
    {
      HatakePortMapping wanted;
      gboolean mapped = FALSE;

      if (!hatake_port_mapping_parse (g_ptr_array_index (specs, i), &wanted, error))
        {
          g_prefix_error (error, _("Exposed port: "));
          return FALSE;
        }
      for (guint port = wanted.container_port; port < (guint) wanted.container_port + MAX (wanted.range, 1); port++)
        {
          HatakePortMapping one = { .container_port = port, .range = 1 };

          mapped = FALSE;
          for (guint j = 0; j < ports->len && !mapped; j++)
            {
              HatakePortMapping *m = &g_array_index (ports, HatakePortMapping, j);

              mapped = g_str_equal (m->protocol, wanted.protocol) && port >= m->container_port &&
                       port < (guint) m->container_port + MAX (m->range, 1);
            }
          if (mapped)
            continue;
          g_strlcpy (one.protocol, wanted.protocol, sizeof one.protocol);
          g_array_append_val (ports, one);
        }
    }
  return TRUE;
}

static const char * const *
strv_or_null (GStrv v)
{
  return (const char * const *) v;
}
/* --network container:X: X's hostname, /etc/hosts and resolv.conf, as they are now */
static gboolean
copy_host_files (PrepareData *data, GError **error)
{
  static const char * const names[] = { "hosts", "hostname", "resolv.conf" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *from = g_build_filename (data->join_dir, names[i], NULL);
      g_autofree char *to = g_build_filename (data->dir, names[i], NULL);
      g_autofree char *text = NULL;
      gsize length = 0;

      if (!g_file_get_contents (from, &text, &length, error) || !g_file_set_contents (to, text, length, error))
        return FALSE;
    }
  return TRUE;
}

/* Blocking: mounts, files, passwd, the spec. Runs in a worker. */
void
_hatake_containers_prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PrepareData *data = task_data;
  HatakeContainerConfig *c = data->config;
  g_autofree char *rootfs = g_build_filename (data->dir, "rootfs", NULL);
  g_autofree char *bundle = g_build_filename (data->dir, "bundle", NULL);
  /* (renamed to config.json when conmon may read it: hatake-containers-start.c, on_prepared) */
  g_autofree char *spec_path = g_build_filename (bundle, "config.json.new", NULL);
  g_autofree char *hosts = g_build_filename (data->dir, "hosts", NULL);
  g_autofree char *hostname_path = g_build_filename (data->dir, "hostname", NULL);
  g_autofree char *resolv = g_build_filename (data->dir, "resolv.conf", NULL);
  g_autofree char *cgroups_path = g_strconcat ("/hatake/", data->id, NULL);
  g_autofree char *short_id = g_strndup (data->id, 12);
  g_autoptr(JsonObject) image_config = NULL;
  g_autoptr(GArray) mounts = g_array_new (FALSE, TRUE, sizeof (HatakeMount));
  g_autoptr(GPtrArray) volume_dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) volume_options = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(JsonNode) spec_json = NULL;
  g_auto(HatakeUser) user = { 0 };
  g_autofree char *joined_hostname = NULL;
  g_auto(HatakeNetworkResult) net = { 0 };
  HatakeContainerSpec spec;
  const char *user_spec, *working_dir;
  GError *error = NULL;

  /* (as any other failed preparing: a conmon started ahead is let go, an auto-removed one goes) */
  if (data->join_error != NULL)
    {
      g_task_return_error (task, g_error_copy (data->join_error));
      return;
    }
  int rootfd = -1;

  /* (first: a state left by a previous run would fail the runtime's create after all of this) */
  if (!hatake_runtime_delete_leftover (data->runtime, data->id, &error))
    goto fail;
  image_config = _hatake_containers_read_image_config (data->store, data->image_id, &error);
  if (image_config == NULL)
    goto fail;
  if (!mount_rootfs (data, rootfs, &error))
    goto fail;
  data->mounted = TRUE;

  hatake_container_spec_init (&spec);
  spec.id = data->id;
  spec.rootfs = rootfs;
  spec.cgroups_path = cgroups_path;
  spec.entrypoint = strv_or_null (c->entrypoint);
  spec.cmd = strv_or_null (c->cmd);
  spec.env = strv_or_null (c->env);
  spec.working_dir = c->working_dir;
  spec.user = c->user;
  spec.hostname = c->hostname;
  /* (docker: the container whose network it joins gives it its name too) */
  if (data->join_dir != NULL)
    {
      g_autofree char *path = g_build_filename (data->join_dir, "hostname", NULL);

      if (!g_file_get_contents (path, &joined_hostname, NULL, &error))
        goto fail;
      spec.hostname = g_strstrip (joined_hostname);
    }
  spec.host_pid = g_strcmp0 (c->pid_mode, "host") == 0;
  spec.host_ipc = g_strcmp0 (c->ipc_mode, "host") == 0;
  spec.host_uts = g_strcmp0 (c->uts_mode, "host") == 0;
  /* the host's name is the container's: /etc/hostname and HOSTNAME say so (docker writes the
   * container's short id there, which then no program sees as its name) */
  if (spec.host_uts)
    spec.hostname = g_get_host_name ();
  spec.tty = c->tty;
  spec.read_only = c->read_only;
  spec.privileged = c->privileged;
  spec.cap_add = strv_or_null (c->cap_add);
  spec.cap_drop = strv_or_null (c->cap_drop);
  spec.sysctls = strv_or_null (c->sysctls);
  spec.shm_size = c->shm_size;
  spec.ulimits = strv_or_null (c->ulimits);
  spec.devices = strv_or_null (c->devices);
  {
    gboolean unconfined = FALSE;

    /* (checked at create: an option it refuses cannot be here) */
    if (hatake_container_config_security (c, &spec.no_new_privileges, &unconfined, NULL) && unconfined)
      spec.seccomp_profile = "unconfined";
  }
  spec.memory = c->memory;
  spec.memory_swap = c->memory_swap;
  spec.cpu_shares = c->cpu_shares;
  spec.cpus = c->cpus;
  spec.cpuset_cpus = c->cpuset_cpus;
  spec.cpuset_mems = c->cpuset_mems;
  spec.oom_score_adj = c->oom_score_adj;
  spec.pids_limit = c->pids_limit;
  spec.init = c->init;
  spec.stop_signal = c->stop_signal;
  spec.hosts_path = hosts;
  spec.hostname_path = hostname_path;
  spec.resolv_conf_path = resolv;

  for (guint i = 0; c->mounts && i < c->mounts->len; i++)
    {
      HatakeContainerMount *m = g_ptr_array_index (c->mounts, i);
      HatakeMount om = { 0 };

      om.destination = m->target;
      om.read_only = m->read_only;
      switch (m->type)
        {
        case HATAKE_CONTAINER_MOUNT_BIND:
          om.type = HATAKE_MOUNT_BIND;
          om.source = m->source;
          /* docker's -v makes a missing source, a directory (as the engine: root, 0755) */
          if (m->source != NULL && m->create_source && !g_file_test (m->source, G_FILE_TEST_EXISTS) &&
              g_mkdir_with_parents (m->source, 0755) != 0)
            {
              int saved = errno;

              error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED, _("Cannot create the bind source %s: %s"),
                                   m->source, g_strerror (saved));
              goto fail;
            }
          if (m->source == NULL || !g_file_test (m->source, G_FILE_TEST_EXISTS))
            {
              error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                                   _("invalid mount config: bind source path does not exist: %s"),
                                   m->source ? m->source : "");
              goto fail;
            }
          break;
        case HATAKE_CONTAINER_MOUNT_VOLUME:
          {
            char *vdir = g_build_filename (data->root, "volumes", m->source ? m->source : "", "_data", NULL);
            GStrv volume_flags = NULL;
            if (m->source == NULL || !g_file_test (vdir, G_FILE_TEST_IS_DIR))
              {
                error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, _("get %s: no such volume"),
                                     m->source ? m->source : "");
                g_free (vdir);
                goto fail;
              }
            /* (one made with a device: mounted on its folder now, until it is removed; its flags
             * (ro, noexec…) given for the container's mount too, which the runtime remounts) */
            if (!hatake_volumes_mount (data->volumes, m->source, &volume_flags, &error))
              {
                g_free (vdir);
                goto fail;
              }
            g_ptr_array_add (volume_dirs, vdir);
            om.type = HATAKE_MOUNT_VOLUME;
            om.source = vdir;
            if (volume_flags != NULL)
              g_ptr_array_add (volume_options, volume_flags);
            om.flags = (const char * const *) volume_flags;
          }
          break;
        case HATAKE_CONTAINER_MOUNT_TMPFS:
          om.type = HATAKE_MOUNT_TMPFS;
          om.tmpfs_size = m->tmpfs_size;
          om.tmpfs_mode = m->tmpfs_mode;
          break;
        default:
          g_assert_not_reached ();
        }
      g_array_append_val (mounts, om);
    }
  spec.mounts = (const HatakeMount *) mounts->data;
  spec.n_mounts = mounts->len;

  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    {
      _hatake_containers_set_errno (&error, errno, _("Cannot open"), rootfs);
      goto fail;
    }
  /* An image whose /dev is a symlink would have runc make its device links wherever that points,
   * on the host (runc 1.1.5 follows it): refused here, whatever the runtime. */
  {
    struct stat st;
    if (fstatat (rootfd, "dev", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
      {
        error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER,
                             _("The image's /dev is a symbolic link, which could make the runtime write outside "
                               "the container: refused"));
        goto fail;
      }
  }
  /* A new, empty volume gets what the image has at its mount point (docker's copy-up),
   * before the mount points are made: one the image does not have gives nothing, the volume's
   * own owner and mode stay. */
  for (guint i = 0, v = 0; c->mounts && i < c->mounts->len; i++)
    {
      HatakeContainerMount *m = g_ptr_array_index (c->mounts, i);
      const char *vdir;
      g_autoptr(GDir) dir = NULL;
      if (m->type != HATAKE_CONTAINER_MOUNT_VOLUME)
        continue;
      vdir = g_ptr_array_index (volume_dirs, v++);
      dir = g_dir_open (vdir, 0, NULL);
      if (dir != NULL && g_dir_read_name (dir) == NULL && !hatake_volumes_copy_up (rootfd, m->target, vdir, &error))
        goto fail;
    }
  /* Mount points are made inside the root (a symlinked one too, resolved there), so the runtime
   * finds them and never follows a link out of the root to make one. */
  for (guint i = 0; c->mounts && i < c->mounts->len; i++)
    {
      HatakeContainerMount *m = g_ptr_array_index (c->mounts, i);
      if (m->type == HATAKE_CONTAINER_MOUNT_BIND && !g_file_test (m->source, G_FILE_TEST_IS_DIR))
        continue;
      if (!hatake_mkdir_p_in_root (rootfd, m->target, 0755, 0, 0, &error))
        goto fail;
    }
  user_spec = hatake_oci_spec_user_spec (image_config, &spec);
  if (!hatake_passwd_resolve (rootfd, user_spec ? user_spec : "", &user, &error) ||
      !hatake_passwd_add_groups (rootfd, (const char * const *) c->group_add, &user, &error))
    goto fail;
  working_dir = c->working_dir && *c->working_dir ? c->working_dir
              : json_object_get_string_member_with_default (image_config, "WorkingDir", NULL);
  if (working_dir != NULL && *working_dir != '\0' && g_path_is_absolute (working_dir) &&
      !hatake_mkdir_p_in_root (rootfd, working_dir, 0755, user.uid, user.gid, &error))
    goto fail;
  /* its network: a namespace of its own set up by netavark, or the host's, or another
   * container's, or none */
  if (data->join_netns != NULL && c->publish != NULL && c->publish[0] != NULL)
    {
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("conflicting options: port publishing and the container type network mode"));
      goto fail;
    }
  if (data->join_netns != NULL)
    spec.netns_path = data->join_netns;
  else if (g_strcmp0 (c->network_mode, "host") == 0)
    spec.host_network = TRUE;
  else if (c->network_mode != NULL && *c->network_mode != '\0' && !g_str_equal (c->network_mode, "none"))
    {
      g_autoptr(GArray) ports = g_array_new (FALSE, TRUE, sizeof (HatakePortMapping));
      HatakeNetworkAttach attach = { 0 };

      for (guint i = 0; c->publish != NULL && c->publish[i] != NULL; i++)
        {
          HatakePortMapping mapping;

          if (!hatake_port_mapping_parse (c->publish[i], &mapping, &error))
            goto fail;
          g_array_append_val (ports, mapping);
        }
      if (c->publish_all && !add_exposed_ports (ports, image_config, c->expose, &error))
        goto fail;
      attach.container_id = data->id;
      attach.container_name = data->name;
      attach.endpoints = (HatakeNetworkEndpoint * const *) c->networks->pdata;
      attach.n_endpoints = c->networks->len;
      attach.ports = (const HatakePortMapping *) ports->data;
      attach.n_ports = ports->len;
      /* netavark sets the namespace up while conmon and the runtime create the container in
       * it (the process starts only at `start`): its ~30 ms are off the start's path */
      attach.defer_setup = TRUE;
      if (!hatake_networks_attach (data->networks, &attach, &net, &error))
        goto fail;
      data->attached = TRUE;
      data->setup_pending = !net.set_up;   /* (a spare taken is set up) */
      data->port_fds = g_steal_pointer (&net.port_fds);
      spec.netns_path = net.netns_path;
    }
  else if (c->publish != NULL && c->publish[0] != NULL)
    {
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("conflicting options: port publishing and the container type network mode"));
      goto fail;
    }

  if (data->join_dir != NULL ? !copy_host_files (data, &error)
                             : !write_host_files (data, spec.hostname ? spec.hostname : short_id, &net, &error))
    goto fail;

  spec_json = hatake_oci_spec_build (image_config, &spec, &user, &error);
  if (spec_json == NULL)
    goto fail;
  add_seccomp_program (data, spec_json);
  if (g_mkdir_with_parents (bundle, 0700) != 0)
    {
      _hatake_containers_set_errno (&error, errno, _("Cannot create"), bundle);
      goto fail;
    }
  if (!_hatake_containers_write_json_unsynced (spec_path, spec_json, &error))
    goto fail;
  close (rootfd);
  g_task_return_boolean (task, TRUE);
  return;

fail:
  if (rootfd >= 0)
    close (rootfd);
  if (data->attached)
    {
      g_autoptr(GError) detach_error = NULL;

      /* (a network whose setup never ran or half ran tears down with complaints) */
      if (!hatake_networks_detach (data->networks, data->id, &detach_error))
        g_message ("%s: %s", data->id, detach_error->message);
      data->attached = FALSE;
    }
  if (data->mounted)
    umount2 (rootfs, MNT_DETACH);
  g_task_return_error (task, error);
}
