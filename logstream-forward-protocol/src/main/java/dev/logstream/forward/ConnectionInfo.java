package dev.logstream.forward;

/**
 * Who sent a frame: for logging and for handlers that tag events with their source.
 *
 * @param id a number unique per server, in accept order
 * @param transport how the client connected
 * @param remote the peer's address as text ({@code 127.0.0.1:53122}; a Unix socket's peer has no
 *     address and shows the socket path)
 */
public record ConnectionInfo(long id, ListenAddress.Transport transport, String remote) {
  @Override
  public String toString() {
    return "#" + id + " " + remote;
  }
}
