/* test-cgroups.c: cgroup layout detection on fake trees, and the runtime it leads to
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hatake-cgroups.h"
#include "hatake-error.h"

/* Debian 12 as installed: systemd mounts cgroup2 at /sys/fs/cgroup. */
static const char mountinfo_debian12[] =
  "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
  "23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n"
  "24 28 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4021000k,nr_inodes=1005250,mode=755\n"
  "28 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
  "29 22 0:6 / /sys/kernel/security rw,nosuid,nodev,noexec,relatime shared:8 - securityfs securityfs rw\n"
  "31 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
  "32 22 0:27 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw\n";
static const char controllers_debian12[] = "cpuset cpu io memory hugetlb pids rdma misc\n";

/* A legacy systemd layout: cpu and cpuacct share a hierarchy, and so do net_cls and net_prio. */
static const char mountinfo_legacy[] =
  "21 41 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw\n"
  "22 41 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n"
  "28 21 0:24 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755\n"
  "29 28 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd\n"
  "31 28 0:27 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,devices\n"
  "32 28 0:28 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpuset\n"
  "33 28 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
  "34 28 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory\n"
  "35 28 0:31 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,net_cls,net_prio\n"
  "36 28 0:32 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,pids\n"
  "37 28 0:33 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,hugetlb\n"
  "41 0 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n";

/* systemd's hybrid layout (Debian 10/11 default): cgroup2 only tracks processes. */
static const char mountinfo_hybrid_systemd[] =
  "21 41 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw\n"
  "28 21 0:24 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755\n"
  "29 28 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
  "30 28 0:26 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd\n"
  "31 28 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory\n"
  "32 28 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
  "33 28 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids\n"
  "34 28 0:30 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,hugetlb\n";

/* This machine (copied from its /proc/self/mountinfo): every controller but hugetlb on v1. */
static const char mountinfo_this_machine[] =
  "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
  "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
  "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k,nr_inodes=3083615,mode=755\n"
  "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n"
  "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
  "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
  "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
  "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
  "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
  "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
  "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
  "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
  "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
  "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* WSL2 (kernel 5.15, init mounts the cgroups, no systemd): 9p and overlay mounts around it,
 * cgroup2 at /sys/fs/cgroup/unified. */
static const char mountinfo_wsl2[] =
  "59 64 0:32 / /usr/lib/modules/5.15.153.1-microsoft-standard-WSL2 rw,nosuid,nodev,noatime - overlay none rw,lowerdir=/modules,upperdir=/lib/modules/5.15.153.1-microsoft-standard-WSL2/rw/upper,workdir=/lib/modules/5.15.153.1-microsoft-standard-WSL2/rw/work\n"
  "60 64 0:35 / /mnt/wsl rw,relatime shared:1 - tmpfs none rw\n"
  "61 64 0:37 / /usr/lib/wsl/drivers ro,nosuid,nodev,noatime - 9p drivers ro,dirsync,aname=drivers;fmask=222;dmask=222,mmap,access=client,msize=65536,trans=fd,rfd=8,wfd=8\n"
  "64 46 8:48 / / rw,relatime - ext4 /dev/sdd rw,discard,errors=remount-ro,data=ordered\n"
  "65 64 0:41 / /mnt/wslg rw,relatime - tmpfs none rw\n"
  "68 64 0:20 / /sys rw,nosuid,nodev,noexec,noatime - sysfs sysfs rw\n"
  "69 64 0:21 / /proc rw,nosuid,nodev,noexec,noatime - proc proc rw\n"
  "72 68 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs none rw,mode=755\n"
  "73 72 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 none rw,nsdelegate\n"
  "74 72 0:28 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpuset\n"
  "75 72 0:29 / /sys/fs/cgroup/cpu rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu\n"
  "76 72 0:30 / /sys/fs/cgroup/cpuacct rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpuacct\n"
  "77 72 0:31 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,blkio\n"
  "78 72 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory\n"
  "79 72 0:33 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,devices\n"
  "80 72 0:34 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,freezer\n"
  "81 72 0:35 / /sys/fs/cgroup/net_cls rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,net_cls\n"
  "82 72 0:36 / /sys/fs/cgroup/perf_event rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,perf_event\n"
  "83 72 0:37 / /sys/fs/cgroup/net_prio rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,net_prio\n"
  "84 72 0:38 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,hugetlb\n"
  "85 72 0:39 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,pids\n"
  "86 72 0:40 / /sys/fs/cgroup/rdma rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,rdma\n";

