/**
 * What the command-line tools ({@code prescaler simulate}, {@code summarize}, {@code export},
 * {@code forecast-eval}) share: how they read their arguments ({@link Arguments}) and whole
 * numbers ({@link IntegerText}), and how they check and write the files their options name. The
 * engine does not use it.
 *
 * <p>Nullness: no {@code null} crosses this API.
 */
package dev.prescaler.core.cli;
