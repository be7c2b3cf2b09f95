package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Start-up validation beyond types and ranges: each rule rejects a bad value in one line naming the key. */
class ValidationTest {

    private static JobConfig parse(String... extra) {
        List<String> args = new ArrayList<>(List.of("--kafka.bootstrap-servers", "k:9092"));
        args.addAll(Arrays.asList(extra));
        return JobOptions.parse(args.toArray(String[]::new));
    }

    @ParameterizedTest(name = "--{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // bootstrap servers: host:port pairs with a port in range
                "kafka.bootstrap-servers|broker|must list host:port pairs, got 'broker'",
                "kafka.bootstrap-servers|a:9092,|must list host:port pairs, got ''",
                "kafka.bootstrap-servers|a:70000|has port 70000 outside 1 to 65535",
                "kafka.bootstrap-servers|a:0|has port 0 outside 1 to 65535",
                // topic names: Kafka's characters and length, distinct
                "topic.images|diva images|must be a Kafka topic name",
                "topic.metrics|..|must be a Kafka topic name",
                "topic.embeddings|diva/embeddings|must be a Kafka topic name",
                "topic.metrics|diva.images|names topic 'diva.images', as --topic.images does",
                "kafka.transactional-id-prefix|a b|must be letters, digits",
                // paths
                "checkpoint.dir|checkpoints|must be a URI such as file:///checkpoints",
                "checkpoint.dir|file:checkpoints|must be an absolute file URI",
                "checkpoint.dir|s3://bucket/x y|is not a valid URI",
                // device and native flavour
                "train.device|tpu|must be auto, cpu or gpu, got 'tpu'",
                "train.engine-flavour|cuda|must be auto or a flavour DJL has for this PyTorch (cpu, cu128), got 'cuda'",
                "train.engine-flavour|cu126|must be auto or a flavour DJL has for this PyTorch (cpu, cu128), got 'cu126'",
                // preset
                "model.preset|cub-resnet50|must be one of omniglot-conv4, omniglot-conv4-wide",
                // checkpointing
                "checkpoint.mode|once|must be exactly-once or at-least-once, got 'once'",
                "checkpoint.timeout-ms|10|must be between 1000",
                "checkpoint.min-pause-ms|-1|must be between 0",
                "checkpoint.aligned-timeout-ms|x|must be an integer",
                "checkpoint.unaligned|maybe|must be true or false",
            })
    void badValuesAreRejectedNamingTheKey(String key, String value, String message) {
        assertThatThrownBy(() -> parse("--" + key, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--" + key)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void contradictoryCheckpointSettingsNameTheKey() {
        assertThatThrownBy(() -> parse("--checkpoint.mode", "at-least-once"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option --checkpoint.mode at-least-once needs --kafka.exactly-once false");
        assertThatThrownBy(() -> parse("--checkpoint.mode", "at-least-once", "--kafka.exactly-once", "false"))
                .hasMessageStartingWith("option --checkpoint.unaligned true needs --checkpoint.mode exactly-once");
        RuntimeConfig.CheckpointPolicy atLeastOnce = parse(
                        "--checkpoint.mode",
                        "at-least-once",
                        "--kafka.exactly-once",
                        "false",
                        "--checkpoint.unaligned",
                        "false")
                .runtime()
                .checkpointing();
        assertThat(atLeastOnce.exactlyOnce()).isFalse();
        assertThat(atLeastOnce.unaligned()).isFalse();
    }

    @Test
    void goodValuesPass() {
        JobConfig config = parse(
                "--kafka.bootstrap-servers",
                "kafka:9092,[::1]:9093,10.0.0.1:19092",
                "--topic.images",
                "A-b_c.1",
                "--checkpoint.dir",
                "s3://bucket/diva",
                "--train.device",
                "CPU",
                "--train.engine-flavour",
                "cu128",
                "--checkpoint.timeout-ms",
                "60000",
                "--checkpoint.min-pause-ms",
                "5000",
                "--checkpoint.aligned-timeout-ms",
                "0");
        assertThat(config.kafka().imagesTopic()).isEqualTo("A-b_c.1");
        assertThat(config.runtime().checkpointing())
                .isEqualTo(new RuntimeConfig.CheckpointPolicy(true, true, 0, 60_000, 5_000));
        assertThat(parse("--checkpoint.dir", "/var/diva").runtime().checkpointDirectory())
                .isEqualTo("/var/diva");
        assertThat(parse("--checkpoint.dir", "file:///checkpoints").runtime().checkpointDirectory())
                .isEqualTo("file:///checkpoints");
    }

    @Test
    void theDefaultMinimumPauseIsAtMostHalfTheInterval() {
        assertThat(parse().runtime().checkpointing().minPauseMs()).isEqualTo(1_000);
        assertThat(parse("--checkpoint.interval-ms", "600")
                        .runtime()
                        .checkpointing()
                        .minPauseMs())
                .isEqualTo(300);
        assertThat(parse("--checkpoint.interval-ms", "600", "--checkpoint.min-pause-ms", "900")
                        .runtime()
                        .checkpointing()
                        .minPauseMs())
                .isEqualTo(900);
    }
}