static const char * const both_runtimes[] = { "/usr/bin/crun", "/usr/sbin/runc", NULL };

/* ---- fake trees --------------------------------------------------------------------------- */

typedef struct
{
  char *root;
} Tree;

static void
write_file (const char *root,
            const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *full = g_build_filename (root, path, NULL);
  g_autofree char *dir = g_path_get_dirname (full);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (full, contents, -1, &error);
  g_assert_no_error (error);
}

/* A directory with ROOT/proc/self/mountinfo and, when @controllers is not NULL, the cgroup2
 * mount's cgroup.controllers at @unified_path. */
static void
tree_setup (Tree       *tree,
            const char *mountinfo,
            const char *unified_path,
            const char *controllers)
{
  g_autoptr(GError) error = NULL;

  tree->root = g_dir_make_tmp ("hatake-cgroups-XXXXXX", &error);
  g_assert_no_error (error);
  write_file (tree->root, "proc/self/mountinfo", mountinfo);
  if (controllers != NULL)
    {
      g_autofree char *path = g_build_filename (unified_path, "cgroup.controllers", NULL);

      write_file (tree->root, path, controllers);
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_assert_cmpint (g_unlink (child), ==, 0);
        }
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
tree_teardown (Tree *tree)
{
  remove_tree (tree->root);
  g_clear_pointer (&tree->root, g_free);
}

static HatakeCgroupLayout *
detect_tree (const char *mountinfo,
             const char *unified_path,
             const char *controllers)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeCgroupLayout) layout = NULL;
  Tree tree = { 0 };

  tree_setup (&tree, mountinfo, unified_path, controllers);
  layout = hatake_cgroups_detect (tree.root, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layout);
  g_assert_cmpstr (hatake_cgroup_layout_get_root (layout), ==, tree.root);
  tree_teardown (&tree);
  return g_steal_pointer (&layout);
}

/* For parse(): files come from a table instead of a directory. */
static char *
read_from_table (const char  *path,
                 gpointer     user_data,
                 GError     **error)
{
  GHashTable *files = user_data;
  const char *contents = g_hash_table_lookup (files, path);

  if (contents == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no such file", path);
      return NULL;
    }
  return g_strdup (contents);
}

static void
assert_strv (const char * const *got,
             const char         *expected_joined)
{
  g_autofree char *joined = g_strjoinv (" ", (char **) got);

  g_assert_cmpstr (joined, ==, expected_joined);
}

static void
assert_controller (HatakeCgroupLayout *layout,
                   const char         *controller,
                   guint               expected_version,
                   const char         *expected_path)
{
  const char *path = "unset";

  g_assert_cmpuint (hatake_cgroup_layout_lookup_controller (layout, controller, &path), ==,
                    expected_version);
  g_assert_cmpstr (path, ==, expected_path);
}

