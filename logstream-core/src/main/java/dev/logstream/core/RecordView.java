package dev.logstream.core;

/**
 * A log record (the msgpack map of an event) that can replay itself into a {@link ValueVisitor}.
 *
 * <p>This is the seam between the forward decoder and the encoder: a decoder implements it as a
 * cursor over the bytes of the frame it just read, so {@link KinesisRecordEncoder} transcodes the
 * record straight to JSON with no intermediate objects. {@link LogEvent} implements it too.
 *
 * <p>Contract: {@link #accept} emits exactly one map ({@code startMap ... endMap}); a view may be
 * replayed any number of times while the buffer behind it is unchanged.
 */
@FunctionalInterface
public interface RecordView {

  /**
   * Replays the record into {@code visitor}.
   *
   * @param visitor receives the record's events, starting with {@link ValueVisitor#startMap(int)}
   */
  void accept(ValueVisitor visitor);
}
