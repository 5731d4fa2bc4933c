package org.quillfs.volume;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Members in sequence (a linear volume, as LVM's and md's "linear"): volume block {@code i} is
 * block {@code i - start(m)} of the member {@code m} whose range holds it, where
 * {@code start(m)} is the sum of the block counts of the members before it. Capacity is the sum
 * of the members. A request that crosses a member boundary goes to each member it touches as
 * one call, the members at once ({@link ComposedVolume}).
 */
public final class ConcatVolume extends ComposedVolume {

    /** {@code starts[m]}: the volume block at which member {@code m} begins; the last entry is the capacity. */
    private final long[] starts;

    public ConcatVolume(String name, List<BlockDevice> members) {
        this(name, members, MEMBER_IO);
    }

    /** With the members' shares run on {@code memberThreads} ({@link ComposedVolume}). */
    public ConcatVolume(String name, List<BlockDevice> members, Executor memberThreads) {
        super(name, members, memberThreads);
        starts = new long[members.size() + 1];
        for (int m = 0; m < members.size(); m++) {
            starts[m + 1] = starts[m] + members.get(m).blockCount();
        }
    }

    @Override
    public long blockCount() {
        return starts[starts.length - 1];
    }

    @Override
    List<Share> shares(long firstBlock, long blocks) {
        List<Share> shares = new ArrayList<>();
        int m = memberOf(firstBlock);
        long done = 0;
        while (done < blocks) {
            long at = firstBlock + done;
            while (at >= starts[m + 1]) {
                m++;
            }
            long n = Math.min(blocks - done, starts[m + 1] - at);
            shares.add(new Share(m, at - starts[m], List.of(new Piece(done, n))));
            done += n;
        }
        return shares;
    }

    /** The member holding volume block {@code block}. */
    private int memberOf(long block) {
        int low = 0;
        int high = starts.length - 2;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (starts[mid] <= block) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }
}
