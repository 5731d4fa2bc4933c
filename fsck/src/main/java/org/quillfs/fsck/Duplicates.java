package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.quillfs.format.BlockType;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.Inode;
import org.quillfs.format.XattrBlock;

/**
 * Passes 1B–1D, run only when pass 1 found a block claimed by more than one inode, and the
 * rewriting of the extent trees pass 1 found damaged.
 *
 * <p>Pass 1B walks every inode that owns blocks again to learn who claims each multiply-claimed
 * block. Pass 1D decides, per block, who keeps it — the directory or attribute block whose header
 * names its owner, else the lowest-numbered claimant — and offers every other claimant a copy
 * ("clone"): new blocks, the data copied, its extent tree rewritten to point at them.
 *
 * <p>All walks happen before the first write: a block written here was free, and no tree read
 * afterwards (pass 2 reads directories, which check type, number and owner) can take it for its own.
 */
final class Duplicates {

    private final Checker c;
    private final Volume volume;
    private final Questions q;
    private long cachedTableBlock = -1;
    private ByteBuffer cachedTable;

    Duplicates(Checker checker) {
        this.c = checker;
        this.volume = checker.volume;
        this.q = checker.questions;
    }

    /** What happens to one file: blocks to move (clone) and a tree to rewrite. */
    private static final class Plan {
        final int index;
        final Set<Long> move = new HashSet<>();
        Inode inode;
        ExtentWalk.Result walk;

        Plan(int index) {
            this.index = index;
        }
    }

    void run() {
        TreeMap<Integer, Plan> plans = new TreeMap<>();
        if (c.claims.anyMultiplyClaimed()) {
            reconcile(plans);
        }
        for (int i = 0; i < c.census.count(); i++) {
            if (c.census.has(i, InodeCensus.REBUILD_EXTENTS) && !c.census.has(i, InodeCensus.GONE)) {
                plans.computeIfAbsent(i, Plan::new);
            }
        }
        if (plans.isEmpty()) {
            return;
        }
        for (Plan p : plans.values()) { // every walk before the first write
            long ino = c.census.number(p.index);
            p.inode = inode(ino);
            p.walk = ExtentWalk.walk(volume, p.inode.data());
        }
        for (Plan p : plans.values()) {
            if (p.walk.fatal() == null) {
                rewrite(p);
            }
        }
    }

    private void reconcile(TreeMap<Integer, Plan> plans) {
        q.header("Running additional passes to resolve blocks claimed by more than one inode...");
        q.header("Pass 1B: Rescanning for multiply-claimed blocks");
        Map<Long, List<long[]>> claimants = new HashMap<>(); // block → {census index, 1 if its header names the owner}
        TreeMap<Integer, TreeSet<Long>> byInode = new TreeMap<>();
        LongBitSet multiply = c.claims.multiplyClaimed();
        for (int i = 0; i < c.census.count(); i++) {
            if (!c.census.has(i, InodeCensus.HAS_BLOCKS) || c.census.has(i, InodeCensus.GONE)) {
                continue;
            }
            long ino = c.census.number(i);
            Inode inode = inode(ino);
            int type = inode.mode() & Inode.S_IFMT;
            int index = i;
            java.util.function.BiConsumer<Long, Integer> claim = (b, meta) -> {
                if (multiply.get(b)) {
                    claimants.computeIfAbsent(b, k -> new ArrayList<>()).add(new long[] {index, meta});
                    byInode.computeIfAbsent(index, k -> new TreeSet<>()).add(b);
                }
            };
            if (type == Inode.S_IFDIR) {
                for (long b : DirectoryWalk.walk(volume, ino, inode.data(), null).blocks()) {
                    claim.accept(b, 1);
                }
            } else if ((type == Inode.S_IFREG || type == Inode.S_IFLNK) && (inode.flags() & Inode.INLINE_DATA) == 0) {
                ExtentWalk.Result walk = ExtentWalk.walk(volume, inode.data());
                for (ExtentEntry e : walk.extents()) {
                    long from = multiply.nextSet(e.physical(), e.physical() + e.length());
                    for (long b = from; b >= 0; b = multiply.nextSet(b + 1, e.physical() + e.length())) {
                        claim.accept(b, 0);
                    }
                }
                for (long node : walk.nodes()) {
                    claim.accept(node, 0);
                }
            }
            long x = inode.xattrBlock();
            if (x != 0 && multiply.get(x) && volume.isDataBlock(x)) {
                ByteBuffer block = volume.read(x);
                boolean sound = volume.headerProblem(block, BlockType.XATTR, x).isEmpty()
                        || volume.onlyChecksumWrong(block, BlockType.XATTR, x);
                if (sound && XattrBlock.owner(block) == ino && XattrBlock.problem(block).isEmpty()) {
                    claim.accept(x, 1);
                }
            }
        }
        for (var e : byInode.entrySet()) {
            q.line("Multiply-claimed block(s) in inode " + c.census.number(e.getKey()) + ": " + list(e.getValue(), 20));
        }
        q.header("Pass 1D: Reconciling multiply-claimed blocks");
        q.line("(There are " + byInode.size() + " inodes containing multiply-claimed blocks.)");
        for (var e : byInode.entrySet()) {
            int i = e.getKey();
            Set<Long> move = new TreeSet<>();
            TreeSet<Long> others = new TreeSet<>();
            for (long b : e.getValue()) {
                List<long[]> who = claimants.get(b);
                long keeper = keeper(who);
                for (long[] w : who) {
                    if (w[0] != i) {
                        others.add(c.census.number((int) w[0]));
                    }
                }
                if (keeper != i) {
                    move.add(b);
                }
            }
            if (move.isEmpty()) {
                continue;
            }
            long ino = c.census.number(i);
            int type = c.census.mode(i) & Inode.S_IFMT;
            String what = type == Inode.S_IFLNK ? "Symlink" : type == Inode.S_IFDIR ? "Directory" : "File";
            if (type == Inode.S_IFDIR) {
                continue; // a directory always keeps the blocks whose headers name it
            }
            if (q.ask(what + " inode " + ino + " has " + e.getValue().size()
                    + " multiply-claimed block(s), shared with " + others.size() + " inode(s): "
                    + list(others, 10) + ".", Question.CLONE, false)) {
                plans.computeIfAbsent(i, Plan::new).move.addAll(move);
            }
        }
    }

