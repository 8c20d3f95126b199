#!/usr/bin/env bash
# The chaos soak: the IP count on three silo processes over PostgreSQL through a seeded series of faults (SIGKILL,
# SIGSTOP/SIGCONT, SIGTERM, PostgreSQL restarts); checks that the committed output is exactly the failure-free result
# and that no silo's memory grows past 1 GiB, and prints the faults survived, the recovery times and the peak memory.
#
#   tests/soak/soak.sh [faults, default 100] [seed, default 1]
#
# Not part of ./test.sh or CI: 100 faults take about half an hour on two cores. Same seed, same faults in the same order.
set -euo pipefail
cd "$(dirname "$0")/../.."

export ORLEANSSTREAM_SOAK_FAULTS="${1:-100}" ORLEANSSTREAM_SOAK_SEED="${2:-1}"
ORLEANSSTREAM_SOAK_REPORT="$(mktemp)"
export ORLEANSSTREAM_SOAK_REPORT
trap 'rm -f "$ORLEANSSTREAM_SOAK_REPORT"' EXIT

if ! command -v initdb > /dev/null 2>&1; then
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then PATH="$dir:$PATH"; fi
  done
  export PATH
fi

if ! built="$(dotnet build OrleansStream.sln --nologo -v quiet 2>&1)"; then
  echo "$built" >&2
  exit 1
fi
status=0
dotnet test tests/OrleansStream.Tests --no-build --filter "Suite=Soak" --nologo || status=$?
cat "$ORLEANSSTREAM_SOAK_REPORT"
exit "$status"
