package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.logstream.buffer.OverflowPolicy;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.core.tag.TagCodec;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;

class PipelineTest {

  private static final String TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";

  @TempDir Path dir;

  private Pipeline pipeline(CollectingSink sink) {
    return Pipeline.builder()
        .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
        .buffer(SegmentBuffer.builder(dir).segmentSize(1 << 20).maxSegments(4))
        .sink(sink)
        .drainTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static void send(Pipeline pipeline, String tag, int lines) throws IOException {
    ListenAddress target = pipeline.addresses().get(0);
    FluencyBuilderForFluentd builder = new FluencyBuilderForFluentd();
    builder.setAckResponseMode(true);
    builder.setBufferChunkInitialSize(8 << 10);
    builder.setBufferChunkRetentionSize(
        16 << 10); // frames of about 16 KiB: a tiny buffer fits them
    builder.setSenderMaxRetryCount(30);
    Fluency fluency = builder.build(target.host(), target.port());
    try {
      for (int i = 0; i < lines; i++) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("container_id", "1d26");
        record.put("container_name", "/redis");
        record.put("source", "stdout");
        record.put("log", "line " + i);
        fluency.emit(tag, 1_449_236_367L, record);
      }
    } finally {
      fluency.close();
    }
  }

  @Test
  void pipeline_fluencyWithAck_deliversEveryLineInTheSeedsShape() throws IOException {
    CollectingSink sink = new CollectingSink();
    try (Pipeline pipeline = pipeline(sink).start()) {
      send(pipeline, TAG, 1_000);
      await().until(() -> sink.records().size() == 1_000);
      assertThat(sink.records().get(0))
          .isEqualTo(
              "{\"container_id\":\"1d26\",\"container_name\":\"/redis\",\"source\":\"stdout\","
                  + "\"log\":\"line 0\",\"time\":\"2015-12-04T13:39:27Z\",\"tag\":\""
                  + TAG
                  + "\"}");
      assertThat(sink.records())
          .extracting(r -> r.replaceAll(".*\"log\":\"line (\\d+)\".*", "$1"))
          .containsExactlyElementsOf(
              IntStream.range(0, 1_000).mapToObj(Integer::toString).toList());
      IngestMetrics m = pipeline.ingestMetrics();
      assertThat(m.events()).isEqualTo(1_000);
      assertThat(m.recordsStored()).isEqualTo(1_000);
      assertThat(m.foreignTagEvents()).isZero();
      await().until(() -> pipeline.dispatcherMetrics().recordsDelivered() == 1_000);
    }
    assertThat(sink.closed).isTrue();
  }

  @Test
  void pipeline_foreignTag_storedAndCounted() throws IOException {
    CollectingSink sink = new CollectingSink();
    try (Pipeline pipeline = pipeline(sink).start()) {
      send(pipeline, "docker.abc", 10);
      await().until(() -> sink.records().size() == 10);
      assertThat(pipeline.ingestMetrics().foreignTagEvents()).isEqualTo(10);
      pipeline.replaceTags(TagCodec.builder().prefix("docker").build());
      send(pipeline, "grid.x", 1);
      await().until(() -> sink.records().size() == 11);
      assertThat(pipeline.ingestMetrics().foreignTagEvents()).isEqualTo(11);
    }
  }

  @Test
  void pipeline_sinkDownAtClose_keepsTheBacklogForTheNextStart() throws IOException {
    CollectingSink down = new CollectingSink();
    down.down.set(true);
    try (Pipeline pipeline = pipeline(down).start()) {
      send(pipeline, TAG, 100);
      assertThat(pipeline.buffer().metrics().lastSequence()).isEqualTo(100);
    }
    assertThat(down.records()).isEmpty();
    CollectingSink up = new CollectingSink();
    try (Pipeline pipeline = pipeline(up).start()) {
      assertThat(pipeline.buffer().recoveryReport().toString()).contains("100");
      await().until(() -> up.records().size() == 100);
    }
  }

  @Test
  void replaceSink_keepsTheConnectionAndDeliversTheRestToTheNewSink() throws IOException {
    CollectingSink first = new CollectingSink();
    CollectingSink second = new CollectingSink();
    try (Pipeline pipeline = pipeline(first).start()) {
      send(pipeline, TAG, 10);
      await().until(() -> first.records().size() == 10);
      first.down.set(true);
      send(pipeline, TAG, 10);
      pipeline.replaceSink(second);
      assertThat(first.closed).isTrue();
      await().until(() -> second.records().size() == 10);
      assertThat(pipeline.sink()).isSameAs(second);
    }
  }

  @Test
  void pipeline_bufferFullUnderBlock_backpressuresThenDeliversEverything() throws IOException {
    CollectingSink sink = new CollectingSink();
    sink.down.set(true);
    Pipeline pipeline =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(
                SegmentBuffer.builder(dir)
                    .segmentSize(64 << 10)
                    .maxSegments(2)
                    .overflow(OverflowPolicy.block()))
            .sink(sink)
            .build()
            .start();
    try (pipeline) {
      Thread sender =
          new Thread(
              () -> {
                try {
                  send(pipeline, TAG, 5_000);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      sender.start();
      await().until(() -> pipeline.ingestMetrics().framesBackpressured() > 0);
      assertThat(sender.isAlive()).isTrue();
      sink.down.set(false);
      await().atMost(Duration.ofSeconds(60)).until(() -> sink.records().size() >= 5_000);
      assertThat(sink.records()).doesNotHaveDuplicates().hasSize(5_000);
    }
  }

  @Test
  void builder_missingParts_fail() {
    assertThatThrownBy(() -> Pipeline.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("server is required");
    assertThatThrownBy(
            () ->
                Pipeline.builder()
                    .server(ForwardServer.builder())
                    .sink(new CollectingSink())
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("buffer is required");
    assertThatThrownBy(() -> Pipeline.builder().drainTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("drainTimeout must be in 0s..1h, got PT-1S");
    assertThatThrownBy(() -> Pipeline.builder().linger(Duration.ofMillis(1001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("linger must be in 0s..1s, got PT1.001S");
  }

  @Test
  void start_portTaken_failsNamingItAndReleasesTheBuffer() throws IOException {
    try (Pipeline first = pipeline(new CollectingSink()).start()) {
      ListenAddress taken = first.addresses().get(0);
      Pipeline second =
          Pipeline.builder()
              .server(ForwardServer.builder().listen(taken))
              .buffer(SegmentBuffer.builder(dir.resolve("other")))
              .sink(new CollectingSink())
              .build();
      assertThatThrownBy(second::start)
          .isInstanceOf(PipelineException.class)
          .hasMessageStartingWith("pipeline failed to start");
      try (SegmentBuffer reopened = SegmentBuffer.builder(dir.resolve("other")).open()) {
        assertThat(reopened.metrics().lastSequence()).isZero();
      }
    }
  }
}
