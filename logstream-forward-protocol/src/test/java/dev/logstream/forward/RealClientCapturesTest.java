package dev.logstream.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder reads what real clients put on the wire (Docker's fluent-logger-golang, fluency,
 * fluent-logger-java, fluent-logger-python; captured in {@code src/test/resources/wire/}): exactly
 * the records sent, byte-exact {@code log} values, the right times, an ack wherever one was asked
 * for, whole and split into random pieces.
 */
class RealClientCapturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> captures() throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(wire())) {
      return files
          .map(path -> path.getFileName().toString())
          .filter(name -> name.endsWith(".bin"))
          .map(name -> name.substring(0, name.length() - 4))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("captures")
  void decode_capture_givesExactlyTheRecordsSent(String capture) throws Exception {
    byte[] stream = Files.readAllBytes(wire().resolve(capture + ".bin"));
    JsonNode sidecar = JSON.readTree(wire().resolve(capture + ".json").toFile());

    Decoded.Collector whole = new Decoded.Collector();
    ForwardDecoder.create().decode(stream, 0, stream.length, whole);

    List<String> logs = new ArrayList<>();
    for (Decoded frame : whole.frames) {
      assertThat(frame.tag()).isEqualTo(sidecar.get("tag").asText());
      assertThat(frame.dropped()).isEmpty();
      assertThat(frame.ackHex() != null).isEqualTo(sidecar.get("ack").asBoolean());
      for (String json : frame.events()) {
        logs.add(JSON.readTree(json).get("log").asText());
      }
    }
    List<String> sent = new ArrayList<>();
    sidecar.get("logs").forEach(node -> sent.add(node.asText()));
    assertThat(logs).isEqualTo(sent);
    assertThat(whole.frames).hasSize(sidecar.get("frames").asInt());

    String first = JSON.readTree(whole.frames.get(0).events().get(0)).get("time").asText();
    String expectedFirst = sidecar.get("firstEventTime").asText();
    if (sidecar.get("timePrecision").asText().equals("EVENT_TIME")
        && !capture.startsWith("python")) {
      assertThat(first).isEqualTo(expectedFirst);
    } else {
      assertThat(first.substring(0, 19)).isEqualTo(expectedFirst.substring(0, 19));
    }

    Decoded.Collector pieces = new Decoded.Collector();
    ForwardDecoder split = ForwardDecoder.create();
    Random random = new Random(capture.hashCode());
    for (int from = 0; from < stream.length; ) {
      int length = Math.min(stream.length - from, 1 + random.nextInt(700));
      split.decode(stream, from, length, pieces);
      from += length;
    }
    assertThat(pieces.frames).isEqualTo(whole.frames);
  }

  private static Path wire() throws URISyntaxException {
    return Path.of(RealClientCapturesTest.class.getResource("/wire").toURI());
  }
}
