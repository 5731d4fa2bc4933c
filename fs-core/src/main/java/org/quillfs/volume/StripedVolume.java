package org.quillfs.volume;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * RAID 0 over {@code n} members in stripe units of {@code u} blocks (md's and LVM's striping):
 * volume block {@code i} lies in unit {@code k = i / u}, on member {@code k mod n}, in stripe
 * {@code s = i / (n u)}, at member block {@code s u + i mod u}. Capacity is {@code n} times the
 * smallest member, rounded down to whole stripes.
 *
 * <p>The units a request covers on one member are consecutive there (the units between them on
 * that member belong to the stripes in between, which the request covers too), so each member's
 * share is one run of member blocks fed by every {@code n}-th unit-sized piece of the request:
 * one vectored call per member, the members at once ({@link ComposedVolume}).
 */
public final class StripedVolume extends ComposedVolume {

    /** Where a volume block lives: member index and block on that member. */
    public record Location(int member, long memberBlock) {
    }

    private final int stripeUnit;
    private final long capacity;

    /** @param stripeUnit blocks per stripe unit */
    public StripedVolume(String name, List<BlockDevice> members, int stripeUnit) {
        this(name, members, stripeUnit, MEMBER_IO);
    }

    /** With the members' shares run on {@code memberThreads} ({@link ComposedVolume}). */
    public StripedVolume(String name, List<BlockDevice> members, int stripeUnit, Executor memberThreads) {
        super(name, members, memberThreads);
        if (stripeUnit < 1) {
            throw new IllegalArgumentException("a stripe unit of " + stripeUnit + " blocks is not positive");
        }
        long smallest = Long.MAX_VALUE;
        for (BlockDevice member : members) {
            smallest = Math.min(smallest, member.blockCount());
        }
        long unitsPerMember = smallest / stripeUnit;
        if (unitsPerMember == 0) {
            throw new IllegalArgumentException("the smallest member (" + smallest + " blocks) holds no whole stripe unit of "
                    + stripeUnit + " blocks");
        }
        this.stripeUnit = stripeUnit;
        this.capacity = unitsPerMember * stripeUnit * members.size();
    }

    /** Blocks per stripe unit. */
    public int stripeUnit() {
        return stripeUnit;
    }

    @Override
    public long blockCount() {
        return capacity;
    }

    /** Where volume block {@code block} lives. */
    public Location locate(long block) {
        long unit = block / stripeUnit;
        int n = members.size();
        return new Location((int) (unit % n), unit / n * stripeUnit + block % stripeUnit);
    }

    @Override
    List<Share> shares(long firstBlock, long blocks) {
        int n = members.size();
        Share[] byMember = new Share[n];
        List<Share> shares = new ArrayList<>();
        long done = 0;
        while (done < blocks) {
            long at = firstBlock + done;
            long piece = Math.min(blocks - done, stripeUnit - at % stripeUnit);
            Location where = locate(at);
            Share share = byMember[where.member()];
            if (share == null) {
                share = new Share(where.member(), where.memberBlock(), new ArrayList<>());
                byMember[where.member()] = share;
                shares.add(share);
            }
            share.pieces().add(new Piece(done, piece));
            done += piece;
        }
        return shares;
    }
}
