package org.quillfs.crash;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Superblock;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fsck.FsckOnDevice;
import org.quillfs.journal.Recovery;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.DeviceEvent;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * Everything the campaign asks of one crash state, in order; the first that fails decides:
 *
 * <ol>
 *   <li>journal recovery ({@code org.quillfs.journal.Recovery}, what mount and fsck run) completes;
 *   <li>recovery of a second copy of the state writes exactly the same bytes (compared on every
 *       block either recovery wrote);
 *   <li>recovery of the recovered image changes nothing;
 *   <li>{@code fsck.quillfs -f -n} on the recovered image finds nothing (exit 0); if the crash
 *       left files on the orphan list (unlinked while open), which fsck -n reports as work to do,
 *       the check is made after a mount and unmount of a copy, which free them;
 *   <li>the recovered image mounts (read-only) and its tree is one {@link CrashOracle} allows.
 * </ol>
 */
final class CrashCheck {

    enum Verdict { PASS, FAIL }

    /** What follows it in a problem goes to the case file only, not to the log. */
    static final String DETAILS = "\n-- details --";

    record Result(Verdict verdict, String problem) {
        static final Result PASS = new Result(Verdict.PASS, null);
    }

    /** States whose recovered image had files on the orphan list. */
    static final java.util.concurrent.atomic.LongAdder orphans = new java.util.concurrent.atomic.LongAdder();

    private final RunHistory history;
    private final CrashStates states;
    private final List<DeviceEvent.Write> writes;
    private final java.util.UUID uuid;
    private final DeviceLayout layout;

    CrashCheck(RunHistory history, CrashStates states, List<DeviceEvent.Write> writes, java.util.UUID uuid,
            DeviceLayout layout) {
        this.layout = layout;
        this.history = history;
        this.states = states;
        this.writes = writes;
        this.uuid = uuid;
    }

    /** Checks {@code point}, whose state's device (built for the purpose; it is recovered in place) is {@code device}. */
    Result check(CrashPoint point, MemoryBlockDevice device) {
        CrashState state = point.in(states);
        String problem = problem(device, state, point);
        return problem == null ? Result.PASS : new Result(Verdict.FAIL, problem);
    }

    /** Null if {@code crashed} (the state's device, or a variant of it) passes every check; else why not. */
    private String problem(MemoryBlockDevice crashed, CrashState state, CrashPoint point) {
        Superblock sb = superblock(on(crashed));
        if (sb == null) {
            return "block 0 holds no sound superblock: " + superblockProblem(on(crashed));
        }
        MemoryBlockDevice copy = crashed.copy(crashed.name() + " (second copy)");
        TrackingDevice first = new TrackingDevice(crashed);
        try {
            Recovery.run(on(first), sb);
        } catch (RuntimeException e) {
            return "recovery failed: " + e + at(e);
        }
        TrackingDevice second = new TrackingDevice(copy);
        try {
            Recovery.run(on(second), sb);
        } catch (RuntimeException e) {
            return "recovery of a second copy failed (the first did not): " + e + at(e);
        }
        Set<Long> touched = new TreeSet<>(first.written);
        touched.addAll(second.written);
        Set<Long> differ = TrackingDevice.differences(crashed, copy, touched);
        if (!differ.isEmpty()) {
            return "two recoveries of the same state differ in blocks " + differ;
        }
        TrackingDevice again = new TrackingDevice(crashed);
        try {
            Recovery.run(on(again), superblock(on(crashed)));
        } catch (RuntimeException e) {
            return "recovering the recovered image failed: " + e + at(e);
        }
        if (!again.changed.isEmpty()) {
            return "recovering the recovered image changed blocks " + again.changed;
        }
        Superblock recoveredSb = superblock(on(crashed));
        if (recoveredSb == null) {
            return "after recovery, block 0 holds no sound superblock: " + superblockProblem(on(crashed));
        }
        if (recoveredSb.orphanHead() == 0) {
            FsckOnDevice.Result fsck = FsckOnDevice.checkReadOnly(on(crashed));
            if (fsck.exitCode() != 0) {
                return "fsck -fn exits " + fsck.exitCode() + ":\n" + indent(fsck.output());
            }
        } else {
            // Files unlinked while open were on the orphan list at the crash: fsck would free them
            // (and -n says so, exit 4), as the next mount does. Mount a copy, unmount it, check that.
            orphans.increment();
            MemoryBlockDevice mounted = crashed.copy(crashed.name() + " (mounted to free orphans)");
            try {
                FileSystem.open(on(mounted), FsOptions.defaults()).close();
            } catch (RuntimeException e) {
                return "mounting the recovered image to free its orphans failed: " + e + at(e);
            }
            FsckOnDevice.Result fsck = FsckOnDevice.checkReadOnly(on(mounted));
            if (fsck.exitCode() != 0) {
                return "the recovered image has orphans; after a mount and unmount freed them, fsck -fn exits "
                        + fsck.exitCode() + ":\n" + indent(fsck.output());
            }
        }
        TreeState recovered;
        FileSystem fs;
        try {
            fs = FileSystem.open(on(crashed), FsOptions.defaults().withReadOnly(true).withAtime(FsOptions.AtimeMode.NOATIME));
        } catch (RuntimeException e) {
            return "the recovered image does not mount: " + e + at(e);
        }
        try {
            recovered = TreeState.of(fs);
        } catch (RuntimeException e) {
            return "reading the recovered tree failed: " + e + at(e);
        } finally {
            fs.halt();
        }
        CrashOracle oracle = new CrashOracle(history);
        String wrong = oracle.check(recovered, point.durableFlushes(states));
        if (wrong == null) {
            return null;
        }
        return "the oracle says: " + wrong + (oracle.strayBytes == null ? "" : whereWritten(oracle.strayBytes))
                + DETAILS + oracle.strayHistory();
    }

