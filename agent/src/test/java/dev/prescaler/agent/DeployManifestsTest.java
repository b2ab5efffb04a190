package dev.prescaler.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.k8s.ScalableResource;
import dev.prescaler.prometheus.PromQlTemplates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The manifests in examples/deploy fit together: names, mounts, arguments, config. */
class DeployManifestsTest {
  private static final Path DEPLOY = AgentConfigParserTest.locate("examples/deploy");

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> docs(String file) throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : new Yaml().loadAll(Files.readString(DEPLOY.resolve(file)))) {
      out.add((Map<String, Object>) o);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object o, String... path) {
    Object cur = o;
    for (String p : path) {
      if (cur == null) {
        return null; // a key missing on the way: absent, for the assertion to say so
      }
      cur = cur instanceof List<?> l ? l.get(Integer.parseInt(p)) : ((Map<String, Object>) cur)
          .get(p);
    }
    return (T) cur;
  }

  @Test
  void theDeploymentRunsTwoReplicasAsTheServiceAccountWithTheGeneratedConfig() throws Exception {
    Map<String, Object> deployment = docs("agent.yaml").get(0);
    assertThat(at(deployment, "kind").toString()).isEqualTo("Deployment");
    assertThat((Integer) at(deployment, "spec", "replicas")).isEqualTo(2);
    String sa = at(deployment, "spec", "template", "spec", "serviceAccountName");
    assertThat(docs("rbac.yaml")).anySatisfy(d -> {
      assertThat(at(d, "kind").toString()).isEqualTo("ServiceAccount");
      assertThat(at(d, "metadata", "name").toString()).isEqualTo(sa);
    });
    List<String> args = at(deployment, "spec", "template", "spec", "containers", "0", "args");
    Map<String, Object> kustomization = docs("kustomization.yaml").get(0);
    String configFile = at(kustomization, "configMapGenerator", "0", "files", "0");
    String configMap = at(kustomization, "configMapGenerator", "0", "name");
    assertThat(args).containsExactly("agent", "--config", "/etc/prescaler/" + configFile);
    assertThat(at(deployment, "spec", "template", "spec", "volumes", "0", "configMap", "name")
        .toString()).isEqualTo(configMap);
    assertThat((List<String>) at(kustomization, "resources")).contains("rbac.yaml", "agent.yaml");
    assertThat(AgentConfigParser.parse(DEPLOY.resolve(configFile)).kubernetes().leaderElection())
        .isTrue();
  }

  /**
   * The agent reads its configuration at start, so a change (the kill switch among them) takes
   * effect when the pods restart: the generated ConfigMap's name keeps kustomize's content hash,
   * which kustomize writes into the Deployment, so that {@code kubectl apply -k} after an edit
   * rolls the pods. The mode store, which the agent writes at run time under a fixed name, is not
   * generated.
   */
  @Test
  @SuppressWarnings("unchecked")
  void aConfigChangeAppliedWithKustomizeRollsThePods() throws Exception {
    Map<String, Object> kustomization = docs("kustomization.yaml").get(0);
    Map<String, Object> global = at(kustomization, "generatorOptions");
    Map<String, Object> own = at(kustomization, "configMapGenerator", "0", "options");
    for (Map<String, Object> options : Arrays.asList(global, own)) {
      assertThat(options == null ? null : options.get("disableNameSuffixHash"))
          .as("the config ConfigMap's name must change with its content").isNotEqualTo(true);
    }
    AgentConfig c = AgentConfigParser.parse(DEPLOY.resolve("prescaler-config.yaml"));
    assertThat((List<Map<String, Object>>) at(kustomization, "configMapGenerator"))
        .extracting(g -> g.get("name"))
        .doesNotContain(c.kubernetes().modeStore().orElseThrow());
  }

  /**
   * Catches pods the Pod Security "restricted" profile refuses (a namespace labelled
   * {@code pod-security.kubernetes.io/enforce: restricted}): the pod had no seccomp profile. The
   * profile's other rules are checked too, so that none is lost in an edit: non-root, no
   * privilege escalation, every capability dropped, a seccomp profile of RuntimeDefault or
   * Localhost (on the pod, or on every container).
   */
  @Test
  void thePodsMeetThePodSecurityRestrictedProfile() throws Exception {
    Map<String, Object> pod = at(docs("agent.yaml").get(0), "spec", "template", "spec");
    Map<String, Object> podContext = at(pod, "securityContext");
    assertThat(podContext.get("runAsNonRoot")).isEqualTo(true);
    List<Map<String, Object>> containers = at(pod, "containers");
    assertThat(pod).doesNotContainKeys("initContainers", "hostNetwork", "hostPID", "hostIPC");
    for (Map<String, Object> container : containers) {
      Map<String, Object> context = at(container, "securityContext");
      assertThat(context.get("allowPrivilegeEscalation")).as("allowPrivilegeEscalation")
          .isEqualTo(false);
      assertThat(context.get("privileged")).as("privileged").isNotEqualTo(true);
      assertThat(context.get("runAsNonRoot")).as("runAsNonRoot").isNotEqualTo(false);
      assertThat((List<String>) at(context, "capabilities", "drop")).containsExactly("ALL");
      assertThat(at(context, "capabilities", "add") == null).as("capabilities added").isTrue();
      Object seccomp = context.get("seccompProfile") != null
          ? at(context, "seccompProfile", "type") : at(podContext, "seccompProfile", "type");
      assertThat(seccomp).as("seccompProfile.type of the pod or the container")
          .isIn("RuntimeDefault", "Localhost");
    }
    assertThat(at(podContext, "seccompProfile", "type").toString()).isEqualTo("RuntimeDefault");
  }

  @Test
  void theAgentsHeapIsThreeQuartersOfItsMemoryLimit() throws Exception {
    // Restoring a full journal (two files of 64 MiB) needs more than the JVM's default heap, a
    // quarter of the container's limit.
    Map<String, Object> container = at(docs("agent.yaml").get(0), "spec", "template", "spec",
        "containers", "0");
    List<Map<String, Object>> env = at(container, "env");
    assertThat(env).anySatisfy(e -> {
      assertThat(e.get("name")).isEqualTo("JAVA_TOOL_OPTIONS");
      assertThat(e.get("value").toString()).contains("-XX:MaxRAMPercentage=75");
    });
    assertThat(at(container, "resources", "limits", "memory").toString()).isEqualTo("512Mi");
  }

  /**
   * Catches a liveness probe that ran from the container's start: the agent's HTTP server opens
   * only once the JVM has started and the journal was read back, and three failed probes
   * restarted the agent, again and again. A startup probe now holds the liveness probe off until
   * {@code /healthz} first answers; both ask {@code /healthz}, which answers while the workloads'
   * history is read, and the readiness probe asks {@code /readyz}, which then says "starting".
   */
  @Test
  void aStartupProbeHoldsTheLivenessProbeOffUntilTheAgentListens() throws Exception {
    Map<String, Object> container = at(docs("agent.yaml").get(0), "spec", "template", "spec",
        "containers", "0");
    Map<String, Object> startup = at(container, "startupProbe");
    assertThat(startup).as("startupProbe").isNotNull();
    assertThat(at(startup, "httpGet", "path").toString()).isEqualTo("/healthz");
    int startupSeconds = (Integer) startup.get("periodSeconds")
        * (Integer) startup.get("failureThreshold");
    assertThat(startupSeconds).as("time allowed to open the server").isGreaterThanOrEqualTo(120);
    assertThat(at(container, "livenessProbe", "httpGet", "path").toString())
        .isEqualTo("/healthz");
    assertThat(at(container, "readinessProbe", "httpGet", "path").toString())
        .isEqualTo("/readyz");
  }

  /**
   * Catches a grace period shorter than the agent's stop can take on a slow API server: killed at
   * its end, the agent leaves its HPA floors raised and its Lease held. The stop's calls, each
   * bounded: the workload in flight (a source read, a replica read and an apply, a call timeout
   * each), one Lease renewal (a Kubernetes request's timeout), one release per HPA-floor
   * workload (a call timeout each), the queued Events and the Lease given up (a request's timeout
   * each).
   */
  @Test
  void theGracePeriodCoversTheStopOfTheShippedConfiguration() throws Exception {
    AgentConfig c = AgentConfigParser.parse(DEPLOY.resolve("prescaler-config.yaml"));
    long call = c.engine().callTimeout().toSeconds();
    long request = Agent.API_TIMEOUT.toSeconds();
    long floors = c.workloads().stream()
        .filter(w -> w.spec().mode() == dev.prescaler.core.Mode.HPA_FLOOR).count();
    long stop = 3 * call + request + floors * call + 2 * request;
    Integer grace = at(docs("agent.yaml").get(0), "spec", "template", "spec",
        "terminationGracePeriodSeconds");
    assertThat(floors).as("HPA-floor workloads in the example").isPositive();
    assertThat((long) grace).as("terminationGracePeriodSeconds").isGreaterThanOrEqualTo(stop);
  }

  @Test
  void theShippedRequestRateQueryIsTheBuiltInTemplate() throws Exception {
    // Copied by hand, a fix to the template's guard against partial sums would not reach it.
    AgentConfig c = AgentConfigParser.parse(DEPLOY.resolve("prescaler-config.yaml"));
    String query = c.workloads().get(0).metrics().get("rps").query().orElseThrow();
    assertThat(query.replace(" ", "")).isEqualTo(
        PromQlTemplates.requestRate("http_requests_total").replace(" ", ""));
  }

  /**
   * Every kind a workload may name (the parser accepts {@code ScalableResource.builtInKinds()})
   * can be scaled with the shipped ClusterRole: the executor gets and patches its scale
   * subresource and gets the object for its replica counts, and the Metrics Server source gets
   * the scale. A ReplicaSet was accepted, and every request for it refused (403).
   */
  @Test
  @SuppressWarnings("unchecked")
  void theClusterRoleGrantsTheCallsOfEveryKindTheAgentAccepts() throws Exception {
    List<ScalableResource> builtIn = List.of(ScalableResource.DEPLOYMENT,
        ScalableResource.STATEFUL_SET, ScalableResource.REPLICA_SET);
    assertThat(builtIn).extracting(ScalableResource::kind)
        .containsExactlyInAnyOrderElementsOf(ScalableResource.builtInKinds());
    Map<String, Object> role = docs("rbac.yaml").stream()
        .filter(d -> "ClusterRole".equals(at(d, "kind")))
        .findFirst().orElseThrow();
    Set<String> granted = new TreeSet<>();
    for (Map<String, Object> rule : (List<Map<String, Object>>) at(role, "rules")) {
      for (String group : (List<String>) rule.get("apiGroups")) {
        for (String resource : (List<String>) rule.get("resources")) {
          for (String verb : (List<String>) rule.get("verbs")) {
            granted.add(group + "|" + resource + "|" + verb);
          }
        }
      }
    }
    for (ScalableResource r : builtIn) {
      assertThat(granted).as(r.kind()).contains(r.group() + "|" + r.plural() + "/scale|get",
          r.group() + "|" + r.plural() + "/scale|patch", r.group() + "|" + r.plural() + "|get");
    }
  }

  @Test
  void theLeaseNamespaceIsTheOneTheRoleGrants() throws Exception {
    AgentConfig c = AgentConfigParser.parse(DEPLOY.resolve("prescaler-config.yaml"));
    assertThat(docs("rbac.yaml")).anySatisfy(d -> {
      assertThat(at(d, "kind").toString()).isEqualTo("Role");
      assertThat(at(d, "metadata", "namespace").toString()).isEqualTo(c.kubernetes()
          .leaseNamespace());
      assertThat(at(d, "rules", "0", "resources").toString()).contains("leases");
    });
  }

  /**
   * Catches get and update granted on every Lease of the namespace, where the agent's {@code
   * LeaseElector} reads and replaces only the one {@code kubernetes.leaseName} names: a
   * compromised agent could take over any other component's leader election there.
   */
  @Test
  @SuppressWarnings("unchecked")
  void theRoleGrantsTheLeaseByNameAndItsCreation() throws Exception {
    AgentConfig c = AgentConfigParser.parse(DEPLOY.resolve("prescaler-config.yaml"));
    Map<String, Object> role = docs("rbac.yaml").stream()
        .filter(d -> "Role".equals(at(d, "kind")))
        .filter(d -> c.kubernetes().leaseNamespace().equals(at(d, "metadata", "namespace")))
        .findFirst().orElseThrow();
    List<Map<String, Object>> leases = ((List<Map<String, Object>>) at(role, "rules")).stream()
        .filter(r -> ((List<String>) r.get("resources")).contains("leases")).toList();
    assertThat(leases).hasSize(2).allSatisfy(r -> {
      assertThat((List<String>) r.get("apiGroups")).containsExactly("coordination.k8s.io");
      assertThat((List<String>) r.get("resources")).containsExactly("leases");
    });
    assertThat(leases).anySatisfy(r -> {
      assertThat((List<String>) r.get("resourceNames"))
          .containsExactly(c.kubernetes().leaseName());
      assertThat((List<String>) r.get("verbs")).containsExactlyInAnyOrder("get", "update");
    });
    assertThat(leases).anySatisfy(r -> {
      assertThat(r).doesNotContainKey("resourceNames");
      assertThat((List<String>) r.get("verbs")).containsExactly("create");
    });
  }

  @Test
  @SuppressWarnings("unchecked")
  void theRoleGrantsTheModeStoreByNameAndItsCreation() throws Exception {
    AgentConfig c = AgentConfigParser.parse(DEPLOY.resolve("prescaler-config.yaml"));
    String store = c.kubernetes().modeStore().orElseThrow();
    Map<String, Object> role = docs("rbac.yaml").stream()
        .filter(d -> "Role".equals(at(d, "kind")))
        .filter(d -> c.kubernetes().leaseNamespace().equals(at(d, "metadata", "namespace")))
        .findFirst().orElseThrow();
    List<Map<String, Object>> rules = at(role, "rules");
    assertThat(rules).anySatisfy(r -> {
      assertThat((List<String>) r.get("resources")).containsExactly("configmaps");
      assertThat((List<String>) r.get("resourceNames")).containsExactly(store);
      assertThat((List<String>) r.get("verbs")).containsExactlyInAnyOrder("get", "patch");
    });
    assertThat(rules).anySatisfy(r -> {
      assertThat((List<String>) r.get("resources")).containsExactly("configmaps");
      assertThat(r).doesNotContainKey("resourceNames");
      assertThat((List<String>) r.get("verbs")).containsExactly("create");
    });
  }
}
