#!/bin/sh
# Build a guest root for dynamically linked programs from Debian's packages, by package name, and
# print the root's path on stdout (all chatter goes to stderr).
#
#   make-debian-root.sh ARCH [PACKAGE...]      ARCH: amd64 | i386 (Debian names)
#                                              PACKAGEs: default "libc6 coreutils"
#
# The packages and everything they Depend/Pre-Depend on (first alternative, same architecture) are
# fetched with `apt-get download`, each .deb is checked against the SHA256 that `apt-cache show`
# lists, and all are unpacked with `dpkg-deb -x` (no maintainer scripts run: the root is a plain
# folder). The result is the guest's "/" for `abiscope run --root`, and a native `chroot ROOT
# /bin/ls` runs in it too (that is what the tests compare with).
#
# Cache: ${ABISCOPE_CACHE:-$HOME/.cache/abiscope}/roots/ARCH/
#   root/        the unpacked root
#   debs/        the verified packages
#   packages     "name version sha256" of each package unpacked
#   request      the package names asked for: the same request reuses the root without asking apt
#                (REFRESH=1 rebuilds it from apt's current lists)
set -eu

arch="${1:?usage: make-debian-root.sh ARCH (amd64|i386) [PACKAGE...]}"
shift
case "$arch" in amd64|i386) ;; *) echo "make-debian-root: unsupported arch '$arch'" >&2; exit 2;; esac
[ $# -gt 0 ] || set -- libc6 coreutils

log() { echo "make-debian-root: $*" >&2; }

cache="${ABISCOPE_CACHE:-$HOME/.cache/abiscope}/roots/$arch"

native="$(dpkg --print-architecture)"
if [ "$arch" != "$native" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
  if [ "$(id -u)" = 0 ]; then
    log "adding foreign architecture $arch"
    dpkg --add-architecture "$arch"
    # Debian here: update exits 100 because one foreign security index is not served; ignore it.
    apt-get update >&2 || true
  else
    log "architecture $arch not configured for apt and not root: run 'dpkg --add-architecture $arch && apt-get update' as root"
    exit 1
  fi
fi

# Cached: a root built for the same request is reused without asking apt (delete the folder, or
# pass REFRESH=1, to rebuild from apt's current lists).
if [ "${REFRESH:-0}" != 1 ] && [ -d "$cache/root" ] && [ -f "$cache/request" ] && [ "$(cat "$cache/request")" = "$*" ]; then
  echo "$cache/root"; exit 0
fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/debs" "$work/root" "$work/ctl"

# apt-cache is slow to start: ask once per round for all names, keep each package's first record.
show() {
  apt-cache show $(for p in "$@"; do echo "$p:$arch"; done) 2>/dev/null | awk -v dir="$work/ctl" '
    /^Package:/ { name = $2; out = (seen[name]++ ? "" : dir "/" name) }
    out != "" { print > out }
    /^$/ { if (out != "") close(out); out = "" }'
}
# field PKG NAME: the value of control field NAME in PKG's record.
field() { awk -v f="$2:" '$1==f{sub(/^[^:]*: */,""); print; exit}' "$work/ctl/$1" 2>/dev/null; }

# ---- dependency closure (breadth first; first alternative of each Depends/Pre-Depends entry)
todo="$*"
all=""
while [ -n "$todo" ]; do
  fresh=""
  for p in $todo; do case " $all $fresh " in *" $p "*) ;; *) fresh="$fresh $p";; esac; done
  [ -n "$fresh" ] || break
  show $fresh
  next=""
  for p in $fresh; do
    [ -n "$(field "$p" SHA256)" ] || { log "apt-cache show $p:$arch has no SHA256 field (unknown package, or apt lists missing? try apt-get update)"; exit 1; }
    all="$all $p"
    deps="$( { field "$p" Pre-Depends; field "$p" Depends; } | tr ',' '\n' \
      | sed -e 's/|.*//' -e 's/([^)]*)//g' -e 's/:any//' -e 's/^ *//' -e 's/ *$//' | grep -v '^$' || true)"
    next="$next $deps"
  done
  todo="$next"
done
all="$(echo $all | tr ' ' '\n' | sort -u | tr '\n' ' ')"

want=""
for p in $all; do want="$want$p $(field "$p" Version) $(field "$p" SHA256)
"; done

log "downloading for $arch:$all"
(cd "$work/debs" && apt-get download $(for p in $all; do echo "$p:$arch"; done) >&2)
for p in $all; do
  deb="$(ls "$work/debs/${p}_"*.deb)"
  got="$(sha256sum "$deb" | cut -d' ' -f1)"
  exp="$(field "$p" SHA256)"
  if [ "$got" != "$exp" ]; then log "sha256 mismatch for $(basename "$deb"): got $got, apt-cache says $exp"; exit 1; fi
  dpkg-deb -x "$deb" "$work/root"
done
# What a program expects to find in any root (and what the native chroot needs): /tmp, /proc, /dev.
mkdir -p "$work/root/tmp" "$work/root/proc" "$work/root/dev"
chmod 1777 "$work/root/tmp"
printf %s "$want" > "$work/packages"
echo "$*" > "$work/request"
rm -rf "$cache/root" "$cache/debs" "$cache/packages" "$cache/request"
mv "$work/root" "$cache/root"
mv "$work/debs" "$cache/debs"
mv "$work/packages" "$cache/packages"
mv "$work/request" "$cache/request"
log "root for $arch ready ($(echo $all | wc -w) packages, each verified against apt-cache's sha256)"
echo "$cache/root"
