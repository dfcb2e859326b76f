package dev.logstream.forward.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.forward.interop.ForwardFrames.Decoded;
import dev.logstream.forward.interop.ForwardFrames.Event;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed golden captures under {@code src/test/resources/wire} (see {@link
 * CaptureWireSamples}) are what their sidecars say: a sequence of complete msgpack values carrying
 * exactly the listed records.
 */
class WireSamplesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static Path wireDirectory() throws URISyntaxException {
    return Path.of(WireSamplesTest.class.getResource("/wire").toURI());
  }

  static Stream<String> sampleNames() {
    return CaptureWireSamples.SAMPLES.stream().map(CaptureWireSamples.Sample::name);
  }

  @Test
  void wireDirectory_everyFile_belongsToAGeneratedSample() throws Exception {
    List<String> expected = new ArrayList<>();
    sampleNames().forEach(name -> expected.addAll(List.of(name + ".bin", name + ".json")));
    expected.add("README.md");
    try (Stream<Path> files = Files.list(wireDirectory())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sampleNames")
  void capture_parsedWithMsgpackCore_matchesItsSidecar(String name) throws Exception {
    byte[] bytes = Files.readAllBytes(wireDirectory().resolve(name + ".bin"));
    JsonNode sidecar = JSON.readTree(wireDirectory().resolve(name + ".json").toFile());

    Decoded decoded = ForwardFrames.decode(bytes);

    assertThat(decoded.consumedBytes()).isEqualTo(bytes.length);
    assertThat(sidecar.get("bytes").asInt()).isEqualTo(bytes.length);
    assertThat(decoded.events()).hasSize(sidecar.get("count").asInt());
    assertThat(decoded.frames()).hasSize(sidecar.get("frames").asInt());
    assertThat(decoded.logs()).containsExactlyElementsOf(strings(sidecar.get("logs")));
    assertThat(decoded.modes()).containsExactlyElementsOf(strings(sidecar.get("modes")));
    TimePrecision precision = TimePrecision.valueOf(sidecar.get("timePrecision").asText());
    for (Event event : decoded.events()) {
      assertThat(event.tag()).isEqualTo(sidecar.get("tag").asText());
      assertThat(event.timePrecision()).isEqualTo(precision);
      assertThat(event.fields().keySet())
          .containsExactlyInAnyOrderElementsOf(strings(sidecar.get("recordKeys")));
    }
    boolean ack = sidecar.get("ack").asBoolean();
    assertThat(decoded.frames())
        .allSatisfy(frame -> assertThat(frame.optionKeys().contains("chunk")).isEqualTo(ack));
  }

  @Test
  void captures_sentWithSubSecondPrecision_keepNanoseconds() throws Exception {
    byte[] bytes = Files.readAllBytes(wireDirectory().resolve("go-subsecond-tcp.bin"));

    Decoded decoded = ForwardFrames.decode(bytes);

    assertThat(decoded.events().get(0).time()).isEqualTo(CaptureWireSamples.FIRST_EVENT_TIME);
    assertThat(decoded.events().get(9).time())
        .isEqualTo(CaptureWireSamples.FIRST_EVENT_TIME.plusMillis(9));
  }

  private static List<String> strings(JsonNode array) throws IOException {
    List<String> values = new ArrayList<>();
    array.forEach(node -> values.add(node.asText()));
    return values;
  }
}
