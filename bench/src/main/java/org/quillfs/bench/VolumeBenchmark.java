package org.quillfs.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.StripedVolume;

/**
 * Sequential bandwidth of a striped volume against one member, when each member is a disk
 * ({@link LatencyDevice}: every I/O takes {@code latencyMicros}, 1 ms, plus its transfer at
 * {@code mibPerSecond}, 128 MiB/s) and members serve in parallel. One thread reads or writes
 * {@code requestKib} at a time at consecutive offsets (wrapping at the end); {@code members} 1
 * is the member device itself, more is a {@link StripedVolume} of that many, with stripe units of
 * {@code stripeUnitKib}. Bandwidth is operations per second times the request size.
 *
 * <p>A latency alone, the same for every I/O whatever its size, would show no gain: one
 * member's single I/O would move the whole request in the time each member's share takes. It is
 * the transfer, which each member does for its share only, that striping divides.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VolumeBenchmark {

    private static final int BLOCK = 4096;
    /** The bytes the benchmark cycles through: enough for many requests, little enough for the heap. */
    private static final long SPAN = 64L << 20;

    @Param({"1", "2", "4"})
    public int members;

    @Param({"1024", "4096"})
    public int requestKib;

    @Param({"64"})
    public int stripeUnitKib;

    @Param({"1000"})
    public long latencyMicros;

    @Param({"128"})
    public long mibPerSecond;

    private BlockDevice device;
    private ByteBuffer request;
    private long next;

    @Setup
    public void makeDevice() {
        long memberBlocks = SPAN / BLOCK / members;
        if (members == 1) {
            device = new LatencyDevice("member", BLOCK, memberBlocks, latencyMicros, mibPerSecond);
        } else {
            List<BlockDevice> devices = new ArrayList<>();
            for (int m = 0; m < members; m++) {
                devices.add(new LatencyDevice("member" + m, BLOCK, memberBlocks, latencyMicros, mibPerSecond));
            }
            device = new StripedVolume("stripe", devices, stripeUnitKib * 1024 / BLOCK);
        }
        byte[] data = new byte[requestKib * 1024];
        new Random(1).nextBytes(data);
        request = ByteBuffer.wrap(data);
    }

    @TearDown
    public void close() {
        device.close();
    }

    @Benchmark
    public void sequentialWrite() {
        device.write(nextBlock(), request.clear());
    }

    @Benchmark
    public void sequentialRead() {
        device.read(nextBlock(), request.clear());
    }

    private long nextBlock() {
        long blocks = request.capacity() / BLOCK;
        if (next + blocks > device.blockCount()) {
            next = 0;
        }
        long block = next;
        next += blocks;
        return block;
    }
}
