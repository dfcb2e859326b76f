package dev.logstream.forward;

import dev.logstream.core.RecordView;
import dev.logstream.core.ValueVisitor;

/**
 * A {@link RecordView} over a msgpack map inside a frame's bytes: replays it into a visitor
 * straight from the buffer, so the encoder transcodes the record with no objects in between.
 *
 * <p>A flyweight: {@link ForwardFrame#record(int)} re-points the one instance it owns. The bytes
 * were checked by {@link MsgpackScanner}, so lengths are in bounds and nesting is bounded.
 */
final class MsgpackRecordView implements RecordView {
  private byte[] buffer;
  private int offset;

  MsgpackRecordView pointAt(byte[] buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  @Override
  public void accept(ValueVisitor visitor) {
    replay(buffer, offset, visitor);
  }

  /** Replays the value at {@code pos} and returns where it ends. */
  static int replay(byte[] buf, int pos, ValueVisitor visitor) {
    int b = buf[pos] & 0xFF;
    int header = Msgpack.headerLength(b);
    if (Msgpack.isString(b)) {
      int length = (int) Msgpack.payloadLength(buf, pos, b);
      visitor.stringValue(buf, pos + header, length);
      return pos + header + length;
    }
    if (Msgpack.isMap(b)) {
      int pairs = (int) Msgpack.mapLength(buf, pos, b);
      visitor.startMap(pairs);
      int p = pos + header;
      for (int i = 0; i < pairs; i++) {
        p = replay(buf, p, visitor);
        p = replay(buf, p, visitor);
      }
      visitor.endMap();
      return p;
    }
    if (Msgpack.isArray(b)) {
      int elements = (int) Msgpack.arrayLength(buf, pos, b);
      visitor.startArray(elements);
      int p = pos + header;
      for (int i = 0; i < elements; i++) {
        p = replay(buf, p, visitor);
      }
      visitor.endArray();
      return p;
    }
    if (Msgpack.isInteger(b)) {
      long value = Msgpack.readInteger(buf, pos, b);
      if (Msgpack.isUint64Above(buf, pos, b)) {
        visitor.unsignedIntegerValue(value);
      } else {
        visitor.integerValue(value);
      }
      return pos + header;
    }
    if (Msgpack.isBinary(b)) {
      int length = (int) Msgpack.payloadLength(buf, pos, b);
      visitor.binaryValue(buf, pos + header, length);
      return pos + header + length;
    }
    if (Msgpack.isExtension(b)) {
      int length = (int) Msgpack.payloadLength(buf, pos, b);
      visitor.extensionValue(Msgpack.extensionType(buf, pos, b), buf, pos + header, length);
      return pos + header + length;
    }
    switch (b) {
      case Msgpack.NIL -> visitor.nilValue();
      case Msgpack.TRUE -> visitor.booleanValue(true);
      case Msgpack.FALSE -> visitor.booleanValue(false);
      case Msgpack.FLOAT32 ->
          visitor.floatValue(Float.intBitsToFloat(Msgpack.readInt(buf, pos + 1)));
      case Msgpack.FLOAT64 ->
          visitor.doubleValue(Double.longBitsToDouble(Msgpack.readLong(buf, pos + 1)));
      default -> throw new MalformedFrameException(Msgpack.typeName(b) + " in a record");
    }
    return pos + header;
  }
}
