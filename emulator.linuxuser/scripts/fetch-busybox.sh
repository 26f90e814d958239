#!/bin/sh
# Fetch Debian's busybox-static for one architecture into the abiscope guest cache and print the
# path of the extracted binary on stdout (all chatter goes to stderr).
#
#   fetch-busybox.sh ARCH            ARCH: i386 | amd64 | arm64 | armhf (Debian names)
#
# Cache: ${ABISCOPE_CACHE:-$HOME/.cache/abiscope}/guests/ARCH/busybox
#   busybox                 the binary (bin/busybox from the package)
#   busybox-static_*.deb    the package it came from
#   busybox.sha256          sha256 of the binary, recorded after the .deb's checksum was verified
# Idempotent: when the binary exists and matches busybox.sha256 the script prints it at once.
set -eu

arch="${1:?usage: fetch-busybox.sh ARCH (i386|amd64|arm64|armhf)}"
case "$arch" in i386|amd64|arm64|armhf) ;; *) echo "fetch-busybox: unsupported arch '$arch'" >&2; exit 2;; esac

cache="${ABISCOPE_CACHE:-$HOME/.cache/abiscope}/guests/$arch/busybox"
bin="$cache/busybox"
sumfile="$cache/busybox.sha256"

if [ -f "$bin" ] && [ -f "$sumfile" ]; then
  if [ "$(sha256sum "$bin" | cut -d' ' -f1)" = "$(cat "$sumfile")" ]; then
    echo "$bin"; exit 0
  fi
  echo "fetch-busybox: cached binary does not match its recorded sha256, fetching again" >&2
fi

log() { echo "fetch-busybox: $*" >&2; }

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

want_sha="$(apt-cache show "busybox-static:$arch" 2>/dev/null | awk '/^SHA256:/{print $2; exit}')"
if [ -z "$want_sha" ] && [ "$(id -u)" = 0 ]; then
  apt-get update >&2 || true
  want_sha="$(apt-cache show "busybox-static:$arch" 2>/dev/null | awk '/^SHA256:/{print $2; exit}')"
fi
[ -n "$want_sha" ] || { log "apt-cache show busybox-static:$arch has no SHA256 field (apt lists missing?)"; exit 1; }
version="$(apt-cache show "busybox-static:$arch" | awk '/^Version:/{print $2; exit}')"

mkdir -p "$cache"
work="$(mktemp -d "$cache/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT INT TERM
log "downloading busybox-static:$arch $version"
(cd "$work" && apt-get download "busybox-static:$arch" >&2)
deb="$(ls "$work"/busybox-static_*.deb)"
got_sha="$(sha256sum "$deb" | cut -d' ' -f1)"
if [ "$got_sha" != "$want_sha" ]; then
  log "sha256 mismatch for $(basename "$deb"): got $got_sha, apt-cache says $want_sha"
  exit 1
fi
dpkg-deb -x "$deb" "$work/root"
[ -f "$work/root/bin/busybox" ] || { log "package has no bin/busybox"; exit 1; }
# The package's own md5sums list is the reference for the extracted file.
dpkg-deb -e "$deb" "$work/control"
want_md5="$(awk '$2=="bin/busybox"{print $1}' "$work/control/md5sums")"
got_md5="$(md5sum "$work/root/bin/busybox" | cut -d' ' -f1)"
if [ -z "$want_md5" ] || [ "$want_md5" != "$got_md5" ]; then
  log "extracted bin/busybox md5 $got_md5 does not match the package's md5sums ($want_md5)"; exit 1
fi
rm -f "$cache"/busybox-static_*.deb
mv "$deb" "$cache/"
mv "$work/root/bin/busybox" "$bin.tmp"
chmod 755 "$bin.tmp"
mv -f "$bin.tmp" "$bin"
sha256sum "$bin" | cut -d' ' -f1 > "$sumfile"
# Re-check the extracted binary against the recorded sum (guards a torn write).
[ "$(sha256sum "$bin" | cut -d' ' -f1)" = "$(cat "$sumfile")" ] || { log "extracted binary checksum mismatch"; exit 1; }
log "busybox-static:$arch $version verified (deb sha256 $got_sha)"
echo "$bin"
