/* hatake-oci-spec.c: the OCI runtime config.json of a container, from its image config and the
 * options of `docker run`, with docker's defaults and rules
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What docker does, and so what programs written for docker expect, is the reference here:
 * moby's daemon/create.go merge() for Entrypoint/Cmd/Env, container.CreateDaemonEnvironment for
 * PATH/HOSTNAME/TERM, oci/defaults.go for mounts, capabilities and masked paths, oci/caps for
 * cap_add/cap_drop, and containers/common's seccomp conversion for the profile.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/utsname.h>

#include <gio/gio.h>

#include "hatake-container-config.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-oci-spec-private.h"

#define CPU_PERIOD       100000
#define MIN_MEMORY       (6 * 1024 * 1024)
#define SHM_SIZE         "67108864"

#if defined(__x86_64__)
# define HOST_GOARCH    "amd64"
# define HOST_SCMP_ARCH "SCMP_ARCH_X86_64"
#elif defined(__aarch64__)
# define HOST_GOARCH    "arm64"
# define HOST_SCMP_ARCH "SCMP_ARCH_AARCH64"
#elif defined(__i386__)
# define HOST_GOARCH    "386"
# define HOST_SCMP_ARCH "SCMP_ARCH_X86"
#elif defined(__arm__)
# define HOST_GOARCH    "arm"
# define HOST_SCMP_ARCH "SCMP_ARCH_ARM"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
# define HOST_GOARCH    "ppc64le"
# define HOST_SCMP_ARCH "SCMP_ARCH_PPC64LE"
#elif defined(__s390x__)
# define HOST_GOARCH    "s390x"
# define HOST_SCMP_ARCH "SCMP_ARCH_S390X"
#elif defined(__riscv) && __riscv_xlen == 64
# define HOST_GOARCH    "riscv64"
# define HOST_SCMP_ARCH "SCMP_ARCH_RISCV64"
#else
# error "hatake-oci-spec: add this architecture's Go and libseccomp names"
#endif

/* Every capability Linux 5.9+ knows, in number order (CAP_CHOWN is 0). */
static const char * const all_capabilities[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
  "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
  "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
  "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE", NULL
};

/* Docker's defaults (oci/caps/defaults.go). */
static const char * const default_capabilities[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL
};

static const char * const masked_paths[] = {
  "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
  "/sys/devices/virtual/powercap", NULL
};

static const char * const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
};

typedef struct
{
  const char *destination;
  const char *type;
  const char *source;
  const char *options[8];
} DefaultMount;

static const DefaultMount default_mounts[] = {
  { "/proc", "proc", "proc", { "nosuid", "noexec", "nodev", NULL } },
  { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
  { "/dev/pts", "devpts", "devpts",
    { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
  { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
  { "/sys/fs/cgroup", "cgroup", "cgroup", { "ro", "nosuid", "noexec", "nodev", NULL } },
  { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
  { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=" SHM_SIZE, NULL } },
};

void
hatake_container_spec_init (HatakeContainerSpec *spec)
{
  g_return_if_fail (spec != NULL);

  memset (spec, 0, sizeof *spec);
}

/* ---- small helpers ------------------------------------------------------------------------ */

static gboolean
strv_contains (const char * const *strv,
               const char         *s)
{
  return strv != NULL && g_strv_contains (strv, s);
}

static guint
strv_len0 (const char * const *strv)
{
  return strv != NULL ? g_strv_length ((char **) strv) : 0;
}

/* A JSON array of strings as a GPtrArray of borrowed strings; non-strings are skipped. */
static GPtrArray *
json_string_list (JsonObject *obj,
                  const char *member)
{
  GPtrArray *out = g_ptr_array_new ();
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *e = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
            g_ptr_array_add (out, (gpointer) json_node_get_string (e));
        }
    }
  /* (docker's StrSlice: a lone string is a list of one) */
  else if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    g_ptr_array_add (out, (gpointer) json_node_get_string (node));
  return out;
}

static const char *
json_string_member (JsonObject *obj,
                    const char *member)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static JsonArray *
string_array (const char * const *strv,
              guint               n)
{
  JsonArray *array = json_array_sized_new (n);

  for (guint i = 0; i < n; i++)
    json_array_add_string_element (array, strv[i]);
  return array;
}

static JsonArray *
ptr_string_array (GPtrArray *strings)
{
  return string_array ((const char * const *) strings->pdata, strings->len);
}

char *
hatake_oci_spec_clean_path (const char *path)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) stack = NULL;
  GString *out;

  g_return_val_if_fail (path != NULL, NULL);

  if (path[0] != '/')
    return NULL;
  parts = g_strsplit (path, "/", -1);
  stack = g_ptr_array_new ();
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        {
          /* Go's filepath.Clean would stop at "/": here it is an escape, refused. */
          if (stack->len == 0)
            return NULL;
          g_ptr_array_remove_index (stack, stack->len - 1);
          continue;
        }
      g_ptr_array_add (stack, parts[i]);
    }
  out = g_string_new ("");
  for (guint i = 0; i < stack->len; i++)
    {
      g_string_append_c (out, '/');
      g_string_append (out, g_ptr_array_index (stack, i));
    }
  if (out->len == 0)
    g_string_append_c (out, '/');
  return g_string_free (out, FALSE);
}

static guint
path_depth (const char *clean)
{
  guint n = 0;

  for (const char *p = clean; *p != '\0'; p++)
    if (*p == '/')
      n++;
  return strcmp (clean, "/") == 0 ? 0 : n;
}

/* ---- capabilities -------------------------------------------------------------------------- */

static char *
normalize_capability (const char  *name,
                      GError     **error)
{
  g_autofree char *upper = g_ascii_strup (name, -1);
  g_autofree char *full = NULL;

  if (strcmp (upper, "ALL") == 0)
    return g_steal_pointer (&upper);
  full = g_str_has_prefix (upper, "CAP_") ? g_steal_pointer (&upper) : g_strconcat ("CAP_", upper, NULL);
  if (!g_strv_contains (all_capabilities, full))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("unknown capability: “%s”"), name);
      return NULL;
    }
  return g_steal_pointer (&full);
}

