package dev.logstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Forward-protocol byte streams as real clients write them, for the decode benchmarks.
 *
 * <ul>
 *   <li>{@link #dockerMessages}: what Docker's {@code fluentd} driver (fluent-logger-golang) sends:
 *       one Message frame per line, {@code int32} seconds, a map of four strings, an empty option
 *       map;
 *   <li>{@link #packedForward}: PackedForward frames as fluency sends them: {@code perFrame}
 *       entries {@code [EventTime, record]}, options {@code size} and {@code chunk}. The entries
 *       travel as {@code bin}, the spec's choice (fluency itself uses {@code str}; the decoder
 *       reads both the same way), because jackson-dataformat-msgpack, a peer here, can only read a
 *       {@code bin} payload back as bytes.
 * </ul>
 */
public final class ForwardStreams {
  private ForwardStreams() {}

  /**
   * Returns {@code lines} Docker Message frames back to back.
   *
   * @param lines the number of frames (one event each)
   * @param logLength the length of each {@code log} value
   * @return the stream
   */
  public static byte[] dockerMessages(int lines, int logLength) {
    String[] values = DockerEvents.values(logLength);
    MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();
    try {
      for (int i = 0; i < lines; i++) {
        packer.packArrayHeader(4);
        packer.packString(DockerEvents.TAG);
        packer.packInt((int) DockerEvents.TIME.seconds());
        packRecord(packer, values);
        packer.packMapHeader(0);
      }
      return packer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns PackedForward frames holding {@code events} entries in total.
   *
   * @param events entries in all frames
   * @param perFrame entries per frame
   * @param logLength the length of each {@code log} value
   * @return the stream
   */
  public static byte[] packedForward(int events, int perFrame, int logLength) {
    String[] values = DockerEvents.values(logLength);
    MessageBufferPacker stream = MessagePack.newDefaultBufferPacker();
    try {
      for (int done = 0; done < events; done += perFrame) {
        int count = Math.min(perFrame, events - done);
        MessageBufferPacker entries = MessagePack.newDefaultBufferPacker();
        for (int i = 0; i < count; i++) {
          entries.packArrayHeader(2);
          entries.packExtensionTypeHeader((byte) 0, 8);
          entries.writePayload(eventTime(DockerEvents.TIME.seconds(), i));
          packRecord(entries, values);
        }
        byte[] payload = entries.toByteArray();
        stream.packArrayHeader(3);
        stream.packString(DockerEvents.TAG);
        stream.packBinaryHeader(payload.length);
        stream.writePayload(payload);
        stream.packMapHeader(2);
        stream.packString("size");
        stream.packInt(count);
        stream.packString("chunk");
        stream.packString("0f0e1d2c-3b4a-5968-7786-95a4b3c2d1e" + (done % 10));
      }
      return stream.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void packRecord(MessagePacker packer, String[] values) throws IOException {
    packer.packMapHeader(values.length);
    for (int k = 0; k < values.length; k++) {
      packer.packString(DockerEvents.KEYS[k]);
      byte[] bytes = values[k].getBytes(StandardCharsets.UTF_8);
      packer.packRawStringHeader(bytes.length);
      packer.writePayload(bytes);
    }
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
