package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's table of built-in templates shows the PromQL each one runs: the first code span
 * of a row's third column, for the row whose first column is the call.
 */
class PromQlTemplatesReadmeTest {
  private static final String HEADING = "### Built-in templates (`PromQlTemplates`)";

  // Catches a template changed without its README row, as the utilization rows would have been
  // when native sidecars' requests were added.
  @Test
  void theReadmeTableShowsEachTemplatesPromQl() throws IOException {
    Map<String, String> calls = new LinkedHashMap<>();
    calls.put("cpuUtilization()", PromQlTemplates.cpuUtilization());
    calls.put("cpuCores()", PromQlTemplates.cpuCores());
    calls.put("memoryWorkingSetBytes()", PromQlTemplates.memoryWorkingSetBytes());
    calls.put("memoryUtilization()", PromQlTemplates.memoryUtilization());
    calls.put("requestRate(\"http_requests_total\")",
        PromQlTemplates.requestRate("http_requests_total"));
    calls.put("latencyP95(\"http_request_duration_seconds\")",
        PromQlTemplates.latencyP95("http_request_duration_seconds"));
    calls.put("errorRatio(\"http_requests_total\", \"code\")",
        PromQlTemplates.errorRatio("http_requests_total", "code"));
    List<String> table = table();

    for (Map.Entry<String, String> call : calls.entrySet()) {
      String prefix = "| `" + call.getKey() + "` |";
      List<String> rows = table.stream().filter(l -> l.startsWith(prefix)).toList();
      assertThat(rows).as(call.getKey()).hasSize(1);
      String promQl = rows.get(0).split(" \\| ", 3)[2];
      assertThat(promQl).as(call.getKey()).startsWith("`");
      assertThat(promQl.substring(1, promQl.indexOf('`', 1))).as(call.getKey())
          .isEqualTo(call.getValue());
    }
  }

  /** The lines of the table after {@link #HEADING}, up to the first line not in a table. */
  private static List<String> table() throws IOException {
    List<String> lines = Files.readAllLines(root().resolve("README.md"), StandardCharsets.UTF_8);
    int heading = lines.indexOf(HEADING);
    assertThat(heading).as("README line " + HEADING).isNotNegative();
    int first = heading + 1;
    while (first < lines.size() && !lines.get(first).startsWith("|")) {
      first++;
    }
    int last = first;
    while (last < lines.size() && lines.get(last).startsWith("|")) {
      last++;
    }
    return lines.subList(first, last);
  }

  /** The repository's root: the nearest folder up with a README.md and a pom.xml. */
  private static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null
        && !(Files.exists(dir.resolve("README.md")) && Files.exists(dir.resolve("pom.xml")))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a folder with README.md and pom.xml above the working directory")
        .isNotNull();
    return dir;
  }
}
