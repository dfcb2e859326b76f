package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * A JDK client {@link SSLEngine} driven in memory: what it wants to send piles up in {@link
 * #toServer}, what the server wrote is fed to {@link #receive}, decrypted bytes land in {@link
 * #received}. Test code, straightforward rather than fast.
 */
final class InMemoryTlsClient {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  final SSLEngine engine;

  /** Bytes the client produced and the test has not delivered to the server yet. */
  final GrowableBytes toServer = new GrowableBytes();

  /** Plaintext from the server. */
  final GrowableBytes received = new GrowableBytes();

  private int toServerDelivered;
  private ByteBuffer netIn;
  private ByteBuffer netOut;
  private ByteBuffer appIn;
  private ByteBuffer appOut = EMPTY;
  private boolean handshakeFinished;
  private boolean closedByServer;

  InMemoryTlsClient(SSLEngine engine) throws SSLException {
    this.engine = engine;
    int packet = engine.getSession().getPacketBufferSize();
    this.netIn = ByteBuffer.allocate(packet);
    this.netOut = ByteBuffer.allocate(packet);
    this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    engine.beginHandshake();
    produce();
  }

  /** Queues plaintext; it is encrypted as soon as the handshake allows. */
  void send(byte[] plaintext) throws SSLException {
    appOut = ByteBuffer.wrap(plaintext);
    produce();
  }

  boolean allSent() {
    return !appOut.hasRemaining();
  }

  boolean handshakeFinished() {
    return handshakeFinished;
  }

  /** Whether the server's close_notify arrived. */
  boolean closedByServer() {
    return closedByServer;
  }

  void close() throws SSLException {
    engine.closeOutbound();
    produce();
  }

  /** The next at most {@code max} bytes for the server, or null if there are none. */
  ByteBuffer nextForServer(int max) {
    int available = toServer.length() - toServerDelivered;
    if (available == 0) {
      return null;
    }
    int count = Math.min(max, available);
    ByteBuffer chunk = ByteBuffer.wrap(toServer.array(), toServerDelivered, count).slice();
    toServerDelivered += count;
    if (toServerDelivered == toServer.length()) {
      toServer.clear();
      toServerDelivered = 0;
    }
    return chunk;
  }

  /** Wraps whatever the engine wants to send and whatever plaintext is queued. */
  void produce() throws SSLException {
    for (int guard = 0; guard < 100_000; guard++) {
      runTasks();
      HandshakeStatus status = engine.getHandshakeStatus();
      boolean wantsWrap = status == HandshakeStatus.NEED_WRAP;
      boolean canSendData = handshakeFinished && appOut.hasRemaining() && !engine.isOutboundDone();
      if (!wantsWrap && !canSendData) {
        return;
      }
      netOut.clear();
      SSLEngineResult result = engine.wrap(canSendData ? appOut : EMPTY, netOut);
      note(result);
      if (result.getStatus() == Status.BUFFER_OVERFLOW) {
        netOut = ByteBuffer.allocate(netOut.capacity() * 2);
        continue;
      }
      netOut.flip();
      toServer.write(netOut.array(), 0, netOut.limit());
      if (result.getStatus() == Status.CLOSED
          || (result.bytesProduced() == 0 && result.bytesConsumed() == 0)) {
        return;
      }
    }
    throw new AssertionError("client wrap loop did not settle");
  }

  /** Takes bytes the server wrote, decrypts what it can, then answers. */
  void receive(byte[] bytes, int offset, int length) throws SSLException {
    if (netIn.remaining() < length) {
      ByteBuffer bigger = ByteBuffer.allocate(netIn.position() + length);
      netIn.flip();
      bigger.put(netIn);
      netIn = bigger;
    }
    netIn.put(bytes, offset, length);
    netIn.flip();
    try {
      for (int guard = 0; guard < 100_000; guard++) {
        runTasks();
        if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
          produce();
        }
        if (!netIn.hasRemaining() || engine.isInboundDone()) {
          return;
        }
        SSLEngineResult result = engine.unwrap(netIn, appIn);
        note(result);
        appIn.flip();
        received.write(appIn.array(), 0, appIn.limit());
        appIn.clear();
        switch (result.getStatus()) {
          case BUFFER_UNDERFLOW:
            return;
          case BUFFER_OVERFLOW:
            appIn = ByteBuffer.allocate(appIn.capacity() * 2);
            break;
          case CLOSED:
            closedByServer = true;
            produce();
            return;
          default:
            if (result.bytesConsumed() == 0
                && result.bytesProduced() == 0
                && engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP
                && engine.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
              return;
            }
        }
      }
      throw new AssertionError("client unwrap loop did not settle");
    } finally {
      netIn.compact();
      produce();
    }
  }

  private void note(SSLEngineResult result) {
    if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
      handshakeFinished = true;
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
