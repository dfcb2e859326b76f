package dev.logstream.core.docker;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parsers that accept what dockerd's Go code accepts, so a log option that passes here does not
 * fail at container start. Each throws {@link IllegalArgumentException} whose message is the short
 * reason (e.g. {@code missing unit}); callers put it into a message naming the option.
 */
final class GoValues {

  /** Go {@code strconv.ParseBool}. */
  private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");

  private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

  /** 2^63 as an unsigned long: the bound Go's ParseDuration works against. */
  private static final long TWO_POW_63 = Long.MIN_VALUE;

  /**
   * The decimal subset of Go's {@code strconv.ParseFloat} syntax. Hex floats ({@code 0x1p4}) and
   * underscores are refused, which Go accepts but nobody writes in a size.
   */
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private GoValues() {}

  /** Go {@code strconv.ParseBool}; {@code null} when the text is not a boolean. */
  static Boolean parseBool(String text) {
    if (TRUE.contains(text)) {
      return Boolean.TRUE;
    }
    return FALSE.contains(text) ? Boolean.FALSE : null;
  }

  /**
   * Go {@code time.ParseDuration}, digit for digit: {@code [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+} or a
   * bare {@code 0}, units {@code ns us µs μs ms s m h}, range of a signed 64-bit nanosecond count.
   *
   * @return nanoseconds
   */
  static long parseDuration(String text) {
    int i = 0;
    int n = text.length();
    boolean negative = false;
    if (n > 0 && (text.charAt(0) == '-' || text.charAt(0) == '+')) {
      negative = text.charAt(0) == '-';
      i = 1;
    }
    if (text.substring(i).equals("0")) {
      return 0;
    }
    if (i == n) {
      throw new IllegalArgumentException("invalid duration");
    }
    long total = 0; // unsigned, at most 2^63
    while (i < n) {
      char c = text.charAt(i);
      if (c != '.' && !isDigit(c)) {
        throw new IllegalArgumentException("invalid duration");
      }
      long whole = 0;
      int start = i;
      for (; i < n && isDigit(text.charAt(i)); i++) {
        if (Long.compareUnsigned(whole, Long.divideUnsigned(TWO_POW_63, 10)) > 0) {
          throw new IllegalArgumentException("invalid duration");
        }
        whole = whole * 10 + (text.charAt(i) - '0');
        if (Long.compareUnsigned(whole, TWO_POW_63) > 0) {
          throw new IllegalArgumentException("invalid duration");
        }
      }
      boolean digitsBefore = i != start;
      long fraction = 0;
      double scale = 1;
      boolean digitsAfter = false;
      if (i < n && text.charAt(i) == '.') {
        i++;
        int fractionStart = i;
        boolean overflow = false;
        // like Go's leadingFraction: digits past 63 bits of precision are read and ignored
        for (; i < n && isDigit(text.charAt(i)); i++) {
          if (overflow) {
            continue;
          }
          if (Long.compareUnsigned(fraction, Long.MAX_VALUE / 10) > 0) {
            overflow = true;
            continue;
          }
          long next = fraction * 10 + (text.charAt(i) - '0');
          if (Long.compareUnsigned(next, TWO_POW_63) > 0) {
            overflow = true;
            continue;
          }
          fraction = next;
          scale *= 10;
        }
        digitsAfter = i != fractionStart;
      }
      if (!digitsBefore && !digitsAfter) {
        throw new IllegalArgumentException("invalid duration");
      }
      int unitStart = i;
      for (; i < n && text.charAt(i) != '.' && !isDigit(text.charAt(i)); i++) {}
      if (i == unitStart) {
        throw new IllegalArgumentException("missing unit");
      }
      String unitText = text.substring(unitStart, i);
      long unit = unitNanos(unitText);
      if (unit == 0) {
        throw new IllegalArgumentException("unknown unit '" + unitText + "'");
      }
      if (Long.compareUnsigned(whole, Long.divideUnsigned(TWO_POW_63, unit)) > 0) {
        throw new IllegalArgumentException("invalid duration");
      }
      whole *= unit;
      if (fraction != 0) {
        double fractionValue = fraction < 0 ? 0x1p63 : fraction;
        whole += (long) (fractionValue * (unit / scale));
        if (Long.compareUnsigned(whole, TWO_POW_63) > 0) {
          throw new IllegalArgumentException("invalid duration");
        }
      }
      total += whole;
      if (Long.compareUnsigned(total, TWO_POW_63) > 0) {
        throw new IllegalArgumentException("invalid duration");
      }
    }
    if (negative) {
      return -total;
    }
    if (total < 0) {
      throw new IllegalArgumentException("invalid duration");
    }
    return total;
  }

