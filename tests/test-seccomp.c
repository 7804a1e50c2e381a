/* test-seccomp.c: seccomp programs compiled by the engine, as crun would compile them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine hands crun a precompiled program (run.oci.seccomp_bpf_data) instead of the
 * linux.seccomp section it would compile at every start. That is only right if the program is
 * the one crun makes of the section: the crun tests compare them byte for byte, for Debian's
 * default profile and for a section with every kind of rule, and check that a container started
 * through the engine runs under it.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <seccomp.h>
#include <string.h>
#include <unistd.h>

#include "hatake-oci-spec.h"
#include "hatake-seccomp.h"
#include "hatake-test-utils.h"

static char *tmpdir;

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Every kind of rule crun handles: errno values, several actions, arguments on different and on
 * the same index, every operator, a name libseccomp does not know, a rule that repeats the
 * default action, two architectures. */
static const char *rich_section =
  "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
  "  \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],"
  "  \"syscalls\": ["
  "    { \"names\": [\"read\", \"write\", \"exit_group\", \"no_such_syscall_here\"], \"action\": \"SCMP_ACT_ALLOW\" },"
  "    { \"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 22 },"
  "    { \"names\": [\"kexec_load\"], \"action\": \"SCMP_ACT_ERRNO\" },"
  "    { \"names\": [\"reboot\"], \"action\": \"SCMP_ACT_KILL_PROCESS\" },"
  "    { \"names\": [\"swapon\"], \"action\": \"SCMP_ACT_TRAP\" },"
  "    { \"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38 },"
  "    { \"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
  "      \"args\": [ { \"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\" },"
  "                { \"index\": 0, \"value\": 131072, \"op\": \"SCMP_CMP_EQ\" } ] },"
  "    { \"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\","
  "      \"args\": [ { \"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\" } ] },"
  "    { \"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\","
  "      \"args\": [ { \"index\": 0, \"value\": 40, \"op\": \"SCMP_CMP_NE\" },"
  "                { \"index\": 1, \"value\": 3, \"op\": \"SCMP_CMP_LT\" } ] },"
  "    { \"names\": [\"lseek\"], \"action\": \"SCMP_ACT_ALLOW\","
  "      \"args\": [ { \"index\": 2, \"value\": 2, \"op\": \"SCMP_CMP_LE\" } ] },"
  "    { \"names\": [\"pread64\"], \"action\": \"SCMP_ACT_ALLOW\","
  "      \"args\": [ { \"index\": 2, \"value\": 1, \"op\": \"SCMP_CMP_GE\" } ] },"
  "    { \"names\": [\"pwrite64\"], \"action\": \"SCMP_ACT_LOG\","
  "      \"args\": [ { \"index\": 2, \"value\": 4096, \"op\": \"SCMP_CMP_GT\" } ] },"
  "    { \"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38 }"
  "  ] }";

static void
test_compile (void)
{
  g_autoptr(JsonObject) section = parse_object (rich_section);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = hatake_seccomp_compile (section, &error);
  g_autoptr(GBytes) b = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_cmpuint (g_bytes_get_size (a), >, 0);
  g_assert_cmpuint (g_bytes_get_size (a) % 8, ==, 0);   /* struct sock_filter */
  b = hatake_seccomp_compile (section, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (a, b));
}

static void
test_invalid (void)
{
  static const struct { const char *section; const char *message; } cases[] = {
    { "{ \"syscalls\": [] }", "no defaultAction" },
    { "{ \"defaultAction\": \"SCMP_ACT_SOMETIMES\" }", "unknown action “SCMP_ACT_SOMETIMES”" },
    { "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1 }", "defaultErrnoRet given for action “SCMP_ACT_ALLOW”" },
    { "{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -4 }", "defaultErrnoRet is not an errno value" },
    { "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"] }", "unknown architecture “SCMP_ARCH_Z80”" },
    { "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ 7 ] }", "syscalls[0] is not an object" },
    { "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\","
      " \"errnoRet\": 1 } ] }", "errnoRet given for action “SCMP_ACT_KILL”" },
    { "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\","
      " \"args\": [ { \"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\" } ] } ] }", "argument index 6 of read" },
    { "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\","
      " \"args\": [ { \"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ALMOST\" } ] } ] }", "unknown argument operator “SCMP_CMP_ALMOST”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) section = parse_object (cases[i].section);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bpf = hatake_seccomp_compile (section, &error);

      g_assert_null (bpf);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].message);
    }
}

