package org.quillfs.xattr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quillfs.xattr.XattrFixture.INODE;
import static org.quillfs.xattr.XattrFixture.OTHER_INODE;
import static org.quillfs.xattr.XattrStore.XATTR_CREATE;
import static org.quillfs.xattr.XattrStore.XATTR_REPLACE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockHeader;

class XattrStoreTest {

    private static final int BLOCK = 1024;
    private static final long BYTES = 8L << 20;

    @Test
    void attributesOfEveryNamespaceAreSetReadListedReplacedAndRemoved() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            fs.set(INODE, "security.selinux", bytes("system_u:object_r:etc_t:s0"));
            fs.set(INODE, "system.posix_acl_default", new byte[] {2, 0, 0, 0, 1, 0, 7, 0});
            fs.set(INODE, "user.mime_type", bytes("text/plain"));
            fs.set(INODE, "trusted.overlay.opaque", bytes("y"));
            fs.set(INODE, "system.posix_acl_access", new byte[] {2, 0, 0, 0, 1, 0, 6, 0});

            assertThat(fs.list(INODE)).containsExactly("user.mime_type", "trusted.overlay.opaque", "security.selinux",
                    "system.posix_acl_access", "system.posix_acl_default");
            assertThat(fs.get(INODE, "user.mime_type")).hasValue(bytes("text/plain"));
            assertThat(fs.get(INODE, "trusted.overlay.opaque")).hasValue(bytes("y"));
            assertThat(fs.get(INODE, "security.selinux")).hasValue(bytes("system_u:object_r:etc_t:s0"));
            assertThat(fs.get(INODE, "system.posix_acl_access")).hasValue(new byte[] {2, 0, 0, 0, 1, 0, 6, 0});
            assertThat(fs.get(INODE, "system.posix_acl_default")).hasValue(new byte[] {2, 0, 0, 0, 1, 0, 7, 0});

