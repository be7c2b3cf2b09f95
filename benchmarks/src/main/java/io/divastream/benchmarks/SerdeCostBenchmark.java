package io.divastream.benchmarks;

import io.divastream.dev.LocalSchemaRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the Schema Registry wire format costs the end-to-end freshness: the freshness benchmark ({@link
 * FreshnessBenchmark}) run in one program with {@code --serde.format single-object} and with {@code --serde.format
 * registry} (against a local Apicurio Registry, which runs during both formats' runs), alternating for {@code
 * --rounds} rounds, each on a fresh broker and job; prints the read_committed p99 of each run at each rate and the
 * ratio registry / single-object. Every other option goes to the freshness benchmark (default here: one rate, 50
 * events/s). First, {@code --codec-records=N} (default 20,000; 0 skips it) times one record's encoding and decoding
 * in each format ({@link CodecCost}).
 */
public final class SerdeCostBenchmark {

    private SerdeCostBenchmark() {}

    /**
     * Runs the comparison.
     *
     * @param args {@code --rounds=N} (default 2), {@code --codec-records=N} and the freshness benchmark's options
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        int rounds = 2;
        int codecRecords = 20_000;
        List<String> passed = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--rounds=")) {
                rounds = Integer.parseInt(arg.substring("--rounds=".length()));
            } else if (arg.startsWith("--codec-records=")) {
                codecRecords = Integer.parseInt(arg.substring("--codec-records=".length()));
            } else {
                passed.add(arg);
            }
        }
        if (passed.stream().noneMatch(a -> a.startsWith("--rates"))) {
            passed.add("--rates=50");
        }
        if (codecRecords > 0) {
            CodecCost.run(codecRecords);
            System.out.println();
        }
        List<String> rows = new ArrayList<>();
        double[] single = new double[rounds];
        double[] registry = new double[rounds];
        // one registry for the whole comparison, running (idle) during the single-object runs too: on a small
        // machine its process takes a share of the cores, which is the cost of hosting it, not of the format
        try (LocalSchemaRegistry schemas = LocalSchemaRegistry.start()) {
            for (int round = 0; round < rounds; round++) {
                for (String format : List.of("single-object", "registry")) {
                    List<String> run = new ArrayList<>(passed);
                    run.add("--serde.format=" + format);
                    if (format.equals("registry")) {
                        run.add("--serde.registry-url=" + schemas.apiUrl());
                    }
                    run.add("--work-dir=target/serde-cost-" + format + "-" + round);
                    System.out.println("== round " + (round + 1) + ", serde.format " + format);
                    Map<Double, Long> p99 = FreshnessBenchmark.run(run.toArray(String[]::new));
                    long first = p99.values().iterator().next();
                    (format.equals("registry") ? registry : single)[round] = first;
                    rows.add(String.format(Locale.ROOT, "%5d | %-13s | %s", round + 1, format, p99));
                }
            }
        }
        System.out.println();
        System.out.println("read_committed p99 latency (ms) from an event's send to its first embedding read, by rate");
        System.out.println("round | serde.format  | p99 by rate");
        rows.forEach(System.out::println);
        for (int round = 0; round < rounds; round++) {
            System.out.printf(
                    Locale.ROOT,
                    "round %d: registry / single-object p99 = %.0f / %.0f = %.3f%n",
                    round + 1,
                    registry[round],
                    single[round],
                    registry[round] / single[round]);
        }
        double r = Arrays.stream(registry).average().orElse(Double.NaN);
        double s = Arrays.stream(single).average().orElse(Double.NaN);
        System.out.printf(
                Locale.ROOT,
                "mean over %d rounds: registry / single-object p99 = %.0f / %.0f = %.3f (bar: at most 1.05)%n",
                rounds,
                r,
                s,
                r / s);
    }
}
