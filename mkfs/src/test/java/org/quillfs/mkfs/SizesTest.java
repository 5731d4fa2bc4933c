package org.quillfs.mkfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
        "1k, 1024", "1K, 1024", "16M, 16777216", "16MiB, 16777216", "16mb, 16777216",
        "1G, 1073741824", "2T, 2199023255552"
    })
    void parsesSuffixesAsPowersOf1024(String text, String expected) {
        assertThat(Sizes.parse(text, 1024, "SIZE")).isEqualTo(Long.parseLong(expected));
    }

    @Test
    void aBareNumberCountsTheGivenUnit() {
        assertThat(Sizes.parse("64", 1 << 20, "journal size")).isEqualTo(64L << 20);
        assertThat(Sizes.parse("4096", 1, "block size")).isEqualTo(4096);
    }

    @Test
    void rejectsWhatIsNotASize() {
        assertThatThrownBy(() -> Sizes.parse("100B", 1024, "SIZE")).isInstanceOf(UsageException.class)
                .hasMessage("SIZE '100B' is not a size (a number with an optional K, M, G or T suffix)");
        assertThatThrownBy(() -> Sizes.parse("1.5G", 1024, "SIZE")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Sizes.parse("-1G", 1024, "SIZE")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Sizes.parse("9999999T", 1024, "SIZE")).hasMessage("SIZE '9999999T' is too large");
    }

    @Test
    void printsSizesForPeople() {
        assertThat(Sizes.human(1L << 30)).isEqualTo("1 GiB");
        assertThat(Sizes.human(1536L << 20)).isEqualTo("1.5 GiB");
        assertThat(Sizes.human(1000)).isEqualTo("1000 bytes");
        assertThat(Sizes.human(512L << 10)).isEqualTo("512 KiB");
    }
}
