package dev.prescaler.journal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reader of a journal file's lines as bytes, one at a time, in memory bounded by the longest
 * line it keeps. Lines end with {@code '\n'}; a last line may lack it (a crash mid-write). A line
 * longer than the cap is consumed to its end but not kept: {@link #tooLong()} says so. Each line
 * is decoded on its own, so bytes cut in the middle of a character spoil only their line. Not
 * thread-safe.
 */
final class LineReader implements Closeable {
  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buf = new byte[1 << 16];
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
  private int pos;
  private int lim;
  private byte[] line = new byte[1 << 12];
  private int kept;
  private long length;
  private boolean terminated;
  private long number;

  /**
   * Creates the reader.
   *
   * @param in the file's bytes; closed by {@link #close()}
   * @param maxLineBytes the longest line kept, in bytes
   */
  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Moves to the next line.
   *
   * @return false at the end of the file
   */
  boolean next() throws IOException {
    kept = 0;
    length = 0;
    terminated = false;
    boolean started = false;
    while (true) {
      if (pos == lim) {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
          pos = 0;
          lim = 0;
          if (started) {
            number++;
          }
          return started;
        }
        pos = 0;
        lim = n;
      }
      started = true;
      int start = pos;
      while (pos < lim && buf[pos] != '\n') {
        pos++;
      }
      keep(start, pos - start);
      if (pos < lim) {
        pos++;
        terminated = true;
        number++;
        return true;
      }
    }
  }

  private void keep(int from, int n) {
    length += n;
    if (length > maxLineBytes) {
      return;
    }
    if (kept + n > line.length) {
      line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(kept + n, 2 * line.length)));
    }
    System.arraycopy(buf, from, line, kept, n);
    kept += n;
  }

  /** The current line's number, from 1. */
  long number() {
    return number;
  }

  /** Whether the current line ended with a newline (false only for an unfinished last line). */
  boolean terminated() {
    return terminated;
  }

  /** The current line's length in bytes, without its newline. */
  long length() {
    return length;
  }

  /** Whether the current line is longer than the cap, so that its bytes were not kept. */
  boolean tooLong() {
    return length > maxLineBytes;
  }

  /** Whether the current line is empty or only spaces, tabs and carriage returns. */
  boolean blank() {
    for (int i = 0; i < kept; i++) {
      byte b = line[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return !tooLong();
  }

  /** Whether the current line's bytes start with the given ASCII prefix. */
  boolean startsWith(byte[] prefix) {
    return regionMatches(0, prefix);
  }

  /** Whether the current line's bytes at {@code at} are the given ASCII text. */
  boolean regionMatches(int at, byte[] text) {
    if (tooLong() || at < 0 || kept - at < text.length) {
      return false;
    }
    return Arrays.equals(line, at, at + text.length, text, 0, text.length);
  }

  /**
   * The ASCII text from {@code from} to the next {@code '"'}, or null if there is none within
   * {@code max} bytes or a byte is not ASCII.
   */
  String asciiUntilQuote(int from, int max) {
    for (int i = from; i < kept && i - from <= max; i++) {
      if (line[i] == '"') {
        return new String(line, from, i - from, StandardCharsets.US_ASCII);
      }
      if (line[i] < 0x20) {
        return null;
      }
    }
    return null;
  }

  /** The byte at {@code i} of the current line, or -1 past its end. */
  int byteAt(int i) {
    return i < kept ? line[i] : -1;
  }

  /**
   * The current line as text.
   *
   * @throws CharacterCodingException when it is not valid UTF-8
   */
  String text() throws CharacterCodingException {
    return utf8.decode(ByteBuffer.wrap(line, 0, kept)).toString();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