static GPtrArray *
normalize_capabilities (const char * const  *names,
                        GError             **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      char *cap = normalize_capability (names[i], error);

      if (cap == NULL)
        return NULL;
      g_ptr_array_add (out, cap);
    }
  g_ptr_array_add (out, NULL);
  return g_steal_pointer (&out);
}

static void
add_unique (GPtrArray  *caps,
            const char *cap)
{
  for (guint i = 0; i < caps->len; i++)
    if (strcmp (g_ptr_array_index (caps, i), cap) == 0)
      return;
  g_ptr_array_add (caps, g_strdup (cap));
}

/* In this process's bounding set (all_capabilities is in the kernel's numbering). A capability
 * the kernel does not know (PR_CAPBSET_READ fails) is not available either. */
gboolean
_hatake_oci_spec_engine_has_capability (const char *name)
{
  for (guint i = 0; all_capabilities[i] != NULL; i++)
    if (g_str_equal (all_capabilities[i], name))
      return prctl (PR_CAPBSET_READ, (unsigned long) i, 0, 0, 0) == 1;
  return FALSE;
}

gboolean
hatake_oci_spec_check_sysctls (const char * const  *sysctls,
                               gboolean             host_network,
                               gboolean             host_ipc,
                               GError             **error)
{
  static const char * const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                      "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
                                      NULL };

  for (guint i = 0; sysctls != NULL && sysctls[i] != NULL; i++)
    {
      const char *eq = strchr (sysctls[i], '=');
      g_autofree char *key = eq ? g_strndup (sysctls[i], eq - sysctls[i]) : g_strdup (sysctls[i]);

      if (eq == NULL || *key == '\0')
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, _("sysctl '%s' is not KEY=VALUE"), sysctls[i]);
          return FALSE;
        }
      if (g_str_has_prefix (key, "net."))
        {
          if (host_network)
            {
              g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
                           _("sysctl '%s' is not allowed on the host's network: it would change the host's"), key);
              return FALSE;
            }
          continue;
        }
      if ((g_str_has_prefix (key, "fs.mqueue.") || g_strv_contains (ipc, key)) && host_ipc)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
                       _("sysctl '%s' is not allowed with the host's IPC namespace: it would change the host's"), key);
          return FALSE;
        }
      if (g_str_has_prefix (key, "fs.mqueue.") || g_strv_contains (ipc, key))
        continue;
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
                   _("sysctl '%s' is not allowed: it is not in the container's namespaces (only net.*, "
                     "fs.mqueue.*, kernel.msg*, kernel.sem and kernel.shm* are)"), key);
      return FALSE;
    }
  return TRUE;
}

GStrv
hatake_oci_spec_capabilities (const char * const  *cap_add,
                              const char * const  *cap_drop,
                              gboolean             privileged,
                              GError             **error)
{
  g_autoptr(GPtrArray) adds = NULL;
  g_autoptr(GPtrArray) drops = NULL;
  g_autoptr(GPtrArray) caps = g_ptr_array_new_with_free_func (g_free);
  const char * const *add;
  const char * const *drop;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Checked even when privileged, so a typo is reported whatever the other flags. */
  adds = normalize_capabilities (cap_add, error);
  if (adds == NULL)
    return NULL;
  drops = normalize_capabilities (cap_drop, error);
  if (drops == NULL)
    return NULL;
  add = (const char * const *) adds->pdata;
  drop = (const char * const *) drops->pdata;

  /* A capability the engine itself cannot have (root without it in its bounding set, as on
   * this machine without CAP_SYS_RESOURCE) cannot be given: "all" means all the engine has, as
   * podman does; asked for by name, it is an error that says so (crun would only say "capset:
   * Operation not permitted"). */
  for (guint i = 0; add[i] != NULL; i++)
    if (!g_str_equal (add[i], "ALL") && !_hatake_oci_spec_engine_has_capability (add[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("%s cannot be given to a container: the engine does not have it (it is not in "
                       "the engine's capability bounding set)"), add[i]);
        return NULL;
      }

  if (privileged)
    {
      for (guint i = 0; all_capabilities[i] != NULL; i++)
        if (_hatake_oci_spec_engine_has_capability (all_capabilities[i]))
          add_unique (caps, all_capabilities[i]);
    }
  else if (g_strv_contains (add, "ALL"))
    {
      for (guint i = 0; all_capabilities[i] != NULL; i++)
        if (!g_strv_contains (drop, all_capabilities[i]) && _hatake_oci_spec_engine_has_capability (all_capabilities[i]))
          add_unique (caps, all_capabilities[i]);
    }
  else if (g_strv_contains (drop, "ALL"))
    {
      for (guint i = 0; add[i] != NULL; i++)
        add_unique (caps, add[i]);
    }
  else
    {
      for (guint i = 0; default_capabilities[i] != NULL; i++)
        if (!g_strv_contains (drop, default_capabilities[i]))
          add_unique (caps, default_capabilities[i]);
      for (guint i = 0; add[i] != NULL; i++)
        add_unique (caps, add[i]);
    }
  g_ptr_array_add (caps, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&caps), FALSE);
}

/* ---- seccomp --------------------------------------------------------------------------------- */

static gboolean
kernel_at_least (const char *min_kernel)
{
  struct utsname u;
  guint want_major = 0, want_minor = 0, major = 0, minor = 0;

  if (min_kernel == NULL || min_kernel[0] == '\0')
    return TRUE;
  if (sscanf (min_kernel, "%u.%u", &want_major, &want_minor) < 1)
    return TRUE;
  if (uname (&u) < 0 || sscanf (u.release, "%u.%u", &major, &minor) < 1)
    return TRUE;
  return major > want_major || (major == want_major && minor >= want_minor);
}

