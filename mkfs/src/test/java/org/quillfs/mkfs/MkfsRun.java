package org.quillfs.mkfs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import picocli.CommandLine;

/** One run of mkfs.quillfs inside the test JVM: exit code and what it printed. */
record MkfsRun(int exitCode, String out, String err) {

    static MkfsRun of(String... args) {
        return on(null, args);
    }

    /** Runs with file arguments resolved in {@code fileSystem} (jimfs), or the default one when null. */
    static MkfsRun on(FileSystem fileSystem, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new MkfsCommand());
        if (fileSystem != null) {
            commandLine.registerConverter(Path.class, fileSystem::getPath);
        }
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = MkfsCommand.run(commandLine, args);
        return new MkfsRun(code, out.toString(), err.toString());
    }
}
