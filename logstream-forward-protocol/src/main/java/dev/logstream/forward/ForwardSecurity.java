package dev.logstream.forward;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The secure-forward handshake settings of a forward server: the shared key, the name the server
 * gives itself, optional users, and whether connections may stay open. Immutable and safe to share
 * between connections; made by {@link #builder()}.
 *
 * <pre>{@code
 * ForwardSecurity security =
 *     ForwardSecurity.builder()
 *         .sharedKey("s3cr3t")
 *         .selfHostname("agent-1.example")
 *         .user("bob", "hunter2")
 *         .build();
 * }</pre>
 *
 * <p>How the options map to Fluentd's {@code in_forward} {@code <security>} section:
 *
 * <table>
 *   <caption>Options and their Fluentd counterparts</caption>
 *   <tr><th>option</th><th>Fluentd</th><th>default</th></tr>
 *   <tr><td>{@link Builder#sharedKey}</td><td>{@code shared_key}</td><td>required, not empty</td>
 *   </tr>
 *   <tr><td>{@link Builder#selfHostname}</td><td>{@code self_hostname}</td>
 *       <td>required, not empty</td></tr>
 *   <tr><td>{@link Builder#user}</td><td>{@code <user> username, password </user>}, and
 *       {@code user_auth true} as soon as one user is added</td><td>no users, no user auth</td>
 *   </tr>
 *   <tr><td>{@link Builder#keepalive}</td><td>{@code deny_keepalive} negated (an
 *       {@code in_forward} option outside {@code <security>})</td><td>{@code true}</td></tr>
 * </table>
 *
 * <p>Not supported: per-client settings ({@code <client host|network shared_key users>}) and
 * therefore {@code allow_anonymous_source}, which only has a meaning next to {@code <client>}
 * entries (every client is "anonymous" here and every client is allowed); Fluent Bit's {@code
 * empty_shared_key}; {@code user_auth true} without any user (it would refuse every client). The
 * handshake proves that client and server share the key; it does not encrypt anything, so use it
 * over TLS when the network is not trusted.
 *
 * <p>{@link #toString()} never shows the shared key or the passwords.
 */
public final class ForwardSecurity {

  /** One configured user, with both fields as UTF-8 bytes as they are hashed. */
  private static final class User {
    final byte[] name;
    final byte[] password;

    User(String name, String password) {
      this.name = name.getBytes(StandardCharsets.UTF_8);
      this.password = password.getBytes(StandardCharsets.UTF_8);
    }
  }

  private final byte[] sharedKey;
  private final String selfHostname;
  private final byte[] selfHostnameBytes;
  private final boolean keepalive;
  private final Set<String> usernames;
  private final List<User> users;

  private ForwardSecurity(Builder builder) {
    this.sharedKey = builder.sharedKey.getBytes(StandardCharsets.UTF_8);
    this.selfHostname = builder.selfHostname;
    this.selfHostnameBytes = selfHostname.getBytes(StandardCharsets.UTF_8);
    this.keepalive = builder.keepalive == null || builder.keepalive;
    this.usernames = Collections.unmodifiableSet(new LinkedHashSet<>(builder.passwords.keySet()));
    List<User> list = new ArrayList<>(usernames.size());
    builder.passwords.forEach((name, password) -> list.add(new User(name, password)));
    this.users = List.copyOf(list);
  }

  /**
   * Starts a configuration; {@link Builder#sharedKey} and {@link Builder#selfHostname} are
   * required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the name the server sends in its PONG and hashes into the PONG digest (Fluentd's {@code
   * self_hostname}).
   *
   * @return the server's hostname, not empty
   */
  public String selfHostname() {
    return selfHostname;
  }

  /**
   * Returns whether clients may keep the connection open after their first message; sent as the
   * HELO's {@code keepalive}. When {@code false} the server closes each connection after its first
   * message (after writing the ack, if one was requested), as Fluentd's {@code deny_keepalive}.
   *
   * @return {@code true} unless keep-alive was denied
   */
  public boolean keepalive() {
    return keepalive;
  }

  /**
   * Returns whether clients must log in with a user name and password, which is the case as soon as
   * one user is configured.
   *
   * @return {@code true} if at least one user is configured
   */
  public boolean userAuth() {
    return !users.isEmpty();
  }

  /**
   * Returns the configured user names in the order they were added.
   *
   * @return an unmodifiable set, empty when there is no user auth
   */
  public Set<String> usernames() {
    return usernames;
  }

  /** The shared key as UTF-8 bytes; the caller must not change the array. */
  byte[] sharedKeyBytes() {
    return sharedKey;
  }

  /** The self hostname as UTF-8 bytes; the caller must not change the array. */
  byte[] selfHostnameBytes() {
    return selfHostnameBytes;
  }

  /**
   * Returns the password of the user whose UTF-8 name is exactly {@code username}, or {@code null}
   * when there is no such user; the caller must not change the array.
   */
  byte[] passwordFor(byte[] username) {
    for (User user : users) {
      if (Arrays.equals(user.name, username)) {
        return user.password;
      }
    }
    return null;
  }

  /**
   * Describes the settings without the shared key and the passwords.
   *
   * @return for example {@code ForwardSecurity{selfHostname=agent-1, keepalive=true, users=[bob],
   *     sharedKey=***}}
   */
  @Override
  public String toString() {
    return "ForwardSecurity{selfHostname="
        + selfHostname
        + ", keepalive="
        + keepalive
        + ", users="
        + usernames
        + ", sharedKey=***}";
  }

  /**
   * Configures {@link ForwardSecurity}. Each option is checked when it is set, and may be set only
   * once; {@link #build()} checks that the required options are there. A builder may build several
   * times; later changes do not affect what it already built.
   */
  public static final class Builder {
    private String sharedKey;
    private String selfHostname;
    private Boolean keepalive;
    private final Map<String, String> passwords = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the key that client and server share (Fluentd's {@code shared_key}); required. It is
     * hashed as its UTF-8 bytes.
     *
     * @param sharedKey the key, not empty
     * @return this builder
     * @throws IllegalArgumentException if the key is empty
     * @throws IllegalStateException if already set (the message does not show the key)
     */
    public Builder sharedKey(String sharedKey) {
      Objects.requireNonNull(sharedKey, "sharedKey");
      if (this.sharedKey != null) {
        throw new IllegalStateException("sharedKey was already set");
      }
      if (sharedKey.isEmpty()) {
        throw new IllegalArgumentException("sharedKey must not be empty");
      }
      this.sharedKey = sharedKey;
      return this;
    }

    /**
     * Sets the name the server gives itself in its PONG (Fluentd's {@code self_hostname});
     * required. It must differ from the clients' own {@code self_hostname}: Fluentd's {@code
     * out_forward} refuses a PONG that carries its own name.
     *
     * @param selfHostname the server's name, not empty
     * @return this builder
     * @throws IllegalArgumentException if the name is empty
     * @throws IllegalStateException if already set
     */
    public Builder selfHostname(String selfHostname) {
      Objects.requireNonNull(selfHostname, "selfHostname");
      if (this.selfHostname != null) {
        throw new IllegalStateException(
            "selfHostname was already set to '" + this.selfHostname + "'");
      }
      if (selfHostname.isEmpty()) {
        throw new IllegalArgumentException("selfHostname must not be empty");
      }
      this.selfHostname = selfHostname;
      return this;
    }

    /**
     * Adds a user (Fluentd's {@code <user>} with {@code user_auth true}). Once one user is added,
     * every client must send the name and password digest of a configured user. Names and passwords
     * are compared as UTF-8 bytes, case-sensitively.
     *
     * @param username the user name, not empty
     * @param password the password, not empty
     * @return this builder
     * @throws IllegalArgumentException if the name or password is empty, or the name was already
     *     added
     */
    public Builder user(String username, String password) {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      if (username.isEmpty()) {
        throw new IllegalArgumentException("user name must not be empty");
      }
      if (passwords.containsKey(username)) {
        throw new IllegalArgumentException("user '" + username + "' was already added");
      }
      if (password.isEmpty()) {
        throw new IllegalArgumentException("password of user '" + username + "' must not be empty");
      }
      passwords.put(username, password);
      return this;
    }

    /**
     * Sets whether clients may keep a connection open after their first message, default {@code
     * true}. {@code false} is Fluentd's {@code deny_keepalive true}: the HELO says {@code
     * "keepalive": false} and the server closes each connection after its first message.
     *
     * @param keepalive {@code false} to close connections after one message
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder keepalive(boolean keepalive) {
      if (this.keepalive != null) {
        throw new IllegalStateException("keepalive was already set to " + this.keepalive);
      }
      this.keepalive = keepalive;
      return this;
    }

    /**
     * Creates the settings.
     *
     * @return the settings
     * @throws IllegalStateException if {@link #sharedKey} or {@link #selfHostname} was not set
     */
    public ForwardSecurity build() {
      if (sharedKey == null) {
        throw new IllegalStateException("sharedKey is required");
      }
      if (selfHostname == null) {
        throw new IllegalStateException("selfHostname is required");
      }
      return new ForwardSecurity(this);
    }
  }
}
