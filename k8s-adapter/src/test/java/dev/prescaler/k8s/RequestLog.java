package dev.prescaler.k8s;

import java.util.ArrayList;
import java.util.List;
import okhttp3.Interceptor;

/**
 * Every request the adapter's API clients made during the test run ({@code METHOD path?query}),
 * for {@link RbacCoverageTest}. Fixture clients (which set up the fake cluster) are not recorded.
 */
final class RequestLog {
  private static final List<String> REQUESTS = new ArrayList<>();

  private RequestLog() {}

  /** An OkHttp interceptor that records each request before sending it. */
  static Interceptor interceptor() {
    return chain -> {
      okhttp3.HttpUrl url = chain.request().url();
      String q = url.encodedQuery();
      record(chain.request().method() + " " + url.encodedPath() + (q == null ? "" : "?" + q));
      return chain.proceed(chain.request());
    };
  }

  static synchronized void record(String request) {
    REQUESTS.add(request);
  }

  static synchronized List<String> all() {
    return List.copyOf(REQUESTS);
  }
}
