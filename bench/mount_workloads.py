#!/usr/bin/env python3
"""The timed workloads of bench/mount-compare.sh, and its result table.

Each workload runs in this one process and prints how long it took, in seconds,
measured with time.perf_counter() around the work itself, so neither the
interpreter's start nor anything the caller does before or after is counted.
The caller (mount-compare.sh) mounts, drops caches and collects the numbers;
the same code runs unchanged on every filesystem.

Workloads that change the filesystem end with syncfs(2) on it, inside the
timed span: kernel ext4 then writes back and commits what it holds in memory.
libfuse 2 filesystems never receive syncfs (the kernel sends FUSE_SYNCFS only to
servers that ask for it), so for quillfs and fuse2fs the span ends once the
daemon has answered every request.

    mount_workloads.py create DIR N          N empty files, open(O_CREAT|O_EXCL)+close
    mount_workloads.py stat DIR N            lstat each of them
    mount_workloads.py rename DIR N          rename each, same directory
    mount_workloads.py unlink DIR N          unlink each (renamed) file
    mount_workloads.py mkdir DIR N           N directories in DIR
    mount_workloads.py seqwrite FILE MIB     1 MiB writes, then fsync
    mount_workloads.py seqread FILE          1 MiB reads to the end
    mount_workloads.py randprep FILE MIB     (untimed setup) FILE of MIB MiB, fsync'd
    mount_workloads.py randfsync FILE MIB N  N 4 KiB pwrites at random 4 KiB offsets, each fsync'd
    mount_workloads.py smallwrite DIR N KIB  N files of KIB KiB: create, write, close
    mount_workloads.py smallread DIR N       read each of them whole
    mount_workloads.py untar TARBALL DIR     tar -xf TARBALL -C DIR
    mount_workloads.py warmup DIR TARBALL N  (untimed) all of the above in DIR: N files, 64 MiB
    mount_workloads.py report RESULTS.tsv    the table (see report())
"""

import ctypes
import os
import random
import subprocess
import sys
import time

MIB = 1 << 20
BLOCK = 4096

_libc = ctypes.CDLL(None, use_errno=True)


