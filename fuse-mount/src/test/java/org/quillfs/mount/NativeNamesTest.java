package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NativeNamesTest {

    @Test
    void aJavaStringReachesCAsTheBytesOfItsFileNameEncoding() {
        // As in the daemon, whose default charset (which jnr and ProcessBuilder encode with) is ISO-8859-1.
        String nativeForm = NativeNames.toNative("/tmp/café", StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1);
        assertThat(nativeForm.getBytes(StandardCharsets.ISO_8859_1))
                .isEqualTo("/tmp/café".getBytes(StandardCharsets.UTF_8));
    }
}
