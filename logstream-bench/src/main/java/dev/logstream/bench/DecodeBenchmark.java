package dev.logstream.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.core.GrowableBytes;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.ValueVisitor;
import dev.logstream.forward.ForwardDecoder;
import dev.logstream.forward.ForwardFrame;
import dev.logstream.forward.FrameListener;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.jackson.dataformat.MessagePackFactory;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.ExtensionValue;
import org.msgpack.value.Value;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Decoding forward-protocol streams, per event, side by side in one run.
 *
 * <ul>
 *   <li>{@code logstream}: {@link ForwardDecoder}, every record walked through its view (every
 *       string and number reached, nothing materialised);
 *   <li>{@code msgpackValue}: msgpack-java's {@code MessageUnpacker.unpackValue()} tree,
 *       PackedForward payloads unpacked too;
 *   <li>{@code jacksonMsgpack}: jackson-dataformat-msgpack reading each frame into {@code List}/
 *       {@code Map};
 *   <li>{@code memoryCopy}: copying the stream's bytes, the limit;
 *   <li>{@code logstreamToJson} vs {@code jacksonToJson}: decode and transcode every event to the
 *       Kinesis record JSON.
 * </ul>
 *
 * <p>{@code docker} is one Message frame per line (fluent-logger-golang); {@code packed} is
 * PackedForward frames of 100 entries (fluency). Scores are events per second.
 *
 * <p>Run: {@code ./logstream bench DecodeBenchmark -prof gc}
 */
@State(Scope.Thread)
public class DecodeBenchmark extends BenchmarkSettings {
  static final int EVENTS = 1000;
  static final int PER_FRAME = 100;
  private static final TypeReference<List<Object>> LIST_OF_OBJECTS = new TypeReference<>() {};

  /** The stream's shape. */
  @Param({"docker", "packed"})
  public String format;

  private byte[] stream;
  private byte[] copyTarget;
  private final ForwardDecoder decoder = ForwardDecoder.create();
  private final CountingVisitor visitor = new CountingVisitor();
  private final ViewWalker walker = new ViewWalker(visitor);
  private final KinesisRecordEncoder encoder = KinesisRecordEncoder.create();
  private final GrowableBytes json = new GrowableBytes();
  private final JsonTranscoder transcoder = new JsonTranscoder(encoder, json);
  private final ObjectMapper msgpackMapper = new ObjectMapper(new MessagePackFactory());
  private final ObjectMapper jsonMapper = new ObjectMapper();

  /** Builds the stream. */
  @Setup
  public void setUp() {
    stream =
        format.equals("docker")
            ? ForwardStreams.dockerMessages(EVENTS, 100)
            : ForwardStreams.packedForward(EVENTS, PER_FRAME, 100);
    copyTarget = new byte[stream.length];
  }

  /**
   * logstream's decoder.
   *
   * @return a checksum of what was read
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long logstream() {
    visitor.count = 0;
    decoder.decode(stream, 0, stream.length, walker);
    return visitor.count;
  }

  /**
   * msgpack-java's value tree.
   *
   * @return a checksum of what was read
   * @throws IOException never, the input is in memory
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long msgpackValue() throws IOException {
    long count = 0;
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(stream)) {
      while (unpacker.hasNext()) {
        ArrayValue frame = unpacker.unpackValue().asArrayValue();
        Value second = frame.get(1);
        if (second.isRawValue()) {
          try (MessageUnpacker entries =
              MessagePack.newDefaultUnpacker(second.asRawValue().asByteArray())) {
            while (entries.hasNext()) {
              ArrayValue entry = entries.unpackValue().asArrayValue();
              count += timeOf(entry.get(0)) + entry.get(1).asMapValue().size();
            }
          }
        } else {
          count += timeOf(second) + frame.get(2).asMapValue().size();
        }
      }
    }
    return count;
  }

  /**
   * jackson-dataformat-msgpack into {@code List} and {@code Map}.
   *
   * @return a checksum of what was read
   * @throws IOException never, the input is in memory
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long jacksonMsgpack() throws IOException {
    long count = 0;
    for (List<Object> frame : readFrames(stream, frameCount())) {
      Object second = frame.get(1);
      if (second instanceof byte[] payload) {
        for (List<Object> entry : readFrames(payload, entryCount(frame))) {
          count += ((Map<?, ?>) entry.get(1)).size();
        }
      } else {
        count += ((Map<?, ?>) frame.get(2)).size();
      }
    }
    return count;
  }

  /**
   * The limit: copying the stream.
   *
   * @return the copy
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public byte[] memoryCopy() {
    System.arraycopy(stream, 0, copyTarget, 0, stream.length);
    return copyTarget;
  }

  /**
   * logstream: decode and transcode every event to Kinesis JSON.
   *
   * @return the JSON bytes produced
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long logstreamToJson() {
    transcoder.bytes = 0;
    decoder.decode(stream, 0, stream.length, transcoder);
    return transcoder.bytes;
  }

  /**
   * The obvious path: jackson-dataformat-msgpack to {@code Map}, time and tag put in, Jackson JSON.
   *
   * @return the JSON bytes produced
   * @throws IOException never, the input is in memory
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long jacksonToJson() throws IOException {
    long bytes = 0;
    for (List<Object> frame : readFrames(stream, frameCount())) {
      String tag = (String) frame.get(0);
      Object second = frame.get(1);
      if (second instanceof byte[] payload) {
        for (List<Object> entry : readFrames(payload, entryCount(frame))) {
          bytes += toJson(tag, entry.get(0), entry.get(1));
        }
      } else {
        bytes += toJson(tag, second, frame.get(2));
      }
    }
    return bytes;
  }

  private long toJson(String tag, Object time, Object record) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = new LinkedHashMap<>((Map<String, Object>) record);
    long seconds = time instanceof Number number ? number.longValue() : eventTimeSeconds(time);
    map.put("time", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(seconds)));
    map.put("tag", tag);
    return jsonMapper.writeValueAsBytes(map).length;
  }

  /**
   * Reads {@code count} root arrays. Counted, because jackson-dataformat-msgpack reports the end of
   * a stream of root values as an error rather than as the end; the frame count and each frame's
   * {@code size} option give the counts, as they would to a consumer.
   */
  private List<List<Object>> readFrames(byte[] bytes, int count) throws IOException {
    List<List<Object>> values = new java.util.ArrayList<>(count);
    try (JsonParser parser = msgpackMapper.getFactory().createParser(bytes)) {
      for (int i = 0; i < count; i++) {
        values.add(msgpackMapper.readValue(parser, LIST_OF_OBJECTS));
      }
    }
    return values;
  }

