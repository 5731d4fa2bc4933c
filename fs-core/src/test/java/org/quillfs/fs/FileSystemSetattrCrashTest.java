package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;

import org.junit.jupiter.api.Test;
import org.quillfs.file.DataMode;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * setattr is one operation, so one transaction (docs/FILESYSTEM.md, "One operation, one
 * transaction"): a crash shows a truncate together with the mode and times the same call set, or
 * none of it. Before, the size went in its own transaction(s) and the rest in another, and a
 * crash between them (a forced commit: in data=journal the truncate's zeroed block is journaled
 * and its commit forced; in data=ordered another thread's fsync) showed the new size with the
 * old mode and a ctime no completed call had set. Found by the crash campaign (fsck module,
 * org.quillfs.crash).
 */
class FileSystemSetattrCrashTest {

    @Test
    void aTruncateAndTheModeSetWithItSurviveACrashTogetherOrNotAtAll() {
        TestFileSystems t = TestFileSystems.standard(FsOptions.defaults().withData(DataMode.JOURNAL));
        long f = t.file(ROOT, "f", TestFileSystems.random(9000, 1));
        t.fs.sync();
        t.fs.close();
        RecordingBlockDevice recording = new RecordingBlockDevice(t.device);
        FileSystem fs = FileSystem.open(recording, t.options);
        fs.setattr(f, AttributeChanges.size(1000).withMode(0600));
        Attributes after = fs.getattr(f);
        fs.sync();
        fs.halt();

        CrashStates states = new CrashStates(recording);
        for (int n = 0; n <= states.writes(); n++) {
            CrashState crash = states.atWrite(n);
            MemoryBlockDevice device = crash.device();
            FileSystem recovered = FileSystem.open(device, t.options.withReadOnly(true));
            try {
                Attributes a = recovered.getattr(f);
                boolean before = a.size() == 9000 && (a.mode() & 07777) == 0644;
                boolean done = a.size() == 1000 && (a.mode() & 07777) == 0600 && a.ctime().equals(after.ctime());
                assertThat(before || done).as("%s: size %d, mode 0%o, ctime %s (the call set size 1000, mode 0600, ctime %s)",
                        crash, a.size(), a.mode() & 07777, a.ctime(), after.ctime()).isTrue();
            } finally {
                recovered.halt();
            }
        }
    }
}
