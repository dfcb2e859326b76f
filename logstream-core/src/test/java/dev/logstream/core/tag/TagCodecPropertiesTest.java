package dev.logstream.core.tag;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class TagCodecPropertiesTest {

  private static final TagCodec CODEC = TagCodec.builder().cacheSize(64).build();

  @Property
  void format_anyValidIds_parsesBackToEqualValues(
      @ForAll("ids") GridId manifestId, @ForAll("ids") GridId appId) {
    GridTag parsed = CODEC.parse(CODEC.format(manifestId, appId));

    assertThat(parsed).isEqualTo(new GridTag("grid", manifestId, appId));
    assertThat(GridId.parse(manifestId.toString())).isEqualTo(manifestId);
  }

  @Property
  void classify_formattedTag_isGrid(@ForAll("ids") GridId manifestId, @ForAll("ids") GridId appId) {
    String tag = CODEC.format(manifestId, appId);

    assertThat(CODEC.classify(tag).grid()).contains(new GridTag("grid", manifestId, appId));
  }

  @Property(tries = 2000)
  void classify_anyString_neverThrows(@ForAll String raw) {
    IngestTag tag = CODEC.classify(raw);

    assertThat(tag.raw()).isEqualTo(raw);
  }

  @Property(tries = 2000)
  void classify_mutatedGridTag_neverThrowsAndAgreesWithParse(@ForAll("nearTags") String raw) {
    IngestTag tag = CODEC.classify(raw);

    boolean parses;
    try {
      CODEC.parse(raw);
      parses = true;
    } catch (InvalidTagException e) {
      parses = false;
    }
    assertThat(tag.isGrid()).isEqualTo(parses);
  }

  @Provide
  Arbitrary<GridId> ids() {
    Arbitrary<String> segment =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withCharRange('A', 'Z')
            .withCharRange('0', '9')
            .withChars('-', '_', '.')
            .ofMinLength(1)
            .ofMaxLength(64)
            .filter(s -> !s.equals(".") && !s.equals(".."));
    return Combinators.combine(segment, segment, segment).as(GridId::new);
  }

  /** Strings built from the tag alphabet plus a few troublemakers, often close to valid. */
  @Provide
  Arbitrary<String> nearTags() {
    Arbitrary<String> noise =
        Arbitraries.strings()
            .withChars("grid.:/-_ a\u00e9\n\uD83D")
            .withCharRange('a', 'c')
            .ofMaxLength(30);
    return Combinators.combine(noise, ids(), noise, ids(), noise)
        .as((a, m, b, n, c) -> a + "grid." + m + b + ":" + n + c);
  }
}
