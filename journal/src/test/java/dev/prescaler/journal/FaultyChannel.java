package dev.prescaler.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.StandardOpenOption;

/**
 * A real file channel that can be told to fail as a full disk does: the next write stores only
 * some of its bytes and then throws, and cutting the file back can be made to fail too. Or as an
 * interrupt during a write does: the bytes are stored, and the channel closes.
 */
final class FaultyChannel extends FileChannel {
  private final FileChannel file;
  private final Faults faults;

  /** What the channels of one test should do wrong; shared by every channel it opens. */
  static final class Faults {
    /** Bytes the next write stores before it fails; -1: it does not fail. */
    int nextWriteFailsAfter = -1;
    /** Whether truncate fails. */
    boolean truncateFails;
    /** Writes that failed. */
    int failedWrites;
    /**
     * Whether the next write stores all its bytes and then closes the channel and throws, as an
     * interrupt arriving during the write does.
     */
    boolean nextWriteInterrupted;

    /** An opener of faulty channels on real files. */
    JsonLinesJournal.ChannelOpener opener() {
      return f -> new FaultyChannel(FileChannel.open(f, StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE), this);
    }
  }

  private FaultyChannel(FileChannel file, Faults faults) {
    this.file = file;
    this.faults = faults;
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    if (faults.nextWriteInterrupted) {
      faults.nextWriteInterrupted = false;
      faults.failedWrites++;
      long at = position;
      while (src.hasRemaining()) {
        at += file.write(src, at);
      }
      close();
      throw new ClosedByInterruptException();
    }
    if (faults.nextWriteFailsAfter < 0) {
      return file.write(src, position);
    }
    int allowed = Math.min(faults.nextWriteFailsAfter, src.remaining());
    faults.nextWriteFailsAfter = -1;
    faults.failedWrites++;
    ByteBuffer part = src.duplicate();
    part.limit(part.position() + allowed);
    while (part.hasRemaining()) {
      file.write(part, position + part.position() - src.position());
    }
    throw new IOException("No space left on device");
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    if (faults.truncateFails) {
      throw new IOException("No space left on device (truncate)");
    }
    file.truncate(size);
    return this;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return file.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return file.read(dsts, offset, length);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    throw new UnsupportedOperationException("the journal writes at explicit positions");
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    throw new UnsupportedOperationException("the journal writes at explicit positions");
  }

  @Override
  public long position() throws IOException {
    return file.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    file.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return file.size();
  }

  @Override
  public void force(boolean metaData) throws IOException {
    file.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target)
      throws IOException {
    return file.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count)
      throws IOException {
    throw new UnsupportedOperationException("the journal writes at explicit positions");
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return file.read(dst, position);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    throw new UnsupportedOperationException("not used by the journal");
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return file.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return file.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    file.close();
  }
}
