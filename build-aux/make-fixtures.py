#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds the test fixture images and pushes them to the test registries.

Everything is made here, offline, from files on this machine (busybox-static) so the tests never
need the internet. Layers are written with tarfile rather than tar(1) so that hostile entries
(absolute names, "..", whiteout tricks) can be expressed exactly; every layer is reproducible
(entries sorted, fixed mtimes, owner 0 unless a fixture says otherwise, gzip with mtime 0), so
digests stay the same from one run to the next and tests may compare them.

Called by build-aux/test-services.sh; see --help. Only the standard library is used, plus the
zstd(1) command for the zstd layer and debootstrap(8) for the optional large benchmark image.
"""

import argparse
import base64
import gzip
import hashlib
import http.client
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = OCI_LAYER + "+gzip"
OCI_LAYER_ZSTD = OCI_LAYER + "+zstd"
IN_TOTO = "application/vnd.in-toto+json"

# A fixed, non-zero time for directories and files whose mtime a test checks (2023-11-14T22:13:20Z).
FIXED_MTIME = 1700000000
CREATED = "2023-11-14T22:13:20Z"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Applets linked to busybox in the busybox image; the brief asks for sh, ls, cat, echo and sleep,
# the others are cheap and save tests from spelling "busybox X".
BUSYBOX_APPLETS = ["sh", "ls", "cat", "echo", "sleep", "true", "false", "env", "id", "hostname",
                   "printf", "test", "mkdir", "rm", "touch", "wc", "ps", "grep", "head", "tail",
                   "uname", "whoami", "kill", "pwd", "date", "sed", "stat", "readlink", "nc",
                   "wget", "ip", "ifconfig", "mount", "df", "du", "chmod", "chown", "cp", "mv",
                   "ln", "top", "dd", "sort", "tee", "yes", "find", "xargs", "seq", "nslookup"]


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical_json(obj):
    # Sorted keys and no spaces: the bytes (and so the digest) only depend on the content.
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------------------------
# Layer tars

class Entry:
    """One tar member. kind is file, dir, symlink, hardlink; data is bytes or (reader, size)."""

    def __init__(self, name, kind="file", data=b"", mode=None, uid=0, gid=0, mtime=0,
                 link="", xattrs=None):
        self.name, self.kind, self.data, self.uid, self.gid = name, kind, data, uid, gid
        self.mtime, self.link, self.xattrs = mtime, link, xattrs or {}
        self.mode = mode if mode is not None else (0o755 if kind in ("dir", "symlink") else 0o644)

    def tarinfo(self):
        info = tarfile.TarInfo(self.name)
        info.mode, info.uid, info.gid, info.mtime = self.mode, self.uid, self.gid, self.mtime
        info.uname = info.gname = ""
        if self.kind == "dir":
            info.type = tarfile.DIRTYPE
        elif self.kind == "symlink":
            info.type, info.linkname = tarfile.SYMTYPE, self.link
        elif self.kind == "hardlink":
            info.type, info.linkname = tarfile.LNKTYPE, self.link
        else:
            info.type = tarfile.REGTYPE
            info.size = self.data[1] if isinstance(self.data, tuple) else len(self.data)
        if self.xattrs:
            # GNU tar and libarchive read xattrs from these PAX records.
            info.pax_headers = {"SCHILY.xattr." + k: v for k, v in sorted(self.xattrs.items())}
        return info


class Zeros(io.RawIOBase):
    """A reader of n zero bytes, so the bomb layer never holds 300 MB in memory."""

    def __init__(self, n):
        self.left = n

    def readable(self):
        return True

    def read(self, size=-1):
        size = self.left if size is None or size < 0 else min(size, self.left)
        self.left -= size
        return bytes(size)


class HashingWriter:
    """Counts and hashes what tarfile writes (the uncompressed stream: the diff_id)."""

    def __init__(self, out):
        self.out, self.hash, self.size = out, hashlib.sha256(), 0

    def write(self, b):
        self.hash.update(b)
        self.size += len(b)
        self.out.write(b)
        return len(b)

    def tell(self):
        return self.size


def write_tar(entries, out, keep_order=False):
    """Writes entries as a PAX tar to out; returns (diff_id, uncompressed size)."""
    if not keep_order:
        entries = sorted(entries, key=lambda e: e.name)
    hw = HashingWriter(out)
    with tarfile.open(fileobj=hw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            data = e.data
            if isinstance(data, tuple):
                fileobj = data[0]
            else:
                fileobj = io.BytesIO(data) if e.kind == "file" else None
            tf.addfile(e.tarinfo(), fileobj)
    return "sha256:" + hw.hash.hexdigest(), hw.size


class Blob:
    def __init__(self, data, media_type, diff_id=None, uncompressed_size=None):
        self.data, self.media_type = data, media_type
        self.digest, self.size = sha256(data), len(data)
        self.diff_id, self.uncompressed_size = diff_id, uncompressed_size

    def descriptor(self, **extra):
        d = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        d.update(extra)
        return d


def compress(raw, how):
    if how == "gzip":
        # mtime=0 and no file name in the header: the same input always gives the same bytes.
        return gzip.compress(raw, compresslevel=6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=raw, stdout=subprocess.PIPE,
                              check=True).stdout
    return raw


def layer(entries, media_type=OCI_LAYER_GZIP, keep_order=False):
    buf = io.BytesIO()
    diff_id, usize = write_tar(entries, buf, keep_order)
    raw = buf.getvalue()
    how = "zstd" if media_type.endswith("zstd") else "gzip" if media_type.endswith("gzip") else "tar"
    return Blob(compress(raw, how), media_type, diff_id, usize)


def dirs(*names, mtime=0, mode=0o755):
    return [Entry(n, "dir", mode=mode, mtime=mtime) for n in names]


# ---------------------------------------------------------------------------------------------
# Images

class Image:
    """A single-platform image: config + layers + manifest, ready to push."""

    def __init__(self, layers, docker=False, arch="amd64", variant=None, cmd=("sh",),
                 diff_ids=None, config_extra=None, sizes=None):
        self.layers = layers
        ids = diff_ids if diff_ids is not None else [l.diff_id for l in layers]
        config = {
            "architecture": arch, "os": "linux", "created": CREATED,
            "config": {"Env": [PATH_ENV], "Cmd": list(cmd)},
            "rootfs": {"type": "layers", "diff_ids": ids},
            "history": [{"created": CREATED, "created_by": "hatake make-fixtures.py layer %d" % i}
                        for i in range(len(layers))],
        }
        if variant:
            config["variant"] = variant
        if config_extra:
            config.update(config_extra)
        self.config = Blob(canonical_json(config), DOCKER_CONFIG if docker else OCI_CONFIG)
        layer_descs = [l.descriptor() for l in layers]
        for i, size in (sizes or {}).items():
            layer_descs[i]["size"] = size
        manifest = {"schemaVersion": 2,
                    "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
                    "config": self.config.descriptor(), "layers": layer_descs}
        self.manifest = Blob(canonical_json(manifest), manifest["mediaType"])
        self.layer_descs, self.diff_ids = layer_descs, ids
        self.platform = {"architecture": arch, "os": "linux"}
        if variant:
            self.platform["variant"] = variant

    def blobs(self):
        return [self.config] + self.layers

    def info(self):
        return {
            "media_type": self.manifest.media_type,
            "manifest_digest": self.manifest.digest, "manifest_size": self.manifest.size,
            "config_digest": self.config.digest, "config_size": self.config.size,
            "config_media_type": self.config.media_type, "image_id": self.config.digest,
            "layers": [{"digest": l.digest, "size": l.size, "declared_size": d["size"],
                        "media_type": l.media_type, "diff_id": l.diff_id,
                        "uncompressed_size": l.uncompressed_size}
                       for l, d in zip(self.layers, self.layer_descs)],
            "diff_ids": self.diff_ids, "platform": self.platform,
        }


class Index:
    """An OCI image index over images (and any extra manifests such as an attestation)."""

    def __init__(self, entries):
        # entries: list of (Image, descriptor extras)
        self.entries = entries
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX,
                 "manifests": [img.manifest.descriptor(**extra) for img, extra in entries]}
        self.manifest = Blob(canonical_json(index), OCI_INDEX)


def busybox_image():
    bb = open("/bin/busybox", "rb").read()
    entries = dirs("bin", "etc", "root", "home", "var", "usr", "usr/bin")
    entries += [Entry("tmp", "dir", mode=0o1777)]
    entries.append(Entry("bin/busybox", data=bb, mode=0o755))
    entries += [Entry("bin/" + a, "symlink", link="busybox", mode=0o777) for a in BUSYBOX_APPLETS]
    entries.append(Entry("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"
                         b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"))
    entries.append(Entry("etc/group", data=b"root:x:0:\nnobody:x:65534:\n"))
    return Image([layer(entries, DOCKER_LAYER_GZIP)], docker=True)


def layered_image():
    """Three OCI layers exercising whiteouts, opaque dirs, links, modes, owners, xattrs, mtimes."""
    t = FIXED_MTIME
    l1 = dirs("data", "data/opaque", "data/sub", "etc", mtime=t) + [
        Entry("etc/hostname-base", data=b"layer1\n", mtime=t),
        Entry("data/delete-me", data=b"deleted by a whiteout in layer 2\n", mtime=t),
        Entry("data/sub/deep", data=b"deleted with its directory\n", mtime=t),
        Entry("data/keep", data=b"layer1 keep\n", mtime=t),
        Entry("data/opaque/old1", data=b"hidden by opaque\n", mtime=t),
        Entry("data/opaque/old2", data=b"hidden by opaque\n", mtime=t),
        Entry("data/secret", data=b"secret\n", mode=0o750, uid=1000, gid=1000, mtime=t),
        Entry("data/xattr", data=b"has an xattr\n", mtime=t, xattrs={"user.hatake": "yes"}),
        Entry("data/hard-a", data=b"hardlinked\n", mtime=t),
        Entry("data/hard-b", "hardlink", link="data/hard-a", mtime=t),
        Entry("data/rel-link", "symlink", link="keep", mode=0o777, mtime=t),
        Entry("data/abs-link", "symlink", link="/data/keep", mode=0o777, mtime=t),
        Entry("data/dir-link", "symlink", link="../etc", mode=0o777, mtime=t),
    ]
    l2 = dirs("data", mtime=t + 1) + dirs("data/opaque", mtime=t + 2) + [
        Entry("data/.wh.delete-me", mtime=t),
        Entry("data/.wh.sub", mtime=t),
        Entry("data/opaque/.wh..wh..opq", mtime=t),
        Entry("data/opaque/new1", data=b"new in opaque dir\n", mtime=t),
    ]
    l3 = dirs("data", mtime=t + 3) + dirs("data/newdir", mtime=t + 4) + [
        Entry("data/keep", data=b"layer3 keep\n", mtime=t),
        Entry("data/newdir/file", data=b"layer3\n", mtime=t),
        Entry("data/newdir/hl-1", data=b"layer3 hardlink\n", mtime=t),
        Entry("data/newdir/hl-2", "hardlink", link="data/newdir/hl-1", mtime=t),
    ]
    img = Image([layer(l1), layer(l2), layer(l3)])
    expect = {
        "present": {
            "/data": {"type": "dir", "mtime": t + 3},
            "/data/opaque": {"type": "dir", "mtime": t + 2},
            "/data/newdir": {"type": "dir", "mtime": t + 4},
            "/etc": {"type": "dir", "mtime": t},
            "/data/keep": {"type": "file", "content": "layer3 keep\n"},
            "/data/opaque/new1": {"type": "file", "content": "new in opaque dir\n"},
            "/data/secret": {"type": "file", "mode": 0o750, "uid": 1000, "gid": 1000},
            "/data/xattr": {"type": "file", "xattrs": {"user.hatake": "yes"}},
            "/data/hard-a": {"type": "file", "nlink": 2, "same_inode_as": "/data/hard-b"},
            "/data/newdir/hl-1": {"type": "file", "nlink": 2,
                                  "same_inode_as": "/data/newdir/hl-2"},
            "/data/rel-link": {"type": "symlink", "target": "keep"},
            "/data/abs-link": {"type": "symlink", "target": "/data/keep"},
            "/data/dir-link": {"type": "symlink", "target": "../etc"},
        },
        "absent": ["/data/delete-me", "/data/sub", "/data/sub/deep", "/data/opaque/old1",
                   "/data/opaque/old2", "/data/.wh.delete-me", "/data/opaque/.wh..wh..opq"],
    }
    return img, expect


def multiarch_index(busybox):
    def arch_layer(arch):
        return layer(dirs("etc") + [Entry("etc/arch", data=(arch + "\n").encode())])

    # amd64 runs (busybox + /etc/arch); arm64 only carries /etc/arch as nothing here runs on arm64.
    bb = busybox.layers[0]
    oci_bb = Blob(bb.data, OCI_LAYER_GZIP, bb.diff_id, bb.uncompressed_size)  # same bytes
    amd64 = Image([oci_bb, arch_layer("amd64")], arch="amd64")
    arm64 = Image([arch_layer("arm64")], arch="arm64", variant="v8", cmd=("cat", "/etc/arch"))
    # A BuildKit-style attestation: a manifest whose config says unknown/unknown, with an
    # in-toto layer, attached to the amd64 image by annotations.
    statement = Blob(canonical_json({"_type": "https://in-toto.io/Statement/v0.1",
                                     "predicateType": "https://spdx.dev/Document",
                                     "subject": [{"name": "hatake/multiarch",
                                                  "digest": {"sha256":
                                                             amd64.manifest.digest[7:]}}],
                                     "predicate": {}}), IN_TOTO)
    statement.diff_id = statement.digest
    att = Image([statement], arch="unknown")
    att.config = Blob(canonical_json({"architecture": "unknown", "os": "unknown",
                                      "config": {}, "rootfs": {"type": "layers",
                                                               "diff_ids": [statement.digest]}}),
                      OCI_CONFIG)
    att.manifest = Blob(canonical_json({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": att.config.descriptor(),
        "layers": [statement.descriptor(annotations={"in-toto.io/predicate-type":
                                                     "https://spdx.dev/Document"})]}),
        OCI_MANIFEST)
    att.platform = {"architecture": "unknown", "os": "unknown"}
    index = Index([
        (amd64, {"platform": {"architecture": "amd64", "os": "linux"}}),
        (arm64, {"platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}),
        (att, {"platform": {"architecture": "unknown", "os": "unknown"},
               "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                               "vnd.docker.reference.digest": amd64.manifest.digest}}),
    ])
    return index


def compress_images():
    entries = dirs("etc", "opt", "opt/compress") + [
        Entry("opt/compress/payload", data=b"the same layer, three encodings\n" * 256),
        Entry("etc/compress", data=b"yes\n")]
    buf = io.BytesIO()
    diff_id, usize = write_tar(entries, buf)
    raw = buf.getvalue()
    out = {}
    for tag, how, mt in (("gzip", "gzip", OCI_LAYER_GZIP), ("zstd", "zstd", OCI_LAYER_ZSTD),
                         ("tar", "tar", OCI_LAYER)):
        out[tag] = Image([Blob(compress(raw, how), mt, diff_id, usize)], cmd=("cat",
                                                                             "/etc/compress"))
    return out


def bomb_layer(size):
    """A gzip layer holding one file of `size` zero bytes, compressed to a few hundred KB."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6, mtime=0) as gz:
        diff_id, usize = write_tar([Entry("zeros", data=(Zeros(size), size))], gz)
    return Blob(out.getvalue(), OCI_LAYER_GZIP, diff_id, usize)


