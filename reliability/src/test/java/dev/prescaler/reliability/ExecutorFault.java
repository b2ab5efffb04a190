package dev.prescaler.reliability;

import dev.prescaler.core.journal.DecisionRecord.Action;

/**
 * How a {@link ScriptedExecutor} answers, modelled on what the Kubernetes API returns for a patch
 * of the {@code scale} subresource, and the journal action the engine must record.
 */
enum ExecutorFault {
  /** 200: the count is changed. */
  NONE(Action.APPLIED),
  /** 404: the workload is gone; nothing changed. */
  NOT_FOUND(Action.FAILED),
  /** 409: someone changed the object meanwhile; refused, nothing changed. */
  CONFLICT(Action.REFUSED),
  /** 422: the API rejected the patch as invalid; refused, nothing changed. */
  UNPROCESSABLE(Action.REFUSED),
  /** 429: throttled; nothing changed. */
  TOO_MANY_REQUESTS(Action.FAILED),
  /** 500: server error; nothing changed. */
  SERVER_ERROR(Action.FAILED),
  /** The executor throws instead of returning an outcome. */
  THROWS(Action.FAILED),
  /** The executor returns null. */
  NULL_OUTCOME(Action.FAILED);

  private final Action action;

  ExecutorFault(Action action) {
    this.action = action;
  }

  /** The action the journal must show for a call answered this way. */
  Action action() {
    return action;
  }
}
