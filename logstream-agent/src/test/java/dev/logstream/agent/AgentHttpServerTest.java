package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.logstream.buffer.RetryPolicy;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import dev.logstream.kinesis.AgentTestKinesis;
import dev.logstream.kinesis.CapacityMonitor;
import dev.logstream.kinesis.KinesisSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;

/** Real HTTP requests against a real pipeline fed by fluency. */
class AgentHttpServerTest {

  private static final String TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";
  private static final InetSocketAddress ANY_PORT =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @TempDir Path dir;

  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = now::get;
  private final CollectingSink sink = new CollectingSink();
  private Pipeline pipeline;
  private AgentHttpServer http;

  @AfterEach
  void closeAll() {
    if (http != null) {
      http.close();
    }
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private Pipeline pipeline() {
    return Pipeline.builder()
        .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
        .buffer(SegmentBuffer.builder(dir).segmentSize(1 << 20).maxSegments(4))
        .sink(sink)
        // short, many retries: the outage below never dead-letters, recovery is quick
        .retryPolicy(
            RetryPolicy.builder()
                .initialDelay(Duration.ofMillis(20))
                .maxDelay(Duration.ofMillis(100))
                .maxAttempts(1_000_000)
                .build())
        .drainTimeout(Duration.ofSeconds(1))
        .build();
  }

  private AgentHttpServer http(Pipeline p) {
    return AgentHttpServer.builder(p).address(ANY_PORT).clock(clock).start();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return request("GET", path);
  }

  private HttpResponse<String> request(String method, String path)
      throws IOException, InterruptedException {
    InetSocketAddress a = http.address();
    URI uri = URI.create("http://" + a.getHostString() + ":" + a.getPort() + path);
    return client.send(
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void send(Pipeline pipeline, int lines) throws IOException {
    ListenAddress target = pipeline.addresses().get(0);
    FluencyBuilderForFluentd builder = new FluencyBuilderForFluentd();
    builder.setAckResponseMode(true);
    builder.setSenderMaxRetryCount(30);
    Fluency fluency = builder.build(target.host(), target.port());
    try {
      for (int i = 0; i < lines; i++) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("container_id", "1d26");
        record.put("container_name", "/redis");
        record.put("source", "stdout");
        record.put("log", "line " + i);
        fluency.emit(TAG, 1_449_236_367L, record);
      }
    } finally {
      fluency.close();
    }
  }

  @Test
  void metrics_afterLinesSent_countersReflectThem() throws Exception {
    pipeline = pipeline().start();
    http = http(pipeline);
    send(pipeline, 100);
    await().until(() -> pipeline.dispatcherMetrics().recordsDelivered() == 100);
    await().until(() -> pipeline.server().stats().connectionsOpen() == 0);

    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains(
            "logstream_pipeline_up 1\n",
            "logstream_ingest_events_total 100\n",
            "logstream_ingest_records_stored_total 100\n",
            "logstream_forward_events_total 100\n",
            "logstream_forward_connections_open 0\n",
            "logstream_forward_connections_closed_total{reason=\"peer_closed\"} 1\n",
            "logstream_forward_heartbeats_total{transport=\"udp\"} 0\n",
            "logstream_buffer_records_appended_total 100\n",
            "logstream_buffer_backlog_records 0\n",
            "logstream_buffer_failed 0\n",
            "logstream_dispatcher_records_delivered_total 100\n",
            "# TYPE logstream_dispatcher_records_delivered_total counter\n",
            "# TYPE logstream_buffer_backlog_records gauge\n")
        // the collecting sink is not a KinesisSink, and no capacity monitor was given
        .doesNotContain("logstream_kinesis_", "logstream_capacity_");
    assertThat(response.body().lines().filter(l -> l.startsWith("# TYPE")).count())
        .isEqualTo(
            1 // up
                + 1 // buffer failed
                + AgentMetrics.INGEST.size()
                + AgentMetrics.FORWARD.size()
                + AgentMetrics.BUFFER.size()
                + AgentMetrics.DISPATCHER.size());
  }

  @Test
  void metrics_kinesisSinkAndCapacityMonitor_areExported() throws Exception {
    try (AgentTestKinesis kinesis = new AgentTestKinesis()) {
      CapacityMonitor monitor =
          CapacityMonitor.builder("logs").client(AgentTestKinesis.shardCount(2)).build();
      KinesisSink kinesisSink = kinesis.sink("logs").capacityMonitor(monitor).build();
      pipeline =
          Pipeline.builder()
              .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
              .buffer(SegmentBuffer.builder(dir).segmentSize(1 << 20).maxSegments(4))
              .sink(kinesisSink)
              .retryPolicy(
                  RetryPolicy.builder()
                      .initialDelay(Duration.ofMillis(20))
                      .maxDelay(Duration.ofMillis(100))
                      .maxAttempts(1_000_000)
                      .build())
              .build()
              .start();
      http = AgentHttpServer.builder(pipeline).address(ANY_PORT).capacityMonitor(monitor).start();
      kinesis.failRecordsWith("ProvisionedThroughputExceededException");
      send(pipeline, 20);
      await().until(() -> kinesisSink.metrics().recordsRetried() >= 20);
      kinesis.failRecordsWith(null);
      await().until(() -> pipeline.dispatcherMetrics().recordsDelivered() == 20);
      await().until(() -> monitor.utilization().shards() == 2);

      String body = get("/metrics").body();

      long failed =
          kinesisSink.metrics().failuresByErrorCode().get("ProvisionedThroughputExceededException");
      long requests = kinesisSink.metrics().requests();
      assertThat(body)
          .contains(
              "logstream_kinesis_records_put_total 20\n",
              "logstream_kinesis_record_failures_total{error_code="
                  + "\"ProvisionedThroughputExceededException\"} "
                  + failed
                  + "\n",
              "logstream_kinesis_records_retried_total " + failed + "\n",
              "logstream_kinesis_fatal_records_total{reason=\"access_denied\"} 0\n",
              "# TYPE logstream_kinesis_request_latency_seconds summary\n",
              "logstream_kinesis_request_latency_seconds_count " + requests + "\n",
              "logstream_kinesis_requests_in_flight 0\n",
              "logstream_capacity_shards{stream=\"logs\"} 2\n",
              "logstream_capacity_window_seconds{stream=\"logs\"} 60\n",
              "logstream_capacity_utilization_ratio{stream=\"logs\",dimension=\"records\"} ",
              "logstream_capacity_binding_dimension{stream=\"logs\",dimension=\"records\"} ");
      assertThat(body).containsPattern("logstream_kinesis_request_latency_seconds_sum [0-9.E-]+\n");
    }
  }

  @Test
  void health_sinkDownPastTheWindow_flipsTo503WithTheReasonAndBack() throws Exception {
    pipeline = pipeline().start();
    http = http(pipeline);
    HttpResponse<String> healthy = get("/health");
    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(healthy.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(healthy.body())
        .isEqualTo(
            "{\"status\":\"ok\",\"listening\":[\""
                + pipeline.addresses().get(0)
                + "\"],\"backlogRecords\":0,\"recordsDelivered\":0}");

    sink.down.set(true);
    send(pipeline, 10);
    await().until(() -> pipeline.dispatcherMetrics().recordsRetried() > 0);
    assertThat(get("/health").statusCode()).as("within the window").isEqualTo(200);
    now.set(now.get().plusSeconds(60));
    assertThat(get("/health").statusCode()).as("at the window").isEqualTo(200);

    now.set(now.get().plusSeconds(1));
    HttpResponse<String> down = get("/health");

    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body())
        .startsWith(
            "{\"status\":\"unhealthy\",\"reasons\":[\"sink unreachable: no record delivered for"
                + " 61 s (window 60 s) while 10 records wait in the buffer and ")
        .matches(
            ".* and \\d+ delivery attempts failed \\(records sent \\d+, delivered 0, retries"
                + " pending \\d+\\)\"\\]\\}");

    sink.down.set(false);
    await().until(() -> pipeline.dispatcherMetrics().recordsDelivered() == 10);
    HttpResponse<String> recovered = get("/health");
    assertThat(recovered.statusCode()).isEqualTo(200);
    assertThat(recovered.body()).contains("\"backlogRecords\":0,\"recordsDelivered\":10}");
  }

  @Test
  void health_pipelineNotStartedOrClosed_is503SayingSo() throws Exception {
    pipeline = pipeline();
    http = http(pipeline);
    HttpResponse<String> notStarted = get("/health");
    assertThat(notStarted.statusCode()).isEqualTo(503);
    assertThat(notStarted.body())
        .isEqualTo("{\"status\":\"unhealthy\",\"reasons\":[\"pipeline is new\"]}");
    assertThat(get("/metrics").body())
        .isEqualTo(
            "# HELP logstream_pipeline_up 1 while the pipeline runs (started and not closed).\n"
                + "# TYPE logstream_pipeline_up gauge\n"
                + "logstream_pipeline_up 0\n");

    pipeline.start();
    assertThat(get("/health").statusCode()).isEqualTo(200);
    pipeline.close();

    HttpResponse<String> closed = get("/health");
    assertThat(closed.statusCode()).isEqualTo(503);
    assertThat(closed.body())
        .isEqualTo("{\"status\":\"unhealthy\",\"reasons\":[\"pipeline is closed\"]}");
  }

  @Test
  void request_otherPathOrMethod_is404Or405() throws Exception {
    pipeline = pipeline().start();
    http = http(pipeline);
    HttpResponse<String> unknown = get("/metrics/x");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("not found: /metrics/x\n");
    HttpResponse<String> post = request("POST", "/metrics");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    assertThat(request("DELETE", "/health").statusCode()).isEqualTo(405);
  }

  @Test
  void close_releasesThePort() throws Exception {
    pipeline = pipeline();
    http = http(pipeline);
    InetSocketAddress bound = http.address();
    assertThat(bound.getPort()).isPositive();
    http.close();
    http = AgentHttpServer.builder(pipeline).address(bound).start();
    assertThat(http.address()).isEqualTo(bound);
  }

  @Test
  void builder_badOptions_failNamingThem() {
    Pipeline p = pipeline();
    assertThatThrownBy(() -> AgentHttpServer.builder(p).sinkUnreachableAfter(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sinkUnreachableAfter must be in 1s..1d, got PT0S");
    assertThatThrownBy(() -> AgentHttpServer.builder(p).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("address is required");
    assertThatThrownBy(
            () ->
                AgentHttpServer.builder(p)
                    .address(InetSocketAddress.createUnresolved("nowhere.invalid", 80)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("address must be resolved, got nowhere.invalid/<unresolved>:80");
    AgentHttpServer.Builder twice = AgentHttpServer.builder(p).address(ANY_PORT);
    assertThatThrownBy(() -> twice.address(ANY_PORT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("address was already set to ");
  }

  @Test
  void start_portTaken_failsNamingTheAddress() {
    pipeline = pipeline();
    http = http(pipeline);
    InetSocketAddress taken = http.address();
    assertThatThrownBy(() -> AgentHttpServer.builder(pipeline).address(taken).start())
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("http endpoint cannot bind " + taken + ": ");
  }
}
