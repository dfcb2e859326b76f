package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.buffer.DeadLetter;
import dev.logstream.buffer.DirectoryDeadLetterStore;
import dev.logstream.buffer.Dispatcher;
import dev.logstream.buffer.Durability;
import dev.logstream.buffer.RetryPolicy;
import dev.logstream.buffer.SegmentBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real dispatcher and segment buffer delivering through the sink with KPL aggregation on: the
 * records of failed aggregates are resent (aggregated anew), and every record is accepted exactly
 * once after deaggregation.
 */
class KinesisSinkAggregationDispatcherTest {
  @TempDir Path dir;

  @Test
  void dispatcher_aggregationWithFaults_acceptsEveryRecordExactlyOnceAfterDeaggregation()
      throws Exception {
    int records = 2000;
    int maxRecordBytes = 1024;
    AtomicInteger entriesSeen = new AtomicInteger();
    AtomicInteger throttledEntries = new AtomicInteger();
    AtomicInteger throttledRecords = new AtomicInteger();
    try (FaultyKinesisEndpoint endpoint = new FaultyKinesisEndpoint()) {
      // the first request fails as a whole; then every 3rd entry received is throttled, 10 times
      endpoint.then(FaultyKinesisEndpoint.error(503, "ServiceUnavailable", "try later"));
      endpoint.defaultPerRecord =
          (i, entry) -> {
            if (entriesSeen.incrementAndGet() % 3 == 0
                && throttledEntries.getAndUpdate(n -> Math.min(n + 1, 10)) < 10) {
              throttledRecords.addAndGet(
                  KinesisSinkAggregationTest.deaggregate(List.of(entry)).size());
              return "ProvisionedThroughputExceededException";
            }
            return null;
          };
      try (KinesisSink sink =
              KinesisEndpointSinks.sinkTo(endpoint, "logs")
                  .maxRecordBytes(maxRecordBytes)
                  .maxRequestBytes(64 << 10)
                  .maxRecordsPerRequest(100)
                  .aggregation(KplAggregator.builder().maxAggregateBytes(maxRecordBytes).build())
                  .build();
          SegmentBuffer buffer =
              SegmentBuffer.builder(dir.resolve("buffer"))
                  .segmentSize(256 << 10)
                  .maxSegments(64)
                  .durability(Durability.never())
                  .open();
          DirectoryDeadLetterStore dead =
              DirectoryDeadLetterStore.open(dir.resolve("dead-letter"))) {
        Dispatcher dispatcher =
            Dispatcher.builder(buffer, sink)
                .retryPolicy(
                    RetryPolicy.builder()
                        .initialDelay(Duration.ofMillis(5))
                        .maxDelay(Duration.ofMillis(50))
                        .build())
                .deadLetterStore(dead)
                .build();
        Set<String> expected = new HashSet<>();
        for (int i = 1; i <= records; i++) {
          byte[] r;
          if (i == 1000) {
            // within the dispatcher's payload limit, but over the record limit with its 36-byte key
            r = new byte[maxRecordBytes - 10];
            Arrays.fill(r, (byte) 'x');
          } else {
            r = ("{\"log\":\"#" + i + "\"}").getBytes(UTF_8);
            expected.add(new String(r, UTF_8));
          }
          buffer.append(r, 0, r.length);
        }
        // all records are buffered first, so the dispatcher hands over full batches to aggregate
        dispatcher.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> buffer.metrics().committedSequence() == records);
        assertThat(dispatcher.stop(Duration.ofSeconds(5)).get()).isTrue();

        List<String> accepted = new ArrayList<>();
        KinesisSinkAggregationTest.deaggregate(endpoint.accepted)
            .forEach(u -> accepted.add(KinesisSinkAggregationTest.text(u)));
        assertThat(accepted).hasSize(records - 1).doesNotHaveDuplicates();
        assertThat(new HashSet<>(accepted)).isEqualTo(expected);
        assertThat(throttledEntries.get()).isEqualTo(10);
        long entries = endpoint.requests.stream().mapToLong(r -> r.entries().size()).sum();
        assertThat(entries).isLessThan(records / 10);
        List<DeadLetter> letters = new ArrayList<>();
        dead.replay(letters::add);
        assertThat(letters).extracting(DeadLetter::sequence).containsExactly(1000L);
        assertThat(letters.get(0).reason()).isEqualTo("TOO_LARGE");
        assertThat(letters.get(0).detail())
            .isEqualTo("too large: " + (maxRecordBytes - 10 + 36) + " bytes > " + maxRecordBytes);
        KinesisSinkMetrics m = sink.metrics();
        assertThat(m.recordsPut()).isEqualTo(records - 1);
        assertThat(m.kinesisRecordsPut()).isEqualTo(endpoint.accepted.size());
        int firstRequest =
            KinesisSinkAggregationTest.deaggregate(endpoint.requests.get(0).entries()).size();
        assertThat(m.recordsRetried()).isEqualTo(throttledRecords.get() + firstRequest);
      }
    }
  }
}
