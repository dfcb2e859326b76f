package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.forward.ListenAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;

class AgentTest {

  private static final String GRID_ID = "devel/www-data/redis-test:devel/www-data/redis-test";

  @TempDir Path dir;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicLong ticker = new AtomicLong();
  private final AtomicReference<Runnable> progressTask = new AtomicReference<>();
  private final AtomicReference<Duration> progressInterval = new AtomicReference<>();
  private final List<Agent> agents = new ArrayList<>();

  @AfterEach
  void closeAgents() {
    agents.forEach(Agent::close);
  }

  private Agent start(String... args) {
    Agent agent =
        Agent.start(
            AgentOptionsParser.parse(args),
            () -> AgentOptionsParser.parse(args),
            out,
            (interval, task) -> {
              progressInterval.set(interval);
              progressTask.set(task);
              return () -> progressTask.set(null);
            },
            ticker::get,
            Duration.ofMillis(100));
    agents.add(agent);
    return agent;
  }

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Fluency fluency(Agent agent) {
    ListenAddress target = agent.pipeline().addresses().get(0);
    FluencyBuilderForFluentd builder = new FluencyBuilderForFluentd();
    builder.setAckResponseMode(true);
    builder.setFlushAttemptIntervalMillis(50);
    return builder.build(target.host(), target.port());
  }

  private static void emit(Fluency fluency, String tag, int from, int to) throws IOException {
    for (int i = from; i < to; i++) {
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("container_id", "1d26");
      record.put("source", "stdout");
      record.put("log", "line " + i);
      fluency.emit(tag, 1_449_236_367L, record);
    }
    fluency.flush();
  }

  @Test
  void start_discardSink_printsTheSummaryThenProgressLines() throws IOException {
    Agent agent =
        start("--listen", "tcp://127.0.0.1:0", "--buffer-dir", dir.toString(), "--sink=discard");
    ListenAddress bound = agent.pipeline().addresses().get(0);
    assertThat(bound.port()).isPositive();
    assertThat(output())
        .isEqualTo(
            "logstream agent started\n"
                + "  listening on tcp://127.0.0.1:"
                + bound.port()
                + "\n  buffer "
                + dir.toAbsolutePath()
                + ": "
                + agent.pipeline().buffer().recoveryReport().summary()
                + "\n  sink: discard\n");
    assertThat(progressInterval.get()).isEqualTo(Duration.ofSeconds(10));

    DiscardSink sink = (DiscardSink) agent.pipeline().sink();
    try (Fluency fluency = fluency(agent)) {
      emit(fluency, "grid." + GRID_ID, 0, 200);
      await().until(() -> sink.records() == 200);
    }
    await().until(() -> agent.pipeline().buffer().metrics().backlogRecords() == 0);
    ticker.set(Duration.ofSeconds(10).toNanos());
    bytes.reset();
    progressTask.get().run();
    assertThat(output())
        .isEqualTo(
            "progress: 20.0 events/s in, 20.0 records/s out, backlog 0, retries 0,"
                + " dead letters 0, capacity n/a\n");
    ticker.set(Duration.ofSeconds(15).toNanos());
    bytes.reset();
    progressTask.get().run();
    assertThat(output())
        .isEqualTo(
            "progress: 0.0 events/s in, 0.0 records/s out, backlog 0, retries 0,"
                + " dead letters 0, capacity n/a\n");
    agent.close();
    assertThat(progressTask.get()).isNull();
    assertThat(output()).endsWith("logstream agent stopped\n");
  }

  @Test
  void start_http_servesMetricsAndHealthForTheRunningPipeline() throws Exception {
    Agent agent =
        start(
            "--listen",
            "tcp://127.0.0.1:0",
            "--buffer-dir",
            dir.toString(),
            "--sink=discard",
            "--http",
            "127.0.0.1:0");
    Fluency fluency = fluency(agent);
    emit(fluency, "grid.a/b/c:d/e/f", 0, 20);
    fluency.close();
    String served = output().replaceAll("(?s).*  http: (http://[^/]+)/metrics.*", "$1");
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> metrics =
        client.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(served + "/metrics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("logstream_ingest_events_total 20");
    java.net.http.HttpResponse<String> health =
        client.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(served + "/health")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).startsWith("{\"status\":\"ok\"");
  }

