package dev.prescaler.prometheus;

import java.util.Locale;
import java.util.Set;

/**
 * The checks an extra header passes before {@link PrometheusMetricSource.Builder#build()} accepts
 * it, so that a header the JDK's HTTP client would refuse when a request is built is a
 * configuration error instead. The rules are the client's: the name is an RFC 7230 token and not
 * one of the headers the client sets itself; the value holds visible characters, spaces and tabs
 * only (no control character, nothing above U+00FF). A value may be a credential (an API key),
 * so messages name the header and, for a bad character, its position and code point, never the
 * value. Thread-safe: stateless.
 */
final class Headers {
  /** What the JDK's HttpClient refuses to take from the caller (jdk.internal.net.http). */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  /** What the source sends itself, or what would break the exchange: sent twice otherwise. */
  private static final Set<String> OWN =
      Set.of("accept", "accept-encoding", "content-type", "transfer-encoding");

  private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

  private Headers() {}

  /** Why {@code name: value} cannot be sent as an extra header, or null when it can. */
  static String problem(String name, String value) {
    if (!isToken(name)) {
      return "header name must be a token (letters, digits and " + TOKEN_SYMBOLS + "), but was "
          + quoted(name);
    }
    if (name.equalsIgnoreCase("Authorization")) {
      return "header Authorization must be set with bearerTokenFile or basicAuth, not "
          + "header(...)";
    }
    if (OWN.contains(name.toLowerCase(Locale.ROOT))) {
      return "header " + name + " must not be set (the source sets Accept, Accept-Encoding and "
          + "Content-Type itself, and the body's framing is the client's)";
    }
    if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
      return "header " + name + " must not be set (the HTTP client sets "
          + "Connection, Content-Length, Expect, Host and Upgrade itself)";
    }
    int position = 1;
    for (int i = 0; i < value.length(); i += Character.charCount(value.codePointAt(i))) {
      int c = value.codePointAt(i);
      if (c != '\t' && (c < 0x20 || c == 0x7f || c > 0xff)) {
        return "header " + name + " must have a value of visible characters, spaces and tabs "
            + "(no control character, none above U+00FF), but its character " + position
            + " is U+" + String.format(Locale.ROOT, "%04X", c);
      }
      position++;
    }
    return null;
  }

  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || TOKEN_SYMBOLS.indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** {@code s} in double quotes, on one line: every character outside printable ASCII escaped. */
  static String quoted(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    return b.append('"').toString();
  }
}
