package dev.logstream.core.docker;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The checks behind {@link LogstreamSettings}: {@code k=v,k=v} parsing, key syntax, and the value
 * rules dockerd applies to the {@code fluentd} driver (moby {@code
 * daemon/logger/fluentd/fluentd.go} {@code ValidateLogOpt}/{@code parseConfig}) and to every driver
 * ({@code daemon/logger/factory.go} {@code ValidateLogOpts}: {@code mode}, {@code
 * max-buffer-size}).
 */
final class LogOptRules {

  static final String FLUENTD = "fluentd";

  /** Exactly the keys dockerd's fluentd driver accepts (besides the built-in ones). */
  static final Set<String> FLUENTD_KEYS =
      Set.of(
          "env",
          "env-regex",
          "labels",
          "labels-regex",
          "tag",
          "fluentd-address",
          "fluentd-async",
          "fluentd-async-reconnect-interval",
          "fluentd-buffer-limit",
          "fluentd-max-retries",
          "fluentd-request-ack",
          "fluentd-retry-wait",
          "fluentd-sub-second-precision",
          "fluentd-write-timeout",
          "fluentd-read-timeout");

  /** Options dockerd handles itself for every driver. */
  private static final Set<String> BUILT_IN_KEYS = Set.of("mode", "max-buffer-size");

  private static final long MIN_RECONNECT_NANOS = 100_000_000L;
  private static final long MAX_RECONNECT_NANOS = 10_000_000_000L;

  private static final String DURATION_HINT = "use e.g. 500ms, 1s, 1m30s";
  private static final String SIZE_HINT = "use e.g. 1048576, 64k, 8m, 1.5MB";

  private LogOptRules() {}

