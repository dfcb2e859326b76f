package dev.logstream.core;

/**
 * Receives a msgpack-shaped value as a stream of events, so a record can travel from the wire to
 * the Kinesis JSON encoder without being materialised as a {@code Map}.
 *
 * <p>A map of {@code n} entries is {@link #startMap(int) startMap(n)}, then for each entry the key
 * events followed by the value events, then {@link #endMap()}. An array is {@link
 * #startArray(int)}, its elements, {@link #endArray()}. Keys are usually strings but may be any
 * value, as msgpack allows.
 *
 * <p>Byte ranges passed to {@link #stringValue}, {@link #binaryValue} and {@link #extensionValue}
 * are only valid during the call: a visitor that keeps them must copy them. String bytes are what
 * arrived on the wire and may be invalid UTF-8; it is the visitor's job to cope.
 */
public interface ValueVisitor {

  /**
   * Starts a map.
   *
   * @param size the number of key/value pairs that follow
   */
  void startMap(int size);

  /** Ends the innermost open map. */
  void endMap();

  /**
   * Starts an array.
   *
   * @param size the number of elements that follow
   */
  void startArray(int size);

  /** Ends the innermost open array. */
  void endArray();

  /**
   * A msgpack {@code str}: raw bytes that ought to be, but need not be, UTF-8.
   *
   * @param bytes the buffer holding the string
   * @param offset where the string starts
   * @param length its length in bytes
   */
  void stringValue(byte[] bytes, int offset, int length);

  /**
   * A msgpack {@code bin}.
   *
   * @param bytes the buffer holding the value
   * @param offset where the value starts
   * @param length its length in bytes
   */
  void binaryValue(byte[] bytes, int offset, int length);

  /**
   * A signed integer that fits in a {@code long}.
   *
   * @param value the value
   */
  void integerValue(long value);

  /**
   * An unsigned 64-bit integer above {@link Long#MAX_VALUE}.
   *
   * @param bits the value's 64 bits; read with {@link Long#toUnsignedString(long)}
   */
  void unsignedIntegerValue(long bits);

  /**
   * A msgpack {@code float 32}.
   *
   * @param value the value, possibly NaN or infinite
   */
  void floatValue(float value);

  /**
   * A msgpack {@code float 64}.
   *
   * @param value the value, possibly NaN or infinite
   */
  void doubleValue(double value);

  /**
   * A boolean.
   *
   * @param value the value
   */
  void booleanValue(boolean value);

  /** A msgpack {@code nil}. */
  void nilValue();

  /**
   * A msgpack extension value (type 0 is a Fluentd EventTime, type -1 a msgpack timestamp).
   *
   * @param type the extension type
   * @param bytes the buffer holding the payload
   * @param offset where the payload starts
   * @param length its length in bytes
   */
  void extensionValue(byte type, byte[] bytes, int offset, int length);
}
