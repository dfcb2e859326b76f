package dev.logstream.core.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoValuesTest {

  @ParameterizedTest
  @ValueSource(strings = {"1", "t", "T", "TRUE", "true", "True"})
  void parseBool_goTrueSpellings_areTrue(String text) {
    assertThat(GoValues.parseBool(text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "f", "F", "FALSE", "false", "False"})
  void parseBool_goFalseSpellings_areFalse(String text) {
    assertThat(GoValues.parseBool(text)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "no", "tRUE", "true ", "", "2"})
  void parseBool_otherText_isNotABoolean(String text) {
    assertThat(GoValues.parseBool(text)).isNull();
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "-0, 0",
    "+0, 0",
    "0s, 0",
    "1ns, 1",
    "1us, 1000",
    "1\u00b5s, 1000",
    "1\u03bcs, 1000",
    "500ms, 500000000",
    "1s, 1000000000",
    "1m30s, 90000000000",
    "1.5h, 5400000000000",
    ".5s, 500000000",
    "1.s, 1000000000",
    "-1s, -1000000000",
    "+5s, 5000000000",
    "1h2m3s4ms5us6ns, 3723004005006",
    "0.000000001s, 1",
    "1.0000000000000000000000001s, 1000000000",
    "9223372036854775807ns, 9223372036854775807",
    "-9223372036854775808ns, -9223372036854775808",
    "2562047h, 9223369200000000000"
  })
  void parseDuration_goSyntax_readsNanoseconds(String text, long nanos) {
    assertThat(GoValues.parseDuration(text)).isEqualTo(nanos);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "1|missing unit",
        "1.5|missing unit",
        "1s2|missing unit",
        "1sec|unknown unit 'sec'",
        "1S|unknown unit 'S'",
        "1 s|unknown unit ' s'",
        "\"\"|invalid duration",
        "-|invalid duration",
        ".|invalid duration",
        ".s|invalid duration",
        "s|invalid duration",
        "1s-1s|unknown unit 's-'",
        "9223372036854775808ns|invalid duration",
        "2562048h|invalid duration",
        "99999999999999999999s|invalid duration"
      })
  void parseDuration_invalidText_namesTheReason(String text, String reason) {
    assertThatThrownBy(() -> GoValues.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(reason);
  }

  @ParameterizedTest
  @CsvSource({
    "1048576, 1048576",
    "0, 0",
    "10b, 10",
    "10B, 10",
    "64k, 65536",
    "64K, 65536",
    "64kb, 65536",
    "64KiB, 65536",
    "8m, 8388608",
    "8mib, 8388608",
    "1.5MB, 1572864",
    "1g, 1073741824",
    "1t, 1099511627776",
    "1p, 1125899906842624",
    "0.5, 0",
    "0.3m, 314572",
    "1e3, 1000",
    "+7, 7",
    "9e18, 9000000000000000000"
  })
  void ramInBytes_goUnitsSyntax_readsBytes(String text, long bytes) {
    assertThat(GoValues.ramInBytes(text)).isEqualTo(bytes);
  }

  @Test
  void ramInBytes_singleSpaceBeforeSuffix_isAllowed() {
    assertThat(GoValues.ramInBytes("1 kb")).isEqualTo(1024);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\"|no number",
        "abc|no number",
        "8x|invalid suffix 'x'",
        "16e|invalid suffix 'e'",
        "8kbb|invalid suffix 'kbb'",
        "8mibs|invalid suffix 'mibs'",
        "8bk|invalid suffix 'bk'",
        "\"8kb \"|invalid number '8kb'",
        "1.2.3|invalid number '1.2.3'",
        "0x10|invalid number '0x10'",
        "1_000|invalid number '1_000'",
        "-1|negative",
        "1e400|out of range",
        "8192p|out of range"
      })
  void ramInBytes_invalidText_namesTheReason(String text, String reason) {
    assertThatThrownBy(() -> GoValues.ramInBytes(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(reason);
  }

  @Test
  void parseUnsigned_digits_readsTheValue() {
    assertThat(GoValues.parseUnsigned("007", 10)).isEqualTo(7);
    assertThat(GoValues.parseUnsigned("2147483647", Integer.MAX_VALUE)).isEqualTo(2147483647);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1", "+1", "1_0", "1.0", " 1", "x"})
  void parseUnsigned_nonDigits_isMinusOne(String text) {
    assertThat(GoValues.parseUnsigned(text, 100)).isEqualTo(-1);
  }

  @Test
  void parseUnsigned_aboveTheMaximum_isMinusTwo() {
    assertThat(GoValues.parseUnsigned("2147483648", Integer.MAX_VALUE)).isEqualTo(-2);
    assertThat(GoValues.parseUnsigned("99999999999999999999999", 65535)).isEqualTo(-2);
  }
}
