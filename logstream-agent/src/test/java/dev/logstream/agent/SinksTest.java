package dev.logstream.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.SinkRecord;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinksTest {

  private static final List<SinkRecord> BATCH =
      List.of(
          new SinkRecord(1, "{\"log\":\"a\"}".getBytes(StandardCharsets.UTF_8)),
          new SinkRecord(2, "{\"log\":\"é\"}".getBytes(StandardCharsets.UTF_8)));

  @Test
  void stdoutSink_batch_writesOneLinePerRecordAndAnswersDelivered() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StdoutSink sink = StdoutSink.to(new PrintStream(bytes, false, StandardCharsets.UTF_8));
    List<RecordOutcome> outcomes = sink.send(BATCH).toCompletableFuture().join();
    assertThat(outcomes).containsExactly(RecordOutcome.delivered(), RecordOutcome.delivered());
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"log\":\"a\"}\n{\"log\":\"é\"}\n");
  }

  @Test
  void stdoutSink_failingStream_answersRetryable() {
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws java.io.IOException {
            throw new java.io.IOException("closed pipe");
          }
        };
    StdoutSink sink = StdoutSink.to(new PrintStream(broken));
    assertThat(sink.send(BATCH).toCompletableFuture().join())
        .containsOnly(RecordOutcome.retryable(RetryReason.NETWORK, "output stream failed"))
        .hasSize(2);
  }

  @Test
  void discardSink_batches_countRecordsAndBytesAndAnswerDelivered() {
    DiscardSink sink = new DiscardSink();
    assertThat(sink.send(BATCH).toCompletableFuture().join())
        .containsExactly(RecordOutcome.delivered(), RecordOutcome.delivered());
    sink.send(BATCH.subList(0, 1));
    assertThat(sink.records()).isEqualTo(3);
    assertThat(sink.bytes()).isEqualTo(11 + 12 + 11);
  }
}
