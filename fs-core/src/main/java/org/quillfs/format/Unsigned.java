package org.quillfs.format;

/**
 * Range checks for unsigned on-disk fields held in wider Java types (docs/FORMAT.md,
 * "Conventions"): an encoder refuses a value its field cannot hold rather than truncate it.
 * Decoders never need these, since what they read always fits.
 */
final class Unsigned {

    private Unsigned() {
    }

    /** {@code value} as the bits of a u32 field. */
    static int u32(String field, long value) {
        if (value >>> 32 != 0) {
            throw new IllegalArgumentException(field + " " + value + " does not fit in a u32");
        }
        return (int) value;
    }

    /** {@code value} as the bits of a u16 field. */
    static short u16(String field, int value) {
        if (value >>> 16 != 0) {
            throw new IllegalArgumentException(field + " " + value + " does not fit in a u16");
        }
        return (short) value;
    }

    /** {@code value} as the bits of a u8 field. */
    static byte u8(String field, int value) {
        if (value >>> 8 != 0) {
            throw new IllegalArgumentException(field + " " + value + " does not fit in a u8");
        }
        return (byte) value;
    }
}
