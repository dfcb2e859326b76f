package dev.logstream.bench;

import dev.logstream.core.sink.SinkRecord;
import dev.logstream.kinesis.KinesisSink;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Building one PutRecords request from {@value KinesisBatches#BATCH_RECORDS} buffered payloads
 * (Docker events as Kinesis JSON, 409 B each); one operation is one request, so <b>operations per
 * second × 500 are records per second</b>.
 *
 * <ul>
 *   <li>{@code logstream}: {@link KinesisSink#requestsFor(List)}, the code {@code send} runs:
 *       payload arrays wrapped without a copy, a random version-4 UUID key per record from {@code
 *       ThreadLocalRandom}, Kinesis's byte limits counted, the request built;
 *   <li>{@code naiveSdkLoop}: what a plain SDK loop does: {@code SdkBytes.fromByteArray} (a copy)
 *       and {@code UUID.randomUUID().toString()} (a {@code SecureRandom}) per record, an entry per
 *       record, the request built.
 * </ul>
 *
 * <p>Run: {@code ./logstream bench PutRecordsRequestBenchmark -prof gc}
 */
@State(Scope.Thread)
public class PutRecordsRequestBenchmark extends BenchmarkSettings {
  /** The stream both variants name. */
  static final String STREAM = "logs";

  List<SinkRecord> batch;
  private KinesisSink sink;

  /** Builds the batch and a sink whose client is never called. */
  @Setup
  public void setUp() {
    batch = KinesisBatches.dockerBatch(KinesisBatches.BATCH_RECORDS, 0);
    sink =
        KinesisSink.builder(STREAM)
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create("http://127.0.0.1:9"))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDBENCH", "bench")))
            .build();
  }

  /** Closes the sink and its client. */
  @TearDown
  public void tearDown() {
    sink.close();
  }

  /**
   * logstream's sink, building the request as {@code send} does.
   *
   * @return the request, so the work is not eliminated
   */
  @Benchmark
  public PutRecordsRequest logstream() {
    return sink.requestsFor(batch).get(0);
  }

  /**
   * The naive SDK loop.
   *
   * @return the request, so the work is not eliminated
   */
  @Benchmark
  public PutRecordsRequest naiveSdkLoop() {
    List<PutRecordsRequestEntry> entries = new ArrayList<>(batch.size());
    for (SinkRecord record : batch) {
      entries.add(
          PutRecordsRequestEntry.builder()
              .data(SdkBytes.fromByteArray(record.payload()))
              .partitionKey(UUID.randomUUID().toString())
              .build());
    }
    return PutRecordsRequest.builder().streamName(STREAM).records(entries).build();
  }
}
