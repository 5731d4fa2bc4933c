package org.quillfs.volume;

import java.nio.ByteBuffer;

/**
 * The part of a member device that holds volume blocks: everything after its label block
 * (member block 0), up to the length the layout uses. Member block {@code 1 + i} is data block
 * {@code i}; the label can never be reached through it.
 */
final class MemberDataArea implements BlockDevice {

    private final BlockDevice member;
    private final long blockCount;

    MemberDataArea(BlockDevice member, long blockCount) {
        if (blockCount < 1 || blockCount > member.blockCount() - VolumeLabel.LABEL_BLOCKS) {
            throw new IllegalArgumentException(member.name() + ": a data area of " + blockCount
                    + " blocks does not fit after the label in " + member.blockCount() + " blocks");
        }
        this.member = member;
        this.blockCount = blockCount;
    }

    @Override
    public int blockSize() {
        return member.blockSize();
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public String name() {
        return member.name();
    }

    @Override
    public void read(long firstBlock, ByteBuffer... dsts) {
        Transfers.checkedLength(this, firstBlock, dsts);
        member.read(VolumeLabel.LABEL_BLOCKS + firstBlock, dsts);
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        Transfers.checkedLength(this, firstBlock, srcs);
        member.write(VolumeLabel.LABEL_BLOCKS + firstBlock, srcs);
    }

    @Override
    public void flush() {
        member.flush();
    }

    @Override
    public void close() {
        member.close();
    }
}
