package dev.logstream.bench.load;

import java.util.List;

/**
 * What one mode measured against one server.
 *
 * @param mode the mode
 * @param server {@code "agent"} or {@code "null server"}
 * @param connections client connections
 * @param seconds length of the measured period
 * @param eventsPerSecond the rate over the measured period: events acknowledged (ack modes), events
 *     the pipeline stored ({@code message} against the agent), events the client wrote ({@code
 *     message} against the null server)
 * @param clientEventsPerSecond events the client wrote per second over the measured period
 * @param bytesPerEvent forward-protocol bytes per event on the wire
 * @param ackLatencyMillis p50, p99 and p99.9 of the ack latency in milliseconds, empty without acks
 * @param eventsSent events the client wrote over the whole run (warm-up included)
 * @param eventsAcked events acknowledged over the whole run
 * @param eventsStored events the server took over the whole run: records the pipeline stored, or
 *     the null server's bytes read divided by {@code bytesPerEvent}
 * @param failures what went wrong (connection errors, frames the pipeline failed to store); empty
 *     if nothing
 */
public record LoadResult(
    LoadMode mode,
    String server,
    int connections,
    double seconds,
    double eventsPerSecond,
    double clientEventsPerSecond,
    double bytesPerEvent,
    List<Double> ackLatencyMillis,
    long eventsSent,
    long eventsAcked,
    long eventsStored,
    List<String> failures) {

  /**
   * The wire throughput of the measured rate.
   *
   * @return megabytes (10<sup>6</sup> bytes) per second
   */
  public double megabytesPerSecond() {
    return eventsPerSecond * bytesPerEvent / 1e6;
  }

  /**
   * One line of the report's table.
   *
   * @return the line
   */
  public String tableLine() {
    return String.format(
        "| %-11s | %-11s | %5d | %,12.0f | %8.1f | %10s | %10s | %12s | %s |",
        mode.label(),
        server,
        connections,
        eventsPerSecond,
        megabytesPerSecond(),
        latency(0),
        latency(1),
        latency(2),
        failures.isEmpty() ? "none" : String.join("; ", failures));
  }

  private String latency(int percentile) {
    return ackLatencyMillis.isEmpty()
        ? "-"
        : String.format("%.2f", ackLatencyMillis.get(percentile));
  }

  /**
   * The header of the report's table, matching {@link #tableLine()}.
   *
   * @return two lines: names and the Markdown separator
   */
  public static String tableHeader() {
    return "| mode        | server      | conns |     events/s |     MB/s | ack p50 ms | ack p99 ms"
        + " | ack p99.9 ms | errors |\n|---|---|---|---|---|---|---|---|---|";
  }
}
