package dev.logstream.forward;

import static dev.logstream.forward.Assembled.CONTAINER_A;
import static dev.logstream.forward.Assembled.CONTAINER_B;
import static dev.logstream.forward.Assembled.ID_1;
import static dev.logstream.forward.Assembled.ID_2;
import static dev.logstream.forward.Assembled.SECONDS;
import static dev.logstream.forward.Assembled.TAG;
import static dev.logstream.forward.Assembled.piece;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.EventTime;
import dev.logstream.core.FieldValue;
import dev.logstream.core.LogEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartialMessageAssemblerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Assembled.Collector sink = new Assembled.Collector();
  private long now = 1_000_000_000L;

  private PartialMessageAssembler assembler() {
    return PartialMessageAssembler.builder().ticker(() -> now).timeout(TIMEOUT).build(sink);
  }

  private static String assembledJson(String log, int firstOrdinal) {
    return "{\"container_id\":\""
        + CONTAINER_A
        + "\",\"container_name\":\"/redis-test\",\"source\":\"stdout\",\"log\":\""
        + log
        + "\",\"com.example.team\":\"grid\",\"time\":\"2015-12-04T13:39:"
        + (27 + firstOrdinal)
        + ".00000000"
        + firstOrdinal
        + "Z\",\"tag\":\""
        + TAG
        + "\"}";
  }

  private static void assertValidUtf8(byte[] json) {
    try {
      UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(json));
    } catch (CharacterCodingException e) {
      throw new AssertionError("not valid UTF-8: " + new String(json, UTF_8), e);
    }
  }

  /* --------------- whole lines --------------- */

  @Test
  void accept_wholeLine_passesTheSameViewThroughAtOnce() {
    PartialMessageAssembler assembler = assembler();
    LogEvent line =
        LogEvent.builder(TAG, EventTime.of(SECONDS, 7))
            .field("container_id", CONTAINER_A)
            .field("log", "hello")
            .build();

    assembler.accept(TAG, SECONDS, 7, line);

    assertThat(sink.events).hasSize(1);
    Assembled out = sink.events.get(0);
    assertThat(out.view()).isSameAs(line);
    assertThat(out.tag()).isSameAs(TAG);
    assertThat(out.seconds()).isEqualTo(SECONDS);
    assertThat(out.nanos()).isEqualTo(7);
    assertThat(assembler.stats())
        .isEqualTo(new PartialMessageAssembler.Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void accept_recordsWhosePartialMessageIsNotTopLevelTrue_passThroughUnchanged() {
    PartialMessageAssembler assembler = assembler();
    LogEvent falseValue =
        LogEvent.builder(TAG, EventTime.of(SECONDS, 0))
            .field("partial_message", "false")
            .field("log", "a")
            .build();
    LogEvent nested =
        LogEvent.builder(TAG, EventTime.of(SECONDS, 0))
            .field(
                "labels",
                new FieldValue.MapValue(
                    Map.of(FieldValue.string("partial_message"), FieldValue.string("true"))))
            .field("log", "b")
            .build();
    LogEvent keyAsValue =
        LogEvent.builder(TAG, EventTime.of(SECONDS, 0))
            .field("note", "partial_message")
            .field("x", "true")
            .build();
    LogEvent nonString =
        LogEvent.builder(TAG, EventTime.of(SECONDS, 0))
            .field("partial_message", FieldValue.integer(1))
            .build();

    sink.feed(assembler, falseValue, nested, keyAsValue, nonString);

    assertThat(sink.events)
        .extracting(Assembled::view)
        .containsExactly(falseValue, nested, keyAsValue, nonString);
    assertThat(assembler.stats().piecesIn()).isZero();
  }

  @Test
  void accept_wholeLinesFromTheDecoder_encodeByteForByteAsWithoutTheAssembler() {
    byte[] stream = Frames.concat(Frames.dockerMessage(0, null), Frames.dockerMessage(1, "c"));
    Decoded.Collector direct = new Decoded.Collector();
    ForwardDecoder.create().decode(stream, 0, stream.length, direct);
    PartialMessageAssembler assembler = assembler();

    ForwardDecoder.create().decode(stream, 0, stream.length, assembler::acceptAll);

    assertThat(sink.events).extracting(Assembled::jsonText).hasSize(2);
    assertThat(sink.events.stream().map(Assembled::jsonText).toList())
        .containsExactly(
            direct.frames.get(0).events().get(0), direct.frames.get(1).events().get(0));
  }

  /* --------------- complete groups --------------- */

  @Test
  void accept_twoPiecesInOrder_emitsOneEventWithTheFirstPiecesFieldsAndTheLogsJoined() {
    PartialMessageAssembler assembler = assembler();

    sink.feed(assembler, piece(ID_1, 1, false, "Hello, "));
    assertThat(sink.events).isEmpty();
    sink.feed(assembler, piece(ID_1, 2, true, "world"));

    assertThat(sink.events).hasSize(1);
    assertThat(sink.events.get(0).jsonText()).isEqualTo(assembledJson("Hello, world", 1));
    assertThat(assembler.stats())
        .isEqualTo(new PartialMessageAssembler.Stats(2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void accept_twoPiecesLastFirst_emitsTheSameEvent() {
    PartialMessageAssembler assembler = assembler();

    sink.feed(assembler, piece(ID_1, 2, true, "world"), piece(ID_1, 1, false, "Hello, "));

    assertThat(sink.events).hasSize(1);
    assertThat(sink.events.get(0).jsonText()).isEqualTo(assembledJson("Hello, world", 1));
  }

  @Test
  void accept_fivePiecesInEveryTestedOrder_joinInOrdinalOrder() {
    int[][] orders = {
      {1, 2, 3, 4, 5}, {5, 4, 3, 2, 1}, {3, 1, 5, 2, 4}, {2, 5, 1, 4, 3}, {1, 5, 2, 4, 3}
    };
    for (int[] order : orders) {
      Assembled.Collector collector = new Assembled.Collector();
      PartialMessageAssembler assembler =
          PartialMessageAssembler.builder().ticker(() -> now).build(collector);

      for (int ordinal : order) {
        collector.feed(assembler, piece(ID_1, ordinal, ordinal == 5, "p" + ordinal + ";"));
      }

      assertThat(collector.events).as("order %s", List.of(order)).hasSize(1);
      assertThat(collector.events.get(0).jsonText()).isEqualTo(assembledJson("p1;p2;p3;p4;p5;", 1));
      assertThat(assembler.openGroups()).isZero();
      assertThat(assembler.bufferedBytes()).isZero();
    }
  }

  @Test
  void accept_utf8CharacterSplitAcrossPieces_isWholeInTheKinesisJson() {
    PartialMessageAssembler assembler = assembler();
    byte[] euro = "€".getBytes(UTF_8); // E2 82 AC
    byte[] first = {'a', euro[0], euro[1]};
    byte[] second = {euro[2], 'b'};
    LogEvent piece1 = piece(CONTAINER_A, ID_1, 1, false, first);
    LogEvent piece2 = piece(CONTAINER_A, ID_1, 2, true, second);

    sink.feed(assembler, piece1, piece2);

    byte[] json = sink.events.get(0).json();
    assertValidUtf8(json);
    assertThat(new String(json, UTF_8)).isEqualTo(assembledJson("a€b", 1)).doesNotContain("\uFFFD");
    assertThat(sink.events.get(0).bytes("log")).containsExactly('a', 0xE2, 0x82, 0xAC, 'b');
  }

  @Test
  void accept_interleavedGroupsOfTwoContainersWithTheSameId_assembleSeparately() {
    PartialMessageAssembler assembler = assembler();
    byte[] a1 = "A1".getBytes(UTF_8);
    byte[] a2 = "A2".getBytes(UTF_8);
    byte[] b1 = "B1".getBytes(UTF_8);
    byte[] b2 = "B2".getBytes(UTF_8);

    sink.feed(
        assembler,
        piece(CONTAINER_A, ID_1, 1, false, a1),
        piece(CONTAINER_B, ID_1, 2, true, b2),
        piece(CONTAINER_A, ID_2, 1, false, a1),
        piece(CONTAINER_B, ID_1, 1, false, b1),
        piece(CONTAINER_A, ID_1, 2, true, a2));
    assertThat(assembler.openGroups()).isEqualTo(1);
    sink.feed(assembler, piece(CONTAINER_A, ID_2, 2, true, b2));

    assertThat(sink.logs()).containsExactly("B1B2", "A1A2", "A1B2");
    assertThat(sink.events)
        .extracting(e -> e.text("container_id"))
        .containsExactly(CONTAINER_B, CONTAINER_A, CONTAINER_A);
    assertThat(assembler.stats().groupsAssembled()).isEqualTo(3);
  }

  @Test
  void accept_duplicateOrdinal_isIgnoredAndCounted() {
    PartialMessageAssembler assembler = assembler();

    sink.feed(
        assembler,
        piece(ID_1, 1, false, "a"),
        piece(ID_1, 1, false, "a"),
        piece(ID_1, 2, true, "b"));

    assertThat(sink.logs()).containsExactly("ab");
    assertThat(assembler.stats().duplicatePieces()).isEqualTo(1);
    assertThat(assembler.stats().piecesIn()).isEqualTo(3);
  }

  @Test
  void accept_firstPiecesOtherValues_keepTheirTypesAndOrderAroundLog() {
    PartialMessageAssembler assembler = assembler();
    LogEvent.Builder first = LogEvent.builder(TAG, EventTime.of(SECONDS, 0));
    first
        .field("partial_ordinal", "1")
        .field("count", FieldValue.integer(-300))
        .field("log", "x")
        .field("partial_id", ID_1)
        .field(
            "nested",
            new FieldValue.MapValue(Map.of(FieldValue.string("k"), FieldValue.NilValue.INSTANCE)))
        .field("partial_message", "true")
        .field("flag", new FieldValue.BooleanValue(true));
    LogEvent second =
        LogEvent.builder(TAG, EventTime.of(SECONDS, 0))
            .field("log", "y")
            .field("partial_message", "true")
            .field("partial_id", ID_1)
            .field("partial_ordinal", "2")
            .field("partial_last", "true")
            .build();

    sink.feed(assembler, second, first.build());

    assertThat(sink.events.get(0).jsonText())
        .isEqualTo(
            "{\"count\":-300,\"log\":\"xy\",\"nested\":{\"k\":null},\"flag\":true,"
                + "\"time\":\"2015-12-04T13:39:27.000000000Z\",\"tag\":\""
                + TAG
                + "\"}");
  }

  @Test
  void accept_pieceThatCannotBeGrouped_passesThroughAndIsCounted() {
    PartialMessageAssembler assembler = assembler();
    LogEvent noId =
        LogEvent.builder(TAG, EventTime.of(SECONDS, 0))
            .field("log", "docker 18")
            .field("partial_message", "true")
            .build();
    LogEvent badOrdinal =
        LogEvent.builder(TAG, EventTime.of(SECONDS, 0))
            .field("log", "x")
            .field("partial_message", "true")
            .field("partial_id", ID_1)
            .field("partial_ordinal", "0")
            .build();
    LogEvent binaryLog =
        LogEvent.builder(TAG, EventTime.of(SECONDS, 0))
            .field("log", new FieldValue.BinaryValue(new byte[] {1}))
            .field("partial_message", "true")
            .field("partial_id", ID_1)
            .field("partial_ordinal", "1")
            .build();

    sink.feed(assembler, noId, badOrdinal, binaryLog);

    assertThat(sink.events)
        .extracting(Assembled::view)
        .containsExactly(noId, badOrdinal, binaryLog);
    assertThat(assembler.stats().malformedPieces()).isEqualTo(3);
    assertThat(assembler.stats().piecesPassedThrough()).isEqualTo(3);
    assertThat(assembler.openGroups()).isZero();
  }

  @Test
  void accept_piecesDecodedFromDockerFrames_assembleByteExact() {
    byte[] euro = "€".getBytes(UTF_8);
    byte[] stream =
        Frames.concat(
            dockerPiece(2, true, new byte[] {euro[2], '!'}),
            dockerPiece(1, false, new byte[] {'x', euro[0], euro[1]}));
    PartialMessageAssembler assembler = assembler();

    ForwardDecoder.create().decode(stream, 0, stream.length, assembler::acceptAll);

    assertThat(sink.events).hasSize(1);
    assertThat(sink.events.get(0).jsonText())
        .isEqualTo(
            "{\"container_id\":\""
                + CONTAINER_A
                + "\",\"container_name\":\"/redis-test\",\"source\":\"stdout\",\"log\":\"x€!\","
                + "\"time\":\"2015-12-04T13:39:27.000000000Z\",\"tag\":\""
                + TAG
                + "\"}");
  }

  private static byte[] dockerPiece(int ordinal, boolean last, byte[] log) {
    return Frames.packer()
        .array(4)
        .str(TAG)
        .integer(SECONDS)
        .map(8)
        .str("container_id")
        .str(CONTAINER_A)
        .str("container_name")
        .str("/redis-test")
        .str("source")
        .str("stdout")
        .str("log")
        .strBytes(log)
        .str("partial_message")
        .str("true")
        .str("partial_id")
        .str(ID_1)
        .str("partial_ordinal")
        .str(Integer.toString(ordinal))
        .str("partial_last")
        .str(Boolean.toString(last))
        .map(0)
        .bytes();
  }

  /* --------------- early flushes --------------- */

  @Test
  void flushExpired_groupWithoutLastPiece_isFlushedMarkedTimeoutOnceTheTimeoutPassed() {
    PartialMessageAssembler assembler = assembler();
    sink.feed(assembler, piece(ID_1, 1, false, "a"), piece(ID_1, 2, false, "b"));

    now += TIMEOUT.toNanos() - 1;
    assertThat(assembler.flushExpired()).isZero();
    assertThat(sink.events).isEmpty();
    now += 1;
    assertThat(assembler.flushExpired()).isEqualTo(1);

    assertThat(sink.events).hasSize(1);
    Assembled out = sink.events.get(0);
    assertThat(out.text("log")).isEqualTo("ab");
    assertThat(out.text("partial_message")).isEqualTo("true");
    assertThat(out.text("partial_id")).isEqualTo(ID_1);
    assertThat(out.text("partial_flush")).isEqualTo("timeout");
    assertThat(out.fields()).doesNotContainKeys("partial_ordinal", "partial_last");
    assertThat(out.seconds()).isEqualTo(SECONDS + 1);
    assertThat(assembler.stats().groupsFlushedByTimeout()).isEqualTo(1);
    assertThat(assembler.openGroups()).isZero();
    assertThat(assembler.bufferedBytes()).isZero();
  }

  @Test
  void flushExpired_eachPiece_restartsItsGroupsTimeout() {
    PartialMessageAssembler assembler = assembler();
    sink.feed(assembler, piece(ID_1, 1, false, "a"));
    now += TIMEOUT.toNanos() - 1;
    sink.feed(assembler, piece(ID_2, 1, false, "c"), piece(ID_1, 2, false, "b"));
    now += 1;

    assertThat(assembler.flushExpired()).isZero();
    now += TIMEOUT.toNanos();
    assertThat(assembler.flushExpired()).isEqualTo(2);

    assertThat(sink.logs()).containsExactly("c", "ab");
  }

  @Test
  void flushExpired_groupMissingAMiddlePiece_flushesWhatItHoldsInOrdinalOrder() {
    PartialMessageAssembler assembler = assembler();
    sink.feed(assembler, piece(ID_1, 3, true, "c"), piece(ID_1, 1, false, "a"));

    now += TIMEOUT.toNanos();
    assembler.flushExpired();

    assertThat(sink.logs()).containsExactly("ac");
    assertThat(sink.events.get(0).text("partial_flush")).isEqualTo("timeout");
  }

  @Test
  void accept_groupOutgrowingMaxAssembledBytes_flushesBySizeThenPassesItsPiecesThrough() {
    PartialMessageAssembler assembler =
        PartialMessageAssembler.builder().ticker(() -> now).maxAssembledBytes(5).build(sink);
    LogEvent piece3 = piece(ID_1, 3, false, "cc");
    LogEvent piece4 = piece(ID_1, 4, true, "dd");

    sink.feed(assembler, piece(ID_1, 1, false, "aa"), piece(ID_1, 2, false, "bb"));
    assertThat(sink.events).isEmpty();
    sink.feed(assembler, piece3, piece4);

    assertThat(sink.logs()).containsExactly("aabb", "cc", "dd");
    assertThat(sink.events.get(0).text("partial_flush")).isEqualTo("size");
    assertThat(sink.events.get(0).text("partial_id")).isEqualTo(ID_1);
    assertThat(sink.events.get(1).view()).isSameAs(piece3);
    assertThat(sink.events.get(2).view()).isSameAs(piece4);
    assertThat(assembler.stats())
        .isEqualTo(new PartialMessageAssembler.Stats(4, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0));
  }

  @Test
  void accept_firstPieceAloneLargerThanMaxAssembledBytes_passesThrough() {
    PartialMessageAssembler assembler =
        PartialMessageAssembler.builder().ticker(() -> now).maxAssembledBytes(3).build(sink);
    LogEvent big = piece(ID_1, 1, false, "abcd");
    LogEvent last = piece(ID_1, 2, true, "e");

    sink.feed(assembler, big, last);

    assertThat(sink.events).extracting(Assembled::view).containsExactly(big, last);
    assertThat(assembler.stats().groupsFlushedBySize()).isEqualTo(1);
    assertThat(assembler.openGroups()).isZero();
  }

  @Test
  void accept_newGroupBeyondMaxOpenGroups_flushesTheGroupThatWaitedLongestByCapacity() {
    PartialMessageAssembler assembler =
        PartialMessageAssembler.builder().ticker(() -> now).maxOpenGroups(2).build(sink);
    String id3 = "c".repeat(64);
    sink.feed(assembler, piece(ID_1, 1, false, "1a"), piece(ID_2, 1, false, "2a"));
    sink.feed(assembler, piece(ID_1, 2, false, "1b")); // group 1 is now the most recent

    sink.feed(assembler, piece(id3, 1, false, "3a"));

    assertThat(sink.logs()).containsExactly("2a");
    assertThat(sink.events.get(0).text("partial_flush")).isEqualTo("capacity");
    assertThat(sink.events.get(0).text("partial_id")).isEqualTo(ID_2);
    assertThat(assembler.stats().groupsFlushedByCapacity()).isEqualTo(1);
    assertThat(assembler.openGroups()).isEqualTo(2);
  }

  @Test
  void flushAll_flushesEveryOpenGroupMarkedFlushAll() {
    PartialMessageAssembler assembler = assembler();
    sink.feed(
        assembler,
        piece(ID_1, 1, false, "a"),
        piece(ID_2, 2, false, "y"),
        piece(ID_2, 1, false, "x"));

    assertThat(assembler.flushAll()).isEqualTo(2);

    assertThat(sink.logs()).containsExactly("a", "xy");
    assertThat(sink.events)
        .extracting(e -> e.text("partial_flush"))
        .containsExactly("flush_all", "flush_all");
    assertThat(assembler.stats().groupsFlushedByFlushAll()).isEqualTo(2);
    assertThat(assembler.openGroups()).isZero();
    assertThat(assembler.bufferedBytes()).isZero();
  }

  @Test
  void bufferedBytes_countsHeldLogAndFieldBytesUntilTheGroupLeaves() {
    PartialMessageAssembler assembler = assembler();

    sink.feed(assembler, piece(ID_1, 2, false, "b".repeat(100)));
    long afterOne = assembler.bufferedBytes();
    sink.feed(assembler, piece(ID_1, 1, false, "a".repeat(100)));

    assertThat(afterOne).isGreaterThan(100);
    assertThat(assembler.bufferedBytes()).isGreaterThan(afterOne + 99);
    sink.feed(assembler, piece(ID_1, 3, true, "c"));
    assertThat(assembler.bufferedBytes()).isZero();
    assertThat(assembler.stats().bufferedBytes()).isZero();
  }

  /* --------------- sink failures --------------- */

  @Test
  void accept_sinkThrowsOnTheCompletingPiece_leavesTheGroupSoTheResendCompletesIt() {
    PartialMessageAssembler assembler = assembler();
    sink.feed(assembler, piece(ID_1, 2, false, "b"), piece(ID_1, 3, true, "c"));
    long held = assembler.bufferedBytes();
    IllegalStateException failure = new IllegalStateException("buffer full");
    sink.failNext = failure;

    assertThatThrownBy(() -> sink.feed(assembler, piece(ID_1, 1, false, "a"))).isSameAs(failure);
    assertThat(assembler.bufferedBytes()).isEqualTo(held);
    assertThat(assembler.stats().piecesIn()).isEqualTo(2);
    sink.feed(assembler, piece(ID_1, 1, false, "a"));

    assertThat(sink.events).hasSize(1);
    assertThat(sink.events.get(0).jsonText()).isEqualTo(assembledJson("abc", 1));
    assertThat(assembler.stats().duplicatePieces()).isZero();
  }

  @Test
  void flushExpired_sinkThrows_keepsTheGroupForTheNextCall() {
    PartialMessageAssembler assembler = assembler();
    sink.feed(assembler, piece(ID_1, 1, false, "a"));
    now += TIMEOUT.toNanos();
    sink.failNext = new IllegalStateException("buffer full");

    assertThatThrownBy(assembler::flushExpired).hasMessage("buffer full");
    assertThat(assembler.openGroups()).isEqualTo(1);
    assertThat(assembler.flushExpired()).isEqualTo(1);

    assertThat(sink.logs()).containsExactly("a");
  }

  /* --------------- builder --------------- */

  @Test
  void builder_defaults_areDocumented() {
    assertThat(PartialMessageAssembler.builder().build(sink).toString())
        .isEqualTo(
            "PartialMessageAssembler{maxAssembledBytes=1048576, timeout=PT5S, maxOpenGroups=1024, "
                + "Stats[piecesIn=0, groupsAssembled=0, groupsFlushedBySize=0, "
                + "groupsFlushedByTimeout=0, groupsFlushedByCapacity=0, groupsFlushedByFlushAll=0, "
                + "duplicatePieces=0, malformedPieces=0, piecesPassedThrough=0, openGroups=0, "
                + "bufferedBytes=0]}");
  }

  @Test
  void builder_maxAssembledBytesOutOfRange_namesOptionAndValue() {
    assertThatThrownBy(() -> PartialMessageAssembler.builder().maxAssembledBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAssembledBytes must be in 1..67108864, got 0");
    assertThatThrownBy(() -> PartialMessageAssembler.builder().maxAssembledBytes(67108865))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAssembledBytes must be in 1..67108864, got 67108865");
  }

  @Test
  void builder_timeoutOutOfRange_namesOptionAndValue() {
    assertThatThrownBy(() -> PartialMessageAssembler.builder().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be in PT0.001S..PT1H, got PT0S");
    assertThatThrownBy(() -> PartialMessageAssembler.builder().timeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be in PT0.001S..PT1H, got PT-1S");
    assertThatThrownBy(() -> PartialMessageAssembler.builder().timeout(Duration.ofMinutes(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be in PT0.001S..PT1H, got PT1H1M");
    assertThatThrownBy(() -> PartialMessageAssembler.builder().timeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
  }

  @Test
  void builder_maxOpenGroupsOutOfRange_namesOptionAndValue() {
    assertThatThrownBy(() -> PartialMessageAssembler.builder().maxOpenGroups(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxOpenGroups must be in 1..1048576, got 0");
  }

  @Test
  void builder_optionSetTwice_namesOptionAndFirstValue() {
    assertThatThrownBy(
            () -> PartialMessageAssembler.builder().maxAssembledBytes(10).maxAssembledBytes(20))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxAssembledBytes was already set to 10");
    assertThatThrownBy(
            () ->
                PartialMessageAssembler.builder()
                    .timeout(Duration.ofSeconds(2))
                    .timeout(Duration.ofSeconds(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("timeout was already set to PT2S");
    assertThatThrownBy(() -> PartialMessageAssembler.builder().maxOpenGroups(3).maxOpenGroups(4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxOpenGroups was already set to 3");
    assertThatThrownBy(() -> PartialMessageAssembler.builder().ticker(() -> 0).ticker(() -> 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ticker was already set");
  }

  @Test
  void builder_nullTickerOrSink_isRejected() {
    assertThatThrownBy(() -> PartialMessageAssembler.builder().ticker(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
    assertThatThrownBy(() -> PartialMessageAssembler.builder().build(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("sink");
  }

  @Test
  void stats_everyPieceIsHeldEmittedPassedThroughOrADuplicate() {
    PartialMessageAssembler assembler =
        PartialMessageAssembler.builder().ticker(() -> now).maxAssembledBytes(4).build(sink);
    List<LogEvent> pieces = new ArrayList<>();
    pieces.add(piece(ID_1, 1, false, "ab"));
    pieces.add(piece(ID_1, 1, false, "ab"));
    pieces.add(piece(ID_1, 2, false, "cd"));
    pieces.add(piece(ID_1, 3, true, "ef"));
    pieces.add(piece(ID_2, 2, true, "x"));

    pieces.forEach(p -> sink.feed(assembler, p));

    PartialMessageAssembler.Stats stats = assembler.stats();
    assertThat(stats.piecesIn()).isEqualTo(5);
    assertThat(sink.logs()).containsExactly("abcd", "ef");
    assertThat(stats.duplicatePieces()).isEqualTo(1);
    assertThat(stats.piecesPassedThrough()).isEqualTo(1);
    assertThat(stats.openGroups()).isEqualTo(1);
    assertThat(assembler.flushAll()).isEqualTo(1);
    assertThat(sink.logs()).containsExactly("abcd", "ef", "x");
  }
}