/* Whether a rule's includes (want TRUE) or excludes (want FALSE) let it through. */
static gboolean
seccomp_filter_passes (JsonObject         *filter,
                       gboolean            includes,
                       const char * const *caps)
{
  g_autoptr(GPtrArray) arches = json_string_list (filter, "arches");
  g_autoptr(GPtrArray) fcaps = json_string_list (filter, "caps");
  const char *min_kernel = json_string_member (filter, "minKernel");
  gboolean arch_listed = FALSE;

  for (guint i = 0; i < arches->len; i++)
    arch_listed |= strcmp (g_ptr_array_index (arches, i), HOST_GOARCH) == 0;

  if (includes)
    {
      if (arches->len > 0 && !arch_listed)
        return FALSE;
      for (guint i = 0; i < fcaps->len; i++)
        if (!strv_contains (caps, g_ptr_array_index (fcaps, i)))
          return FALSE;
      if (min_kernel != NULL && !kernel_at_least (min_kernel))
        return FALSE;
    }
  else
    {
      if (arch_listed)
        return FALSE;
      for (guint i = 0; i < fcaps->len; i++)
        if (strv_contains (caps, g_ptr_array_index (fcaps, i)))
          return FALSE;
      if (min_kernel != NULL && min_kernel[0] != '\0' && kernel_at_least (min_kernel))
        return FALSE;
    }
  return TRUE;
}

static JsonNode *
profile_error (GError    **error,
               const char *why)
{
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
               _("Invalid seccomp profile: %s"), why);
  return NULL;
}

JsonNode *
hatake_oci_seccomp_from_profile (JsonNode            *profile,
                                 const char * const  *capabilities,
                                 GError             **error)
{
  g_autoptr(JsonObject) out = json_object_new ();
  g_autoptr(GPtrArray) architectures = NULL;
  JsonArray *arches = json_array_new ();
  JsonArray *syscalls = json_array_new ();
  JsonObject *in;
  JsonNode *node;
  const char *default_action;

  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  json_object_set_array_member (out, "architectures", arches);
  json_object_set_array_member (out, "syscalls", syscalls);

  if (!JSON_NODE_HOLDS_OBJECT (profile))
    return profile_error (error, _("not a JSON object"));
  in = json_node_get_object (profile);
  default_action = json_string_member (in, "defaultAction");
  if (default_action == NULL)
    return profile_error (error, _("no defaultAction"));
  json_object_set_string_member (out, "defaultAction", default_action);
  node = json_object_get_member (in, "defaultErrnoRet");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    json_object_set_int_member (out, "defaultErrnoRet", json_node_get_int (node));
  node = json_object_get_member (in, "flags");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    json_object_set_member (out, "flags", json_node_copy (node));

  architectures = json_string_list (in, "architectures");
  node = json_object_get_member (in, "archMap");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) > 0)
    {
      JsonArray *map = json_node_get_array (node);

      if (architectures->len > 0)
        return profile_error (error, _("both architectures and archMap are set"));
      for (guint i = 0; i < json_array_get_length (map); i++)
        {
          JsonNode *e = json_array_get_element (map, i);
          g_autoptr(GPtrArray) subs = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (e)
              || g_strcmp0 (json_string_member (json_node_get_object (e), "architecture"),
                            HOST_SCMP_ARCH) != 0)
            continue;
          json_array_add_string_element (arches, HOST_SCMP_ARCH);
          subs = json_string_list (json_node_get_object (e), "subArchitectures");
          for (guint j = 0; j < subs->len; j++)
            json_array_add_string_element (arches, g_ptr_array_index (subs, j));
        }
    }
  else
    {
      for (guint i = 0; i < architectures->len; i++)
        json_array_add_string_element (arches, g_ptr_array_index (architectures, i));
    }

  node = json_object_get_member (in, "syscalls");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *rules = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (rules); i++)
        {
          JsonNode *e = json_array_get_element (rules, i);
          g_autoptr(GPtrArray) names = NULL;
          JsonObject *rule, *filter, *call;
          const char *action, *name;
          JsonNode *args, *errno_ret;

          if (!JSON_NODE_HOLDS_OBJECT (e))
            return profile_error (error, _("a syscalls entry is not an object"));
          rule = json_node_get_object (e);
          action = json_string_member (rule, "action");
          if (action == NULL)
            return profile_error (error, _("a syscalls entry has no action"));
          names = json_string_list (rule, "names");
          name = json_string_member (rule, "name");
          if (name != NULL && names->len == 0)
            g_ptr_array_add (names, (gpointer) name);
          if (names->len == 0)
            continue;
          filter = hatake_json_object_member (rule, "includes");
          if (filter != NULL && !seccomp_filter_passes (filter, TRUE, capabilities))
            continue;
          filter = hatake_json_object_member (rule, "excludes");
          if (filter != NULL && !seccomp_filter_passes (filter, FALSE, capabilities))
            continue;

          call = json_object_new ();
          json_object_set_array_member (call, "names", ptr_string_array (names));
          json_object_set_string_member (call, "action", action);
          args = json_object_get_member (rule, "args");
          if (args != NULL && JSON_NODE_HOLDS_ARRAY (args)
              && json_array_get_length (json_node_get_array (args)) > 0)
            json_object_set_member (call, "args", json_node_copy (args));
          errno_ret = json_object_get_member (rule, "errnoRet");
          if (errno_ret != NULL && JSON_NODE_HOLDS_VALUE (errno_ret))
            json_object_set_int_member (call, "errnoRet", json_node_get_int (errno_ret));
          json_array_add_object_element (syscalls, call);
        }
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, g_steal_pointer (&out));
  return node;
}

static JsonNode *
load_seccomp (const char          *path,
              const char * const  *capabilities,
              GError             **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST,
                   _("Cannot load the seccomp profile “%s”: %s"), path, local_error->message);
      return NULL;
    }
  return hatake_oci_seccomp_from_profile (json_parser_get_root (parser), capabilities, error);
}

/* ---- command, environment, volumes ---------------------------------------------------------- */

const char *
hatake_oci_spec_user_spec (JsonObject                *image_config,
                           const HatakeContainerSpec *spec)
{
  const char *user;

  g_return_val_if_fail (spec != NULL, "");

  if (spec->user != NULL)
    return spec->user;
  user = json_string_member (image_config, "User");
  return user != NULL ? user : "";
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  /* g_ptr_array_sort() hands pointers to the elements. */
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GStrv
hatake_oci_spec_image_volumes (JsonObject  *image_config,
                               GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  JsonNode *node;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  node = image_config != NULL ? json_object_get_member (image_config, "Volumes") : NULL;
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) members = json_object_get_members (json_node_get_object (node));

      for (GList *l = members; l != NULL; l = l->next)
        {
          char *clean = hatake_oci_spec_clean_path (l->data);

          if (clean == NULL || strcmp (clean, "/") == 0)
            {
              g_free (clean);
              g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER,
                           _("The image declares the volume “%s”, which is not a directory "
                             "inside the container"), (const char *) l->data);
              return NULL;
            }
          if (g_ptr_array_find_with_equal_func (out, clean, g_str_equal, NULL))
            g_free (clean);
          else
            g_ptr_array_add (out, clean);
        }
    }
  g_ptr_array_sort (out, compare_strings);
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static char *
env_key (const char *entry)
{
  const char *eq = strchr (entry, '=');

  return eq != NULL ? g_strndup (entry, eq - entry) : g_strdup (entry);
}

