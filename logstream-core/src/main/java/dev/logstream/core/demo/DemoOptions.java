package dev.logstream.core.demo;

import java.util.Objects;

/**
 * What {@link GridLogDemo} shows: an app and a load.
 *
 * @param manifestId the manifest id, {@code role/env/name}
 * @param appId the app id, {@code role/env/name}
 * @param opts grid-api's {@code --logstream-opts}, {@code k=v,k=v}
 * @param linesPerSecond the log lines per second to size the stream for
 * @param bytesPerLine the average Kinesis record size to size the stream for
 */
public record DemoOptions(
    String manifestId, String appId, String opts, int linesPerSecond, int bytesPerLine) {

  /** The seed's example app. */
  public static final String EXAMPLE_ID = "devel/www-data/redis-test";

  /**
   * Checks the values.
   *
   * @param manifestId the manifest id, {@code role/env/name}
   * @param appId the app id, {@code role/env/name}
   * @param opts grid-api's {@code --logstream-opts}, {@code k=v,k=v}
   * @param linesPerSecond the log lines per second to size the stream for
   * @param bytesPerLine the average Kinesis record size to size the stream for
   */
  public DemoOptions {
    Objects.requireNonNull(manifestId, "manifestId");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(opts, "opts");
    if (linesPerSecond < 0) {
      throw new IllegalArgumentException("--lines-per-second must be >= 0, got " + linesPerSecond);
    }
    if (bytesPerLine < 0) {
      throw new IllegalArgumentException("--bytes-per-line must be >= 0, got " + bytesPerLine);
    }
  }

  /**
   * Reads command-line arguments; unknown flags and bad numbers are errors naming the flag.
   *
   * @param args {@code --manifest ID --app ID --opts K=V,K=V --lines-per-second N --bytes-per-line
   *     N}, each optional
   * @return the options, defaults for what is not given
   */
  public static DemoOptions parse(String... args) {
    String manifestId = EXAMPLE_ID;
    String appId = EXAMPLE_ID;
    String opts = "fluentd-address=127.0.0.1:24224,fluentd-async=true";
    int linesPerSecond = 5_000;
    int bytesPerLine = 350;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.isBlank()) {
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args[++i];
      switch (flag) {
        case "--manifest" -> manifestId = value;
        case "--app" -> appId = value;
        case "--opts" -> opts = value;
        case "--lines-per-second" -> linesPerSecond = number(flag, value);
        case "--bytes-per-line" -> bytesPerLine = number(flag, value);
        default ->
            throw new IllegalArgumentException(
                "unknown option '"
                    + flag
                    + "' (known: --manifest, --app, --opts, --lines-per-second, --bytes-per-line)");
      }
    }
    return new DemoOptions(manifestId, appId, opts, linesPerSecond, bytesPerLine);
  }

  private static int number(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a whole number, got '" + value + "'");
    }
  }
}
