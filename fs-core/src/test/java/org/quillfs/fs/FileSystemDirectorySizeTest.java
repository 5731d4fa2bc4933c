package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.name;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A directory's size is the bytes of its tree's blocks (docs/FORMAT.md; fsck pass 1 checks it),
 * and its block count those blocks plus its extended-attribute block: the attribute block must
 * not count towards the size. Found by the crash campaign (fsck module, org.quillfs.crash), whose
 * fsck check of crashed soak images said "Directory inode 31, i_size is 8192, should be 4096".
 */
class FileSystemDirectorySizeTest {

    private final TestFileSystems t = TestFileSystems.small();

    @AfterEach
    void tearDown() {
        t.close();
    }

    @Test
    void aDirectorysSizeCountsItsTreeNotItsAttributeBlock() {
        long dir = t.mkdir(ROOT, "d");
        t.fs.setxattr(dir, "user.a", new byte[100], 0);
        int b = t.fs.statfs().blockSize();
        Attributes withAttribute = t.fs.getattr(dir);
        assertThat(withAttribute.size()).as("an empty directory with an attribute block").isZero();

        t.file(dir, "f", "x");
        Attributes oneLeaf = t.fs.getattr(dir);
        assertThat(oneLeaf.size()).as("size with one leaf").isEqualTo(b);
        assertThat(oneLeaf.blocks() * 512).as("st_blocks bytes: the leaf and the attribute block").isEqualTo(2L * b);

        t.fs.unlink(dir, name("f"));
        Attributes empty = t.fs.getattr(dir);
        assertThat(empty.size()).as("size once the last entry is gone").isEqualTo(empty.blocks() * 512 - b);

        t.fs.removexattr(dir, "user.a");
        t.file(dir, "g", "y");
        assertThat(t.fs.getattr(dir).size()).as("size with one leaf, the attribute gone").isEqualTo(b);
    }
}
