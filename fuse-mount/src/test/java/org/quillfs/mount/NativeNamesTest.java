package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NativeNamesTest {

    @Test
    void utf8NamesBecomeStringsForThePathResolver() {
        assertThat(NativeNames.utf8OrNull("/a/b".getBytes(StandardCharsets.UTF_8))).isEqualTo("/a/b");
        assertThat(NativeNames.utf8OrNull("/café/ß".getBytes(StandardCharsets.UTF_8))).isEqualTo("/café/ß");
    }

    @Test
    void namesThatAreNotUtf8AreRecognised() {
        assertThat(NativeNames.utf8OrNull(new byte[] {'/', (byte) 0xff, (byte) 0xfe})).isNull();
        assertThat(NativeNames.utf8OrNull(new byte[] {'/', (byte) 0xc3})).isNull();
    }

    @Test
    void aJavaStringReachesCAsTheBytesOfItsFileNameEncoding() {
        // As in the daemon, whose default charset (which jnr and ProcessBuilder encode with) is ISO-8859-1.
        String nativeForm = NativeNames.toNative("/tmp/café", StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1);
        assertThat(nativeForm.getBytes(StandardCharsets.ISO_8859_1))
                .isEqualTo("/tmp/café".getBytes(StandardCharsets.UTF_8));
    }
}
