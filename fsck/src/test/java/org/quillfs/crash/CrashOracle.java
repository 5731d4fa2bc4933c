package org.quillfs.crash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Decides whether the tree a crash state recovers to is one the filesystem may show. For each
 * lane (a directory whose tree only one thread changes, one operation after another):
 *
 * <ul>
 *   <li><b>all or nothing</b>: the lane's tree is, in everything but file bytes, exactly the tree
 *       after some operation j: after each operation the tree was snapshotted, so an operation
 *       half there (a rename showing both names or neither, a create leaving a half-made inode,
 *       a link count one off) matches no snapshot;
 *   <li><b>durable work is there</b>: j is at least the number of operations that completed
 *       before a call that made them durable and whose flushes the state holds ({@link RunHistory});
 *   <li><b>file bytes</b>: each byte of each file is what that file (the same inode and
 *       generation) held at that offset after operation j or after a later one, or, inside the
 *       file's size then, after an operation since the last that had to be durable. data=ordered
 *       does not make writes atomic: an overwrite in place may reach the disk before, or without,
 *       the transaction that changes the file's times, and (as in ext4) an overwrite below the
 *       size that was not fsync'd may be missing, whole or in part, although later operations
 *       are durable (docs/JOURNAL.md, "File data"). What it does promise, and what this checks,
 *       is that a file never shows bytes it never held: another file's, a block never written,
 *       stale bytes of a block it used to own, or zeros where a write that grew it put data.
 *       Every write of the campaign writes bytes of its own, so a byte from anywhere else is
 *       caught.
 * </ul>
 *
 * The tree outside the lanes must be exactly as it was.
 */
final class CrashOracle {

    private final RunHistory history;
    /** After a failed {@link #check}: the bytes a file held that none of its versions had, if that was the failure. */
    byte[] strayBytes;
    /** ... and the lane and inode of the file that held them. */
    RunHistory.Lane strayLane;
    long strayInode;

    CrashOracle(RunHistory history) {
        this.history = history;
    }

    /** Null if {@code recovered} is allowed; else what is wrong, in words. */
    String check(TreeState recovered, int durableFlushes) {
        List<String> lanePaths = history.lanes.stream().map(l -> l.path).toList();
        TreeState outside = LiveRun.outside(recovered, lanePaths);
        if (!outside.sameMetadata(history.outside)) {
            return "the tree outside the workload's directories changed:\n" + outside.differencesFrom(history.outside);
        }
        long durableTick = history.durableBefore(durableFlushes);
        StringBuilder problems = new StringBuilder();
        for (RunHistory.Lane lane : history.lanes) {
            String problem = checkLane(lane, subtree(recovered, lane.path), durableTick, durableFlushes);
            if (problem != null) {
                problems.append(problem);
            }
        }
        return problems.length() == 0 ? null : problems.toString();
    }

    private static TreeState subtree(TreeState whole, String path) {
        TreeState sub = whole.copy();
        if (!path.equals("/")) {
            sub.nodes.keySet().removeIf(p -> !p.equals(path) && !p.startsWith(path + "/"));
        }
        return sub;
    }

