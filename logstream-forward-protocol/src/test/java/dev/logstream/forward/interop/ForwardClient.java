package dev.logstream.forward.interop;

import java.net.SocketAddress;

/** A real forward-protocol client library, driven to send one {@link RecordBatch}. */
public interface ForwardClient {

  /** A short name for file names and test names, e.g. {@code go-ack-subsecond}. */
  String name();

  /** The library and version that produces the bytes, e.g. {@code fluency-fluentd 2.7.3}. */
  String library();

  /** Whether the client asks for acks (option {@code chunk}) and waits for them. */
  boolean ack();

  /** How the client encodes event times. */
  TimePrecision timePrecision();

  /** The compression the client applies, {@code "none"} or {@code "gzip"}. */
  default String compression() {
    return "none";
  }

  /** Whether the client can connect to this kind of address (TCP or Unix domain socket). */
  boolean supports(SocketAddress target);

  /**
   * Sends the batch and returns once the client has closed its connection.
   *
   * @return how many records the client reports as posted
   * @throws Exception when the client fails; the message says why
   */
  int send(SocketAddress target, RecordBatch batch) throws Exception;
}
