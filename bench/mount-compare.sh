#!/usr/bin/env bash
# mount-compare.sh: the quillfs FUSE mount against fuse2fs and kernel ext4 (issue 5).
#
# Formats three sparse image files of the same size in a scratch directory and mounts
#   quillfs  bin/mkfs.quillfs, bin/mount.quillfs with its defaults
#   fuse2fs  mkfs.ext4, then `fuse2fs IMAGE DIR -f` (as root: its defaults, nothing added)
#   ext4     mkfs.ext4, losetup -f --show, mount -t ext4 (kernel defaults)
# with both ext4 images made by the same mkfs.ext4 command (inode tables and journal
# written at mkfs time, so the kernel's lazy init thread does not run during the
# measurements). Then it runs each workload on the three filesystems in turn, in
# this one run (the cold read and the random fsyncs three times over, each time on the
# three in turn: the table shows their medians), and prints a table with rates and
# speed ratios. The workloads themselves are in mount_workloads.py beside this script:
# one Python process per workload and filesystem, timed inside with perf_counter, so
# process starts are not measured. Before every workload: sync(1); before the ones marked cold, also
# echo 3 > /proc/sys/vm/drop_caches (untimed).
#
# First, untimed, quillfs runs the whole series once in a directory of its own (as many
# files as measured, 256 MiB written and read 6 times, half as many fsyncs, an untar of the
# whole tarball): its daemon is a JVM that compiles its hot code while it runs, so this measures it as it is after
# a minute of use, not in its first seconds (--no-warmup measures that). fuse2fs and ext4,
# compiled ahead of time, have nothing to warm up; their images hold no such extra files.
#
# Always unmounts, detaches the loop device and stops the daemons it started
# (and only those), whatever happens. Must run as root.
#
#   bench/mount-compare.sh [--quick] [--no-warmup] [--dir BASE] [--size SIZE] [--tree DIR] [--keep]
#
#   --quick      small sizes (2,000 files, 64 MiB, /usr/include/linux), for a smoke test
#   --no-warmup  measure straight after mounting (see above)
#   --dir BASE   scratch directory is made under BASE (default /var/tmp)
#   --size SIZE  size of each image file (default 4G)
#   --tree DIR   the tree to tar and extract (default /usr/include; --quick: /usr/include/linux)
#   --keep       keep the scratch directory (images, logs, results.tsv) afterwards
#
# Exit codes: 0 measured (whether or not every target was met), 1 a failure,
# 2 refused (not root, a tool missing, a bad argument).
set -euo pipefail

prog=mount-compare.sh
here=$(dirname "$(readlink -f "$0")")
root=$(dirname "$here")

die() { echo "$prog: $*" >&2; exit 2; }

