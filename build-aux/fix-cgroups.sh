#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Makes a hybrid cgroup layout usable by crun, so that the tests can run containers with both
# crun and runc.
#
# crun (1.8) refuses a hybrid layout whose cgroup2 mount (/sys/fs/cgroup/unified) still owns a
# controller: "cgroups in hybrid mode not supported, drop all controllers from cgroupv2". This
# mounts each such controller as a cgroup v1 hierarchy at /sys/fs/cgroup/NAME, which takes it
# away from cgroup2 (the kernel binds a controller to one hierarchy at a time). runc works
# either way. It is what `hatake system cgroups --fix` does (hatake_cgroups_fix_hybrid()).
#
#   build-aux/fix-cgroups.sh           # move the controllers; idempotent
#   build-aux/fix-cgroups.sh --undo    # unmount what an earlier run mounted
#   build-aux/fix-cgroups.sh --check   # exit 0 if crun can work with the layout, 1 if not
#
# Needs root. Changes the whole machine until --undo or a reboot. What it mounted is listed in
# $HATAKE_CGROUPS_STATE (default /run/hatake-fix-cgroups.list), so --undo touches nothing else.
set -euo pipefail

CGROUP=/sys/fs/cgroup
UNIFIED=$CGROUP/unified
STATE=${HATAKE_CGROUPS_STATE:-/run/hatake-fix-cgroups.list}

say() { printf 'fix-cgroups: %s\n' "$*"; }
die() { printf 'fix-cgroups: %s\n' "$*" >&2; exit 2; }

fstype() { stat -f -c %T "$1" 2>/dev/null || echo none; }

# The controllers the hybrid cgroup2 mount owns, one per line; nothing unless the layout is
# hybrid (cgroup2 at /sys/fs/cgroup/unified, not at /sys/fs/cgroup).
owned_controllers() {
  [ "$(fstype "$CGROUP")" != cgroup2fs ] || return 0
  [ "$(fstype "$UNIFIED")" = cgroup2fs ] || return 0
  tr ' ' '\n' < "$UNIFIED/cgroup.controllers" | sed '/^$/d'
}

is_mount_point() {
  awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo
}

check() {
  local owned
  owned=$(owned_controllers | paste -sd ' ')
  if [ -z "$owned" ]; then
    say "layout: $(describe); crun can use it"
    return 0
  fi
  say "layout: hybrid, and $UNIFIED owns: $owned; crun refuses it (runc works)"
  return 1
}

describe() {
  if [ "$(fstype "$CGROUP")" = cgroup2fs ]; then echo unified
  elif [ "$(fstype "$UNIFIED")" = cgroup2fs ]; then
    echo "hybrid, $UNIFIED owns: $(owned_controllers | paste -sd ' ' | sed 's/^$/no controller/')"
  else echo legacy
  fi
}

fix() {
  local owned name target created
  owned=$(owned_controllers)
  if [ -z "$owned" ]; then
    say "nothing to do: $(describe)"
    return 0
  fi
  for name in $owned; do
    target=$CGROUP/$name
    if is_mount_point "$target"; then
      die "$target is already a mount point, but $name is still on cgroup2; look at it by hand"
    fi
    created=no
    if [ ! -d "$target" ]; then
      mkdir "$target" || die "cannot create $target (is $CGROUP read-only?)"
      created=yes
    fi
    if ! mount -t cgroup -o nosuid,nodev,noexec,"$name" cgroup "$target"; then
      [ "$created" = no ] || rmdir "$target"
      die "mounting $name as cgroup v1 at $target failed; if the error is 'busy', a cgroup2" \
          "cgroup still enables it in cgroup.subtree_control"
    fi
    printf '%s %s\n' "$name" "$created" >> "$STATE"
    say "moved $name from cgroup2 ($UNIFIED) to a cgroup v1 hierarchy at $target"
  done
  check
}

wait_for_cgroup2() {
  local _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if [ "$(fstype "$UNIFIED")" != cgroup2fs ] || grep -qw "$1" "$UNIFIED/cgroup.controllers"; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

undo() {
  local name created target back attempt
  if [ ! -s "$STATE" ]; then
    say "nothing to undo ($STATE is missing or empty)"
    return 0
  fi
  while read -r name created; do
    target=$CGROUP/$name
    if is_mount_point "$target"; then
      umount "$target"
      say "unmounted the v1 $name hierarchy at $target"
    fi
    if [ "$created" = yes ] && [ -d "$target" ]; then
      rmdir "$target" 2>/dev/null || true
    fi
    # The kernel frees the hierarchy (and gives the controller back to cgroup2) a moment after
    # the unmount, but only if it had no child cgroups at that moment: one a container removed
    # just before may still be dying, and then the hierarchy lingers unmounted and keeps the
    # controller. Mounting it again (which finds the same hierarchy) and unmounting once the
    # children are gone frees it.
    back=no
    for attempt in 1 2 3; do
      if wait_for_cgroup2 "$name"; then
        back=yes
        break
      fi
      [ "$attempt" = 3 ] && break
      mkdir -p "$target"
      mount -t cgroup -o "$name" cgroup "$target" || break
      sleep 1
      umount "$target"
      [ "$created" = yes ] && rmdir "$target" 2>/dev/null || true
    done
    if [ "$back" = no ]; then
      say "warning: $name is not back on cgroup2: its v1 hierarchy still has cgroups; mount it" \
          "(mount -t cgroup -o $name cgroup $target), remove the cgroups in it, unmount it"
    fi
  done < "$STATE"
  rm -f "$STATE"
  check || true
}

case "${1:-}" in
  --check) check; exit $? ;;
  --undo) mode=undo ;;
  "") mode=fix ;;
  -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac

[ "$(id -u)" = 0 ] || die "needs root: it changes the machine's cgroup mounts"
"$mode"
