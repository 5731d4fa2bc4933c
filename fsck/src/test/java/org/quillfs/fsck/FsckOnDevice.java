package org.quillfs.fsck;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.quillfs.volume.BlockDevice;

/**
 * fsck.quillfs run in-process on a {@link BlockDevice}, with no file in between: for tests in
 * other packages (the crash campaign) that check thousands of images a second. The checker is
 * the real one ({@link Fsck}); only its channel is a view of the device.
 */
public final class FsckOnDevice {

    /** fsck's exit code (fsck(8): 0 clean, 1 repaired, 4 left unrepaired, 8 operational) and what it printed. */
    public record Result(int exitCode, String output) {
    }

    private FsckOnDevice() {
    }

    /**
     * {@code fsck.quillfs -f -n}: checks {@code device} even if it looks clean, answers no to
     * everything and writes nothing to it.
     */
    public static Result checkReadOnly(BlockDevice device) {
        return run(device, Questions.Mode.NO);
    }

    /** {@code fsck.quillfs -f -y}: checks {@code device} and repairs what it finds, in place. */
    public static Result repair(BlockDevice device) {
        return run(device, Questions.Mode.YES);
    }

    private static Result run(BlockDevice device, Questions.Mode mode) {
        StringWriter out = new StringWriter();
        try (DeviceChannel channel = new DeviceChannel(device, mode == Questions.Mode.NO)) {
            int code = new Fsck(channel, device.name(), new Fsck.Options(mode, true, false, false),
                    new PrintWriter(out, true), null).run();
            return new Result(code, out.toString());
        } catch (UnreadableException e) {
            return new Result(Fsck.OPERATIONAL, out + e.getMessage() + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The bytes of a device as the positional reads and writes of a {@link FileChannel}, which is
     * all fsck does with its channel (besides its size and {@code force}). Whole-block
     * read-modify-write for positions inside a block.
     */
    private static final class DeviceChannel extends FileChannel {

        private final BlockDevice device;
        private final boolean readOnly;
        private final int blockSize;

        DeviceChannel(BlockDevice device, boolean readOnly) {
            this.device = device;
            this.readOnly = readOnly;
            this.blockSize = device.blockSize();
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            long size = size();
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), size - position);
            ByteBuffer block = ByteBuffer.allocate(blockSize);
            int done = 0;
            while (done < n) {
                long at = position + done;
                int inBlock = (int) (at % blockSize);
                device.read(at / blockSize, block.clear());
                int take = Math.min(n - done, blockSize - inBlock);
                dst.put(block.array(), inBlock, take);
                done += take;
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src, long position) {
            if (readOnly) {
                throw new java.nio.channels.NonWritableChannelException();
            }
            int n = src.remaining();
            ByteBuffer block = ByteBuffer.allocate(blockSize);
            int done = 0;
            while (done < n) {
                long at = position + done;
                int inBlock = (int) (at % blockSize);
                int take = Math.min(n - done, blockSize - inBlock);
                if (take < blockSize) {
                    device.read(at / blockSize, block.clear());
                }
                src.get(block.array(), inBlock, take);
                device.write(at / blockSize, block.clear());
                done += take;
            }
            return n;
        }

        @Override
        public long size() {
            return device.blockCount() * blockSize;
        }

        @Override
        public void force(boolean metaData) {
            device.flush();
        }

        // Nothing below is used by fsck.

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel position(long newPosition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() {
        }
    }
}