def hostile_images():
    """Images that a careful unpacker must refuse or keep inside the root. Each returns
    (image, notes) where notes go into fixtures.json."""
    out = {}

    def plain(name, text):
        return Entry(name, data=text.encode())

    out["hatake/evil-dotdot:latest"] = (
        Image([layer([plain("ok", "ok\n"), plain("../../escape-dotdot", "escaped\n")],
                     keep_order=True)]),
        {"escape_relative": ["../../escape-dotdot"],
         "note": "entry ../../escape-dotdot; must not be written outside the rootfs"})
    out["hatake/evil-absolute:latest"] = (
        Image([layer([plain("ok", "ok\n"), plain("/tmp/hatake-escape-abs", "escaped\n")],
                     keep_order=True)]),
        {"escape_paths": ["/tmp/hatake-escape-abs"],
         "note": "absolute entry name; keep it inside the root (ROOT/tmp/...) or refuse"})
    out["hatake/evil-symlink:latest"] = (
        Image([layer([Entry("link", "symlink", link="/tmp/hatake-escape-dir", mode=0o777),
                      plain("link/pwned", "escaped\n")], keep_order=True)]),
        {"escape_paths": ["/tmp/hatake-escape-dir/pwned"],
         "host_dirs_to_create": ["/tmp/hatake-escape-dir"],
         "note": "symlink to a host dir, then a file through it, same layer"})
    out["hatake/evil-symlink-cross:latest"] = (
        Image([layer([Entry("link", "symlink", link="/tmp/hatake-escape-dir", mode=0o777)]),
               layer([plain("link/pwned", "escaped\n")])]),
        {"escape_paths": ["/tmp/hatake-escape-dir/pwned"],
         "host_dirs_to_create": ["/tmp/hatake-escape-dir"],
         "note": "layer 1 has the symlink, layer 2 writes through it"})
    out["hatake/evil-hardlink:latest"] = (
        Image([layer([plain("ok", "ok\n"),
                      Entry("passwd-link", "hardlink", link="../../../etc/passwd"),
                      Entry("shadow-link", "hardlink", link="/etc/shadow")], keep_order=True)]),
        {"hardlink_targets": ["../../../etc/passwd", "/etc/shadow"],
         "host_files_untouched": ["/etc/passwd", "/etc/shadow"],
         "note": "hardlinks must not point at host files (check st_ino/st_dev in the rootfs)"})
    out["hatake/evil-whiteout:latest"] = (
        Image([layer([plain("ok", "ok\n"), Entry(".wh."), Entry(".wh.../x")],
                     keep_order=True)]),
        {"whiteout_targets": ["", "../x"],
         "note": "whiteout with an empty name and one whose target is ../x; must not delete "
                 "anything outside the rootfs (e.g. a sibling x of the rootfs)"})
    # Engine-side path checks at run time: /etc/passwd, the working directory and a volume path
    # are symlinks to host paths; everything must be resolved inside the container's root.
    bb = busybox_image().layers[0]
    out["hatake/evil-paths:latest"] = (
        Image([bb, layer([Entry("etc/passwd", "symlink", link="/etc/shadow", mode=0o777),
                          Entry("work", "symlink", link="/tmp/hatake-escape-workdir", mode=0o777),
                          Entry("vol", "symlink", link="/tmp/hatake-escape-vol", mode=0o777)])],
              config_extra={"config": {"Env": [PATH_ENV], "Cmd": ["sh", "-c", "pwd; echo ok > /vol/f"],
                                       "WorkingDir": "/work/sub", "Volumes": {"/vol": {}}}}),
        {"escape_paths": ["/tmp/hatake-escape-workdir/sub", "/tmp/hatake-escape-vol/f"],
         "host_dirs_to_create": ["/tmp/hatake-escape-workdir", "/tmp/hatake-escape-vol"],
         "note": "etc/passwd, the WorkingDir and a declared volume are symlinks to host paths"})
    out["hatake/evil-volume:latest"] = (
        Image([bb], config_extra={"config": {"Env": [PATH_ENV], "Cmd": ["true"],
                                             "Volumes": {"/../../etc": {}}}}),
        {"note": "the config declares a volume outside the root: creating a container is refused"})
    bomb = bomb_layer(300 * 1024 * 1024)
    out["hatake/evil-bomb:latest"] = (
        Image([bomb]),
        {"note": "gzip layer expanding to %d bytes (one file of zeros)" % bomb.uncompressed_size})
    out["hatake/evil-digest:latest"] = (
        Image([layer(dirs("etc") + [plain("etc/evil-digest", "this layer is corrupted in the "
                                                             "registry after the push\n" * 64)])]),
        {"corrupted_in_storage": True,
         "note": "the registry serves layer bytes that do not match the digest (anonymous "
                 "registry only)"})
    good = layer(dirs("etc") + [plain("etc/evil-diffid", "real content\n")])
    wrong = "sha256:" + hashlib.sha256(b"not the layer").hexdigest()
    out["hatake/evil-diffid:latest"] = (
        Image([good], diff_ids=[wrong]),
        {"wrong_diff_id": wrong, "real_diff_id": good.diff_id,
         "note": "config rootfs.diff_ids does not match the uncompressed layer"})
    sized = layer(dirs("etc") + [plain("etc/evil-size", "size lies\n" * 200)])
    out["hatake/evil-size:latest"] = (
        Image([sized], sizes={0: sized.size - 100}),
        {"declared_size": sized.size - 100, "real_size": sized.size,
         "note": "manifest declares a layer size 100 bytes smaller than the blob"})
    # Runtime regression checks (tests/test-runtime-regressions.c): these guard the OCI runtime
    # we ship with rather than the engine.
    out["hatake/evil-workdir-fd:latest"] = (
        Image([bb], config_extra={"config": {
            "Env": [PATH_ENV],
            "Cmd": ["sh", "-c", "readlink /proc/self/cwd; pwd; ls .. | head -n 20; "
                                "cat ../../../../../../tmp/hatake-leak-marker-* 2>/dev/null; "
                                "cat /proc/self/cwd/../../../../../../tmp/hatake-leak-marker-* "
                                "2>/dev/null; true"],
            "WorkingDir": "/proc/self/fd/7"}}),
        {"note": "CVE-2024-21626: WorkingDir /proc/self/fd/7 (a runtime-leaked host fd); the "
                 "runtime must refuse to start it or give it a cwd inside the root"})
    out["hatake/evil-dev-symlink:latest"] = (
        Image([bb, layer([Entry("dev", "symlink", link="/tmp/hatake-evil-dev", mode=0o777)])],
              cmd=("sh", "-c", "echo x > /dev/null; ls -la /dev/ | head -n 5; true")),
        {"escape_paths": ["/tmp/hatake-evil-dev"],
         "host_dirs_to_create": ["/tmp/hatake-evil-dev"],
         "note": "/dev is a symlink to a host dir: the runtime must mount /dev inside the root "
                 "(nothing may appear in /tmp/hatake-evil-dev)"})
    out["hatake/evil-devnull-symlink:latest"] = (
        Image([bb, layer(dirs("dev") + [Entry("dev/null", "symlink", link="/tmp/hatake-evil-null",
                                              mode=0o777)])],
              cmd=("sh", "-c", "echo pwned > /dev/null; chmod 777 /dev/null; true")),
        {"host_files_untouched": ["/tmp/hatake-evil-null"],
         "note": "/dev/null is a symlink to a host file: the runtime's /dev set-up must not "
                 "write, chmod or bind over the host file"})
    return out


