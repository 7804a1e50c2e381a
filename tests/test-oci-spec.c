/* test-oci-spec.c: config.json from image config and options, with docker's rules
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <sys/prctl.h>

#include <locale.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hatake-error.h"
#include "hatake-oci-spec.h"

#define ROOTFS "/var/lib/hatake/containers/abc/rootfs"
#define ID     "0123456789abcdef0123456789abcdef"

/* ---- helpers ------------------------------------------------------------------------------ */

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (json == NULL)
    return NULL;
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
spec_init (HatakeContainerSpec *spec)
{
  hatake_container_spec_init (spec);
  spec->id = ID;
  spec->rootfs = ROOTFS;
  spec->seccomp_profile = "unconfined";   /* tests of seccomp set it */
}

/* Builds, round-trips through text (what the runtime reads) and returns the object. */
static JsonObject *
build_full (const char                *image_json,
            const HatakeContainerSpec *spec,
            const HatakeUser          *user,
            GError                   **error)
{
  g_autoptr(JsonObject) image = parse_object (image_json);
  g_autoptr(JsonNode) node = hatake_oci_spec_build (image, spec, user, error);
  g_autofree char *text = NULL;

  if (node == NULL)
    return NULL;
  text = json_to_string (node, TRUE);
  return parse_object (text);
}

static JsonObject *
build (const char                *image_json,
       const HatakeContainerSpec *spec)
{
  g_autoptr(GError) error = NULL;
  JsonObject *out = build_full (image_json, spec, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

static void
build_fails (const char                *image_json,
             const HatakeContainerSpec *spec,
             GQuark                     domain,
             int                        code,
             const char                *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) out = build_full (image_json, spec, NULL, &error);

  g_assert_null (out);
  g_assert_error (error, domain, code);
  if (message_part != NULL && strstr (error->message, message_part) == NULL)
    g_error ("“%s” not in “%s”", message_part, error->message);
}

static JsonNode *
path_get (JsonObject *obj,
          const char *dotted)
{
  g_auto(GStrv) parts = g_strsplit (dotted, ".", -1);
  JsonNode *node = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (obj == NULL || !json_object_has_member (obj, parts[i]))
        return NULL;
      node = json_object_get_member (obj, parts[i]);
      obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }
  return node;
}

static char *
strv_at (JsonObject *obj,
         const char *dotted)
{
  JsonNode *node = path_get (obj, dotted);
  g_autoptr(GPtrArray) out = g_ptr_array_new ();
  JsonArray *array;

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (out, (gpointer) json_array_get_string_element (array, i));
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("|", (char **) out->pdata);
}

static gint64
int_at (JsonObject *obj,
        const char *dotted)
{
  JsonNode *node = path_get (obj, dotted);

  g_assert_nonnull (node);
  return json_node_get_int (node);
}

static const char *
string_at (JsonObject *obj,
           const char *dotted)
{
  JsonNode *node = path_get (obj, dotted);

  g_assert_nonnull (node);
  return json_node_get_string (node);
}

static const char *
stop_signal_of (JsonObject *config)
{
  JsonNode *node = path_get (config, "annotations");

  g_assert_nonnull (node);
  return json_object_get_string_member (json_node_get_object (node), HATAKE_OCI_STOP_SIGNAL_ANNOTATION);
}

static gboolean
strv_at_contains (JsonObject *obj,
                  const char *dotted,
                  const char *value)
{
  g_autofree char *joined = strv_at (obj, dotted);
  g_auto(GStrv) parts = g_strsplit (joined, "|", -1);

  return g_strv_contains ((const char * const *) parts, value);
}

static JsonObject *
find_mount (JsonObject *config,
            const char *destination)
{
  JsonArray *mounts = json_node_get_array (path_get (config, "mounts"));
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (mounts); i++)
    {
      JsonObject *m = json_array_get_object_element (mounts, i);

      if (g_strcmp0 (json_object_get_string_member (m, "destination"), destination) == 0)
        {
          g_assert_null (found);   /* each destination once */
          found = m;
        }
    }
  return found;
}

static int
mount_index (JsonObject *config,
             const char *destination)
{
  JsonArray *mounts = json_node_get_array (path_get (config, "mounts"));

  for (guint i = 0; i < json_array_get_length (mounts); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (mounts, i),
                                                  "destination"), destination) == 0)
      return i;
  return -1;
}

/* ---- command --------------------------------------------------------------------------------- */

