package org.quillfs.mkfs;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FileBlockDevice;
import org.quillfs.volume.Layout;
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
        description = {
            "Makes a quillfs filesystem on DEVICE or IMAGE, or on a volume over several of them (--layout).",
            "SIZE, when given last, is the size of the image (of each member image, for a volume)."
        },
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

    /** Stripe unit when --stripe-unit is not given (LVM's default; md's is 512 KiB). */
    static final long DEFAULT_STRIPE_UNIT = 64 << 10;

    private static final Logger log = LoggerFactory.getLogger(MkfsCommand.class);

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DEVICE|IMAGE... [SIZE]",
            description = {"Block devices or image files to format: one, or the members of a volume in member order.",
                "SIZE: size to format, with a K, M, G or T suffix (no suffix: KiB, as mke2fs). "
                    + "Creates IMAGE, or extends it sparsely, when it is smaller."})
    List<Path> arguments;

    @Option(names = "--layout", paramLabel = "concat|stripe",
            description = "Make a volume over the devices given: concat (one after another) or stripe (RAID 0). "
                    + "Needed with several devices.")
    String layout;

    @Option(names = "--stripe-unit", paramLabel = "SIZE",
            description = "With --layout stripe: bytes per stripe unit, a multiple of the block size "
                    + "(no suffix: KiB; default 64K).")
    String stripeUnit;

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

    @Option(names = "-E", paramLabel = "EXTENDED-OPTIONS",
            description = "Comma-separated extended options, as mke2fs's: lazy_journal_init[=0|1] "
                    + "(1: leave the log blocks unwritten, so a sparse image stays sparse; default 0).")
    String extended;

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

    /** The devices given; SIZE, if given, is split off into {@link #size}. */
    private List<Path> targets;
    private String size;

    @Override
    public Integer call() throws IOException {
        if (verbose) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
        }
        splitArguments();
        Optional<Long> sizeBytes = Optional.ofNullable(size).map(s -> Sizes.parse(s, 1024, "SIZE"));
        List<Target> resolved = new ArrayList<>();
        for (Path path : targets) {
            resolved.add(Target.resolve(path, sizeBytes));
        }
        int block = blockSize();
        VolumePlan volume = volumePlan(resolved, block);
        FormatOptions options = formatOptions(block, volume == null ? resolved.get(0).bytes / block : volume.capacity());
        boolean writeLog = !lazyJournalInit();
        Superblock planned = plan(options);
        for (Target member : resolved) {
            if (member.exists() && !force) {
                Optional<String> existing = ExistingFilesystem.detect(member.head());
                if (existing.isPresent()) {
                    throw new UsageException(member.path + " already holds a " + existing.get()
                            + " filesystem; use -F to overwrite it");
                }
            }
        }
        String name = volume == null ? targets.get(0).toString() : volume.name();
        String layoutLine = volume == null ? null : volume.describe();
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            if (!quiet) {
                Summary.print(out, name, layoutLine, planned, true);
            }
            return EXIT_OK;
        }
        for (Target member : resolved) {
            member.prepare();
        }
        Superblock made = volume == null ? formatOne(options, writeLog) : volume.format(options, writeLog);
        if (!quiet) {
            Summary.print(out, name, layoutLine, made, false);
        }
        return EXIT_OK;
    }

    /**
     * Splits off SIZE: without --layout the arguments are {@code DEVICE [SIZE]}, as ever; with it,
     * a last argument that reads as a size and names no file is SIZE.
     */
    private void splitArguments() {
        List<Path> given = new ArrayList<>(arguments);
        if (layout == null) {
            if (given.size() > 2) {
                throw new UsageException("Unmatched argument at index 2: '" + given.get(2)
                        + "' (several devices need --layout; see mkfs.quillfs --help)");
            }
            if (given.size() == 2) {
                size = given.remove(1).toString();
            }
        } else {
            Path last = given.get(given.size() - 1);
            if (given.size() > 1 && Sizes.looksLikeSize(last.toString()) && !Files.exists(last)) {
                size = given.remove(given.size() - 1).toString();
            }
        }
        targets = List.copyOf(given);
    }

    /** The volume to make, or null for a single device; checks --layout and --stripe-unit. */
    private VolumePlan volumePlan(List<Target> resolved, int block) {
        if (resolved.size() == 1) {
            if (layout != null || stripeUnit != null) {
                throw new UsageException("--layout and --stripe-unit make a volume over two or more devices; one was given");
            }
            return null;
        }
        Layout chosen = Layout.ofWord(layout);
        if (chosen == null) {
            throw new UsageException("--layout " + layout + " is not concat or stripe");
        }
        if (chosen == Layout.CONCAT) {
            if (stripeUnit != null) {
                throw new UsageException("--stripe-unit is for --layout stripe, not concat");
            }
            return new VolumePlan(chosen, 0, resolved, block);
        }
        long unitBytes = stripeUnit == null ? Math.max(DEFAULT_STRIPE_UNIT, block) : Sizes.parse(stripeUnit, 1024, "--stripe-unit");
        if (unitBytes < block || unitBytes % block != 0 || unitBytes / block > Integer.MAX_VALUE) {
            throw new UsageException("--stripe-unit " + stripeUnit + " is not a multiple of the block size " + block);
        }
        return new VolumePlan(chosen, (int) (unitBytes / block), resolved, block);
    }

    /** Formats the one device given, and writes its log blocks if {@code writeLog}. */
    private Superblock formatOne(FormatOptions options, boolean writeLog) throws IOException {
        Path target = targets.get(0);
        Superblock made;
        try (FileChannel lockChannel = FileChannel.open(target, StandardOpenOption.WRITE);
                FileLock lock = lockChannel.tryLock()) {
            if (lock == null) {
                throw new IOException(target + " is in use (mounted?); unmount it first");
            }
            try (BlockDevice device = FileBlockDevice.open(target, options.blockSize(), true, options.blockCount())) {
                log.debug("formatting {} ({} blocks of {} bytes)", target, options.blockCount(), options.blockSize());
                made = Formatter.format(device, options);
                if (writeLog) {
                    Formatter.writeLogBlocks(device, made.geometry());
                }
            }
        }
        return made;
    }

    /** Whether -E asked to leave the log blocks unwritten; refuses extended options it does not know. */
    private boolean lazyJournalInit() {
        boolean lazy = false;
        if (extended == null) {
            return lazy;
        }
        for (String option : extended.split(",", -1)) {
            switch (option) {
                case "lazy_journal_init", "lazy_journal_init=1" -> lazy = true;
                case "lazy_journal_init=0" -> lazy = false;
                default -> throw new UsageException("-E " + option + " is not an extended option quillfs knows "
                        + "(lazy_journal_init[=0|1])");
            }
        }
        return lazy;
    }

    private int blockSize() {
        int block = (int) Math.min(Integer.MAX_VALUE, Sizes.parse(blockSize, 1, "block size"));
        if (!Limits.isValidBlockSize(block)) {
            throw new UsageException("block size " + blockSize + " is not a power of two from 1024 to 65536");
        }
        return block;
    }

    /** The options to format {@code blocks} blocks of {@code block} bytes with. */
    private FormatOptions formatOptions(int block, long blocks) {
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
        if (blocks * block < Limits.MIN_FILESYSTEM_BYTES) {
            throw new UsageException("SIZE " + Sizes.human(blocks * block) + " is too small: quillfs needs at least "
                    + Sizes.human(Limits.MIN_FILESYSTEM_BYTES));
        }
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
                err.println("mkfs.quillfs: cannot format " + line.<MkfsCommand>getCommand().arguments.get(0) + ": " + describe(io));
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
