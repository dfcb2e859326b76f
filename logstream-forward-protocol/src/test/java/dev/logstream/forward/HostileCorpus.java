package dev.logstream.forward;

import static dev.logstream.forward.Frames.SECONDS;
import static dev.logstream.forward.Frames.packer;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The hostile corpus: malformed and hostile forward-protocol streams, each with the outcome the
 * decoder must produce, written as {@code src/test/resources/hostile/NAME.bin} plus one manifest
 * {@code hostile/corpus.json}. {@link HostileCorpusTest} runs the committed files; the files are
 * the source of truth, and this class is how they were made (and a test checks it still makes them
 * byte for byte).
 *
 * <p>Every expected outcome below is written by hand from the decoder's documented policy (the
 * malformed-input table in {@link ForwardDecoder}), never computed by running the decoder.
 *
 * <p>It also writes the seed inputs of {@link ForwardDecoderFuzzTest} (a selection of these streams
 * and a few valid ones, each followed by the 4 bytes that choose how the fuzz test splits it).
 *
 * <p>Regenerate from the repository root (writes both directories, deterministic):
 *
 * <pre>
 * mvn -B -q -pl logstream-forward-protocol -am test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
 * m=logstream-forward-protocol
 * java -cp "$m/target/test-classes:$m/target/classes:$(cat $m/target/test.classpath)" \
 *     dev.logstream.forward.HostileCorpus $m
 * </pre>
 */
final class HostileCorpus {
  static final String RESOURCE_DIR = "hostile";
  static final String MANIFEST = "corpus.json";
  static final String SEED_DIR = "dev/logstream/forward/ForwardDecoderFuzzTestInputs/decode";

  private static final Map<String, String> LOG_X = Map.of("log", "x");

  /** The hostile cases that also seed the fuzz test: one or two per kind of input. */
  private static final List<String> SEEDS =
      List.of(
          "truncated-after-a-valid-frame",
          "time-str-reads-as-packed",
          "record-array",
          "entries-element-map",
          "c1-in-packed-entries",
          "c1-after-a-valid-frame",
          "map32-4g-record",
          "nesting-in-packed-entry",
          "record-key-chain-30-maps",
          "zstd-bomb-rle-blocks",
          "gzip-corrupt-crc",
          "gzip-two-members",
          "v15-pair-nested-pair",
          "packed-garbage-after-entries",
          "fluent-signal-metrics",
          "heartbeats-between-frames",
          "option-map32-chunk-non-minimal");

  private static final byte[] EVENT_TIME = {(byte) 0xD7, 0, 0x56, 0x61, (byte) 0x97, (byte) 0x8F};

  /** One input and what decoding it must give. */
  record Case(
      String name, String description, byte[] input, Map<String, Integer> limits, Expect expect) {}

  /** The expected outcome; counts are what is delivered before the end (or before the close). */
  static final class Expect {
    final String outcome;
    final String exception;
    final String message;
    final String messagePrefix;
    int frames;
    int events;
    final Map<DropReason, Integer> dropped = new EnumMap<>(DropReason.class);
    int acks;
    int heartbeats;
    int bufferedBytes;

    private Expect(String outcome, String exception, String message, String messagePrefix) {
      this.outcome = outcome;
      this.exception = exception;
      this.message = message;
      this.messagePrefix = messagePrefix;
    }

    static Expect delivers(int frames, int events) {
      Expect e = new Expect("delivers", null, null, null);
      e.frames = frames;
      e.events = events;
      return e;
    }

    /** Nothing delivered yet: the whole input waits in the decoder's buffer. */
    static Expect buffers(int bytes) {
      return delivers(0, 0).buffered(bytes);
    }

    static Expect malformed(String message) {
      return new Expect("closes", MalformedFrameException.class.getSimpleName(), message, null);
    }

    static Expect malformedStartingWith(String prefix) {
      return new Expect("closes", MalformedFrameException.class.getSimpleName(), null, prefix);
    }

    static Expect limit(String message) {
      return new Expect("closes", ForwardLimitException.class.getSimpleName(), message, null);
    }

    Expect after(int frames, int events) {
      this.frames = frames;
      this.events = events;
      return this;
    }

    Expect dropped(DropReason reason, int count) {
      dropped.put(reason, count);
      return this;
    }

    Expect acks(int count) {
      acks = count;
      return this;
    }

    Expect heartbeats(int count) {
      heartbeats = count;
      return this;
    }

    Expect buffered(int bytes) {
      bufferedBytes = bytes;
      return this;
    }
  }

  private final List<Case> cases = new ArrayList<>();

  private HostileCorpus() {}

  private void add(String name, String description, byte[] input, Expect expect) {
    add(name, description, input, Map.of(), expect);
  }

  private void add(
      String name, String description, byte[] input, Map<String, Integer> limits, Expect expect) {
    cases.add(new Case(name, description, input, new LinkedHashMap<>(limits), expect));
  }

  /** Every case, in manifest order. */
  static List<Case> cases() {
    HostileCorpus corpus = new HostileCorpus();
    corpus.truncated();
    corpus.wrongTypes();
    corpus.arrayLengths();
    corpus.topLevel();
    corpus.neverUsedByte();
    corpus.hugeDeclaredLengths();
    corpus.limits();
    corpus.compression();
    corpus.times();
    corpus.packedAndSignals();
    return List.copyOf(corpus.cases);
  }

