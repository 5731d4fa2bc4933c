package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NameCacheTest {

    private static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aLookupIsCachedByDirectoryAndNameBytes() {
        NameCache cache = new NameCache(16);
        cache.put(cache.stamp(), 1, name("a"), 12);

        assertThat(cache.get(1, name("a"))).isEqualTo(12);
        assertThat(cache.get(2, name("a"))).isEqualTo(NameCache.MISSING);
        assertThat(cache.get(1, name("b"))).isEqualTo(NameCache.MISSING);
        assertThat(cache.get(1, new byte[] {(byte) 0xff})).isEqualTo(NameCache.MISSING);
    }

    @Test
    void theCallersNameArrayCanBeReusedAfterPut() {
        NameCache cache = new NameCache(16);
        byte[] n = name("a");
        cache.put(cache.stamp(), 1, n, 12);
        n[0] = 'z';

        assertThat(cache.get(1, name("a"))).isEqualTo(12);
        assertThat(cache.get(1, name("z"))).isEqualTo(NameCache.MISSING);
    }

    @Test
    void unlinkAndRenameForgetTheNamesTheyChange() {
        NameCache cache = new NameCache(16);
        cache.put(cache.stamp(), 1, name("a"), 12);
        cache.put(cache.stamp(), 1, name("b"), 13);
        cache.put(cache.stamp(), 2, name("c"), 14);
        cache.put(cache.stamp(), 2, name("keep"), 15);

        cache.changing();
        cache.changed(1, name("a"));
        cache.changing();
        cache.changed(1, name("b"), 2, name("c")); // rename b over c

        assertThat(cache.get(1, name("a"))).isEqualTo(NameCache.MISSING);
        assertThat(cache.get(1, name("b"))).isEqualTo(NameCache.MISSING);
        assertThat(cache.get(2, name("c"))).isEqualTo(NameCache.MISSING);
        assertThat(cache.get(2, name("keep"))).isEqualTo(15);
    }

    @Test
    void aLookupThatStartedBeforeAChangeFinishedIsNotCached() {
        NameCache cache = new NameCache(16);
        long stamp = cache.stamp();
        cache.changing();
        cache.changed(1, name("a"));
        cache.put(stamp, 1, name("a"), 12); // read before the unlink: may be what it removed

        assertThat(cache.get(1, name("a"))).isEqualTo(NameCache.MISSING);
    }

    @Test
    void aLookupThatStartedDuringAChangeIsNotCachedEvenAfterIt() {
        NameCache cache = new NameCache(16);
        cache.changing();
        long stamp = cache.stamp();
        assertThat(stamp).isEqualTo(NameCache.NO_STAMP);
        cache.changed(1, name("a"));
        cache.put(stamp, 1, name("a"), 12);

        assertThat(cache.get(1, name("a"))).isEqualTo(NameCache.MISSING);
    }

    @Test
    void aLookupThatOverlapsTheStartOfAChangeIsNotCached() {
        NameCache cache = new NameCache(16);
        long stamp = cache.stamp();
        cache.changing();
        cache.put(stamp, 1, name("a"), 12); // the change is still in flight

        cache.changed(1, name("b"));
        assertThat(cache.get(1, name("a"))).isEqualTo(NameCache.MISSING);
    }

    @Test
    void aLookupAfterAChangeIsCachedAgain() {
        NameCache cache = new NameCache(16);
        cache.changing();
        cache.changed(1, name("a"));
        cache.put(cache.stamp(), 1, name("a"), 12);

        assertThat(cache.get(1, name("a"))).isEqualTo(12);
    }

    @Test
    void theLeastRecentlyUsedNameIsEvictedBeyondTheCapacity() {
        NameCache cache = new NameCache(2);
        cache.put(cache.stamp(), 1, name("a"), 12);
        cache.put(cache.stamp(), 1, name("b"), 13);
        cache.get(1, name("a")); // a is now more recent than b
        cache.put(cache.stamp(), 1, name("c"), 14);

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(1, name("a"))).isEqualTo(12);
        assertThat(cache.get(1, name("b"))).isEqualTo(NameCache.MISSING);
        assertThat(cache.get(1, name("c"))).isEqualTo(14);
    }

    @Test
    void changedWithoutChangingIsABug() {
        NameCache cache = new NameCache(2);
        assertThatThrownBy(() -> cache.changed(1, name("a")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without a matching changing()");
    }
}
