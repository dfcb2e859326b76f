package dev.logstream.core.tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GridIdTest {

  @Test
  void parse_threeSegments_keepsEachSegment() {
    GridId id = GridId.parse("devel/www-data/redis-test");

    assertThat(id).isEqualTo(new GridId("devel", "www-data", "redis-test"));
    assertThat(id.toString()).isEqualTo("devel/www-data/redis-test");
  }

  @Test
  void parse_everyAllowedCharacter_isAccepted() {
    GridId id = GridId.parse("AZaz09-_./x.y/..z");

    assertThat(id.role()).isEqualTo("AZaz09-_.");
    assertThat(id.env()).isEqualTo("x.y");
    assertThat(id.name()).isEqualTo("..z");
  }

  @Test
  void parse_twoSegments_namesTheShape() {
    assertThatThrownBy(() -> GridId.parse("devel/www-data"))
        .isInstanceOf(InvalidTagException.class)
        .hasMessage("id 'devel/www-data' must have 3 segments role/env/name");
  }

  @Test
  void parse_fourSegments_namesTheShape() {
    assertThatThrownBy(() -> GridId.parse("a/b/c/d"))
        .hasMessage("id 'a/b/c/d' must have 3 segments role/env/name");
  }

  @Test
  void parse_noSlash_namesTheShape() {
    assertThatThrownBy(() -> GridId.parse("redis"))
        .hasMessage("id 'redis' must have 3 segments role/env/name");
  }

  @Test
  void parse_emptySegment_namesTheSegment() {
    assertThatThrownBy(() -> GridId.parse("devel//x"))
        .isInstanceOf(InvalidTagException.class)
        .hasMessage("id segment 'env' of 'devel//x' is empty");
  }

  @Test
  void parse_emptyRole_namesTheRole() {
    assertThatThrownBy(() -> GridId.parse("/www/x"))
        .hasMessage("id segment 'role' of '/www/x' is empty");
  }

  @Test
  void parse_emptyName_namesTheName() {
    assertThatThrownBy(() -> GridId.parse("devel/www/"))
        .hasMessage("id segment 'name' of 'devel/www/' is empty");
  }

  @Test
  void parse_dotSegment_isRejected() {
    assertThatThrownBy(() -> GridId.parse("devel/./x"))
        .hasMessage("id segment 'env' of 'devel/./x' must not be '.' or '..'");
  }

  @Test
  void parse_dotDotSegment_isRejected() {
    assertThatThrownBy(() -> GridId.parse("devel/www/.."))
        .hasMessage("id segment 'name' of 'devel/www/..' must not be '.' or '..'");
  }

  @Test
  void parse_space_namesTheCharacterAndTheAllowedSet() {
    assertThatThrownBy(() -> GridId.parse("devel/www data/x"))
        .hasMessage(
            "id segment 'env' of 'devel/www data/x' contains ' '"
                + " (allowed: letters, digits, '-', '_', '.')");
  }

  @Test
  void parse_controlCharacter_isShownAsCodePoint() {
    assertThatThrownBy(() -> GridId.parse("devel/www/x\n"))
        .hasMessage(
            "id segment 'name' of 'devel/www/x\n' contains U+000A"
                + " (allowed: letters, digits, '-', '_', '.')");
  }

  @Test
  void parse_nonAsciiLetter_isShownAsCodePoint() {
    assertThatThrownBy(() -> GridId.parse("devel/wéb/x"))
        .hasMessage(
            "id segment 'env' of 'devel/wéb/x' contains U+00E9"
                + " (allowed: letters, digits, '-', '_', '.')");
  }

  @Test
  void parse_supplementaryCharacter_isShownAsOneCodePoint() {
    assertThatThrownBy(() -> GridId.parse("devel/www/\uD83D\uDE00"))
        .hasMessage(
            "id segment 'name' of 'devel/www/\uD83D\uDE00' contains U+1F600"
                + " (allowed: letters, digits, '-', '_', '.')");
  }

  @Test
  void parse_segmentOf64Characters_isAccepted() {
    String name = "n".repeat(64);

    assertThat(GridId.parse("devel/www/" + name).name()).isEqualTo(name);
  }

  @Test
  void parse_segmentOf65Characters_isRejectedWithItsLength() {
    String id = "devel/www/" + "n".repeat(65);

    assertThatThrownBy(() -> GridId.parse(id))
        .hasMessage(
            "id segment 'name' of '" + id + "' is 65 characters, longer than the maximum of 64");
  }

  @Test
  void parse_idLongerThan194Characters_isRejectedBeforeSplitting() {
    String id = "a/".repeat(100);

    assertThatThrownBy(() -> GridId.parse(id))
        .hasMessage(
            "id 'a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/...' is 200 characters,"
                + " longer than the maximum of 194");
  }

  @Test
  void constructor_badSegment_namesTheWholeId() {
    assertThatThrownBy(() -> new GridId("devel", "www:x", "app"))
        .isInstanceOf(InvalidTagException.class)
        .hasMessage(
            "id segment 'env' of 'devel/www:x/app' contains ':'"
                + " (allowed: letters, digits, '-', '_', '.')");
  }

  @Test
  void constructor_slashInSegment_isRejected() {
    assertThatThrownBy(() -> new GridId("a/b", "c", "d"))
        .hasMessage(
            "id segment 'role' of 'a/b/c/d' contains '/'"
                + " (allowed: letters, digits, '-', '_', '.')");
  }

  @Test
  void constructor_nullSegment_isRejected() {
    assertThatThrownBy(() -> new GridId("a", null, "c"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("env");
  }
}
