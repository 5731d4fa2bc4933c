package org.quillfs.format;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One directory entry as stored in a leaf (docs/FORMAT.md, "Directories"): its 63-bit key (see
 * {@link DirectoryKeys}), the inode it names (u32, held as a non-negative long), the {@code DT_*}
 * file type and the raw name bytes, which are copied in and out.
 */
public record DirEntry(long key, long inode, int fileType, byte[] name) {

    public DirEntry {
        name = name.clone();
    }

    @Override
    public byte[] name() {
        return name.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirEntry e
                && key == e.key && inode == e.inode && fileType == e.fileType && Arrays.equals(name, e.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, inode, fileType, Arrays.hashCode(name));
    }

    /** Shows the name as UTF-8, with each byte that is not valid UTF-8 as {@code \xNN}. */
    @Override
    public String toString() {
        return "DirEntry[key=0x" + Long.toHexString(key) + ", inode=" + inode + ", fileType=" + fileType
                + ", name=\"" + printable(name) + "\"]";
    }

    private static String printable(byte[] name) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(name);
        CharBuffer out = CharBuffer.allocate(name.length);
        StringBuilder s = new StringBuilder();
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            s.append(out.flip());
            out.clear();
            if (!result.isError()) {
                return s.toString();
            }
            for (int i = 0; i < result.length(); i++) {
                s.append(String.format("\\x%02x", in.get() & 0xFF));
            }
        }
    }
}
