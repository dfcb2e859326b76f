package dev.logstream.forward;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a {@link ForwardServer} listens: {@code tcp://host:port}, {@code tls://host:port} or {@code
 * unix:///absolute/path}, the same forms Docker's {@code fluentd-address} uses.
 *
 * @param transport the transport
 * @param host the host or address to bind for TCP and TLS, {@code null} for a Unix socket
 * @param port the port for TCP and TLS (0 picks a free one), -1 for a Unix socket
 * @param path the socket file for a Unix socket, {@code null} otherwise
 */
public record ListenAddress(Transport transport, String host, int port, Path path) {

  /** The default Fluentd forward port. */
  public static final int DEFAULT_PORT = 24224;

  /** The transports a server can listen on. */
  public enum Transport {
    /** Plain TCP. */
    TCP,
    /** TCP with TLS. */
    TLS,
    /** A Unix domain stream socket. */
    UNIX
  }

  /**
   * Checks the parts.
   *
   * @param transport the transport
   * @param host the host for TCP and TLS
   * @param port the port for TCP and TLS
   * @param path the socket file for a Unix socket
   */
  public ListenAddress {
    Objects.requireNonNull(transport, "transport");
    if (transport == Transport.UNIX) {
      Objects.requireNonNull(path, "path");
      if (!path.isAbsolute()) {
        throw new IllegalArgumentException("unix socket path must be absolute, got '" + path + "'");
      }
    } else {
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in 0..65535, got " + port);
      }
    }
  }

  /**
   * Parses {@code tcp://host:port}, {@code tls://host:port} or {@code unix:///path}.
   *
   * @param uri the address
   * @return the parsed address
   * @throws IllegalArgumentException naming the address and what is wrong with it
   */
  public static ListenAddress parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "listen address '" + uri + "' is not a URI: " + e.getReason());
    }
    String scheme = parsed.getScheme();
    if (scheme == null) {
      throw new IllegalArgumentException(
          "listen address '" + uri + "' needs a scheme: tcp://, tls:// or unix://");
    }
    switch (scheme) {
      case "unix" -> {
        if (parsed.getHost() != null || parsed.getPath() == null || parsed.getPath().isEmpty()) {
          throw new IllegalArgumentException(
              "listen address '" + uri + "' must be unix:///absolute/path");
        }
        return new ListenAddress(Transport.UNIX, null, -1, Path.of(parsed.getPath()));
      }
      case "tcp", "tls" -> {
        String host = parsed.getHost();
        if (host == null || parsed.getPort() < 0) {
          throw new IllegalArgumentException(
              "listen address '" + uri + "' must be " + scheme + "://host:port");
        }
        if (parsed.getPath() != null && !parsed.getPath().isEmpty()) {
          throw new IllegalArgumentException(
              "listen address '" + uri + "' must not have a path after host:port");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        return new ListenAddress(
            scheme.equals("tcp") ? Transport.TCP : Transport.TLS, host, parsed.getPort(), null);
      }
      default ->
          throw new IllegalArgumentException(
              "listen address '"
                  + uri
                  + "' has unknown scheme '"
                  + scheme
                  + "' (known: tcp, tls, unix)");
    }
  }

  /** Returns the socket address to bind. */
  SocketAddress socketAddress() {
    return transport == Transport.UNIX
        ? UnixDomainSocketAddress.of(path)
        : new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return transport == Transport.UNIX
        ? "unix://" + path
        : transport.name().toLowerCase(java.util.Locale.ROOT)
            + "://"
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + port;
  }
}