/* Replaces entries of env with the same key in place, else appends; a bare "KEY" removes. */
static void
env_replace_or_append (GPtrArray  *env,
                       const char *entry)
{
  g_autofree char *key = env_key (entry);
  gboolean unset = strchr (entry, '=') == NULL;

  for (guint i = 0; i < env->len; i++)
    {
      g_autofree char *k = env_key (g_ptr_array_index (env, i));

      if (strcmp (k, key) != 0)
        continue;
      if (unset)
        g_ptr_array_remove_index (env, i);
      else
        {
          g_free (env->pdata[i]);
          env->pdata[i] = g_strdup (entry);
        }
      return;
    }
  if (!unset)
    g_ptr_array_add (env, g_strdup (entry));
}

static GPtrArray *
build_env (JsonObject                *image_config,
           const HatakeContainerSpec *spec,
           const char                *hostname,
           const char                *home,
           GError                   **error)
{
  g_autoptr(GPtrArray) image_env = json_string_list (image_config, "Env");
  g_autoptr(GPtrArray) config_env = g_ptr_array_new ();
  g_autoptr(GPtrArray) user_keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  gboolean has_home = FALSE;

  for (guint i = 0; spec->env != NULL && spec->env[i] != NULL; i++)
    {
      if (spec->env[i][0] == '=' || spec->env[i][0] == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("invalid environment variable: “%s”"), spec->env[i]);
          return NULL;
        }
      g_ptr_array_add (config_env, (gpointer) spec->env[i]);
      g_ptr_array_add (user_keys, env_key (spec->env[i]));
    }
  /* Docker's merge(): the user's variables first, then the image's that they do not name. */
  for (guint i = 0; i < image_env->len; i++)
    {
      const char *entry = g_ptr_array_index (image_env, i);
      g_autofree char *key = env_key (entry);

      if (key[0] == '\0')
        continue;
      if (!g_ptr_array_find_with_equal_func (user_keys, key, g_str_equal, NULL))
        g_ptr_array_add (config_env, (gpointer) entry);
    }

  /* Then CreateDaemonEnvironment(): PATH, HOSTNAME and TERM, overridden in place. */
  g_ptr_array_add (env, g_strdup ("PATH=" HATAKE_OCI_DEFAULT_PATH_ENV));
  g_ptr_array_add (env, g_strconcat ("HOSTNAME=", hostname, NULL));
  if (spec->tty)
    g_ptr_array_add (env, g_strdup ("TERM=xterm"));
  for (guint i = 0; i < config_env->len; i++)
    env_replace_or_append (env, g_ptr_array_index (config_env, i));

  /* What runc and crun do when the image sets no HOME, done here so inspect shows it. */
  for (guint i = 0; i < env->len && !has_home; i++)
    has_home = g_str_has_prefix (g_ptr_array_index (env, i), "HOME=");
  if (!has_home)
    g_ptr_array_add (env, g_strconcat ("HOME=", home != NULL ? home : "/", NULL));
  return g_steal_pointer (&env);
}

/* Docker's merge() for Entrypoint and Cmd, then entrypoint + cmd. */
static GPtrArray *
build_args (JsonObject                *image_config,
            const HatakeContainerSpec *spec,
            GError                   **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GPtrArray) image_entrypoint = json_string_list (image_config, "Entrypoint");
  g_autoptr(GPtrArray) image_cmd = json_string_list (image_config, "Cmd");
  const char * const *entrypoint = spec->entrypoint;
  guint n_entrypoint = strv_len0 (entrypoint);
  guint n_cmd = strv_len0 (spec->cmd);

  /* The docker CLI sends --entrypoint "" as [""]: a cleared entrypoint. */
  if (n_entrypoint == 1 && entrypoint[0][0] == '\0')
    n_entrypoint = 0;

  if (n_entrypoint == 0)
    {
      if (n_cmd == 0)
        g_ptr_array_extend (args, image_cmd, NULL, NULL);
      else
        for (guint i = 0; i < n_cmd; i++)
          g_ptr_array_add (args, (gpointer) spec->cmd[i]);
      if (entrypoint == NULL)
        for (guint i = image_entrypoint->len; i > 0; i--)
          g_ptr_array_insert (args, 0, g_ptr_array_index (image_entrypoint, i - 1));
    }
  else
    {
      for (guint i = 0; i < n_entrypoint; i++)
        g_ptr_array_add (args, (gpointer) entrypoint[i]);
      for (guint i = 0; i < n_cmd; i++)
        g_ptr_array_add (args, (gpointer) spec->cmd[i]);
    }

  if (args->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("no command specified"));
      return NULL;
    }
  if (spec->init)
    {
      g_ptr_array_insert (args, 0, "--");
      g_ptr_array_insert (args, 0, HATAKE_OCI_INIT_DESTINATION);
    }
  return g_steal_pointer (&args);
}

static char *
build_cwd (JsonObject                *image_config,
           const HatakeContainerSpec *spec,
           GError                   **error)
{
  const char *dir;
  gboolean from_image = FALSE;
  char *clean;

  dir = spec->working_dir;
  if (dir == NULL || dir[0] == '\0')
    {
      dir = json_string_member (image_config, "WorkingDir");
      from_image = TRUE;
    }
  if (dir == NULL || dir[0] == '\0')
    return g_strdup ("/");
  clean = hatake_oci_spec_clean_path (dir);
  if (clean != NULL)
    return clean;
  if (from_image)
    g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER,
                 _("The image's working directory “%s” is not an absolute path inside the container"),
                 dir);
  else if (dir[0] != '/')
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("the working directory “%s” is invalid, it needs to be an absolute path"), dir);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("the working directory “%s” climbs out of the container's root"), dir);
  return NULL;
}

