package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MountCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new MountCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void saysItIsNotAvailableAndExits16() {
        assertThat(run("quillfs.img", "/mnt", "-o", "rw")).isEqualTo(16);
        assertThat(err.toString())
                .isEqualTo(
                        "mount.quillfs: not available yet: mounting arrives with issue 5"
                                + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void helpStillWorks() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: mount.quillfs");
        assertThat(err.toString()).isEmpty();
    }
}