  @Test
  void start_stdoutSink_writesEachRecordAsAJsonLine() throws IOException {
    Agent agent = start("--listen=tcp://127.0.0.1:0", "--buffer-dir=" + dir, "--sink", "stdout");
    try (Fluency fluency = fluency(agent)) {
      emit(fluency, "grid." + GRID_ID, 0, 3);
      await().until(() -> jsonLines().size() == 3);
    }
    assertThat(jsonLines().get(0))
        .isEqualTo(
            "{\"container_id\":\"1d26\",\"source\":\"stdout\",\"log\":\"line 0\","
                + "\"time\":\"2015-12-04T13:39:27Z\",\"tag\":\"grid."
                + GRID_ID
                + "\"}");
  }

  private List<String> jsonLines() {
    return output().lines().filter(l -> l.startsWith("{")).toList();
  }

  @Test
  void reload_configFileChange_appliesSinkAndTagsKeepingTheConnection() throws IOException {
    Path config = dir.resolve("agent.yaml");
    String base = "buffer-dir: " + dir.resolve("buffer") + "\nlisten: [tcp://127.0.0.1:0]\n";
    Files.writeString(config, base + "sink: discard\n");
    Agent agent = start("--config", config.toString());
    assertThat(output()).contains("  config: " + config + " (reloaded on change and SIGHUP)\n");
    DiscardSink discard = (DiscardSink) agent.pipeline().sink();
    String dockerTag = "docker." + GRID_ID;
    try (Fluency fluency = fluency(agent)) {
      emit(fluency, dockerTag, 0, 50);
      await().until(() -> discard.records() == 50);
      assertThat(agent.pipeline().ingestMetrics().foreignTagEvents()).isEqualTo(50);

      Files.writeString(config, base + "sink: stdout\ntag-prefix: docker\nfsync: always\n");
      await()
          .until(
              () ->
                  output()
                      .contains(
                          "reload (config file): fsync changed; restart to apply; sink changed to"
                              + " stdout; applied; tag-prefix changed to 'docker'; applied\n"));
      assertThat(agent.pipeline().sink()).isInstanceOf(StdoutSink.class);

      emit(fluency, dockerTag, 50, 100);
      await().until(() -> jsonLines().size() == 50);
      assertThat(agent.pipeline().ingestMetrics().foreignTagEvents()).isEqualTo(50);
      assertThat(agent.pipeline().server().stats().connectionsTotal()).isEqualTo(1);
      assertThat(agent.pipeline().server().stats().connectionsOpen()).isEqualTo(1);
    }
    assertThat(discard.records() + jsonLines().size()).isEqualTo(100);
    assertThat(jsonLines())
        .extracting(l -> l.replaceAll(".*\"log\":\"line (\\d+)\".*", "$1"))
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(50, 100).mapToObj(Integer::toString).toList());
  }

  @Test
  void reload_invalidConfigFile_keepsTheRunningConfiguration() throws IOException {
    Path config = dir.resolve("agent.json");
    Files.writeString(
        config,
        "{\"buffer-dir\": \""
            + dir.resolve("buffer")
            + "\", \"listen\": [\"tcp://127.0.0.1:0\"],"
            + " \"sink\": \"discard\"}");
    Agent agent = start("--config=" + config);
    Files.writeString(config, "{\"sink\": \"kafka\", \"buffer-dir\": \"/x\"}");
    await()
        .until(
            () ->
                output()
                    .contains(
                        "reload (config file) failed, keeping the running configuration: "
                            + config
                            + ": sink: expected kinesis, stdout or discard, got 'kafka'\n"));
    assertThat(agent.pipeline().sink()).isInstanceOf(DiscardSink.class);
    agent.reload();
    assertThat(output()).contains("reload (request) failed");
  }

  @Test
  void reload_nothingChanged_saysSo() {
    try (Agent agent =
        Agent.start(
            out,
            "--listen",
            "tcp://127.0.0.1:0",
            "--buffer-dir",
            dir.toString(),
            "--sink=discard")) {
      Object sink = agent.pipeline().sink();
      agent.reload();
      assertThat(output()).endsWith("reload (request): nothing changed\n");
      assertThat(agent.pipeline().sink()).isSameAs(sink);
    }
  }

  @Test
  void start_help_isRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Agent.start(out, "--help"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--help starts no agent");
  }
}
