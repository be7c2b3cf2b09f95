package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The generic {@code --key value} parser. */
class ArgumentsTest {

    private static final List<Option> OPTIONS =
            List.of(
                    new Option("name", null, "a required name"),
                    new Option("count", "3", "a count"),
                    new Option("ratio", "0.5", "a ratio"),
                    new Option("big", "10000000000", "a long"),
                    new Option("flag", "false", "a flag"),
                    new Option("items", "a, b,,c ", "a list"),
                    new Option("regex", "^x", "a pattern"));

    private static Arguments parse(String... args) {
        return Arguments.parse(args, OPTIONS);
    }

    @Test
    void defaultsApplyAndGivenValuesWin() {
        Arguments a = parse("--name", "n", "--count=7");
        assertThat(a.string("name")).isEqualTo("n");
        assertThat(a.integer("count", 0, 10)).isEqualTo(7);
        assertThat(a.number("ratio", 0, 1)).isEqualTo(0.5);
        assertThat(a.longValue("big", 0, Long.MAX_VALUE)).isEqualTo(10_000_000_000L);
        assertThat(a.bool("flag")).isFalse();
        assertThat(a.list("items")).containsExactly("a", "b", "c");
        assertThat(a.pattern("regex").matcher("xy").find()).isTrue();
        assertThat(a.has("name")).isTrue();
        assertThat(a.has("count")).isTrue();
        assertThat(a.has("ratio")).isFalse();
    }

    @Test
    void theLastOccurrenceWins() {
        assertThat(parse("--count", "1", "--count=2").integer("count", 0, 9)).isEqualTo(2);
    }

    @Test
    void valuesAreTrimmedAndBooleansCaseInsensitive() {
        Arguments a = parse("--count", " 4 ", "--flag", "TRUE");
        assertThat(a.integer("count", 0, 9)).isEqualTo(4);
        assertThat(a.bool("flag")).isTrue();
    }

    @Test
    void anEmptyValueAfterTheEqualsSignIsAValue() {
        assertThat(parse("--name=").string("name")).isEmpty();
    }

    @Test
    void aMissingRequiredOptionIsReportedWhenRead() {
        Arguments a = parse();
        assertThatThrownBy(() -> a.string("name"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option --name is required: a required name");
    }

    @Test
    void readingAnUndeclaredOptionIsAProgrammingError() {
        assertThatThrownBy(() -> parse().string("nope")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void typosSuggestTheNearestOption() {
        assertThatThrownBy(() -> parse("--cuont", "3"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown option --cuont (did you mean --count?); run with --help for the list");
        assertThatThrownBy(() -> parse("--regexp=x"))
                .hasMessageContaining("did you mean --regex?");
    }

    @Test
    void boundsAreInclusive() {
        Arguments a = parse("--count", "10", "--ratio", "1");
        assertThat(a.integer("count", 0, 10)).isEqualTo(10);
        assertThat(a.number("ratio", 0, 1)).isEqualTo(1.0);
        assertThatThrownBy(() -> a.integer("count", 0, 9))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option --count must be between 0 and 9, got 10");
        assertThatThrownBy(() -> parse("--big", "99999999999999999999").longValue("big", 0, Long.MAX_VALUE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--big must be an integer");
        assertThatThrownBy(() -> parse("--count", "99999999999").integer("count", 0, 10))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option --count must be between 0 and 10, got 99999999999");
    }

    @Test
    void usageListsEveryOptionWithItsDefault() {
        String usage = Arguments.usage(OPTIONS);
        assertThat(usage.lines()).hasSize(OPTIONS.size() + 1); // and --config FILE
        assertThat(usage).contains("--name").contains("(required)").contains("[3]").contains("[a, b,,c ]");
    }
}