  /** Parses {@code k=v,k=v}; see {@link LogstreamSettings#parseOpts}. */
  static Map<String, String> parseOpts(String opts) {
    Map<String, String> parsed = new LinkedHashMap<>();
    if (opts.isEmpty()) {
      return parsed;
    }
    String[] entries = opts.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i];
      if (entry.isEmpty()) {
        throw new InvalidLogOptionException(
            "log-opts entry " + (i + 1) + " of '" + opts + "' is empty");
      }
      int equals = entry.indexOf('=');
      if (equals < 0) {
        throw new InvalidLogOptionException(
            "log-opts entry '" + entry + "' of '" + opts + "' has no '=' (use key=value)");
      }
      if (equals == 0) {
        throw new InvalidLogOptionException(
            "log-opts entry '" + entry + "' of '" + opts + "' has an empty key");
      }
      String key = entry.substring(0, equals);
      if (parsed.put(key, entry.substring(equals + 1)) != null) {
        throw new InvalidLogOptionException(
            "log-opts key '" + key + "' of '" + opts + "' is given twice");
      }
    }
    return parsed;
  }

  /** Key syntax, common to every driver: what a {@code --log-opt key=value} can carry. */
  static void checkKey(String key) {
    if (key.isEmpty()) {
      throw new InvalidLogOptionException("log-opt key '' is empty");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || GoValues.isDigit(c)
              || c == '-'
              || c == '_'
              || c == '.';
      if (!ok) {
        throw new InvalidLogOptionException(
            "log-opt key '"
                + key
                + "' contains "
                + describe(key.codePointAt(i))
                + " (allowed: letters, digits, '-', '_', '.')");
      }
    }
  }

  /** Checks the options for a driver; the order of checks is documented on LogstreamSettings. */
  static void validate(String driver, Map<String, String> opts, String tagPrefix) {
    String tag = opts.get("tag");
    if (tag != null) {
      throw new InvalidLogOptionException(
          "log-opt tag '"
              + tag
              + "' conflicts with the tag logstream computes, '"
              + tagPrefix
              + ".<manifest-id>:<app-id>'; remove it from the options");
    }
    checkBuiltIns(opts);
    if (driver.equals(FLUENTD)) {
      for (String key : opts.keySet()) {
        if (!FLUENTD_KEYS.contains(key) && !BUILT_IN_KEYS.contains(key)) {
          throw new InvalidLogOptionException(
              "unknown log opt '" + key + "' for fluentd log driver");
        }
      }
      opts.forEach(LogOptRules::checkFluentdValue);
    }
  }

  private static void checkBuiltIns(Map<String, String> opts) {
    String mode = opts.getOrDefault("mode", "");
    if (!mode.isEmpty() && !mode.equals("blocking") && !mode.equals("non-blocking")) {
      throw new InvalidLogOptionException(
          "log-opt mode '" + mode + "' must be blocking or non-blocking");
    }
    String maxBufferSize = opts.get("max-buffer-size");
    if (maxBufferSize != null) {
      if (!mode.equals("non-blocking")) {
        throw new InvalidLogOptionException(
            "log-opt max-buffer-size '" + maxBufferSize + "' requires mode=non-blocking");
      }
      size("max-buffer-size", maxBufferSize);
    }
  }

  private static void checkFluentdValue(String key, String value) {
    // dockerd treats an empty value as "use the default" for every fluentd option
    if (value.isEmpty()) {
      return;
    }
    switch (key) {
      case "env-regex":
      case "labels-regex":
        regex(key, value);
        break;
      case "fluentd-address":
        address(value);
        break;
      case "fluentd-async":
      case "fluentd-request-ack":
      case "fluentd-sub-second-precision":
        if (GoValues.parseBool(value) == null) {
          throw invalid(key, value, "is not a boolean (use true or false)");
        }
        break;
      case "fluentd-async-reconnect-interval":
        long interval = duration(key, value);
        if (interval != 0 && (interval < MIN_RECONNECT_NANOS || interval > MAX_RECONNECT_NANOS)) {
          throw invalid(key, value, "must be 0 or between 100ms and 10s");
        }
        break;
      case "fluentd-retry-wait":
      case "fluentd-write-timeout":
      case "fluentd-read-timeout":
        if (duration(key, value) < 0) {
          throw invalid(key, value, "must not be negative");
        }
        break;
      case "fluentd-buffer-limit":
        long limit = size(key, value);
        if (limit > Integer.MAX_VALUE) {
          throw invalid(key, value, "is " + limit + ", larger than " + Integer.MAX_VALUE);
        }
        break;
      case "fluentd-max-retries":
        long retries = GoValues.parseUnsigned(value, Integer.MAX_VALUE);
        if (retries == -1) {
          throw invalid(key, value, "is not a non-negative integer");
        }
        if (retries == -2) {
          throw invalid(key, value, "is larger than " + Integer.MAX_VALUE);
        }
        break;
      default:
        // env, labels: comma-separated names, anything goes
        break;
    }
  }

  private static void regex(String key, String value) {
    try {
      Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      throw invalid(key, value, "is not a valid regular expression: " + e.getDescription());
    }
  }

  private static long duration(String key, String value) {
    try {
      return GoValues.parseDuration(value);
    } catch (IllegalArgumentException e) {
      throw invalid(
          key, value, "is not a duration (" + e.getMessage() + "; " + DURATION_HINT + ")");
    }
  }

  private static long size(String key, String value) {
    try {
      return GoValues.ramInBytes(value);
    } catch (IllegalArgumentException e) {
      throw invalid(key, value, "is not a size (" + e.getMessage() + "; " + SIZE_HINT + ")");
    }
  }

  /**
   * dockerd's {@code parseAddress}: no scheme means {@code tcp://}; {@code tcp} and {@code tls}
   * take {@code host:port} with both parts optional (defaults 127.0.0.1 and 24224) and no path;
   * {@code unix} takes a socket path.
   */
  private static void address(String value) {
    String address = value.contains("://") ? value : "tcp://" + value;
    int schemeEnd = address.indexOf("://");
    // Go's url.Parse lower-cases the scheme
    String scheme = address.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    String rest = address.substring(schemeEnd + 3);
    String key = "fluentd-address";
    switch (scheme) {
      case "unix":
        if (rest.chars().allMatch(c -> c == '/')) {
          throw invalid(key, value, "has an empty socket path");
        }
        if (rest.charAt(0) != '/') {
          throw invalid(key, value, "must be unix:///absolute/path");
        }
        return;
      case "tcp":
      case "tls":
        break;
      case "":
        throw invalid(key, value, "has no scheme before '://'");
      default:
        throw invalid(
            key, value, "has unsupported scheme '" + scheme + "' (use tcp://, tls:// or unix://)");
    }
    if (rest.indexOf('/') >= 0) {
      throw invalid(key, value, "must not contain a path");
    }
    String host;
    String port;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      String after = close < 0 ? "" : rest.substring(close + 1);
      if (close < 0 || !(after.isEmpty() || after.startsWith(":"))) {
        throw invalid(key, value, "has invalid host '" + rest + "'");
      }
      host = rest.substring(1, close);
      port = after.isEmpty() ? "" : after.substring(1);
      if (!host.contains(":") || !host.chars().allMatch(LogOptRules::isIpv6Char)) {
        throw invalid(key, value, "has invalid host '[" + host + "]'");
      }
    } else {
      int colon = rest.lastIndexOf(':');
      host = colon < 0 ? rest : rest.substring(0, colon);
      port = colon < 0 ? "" : rest.substring(colon + 1);
      if (!host.chars().allMatch(LogOptRules::isHostChar)) {
        throw invalid(key, value, "has invalid host '" + host + "'");
      }
    }
    if (!port.isEmpty()) {
      long number = GoValues.parseUnsigned(port, 65535);
      if (number < 1) {
        throw invalid(key, value, "has invalid port '" + port + "' (use 1..65535)");
      }
    }
  }

  private static boolean isHostChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '_';
  }

  private static boolean isIpv6Char(int c) {
    return (c >= 'a' && c <= 'f')
        || (c >= 'A' && c <= 'F')
        || (c >= '0' && c <= '9')
        || c == ':'
        || c == '.';
  }

  private static InvalidLogOptionException invalid(String key, String value, String problem) {
    return new InvalidLogOptionException("log-opt " + key + " '" + value + "' " + problem);
  }

  static String describe(int codePoint) {
    if (codePoint >= 0x20 && codePoint < 0x7f) {
      return "'" + (char) codePoint + "'";
    }
    return String.format("U+%04X", codePoint);
  }
}