static void
test_entrypoint_cmd (void)
{
  static const char * const ep_x[] = { "/x", NULL };
  static const char * const ep_empty[] = { NULL };
  static const char * const ep_blank[] = { "", NULL };
  static const char * const cmd_b[] = { "b", "c", NULL };
  static const char * const cmd_empty[] = { NULL };
  const char *img_both = "{\"Entrypoint\": [\"/ep\", \"-v\"], \"Cmd\": [\"a\"]}";
  const char *img_cmd = "{\"Entrypoint\": null, \"Cmd\": [\"sh\"]}";
  const char *img_ep = "{\"Entrypoint\": [\"/ep\"]}";
  const char *img_none = "{\"Cmd\": null}";
  const struct {
    const char *image;
    const char * const *entrypoint;
    const char * const *cmd;
    const char *args;       /* "|"-joined, NULL: "no command specified" */
  } cases[] = {
    { img_both, NULL, NULL, "/ep|-v|a" },
    { img_both, NULL, cmd_b, "/ep|-v|b|c" },
    { img_both, NULL, cmd_empty, "/ep|-v|a" },
    { img_both, ep_x, NULL, "/x" },                 /* --entrypoint drops the image's Cmd */
    { img_both, ep_x, cmd_b, "/x|b|c" },
    { img_both, ep_empty, NULL, "a" },              /* cleared entrypoint, image Cmd kept */
    { img_both, ep_blank, NULL, "a" },
    { img_both, ep_empty, cmd_b, "b|c" },
    { img_cmd, NULL, NULL, "sh" },
    { img_cmd, NULL, cmd_b, "b|c" },
    { img_cmd, ep_x, NULL, "/x" },
    { img_ep, NULL, NULL, "/ep" },
    { img_ep, NULL, cmd_b, "/ep|b|c" },
    { img_ep, ep_empty, NULL, NULL },
    { img_none, NULL, NULL, NULL },
    { NULL, NULL, NULL, NULL },
    { NULL, NULL, cmd_b, "b|c" },
    { NULL, ep_empty, cmd_empty, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      HatakeContainerSpec spec;

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      spec_init (&spec);
      spec.entrypoint = cases[i].entrypoint;
      spec.cmd = cases[i].cmd;
      if (cases[i].args == NULL)
        build_fails (cases[i].image, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "no command specified");
      else
        {
          g_autoptr(JsonObject) config = build (cases[i].image, &spec);
          g_autofree char *args = strv_at (config, "process.args");

          g_assert_cmpstr (args, ==, cases[i].args);
        }
    }
}

static void
test_init (void)
{
  static const char * const cmd[] = { "sleep", "1", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *tini = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *args = NULL;
  g_autofree char *options = NULL;
  HatakeContainerSpec spec;
  JsonObject *m;
  int fd;

  fd = g_file_open_tmp ("hatake-tini-XXXXXX", &tini, &error);
  g_assert_no_error (error);
  close (fd);

  spec_init (&spec);
  spec.cmd = cmd;
  spec.init = TRUE;
  spec.init_path = tini;
  config = build (NULL, &spec);
  args = strv_at (config, "process.args");
  g_assert_cmpstr (args, ==, "/sbin/docker-init|--|sleep|1");
  m = find_mount (config, "/sbin/docker-init");
  g_assert_nonnull (m);
  g_assert_cmpstr (json_object_get_string_member (m, "source"), ==, tini);
  g_assert_cmpstr (json_object_get_string_member (m, "type"), ==, "bind");
  options = strv_at (m, "options");
  g_assert_cmpstr (options, ==, "bind|ro");

  spec.init_path = "/nonexistent/tini";
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "/nonexistent/tini");
  g_unlink (tini);
}

/* ---- environment ----------------------------------------------------------------------------- */

static void
test_env_merge (void)
{
  static const char * const cmd[] = { "true", NULL };
  static const char * const env[] = { "B=3", "C=4", "A", "HOSTNAME=mine", NULL };
  static const char * const bad[] = { "=x", NULL };
  const char *image = "{\"Env\": [\"PATH=/img/bin\", \"A=1\", \"B=2\", \"D=5\"]}";
  HatakeContainerSpec spec;
  HatakeUser user = { .uid = 1000, .gid = 1000, .home = (char *) "/home/u" };

  spec_init (&spec);
  spec.cmd = cmd;
  spec.env = env;
  spec.tty = TRUE;
  spec.hostname = "h1";
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) config = build_full (image, &spec, &user, &error);
    g_autofree char *got = NULL;

    g_assert_no_error (error);
    got = strv_at (config, "process.env");
    /* Docker's order: PATH/HOSTNAME/TERM replaced in place, then the user's, then the image's
     * that the user did not name; "A" unsets; HOME from the user last. */
    g_assert_cmpstr (got, ==, "PATH=/img/bin|HOSTNAME=mine|TERM=xterm|B=3|C=4|D=5|HOME=/home/u");
    g_assert_cmpstr (string_at (config, "hostname"), ==, "h1");
    g_assert_true (json_node_get_boolean (path_get (config, "process.terminal")));
  }

  /* No image env, no tty: the default PATH, the id as hostname, HOME "/" for root. */
  spec_init (&spec);
  spec.cmd = cmd;
  {
    g_autoptr(JsonObject) config = build ("{}", &spec);
    g_autofree char *got = strv_at (config, "process.env");

    g_assert_cmpstr (got, ==, "PATH=" HATAKE_OCI_DEFAULT_PATH_ENV "|HOSTNAME=0123456789ab|HOME=/");
    g_assert_cmpstr (string_at (config, "hostname"), ==, "0123456789ab");
    g_assert_false (json_node_get_boolean (path_get (config, "process.terminal")));
  }

  /* The image's HOME wins over the user's. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) config = build_full ("{\"Env\": [\"HOME=/data\"]}", &spec, &user, &error);
    g_autofree char *got = strv_at (config, "process.env");

    g_assert_cmpstr (got, ==, "PATH=" HATAKE_OCI_DEFAULT_PATH_ENV "|HOSTNAME=0123456789ab|HOME=/data");
  }

  spec.env = bad;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "=x");
}

/* ---- user, working dir ----------------------------------------------------------------------- */

static void
test_user (void)
{
  static const char * const cmd[] = { "id", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(JsonObject) image = parse_object ("{\"User\": \"app:staff\"}");
  g_autoptr(GArray) gids = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint32 g[] = { 10, 100 };
  HatakeUser user = { .uid = 1000, .gid = 50, .home = (char *) "/home/app" };
  HatakeContainerSpec spec;
  JsonArray *extra;

  spec_init (&spec);
  spec.cmd = cmd;
  g_assert_cmpstr (hatake_oci_spec_user_spec (image, &spec), ==, "app:staff");
  g_assert_cmpstr (hatake_oci_spec_user_spec (NULL, &spec), ==, "");
  spec.user = "0";
  g_assert_cmpstr (hatake_oci_spec_user_spec (image, &spec), ==, "0");

  g_array_append_vals (gids, g, 2);
  user.additional_gids = gids;
  config = build_full (NULL, &spec, &user, &error);
  g_assert_no_error (error);
  g_assert_cmpint (int_at (config, "process.user.uid"), ==, 1000);
  g_assert_cmpint (int_at (config, "process.user.gid"), ==, 50);
  extra = json_node_get_array (path_get (config, "process.user.additionalGids"));
  g_assert_cmpuint (json_array_get_length (extra), ==, 2);
  g_assert_cmpint (json_array_get_int_element (extra, 0), ==, 10);
  g_assert_cmpint (json_array_get_int_element (extra, 1), ==, 100);

  /* No user: root, no additionalGids. */
  g_clear_pointer (&config, json_object_unref);
  config = build (NULL, &spec);
  g_assert_cmpint (int_at (config, "process.user.uid"), ==, 0);
  g_assert_cmpint (int_at (config, "process.user.gid"), ==, 0);
  g_assert_null (path_get (config, "process.user.additionalGids"));
}

static void
test_working_dir (void)
{
  static const char * const cmd[] = { "pwd", NULL };
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    g_assert_cmpstr (string_at (config, "process.cwd"), ==, "/");
  }
  {
    g_autoptr(JsonObject) config = build ("{\"WorkingDir\": \"/srv/./app//\"}", &spec);
    g_assert_cmpstr (string_at (config, "process.cwd"), ==, "/srv/app");
  }
  spec.working_dir = "/opt/x/../y";
  {
    g_autoptr(JsonObject) config = build ("{\"WorkingDir\": \"/srv\"}", &spec);
    g_assert_cmpstr (string_at (config, "process.cwd"), ==, "/opt/y");
  }
  spec.working_dir = "relative/dir";
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "absolute path");
  spec.working_dir = "/../../etc";
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, NULL);
  spec.working_dir = NULL;
  build_fails ("{\"WorkingDir\": \"/../x\"}", &spec, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER, NULL);
}

/* ---- volumes --------------------------------------------------------------------------------- */

