package dev.logstream.forward.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.core.GrowableBytes;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.TimePrecision;
import dev.logstream.forward.Admission;
import dev.logstream.forward.ForwardServer;
import dev.logstream.forward.ListenAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real client (Docker's fluent-logger-golang, fluency, fluent-logger-java,
 * fluent-logger-python) sends records to the real {@link ForwardServer}, over TCP and Unix sockets,
 * with and without acks: exactly those records arrive, byte-exact, with the right times, and every
 * frame that asked for an ack got one.
 */
class ForwardServerInteropTest {
  private static final int COUNT = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path socketDirectory;

  static Stream<org.junit.jupiter.params.provider.Arguments> clients() {
    return ForwardClientsInteropTest.clients();
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("clients")
  void client_sendsBatch_serverDeliversExactlyThoseRecords(ForwardClient client, String transport)
      throws Exception {
    RecordBatch batch =
        new RecordBatch(
            "interop." + client.name(), client.name() + "-" + transport, COUNT, Instant.now());
    ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    KinesisRecordEncoder encoder =
        KinesisRecordEncoder.builder().timePrecision(TimePrecision.NANOS).build();
    Path socket = socketDirectory.resolve("forward.sock");
    ForwardServer.Builder builder =
        ForwardServer.builder()
            .handler(
                (frame, connection) -> {
                  for (int i = 0; i < frame.size(); i++) {
                    GrowableBytes out = new GrowableBytes();
                    encoder.encode(
                        frame.tag(), frame.seconds(i), frame.nanos(i), frame.record(i), out);
                    received.add(new String(out.toByteArray(), StandardCharsets.UTF_8));
                  }
                  return Admission.accepted(CompletableFuture.completedFuture(null));
                });
    builder.listen(transport.equals("unix") ? "unix://" + socket : "tcp://127.0.0.1:0");
    try (ForwardServer server = builder.build().start()) {
      ListenAddress bound = server.addresses().get(0);
      SocketAddress address =
          transport.equals("unix")
              ? UnixDomainSocketAddress.of(bound.path())
              : new InetSocketAddress("127.0.0.1", bound.port());

      int posted = client.send(address, batch);

      assertThat(posted).isEqualTo(COUNT);
      await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= COUNT);
      List<String> logs = new ArrayList<>();
      int i = 0;
      for (String json : received) {
        JsonNode record = JSON.readTree(json);
        assertThat(record.get("tag").asText()).isEqualTo(batch.tag());
        assertThat(record.get("container_id").asText()).isEqualTo(DockerRecords.CONTAINER_ID);
        assertThat(record.get("source").asText()).isEqualTo(DockerRecords.SOURCE);
        logs.add(record.get("log").asText());
        assertTime(client, Instant.parse(record.get("time").asText()), batch.eventTime(i++));
      }
      assertThat(logs).containsExactlyElementsOf(batch.logs());
      if (client.ack()) {
        assertThat(server.stats().acks()).isEqualTo(server.stats().frames());
      } else {
        assertThat(server.stats().acks()).isZero();
      }
      assertThat(server.stats().events()).isEqualTo(COUNT);
    }
  }

  /**
   * Integer-second clients lose the fraction; EventTime clients keep it exactly, except Python's,
   * which passes the time through a float.
   */
  private static void assertTime(ForwardClient client, Instant received, Instant sent) {
    if (client.timePrecision() == dev.logstream.forward.interop.TimePrecision.SECONDS) {
      assertThat(received).isEqualTo(sent.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    } else if (client instanceof PythonClient) {
      assertThat(Duration.between(sent, received).abs()).isLessThan(Duration.ofMillis(1));
    } else {
      assertThat(received).isEqualTo(sent);
    }
  }
}
