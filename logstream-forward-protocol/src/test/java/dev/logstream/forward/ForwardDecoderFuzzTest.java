package dev.logstream.forward;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.logstream.core.GrowableBytes;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.TimePrecision;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Fuzzes {@link ForwardDecoder} with Jazzer, and through it the record view and core's {@link
 * KinesisRecordEncoder}: every event of every frame is encoded to Kinesis JSON and every ack is
 * written.
 *
 * <p>The only exceptions allowed out of the decoder are {@link ForwardProtocolException} subtypes
 * (the server closes the connection on those). Anything else escaping is a bug: an index error, a
 * {@code NegativeArraySizeException}, an {@code OutOfMemoryError}, a {@code
 * RecordEncodingException} for a record the decoder delivered, or a failed invariant below. Limits
 * are small (64 KiB frames, 256 KiB decompressed) so memory and time per input stay bounded; a hang
 * is caught by libFuzzer's {@code -timeout} when fuzzing.
 *
 * <p>Input layout (Jazzer's {@link FuzzedDataProvider}): the last 4 bytes choose how the stream is
 * split into pieces, everything before them is the byte stream. The seed inputs in {@code
 * src/test/resources/dev/logstream/forward/ForwardDecoderFuzzTestInputs/decode/} follow that
 * layout; {@link HostileCorpus} writes them.
 *
 * <p>Runs:
 *
 * <ul>
 *   <li>{@code mvn verify}: regression mode, only the seed inputs, well under a second.
 *   <li>CI ({@code CI} set, profile {@code fuzz-ci} of this module): also fuzzes for 45 s.
 *   <li>By hand, 5 minutes by default: {@code mvn -B -Pfuzz -pl logstream-forward-protocol -am test
 *       -Dtest=ForwardDecoderFuzzTest [-Dfuzz.seconds=600]}. A crash is written as {@code
 *       crash-<sha1>} to the seed directory above, so it becomes a regression test; keep it (and
 *       add it to the hostile corpus with its expected outcome) once the bug is fixed.
 * </ul>
 */
class ForwardDecoderFuzzTest {
  static final ForwardLimits LIMITS =
      ForwardLimits.builder()
          .maxFrameBytes(64 * 1024)
          .maxDecompressedBytes(256 * 1024)
          .maxEntriesPerFrame(4096)
          .maxTagBytes(256)
          .build();

  @FuzzTest(maxDuration = "5m")
  void decode(FuzzedDataProvider data) {
    int split = data.consumeInt();
    byte[] stream = data.consumeRemainingAsBytes();
    ForwardDecoder decoder = ForwardDecoder.create(LIMITS);
    EncodingListener listener = new EncodingListener();
    try {
      feed(decoder, stream, split, listener);
    } catch (ForwardProtocolException closed) {
      return; // the server would close the connection: an allowed outcome
    }
    if (decoder.bytesIn() != stream.length) {
      throw new AssertionError("fed " + stream.length + " bytes, decoder saw " + decoder.bytesIn());
    }
    if (decoder.bufferedBytes() > LIMITS.maxFrameBytes()) {
      throw new AssertionError(
          "decoder buffers " + decoder.bufferedBytes() + " bytes of a frame past maxFrameBytes");
    }
  }

  /**
   * Feeds {@code stream} whole, one byte at a time, or in pieces of sizes drawn from {@code split};
   * pieces go through the {@code byte[]} and the {@link ByteBuffer} (heap and direct) entry points.
   */
  private static void feed(
      ForwardDecoder decoder, byte[] stream, int split, FrameListener listener) {
    SplittableRandom random = new SplittableRandom(split);
    int mode = split & 3;
    int maxPiece = 1 + ((split >>> 2) & 0x3FF);
    int p = 0;
    while (p < stream.length) {
      int piece =
          switch (mode) {
            case 0 -> stream.length;
            case 1 -> 1;
            default -> 1 + random.nextInt(maxPiece);
          };
      piece = Math.min(piece, stream.length - p);
      switch (random.nextInt(3)) {
        case 0 -> decoder.decode(stream, p, piece, listener);
        case 1 -> decoder.decode(ByteBuffer.wrap(stream, p, piece), listener);
        default -> {
          ByteBuffer direct = ByteBuffer.allocateDirect(piece);
          direct.put(stream, p, piece).flip();
          decoder.decode(direct, listener);
        }
      }
      p += piece;
    }
  }

  /** Encodes every event and writes every ack, checking what the frame reports. */
  private static final class EncodingListener implements FrameListener {
    private final KinesisRecordEncoder encoder =
        KinesisRecordEncoder.builder().timePrecision(TimePrecision.NANOS).build();
    private final GrowableBytes out = new GrowableBytes();

    @Override
    public void onFrame(ForwardFrame frame) {
      if (frame.frameBytes() > LIMITS.maxFrameBytes()) {
        throw new AssertionError("frame of " + frame.frameBytes() + " bytes passed the limit");
      }
      if (frame.size() > LIMITS.maxEntriesPerFrame()) {
        throw new AssertionError("frame of " + frame.size() + " events passed the limit");
      }
      if (frame.tag() == null || frame.mode() == null) {
        throw new AssertionError("frame without tag or mode: " + frame);
      }
      for (int i = 0; i < frame.size(); i++) {
        out.clear();
        // throws IllegalArgumentException for a time out of range, RecordEncodingException for a
        // record view that breaks its contract: both are bugs here
        encoder.encode(frame.tag(), frame.seconds(i), frame.nanos(i), frame.record(i), out);
        if (out.length() == 0) {
          throw new AssertionError("event " + i + " encoded to nothing");
        }
      }
      if (frame.wantsAck()) {
        byte[] ack = frame.ackBytes();
        if (ack.length != frame.ackLength() || (ack[0] & 0xFF) != 0x81) {
          throw new AssertionError("malformed ack of " + ack.length + " bytes");
        }
      }
    }
  }
}
