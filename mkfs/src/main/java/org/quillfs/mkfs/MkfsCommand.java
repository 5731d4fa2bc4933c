package org.quillfs.mkfs;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FileBlockDevice;
import org.quillfs.volume.VolumeIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mkfs.quillfs}: formats an image file or block device (docs/OPERATIONS.md). */
@Command(
        name = "mkfs.quillfs",
        mixinStandardHelpOptions = true,
        version = "mkfs.quillfs 0.1.0 (on-disk format " + Limits.FORMAT_VERSION + ")",
        sortOptions = false,
        description = "Makes a quillfs filesystem on DEVICE or IMAGE.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the filesystem was made (or, with -n, would be)",
            "8:operational error: the device could not be read or written",
            "16:usage error: a bad option or argument, or the target holds a filesystem and -F was not given"
        })
public final class MkfsCommand implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_OPERATIONAL = 8;
    static final int EXIT_USAGE = 16;

    private static final Logger log = LoggerFactory.getLogger(MkfsCommand.class);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DEVICE|IMAGE", description = "Block device or image file to format.")
    Path target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SIZE",
            description = "Size to format, with a K, M, G or T suffix (no suffix: KiB, as mke2fs). "
                    + "Creates IMAGE, or extends it sparsely, when it is smaller.")
    String size;

    @Option(names = "-b", paramLabel = "BLOCK-SIZE",
            description = "Block size in bytes: 1024, 2048, 4096 (default), ... 65536; K suffix allowed.")
    String blockSize = "4096";

    @Option(names = "-N", paramLabel = "INODES", description = "Number of inodes (rounded up to fill inode table blocks).")
    Long inodeCount;

    @Option(names = "-i", paramLabel = "BYTES-PER-INODE",
            description = "One inode for every this many bytes (default 16384; 1024 to 64M).")
    String bytesPerInode;

    @Option(names = "-J", paramLabel = "size=SIZE",
            description = "Journal size (no suffix: MiB, as mke2fs); default 1/64 of the filesystem, 1 MiB to 1 GiB.")
    String journal;

    @Option(names = "-L", paramLabel = "LABEL", description = "Volume label, at most 64 bytes of UTF-8.")
    String label = "";

    @Option(names = "-U", paramLabel = "UUID", description = "Filesystem UUID (default: random).")
    String uuid;

    @Option(names = "-F", description = "Format even if the target already holds a filesystem.")
    boolean force;

    @Option(names = "-n", description = "Dry run: print what would be made, write nothing.")
    boolean dryRun;

    @Option(names = "-q", description = "Quiet: print nothing but errors.")
    boolean quiet;

    @Option(names = "-v", description = "Verbose: log what is done.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        if (verbose) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
        }
        Target resolved = Target.resolve(target, Optional.ofNullable(size).map(s -> Sizes.parse(s, 1024, "SIZE")));
        FormatOptions options = formatOptions(resolved);
        Superblock planned = plan(options);
        if (resolved.exists() && !force) {
            Optional<String> existing = ExistingFilesystem.detect(resolved.head());
            if (existing.isPresent()) {
                throw new UsageException(target + " already holds a " + existing.get()
                        + " filesystem; use -F to overwrite it");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            if (!quiet) {
                Summary.print(out, target, planned, true);
            }
            return EXIT_OK;
        }
        resolved.prepare();
        Superblock made;
        try (FileChannel lockChannel = FileChannel.open(target, StandardOpenOption.WRITE);
                FileLock lock = lockChannel.tryLock()) {
            if (lock == null) {
                throw new IOException(target + " is in use (mounted?); unmount it first");
            }
            try (BlockDevice device = FileBlockDevice.open(target, options.blockSize(), true, options.blockCount())) {
                log.debug("formatting {} ({} blocks of {} bytes)", target, options.blockCount(), options.blockSize());
                made = Formatter.format(device, options);
            }
        }
        if (!quiet) {
            Summary.print(out, target, made, false);
        }
        return EXIT_OK;
    }

    private FormatOptions formatOptions(Target resolved) {
        int block = (int) Math.min(Integer.MAX_VALUE, Sizes.parse(blockSize, 1, "block size"));
        if (!Limits.isValidBlockSize(block)) {
            throw new UsageException("block size " + blockSize + " is not a power of two from 1024 to 65536");
        }
        if (inodeCount != null && bytesPerInode != null) {
            throw new UsageException("give -N (inode count) or -i (bytes per inode), not both");
        }
        if (inodeCount != null && (inodeCount < Limits.FIRST_INODE || inodeCount > Limits.MAX_INODES)) {
            throw new UsageException("-N " + inodeCount + " is not an inode count from " + Limits.FIRST_INODE
                    + " to " + Limits.MAX_INODES);
        }
        long ratio = bytesPerInode == null ? Limits.DEFAULT_BYTES_PER_INODE : Sizes.parse(bytesPerInode, 1, "-i");
        if (ratio < Limits.MIN_BYTES_PER_INODE || ratio > Limits.MAX_BYTES_PER_INODE) {
            throw new UsageException("-i " + bytesPerInode + " is not from 1024 to 64M bytes per inode");
        }
        if (label.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_LABEL_BYTES) {
            throw new UsageException("label is longer than " + Limits.MAX_LABEL_BYTES + " bytes of UTF-8");
        }
        if (resolved.bytes < Limits.MIN_FILESYSTEM_BYTES) {
            throw new UsageException("SIZE " + Sizes.human(resolved.bytes) + " is too small: quillfs needs at least "
                    + Sizes.human(Limits.MIN_FILESYSTEM_BYTES));
        }
        long blocks = resolved.bytes / block;
        SecureRandom random = new SecureRandom();
        return new FormatOptions(block, blocks, journalBlocks(block), inodeCount == null ? 0 : inodeCount,
                (int) ratio, label, uuid(random), currentUid(), currentGid(), Instant.now(), random);
    }

    private long journalBlocks(int block) {
        if (journal == null) {
            return 0;
        }
        if (!journal.startsWith("size=")) {
            throw new UsageException("-J " + journal + " is not size=SIZE");
        }
        long bytes = Sizes.parse(journal.substring("size=".length()), 1L << 20, "journal size");
        long blocks = bytes / block;
        if (bytes < Limits.MIN_JOURNAL_BYTES || blocks < Limits.MIN_JOURNAL_BLOCKS) {
            throw new UsageException("journal size " + Sizes.human(bytes) + " is too small: at least "
                    + Sizes.human(Math.max(Limits.MIN_JOURNAL_BYTES, (long) Limits.MIN_JOURNAL_BLOCKS * block)));
        }
        return blocks;
    }

    private UUID uuid(SecureRandom random) {
        if (uuid == null) {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            bytes[6] = (byte) (bytes[6] & 0x0f | 0x40); // version 4
            bytes[8] = (byte) (bytes[8] & 0x3f | 0x80); // IETF variant
            return org.quillfs.format.BlockHeader.uuidFrom(bytes);
        }
        try {
            return UUID.fromString(uuid);
        } catch (IllegalArgumentException e) {
            throw new UsageException("-U " + uuid + " is not a UUID (like 01234567-89ab-cdef-0123-456789abcdef)");
        }
    }

    private static Superblock plan(FormatOptions options) {
        try {
            return Formatter.plan(options);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static long currentUid() {
        return idOf("uid");
    }

    private static long currentGid() {
        return idOf("gid");
    }

    /** The uid or gid of this process, from the unix view of /proc/self (0 where there is none). */
    private static long idOf(String attribute) {
        try {
            return ((Number) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:" + attribute)).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }

    /** Runs the command as {@code main} does, returning the exit code instead of exiting. */
    static int run(CommandLine commandLine, String... args) {
        PrintWriter err = commandLine.getErr();
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            err.println("mkfs.quillfs: " + e.getMessage() + " (see mkfs.quillfs --help)");
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, line, parseResult) -> {
            if (e instanceof UsageException) {
                err.println("mkfs.quillfs: " + e.getMessage());
                return EXIT_USAGE;
            }
            if (e instanceof VolumeIOException) {
                err.println("mkfs.quillfs: " + e.getMessage());
                return EXIT_OPERATIONAL;
            }
            if (e instanceof IOException io) {
                err.println("mkfs.quillfs: cannot format " + line.<MkfsCommand>getCommand().target + ": " + describe(io));
                return EXIT_OPERATIONAL;
            }
            log.debug("unexpected failure", e);
            err.println("mkfs.quillfs: internal error: " + e + " (run with -v for details)");
            return EXIT_OPERATIONAL;
        });
        return commandLine.execute(args);
    }

    private static String describe(IOException e) {
        String reason = e.getMessage() == null ? "" : e.getMessage();
        // NIO's file exceptions carry only the path as their message: name the kind instead.
        return e instanceof java.nio.file.FileSystemException fse && fse.getReason() == null
                ? e.getClass().getSimpleName().replace("Exception", "") + " " + reason
                : reason;
    }

    public static void main(String[] args) {
        System.exit(run(new CommandLine(new MkfsCommand()), args));
    }
}