  /* --------------- truncation: incomplete input is not an error --------------- */

  private void truncated() {
    add(
        "truncated-after-array-header",
        "only the frame's array header",
        b(0x93),
        Expect.buffers(1));
    add(
        "truncated-inside-tag",
        "cut inside the tag string",
        b(0x93, 0xA8, 't', 'a', 'g', '.'),
        Expect.buffers(6));
    add(
        "truncated-inside-time",
        "cut inside an int32 time",
        b(0x93, 0xA1, 't', 0xD2, 0x56, 0x61),
        Expect.buffers(6));
    add(
        "truncated-inside-eventtime",
        "cut inside an EventTime fixext8",
        b(0x93, 0xA1, 't', 0xD7, 0x00, 0x56, 0x61),
        Expect.buffers(7));
    byte[] message = Frames.dockerMessage(0, "chunk-0");
    byte[] cutRecord = Arrays.copyOf(message, 80);
    add(
        "truncated-inside-record",
        "a Docker Message frame cut after 80 bytes, inside its record (which starts at 64)",
        cutRecord,
        Expect.buffers(80));
    byte[] cutChunk = Arrays.copyOf(message, message.length - 3);
    add(
        "truncated-inside-chunk",
        "a Docker Message frame cut 3 bytes before the end of its chunk option",
        cutChunk,
        Expect.buffers(cutChunk.length));
    byte[] cutBin = Frames.concat(b(0x92, 0xA1, 't', 0xC6, 0, 0, 0, 100), new byte[10]);
    add(
        "truncated-inside-packed-bin",
        "a bin32 of 100 bytes with only 10 present",
        cutBin,
        Expect.buffers(18));
    byte[] megabyteDeclared = Frames.concat(b(0x92, 0xA1, 't', 0xC6, 0, 0x10, 0, 0), new byte[5]);
    add(
        "truncated-large-bin-within-limit",
        "a bin32 declaring 1 MiB (under the 16 MiB frame limit) with 5 bytes present: the decoder"
            + " waits",
        megabyteDeclared,
        Expect.buffers(13));
    byte[] gzipFrame = compressedFrame(CompressedData.gzip(entries(3)), "gzip");
    byte[] cutGzip = Arrays.copyOf(gzipFrame, gzipFrame.length / 2);
    add(
        "truncated-gzip-frame",
        "a CompressedPackedForward frame cut in half",
        cutGzip,
        Expect.buffers(cutGzip.length));
    byte[] second = Frames.dockerMessage(1, null);
    byte[] half = Arrays.copyOf(second, second.length / 2);
    add(
        "truncated-after-a-valid-frame",
        "a whole Docker Message frame, then half of the next one",
        Frames.concat(Frames.dockerMessage(0, null), half),
        Expect.delivers(1, 1).buffered(half.length));
  }

  /* --------------- wrong types --------------- */

