package dev.prescaler.prometheus;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the source: form-encoded POSTs to {@code api/v1/query} and {@code
 * api/v1/query_range} with authentication, a timeout per attempt, and retries with capped
 * exponential backoff on 5xx answers and connection errors.
 *
 * <p>Nothing here sleeps: the wait before a retry is a delayed executor ({@link
 * CompletableFuture#delayedExecutor}) chaining the next attempt, and tests replace it. A request
 * that timed out is not retried, so a slow server costs one timeout per read, not several; nor is
 * a 5xx whose {@code errorType} is {@code timeout} or {@code canceled}, where the server gave up
 * on the query itself and would again, at the moment it is loaded most. The
 * timeout covers the whole exchange, body included: when it fires, the exchange is cancelled and
 * its connection closed. A body is read up to {@code maxResponseBytes}, on the wire and again once
 * decompressed: past it the read stops (the exchange cancelled, its connection closed, the rest
 * never buffered) and the request fails without a retry. Thread-safe.
 */
final class PrometheusHttp {
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusHttp.class);

  /** How a retry waits: an executor that runs its task after the given delay. */
  static final Function<Duration, Executor> REAL_DELAYS = d -> d.isZero()
      ? Runnable::run : CompletableFuture.delayedExecutor(d.toNanos(), TimeUnit.NANOSECONDS);

  /** The {@code errorType}s of a query the server stopped evaluating: not retried. */
  private static final Set<String> GAVE_UP = Set.of("timeout", "canceled");

  /** The largest cap on a body, 1 GiB: a body at the cap and the byte past it fit in an array. */
  static final long MAX_BODY = 1L << 30;

  private final HttpClient client;
  private final URI queryUri;
  private final URI rangeUri;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final long maxResponseBytes;
  private final BearerTokenFile token;
  private final String basicAuth;
  private final Map<String, String> headers;
  private final Function<Duration, Executor> delays;

  PrometheusHttp(HttpClient client, URI baseUri, Duration requestTimeout, int maxRetries,
      Duration initialBackoff, Duration maxBackoff, long maxResponseBytes, BearerTokenFile token,
      String basicAuth, Map<String, String> headers, Function<Duration, Executor> delays) {
    this.client = Objects.requireNonNull(client, "client");
    URI base = baseUri.getPath() == null || baseUri.getPath().endsWith("/")
        ? baseUri : URI.create(baseUri + "/");
    this.queryUri = base.resolve("api/v1/query");
    this.rangeUri = base.resolve("api/v1/query_range");
    this.requestTimeout = requestTimeout;
    this.maxRetries = maxRetries;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    if (maxResponseBytes < 1 || maxResponseBytes > MAX_BODY) {
      throw new IllegalArgumentException("maxResponseBytes must be in [1, " + MAX_BODY
          + "], but was " + maxResponseBytes);
    }
    this.maxResponseBytes = maxResponseBytes;
    this.token = token;
    this.basicAuth = basicAuth;
    this.headers = Map.copyOf(headers);
    this.delays = delays;
  }

  /** The wait before retry number {@code retry} (1-based): initial × 2^(retry-1), capped. */
  static Duration backoff(int retry, Duration initial, Duration max) {
    if (initial.isZero()) {
      return Duration.ZERO;
    }
    int shift = Math.min(retry - 1, 30);
    long nanos = initial.toNanos();
    long scaled = nanos > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : nanos << shift;
    Duration d = Duration.ofNanos(scaled);
    return d.compareTo(max) > 0 ? max : d;
  }

  /** An instant query evaluated at {@code time}. */
  CompletableFuture<QueryResult> query(String promql, Instant time) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("query", promql);
    form.put("time", seconds(time));
    form.put("timeout", PromQl.duration(requestTimeout.toMillis()));
    return attempt(queryUri, form, PromQl.shown(promql), 0);
  }

  /**
   * A range query evaluated at {@code start}, {@code start + step}, ... up to {@code end}. The
   * step goes as a duration in whole milliseconds ({@code 4100ms}): as float seconds ({@code
   * 4.100}) Prometheus would take 4.1 × 10^9 ns, cut to 4,099,999,999 ns and then to 4099 ms, and
   * evaluate the query on another grid.
   */
  CompletableFuture<QueryResult> queryRange(String promql, Instant start, Instant end,
      Duration step) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("query", promql);
    form.put("start", seconds(start));
    form.put("end", seconds(end));
    form.put("step", PromQl.duration(step.toMillis()));
    form.put("timeout", PromQl.duration(requestTimeout.toMillis()));
    return attempt(rangeUri, form, PromQl.shown(promql), 0);
  }

  /**
   * {@code host:port} of {@code uri}, the port defaulted from the scheme: what messages name, so
   * that user info in a URI never reaches a reason or a log.
   */
  static String hostPort(URI uri) {
    int port = uri.getPort() >= 0 ? uri.getPort()
        : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    return (uri.getHost() == null ? "(no host)" : uri.getHost()) + ":" + port;
  }

  /** Seconds to the millisecond, e.g. {@code 1795946400.123}; never overflows, unlike millis. */
  static String seconds(Instant t) {
    return BigDecimal.valueOf(t.getEpochSecond())
        .add(BigDecimal.valueOf(t.getNano() / 1_000_000, 3)).toPlainString();
  }

  private record Outcome(QueryResult result, PrometheusException error, boolean retry) {}

  /**
   * One attempt at a request, and the retries after it.
   *
   * @param query the query as messages quote it ({@link PromQl#shown}): the form holds the one
   *     sent
   */
  private CompletableFuture<QueryResult> attempt(URI uri, Map<String, String> form, String query,
      int retry) {
    CompletableFuture<HttpResponse<byte[]>> sent;
    try {
      sent = client.sendAsync(request(uri, form), capped(maxResponseBytes));
    } catch (PrometheusException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      // A request the client refuses (a header it will not send, say) is a failed request too:
      // read() promises a reason, never a throw.
      return CompletableFuture.failedFuture(new PrometheusException("cannot make the request: "
          + e + " (query: " + query + ")", e));
    }
    // The JDK's own timeout covers the response headers only: a body that trickles in after them
    // would be read (and buffered) for ever. The timeout goes on a copy, and when the copy fails
    // the exchange itself is cancelled, which closes its connection.
    return sent.copy()
        .orTimeout(requestTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete((response, error) -> {
          if (error != null) {
            sent.cancel(true);
          }
        })
        .handle((response, error) -> outcome(response, error, query))
        .thenCompose(o -> {
          if (o.error == null) {
            return CompletableFuture.completedFuture(o.result);
          }
          if (!o.retry || retry >= maxRetries) {
            PrometheusException e = o.error;
            if (o.retry && retry > 0) {
              e = new PrometheusException(e.getMessage() + " (gave up after " + (retry + 1)
                  + " attempts)", e);
            }
            return CompletableFuture.failedFuture(e);
          }
          Duration wait = backoff(retry + 1, initialBackoff, maxBackoff);
          LOG.debug("retry {} of {} in {} after: {}", retry + 1, maxRetries, wait,
              o.error.getMessage());
          return CompletableFuture.supplyAsync(() -> null, delays.apply(wait))
              .thenCompose(x -> attempt(uri, form, query, retry + 1));
        });
  }

  private HttpRequest request(URI uri, Map<String, String> form) {
    StringBuilder body = new StringBuilder();
    for (Map.Entry<String, String> e : form.entrySet()) {
      body.append(body.length() == 0 ? "" : "&")
          .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(requestTimeout)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .header("Accept-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    headers.forEach(b::header);
    if (token != null) {
      b.header("Authorization", "Bearer " + token.token());
    } else if (basicAuth != null) {
      b.header("Authorization", basicAuth);
    }
    return b.build();
  }

  private Outcome outcome(HttpResponse<byte[]> response, Throwable error, String query) {
    if (error != null) {
      Throwable e = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof TooLarge) {
          return new Outcome(null, tooLarge(false, query, c), false);
        }
      }
      if (e instanceof TimeoutException
          || e instanceof HttpTimeoutException && !(e instanceof HttpConnectTimeoutException)) {
        return new Outcome(null, new PrometheusException("request timed out after "
            + requestTimeout + " (query: " + query + ")", e), false);
      }
      if (e instanceof IOException) {
        String kind = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
            ? "cannot connect to Prometheus" : "connection to Prometheus failed";
        return new Outcome(null, new PrometheusException(kind + " at " + hostPort(queryUri)
            + ": " + e + " (query: " + query + ")", e), true);
      }
      return new Outcome(null, new PrometheusException("request failed: " + e
          + " (query: " + query + ")", e), false);
    }
    int status = response.statusCode();
    byte[] body;
    try {
      body = decode(response, maxResponseBytes);
    } catch (TooLarge e) {
      return new Outcome(null, tooLarge(true, query, e), false);
    } catch (IOException e) {
      return new Outcome(null, new PrometheusParseException("cannot decompress the body: " + e
          + " (query: " + query + ")", e), false);
    }
    if (status >= 200 && status < 300) {
      try {
        return new Outcome(ResponseParser.parse(body, status, query), null, false);
      } catch (PrometheusParseException e) {
        return new Outcome(null, new PrometheusParseException(
            e.detail() + " (HTTP " + status + ", query: " + query + ")", e), false);
      } catch (PrometheusException e) {
        return new Outcome(null, e, false);
      }
    }
    if (status == 401 && token != null) {
      token.invalidate();
    }
    Optional<ResponseParser.ApiError> apiError = ResponseParser.parseError(body);
    PrometheusApiException e = apiError
        .map(a -> new PrometheusApiException(status, a.errorType(), a.error(), query))
        .orElseGet(() -> new PrometheusApiException(status, "",
            body.length == 0 ? "(empty body)" : ResponseParser.bodySnippet(body), query));
    return new Outcome(null, e, e.isServerError() && !GAVE_UP.contains(e.errorType()));
  }

  /**
   * The body, gunzipped when {@code Content-Encoding} says gzip, decompressing no more than
   * {@code max} bytes: a small gzip body can inflate a thousandfold (a "gzip bomb").
   */
  private static byte[] decode(HttpResponse<byte[]> response, long max) throws IOException {
    byte[] body = response.body() == null ? new byte[0] : response.body();
    Optional<String> encoding = response.headers().firstValue("Content-Encoding");
    if (encoding.isPresent() && encoding.get().equalsIgnoreCase("gzip") && body.length > 0) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        // At most max + 1 bytes are held: the one past the cap tells that there is more.
        byte[] out = in.readNBytes((int) (max + 1));
        if (out.length > max) {
          throw new TooLarge(max);
        }
        return out;
      }
    }
    return body;
  }

  private PrometheusException tooLarge(boolean decompressed, String query, Throwable cause) {
    return new PrometheusException("the answer exceeded " + maxResponseBytes + " bytes"
        + (decompressed ? " once decompressed" : "") + " (maxResponseBytes) and was not read "
        + "further; the usual cause is a query that returns many series, such as one per pod: "
        + "aggregate it, e.g. with sum(...) (query: " + query + ")", cause);
  }

  /** A body past the cap: signalled by the body subscriber and by {@link #decode}. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(long max) {
      super("response body exceeds " + max + " bytes");
    }
  }

  /**
   * A body handler that keeps at most {@code max} bytes: past them (or at once, when the declared
   * {@code Content-Length} is larger) it cancels the subscription, which makes the client close
   * the connection instead of reading the rest, and fails with {@link TooLarge}.
   */
  static HttpResponse.BodyHandler<byte[]> capped(long max) {
    return info -> new CappedBody(max,
        info.headers().firstValueAsLong("Content-Length").orElse(-1L));
  }

  /** Collects a body of at most {@code max} bytes; not thread-safe, as the client calls it. */
  private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final long max;
    private final long declared;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final List<ByteBuffer> received = new ArrayList<>();
    private Flow.Subscription subscription;
    private long size;

    CappedBody(long max, long declared) {
      this.max = max;
      this.declared = declared;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (declared > max) {
        refuse();
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        size += b.remaining();
        if (size > max) {
          refuse();
          return;
        }
        // The client hands each buffer over for good: kept without a copy.
        received.add(b);
      }
    }

    private void refuse() {
      received.clear();
      subscription.cancel();
      result.completeExceptionally(new TooLarge(max));
    }

    @Override
    public void onError(Throwable error) {
      received.clear();
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      if (result.isDone()) {
        return;
      }
      byte[] body = new byte[(int) size];
      int at = 0;
      for (ByteBuffer b : received) {
        int n = b.remaining();
        b.get(body, at, n);
        at += n;
      }
      received.clear();
      result.complete(body);
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }
  }
}
