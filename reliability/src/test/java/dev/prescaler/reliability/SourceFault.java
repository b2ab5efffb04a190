package dev.prescaler.reliability;

/** What a {@link ScriptedSource} does wrong for one workload, and the hold reason it must cause. */
enum SourceFault {
  /** A fresh, valid sample. */
  NONE(null),
  /** The read throws. */
  THROWS("metric source failed"),
  /** The read returns null. */
  NULL_OBSERVATION("metric source returned no observation"),
  /** The source tries to report NaN: {@code MetricReading.of} rejects it, so the read throws. */
  NAN("must be finite, but was NaN"),
  /** The source tries to report +Infinity: rejected like NaN. */
  POSITIVE_INFINITY("must be finite, but was Infinity"),
  /** The source tries to report -Infinity: rejected like NaN. */
  NEGATIVE_INFINITY("must be finite, but was -Infinity"),
  /** A negative value. */
  NEGATIVE("invalid negative value"),
  /** A sample older than the engine's maxMetricAge. */
  STALE("stale: measured at"),
  /** A sample older than the previous one. */
  OUT_OF_ORDER("out of order"),
  /** The previous sample again. */
  DUPLICATE("no new sample since"),
  /** A sample from the future. */
  FUTURE("is in the future"),
  /** The source says the metric is unavailable (the metric vanished). */
  UNAVAILABLE("unavailable: vanished"),
  /** The metric is absent from the observation. */
  ABSENT("not reported by the metric source"),
  /** The observation has no replica counts, and the executor does not know them either. */
  NO_REPLICAS("replica count unknown");

  private final String holdReason;

  SourceFault(String holdReason) {
    this.holdReason = holdReason;
  }

  /** A fragment of the hold reason the engine must record, or null when the data is good. */
  String holdReason() {
    return holdReason;
  }

  /** Whether the engine must hold the workload. */
  boolean holds() {
    return holdReason != null;
  }
}