static void
assert_choice (HatakeCgroupLayout  *layout,
               const char          *wanted,
               gboolean             wanted_explicitly,
               const char * const  *available,
               const char          *expected_runtime,
               gboolean             expect_reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *reason = NULL;

  g_assert_true (hatake_cgroups_choose_runtime (layout, wanted, wanted_explicitly, available,
                                                &runtime, &reason, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (runtime, ==, expected_runtime);
  if (expect_reason)
    g_assert_nonnull (reason);
  else
    g_assert_null (reason);
}

/* ---- layouts ------------------------------------------------------------------------------ */

static void
test_unified (void)
{
  g_autoptr(HatakeCgroupLayout) layout = detect_tree (mountinfo_debian12, "/sys/fs/cgroup",
                                                      controllers_debian12);
  g_autofree char *description = hatake_cgroup_layout_describe (layout);

  g_assert_cmpint (hatake_cgroup_layout_get_mode (layout), ==, HATAKE_CGROUP_MODE_UNIFIED);
  g_assert_cmpstr (hatake_cgroup_mode_to_string (HATAKE_CGROUP_MODE_UNIFIED), ==, "unified");
  g_assert_cmpstr (hatake_cgroup_layout_get_unified_path (layout), ==, "/sys/fs/cgroup");
  assert_strv (hatake_cgroup_layout_get_unified_controllers (layout),
               "cpu cpuset hugetlb io memory misc pids rdma");
  assert_strv (hatake_cgroup_layout_get_v1_controllers (layout), "");
  assert_controller (layout, "memory", 2, "/sys/fs/cgroup");
  assert_controller (layout, "io", 2, "/sys/fs/cgroup");
  assert_controller (layout, "blkio", 0, NULL);
  g_assert_true (g_str_has_prefix (description, "unified"));

  g_assert_true (hatake_cgroups_runtime_supports (layout, "crun", NULL));
  g_assert_true (hatake_cgroups_runtime_supports (layout, "/usr/sbin/runc", NULL));
  assert_choice (layout, NULL, FALSE, both_runtimes, "/usr/bin/crun", FALSE);
  assert_choice (layout, "runc", TRUE, both_runtimes, "/usr/sbin/runc", FALSE);
  assert_choice (layout, "/usr/sbin/runc", FALSE, both_runtimes, "/usr/sbin/runc", FALSE);
}

static void
test_legacy (void)
{
  g_autoptr(HatakeCgroupLayout) layout = detect_tree (mountinfo_legacy, NULL, NULL);

  g_assert_cmpint (hatake_cgroup_layout_get_mode (layout), ==, HATAKE_CGROUP_MODE_LEGACY);
  g_assert_null (hatake_cgroup_layout_get_unified_path (layout));
  assert_strv (hatake_cgroup_layout_get_unified_controllers (layout), "");
  assert_strv (hatake_cgroup_layout_get_v1_controllers (layout),
               "cpu cpuacct cpuset devices hugetlb memory name=systemd net_cls net_prio pids");
  /* A shared hierarchy answers for each of its controllers; options are not controllers. */
  assert_controller (layout, "cpu", 1, "/sys/fs/cgroup/cpu,cpuacct");
  assert_controller (layout, "cpuacct", 1, "/sys/fs/cgroup/cpu,cpuacct");
  assert_controller (layout, "net_prio", 1, "/sys/fs/cgroup/net_cls,net_prio");
  assert_controller (layout, "name=systemd", 1, "/sys/fs/cgroup/systemd");
  assert_controller (layout, "xattr", 0, NULL);
  assert_controller (layout, "rw", 0, NULL);

  assert_choice (layout, NULL, FALSE, both_runtimes, "/usr/bin/crun", FALSE);
  assert_choice (layout, "crun", TRUE, both_runtimes, "/usr/bin/crun", FALSE);
}

static void
test_hybrid_empty (void)
{
  g_autoptr(HatakeCgroupLayout) layout = detect_tree (mountinfo_hybrid_systemd,
                                                      "/sys/fs/cgroup/unified", "\n");

  g_assert_cmpint (hatake_cgroup_layout_get_mode (layout), ==, HATAKE_CGROUP_MODE_HYBRID);
  g_assert_cmpstr (hatake_cgroup_layout_get_unified_path (layout), ==, "/sys/fs/cgroup/unified");
  assert_strv (hatake_cgroup_layout_get_unified_controllers (layout), "");
  assert_controller (layout, "memory", 1, "/sys/fs/cgroup/memory");
  assert_controller (layout, "hugetlb", 1, "/sys/fs/cgroup/hugetlb");

  /* cgroup2 only tracks processes here, which crun accepts. */
  g_assert_true (hatake_cgroups_runtime_supports (layout, "crun", NULL));
  assert_choice (layout, NULL, FALSE, both_runtimes, "/usr/bin/crun", FALSE);
  assert_choice (layout, "crun", TRUE, both_runtimes, "/usr/bin/crun", FALSE);
}

static void
test_hybrid_hugetlb (void)
{
  g_autoptr(HatakeCgroupLayout) layout = detect_tree (mountinfo_this_machine,
                                                      "/sys/fs/cgroup/unified", "hugetlb\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *why = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *description = hatake_cgroup_layout_describe (layout);
  const char * const only_crun[] = { "/usr/bin/crun", NULL };

  g_assert_cmpint (hatake_cgroup_layout_get_mode (layout), ==, HATAKE_CGROUP_MODE_HYBRID);
  assert_strv (hatake_cgroup_layout_get_unified_controllers (layout), "hugetlb");
  assert_strv (hatake_cgroup_layout_get_v1_controllers (layout),
               "blkio cpu cpuacct cpuset devices freezer memory name=systemd pids");
  assert_controller (layout, "hugetlb", 2, "/sys/fs/cgroup/unified");
  assert_controller (layout, "memory", 1, "/sys/fs/cgroup/memory");
  g_assert_nonnull (strstr (description, "owns hugetlb"));

  g_assert_false (hatake_cgroups_runtime_supports (layout, "/usr/bin/crun", &why));
  g_assert_nonnull (strstr (why, "hugetlb"));
  g_assert_true (hatake_cgroups_runtime_supports (layout, "runc", NULL));

  /* The default (crun) cannot work: runc, and a reason that names the controller. */
  g_assert_true (hatake_cgroups_choose_runtime (layout, NULL, FALSE, both_runtimes,
                                                &runtime, &reason, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (runtime, ==, "/usr/sbin/runc");
  g_test_message ("reason: %s", reason);
  g_assert_nonnull (strstr (reason, "crun refuses hybrid cgroup layouts"));
  g_assert_nonnull (strstr (reason, "(here: hugetlb)"));
  g_assert_nonnull (strstr (reason, "using runc instead"));
  g_assert_nonnull (strstr (reason, "hatake system cgroups --fix"));
  g_clear_pointer (&runtime, g_free);
  g_clear_pointer (&reason, g_free);

  /* The same when crun is the configuration's choice rather than the built-in default. */
  assert_choice (layout, "crun", FALSE, both_runtimes, "/usr/sbin/runc", TRUE);
  assert_choice (layout, "runc", TRUE, both_runtimes, "/usr/sbin/runc", FALSE);

  /* --runtime crun is a request we cannot honour: say so, and how to get there. */
  g_assert_false (hatake_cgroups_choose_runtime (layout, "crun", TRUE, both_runtimes,
                                                 &runtime, &reason, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "--runtime"));
  g_assert_nonnull (strstr (error->message, "hugetlb"));
  g_assert_nonnull (strstr (error->message, "runc"));
  g_assert_null (runtime);
  g_assert_null (reason);
  g_clear_error (&error);

  /* Only crun installed: nothing can work, and the message says to install runc. */
  g_assert_false (hatake_cgroups_choose_runtime (layout, NULL, FALSE, only_crun,
                                                 &runtime, &reason, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "apt install runc"));
  g_assert_nonnull (strstr (error->message, "hugetlb"));
}

static void
test_wsl2 (void)
{
  g_autoptr(HatakeCgroupLayout) empty = detect_tree (mountinfo_wsl2, "/sys/fs/cgroup/unified", "");
  g_autoptr(HatakeCgroupLayout) owning = detect_tree (mountinfo_wsl2, "/sys/fs/cgroup/unified",
                                                      "misc\n");

  g_assert_cmpint (hatake_cgroup_layout_get_mode (empty), ==, HATAKE_CGROUP_MODE_HYBRID);
  assert_strv (hatake_cgroup_layout_get_v1_controllers (empty),
               "blkio cpu cpuacct cpuset devices freezer hugetlb memory net_cls net_prio "
               "perf_event pids rdma");
  assert_controller (empty, "perf_event", 1, "/sys/fs/cgroup/perf_event");
  assert_controller (empty, "misc", 0, NULL);
  assert_choice (empty, NULL, FALSE, both_runtimes, "/usr/bin/crun", FALSE);

  /* A newer WSL2 kernel whose misc controller has no v1 hierarchy stays on cgroup2. */
  g_assert_cmpint (hatake_cgroup_layout_get_mode (owning), ==, HATAKE_CGROUP_MODE_HYBRID);
  assert_controller (owning, "misc", 2, "/sys/fs/cgroup/unified");
  assert_choice (owning, NULL, FALSE, both_runtimes, "/usr/sbin/runc", TRUE);
}

static void
test_no_runtime (void)
{
  g_autoptr(HatakeCgroupLayout) layout = detect_tree (mountinfo_debian12, "/sys/fs/cgroup",
                                                      controllers_debian12);
  g_autoptr(GError) error = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *reason = NULL;
  const char * const nothing[] = { NULL };
  const char * const only_runc[] = { "/usr/sbin/runc", NULL };

  g_assert_false (hatake_cgroups_choose_runtime (layout, NULL, FALSE, nothing,
                                                 &runtime, &reason, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "apt install crun"));
  g_assert_nonnull (strstr (error->message, "apt install runc"));
  g_clear_error (&error);

  /* NULL means the same as an empty list. */
  g_assert_false (hatake_cgroups_choose_runtime (layout, "runc", FALSE, NULL,
                                                 &runtime, NULL, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* --runtime crun without crun: say which package, don't quietly run something else. */
  g_assert_false (hatake_cgroups_choose_runtime (layout, "crun", TRUE, only_runc,
                                                 &runtime, &reason, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "--runtime"));
  g_assert_nonnull (strstr (error->message, "apt install crun"));
  g_clear_error (&error);

  /* The configured default is missing but another works: use it, and say so. */
  g_assert_true (hatake_cgroups_choose_runtime (layout, NULL, FALSE, only_runc,
                                                &runtime, &reason, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (runtime, ==, "/usr/sbin/runc");
  g_test_message ("reason: %s", reason);
  g_assert_nonnull (strstr (reason, "crun is not installed; using runc instead"));
  g_assert_nonnull (strstr (reason, "apt install crun"));
}

/* ---- parsing ------------------------------------------------------------------------------ */

static void
test_malformed (void)
{
  static const struct
  {
    const char *text;
    guint       line;
  } cases[] = {
    { "this is not a mountinfo file\n", 1 },
    { "22 27 0:21 / /proc rw,relatime - proc proc rw\ngarbage\n", 2 },
    /* no separator */
    { "31 23 0:28 / /sys/fs/cgroup rw,relatime tmpfs tmpfs rw,mode=755\n", 1 },
    /* nothing after the separator */
    { "31 23 0:28 / /sys/fs/cgroup rw,relatime shared:1 a b c -\n", 1 },
    /* separator too early */
    { "31 23 0:28 / - cgroup2 cgroup2 rw x y\n", 1 },
    /* ids that are not numbers, a relative mount point */
    { "x 23 0:28 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", 1 },
    { "31 23 0:28 / sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", 1 },
    { "31 23 0.28 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", 1 },
  };
  g_autoptr(GHashTable) files = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeCgroupLayout) layout = NULL;
      g_autofree char *expected = g_strdup_printf ("line %u", cases[i].line);

      layout = hatake_cgroups_parse (cases[i].text, read_from_table, files, &error);
      g_assert_null (layout);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, expected));
    }

  /* Empty, and blank lines only. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeCgroupLayout) layout = NULL;

      layout = hatake_cgroups_parse (i == 0 ? "" : "\n\n", read_from_table, files, &error);
      g_assert_null (layout);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_missing_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeCgroupLayout) layout = NULL;
  g_autofree char *fake_mountinfo = NULL;
  Tree tree = { 0 };

  /* A hybrid tree without cgroup.controllers: we cannot tell what crun would do. */
  tree_setup (&tree, mountinfo_this_machine, NULL, NULL);
  layout = hatake_cgroups_detect (tree.root, &error);
  g_assert_null (layout);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "/sys/fs/cgroup/unified"));
  g_clear_error (&error);

  /* No mountinfo at all. */
  fake_mountinfo = g_build_filename (tree.root, "proc", "self", "mountinfo", NULL);
  g_assert_cmpint (g_unlink (fake_mountinfo), ==, 0);
  layout = hatake_cgroups_detect (tree.root, &error);
  g_assert_null (layout);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  tree_teardown (&tree);
}

static void
test_no_cgroups (void)
{
  g_autoptr(GHashTable) files = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeCgroupLayout) layout = NULL;

  layout = hatake_cgroups_parse ("27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
                                 "22 27 0:21 / /proc rw,relatime - proc proc rw\n",
                                 read_from_table, files, &error);
  g_assert_null (layout);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
}

/* Later mounts hide earlier ones at or below their mount point, as the kernel does. */
static void
test_shadowed_and_escaped (void)
{
  g_autoptr(GHashTable) files = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeCgroupLayout) layout = NULL;

  g_hash_table_insert (files, (char *) "/sys/fs/cgroup/cgroup.controllers", (char *) "memory pids");
  g_hash_table_insert (files, (char *) "/sys/fs/cgroup/unified/cgroup.controllers", (char *) "");

  /* cgroup2 at /sys/fs/cgroup, then a tmpfs over it with v1 hierarchies: hybrid, not
   * unified. The v1 "memory" under /mnt is a second mount of a hierarchy and loses. */
  layout = hatake_cgroups_parse (
    "33 27 0:29 / /mnt/my\\040cgroups rw - cgroup cgroup rw,memory\n"
    "34 32 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "35 27 0:30 / /mnt/pids\\040v1 rw - cgroup cgroup rw,pids\n"
    "36 32 0:31 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
    "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
    "31 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
    "32 31 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n",
    read_from_table, files, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_cgroup_layout_get_mode (layout), ==, HATAKE_CGROUP_MODE_HYBRID);
  g_assert_null (hatake_cgroup_layout_get_root (layout));
  assert_controller (layout, "memory", 1, "/sys/fs/cgroup/memory");
  assert_controller (layout, "pids", 1, "/mnt/pids v1");
  g_clear_pointer (&layout, hatake_cgroup_layout_unref);

  /* A tmpfs over /sys hides the cgroup2 mount below it, and so does one over /sys/fs (a
   * directory of sysfs, which becomes the new mount's parent). */
  layout = hatake_cgroups_parse ("31 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                                 "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
                                 "32 23 0:28 / /sys rw - tmpfs tmpfs rw\n",
                                 read_from_table, files, &error);
  g_assert_null (layout);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  layout = hatake_cgroups_parse ("23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
                                 "31 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                                 "32 23 0:28 / /sys/fs rw - tmpfs tmpfs rw\n",
                                 read_from_table, files, &error);
  g_assert_null (layout);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
}

static void
test_boxed (void)
{
  g_autoptr(HatakeCgroupLayout) layout = detect_tree (mountinfo_debian12, "/sys/fs/cgroup",
                                                      controllers_debian12);
  HatakeCgroupLayout *copy;

  g_assert_true (G_TYPE_IS_BOXED (HATAKE_TYPE_CGROUP_LAYOUT));
  copy = g_boxed_copy (HATAKE_TYPE_CGROUP_LAYOUT, layout);
  g_assert_true (copy == layout);
  g_boxed_free (HATAKE_TYPE_CGROUP_LAYOUT, copy);
  g_assert_cmpint (hatake_cgroup_layout_get_mode (layout), ==, HATAKE_CGROUP_MODE_UNIFIED);
}

/* ---- fixing ------------------------------------------------------------------------------- */

static void
test_fix_refuses_fake_tree (void)
{
  g_autoptr(HatakeCgroupLayout) layout = detect_tree (mountinfo_this_machine,
                                                      "/sys/fs/cgroup/unified", "hugetlb\n");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) moved = NULL;

  g_assert_false (hatake_cgroups_fix_hybrid (layout, &moved, &error));
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED);
  g_assert_null (moved);
}

