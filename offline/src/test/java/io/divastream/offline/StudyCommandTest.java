package io.divastream.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.divastream.datasets.DatasetFormat;
import io.divastream.datasets.StudyLayouts;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The study command: any dataset layout, its defaults shown, its report named after the data and never in docs/. */
class StudyCommandTest {

    private static final Path WEIGHTS = Path.of("..", "..", "shared", "weights");

    @TempDir
    Path dir;

    private static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        CommandLine root = new CommandLine(new DivaBatchMain());
        all.add(root);
        all.addAll(root.getSubcommands().values());
        return all;
    }

    @Test
    void noCommandWritesIntoDocsUnlessTold() {
        for (CommandLine command : commands()) {
            OptionSpec out = command.getCommandSpec().findOption("--out");
            if (out != null && out.defaultValue() != null) {
                assertThat(Path.of(out.defaultValue()).normalize().startsWith("docs"))
                        .as("default --out of %s: %s", command.getCommandName(), out.defaultValue())
                        .isFalse();
            }
        }
        Path report = StudyCommand.defaultOut(DatasetFormat.CARS, Path.of("/data/stanford cars/cars_train"));
        assertThat(report).isEqualTo(Path.of("results", "study-cars-cars_train.md"));
        assertThat(StudyCommand.title(DatasetFormat.CUB, Path.of("x/CUB_200_2011_classes001-030.tar"), "1-20:21-30"))
                .startsWith("cub (CUB_200_2011_classes001-030): ");
    }

    @Test
    void everyOptionWithADefaultShowsIt() {
        for (CommandLine command : commands()) {
            String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
            long withDefault = command.getCommandSpec().options().stream()
                    .filter(o -> o.defaultValue() != null && !o.usageHelp() && !o.versionHelp())
                    .count();
            assertThat(usage.split("Default: ", -1).length - 1)
                    .as("defaults shown by %s", command.getCommandName())
                    .isEqualTo(withDefault);
        }
    }

    @Test
    void theStudyRunsOnAnImageFolderWithTheCommandShapeOfEveryFormat() throws Exception {
        assumeTrue(Files.isDirectory(WEIGHTS), "../shared/weights missing");
        Path folder = dir.resolve("shop-catalogue");
        Random random = new Random(3);
        for (int c = 0; c < 4; c++) {
            Files.createDirectories(folder.resolve("class" + c));
            for (int i = 0; i < 4; i++) {
                BufferedImage image = new BufferedImage(96, 80, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = image.createGraphics();
                g.setColor(new Color(Color.HSBtoRGB(c / 4f, 0.8f, 0.9f)));
                g.fillRect(0, 0, 96, 80);
                g.setColor(new Color(random.nextInt(0xffffff)));
                g.fillOval(random.nextInt(40), random.nextInt(30), 30 + c * 5, 30);
                g.dispose();
                ImageIO.write(
                        image,
                        "jpg",
                        folder.resolve("class" + c).resolve(i + ".jpg").toFile());
            }
        }
        String text = study("folder", folder);
        assertThat(text)
                .startsWith("# folder (shop-catalogue): ")
                .contains("pooled features, 1280-d, no training | 1 |", "one 32-d embedding) | 2 |")
                .contains("DiVA (4 x 8-d, decorrelation, equal weights) | 2 |", "| Recall@8 |")
                .contains("n = 8 queries")
                .contains("| DiVA (4 x 8-d, decorrelation, equal weights) vs discriminative only");
    }

    /** Runs the study with one command shape on a layout of 4 classes (1-2 train, 3-4 test); returns its report. */
    private String study(String format, Path data) throws Exception {
        return study(format, data, "1-2:3-4");
    }

    /** Runs the study with one command shape and a split, plus further options; returns its report. */
    private String study(String format, Path data, String split, String... more) throws Exception {
        Path report = dir.resolve("report-" + format + ".md");
        List<String> args = new ArrayList<>(List.of(
                "study",
                "--format",
                format,
                "--data",
                data.toString(),
                "--split",
                split,
                "--weights",
                WEIGHTS.toString(),
                "--steps",
                "2",
                "--eval-every",
                "2",
                "--seeds",
                "0,1",
                "--feature-views",
                "1",
                "--classes-per-batch",
                "2",
                "--samples-per-class",
                "2",
                "--key-batches",
                "1",
                "--dim",
                "8",
                "--out",
                report.toString()));
        args.addAll(List.of(more));
        int status = new CommandLine(new DivaBatchMain()).execute(args.toArray(String[]::new));
        assertThat(status).as("study on %s", format).isZero();
        return Files.readString(report);
    }

    @Test
    void theStudySearchesInShopQueriesAgainstTheGalleryOrLeavesOneOutAsTold() throws Exception {
        assumeTrue(Files.isDirectory(WEIGHTS), "../shared/weights missing");
        Path inShop = dir.resolve("in-shop");
        StudyLayouts.inShop(inShop, 2, 2, 4);

        assertThat(study("inshop", inShop, "standard"))
                .startsWith("# inshop (in-shop): ")
                .contains("the 4 queries searched among the 4 gallery images (protocol auto)")
                .contains("n = 4 queries");
        assertThat(study("inshop", inShop, "standard", "--protocol", "leave-one-out"))
                .contains("leave-one-out retrieval among the 8 test images (protocol leave-one-out)")
                .contains("n = 8 queries");

        Path cub = dir.resolve("CUB_200_2011");
        StudyLayouts.cub(cub, 4, 4);
        java.io.StringWriter err = new java.io.StringWriter();
        int status = new CommandLine(new DivaBatchMain())
                .setErr(new java.io.PrintWriter(err))
                .execute(
                        "study",
                        "--format",
                        "cub",
                        "--data",
                        cub.toString(),
                        "--split",
                        "1-2:3-4",
                        "--weights",
                        WEIGHTS.toString(),
                        "--protocol",
                        "query-gallery",
                        "--out",
                        dir.resolve("x.md").toString());
        assertThat(status).isNotZero();
        assertThat(err.toString()).contains("the query-gallery protocol needs a split with query and gallery images");
        assertThat(dir.resolve("x.md")).doesNotExist();
    }

    @Test
    void theStudyRunsOnACubTreeAndACarsTrainHalfWithTheSameCommandShape() throws Exception {
        assumeTrue(Files.isDirectory(WEIGHTS), "../shared/weights missing");
        Path cub = dir.resolve("CUB_200_2011");
        StudyLayouts.cub(cub, 4, 4);
        Path cars = dir.resolve("stanford-cars");
        StudyLayouts.carsTrainHalf(cars, 4, 4);

        assertThat(study("cub", cub)).startsWith("# cub (CUB_200_2011): ").contains("n = 8 queries");
        assertThat(study("cars", cars)).startsWith("# cars (stanford-cars): ").contains("n = 8 queries");
    }

    @Test
    void aPooledOnlyStudyComputesNoTrainingViews() throws Exception {
        assumeTrue(Files.isDirectory(WEIGHTS), "../shared/weights missing");
        Path cub = dir.resolve("CUB_200_2011");
        StudyLayouts.cub(cub, 4, 4);
        java.io.PrintStream console = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        String report;
        try {
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            report = study("cub", cub, "1-2:3-4", "--models", "pooled");
        } finally {
            System.setOut(console);
        }
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("pooled torchscript-mobilenet_v2")
                .doesNotContain("training views");
        assertThat(report).contains("no training | 1 |").doesNotContain("discriminative only (margin loss");
    }

    @Test
    void theAblationOnPhotosRunsEveryRowWithTheStudysRecipe() throws Exception {
        assumeTrue(Files.isDirectory(WEIGHTS), "../shared/weights missing");
        Path cub = dir.resolve("CUB_200_2011");
        StudyLayouts.cub(cub, 4, 4);
        Path report = dir.resolve("ablation.md");

        int status = new CommandLine(new DivaBatchMain())
                .execute(
                        "ablation",
                        "--format",
                        "cub",
                        "--data",
                        cub.toString(),
                        "--split",
                        "1-2:3-4",
                        "--protocol",
                        "leave-one-out",
                        "--weights",
                        WEIGHTS.toString(),
                        "--seeds",
                        "0",
                        "--steps",
                        "2",
                        "--eval-every",
                        "2",
                        "--classes-per-batch",
                        "2",
                        "--samples-per-class",
                        "2",
                        "--out",
                        report.toString());

        assertThat(status).isZero();
        assertThat(Files.readString(report))
                .contains("pooled features", "discriminative only (margin loss", "(protocol leave-one-out)")
                .contains("+ selfsim (DaNCE) (320-d heads) | 1 |", "+ shared (320-d heads) | 1 |")
                .contains("+ intra (320-d heads) | 1 |", "all four, no decorrelation (320-d heads) | 1 |")
                .contains("DiVA (4 x 320-d, decorrelation, equal weights) | 1 |");
    }

    @Test
    void presetsAndBackboneFilesSayWhatWeightsTheyNeed() {
        TrainCommand train = new TrainCommand();
        // the tests run with DJL offline: the model zoo's ResNet-50 is out of reach, and the message says what to do
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> train.backbone(Preset.named("cars-resnet50")))
                .hasMessageContaining("--backbone-weights FILE")
                .hasMessageContaining("Weights without a network");
        assertThat(TrainCommand.weightsNote(Preset.named("cub-mobilenetv2"))).contains("--weights");

        StudyCommand study = new StudyCommand();
        CommandLine line = new CommandLine(study);
        line.parseArgs("--backbone-file", dir.resolve("missing.pt").toString(), "--backbone-feature-dim", "2048");
        org.assertj.core.api.Assertions.assertThatThrownBy(study::backbone).hasMessageContaining("is not a file");
        line.parseArgs("--weights", "w");
        assertThat(study.backbone())
                .isEqualTo(io.divastream.model.net.backbone.BackboneSpec.TorchScript.mobileNetV2Imagenet(Path.of("w")));
    }
}
