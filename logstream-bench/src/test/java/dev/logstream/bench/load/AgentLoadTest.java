package dev.logstream.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.buffer.Durability;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AgentLoadTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream report = new ByteArrayOutputStream();

  // about a second per mode at tiny volume: small frames, a small buffer, two connections
  private AgentLoad load(String... extra) {
    String[] base = {
      "--connections", "2",
      "--warmup", "200ms",
      "--duration", "800ms",
      "--in-flight", "2",
      "--events-per-frame", "10",
      "--segment-mib", "1",
      "--segments", "8",
      "--buffer-dir", dir.toString()
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return new AgentLoad(
        LoadOptions.parse(args), new PrintStream(report, true, StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @EnumSource(LoadMode.class)
  void runAgainstAgent_eachMode_everyEventSentIsStoredAndAcknowledged(LoadMode mode)
      throws Exception {
    LoadResult result = load().runAgainstAgent(mode);

    assertThat(result.failures()).isEmpty();
    assertThat(result.eventsSent()).isPositive();
    assertThat(result.eventsStored()).isEqualTo(result.eventsSent());
    assertThat(result.eventsAcked()).isEqualTo(mode.acked() ? result.eventsSent() : 0);
    assertThat(result.ackLatencyMillis()).hasSize(mode.acked() ? 3 : 0);
    assertThat(result.eventsPerSecond()).isPositive();
  }

  @Test
  void runAgainstAgent_fsyncAlways_everyAcknowledgedEventIsStored() throws Exception {
    // with acks the client holds at most in-flight frames, so a slow disk cannot leave a backlog
    LoadResult result = load("--fsync", "always").runAgainstAgent(LoadMode.PACKED);

    assertThat(result.failures()).isEmpty();
    assertThat(result.eventsAcked()).isPositive().isEqualTo(result.eventsSent());
    assertThat(result.eventsStored()).isEqualTo(result.eventsAcked());
  }

  @Test
  void runAgainstNullServer_everyByteSentIsRead() throws Exception {
    LoadResult result = load().runAgainstNullServer();

    assertThat(result.failures()).isEmpty();
    assertThat(result.eventsSent()).isPositive();
    assertThat(result.eventsStored()).isEqualTo(result.eventsSent());
  }

  @Test
  void run_allModes_printsOneLinePerRunAndTheVerdict() throws Exception {
    List<LoadResult> results = load().run();

    assertThat(results)
        .extracting(r -> r.mode().label() + "/" + r.server())
        .containsExactly(
            "message/agent", "message/null server", "message-ack/agent", "packed/agent");
    assertThat(results).allSatisfy(r -> assertThat(r.failures()).isEmpty());
    String text = report.toString(StandardCharsets.UTF_8);
    assertThat(text).contains(LoadResult.tableHeader()).contains("fsync 1s");
    assertThat(text.lines().filter(l -> l.startsWith("| message") || l.startsWith("| packed")))
        .hasSize(4);
    assertThat(text).containsPattern("message mode: the agent stored \\d+% of the rate");
  }

  @Test
  void parse_noArguments_givesTheDefaults() {
    LoadOptions options = LoadOptions.parse();

    assertThat(options).isEqualTo(LoadOptions.defaults());
    assertThat(options.modes()).containsExactly(LoadMode.values());
    assertThat(options.connections()).isEqualTo(4);
    assertThat(options.warmup()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.duration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(options.durability()).isEqualTo(Durability.interval(Duration.ofSeconds(1)));
  }

  @Test
  void parse_help_returnsNull() {
    assertThat(LoadOptions.parse("--connections", "2", "--help")).isNull();
    assertThat(LoadOptions.USAGE).contains("--fsync VALUE").contains("--no-null-server");
  }

  @Test
  void parse_modeList_keepsTheOrderWithoutRepeats() {
    assertThat(LoadOptions.parse("--mode", "packed,message,packed").modes())
        .containsExactly(LoadMode.PACKED, LoadMode.MESSAGE);
  }

  @Test
  void parse_badValues_failNamingTheOptionAndTheValue() {
    assertThatThrownBy(() -> LoadOptions.parse("--connections", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--connections must be an integer in 1..256, got '0'");
    assertThatThrownBy(() -> LoadOptions.parse("--in-flight", "many"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--in-flight must be an integer in 1..64, got 'many'");
    assertThatThrownBy(() -> LoadOptions.parse("--duration", "0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--duration must be a positive duration like 500ms, 15s or 1m, got '0s'");
    assertThatThrownBy(() -> LoadOptions.parse("--warmup", "5 minutes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--warmup must be a duration like 500ms, 15s or 1m, got '5 minutes'");
    assertThatThrownBy(() -> LoadOptions.parse("--fsync", "sometimes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--fsync must be never, always or an interval like 500ms, 1s or 2m, got 'sometimes'");
    assertThatThrownBy(() -> LoadOptions.parse("--mode", "message,bulk"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--mode must be message, message-ack, packed, got 'bulk'");
  }

  @Test
  void parse_unknownOrIncompleteOptions_fail() {
    assertThatThrownBy(() -> LoadOptions.parse("--rate", "5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option '--rate' (try --help)");
    assertThatThrownBy(() -> LoadOptions.parse("--segments"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--segments needs a value");
  }

  @Test
  void loadFrames_ackModes_giveEveryFrameItsOwnChunk() {
    LoadFrames packed = LoadFrames.encode(LoadMode.PACKED, 1_000, 8);

    assertThat(packed.chunks()).hasSize(8).doesNotHaveDuplicates();
    assertThat(packed.eventsPerFrame()).isEqualTo(1_000);
    // four Docker fields with a log of 100 to 200 bytes, in msgpack
    assertThat(packed.bytesPerEvent()).isBetween(250.0, 450.0);
    assertThat(LoadFrames.encode(LoadMode.MESSAGE, 3, 4).chunks()).isNull();
  }
}
