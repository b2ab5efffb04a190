package dev.prescaler.prometheus;

/**
 * Prometheus answered with an error: an HTTP status outside 2xx, or {@code "status":"error"}.
 * Carries Prometheus's own {@code errorType} (e.g. {@code bad_data}, {@code execution},
 * {@code timeout}) and {@code error} text, or the start of the body when it was not Prometheus's
 * JSON (a proxy's HTML page, for example).
 */
public final class PrometheusApiException extends PrometheusException {
  private static final long serialVersionUID = 1L;
  private final int statusCode;
  private final String errorType;
  private final String error;

  /**
   * An error answer.
   *
   * @param statusCode the HTTP status
   * @param errorType Prometheus's {@code errorType}; empty when absent
   * @param error Prometheus's {@code error}, or the start of a non-JSON body
   * @param query what was asked, for the message, which quotes it on one printable line ({@link
   *     PromQl#shown})
   */
  public PrometheusApiException(int statusCode, String errorType, String error, String query) {
    super("Prometheus answered HTTP " + statusCode
        + (errorType.isEmpty() ? "" : " " + errorType) + ": " + error + " (query: "
        + PromQl.shown(query) + ")");
    this.statusCode = statusCode;
    this.errorType = errorType;
    this.error = error;
  }

  /** The HTTP status. */
  public int statusCode() {
    return statusCode;
  }

  /** Prometheus's {@code errorType}, e.g. {@code bad_data}; empty when the body had none. */
  public String errorType() {
    return errorType;
  }

  /** Prometheus's {@code error} text, or the start of a non-JSON body. */
  public String error() {
    return error;
  }

  /** Whether the status is 5xx, which the transport retries. */
  public boolean isServerError() {
    return statusCode >= 500 && statusCode <= 599;
  }
}
