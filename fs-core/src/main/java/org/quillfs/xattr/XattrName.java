package org.quillfs.xattr;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Limits;
import org.quillfs.format.XattrBlock.Entry;
import org.quillfs.format.XattrBlock.Namespace;

/**
 * A full attribute name taken apart into its namespace and the suffix after the prefix
 * (docs/FORMAT.md, "Extended attributes"), refusing bad names with the errors Linux gives.
 * Names cross the API as Strings and are stored as their UTF-8 bytes.
 */
final class XattrName {

    private XattrName() {
    }

    /**
     * The UTF-8 bytes of {@code name}, checked as Linux checks a name before it looks at the
     * value: the length first.
     *
     * @throws FsException EINVAL if the name has an unpaired surrogate (no UTF-8 form, so no
     *     length either); ERANGE if the bytes are empty or longer than 255; EINVAL for a NUL,
     *     which no C string holds
     */
    static byte[] bytes(String name) {
        byte[] bytes;
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(name));
            bytes = Arrays.copyOf(encoded.array(), encoded.limit());
        } catch (CharacterCodingException e) {
            throw new FsException(Errno.EINVAL, "attribute name \"" + name + "\" is not valid Unicode");
        }
        if (bytes.length == 0 || bytes.length > Limits.MAX_NAME_BYTES) {
            throw new FsException(Errno.ERANGE, "an attribute name is 1.." + Limits.MAX_NAME_BYTES
                    + " bytes, not " + bytes.length);
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new FsException(Errno.EINVAL, "attribute name \"" + name + "\" contains NUL");
            }
        }
        return bytes;
    }

    /**
     * The stored key of {@code name} (whose bytes {@link #bytes} gave), with an empty value.
     *
     * @throws FsException ENOTSUP if no namespace's prefix starts the name; EINVAL if nothing
     *     follows a prefix that needs a suffix
     */
    static Entry key(String name, byte[] bytes) {
        for (Namespace ns : Namespace.values()) {
            if (ns.hasSuffix() && name.startsWith(ns.prefix())) {
                if (name.length() == ns.prefix().length()) {
                    throw new FsException(Errno.EINVAL, "attribute name \"" + name + "\" has nothing after its prefix");
                }
                return new Entry(ns,
                        Arrays.copyOfRange(bytes, ns.prefix().length(), bytes.length), new byte[0]);
            }
            if (!ns.hasSuffix() && name.equals(ns.prefix())) {
                return new Entry(ns, new byte[0], new byte[0]);
            }
        }
        throw new FsException(Errno.ENOTSUP, "attribute name \"" + name + "\" is in no supported namespace"
                + " (user., trusted., security., system.posix_acl_access, system.posix_acl_default)");
    }

    /** {@link #key} of a name checked by {@link #bytes}: for operations that take no value. */
    static Entry key(String name) {
        return key(name, bytes(name));
    }
}
