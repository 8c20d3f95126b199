#!/usr/bin/env bash
# Runs the regular test suite: unit, connector, storage and in-process cluster tests.
#   ./test.sh                 the regular suite (about ten minutes on two cores)
#   ./test.sh --end-to-end    the slow end-to-end suite: real silo and CLI processes, and the silo and CLI images
#                             in podman containers (CI runs both)
# Further arguments go to 'dotnet test'. The test fixtures start the servers they need themselves
# (a throwaway PostgreSQL cluster, a redis-server); this script makes sure the programs are there.
set -euo pipefail
cd "$(dirname "$0")"

suite="Suite!=EndToEnd&Suite!=Soak"
if [ "${1:-}" = "--end-to-end" ]; then
  suite="Suite=EndToEnd"
  shift
fi

# PostgreSQL 15 (initdb, pg_ctl) comes with the machine image; its bin directory may not be on PATH.
if ! command -v initdb >/dev/null 2>&1; then
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then PATH="$dir:$PATH"; fi
  done
  export PATH
fi
for tool in initdb pg_ctl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test.sh: '$tool' is not on PATH. The storage tests start a throwaway PostgreSQL 15 with initdb and pg_ctl: install postgresql-15 (apt-get install -y postgresql-15) or put its bin directory on PATH." >&2
    exit 1
  fi
done

# redis-server is not on the image: install it once (Debian package).
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: redis-server is missing; install it as root with 'apt-get install -y redis-server'." >&2
    exit 1
  fi
  echo "test.sh: installing redis-server"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q redis-server >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q redis-server >/dev/null
  fi
fi

if [ "$suite" = "Suite=EndToEnd" ]; then
  # The container tests run the silo and CLI images: build them from this checkout with podman (installed if
  # missing). The Debian base is made once and cached outside the repository (ORLEANSSTREAM_CACHE).
  conf="$(deploy/container/build-images.sh | tail -n 1)"
  export "${conf?}"
  # PostgreSQL in a container on the silos' network: a test image from Debian's package, built once.
  tests/tools/build-postgres-image.sh > /dev/null

  # The Kubernetes tests run a real API server: etcd from Debian, kube-apiserver built from Debian's source package
  # once (10-13 minutes on two cores; cached in ORLEANSSTREAM_CACHE).
  if ! command -v etcd >/dev/null 2>&1; then
    echo "test.sh: installing etcd-server"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server >/dev/null
  fi
  KUBE_APISERVER="$(tests/tools/build-kube-apiserver.sh | tail -n 1)"
  export KUBE_APISERVER
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

status=0
dotnet test OrleansStream.sln --filter "$suite" --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" || status=$?

# One line with the totals, counted from the test results, so every run shows what it counted.
python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    if counters is not None:
        passed += int(counters.get("passed", 0))
        failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
        skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