static void
test_image_volumes (void)
{
  static const char * const cmd[] = { "true", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) image = parse_object ("{\"Volumes\": {\"/var//lib/db/\": {}, \"/data\": {},"
                                              " \"/data/.\": {}}}");
  g_auto(GStrv) volumes = hatake_oci_spec_image_volumes (image, &error);
  g_auto(GStrv) none = hatake_oci_spec_image_volumes (NULL, &error);
  HatakeContainerSpec spec;
  const char *hostile[] = {
    "{\"Volumes\": {\"/../../etc\": {}}}",
    "{\"Volumes\": {\"/data/../../..\": {}}}",
    "{\"Volumes\": {\"relative\": {}}}",
    "{\"Volumes\": {\"/\": {}}}",
  };

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (volumes), ==, 2);
  g_assert_cmpstr (volumes[0], ==, "/data");
  g_assert_cmpstr (volumes[1], ==, "/var/lib/db");
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  spec_init (&spec);
  spec.cmd = cmd;
  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++)
    build_fails (hostile[i], &spec, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER, NULL);

  g_assert_null (hatake_oci_spec_clean_path ("/.."));
  g_assert_null (hatake_oci_spec_clean_path ("a/b"));
  {
    g_autofree char *p = hatake_oci_spec_clean_path ("//a/./b/../c/");
    g_assert_cmpstr (p, ==, "/a/c");
  }
}

/* ---- capabilities, privileged ---------------------------------------------------------------- */

static const char * const docker_defaults[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL
};

/* The capabilities of the kernel's list this process may have (its bounding set), and one it
 * may not (NULL when it has them all). */
static const char * const kernel_capabilities[] = {
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

static guint
bounding_set (const char **missing)
{
  guint n = 0;

  *missing = NULL;
  for (guint i = 0; kernel_capabilities[i] != NULL; i++)
    if (prctl (PR_CAPBSET_READ, (unsigned long) i, 0, 0, 0) == 1)
      n++;
    else if (*missing == NULL)
      *missing = kernel_capabilities[i];
  return n;
}

static void
test_capabilities (void)
{
  static const char * const cmd[] = { "true", NULL };
  static const char * const add_admin[] = { "net_admin", "CAP_SYS_PTRACE", "CHOWN", NULL };
  static const char * const drop_some[] = { "chown", "CAP_KILL", NULL };
  static const char * const all[] = { "ALL", NULL };
  static const char * const mknod[] = { "MKNOD", NULL };
  static const char * const bogus[] = { "CAP_BOGUS", NULL };
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    g_autofree char *bounding = strv_at (config, "process.capabilities.bounding");
    g_autofree char *effective = strv_at (config, "process.capabilities.effective");
    g_autofree char *permitted = strv_at (config, "process.capabilities.permitted");
    g_autofree char *want = g_strjoinv ("|", (char **) docker_defaults);

    g_assert_cmpstr (bounding, ==, want);
    g_assert_cmpstr (effective, ==, want);
    g_assert_cmpstr (permitted, ==, want);
    g_assert_null (path_get (config, "process.capabilities.inheritable"));
    g_assert_null (path_get (config, "process.capabilities.ambient"));
    g_assert_false (json_node_get_boolean (path_get (config, "process.noNewPrivileges")));
    g_assert_cmpint (int_at (config, "process.oomScoreAdj"), ==, 0);
  }

  spec.cap_add = add_admin;
  spec.cap_drop = drop_some;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    g_assert_true (strv_at_contains (config, "process.capabilities.bounding", "CAP_NET_ADMIN"));
    g_assert_true (strv_at_contains (config, "process.capabilities.bounding", "CAP_SYS_PTRACE"));
    /* Dropped, then added back: docker adds after dropping. */
    g_assert_true (strv_at_contains (config, "process.capabilities.bounding", "CAP_CHOWN"));
    g_assert_false (strv_at_contains (config, "process.capabilities.bounding", "CAP_KILL"));
  }

  spec.cap_add = all;
  spec.cap_drop = mknod;
  {
    g_auto(GStrv) caps = hatake_oci_spec_capabilities (all, mknod, FALSE, NULL);
    g_autoptr(JsonObject) config = build (NULL, &spec);
    const char *missing;
    guint have = bounding_set (&missing);

    /* all the engine has (41 where it has them all) but MKNOD */
    g_assert_cmpuint (g_strv_length (caps), ==, have - 1);
    if (missing != NULL)
      g_assert_false (g_strv_contains ((const char * const *) caps, missing));
    g_assert_false (g_strv_contains ((const char * const *) caps, "CAP_MKNOD"));
    g_assert_true (g_strv_contains ((const char * const *) caps, "CAP_SYS_ADMIN"));
    g_assert_false (strv_at_contains (config, "process.capabilities.effective", "CAP_MKNOD"));
  }

  spec.cap_add = mknod;
  spec.cap_drop = all;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    g_autofree char *bounding = strv_at (config, "process.capabilities.bounding");

    g_assert_cmpstr (bounding, ==, "CAP_MKNOD");
  }

  spec.cap_add = bogus;
  spec.cap_drop = NULL;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "CAP_BOGUS");
  spec.cap_add = NULL;
  spec.cap_drop = bogus;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "CAP_BOGUS");
  spec.privileged = TRUE;   /* still checked */
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "CAP_BOGUS");

  /* one the engine does not have, asked for by name: said plainly, before crun's "capset:
   * Operation not permitted" */
  {
    const char *missing;
    const char *add_missing[2] = { NULL, NULL };

    bounding_set (&missing);
    if (missing != NULL)
      {
        add_missing[0] = missing;
        spec.privileged = FALSE;
        spec.cap_drop = NULL;
        spec.cap_add = add_missing;
        build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, missing);
      }
    else
      g_test_message ("this process has every capability: the refusal of a missing one is not exercised");
  }
}

/* linux.resources.devices, one "allow|deny TYPE MAJOR:MINOR ACCESS" each ("a" and "*" for any) */
static char *
device_rules (JsonObject *config)
{
  JsonArray *rules = json_node_get_array (path_get (config, "linux.resources.devices"));
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (rules); i++)
    {
      JsonObject *r = json_array_get_object_element (rules, i);
      g_autofree char *major = json_object_has_member (r, "major")
                               ? g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (r, "major"))
                               : g_strdup ("*");
      g_autofree char *minor = json_object_has_member (r, "minor")
                               ? g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (r, "minor"))
                               : g_strdup ("*");

      g_ptr_array_add (out, g_strdup_printf ("%s %s %s:%s %s", json_object_get_boolean_member (r, "allow") ? "allow" : "deny",
                                             json_object_get_string_member_with_default (r, "type", "a"), major, minor,
                                             json_object_get_string_member (r, "access")));
    }
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("|", (char **) out->pdata);
}

