#!/usr/bin/env bash
# Runs the whole test suite: unit, connector and in-process cluster tests.
# Installs nothing today beyond the .NET SDK on the machine; services the tests need later
# (PostgreSQL, Redis) are started by the test fixtures themselves and installed here.
set -euo pipefail
cd "$(dirname "$0")"

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

status=0
dotnet test OrleansStream.sln --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" || status=$?

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
