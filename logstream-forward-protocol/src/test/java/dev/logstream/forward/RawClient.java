package dev.logstream.forward;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/** A blocking test client that writes raw bytes and reads msgpack values (HELO, PONG, acks). */
final class RawClient implements AutoCloseable {
  private final Socket socket;
  private final SocketChannel unix;
  private final InputStream in;
  private final MessageUnpacker unpacker;

  private RawClient(Socket socket, SocketChannel unix, InputStream in) {
    this.socket = socket;
    this.unix = unix;
    this.in = in;
    this.unpacker = MessagePack.newDefaultUnpacker(in);
  }

  static RawClient tcp(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    return new RawClient(socket, null, socket.getInputStream());
  }

  static RawClient unix(java.nio.file.Path path) throws IOException {
    SocketChannel channel = SocketChannel.open(java.net.UnixDomainSocketAddress.of(path));
    return new RawClient(null, channel, Channels.newInputStream(channel));
  }

  void send(byte[] bytes) throws IOException {
    if (socket != null) {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
    } else {
      unix.write(java.nio.ByteBuffer.wrap(bytes));
    }
  }

  /** Reads one msgpack value, waiting at most {@code timeout} (TCP only). */
  Value read(Duration timeout) throws IOException {
    if (socket != null) {
      socket.setSoTimeout((int) timeout.toMillis());
    }
    return unpacker.unpackValue();
  }

  Value read() throws IOException {
    return read(Duration.ofSeconds(10));
  }

  /** True if nothing arrives within {@code wait} (TCP only). */
  boolean silentFor(Duration wait) throws IOException {
    socket.setSoTimeout((int) wait.toMillis());
    try {
      return !unpacker.hasNext();
    } catch (SocketTimeoutException expected) {
      return true;
    }
  }

  /** True once the server has closed the connection (end of stream or reset). */
  boolean closedByServer() throws IOException {
    if (socket != null) {
      socket.setSoTimeout(10_000);
    }
    try {
      return in.read() == -1;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    unpacker.close();
    if (socket != null) {
      socket.close();
    } else {
      unix.close();
    }
  }
}