            long block = fs.block(INODE);
            fs.set(INODE, "user.mime_type", bytes("application/octet-stream"));
            assertThat(fs.get(INODE, "user.mime_type")).hasValue(bytes("application/octet-stream"));
            fs.set(INODE, "user.mime_type", new byte[0]);
            assertThat(fs.get(INODE, "user.mime_type")).hasValue(new byte[0]);
            fs.remove(INODE, "trusted.overlay.opaque");
            assertThat(fs.get(INODE, "trusted.overlay.opaque")).isEmpty();
            assertThat(fs.list(INODE)).containsExactly("user.mime_type", "security.selinux", "system.posix_acl_access",
                    "system.posix_acl_default");
            assertThat(fs.block(INODE)).as("every change stays in the inode's one block").isEqualTo(block);
        }
    }

    @Test
    void namesAreListedByNamespaceThenByTheirUtf8Bytes() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            for (String name : new String[] {"security.z", "user.é", "user.z", "user.Z", "trusted.a", "user.a",
                    "user.😀", "user.ab"}) {
                fs.set(INODE, name, bytes(name));
            }
            assertThat(fs.list(INODE)).containsExactly("user.Z", "user.a", "user.ab", "user.z", "user.é", "user.😀",
                    "trusted.a", "security.z");
            for (String name : fs.list(INODE)) {
                assertThat(fs.get(INODE, name)).hasValue(bytes(name));
            }
        }
    }

    @Test
    void attributesSurviveCloseAndReopen() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            fs.set(INODE, "user.empty", new byte[0]);
            fs.set(INODE, "user.big", filled(600, 7));
            fs.set(OTHER_INODE, "security.ima", filled(40, 3));
            fs.set(OTHER_INODE, "user.gone", filled(10, 1));
            fs.remove(OTHER_INODE, "user.gone");
            fs.reopen();

            assertThat(fs.list(INODE)).containsExactly("user.big", "user.empty");
            assertThat(fs.get(INODE, "user.empty")).hasValue(new byte[0]);
            assertThat(fs.get(INODE, "user.big")).hasValue(filled(600, 7));
            assertThat(fs.list(OTHER_INODE)).containsExactly("security.ima");
            assertThat(fs.get(OTHER_INODE, "security.ima")).hasValue(filled(40, 3));

            fs.set(INODE, "user.big", filled(300, 9));
            fs.remove(INODE, "user.empty");
            fs.reopen();
            assertThat(fs.list(INODE)).containsExactly("user.big");
            assertThat(fs.get(INODE, "user.big")).hasValue(filled(300, 9));
        }
    }

    @Test
    void theFirstAttributeAllocatesABlockAndTheLastOneFreesIt() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            long free = fs.freeBlocksAfterCheckpoint();
            fs.set(INODE, "user.a", bytes("1"));
            long block = fs.block(INODE);
            assertThat(block).isGreaterThanOrEqualTo(fs.geometry.firstDataBlock(0));
            assertThat(fs.inUse(block)).isTrue();
            assertThat(fs.allocator.freeBlocks()).isEqualTo(free - 1);

            fs.set(INODE, "user.b", bytes("2"));
            fs.set(OTHER_INODE, "user.a", bytes("3"));
            assertThat(fs.block(INODE)).isEqualTo(block);
            assertThat(fs.block(OTHER_INODE)).as("an inode's block is its own").isNotEqualTo(block);
            assertThat(fs.allocator.freeBlocks()).isEqualTo(free - 2);

            fs.remove(INODE, "user.a");
            assertThat(fs.block(INODE)).isEqualTo(block);
            fs.remove(INODE, "user.b");
            assertThat(fs.block(INODE)).as("no attribute left: no block").isZero();
            assertThat(fs.inUse(block)).isFalse();
            assertThat(fs.list(INODE)).isEmpty();
            assertThat(fs.get(OTHER_INODE, "user.a")).hasValue(bytes("3"));
            assertThat(fs.freeBlocksAfterCheckpoint()).isEqualTo(free - 1);

            fs.freeAll(OTHER_INODE);
            assertThat(fs.freeBlocksAfterCheckpoint()).isEqualTo(free);
            fs.freeAll(INODE); // no block: nothing to do
            assertThat(fs.freeBlocksAfterCheckpoint()).isEqualTo(free);
        }
    }

    @Test
    void anAbortedTransactionLeavesNothingBehind() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            long free = fs.freeBlocksAfterCheckpoint();
            long allocated = fs.abortedSet(INODE, "user.a", bytes("lost"));
            assertThat(allocated).isNotZero();
            assertThat(fs.inUse(allocated)).as("the allocation was rolled back").isFalse();
            assertThat(fs.allocator.freeBlocks()).isEqualTo(free);

            fs.set(INODE, "user.a", bytes("kept"));
            long block = fs.block(INODE);
            assertThat(fs.abortedSet(INODE, "user.a", bytes("changed"))).isEqualTo(block);
            assertThat(fs.abortedSet(INODE, "user.b", bytes("added"))).isEqualTo(block);
            assertThat(fs.abortedRemove(INODE, "user.a")).as("the last attribute: the block was freed").isZero();
            assertThat(fs.inUse(block)).isTrue();
            assertThat(fs.list(INODE)).containsExactly("user.a");
            assertThat(fs.get(INODE, "user.a")).hasValue(bytes("kept"));
            assertThat(fs.freeBlocksAfterCheckpoint()).isEqualTo(free - 1);

            fs.reopen();
            assertThat(fs.list(INODE)).containsExactly("user.a");
            assertThat(fs.get(INODE, "user.a")).hasValue(bytes("kept"));
        }
    }

    @Test
    void aFullNameLongerThan255BytesIsErange() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            for (String prefix : new String[] {"user.", "trusted.", "security."}) {
                String longest = prefix + "x".repeat(255 - prefix.length());
                fs.set(INODE, longest, bytes("v"));
                assertThat(fs.get(INODE, longest)).hasValue(bytes("v"));
                fs.remove(INODE, longest);

                String tooLong = longest + "x";
                assertErrno(() -> fs.set(INODE, tooLong, bytes("v")), Errno.ERANGE);
                assertErrno(() -> fs.get(INODE, tooLong), Errno.ERANGE);
                assertErrno(() -> fs.remove(INODE, tooLong), Errno.ERANGE);
            }
            // bytes count, not characters: 5 + 125 × 2 = 255 bytes fit, 5 + 126 × 2 do not
            fs.set(INODE, "user." + "é".repeat(125), bytes("v"));
            assertErrno(() -> fs.set(INODE, "user." + "é".repeat(126), bytes("v")), Errno.ERANGE);
            assertErrno(() -> fs.set(INODE, "", bytes("v")), Errno.ERANGE);
            assertErrno(() -> fs.get(INODE, ""), Errno.ERANGE);
            assertThat(fs.list(INODE)).containsExactly("user." + "é".repeat(125));
        }
    }

    @Test
    void aValueLongerThan64KiBIsE2bigAndOneLongerThanTheBlockHoldsIsEnospc() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            assertErrno(() -> fs.set(INODE, "user.a", new byte[65537]), Errno.E2BIG);
            assertErrno(() -> fs.set(INODE, "user.a", new byte[65536]), Errno.ENOSPC);
            assertErrno(() -> fs.set(INODE, "nosuch.a", new byte[65537]), Errno.E2BIG); // Linux checks the size first
            assertErrno(() -> fs.set(INODE, "x".repeat(256), new byte[65537]), Errno.ERANGE); // and the name before it
            assertThat(fs.block(INODE)).isZero();
        }
    }

    @Test
    void a64KiBBlockHoldsOneValueOfAllButItsHeaderAndTheEntrysOwnBytes() {
        try (XattrFixture fs = new XattrFixture(65536, 32L << 20, 128)) {
            int largest = 65536 - 40 - 6 - 1;
            fs.set(INODE, "user.a", filled(largest, 5));
            assertThat(fs.get(INODE, "user.a")).hasValue(filled(largest, 5));
            assertErrno(() -> fs.set(INODE, "user.a", new byte[largest + 1]), Errno.ENOSPC);
            assertErrno(() -> fs.set(INODE, "user.b", new byte[0]), Errno.ENOSPC);
            fs.reopen();
            assertThat(fs.get(INODE, "user.a")).hasValue(filled(largest, 5));
        }
    }

    @Test
    void aNameInNoSupportedNamespaceIsEnotsup() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            fs.set(INODE, "user.present", bytes("v"));
            for (String name : new String[] {"foo.bar", "user", "User.a", "os2.name", ".user.a", "system.foo",
                    "system.posix_acl", "system.posix_acl_access2", "system.posix_acl_default.x", "trusted",
                    "security", "system."}) {
                assertErrno(() -> fs.set(INODE, name, bytes("v")), Errno.ENOTSUP);
                assertErrno(() -> fs.get(INODE, name), Errno.ENOTSUP);
                assertErrno(() -> fs.remove(INODE, name), Errno.ENOTSUP);
            }
            assertThat(fs.list(INODE)).containsExactly("user.present");
        }
    }

    @Test
    void nothingAfterAPrefixANulOrAnUnpairedSurrogateIsEinval() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            for (String name : new String[] {"user.", "trusted.", "security.", "user.a\0b", "user.\uD800"}) {
                assertErrno(() -> fs.set(INODE, name, bytes("v")), Errno.EINVAL);
                assertErrno(() -> fs.get(INODE, name), Errno.EINVAL);
                assertErrno(() -> fs.remove(INODE, name), Errno.EINVAL);
            }
            assertThat(fs.block(INODE)).isZero();
        }
    }

    @Test
    void aMissingNameIsEnodataForRemoveAndEmptyForGet() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            assertThat(fs.get(INODE, "user.a")).isEmpty();
            assertThat(fs.list(INODE)).isEmpty();
            assertErrno(() -> fs.remove(INODE, "user.a"), Errno.ENODATA);

            fs.set(INODE, "user.a", bytes("v"));
            assertThat(fs.get(INODE, "user.b")).isEmpty();
            assertThat(fs.get(INODE, "trusted.a")).as("the same suffix in another namespace").isEmpty();
            assertThat(fs.get(INODE, "system.posix_acl_access")).isEmpty();
            assertErrno(() -> fs.remove(INODE, "user.b"), Errno.ENODATA);
            assertErrno(() -> fs.remove(INODE, "system.posix_acl_default"), Errno.ENODATA);
            fs.remove(INODE, "user.a");
            assertErrno(() -> fs.remove(INODE, "user.a"), Errno.ENODATA);
        }
    }

    @Test
    void createOnAnExistingNameIsEexistAndReplaceOnAMissingOneIsEnodata() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            long free = fs.allocator.freeBlocks();
            assertErrno(() -> fs.set(INODE, "user.x", bytes("v"), XATTR_REPLACE), Errno.ENODATA);
            assertThat(fs.block(INODE)).isZero();
            assertThat(fs.allocator.freeBlocks()).as("nothing was allocated").isEqualTo(free);

            fs.set(INODE, "user.x", bytes("one"), XATTR_CREATE);
            assertErrno(() -> fs.set(INODE, "user.x", bytes("two"), XATTR_CREATE), Errno.EEXIST);
            assertErrno(() -> fs.set(INODE, "user.y", bytes("two"), XATTR_REPLACE), Errno.ENODATA);
            assertErrno(() -> fs.set(INODE, "user.x", bytes("two"), XATTR_CREATE | XATTR_REPLACE), Errno.EEXIST);
            assertErrno(() -> fs.set(INODE, "user.y", bytes("two"), XATTR_CREATE | XATTR_REPLACE), Errno.ENODATA);
            assertThat(fs.get(INODE, "user.x")).hasValue(bytes("one"));
            assertThat(fs.list(INODE)).containsExactly("user.x");

            fs.set(INODE, "user.x", bytes("three"), XATTR_REPLACE);
            assertThat(fs.get(INODE, "user.x")).hasValue(bytes("three"));
            fs.set(INODE, "user.y", bytes("four"), XATTR_CREATE);
            assertThat(fs.list(INODE)).containsExactly("user.x", "user.y");
        }
    }

    @Test
    void flagsOtherThanCreateAndReplaceAreEinval() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            for (int flags : new int[] {4, 8, XATTR_CREATE | 4, -1, Integer.MIN_VALUE}) {
                assertErrno(() -> fs.set(INODE, "user.a", bytes("v"), flags), Errno.EINVAL);
            }
            assertThat(fs.block(INODE)).isZero();
        }
    }

    @Test
    void attributesThatNoLongerFitInOneBlockAreEnospcAndChangeNothing() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            long free = fs.allocator.freeBlocks();
            // 1 KiB block: 984 bytes for entries of 6 + suffix + value bytes
            assertErrno(() -> fs.set(INODE, "user.a", new byte[978]), Errno.ENOSPC);
            assertThat(fs.block(INODE)).isZero();
            assertThat(fs.allocator.freeBlocks()).isEqualTo(free);

            fs.set(INODE, "user.a", filled(977, 1));
            assertErrno(() -> fs.set(INODE, "user.b", new byte[0]), Errno.ENOSPC);
            assertErrno(() -> fs.set(INODE, "system.posix_acl_access", new byte[0]), Errno.ENOSPC);
            assertErrno(() -> fs.set(INODE, "user.a", new byte[978]), Errno.ENOSPC);
            assertThat(fs.get(INODE, "user.a")).hasValue(filled(977, 1));

            fs.set(INODE, "user.a", filled(900, 2));
            fs.set(INODE, "user.b", filled(984 - 907 - 7, 3)); // fills the block exactly
            assertErrno(() -> fs.set(INODE, "user.b", new byte[984 - 907 - 7 + 1]), Errno.ENOSPC);
            assertErrno(() -> fs.set(INODE, "system.posix_acl_default", new byte[0]), Errno.ENOSPC);
            fs.set(INODE, "user.b", new byte[0]); // shrinking always fits
            fs.set(INODE, "system.posix_acl_default", new byte[984 - 907 - 7 - 6]);
            assertThat(fs.list(INODE)).containsExactly("user.a", "user.b", "system.posix_acl_default");
            assertThat(fs.get(INODE, "user.a")).hasValue(filled(900, 2));
        }
    }

    @Test
    void aDamagedBlockIsAnIoErrorNamingTheInodeAndTheBlockAndFreesNothing() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            fs.set(INODE, "user.a", bytes("one"));
            fs.set(INODE, "user.b", bytes("two"));
            long block = fs.block(INODE);
            fs.damageOnDisk(block, b -> b.put(BLOCK - 1, (byte) 0x20)); // a byte past the entries
            long free = fs.allocator.freeBlocks();

            String where = "inode " + INODE + ": attribute block " + block;
            assertErrno(() -> fs.get(INODE, "user.a"), Errno.EIO, where, "bad checksum");
            assertErrno(() -> fs.list(INODE), Errno.EIO, where, "bad checksum");
            assertErrno(() -> fs.set(INODE, "user.c", bytes("v")), Errno.EIO, where, "bad checksum");
            assertErrno(() -> fs.remove(INODE, "user.a"), Errno.EIO, where, "bad checksum");
            assertErrno(() -> fs.freeAll(INODE), Errno.EIO, where, "bad checksum");
            assertThat(fs.inUse(block)).isTrue();
            assertThat(fs.freeBlocksAfterCheckpoint()).isEqualTo(free);
        }
    }

    @Test
    void entriesRunningPastTheEndOfTheBlockAreAnIoError() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            fs.set(INODE, "user.a", bytes("one"));
            long block = fs.block(INODE);
            fs.damageOnDisk(block, b -> {
                le(b).putInt(42, BLOCK); // entry 0's value_length
                BlockHeader.seal(b, fs.superblock.uuid()); // a sound header over a broken body
            });
            assertErrno(() -> fs.get(INODE, "user.a"), Errno.EIO, "attribute block " + block, "runs past the end");
            assertErrno(() -> fs.set(INODE, "user.a", bytes("v")), Errno.EIO, "runs past the end");
        }
    }

    @Test
    void theBlockOfAnotherInodeIsAnIoErrorWhetherOnDiskOrInTheCache() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            fs.set(INODE, "user.a", bytes("one"));
            long block = fs.block(INODE);
            fs.blocks.put(OTHER_INODE, block); // a damaged inode naming another inode's block
            // still dirty in the cache: the owner is checked all the same
            assertErrno(() -> fs.get(OTHER_INODE, "user.a"), Errno.EIO, "inode " + OTHER_INODE
                    + ": attribute block " + block, "belongs to inode " + INODE);
            fs.reopen();
            assertErrno(() -> fs.list(OTHER_INODE), Errno.EIO, "belongs to inode " + INODE);
            assertErrno(() -> fs.remove(OTHER_INODE, "user.a"), Errno.EIO, "belongs to inode " + INODE);
            assertErrno(() -> fs.freeAll(OTHER_INODE), Errno.EIO, "belongs to inode " + INODE);
            assertThat(fs.inUse(block)).isTrue();
            assertThat(fs.get(INODE, "user.a")).hasValue(bytes("one"));
        }
    }

    @Test
    void aBlockThatIsNoAttributeBlockIsAnIoError() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            fs.set(OTHER_INODE, "user.a", bytes("one")); // dirties group 0's block bitmap in the cache
            long bitmap = fs.geometry.blockBitmapBlock(0);
            fs.blocks.put(INODE, bitmap);
            assertErrno(() -> fs.get(INODE, "user.a"), Errno.EIO, "attribute block " + bitmap, "type 3");
            fs.reopen();
            assertErrno(() -> fs.list(INODE), Errno.EIO, "BLOCK_BITMAP block where XATTR was expected");
            long free = fs.allocator.freeBlocks();
            assertErrno(() -> fs.freeAll(INODE), Errno.EIO, "BLOCK_BITMAP");
            assertThat(fs.allocator.freeBlocks()).isEqualTo(free);

            for (long outside : new long[] {1, fs.geometry.groupsStart() - 1, fs.geometry.blockCount(), -1}) {
                fs.blocks.put(INODE, outside);
                assertErrno(() -> fs.get(INODE, "user.a"), Errno.EIO, "attribute block " + outside,
                        "outside the groups");
                assertErrno(() -> fs.set(INODE, "user.a", bytes("v")), Errno.EIO, "outside the groups");
            }
        }
    }

    @Test
    void theBudgetsCoverRewritingAFullBlock() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            // Many entries, then one that sorts first moves every other one: the whole body is logged.
            for (int i = 0; i < 50; i++) { // 840 of the 984 bytes
                fs.set(INODE, "user.n" + (char) ('b' + i % 20) + i, filled(7, i));
            }
            fs.set(INODE, "user.a", filled(100, 1));
            fs.remove(INODE, "user.a");
            assertThat(fs.list(INODE)).hasSize(50);
        }
    }

    @Test
    void listReturnsAnImmutableSnapshot() {
        try (XattrFixture fs = new XattrFixture(BLOCK, BYTES)) {
            fs.set(INODE, "user.a", bytes("v"));
            List<String> names = fs.list(INODE);
            assertThatThrownBy(() -> names.add("user.b")).isInstanceOf(UnsupportedOperationException.class);
            byte[] value = fs.get(INODE, "user.a").orElseThrow();
            value[0] = 'w';
            assertThat(fs.get(INODE, "user.a")).hasValue(bytes("v"));
        }
    }

    static void assertErrno(Runnable r, Errno errno, String... inMessage) {
        assertThatThrownBy(r::run).isInstanceOf(FsException.class)
                .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(errno))
                .satisfies(e -> {
                    for (String part : inMessage) {
                        assertThat(e.getMessage()).contains(part);
                    }
                });
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] filled(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    private static ByteBuffer le(ByteBuffer b) {
        return b.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    }
}
