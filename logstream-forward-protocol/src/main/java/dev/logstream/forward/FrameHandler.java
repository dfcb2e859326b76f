package dev.logstream.forward;

/**
 * Takes the frames a {@link ForwardServer} decodes: the seam between the server and storage.
 *
 * <p>Called on one of the server's event-loop threads, for one connection at a time. It must not
 * block: copy or transcode the frame's events (they are views over the connection's buffer and are
 * gone when this returns), hand them to storage, and return at once with an {@link Admission}. The
 * server sends the client's ack when {@link Admission.Accepted#stored()} completes.
 */
@FunctionalInterface
public interface FrameHandler {

  /**
   * Takes one frame.
   *
   * @param frame the frame; valid only during this call
   * @param connection where it came from
   * @return accepted with a stage for storage, or full
   */
  Admission handle(ForwardFrame frame, ConnectionInfo connection);
}
