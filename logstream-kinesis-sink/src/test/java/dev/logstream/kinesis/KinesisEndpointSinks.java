package dev.logstream.kinesis;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;

/** Sinks pointed at a {@link FaultyKinesisEndpoint}: JSON protocol, test credentials. */
final class KinesisEndpointSinks {
  private KinesisEndpointSinks() {}

  /** One event loop group for all clients: a client's own takes 2 s to shut down. */
  static final SdkEventLoopGroup EVENT_LOOPS =
      SdkEventLoopGroup.builder().numberOfThreads(2).build();

  static KinesisSink.Builder sinkTo(FaultyKinesisEndpoint endpoint, String stream) {
    return KinesisSink.builder(stream)
        .eventLoopGroup(EVENT_LOOPS)
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint.uri())
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test")))
        .cbor(false);
  }
}
