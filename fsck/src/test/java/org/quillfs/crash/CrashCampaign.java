package org.quillfs.crash;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.DeviceEvent;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * The crash campaign: runs workloads on a recording device, builds crashed images from each
 * recording, and checks every one ({@link CrashCheck}). See docs/TESTING.md for what is crashed
 * how, and {@link CrashCampaignTest} for how it is started.
 *
 * <h2>Overview</h2>
 * The campaign is a list of phases, each a source of workloads and a share of the states to
 * check: every one-operation sequence on every filesystem configuration, soaks, then two- and
 * three-operation sequences until the requested number of states is reached. Two-operation
 * sequences are taken from all of them in a random order (all of them when the budget allows),
 * three-operation ones drawn at random. For each recorded run the crash points are: every write
 * prefix (a flush is one of them), {@code reorderings} random subsets-in-random-order of each
 * window between flushes, and {@code torn} random tears of every write (for a soak, a sample that
 * favours checkpoints, log wrap and every block type). States that come out byte-identical to
 * one already checked in the same window of the same run are counted as duplicates and not
 * checked again; only distinct states count towards the total.
 *
 * <h2>Implementation notes</h2>
 * Workloads run in parallel, one per worker thread; the states of one run are checked in the
 * thread that recorded it. Counters are adders; failures are kept in a synchronised list and
 * saved as they come. The budget is checked before a workload starts, so a phase overshoots it
 * by at most a workload per thread.
 */
final class CrashCampaign {

    /** What to run: see {@link CrashCampaignTest} for the system properties that set each. */
    record Options(long states, long seed, Pattern workloads, Path out, int threads, int reorderings, int torn,
            String replay, int maxPrinted, DeviceLayout layout) {
    }

    /** From this many states on, the campaign runs every two-operation sequence. */
    static final long EVERY_PAIR = 1_000_000;

    private final Options options;
    private final PrintStream log;
    private final Stats stats = new Stats();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger saved = new AtomicInteger();