def syncfs(path):
    """syncfs(2) on the filesystem that holds path."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if _libc.syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), path)
    finally:
        os.close(fd)


def names(n, prefix):
    return [f"{prefix}{i:06d}" for i in range(n)]


def create(d, n):
    files = names(n, "f")
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY
    start = time.perf_counter()
    for name in files:
        os.close(os.open(name, flags, 0o644, dir_fd=d))
    syncfs_fd(d)
    return time.perf_counter() - start


def stat(d, n):
    files = names(n, "f")
    start = time.perf_counter()
    for name in files:
        os.stat(name, dir_fd=d, follow_symlinks=False)
    return time.perf_counter() - start


def rename(d, n):
    files = names(n, "f")
    start = time.perf_counter()
    for name in files:
        os.rename(name, "r" + name[1:], src_dir_fd=d, dst_dir_fd=d)
    syncfs_fd(d)
    return time.perf_counter() - start


def unlink(d, n):
    files = names(n, "r")
    start = time.perf_counter()
    for name in files:
        os.unlink(name, dir_fd=d)
    syncfs_fd(d)
    return time.perf_counter() - start


def mkdir(d, n):
    dirs = names(n, "d")
    start = time.perf_counter()
    for name in dirs:
        os.mkdir(name, 0o755, dir_fd=d)
    syncfs_fd(d)
    return time.perf_counter() - start


def seqwrite(path, mib):
    chunk = os.urandom(MIB)
    start = time.perf_counter()
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o644)
    try:
        for _ in range(mib):
            write_all(fd, chunk)
        os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - start


def seqread(path):
    start = time.perf_counter()
    fd = os.open(path, os.O_RDONLY)
    total = 0
    try:
        while True:
            got = len(os.read(fd, MIB))
            if got == 0:
                break
            total += got
    finally:
        os.close(fd)
    elapsed = time.perf_counter() - start
    if total != os.stat(path).st_size:
        raise SystemExit(f"seqread: read {total} bytes of {path}, expected its size")
    return elapsed


def randprep(path, mib):
    seqwrite(path, mib)
    return 0.0


def randfsync(path, mib, n):
    rng = random.Random(5)
    blocks = mib * MIB // BLOCK
    offsets = [rng.randrange(blocks) * BLOCK for _ in range(n)]
    data = os.urandom(BLOCK)
    fd = os.open(path, os.O_WRONLY)
    try:
        start = time.perf_counter()
        for offset in offsets:
            if os.pwrite(fd, data, offset) != BLOCK:
                raise SystemExit("randfsync: short write")
            os.fsync(fd)
        elapsed = time.perf_counter() - start
    finally:
        os.close(fd)
    return elapsed


def smallwrite(d, n, kib):
    data = os.urandom(kib * 1024)
    files = names(n, "s")
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY
    start = time.perf_counter()
    for name in files:
        fd = os.open(name, flags, 0o644, dir_fd=d)
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
    syncfs_fd(d)
    return time.perf_counter() - start


def smallread(d, n):
    files = names(n, "s")
    start = time.perf_counter()
    for name in files:
        fd = os.open(name, os.O_RDONLY, dir_fd=d)
        try:
            while os.read(fd, 65536):
                pass
        finally:
            os.close(fd)
    return time.perf_counter() - start


def untar(tarball, d):
    start = time.perf_counter()
    subprocess.run(["tar", "-xf", tarball, "-C", d], check=True)
    syncfs(d)
    return time.perf_counter() - start


WARMUP_SEQ_MIB = 256
WARMUP_READS = 6


def drop_caches():
    """Empties the kernel's page cache (as root), so that reads reach the filesystem."""
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def warmup(d, tarball, n):
    """Every workload once, in d: n creates, stats, renames and unlinks, n/4 mkdirs and small
    files, 256 MiB sequential (read 6 times from cold caches), n/2 fsyncs, and an untar of tarball.
    So that a daemon whose code is compiled while it runs (quillfs's JIT) is measured compiled, as
    after a minute of use. The fsyncs are many because each runs the daemon's write, getxattr and
    fsync paths once: C2 was still compiling them after 8,000 (half of the daemon's CPU in a
    profile of the next 4,000). The untar is whole (it was the first 1,000 members), and the
    reads are 12,000 requests of 128 KiB (they were 2,000: a cold 512 MiB read then cost the
    daemon 1.4-2.1 s of CPU, against 0.55 s once compiled), for the same reason."""
    os.mkdir(d)
    for sub in ("meta", "dirs", "small", "untar"):
        os.mkdir(os.path.join(d, sub))
    meta = os.path.join(d, "meta")
    for fn in (create, stat, rename, unlink):
        with_dir(fn, meta, n)
    with_dir(mkdir, os.path.join(d, "dirs"), n // 4)
    seqwrite(os.path.join(d, "seq.dat"), WARMUP_SEQ_MIB)
    for _ in range(WARMUP_READS):
        drop_caches()  # else the kernel's page cache answers and the daemon's read path stays cold
        seqread(os.path.join(d, "seq.dat"))
    randprep(os.path.join(d, "rand.dat"), 16)
    randfsync(os.path.join(d, "rand.dat"), 16, n // 2)
    with_dir(smallwrite, os.path.join(d, "small"), n // 4, 4)
    with_dir(smallread, os.path.join(d, "small"), n // 4)
    subprocess.run(["tar", "-xf", tarball, "-C", os.path.join(d, "untar")], check=True)
    return 0.0


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def syncfs_fd(dir_fd):
    if _libc.syncfs(dir_fd) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def with_dir(fn, d, *args):
    """Runs fn with an O_DIRECTORY descriptor of d (the *at calls resolve names from it)."""
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return fn(fd, *args)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
# The report.
#
# RESULTS.tsv has one line per measurement: workload, filesystem, amount, wall
# seconds, and the CPU seconds the FUSE daemon used meanwhile ("-" for ext4).
# Were a workload measured more than once per filesystem, the table would show
# the medians. Rates are amounts per second; a ratio is a speed ratio (other
# filesystem's time / quillfs's time), so above 1 means quillfs is faster.

# (workload, label, unit)
WORKLOADS = [
    ("create", "create {n} empty files", "files/s"),
    ("stat", "stat them (cold caches)", "stats/s"),
    ("rename", "rename them", "renames/s"),
    ("unlink", "unlink them", "unlinks/s"),
    ("mkdir", "mkdir {n} directories", "mkdirs/s"),
    ("seqwrite", "write {n} MiB + fsync", "MiB/s"),
    ("seqread", "read it back (cold caches)", "MiB/s"),
    ("randfsync", "{n} × 4 KiB random write + fsync", "fsyncs/s"),
    ("smallwrite", "write {n} files of 4 KiB", "files/s"),
    ("smallread", "read them (cold caches)", "files/s"),
    ("untar", "untar {n}", "s"),
]

FILESYSTEMS = ["quillfs", "fuse2fs", "ext4"]


def targets(workload, quill_rate, vs_fuse2fs):
    """The issue's targets for one workload: a list of (text, met)."""
    out = [("≥ fuse2fs", vs_fuse2fs >= 1.0)]
    if workload == "create":
        out.append(("≥ 6× fuse2fs", vs_fuse2fs >= 6.0))
    if workload == "seqwrite":
        out.append(("≥ 250 MiB/s", quill_rate >= 250.0))
    if workload == "untar":
        out.append(("≥ 2× fuse2fs", vs_fuse2fs >= 2.0))
    return out


def median(xs):
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def report(path):
    seconds = {}
    cpu = {}
    amounts = {}
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 5 or line.startswith("#"):
                continue
            workload, fs, amount, secs, daemon_cpu = fields
            seconds.setdefault((workload, fs), []).append(float(secs))
            if daemon_cpu != "-":
                cpu.setdefault((workload, fs), []).append(float(daemon_cpu))
            amounts[workload] = amount
    rows = []
    cpu_rows = []
    missed = 0
    for workload, label, unit in WORKLOADS:
        if workload not in amounts:
            continue
        amount = amounts[workload]
        times = {fs: median(seconds[(workload, fs)]) for fs in FILESYSTEMS if (workload, fs) in seconds}
        if len(times) != len(FILESYSTEMS):
            continue

        def shown(fs):
            t = times[fs]
            if unit == "s":
                return f"{t:.2f} s"
            rate = float(amount) / t
            return f"{rate:,.0f} {unit}" if rate >= 100 else f"{rate:,.1f} {unit}"

        quill_rate = float(amount) / times["quillfs"] if unit != "s" else 0.0
        vs_fuse2fs = times["fuse2fs"] / times["quillfs"]
        vs_ext4 = times["ext4"] / times["quillfs"]
        checks = targets(workload, quill_rate, vs_fuse2fs)
        missed += sum(1 for _, met in checks if not met)
        verdict = ", ".join(f"{text}: {'yes' if met else 'NO'}" for text, met in checks)
        name = label.format(n=f"{int(amount):,}" if amount.isdigit() else amount)
        rows.append([name, shown("quillfs"), shown("fuse2fs"), shown("ext4"),
                     f"{vs_fuse2fs:.2f}", f"{vs_ext4:.2f}", verdict])
        if (workload, "quillfs") in cpu and (workload, "fuse2fs") in cpu:
            q, f2 = median(cpu[(workload, "quillfs")]), median(cpu[(workload, "fuse2fs")])
            cpu_rows.append([name, f"{q:.2f} s", f"{times['quillfs']:.2f} s", f"{f2:.2f} s",
                             f"{times['fuse2fs']:.2f} s", f"{f2 / q:.2f}" if q > 0 else "-"])
    header = ["workload", "quillfs", "fuse2fs", "kernel ext4", "quillfs ÷ fuse2fs", "quillfs ÷ ext4",
              "issue 5 target met?"]
    print_table(header, [False, True, True, True, True, True, False], rows)
    print()
    print(f"Ratios are speed ratios (the other filesystem's time ÷ quillfs's): above 1, quillfs is faster. "
          f"Targets missed: {missed}.")
    if cpu_rows:
        print()
        print("CPU time of the FUSE daemons (user + system, all threads) during each workload, next to its wall time:")
        print()
        header = ["workload", "quillfs daemon CPU", "quillfs wall", "fuse2fs daemon CPU", "fuse2fs wall",
                  "fuse2fs CPU ÷ quillfs CPU"]
        print_table(header, [False, True, True, True, True, True], cpu_rows)


def print_table(header, right, rows):
    """A Markdown table, padded so that it also reads as plain text."""
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(c.rjust(w) if r else c.ljust(w)
                                  for c, w, r in zip(cells, widths, right)) + " |"

    print(line(header))
    print("|" + "|".join(("-" * (w + 1) + ":") if r else ("-" * (w + 2)) for w, r in zip(widths, right)) + "|")
    for r in rows:
        print(line(r))


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    op, args = argv[1], argv[2:]
    if op == "report":
        report(args[0])
        return
    if op in ("create", "stat", "rename", "unlink", "mkdir"):
        elapsed = with_dir(globals()[op], args[0], int(args[1]))
    elif op == "smallwrite":
        elapsed = with_dir(smallwrite, args[0], int(args[1]), int(args[2]))
    elif op == "smallread":
        elapsed = with_dir(smallread, args[0], int(args[1]))
    elif op == "seqwrite":
        elapsed = seqwrite(args[0], int(args[1]))
    elif op == "seqread":
        elapsed = seqread(args[0])
    elif op == "randprep":
        elapsed = randprep(args[0], int(args[1]))
    elif op == "randfsync":
        elapsed = randfsync(args[0], int(args[1]), int(args[2]))
    elif op == "untar":
        elapsed = untar(args[0], args[1])
    elif op == "warmup":
        elapsed = warmup(args[0], args[1], int(args[2]))
    else:
        raise SystemExit(f"mount_workloads.py: unknown workload '{op}'")
    print(f"{elapsed:.6f}")


if __name__ == "__main__":
    main(sys.argv)