/* ---- mounts ---------------------------------------------------------------------------------- */

typedef struct
{
  char       *destination;  /* clean */
  JsonObject *object;
} PendingMount;

static void
pending_mount_free (gpointer data)
{
  PendingMount *m = data;

  g_free (m->destination);
  json_object_unref (m->object);
  g_free (m);
}

static JsonObject *
mount_object (const char         *destination,
              const char         *type,
              const char         *source,
              const char * const *options)
{
  JsonObject *m = json_object_new ();

  json_object_set_string_member (m, "destination", destination);
  json_object_set_string_member (m, "type", type);
  json_object_set_string_member (m, "source", source);
  json_object_set_array_member (m, "options", string_array (options, strv_len0 (options)));
  return m;
}

static void
add_pending (GPtrArray  *pending,
             const char *destination,
             JsonObject *object)
{
  PendingMount *m = g_new0 (PendingMount, 1);

  m->destination = g_strdup (destination);
  m->object = object;
  g_ptr_array_add (pending, m);
}

static gboolean
pending_has (GPtrArray  *pending,
             const char *destination)
{
  for (guint i = 0; i < pending->len; i++)
    if (strcmp (((PendingMount *) g_ptr_array_index (pending, i))->destination, destination) == 0)
      return TRUE;
  return FALSE;
}

static gint
compare_depth (gconstpointer a,
               gconstpointer b)
{
  const PendingMount *ma = *(PendingMount * const *) a;
  const PendingMount *mb = *(PendingMount * const *) b;
  guint da = path_depth (ma->destination);
  guint db = path_depth (mb->destination);

  return da < db ? -1 : da > db ? 1 : 0;
}

static gboolean
valid_propagation (const char *p)
{
  static const char * const known[] = { "rprivate", "private", "rshared", "shared", "rslave",
                                        "slave", NULL };

  return g_strv_contains (known, p);
}

static gboolean
add_user_mounts (GPtrArray                 *pending,
                 const HatakeContainerSpec *spec,
                 GError                   **error)
{
  for (guint i = 0; i < spec->n_mounts; i++)
    {
      const HatakeMount *m = &spec->mounts[i];
      g_autofree char *dest = NULL;
      g_autoptr(GPtrArray) options = g_ptr_array_new_with_free_func (g_free);
      const char *type = "bind";
      const char *source = m->source;

      dest = m->destination != NULL ? hatake_oci_spec_clean_path (m->destination) : NULL;
      if (dest == NULL || strcmp (dest, "/") == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("invalid mount destination “%s”: it must be an absolute path inside the "
                         "container, other than “/”"), m->destination ? m->destination : "");
          return FALSE;
        }
      if (pending_has (pending, dest))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Duplicate mount point: %s"), dest);
          return FALSE;
        }

      switch (m->type)
        {
        case HATAKE_MOUNT_BIND:
        case HATAKE_MOUNT_VOLUME:
          if (source == NULL || !g_path_is_absolute (source))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("invalid mount source “%s” for “%s”: it must be an absolute host path"),
                           source ? source : "", dest);
              return FALSE;
            }
          if (m->propagation != NULL && !valid_propagation (m->propagation))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("invalid mount propagation “%s” for “%s”"), m->propagation, dest);
              return FALSE;
            }
          g_ptr_array_add (options, g_strdup ("rbind"));
          g_ptr_array_add (options, g_strdup (m->type == HATAKE_MOUNT_BIND && m->propagation
                                              ? m->propagation : "rprivate"));
          if (m->read_only)
            g_ptr_array_add (options, g_strdup ("ro"));
          for (guint f = 0; m->type == HATAKE_MOUNT_VOLUME && m->flags != NULL && m->flags[f] != NULL; f++)
            g_ptr_array_add (options, g_strdup (m->flags[f]));
          break;
        case HATAKE_MOUNT_TMPFS:
          type = "tmpfs";
          source = "tmpfs";
          g_ptr_array_add (options, g_strdup ("nosuid"));
          g_ptr_array_add (options, g_strdup ("nodev"));
          g_ptr_array_add (options, g_strdup ("noexec"));
          if (m->tmpfs_size > 0)
            g_ptr_array_add (options, g_strdup_printf ("size=%" G_GUINT64_FORMAT, m->tmpfs_size));
          g_ptr_array_add (options, g_strdup_printf ("mode=%o", m->tmpfs_mode ? m->tmpfs_mode : 01777));
          if (m->read_only)
            g_ptr_array_add (options, g_strdup ("ro"));
          break;
        default:
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("unknown mount type %d for “%s”"), (int) m->type, dest);
          return FALSE;
        }
      g_ptr_array_add (options, NULL);
      add_pending (pending, dest, mount_object (dest, type, source,
                                                (const char * const *) options->pdata));
    }
  return TRUE;
}

