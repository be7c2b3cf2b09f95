package io.divastream.jobs;

import io.divastream.connectors.kafka.KafkaPreflight;
import io.divastream.jobs.config.ConfigException;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.config.OptionSet;
import io.divastream.jobs.pipeline.DivaEnvironment;
import io.divastream.jobs.pipeline.DivaPipeline;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The DiVA stream job for a real Flink cluster: {@code flink run -c io.divastream.jobs.DivaStreamJob
 * diva-jobs.jar --kafka.bootstrap-servers host:9092 [options]}, or with {@code --config
 * diva-stream.properties} to read the options from a file (options on the command line win; see
 * {@code config/diva-stream.properties}). Run with {@code --help} for the options. Every value is
 * validated before the job graph is built; a bad one stops the job with a one-line message naming
 * the key.
 */
public final class DivaStreamJob {

    private DivaStreamJob() {}

    /**
     * Parses the options, builds the job graph and runs it.
     *
     * @param args the options
     * @throws Exception if the job fails
     */
    public static void main(String[] args) throws Exception {
        if (OptionSet.helpRequested(args)) {
            System.out.print(JobOptions.ALL.usage("diva-stream"));
            return;
        }
        JobConfig config = parseOrNull(args, System.err);
        if (config == null || !reachable(config, System.err)) {
            System.exit(2);
            return;
        }
        StreamExecutionEnvironment env =
                DivaEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(), config.runtime());
        DivaPipeline.defineKafkaWorkflow(env, config);
        env.execute("diva-stream");
    }

    /**
     * Contacts Kafka with the job's client settings before the job is submitted, so that refused credentials or a
     * wrong protocol are reported in one line rather than by tasks that fail and restart.
     *
     * @param config the configuration
     * @param err where the error goes
     * @return true if the cluster answered
     */
    public static boolean reachable(JobConfig config, java.io.PrintStream err) {
        try {
            KafkaPreflight.check(config.kafka().settings(), KafkaPreflight.DEFAULT_TIMEOUT);
            return true;
        } catch (KafkaPreflight.KafkaAccessException e) {
            err.println("diva-stream: " + e.getMessage());
            return false;
        }
    }

    /**
     * Parses the options, reporting a configuration error in one line.
     *
     * @param args the options
     * @param err where the error goes
     * @return the configuration, or null after reporting an error
     */
    static JobConfig parseOrNull(String[] args, java.io.PrintStream err) {
        try {
            return JobOptions.parse(args);
        } catch (ConfigException e) {
            err.println("diva-stream: " + e.getMessage());
            return null;
        }
    }
}