static void
test_masked_paths (void)
{
  static const char * const cmd[] = { "true", NULL };
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *readonly = NULL;
  g_autofree char *rules = NULL;
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  config = build (NULL, &spec);
  masked = strv_at (config, "linux.maskedPaths");
  readonly = strv_at (config, "linux.readonlyPaths");
  g_assert_cmpstr (masked, ==, "/proc/asound|/proc/acpi|/proc/kcore|/proc/keys|/proc/latency_stats|"
                   "/proc/timer_list|/proc/timer_stats|/proc/sched_debug|/proc/scsi|/sys/firmware|"
                   "/sys/devices/virtual/powercap");
  g_assert_cmpstr (readonly, ==, "/proc/bus|/proc/fs|/proc/irq|/proc/sys|/proc/sysrq-trigger");
  /* docker's device cgroup: everything denied first, then making nodes and the usual devices */
  rules = device_rules (config);
  g_assert_cmpstr (rules, ==,
                   "deny a *:* rwm|deny c 10:229 rwm|allow c *:* m|allow b *:* m|allow c 1:3 rwm|allow c 1:5 rwm|"
                   "allow c 1:7 rwm|allow c 1:8 rwm|allow c 1:9 rwm|allow c 5:0 rwm|allow c 5:1 rwm|allow c 5:2 rwm|"
                   "allow c 136:* rwm|allow c 10:200 rwm");
  g_assert_null (path_get (config, "linux.devices"));
}

/* --device: a node (its numbers, mode and owner from the host), a folder of them (walked, each at
 * the same place under the container's path), permissions; allowed after docker's rules */
static void
test_devices (void)
{
  static const char * const cmd[] = { "true", NULL };
  g_autofree char *dir = g_dir_make_tmp ("hatake-devices-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  g_autofree char *node = g_build_filename (sub, "null-again", NULL);
  g_autofree char *folder = g_strdup_printf ("%s:/dev/mine", dir);
  g_autofree char *rules = NULL;
  const char *devices[] = { "/dev/null:/dev/other-null:r", folder, NULL };
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *nodes;
  HatakeContainerSpec spec;

  if (getuid () != 0)
    {
      g_test_skip ("mknod needs root");
      return;
    }
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_cmpint (mknod (node, S_IFCHR | 0640, makedev (1, 3)), ==, 0);
  spec_init (&spec);
  spec.cmd = cmd;
  spec.devices = devices;
  config = build (NULL, &spec);
  nodes = json_node_get_array (path_get (config, "linux.devices"));
  g_assert_cmpuint (json_array_get_length (nodes), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (nodes, 0), "path"), ==,
                   "/dev/other-null");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (nodes, 0), "major"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (nodes, 0), "minor"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (nodes, 1), "path"), ==,
                   "/dev/mine/sub/null-again");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (nodes, 1), "fileMode"), ==, 0640);
  rules = device_rules (config);
  g_assert_true (g_str_has_suffix (rules, "|allow c 10:200 rwm|allow c 1:3 r|allow c 1:3 rwm"));

  /* a path that is no device: refused, naming it */
  devices[1] = dir;
  devices[0] = "/etc/hostname";
  g_assert_null (hatake_oci_spec_build (NULL, &spec, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/etc/hostname"));
  g_clear_error (&error);
  devices[0] = "/dev/no-such-device";
  g_assert_null (hatake_oci_spec_build (NULL, &spec, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "error gathering device information"));
  g_unlink (node);
  g_rmdir (sub);
  g_rmdir (dir);
}

static void
test_privileged (void)
{
  static const char * const cmd[] = { "true", NULL };
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *sys = NULL;
  g_autofree char *cgroup = NULL;
  JsonObject *device;
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  spec.privileged = TRUE;
  spec.seccomp_profile = NULL;     /* would be loaded if not privileged */
  config = build (NULL, &spec);
  {
    const char *missing;

    /* every capability the engine has (all 41 where nothing is withheld from root) */
    g_assert_cmpuint (json_array_get_length (json_node_get_array (path_get (config, "process.capabilities.bounding"))),
                      ==, bounding_set (&missing));
    if (missing != NULL)
      g_assert_false (strv_at_contains (config, "process.capabilities.bounding", missing));
  }
  g_assert_null (path_get (config, "linux.maskedPaths"));
  g_assert_null (path_get (config, "linux.readonlyPaths"));
  g_assert_null (path_get (config, "linux.seccomp"));
  sys = strv_at (find_mount (config, "/sys"), "options");
  g_assert_null (strstr (sys, "ro"));
  cgroup = strv_at (find_mount (config, "/sys/fs/cgroup"), "options");
  g_assert_null (strstr (cgroup, "ro"));
  device = json_array_get_object_element (json_node_get_array (path_get (config, "linux.resources.devices")), 0);
  g_assert_true (json_object_get_boolean_member (device, "allow"));
  g_assert_cmpstr (json_object_get_string_member (device, "access"), ==, "rwm");
}

/* ---- resources, rlimits ---------------------------------------------------------------------- */

static void
test_resources (void)
{
  static const char * const cmd[] = { "true", NULL };
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  spec.cgroups_path = "hatake-" ID;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    g_assert_null (path_get (config, "linux.resources.memory"));
    g_assert_null (path_get (config, "linux.resources.cpu"));
    g_assert_null (path_get (config, "linux.resources.pids"));
    g_assert_cmpstr (string_at (config, "linux.cgroupsPath"), ==, "hatake-" ID);
  }

  spec.memory = 64 * 1024 * 1024;
  spec.cpus = 1.5;
  spec.pids_limit = 100;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    g_assert_cmpint (int_at (config, "linux.resources.memory.limit"), ==, 64 * 1024 * 1024);
    g_assert_cmpint (int_at (config, "linux.resources.memory.swap"), ==, 128 * 1024 * 1024);
    g_assert_cmpint (int_at (config, "linux.resources.cpu.quota"), ==, 150000);
    g_assert_cmpint (int_at (config, "linux.resources.cpu.period"), ==, 100000);
    g_assert_cmpint (int_at (config, "linux.resources.pids.limit"), ==, 100);
  }
  spec.memory_swap = -1;
  spec.pids_limit = -1;
  spec.cpus = 0.01;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    g_assert_cmpint (int_at (config, "linux.resources.memory.swap"), ==, -1);
    g_assert_cmpint (int_at (config, "linux.resources.cpu.quota"), ==, 1000);
    g_assert_null (path_get (config, "linux.resources.pids"));
  }
  spec.memory_swap = 100 * 1024 * 1024;
  spec.cpu_shares = 512;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    g_assert_cmpint (int_at (config, "linux.resources.memory.swap"), ==, 100 * 1024 * 1024);
    g_assert_cmpint (int_at (config, "linux.resources.cpu.shares"), ==, 512);
    g_assert_cmpint (int_at (config, "linux.resources.cpu.quota"), ==, 1000);
  }
  /* shares alone; the kernel's range */
  spec.cpus = 0;
  spec.cpu_shares = 1;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    g_assert_cmpint (int_at (config, "linux.resources.cpu.shares"), ==, 2);
    g_assert_null (path_get (config, "linux.resources.cpu.quota"));
  }
  spec.cpu_shares = 0;
  spec.cpus = 0.01;

  spec.memory_swap = 32 * 1024 * 1024;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "memoryswap");
  spec.memory_swap = 0;
  spec.memory = 1024 * 1024;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "6MB");
  spec.memory = 0;
  spec.memory_swap = 64 * 1024 * 1024;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Memory limit");
  spec.memory_swap = 0;
  spec.cpus = 10000;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "CPUs");
  spec.cpus = 0.001;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "CPUs");
}

