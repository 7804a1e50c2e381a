/* hatake-cgroups.h: where the cgroup controllers live, and which OCI runtime can work with that
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Named as crun names them: it looks at what is mounted at /sys/fs/cgroup and
 * /sys/fs/cgroup/unified, and so do we. */
typedef enum
{
  HATAKE_CGROUP_MODE_UNIFIED, /* cgroup2 at /sys/fs/cgroup (Debian 12's default) */
  HATAKE_CGROUP_MODE_LEGACY,  /* only v1 hierarchies */
  HATAKE_CGROUP_MODE_HYBRID,  /* v1 hierarchies plus cgroup2 at /sys/fs/cgroup/unified (WSL2, …) */
} HatakeCgroupMode;

const char *hatake_cgroup_mode_to_string (HatakeCgroupMode mode);

#define HATAKE_TYPE_CGROUP_LAYOUT (hatake_cgroup_layout_get_type ())

/* Immutable once detected; reference counted. */
typedef struct _HatakeCgroupLayout HatakeCgroupLayout;

/* Returns the contents of @path (absolute, as seen by the system being described) or NULL
 * with @error set. Lets tests describe a system without files on disk. */
typedef char *(*HatakeCgroupsReadFunc) (const char  *path,
                                        gpointer     user_data,
                                        GError     **error);

GType               hatake_cgroup_layout_get_type   (void) G_GNUC_CONST;
HatakeCgroupLayout *hatake_cgroup_layout_ref        (HatakeCgroupLayout *self);
void                hatake_cgroup_layout_unref      (HatakeCgroupLayout *self);

/* @root is the prefix under which proc/self/mountinfo and sys/fs/cgroup are read: "/" (or
 * NULL) for this system, a directory holding a fake tree in tests. */
HatakeCgroupLayout *hatake_cgroups_detect           (const char          *root,
                                                     GError             **error);
/* Like detect(), with the mountinfo taken from @mountinfo_path instead of
 * ROOT/proc/self/mountinfo. */
HatakeCgroupLayout *hatake_cgroups_detect_full      (const char          *root,
                                                     const char          *mountinfo_path,
                                                     GError             **error);
/* The pure part: @mountinfo_text is /proc/self/mountinfo; @read_file is asked for the
 * cgroup.controllers file of the cgroup2 mount, if there is one. */
HatakeCgroupLayout *hatake_cgroups_parse            (const char          *mountinfo_text,
                                                     HatakeCgroupsReadFunc read_file,
                                                     gpointer             user_data,
                                                     GError             **error);

HatakeCgroupMode    hatake_cgroup_layout_get_mode   (HatakeCgroupLayout *self);
/* The root given to detect(), or NULL for a layout from parse(). */
const char         *hatake_cgroup_layout_get_root   (HatakeCgroupLayout *self);
/* The cgroup2 mount point (/sys/fs/cgroup or /sys/fs/cgroup/unified), or NULL in legacy mode. */
const char         *hatake_cgroup_layout_get_unified_path        (HatakeCgroupLayout *self);
/* The controllers the cgroup2 mount owns (its cgroup.controllers), sorted; empty, never NULL. */
const char * const *hatake_cgroup_layout_get_unified_controllers (HatakeCgroupLayout *self);
/* The controllers mounted as v1 hierarchies, sorted; named hierarchies such as
 * "name=systemd" are included under that name. Empty, never NULL. */
const char * const *hatake_cgroup_layout_get_v1_controllers      (HatakeCgroupLayout *self);
/* Where @controller lives: 1 with its v1 mount point, 2 with the cgroup2 mount point, or 0
 * (and NULL) when no hierarchy has it. In unified mode every controller that the kernel
 * offers is 2. @out_path may be NULL. */
guint               hatake_cgroup_layout_lookup_controller       (HatakeCgroupLayout  *self,
                                                                  const char          *controller,
                                                                  const char         **out_path);
