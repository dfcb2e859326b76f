package dev.logstream.forward;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * How a connection's bytes cross the socket: as they are, or through TLS. Non-blocking; used only
 * on the connection's event loop.
 */
interface Wire {
  /** Receives plaintext as it becomes available. */
  interface Plaintext {
    void accept(ByteBuffer plaintext);
  }

  /**
   * Reads what the socket has and hands the plaintext on.
   *
   * @return bytes read from the socket, or -1 at end of stream
   */
  int read(SocketChannel channel, ByteBuffer scratch, Plaintext sink) throws IOException;

  /** Queues plaintext to send. */
  void send(byte[] plaintext);

  /**
   * Writes what is queued, as far as the socket takes it.
   *
   * @return true when nothing is left queued
   */
  boolean flush(SocketChannel channel) throws IOException;

  /** Whether bytes wait to be written. */
  boolean hasPending();

  /** Whether application bytes can be sent: always for plain sockets, after the TLS handshake. */
  boolean ready();

  /** Last words before the socket closes (TLS: close_notify or a pending alert), best effort. */
  void closing(SocketChannel channel);

  /** Plain TCP or Unix socket: bytes as they are. */
  final class Plain implements Wire {
    private final java.util.ArrayDeque<ByteBuffer> outbound = new java.util.ArrayDeque<>();

    @Override
    public int read(SocketChannel channel, ByteBuffer scratch, Plaintext sink) throws IOException {
      scratch.clear();
      int n = channel.read(scratch);
      if (n > 0) {
        scratch.flip();
        sink.accept(scratch);
      }
      return n;
    }

    @Override
    public void send(byte[] plaintext) {
      outbound.add(ByteBuffer.wrap(plaintext));
    }

    @Override
    public boolean flush(SocketChannel channel) throws IOException {
      while (!outbound.isEmpty()) {
        ByteBuffer head = outbound.peek();
        channel.write(head);
        if (head.hasRemaining()) {
          return false;
        }
        outbound.poll();
      }
      return true;
    }

    @Override
    public boolean hasPending() {
      return !outbound.isEmpty();
    }

    @Override
    public boolean ready() {
      return true;
    }

    @Override
    public void closing(SocketChannel channel) {}
  }

  /** TLS over the socket, through {@link TlsConnection}. */
  final class Tls implements Wire {
    private final TlsConnection tls;

    Tls(TlsConnection tls) {
      this.tls = tls;
    }

    @Override
    public int read(SocketChannel channel, ByteBuffer scratch, Plaintext sink) throws IOException {
      scratch.clear();
      int n = channel.read(scratch);
      if (n > 0) {
        scratch.flip();
        tls.unwrap(scratch, sink::accept);
      }
      if (tls.isInboundDone()) {
        tls.closeOutbound(); // the client sent close_notify: answer it, then treat as end of stream
        return -1;
      }
      return n;
    }

    @Override
    public void send(byte[] plaintext) {
      tls.wrap(ByteBuffer.wrap(plaintext));
    }

    @Override
    public boolean flush(SocketChannel channel) throws IOException {
      tls.writeTo(channel);
      return !tls.hasOutbound();
    }

    @Override
    public boolean hasPending() {
      return tls.hasOutbound();
    }

    @Override
    public boolean ready() {
      return tls.isHandshakeComplete();
    }

    @Override
    public void closing(SocketChannel channel) {
      try {
        if (!tls.isOutboundDone()) {
          tls.closeOutbound();
        }
        tls.writeTo(channel);
      } catch (IOException | RuntimeException e) {
        // Best effort: the socket closes either way.
      }
    }
  }
}
