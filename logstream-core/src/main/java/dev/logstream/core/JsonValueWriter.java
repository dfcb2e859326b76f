package dev.logstream.core;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Turns {@link ValueVisitor} events into JSON through a Jackson generator.
 *
 * <p>Owns the mapping from msgpack to JSON (documented on {@link KinesisRecordEncoder}) and the
 * bookkeeping JSON needs that msgpack does not: which map level expects a name, values to skip
 * (top-level fields the encoder injects itself) and non-string map keys, which JSON cannot have.
 *
 * <p>In record mode the root must be a map; its closing brace is left to the encoder so it can
 * append {@code time} and {@code tag}. In fragment mode (used to render a complex map key as text)
 * any value is written whole.
 */
final class JsonValueWriter implements ValueVisitor {
  private static final int WRITE = 0;
  private static final int FORWARD = 1;
  private static final int CONSUMED = 2;

  /** The longest name a map key that is an array or a map gets: its JSON text, cut here. */
  static final int MAX_COMPLEX_KEY_BYTES = 1024;

  private final boolean recordMode;
  private final TimePrecision precision;
  private final KeyNameCache keyNames;
  private final byte[] timeScratch = new byte[IsoTimeWriter.MAX_LENGTH];

  private JsonGenerator generator;
  private byte[] escapeScratch = new byte[1024];

  // Per open container: is it a map, and does it expect a key next? Index 0 is outside the root.
  private boolean[] isMap = new boolean[16];
  private boolean[] expectsKey = new boolean[16];
  private int depth;
  private boolean rootClosed;

  // Skipping one value (a reserved top-level field): open containers inside the skipped value.
  private boolean skipping;
  private int skipNesting;

  // Rendering a map key that is itself an array or map.
  private JsonValueWriter keyWriter;
  private GrowableBytes keyText;
  private int keyNesting;

  /**
   * Creates a writer.
   *
   * @param keyNames field names; names it flags as reserved are dropped at the top level of a
   *     record (the encoder injects them)
   */
  JsonValueWriter(boolean recordMode, TimePrecision precision, KeyNameCache keyNames) {
    this.recordMode = recordMode;
    this.precision = precision;
    this.keyNames = keyNames;
  }

  /** Starts a new value (a record in record mode) on {@code generator}. */
  void reset(JsonGenerator generator) {
    this.generator = generator;
    depth = 0;
    rootClosed = false;
    skipping = false;
    skipNesting = 0;
    keyNesting = 0;
  }

  /** Whether a complete record (root map opened and closed) has been seen. */
  boolean recordComplete() {
    return rootClosed && !skipping && keyNesting == 0;
  }

  // ---------------------------------------------------------------- containers

  @Override
  public void startMap(int size) {
    startContainer(true);
  }

  @Override
  public void startArray(int size) {
    startContainer(false);
  }

  @Override
  public void endMap() {
    endContainer(true);
  }

  @Override
  public void endArray() {
    endContainer(false);
  }