    private String checkLane(RunHistory.Lane lane, TreeState recovered, long durableTick, int durableFlushes) {
        int required = RunHistory.completedBefore(lane, durableTick);
        int last = lane.operationCount();
        String dataProblem = null;
        for (int j = last; j >= required; j--) {
            if (recovered.sameMetadata(lane.states.get(j))) {
                String bad = checkData(lane, required, j, recovered);
                if (bad == null) {
                    return null;
                }
                if (dataProblem == null) {
                    dataProblem = "  matches the tree after operation " + j + " except in file bytes: " + bad + "\n";
                }
            }
            long wrote = j > required ? lane.wroteTo.get(j - 1) : 0;
            if (wrote != 0 && recovered.isPartWayThroughWrite(lane.states.get(j - 1), lane.states.get(j), wrote)) {
                String bad = checkData(lane, required, j - 1, recovered);
                if (bad == null) {
                    return null;
                }
                if (dataProblem == null) {
                    dataProblem = "  matches the tree part way through operation " + j + " (a write done in steps) "
                            + "except in file bytes: " + bad + "\n";
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("lane ").append(lane.path).append(": the recovered tree is none that the workload allows (")
                .append(required == 0 ? "none of its operations had to be durable" : "operations 1.." + required
                        + " had to be durable")
                .append(", ").append(last).append(" ran)\n");
        if (required > 0) {
            RunHistory.SyncPoint by = history.madeDurableBy(lane, required, durableFlushes);
            if (by != null) {
                sb.append("  operation ").append(required).append(" was made durable by ").append(by.what())
                        .append(" (done after flush ").append(by.flushes()).append("; the state holds every write before flush ")
                        .append(durableFlushes).append(")\n");
            }
        }
        int from = Math.max(1, required - 2);
        int to = Math.min(last, required + 20);
        if (from > 1) {
            sb.append("  (operations 1..").append(from - 1).append(" not shown)\n");
        }
        for (int i = from; i <= to; i++) {
            sb.append("  op ").append(i).append(": ").append(lane.operations.get(i - 1)).append('\n');
        }
        if (to < last) {
            sb.append("  (operations ").append(to + 1).append("..").append(last).append(" not shown)\n");
        }
        if (dataProblem != null) {
            sb.append(dataProblem);
            return sb.toString();
        }
        // The trees just after the last operation that had to be there are the likely ones; then the closest.
        int shown = last - required <= 3 ? last : required + 2;
        for (int j = required; j <= shown; j++) {
            sb.append("  differences from the tree after operation ").append(j).append(":\n")
                    .append(recovered.differencesFrom(lane.states.get(j)));
        }
        int closest = required;
        for (int j = required; j <= last; j++) {
            if (recovered.distanceFrom(lane.states.get(j)) < recovered.distanceFrom(lane.states.get(closest))) {
                closest = j;
            }
        }
        if (closest > shown) {
            sb.append("  differences from the closest allowed tree, the one after operation ").append(closest)
                    .append(":\n").append(recovered.differencesFrom(lane.states.get(closest)));
        }
        return sb.toString();
    }

    /**
     * Null if every byte of every file of {@code recovered} is one its file held after operation j
     * or later, or below its size then after an operation from {@code durable} (the last that
     * had to be durable) on: an overwrite that did not reach the disk.
     */
    String checkData(RunHistory.Lane lane, int durable, int j, TreeState recovered) {
        for (Map.Entry<String, TreeState.Node> e : recovered.nodes.entrySet()) {
            TreeState.Node have = e.getValue();
            if (!have.isFile()) {
                continue;
            }
            byte[] expected = lane.states.get(j).nodes.get(e.getKey()).data();
            if (Arrays.equals(have.data(), expected)) {
                continue;
            }
            List<byte[]> versions = new ArrayList<>();
            for (int k = j; k < lane.states.size(); k++) {
                for (TreeState.Node n : lane.states.get(k).nodes.values()) {
                    if (n.isFile() && n.inode() == have.inode() && n.generation() == have.generation()) {
                        versions.add(n.data());
                        break;
                    }
                }
                for (RunHistory.HeldFile h : lane.held.getOrDefault(k, List.of())) {
                    if (h.inode() == have.inode() && h.generation() == have.generation()) {
                        versions.add(h.data());
                    }
                }
            }
            List<byte[]> overwritten = new ArrayList<>();
            for (int k = durable; k < j; k++) {
                for (TreeState.Node n : lane.states.get(k).nodes.values()) {
                    if (n.isFile() && n.inode() == have.inode() && n.generation() == have.generation()) {
                        overwritten.add(n.data());
                        break;
                    }
                }
            }
            byte[] data = have.data();
            for (int at = 0; at < data.length; at++) {
                if (!heldAt(versions, at, data[at], lane.blockSize) && !heldInside(overwritten, at, data[at])) {
                    strayLane = lane;
                    strayInode = have.inode();
                    return e.getKey() + " (inode " + have.inode() + ", " + data.length + " bytes) holds at byte " + at
                            + " 0x" + String.format("%02x", data[at]) + ", which no version of the file had there ("
                            + describe(data, at, lane, have.inode()) + ")" + (at < expected.length
                                    ? "; after operation " + j + " it held 0x" + String.format("%02x", expected[at])
                                    : "; after operation " + j + " the file ended at " + expected.length);
                }
            }
        }
        return null;
    }

    /**
     * Whether some version held {@code value} at {@code at}. A version's last block counts as
     * zeros past its end: truncate (and punch) zero the rest of a partial block in place before
     * their transaction commits, "data written in place by the same rule" as an overwrite
     * (docs/JOURNAL.md, "File data"), so a crash before the commit may show those zeros inside the
     * old size.
     */
    private static boolean heldAt(List<byte[]> versions, int at, byte value, int blockSize) {
        for (byte[] v : versions) {
            if (at < v.length ? v[at] == value : value == 0 && at < (v.length + blockSize - 1L) / blockSize * blockSize) {
                return true;
            }
        }
        return false;
    }

    /** Whether some version held {@code value} at {@code at}, inside its size (no zeros past the end). */
    private static boolean heldInside(List<byte[]> versions, int at, byte value) {
        for (byte[] v : versions) {
            if (at < v.length && v[at] == value) {
                return true;
            }
        }
        return false;
    }

    /** Where the 512-byte sector around {@code at} might come from: zeros, or another file's bytes. */
    private String describe(byte[] data, int at, RunHistory.Lane lane, long inode) {
        int from = at / 512 * 512;
        int to = Math.min(data.length, from + 512);
        byte[] sector = Arrays.copyOfRange(data, from, to);
        boolean zeros = true;
        for (byte b : sector) {
            zeros &= b == 0;
        }
        if (zeros) {
            return "its sector " + from + ".." + (to - 1) + " is all zeros: never written?";
        }
        for (TreeState state : lane.states) {
            for (Map.Entry<String, TreeState.Node> e : state.nodes.entrySet()) {
                TreeState.Node n = e.getValue();
                if (n.isFile() && n.inode() != inode) {
                    byte[] d = n.data();
                    for (int off = 0; off + sector.length <= d.length; off += 512) {
                        if (Arrays.equals(d, off, off + sector.length, sector, 0, sector.length)) {
                            return "its sector " + from + ".." + (to - 1) + " holds bytes of " + e.getKey() + " (inode "
                                    + n.inode() + ") at offset " + off;
                        }
                    }
                }
            }
        }
        // Not a whole sector of any file: look for the bytes from the first wrong one on, anywhere.
        int end = at;
        while (end < data.length && end - at < 64 && data[end] != 0) {
            end++;
        }
        byte[] run = Arrays.copyOfRange(data, at, Math.max(end, at + 1));
        strayBytes = run;
        for (RunHistory.Lane l : history.lanes) {
            for (int k = 0; k < l.states.size(); k++) {
                for (Map.Entry<String, TreeState.Node> e : l.states.get(k).nodes.entrySet()) {
                    String where = find(e.getValue().isFile() ? e.getValue().data() : null, run);
                    if (where != null) {
                        return "its " + run.length + " bytes from there are " + e.getKey() + " (inode "
                                + e.getValue().inode() + ")'s bytes " + where + " after operation " + k + " of lane " + l.path;
                    }
                }
                for (RunHistory.HeldFile h : l.held.getOrDefault(k, List.of())) {
                    String where = find(h.data(), run);
                    if (where != null) {
                        return "its " + run.length + " bytes from there are open inode " + h.inode() + "'s bytes " + where
                                + " after operation " + k + " of lane " + l.path;
                    }
                }
            }
        }
        return "its sector " + from + ".." + (to - 1) + " matches no file's bytes in any snapshot";
    }

    /**
     * For the case file of a failed data check: every operation of the lane, and after each the
     * file's names, size and first bytes whenever they changed.
     */
    String strayHistory() {
        if (strayLane == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\nhistory of lane " + strayLane.path + ", inode " + strayInode + ":\n");
        String previous = null;
        for (int k = 0; k < strayLane.states.size(); k++) {
            StringBuilder now = new StringBuilder();
            for (Map.Entry<String, TreeState.Node> e : strayLane.states.get(k).nodes.entrySet()) {
                if (e.getValue().inode() == strayInode && e.getValue().isFile()) {
                    byte[] d = e.getValue().data();
                    now.append(e.getKey()).append(" size ").append(d.length).append(" gen ")
                            .append(e.getValue().generation()).append(" first bytes ")
                            .append(hex(Arrays.copyOf(d, Math.min(8, d.length)))).append(" hash ")
                            .append(Integer.toHexString(Arrays.hashCode(d))).append("; ");
                }
            }
            for (RunHistory.HeldFile h : strayLane.held.getOrDefault(k, List.of())) {
                if (h.inode() == strayInode) {
                    now.append("held open, size ").append(h.data().length).append(" hash ")
                            .append(Integer.toHexString(Arrays.hashCode(h.data()))).append("; ");
                }
            }
            sb.append("  op ").append(k).append(": ").append(k == 0 ? "(start)" : strayLane.operations.get(k - 1));
            if (!now.toString().equals(previous)) {
                sb.append("\n      -> ").append(now.length() == 0 ? "(no name)" : now);
                previous = now.toString();
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    private static String find(byte[] data, byte[] run) {
        if (data == null || run.length < 8) {
            return null;
        }
        outer:
        for (int i = 0; i + run.length <= data.length; i++) {
            for (int j = 0; j < run.length; j++) {
                if (data[i + j] != run[j]) {
                    continue outer;
                }
            }
            return "at " + i;
        }
        return null;
    }
}
