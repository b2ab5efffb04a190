package dev.prescaler.journal;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prescaler.core.Forecast;
import dev.prescaler.core.MetricTarget;
import dev.prescaler.core.Mode;
import dev.prescaler.core.Reason;
import dev.prescaler.core.WorkloadRef;
import dev.prescaler.core.cli.OutputFile;
import dev.prescaler.core.event.ModeChangedEvent;
import dev.prescaler.core.journal.DecisionJournal;
import dev.prescaler.core.journal.DecisionRecord;
import dev.prescaler.core.journal.FollowUp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only journal in JSON lines, rotated at a size limit: one {@link DecisionRecord} per
 * line, one line per {@link FollowUp} naming its record's sequence number and workload, and one
 * line per mode change. Each line goes to the file as it is appended (nothing is buffered in the
 * process), so a crash of the process loses at most the line being written; {@link #flush()}
 * and {@link #close()} also force the file to the disk, and a new file's name (on creation and
 * after each rotation) is forced with its directory.
 *
 * <p><b>Rotation.</b> When a line would take the file past its size limit ({@link
 * Builder#maxFileSize(long)}, default {@value #DEFAULT_MAX_FILE_SIZE} bytes = 64 MiB), the file
 * is first renamed to {@code <name>.1} ({@link #rotatedFileOf(Path)}), replacing the one there,
 * and a new file is started. So the journal is at most two files and its disk use about twice
 * the limit. A file passes the limit only by a single line longer than the room a new file has.
 * Each new file starts with a copy of the latest mode change of every workload (a {@code
 * "modeChanged"} line with {@code "carried":true}), so the mode each workload was last put in
 * survives any number of rotations, but for a workload that wrote no line for {@link
 * #CARRY_IDLE} of writing time (it was unregistered); {@link #readModeChanges(Path)} returns
 * each change once.
 *
 * <p><b>Reading.</b> {@link #read(Path)}, {@link #readSince(Path, Instant)} and {@link
 * #readModeChanges(Path)} stream the rotated file, then the current one, a line at a time, and
 * keep only what they return. Records come in file order, whatever their sequence numbers (a
 * journal written before engines numbered after {@link #lastSequence()} may repeat them: nothing
 * is dropped). A line that cannot be read (cut by a crash, glued to a fragment, a field of the
 * wrong type or shape, a whole
 * number out of its field's range, an unknown type, longer than {@value #MAX_LINE_BYTES} bytes)
 * is skipped with a WARN naming the file and the line number; it never becomes a record.
 *
 * <p><b>Failed writes.</b> A write that fails half-way (a full disk) is cut back to the last
 * complete line, at once or before the next write. If even that fails, the next line starts on
 * a line of its own, and the fragment reads as one corrupt line.
 *
 * <p><b>Interrupts.</b> A thread whose interrupt flag is set still writes its line: the file IO
 * runs with the flag cleared, and sets it again before returning. A file closed all the same (an
 * interrupt arriving during a write) is opened again by the next write, flush or close.
 *
 * <p><b>Format.</b> Lines have a {@code "type"}: {@code "decision"}, {@code "followUp"} or {@code
 * "modeChanged"}. Instants are ISO-8601 strings, durations ISO-8601 ({@code PT1M}).
 *
 * <p>Thread-safe. One writer per file: while a journal is open it holds a lock on {@code
 * <name>.lock} next to the file, and a second journal on that file, in this process or another,
 * fails to open ("locked by another writer") instead of cutting the first one's lines. A path
 * whose last name is a symbolic link stands for the link's target, writers and readers alike: the
 * lock, the rotated file and the rotation are the target's. Where the
 * lock file cannot be made or locked (a read-only directory, a file system without locks) it
 * opens without the file lock, with a warning; within this process the rule holds all the same.
 * The static readers see each file as it is when they open it, so a rotation during a read can
 * hide the lines it moves: read before opening the writer, as a restart does.
 */
public final class JsonLinesJournal implements DecisionJournal {
  /*
   * Implementation notes.
   *
   * `end` is the length of the current file's complete lines. Every write goes at `end`, and
   * whatever lies past it (what a failed write left) is cut off first; if it cannot be, the line
   * goes after it, behind a newline.
   *
   * `bodyStart` is where the carried mode changes at the top of the file end. A file that holds
   * only those is never rotated: with a limit close to their size, rotating it would replace the
   * previous file, and its records, with a file of nothing but mode changes.
   *
   * The carried mode changes are written, in one write, whenever a line goes to an empty file:
   * after a rotation, after a crash between the rename and the first write, or after a failed
   * write of those lines themselves. They are the latest change of each workload found on
   * opening (rotated file, then current) and written since, but for workloads idle for
   * CARRY_IDLE of writing time (forgetIdle).
   *
   * File channels are interruptible: IO on a thread whose interrupt flag is set closes the
   * channel. So the writer's IO runs with the flag cleared (uninterrupted), and a channel found
   * closed is reopened as on first use (reopenIfClosed), keeping `end`, so that what the failed
   * write left is cut off like any failed write's bytes.
   *
   * Readers sniff the type (and a decision's time, or on opening its sequence number) from a
   * line's first bytes, in the shape this class writes, to pass over the lines they do not
   * return without parsing them. A line not in that shape is parsed in full. A corrupt line passed
   * over that way (say, a decision older
   * than readSince's instant) is not reported: it would not have been returned either way.
   * Parsing is strict: trailing content (a line glued to a fragment that happens to be a whole
   * object) and duplicate keys are errors, never a silently chosen half.
   */

  /** The default size limit of the journal file, in bytes: 64 MiB. */
  public static final long DEFAULT_MAX_FILE_SIZE = 64L << 20;

  /**
   * How long after its last line a workload's mode is still carried to new files, in the
   * journal's writing time (pauses in writing do not count): 1 day. A registered workload writes
   * a line every tick.
   */
  public static final Duration CARRY_IDLE = Duration.ofDays(1);

  /**
   * The longest step between two lines that counts as writing time: 1 hour, the longest sync
   * period. A longer one is a pause (or a clock stepped), not time the workloads were running.
   */
  static final Duration PAUSE = Duration.ofHours(1);

  /** The smallest size limit accepted, in bytes: 1 KiB. */
  public static final long SMALLEST_MAX_FILE_SIZE = 1L << 10;

  /** The largest size limit accepted, in bytes: 1 TiB. */
  public static final long LARGEST_MAX_FILE_SIZE = 1L << 40;

  /**
   * The longest line, in bytes, that is written or read: 8 MiB. A record is about 2.5 KB (one
   * metric with a 30-step forecast, as the agent writes them); a longer line is refused by the
   * writer and skipped by the readers, so that no line can make a reader hold an unbounded
   * amount of memory. A line within it reads back whatever the length of its names and strings.
   */
  public static final int MAX_LINE_BYTES = 8 << 20;

  /** Corrupt lines logged one by one per read; the rest are counted in one summary line. */
  static final int LOGGED_SKIPS = 10;

  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesJournal.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
          // The readers take every line the writer writes: a name or a string may be as long
          // as a line (Jackson's default refuses names over 50,000 characters).
          .streamReadConstraints(StreamReadConstraints.builder().maxNameLength(MAX_LINE_BYTES)
              .maxStringLength(MAX_LINE_BYTES).build())
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final byte[] TYPE_PREFIX = ascii("{\"type\":\"");
  private static final byte[] DECISION_PREFIX = ascii("{\"type\":\"decision\",\"sequence\":");
  private static final byte[] TIME_FIELD = ascii(",\"time\":\"");
  private static final byte[] WORKLOAD_FIELD = ascii("\",\"workload\":{\"namespace\":\"");
  private static final byte[] KIND_FIELD = ascii("\",\"kind\":\"");
  private static final byte[] NAME_FIELD = ascii("\",\"name\":\"");
  private static final byte[] MODE_PREFIX = ascii("{\"type\":\"modeChanged\"");
  private static final ChannelOpener FILES = f -> FileChannel.open(f, CREATE, READ, WRITE);
  private static final DirectorySync DIRECTORIES = dir -> {
    try (FileChannel d = FileChannel.open(dir, READ)) {
      d.force(true);
    }
  };
  /** Symbolic links followed from a journal's name to its file, as Linux's ELOOP limit. */
  private static final int MAX_LINKS = 40;

  private final Path file;
  private final Path rotated;
  /** A process's stream ({@code /dev/stdout}, or a link to it): written to, as a device. */
  private final boolean special;
  private final long maxFileSize;
  private final ChannelOpener channels;
  private final DirectorySync directories;
  private final Map<WorkloadRef, ModeChangedEvent> lastModes = new LinkedHashMap<>();
  /**
   * Whether new files are started (a regular file): only then are modes carried, and so kept.
   * A device or a stream is written on and on, and kept nothing to carry.
   */
  private final boolean startsFiles;
  /** The writing time, and the last line in it of each workload whose mode is carried. */
  private final WritingTime writing = new WritingTime();
  private boolean carriedTooLargeWarned;
  private final WriterLock writerLock; // null for a device
  private FileChannel channel;
  private boolean regular;
  private long end;
  private long bodyStart;
  private boolean rotationFailing;
  private boolean closed;
  /** The highest sequence number of a decision found on opening or appended since, if any. */
  private OptionalLong lastSequence = OptionalLong.empty();

  /** Opens a file channel for reading and writing, creating the file; a seam for tests. */
  @FunctionalInterface
  interface ChannelOpener {
    FileChannel open(Path file) throws IOException;
  }

  /** Forces a directory's entries to the disk; a seam for tests. */
  @FunctionalInterface
  interface DirectorySync {
    void force(Path directory) throws IOException;
  }

  private JsonLinesJournal(Builder b) throws IOException {
    this.file = linkTarget(b.file);
    this.rotated = rotatedFileOf(file);
    this.maxFileSize = b.maxFileSize;
    this.channels = b.channels;
    this.directories = b.directories;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    boolean existed = Files.exists(file);
    this.special = reachesSpecial(b.file);
    boolean device = special || (existed && !Files.isRegularFile(file));
    this.startsFiles = !device;
    this.writerLock = device ? null : lock(file);
    try {
      if (!device && (existed || Files.isRegularFile(rotated))) {
        Consumer<String> quiet = m -> LOG.debug("{} (while opening for append)", m);
        Scan found = new Scan(null, false, true, quiet);
        found.sequences = true;
        found.idleness = startsFiles;
        scanInto(file, found);
        // The writing time goes on from where the files leave it, and each workload's idleness
        // with it: a restart does not start a workload's day again.
        writing.resume(found.writing);
        for (ModeChangedEvent e : found.modes) {
          lastModes.remove(e.workload());
          lastModes.put(e.workload(), e);
          writing.keep(e.workload(), found.writing);
        }
        lastSequence = found.lastSequence;
      }
      openChannel();
      if (!existed) {
        syncDirectory(); // the new file's name, on the disk with its first lines
      }
    } catch (IOException | RuntimeException e) {
      releaseQuietly(writerLock, e);
      throw e;
    }
  }

  /**
   * The lock files held by the journals open in this process. Checked before the file lock: a
   * second channel on a lock file, even one closed at once, would release the first one's lock.
   */
  private static final Set<Object> HELD = ConcurrentHashMap.newKeySet();

  /**
   * A writer's hold on {@code <file>.lock}: its key in {@link #HELD} and the channel holding the
   * file lock, null where the file system gives none.
   */
  private record WriterLock(Object key, FileChannel channel) {
    void release() throws IOException {
      try {
        if (channel != null) {
          channel.close(); // and with it the file lock
        }
      } finally {
        HELD.remove(key);
      }
    }
  }

  /**
   * Takes the writer's lock on {@code <file>.lock}, held until {@link #close()}: in this process,
   * then on the file system. Where the file system refuses the lock file or the lock (a read-only
   * directory, a file system without locks), the journal opens without it, with a warning.
   *
   * <p>Within the process the lock file is known by its file key (device and inode), so that two
   * names for one file (a hard link, a case-insensitive file system) are one lock: a second
   * channel on a file this process has locked must never be opened, as closing it would release
   * the lock.
   *
   * @throws IOException when another journal holds it, naming the file
   */
  private static WriterLock lock(Path file) throws IOException {
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    Object key;
    try {
      try {
        Files.createFile(lockFile); // new, so nobody holds a lock on it
      } catch (FileAlreadyExistsException exists) {
        // known by its key below
      }
      Object fileKey = Files.readAttributes(lockFile, BasicFileAttributes.class).fileKey();
      key = fileKey != null ? fileKey : lockFile.toRealPath();
    } catch (IOException e) {
      // No lock file (a directory this process cannot write): one journal per name, then, the
      // directory's real path standing for its other names (a symlinked volume mount).
      key = realSibling(lockFile);
      if (!HELD.add(key)) {
        throw lockedInProcess(lockFile);
      }
      return unlocked(key, file, lockFile, e);
    }
    if (!HELD.add(key)) {
      throw lockedInProcess(lockFile);
    }
    boolean held = false;
    try {
      FileChannel ch;
      try {
        ch = FileChannel.open(lockFile, WRITE);
      } catch (IOException e) {
        held = true;
        return unlocked(key, file, lockFile, e);
      }
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (IOException e) {
        ch.close();
        held = true;
        return unlocked(key, file, lockFile, e);
      } catch (OverlappingFileLockException e) {
        // Held by this JVM through another set of held keys (the class loaded twice): closing
        // this channel would release that lock, so it is left open.
        throw lockedInProcess(lockFile);
      } catch (RuntimeException e) {
        ch.close();
        throw e;
      }
      if (lock == null) {
        ch.close();
        throw new IOException("locked by another writer (" + lockFile + "): one journal per file");
      }
      held = true;
      return new WriterLock(key, ch);
    } finally {
      if (!held) {
        HELD.remove(key);
      }
    }
  }

  /** {@code file} in its directory's real path (absolute and normalized if that has none). */
  private static Path realSibling(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      return dir == null ? file.toAbsolutePath() : dir.toRealPath().resolve(file.getFileName());
    } catch (IOException e) {
      return file.toAbsolutePath().normalize();
    }
  }

  private static IOException lockedInProcess(Path lockFile) {
    return new IOException("locked by another writer of this process (" + lockFile
        + "): one journal per file");
  }

  private static WriterLock unlocked(Object key, Path file, Path lockFile, IOException why) {
    LOG.warn("journal file {}: no lock on {} ({}); opened without one, so nothing stops a writer "
        + "in another process", file, lockFile, why.toString());
    return new WriterLock(key, null);
  }

  /**
   * The file a journal path names: where its last name is a symbolic link to a regular file (or
   * to none yet), the link's target, so that every name of one journal takes the same lock, and
   * rotation moves the file rather than the link. A device or a pipe, and any path under {@code
   * /dev} or {@code /proc} ({@code /dev/stdout}, which links to whatever the standard output is,
   * a log file too), is left as it is. A hard link is another file as far as the lock goes.
   */
  static Path linkTarget(Path file) throws IOException {
    if (!Files.isSymbolicLink(file) || (Files.exists(file) && !Files.isRegularFile(file))
        || reachesSpecial(file)) {
      return file; // a link to /dev/stdout: the process's output
    }
    Path at = file;
    for (int hops = 0; Files.isSymbolicLink(at); hops++) {
      if (hops == MAX_LINKS) {
        throw new IOException("more than " + MAX_LINKS + " symbolic links in a row: " + file);
      }
      Path parent = at.toAbsolutePath().getParent();
      Path link = Files.readSymbolicLink(at);
      at = parent == null ? link : parent.resolve(link);
    }
    return at;
  }

  /**
   * Whether {@code file}, or a link on the way from it to its target, is under /proc or /dev
   * (not /dev/shm): a process's stream, such as {@code /dev/stdout} sent to a log file, which the
   * journal writes to as to a device (no lock, no cut, no rotation) and never reads. The rule of
   * the command-line tools' output files, {@link OutputFile#isStream}, so that both take one
   * path alike.
   */
  static boolean reachesSpecial(Path file) {
    return OutputFile.isStream(file);
  }

  /**
   * Whether there is a journal to read at {@code file}: the file or its rotated file, a symbolic
   * link followed as the writer follows it (a rotation through a link writes the rotated file
   * beside the link's target, and a crash between its rename and the new file leaves only that).
   *
   * @param file the journal file
   * @return whether {@link #read(Path)} would find either file
   */
  public static boolean exists(Path file) {
    Objects.requireNonNull(file, "file");
    if (reachesSpecial(file)) {
      return false;
    }
    Path f;
    try {
      f = linkTarget(file);
    } catch (IOException e) {
      f = file;
    }
    return Files.exists(f) || Files.isRegularFile(rotatedFileOf(f));
  }

  /**
   * Forces the journal's directory to the disk, so that a file just made or renamed keeps its
   * name after a power loss (forcing a file does not force its directory entry). Best effort:
   * where the platform cannot force a directory, a DEBUG line says so.
   */
  private void syncDirectory() {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !regular) {
      return;
    }
    try {
      directories.force(dir);
    } catch (IOException | RuntimeException e) {
      LOG.debug("journal file {}: cannot force its directory to disk: {}", file, e.toString());
    }
  }

  /** Releases {@code lock} after a failed open, keeping what went wrong first. */
  private static void releaseQuietly(WriterLock lock, Throwable cause) {
    if (lock == null) {
      return;
    }
    try {
      lock.release();
    } catch (IOException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  /**
   * Opens (creating if needed) a journal file for appending, with the default size limit of
   * {@value #DEFAULT_MAX_FILE_SIZE} bytes (64 MiB). Same as {@code builder(file).build()}.
   *
   * @param file the journal file; its directory is created if missing
   * @return the journal, open
   * @throws UncheckedIOException when the file cannot be opened, naming it
   */
  public static JsonLinesJournal open(Path file) {
    return builder(file).build();
  }

  /**
   * A builder of a journal on the given file, for a size limit other than the default.
   *
   * @param file the journal file; its directory is created if missing
   * @return a builder with the defaults
   * @throws NullPointerException when {@code file} is null
   */
  public static Builder builder(Path file) {
    return new Builder(file);
  }

  /**
   * The rotated file of a journal file: {@code <name>.1} beside it ({@code journal.jsonl} gives
   * {@code journal.jsonl.1}). It may not exist.
   *
   * @param file the journal file
   * @return the rotated file's path
   */
  public static Path rotatedFileOf(Path file) {
    Objects.requireNonNull(file, "file");
    return file.resolveSibling(file.getFileName() + ".1");
  }

  /** The file written to: the target of the path given, where that was a symbolic link. */
  public Path file() {
    return file;
  }

  /** The size limit of the file written to, in bytes. */
  public long maxFileSize() {
    return maxFileSize;
  }

  /**
   * Appends a record as one line.
   *
   * @throws UncheckedIOException when the write fails (nothing of it is left in the file)
   * @throws IllegalArgumentException when the line would be longer than {@value #MAX_LINE_BYTES}
   *     bytes
   * @throws IllegalStateException when the journal is closed
   */
  @Override
  public synchronized void append(DecisionRecord record) {
    writeLine(toJson(record));
    seen(record.workload(), record.time());
    if (lastSequence.isEmpty() || record.sequence() > lastSequence.getAsLong()) {
      lastSequence = OptionalLong.of(record.sequence());
    }
  }

  /**
   * The highest sequence number of a decision in the file or its rotated file when the journal
   * was opened, or appended since; empty when there is none. Found while opening, from the lines
   * the journal reads then anyway (for the mode changes it carries): the number at the start of
   * each decision line, without parsing the rest. A decision line not in the shape this class
   * writes (or cut before its time) is parsed in full and counts only when it is a valid record;
   * one cut after its time still counts, which at worst leaves a number unused.
   */
  @Override
  public synchronized OptionalLong lastSequence() {
    return lastSequence;
  }

  /**
   * Appends a follow-up line. A read attaches it to the last record before it with that
   * sequence number and workload.
   *
   * @throws UncheckedIOException when the write fails (nothing of it is left in the file)
   * @throws IllegalStateException when the journal is closed
   */
  @Override
  public synchronized void followUp(long sequence, WorkloadRef workload, FollowUp followUp) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "followUp");
    n.put("sequence", sequence);
    n.set("workload", workload(workload));
    n.set("followUp", followUpJson(followUp));
    writeLine(n);
  }

  /**
   * Appends a mode change line; once written, it is carried to the top of every new file until
   * the workload's mode changes again, or until the workload has written no line for {@link
   * #CARRY_IDLE} (it was unregistered: its mode was carried, and held in memory, for ever).
   *
   * @throws UncheckedIOException when the write fails (nothing of it is left in the file, and it
   *     is not carried)
   * @throws IllegalStateException when the journal is closed
   */
  @Override
  public synchronized void modeChanged(ModeChangedEvent event) {
    writeLine(modeJson(event, false));
    if (startsFiles) {
      lastModes.remove(event.workload());
      lastModes.put(event.workload(), event);
    }
    seen(event.workload(), event.time());
  }

  /** Notes a line of {@code workload} at {@code time}: the writing time moves on. */
  private void seen(WorkloadRef workload, Instant time) {
    writing.advance(time);
    if (lastModes.containsKey(workload)) {
      writing.lastLine.put(workload, writing.written);
    }
  }

  /**
   * The journal's writing time: the sum of the steps between successive decisions and mode
   * changes, each step counted only when it is forward and at most {@link #PAUSE} long, and the
   * writing time of workloads' last lines. A workload's idleness is measured on it, so that
   * neither a pause in writing (an engine stopped, a replica that stopped leading, for days) nor
   * a clock stepped ahead makes a running workload look idle. A carried mode line says how idle
   * its workload was at that rotation ({@code "idleSeconds"}), so that a journal opened again,
   * which replays its files, knows the idleness of a workload whose last line is in no file.
   */
  private static final class WritingTime {
    Duration written = Duration.ZERO;
    /** The time of the last decision or mode change; null before the first. */
    Instant lastLineTime;
    final Map<WorkloadRef, Duration> lastLine = new HashMap<>();

    void advance(Instant time) {
      if (lastLineTime != null && time.isAfter(lastLineTime)) {
        Duration step = Duration.between(lastLineTime, time);
        written = written.plus(step.compareTo(PAUSE) <= 0 ? step : Duration.ZERO);
      }
      lastLineTime = time;
    }

    /** A line of {@code workload} at {@code time} (a replay: every workload is kept). */
    void line(WorkloadRef workload, Instant time) {
      advance(time);
      lastLine.put(workload, written);
    }

    /** A carried line: {@code workload} was idle for that long at the rotation it starts. */
    void idleAtRotation(WorkloadRef workload, long idleSeconds) {
      lastLine.merge(workload, written.minusSeconds(idleSeconds),
          (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }

    /** How long {@code workload} wrote no line; 0 when its last line is unknown. */
    Duration idle(WorkloadRef workload) {
      return written.minus(lastLine.getOrDefault(workload, written));
    }

    void resume(WritingTime replayed) {
      written = replayed.written;
      lastLineTime = replayed.lastLineTime;
    }

    /** Takes {@code workload}'s last line from a replay (idle for no time when it has none). */
    void keep(WorkloadRef workload, WritingTime replayed) {
      lastLine.put(workload, written.minus(replayed.idle(workload)));
    }
  }

  /**
   * Forgets the modes of workloads that wrote no line for {@link #CARRY_IDLE} of writing time
   * ({@link WritingTime}): a workload registered writes one every tick, so these were unregistered
   * (a reload without them, a preview environment gone). Carried for ever, their lines grew the
   * top of every new file; past the size limit every append rotated, and the file kept 2 of 240
   * decisions.
   */
  private void forgetIdle() {
    int before = lastModes.size();
    lastModes.keySet().removeIf(w -> writing.idle(w).compareTo(CARRY_IDLE) > 0);
    writing.lastLine.keySet().retainAll(lastModes.keySet());
    if (lastModes.size() < before) {
      LOG.info("journal file {}: {} workloads wrote no line for {}: their modes are no longer "
          + "carried to new files", file, before - lastModes.size(), CARRY_IDLE);
    }
  }

  /**
   * Forces what was appended to the disk. Does nothing once closed.
   *
   * @throws UncheckedIOException when that fails
   */
  @Override
  public synchronized void flush() {
    if (closed || channel == null || !regular) {
      return;
    }
    try {
      uninterrupted(() -> {
        reopenIfClosed();
        channel.force(false);
      });
    } catch (IOException e) {
      throw new UncheckedIOException("journal file " + file + ": flush failed: " + e, e);
    }
  }

  /**
   * Forces what was appended to the disk and closes the file. Closing twice does nothing.
   *
   * @throws UncheckedIOException when that fails (the file is closed all the same)
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      uninterrupted(() -> {
        if (channel != null && regular) {
          reopenIfClosed();
        }
        try (FileChannel ch = channel) {
          channel = null;
          if (ch != null && regular) {
            ch.force(false);
          }
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("journal file " + file + ": close failed: " + e, e);
    } finally {
      if (writerLock != null) {
        try {
          writerLock.release();
        } catch (IOException e) {
          LOG.warn("journal file {}: releasing its lock failed: {}", file, e.toString());
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing.

  private void writeLine(ObjectNode node) {
    if (closed) {
      throw new IllegalStateException("journal " + file + " is closed");
    }
    byte[] line = line(node);
    if (line.length - 1 > MAX_LINE_BYTES) {
      throw new IllegalArgumentException("journal line must be at most " + MAX_LINE_BYTES
          + " bytes, but was " + (line.length - 1) + " (type " + node.path("type").asText()
          + "); not written to " + file);
    }
    try {
      uninterrupted(() -> write(line));
    } catch (IOException e) {
      throw new UncheckedIOException("journal file " + file + ": write failed: " + e, e);
    }
  }

  /** Writes a line, opening the file, rotating it and writing the carried lines as needed. */
  private void write(byte[] line) throws IOException {
    reopenIfClosed();
    if (channel == null) {
      openChannel();
    }
    if (regular && end > bodyStart && end + line.length > maxFileSize) {
      rotate();
    }
    if (end == 0) {
      forgetIdle();
    }
    if (end == 0 && !lastModes.isEmpty()) {
      StringBuilder carried = new StringBuilder();
      for (ModeChangedEvent e : lastModes.values()) {
        carried.append(JSON.writeValueAsString(modeJson(e, true, writing.idle(e.workload()))))
            .append('\n');
      }
      if (carried.length() > maxFileSize / 2 && !carriedTooLargeWarned) {
        carriedTooLargeWarned = true;
        LOG.warn("journal file {}: the modes carried to the top of each new file ({} of them, "
            + "{} bytes) take more than half of maxFileSize ({} bytes): files rotate after "
            + "few decisions; raise maxFileSize", file, lastModes.size(), carried.length(),
            maxFileSize);
      }
      appendBytes(carried.toString().getBytes(StandardCharsets.UTF_8));
      bodyStart = end;
    }
    appendBytes(line);
  }

  /** File IO, for {@link #uninterrupted(FileIo)}. */
  @FunctionalInterface
  private interface FileIo {
    void run() throws IOException;
  }

  /**
   * Runs file IO with the thread's interrupt flag cleared, and sets it again afterwards. A file
   * channel is interruptible: IO on a thread whose flag is set fails and closes the channel.
   * The engine sets the flag again after an interrupted plug-in call and then journals the hold
   * on the same thread; that line must be written all the same.
   */
  private static void uninterrupted(FileIo io) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      io.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Reopens the current file if its channel was closed behind the journal's back: by an
   * interrupt arriving during IO (the flag cleared by {@link #uninterrupted(FileIo)} can be set
   * again meanwhile). Without this, every later write would fail until a restart.
   */
  private void reopenIfClosed() throws IOException {
    if (channel == null || channel.isOpen()) {
      return;
    }
    LOG.warn("journal file {}: its channel was closed under it (as an interrupt during IO does); "
        + "reopening it", file);
    long complete = end;
    channel = null;
    openChannel();
    // The write the close cut short failed, so whatever it left goes, even a whole line: the
    // next write cuts the file back to the lines known to be complete.
    end = Math.min(end, complete);
    bodyStart = Math.min(bodyStart, end);
  }

  private static byte[] line(ObjectNode node) {
    try {
      byte[] json = JSON.writeValueAsBytes(node);
      byte[] line = Arrays.copyOf(json, json.length + 1);
      line[json.length] = '\n';
      return line;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a journal line: " + e, e);
    }
  }

  /** Opens the current file and finds where its complete lines and its carried lines end. */
  private void openChannel() throws IOException {
    // A process's stream sent to a file is appended to: the journal's lines go after what the
    // process wrote, but a process that writes without O_APPEND (a shell's >, not >>) writes
    // from its own offset, over them. A pipe (a container's stdout) has no offset.
    FileChannel ch = special ? FileChannel.open(file, WRITE, APPEND) : channels.open(file);
    try {
      // A device or a pipe (say /dev/full in a test) is written to, never rotated, cut or forced.
      regular = !special && Files.isRegularFile(file);
      long complete = regular ? repairTail(ch) : 0;
      bodyStart = complete == 0 ? 0 : carriedPrefix(file, complete);
      end = complete;
    } catch (IOException | RuntimeException e) {
      try {
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    channel = ch;
  }

  /**
   * Renames the current file to the rotated one and starts a new file. If the rename fails, goes
   * on appending to the current file (and tries again at the next line): a record kept past the
   * limit is better than a record lost.
   */
  private void rotate() throws IOException {
    FileChannel old = channel;
    channel = null;
    try {
      // Its last lines would otherwise never be forced: flush() and close() force the new file.
      old.force(false);
    } catch (IOException e) {
      LOG.warn("journal file {}: cannot force it to disk before rotating: {}", file, e.toString());
    }
    old.close();
    boolean moved = false;
    try {
      try {
        Files.move(file, rotated, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(file, rotated, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
      rotationFailing = false;
      LOG.info("journal file {} reached its limit of {} bytes: moved to {}, started a new file",
          file, maxFileSize, rotated);
    } catch (IOException e) {
      if (!rotationFailing) {
        LOG.warn("journal file {}: cannot move it to {} ({}); appending past the limit of {} "
            + "bytes, trying again at each line", file, rotated, e.toString(), maxFileSize);
      }
      rotationFailing = true;
    }
    openChannel();
    if (moved) {
      syncDirectory(); // the rename and the new file's name
    }
  }

  /**
   * Writes bytes at the end of the complete lines, cutting off what a failed write left there
   * first. A write that fails is cut back at once; if that fails too, the next write tries again.
   */
  private void appendBytes(byte[] bytes) throws IOException {
    if (!regular) {
      // A device, a pipe or a process's stream: written in order, never cut (its size says
      // nothing of what this journal wrote, and cutting a log file sent there erased it).
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      end += bytes.length;
      return;
    }
    long size = channel.size();
    if (size > end) {
      try {
        channel.truncate(end);
        size = channel.size();
      } catch (IOException e) {
        LOG.warn("journal file {}: cannot cut off {} bytes of a failed write ({}); the next line "
            + "starts on a line of its own", file, size - end, e.toString());
      }
    }
    long at = end;
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (size != end) {
      // A fragment that could not be cut off, or a file cut short by someone else.
      at = size;
      if (size > 0 && lastByte(channel, size) != '\n') {
        buf = ByteBuffer.allocate(bytes.length + 1).put((byte) '\n').put(bytes).flip();
      }
    }
    int length = buf.remaining();
    try {
      writeFully(channel, buf, at);
    } catch (IOException e) {
      try {
        channel.truncate(at);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    end = at + length;
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
    long pos = at;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }

  private static int lastByte(FileChannel ch, long size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    while (b.hasRemaining()) {
      if (ch.read(b, size - 1) < 0) {
        return -1;
      }
    }
    return b.get(0);
  }

  /**
   * A crash can leave a last line without its newline. If it is a whole line (only the newline is
   * missing), completes it; otherwise cuts it off, so that the next line starts a line of its own.
   *
   * @return the length of the file's complete lines
   */
  private long repairTail(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size == 0) {
      return 0;
    }
    long start = lastNewline(ch, size) + 1;
    long tail = size - start;
    if (tail == 0) {
      return size;
    }
    if (tail <= MAX_LINE_BYTES && isWholeLine(ch, start, (int) tail)) {
      writeFully(ch, ByteBuffer.wrap(new byte[] {'\n'}), size);
      LOG.warn("journal file {}: the last line had no newline (a crash mid-write); added it",
          file);
      return size + 1;
    }
    ch.truncate(start);
    LOG.warn("journal file {}: dropped a truncated last line of {} bytes (a crash mid-write) "
        + "before appending", file, tail);
    return start;
  }

  /** The position of the last newline before {@code size}, or -1. */
  private static long lastNewline(FileChannel ch, long size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8192);
    long to = size;
    while (to > 0) {
      long from = Math.max(0, to - b.capacity());
      b.clear().limit((int) (to - from));
      while (b.hasRemaining()) {
        if (ch.read(b, from + b.position()) < 0) {
          throw new IOException("file shrank while being read");
        }
      }
      for (int i = (int) (to - from) - 1; i >= 0; i--) {
        if (b.get(i) == '\n') {
          return from + i;
        }
      }
      to = from;
    }
    return -1;
  }

  /** Whether the bytes are one line that a read would accept. */
  private static boolean isWholeLine(FileChannel ch, long start, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      if (ch.read(b, start + b.position()) < 0) {
        return false;
      }
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder().decode(b.flip()).toString();
      Scan check = new Scan(null, true, true, m -> {});
      return check.parse(STRICT.readTree(text));
    } catch (CharacterCodingException | JsonProcessingException | RuntimeException e) {
      return false;
    }
  }

  /** The length of the carried mode-change lines at the top of a file. */
  private static long carriedPrefix(Path file, long end) throws IOException {
    long bytes = 0;
    try (LineReader in = new LineReader(Files.newInputStream(file), MAX_LINE_BYTES)) {
      while (bytes < end && in.next() && in.terminated() && in.startsWith(MODE_PREFIX)) {
        try {
          JsonNode carried = STRICT.readTree(in.text()).get("carried");
          if (carried == null || !carried.isBoolean() || !carried.booleanValue()) {
            break;
          }
        } catch (CharacterCodingException | JsonProcessingException e) {
          break;
        }
        bytes += in.length() + 1;
      }
    }
    return Math.min(bytes, end);
  }

  // ---------------------------------------------------------------------------------------------
  // Reading.

  /**
   * Reads every record of a journal, oldest first (the rotated file, then the current one, each
   * in file order), with follow-ups attached. Memory grows with the records returned: up to twice
   * the size limit of JSON, which takes about 0.7 to 1 times its size on the heap (a read shares
   * each workload and the texts that repeat across records). A restart should use {@link
   * #readSince(Path, Instant)} instead.
   *
   * <p>A line that cannot be read is skipped with a WARN naming the file and the line; see the
   * class description.
   *
   * @param file the journal file (the rotated file is found beside it)
   * @return the records, in file order, unmodifiable; repeated sequence numbers are all kept
   * @throws UncheckedIOException when neither the file nor its rotated file exists, or one cannot
   *     be read
   */
  public static List<DecisionRecord> read(Path file) {
    return readLogged(file, null);
  }

  /**
   * Reads the records of a journal whose time is at or after {@code since}, oldest first, with
   * their follow-ups attached. It streams the files and keeps only the records returned, so its
   * memory grows with the window, not with the journal; but with many workloads the two files may
   * hold less than the window, and then it keeps all of them (about 0.7 to 1 times their size on
   * disk, so up to about twice the size limit). <b>Callers restoring an engine should use
   * this</b>, with {@code since} the engine's clock minus the memory a restore needs (its
   * decision memory, minutes to hours), instead of {@link #read(Path)}.
   *
   * <p>A line that cannot be read is skipped with a WARN naming the file and the line; see the
   * class description.
   *
   * @param file the journal file (the rotated file is found beside it)
   * @param since the earliest record time returned, inclusive
   * @return the records at or after {@code since}, in file order, unmodifiable
   * @throws UncheckedIOException when neither the file nor its rotated file exists, or one cannot
   *     be read
   */
  public static List<DecisionRecord> readSince(Path file, Instant since) {
    Objects.requireNonNull(since, "since");
    return readLogged(file, since);
  }

  /**
   * Reads the mode changes (promotions and demotions) of a journal, oldest first: the rotated
   * file, then the current one. The latest change of each workload is among them, however often
   * the journal rotated, but for a workload that wrote no line for {@link #CARRY_IDLE} of the
   * journal's writing time before a rotation; a change carried to the top of a new file is
   * returned once.
   * Memory grows with the changes returned only.
   *
   * @param file the journal file (the rotated file is found beside it)
   * @return the mode changes, oldest first, unmodifiable
   * @throws UncheckedIOException when neither the file nor its rotated file exists, or one cannot
   *     be read
   */
  public static List<ModeChangedEvent> readModeChanges(Path file) {
    WarnLog log = new WarnLog(file);
    List<ModeChangedEvent> modes = scan(file, null, false, true, log).modes();
    log.finish();
    return modes;
  }

  private static List<DecisionRecord> readLogged(Path file, Instant since) {
    WarnLog log = new WarnLog(file);
    List<DecisionRecord> records = scan(file, since, true, false, log).records();
    log.finish();
    return records;
  }

  /** As {@link #readSince(Path, Instant)} (all records when {@code since} is null), reporting. */
  static List<DecisionRecord> read(Path file, Instant since, Consumer<String> skipped) {
    return scan(file, since, true, false, skipped).records();
  }

  /** As {@link #readModeChanges(Path)}, reporting each skipped line to {@code skipped}. */
  static List<ModeChangedEvent> readModeChanges(Path file, Consumer<String> skipped) {
    return scan(file, null, false, true, skipped).modes();
  }

  /**
   * What a restore reads from a journal, in one pass over its files. Immutable: both lists are
   * copies.
   *
   * @param records the records at or after the instant asked for, as {@link #readSince}
   * @param modes every mode change, as {@link #readModeChanges}
   */
  public record Contents(List<DecisionRecord> records, List<ModeChangedEvent> modes) {
    /**
     * Copies both lists.
     *
     * @throws NullPointerException naming the list, or the element, that is null
     */
    public Contents {
      records = copyOf(records, "records");
      modes = copyOf(modes, "modes");
    }

    private static <T> List<T> copyOf(List<T> list, String field) {
      Objects.requireNonNull(list, field);
      int i = 0;
      for (T element : list) {
        if (element == null) {
          throw new NullPointerException(field + "[" + i + "] must not be null");
        }
        i++;
      }
      return List.copyOf(list);
    }
  }

  /**
   * {@link #readSince(Path, Instant)} and {@link #readModeChanges(Path)} in one pass over the
   * files, for a restart that needs both.
   *
   * @throws UncheckedIOException when neither the file nor its rotated file exists, or one cannot
   *     be read
   */
  public static Contents readSinceWithModes(Path file, Instant since) {
    Objects.requireNonNull(since, "since");
    WarnLog log = new WarnLog(file);
    Contents contents = scan(file, since, true, true, log);
    log.finish();
    return contents;
  }

  private static Contents scan(Path named, Instant since, boolean decisions, boolean modes,
      Consumer<String> skipped) {
    Scan scan = new Scan(since, decisions, modes, skipped);
    scanInto(named, scan);
    return new Contents(scan.records, List.copyOf(scan.modes));
  }

  /** Streams the rotated file, then the current one, through {@code scan}. */
  private static void scanInto(Path named, Scan scan) {
    Objects.requireNonNull(named, "file");
    Path file;
    try {
      file = linkTarget(named);
    } catch (IOException e) {
      throw new UncheckedIOException("journal file " + named + " cannot be read: " + e, e);
    }
    Path rotated = rotatedFileOf(file);
    boolean hasRotated = Files.isRegularFile(rotated);
    if (!hasRotated && !Files.exists(file)) {
      NoSuchFileException e = new NoSuchFileException(file.toString());
      throw new UncheckedIOException("journal file " + file + " cannot be read: " + e, e);
    }
    if (Files.exists(file) && (!Files.isRegularFile(file) || reachesSpecial(named))) {
      IOException e = new IOException("not a regular file");
      throw new UncheckedIOException("journal file " + file + " cannot be read: " + e, e);
    }
    if (hasRotated) {
      scan.file(rotated);
    }
    if (!hasRotated || Files.exists(file)) {
      scan.file(file);
    }
  }

  /** A record's identity for its follow-ups: sequence numbers alone may repeat across runs. */
  private record RecordKey(long sequence, WorkloadRef workload) {}

  /**
   * The values one read shares across the records it returns instead of holding a copy per
   * record: each workload, and the texts that repeat from record to record (a forecast's model,
   * a reason's step, an action message). A restore holds up to two full files of records, so a
   * copy of each per record is much of its memory.
   */
  private static final class Shared {
    /** Distinct texts kept for sharing; past this, a text is shared only if already kept. */
    private static final int MAX_TEXTS = 1 << 16;

    private final Map<WorkloadRef, WorkloadRef> workloads = new HashMap<>();
    private final Map<String, String> texts = new HashMap<>();
    private final Map<String, Duration> durations = new HashMap<>();

    WorkloadRef workload(WorkloadRef w) {
      WorkloadRef known = workloads.putIfAbsent(w, w);
      return known == null ? w : known;
    }

    String text(String s) {
      String known = texts.get(s);
      if (known != null) {
        return known;
      }
      if (texts.size() < MAX_TEXTS) {
        texts.put(s, s);
      }
      return s;
    }

    Duration duration(String iso) {
      return durations.computeIfAbsent(text(iso), Duration::parse);
    }
  }

  /** One read over the files: what it keeps, and how it treats each line. */
  private static final class Scan {
    final Instant since;
    final boolean decisions;
    final boolean modeChanges;
    final Consumer<String> skipped;
    final List<DecisionRecord> records = new ArrayList<>();
    final Map<RecordKey, Integer> index = new HashMap<>();
    final Set<ModeChangedEvent> modes = new LinkedHashSet<>();
    /**
     * Whether to replay the journal's writing time and each workload's last line in it, as the
     * writer counts them (the writer's opening; see {@link JsonLinesJournal#seen}).
     */
    boolean idleness;
    final WritingTime writing = new WritingTime();
    /** Whether the line being parsed in full was already counted from its sniffed fields. */
    private boolean counted;
    final Shared shared = new Shared();
    /** Whether to find the highest sequence number of the decisions (the writer's opening). */
    boolean sequences;
    OptionalLong lastSequence = OptionalLong.empty();

    Scan(Instant since, boolean decisions, boolean modeChanges, Consumer<String> skipped) {
      this.since = since;
      this.decisions = decisions;
      this.modeChanges = modeChanges;
      this.skipped = skipped;
    }

    void file(Path path) {
      try (LineReader in = new LineReader(Files.newInputStream(path), MAX_LINE_BYTES)) {
        while (in.next()) {
          line(path, in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("journal file " + path + " cannot be read: " + e, e);
      }
    }

    private void line(Path path, LineReader in) {
      if (in.blank()) {
        return;
      }
      if (in.tooLong()) {
        skip(path, in, "longer than " + MAX_LINE_BYTES + " bytes (" + in.length() + ")");
        return;
      }
      String type = sniffType(in);
      counted = false;
      if (idleness && "decision".equals(type)) {
        Instant time = sniffTime(in);
        WorkloadRef w = time == null ? null : sniffWorkload(in);
        if (w != null) {
          writing.line(w, time);
          counted = true;
        } else {
          type = null; // not in this class's shape after all: parsed in full
        }
      }
      if (sequences && "decision".equals(type)) {
        long seq = sniffSequence(in);
        if (seq >= 0) {
          sequence(seq);
        } else {
          type = null; // not in this class's shape after all: parsed in full
        }
      }
      if (type != null && !wanted(type)) {
        return;
      }
      if ("decision".equals(type) && since != null) {
        Instant time = sniffTime(in);
        if (time != null && time.isBefore(since)) {
          return;
        }
      }
      try {
        parse(STRICT.readTree(in.text()));
      } catch (CharacterCodingException e) {
        skip(path, in, "not UTF-8");
      } catch (JsonProcessingException e) {
        skip(path, in, "not JSON: " + e.getOriginalMessage());
      } catch (RuntimeException e) {
        skip(path, in, e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }

    private void sequence(long seq) {
      if (lastSequence.isEmpty() || seq > lastSequence.getAsLong()) {
        lastSequence = OptionalLong.of(seq);
      }
    }

    private boolean wanted(String type) {
      return "modeChanged".equals(type) ? modeChanges : decisions;
    }

    /**
     * Takes one parsed line.
     *
     * @return true (so that a check can call it as a predicate)
     * @throws RuntimeException when the line is not a valid journal line
     */
    boolean parse(JsonNode n) {
      String type = text(n, "type");
      switch (type) {
        case "decision" -> {
          if (decisions || sequences || idleness) {
            DecisionRecord r = fromJson(n, shared);
            if (idleness && !counted) {
              writing.line(r.workload(), r.time());
            }
            if (sequences) {
              sequence(r.sequence());
            }
            if (decisions && (since == null || !r.time().isBefore(since))) {
              records.add(r);
              index.put(new RecordKey(r.sequence(), r.workload()), records.size() - 1);
            }
          }
        }
        case "followUp" -> {
          if (decisions) {
            RecordKey key = new RecordKey(longOf(n, "sequence"),
                workloadFrom(required(n, "workload"), shared));
            FollowUp f = followUpFrom(required(n, "followUp"));
            Integer i = index.get(key);
            if (i != null) {
              records.set(i, records.get(i).withFollowUp(f));
            }
          }
        }
        case "modeChanged" -> {
          ModeChangedEvent e = modeFrom(n, shared);
          if (modeChanges) {
            modes.add(e);
          }
          if (idleness) {
            JsonNode carried = n.get("carried");
            if (carried != null && carried.asBoolean(false)) {
              // Not a new line: what it says of its workload's idleness at that rotation.
              JsonNode idle = n.get("idleSeconds");
              writing.idleAtRotation(e.workload(), idle != null && idle.canConvertToLong()
                  ? Math.max(0, idle.longValue()) : 0);
            } else {
              writing.line(e.workload(), e.time());
            }
          }
        }
        default -> throw new IllegalArgumentException(
            "type must be decision, followUp or modeChanged, but was " + n.path("type"));
      }
      return true;
    }

    private void skip(Path path, LineReader in, String why) {
      skipped.accept("journal file " + path + ":" + in.number() + ": skipped "
          + (in.terminated() ? "a corrupt line" : "an unfinished last line (a crash mid-write)")
          + ": " + why);
    }
  }

  /** The type of a line written in this class's shape, or null (the line is parsed in full). */
  private static String sniffType(LineReader in) {
    if (!in.startsWith(TYPE_PREFIX)) {
      return null;
    }
    String type = in.asciiUntilQuote(TYPE_PREFIX.length, 16);
    if (type == null || in.byteAt(TYPE_PREFIX.length + type.length() + 1) != ',') {
      return null;
    }
    return switch (type) {
      case "decision", "followUp", "modeChanged" -> type;
      default -> null;
    };
  }

  /**
   * The sequence number of a decision line written in this class's shape (the number, then the
   * time field), or -1. A negative number, or one of more than 18 digits, is not taken: the
   * line is parsed in full.
   */
  private static long sniffSequence(LineReader in) {
    if (!in.startsWith(DECISION_PREFIX)) {
      return -1;
    }
    int start = DECISION_PREFIX.length;
    int i = start;
    while (in.byteAt(i) >= '0' && in.byteAt(i) <= '9') {
      i++;
    }
    if (i == start || i - start > 18 || !in.regionMatches(i, TIME_FIELD)) {
      return -1;
    }
    long seq = 0;
    for (int j = start; j < i; j++) {
      seq = seq * 10 + (in.byteAt(j) - '0');
    }
    return seq;
  }

  /**
   * Where the time's value begins in a decision line written in this class's shape (its type,
   * its sequence number, then the time field), or -1.
   */
  private static int timeStart(LineReader in) {
    if (!in.startsWith(DECISION_PREFIX)) {
      return -1;
    }
    int i = DECISION_PREFIX.length;
    if (in.byteAt(i) == '-') {
      i++;
    }
    int digits = i;
    while (in.byteAt(i) >= '0' && in.byteAt(i) <= '9') {
      i++;
    }
    if (i == digits || !in.regionMatches(i, TIME_FIELD)) {
      return -1;
    }
    return i + TIME_FIELD.length;
  }

  /**
   * The workload of a decision line written in this class's shape (its object right after the
   * time field: namespace, kind, name), or null.
   */
  private static WorkloadRef sniffWorkload(LineReader in) {
    int i = timeStart(in);
    if (i < 0) {
      return null;
    }
    String time = in.asciiUntilQuote(i, 64);
    if (time == null || !in.regionMatches(i += time.length(), WORKLOAD_FIELD)) {
      return null;
    }
    String namespace = in.asciiUntilQuote(i += WORKLOAD_FIELD.length, 300);
    if (namespace == null || !in.regionMatches(i += namespace.length(), KIND_FIELD)) {
      return null;
    }
    String kind = in.asciiUntilQuote(i += KIND_FIELD.length, 300);
    if (kind == null || !in.regionMatches(i += kind.length(), NAME_FIELD)) {
      return null;
    }
    String name = in.asciiUntilQuote(i += NAME_FIELD.length, 300);
    if (name == null || in.byteAt(i + name.length() + 1) != '}') {
      return null;
    }
    try {
      return new WorkloadRef(namespace, kind, name);
    } catch (RuntimeException e) {
      return null; // not a name a workload can have: the line is parsed in full
    }
  }

  /** The time of a decision line written in this class's shape, or null. */
  private static Instant sniffTime(LineReader in) {
    int i = timeStart(in);
    if (i < 0) {
      return null;
    }
    String time = in.asciiUntilQuote(i, 64);
    if (time == null) {
      return null;
    }
    try {
      return Instant.parse(time);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** Logs the first skipped lines of a read at WARN, and how many more there were. */
  private static final class WarnLog implements Consumer<String> {
    private final Path file;
    private int count;

    WarnLog(Path file) {
      this.file = file;
    }

    @Override
    public void accept(String message) {
      if (++count <= LOGGED_SKIPS) {
        LOG.warn("{}", message);
      }
    }

    void finish() {
      if (count > LOGGED_SKIPS) {
        LOG.warn("journal file {} (and its rotated file): skipped {} corrupt lines in all; the "
            + "first {} are logged above", file, count, LOGGED_SKIPS);
      }
    }
  }

  /**
   * A builder of a {@link JsonLinesJournal}: the file and its size limit. Not thread-safe; each
   * {@link #build()} opens a new journal.
   */
  public static final class Builder {
    private final Path file;
    private long maxFileSize = DEFAULT_MAX_FILE_SIZE;
    private ChannelOpener channels = FILES;
    private DirectorySync directories = DIRECTORIES;

    private Builder(Path file) {
      this.file = Objects.requireNonNull(file, "file");
    }

    /**
     * The size, in bytes, past which the file is rotated to {@code <name>.1}: a line that would
     * take the file past it goes to a new file. Disk use stays about twice this. Default {@value
     * #DEFAULT_MAX_FILE_SIZE} (64 MiB); from {@value #SMALLEST_MAX_FILE_SIZE} (1 KiB) to {@value
     * #LARGEST_MAX_FILE_SIZE} (1 TiB). Keep it well above the carried mode changes, about 200
     * bytes per workload, or each file holds few records.
     *
     * @param bytes the limit, in bytes
     * @return this builder
     * @throws IllegalArgumentException when out of range, naming the field and the value
     */
    public Builder maxFileSize(long bytes) {
      if (bytes < SMALLEST_MAX_FILE_SIZE || bytes > LARGEST_MAX_FILE_SIZE) {
        throw new IllegalArgumentException("maxFileSize must be between "
            + SMALLEST_MAX_FILE_SIZE + " and " + LARGEST_MAX_FILE_SIZE + " bytes, but was "
            + bytes);
      }
      this.maxFileSize = bytes;
      return this;
    }

    /** The way files are opened; tests inject failing channels. */
    Builder channels(ChannelOpener opener) {
      this.channels = Objects.requireNonNull(opener, "channels");
      return this;
    }

    /** The way directories are forced to the disk; tests record the calls. */
    Builder directories(DirectorySync sync) {
      this.directories = Objects.requireNonNull(sync, "directories");
      return this;
    }

    /**
     * Opens (creating if needed) the journal file for appending. A last line cut short by a crash
     * is dropped first (or completed, if only its newline is missing).
     *
     * @return the journal, open
     * @throws UncheckedIOException when the file cannot be opened, naming it
     */
    public JsonLinesJournal build() {
      try {
        return new JsonLinesJournal(this);
      } catch (IOException e) {
        throw new UncheckedIOException("journal file " + file + " cannot be opened: " + e, e);
      }
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static ObjectNode modeJson(ModeChangedEvent event, boolean carried) {
    return modeJson(event, carried, null);
  }

  /**
   * A mode change line; a carried one also says for how long its workload had written no line,
   * in writing time ({@code "idleSeconds"}), so that a journal opened again goes on counting
   * from there (without it each restart gave every carried mode a fresh day).
   */
  private static ObjectNode modeJson(ModeChangedEvent event, boolean carried, Duration idle) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "modeChanged");
    n.put("time", event.time().toString());
    n.set("workload", workload(event.workload()));
    n.put("from", event.from().name());
    n.put("to", event.to().name());
    n.put("reason", event.reason());
    if (carried) {
      n.put("carried", true);
      if (idle != null) {
        n.put("idleSeconds", Math.max(0, idle.getSeconds()));
      }
    }
    return n;
  }

  private static ModeChangedEvent modeFrom(JsonNode n, Shared shared) {
    return new ModeChangedEvent(workloadFrom(required(n, "workload"), shared),
        Instant.parse(text(n, "time")), Mode.valueOf(text(n, "from")),
        Mode.valueOf(text(n, "to")), text(n, "reason"));
  }

  // ---------------------------------------------------------------------------------------------
  // Mapping. Written out field by field so that the format is stable and core needs no Jackson.

  static ObjectNode toJson(DecisionRecord r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "decision");
    n.put("sequence", r.sequence());
    n.put("time", r.time().toString());
    n.set("workload", workload(r.workload()));
    n.put("mode", r.mode().name());
    n.put("kind", r.kind().name());
    n.put("current", r.current());
    n.put("ready", r.ready());
    n.set("metrics", doubles(r.metrics()));
    ObjectNode unavailable = n.putObject("unavailable");
    r.unavailable().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> unavailable.put(e.getKey(), e.getValue()));
    n.set("loads", doubles(r.loads()));
    ObjectNode forecasts = n.putObject("forecasts");
    r.forecasts().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> forecasts.set(e.getKey(), forecast(e.getValue())));
    n.put("proposed", r.proposed());
    n.put("desired", r.desired());
    ArrayNode reasons = n.putArray("reasons");
    for (Reason reason : r.reasons()) {
      ObjectNode rn = reasons.addObject();
      rn.put("step", reason.step());
      rn.put("from", reason.from());
      rn.put("to", reason.to());
      rn.put("message", reason.message());
    }
    ObjectNode marks = n.putObject("marks");
    r.marks().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> marks.put(e.getKey(), e.getValue()));
    n.put("action", r.action().name());
    n.put("actionMessage", r.actionMessage());
    r.followUp().ifPresent(f -> n.set("followUp", followUpJson(f)));
    if (!r.timing().equals(DecisionRecord.Timing.NONE)) {
      ObjectNode t = n.putObject("timing");
      r.timing().countsRead().ifPresent(i -> t.put("countsRead", i.toString()));
      r.timing().scaleUpReturned().ifPresent(i -> t.put("scaleUpReturned", i.toString()));
      ObjectNode samples = t.putObject("samples");
      r.timing().samples().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> samples.putObject(e.getKey())
              .put("type", e.getValue().type().name())
              .put("time", e.getValue().time().toString()));
    }
    return n;
  }

  /**
   * A record's timing; a line written before records had one reads as {@code NONE}. Anything
   * else than the object this class writes makes the line corrupt.
   */
  private static DecisionRecord.Timing timingFrom(JsonNode n) {
    JsonNode t = n.get("timing");
    if (t == null) {
      return DecisionRecord.Timing.NONE;
    }
    if (!t.isObject()) {
      throw new IllegalArgumentException("field timing must be an object, but was " + t);
    }
    Map<String, DecisionRecord.Sample> samples = new LinkedHashMap<>();
    required(t, "samples");
    fields(t, "samples").forEachRemaining(e -> {
      JsonNode v = e.getValue();
      if (!v.isObject()) {
        throw new IllegalArgumentException("sample " + e.getKey() + " in timing must be an "
            + "object, but was " + v);
      }
      samples.put(e.getKey(), new DecisionRecord.Sample(
          MetricTarget.Type.valueOf(text(v, "type")), Instant.parse(text(v, "time"))));
    });
    return new DecisionRecord.Timing(optionalInstant(t, "countsRead"),
        optionalInstant(t, "scaleUpReturned"), samples);
  }

  private static Optional<Instant> optionalInstant(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(Instant.parse(text(n, field)));
  }

  private static DecisionRecord fromJson(JsonNode n, Shared shared) {
    Map<String, String> unavailable = new LinkedHashMap<>();
    fields(n, "unavailable").forEachRemaining(e -> unavailable.put(e.getKey(),
        shared.text(textOf(e.getValue(), "value of " + e.getKey() + " in unavailable"))));
    Map<String, Forecast> forecasts = new LinkedHashMap<>();
    fields(n, "forecasts").forEachRemaining(e -> forecasts.put(e.getKey(),
        forecastFrom(e.getValue(), shared)));
    List<Reason> reasons = new ArrayList<>();
    for (JsonNode rn : elements(n, "reasons")) {
      reasons.add(new Reason(shared.text(text(rn, "step")), intOf(rn, "from"), intOf(rn, "to"),
          text(rn, "message")));
    }
    Map<String, Integer> marks = new LinkedHashMap<>();
    fields(n, "marks").forEachRemaining(e -> marks.put(e.getKey(),
        whole(e.getValue(), "mark " + e.getKey(), false).intValue()));
    JsonNode f = n.get("followUp");
    return new DecisionRecord(
        longOf(n, "sequence"),
        Instant.parse(text(n, "time")),
        workloadFrom(required(n, "workload"), shared),
        Mode.valueOf(text(n, "mode")),
        DecisionRecord.Kind.valueOf(text(n, "kind")),
        intOf(n, "current"),
        intOf(n, "ready"),
        doublesFrom(n, "metrics"),
        unavailable,
        doublesFrom(n, "loads"),
        forecasts,
        intOf(n, "proposed"),
        intOf(n, "desired"),
        reasons,
        marks,
        DecisionRecord.Action.valueOf(text(n, "action")),
        shared.text(text(n, "actionMessage")),
        f == null ? Optional.empty() : Optional.of(followUpFrom(f)),
        timingFrom(n));
  }

  private static ObjectNode workload(WorkloadRef w) {
    ObjectNode n = JSON.createObjectNode();
    n.put("namespace", w.namespace());
    n.put("kind", w.kind());
    n.put("name", w.name());
    return n;
  }

  private static WorkloadRef workloadFrom(JsonNode n, Shared shared) {
    return shared.workload(new WorkloadRef(shared.text(text(n, "namespace")),
        shared.text(text(n, "kind")), text(n, "name")));
  }

  private static ObjectNode doubles(Map<String, Double> m) {
    ObjectNode n = JSON.createObjectNode();
    m.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> n.put(e.getKey(), e.getValue()));
    return n;
  }

  private static Map<String, Double> doublesFrom(JsonNode n, String field) {
    Map<String, Double> m = new LinkedHashMap<>();
    fields(n, field).forEachRemaining(
        e -> m.put(e.getKey(), doubleOf(e.getValue(), "value of " + e.getKey())));
    return m;
  }

  private static ObjectNode forecast(Forecast f) {
    ObjectNode n = JSON.createObjectNode();
    n.put("model", f.model());
    n.put("start", f.start().toString());
    n.put("step", f.step().toString());
    n.put("level", f.level());
    ArrayNode point = n.putArray("point");
    ArrayNode lower = n.putArray("lower");
    ArrayNode upper = n.putArray("upper");
    for (int i = 0; i < f.steps(); i++) {
      point.add(f.point(i));
      lower.add(f.lower(i));
      upper.add(f.upper(i));
    }
    return n;
  }

  private static Forecast forecastFrom(JsonNode n, Shared shared) {
    return new Forecast(shared.text(text(n, "model")), Instant.parse(text(n, "start")),
        shared.duration(text(n, "step")), array(n, "point"), array(n, "lower"), array(n, "upper"),
        number(n, "level"));
  }

  private static double[] array(JsonNode n, String field) {
    JsonNode a = required(n, field);
    if (!a.isArray()) {
      throw new IllegalArgumentException("field " + field + " must be an array, but was " + a);
    }
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = doubleOf(a.get(i), field + "[" + i + "]");
    }
    return out;
  }

  private static ObjectNode followUpJson(FollowUp f) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", f.time().toString());
    n.put("replicas", f.replicas());
    n.put("ready", f.ready());
    n.set("loads", doubles(f.loads()));
    return n;
  }

  private static FollowUp followUpFrom(JsonNode n) {
    return new FollowUp(Instant.parse(text(n, "time")), intOf(n, "replicas"),
        intOf(n, "ready"), doublesFrom(n, "loads"));
  }

  private static JsonNode required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field " + field + " is missing");
    }
    return v;
  }

  private static double number(JsonNode n, String field) {
    return doubleOf(required(n, field), "field " + field);
  }

  /**
   * A number, or one of the strings the writer gives a value JSON has no number for ("NaN",
   * "Infinity", "-Infinity"): a record holding one reads back as written.
   */
  private static double doubleOf(JsonNode v, String what) {
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      switch (v.textValue()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw new IllegalArgumentException(what + " must be a number, but was " + v);
  }

  /** A required whole number that fits an int; see {@link #whole(JsonNode, String, boolean)}. */
  private static int intOf(JsonNode n, String field) {
    return whole(required(n, field), "field " + field, false).intValue();
  }

  /** A required whole number that fits a long; see {@link #whole(JsonNode, String, boolean)}. */
  private static long longOf(JsonNode n, String field) {
    return whole(required(n, field), "field " + field, true).longValue();
  }

  /**
   * A whole number that fits an int, or a long when {@code wide}. A string, a fraction or a
   * number out of that range is an error naming {@code what} and the value: never silently 0,
   * and never wrapped ({@code 4294967299} is not 3).
   */
  private static JsonNode whole(JsonNode v, String what, boolean wide) {
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException(what + " must be a whole number, but was " + v);
    }
    if (wide ? !v.canConvertToLong() : !v.canConvertToInt()) {
      throw new IllegalArgumentException(what + " must be a whole number from "
          + (wide ? Long.MIN_VALUE : Integer.MIN_VALUE) + " to "
          + (wide ? Long.MAX_VALUE : Integer.MAX_VALUE) + ", but was " + v);
    }
    return v;
  }

  private static String text(JsonNode n, String field) {
    return textOf(required(n, field), "field " + field);
  }

  private static String textOf(JsonNode v, String what) {
    if (!v.isTextual()) {
      throw new IllegalArgumentException(what + " must be a string, but was " + v);
    }
    return v.textValue();
  }

  /**
   * The entries of an optional object field, none when it is missing. Any other value (an
   * array, a string) is an error: read as no entries, it would drop what the line holds.
   */
  private static Iterator<Map.Entry<String, JsonNode>> fields(JsonNode n, String field) {
    return optional(n, field, JsonNode::isObject, "an object").properties().iterator();
  }

  /** The elements of an optional array field, none when it is missing; see {@link #fields}. */
  private static JsonNode elements(JsonNode n, String field) {
    return optional(n, field, JsonNode::isArray, "an array");
  }

  private static JsonNode optional(JsonNode n, String field, Predicate<JsonNode> shape,
      String what) {
    JsonNode v = n.path(field);
    if (!v.isMissingNode() && !v.isNull() && !shape.test(v)) {
      throw new IllegalArgumentException("field " + field + " must be " + what + ", but was "
          + v);
    }
    return v;
  }
}
