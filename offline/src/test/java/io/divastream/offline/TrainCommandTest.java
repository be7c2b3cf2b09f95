package io.divastream.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code diva-batch train} end to end on real CUB photos with the offline MobileNetV2 (skipped without ../shared). */
class TrainCommandTest {

    private static final Path SHARED = Path.of("..", "..", "shared");

    @Test
    void oneEpochOnTwoSpeciesWritesTheLastAndBestReportOfEveryEmbedding(@TempDir Path dir) throws IOException {
        Path tar = SHARED.resolve("data/cub200-subset/CUB_200_2011_classes001-030.tar");
        assumeTrue(Files.isRegularFile(tar) && Files.isDirectory(SHARED.resolve("weights")), "../shared missing");
        Path out = dir.resolve("report.md");
        StringWriter err = new StringWriter();
        int code = new CommandLine(new DivaBatchMain())
                .setErr(new PrintWriter(err))
                .execute(
                        "train",
                        "--preset",
                        "cub-mobilenetv2",
                        "--data",
                        tar.toString(),
                        "--weights",
                        SHARED.resolve("weights").toString(),
                        "--split",
                        "1-2:3",
                        "--epochs",
                        "1",
                        "--key-batches",
                        "1",
                        "--out",
                        out.toString());
        assertThat(code).as(err.toString()).isZero();
        String report = Files.readString(out);
        assertThat(report).startsWith("# cub-mobilenetv2");
        // the equal weighting, the preset's three weightings and each head, with last and best figures
        assertThat(report)
                .contains(
                        "| equal |",
                        "| 0.75-1.25-1.25-1.25 |",
                        "| 0.5-1-1-1 |",
                        "| 0.5-1.5-1.5-1.5 |",
                        "| discriminative |",
                        "| selfsim |",
                        "| shared |",
                        "| intra |");
        assertThat(report.lines().filter(l -> l.startsWith("| ") && l.contains("(1)")))
                .hasSize(8);
    }
}
