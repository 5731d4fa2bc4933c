package org.quillfs.fsck;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Features;
import org.quillfs.format.Geometry;
import org.quillfs.format.Superblock;
import org.quillfs.journal.Recovery;
import org.quillfs.journal.RecoveryReport;
import org.quillfs.volume.BlockDevice;

/**
 * One run of fsck on an opened device: find the superblock, replay the journal, skip a clean
 * filesystem, check, stamp the superblock, and say how it went as an fsck(8) exit code.
 *
 * <pre>
 *   superblock   primary, else the first sound backup (which then replaces the primary)
 *   journal      header and masters sound, else made anew; records replayed (with -n: replayed
 *                into memory only, to report what would happen and to check that state)
 *   clean?       CLEAN, no ERRORS, nothing to replay, no orphans, mount count below the
 *                maximum: "clean", exit 0, unless -f
 *   check        {@link Checker}
 *   stamp        CLEAN (or ERRORS when problems were left), check time now, mount count 0,
 *                free counts as counted, orphan list empty
 * </pre>
 */
final class Fsck {

    static final int OK = 0;
    static final int CORRECTED = 1;
    static final int UNCORRECTED = 4;
    static final int OPERATIONAL = 8;
    static final int USAGE = 16;
    static final int CANCELLED = 32;

    /** What the command line asked for. */
    record Options(Questions.Mode mode, boolean force, boolean verbose, boolean progress) {
    }

    private final FsckTarget target;
    private final String name;
    private final Options options;
    private final PrintWriter out;
    private final Questions questions;
    private final Progress progress;
    private boolean changed;
    /** Set once the check proper starts: what a stopped run marks as having errors. */
    private Volume volume;

    Fsck(FsckTarget target, Options options, PrintWriter out, Supplier<String> answers) {
        this.target = target;
        this.name = target.name();
        this.options = options;
        this.out = out;
        this.progress = new Progress(out, options.progress());
        this.questions = new Questions(options.mode(), out, name, answers, progress);
    }

    /** Runs the check; returns the exit code. Operational failures are thrown for the command to report. */
    int run() throws IOException {
        try {
            return check();
        } catch (Questions.PreenStop e) {
            markErrors();
            return UNCORRECTED;
        } catch (Questions.Cancelled e) {
            markErrors();
            out.println(name + ": check cancelled.");
            return CANCELLED | (changed || questions.fixed() > 0 ? CORRECTED : 0) | UNCORRECTED;
        } finally {
            progress.clear();
            out.flush();
        }
    }

    private int check() throws IOException {
        boolean readOnly = questions.readOnly();
        long size = target.size();
        SuperblockFinder.Found found = new SuperblockFinder(target.probe(), name, size).find();
        Superblock sb = found.superblock();
        Geometry geometry = sb.geometry();
        Features.problem(sb, !readOnly).ifPresent(why -> {
            throw new UnreadableException(name + ": " + why);
        });
        BlockDevice base = target.open(geometry.blockSize());
        BlockDevice device = readOnly ? new OverlayDevice(base) : base;
        boolean primarySound = found.primaryProblem() == null;
        if (!primarySound && !primary(found, device)) {
            questions.deviceLine("not checked: the primary superblock stays damaged.");
            return UNCORRECTED;
        }
        sb = readSuperblock(device, sb);

        Optional<String> journalProblem = Journal.problem(device, sb);
        boolean records = journalProblem.isEmpty() && Journal.hasRecords(device, sb);
        if (!options.force() && primarySound && journalProblem.isEmpty() && !records && isClean(sb)) {
            questions.deviceLine(summary(sb.geometry().inodeCount() - sb.freeInodes(), sb.geometry().inodeCount(),
                    sb.geometry().blockCount() - sb.freeBlocks(), sb.geometry().blockCount(), "clean, "));
            return OK;
        }
        if ((sb.state() & Superblock.STATE_ERRORS) != 0) {
            // As e2fsck: a filesystem that stopped after an error (or a check left problems) is
            // checked in full, and the stamp at the end clears the mark when none are left.
            questions.deviceLine("the superblock says the filesystem has errors: check forced.");
        }
        if (journalProblem.isPresent()) {
            if (questions.ask("The journal is damaged: " + journalProblem.get() + ".", Question.RECREATE, true)) {
                Journal.recreate(device, sb);
            }
        } else {
            long damagedMaster = Journal.damagedMaster(device, sb);
            if (records) {
                recover(device, sb);
                sb = readSuperblock(device, sb);
            }
            if (damagedMaster >= 0 && Journal.damagedMaster(device, sb) >= 0
                    && questions.ask("Journal master record (block " + damagedMaster + ") is damaged.", Question.FIX,
                            true)) {
                Journal.repairMaster(device, sb);
            }
        }

        Volume volume = new Volume(device, sb, !readOnly);
        this.volume = volume;
        GroupDescriptors descriptors = GroupDescriptors.check(volume, questions);
        descriptors.writeChanged();
        Set<Long> orphans = OrphanList.read(volume, Integer.toUnsignedLong(sb.orphanHead()), descriptors, questions);
        Checker checker = new Checker(volume, sb, questions, progress, options.verbose(), descriptors, orphans);
        checker.run();

        if (!readOnly) {
            stamp(volume, sb, checker);
            volume.flush();
        }
        long files = geometry.inodeCount() - checker.freeInodesCounted;
        long blocks = geometry.blockCount() - checker.freeBlocksCounted;
        if (options.verbose()) {
            verbose(checker);
        }
        int code = OK;
        if (questions.unfixed() > 0) {
            code |= UNCORRECTED;
            if (questions.mode() != Questions.Mode.PREEN) {
                questions.line("");
                questions.line("***** WARNING: Filesystem still has errors *****");
            }
        }
        if (changed || questions.fixed() > 0) {
            code |= CORRECTED;
            if (!readOnly && questions.mode() != Questions.Mode.PREEN) {
                questions.line("");
                questions.line("***** FILE SYSTEM WAS MODIFIED *****");
            }
        }
        if (readOnly) {
            code &= ~CORRECTED;
        }
        questions.deviceLine(summary(files, geometry.inodeCount(), blocks, geometry.blockCount(), ""));
        return code;
    }

