package dev.logstream.buffer;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What an append does when every segment is in use. Nothing is ever dropped silently: a refused
 * append throws {@link BufferFullException}, and records deleted by {@code drop-oldest} are counted
 * in {@link BufferMetrics#recordsLostOverflow()}.
 *
 * <table>
 *   <caption>Overflow policies</caption>
 *   <tr><th>policy</th><th>the appending thread</th><th>what is lost</th></tr>
 *   <tr><td>{@link #block()} (default)</td><td>waits until a segment is released (optionally up
 *       to a timeout, then {@link BufferFullException}); a server stops reading its sockets, which
 *       is TCP backpressure to the client</td><td>nothing</td></tr>
 *   <tr><td>{@link #reject()}</td><td>gets {@link BufferFullException} at once; the client gets no
 *       ack and resends</td><td>nothing stored; the client keeps the records</td></tr>
 *   <tr><td>{@link #dropOldest()}</td><td>never waits: the oldest undelivered segment is deleted
 *       to make room</td><td>every undelivered record of that segment, counted</td></tr>
 * </table>
 */
public final class OverflowPolicy {
  private static final OverflowPolicy BLOCK = new OverflowPolicy(Action.BLOCK, null);
  private static final OverflowPolicy REJECT = new OverflowPolicy(Action.REJECT, null);
  private static final OverflowPolicy DROP_OLDEST = new OverflowPolicy(Action.DROP_OLDEST, null);

  /** The three reactions to a full buffer. */
  public enum Action {
    /** Wait for room. */
    BLOCK,
    /** Refuse the append. */
    REJECT,
    /** Delete the oldest undelivered segment. */
    DROP_OLDEST
  }

  private final Action action;
  private final Duration timeout;

  private OverflowPolicy(Action action, Duration timeout) {
    this.action = action;
    this.timeout = timeout;
  }

  /**
   * Wait as long as it takes for room (the default).
   *
   * @return the policy
   */
  public static OverflowPolicy block() {
    return BLOCK;
  }

  /**
   * Wait for room up to {@code timeout}, then refuse the append.
   *
   * @param timeout how long an append may wait, from 1 ms to 1 day
   * @return the policy
   * @throws IllegalArgumentException if the timeout is out of range, naming it
   */
  public static OverflowPolicy block(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          "overflow block timeout must be between 1ms and 1d, got " + timeout);
    }
    return new OverflowPolicy(Action.BLOCK, timeout);
  }

  /**
   * Refuse the append at once.
   *
   * @return the policy
   */
  public static OverflowPolicy reject() {
    return REJECT;
  }

  /**
   * Delete the oldest undelivered segment and count its records as lost.
   *
   * @return the policy
   */
  public static OverflowPolicy dropOldest() {
    return DROP_OLDEST;
  }

  /**
   * Parses the agent's {@code --overflow} value: {@code block}, {@code reject} or {@code
   * drop-oldest}.
   *
   * @param text the value
   * @return the policy
   * @throws IllegalArgumentException if the text is none of these, naming it
   */
  public static OverflowPolicy parse(String text) {
    Objects.requireNonNull(text, "text");
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "block" -> BLOCK;
      case "reject" -> REJECT;
      case "drop-oldest" -> DROP_OLDEST;
      default ->
          throw new IllegalArgumentException(
              "overflow must be block, reject or drop-oldest, got '" + text + "'");
    };
  }

  /**
   * The reaction.
   *
   * @return block, reject or drop-oldest
   */
  public Action action() {
    return action;
  }

  /**
   * How long a blocked append waits.
   *
   * @return the timeout, or empty to wait without limit (and for the other actions)
   */
  public java.util.Optional<Duration> timeout() {
    return java.util.Optional.ofNullable(timeout);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OverflowPolicy p
        && p.action == action
        && Objects.equals(p.timeout, timeout);
  }

  @Override
  public int hashCode() {
    return action.hashCode() * 31 + Objects.hashCode(timeout);
  }

  /** Returns {@code block}, {@code block(PT5S)}, {@code reject} or {@code drop-oldest}. */
  @Override
  public String toString() {
    return switch (action) {
      case BLOCK -> timeout == null ? "block" : "block(" + timeout + ")";
      case REJECT -> "reject";
      case DROP_OLDEST -> "drop-oldest";
    };
  }
}
