package org.quillfs.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.quillfs.volume.Layout;
import org.quillfs.volume.VolumeLabel;

/** The volume, when the filesystem spans several devices: its layout and its members, from their labels. */
final class VolumeSection {

    private VolumeSection() {
    }

    static void describe(Image image, Report report) {
        if (!image.devices.isVolume()) {
            return;
        }
        List<VolumeLabel> labels = image.devices.labels();
        VolumeLabel first = labels.get(0);
        Map<String, Object> s = report.section("volume");
        s.put("uuid", first.volume().toString());
        s.put("layout", first.layout().word());
        if (first.layout() == Layout.STRIPE) {
            s.put("stripe unit", first.stripeUnit() + " blocks (" + (long) first.stripeUnit() * first.blockSize()
                    + " bytes)");
        }
        s.put("block size", first.blockSize());
        s.put("blocks", first.volumeBlocks());
        List<Object> members = new ArrayList<>();
        for (int m = 0; m < labels.size(); m++) {
            members.add("member " + m + ": " + image.devices.paths().get(m) + ", " + labels.get(m).memberBlocks()
                    + " blocks (block 0 its label)");
        }
        s.put("members", members);
    }
}
