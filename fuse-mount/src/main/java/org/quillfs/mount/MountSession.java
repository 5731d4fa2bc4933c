package org.quillfs.mount;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.quillfs.errno.FsException;
import org.quillfs.fs.FileSystem;
import org.quillfs.volume.BlockDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mount, from lock to exit, in the process that serves it (the daemon, or the
 * {@code mount.quillfs -f} process itself).
 *
 * <h2>Life cycle</h2>
 * <ol>
 * <li>Lock the image ({@link ImageLock}), waiting a few seconds if its previous mount is still
 *     closing; refuse if it is mounted.
 * <li>Refuse {@code norecovery} on an image that needs recovery; open the facade, which
 *     recovers the journal and reclaims orphans.
 * <li>Mount with libfuse ({@link FuseLoop}, which returns when unmounted). When the
 *     kernel's INIT arrives, another thread reports the mount ready. (No warm-up is needed: the
 *     callbacks run on Java threads of our own, see {@link FuseLoop}.)
 * <li>When the loop returns (umount, fusermount -u, or the shutdown hook that SIGTERM
 *     and SIGINT run), close the facade: force the log, checkpoint, mark the image CLEAN. Then
 *     release the lock. The hook waits for this before the JVM exits.
 * </ol>
 */
final class MountSession {

    private static final Logger log = LoggerFactory.getLogger(MountSession.class);

    /** How long a mount waits for the lock of an image that is not mounted (its last mount closing). */
    static final Duration LOCK_WAIT = Duration.ofSeconds(15);
    /** How long SIGTERM waits for the unmount and the close before the JVM exits anyway. */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

    /** Where the outcome of the mount goes: the terminal (foreground) or the waiting parent (daemon). */
    interface Status {
        void ready();

        void failed(MountException e);
    }

    private final MountTarget target;
    private final MountOptions options;
    private final Status status;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean unmountedByUs;
    /** The volume the filesystem is open on, when the target is one ({@link FileSystem} closes an image itself). */
    private BlockDevice volume;

    MountSession(MountTarget target, MountOptions options, Status status) {
        this.target = target;
        this.options = options;
        this.status = status;
    }

    /** Mounts, serves until unmounted, closes; returns the process exit code. */
    int run() {
        log.info("mount.quillfs {}: mounting {} on {} (pid {}, options {})", MountCommand.VERSION, target.image(),
                target.mountPoint(), ProcessHandle.current().pid(), describe(options));
        if (!NativeNames.isByteTransparent()) {
            log.warn("the default charset is {}, not ISO-8859-1: file names that are not valid in it will be "
                    + "damaged (bin/mount.quillfs sets -Dfile.encoding=ISO-8859-1)", Charset.defaultCharset());
        }
        List<ImageLock> locks = new ArrayList<>();
        try {
            for (Path device : target.devices().paths()) {
                locks.add(lock(device));
            }
            return mountLocked();
        } catch (MountException e) {
            log.error("mount refused: {}", e.getMessage());
            status.failed(e);
            return e.exitCode();
        } finally {
            locks.forEach(ImageLock::close);
            finished.countDown();
        }
    }

    /** Locks {@code device}, the image or one member of the volume. */
    private ImageLock lock(Path device) {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        boolean waiting = false;
        while (true) {
            try {
                return ImageLock.tryLock(device);
            } catch (ImageLock.LockException e) {
                if (!e.heldByOther()) {
                    throw new MountException(MountCommand.EXIT_FAILURE, e.getMessage());
                }
                List<MountTable.Mount> mounts = MountTable.quillfsMountsOf(device);
                if (!mounts.isEmpty()) {
                    throw new MountException(MountCommand.EXIT_FAILURE, device + " is already mounted on "
                            + mounts.get(0).mountPoint());
                }
                if (System.nanoTime() > deadline) {
                    throw new MountException(MountCommand.EXIT_FAILURE, device
                            + " is in use by another process (mkfs, fsck, or a mount still closing)");
                }
                if (!waiting) {
                    log.info("{} is locked but not mounted: waiting up to {} s for its last user to finish",
                            device, LOCK_WAIT.toSeconds());
                    waiting = true;
                }
                sleep(100);
            }
        }
    }

