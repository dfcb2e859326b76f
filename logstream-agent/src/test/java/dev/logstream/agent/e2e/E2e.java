package dev.logstream.agent.e2e;

import dev.logstream.buffer.RetryPolicy;
import dev.logstream.kinesis.KinesisSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** What the in-process end-to-end tests share: sinks, a retry policy, ports, heap. */
final class E2e {
  private E2e() {}

  /** A {@link KinesisSink} to {@code stream} at {@code endpoint} (kinesis-mock, or a dead port). */
  static KinesisSink kinesisSink(URI endpoint, String stream) {
    return KinesisSink.builder(stream)
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .build();
  }

  /** An endpoint nothing listens on: every request is refused, a retryable network failure. */
  static URI deadEndpoint() {
    return URI.create("http://127.0.0.1:" + freePort());
  }

  /**
   * Retries that keep going through a long outage (many attempts) and come back promptly after it
   * (delays capped at {@code maxDelay}).
   */
  static RetryPolicy patientRetries(Duration maxDelay) {
    return RetryPolicy.builder()
        .initialDelay(Duration.ofMillis(100))
        .maxDelay(maxDelay)
        .maxAttempts(100_000)
        .build();
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Heap in use after a full GC, in bytes. */
  static long heapUsedAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
