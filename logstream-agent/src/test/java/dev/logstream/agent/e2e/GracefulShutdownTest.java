package dev.logstream.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.agent.Pipeline;
import dev.logstream.buffer.DispatcherMetrics;
import dev.logstream.buffer.Durability;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import dev.logstream.kinesis.mock.KinesisMockExtension;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline whose sink is down holds a backlog of acknowledged lines; {@code close()} shuts it
 * down (the dispatcher drains for its timeout, then gives up and leaves the records in the buffer);
 * a new pipeline on the same buffer directory with the sink up delivers the backlog: every line
 * once.
 */
class GracefulShutdownTest {

  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.withStreams("logs:1");

  private static final int LINES = 300;

  @TempDir Path dir;

  @Test
  void close_withBacklogAndSinkDown_nextPipelineOnTheSameBufferDeliversItOnce() throws Exception {
    List<String> acked = new ArrayList<>();
    DispatcherMetrics firstRun;
    try (Pipeline down =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(buffer())
            .sink(E2e.kinesisSink(E2e.deadEndpoint(), "logs"))
            .retryPolicy(E2e.patientRetries(Duration.ofSeconds(1)))
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start()) {
      ListenAddress address = down.addresses().get(0);
      try (AckingForwardClient client =
          new AckingForwardClient(
              new InetSocketAddress(address.host(), address.port()), Duration.ofSeconds(10))) {
        for (int i = 0; i < LINES; i++) {
          String line = AckingForwardClient.line("shutdown", i);
          assertThat(client.send(line)).as("ack of line %d", i).isTrue();
          acked.add(line);
        }
      }
      await("the dispatcher retrying against the dead endpoint")
          .atMost(Duration.ofSeconds(60))
          .until(() -> down.dispatcherMetrics().recordsRetried() > 0);
      firstRun = down.dispatcherMetrics();
    }

    long backlogAfterClose;
    DispatcherMetrics secondRun;
    try (SegmentBuffer reopened = buffer().open()) {
      backlogAfterClose = reopened.metrics().backlogRecords();
    }
    try (Pipeline up =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(buffer())
            .sink(E2e.kinesisSink(KINESIS.endpoint(), "logs"))
            .build()
            .start()) {
      await("the backlog delivered")
          .atMost(Duration.ofSeconds(120))
          .until(() -> up.buffer().metrics().backlogRecords() == 0);
      secondRun = up.dispatcherMetrics();
    }
    StreamLogs logs = StreamLogs.read(KINESIS, "logs", LINES);
    System.out.printf(
        "graceful shutdown: %d lines acked with the sink down (%d records retried, %d delivered),"
            + " backlog %d after close(), %d delivered after the restart; %d records in the"
            + " stream, %d duplicates, lost=%d%n",
        acked.size(),
        firstRun.recordsRetried(),
        firstRun.recordsDelivered(),
        backlogAfterClose,
        secondRun.recordsDelivered(),
        logs.records(),
        logs.duplicates(),
        logs.missing(acked));

    assertThat(firstRun.recordsDelivered()).isZero();
    assertThat(firstRun.recordsDeadLettered()).isZero();
    assertThat(backlogAfterClose).isEqualTo(LINES);
    assertThat(secondRun.recordsDelivered()).isEqualTo(LINES);
    assertThat(logs.counts().keySet()).containsExactlyInAnyOrderElementsOf(acked);
    assertThat(logs.duplicates()).isZero();
  }

  private SegmentBuffer.Builder buffer() {
    return SegmentBuffer.builder(dir)
        .segmentSize(1 << 20)
        .maxSegments(4)
        .durability(Durability.always());
  }
}
