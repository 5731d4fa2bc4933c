package org.quillfs.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.VolumeIOException;

/**
 * A block device over the one {@link FileChannel} fsck opened (and locked) the image or device
 * with. All I/O goes through that channel: the lock fsck holds is a POSIX record lock, which the
 * kernel drops as soon as the process closes <em>any</em> descriptor of the file, so fsck never
 * opens the file a second time while it works.
 */
final class ChannelDevice implements BlockDevice {

    private final String name;
    private final FileChannel channel;
    private final int blockSize;
    private final long blockCount;

    ChannelDevice(String name, FileChannel channel, int blockSize, long blockCount) {
        this.name = name;
        this.channel = channel;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
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
        return name;
    }

    @Override
    public void read(long firstBlock, ByteBuffer... dsts) {
        long position = check(firstBlock, dsts);
        try {
            for (ByteBuffer dst : dsts) {
                while (dst.hasRemaining()) {
                    int n = channel.read(dst, position);
                    if (n < 0) {
                        throw new IOException("unexpected end of device");
                    }
                    position += n;
                }
            }
        } catch (IOException e) {
            throw new VolumeIOException(name, firstBlock, "read failed", e);
        }
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        long position = check(firstBlock, srcs);
        try {
            for (ByteBuffer src : srcs) {
                while (src.hasRemaining()) {
                    position += channel.write(src, position);
                }
            }
        } catch (IOException | java.nio.channels.NonWritableChannelException e) {
            throw new VolumeIOException(name, firstBlock, "write failed",
                    e instanceof IOException io ? io : new IOException("opened read-only"));
        }
    }

    @Override
    public void flush() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new VolumeIOException(name, -1, "flush failed", e);
        }
    }

    /** The channel stays open: whoever opened it closes it (and so releases the lock). */
    @Override
    public void close() {
    }

    private long check(long firstBlock, ByteBuffer[] buffers) {
        long bytes = 0;
        for (ByteBuffer b : buffers) {
            bytes += b.remaining();
        }
        if (bytes == 0 || bytes % blockSize != 0 || firstBlock < 0 || firstBlock > blockCount - bytes / blockSize) {
            throw new IllegalArgumentException(name + ": transfer of " + bytes + " bytes at block " + firstBlock
                    + " is not whole blocks inside the device (" + blockCount + " blocks)");
        }
        return firstBlock * blockSize;
    }
}
