/* hatake-seccomp.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hatake-digest.h"
#include "hatake-json.h"
#include "hatake-seccomp.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (scmp_filter_ctx, seccomp_release)

static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Invalid seccomp filter: %s"), why);
  return FALSE;
}

static gboolean
action_takes_errno (const char *name)
{
  return g_strcmp0 (name, "SCMP_ACT_ERRNO") == 0 || g_strcmp0 (name, "SCMP_ACT_TRACE") == 0;
}

static gboolean
parse_action (const char  *name,
              guint32      errno_ret,
              guint32     *action,
              GError     **error)
{
  static const struct { const char *name; guint32 action; } simple[] = {
    { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
    { "SCMP_ACT_KILL", SCMP_ACT_KILL },
    { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
    { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
    { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
    { "SCMP_ACT_LOG", SCMP_ACT_LOG },
    { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
  };

  if (g_strcmp0 (name, "SCMP_ACT_ERRNO") == 0)
    {
      *action = SCMP_ACT_ERRNO (errno_ret);
      return TRUE;
    }
  if (g_strcmp0 (name, "SCMP_ACT_TRACE") == 0)
    {
      *action = SCMP_ACT_TRACE (errno_ret);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (simple); i++)
    if (g_strcmp0 (name, simple[i].name) == 0)
      {
        *action = simple[i].action;
        return TRUE;
      }
  return invalid (error, _("unknown action “%s”"), name ? name : "");
}

static gboolean
parse_operator (const char      *name,
                enum scmp_compare *op,
                GError         **error)
{
  static const struct { const char *name; enum scmp_compare op; } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (g_strcmp0 (name, ops[i].name) == 0)
      {
        *op = ops[i].op;
        return TRUE;
      }
  return invalid (error, _("unknown argument operator “%s”"), name ? name : "");
}

/* errnoRet of OBJECT (EPERM when absent), refused for actions that take none */
static gboolean
parse_errno (JsonObject  *object,
             const char  *member,
             const char  *action,
             guint32     *errno_ret,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *errno_ret = EPERM;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!action_takes_errno (action))
    return invalid (error, _("%s given for action “%s”"), member, action ? action : "");
  if (json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0 ||
      json_node_get_int (node) > 0xffff)
    return invalid (error, _("%s is not an errno value"), member);
  *errno_ret = json_node_get_int (node);
  return TRUE;
}

static guint64
uint64_member (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (guint64) json_node_get_double (node);
  return (guint64) json_node_get_int (node);
}

static gboolean
add_rule (scmp_filter_ctx   ctx,
          guint32           action,
          int               nr,
          const char       *name,
          JsonArray        *args,
          GError          **error)
{
  struct scmp_arg_cmp cmp[6];
  guint n = args ? MIN (json_array_get_length (args), 6) : 0;
  guint count[6] = { 0, };
  gboolean same_index = FALSE;
  int ret;

  for (guint k = 0; k < n; k++)
    {
      JsonObject *arg = hatake_json_array_object (args, k);
      guint64 index;

      if (arg == NULL)
        return invalid (error, _("an argument of %s is not an object"), name);
      index = uint64_member (arg, "index");
      if (index >= 6)
        return invalid (error, _("argument index %" G_GUINT64_FORMAT " of %s"), index, name);
      if (++count[index] > 1)
        same_index = TRUE;
      cmp[k].arg = index;
      if (!parse_operator (json_object_get_string_member_with_default (arg, "op", NULL), &cmp[k].op, error))
        return FALSE;
      cmp[k].datum_a = uint64_member (arg, "value");
      cmp[k].datum_b = uint64_member (arg, "valueTwo");
    }

  /* comparisons on different arguments all have to hold; several on the same argument are
   * alternatives (libseccomp could not AND them), one rule each */
  if (!same_index)
    ret = seccomp_rule_add_array (ctx, action, nr, n, cmp);
  else
    {
      ret = 0;
      for (guint k = 0; k < n && ret >= 0; k++)
        ret = seccomp_rule_add_array (ctx, action, nr, 1, &cmp[k]);
    }
  if (ret < 0)
    return invalid (error, _("the rule for %s: %s"), name, g_strerror (-ret));
  return TRUE;
}

