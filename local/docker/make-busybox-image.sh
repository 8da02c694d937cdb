#!/usr/bin/env bash
# Makes a minimal busybox base image from this machine's static busybox
# (Debian's busybox-static), for building non-Node services offline (no
# Docker Hub): /bin/busybox with a link per applet, as the busybox image has.
# Imported with `docker import`.
#
#   local/docker/make-busybox-image.sh [TAG]     (default: stepship/busybox-base:local)
set -euo pipefail

tag="${1:-stepship/busybox-base:local}"
busybox="${BUSYBOX:-/bin/busybox}"
docker_bin="${DOCKER:-docker}"

if ! [ -x "$busybox" ] || ldd "$busybox" > /dev/null 2>&1; then
  echo "make-busybox-image: no static busybox at $busybox (apt-get install busybox-static)" >&2
  exit 1
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
mkdir -p "$root/tmp" "$root/etc" "$root/home/app"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\napp:x:1000:\n' > "$root/etc/group"

tar -C "$root" -c . | "$docker_bin" import \
  --change 'ENV PATH=/bin' \
  --change 'CMD ["sh"]' \
  - "$tag" > /dev/null
echo "$tag"
