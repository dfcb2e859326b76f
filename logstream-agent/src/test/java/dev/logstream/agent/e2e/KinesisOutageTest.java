package dev.logstream.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.agent.IngestMetrics;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kinesis goes away for 30 s in the middle of a stream of acknowledged lines: kinesis-mock is
 * stopped and started again on the same port. The client keeps getting acks during the outage (the
 * buffer holds the lines), the dispatcher keeps retrying with delays capped at 2 s, and after the
 * restart the backlog drains.
 *
 * <p>kinesis-mock keeps streams in memory, and its persistence ({@code SHOULD_PERSIST_DATA}) does
 * not survive a stop reliably: it truncates its file before each periodic write, and a {@code
 * SIGTERM} during a write (likely with a few MiB of data on a busy machine) leaves it empty, after
 * which the restart fails ({@code NoSuchElementException} while loading). So the accounting is
 * explicit instead: the stream is read (and kept) right before the stop, the restart creates it
 * empty, and every acknowledged line must be in the union of the reads before and after; lines the
 * sink got "delivered" answers for between the first read and the stop are lost by the mock, not by
 * the agent; they are counted separately, checked against the sink's answers, and reported.
 */
class KinesisOutageTest {

  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.withStreams("logs:1");

  private static final Duration OUTAGE =
      Duration.ofSeconds(Long.getLong("logstream.outage.seconds", 30));

  @TempDir Path dir;

  @Test
  void kinesisStopped30s_clientKeepsSending_everyAckedLineDeliveredAfterTheBacklogDrains()
      throws Exception {
    DeliveryLog sink = new DeliveryLog(E2e.kinesisSink(KINESIS.endpoint(), "logs"));
    Pipeline pipeline =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(
                SegmentBuffer.builder(dir)
                    .segmentSize(1 << 20)
                    .maxSegments(16)
                    .durability(Durability.interval(Duration.ofMillis(100))))
            .sink(sink)
            .retryPolicy(E2e.patientRetries(Duration.ofSeconds(2)))
            .build()
            .start();
    ListenAddress address = pipeline.addresses().get(0);
    Sender sender = new Sender(new InetSocketAddress(address.host(), address.port()));
    Thread senderThread = new Thread(sender, "sender");
    senderThread.setDaemon(true);
    StreamLogs beforeStop;
    StreamLogs afterRestart;
    long ackedBefore;
    long ackedDuring;
    long backlogAtRestart;
    long drainMillis;
    DispatcherMetrics atStop;
    DispatcherMetrics atRestart;
    IngestMetrics ingestAtStop;
    IngestMetrics ingestAtRestart;
    long serverAcksAtStop;
    long serverAcksAtRestart;
    Set<String> deliveredBeforeStop;
    try {
      senderThread.start();
      await("acks and deliveries before the outage")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  sender.acked.get() >= 200 && pipeline.dispatcherMetrics().recordsDelivered() > 0);
      // what the stream held right before the stop, kept: the restart creates the stream empty
      beforeStop =
          StreamLogs.read(KINESIS, "logs", (int) pipeline.dispatcherMetrics().recordsDelivered());
      KINESIS.stop();
      long stopped = System.nanoTime();
      deliveredBeforeStop = sink.delivered();
      atStop = pipeline.dispatcherMetrics();
      ingestAtStop = pipeline.ingestMetrics();
      serverAcksAtStop = pipeline.server().stats().acks();
      ackedBefore = sender.acked.get();

      // the outage: once the dispatcher sees failures (batches answered before the stop may still
      // be counted as delivered until then), nothing is delivered, while lines keep being acked
      await("the dispatcher retrying")
          .atMost(OUTAGE)
          .until(() -> pipeline.dispatcherMetrics().recordsRetried() > atStop.recordsRetried());
      long deliveredInOutage = pipeline.dispatcherMetrics().recordsDelivered();
      Duration rest = OUTAGE.minusNanos(System.nanoTime() - stopped);
      await("nothing delivered during the outage")
          .during(rest)
          .atMost(rest.plusSeconds(10))
          .until(() -> pipeline.dispatcherMetrics().recordsDelivered() == deliveredInOutage);
      atRestart = pipeline.dispatcherMetrics();
      ingestAtRestart = pipeline.ingestMetrics();
      serverAcksAtRestart = pipeline.server().stats().acks();
      ackedDuring = sender.acked.get() - ackedBefore;
      backlogAtRestart = pipeline.buffer().metrics().backlogRecords();

      long restarted = System.nanoTime();
      KINESIS.restart();
      long ackedAtRestart = sender.acked.get();
      await("acks after the restart")
          .atMost(Duration.ofSeconds(60))
          .until(() -> sender.acked.get() >= ackedAtRestart + 200);
      sender.stopping = true;
      senderThread.join(60_000);
      assertThat(senderThread.isAlive()).as("sender finished").isFalse();
      try {
        await("the backlog drained")
            .atMost(Duration.ofSeconds(120))
            .until(() -> pipeline.buffer().metrics().backlogRecords() == 0);
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(
            "backlog not drained: "
                + pipeline.buffer().metrics()
                + " "
                + pipeline.dispatcherMetrics()
                + " "
                + pipeline.sink(),
            e);
      }
      drainMillis = (System.nanoTime() - restarted) / 1_000_000;
    } finally {
      sender.stopping = true;
      pipeline.close();
    }
    // the restarted stream holds what was delivered after the restart: at least every acked line
    // that is neither in the read before the stop nor among what the mock accepted after it
    Set<String> inTheOldStream = new HashSet<>(deliveredBeforeStop);
    inTheOldStream.addAll(beforeStop.counts().keySet());
    int expectedAfter =
        (int) sender.ackedLines.stream().filter(l -> !inTheOldStream.contains(l)).count();
    afterRestart = StreamLogs.read(KINESIS, "logs", expectedAfter);