    /** The primary superblock is damaged: say so, and put the one found in its place. */
    private boolean primary(SuperblockFinder.Found found, BlockDevice device) {
        Superblock sb = found.superblock();
        String problem = "Superblock (block 0) is damaged: " + found.primaryProblem() + ";";
        String remedy = found.fromBackup()
                ? " the backup in group " + sb.geometry().groupOfBlock(found.location()) + " (block "
                        + found.location() + ") is sound."
                : " its fields are sound.";
        boolean fix = questions.ask(problem + remedy, Question.FIX, true);
        if (!fix && !questions.readOnly()) {
            return false;
        }
        // Written before recovery, which replays the superblock's logged fields on top of it. With
        // -n it goes to the overlay only.
        ByteBuffer block = ByteBuffer.allocate(sb.geometry().blockSize());
        sb.encode(block, 0);
        BlockHeader.seal(block, sb.uuid());
        device.write(0, block);
        device.flush();
        changed = true;
        return true;
    }

    private void recover(BlockDevice device, Superblock sb) {
        RecoveryReport report;
        try {
            report = Recovery.run(device, sb).report();
        } catch (RuntimeException e) {
            if (e instanceof org.quillfs.volume.VolumeIOException io && io.getCause() instanceof IOException) {
                throw e;
            }
            if (questions.ask("Journal recovery failed: " + e.getMessage() + ".", Question.RECREATE, true)) {
                Journal.recreate(device, sb);
            }
            return;
        }
        String what = report.rolledForward() + " transactions rolled forward, " + report.rolledBack()
                + " rolled back, " + report.blocksWritten() + " blocks written";
        if (questions.readOnly()) {
            questions.deviceLine("the journal needs recovery (" + what.replace("rolled", "to roll")
                    .replace("written", "to write") + "): not replayed (-n); checking what replay would leave.");
            questions.leftUndone();
        } else {
            questions.deviceLine("recovering journal: " + what + ".");
            changed = true;
            if (Journal.problem(device, sb).isEmpty() && Journal.hasRecords(device, sb)) {
                // Intact blocks of an older history right after the new tail (the log had ended early
                // at a damaged block) would be read as records by the next recovery: start past them.
                questions.deviceLine("the log holds stale blocks past its end: cleared.");
                Journal.recreate(device, sb);
            }
        }
    }

