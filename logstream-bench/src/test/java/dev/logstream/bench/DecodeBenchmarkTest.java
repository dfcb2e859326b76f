package dev.logstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decode benchmark's variants must read the same events, or the ratios mean nothing. */
class DecodeBenchmarkTest {

  @ParameterizedTest
  @ValueSource(strings = {"docker", "packed"})
  void transcodingVariants_produceTheSameNumberOfJsonBytes(String format) throws Exception {
    DecodeBenchmark benchmark = new DecodeBenchmark();
    benchmark.format = format;
    benchmark.setUp();

    long ours = benchmark.logstreamToJson();
    long jackson = benchmark.jacksonToJson();

    assertThat(ours).isEqualTo(jackson).isGreaterThan(DecodeBenchmark.EVENTS * 300L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker", "packed"})
  void decodingVariants_seeEveryEvent(String format) throws Exception {
    DecodeBenchmark benchmark = new DecodeBenchmark();
    benchmark.format = format;
    benchmark.setUp();

    long fieldsSeenByJackson = benchmark.jacksonMsgpack();

    assertThat(fieldsSeenByJackson).isEqualTo(DecodeBenchmark.EVENTS * 4L);
    assertThat(benchmark.msgpackValue()).isGreaterThan(DecodeBenchmark.EVENTS * 4L);
    assertThat(benchmark.logstream()).isGreaterThan(DecodeBenchmark.EVENTS * 4L);
  }

  @Test
  void packedStream_holdsTenFramesOfAHundredEntries() {
    byte[] stream = ForwardStreams.packedForward(1000, 100, 100);
    int[] frames = {0};
    dev.logstream.forward.ForwardDecoder.create()
        .decode(
            stream,
            0,
            stream.length,
            frame -> {
              assertThat(frame.size()).isEqualTo(100);
              frames[0]++;
            });

    assertThat(frames[0]).isEqualTo(10);
  }
}
