package org.quillfs.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * Crashes a journaled workload at every write, at every flush with the writes of the next
 * window reordered, and with every write torn, and checks that recovery gives "committed
 * transactions rolled forward, the others rolled back":
 *
 * <ul>
 *   <li>every transaction is all there or not at all;
 *   <li>every transaction whose commit was forced before the crash's last completed flush is there;
 *   <li>aborted and unfinished transactions are not;
 *   <li>recovering two copies of a crash gives identical bytes, and recovering again changes nothing;
 *   <li>a crash during recovery is recovered in turn.
 * </ul>
 *
 * The workload: small transactions write distinct 16-byte slots of a few shared blocks (so
 * blocks are changed by many transactions, and each slot tells which transaction it belongs
 * to), each then forced, committed or aborted; a tiny log makes checkpoints run and the log wrap
 * many times. At the end a large transaction is aborted and another left open, each over more
 * blocks than the tiny cache holds, so their uncommitted blocks go home early (steal).
 */
class RecoveryCrashTest {

    static final int BLOCK = 1024;
    static final int SLOT = 16;
    /** Blocks shared by the small transactions. */
    static final int BLOCKS = 16;
    /** Blocks of the two large transactions at the end: more than the cache holds, so they are stolen. */
    static final int LARGE_BLOCKS = 24;
    static final int CACHE_BLOCKS = 16;
    static final int SLOTS_PER_BLOCK = (BLOCK - 64) / SLOT;
    static final UUID UUID_1 = UUID.fromString("3c2b1a09-8f7e-4d6c-9b5a-493827160504");

    enum Fate { FORCED, COMMITTED, ABORTED, OPEN }

    /** A transaction of the workload: its slots, values, and what became of it. */
    record Txn(int id, List<Integer> slots, byte[][] values, Fate fate, int flushesWhenDurable) {
    }

    final MemoryBlockDevice base = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
    final Superblock superblock = Formatter.format(base, new FormatOptions(BLOCK, base.blockCount(), 64, 0,
            Limits.DEFAULT_BYTES_PER_INODE, "crash", UUID_1, 0, 0, Instant.parse("2026-11-23T00:00:00Z"), new Random(5)));
    final long firstBlock = superblock.geometry().firstDataBlock(0) + 8;

