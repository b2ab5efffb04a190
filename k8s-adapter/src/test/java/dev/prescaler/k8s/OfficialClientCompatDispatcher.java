package dev.prescaler.k8s;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Wraps fabric8's CRUD dispatcher so that the official Kubernetes client works against it (fabric8
 * serves its own client's requests, which differ): fills in {@code apiVersion}/{@code kind} the
 * official client leaves out, serves {@code …/{deployments|statefulsets|replicasets}/NAME/scale} as
 * an {@code autoscaling/v1} Scale backed by the parent object (GET, PATCH with the resourceVersion
 * precondition a real server applies, PUT), treats strategic merge and apply patches as JSON merge
 * patches (right for scalars and maps, not for lists with merge keys), and applies JSON merge
 * patches itself as RFC 7386 says (lists replaced whole; fabric8 appends them), with the
 * resourceVersion precondition.
 */
final class OfficialClientCompatDispatcher extends Dispatcher {
  private static final String MERGE = "application/merge-patch+json";
  private static final Map<String, String> KINDS = Map.of(
      "deployments", "Deployment", "statefulsets", "StatefulSet", "replicasets", "ReplicaSet",
      "horizontalpodautoscalers", "HorizontalPodAutoscaler", "leases", "Lease", "pods", "Pod",
      "events", "Event", "namespaces", "Namespace", "configmaps", "ConfigMap");

  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();

  @Override
  public MockResponse dispatch(RecordedRequest req) {
    String path = req.getPath();
    String bare = path.split("\\?", 2)[0];
    String ct = req.getHeader("Content-Type");
    String body = req.getBody() == null ? null : req.getUtf8Body();
    if (req.method() == HttpMethod.PATCH && ct != null
        && (ct.startsWith("application/strategic-merge-patch+json")
            || ct.startsWith("application/apply-patch+yaml"))) {
      ct = MERGE;
    }
    if (bare.endsWith("/scale")) {
      return scale(req, bare.substring(0, bare.length() - "/scale".length()), ct, body);
    }
    if (req.method() == HttpMethod.PATCH && MERGE.equals(ct) && body != null) {
      return mergePatch(req, bare, body);
    }
    if ((req.method() == HttpMethod.POST || req.method() == HttpMethod.PUT) && body != null
        && body.trim().startsWith("{")) {
      body = withTypeMeta(bare, body, req.method() == HttpMethod.POST);
    }
    return crud.dispatch(copy(req, req.method(), path, ct, body));
  }

  private static RecordedRequest copy(RecordedRequest req, HttpMethod m, String path, String ct,
      String body) {
    Headers.Builder h = req.getHeaders().newBuilder();
    if (ct != null) {
      h.set("Content-Type", ct);
    }
    return new RecordedRequest(req.getHttpVersion(), m, path, h.build(),
        body == null ? new Buffer() : new Buffer().writeUtf8(body));
  }

  /** Adds apiVersion and kind from the URL: /api/v1/... or /apis/group/version/.... */
  private static String withTypeMeta(String bare, String body, boolean collection) {
    String[] p = bare.substring(1).split("/");
    boolean core = p[0].equals("api");
    String apiVersion = core ? p[1] : p[1] + "/" + p[2];
    String plural = p[p.length - (collection ? 1 : 2)];
    String kind = apiVersion.startsWith("metrics.k8s.io")
        ? (plural.equals("pods") ? "PodMetrics" : "NodeMetrics") : KINDS.get(plural);
    JsonObject o = JsonParser.parseString(body).getAsJsonObject();
    if (!o.has("apiVersion")) {
      o.addProperty("apiVersion", apiVersion);
    }
    if (!o.has("kind") && kind != null) {
      o.addProperty("kind", kind);
    }
    return o.toString();
  }

  private MockResponse scale(RecordedRequest req, String parent, String ct, String body) {
    MockResponse r;
    switch (req.method()) {
      case GET:
        r = crud.handleGet(parent);
        break;
      case PATCH: {
        MockResponse cur = crud.handleGet(parent);
        if (cur.code() != 200) {
          return cur;
        }
        JsonObject obj = JsonParser.parseString(cur.getBody().readUtf8()).getAsJsonObject();
        JsonObject patch = JsonParser.parseString(body).getAsJsonObject();
        String wanted = patch.has("metadata")
            && patch.getAsJsonObject("metadata").has("resourceVersion")
            ? patch.getAsJsonObject("metadata").get("resourceVersion").getAsString() : null;
        String actual = obj.getAsJsonObject("metadata").get("resourceVersion").getAsString();
        if (wanted != null && !wanted.equals(actual)) {
          return conflict(parent);
        }
        r = crud.dispatch(copy(req, HttpMethod.PATCH, parent, MERGE, onlyReplicas(patch)));
        break;
      }
      case PUT: {
        MockResponse cur = crud.handleGet(parent);
        if (cur.code() != 200) {
          return cur;
        }
        JsonObject obj = JsonParser.parseString(cur.getBody().readUtf8()).getAsJsonObject();
        JsonObject scale = JsonParser.parseString(body).getAsJsonObject();
        obj.getAsJsonObject("spec").add("replicas",
            scale.getAsJsonObject("spec").get("replicas"));
        JsonObject md = scale.getAsJsonObject("metadata");
        JsonElement rv = md == null ? null : md.get("resourceVersion");
        if (rv != null) {
          obj.getAsJsonObject("metadata").add("resourceVersion", rv);
        }
        r = crud.dispatch(copy(req, HttpMethod.PUT, parent, "application/json", obj.toString()));
        break;
      }
      default:
        return new MockResponse().setResponseCode(405);
    }
    if (r.code() >= 300) {
      return r;
    }
    JsonObject parentObj = JsonParser.parseString(r.getBody().readUtf8()).getAsJsonObject();
    return new MockResponse().setResponseCode(r.code()).setHeader("Content-Type",
        "application/json").setBody(toScale(parentObj).toString());
  }

