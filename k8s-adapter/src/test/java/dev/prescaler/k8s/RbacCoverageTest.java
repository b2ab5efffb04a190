package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.ScaleRequest;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.WorkloadSpec;
import dev.prescaler.core.event.ScaledEvent;
import dev.prescaler.testkit.ManualClock;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Proves that {@code examples/deploy/rbac.yaml} grants exactly what the adapter calls: each
 * component of the adapter runs its flows against the fabric8 mock API server (in {@link
 * #runEveryComponentOfTheAdapter}), every request it made is allowed by a rule bound to the
 * ServiceAccount, and every granted (group, resource, verb) was used by some request. The class
 * needs no other test class: it runs alone, in any order.
 */
class RbacCoverageTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  /** The Lease rbac.yaml grants get and update on: the agent's default kubernetes.leaseName. */
  private static final String LEASE = "prescaler-agent";
  /** The requests the adapter's clients made in {@link #runEveryComponentOfTheAdapter}. */
  private static final List<String> REQUESTS = Collections.synchronizedList(new ArrayList<>());

  /** One Kubernetes authorization attribute set. */
  record Access(String verb, String group, String resource, String namespace, String name) {
    String key() {
      return group + "|" + resource + "|" + verb;
    }
  }

  /**
   * One rule of a role with where it applies (null namespace: everywhere). With resourceNames,
   * only requests naming one of them are allowed: never a create or a list, which name none (as
   * Kubernetes' RBAC authorizer decides).
   */
  record Rule(List<String> groups, List<String> resources, List<String> verbs, String namespace,
      List<String> resourceNames) {
    Rule(List<String> groups, List<String> resources, List<String> verbs, String namespace) {
      this(groups, resources, verbs, namespace, List.of());
    }

    boolean allows(Access a) {
      return (namespace == null || namespace.equals(a.namespace()))
          && (resourceNames.isEmpty() || a.name() != null && resourceNames.contains(a.name()))
          && (groups.contains("*") || groups.contains(a.group()))
          && (resources.contains("*") || resources.contains(a.resource()))
          && (verbs.contains("*") || verbs.contains(a.verb()));
    }
  }

  /** The authorization attributes of a request line {@code METHOD /path?query}. */
  static Access access(String line) {
    String[] mp = line.split(" ", 2);
    String method = mp[0];
    String[] pq = mp[1].split("\\?", 2);
    String query = pq.length > 1 ? pq[1] : "";
    String[] p = pq[0].substring(1).split("/");
    int i;
    String group;
    if (p[0].equals("api")) {
      group = "";
      i = 2;
    } else if (p[0].equals("apis")) {
      group = p[1];
      i = 3;
    } else {
      throw new IllegalArgumentException("not a resource path: " + line);
    }
    String namespace = null;
    if (p.length > i + 1 && p[i].equals("namespaces")) {
      namespace = p[i + 1];
      i += 2;
    }
    String resource = p[i];
    String name = p.length > i + 1 ? p[i + 1] : null;
    if (p.length > i + 2) {
      resource = resource + "/" + p[i + 2];
    }
    String verb;
    switch (method) {
      case "GET":
        verb = name != null ? "get" : query.contains("watch=true") ? "watch" : "list";
        break;
      case "POST":
        verb = "create";
        break;
      case "PUT":
        verb = "update";
        break;
      case "PATCH":
        verb = "patch";
        break;
      case "DELETE":
        verb = name != null ? "delete" : "deletecollection";
        break;
      default:
        throw new IllegalArgumentException("unknown method in " + line);
    }
    return new Access(verb, group, resource, namespace, name);
  }

  @SuppressWarnings("unchecked")
  static List<Rule> rulesOf(Path rbac, String serviceAccount, String saNamespace)
      throws IOException {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(rbac, StandardCharsets.UTF_8)) {
      for (Object o : new Yaml().loadAll(r)) {
        docs.add((Map<String, Object>) o);
      }
    }
    List<Rule> rules = new ArrayList<>();
    for (Map<String, Object> binding : docs) {
      String kind = (String) binding.get("kind");
      if (!"ClusterRoleBinding".equals(kind) && !"RoleBinding".equals(kind)) {
        continue;
      }
      boolean bindsSa = ((List<Map<String, Object>>) binding.get("subjects")).stream()
          .anyMatch(s -> "ServiceAccount".equals(s.get("kind"))
              && serviceAccount.equals(s.get("name")) && saNamespace.equals(s.get("namespace")));
      if (!bindsSa) {
        continue;
      }
      Map<String, Object> ref = (Map<String, Object>) binding.get("roleRef");
      String bindingNs = (String) ((Map<String, Object>) binding.get("metadata")).get("namespace");
      for (Map<String, Object> role : docs) {
        Map<String, Object> md = (Map<String, Object>) role.get("metadata");
        if (!ref.get("kind").equals(role.get("kind")) || !ref.get("name").equals(md.get("name"))
            || ("Role".equals(role.get("kind")) && !md.get("namespace").equals(bindingNs))) {
          continue;
        }
        String scope = "ClusterRoleBinding".equals(kind) ? null : bindingNs;
        for (Map<String, Object> rule : (List<Map<String, Object>>) role.get("rules")) {
          List<String> names = (List<String>) rule.get("resourceNames");
          rules.add(new Rule((List<String>) rule.get("apiGroups"),
              (List<String>) rule.get("resources"), (List<String>) rule.get("verbs"), scope,
              names == null ? List.of() : names));
        }
      }
    }
    return rules;
  }

  /** An OkHttp interceptor that records each request ({@code METHOD path?query}) it passes on. */
  private static Interceptor recorder() {
    return chain -> {
      HttpUrl url = chain.request().url();
      String q = url.encodedQuery();
      REQUESTS.add(chain.request().method() + " " + url.encodedPath() + (q == null ? "" : "?" + q));
      return chain.proceed(chain.request());
    };
  }

  private static WorkloadSpec spec(WorkloadRef ref, Mode mode) {
    return WorkloadSpec.builder(ref).maxReplicas(20).metric(MetricTarget.utilization("cpu", 70))
        .mode(mode).build();
  }

  private static ScaleRequest request(WorkloadRef ref, Mode mode, int from, int to) {
    return new ScaleRequest(spec(ref, mode), mode, from, to,
        List.of(new Reason("test", from, to, "rbac")), T0);
  }

  /**
   * Runs every call the adapter makes: each component's ordinary flow (a scale of a Deployment,
   * a StatefulSet and a ReplicaSet with their replica counts, an HPA floor set and released, a
   * Metrics Server read, an Event and its series, a Lease acquired, renewed and released, the
   * mode ConfigMap created and patched), with the workloads in one namespace and the Lease and
   * ConfigMap in the engine's, as rbac.yaml expects. Each flow is checked to succeed, so that none
   * stops early and leaves a grant unused for the wrong reason.
   */
  @BeforeAll
  static void runEveryComponentOfTheAdapter() throws Exception {
    ManualClock clock = new ManualClock(T0);
    try (KubeBackend k8s = KubeBackend.mock()) {
      ApiClient client = k8s.adapter(recorder());
      String ns = k8s.namespace();

      // ScaleSubresourceExecutor: scale and replica counts of each built-in kind.
      ScaleSubresourceExecutor act = ScaleSubresourceExecutor.builder(client).clock(clock)
          .sleeper(d -> { }).hpaCacheTtl(Duration.ZERO).build();
      k8s.deployment("web", 2);
      k8s.deploymentStatus("web", 2, 2);
      WorkloadRef web = WorkloadRef.deployment(ns, "web");
      ScaleOutcome up = act.apply(request(web, Mode.ACT, 2, 3));
      assertThat(up.isApplied()).as(up.message()).isTrue();
      assertThat(act.replicas(web)).isPresent();
      k8s.statefulSet("db", 2);
      k8s.statefulSetStatus("db", 2, 2);
      WorkloadRef db = WorkloadRef.statefulSet(ns, "db");
      ScaleOutcome dbUp = act.apply(request(db, Mode.ACT, 2, 3));
      assertThat(dbUp.isApplied()).as(dbUp.message()).isTrue();
      assertThat(act.replicas(db)).isPresent();
      k8s.replicaSet("rs", 2);
      k8s.replicaSetStatus("rs", 2, 2);
      WorkloadRef rs = new WorkloadRef(ns, "ReplicaSet", "rs");
      ScaleOutcome rsUp = act.apply(request(rs, Mode.ACT, 2, 3));
      assertThat(rsUp.isApplied()).as(rsUp.message()).isTrue();
      assertThat(act.replicas(rs)).isPresent();

      // HpaFloorExecutor: the floor set on the HPA, then the HPA given back to its owner.
      k8s.deployment("api", 2);
      k8s.hpa("api", "Deployment", "api", 2, 10, null);
      WorkloadRef api = WorkloadRef.deployment(ns, "api");
      HpaFloorExecutor floor = HpaFloorExecutor.builder(client).clock(clock).sleeper(d -> { })
          .build();
      ScaleOutcome floored = floor.apply(request(api, Mode.HPA_FLOOR, 2, 5));
      assertThat(floored.isApplied()).as(floored.message()).isTrue();
      floor.release(api);
      assertThat(k8s.readHpa("api").getSpec().getMinReplicas()).isEqualTo(2);

      // MetricsServerSource: the scale's selector, the ready pods and their PodMetrics.
      for (int i = 0; i < 3; i++) {
        k8s.readyPod("web-" + i, "web", true, T0.minus(Duration.ofMinutes(10)));
        k8s.podMetrics("web-" + i, "web", "400m", "100Mi", T0.minusSeconds(20));
      }
      MetricsServerSource source = MetricsServerSource.builder(client).clock(clock)
          .sleeper(d -> { }).build();
      var cpu = source.read(spec(web, Mode.ACT), T0).reading("cpu");
      assertThat(cpu.isAvailable()).as(cpu.reason()).isTrue();

      // KubernetesEventListener: an Event, then the same again as its series.
      KubernetesEventListener events = KubernetesEventListener.builder(client, "pod-0")
          .clock(clock).build();
      ScaledEvent scaled = new ScaledEvent(web, T0, Mode.ACT, 2, 3,
          List.of(new Reason("test", 2, 3, "rbac")), up);
      events.onScaled(scaled);
      events.onScaled(new ScaledEvent(web, T0.plusSeconds(15), Mode.ACT, 2, 3, scaled.reasons(),
          up));

      // LeaseElector: the Lease created, renewed, and released on close.
      LeaseElector elector = LeaseElector.builder(client, KubeBackend.LEASE_NAMESPACE, LEASE,
          "pod-0").clock(clock).ticker(clock::nanos).build();
      assertThat(elector.tryAcquireOrRenew()).isTrue();
      clock.advance(Duration.ofSeconds(2));
      assertThat(elector.tryAcquireOrRenew()).isTrue();
      elector.close();

      // ModeStore: the ConfigMap created by the first write, patched by the second.
      ModeStore modes = ModeStore.builder(client, KubeBackend.LEASE_NAMESPACE).clock(clock)
          .sleeper(d -> { }).build();
      ModeStore.WriteResult first = modes.write(new ModeStore.Entry(web, Mode.ACT, T0, "first"));
      assertThat(first.message()).startsWith("created");
      ModeStore.WriteResult second =
          modes.write(new ModeStore.Entry(api, Mode.HPA_FLOOR, T0, "second"));
      assertThat(second.message()).startsWith("patched");
      assertThat(modes.read()).isPresent();
    }
  }

  @Test
  void everyRequestOfTheAdapterIsAllowedAndEveryGrantIsUsed() throws IOException {
    Path rbac = Path.of("..", "examples", "deploy", "rbac.yaml");
    List<Rule> rules = rulesOf(rbac, "prescaler", "prescaler");
    assertThat(rules).as("rules bound to ServiceAccount prescaler/prescaler").isNotEmpty();

    List<String> requests = List.copyOf(REQUESTS);
    assertThat(requests).as("requests recorded").isNotEmpty();
    Set<String> denied = new TreeSet<>();
    Set<String> used = new LinkedHashSet<>();
    for (String line : requests) {
      Access a = access(line);
      boolean allowed = false;
      for (Rule r : rules) {
        if (r.allows(a)) {
          allowed = true;
          used.add(a.key());
        }
      }
      if (!allowed) {
        denied.add(a.verb() + " " + (a.group().isEmpty() ? "core" : a.group()) + "/"
            + a.resource() + " in " + a.namespace() + "   <- " + line);
      }
    }
    assertThat(denied).as("requests rbac.yaml does not allow").isEmpty();

    Set<String> granted = new TreeSet<>();
    for (Rule r : rules) {
      for (String g : r.groups()) {
        for (String res : r.resources()) {
          for (String v : r.verbs()) {
            granted.add(g + "|" + res + "|" + v);
          }
        }
      }
    }
    Set<String> unused = new TreeSet<>(granted);
    unused.removeAll(used);
    assertThat(unused).as("grants in rbac.yaml that no request of the adapter used").isEmpty();
    assertThat(granted).contains("apps|deployments/scale|patch", "autoscaling|"
        + "horizontalpodautoscalers|patch", "coordination.k8s.io|leases|update",
        "events.k8s.io|events|create", "metrics.k8s.io|pods|list", "|configmaps|patch",
        "|configmaps|create");
  }

  /**
   * Catches get and update granted on every Lease of the namespace: the elector reads and
   * replaces only its own, so another component's Lease there is out of reach; a create names
   * no object and cannot be limited by name.
   */
  @Test
  void theLeaseGrantsReachTheElectorsLeaseOnly() throws IOException {
    List<Rule> rules = rulesOf(Path.of("..", "examples", "deploy", "rbac.yaml"), "prescaler",
        "prescaler");
    String leases = "/apis/coordination.k8s.io/v1/namespaces/" + KubeBackend.LEASE_NAMESPACE
        + "/leases";
    for (String line : List.of("GET " + leases + "/" + LEASE, "PUT " + leases + "/" + LEASE,
        "POST " + leases)) {
      assertThat(rules).as(line).anyMatch(r -> r.allows(access(line)));
    }
    for (String line : List.of("GET " + leases + "/other", "PUT " + leases + "/other",
        "PATCH " + leases + "/" + LEASE, "DELETE " + leases + "/" + LEASE, "GET " + leases)) {
      assertThat(rules).as(line).noneMatch(r -> r.allows(access(line)));
    }
  }

  @Test
  void requestLinesMapToKubernetesAuthorizationAttributes() {
    assertThat(access("PATCH /apis/apps/v1/namespaces/shop/deployments/web/scale"))
        .isEqualTo(new Access("patch", "apps", "deployments/scale", "shop", "web"));
    assertThat(access("GET /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb"))
        .isEqualTo(new Access("list", "", "pods", "shop", null));
    assertThat(access("GET /apis/apps/v1/namespaces/shop/deployments?watch=true"))
        .isEqualTo(new Access("watch", "apps", "deployments", "shop", null));
    assertThat(access("POST /apis/coordination.k8s.io/v1/namespaces/prescaler/leases"))
        .isEqualTo(new Access("create", "coordination.k8s.io", "leases", "prescaler", null));
    Rule leases = new Rule(List.of("coordination.k8s.io"), List.of("leases"),
        List.of("get", "create", "update"), "prescaler");
    assertThat(leases.allows(access("PUT /apis/coordination.k8s.io/v1/namespaces/prescaler/"
        + "leases/x"))).isTrue();
    assertThat(leases.allows(access("PUT /apis/coordination.k8s.io/v1/namespaces/other/"
        + "leases/x"))).as("a Role applies in its namespace only").isFalse();
    assertThat(leases.allows(access("DELETE /apis/coordination.k8s.io/v1/namespaces/prescaler/"
        + "leases/x"))).isFalse();
    Rule modes = new Rule(List.of(""), List.of("configmaps"), List.of("get", "create", "patch"),
        "prescaler", List.of("prescaler-modes"));
    assertThat(modes.allows(access("PATCH /api/v1/namespaces/prescaler/configmaps/"
        + "prescaler-modes"))).isTrue();
    assertThat(modes.allows(access("GET /api/v1/namespaces/prescaler/configmaps/other")))
        .as("resourceNames limit the rule to those names").isFalse();
    assertThat(modes.allows(access("POST /api/v1/namespaces/prescaler/configmaps")))
        .as("a create names no object, so a rule with resourceNames never allows it").isFalse();
  }
}
