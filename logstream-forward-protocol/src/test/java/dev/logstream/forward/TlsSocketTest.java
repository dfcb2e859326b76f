package dev.logstream.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsConnection} over real loopback sockets, inside a non-blocking selector loop ({@link
 * TlsEchoServer}), against the JDK's blocking {@link SSLSocket}: reads and writes are partial as
 * the kernel makes them, not as a test scripts them.
 */
class TlsSocketTest {
  private static final int TIMEOUT_MS = 20_000;

  private static SSLSocket connect(int port) throws Exception {
    SSLSocket socket =
        (SSLSocket)
            TlsTestFiles.clientContext()
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), port);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    parameters.setServerNames(List.of(new SNIHostName("localhost")));
    socket.setSSLParameters(parameters);
    socket.setSoTimeout(TIMEOUT_MS);
    return socket;
  }

  @Test
  void echo_sslSocketClient_getsEveryByteBackAndClosesCleanly() throws Exception {
    byte[] small = "[\"app\",1700000000,{\"log\":\"hello\"}]".getBytes(StandardCharsets.UTF_8);
    byte[] large = new byte[1 << 20];
    new SplittableRandom(7).nextBytes(large);

    try (TlsEchoServer server = new TlsEchoServer(TlsTestFiles.rsaServer())) {
      try (SSLSocket socket = connect(server.port())) {
        OutputStream out = socket.getOutputStream();
        DataInputStream in = new DataInputStream(socket.getInputStream());

        out.write(small);
        out.flush();
        byte[] smallEcho = new byte[small.length];
        in.readFully(smallEcho);
        out.write(large);
        out.flush();
        byte[] largeEcho = new byte[large.length];
        in.readFully(largeEcho);

        assertThat(smallEcho).isEqualTo(small);
        assertThat(largeEcho).isEqualTo(large);
        assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
        socket.shutdownOutput(); // close_notify
        assertThat(in.read()).isEqualTo(-1); // the server's close_notify
      }
      assertThat(server.closeReasons.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS))
          .isEqualTo("close_notify");
    }
  }

  @Test
  void plainClient_sendsAMsgpackFrameToTheTlsPort_isClosedWithAClearReason() throws Exception {
    try (TlsEchoServer server = new TlsEchoServer(TlsTestFiles.rsaServer());
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(TIMEOUT_MS);
      socket.getOutputStream().write(new byte[] {(byte) 0x93, (byte) 0xa3, 'a', 'p', 'p'});
      InputStream in = socket.getInputStream();

      assertThat(in.read()).isEqualTo(-1);
      assertThat(server.closeReasons.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS))
          .isEqualTo(
              "not a TLS client: first byte 0x93 is not a TLS handshake record (0x16); is the"
                  + " client sending plain forward protocol to a TLS port?");
    }
  }
}