  private void wrongTypes() {
    add(
        "tag-int",
        "tag is an int",
        packer().array(3).integer(1).integer(SECONDS).record(LOG_X).bytes(),
        Expect.malformed("tag must be a str, got int"));
    add(
        "tag-nil",
        "tag is nil",
        packer().array(3).nil().integer(SECONDS).record(LOG_X).bytes(),
        Expect.malformed("tag must be a str, got nil"));
    add(
        "tag-bin",
        "tag is a bin, not a str",
        packer().array(3).bin(Frames.utf8("t")).integer(SECONDS).record(LOG_X).bytes(),
        Expect.malformed("tag must be a str, got bin"));
    add(
        "tag-map",
        "tag is a map",
        packer().array(3).map(0).integer(SECONDS).record(LOG_X).bytes(),
        Expect.malformed("tag must be a str, got map"));
    add(
        "time-str-reads-as-packed",
        "[\"t\", \"now\", {}]: a str second element means PackedForward, so \"now\" is three"
            + " entries that are not arrays",
        packer().array(3).str("t").str("now").map(0).bytes(),
        Expect.delivers(1, 0).dropped(DropReason.INVALID_ENTRY, 3));
    add(
        "time-bool",
        "Message time is true",
        packer().array(3).str("t").raw(0xC3).record(LOG_X).bytes(),
        Expect.delivers(1, 0).dropped(DropReason.INVALID_TIME, 1));
    add(
        "time-nil",
        "Message time is nil (Fluentd would use now; we drop)",
        packer().array(3).str("t").nil().record(LOG_X).bytes(),
        Expect.delivers(1, 0).dropped(DropReason.INVALID_TIME, 1));
    add(
        "time-map",
        "Message time is a map",
        packer().array(3).str("t").map(0).record(LOG_X).bytes(),
        Expect.delivers(1, 0).dropped(DropReason.INVALID_TIME, 1));
    add(
        "record-str",
        "Message record is a str",
        packer().array(3).str("t").integer(SECONDS).str("x").bytes(),
        Expect.delivers(1, 0).dropped(DropReason.RECORD_NOT_MAP, 1));
    add(
        "record-array",
        "Message record is an array, with a chunk: dropped, still acked",
        packer()
            .array(4)
            .str("t")
            .integer(SECONDS)
            .array(2)
            .integer(1)
            .integer(2)
            .map(1)
            .str("chunk")
            .str("c")
            .bytes(),
        Expect.delivers(1, 0).dropped(DropReason.RECORD_NOT_MAP, 1).acks(1));
    add(
        "option-str",
        "Message option is a str",
        packer().array(4).str("t").integer(SECONDS).record(LOG_X).str("chunk").bytes(),
        Expect.malformed("option must be a map or nil, got str"));
    add(
        "option-int-forward",
        "Forward option is an int",
        packer().array(3).str("t").array(0).integer(5).bytes(),
        Expect.malformed("option must be a map or nil, got int"));
    add(
        "option-array-packed",
        "PackedForward option is an array",
        packer().array(3).str("t").bin(entries(1)).array(1).integer(1).bytes(),
        Expect.malformed("option must be a map or nil, got array"));
    add(
        "chunk-int",
        "option chunk is an int",
        packer()
            .array(4)
            .str("t")
            .integer(SECONDS)
            .record(LOG_X)
            .map(1)
            .str("chunk")
            .integer(5)
            .bytes(),
        Expect.malformed("option 'chunk' must be a str, got int"));
    add(
        "chunk-nil",
        "option chunk is nil",
        packer().array(4).str("t").integer(SECONDS).record(LOG_X).map(1).str("chunk").nil().bytes(),
        Expect.malformed("option 'chunk' must be a str, got nil"));
    add(
        "compressed-int",
        "option compressed is an int",
        packer().array(3).str("t").bin(entries(1)).map(1).str("compressed").integer(1).bytes(),
        Expect.malformed("option 'compressed' must be a str, got int"));
    add(
        "compressed-nil",
        "option compressed is nil: read as absent",
        packer().array(3).str("t").bin(entries(2)).map(1).str("compressed").nil().bytes(),
        Expect.delivers(1, 2));
    add(
        "entries-element-map",
        "a Forward entry that is a map, then a valid entry",
        packer().array(2).str("t").array(2).map(0).array(2).integer(SECONDS).record(LOG_X).bytes(),
        Expect.delivers(1, 1).dropped(DropReason.INVALID_ENTRY, 1));
    add(
        "entry-three-elements",
        "a Forward entry [time, record, nil]",
        packer().array(2).str("t").array(1).array(3).integer(SECONDS).record(LOG_X).nil().bytes(),
        Expect.delivers(1, 0).dropped(DropReason.INVALID_ENTRY, 1));
    add(
        "entry-one-element",
        "a Forward entry [time]",
        packer().array(2).str("t").array(1).array(1).integer(SECONDS).bytes(),
        Expect.delivers(1, 0).dropped(DropReason.INVALID_ENTRY, 1));
    add(
        "entries-nil",
        "[\"t\", nil, record]: nil entries make a Message whose time is nil",
        packer().array(3).str("t").nil().record(LOG_X).bytes(),
        Expect.delivers(1, 0).dropped(DropReason.INVALID_TIME, 1));
    add(
        "forward-empty-entries-acked",
        "a Forward frame with no entries and a chunk: nothing to store, acked",
        packer().array(3).str("t").array(0).map(1).str("chunk").str("c").bytes(),
        Expect.delivers(1, 0).acks(1));
  }

  /* --------------- frame array lengths --------------- */

  private void arrayLengths() {
    add(
        "frame-array-0",
        "an empty array",
        b(0x90),
        Expect.malformed("frame must be an array of 2 to 4 elements, got 0"));
    add(
        "frame-array-1",
        "[tag]",
        packer().array(1).str("t").bytes(),
        Expect.malformed("frame must be an array of 2 to 4 elements, got 1"));
    add(
        "frame-array-5",
        "[tag, time, record, option, nil]",
        packer().array(5).str("t").integer(SECONDS).record(LOG_X).map(0).nil().bytes(),
        Expect.malformed("frame must be an array of 2 to 4 elements, got 5"));
    add(
        "message-two-elements",
        "[tag, time]",
        packer().array(2).str("t").integer(SECONDS).bytes(),
        Expect.malformed("Message frame must be [tag, time, record, option?], got 2 elements"));
    add(
        "forward-four-elements",
        "[tag, entries, option, option]",
        packer().array(4).str("t").array(0).map(0).map(0).bytes(),
        Expect.malformed("FORWARD frame must be [tag, entries, option?], got 4 elements"));
    add(
        "packed-four-elements",
        "[tag, bin entries, option, option]",
        packer().array(4).str("t").bin(entries(1)).map(0).map(0).bytes(),
        Expect.malformed("PACKED_FORWARD frame must be [tag, entries, option?], got 4 elements"));
    add(
        "frame-array16-non-minimal",
        "a Message frame whose array header is a non-minimal array16: accepted",
        packer().raw(0xDC, 0, 3).str("t").integer(SECONDS).record(LOG_X).bytes(),
        Expect.delivers(1, 1));
  }

  /* --------------- top-level values that are not frames --------------- */

