package dev.logstream.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.forward.TlsPipe.Fragmentation;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class TlsConnectionProperties {
  private static final ForwardTls SERVER = TlsTestFiles.rsaServer();

  @Property(tries = 25)
  void exchange_anyCutOfTheByteStreams_deliversEveryByteInOrder(
      @ForAll @IntRange(min = 1, max = 40_000) int upLength,
      @ForAll @IntRange(min = 1, max = 40_000) int downLength,
      @ForAll @IntRange(min = 1, max = 20_000) int maxChunk,
      @ForAll boolean tls12,
      @ForAll long seed)
      throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] up = new byte[upLength];
    byte[] down = new byte[downLength];
    random.nextBytes(up);
    random.nextBytes(down);
    InMemoryTlsClient client =
        new InMemoryTlsClient(
            tls12
                ? TlsTestFiles.clientEngine(TlsTestFiles.clientContext(), "TLSv1.2")
                : TlsTestFiles.clientEngine(TlsTestFiles.clientContext()));
    TlsPipe pipe =
        new TlsPipe(
            new TlsConnection(SERVER.newServerEngine()),
            client,
            Fragmentation.RANDOM,
            random.nextLong(),
            maxChunk);

    pipe.handshake();
    client.send(up);
    pipe.server.wrap(ByteBuffer.wrap(down));
    pipe.pumpUntil(
        () -> pipe.serverReceived.length() == upLength && client.received.length() == downLength);
    client.close();
    pipe.pumpUntil(pipe.server::isInboundDone);

    assertThat(pipe.serverReceived.toByteArray()).isEqualTo(up);
    assertThat(client.received.toByteArray()).isEqualTo(down);
  }
}
