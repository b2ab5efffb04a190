package dev.prescaler.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's code blocks, and the compiled regions they must show: a region of a source file
 * lies between the lines {@code // README-BEGIN name} and {@code // README-END name} ({@code //
 * README-BEGIN} and {@code // README-END} for a region without a name), and is compared without
 * its common indentation.
 */
final class ReadmeBlocks {
  private ReadmeBlocks() {}

  /** The repository's root: the nearest folder up with a README.md and a pom.xml. */
  static Path root() {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve("README.md")) || !Files.exists(root.resolve("pom.xml"))
        || root.getFileName().toString().equals("examples")) {
      root = root.getParent();
    }
    return root;
  }

  /** The lines of the first {@code ```java} block after the README's line {@code heading}. */
  static List<String> javaBlockAfter(String heading) {
    String readme = read("README.md");
    int at = readme.indexOf("\n" + heading + "\n");
    if (at < 0) {
      throw new IllegalArgumentException("README has no line " + heading);
    }
    int start = readme.indexOf("```java\n", at) + "```java\n".length();
    return readme.substring(start, readme.indexOf("```", start)).lines().toList();
  }

  /** The lines of the region {@code name} of {@code file} (from the root), unindented. */
  static List<String> region(String file, String name) {
    String suffix = name.isEmpty() ? "" : " " + name;
    List<String> lines = read(file).lines().toList();
    int begin = lines.stream().map(String::strip).toList().indexOf("// README-BEGIN" + suffix);
    int end = lines.stream().map(String::strip).toList().indexOf("// README-END" + suffix);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(file + " has no region" + suffix);
    }
    List<String> region = lines.subList(begin + 1, end);
    int indent = region.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    List<String> out = new ArrayList<>();
    for (String l : region) {
      out.add(l.length() >= indent ? l.substring(indent) : l.strip());
    }
    return out;
  }

  private static String read(String file) {
    try {
      return Files.readString(root().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
