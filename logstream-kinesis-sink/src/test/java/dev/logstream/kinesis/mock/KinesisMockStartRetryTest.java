package dev.logstream.kinesis.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A port taken between picking it and kinesis-mock binding it: the mock exits with EADDRINUSE and
 * the extension starts it again on new ports.
 */
class KinesisMockStartRetryTest {

  private static final ServerSocket TAKEN = listen();
  private static final AtomicInteger PICKS = new AtomicInteger();

  @RegisterExtension
  static final KinesisMockExtension KINESIS =
      KinesisMockExtension.withStreams("retry:1")
          // first the TLS port is taken (a taken plain port would accept the probe's requests and
          // leave them unanswered until they time out)
          .portsFrom(
              () ->
                  PICKS.getAndIncrement() == 0
                      ? new int[] {
                        KinesisMockExtension.freeLoopbackPorts(1)[0], TAKEN.getLocalPort()
                      }
                      : KinesisMockExtension.freeLoopbackPorts(2));

  @AfterAll
  static void release() throws IOException {
    TAKEN.close();
  }

  @Test
  void start_portTaken_startsAgainOnNewPorts() throws Exception {
    assertThat(KINESIS.startAttempts()).isEqualTo(2);
    assertThat(KINESIS.log()).content().contains("EADDRINUSE");
    assertThat(
            KINESIS
                .newClient()
                .describeStreamSummary(r -> r.streamName("retry"))
                .get(10, TimeUnit.SECONDS)
                .streamDescriptionSummary()
                .openShardCount())
        .isEqualTo(1);
  }

  private static ServerSocket listen() {
    try {
      return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