/* --cpuset-cpus, --cpuset-mems: linux.resources.cpu's cpus and mems; docker's list syntax and
 * the CPUs and nodes of this machine checked with docker's messages; the update's limits (no
 * CPU set) as before */
static void
test_cpuset (void)
{
  static const char * const cmd[] = { "true", NULL };
  static const char * const bad[] = { "0-", "-1", "1-0", "a", "0,,1", " 0", "0-1-2", "0,", NULL };
  g_autofree char *online = NULL;
  g_autofree char *message = NULL;
  g_autoptr(JsonObject) limits = NULL;
  g_autoptr(GError) error = NULL;
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  spec.cpuset_cpus = "0";
  spec.cpuset_mems = "0";
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    g_assert_cmpstr (string_at (config, "linux.resources.cpu.cpus"), ==, "0");
    g_assert_cmpstr (string_at (config, "linux.resources.cpu.mems"), ==, "0");
    g_assert_null (path_get (config, "linux.resources.cpu.quota"));
    g_assert_null (path_get (config, "linux.resources.cpu.shares"));
  }
  /* with the other CPU limits; "" is none */
  spec.cpuset_cpus = "0,0-0";
  spec.cpuset_mems = "";
  spec.cpus = 0.5;
  spec.cpu_shares = 512;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    g_assert_cmpstr (string_at (config, "linux.resources.cpu.cpus"), ==, "0,0-0");
    g_assert_null (path_get (config, "linux.resources.cpu.mems"));
    g_assert_cmpint (int_at (config, "linux.resources.cpu.quota"), ==, 50000);
    g_assert_cmpint (int_at (config, "linux.resources.cpu.shares"), ==, 512);
  }
  spec.cpus = 0;
  spec.cpu_shares = 0;

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autofree char *cpus = g_strdup_printf ("Invalid value %s for cpuset cpus", bad[i]);
      g_autofree char *mems = g_strdup_printf ("Invalid value %s for cpuset mems", bad[i]);

      spec.cpuset_cpus = bad[i];
      build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, cpus);
      spec.cpuset_cpus = NULL;
      spec.cpuset_mems = bad[i];
      build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, mems);
      spec.cpuset_mems = NULL;
    }

  /* a CPU this machine does not have (nor a range's end, however far) */
  g_assert_true (g_file_get_contents ("/sys/devices/system/cpu/online", &online, NULL, NULL));
  g_strstrip (online);
  spec.cpuset_cpus = "0,4095";
  message = g_strdup_printf ("Requested CPUs are not available - requested 0,4095, available: %s", online);
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  spec.cpuset_cpus = "0-4294967295";
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Requested CPUs are not available");
  spec.cpuset_cpus = NULL;
  spec.cpuset_mems = "1023";
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Requested memory nodes are not available - requested 1023, available: ");

  /* docker update's limits: no CPU set, nothing read */
  limits = hatake_oci_spec_limits (0, 0, 0, 1, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_has_member (json_object_get_object_member (limits, "cpu"), "cpus"));
}

/* --oom-score-adj: process.oomScoreAdj (0 by default, as docker's); docker's range; a score below
 * the engine's own refused, naming the cause, when it may not lower it */
static void
test_oom_score_adj (void)
{
  static const char * const cmd[] = { "true", NULL };
  g_autofree char *own_text = NULL;
  gboolean may_lower = prctl (PR_CAPBSET_READ, 24 /* CAP_SYS_RESOURCE */, 0, 0, 0) == 1;
  gint64 own;
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  spec.oom_score_adj = 500;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    g_assert_cmpint (int_at (config, "process.oomScoreAdj"), ==, 500);
  }
  spec.oom_score_adj = 1001;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Invalid value 1001, range for oom score adj is [-1000, 1000]");
  spec.oom_score_adj = -1001;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Invalid value -1001, range for oom score adj is [-1000, 1000]");
  g_assert_true (hatake_oci_spec_check_oom_score_adj (1000, NULL));

  g_assert_true (g_file_get_contents ("/proc/self/oom_score_adj", &own_text, NULL, NULL));
  own = g_ascii_strtoll (own_text, NULL, 10);
  spec.oom_score_adj = -1000;
  if (may_lower || own == -1000)
    {
      g_autoptr(JsonObject) config = build (NULL, &spec);

      g_assert_cmpint (int_at (config, "process.oomScoreAdj"), ==, -1000);
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("--oom-score-adj -1000: below the engine's own OOM score "
                                                  "adjustment (%" G_GINT64_FORMAT "), which it may not lower "
                                                  "(no CAP_SYS_RESOURCE)", own);

      build_fails (NULL, &spec, HATAKE_ERROR, HATAKE_ERROR_CONFIG, message);
      /* (the engine's own score, and above it, it may set) */
      g_assert_true (hatake_oci_spec_check_oom_score_adj (own, NULL));
      g_assert_true (hatake_oci_spec_check_oom_score_adj (MIN (own + 1, 1000), NULL));
    }
}

