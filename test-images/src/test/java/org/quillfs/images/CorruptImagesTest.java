package org.quillfs.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corrupted golden images (e2fsprogs' {@code tests/f_*} style): fsck -fy on a copy of each
 * case prints exactly {@code expect.1} and exits as it says, and a second run prints
 * {@code expect.2}: clean, exit 0.
 */
class CorruptImagesTest {

    static final Path CASES = Path.of(System.getProperty("quillfs.repo", ".."), "test-images", "cases");

    @TempDir Path tmp;

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(CASES)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fsckRepairsTheCaseAsExpectedAndASecondRunFindsItClean(String name) throws IOException {
        Path dir = CASES.resolve(name);
        Path image = tmp.resolve(CorruptImages.IMAGE_NAME);
        Files.write(image, CorruptImages.image(dir));
        assertThat(CorruptImages.fsck(image)).as("first run on %s", name).isEqualTo(Files.readString(dir.resolve("expect.1")));
        String second = CorruptImages.fsck(image);
        assertThat(second).as("second run on %s", name).isEqualTo(Files.readString(dir.resolve("expect.2")));
        assertThat(second).endsWith("Exit status is 0\n");
    }

    @Test
    void everyCaseTheGeneratorMakesIsStored() throws IOException {
        List<String> stored = cases().toList();
        assertThat(stored).containsExactlyInAnyOrderElementsOf(
                CorruptImages.CASES.stream().map(CorruptImages.Case::name).toList());
        assertThat(stored).hasSizeGreaterThanOrEqualTo(17);
    }
}
