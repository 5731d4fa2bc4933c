package org.quillfs.images;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.quillfs.format.Features;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * The golden images: small filesystems made by this build from fixed inputs and kept, gzipped,
 * in {@code test-images/images/}. Tests prove every later build still reads them.
 *
 * <p>Regenerate (only when deliberately adding an image or bumping the format version):
 * {@code make golden-images}.
 */
public final class GoldenImages {

    /** One golden image: its file name and everything that went into making it. */
    public record Golden(String file, int blockSize, long bytes, String label, UUID uuid, long seed,
            int featureIncompat) {

        public FormatOptions options() {
            return new FormatOptions(blockSize, bytes / blockSize, 0, 0, Limits.DEFAULT_BYTES_PER_INODE, label, uuid,
                    1000, 1000, TIME, new Random(seed), featureIncompat);
        }

        /** The image's bytes, made by this build. */
        public byte[] make() {
            MemoryBlockDevice device = new MemoryBlockDevice(file, blockSize, bytes / blockSize);
            Formatter.format(device, options());
            ByteBuffer image = ByteBuffer.allocate(Math.toIntExact(bytes));
            device.read(0, image);
            return image.array();
        }
    }

    public static final Instant TIME = Instant.parse("2026-11-23T12:00:00Z");

    public static final List<Golden> ALL = List.of(
            // The first format v1 filesystems: no feature bits, inodes checksummed with CRC32C.
            // The default block size, one group.
            new Golden("format-v1-4k-16m.img.gz", 4096, 16L << 20, "golden-4k",
                    UUID.fromString("5f0c3e1a-7b2d-4c8e-9a1f-3e5d7c9b1a20"), 1, 0),
            // The smallest block size over many groups, so superblock backups exist.
            new Golden("format-v1-1k-40m.img.gz", 1024, 40L << 20, "golden-1k",
                    UUID.fromString("0d4b6a8c-2e1f-4a3b-8c5d-7e9f1a2b3c40"), 2, 0),
            // What mkfs makes now: feature inode_crc32 (docs/FORMAT.md, "Feature flags").
            new Golden("format-v1-inode-crc32-4k-16m.img.gz", 4096, 16L << 20, "golden-4k-crc32",
                    UUID.fromString("8a2e4c6b-1d3f-4e5a-9b7c-2d4f6a8c0e31"), 3, Features.INCOMPAT_INODE_CRC32),
            new Golden("format-v1-inode-crc32-1k-40m.img.gz", 1024, 40L << 20, "golden-1k-crc32",
                    UUID.fromString("3c5e7a9b-2f4d-4b6a-8e1c-5f7a9c1e3b52"), 4, Features.INCOMPAT_INODE_CRC32));

    private GoldenImages() {
    }

    /** Writes the golden images missing from the folder given as the only argument: made images are never remade. */
    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args.length == 1 ? args[0] : "test-images/images");
        Files.createDirectories(folder);
        for (Golden golden : ALL) {
            if (Files.exists(folder.resolve(golden.file()))) {
                continue;
            }
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(folder.resolve(golden.file())))) {
                out.write(golden.make());
            }
            System.out.println("wrote " + folder.resolve(golden.file()));
        }
    }
}
