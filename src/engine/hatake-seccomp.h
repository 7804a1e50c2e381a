/* hatake-seccomp.h: seccomp filters compiled once, not at every container start
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * crun compiles the OCI linux.seccomp section with libseccomp each time it creates a container:
 * about 18 ms of a 27 ms `crun run` here, for docker's default profile. The engine compiles it
 * the same way (the same rules, in the same order, through the same libseccomp), keeps the
 * program per profile in the data root, and hands it to crun with its run.oci.seccomp_bpf_data
 * annotation, which crun loads as it is. The section stays in the spec for every other runtime.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define HATAKE_SECCOMP_BPF_ANNOTATION "run.oci.seccomp_bpf_data"

/* The BPF program of an OCI linux.seccomp object, as crun 1.8 would build it: default action
 * (and defaultErrnoRet), architectures, then each rule whose action is not the default one,
 * per syscall name (names libseccomp does not know are skipped, as crun does), arguments on
 * one index ANDed, several on the same index as one rule each.
 * G_IO_ERROR_INVALID_ARGUMENT names what is wrong in the object. */
GBytes *hatake_seccomp_compile        (JsonObject   *seccomp,
                                       GError      **error);

/* The same, from CACHE_DIR/<sha256 of libseccomp's version and the object>.bpf when a container
 * had this profile before; otherwise compiled and stored there (atomically) for the next one.
 * A cache that cannot be written is not an error. */
GBytes *hatake_seccomp_compile_cached (JsonObject   *seccomp,
                                       const char   *cache_dir,
                                       GError      **error);

G_END_DECLS
