package dev.logstream.core.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class GoValuesPropertiesTest {

  @Property
  void parseDuration_nanoseconds_readBackExactly(@ForAll @LongRange(min = 0) long nanos) {
    assertThat(GoValues.parseDuration(nanos + "ns")).isEqualTo(nanos);
    assertThat(GoValues.parseDuration("-" + nanos + "ns")).isEqualTo(-nanos);
  }

  @Property
  void parseDuration_hoursMinutesSecondsMillis_addUp(
      @ForAll @IntRange(max = 100_000) int hours,
      @ForAll @IntRange(max = 59) int minutes,
      @ForAll @IntRange(max = 59) int seconds,
      @ForAll @IntRange(max = 999) int millis) {
    long expected = ((hours * 3600L + minutes * 60L + seconds) * 1000L + millis) * 1_000_000L;

    assertThat(GoValues.parseDuration(hours + "h" + minutes + "m" + seconds + "s" + millis + "ms"))
        .isEqualTo(expected);
  }

  @Property
  void ramInBytes_wholeNumberWithSuffix_isABinaryMultiple(
      @ForAll @IntRange(max = 1_000_000) int number, @ForAll @IntRange(max = 3) int power) {
    String[] suffixes = {"b", "KiB", "mb", "G"};

    assertThat(GoValues.ramInBytes(number + suffixes[power]))
        .isEqualTo(number * (1L << (10 * power)));
  }

  @Property
  void parseOpts_joinedEntries_parseBackInOrder(
      @ForAll @Size(max = 8)
          Map<@AlphaChars @NotEmpty @StringLength(max = 12) String, @AlphaChars String> options) {
    Map<String, String> ordered = new LinkedHashMap<>(options);
    StringJoiner joined = new StringJoiner(",");
    ordered.forEach((key, value) -> joined.add(key + "=" + value + "=x"));

    Map<String, String> parsed = LogOptRules.parseOpts(joined.toString());

    assertThat(parsed.keySet()).containsExactlyElementsOf(ordered.keySet());
    ordered.forEach((key, value) -> assertThat(parsed).containsEntry(key, value + "=x"));
  }
}
