package dev.prescaler.k8s;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The leadership check of the write running on this thread. A caller that may write only while
 * this replica leads ({@link LeaderGatedExecutor}, a {@link ModeStore} built with {@code
 * writesWhen}) runs its work {@link #during} its check, and {@link ApiCalls#write} asks it ({@link
 * #beforeWrite}) before each try of a write: a call that outlived the leadership it started under
 * (a list held in a slow API server, retries, a read again after a 409) sends no write once this
 * replica no longer leads.
 */
final class LeaderFence {
  /* A ThreadLocal, not a parameter, so that the check reaches the requests through any code in
   * between that calls on the same thread (ModeRoutingExecutor, a user's decorator of an
   * executor). Code that hands the work to another thread gets no check there. Checks nest: the
   * innermost one installed is asked, and each restores the one it found. */
  private static final ThreadLocal<Check> CURRENT = new ThreadLocal<>();

  private LeaderFence() {}

  /** Whether this replica may still write: empty when it may, else why not. */
  @FunctionalInterface
  interface Check {
    Optional<String> whyNot();
  }

  /** Runs {@code body} with {@code check} asked before each of its writes on this thread. */
  static <T> T during(Check check, Supplier<T> body) {
    Check outer = CURRENT.get();
    CURRENT.set(check);
    try {
      return body.get();
    } finally {
      CURRENT.set(outer);
    }
  }

  /**
   * Passes when no check runs on this thread or when it lets the write through.
   *
   * @param what the request, for the message ({@code PATCH horizontalpodautoscalers...})
   * @param uncertain whether an earlier try of this write may have been applied
   * @throws LeadershipLostException when the replica no longer leads: the write is not sent
   */
  static void beforeWrite(String what, boolean uncertain) {
    Check c = CURRENT.get();
    Optional<String> why = c == null ? Optional.empty() : c.whyNot();
    if (why.isPresent()) {
      throw new LeadershipLostException(why.get() + "; " + what + " not sent"
          + (uncertain ? " again, but an earlier try timed out or met a server error, so the "
              + "change may have been applied" : ", nothing changed"), uncertain);
    }
  }

  /** A write not sent because this replica no longer leads. */
  static final class LeadershipLostException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final boolean mayHaveApplied;

    LeadershipLostException(String message, boolean mayHaveApplied) {
      super(message);
      this.mayHaveApplied = mayHaveApplied;
    }

    /** Whether an earlier try of the write not sent timed out or met a server error. */
    boolean mayHaveApplied() {
      return mayHaveApplied;
    }
  }
}
