package org.quillfs.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A block device on an image file or a real block device, through a {@link FileChannel}.
 *
 * <p>Single-buffer transfers use positional I/O ({@code pread}/{@code pwrite}) and run in
 * parallel. Java has no positional vectored I/O, so a multi-buffer transfer sets the channel
 * position and issues one gathering (scattering) call under {@link #vectoredLock}; positional
 * calls do not use the position and need not take it.
 *
 * <p>Do not interrupt threads that use a device: {@link FileChannel} closes itself for every
 * thread when one is interrupted in the middle of I/O.
 */
public final class FileBlockDevice implements BlockDevice {

    private final Path path;
    private final FileChannel channel;
    private final int blockSize;
    private final long blockCount;
    private final Object vectoredLock = new Object();

    private FileBlockDevice(Path path, FileChannel channel, int blockSize, long blockCount) {
        this.path = path;
        this.channel = channel;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
    }

    /** Opens {@code path} with blocks of {@code blockSize}, covering all of it. */
    public static FileBlockDevice open(Path path, int blockSize, boolean writable) {
        return open(path, blockSize, writable, -1);
    }

    /**
     * Opens the first {@code blockCount} blocks of {@code path} ({@code -1}: as many whole blocks
     * as it holds). The file must exist and be at least that long.
     */
    public static FileBlockDevice open(Path path, int blockSize, boolean writable, long blockCount) {
        Transfers.checkBlockSize(blockSize);
        FileChannel channel = null;
        try {
            channel = writable
                    ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.READ);
            long available = channel.size() / blockSize;
            if (blockCount > available) {
                throw new IllegalArgumentException(path + " holds " + available + " blocks of " + blockSize
                        + " bytes, not " + blockCount);
            }
            return new FileBlockDevice(path, channel, blockSize, blockCount < 0 ? available : blockCount);
        } catch (IOException e) {
            throw new VolumeIOException(path.toString(), -1, "cannot open", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** The size of the file or block device at {@code path}, in bytes. */
    public static long sizeOf(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return channel.size();
        } catch (IOException e) {
            throw new VolumeIOException(path.toString(), -1, "cannot read the size", e);
        }
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public String name() {
        return path.toString();
    }

    @Override
    public void read(long firstBlock, ByteBuffer... dsts) {
        long bytes = Transfers.checkedLength(this, firstBlock, dsts);
        long position = firstBlock * blockSize;
        try {
            if (dsts.length == 1) {
                readFully(dsts[0], position);
            } else {
                synchronized (vectoredLock) {
                    channel.position(position);
                    for (long done = 0; done < bytes; ) {
                        long n = channel.read(dsts);
                        if (n < 0) {
                            throw new IOException("unexpected end of device");
                        }
                        done += n;
                    }
                }
            }
        } catch (IOException e) {
            throw new VolumeIOException(name(), firstBlock, "read failed", e);
        }
    }

    private void readFully(ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position);
            if (n < 0) {
                throw new IOException("unexpected end of device");
            }
            position += n;
        }
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        long bytes = Transfers.checkedLength(this, firstBlock, srcs);
        long position = firstBlock * blockSize;
        try {
            if (srcs.length == 1) {
                ByteBuffer src = srcs[0];
                while (src.hasRemaining()) {
                    position += channel.write(src, position);
                }
            } else {
                synchronized (vectoredLock) {
                    channel.position(position);
                    for (long done = 0; done < bytes; ) {
                        done += channel.write(srcs);
                    }
                }
            }
        } catch (IOException e) {
            throw new VolumeIOException(name(), firstBlock, "write failed", e);
        } catch (NonWritableChannelException e) {
            throw new VolumeIOException(name(), firstBlock, "write failed", new IOException("opened read-only", e));
        }
    }

    @Override
    public void flush() {
        try {
            // fdatasync: the data, and whatever metadata is needed to read it back.
            channel.force(false);
        } catch (IOException e) {
            throw new VolumeIOException(name(), -1, "flush failed", e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new VolumeIOException(name(), -1, "close failed", e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Already failing with a better error.
        }
    }
}
