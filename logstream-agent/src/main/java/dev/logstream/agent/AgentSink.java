package dev.logstream.agent;

import dev.logstream.agent.AgentOptions.SinkKind;
import dev.logstream.core.sink.Sink;
import dev.logstream.kinesis.CapacityMonitor;
import dev.logstream.kinesis.KinesisSink;
import dev.logstream.kinesis.KplAggregator;
import java.io.PrintStream;
import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;

/**
 * The sink the options ask for, with what comes with it: for Kinesis, a capacity monitor and the
 * client it describes the stream with (the sink's own client is not public).
 *
 * @param settings the options this sink was built from
 * @param sink the sink; the pipeline owns and closes it
 * @param monitor the capacity monitor, for Kinesis
 * @param monitorClient the monitor's client, closed by {@link #closeMonitor()}
 */
record AgentSink(
    Settings settings,
    Sink sink,
    Optional<CapacityMonitor> monitor,
    Optional<KinesisAsyncClient> monitorClient) {

  /**
   * The options that decide the sink: a change of any of them means a new sink at reload.
   *
   * @param kind the sink's kind
   * @param stream the stream
   * @param region the region
   * @param endpoint the endpoint override
   * @param cbor CBOR on
   * @param aggregate aggregation on
   * @param partitionKey partition-key spec
   */
  record Settings(
      SinkKind kind,
      Optional<String> stream,
      Optional<String> region,
      Optional<URI> endpoint,
      boolean cbor,
      boolean aggregate,
      String partitionKey) {

    static Settings of(AgentOptions o) {
      return new Settings(
          o.sink(),
          o.stream(),
          o.region(),
          o.endpoint(),
          o.cbor(),
          o.aggregate(),
          o.partitionKey());
    }

    String describe() {
      return kind == SinkKind.KINESIS
          ? "kinesis stream '" + stream.orElseThrow() + "'"
          : kind.flagValue();
    }
  }

  private static final String CBOR_PROPERTY = "aws.cborEnabled";

  static AgentSink build(AgentOptions options, PrintStream out) {
    Settings settings = Settings.of(options);
    return switch (options.sink()) {
      case STDOUT ->
          new AgentSink(settings, StdoutSink.to(out), Optional.empty(), Optional.empty());
      case DISCARD ->
          new AgentSink(settings, new DiscardSink(), Optional.empty(), Optional.empty());
      case KINESIS -> kinesis(options, settings);
    };
  }

  private static AgentSink kinesis(AgentOptions options, Settings settings) {
    String stream = options.stream().orElseThrow();
    KinesisAsyncClient monitorClient = monitorClient(options);
    try {
      CapacityMonitor monitor = CapacityMonitor.builder(stream).client(monitorClient).build();
      KinesisSink.Builder b =
          KinesisSink.builder(stream)
              .cbor(options.cbor())
              .partitionKeys(options.partitionKeyStrategy())
              .capacityMonitor(monitor);
      options.region().map(Region::of).ifPresent(b::region);
      options.endpoint().ifPresent(b::endpointOverride);
      if (options.aggregate()) {
        b.aggregation(KplAggregator.withDefaults());
      }
      return new AgentSink(settings, b.build(), Optional.of(monitor), Optional.of(monitorClient));
    } catch (RuntimeException e) {
      monitorClient.close();
      throw e;
    }
  }

  // HTTP/1.1 as the sink's client: emulators hang on the SDK's HTTP/2 attempt. The SDK reads
  // CBOR from a system property when the client is built.
  private static KinesisAsyncClient monitorClient(AgentOptions options) {
    KinesisAsyncClientBuilder b =
        KinesisAsyncClient.builder()
            .httpClientBuilder(
                NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).maxConcurrency(2));
    options.region().map(Region::of).ifPresent(b::region);
    options.endpoint().ifPresent(b::endpointOverride);
    synchronized (AgentSink.class) {
      String previous = System.getProperty(CBOR_PROPERTY);
      System.setProperty(CBOR_PROPERTY, Boolean.toString(options.cbor()));
      try {
        return b.build();
      } finally {
        if (previous == null) {
          System.clearProperty(CBOR_PROPERTY);
        } else {
          System.setProperty(CBOR_PROPERTY, previous);
        }
      }
    }
  }

  /** Closes the monitor's client, once the pipeline no longer delivers to this sink. */
  void closeMonitor() {
    monitorClient.ifPresent(KinesisAsyncClient::close);
  }
}