  private void topLevel() {
    add(
        "top-int",
        "a top-level int",
        b(0x2A),
        Expect.malformed("frame must be an array, got int (0x2a)"));
    add(
        "top-str",
        "a top-level str",
        packer().str("hello").bytes(),
        Expect.malformed("frame must be an array, got str (0xa5)"));
    add(
        "top-map",
        "a top-level map",
        packer().map(1).str("k").str("v").bytes(),
        Expect.malformed("frame must be an array, got map (0x81)"));
    add(
        "json-object",
        "JSON sent by mistake: an object ('{' reads as positive fixint 0x7b)",
        Frames.utf8("{\"tag\":\"t\",\"log\":\"x\"}\n"),
        Expect.malformed("frame must be an array, got int (0x7b)"));
    add(
        "json-array",
        "JSON sent by mistake: a Message as a JSON array ('[' is 0x5b)",
        Frames.utf8("[\"t\",1449236367,{\"log\":\"x\"}]\n"),
        Expect.malformed("frame must be an array, got int (0x5b)"));
  }

  /* --------------- the never-used byte 0xC1 --------------- */

  private void neverUsedByte() {
    add(
        "c1-top-level",
        "0xC1 as the first byte",
        b(0xC1),
        Expect.malformed("msgpack syntax error: byte 0xc1 at offset 0 of the frame"));
    add(
        "c1-as-tag",
        "0xC1 where the tag should be",
        b(0x93, 0xC1),
        Expect.malformed("msgpack syntax error: byte 0xc1 at offset 1 of the frame"));
    add(
        "c1-record-value",
        "0xC1 as a record value, depth 2",
        b(0x93, 0xA1, 't', 0x01, 0x81, 0xA3, 'l', 'o', 'g', 0xC1),
        Expect.malformed("msgpack syntax error: byte 0xc1 at offset 9 of the frame"));
    add(
        "c1-deep",
        "0xC1 inside four nested arrays in a record, depth 6",
        b(0x93, 0xA1, 't', 0x01, 0x81, 0xA1, 'a', 0x91, 0x91, 0x91, 0x91, 0xC1),
        Expect.malformed("msgpack syntax error: byte 0xc1 at offset 11 of the frame"));
    add(
        "c1-in-packed-entries",
        "a valid PackedForward entry then 0xC1 inside the bin: the rest is dropped, the frame"
            + " delivered",
        packer().array(2).str("t").bin(Frames.concat(entries(1), b(0xC1))).bytes(),
        Expect.delivers(1, 1).dropped(DropReason.MALFORMED_ENTRIES, 1));
    add(
        "c1-inside-str-payload",
        "0xC1 as a byte of a log string: data, not syntax",
        packer()
            .array(3)
            .str("t")
            .integer(SECONDS)
            .map(1)
            .str("log")
            .strBytes(b('a', 0xC1, 'b'))
            .bytes(),
        Expect.delivers(1, 1));
    add(
        "c1-after-a-valid-frame",
        "a valid Docker Message frame, then 0xC1: the first frame is delivered, then the"
            + " connection closes",
        Frames.concat(Frames.dockerMessage(0, "c"), b(0xC1)),
        Expect.malformed("msgpack syntax error: byte 0xc1 at offset 0 of the frame")
            .after(1, 1)
            .acks(1));
    add(
        "int-after-a-valid-frame",
        "a valid Docker Message frame, then a top-level int",
        Frames.concat(Frames.dockerMessage(0, null), b(0x2A)),
        Expect.malformed("frame must be an array, got int (0x2a)").after(1, 1));
  }

  /* --------------- lengths of ~4 GiB declared with tiny data --------------- */

  private void hugeDeclaredLengths() {
    String beyond = ", beyond the frame limit of 16777216 bytes";
    add(
        "str32-4gib-tag",
        "a tag declared as a str32 of 4 GiB - 1",
        b(0x93, 0xDB, 0xFF, 0xFF, 0xFF, 0xFF, 't'),
        Expect.limit("frame declares 4294967295 bytes at offset 1" + beyond));
    add(
        "bin32-4gib-entries",
        "PackedForward entries declared as a bin32 of 4 GiB - 1",
        b(0x92, 0xA1, 't', 0xC6, 0xFF, 0xFF, 0xFF, 0xFF, 0x00),
        Expect.limit("frame declares 4294967295 bytes at offset 3" + beyond));
    add(
        "ext32-4gib-time",
        "a time declared as an ext32 of 4 GiB - 1",
        b(0x93, 0xA1, 't', 0xC9, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00),
        Expect.limit("frame declares 4294967295 bytes at offset 3" + beyond));
    add(
        "array32-4g-entries",
        "Forward entries declared as an array32 of 4 G - 1 elements",
        b(0x92, 0xA1, 't', 0xDD, 0xFF, 0xFF, 0xFF, 0xFF, 0x90),
        Expect.limit("frame declares 4294967295 nested values at offset 3" + beyond));
    add(
        "map32-4g-record",
        "a record declared as a map32 of 4 G - 1 pairs",
        b(0x93, 0xA1, 't', 0x01, 0xDF, 0xFF, 0xFF, 0xFF, 0xFF, 0xA1, 'k'),
        Expect.limit("frame declares 8589934590 nested values at offset 4" + beyond));
    add(
        "array32-4g-frame",
        "the frame itself declared as an array32 of 4 G - 1 elements",
        b(0xDD, 0xFF, 0xFF, 0xFF, 0xFF),
        Expect.limit("frame declares 4294967295 nested values at offset 0" + beyond));
  }

