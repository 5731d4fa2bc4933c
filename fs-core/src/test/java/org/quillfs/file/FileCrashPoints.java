package org.quillfs.file;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;

/**
 * The crash points the file data crash tests check: every write prefix, reorderings of every
 * window between flushes, and every write torn. (Torn inode table blocks were once left out:
 * with inodes checksummed by CRC32C like the blocks, a torn block of whole inodes verified; see
 * {@link org.quillfs.format.InodeChecksum}.)
 */
final class FileCrashPoints {

    private FileCrashPoints() {
    }

    static List<CrashState> of(CrashStates states, Random random, int reorderingsPerWindow) {
        List<CrashState> out = new ArrayList<>();
        for (int n = 0; n <= states.writes(); n++) {
            out.add(states.atWrite(n));
        }
        for (int k = 0; k <= states.flushes(); k++) {
            for (int r = 0; r < reorderingsPerWindow; r++) {
                out.add(states.reordered(k, random));
            }
        }
        for (int n = 1; n <= states.writes(); n++) {
            out.add(states.torn(n, random));
        }
        return out;
    }
}