static JsonArray *
build_mounts (const HatakeContainerSpec *spec,
              GError                   **error)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (pending_mount_free);
  g_autoptr(JsonArray) mounts = json_array_new ();
  const struct { const char *path; const char *destination; } net_files[] = {
    { spec->resolv_conf_path, "/etc/resolv.conf" },
    { spec->hostname_path, "/etc/hostname" },
    { spec->hosts_path, "/etc/hosts" },
  };
  g_autofree char *shm_size = NULL;  /* --shm-size's option */

  if (!add_user_mounts (pending, spec, error))
    return NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (net_files); i++)
    {
      const char *options[] = { "rbind", "rprivate", spec->read_only ? "ro" : NULL, NULL };

      if (net_files[i].path == NULL || pending_has (pending, net_files[i].destination))
        continue;
      add_pending (pending, net_files[i].destination,
                   mount_object (net_files[i].destination, "bind", net_files[i].path, options));
    }

  /* Parents before children, as docker sorts them; the sort is stable. */
  g_ptr_array_sort (pending, compare_depth);

  shm_size = spec->shm_size > 0 ? g_strdup_printf ("size=%" G_GINT64_FORMAT, spec->shm_size) : NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (default_mounts); i++)
    {
      const DefaultMount *d = &default_mounts[i];
      g_autoptr(GPtrArray) options = g_ptr_array_new ();

      if (pending_has (pending, d->destination))
        continue;
      /* --ipc host: the host's /dev/shm, as docker bind-mounts it (its size is the host's) */
      if (spec->host_ipc && strcmp (d->source, "shm") == 0)
        {
          const char * const shm[] = { "rbind", "rprivate", "nosuid", "noexec", "nodev", NULL };

          json_array_add_object_element (mounts, mount_object (d->destination, "bind", "/dev/shm", shm));
          continue;
        }
      for (guint j = 0; d->options[j] != NULL; j++)
        {
          /* Privileged containers get a writable /sys and cgroup tree, as in docker. */
          if (spec->privileged && strcmp (d->options[j], "ro") == 0
              && (strcmp (d->type, "sysfs") == 0 || strcmp (d->type, "cgroup") == 0))
            continue;
          /* --shm-size */
          if (shm_size != NULL && strcmp (d->source, "shm") == 0 && g_str_has_prefix (d->options[j], "size="))
            {
              g_ptr_array_add (options, shm_size);
              continue;
            }
          g_ptr_array_add (options, (gpointer) d->options[j]);
        }
      g_ptr_array_add (options, NULL);
      json_array_add_object_element (mounts, mount_object (d->destination, d->type, d->source,
                                                           (const char * const *) options->pdata));
    }
  for (guint i = 0; i < pending->len; i++)
    json_array_add_object_element (mounts,
                                   json_object_ref (((PendingMount *) g_ptr_array_index (pending, i))->object));

  if (spec->init)
    {
      const char *init_path = spec->init_path ? spec->init_path : HATAKE_OCI_DEFAULT_INIT;
      const char * const options[] = { "bind", "ro", NULL };

      if (!g_file_test (init_path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("--init needs “%s”, which is missing (Debian package tini)"), init_path);
          return NULL;
        }
      json_array_add_object_element (mounts, mount_object (HATAKE_OCI_INIT_DESTINATION, "bind",
                                                           init_path, options));
    }
  return g_steal_pointer (&mounts);
}

/* ---- linux -------------------------------------------------------------------------------------- */

JsonObject *
hatake_oci_spec_limits (gint64      memory,
                        gint64      memory_swap,
                        gint64      cpu_shares,
                        double      cpus,
                        const char *cpuset_cpus,
                        const char *cpuset_mems,
                        gint64      pids_limit,
                        GError    **error)
{
  g_autoptr(JsonObject) resources = json_object_new ();
  gint64 swap = memory_swap;
  JsonObject *cpu = NULL;

  if (memory < 0 || (memory > 0 && memory < MIN_MEMORY))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Minimum memory limit allowed is 6MB"));
      return NULL;
    }
  if (swap != 0 && swap != -1 && memory == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("You should always set the Memory limit when using Memoryswap limit"));
      return NULL;
    }
  if (swap < -1 || (swap > 0 && swap < memory))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Minimum memoryswap limit should be larger than memory limit"));
      return NULL;
    }
  if (memory > 0)
    {
      JsonObject *jmemory = json_object_new ();

      json_object_set_int_member (jmemory, "limit", memory);
      json_object_set_int_member (jmemory, "swap", swap == 0 ? memory * 2 : swap);
      json_object_set_object_member (resources, "memory", jmemory);
    }

  if (cpus != 0)
    {
      guint n_cpus = g_get_num_processors ();

      if (!(cpus >= 0.01 && cpus <= (double) n_cpus))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Range of CPUs is from 0.01 to %u.00, as there are only %u CPUs available"),
                       n_cpus, n_cpus);
          return NULL;
        }
    }
  if (!hatake_oci_spec_check_cpuset (cpuset_cpus, cpuset_mems, error))
    return NULL;
  if (cpus != 0 || cpu_shares > 0 || (cpuset_cpus != NULL && *cpuset_cpus != '\0') ||
      (cpuset_mems != NULL && *cpuset_mems != '\0'))
    {
      cpu = json_object_new ();
      json_object_set_object_member (resources, "cpu", cpu);
    }
  if (cpus != 0)
    {
      json_object_set_int_member (cpu, "quota", (gint64) llround (cpus * CPU_PERIOD));
      json_object_set_int_member (cpu, "period", CPU_PERIOD);
    }
  /* (the runtime turns shares into cgroup v2's weight; the kernel takes 2 to 262144) */
  if (cpu_shares > 0)
    json_object_set_int_member (cpu, "shares", CLAMP (cpu_shares, 2, 262144));
  if (cpuset_cpus != NULL && *cpuset_cpus != '\0')
    json_object_set_string_member (cpu, "cpus", cpuset_cpus);
  if (cpuset_mems != NULL && *cpuset_mems != '\0')
    json_object_set_string_member (cpu, "mems", cpuset_mems);

  if (pids_limit > 0)
    {
      JsonObject *pids = json_object_new ();

      json_object_set_int_member (pids, "limit", pids_limit);
      json_object_set_object_member (resources, "pids", pids);
    }
  return g_steal_pointer (&resources);
}

static JsonObject *
build_resources (const HatakeContainerSpec *spec,
                 GError                   **error)
{
  g_autoptr(JsonObject) resources = hatake_oci_spec_limits (spec->memory, spec->memory_swap, spec->cpu_shares, spec->cpus,
                                                            spec->cpuset_cpus, spec->cpuset_mems, spec->pids_limit,
                                                            error);

  if (resources == NULL)
    return NULL;
  if (spec->privileged)
    {
      JsonArray *devices = json_array_new ();
      JsonObject *all = json_object_new ();

      json_object_set_boolean_member (all, "allow", TRUE);
      json_object_set_string_member (all, "access", "rwm");
      json_array_add_object_element (devices, all);
      json_object_set_array_member (resources, "devices", devices);
    }
  return g_steal_pointer (&resources);
}

static JsonArray *
build_namespaces (const HatakeContainerSpec *spec)
{
  JsonArray *namespaces = json_array_new ();
  static const char * const types[] = { "pid", "ipc", "uts", "mount" };
  const gboolean shared[] = { spec->host_pid, spec->host_ipc, spec->host_uts, FALSE };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      JsonObject *ns;

      /* (left out: the runtime's process stays in the host's, which it is in) */
      if (shared[i])
        continue;
      ns = json_object_new ();
      json_object_set_string_member (ns, "type", types[i]);
      json_array_add_object_element (namespaces, ns);
    }
  if (!spec->host_network)
    {
      JsonObject *ns = json_object_new ();

      json_object_set_string_member (ns, "type", "network");
      if (spec->netns_path != NULL)
        json_object_set_string_member (ns, "path", spec->netns_path);
      json_array_add_object_element (namespaces, ns);
    }
  return namespaces;
}

