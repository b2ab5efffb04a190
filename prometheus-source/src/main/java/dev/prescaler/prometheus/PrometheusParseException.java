package dev.prescaler.prometheus;

/**
 * A response body that is not a well-formed Prometheus API answer: not JSON, a missing or
 * mistyped field, a timestamp out of range. The message says what was wrong and where.
 */
public final class PrometheusParseException extends PrometheusException {
  private static final long serialVersionUID = 1L;
  private final String detail;

  /** A malformed response, described by {@code detail}. */
  public PrometheusParseException(String detail) {
    super("malformed Prometheus response: " + detail);
    this.detail = detail;
  }

  /** A malformed response, described by {@code detail}, caused by {@code cause}. */
  public PrometheusParseException(String detail, Throwable cause) {
    super("malformed Prometheus response: " + detail, cause);
    this.detail = detail;
  }

  /** What was wrong, without the "malformed Prometheus response" prefix. */
  public String detail() {
    return detail;
  }
}
