package org.quillfs.mkfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.volume.VolumeLabel;

/**
 * Recognises what a device already holds by the magic numbers blkid uses, so mkfs does not
 * destroy a filesystem by mistake.
 */
final class ExistingFilesystem {

    /** Bytes to read from the start of a device: btrfs keeps its superblock at 64 KiB. */
    static final int PROBE_BYTES = 65536 + 4096;

    private ExistingFilesystem() {
    }

    /** The name of the filesystem (or container) whose signature starts {@code head}, if any. */
    static Optional<String> detect(ByteBuffer head) {
        ByteBuffer b = head.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() >= BlockHeader.SIZE && BlockHeader.magic(b) == BlockHeader.MAGIC
                && BlockHeader.typeCode(b) == BlockType.SUPERBLOCK.code()) {
            return Optional.of("quillfs");
        }
        if (VolumeLabel.present(b)) {
            return Optional.of("quillfs (volume member)");
        }
        if (b.limit() >= 1082 && Short.toUnsignedInt(b.getShort(1080)) == 0xEF53) {
            return Optional.of("ext2/ext3/ext4");
        }
        if (has(b, 0, "XFSB")) {
            return Optional.of("xfs");
        }
        if (has(b, 65536 + 64, "_BHRfS_M")) {
            return Optional.of("btrfs");
        }
        if (has(b, 0, "LUKS\u00ba\u00be")) {
            return Optional.of("LUKS encrypted volume");
        }
        if (has(b, 4086, "SWAPSPACE2")) {
            return Optional.of("Linux swap");
        }
        return Optional.empty();
    }

    private static boolean has(ByteBuffer b, int offset, String magic) {
        byte[] expected = magic.getBytes(StandardCharsets.ISO_8859_1);
        if (b.limit() < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (b.get(offset + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
