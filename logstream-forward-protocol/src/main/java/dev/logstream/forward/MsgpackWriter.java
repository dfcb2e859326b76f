package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;
import dev.logstream.core.ValueVisitor;

/**
 * A {@link ValueVisitor} that writes what it receives as msgpack into a {@link GrowableBytes}, in
 * the smallest encoding of each header, so a replayed value can be kept and replayed again with
 * {@link MsgpackRecordView#replay}. Used to copy the fields of a buffered partial-message piece.
 *
 * <p>Maps and arrays are written with the size their {@code start} event announces; the visitor
 * trusts it (every {@link dev.logstream.core.RecordView} announces the count it then emits).
 */
final class MsgpackWriter implements ValueVisitor {
  private GrowableBytes out;

  MsgpackWriter target(GrowableBytes target) {
    this.out = target;
    return this;
  }

  @Override
  public void startMap(int size) {
    if (size < 16) {
      out.write(0x80 | size);
    } else if (size < 65_536) {
      out.write(Msgpack.MAP16);
      writeShort(size);
    } else {
      out.write(Msgpack.MAP32);
      writeInt(size);
    }
  }

  @Override
  public void endMap() {}

  @Override
  public void startArray(int size) {
    if (size < 16) {
      out.write(0x90 | size);
    } else if (size < 65_536) {
      out.write(Msgpack.ARRAY16);
      writeShort(size);
    } else {
      out.write(Msgpack.ARRAY32);
      writeInt(size);
    }
  }

  @Override
  public void endArray() {}

  @Override
  public void stringValue(byte[] bytes, int offset, int length) {
    if (length < 32) {
      out.write(0xA0 | length);
    } else if (length < 256) {
      out.write(Msgpack.STR8);
      out.write(length);
    } else if (length < 65_536) {
      out.write(Msgpack.STR16);
      writeShort(length);
    } else {
      out.write(Msgpack.STR32);
      writeInt(length);
    }
    out.write(bytes, offset, length);
  }

  @Override
  public void binaryValue(byte[] bytes, int offset, int length) {
    if (length < 256) {
      out.write(Msgpack.BIN8);
      out.write(length);
    } else if (length < 65_536) {
      out.write(Msgpack.BIN16);
      writeShort(length);
    } else {
      out.write(Msgpack.BIN32);
      writeInt(length);
    }
    out.write(bytes, offset, length);
  }

  @Override
  public void integerValue(long value) {
    if (value >= -32 && value <= 127) {
      out.write((int) value & 0xFF);
    } else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
      out.write(Msgpack.INT32);
      writeInt((int) value);
    } else {
      out.write(Msgpack.INT64);
      writeLong(value);
    }
  }

  @Override
  public void unsignedIntegerValue(long bits) {
    out.write(Msgpack.UINT64);
    writeLong(bits);
  }

  @Override
  public void floatValue(float value) {
    out.write(Msgpack.FLOAT32);
    writeInt(Float.floatToRawIntBits(value));
  }

  @Override
  public void doubleValue(double value) {
    out.write(Msgpack.FLOAT64);
    writeLong(Double.doubleToRawLongBits(value));
  }

  @Override
  public void booleanValue(boolean value) {
    out.write(value ? Msgpack.TRUE : Msgpack.FALSE);
  }

  @Override
  public void nilValue() {
    out.write(Msgpack.NIL);
  }

  @Override
  public void extensionValue(byte type, byte[] bytes, int offset, int length) {
    switch (length) {
      case 1 -> out.write(0xD4);
      case 2 -> out.write(0xD5);
      case 4 -> out.write(0xD6);
      case 8 -> out.write(Msgpack.FIXEXT8);
      case 16 -> out.write(Msgpack.FIXEXT16);
      default -> {
        if (length < 256) {
          out.write(Msgpack.EXT8);
          out.write(length);
        } else if (length < 65_536) {
          out.write(Msgpack.EXT16);
          writeShort(length);
        } else {
          out.write(Msgpack.EXT32);
          writeInt(length);
        }
      }
    }
    out.write(type);
    out.write(bytes, offset, length);
  }

  private void writeShort(int value) {
    out.write(value >>> 8);
    out.write(value);
  }

  private void writeInt(int value) {
    out.write(value >>> 24);
    out.write(value >>> 16);
    out.write(value >>> 8);
    out.write(value);
  }

  private void writeLong(long value) {
    writeInt((int) (value >>> 32));
    writeInt((int) value);
  }
}