  private static long unitNanos(String unit) {
    switch (unit) {
      case "ns":
        return 1L;
      case "us":
      case "\u00b5s": // micro sign
      case "\u03bcs": // Greek small letter mu
        return 1_000L;
      case "ms":
        return 1_000_000L;
      case "s":
        return 1_000_000_000L;
      case "m":
        return 60_000_000_000L;
      case "h":
        return 3_600_000_000_000L;
      default:
        return 0;
    }
  }

  /**
   * go-units {@code RAMInBytes}: a decimal number, an optional single space, then an optional
   * case-insensitive suffix {@code b}, {@code k}/{@code kb}/{@code kib}, {@code m...}, {@code
   * g...}, {@code t...}, {@code p...} with binary multiples (1024). The number may have a fraction;
   * the product is truncated toward zero, as Go's {@code int64(float64)} does.
   *
   * @return the size in bytes
   */
  static long ramInBytes(String text) {
    int separator = -1;
    for (int i = text.length() - 1; i >= 0; i--) {
      char c = text.charAt(i);
      if (isDigit(c) || c == '.' || c == ' ') {
        separator = i;
        break;
      }
    }
    if (separator < 0) {
      throw new IllegalArgumentException("no number");
    }
    String number =
        text.charAt(separator) == ' '
            ? text.substring(0, separator)
            : text.substring(0, separator + 1);
    String suffix = text.substring(separator + 1);
    if (!DECIMAL.matcher(number).matches()) {
      throw new IllegalArgumentException("invalid number '" + number + "'");
    }
    double size = Double.parseDouble(number);
    if (size < 0) {
      throw new IllegalArgumentException("negative");
    }
    if (!suffix.isEmpty()) {
      size *= multiplier(suffix);
    }
    // Go converts with int64(float64), undefined past 2^63; refuse instead of guessing
    if (!(size < 0x1p63)) {
      throw new IllegalArgumentException("out of range");
    }
    return (long) size;
  }

  private static long multiplier(String suffix) {
    if (suffix.getBytes(StandardCharsets.UTF_8).length > 3) {
      throw badSuffix(suffix);
    }
    String lower = suffix.toLowerCase(Locale.ROOT);
    if (lower.charAt(0) == 'b') {
      if (lower.length() > 1) {
        throw badSuffix(suffix);
      }
      return 1;
    }
    int shift = "kmgtp".indexOf(lower.charAt(0));
    if (shift < 0
        || (lower.length() == 2 && lower.charAt(1) != 'b')
        || (lower.length() == 3 && !lower.substring(1).equals("ib"))) {
      throw badSuffix(suffix);
    }
    return 1L << (10 * (shift + 1));
  }

  private static IllegalArgumentException badSuffix(String suffix) {
    return new IllegalArgumentException("invalid suffix '" + suffix + "'");
  }

  /**
   * Go {@code strconv.ParseUint(text, 10, bits)} followed by an upper bound: digits only, no sign,
   * no underscores.
   *
   * @return the value, or -1 when the text is not a non-negative integer, or -2 when it is larger
   *     than {@code max}
   */
  static long parseUnsigned(String text, long max) {
    if (text.isEmpty()) {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      if (!isDigit(text.charAt(i))) {
        return -1;
      }
    }
    BigInteger value = new BigInteger(text);
    return value.compareTo(BigInteger.valueOf(max)) > 0 ? -2 : value.longValueExact();
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
