#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the layer fuzzer's seeds into corpus/layer/: small tars of each kind of entry the
# unpacker meets (files, folders, links, whiteouts, PAX xattrs, devices, long names) and the
# escapes it must refuse. Deterministic: run it again after changing it and commit what changed.
import gzip
import io
import os
import tarfile

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'layer')
os.makedirs(out, exist_ok=True)


def entry(name, kind=tarfile.REGTYPE, data=b'', **kw):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mtime = 0
    ti.mode = kw.pop('mode', 0o755 if kind == tarfile.DIRTYPE else 0o644)
    for k, v in kw.items():
        setattr(ti, k, v)
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    return ti, data


def tar(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=fmt) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
    raw = buf.getvalue()
    # keep the two zero blocks that end the archive, not the padding to 10 KiB after them
    end = len(raw.rstrip(b'\0'))
    end = (end + 511) // 512 * 512 + 1024
    return raw[:end]


def write(name, data):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)


basic = [
    entry('etc/', tarfile.DIRTYPE),
    entry('etc/hostname', data=b'layer\n'),
    entry('etc/passwd', data=b'root:x:0:0:root:/root:/bin/sh\n', uid=0, gid=0),
    entry('bin/', tarfile.DIRTYPE),
    entry('bin/sh', data=b'#!ELF', mode=0o4755),
    entry('bin/ash', tarfile.SYMTYPE, linkname='sh'),
    entry('bin/hard', tarfile.LNKTYPE, linkname='bin/sh'),
    entry('home/user/', tarfile.DIRTYPE, uid=1000, gid=1000, mode=0o700),
]
write('basic.tar', tar(basic))
write('basic.tar.gz', gzip.compress(tar(basic), mtime=0))
write('gnu-longname.tar', tar([entry('d/' + 'x' * 150, data=b'long'),
                               entry('l', tarfile.SYMTYPE, linkname='y' * 120)], tarfile.GNU_FORMAT))
write('ustar.tar', tar([entry('a/b/c', data=b'abc')], tarfile.USTAR_FORMAT))
write('whiteouts.tar', tar([
    entry('dir/', tarfile.DIRTYPE),
    entry('dir/.wh..wh..opq'),
    entry('dir/.wh.gone'),
    entry('.wh.top'),
    entry('.wh..wh.plnk/', tarfile.DIRTYPE),
]))
write('xattrs.tar', tar([
    entry('f', data=b'x', pax_headers={'SCHILY.xattr.user.comment': 'hi',
                                      'SCHILY.xattr.security.capability': '\x01\x00\x00\x02'}),
    entry('d/', tarfile.DIRTYPE, pax_headers={'SCHILY.xattr.trusted.overlay.opaque': 'y'}),
]))
write('devices.tar', tar([
    entry('dev/', tarfile.DIRTYPE),
    entry('dev/null', tarfile.CHRTYPE, devmajor=1, devminor=3),
    entry('dev/sda', tarfile.BLKTYPE, devmajor=8, devminor=0),
    entry('dev/fifo', tarfile.FIFOTYPE),
]))
write('escape-dotdot.tar', tar([entry('../escaped', data=b'out')]))
write('escape-absolute.tar', tar([entry('/escaped-abs', data=b'out')]))
write('escape-symlink.tar', tar([
    entry('link', tarfile.SYMTYPE, linkname='../..'),
    entry('link/escaped', data=b'out'),
]))
write('escape-symlink-abs.tar', tar([
    entry('abs', tarfile.SYMTYPE, linkname='/'),
    entry('abs/escaped', data=b'out'),
]))
write('escape-hardlink.tar', tar([entry('h', tarfile.LNKTYPE, linkname='../../blob')]))
write('replace.tar', tar([
    entry('x', data=b'file'),
    entry('x/', tarfile.DIRTYPE),
    entry('x', tarfile.SYMTYPE, linkname='/etc'),
    entry('x', data=b'again'),
]))
