package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.quillfs.file.DataMode;
import org.junit.jupiter.api.Test;
import org.quillfs.fs.FsOptions;

class MountOptionsTest {

    private static MountOptions parse(String... lists) {
        return MountOptions.parse(List.of(lists), false);
    }

    private static String fuseOptions(MountOptions o) {
        List<String> args = o.fuseArguments("/srv/q.img");
        assertThat(args).hasSize(2).first().isEqualTo("-o");
        return args.get(1);
    }

    @Test
    void defaultsAreReadWriteRelatimeWithTheStoreDefaults() {
        MountOptions o = parse();
        assertThat(o.readOnly()).isFalse();
        assertThat(o.atime()).isEqualTo(FsOptions.AtimeMode.RELATIME);
        assertThat(o.commitInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.cacheBytes()).isEqualTo(64L << 20);
        assertThat(o.maxWrite()).isEqualTo(131072);
        assertThat(o).isEqualTo(MountOptions.defaults());
    }

    @Test
    void laterOptionsWinAsWithMount() {
        assertThat(parse("ro,rw").readOnly()).isFalse();
        assertThat(parse("rw", "ro").readOnly()).isTrue();
        assertThat(parse("noatime,strictatime").atime()).isEqualTo(FsOptions.AtimeMode.STRICTATIME);
        assertThat(parse("strictatime,relatime").atime()).isEqualTo(FsOptions.AtimeMode.RELATIME);
        assertThat(parse("nosuid,suid").kernelFlags()).containsExactly("suid");
    }

    @Test
    void tunablesReachTheFacadeOptions() {
        FsOptions fs = parse("ro,noatime,commit=30,cache=256").fsOptions();
        assertThat(fs.readOnly()).isTrue();
        assertThat(fs.atime()).isEqualTo(FsOptions.AtimeMode.NOATIME);
        assertThat(fs.store().commitInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fs.store().cacheBytes()).isEqualTo(256L << 20);
        assertThat(parse("commit=0").commitInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void fuseAlwaysGetsTheFastAndSafeOptions() {
        String o = fuseOptions(parse());
        assertThat(o.split(",")).contains("rw", "subtype=quillfs", "fsname=/srv/q.img", "default_permissions",
                "use_ino", "hard_remove", "big_writes", "max_write=131072", "entry_timeout=60",
                "negative_timeout=60", "attr_timeout=1", "auto_cache");
        assertThat(o).doesNotContain("writeback_cache", "clone_fd", "allow_other", "nonempty");
    }

    @Test
    void userOptionsThatFuseNeedsArePassedOn() {
        String o = fuseOptions(parse("ro,allow_other,nonempty,max_write=65536,noexec,nodev,noatime"));
        assertThat(o.split(",")).contains("ro", "allow_other", "nonempty", "max_write=65536", "noexec", "nodev",
                "noatime");
    }

    @Test
    void maxWriteAboveWhatLibfuseDoesIsCapped() {
        assertThat(parse("max_write=1048576").maxWrite()).isEqualTo(131072);
        assertThatThrownBy(() -> parse("max_write=100")).isInstanceOf(MountOptions.BadOption.class)
                .hasMessage("mount option 'max_write=100' must be from 4096 to 2147483647");
    }

    @Test
    void readAheadIsAMebibyteUnlessSetAndZeroKeepsTheKernels() {
        assertThat(parse().readAheadKib()).isEqualTo(1024);
        assertThat(parse("read_ahead_kb=4096").readAheadKib()).isEqualTo(4096);
        assertThat(parse("read_ahead_kb=0").readAheadKib()).isZero();
        assertThatThrownBy(() -> parse("read_ahead_kb=-1"))
                .hasMessage("mount option 'read_ahead_kb=-1' must be from 0 to 1048576");
        assertThat(String.join(" ", parse("read_ahead_kb=4096").fuseArguments("/i.img")))
                .as("not a libfuse option: set through sysfs after mounting").doesNotContain("read_ahead");
    }

    @Test
    void commasAndBackslashesInTheImageNameAreEscapedForLibfuse() {
        assertThat(MountOptions.defaults().fuseArguments("/srv/a,b\\c.img").get(1))
                .contains("fsname=/srv/a\\,b\\\\c.img,");
    }

    @Test
    void optionsMountPassesThatMeanNothingHereAreIgnored() {
        MountOptions o = parse("defaults,auto,nouser,_netdev,nofail,x-systemd.automount,comment=x,async");
        assertThat(o.ignored()).containsExactly("defaults", "auto", "nouser", "_netdev", "nofail",
                "x-systemd.automount", "comment=x", "async");
        assertThat(o.readOnly()).isFalse();
    }

    @Test
    void unknownOptionsAreRefusedWithExitCode1UnlessSloppy() {
        assertThatThrownBy(() -> parse("rw,bogus")).isInstanceOf(MountOptions.BadOption.class)
                .hasMessage("unknown mount option 'bogus' (see mount.quillfs --help)")
                .extracting(e -> ((MountOptions.BadOption) e).exitCode()).isEqualTo(1);
        assertThat(MountOptions.parse(List.of("rw,bogus"), true).ignored()).containsExactly("bogus");
    }

    @Test
    void badValuesAreRefusedWithExitCode1() {
        assertThatThrownBy(() -> parse("commit=soon")).hasMessage("mount option 'commit=soon' needs a whole number")
                .extracting(e -> ((MountOptions.BadOption) e).exitCode()).isEqualTo(1);
        assertThatThrownBy(() -> parse("cache=1")).hasMessage("mount option 'cache=1' must be from 4 to 1048576");
        assertThatThrownBy(() -> parse("ro=1")).hasMessage("mount option 'ro=1' takes no value");
        assertThatThrownBy(() -> parse("data=sometimes"))
                .hasMessage("mount option 'data=sometimes' must be data=ordered or data=journal");
        assertThatThrownBy(() -> parse("allow_other,allow_root"))
                .hasMessage("allow_other and allow_root cannot both be given");
    }

    @Test
    void dataOrderedIsTheDefaultJournalIsTheOptionAndWritebackIsRefusedWithExitCode32() {
        assertThat(parse("data=ordered")).isEqualTo(MountOptions.defaults());
        assertThat(parse("data=journal").fsOptions().data()).isEqualTo(DataMode.JOURNAL);
        assertThat(parse("").fsOptions().data()).isEqualTo(DataMode.ORDERED);
        assertThatThrownBy(() -> parse("data=writeback"))
                .extracting(e -> ((MountOptions.BadOption) e).exitCode()).isEqualTo(32);
        assertThatThrownBy(() -> parse("remount")).extracting(e -> ((MountOptions.BadOption) e).exitCode())
                .isEqualTo(32);
    }
}
