package dev.logstream.agent;

import dev.logstream.buffer.BufferFailedException;
import dev.logstream.buffer.DispatcherMetrics;
import dev.logstream.forward.ListenAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a {@link Pipeline} is healthy: running, listening, its buffer not failed, and its
 * sink reachable.
 *
 * <p>The sink counts as unreachable when, for longer than {@code window}, records waited in the
 * buffer, none was delivered, and delivery attempts failed. "Delivered" is judged from the
 * dispatcher's counters at each check: the last check that saw the delivered count change (or an
 * empty backlog) is the last progress. An idle pipeline is healthy; a sink that is slow but
 * delivers is healthy.
 */
final class HealthCheck {

  private final Pipeline pipeline;
  private final Duration window;
  private final InstantSource clock;

  // the last check at which the sink was seen making progress, and the counters then
  private Instant progressAt;
  private long deliveredAtProgress = -1;
  private long failedAtProgress;

  /**
   * The outcome of one check.
   *
   * @param healthy whether every rule holds
   * @param json the body to answer with
   */
  record Result(boolean healthy, String json) {}

  HealthCheck(Pipeline pipeline, Duration window, InstantSource clock) {
    this.pipeline = pipeline;
    this.window = window;
    this.clock = clock;
  }

  synchronized Result check() {
    Instant now = clock.instant();
    List<ListenAddress> addresses;
    long backlog;
    BufferFailedException failure;
    DispatcherMetrics dispatcher;
    try {
      addresses = pipeline.addresses();
      backlog = pipeline.buffer().metrics().backlogRecords();
      failure = pipeline.buffer().failure();
      dispatcher = pipeline.dispatcherMetrics();
    } catch (IllegalStateException notRunning) {
      deliveredAtProgress = -1; // a later start begins a fresh observation
      return unhealthy(List.of(notRunning.getMessage()));
    }
    List<String> reasons = new ArrayList<>();
    if (addresses.isEmpty()) {
      reasons.add("the forward server listens on no address");
    }
    if (failure != null) {
      reasons.add("buffer failed: " + failure.getMessage());
    }
    String sink = sinkProblem(now, backlog, dispatcher);
    if (sink != null) {
      reasons.add(sink);
    }
    if (!reasons.isEmpty()) {
      return unhealthy(reasons);
    }
    StringBuilder json = new StringBuilder("{\"status\":\"ok\",\"listening\":[");
    for (int i = 0; i < addresses.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      Json.string(json, addresses.get(i).toString());
    }
    json.append("],\"backlogRecords\":")
        .append(backlog)
        .append(",\"recordsDelivered\":")
        .append(dispatcher.recordsDelivered())
        .append('}');
    return new Result(true, json.toString());
  }

  private String sinkProblem(Instant now, long backlog, DispatcherMetrics m) {
    long delivered = m.recordsDelivered();
    // every attempt not delivered failed: retried, dead-lettered, or waiting for its retry
    long failed = m.recordsSent() - delivered;
    // a lower delivered count means a new dispatcher (replaceSink): its counters start at zero
    if (deliveredAtProgress < 0
        || delivered != deliveredAtProgress
        || backlog == 0
        || failed < failedAtProgress) {
      progressAt = now;
      deliveredAtProgress = delivered;
      failedAtProgress = failed;
      return null;
    }
    Duration stalled = Duration.between(progressAt, now);
    long failedSince = failed - failedAtProgress;
    if (stalled.compareTo(window) <= 0 || failedSince == 0) {
      return null;
    }
    return "sink unreachable: no record delivered for "
        + stalled.toSeconds()
        + " s (window "
        + window.toSeconds()
        + " s) while "
        + backlog
        + " records wait in the buffer and "
        + failedSince
        + " delivery attempts failed (records sent "
        + m.recordsSent()
        + ", delivered "
        + delivered
        + ", retries pending "
        + m.retriesPending()
        + ")";
  }

  private static Result unhealthy(List<String> reasons) {
    StringBuilder json = new StringBuilder("{\"status\":\"unhealthy\",\"reasons\":[");
    for (int i = 0; i < reasons.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      Json.string(json, reasons.get(i));
    }
    return new Result(false, json.append("]}").toString());
  }

  /** The little JSON this needs: strings escaped per RFC 8259. */
  static final class Json {
    private Json() {}

    static void string(StringBuilder out, String s) {
      out.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            if (c < 0x20) {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
  }
}
