#!/usr/bin/env bash
# scaling-ab.sh: one thread against two, for one or two builds of the benchmark jar, in
# alternating runs (issue 8; docs/BENCHMARKS.md, "Concurrency", session 8).
#
#   bench/scaling-ab.sh [--rounds N] [--bench NAME] JAR [JAR2]
#
#   JAR, JAR2     bench/target/quillfs-benchmarks.jar of each build (copy a build's jar
#                 aside before building the other)
#   --rounds N    rounds of runs (default 2); each round runs every jar with 1 and then
#                 2 threads
#   --bench NAME  the ScalingBenchmark method (default createInOwnDirectory)
#
# Each run is `-f 1 -wi 4 -i 10 -w 2s -r 2s` and is reported as the median of its ten
# iterations, not JMH's mean: with two threads a run's iterations swing by ±30% (checkpoints,
# the host's disk), and with 4-second iterations whole runs of one build differed by 50%;
# medians of 2-second iterations agree within about 5%. Prints one line per run and, per
# round and jar, the ratio of two threads to one.
#
# Exit codes: 0 measured, 1 a run failed, 2 a bad argument.
set -euo pipefail

prog=scaling-ab.sh
die() { echo "$prog: $*" >&2; exit 2; }

rounds=2 bench=createInOwnDirectory jars=()
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) [ $# -ge 2 ] || die "--rounds needs a number"; rounds=$2; shift ;;
        --bench) [ $# -ge 2 ] || die "--bench needs a method name"; bench=$2; shift ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *) jars+=("$1") ;;
    esac
    shift
done
[ ${#jars[@]} -ge 1 ] && [ ${#jars[@]} -le 2 ] || die "give one or two benchmark jars (see --help)"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number, not '$rounds'"
for jar in "${jars[@]}"; do
    [ -f "$jar" ] || die "no such jar: $jar (build with 'make build' or mvn package in bench/)"
done

# The median ops/s of one run's measured iterations, read from JMH's JSON results (the text
# output prints the last iteration's score after the benchmark's own report, on a line of its own).
median_run() {
    local jar=$1 threads=$2 out
    if ! out=$(java -jar "$jar" "ScalingBenchmark.$bench" -f 1 -wi 4 -i 10 -w 2s -r 2s -t "$threads" \
            -rf json -rff "$results" 2>&1); then
        echo "$prog: the run of $jar with $threads threads failed:" >&2
        tail -5 <<<"$out" >&2
        exit 1
    fi
    python3 -c 'import json, statistics, sys
print(statistics.median(json.load(open(sys.argv[1]))[0]["primaryMetric"]["rawData"][0]))' "$results"
}

results=$(mktemp --suffix=.json)
trap 'rm -f "$results"' EXIT

for ((round = 1; round <= rounds; round++)); do
    for jar in "${jars[@]}"; do
        one=$(median_run "$jar" 1)
        two=$(median_run "$jar" 2)
        awk -v r="$round" -v j="$jar" -v a="$one" -v b="$two" \
            'BEGIN {printf "round %d  %-50s 1 thread %9.0f/s  2 threads %9.0f/s  2 ÷ 1 %.2f×\n", r, j, a, b, b / a}'
    done
done
