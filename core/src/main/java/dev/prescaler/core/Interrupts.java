package dev.prescaler.core;

/** What a caught throwable leaves of the thread's interrupt. */
final class Interrupts {
  private Interrupts() {}

  /**
   * Sets the interrupt status again when {@code e} is an {@link InterruptedException}, which
   * cleared it: a plug-in that rethrew one without declaring it (Kotlin, {@code @SneakyThrows})
   * is contained like any failure, but the thread's owner must still see that it was
   * interrupted.
   */
  static void keep(Throwable e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
  }
}