/* The cgroup folders of a process, from its /proc/PID/cgroup (@proc_cgroup), in the hierarchies
 * this layout has: each v1 controller's name (as "memory") → its folder, and "" → its cgroup2
 * folder when there is a cgroup2 mount. Lines of hierarchies not mounted here are left out. */
GHashTable         *hatake_cgroup_layout_dirs (HatakeCgroupLayout *self,
                                               const char         *proc_cgroup);

/* The first write to any cgroup.procs after a quiet moment waits for an RCU grace period
 * (cgroup_threadgroup_rwsem's rcu_sync; 9–27 ms here), and the runtime's create of every
 * container makes one, on its start's path. Started shortly before it, a write of this process
 * into the cgroup it is in already (nothing moves) takes that wait in a thread of its own, and
 * the runtime's write comes while the rcu_sync is still warm. Does nothing without a layout
 * (@self NULL: none was detected) or a cgroup this process may write to (rootless without
 * delegation); one at a time. */
void                hatake_cgroups_warm_attach (HatakeCgroupLayout *self);
/* The same before any engine is open, the layout read in the thread: a command that will start
 * a container calls it first thing (the grace period is the kernel's, whichever process waits
 * for it: this warms a served engine's create too). */
void                hatake_cgroups_warm_attach_early (void);

/* One line for people, e.g. "hybrid: cgroup v1 hierarchies (blkio, cpu, …) and a cgroup2 mount at
 * /sys/fs/cgroup/unified that owns hugetlb". */
char               *hatake_cgroup_layout_describe (HatakeCgroupLayout *self);

/* Whether @runtime ("crun", "runc" or a path to one) can create containers on this layout. When
 * not, @out_why (may be NULL) is a sentence saying why. Runtimes other than crun and runc are
 * assumed to work. */
gboolean hatake_cgroups_runtime_supports (HatakeCgroupLayout  *layout,
                                          const char          *runtime,
                                          char               **out_why);

/* The runtimes hatake knows (crun, then runc) found on PATH or in /usr/bin, /usr/sbin,
 * /usr/local/bin, /usr/local/sbin: absolute paths, crun's first. Never NULL. */
char   **hatake_cgroups_find_runtimes    (void);

/* Picks the runtime to run containers with.
 *
 * @wanted is "crun", "runc" (or a path to one) from --runtime or the configuration, or NULL for
 * hatake's default (crun, else runc); @wanted_explicitly is TRUE when it came from --runtime.
 * @available holds absolute paths (see find_runtimes()).
 *
 * On success @out_runtime is the path from @available to use, and @out_reason is NULL when
 * that is simply what was wanted, or a sentence for people saying what was chosen instead and
 * why. Fails with HATAKE_ERROR_UNSUPPORTED when the runtime asked for with --runtime (or every
 * installed one) cannot work on this layout, and HATAKE_ERROR_NOT_FOUND when none is
 * installed; both messages say what to do. */
gboolean hatake_cgroups_choose_runtime   (HatakeCgroupLayout  *layout,
                                          const char          *wanted,
                                          gboolean             wanted_explicitly,
                                          const char * const  *available,
                                          char               **out_runtime,
                                          char               **out_reason,
                                          GError             **error);

/* Moves the controllers that the cgroup2 mount of a hybrid layout owns to v1 hierarchies at
 * /sys/fs/cgroup/NAME, which is what crun needs. Only on request of the user: it changes the
 * whole machine. Needs root and a layout detected from "/"; does nothing (and succeeds) when
 * the layout is not hybrid or the cgroup2 mount owns nothing. @out_moved (may be NULL) gets the
 * controllers moved. The layout is stale afterwards: detect it again. */
gboolean hatake_cgroups_fix_hybrid       (HatakeCgroupLayout  *layout,
                                          char              ***out_moved,
                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HatakeCgroupLayout, hatake_cgroup_layout_unref)

G_END_DECLS
