#!/usr/bin/env bash
# randfsync-ab.sh: the random 4 KiB write + fsync workload of mount-compare.sh, on one or
# more quillfs builds and fuse2fs side by side, in rotating rounds (issue 5;
# docs/BENCHMARKS.md, "Session 10").
#
#   bench/randfsync-ab.sh [--rounds N] [--ops N] ROOT [ROOT...]
#
#   ROOT        a checkout with a build (its bin/mkfs.quillfs and bin/mount.quillfs are
#               used); give two to compare builds: `git worktree add DIR COMMIT` and
#               `mvn -o -q install -DskipTests` in DIR make a second one
#   --rounds N  rounds (default 12); each runs the workload once on fuse2fs and then on
#               every quillfs mount, in that order
#   --ops N     write + fsync pairs per run (default 2,000)
#
# A single run of this workload swings by ±15% from one run to the next on these shared
# machines (the host's flush rate), more than most changes move it; runs seconds apart
# share the host's mood, so only rotating many short rounds and comparing medians tells
# builds apart. Every quillfs daemon first runs 12,000 pairs untimed (its JIT warm-up).
# Prints one line per round (ops/s of each, and fuse2fs's time ÷ each quillfs's) and the
# medians.
#
# Mounts everything under a scratch directory in /var/tmp and unmounts it, stopping the
# daemons it started, in every outcome. Must run as root.
#
# Exit codes: 0 measured, 1 a failure, 2 refused (not root, a tool missing, a bad argument).
set -euo pipefail

prog=randfsync-ab.sh
here=$(dirname "$(readlink -f "$0")")
die() { echo "$prog: $*" >&2; exit 2; }

rounds=12 ops=2000 roots=()
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) [ $# -ge 2 ] || die "--rounds needs a number"; rounds=$2; shift ;;
        --ops) [ $# -ge 2 ] || die "--ops needs a number"; ops=$2; shift ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *) roots+=("$1") ;;
    esac
    shift
done
[ ${#roots[@]} -ge 1 ] || die "give at least one quillfs checkout with a build (see --help)"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number, not '$rounds'"
[[ $ops =~ ^[1-9][0-9]*$ ]] || die "--ops must be a positive number, not '$ops'"
[ "$(id -u)" = 0 ] || die "must run as root (it mounts)"
for tool in python3 mkfs.ext4 fuse2fs mountpoint; do
    command -v "$tool" >/dev/null || die "$tool is missing (make deps installs it)"
done
for root in "${roots[@]}"; do
    [ -x "$root/bin/mount.quillfs" ] && ls "$root"/fuse-mount/target/quillfs-fuse-mount.jar >/dev/null 2>&1 ||
        die "no quillfs build in $root (run mvn -o -q install -DskipTests there)"
done

work=$(mktemp -d /var/tmp/quillfs-randfsync-ab.XXXXXX)
mounts=() daemons=()
cleanup() {
    local rc=$? i
    set +e
    trap - EXIT INT TERM
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}"
    done
    # quillfs checkpoints and closes after the unmount: a minute at most, then it is stopped
    for pid in "${daemons[@]}"; do
        for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -TERM "$pid" 2>/dev/null
    done
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

workloads="python3 $here/mount_workloads.py"

mkdir "$work/fuse2fs"
truncate -s 4G "$work/fuse2fs.img"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$work/fuse2fs.img"
fuse2fs "$work/fuse2fs.img" "$work/fuse2fs" -f >"$work/fuse2fs.log" 2>&1 &
daemons+=($!)
mounts+=("$work/fuse2fs")
for ((i = 0; i < ${#roots[@]}; i++)); do
    mkdir "$work/q$i"
    "${roots[$i]}/bin/mkfs.quillfs" -q "$work/q$i.img" 4G
    out=$("${roots[$i]}/bin/mount.quillfs" -v "$work/q$i.img" "$work/q$i")
    daemons+=("$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<<"$out")")
    mounts+=("$work/q$i")
done
for dir in "${mounts[@]}"; do
    for ((i = 0; i < 300; i++)); do mountpoint -q "$dir" && break; sleep 0.1; done
    mountpoint -q "$dir" || { echo "$prog: $dir was not mounted after 30 s" >&2; exit 1; }
    $workloads randprep "$dir/r.dat" 64 >/dev/null
done
for ((i = 0; i < ${#roots[@]}; i++)); do
    $workloads randfsync "$work/q$i/r.dat" 64 12000 >/dev/null
    echo "q$i = ${roots[$i]} ($(git -C "${roots[$i]}" describe --always --dirty 2>/dev/null || echo '?'))"
done

rates() { awk -v n="$ops" -v t="$1" 'BEGIN {printf "%.0f", n / t}'; }
results=$work/rounds.txt
for ((r = 1; r <= rounds; r++)); do
    sync
    f=$($workloads randfsync "$work/fuse2fs/r.dat" 64 "$ops")
    line="round $r  fuse2fs $(rates "$f")/s"
    for ((i = 0; i < ${#roots[@]}; i++)); do
        sync
        q=$($workloads randfsync "$work/q$i/r.dat" 64 "$ops")
        line="$line  q$i $(rates "$q")/s ($(awk -v f="$f" -v q="$q" 'BEGIN {printf "%.2f", f / q}')×)"
    done
    echo "$line" | tee -a "$results"
done
python3 - "$results" <<'EOF'
import re, statistics, sys
cols = {}
for line in open(sys.argv[1]):
    for name, rate in re.findall(r'(fuse2fs|q\d+) (\d+)/s', line):
        cols.setdefault(name, []).append(int(rate))
    for name, ratio in re.findall(r'(q\d+) \d+/s \(([\d.]+)×\)', line):
        cols.setdefault(name + ' ÷ fuse2fs', []).append(float(ratio))
print('medians: ' + ', '.join(f'{k} {statistics.median(v):g}' for k, v in cols.items()))
EOF
