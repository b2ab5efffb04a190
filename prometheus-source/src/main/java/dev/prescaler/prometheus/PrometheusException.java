package dev.prescaler.prometheus;

/**
 * A Prometheus request that failed: transport error, timeout, error status or a response that
 * could not be parsed. {@link PrometheusMetricSource#read} turns it into an unavailable reading;
 * {@link PrometheusMetricSource#history} throws it (the engine then starts without history).
 */
public class PrometheusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public PrometheusException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public PrometheusException(String message, Throwable cause) {
    super(message, cause);
  }
}