    private int mountLocked() {
        Optional<Boolean> needsRecovery = ImageState.needsRecovery(target.devices());
        if (options.noRecovery() && needsRecovery.orElse(false)) {
            throw new MountException(MountCommand.EXIT_FAILURE, target.image() + " was not cleanly unmounted: "
                    + (options.readOnly()
                            ? "this quillfs cannot mount it without replaying its journal; mount it without norecovery"
                            : "its journal needs recovery, and norecovery is only allowed with ro"));
        }
        FileSystem fs = open(needsRecovery);
        try {
            return serve(fs);
        } finally {
            close(fs);
        }
    }

    private FileSystem open(Optional<Boolean> needsRecovery) {
        long started = System.nanoTime();
        FileSystem fs;
        try {
            fs = target.devices().isVolume() ? openVolume() : FileSystem.open(target.first(), options.fsOptions());
        } catch (FsException e) {
            throw new MountException(MountCommand.EXIT_FAILURE, "cannot mount " + target.image() + ": "
                    + e.getMessage().replaceFirst("^[A-Z0-9]+: ", ""));
        } catch (RuntimeException e) {
            log.error("opening {} failed", target.image(), e);
            throw new MountException(MountCommand.EXIT_FAILURE, "cannot mount " + target.image() + ": " + e);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        // FileSystem does not expose the journal's RecoveryReport yet: say what the log held.
        if (needsRecovery.orElse(false)) {
            log.info("opened {} in {} ms: it was not cleanly unmounted; journal recovery replayed its log and "
                    + "orphans were reclaimed", target.image(), ms);
        } else {
            log.info("opened {} in {} ms: it was cleanly unmounted, the journal had nothing to replay",
                    target.image(), ms);
        }
        return fs;
    }

    /** The filesystem on the volume; closing it closes the volume ({@link #close}). */
    private FileSystem openVolume() {
        volume = target.devices().open(true);
        try {
            return FileSystem.open(volume, options.fsOptions());
        } catch (RuntimeException e) {
            volume.close();
            volume = null;
            throw e;
        }
    }

    private int serve(FileSystem fs) {
        CompletableFuture<Void> up = new CompletableFuture<>();
        QuillfsFuse fuse = new QuillfsFuse(fs, () -> up.complete(null));
        Thread reporter = new Thread(() -> reportWhenUp(up), "quillfs-mount-reporter");
        reporter.setDaemon(true);
        reporter.start();
        Thread hook = new Thread(this::shutdown, "quillfs-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String mountPoint = NativeNames.toNative(target.mountPoint().toString(), NativeNames.fileNameEncoding());
        String fsName = NativeNames.toNative(target.image(), NativeNames.fileNameEncoding());
        List<String> fuseArgs = options.fuseArguments(fsName);
        log.debug("libfuse arguments: {}", fuseArgs);
        long errorsAt = stderrLogSize();
        if (unmountedByUs) {
            throw new MountException(MountCommand.EXIT_FAILURE, "interrupted before " + target.image() + " was mounted");
        }
        try {
            FuseLoop.mountAndServe(fuse, "mount.quillfs", mountPoint, options.debug(), fuseArgs);
        } catch (FuseLoop.MountFailed | RuntimeException e) {
            if (e instanceof RuntimeException) {
                log.error("mounting failed", e);
            }
            MountException failure = new MountException(MountCommand.EXIT_FAILURE, "cannot mount "
                    + target.image() + " on " + target.mountPoint() + ": "
                    + libfuseMessage(errorsAt).orElse(e.getMessage()));
            up.completeExceptionally(failure);
            throw failure;
        }
        if (!up.isDone()) {
            MountException failure = new MountException(MountCommand.EXIT_FAILURE, "cannot mount "
                    + target.image() + " on " + target.mountPoint() + ": "
                    + libfuseMessage(errorsAt).orElse("libfuse ended before the kernel answered"));
            up.completeExceptionally(failure);
            throw failure;
        }
        log.info("{} was unmounted{}; {} files were still open", target.mountPoint(),
                unmountedByUs ? " (signal)" : "", fuse.openFiles());
        return MountCommand.EXIT_OK;
    }

    /** Waits for INIT, then tells the user (or the waiting parent) that the mount is up. */
    private void reportWhenUp(CompletableFuture<Void> up) {
        try {
            up.get();
        } catch (ExecutionException e) {
            return; // the mounting thread reports the failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (options.readAheadKib() > 0) {
            KernelReadahead.set(target.mountPoint(), options.readAheadKib()).ifPresent(why -> log.info(
                    "kept the kernel's readahead for {} ({}): sequential reads will be slower", target.mountPoint(), why));
        }
        log.info("mounted {} on {}", target.image(), target.mountPoint());
        status.ready();
    }

    private void close(FileSystem fs) {
        long started = System.nanoTime();
        try {
            fs.close();
            if (fs.failure().isPresent()) {
                // The remount-ro line was logged when it happened; this is the reminder at the end.
                log.warn("closed {} without writing anything more: it turned read-only after an error ({}); "
                        + "run fsck.quillfs -f {}", target.image(), fs.failure().get(), target.image());
                return;
            }
            log.info("closed {} cleanly in {} ms: log forced, checkpointed, marked clean", target.image(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (RuntimeException | Error e) {
            log.error("closing {} failed; the next mount will recover its journal", target.image(), e);
        } finally {
            if (volume != null) {
                volume.close();
            }
        }
    }

    /**
     * The shutdown hook (SIGTERM, SIGINT, or the normal exit after the session): while the
     * file system is still mounted, unmount it (lazily, as {@code fusermount -u -z}: a busy mount
     * is detached and served until its last user leaves), then wait for the close.
     */
    private void shutdown() {
        if (finished.getCount() == 0) {
            return;
        }
        log.info("signal received: unmounting {}", target.mountPoint());
        unmountedByUs = true;
        Unmount.lazily(target.mountPoint());
        try {
            if (!finished.await(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                log.error("{} did not finish closing within {} s (still busy?): exiting; the next mount recovers "
                        + "the journal", target.image(), SHUTDOWN_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ libfuse's own messages

    /** The size of the file stderr goes to (the daemon log), or -1 if it is not a file. */
    private static long stderrLogSize() {
        try {
            Path log = Files.readSymbolicLink(Path.of("/proc/self/fd/2"));
            return Files.isRegularFile(log) ? Files.size(log) : -1;
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /**
     * The last "fuse: ..." line libfuse wrote to stderr since {@code from} (when stderr is the
     * daemon's log file: in the foreground the user sees it already).
     */
    private static Optional<String> libfuseMessage(long from) {
        if (from < 0) {
            return Optional.empty();
        }
        try {
            Path file = Files.readSymbolicLink(Path.of("/proc/self/fd/2"));
            byte[] all = Files.readAllBytes(file);
            String added = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    StandardCharsets.UTF_8);
            String found = null;
            for (String line : added.split("\n")) {
                if (line.startsWith("fuse: ")) {
                    found = line.substring("fuse: ".length()).trim();
                }
            }
            return Optional.ofNullable(found).map(s -> "libfuse says: " + s);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String describe(MountOptions o) {
        return (o.readOnly() ? "ro" : "rw") + "," + o.atime().name().toLowerCase() + ",commit="
                + o.commitInterval().toSeconds() + ",cache=" + (o.cacheBytes() >> 20) + "M"
                + (o.noRecovery() ? ",norecovery" : "") + (o.allowOther() ? ",allow_other" : "")
                + (o.allowRoot() ? ",allow_root" : "") + ",max_write=" + o.maxWrite() + ",read_ahead_kb=" + o.readAheadKib()
                + (o.ignored().isEmpty() ? "" : " (ignored: " + String.join(",", o.ignored()) + ")");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MountException(MountCommand.EXIT_FAILURE, "interrupted");
        }
    }
}
