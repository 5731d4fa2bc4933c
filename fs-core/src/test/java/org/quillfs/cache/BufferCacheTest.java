package org.quillfs.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.quillfs.format.BlockHeader;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.MemoryBlockDevice;

class BufferCacheTest {

    static final UUID UUID_1 = UUID.fromString("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
    static final int BLOCK = 1024;

    /** A log that hands out LSNs and records, in order with the device's writes, what was forced. */
    final List<String> events = new ArrayList<>();
    long nextLsn = 100;

    final WriteAheadLog log = new WriteAheadLog() {
        @Override
        public void force(long lsn) {
            events.add("force " + lsn);
        }

        @Override
        public long appendedLsn() {
            return nextLsn;
        }

        @Override
        public void dataWritten() {
            events.add("data written");
        }
    };

    final MemoryBlockDevice memory = new MemoryBlockDevice("m", BLOCK, 1000);
    Consumer<Long> duringWrite = block -> { };
    final BlockDevice device = new BlockDevice() {
        @Override
        public int blockSize() {
            return BLOCK;
        }

        @Override
        public long blockCount() {
            return memory.blockCount();
        }

        @Override
        public String name() {
            return "watched";
        }

        @Override
        public void read(long firstBlock, ByteBuffer... dsts) {
            memory.read(firstBlock, dsts);
        }

        @Override
        public void write(long firstBlock, ByteBuffer... srcs) {
            events.add("write " + firstBlock);
            duringWrite.accept(firstBlock);
            memory.write(firstBlock, srcs);
        }

        @Override
        public void flush() {
            events.add("flush");
        }

        @Override
        public void close() {
        }
    };

    long change(CachedBlock block, int offset, int value) {
        long lsn = nextLsn++;
        block.apply(offset, new byte[] {(byte) value}, lsn);
        return lsn;
    }

    @Test
    void differencesAreTheChangedRunsWithRunsCloserThanTheGapJoined() {
        BufferCache cache = new BufferCache(device, UUID_1, log, 64 * BLOCK);
        Random random = new Random(11);
        try (CachedBlock block = cache.pin(7)) {
            byte[] current = block.copy(0, BLOCK);
            for (int round = 0; round < 2000; round++) {
                int offset = random.nextInt(64);
                int length = 1 + random.nextInt(BLOCK - offset);
                int gap = 1 + random.nextInt(40);
                byte[] after = Arrays.copyOfRange(current, offset, offset + length);
                for (int n = random.nextInt(6); n > 0; n--) {
                    int at = random.nextInt(length);
                    for (int i = at; i < Math.min(length, at + 1 + random.nextInt(8)); i++) {
                        after[i] ^= (byte) (1 + random.nextInt(255));
                    }
                }

                int from = random.nextInt(16); // the changed bytes may sit anywhere in the caller's array
                byte[] source = new byte[from + length];
                System.arraycopy(after, 0, source, from, length);

                int[] runs = block.differences(offset, source, from, length, gap);

                boolean[] inRun = new boolean[length];
                for (int r = 0; r < runs.length; r += 2) {
                    assertThat(after[runs[r]]).as("a run starts with a change").isNotEqualTo(current[offset + runs[r]]);
                    assertThat(after[runs[r + 1] - 1]).as("a run ends with a change")
                            .isNotEqualTo(current[offset + runs[r + 1] - 1]);
                    if (r > 0) {
                        assertThat(runs[r] - runs[r - 1]).as("runs closer than the gap are one").isGreaterThanOrEqualTo(gap);
                    }
                    Arrays.fill(inRun, runs[r], runs[r + 1], true);
                }
                for (int i = 0; i < length; i++) {
                    if (!inRun[i]) {
                        assertThat(after[i]).as("byte %d outside every run is unchanged", i).isEqualTo(current[offset + i]);
                    }
                }
            }
        }
    }

    @Test
    void aDirtyBlockGoesHomeOnlyAfterTheLogIsForcedToItsPageLsnAndIsCleanAfterTheFlush() {
        BufferCache cache = new BufferCache(device, UUID_1, log, 64 * BLOCK);
        CachedBlock block = cache.pin(5);
        long first = change(block, 40, 1);
        long last = change(block, 41, 2);
        assertThat(block.recLsn()).isEqualTo(first);
        assertThat(block.pageLsn()).isEqualTo(last);

        cache.writeBack(List.of(block));

        assertThat(events).containsExactly("force " + last, "write 5", "flush");
        assertThat(block.isDirty()).isFalse();
        ByteBuffer home = ByteBuffer.allocate(BLOCK);
        memory.read(5, home);
        assertThat(home.get(41)).isEqualTo((byte) 2);
        assertThat(BlockHeader.lsn(home)).isEqualTo(last);
        assertThat(BlockHeader.computeCrc(home, UUID_1)).isEqualTo(BlockHeader.storedCrc(home));
        block.close();
    }

    @Test
    void blocksNextToEachOtherGoHomeInOneWriteEachSealedWhereItBelongs() {
        BufferCache cache = new BufferCache(device, UUID_1, log, 64 * BLOCK);
        long[] blockNrs = {12, 9, 10, 20, 11};
        List<CachedBlock> dirty = new ArrayList<>();
        for (long blockNr : blockNrs) {
            CachedBlock block = cache.pin(blockNr);
            change(block, 100, (int) blockNr);
            dirty.add(block);
        }

        cache.writeBack(dirty);

        assertThat(events).containsExactly("force " + (nextLsn - 1), "write 9", "write 20", "flush");
        for (CachedBlock block : dirty) {
            assertThat(block.isDirty()).isFalse();
            ByteBuffer home = ByteBuffer.allocate(BLOCK);
            memory.read(block.blockNr(), home);
            assertThat(home.get(100)).as("block %d", block.blockNr()).isEqualTo((byte) block.blockNr());
            assertThat(BlockHeader.lsn(home)).isEqualTo(block.pageLsn());
            assertThat(BlockHeader.storedCrc(home)).isEqualTo(BlockHeader.computeCrc(home, UUID_1));
            assertThat(block.copy(0, BLOCK)).as("the cached block holds what went home, checksum included")
                    .isEqualTo(home.array());
            block.close();
        }
    }

    @Test
    void aCheckpointsBlocksGoHomeInBlockOrderSoEachBatchIsOneRun() {
        BufferCache cache = new BufferCache(device, UUID_1, log, 1000 * BLOCK);
        List<Long> blockNrs = new ArrayList<>();
        for (long b = 100; b < 400; b++) {
            try (CachedBlock block = cache.pin(b)) {
                change(block, 100, (int) b);
            }
            blockNrs.add(b);
        }
        Collections.shuffle(blockNrs, new Random(5));

        cache.writeBackBlocks(blockNrs);

        // 300 blocks in batches of 256: two batches, each one run of neighbours
        assertThat(events.stream().filter(e -> e.startsWith("write"))).containsExactly("write 100", "write 356");
        assertThat(cache.dirtyTable()).isEmpty();
    }

    @Test
    void aChangeDuringWriteBackKeepsTheBlockDirtyFromThatChangeOn() {
        BufferCache cache = new BufferCache(device, UUID_1, log, 64 * BLOCK);
        CachedBlock block = cache.pin(6);
        long first = change(block, 40, 1);
        long[] during = new long[1];
        duringWrite = b -> during[0] = change(block, 50, 9);

        cache.writeBack(List.of(block));

        assertThat(block.isDirty()).as("the change made while the block was going home is not home").isTrue();
        // The disk holds the first change: only the one made meanwhile needs the log (a recLSN
        // kept at the first change held a checkpoint's tail back for good; HotBlockTailTest).
        assertThat(block.recLsn()).isGreaterThan(first).isEqualTo(during[0]);
        block.close();
    }

    @Test
    void evictionWritesDirtyBlocksHomeAndKeepsTheCacheBounded() {
        BufferCache cache = new BufferCache(device, UUID_1, log, 16 * BLOCK);
        for (int b = 0; b < 100; b++) {
            try (CachedBlock block = cache.pin(b)) {
                change(block, 100, b);
            }
        }
        assertThat(cache.dirtyTable().size()).isLessThanOrEqualTo(16);
        assertThat(cache.writes()).isGreaterThanOrEqualTo(100 - 16);
        for (int b = 0; b < 100; b++) {
            try (CachedBlock block = cache.pin(b)) {
                assertThat(block.copy(100, 1)[0]).as("block %d", b).isEqualTo((byte) b);
            }
        }
        int forced = events.indexOf(events.stream().filter(e -> e.startsWith("force")).findFirst().orElseThrow());
        int written = events.indexOf(events.stream().filter(e -> e.startsWith("write")).findFirst().orElseThrow());
        assertThat(forced).as("the log is forced before the first block goes home").isLessThan(written);
    }

    @Test
    void misuseFailsLoudly() {
        BufferCache cache = new BufferCache(device, UUID_1, log, 16 * BLOCK);
        CachedBlock block = cache.pin(7);
        assertThatThrownBy(() -> block.apply(20, new byte[] {1}, nextLsn - 1))
                .as("a change over the header's LSN and checksum").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> block.apply(40, new byte[] {1}, 0))
                .as("a change with no log record").hasMessageContaining("unlogged");
        block.close();
        assertThatThrownBy(() -> block.apply(40, new byte[] {1}, nextLsn - 1)).hasMessageContaining("not pinned");
        assertThatThrownBy(block::close).hasMessageContaining("unpinned more often than pinned");
    }

