package org.quillfs.txn;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A bounded pool of reusable objects, claimed and returned without locks, so that millions of
 * short read-only transactions allocate only a handful of transaction objects ("Read-only
 * transactions take the short path", DESIGN.md).
 *
 * <p>{@link #claim} hands out a pooled object, or a new one when none is free; {@link #release}
 * returns it. A caller releases each object it claimed exactly once and does not use it
 * afterwards: the next claimer may already have it.
 */
public final class ObjectPool<T> {

    /*
     * Overview
     *
     * The pool is a fixed array of slots, each empty or holding one free object. Claiming takes
     * an object out of a slot; releasing puts it into an empty slot. The pool never blocks and
     * never fails: with every slot empty, claim makes a new object with the factory; with every
     * slot full, release drops the object for the garbage collector. The slot count bounds what
     * the pool keeps, not how many objects may be in use.
     *
     * Implementation notes
     *
     * Claim reads a slot and, if it holds an object, compare-and-swaps it to empty; release
     * compare-and-swaps an empty slot to the object. A successful claim CAS removes the one
     * occurrence of the object from the array, so no two claimers get it while it is out. ABA
     * (the object claimed and released back into the same slot between our read and our CAS)
     * is harmless: the object is free again when our CAS takes it. The CASes are volatile
     * accesses, so what the releasing thread wrote into the object is visible to its next
     * claimer.
     *
     * Each thread starts its scan at the slot its thread id picks, and walks the array from
     * there. A thread that claims and releases in turn finds its own object in its own slot, so
     * threads rarely touch the same slot. Tolerated races: a scan can miss an object released
     * into a slot it has passed (claim then makes a new one) or miss a slot emptied behind it
     * (release then drops the object); both cost one allocation, never correctness.
     */

    private final AtomicReferenceArray<T> slots;
    private final Supplier<T> factory;
    private final AtomicLong created = new AtomicLong();

    /**
     * @param slots how many free objects the pool keeps, at least 1
     * @param factory makes an object when no pooled one is free
     */
    public ObjectPool(int slots, Supplier<T> factory) {
        if (slots < 1) {
            throw new IllegalArgumentException("an object pool needs at least one slot, not " + slots);
        }
        this.slots = new AtomicReferenceArray<>(slots);
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** A free pooled object, or a new one if none is free. */
    public T claim() {
        int n = slots.length();
        int start = startSlot(n);
        for (int i = 0; i < n; i++) {
            int slot = (start + i) % n;
            T object = slots.get(slot);
            if (object != null && slots.compareAndSet(slot, object, null)) {
                return object;
            }
        }
        T object = factory.get();
        created.incrementAndGet();
        return object;
    }

    /** Returns {@code object} to the pool, or drops it if every slot is full. */
    public void release(T object) {
        Objects.requireNonNull(object, "released object");
        int n = slots.length();
        int start = startSlot(n);
        for (int i = 0; i < n; i++) {
            int slot = (start + i) % n;
            if (slots.get(slot) == null && slots.compareAndSet(slot, null, object)) {
                return;
            }
        }
    }

    /** How many objects the factory has made. */
    public long created() {
        return created.get();
    }

    private static int startSlot(int slots) {
        return (int) (Thread.currentThread().getId() % slots);
    }
}
