package dev.prescaler.prometheus;

import dev.prescaler.core.cli.Printable;

/**
 * A Prometheus request that failed: transport error, timeout, error status or a response that
 * could not be parsed. {@link PrometheusMetricSource#read} turns it into an unavailable reading;
 * {@link PrometheusMetricSource#history} throws it (the engine then starts without history).
 *
 * <p>The message is one printable line, whatever it quotes (the query, label values and text
 * the server sent): every character a terminal would not print as itself, a newline or an ESC
 * included, is escaped as {@link Printable#escape} escapes it ({@code \x0a}, {@code \x1b}). It
 * reaches logs, the journal (as an unavailable reading's reason) and {@code prescaler export}'s
 * one-line errors.
 */
public class PrometheusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public PrometheusException(String message) {
    super(Printable.escape(String.valueOf(message)));
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public PrometheusException(String message, Throwable cause) {
    super(Printable.escape(String.valueOf(message)), cause);
  }
}
