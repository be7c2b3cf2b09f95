package io.divastream.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.artefacts.ExportedModel;
import io.divastream.artefacts.TestModels;
import io.divastream.model.ModelSnapshot;
import io.divastream.search.testing.TestCatalogue;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExportCommandTest {

    @TempDir
    Path tmp;

    private int run(StringWriter err, String... args) {
        CommandLine cli = new CommandLine(new ExportCommand());
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void exportsAndVerifiesAParametersFile() throws Exception {
        ModelSnapshot snapshot = TestCatalogue.snapshot(12, 1);
        Path params = Files.write(tmp.resolve("v12.params"), snapshot.parameters());
        StringWriter err = new StringWriter();
        int code = run(
                err,
                "--parameters",
                params.toString(),
                "--out",
                tmp.resolve("artefact").toString(),
                "--model-version",
                "12",
                "--step",
                "1",
                "--channels",
                "8,8",
                "--embedding-dim",
                "8",
                "--decorrelation-hidden",
                "16",
                "--head-weights",
                "0.5,1,1,1");
        assertThat(code).as(err.toString()).isZero();
        try (ExportedModel model = ExportedModel.load(tmp.resolve("artefact"))) {
            assertThat(model.version()).isEqualTo(12);
            assertThat(model.spec()).isEqualTo(TestModels.SPEC);
            assertThat(model.manifest().headWeights()).containsExactly(TestModels.WEIGHTS);
            assertThat(model.manifest().parameterCount()).isEqualTo(snapshot.parameterCount());
        }

        StringWriter wrong = new StringWriter();
        int bad = run(
                wrong,
                "--parameters",
                params.toString(),
                "--out",
                tmp.resolve("other").toString(),
                "--model-version",
                "12",
                "--channels",
                "8,16",
                "--embedding-dim",
                "8",
                "--decorrelation-hidden",
                "16");
        assertThat(bad).isNotZero();
        assertThat(wrong.toString()).contains("v12.params").contains("does not fit");
        assertThat(tmp.resolve("other")).doesNotExist();
    }
}
