package dev.prescaler.core;

/**
 * The default name of a plug-in ({@link Forecaster#name()}, {@link DecisionPolicy#name()}): a
 * name for reasons, messages and reports that is never empty and the same on every run.
 *
 * <ul>
 *   <li>a named class: its simple name ({@code HoltWinters}, {@code Outer.Inner} gives {@code
 *       Inner});
 *   <li>an anonymous class: its binary name without the package ({@code MyTest$1}), where the
 *       simple name would be empty;
 *   <li>a lambda or another hidden class: the binary name without the package, cut before the
 *       JVM's per-run suffix ({@code MyTest$$Lambda}, not {@code MyTest$$Lambda$129/0x…}), so
 *       that the journal of one run reads like the next.
 * </ul>
 */
final class PluginNames {
  private static final String LAMBDA = "$$Lambda";

  private PluginNames() {}

  /** The default name of a plug-in of class {@code type}. */
  static String of(Class<?> type) {
    if (!type.isAnonymousClass() && !type.isHidden()) {
      return type.getSimpleName();
    }
    String name = type.getName();
    String pkg = type.getPackageName();
    if (!pkg.isEmpty() && name.startsWith(pkg + ".")) {
      name = name.substring(pkg.length() + 1);
    }
    int lambda = name.indexOf(LAMBDA);
    if (lambda >= 0) {
      return name.substring(0, lambda + LAMBDA.length());
    }
    int slash = name.indexOf('/'); // a hidden class's name ends in /<address>
    return slash >= 0 ? name.substring(0, slash) : name;
  }
}
