package org.quillfs.bench;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;

/**
 * The cost of the checksum every metadata block pays on each write (seal) and read (verify),
 * by block size. The CRC32C runs on the hardware instruction where the CPU has one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChecksumBenchmark {

    @Param({"1024", "4096", "65536"})
    public int blockSize;

    private final UUID uuid = UUID.randomUUID();
    private ByteBuffer block;

    @Setup
    public void sealedBlock() {
        byte[] bytes = new byte[blockSize];
        new Random(1).nextBytes(bytes);
        block = ByteBuffer.wrap(bytes);
        BlockHeader.init(block, BlockType.INODE_TABLE, 1234);
        BlockHeader.seal(block, uuid);
    }

    @Benchmark
    public ByteBuffer seal() {
        BlockHeader.seal(block, uuid);
        return block;
    }

    @Benchmark
    public Optional<String> verify() {
        return BlockHeader.problem(block, uuid, BlockType.INODE_TABLE, 1234);
    }
}
