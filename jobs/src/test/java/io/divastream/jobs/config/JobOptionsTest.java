package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.kafka.KafkaTopics;
import io.divastream.jobs.metrics.EvaluationMode;
import io.divastream.jobs.metrics.MetricsProtocol;
import io.divastream.jobs.metrics.PromotionPolicy;
import io.divastream.model.DivaHead;
import io.divastream.model.augment.AugmentationSpec;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.KeyBatchNormStatistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.flink.util.InstantiationUtil;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing and validation of the job's command line into a {@link JobConfig}. */
class JobOptionsTest {

    private static final String BROKERS = "broker-1:9092,broker-2:9092";

    private static JobConfig parse(String... extra) {
        List<String> args = new ArrayList<>(List.of("--kafka.bootstrap-servers", BROKERS));
        args.addAll(Arrays.asList(extra));
        return JobOptions.parse(args.toArray(String[]::new));
    }

    /** Asserts a one-line {@link ConfigException} naming the option. */
    private static AbstractThrowableAssert<?, ? extends Throwable> rejects(String option, String... extra) {
        return assertThatThrownBy(() -> parse(extra))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--" + option)
                .hasMessageNotContaining("\n");
    }

    @Test
    void defaultsAreTheOmniglotSettings() {
        JobConfig config = parse();

        assertThat(config.kafka().bootstrapServers()).isEqualTo(BROKERS);
        assertThat(config.kafka().groupId()).isEqualTo("diva-stream");
        assertThat(config.kafka().imagesTopic()).isEqualTo(KafkaTopics.IMAGES);
        assertThat(config.kafka().embeddingsTopic()).isEqualTo(KafkaTopics.EMBEDDINGS);
        assertThat(config.kafka().metricsTopic()).isEqualTo(KafkaTopics.METRICS);
        assertThat(config.kafka().modelVersionsTopic()).isEqualTo(KafkaTopics.MODEL_VERSIONS);
        assertThat(config.kafka().deadLettersTopic()).isEqualTo(KafkaTopics.DEAD_LETTERS);
        assertThat(config.kafka().exactlyOnce()).isTrue();
        assertThat(config.routing().evalLabelRegex()).isEqualTo(RouteOptions.OMNIGLOT_EVAL_LABELS);
        assertThat(config.batching()).isEqualTo(new JobConfig.BatchingConfig(28, 4, 32, 16, 20, 100_000, 0, 0.5));
        assertThat(config.batching().batchSize()).isEqualTo(112);

        // the model defaults are DiVA's Omniglot configuration, apart from the regressor width
        DivaConfig reference = DivaConfig.omniglotDefaults();
        DivaConfig model = config.training().model();
        assertThat(model.network().heads()).containsExactly(DivaHead.values());
        assertThat(model.network().channels()).containsExactly(64, 64, 64, 64);
        assertThat(model.network().embeddingDim()).isEqualTo(128);
        assertThat(model.network().inputSize()).isEqualTo(28);
        assertThat(model.loss()).isEqualTo(reference.loss());
        assertThat(model.optimizer().learningRate())
                .isEqualTo(reference.optimizer().learningRate());
        assertThat(model.optimizer().weightDecay())
                .isEqualTo(reference.optimizer().weightDecay());
        assertThat(model.optimizer().betaLearningRate())
                .isEqualTo(reference.optimizer().betaLearningRate());
        assertThat(model.optimizer().decorrelationLearningRate())
                .isEqualTo(reference.optimizer().decorrelationLearningRate());
        assertThat(model.momentum()).isEqualTo(reference.momentum());
        assertThat(model.seed()).isZero();
        assertThat(config.training().augmentation()).isEqualTo(AugmentationSpec.omniglotDefault());
        assertThat(config.training().stepsPerVersion()).isEqualTo(250);
        assertThat(config.training().maxConsecutiveFailures()).isEqualTo(20);
        assertThat(config.embedding().headWeights()).containsExactly(1, 1, 1, 1);
        assertThat(config.metrics())
                .isEqualTo(new MetricsProtocol(
                        1,
                        100,
                        EvaluationMode.LEAVE_ONE_OUT,
                        0.5,
                        List.of(1, 2, 4, 8),
                        4,
                        400,
                        0,
                        20,
                        100_000,
                        PromotionPolicy.DEFAULT));
        assertThat(config.runtime()).isEqualTo(new RuntimeConfig(1, 10_000, "", true));
    }

