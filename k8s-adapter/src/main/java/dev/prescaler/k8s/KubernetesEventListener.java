package dev.prescaler.k8s;

import dev.prescaler.core.EngineListener;
import dev.prescaler.core.InARow;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.ScaleOutcome;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.event.ScaledEvent;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.EventsV1Api;
import io.kubernetes.client.openapi.models.EventsV1Event;
import io.kubernetes.client.openapi.models.EventsV1EventSeries;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.util.PatchUtils;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EngineListener} that records an {@code events.k8s.io/v1} Event on the workload for
 * every executor call: each scale action (reason {@code ScaledUp}, {@code ScaledDown} or {@code
 * HpaFloorSet}, type Normal) and each refusal or failure ({@code ScaleRefused}, {@code
 * ScaleFailed}, type Warning). The note holds the counts, the outcome's message and the decision's
 * reasons, cut to 1024 bytes of UTF-8 as the API requires (the API server measures the note in
 * bytes, so a reason with "×" or another character outside ASCII counts more than once).
 *
 * <p>An event that repeats one within {@link Builder#seriesWindow} is not created again: the
 * existing Event's {@code series} (count, lastObservedTime) is patched, as Kubernetes' own event
 * recorders do. A repeat is the same workload, reason and type, and the same outcome with its
 * figures left out ({@link #repetitionOf}): the note's counts, the decision's reasons and the
 * figures in the outcome's message (a count read, a resourceVersion, a time) change from tick to
 * tick while the same refusal repeats, as client-go's event aggregator groups events by object,
 * type and reason whatever their message. The Event keeps the note of the first occurrence: the
 * API server refuses a change of an {@code events.k8s.io/v1} Event's note ("field is
 * immutable").
 *
 * <p>Errors never reach the engine. They are counted in a row per namespace, not per workload:
 * the causes that last (a Role without {@code events.k8s.io}, an events quota, an API server
 * down) fail the posts of every workload of a namespace alike, and a failed create keeps no
 * series, so each tick's repeat posts, and fails, again; but a RoleBinding or an events quota is
 * the namespace's own, so posts may fail in one namespace while they succeed in another. The
 * first failed post in a row in a namespace is logged at WARN, then the first failed post of
 * every 20th tick with failures in that namespace (a tick being the distinct time of the
 * engine's events), with the count of failed posts, at DEBUG in between, and at INFO once a post
 * in that namespace succeeds again: one cause for 20 workloads at 15 s a tick is 13 WARN lines an
 * hour, not 4,800. A namespace's count is removed when a post there succeeds; one whose posts
 * only ever fail keeps one (two counts and a time) until no post there has failed for {@link
 * #FORGET_FAILURES_AFTER} of event time, when it is dropped at the next failed post anywhere (a
 * later failure there starts a new run, with a WARN), so the counts held are at most one per
 * namespace with a failed post in the last three hours. Thread-safe.
 */
public final class KubernetesEventListener implements EngineListener {
  /** Default reporting controller: {@code prescaler.dev/prescaler}. */
  public static final String DEFAULT_CONTROLLER = "prescaler.dev/prescaler";
  /** Default window within which a repeated event becomes a series: 6 minutes. */
  public static final Duration DEFAULT_SERIES_WINDOW = Duration.ofMinutes(6);
  /**
   * Longest note the API accepts, in bytes of UTF-8: the API server refuses a longer one (422),
   * counting bytes, not characters.
   */
  public static final int MAX_NOTE = 1024;
  /**
   * How long after its last failed post a namespace's count of failed posts is dropped, when no
   * post there succeeded meanwhile: 3 hours of event time, three of the engine's longest sync
   * period, so that a count lasts from one tick to the next at every sync period (an hour would
   * drop it between any two ticks an hour apart, and warn on each).
   */
  public static final Duration FORGET_FAILURES_AFTER = Duration.ofHours(3);

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventListener.class);
  private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,126}"
      + "[A-Za-z0-9])?");
  private static final DateTimeFormatter MICRO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /**
   * Checks an instance name as {@link #builder} does, so that a configuration can be validated
   * before a client exists.
   *
   * @throws IllegalArgumentException naming the value when it is not 1 to 128 letters, digits,
   *     '-', '_' or '.', starting and ending alphanumeric
   */
  public static void checkInstance(String instance) {
    Objects.requireNonNull(instance, "instance");
    if (!INSTANCE.matcher(instance).matches()) {
      throw new IllegalArgumentException("instance must be 1 to 128 letters, digits, '-', '_' "
          + "or '.', starting and ending alphanumeric, but was \"" + instance + "\"");
    }
  }

  /** What identifies a repeated event: a series is kept per key. */
  private record Key(WorkloadRef workload, String reason, String type, String repetition) {}

  /** A figure in a message: a number, not the status after "HTTP " (403 is not 404). */
  private static final Pattern FIGURE = Pattern.compile("(?<![\\d.])(?<!HTTP )\\d+(\\.\\d+)?");

  private record Series(String name, Instant first, Instant last, int count) {}

  private final ApiClient client;
  private final EventsV1Api api;
  private final ApiCalls calls;
  private final String controller;
  private final String instance;
  private final Duration seriesWindow;
  private final Map<String, ScalableResource> resources;
  private final Map<Key, Series> series = new HashMap<>();
  private final BooleanSupplier enabled;
  /** The last event name's nanoseconds: two events at one instant get distinct names. */
  private final AtomicLong lastNanos = new AtomicLong(Long.MIN_VALUE);
  /** Per namespace, the posts failed in a row there; guarded by itself. */
  private final Map<String, FailedPosts> failedPosts = new HashMap<>();

  /**
   * A namespace's run of failed posts (creates and series patches): their count, the count of
   * distinct event times among them (ticks) and the event time of the last.
   */
  private record FailedPosts(int posts, int ticks, Instant last) {
    FailedPosts next(Instant time) {
      boolean newTick = !time.equals(last);
      return new FailedPosts(saturated(posts), newTick ? saturated(ticks) : ticks, time);
    }

    private static int saturated(int n) {
      return n == Integer.MAX_VALUE ? n : n + 1;
    }
  }

  private KubernetesEventListener(Builder b) {
    this.client = b.client;
    this.api = new EventsV1Api(b.client);
    // One try each (RetryPolicy.NONE): it never waits, so the ticker only starts a budget of 0.
    this.calls = new ApiCalls(b.clock, System::nanoTime, Sleeper.untilTicker(System::nanoTime),
        RetryPolicy.NONE);
    this.controller = b.controller;
    this.instance = b.instance;
    this.seriesWindow = b.seriesWindow;
    this.resources = Map.copyOf(b.resources);
    this.enabled = b.enabled;
  }

  /**
   * A builder over an API client.
   *
   * @param instance the reporting instance, e.g. the pod name of this engine replica
   */
  public static Builder builder(ApiClient client, String instance) {
    return new Builder(client, instance);
  }

  /**
   * The Event's reason for an executor outcome: ScaledUp, ScaledDown, HpaFloorSet, ScaleRefused
   * or ScaleFailed.
   */
  static String reasonOf(ScaledEvent e) {
    ScaleOutcome o = e.outcome();
    switch (o.status()) {
      case REFUSED:
        return "ScaleRefused";
      case FAILED:
        return "ScaleFailed";
      default:
        if (e.mode() == Mode.HPA_FLOOR) {
          return "HpaFloorSet";
        }
        return e.to() >= e.from() ? "ScaledUp" : "ScaledDown";
    }
  }

  /**
   * The Event's note: counts, outcome and reasons, at most {@value #MAX_NOTE} bytes of UTF-8 (see
   * {@link #cutNote}).
   */
  static String noteOf(ScaledEvent e) {
    StringBuilder b = new StringBuilder();
    b.append(e.mode()).append(' ').append(e.from()).append(" -> ").append(e.to()).append(": ")
        .append(e.outcome().message());
    if (!e.reasons().isEmpty()) {
      b.append(". Reasons: ");
      for (int i = 0; i < e.reasons().size(); i++) {
        Reason r = e.reasons().get(i);
        b.append(i == 0 ? "" : "; ").append(r);
      }
    }
    return cutNote(b.toString());
  }

  /**
   * What stays the same when the event repeats: for an action applied, the mode, the counts and
   * the outcome's message; for a refusal or a failure, the mode and the outcome's message (the
   * counts follow the load: the same refusal of 3 -> 6 and of 3 -> 7 is one series). In the
   * message every figure but an HTTP status reads {@code #}. The decision's reasons, with their
   * live figures, are left out.
   */
  static String repetitionOf(ScaledEvent e) {
    String message = FIGURE.matcher(e.outcome().message()).replaceAll("#");
    return e.outcome().isApplied()
        ? e.mode() + " " + e.from() + " -> " + e.to() + ": " + message
        : e.mode() + ": " + message;
  }

  /**
   * {@code note} when its UTF-8 encoding takes at most {@value #MAX_NOTE} bytes; otherwise its
   * longest prefix that fits with "..." after it, cut between code points (a character outside
   * the BMP, a surrogate pair, is kept or dropped whole).
   */
  static String cutNote(String note) {
    if (utf8Length(note) <= MAX_NOTE) {
      return note;
    }
    int budget = MAX_NOTE - 3;
    int bytes = 0;
    int end = 0;
    while (end < note.length()) {
      int cp = note.codePointAt(end);
      int size = utf8Bytes(cp);
      if (bytes + size > budget) {
        break;
      }
      bytes += size;
      end += Character.charCount(cp);
    }
    return note.substring(0, end) + "...";
  }

  /** The length of {@code s} in UTF-8. */
  private static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      bytes += utf8Bytes(cp);
      i += Character.charCount(cp);
    }
    return bytes;
  }

  /**
   * The bytes of one code point in UTF-8; a lone surrogate counts 3, no less than an encoder
   * writes in its place.
   */
  private static int utf8Bytes(int cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }

  @Override
  public void onScaled(ScaledEvent event) {
    if (!enabled.getAsBoolean()) {
      return;
    }
    WorkloadRef ref = event.workload();
    String reason = reasonOf(event);
    String type = event.outcome().isApplied() ? "Normal" : "Warning";
    Instant now = event.time();
    Key key = new Key(ref, reason, type, repetitionOf(event));
    Series previous;
    synchronized (series) {
      if (seriesWindow.isZero()) {
        series.clear();
      }
      series.values().removeIf(s -> s.last().plus(seriesWindow).isBefore(now));
      previous = series.get(key);
    }
    if (previous != null) {
      patchSeries(ref, key, previous, now);
    } else {
      create(ref, key, event.mode() == Mode.HPA_FLOOR ? "SetHpaFloor" : "Scale", noteOf(event),
          now);
    }
  }

  /**
   * Records a promotion out of observe-only ({@code Promoted}, Normal) or a demotion back to it
   * ({@code Demoted}, Warning), with the gate figures or the cause in the note.
   */
  @Override
  public void onModeChanged(ModeChangedEvent event) {
    if (!enabled.getAsBoolean()) {
      return;
    }
    boolean demoted = event.to() == Mode.OBSERVE_ONLY;
    String note = cutNote(event.from() + " -> " + event.to() + ": " + event.reason());
    String type = demoted ? "Warning" : "Normal";
    create(event.workload(), new Key(event.workload(), demoted ? "Demoted" : "Promoted", type,
        note), "ChangeMode", note, event.time());
  }

  private void create(WorkloadRef ref, Key key, String action, String note, Instant now) {
    ScalableResource r = resources.get(ref.kind());
    String name = eventName(ref.name(), Instant.EPOCH.plusNanos(
        lastNanos.accumulateAndGet(nanosOf(now), (last, t) -> Math.max(last + 1, t))));
    EventsV1Event ev = new EventsV1Event()
        .apiVersion("events.k8s.io/v1").kind("Event")
        .metadata(new V1ObjectMeta().name(name).namespace(ref.namespace()))
        .eventTime(now.atOffset(ZoneOffset.UTC))
        .reportingController(controller)
        .reportingInstance(instance)
        .action(action)
        .reason(key.reason())
        .type(key.type())
        .note(note)
        .regarding(new V1ObjectReference()
            .apiVersion(r == null ? null : r.apiVersion())
            .kind(ref.kind()).name(ref.name()).namespace(ref.namespace()));
    ApiCalls.Result<EventsV1Event> res =
        calls.run(() -> api.createNamespacedEvent(ref.namespace(), ev).execute());
    if (!res.ok()) {
      failed(now, "{}: could not record event {} in {}{}: {}", ref, key.reason(),
          ApiCalls.describe(res.error().orElseThrow(), "events.events.k8s.io in "
              + ref.namespace()));
      return;
    }
    posted(ref.namespace());
    synchronized (series) {
      series.put(key, new Series(name, now, now, 1));
    }
  }

  private void patchSeries(WorkloadRef ref, Key key, Series s, Instant now) {
    int count = s.count() + 1;
    String body = "{\"series\":{\"count\":" + count + ",\"lastObservedTime\":\""
        + MICRO.format(now) + "\"}}";
    ApiCalls.Result<EventsV1Event> res = calls.run(() -> PatchUtils.patch(EventsV1Event.class,
        () -> api.patchNamespacedEvent(s.name(), ref.namespace(), new V1Patch(body))
            .buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    if (!res.ok()) {
      failed(now, "{}: could not update event series {} in {}{}: {}", ref, s.name(),
          ApiCalls.describe(res.error().orElseThrow(), "events.events.k8s.io " + ref.namespace()
              + "/" + s.name()));
      synchronized (series) {
        series.remove(key);
      }
      return;
    }
    posted(ref.namespace());
    synchronized (series) {
      series.put(key, new Series(s.name(), s.first(), now, count));
    }
  }

  /**
   * Logs a failed post of an event at {@code time}: {@code format} takes the workload, what was
   * posted, its namespace, the count in a row there and the cause. WARN on the first failed post
   * in a row in the workload's namespace and on the first of every 20th tick with failures there,
   * DEBUG otherwise. Drops the counts of namespaces with no failed post for {@link
   * #FORGET_FAILURES_AFTER}.
   */
  private void failed(Instant time, String format, WorkloadRef ref, String what, String why) {
    FailedPosts run;
    boolean warn;
    synchronized (failedPosts) {
      FailedPosts before = failedPosts.get(ref.namespace());
      if (before == null || !time.equals(before.last())) {
        failedPosts.values().removeIf(r -> r.last().plus(FORGET_FAILURES_AFTER).isBefore(time));
        before = failedPosts.get(ref.namespace());
      }
      run = before == null ? new FailedPosts(1, 1, time) : before.next(time);
      failedPosts.put(ref.namespace(), run);
      warn = (before == null || run.ticks() != before.ticks()) && InARow.warns(run.ticks());
    }
    if (warn) {
      LOG.warn(format, ref, what, ref.namespace(), InARow.ofCount(run.posts()), why);
    } else {
      LOG.debug(format, ref, what, ref.namespace(), InARow.ofCount(run.posts()), why);
    }
  }

  /** Ends the run of failed posts in {@code namespace}, if any, at INFO. */
  private void posted(String namespace) {
    FailedPosts run;
    synchronized (failedPosts) {
      run = failedPosts.remove(namespace);
    }
    if (run != null) {
      LOG.info("events recorded again in {}, after {} failed posts in a row", namespace,
          run.posts());
    }
  }

  /** {@code <workload>.<hex nanoseconds since the epoch>}, as Kubernetes' recorders name events. */
  static String eventName(String workload, Instant t) {
    String base = workload.length() > 200 ? workload.substring(0, 200) : workload;
    return base + "." + Long.toHexString(nanosOf(t));
  }

  private static long nanosOf(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** Namespaces with a count of failed posts kept, for tests. */
  int trackedFailures() {
    synchronized (failedPosts) {
      return failedPosts.size();
    }
  }

  /** Series state kept per distinct event, for tests. */
  int trackedSeries() {
    synchronized (series) {
      return series.size();
    }
  }

  /** Builds a {@link KubernetesEventListener}. */
  public static final class Builder {
    private final ApiClient client;
    private final String instance;
    private Clock clock = Clock.systemUTC();
    private String controller = DEFAULT_CONTROLLER;
    private Duration seriesWindow = DEFAULT_SERIES_WINDOW;
    private final Map<String, ScalableResource> resources =
        ScalableResource.builtInsByKind();
    private BooleanSupplier enabled = () -> true;

    private Builder(ApiClient client, String instance) {
      this.client = Objects.requireNonNull(client, "client");
      checkInstance(instance);
      this.instance = instance;
    }

    /**
     * The clock of the API calls; default {@link Clock#systemUTC()}. An Event carries the time of
     * the engine's event, whenever it is posted (e.g. later, from an {@code AsyncListener}).
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The reporting controller, {@code <domain>/<name>}; default {@value #DEFAULT_CONTROLLER}.
     *
     * @throws IllegalArgumentException when not of that form
     */
    public Builder controller(String controller) {
      Objects.requireNonNull(controller, "controller");
      if (!controller.matches("[a-z0-9.-]+/[A-Za-z0-9._-]+") || controller.length() > 128) {
        throw new IllegalArgumentException("controller must look like example.com/name (at most "
            + "128 characters), but was \"" + controller + "\"");
      }
      this.controller = controller;
      return this;
    }

    /**
     * Within how long a repeated identical event updates its series instead of creating a new
     * Event, in [0, 1 h] (0 never makes a series); default 6 minutes.
     *
     * @throws IllegalArgumentException when out of range
     */
    public Builder seriesWindow(Duration window) {
      Objects.requireNonNull(window, "seriesWindow");
      if (window.isNegative() || window.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("seriesWindow must be in [PT0S, PT1H], but was "
            + window);
      }
      this.seriesWindow = window;
      return this;
    }

    /**
     * Records events only while {@code condition} holds, e.g. {@code elector::isLeader} so that
     * standby replicas (whose executor refuses every request) do not flood the cluster with
     * "not the leader" warnings; default always.
     */
    public Builder enabledWhen(BooleanSupplier condition) {
      this.enabled = Objects.requireNonNull(condition, "enabledWhen");
      return this;
    }

    /** Registers the API version of another scalable kind (for the event's {@code regarding}). */
    public Builder resource(ScalableResource resource) {
      Objects.requireNonNull(resource, "resource");
      resources.put(resource.kind(), resource);
      return this;
    }

    /** Builds the listener. */
    public KubernetesEventListener build() {
      return new KubernetesEventListener(this);
    }
  }
}
