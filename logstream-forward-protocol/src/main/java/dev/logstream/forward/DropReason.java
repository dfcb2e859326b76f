package dev.logstream.forward;

/**
 * Why an event in an otherwise readable frame was dropped. The frame is still acknowledged once its
 * valid events are stored: a resend could never succeed, so withholding the ack would only make the
 * client loop.
 */
public enum DropReason {
  /** The record is not a msgpack map. */
  RECORD_NOT_MAP,
  /**
   * The time is not an unsigned 32-bit integer, an EventTime (ext 0, 8 bytes, nanoseconds below
   * 10^9), a float in range, or a v1.5 {@code [time, metadata]} pair of those.
   */
  INVALID_TIME,
  /** A Forward or PackedForward entry is not a two-element array. */
  INVALID_ENTRY,
  /**
   * PackedForward entries that cannot be read: the payload ends inside an entry, holds a msgpack
   * syntax error or nests too deep. The entries before are kept; this counts the unreadable rest as
   * one.
   */
  MALFORMED_ENTRIES
}
