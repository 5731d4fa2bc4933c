package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UndoLogTest {

    /** Pushes an update of {@code length} bytes, each {@code fill}, the way Transaction does. */
    static void push(UndoLog undo, long block, int length, byte fill) {
        byte[] images = undo.room(length);
        Arrays.fill(images, undo.imageEnd(), undo.imageEnd() + length, fill);
        undo.push(block + 1000, block, (int) block * 3, length);
    }

    @Test
    void popGivesTheUpdatesBackNewestFirstWithTheirImagesPastEveryGrowth() {
        UndoLog undo = new UndoLog();
        for (int i = 0; i < 100; i++) { // more entries and image bytes than the arrays start with
            push(undo, i, 50 + i, (byte) i);
        }
        for (int i = 99; i >= 0; i--) {
            UndoLog.Entry e = undo.pop();
            assertThat(e.block()).isEqualTo(i);
            assertThat(e.prevLsn()).isEqualTo(i + 1000);
            assertThat(e.offset()).isEqualTo(i * 3);
            byte[] expected = new byte[50 + i];
            Arrays.fill(expected, (byte) i);
            assertThat(e.before()).isEqualTo(expected);
        }
        assertThat(undo.isEmpty()).isTrue();
        assertThatThrownBy(undo::pop).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void afterClearNothingOfTheLastUseComesBack() {
        UndoLog undo = new UndoLog();
        push(undo, 1, 10, (byte) 1);
        push(undo, 2, 10, (byte) 2);
        undo.clear();
        assertThat(undo.isEmpty()).isTrue();
        assertThat(undo.imageEnd()).isZero();

        push(undo, 3, 4, (byte) 3);
        UndoLog.Entry e = undo.pop();
        assertThat(e.block()).isEqualTo(3);
        assertThat(e.before()).containsExactly(3, 3, 3, 3);
        assertThat(undo.isEmpty()).isTrue();
    }
}
