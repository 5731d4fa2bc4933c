package org.quillfs.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quillfs.concurrent.LockOrder.Level;

class LockOrderTest {

    @AfterEach
    void releaseAll() {
        for (Level level : Level.values()) {
            LockOrder.released(level);
        }
    }

    @Test
    void theBuildChecksTheLockOrderInEveryUnitTest() {
        assertThat(LockOrder.checked()).as("-Dquillfs.checkLockOrder=true from the parent pom").isTrue();
    }

    @Test
    void locksTakenInOrderPass() {
        assertThatCode(() -> {
            LockOrder.taking(Level.GATE);
            LockOrder.taking(Level.CACHE);
            LockOrder.taking(Level.LATCH);
            LockOrder.taking(Level.LOG);
        }).doesNotThrowAnyException();
    }

    @Test
    void anEarlierLockUnderALaterOneFailsNamingBoth() {
        LockOrder.taking(Level.LATCH);
        assertThatThrownBy(() -> LockOrder.taking(Level.CACHE)).hasMessageContaining("CACHE taken while holding LATCH");
    }

    @Test
    void theSameLockTwiceFails() {
        LockOrder.taking(Level.GATE);
        assertThatThrownBy(() -> LockOrder.taking(Level.GATE)).hasMessageContaining("GATE taken while holding GATE");
    }

    @Test
    void aLongWaitUnderAnyOrderedLockFailsAndIsFineOnceItIsReleased() {
        LockOrder.taking(Level.GATE);
        assertThatThrownBy(() -> LockOrder.mayWaitFor("a page lock"))
                .hasMessageContaining("waits for a page lock while holding GATE");
        LockOrder.released(Level.GATE);
        assertThatCode(() -> LockOrder.mayWaitFor("a page lock")).doesNotThrowAnyException();
    }
}
