package dev.prescaler.core;

import java.util.Optional;

/** How the engine acts on a workload's decisions. */
public enum Mode {
  /** Decide and record, change nothing. The safe default for anything new. */
  OBSERVE_ONLY("observe-only"),
  /** Apply decisions directly, e.g. by patching the workload's {@code scale} subresource. */
  ACT("act"),
  /** Keep the native HPA as a safety net and steer it (its {@code minReplicas}, its behavior). */
  HPA_FLOOR("hpa-floor");

  private final String text;

  Mode(String text) {
    this.text = text;
  }

  /**
   * The mode as configurations, stored modes and metric labels spell it: {@code observe-only},
   * {@code act} or {@code hpa-floor}.
   */
  public String text() {
    return text;
  }

  /** The mode {@code text} spells as {@link #text()} does; empty for any other text. */
  public static Optional<Mode> ofText(String text) {
    for (Mode m : values()) {
      if (m.text.equals(text)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
