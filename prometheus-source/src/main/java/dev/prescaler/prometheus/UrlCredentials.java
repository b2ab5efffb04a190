package dev.prescaler.prometheus;

/**
 * Credentials written into a URL ({@code http://user:password@host/}): whether a URL holds them,
 * and the URL as messages may show it. Works on text that is not a valid URI too, and on a
 * registry-based authority, where {@link java.net.URI#getRawUserInfo()} is null. Prescaler never
 * sends such credentials (it offers basic auth and bearer-token files instead) and refuses URLs
 * that hold them, without echoing them.
 *
 * <p>Any {@code @} after the scheme counts as user info. The authority ends at the first {@code
 * /}, {@code ?} or {@code #}, so a password holding one of them ({@code
 * http://admin:pa/ss@prom:9090}, or {@code http://admin:1234/x@prom:9090}, whose authority reads
 * as host {@code admin}, port 1234) cannot be told from a URL with an {@code @} in its path, query
 * or fragment; a Prometheus URL never needs one there, so such a URL is refused too, and {@link
 * #redacted} hides everything up to the last {@code @}.
 */
public final class UrlCredentials {
  private UrlCredentials() {}

  /**
   * Whether {@code url} may hold user info: an {@code @} anywhere after its scheme (see the class
   * description).
   */
  public static boolean present(String url) {
    return url.indexOf('@', userInfoStart(url)) >= 0;
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

  private static int userInfoStart(String url) {
    int slashes = url.indexOf("://");
    return slashes >= 0 ? slashes + 3 : url.indexOf(':') + 1;
  }
}
