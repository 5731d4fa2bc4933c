package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class DirectoryKeysTest {

    @Example
    void hash48IsTheTop48BitsOfTheSipHashReferenceVector() {
        // SipHash paper, appendix A: key 00 01 .. 0f, message 00 01 .. 0e, hash a129ca6149be45e5.
        byte[] message = new byte[15];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) i;
        }
        assertThat(DirectoryKeys.hash48(0x0706050403020100L, 0x0f0e0d0c0b0a0908L, message))
                .isEqualTo(0xa129ca6149beL);
    }

    @Example
    void aHashWhoseTop48BitsAreZeroBecomesOne() {
        assertThat(DirectoryKeys.hash48(0x0000_0000_0000_FFFFL)).isEqualTo(1);
        assertThat(DirectoryKeys.hash48(0x0000_0000_0001_0000L)).isEqualTo(1);
        assertThat(DirectoryKeys.hash48(0x0000_0000_0002_FFFFL)).isEqualTo(2);
        assertThat(DirectoryKeys.hash48(0xFFFF_FFFF_FFFF_0000L)).isEqualTo((1L << 48) - 1);
    }

    @Property
    void hash48IsAlwaysANonZero48BitValue(@ForAll long key0, @ForAll long key1, @ForAll byte[] name) {
        assertThat(DirectoryKeys.hash48(key0, key1, name)).isBetween(1L, (1L << 48) - 1);
    }

    @Property
    void aKeyPacksTheHashAboveTheSequenceNumber(@ForAll @LongRange(min = 1, max = (1L << 48) - 1) long hash48,
            @ForAll @IntRange(min = 0, max = DirectoryKeys.MAX_SEQ) int seq) {
        long key = DirectoryKeys.key(hash48, seq);
        assertThat(DirectoryKeys.hashOf(key)).isEqualTo(hash48);
        assertThat(key & 0x7FFF).isEqualTo(seq);
        assertThat(key).isGreaterThanOrEqualTo(1L << 15);
    }

    @Example
    void keyRefusesAHashOrSequenceNumberOutOfRange() {
        assertThatThrownBy(() -> DirectoryKeys.key(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectoryKeys.key(1L << 48, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectoryKeys.key(1, 32768)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectoryKeys.key(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void namesThatCannotBeStoredAreReported() {
        assertThat(DirectoryKeys.nameProblem(new byte[0])).hasValue("name is empty");
        assertThat(DirectoryKeys.nameProblem(new byte[256])).hasValue("name is 256 bytes, more than 255");
        assertThat(DirectoryKeys.nameProblem(bytes("a/b"))).hasValue("name contains '/'");
        assertThat(DirectoryKeys.nameProblem(bytes("a\0b"))).hasValue("name contains a NUL byte");
        assertThat(DirectoryKeys.nameProblem(bytes("."))).isPresent();
        assertThat(DirectoryKeys.nameProblem(bytes(".."))).isPresent();
    }

    @Example
    void anyOtherBytesMakeAName() {
        assertThat(DirectoryKeys.nameProblem(bytes("..."))).isEmpty();
        assertThat(DirectoryKeys.nameProblem(bytes(".a"))).isEmpty();
        assertThat(DirectoryKeys.nameProblem(bytes("x".repeat(255)))).isEmpty();
        assertThat(DirectoryKeys.nameProblem(new byte[] {(byte) 0xFF, (byte) 0xC0, '\n'})).isEmpty();
    }

    @Example
    void eachFileTypeOfModeHasItsDirectoryEntryType() {
        assertThat(DirectoryKeys.fileTypeOf(Inode.S_IFIFO | 0644)).isEqualTo(DirectoryKeys.DT_FIFO);
        assertThat(DirectoryKeys.fileTypeOf(Inode.S_IFCHR)).isEqualTo(DirectoryKeys.DT_CHR);
        assertThat(DirectoryKeys.fileTypeOf(Inode.S_IFDIR | 0755)).isEqualTo(DirectoryKeys.DT_DIR);
        assertThat(DirectoryKeys.fileTypeOf(Inode.S_IFBLK)).isEqualTo(DirectoryKeys.DT_BLK);
        assertThat(DirectoryKeys.fileTypeOf(Inode.S_IFREG | 04755)).isEqualTo(DirectoryKeys.DT_REG);
        assertThat(DirectoryKeys.fileTypeOf(Inode.S_IFLNK | 0777)).isEqualTo(DirectoryKeys.DT_LNK);
        assertThat(DirectoryKeys.fileTypeOf(Inode.S_IFSOCK)).isEqualTo(DirectoryKeys.DT_SOCK);
        assertThat(DirectoryKeys.fileTypeOf(0644)).isEqualTo(DirectoryKeys.DT_UNKNOWN);
        assertThat(DirectoryKeys.fileTypeOf(0030000)).isEqualTo(DirectoryKeys.DT_UNKNOWN);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