# ---------------------------------------------------------------------------------------------
# Registry HTTP API client (push only)

class RegistryError(Exception):
    pass


class Registry:
    def __init__(self, hostport, user=None, password=None):
        self.hostport, self.user, self.password = hostport, user, password
        self.auth_header = None  # "Basic ..." or "Bearer ..." once a challenge was answered

    def _send(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.hostport, timeout=300)
        hdrs = dict(headers or {})
        if self.auth_header:
            hdrs["Authorization"] = self.auth_header
        if body is None and method in ("PUT", "POST", "PATCH"):
            body = b""
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, resp.headers, data

    def _answer_challenge(self, challenge):
        scheme, _, params = challenge.partition(" ")
        if scheme.lower() == "basic":
            if not self.user:
                raise RegistryError("registry %s wants credentials" % self.hostport)
            cred = base64.b64encode(("%s:%s" % (self.user, self.password)).encode()).decode()
            self.auth_header = "Basic " + cred
            return
        fields = dict(re.findall(r'(\w+)="([^"]*)"', params))
        query = {"service": fields.get("service", "")}
        if "scope" in fields:
            query["scope"] = fields["scope"]
        url = urllib.parse.urlsplit(fields["realm"])
        conn = http.client.HTTPConnection(url.netloc, timeout=30)
        hdrs = {}
        if self.user:
            cred = base64.b64encode(("%s:%s" % (self.user, self.password)).encode()).decode()
            hdrs["Authorization"] = "Basic " + cred
        conn.request("GET", url.path + "?" + urllib.parse.urlencode(query), headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RegistryError("token service said %d: %s" % (resp.status, data[:200]))
        body = json.loads(data)
        self.auth_header = "Bearer " + (body.get("token") or body["access_token"])

    def request(self, method, path, body=None, headers=None, ok=(200, 201, 202, 204)):
        """Sends a request, answering one auth challenge if needed. body may be bytes or a
        path (str) to a file, which is reopened for the retry."""
        for attempt in range(2):
            payload = open(body, "rb") if isinstance(body, str) else body
            try:
                status, hdrs, data = self._send(method, path, payload, headers)
            finally:
                if isinstance(body, str):
                    payload.close()
            if status == 401 and attempt == 0:
                self._answer_challenge(hdrs.get("WWW-Authenticate", ""))
                continue
            break
        if ok is not None and status not in ok:
            raise RegistryError("%s %s on %s: %d %s" % (method, path, self.hostport, status,
                                                       data[:300]))
        return status, hdrs, data

    def push_blob(self, repo, digest, size, body):
        status, _, _ = self.request("HEAD", "/v2/%s/blobs/%s" % (repo, digest), ok=None)
        if status == 200:
            return
        _, hdrs, _ = self.request("POST", "/v2/%s/blobs/uploads/" % repo)
        loc = urllib.parse.urlsplit(hdrs["Location"])
        query = loc.query + ("&" if loc.query else "") + urllib.parse.urlencode({"digest": digest})
        self.request("PUT", loc.path + "?" + query, body,
                     {"Content-Type": "application/octet-stream", "Content-Length": str(size)})

    def push_manifest(self, repo, ref, blob):
        _, hdrs, _ = self.request("PUT", "/v2/%s/manifests/%s" % (repo, ref), blob.data,
                                  {"Content-Type": blob.media_type})
        got = hdrs.get("Docker-Content-Digest")
        if got and got != blob.digest:
            raise RegistryError("registry computed %s for %s, expected %s" % (got, ref,
                                                                               blob.digest))

    def push_image(self, repo, tag, img):
        for b in img.blobs():
            self.push_blob(repo, b.digest, b.size, b.data)
        self.push_manifest(repo, tag if tag else img.manifest.digest, img.manifest)

    def push_index(self, repo, tag, index):
        for img, _ in index.entries:
            self.push_image(repo, None, img)
        self.push_manifest(repo, tag, index.manifest)


# ---------------------------------------------------------------------------------------------
# The large benchmark image

def apt_mirror():
    """The Debian mirror apt is configured with (never a host name written in the project)."""
    for path in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"):
        try:
            text = open(path).read()
        except OSError:
            continue
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("URIs:") and "security" not in line:
                return line.split()[1]
            if line.startswith("deb ") and "security" not in line:
                parts = [p for p in line.split()[1:] if not p.startswith("[")]
                return parts[0]
    return None


def large_rootfs(workdir):
    """Returns a directory with a Debian minbase tree, or generated files when debootstrap fails.
    The tree is kept in workdir and reused, as debootstrap takes half a minute."""
    root = os.path.join(workdir, "rootfs")
    done = os.path.join(workdir, "rootfs.done")
    if os.path.exists(done):
        return root, open(done).read().strip()
    shutil.rmtree(root, ignore_errors=True)
    source = "generated"
    mirror = apt_mirror()
    if shutil.which("debootstrap") and mirror:
        r = subprocess.run(["debootstrap", "--variant=minbase", "bookworm", root, mirror],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode == 0:
            source = "debootstrap %s" % mirror
        else:
            print("make-fixtures: debootstrap failed, generating files instead: %s"
                  % r.stderr.decode()[-500:], file=sys.stderr)
            shutil.rmtree(root, ignore_errors=True)
    # Pad to ~12,500 entries and ~300 MB with deterministic, poorly compressible files, so the
    # benchmark has the same shape with or without debootstrap.
    entries = sum(len(d) + len(f) for _, d, f in os.walk(root)) if os.path.isdir(root) else 0
    size = tree_size(root) if os.path.isdir(root) else 0
    missing = max(0, 12500 - entries)
    rng = random.Random(1700000000)
    big_every = 40
    for i in range(missing):
        d = os.path.join(root, "opt/hatake-bench", "d%03d" % (i // 100))
        os.makedirs(d, exist_ok=True)
        left = max(0, 300_000_000 - size)
        n = 2048 if i % big_every else min(left, 100 * 1024 * big_every // 4)
        with open(os.path.join(d, "f%05d" % i), "wb") as f:
            f.write(rng.randbytes(n))
        size += n
    with open(done, "w") as f:
        f.write(source + "\n")
    return root, source


def tree_size(path):
    total = 0
    for dp, dn, fn in os.walk(path):
        for f in fn:
            try:
                total += os.lstat(os.path.join(dp, f)).st_size
            except OSError:
                pass
    return total + os.lstat(path).st_size


def large_image(workdir):
    root, source = large_rootfs(workdir)
    total = tree_size(root)
    # Cut the tree into units no bigger than a fifth of it (splitting big directories such as
    # usr/lib into their children), then deal them into 4 layers of similar size.
    units, parents, todo = {}, [], sorted(os.listdir(root))
    while todo:
        rel = todo.pop()
        p = os.path.join(root, rel)
        sz = tree_size(p)
        if sz > total / 5 and os.path.isdir(p) and not os.path.islink(p):
            parents.append(rel)
            todo += [os.path.join(rel, c) for c in sorted(os.listdir(p))]
        else:
            units[rel] = sz
    groups = [[] for _ in range(4)]
    weights = [0] * 4
    for rel in sorted(units, key=lambda t: (-units[t], t)):
        i = weights.index(min(weights))
        groups[i].append(rel)
        weights[i] += units[rel]
    layers = []
    for n, group in enumerate(groups):
        tarpath = os.path.join(workdir, "layer%d.tar" % n)
        # The split directories themselves (usr, usr/lib, ...) go without their content into
        # the first layer, so every path has its parent directory entry.
        head = ["--no-recursion"] + sorted(parents) + ["--recursion"] if n == 0 else []
        subprocess.run(["tar", "--sort=name", "--mtime=@0", "--numeric-owner", "--xattrs",
                        "--pax-option=delete=atime,delete=ctime", "-C", root, "-cf", tarpath]
                       + head + sorted(group), check=True)
        diff_id = "sha256:" + file_sha256(tarpath)
        usize = os.path.getsize(tarpath)
        subprocess.run(["gzip", "-n", "-6", "-f", tarpath], check=True)
        gzpath = tarpath + ".gz"
        blob = Blob(b"", OCI_LAYER_GZIP, diff_id, usize)
        blob.data, blob.digest, blob.size = gzpath, "sha256:" + file_sha256(gzpath), \
            os.path.getsize(gzpath)
        layers.append(blob)
    return Image(layers, cmd=("/bin/bash",) if "debootstrap" in source else ("sh",)), source


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------

def corrupt_blob(storage, digest):
    """Overwrites bytes in the middle of a blob's data file in the registry's filesystem storage
    so the registry serves content that does not match its digest (same size, idempotent)."""
    hexd = digest.split(":", 1)[1]
    path = os.path.join(storage, "docker/registry/v2/blobs/sha256", hexd[:2], hexd, "data")
    junk = b"HATAKE-CORRUPTED-BLOB"
    with open(path, "r+b") as f:
        size = os.fstat(f.fileno()).st_size
        f.seek(max(0, size // 2 - len(junk) // 2))
        f.write(junk[:size])
    return path


def split_ref(ref):
    repo, _, tag = ref.rpartition(":")
    return repo, tag


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--registry", required=True, help="anonymous registry HOST:PORT")
    ap.add_argument("--storage", help="anonymous registry's storage dir (for evil-digest)")
    ap.add_argument("--basic", help="Basic-auth registry HOST:PORT")
    ap.add_argument("--token", help="token-auth registry HOST:PORT")
    ap.add_argument("--user", default="hatake")
    ap.add_argument("--password", default="hatake-secret")
    ap.add_argument("--out", required=True, help="fixtures.json to write (merged if --large)")
    ap.add_argument("--large", action="store_true",
                    help="build and push only hatake/large:latest (benchmarks)")
    ap.add_argument("--workdir", help="scratch dir for --large (default: a temp dir)")
    args = ap.parse_args()

    anon = Registry(args.registry)
    started = time.monotonic()

    if args.large:
        workdir = args.workdir or tempfile.mkdtemp(prefix="hatake-large-")
        os.makedirs(workdir, exist_ok=True)
        img, source = large_image(workdir)
        anon.push_image("hatake/large", "latest", img)
        fixtures = json.load(open(args.out)) if os.path.exists(args.out) else {
            "schema": 1, "fixtures": {}}
        info = img.info()
        info.update(reference="hatake/large:latest", registries=["anonymous"], hostile=False,
                    note="benchmark image from %s" % source)
        fixtures["fixtures"]["hatake/large:latest"] = info
        write_json(args.out, fixtures)
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        print("make-fixtures: pushed hatake/large:latest (%s) in %.1fs"
              % (source, time.monotonic() - started))
        return

    fixtures = {}
    anon_only = ["anonymous"]

    def record(ref, img, registries=anon_only, hostile=False, **extra):
        info = img.info()
        info.update(reference=ref, registries=list(registries), hostile=hostile)
        info.setdefault("escape_paths", [])
        info.setdefault("escape_relative", [])
        info.update(extra)
        fixtures[ref] = info

    busybox = busybox_image()
    everywhere = [("anonymous", anon)]
    if args.basic:
        everywhere.append(("basic", Registry(args.basic, args.user, args.password)))
    if args.token:
        everywhere.append(("token", Registry(args.token, args.user, args.password)))
    for ref in ("hatake/busybox:latest", "public/busybox:latest"):
        repo, tag = split_ref(ref)
        for _, reg in everywhere:
            reg.push_image(repo, tag, busybox)
        record(ref, busybox, [n for n, _ in everywhere])

    # a web server whose image declares its ports (EXPOSE), for -P
    httpd = Image(busybox.layers, config_extra={"config": {
        "Env": [PATH_ENV], "Cmd": ["busybox", "httpd", "-f", "-p", "80", "-h", "/etc"],
        "ExposedPorts": {"80/tcp": {}, "5353/udp": {}}}})
    anon.push_image("hatake/httpd", "latest", httpd)
    record("hatake/httpd:latest", httpd)

    layered, expect = layered_image()
    anon.push_image("hatake/layered", "latest", layered)
    record("hatake/layered:latest", layered, expect=expect)

    index = multiarch_index(busybox)
    anon.push_index("hatake/multiarch", "latest", index)
    fixtures["hatake/multiarch:latest"] = {
        "reference": "hatake/multiarch:latest", "registries": anon_only, "hostile": False,
        "media_type": OCI_INDEX, "manifest_digest": index.manifest.digest,
        "index_digest": index.manifest.digest, "manifest_size": index.manifest.size,
        "manifests": [dict(img.info(), descriptor=extra) for img, extra in index.entries],
    }

    for tag, img in compress_images().items():
        anon.push_image("hatake/compress", tag, img)
        record("hatake/compress:" + tag, img)

    for ref, (img, notes) in hostile_images().items():
        repo, tag = split_ref(ref)
        anon.push_image(repo, tag, img)
        if notes.get("corrupted_in_storage"):
            if not args.storage:
                raise SystemExit("make-fixtures: --storage is needed to corrupt evil-digest")
            notes["corrupted_blob"] = img.layers[0].digest
            notes["corrupted_file"] = corrupt_blob(args.storage, img.layers[0].digest)
        record(ref, img, hostile=True, **notes)

    write_json(args.out, {"schema": 1, "registry": args.registry, "fixtures": fixtures})
    print("make-fixtures: pushed %d fixtures in %.1fs" % (len(fixtures),
                                                        time.monotonic() - started))


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    try:
        main()
    except RegistryError as e:
        sys.exit("make-fixtures: %s" % e)
