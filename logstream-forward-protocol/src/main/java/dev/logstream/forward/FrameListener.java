package dev.logstream.forward;

/**
 * Receives what a {@link ForwardDecoder} reads, on the thread that feeds it.
 *
 * <p>A {@link ForwardFrame} and the record views it hands out are only valid during {@link
 * #onFrame}: the decoder reuses them and the buffer behind them. Encode or copy what you need
 * before returning, and keep the ack bytes ({@link ForwardFrame#ackBytes()}) if the ack is sent
 * later.
 */
public interface FrameListener {

  /**
   * A frame was read. It may hold no events (all dropped, or not logs) and still want an ack.
   *
   * @param frame the frame, valid until this method returns
   */
  void onFrame(ForwardFrame frame);

  /**
   * A top-level msgpack {@code nil}: a TCP heartbeat. Nothing to answer; the default ignores it.
   */
  default void onHeartbeat() {}
}
