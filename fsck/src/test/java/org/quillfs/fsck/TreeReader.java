package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.fs.DirectoryEntry;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fs.OpenFlags;
import org.quillfs.volume.MemoryBlockDevice;

/** Opens an image through the facade and reads every directory, file and symlink in it. */
final class TreeReader {

    private TreeReader() {
    }

    static void readEverything(byte[] image, int blockSize) {
        MemoryBlockDevice device = new MemoryBlockDevice("read", blockSize, image.length / blockSize);
        device.write(0, ByteBuffer.wrap(image));
        FileSystem fs = FileSystem.open(device, FsOptions.defaults().withReadOnly(true));
        try {
            Deque<Long> dirs = new ArrayDeque<>();
            dirs.add(FileSystem.ROOT);
            int seen = 0;
            while (!dirs.isEmpty() && seen < 100_000) {
                long dir = dirs.poll();
                long offset = 0;
                while (true) {
                    List<DirectoryEntry> page = fs.readdir(dir, offset, 64);
                    if (page.isEmpty()) {
                        break;
                    }
                    for (DirectoryEntry e : page) {
                        offset = e.nextOffset();
                        String name = new String(e.name());
                        if (name.equals(".") || name.equals("..")) {
                            continue;
                        }
                        seen++;
                        fs.getattr(e.inode());
                        switch (e.type()) {
                            case DirectoryKeys.DT_DIR -> dirs.add(e.inode());
                            case DirectoryKeys.DT_REG -> {
                                long h = fs.open(e.inode(), OpenFlags.O_RDONLY);
                                ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
                                // the first MiB: a size that damage made huge is still a valid sparse file
                                for (long at = 0; at < 1 << 20 && fs.read(h, at, buffer.clear()) > 0;
                                        at += buffer.position()) {
                                    // read on
                                }
                                fs.release(h);
                            }
                            case DirectoryKeys.DT_LNK -> fs.readlink(e.inode());
                            default -> { }
                        }
                    }
                }
            }
        } finally {
            fs.close();
        }
    }
}
