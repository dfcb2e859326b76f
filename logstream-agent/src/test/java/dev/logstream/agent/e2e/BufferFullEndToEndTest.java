package dev.logstream.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.agent.IngestMetrics;
import dev.logstream.agent.Pipeline;
import dev.logstream.buffer.Durability;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import dev.logstream.kinesis.mock.KinesisMockExtension;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * A tiny buffer (4 segments of 64 KiB) with the Kinesis endpoint down fills up; a client that
 * writes frames back to back (each asking for an ack) gets no acks for new lines once it is full:
 * the server stops reading (TCP backpressure) and the client's writes block. The agent's memory
 * stays bounded meanwhile. When a sink that reaches kinesis-mock replaces the dead one, the backlog
 * drains, the blocked frames are stored and acked, and every acknowledged line is in the stream.
 *
 * <p>Bounds asserted while full: frames the server decoded but the buffer did not take are at most
 * {@code maxPendingFrames} (16) + 1 (the frame being offered); heap in use after a GC is at most 64
 * MiB above what it was before the client started (the buffer is memory-mapped, off the heap; the
 * heap holds only the pending frames and the connection's read buffer, a few MiB at most, so 64 MiB
 * leaves room for the JVM's own noise and still catches a server that keeps reading).
 */
class BufferFullEndToEndTest {

  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.withStreams("logs:1");

  private static final int LINES = 3_000;
  private static final int MAX_PENDING_FRAMES = 16;
  private static final long HEAP_BOUND = 64L << 20;

  @TempDir Path dir;

  @Test
  void bufferFull_endpointDown_noAcksBoundedMemoryAndEverythingDeliveredAfterRecovery()
      throws Exception {
    Pipeline pipeline =
        Pipeline.builder()
            .server(
                ForwardServer.builder()
                    .listen("tcp://127.0.0.1:0")
                    .maxPendingFrames(MAX_PENDING_FRAMES))
            .buffer(
                SegmentBuffer.builder(dir)
                    .segmentSize(64 << 10)
                    .maxSegments(4)
                    .durability(Durability.interval(Duration.ofMillis(50))))
            .sink(E2e.kinesisSink(E2e.deadEndpoint(), "logs"))
            .retryPolicy(E2e.patientRetries(Duration.ofSeconds(1)))
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start();
    long heapBefore = E2e.heapUsedAfterGc();
    ListenAddress address = pipeline.addresses().get(0);
    Flood flood = new Flood(new Socket(address.host(), address.port()));
    IngestMetrics full;
    long pendingWhileFull;
    long heapWhileFull;
    long ackedWhileFull;
    long writtenWhileFull;
    try {
      flood.start();
      await("the buffer full and frames held back")
          .atMost(Duration.ofSeconds(60))
          .until(() -> pipeline.ingestMetrics().framesBackpressured() > 0);
      // no ack for a new line while the buffer is full: the count stands still for 2 s
      AtomicLong seen = new AtomicLong(-1);
      await("acks stopped")
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(30))
          .until(() -> seen.getAndSet(flood.acked.size()) == flood.acked.size());
      full = pipeline.ingestMetrics();
      pendingWhileFull = pipeline.server().stats().frames() - full.recordsStored();
      heapWhileFull = E2e.heapUsedAfterGc() - heapBefore;
      ackedWhileFull = flood.acked.size();
      writtenWhileFull = flood.written.get();

      pipeline.replaceSink(E2e.kinesisSink(KINESIS.endpoint(), "logs"));
      await("every line acked after the recovery")
          .atMost(Duration.ofSeconds(180))
          .until(() -> flood.acked.size() == LINES);
      await("the backlog delivered")
          .atMost(Duration.ofSeconds(120))
          .until(() -> pipeline.buffer().metrics().backlogRecords() == 0);
    } finally {
      flood.close();
      pipeline.close();
    }
    Set<String> acked =
        flood.acked.stream()
            .map(n -> AckingForwardClient.line("full", n))
            .collect(Collectors.toSet());
    StreamLogs logs = StreamLogs.read(KINESIS, "logs", acked.size());
    System.out.printf(
        "buffer full: %d frames backpressured; while full %d lines acked, %d written (the client"
            + " blocked with %d unacked), %d frames decoded but not stored (bound %d), heap +%d"
            + " KiB after GC (bound %d KiB); after recovery %d acked, %d delivered, %d duplicates,"
            + " lost=%d%n",
        full.framesBackpressured(),
        ackedWhileFull,
        writtenWhileFull,
        writtenWhileFull - ackedWhileFull,
        pendingWhileFull,
        MAX_PENDING_FRAMES + 1,
        heapWhileFull >> 10,
        HEAP_BOUND >> 10,
        acked.size(),
        logs.counts().size(),
        logs.duplicates(),
        logs.missing(acked));

    assertThat(writtenWhileFull).isGreaterThan(ackedWhileFull);
    assertThat(pendingWhileFull).isLessThanOrEqualTo(MAX_PENDING_FRAMES + 1);
    assertThat(heapWhileFull).isLessThan(HEAP_BOUND);
    assertThat(acked)
        .containsExactlyInAnyOrderElementsOf(
            LongStream.range(0, LINES)
                .mapToObj(n -> AckingForwardClient.line("full", n))
                .collect(Collectors.toSet()));
    assertThat(logs.missing(acked)).isZero();
    assertThat(logs.duplicates()).isZero();
  }

  /** Writes {@link #LINES} frames back to back on one connection; a second thread reads acks. */
  private static final class Flood implements AutoCloseable {
    private final Socket socket;
    final Set<Long> acked = ConcurrentHashMap.newKeySet();
    final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private final Thread reader;

    Flood(Socket socket) {
      this.socket = socket;
      this.writer = new Thread(this::write, "flood-writer");
      this.reader = new Thread(this::read, "flood-acks");
      writer.setDaemon(true);
      reader.setDaemon(true);
    }

    void start() {
      writer.start();
      reader.start();
    }

    private void write() {
      try {
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        for (long n = 0; n < LINES; n++) {
          out.write(AckingForwardClient.frame(AckingForwardClient.line("full", n), "c" + n));
          out.flush();
          written.incrementAndGet();
        }
      } catch (IOException e) {
        // closed at the end of the test
      }
    }

    private void read() {
      try (MessageUnpacker in = MessagePack.newDefaultUnpacker(socket.getInputStream())) {
        while (true) {
          int entries = in.unpackMapHeader();
          for (int i = 0; i < entries; i++) {
            String key = in.unpackString();
            if (key.equals("ack")) {
              acked.add(Long.parseLong(in.unpackString().substring(1)));
            } else {
              in.skipValue();
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // closed at the end of the test
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
