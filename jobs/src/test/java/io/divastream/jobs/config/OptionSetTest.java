package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed options parsed from {@code --key value} arguments and files into a Flink configuration. */
class OptionSetTest {

    private static final DivaOption<String> NAME = DivaOption.required("name", OptionType.text(), "a required name");
    private static final DivaOption<Integer> COUNT = DivaOption.of("count", OptionType.integer(0, 10), "3", "a count");
    private static final DivaOption<Double> RATIO = DivaOption.of("ratio", OptionType.number(0, 1), "0.5", "a ratio");
    private static final DivaOption<Long> BIG =
            DivaOption.of("big", OptionType.longInteger(0, Long.MAX_VALUE), "10000000000", "a long");
    private static final DivaOption<Boolean> FLAG = DivaOption.of("flag", OptionType.bool(), "false", "a flag");
    private static final DivaOption<List<String>> ITEMS =
            DivaOption.of("items", OptionType.words(), "a, b,,c ", "a list");
    private static final DivaOption<String> REGEX = DivaOption.of("regex", OptionType.regex(), "^x", "a pattern");
    private static final DivaOption<Duration> TTL = DivaOption.of("ttl", OptionType.duration(), "0", "a duration");
    private static final DivaOption<Long> SHIFT =
            DivaOption.of("shift", OptionType.longInteger(Long.MIN_VALUE, Long.MAX_VALUE), "0", "a signed number");

    private static final OptionSet OPTIONS =
            OptionSet.of(List.of(NAME, COUNT, RATIO, BIG, FLAG, ITEMS, REGEX, TTL, SHIFT));

    @Test
    void defaultsApplyAndGivenValuesWin() {
        Configuration conf = OPTIONS.parse("--name", "n", "--count=7");
        assertThat(NAME.get(conf)).isEqualTo("n");
        assertThat(COUNT.get(conf)).isEqualTo(7);
        assertThat(RATIO.get(conf)).isEqualTo(0.5);
        assertThat(BIG.get(conf)).isEqualTo(10_000_000_000L);
        assertThat(FLAG.get(conf)).isFalse();
        assertThat(ITEMS.get(conf)).containsExactly("a", "b", "c");
        assertThat(TTL.get(conf)).isEqualTo(Duration.ZERO);
        assertThat(NAME.isSet(conf)).isTrue();
        assertThat(COUNT.isSet(conf)).isTrue();
        assertThat(RATIO.isSet(conf)).isFalse();
    }

    @Test
    void valuesAreTypedInTheFlinkConfiguration() {
        Configuration conf = OPTIONS.parse("--name", "n", "--ttl", "90s", "--items", "x,y");
        assertThat(conf.get(TTL.configOption())).isEqualTo(Duration.ofSeconds(90));
        assertThat(conf.get(ITEMS.configOption())).containsExactly("x", "y");
        assertThat(conf.get(COUNT.configOption())).isEqualTo(3);
    }

    @Test
    void theLastOccurrenceWinsAndNegativeNumbersAreValues() {
        assertThat(COUNT.get(OPTIONS.parse("--count", "1", "--count=2"))).isEqualTo(2);
        assertThat(SHIFT.get(OPTIONS.parse("--shift", "-5"))).isEqualTo(-5L);
    }

    @Test
    void valuesAreTrimmedAndBooleansCaseInsensitive() {
        Configuration conf = OPTIONS.parse("--count", " 4 ", "--flag", "TRUE");
        assertThat(COUNT.get(conf)).isEqualTo(4);
        assertThat(FLAG.get(conf)).isTrue();
    }

    @Test
    void anEmptyValueAfterTheEqualsSignIsAValue() {
        assertThat(NAME.get(OPTIONS.parse("--name="))).isEmpty();
    }

    @Test
    void aMissingRequiredOptionIsReportedWhenRead() {
        Configuration conf = OPTIONS.parse();
        assertThatThrownBy(() -> NAME.get(conf))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option --name is required: a required name");
    }

