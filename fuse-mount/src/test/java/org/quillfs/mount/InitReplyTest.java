package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

/** The INIT reply gets FUSE_HANDLE_KILLPRIV_V2 added, and nothing else is touched. */
class InitReplyTest {

    private static final Runtime RUNTIME = Runtime.getSystemRuntime();
    private static final int FLAGS_FROM_LIBFUSE = 0x0000_0409;

    /** Two iovecs as libfuse sends a reply: the out header (error {@code error}), then a fuse_init_out. */
    private static Pointer reply(int error, int initOutLength, Pointer header, Pointer initOut) {
        header.putInt(0, 16 + initOutLength);
        header.putInt(4, error);
        initOut.putInt(0, 7);
        initOut.putInt(4, 19);
        initOut.putInt(12, FLAGS_FROM_LIBFUSE);
        Pointer iov = Memory.allocateDirect(RUNTIME, 32, true);
        iov.putPointer(0, header);
        iov.putLong(8, 16);
        iov.putPointer(16, initOut);
        iov.putLong(24, initOutLength);
        return iov;
    }

    @Test
    void aSuccessfulInitReplyGetsTheFlagAndKeepsLibfusesFlags() {
        Pointer header = Memory.allocateDirect(RUNTIME, 16, true);
        Pointer initOut = Memory.allocateDirect(RUNTIME, 24, true);
        Pointer iov = reply(0, 24, header, initOut);
        assertThat(InitReply.addFlags(iov, 2, InitReply.FUSE_HANDLE_KILLPRIV_V2)).isTrue();
        assertThat(initOut.getInt(12)).isEqualTo(FLAGS_FROM_LIBFUSE | InitReply.FUSE_HANDLE_KILLPRIV_V2);
        assertThat(initOut.getInt(4)).as("the minor version").isEqualTo(19);
    }

    @Test
    void anErrorReplyOrOneWithoutInitOutIsLeftAlone() {
        Pointer header = Memory.allocateDirect(RUNTIME, 16, true);
        Pointer initOut = Memory.allocateDirect(RUNTIME, 24, true);
        assertThat(InitReply.addFlags(reply(-71, 24, header, initOut), 2, InitReply.FUSE_HANDLE_KILLPRIV_V2)).isFalse();
        assertThat(InitReply.addFlags(reply(0, 24, header, initOut), 1, InitReply.FUSE_HANDLE_KILLPRIV_V2)).isFalse();
        assertThat(InitReply.addFlags(reply(0, 8, header, initOut), 2, InitReply.FUSE_HANDLE_KILLPRIV_V2)).isFalse();
        assertThat(initOut.getInt(12)).isEqualTo(FLAGS_FROM_LIBFUSE);
    }

    @Test
    void onlyAnInitThatOffersTheFlagIsAnsweredThisWay() {
        Pointer request = Memory.allocateDirect(RUNTIME, 104, true);
        request.putInt(4, InitReply.FUSE_INIT);
        request.putInt(52, 0x7fff_ffff & ~InitReply.FUSE_HANDLE_KILLPRIV_V2);
        assertThat(InitReply.offersKillprivV2(request)).isFalse();
        request.putInt(52, InitReply.FUSE_HANDLE_KILLPRIV_V2);
        assertThat(InitReply.offersKillprivV2(request)).isTrue();
        request.putInt(4, CurrentRequest.FUSE_WRITE);
        assertThat(InitReply.offersKillprivV2(request)).isFalse();
    }
}
