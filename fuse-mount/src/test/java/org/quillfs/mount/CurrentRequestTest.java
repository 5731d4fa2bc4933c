package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

/** Which raw requests ask that set-ID bits be cleared, and that the note is the serving thread's own. */
class CurrentRequestTest {

    private static final Runtime RUNTIME = Runtime.getSystemRuntime();

    private static Pointer request(int opcode, int offset, int value) {
        Pointer request = Memory.allocateDirect(RUNTIME, 128, true);
        request.putInt(4, opcode);
        request.putInt(offset, value);
        return request;
    }

    @Test
    void aWriteOrSetattrWithTheKillFlagAsksForItAndNothingElseDoes() {
        assertThat(CurrentRequest.clearsSetId(request(CurrentRequest.FUSE_WRITE, 60,
                CurrentRequest.FUSE_WRITE_KILL_SUIDGID))).isTrue();
        assertThat(CurrentRequest.clearsSetId(request(CurrentRequest.FUSE_WRITE, 60, 1))).isFalse(); // FUSE_WRITE_CACHE
        assertThat(CurrentRequest.clearsSetId(request(CurrentRequest.FUSE_SETATTR, 40,
                CurrentRequest.FATTR_KILL_SUIDGID | 1 << 3))).isTrue();
        assertThat(CurrentRequest.clearsSetId(request(CurrentRequest.FUSE_SETATTR, 40, 1 << 3))).isFalse();
        assertThat(CurrentRequest.clearsSetId(request(InitReply.FUSE_INIT, 60, -1))).isFalse();
    }

    @Test
    void eachThreadSeesTheRequestItServes() throws InterruptedException {
        CurrentRequest.note(request(CurrentRequest.FUSE_WRITE, 60, CurrentRequest.FUSE_WRITE_KILL_SUIDGID), null);
        boolean[] other = new boolean[1];
        Thread t = new Thread(() -> {
            CurrentRequest.note(request(CurrentRequest.FUSE_WRITE, 60, 0), null);
            other[0] = CurrentRequest.clearSetId();
        });
        t.start();
        t.join();
        assertThat(CurrentRequest.clearSetId()).isTrue();
        assertThat(other[0]).isFalse();
    }
}
