package dev.prescaler.k8s;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSetStatus;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V1StatefulSetStatus;
import io.kubernetes.client.openapi.models.V2CrossVersionObjectReference;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerBehavior;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerSpec;
import io.kubernetes.client.openapi.models.V2MetricSpec;
import io.kubernetes.client.openapi.models.V2MetricTarget;
import io.kubernetes.client.openapi.models.V2ResourceMetricSource;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The API server the stateful tests run against: fabric8's CRUD mock server with {@link
 * OfficialClientCompatDispatcher} on a loopback port, or, when the system property {@value
 * #KUBECONFIG_PROPERTY} (or the environment variable {@code PRESCALER_K8S_KUBECONFIG}) names a
 * kubeconfig, the real cluster it points to (each run then works in a fresh namespace it deletes
 * afterwards, plus the Lease namespace {@value #LEASE_NAMESPACE}, created when missing).
 */
public final class KubeBackend implements AutoCloseable {
  static final String KUBECONFIG_PROPERTY = "prescaler.k8s.kubeconfig";
  /** The namespace of the engine's Leases, as in examples/deploy/rbac.yaml. */
  static final String LEASE_NAMESPACE = "prescaler";

  /** Kept so the level set on fabric8's java.util.logging loggers is not garbage-collected. */
  private static final java.util.logging.Logger FABRIC8_LOG = quiet("io.fabric8");

  private final KubernetesMockServer mock;
  private final String kubeconfig;
  private final ApiClient adapter;
  private final ApiClient fixture;
  private final String namespace;

  private KubeBackend(KubernetesMockServer mock, String kubeconfig, ApiClient adapter,
      ApiClient fixture, String namespace) {
    this.mock = mock;
    this.kubeconfig = kubeconfig;
    this.adapter = adapter;
    this.fixture = fixture;
    this.namespace = namespace;
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
    l.setLevel(java.util.logging.Level.WARNING);
    return l;
  }

  /** The kubeconfig of a real cluster, when one was given. */
  static String kubeconfig() {
    String p = System.getProperty(KUBECONFIG_PROPERTY);
    if (p == null || p.isBlank()) {
      p = System.getenv("PRESCALER_K8S_KUBECONFIG");
    }
    return p == null || p.isBlank() ? null : p;
  }

  /** A real cluster when configured, else the mock. */
  public static KubeBackend start() {
    String kc = kubeconfig();
    return kc != null ? real(kc) : mock();
  }

  /** Always the fabric8 mock (for tests that seed what only a mock lets you seed). */
  public static KubeBackend mock() {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(),
        new HashMap<>(), new OfficialClientCompatDispatcher(), false);
    server.init();
    String url = "http://" + server.getHostName() + ":" + server.getPort();
    return new KubeBackend(server, null, TestClients.adapter(url, Duration.ofSeconds(10)),
        TestClients.fixture(url), "shop");
  }

  private static KubeBackend real(String kubeconfig) {
    ApiClient fixture = TestClients.fromKubeconfig(kubeconfig, false);
    ApiClient adapter = TestClients.fromKubeconfig(kubeconfig, true);
    String ns = "prescaler-it-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 20);
    CoreV1Api core = new CoreV1Api(fixture);
    try {
      core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns))).execute();
      try {
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(LEASE_NAMESPACE)))
            .execute();
      } catch (ApiException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    } catch (ApiException e) {
      throw new IllegalStateException("cannot create test namespaces: " + e.getCode() + " "
          + e.getResponseBody(), e);
    }
    return new KubeBackend(null, kubeconfig, adapter, fixture, ns);
  }

  public boolean isMock() {
    return mock != null;
  }

  /** The client the code under test uses. */
  public ApiClient adapter() {
    return adapter;
  }

  /**
   * Another client like {@link #adapter()}, each of whose requests passes through {@code first}
   * before anything else: to act while a request of the code under test is on its way (another
   * replica taking over meanwhile), or to record the requests.
   */
  public ApiClient adapter(Interceptor first) {
    ApiClient c = mock != null ? TestClients.adapter(adapter.getBasePath(), Duration.ofSeconds(10))
        : TestClients.fromKubeconfig(kubeconfig, true);
    OkHttpClient.Builder b = c.getHttpClient().newBuilder();
    b.interceptors().add(0, first);
    c.setHttpClient(b.build());
    return c;
  }

  /** The client fixtures use. */
  public ApiClient fixture() {
    return fixture;
  }

  /** The namespace of the test workloads. */
  public String namespace() {
    return namespace;
  }

  /** Creates a Deployment with label app=name and one container requesting 500m CPU, 256Mi. */
  public V1Deployment deployment(String name, int replicas) throws ApiException {
    V1Deployment d = new V1Deployment().apiVersion("apps/v1").kind("Deployment")
        .metadata(new V1ObjectMeta().name(name).namespace(namespace))
        .spec(new V1DeploymentSpec().replicas(replicas)
            .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
            .template(template(name)));
    return new AppsV1Api(fixture).createNamespacedDeployment(namespace, d).execute();
  }

  /** Creates a StatefulSet with label app=name. */
  V1StatefulSet statefulSet(String name, int replicas) throws ApiException {
    V1StatefulSet s = new V1StatefulSet().apiVersion("apps/v1").kind("StatefulSet")
        .metadata(new V1ObjectMeta().name(name).namespace(namespace))
        .spec(new V1StatefulSetSpec().replicas(replicas).serviceName(name)
            .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
            .template(template(name)));
    return new AppsV1Api(fixture).createNamespacedStatefulSet(namespace, s).execute();
  }

  /** Creates a ReplicaSet with label app=name. */
  V1ReplicaSet replicaSet(String name, int replicas) throws ApiException {
    V1ReplicaSet r = new V1ReplicaSet().apiVersion("apps/v1").kind("ReplicaSet")
        .metadata(new V1ObjectMeta().name(name).namespace(namespace))
        .spec(new V1ReplicaSetSpec().replicas(replicas)
            .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
            .template(template(name)));
    return new AppsV1Api(fixture).createNamespacedReplicaSet(namespace, r).execute();
  }

  /** Mock only: sets a ReplicaSet's status, {@code replicas} pods of which {@code ready} ready. */
  void replicaSetStatus(String name, int replicas, int ready) throws ApiException {
    AppsV1Api apps = new AppsV1Api(fixture);
    V1ReplicaSet r = apps.readNamespacedReplicaSet(name, namespace).execute();
    r.status(new V1ReplicaSetStatus().replicas(replicas).readyReplicas(ready));
    apps.replaceNamespacedReplicaSetStatus(name, namespace, r).execute();
  }

  private static V1PodTemplateSpec template(String app) {
    return new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(Map.of("app", app)))
        .spec(new V1PodSpec().containers(List.of(container())));
  }

  private static V1Container container() {
    return new V1Container().name("app").image("registry.k8s.io/pause:3.9")
        .resources(new V1ResourceRequirements().requests(Map.of(
            "cpu", Quantity.fromString("500m"), "memory", Quantity.fromString("256Mi"))));
  }

  /** The mock has no controllers: set a Deployment's status.replicas as one would. */
  public void deploymentStatus(String name, int replicas) throws ApiException {
    if (!isMock()) {
      return;
    }
    AppsV1Api apps = new AppsV1Api(fixture);
    V1Deployment d = apps.readNamespacedDeployment(name, namespace).execute();
    d.status(new V1DeploymentStatus().replicas(replicas).readyReplicas(replicas));
    apps.replaceNamespacedDeploymentStatus(name, namespace, d).execute();
  }

  /**
   * Mock only: sets a Deployment's status as its controller would, {@code replicas} pods created
   * of which {@code ready} are ready.
   */
  void deploymentStatus(String name, int replicas, int ready) throws ApiException {
    AppsV1Api apps = new AppsV1Api(fixture);
    V1Deployment d = apps.readNamespacedDeployment(name, namespace).execute();
    d.status(new V1DeploymentStatus().replicas(replicas).readyReplicas(ready));
    apps.replaceNamespacedDeploymentStatus(name, namespace, d).execute();
  }

  /** Mock only: sets a StatefulSet's status, {@code replicas} pods of which {@code ready} ready. */
  void statefulSetStatus(String name, int replicas, int ready) throws ApiException {
    AppsV1Api apps = new AppsV1Api(fixture);
    V1StatefulSet s = apps.readNamespacedStatefulSet(name, namespace).execute();
    s.status(new V1StatefulSetStatus().replicas(replicas).readyReplicas(ready));
    apps.replaceNamespacedStatefulSetStatus(name, namespace, s).execute();
  }

  public int deploymentReplicas(String name) throws ApiException {
    return new AppsV1Api(fixture).readNamespacedDeployment(name, namespace).execute().getSpec()
        .getReplicas();
  }

  int statefulSetReplicas(String name) throws ApiException {
    return new AppsV1Api(fixture).readNamespacedStatefulSet(name, namespace).execute().getSpec()
        .getReplicas();
  }

  /** Sets a Deployment's spec.replicas behind the adapter's back (another actor). */
  void setDeploymentReplicas(String name, int replicas) throws ApiException {
    AppsV1Api apps = new AppsV1Api(fixture);
    V1Deployment d = apps.readNamespacedDeployment(name, namespace).execute();
    d.getSpec().setReplicas(replicas);
    apps.replaceNamespacedDeployment(name, namespace, d).execute();
  }

  /** Creates an autoscaling/v2 HPA on 70 % CPU targeting {@code kind/target}. */
  V2HorizontalPodAutoscaler hpa(String name, String kind, String target, int min, int max,
      V2HorizontalPodAutoscalerBehavior behavior) throws ApiException {
    V2HorizontalPodAutoscaler h = new V2HorizontalPodAutoscaler()
        .apiVersion("autoscaling/v2").kind("HorizontalPodAutoscaler")
        .metadata(new V1ObjectMeta().name(name).namespace(namespace))
        .spec(new V2HorizontalPodAutoscalerSpec()
            .scaleTargetRef(new V2CrossVersionObjectReference().apiVersion("apps/v1").kind(kind)
                .name(target))
            .minReplicas(min).maxReplicas(max)
            .metrics(List.of(cpuMetric(70)))
            .behavior(behavior));
    return new AutoscalingV2Api(fixture).createNamespacedHorizontalPodAutoscaler(namespace, h)
        .execute();
  }

  static V2MetricSpec cpuMetric(int percent) {
    return new V2MetricSpec().type("Resource").resource(new V2ResourceMetricSource().name("cpu")
        .target(new V2MetricTarget().type("Utilization").averageUtilization(percent)));
  }

  /** Changes an HPA's spec behind the adapter's back (an operator), with one read and replace. */
  V2HorizontalPodAutoscaler editHpa(String name,
      java.util.function.Consumer<V2HorizontalPodAutoscalerSpec> edit) throws ApiException {
    AutoscalingV2Api api = new AutoscalingV2Api(fixture);
    V2HorizontalPodAutoscaler h = api.readNamespacedHorizontalPodAutoscaler(name, namespace)
        .execute();
    edit.accept(h.getSpec());
    return api.replaceNamespacedHorizontalPodAutoscaler(name, namespace, h).execute();
  }

  V2HorizontalPodAutoscaler readHpa(String name) throws ApiException {
    return new AutoscalingV2Api(fixture).readNamespacedHorizontalPodAutoscaler(name, namespace)
        .execute();
  }

  /** Mock only: a Running pod labelled app=app, Ready since {@code readySince}. */
  public void readyPod(String name, String app, boolean ready, Instant readySince)
      throws ApiException {
    readyPod(name, app, ready, readySince, new V1PodSpec().containers(List.of(container())));
  }

  /** Mock only: as {@link #readyPod(String, String, boolean, Instant)}, with its own spec. */
  public void readyPod(String name, String app, boolean ready, Instant readySince, V1PodSpec spec)
      throws ApiException {
    V1Pod p = new V1Pod().apiVersion("v1").kind("Pod")
        .metadata(new V1ObjectMeta().name(name).namespace(namespace).labels(Map.of("app", app)))
        .spec(spec)
        .status(new V1PodStatus().phase("Running")
            .startTime(readySince.minusSeconds(5).atOffset(ZoneOffset.UTC))
            .conditions(List.of(new V1PodCondition().type("Ready").status(ready ? "True" : "False")
                .lastTransitionTime(readySince.atOffset(ZoneOffset.UTC)))));
    new CoreV1Api(fixture).createNamespacedPod(namespace, p).execute();
  }

  /**
   * Mock only: seeds metrics.k8s.io PodMetrics for a pod, or replaces the pod's (a new sample, as
   * the Metrics Server's next scrape).
   */
  public void podMetrics(String pod, String app, String cpu, String memory, Instant at)
      throws IOException {
    podMetrics(pod, app, at, new String[] {"app", cpu, memory});
  }

  /**
   * Mock only: as {@link #podMetrics(String, String, String, String, Instant)}, one usage per
   * container, each given as {@code {name, cpu, memory}}.
   */
  public void podMetrics(String pod, String app, Instant at, String[]... containers)
      throws IOException {
    List<String> usages = new ArrayList<>();
    for (String[] c : containers) {
      usages.add(String.format(Locale.ROOT,
          "{\"name\":\"%s\",\"usage\":{\"cpu\":\"%s\",\"memory\":\"%s\"}}", c[0], c[1], c[2]));
    }
    String body = String.format(Locale.ROOT, "{\"apiVersion\":\"metrics.k8s.io/v1beta1\","
        + "\"kind\":\"PodMetrics\",\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\","
        + "\"labels\":{\"app\":\"%s\"}},\"timestamp\":\"%s\",\"window\":\"30s\",\"containers\":"
        + "[%s]}", pod, namespace, app, at.toString(), String.join(",", usages));
    String pods = fixture.getBasePath() + "/apis/metrics.k8s.io/v1beta1/namespaces/" + namespace
        + "/pods";
    RequestBody json = RequestBody.create(body, MediaType.get("application/json"));
    int code = send(new Request.Builder().url(pods).post(json).build());
    if (code == 409) {
      code = send(new Request.Builder().url(pods + "/" + pod).put(json).build());
    }
    if (code != 201 && code != 200) {
      throw new IOException("seeding PodMetrics failed: HTTP " + code);
    }
  }

  private int send(Request req) throws IOException {
    try (Response r = fixture.getHttpClient().newCall(req).execute()) {
      return r.code();
    }
  }

  @Override
  public void close() {
    if (mock != null) {
      mock.destroy();
      return;
    }
    try {
      new CoreV1Api(fixture).deleteNamespace(namespace).execute();
    } catch (ApiException e) {
      // best effort: the namespace is unique to this run
    }
  }
}
