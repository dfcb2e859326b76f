package dev.logstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.core.GrowableBytes;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.RecordView;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Docker log event to Kinesis record JSON, three ways in one run.
 *
 * <ul>
 *   <li>{@code logstream}: {@link KinesisRecordEncoder} transcoding a record view (what the forward
 *       decoder hands over) into a reused buffer;
 *   <li>{@code jacksonMap}: the obvious approach, as the fluentd plugin does it: the record as a
 *       {@code Map}, time and tag put in, {@code ObjectMapper.writeValueAsBytes};
 *   <li>{@code memoryCopy}: {@code System.arraycopy} of as many bytes as the JSON has, the limit.
 * </ul>
 *
 * <p>Run: {@code ./logstream bench EncodeBenchmark -prof gc}
 */
@State(Scope.Thread)
public class EncodeBenchmark extends BenchmarkSettings {

  /** Length of the {@code log} value in bytes: a short line, a typical access log, a long one. */
  @Param({"100", "1000"})
  public int logLength;

  private final KinesisRecordEncoder encoder = KinesisRecordEncoder.create();
  private final GrowableBytes out = new GrowableBytes();
  private final ObjectMapper mapper = new ObjectMapper();
  private RecordView view;
  private String[] values;
  private byte[] copySource;
  private byte[] copyTarget;

  /** Prepares the event in each form. */
  @Setup
  public void setUp() {
    values = DockerEvents.values(logLength);
    view = DockerEvents.asView(values);
    out.clear();
    encoder.encode(DockerEvents.TAG, DockerEvents.TIME, view, out);
    copySource = out.toByteArray();
    copyTarget = new byte[copySource.length];
  }

  /**
   * logstream's encoder.
   *
   * @return the encoded length, so the work is not eliminated
   */
  @Benchmark
  public int logstream() {
    out.clear();
    return encoder.encode(DockerEvents.TAG, DockerEvents.TIME, view, out);
  }

  /**
   * The obvious approach.
   *
   * @return the JSON bytes
   * @throws Exception if Jackson fails
   */
  @Benchmark
  public byte[] jacksonMap() throws Exception {
    Map<String, Object> record = DockerEvents.asMap(values);
    record.put(
        "time",
        DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(DockerEvents.TIME.seconds())));
    record.put("tag", DockerEvents.TAG);
    return mapper.writeValueAsBytes(record);
  }

  /**
   * The limit: copying the output's bytes.
   *
   * @return the target array
   */
  @Benchmark
  public byte[] memoryCopy() {
    System.arraycopy(copySource, 0, copyTarget, 0, copySource.length);
    return copyTarget;
  }
}
