package org.quillfs.mount;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * File names between the kernel, jnr-fuse and the facade.
 *
 * <p>Names on Linux are bytes. jnr-fuse hands every {@code const char *} to Java as a
 * {@link String} decoded with the JVM's default charset, and encodes strings it passes to C the
 * same way. With ISO-8859-1 as the default ({@code -Dfile.encoding=ISO-8859-1}, which
 * {@code bin/mount.quillfs} and the daemon use) every byte becomes one char and back, so a name
 * that is not UTF-8 reaches the disk unchanged. With any other default charset names that are
 * valid in it still work; others are damaged by jnr before they reach us, and the mount logs a
 * warning at start.
 */
final class NativeNames {

    /** The charset jnr decodes C strings with. */
    private static final Charset NATIVE = Charset.defaultCharset();

    private NativeNames() {
    }

    /** Whether names pass byte for byte (the default charset maps each byte to one char). */
    static boolean isByteTransparent() {
        return NATIVE.equals(StandardCharsets.ISO_8859_1);
    }

    /** The bytes of a string jnr decoded from C. */
    static byte[] bytes(String fromNative) {
        return fromNative.getBytes(NATIVE);
    }

    /**
     * A Java string (such as a path given on the command line) as jnr must be given it so that C
     * receives its bytes in {@code encoding} (the encoding of file names, {@code sun.jnu.encoding}).
     */
    static String toNative(String javaString, Charset encoding) {
        return toNative(javaString, encoding, NATIVE);
    }

    /** {@link #toNative(String, Charset)} for a JVM whose default charset is {@code nativeCharset}. */
    static String toNative(String javaString, Charset encoding, Charset nativeCharset) {
        return new String(javaString.getBytes(encoding), nativeCharset);
    }

    /**
     * Command-line arguments as Java 17's ProcessBuilder must be given them: it encodes them
     * with the default charset, not the file-name encoding, so under ISO-8859-1 a path with
     * non-ASCII characters would reach the program as the wrong bytes.
     */
    static List<String> forProcessBuilder(List<String> args) {
        Charset encoding = fileNameEncoding();
        List<String> out = new ArrayList<>(args.size());
        for (String arg : args) {
            out.add(toNative(arg, encoding));
        }
        return out;
    }

    /** The charset the JVM uses for file names and command-line arguments. */
    static Charset fileNameEncoding() {
        return charsetProperty("sun.jnu.encoding");
    }

    /** The charset of the terminal and of other programs' text (Java 17's {@code native.encoding}). */
    static Charset consoleEncoding() {
        return charsetProperty("native.encoding");
    }

    private static Charset charsetProperty(String property) {
        String name = System.getProperty(property);
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
