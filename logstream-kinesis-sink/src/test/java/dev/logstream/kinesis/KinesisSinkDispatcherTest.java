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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real dispatcher and segment buffer delivering through the sink to the fault-injecting
 * endpoint: only failed entries are resent, and every record arrives exactly once.
 */
class KinesisSinkDispatcherTest {
  @TempDir Path dir;

  @Test
  void dispatcher_perRecordAndWholeRequestFaults_resendsOnlyFailedEntriesAndDeliversEachRecordOnce()
      throws Exception {
    int records = 2000;
    int maxRecordBytes = 1024;
    ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    AtomicInteger injected = new AtomicInteger();
    try (FaultyKinesisEndpoint endpoint = new FaultyKinesisEndpoint()) {
      // the very first request fails as a whole; then records 7, 14, ... are throttled on their
      // first attempt and records 11, 22, ... fail internally on their first two
      endpoint.then(FaultyKinesisEndpoint.error(503, "ServiceUnavailable", "try later"));
      endpoint.defaultPerRecord =
          (i, entry) -> {
            String payload = new String(entry.data(), UTF_8);
            int n =
                Integer.parseInt(
                    payload.substring(
                        payload.indexOf('#') + 1, payload.indexOf('"', payload.indexOf('#'))));
            int attempt = seen.computeIfAbsent(payload, p -> new AtomicInteger()).incrementAndGet();
            String code = null;
            if (n % 7 == 0 && attempt == 1) {
              code = "ProvisionedThroughputExceededException";
            } else if (n % 11 == 0 && attempt <= 2) {
              code = "InternalFailure";
            }
            if (code != null) {
              injected.incrementAndGet();
            }
            return code;
          };
      try (KinesisSink sink =
              KinesisEndpointSinks.sinkTo(endpoint, "logs")
                  .maxRecordBytes(maxRecordBytes)
                  .maxRequestBytes(64 << 10)
                  .maxRecordsPerRequest(100)
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
        dispatcher.start();
        Set<String> expected = new HashSet<>();
        for (int i = 1; i <= records; i++) {
          byte[] r;
          if (i == 1000) {
            // within the dispatcher's payload limit, but over the record limit with its 36-byte key
            char[] filler = new char[maxRecordBytes - 30];
            Arrays.fill(filler, 'x');
            r = ("{\"log\":\"#" + i + "\",\"pad\":\"" + new String(filler) + "\"}").getBytes(UTF_8);
            r = Arrays.copyOf(r, maxRecordBytes - 10);
          } else {
            r = ("{\"log\":\"#" + i + "\"}").getBytes(UTF_8);
            expected.add(new String(r, UTF_8));
          }
          buffer.append(r, 0, r.length);
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> buffer.metrics().committedSequence() == records);
        assertThat(dispatcher.stop(Duration.ofSeconds(5)).get()).isTrue();

        List<String> accepted = new ArrayList<>();
        endpoint.accepted.forEach(e -> accepted.add(new String(e.data(), UTF_8)));
        assertThat(accepted).doesNotHaveDuplicates();
        assertThat(new HashSet<>(accepted)).isEqualTo(expected);
        int firstRequest = endpoint.requests.get(0).entries().size();
        long received = endpoint.requests.stream().mapToLong(r -> r.entries().size()).sum();
        assertThat(received).isEqualTo(records - 1 + injected.get() + firstRequest);
        List<DeadLetter> letters = new ArrayList<>();
        dead.replay(letters::add);
        assertThat(letters).extracting(DeadLetter::sequence).containsExactly(1000L);
        assertThat(letters.get(0).reason()).isEqualTo("TOO_LARGE");
        assertThat(letters.get(0).detail())
            .isEqualTo("too large: " + (maxRecordBytes - 10 + 36) + " bytes > " + maxRecordBytes);
        KinesisSinkMetrics m = sink.metrics();
        assertThat(m.recordsPut()).isEqualTo(records - 1);
        assertThat(m.recordsRetried()).isEqualTo(injected.get() + firstRequest);
        assertThat(m.failuresByErrorCode())
            .containsEntry("ServiceUnavailable", (long) firstRequest);
      }
    }
  }
}
