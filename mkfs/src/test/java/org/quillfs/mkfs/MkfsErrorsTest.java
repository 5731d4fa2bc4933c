package org.quillfs.mkfs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every bad argument gets one line saying what is wrong, and exit 16; failures of the device exit 8. */
class MkfsErrorsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            -b 3000 IMG 64M                 | block size 3000 is not a power of two from 1024 to 65536
            -b 128K IMG 64M                 | block size 128K is not a power of two from 1024 to 65536
            -b four IMG 64M                 | block size 'four' is not a size
            IMG lots                        | SIZE 'lots' is not a size (a number with an optional K, M, G or T suffix)
            IMG 99999999999999999999        | SIZE '99999999999999999999' is not a size
            IMG 4M                          | SIZE 4 MiB is too small: quillfs needs at least 8 MiB
            -J size=64 IMG 16M              | the filesystem is too small for a journal of 16384 blocks
            -J size=512K IMG 64M            | journal size 512 KiB is too small: at least 1 MiB
            -J 64 IMG 64M                   | -J 64 is not size=SIZE
            -N 100 -i 4096 IMG 64M          | give -N (inode count) or -i (bytes per inode), not both
            -N 3 IMG 64M                    | -N 3 is not an inode count from 16 to 4294967295
            -N 9999999 IMG 64M              | too many inodes: 9999999 asked, at most
            -i 512 IMG 64M                  | -i 512 is not from 1024 to 64M bytes per inode
            -U not-a-uuid IMG 64M           | -U not-a-uuid is not a UUID
            -L AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA IMG 64M | label is longer than 64 bytes of UTF-8
            -E lazy_itable_init IMG 64M     | -E lazy_itable_init is not an extended option quillfs knows (lazy_journal_init[=0|1])
            -x IMG 64M                      | Unknown option: '-x' (see mkfs.quillfs --help)
            IMG 64M extra                   | Unmatched argument at index 2: 'extra' (several devices need --layout; see mkfs.quillfs --help)
            --layout raid5 IMG IMG2 64M     | --layout raid5 is not concat or stripe
            --layout stripe IMG 64M         | --layout and --stripe-unit make a volume over two or more devices; one was given
            --layout concat --stripe-unit 64K IMG IMG2 64M | --stripe-unit is for --layout stripe, not concat
            --layout stripe --stripe-unit 3K IMG IMG2 64M  | --stripe-unit 3K is not a multiple of the block size 4096
            ''                              | Missing required parameter: 'DEVICE|IMAGE' (see mkfs.quillfs --help)
            """)
    void badArgumentsAreUsageErrors(String args, String message) {
        Path image = dir.resolve("x.img");
        String[] argv = args.isBlank() ? new String[0] : args.replace("IMG2", dir.resolve("y.img").toString()).replace("IMG", image.toString()).split(" ");
        MkfsRun run = MkfsRun.of(argv);

        assertThat(run.exitCode()).isEqualTo(16);
        assertThat(run.err()).startsWith("mkfs.quillfs: ").contains(message);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(image).doesNotExist();
    }

    @Test
    void aMissingImageWithoutSizeSaysHowToCreateOne() {
        MkfsRun run = MkfsRun.of(dir.resolve("none.img").toString());
        assertThat(run.exitCode()).isEqualTo(16);
        assertThat(run.err()).contains("does not exist; give a SIZE (e.g. 1G) to create an image file");
    }

    @Test
    void aPathInsideAFileCannotBeCreated() throws IOException {
        Path file = Files.write(dir.resolve("plain"), new byte[1]);
        MkfsRun run = MkfsRun.of(file.resolve("x.img").toString(), "64M");
        assertThat(run.exitCode()).isEqualTo(16);
        assertThat(run.err()).contains("cannot create " + file.resolve("x.img") + ": folder " + file + " does not exist");
    }

    @Test
    void aDirectoryIsNotATarget() {
        MkfsRun run = MkfsRun.of(dir.toString(), "64M");
        assertThat(run.exitCode()).isEqualTo(16);
        assertThat(run.err()).contains(dir + " is a directory; give an image file or a block device");
    }

    @Test
    void aFullDiskIsAnOperationalError() throws IOException {
        try (FileSystem tiny = Jimfs.newFileSystem(Configuration.unix().toBuilder().setMaxSize(4 << 20).build())) {
            MkfsRun run = MkfsRun.on(tiny, "/img", "16M");
            assertThat(run.exitCode()).isEqualTo(8);
            assertThat(run.err()).startsWith("mkfs.quillfs: cannot format /img: ");
            assertThat(run.err().lines()).hasSize(1);
        }
    }
}