    @Test
    void concurrentPinsChangesAndEvictionsLoseNoChange() throws Exception {
        AtomicLong lsns = new AtomicLong(100);
        WriteAheadLog threadSafeLog = new WriteAheadLog() {
            @Override
            public void force(long lsn) {
            }

            @Override
            public long appendedLsn() {
                return lsns.get();
            }

            @Override
            public void dataWritten() {
            }
        };
        int threads = 4;
        int blocks = 64;
        BufferCache cache = new BufferCache(memory, UUID_1, threadSafeLog, 16 * BLOCK);
        int[] increments = new int[blocks];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int owner = t;
            runs.add(pool.submit(() -> {
                Random random = new Random(owner);
                for (int i = 0; i < 20_000; i++) {
                    // a block of its own to change (no page locks here), any block to read
                    int mine = owner + threads * random.nextInt(blocks / threads);
                    try (CachedBlock block = cache.pin(mine)) {
                        int count = ByteBuffer.wrap(block.copy(100, 4)).getInt();
                        block.apply(100, ByteBuffer.allocate(4).putInt(count + 1).array(), lsns.getAndIncrement());
                        increments[mine]++;
                    }
                    try (CachedBlock any = cache.pin(random.nextInt(blocks))) {
                        any.copy(100, 4);
                    }
                }
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        cache.writeBackAll();
        for (int b = 0; b < blocks; b++) {
            ByteBuffer home = ByteBuffer.allocate(BLOCK);
            memory.read(b, home);
            assertThat(home.getInt(100)).as("block %d", b).isEqualTo(increments[b]);
        }
        assertThat(cache.writes()).as("the cache evicted as it went").isGreaterThan(blocks);
    }
}
