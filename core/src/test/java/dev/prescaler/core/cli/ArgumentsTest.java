package dev.prescaler.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The command-line parser on its own; each command's test checks the lines it prints through
 * it ({@code SimulateCommandTest}, {@code SummarizeCommandTest}, {@code ForecastEvalCommandTest},
 * {@code ExportCommandTest}).
 */
class ArgumentsTest {
  private static final Arguments PARSER =
      new Arguments(Set.of("--step", "--out"), Set.of("--header"), Set.of("--dry-run"), false);
  private static final Arguments WITH_FILES =
      new Arguments(Set.of("--policy"), Set.of(), Set.of(), true);

  private static void refused(Arguments parser, String message, String... args) {
    assertThatThrownBy(() -> parser.parse(args)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void readsValuesSeparateOrAfterAnEqualsSignFlagsRepeatsAndPositionals() {
    Arguments.Parsed a = PARSER.parse("--out=t.csv", "--header", "A: 1", "--step", "1m",
        "--dry-run", "--header=B: 2=3");

    assertThat(a.help()).isFalse();
    assertThat(a.values()).containsExactly(Map.entry("--out", "t.csv"), Map.entry("--step", "1m"));
    assertThat(a.repeats()).containsExactly(Map.entry("--header", List.of("A: 1", "B: 2=3")));
    assertThat(a.flags()).containsExactly("--dry-run");
    assertThat(a.positionals()).isEmpty();

    Arguments.Parsed b = WITH_FILES.parse("a.json", "--policy=", "-", "b.json");
    assertThat(b.values()).containsExactly(Map.entry("--policy", ""));
    assertThat(b.positionals()).containsExactly("a.json", "-", "b.json");
    assertThat(b.flags()).isEmpty();
    assertThat(b.repeats()).isEmpty();
    assertThat(PARSER.parse().values()).isEmpty();
  }

  /**
   * Catches a message that quoted an argument raw: a newline in a value made two lines of the
   * "one line" error, and an ESC sequence or U+202E reached the terminal (summarize, export and
   * agent printed these messages as they were).
   */
  @Test
  void quotesArgumentsOnOneLineHarmlessToATerminal() {
    refused(PARSER, "--step must be given once, but was given twice: \"a\\x0ab\" and "
        + "\"\\x1b[31mc\" (only --header repeats)", "--step", "a\nb", "--step", "\u001b[31mc");
    refused(PARSER, "unknown option --\\u202eevil (see --help)", "--\u202eevil");
    refused(PARSER, "unexpected argument \"x\\x0d\" (see --help)", "x\r");
    refused(PARSER, "--dry-run takes no value, but was given \"\\x00\"", "--dry-run=\u0000");
  }

  /** The next argument is the value whatever it looks like: {@code --out=--x} says the same. */
  @Test
  void aValueMayLookLikeAnOption() {
    assertThat(PARSER.parse("--out", "--step").values()).containsExactly(
        Map.entry("--out", "--step"));
    assertThat(PARSER.parse("--out", "-5").values()).containsExactly(Map.entry("--out", "-5"));
  }

  /**
   * Catches an option's problem printed instead of the help asked for: the help wins wherever it
   * is given, whatever else the line holds, a bad option or a missing value.
   */
  @Test
  void helpAnywhereWinsOverEveryProblem() {
    for (List<String> args : List.of(List.of("--help"), List.of("-h"),
        List.of("--bogus", "--help"), List.of("--out", "a", "--out", "b", "-h"),
        List.of("stray", "--help"), List.of("--out", "--help"), List.of("--dry-run=x", "-h"))) {
      Arguments.Parsed a = PARSER.parse(args.toArray(String[]::new));
      assertThat(a.help()).as(args.toString()).isTrue();
      assertThat(a.values()).isEmpty();
      assertThat(a.positionals()).isEmpty();
    }
  }

  @Test
  void anUnknownOptionIsNamedWithoutItsValue() {
    refused(PARSER, "unknown option --bogus (see --help)", "--bogus");
    refused(PARSER, "unknown option --bogus (see --help)", "--bogus=secret");
    refused(PARSER, "unknown option --bogus (see --help)", "--step", "1m", "--bogus", "1");
    refused(PARSER, "unknown option -- (see --help)", "--");
  }

  @Test
  void anOptionWithoutItsValueIsNamed() {
    refused(PARSER, "option --step needs a value (see --help)", "--step");
    refused(PARSER, "option --header needs a value (see --help)", "--out", "x", "--header");
  }

  @Test
  void aPositionalArgumentIsRefusedWhereTheCommandTakesNone() {
    refused(PARSER, "unexpected argument \"extra\" (see --help)", "--step", "1m", "extra");
    refused(PARSER, "unexpected argument \"-x\" (see --help)", "-x");
    refused(PARSER, "unexpected argument \"-h=1\" (see --help)", "-h=1");
  }

  /** Catches a repeated option whose last value silently won. */
  @Test
  void anOptionGivenTwiceIsNamedWithBothValuesAndWhatRepeats() {
    refused(PARSER, "--step must be given once, but was given twice: \"1m\" and \"2m\" "
        + "(only --header repeats)", "--step", "1m", "--step=2m");
    refused(WITH_FILES, "--policy must be given once, but was given twice: \"a\" and \"b\"",
        "--policy", "a", "x.json", "--policy", "b");
    refused(new Arguments(Set.of("--a"), Set.of("--c", "--b"), Set.of(), false),
        "--a must be given once, but was given twice: \"1\" and \"2\" (only --b, --c repeat)",
        "--a", "1", "--a", "2");
  }

  /** Catches {@code --dry-run=false} taken as the flag, which would mean its opposite. */
  @Test
  void aFlagTakesNoValueAndIsGivenOnce() {
    refused(PARSER, "--dry-run takes no value, but was given \"false\"", "--dry-run=false");
    refused(PARSER, "--help takes no value, but was given \"yes\"", "--help=yes");
    refused(PARSER, "--dry-run must be given once, but was given twice", "--dry-run",
        "--dry-run");
  }

  @Test
  void theParserRefusesNamesThatCannotBeOptions() {
    for (String name : List.of("step", "-s", "--", "--a=b", "--help", "-h", "--out")) {
      assertThatThrownBy(() -> new Arguments(Set.of("--out"), Set.of(), Set.of(name), false))
          .as(name).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("not an option name, or in two sets: \"" + name + "\"");
    }
  }

  /** The sets are copied: a change to the caller's set later changes nothing. */
  @Test
  void theSetsAreCopied() {
    Set<String> options = new HashSet<>(Set.of("--out"));
    Arguments arguments = new Arguments(options, Set.of(), Set.of(), false);
    options.add("--later");
    assertThatThrownBy(() -> arguments.parse("--later", "x"))
        .hasMessage("unknown option --later (see --help)");
  }
}
