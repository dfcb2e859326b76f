package dev.logstream.buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Offsets, sizes and checks of the on-disk format drawn in {@link SegmentBuffer}'s Javadoc. All
 * integers are little-endian.
 */
final class SegmentFormat {
  static final int MAGIC = 0x4745534c; // "LSEG" read as a little-endian int
  static final int VERSION = 1;
  static final int HEADER_SIZE = 64;
  static final int FRAME_HEADER_SIZE = 16;
  static final int ALIGNMENT = 8;

  static final int H_MAGIC = 0;
  static final int H_VERSION = 4;
  static final int H_HEADER_SIZE = 6;
  static final int H_SEGMENT_ID = 8;
  static final int H_FIRST_SEQUENCE = 16;
  static final int H_SEGMENT_SIZE = 24;
  static final int H_CRC = 28;
  static final int H_CRC_COVERED = 28;

  static final int F_LENGTH = 0;
  static final int F_CRC = 4;
  static final int F_SEQUENCE = 8;

  private SegmentFormat() {}

  /** Frame size for a payload of {@code length} bytes, rounded up to the alignment. */
  static long frameSize(long length) {
    return (FRAME_HEADER_SIZE + length + ALIGNMENT - 1) & -ALIGNMENT;
  }

  /** The largest payload a segment of {@code segmentSize} bytes holds. */
  static int maxPayload(int segmentSize) {
    return (segmentSize - HEADER_SIZE - FRAME_HEADER_SIZE) & -ALIGNMENT;
  }

  /** Writes a header for a segment into the first {@link #HEADER_SIZE} bytes of {@code map}. */
  static void writeHeader(ByteBuffer map, long segmentId, long firstSequence, int segmentSize) {
    ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(H_MAGIC, MAGIC);
    h.putShort(H_VERSION, (short) VERSION);
    h.putShort(H_HEADER_SIZE, (short) HEADER_SIZE);
    h.putLong(H_SEGMENT_ID, segmentId);
    h.putLong(H_FIRST_SEQUENCE, firstSequence);
    h.putInt(H_SEGMENT_SIZE, segmentSize);
    CRC32C crc = new CRC32C();
    crc.update(h.array(), 0, H_CRC_COVERED);
    h.putInt(H_CRC, (int) crc.getValue());
    map.put(0, h.array());
  }

  /** A segment header as read from disk. */
  record Header(
      int magic,
      int version,
      int headerSize,
      long segmentId,
      long firstSequence,
      int segmentSize,
      boolean crcMatches) {
    boolean isValid() {
      return magic == MAGIC && crcMatches && headerSize == HEADER_SIZE;
    }
  }

  /** Reads the header of a mapped segment of at least {@link #HEADER_SIZE} bytes. */
  static Header readHeader(ByteBuffer map) {
    ByteBuffer m = map.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    byte[] covered = new byte[H_CRC_COVERED];
    m.get(0, covered);
    CRC32C crc = new CRC32C();
    crc.update(covered);
    return new Header(
        m.getInt(H_MAGIC),
        Short.toUnsignedInt(m.getShort(H_VERSION)),
        Short.toUnsignedInt(m.getShort(H_HEADER_SIZE)),
        m.getLong(H_SEGMENT_ID),
        m.getLong(H_FIRST_SEQUENCE),
        m.getInt(H_SEGMENT_SIZE),
        (int) crc.getValue() == m.getInt(H_CRC));
  }

  /**
   * The CRC-32C a frame must carry: over the 4 length bytes, the 8 sequence bytes and the payload.
   */
  static int frameCrc(CRC32C crc, ByteBuffer map, int frameOffset, int length) {
    crc.reset();
    ByteBuffer m = map.duplicate();
    m.limit(frameOffset + F_CRC).position(frameOffset);
    crc.update(m);
    m.limit(frameOffset + FRAME_HEADER_SIZE + length).position(frameOffset + F_SEQUENCE);
    crc.update(m);
    return (int) crc.getValue();
  }
}