    /** Who keeps a block: the claimant whose block header names it as owner, else the lowest-numbered. */
    private static long keeper(List<long[]> who) {
        long best = -1;
        for (long[] w : who) {
            if (w[1] == 1) {
                return w[0];
            }
            if (best < 0 || w[0] < best) {
                best = w[0];
            }
        }
        return best;
    }

    private void rewrite(Plan p) {
        long ino = c.census.number(p.index);
        long goal = c.geometry.groupStart(c.geometry.groupOfInode(ino));
        List<ExtentEntry> extents = new ArrayList<>();
        List<long[]> allocated = new ArrayList<>();
        List<long[]> copiedFrom = new ArrayList<>(); // {old first, count} released once the tree is written
        boolean ok = true;
        for (ExtentEntry e : p.walk.extents()) {
            long b = e.physical();
            long end = e.physical() + e.length();
            while (b < end && ok) {
                boolean moving = p.move.contains(b);
                long runEnd = b + 1;
                while (runEnd < end && p.move.contains(runEnd) == moving) {
                    runEnd++;
                }
                long logical = e.logical() + (b - e.physical());
                if (!moving) {
                    extents.add(new ExtentEntry(logical, b, runEnd - b, e.flags()));
                } else {
                    long from = b;
                    while (from < runEnd) {
                        long[] run = c.claims.allocate(goal, (int) Math.min(Integer.MAX_VALUE, runEnd - from));
                        if (run == null) {
                            ok = false;
                            break;
                        }
                        allocated.add(run);
                        for (long k = 0; k < run[1]; k++) {
                            volume.writeRaw(run[0] + k, volume.read(from + k));
                        }
                        extents.add(new ExtentEntry(logical + (from - b), run[0], run[1], e.flags()));
                        copiedFrom.add(new long[] {from, run[1]});
                        from += run[1];
                        goal = run[0] + run[1];
                    }
                }
                b = runEnd;
            }
        }
        List<Long> nodes = new ArrayList<>();
        if (ok) {
            for (long node : p.walk.nodes()) {
                c.claims.release(node);
            }
            int need = ExtentTreeWriter.nodesFor(extents.size(), volume.blockSize);
            for (int k = 0; k < need; k++) {
                long preferred = k < p.walk.nodes().length ? p.walk.nodes()[k] : -1;
                long nr = c.claims.allocateOne(preferred, goal);
                if (nr < 0) {
                    ok = false;
                    break;
                }
                nodes.add(nr);
            }
            if (!ok) {
                nodes.forEach(c.claims::release);
                for (long node : p.walk.nodes()) {
                    c.claims.claim(node, 1);
                }
            }
        }
        if (!ok) {
            for (long[] run : allocated) {
                for (long k = 0; k < run[1]; k++) {
                    c.claims.release(run[0] + k);
                }
            }
            q.failed("Inode " + ino + ": no free blocks left to rewrite its extent tree.");
            return;
        }
        java.util.Iterator<Long> supply = nodes.iterator();
        ExtentTreeWriter.Written written = ExtentTreeWriter.write(volume, extents, () -> supply.next());
        long dataBlocks = 0;
        for (ExtentEntry e : extents) {
            dataBlocks += e.length();
        }
        long others = c.census.blocks(p.index) - p.walk.dataBlocks() - p.walk.nodes().length; // the attribute block
        long blocks = dataBlocks + written.nodes().size() + Math.max(0, others);
        Inode updated = p.inode.withData(written.root(), p.inode.flags()).withBlocks(blocks);
        if (!updated.equals(p.inode)) {
            volume.writeInode(ino, updated);
        }
        c.census.setBlocks(p.index, blocks);
        for (long[] from : copiedFrom) {
            for (long k = 0; k < from[1]; k++) {
                c.claims.release(from[0] + k);
            }
        }
    }

    /** Reads inode {@code ino}, keeping the last table block: consecutive inodes share it. */
    private Inode inode(long ino) {
        long blockNr = c.geometry.inodeBlock(ino);
        if (blockNr != cachedTableBlock) {
            cachedTable = volume.read(blockNr);
            cachedTableBlock = blockNr;
        }
        return Inode.decode(cachedTable, c.geometry.inodeOffset(ino));
    }

    private static String list(Set<Long> values, int max) {
        StringBuilder s = new StringBuilder();
        int n = 0;
        for (long v : values) {
            if (n == max) {
                s.append(" ...");
                break;
            }
            if (n++ > 0) {
                s.append(' ');
            }
            s.append(v);
        }
        return s.toString();
    }
}
