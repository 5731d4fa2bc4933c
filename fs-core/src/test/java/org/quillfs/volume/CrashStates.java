package org.quillfs.volume;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.quillfs.volume.DeviceEvent.Flush;
import org.quillfs.volume.DeviceEvent.Write;

/**
 * The states a disk can be left in by a crash during a recorded run.
 *
 * <p>The disk model: between two flushes a disk may persist any subset of the writes, in any
 * order; a flush is a barrier after which every write recorded before it is durable; and a
 * write in flight at the crash may be torn at {@link #SECTOR_SIZE} granularity, some sectors new
 * and the rest as they were. Writes are numbered from 1 in the order they were recorded, and
 * flushes likewise; "flush 0" is the start of the run. The writes between flush k and flush
 * k + 1 (or the end of the run) are window k.
 *
 * <p>Each state is built on demand from the initial image plus the writes it holds, so it costs
 * the initial image's blocks plus those writes, and nothing while unused. Random choices are
 * made when a state is named, so a state's device is the same every time it is built. Pass one
 * {@link Random} from state to state rather than a new one seeded 0, 1, 2...: the first values of
 * {@code java.util.Random}s with nearby seeds are nearly all the same.
 */
public final class CrashStates {

    /** The unit a disk writes atomically: a torn write is torn at these edges. */
    public static final int SECTOR_SIZE = 512;

    private final String deviceName;
    private final MemoryBlockDevice initialImage;
    private final List<Write> writes = new ArrayList<>();
    /** [k]: how many writes were recorded before flush k; [0] = 0, the start of the run. */
    private final int[] writesBeforeFlush;