static void
test_rlimits (void)
{
  static const char * const cmd[] = { "true", NULL };
  g_autoptr(JsonObject) config = NULL;
  HatakeContainerSpec spec;
  JsonArray *rlimits;
  guint seen = 0;

  spec_init (&spec);
  spec.cmd = cmd;
  config = build (NULL, &spec);
  rlimits = json_node_get_array (path_get (config, "process.rlimits"));
  for (guint i = 0; i < json_array_get_length (rlimits); i++)
    {
      JsonObject *r = json_array_get_object_element (rlimits, i);
      const char *type = json_object_get_string_member (r, "type");
      gint64 hard = json_object_get_int_member (r, "hard");
      gint64 soft = json_object_get_int_member (r, "soft");
      struct rlimit mine;
      int resource = strcmp (type, "RLIMIT_NOFILE") == 0 ? RLIMIT_NOFILE
                     : strcmp (type, "RLIMIT_NPROC") == 0 ? RLIMIT_NPROC : -1;

      g_assert_cmpint (resource, !=, -1);
      g_assert_cmpint (getrlimit (resource, &mine), ==, 0);
      g_assert_cmpint (soft, ==, hard);
      g_assert_cmpint (hard, <=, HATAKE_OCI_DEFAULT_RLIMIT);
      if (mine.rlim_max != RLIM_INFINITY)
        {
          g_assert_cmpint (hard, <=, (gint64) mine.rlim_max);
          g_assert_cmpint (hard, ==, MIN ((gint64) mine.rlim_max, HATAKE_OCI_DEFAULT_RLIMIT));
        }
      seen++;
    }
  g_assert_cmpuint (seen, ==, 2);
}

/* ---- mounts, namespaces ---------------------------------------------------------------------- */

static void
test_default_mounts (void)
{
  static const char * const cmd[] = { "true", NULL };
  const char *dests[] = { "/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm" };
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *shm = NULL;
  g_autofree char *sys = NULL;
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  config = build (NULL, &spec);
  for (gsize i = 0; i < G_N_ELEMENTS (dests); i++)
    g_assert_nonnull (find_mount (config, dests[i]));
  shm = strv_at (find_mount (config, "/dev/shm"), "options");
  g_assert_nonnull (strstr (shm, "size=67108864"));
  sys = strv_at (find_mount (config, "/sys"), "options");
  g_assert_true (g_str_has_suffix (sys, "|ro"));
  g_assert_cmpstr (string_at (config, "root.path"), ==, ROOTFS);
  g_assert_false (json_node_get_boolean (path_get (config, "root.readonly")));
  g_assert_null (find_mount (config, "/etc/hosts"));
  g_assert_cmpstr (stop_signal_of (config), ==, "SIGTERM");
}

static void
test_user_mounts (void)
{
  static const char * const cmd[] = { "true", NULL };
  const HatakeMount mounts[] = {
    { .type = HATAKE_MOUNT_BIND, .source = "/srv/a/b", .destination = "/mnt/a/b", .read_only = TRUE,
      .propagation = "rslave" },
    { .type = HATAKE_MOUNT_BIND, .source = "/srv/a", .destination = "/mnt/a/" },
    { .type = HATAKE_MOUNT_TMPFS, .destination = "/run/t", .tmpfs_size = 1048576, .tmpfs_mode = 0700 },
    { .type = HATAKE_MOUNT_VOLUME, .source = "/var/lib/hatake/volumes/v/_data", .destination = "/data" },
    { .type = HATAKE_MOUNT_TMPFS, .destination = "/dev/shm", .tmpfs_size = 1024 },
  };
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL, *o5 = NULL;
  HatakeContainerSpec spec;
  JsonObject *m;

  spec_init (&spec);
  spec.cmd = cmd;
  spec.mounts = mounts;
  spec.n_mounts = G_N_ELEMENTS (mounts);
  spec.hosts_path = "/run/hatake/abc/hosts";
  spec.hostname_path = "/run/hatake/abc/hostname";
  spec.resolv_conf_path = "/run/hatake/abc/resolv.conf";
  config = build (NULL, &spec);

  m = find_mount (config, "/mnt/a/b");
  g_assert_cmpstr (json_object_get_string_member (m, "type"), ==, "bind");
  g_assert_cmpstr (json_object_get_string_member (m, "source"), ==, "/srv/a/b");
  o1 = strv_at (m, "options");
  g_assert_cmpstr (o1, ==, "rbind|rslave|ro");
  m = find_mount (config, "/mnt/a");
  o2 = strv_at (m, "options");
  g_assert_cmpstr (o2, ==, "rbind|rprivate");
  /* Parents before children whatever the order given. */
  g_assert_cmpint (mount_index (config, "/mnt/a"), <, mount_index (config, "/mnt/a/b"));

  m = find_mount (config, "/run/t");
  g_assert_cmpstr (json_object_get_string_member (m, "type"), ==, "tmpfs");
  o3 = strv_at (m, "options");
  g_assert_cmpstr (o3, ==, "nosuid|nodev|noexec|size=1048576|mode=700");

  m = find_mount (config, "/data");
  g_assert_cmpstr (json_object_get_string_member (m, "source"), ==, "/var/lib/hatake/volumes/v/_data");
  o4 = strv_at (m, "options");
  g_assert_cmpstr (o4, ==, "rbind|rprivate");

  /* The user's /dev/shm replaces the default one. */
  m = find_mount (config, "/dev/shm");
  g_assert_cmpstr (json_object_get_string_member (m, "source"), ==, "tmpfs");

  m = find_mount (config, "/etc/hosts");
  g_assert_cmpstr (json_object_get_string_member (m, "source"), ==, "/run/hatake/abc/hosts");
  o5 = strv_at (m, "options");
  g_assert_cmpstr (o5, ==, "rbind|rprivate");
  g_assert_nonnull (find_mount (config, "/etc/hostname"));
  g_assert_nonnull (find_mount (config, "/etc/resolv.conf"));

  /* Read-only root: the network files too. */
  spec.read_only = TRUE;
  {
    g_autoptr(JsonObject) ro = build (NULL, &spec);
    g_autofree char *opts = strv_at (find_mount (ro, "/etc/resolv.conf"), "options");

    g_assert_true (json_node_get_boolean (path_get (ro, "root.readonly")));
    g_assert_cmpstr (opts, ==, "rbind|rprivate|ro");
  }
}

static void
test_bad_mounts (void)
{
  static const char * const cmd[] = { "true", NULL };
  const HatakeMount bad[] = {
    { .type = HATAKE_MOUNT_BIND, .source = "/srv", .destination = "relative" },
    { .type = HATAKE_MOUNT_BIND, .source = "/srv", .destination = "/" },
    { .type = HATAKE_MOUNT_BIND, .source = "/srv", .destination = "/../etc" },
    { .type = HATAKE_MOUNT_BIND, .source = "relative", .destination = "/x" },
    { .type = HATAKE_MOUNT_BIND, .source = "/srv", .destination = "/x", .propagation = "weird" },
  };
  const HatakeMount dup[] = {
    { .type = HATAKE_MOUNT_BIND, .source = "/srv", .destination = "/x" },
    { .type = HATAKE_MOUNT_TMPFS, .destination = "/x/" },
  };
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      spec.mounts = &bad[i];
      spec.n_mounts = 1;
      build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, NULL);
    }
  spec.mounts = dup;
  spec.n_mounts = 2;
  build_fails (NULL, &spec, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Duplicate");
}