    /** Block 0 as it is now (recovery may have changed its dynamic fields); the old one if it no longer verifies. */
    private static Superblock readSuperblock(BlockDevice device, Superblock previous) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(0, block);
        Superblock sb = Superblock.decode(block.clear());
        if (BlockHeader.problem(block, previous.uuid(), BlockType.SUPERBLOCK, 0).or(sb::problem).isPresent()
                || !sb.geometry().equals(previous.geometry())) {
            return previous;
        }
        return sb;
    }

    private static boolean isClean(Superblock sb) {
        return (sb.state() & Superblock.STATE_CLEAN) != 0 && (sb.state() & Superblock.STATE_ERRORS) == 0
                && sb.orphanHead() == 0 && (sb.maxMountCount() <= 0 || sb.mountCount() < sb.maxMountCount());
    }

    /**
     * A run stopped half way (-p met something it may not repair, or the user quit): the
     * superblock says ERRORS, so that the filesystem is not taken for clean next time.
     */
    private void markErrors() {
        if (volume == null || !volume.writable()) {
            return;
        }
        ByteBuffer block = volume.read(0);
        Superblock sb = Superblock.decode(block);
        if (BlockHeader.problem(block, volume.uuid, BlockType.SUPERBLOCK, 0).or(sb::problem).isEmpty()) {
            ByteBuffer fresh = ByteBuffer.allocate(volume.blockSize);
            sb.withState((sb.state() | Superblock.STATE_ERRORS) & ~Superblock.STATE_CLEAN).encode(fresh, 0);
            BlockHeader.setLsn(fresh, BlockHeader.lsn(block));
            volume.writeMetadata(0, fresh);
        }
        volume.flush();
    }

    /** Marks the filesystem checked: CLEAN unless problems were left, mount count 0, counts as counted. */
    private void stamp(Volume volume, Superblock old, Checker checker) {
        ByteBuffer block = volume.read(0);
        Superblock now = Superblock.decode(block);
        if (BlockHeader.problem(block, old.uuid(), BlockType.SUPERBLOCK, 0).or(now::problem).isPresent()) {
            now = old;
        }
        boolean keptOrphans = false;
        for (int i = 0; i < checker.census.count(); i++) {
            if (checker.census.has(i, InodeCensus.ORPHAN) && !checker.census.has(i, InodeCensus.GONE)) {
                keptOrphans = true;
            }
        }
        int state = questions.unfixed() > 0 ? Superblock.STATE_ERRORS : Superblock.STATE_CLEAN;
        long t = Instant.now().getEpochSecond();
        Superblock stamped = new Superblock(now.formatVersion(), now.featureCompat(), now.featureRoCompat(),
                now.featureIncompat(), now.geometry(), now.uuid(), now.label(), state, 0, now.maxMountCount(),
                now.rootInode(), now.firstInode(), keptOrphans ? now.orphanHead() : 0, now.createdTime(),
                now.mountTime(), t, t, checker.freeBlocksCounted, checker.freeInodesCounted, now.dirHashKey0(),
                now.dirHashKey1(), now.lazyInitFlags(), now.inodeSize());
        ByteBuffer fresh = ByteBuffer.allocate(volume.blockSize);
        stamped.encode(fresh, 0);
        BlockHeader.setLsn(fresh, BlockHeader.lsn(block));
        volume.writeMetadata(0, fresh);
    }

    private static String summary(long files, long totalFiles, long blocks, long totalBlocks, String clean) {
        return clean + files + "/" + totalFiles + " files, " + blocks + "/" + totalBlocks + " blocks";
    }

    private void verbose(Checker c) {
        long regular = 0;
        long directories = 0;
        long symlinks = 0;
        long devices = 0;
        long others = 0;
        for (int i = 0; i < c.census.count(); i++) {
            if (c.census.has(i, InodeCensus.GONE)) {
                continue;
            }
            switch (c.census.mode(i) & org.quillfs.format.Inode.S_IFMT) {
                case org.quillfs.format.Inode.S_IFREG -> regular++;
                case org.quillfs.format.Inode.S_IFDIR -> directories++;
                case org.quillfs.format.Inode.S_IFLNK -> symlinks++;
                case org.quillfs.format.Inode.S_IFCHR, org.quillfs.format.Inode.S_IFBLK -> devices++;
                default -> others++;
            }
        }
        questions.line("");
        questions.line(String.format("%12d regular files", regular));
        questions.line(String.format("%12d directories", directories));
        questions.line(String.format("%12d symbolic links", symlinks));
        questions.line(String.format("%12d device files", devices));
        questions.line(String.format("%12d fifos and sockets", others));
    }
}
