package dev.prescaler.core;

import java.util.Objects;

/** What became of a {@link ScaleRequest}: applied, refused before any change, or failed. */
public sealed interface ScaleOutcome
    permits ScaleOutcome.Applied, ScaleOutcome.Refused, ScaleOutcome.Failed {

  /** The three kinds of outcome. */
  enum Status {
    /** The change was made. */
    APPLIED,
    /**
     * The change was refused on purpose (conflict, policy); nothing was changed, or (a server
     * that rewrote the request, such as a mutating admission webhook that moved the count the
     * other way) not the change decided, which the message then says.
     */
    REFUSED,
    /**
     * The change failed (I/O, server error); nothing was changed, unless the message says the
     * change may have been applied (a try timed out or met a server error): re-read next tick.
     */
    FAILED
  }

  /** The kind of outcome. */
  Status status();

  /** What happened, with the status, the resource and the server's message where relevant. */
  String message();

  /** Whether the change was made. */
  default boolean isApplied() {
    return status() == Status.APPLIED;
  }

  /**
   * Whether this is a failure that may all the same have changed the count: {@link
   * Status#FAILED} with a message that says the change "may have been applied", as the engine's
   * timed-out calls and the Kubernetes executors' timed-out tries do.
   */
  default boolean mayHaveBeenApplied() {
    return status() == Status.FAILED && message().contains("may have been applied");
  }

  /**
   * The count was set to {@code replicas}, which should be the request's {@link ScaleRequest#to()}
   * (the engine counts that one, and notes in the record when the two differ). In {@link
   * Mode#ACT}, a count short of the ask on the way from the request's {@link ScaleRequest#from()}
   * (4 of a 3 -> 6, from a server that stored less) is counted as the change made: the record's
   * desired count is {@code replicas}, after an {@code executor} reason. In {@link
   * Mode#HPA_FLOOR} it is the floor written, which may be lower than asked when the HPA's own
   * {@code maxReplicas} holds it down: the engine then sends the floor again on the next tick,
   * so that a {@code maxReplicas} raised later lifts it.
   *
   * @throws IllegalArgumentException when {@code replicas} is negative
   */
  static ScaleOutcome applied(int replicas, String message) {
    return new Applied(replicas, message);
  }

  /**
   * Whether {@code applied} is a count on the way from {@code from} to {@code to} that stopped
   * short of it (4 of a 3 -> 6): what a server that stored less than asked leaves, and what the
   * engine counts as the change made in {@link Mode#ACT} (see {@link #applied}).
   */
  static boolean shortOfTheAsk(int from, int to, int applied) {
    return to > from ? applied > from && applied < to : applied < from && applied > to;
  }

  /** Nothing was changed, on purpose. */
  static ScaleOutcome refused(String reason) {
    return new Refused(reason);
  }

  /** Nothing was changed because of an error. */
  static ScaleOutcome failed(String reason) {
    return new Failed(reason);
  }

  /** The change was made. */
  record Applied(int replicas, String message) implements ScaleOutcome {
    /** Validates. */
    public Applied {
      if (replicas < 0) {
        throw new IllegalArgumentException("replicas must be >= 0, but was " + replicas);
      }
      Objects.requireNonNull(message, "message");
    }

    @Override
    public Status status() {
      return Status.APPLIED;
    }
  }

  /** Refused; nothing changed. */
  record Refused(String message) implements ScaleOutcome {
    /** Validates. */
    public Refused {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public Status status() {
      return Status.REFUSED;
    }
  }

  /** Failed; nothing changed. */
  record Failed(String message) implements ScaleOutcome {
    /** Validates. */
    public Failed {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public Status status() {
      return Status.FAILED;
    }
  }
}
