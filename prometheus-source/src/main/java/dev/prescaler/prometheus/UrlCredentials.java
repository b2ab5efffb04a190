package dev.prescaler.prometheus;

import java.util.regex.Pattern;

/**
 * Credentials written into a URL ({@code http://user:password@host/}): whether a URL holds them,
 * and the URL as messages may show it. Works on text that is not a valid URI too, and on a
 * registry-based authority, where {@link java.net.URI#getRawUserInfo()} is null. Prescaler never
 * sends such credentials (it offers basic auth and bearer-token files instead) and refuses URLs
 * that hold them, without echoing them.
 *
 * <p>The authority ends at the first {@code /}, {@code ?} or {@code #}, so a password holding
 * one of them ({@code http://admin:pa/ss@prom:9090}) leaves an authority that is no host and port
 * ({@code admin:pa}) and an {@code @} further on: that is taken as user info too. A password that
 * reads as a port ({@code http://admin:12#34@prom:9090}) cannot be told from a URL with an {@code
 * @} after its authority, so {@link #redacted} hides everything up to the last {@code @} of any
 * URL that has one.
 */
public final class UrlCredentials {
  /** A host (a name, an IPv4 or a bracketed IPv6 address) and an optional numeric port. */
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]*\\]|[^\\[\\]:@]*)(:[0-9]+)?");

  private UrlCredentials() {}

  /**
   * Whether {@code url} holds user info: an {@code @} in its authority, or an {@code @} after an
   * authority that is not a host and port (a password holding {@code /}, {@code ?} or {@code #}).
   */
  public static boolean present(String url) {
    int start = userInfoStart(url);
    int end = authorityEnd(url, start);
    if (url.lastIndexOf('@', end - 1) >= start) {
      return true;
    }
    return url.indexOf('@', end) >= 0 && !HOST_PORT.matcher(url.substring(start, end)).matches();
  }

  /**
   * {@code url} for messages: everything from the start of its authority to its last {@code @},
   * if it has one, replaced by {@code ***}. Only the part after that {@code @} is shown, since
   * what comes before it may be a password.
   */
  public static String redacted(String url) {
    int start = userInfoStart(url);
    int at = url.lastIndexOf('@');
    return at < start ? url : url.substring(0, start) + "***" + url.substring(at);
  }

  private static int authorityEnd(String url, int start) {
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    return end;
  }

  private static int userInfoStart(String url) {
    int slashes = url.indexOf("://");
    return slashes >= 0 ? slashes + 3 : url.indexOf(':') + 1;
  }
}
