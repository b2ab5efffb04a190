package dev.prescaler.core;

/** How the engine acts on a workload's decisions. */
public enum Mode {
  /** Decide and record, change nothing. The safe default for anything new. */
  OBSERVE_ONLY,
  /** Apply decisions directly, e.g. by patching the workload's {@code scale} subresource. */
  ACT,
  /** Keep the native HPA as a safety net and steer it (its {@code minReplicas}, its behavior). */
  HPA_FLOOR
}