    @Test
    void everyCrashPointRecoversToCommittedRolledForwardOthersRolledBack() {
        RecordingBlockDevice recording = new RecordingBlockDevice(base);
        List<Txn> txns = runWorkload(recording, new Random(11), 400);
        CrashStates states = new CrashStates(recording);
        assertThat(states.flushes()).as("the workload flushes often").isGreaterThan(100);

        Random random = new Random(12);
        int checked = 0;
        for (int n = 0; n <= states.writes(); n++) {
            checkRecovery(states.atWrite(n), txns, durableFlushes(states, n), n % 7 == 0);
            if (n >= 1) {
                checkRecovery(states.torn(n, random), txns, durableFlushes(states, n - 1), false);
            }
            checked += 2;
        }
        for (int k = 0; k <= states.flushes(); k++) {
            for (int r = 0; r < 3; r++) {
                checkRecovery(states.reordered(k, random), txns, k, false);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(1000);
    }

    @Test
    void aCrashDuringRecoveryIsRecoveredInTurn() {
        RecordingBlockDevice recording = new RecordingBlockDevice(base);
        List<Txn> txns = runWorkload(recording, new Random(21), 300);
        CrashStates states = new CrashStates(recording);
        Random random = new Random(22);
        int recoveriesCrashed = 0;
        for (int n = states.writes() / 3; n <= states.writes(); n += 13) {
            CrashState crash = states.reordered(durableFlushes(states, n), random);
            int durable = durableFlushes(states, n);
            RecordingBlockDevice recovering = new RecordingBlockDevice(crash.device());
            Recovery.run(recovering, superblockOn(recovering));
            CrashStates duringRecovery = new CrashStates(recovering);
            for (int w = 0; w <= duringRecovery.writes(); w++) {
                checkRecovery(duringRecovery.atWrite(w), txns, durable, false);
                recoveriesCrashed++;
            }
        }
        assertThat(recoveriesCrashed).isGreaterThan(50);
    }

    /** Runs {@code count} transactions on {@code device}; the run "crashes": nothing is closed. */
    List<Txn> runWorkload(RecordingBlockDevice device, Random random, int count) {
        MetadataStore store = MetadataStore.open(device, superblock,
                new MetadataStore.Options(CACHE_BLOCKS * BLOCK, Duration.ofHours(1), Duration.ofHours(1)));
        initialiseBlockHeaders(store);
        List<Integer> freeSlots = new ArrayList<>();
        for (int s = 0; s < BLOCKS * SLOTS_PER_BLOCK; s++) {
            freeSlots.add(s);
        }
        java.util.Collections.shuffle(freeSlots, random);
        List<Txn> txns = new ArrayList<>();
        Fate[] smallFates = {Fate.FORCED, Fate.FORCED, Fate.FORCED, Fate.COMMITTED, Fate.ABORTED};
        for (int id = 1; id <= count && freeSlots.size() >= 4; id++) {
            int n = 1 + random.nextInt(4);
            List<Integer> slots = new ArrayList<>(freeSlots.subList(0, n));
            freeSlots.subList(0, n).clear();
            txns.add(run(store, device, random, id, slots, smallFates[random.nextInt(smallFates.length)]));
        }
        int largeFirst = BLOCKS * SLOTS_PER_BLOCK;
        txns.add(run(store, device, random, count + 1, largeSlots(largeFirst, 0), Fate.ABORTED));
        txns.add(run(store, device, random, count + 2, largeSlots(largeFirst, 1), Fate.OPEN));
        LogRegion region = store.log().region();
        assertThat(region.sequenceOf(store.log().appendedLsn())).as("the log wrapped").isGreaterThan(2 * region.blocks());
        assertThat(store.checkpointer().completed()).as("checkpoints ran").isGreaterThan(2);
        assertThat(store.cache().writes()).as("blocks went home before the crash").isGreaterThan(LARGE_BLOCKS);
        return txns;
    }

    /** One slot in each large block, the {@code which}-th. */
    static List<Integer> largeSlots(int first, int which) {
        List<Integer> slots = new ArrayList<>();
        for (int b = 0; b < LARGE_BLOCKS; b++) {
            slots.add(first + b * SLOTS_PER_BLOCK + which);
        }
        return slots;
    }

    Txn run(MetadataStore store, RecordingBlockDevice device, Random random, int id, List<Integer> slots, Fate fate) {
        int n = slots.size();
        byte[][] values = new byte[n][];
        Transaction txn = store.transactions().begin(2L * n * LogRecordCodec.updateSize(SLOT));
        for (int i = 0; i < n; i++) {
            values[i] = value(id, i);
            if (random.nextInt(4) == 0) { // overwritten within the transaction: the last write counts
                txn.update(blockOf(slots.get(i)), offsetOf(slots.get(i)), value(id + 5000, i));
            }
            txn.update(blockOf(slots.get(i)), offsetOf(slots.get(i)), values[i]);
            if (random.nextInt(20) == 0 || (n > 4 && i == n / 2)) {
                // A checkpoint in the middle of a transaction: the tail must not pass its first record.
                store.checkpointer().checkpoint();
            }
        }
        int flushes = Integer.MAX_VALUE;
        switch (fate) {
            case FORCED -> {
                store.transactions().force(txn.commit());
                flushes = device.flushes();
            }
            case COMMITTED -> txn.commit();
            case ABORTED -> txn.abort();
            case OPEN -> { } // the crash comes first
        }
        return new Txn(id, slots, values, fate, flushes);
    }

    /** Makes the test blocks sound metadata blocks once home, so recovery can trust their page LSN. */
    void initialiseBlockHeaders(MetadataStore store) {
        Transaction txn = store.transactions().begin((BLOCKS + LARGE_BLOCKS) * LogRecordCodec.updateSize(16));
        for (int b = 0; b < BLOCKS + LARGE_BLOCKS; b++) {
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(BlockHeader.MAGIC).putShort((short) BlockType.DIR_LEAF.code()).putShort((short) 1)
                    .putLong(firstBlock + b);
            txn.update(firstBlock + b, 0, header.array());
        }
        store.transactions().force(txn.commit());
    }

    void checkRecovery(CrashState crash, List<Txn> txns, int durableFlushes, boolean checkDeterminism) {
        MemoryBlockDevice device = crash.device();
        Recovery.run(device, superblockOn(device));
        for (Txn txn : txns) {
            int present = 0;
            for (int i = 0; i < txn.slots().size(); i++) {
                byte[] found = read(device, txn.slots().get(i));
                if (Arrays.equals(found, txn.values()[i])) {
                    present++;
                } else {
                    assertThat(found).as("%s: slot %d of transaction %d (%s) holds neither its value nor zeros",
                            crash, txn.slots().get(i), txn.id(), txn.fate()).containsOnly(0);
                }
            }
            String what = crash + ": transaction " + txn.id() + " (" + txn.fate() + ")";
            assertThat(present == 0 || present == txn.slots().size()).as(what + " is half there").isTrue();
            if (txn.fate() == Fate.FORCED && txn.flushesWhenDurable() <= durableFlushes) {
                assertThat(present).as(what + " was durable but is lost").isEqualTo(txn.slots().size());
            }
            if (txn.fate() == Fate.ABORTED || txn.fate() == Fate.OPEN) {
                assertThat(present).as(what + " should have been rolled back").isZero();
            }
        }
        if (checkDeterminism) {
            MemoryBlockDevice again = crash.device();
            Recovery.run(again, superblockOn(again));
            assertThat(contents(again)).as(crash + ": two recoveries differ").isEqualTo(contents(device));
            Recovery.run(again, superblockOn(again));
            assertThat(contents(again)).as(crash + ": recovering a recovered image changed it").isEqualTo(contents(device));
        }
    }

    static Superblock superblockOn(org.quillfs.volume.BlockDevice device) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(0, block);
        return Superblock.decode(block);
    }

    long blockOf(int slot) {
        return firstBlock + slot / SLOTS_PER_BLOCK;
    }

    static int offsetOf(int slot) {
        return 64 + slot % SLOTS_PER_BLOCK * SLOT;
    }

    static byte[] value(int id, int index) {
        byte[] v = new byte[SLOT];
        new Random(id * 31L + index).nextBytes(v);
        v[0] = (byte) (v[0] | 1); // never all zeros
        return v;
    }

    byte[] read(MemoryBlockDevice device, int slot) {
        ByteBuffer block = ByteBuffer.allocate(BLOCK);
        device.read(blockOf(slot), block);
        byte[] out = new byte[SLOT];
        block.get(offsetOf(slot), out);
        return out;
    }

    static byte[] contents(MemoryBlockDevice device) {
        ByteBuffer all = ByteBuffer.allocate((int) (device.blockCount() * device.blockSize()));
        device.read(0, all);
        return all.array();
    }

    /** The flushes whose preceding writes are all among the first {@code writes}: what a crash there keeps. */
    static int durableFlushes(CrashStates states, int writes) {
        int k = 0;
        while (k < states.flushes() && states.writesBefore(k + 1) <= writes) {
            k++;
        }
        return k;
    }
}
