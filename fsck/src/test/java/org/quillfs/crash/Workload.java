package org.quillfs.crash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.quillfs.errno.FsException;
import org.quillfs.fs.FileSystem;

/**
 * Something the campaign runs on a recorded filesystem and then crashes. Its {@link #spec} names
 * it completely: {@link #parse} makes the same workload again, which is how a failure is replayed.
 */
sealed interface Workload permits Workload.OperationSequence, Soak {

    /** The workload as text, e.g. {@code seq:4k:rename-A/C-B/fsync,unlink-bar/none}. */
    String spec();

    /** Runs it on a fresh recorded filesystem laid out as {@code layout}, from the mount to the clean unmount. */
    LiveRun record(DeviceLayout layout);

    static Workload parse(String spec) {
        if (spec.startsWith("seq:")) {
            return OperationSequence.parse(spec);
        }
        if (spec.startsWith("soak:")) {
            return Soak.parse(spec);
        }
        throw new IllegalArgumentException("not a workload: " + spec);
    }

    /** A systematic workload: operations of {@link FileSetOperations}, each followed by a persistence call or nothing. */
    record OperationSequence(LiveRun.Config config, List<Step> steps) implements Workload {

        /** One operation and what follows it. */
        record Step(FileSetOperations.Operation operation, LiveRun.Persistence after) {
            @Override
            public String toString() {
                return operation.name() + "/" + after.name().toLowerCase();
            }
        }

        /** The four ways the issue allows an operation to be followed. */
        static final List<LiveRun.Persistence> PERSISTENCE = List.of(LiveRun.Persistence.NONE,
                LiveRun.Persistence.FSYNC, LiveRun.Persistence.FDATASYNC, LiveRun.Persistence.SYNC);

        /** Every step: each operation with each persistence. */
        static List<Step> allSteps() {
            List<Step> steps = new ArrayList<>();
            for (FileSetOperations.Operation op : FileSetOperations.ALL) {
                for (LiveRun.Persistence p : PERSISTENCE) {
                    steps.add(new Step(op, p));
                }
            }
            return steps;
        }

        static OperationSequence parse(String spec) {
            String[] parts = spec.split(":", 3);
            List<Step> steps = new ArrayList<>();
            for (String s : parts[2].split(",")) {
                int slash = s.lastIndexOf('/');
                steps.add(new Step(FileSetOperations.named(s.substring(0, slash)),
                        LiveRun.Persistence.valueOf(s.substring(slash + 1).toUpperCase())));
            }
            return new OperationSequence(LiveRun.Config.named(parts[1]), steps);
        }

        @Override
        public String spec() {
            return "seq:" + config.name() + ":" + String.join(",", steps.stream().map(Step::toString).toList());
        }

        @Override
        public LiveRun record(DeviceLayout layout) {
            LiveRun run = LiveRun.start(config, layout, FileSetOperations.SETUP, FileSetOperations::setup, List.of("/"));
            RunHistory.Lane lane = run.history.lanes.get(0);
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                long wroteTo = step.operation().writesData() ? run.inodeOrZero(step.operation().fsyncPath()) : 0;
                String outcome;
                try {
                    step.operation().action().apply(run, 1000 + i);
                    outcome = "ok";
                } catch (FsException e) {
                    outcome = e.errno().name();
                }
                run.completed(lane, step.operation().name() + " (" + outcome + "), then " + step.after().label, wroteTo);
                run.persist(step.after(), fsyncTarget(run, step.operation().fsyncPath()));
            }
            run.finish();
            return run;
        }

        /** The inode fsync opens: the operation's file, or the root if that is gone. */
        private static long fsyncTarget(LiveRun run, String path) {
            try {
                return run.inode(path);
            } catch (FsException e) {
                return FileSystem.ROOT;
            }
        }

        @Override
        public String toString() {
            return spec();
        }
    }

    /** For messages: the elements of an array, comma separated. */
    static String list(Object[] items) {
        return String.join(",", Arrays.stream(items).map(String::valueOf).toList());
    }
}
