package dev.prescaler.prometheus;

/**
 * Credentials written into a URL ({@code http://user:password@host/}): whether a URL holds them,
 * and the URL as messages may show it. Works on text that is not a valid URI too, and on a
 * registry-based authority, where {@link java.net.URI#getRawUserInfo()} is null. Prescaler never
 * sends such credentials (it offers basic auth and bearer-token files instead) and refuses URLs
 * that hold them, without echoing them.
 */
public final class UrlCredentials {
  private UrlCredentials() {}

  /** Whether {@code url} holds user info (anything before an {@code @} of its authority). */
  public static boolean present(String url) {
    return userInfoEnd(url) >= 0;
  }

  /** {@code url} for messages: its user info, if any, replaced by {@code ***}. */
  public static String redacted(String url) {
    int at = userInfoEnd(url);
    return at < 0 ? url : url.substring(0, userInfoStart(url)) + "***" + url.substring(at);
  }

  /**
   * The index of the {@code @} that ends the user info of {@code url} (the last {@code @} before
   * the path, query or fragment), or -1 when there is none.
   */
  private static int userInfoEnd(String url) {
    int start = userInfoStart(url);
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    int at = url.lastIndexOf('@', end - 1);
    return at >= start ? at : -1;
  }

  private static int userInfoStart(String url) {
    int slashes = url.indexOf("://");
    return slashes >= 0 ? slashes + 3 : url.indexOf(':') + 1;
  }
}
