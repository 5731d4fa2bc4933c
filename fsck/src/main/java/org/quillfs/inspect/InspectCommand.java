package org.quillfs.inspect;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.quillfs.volume.VolumeMembers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quillfs inspect}: shows on-disk structures readably, as dumpe2fs and debugfs do. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "Shows the structures of a quillfs image. Without a SECTION: the superblock and the groups.",
            "For a volume, give all its members (DEV1,DEV2,... or DEV1 DEV2 ...): its layout and members come first.",
            "Damaged structures are shown with what is wrong with them."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:everything shown is sound",
            "4:something shown is damaged (bad magic, checksum, or inconsistent counts)",
            "8:the image cannot be read at all (missing, not quillfs, block size destroyed)",
            "16:usage error"
        })
final class InspectCommand implements Callable<Integer> {

    private static final List<String> SECTIONS = List.of("superblock", "groups", "inode", "journal");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image file or block device (or a volume's members).")
    Path imagePath;

    @Parameters(index = "1..*", paramLabel = "SECTION",
            description = "superblock | groups | inode N | journal (after any further members of a volume)")
    List<String> section = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        List<Path> devices = new ArrayList<>(VolumeMembers.devicesOf(imagePath));
        // Further members of a volume, given as separate arguments: files before the section.
        while (!section.isEmpty() && !SECTIONS.contains(section.get(0))
                && Files.exists(imagePath.getFileSystem().getPath(section.get(0)))) {
            devices.add(imagePath.getFileSystem().getPath(section.remove(0)));
        }
        String what = section.isEmpty() ? "" : section.get(0);
        checkArity(what);
        Report report = new Report();
        try (Image image = Image.open(devices)) {
            VolumeSection.describe(image, report);
            SuperblockSection.describe(image, report);
            if (!what.isEmpty() && !what.equals("superblock") && !image.geometryUsable()) {
                report.problem(report.section(what), what,
                        "cannot be located: the superblock's geometry is damaged");
            } else {
                switch (what) {
                    case "", "groups" -> GroupsSection.describe(image, report);
                    case "superblock" -> { }
                    case "journal" -> JournalSection.describe(image, report);
                    case "inode" -> InodeSection.describe(image, report, inodeNumber());
                    default -> throw new IllegalStateException("unreachable: " + what);
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            report.printJson(out);
        } else {
            report.printText(out);
        }
        out.flush();
        return report.hasProblems() ? QuillfsCommand.EXIT_DAMAGED : QuillfsCommand.EXIT_OK;
    }

    private void checkArity(String what) {
        int expected = switch (what) {
            case "" -> 0;
            case "superblock", "groups", "journal" -> 1;
            case "inode" -> 2;
            default -> throw new IllegalArgumentException("unknown section '" + what
                    + "': use superblock, groups, inode N or journal");
        };
        if (section.size() != expected) {
            throw new IllegalArgumentException(what.equals("inode") ? "inode needs one inode number, e.g. inode 1"
                    : "section " + what + " takes no further arguments");
        }
    }

    private long inodeNumber() {
        try {
            return Long.parseLong(section.get(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("inode number '" + section.get(1) + "' is not a number");
        }
    }
}
