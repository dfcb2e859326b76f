package dev.logstream.forward;

import dev.logstream.core.RecordView;

/**
 * Receives the events a {@link PartialMessageAssembler} lets through: whole lines as they arrived,
 * reassembled lines, and the pieces it had to flush or pass on (see the assembler's Javadoc for
 * which is which).
 *
 * <p>Called on the thread that called the assembler, from inside {@link
 * PartialMessageAssembler#accept}, {@link PartialMessageAssembler#flushExpired()} or {@link
 * PartialMessageAssembler#flushAll()}. Must not call back into the same assembler.
 */
@FunctionalInterface
public interface AssembledEventSink {

  /**
   * Takes one event. The record is valid only during this call: it is either the caller's own view
   * (a line that passed through) or a view over the assembler's buffer, which the next piece may
   * overwrite. Encode or copy it before returning.
   *
   * <p>If this method throws, the exception reaches the assembler's caller and the assembler stays
   * as it was before the event being accepted (the group being emitted is kept), so handing the
   * same event in again (a client's resend) is safe.
   *
   * @param tag the event's tag
   * @param seconds the event's seconds since the epoch
   * @param nanos the nanoseconds within the second
   * @param record the record, valid until this method returns
   */
  void accept(String tag, long seconds, int nanos, RecordView record);
}