  /* --------------- configured limits --------------- */

  private void limits() {
    Frames.Packer deep = packer().array(3).str("t").integer(1).map(1).str("deep");
    for (int i = 0; i < 40; i++) {
      deep.array(1);
    }
    add(
        "nesting-beyond-limit",
        "a record with 40 nested arrays (frame array, record map, then 30 arrays reach depth 32)",
        deep.nil().bytes(),
        Expect.limit("frame nests deeper than maxNestingDepth 32 at offset 40"));
    byte[] deepEntry =
        packer().array(2).integer(SECONDS).map(1).str("a").array(1).array(1).integer(1).bytes();
    add(
        "nesting-in-packed-entry",
        "maxNestingDepth 4: a valid PackedForward entry, then one nesting 4 deep inside the bin"
            + " (entries get depth 3)",
        packer().array(2).str("t").bin(Frames.concat(entries(1), deepEntry)).bytes(),
        Map.of("maxNestingDepth", 4),
        Expect.delivers(1, 1).dropped(DropReason.MALFORMED_ENTRIES, 1));
    add(
        "tag-over-limit",
        "maxTagBytes 8 and a 9-byte tag",
        packer().array(3).str("123456789").integer(SECONDS).record(LOG_X).bytes(),
        Map.of("maxTagBytes", 8),
        Expect.limit("tag of 9 bytes exceeds maxTagBytes 8"));
    add(
        "tag-over-default-limit",
        "a 1025-byte tag against the default maxTagBytes 1024",
        packer().array(3).str("t".repeat(1025)).integer(SECONDS).record(LOG_X).bytes(),
        Expect.limit("tag of 1025 bytes exceeds maxTagBytes 1024"));
    Frames.Packer forward = packer().array(2).str("t").array(3);
    for (int i = 0; i < 3; i++) {
      forward.array(2).integer(SECONDS).record(LOG_X);
    }
    add(
        "forward-too-many-entries",
        "maxEntriesPerFrame 2 and a Forward frame of 3",
        forward.bytes(),
        Map.of("maxEntriesPerFrame", 2),
        Expect.limit("frame has more than maxEntriesPerFrame 2 entries (3 declared)"));
    add(
        "packed-too-many-entries",
        "maxEntriesPerFrame 2 and a PackedForward frame of 3",
        packer().array(2).str("t").bin(entries(3)).bytes(),
        Map.of("maxEntriesPerFrame", 2),
        Expect.limit("frame has more than maxEntriesPerFrame 2 entries (3 so far)"));
    add(
        "gzip-too-many-entries",
        "maxEntriesPerFrame 2 and a gzip CompressedPackedForward frame of 3",
        compressedFrame(CompressedData.gzip(entries(3)), "gzip"),
        Map.of("maxEntriesPerFrame", 2),
        Expect.limit("frame has more than maxEntriesPerFrame 2 entries (3 so far)"));
    Frames.Packer keyChain = packer().array(3).str("t").integer(SECONDS).map(1);
    for (int i = 0; i < 30; i++) {
      keyChain.map(1);
    }
    keyChain.map(0);
    for (int i = 0; i < 30; i++) {
      keyChain.nil();
    }
    add(
        "record-key-chain-30-maps",
        "a record whose one key is a map whose key is a map ... 30 deep (within maxNestingDepth):"
            + " delivered; its JSON name is cut at 1 KiB instead of doubling per level (found by"
            + " ForwardDecoderFuzzTest: 2^30 bytes, out of memory)",
        keyChain.str("x").bytes(),
        Expect.delivers(1, 1));
    add(
        "frame-over-small-limit",
        "maxFrameBytes 64 and a Message whose log is a str8 of 100 bytes",
        packer().array(3).str("t").integer(1).map(1).str("log").str("x".repeat(100)).bytes(),
        Map.of("maxFrameBytes", 64),
        Expect.limit("frame declares 100 bytes at offset 9, beyond the frame limit of 64 bytes"));
  }

  /* --------------- compression --------------- */

