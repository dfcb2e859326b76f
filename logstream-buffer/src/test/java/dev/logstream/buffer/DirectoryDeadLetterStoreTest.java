package dev.logstream.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryDeadLetterStoreTest {
  private static final Instant FIRST = Instant.parse("2026-08-14T10:00:00.123Z");
  private static final Instant LAST = Instant.parse("2026-08-14T10:43:31.456Z");
  private static final String DAY_FILE = "dead-letters-2026-08-14.jsonl";

  @TempDir Path root;

  private Path directory() {
    return root.resolve(DirectoryDeadLetterStore.DEFAULT_DIRECTORY_NAME);
  }

  private static DeadLetter throttled(long sequence, String payload) {
    return new DeadLetter(
        sequence,
        payload.getBytes(UTF_8),
        RecordOutcome.retryable(
            RetryReason.THROTTLED, "Rate exceeded for shard shardId-000000000001"),
        17,
        FIRST,
        LAST);
  }

  private static List<DeadLetter> replayAll(Path directory) throws IOException {
    List<DeadLetter> letters = new ArrayList<>();
    DirectoryDeadLetterStore.replay(directory, letters::add);
    return letters;
  }

  /* --------------- format --------------- */

  @Test
  void write_oneLetter_isOneLineOfTheDocumentedFormat() throws IOException {
    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      store.write(List.of(throttled(42, "hello\n")));
    }

    assertThat(Files.readString(directory().resolve(DAY_FILE)))
        .isEqualTo(
            "{\"version\":1,\"sequence\":42,\"outcome\":\"retryable\",\"reason\":\"THROTTLED\","
                + "\"detail\":\"Rate exceeded for shard shardId-000000000001\",\"attempts\":17,"
                + "\"firstAttempt\":\"2026-08-14T10:00:00.123Z\","
                + "\"lastAttempt\":\"2026-08-14T10:43:31.456Z\","
                + "\"payloadBytes\":6,\"payload\":\"aGVsbG8K\"}\n");
  }

  @Test
  void write_detailWithLineBreaks_staysOnOneLine() throws IOException {
    DeadLetter letter =
        new DeadLetter(
            1,
            new byte[0],
            RecordOutcome.fatal(FatalReason.INVALID, "a\nb\r\n\u2028 é"),
            1,
            FIRST,
            LAST);

    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      store.write(List.of(letter));
    }

    assertThat(Files.readAllLines(directory().resolve(DAY_FILE))).hasSize(1);
    assertThat(replayAll(directory())).containsExactly(letter);
  }

  /* --------------- round trip and replay --------------- */

  @Test
  void replay_afterWrite_returnsEqualLettersInOrder() throws IOException {
    byte[] everyByte = new byte[256];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) i;
    }
    List<DeadLetter> written =
        List.of(
            throttled(1, "{\"log\":\"one\"}"),
            new DeadLetter(
                2,
                everyByte,
                RecordOutcome.fatal(
                    FatalReason.TOO_LARGE,
                    "record of 256 bytes exceeds the sink's maximum of 100 bytes per record"),
                0,
                LAST,
                LAST),
            new DeadLetter(
                5, new byte[0], RecordOutcome.retryable(RetryReason.NETWORK, ""), 3, FIRST, LAST));

    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      store.write(written);
      List<DeadLetter> viaStore = new ArrayList<>();
      assertThat(store.replay(viaStore::add)).isEqualTo(3);
      assertThat(viaStore).containsExactlyElementsOf(written);
    }

    assertThat(replayAll(directory())).containsExactlyElementsOf(written);
  }

  @Test
  void write_lettersOfTwoDays_goToOneFilePerUtcDayAndReplayInDateOrder() throws IOException {
    DeadLetter late =
        new DeadLetter(
            9,
            new byte[] {9},
            RecordOutcome.fatal(FatalReason.ACCESS_DENIED, "no"),
            1,
            Instant.parse("2026-08-15T00:00:00Z"),
            Instant.parse("2026-08-15T00:00:00Z"));
    DeadLetter early =
        new DeadLetter(
            3,
            new byte[] {3},
            RecordOutcome.fatal(FatalReason.ACCESS_DENIED, "no"),
            1,
            Instant.parse("2026-08-14T23:59:59.999Z"),
            Instant.parse("2026-08-14T23:59:59.999Z"));

    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      store.write(List.of(late));
      store.write(List.of(early));
    }

    try (Stream<Path> files = Files.list(directory())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              ".lock", "dead-letters-2026-08-14.jsonl", "dead-letters-2026-08-15.jsonl");
    }
    assertThat(replayAll(directory())).containsExactly(early, late);
  }

  @Test
  void open_existingDirectory_appendsAfterWhatIsThere() throws IOException {
    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      store.write(List.of(throttled(1, "a")));
    }
    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      store.write(List.of(throttled(2, "b"), throttled(3, "c")));
    }

    assertThat(replayAll(directory())).extracting(DeadLetter::sequence).containsExactly(1L, 2L, 3L);
  }

  @Test
  void replay_emptyDirectory_replaysNothing() throws IOException {
    Files.createDirectories(directory());

    assertThat(DirectoryDeadLetterStore.replay(directory(), letter -> {})).isZero();
  }

  @Test
  void replay_unknownKeys_areIgnored() throws IOException {
    Files.createDirectories(directory());
    Files.writeString(
        directory().resolve(DAY_FILE),
        "{\"version\":1,\"sequence\":7,\"outcome\":\"fatal\",\"reason\":\"INVALID\","
            + "\"detail\":\"d\",\"attempts\":1,\"firstAttempt\":\"2026-08-14T10:00:00Z\","
            + "\"lastAttempt\":\"2026-08-14T10:00:00Z\",\"payloadBytes\":1,\"payload\":\"YQ==\","
            + "\"host\":{\"name\":\"ip-10-0-0-1\",\"tags\":[1,2]}}\n");

    assertThat(replayAll(directory()))
        .containsExactly(
            new DeadLetter(
                7,
                new byte[] {'a'},
                RecordOutcome.fatal(FatalReason.INVALID, "d"),
                1,
                Instant.parse("2026-08-14T10:00:00Z"),
                Instant.parse("2026-08-14T10:00:00Z")));
  }

  /* --------------- crashes --------------- */

  @Test
  void replay_unfinishedLastLine_isSkipped() throws IOException {
    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      store.write(List.of(throttled(1, "a"), throttled(2, "b")));
    }
    Files.writeString(
        directory().resolve(DAY_FILE), "{\"version\":1,\"seq", StandardOpenOption.APPEND);

    assertThat(replayAll(directory())).extracting(DeadLetter::sequence).containsExactly(1L, 2L);
  }

  @Test
  void open_unfinishedLastLine_isCutSoTheNextWriteStartsOnANewLine() throws IOException {
    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      store.write(List.of(throttled(1, "a")));
    }
    Path file = directory().resolve(DAY_FILE);
    long intact = Files.size(file);
    Files.writeString(file, "{\"version\":1,\"sequence\":2,\"outc", StandardOpenOption.APPEND);

    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      assertThat(Files.size(file)).isEqualTo(intact);
      store.write(List.of(throttled(2, "b")));
    }

    assertThat(replayAll(directory())).extracting(DeadLetter::sequence).containsExactly(1L, 2L);
  }

  @Test
  void open_fileWithOnlyAnUnfinishedLine_isEmptied() throws IOException {
    Files.createDirectories(directory());
    Path file = directory().resolve(DAY_FILE);
    Files.writeString(file, "{\"version\":1");

    DirectoryDeadLetterStore.open(directory()).close();

    assertThat(Files.size(file)).isZero();
  }

  /* --------------- malformed files --------------- */

  @Test
  void replay_lineThatIsNotJson_namesFileAndLine() throws IOException {
    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      store.write(List.of(throttled(1, "a")));
    }
    Files.writeString(directory().resolve(DAY_FILE), "garbage\n", StandardOpenOption.APPEND);

    assertThatThrownBy(() -> replayAll(directory()))
        .isInstanceOf(BufferException.class)
        .hasMessageStartingWith(
            "dead-letter file dead-letters-2026-08-14.jsonl line 2: not valid JSON: ");
  }

  @Test
  void replay_payloadOfTheWrongLength_isRejectedWithBothLengths() throws IOException {
    Files.createDirectories(directory());
    Files.writeString(
        directory().resolve(DAY_FILE),
        "{\"version\":1,\"sequence\":7,\"outcome\":\"fatal\",\"reason\":\"INVALID\","
            + "\"detail\":\"d\",\"attempts\":1,\"firstAttempt\":\"2026-08-14T10:00:00Z\","
            + "\"lastAttempt\":\"2026-08-14T10:00:00Z\",\"payloadBytes\":2,\"payload\":\"YQ==\"}\n");

    assertThatThrownBy(() -> replayAll(directory()))
        .isInstanceOf(BufferException.class)
        .hasMessage(
            "dead-letter file dead-letters-2026-08-14.jsonl line 1: payload has 1 bytes,"
                + " payloadBytes says 2");
  }

  @Test
  void replay_missingKey_isNamed() throws IOException {
    Files.createDirectories(directory());
    Files.writeString(
        directory().resolve(DAY_FILE), "{\"version\":1,\"sequence\":7,\"outcome\":\"fatal\"}\n");

    assertThatThrownBy(() -> replayAll(directory()))
        .isInstanceOf(BufferException.class)
        .hasMessage(
            "dead-letter file dead-letters-2026-08-14.jsonl line 1: missing key \"reason\"");
  }

  @Test
  void replay_unknownVersion_isRejected() throws IOException {
    Files.createDirectories(directory());
    Files.writeString(directory().resolve(DAY_FILE), "{\"version\":2}\n");

    assertThatThrownBy(() -> replayAll(directory()))
        .isInstanceOf(BufferException.class)
        .hasMessage(
            "dead-letter file dead-letters-2026-08-14.jsonl line 1: version 2 is not supported,"
                + " only 1");
  }

  @Test
  void replay_retryReasonOnAFatalOutcome_isRejected() throws IOException {
    Files.createDirectories(directory());
    Files.writeString(
        directory().resolve(DAY_FILE),
        "{\"version\":1,\"sequence\":7,\"outcome\":\"fatal\",\"reason\":\"THROTTLED\","
            + "\"detail\":\"d\",\"attempts\":1,\"firstAttempt\":\"2026-08-14T10:00:00Z\","
            + "\"lastAttempt\":\"2026-08-14T10:00:00Z\",\"payloadBytes\":1,\"payload\":\"YQ==\"}\n");

    assertThatThrownBy(() -> replayAll(directory()))
        .isInstanceOf(BufferException.class)
        .hasMessage(
            "dead-letter file dead-letters-2026-08-14.jsonl line 1: reason \"THROTTLED\" is not a"
                + " fatal reason");
  }

  @Test
  void replay_sequenceAsAString_isRejectedNamingTheKey() throws IOException {
    Files.createDirectories(directory());
    Files.writeString(directory().resolve(DAY_FILE), "{\"version\":1,\"sequence\":\"7\"}\n");

    assertThatThrownBy(() -> replayAll(directory()))
        .isInstanceOf(BufferException.class)
        .hasMessage(
            "dead-letter file dead-letters-2026-08-14.jsonl line 1: sequence must be an integer,"
                + " got 7");
  }

  /* --------------- ownership --------------- */

  @Test
  void open_directoryAlreadyOpenInThisProcess_isRejected() throws IOException {
    try (DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory())) {
      assertThatThrownBy(() -> DirectoryDeadLetterStore.open(directory()))
          .isInstanceOf(BufferException.class)
          .hasMessage("dead-letter directory " + directory() + " is already open in this process");
    }
    DirectoryDeadLetterStore.open(directory()).close();
  }

  @Test
  void write_afterClose_isRejected() throws IOException {
    DirectoryDeadLetterStore store = DirectoryDeadLetterStore.open(directory());
    store.close();

    assertThatThrownBy(() -> store.write(List.of(throttled(1, "a"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("dead-letter store " + directory() + " is closed");
  }
}
