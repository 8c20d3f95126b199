#!/usr/bin/env bash
# Builds the silo and CLI images into the local podman store, from Debian's packages and this checkout, with no
# registry: a Debian base made by debootstrap, the .NET runtime of the machine's SDK, and the silo and CLI published
# on the machine. Safe to run again: the base image and the packages are cached in $ORLEANSSTREAM_CACHE
# (default /var/cache/orleansstream, outside the repository); the images are rebuilt from the checkout each time.
#
#   deploy/container/build-images.sh            # localhost/orleansstream-silo:0.1 and localhost/orleansstream-cli:0.1
#
# It prints the CONTAINERS_CONF to use with podman afterwards (see docs/kubernetes.md).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${ORLEANSSTREAM_CACHE:-/var/cache/orleansstream}"
tag="${ORLEANSSTREAM_IMAGE_TAG:-0.1}"
base=localhost/orleansstream-base:bookworm
mkdir -p "$cache"

# What podman needs here, from Debian.
missing=()
for tool in podman buildah debootstrap runc; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
  echo "build-images: installing podman, buildah, debootstrap, runc" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman buildah debootstrap runc uidmap slirp4netns fuse-overlayfs > "$cache/apt.log" 2>&1 \
    || { echo "build-images: apt-get install failed; see $cache/apt.log" >&2; exit 1; }
fi

# podman's defaults fail on these machines (crun cannot set the rlimits, hybrid cgroups): runc with explicit
# ulimits, in a file of our own rather than /etc.
export CONTAINERS_CONF="$cache/containers.conf"
cat > "$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF

# The base: Debian bookworm's minimal system with what .NET needs (ICU, CA certificates), once.
if ! podman image exists "$base"; then
  tarball="$cache/base/bookworm-minbase.tar"
  if [[ ! -s "$tarball" ]]; then
    mirror="$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 | awk '{print $2}')"
    mirror="${mirror:-http://deb.debian.org/debian}"
    rootfs="$(mktemp -d)"
    echo "build-images: debootstrap bookworm from $mirror (a few minutes, once)" >&2
    debootstrap --variant=minbase --include=libicu72,ca-certificates bookworm "$rootfs" "$mirror" > "$cache/debootstrap.log" 2>&1 \
      || { echo "build-images: debootstrap failed; see $cache/debootstrap.log" >&2; rm -rf "$rootfs"; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    mkdir -p "$cache/base"
    tar -C "$rootfs" -c . > "$tarball.partial" && mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
  fi
  podman import -q "$tarball" "$base" > /dev/null
fi

if ! podman run --rm "$base" true; then
  echo "build-images: podman cannot run a container here (CONTAINERS_CONF=$CONTAINERS_CONF)" >&2
  exit 1
fi

# The context: the machine's .NET runtime (the SDK's shared frameworks) and the published silo and CLI.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
mkdir -p "$context/dotnet/shared"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$context/dotnet/"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$context/dotnet/shared/"
dotnet publish "$repo/silo/OrleansStream.Silo.csproj" -c Release -o "$context/silo" -p:UseAppHost=false --nologo -v quiet
dotnet publish "$repo/client/OrleansStream.Cli.csproj" -c Release -o "$context/cli" -p:UseAppHost=false --nologo -v quiet

for target in silo cli; do
  podman build -q --network=none -f "$repo/deploy/container/Containerfile" --build-arg "BASE=$base" --target "$target" \
    -t "localhost/orleansstream-$target:$tag" "$context" > /dev/null
  echo "build-images: localhost/orleansstream-$target:$tag" >&2
done

# The images these replaced: each rebuild would otherwise leave a few hundred megabytes behind.
podman image prune -f > /dev/null

echo "CONTAINERS_CONF=$CONTAINERS_CONF"
