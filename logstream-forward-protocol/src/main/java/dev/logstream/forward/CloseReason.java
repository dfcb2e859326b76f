package dev.logstream.forward;

/** Why the server closed a connection; each close is logged with its peer and counted. */
public enum CloseReason {
  /** The client closed its side. */
  PEER_CLOSED,
  /** Bytes that are not the forward protocol ({@link MalformedFrameException}). */
  MALFORMED,
  /** A {@link ForwardLimits} limit was passed ({@link ForwardLimitException}). */
  LIMIT,
  /** No bytes for longer than the idle timeout. */
  IDLE_TIMEOUT,
  /** The handshake did not finish within the handshake timeout. */
  HANDSHAKE_TIMEOUT,
  /** Wrong shared key or user, or a malformed PING. */
  HANDSHAKE_FAILED,
  /** The connection limit was reached when it was accepted. */
  TOO_MANY_CONNECTIONS,
  /** Storage failed for one of its frames; no ack was sent, so the client resends. */
  STORE_FAILED,
  /** TLS failed (handshake, certificate, or a plain client on a TLS port). */
  TLS_ERROR,
  /** A socket error. */
  IO_ERROR,
  /** The server shut down. */
  SHUTDOWN,
  /** Keepalive is denied ({@link ForwardSecurity#keepalive()} false): closed after one frame. */
  KEEPALIVE_DENIED
}
