package dev.logstream.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecordOutcomeTest {

  @Test
  void delivered_isAlwaysTheSameInstance() {
    assertThat(RecordOutcome.delivered()).isSameAs(RecordOutcome.delivered());
    assertThat(RecordOutcome.delivered()).isSameAs(RecordOutcome.Delivered.INSTANCE);
    assertThat(RecordOutcome.delivered()).hasToString("Delivered");
  }

  @Test
  void retryable_keepsReasonAndDetail() {
    RecordOutcome outcome =
        RecordOutcome.retryable(RetryReason.THROTTLED, "Rate exceeded for shard shardId-0");

    assertThat(outcome)
        .isEqualTo(
            new RecordOutcome.Retryable(
                RetryReason.THROTTLED, "Rate exceeded for shard shardId-0"));
    assertThat(outcome)
        .hasToString("Retryable[reason=THROTTLED, detail=Rate exceeded for shard shardId-0]");
  }

  @Test
  void fatal_keepsReasonAndDetail() {
    RecordOutcome.Fatal outcome = RecordOutcome.fatal(FatalReason.NOT_FOUND, "stream logs");

    assertThat(outcome.reason()).isEqualTo(FatalReason.NOT_FOUND);
    assertThat(outcome.detail()).isEqualTo("stream logs");
  }

  @Test
  void retryable_nullReason_isRejectedNamingIt() {
    assertThatThrownBy(() -> RecordOutcome.retryable(null, ""))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("reason");
  }

  @Test
  void fatal_nullDetail_isRejectedNamingIt() {
    assertThatThrownBy(() -> RecordOutcome.fatal(FatalReason.INVALID, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("detail");
  }

  @Test
  void outcomes_areExhaustiveOverTheThreeKinds() {
    assertThat(RecordOutcome.class.getPermittedSubclasses())
        .containsExactlyInAnyOrder(
            RecordOutcome.Delivered.class,
            RecordOutcome.Retryable.class,
            RecordOutcome.Fatal.class);
  }
}
