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

  /** Bytes queued for the socket. */
  long pendingBytes();

  /** Plain TCP or Unix socket: bytes as they are. */
  final class Plain implements Wire {
    private final java.util.ArrayDeque<ByteBuffer> outbound = new java.util.ArrayDeque<>();
    private long pending;

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
      pending += plaintext.length;
    }

    @Override
    public boolean flush(SocketChannel channel) throws IOException {
      while (!outbound.isEmpty()) {
        ByteBuffer head = outbound.peek();
        pending -= channel.write(head);
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
    public long pendingBytes() {
      return pending;
    }
  }
}
