package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Directory entry names as fsck prints them: UTF-8, with bytes that are not as {@code \xNN}. */
final class Names {

    private Names() {
    }

    static String show(byte[] name) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(name);
        CharBuffer out = CharBuffer.allocate(name.length + 1);
        StringBuilder s = new StringBuilder();
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            s.append(out.flip());
            out.clear();
            if (!result.isError()) {
                break;
            }
            for (int i = 0; i < result.length(); i++) {
                s.append(String.format("\\x%02x", in.get() & 0xFF));
            }
        }
        StringBuilder clean = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F) {
                clean.append(String.format("\\x%02x", cp));
            } else {
                clean.appendCodePoint(cp);
            }
        });
        return clean.toString();
    }
}
