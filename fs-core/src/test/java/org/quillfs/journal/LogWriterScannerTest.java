package org.quillfs.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.quillfs.journal.LogRecord.Commit;
import org.quillfs.journal.LogRecord.Update;
import org.quillfs.journal.LogScanner.Logged;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.DeviceEvent;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

class LogWriterScannerTest {

    static final UUID UUID_1 = UUID.fromString("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0");
    static final int BLOCK = 1024;

    final MemoryBlockDevice device = new MemoryBlockDevice("log", BLOCK, 200);
    final LogRegion region = new LogRegion(UUID_1, BLOCK, 100, 64, 0x5EEDL);

    LogWriter writer(long next, long tail, long epoch) {
        return new LogWriter(device, region, next, tail, epoch, () -> { });
    }

    static Update update(Random random, long txn, int n) {
        byte[] before = new byte[n];
        byte[] after = new byte[n];
        random.nextBytes(before);
        random.nextBytes(after);
        return new Update(txn, random.nextLong() >>> 1, random.nextInt(1000), random.nextInt(900), before, after);
    }

    static List<Logged> scan(MemoryBlockDevice device, LogRegion region, long from) {
        LogScanner scanner = new LogScanner(device, region, from);
        List<Logged> out = new ArrayList<>();
        for (Optional<Logged> r = scanner.next(); r.isPresent(); r = scanner.next()) {
            out.add(r.get());
        }
        return out;
    }

    @Test
    void recordsComeBackWithTheirLsnsAcrossBlocksAndFlushes() {
        LogWriter log = writer(region.lsnOf(1), region.lsnOf(1), 1);
        Random random = new Random(1);
        List<Logged> written = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            LogRecord r = i % 5 == 4 ? new Commit(i, 7) : update(random, i, 1 + random.nextInt(700));
            written.add(new Logged(log.append(r), r));
            if (i % 7 == 0) {
                log.force(written.get(i).lsn());
            }
        }
        log.forceAll();

