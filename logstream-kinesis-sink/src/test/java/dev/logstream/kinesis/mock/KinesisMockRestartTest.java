package dev.logstream.kinesis.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * {@link KinesisMockExtension#stop()} and {@link KinesisMockExtension#restart()} with persistence.
 */
class KinesisMockRestartTest {

  @RegisterExtension
  static final KinesisMockExtension KINESIS =
      KinesisMockExtension.withStreams("kept:1").persistData();

  @Test
  void restart_afterStopWithPersistence_samePortAndRecordsWrittenBeforeTheStopAreBack()
      throws Exception {
    KinesisAsyncClient client = KINESIS.newClient();
    URI before = KINESIS.endpoint();
    client
        .putRecord(r -> r.streamName("kept").partitionKey("k").data(SdkBytes.fromUtf8String("one")))
        .get(10, TimeUnit.SECONDS);

    KINESIS.stop();
    assertThat(KINESIS.isRunning()).isFalse();
    assertThatThrownBy(
            () ->
                client
                    .putRecord(
                        r ->
                            r.streamName("kept")
                                .partitionKey("k")
                                .data(SdkBytes.fromUtf8String("x")))
                    .get(10, TimeUnit.SECONDS))
        .hasRootCauseInstanceOf(java.net.ConnectException.class);
    KINESIS.restart();
    client
        .putRecord(r -> r.streamName("kept").partitionKey("k").data(SdkBytes.fromUtf8String("two")))
        .get(10, TimeUnit.SECONDS);

    assertThat(KINESIS.endpoint()).isEqualTo(before);
    assertThat(KINESIS.isRunning()).isTrue();
    List<String> data =
        StreamReader.of(client, "kept").readAtLeast(2, Duration.ofSeconds(30)).stream()
            .map(r -> new String(r.data(), java.nio.charset.StandardCharsets.UTF_8))
            .toList();
    assertThat(data).containsExactly("one", "two");
  }

  @Test
  void restart_whileRunning_isRejected() {
    assertThatThrownBy(KINESIS::restart)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("kinesis-mock is running: stop() it first");
  }

  @Test
  void persistData_kinesalite_isRejected() {
    assertThatThrownBy(() -> KinesisMockExtension.kinesaliteWithStreams("logs:1").persistData())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("persistData is for kinesis-mock only");
  }
}
