/**
 * What the command-line tools ({@code prescaler simulate}, {@code prescaler export}) share: how
 * they check and write the files their options name. The engine does not use it.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.core.cli;