        assertThat(scan(device, region, region.lsnOf(1))).containsExactlyElementsOf(written);
    }

    @Test
    void theRunsOfOneChangeComeBackAsUpdatesEachChainedToTheOneBefore() {
        LogWriter log = writer(region.lsnOf(1), region.lsnOf(1), 1);
        Random random = new Random(2);
        byte[] after = new byte[300];
        random.nextBytes(after);
        byte[] before = new byte[2 + 7 + 40]; // the three runs' before images, one after another
        random.nextBytes(before);
        int[] runs = {0, 2, 50, 57, 260, 300};
        long[] lsns = new long[3];
        long first = log.append(new Commit(9, 0));

        log.appendUpdates(5, first, 42, 100, runs, before, 0, after, 0, lsns);
        log.forceAll();

        List<Logged> scanned = scan(device, region, region.lsnOf(1));
        assertThat(scanned).extracting(Logged::lsn).containsExactly(first, lsns[0], lsns[1], lsns[2]);
        assertThat(scanned.subList(1, 4)).extracting(Logged::record).containsExactly(
                new Update(5, first, 42, 100, Arrays.copyOfRange(before, 0, 2), Arrays.copyOfRange(after, 0, 2)),
                new Update(5, lsns[0], 42, 150, Arrays.copyOfRange(before, 2, 9), Arrays.copyOfRange(after, 50, 57)),
                new Update(5, lsns[1], 42, 360, Arrays.copyOfRange(before, 9, 49), Arrays.copyOfRange(after, 260, 300)));
    }

    @Test
    void unforcedRecordsAreNotOnTheDevice() {
        LogWriter log = writer(region.lsnOf(1), region.lsnOf(1), 1);
        long durable = log.append(new Commit(1, 0));
        log.force(durable);
        log.append(new Commit(2, 0));

        assertThat(scan(device, region, region.lsnOf(1))).extracting(Logged::record).containsExactly(new Commit(1, 0));
    }

    @Test
    void theLogWrapsAroundTheRegionAndAStaleLapEndsIt() {
        long start = region.lsnOf(1);
        LogWriter log = writer(start, start, 1);
        Random random = new Random(2);
        List<Logged> lastLap = new ArrayList<>();
        long tail = start;
        for (int i = 0; i < 400; i++) {
            LogRecord r = update(random, i, 300);
            long lsn = log.append(r);
            log.force(lsn);
            lastLap.add(new Logged(lsn, r));
            if (lastLap.size() > 20) { // keep the tail 20 records behind: the region laps several times
                lastLap.remove(0);
                tail = lastLap.get(0).lsn();
                log.moveTail(tail);
            }
        }
        assertThat(region.sequenceOf(log.appendedLsn())).isGreaterThan(3 * region.blocks());
        assertThat(scan(device, region, tail)).containsExactlyElementsOf(lastLap);
    }

    @Test
    void aTornLastBlockEndsTheLogAtTheRecordItCuts() {
        long start = region.lsnOf(1);
        LogWriter log = writer(start, start, 1);
        long first = log.append(new Commit(1, 0));
        log.force(first);
        long spanning = log.append(update(new Random(3), 2, 900)); // crosses into a second block
        log.force(spanning);
        long secondBlock = region.physicalBlock(region.sequenceOf(spanning) + 1);
        ByteBuffer torn = ByteBuffer.allocate(BLOCK);
        device.read(secondBlock, torn);
        torn.put(600, (byte) (torn.get(600) ^ 1));
        device.write(secondBlock, torn.flip());

        LogScanner scanner = new LogScanner(device, region, start);
        assertThat(scanner.next()).map(Logged::lsn).hasValue(first);
        assertThat(scanner.next()).isEmpty();
        assertThat(scanner.endLsn()).isEqualTo(spanning);
    }

    @Test
    void blocksLeftByAnInterruptedFlushOfAnEarlierEpochEndTheLog() {
        long start = region.lsnOf(1);
        LogWriter before = writer(start, start, 1);
        for (int i = 0; i < 3; i++) {
            before.force(before.append(new Commit(i, 0)));
        }
        // Recovery ended the log after the first block; the next mount writes from there.
        LogWriter after = writer(region.lsnOf(2), start, 2);
        after.force(after.append(new Commit(99, 0)));

        assertThat(scan(device, region, start)).extracting(Logged::record)
                .containsExactly(new Commit(0, 0), new Commit(99, 0));
    }

    @Test
    void groupCommitSharesFlushesBetweenThreads() throws Exception {
        MemoryBlockDevice big = new MemoryBlockDevice("log", BLOCK, 100_000);
        LogRegion wide = new LogRegion(UUID_1, BLOCK, 0, 100_000, 1);
        // A flush takes time on a disk; on a memory device it takes none, and whether threads
        // then meet in a flush is up to the scheduler (on a busy machine, often not at all).
        BlockDevice slowFlush = new BlockDevice() {
            @Override public int blockSize() { return big.blockSize(); }
            @Override public long blockCount() { return big.blockCount(); }
            @Override public String name() { return "slow flush"; }
            @Override public void read(long first, ByteBuffer... dsts) { big.read(first, dsts); }
            @Override public void write(long first, ByteBuffer... srcs) { big.write(first, srcs); }
            @Override public void flush() {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                big.flush();
            }
            @Override public void close() { }
        };
        LogWriter log = new LogWriter(slowFlush, wide, wide.lsnOf(1), wide.lsnOf(1), 1, () -> { });
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 500; i++) {
                    log.force(log.append(new Commit(thread * 1000L + i, 0)));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(scan(big, wide, wide.lsnOf(1))).hasSize(4000);
        assertThat(log.flushes()).isLessThan(4000);
    }

    @Test
    void announcedDataWritesAreFlushedBeforeTheNextLogWrite() {
        long start = region.lsnOf(1);
        RecordingBlockDevice recording = new RecordingBlockDevice(device);
        LogWriter log = new LogWriter(recording, region, start, start, 1, () -> { });
        log.force(log.append(new Commit(1, 0)));
        assertThat(recording.events()).as("no data: write the log, flush").extracting(e -> kind(e, region))
                .containsExactly("log", "flush");

        recording.write(180, ByteBuffer.allocate(BLOCK)); // file data, outside the log region
        log.dataWritten();
        log.force(log.append(new Commit(2, 0)));
        assertThat(recording.events().subList(2, recording.events().size())).as("data, flush, log, flush")
                .extracting(e -> kind(e, region)).containsExactly("data", "flush", "log", "flush");

        log.force(log.append(new Commit(3, 0)));
        assertThat(recording.flushes()).as("nothing announced since: no extra flush").isEqualTo(4);
        log.flushDevice();
        assertThat(recording.flushes()).as("flushDevice always flushes").isEqualTo(5);
    }

    @Test
    void pastAnEighthOfTheLogPendingWholeBlocksAreWrittenBehindWithoutAFlush() {
        long start = region.lsnOf(1);
        RecordingBlockDevice recording = new RecordingBlockDevice(device);
        LogWriter log = new LogWriter(recording, region, start, start, 1, () -> { });
        Random random = new Random(3);
        List<Logged> appended = new ArrayList<>();
        while (recording.writes() == 0) {
            LogRecord r = update(random, appended.size(), 1 + random.nextInt(300));
            appended.add(new Logged(log.append(r), r));
        }
        long pendingBytes = log.appendedLsn() - start;
        assertThat(pendingBytes).as("written behind at an eighth of the log").isGreaterThanOrEqualTo(region.capacity() / 8);
        assertThat(recording.flushes()).as("write-behind does not flush").isZero();
        assertThat(log.durableLsn()).isEqualTo(start);
        List<Logged> onDevice = scan(device, region, start);
        assertThat(onDevice).as("the records that whole blocks hold, and no more").isNotEmpty()
                .isEqualTo(appended.subList(0, onDevice.size()));

        log.forceAll();

        assertThat(scan(device, region, start)).as("the rest continues where the written blocks end")
                .containsExactlyElementsOf(appended);
        assertThat(recording.flushes()).isEqualTo(1);
    }

    @Test
    void withAnExecutorWriteBehindLeavesTheAppendingThreadUnlessItFallsFourTimesBehind() {
        long start = region.lsnOf(1);
        RecordingBlockDevice recording = new RecordingBlockDevice(device);
        LogWriter log = new LogWriter(recording, region, start, start, 1, () -> { });
        List<Runnable> queued = new ArrayList<>();
        log.writeBehindOn(queued::add);
        Random random = new Random(4);
        List<Logged> appended = new ArrayList<>();
        while (queued.isEmpty()) {
            LogRecord r = update(random, appended.size(), 1 + random.nextInt(300));
            appended.add(new Logged(log.append(r), r));
        }
        for (int i = 0; i < 20; i++) {
            LogRecord r = update(random, appended.size(), 1 + random.nextInt(300));
            appended.add(new Logged(log.append(r), r));
        }
        assertThat(recording.writes()).as("the appends wrote nothing themselves").isZero();
        assertThat(queued).as("one task, however many appends found the mark passed").hasSize(1);

        queued.get(0).run();
        assertThat(recording.writes()).as("the task writes the whole blocks").isPositive();
        assertThat(recording.flushes()).as("without a flush").isZero();
        List<Logged> onDevice = scan(device, region, start);
        assertThat(onDevice).isNotEmpty().isEqualTo(appended.subList(0, onDevice.size()));

        int writesBefore = recording.writes();
        long afterTask = log.appendedLsn();
        log.writeBehindOn(task -> { }); // a background thread that never gets to it
        while (recording.writes() == writesBefore) {
            LogRecord r = update(random, appended.size(), 1 + random.nextInt(300));
            appended.add(new Logged(log.append(r), r));
        }
        long mark = region.capacity() / 8;
        assertThat(log.appendedLsn() - afterTask).as("the appending thread writes once four times the mark is pending")
                .isGreaterThan(3 * mark);
        log.forceAll();
        assertThat(scan(device, region, start)).containsExactlyElementsOf(appended);
    }

    @Test
    void overwrittenDataIsNotOrderedBeforeTheLogButTheForceMakesItDurable() {
        long start = region.lsnOf(1);
        RecordingBlockDevice recording = new RecordingBlockDevice(device);
        LogWriter log = new LogWriter(recording, region, start, start, 1, () -> { });

        recording.write(180, ByteBuffer.allocate(BLOCK)); // an overwrite of file data
        log.dataOverwritten();
        log.force(log.append(new Commit(1, 0)));
        log.flushDataIfAnnounced();
        assertThat(recording.events()).as("data, log, one flush that covers both")
                .extracting(e -> kind(e, region)).containsExactly("data", "log", "flush");

        recording.write(181, ByteBuffer.allocate(BLOCK)); // an overwrite that changed no metadata
        log.dataOverwritten();
        log.force(log.appendedLsn());
        log.flushDataIfAnnounced();
        assertThat(recording.events().subList(3, recording.events().size())).as("no log to write: a flush of its own")
                .extracting(e -> kind(e, region)).containsExactly("data", "flush");

        recording.write(182, ByteBuffer.allocate(BLOCK)); // new blocks, then an overwrite
        log.dataWritten();
        recording.write(183, ByteBuffer.allocate(BLOCK));
        log.dataOverwritten();
        log.force(log.append(new Commit(2, 0)));
        log.flushDataIfAnnounced();
        assertThat(recording.events().subList(5, recording.events().size())).as("new data is ordered again")
                .extracting(e -> kind(e, region)).containsExactly("data", "data", "flush", "log", "flush");
    }

    static String kind(DeviceEvent event, LogRegion region) {
        if (event instanceof DeviceEvent.Write w) {
            return w.firstBlock() >= region.start() && w.firstBlock() < region.start() + region.blocks() ? "log" : "data";
        }
        return "flush";
    }

    @Test
    void reservationsWaitForTheTailToMove() throws Exception {
        long start = region.lsnOf(1);
        List<String> asked = new ArrayList<>();
        LogWriter log = new LogWriter(device, region, start, start, 1, () -> asked.add("checkpoint"));
        long quarter = region.capacity() / 4;
        // Three quarters reserved, and the padding and checkpoint reserves kept back: a fourth does not fit.
        log.reserve(quarter);
        log.reserve(quarter);
        log.reserve(quarter);
        Thread waiter = new Thread(() -> log.reserve(quarter));
        waiter.start();
        waiter.join(200);
        assertThat(waiter.isAlive()).as("a reservation beyond the free space waits").isTrue();
        assertThat(asked).containsExactly("checkpoint");
        log.release(quarter);
        waiter.join(5000);
        assertThat(waiter.isAlive()).isFalse();
        assertThatThrownBy(() -> log.reserve(region.capacity())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void appendingOverTheTailFailsLoudly() {
        long start = region.lsnOf(1);
        LogWriter log = writer(start, start, 1);
        Random random = new Random(4);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) {
                log.force(log.append(update(random, i, 400)));
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("log overrun");
    }

    @Test
    void aFailedLogWriteAbortsTheJournalAndNothingLostIsEverReportedDurable() {
        long start = region.lsnOf(1);
        boolean[] failing = {false};
        org.quillfs.volume.BlockDevice flaky = new org.quillfs.volume.BlockDevice() {
            @Override public int blockSize() { return device.blockSize(); }
            @Override public long blockCount() { return device.blockCount(); }
            @Override public String name() { return "flaky"; }
            @Override public void read(long first, ByteBuffer... dsts) { device.read(first, dsts); }
            @Override public void write(long first, ByteBuffer... srcs) {
                if (failing[0]) {
                    throw new org.quillfs.volume.VolumeIOException("flaky", first, "write failed",
                            new java.io.IOException("Input/output error"));
                }
                device.write(first, srcs);
            }
            @Override public void flush() { device.flush(); }
            @Override public void close() { }
        };
        LogWriter log = new LogWriter(flaky, region, start, start, 1, () -> { });
        long durable = log.append(new Commit(1, 0));
        log.force(durable);
        failing[0] = true;
        long lost = log.append(new Commit(2, 0));
        assertThatThrownBy(() -> log.force(lost)).isInstanceOf(JournalAbortedException.class)
                .hasCauseInstanceOf(org.quillfs.volume.VolumeIOException.class);
        assertThat(log.aborted()).isTrue();
        failing[0] = false;

        assertThatThrownBy(() -> log.force(lost)).isInstanceOf(JournalAbortedException.class)
                .hasMessageContaining("Input/output error");
        assertThatThrownBy(() -> log.append(new Commit(3, 0))).isInstanceOf(JournalAbortedException.class);
        assertThat(scan(device, region, start)).extracting(Logged::record).containsExactly(new Commit(1, 0));
    }
}
