package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.buffer.OverflowPolicy;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import dev.logstream.forward.PartialMessageAssembler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;

/** Partial-line reassembly inside the pipeline, and frames the buffer can never hold. */
class PipelinePartialsTest {

  private static final String TAG = "grid.a/b/c:d/e/f";

  @TempDir Path dir;

  private static Fluency client(Pipeline pipeline) {
    ListenAddress target = pipeline.addresses().get(0);
    FluencyBuilderForFluentd builder = new FluencyBuilderForFluentd();
    builder.setAckResponseMode(true);
    builder.setBufferChunkInitialSize(8 << 10);
    builder.setBufferChunkRetentionSize(16 << 10);
    builder.setSenderMaxRetryCount(30);
    return builder.build(target.host(), target.port());
  }

  private static Map<String, Object> piece(String id, int ordinal, boolean last, String log) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("container_id", "c1");
    record.put("source", "stdout");
    record.put("log", log);
    record.put("partial_message", "true");
    record.put("partial_id", id);
    record.put("partial_ordinal", Integer.toString(ordinal));
    record.put("partial_last", Boolean.toString(last));
    return record;
  }

  private static String id(int i) {
    return String.format("%064x", i);
  }

  @Test
  void reassembly_piecesOfLines_becomeOneRecordPerLine() throws IOException {
    CollectingSink sink = new CollectingSink();
    try (Pipeline pipeline =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(SegmentBuffer.builder(dir).segmentSize(1 << 20).maxSegments(4))
            .sink(sink)
            .partialMessages(PartialMessageAssembler.builder())
            .build()
            .start()) {
      Fluency fluency = client(pipeline);
      try {
        for (int line = 0; line < 50; line++) {
          fluency.emit(TAG, 1_700_000_000L, piece(id(line), 1, false, "head-" + line + "-"));
          fluency.emit(TAG, 1_700_000_000L, piece(id(line), 2, true, "tail-" + line));
        }
      } finally {
        fluency.close();
      }
      await().until(() -> sink.records().size() == 50);
      assertThat(sink.records())
          .allSatisfy(r -> assertThat(r).doesNotContain("partial_"))
          .anySatisfy(r -> assertThat(r).contains("\"log\":\"head-7-tail-7\""));
      assertThat(pipeline.ingestMetrics().recordsStored()).isEqualTo(50);
    }
  }

  @Test
  void reassembly_incompleteLineAtClose_flushedIntoTheBufferNotLost() throws IOException {
    CollectingSink down = new CollectingSink();
    down.down.set(true);
    try (Pipeline pipeline =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(SegmentBuffer.builder(dir).segmentSize(1 << 20).maxSegments(4))
            .sink(down)
            .partialMessages(
                PartialMessageAssembler.builder()
                    .timeout(Duration.ofHours(1))) // only close flushes
            .drainTimeout(Duration.ZERO)
            .build()
            .start()) {
      Fluency fluency = client(pipeline);
      try {
        fluency.emit(TAG, 1_700_000_000L, piece(id(1), 1, false, "only-the-head"));
      } finally {
        fluency.close();
      }
      assertThat(pipeline.ingestMetrics().recordsStored()).isZero(); // held, already acked
    }
    CollectingSink up = new CollectingSink();
    try (Pipeline pipeline =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(SegmentBuffer.builder(dir).segmentSize(1 << 20).maxSegments(4))
            .sink(up)
            .build()
            .start()) {
      await().until(() -> up.records().size() == 1);
      assertThat(up.records().get(0))
          .contains("\"log\":\"only-the-head\"")
          .contains("\"partial_flush\":\"flush_all\"");
    }
  }

  @Test
  void reassembly_bufferFull_spillsAndAcksOnlyOnceStored() throws IOException {
    CollectingSink sink = new CollectingSink();
    sink.down.set(true);
    try (Pipeline pipeline =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(
                SegmentBuffer.builder(dir)
                    .segmentSize(64 << 10)
                    .maxSegments(2)
                    .overflow(OverflowPolicy.block()))
            .sink(sink)
            .partialMessages(PartialMessageAssembler.builder())
            .build()
            .start()) {
      Thread sender =
          new Thread(
              () -> {
                Fluency fluency = client(pipeline);
                try {
                  for (int line = 0; line < 2_000; line++) {
                    fluency.emit(TAG, 1_700_000_000L, piece(id(line), 1, true, "line-" + line));
                  }
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                } finally {
                  try {
                    fluency.close();
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }
              });
      sender.start();
      await().until(() -> pipeline.ingestMetrics().framesBackpressured() > 0);
      assertThat(sender.isAlive()).isTrue();
      sink.down.set(false);
      await().atMost(Duration.ofSeconds(60)).until(() -> sink.records().size() >= 2_000);
      assertThat(sink.records()).doesNotHaveDuplicates().hasSize(2_000);
    }
  }

  @Test
  void frameLargerThanTheWholeBuffer_failsTheFrameWithoutAckAndCountsIt() throws IOException {
    CollectingSink sink = new CollectingSink();
    try (Pipeline pipeline =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(SegmentBuffer.builder(dir).segmentSize(64 << 10).maxSegments(2))
            .sink(sink)
            .build()
            .start()) {
      ListenAddress target = pipeline.addresses().get(0);
      FluencyBuilderForFluentd builder = new FluencyBuilderForFluentd();
      builder.setAckResponseMode(true);
      builder.setSenderMaxRetryCount(0);
      Fluency fluency = builder.build(target.host(), target.port());
      try {
        for (int i = 0; i < 3_000; i++) {
          fluency.emit(TAG, 1_700_000_000L, Map.of("log", "x".repeat(100)));
        }
      } finally {
        fluency.close();
      }
      await().until(() -> pipeline.ingestMetrics().framesFailed() > 0);
      assertThat(pipeline.ingestMetrics().recordsStored()).isZero();
      assertThat(sink.records()).isEmpty();
    }
  }
}
