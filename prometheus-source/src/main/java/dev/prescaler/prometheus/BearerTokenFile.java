package dev.prescaler.prometheus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * A bearer token kept in a file (such as a projected Kubernetes service-account token), read again
 * whenever the file's modification time, size or identity changes, so rotated tokens are picked up
 * without a restart. Surrounding whitespace is trimmed. Thread-safe.
 */
final class BearerTokenFile {
  private final Path path;
  private FileTime modified;
  private long size = -1;
  private Object key;
  private String token;

  BearerTokenFile(Path path) {
    this.path = Objects.requireNonNull(path, "bearerTokenFile");
  }

  Path path() {
    return path;
  }

  /**
   * The current token.
   *
   * @throws PrometheusException when the file cannot be read or is empty
   */
  synchronized String token() {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (IOException e) {
      throw new PrometheusException("bearer token file " + path + " cannot be read: " + e, e);
    }
    if (token == null || !a.lastModifiedTime().equals(modified) || a.size() != size
        || !Objects.equals(a.fileKey(), key)) {
      String read;
      try {
        read = Files.readString(path, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new PrometheusException("bearer token file " + path + " cannot be read: " + e, e);
      }
      String problem = problem(read);
      if (problem != null) {
        throw new PrometheusException("bearer token file " + path + " " + problem);
      }
      token = read;
      modified = a.lastModifiedTime();
      size = a.size();
      key = a.fileKey();
    }
    return token;
  }

  /**
   * What keeps {@code token}, a file's content stripped, from being sent: a phrase to follow the
   * file's name ({@code "is empty"}), or null when it can be sent.
   */
  static String problem(String token) {
    if (token.isEmpty()) {
      return "is empty";
    }
    if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      return "must hold one token of printable ASCII, but had whitespace or other characters";
    }
    return null;
  }

  /** Forgets the cached token, so the next request reads the file (after a 401, say). */
  synchronized void invalidate() {
    token = null;
  }
}