  private void compression() {
    Map<String, Integer> small = Map.of("maxDecompressedBytes", 65_536);
    add(
        "gzip-bomb",
        "1 MiB of zeros gzipped to about 1 KiB, maxDecompressedBytes 64 KiB",
        compressedFrame(CompressedData.gzipZeros(1 << 20), "gzip"),
        small,
        Expect.limit("decompressed size exceeds maxDecompressedBytes 65536 (gzip)"));
    add(
        "zstd-bomb-rle-blocks",
        "a zstd frame without content size: 16 RLE blocks of 128 KiB (2 MiB) in 70 bytes,"
            + " maxDecompressedBytes 64 KiB",
        compressedFrame(CompressedData.zstdRleBomb(0x00, b(7 << 3), 16), "zstd"),
        small,
        Expect.limit("decompressed size exceeds maxDecompressedBytes 65536 (zstd)"));
    add(
        "zstd-bomb-declared-content-size",
        "a zstd frame declaring 2 MiB of content (16 RLE blocks), maxDecompressedBytes 64 KiB:"
            + " refused from the header",
        compressedFrame(
            CompressedData.zstdRleBomb(
                0x80, Frames.concat(b(7 << 3), CompressedData.le32(2 << 20)), 16),
            "zstd"),
        small,
        Expect.limit(
            "decompressed size exceeds maxDecompressedBytes 65536 (zstd frame 1 declares content"
                + " size 2097152)"));
    add(
        "zstd-window-too-large",
        "a zstd frame asking for a 16 MiB window (window log 24)",
        compressedFrame(CompressedData.zstdRleBomb(0x00, b(14 << 3), 1), "zstd"),
        Expect.limit("zstd frame 1 window size 16777216 exceeds the supported maximum 8388608"));
    byte[] plain = entries(2);
    byte[] gzip = CompressedData.gzip(plain);
    byte[] badCrc = gzip.clone();
    badCrc[badCrc.length - 8] ^= 0x55; // first byte of the little-endian CRC-32 trailer
    CRC32 crc = new CRC32();
    crc.update(plain);
    add(
        "gzip-corrupt-crc",
        "a gzip member whose CRC-32 trailer has one byte flipped",
        compressedFrame(badCrc, "gzip"),
        Expect.malformed(
            "gzip member 1 CRC32 mismatch: trailer says 0x"
                + Long.toHexString(crc.getValue() ^ 0x55)
                + ", data gives 0x"
                + Long.toHexString(crc.getValue())));
    add(
        "gzip-trailing-garbage",
        "a valid gzip member followed by the bytes 'junk'",
        compressedFrame(Frames.concat(gzip, Frames.utf8("junk")), "gzip"),
        Expect.malformed(
            "trailing garbage after gzip member 1 at offset " + gzip.length + ": 6a 75 6e 6b"));
    add(
        "gzip-truncated-trailer",
        "a gzip member missing the last 4 bytes of its trailer (the frame itself is complete)",
        compressedFrame(Arrays.copyOf(gzip, gzip.length - 4), "gzip"),
        Expect.malformed("truncated gzip data: member 1 ends inside its trailer"));
    add(
        "gzip-two-members",
        "two gzip members back to back (fluentd#2546): every entry of both",
        compressedFrame(Frames.concat(gzip, CompressedData.gzip(entries(1))), "gzip"),
        Expect.delivers(1, 3).acks(1));
    byte[] zstd = CompressedData.zstd(plain);
    add(
        "gzip-option-zstd-magic",
        "compressed gzip, but the data is zstd",
        compressedFrame(zstd, "gzip"),
        Expect.malformed(
            "option 'compressed' is 'gzip' but the data starts with the zstd magic 28 b5 2f fd"));
    add(
        "zstd-option-gzip-magic",
        "compressed zstd, but the data is gzip",
        compressedFrame(gzip, "zstd"),
        Expect.malformed(
            "option 'compressed' is 'zstd' but the data starts with the gzip magic 1f 8b"));
    add(
        "text-option-gzip-magic",
        "compressed text (Fluentd's uncompressed), but the data is gzip",
        compressedFrame(gzip, "text"),
        Expect.malformed(
            "option 'compressed' is text or absent but the data starts with the gzip magic 1f 8b"));
    add(
        "no-option-zstd-magic",
        "no option at all, but the entries are zstd data",
        packer().array(2).str("t").bin(zstd).bytes(),
        Expect.malformed(
            "option 'compressed' is text or absent but the data starts with the zstd magic 28 b5"
                + " 2f fd"));
    add(
        "gzip-option-plain-entries",
        "compressed gzip, but the entries are plain msgpack",
        compressedFrame(plain, "gzip"),
        Expect.malformed("not gzip data: starts with 92 d7 00 56"));
    add(
        "compression-unknown-lz4",
        "compressed lz4",
        compressedFrame(plain, "lz4"),
        Expect.malformed(
            "unknown compression 'lz4' in option 'compressed' (known: gzip, zstd, text)"));
    add(
        "compression-uppercase-gzip",
        "compressed GZIP: option values are case-sensitive",
        compressedFrame(gzip, "GZIP"),
        Expect.malformed(
            "unknown compression 'GZIP' in option 'compressed' (known: gzip, zstd, text)"));
    add(
        "zstd-empty-payload",
        "compressed zstd with an empty bin",
        compressedFrame(new byte[0], "zstd"),
        Expect.malformed("empty zstd data: expected at least one frame"));
  }

  /* --------------- times --------------- */

