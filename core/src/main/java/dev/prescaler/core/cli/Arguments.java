package dev.prescaler.core.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The options a command takes, and the one reader of the command lines of {@code simulate}, {@code
 * summarize}, {@code export}, {@code forecast-eval} and {@code agent}, so that a mistake gets the
 * same line from each: {@code --name value} or {@code --name=value} (the value is the next argument
 * whatever it looks like); a flag takes no value; {@code --help} or {@code -h} anywhere wins over
 * every problem. What a value means is the command's to check.
 *
 * @param options the options that take a value, each given at most once
 * @param repeatable the options that take a value, given any number of times
 * @param flags the options that take no value, each given at most once
 * @param positionals whether arguments not starting with {@code --} are taken
 */
public record Arguments(Set<String> options, Set<String> repeatable, Set<String> flags,
    boolean positionals) {
  private static final List<String> HELP = List.of("--help", "-h");

  /** Copies the sets, and refuses a name that is not {@code --name}, is a help or is in two. */
  public Arguments {
    options = Set.copyOf(options);
    repeatable = Set.copyOf(repeatable);
    flags = Set.copyOf(flags);
    List<String> all = Stream.of(options, repeatable, flags).flatMap(Set::stream).toList();
    for (String name : all) {
      if (!name.matches("--[^=]+") || HELP.contains(name) || Collections.frequency(all, name) > 1) {
        throw new IllegalArgumentException("not an option name, or in two sets: \"" + name + "\"");
      }
    }
  }

  /** A command line as read, in the order given; nothing else when the help was asked for. */
  public record Parsed(boolean help, Map<String, String> values,
      Map<String, List<String>> repeats, List<String> flags, List<String> positionals) {}

  /**
   * Reads {@code args}; the first mistake throws an IllegalArgumentException whose message is the
   * line to print, naming the argument: {@code unknown option --x (see --help)}.
   */
  public Parsed parse(String... args) {
    if (Arrays.stream(args).anyMatch(HELP::contains)) {
      return new Parsed(true, Map.of(), Map.of(), List.of(), List.of());
    }
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, List<String>> repeats = new LinkedHashMap<>();
    List<String> given = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      int eq = args[i].startsWith("--") ? args[i].indexOf('=') : -1;
      String name = eq > 0 ? args[i].substring(0, eq) : args[i];
      String value = eq > 0 ? args[i].substring(eq + 1) : null;
      boolean flag = flags.contains(name) || HELP.contains(name);
      if (!name.startsWith("--") && positionals) {
        rest.add(name);
      } else if (!name.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument \"" + shown(name)
            + "\" (see --help)");
      } else if (!flag && !options.contains(name) && !repeatable.contains(name)) {
        throw new IllegalArgumentException("unknown option " + shown(name) + " (see --help)");
      } else if (flag && value != null) { // "--no-sweep=false" is no --no-sweep
        throw new IllegalArgumentException(name + " takes no value, but was given \""
            + shown(value) + "\"");
      } else if (flag && given.contains(name)) {
        throw new IllegalArgumentException(name + " must be given once, but was given twice");
      } else if (flag) {
        given.add(name);
      } else if (value == null && i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + name + " needs a value (see --help)");
      } else {
        value = value == null ? args[++i] : value;
        if (repeatable.contains(name)) {
          repeats.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        } else if (values.putIfAbsent(name, value) != null) { // the last would win unseen
          throw new IllegalArgumentException(name + " must be given once, but was given twice: \""
              + shown(values.get(name)) + "\" and \"" + shown(value) + "\""
              + (repeatable.isEmpty() ? "" : " (only "
              + String.join(", ", new TreeSet<>(repeatable))
              + (repeatable.size() == 1 ? " repeats)" : " repeat)")));
        }
      }
    }
    repeats.replaceAll((n, v) -> List.copyOf(v));
    return new Parsed(false, Collections.unmodifiableMap(values),
        Collections.unmodifiableMap(repeats), List.copyOf(given), List.copyOf(rest));
  }

  /**
   * An argument as a message quotes it: on one line, harmless to a terminal ({@link
   * Printable#escape}: a newline is {@code \x0a}, an ESC {@code \x1b}).
   */
  private static String shown(String arg) {
    return Printable.escape(arg);
  }
}
