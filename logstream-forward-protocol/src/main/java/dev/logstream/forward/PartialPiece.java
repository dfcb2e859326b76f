package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;
import dev.logstream.core.RecordView;
import dev.logstream.core.ValueVisitor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads Docker's partial-message keys out of a record, in two steps.
 *
 * <ol>
 *   <li>{@link #isPartial} walks the record once and compares top-level key bytes with {@code
 *       partial_message} and its value with {@code "true"}: no allocation, so whole lines pay one
 *       replay of their record and nothing else.
 *   <li>{@link #read} (pieces only) walks it again and copies out what a group needs: the {@code
 *       log} bytes, {@code partial_id}, {@code partial_ordinal}, {@code partial_last}, {@code
 *       container_id}, and every other top-level pair as msgpack into {@link #fields}, remembering
 *       where {@code log} stood among them.
 * </ol>
 *
 * <p>One instance per assembler, reused; not thread-safe.
 */
final class PartialPiece {
  /** The largest ordinal accepted: nine decimal digits. */
  static final int MAX_ORDINAL = 999_999_999;

  /** The longest {@code partial_id} accepted; Docker's are 64 hex digits. */
  static final int MAX_ID_BYTES = 256;

  static final byte[] LOG = utf8("log");
  static final byte[] CONTAINER_ID = utf8("container_id");
  static final byte[] PARTIAL_MESSAGE = utf8("partial_message");
  static final byte[] PARTIAL_ID = utf8("partial_id");
  static final byte[] PARTIAL_ORDINAL = utf8("partial_ordinal");
  static final byte[] PARTIAL_LAST = utf8("partial_last");
  static final byte[] TRUE = utf8("true");

  private final Scan scan = new Scan();
  private final Reader reader = new Reader();
  private final MsgpackWriter writer = new MsgpackWriter();

  /** The piece's {@code log} bytes. */
  final GrowableBytes log = new GrowableBytes(16 * 1024 + 64);

  /** Every top-level pair but {@code log} and {@code partial_*}, as msgpack key/value pairs. */
  GrowableBytes fields = new GrowableBytes(512);

  /** The number of pairs in {@link #fields}. */
  int fieldPairs;

  /** How many pairs of {@link #fields} came before {@code log}. */
  int logIndex;

  /** {@code partial_id}'s bytes, or null if absent or not a string. */
  byte[] id;

  /** {@code container_id}, or the empty string. */
  String containerId;

  /** {@code partial_ordinal}, or -1 if absent or not a number in {@code 1..MAX_ORDINAL}. */
  int ordinal;

  /** Whether {@code partial_last} is {@code "true"}. */
  boolean last;

  private boolean hasLog;
  private boolean malformed;

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Whether the record has a top-level {@code partial_message} equal to {@code "true"}.
   * Allocation-free.
   */
  boolean isPartial(RecordView record) {
    scan.reset();
    record.accept(scan);
    return scan.partial;
  }

  /**
   * Reads a piece. Returns false if it cannot be grouped: no string {@code log}, no string {@code
   * partial_id} (Docker before 19.03), or an ordinal that is not a positive decimal number.
   */
  boolean read(RecordView record) {
    log.clear();
    fields.clear();
    fieldPairs = 0;
    logIndex = 0;
    id = null;
    containerId = "";
    ordinal = -1;
    last = false;
    hasLog = false;
    malformed = false;
    reader.reset();
    writer.target(fields);
    record.accept(reader);
    return !malformed && hasLog && id != null && ordinal > 0;
  }

  static boolean equal(byte[] bytes, int offset, int length, byte[] expected) {
    return length == expected.length
        && Arrays.equals(bytes, offset, offset + length, expected, 0, length);
  }

  private static int parseOrdinal(byte[] bytes, int offset, int length) {
    if (length < 1 || length > 9) {
      return -1;
    }
    int value = 0;
    for (int i = offset; i < offset + length; i++) {
      int digit = bytes[i] - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value > 0 ? value : -1;
  }

  /** Finds {@code partial_message: "true"} among the top-level pairs. */
  private static final class Scan implements ValueVisitor {
    private int depth;
    private boolean atKey;
    private boolean valueIsPartialMessage;
    boolean partial;

    void reset() {
      depth = 0;
      atKey = true;
      valueIsPartialMessage = false;
      partial = false;
    }

    private void scalar(boolean string, byte[] bytes, int offset, int length) {
      if (depth != 1) {
        return;
      }
      if (atKey) {
        valueIsPartialMessage = string && equal(bytes, offset, length, PARTIAL_MESSAGE);
      } else if (valueIsPartialMessage && string && equal(bytes, offset, length, TRUE)) {
        partial = true;
      }
      atKey = !atKey;
    }

    private void start() {
      if (depth == 1 && atKey) {
        valueIsPartialMessage = false;
      }
      depth++;
    }

    private void end() {
      depth--;
      if (depth == 1) {
        atKey = !atKey;
      }
    }

    @Override
    public void startMap(int size) {
      start();
    }

    @Override
    public void endMap() {
      end();
    }

    @Override
    public void startArray(int size) {
      start();
    }

    @Override
    public void endArray() {
      end();
    }

    @Override
    public void stringValue(byte[] bytes, int offset, int length) {
      scalar(true, bytes, offset, length);
    }

    @Override
    public void binaryValue(byte[] bytes, int offset, int length) {
      scalar(false, null, 0, 0);
    }

    @Override
    public void integerValue(long value) {
      scalar(false, null, 0, 0);
    }

    @Override
    public void unsignedIntegerValue(long bits) {
      scalar(false, null, 0, 0);
    }

    @Override
    public void floatValue(float value) {
      scalar(false, null, 0, 0);
    }

    @Override
    public void doubleValue(double value) {
      scalar(false, null, 0, 0);
    }

    @Override
    public void booleanValue(boolean value) {
      scalar(false, null, 0, 0);
    }

    @Override
    public void nilValue() {
      scalar(false, null, 0, 0);
    }

    @Override
    public void extensionValue(byte type, byte[] bytes, int offset, int length) {
      scalar(false, null, 0, 0);
    }
  }

  private enum Kind {
    COPY,
    CONTAINER_ID,
    LOG,
    DROP,
    ID,
    ORDINAL,
    LAST
  }

  /** Copies a piece's fields and picks out its partial keys. */
  private final class Reader implements ValueVisitor {
    private int depth;
    private boolean atKey;
    private boolean containerIsKey;
    private boolean copying;
    private Kind kind;

    void reset() {
      depth = 0;
      atKey = true;
      copying = false;
      kind = Kind.COPY;
    }

    private Kind classify(byte[] bytes, int offset, int length) {
      if (!hasLog && equal(bytes, offset, length, LOG)) {
        hasLog = true;
        return Kind.LOG;
      } else if (equal(bytes, offset, length, CONTAINER_ID)) {
        return Kind.CONTAINER_ID;
      } else if (equal(bytes, offset, length, PARTIAL_MESSAGE)) {
        return Kind.DROP;
      } else if (equal(bytes, offset, length, PARTIAL_ID)) {
        return Kind.ID;
      } else if (equal(bytes, offset, length, PARTIAL_ORDINAL)) {
        return Kind.ORDINAL;
      } else if (equal(bytes, offset, length, PARTIAL_LAST)) {
        return Kind.LAST;
      }
      return Kind.COPY;
    }

    /** A scalar at the top level; returns whether it is to be copied into the fields. */
    private boolean topScalar(boolean string, byte[] bytes, int offset, int length) {
      if (atKey) {
        atKey = false;
        kind = string ? classify(bytes, offset, length) : Kind.COPY;
        if (kind == Kind.COPY || kind == Kind.CONTAINER_ID) {
          fieldPairs++;
          return true;
        }
        if (kind == Kind.LOG) {
          logIndex = fieldPairs;
        }
        return false;
      }
      atKey = true;
      switch (kind) {
        case COPY:
          return true;
        case CONTAINER_ID:
          if (string) {
            containerId = new String(bytes, offset, length, StandardCharsets.UTF_8);
          }
          return true;
        case LOG:
          if (string) {
            log.write(bytes, offset, length);
          } else {
            malformed = true;
          }
          return false;
        case ID:
          if (string && length > 0 && length <= MAX_ID_BYTES) {
            id = Arrays.copyOfRange(bytes, offset, offset + length);
          } else {
            malformed = true;
          }
          return false;
        case ORDINAL:
          ordinal = string ? parseOrdinal(bytes, offset, length) : -1;
          return false;
        case LAST:
          last = string && equal(bytes, offset, length, TRUE);
          return false;
        default:
          return false;
      }
    }

    /** Whether a scalar event goes to the fields; handles the top-level bookkeeping. */
    private boolean copyScalar(boolean string, byte[] bytes, int offset, int length) {
      return depth > 1 ? copying : topScalar(string, bytes, offset, length);
    }

    private boolean copyStart() {
      if (depth == 0) {
        depth = 1;
        return false;
      }
      if (depth == 1) {
        containerIsKey = atKey;
        if (atKey) {
          kind = Kind.COPY;
          fieldPairs++;
          copying = true;
        } else {
          copying = kind == Kind.COPY || kind == Kind.CONTAINER_ID;
          if (kind != Kind.DROP && !copying) {
            malformed = true; // log or a partial key holding a container
          }
        }
      }
      depth++;
      return copying;
    }

    private void end() {
      depth--;
      if (depth == 1) {
        atKey = !containerIsKey;
        copying = false;
      }
    }

    @Override
    public void startMap(int size) {
      if (copyStart()) {
        writer.startMap(size);
      }
    }

    @Override
    public void endMap() {
      end();
    }

    @Override
    public void startArray(int size) {
      if (copyStart()) {
        writer.startArray(size);
      }
    }

    @Override
    public void endArray() {
      end();
    }

    @Override
    public void stringValue(byte[] bytes, int offset, int length) {
      if (copyScalar(true, bytes, offset, length)) {
        writer.stringValue(bytes, offset, length);
      }
    }

    @Override
    public void binaryValue(byte[] bytes, int offset, int length) {
      if (copyScalar(false, null, 0, 0)) {
        writer.binaryValue(bytes, offset, length);
      }
    }

    @Override
    public void integerValue(long value) {
      if (copyScalar(false, null, 0, 0)) {
        writer.integerValue(value);
      }
    }

    @Override
    public void unsignedIntegerValue(long bits) {
      if (copyScalar(false, null, 0, 0)) {
        writer.unsignedIntegerValue(bits);
      }
    }

    @Override
    public void floatValue(float value) {
      if (copyScalar(false, null, 0, 0)) {
        writer.floatValue(value);
      }
    }

    @Override
    public void doubleValue(double value) {
      if (copyScalar(false, null, 0, 0)) {
        writer.doubleValue(value);
      }
    }

    @Override
    public void booleanValue(boolean value) {
      if (copyScalar(false, null, 0, 0)) {
        writer.booleanValue(value);
      }
    }

    @Override
    public void nilValue() {
      if (copyScalar(false, null, 0, 0)) {
        writer.nilValue();
      }
    }

    @Override
    public void extensionValue(byte type, byte[] bytes, int offset, int length) {
      if (copyScalar(false, null, 0, 0)) {
        writer.extensionValue(type, bytes, offset, length);
      }
    }
  }
}