GBytes *
hatake_seccomp_compile (JsonObject  *seccomp,
                        GError     **error)
{
  g_autoptr(scmp_filter_ctx) ctx = NULL;
  const char *default_name;
  guint32 default_errno, default_action;
  JsonArray *archs, *syscalls;
  struct stat st;
  g_autofree char *data = NULL;
  ssize_t done = 0;
  int fd, ret;

  g_return_val_if_fail (seccomp != NULL, NULL);

  default_name = json_object_get_string_member_with_default (seccomp, "defaultAction", NULL);
  if (default_name == NULL)
    return invalid (error, _("no defaultAction")), NULL;
  if (!parse_errno (seccomp, "defaultErrnoRet", default_name, &default_errno, error) ||
      !parse_action (default_name, default_errno, &default_action, error))
    return NULL;
  ctx = seccomp_init (default_action);
  if (ctx == NULL)
    return invalid (error, _("libseccomp refused the default action")), NULL;

  archs = hatake_json_array_member (seccomp, "architectures");
  for (guint i = 0; archs != NULL && i < json_array_get_length (archs); i++)
    {
      const char *arch = json_array_get_string_element (archs, i);
      g_autofree char *lower = NULL;
      guint32 token;

      if (arch == NULL)
        return invalid (error, _("an architecture is not a string")), NULL;
      lower = g_ascii_strdown (g_str_has_prefix (arch, "SCMP_ARCH_") ? arch + 10 : arch, -1);
      token = seccomp_arch_resolve_name (lower);
      if (token == 0)
        return invalid (error, _("unknown architecture “%s”"), arch), NULL;
      ret = seccomp_arch_add (ctx, token);
      if (ret < 0 && ret != -EEXIST)
        return invalid (error, _("architecture “%s”: %s"), arch, g_strerror (-ret)), NULL;
    }

  syscalls = hatake_json_array_member (seccomp, "syscalls");
  for (guint i = 0; syscalls != NULL && i < json_array_get_length (syscalls); i++)
    {
      JsonObject *rule = hatake_json_array_object (syscalls, i);
      const char *action_name;
      guint32 errno_ret, action;
      JsonArray *names, *args;

      if (rule == NULL)
        return invalid (error, _("syscalls[%u] is not an object"), i), NULL;
      action_name = json_object_get_string_member_with_default (rule, "action", NULL);
      if (!parse_errno (rule, "errnoRet", action_name, &errno_ret, error) ||
          !parse_action (action_name, errno_ret, &action, error))
        return NULL;
      if (action == default_action)
        continue;
      names = hatake_json_array_member (rule, "names");
      args = hatake_json_array_member (rule, "args");
      for (guint j = 0; names != NULL && j < json_array_get_length (names); j++)
        {
          const char *name = json_array_get_string_element (names, j);
          int nr = name ? seccomp_syscall_resolve_name (name) : __NR_SCMP_ERROR;

          /* a name this libseccomp does not know: crun skips it with a warning */
          if (nr == __NR_SCMP_ERROR)
            {
              g_debug ("seccomp: unknown syscall “%s” skipped", name ? name : "");
              continue;
            }
          if (!add_rule (ctx, action, nr, name, args, error))
            return NULL;
        }
    }

  fd = memfd_create ("hatake-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "memfd_create: %s", g_strerror (saved));
      return NULL;
    }
  ret = seccomp_export_bpf (ctx, fd);
  if (ret < 0 || fstat (fd, &st) < 0 || st.st_size <= 0 || st.st_size % 8 != 0)
    {
      close (fd);
      return invalid (error, _("libseccomp could not export the program: %s"),
                      g_strerror (ret < 0 ? -ret : EINVAL)), NULL;
    }
  data = g_malloc (st.st_size);
  while (done < st.st_size)
    {
      ssize_t n = pread (fd, data + done, st.st_size - done, done);

      if (n <= 0)
        {
          if (n < 0 && errno == EINTR)
            continue;
          close (fd);
          return invalid (error, _("could not read the exported program back")), NULL;
        }
      done += n;
    }
  close (fd);
  return g_bytes_new_take (g_steal_pointer (&data), st.st_size);
}

GBytes *
hatake_seccomp_compile_cached (JsonObject  *seccomp,
                               const char  *cache_dir,
                               GError     **error)
{
  const struct scmp_version *version = seccomp_version ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  g_autofree char *keyed = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  GBytes *bpf;
  gsize len;

  g_return_val_if_fail (seccomp != NULL && cache_dir != NULL, NULL);

  json_node_set_object (node, seccomp);
  text = json_to_string (node, FALSE);
  keyed = g_strdup_printf ("libseccomp %u.%u.%u\n%s", version->major, version->minor, version->micro, text);
  digest = hatake_sha256_data (keyed, strlen (keyed));
  name = g_strconcat (strchr (digest, ':') ? strchr (digest, ':') + 1 : digest, ".bpf", NULL);
  path = g_build_filename (cache_dir, name, NULL);

  if (g_file_get_contents (path, &contents, &len, NULL) && len > 0 && len % 8 == 0)
    return g_bytes_new_take (g_steal_pointer (&contents), len);

  bpf = hatake_seccomp_compile (seccomp, error);
  if (bpf == NULL)
    return NULL;
  if (g_mkdir_with_parents (cache_dir, 0700) != 0 ||
      !g_file_set_contents_full (path, g_bytes_get_data (bpf, NULL), g_bytes_get_size (bpf),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    g_debug ("seccomp: not cached in %s: %s", cache_dir,
             local_error ? local_error->message : g_strerror (errno));
  return bpf;
}
