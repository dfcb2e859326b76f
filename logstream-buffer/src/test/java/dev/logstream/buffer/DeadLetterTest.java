package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadLetterTest {
  private static final Instant T0 = Instant.parse("2026-08-14T10:00:00Z");

  @Test
  void reasonAndDetail_ofAFatalOutcome_areItsOwn() {
    DeadLetter letter =
        new DeadLetter(
            3, new byte[] {1}, RecordOutcome.fatal(FatalReason.INVALID, "bad"), 1, T0, T0);

    assertThat(letter.reason()).isEqualTo("INVALID");
    assertThat(letter.detail()).isEqualTo("bad");
    assertThat(letter.fatal()).isTrue();
  }

  @Test
  void reasonAndDetail_ofARetryableOutcome_areItsOwn() {
    DeadLetter letter =
        new DeadLetter(
            3, new byte[] {1}, RecordOutcome.retryable(RetryReason.TIMEOUT, "slow"), 17, T0, T0);

    assertThat(letter.reason()).isEqualTo("TIMEOUT");
    assertThat(letter.detail()).isEqualTo("slow");
    assertThat(letter.fatal()).isFalse();
  }

  @Test
  void equals_comparesPayloadsByContent() {
    RecordOutcome outcome = RecordOutcome.fatal(FatalReason.TOO_LARGE, "x");

    assertThat(new DeadLetter(1, new byte[] {1, 2}, outcome, 0, T0, T0))
        .isEqualTo(new DeadLetter(1, new byte[] {1, 2}, outcome, 0, T0, T0))
        .hasSameHashCodeAs(new DeadLetter(1, new byte[] {1, 2}, outcome, 0, T0, T0))
        .isNotEqualTo(new DeadLetter(1, new byte[] {1, 3}, outcome, 0, T0, T0));
  }

  @Test
  void toString_showsThePayloadSizeNotItsContent() {
    DeadLetter letter =
        new DeadLetter(
            42, "secret".getBytes(), RecordOutcome.fatal(FatalReason.NOT_FOUND, "s"), 1, T0, T0);

    assertThat(letter)
        .hasToString(
            "DeadLetter[sequence=42, payload=6 bytes, outcome=Fatal[reason=NOT_FOUND, detail=s],"
                + " attempts=1, firstAttempt=2026-08-14T10:00:00Z,"
                + " lastAttempt=2026-08-14T10:00:00Z]");
  }

  @Test
  void new_deliveredOutcome_isRejected() {
    assertThatThrownBy(() -> new DeadLetter(1, new byte[0], RecordOutcome.delivered(), 1, T0, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outcome must be a failure, got Delivered");
  }

  @Test
  void new_negativeAttempts_isRejectedWithTheValue() {
    assertThatThrownBy(
            () ->
                new DeadLetter(
                    1, new byte[0], RecordOutcome.fatal(FatalReason.INVALID, ""), -2, T0, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempts must be >= 0, got -2");
  }

  @Test
  void new_negativeSequence_isRejectedWithTheValue() {
    assertThatThrownBy(
            () ->
                new DeadLetter(
                    -1, new byte[0], RecordOutcome.fatal(FatalReason.INVALID, ""), 0, T0, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sequence must be >= 0, got -1");
  }

  @Test
  void new_nullLastAttempt_isRejectedNamingIt() {
    assertThatThrownBy(
            () ->
                new DeadLetter(
                    1, new byte[0], RecordOutcome.fatal(FatalReason.INVALID, ""), 0, T0, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("lastAttempt");
  }
}
