package dev.logstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The variants of a benchmark must do the same work, or the ratios mean nothing. */
class EncodeBenchmarkTest {

  @Test
  void variants_produceTheSameJsonBytes() throws Exception {
    EncodeBenchmark benchmark = new EncodeBenchmark();
    benchmark.logLength = 100;
    benchmark.setUp();

    byte[] jackson = benchmark.jacksonMap();
    int length = benchmark.logstream();
    byte[] copied = benchmark.memoryCopy();

    assertThat(length).isEqualTo(jackson.length);
    assertThat(copied).isEqualTo(jackson);
  }
}
