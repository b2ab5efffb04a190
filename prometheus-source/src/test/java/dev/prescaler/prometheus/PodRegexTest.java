package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescaler.core.WorkloadRef;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The default pod-name regexes against real-looking pod names and the pods of neighbouring
 * workloads. Prometheus anchors a label regex at both ends, as {@link Pattern#matches} does, and
 * these expressions use only what RE2 and {@code java.util.regex} read alike.
 */
class PodRegexTest {
  private static final String A = "[bcdfghjklmnpqrstvwxz2456789]";

  private static Pattern regex(WorkloadRef workload) {
    return Pattern.compile(PrometheusMetricSource.defaultPodRegex(workload));
  }

  @Test
  void deploymentMatchesItsOwnPodsOnly() {
    Pattern web = regex(WorkloadRef.deployment("shop", "web"));

    assertThat(web.pattern()).isEqualTo("web-" + A + "{1,10}-" + A + "{5}");
    assertThat(new String[] {"web-7d9f8c6b5-x2x4z", "web-5b9c46d7f8-bkq2z", "web-b-8xk4m",
        "web-6f7b8c9d5d-qx5zp"}).allMatch(p -> web.matcher(p).matches());
    assertThat(new String[] {
        "web-db-0",                  // StatefulSet web-db
        "web-db-12",
        "web-migrate-x7k2p",         // Job web-migrate
        "web-agent-x7k2p",           // DaemonSet web-agent
        "web-api-7d9f8c6b5-x2x4z",   // Deployment web-api
        "web-canary-7d9f8c6b5-x2x4z",
        "web-x7k2p",                 // ReplicaSet or Job web
        "web-0",                     // StatefulSet web
        "web-7d9f8c6b5-x2x4",        // suffix of 4
        "web-7d9f8c6b5-x2x4zz",      // suffix of 6
        "web-7d9f8c6b5d4-x2x4z",     // hash of 11
        "web-7d9e8c6b5-x2x4z",       // a vowel: not Kubernetes' alphabet
        "web-7d9f8c6b5-x1x4z",       // a 1: not Kubernetes' alphabet
        "webx7d9f8c6b5-x2x4z",
        "shop-web-7d9f8c6b5-x2x4z"}).noneMatch(p -> web.matcher(p).matches());
  }

  @Test
  void theNameIsQuoted() {
    Pattern dotted = regex(WorkloadRef.deployment("shop", "web.v2"));

    assertThat(dotted.matcher("web.v2-7d9f8c6b5-x2x4z").matches()).isTrue();
    assertThat(dotted.matcher("webxv2-7d9f8c6b5-x2x4z").matches()).isFalse();
  }

  @Test
  void statefulSetMatchesOrdinalsOnly() {
    Pattern db = regex(WorkloadRef.statefulSet("shop", "web-db"));

    assertThat(db.pattern()).isEqualTo("web-db-(0|[1-9][0-9]*)");
    assertThat(new String[] {"web-db-0", "web-db-1", "web-db-12"})
        .allMatch(p -> db.matcher(p).matches());
    assertThat(new String[] {"web-db-01", "web-db-x7k2p", "web-db-backup-0",
        "web-db-7d9f8c6b5-x2x4z", "web-db-"}).noneMatch(p -> db.matcher(p).matches());
  }

  @Test
  void replicaSetMatchesItsGeneratedSuffixOnly() {
    Pattern rs = regex(new WorkloadRef("shop", "ReplicaSet", "web-7d9f8c6b5"));
    Pattern rc = regex(new WorkloadRef("shop", "ReplicationController", "web"));

    assertThat(rs.pattern()).isEqualTo("web-7d9f8c6b5-" + A + "{5}");
    assertThat(rs.matcher("web-7d9f8c6b5-x2x4z").matches()).isTrue();
    assertThat(new String[] {"web-7d9f8c6b5-a1b2c", "web-7d9f8c6b5-x2x4", "web-7d9f8c6b5-0"})
        .noneMatch(p -> rs.matcher(p).matches());
    assertThat(rc.matcher("web-x7k2p").matches()).isTrue();
    assertThat(new String[] {"web-0", "web-12", "web-db-0", "web-7d9f8c6b5-x2x4z"})
        .noneMatch(p -> rc.matcher(p).matches());
  }

  @Test
  void otherKindsKeepTheLooseForm() {
    assertThat(PrometheusMetricSource.defaultPodRegex(new WorkloadRef("a", "Rollout", "r")))
        .isEqualTo("r-.+");
  }

  /**
   * The API server cuts a generated name's base to 58 characters before the 5-character suffix.
   * The pod names below are what it makes of a ReplicaSet "<name>-<hash>" with the hash's length
   * from 1 to 10.
   */
  @Test
  void longDeploymentNamesFollowTheApiServersCut() {
    for (int n = 40; n <= 70; n++) {
      String name = "a".repeat(n);
      Pattern p = regex(WorkloadRef.deployment("shop", name));
      for (int h = 1; h <= 10; h++) {
        String base = name + "-" + "7d9f8c6b5d".substring(0, h) + "-";
        String pod = base.substring(0, Math.min(58, base.length())) + "x2x4z";
        assertThat(p.matcher(pod).matches()).as("name of %d, hash of %d: %s", n, h, pod).isTrue();
      }
      assertThat(p.matcher(name + "-db-0").matches()).as("name of %d", n).isFalse();
    }
    assertThat(PrometheusMetricSource.defaultPodRegex(WorkloadRef.deployment("s", "a".repeat(50))))
        .isEqualTo("a".repeat(50) + "-(" + A + "{1,6}-" + A + "{5}|" + A + "{12})");
  }

  @Test
  void longReplicaSetNamesFollowTheApiServersCut() {
    String name = "b".repeat(60);
    Pattern p = regex(new WorkloadRef("shop", "ReplicaSet", name));

    assertThat(p.matcher("b".repeat(58) + "x2x4z").matches()).isTrue();
    assertThat(regex(new WorkloadRef("shop", "ReplicaSet", "b".repeat(57)))
        .matcher("b".repeat(57) + "-x2x4z").matches()).isTrue();
  }
}
