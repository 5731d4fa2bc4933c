package org.quillfs.xattr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.xattr.XattrFixture.INODE;
import static org.quillfs.xattr.XattrFixture.OTHER_INODE;
import static org.quillfs.xattr.XattrStoreTest.assertErrno;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.quillfs.errno.Errno;

class XattrStorePropertyTest {

    /** In stored order, the FORMAT.md namespaces: index 1 .. 5. */
    private static final List<String> PREFIXES = List.of("user.", "trusted.", "security.", "system.posix_acl_access",
            "system.posix_acl_default");

    private static final String[] NAMES = {"user.a", "user.b", "user.é", "user.Z", "user." + "l".repeat(200),
        "trusted.a", "trusted.overlay.opaque", "security.selinux", "security.a", "system.posix_acl_access",
        "system.posix_acl_default"};

    /** The order FORMAT.md gives: namespace index, then the bytes after the prefix, unsigned. */
    private static final Comparator<String> STORED_ORDER = Comparator.<String>comparingInt(n -> PREFIXES.indexOf(prefix(n)))
            .thenComparing(n -> suffix(n), Arrays::compareUnsigned);

    @Property(tries = 30)
    void randomChangesAgreeWithAMapModelAcrossReopens(@ForAll long seed, @ForAll boolean bigBlocks,
            @ForAll @IntRange(min = 100, max = 500) int steps) {
        Random random = new Random(seed);
        int blockSize = bigBlocks ? 4096 : 1024;
        try (XattrFixture fs = new XattrFixture(blockSize, 8L << 20)) {
            long free = fs.freeBlocksAfterCheckpoint();
            Map<Long, Map<String, byte[]>> model = new HashMap<>();
            for (int step = 0; step < steps; step++) {
                long inode = random.nextBoolean() ? INODE : OTHER_INODE;
                Map<String, byte[]> attrs = model.computeIfAbsent(inode, i -> new HashMap<>());
                String name = NAMES[random.nextInt(NAMES.length)];
                int op = random.nextInt(20);
                if (op < 10) {
                    byte[] value = value(random, blockSize);
                    int flags = random.nextInt(4);
                    Errno expected = expectedSetError(attrs, name, value, flags, blockSize);
                    if (expected == null) {
                        fs.set(inode, name, value, flags);
                        attrs.put(name, value);
                    } else {
                        assertErrno(() -> fs.set(inode, name, value, flags), expected);
                    }
                } else if (op < 15) {
                    if (attrs.containsKey(name)) {
                        fs.remove(inode, name);
                        attrs.remove(name);
                    } else {
                        assertErrno(() -> fs.remove(inode, name), Errno.ENODATA);
                    }
                } else if (op < 18) {
                    assertThat(fs.get(inode, name).orElse(null)).isEqualTo(attrs.get(name));
                } else if (op < 19) {
                    fs.freeAll(inode); // the inode is deleted; its number may come back with no attributes
                    fs.blocks.put(inode, 0L);
                    attrs.clear();
                } else {
                    fs.reopen();
                }
                assertThat(fs.list(inode)).containsExactlyElementsOf(attrs.keySet().stream().sorted(STORED_ORDER).toList());
                assertThat(fs.block(inode) == 0).as("a block exactly while there are attributes").isEqualTo(attrs.isEmpty());
            }
            fs.reopen();
            for (var inode : model.entrySet()) {
                for (var attr : inode.getValue().entrySet()) {
                    assertThat(fs.get(inode.getKey(), attr.getKey())).hasValue(attr.getValue());
                }
                for (String name : inode.getValue().keySet()) {
                    fs.remove(inode.getKey(), name);
                }
                assertThat(fs.block(inode.getKey())).isZero();
            }
            assertThat(fs.freeBlocksAfterCheckpoint()).as("every block came back").isEqualTo(free);
        }
    }

    /** What setting {@code name} to {@code value} with {@code flags} must fail with, or null. */
    private static Errno expectedSetError(Map<String, byte[]> attrs, String name, byte[] value, int flags, int blockSize) {
        boolean exists = attrs.containsKey(name);
        if (exists && (flags & XattrStore.XATTR_CREATE) != 0) {
            return Errno.EEXIST;
        }
        if (!exists && (flags & XattrStore.XATTR_REPLACE) != 0) {
            return Errno.ENODATA;
        }
        Map<String, byte[]> after = new HashMap<>(attrs);
        after.put(name, value);
        int bytes = 0;
        for (var e : after.entrySet()) {
            bytes += 6 + suffix(e.getKey()).length + e.getValue().length; // FORMAT.md: one entry
        }
        return bytes > blockSize - 40 ? Errno.ENOSPC : null;
    }

    /** Mostly short, sometimes up to the block size (which may not fit). */
    private static byte[] value(Random random, int blockSize) {
        int r = random.nextInt(20);
        byte[] value = new byte[random.nextInt(r < 10 ? 17 : r < 17 ? blockSize / 8 : blockSize)];
        random.nextBytes(value);
        return value;
    }

    private static String prefix(String name) {
        return PREFIXES.stream().filter(name::startsWith).findFirst().orElseThrow();
    }

    private static byte[] suffix(String name) {
        return name.substring(prefix(name).length()).getBytes(StandardCharsets.UTF_8);
    }
}
