package dev.logstream.core.docker;

import dev.logstream.core.tag.GridId;
import dev.logstream.core.tag.TagCodec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * grid-api's logstream settings ({@code --logstream}, {@code --logstream-driver}, {@code
 * --logstream-opts}, {@code --logstream-tag-prefix}) and the per-container Docker log settings
 * computed from them.
 *
 * <pre>{@code
 * LogstreamSettings settings =
 *     LogstreamSettings.builder()
 *         .enabled(true)
 *         .opts(LogstreamSettings.parseOpts("fluentd-address=127.0.0.1:24224,fluentd-async=true"))
 *         .build();
 * Optional<DockerLogConfig> config = settings.logConfigFor(manifestId, appId);
 * }</pre>
 *
 * <p>Everything is checked by {@link Builder#build()}, so a bad option fails when grid-api starts,
 * not when Mesos starts a container; after that {@link #logConfigFor} cannot fail. Options are
 * checked even while logstream is disabled, so turning it on later holds no surprise.
 *
 * <h2>What is checked</h2>
 *
 * <ol>
 *   <li>When set: option keys are 1+ ASCII letters, digits, {@code -}, {@code _} or {@code .}; the
 *       driver is 1+ letters, digits, {@code - _ . / : @} (plugin names such as {@code
 *       grafana/loki:latest} included); the tag prefix follows the grammar on {@link TagCodec}.
 *   <li>A {@code tag} option, whatever the driver: logstream computes the tag and appends it to
 *       every container's options, so a configured one is a conflict, not an override.
 *   <li>dockerd's options for every driver: {@code mode} is {@code blocking} or {@code
 *       non-blocking}; {@code max-buffer-size} needs {@code mode=non-blocking} and must be a size.
 *   <li>For {@code fluentd} only: every key is one dockerd's fluentd driver accepts ({@code env},
 *       {@code env-regex}, {@code labels}, {@code labels-regex}, {@code tag}, {@code
 *       fluentd-address}, {@code fluentd-async}, {@code fluentd-async-reconnect-interval}, {@code
 *       fluentd-buffer-limit}, {@code fluentd-max-retries}, {@code fluentd-request-ack}, {@code
 *       fluentd-retry-wait}, {@code fluentd-sub-second-precision}, {@code fluentd-write-timeout},
 *       {@code fluentd-read-timeout}, plus the two above); then each value, in option order. An
 *       empty value means "default" to dockerd and is accepted.
 * </ol>
 *
 * <p>Values of the {@code fluentd} options are read the way dockerd reads them:
 *
 * <ul>
 *   <li>booleans ({@code fluentd-async}, {@code -request-ack}, {@code -sub-second-precision}) as
 *       Go's {@code strconv.ParseBool}: {@code 1 t T TRUE true True 0 f F FALSE false False};
 *   <li>durations as Go's {@code time.ParseDuration}, e.g. {@code 500ms}, {@code 1m30s}, {@code
 *       1.5h}, units {@code ns us µs ms s m h}; {@code fluentd-async-reconnect-interval} is 0 or
 *       100ms..10s (dockerd's rule); {@code fluentd-write-timeout} and {@code fluentd-read-timeout}
 *       are not negative (dockerd's rule);
 *   <li>sizes as go-units {@code RAMInBytes}, e.g. {@code 1048576}, {@code 64k}, {@code 8m}, {@code
 *       1.5MB} (binary multiples, case-insensitive {@code b k kb kib m mb mib g ... p});
 *   <li>{@code fluentd-max-retries} as a non-negative integer up to 2147483647 (dockerd's cap);
 *   <li>{@code env-regex} and {@code labels-regex} must compile with {@code java.util.regex}.
 *       dockerd compiles them with Go's RE2, which lacks backreferences, lookaround and possessive
 *       quantifiers: such a pattern passes here and fails at container start. Most patterns mean
 *       the same in both;
 *   <li>{@code fluentd-address} as {@code host:port} ({@code tcp://} implied), {@code
 *       tcp://host:port}, {@code tls://host:port} or {@code unix:///absolute/path}; host and port
 *       may each be left out (dockerd defaults them to 127.0.0.1 and 24224); no path after a TCP or
 *       TLS address; other schemes are refused. IPv6 hosts go in brackets.
 * </ul>
 *
 * <p>Where logstream is stricter than dockerd, on purpose, because dockerd would accept a value
 * that cannot work: port 0 (dockerd accepts any uint16), a negative {@code fluentd-retry-wait}
 * (dockerd accepts it and reconnects without waiting), {@code fluentd-buffer-limit} above
 * 2147483647 (it is a count of buffered messages, not bytes, and becomes the capacity of a Go
 * channel), {@code unix://} paths that are not absolute (dockerd silently drops a host part), hosts
 * with characters other than letters, digits, {@code . - _} or query and user parts (Go's URL
 * parser accepts and ignores them), and hex or underscore numbers in sizes.
 *
 * <p>For drivers other than {@code fluentd}, only steps 1 to 3 apply: keys and values pass through
 * unchecked and Docker judges them at container start. The computed {@code tag} is added for every
 * driver, so a driver that has no {@code tag} option makes Docker refuse the container; use
 * logstream with drivers that take a tag (fluentd, syslog, journald, gelf and others).
 */
public final class LogstreamSettings {

  /** The driver the seed used. */
  public static final String DEFAULT_DRIVER = "fluentd";

  private final boolean enabled;
  private final String driver;
  private final Map<String, String> opts;
  private final TagCodec tagCodec;

  private LogstreamSettings(
      boolean enabled, String driver, Map<String, String> opts, TagCodec tagCodec) {
    this.enabled = enabled;
    this.driver = driver;
    this.opts = opts;
    this.tagCodec = tagCodec;
  }

  /**
   * Returns a builder with the defaults: disabled, driver {@value #DEFAULT_DRIVER}, no options, tag
   * prefix {@value TagCodec#DEFAULT_PREFIX}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses grid-api's {@code --logstream-opts} value, {@code key=value,key=value}.
   *
   * <p>Entries are split at every {@code ,} and each entry at its first {@code =}, so a value may
   * contain {@code =} but no value can contain {@code ,}. That rules out lists such as {@code
   * labels=a,b} with this flag syntax (as with the seed's flag); pass a map to {@link Builder#opts}
   * for those. Nothing is trimmed. The empty string means no options.
   *
   * @param opts {@code key=value} entries separated by {@code ,}
   * @return the options in the order given, unmodifiable
   * @throws InvalidLogOptionException for an empty entry, an entry without {@code =}, an empty key
   *     or a key given twice, e.g. {@code log-opts key 'tag' of 'tag=a,tag=b' is given twice}
   */
  public static Map<String, String> parseOpts(String opts) {
    Objects.requireNonNull(opts, "opts");
    return Collections.unmodifiableMap(LogOptRules.parseOpts(opts));
  }

  /**
   * Tells whether logstream is on ({@code --logstream}).
   *
   * @return {@code true} when containers get log settings
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Returns the Docker log driver ({@code --logstream-driver}).
   *
   * @return the driver name
   */
  public String driver() {
    return driver;
  }

  /**
   * Returns the configured log options ({@code --logstream-opts}), without the computed tag.
   *
   * @return the options in order, unmodifiable
   */
  public Map<String, String> opts() {
    return opts;
  }

  /**
   * Returns the tag prefix ({@code --logstream-tag-prefix}).
   *
   * @return the prefix of every computed tag
   */
  public String tagPrefix() {
    return tagCodec.prefix();
  }

  /**
   * Computes a container's log settings: the driver, the configured options in order, and {@code
   * tag=<prefix>.<manifest-id>:<app-id>} last.
   *
   * @param manifestId the manifest id of the container's application
   * @param appId the app id
   * @return the log settings, or empty when logstream is disabled, in which case the container gets
   *     no log parameters at all and Docker's default applies
   */
  public Optional<DockerLogConfig> logConfigFor(GridId manifestId, GridId appId) {
    Objects.requireNonNull(manifestId, "manifestId");
    Objects.requireNonNull(appId, "appId");
    if (!enabled) {
      return Optional.empty();
    }
    Map<String, String> options = new LinkedHashMap<>(opts);
    options.put("tag", tagCodec.format(manifestId, appId));
    return Optional.of(new DockerLogConfig(driver, options));
  }

  /**
   * Configures {@link LogstreamSettings}. Each option may be set once and is checked when set;
   * {@link #build()} checks the options against the driver.
   */
  public static final class Builder {
    private Boolean enabled;
    private String driver;
    private Map<String, String> opts;
    private String tagPrefix;

    private Builder() {}

    /**
     * Turns logstream on or off, default off.
     *
     * @param enabled {@code true} to give containers log settings
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder enabled(boolean enabled) {
      if (this.enabled != null) {
        throw new IllegalStateException("enabled was already set to " + this.enabled);
      }
      this.enabled = enabled;
      return this;
    }

    /**
     * Sets the Docker log driver, default {@value LogstreamSettings#DEFAULT_DRIVER}.
     *
     * @param driver 1+ ASCII letters, digits, {@code - _ . / : @}
     * @return this builder
     * @throws IllegalArgumentException if the name has other characters or is empty
     * @throws IllegalStateException if already set
     */
    public Builder driver(String driver) {
      Objects.requireNonNull(driver, "driver");
      if (this.driver != null) {
        throw new IllegalStateException("driver was already set to " + this.driver);
      }
      if (driver.isEmpty()) {
        throw new IllegalArgumentException("driver '' is empty");
      }
      for (int i = 0; i < driver.length(); i++) {
        char c = driver.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "-_./:@".indexOf(c) >= 0;
        if (!ok) {
          throw new IllegalArgumentException(
              "driver '"
                  + driver
                  + "' contains "
                  + LogOptRules.describe(driver.codePointAt(i))
                  + " (allowed: letters, digits, '-', '_', '.', '/', ':', '@')");
        }
      }
      this.driver = driver;
      return this;
    }

    /**
     * Sets the log options, default none. Use {@link LogstreamSettings#parseOpts} for the {@code
     * k=v,k=v} flag.
     *
     * @param opts the options in iteration order; keys of ASCII letters, digits, {@code - _ .}
     * @return this builder
     * @throws InvalidLogOptionException if a key is empty or has other characters
     * @throws IllegalStateException if already set
     */
    public Builder opts(Map<String, String> opts) {
      Objects.requireNonNull(opts, "opts");
      if (this.opts != null) {
        throw new IllegalStateException("opts was already set to " + this.opts);
      }
      Map<String, String> copy = new LinkedHashMap<>();
      opts.forEach(
          (key, value) -> {
            LogOptRules.checkKey(Objects.requireNonNull(key, "option key"));
            copy.put(key, Objects.requireNonNull(value, key));
          });
      this.opts = Collections.unmodifiableMap(copy);
      return this;
    }

    /**
     * Sets the tag prefix, default {@value TagCodec#DEFAULT_PREFIX}.
     *
     * @param tagPrefix a prefix following the grammar on {@link TagCodec}
     * @return this builder
     * @throws IllegalArgumentException if the prefix breaks the grammar
     * @throws IllegalStateException if already set
     */
    public Builder tagPrefix(String tagPrefix) {
      Objects.requireNonNull(tagPrefix, "tagPrefix");
      if (this.tagPrefix != null) {
        throw new IllegalStateException("tagPrefix was already set to " + this.tagPrefix);
      }
      try {
        TagCodec.builder().prefix(tagPrefix);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("tagPrefix is invalid: " + e.getMessage(), e);
      }
      this.tagPrefix = tagPrefix;
      return this;
    }

    /**
     * Checks the options against the driver and creates the settings.
     *
     * @return the settings
     * @throws InvalidLogOptionException if an option conflicts with the computed tag or would make
     *     Docker refuse the container (see the class documentation)
     */
    public LogstreamSettings build() {
      String effectiveDriver = driver == null ? DEFAULT_DRIVER : driver;
      Map<String, String> effectiveOpts = opts == null ? Map.of() : opts;
      String prefix = tagPrefix == null ? TagCodec.DEFAULT_PREFIX : tagPrefix;
      LogOptRules.validate(effectiveDriver, effectiveOpts, prefix);
      // the settings only format tags, so the codec needs no classification cache
      TagCodec codec = TagCodec.builder().prefix(prefix).cacheSize(0).build();
      return new LogstreamSettings(
          enabled != null && enabled, effectiveDriver, effectiveOpts, codec);
    }
  }
}
