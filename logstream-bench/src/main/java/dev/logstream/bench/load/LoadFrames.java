package dev.logstream.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Forward-protocol frames encoded once, before the measurement, so the clients only write bytes.
 * The records have Docker's shape ({@code container_id}, {@code container_name}, {@code source},
 * {@code log} of 100 to 200 bytes) and a grid tag.
 *
 * <p>A client sends the frames round-robin. In the ack modes each frame carries its own {@code
 * chunk}, so a connection can check that every ack answers the frame it expects; the ring is larger
 * than the frames in flight, so no two frames in flight share a chunk.
 *
 * @param mode what the frames are
 * @param frames the encoded frames (for {@link LoadMode#MESSAGE}: writes of several Message frames
 *     back to back)
 * @param chunks the {@code chunk} of each frame, {@code null} for {@link LoadMode#MESSAGE}
 * @param eventsPerFrame events in each element of {@code frames}
 */
public record LoadFrames(LoadMode mode, byte[][] frames, String[] chunks, int eventsPerFrame) {

  /** The tag every event carries: {@code grid.<manifest>:<app>}. */
  public static final String TAG = "grid.prod/payments/checkout:prod/payments/checkout-api";

  private static final String[] KEYS = {"container_id", "container_name", "source", "log"};
  private static final long TIME = 1_449_236_367L;
  private static final int DISTINCT_LINES = 97;

  /**
   * Encodes the frames a mode sends.
   *
   * @param mode the mode
   * @param eventsPerFrame events per PackedForward frame ({@link LoadMode#PACKED}), or lines per
   *     write ({@link LoadMode#MESSAGE}); ignored for {@link LoadMode#MESSAGE_ACK} (always 1)
   * @param ringSize how many distinct frames to encode
   * @return the frames
   */
  public static LoadFrames encode(LoadMode mode, int eventsPerFrame, int ringSize) {
    int perFrame = mode == LoadMode.MESSAGE_ACK ? 1 : eventsPerFrame;
    byte[][] frames = new byte[ringSize][];
    String[] chunks = mode.acked() ? new String[ringSize] : null;
    Random random = new Random(42);
    int line = 0;
    try {
      for (int f = 0; f < ringSize; f++) {
        MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();
        String chunk = mode.acked() ? chunk(random) : null;
        switch (mode) {
          case MESSAGE -> {
            for (int i = 0; i < perFrame; i++) {
              packMessage(packer, line++, null);
            }
          }
          case MESSAGE_ACK -> packMessage(packer, line++, chunk);
          case PACKED -> {
            packPacked(packer, line, perFrame, chunk);
            line += perFrame;
          }
        }
        frames[f] = packer.toByteArray();
        if (chunks != null) {
          chunks[f] = chunk;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LoadFrames(mode, frames, chunks, perFrame);
  }

  /**
   * The average size of one event on the wire, frame overhead included.
   *
   * @return bytes per event
   */
  public double bytesPerEvent() {
    long bytes = 0;
    for (byte[] frame : frames) {
      bytes += frame.length;
    }
    return (double) bytes / ((long) frames.length * eventsPerFrame);
  }

  // fluent-logger-golang's chunk: 16 random bytes in base64; a hex string is as good for the server
  private static String chunk(Random random) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static void packMessage(MessagePacker packer, int line, String chunk) throws IOException {
    packer.packArrayHeader(4);
    packer.packString(TAG);
    packer.packInt((int) TIME + line % 60);
    packRecord(packer, line);
    if (chunk == null) {
      packer.packMapHeader(0);
    } else {
      packer.packMapHeader(1);
      packer.packString("chunk");
      packer.packString(chunk);
    }
  }

  private static void packPacked(MessagePacker packer, int firstLine, int count, String chunk)
      throws IOException {
    MessageBufferPacker entries = MessagePack.newDefaultBufferPacker();
    for (int i = 0; i < count; i++) {
      entries.packArrayHeader(2);
      entries.packExtensionTypeHeader((byte) 0, 8);
      entries.writePayload(eventTime(TIME, i * 1_000));
      packRecord(entries, firstLine + i);
    }
    byte[] payload = entries.toByteArray();
    packer.packArrayHeader(3);
    packer.packString(TAG);
    packer.packBinaryHeader(payload.length);
    packer.writePayload(payload);
    packer.packMapHeader(2);
    packer.packString("size");
    packer.packInt(count);
    packer.packString("chunk");
    packer.packString(chunk);
  }

  private static void packRecord(MessagePacker packer, int line) throws IOException {
    int variant = line % DISTINCT_LINES;
    String[] values = {
      containerId(variant % 7),
      "/mesos-20151118-102904-3271688202-5050-7886-S0.651d6d6d-1ebd-438e-b70e-f9955b98f6f"
          + variant % 7,
      variant % 5 == 0 ? "stderr" : "stdout",
      logLine(line, 100 + variant * 100 / DISTINCT_LINES)
    };
    packer.packMapHeader(KEYS.length);
    for (int k = 0; k < KEYS.length; k++) {
      packer.packString(KEYS[k]);
      byte[] bytes = values[k].getBytes(StandardCharsets.UTF_8);
      packer.packRawStringHeader(bytes.length);
      packer.writePayload(bytes);
    }
  }

  private static String containerId(int container) {
    byte[] id = new byte[32];
    new Random(container).nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  private static String logLine(int line, int length) {
    StringBuilder text =
        new StringBuilder("10.0.0.")
            .append(line % 250)
            .append(" - - [04/Dec/2015:13:39:27 +0000] \"GET /api/v1/orders/")
            .append(line)
            .append("?expand=items");
    while (text.length() < length) {
      text.append("&page=").append(text.length());
    }
    text.setLength(length);
    return text.toString();
  }

  private static byte[] eventTime(long seconds, int nanos) {
    return new byte[] {
      (byte) (seconds >>> 24),
      (byte) (seconds >>> 16),
      (byte) (seconds >>> 8),
      (byte) seconds,
      (byte) (nanos >>> 24),
      (byte) (nanos >>> 16),
      (byte) (nanos >>> 8),
      (byte) nanos
    };
  }
}
