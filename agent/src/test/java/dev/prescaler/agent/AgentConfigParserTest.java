package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescaler.core.DecisionContext;
import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.PastDecision;
import dev.prescaler.core.Proposal;
import dev.prescaler.core.ReplicaStatus;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.decision.HpaPolicy;
import dev.prescaler.prometheus.PrometheusMetricSource;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigParserTest {
  private static final String MINIMAL = """
      workloads:
        - namespace: shop
          name: web
          maxReplicas: 10
          metrics:
            - name: cpu
              type: utilization
              target: 70
              source: metrics-server
              resource: cpu
      """;

  @Test
  void theShippedExampleIsValid() {
    AgentConfig c = AgentConfigParser.parse(locate("examples/deploy/prescaler-config.yaml"));
    assertThat(c.workloads()).hasSize(2);
    AgentConfig.Workload web = c.workloads().get(0);
    assertThat(web.spec().workload()).isEqualTo(WorkloadRef.deployment("shop", "web"));
    assertThat(web.spec().mode()).isEqualTo(Mode.HPA_FLOOR);
    assertThat(web.spec().metrics()).containsExactly(MetricTarget.averageValue("rps", 50),
        MetricTarget.utilization("cpu", 70));
    assertThat(web.metrics().get("rps").query()).hasValueSatisfying(
        q -> assertThat(q).contains("{selector}"));
    assertThat(c.prometheus()).isPresent();
    assertThat(c.engine().journal()).isPresent();
    assertThat(c.workloads().get(1).spec().workload().kind()).isEqualTo("StatefulSet");
  }

  @Test
  void defaultsApplyToAMinimalFile() {
    AgentConfig c = AgentConfigParser.parse(MINIMAL, "min.yaml");
    assertThat(c.engine().syncPeriod()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.engine().callTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.engine().forecaster()).isEqualTo("auto");
    assertThat(c.server().port()).isEqualTo(9464);
    assertThat(c.promotion().automatic()).isTrue();
    assertThat(c.promotion().minObservation()).isEqualTo(Duration.ofHours(24));
    assertThat(c.kubernetes().leaderElection()).isTrue();
    assertThat(c.workloads().get(0).spec().mode()).isEqualTo(Mode.ACT);
    assertThat(c.workloads().get(0).promoted()).isFalse();
    assertThat(AgentConfigParser.parse("engine:\n  forecaster: holt-winters\n" + MINIMAL,
        "hw.yaml").engine().forecaster()).isEqualTo("holt-winters");
  }

  @Test
  void aWorkloadsOwnHpaBehaviorBecomesItsFloor() {
    String yaml = MINIMAL.replace("maxReplicas: 10", """
        maxReplicas: 10
            hpaBehavior:
              scaleDown:
                stabilizationWindowSeconds: 60
                policies: [{type: Pods, value: 2, periodSeconds: 30}]""");
    AgentConfig c = AgentConfigParser.parse(yaml, "own.yaml");

    assertThat(c.workloads().get(0).hpa()).hasValueSatisfying(h -> assertThat(h.toString())
        .isEqualTo("HpaPolicy{tolerance up 0.1 down 0.1, scaleUp: window 0s, Max of [Pods 4 "
            + "per 15s, Percent 100 per 15s]; scaleDown: window 60s, Max of [Pods 2 per 30s]}"));
    assertThat(AgentConfigParser.parse(MINIMAL, "min.yaml").workloads().get(0).hpa()).isEmpty();

    // Each HPA the agent plans over: the default stack for others, the workload's own for it.
    WorkloadSpec spec = c.workloads().get(0).spec();
    Instant now = Instant.parse("2026-01-05T12:00:00Z");
    DecisionContext ctx = DecisionContext.builder(spec, now, ReplicaStatus.of(10, 10))
        .reading("cpu", 14) // 14 % of request on 10 pods at a 70 % target: 2 replicas
        .past(new PastDecision(now.minusSeconds(120), 10, 10, false,
            Map.of(HpaPolicy.DEFAULT_MARK, 10)))
        .build();
    assertThat(Agent.policy(c).apply(ctx, Proposal.keep(10)).replicas())
        .as("a 60 s scale-down window has forgotten the recommendation of 120 s ago; "
            + "its policy allows 2 pods fewer")
        .isEqualTo(8);
    AgentConfig plain = AgentConfigParser.parse(MINIMAL, "min.yaml");
    assertThat(Agent.policy(plain).apply(ctx, Proposal.keep(10)).replicas())
        .as("Kubernetes' 300 s window still holds 10").isEqualTo(10);
  }

  @Test
  void aBadHpaBehaviorIsNamedWithItsPath() {
    String yaml = MINIMAL.replace("maxReplicas: 10", """
        maxReplicas: 10
            hpaBehavior:
              scaleUp: {selectPolicy: Fastest}""");
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "bad.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("workloads[0].hpaBehavior.scaleUp.selectPolicy must be Max, Min "
            + "or Disabled, but was \"Fastest\"");
  }

  /** Catches a --config file that is not YAML echoed whole in the message (1.3 MB of it). */
  @Test
  void aLongValueIsCutInTheMessage() {
    String text = "x".repeat(58) + "é😀" + "y".repeat(1_300_000);
    assertThatThrownBy(() -> AgentConfigParser.parse(text, "big.bin"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("(top level) must be a mapping, but was \"" + "x".repeat(58)
            + "é😀\"… (1300060 characters)")
        .hasMessageNotContaining("yyy");
    String yaml = MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n    mode: \""
        + "a\\\"".repeat(40) + "\"");
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "mode.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("but was \"" + "a\\\"".repeat(30) + "\"… (80 characters)");
    assertThatThrownBy(() -> AgentConfigParser.parse(
        MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n    mode: " + "m".repeat(60)),
        "mode.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("but was \"" + "m".repeat(60) + "\"");
  }

  @Test
  void anUnknownKeyIsNamedWithItsPath() {
    String yaml = MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n    maxReplica: 3");
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "typo.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("typo.yaml")
        .hasMessageContaining("unknown key workloads[0].maxReplica");
  }

  @Test
  void demoteAfterRefused_defaultsToTenMinutesAndReadsLikeTheOtherGates() {
    assertThat(AgentConfigParser.parse(MINIMAL, "min.yaml").promotion().demoteAfterRefused())
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(AgentConfigParser.parse("promotion:\n  demoteAfterRefused: 30m\n" + MINIMAL,
        "refused.yaml").promotion().demoteAfterRefused()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void demoteAfterRefused_outOfRange() {
    assertThatThrownBy(() -> AgentConfigParser.parse(
        "promotion:\n  demoteAfterRefused: 0s\n" + MINIMAL, "refused.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("promotion.demoteAfterRefused must be a duration such as 30s, 5m, "
                + "1h or 15 (seconds) in [PT1S, PT24H], but was \"0s\""));
    assertThatThrownBy(() -> AgentConfigParser.parse(
        "promotion:\n  demoteAfterRefused: 2d\n" + MINIMAL, "refused.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .singleElement().asString().startsWith("promotion.demoteAfterRefused must be")
            .endsWith("but was \"2d\""));
  }

  @Test
  void everyProblemIsReportedAtOnceWithKeyAndValue() {
    String yaml = """
        engine:
          syncPeriod: fast
          forecaster: prophet
        promotion:
          maxRelativeMae: -1
        workloads:
          - namespace: Shop
            name: web
            maxReplicas: 0
            mode: yolo
            metrics:
              - name: cpu
                type: utilisation
                target: 70
                source: metrics-server
                resource: cpu
        """;
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "bad.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).startsWith("engine.syncPeriod must be a duration")
                .endsWith("but was \"fast\""))
            .anySatisfy(p -> assertThat(p).isEqualTo("engine.forecaster must be one of "
                + "[linear-trend, seasonal-naive, holt-winters, fourier, auto], but was "
                + "\"prophet\""))
            .anySatisfy(p -> assertThat(p).startsWith("promotion.maxRelativeMae must be a number")
                .endsWith("but was -1"))
            .anySatisfy(p -> assertThat(p).contains("namespace must be a DNS-1123 label, but was "
                + "\"Shop\""))
            .anySatisfy(p -> assertThat(p).startsWith("workloads[0].mode must be act, hpa-floor or "
                + "observe-only")
                .endsWith("but was \"yolo\""))
            .anySatisfy(p -> assertThat(p).isEqualTo("workloads[0].metrics[0].type must be "
                + "utilization or averageValue, but was \"utilisation\"")));
  }

  @Test
  void crossFieldRulesOfTheWorkloadSpecCarryThePath() {
    String yaml = MINIMAL.replace("maxReplicas: 10", "minReplicas: 5\n    maxReplicas: 3");
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "x.yaml"))
        .hasMessageContaining("workloads[0].maxReplicas must be >= minReplicas (5), but was 3");
  }

  @Test
  void aPrometheusMetricNeedsAPrometheusSectionAndAQuery() {
    String yaml = MINIMAL.replace("source: metrics-server", "source: prometheus")
        .replace("resource: cpu", "");
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "p.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .contains("workloads[0].metrics[0].source is prometheus, but there is no prometheus "
                + "section",
                "workloads[0].metrics[0].query is required for source prometheus (a PromQL "
                + "template)"));
  }

  @Test
  void anInvalidMetricNameCarriesThePathOfItsField() {
    String yaml = MINIMAL.replace("- name: cpu", "- name: 1cpu");
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "n.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .contains("workloads[0].metrics[0].name must match [A-Za-z_][A-Za-z0-9_.:-]*, but "
                + "was \"1cpu\""));
  }

  @Test
  void aMetricsServerMetricIsNamedAfterItsResource() {
    // The Metrics Server source reads what the name says: "memory" with resource cpu would have
    // scaled on memory, "cpu-util" would have been unavailable on every tick.
    for (String name : new String[] {"memory", "cpu-util"}) {
      String yaml = MINIMAL.replace("- name: cpu", "- name: " + name);
      assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "ms.yaml"))
          .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
              .containsExactly("workloads[0].metrics[0].name must be the resource's name (cpu) "
                  + "for source metrics-server, but was \"" + name + "\""));
    }
  }

  @Test
  void observeOnlyIsAModeAndALeaseLastsWholeSeconds() {
    AgentConfig c = AgentConfigParser.parse(MINIMAL.replace("maxReplicas: 10",
        "maxReplicas: 10\n    mode: observe-only\n    promoted: true"), "off.yaml");
    assertThat(c.workloads().get(0).spec().mode()).isEqualTo(Mode.OBSERVE_ONLY);
    assertThatThrownBy(() -> AgentConfigParser.parse("kubernetes:\n  leaseDuration: 2500ms\n"
        + MINIMAL, "lease.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("kubernetes.leaseDuration must be whole seconds, but was "
                + "\"2500ms\""));
    assertThatThrownBy(() -> AgentConfigParser.parse("kubernetes:\n  leaderElection: false\n"
        + "  identity: agent 1\n" + MINIMAL, "id.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .singleElement().satisfies(p -> assertThat(p).startsWith("kubernetes.identity: ")
                .endsWith("but was \"agent 1\"")));
  }

  @Test
  void identity_withLeaderElection() {
    // Every replica mounts the same file: with one fixed identity they would all lead.
    String expected = "kubernetes.identity must be unset when kubernetes.leaderElection is true "
        + "(every replica reads this file, and replicas of one identity all take the Lease for "
        + "their own and all act; unset, each replica takes its own: POD_NAME, else its host "
        + "name), but was \"agent-1\"";
    for (String election : new String[] {"", "  leaderElection: true\n"}) {
      assertThatThrownBy(() -> AgentConfigParser.parse("kubernetes:\n" + election
          + "  identity: agent-1\n" + MINIMAL, "id.yaml"))
          .as(election).isInstanceOfSatisfying(ConfigException.class,
              e -> assertThat(e.problems()).containsExactly(expected));
    }
    assertThat(AgentConfigParser.parse("kubernetes:\n  leaderElection: false\n"
        + "  identity: agent-1\n" + MINIMAL, "alone.yaml").kubernetes().identity())
        .as("one replica names its Events").isEqualTo("agent-1");
    assertThat(AgentConfigParser.parse(MINIMAL, "min.yaml").kubernetes().identity())
        .as("unset: each replica's own, Agent.defaultIdentity").isEmpty();
  }

  @Test
  void theServerListensOnEveryInterfaceOrOnTheIpAddressGiven() throws Exception {
    assertThat(AgentConfigParser.parse(MINIMAL, "min.yaml").server().address())
        .as("every interface, as a scrape from another pod needs").isEmpty();
    for (String a : new String[] {"127.0.0.1", "0.0.0.0", "10.1.2.3", "::1", "::",
        "fd00::2:1"}) {
      AgentConfig c = AgentConfigParser.parse("server:\n  port: 0\n  address: \"" + a + "\"\n"
          + MINIMAL, "a.yaml");
      assertThat(c.server().address()).as(a).contains(InetAddress.getByName(a));
    }
    for (String a : new String[] {"localhost", "prescaler.example", "256.0.0.1", "1.2.3",
        "127.0.0.01", "::g", ":::1x", " 127.0.0.1", "[::1]"}) {
      assertThatThrownBy(() -> AgentConfigParser.parse("server:\n  address: \"" + a + "\"\n"
          + MINIMAL, "a.yaml"))
          .as(a).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
              .containsExactly("server.address must be an IP address such as 127.0.0.1, "
                  + "0.0.0.0 or ::, but was \"" + a + "\""));
    }
    // Multicast parsed as an address, and the agent failed only at start, binding it.
    for (String a : new String[] {"224.0.0.1", "ff02::1"}) {
      assertThatThrownBy(() -> AgentConfigParser.parse("server:\n  address: \"" + a + "\"\n"
          + MINIMAL, "a.yaml"))
          .as(a).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
              .containsExactly("server.address must be an address the server can listen on, "
                  + "but was the multicast address \"" + a + "\""));
    }
    assertThatThrownBy(() -> AgentConfigParser.parse("server:\n  address: 8080\n" + MINIMAL,
        "a.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("server.address must be an IP address such as 127.0.0.1, 0.0.0.0 "
                + "or ::, but YAML read 8080 as the number 8080"));
  }

  @Test
  void theModeStoreIsAConfigMapNameOrNone() {
    assertThat(AgentConfigParser.parse(MINIMAL, "min.yaml").kubernetes().modeStore())
        .contains("prescaler-modes");
    assertThat(AgentConfigParser.parse("kubernetes:\n  modeStore: team-a.modes\n" + MINIMAL,
        "named.yaml").kubernetes().modeStore()).contains("team-a.modes");
    assertThat(AgentConfigParser.parse("kubernetes:\n  modeStore: none\n" + MINIMAL,
        "off.yaml").kubernetes().modeStore()).isEmpty();
    assertThatThrownBy(() -> AgentConfigParser.parse("kubernetes:\n  modeStore: Prescaler_Modes\n"
        + MINIMAL, "bad.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("kubernetes.modeStore must be a ConfigMap name (a DNS-1123 "
                + "subdomain) or none, but was \"Prescaler_Modes\""));
    assertThatThrownBy(() -> AgentConfigParser.parse("kubernetes:\n  modeStore: false\n"
        + MINIMAL, "bool.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("kubernetes.modeStore must be a string, but YAML read false as the "
                + "boolean false: quote it (\"false\")"));
  }

  @Test
  void templatesAndThePrometheusUrlAreCheckedWithoutEchoingAPassword() {
    String yaml = """
        prometheus:
          url: http://admin:s3cret@prometheus:9090
        workloads:
          - namespace: shop
            name: web
            maxReplicas: 10
            metrics:
              - name: rps
                type: averageValue
                target: 50
                source: prometheus
                query: 'sum(rate(x{namespace="{nme}"}[2m]))'
        """;
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "prom.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.problems()).anySatisfy(p -> assertThat(p)
              .isEqualTo("prometheus.url must not hold user info (credentials in the URL are not "
                  + "sent): use prometheus.bearerTokenFile, but was "
                  + "\"http://***@prometheus:9090\""));
          assertThat(e.problems()).anySatisfy(p -> assertThat(p)
              .startsWith("workloads[0].metrics[0].query has unknown placeholder {nme}"));
          assertThat(e.getMessage()).doesNotContain("s3cret");
        });
  }

  @Test
  void aPrometheusUrlIsRefusedExactlyWhenTheSourceWouldRefuseItAtStart() {
    String workload = MINIMAL.substring("workloads:\n".length());
    Map<String, Boolean> accepted = new LinkedHashMap<>();
    accepted.put("http://prometheus.monitoring:9090/?tenant=a", false);
    accepted.put("http://prometheus.monitoring:9090/#graph", false);
    accepted.put("ftp://prometheus.monitoring/", false);
    accepted.put("http:///api/", false);
    accepted.put("http://prom_1:9090", false); // no server-based host
    accepted.put("HTTPS://prometheus.monitoring:9090", true);
    accepted.put("https://gateway/prometheus/", true);
    accepted.forEach((url, ok) -> {
      String yaml = "prometheus:\n  url: '" + url + "'\nworkloads:\n" + workload;
      boolean sourceBuilds;
      try {
        PrometheusMetricSource.builder().baseUri(URI.create(url)).metric("cpu", "sum(up)")
            .build();
        sourceBuilds = true;
      } catch (InvalidConfigurationException e) {
        sourceBuilds = false;
      }
      assertThat(sourceBuilds).as("the source builds with " + url).isEqualTo(ok);
      if (ok) {
        assertThat(AgentConfigParser.parse(yaml, "ok.yaml").prometheus().orElseThrow().url())
            .isEqualTo(URI.create(url));
      } else {
        assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "url.yaml"))
            .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                .containsExactly("prometheus.url must be an http or https URI with a host and no "
                    + "query or fragment, but was \"" + url + "\""));
      }
    });
  }

  @Test
  void theRateWindowIsSetInThePrometheusSection() {
    // The shipped request-rate query is the built-in template, whose {rate_window} the agent
    // could not set: its 2-minute window became the source's 5 minutes.
    String workload = MINIMAL.substring("workloads:\n".length());
    String yaml = "prometheus:\n  url: http://p:9090\n%sworkloads:\n" + workload;
    assertThat(AgentConfigParser.parse(yaml.formatted(""), "d.yaml").prometheus().orElseThrow()
        .rateWindow()).isEqualTo(PrometheusMetricSource.DEFAULT_RATE_WINDOW);
    assertThat(AgentConfigParser.parse(yaml.formatted("  rateWindow: 2m\n"), "w.yaml")
        .prometheus().orElseThrow().rateWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(AgentConfigParser.parse(locate("examples/deploy/prescaler-config.yaml"))
        .prometheus().orElseThrow().rateWindow()).isEqualTo(Duration.ofMinutes(2));
    for (String bad : new String[] {"0s", "31d", "fast"}) {
      assertThatThrownBy(() -> AgentConfigParser.parse(
          yaml.formatted("  rateWindow: " + bad + "\n"), "bad.yaml"))
          .as(bad).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
              .singleElement().asString().startsWith("prometheus.rateWindow must be"));
    }
  }

  @Test
  void aBadPrometheusUrlIsItsOnlyProblemForThePrometheusMetrics() {
    // Catches the section counting as absent once its url was refused: every Prometheus metric
    // then also said there was no prometheus section.
    String yaml = "prometheus:\n  url: 'http://p:9090/?tenant=a'\n" + MINIMAL
        .replace("source: metrics-server", "source: prometheus")
        .replace("resource: cpu", "query: 'sum(rate(x[2m]))'");
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "url.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("prometheus.url must be an http or https URI with a host and no "
                + "query or fragment, but was \"http://p:9090/?tenant=a\""));
  }

  @Test
  void aKindTheAgentCannotScaleIsRefusedWithTheKindsItCan() {
    assertThatThrownBy(() -> AgentConfigParser.parse(MINIMAL.replace("name: web",
        "name: web\n    kind: Deploymnet"), "kind.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("workloads[0].kind must be one of Deployment, StatefulSet, "
                + "ReplicaSet (the kinds the agent can scale), but was \"Deploymnet\""));
    for (String kind : new String[] {"StatefulSet", "ReplicaSet"}) {
      AgentConfig c = AgentConfigParser.parse(MINIMAL.replace("name: web",
          "name: web\n    kind: " + kind), "kind.yaml");
      assertThat(c.workloads().get(0).spec().workload())
          .isEqualTo(new WorkloadRef("shop", kind, "web"));
    }
  }

  @Test
  void everyProblemOfEveryWorkloadIsListedEvenAfterABadMetric() {
    String yaml = """
        workloads:
          - namespace: shop
            name: web
            kind: Deploymnet
            minReplicas: many
            maxReplicas: -3
            priority: high
            costWeight: 0
            startupDelay: forever
            riskQuantile: 2
            forecastHorizon: 10s
            stepLimits: {upPods: -1}
            hpaBehavior:
              scaleUp: {selectPolicy: Fastest}
            metrics:
              - name: rps
                type: avg
                target: 50
                source: metrics-server
                resource: cpu
              - type: utilisation
                target:
                source: metrics-server
                resource: cpu
          - namespace: Shop
            name: api
            maxReplicas:
            metrics:
              - name: cpu
                type: utilization
                target: 70
                source: prometheus
        """;
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "all.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactlyInAnyOrder(
                "workloads[0].kind must be one of Deployment, StatefulSet, ReplicaSet (the kinds "
                    + "the agent can scale), but was \"Deploymnet\"",
                "workloads[0].metrics[0].type must be utilization or averageValue, but was "
                    + "\"avg\"",
                "workloads[0].metrics[0].name must be the resource's name (cpu) for source "
                    + "metrics-server, but was \"rps\"",
                "workloads[0].metrics[1].name is required",
                "workloads[0].metrics[1].target is required, but its value is empty",
                "workloads[0].metrics[1].type must be utilization or averageValue, but was "
                    + "\"utilisation\"",
                "workloads[0].minReplicas must be an integer in [0, 1000000], but was \"many\"",
                "workloads[0].maxReplicas must be an integer in [1, 1000000], but was -3",
                "workloads[0].priority must be absent: the agent has no capacity budget, so "
                    + "nothing reads it (priority and costWeight are read by "
                    + "ClusterCapacityArbiter, for programs that embed the engine), but was "
                    + "\"high\"",
                "workloads[0].costWeight must be absent: the agent has no capacity budget, so "
                    + "nothing reads it (priority and costWeight are read by "
                    + "ClusterCapacityArbiter, for programs that embed the engine), but was 0",
                "workloads[0].startupDelay must be a duration such as 30s, 5m, 1h or 15 "
                    + "(seconds) in [PT1S, PT1H], but was \"forever\"",
                "workloads[0].riskQuantile must be a number in [0.5, 0.999], but was 2",
                "workloads[0].forecastHorizon must be a duration such as 30s, 5m, 1h or 15 "
                    + "(seconds) in [PT1M, PT168H], but was \"10s\"",
                "workloads[0].stepLimits.upPods must be an integer in [0, 1000000], but was -1",
                "workloads[0].hpaBehavior.scaleUp.selectPolicy must be Max, Min or Disabled, but "
                    + "was \"Fastest\"",
                "workloads[1].namespace must be a DNS-1123 label, but was \"Shop\"",
                "workloads[1].maxReplicas is required, but its value is empty",
                "workloads[1].metrics[0].source is prometheus, but there is no prometheus "
                    + "section",
                "workloads[1].metrics[0].query is required for source prometheus (a PromQL "
                    + "template)"));
  }

  @Test
  void callTimeout_leavesTheLeaderNoTimeToStartACallBeforeItsRenewDeadline() {
    assertThatThrownBy(() -> AgentConfigParser.parse("kubernetes:\n  leaseDuration: 6s\n"
        + MINIMAL, "short-lease.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("engine.callTimeout must be < kubernetes.leaseDuration's renew "
                + "deadline (2/3) minus its retry period (1/7), 3.143s for leaseDuration 6s (a "
                + "call the leader starts must end before the deadline), but was 5s (the "
                + "default)"));
    assertThatThrownBy(() -> AgentConfigParser.parse("engine:\n  callTimeout: 30s\n"
        + MINIMAL, "long-call.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("engine.callTimeout must be < kubernetes.leaseDuration's renew "
                + "deadline (2/3) minus its retry period (1/7), 7.857s for leaseDuration 15s (a "
                + "call the leader starts must end before the deadline), but was \"30s\""));
    assertThat(AgentConfigParser.parse("engine:\n  callTimeout: 30s\nkubernetes:\n"
        + "  leaderElection: false\n" + MINIMAL, "alone.yaml").engine().callTimeout())
        .as("one replica, no Lease to outlive").isEqualTo(Duration.ofSeconds(30));
    assertThat(AgentConfigParser.parse("engine:\n  callTimeout: 7856ms\n" + MINIMAL,
        "edge.yaml").engine().callTimeout()).isEqualTo(Duration.ofMillis(7856));
  }

  // Caught a too-long callTimeout reported only once a typo elsewhere had been fixed: the check
  // ran only on an otherwise valid file.
  @Test
  void callTimeout_checkedAgainstTheLeaseWhateverElseIsWrong() {
    assertThatThrownBy(() -> AgentConfigParser.parse("""
        engine:
          callTimeout: 30s
          tickRate: 3
        promotion:
          automatc: true
        """ + MINIMAL, "typos.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .hasSize(3)
            .anySatisfy(p -> assertThat(p).startsWith("unknown key engine.tickRate"))
            .anySatisfy(p -> assertThat(p).startsWith("unknown key promotion.automatc"))
            .contains("engine.callTimeout must be < kubernetes.leaseDuration's renew "
                + "deadline (2/3) minus its retry period (1/7), 7.857s for leaseDuration 15s (a "
                + "call the leader starts must end before the deadline), but was \"30s\""));
    // A refused key is not compared through the default standing in for it.
    assertThatThrownBy(() -> AgentConfigParser.parse("""
        engine:
          callTimeout: forever
        kubernetes:
          leaseDuration: 6s
        """ + MINIMAL, "refused.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .singleElement().satisfies(p -> assertThat(p).startsWith("engine.callTimeout must "
                + "be a duration")));
    assertThatThrownBy(() -> AgentConfigParser.parse("""
        kubernetes:
          leaseDuration: 6500ms
        """ + MINIMAL, "lease.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("kubernetes.leaseDuration must be whole seconds, but was "
                + "\"6500ms\""));
  }

  @Test
  void journalMaxFileSizeReadsBytesOrABinarySuffixAndNamesABadValue() {
    assertThat(AgentConfigParser.parse(MINIMAL, "min.yaml").engine().journalMaxFileSize())
        .isEqualTo(64L << 20);
    assertThat(AgentConfigParser.parse("engine:\n  journalMaxFileSize: 256Mi\n" + MINIMAL,
        "mi.yaml").engine().journalMaxFileSize()).isEqualTo(256L << 20);
    assertThat(AgentConfigParser.parse("engine:\n  journalMaxFileSize: 1048576\n" + MINIMAL,
        "bytes.yaml").engine().journalMaxFileSize()).isEqualTo(1L << 20);
    assertThat(AgentConfigParser.parse("engine:\n  journalMaxFileSize: 1Ti\n" + MINIMAL,
        "ti.yaml").engine().journalMaxFileSize()).isEqualTo(1L << 40);
    for (String bad : List.of("64MB", "2Ti", "512", "-1Mi", "99999999999999999999Ki", "1.5Gi")) {
      assertThatThrownBy(() -> AgentConfigParser.parse("engine:\n  journalMaxFileSize: " + bad
          + "\n" + MINIMAL, "bad.yaml"))
          .as(bad)
          .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
              .singleElement().asString()
              .startsWith("engine.journalMaxFileSize must be a size such as 256Mi, 1Gi or "
                  + "1048576 (bytes) in [1024, 1099511627776] bytes, but was ")
              .contains(bad.replace("-", "")));
    }
  }

  @Test
  void aDurationGivenAsAYamlNumberIsSecondsLikeTheSameDigitsQuoted() {
    AgentConfig c = AgentConfigParser.parse("""
        engine:
          syncPeriod: 15
          metricsDelay: 1.5
          callTimeout: '2'
        kubernetes:
          leaseDuration: 20
        """ + MINIMAL, "numbers.yaml");
    assertThat(c.engine().syncPeriod()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.engine().metricsDelay()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.engine().callTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.kubernetes().leaseDuration()).isEqualTo(Duration.ofSeconds(20));
    assertThatThrownBy(() -> AgentConfigParser.parse("""
        engine:
          syncPeriod: -15
          metricsDelay: true
          callTimeout: 1000
        """ + MINIMAL, "bad.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly(
                "engine.syncPeriod must be a duration such as 30s, 5m, 1h or 15 (seconds) in "
                    + "[PT1S, PT1H], but was -15",
                "engine.metricsDelay must be a duration such as 30s, 5m, 1h or 15 (seconds) in "
                    + "[PT0S, PT1H], but was true",
                "engine.callTimeout must be a duration such as 30s, 5m, 1h or 15 (seconds) in "
                    + "[PT0.001S, PT10M], but was 1000"));
  }

  // Caught a call timeout of 1.5 ms passed by the parser (and by --validate) that the engine
  // then refused at start: the parser names it.
  @Test
  void aCallTimeoutFinerThanAMillisecondIsNamed() {
    assertThatThrownBy(() -> AgentConfigParser.parse("""
        engine:
          callTimeout: PT0.0015S
        """ + MINIMAL, "fine.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("engine.callTimeout must be a whole number of milliseconds, but was "
                + "\"PT0.0015S\""));
    assertThat(AgentConfigParser.parse("""
        engine:
          metricsDelay: 10m
        """ + MINIMAL, "late.yaml").engine().metricsDelay()).isEqualTo(Duration.ofMinutes(10));
  }

  // Caught engine.syncPeriod: PT15.0005S and prometheus.rateWindow: PT60.0000001S passed by
  // --validate and refused at start in a message naming no key: one rule for every duration key.
  @Test
  void everyDurationFinerThanAMillisecondIsNamed() {
    String fine = "PT60.0000001S";
    Map<String, String> files = new LinkedHashMap<>();
    for (String key : new String[] {"engine.syncPeriod", "engine.metricsDelay",
        "engine.callTimeout", "kubernetes.leaseDuration", "promotion.minObservation",
        "promotion.demoteAfterMetricsFailing", "promotion.demoteAfterRefused"}) {
      String[] sk = key.split("\\.");
      files.put(key, sk[0] + ":\n  " + sk[1] + ": " + fine + "\n" + MINIMAL);
    }
    for (String key : new String[] {"timeout", "rateWindow"}) {
      files.put("prometheus." + key, "prometheus:\n  url: http://prometheus:9090\n  " + key
          + ": " + fine + "\n" + MINIMAL);
    }
    for (String key : new String[] {"startupDelay", "forecastHorizon"}) {
      files.put("workloads[0]." + key, MINIMAL.replace("maxReplicas: 10",
          "maxReplicas: 10\n    " + key + ": " + fine));
    }
    files.put("engine.syncPeriod", "engine:\n  syncPeriod: PT15.0005S\n" + MINIMAL);
    files.forEach((key, yaml) -> assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "f.yaml"))
        .as(key).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly(key + " must be a whole number of milliseconds, but was \""
                + (key.equals("engine.syncPeriod") ? "PT15.0005S" : fine) + "\"")));
    assertThat(AgentConfigParser.parse("engine:\n  syncPeriod: PT15.001S\n" + MINIMAL,
        "ms.yaml").engine().syncPeriod()).isEqualTo(Duration.ofMillis(15_001));
  }

  /**
   * Catches priority and costWeight accepted and then read by nothing: the agent's stack has no
   * ClusterCapacityArbiter, so a workload given {@code priority: -1} did not give way under any
   * capacity limit, as its SRE believed.
   */
  @Test
  void priorityAndCostWeightAreRefusedForTheAgentHasNoCapacityBudget() {
    String yaml = MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n    priority: -1\n"
        + "    costWeight: 2.5");
    assertThat(yaml).contains("    priority: -1\n    costWeight: 2.5\n");
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "prio.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly(
                "workloads[0].priority must be absent: the agent has no capacity budget, so "
                    + "nothing reads it (priority and costWeight are read by "
                    + "ClusterCapacityArbiter, for programs that embed the engine), but was -1",
                "workloads[0].costWeight must be absent: the agent has no capacity budget, so "
                    + "nothing reads it (priority and costWeight are read by "
                    + "ClusterCapacityArbiter, for programs that embed the engine), but was "
                    + "2.5"));
  }

  /**
   * Catches a workload's name left unreported while its namespace was wrong too (WorkloadRef's
   * constructor throws on its first problem): the README promises every problem of every field.
   */
  @Test
  void aBadNamespaceAndABadNameAreBothReported() {
    String yaml = MINIMAL.replace("namespace: shop", "namespace: Shop")
        .replace("name: web", "name: \"web_1\"");
    assertThatThrownBy(() -> AgentConfigParser.parse(yaml, "names.yaml"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly(
                "workloads[0].namespace must be a DNS-1123 label, but was \"Shop\"",
                "workloads[0].name must be a DNS-1123 subdomain, but was \"web_1\""));
  }

  /**
   * Catches a file that is not UTF-8 refused as "cannot be read: Input length = 3", which names
   * neither the encoding nor the place: a Latin-1 comment, a UTF-16 file with or without its byte
   * order mark. The agent's command exits 2 with the one line, as for every bad configuration.
   */
  @Test
  void aFileThatIsNotUtf8IsNamedSoWithWhereItStops(@TempDir Path dir) throws Exception {
    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, ("# menu du caf\u00e9\n" + MINIMAL).getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> AgentConfigParser.parse(latin1))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("not UTF-8 text: byte 0xE9 at line 1 (byte offset 13) cannot be "
                + "decoded (save the file as UTF-8)"));
    Path late = dir.resolve("late.yaml");
    Files.write(late, (MINIMAL + "# caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> AgentConfigParser.parse(late))
        .hasMessageContaining("byte 0xE9 at line 11 (byte offset "
            + (MINIMAL.length() + 5) + ")");

    Path utf16 = dir.resolve("utf16.yaml");
    Files.write(utf16, MINIMAL.getBytes(StandardCharsets.UTF_16)); // big-endian, with its mark
    assertThatThrownBy(() -> AgentConfigParser.parse(utf16))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("not UTF-8 text: it starts with a UTF-16 byte order mark (save the "
                + "file as UTF-8)"));
    Path utf16le = dir.resolve("utf16le.yaml");
    Files.write(utf16le, MINIMAL.getBytes(StandardCharsets.UTF_16LE)); // no mark
    assertThatThrownBy(() -> AgentConfigParser.parse(utf16le))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("not UTF-8 text: a NUL byte at line 1 (byte offset 1), as in "
                + "UTF-16 text (save the file as UTF-8)"));

    Path utf8 = dir.resolve("utf8.yaml");
    Files.writeString(utf8, "# menu du caf\u00e9 \ud83d\ude00\n" + MINIMAL);
    assertThat(AgentConfigParser.parse(utf8).workloads()).hasSize(1);

    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int exit = AgentCommand.run(new String[] {"--validate", "--config", latin1.toString()},
        new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(latin1 + ": invalid "
        + "configuration:\n- not UTF-8 text: byte 0xE9 at line 1 (byte offset 13) cannot be "
        + "decoded (save the file as UTF-8)\n");
  }

  @Test
  void invalidYamlAndEmptyFilesAreClearErrors() {
    assertThatThrownBy(() -> AgentConfigParser.parse("workloads: [", "broken.yaml"))
        .hasMessageStartingWith("broken.yaml: invalid configuration:\n- not valid YAML: ")
        .hasMessageContaining("line 1").hasMessageNotContaining("'string'");
    assertThatThrownBy(() -> AgentConfigParser.parse("", "empty.yaml"))
        .hasMessageContaining("the file is empty");
    assertThatThrownBy(() -> AgentConfigParser.parse(Path.of("no/such/file.yaml")))
        .hasMessageStartingWith("no/such/file.yaml: invalid configuration:\n- cannot be read");
  }

  @Test
  void duplicateWorkloadsAreRefused() {
    String one = MINIMAL.substring("workloads:\n".length());
    assertThatThrownBy(() -> AgentConfigParser.parse("workloads:\n" + one + one, "dup.yaml"))
        .hasMessageContaining("workloads[1] duplicates workload shop/web");
  }

  /**
   * Catches a duplicate left out of the list while its first copy had another problem: only the
   * bounds were reported, and the duplicate only once they were fixed (the README promises every
   * problem of every workload at once).
   */
  @Test
  void aDuplicateIsReportedWhileTheFirstCopyHasAnotherProblem() {
    String one = MINIMAL.substring("workloads:\n".length());
    String bad = one.replace("maxReplicas: 10", "minReplicas: 5\n    maxReplicas: 2");
    assertThat(bad).contains("minReplicas: 5");
    assertThatThrownBy(() -> AgentConfigParser.parse("workloads:\n" + bad + one, "dup.yaml"))
        .hasMessageContaining("workloads[1] duplicates workload shop/web")
        .hasMessageContaining("minReplicas");
  }

  /** The problems the parser lists for {@code yaml}, which must be refused. */
  private static List<String> problems(String yaml) {
    try {
      AgentConfigParser.parse(yaml, "t.yaml");
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("accepted:\n" + yaml);
  }

  /**
   * Catches the two problems reported for one YAML 1.1 surprise: {@code namespace: no} (read as
   * false) and {@code name: 2048} each gave "must be a non-empty string, but was false" and "is
   * required", although the key was there, and neither said what to do.
   */
  @Test
  void aNameYamlReadAsABooleanOrANumberIsOneProblemThatSaysToQuoteIt() {
    String yaml = MINIMAL.replace("namespace: shop", "namespace: no")
        .replace("name: web", "name: 2048");
    assertThat(problems(yaml)).containsExactly(
        "workloads[0].namespace must be a string, but YAML read no as the boolean false: quote "
            + "it (\"no\")",
        "workloads[0].name must be a string, but YAML read 2048 as the number 2048: quote it "
            + "(\"2048\")");
    AgentConfig quoted = AgentConfigParser.parse(MINIMAL.replace("namespace: shop",
        "namespace: \"no\"").replace("name: web", "name: \"2048\""), "quoted.yaml");
    assertThat(quoted.workloads().get(0).spec().workload())
        .isEqualTo(WorkloadRef.deployment("no", "2048"));
    // The text as written, not only the value YAML made of it: octal 0123 is 83.
    assertThat(problems(MINIMAL.replace("name: web", "name: 0123")
        .replace("namespace: shop", "namespace: 2024-01-01"))).containsExactly(
        "workloads[0].namespace must be a string, but YAML read 2024-01-01 as the timestamp "
            + "2024-01-01T00:00:00Z: quote it (\"2024-01-01\")",
        "workloads[0].name must be a string, but YAML read 0123 as the number 83: quote it "
            + "(\"0123\")");
  }

  /**
   * Every key whose value is text, given {@code no}: one problem naming what YAML read, saying
   * to quote it where the quoted text would be read (a name, a path), and giving the allowed
   * values where it would not (a kind, a mode, an address). A key of several words used to report
   * a second problem as if it were absent ({@code type}: "but was \"\""; {@code resource}: "but was
   * absent"; {@code query}, {@code prometheus.url}: "is required").
   */
  @Test
  void everyTextKeyGivenABooleanReportsOneProblemNamingWhatYamlRead() {
    String read = "YAML read no as the boolean false";
    String quoteIt = read + ": quote it (\"no\")";
    String prometheus = "prometheus:\n  url: http://prometheus:9090\n";
    String rps = MINIMAL.replace("""
              - name: cpu
                type: utilization
                target: 70
                source: metrics-server
                resource: cpu
        """, """
              - name: rps
                type: averageValue
                target: 50
                source: prometheus
                query: no
        """);
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("engine:\n  journal: no\n" + MINIMAL,
        "engine.journal must be a string, but " + quoteIt);
    cases.put("engine:\n  forecaster: no\n" + MINIMAL,
        "engine.forecaster must be one of " + dev.prescaler.forecast.Forecasters.NAMES
            + ", but " + read);
    for (String key : List.of("kubeconfig", "leaseNamespace", "leaseName", "modeStore")) {
      cases.put("kubernetes:\n  " + key + ": no\n" + MINIMAL,
          "kubernetes." + key + " must be a string, but " + quoteIt);
    }
    cases.put("kubernetes:\n  leaderElection: false\n  identity: no\n" + MINIMAL,
        "kubernetes.identity must be a string, but " + quoteIt);
    cases.put("prometheus:\n  url: no\n" + MINIMAL, "prometheus.url must be a URL, but " + read);
    cases.put(prometheus + "  bearerTokenFile: no\n" + MINIMAL,
        "prometheus.bearerTokenFile must be a string, but " + quoteIt);
    cases.put("server:\n  address: no\n" + MINIMAL,
        "server.address must be an IP address such as 127.0.0.1, 0.0.0.0 or ::, but " + read);
    cases.put(MINIMAL.replace("namespace: shop", "namespace: no"),
        "workloads[0].namespace must be a string, but " + quoteIt);
    cases.put(MINIMAL.replace("name: web", "name: no"),
        "workloads[0].name must be a string, but " + quoteIt);
    cases.put(MINIMAL.replace("name: web", "name: web\n    kind: no"),
        "workloads[0].kind must be one of Deployment, StatefulSet, ReplicaSet (the kinds the "
            + "agent can scale), but " + read);
    cases.put(MINIMAL.replace("name: web", "name: web\n    mode: no"),
        "workloads[0].mode must be act, hpa-floor or observe-only (the mode a workload is "
            + "promoted to; every workload starts observe-only), but " + read);
    cases.put(MINIMAL.replace("- name: cpu", "- name: no"),
        "workloads[0].metrics[0].name must be a string, but " + quoteIt);
    cases.put(MINIMAL.replace("type: utilization", "type: no"),
        "workloads[0].metrics[0].type must be utilization or averageValue, but " + read);
    cases.put(MINIMAL.replace("source: metrics-server", "source: no"),
        "workloads[0].metrics[0].source must be prometheus or metrics-server, but " + read);
    cases.put(MINIMAL.replace("resource: cpu", "resource: no"),
        "workloads[0].metrics[0].resource must be cpu or memory for source metrics-server, but "
            + read);
    cases.put(prometheus + rps, "workloads[0].metrics[0].query must be a string, but " + quoteIt);
    cases.forEach((yaml, problem) -> assertThat(problems(yaml)).as(yaml)
        .containsExactly(problem));
  }

  /**
   * Catches "is required" for a key that is there: it is said alone only when the key is absent.
   * Given with no value, the problem says so, and a name spelt {@code null}, which YAML reads as
   * no value, is to be quoted.
   */
  @Test
  void isRequiredAloneOnlyWhenTheKeyIsAbsent() {
    assertThat(problems(MINIMAL.replace("- namespace: shop\n    name: web", "- name: web")))
        .containsExactly(
        "workloads[0].namespace is required");
    assertThat(problems(MINIMAL.replace("namespace: shop", "namespace:"))).containsExactly(
        "workloads[0].namespace is required, but its value is empty");
    assertThat(problems(MINIMAL.replace("namespace: shop", "namespace: null"))).containsExactly(
        "workloads[0].namespace is required, but YAML read null as no value: quote it "
            + "(\"null\")");
    assertThat(problems(MINIMAL.replace("maxReplicas: 10", "maxReplicas: ~"))).containsExactly(
        "workloads[0].maxReplicas is required, but YAML read ~ as no value");
    assertThat(problems("workloads:\n")).containsExactly(
        "workloads is required: a list of at least one workload, but its value is empty");
    assertThat(problems("prometheus:\n  url:\n" + MINIMAL)).containsExactly(
        "prometheus.url is required when a prometheus section is given, but its value is empty");
    assertThat(problems(MINIMAL.replace("\n        type: utilization", ""))).containsExactly(
        "workloads[0].metrics[0].type must be utilization or averageValue, but was absent");
    assertThat(problems(MINIMAL.replace("type: utilization", "type:"))).containsExactly(
        "workloads[0].metrics[0].type must be utilization or averageValue, but its value is "
            + "empty");
  }

  /**
   * A value with a tag keeps no text to quote ({@code !!int "0123"} is 83 whatever the quotes):
   * the problem names the value YAML read and how to write it instead.
   */
  @Test
  void aTaggedValueIsNamedAsYamlReadIt() {
    assertThat(problems(MINIMAL.replace("name: web", "name: !!int \"0123\"")))
        .containsExactly("workloads[0].name must be a string, but YAML read the number 83: "
            + "write it as a quoted string, without a tag");
    assertThat(problems(MINIMAL.replace("namespace: shop", "namespace: &ns !!bool yes")))
        .containsExactly("workloads[0].namespace must be a string, but YAML read the boolean "
            + "true: write it as a quoted string, without a tag");
    // An alias names the text of the scalar it stands for, anchored without a tag.
    assertThat(problems("workloads:\n" + MINIMAL.substring("workloads:\n".length())
        .replace("namespace: shop", "namespace: &ns off") + MINIMAL.substring(
        "workloads:\n".length()).replace("namespace: shop", "namespace: *ns")
        .replace("name: web", "name: api"))).containsExactly(
        "workloads[0].namespace must be a string, but YAML read off as the boolean false: quote "
            + "it (\"off\")",
        "workloads[1].namespace must be a string, but YAML read off as the boolean false: quote "
            + "it (\"off\")");
  }

  /**
   * Catches a path key holding a NUL (a double-quoted {@code "\\0"}): {@code Path.of} threw, and
   * the command reported "--config is not a file name" about a file name that was fine.
   */
  @Test
  void aPathKeyThatNamesNoPathIsAProblemNamingTheKey() {
    assertThat(problems("engine:\n  journal: \"/var/lib/a\\0b\"\n" + MINIMAL)).containsExactly(
        "engine.journal must be a file path, but was \"/var/lib/a\\x00b\" (Nul character not "
            + "allowed)");
  }

  /**
   * Catches the parser refusing a kubeconfig that is not on the machine parsing (so {@code
   * --validate} in CI or on a laptop, for a kubeconfig mounted in the agent's pod): only its
   * form is the parser's to check, and the agent looks for the file at start.
   */
  @Test
  void aKubeconfigIsNotLookedForOnlyItsFormIsChecked(@TempDir Path dir) {
    Path kc = dir.resolve("kc");
    assertThat(AgentConfigParser.parse("kubernetes:\n  kubeconfig: " + kc + "\n" + MINIMAL,
        "kc.yaml").kubernetes().kubeconfig()).contains(kc);
    assertThat(AgentConfigParser.parse("kubernetes:\n  kubeconfig: " + dir + "\n" + MINIMAL,
        "kc.yaml").kubernetes().kubeconfig()).contains(dir);
    assertThat(problems("kubernetes:\n  kubeconfig: \"/etc/a\\0b\"\n" + MINIMAL))
        .containsExactly("kubernetes.kubeconfig must be a file path, but was \"/etc/a\\x00b\" "
            + "(Nul character not allowed)");
  }

  /** Finds a repository file from the module directory the tests run in. */
  /** Every number key of the file, each with a YAML file that sets it to {@code value}. */
  private static Map<String, String> everyNumberKeySetTo(String value) {
    Map<String, String> files = new LinkedHashMap<>();
    String prometheus = "prometheus:\n  url: http://prometheus:9090\n";
    for (String key : List.of("engine.syncPeriod", "engine.metricsDelay", "engine.callTimeout",
        "engine.journalMaxFileSize", "kubernetes.leaseDuration", "prometheus.timeout",
        "prometheus.rateWindow", "server.port", "promotion.minObservation",
        "promotion.minSamples", "promotion.maxRelativeMae", "promotion.maxShortfallIncrease",
        "promotion.demoteRelativeMae", "promotion.demoteAfterMetricsFailing",
        "promotion.demoteAfterRefused")) {
      String[] sk = key.split("\\.");
      files.put(key, (sk[0].equals("prometheus") ? prometheus : sk[0] + ":\n") + "  " + sk[1]
          + ": " + value + "\n" + MINIMAL);
    }
    for (String key : List.of("minReplicas", "maxReplicas", "startupDelay", "riskQuantile",
        "forecastHorizon")) {
      files.put("workloads[0]." + key, MINIMAL.replace("maxReplicas: 10",
          key.equals("maxReplicas") ? "maxReplicas: " + value
              : "maxReplicas: 10\n    " + key + ": " + value));
    }
    for (String key : List.of("upPods", "upPercent", "downPods", "downPercent")) {
      files.put("workloads[0].stepLimits." + key, MINIMAL.replace("maxReplicas: 10",
          "maxReplicas: 10\n    stepLimits:\n      " + key + ": " + value));
    }
    files.put("workloads[0].metrics[0].target", MINIMAL.replace("target: 70",
        "target: " + value));
    for (String key : List.of("stabilizationWindowSeconds", "tolerance")) {
      files.put("workloads[0].hpaBehavior.scaleUp." + key, MINIMAL.replace("maxReplicas: 10",
          "maxReplicas: 10\n    hpaBehavior:\n      scaleUp:\n        " + key + ": " + value));
    }
    for (String key : List.of("value", "periodSeconds")) {
      files.put("workloads[0].hpaBehavior.scaleDown.policies[0]." + key, MINIMAL.replace(
          "maxReplicas: 10", "maxReplicas: 10\n    hpaBehavior:\n      scaleDown:\n"
              + "        policies:\n          - {type: Pods, "
              + (key.equals("value") ? "periodSeconds: 60" : "value: 1") + ", " + key + ": "
              + value + "}"));
    }
    return files;
  }

  /**
   * Catches every number key taking what YAML 1.1 reads as a number in another form than a plain
   * decimal: {@code minReplicas: 0123} was 83 (octal), {@code syncPeriod: 1:30} 90 s (base 60),
   * {@code 0x10} 16, {@code 1_000} 1000, silently, and a range problem named the number read, not
   * the text. Each is now one problem naming the key, the text, the form and what YAML read.
   */
  @Test
  void aNumberWrittenInAnotherFormThanAPlainDecimalIsOneProblemNamingTheText() {
    Map<String, String> read = new LinkedHashMap<>();
    read.put("0123", "83");
    read.put("1:30", "90");
    read.put("0x10", "16");
    read.put("1_000", "1000");
    read.put("0b11", "3");
    read.put(".inf", "Infinity");
    read.put("-.inf", "-Infinity");
    read.put(".nan", "NaN");
    read.put("1_0.5", "10.5");
    read.put("!!int \"0123\"", "83");
    read.forEach((text, number) -> everyNumberKeySetTo(text).forEach((key, yaml) -> {
      String written = text.startsWith("!!") ? "0123" : text;
      assertThat(problems(yaml)).as("%s: %s", key, text).singleElement().asString()
          .startsWith(key + " must be ")
          .contains("written as a plain decimal (")
          .endsWith("), but YAML read " + written + " as the number " + number);
    }));
    assertThat(problems(MINIMAL.replace("minReplicas", "x").replace("maxReplicas: 10",
        "maxReplicas: 10\n    minReplicas: 0123"))).containsExactly(
        "workloads[0].minReplicas must be an integer in [0, 1000000], written as a plain "
            + "decimal (digits and an optional sign), but YAML read 0123 as the number 83");
    assertThat(problems("engine:\n  syncPeriod: 1:30\n" + MINIMAL)).containsExactly(
        "engine.syncPeriod must be a duration such as 30s, 5m, 1h or 15 (seconds) in [PT1S, "
            + "PT1H], written as a plain decimal (seconds as digits, an optional sign, fraction "
            + "and exponent, such as 15, 1.5 or 1e2), but YAML read 1:30 as the number 90");
    assertThat(problems("promotion:\n  maxRelativeMae: 1_0.5\n" + MINIMAL)).containsExactly(
        "promotion.maxRelativeMae must be a number in [0.01, 10], written as a plain decimal "
            + "(digits, an optional sign, fraction and exponent, such as 0.9 or 1e-3), but YAML "
            + "read 1_0.5 as the number 10.5");
    assertThat(problems(MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n    hpaBehavior:\n"
        + "      scaleDown: {policies: [{type: Pods, value: 0x10, periodSeconds: 60}]}")))
        .containsExactly("workloads[0].hpaBehavior.scaleDown.policies[0].value must be written "
            + "as a plain decimal (digits, an optional sign, fraction and exponent), but YAML "
            + "read 0x10 as the number 16");
  }

  /** A plain decimal reads as written: a sign, a fraction, an exponent where a decimal goes. */
  @Test
  void aPlainDecimalIsReadAsWritten() {
    AgentConfig c = AgentConfigParser.parse("""
        engine:
          syncPeriod: 1.50
          callTimeout: 0.25
        server:
          port: 0
        promotion:
          maxRelativeMae: 9e-1
          demoteRelativeMae: +1.2E0
          minSamples: +120
        """ + MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n    minReplicas: -0\n"
        + "    riskQuantile: 0.95\n    hpaBehavior: {scaleUp: {tolerance: 5e-2}}"), "ok.yaml");
    assertThat(c.engine().syncPeriod()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.engine().callTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.server().port()).isZero();
    assertThat(c.promotion().maxRelativeMae()).isEqualTo(0.9);
    assertThat(c.promotion().demoteRelativeMae()).isEqualTo(1.2);
    assertThat(c.promotion().minSamples()).isEqualTo(120);
    assertThat(c.workloads().get(0).spec().minReplicas()).isZero();
    assertThat(c.workloads().get(0).spec().riskQuantile()).isEqualTo(0.95);
    assertThat(c.workloads().get(0).hpa()).hasValueSatisfying(h -> assertThat(h.toString())
        .startsWith("HpaPolicy{tolerance up 0.05 down 0.1,"));
  }

  /**
   * Catches a range problem naming the number YAML read ({@code 1000.0} for {@code 1e3}, {@code
   * 1.5} for {@code 1.50}) where the user wrote another text: it names the text as written.
   */
  @Test
  void aNumberOutOfRangeIsNamedAsWritten() {
    assertThat(problems(MINIMAL.replace("maxReplicas: 10", "maxReplicas: +2000000\n"
        + "    minReplicas: 1e3\n    riskQuantile: 1.50"))).containsExactlyInAnyOrder(
        "workloads[0].maxReplicas must be an integer in [1, 1000000], but was +2000000",
        "workloads[0].minReplicas must be an integer in [0, 1000000], but was 1e3",
        "workloads[0].riskQuantile must be a number in [0.5, 0.999], but was 1.50");
    assertThat(problems("engine:\n  syncPeriod: 3600.50\n  journalMaxFileSize: 1.0\n"
        + MINIMAL)).containsExactly(
        "engine.syncPeriod must be a duration such as 30s, 5m, 1h or 15 (seconds) in [PT1S, "
            + "PT1H], but was 3600.50",
        "engine.journalMaxFileSize must be a size such as 256Mi, 1Gi or 1048576 (bytes) in "
            + "[1024, 1099511627776] bytes, but was 1.0");
    assertThat(problems("promotion:\n  maxRelativeMae: 0.90\n  demoteRelativeMae: 0.50\n"
        + MINIMAL)).containsExactly("promotion.demoteRelativeMae must be >= "
        + "promotion.maxRelativeMae (0.90), but was 0.50");
    assertThat(problems("engine:\n  callTimeout: 8.0\n" + MINIMAL)).singleElement().asString()
        .startsWith("engine.callTimeout must be < kubernetes.leaseDuration's renew deadline")
        .endsWith(", but was 8.0");
    assertThat(problems("kubernetes:\n  leaseDuration: 6.50\n" + MINIMAL)).containsExactly(
        "kubernetes.leaseDuration must be whole seconds, but was 6.50");
  }

  /** Catches an hpaBehavior problem naming true where the file says yes. */
  @Test
  void anHpaBehaviorProblemShowsTheTextBesideWhatYamlRead() {
    assertThat(problems(MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n    hpaBehavior:\n"
        + "      scaleUp: {selectPolicy: yes, stabilizationWindowSeconds: 1e4}")))
        .containsExactlyInAnyOrder(
            "workloads[0].hpaBehavior.scaleUp.selectPolicy must be Max, Min or Disabled, but was "
                + "yes (YAML read the boolean true)",
            "workloads[0].hpaBehavior.scaleUp.stabilizationWindowSeconds must be an integer in "
                + "[0, 3600], but was 1e4 (YAML read the number 10000.0)");
  }

  /**
   * Catches {@code --validate} failing unexpectedly (exit 1, no key named, no other problem
   * listed) on a decimal whose exponent a BigDecimal cannot hold: {@code new BigDecimal} threw
   * {@code NumberFormatException: Exponent overflow}. Each is one problem naming the key and the
   * text, as any number out of range; one too small for a double reads as 0, as YAML reads it.
   */
  @Test
  void aNumberWithAnExponentNoDecimalHoldsIsOneProblemNamingTheKeyAndTheText() {
    for (String text : List.of("1e9999999999", "-1e9999999999", "1e2147483648")) {
      everyNumberKeySetTo(text).forEach((key, yaml) -> assertThat(problems(yaml))
          .as("%s: %s", key, text).singleElement().asString()
          .startsWith(key + " must be ").contains(", but was " + text)
          .doesNotContain("written as"));
    }
    String tiny = "9e-9999999999";
    assertThat(problems("engine:\n  syncPeriod: " + tiny + "\npromotion:\n  maxRelativeMae: "
        + tiny + "\n" + MINIMAL.replace("target: 70", "target: " + tiny)
        .replace("maxReplicas: 10", "maxReplicas: 10\n    riskQuantile: " + tiny)))
        .containsExactlyInAnyOrder(
            "engine.syncPeriod must be a duration such as 30s, 5m, 1h or 15 (seconds) in "
                + "[PT1S, PT1H], but was " + tiny,
            "promotion.maxRelativeMae must be a number in [0.01, 10], but was " + tiny,
            "workloads[0].riskQuantile must be a number in [0.5, 0.999], but was " + tiny,
            "workloads[0].metrics[0].target must be a number in [1.0E-12, 1000000000000], "
                + "but was " + tiny);
    AgentConfig c = AgentConfigParser.parse("engine:\n  metricsDelay: " + tiny
        + "\npromotion:\n  maxShortfallIncrease: " + tiny + "\n" + MINIMAL, "tiny.yaml");
    assertThat(c.engine().metricsDelay()).isZero();
    assertThat(c.promotion().maxShortfallIncrease()).isZero();
  }

  /**
   * Catches a signed duration or size that read before as the number YAML read, refused with a
   * message naming an in-range value: {@code startupDelay: +90} ("must be a duration ... in
   * [PT1S, PT1H], but was +90"), {@code journalMaxFileSize: +1048576}, {@code metricsDelay: -0}.
   */
  @Test
  void aSignedDurationOrSizeReadsAsTheNumberItWrites() {
    AgentConfig c = AgentConfigParser.parse("""
        engine:
          syncPeriod: +1.5
          metricsDelay: +0
          callTimeout: +2
          journalMaxFileSize: +1048576
        kubernetes:
          leaseDuration: +20
        """ + MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n    startupDelay: +90"),
        "signed.yaml");
    assertThat(c.engine().syncPeriod()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.engine().metricsDelay()).isZero();
    assertThat(c.engine().callTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.engine().journalMaxFileSize()).isEqualTo(1L << 20);
    assertThat(c.kubernetes().leaseDuration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.workloads().get(0).spec().startupDelay()).isEqualTo(Duration.ofSeconds(90));
    for (String zero : List.of("-0", "-0.0", "+0e3")) {
      assertThat(AgentConfigParser.parse("engine:\n  metricsDelay: " + zero + "\n" + MINIMAL,
          "zero.yaml").engine().metricsDelay()).as(zero).isZero();
      // A decimal too: 0.0, not -0.0, which a step limit's reason would print as "-0.0"
      double upPercent = AgentConfigParser.parse(MINIMAL.replace("maxReplicas: 10",
          "maxReplicas: 10\n    stepLimits:\n      upPercent: " + zero), "zero.yaml")
          .workloads().get(0).spec().stepLimits().upPercent();
      assertThat(Double.doubleToRawLongBits(upPercent)).as(zero).isZero();
    }
    // A negative one is still out of range, named as written; -0.0e5 is 0 s, below 1 s.
    assertThat(problems("engine:\n  syncPeriod: -0.0e5\n  metricsDelay: -5\n"
        + "  journalMaxFileSize: -1048576\n" + MINIMAL)).containsExactly(
        "engine.syncPeriod must be a duration such as 30s, 5m, 1h or 15 (seconds) in [PT1S, "
            + "PT1H], but was -0.0e5",
        "engine.metricsDelay must be a duration such as 30s, 5m, 1h or 15 (seconds) in [PT0S, "
            + "PT1H], but was -5",
        "engine.journalMaxFileSize must be a size such as 256Mi, 1Gi or 1048576 (bytes) in "
            + "[1024, 1099511627776] bytes, but was -1048576");
  }

  /**
   * Catches decimals that every YAML reader reads alike refused as not plain: {@code .95},
   * {@code 1.}, {@code 70.}, and seconds written with an exponent ({@code 1e2}). The misleading
   * forms are still refused (see {@code
   * aNumberWrittenInAnotherFormThanAPlainDecimalIsOneProblemNamingTheText}).
   */
  @Test
  void aDecimalWithNoDigitsOnOneSideOfItsPointOrSecondsWithAnExponentAreRead() {
    AgentConfig c = AgentConfigParser.parse("""
        engine:
          syncPeriod: 1e2
          metricsDelay: 1.5e1
          callTimeout: .5
        kubernetes:
          leaseDuration: 20.
        promotion:
          maxRelativeMae: .5
          demoteRelativeMae: 1.
          maxShortfallIncrease: .05E0
        """ + MINIMAL.replace("target: 70", "target: 70.").replace("maxReplicas: 10",
        "maxReplicas: 10\n    riskQuantile: .95\n    startupDelay: 1.2e+2"), "forms.yaml");
    assertThat(c.engine().syncPeriod()).isEqualTo(Duration.ofSeconds(100));
    assertThat(c.engine().metricsDelay()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.engine().callTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.kubernetes().leaseDuration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.promotion().maxRelativeMae()).isEqualTo(0.5);
    assertThat(c.promotion().demoteRelativeMae()).isEqualTo(1.0);
    assertThat(c.promotion().maxShortfallIncrease()).isEqualTo(0.05);
    AgentConfig.Workload w = c.workloads().get(0);
    assertThat(w.spec().riskQuantile()).isEqualTo(0.95);
    assertThat(w.spec().startupDelay()).isEqualTo(Duration.ofSeconds(120));
    assertThat(w.spec().metrics()).extracting(MetricTarget::target).containsExactly(70.0);
    assertThat(AgentConfigParser.parse(MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n"
        + "    hpaBehavior: {scaleUp: {stabilizationWindowSeconds: 60., tolerance: .05}}"),
        "hpa.yaml").workloads().get(0).hpa()).hasValueSatisfying(h -> assertThat(h.toString())
        .startsWith("HpaPolicy{tolerance up 0.05 down 0.1,"));
    // Read as finely as before: 1e-4 s is 0 ms, below callTimeout's 1 ms, named as written.
    assertThat(problems("engine:\n  callTimeout: 1e-4\n" + MINIMAL)).containsExactly(
        "engine.callTimeout must be a duration such as 30s, 5m, 1h or 15 (seconds) in "
            + "[PT0.001S, PT10M], but was 1e-4");
  }

  /**
   * Catches an hpaBehavior whose number in another form hid its other problems: {@code
   * {stabilizationWindowSeconds: 0x10, selectPolicy: Maxx}} listed only the 0x10. Every problem
   * is listed at once, and a number refused for its form once.
   */
  @Test
  void anHpaBehaviorWithANumberInAnotherFormListsItsOtherProblemsToo() {
    assertThat(problems(MINIMAL.replace("maxReplicas: 10", "maxReplicas: 10\n    hpaBehavior:\n"
        + "      scaleUp: {stabilizationWindowSeconds: 0x10, selectPolicy: Maxx}\n"
        + "      scaleDown: {policies: [{type: Pods, value: 0x10000, periodSeconds: 0}]}")))
        .containsExactlyInAnyOrder(
            "workloads[0].hpaBehavior.scaleUp.stabilizationWindowSeconds must be written as a "
                + "plain decimal (digits, an optional sign, fraction and exponent), but YAML "
                + "read 0x10 as the number 16",
            "workloads[0].hpaBehavior.scaleUp.selectPolicy must be Max, Min or Disabled, but "
                + "was \"Maxx\"",
            "workloads[0].hpaBehavior.scaleDown.policies[0].value must be written as a plain "
                + "decimal (digits, an optional sign, fraction and exponent), but YAML read "
                + "0x10000 as the number 65536",
            "workloads[0].hpaBehavior.scaleDown.policies[0].periodSeconds must be an integer "
                + "in [1, 1800], but was 0");
  }

  /** Anchors, aliases and merge keys ({@code <<: *web}) give their numbers' text too. */
  @Test
  void anchorsAndMergeKeysKeepTheirNumbersText() {
    String second = MINIMAL.substring("workloads:\n".length());
    String yaml = "workloads:\n" + second.replace("- namespace: shop", "- &web\n    namespace: "
        + "shop").replace("maxReplicas: 10", "maxReplicas: &max 12\n    minReplicas: 2")
        + "  - <<: *web\n    name: api\n    maxReplicas: *max\n"
        + "  - <<: *web\n    name: cart\n";
    AgentConfig c = AgentConfigParser.parse(yaml, "merge.yaml");
    assertThat(c.workloads()).extracting(w -> w.spec().workload().name() + " "
        + w.spec().minReplicas() + ".." + w.spec().maxReplicas())
        .containsExactly("web 2..12", "api 2..12", "cart 2..12");
    String bad = yaml.replace("&max 12", "&max 0x0c").replace("minReplicas: 2",
        "minReplicas: 1:30");
    assertThat(problems(bad)).containsExactlyInAnyOrder(
        "workloads[0].maxReplicas must be an integer in [1, 1000000], written as a plain "
            + "decimal (digits and an optional sign), but YAML read 0x0c as the number 12",
        "workloads[0].minReplicas must be an integer in [0, 1000000], written as a plain "
            + "decimal (digits and an optional sign), but YAML read 1:30 as the number 90",
        "workloads[1].maxReplicas must be an integer in [1, 1000000], written as a plain "
            + "decimal (digits and an optional sign), but YAML read 0x0c as the number 12",
        "workloads[1].minReplicas must be an integer in [0, 1000000], written as a plain "
            + "decimal (digits and an optional sign), but YAML read 1:30 as the number 90",
        "workloads[2].maxReplicas must be an integer in [1, 1000000], written as a plain "
            + "decimal (digits and an optional sign), but YAML read 0x0c as the number 12",
        "workloads[2].minReplicas must be an integer in [0, 1000000], written as a plain "
            + "decimal (digits and an optional sign), but YAML read 1:30 as the number 90");
  }

  static Path locate(String relative) {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !p.resolve(relative).toFile().exists()) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(relative + " not found above the working directory");
    }
    return p.resolve(relative);
  }
}
