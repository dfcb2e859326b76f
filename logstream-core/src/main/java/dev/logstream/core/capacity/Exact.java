package dev.logstream.core.capacity;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Exact rational arithmetic for the capacity math: a fraction such as a target utilization is taken
 * at its decimal value ({@link Double#toString}), so {@code 0.9} is exactly {@code 9/10}.
 */
final class Exact {

  private Exact() {}

  /** Numerator and denominator of a non-negative finite {@code double} at its decimal value. */
  record Ratio(BigInteger numerator, BigInteger denominator) {
    static Ratio of(double value) {
      BigDecimal decimal = BigDecimal.valueOf(value);
      if (decimal.scale() <= 0) {
        return new Ratio(decimal.toBigIntegerExact(), BigInteger.ONE);
      }
      return new Ratio(decimal.unscaledValue(), BigInteger.TEN.pow(decimal.scale()));
    }
  }

  /**
   * Whether {@code demand} spread over {@code shards} shards of {@code perShard} each is above
   * {@code fraction} of the capacity: {@code demand / (perShard * shards) > p / q}.
   */
  static boolean above(BigInteger demand, long perShard, long shards, Ratio fraction) {
    return demand
            .multiply(fraction.denominator())
            .compareTo(capacity(perShard, shards).multiply(fraction.numerator()))
        > 0;
  }

  /** Whether {@code demand / (perShard * shards) >= p / q}. */
  static boolean atLeast(BigInteger demand, long perShard, long shards, Ratio fraction) {
    return demand
            .multiply(fraction.denominator())
            .compareTo(capacity(perShard, shards).multiply(fraction.numerator()))
        >= 0;
  }

  /**
   * The fewest shards, at least one, such that {@code demand / (perShard * shards) <= p / q}:
   * {@code max(1, ceil(demand * q / (perShard * p)))}.
   */
  static BigInteger shardsNeeded(BigInteger demand, long perShard, Ratio fraction) {
    BigInteger numerator = demand.multiply(fraction.denominator());
    BigInteger denominator = BigInteger.valueOf(perShard).multiply(fraction.numerator());
    BigInteger shards = ceilDiv(numerator, denominator);
    return shards.max(BigInteger.ONE);
  }

  /** {@code ceil(a / b)} for {@code a >= 0, b > 0}. */
  static BigInteger ceilDiv(BigInteger a, BigInteger b) {
    BigInteger[] qr = a.divideAndRemainder(b);
    return qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
  }

  private static BigInteger capacity(long perShard, long shards) {
    return BigInteger.valueOf(perShard).multiply(BigInteger.valueOf(shards));
  }
}
