package dev.prescaler.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One pod as the HPA's replica calculator sees it: its phase, readiness, start time and the metric
 * sample the metrics API returned for it (if any). Values are milli-units, as in the controller:
 * for CPU, millicores of usage and of request.
 *
 * <p>A request is absent or a number: absent when a container of the pod has no request for the
 * resource (the controller's {@code calculatePodRequests} then fails the metric), else the sum of
 * the containers' requests, which may be 0 (an explicit {@code cpu: 0} adds 0 to the sums).
 *
 * @param name the pod name, unique within one calculation
 * @param phase the pod phase
 * @param deleting whether the pod has a deletion timestamp
 * @param ready the status of the pod's Ready condition; empty when the pod has no such condition
 * @param readyTransition when the Ready condition last changed; empty with {@code ready}
 * @param startTime when the pod started; empty when not yet known
 * @param usageMilli the metric sample in milli-units; empty when the pod has no sample (missing)
 * @param sampleTime when the sample was taken (end of its window)
 * @param sampleWindow the window the sample averages over
 * @param requestMilli the pod's request of the resource, in milli-units, &ge; 0; empty when a
 *     container has no request for it
 */
public record PodSample(String name, Phase phase, boolean deleting, Optional<Boolean> ready,
    Optional<Instant> readyTransition, Optional<Instant> startTime, OptionalLong usageMilli,
    Instant sampleTime, Duration sampleWindow, OptionalLong requestMilli) {

  /** A pod's lifecycle phase (the subset the controller distinguishes). */
  public enum Phase {
    /** Accepted, containers not all running yet. */
    PENDING,
    /** Bound and running. */
    RUNNING,
    /** All containers terminated successfully. */
    SUCCEEDED,
    /** At least one container failed. */
    FAILED
  }

  /** Validates the fields. */
  public PodSample {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(ready, "ready");
    Objects.requireNonNull(readyTransition, "readyTransition");
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(usageMilli, "usageMilli");
    Objects.requireNonNull(sampleTime, "sampleTime");
    Objects.requireNonNull(sampleWindow, "sampleWindow");
    Objects.requireNonNull(requestMilli, "requestMilli");
    if (ready.isPresent() != readyTransition.isPresent()) {
      throw new IllegalArgumentException("readyTransition must be present exactly when ready is, "
          + "but was " + readyTransition + " with ready " + ready);
    }
    if (requestMilli.isPresent() && requestMilli.getAsLong() < 0) {
      throw new IllegalArgumentException(
          "requestMilli of pod " + name + " must be >= 0, but was " + requestMilli.getAsLong());
    }
    if (usageMilli.isPresent() && usageMilli.getAsLong() < 0) {
      throw new IllegalArgumentException(
          "usageMilli of pod " + name + " must be >= 0, but was " + usageMilli.getAsLong());
    }
  }

  /**
   * A pod that requests {@code requestMilli} (&ge; 0, 0 included) of the resource.
   *
   * @throws IllegalArgumentException when a value is out of range
   */
  public PodSample(String name, Phase phase, boolean deleting, Optional<Boolean> ready,
      Optional<Instant> readyTransition, Optional<Instant> startTime, OptionalLong usageMilli,
      Instant sampleTime, Duration sampleWindow, long requestMilli) {
    this(name, phase, deleting, ready, readyTransition, startTime, usageMilli, sampleTime,
        sampleWindow, OptionalLong.of(requestMilli));
  }

  /**
   * A running pod that has long been ready, with a sample of {@code usageMilli} taken at {@code
   * sampleTime} over a 30 s window.
   */
  public static PodSample running(String name, long usageMilli, long requestMilli,
      Instant startTime, Instant sampleTime) {
    return new PodSample(name, Phase.RUNNING, false, Optional.of(true), Optional.of(startTime),
        Optional.of(startTime), OptionalLong.of(usageMilli), sampleTime, Duration.ofSeconds(30),
        requestMilli);
  }

  /** The same pod with no metric sample. */
  public PodSample withoutSample() {
    return new PodSample(name, phase, deleting, ready, readyTransition, startTime,
        OptionalLong.empty(), sampleTime, sampleWindow, requestMilli);
  }

  /** The same pod with a container that has no request for the resource. */
  public PodSample withoutRequest() {
    return new PodSample(name, phase, deleting, ready, readyTransition, startTime, usageMilli,
        sampleTime, sampleWindow, OptionalLong.empty());
  }

  /** The same pod with its Ready condition set to {@code status}, changed at {@code at}. */
  public PodSample withReady(boolean status, Instant at) {
    return new PodSample(name, phase, deleting, Optional.of(status), Optional.of(at), startTime,
        usageMilli, sampleTime, sampleWindow, requestMilli);
  }

  /** The same pod in another phase. */
  public PodSample withPhase(Phase newPhase) {
    return new PodSample(name, newPhase, deleting, ready, readyTransition, startTime, usageMilli,
        sampleTime, sampleWindow, requestMilli);
  }

  /** The same pod, being deleted. */
  public PodSample deleted() {
    return new PodSample(name, phase, true, ready, readyTransition, startTime, usageMilli,
        sampleTime, sampleWindow, requestMilli);
  }

  /** The same pod with another start time. */
  public PodSample startedAt(Instant start) {
    return new PodSample(name, phase, deleting, ready, readyTransition, Optional.of(start),
        usageMilli, sampleTime, sampleWindow, requestMilli);
  }
}
