package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ActiveTransactionsTest {

    final ActiveTransactions active = new ActiveTransactions();

    @Test
    void transactionsAddedOnManyThreadsAreAllListedAndGoneWhenRemovedOnOthers() throws Exception {
        int threads = 8;
        int perThread = 100;
        List<List<Transaction>> added = new ArrayList<>();
        ExecutorService adders = Executors.newFixedThreadPool(threads);
        ExecutorService removers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Transaction>>> adding = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                adding.add(adders.submit(() -> {
                    List<Transaction> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        Transaction txn = new Transaction(null);
                        active.add(txn);
                        mine.add(txn);
                    }
                    return mine;
                }));
            }
            for (Future<List<Transaction>> f : adding) {
                added.add(f.get(10, TimeUnit.SECONDS));
            }
            assertThat(active.size()).isEqualTo(threads * perThread);
            assertThat(ImmutableList.copyOf(active))
                    .containsExactlyInAnyOrderElementsOf(added.stream().flatMap(List::stream).toList());

            List<Future<?>> removing = new ArrayList<>();
            for (List<Transaction> mine : added) {
                removing.add(removers.submit(() -> mine.subList(0, perThread / 2).forEach(active::remove)));
            }
            for (Future<?> f : removing) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            adders.shutdownNow();
            removers.shutdownNow();
        }
        List<Transaction> left = added.stream().flatMap(mine -> mine.subList(perThread / 2, perThread).stream())
                .toList();
        assertThat(active.size()).isEqualTo(left.size());
        assertThat(ImmutableList.copyOf(active)).containsExactlyInAnyOrderElementsOf(left);
    }
}
