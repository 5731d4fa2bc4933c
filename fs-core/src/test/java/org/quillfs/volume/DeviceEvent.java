package org.quillfs.volume;

import java.util.Arrays;

/** What a {@link RecordingBlockDevice} saw happen: a write that returned, or a flush. */
public sealed interface DeviceEvent {

    /**
     * Whole blocks written from {@code firstBlock} on: {@code data} holds them back to back. The
     * array is the event's own copy; it is shared, not copied again, so do not change it.
     */
    record Write(long firstBlock, byte[] data) implements DeviceEvent {

        /** How many blocks the write covers on a device with blocks of {@code blockSize} bytes. */
        public int blocks(int blockSize) {
            return data.length / blockSize;
        }

        /** Two writes are equal when they put the same bytes at the same place. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Write write && write.firstBlock == firstBlock && Arrays.equals(write.data, data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(firstBlock) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Write[firstBlock=" + firstBlock + ", " + data.length + " bytes]";
        }
    }

    /** A flush: every write recorded before it is durable. */
    record Flush() implements DeviceEvent {
    }
}