/* ---- this machine ------------------------------------------------------------------------- */

static void
test_this_machine (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeCgroupLayout) layout = NULL;
  g_autofree char *description = NULL;
  g_auto(GStrv) runtimes = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *reason = NULL;
  HatakeCgroupMode mode;

  layout = hatake_cgroups_detect ("/", &error);
  g_assert_no_error (error);
  mode = hatake_cgroup_layout_get_mode (layout);
  g_assert_true (mode == HATAKE_CGROUP_MODE_UNIFIED || mode == HATAKE_CGROUP_MODE_LEGACY
                 || mode == HATAKE_CGROUP_MODE_HYBRID);
  g_assert_cmpstr (hatake_cgroup_layout_get_root (layout), ==, "/");
  description = hatake_cgroup_layout_describe (layout);
  g_test_message ("this machine: %s", description);

  runtimes = hatake_cgroups_find_runtimes ();
  g_assert_nonnull (runtimes);
  for (guint i = 0; runtimes[i] != NULL; i++)
    {
      g_test_message ("runtime found: %s", runtimes[i]);
      g_assert_true (g_path_is_absolute (runtimes[i]));
    }

  /* Whatever the machine, the answer is a runtime or an error with a cause people can act on. */
  if (hatake_cgroups_choose_runtime (layout, NULL, FALSE, (const char * const *) runtimes,
                                     &runtime, &reason, &error))
    g_test_message ("would use %s%s%s", runtime, reason ? ": " : "", reason ? reason : "");
  else
    {
      g_assert_true (g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND)
                     || g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED));
      g_test_message ("no runtime: %s", error->message);
    }
}

