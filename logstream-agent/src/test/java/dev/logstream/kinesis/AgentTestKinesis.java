package dev.logstream.kinesis;

import java.io.IOException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Opens the kinesis-sink module's package-private test doubles (from its test-jar) to the agent's
 * tests: an in-process Kinesis endpoint and a client that answers a shard count.
 */
public final class AgentTestKinesis implements AutoCloseable {
  private final FaultyKinesisEndpoint endpoint = new FaultyKinesisEndpoint();

  /**
   * Starts an endpoint that accepts every record.
   *
   * @throws IOException if it cannot bind
   */
  public AgentTestKinesis() throws IOException {}

  /**
   * A sink builder pointed at this endpoint.
   *
   * @param stream the stream
   * @return the builder
   */
  public KinesisSink.Builder sink(String stream) {
    return KinesisEndpointSinks.sinkTo(endpoint, stream);
  }

  /**
   * Answers every record with {@code errorCode}, or accepts every record when null.
   *
   * @param errorCode a Kinesis error code, or null
   */
  public void failRecordsWith(String errorCode) {
    endpoint.defaultPerRecord = (i, e) -> errorCode;
  }

  /**
   * A client that answers {@code DescribeStreamSummary} with {@code shards} open shards.
   *
   * @param shards the shard count
   * @return the client
   */
  public static KinesisAsyncClient shardCount(int shards) {
    return new ShardCountFake(shards);
  }

  @Override
  public void close() {
    endpoint.close();
  }
}