static void
test_cache (void)
{
  g_autoptr(JsonObject) section = parse_object (rich_section);
  g_autoptr(JsonObject) other = parse_object ("{ \"defaultAction\": \"SCMP_ACT_ALLOW\","
                                              "  \"syscalls\": [ { \"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\" } ] }");
  g_autofree char *cache = g_build_filename (tmpdir, "cache", "seccomp", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) compiled = hatake_seccomp_compile (section, &error);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) third = NULL;
  g_autoptr(GBytes) for_other = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *path = NULL;
  const char *name;
  const char planted[16] = "planted program";

  g_assert_no_error (error);
  first = hatake_seccomp_compile_cached (section, cache, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (first, compiled));

  /* one file, named by the profile's digest, holding the program */
  dir = g_dir_open (cache, 0, &error);
  g_assert_no_error (error);
  name = g_dir_read_name (dir);
  g_assert_nonnull (name);
  g_assert_true (g_str_has_suffix (name, ".bpf"));
  g_assert_cmpuint (strlen (name), ==, 64 + 4);
  g_assert_null (g_dir_read_name (dir));
  path = g_build_filename (cache, name, NULL);

  /* the next container with this profile reads the file, and compiles nothing: what is in
   * it comes back as it is */
  g_assert_true (g_file_set_contents (path, planted, sizeof planted, &error));
  again = hatake_seccomp_compile_cached (section, cache, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (again, NULL), g_bytes_get_size (again), planted, sizeof planted);

  /* a torn file (not whole instructions) is compiled again and replaced */
  g_assert_true (g_file_set_contents (path, "torn", 4, &error));
  third = hatake_seccomp_compile_cached (section, cache, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (third, compiled));
  {
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (path, &contents, &len, &error));
    g_assert_cmpmem (contents, len, g_bytes_get_data (compiled, NULL), g_bytes_get_size (compiled));
  }

  /* another profile, another file */
  for_other = hatake_seccomp_compile_cached (other, cache, &error);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (for_other, compiled));
  g_clear_pointer (&dir, g_dir_close);
  dir = g_dir_open (cache, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_dir_read_name (dir));
  g_assert_nonnull (g_dir_read_name (dir));
  g_assert_null (g_dir_read_name (dir));
}

/* ---- against crun ------------------------------------------------------------------------- */

/* stderr goes to a file: the container crun creates keeps a copy of it open until it starts */
static gboolean
spawn (const char * const *argv,
       const char         *cwd,
       char              **out_stderr)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autofree char *err_path = g_build_filename (tmpdir, "stderr", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  ok = g_subprocess_get_successful (proc);
  if (out_stderr != NULL)
    g_file_get_contents (err_path, out_stderr, NULL, NULL);
  return ok;
}

/* crun creates a container of a bundle whose spec has SECTION, and keeps the program it compiled
 * in its state folder: that file. */