/* A process's cgroup folders, from its /proc/PID/cgroup, in each kind of layout */
static void
test_dirs (void)
{
  g_autoptr(HatakeCgroupLayout) unified = detect_tree (mountinfo_debian12, "/sys/fs/cgroup", controllers_debian12);
  g_autoptr(HatakeCgroupLayout) hybrid = detect_tree (mountinfo_this_machine, "/sys/fs/cgroup/unified", "hugetlb\n");
  g_autoptr(HatakeCgroupLayout) legacy = detect_tree (mountinfo_legacy, NULL, NULL);
  g_autoptr(GHashTable) dirs = NULL;

  dirs = hatake_cgroup_layout_dirs (unified, "0::/system.slice/hatake.service\n");
  g_assert_cmpuint (g_hash_table_size (dirs), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (dirs, ""), ==, "/sys/fs/cgroup/system.slice/hatake.service");
  g_clear_pointer (&dirs, g_hash_table_unref);

  /* this machine's own: hugetlb is cgroup2's here, not a v1 hierarchy */
  dirs = hatake_cgroup_layout_dirs (hybrid, "10:hugetlb:/\n9:name=systemd:/\n8:pids:/\n4:memory:/process_api/7a\n"
                                            "0::/\n");
  g_assert_cmpuint (g_hash_table_size (dirs), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (dirs, ""), ==, "/sys/fs/cgroup/unified");
  g_assert_cmpstr (g_hash_table_lookup (dirs, "memory"), ==, "/sys/fs/cgroup/memory/process_api/7a");
  g_assert_cmpstr (g_hash_table_lookup (dirs, "pids"), ==, "/sys/fs/cgroup/pids");
  g_assert_cmpstr (g_hash_table_lookup (dirs, "name=systemd"), ==, "/sys/fs/cgroup/systemd");
  g_assert_null (g_hash_table_lookup (dirs, "hugetlb"));
  g_clear_pointer (&dirs, g_hash_table_unref);

  /* two controllers in one hierarchy; no cgroup2 mount; lines that are not a cgroup's skipped */
  dirs = hatake_cgroup_layout_dirs (legacy, "3:cpu,cpuacct:/user.slice\n0::/\nnonsense\n5:pids:relative\n"
                                            "7:rdma:/x\n");
  g_assert_cmpuint (g_hash_table_size (dirs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (dirs, "cpu"), ==, "/sys/fs/cgroup/cpu,cpuacct/user.slice");
  g_assert_cmpstr (g_hash_table_lookup (dirs, "cpuacct"), ==, "/sys/fs/cgroup/cpu,cpuacct/user.slice");
}

/* PID into the cgroup.procs file PROCS (a cgroup file: written in place, not replaced) */
static void
write_pid (const char *procs, const char *pid)
{
  int fd = open (procs, O_WRONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, pid, strlen (pid)), ==, (gssize) strlen (pid));
  g_assert_cmpint (close (fd), ==, 0);
}

