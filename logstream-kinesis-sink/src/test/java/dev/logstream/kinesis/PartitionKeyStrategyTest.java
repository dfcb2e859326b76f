package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The built-in partition key strategies. */
class PartitionKeyStrategyTest {
  private static final String UUID_PATTERN =
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  private static byte[] json(String text) {
    return text.getBytes(UTF_8);
  }

  @Test
  void randomUuid_eachRecord_getsADistinctVersion4Uuid() {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String key = PartitionKeyStrategy.randomUuid().partitionKey(new byte[0]);
      assertThat(key).matches(UUID_PATTERN);
      keys.add(key);
    }
    assertThat(keys).hasSize(1000);
  }

  @Test
  void fixed_anyRecord_returnsTheKey() {
    assertThat(PartitionKeyStrategy.fixed("k1").partitionKey(json("{}"))).isEqualTo("k1");
  }

  @Test
  void fixed_emptyOrTooLong_throwsWithTheLength() {
    assertThatThrownBy(() -> PartitionKeyStrategy.fixed(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fixed partition key must be 1 to 256 characters, got 0");
    assertThatThrownBy(() -> PartitionKeyStrategy.fixed("k".repeat(257)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fixed partition key must be 1 to 256 characters, got 257");
  }

  @Test
  void field_topLevelMember_returnsItsTextSkippingNestedMembersOfTheSameName() {
    PartitionKeyStrategy host = PartitionKeyStrategy.field("host");
    assertThat(
            host.partitionKey(
                json("{\"a\":{\"host\":\"no\"},\"b\":[1,{\"host\":2}],\"host\":\"web-1\"}")))
        .isEqualTo("web-1");
    assertThat(host.partitionKey(json("{\"host\":42}"))).isEqualTo("42");
    assertThat(host.partitionKey(json("{\"host\":true}"))).isEqualTo("true");
  }

  @Test
  void field_missingNullEmptyStructuredOrNotJson_fallsBackToARandomUuid() {
    PartitionKeyStrategy host = PartitionKeyStrategy.field("host");
    assertThat(host.partitionKey(json("{\"log\":\"x\"}"))).matches(UUID_PATTERN);
    assertThat(host.partitionKey(json("{\"host\":null}"))).matches(UUID_PATTERN);
    assertThat(host.partitionKey(json("{\"host\":\"\"}"))).matches(UUID_PATTERN);
    assertThat(host.partitionKey(json("{\"host\":{\"name\":\"a\"}}"))).matches(UUID_PATTERN);
    assertThat(host.partitionKey(json("plain text line"))).matches(UUID_PATTERN);
    assertThat(host.partitionKey(json("{\"host\":"))).matches(UUID_PATTERN);
  }

  @Test
  void field_longValue_isCutTo256Characters() {
    String value = "h".repeat(300);
    assertThat(
            PartitionKeyStrategy.field("host").partitionKey(json("{\"host\":\"" + value + "\"}")))
        .isEqualTo("h".repeat(256));
  }

  @Test
  void field_emptyName_throws() {
    assertThatThrownBy(() -> PartitionKeyStrategy.field(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partition key field name must not be empty");
  }

  @Test
  void tag_encodedRecord_returnsTheTag() {
    assertThat(
            PartitionKeyStrategy.tag()
                .partitionKey(
                    json("{\"time\":\"2026-01-01T00:00:00Z\",\"tag\":\"app.web\",\"log\":\"x\"}")))
        .isEqualTo("app.web");
  }

  @Test
  void utf8Length_multibyteAndSurrogates_countsUtf8Bytes() {
    assertThat(PlainRequestPlanner.utf8Length("abc")).isEqualTo(3);
    assertThat(PlainRequestPlanner.utf8Length("ü")).isEqualTo(2);
    assertThat(PlainRequestPlanner.utf8Length("€")).isEqualTo(3);
    assertThat(PlainRequestPlanner.utf8Length("😀")).isEqualTo(4);
    assertThat(PlainRequestPlanner.utf8Length("a\uD800b")).isEqualTo(5);
    String mixed = "aü€😀\uDC00";
    assertThat(PlainRequestPlanner.utf8Length(mixed))
        .isEqualTo(mixed.replace("\uDC00", "\uFFFD").getBytes(UTF_8).length);
  }
}
