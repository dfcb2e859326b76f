package dev.logstream.kinesis;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * One request entry per record, its data wrapped without a copy; a batch is split into as many
 * requests as the record and byte limits need, in batch order.
 */
final class PlainRequestPlanner implements RequestPlanner {
  private final PartitionKeyStrategy keys;
  private final int maxRecordsPerRequest;
  private final long maxRequestBytes;
  private final int maxRecordBytes;

  PlainRequestPlanner(
      PartitionKeyStrategy keys,
      int maxRecordsPerRequest,
      long maxRequestBytes,
      int maxRecordBytes) {
    this.keys = keys;
    this.maxRecordsPerRequest = maxRecordsPerRequest;
    this.maxRequestBytes = maxRequestBytes;
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public List<PlannedRequest> plan(List<SinkRecord> batch, RecordOutcome[] outcomes) {
    int n = batch.size();
    List<PlannedRequest> requests = new ArrayList<>(1);
    List<PutRecordsRequestEntry> entries = new ArrayList<>(Math.min(n, maxRecordsPerRequest));
    int[] indices = new int[Math.min(n, maxRecordsPerRequest)];
    int[] sizes = new int[indices.length];
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      byte[] data = batch.get(i).payload();
      String key = partitionKey(keys, data, outcomes, i);
      if (key == null) {
        continue;
      }
      long size = (long) data.length + utf8Length(key);
      if (size > maxRecordBytes) {
        outcomes[i] = tooLarge(size, maxRecordBytes);
        continue;
      }
      int count = entries.size();
      if (count == maxRecordsPerRequest || bytes + size > maxRequestBytes) {
        requests.add(finish(entries, indices, sizes, bytes));
        int left = Math.min(n - i, maxRecordsPerRequest);
        entries = new ArrayList<>(left);
        indices = new int[left];
        sizes = new int[left];
        bytes = 0;
        count = 0;
      }
      entries.add(
          PutRecordsRequestEntry.builder()
              .data(SdkBytes.fromByteArrayUnsafe(data))
              .partitionKey(key)
              .build());
      indices[count] = i;
      sizes[count] = (int) size;
      bytes += size;
    }
    if (!entries.isEmpty()) {
      requests.add(finish(entries, indices, sizes, bytes));
    }
    return requests;
  }

  /**
   * The key of one record, or null after answering the record fatal {@code INVALID} because the
   * strategy failed or gave a key Kinesis would reject.
   */
  static String partitionKey(
      PartitionKeyStrategy keys, byte[] data, RecordOutcome[] outcomes, int index) {
    String key;
    try {
      key = keys.partitionKey(data);
    } catch (RuntimeException e) {
      outcomes[index] =
          RecordOutcome.fatal(FatalReason.INVALID, "partition key strategy failed: " + e);
      return null;
    }
    if (key == null || key.isEmpty() || key.length() > PartitionKeyStrategy.MAX_KEY_LENGTH) {
      outcomes[index] =
          RecordOutcome.fatal(
              FatalReason.INVALID,
              "partition key must be 1 to "
                  + PartitionKeyStrategy.MAX_KEY_LENGTH
                  + " characters, got "
                  + (key == null ? "null" : key.length()));
      return null;
    }
    return key;
  }

  /** The outcome of a record whose data plus key exceed the record limit. */
  static RecordOutcome tooLarge(long size, int maxRecordBytes) {
    return RecordOutcome.fatal(
        FatalReason.TOO_LARGE, "too large: " + size + " bytes > " + maxRecordBytes);
  }

  private static PlannedRequest finish(
      List<PutRecordsRequestEntry> entries, int[] indices, int[] sizes, long bytes) {
    int count = entries.size();
    int[] start = new int[count + 1];
    for (int e = 0; e <= count; e++) {
      start[e] = e;
    }
    return new PlannedRequest(
        entries,
        start,
        count == indices.length ? indices : Arrays.copyOf(indices, count),
        count == sizes.length ? sizes : Arrays.copyOf(sizes, count),
        bytes);
  }

  /**
   * The UTF-8 length of a string; an unpaired surrogate counts as the 3 bytes of its replacement.
   */
  static int utf8Length(String s) {
    int bytes = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
