package dev.prescaler.core;

import java.util.regex.Pattern;

/** Kubernetes' rules for object names (DNS-1123), checked in one place. */
public final class KubernetesNames {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private KubernetesNames() {}

  /**
   * Whether {@code s} is a DNS-1123 label (a namespace): at most 63 of {@code [a-z0-9-]}, starting
   * and ending alphanumeric.
   */
  public static boolean isLabel(String s) {
    return LABEL.matcher(s).matches();
  }

  /** Whether {@code s} is a DNS-1123 subdomain (most object names): at most 253 characters. */
  public static boolean isSubdomain(String s) {
    return s.length() <= 253 && SUBDOMAIN.matcher(s).matches();
  }
}
