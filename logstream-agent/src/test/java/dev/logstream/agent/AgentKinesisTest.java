package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.forward.ListenAddress;
import dev.logstream.kinesis.mock.KinesisMockExtension;
import dev.logstream.kinesis.mock.StreamReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;

/** The agent's default sink, Kinesis, against kinesis-mock: summary, progress, the stream. */
class AgentKinesisTest {

  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.withStreams("agent:2");

  private static final String TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";

  @TempDir Path dir;

  // the agent takes the SDK's default credentials chain, whose first link reads these
  @BeforeAll
  static void credentials() {
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
  }

  @AfterAll
  static void clearCredentials() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  @Test
  void agent_kinesisSink_deliversAndReportsCapacity() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    AtomicLong ticker = new AtomicLong();
    AtomicReference<Runnable> progress = new AtomicReference<>();
    String[] args = {
      "--listen", "tcp://127.0.0.1:0",
      "--buffer-dir", dir.toString(),
      "--stream", "agent",
      "--region", "us-east-1",
      "--endpoint", KINESIS.endpoint().toString(),
      "--partition-key", "tag"
    };
    try (Agent agent =
        Agent.start(
            AgentOptionsParser.parse(args),
            () -> AgentOptionsParser.parse(args),
            out,
            (interval, task) -> {
              progress.set(task);
              return () -> {};
            },
            ticker::get,
            Duration.ofMillis(100))) {
      assertThat(bytes.toString(StandardCharsets.UTF_8))
          .containsPattern(
              "  sink: kinesis stream 'agent' \\((2 shards|shard count not known yet)\\)\n");

      ListenAddress target = agent.pipeline().addresses().get(0);
      FluencyBuilderForFluentd builder = new FluencyBuilderForFluentd();
      builder.setAckResponseMode(true);
      try (Fluency fluency = builder.build(target.host(), target.port())) {
        for (int i = 0; i < 30; i++) {
          Map<String, Object> record = new LinkedHashMap<>();
          record.put("log", "line " + i);
          fluency.emit(TAG, 1_449_236_367L, record);
        }
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> agent.pipeline().dispatcherMetrics().recordsDelivered() == 30);
      await().until(() -> agent.pipeline().buffer().metrics().backlogRecords() == 0);

      var read =
          StreamReader.of(KINESIS.newClient(), "agent").readAtLeast(30, Duration.ofSeconds(60));
      assertThat(read).hasSize(30).allMatch(r -> r.partitionKey().equals(TAG));

      // the monitor counts a second once it has ended: 30 records over a 60 s window of 2 shards
      // of 1,000 records/s is 0.03 %
      ticker.set(Duration.ofSeconds(10).toNanos());
      progress.get().run();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                bytes.reset();
                progress.get().run();
                return bytes.toString(StandardCharsets.UTF_8).contains("capacity 0.03% of 2");
              });
      assertThat(bytes.toString(StandardCharsets.UTF_8))
          .isEqualTo(
              "progress: 0.0 events/s in, 0.0 records/s out, backlog 0, retries 0,"
                  + " dead letters 0, capacity 0.03% of 2 shards\n");
    }
  }
}
