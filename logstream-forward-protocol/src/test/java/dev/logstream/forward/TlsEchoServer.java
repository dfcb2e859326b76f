package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A minimal single-threaded, non-blocking TLS echo server over {@link TlsConnection}, in the shape
 * the forward server will take: read into a small buffer, unwrap, act on the plaintext (echo it
 * here instead of decoding), wrap, write the outbound queue and keep {@code OP_WRITE} while it is
 * not empty. Test code only; the real server lives elsewhere. Each closed connection's reason goes
 * to {@link #closeReasons}.
 */
final class TlsEchoServer implements AutoCloseable {
  /** Small on purpose: TLS records (up to 16 KiB) always arrive over several reads. */
  private static final int READ_BUFFER = 1_000;

  final BlockingQueue<String> closeReasons = new LinkedBlockingQueue<>();

  private final ForwardTls tls;
  private final Selector selector;
  private final ServerSocketChannel listener;
  private final Thread thread;
  private volatile Throwable crash;
  private volatile boolean running = true;

  TlsEchoServer(ForwardTls tls) throws IOException {
    this.tls = tls;
    this.selector = Selector.open();
    this.listener = ServerSocketChannel.open();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    listener.configureBlocking(false);
    listener.register(selector, SelectionKey.OP_ACCEPT);
    this.thread = new Thread(this::loop, "tls-echo-server");
    thread.setDaemon(true);
    thread.start();
  }

  int port() throws IOException {
    return ((InetSocketAddress) listener.getLocalAddress()).getPort();
  }

  /** One client connection. */
  private final class Connection {
    final SocketChannel channel;
    final TlsConnection tls;
    final ByteBuffer netIn = ByteBuffer.allocate(READ_BUFFER);
    final GrowableBytes plaintext = new GrowableBytes();
    final TlsConnection.PlaintextSink sink = TlsConnection.PlaintextSink.into(plaintext);

    Connection(SocketChannel channel) {
      this.channel = channel;
      this.tls = new TlsConnection(TlsEchoServer.this.tls.newServerEngine());
    }

    void onReadable(SelectionKey key) throws IOException {
      int read = channel.read(netIn);
      if (read < 0) {
        close(key, "eof");
        return;
      }
      netIn.flip();
      plaintext.clear();
      try {
        tls.unwrap(netIn, sink);
      } catch (ForwardTlsException e) {
        tls.writeTo(channel); // best effort: the alert, if any
        close(key, e.getMessage());
        return;
      }
      netIn.clear();
      if (plaintext.length() > 0) {
        tls.wrap(ByteBuffer.wrap(plaintext.array(), 0, plaintext.length()));
      }
      if (tls.isInboundDone()) {
        tls.closeOutbound();
      }
      onWritable(key);
    }

    void onWritable(SelectionKey key) throws IOException {
      tls.writeTo(channel);
      if (tls.hasOutbound()) {
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      } else if (tls.isInboundDone()) {
        close(key, "close_notify");
      } else {
        key.interestOps(SelectionKey.OP_READ);
      }
    }

    void close(SelectionKey key, String reason) throws IOException {
      key.cancel();
      channel.close();
      closeReasons.add(reason);
    }
  }

  private void loop() {
    try {
      while (running) {
        selector.select();
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            SocketChannel channel = listener.accept();
            if (channel != null) {
              channel.configureBlocking(false);
              channel.setOption(StandardSocketOptions.SO_SNDBUF, 4_096);
              channel.register(selector, SelectionKey.OP_READ, new Connection(channel));
            }
            continue;
          }
          Connection connection = (Connection) key.attachment();
          if (key.isWritable()) {
            connection.onWritable(key);
          }
          if (key.isValid() && key.isReadable()) {
            connection.onReadable(key);
          }
        }
      }
    } catch (Throwable t) {
      crash = t;
      closeReasons.add("crash: " + t);
    } finally {
      for (SelectionKey key : selector.keys()) {
        closeQuietly(key.channel());
      }
      closeQuietly(selector);
    }
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // shutting down a test server
    }
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while stopping the echo loop", e);
    }
    if (thread.isAlive()) {
      throw new AssertionError("the echo loop did not stop");
    }
    if (crash != null) {
      throw new AssertionError("the echo loop crashed", crash);
    }
  }
}
