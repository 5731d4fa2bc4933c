package org.quillfs.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Bitmap;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.GroupDescriptorTable;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.txn.DeadlockException;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.MemoryBlockDevice;

class AllocatorTest {

    static final int BLOCK = 1024;

    /** 40 MiB of 1 KiB blocks: six groups, all but group 0 left uninitialised by mkfs. */
    final MemoryBlockDevice device = new MemoryBlockDevice("fs", BLOCK, (40L << 20) / BLOCK);
    final Superblock superblock = Formatter.format(device, new FormatOptions(BLOCK, device.blockCount(), 0, 0,
            Limits.DEFAULT_BYTES_PER_INODE, "alloc", java.util.UUID.randomUUID(), 0, 0, Instant.now(), new Random(3)));
    final Geometry g = superblock.geometry();
    MetadataStore store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());
    Allocator allocator = Allocator.open(superblock, store);

    @AfterEach
    void close() {
        store.close();
    }

    Transaction begin(Allocator a, int runs, int inodes) {
        return store.transactions().begin(runs * a.logBytesPerBlockRun(4096) + inodes * a.logBytesPerInode());
    }

    /** A run of {@code count} blocks near {@code goal}, committed; null when the filesystem has not that much free. */
    long[] allocate(long goal, int count) {
        Transaction txn = begin(allocator, 1, 0);
        try {
            Reservation r = allocator.reserve(txn, count, 0);
            long[] run = allocator.allocateBlocks(txn, r, goal, count);
            txn.commit();
            return run;
        } catch (FsException e) {
            txn.abort();
            return null;
        }
    }

    /** Allocates every free block; returns how many. */
    long allocateEverything() {
        long allocated = 0;
        while (allocator.freeBlocks() > 0) {
            allocated += allocate(0, (int) Math.min(4096, allocator.freeBlocks()))[1];
        }
        return allocated;
    }

    @Test
    void allocatingEverythingEndsInEnospcAndBitmapsAgreeWithDescriptorsAfterReopen() {
        assertThat(g.groupCount()).as("several groups, all but group 0 uninitialised").isGreaterThan(4);
        long free = allocator.freeBlocks();
        assertThat(free).isEqualTo(superblock.freeBlocks());
        long allocated = 0;
        while (true) {
            Transaction txn = begin(allocator, 1, 0);
            try {
                Reservation r = allocator.reserve(txn, Math.min(4096, allocator.freeBlocks() == 0 ? 1 : allocator.freeBlocks()), 0);
                allocated += allocator.allocateBlocks(txn, r, 0, 4096)[1];
                txn.commit();
            } catch (FsException e) {
                assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
                txn.commit(); // nothing was changed: the reservation failed first
                break;
            }
        }
        assertThat(allocated).isEqualTo(free);
        assertThat(allocator.freeBlocks()).isZero();

        store.close();
        for (int group = 0; group < g.groupCount(); group++) {
            ByteBuffer table = read(GroupDescriptorTable.tableBlockOf(group, BLOCK));
            GroupDescriptor d = GroupDescriptorTable.get(table, GroupDescriptorTable.slotOf(group, BLOCK));
            assertThat(d.freeBlocks()).isZero();
            assertThat(d.has(GroupDescriptor.BLOCK_UNINIT)).as("group %d initialised", group).isFalse();
            ByteBuffer bitmap = read(d.blockBitmap());
            assertThat(BlockHeader.problem(bitmap, superblock.uuid(), BlockType.BLOCK_BITMAP, d.blockBitmap())).isEmpty();
            assertThat(Bitmap.countClear(bitmap)).isZero();
        }
        store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());
        assertThat(Allocator.open(superblock, store).freeBlocks()).isZero();
    }

    @Test
    void freedDataBlocksCountAsFreeAtCommitButAreHandedOutOnlyOnceThatCommitIsDurable() {
        long[] run = allocate(g.firstDataBlock(0), 50);
        store.log().forceAll();
        long freeAfter = allocator.freeBlocks();

        Transaction txn = begin(allocator, 1, 0);
        allocator.free(txn, run[0], (int) run[1], false);
        long commit = txn.commit();
        assertThat(allocator.freeBlocks()).as("free for statfs at commit").isEqualTo(freeAfter + 50);
        assertThat(store.log().durableLsn()).as("the free is not durable yet").isLessThanOrEqualTo(commit);
        long[] elsewhere = allocate(run[0], 50);
        assertThat(elsewhere[0] + elsewhere[1] <= run[0] || elsewhere[0] >= run[0] + run[1])
                .as("run %s does not reuse the held run %s", Arrays.toString(elsewhere), Arrays.toString(run)).isTrue();

        store.log().forceAll();
        assertThat(allocate(run[0], 50)).as("handed out once the free is durable").containsExactly(run[0], 50);

        Transaction aborted = begin(allocator, 1, 0);
        long[] undone = allocator.allocateBlocks(aborted, allocator.reserve(aborted, 10, 0), run[0] + 50, 10);
        aborted.abort();
        assertThat(allocator.freeBlocks()).isEqualTo(freeAfter - 50);
        // Free, but held until a checkpoint: recovery may repeat what the aborted transaction
        // logged into them (AbortedAllocationTest).
        long[] next = allocate(run[0] + 50, 10);
        assertThat(next[0] + next[1] <= undone[0] || next[0] >= undone[0] + undone[1])
                .as("run %s does not reuse the aborted allocation %s", Arrays.toString(next), Arrays.toString(undone)).isTrue();
        store.checkpointer().checkpoint();
        assertThat(allocate(run[0] + 50, 10)).as("the aborted allocation's blocks, once the tail passed it")
                .containsExactly(undone[0], 10);
    }

    @Test
    void anAbortedFreeHoldsNothingAndHoldsAreDroppedOnceSafe() {
        long[] run = allocate(g.firstDataBlock(0), 20);
        Transaction txn = begin(allocator, 1, 0);
        allocator.free(txn, run[0], (int) run[1], false);
        assertThat(allocator.holdCount()).isEqualTo(1);
        txn.abort();
        assertThat(allocator.holdCount()).as("the aborted free's bits are back: nothing to hold").isZero();

        Transaction again = begin(allocator, 1, 0);
        allocator.free(again, run[0], 10, false);
        allocator.free(again, run[0] + 10, 10, true);
        again.commit();
        store.log().forceAll();
        assertThat(allocate(run[0], 10)).as("held by neither the aborted free nor the durable one").containsExactly(run[0], 10);
        assertThat(allocator.holdCount()).as("the allocation dropped the hold it found safe").isEqualTo(1);
        store.checkpointer().checkpoint();
        assertThat(allocator.holdCount()).as("the tail passed the journaled blocks' free").isZero();
    }

    @Test
    void whenOnlyBlocksWhoseFreeIsNotDurableAreLeftAllocationForcesTheLogAndTakesThem() {
        allocateEverything();
        store.log().forceAll();
        long[] last = allocate(0, 1); // nothing is free: reserve fails
        assertThat(last).isNull();
        long victim = g.firstDataBlock(2) + 100;
        Transaction txn = begin(allocator, 1, 0);
        allocator.free(txn, victim, 10, false);
        long commit = txn.commit();
        assertThat(allocator.freeBlocks()).isEqualTo(10);
        assertThat(store.log().durableLsn()).isLessThanOrEqualTo(commit);

        long[] run = allocate(0, 10);
        assertThat(run).as("the only free blocks are handed out").containsExactly(victim, 10);
        assertThat(store.log().durableLsn()).as("after the allocation made their free durable").isGreaterThan(commit);
    }

    @Test
    void runsFollowTheirGoalSoAFileIsContiguous() {
        long[] first = allocate(g.firstDataBlock(2), 8);
        long[] second = allocate(first[0] + first[1], 8);
        assertThat(first[0]).isBetween(g.firstDataBlock(2), g.groupStart(3) - 1);
        assertThat(second[0]).isEqualTo(first[0] + 8);
    }

    @Test
    void filesGoNearTheirDirectoryDirectoriesSpreadAndInodeTablesAreInitialisedLazily() {
        Transaction txn = begin(allocator, 0, 12);
        Reservation r = allocator.reserve(txn, 0, 12);
        Set<Long> inodes = new HashSet<>();
        long file = allocator.allocateInode(txn, r, Limits.ROOT_INODE, false);
        inodes.add(file);
        assertThat(g.groupOfInode(file)).isZero();
        assertThat(file).isGreaterThan(Limits.LOST_AND_FOUND_INODE);
        Set<Integer> directoryGroups = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            long dir = allocator.allocateInode(txn, r, Limits.ROOT_INODE, true);
            inodes.add(dir);
            directoryGroups.add(g.groupOfInode(dir));
        }
        assertThat(directoryGroups).as("new directories spread over groups").hasSizeGreaterThan(2);
        int farGroup = directoryGroups.stream().filter(x -> x != 0).findFirst().orElseThrow();
        long child = allocator.allocateInode(txn, r, (long) farGroup * g.inodesPerGroup() + 1, false);
        inodes.add(child);
        assertThat(g.groupOfInode(child)).isEqualTo(farGroup);
        txn.commit();
        assertThat(inodes).hasSize(6);

        store.close();
        ByteBuffer table = read(g.inodeBlock(child));
        assertThat(BlockHeader.problem(table, superblock.uuid(), BlockType.INODE_TABLE, g.inodeBlock(child))).isEmpty();
        GroupDescriptor d = GroupDescriptorTable.get(read(GroupDescriptorTable.tableBlockOf(farGroup, BLOCK)),
                GroupDescriptorTable.slotOf(farGroup, BLOCK));
        assertThat(d.itableInitialized()).isEqualTo(1);
        assertThat(d.has(GroupDescriptor.INODE_UNINIT)).isFalse();
        assertThat(d.freeInodes()).isEqualTo(g.inodesPerGroup() - 2);
        assertThat(Bitmap.countClear(read(d.inodeBitmap()))).isEqualTo(d.freeInodes());
        store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());
    }

    @Test
    void twoTransactionsAllocatingInGroupsWhoseDescriptorsShareABlockDoNotWaitForEachOther() throws Exception {
        assertThat(GroupDescriptorTable.tableBlockOf(1, BLOCK)).isEqualTo(GroupDescriptorTable.tableBlockOf(2, BLOCK));
        Transaction first = begin(allocator, 1, 0);
        long[] inGroup1 = allocator.allocateBlocks(first, allocator.reserve(first, 8, 0), g.firstDataBlock(1), 8);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            // the descriptor table block is locked only at commit, so this allocation goes through
            // while the first transaction is still open
            long[] inGroup2 = other.submit(() -> {
                Transaction second = begin(allocator, 1, 0);
                long[] run = allocator.allocateBlocks(second, allocator.reserve(second, 8, 0), g.firstDataBlock(2), 8);
                second.commit();
                return run;
            }).get(5, TimeUnit.SECONDS);
            assertThat(g.groupOfBlock(inGroup2[0])).isEqualTo(2);
        } finally {
            other.shutdownNow();
        }
        first.commit();
        assertThat(g.groupOfBlock(inGroup1[0])).isEqualTo(1);

        store.close();
        for (int group : new int[] {1, 2}) {
            GroupDescriptor d = GroupDescriptorTable.get(read(GroupDescriptorTable.tableBlockOf(group, BLOCK)),
                    GroupDescriptorTable.slotOf(group, BLOCK));
            assertThat(d.freeBlocks()).as("group %d's count has both changes", group)
                    .isEqualTo(Bitmap.countClear(read(d.blockBitmap())));
            assertThat(d.freeBlocks()).isEqualTo(g.groupLength(group) - g.metadataBlocks(group) - 8);
        }
        store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());
    }

    @Test
    void anAbortedAllocationLeavesTheDescriptorAsItWas() {
        long free = allocator.freeBlocks();
        Transaction txn = begin(allocator, 1, 1);
        Reservation r = allocator.reserve(txn, 8, 1);
        allocator.allocateBlocks(txn, r, g.firstDataBlock(3), 8);
        allocator.allocateInode(txn, r, (long) 3 * g.inodesPerGroup() + 1, false);
        txn.abort();

        store.close();
        GroupDescriptor d = GroupDescriptorTable.get(read(GroupDescriptorTable.tableBlockOf(3, BLOCK)),
                GroupDescriptorTable.slotOf(3, BLOCK));
        assertThat(d.freeInodes()).isEqualTo(g.inodesPerGroup());
        assertThat(d.has(GroupDescriptor.BLOCK_UNINIT)).isTrue();
        store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());
        assertThat(Allocator.open(superblock, store).freeBlocks()).isEqualTo(free);
    }

    @Test
    void aFreedMetadataBlockWaitsForACheckpointBeforeReuse() {
        long[] run = allocate(g.firstDataBlock(1), 1);
        long free = allocator.freeBlocks();
        Transaction txn = begin(allocator, 1, 0);
        allocator.free(txn, run[0], 1, true);
        txn.commit();
        assertThat(allocator.freeBlocks()).as("free for statfs at commit").isEqualTo(free + 1);
        assertThat(allocate(run[0], 1)[0]).as("but not handed out before a checkpoint").isNotEqualTo(run[0]);

        store.checkpointer().checkpoint();
        assertThat(allocator.freeBlocks()).isEqualTo(free); // one freed, one allocated meanwhile
        assertThat(allocate(run[0], 1)).containsExactly(run[0], 1);
    }

    @Test
    void concurrentAllocationsNeverShareABlock() throws Exception {
        long free = allocator.freeBlocks();
        Set<Long> handedOut = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    while (true) {
                        Transaction txn = begin(allocator, 1, 0);
                        try {
                            long[] run = allocator.allocateBlocks(txn, allocator.reserve(txn, 1, 0),
                                    g.firstDataBlock(thread), 1);
                            txn.commit();
                            assertThat(handedOut.add(run[0])).as("block %d handed out twice", run[0]).isTrue();
                            break;
                        } catch (DeadlockException e) {
                            txn.abort();
                        }
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(handedOut).hasSize(800);
        assertThat(allocator.freeBlocks()).isEqualTo(free - 800);
    }

    @Test
    void reservingMoreThanIsFreeFailsBeforeAnythingChanges() {
        Transaction txn = begin(allocator, 1, 1);
        assertThatThrownBy(() -> allocator.reserve(txn, allocator.freeBlocks() + 1, 0))
                .isInstanceOf(FsException.class).hasMessageStartingWith("ENOSPC: no space left");
        assertThatThrownBy(() -> allocator.reserve(txn, 0, allocator.freeInodes() + 1))
                .hasMessageStartingWith("ENOSPC: no inodes left");
        assertThat(txn.commit()).as("nothing was logged").isZero();
    }

    ByteBuffer read(long blockNr) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        device.read(blockNr, b);
        return b;
    }
}