  private int frameCount() {
    return format.equals("docker") ? EVENTS : EVENTS / PER_FRAME;
  }

  private static int entryCount(List<Object> frame) {
    return ((Number) ((Map<?, ?>) frame.get(2)).get("size")).intValue();
  }

  private static long eventTimeSeconds(Object time) {
    if (time instanceof org.msgpack.jackson.dataformat.MessagePackExtensionType ext) {
      byte[] data = ext.getData();
      return ((data[0] & 0xFFL) << 24)
          | ((data[1] & 0xFF) << 16)
          | ((data[2] & 0xFF) << 8)
          | (data[3] & 0xFF);
    }
    throw new IllegalArgumentException("unexpected time " + time);
  }

  private static long timeOf(Value time) {
    if (time.isIntegerValue()) {
      return time.asIntegerValue().asLong();
    }
    ExtensionValue ext = time.asExtensionValue();
    byte[] data = ext.getData();
    return ((data[0] & 0xFFL) << 24)
        | ((data[1] & 0xFF) << 16)
        | ((data[2] & 0xFF) << 8)
        | (data[3] & 0xFF);
  }

  /** Walks every record of every frame through its view. */
  static final class ViewWalker implements FrameListener {
    private final CountingVisitor visitor;

    ViewWalker(CountingVisitor visitor) {
      this.visitor = visitor;
    }

    @Override
    public void onFrame(ForwardFrame frame) {
      for (int i = 0; i < frame.size(); i++) {
        visitor.count += frame.seconds(i);
        frame.record(i).accept(visitor);
      }
    }
  }

  /** Decodes and encodes every event. */
  static final class JsonTranscoder implements FrameListener {
    private final KinesisRecordEncoder encoder;
    private final GrowableBytes out;
    long bytes;

    JsonTranscoder(KinesisRecordEncoder encoder, GrowableBytes out) {
      this.encoder = encoder;
      this.out = out;
    }

    @Override
    public void onFrame(ForwardFrame frame) {
      for (int i = 0; i < frame.size(); i++) {
        out.clear();
        bytes +=
            encoder.encode(frame.tag(), frame.seconds(i), frame.nanos(i), frame.record(i), out);
      }
    }
  }

  /** Touches every value a record holds, as a consumer would. */
  static final class CountingVisitor implements ValueVisitor {
    long count;

    @Override
    public void startMap(int size) {
      count += size;
    }

    @Override
    public void endMap() {}

    @Override
    public void startArray(int size) {
      count += size;
    }

    @Override
    public void endArray() {}

    @Override
    public void stringValue(byte[] bytes, int offset, int length) {
      count += length;
    }

    @Override
    public void binaryValue(byte[] bytes, int offset, int length) {
      count += length;
    }

    @Override
    public void integerValue(long value) {
      count += value;
    }

    @Override
    public void unsignedIntegerValue(long bits) {
      count += bits;
    }

    @Override
    public void floatValue(float value) {
      count++;
    }

    @Override
    public void doubleValue(double value) {
      count++;
    }

    @Override
    public void booleanValue(boolean value) {
      count++;
    }

    @Override
    public void nilValue() {
      count++;
    }

    @Override
    public void extensionValue(byte type, byte[] bytes, int offset, int length) {
      count += length;
    }
  }
}
