package dev.logstream.agent.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.agent.Pipeline;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.core.tag.TagCodec;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import dev.logstream.forward.interop.DockerLikeGoClient;
import dev.logstream.forward.interop.DockerRecords;
import dev.logstream.forward.interop.FluencyClient;
import dev.logstream.forward.interop.FluentLoggerJavaClient;
import dev.logstream.forward.interop.ForwardClient;
import dev.logstream.forward.interop.PythonClient;
import dev.logstream.forward.interop.RecordBatch;
import dev.logstream.kinesis.KinesisSink;
import dev.logstream.kinesis.mock.KinesisMockExtension;
import dev.logstream.kinesis.mock.StreamReader;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Real forward clients (Docker's fluent-logger-golang, fluency, fluent-logger-java,
 * fluent-logger-python) → the pipeline → kinesis-mock → read back with GetRecords: every line is
 * there once, its {@code log} byte for byte, in the seed's JSON shape with a valid tag.
 */
class RealClientsToKinesisTest {

  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.withStreams("logs:2");

  private static final int LINES_PER_CLIENT = 60;
  private static final String TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void realClients_throughThePipelineToKinesisMock_everyLineOnceByteExact() throws Exception {
    List<ForwardClient> clients =
        List.of(
            DockerLikeGoClient.dockerDefaults(),
            new DockerLikeGoClient(true, false, true),
            new FluencyClient(true, true),
            new FluentLoggerJavaClient(),
            new PythonClient("sender", true));
    KinesisSink sink =
        KinesisSink.builder("logs")
            .endpointOverride(KINESIS.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .build();
    Map<String, String> expectedLogs = new HashMap<>();
    try (Pipeline pipeline =
        Pipeline.builder()
            .server(ForwardServer.builder().listen("tcp://127.0.0.1:0"))
            .buffer(SegmentBuffer.builder(dir).segmentSize(4 << 20).maxSegments(8))
            .sink(sink)
            .build()
            .start()) {
      ListenAddress address = pipeline.addresses().get(0);
      InetSocketAddress target = new InetSocketAddress(address.host(), address.port());
      for (ForwardClient client : clients) {
        RecordBatch batch =
            new RecordBatch(
                TAG, client.name(), LINES_PER_CLIENT, Instant.parse("2026-11-25T12:00:00Z"));
        assertThat(client.send(target, batch)).as(client.name()).isEqualTo(LINES_PER_CLIENT);
        for (int i = 0; i < LINES_PER_CLIENT; i++) {
          expectedLogs.put(DockerRecords.log(client.name(), i), client.name());
        }
      }
      // deliver everything before closing: close() drains for only a few seconds
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> pipeline.dispatcherMetrics().recordsDelivered() >= expectedLogs.size());
    }
    int total = clients.size() * LINES_PER_CLIENT;
    List<StreamReader.ReadRecord> read =
        StreamReader.of(KINESIS.newClient(), "logs").readAtLeast(total, Duration.ofSeconds(120));
    assertThat(read).hasSize(total);
    TagCodec codec = TagCodec.grid();
    List<String> logs = new ArrayList<>();
    for (StreamReader.ReadRecord r : read) {
      JsonNode json = JSON.readTree(new String(r.data(), UTF_8));
      List<String> keys = new ArrayList<>();
      for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
        keys.add(it.next());
      }
      // the record's keys in arrival order (Go clients send maps in random order), then time, tag
      assertThat(keys.subList(0, 4))
          .containsExactlyInAnyOrder("container_id", "container_name", "source", "log");
      assertThat(keys.subList(4, keys.size())).containsExactly("time", "tag");
      assertThat(json.get("container_id").asText()).isEqualTo(DockerRecords.CONTAINER_ID);
      assertThat(json.get("container_name").asText()).isEqualTo(DockerRecords.CONTAINER_NAME);
      assertThat(json.get("source").asText()).isEqualTo(DockerRecords.SOURCE);
      assertThat(json.get("time").asText()).startsWith("2026-11-25T12:00:00");
      assertThat(codec.parse(json.get("tag").asText()).format()).isEqualTo(TAG);
      logs.add(json.get("log").asText());
    }
    assertThat(logs)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(expectedLogs.keySet());
  }
}
