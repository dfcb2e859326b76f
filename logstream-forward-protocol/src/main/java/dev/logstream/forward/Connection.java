package dev.logstream.forward;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, driven by its event loop: reads, decodes, hands frames to the handler,
 * acks once stored, pauses reading under backpressure, closes with a reason.
 *
 * <p>States: {@code HANDSHAKE} (secure forward: HELO sent, waiting for PING) → {@code OPEN} →
 * {@code DRAINING} (no more reading; waiting for in-flight frames to be stored so their acks go
 * out) → {@code CLOSED}.
 */
final class Connection
    implements EventLoop.Selectable, ForwardDecoder.RawValueListener, Wire.Plaintext {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  private enum State {
    HANDSHAKE,
    OPEN,
    DRAINING,
    CLOSED
  }

  private final ForwardServer.Context server;
  private final EventLoop loop;
  private final SocketChannel channel;
  private final ConnectionInfo info;
  private final ForwardDecoder decoder;
  private final Wire wire;
  private final HandshakeSession handshake;
  private SelectionKey key;

  private State state;
  private CloseReason drainReason;
  private int pendingStores;
  private boolean pausedForBackpressure;
  private boolean heloSent;
  private long lastActivity;
  private long handshakeDeadline;

  Connection(
      ForwardServer.Context server,
      EventLoop loop,
      SocketChannel channel,
      ConnectionInfo info,
      Wire wire) {
    this.server = server;
    this.loop = loop;
    this.channel = channel;
    this.info = info;
    this.wire = wire;
    this.decoder = ForwardDecoder.create(server.limits());
    this.handshake =
        server.security() == null ? null : new HandshakeSession(server.security(), server.random());
    this.lastActivity = server.nanoTime();
  }

  /** Registers with the loop's selector and starts the handshake if one is required. */
  void register() throws ClosedChannelException {
    key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
    loop.connections().add(this);
    server.stats().opened();
    handshakeDeadline = server.nanoTime() + server.handshakeTimeoutNanos();
    if (handshake != null || !wire.ready()) {
      state = State.HANDSHAKE; // secure forward, TLS, or both (TLS first)
      if (handshake != null) {
        decoder.rawValues(true);
      }
      startHelo();
    } else {
      state = State.OPEN;
    }
    log.debug("forward connection {} opened", info);
  }

  /** Sends the secure-forward HELO once the wire can carry it (after the TLS handshake). */
  private void startHelo() {
    if (handshake != null && !heloSent && wire.ready()) {
      heloSent = true;
      wire.send(handshake.helo());
      flush();
    }
  }

  ConnectionInfo info() {
    return info;
  }

  @Override
  public void onSelected(SelectionKey selected) {
    if (selected.isReadable()) {
      read();
    }
    if (state != State.CLOSED && selected.isValid() && selected.isWritable()) {
      flush();
    }
  }

  private void read() {
    // Before decoding: frames decoded below may be acked, and a client that reacts to its ack
    // must not find the connection older than the bytes that produced it.
    long readAt = server.nanoTime();
    int n;
    try {
      n = wire.read(channel, loop.readBuffer, this);
    } catch (ForwardProtocolException e) {
      closeFor(e);
      return;
    } catch (IOException e) {
      close(CloseReason.IO_ERROR, e.toString());
      return;
    }
    if (n < 0) {
      drainThenClose(CloseReason.PEER_CLOSED);
      return;
    }
    if (n > 0) {
      lastActivity = readAt;
      server.stats().bytesIn(n);
    }
    if (state == State.HANDSHAKE) {
      startHelo();
    }
    flush(); // TLS handshake replies wait in the wire's queue
  }

  /** Plaintext from the wire: decode it. */
  @Override
  public void accept(ByteBuffer plaintext) {
    if (state == State.CLOSED) {
      return;
    }
    if (state == State.HANDSHAKE && handshake == null) {
      state = State.OPEN; // plaintext means the TLS handshake is done, and no other one is due
    }
    decoder.decode(plaintext, this);
  }

  @Override
  public void onFrame(ForwardFrame frame) {
    if (state != State.OPEN) {
      return; // draining: the client's later frames are not taken, so not acked, and resent
    }
    Admission admission;
    try {
      admission = server.handler().handle(frame, info);
    } catch (RuntimeException e) {
      log.error("frame handler failed on a frame from {}", info, e);
      server.stats().storeFailure();
      close(CloseReason.STORE_FAILED, "frame handler threw " + e);
      return;
    }
    if (admission instanceof Admission.Full full) {
      decoder.deferCurrentFrame();
      pausedForBackpressure = true;
      server.stats().backpressurePause();
      full.retry().whenComplete((ignored, error) -> loop.run(this::resumeAfterBackpressure));
      return;
    }
    server.stats().frame(frame);
    byte[] ack = frame.wantsAck() ? frame.ackBytes() : null;
    pendingStores++;
    CompletionStage<?> stored = ((Admission.Accepted) admission).stored();
    stored.whenComplete((ignored, error) -> loop.run(() -> stored(ack, error)));
    if (server.security() != null && !server.security().keepalive()) {
      drainThenClose(CloseReason.KEEPALIVE_DENIED);
    }
  }

  @Override
  public void onHeartbeat() {
    server.stats().heartbeat();
  }

  @Override
  public void onRawValue(byte[] buffer, int offset, int length) {
    HandshakeSession.Result result;
    try {
      result = handshake.onPing(buffer, offset, length);
    } catch (ForwardProtocolException e) {
      server.stats().handshakeFailure();
      close(CloseReason.HANDSHAKE_FAILED, e.getMessage());
      return;
    }
    wire.send(result.pong());
    if (result.authenticated()) {
      state = State.OPEN;
      decoder.rawValues(false);
      if (result.clientUsesOurHostname()) {
        log.info("forward client {} uses this server's hostname", info);
      }
      flush();
    } else {
      server.stats().handshakeFailure();
      drainReason = CloseReason.HANDSHAKE_FAILED;
      log.warn("forward connection {} failed the handshake: {}", info, result.reason());
      state = State.DRAINING;
      flush();
    }
  }

  private void stored(byte[] ack, Throwable error) {
    pendingStores--;
    if (state == State.CLOSED) {
      return;
    }
    if (error != null) {
      server.stats().storeFailure();
      close(CloseReason.STORE_FAILED, "storing a frame failed: " + error);
      return;
    }
    if (ack != null) {
      wire.send(ack);
      server.stats().ack();
    }
    flush();
  }

  private void resumeAfterBackpressure() {
    if (state == State.CLOSED) {
      return;
    }
    pausedForBackpressure = false;
    try {
      decoder.resume(this);
    } catch (ForwardProtocolException e) {
      closeFor(e);
      return;
    }
    updateInterest();
  }

  /** Stops reading; closes once every in-flight frame is stored and its ack written. */
  void drainThenClose(CloseReason reason) {
    if (state == State.CLOSED) {
      return;
    }
    if (state != State.DRAINING) {
      state = State.DRAINING;
      drainReason = reason;
    }
    flush();
  }

  private void flush() {
    if (state == State.CLOSED) {
      return;
    }
    boolean empty;
    try {
      empty = wire.flush(channel);
    } catch (IOException e) {
      close(CloseReason.IO_ERROR, e.toString());
      return;
    }
    if (state == State.DRAINING && empty && pendingStores == 0) {
      close(drainReason, null);
      return;
    }
    updateInterest();
  }

  private void updateInterest() {
    if (state == State.CLOSED || !key.isValid()) {
      return;
    }
    boolean reading =
        (state == State.OPEN || state == State.HANDSHAKE)
            && !pausedForBackpressure
            && !decoder.isPaused()
            && pendingStores < server.maxPendingFrames();
    int ops =
        (reading ? SelectionKey.OP_READ : 0) | (wire.hasPending() ? SelectionKey.OP_WRITE : 0);
    if (key.interestOps() != ops) {
      key.interestOps(ops);
    }
  }

  /** Called by the loop every sweep: enforces the handshake and idle timeouts. */
  void sweep() {
    long now = server.nanoTime();
    if (state == State.HANDSHAKE && now - handshakeDeadline > 0) {
      server.stats().handshakeFailure();
      close(CloseReason.HANDSHAKE_TIMEOUT, null);
    } else if (state == State.OPEN
        && server.idleTimeoutNanos() > 0
        && pendingStores == 0
        && !pausedForBackpressure
        && now - lastActivity > server.idleTimeoutNanos()) {
      close(CloseReason.IDLE_TIMEOUT, null);
    }
  }

  /** Closes for bad input: the exception's type says which kind, its message says what. */
  private void closeFor(ForwardProtocolException e) {
    CloseReason reason;
    if (e instanceof MalformedFrameException) {
      reason = CloseReason.MALFORMED;
    } else if (e instanceof ForwardLimitException) {
      reason = CloseReason.LIMIT;
    } else {
      reason = CloseReason.TLS_ERROR;
    }
    close(reason, e.getMessage());
  }

  void close(CloseReason reason, String detail) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    // Counted before the socket closes, so whoever sees the close also sees the count.
    server.stats().closed(reason);
    loop.connections().remove(this);
    if (key != null) {
      key.cancel();
    }
    wire.closing(channel);
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing {}", info, e);
    }
    if (reason == CloseReason.PEER_CLOSED || reason == CloseReason.SHUTDOWN) {
      log.debug("forward connection {} closed: {}", info, reason);
    } else {
      log.warn(
          "forward connection {} closed: {}{}", info, reason, detail == null ? "" : ": " + detail);
    }
  }
}
