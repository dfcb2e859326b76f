package dev.logstream.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test helpers that damage a buffer directory's files and predict where records lie. */
final class SegmentFiles {
  private SegmentFiles() {}

  static String segmentName(long id) {
    return String.format("segment-%020d.seg", id);
  }

  static Path segment(Path dir, long id) {
    return dir.resolve(segmentName(id));
  }

  /** The segment files in {@code dir}, in name (= id) order. */
  static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
  }

  /** Every file directly in {@code dir} with its bytes, by name. */
  static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        files.put(
            p.getFileName().toString() + (Files.isDirectory(p) ? "/" : ""),
            Files.isDirectory(p) ? new byte[0] : Files.readAllBytes(p));
      }
    }
    return files;
  }

  static void flipBit(Path file, long byteOffset, int bit) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, byteOffset);
      b.put(0, (byte) (b.get(0) ^ (1 << bit)));
      ch.write(b.rewind(), byteOffset);
    }
  }

  static void overwrite(Path file, long at, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b, at + b.position());
      }
    }
  }

  static void zero(Path file, long from, long to) throws IOException {
    overwrite(file, from, new byte[(int) (to - from)]);
  }

  static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }

  /** Rewrites a segment header's version field with a matching header CRC. */
  static void setHeaderVersion(Path file, int version) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer h = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    h.putShort(SegmentFormat.H_VERSION, (short) version);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, SegmentFormat.H_CRC_COVERED);
    h.putInt(SegmentFormat.H_CRC, (int) crc.getValue());
    overwrite(file, 0, java.util.Arrays.copyOf(bytes, SegmentFormat.HEADER_SIZE));
  }

  /** Where the writer puts a record: segment id and the frame's byte range in that file. */
  record Placement(long sequence, long segmentId, int offset, int end) {}

  /**
   * Predicts where records of the given payload sizes land when appended one by one to a fresh
   * buffer (sequence 1 first): the writer rolls to a new segment id when a frame does not fit.
   */
  static List<Placement> layout(List<Integer> sizes, int segmentSize) {
    List<Placement> out = new ArrayList<>();
    long id = 0;
    int position = segmentSize;
    long sequence = 1;
    for (int size : sizes) {
      int frame = (int) SegmentFormat.frameSize(size);
      if (segmentSize - position < frame) {
        id++;
        position = SegmentFormat.HEADER_SIZE;
      }
      out.add(new Placement(sequence++, id, position, position + frame));
      position += frame;
    }
    return out;
  }

  /** Reads every record a new reader sees, as sequence to payload, in reading order. */
  static LinkedHashMap<Long, byte[]> readAll(SegmentBuffer buffer) {
    LinkedHashMap<Long, byte[]> out = new LinkedHashMap<>();
    List<Long> order = new ArrayList<>();
    try (BufferReader reader = buffer.openReader()) {
      while (reader.read(
              64,
              Long.MAX_VALUE,
              (seq, view) -> {
                byte[] copy = new byte[view.remaining()];
                view.get(copy);
                order.add(seq);
                out.put(seq, copy);
              })
          > 0) {}
    }
    if (order.size() != out.size()) {
      throw new AssertionError("a sequence was read twice: " + order);
    }
    for (int i = 1; i < order.size(); i++) {
      if (order.get(i) <= order.get(i - 1)) {
        throw new AssertionError("sequences not strictly increasing: " + order);
      }
    }
    return out;
  }
}