  private void startContainer(boolean map) {
    if (skipping) {
      skipNesting++;
      return;
    }
    if (keyNesting > 0) {
      keyNesting++;
      forwardStart(map);
      return;
    }
    if (expectingKey()) {
      beginComplexKey(map);
      return;
    }
    if (depth == 0) {
      if (rootClosed) {
        throw new RecordEncodingException("record view emitted more than one root value");
      }
      if (recordMode && !map) {
        throw new RecordEncodingException("record must be a map, got an array");
      }
    }
    try {
      if (map) {
        generator.writeStartObject();
      } else {
        generator.writeStartArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    push(map);
  }

  private void endContainer(boolean map) {
    if (skipping) {
      if (--skipNesting == 0) {
        skipping = false;
        valueDone();
      }
      return;
    }
    if (keyNesting > 0) {
      forwardEnd(map);
      if (--keyNesting == 0) {
        finishComplexKey();
      }
      return;
    }
    if (depth == 0 || isMap[depth] != map) {
      throw new RecordEncodingException(
          "record view ended " + (map ? "a map" : "an array") + " that was not open");
    }
    if (map && !expectsKey[depth]) {
      throw new RecordEncodingException("record view ended a map between a key and its value");
    }
    depth--;
    try {
      if (recordMode && depth == 0) {
        rootClosed = true; // the encoder appends time and tag, then closes the object
        return;
      }
      if (map) {
        generator.writeEndObject();
      } else {
        generator.writeEndArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (depth == 0) {
      rootClosed = true;
    }
    valueDone();
  }

  private void push(boolean map) {
    depth++;
    if (depth == isMap.length) {
      isMap = Arrays.copyOf(isMap, depth * 2);
      expectsKey = Arrays.copyOf(expectsKey, depth * 2);
    }
    isMap[depth] = map;
    expectsKey[depth] = map;
  }

  // ---------------------------------------------------------------- scalars

  @Override
  public void stringValue(byte[] bytes, int offset, int length) {
    int route = route();
    if (route != WRITE) {
      if (route == FORWARD) {
        keyWriter.stringValue(bytes, offset, length);
      }
      return;
    }
    try {
      if (expectingKey()) {
        KeyNameCache.Entry key = keyNames.lookup(bytes, offset, length);
        expectsKey[depth] = false;
        if (key.reserved() && depth == 1) {
          skipping = true; // the encoder writes its own value under this name
          skipNesting = 0;
          return;
        }
        generator.writeFieldName(key.name());
        return;
      }
      requireValueAllowed();
      int plain = JsonStrings.plainLength(bytes, offset, length);
      if (plain == length) {
        generator.writeRawUTF8String(bytes, offset, length); // nothing to escape: no copy
      } else {
        ensureEscapeCapacity(length);
        System.arraycopy(bytes, offset, escapeScratch, 0, plain);
        int escaped =
            plain + JsonStrings.escape(bytes, offset + plain, length - plain, escapeScratch, plain);
        generator.writeRawUTF8String(escapeScratch, 0, escaped);
      }
      valueDone();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void binaryValue(byte[] bytes, int offset, int length) {
    int route = route();
    if (route != WRITE) {
      if (route == FORWARD) {
        keyWriter.binaryValue(bytes, offset, length);
      }
      return;
    }
    if (expectingKey()) {
      textKey(
          Base64.getEncoder().encodeToString(Arrays.copyOfRange(bytes, offset, offset + length)));
      return;
    }
    requireValueAllowed();
    try {
      generator.writeBinary(bytes, offset, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    valueDone();
  }

  @Override
  public void integerValue(long value) {
    int route = route();
    if (route != WRITE) {
      if (route == FORWARD) {
        keyWriter.integerValue(value);
      }
      return;
    }
    if (expectingKey()) {
      textKey(Long.toString(value));
      return;
    }
    requireValueAllowed();
    try {
      generator.writeNumber(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    valueDone();
  }

  @Override
  public void unsignedIntegerValue(long bits) {
    int route = route();
    if (route != WRITE) {
      if (route == FORWARD) {
        keyWriter.unsignedIntegerValue(bits);
      }
      return;
    }
    String text = Long.toUnsignedString(bits);
    if (expectingKey()) {
      textKey(text);
      return;
    }
    requireValueAllowed();
    try {
      generator.writeNumber(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    valueDone();
  }

  @Override
  public void floatValue(float value) {
    floating(value, true);
  }

  @Override
  public void doubleValue(double value) {
    floating(value, false);
  }

  /** Both float widths: a float 32 is written as the shortest text that reads back as itself. */
  private void floating(double value, boolean singlePrecision) {
    int route = route();
    if (route != WRITE) {
      if (route == FORWARD && singlePrecision) {
        keyWriter.floatValue((float) value);
      } else if (route == FORWARD) {
        keyWriter.doubleValue(value);
      }
      return;
    }
    boolean finite = Double.isFinite(value);
    if (expectingKey()) {
      textKey(
          !finite
              ? nonFiniteName(value)
              : singlePrecision ? Float.toString((float) value) : Double.toString(value));
      return;
    }
    requireValueAllowed();
    try {
      if (!finite) {
        generator.writeString(nonFiniteName(value));
      } else if (singlePrecision) {
        generator.writeNumber((float) value);
      } else {
        generator.writeNumber(value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    valueDone();
  }

  @Override
  public void booleanValue(boolean value) {
    int route = route();
    if (route != WRITE) {
      if (route == FORWARD) {
        keyWriter.booleanValue(value);
      }
      return;
    }
    if (expectingKey()) {
      textKey(Boolean.toString(value));
      return;
    }
    requireValueAllowed();
    try {
      generator.writeBoolean(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    valueDone();
  }

  @Override
  public void nilValue() {
    int route = route();
    if (route != WRITE) {
      if (route == FORWARD) {
        keyWriter.nilValue();
      }
      return;
    }
    if (expectingKey()) {
      textKey("null");
      return;
    }
    requireValueAllowed();
    try {
      generator.writeNull();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    valueDone();
  }

  @Override
  public void extensionValue(byte type, byte[] bytes, int offset, int length) {
    int route = route();
    if (route != WRITE) {
      if (route == FORWARD) {
        keyWriter.extensionValue(type, bytes, offset, length);
      }
      return;
    }
    EventTime time = ExtensionTimes.decode(type, bytes, offset, length);
    if (expectingKey()) {
      textKey(
          time != null
              ? time.toString()
              : Base64.getEncoder()
                  .encodeToString(Arrays.copyOfRange(bytes, offset, offset + length)));
      return;
    }
    requireValueAllowed();
    try {
      if (time != null) {
        int n = IsoTimeWriter.write(time, precision, timeScratch);
        generator.writeRawUTF8String(timeScratch, 0, n);
      } else {
        generator.writeBinary(bytes, offset, length);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    valueDone();
  }

  // ---------------------------------------------------------------- bookkeeping

  /**
   * Decides where a scalar goes: written here, forwarded to the complex-key writer, or consumed
   * because it is (part of) a skipped value.
   */
  private int route() {
    if (skipping) {
      if (skipNesting == 0) {
        skipping = false; // the scalar was the whole skipped value
        valueDone();
      }
      return CONSUMED;
    }
    return keyNesting > 0 ? FORWARD : WRITE;
  }

  private boolean expectingKey() {
    return depth > 0 && isMap[depth] && expectsKey[depth];
  }

  private void requireValueAllowed() {
    if (depth == 0) {
      if (recordMode) {
        throw new RecordEncodingException("record must be a map, got a scalar value");
      }
      if (rootClosed) {
        throw new RecordEncodingException("record view emitted more than one root value");
      }
    }
  }

  private void valueDone() {
    if (depth == 0) {
      rootClosed = true;
    } else if (isMap[depth]) {
      expectsKey[depth] = true;
    }
  }

  private void textKey(String name) {
    try {
      generator.writeFieldName(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    expectsKey[depth] = false;
  }

  private void ensureEscapeCapacity(int length) {
    long needed = (long) length * JsonStrings.MAX_EXPANSION;
    if (needed > escapeScratch.length) {
      long grown = Math.max(needed, 2L * escapeScratch.length);
      if (grown > Integer.MAX_VALUE - 8) {
        throw new RecordEncodingException(
            "string of " + length + " bytes is too long to escape in one array");
      }
      escapeScratch = new byte[(int) grown];
    }
  }

  private static String nonFiniteName(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    return value > 0 ? "Infinity" : "-Infinity";
  }

  // A map key that is an array or a map: JSON names are strings, so the key is rendered as its
  // own JSON text. Rare enough that allocating here does not matter.

  private void beginComplexKey(boolean map) {
    if (keyWriter == null) {
      keyWriter = new JsonValueWriter(false, precision, new KeyNameCache());
      keyText = new GrowableBytes(64);
    }
    keyText.clear();
    try {
      keyWriter.reset(JsonSupport.FACTORY.createGenerator(keyText));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    keyNesting = 1;
    forwardStart(map);
  }

  private void forwardStart(boolean map) {
    if (map) {
      keyWriter.startMap(0);
    } else {
      keyWriter.startArray(0);
    }
  }

  private void forwardEnd(boolean map) {
    if (map) {
      keyWriter.endMap();
    } else {
      keyWriter.endArray();
    }
  }

  private void finishComplexKey() {
    try {
      keyWriter.generator.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // A complex key inside a complex key is escaped once per level, so the text can double with
    // each level: a chain of 30 one-pair maps (60 input bytes) would render to 2^30 bytes. Cutting
    // every level's text keeps the output linear in the input.
    int length = keyText.length();
    if (length > MAX_COMPLEX_KEY_BYTES) {
      length = MAX_COMPLEX_KEY_BYTES;
      while ((keyText.array()[length] & 0xC0) == 0x80) {
        length--; // do not split a UTF-8 sequence
      }
    }
    textKey(new String(keyText.array(), 0, length, StandardCharsets.UTF_8));
  }
}
