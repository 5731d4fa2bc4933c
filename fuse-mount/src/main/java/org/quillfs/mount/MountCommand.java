package org.quillfs.mount;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.quillfs.volume.VolumeMembers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mount.quillfs}: mounts a quillfs image through FUSE (docs/MOUNT.md, docs/OPERATIONS.md).
 * Called by users, by {@code mount -t quillfs} / {@code mount -t fuse.quillfs} and by fstab, with
 * mount(8)'s helper syntax: {@code mount.quillfs IMAGE DIR [-sfnv] [-o OPTIONS] [-t TYPE]}.
 */
@Command(
        name = "mount.quillfs",
        mixinStandardHelpOptions = true,
        version = "mount.quillfs " + MountCommand.VERSION,
        sortOptions = false,
        description = {
            "Mounts the quillfs filesystem in IMAGE (an image file or block device) on MOUNTPOINT through FUSE.",
            "Runs in the background unless -f is given: it returns once the mount is up, or says why it is not.",
            "Unmount with umount MOUNTPOINT (or fusermount3 -u MOUNTPOINT); that, SIGTERM or SIGINT closes the "
                    + "filesystem cleanly."
        },
        footerHeading = "%nMount options (-o, comma-separated):%n",
        footer = {
            "  ro | rw                       read-only / read-write (default)",
            "  noatime | relatime | strictatime   when reads update access times (default relatime)",
            "  commit=SECONDS                flush the journal at least this often (default 5)",
            "  cache=MIB                     metadata cache size (default 64)",
            "  data=ordered | data=journal   file data reaches the disk before the metadata that points at it "
                    + "(default), or goes through the journal too",
            "  norecovery                    refuse instead of replaying the journal (only for a clean image "
                    + "or with ro)",
            "  allow_other | allow_root      let other users (or root) use the mount",
            "  default_permissions           the kernel checks permissions (always on)",
            "  max_write=BYTES               largest FUSE write, 4096 to 131072 (default)",
            "  read_ahead_kb=KIB             kernel readahead for the mount (default 1024; 0 keeps the kernel's)",
            "  attr_timeout=S, entry_timeout=S   how long the kernel caches attributes and names (default 1, 60)",
            "  nonempty                      mount over a non-empty directory",
            "  dev,nodev,suid,nosuid,exec,noexec,sync,dirsync   passed to the kernel mount",
            "  defaults,auto,noauto,user,nouser,users,_netdev,nofail,async,x-* ...   accepted and ignored",
            "",
            "The daemon logs to $QUILLFS_LOG_DIR/IMAGE-NAME.log (default /var/log/quillfs)."
        },
        exitCodeListHeading = "%nExit codes (as mount(8)):%n",
        exitCodeList = {
            " 0:mounted",
            " 1:incorrect invocation or permissions: a bad or unknown option or argument",
            " 2:system error: the mount daemon or its log file could not be started",
            "32:mount failure: no such image, not quillfs, already mounted, bad mount point, norecovery on an "
                    + "image that needs recovery, an option this quillfs cannot honour, or FUSE refused"
        })
public final class MountCommand implements Callable<Integer> {

