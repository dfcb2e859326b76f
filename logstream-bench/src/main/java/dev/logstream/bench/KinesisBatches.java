package dev.logstream.bench;

import dev.logstream.core.GrowableBytes;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.sink.SinkRecord;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The Kinesis benchmarks' batches and client. */
final class KinesisBatches {
  /** Records per batch and per PutRecords request: the Kinesis maximum. */
  static final int BATCH_RECORDS = 500;

  /** The {@code log} length of each Docker event: 100 B, a 409 B Kinesis JSON record. */
  static final int LOG_LENGTH = 100;

  private KinesisBatches() {}

  /**
   * Returns a batch of Docker events as the sink receives them from the buffer: Kinesis JSON bytes
   * of about 409 B, sequence numbers from {@code firstSequence}.
   *
   * @param count the number of records
   * @param firstSequence the first record's sequence number
   * @return the records
   */
  static List<SinkRecord> dockerBatch(int count, long firstSequence) {
    KinesisRecordEncoder encoder = KinesisRecordEncoder.create();
    GrowableBytes out = new GrowableBytes();
    String[] values = DockerEvents.values(LOG_LENGTH);
    List<SinkRecord> batch = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String[] record = values.clone();
      // A distinct line per record, same length: 4 hex digits right after "GET /".
      record[3] =
          record[3].substring(0, 48) + String.format("%04x", i & 0xFFFF) + record[3].substring(52);
      out.clear();
      encoder.encode(DockerEvents.TAG, DockerEvents.TIME, DockerEvents.asView(record), out);
      batch.add(new SinkRecord(firstSequence + i, out.toByteArray()));
    }
    return List.copyOf(batch);
  }

  /**
   * Builds the client both sides of {@link SinkThroughputBenchmark} use: the sink's own settings
   * (Netty, HTTP/1.1, SDK retries off), JSON protocol (CBOR off), test credentials.
   *
   * @param endpoint the endpoint
   * @param maxConcurrency the Netty client's connection limit
   * @return the client
   */
  static KinesisAsyncClient jsonClient(URI endpoint, int maxConcurrency) {
    synchronized (KinesisBatches.class) {
      String previous = System.getProperty("aws.cborEnabled");
      System.setProperty("aws.cborEnabled", "false");
      try {
        return KinesisAsyncClient.builder()
            .httpClientBuilder(
                NettyNioAsyncHttpClient.builder()
                    .protocol(Protocol.HTTP1_1)
                    .maxConcurrency(maxConcurrency))
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .retryStrategy(AwsRetryStrategy.doNotRetry())
                    .build())
            .region(Region.US_EAST_1)
            .endpointOverride(endpoint)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDBENCH", "bench")))
            .build();
      } finally {
        if (previous == null) {
          System.clearProperty("aws.cborEnabled");
        } else {
          System.setProperty("aws.cborEnabled", previous);
        }
      }
    }
  }
}
