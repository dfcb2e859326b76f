package dev.logstream.core.tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TagCodecTest {

  private static final String SEED_TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";
  private static final GridId SEED_ID = new GridId("devel", "www-data", "redis-test");

  private final TagCodec codec = TagCodec.grid();

  // --- strict parse ---------------------------------------------------------------------------

  @Test
  void parse_seedTag_readsPrefixAndBothIds() {
    GridTag tag = codec.parse(SEED_TAG);

    assertThat(tag).isEqualTo(new GridTag("grid", SEED_ID, SEED_ID));
    assertThat(tag.format()).isEqualTo(SEED_TAG);
  }

  @Test
  void parse_noColon_namesTheShape() {
    assertThatThrownBy(() -> codec.parse("grid.x"))
        .isInstanceOf(InvalidTagException.class)
        .hasMessage("tag 'grid.x' must be '<prefix>.<manifest-id>:<app-id>'");
  }

  @Test
  void parse_twoColons_namesTheShape() {
    assertThatThrownBy(() -> codec.parse("grid.a/b/c:a/b/c:x"))
        .hasMessage("tag 'grid.a/b/c:a/b/c:x' must be '<prefix>.<manifest-id>:<app-id>'");
  }

  @Test
  void parse_noPrefixAtAll_namesTheShape() {
    assertThatThrownBy(() -> codec.parse("devel/www/x:devel/www/x"))
        .hasMessage("tag 'devel/www/x:devel/www/x' must be '<prefix>.<manifest-id>:<app-id>'");
  }

  @Test
  void parse_emptyTag_namesTheShape() {
    assertThatThrownBy(() -> codec.parse(""))
        .hasMessage("tag '' must be '<prefix>.<manifest-id>:<app-id>'");
  }

  @Test
  void parse_otherPrefix_namesBothPrefixes() {
    assertThatThrownBy(() -> codec.parse("foo.devel/www/x:devel/www/x"))
        .isInstanceOf(InvalidTagException.class)
        .hasMessage("tag prefix 'foo' does not match the configured prefix 'grid'");
  }

  @Test
  void parse_prefixWithMoreWords_namesEverythingBeforeTheLastDot() {
    assertThatThrownBy(() -> codec.parse("acme.grid.devel/www/x:devel/www/x"))
        .hasMessage("tag prefix 'acme.grid' does not match the configured prefix 'grid'");
  }

  @Test
  void parse_configuredPrefixWithoutDot_isAMismatch() {
    assertThatThrownBy(() -> codec.parse("gridx.devel/www/x:devel/www/x"))
        .hasMessage("tag prefix 'gridx' does not match the configured prefix 'grid'");
  }

  @Test
  void parse_prefixOnlyBeforeColon_isAMismatchOfTheShape() {
    assertThatThrownBy(() -> codec.parse("grid:devel/www/x"))
        .hasMessage("tag 'grid:devel/www/x' must be '<prefix>.<manifest-id>:<app-id>'");
  }

  @Test
  void parse_dottedRoleAfterConfiguredPrefix_belongsToTheRole() {
    GridTag tag = codec.parse("grid.x.devel/www/app:devel/www/app");

    assertThat(tag.prefix()).isEqualTo("grid");
    assertThat(tag.manifestId()).isEqualTo(new GridId("x.devel", "www", "app"));
  }

  @Test
  void parse_sameTagWithDottedPrefixCodec_splitsAfterThatPrefix() {
    TagCodec dotted = TagCodec.builder().prefix("grid.x").build();

    GridTag tag = dotted.parse("grid.x.devel/www/app:devel/www/app");

    assertThat(tag.prefix()).isEqualTo("grid.x");
    assertThat(tag.manifestId()).isEqualTo(new GridId("devel", "www", "app"));
  }

  @Test
  void parse_badManifestId_namesTheManifestId() {
    assertThatThrownBy(() -> codec.parse("grid.devel/www data/x:devel/www/x"))
        .isInstanceOf(InvalidTagException.class)
        .hasMessage(
            "manifest-id segment 'env' of 'devel/www data/x' contains ' '"
                + " (allowed: letters, digits, '-', '_', '.')");
  }

  @Test
  void parse_shortAppId_namesTheAppId() {
    assertThatThrownBy(() -> codec.parse("grid.devel/www-data/x:devel/www-data"))
        .hasMessage("app-id 'devel/www-data' must have 3 segments role/env/name");
  }

  @Test
  void parse_emptyManifestId_namesTheManifestId() {
    assertThatThrownBy(() -> codec.parse("grid.:devel/www/x"))
        .hasMessage("manifest-id '' must have 3 segments role/env/name");
  }

  @Test
  void parse_emptyAppId_namesTheAppId() {
    assertThatThrownBy(() -> codec.parse("grid.devel/www/x:"))
        .hasMessage("app-id '' must have 3 segments role/env/name");
  }

  @Test
  void parse_dotDotInAppId_isRejected() {
    assertThatThrownBy(() -> codec.parse("grid.devel/www/x:devel/../x"))
        .hasMessage("app-id segment 'env' of 'devel/../x' must not be '.' or '..'");
  }

  @Test
  void parse_longestValidTag_isAccepted() {
    String prefix = "p".repeat(64);
    String segment = "s".repeat(64);
    String id = segment + "/" + segment + "/" + segment;
    String tag = prefix + "." + id + ":" + id;

    GridTag parsed = TagCodec.builder().prefix(prefix).build().parse(tag);

    assertThat(tag).hasSize(TagCodec.MAX_TAG_LENGTH);
    assertThat(parsed.format()).isEqualTo(tag);
  }

  @Test
  void parse_tagLongerThanTheMaximum_isRejectedWithItsLength() {
    String tag = "grid." + "x".repeat(450);

    assertThatThrownBy(() -> codec.parse(tag))
        .hasMessage(
            "tag 'grid.xxxxxxxxxxxxxxxxxxxxxxxxxxx...' is 455 characters,"
                + " longer than the maximum of 454");
  }

  @Test
  void parse_null_isRejected() {
    assertThatThrownBy(() -> codec.parse(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("tag");
  }

  // --- format -----------------------------------------------------------------------------------

  @Test
  void format_seedIds_isTheSeedTag() {
    assertThat(codec.format(SEED_ID, SEED_ID)).isEqualTo(SEED_TAG);
  }

  @Test
  void format_configuredPrefix_isUsed() {
    TagCodec acme = TagCodec.builder().prefix("acme.grid").build();

    assertThat(acme.format(SEED_ID, GridId.parse("prod/api/web")))
        .isEqualTo("acme.grid.devel/www-data/redis-test:prod/api/web");
  }

  @Test
  void parse_formattedTag_roundTrips() {
    GridId manifest = GridId.parse("r.1/e_2/n-3");
    GridId app = GridId.parse("..a/b../c.d");

    GridTag tag = codec.parse(codec.format(manifest, app));

    assertThat(tag).isEqualTo(new GridTag("grid", manifest, app));
  }

  // --- GridTag ----------------------------------------------------------------------------------

  @Test
  void gridTag_badPrefix_isRejected() {
    assertThatThrownBy(() -> new GridTag("gr id", SEED_ID, SEED_ID))
        .isInstanceOf(InvalidTagException.class)
        .hasMessage(
            "tag prefix 'gr id' contains ' '"
                + " (allowed: letters, digits, '-', '_', and '.' between words)");
  }

  // --- classify ---------------------------------------------------------------------------------

  @Test
  void classify_seedTag_isGridWithTheParsedTag() {
    IngestTag tag = codec.classify(SEED_TAG);

    assertThat(tag.isGrid()).isTrue();
    assertThat(tag.raw()).isEqualTo(SEED_TAG);
    assertThat(tag.grid()).contains(new GridTag("grid", SEED_ID, SEED_ID));
  }

  @Test
  void classify_dockerDefaultTag_isForeign() {
    IngestTag tag = codec.classify("1d26ace2fa27");

    assertThat(tag).isEqualTo(new IngestTag("1d26ace2fa27", Optional.empty()));
    assertThat(tag.isGrid()).isFalse();
  }

  @Test
  void classify_otherPrefix_isForeign() {
    assertThat(codec.classify("foo.devel/www/x:devel/www/x").isGrid()).isFalse();
  }

  @Test
  void classify_hugeTag_isForeignAndNotCached() {
    String huge = "grid." + "x".repeat(1_000_000);

    IngestTag tag = codec.classify(huge);

    assertThat(tag.isGrid()).isFalse();
    assertThat(tag.raw()).isSameAs(huge);
    assertThat(codec.cachedEntries()).isZero();
  }

  @Test
  void classify_repeatedTag_returnsTheCachedInstance() {
    IngestTag first = codec.classify(SEED_TAG);

    assertThat(codec.classify(new String(SEED_TAG.toCharArray()))).isSameAs(first);
    assertThat(codec.cachedEntries()).isOne();
  }

  @Test
  void classify_floodOfDistinctGarbage_keepsTheCacheBounded() {
    TagCodec small = TagCodec.builder().cacheSize(100).build();

    for (int i = 0; i < 10_000; i++) {
      assertThat(small.classify("garbage-" + i).isGrid()).isFalse();
    }

    assertThat(small.cachedEntries()).isLessThanOrEqualTo(100);
  }

  @Test
  void classify_cacheSizeZero_stillClassifies() {
    TagCodec uncached = TagCodec.builder().cacheSize(0).build();

    assertThat(uncached.classify(SEED_TAG).isGrid()).isTrue();
    assertThat(uncached.cachedEntries()).isZero();
  }

  @Test
  void classify_null_isRejected() {
    assertThatThrownBy(() -> codec.classify(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("rawTag");
  }

  @Test
  void ingestTag_gridPartNotMatchingRaw_isRejected() {
    GridTag grid = new GridTag("grid", SEED_ID, SEED_ID);

    assertThatThrownBy(() -> new IngestTag("other", Optional.of(grid)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("grid tag '" + SEED_TAG + "' does not match raw tag 'other'");
  }

  // --- builder ----------------------------------------------------------------------------------

  @Test
  void builder_defaults_areGridAndTenThousand() {
    TagCodec defaults = TagCodec.builder().build();

    assertThat(defaults.prefix()).isEqualTo("grid");
    assertThat(TagCodec.DEFAULT_CACHE_SIZE).isEqualTo(10_000);
  }

  @Test
  void builder_prefixSetTwice_isRejected() {
    TagCodec.Builder builder = TagCodec.builder().prefix("grid");

    assertThatThrownBy(() -> builder.prefix("acme"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("prefix was already set to grid");
  }

  @Test
  void builder_cacheSizeSetTwice_isRejected() {
    TagCodec.Builder builder = TagCodec.builder().cacheSize(10_000);

    assertThatThrownBy(() -> builder.cacheSize(5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cacheSize was already set to 10000");
  }

  @Test
  void builder_negativeCacheSize_isRejected() {
    assertThatThrownBy(() -> TagCodec.builder().cacheSize(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cacheSize must be between 0 and 1000000, got -1");
  }

  @Test
  void builder_hugeCacheSize_isRejected() {
    assertThatThrownBy(() -> TagCodec.builder().cacheSize(1_000_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cacheSize must be between 0 and 1000000, got 1000001");
  }

  @Test
  void builder_prefixWithSpace_namesTheCharacter() {
    assertThatThrownBy(() -> TagCodec.builder().prefix("gr id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "prefix 'gr id' contains ' '"
                + " (allowed: letters, digits, '-', '_', and '.' between words)");
  }

  @Test
  void builder_emptyPrefix_isRejected() {
    assertThatThrownBy(() -> TagCodec.builder().prefix(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "prefix '' must be one or more '.'-separated words of letters, digits, '-' and '_'");
  }

  @Test
  void builder_prefixWithTrailingDot_isRejected() {
    assertThatThrownBy(() -> TagCodec.builder().prefix("grid."))
        .hasMessage(
            "prefix 'grid.' must be one or more '.'-separated words of letters, digits, '-' and '_'");
  }

  @Test
  void builder_prefixWithEmptyWord_isRejected() {
    assertThatThrownBy(() -> TagCodec.builder().prefix("acme..grid"))
        .hasMessage(
            "prefix 'acme..grid' must be one or more '.'-separated words of letters, digits, '-'"
                + " and '_'");
  }

  @Test
  void builder_prefixWithSlash_isRejected() {
    assertThatThrownBy(() -> TagCodec.builder().prefix("a/b"))
        .hasMessage(
            "prefix 'a/b' contains '/' (allowed: letters, digits, '-', '_', and '.' between words)");
  }

  @Test
  void builder_prefixLongerThan64_isRejected() {
    assertThatThrownBy(() -> TagCodec.builder().prefix("p".repeat(65)))
        .hasMessage(
            "prefix 'pppppppppppppppppppppppppppppppp...' is 65 characters,"
                + " longer than the maximum of 64");
  }

  @Test
  void builder_validDottedPrefix_isKept() {
    assertThat(TagCodec.builder().prefix("acme-1.grid_2").build().prefix())
        .isEqualTo("acme-1.grid_2");
  }

  @Test
  void builder_nullPrefix_isRejected() {
    assertThatThrownBy(() -> TagCodec.builder().prefix(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("prefix");
  }
}