    CrashCampaign(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** Counts of everything checked. */
    static final class Stats {
        final LongAdder workloads = new LongAdder();
        final LongAdder states = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final LongAdder passed = new LongAdder();
        final LongAdder failed = new LongAdder();
        final Map<String, LongAdder> byKind = new ConcurrentHashMap<>();
        final Map<String, LongAdder> tornByType = new ConcurrentHashMap<>();
        final Map<String, LongAdder> byPhase = new ConcurrentHashMap<>();
        final Map<String, LongAdder> soakPoints = new ConcurrentHashMap<>();

        static void add(Map<String, LongAdder> map, String key) {
            map.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
    }

    Stats stats() {
        return stats;
    }

    List<String> failures() {
        return failures;
    }

    // ------------------------------------------------------------------ the plan

    /**
     * A source of workloads and its share of the budget: the states still missing when it starts
     * ({@code remaining}) give its budget.
     */
    private record Phase(String name, java.util.function.LongUnaryOperator budget, java.util.Iterator<Workload> workloads) {
    }

    private List<Phase> plan() {
        long total = options.states();
        List<Phase> phases = new ArrayList<>();
        List<Workload> singles = new ArrayList<>();
        for (LiveRun.Config config : List.of(LiveRun.Config.ORDERED_4K, LiveRun.Config.ORDERED_1K,
                LiveRun.Config.JOURNALED_4K)) {
            for (Workload.OperationSequence.Step step : Workload.OperationSequence.allSteps()) {
                singles.add(new Workload.OperationSequence(config, List.of(step)));
            }
        }
        // All of them, whatever the budget.
        phases.add(new Phase("1 operation", remaining -> Long.MAX_VALUE, filtered(singles).iterator()));
        phases.add(new Phase("soak", remaining -> Math.max(2_000, total / 8), filtered(soaks()).iterator()));
        // From a million states on, every one of them (about 700,000 states); else a random sample.
        phases.add(new Phase("2 operations", remaining -> total >= EVERY_PAIR ? Long.MAX_VALUE
                : Math.max(remaining * 3 / 5, 2_000), filtered(pairs()).iterator()));
        phases.add(new Phase("3 operations", remaining -> Math.max(remaining, 1_000), filtered(triples()).iterator()));
        return phases;
    }

    private List<Workload> soaks() {
        List<Workload> soaks = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(options.seed() ^ 0x50A4L);
        for (int i = 0; i < 100_000; i++) {
            LiveRun.Config config = i % 3 == 2 ? LiveRun.Config.SMALL_LOG_1K : LiveRun.Config.SMALL_LOG_4K;
            soaks.add(new Soak(config, 2 + i % 3, 200 + random.nextInt(200), random.nextLong(1L << 40)));
        }
        return soaks;
    }

    /** Every two-step sequence, in a random order. */
    private List<Workload> pairs() {
        List<Workload.OperationSequence.Step> steps = Workload.OperationSequence.allSteps();
        List<Workload> pairs = new ArrayList<>(steps.size() * steps.size());
        for (Workload.OperationSequence.Step a : steps) {
            for (Workload.OperationSequence.Step b : steps) {
                pairs.add(new Workload.OperationSequence(LiveRun.Config.ORDERED_4K, List.of(a, b)));
            }
        }
        Collections.shuffle(pairs, new Random(options.seed() ^ 0x2L));
        return pairs;
    }

    /** Random three-step sequences (there are two million). */
    private Iterable<Workload> triples() {
        List<Workload.OperationSequence.Step> steps = Workload.OperationSequence.allSteps();
        return () -> new java.util.Iterator<>() {
            private final SplittableRandom random = new SplittableRandom(options.seed() ^ 0x3L);
            private int made;

            @Override
            public boolean hasNext() {
                return made < 5_000_000;
            }

            @Override
            public Workload next() {
                made++;
                LiveRun.Config config = random.nextInt(4) == 0 ? LiveRun.Config.ORDERED_1K : LiveRun.Config.ORDERED_4K;
                return new Workload.OperationSequence(config, List.of(steps.get(random.nextInt(steps.size())),
                        steps.get(random.nextInt(steps.size())), steps.get(random.nextInt(steps.size()))));
            }
        };
    }

    private List<Workload> filtered(List<Workload> all) {
        return all.stream().filter(w -> options.workloads().matcher(w.spec()).find()).toList();
    }

    private Iterable<Workload> filtered(Iterable<Workload> all) {
        return () -> new java.util.Iterator<>() {
            private final java.util.Iterator<Workload> in = all.iterator();
            private Workload next;
            private int misses;

            @Override
            public boolean hasNext() {
                while (next == null && in.hasNext() && misses < 1_000_000) {
                    Workload w = in.next();
                    if (options.workloads().matcher(w.spec()).find()) {
                        next = w;
                    } else {
                        misses++;
                    }
                }
                return next != null;
            }

            @Override
            public Workload next() {
                hasNext();
                Workload w = next;
                next = null;
                return w;
            }
        };
    }

    // ------------------------------------------------------------------ running

    /** Runs the campaign (or the one replayed case); returns the number of real failures. */
    long run() {
        long started = System.nanoTime();
        if (options.replay() != null) {
            replay(options.replay());
        } else {
            clearOldCases();
            log.printf("crash campaign: at least %,d states, seed %d, %d threads, workloads matching /%s/%n",
                    options.states(), options.seed(), options.threads(), options.workloads());
            ExecutorService pool = Executors.newFixedThreadPool(options.threads(), r -> {
                Thread t = new Thread(r, "crash-campaign");
                t.setDaemon(true);
                return t;
            });
            try {
                for (Phase phase : plan()) {
                    runPhase(pool, phase);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        report(System.nanoTime() - started);

        return stats.failed.sum();
    }

    private void runPhase(ExecutorService pool, Phase phase) {
        long phaseStart = stats.states.sum();
        long budget = phase.budget().applyAsLong(Math.max(0, options.states() - phaseStart));
        LongAdder phaseStates = stats.byPhase.computeIfAbsent(phase.name(), k -> new LongAdder());
        long workloadsBefore = stats.workloads.sum();
        List<Future<?>> running = new ArrayList<>();
        while (phase.workloads().hasNext()) {
            if (stats.states.sum() >= options.states() && !phase.name().equals("1 operation")) {
                break;
            }
            if (phaseStates.sum() >= budget) {
                break;
            }
            running.removeIf(Future::isDone);
            if (running.size() >= options.threads()) {
                try {
                    running.get(0).get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                continue;
            }
            Workload w = phase.workloads().next();
            running.add(pool.submit(() -> {
                try {
                    runWorkload(w, phaseStates);
                } catch (RuntimeException | Error e) {
                    String message = "workload " + w.spec() + ": the live run itself failed: " + e;
                    failures.add(message);
                    stats.failed.increment();
                    log.println("FAILED " + message);
                    e.printStackTrace(log);
                }
            }));
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        log.printf("  phase %-14s %,9d states of %,7d workloads%s%n", phase.name(), stats.states.sum() - phaseStart,
                stats.workloads.sum() - workloadsBefore, phase.workloads().hasNext() ? "" : " (all there are)");
    }

    private void runWorkload(Workload w, LongAdder phaseStates) {
        LiveRun run = w.record(options.layout());
        CrashStates states = new CrashStates(run.recording);
        List<DeviceEvent.Write> writes = writesOf(run);
        CrashCheck check = new CrashCheck(run.history, states, writes, LiveRun.UUID, options.layout());
        SplittableRandom random = new SplittableRandom(options.seed() ^ w.spec().hashCode() * 0x9E3779B97F4A7C15L);
        List<CrashPoint> points = w instanceof Soak
                ? SoakPoints.choose(states, writes, run.config.blockSize(), random, options, stats)
                : allPoints(states, random);
        Set<StateKey> seen = new HashSet<>();
        Windows windows = new Windows(states, writes, run.config.blockSize());
        stats.workloads.increment();
        for (CrashPoint point : points) {
            CrashState state = point.in(states);
            MemoryBlockDevice device = state.device();
            if (!seen.add(windows.key(point, device))) {
                stats.duplicates.increment();
                continue;
            }
            stats.states.increment();
            phaseStates.increment();
            Stats.add(stats.byKind, point.kind().name().toLowerCase());
            if (point.kind() == CrashPoint.Kind.TORN) {
                for (String type : CrashCheck.typesOf(writes.get(point.number() - 1), run.config.blockSize())) {
                    Stats.add(stats.tornByType, type);
                }
            }
            CrashCheck.Result result = check.check(point, device);
            switch (result.verdict()) {
                case PASS -> stats.passed.increment();
                case FAIL -> {
                    stats.failed.increment();
                    failed(w, run, states, point, state, result.problem());
                }
            }
        }
    }

    /** Every prefix, reorderings of every window of two writes or more, and tears of every write. */
    private List<CrashPoint> allPoints(CrashStates states, SplittableRandom random) {
        List<CrashPoint> points = new ArrayList<>();
        for (int n = 0; n <= states.writes(); n++) {
            points.add(CrashPoint.prefix(n));
        }
        for (int k = 0; k <= states.flushes(); k++) {
            int size = (k < states.flushes() ? states.writesBefore(k + 1) : states.writes()) - states.writesBefore(k);
            if (size >= 2) {
                for (int r = 0; r < options.reorderings(); r++) {
                    points.add(CrashPoint.reorder(k, random.nextLong()));
                }
            }
        }
        for (int n = 1; n <= states.writes(); n++) {
            for (int t = 0; t < options.torn(); t++) {
                points.add(CrashPoint.torn(n, random.nextLong()));
            }
        }
        return points;
    }

    static List<DeviceEvent.Write> writesOf(LiveRun run) {
        List<DeviceEvent.Write> writes = new ArrayList<>();
        for (DeviceEvent e : run.recording.events()) {
            if (e instanceof DeviceEvent.Write w) {
                writes.add(w);
            }
        }
        return writes;
    }

    /**
     * Identifies a state by its window (the flushes it holds all of) and the contents of the
     * blocks that window's writes touch: every earlier write is in every such state and no later
     * one, so two states with the same key are the same image.
     */
    record StateKey(int window, long hash) {
    }

    private static final class Windows {
        private final CrashStates states;
        private final Map<Integer, long[]> blocks = new java.util.HashMap<>();
        private final List<DeviceEvent.Write> writes;
        private final int blockSize;

        Windows(CrashStates states, List<DeviceEvent.Write> writes, int blockSize) {
            this.states = states;
            this.writes = writes;
            this.blockSize = blockSize;
        }

        StateKey key(CrashPoint point, MemoryBlockDevice device) {
            int k = point.durableFlushes(states);
            long[] touched = blocks.computeIfAbsent(k, this::touched);
            long h = 0xcbf29ce484222325L;
            ByteBuffer b = ByteBuffer.allocate(blockSize);
            for (long nr : touched) {
                device.read(nr, b.clear());
                h = (h ^ nr) * 0x100000001b3L;
                b.flip();
                while (b.remaining() >= 8) {
                    h = (h ^ b.getLong()) * 0x100000001b3L;
                    h ^= h >>> 29;
                }
            }
            return new StateKey(k, h);
        }

        private long[] touched(int k) {
            int from = states.writesBefore(k);
            int to = k < states.flushes() ? states.writesBefore(k + 1) : states.writes();
            java.util.TreeSet<Long> set = new java.util.TreeSet<>();
            for (int i = from; i < to; i++) {
                DeviceEvent.Write w = writes.get(i);
                for (int j = 0; j < w.blocks(blockSize); j++) {
                    set.add(w.firstBlock() + j);
                }
            }
            return set.stream().mapToLong(Long::longValue).toArray();
        }
    }

    // ------------------------------------------------------------------ failures and replay

    private void failed(Workload w, LiveRun run, CrashStates states, CrashPoint point, CrashState state, String problem) {
        String id = w.spec() + "@" + point;
        StringBuilder sb = new StringBuilder();
        sb.append("CRASH STATE FAILED\n");
        sb.append("  workload:    ").append(w.spec()).append('\n');
        sb.append("  crash point: ").append(point).append(" = ").append(state.name()).append(" (")
                .append(states.writes()).append(" writes, ").append(states.flushes()).append(" flushes recorded)\n");
        sb.append("  seed:        ").append(options.seed()).append(" (the crash point carries its own)\n");
        int number = saved.incrementAndGet();
        if (number <= 200) {
            Path image = options.out().resolve("case-" + number + ".img");
            save(state.device(), image);
            Path text = options.out().resolve("case-" + number + ".txt");
            sb.append("  image:       ").append(image.toAbsolutePath()).append(" (as the crash left it, before recovery)\n");
            sb.append("  replay:      make crash-test CRASH_REPLAY='").append(id).append("'\n");
            sb.append("  problem:     ").append(problem.replace("\n", "\n    ")).append('\n');
            try {
                Files.createDirectories(options.out());
                Files.writeString(text, sb.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            sb.append("  replay:      make crash-test CRASH_REPLAY='").append(id).append("'\n");
            sb.append("  problem:     ").append(problem.replace("\n", "\n    ")).append('\n');
        }
        String text = sb.toString();
        int details = text.indexOf(CrashCheck.DETAILS);
        String brief = details < 0 ? text : text.substring(0, details) + "\n  (details in the case file)\n";
        failures.add(brief);
        if (failures.size() <= options.maxPrinted()) {
            log.print(brief);
        }
    }

    /** Removes the case files an earlier run left in the output directory, so that all there are this run's. */
    private void clearOldCases() {
        if (!Files.isDirectory(options.out())) {
            return;
        }
        try (var old = Files.list(options.out())) {
            for (Path p : old.filter(p -> p.getFileName().toString().matches("case-\\d+\\.(img|txt)")).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void save(MemoryBlockDevice device, Path path) {
        try {
            Files.createDirectories(path.getParent());
            try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer block = ByteBuffer.allocate(device.blockSize());
                for (long nr = 0; nr < device.blockCount(); nr++) {
                    device.read(nr, block.clear());
                    block.flip();
                    boolean zero = true;
                    for (byte b : block.array()) {
                        if (b != 0) {
                            zero = false;
                            break;
                        }
                    }
                    if (!zero) {
                        out.write(block, nr * device.blockSize());
                    }
                }
                out.truncate(device.blockCount() * device.blockSize());
                if (out.size() < device.blockCount() * device.blockSize()) {
                    out.write(ByteBuffer.wrap(new byte[1]), device.blockCount() * device.blockSize() - 1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replays {@code WORKLOAD@POINT}: records the workload again and checks that one state, printing everything. */
    private void replay(String id) {
        int at = id.lastIndexOf('@');
        Workload w = Workload.parse(id.substring(0, at));
        String pointSpec = id.substring(at + 1);
        log.println("replaying " + w.spec() + " at " + pointSpec);
        LiveRun run = w.record(options.layout());
        CrashStates states = new CrashStates(run.recording);
        // "last" (for looking into a run): the whole run, up to the end of the clean unmount.
        CrashPoint point = pointSpec.equals("last") ? CrashPoint.prefix(states.writes()) : CrashPoint.parse(pointSpec);
        List<DeviceEvent.Write> writes = writesOf(run);
        log.println("  the run recorded " + states.writes() + " writes and " + states.flushes() + " flushes:");
        int n = 0;
        int f = 0;
        for (DeviceEvent e : run.recording.events()) {
            if (e instanceof DeviceEvent.Write write) {
                n++;
                log.printf("    write %3d: block %d%s %s%n", n, write.firstBlock(),
                        write.blocks(run.config.blockSize()) > 1 ? ".." + (write.firstBlock() + write.blocks(run.config.blockSize()) - 1) : "",
                        CrashCheck.typesOf(write, run.config.blockSize()));
            } else {
                log.printf("    flush %3d%n", ++f);
            }
        }
        for (RunHistory.Lane lane : run.history.lanes) {
            log.println("  lane " + lane.path + ":");
            for (int i = 0; i < lane.operations.size(); i++) {
                log.println("    op " + (i + 1) + ": " + lane.operations.get(i));
            }
        }
        for (RunHistory.SyncPoint s : run.history.syncs()) {
            log.println("  durable: " + s.what() + " at tick " + s.startTick() + ", after flush " + s.flushes());
        }
        if (point.number() > (point.kind() == CrashPoint.Kind.REORDER ? states.flushes() : states.writes())) {
            log.println("  this run is shorter than the one that failed: the crash point is past its end");
            stats.failed.increment();
            return;
        }
        CrashState state = point.in(states);
        log.println("  state: " + state.name());
        CrashCheck check = new CrashCheck(run.history, states, writes, LiveRun.UUID, options.layout());
        CrashCheck.Result result = check.check(point, state.device());
        stats.states.increment();
        switch (result.verdict()) {
            case PASS -> {
                stats.passed.increment();
                log.println("  PASSES now");
            }
            case FAIL -> {
                stats.failed.increment();
                failed(w, run, states, point, state, result.problem());
            }
        }
    }

    private void report(long nanos) {
        double seconds = nanos / 1e9;
        log.printf("crash campaign: %,d workloads, %,d distinct crash states (%,d duplicates skipped) in %.1f s (%.0f states/s)%n",
                stats.workloads.sum(), stats.states.sum(), stats.duplicates.sum(), seconds, stats.states.sum() / seconds);
        log.println("  by kind:        " + sorted(stats.byKind));
        log.println("  by phase:       " + sorted(stats.byPhase));
        log.println("  torn, by block: " + sorted(stats.tornByType));
        if (!stats.soakPoints.isEmpty()) {
            log.println("  soak points:    " + sorted(stats.soakPoints));
        }
        log.printf("  states whose recovered image held orphans (checked after a mount freed them): %,d%n",
                CrashCheck.orphans.sum());
        if (Soak.REFUSED_FOR_LOG_SPACE.sum() > 0) {
            log.printf("  soak operations refused for wanting more than half the log (IllegalArgumentException): %,d%n",
                    Soak.REFUSED_FOR_LOG_SPACE.sum());
        }
        log.printf("  passed %,d; failed %,d%n", stats.passed.sum(), stats.failed.sum());
        if (stats.failed.sum() > 0) {
            log.println("  failed states are described in " + options.out().toAbsolutePath() + " (case-N.txt, case-N.img)");
        }
    }

    private static Map<String, Long> sorted(Map<String, LongAdder> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
