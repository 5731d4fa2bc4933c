package org.quillfs.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the crash campaign ({@link CrashCampaign}; docs/TESTING.md). With no options it is the
 * part of {@code make test}: at least 20,000 distinct crash states. {@code make crash-test} runs
 * it deeper. System properties:
 *
 * <pre>
 *   quillfs.crash.states       at least this many distinct crash states (default 20000)
 *   quillfs.crash.seed         the campaign's seed (default 20261123)
 *   quillfs.crash.workloads    only workloads whose spec matches this regular expression
 *   quillfs.crash.out          where failed states are saved (default target/crash-failures)
 *   quillfs.crash.threads      workloads run at once (default: the processors)
 *   quillfs.crash.reorderings  random reorderings per window between flushes (default 3)
 *   quillfs.crash.torn         random tears per write (default 2)
 *   quillfs.crash.replay       WORKLOAD@POINT: record that workload again and check that state only
 *                              (POINT "last": the end of the run, after the clean unmount)
 * </pre>
 *
 * The test fails on any failed state.
 */
class CrashCampaignTest {

    static CrashCampaign.Options options() {
        return new CrashCampaign.Options(
                Long.getLong("quillfs.crash.states", 20_000),
                Long.getLong("quillfs.crash.seed", 20261123L),
                Pattern.compile(System.getProperty("quillfs.crash.workloads", "")),
                Path.of(System.getProperty("quillfs.crash.out", "target/crash-failures")),
                Integer.getInteger("quillfs.crash.threads", Runtime.getRuntime().availableProcessors()),
                Integer.getInteger("quillfs.crash.reorderings", 3),
                Integer.getInteger("quillfs.crash.torn", 2),
                emptyToNull(System.getProperty("quillfs.crash.replay")),
                20);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Test
    void everyCrashStateRecoversChecksCleanAndShowsOnlyWhatTheWorkloadAllows() {
        CrashCampaign.Options options = options();
        CrashCampaign campaign = new CrashCampaign(options, System.out);
        long failed = campaign.run();
        assertThat(failed).as("crash states that failed (see the output above and %s)", options.out().toAbsolutePath())
                .isZero();
        if (options.replay() == null && options.workloads().pattern().isEmpty()) {
            assertThat(campaign.stats().states.sum()).as("distinct crash states checked").isGreaterThanOrEqualTo(options.states());
        }
    }
}
