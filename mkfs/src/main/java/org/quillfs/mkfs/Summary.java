package org.quillfs.mkfs;

import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;
import org.quillfs.format.Geometry;
import org.quillfs.format.Superblock;

/** What mkfs made (or, on a dry run, would make), printed as mke2fs does. */
final class Summary {

    private Summary() {
    }

    /** @param volume the layout line of a volume ("stripe of 2 members, ..."), or null for one device */
    static void print(PrintWriter out, String target, String volume, Superblock sb, boolean dryRun) {
        Geometry g = sb.geometry();
        out.printf("%s a quillfs filesystem on %s%n", dryRun ? "Would create" : "Created", target);
        if (volume != null) {
            out.printf("  Volume:             %s%n", volume);
        }
        out.printf("  Size:               %s: %d blocks of %d bytes%n", Sizes.human(g.bytes()), g.blockCount(), g.blockSize());
        out.printf("  Groups:             %d of up to %d blocks, %d inodes each%n",
                g.groupCount(), g.blocksPerGroup(), g.inodesPerGroup());
        out.printf("  Inodes:             %d%n", g.inodeCount());
        out.printf("  Free:               %d blocks, %d inodes%n", sb.freeBlocks(), sb.freeInodes());
        out.printf("  Journal:            %d blocks (%s)%n", g.journalBlocks(), Sizes.human(g.journalBlocks() * g.blockSize()));
        out.printf("  Label:              %s%n", sb.label().isEmpty() ? "(none)" : sb.label());
        out.printf("  UUID:               %s%n", sb.uuid());
        List<Long> backups = g.backupSuperblocks();
        out.printf("  Superblock backups: %s%n", backups.isEmpty() ? "(none: one group)"
                : backups.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        if (dryRun) {
            out.println("Nothing was written (-n).");
        }
        out.flush();
    }
}
