package dev.logstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/** The aggregating planner's invariants over random batches and limits. */
class AggregatingRequestPlannerTest {

  @Property(tries = 300)
  void plan_anyBatch_coversEachRecordOnceWithinTheLimitsAndDeaggregatesToItsRecords(
      @ForAll @Size(max = 120) List<@IntRange(min = 0, max = 400) Integer> sizes,
      @ForAll @IntRange(min = 1, max = 20) int maxRecordsPerRequest,
      @ForAll @IntRange(min = 64, max = 600) int maxRecordBytes,
      @ForAll @IntRange(min = 0, max = 2000) int extraRequestBytes,
      @ForAll @IntRange(min = 0, max = 3) int keys) {
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      byte[] payload = new byte[sizes.get(i)];
      java.util.Arrays.fill(payload, (byte) i);
      if (payload.length >= 4) {
        ByteBuffer.wrap(payload).putInt(i);
      }
      batch.add(new SinkRecord(i, payload));
    }
    // keys == 0: random UUID keys; else a fixed key per record index modulo keys
    PartitionKeyStrategy strategy =
        keys == 0 ? PartitionKeyStrategy.randomUuid() : payload -> "k" + (payload.length % keys);
    int maxRequestBytes = maxRecordBytes + extraRequestBytes;
    AggregatingRequestPlanner planner =
        new AggregatingRequestPlanner(
            KplAggregator.builder().maxAggregateBytes(maxRecordBytes).build(),
            strategy,
            maxRecordsPerRequest,
            maxRequestBytes,
            maxRecordBytes);
    RecordOutcome[] outcomes = new RecordOutcome[batch.size()];

    List<RequestPlanner.PlannedRequest> plan = planner.plan(batch, outcomes);

    int[] covered = new int[batch.size()];
    AggregatorUtil kcl = new AggregatorUtil();
    for (RequestPlanner.PlannedRequest request : plan) {
      List<PutRecordsRequestEntry> entries = request.entries();
      assertThat(entries).isNotEmpty().hasSizeLessThanOrEqualTo(maxRecordsPerRequest);
      assertThat(request.entryStart()).hasSize(entries.size() + 1);
      assertThat(request.bytes()).isLessThanOrEqualTo(maxRequestBytes);
      long sum = 0;
      for (int e = 0; e < entries.size(); e++) {
        PutRecordsRequestEntry entry = entries.get(e);
        int size =
            entry.data().asByteArrayUnsafe().length
                + PlainRequestPlanner.utf8Length(entry.partitionKey());
        assertThat(request.entryBytes()[e]).isEqualTo(size);
        assertThat(size).isLessThanOrEqualTo(maxRecordBytes);
        sum += size;
        List<KinesisClientRecord> users =
            kcl.deaggregate(
                List.of(
                    KinesisClientRecord.builder()
                        .data(entry.data().asByteBuffer())
                        .partitionKey(entry.partitionKey())
                        .sequenceNumber("1")
                        .build()));
        int from = request.entryStart()[e];
        int to = request.entryStart()[e + 1];
        assertThat(users).hasSize(to - from);
        for (int k = from; k < to; k++) {
          int index = request.recordIndices()[k];
          covered[index]++;
          assertThat(bytes(users.get(k - from).data())).isEqualTo(batch.get(index).payload());
          assertThat(users.get(k - from).partitionKey()).isEqualTo(entry.partitionKey());
        }
      }
      assertThat(request.bytes()).isEqualTo(sum);
    }
    for (int i = 0; i < batch.size(); i++) {
      int keyBytes = keys == 0 ? 36 : 2;
      boolean tooLarge = sizes.get(i) + keyBytes > maxRecordBytes;
      if (tooLarge) {
        assertThat(covered[i]).isZero();
        assertThat(outcomes[i])
            .isEqualTo(
                RecordOutcome.fatal(
                    FatalReason.TOO_LARGE,
                    "too large: " + (sizes.get(i) + keyBytes) + " bytes > " + maxRecordBytes));
      } else {
        assertThat(covered[i]).isEqualTo(1);
        assertThat(outcomes[i]).isNull();
      }
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