static void
test_namespaces (void)
{
  static const char * const cmd[] = { "true", NULL };
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(JsonObject) config = NULL;
      JsonArray *ns;
      JsonObject *net = NULL;
      guint n;

      spec.netns_path = round == 1 ? "/run/netns/hatake-abc" : NULL;
      spec.host_network = round == 2;
      config = build (NULL, &spec);
      ns = json_node_get_array (path_get (config, "linux.namespaces"));
      n = json_array_get_length (ns);
      for (guint i = 0; i < n; i++)
        {
          JsonObject *o = json_array_get_object_element (ns, i);
          if (g_strcmp0 (json_object_get_string_member (o, "type"), "network") == 0)
            net = o;
        }
      switch (round)
        {
        case 0:   /* --network none: a new namespace, only lo */
          g_assert_nonnull (net);
          g_assert_false (json_object_has_member (net, "path"));
          g_assert_cmpuint (n, ==, 5);
          break;
        case 1:
          g_assert_cmpstr (json_object_get_string_member (net, "path"), ==, "/run/netns/hatake-abc");
          break;
        default:
          g_assert_null (net);
          g_assert_cmpuint (n, ==, 4);
        }
    }
}

/* --pid host, --ipc host, --uts host: each namespace left out alone (the runtime's, the host's,
 * is the container's); the host's /dev/shm bound in whatever --shm-size says; no hostname for the
 * runtime to set, the HOSTNAME variable the caller's; the IPC sysctls refused there */
static void
test_host_namespaces (void)
{
  static const char * const cmd[] = { "true", NULL };
  static const char * const sysctls[] = { "kernel.shmmax=65536", NULL };
  static const char * const types[] = { "pid", "ipc", "uts" };
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  spec.shm_size = 1024 * 1024;
  for (guint round = 0; round < G_N_ELEMENTS (types); round++)
    {
      g_autoptr(JsonObject) config = NULL;
      g_autoptr(GString) seen = g_string_new (NULL);
      g_autofree char *expected = NULL;
      JsonArray *ns;

      spec.host_pid = round == 0;
      spec.host_ipc = round == 1;
      spec.host_uts = round == 2;
      spec.hostname = spec.host_uts ? "the-host" : NULL;
      config = build (NULL, &spec);
      ns = json_node_get_array (path_get (config, "linux.namespaces"));
      for (guint i = 0; i < json_array_get_length (ns); i++)
        g_string_append_printf (seen, "%s ", json_object_get_string_member (json_array_get_object_element (ns, i),
                                                                            "type"));
      expected = g_strdup_printf ("%s%s%smount network ", round == 0 ? "" : "pid ", round == 1 ? "" : "ipc ",
                                  round == 2 ? "" : "uts ");
      g_assert_cmpstr (seen->str, ==, expected);
      if (spec.host_ipc)
        {
          g_autofree char *options = strv_at (find_mount (config, "/dev/shm"), "options");

          g_assert_cmpstr (string_at (find_mount (config, "/dev/shm"), "type"), ==, "bind");
          g_assert_cmpstr (string_at (find_mount (config, "/dev/shm"), "source"), ==, "/dev/shm");
          g_assert_cmpstr (options, ==, "rbind|rprivate|nosuid|noexec|nodev");
        }
      else
        {
          g_autofree char *options = strv_at (find_mount (config, "/dev/shm"), "options");

          g_assert_cmpstr (string_at (find_mount (config, "/dev/shm"), "type"), ==, "tmpfs");
          g_assert_nonnull (strstr (options, "size=1048576"));
        }
      if (spec.host_uts)
        {
          g_assert_null (path_get (config, "hostname"));
          g_assert_true (strv_at_contains (config, "process.env", "HOSTNAME=the-host"));
        }
      else
        g_assert_cmpstr (string_at (config, "hostname"), ==, "0123456789ab");
    }

  /* the host's IPC namespace: its kernel.shm* would be the host's */
  spec.host_uts = FALSE;
  spec.hostname = NULL;
  spec.sysctls = sysctls;
  spec.host_ipc = FALSE;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    JsonObject *sysctl = json_node_get_object (path_get (config, "linux.sysctl"));

    g_assert_cmpstr (json_object_get_string_member (sysctl, "kernel.shmmax"), ==, "65536");
  }
  spec.host_ipc = TRUE;
  build_fails (NULL, &spec, HATAKE_ERROR, HATAKE_ERROR_CONFIG, "host's IPC namespace");
}

static void
test_stop_signal (void)
{
  static const char * const cmd[] = { "true", NULL };
  HatakeContainerSpec spec;

  spec_init (&spec);
  spec.cmd = cmd;
  {
    g_autoptr(JsonObject) config = build ("{\"StopSignal\": \"SIGQUIT\"}", &spec);
    g_assert_cmpstr (stop_signal_of (config), ==, "SIGQUIT");
  }
  spec.stop_signal = "SIGINT";
  {
    g_autoptr(JsonObject) config = build ("{\"StopSignal\": \"SIGQUIT\"}", &spec);
    g_assert_cmpstr (stop_signal_of (config), ==, "SIGINT");
  }
}

/* ---- seccomp --------------------------------------------------------------------------------- */

static const char test_profile[] =
  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
  " \"archMap\": ["
  "   {\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]},"
  "   {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]}],"
  " \"syscalls\": ["
  "   {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [], \"comment\": \"\"},"
  "   {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
  "    \"args\": [{\"index\": 0, \"value\": 4294967295, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
  "   {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
  "   {\"names\": [\"mount_denied\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,"
  "    \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
  "   {\"names\": [\"two_caps\"], \"action\": \"SCMP_ACT_ALLOW\","
  "    \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"CAP_SYS_BOOT\"]}},"
  "   {\"names\": [\"other_arch\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"not-an-arch\"]}},"
  "   {\"names\": [\"not_other_arch\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"arches\": [\"not-an-arch\"]}},"
  "   {\"names\": [\"x86_only\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"amd64\", \"x32\"]}},"
  "   {\"names\": [\"future\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"99.0\"}},"
  "   {\"name\": \"old_form\", \"action\": \"SCMP_ACT_ALLOW\"},"
  "   {\"names\": [], \"action\": \"SCMP_ACT_ALLOW\"}"
  " ]}";

static JsonObject *
find_rule (JsonObject *config,
           const char *name)
{
  JsonNode *node = path_get (config, "linux.seccomp.syscalls");
  JsonArray *rules = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (rules); i++)
    {
      JsonObject *rule = json_array_get_object_element (rules, i);

      if (strv_at_contains (rule, "names", name))
        return rule;
    }
  return NULL;
}

