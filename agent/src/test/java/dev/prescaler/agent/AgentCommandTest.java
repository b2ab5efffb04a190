package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return AgentCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void validatesTheShippedExample() {
    Path example = AgentConfigParserTest.locate("examples/deploy/prescaler-config.yaml");
    assertThat(run("--validate", "--config", example.toString())).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith(": valid (2 workloads)\n");
    assertThat(err()).isEmpty();
  }

  @Test
  void anUnknownKeyExitsTwoNamingTheKeyWithoutAStackTrace() throws Exception {
    Path example = AgentConfigParserTest.locate("examples/deploy/prescaler-config.yaml");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, Files.readString(example).replace("  syncPeriod: 15s",
        "  syncPeriod: 15s\n  tickRate: 3"));
    assertThat(run("--validate", "--config", bad.toString())).isEqualTo(2);
    assertThat(err()).contains("unknown key engine.tickRate").doesNotContain("\tat ");
  }

  /**
   * Catches {@code --validate} failing with "unexpected failure" (exit 1), no key named and no
   * other problem listed, on a decimal whose exponent a BigDecimal cannot hold.
   */
  @Test
  void validateNamesANumberWithAHugeExponentBesideTheOtherProblems() throws Exception {
    Path example = AgentConfigParserTest.locate("examples/deploy/prescaler-config.yaml");
    Path bad = dir.resolve("exponent.yaml");
    Files.writeString(bad, Files.readString(example).replace("  syncPeriod: 15s",
        "  syncPeriod: 15s\n  tickRate: 3").replace("maxRelativeMae: 0.9 ",
        "maxRelativeMae: 1e9999999999"));
    assertThat(run("--validate", "--config", bad.toString())).isEqualTo(2);
    assertThat(err()).contains("unknown key engine.tickRate")
        .contains("promotion.maxRelativeMae must be a number in [0.01, 10], but was "
            + "1e9999999999")
        .doesNotContain("unexpected").doesNotContain("\tat ");
  }

  @Test
  void validateRefusesAFixedIdentityWithLeaderElection() throws Exception {
    // The shipped Deployment runs two replicas on this one file: both would lead.
    Path example = AgentConfigParserTest.locate("examples/deploy/prescaler-config.yaml");
    Path shared = dir.resolve("shared.yaml");
    Files.writeString(shared, Files.readString(example).replace("  leaderElection: true",
        "  leaderElection: true\n  identity: prescaler-agent"));
    assertThat(run("--validate", "--config", shared.toString())).isEqualTo(2);
    assertThat(err()).contains("kubernetes.identity must be unset when "
        + "kubernetes.leaderElection is true").contains("but was \"prescaler-agent\"");
  }

  @Test
  void aConfigGivenTwiceIsRefusedAndOneWrittenWithAnEqualsSignIsTaken() {
    // The last one used to win: --validate passed on the second file, not the one meant.
    Path example = AgentConfigParserTest.locate("examples/deploy/prescaler-config.yaml");
    assertThat(run("--validate", "--config", "nope.yaml", "--config", example.toString()))
        .isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: --config must be given once, but was given "
        + "twice: \"nope.yaml\" and \"" + example + "\"\n");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    err.reset();
    assertThat(run("--validate", "--config=" + example)).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith(": valid (2 workloads)\n");
    assertThat(err()).isEmpty();
  }

  @Test
  void aKubeconfigThatDoesNotExistOrNoConfigurationAtAllIsRefusedNotLocalhost8080() {
    Path kube = Path.of("sre", ".kube", "config");
    java.util.function.Predicate<Path> only = p -> p.equals(kube);
    assertThat(Agent.standardConfigProblem(java.util.Map.of("KUBECONFIG", "typo.yaml"), only))
        .contains("$KUBECONFIG names \"typo.yaml\", which does not exist (the client would "
            + "fall back to ~/.kube/config, a service account or localhost:8080)");
    assertThat(Agent.standardConfigProblem(
        java.util.Map.of("KUBECONFIG", kube + ":other.yaml"), only)).isEmpty();
    assertThat(Agent.standardConfigProblem(java.util.Map.of("HOME", "sre"), only))
        .isEmpty();
    assertThat(Agent.standardConfigProblem(java.util.Map.of("HOME", "root"), only))
        .hasValueSatisfying(m -> assertThat(m).startsWith("no Kubernetes configuration"));
    assertThat(Agent.standardConfigProblem(java.util.Map.of(),
        p -> p.equals(Path.of(Agent.SERVICE_ACCOUNT_CA)))).isEmpty();
  }

  /** The shipped example, its {@code kubernetes.kubeconfig} set to {@code kubeconfig}. */
  private Path exampleWithKubeconfig(Path kubeconfig) throws Exception {
    Path example = AgentConfigParserTest.locate("examples/deploy/prescaler-config.yaml");
    Path config = dir.resolve("kc.yaml");
    Files.writeString(config, Files.readString(example).replace("  leaderElection: true",
        "  kubeconfig: " + kubeconfig + "\n  leaderElection: true"));
    return config;
  }

  /**
   * Catches {@code --validate} refusing a kubeconfig that is not on the machine checking the
   * configuration (exit 2): in CI or on a laptop, for an agent whose kubeconfig is a Secret
   * mounted in its pod. Only the agent, where it runs, looks for the file.
   */
  @Test
  void validateAcceptsAKubeconfigThatExistsOnlyWhereTheAgentRuns() throws Exception {
    Path missing = dir.resolve("etc-prescaler-kubeconfig");
    assertThat(run("--validate", "--config", exampleWithKubeconfig(missing).toString()))
        .isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith(": valid (2 workloads)\n");
    assertThat(err()).isEmpty();
    out.reset();
    assertThat(run("--validate", "--config", exampleWithKubeconfig(dir).toString()))
        .isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith(": valid (2 workloads)\n");
    assertThat(err()).isEmpty();
  }

  /**
   * The start, and {@code --release-hpas}, refuse a kubeconfig the agent cannot read with one
   * line naming the key, the file and why, exit 2 as a configuration error, before any API call
   * (not the client's "cannot reach Kubernetes: PATH", which named only the path).
   */
  @Test
  void theStartRefusesAKubeconfigItCannotReadNamingTheKeyTheFileAndWhy() throws Exception {
    Path gone = dir.resolve("gone");
    String config = exampleWithKubeconfig(gone).toString();
    assertThat(run("--config", config)).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: kubernetes.kubeconfig \"" + gone
        + "\" does not exist\n");
    err.reset();
    assertThat(run("--release-hpas", "--config", config)).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: kubernetes.kubeconfig \"" + gone
        + "\" does not exist\n");
    err.reset();
    assertThat(run("--config", exampleWithKubeconfig(dir).toString())).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: kubernetes.kubeconfig \"" + dir
        + "\" is a directory\n");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  /**
   * A file gone since the command looked for it, or a caller that did not look: reaching
   * Kubernetes fails naming the key, the file and why, not only the path.
   */
  @Test
  void anAgentWhoseKubeconfigIsGoneNamesTheKeyAndWhy() {
    AgentConfig c = AgentConfigParser.parse(
        AgentConfigParserTest.locate("examples/deploy/prescaler-config.yaml"));
    AgentConfig.Kubernetes k = c.kubernetes();
    Path gone = dir.resolve("gone");
    AgentConfig config = new AgentConfig(c.engine(), new AgentConfig.Kubernetes(
        java.util.Optional.of(gone), k.leaderElection(), k.leaseNamespace(), k.leaseName(),
        k.leaseDuration(), k.identity(), k.modeStore()), c.prometheus(), c.server(),
        c.promotion(), c.workloads());
    assertThat(Agent.releaseHpas(config, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(1);
    assertThat(err()).isEqualTo("prescaler agent: cannot reach Kubernetes: "
        + "kubernetes.kubeconfig \"" + gone + "\" does not exist\n");
  }

  @Test
  void kubeconfigProblem_namesTheKeyTheFileAndWhy() {
    // A test running as root reads any file: the file system's answers are given.
    Path kc = Path.of("kc");
    assertThat(Agent.kubeconfigProblem(kc, f -> true, f -> false, f -> false))
        .contains("kubernetes.kubeconfig \"kc\" is not readable");
    assertThat(Agent.kubeconfigProblem(kc, f -> true, f -> false, f -> true)).isEmpty();
    assertThat(Agent.kubeconfigProblem(kc, f -> true, f -> true, f -> true))
        .contains("kubernetes.kubeconfig \"kc\" is a directory");
    assertThat(Agent.kubeconfigProblem(kc, f -> false, f -> false, f -> false))
        .contains("kubernetes.kubeconfig \"kc\" does not exist");
    assertThat(Agent.kubeconfigProblem(java.util.Optional.empty())).isEmpty();
  }

  /** The shipped example, its {@code prometheus.bearerTokenFile} set to {@code token}. */
  private Path exampleWithBearerToken(Path token) throws Exception {
    Path example = AgentConfigParserTest.locate("examples/deploy/prescaler-config.yaml");
    Path config = dir.resolve("token.yaml");
    String text = Files.readString(example);
    assertThat(text).contains("\nprometheus:\n");
    Files.writeString(config, text.replace("\nprometheus:\n",
        "\nprometheus:\n  bearerTokenFile: " + token + "\n"));
    return config;
  }

  /**
   * Catches an agent that started with a bearer token file it cannot read: every Prometheus
   * reading was then unavailable, tick after tick, the reason only in the journal. At start it is
   * one line naming the key, the file and why, exit 2, before any API call (the kubeconfig is
   * the shipped one's: none, so the first API call would be the client's own).
   */
  @Test
  void theStartRefusesABearerTokenFileItCannotReadNamingTheKeyTheFileAndWhy() throws Exception {
    Path gone = dir.resolve("token-gone");
    assertThat(run("--config", exampleWithBearerToken(gone).toString())).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: prometheus.bearerTokenFile \"" + gone
        + "\" does not exist\n");
    err.reset();
    assertThat(run("--config", exampleWithBearerToken(dir).toString())).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: prometheus.bearerTokenFile \"" + dir
        + "\" is a directory\n");
    err.reset();
    Path empty = Files.writeString(dir.resolve("token-empty"), " \n");
    assertThat(run("--config", exampleWithBearerToken(empty).toString())).isEqualTo(2);
    // Quoted as in the file system's problems: it used to be bare in the content's alone.
    assertThat(err()).isEqualTo("prescaler agent: prometheus.bearerTokenFile \"" + empty
        + "\" is empty\n");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  /** {@code --validate} checks only the form: the token may be mounted only in the agent's pod. */
  @Test
  void validateAcceptsABearerTokenFileThatExistsOnlyWhereTheAgentRuns() throws Exception {
    assertThat(run("--validate", "--config",
        exampleWithBearerToken(dir.resolve("token-gone")).toString())).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith(": valid (2 workloads)\n");
    assertThat(err()).isEmpty();
  }

  @Test
  void bearerTokenFileProblem_namesTheKeyTheFileAndWhy() throws Exception {
    // A test running as root reads any file: the file system's answers are given.
    Path t = Path.of("t");
    assertThat(Agent.bearerTokenFileProblem(t, f -> true, f -> false, f -> false))
        .contains("prometheus.bearerTokenFile \"t\" is not readable");
    assertThat(Agent.bearerTokenFileProblem(t, f -> true, f -> false, f -> true)).isEmpty();
    assertThat(Agent.bearerTokenFileProblem(java.util.Optional.empty())).isEmpty();
    AgentConfig c = AgentConfigParser.parse(exampleWithBearerToken(
        Files.writeString(dir.resolve("token-ok"), "abc.def\n")));
    assertThat(c.prometheus().orElseThrow().bearerTokenFile()).isPresent();
    assertThat(Agent.bearerTokenFileProblem(c.prometheus())).isEmpty();
  }

  @Test
  void argumentErrorsExitTwoWithOneLine() {
    assertThat(run("--validate")).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: --config FILE is required (see --help)\n");
    err.reset();
    assertThat(run("--frobnicate")).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: unknown option --frobnicate (see --help)\n");
    err.reset();
    assertThat(run("--config", dir.resolve("missing.yaml").toString())).isEqualTo(2);
    assertThat(err()).contains("missing.yaml: invalid configuration:").contains("cannot be read");
    err.reset();
    assertThat(run("--validate", "--release-hpas", "--config", "x.yaml")).isEqualTo(2);
    assertThat(err())
        .isEqualTo("prescaler agent: --validate and --release-hpas exclude each other\n");
  }

  @Test
  void theCommandLineIsReadAsEveryCommandReadsIt() {
    assertThat(run("--config")).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: option --config needs a value (see --help)\n");
    err.reset();
    assertThat(run("--config=a.yaml", "--config", "b.yaml")).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: --config must be given once, but was given "
        + "twice: \"a.yaml\" and \"b.yaml\"\n");
    err.reset();
    assertThat(run("--validate", "--config", "x.yaml", "--validate")).isEqualTo(2);
    assertThat(err())
        .isEqualTo("prescaler agent: --validate must be given once, but was given twice\n");
    err.reset();
    assertThat(run("--validate=false", "--config", "x.yaml")).isEqualTo(2);
    assertThat(err()).isEqualTo(
        "prescaler agent: --validate takes no value, but was given \"false\"\n");
    err.reset();
    assertThat(run("x.yaml")).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: unexpected argument \"x.yaml\" (see --help)\n");
    err.reset();
    assertThat(run("--validate", "--config", "\u001b[31mRED\nline2.yaml")).isEqualTo(2);
    assertThat(err()).isEqualTo("prescaler agent: --config is not a file name: "
        + "\"\\x1b[31mRED\\x0aline2.yaml\" (it holds characters a terminal does not print)\n");
    err.reset();
    // A Persian name (U+200C) prints as itself: read, not refused (no such file here).
    String persian = "\u062a\u0646\u0638\u06cc\u0645\u200c\u0647\u0627.yaml";
    assertThat(run("--validate", "--config", dir.resolve(persian).toString())).isEqualTo(2);
    assertThat(err()).doesNotContain("is not a file name").contains("cannot be read");
    err.reset();
    assertThat(run("--frobnicate", "-h")).isEqualTo(0);
    assertThat(err()).isEmpty();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: prescaler agent");
  }

  @Test
  void helpPrintsUsage() {
    assertThat(run("--help")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: prescaler agent");
  }
}