    @Test
    void intraOpThreadsDefaultToAllForTheTrainerAndOneForEmbeddersAndMetrics() {
        assertThat(parse().runtime().intraOpThreads()).isEqualTo(new RuntimeConfig.IntraOpThreads(0, 1, 1));
        assertThat(parse(
                                "--train.intra-op-threads=3",
                                "--embedding.intra-op-threads",
                                "2",
                                "--metrics.intra-op-threads=0")
                        .runtime()
                        .intraOpThreads())
                .isEqualTo(new RuntimeConfig.IntraOpThreads(3, 2, 0));
        assertThatThrownBy(() -> parse("--embedding.intra-op-threads=-1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("embedding.intra-op-threads");
        assertThatThrownBy(() -> parse("--train.intra-op-threads=two"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("train.intra-op-threads");
    }

    @Test
    void aReplayIntervalOfZeroDisablesTheReplay() {
        assertThat(parse("--batch.replay-interval-ms", "0").batching().replayIntervalMs())
                .isZero();
        assertThat(parse().batching().replayIntervalMs()).isEqualTo(20);
    }

    @Test
    void optionsOverrideTheDefaultsInBothForms() {
        JobConfig config = parse(
                "--batch.classes=8",
                "--batch.images-per-class",
                "3",
                "--batch.buffer-per-class=3",
                "--model.heads",
                "discriminative, shared",
                "--embed.head-weights=2,0.5",
                "--train.augment=false",
                "--state.rocksdb",
                "false",
                "--route.eval-labels=^Greek/",
                "--checkpoint.dir",
                " file:///tmp/ck ",
                "--model.seed=-7");

        assertThat(config.batching().classesPerBatch()).isEqualTo(8);
        assertThat(config.batching().imagesPerClass()).isEqualTo(3);
        assertThat(config.batching().bufferPerClass()).isEqualTo(3);
        assertThat(config.training().model().network().heads())
                .containsExactly(DivaHead.DISCRIMINATIVE, DivaHead.SHARED);
        assertThat(config.embedding().headWeights()).containsExactly(2, 0.5);
        assertThat(config.training().augmentation()).isEqualTo(AugmentationSpec.none());
        assertThat(config.runtime().rocksDb()).isFalse();
        assertThat(config.runtime().checkpointDirectory()).isEqualTo("file:///tmp/ck");
        assertThat(config.routing().evalLabelRegex()).isEqualTo("^Greek/");
        assertThat(config.training().model().seed()).isEqualTo(-7);
    }

    @Test
    void aValueMayContainAnEqualsSign() {
        JobConfig config = parse("--route.eval-labels=^(a=b)/");
        assertThat(config.routing().evalLabelRegex()).isEqualTo("^(a=b)/");
    }

    @Test
    void theBootstrapServersAreRequired() {
        assertThatThrownBy(() -> JobOptions.parse(new String[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--kafka.bootstrap-servers")
                .hasMessageContaining("required")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--kafka.bootstrap-servers= "}))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option --kafka.bootstrap-servers must not be empty");
    }

    @Test
    void aTypoSuggestsTheClosestOption() {
        rejects("batch.clases", "--batch.clases", "8")
                .hasMessageStartingWith("unknown option --batch.clases")
                .hasMessageContaining("did you mean --batch.classes?");
        rejects("model.embeding-dim", "--model.embeding-dim=64")
                .hasMessageContaining("did you mean --model.embedding-dim?");
    }

    @Test
    void anUnrelatedUnknownOptionHasNoSuggestion() {
        rejects("colour", "--colour", "blue").hasMessageNotContaining("did you mean");
    }

    @Test
    void strayArgumentsAndMissingValuesAreRejected() {
        assertThatThrownBy(() -> parse("batch.classes", "8"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unexpected argument 'batch.classes'");
        assertThatThrownBy(() -> parse("--"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unexpected argument '--'");
        rejects("batch.classes", "--batch.classes").hasMessageContaining("needs a value");
    }

    @ParameterizedTest(name = "--{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "batch.classes|abc|must be an integer, got 'abc'",
                "batch.classes|1|must be between 2 and 4096, got 1",
                "batch.images-per-class|1.5|must be an integer",
                "batch.new-images|0|must be between 1",
                "batch.replay-interval-ms|-1|must be between 0",
                "checkpoint.interval-ms|12x|must be an integer",
                "parallelism|2000|must be between 1 and 1024",
                "train.learning-rate|fast|must be a number, got 'fast'",
                "train.learning-rate|NaN|must be between",
                "train.momentum|1|must be between 0.0 and 0.999999",
                "train.margin|-0.1|must be between",
                "kafka.exactly-once|yes|must be true or false, got 'yes'",
                "train.augment|1|must be true or false",
                "model.channels|64,x|must list integers, got 'x'",
                "route.eval-labels|([a|is not a valid regular expression",
                "embed.head-weights|1,x,1,1|must list numbers, got 'x'",
                "embed.head-weights|1,-1,1,1|must not be negative",
                "embed.head-weights|1,NaN,1,1|must not be negative",
            })
    void malformedValuesNameTheOption(String option, String value, String message) {
        rejects(option, "--" + option, value).hasMessageContaining(message);
    }

    @Test
    void theBufferMustHoldAtLeastKImages() {
        rejects("batch.buffer-per-class", "--batch.buffer-per-class", "3", "--batch.images-per-class", "4")
                .hasMessage("option --batch.buffer-per-class (3) must be at least --batch.images-per-class (4)");
        // equal is enough
        assertThat(parse("--batch.buffer-per-class", "4").batching().bufferPerClass())
                .isEqualTo(4);
    }

    @Test
    void theClassBoundIsPositiveAndHoldsAtLeastPClasses() {
        assertThat(parse().batching().maxClasses()).isEqualTo(100_000);
        assertThat(parse("--batch.max-classes", "500").batching().maxClasses()).isEqualTo(500);
        rejects("batch.max-classes", "--batch.max-classes", "0")
                .hasMessage("option --batch.max-classes must be between 1 and 100000000, got 0");
        rejects("batch.max-classes", "--batch.max-classes", "27")
                .hasMessage("option --batch.max-classes (27) must be at least --batch.classes (28)");
        // equal is enough
        assertThat(parse("--batch.max-classes", "28").batching().maxClasses()).isEqualTo(28);
        assertThatThrownBy(() -> new JobConfig.BatchingConfig(3, 2, 4, 5, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("class bound must be positive, got 0");
    }

    @Test
    void theReplayMemoryTakesItsShareOfEachBatch() {
        JobConfig.BatchingConfig batching = parse("--batch.replay-memory", "4000", "--batch.replay-share", "0.25")
                .batching();
        assertThat(batching.replayMemory()).isEqualTo(4000);
        assertThat(batching.replayedClasses()).isEqualTo(7); // round(0.25 x 28)
        assertThat(parse("--batch.replay-share", "0.25").batching().replayedClasses())
                .as("no memory, nothing replayed")
                .isZero();
        rejects("batch.replay-share", "--batch.replay-share", "1.5")
                .hasMessageContaining("--batch.replay-share must be between 0");
        rejects("batch.replay-memory", "--batch.replay-memory", "-1")
                .hasMessageContaining("--batch.replay-memory must be between 0");
    }

    @Test
    void anUnknownHeadIsRejected() {
        rejects("model.heads", "--model.heads", "discriminative,selfsim,foo")
                .hasMessageContaining("unknown head 'foo'");
    }

    @Test
    void ablationAndMinerOptionsReachTheObjective() {
        var plain = parse(
                "--train.decorrelation",
                "false",
                "--train.shared-mining",
                "full",
                "--train.exclude-degenerate-intra",
                "true");
        var objective = plain.training().model().objective();
        assertThat(plain.training().model().decorrelationPairs()).isEmpty();
        assertThat(objective.sharedMining()).isEqualTo(io.divastream.model.miner.SharedMining.FULL);
        assertThat(objective.excludeDegenerateIntra()).isTrue();
        assertThat(parse().training().model().decorrelationPairs()).hasSize(3);
        assertThatThrownBy(() -> parse("--train.shared-mining", "fulll"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("fulll");
    }

    @Test
    void theKeyEncodersBatchNormStatisticsAreInitialByDefaultOrEma() {
        assertThat(parse().training().model().momentum().keyBatchNormStatistics())
                .isEqualTo(KeyBatchNormStatistics.INITIAL);
        assertThat(parse("--train.key-bn-stats", "ema")
                        .training()
                        .model()
                        .momentum()
                        .keyBatchNormStatistics())
                .isEqualTo(KeyBatchNormStatistics.EMA);
        rejects("train.key-bn-stats", "--train.key-bn-stats", "running").hasMessageContaining("'running'");
    }

    @Test
    void theQueueIsInitialisedWithItsBatchCountByDefault() {
        // 1,024 keys in batches of 28 x 4 = 112: ceil(1024 / 112) = 10 batches
        assertThat(parse().training().queueInitBatches()).isEqualTo(10);
        assertThat(parse("--train.queue-size", "128", "--batch.classes", "8", "--batch.images-per-class", "4")
                        .training()
                        .queueInitBatches())
                .as("exactly four batches of 32")
                .isEqualTo(4);
        assertThat(parse("--train.queue-init-batches", "0").training().queueInitBatches())
                .isZero();
        assertThat(parse("--train.queue-init-batches", "25").training().queueInitBatches())
                .isEqualTo(25);
        assertThat(parse("--train.queue-init-batches", " AUTO ").training().queueInitBatches())
                .isEqualTo(10);
        assertThat(parse("--model.heads", "discriminative,shared").training().queueInitBatches())
                .as("no queue without the selfsim head")
                .isZero();
        rejects("train.queue-init-batches", "--train.queue-init-batches", "-1").hasMessageContaining("'-1'");
        rejects("train.queue-init-batches", "--train.queue-init-batches", "some")
                .hasMessageContaining("auto");
        rejects("train.queue-init-batches", "--train.queue-init-batches", "3", "--model.heads", "discriminative")
                .hasMessageContaining("selfsim");
    }

    @Test
    void invalidModelShapesAreConfigErrors() {
        assertThatThrownBy(() -> parse("--model.heads", "selfsim,discriminative"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid model configuration")
                .hasMessageContaining("discriminative");
        assertThatThrownBy(() -> parse("--image.size", "8"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("too small for 4 2x2 poolings");
    }

    @Test
    void tooFewHeadWeightsAreRejected() {
        rejects("embed.head-weights", "--embed.head-weights", "1,1").hasMessageContaining("one weight per head (4)");
        rejects("embed.head-weights", "--model.heads", "discriminative,selfsim", "--embed.head-weights", "1")
                .hasMessageContaining("one weight per head (2)");
    }

    @Test
    void tooManyExplicitHeadWeightsAreRejected() {
        rejects("embed.head-weights", "--embed.head-weights", "1,1,1,1,1")
                .hasMessageContaining("one weight per head (4)");
        rejects("embed.head-weights", "--model.heads", "discriminative,shared", "--embed.head-weights", "1,0,1")
                .hasMessageContaining("one weight per head (2)");
    }

    @Test
    void theDefaultWeightsFollowFewerHeads() {
        JobConfig config = parse("--model.heads", "discriminative,selfsim");
        assertThat(config.embedding().headWeights()).containsExactly(1, 1);
    }

    @Test
    void headWeightsMustBeFiniteAndNotAllZero() {
        // the embedder's combiner rejects these at run time, so the job must reject them up front
        rejects("embed.head-weights", "--embed.head-weights", "0,0,0,0");
        rejects("embed.head-weights", "--embed.head-weights", "1,Infinity,1,1");
        assertThat(parse("--embed.head-weights", "1,0,0,0").embedding().headWeights())
                .containsExactly(1, 0, 0, 0);
    }

    @Test
    void everyDefaultIsValidAndEveryOptionIsDocumented() {
        assertThat(JobOptions.ALL.options()).extracting(DivaOption::key).doesNotHaveDuplicates();
        assertThat(JobOptions.ALL.options())
                .allSatisfy(o -> assertThat(o.description()).isNotBlank());
        assertThat(JobOptions.ALL.options())
                .filteredOn(o -> o.isRequired())
                .extracting(DivaOption::key)
                .containsExactly("kafka.bootstrap-servers");
        String usage = JobOptions.ALL.usage("diva-stream");
        for (DivaOption<?> option : JobOptions.ALL.options()) {
            assertThat(usage).contains("--" + option.key());
        }
        assertThat(usage).contains("(required)").contains("[28]");
        assertThat(Pattern.compile(RouteOptions.OMNIGLOT_EVAL_LABELS)
                        .matcher("Greek/character01")
                        .find())
                .isTrue();
    }

    @Test
    void theConfigurationIsJavaSerializable() throws Exception {
        JobConfig config = parse("--embed.head-weights", "1,2,3,4", "--checkpoint.dir", "file:///x");
        JobConfig copy = InstantiationUtil.clone(config);

        assertThat(copy).isNotSameAs(config);
        assertThat(copy.kafka()).isEqualTo(config.kafka());
        assertThat(copy.routing()).isEqualTo(config.routing());
        assertThat(copy.batching()).isEqualTo(config.batching());
        assertThat(copy.training()).isEqualTo(config.training());
        assertThat(copy.runtime()).isEqualTo(config.runtime());
        assertThat(copy.embedding().headWeights()).containsExactly(1, 2, 3, 4);
        assertThat(copy.metrics()).isEqualTo(config.metrics());
        assertThat(copy.kafka().settings().bootstrapServers()).isEqualTo(BROKERS);
    }

    @Test
    void theCatalogueOptionsHaveBoundedDefaults() {
        JobConfig.CatalogueConfig c = parse().embedding().catalogue();
        assertThat(c.reembedRate()).isEqualTo(1000.0);
        assertThat(c.reembedChunk()).isEqualTo(64);
        assertThat(c.tickMs()).isEqualTo(64);
        assertThat(c.ttlMs()).as("kept forever by default").isZero();
        assertThat(c.maxImagesPerSubtask()).isEqualTo(100_000);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "250ms, 250", "90s, 90000", "30m, 1800000", "24h, 86400000", "7d, 604800000"})
    void theCatalogueTtlIsADuration(String text, long ms) {
        assertThat(parse("--embedding.catalogue-ttl", text)
                        .embedding()
                        .catalogue()
                        .ttlMs())
                .isEqualTo(ms);
    }

    @Test
    void badCatalogueValuesAreRejected() {
        rejects("embedding.catalogue-ttl", "--embedding.catalogue-ttl", "90").hasMessageContaining("such as 90s");
        rejects("embedding.catalogue-ttl", "--embedding.catalogue-ttl", "-5s");
        rejects("embedding.catalogue-ttl", "--embedding.catalogue-ttl", "99999999999999999d");
        rejects("embedding.reembed-rate", "--embedding.reembed-rate", "0");
        rejects("embedding.reembed-chunk", "--embedding.reembed-chunk", "0");
        rejects("embedding.max-images-per-subtask", "--embedding.max-images-per-subtask", "0");
    }

    @Test
    void theEvaluationProtocolOptionsReachTheMetricsProtocol() {
        MetricsProtocol m = parse(
                        "--metrics.mode",
                        "query-gallery",
                        "--metrics.query-fraction",
                        "0.25",
                        "--metrics.recall-ks",
                        "1,5,10,100",
                        "--metrics.seen-sample-per-class",
                        "3",
                        "--metrics.seen-max-images",
                        "30",
                        "--model.seed",
                        "9",
                        "--metrics.class-group-size",
                        "5",
                        "--metrics.tracked-classes",
                        "77")
                .metrics();
        assertThat(m)
                .isEqualTo(new MetricsProtocol(
                        1,
                        100,
                        EvaluationMode.QUERY_GALLERY,
                        0.25,
                        List.of(1, 5, 10, 100),
                        3,
                        30,
                        9,
                        5,
                        77,
                        PromotionPolicy.DEFAULT));
        assertThat(m.seenClassLimit()).isEqualTo(10);
        assertThat(parse("--metrics.seen-sample-per-class", "0").metrics().seenEnabled())
                .isFalse();
    }

    @Test
    void aCatalogueTtlSwitchesTheSeenSampleOffByDefaultAndRejectsItExplicitly() {
        assertThat(parse("--embedding.catalogue-ttl", "30m").metrics().seenEnabled())
                .isFalse();
        assertThat(parse("--embedding.catalogue-ttl", "30m", "--metrics.seen-sample-per-class", "0")
                        .metrics()
                        .seenEnabled())
                .isFalse();
        rejects(
                        "metrics.seen-sample-per-class",
                        "--embedding.catalogue-ttl",
                        "30m",
                        "--metrics.seen-sample-per-class",
                        "4")
                .hasMessageContaining("catalogue-ttl 0");
    }

    @Test
    void badEvaluationProtocolValuesAreRejected() {
        rejects("metrics.mode", "--metrics.mode", "leave-two-out").hasMessageContaining("leave-two-out");
        rejects("metrics.query-fraction", "--metrics.query-fraction", "0");
        rejects("metrics.query-fraction", "--metrics.query-fraction", "1");
        rejects("metrics.recall-ks", "--metrics.recall-ks", "1,x").hasMessageContaining("'x'");
        rejects("metrics.recall-ks", "--metrics.recall-ks", "4,2");
        rejects("metrics.recall-ks", "--metrics.recall-ks", "0,1");
        rejects("metrics.recall-ks", "--metrics.recall-ks", "1,1");
        rejects("metrics.seen-sample-per-class", "--metrics.seen-sample-per-class", "1");
        rejects("metrics.seen-max-images", "--metrics.seen-sample-per-class", "8", "--metrics.seen-max-images", "4");
    }

    @Test
    void theExportIsOffByDefaultAndTakesAnAbsoluteDirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        assertThat(parse().export()).isEqualTo(JobConfig.ExportConfig.OFF);
        assertThat(parse().export().enabled()).isFalse();
        JobConfig.ExportConfig export = parse(
                        "--export.dir", tmp.resolve("models").toString(), "--export.keep", "3")
                .export();
        assertThat(export.enabled()).isTrue();
        assertThat(export.dir()).isEqualTo(tmp.resolve("models").toString());
        assertThat(export.keep()).isEqualTo(3);
        rejects("export.dir", "--export.dir", "models").hasMessageContaining("absolute path");
        rejects("export.dir", "--export.dir", "s3://bucket/models").hasMessageContaining("not a URI");
        java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("file"), "x");
        rejects("export.dir", "--export.dir", file.toString()).hasMessageContaining("not a directory");
        rejects("export.keep", "--export.dir", tmp.toString(), "--export.keep", "0");
        assertThatThrownBy(() -> new JobConfig.ExportConfig("/x", 0)).hasMessageContaining("at least one");
    }
}
