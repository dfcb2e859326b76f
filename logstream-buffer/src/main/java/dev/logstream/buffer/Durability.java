package dev.logstream.buffer;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When an appended record counts as stored, and what it then survives.
 *
 * <table>
 *   <caption>Durability levels</caption>
 *   <tr><th>level</th><th>append completes</th><th>survives a process crash
 *       ({@code kill -9})</th><th>survives power loss or a kernel crash</th></tr>
 *   <tr><td>{@link #never()}</td><td>once copied into the mapped segment (page cache)</td>
 *       <td>yes</td><td>no: whatever the kernel had not written back is lost</td></tr>
 *   <tr><td>{@link #interval(Duration)}</td><td>once copied; an {@code fsync} runs every
 *       interval</td><td>yes</td><td>all but at most the last interval</td></tr>
 *   <tr><td>{@link #always()}</td><td>after an {@code fsync} covered the record (group commit:
 *       one {@code fsync} serves every append that arrived meanwhile)</td><td>yes</td>
 *       <td>yes</td></tr>
 * </table>
 *
 * <p>A {@code kill -9} cannot lose a record that reached the mapping: the pages belong to the
 * kernel's page cache, not to the process.
 */
public final class Durability {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
  private static final Durability NEVER = new Durability(Level.NEVER, Duration.ZERO);
  private static final Durability ALWAYS = new Durability(Level.ALWAYS, Duration.ZERO);

  /** The three durability levels. */
  public enum Level {
    /** Page cache only; no {@code fsync}. */
    NEVER,
    /** {@code fsync} on a fixed interval; appends complete without waiting for it. */
    INTERVAL,
    /** {@code fsync} before an append completes. */
    ALWAYS
  }

  private final Level level;
  private final Duration interval;

  private Durability(Level level, Duration interval) {
    this.level = level;
    this.interval = interval;
  }

  /**
   * Page cache only: survives a process crash, not power loss.
   *
   * @return the level
   */
  public static Durability never() {
    return NEVER;
  }

  /**
   * {@code fsync} every {@code interval}; a power loss loses at most the last interval.
   *
   * @param interval time between two {@code fsync}s, from 1 ms to 1 hour
   * @return the level
   * @throws IllegalArgumentException if the interval is out of range, naming it
   */
  public static Durability interval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(Duration.ofMillis(1)) < 0
        || interval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "durability interval must be between 1ms and 1h, got " + interval);
    }
    return new Durability(Level.INTERVAL, interval);
  }

  /**
   * The default interval level: {@code fsync} every second.
   *
   * @return {@code interval(1s)}
   */
  public static Durability interval() {
    return interval(Duration.ofSeconds(1));
  }

  /**
   * {@code fsync} before every append completes, shared by concurrent appenders.
   *
   * @return the level
   */
  public static Durability always() {
    return ALWAYS;
  }

  /**
   * Parses the agent's {@code --fsync} value: {@code never}, {@code always}, or an interval such as
   * {@code 500ms}, {@code 1s} or {@code 2m}.
   *
   * @param text the value
   * @return the level
   * @throws IllegalArgumentException if the text is none of these, naming it
   */
  public static Durability parse(String text) {
    Objects.requireNonNull(text, "text");
    String value = text.trim().toLowerCase(Locale.ROOT);
    if (value.equals("never")) {
      return NEVER;
    }
    if (value.equals("always")) {
      return ALWAYS;
    }
    Matcher m = DURATION.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "durability must be never, always or an interval like 500ms, 1s or 2m, got '"
              + text
              + "'");
    }
    long amount = Long.parseLong(m.group(1));
    Duration interval =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          default -> Duration.ofMinutes(amount);
        };
    return interval(interval);
  }

  /**
   * The level.
   *
   * @return never, interval or always
   */
  public Level level() {
    return level;
  }

  /**
   * The {@code fsync} interval of the {@code interval} level.
   *
   * @return the interval, or {@link Duration#ZERO} for the other levels
   */
  public Duration fsyncInterval() {
    return interval;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Durability d && d.level == level && d.interval.equals(interval);
  }

  @Override
  public int hashCode() {
    return level.hashCode() * 31 + interval.hashCode();
  }

  /** Returns {@code never}, {@code always} or {@code interval(PT1S)}. */
  @Override
  public String toString() {
    return switch (level) {
      case NEVER -> "never";
      case ALWAYS -> "always";
      case INTERVAL -> "interval(" + interval + ")";
    };
  }
}