  /**
   * A JSON merge patch applied as RFC 7386 and a real API server do (fabric8's CRUD dispatcher
   * appends arrays instead of replacing them), with the resourceVersion precondition, then stored
   * with a replace.
   */
  private MockResponse mergePatch(RecordedRequest req, String bare, String body) {
    MockResponse cur = crud.handleGet(bare);
    if (cur.code() != 200) {
      return cur;
    }
    JsonObject obj = JsonParser.parseString(cur.getBody().readUtf8()).getAsJsonObject();
    JsonObject patch = JsonParser.parseString(body).getAsJsonObject();
    JsonElement wanted = patch.has("metadata")
        ? patch.getAsJsonObject("metadata").get("resourceVersion") : null;
    JsonElement actual = obj.getAsJsonObject("metadata").get("resourceVersion");
    if (wanted != null && !wanted.isJsonNull() && !wanted.equals(actual)) {
      return conflict(bare);
    }
    JsonObject merged = merge(obj, patch).getAsJsonObject();
    merged.getAsJsonObject("metadata").add("resourceVersion", actual);
    return crud.dispatch(copy(req, HttpMethod.PUT, bare, "application/json", merged.toString()));
  }

  private static JsonElement merge(JsonElement target, JsonElement patch) {
    if (!patch.isJsonObject()) {
      return patch.deepCopy();
    }
    JsonObject out = target != null && target.isJsonObject()
        ? target.getAsJsonObject().deepCopy() : new JsonObject();
    for (Map.Entry<String, JsonElement> e : patch.getAsJsonObject().entrySet()) {
      if (e.getValue().isJsonNull()) {
        out.remove(e.getKey());
      } else {
        out.add(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
      }
    }
    return out;
  }

  private static MockResponse conflict(String parent) {
    String name = parent.substring(parent.lastIndexOf('/') + 1);
    String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
        + "\"Operation cannot be fulfilled on scale \\\"" + name + "\\\": the object has been "
        + "modified; please apply your changes to the latest version and try again\","
        + "\"reason\":\"Conflict\",\"code\":409}";
    return new MockResponse().setResponseCode(409).setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  /** A merge patch sent to /scale may carry Scale-only fields; keep just spec.replicas. */
  private static String onlyReplicas(JsonObject in) {
    JsonObject out = new JsonObject();
    if (in.has("spec") && in.getAsJsonObject("spec").has("replicas")) {
      JsonObject spec = new JsonObject();
      spec.add("replicas", in.getAsJsonObject("spec").get("replicas"));
      out.add("spec", spec);
    }
    return out.toString();
  }

  private static JsonObject toScale(JsonObject obj) {
    JsonObject md = obj.getAsJsonObject("metadata");
    JsonObject smd = new JsonObject();
    for (String k : new String[] {"name", "namespace", "resourceVersion", "uid",
        "creationTimestamp"}) {
      if (md.has(k)) {
        smd.add(k, md.get(k));
      }
    }
    JsonObject spec = obj.getAsJsonObject("spec");
    JsonObject status = obj.getAsJsonObject("status");
    JsonObject s = new JsonObject();
    s.addProperty("apiVersion", "autoscaling/v1");
    s.addProperty("kind", "Scale");
    s.add("metadata", smd);
    JsonObject sspec = new JsonObject();
    sspec.addProperty("replicas", spec.has("replicas") ? spec.get("replicas").getAsInt() : 1);
    s.add("spec", sspec);
    JsonObject sstatus = new JsonObject();
    sstatus.addProperty("replicas", status != null && status.has("replicas")
        ? status.get("replicas").getAsInt() : 0);
    if (spec.has("selector") && spec.getAsJsonObject("selector").has("matchLabels")) {
      sstatus.addProperty("selector", spec.getAsJsonObject("selector")
          .getAsJsonObject("matchLabels").entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue().getAsString())
          .collect(Collectors.joining(",")));
    }
    s.add("status", sstatus);
    return s;
  }
}
