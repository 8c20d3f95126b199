#!/usr/bin/env bash
# Builds localhost/orleansstream-test-postgres:15 once: PostgreSQL 15 from Debian's package on the project's Debian base
# image (made by deploy/container/build-images.sh, which must have run), for the tests that run PostgreSQL in a
# container on a podman network beside the silo containers. A throwaway server: trust authentication from anywhere,
# no fsync, data inside the container only. Prints the image's name.
set -euo pipefail

image=localhost/orleansstream-test-postgres:15
base=localhost/orleansstream-base:bookworm
cache="${ORLEANSSTREAM_CACHE:-/var/cache/orleansstream}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$cache/containers.conf}"

if ! podman image exists "$image"; then
  podman image exists "$base" || { echo "build-postgres-image: $base is missing; run deploy/container/build-images.sh first" >&2; exit 1; }
  context="$(mktemp -d)"
  trap 'rm -rf "$context"' EXIT
  cat > "$context/Containerfile" <<'CONTAINERFILE'
ARG BASE
FROM ${BASE}
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql-15 > /dev/null \
 && rm -rf /var/lib/apt/lists/*
USER postgres
ENV PATH=/usr/lib/postgresql/15/bin:/usr/bin:/bin \
    PGDATA=/tmp/pgdata
EXPOSE 5432
ENTRYPOINT ["sh", "-c", "initdb -D \"$PGDATA\" --auth=trust --username=postgres > /dev/null && echo 'host all all 0.0.0.0/0 trust' >> \"$PGDATA/pg_hba.conf\" && exec postgres -D \"$PGDATA\" -c listen_addresses='*' -c unix_socket_directories=/tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"]
CONTAINERFILE
  echo "build-postgres-image: building $image from Debian's postgresql-15 (about a minute, once)" >&2
  podman build -q --build-arg "BASE=$base" -t "$image" "$context" > "$cache/postgres-image.log" 2>&1 \
    || { echo "build-postgres-image: podman build failed; see $cache/postgres-image.log" >&2; exit 1; }
fi

echo "$image"
