package org.quillfs.crash;

import java.util.Random;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;

/**
 * Where a recorded run is cut, in the terms of {@link CrashStates}, named so that the same state
 * can be built again from a replay of the run: {@code prefix:N} (the first N writes, in order),
 * {@code reorder:K:SEED} (every write before flush K, then a subset of the next window's writes
 * in some order, both drawn from SEED), {@code torn:N:SEED} (the first N − 1 writes, then write
 * N torn at 512-byte sectors, which sectors drawn from SEED).
 */
record CrashPoint(Kind kind, int number, long seed) {

    enum Kind { PREFIX, REORDER, TORN }

    static CrashPoint prefix(int writes) {
        return new CrashPoint(Kind.PREFIX, writes, 0);
    }

    static CrashPoint reorder(int flush, long seed) {
        return new CrashPoint(Kind.REORDER, flush, seed);
    }

    static CrashPoint torn(int write, long seed) {
        return new CrashPoint(Kind.TORN, write, seed);
    }

    /** Parses what {@link #toString} gives. */
    static CrashPoint parse(String spec) {
        String[] p = spec.split(":");
        return switch (p[0]) {
            case "prefix" -> prefix(Integer.parseInt(p[1]));
            case "reorder" -> reorder(Integer.parseInt(p[1]), Long.parseLong(p[2]));
            case "torn" -> torn(Integer.parseInt(p[1]), Long.parseLong(p[2]));
            default -> throw new IllegalArgumentException("not a crash point: " + spec);
        };
    }

    /** The state on the device. */
    CrashState in(CrashStates states) {
        return switch (kind) {
            case PREFIX -> states.atWrite(number);
            case REORDER -> states.reordered(number, new Random(seed));
            case TORN -> states.torn(number, new Random(seed));
        };
    }

    /** The flushes all of whose preceding writes the state holds: what it must keep. */
    int durableFlushes(CrashStates states) {
        return switch (kind) {
            case PREFIX -> flushesCovered(states, number);
            case REORDER -> number;
            case TORN -> flushesCovered(states, number - 1);
        };
    }

    /** The writes the state may hold at most (the last one perhaps torn). */
    int lastWrite(CrashStates states) {
        return switch (kind) {
            case PREFIX, TORN -> number;
            case REORDER -> number < states.flushes() ? states.writesBefore(number + 1) : states.writes();
        };
    }

    static int flushesCovered(CrashStates states, int writes) {
        int k = 0;
        while (k < states.flushes() && states.writesBefore(k + 1) <= writes) {
            k++;
        }
        return k;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PREFIX -> "prefix:" + number;
            case REORDER -> "reorder:" + number + ":" + seed;
            case TORN -> "torn:" + number + ":" + seed;
        };
    }
}
