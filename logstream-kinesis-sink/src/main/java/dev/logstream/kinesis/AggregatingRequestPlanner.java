package dev.logstream.kinesis;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * One request entry per KPL aggregate: the batch's records are packed by a {@link KplAggregator},
 * and the aggregates are split into as many requests as the record and byte limits need, in order
 * of their first record. Each entry carries every record of its aggregate, so its outcome is the
 * outcome of all of them.
 *
 * <p>Partition keys: with {@link PartitionKeyStrategy#randomUuid()} the records have no key of
 * their own and each aggregate gets one from the aggregator's key supplier (a fresh random UUID by
 * default); with any other strategy each record's key is computed, and records with equal keys
 * share aggregates under that key. With {@link PartitionKeyStrategy#field(String)} and {@link
 * PartitionKeyStrategy#tag()}, records without the member are keyless: they share aggregates under
 * supplied keys, where the plain planner would give each a random key. A record too large to be put
 * on its own (payload plus key over {@code maxRecordBytes}) is answered fatal {@code TOO_LARGE} and
 * never sent; a record whose key the strategy cannot give is answered fatal {@code INVALID}, as
 * with the plain planner.
 */
final class AggregatingRequestPlanner implements RequestPlanner {
  /**
   * The length of a random UUID key, in UTF-8 bytes: the key a keyless record will most likely get.
   */
  private static final int UUID_KEY_BYTES = 36;

  private final KplAggregator aggregator;
  private final PartitionKeyStrategy keys;
  private final boolean keyless;
  private final PartitionKeys.Field field;
  private final int maxRecordsPerRequest;
  private final long maxRequestBytes;
  private final int maxRecordBytes;

  AggregatingRequestPlanner(
      KplAggregator aggregator,
      PartitionKeyStrategy keys,
      int maxRecordsPerRequest,
      long maxRequestBytes,
      int maxRecordBytes) {
    this.aggregator = aggregator;
    this.keys = keys;
    this.keyless = keys instanceof PartitionKeys.RandomUuid;
    this.field = keys instanceof PartitionKeys.Field f ? f : null;
    this.maxRecordsPerRequest = maxRecordsPerRequest;
    this.maxRequestBytes = maxRequestBytes;
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public List<PlannedRequest> plan(List<SinkRecord> batch, RecordOutcome[] outcomes) {
    int n = batch.size();
    List<SinkRecord> kept = new ArrayList<>(n);
    List<String> keptKeys = keyless ? null : new ArrayList<>(n);
    int[] keptIndex = new int[n];
    for (int i = 0; i < n; i++) {
      byte[] data = batch.get(i).payload();
      int keyBytes;
      if (keyless) {
        keyBytes = UUID_KEY_BYTES;
      } else {
        String key;
        if (field != null) {
          // a record without the member shares keyless aggregates instead of getting a random
          // key of its own, which would put it alone in its aggregate
          key = field.ownKey(data);
        } else {
          key = PlainRequestPlanner.partitionKey(keys, data, outcomes, i);
          if (key == null) {
            continue;
          }
        }
        keyBytes = key == null ? UUID_KEY_BYTES : PlainRequestPlanner.utf8Length(key);
        keptKeys.add(key);
      }
      long size = (long) data.length + keyBytes;
      if (size > maxRecordBytes) {
        outcomes[i] = PlainRequestPlanner.tooLarge(size, maxRecordBytes);
        if (keptKeys != null) {
          keptKeys.remove(keptKeys.size() - 1);
        }
        continue;
      }
      keptIndex[kept.size()] = i;
      kept.add(batch.get(i));
    }
    List<PlannedRequest> requests = new ArrayList<>(1);
    if (kept.isEmpty()) {
      return requests;
    }
    List<KplAggregator.Aggregate> aggregates = aggregator.aggregate(kept, keptKeys);
    Builder request = new Builder();
    for (KplAggregator.Aggregate aggregate : aggregates) {
      int[] carried = aggregate.recordIndexes();
      int size = aggregate.kinesisSize();
      if (size > maxRecordBytes) {
        // only a single record put plain can get here, if the key supplier gave a key longer
        // than the UUID it was measured with; an aggregate is never larger than the limit
        for (int k : carried) {
          outcomes[keptIndex[k]] = PlainRequestPlanner.tooLarge(size, maxRecordBytes);
        }
        continue;
      }
      if (request.entries.size() == maxRecordsPerRequest
          || request.bytes + size > maxRequestBytes) {
        requests.add(request.finish());
        request = new Builder();
      }
      request.add(aggregate, keptIndex);
    }
    if (!request.entries.isEmpty()) {
      requests.add(request.finish());
    }
    return requests;
  }

  /** The entries of one request being filled. */
  private static final class Builder {
    final List<PutRecordsRequestEntry> entries = new ArrayList<>();
    int[] start = new int[8];
    int[] indices = new int[8];
    int[] sizes = new int[8];
    int records;
    long bytes;

    void add(KplAggregator.Aggregate aggregate, int[] keptIndex) {
      int e = entries.size();
      if (e + 1 >= start.length) {
        start = Arrays.copyOf(start, start.length * 2);
        sizes = Arrays.copyOf(sizes, sizes.length * 2);
      }
      int[] carried = aggregate.recordIndexes();
      if (records + carried.length > indices.length) {
        indices = Arrays.copyOf(indices, Math.max(indices.length * 2, records + carried.length));
      }
      start[e] = records;
      for (int k : carried) {
        indices[records++] = keptIndex[k];
      }
      int size = aggregate.kinesisSize();
      sizes[e] = size;
      bytes += size;
      entries.add(
          PutRecordsRequestEntry.builder()
              .data(SdkBytes.fromByteArrayUnsafe(aggregate.data()))
              .partitionKey(aggregate.partitionKey())
              .build());
    }

    PlannedRequest finish() {
      int count = entries.size();
      start[count] = records;
      return new PlannedRequest(
          List.copyOf(entries),
          Arrays.copyOf(start, count + 1),
          Arrays.copyOf(indices, records),
          Arrays.copyOf(sizes, count),
          bytes);
    }
  }
}