quick=0 warmup=1 base=/var/tmp size=4G tree= keep=0 short_rounds=3
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --no-warmup) warmup=0 ;;
        --dir) [ $# -ge 2 ] || die "--dir needs a directory"; base=$2; shift ;;
        --size) [ $# -ge 2 ] || die "--size needs a size"; size=$2; shift ;;
        --tree) [ $# -ge 2 ] || die "--tree needs a directory"; tree=$2; shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done

if [ "$quick" = 1 ]; then
    files=2000 dirs=500 seq_mib=64 rand_mib=16 rand_n=200 small=500 small_kib=4
    tree=${tree:-/usr/include/linux}
else
    files=20000 dirs=5000 seq_mib=512 rand_mib=64 rand_n=2000 small=5000 small_kib=4
    tree=${tree:-/usr/include}
fi

# --- refusals: one line each -------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "must run as root (it mounts, uses a loop device and drops caches)"
for tool in python3 mkfs.ext4 fuse2fs losetup mount umount mountpoint tar truncate sync; do
    command -v "$tool" >/dev/null 2>&1 || die "missing '$tool' (make deps installs what is needed)"
done
[ -e /dev/fuse ] || die "missing /dev/fuse"
for jar in mkfs/target/quillfs-mkfs.jar fuse-mount/target/quillfs-fuse-mount.jar; do
    [ -f "$root/$jar" ] || die "quillfs is not built ($jar missing): run 'make build'"
done
[ -d "$tree" ] || die "no such tree to extract: $tree"
[ -d "$base" ] || die "no such scratch directory: $base"
py=$(command -v python3)
workloads=$here/mount_workloads.py

# --- scratch directory, and cleanup in every outcome -------------------------
work=$(mktemp -d "$base/quillfs-mount-bench.XXXXXX")
fs_names=(quillfs fuse2fs ext4)
declare -A mnt=([quillfs]=$work/mnt-quillfs [fuse2fs]=$work/mnt-fuse2fs [ext4]=$work/mnt-ext4)
declare -A img=([quillfs]=$work/quillfs.img [fuse2fs]=$work/fuse2fs.img [ext4]=$work/ext4.img)
declare -A daemon=()   # filesystem -> pid of the FUSE daemon this script started
mounted=()             # filesystems mounted by this script, in mount order
loop=                  # the loop device this script attached

# Waits up to $2 seconds for process $1 to end; 0 if it did.
wait_gone() {
    local pid=$1 i
    for ((i = 0; i < $2 * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    ! kill -0 "$pid" 2>/dev/null
}

unmount_one() {
    local fs=$1 dir=${mnt[$1]} i
    if mountpoint -q "$dir"; then
        for ((i = 0; i < 10; i++)); do
            umount "$dir" 2>/dev/null && break
            sleep 0.5
        done
        if mountpoint -q "$dir"; then
            echo "$prog: $dir is busy, detaching it lazily" >&2
            umount -l "$dir" || true
        fi
    fi
    local pid=${daemon[$fs]:-}
    if [ -n "$pid" ]; then
        # quillfs checkpoints and closes after the unmount; give it the time it allows itself.
        if ! wait_gone "$pid" 60; then
            echo "$prog: the $fs daemon (pid $pid) did not exit after unmount, stopping it" >&2
            kill -TERM "$pid" 2>/dev/null || true
            wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        unmount_one "${mounted[$i]}"
    done
    if [ -n "$loop" ]; then
        losetup -d "$loop" || echo "$prog: could not detach $loop" >&2
    fi
    if [ "$keep" = 1 ]; then
        echo "$prog: kept $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "$prog: $*" >&2; }

# Waits until $1 is a mount point, or fails if process $2 ended first.
wait_mounted() {
    local dir=$1 pid=$2 i
    for ((i = 0; i < 300; i++)); do
        mountpoint -q "$dir" && return 0
        kill -0 "$pid" 2>/dev/null || { echo "$prog: the daemon for $dir exited before mounting" >&2; return 1; }
        sleep 0.1
    done
    echo "$prog: $dir was not mounted after 30 s" >&2
    return 1
}

# --- the tarball (made once, uncompressed: no decompressing on these 2 cores) --
tree_entries=$(find "$tree" | wc -l)
tree_mib=$(du -sm --apparent-size "$tree" | cut -f1)
tree_label="$tree ($(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$tree_entries") entries, $tree_mib MiB)"
log "making the tarball of $tree_label"
tar -cf "$work/tree.tar" -C "$(dirname "$tree")" "$(basename "$tree")"

# --- format and mount --------------------------------------------------------
ext4_mkfs=(mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0)
log "formatting three $size images in $work"
"$root/bin/mkfs.quillfs" -q "${img[quillfs]}" "$size"
for fs in fuse2fs ext4; do
    truncate -s "$size" "${img[$fs]}"
    "${ext4_mkfs[@]}" "${img[$fs]}"
done
mkdir "${mnt[quillfs]}" "${mnt[fuse2fs]}" "${mnt[ext4]}"

mounted+=(quillfs)
out=$("$root/bin/mount.quillfs" -v "${img[quillfs]}" "${mnt[quillfs]}")
daemon[quillfs]=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<<"$out")
quill_log=$(sed -n 's/.*, log \(.*\))$/\1/p' <<<"$out")
[ -n "${daemon[quillfs]}" ] || { echo "$prog: mount.quillfs did not say its daemon's pid: $out" >&2; exit 1; }

mounted+=(fuse2fs)
fuse2fs "${img[fuse2fs]}" "${mnt[fuse2fs]}" -f >"$work/fuse2fs.log" 2>&1 &
daemon[fuse2fs]=$!
wait_mounted "${mnt[fuse2fs]}" "${daemon[fuse2fs]}"

loop=$(losetup -f --show "${img[ext4]}")
mounted+=(ext4)
mount -t ext4 "$loop" "${mnt[ext4]}"

for fs in "${fs_names[@]}"; do
    log "$fs: $(findmnt -n -o SOURCE,FSTYPE,OPTIONS --target "${mnt[$fs]}")"
done

# --- the workloads -----------------------------------------------------------
results=$work/results.tsv
: >"$results"
hz=$(getconf CLK_TCK)

settle() {
    sync
    if [ "${1:-}" = cold ]; then
        echo 3 >/proc/sys/vm/drop_caches
    fi
}

# CPU time (user + system, all threads) the FUSE daemon of $1 has used, in clock ticks; - for ext4.
daemon_ticks() {
    local pid=${daemon[$1]:-}
    if [ -z "$pid" ]; then echo -; return; fi
    awk '{print $14 + $15}' "/proc/$pid/stat"
}

# run WORKLOAD AMOUNT [cold] -- ARGS... : runs mount_workloads.py WORKLOAD with ARGS on
# each filesystem, where the word @ in ARGS stands for its mount point. Records the wall time
# and, for the FUSE mounts, the CPU time their daemon used meanwhile (a figure that other
# load on the machine disturbs less than wall time).
run() {
    local workload=$1 amount=$2 temp=warm
    shift 2
    if [ "$1" = cold ]; then temp=cold; shift; fi
    [ "$1" = -- ] && shift
    local fs secs args a before after cpu
    for fs in "${fs_names[@]}"; do
        args=()
        for a in "$@"; do args+=("${a//@/${mnt[$fs]}}"); done
        settle "$temp"
        before=$(daemon_ticks "$fs")
        secs=$("$py" "$workloads" "$workload" "${args[@]}")
        after=$(daemon_ticks "$fs")
        cpu=-
        if [ "$before" != - ]; then cpu=$(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN {printf "%.2f", t / hz}'); fi
        printf '%s\t%s\t%s\t%s\t%s\n' "$workload" "$fs" "$amount" "$secs" "$cpu" >>"$results"
        log "$(printf '%-10s %-8s %9.3f s  daemon CPU %s s' "$workload" "$fs" "$secs" "$cpu")"
    done
}

if [ "$warmup" = 1 ]; then
    log "warming up the quillfs daemon (untimed)"
    "$py" "$workloads" warmup "${mnt[quillfs]}/warmup" "$work/tree.tar" "$files" >/dev/null
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

for fs in "${fs_names[@]}"; do mkdir "${mnt[$fs]}/meta" "${mnt[$fs]}/dirs" "${mnt[$fs]}/small" "${mnt[$fs]}/untar"; done
run create "$files" -- @/meta "$files"
run stat "$files" cold -- @/meta "$files"
run rename "$files" -- @/meta "$files"
run unlink "$files" -- @/meta "$files"
run mkdir "$dirs" -- @/dirs "$dirs"

run seqwrite "$seq_mib" -- @/seq.dat "$seq_mib"
# The cold read and the random fsyncs last about a second or less each, and the host's disk
# decides much of that: one run of them swung by 15-40% between runs of the bench. So they run
# in rounds, the three filesystems in turn in each, and the table shows each one's median.
for ((round = 0; round < short_rounds; round++)); do
    run seqread "$seq_mib" cold -- @/seq.dat
done

for fs in "${fs_names[@]}"; do "$py" "$workloads" randprep "${mnt[$fs]}/rand.dat" "$rand_mib" >/dev/null; done
for ((round = 0; round < short_rounds; round++)); do
    run randfsync "$rand_n" -- @/rand.dat "$rand_mib" "$rand_n"
done

run smallwrite "$small" -- @/small "$small" "$small_kib"
run smallread "$small" cold -- @/small "$small"

cat "$work/tree.tar" >/dev/null   # the tarball is read from the page cache by every run
run untar "$tree_label" -- "$work/tree.tar" @/untar

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table ---------------------------------------------------------------
echo
echo "quillfs FUSE mount against fuse2fs and kernel ext4, $(date -u '+%Y-%m-%d %H:%M UTC')$([ "$quick" = 1 ] && echo ', --quick')$([ "$warmup" = 0 ] && echo ', --no-warmup')"
echo "machine: $(nproc) cores, $(uname -sr), images of $size in $base ($(findmnt -n -o FSTYPE --target "$base")), " \
     "load average $load_before before, $load_after after; $(($(date +%s) - started)) s of workloads"
echo "fuse2fs $(dpkg-query -W -f '${Version}' fuse2fs 2>/dev/null || echo '?'), quillfs $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
echo
"$py" "$workloads" report "$results"
if [ -n "${quill_log:-}" ]; then echo; echo "quillfs mount log: $quill_log"; fi