    /** Which recorded writes carried {@code bytes}: where stray bytes in a file came from. */
    private String whereWritten(byte[] bytes) {
        if (bytes.length < 8) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < writes.size(); n++) {
            byte[] d = writes.get(n).data();
            outer:
            for (int i = 0; i + bytes.length <= d.length; i++) {
                for (int j = 0; j < bytes.length; j++) {
                    if (d[i + j] != bytes[j]) {
                        continue outer;
                    }
                }
                sb.append("\n  the bytes were in recorded write ").append(n + 1).append(" (first block ")
                        .append(writes.get(n).firstBlock()).append(", byte ").append(i).append(" of the write)");
                break;
            }
        }
        return sb.length() == 0 ? "\n  no recorded write carried those bytes" : sb.toString();
    }

    /** The block types a write covers (file data and other headerless blocks as DATA). */
    static Set<String> typesOf(DeviceEvent.Write write, int blockSize) {
        Set<String> types = new LinkedHashSet<>();
        for (int i = 0; i < write.blocks(blockSize); i++) {
            BlockType t = typeOf(Arrays.copyOfRange(write.data(), i * blockSize, (i + 1) * blockSize));
            types.add(t == null ? "DATA" : t.name());
        }
        return types;
    }

    static BlockType typeOf(byte[] block) {
        ByteBuffer b = ByteBuffer.wrap(block);
        if (BlockHeader.magic(b) != BlockHeader.MAGIC) {
            return null;
        }
        return BlockType.fromCode(BlockHeader.typeCode(b)).orElse(null);
    }

    /** The filesystem's device on {@code device}, a crash state's device (or a copy, or a wrapper of it). */
    private BlockDevice on(BlockDevice device) {
        return layout.filesystemOn(device);
    }

    static Superblock superblock(BlockDevice device) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(0, block);
        Superblock sb = Superblock.decode(block.clear());
        if (BlockHeader.problem(block, sb.uuid(), BlockType.SUPERBLOCK, 0).or(sb::problem).isPresent()) {
            return null;
        }
        return sb;
    }

    private static String superblockProblem(BlockDevice device) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(0, block);
        Superblock sb = Superblock.decode(block.clear());
        return BlockHeader.problem(block, sb.uuid(), BlockType.SUPERBLOCK, 0).or(sb::problem).orElse("?");
    }

    private static String at(Throwable e) {
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] trace = e.getStackTrace();
        for (int i = 0; i < Math.min(8, trace.length); i++) {
            sb.append("\n      at ").append(trace[i]);
        }
        return sb.toString();
    }

    private static String indent(String text) {
        return "    " + text.strip().replace("\n", "\n    ");
    }

}
