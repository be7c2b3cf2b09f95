package io.divastream.jobs.pipeline;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.connectors.kafka.RawRecordSources;
import io.divastream.jobs.assembly.ClassBalancedBatchOperator;
import io.divastream.jobs.config.BackboneProbe;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.decode.CommandDecoder;
import io.divastream.jobs.decode.DecodeImageFunction;
import io.divastream.jobs.decode.FirstLabelFilter;
import io.divastream.jobs.decode.LabelRouter;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.embed.CatalogueEmbedder;
import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.metrics.MetricsProtocol;
import io.divastream.jobs.metrics.RetrievalMetricsFunction;
import io.divastream.jobs.train.DivaTrainFunction;
import io.divastream.jobs.train.VersionPublisher;
import io.divastream.model.config.NetworkSpec;
import io.divastream.schemas.ImageEvent;
import io.divastream.schemas.PromotionCommand;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The DiVA stream job graph: sources, operators and sinks wired together (docs/design-notes.md#divapipeline). */
public final class DivaPipeline {

    private DivaPipeline() {}

    /**
     * Adds the job graph reading and writing the configured Kafka topics: the image events from the
     * consumer group's committed offsets (the earliest for a new group), the outputs through {@link
     * PipelineSinks#kafka}.
     *
     * @param env the environment
     * @param config the job configuration
     */
    public static void defineKafkaWorkflow(StreamExecutionEnvironment env, JobConfig config) {
        defineKafkaWorkflow(env, config, DivaTrainFunction.PublishHook.NONE);
    }

    /**
     * Adds the job graph reading and writing the configured Kafka topics, with a test hook on the versions the
     * trainer publishes.
     *
     * @param env the environment
     * @param config the job configuration
     * @param hook what a test changes in each published version
     */
    public static void defineKafkaWorkflow(
            StreamExecutionEnvironment env, JobConfig config, DivaTrainFunction.PublishHook hook) {
        defineWorkflow(
                env,
                config,
                RawRecordSources.unbounded(
                        config.kafka().settings(),
                        config.kafka().imagesTopic(),
                        config.kafka().groupId(),
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST)),
                RawRecordSources.unbounded(
                        config.kafka().settings(),
                        config.kafka().imagesTopic(),
                        trainingGroupId(config),
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST)),
                // a new consumer group starts at the end: commands written before the job ever ran are not
                // applied to it; a restarted job resumes from its checkpoint or the group's committed offsets
                RawRecordSources.unbounded(
                        config.kafka().settings(),
                        config.kafka().promotionCommandsTopic(),
                        config.kafka().groupId() + ".commands",
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST)),
                PipelineSinks.kafka(config),
                hook);
    }

    /**
     * An environment holding the job reading and writing the configured Kafka topics, configured by
     * {@link DivaEnvironment}, to submit to a cluster (e.g. the local runner's MiniCluster).
     *
     * @param config the job configuration
     * @param conf the cluster configuration the environment takes its settings from
     * @return the environment with the job graph
     * @throws io.divastream.jobs.config.ConfigException if a photo preset's backbone does not run as configured
     */
    public static StreamExecutionEnvironment kafkaJob(JobConfig config, Configuration conf) {
        BackboneProbe.check(config);
        StreamExecutionEnvironment env =
                DivaEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(conf), config.runtime());
        defineKafkaWorkflow(env, config);
        return env;
    }

    /**
     * The consumer group of the training branch's reader.
     *
     * @param config the job configuration
     * @return {@code <kafka.group-id>.training}
     */
    public static String trainingGroupId(JobConfig config) {
        return config.kafka().groupId() + ".training";
    }

    /**
     * Adds the job graph to an environment, with a test hook on the versions the trainer publishes.
     *
     * @param env the environment
     * @param config the job configuration
     * @param source the embedding branch's source of raw image-event records
     * @param trainingSource the training branch's source of the same records
     * @param commandSource the source of operators' promotion-command records
     * @param sinks where the outputs go
     * @param hook what a test changes in each published version
     */
    public static void defineWorkflow(
            StreamExecutionEnvironment env,
            JobConfig config,
            Source<RawRecord, ?, ?> source,
            Source<RawRecord, ?, ?> trainingSource,
            Source<RawRecord, ?, ?> commandSource,
            PipelineSinks sinks,
            DivaTrainFunction.PublishHook hook) {
        NetworkSpec network = config.training().model().network();
        int sourceParallelism = config.runtime().effectiveSourceParallelism();
        int embeddingParallelism = config.runtime().effectiveEmbeddingParallelism();

        SampleDecoding decoding = config.training().decoding();
        LabelRouter router = new LabelRouter(config.routing().evalLabelRegex());
        JobConfig.InputConfig input = config.input();
        RecordCodec<ImageEvent> events =
                config.kafka().serde().codec(ImageEvent.class, config.kafka().imagesTopic());
        SingleOutputStreamOperator<ImageSample> samples = env.fromSource(
                        source, WatermarkStrategy.noWatermarks(), Uids.IMAGE_SOURCE)
                .uid(Uids.IMAGE_SOURCE)
                .setParallelism(sourceParallelism)
                .process(new DecodeImageFunction(decoding, router, input.limits(), sinks.deadLetterLimit())
                        .reading(events))
                .uid(Uids.DECODE)
                .name(Uids.DECODE)
                .setParallelism(sourceParallelism);

        DataStream<TrainingBatch> batches = env.fromSource(
                        trainingSource, WatermarkStrategy.noWatermarks(), Uids.TRAINING_SOURCE)
                .uid(Uids.TRAINING_SOURCE)
                .setParallelism(sourceParallelism)
                .process(DecodeImageFunction.trainingReader(
                                decoding,
                                router,
                                input.limits(),
                                config.runtime().trainingReaderNiceness())
                        .reading(events))
                .uid(Uids.TRAINING_DECODE)
                .name(Uids.TRAINING_DECODE)
                .setParallelism(sourceParallelism)
                .keyBy(ImageSample::imageId)
                .process(new FirstLabelFilter(input.labelTtlMs()))
                .uid(Uids.TRAINING_LABELS)
                .name(Uids.TRAINING_LABELS)
                .keyBy(ImageSample::label)
                .transform(
                        Uids.BATCHER,
                        TypeInformation.of(TrainingBatch.class),
                        new ClassBalancedBatchOperator(
                                config.batching(), config.training().model().seed()))
                .uid(Uids.BATCHER);

        SingleOutputStreamOperator<OperatorCommand> commands = env.fromSource(
                        commandSource, WatermarkStrategy.noWatermarks(), Uids.COMMAND_SOURCE)
                .uid(Uids.COMMAND_SOURCE)
                .setParallelism(1)
                .process(new CommandDecoder(sinks.deadLetterLimit())
                        .reading(config.kafka()
                                .serde()
                                .codec(PromotionCommand.class, config.kafka().promotionCommandsTopic())))
                .uid(Uids.COMMAND_DECODE)
                .name(Uids.COMMAND_DECODE)
                .setParallelism(1);

        // the trainer keeps one input, chained to the batch assembly, which then feeds it only as fast as it
        // steps; the publisher after it numbers its versions and operators' rollbacks
        SingleOutputStreamOperator<ModelUpdate> models = batches.process(new DivaTrainFunction(
                        config.training(), config.runtime().intraOpThreads().trainer(), hook))
                .uid(Uids.TRAINER)
                .name(Uids.TRAINER)
                .setParallelism(1)
                .setMaxParallelism(1)
                .connect(commands)
                .process(new VersionPublisher(config.export(), network))
                .uid(Uids.VERSION_PUBLISHER)
                .name(Uids.VERSION_PUBLISHER)
                .setParallelism(1)
                .setMaxParallelism(1);
        models.sinkTo(sinks.modelVersions())
                .uid(Uids.MODEL_VERSIONS_SINK)
                .name(Uids.MODEL_VERSIONS_SINK)
                .setParallelism(1);
        if (config.export().enabled()) {
            models.sinkTo(new ModelArtefactSink(config.export(), ArtefactShape.of(config)))
                    .uid(Uids.MODEL_ARTEFACTS_SINK)
                    .name(Uids.MODEL_ARTEFACTS_SINK)
                    .setParallelism(1);
        }

        SingleOutputStreamOperator<ImageEmbedding> embeddings = samples.keyBy(ImageSample::imageId)
                .connect(models.broadcast())
                .transform(
                        Uids.EMBEDDER,
                        TypeInformation.of(ImageEmbedding.class),
                        new CatalogueEmbedder(
                                network,
                                config.embedding().headWeights(),
                                config.embedding().catalogue(),
                                config.kafka().imagesTopic(),
                                config.runtime().intraOpThreads().embedder(),
                                input.labelTtlMs(),
                                config.training().payload()))
                .uid(Uids.EMBEDDER)
                .setParallelism(embeddingParallelism);
        embeddings
                .sinkTo(sinks.embeddings())
                .uid(Uids.EMBEDDINGS_SINK)
                .name(Uids.EMBEDDINGS_SINK)
                .setParallelism(embeddingParallelism);
        samples.getSideOutput(DecodeImageFunction.DEAD_LETTERS)
                .union(
                        embeddings.getSideOutput(CatalogueEmbedder.DEAD_LETTERS),
                        commands.getSideOutput(CommandDecoder.DEAD_LETTERS))
                .sinkTo(sinks.deadLetters())
                .uid(Uids.DEAD_LETTERS_SINK)
                .name(Uids.DEAD_LETTERS_SINK);

        MetricsProtocol protocol = config.metrics();
        SingleOutputStreamOperator<EvaluationResult> metrics = embeddings
                .filter(e -> RetrievalMetricsFunction.wants(protocol, e))
                .uid(Uids.EVAL_FILTER)
                .name(Uids.EVAL_FILTER)
                .setParallelism(embeddingParallelism)
                .connect(models.getSideOutput(VersionPublisher.COMMANDS))
                .process(new RetrievalMetricsFunction(
                        network.heads(),
                        protocol,
                        config.runtime().intraOpThreads().metrics()))
                .uid(Uids.METRICS)
                .name(Uids.METRICS)
                .setParallelism(1)
                .setMaxParallelism(1)
                // its own task thread: scoring a version takes about a second, which chained to
                // a single embedder would stall new images and the embedder's checkpoint barrier
                .startNewChain();
        metrics.sinkTo(sinks.metrics())
                .uid(Uids.METRICS_SINK)
                .name(Uids.METRICS_SINK)
                .setParallelism(1);
        DataStream<PromotionDecision> decisions = metrics.getSideOutput(RetrievalMetricsFunction.PROMOTIONS);
        decisions
                .sinkTo(sinks.promotions())
                .uid(Uids.PROMOTIONS_SINK)
                .name(Uids.PROMOTIONS_SINK)
                .setParallelism(1);
        if (config.export().enabled()) {
            decisions
                    .sinkTo(new PromotedMarkerSink(config.export()))
                    .uid(Uids.PROMOTED_MARKER_SINK)
                    .name(Uids.PROMOTED_MARKER_SINK)
                    .setParallelism(1);
        }
    }
}
