package dev.logstream.agent.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of an emulator that keeps an agent's death from reaching it. The emulators
 * do not survive a client that dies in the middle of a request: kinesalite 3.3.3 throws on the
 * aborted request and exits ({@code req.on('error', function(err) { throw err })}), kinesis-mock
 * 0.6.2 was seen spinning at 100 % CPU. When the agent side of a connection ends, this proxy leaves
 * the emulator side open, so a half-sent request just waits there; every upstream connection is
 * closed with the proxy, after the test.
 */
final class AbortShieldProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  AbortShieldProxy(URI emulator) throws IOException {
    this.upstream = new InetSocketAddress(emulator.getHost(), emulator.getPort());
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "abort-shield-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** The endpoint agents use instead of the emulator's. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket emulator = new Socket(upstream.getAddress(), upstream.getPort());
        sockets.add(client);
        sockets.add(emulator);
        pump(client, emulator, false);
        pump(emulator, client, true);
      } catch (IOException e) {
        if (!closed) {
          System.err.println("abort-shield proxy: " + e);
        }
      }
    }
  }

  /**
   * Copies bytes one way. When the agent's side ends (EOF or reset), the emulator's side is left
   * open on purpose; when the emulator's side ends, the agent's side is closed.
   */
  private static void pump(Socket from, Socket to, boolean closeTargetAtEnd) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 << 10];
              try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // the connection ended; see below
              }
              if (closeTargetAtEnd) {
                closeQuietly(to);
              }
            },
            "abort-shield-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    sockets.forEach(AbortShieldProxy::closeQuietly);
  }
}