    // what the mock accepted after the read before the stop, and forgot at its restart
    Set<String> forgottenByTheMock = new HashSet<>(deliveredBeforeStop);
    forgottenByTheMock.removeAll(beforeStop.counts().keySet());
    Set<String> accountedFor = new HashSet<>(beforeStop.counts().keySet());
    accountedFor.addAll(afterRestart.counts().keySet());
    accountedFor.addAll(forgottenByTheMock);
    long lost = sender.ackedLines.stream().filter(l -> !accountedFor.contains(l)).count();
    Set<String> both = new HashSet<>(beforeStop.counts().keySet());
    both.retainAll(afterRestart.counts().keySet());
    long duplicates = beforeStop.duplicates() + afterRestart.duplicates() + both.size();
    System.out.printf(
        "kinesis outage %d s: %d lines acked (%d before the stop, %d during the outage, %d after),"
            + " %d records retried during the outage, backlog %d at the restart drained in %.1f s"
            + " after it; %d lines in the stream before the stop + %d after the restart + %d"
            + " accepted by the mock between the last read and the stop (forgotten at its"
            + " restart), %d duplicates, lost=%d%n",
        OUTAGE.toSeconds(),
        sender.ackedLines.size(),
        ackedBefore,
        ackedDuring,
        sender.ackedLines.size() - ackedBefore - ackedDuring,
        atRestart.recordsRetried() - atStop.recordsRetried(),
        backlogAtRestart,
        drainMillis / 1000.0,
        beforeStop.counts().size(),
        afterRestart.counts().size(),
        forgottenByTheMock.size(),
        duplicates,
        lost);

    assertThat(atRestart.recordsRetried()).isGreaterThan(atStop.recordsRetried());
    assertThat(atRestart.recordsDeadLettered()).isZero();
    assertThat(ackedDuring).isPositive();
    assertThat(ingestAtRestart.recordsStored()).isGreaterThan(ingestAtStop.recordsStored());
    assertThat(serverAcksAtRestart - serverAcksAtStop).isEqualTo(ackedDuring);
    // lines acked after the stop cannot have reached the mock before it: they are in the new stream
    assertThat(afterRestart.counts().keySet()).containsAll(ackedSinceTheStop(sender, ackedBefore));
    assertThat(lost).isZero();
  }

  private static List<String> ackedSinceTheStop(Sender sender, long ackedBefore) {
    return sender.order.subList((int) ackedBefore, sender.order.size());
  }

  /** Sends lines one frame at a time, each until its ack arrives. */
  private static final class Sender implements Runnable {
    private static final long PACE_NANOS = 10_000_000;
    private final InetSocketAddress target;
    final Set<String> ackedLines = ConcurrentHashMap.newKeySet();
    final List<String> order = new CopyOnWriteArrayList<>();
    final AtomicLong acked = new AtomicLong();
    volatile boolean stopping;

    Sender(InetSocketAddress target) {
      this.target = target;
    }

    @Override
    public void run() {
      try (AckingForwardClient client = new AckingForwardClient(target, Duration.ofSeconds(10))) {
        long next = 0;
        while (!stopping) {
          String line = AckingForwardClient.line("outage", next++);
          while (!client.send(line)) {
            // resend until acked: at-least-once
            if (stopping) {
              return;
            }
          }
          ackedLines.add(line);
          order.add(line);
          acked.incrementAndGet();
          // about 100 lines/s: a steady stream kinesis-mock (about 1,000 records/s on an idle
          // machine) keeps up with, so its backlog after the outage drains and reads stay prompt
          LockSupport.parkNanos(PACE_NANOS);
        }
      }
    }
  }
}
