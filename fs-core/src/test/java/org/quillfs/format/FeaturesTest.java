package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class FeaturesTest {

    @Property
    void unknownIncompatibleFeaturesRefuseTheFilesystemEvenReadOnly(@ForAll int compat, @ForAll int roCompat,
            @ForAll int incompat, @ForAll boolean writable) {
        Assume.that((incompat & ~Features.KNOWN_INCOMPAT) != 0);
        assertThat(Features.problem(SuperblockTest.withFeatures(compat, roCompat, incompat), writable))
                .hasValue(String.format(
                        "filesystem uses unsupported incompatible features 0x%x: it needs a newer quillfs",
                        incompat & ~Features.KNOWN_INCOMPAT));
    }

    @Property
    void unknownReadOnlyCompatibleFeaturesAllowOnlyReadOnlyAccess(@ForAll int compat, @ForAll int roCompat) {
        Assume.that((roCompat & ~Features.KNOWN_RO_COMPAT) != 0);
        Superblock sb = SuperblockTest.withFeatures(compat, roCompat, 0);
        assertThat(Features.problem(sb, true)).hasValueSatisfying(p -> assertThat(p)
                .contains(String.format("0x%x", roCompat & ~Features.KNOWN_RO_COMPAT))
                .endsWith("can only be opened read-only"));
        assertThat(Features.problem(sb, false)).isEmpty();
    }

    @Property
    void compatibleFeaturesAreIgnored(@ForAll int compat, @ForAll boolean writable) {
        assertThat(Features.problem(SuperblockTest.withFeatures(compat, 0, 0), writable)).isEmpty();
    }
}
