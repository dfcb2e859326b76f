package dev.logstream.bench.load;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * One client connection of the load generator, run on its own thread: it writes pre-encoded frames
 * round-robin until told to stop and, in the ack modes, reads each ack, checks that it answers a
 * frame in flight and records the latency from the frame's write to its ack.
 *
 * <p>When stopped, an ack-mode connection still reads the acks of the frames it has in flight, so
 * that every frame it sent is either acknowledged or reported as an error.
 */
final class LoadConnection implements Runnable {
  private final InetSocketAddress target;
  private final LoadFrames frames;
  private final int inFlight;
  private final LoadControl control;
  private final AtomicLong eventsSent = new AtomicLong();
  private final AtomicLong eventsAcked = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  // written by this connection's thread only, read after it ended
  private final Histogram ackLatencyNanos = new Histogram(3);
  private volatile Throwable failure;

  LoadConnection(InetSocketAddress target, LoadFrames frames, int inFlight, LoadControl control) {
    this.target = target;
    this.frames = frames;
    this.inFlight = frames.mode() == LoadMode.MESSAGE_ACK ? 1 : inFlight;
    this.control = control;
  }

  @Override
  public void run() {
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.connect(target, 5_000);
      OutputStream out = socket.getOutputStream();
      if (frames.mode().acked()) {
        MessageUnpacker acks = MessagePack.newDefaultUnpacker(socket.getInputStream());
        sendWithAcks(out, acks);
      } else {
        sendWithoutAcks(out);
      }
      socket.shutdownOutput();
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
  }

  private void sendWithoutAcks(OutputStream out) throws IOException {
    byte[][] ring = frames.frames();
    int next = 0;
    while (control.running()) {
      byte[] frame = ring[next];
      out.write(frame);
      eventsSent.addAndGet(frames.eventsPerFrame());
      bytesSent.addAndGet(frame.length);
      next = next + 1 == ring.length ? 0 : next + 1;
    }
  }

  private void sendWithAcks(OutputStream out, MessageUnpacker acks) throws IOException {
    byte[][] ring = frames.frames();
    String[] chunks = frames.chunks();
    // chunk -> write time; acks are matched by chunk, as the protocol means them: the server may
    // answer frames of one connection out of order (seen with fsync always, where frames become
    // durable together and their acks go out in whatever order the waiters complete)
    Map<String, Long> pending = new HashMap<>();
    int next = 0;
    while (control.running() || !pending.isEmpty()) {
      if (control.running() && pending.size() < inFlight) {
        byte[] frame = ring[next];
        pending.put(chunks[next], System.nanoTime());
        out.write(frame);
        eventsSent.addAndGet(frames.eventsPerFrame());
        bytesSent.addAndGet(frame.length);
        next = next + 1 == ring.length ? 0 : next + 1;
        continue;
      }
      String chunk = readAck(acks);
      Long written = pending.remove(chunk);
      if (written == null) {
        throw new IllegalStateException("ack for chunk " + chunk + ", which is not in flight");
      }
      long latency = System.nanoTime() - written;
      eventsAcked.addAndGet(frames.eventsPerFrame());
      if (control.measuring()) {
        ackLatencyNanos.recordValue(latency);
      }
    }
  }

  private static String readAck(MessageUnpacker acks) throws IOException {
    if (!acks.hasNext()) {
      throw new IOException("the server closed the connection with frames in flight");
    }
    int entries = acks.unpackMapHeader();
    String chunk = null;
    for (int i = 0; i < entries; i++) {
      String key = acks.unpackString();
      if (key.equals("ack")) {
        chunk = acks.unpackString();
      } else {
        acks.skipValue();
      }
    }
    if (chunk == null) {
      throw new IOException("a response without \"ack\"");
    }
    return chunk;
  }

  long eventsSent() {
    return eventsSent.get();
  }

  long eventsAcked() {
    return eventsAcked.get();
  }

  long bytesSent() {
    return bytesSent.get();
  }

  Histogram ackLatencyNanos() {
    return ackLatencyNanos;
  }

  Throwable failure() {
    return failure;
  }
}
