package org.quillfs.file;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.DeviceEvent;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * The crash points the file data crash tests check: every write prefix, reorderings of every
 * window between flushes, and every write torn, except torn writes of the inode table blocks
 * the test's inodes live in.
 *
 * <p>Why those are left out: an inode's checksum is a CRC32C of its bytes stored right after
 * them, and a CRC32C over data followed by its own CRC32C does not change with the data (CRC
 * linearity), so the block's CRC32C cannot see a torn sector whose only changes are whole
 * inodes: the torn block verifies, and recovery trusts its stale inodes. That is a weakness of
 * the inode format (docs/FORMAT.md, reported), not of file data, and journal/RecoveryCrashTest
 * is where torn metadata blocks are tested; here it would only hide what these tests look for.
 */
final class FileCrashPoints {

    private FileCrashPoints() {
    }

    static List<CrashState> of(RecordingBlockDevice recording, CrashStates states, Set<Long> inodeBlocks, Random random,
            int reorderingsPerWindow) {
        List<CrashState> out = new ArrayList<>();
        for (int n = 0; n <= states.writes(); n++) {
            out.add(states.atWrite(n));
        }
        for (int k = 0; k <= states.flushes(); k++) {
            for (int r = 0; r < reorderingsPerWindow; r++) {
                out.add(states.reordered(k, random));
            }
        }
        int n = 0;
        int blockSize = recording.blockSize();
        for (DeviceEvent event : recording.events()) {
            if (event instanceof DeviceEvent.Write w && ++n <= states.writes()
                    && inodeBlocks.stream().noneMatch(b -> b >= w.firstBlock() && b < w.firstBlock() + w.blocks(blockSize))) {
                out.add(states.torn(n, random));
            }
        }
        return out;
    }
}
