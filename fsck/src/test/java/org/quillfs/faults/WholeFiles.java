package org.quillfs.faults;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.OpenFlags;

/** Whole files through the facade: how the fault tests write what must survive and read what did. */
final class WholeFiles {

    private WholeFiles() {
    }

    /** The bytes of {@code inode}, read through a handle of its own, up to its size. */
    static byte[] read(FileSystem fs, long inode) {
        long h = fs.open(inode, OpenFlags.O_RDONLY);
        try {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(fs.getattr(inode).size()));
            while (b.hasRemaining() && fs.read(h, b.position(), b) > 0) {
                // read on
            }
            return Arrays.copyOf(b.array(), b.position());
        } finally {
            fs.release(h);
        }
    }

    /** Writes all of {@code content} from offset 0 through {@code handle}, however many calls it takes. */
    static void write(FileSystem fs, long handle, byte[] content) {
        ByteBuffer src = ByteBuffer.wrap(content);
        while (src.hasRemaining()) {
            fs.write(handle, src.position(), src);
        }
    }
}