static void
test_seccomp_conversion (void)
{
  static const char * const cmd[] = { "true", NULL };
  static const char * const sys_admin[] = { "SYS_ADMIN", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  HatakeContainerSpec spec;
  JsonObject *rule;
  int fd;

  fd = g_file_open_tmp ("hatake-seccomp-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, test_profile, -1, &error);
  g_assert_no_error (error);

  spec_init (&spec);
  spec.cmd = cmd;
  spec.seccomp_profile = path;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    JsonArray *args;

    g_assert_cmpstr (string_at (config, "linux.seccomp.defaultAction"), ==, "SCMP_ACT_ERRNO");
    g_assert_cmpint (int_at (config, "linux.seccomp.defaultErrnoRet"), ==, 38);
#if defined(__x86_64__)
    {
      g_autofree char *arches = strv_at (config, "linux.seccomp.architectures");
      g_assert_cmpstr (arches, ==, "SCMP_ARCH_X86_64|SCMP_ARCH_X86|SCMP_ARCH_X32");
      g_assert_nonnull (find_rule (config, "x86_only"));
    }
#endif
    rule = find_rule (config, "read");
    g_assert_nonnull (rule);
    g_assert_true (strv_at_contains (rule, "names", "write"));
    g_assert_cmpstr (json_object_get_string_member (rule, "action"), ==, "SCMP_ACT_ALLOW");
    g_assert_false (json_object_has_member (rule, "args"));      /* empty args dropped */
    g_assert_false (json_object_has_member (rule, "comment"));
    rule = find_rule (config, "personality");
    args = json_object_get_array_member (rule, "args");
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (args, 0), "value"),
                     ==, G_GINT64_CONSTANT (4294967295));
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (args, 0), "op"),
                     ==, "SCMP_CMP_EQ");
    g_assert_null (find_rule (config, "mount"));
    rule = find_rule (config, "mount_denied");
    g_assert_nonnull (rule);
    g_assert_cmpint (json_object_get_int_member (rule, "errnoRet"), ==, 1);
    g_assert_null (find_rule (config, "two_caps"));
    g_assert_null (find_rule (config, "other_arch"));
    g_assert_nonnull (find_rule (config, "not_other_arch"));
    g_assert_null (find_rule (config, "future"));
    g_assert_nonnull (find_rule (config, "old_form"));
  }

  spec.cap_add = sys_admin;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    g_assert_nonnull (find_rule (config, "mount"));
    g_assert_null (find_rule (config, "mount_denied"));
    g_assert_null (find_rule (config, "two_caps"));   /* every listed cap is needed */
  }

  spec.privileged = TRUE;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    g_assert_null (path_get (config, "linux.seccomp"));
  }

  spec.privileged = FALSE;
  g_file_set_contents (path, "{\"syscalls\": []}", -1, &error);
  g_assert_no_error (error);
  build_fails (NULL, &spec, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST, "defaultAction");
  g_file_set_contents (path, "{ not json", -1, &error);
  g_assert_no_error (error);
  build_fails (NULL, &spec, HATAKE_ERROR, HATAKE_ERROR_INVALID_MANIFEST, NULL);
  g_unlink (path);
}

/* The profile Debian ships (golang-github-containers-common), when installed. */
static void
test_seccomp_default_profile (void)
{
  static const char * const cmd[] = { "true", NULL };
  static const char * const sys_admin[] = { "SYS_ADMIN", NULL };
  HatakeContainerSpec spec;
  JsonObject *rule;

  if (!g_file_test (HATAKE_OCI_DEFAULT_SECCOMP, G_FILE_TEST_EXISTS))
    {
      g_test_skip (HATAKE_OCI_DEFAULT_SECCOMP " is not installed");
      return;
    }
  spec_init (&spec);
  spec.cmd = cmd;
  spec.seccomp_profile = NULL;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    g_assert_nonnull (path_get (config, "linux.seccomp"));
    g_assert_nonnull (find_rule (config, "read"));
    rule = find_rule (config, "sethostname");
    /* Without CAP_SYS_ADMIN, sethostname is only in a rule that denies it. */
    g_assert_nonnull (rule);
    g_assert_cmpstr (json_object_get_string_member (rule, "action"), ==, "SCMP_ACT_ERRNO");
#if defined(__x86_64__)
    g_assert_true (strv_at_contains (config, "linux.seccomp.architectures", "SCMP_ARCH_X86_64"));
#endif
  }
  spec.cap_add = sys_admin;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);

    rule = find_rule (config, "sethostname");
    g_assert_nonnull (rule);
    g_assert_cmpstr (json_object_get_string_member (rule, "action"), ==, "SCMP_ACT_ALLOW");
  }
  spec.seccomp_profile = "unconfined";
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    g_assert_null (path_get (config, "linux.seccomp"));
  }
  spec.seccomp_profile = NULL;
  spec.privileged = TRUE;
  {
    g_autoptr(JsonObject) config = build (NULL, &spec);
    g_assert_null (path_get (config, "linux.seccomp"));
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oci-spec/entrypoint-cmd", test_entrypoint_cmd);
  g_test_add_func ("/oci-spec/init", test_init);
  g_test_add_func ("/oci-spec/env", test_env_merge);
  g_test_add_func ("/oci-spec/user", test_user);
  g_test_add_func ("/oci-spec/working-dir", test_working_dir);
  g_test_add_func ("/oci-spec/image-volumes", test_image_volumes);
  g_test_add_func ("/oci-spec/capabilities", test_capabilities);
  g_test_add_func ("/oci-spec/masked-paths", test_masked_paths);
  g_test_add_func ("/oci-spec/privileged", test_privileged);
  g_test_add_func ("/oci-spec/devices", test_devices);
  g_test_add_func ("/oci-spec/resources", test_resources);
  g_test_add_func ("/oci-spec/cpuset", test_cpuset);
  g_test_add_func ("/oci-spec/oom-score-adj", test_oom_score_adj);
  g_test_add_func ("/oci-spec/rlimits", test_rlimits);
  g_test_add_func ("/oci-spec/mounts/default", test_default_mounts);
  g_test_add_func ("/oci-spec/mounts/user", test_user_mounts);
  g_test_add_func ("/oci-spec/mounts/bad", test_bad_mounts);
  g_test_add_func ("/oci-spec/namespaces", test_namespaces);
  g_test_add_func ("/oci-spec/namespaces/host", test_host_namespaces);
  g_test_add_func ("/oci-spec/stop-signal", test_stop_signal);
  g_test_add_func ("/oci-spec/seccomp/conversion", test_seccomp_conversion);
  g_test_add_func ("/oci-spec/seccomp/default-profile", test_seccomp_default_profile);

  return g_test_run ();
}