static const struct { int resource; const char *type; } rlimit_types[] = {
  { RLIMIT_AS, "RLIMIT_AS" }, { RLIMIT_CORE, "RLIMIT_CORE" }, { RLIMIT_CPU, "RLIMIT_CPU" },
  { RLIMIT_DATA, "RLIMIT_DATA" }, { RLIMIT_FSIZE, "RLIMIT_FSIZE" }, { RLIMIT_LOCKS, "RLIMIT_LOCKS" },
  { RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK" }, { RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE" }, { RLIMIT_NICE, "RLIMIT_NICE" },
  { RLIMIT_NOFILE, "RLIMIT_NOFILE" }, { RLIMIT_NPROC, "RLIMIT_NPROC" }, { RLIMIT_RSS, "RLIMIT_RSS" },
  { RLIMIT_RTPRIO, "RLIMIT_RTPRIO" }, { RLIMIT_RTTIME, "RLIMIT_RTTIME" },
  { RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING" }, { RLIMIT_STACK, "RLIMIT_STACK" },
};

gboolean
hatake_oci_spec_check_ulimits (const char * const  *ulimits,
                               GError             **error)
{
  /* (with CAP_SYS_RESOURCE, the runtime it starts may raise hard limits) */
  gboolean may_raise = _hatake_oci_spec_engine_has_capability ("CAP_SYS_RESOURCE");

  for (guint i = 0; ulimits != NULL && ulimits[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      const char *type;
      gint64 soft, hard;

      if (!hatake_ulimit_parse (ulimits[i], &type, &soft, &hard, &local_error))
        {
          g_set_error_literal (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, local_error->message);
          return FALSE;
        }
      /* (the OCI spec's limits are unsigned 64-bit numbers, beyond what JSON-GLib writes) */
      if (soft == -1 || hard == -1)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, _("--ulimit %s: unlimited (-1) is not supported yet"),
                       ulimits[i]);
          return FALSE;
        }
      for (gsize j = 0; !may_raise && j < G_N_ELEMENTS (rlimit_types); j++)
        {
          struct rlimit rl;

          if (!g_str_equal (rlimit_types[j].type, type) || getrlimit (rlimit_types[j].resource, &rl) != 0 ||
              rl.rlim_max == RLIM_INFINITY || (guint64) hard <= (guint64) rl.rlim_max)
            continue;
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
                       _("--ulimit %s: above the engine's own hard limit (%" G_GUINT64_FORMAT "), which it may not "
                         "raise (no CAP_SYS_RESOURCE)"), ulimits[i], (guint64) rl.rlim_max);
          return FALSE;
        }
    }
  return TRUE;
}

