package dev.logstream.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP server that reads and discards bytes as fast as it can: the fastest server a client could
 * meet, to tell whether the agent or the client limits a run. One thread per connection.
 */
final class NullServer implements AutoCloseable {
  private final ServerSocket listener;
  private final AtomicLong bytesRead = new AtomicLong();
  private final AtomicLong openConnections = new AtomicLong();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  NullServer() throws IOException {
    listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "null-server-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
  }

  long bytesRead() {
    return bytesRead.get();
  }

  long openConnections() {
    return openConnections.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket socket = listener.accept();
        openConnections.incrementAndGet();
        Thread reader = new Thread(() -> discard(socket), "null-server-read");
        reader.setDaemon(true);
        threads.add(reader);
        reader.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void discard(Socket socket) {
    byte[] sink = new byte[256 << 10];
    try (socket;
        InputStream in = socket.getInputStream()) {
      for (int n; (n = in.read(sink)) >= 0; ) {
        bytesRead.addAndGet(n);
      }
    } catch (IOException e) {
      // the client went away: nothing to discard any more
    } finally {
      openConnections.decrementAndGet();
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
