package dev.logstream.forward;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.LogEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class PartialMessageAssemblerProperties {

  /** A line of random bytes, or of random multi-byte UTF-8 text so splits land inside chars. */
  private static byte[] line(Random random, int size) {
    if (random.nextBoolean()) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      return bytes;
    }
    String[] alphabet = {"a", "ž", "€", "😀", " ", "\n", "\""};
    StringBuilder text = new StringBuilder();
    while (text.toString().getBytes(UTF_8).length < size) {
      text.append(alphabet[random.nextInt(alphabet.length)]);
    }
    return text.toString().getBytes(UTF_8);
  }

  /** Splits a line at random points (empty pieces allowed) into its Docker pieces. */
  private static List<LogEvent> split(Random random, byte[] line, String container, String id) {
    int pieces = 1 + random.nextInt(8);
    int[] cuts = new int[pieces + 1];
    for (int i = 1; i < pieces; i++) {
      cuts[i] = random.nextInt(line.length + 1);
    }
    cuts[pieces] = line.length;
    Arrays.sort(cuts);
    List<LogEvent> events = new ArrayList<>();
    for (int i = 0; i < pieces; i++) {
      byte[] log = Arrays.copyOfRange(line, cuts[i], cuts[i + 1]);
      events.add(Assembled.piece(container, id, i + 1, i == pieces - 1, log));
    }
    return events;
  }

  /** A line, the container that wrote it and its pieces. */
  private record Line(String container, byte[] bytes, List<LogEvent> pieces) {}

  @Property(tries = 300)
  void accept_randomLinesSplitAndShuffledWithinTheirGroup_assembleByteForByte(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int lines) {
    Random random = new Random(seed);
    List<Line> originals = new ArrayList<>();
    for (int i = 0; i < lines; i++) {
      String container = random.nextBoolean() ? Assembled.CONTAINER_A : Assembled.CONTAINER_B;
      byte[] line = line(random, random.nextInt(3000));
      List<LogEvent> pieces = split(random, line, container, String.format("%064x", i));
      Collections.shuffle(pieces, random);
      originals.add(new Line(container, line, new ArrayList<>(pieces)));
    }
    // Interleave the groups: each step takes the next piece of a random unfinished group. A line
    // comes out when its group's last piece in this stream goes in.
    List<LogEvent> stream = new ArrayList<>();
    List<Line> expected = new ArrayList<>();
    List<Line> open = new ArrayList<>(originals);
    while (!open.isEmpty()) {
      Line line = open.get(random.nextInt(open.size()));
      stream.add(line.pieces().remove(0));
      if (line.pieces().isEmpty()) {
        open.remove(line);
        expected.add(line);
      }
    }
    Assembled.Collector sink = new Assembled.Collector();
    PartialMessageAssembler assembler =
        PartialMessageAssembler.builder().ticker(() -> 0).build(sink);

    stream.forEach(piece -> sink.feed(assembler, piece));

    assertThat(sink.events).hasSize(lines);
    for (int i = 0; i < lines; i++) {
      Assembled event = sink.events.get(i);
      assertThat(event.bytes("log")).isEqualTo(expected.get(i).bytes());
      assertThat(event.text("container_id")).isEqualTo(expected.get(i).container());
      assertThat(event.fields())
          .doesNotContainKeys(
              "partial_message", "partial_id", "partial_ordinal", "partial_last", "partial_flush");
    }
    assertThat(assembler.openGroups()).isZero();
    assertThat(assembler.bufferedBytes()).isZero();
    assertThat(assembler.stats().groupsAssembled()).isEqualTo(lines);
  }
}