static JsonArray *
build_rlimits (const char * const *ulimits)
{
  JsonArray *rlimits = json_array_new ();
  const struct { int resource; const char *name; } wanted[] = {
    { RLIMIT_NOFILE, "RLIMIT_NOFILE" },
    { RLIMIT_NPROC, "RLIMIT_NPROC" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (wanted); i++)
    {
      struct rlimit rl;
      guint64 value = HATAKE_OCI_DEFAULT_RLIMIT;
      JsonObject *o;

      /* Without CAP_SYS_RESOURCE the runtime cannot raise a hard limit: asking above ours fails
       * every start (MACHINE-NOTES.md). */
      if (getrlimit (wanted[i].resource, &rl) == 0 && rl.rlim_max != RLIM_INFINITY
          && (guint64) rl.rlim_max < value)
        value = rl.rlim_max;
      o = json_object_new ();
      json_object_set_string_member (o, "type", wanted[i].name);
      json_object_set_int_member (o, "hard", (gint64) value);
      json_object_set_int_member (o, "soft", (gint64) value);
      json_array_add_object_element (rlimits, o);
    }
  /* --ulimit, over those (checked at create) */
  for (guint i = 0; ulimits != NULL && ulimits[i] != NULL; i++)
    {
      const char *type;
      gint64 soft, hard;
      JsonObject *o = NULL;

      if (!hatake_ulimit_parse (ulimits[i], &type, &soft, &hard, NULL))
        continue;
      for (guint j = 0; j < json_array_get_length (rlimits) && o == NULL; j++)
        if (g_str_equal (json_object_get_string_member (json_array_get_object_element (rlimits, j), "type"), type))
          o = json_array_get_object_element (rlimits, j);
      if (o == NULL)
        {
          o = json_object_new ();
          json_object_set_string_member (o, "type", type);
          json_array_add_object_element (rlimits, o);
        }
      json_object_set_int_member (o, "hard", hard);
      json_object_set_int_member (o, "soft", soft);
    }
  return rlimits;
}

/* ---- the whole --------------------------------------------------------------------------------- */

JsonNode *
hatake_oci_spec_build (JsonObject                 *image_config,
                       const HatakeContainerSpec  *spec,
                       const HatakeUser           *user,
                       GError                    **error)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) env = NULL;
  g_autoptr(JsonArray) mounts = NULL;
  g_autoptr(JsonObject) resources = NULL;
  g_autoptr(JsonArray) devices = NULL;
  g_autoptr(JsonNode) seccomp = NULL;
  g_auto(GStrv) volumes = NULL;
  g_auto(GStrv) caps = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *default_hostname = NULL;
  JsonObject *process, *juser, *jcaps, *jroot, *jlinux, *annotations;
  const char *hostname;
  const char *stop_signal;
  JsonNode *node;
  guint n_caps;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->rootfs != NULL && g_path_is_absolute (spec->rootfs), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  volumes = hatake_oci_spec_image_volumes (image_config, error);
  if (volumes == NULL)
    return NULL;
  args = build_args (image_config, spec, error);
  if (args == NULL)
    return NULL;
  cwd = build_cwd (image_config, spec, error);
  if (cwd == NULL)
    return NULL;
  caps = hatake_oci_spec_capabilities (spec->cap_add, spec->cap_drop, spec->privileged, error);
  if (caps == NULL)
    return NULL;
  if (!hatake_oci_spec_check_sysctls (spec->sysctls, spec->host_network, spec->host_ipc, error) ||
      !hatake_oci_spec_check_oom_score_adj (spec->oom_score_adj, error))
    return NULL;
  n_caps = g_strv_length (caps);

  hostname = spec->hostname;
  if (hostname == NULL || hostname[0] == '\0')
    {
      default_hostname = g_strndup (spec->id != NULL ? spec->id : "", 12);
      hostname = default_hostname;
    }
  env = build_env (image_config, spec, hostname, user != NULL ? user->home : "/", error);
  if (env == NULL)
    return NULL;
  mounts = build_mounts (spec, error);
  if (mounts == NULL)
    return NULL;
  resources = build_resources (spec, error);
  if (resources == NULL)
    return NULL;
  /* (a privileged container has every device allowed already) */
  if (!spec->privileged)
    json_object_set_array_member (resources, "devices", hatake_oci_spec_default_device_rules ());
  if (spec->devices != NULL && spec->devices[0] != NULL)
    {
      g_autoptr(JsonArray) rules = NULL;
      JsonArray *all = json_object_get_array_member (resources, "devices");

      devices = hatake_oci_spec_devices (spec->devices, &rules, error);
      if (devices == NULL)
        return NULL;
      for (guint i = 0; !spec->privileged && i < json_array_get_length (rules); i++)
        json_array_add_element (all, json_node_copy (json_array_get_element (rules, i)));
    }

  if (!spec->privileged && g_strcmp0 (spec->seccomp_profile, "unconfined") != 0)
    {
      const char *profile = spec->seccomp_profile;

      if (profile == NULL && g_file_test (HATAKE_OCI_DEFAULT_SECCOMP, G_FILE_TEST_EXISTS))
        profile = HATAKE_OCI_DEFAULT_SECCOMP;
      if (profile != NULL)
        {
          seccomp = load_seccomp (profile, (const char * const *) caps, error);
          if (seccomp == NULL)
            return NULL;
        }
    }

  json_object_set_string_member (root, "ociVersion", "1.0.2");

  process = json_object_new ();
  json_object_set_boolean_member (process, "terminal", spec->tty);
  juser = json_object_new ();
  json_object_set_int_member (juser, "uid", user != NULL ? user->uid : 0);
  json_object_set_int_member (juser, "gid", user != NULL ? user->gid : 0);
  if (user != NULL && user->additional_gids != NULL && user->additional_gids->len > 0)
    {
      JsonArray *gids = json_array_new ();

      for (guint i = 0; i < user->additional_gids->len; i++)
        json_array_add_int_element (gids, g_array_index (user->additional_gids, guint32, i));
      json_object_set_array_member (juser, "additionalGids", gids);
    }
  json_object_set_object_member (process, "user", juser);
  json_object_set_array_member (process, "args", ptr_string_array (args));
  json_object_set_array_member (process, "env", ptr_string_array (env));
  json_object_set_string_member (process, "cwd", cwd);
  jcaps = json_object_new ();
  json_object_set_array_member (jcaps, "bounding", string_array ((const char * const *) caps, n_caps));
  json_object_set_array_member (jcaps, "effective", string_array ((const char * const *) caps, n_caps));
  json_object_set_array_member (jcaps, "permitted", string_array ((const char * const *) caps, n_caps));
  json_object_set_object_member (process, "capabilities", jcaps);
  json_object_set_array_member (process, "rlimits", build_rlimits (spec->ulimits));
  json_object_set_boolean_member (process, "noNewPrivileges", spec->no_new_privileges);
  json_object_set_int_member (process, "oomScoreAdj", spec->oom_score_adj);
  json_object_set_object_member (root, "process", process);

  jroot = json_object_new ();
  json_object_set_string_member (jroot, "path", spec->rootfs);
  json_object_set_boolean_member (jroot, "readonly", spec->read_only);
  json_object_set_object_member (root, "root", jroot);
  /* (runc refuses a hostname without a UTS namespace of the container's own: it would set the host's) */
  if (!spec->host_uts)
    json_object_set_string_member (root, "hostname", hostname);
  json_object_set_array_member (root, "mounts", g_steal_pointer (&mounts));

  jlinux = json_object_new ();
  json_object_set_object_member (jlinux, "resources", g_steal_pointer (&resources));
  if (spec->cgroups_path != NULL)
    json_object_set_string_member (jlinux, "cgroupsPath", spec->cgroups_path);
  json_object_set_array_member (jlinux, "namespaces", build_namespaces (spec));
  if (devices != NULL)
    json_object_set_array_member (jlinux, "devices", g_steal_pointer (&devices));
  if (!spec->privileged)
    {
      json_object_set_array_member (jlinux, "maskedPaths",
                                    string_array (masked_paths, g_strv_length ((char **) masked_paths)));
      json_object_set_array_member (jlinux, "readonlyPaths",
                                    string_array (readonly_paths, g_strv_length ((char **) readonly_paths)));
    }
  if (seccomp != NULL)
    json_object_set_member (jlinux, "seccomp", g_steal_pointer (&seccomp));
  if (spec->sysctls != NULL && spec->sysctls[0] != NULL)
    {
      JsonObject *sysctl = json_object_new ();

      for (guint i = 0; spec->sysctls[i] != NULL; i++)
        {
          const char *eq = strchr (spec->sysctls[i], '=');
          g_autofree char *key = g_strndup (spec->sysctls[i], eq - spec->sysctls[i]);

          json_object_set_string_member (sysctl, key, eq + 1);
        }
      json_object_set_object_member (jlinux, "sysctl", sysctl);
    }
  json_object_set_object_member (root, "linux", jlinux);

  stop_signal = spec->stop_signal;
  if (stop_signal == NULL || stop_signal[0] == '\0')
    stop_signal = json_string_member (image_config, "StopSignal");
  if (stop_signal == NULL || stop_signal[0] == '\0')
    stop_signal = "SIGTERM";
  annotations = json_object_new ();
  json_object_set_string_member (annotations, HATAKE_OCI_STOP_SIGNAL_ANNOTATION, stop_signal);
  json_object_set_object_member (root, "annotations", annotations);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, g_steal_pointer (&root));
  return node;
}
