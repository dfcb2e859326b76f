package dev.logstream.bench.load;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the load generator's clients talk to the server. */
public enum LoadMode {
  /** One Message frame per line, no ack: Docker's {@code fluentd} log driver by default. */
  MESSAGE("message", false),
  /**
   * One Message frame per line with a {@code chunk} option, waiting for each ack before the next
   * line: fluent-logger-golang with {@code fluentd-request-ack}.
   */
  MESSAGE_ACK("message-ack", true),
  /** PackedForward frames with a {@code chunk} option, several in flight: fluency with acks. */
  PACKED("packed", true);

  private final String label;
  private final boolean acked;

  LoadMode(String label, boolean acked) {
    this.label = label;
    this.acked = acked;
  }

  /**
   * The name used on the command line and in the report.
   *
   * @return the name
   */
  public String label() {
    return label;
  }

  /**
   * Whether the client waits for acks.
   *
   * @return {@code true} for the ack modes
   */
  public boolean acked() {
    return acked;
  }

  /**
   * Finds a mode by its {@link #label()}.
   *
   * @param label the name
   * @return the mode
   * @throws IllegalArgumentException naming the value and the choices, if there is no such mode
   */
  public static LoadMode parse(String label) {
    for (LoadMode mode : values()) {
      if (mode.label.equals(label)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "--mode must be "
            + Arrays.stream(values()).map(LoadMode::label).collect(Collectors.joining(", "))
            + ", got '"
            + label
            + "'");
  }
}