  private void times() {
    invalidTime(
        "eventtime-nanos-1e9", "EventTime with nanoseconds 10^9", eventTime(0, 1_000_000_000));
    invalidTime(
        "eventtime-ext-type-1",
        "an 8-byte ext of type 1 instead of 0",
        b(0xD7, 0x01, 0x56, 0x61, 0x97, 0x8F, 0, 0, 0, 0));
    invalidTime(
        "eventtime-fixext4",
        "an ext type 0 of 4 bytes (fixext4)",
        b(0xD6, 0x00, 0x56, 0x61, 0x97, 0x8F));
    invalidTime(
        "eventtime-ext8-length-4",
        "an ext8 of type 0 declaring 4 bytes",
        b(0xC7, 0x04, 0x00, 0x56, 0x61, 0x97, 0x8F));
    invalidTime("time-negative-int", "time -1 as int8", b(0xD0, 0xFF));
    invalidTime(
        "time-uint64-max",
        "time 2^64-1 as uint64",
        b(0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
    invalidTime("time-uint64-2pow32", "time 2^32 as uint64", b(0xCF, 0, 0, 0, 1, 0, 0, 0, 0));
    invalidTime("time-float-nan", "time NaN as float64", b(0xCB, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0));
    invalidTime(
        "time-float-infinity", "time +Infinity as float32", b(0xCA, 0x7F, 0x80, 0x00, 0x00));
    invalidTime(
        "time-float-negative", "time -1.5 as float64", b(0xCB, 0xBF, 0xF8, 0, 0, 0, 0, 0, 0));
    invalidTime(
        "v15-pair-nil-time",
        "a v1.5 [time, metadata] pair whose time is nil",
        packer().array(2).nil().map(0).bytes());
    invalidTime(
        "v15-pair-nested-pair",
        "a v1.5 pair whose time is itself a pair",
        packer().array(2).array(2).integer(SECONDS).map(0).map(0).bytes());
    invalidTime("v15-pair-empty", "an empty array as the time", b(0x90));
    invalidTime(
        "v15-pair-bad-eventtime",
        "a v1.5 pair whose EventTime has nanoseconds 2^32-1",
        packer().array(2).raw(eventTime(0, 0xFFFF_FFFFL)).map(0).bytes());
  }

  /** A Forward frame with one valid entry and one whose time is {@code time}, with a chunk. */
  private void invalidTime(String name, String description, byte[] time) {
    byte[] frame =
        packer()
            .array(3)
            .str("t")
            .array(2)
            .array(2)
            .raw(EVENT_TIME)
            .raw(0, 0, 0, 0)
            .record(LOG_X)
            .array(2)
            .raw(time)
            .record(LOG_X)
            .map(1)
            .str("chunk")
            .str("c")
            .bytes();
    add(
        name,
        description
            + ", in the second entry of a Forward frame: that entry dropped, the frame"
            + " acked",
        frame,
        Expect.delivers(1, 1).dropped(DropReason.INVALID_TIME, 1).acks(1));
  }

  /* --------------- PackedForward, signals, heartbeats, options --------------- */

  private void packedAndSignals() {
    add(
        "packed-garbage-after-entries",
        "two valid PackedForward entries, then the bytes c1 ff 00 in the bin",
        packer().array(2).str("t").bin(Frames.concat(entries(2), b(0xC1, 0xFF, 0x00))).bytes(),
        Expect.delivers(1, 2).dropped(DropReason.MALFORMED_ENTRIES, 1));
    byte[] three = entries(3);
    add(
        "packed-entry-cut",
        "three PackedForward entries, the bin cut 5 bytes before the end of the third",
        packer().array(2).str("t").bin(Arrays.copyOf(three, three.length - 5)).bytes(),
        Expect.delivers(1, 2).dropped(DropReason.MALFORMED_ENTRIES, 1));
    add(
        "packed-str32-like-fluentd",
        "PackedForward entries as a str32 with option compressed text, as Fluentd sends them",
        packer()
            .array(3)
            .str("t")
            .raw(0xDB)
            .raw(be32(three.length))
            .raw(three)
            .map(2)
            .str("size")
            .integer(3)
            .str("compressed")
            .str("text")
            .bytes(),
        Expect.delivers(1, 3));
    add(
        "fluent-signal-metrics",
        "fluent_signal 1 (metrics) with a chunk and entries that are not logs: acked, no events",
        packer()
            .array(3)
            .str("t")
            .bin(b(0xC1, 0xC1, 0x00))
            .map(2)
            .str("fluent_signal")
            .integer(1)
            .str("chunk")
            .str("m")
            .bytes(),
        Expect.delivers(1, 0).acks(1));
    add(
        "fluent-signal-str",
        "fluent_signal as the str \"1\": not an int, so ignored and the entries read as logs",
        packer().array(3).str("t").bin(entries(1)).map(1).str("fluent_signal").str("1").bytes(),
        Expect.delivers(1, 1));
    add(
        "heartbeats-between-frames",
        "nil, frame, nil, nil, frame, nil: four TCP heartbeats and two frames",
        Frames.concat(
            b(0xC0),
            Frames.dockerMessage(0, null),
            b(0xC0, 0xC0),
            Frames.dockerMessage(1, null),
            b(0xC0)),
        Expect.delivers(2, 2).heartbeats(4));
    add(
        "option-map32-empty-non-minimal",
        "an empty option map written as map32 (df 00 00 00 00)",
        packer().array(4).str("t").integer(SECONDS).record(LOG_X).raw(0xDF, 0, 0, 0, 0).bytes(),
        Expect.delivers(1, 1));
    add(
        "option-map32-chunk-non-minimal",
        "a map32 option holding a chunk, as Fluent Bit writes it",
        packer()
            .array(3)
            .str("t")
            .bin(entries(1))
            .raw(0xDF, 0, 0, 0, 1)
            .str("chunk")
            .str("fb")
            .bytes(),
        Expect.delivers(1, 1).acks(1));
    add(
        "option-non-str-keys",
        "option keys that are not str (an int and nil): ignored",
        packer()
            .array(4)
            .str("t")
            .integer(SECONDS)
            .record(LOG_X)
            .map(2)
            .integer(1)
            .str("gzip")
            .nil()
            .str("chunk")
            .bytes(),
        Expect.delivers(1, 1));
  }

  /* --------------- helpers --------------- */

  static byte[] entries(int count) {
    return ForwardDecoderTest.packedEntries(count);
  }

  private static byte[] compressedFrame(byte[] payload, String compressed) {
    return packer()
        .array(3)
        .str("t")
        .bin(payload)
        .map(2)
        .str("compressed")
        .str(compressed)
        .str("chunk")
        .str("c")
        .bytes();
  }

  private static byte[] eventTime(long seconds, long nanos) {
    return packer().eventTime(seconds, nanos).bytes();
  }

  private static byte[] be32(int value) {
    return new byte[] {
      (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
    };
  }

  static byte[] b(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  /* --------------- files --------------- */

  /** The manifest as JSON, in case order. */
  static String manifest(List<Case> cases) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put(
        "about",
        "Hostile forward-protocol streams for ForwardDecoder and the outcome each must give."
            + " 'delivers': counts of what was delivered and the bytes left buffered (truncation"
            + " is not an error). 'closes': the exception and its message, after the counted"
            + " frames. Limits are ForwardLimits defaults unless listed.");
    root.put("generator", "dev.logstream.forward.HostileCorpus (see its Javadoc to regenerate)");
    ArrayNode list = root.putArray("cases");
    for (Case c : cases) {
      ObjectNode node = list.addObject();
      node.put("name", c.name());
      node.put("description", c.description());
      if (!c.limits().isEmpty()) {
        ObjectNode limits = node.putObject("limits");
        c.limits().forEach(limits::put);
      }
      Expect e = c.expect();
      node.put("outcome", e.outcome);
      if (e.exception != null) {
        node.put("exception", e.exception);
        if (e.message != null) {
          node.put("message", e.message);
        } else {
          node.put("messagePrefix", e.messagePrefix);
        }
      }
      node.put("frames", e.frames);
      node.put("events", e.events);
      ObjectNode dropped = node.putObject("dropped");
      e.dropped.forEach((reason, count) -> dropped.put(reason.name(), count));
      node.put("acks", e.acks);
      node.put("heartbeats", e.heartbeats);
      if (e.outcome.equals("delivers")) {
        node.put("bufferedBytes", e.bufferedBytes);
      }
    }
    try {
      return json.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The fuzz test's seed inputs: file name to bytes (the stream, then the 4 bytes from which the
   * fuzz test draws how to split it).
   */
  static Map<String, byte[]> seeds(List<Case> cases) {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    int i = 0;
    for (Case c : cases) {
      if (SEEDS.contains(c.name())) {
        seeds.put("hostile-" + c.name(), Frames.concat(c.input(), b(i++ % 4, 0, 0, 0)));
      }
    }
    Frames.Packer forward = packer().array(3).str(Frames.TAG).array(2);
    for (int e = 0; e < 2; e++) {
      forward
          .array(2)
          .array(2)
          .raw(EVENT_TIME)
          .raw(0, 0, 0, e)
          .map(0)
          .record(Frames.dockerRecord(e));
    }
    forward.map(2).str("chunk").str("fwd").str("fluent_signal").integer(0);
    seeds.put(
        "valid-docker-messages",
        Frames.concat(Frames.dockerMessage(0, "a"), Frames.dockerMessage(1, null), b(2, 0, 0, 0)));
    seeds.put("valid-forward-v15", Frames.concat(forward.bytes(), b(0, 0, 0, 0)));
    seeds.put(
        "valid-zstd",
        Frames.concat(compressedFrame(CompressedData.zstd(entries(3)), "zstd"), b(3, 1, 0, 0)));
    return seeds;
  }

  /**
   * Writes the corpus and the fuzz seeds under {@code args[0]} (the module directory; default
   * {@code logstream-forward-protocol} if it exists, else the current directory).
   */
  public static void main(String[] args) throws IOException {
    Path module =
        args.length > 0
            ? Path.of(args[0])
            : Files.isDirectory(Path.of("logstream-forward-protocol"))
                ? Path.of("logstream-forward-protocol")
                : Path.of(".");
    Path resources = module.resolve("src/test/resources");
    Path corpusDir = resources.resolve(RESOURCE_DIR);
    Path seedDir = resources.resolve(SEED_DIR);
    Files.createDirectories(corpusDir);
    Files.createDirectories(seedDir);
    List<Case> cases = cases();
    for (Case c : cases) {
      Files.write(corpusDir.resolve(c.name() + ".bin"), c.input());
    }
    Files.writeString(corpusDir.resolve(MANIFEST), manifest(cases), UTF_8);
    for (Map.Entry<String, byte[]> seed : seeds(cases).entrySet()) {
      Files.write(seedDir.resolve(seed.getKey()), seed.getValue());
    }
    System.out.println(
        "wrote " + cases.size() + " cases to " + corpusDir + " and seeds to " + seedDir);
  }
}
