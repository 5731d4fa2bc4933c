package org.quillfs.txn;

import java.util.Arrays;

/**
 * What abort needs to undo a transaction's updates, kept in memory so that abort never reads the
 * log: per update its block, offset, previous LSN and before image, newest last.
 *
 * <p>The before images sit one after another in one array and the rest in a long array, both
 * kept by the (pooled) transaction object for its next uses, so that an update allocates
 * nothing here. {@link #room} gives the array to copy the next image into, at {@link #imageEnd};
 * {@link #push} then keeps it. Only {@link #pop} (abort, which is rare) allocates. Belongs to
 * its transaction's thread.
 */
final class UndoLog {

    /** What {@link #pop} returns: one update to undo. */
    record Entry(long prevLsn, long block, int offset, byte[] before) {
    }

    /** Longs per entry: prevLsn, block, offset << 32 | length, where its image starts. */
    private static final int FIELDS = 4;

    private long[] entries = new long[FIELDS * 16];
    private int count;
    private byte[] images = new byte[4096];
    private int imageEnd;

    /** An array with room for an image of {@code length} bytes at {@link #imageEnd}: copy the image there, then {@link #push}. */
    byte[] room(int length) {
        if (images.length - imageEnd < length) {
            images = Arrays.copyOf(images, Math.max(2 * images.length, imageEnd + length));
        }
        return images;
    }

    /** Where the next image goes in the array {@link #room} returned. */
    int imageEnd() {
        return imageEnd;
    }

    /** Keeps the update of {@code length} bytes at {@code offset} of {@code block}, whose before image was copied to {@link #imageEnd}. */
    void push(long prevLsn, long block, int offset, int length) {
        if (entries.length == FIELDS * count) {
            entries = Arrays.copyOf(entries, 2 * entries.length);
        }
        int at = FIELDS * count++;
        entries[at] = prevLsn;
        entries[at + 1] = block;
        entries[at + 2] = (long) offset << 32 | length;
        entries[at + 3] = imageEnd;
        imageEnd += length;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Takes the newest update off. */
    Entry pop() {
        if (count == 0) {
            throw new IllegalStateException("the undo log is empty");
        }
        int at = FIELDS * --count;
        int length = (int) entries[at + 2];
        int image = (int) entries[at + 3];
        imageEnd = image;
        return new Entry(entries[at], entries[at + 1], (int) (entries[at + 2] >>> 32),
                Arrays.copyOfRange(images, image, image + length));
    }

    /** Forgets every update; keeps the arrays for the next use. */
    void clear() {
        count = 0;
        imageEnd = 0;
    }
}
