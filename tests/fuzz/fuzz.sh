#!/usr/bin/env bash
# Fuzzes the topology parser, the line parsers (JSON, split, regex, the IP count's log lines) and the record codecs
# with afl++ through SharpFuzz, for a bounded time per target, starting from the seeds in tests/fuzz/seeds and the
# inputs kept in tests/fuzz/regressions.
#
#   tests/fuzz/fuzz.sh [seconds per target, default 60] [target ...]
#
# Not part of ./test.sh or CI: a fuzzer finds what it finds when it finds it, and a build must not fail by chance.
# Every crash or hang it finds is copied to tests/fuzz/regressions/<target>/, which the regular suite replays
# (FuzzRegressionTests): fix it, and commit the input with the fix. Exit code 1 when anything was found.
# Installs afl++ (Debian) and the SharpFuzz command-line tool when missing; both are cached outside the repository.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(topology json-line split-line regex-line log-line row-codec record-codecs)
fi

cache="${ORLEANSSTREAM_CACHE:-/var/cache/orleansstream}/fuzz"
mkdir -p "$cache"

if ! command -v afl-fuzz > /dev/null; then
  echo "Installing afl++ ..."
  apt-get install -y -qq afl++ > /dev/null
fi

sharpfuzz="$cache/tools/sharpfuzz"
if [ ! -x "$sharpfuzz" ]; then
  echo "Installing the SharpFuzz command-line tool ..."
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$cache/tools" > /dev/null
fi

# A published harness whose assemblies under test are instrumented (SharpFuzz rewrites them in place).
harness="$cache/harness"
rm -rf "$harness"
if ! built="$(dotnet publish "$repo/tests/OrleansStream.Fuzz" -c Release -o "$harness" --nologo -v quiet 2>&1)"; then
  echo "$built" >&2
  exit 1
fi
# The codecs' binary seeds come from the harness before it is instrumented: instrumented code runs only under afl.
seeds="$cache/seeds"
rm -rf "$seeds"
cp -r "$repo/tests/fuzz/seeds" "$seeds"
dotnet "$harness/OrleansStream.Fuzz.dll" seeds "$seeds"
for assembly in OrleansStream.dll OrleansStream.Topology.dll OrleansStream.Connectors.dll IpCount.dll YamlDotNet.dll DynamicExpresso.Core.dll; do
  "$sharpfuzz" "$harness/$assembly" > /dev/null
done

found=0
for target in "${targets[@]}"; do
  input="$seeds/$target"
  if [ -d "$repo/tests/fuzz/regressions/$target" ]; then
    cp "$repo/tests/fuzz/regressions/$target/"* "$input/" 2>/dev/null || true
  fi

  output="$cache/findings/$target"
  rm -rf "$output"
  mkdir -p "$cache/findings"
  echo "Fuzzing $target for $seconds s ..."
  # -t: a run longer than 2 s is a hang (the harness starts once, then runs input after input in one process).
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 \
    afl-fuzz -V "$seconds" -t 2000 -m none -i "$input" -o "$output" -- dotnet "$harness/OrleansStream.Fuzz.dll" "$target" > "$cache/$target.log" 2>&1 || {
      echo "afl-fuzz failed for $target; its output is in $cache/$target.log" >&2
      tail -20 "$cache/$target.log" >&2
      exit 2
    }

  stats="$output/default/fuzzer_stats"
  runs=$(awk -F: '/^execs_done/ { gsub(/ /, "", $2); print $2 }' "$stats")
  paths=$(awk -F: '/^corpus_count/ { gsub(/ /, "", $2); print $2 }' "$stats")
  kept=0
  for kind in crashes hangs; do
    for finding in "$output/default/$kind"/id:*; do
      [ -e "$finding" ] || continue
      mkdir -p "$repo/tests/fuzz/regressions/$target"
      name="$kind-$(sha256sum "$finding" | cut -c1-16)"
      cp "$finding" "$repo/tests/fuzz/regressions/$target/$name"
      kept=$((kept + 1))
    done
  done

  echo "  $target: $runs runs, $paths paths, $kept crashes or hangs"
  if [ "$kept" -gt 0 ]; then
    found=1
  fi
done

if [ "$found" -ne 0 ]; then
  echo "Findings were copied to tests/fuzz/regressions: the regular suite replays them (FuzzRegressionTests)." >&2
  exit 1
fi
