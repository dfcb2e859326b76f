package dev.logstream.buffer;

/**
 * A consistent snapshot of a {@link SegmentBuffer}'s counters. Counters only grow while the buffer
 * is open; gauges describe the moment of the snapshot.
 *
 * @param recordsAppended records appended since open (counter)
 * @param bytesAppended payload bytes appended since open (counter)
 * @param recordsCommitted records committed (delivered) since open (counter)
 * @param lastSequence highest sequence appended or recovered (gauge)
 * @param committedSequence sequence through which everything is delivered (gauge)
 * @param durableSequence sequence through which everything was forced to the device by this
 *     process; equals {@code lastSequence} under {@code never} only if nothing was appended (gauge)
 * @param backlogRecords undelivered records (gauge)
 * @param bytesInUse bytes of frames in segments that still hold undelivered records (gauge)
 * @param segmentsInUse segments holding undelivered records or being written (gauge)
 * @param segmentsFree allocated segment files kept for reuse (gauge)
 * @param segmentSize bytes per segment file
 * @param maxSegments the most segments in use at once
 * @param fsyncs forces of segments to the device (counter)
 * @param fsyncNanosTotal time spent in those forces (counter)
 * @param fsyncNanosMax longest single force (gauge)
 * @param appendsBlocked appends that had to wait for room (counter)
 * @param appendsRejected appends refused because the buffer was full (counter)
 * @param segmentsDropped segments deleted by {@code drop-oldest} (counter)
 * @param recordsLostOverflow undelivered records deleted by {@code drop-oldest} (counter)
 * @param recordsLostCorruption records missing after recovery found damage (counter)
 * @param allocationFailures segment allocations that failed, e.g. no space left (counter)
 */
public record BufferMetrics(
    long recordsAppended,
    long bytesAppended,
    long recordsCommitted,
    long lastSequence,
    long committedSequence,
    long durableSequence,
    long backlogRecords,
    long bytesInUse,
    int segmentsInUse,
    int segmentsFree,
    int segmentSize,
    int maxSegments,
    long fsyncs,
    long fsyncNanosTotal,
    long fsyncNanosMax,
    long appendsBlocked,
    long appendsRejected,
    long segmentsDropped,
    long recordsLostOverflow,
    long recordsLostCorruption,
    long allocationFailures) {

  /**
   * Every record lost, whatever the reason.
   *
   * @return {@code recordsLostOverflow + recordsLostCorruption}
   */
  public long recordsLost() {
    return recordsLostOverflow + recordsLostCorruption;
  }
}