static GBytes *
crun_compiles (const char *name,
               JsonObject *section)
{
  g_autofree char *dir = g_build_filename (tmpdir, name, NULL);
  g_autofree char *bundle = g_build_filename (dir, "bundle", NULL);
  g_autofree char *bin = g_build_filename (bundle, "rootfs", "bin", NULL);
  g_autofree char *busybox = g_build_filename (bin, "busybox", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *config = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *id = g_strdup_printf ("hatake-seccomp-%s-%d", name, getpid ());
  g_autofree char *program = g_build_filename (state, id, "seccomp.bpf", NULL);
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  JsonObject *spec, *linux_;
  JsonNode *node;
  gsize len;

  g_assert_cmpint (g_mkdir_with_parents (bin, 0755), ==, 0);
  g_assert_true (spawn ((const char * const[]) { "cp", "/bin/busybox", busybox, NULL }, NULL, NULL));
  {
    g_autofree char *sh = g_build_filename (bin, "sh", NULL);

    g_assert_cmpint (symlink ("busybox", sh), ==, 0);   /* the spec's command */
  }
  g_assert_true (spawn ((const char * const[]) { "crun", "spec", NULL }, bundle, NULL));
  json_parser_load_from_file (parser, config, &error);
  g_assert_no_error (error);
  spec = json_node_get_object (json_parser_get_root (parser));
  json_object_set_boolean_member (json_object_get_object_member (spec, "process"), "terminal", FALSE);
  linux_ = json_object_get_object_member (spec, "linux");
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, section);
  json_object_set_member (linux_, "seccomp", node);
  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_to_file (generator, config, &error);
  g_assert_no_error (error);

  if (!spawn ((const char * const[]) { "crun", "--root", state, "create", "--bundle", bundle, id, NULL }, dir, &err))
    g_error ("crun create: %s", err);
  g_assert_true (g_file_get_contents (program, &contents, &len, &error));
  spawn ((const char * const[]) { "crun", "--root", state, "delete", "--force", id, NULL }, dir, NULL);
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static gboolean
have_crun (void)
{
  g_autofree char *crun = g_find_program_in_path ("crun");

  if (!hatake_test_require_root ())
    return FALSE;
  if (crun == NULL || !g_file_test ("/bin/busybox", G_FILE_TEST_EXISTS))
    {
      if (g_getenv ("CI") != NULL)
        g_error ("CI: crun and /bin/busybox are needed");
      g_test_skip ("needs crun and /bin/busybox");
      return FALSE;
    }
  return TRUE;
}

static void
test_same_as_crun_rich (void)
{
  g_autoptr(JsonObject) section = parse_object (rich_section);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ours = NULL;
  g_autoptr(GBytes) crun = NULL;

  if (!have_crun ())
    return;
  ours = hatake_seccomp_compile (section, &error);
  g_assert_no_error (error);
  crun = crun_compiles ("rich", section);
  g_assert_cmpmem (g_bytes_get_data (ours, NULL), g_bytes_get_size (ours),
                   g_bytes_get_data (crun, NULL), g_bytes_get_size (crun));
}

/* Debian's profile (containers/common's, docker's rules) as the engine converts it for docker's
 * default capabilities, and for a privileged set */
static void
test_same_as_crun_default_profile (void)
{
  static const char *default_caps[] = { "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
                                        "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP",
                                        "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
                                        "CAP_AUDIT_WRITE", NULL };
  static const char *admin_caps[] = { "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_BOOT", "CAP_BPF", NULL };
  const char * const *cap_sets[] = { default_caps, admin_caps };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!have_crun ())
    return;
  if (!g_file_test (HATAKE_OCI_DEFAULT_SECCOMP, G_FILE_TEST_EXISTS))
    {
      if (g_getenv ("CI") != NULL)
        g_error ("CI: %s is needed (golang-github-containers-common)", HATAKE_OCI_DEFAULT_SECCOMP);
      g_test_skip ("no " HATAKE_OCI_DEFAULT_SECCOMP);
      return;
    }
  json_parser_load_from_file (parser, HATAKE_OCI_DEFAULT_SECCOMP, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cap_sets); i++)
    {
      g_autoptr(JsonNode) converted = hatake_oci_seccomp_from_profile (json_parser_get_root (parser), cap_sets[i], &error);
      g_autoptr(GBytes) ours = NULL;
      g_autoptr(GBytes) crun = NULL;
      g_autofree char *name = g_strdup_printf ("profile-%u", i);

      g_assert_no_error (error);
      ours = hatake_seccomp_compile (json_node_get_object (converted), &error);
      g_assert_no_error (error);
      crun = crun_compiles (name, json_node_get_object (converted));
      g_assert_cmpmem (g_bytes_get_data (ours, NULL), g_bytes_get_size (ours),
                       g_bytes_get_data (crun, NULL), g_bytes_get_size (crun));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("test-seccomp-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/seccomp/compile", test_compile);
  g_test_add_func ("/seccomp/invalid", test_invalid);
  g_test_add_func ("/seccomp/cache", test_cache);
  g_test_add_func ("/seccomp/same-as-crun/rich", test_same_as_crun_rich);
  g_test_add_func ("/seccomp/same-as-crun/default-profile", test_same_as_crun_default_profile);
  ret = g_test_run ();
  hatake_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return ret;
}
