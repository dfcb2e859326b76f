package dev.logstream.forward;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logstream.core.GrowableBytes;
import dev.logstream.core.KinesisRecordEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every committed input of the hostile corpus ({@code src/test/resources/hostile}) through a
 * {@link ForwardDecoder}, whole and one byte at a time, and checks the outcome its manifest gives.
 * Nothing but a {@link ForwardProtocolException} subtype may escape, and every delivered record is
 * encoded to Kinesis JSON of a size linear in its frame. {@link HostileCorpus} made the files; the
 * last test checks it still makes them byte for byte.
 */
class HostileCorpusTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Arguments> cases() {
    return manifestCases().stream().map(c -> Arguments.of(c.get("name").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decode_wholeInput_givesTheManifestOutcome(String name, JsonNode expected) {
    byte[] input = resource(name + ".bin");

    Outcome outcome =
        Outcome.of(
            expected, (decoder, listener) -> decoder.decode(input, 0, input.length, listener));

    assertThat(outcome.render(expected)).isEqualTo(expectedRendering(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decode_oneByteAtATime_givesTheManifestOutcome(String name, JsonNode expected) {
    byte[] input = resource(name + ".bin");

    Outcome outcome =
        Outcome.of(
            expected,
            (decoder, listener) -> {
              for (int i = 0; i < input.length; i++) {
                decoder.decode(input, i, 1, listener);
              }
            });

    assertThat(outcome.render(expected)).isEqualTo(expectedRendering(expected));
  }

  @Test
  void corpus_size_isAtLeastThirtyCasesEachWithAFile() {
    List<JsonNode> cases = manifestCases();

    assertThat(cases).hasSizeGreaterThanOrEqualTo(30);
    assertThat(cases.stream().map(c -> c.get("name").asText()).distinct()).hasSameSizeAs(cases);
    for (JsonNode c : cases) {
      assertThat(c.get("description").asText()).isNotBlank();
      assertThat(resource(c.get("name").asText() + ".bin")).isNotEmpty();
    }
  }

  @Test
  void corpus_committedFiles_areWhatTheGeneratorWrites() {
    List<HostileCorpus.Case> generated = HostileCorpus.cases();

    assertThat(new String(resource(HostileCorpus.MANIFEST), UTF_8))
        .isEqualTo(HostileCorpus.manifest(generated));
    for (HostileCorpus.Case c : generated) {
      assertThat(resource(c.name() + ".bin")).as(c.name()).isEqualTo(c.input());
    }
  }

  /* --------------- harness --------------- */

  @FunctionalInterface
  interface Feeding {
    void feed(ForwardDecoder decoder, FrameListener listener);
  }

  /** What a decoder did with one input: counts, buffered bytes and how it ended. */
  static final class Outcome implements FrameListener {
    int frames;
    int events;
    final Map<DropReason, Integer> dropped = new LinkedHashMap<>();
    int acks;
    int heartbeats;
    int bufferedBytes;
    ForwardProtocolException closed;
    private final KinesisRecordEncoder encoder = KinesisRecordEncoder.create();
    private final GrowableBytes json = new GrowableBytes();

    static Outcome of(JsonNode expected, Feeding feeding) {
      ForwardDecoder decoder = ForwardDecoder.create(limits(expected.get("limits")));
      Outcome outcome = new Outcome();
      try {
        feeding.feed(decoder, outcome);
      } catch (ForwardProtocolException e) {
        outcome.closed = e; // anything else is not caught: the test fails with it
      }
      outcome.bufferedBytes = decoder.bufferedBytes();
      return outcome;
    }

    @Override
    public void onFrame(ForwardFrame frame) {
      frames++;
      events += frame.size();
      for (int i = 0; i < frame.size(); i++) {
        // every delivered record must encode, and to JSON linear in the frame's size
        json.clear();
        encoder.encode(frame.tag(), frame.seconds(i), frame.nanos(i), frame.record(i), json);
        assertThat(json.length()).isLessThan(16 * frame.frameBytes() + 4096);
      }
      for (DropReason reason : DropReason.values()) {
        if (frame.dropped(reason) > 0) {
          dropped.merge(reason, frame.dropped(reason), Integer::sum);
        }
      }
      if (frame.wantsAck()) {
        acks++;
      }
    }

    @Override
    public void onHeartbeat() {
      heartbeats++;
    }

    /** One line per fact, in the manifest's terms, so a mismatch shows every difference. */
    List<String> render(JsonNode expected) {
      List<String> lines = new ArrayList<>();
      if (closed == null) {
        lines.add("outcome delivers");
      } else {
        lines.add("outcome closes");
        lines.add("exception " + closed.getClass().getSimpleName());
        String message = closed.getMessage();
        String prefix = expected.path("messagePrefix").asText(null);
        if (prefix != null && message.startsWith(prefix)) {
          message = prefix + "…"; // the manifest fixes only the prefix
        }
        lines.add("message " + message);
      }
      lines.add("frames " + frames);
      lines.add("events " + events);
      dropped.forEach((reason, count) -> lines.add("dropped " + reason + " " + count));
      lines.add("acks " + acks);
      lines.add("heartbeats " + heartbeats);
      if (closed == null) {
        lines.add("bufferedBytes " + bufferedBytes);
      }
      return lines;
    }
  }

  private List<String> expectedRendering(JsonNode expected) {
    List<String> lines = new ArrayList<>();
    String outcome = expected.get("outcome").asText();
    lines.add("outcome " + outcome);
    if (outcome.equals("closes")) {
      lines.add("exception " + expected.get("exception").asText());
      lines.add("message " + expectedMessage(expected));
    }
    lines.add("frames " + expected.get("frames").asInt());
    lines.add("events " + expected.get("events").asInt());
    expected
        .get("dropped")
        .fields()
        .forEachRemaining(e -> lines.add("dropped " + e.getKey() + " " + e.getValue().asInt()));
    lines.add("acks " + expected.get("acks").asInt());
    lines.add("heartbeats " + expected.get("heartbeats").asInt());
    if (outcome.equals("delivers")) {
      lines.add("bufferedBytes " + expected.get("bufferedBytes").asInt());
    }
    return lines;
  }

  private String expectedMessage(JsonNode expected) {
    if (expected.has("message")) {
      return expected.get("message").asText();
    }
    // a stable prefix: the rest of the actual message is accepted as it is
    String prefix = expected.get("messagePrefix").asText();
    return prefix + "…";
  }

  private static ForwardLimits limits(JsonNode limits) {
    ForwardLimits.Builder builder = ForwardLimits.builder();
    if (limits == null) {
      return builder.build();
    }
    limits
        .fields()
        .forEachRemaining(
            e -> {
              int value = e.getValue().asInt();
              switch (e.getKey()) {
                case "maxFrameBytes" -> builder.maxFrameBytes(value);
                case "maxDecompressedBytes" -> builder.maxDecompressedBytes(value);
                case "maxEntriesPerFrame" -> builder.maxEntriesPerFrame(value);
                case "maxTagBytes" -> builder.maxTagBytes(value);
                case "maxNestingDepth" -> builder.maxNestingDepth(value);
                default -> throw new IllegalArgumentException("unknown limit " + e.getKey());
              }
            });
    return builder.build();
  }

  private static List<JsonNode> manifestCases() {
    try {
      List<JsonNode> cases = new ArrayList<>();
      JSON.readTree(resource(HostileCorpus.MANIFEST)).get("cases").forEach(cases::add);
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] resource(String name) {
    String path = "/" + HostileCorpus.RESOURCE_DIR + "/" + name;
    try (InputStream in =
        Objects.requireNonNull(HostileCorpusTest.class.getResourceAsStream(path), path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
