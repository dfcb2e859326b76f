package dev.logstream.core;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable value of a log record field: anything a msgpack record can hold.
 *
 * <p>Strings are kept as the raw bytes that arrived (they may be invalid UTF-8, which the Kinesis
 * encoder repairs); {@link StringValue#text()} decodes them with U+FFFD replacement. Byte arrays
 * are copied in and out, so values are safe to share.
 */
public sealed interface FieldValue
    permits FieldValue.StringValue,
        FieldValue.BinaryValue,
        FieldValue.IntegerValue,
        FieldValue.FloatValue,
        FieldValue.BooleanValue,
        FieldValue.NilValue,
        FieldValue.ArrayValue,
        FieldValue.MapValue,
        FieldValue.ExtensionValue {

  /**
   * Replays this value into a visitor.
   *
   * @param visitor receives the value's events
   */
  void accept(ValueVisitor visitor);

  /**
   * Returns a string value holding the UTF-8 encoding of {@code text}.
   *
   * @param text the text
   * @return the value
   */
  static StringValue string(String text) {
    return new StringValue(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns an integer value.
   *
   * @param value the value
   * @return the value
   */
  static IntegerValue integer(long value) {
    return new IntegerValue(BigInteger.valueOf(value));
  }

  /**
   * A msgpack {@code str}, as raw bytes.
   *
   * @param bytes the string's bytes, normally UTF-8 (copied)
   */
  record StringValue(byte[] bytes) implements FieldValue {
    /**
     * Copies the bytes.
     *
     * @param bytes the string's bytes, normally UTF-8
     */
    public StringValue {
      bytes = bytes.clone();
    }

    /**
     * Returns a copy of the raw bytes.
     *
     * @return the bytes
     */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /**
     * Decodes the bytes as UTF-8, replacing invalid sequences with U+FFFD.
     *
     * @return the text
     */
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void accept(ValueVisitor visitor) {
      visitor.stringValue(bytes, 0, bytes.length);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof StringValue that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return '"' + text() + '"';
    }
  }

  /**
   * A msgpack {@code bin}.
   *
   * @param bytes the value (copied)
   */
  record BinaryValue(byte[] bytes) implements FieldValue {
    /**
     * Copies the bytes.
     *
     * @param bytes the value
     */
    public BinaryValue {
      bytes = bytes.clone();
    }

    /**
     * Returns a copy of the bytes.
     *
     * @return the bytes
     */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public void accept(ValueVisitor visitor) {
      visitor.binaryValue(bytes, 0, bytes.length);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof BinaryValue that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "bin[" + bytes.length + "]";
    }
  }

  /**
   * A msgpack integer: any value from {@code -2^63} to {@code 2^64-1}.
   *
   * @param value the value
   */
  record IntegerValue(BigInteger value) implements FieldValue {
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /**
     * Checks the msgpack range.
     *
     * @param value the value, from {@code -2^63} to {@code 2^64-1}
     * @throws IllegalArgumentException if the value does not fit msgpack's integer types
     */
    public IntegerValue {
      if (value.compareTo(MIN) < 0 || value.compareTo(MAX) > 0) {
        throw new IllegalArgumentException(
            "integer must be in -2^63..2^64-1 (msgpack int64/uint64), got " + value);
      }
    }

    @Override
    public void accept(ValueVisitor visitor) {
      if (value.bitLength() <= 63) {
        visitor.integerValue(value.longValue());
      } else {
        visitor.unsignedIntegerValue(value.longValue());
      }
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }

  /**
   * A msgpack {@code float 32} or {@code float 64}.
   *
   * @param value the value, possibly NaN or infinite
   * @param singlePrecision whether it travels as {@code float 32}
   */
  record FloatValue(double value, boolean singlePrecision) implements FieldValue {
    @Override
    public void accept(ValueVisitor visitor) {
      if (singlePrecision) {
        visitor.floatValue((float) value);
      } else {
        visitor.doubleValue(value);
      }
    }

    @Override
    public String toString() {
      return Double.toString(value);
    }
  }

  /**
   * A boolean.
   *
   * @param value the value
   */
  record BooleanValue(boolean value) implements FieldValue {
    @Override
    public void accept(ValueVisitor visitor) {
      visitor.booleanValue(value);
    }
  }

  /** The msgpack {@code nil} value. */
  record NilValue() implements FieldValue {
    /** The one nil value. */
    public static final NilValue INSTANCE = new NilValue();

    @Override
    public void accept(ValueVisitor visitor) {
      visitor.nilValue();
    }

    @Override
    public String toString() {
      return "nil";
    }
  }

  /**
   * An array of values.
   *
   * @param elements the elements (copied into an unmodifiable list)
   */
  record ArrayValue(List<FieldValue> elements) implements FieldValue {
    /**
     * Copies the elements.
     *
     * @param elements the elements, none null
     */
    public ArrayValue {
      elements = List.copyOf(elements);
    }

    @Override
    public void accept(ValueVisitor visitor) {
      visitor.startArray(elements.size());
      for (FieldValue element : elements) {
        element.accept(visitor);
      }
      visitor.endArray();
    }
  }

  /**
   * A map of values; keys keep their order and need not be strings.
   *
   * @param entries the entries in order (copied into an unmodifiable map)
   */
  record MapValue(Map<FieldValue, FieldValue> entries) implements FieldValue {
    /**
     * Copies the entries, keeping their order.
     *
     * @param entries the entries, none null
     */
    public MapValue {
      entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public void accept(ValueVisitor visitor) {
      visitor.startMap(entries.size());
      for (Map.Entry<FieldValue, FieldValue> entry : entries.entrySet()) {
        entry.getKey().accept(visitor);
        entry.getValue().accept(visitor);
      }
      visitor.endMap();
    }
  }

  /**
   * A msgpack extension value.
   *
   * @param type the extension type
   * @param bytes the payload (copied)
   */
  record ExtensionValue(byte type, byte[] bytes) implements FieldValue {
    /**
     * Copies the payload.
     *
     * @param type the extension type
     * @param bytes the payload
     */
    public ExtensionValue {
      bytes = bytes.clone();
    }

    /**
     * Returns a copy of the payload.
     *
     * @return the payload
     */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public void accept(ValueVisitor visitor) {
      visitor.extensionValue(type, bytes, 0, bytes.length);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof ExtensionValue that
          && type == that.type
          && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
      return 31 * type + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "ext(" + type + ")[" + bytes.length + "]";
    }
  }
}
