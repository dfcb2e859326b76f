package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.SinkRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Linger under random batch sizes, payload sizes, limits and arrival times: every record is
 * answered exactly once, in its own batch at its own index, and no request exceeds the limits.
 */
class KinesisSinkLingerPropertyTest {
  private static final Duration LINGER = Duration.ofMillis(100);

  /** One send: its record count, its payload length and the time before it. */
  record Send(int records, int payloadBytes, int delayMillis) {}

  @Provide
  Arbitrary<Send> sends() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 12),
            Arbitraries.integers().between(6, 40),
            Arbitraries.integers().between(0, 150))
        .as(Send::new);
  }

  @Property(tries = 30)
  void send_randomBatchesAndTimings_answerEveryRecordOnceWithinTheLimits(
      @ForAll @Size(min = 1, max = 12) List<@From("sends") Send> sends,
      @ForAll @IntRange(min = 1, max = 8) int maxRecords,
      @ForAll @IntRange(min = 50, max = 200) int maxRequestBytes)
      throws Exception {
    FakeLingerScheduler clock = new FakeLingerScheduler();
    try (FaultyKinesisEndpoint endpoint = new FaultyKinesisEndpoint()) {
      // every record whose number is 3 mod 5 is throttled, wherever it lands in a request
      endpoint.defaultPerRecord =
          (i, e) -> number(e.data()) % 5 == 3 ? "ProvisionedThroughputExceededException" : null;
      List<List<SinkRecord>> batches = new ArrayList<>();
      List<CompletionStage<List<RecordOutcome>>> stages = new ArrayList<>();
      try (KinesisSink sink =
          KinesisEndpointSinks.sinkTo(endpoint, "logs")
              .linger(LINGER)
              .lingerScheduler(clock)
              .maxRecordsPerRequest(maxRecords)
              .maxRequestBytes(maxRequestBytes)
              .maxRecordBytes(maxRequestBytes)
              .partitionKeys(PartitionKeyStrategy.fixed("k"))
              .build()) {
        int next = 0;
        for (Send s : sends) {
          clock.advance(Duration.ofMillis(s.delayMillis()));
          List<SinkRecord> batch = new ArrayList<>();
          for (int i = 0; i < s.records(); i++) {
            batch.add(new SinkRecord(next, payload(next++, s.payloadBytes())));
          }
          batches.add(List.copyOf(batch));
          stages.add(sink.send(batches.get(batches.size() - 1)));
        }
        clock.advance(LINGER);

        Set<Integer> delivered = new HashSet<>();
        for (int b = 0; b < batches.size(); b++) {
          List<RecordOutcome> outcomes = KinesisSinkLingerTest.get(stages.get(b));
          List<SinkRecord> batch = batches.get(b);
          assertThat(outcomes).hasSameSizeAs(batch).doesNotContainNull();
          for (int i = 0; i < batch.size(); i++) {
            int n = number(batch.get(i).payload());
            if (n % 5 == 3) {
              assertThat(outcomes.get(i))
                  .isInstanceOfSatisfying(
                      RecordOutcome.Retryable.class,
                      r -> assertThat(r.reason()).isEqualTo(RetryReason.THROTTLED));
            } else {
              assertThat(outcomes.get(i)).isEqualTo(RecordOutcome.delivered());
              delivered.add(n);
            }
          }
        }
        List<Integer> accepted = endpoint.accepted.stream().map(e -> number(e.data())).toList();
        assertThat(accepted).doesNotHaveDuplicates();
        assertThat(new HashSet<>(accepted)).isEqualTo(delivered);
        assertThat(endpoint.requests.stream().mapToInt(r -> r.entries().size()).sum())
            .isEqualTo(next);
        for (FaultyKinesisEndpoint.Received r : endpoint.requests) {
          assertThat(r.entries()).hasSizeLessThanOrEqualTo(maxRecords);
          assertThat(r.entries().stream().mapToInt(e -> e.data().length + 1).sum())
              .isLessThanOrEqualTo(maxRequestBytes);
        }
        assertThat(clock.pending()).isZero();
      }
    }
  }

  /** {@code "<n>:"} padded with dots to {@code length} bytes. */
  private static byte[] payload(int n, int length) {
    StringBuilder s = new StringBuilder().append(n).append(':');
    while (s.length() < length) {
      s.append('.');
    }
    return s.toString().getBytes(UTF_8);
  }

  private static int number(byte[] payload) {
    String s = new String(payload, UTF_8);
    return Integer.parseInt(s.substring(0, s.indexOf(':')));
  }
}
