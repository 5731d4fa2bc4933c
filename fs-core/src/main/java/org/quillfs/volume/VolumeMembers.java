package org.quillfs.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The devices a filesystem lives on, as the commands are given them: one device without a
 * label (a plain filesystem, opened as always), or every member of one volume, in any order,
 * put in member order by their labels ({@link VolumeLabel}).
 *
 * <p>{@link #probe} only reads. It refuses, naming the device: a device that is not a member
 * (when several are given), a damaged label, a device given twice or two members with one
 * index, a member of another volume, a member whose size is not the one in its label, and a
 * member nobody gave. Only then may a command open the members for writing ({@link #open}).
 */
public final class VolumeMembers {

    private final List<Path> paths;
    private final List<VolumeLabel> labels;

    private VolumeMembers(List<Path> paths, List<VolumeLabel> labels) {
        this.paths = paths;
        this.labels = labels;
    }

    /** Reads the labels of {@code paths} and checks that they make one whole volume (or are one plain device). */
    public static VolumeMembers probe(List<Path> paths) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no device given");
        }
        refuseRepeats(paths);
        List<VolumeLabel> found = new ArrayList<>();
        for (Path path : paths) {
            ByteBuffer head = head(path);
            if (!VolumeLabel.present(head)) {
                if (paths.size() == 1) {
                    return new VolumeMembers(List.copyOf(paths), List.of());
                }
                throw new VolumeAssemblyException(path.toString(), path + " is not a member of a quillfs volume (no volume label)");
            }
            try {
                found.add(VolumeLabel.decode(head));
            } catch (IllegalArgumentException e) {
                throw new VolumeAssemblyException(path.toString(), path + ": " + e.getMessage());
            }
        }
        VolumeLabel first = found.get(0);
        Path[] byIndex = new Path[first.memberCount()];
        VolumeLabel[] labelByIndex = new VolumeLabel[first.memberCount()];
        for (int i = 0; i < paths.size(); i++) {
            Path path = paths.get(i);
            VolumeLabel label = found.get(i);
            if (!label.volume().equals(first.volume())) {
                throw new VolumeAssemblyException(path.toString(), path + " is a member of another volume (" + label.volume()
                        + ", not " + first.volume() + " of " + paths.get(0) + ")");
            }
            if (!label.sameVolumeAs(first)) {
                throw new VolumeAssemblyException(path.toString(), path + ": its volume label disagrees with that of "
                        + paths.get(0) + " about the volume's layout or size");
            }
            if (byIndex[label.member()] != null) {
                throw new VolumeAssemblyException(path.toString(), path + " is member " + label.member()
                        + " of the volume, as is " + byIndex[label.member()] + ": a duplicate");
            }
            long blocks = sizeOf(path) / label.blockSize();
            if (blocks != label.memberBlocks()) {
                throw new VolumeAssemblyException(path.toString(), path + " holds " + blocks + " blocks of "
                        + label.blockSize() + " bytes, but its volume label says " + label.memberBlocks()
                        + ": its size changed");
            }
            byIndex[label.member()] = path;
            labelByIndex[label.member()] = label;
        }
        for (int m = 0; m < byIndex.length; m++) {
            if (byIndex[m] == null) {
                throw new VolumeAssemblyException("member " + m, "member " + m + " of volume " + first.volume() + " ("
                        + first.memberCount() + " members) is missing: give every member's device");
            }
        }
        return new VolumeMembers(List.of(byIndex), List.of(labelByIndex));
    }

    /**
     * The devices a command-line argument names: the file or device of that name if there is one
     * (commas and all), else the paths it joins with commas ({@code DEV1,DEV2,...}).
     */
    public static List<Path> devicesOf(Path argument) {
        String text = argument.toString();
        if (Files.exists(argument) || !text.contains(",")) {
            return List.of(argument);
        }
        List<Path> devices = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isEmpty()) {
                devices.add(argument.getFileSystem().getPath(part));
            }
        }
        return devices;
    }

    /** Whether the devices are members of a volume (else one plain device, {@link #paths()}.get(0)). */
    public boolean isVolume() {
        return !labels.isEmpty();
    }

    /** The devices, in member order. */
    public List<Path> paths() {
        return paths;
    }

    /** The members' labels, in member order; empty for a plain device. */
    public List<VolumeLabel> labels() {
        return labels;
    }

    /** What to call the volume: its members' paths, in member order, joined by commas. */
    public String name() {
        return paths.stream().map(Path::toString).collect(Collectors.joining(","));
    }

    /** Opens every member and composes the volume. Only for a volume ({@link #isVolume()}). */
    public BlockDevice open(boolean writable) {
        VolumeLabel label = volumeLabel();
        List<BlockDevice> opened = new ArrayList<>();
        try {
            for (int m = 0; m < paths.size(); m++) {
                opened.add(FileBlockDevice.open(paths.get(m), label.blockSize(), writable, labels.get(m).memberBlocks()));
            }
            return assemble(opened);
        } catch (RuntimeException e) {
            opened.forEach(BlockDevice::close);
            throw e;
        }
    }

    /**
     * Composes the volume over {@code wholeMembers}, already opened (in member order, with the
     * volume's block size, covering each whole member): for a command that opens the devices itself.
     */
    public BlockDevice assemble(List<BlockDevice> wholeMembers) {
        VolumeLabel label = volumeLabel();
        BlockDevice volume = compose(name(), label.layout(), label.stripeUnit(), wholeMembers);
        if (volume.blockCount() != label.volumeBlocks()) {
            throw new VolumeAssemblyException(name(), name() + ": the members make a volume of " + volume.blockCount()
                    + " blocks, but their labels say " + label.volumeBlocks());
        }
        return volume;
    }

    /**
     * The volume laid out as {@code layout} over {@code wholeMembers} (member order), each
     * member's label block left out of it: what mkfs formats before it writes the labels.
     */
    public static BlockDevice compose(String name, Layout layout, int stripeUnit, List<BlockDevice> wholeMembers) {
        List<BlockDevice> dataAreas = new ArrayList<>();
        for (BlockDevice member : wholeMembers) {
            dataAreas.add(new MemberDataArea(member, member.blockCount() - VolumeLabel.LABEL_BLOCKS));
        }
        return layout == Layout.STRIPE ? new StripedVolume(name, dataAreas, stripeUnit) : new ConcatVolume(name, dataAreas);
    }

    /**
     * Labels {@code wholeMembers} (member order) as the members of volume {@code volume} of
     * {@code volumeBlocks} blocks, and flushes them: the last step of making a volume, after
     * the filesystem is on it, so that a volume made halfway is not taken for one.
     */
    public static void writeLabels(UUID volume, Layout layout, int stripeUnit, List<BlockDevice> wholeMembers,
            long volumeBlocks) {
        int n = wholeMembers.size();
        for (int m = 0; m < n; m++) {
            BlockDevice member = wholeMembers.get(m);
            new VolumeLabel(volume, m, n, layout, member.blockSize(), layout == Layout.STRIPE ? stripeUnit : 0,
                    member.blockCount(), volumeBlocks).writeTo(member);
        }
        for (BlockDevice member : wholeMembers) {
            member.flush();
        }
    }

    /** The blocks a volume of {@code layout} over members of {@code memberBlocks} (labels included) holds. */
    public static long capacity(Layout layout, int stripeUnit, long... memberBlocks) {
        long[] data = Arrays.stream(memberBlocks).map(b -> b - VolumeLabel.LABEL_BLOCKS).toArray();
        if (layout == Layout.CONCAT) {
            return Arrays.stream(data).sum();
        }
        long smallest = Arrays.stream(data).min().orElse(0);
        return smallest / stripeUnit * stripeUnit * data.length;
    }

    private VolumeLabel volumeLabel() {
        if (!isVolume()) {
            throw new IllegalStateException(paths.get(0) + " is a plain device, not a volume: open it as one");
        }
        return labels.get(0);
    }

    private static void refuseRepeats(List<Path> paths) {
        for (int i = 0; i < paths.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (sameFile(paths.get(i), paths.get(j))) {
                    throw new VolumeAssemblyException(paths.get(i).toString(), paths.get(i) + " is given twice"
                            + (paths.get(i).equals(paths.get(j)) ? "" : " (as " + paths.get(j) + ")") + ": a duplicate");
                }
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return a.equals(b) || Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The first {@link VolumeLabel#SIZE} bytes of {@code path} (fewer if it is shorter). */
    private static ByteBuffer head(Path path) {
        long size = sizeOf(path);
        if (size < VolumeLabel.SIZE) {
            return ByteBuffer.allocate(0);
        }
        try (FileBlockDevice device = FileBlockDevice.open(path, VolumeLabel.SIZE, false, 1)) {
            ByteBuffer head = ByteBuffer.allocate(VolumeLabel.SIZE);
            device.read(0, head);
            return head.clear();
        }
    }

    private static long sizeOf(Path path) {
        if (!Files.exists(path)) {
            throw new VolumeAssemblyException(path.toString(), path + " does not exist");
        }
        return FileBlockDevice.sizeOf(path);
    }
}
