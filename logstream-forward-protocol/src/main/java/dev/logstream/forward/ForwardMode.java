package dev.logstream.forward;

/** The four carrier modes of the forward protocol, told apart by a frame's second element. */
public enum ForwardMode {
  /** {@code [tag, time, record, option?]}: one event; what Docker's log driver sends. */
  MESSAGE,
  /** {@code [tag, [[time, record], ...], option?]}. */
  FORWARD,
  /** {@code [tag, <entries as bin or str>, option?]}: concatenated msgpack entries. */
  PACKED_FORWARD,
  /** PackedForward with entries compressed ({@code compressed} = {@code gzip} or {@code zstd}). */
  COMPRESSED_PACKED_FORWARD
}
