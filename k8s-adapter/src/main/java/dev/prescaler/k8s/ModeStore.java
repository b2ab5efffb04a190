package dev.prescaler.k8s;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.prescaler.core.InARow;
import dev.prescaler.core.KubernetesNames;
import dev.prescaler.core.Mode;
import dev.prescaler.core.WorkloadRef;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.PatchUtils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mode each workload has earned (observe-only, or promoted to act or hpa-floor), kept in one
 * ConfigMap so that whichever engine replica leads next resumes it, instead of starting every
 * workload observe-only from its own journal.
 *
 * <p>One data key per workload: {@code <namespace>_<kind>_<name>}, e.g. {@code
 * shop_Deployment_web}. A namespace is a DNS-1123 label, a kind letters and digits, a name a
 * DNS-1123 subdomain: none holds {@code _}, so the key splits back into the three parts ({@link
 * #workloadOf}), and every character is one a data key may hold ({@code [-._a-zA-Z0-9]}). When
 * that key would exceed the 253 characters a data key may have (a namespace has at most 63, a
 * name 253), the key is {@code <namespace>_<kind>_<start of the name>_<hash>} instead, 253
 * characters: the hash is 32 hex digits of the SHA-256 of {@code <namespace>_<kind>_<name>}, so
 * the key is the same on every replica and differs between workloads; its four parts never read
 * as a three-part key. Such an entry carries the whole name in its value ({@code name=<name>},
 * after the time), from which {@link #read()} knows its workload. Every key that fits is the
 * three-part one, so a store written by an earlier version reads the same. The value is one
 * line, {@code <mode> <time> <reason>}, e.g. {@code
 * act 2026-03-02T10:00:00Z promoted after 1440 min observed: ...}: the mode as the agent's
 * configuration spells it ({@code observe-only}, {@code act}, {@code hpa-floor}), when it was set
 * (the time of the mode change, not of the write, so that a change sent again later keeps its
 * place among the others; UTC, whole seconds) and why, the reason cut to {@value #MAX_REASON}
 * characters.
 *
 * <p>{@link #read()} returns every entry it can parse (a missing ConfigMap holds none) and skips,
 * with a WARN naming the key, an entry it cannot parse: never a guessed mode. {@link #write}
 * creates the ConfigMap when missing, else sends one JSON merge patch of that key carrying the
 * resourceVersion read; a 409 (another writer, or an earlier try of the same write that timed out
 * but was applied) re-reads and tries again, at most {@value #MAX_CONFLICTS} times. Transient
 * errors are retried by the {@link RetryPolicy}. Errors never throw: they are logged at WARN and
 * returned. A caller asks again while one fails (the agent every round), so a failure repeated
 * in a row (a Role without {@code get} or {@code patch} on {@code configmaps}) is logged at WARN
 * on the first and every 20th, with the count, at DEBUG in between, and at INFO when the call
 * works again: the reads counted together, the prunes together, the writes per workload; {@link
 * #endRuns} and {@link #endWrites} end a run the caller stops without a call that worked (a new
 * term, a change no longer sent). {@link #retainOnly} removes the entries of workloads no longer
 * configured, so one
 * ConfigMap belongs to one engine deployment, as its Lease does: with an {@link Builder#owner
 * owner} the ConfigMap says which, and another deployment neither writes into it nor prunes it.
 * Needs {@code get}, {@code create} and {@code patch} on {@code configmaps} in the store's
 * namespace. Thread-safe.
 */
public final class ModeStore {
  /** Default ConfigMap name: {@value}. */
  public static final String DEFAULT_NAME = "prescaler-modes";
  /** Longest reason kept in a value, in characters; a longer one is cut and ends in "...". */
  public static final int MAX_REASON = 512;
  /** How many read-then-write rounds a write makes when each ends in a conflict. */
  public static final int MAX_CONFLICTS = 5;
  /**
   * The annotation naming the deployment a store belongs to (its Lease's name), set when {@link
   * #write} creates the ConfigMap with an {@link Builder#owner owner}.
   */
  public static final String OWNER_ANNOTATION = "prescaler.dev/owner";
  /** Longest ConfigMap data key Kubernetes accepts. */
  static final int MAX_KEY = 253;
  /** Hex digits of the hash that ends the key of a workload whose three-part key is too long. */
  static final int HASH_DIGITS = 32;
  /** What precedes the name in the value of an entry whose key ends in a hash. */
  private static final String NAME_FIELD = "name=";

  private static final Logger LOG = LoggerFactory.getLogger(ModeStore.class);

  private final ApiClient client;
  private final CoreV1Api api;
  private final ApiCalls calls;
  private final String namespace;
  private final String name;
  private final String owner;
  private final LeaderFence.Check writable;
  /** The failed {@link #read()}s in a row (guarded by this). */
  private final InARow readFailures = new InARow();
  /** The failed {@link #retainOnly} calls in a row (guarded by this). */
  private final InARow pruneFailures = new InARow();
  /*
   * The failed writes in a row, per workload (guarded by this). Per workload rather than one for
   * the store: each workload's change is written, kept and sent again on its own (once a round
   * while the store refuses it), a write may fail for one entry and not another, and the run of
   * a workload ends when its entry is stored; one count shared by N workloads would reach 20
   * after 20 / N rounds and end on any other workload's success. Removed when its write works.
   */
  private final Map<WorkloadRef, InARow> writeFailures = new HashMap<>();

  private ModeStore(Builder b) {
    this.client = b.client;
    this.api = new CoreV1Api(b.client);
    this.calls = b.calls();
    this.namespace = b.namespace;
    this.name = b.name;
    this.owner = b.owner;
    BooleanSupplier w = b.writesWhen;
    this.writable = w == null ? null
        : () -> w.getAsBoolean() ? Optional.empty() : Optional.of("this replica no longer leads");
  }

  /**
   * A builder for the store in {@code namespace} (the engine's own, as for its Lease).
   *
   * @param client the API client
   * @param namespace the ConfigMap's namespace, a DNS-1123 label
   */
  public static Builder builder(ApiClient client, String namespace) {
    return new Builder(client, namespace);
  }

  /** {@code namespace/name} of the ConfigMap. */
  public String configMap() {
    return namespace + "/" + name;
  }

  /**
   * One stored mode.
   *
   * @param workload the workload
   * @param mode the mode it was set to
   * @param time when the mode was set (the engine's clock at the change), kept to whole seconds
   * @param reason why; at most {@value #MAX_REASON} characters, one line
   */
  public record Entry(WorkloadRef workload, Mode mode, Instant time, String reason) {
    /** Validates; cuts the reason to one line of at most {@value #MAX_REASON} characters. */
    public Entry {
      Objects.requireNonNull(workload, "workload");
      Objects.requireNonNull(mode, "mode");
      time = Objects.requireNonNull(time, "time").truncatedTo(ChronoUnit.SECONDS);
      reason = oneLine(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * The ConfigMap value: {@code <mode> <time> <reason>}; {@code <mode> <time> name=<name>
     * <reason>} for a workload whose key ends in a hash (see {@link ModeStore#key}).
     */
    public String value() {
      return mode.text() + " " + time
          + (hashed(workload) ? " " + NAME_FIELD + workload.name() : "")
          + (reason.isEmpty() ? "" : " " + reason);
    }

    /**
     * Parses a value written by {@link #value()}.
     *
     * @return empty when the value is not of that form
     */
    static Optional<Entry> parse(WorkloadRef workload, String value) {
      String[] p = value.split(" ", 3);
      Optional<Mode> mode = Mode.ofText(p[0]);
      if (mode.isEmpty() || p.length < 2) {
        return Optional.empty();
      }
      String reason = p.length > 2 ? p[2] : "";
      if (hashed(workload)) {
        String name = NAME_FIELD + workload.name();
        if (!reason.equals(name) && !reason.startsWith(name + " ")) {
          return Optional.empty();
        }
        reason = reason.substring(name.length()).strip();
      }
      try {
        return Optional.of(new Entry(workload, mode.get(), Instant.parse(p[1]), reason));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
  }

  /**
   * What a {@link #write} did.
   *
   * @param stored whether the ConfigMap now holds the entry
   * @param message what was done, or why it failed (the HTTP status, the resource, the server's
   *     message)
   */
  public record WriteResult(boolean stored, String message) {}

  private static String oneLine(String reason) {
    StringBuilder b = new StringBuilder(Math.min(reason.length(), MAX_REASON));
    for (int i = 0; i < reason.length() && b.length() <= MAX_REASON; i++) {
      char c = reason.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    String s = b.toString().strip();
    return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON - 3) + "...";
  }

  /**
   * The data key of a workload: {@code <namespace>_<kind>_<name>} when that has at most 253
   * characters, else {@code <namespace>_<kind>_<start of the name>_<hash>} of exactly 253, the
   * hash being the first {@value #HASH_DIGITS} hex digits of the SHA-256 of the three-part key.
   * Either is a valid data key, and the same for the same workload on every replica.
   */
  public static String key(WorkloadRef workload) {
    String full = fullKey(workload);
    if (full.length() <= MAX_KEY) {
      return full;
    }
    // namespace (<= 63) + kind (<= 63) + 2 separators leave at least 92 characters of the name.
    String head = workload.namespace() + "_" + workload.kind() + "_";
    int nameChars = MAX_KEY - head.length() - 1 - HASH_DIGITS;
    return head + workload.name().substring(0, nameChars) + "_" + hash(full);
  }

  private static String fullKey(WorkloadRef workload) {
    return workload.namespace() + "_" + workload.kind() + "_" + workload.name();
  }

  /** Whether the workload's key ends in a hash: its three-part key is too long. */
  private static boolean hashed(WorkloadRef workload) {
    return fullKey(workload).length() > MAX_KEY;
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_DIGITS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * The workload a three-part data key names, or empty when the key is not {@code
   * <ns>_<kind>_<name>} (a key that ends in a hash names its workload only with its value: see
   * {@link #read()}).
   */
  public static Optional<WorkloadRef> workloadOf(String key) {
    String[] p = key.split("_", -1);
    if (p.length != 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(new WorkloadRef(p[0], p[1], p[2]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The workload of one data entry: the key's for a three-part key; for a key that ends in a
   * hash, the namespace and kind of the key and the name of the value's {@code name=} field,
   * when they give back exactly that key. Empty for any other entry.
   */
  static Optional<WorkloadRef> workloadOf(String key, String value) {
    Optional<WorkloadRef> plain = workloadOf(key);
    if (plain.isPresent()) {
      return key.equals(key(plain.get())) ? plain : Optional.empty();
    }
    String[] k = key.split("_", -1);
    String[] v = value == null ? new String[0] : value.split(" ", 4);
    if (k.length != 4 || v.length < 3 || !v[2].startsWith(NAME_FIELD)) {
      return Optional.empty();
    }
    try {
      WorkloadRef ref = new WorkloadRef(k[0], k[1], v[2].substring(NAME_FIELD.length()));
      return key.equals(key(ref)) ? Optional.of(ref) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Every entry of the ConfigMap, by workload. A missing ConfigMap holds none; an entry whose key
   * or value cannot be parsed is skipped with a WARN naming its key. A key that ends in a hash
   * names the workload whose namespace, kind and (in the value) name hash to it.
   *
   * @return the entries, or empty when the ConfigMap could not be read (logged at WARN on the
   *     first failed read in a row and every 20th, at DEBUG in between, and at INFO by the read
   *     that works again)
   */
  public synchronized Optional<Map<WorkloadRef, Entry>> read() {
    ApiCalls.Result<V1ConfigMap> r = calls.read(
        () -> api.readNamespacedConfigMap(name, namespace).execute());
    if (!r.ok() && r.code() != 404) {
      int n = readFailures.next();
      InARow.log(LOG, n, "mode store {}: read failed{}: {}", configMap(), InARow.ofCount(n),
          describe(r));
      return Optional.empty();
    }
    int failed = readFailures.end();
    if (failed > 0) {
      LOG.info("mode store {}: read again, after {} failed read{} in a row", configMap(), failed,
          failed == 1 ? "" : "s");
    }
    if (!r.ok()) {
      return Optional.of(Map.of()); // 404: no ConfigMap, no entry
    }
    Map<String, String> data = r.value().map(V1ConfigMap::getData).orElse(null);
    Map<WorkloadRef, Entry> out = new LinkedHashMap<>();
    if (data == null) {
      return Optional.of(out);
    }
    for (Map.Entry<String, String> e : data.entrySet()) {
      Optional<WorkloadRef> ref = workloadOf(e.getKey(), e.getValue());
      if (ref.isEmpty()) {
        LOG.warn("mode store {}: skipping key {}: not <namespace>_<kind>_<name>, nor a key "
            + "ending in the hash of the workload its value names", configMap(), e.getKey());
        continue;
      }
      Optional<Entry> entry = Entry.parse(ref.get(), e.getValue() == null ? "" : e.getValue());
      if (entry.isEmpty()) {
        LOG.warn("mode store {}: skipping key {}: value is not '<observe-only|act|hpa-floor> "
            + "<time> <reason>'", configMap(), e.getKey());
        continue;
      }
      out.put(ref.get(), entry.get());
    }
    return Optional.of(out);
  }

  /**
   * Stores a workload's mode: creates the ConfigMap when missing, else merge-patches that key
   * only, with the resourceVersion read. The value carries the entry's own time, whenever it is
   * written. It replaces whatever the key holds: the caller, the one leader, decides whether a
   * change it sends again is still the latest. Never throws for an API error.
   *
   * @param entry the workload, its new mode, when it was set and why
   * @return whether it was stored, and what happened; a failure is also logged, at WARN on the
   *     workload's first failed write in a row and every 20th, at DEBUG in between (a write that
   *     works again says so at INFO)
   */
  public synchronized WriteResult write(Entry entry) {
    Objects.requireNonNull(entry, "entry");
    try {
      return fenced(() -> writeEntry(entry));
    } catch (LeaderFence.LeadershipLostException e) {
      return failed(entry.workload(), e.getMessage() + "; mode not stored");
    }
  }

  /**
   * Ends every run of failed calls under way, the reads, the prunes and each workload's writes,
   * without a call that worked: the caller stops asking and starts again later, so that a failure
   * then is the first of a new run, logged at WARN. The agent calls it when it starts a new term
   * as leader: in the rounds it did not lead it made no call, and a run must not span two terms.
   * When a run was under way, says at INFO which ones ended, and that no call worked again.
   */
  public synchronized void endRuns() {
    int reads = readFailures.end();
    int prunes = pruneFailures.end();
    int writes = 0;
    for (InARow failures : writeFailures.values()) {
      writes += failures.end();
    }
    int workloads = writeFailures.size();
    writeFailures.clear();
    if (reads + prunes + writes > 0) {
      LOG.info("mode store {}: runs of failed calls ended with an earlier term, not by a call that "
          + "worked: {} failed read{}, {} failed prune{} and {} failed write{} of {} workload{} "
          + "in a row; a failure from now on is counted from 1", configMap(), reads, plural(reads),
          prunes, plural(prunes), writes, plural(writes), workloads, plural(workloads));
    }
  }

  /**
   * Ends the run of failed writes of {@code workload} without a write that worked: its caller
   * no longer sends the change (the store holds a later leader's entry, say), so the next write
   * of that workload that fails is the first of a new run. Says so at INFO when a run was under
   * way.
   *
   * @param why why the change is no longer sent, for the log
   */
  public synchronized void endWrites(WorkloadRef workload, String why) {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(why, "why");
    InARow failures = writeFailures.remove(workload);
    int failed = failures == null ? 0 : failures.end();
    if (failed > 0) {
      LOG.info("{}: mode store {}: no longer written, after {} failed write{} in a row, not "
          + "stored: {}", workload, configMap(), failed, plural(failed), why);
    }
  }

  private static String plural(int n) {
    return n == 1 ? "" : "s";
  }

  /** Runs {@code body} with the {@link Builder#writesWhen} check asked before each write. */
  private <T> T fenced(Supplier<T> body) {
    return writable == null ? body.get() : LeaderFence.during(writable, body);
  }

  private WriteResult writeEntry(Entry entry) {
    WorkloadRef workload = entry.workload();
    String key = key(workload);
    String value = entry.value();
    for (int round = 1; round <= MAX_CONFLICTS; round++) {
      ApiCalls.Result<V1ConfigMap> read = calls.read(
          () -> api.readNamespacedConfigMap(name, namespace).execute());
      if (!read.ok() && read.code() == 404) {
        V1ConfigMap cm = new V1ConfigMap().apiVersion("v1").kind("ConfigMap")
            .metadata(new V1ObjectMeta().name(name).namespace(namespace)
                .labels(Map.of("app.kubernetes.io/managed-by", "prescaler"))
                .annotations(owner == null ? null : Map.of(OWNER_ANNOTATION, owner)))
            .data(Map.of(key, value));
        ApiCalls.Result<V1ConfigMap> created = calls.write("POST configmaps " + configMap(),
            () -> api.createNamespacedConfigMap(namespace, cm).execute());
        if (created.ok()) {
          return stored(workload, "created " + configMap() + " with " + key + "=" + value);
        }
        if (created.code() != 409) {
          return failed(workload, notStored(created));
        }
        continue; // created meanwhile by another writer (or by a try that timed out): re-read
      }
      if (!read.ok()) {
        return failed(workload, notStored(read));
      }
      V1ConfigMap cm = read.value().orElseThrow();
      String other = foreignOwner(cm);
      if (other != null) {
        return failed(workload, configMap() + " belongs to " + other + " (annotation "
            + OWNER_ANNOTATION + "), not to " + owner + ": give each deployment its own mode "
            + "store; mode not stored");
      }
      Map<String, String> held = cm.getData() == null ? Map.of() : cm.getData();
      if (value.equals(held.get(key))) {
        return stored(workload, configMap() + " already holds " + key + "=" + value);
      }
      JsonObject data = new JsonObject();
      data.addProperty(key, value);
      ApiCalls.Result<V1ConfigMap> patched = mergePatch(cm, data);
      if (patched.ok()) {
        return stored(workload, "patched " + configMap() + ": " + key + "=" + value);
      }
      if (patched.code() != 409 && patched.code() != 404) {
        return failed(workload, notStored(patched));
      }
      // 409: written by someone else since the read (or applied by a try that timed out);
      // 404: deleted since the read. Either way, read again.
    }
    return failed(workload, "gave up after " + MAX_CONFLICTS + " conflicting writes to "
        + configMap() + "; mode not stored");
  }

  /**
   * Removes the entry of every workload not in {@code keep}, e.g. the workloads no longer in the
   * configuration, so that the ConfigMap does not grow with every workload ever configured and a
   * workload configured again later starts from its configured mode, not from one earned long
   * ago. One JSON merge patch sets their keys to null, with the resourceVersion read; a 409
   * re-reads and tries again, at most {@value #MAX_CONFLICTS} times. Keys that do not name a
   * workload (see {@link #read()}) are left alone. Never throws for an API error.
   *
   * @param keep the workloads whose entries stay
   * @return whether the ConfigMap now holds no entry of a workload outside {@code keep}, and
   *     what was removed (or why it failed); a failure is also logged, at WARN on the first
   *     failed call in a row and every 20th, at DEBUG in between (one that works again says so
   *     at INFO)
   */
  public synchronized WriteResult retainOnly(Set<WorkloadRef> keep) {
    Objects.requireNonNull(keep, "keep");
    Pruned pruned;
    try {
      pruned = fenced(() -> prune(keep));
    } catch (LeaderFence.LeadershipLostException e) {
      pruned = new Pruned(notRemoved(e.getMessage()), false);
    }
    WriteResult result = pruned.result();
    if (result.stored()) {
      int failed = pruneFailures.end();
      if (failed > 0 && pruned.declined()) {
        // The calls work again, but nothing was pruned: the WARN just logged says why.
        LOG.info("mode store {}: read again by the prune, after {} failed prune{} in a row, but "
            + "not pruned, as it does not name this deployment as its owner", configMap(),
            failed, plural(failed));
      } else if (failed > 0) {
        LOG.info("mode store {}: pruned again, after {} failed prune{} in a row", configMap(),
            failed, plural(failed));
      }
    }
    return result;
  }

  /**
   * What one {@link #prune} did: its result, and whether it declined to prune a ConfigMap that
   * does not name this deployment as its owner (a result that tells the caller not to try again,
   * though nothing was pruned).
   */
  private record Pruned(WriteResult result, boolean declined) {
    Pruned(WriteResult result) {
      this(result, false);
    }
  }

  private Pruned prune(Set<WorkloadRef> keep) {
    for (int round = 1; round <= MAX_CONFLICTS; round++) {
      ApiCalls.Result<V1ConfigMap> read = calls.read(
          () -> api.readNamespacedConfigMap(name, namespace).execute());
      if (!read.ok() && read.code() == 404) {
        return pruned(configMap() + " does not exist: nothing to remove");
      }
      if (!read.ok()) {
        return unpruned(describe(read));
      }
      V1ConfigMap cm = read.value().orElseThrow();
      String owned = owner == null ? null : annotation(cm);
      if (owner != null && !owner.equals(owned)) {
        // Another deployment's entries may be here: removing them would lose its modes.
        String message = configMap() + " not pruned: it "
            + (owned == null ? "names no owner (annotation " + OWNER_ANNOTATION + "; add it "
                + "with the value " + owner + " if only this deployment uses it)"
                : "belongs to " + owned + ", not to " + owner);
        LOG.warn("mode store: {}", message);
        return new Pruned(new WriteResult(true, message), true);
      }
      Map<String, String> held = cm.getData() == null ? Map.of() : cm.getData();
      List<String> gone = new ArrayList<>();
      for (Map.Entry<String, String> e : held.entrySet()) {
        String key = e.getKey();
        if (workloadOf(key, e.getValue()).filter(w -> !keep.contains(w)).isPresent()) {
          gone.add(key);
        }
      }
      if (gone.isEmpty()) {
        return pruned(configMap() + " holds no entry of another workload");
      }
      Collections.sort(gone);
      JsonObject data = new JsonObject();
      gone.forEach(k -> data.add(k, JsonNull.INSTANCE));
      ApiCalls.Result<V1ConfigMap> patched = mergePatch(cm, data);
      if (patched.ok()) {
        String message = "removed from " + configMap() + " the entries of workloads no longer "
            + "configured: " + String.join(", ", gone);
        LOG.info("mode store: {}", message);
        return pruned(message);
      }
      if (patched.code() == 404) {
        return pruned(configMap() + " was deleted: nothing to remove");
      }
      if (patched.code() != 409) {
        return unpruned(describe(patched) + (patched.uncertain()
            ? "; a try timed out or met a server error, so they may have been removed" : ""));
      }
    }
    return unpruned("gave up after " + MAX_CONFLICTS + " conflicting writes");
  }

  /** What a prune that did its part returns. */
  private static Pruned pruned(String message) {
    return new Pruned(new WriteResult(true, message));
  }

  /** What a prune that failed returns (logged by {@link #notRemoved}). */
  private Pruned unpruned(String why) {
    return new Pruned(notRemoved(why));
  }

  private WriteResult notRemoved(String why) {
    String message = "could not remove the entries of workloads no longer configured from "
        + configMap() + ": " + why;
    int n = pruneFailures.next();
    InARow.log(LOG, n, "mode store{}: {}", InARow.ofCount(n), message);
    return new WriteResult(false, message);
  }

  private static String annotation(V1ConfigMap cm) {
    Map<String, String> a = cm.getMetadata() == null ? null : cm.getMetadata().getAnnotations();
    return a == null ? null : a.get(OWNER_ANNOTATION);
  }

  /** The owner {@code cm} names when it is not this store's, else null. */
  private String foreignOwner(V1ConfigMap cm) {
    String named = annotation(cm);
    return owner != null && named != null && !named.equals(owner) ? named : null;
  }

  /** One JSON merge patch of {@code data}, guarded by the resourceVersion of {@code read}. */
  private ApiCalls.Result<V1ConfigMap> mergePatch(V1ConfigMap read, JsonObject data) {
    String rv = read.getMetadata() == null ? null : read.getMetadata().getResourceVersion();
    JsonObject md = new JsonObject();
    md.addProperty("resourceVersion", rv);
    JsonObject patch = new JsonObject();
    patch.add("metadata", md);
    patch.add("data", data);
    String body = patch.toString();
    return calls.write("PATCH configmaps " + configMap(),
        () -> PatchUtils.patch(V1ConfigMap.class,
            () -> api.patchNamespacedConfigMap(name, namespace, new V1Patch(body)).buildCall(null),
            V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
  }

  private WriteResult stored(WorkloadRef workload, String message) {
    LOG.debug("mode store: {}", message);
    InARow failures = writeFailures.remove(workload);
    int failed = failures == null ? 0 : failures.end();
    if (failed > 0) {
      LOG.info("{}: mode store {}: stored again, after {} failed write{} in a row", workload,
          configMap(), failed, failed == 1 ? "" : "s");
    }
    return new WriteResult(true, message);
  }

  /** Logs a failed write of {@code workload}'s entry: the first in a row and every 20th. */
  private WriteResult failed(WorkloadRef workload, String message) {
    int n = writeFailures.computeIfAbsent(workload, w -> new InARow()).next();
    InARow.log(LOG, n, "{}: mode store {}{}: {}", workload, configMap(), InARow.ofCount(n),
        message);
    return new WriteResult(false, message);
  }

  /** Why a write failed, and whether it may have been applied all the same. */
  private String notStored(ApiCalls.Result<?> r) {
    return describe(r) + (r.attempts() > 1 ? " (after " + r.attempts() + " tries)" : "")
        + (r.uncertain() ? "; a try timed out or met a server error, so the mode may have been "
            + "stored: read the ConfigMap to know" : "; mode not stored");
  }

  private String describe(ApiCalls.Result<?> r) {
    return ApiCalls.describe(r.error().orElseThrow(), "configmaps " + configMap());
  }

  /** Builds a {@link ModeStore}; also takes the clock, sleeper and retry of every API caller. */
  public static final class Builder extends ApiCallerBuilder<Builder> {
    private final String namespace;
    private String name = DEFAULT_NAME;
    private String owner;
    private BooleanSupplier writesWhen;

    private Builder(ApiClient client, String namespace) {
      super(client);
      Objects.requireNonNull(namespace, "namespace");
      if (!KubernetesNames.isLabel(namespace)) {
        throw new IllegalArgumentException("namespace must be a DNS-1123 label, but was \""
            + namespace + "\"");
      }
      this.namespace = namespace;
    }

    /**
     * The ConfigMap's name, a DNS-1123 subdomain; default {@value ModeStore#DEFAULT_NAME}.
     *
     * @throws IllegalArgumentException when not a DNS-1123 subdomain
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (!KubernetesNames.isSubdomain(name)) {
        throw new IllegalArgumentException("name must be a DNS-1123 subdomain, but was \"" + name
            + "\"");
      }
      this.name = name;
      return this;
    }

    /**
     * The deployment this store belongs to, e.g. its Lease's name; default none. With an owner,
     * a ConfigMap the store creates is annotated {@value ModeStore#OWNER_ANNOTATION} with it; the
     * store writes nothing into a ConfigMap annotated with another owner, and {@link
     * #retainOnly} removes entries only from a ConfigMap annotated with this one (not from one
     * another deployment may share), so two deployments given the same ConfigMap cannot delete
     * each other's modes.
     *
     * @throws IllegalArgumentException when blank
     */
    public Builder owner(String owner) {
      Objects.requireNonNull(owner, "owner");
      if (owner.isBlank()) {
        throw new IllegalArgumentException("owner must not be blank, but was \"" + owner + "\"");
      }
      this.owner = owner;
      return this;
    }

    /**
     * Whether this replica may write into the store now, e.g. {@code elector::isLeader}; default
     * always. Asked before each create and patch of {@link #write} and {@link #retainOnly}, the
     * ones after a conflict and every retry included, so that a write that outlived the
     * leadership it started under does not overwrite the next leader's entries: it is not
     * stored, and the result says why.
     */
    public Builder writesWhen(BooleanSupplier writesWhen) {
      this.writesWhen = Objects.requireNonNull(writesWhen, "writesWhen");
      return this;
    }

    /** Builds the store. */
    public ModeStore build() {
      return new ModeStore(this);
    }
  }
}
