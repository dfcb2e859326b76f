package dev.logstream.core.sink;

/**
 * What one {@link Sink#send(java.util.List)} call may carry. The dispatcher never builds a batch
 * beyond these limits, and dead-letters at once (as {@link FatalReason#TOO_LARGE}) a record larger
 * than {@link #maxRecordBytes()}.
 *
 * <p>Sizes count payload bytes only, the way the dispatcher measures them. A sink whose requests
 * add bytes per record (Kinesis counts the partition key against both the record and the request
 * limit) declares its limits net of that overhead, e.g. {@code maxBatchBytes = 10 MiB - 500 × 256}
 * for partition keys of up to 256 bytes.
 *
 * @param maxRecordsPerBatch the most records in one batch, {@code >= 1} (Kinesis PutRecords: 500)
 * @param maxBatchBytes the most payload bytes in one batch, {@code >= maxRecordBytes}
 * @param maxRecordBytes the largest payload of a single record, {@code >= 1}
 */
public record SinkLimits(int maxRecordsPerBatch, long maxBatchBytes, int maxRecordBytes) {

  /**
   * Checks that every limit is positive and that a record of the largest size fits in a batch.
   *
   * @param maxRecordsPerBatch the most records in one batch, {@code >= 1}
   * @param maxBatchBytes the most payload bytes in one batch, {@code >= maxRecordBytes}
   * @param maxRecordBytes the largest payload of a single record, {@code >= 1}
   * @throws IllegalArgumentException naming the limit and its value, if a limit is below 1 or
   *     {@code maxBatchBytes < maxRecordBytes}
   */
  public SinkLimits {
    if (maxRecordsPerBatch < 1) {
      throw new IllegalArgumentException(
          "maxRecordsPerBatch must be >= 1, got " + maxRecordsPerBatch);
    }
    if (maxRecordBytes < 1) {
      throw new IllegalArgumentException("maxRecordBytes must be >= 1, got " + maxRecordBytes);
    }
    if (maxBatchBytes < maxRecordBytes) {
      throw new IllegalArgumentException(
          "maxBatchBytes must be >= maxRecordBytes ("
              + maxRecordBytes
              + ") so that any accepted record fits in a batch, got "
              + maxBatchBytes);
    }
  }
}
