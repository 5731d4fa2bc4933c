package org.quillfs.mount;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.quillfs.file.DataMode;
import org.quillfs.fs.FsOptions;
import org.quillfs.txn.MetadataStore;

/**
 * The {@code -o} options of {@code mount.quillfs}: what they mean for the facade, and the
 * options handed to libfuse (docs/MOUNT.md lists them all).
 *
 * <p>FUSE is always given what makes it fast and is safe because this daemon is the only
 * writer of the filesystem: {@code big_writes} and {@code max_write} (128 KiB requests instead of
 * 4 KiB), entry and negative-entry timeouts (the kernel sees every change to names, since all
 * of them go through it), a short attribute timeout (hard links: libfuse 2 gives each name its
 * own kernel inode, so a link count changed through one name shows late through the others),
 * {@code auto_cache} (page cache kept across opens while size and mtime are unchanged),
 * {@code use_ino} (real inode numbers: hard links look like hard links) and {@code hard_remove}
 * (an unlinked open file loses its name at once; the adapter reads it through its handle).
 */
public record MountOptions(
        boolean readOnly,
        FsOptions.AtimeMode atime,
        DataMode data,
        Duration commitInterval,
        long cacheBytes,
        boolean noRecovery,
        boolean nonEmpty,
        boolean allowOther,
        boolean allowRoot,
        int maxWrite,
        long readAheadKib,
        double attrTimeout,
        double entryTimeout,
        boolean debug,
        List<String> kernelFlags,
        List<String> ignored) {

    /** The biggest FUSE write libfuse 2 makes; larger max_write values have no effect. */
    public static final int MAX_WRITE = 128 * 1024;
    private static final int MIN_WRITE = 4096;
    /** The kernel readahead set after mounting (KernelReadahead); 0 keeps the kernel's 128 KiB. */
    static final long READ_AHEAD_KIB = 1024;
    private static final long MAX_READ_AHEAD_KIB = 1L << 20;
    private static final long MIN_CACHE_MIB = 4;
    private static final long MAX_CACHE_MIB = 1L << 20;
    private static final long MAX_COMMIT_SECONDS = 24 * 3600;
    static final double ENTRY_TIMEOUT_SECONDS = 60;
    static final double ATTR_TIMEOUT_SECONDS = 1;

    /** Options of mount(8) that mean nothing to quillfs; accepted and ignored. */
    private static final Set<String> IGNORED = Set.of("defaults", "auto", "noauto", "user", "nouser", "users",
            "owner", "group", "_netdev", "nofail", "async", "loud", "silent", "lazytime", "nolazytime",
            "diratime", "nodiratime", "iversion", "noiversion", "nomand", "default_permissions");
    /** Generic mount flags libfuse applies to the kernel mount. */
    private static final Set<String> KERNEL_FLAGS = Set.of("dev", "nodev", "suid", "nosuid", "exec", "noexec",
            "sync", "dirsync");

    /** A bad {@code -o}: the message names the option; the exit code is mount(8)'s. */
    public static final class BadOption extends RuntimeException {
        private final int exitCode;

        BadOption(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    public static MountOptions defaults() {
        MetadataStore.Options store = MetadataStore.Options.defaults();
        return new MountOptions(false, FsOptions.AtimeMode.RELATIME, DataMode.ORDERED, store.commitInterval(),
                store.cacheBytes(), false, false, false, false, MAX_WRITE, READ_AHEAD_KIB, ATTR_TIMEOUT_SECONDS,
                ENTRY_TIMEOUT_SECONDS, false, List.of(), List.of());
    }

    /**
     * Parses comma-separated option lists (several {@code -o} are joined); later options win,
     * as with mount(8).
     *
     * @param sloppy mount(8)'s {@code -s}: unknown options are ignored instead of refused
     * @throws BadOption for an unknown option or a bad value (exit 1), or an option this build
     *     cannot honour (exit 32)
     */
    public static MountOptions parse(List<String> optionLists, boolean sloppy) {
        boolean readOnly = false;
        FsOptions.AtimeMode atime = FsOptions.AtimeMode.RELATIME;
        DataMode data = DataMode.ORDERED;
        MetadataStore.Options store = MetadataStore.Options.defaults();
        Duration commit = store.commitInterval();
        long cacheBytes = store.cacheBytes();
        boolean noRecovery = false;
        boolean nonEmpty = false;
        boolean allowOther = false;
        boolean allowRoot = false;
        int maxWrite = MAX_WRITE;
        long readAheadKib = READ_AHEAD_KIB;
        double attrTimeout = ATTR_TIMEOUT_SECONDS;
        double entryTimeout = ENTRY_TIMEOUT_SECONDS;
        boolean debug = false;
        Set<String> kernelFlags = new LinkedHashSet<>();
        List<String> ignored = new ArrayList<>();
        for (String list : optionLists) {
            for (String option : list.split(",", -1)) {
                if (option.isEmpty()) {
                    continue;
                }
                int eq = option.indexOf('=');
                String key = eq < 0 ? option : option.substring(0, eq);
                String value = eq < 0 ? null : option.substring(eq + 1);
                switch (key) {
                    case "ro" -> readOnly = flag(option, value, true);
                    case "rw" -> readOnly = flag(option, value, false);
                    case "noatime" -> atime = flag(option, value, FsOptions.AtimeMode.NOATIME);
                    case "relatime", "atime" -> atime = flag(option, value, FsOptions.AtimeMode.RELATIME);
                    case "strictatime" -> atime = flag(option, value, FsOptions.AtimeMode.STRICTATIME);
                    case "norecovery", "noload" -> noRecovery = flag(option, value, true);
                    case "nonempty" -> nonEmpty = flag(option, value, true);
                    case "allow_other" -> allowOther = flag(option, value, true);
                    case "allow_root" -> allowRoot = flag(option, value, true);
                    case "debug" -> debug = flag(option, value, true);
                    case "data" -> data = dataMode(value);
                    case "commit" -> {
                        long seconds = number(option, value, 0, MAX_COMMIT_SECONDS);
                        commit = seconds == 0 ? store.commitInterval() : Duration.ofSeconds(seconds);
                    }
                    case "cache" -> cacheBytes = number(option, value, MIN_CACHE_MIB, MAX_CACHE_MIB) << 20;
                    case "max_write" -> maxWrite = (int) Math.min(MAX_WRITE, number(option, value, MIN_WRITE,
                            Integer.MAX_VALUE));
                    case "read_ahead_kb" -> readAheadKib = number(option, value, 0, MAX_READ_AHEAD_KIB);
                    case "attr_timeout" -> attrTimeout = seconds(option, value);
                    case "entry_timeout" -> entryTimeout = seconds(option, value);
                    case "remount" -> throw new BadOption(MountCommand.EXIT_FAILURE,
                            "remount is not supported: unmount and mount again");
                    default -> {
                        if (value == null && KERNEL_FLAGS.contains(key)) {
                            kernelFlags.remove(opposite(key));
                            kernelFlags.add(key);
                        } else if (IGNORED.contains(key) || key.startsWith("x-") || key.equals("comment")) {
                            ignored.add(option);
                        } else if (sloppy) {
                            ignored.add(option);
                        } else {
                            throw new BadOption(MountCommand.EXIT_USAGE, "unknown mount option '" + option
                                    + "' (see mount.quillfs --help)");
                        }
                    }
                }
            }
        }
        if (allowOther && allowRoot) {
            throw new BadOption(MountCommand.EXIT_USAGE, "allow_other and allow_root cannot both be given");
        }
        return new MountOptions(readOnly, atime, data, commit, cacheBytes, noRecovery, nonEmpty, allowOther, allowRoot,
                maxWrite, readAheadKib, attrTimeout, entryTimeout, debug, List.copyOf(kernelFlags), List.copyOf(ignored));
    }

    private static <T> T flag(String option, String value, T result) {
        if (value != null) {
            throw new BadOption(MountCommand.EXIT_USAGE, "mount option '" + option + "' takes no value");
        }
        return result;
    }

    private static String opposite(String flag) {
        return flag.startsWith("no") ? flag.substring(2) : "no" + flag;
    }

    private static DataMode dataMode(String value) {
        if ("ordered".equals(value)) {
            return DataMode.ORDERED;
        }
        if ("journal".equals(value)) {
            return DataMode.JOURNAL;
        }
        if ("writeback".equals(value)) {
            throw new BadOption(MountCommand.EXIT_FAILURE,
                    "data=writeback is not supported: quillfs writes file data in ordered or journal mode");
        }
        throw new BadOption(MountCommand.EXIT_USAGE, "mount option 'data=" + (value == null ? "" : value)
                + "' must be data=ordered or data=journal");
    }

    private static double seconds(String option, String value) {
        try {
            double s = Double.parseDouble(value == null ? "" : value);
            if (s >= 0 && s <= MAX_COMMIT_SECONDS) {
                return s;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new BadOption(MountCommand.EXIT_USAGE, "mount option '" + option + "' must be a number of seconds");
    }

    private static long number(String option, String value, long min, long max) {
        if (value == null || value.isEmpty()) {
            throw new BadOption(MountCommand.EXIT_USAGE, "mount option '" + option + "' needs a value");
        }
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadOption(MountCommand.EXIT_USAGE, "mount option '" + option + "' needs a whole number");
        }
        if (n < min || n > max) {
            throw new BadOption(MountCommand.EXIT_USAGE, "mount option '" + option + "' must be from " + min
                    + " to " + max);
        }
        return n;
    }

    public MountOptions withDebug() {
        return new MountOptions(readOnly, atime, data, commitInterval, cacheBytes, noRecovery, nonEmpty, allowOther,
                allowRoot, maxWrite, readAheadKib, attrTimeout, entryTimeout, true, kernelFlags, ignored);
    }

    /** How the facade is opened. */
    public FsOptions fsOptions() {
        MetadataStore.Options defaults = MetadataStore.Options.defaults();
        return new FsOptions(readOnly, atime, data,
                new MetadataStore.Options(cacheBytes, commitInterval, defaults.checkpointInterval()));
    }

    /**
     * The {@code -o} list for libfuse. {@code fsName} (the image, as /proc/mounts shows it) must
     * already be in the form jnr passes to C ({@link NativeNames#toNative}).
     */
    public List<String> fuseArguments(String fsName) {
        List<String> o = new ArrayList<>();
        o.add(readOnly ? "ro" : "rw");
        o.add("fsname=" + fsName.replace("\\", "\\\\").replace(",", "\\,"));
        o.add("subtype=quillfs");
        o.add("default_permissions");
        if (allowOther) {
            o.add("allow_other");
        }
        if (allowRoot) {
            o.add("allow_root");
        }
        if (nonEmpty) {
            o.add("nonempty");
        }
        o.add("use_ino");
        o.add("hard_remove");
        o.add("big_writes");
        o.add("max_write=" + maxWrite);
        o.add("entry_timeout=" + seconds(entryTimeout));
        o.add("negative_timeout=" + seconds(entryTimeout));
        o.add("attr_timeout=" + seconds(attrTimeout));
        o.add("auto_cache");
        if (atime == FsOptions.AtimeMode.NOATIME) {
            o.add("noatime");
        }
        o.addAll(kernelFlags);
        return List.of("-o", String.join(",", o));
    }

    private static String seconds(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }
}
