package dev.logstream.forward;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link ForwardServer}'s counters, safe to read from any thread at any time (a metrics endpoint
 * polls them). All are totals since the server started, except {@link #connectionsOpen()}.
 */
public final class ForwardServerStats {
  private final LongAdder connectionsOpen = new LongAdder();
  private final LongAdder connectionsTotal = new LongAdder();
  private final LongAdder frames = new LongAdder();
  private final LongAdder events = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder decompressedBytes = new LongAdder();
  private final LongAdder acks = new LongAdder();
  private final LongAdder heartbeats = new LongAdder();
  private final LongAdder udpHeartbeats = new LongAdder();
  private final LongAdder handshakeFailures = new LongAdder();
  private final LongAdder backpressurePauses = new LongAdder();
  private final LongAdder nonLogFrames = new LongAdder();
  private final LongAdder storeFailures = new LongAdder();
  private final Map<CloseReason, LongAdder> closes = new EnumMap<>(CloseReason.class);
  private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);

  ForwardServerStats() {
    for (CloseReason reason : CloseReason.values()) {
      closes.put(reason, new LongAdder());
    }
    for (DropReason reason : DropReason.values()) {
      dropped.put(reason, new LongAdder());
    }
  }

  void opened() {
    connectionsOpen.increment();
    connectionsTotal.increment();
  }

  void closed(CloseReason reason) {
    connectionsOpen.decrement();
    closes.get(reason).increment();
  }

  void refused() {
    connectionsTotal.increment();
    closes.get(CloseReason.TOO_MANY_CONNECTIONS).increment();
  }

  void frame(ForwardFrame frame) {
    frames.increment();
    events.add(frame.size());
    decompressedBytes.add(frame.decompressedBytes());
    if (frame.signal() != 0) {
      nonLogFrames.increment();
    }
    for (DropReason reason : DropReason.values()) {
      int count = frame.dropped(reason);
      if (count > 0) {
        dropped.get(reason).add(count);
      }
    }
  }

  void bytesIn(long bytes) {
    bytesIn.add(bytes);
  }

  void ack() {
    acks.increment();
  }

  void heartbeat() {
    heartbeats.increment();
  }

  void udpHeartbeat() {
    udpHeartbeats.increment();
  }

  void handshakeFailure() {
    handshakeFailures.increment();
  }

  void backpressurePause() {
    backpressurePauses.increment();
  }

  void storeFailure() {
    storeFailures.increment();
  }

  /**
   * Connections open now.
   *
   * @return the count
   */
  public long connectionsOpen() {
    return connectionsOpen.sum();
  }

  /**
   * Connections accepted, refused ones included.
   *
   * @return the count
   */
  public long connectionsTotal() {
    return connectionsTotal.sum();
  }

  /**
   * Frames decoded.
   *
   * @return the count
   */
  public long frames() {
    return frames.sum();
  }

  /**
   * Valid events decoded (dropped ones not included).
   *
   * @return the count
   */
  public long events() {
    return events.sum();
  }

  /**
   * Bytes read from clients (after TLS).
   *
   * @return the count
   */
  public long bytesIn() {
    return bytesIn.sum();
  }

  /**
   * Bytes that CompressedPackedForward entries decompressed to.
   *
   * @return the count
   */
  public long decompressedBytes() {
    return decompressedBytes.sum();
  }

  /**
   * Acks sent.
   *
   * @return the count
   */
  public long acks() {
    return acks.sum();
  }

  /**
   * TCP heartbeats (top-level {@code nil}).
   *
   * @return the count
   */
  public long heartbeats() {
    return heartbeats.sum();
  }

  /**
   * UDP heartbeats answered.
   *
   * @return the count
   */
  public long udpHeartbeats() {
    return udpHeartbeats.sum();
  }

  /**
   * Handshakes that failed (wrong key or user, malformed PING, timeout).
   *
   * @return the count
   */
  public long handshakeFailures() {
    return handshakeFailures.sum();
  }

  /**
   * Times a connection stopped reading because storage was full.
   *
   * @return the count
   */
  public long backpressurePauses() {
    return backpressurePauses.sum();
  }

  /**
   * Frames of metrics or traces ({@code fluent_signal} 1 or 2), acknowledged without events.
   *
   * @return the count
   */
  public long nonLogFrames() {
    return nonLogFrames.sum();
  }

  /**
   * Frames whose storage failed (not acknowledged).
   *
   * @return the count
   */
  public long storeFailures() {
    return storeFailures.sum();
  }

  /**
   * Connections closed for a reason.
   *
   * @param reason the reason
   * @return the count
   */
  public long closes(CloseReason reason) {
    return closes.get(reason).sum();
  }

  /**
   * Events dropped for a reason.
   *
   * @param reason the reason
   * @return the count
   */
  public long dropped(DropReason reason) {
    return dropped.get(reason).sum();
  }

  @Override
  public String toString() {
    return "ForwardServerStats{connectionsOpen="
        + connectionsOpen()
        + ", frames="
        + frames()
        + ", events="
        + events()
        + ", acks="
        + acks()
        + ", bytesIn="
        + bytesIn()
        + '}';
  }
}
