package org.quillfs.inspect;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of {@code quillfs} inside the test JVM: exit code and what it printed. */
record InspectRun(int exitCode, String out, String err) {

    static InspectRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new QuillfsCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = QuillfsCommand.run(commandLine, args);
        return new InspectRun(code, out.toString(), err.toString());
    }
}
