package dev.logstream.forward.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.forward.interop.ForwardFrames.Decoded;
import dev.logstream.forward.interop.ForwardFrames.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real client sends {@link #COUNT} Docker-shaped records to a {@link WireCapture}; the
 * capture must hold exactly those records, byte for byte, in order. The lead points these same
 * clients at the real server later.
 */
class ForwardClientsInteropTest {

  private static final int COUNT = 100;

  @TempDir Path socketDirectory;

  static Stream<Arguments> clients() {
    return Stream.of(
        Arguments.of(DockerLikeGoClient.dockerDefaults(), "tcp"),
        Arguments.of(new DockerLikeGoClient(true, false, false), "tcp"),
        Arguments.of(new DockerLikeGoClient(false, false, true), "tcp"),
        Arguments.of(new DockerLikeGoClient(true, true, true), "tcp"),
        Arguments.of(new DockerLikeGoClient(false, true, false), "unix"),
        Arguments.of(new DockerLikeGoClient(true, false, true), "unix"),
        Arguments.of(new FluencyClient(false, false), "tcp"),
        Arguments.of(new FluencyClient(true, false), "tcp"),
        Arguments.of(new FluencyClient(true, true), "tcp"),
        Arguments.of(new FluentLoggerJavaClient(), "tcp"),
        Arguments.of(new PythonClient("sender", false), "tcp"),
        Arguments.of(new PythonClient("event", true), "tcp"),
        Arguments.of(new PythonClient("sender", true), "unix"));
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("clients")
  void client_sendsBatch_captureHoldsExactlyThoseRecords(ForwardClient client, String transport)
      throws Exception {
    RecordBatch batch =
        new RecordBatch(
            "interop." + client.name(), client.name() + "-" + transport, COUNT, Instant.now());
    try (WireCapture capture =
        transport.equals("unix")
            ? WireCapture.unix(socketDirectory.resolve("forward.sock"))
            : WireCapture.tcp()) {
      assertThat(client.supports(capture.address())).isTrue();

      int posted = client.send(capture.address(), batch);

      assertThat(posted).isEqualTo(COUNT);
      byte[] bytes =
          capture.awaitClientsDone(
              Duration.ofSeconds(30), b -> ForwardFrames.decodeArrived(b).events().size() >= COUNT);
      assertThat(capture.errors()).isEmpty();
      Decoded decoded = ForwardFrames.decode(bytes);
      assertThat(decoded.events()).hasSize(COUNT);
      assertThat(decoded.logs()).containsExactlyElementsOf(batch.logs());
      for (Event event : decoded.events()) {
        assertThat(event.tag()).isEqualTo(batch.tag());
        assertThat(event.timePrecision()).isEqualTo(client.timePrecision());
        assertThat(event.field("container_id")).isEqualTo(DockerRecords.CONTAINER_ID);
        assertThat(event.field("container_name")).isEqualTo(DockerRecords.CONTAINER_NAME);
        assertThat(event.field("source")).isEqualTo(DockerRecords.SOURCE);
        assertThat(event.fields()).hasSize(4);
      }
      long framesAskingForAck =
          decoded.frames().stream().filter(f -> f.optionKeys().contains("chunk")).count();
      if (client.ack()) {
        assertThat(framesAskingForAck).isEqualTo(decoded.frames().size());
        assertThat(capture.acksSent()).isEqualTo(decoded.frames().size());
      } else {
        assertThat(framesAskingForAck).isZero();
        assertThat(capture.acksSent()).isZero();
      }
    }
  }
}
