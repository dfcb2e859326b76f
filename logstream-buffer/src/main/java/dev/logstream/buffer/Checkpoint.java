package dev.logstream.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The checkpoint file: the highest sequence up to which every record was delivered. Written to a
 * temporary file, forced, then renamed over the old one, so a crash leaves either the old or the
 * new checkpoint, never a mix.
 *
 * <pre>
 *  0       4       6       8                               16                              24      28      32
 * +-------+-------+-------+-------------------------------+-------------------------------+-------+-------+
 * | "LCKP"|version|  0    | committed sequence (i64)      | written at, epoch ms (i64)    |CRC-32C|   0   |
 * +-------+-------+-------+-------------------------------+-------------------------------+-------+-------+
 *   CRC-32C covers bytes 0..23; all integers little-endian
 * </pre>
 */
final class Checkpoint {
  static final String FILE_NAME = "checkpoint";
  static final String TEMP_NAME = "checkpoint.tmp";

  /** A preallocated file the next checkpoint is written into, so a full disk cannot stop it. */
  static final String SPARE_NAME = "checkpoint.spare";

  static final int SIZE = 32;
  private static final int MAGIC = 0x504b434c; // "LCKP" little-endian

  /** A read checkpoint: its state and the committed sequence (0 unless valid). */
  record Read(RecoveryReport.CheckpointState state, long committed, String detail) {}

  private Checkpoint() {}

  static Read read(Path directory) throws IOException {
    Path file = directory.resolve(FILE_NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Read(RecoveryReport.CheckpointState.MISSING, 0, "no checkpoint file");
    }
    if (bytes.length == 0) {
      return new Read(RecoveryReport.CheckpointState.EMPTY, 0, "checkpoint file is empty");
    }
    if (bytes.length != SIZE) {
      return new Read(
          RecoveryReport.CheckpointState.CORRUPT,
          0,
          "checkpoint file is " + bytes.length + " bytes, expected " + SIZE);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, 24);
    if (b.getInt(0) != MAGIC || (int) crc.getValue() != b.getInt(24)) {
      return new Read(
          RecoveryReport.CheckpointState.CORRUPT,
          0,
          "checkpoint file has a bad magic number or CRC");
    }
    if (b.getShort(4) != 1) {
      return new Read(
          RecoveryReport.CheckpointState.CORRUPT,
          0,
          "checkpoint file has unknown version " + b.getShort(4));
    }
    long committed = b.getLong(8);
    if (committed < 0) {
      return new Read(
          RecoveryReport.CheckpointState.CORRUPT,
          0,
          "checkpoint file holds negative sequence " + committed);
    }
    return new Read(
        RecoveryReport.CheckpointState.VALID, committed, "committed through sequence " + committed);
  }

  static void write(SegmentIo io, Path directory, long committed, long nowMillis)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, MAGIC);
    b.putShort(4, (short) 1);
    b.putLong(8, committed);
    b.putLong(16, nowMillis);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 24);
    b.putInt(24, (int) crc.getValue());
    // Write into the spare when there is one: its block exists, so a full disk cannot refuse it.
    Path spare = directory.resolve(SPARE_NAME);
    Path temp = Files.exists(spare) ? spare : directory.resolve(TEMP_NAME);
    try (FileChannel ch = io.openReadWrite(temp)) {
      SegmentIo.writeFully(io, ch, b, 0);
      ch.truncate(SIZE);
      io.force(ch);
    }
    io.move(temp, directory.resolve(FILE_NAME));
    io.forceDirectory(directory);
    prepareSpare(io, spare);
  }

  /**
   * Creates the spare for the next checkpoint. The checkpoint just replaced freed its block, so
   * this succeeds even on a disk that filled up meanwhile; if it fails, the next write needs a new
   * block. The spare is not forced: lost in a crash, it is simply made again.
   */
  private static void prepareSpare(SegmentIo io, Path spare) {
    try (FileChannel ch = io.openReadWrite(spare)) {
      SegmentIo.writeFully(io, ch, ByteBuffer.allocate(SIZE), 0);
    } catch (IOException e) {
      try {
        io.delete(spare);
      } catch (IOException ignored) {
        // the next write finds no usable spare and uses the temporary name
      }
    }
  }
}