    /** The crash states of what {@code recording} has recorded so far. */
    public CrashStates(RecordingBlockDevice recording) {
        this.deviceName = recording.name();
        this.initialImage = recording.initialImage();
        List<Integer> flushPoints = new ArrayList<>(List.of(0));
        for (DeviceEvent event : recording.events()) {
            if (event instanceof Write write) {
                writes.add(write);
            } else if (event instanceof Flush) {
                flushPoints.add(writes.size());
            }
        }
        this.writesBeforeFlush = flushPoints.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Writes in the run. */
    public int writes() {
        return writes.size();
    }

    /** How many writes were recorded before flush {@code k} ({@code k} = 0..{@link #flushes()}; 0 for k = 0). */
    public int writesBefore(int k) {
        checkRange("flush", k, 0, flushes());
        return writesBeforeFlush[k];
    }

    /** Flushes in the run. */
    public int flushes() {
        return writesBeforeFlush.length - 1;
    }

    /** The first {@code n} writes applied in order, {@code n} = 0..{@link #writes()}. */
    public CrashState atWrite(int n) {
        checkRange("write", n, 0, writes());
        String name = "after write " + n + " of " + writes() + flushesAt(n);
        return new CrashState(name, () -> afterWrites(name, n));
    }

    /** Every write recorded before flush {@code k}, {@code k} = 0..{@link #flushes()}. */
    public CrashState atFlush(int k) {
        checkRange("flush", k, 0, flushes());
        return atWrite(writesBeforeFlush[k]);
    }

    /**
     * Every write before flush {@code k} ({@code k} = 0..{@link #flushes()}), then a random subset
     * of window k's writes, applied in a random order.
     */
    public CrashState reordered(int k, Random random) {
        checkRange("flush", k, 0, flushes());
        int from = writesBeforeFlush[k];
        int to = windowEnd(k);
        List<Integer> chosen = new ArrayList<>();
        for (int i = from; i < to; i++) {
            if (random.nextBoolean()) {
                chosen.add(i);
            }
        }
        Collections.shuffle(chosen, random);
        List<Integer> order = List.copyOf(chosen);
        String window = from == to ? "an empty window" : "writes " + (from + 1) + ".." + to;
        String name = (k == 0 ? "from the start" : "after flush " + k + " of " + flushes()) + ", then "
                + (order.isEmpty() ? "none of " + window : numbers(order, 1) + " of " + window + ", in that order");
        return new CrashState(name, () -> {
            MemoryBlockDevice device = afterWrites(name, from);
            order.forEach(i -> apply(device, writes.get(i)));
            return device;
        });
    }

    /**
     * The first {@code n} − 1 writes, then write {@code n} ({@code n} = 1..{@link #writes()}) torn:
     * a random subset of its sectors new and the rest as they were. A write of two sectors or
     * more gets at least one new sector and one old; a write of one sector cannot tear, and lands.
     */
    public CrashState torn(int n, Random random) {
        checkRange("write", n, 1, writes());
        Write write = writes.get(n - 1);
        int sectors = write.data().length / SECTOR_SIZE;
        List<Integer> shuffled = IntStream.range(0, sectors).boxed().collect(Collectors.toList());
        Collections.shuffle(shuffled, random);
        int count = sectors == 1 ? 1 : 1 + random.nextInt(sectors - 1);
        List<Integer> fresh = shuffled.subList(0, count).stream().sorted().toList();
        String name = "after write " + n + " of " + writes() + " (" + blocks(write) + " torn: sectors "
                + numbers(fresh, 0) + " of " + sectors + " new)";
        return new CrashState(name, () -> {
            MemoryBlockDevice device = afterWrites(name, n - 1);
            tear(device, write, fresh);
            return device;
        });
    }

    /**
     * Every crash point of the run: each write prefix (a flush is one of them, and its name says
     * so), {@code reorderingsPerWindow} reorderings of each window of two writes or more (a
     * smaller window has no state that the prefixes lack), and one torn version of every write.
     */
    public List<CrashState> allCrashPoints(Random random, int reorderingsPerWindow) {
        if (reorderingsPerWindow < 0) {
            throw new IllegalArgumentException("reorderings per window must not be negative, not " + reorderingsPerWindow);
        }
        List<CrashState> states = new ArrayList<>();
        for (int n = 0; n <= writes(); n++) {
            states.add(atWrite(n));
        }
        for (int k = 0; k <= flushes(); k++) {
            if (windowEnd(k) - writesBeforeFlush[k] >= 2) {
                for (int i = 0; i < reorderingsPerWindow; i++) {
                    states.add(reordered(k, random));
                }
            }
        }
        for (int n = 1; n <= writes(); n++) {
            states.add(torn(n, random));
        }
        return List.copyOf(states);
    }

    private int windowEnd(int k) {
        return k < flushes() ? writesBeforeFlush[k + 1] : writes();
    }

    private MemoryBlockDevice afterWrites(String stateName, int n) {
        MemoryBlockDevice device = initialImage.copy(deviceName + " " + stateName);
        writes.subList(0, n).forEach(write -> apply(device, write));
        return device;
    }

    private static void apply(MemoryBlockDevice device, Write write) {
        device.write(write.firstBlock(), ByteBuffer.wrap(write.data()));
    }

    /** Puts {@code freshSectors} of {@code write} on the device and leaves its other sectors as they are. */
    private static void tear(MemoryBlockDevice device, Write write, List<Integer> freshSectors) {
        byte[] mixed = new byte[write.data().length];
        device.read(write.firstBlock(), ByteBuffer.wrap(mixed));
        for (int sector : freshSectors) {
            System.arraycopy(write.data(), sector * SECTOR_SIZE, mixed, sector * SECTOR_SIZE, SECTOR_SIZE);
        }
        device.write(write.firstBlock(), ByteBuffer.wrap(mixed));
    }

    /** " and flush 3 of 7" (or " and flushes 3,4 of 7") for the flushes issued after write {@code n}. */
    private String flushesAt(int n) {
        List<Integer> at = IntStream.rangeClosed(1, flushes()).filter(k -> writesBeforeFlush[k] == n).boxed().toList();
        if (at.isEmpty()) {
            return "";
        }
        return " and flush" + (at.size() == 1 ? " " : "es ") + numbers(at, 0) + " of " + flushes();
    }

    private String blocks(Write write) {
        int count = write.blocks(initialImage.blockSize());
        long first = write.firstBlock();
        return count == 1 ? "block " + first : "blocks " + first + ".." + (first + count - 1);
    }

    private static String numbers(List<Integer> values, int offset) {
        return values.stream().map(v -> String.valueOf(v + offset)).collect(Collectors.joining(","));
    }

    private static void checkRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is outside the run's " + min + ".." + max);
        }
    }
}
