package dev.logstream.agent.e2e;

import dev.logstream.forward.interop.DockerRecords;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

/**
 * A minimal forward client that sends one Docker-shaped line per Message frame with a {@code chunk}
 * option and waits for its ack, as dockerd's driver does with {@code fluentd-request-ack}: the
 * tests learn for each line whether its ack arrived. A failed send (connection refused or cut, no
 * ack within the timeout) closes the connection; the next send reconnects. Not thread-safe.
 */
final class AckingForwardClient implements AutoCloseable {

  static final String TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";

  private final InetSocketAddress target;
  private final Duration ackTimeout;
  private Socket socket;
  private OutputStream out;
  private MessageUnpacker in;
  private long chunks;

  AckingForwardClient(InetSocketAddress target, Duration ackTimeout) {
    this.target = target;
    this.ackTimeout = ackTimeout;
  }

  /** The {@code log} value of line {@code n}: unique, Docker-sized. */
  static String line(String prefix, long n) {
    return prefix + "-" + n + " " + "x".repeat(120);
  }

  /**
   * Sends one line and waits for its ack.
   *
   * @return whether the ack for this frame arrived
   */
  boolean send(String log) {
    try {
      connectIfNeeded();
      String chunk = "c" + chunks++;
      out.write(frame(log, chunk));
      out.flush();
      while (true) {
        int entries = in.unpackMapHeader();
        String ack = null;
        for (int i = 0; i < entries; i++) {
          String key = in.unpackString();
          if (key.equals("ack")) {
            ack = in.unpackString();
          } else {
            in.skipValue();
          }
        }
        if (chunk.equals(ack)) {
          return true;
        }
        // an ack for an earlier frame whose wait timed out cannot arrive: that closed the socket
        throw new IOException("unexpected ack " + ack + " for " + chunk);
      }
    } catch (IOException | MessagePackException e) {
      // refused, reset, timed out, or closed mid-answer (the unpacker's EOF is unchecked)
      disconnect();
      return false;
    }
  }

  private void connectIfNeeded() throws IOException {
    if (socket != null) {
      return;
    }
    Socket s = new Socket();
    try {
      s.connect(target, 2_000);
      s.setSoTimeout((int) ackTimeout.toMillis());
      s.setTcpNoDelay(true);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    socket = s;
    out = new BufferedOutputStream(s.getOutputStream());
    InputStream input = s.getInputStream();
    in = MessagePack.newDefaultUnpacker(input);
  }

  static byte[] frame(String log, String chunk) throws IOException {
    try (var packer = MessagePack.newDefaultBufferPacker()) {
      packer.packArrayHeader(4);
      packer.packString(TAG);
      packer.packLong(Instant.parse("2026-11-25T12:00:00Z").getEpochSecond());
      packRecord(packer, log);
      packer.packMapHeader(1);
      packer.packString("chunk");
      packer.packString(chunk);
      return packer.toByteArray();
    }
  }

  private static void packRecord(MessagePacker packer, String log) throws IOException {
    packer.packMapHeader(4);
    packer.packString("container_id").packString(DockerRecords.CONTAINER_ID);
    packer.packString("container_name").packString(DockerRecords.CONTAINER_NAME);
    packer.packString("source").packString(DockerRecords.SOURCE);
    byte[] bytes = log.getBytes(StandardCharsets.UTF_8);
    packer.packString("log").packRawStringHeader(bytes.length);
    packer.writePayload(bytes);
  }

  private void disconnect() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    socket = null;
    out = null;
    in = null;
  }

  @Override
  public void close() {
    disconnect();
  }
}