/* The warm write is no move: a process in a cgroup of its own (made here, under a v1 hierarchy
 * or cgroup2) is still there once it is done, as is every other hierarchy's placement. */
static void
test_warm_attach (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeCgroupLayout) layout = NULL;
  g_autoptr(GHashTable) dirs = NULL;
  g_autofree char *before = NULL, *after = NULL, *placed = NULL, *dir = NULL, *procs = NULL, *home = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  const char *parent;

  if (getuid () != 0)
    {
      if (g_getenv ("CI") != NULL)
        g_error ("CI runs as root");
      g_test_skip ("needs root to make a cgroup");
      return;
    }
  layout = hatake_cgroups_detect ("/", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents ("/proc/self/cgroup", &before, NULL, NULL));
  dirs = hatake_cgroup_layout_dirs (layout, before);
  parent = g_hash_table_lookup (dirs, "pids");
  if (parent == NULL)
    parent = g_hash_table_lookup (dirs, "");
  g_assert_nonnull (parent);
  dir = g_strdup_printf ("%s/hatake-test-warm-%s", parent, pid);
  procs = g_build_filename (dir, "cgroup.procs", NULL);
  home = g_build_filename (parent, "cgroup.procs", NULL);
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  write_pid (procs, pid);
  g_assert_true (g_file_get_contents ("/proc/self/cgroup", &placed, NULL, NULL));
  g_assert_nonnull (strstr (placed, "/hatake-test-warm-"));

  hatake_cgroups_warm_attach (layout);
  /* (for a second: its thread's write waits for an RCU grace period, some tens of ms at most) */
  for (guint i = 0; i < 100; i++)
    {
      g_usleep (10 * 1000);
      g_clear_pointer (&after, g_free);
      g_assert_true (g_file_get_contents ("/proc/self/cgroup", &after, NULL, NULL));
      g_assert_cmpstr (after, ==, placed);
    }

  write_pid (home, pid);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cgroups/layout/unified", test_unified);
  g_test_add_func ("/cgroups/layout/legacy", test_legacy);
  g_test_add_func ("/cgroups/layout/hybrid-empty", test_hybrid_empty);
  g_test_add_func ("/cgroups/layout/hybrid-hugetlb", test_hybrid_hugetlb);
  g_test_add_func ("/cgroups/layout/wsl2", test_wsl2);
  g_test_add_func ("/cgroups/runtime/none-installed", test_no_runtime);
  g_test_add_func ("/cgroups/parse/malformed", test_malformed);
  g_test_add_func ("/cgroups/parse/missing-files", test_missing_files);
  g_test_add_func ("/cgroups/parse/no-cgroups", test_no_cgroups);
  g_test_add_func ("/cgroups/parse/shadowed-and-escaped", test_shadowed_and_escaped);
  g_test_add_func ("/cgroups/layout/boxed", test_boxed);
  g_test_add_func ("/cgroups/fix/refuses-fake-tree", test_fix_refuses_fake_tree);
  g_test_add_func ("/cgroups/this-machine", test_this_machine);
  g_test_add_func ("/cgroups/dirs", test_dirs);
  g_test_add_func ("/cgroups/warm-attach", test_warm_attach);

  return g_test_run ();
}
