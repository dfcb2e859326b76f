package dev.logstream.forward.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DockerRecordsTest {

  @Test
  void log_indexSeven_isALongLineBelowDockersSplitSize() {
    byte[] log = DockerRecords.logBytes("p", 7);

    assertThat(log.length).isBetween(8 * 1024, 16 * 1024 - 1);
    assertThat(new String(log, StandardCharsets.UTF_8)).startsWith("line-7-p long ");
  }

  @Test
  void log_indexOne_carriesFourByteUtf8() {
    String log = DockerRecords.log("p", 1);

    assertThat(log).startsWith("line-1-p gr\u00fc\u00dfe");
    assertThat(log.codePoints().anyMatch(Character::isSupplementaryCodePoint)).isTrue();
  }

  @Test
  void logs_count_areNumberedFromZero() {
    assertThat(DockerRecords.logs("x", 3))
        .containsExactly(
            "line-0-x plain ascii", "line-1-x" + DockerRecords.NON_ASCII, "line-2-x plain ascii");
  }

  @Test
  void recordBatch_zeroCount_throwsNamingTheCount() {
    assertThatThrownBy(() -> new RecordBatch("t", "p", 0, Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("count must be at least 1, got 0");
  }
}
