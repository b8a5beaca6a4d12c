#!/usr/bin/env bash
# Refresh sweep benchmark: one sweep over N due connections (embedded PostgreSQL, in-process gateway) against a
# token endpoint answering in L ms. Prints the figures and machine load; docs/BENCHMARKS.md records them.
# Usage: bench/sweep.sh [connections=10000] [latency_ms=50] [parallelism=16]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"; L="${2:-50}"; P="${3:-16}"
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -q -B test -Dtest=SweepBenchTest -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.connections="$N" -Dbench.latency-ms="$L" -Dbench.parallelism="$P" \
    -DargLine="-Dbench.connections=$N -Dbench.latency-ms=$L -Dbench.parallelism=$P"
cat target/bench-sweep.txt | tee -a bench/sweep-results.txt
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
