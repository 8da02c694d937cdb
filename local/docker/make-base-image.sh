#!/usr/bin/env bash
# Makes a minimal Node base image from this machine's own files, for building
# the service offline (no Docker Hub): the Node binary the project runs on,
# npm, a POSIX shell and the few tools a Dockerfile RUN step uses, with the
# shared libraries they link against. Imported with `docker import`.
#
#   local/docker/make-base-image.sh [TAG]     (default: stepship/node-base:24)
set -euo pipefail

tag="${1:-stepship/node-base:24}"
project="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
node_bin="${NODE_BIN:-$project/node_modules/node/bin/node}"
npm_dir="${NPM_DIR:-$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")}"
docker_bin="${DOCKER:-docker}"

[ -x "$node_bin" ] || { echo "make-base-image: no Node binary at $node_bin (run npm ci first)" >&2; exit 1; }
[ -f "$npm_dir/bin/npm-cli.js" ] || { echo "make-base-image: no npm at $npm_dir" >&2; exit 1; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

copy_with_libs() {
  local bin="$1" dest="$2"
  install -D -m 0755 "$bin" "$root$dest"
  ldd "$bin" | grep -o '/[^ ]*' | while read -r lib; do
    [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
}

copy_with_libs "$node_bin" /usr/local/bin/node
copy_with_libs "$(command -v dash)" /bin/sh
for tool in mkdir cp rm mv ln cat ls env chmod; do
  copy_with_libs "$(command -v "$tool")" "/bin/$tool"
done
mkdir -p "$root/usr/local/lib/node_modules" "$root/tmp" "$root/root" "$root/home/node" "$root/etc"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
ln -s /bin/env "$root/usr/bin/env" 2>/dev/null || { mkdir -p "$root/usr/bin"; ln -s /bin/env "$root/usr/bin/env"; }
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' > "$root/etc/group"
chown 1000:1000 "$root/home/node"

tar -C "$root" -c . | "$docker_bin" import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'CMD ["node"]' \
  - "$tag" > /dev/null
echo "$tag"
