package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * The TLS layer of one server connection, for a non-blocking {@code Selector} loop: it turns the
 * bytes read from the socket into plaintext, and plaintext to send into bytes to write, driving the
 * {@link SSLEngine} handshake on the way. It has no threads and does no I/O except in {@link
 * #writeTo}; the engine's delegated tasks run inline on the caller's thread. Not thread-safe: one
 * event-loop thread owns one connection.
 *
 * <h2>How the server loop uses it</h2>
 *
 * <pre>{@code
 * // accept
 * TlsConnection tls = new TlsConnection(forwardTls.newServerEngine());
 * PlaintextSink toDecoder = plain -> decoder.decode(plain, listener);   // once per connection
 * key.interestOps(OP_READ);
 *
 * // OP_READ
 * int n = channel.read(netIn);                // netIn: any size, e.g. 16 KiB, reused
 * if (n < 0) { close(); return; }             // EOF without close_notify: just close
 * netIn.flip();
 * tls.unwrap(netIn, toDecoder);               // consumes ALL of netIn, may queue handshake bytes
 * netIn.clear();
 * if (tls.isInboundDone()) tls.closeOutbound(); // client sent close_notify: answer it
 * if (tls.hasOutbound()) flush();             // handshake replies, close_notify
 * if (tls.isInboundDone() && !tls.hasOutbound()) close();   // else close after the last OP_WRITE
 *
 * // the sink may throw (MalformedFrameException from the decoder): it propagates out of unwrap
 *
 * // sending an ack (only after isHandshakeComplete(); acks always are: they answer frames)
 * tls.wrap(ackBytes);                          // queues the encrypted record
 * flush();
 *
 * // flush() and OP_WRITE
 * tls.writeTo(channel);
 * key.interestOps(tls.hasOutbound() ? OP_READ | OP_WRITE : OP_READ);
 *
 * // closing: tls.closeOutbound(); flush (best effort, bounded); channel.close();
 * // on ForwardTlsException: log e.getMessage() as the close reason, flush once (the engine may
 * // have queued an alert telling the client why), close.
 * }</pre>
 *
 * <ul>
 *   <li><b>Read, unwrap, decode.</b> {@link #unwrap} always consumes every byte it is given: whole
 *       TLS records are decrypted at once, a trailing partial record is kept inside (in a buffer of
 *       at most the session's packet size) until the rest arrives. The plaintext of each record is
 *       handed to the {@link PlaintextSink} as soon as it is decrypted, in a buffer that is reused
 *       afterwards.
 *   <li><b>One outbound queue.</b> Handshake messages, encrypted application data, alerts and
 *       close_notify all go to the same queue; write it when {@link #hasOutbound()} and keep {@code
 *       OP_WRITE} registered until it is empty. {@link #outboundBytes()} tells how much is pending,
 *       for back-pressure (stop reading while the client does not read its acks).
 *   <li><b>Handshake timeout is the server's job.</b> A client that connects and sends nothing, or
 *       stops halfway through the handshake, costs nothing here but is never closed by this class:
 *       close connections that are not {@link #isHandshakeComplete()} after a deadline.
 *   <li><b>Closing.</b> When the client sends close_notify, {@link #unwrap} queues the answer and
 *       {@link #isInboundDone()} becomes true: flush and close. To close from the server side,
 *       {@link #closeOutbound()} queues close_notify; waiting for the client's answer is optional.
 *   <li><b>Errors.</b> Every {@link SSLException} becomes a {@link ForwardTlsException} whose
 *       message is the close reason to log ("TLS handshake failed: Empty client certificate
 *       chain"). A client that sends plain bytes (the forward protocol without TLS, HTTP) is
 *       recognised from its first byte and refused with a message saying so.
 * </ul>
 *
 * <p>Memory: about {@code 2 x 16 KiB} per connection (the session's application buffer and outbound
 * packet buffer), plus a 16 KiB partial-record buffer once a record arrives split. The outbound
 * queue grows to hold what was wrapped and not yet written.
 */
final class TlsConnection {

  /** Receives decrypted bytes. */
  @FunctionalInterface
  interface PlaintextSink {
    /**
     * Takes the plaintext between the buffer's position and limit. The sink must consume (copy) all
     * of it before returning: the buffer is reused for the next record.
     *
     * @param plaintext decrypted bytes, a heap buffer
     */
    void accept(ByteBuffer plaintext);

    /**
     * Returns a sink that appends the plaintext to {@code bytes}; make it once per connection.
     *
     * @param bytes the buffer to append to
     * @return the sink
     */
    static PlaintextSink into(GrowableBytes bytes) {
      return plaintext -> {
        bytes.write(
            plaintext.array(),
            plaintext.arrayOffset() + plaintext.position(),
            plaintext.remaining());
        plaintext.position(plaintext.limit());
      };
    }
  }

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
  private static final int TLS_HANDSHAKE_RECORD = 0x16;

  private final SSLEngine engine;

  /** Engine output of unwrap; empty between calls. */
  private ByteBuffer appIn;

  /** A partial TLS record (or more) waiting for the rest, in write mode; null until needed. */
  private ByteBuffer pendingNet;

  /** Outbound bytes in write mode: data is [outRead, position). */
  private ByteBuffer netOut;

  private int outRead;
  private boolean firstByteSeen;
  private boolean handshakeComplete;
  private boolean inboundClosed;

  /**
   * Wraps a server-mode engine, usually {@link ForwardTls#newServerEngine()}.
   *
   * @throws IllegalArgumentException if the engine is in client mode
   */
  TlsConnection(SSLEngine engine) {
    if (engine.getUseClientMode()) {
      throw new IllegalArgumentException("engine must be in server mode");
    }
    this.engine = engine;
    SSLSession session = engine.getSession();
    this.appIn = ByteBuffer.allocate(session.getApplicationBufferSize());
    this.netOut = ByteBuffer.allocate(session.getPacketBufferSize());
  }

  /**
   * Consumes all the network bytes remaining in {@code netIn}: decrypts every complete TLS record,
   * hands its plaintext to {@code sink}, keeps a trailing partial record for the next call, and
   * queues whatever the handshake has to send ({@link #hasOutbound()}). Bytes after the client's
   * close_notify are discarded.
   *
   * @param netIn bytes read from the socket, position to limit; its position ends at its limit
   * @param sink receives the plaintext, possibly in several pieces
   * @return the number of plaintext bytes handed to {@code sink}
   * @throws ForwardTlsException if the client does not speak TLS, the handshake fails or a record
   *     is bad; the connection cannot be used any more (flush the outbound queue once, then close)
   */
  int unwrap(ByteBuffer netIn, PlaintextSink sink) {
    if (!firstByteSeen && netIn.hasRemaining()) {
      firstByteSeen = true;
      int first = netIn.get(netIn.position()) & 0xff;
      if (first != TLS_HANDSHAKE_RECORD) {
        netIn.position(netIn.limit());
        throw new ForwardTlsException(
            String.format(
                "not a TLS client: first byte 0x%02x is not a TLS handshake record (0x16); is the"
                    + " client sending plain forward protocol to a TLS port?",
                first));
      }
    }
    int produced = 0;
    for (; ; ) {
      HandshakeStatus status = engine.getHandshakeStatus();
      if (status == HandshakeStatus.NEED_TASK) {
        runDelegatedTasks();
        continue;
      }
      if (status == HandshakeStatus.NEED_WRAP && !engine.isOutboundDone()) {
        SSLEngineResult result = wrapOnce(EMPTY);
        if (result.bytesProduced() > 0
            || result.getStatus() == Status.BUFFER_OVERFLOW
            || result.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
          continue;
        }
      }
      if (inboundClosed || engine.isInboundDone()) {
        netIn.position(netIn.limit());
        return produced;
      }
      ByteBuffer source = source(netIn);
      if (!source.hasRemaining()) {
        return produced;
      }
      SSLEngineResult result;
      try {
        result = engine.unwrap(source, appIn);
      } catch (SSLException e) {
        throw failure(e);
      } finally {
        if (source == pendingNet) {
          restorePendingNet();
        }
      }
      noteHandshake(result);
      if (appIn.position() > 0) {
        appIn.flip();
        produced += appIn.remaining();
        try {
          sink.accept(appIn);
        } finally {
          appIn.clear();
        }
      }
      switch (result.getStatus()) {
        case OK:
          if (result.bytesConsumed() == 0
              && result.bytesProduced() == 0
              && result.getHandshakeStatus() != HandshakeStatus.NEED_TASK
              && (result.getHandshakeStatus() != HandshakeStatus.NEED_WRAP
                  || engine.isOutboundDone())) {
            // never seen; better a reason in the log than a spinning event loop
            throw new ForwardTlsException(
                "TLS engine made no progress (handshake status "
                    + result.getHandshakeStatus()
                    + ")");
          }
          break;
        case CLOSED:
          inboundClosed = true;
          break;
        case BUFFER_OVERFLOW:
          growAppIn();
          break;
        case BUFFER_UNDERFLOW:
          // nothing was consumed, so the handshake status is what the loop top just handled
          if (source == netIn) {
            stash(netIn);
            return produced;
          }
          if (netIn.hasRemaining()) {
            growPendingNet(pendingNet.position() + 1); // the kept bytes filled pendingNet
            continue;
          }
          return produced;
        default:
          throw new IllegalStateException("unexpected SSLEngine status " + result.getStatus());
      }
    }
  }

  /**
   * Encrypts all of {@code appOut} into the outbound queue.
   *
   * @param appOut plaintext, position to limit; its position ends at its limit
   * @throws IllegalStateException if the handshake is not complete yet
   * @throws ForwardTlsException if the connection is closed or the engine fails
   */
  void wrap(ByteBuffer appOut) {
    if (!handshakeComplete) {
      throw new IllegalStateException("cannot send before the TLS handshake is complete");
    }
    while (appOut.hasRemaining()) {
      if (engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
        runDelegatedTasks();
        continue;
      }
      SSLEngineResult result = wrapOnce(appOut);
      if (result.getStatus() == Status.CLOSED) {
        throw new ForwardTlsException("cannot send: the TLS connection is closed");
      }
      if (result.getStatus() == Status.OK
          && result.bytesConsumed() == 0
          && result.bytesProduced() == 0) {
        throw new ForwardTlsException(
            "cannot send: the TLS engine takes no data while its handshake status is "
                + result.getHandshakeStatus());
      }
    }
  }

  /**
   * Queues close_notify; nothing can be sent afterwards. Idempotent.
   *
   * @throws ForwardTlsException if the engine fails
   */
  void closeOutbound() {
    engine.closeOutbound();
    while (!engine.isOutboundDone()) {
      SSLEngineResult result = wrapOnce(EMPTY);
      if (result.bytesProduced() == 0 && result.getStatus() != Status.BUFFER_OVERFLOW) {
        break;
      }
    }
  }

  /**
   * Returns whether bytes wait to be written to the socket.
   *
   * @return {@code true} while {@link #writeTo} has something to write
   */
  boolean hasOutbound() {
    return netOut.position() > outRead;
  }

  /**
   * Returns how many bytes wait to be written to the socket.
   *
   * @return queued outbound bytes
   */
  int outboundBytes() {
    return netOut.position() - outRead;
  }

  /**
   * Writes as much of the outbound queue as {@code channel} takes now.
   *
   * @param channel a non-blocking socket channel, usually
   * @return bytes written, 0 if the channel's send buffer is full or nothing is queued
   * @throws IOException from the channel
   */
  int writeTo(WritableByteChannel channel) throws IOException {
    int end = netOut.position();
    if (outRead == end) {
      return 0;
    }
    netOut.limit(end).position(outRead);
    int written;
    try {
      written = channel.write(netOut);
    } finally {
      outRead = netOut.position();
      netOut.limit(netOut.capacity()).position(end);
    }
    if (outRead == end) {
      netOut.clear();
      outRead = 0;
    }
    return written;
  }

  /**
   * Returns whether the initial handshake has completed; until then the server should apply its
   * handshake deadline.
   *
   * @return {@code true} once application data can flow
   */
  boolean isHandshakeComplete() {
    return handshakeComplete;
  }

  /**
   * Returns whether the client closed its side (close_notify received): nothing more will be
   * decrypted; flush and close.
   *
   * @return {@code true} after the client's close_notify
   */
  boolean isInboundDone() {
    return inboundClosed || engine.isInboundDone();
  }

  /**
   * Returns whether close_notify has been produced, by {@link #closeOutbound()} or in answer to the
   * client's.
   *
   * @return {@code true} once nothing more can be sent
   */
  boolean isOutboundDone() {
    return engine.isOutboundDone();
  }

  /**
   * Returns the session: protocol, cipher suite and, with client-certificate auth, the client's
   * certificates ({@link SSLSession#getPeerCertificates()}) for logging.
   *
   * @return the engine's current session
   */
  SSLSession session() {
    return engine.getSession();
  }

  private SSLEngineResult wrapOnce(ByteBuffer source) {
    ensureOutboundRoom();
    SSLEngineResult result;
    try {
      result = engine.wrap(source, netOut);
    } catch (SSLException e) {
      throw failure(e);
    }
    noteHandshake(result);
    if (result.getStatus() == Status.BUFFER_OVERFLOW) {
      growOutbound(engine.getSession().getPacketBufferSize());
    }
    return result;
  }

  private void runDelegatedTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }

  private void noteHandshake(SSLEngineResult result) {
    if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
      handshakeComplete = true;
    }
  }

  /** The bytes to unwrap next: the kept partial record topped up from netIn, or netIn itself. */
  private ByteBuffer source(ByteBuffer netIn) {
    if (pendingNet == null || pendingNet.position() == 0) {
      return netIn;
    }
    transfer(netIn, pendingNet);
    pendingNet.flip();
    return pendingNet;
  }

  /**
   * Puts pendingNet back in write mode after an unwrap; moves bytes only when some were consumed,
   * so a record arriving a byte at a time is not copied over and over.
   */
  private void restorePendingNet() {
    if (pendingNet.position() == 0) {
      pendingNet.position(pendingNet.limit()).limit(pendingNet.capacity());
    } else {
      pendingNet.compact();
    }
  }

  /** Keeps the partial record at the end of netIn. */
  private void stash(ByteBuffer netIn) {
    int needed = netIn.remaining();
    if (pendingNet == null) {
      pendingNet = ByteBuffer.allocate(Math.max(needed, engine.getSession().getPacketBufferSize()));
    } else if (pendingNet.remaining() < needed) {
      growPendingNet(pendingNet.position() + needed);
    }
    pendingNet.put(netIn);
  }

  private void growPendingNet(int needed) {
    int packetSize = engine.getSession().getPacketBufferSize();
    if (pendingNet.capacity() >= Math.max(needed, packetSize)) {
      // full with no whole record in it: more than any record the session allows
      throw new ForwardTlsException(
          "TLS record larger than the session's packet size of " + packetSize + " bytes");
    }
    ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, packetSize));
    pendingNet.flip();
    bigger.put(pendingNet);
    pendingNet = bigger;
  }

  private void growAppIn() {
    int size = engine.getSession().getApplicationBufferSize();
    if (appIn.capacity() >= size) {
      throw new ForwardTlsException(
          "TLS record decrypts to more than the session's application buffer size of "
              + size
              + " bytes");
    }
    appIn = ByteBuffer.allocate(size);
  }

  /** Makes room for at least one packet at the end of the outbound queue. */
  private void ensureOutboundRoom() {
    int packetSize = engine.getSession().getPacketBufferSize();
    if (netOut.remaining() >= packetSize) {
      return;
    }
    if (outRead > 0) {
      netOut.flip().position(outRead);
      netOut.compact();
      outRead = 0;
    }
    if (netOut.remaining() < packetSize) {
      growOutbound(packetSize);
    }
  }

  private void growOutbound(int room) {
    int used = netOut.position() - outRead;
    int capacity = Math.max(netOut.capacity() * 2, used + room);
    ByteBuffer bigger = ByteBuffer.allocate(capacity);
    netOut.flip().position(outRead);
    bigger.put(netOut);
    netOut = bigger;
    outRead = 0;
  }

  private static void transfer(ByteBuffer from, ByteBuffer to) {
    int count = Math.min(from.remaining(), to.remaining());
    if (count == 0) {
      return;
    }
    int limit = from.limit();
    from.limit(from.position() + count);
    to.put(from);
    from.limit(limit);
  }

  /**
   * Translates an engine failure into the close reason, after letting the engine queue the alert
   * that tells a TLS client why.
   */
  private ForwardTlsException failure(SSLException e) {
    try {
      engine.closeOutbound();
      for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
        if (netOut.remaining() < engine.getSession().getPacketBufferSize()) {
          ensureOutboundRoom();
        }
        SSLEngineResult result = engine.wrap(EMPTY, netOut);
        if (result.bytesProduced() == 0) {
          break;
        }
      }
    } catch (SSLException | RuntimeException ignored) {
      // the alert is a courtesy; the reason is what matters
    }
    String what = handshakeComplete ? "TLS connection failed: " : "TLS handshake failed: ";
    return new ForwardTlsException(what + e.getMessage(), e);
  }
}
