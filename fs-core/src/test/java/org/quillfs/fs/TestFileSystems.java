package org.quillfs.fs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.quillfs.format.Formatter;
import org.quillfs.format.TestFormats;
import org.quillfs.volume.MemoryBlockDevice;

/** A formatted memory device and a facade over it that tests can close, reopen and crash. */
public final class TestFileSystems implements AutoCloseable {

    public static final Caller CALLER = new Caller(1000, 1000);

    public final MemoryBlockDevice device;
    public FileSystem fs;

    public TestFileSystems(int blockSize, long bytes) {
        this.device = new MemoryBlockDevice("fs", blockSize, bytes / blockSize);
        Formatter.format(device, TestFormats.options(blockSize, bytes));
        this.fs = FileSystem.open(device, FsOptions.defaults());
    }

    /** 64 MiB with 4 KiB blocks. */
    public static TestFileSystems small() {
        return new TestFileSystems(4096, 64L << 20);
    }

    public void reopen() {
        fs.close();
        fs = FileSystem.open(device, FsOptions.defaults());
    }

    /** Stops as a crash would (nothing more written, nothing flushed that was not), then opens again. */
    public void crashAndReopen() {
        fs.halt();
        fs = FileSystem.open(device, FsOptions.defaults());
    }

    public static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(name(s));
    }

    @Override
    public void close() {
        fs.close();
    }
}