    static final String VERSION = "0.1.0-SNAPSHOT";

    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 1;
    static final int EXIT_SYSTEM = 2;
    static final int EXIT_FAILURE = 32;

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image file or block device holding quillfs; "
            + "for a volume, all its members, in any order: DEV1,DEV2,... (or DEV1 DEV2 ... MOUNTPOINT).")
    String image;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "Directory to mount it on (empty).")
    String mountPoint;

    /** With the members of a volume given as separate arguments: the rest of them, then the mount point. */
    @Parameters(index = "2..*", hidden = true)
    List<String> more = new ArrayList<>();

    @Option(names = "-o", paramLabel = "OPTIONS", description = "Mount options, comma-separated (see below).")
    List<String> options = new ArrayList<>();

    @Option(names = "-f", description = "Stay in the foreground; log to stderr.")
    boolean foreground;

    @Option(names = "-d", description = "Debug: log every FUSE request (implies nothing else).")
    boolean debug;

    @Option(names = "-s", description = "Sloppy (mount(8)): ignore unknown mount options.")
    boolean sloppy;

    @Option(names = "-n", description = "No mtab (mount(8)): accepted; there is no mtab to write.")
    boolean noMtab;

    @Option(names = "-v", description = "Verbose: say where the daemon and its log are.")
    boolean verbose;

    @Option(names = "-t", paramLabel = "TYPE", description = "quillfs or fuse.quillfs (as mount(8) passes it).")
    String type;

    @Option(names = "-N", paramLabel = "NAMESPACE", hidden = true)
    String namespace;

    /** Set by {@link DaemonLauncher} on the command line of the daemon it starts. */
    @Option(names = "--daemon-child", hidden = true)
    boolean daemonChild;

    private final DaemonLauncher.PipeStatus pipe = new DaemonLauncher.PipeStatus();

    @Override
    public Integer call() {
        try {
            if (daemonChild) {
                LibC.INSTANCE.setsid();
            }
            return mount();
        } catch (MountException e) {
            return refuse(e.exitCode(), e.getMessage());
        } catch (MountOptions.BadOption e) {
            return refuse(e.exitCode(), e.getMessage());
        }
    }

    private int mount() {
        if (namespace != null) {
            throw new MountException(EXIT_USAGE, "-N (another mount namespace) is not supported");
        }
        if (type != null && !type.equals("quillfs") && !type.equals("fuse.quillfs")) {
            throw new MountException(EXIT_USAGE, "-t " + type + ": this helper mounts quillfs (or fuse.quillfs) only");
        }
        MountOptions parsed = MountOptions.parse(options, sloppy);
        List<String> arguments = new ArrayList<>(List.of(image));
        String point = mountPoint;
        if (!more.isEmpty()) {
            arguments.add(mountPoint);
            arguments.addAll(more.subList(0, more.size() - 1));
            point = more.get(more.size() - 1);
        }
        List<String> images = new ArrayList<>();
        for (String argument : arguments) {
            VolumeMembers.devicesOf(Path.of(argument)).forEach(p -> images.add(p.toString()));
        }
        MountTarget target = MountTarget.check(images, point, parsed.nonEmpty());
        if (!foreground) {
            return DaemonLauncher.launch(target.first(), daemonArguments(target), spec.commandLine().getOut(),
                    verbose);
        }
        SessionLogging.configure(debug || parsed.debug());
        MountSession.Status status = daemonChild ? pipe : new MountSession.Status() {
            @Override
            public void ready() {
            }

            @Override
            public void failed(MountException e) {
                spec.commandLine().getErr().println("mount.quillfs: " + e.getMessage());
            }
        };
        MountOptions effective = debug ? parsed.withDebug() : parsed;
        return new MountSession(target, effective, status).run();
    }

    /** The daemon's arguments: the checked, absolute paths and the options as given. */
    private List<String> daemonArguments(MountTarget target) {
        List<String> args = new ArrayList<>();
        args.add(target.image());
        args.add(target.mountPoint().toString());
        for (String o : options) {
            args.add("-o");
            args.add(o);
        }
        if (debug) {
            args.add("-d");
        }
        if (sloppy) {
            args.add("-s");
        }
        return args;
    }

    private int refuse(int code, String message) {
        if (daemonChild) {
            pipe.failed(new MountException(code, message));
        } else {
            spec.commandLine().getErr().println("mount.quillfs: " + message);
        }
        return code;
    }

    /** Runs the command as {@code main} does, returning the exit code instead of exiting. */
    static int run(CommandLine commandLine, String... args) {
        PrintWriter err = commandLine.getErr();
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            err.println("mount.quillfs: " + e.getMessage() + " (see mount.quillfs --help)");
            return EXIT_USAGE;
        });
        return commandLine.execute(args);
    }

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new MountCommand());
        // Errors go out in the terminal's charset, whatever the JVM's default is (see NativeNames).
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
                NativeNames.consoleEncoding()), true));
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                NativeNames.consoleEncoding()), true));
        System.exit(run(commandLine, args));
    }
}
