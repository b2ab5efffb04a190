package dev.prescaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Proves that {@code examples/deploy/rbac.yaml} grants exactly what the adapter calls: every
 * request the adapter's clients made in this module's test suite (recorded by {@link RequestLog})
 * is allowed by a rule bound to the ServiceAccount, and every granted (group, resource, verb) was
 * used by some request. Runs after all other test classes ({@code junit-platform.properties}).
 */
@Order(Integer.MAX_VALUE)
class RbacCoverageTest {
  /** Custom resource types a test registers itself; rbac.yaml tells users to add their rule. */
  private static final Set<String> USER_REGISTERED_GROUPS = Set.of("argoproj.io");

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

  @Test
  void everyRequestOfTheSuiteIsAllowedAndEveryGrantIsUsed() throws IOException {
    Path rbac = Path.of("..", "examples", "deploy", "rbac.yaml");
    List<Rule> rules = rulesOf(rbac, "prescaler", "prescaler");
    assertThat(rules).as("rules bound to ServiceAccount prescaler/prescaler").isNotEmpty();

    List<String> requests = RequestLog.all();
    assertThat(requests).as("requests recorded: run the module's whole suite (mvn test), this "
        + "class checks what the other test classes did").isNotEmpty();
    Set<String> denied = new TreeSet<>();
    Set<String> used = new LinkedHashSet<>();
    for (String line : requests) {
      Access a = access(line);
      if (USER_REGISTERED_GROUPS.contains(a.group())) {
        continue;
      }
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
    assertThat(unused).as("grants in rbac.yaml that no request of the suite used").isEmpty();
    assertThat(granted).contains("apps|deployments/scale|patch", "autoscaling|"
        + "horizontalpodautoscalers|patch", "coordination.k8s.io|leases|update",
        "events.k8s.io|events|create", "metrics.k8s.io|pods|list", "|configmaps|patch",
        "|configmaps|create");
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
