package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ObjectPoolTest {

    /** A pooled object that knows whether someone has claimed it. */
    static final class Pooled {
        final AtomicBoolean inUse = new AtomicBoolean();
    }

    /** Claims and releases on {@code threads} threads; returns how often a claimed object was already in use. */
    static long claimAndRelease(ObjectPool<Pooled> pool, int threads, int pairsPerThread) throws Exception {
        LongAdder doubleClaims = new LongAdder();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(executor.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < pairsPerThread; i++) {
                        Pooled object = pool.claim();
                        if (!object.inUse.compareAndSet(false, true)) {
                            doubleClaims.increment();
                        }
                        Thread.onSpinWait();
                        object.inUse.set(false);
                        pool.release(object);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(30, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
        return doubleClaims.sum();
    }

    @Test
    void aMillionClaimsOnFourThreadsCreateAHandfulOfObjects() throws Exception {
        ObjectPool<Pooled> pool = new ObjectPool<>(64, Pooled::new);

        long doubleClaims = claimAndRelease(pool, 4, 250_000);

        assertThat(doubleClaims).isZero();
        assertThat(pool.created()).isLessThan(100);
    }

    @Test
    void aClaimedObjectIsNeverHandedToASecondClaimer() throws Exception {
        ObjectPool<Pooled> pool = new ObjectPool<>(2, Pooled::new); // fewer slots than threads: they collide

        assertThat(claimAndRelease(pool, 8, 100_000)).isZero();
    }

    @Test
    void aReleasedObjectIsClaimedAgain() {
        ObjectPool<Pooled> pool = new ObjectPool<>(4, Pooled::new);
        Pooled first = pool.claim();
        pool.release(first);

        assertThat(pool.claim()).isSameAs(first);
        assertThat(pool.created()).isEqualTo(1);
    }

    /** Claims (true) and releases (false) on one thread: reuses whenever it can, keeps at most {@code slots}. */
    @Property
    void createsOnlyWhenNoPooledObjectIsFree(@ForAll @IntRange(min = 1, max = 8) int slots,
            @ForAll List<Boolean> claims) {
        ObjectPool<Pooled> pool = new ObjectPool<>(slots, Pooled::new);
        Deque<Pooled> out = new ArrayDeque<>();
        int free = 0;
        long expectedCreated = 0;
        for (boolean claim : claims) {
            if (claim) {
                if (free > 0) {
                    free--;
                } else {
                    expectedCreated++;
                }
                Pooled object = pool.claim();
                assertThat(out).noneMatch(o -> o == object);
                out.push(object);
            } else if (!out.isEmpty()) {
                pool.release(out.pop());
                free = Math.min(slots, free + 1);
            }
        }
        assertThat(pool.created()).isEqualTo(expectedCreated);
    }

    @Test
    void aPoolNeedsASlot() {
        assertThatThrownBy(() -> new ObjectPool<>(0, Pooled::new))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one slot");
    }
}