    @Test
    void typosSuggestTheNearestOptionAndStrayArgumentsAreNamed() {
        assertThatThrownBy(() -> OPTIONS.parse("--cuont", "3"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown option --cuont (did you mean --count?); run with --help for the list");
        assertThatThrownBy(() -> OPTIONS.parse("--regexp=x")).hasMessageContaining("did you mean --regex?");
        assertThatThrownBy(() -> OPTIONS.parse("stray"))
                .hasMessage("unexpected argument 'stray' (options look like --key value)");
        assertThatThrownBy(() -> OPTIONS.parse("--count")).hasMessage("option --count needs a value");
    }

    @Test
    void boundsAreInclusiveAndMalformedValuesNamed() {
        Configuration conf = OPTIONS.parse("--count", "10", "--ratio", "1");
        assertThat(COUNT.get(conf)).isEqualTo(10);
        assertThat(RATIO.get(conf)).isEqualTo(1.0);
        assertThatThrownBy(() -> OPTIONS.parse("--count", "11"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option --count must be between 0 and 10, got 11");
        assertThatThrownBy(() -> OPTIONS.parse("--big", "99999999999999999999"))
                .hasMessageContaining("--big must be an integer");
        assertThatThrownBy(() -> OPTIONS.parse("--count", "99999999999"))
                .hasMessage("option --count must be between 0 and 10, got 99999999999");
        assertThatThrownBy(() -> OPTIONS.parse("--regex", "("))
                .hasMessageStartingWith("option --regex is not a valid regular expression");
        assertThatThrownBy(() -> OPTIONS.parse("--ttl", "3 weeks"))
                .hasMessage("option --ttl must be a duration such as 90s, 30m, 24h or 7d (or 0), got '3 weeks'");
    }

    @Test
    void aValueSetInCodeObeysTheSameRules() {
        Configuration conf = new Configuration();
        conf.set(COUNT.configOption(), 99);
        assertThatThrownBy(() -> COUNT.get(conf)).hasMessage("option --count must be between 0 and 10, got 99");
    }

    @Test
    void anIllegalDefaultFailsAtDeclaration() {
        assertThatThrownBy(() -> DivaOption.of("n", OptionType.integer(0, 1), "2", "x"))
                .hasMessage("option --n must be between 0 and 1, got 2");
    }

    @Test
    void filesAreReadInOrderAndTheCommandLineWins(@TempDir Path dir) throws Exception {
        Path first = Files.writeString(dir.resolve("a.properties"), "count = 1\nname = from-file\n");
        Path second = Files.writeString(dir.resolve("b.properties"), "count: 2\n");
        Configuration conf = OPTIONS.parse("--count", "5", "--config", first.toString(), "--config", second.toString());
        assertThat(COUNT.get(conf)).isEqualTo(5);
        assertThat(NAME.get(conf)).isEqualTo("from-file");
        assertThat(COUNT.get(OPTIONS.parse("--config", first.toString(), "--config", second.toString())))
                .isEqualTo(2);
        Path typo = Files.writeString(dir.resolve("c.properties"), "# c\ncuont = 1\n");
        assertThatThrownBy(() -> OPTIONS.parse("--config", typo.toString()))
                .hasMessage(typo + ":2: unknown key cuont (did you mean count?); run with --help for the list");
    }

    @Test
    void usageListsEveryOptionWithItsDefault() {
        String usage = OPTIONS.usage("test");
        for (DivaOption<?> option : OPTIONS.options()) {
            assertThat(usage).contains("--" + option.key());
        }
        assertThat(usage)
                .contains("--config")
                .contains("(required)")
                .contains("[3]")
                .contains("[a, b,,c ]");
        assertThat(OptionSet.helpRequested("--count", "1", "--help")).isTrue();
        assertThat(OptionSet.helpRequested("--count", "1")).isFalse();
    }

    @Test
    void aKeyDeclaredTwiceIsAProgrammingError() {
        assertThatThrownBy(() -> OPTIONS.plus(List.of(DivaOption.of("count", OptionType.text(), "", "again"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
