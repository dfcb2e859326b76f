package dev.logstream.kinesis.mock;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The extension's argument checks and its use before start. */
class KinesisMockExtensionTest {

  @Test
  void withStreams_none_isRejected() {
    assertThatThrownBy(KinesisMockExtension::withStreams)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("streams must not be empty");
  }

  @Test
  void withStreams_withoutShardCount_isRejected() {
    assertThatThrownBy(() -> KinesisMockExtension.withStreams("logs:1", "wide"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stream must be name:shards, was: wide");
  }

  @Test
  void kinesaliteWithStreams_zeroShards_isRejected() {
    assertThatThrownBy(() -> KinesisMockExtension.kinesaliteWithStreams("logs:0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stream must be name:shards, was: logs:0");
  }

  @Test
  void endpoint_beforeStart_namesTheFix() {
    KinesisMockExtension kinesis = KinesisMockExtension.withStreams("logs:1");

    assertThatThrownBy(kinesis::endpoint)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("kinesis-mock is not started: register the extension in a static field");
  }
}
