package org.quillfs.crash;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.DeviceEvent;

/**
 * The crash points of a soak: a recorded soak has thousands of writes, too many to crash at each
 * in every way, so a sample, chosen so that every part of the run is reached:
 *
 * <ul>
 *   <li>prefixes at random writes, and at random flushes;
 *   <li>during checkpoints: at, just before and torn at writes of metadata blocks going home
 *       (everything but log blocks and file data, which only checkpoints and the unmount write)
 *       and of the journal master record that ends a checkpoint;
 *   <li>at log wrap: around and torn at each log write that goes back to the start of the
 *       circular log, and reorderings of its window;
 *   <li>reorderings of random windows;
 *   <li>torn writes of every block type, in turn, so that rare types get their share.
 * </ul>
 */
final class SoakPoints {

    private SoakPoints() {
    }

    /** How many crash points a soak gets for a campaign of {@code states} states. */
    static int perSoak(long states) {
        return (int) Math.max(400, Math.min(4000, states / 250));
    }

    static List<CrashPoint> choose(CrashStates states, List<DeviceEvent.Write> writes, int blockSize,
            SplittableRandom random, CrashCampaign.Options options, CrashCampaign.Stats stats) {
        int budget = perSoak(options.states());
        List<CrashPoint> points = new ArrayList<>();
        List<Integer> checkpoint = new ArrayList<>();
        List<Integer> wraps = new ArrayList<>();
        Map<String, List<Integer>> byType = new LinkedHashMap<>();
        long lastLog = -1;
        for (int i = 0; i < writes.size(); i++) {
            DeviceEvent.Write w = writes.get(i);
            Set<String> types = CrashCheck.typesOf(w, blockSize);
            for (String t : types) {
                byType.computeIfAbsent(t, k -> new ArrayList<>()).add(i + 1);
            }
            if (types.contains("LOG")) {
                if (w.firstBlock() < lastLog) {
                    wraps.add(i + 1);
                }
                lastLog = w.firstBlock();
            } else if (!types.contains("DATA") || types.contains("JOURNAL_MASTER")) {
                checkpoint.add(i + 1);
            }
        }
        int n = states.writes();
        for (int i = 0; i < budget / 4; i++) {
            points.add(add(stats, "prefix", CrashPoint.prefix(random.nextInt(n + 1))));
        }
        for (int i = 0; i < budget / 10 && states.flushes() > 0; i++) {
            points.add(add(stats, "flush", CrashPoint.prefix(states.writesBefore(1 + random.nextInt(states.flushes())))));
        }
        for (int i = 0; i < budget / 5 && !checkpoint.isEmpty(); i++) {
            int w = checkpoint.get(random.nextInt(checkpoint.size()));
            points.add(add(stats, "checkpoint", switch (i % 3) {
                case 0 -> CrashPoint.prefix(w);
                case 1 -> CrashPoint.prefix(w - 1);
                default -> CrashPoint.torn(w, random.nextLong());
            }));
        }
        for (int i = 0; i < budget / 10 && !wraps.isEmpty(); i++) {
            int w = wraps.get(random.nextInt(wraps.size()));
            points.add(add(stats, "log wrap", switch (i % 4) {
                case 0 -> CrashPoint.prefix(w);
                case 1 -> CrashPoint.prefix(Math.min(n, w + 1));
                case 2 -> CrashPoint.torn(w, random.nextLong());
                default -> CrashPoint.reorder(CrashPoint.flushesCovered(states, w - 1), random.nextLong());
            }));
        }
        for (int i = 0; i < budget * 3 / 20; i++) {
            points.add(add(stats, "reorder", CrashPoint.reorder(random.nextInt(states.flushes() + 1), random.nextLong())));
        }
        List<String> types = new ArrayList<>(byType.keySet());
        for (int i = 0; i < budget / 5 && n > 0; i++) {
            String type = types.get(i % types.size());
            List<Integer> of = byType.get(type);
            points.add(add(stats, "torn " + type, CrashPoint.torn(of.get(random.nextInt(of.size())), random.nextLong())));
        }
        return points;
    }

    private static CrashPoint add(CrashCampaign.Stats stats, String why, CrashPoint point) {
        CrashCampaign.Stats.add(stats.soakPoints, why);
        return point;
    }
}
