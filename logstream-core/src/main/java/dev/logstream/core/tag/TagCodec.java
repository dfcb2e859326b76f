package dev.logstream.core.tag;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and writes grid log tags: strictly for grid-api, leniently (and cached) for ingest.
 *
 * <h2>Grammar</h2>
 *
 * <pre>
 * tag         = prefix "." manifest-id ":" app-id        ; at most 454 characters
 * prefix      = word *( "." word )                       ; at most 64 characters
 * word        = 1*( ALPHA / DIGIT / "-" / "_" )
 * manifest-id = id
 * app-id      = id
 * id          = segment "/" segment "/" segment          ; role/env/name, at most 194 characters
 * segment     = 1*64( ALPHA / DIGIT / "-" / "_" / "." )  ; but not "." and not ".."
 * ALPHA       = %x41-5A / %x61-7A                        ; ASCII letters only
 * DIGIT       = %x30-39
 * </pre>
 *
 * <p>Example: {@code grid.devel/www-data/redis-test:devel/www-data/redis-test}.
 *
 * <p><b>Why these characters.</b> Segments are role, environment and application names that
 * grid-api also puts into Docker tag templates and Mesos task ids, which use letters, digits,
 * {@code -}, {@code _} and {@code .}. Nothing in a tag needs quoting in JSON, a Docker {@code
 * --log-opt}, or a fluentd {@code <match>} pattern. {@code .} and {@code ..} are refused because
 * consumers may use tag parts as path components (fluentd {@code ${tag}} placeholders in file
 * paths, for instance). Letters are ASCII only, so a tag has one spelling.
 *
 * <p><b>Why these lengths.</b> A name longer than 64 characters is a mistake, not a name, and every
 * Kinesis record repeats the tag. The caps make the longest valid tag {@value #MAX_TAG_LENGTH}
 * characters ({@code 64 + 1 + 194 + 1 + 194}), which is the bound the ingest side checks before
 * looking at a tag at all, and which the forward decoder can use as its tag-length limit.
 *
 * <p><b>Ambiguity and how it is resolved.</b> {@code :} appears nowhere else, so it splits the tag
 * at its only colon. The {@code .} between prefix and manifest id is ambiguous, because prefixes
 * have dots between words and segments may contain dots: {@code acme.grid.devel/www/x} could be
 * prefix {@code acme} with role {@code grid.devel}, or prefix {@code acme.grid} with role {@code
 * devel}. The codec decides with its configured prefix: a tag must start with exactly that prefix
 * followed by {@code .}, and everything from there to the colon is the manifest id. With prefix
 * {@code grid}, {@code grid.x.devel/www/x:...} therefore has role {@code x.devel}. When a tag does
 * not start with the configured prefix, the error names what was probably meant as the prefix:
 * everything before the last {@code .} that precedes the first {@code /}.
 *
 * <h2>Strict and lenient use</h2>
 *
 * <p>{@link #parse} and {@link #format} (with {@link GridId#parse}) are for grid-api: they throw
 * {@link InvalidTagException} with a message naming the part and the value, checking in this order:
 * length of the whole tag; exactly one {@code :}; the prefix; the manifest id; the app id. Within
 * an id: length, three segments, then each segment (empty, length, {@code .}/{@code ..},
 * characters) from role to name.
 *
 * <p>{@link #classify} is for the ingest hot path and never throws for a non-null string: a tag
 * that is not a valid grid tag for this codec's prefix is <em>foreign</em> and passes through.
 * Results are kept in a bounded Caffeine cache because an agent sees the same few tags over and
 * over. Tags longer than {@value #MAX_TAG_LENGTH} characters are foreign without being cached, so a
 * flood of distinct garbage costs at most {@code cacheSize} entries of at most {@value
 * #MAX_TAG_LENGTH} characters each.
 *
 * <p>Instances are immutable apart from the cache and safe for concurrent use.
 */
public final class TagCodec {

  /** The prefix grid has always used. */
  public static final String DEFAULT_PREFIX = "grid";

  /** Cache entries kept by default: far more distinct tags than one host runs containers. */
  public static final int DEFAULT_CACHE_SIZE = 10_000;

  /** Largest accepted cache size; about 500 MB of keys at worst, more is a configuration slip. */
  public static final int MAX_CACHE_SIZE = 1_000_000;

  /** Longest tag that can be valid; longer input is rejected before it is scanned. */
  public static final int MAX_TAG_LENGTH = TagGrammar.MAX_TAG_LENGTH;

  private final String prefix;
  private final Cache<String, IngestTag> cache;

  private TagCodec(String prefix, int cacheSize) {
    this.prefix = prefix;
    // Maintenance (eviction) runs on the classifying thread: a small amortized cost, and the size
    // bound holds even when the common pool is busy with other work of the embedding application.
    this.cache =
        cacheSize == 0
            ? null
            : Caffeine.newBuilder().maximumSize(cacheSize).executor(Runnable::run).build();
  }

  /**
   * Returns a builder with the defaults: prefix {@value #DEFAULT_PREFIX}, cache size {@value
   * #DEFAULT_CACHE_SIZE}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a new codec with the default prefix and cache size. Each call creates a new cache, so
   * keep the instance.
   *
   * @return a codec for {@code grid.<manifest-id>:<app-id>}
   */
  public static TagCodec grid() {
    return builder().build();
  }

  /**
   * Returns the configured prefix.
   *
   * @return the prefix every tag of this codec starts with
   */
  public String prefix() {
    return prefix;
  }

  /**
   * Parses a tag strictly.
   *
   * @param tag a tag such as {@code grid.devel/www-data/redis-test:devel/www-data/redis-test}
   * @return the parsed tag, with this codec's prefix
   * @throws InvalidTagException if the tag breaks the grammar or has another prefix, e.g. {@code
   *     tag prefix 'foo' does not match the configured prefix 'grid'}
   */
  public GridTag parse(String tag) {
    Objects.requireNonNull(tag, "tag");
    return TagGrammar.parseTag(prefix, tag).orThrow();
  }

  /**
   * Formats the tag of a container with this codec's prefix.
   *
   * @param manifestId the manifest id
   * @param appId the app id
   * @return {@code <prefix>.<manifest-id>:<app-id>}, always parseable by {@link #parse}
   */
  public String format(GridId manifestId, GridId appId) {
    return new GridTag(prefix, manifestId, appId).format();
  }

  /**
   * Classifies the tag of an incoming event; never throws for a non-null string.
   *
   * @param rawTag the tag as received, any content
   * @return a grid tag with its parsed form, or a foreign tag; the same instance for repeated tags
   *     while cached
   * @throws NullPointerException if {@code rawTag} is null (a decoder bug, not bad input)
   */
  public IngestTag classify(String rawTag) {
    Objects.requireNonNull(rawTag, "rawTag");
    if (rawTag.length() > MAX_TAG_LENGTH || cache == null) {
      return classifyUncached(rawTag);
    }
    return cache.get(rawTag, this::classifyUncached);
  }

  private IngestTag classifyUncached(String rawTag) {
    return new IngestTag(rawTag, Optional.ofNullable(TagGrammar.parseTag(prefix, rawTag).value()));
  }

  /** Number of cached classifications after pending maintenance; for tests. */
  long cachedEntries() {
    if (cache == null) {
      return 0;
    }
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /**
   * Configures a {@link TagCodec}. Each option may be set once and is checked when set.
   *
   * <pre>{@code
   * TagCodec codec = TagCodec.builder().prefix("grid").cacheSize(10_000).build();
   * }</pre>
   */
  public static final class Builder {
    private String prefix;
    private int cacheSize = -1;

    private Builder() {}

    /**
     * Sets the prefix, default {@value TagCodec#DEFAULT_PREFIX}.
     *
     * @param prefix one or more {@code .}-separated words of {@code [A-Za-z0-9_-]}, at most 64
     *     characters, e.g. {@code grid} or {@code acme.grid}
     * @return this builder
     * @throws IllegalArgumentException if the prefix breaks the grammar
     * @throws IllegalStateException if the prefix was already set
     */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (this.prefix != null) {
        throw new IllegalStateException("prefix was already set to " + this.prefix);
      }
      String problem = TagGrammar.prefixProblem("prefix", prefix);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Sets how many classified tags {@link TagCodec#classify} keeps, default {@value
     * TagCodec#DEFAULT_CACHE_SIZE}; {@code 0} turns the cache off.
     *
     * @param cacheSize {@code 0 ..} {@value TagCodec#MAX_CACHE_SIZE}
     * @return this builder
     * @throws IllegalArgumentException if the size is out of range
     * @throws IllegalStateException if the cache size was already set
     */
    public Builder cacheSize(int cacheSize) {
      if (this.cacheSize != -1) {
        throw new IllegalStateException("cacheSize was already set to " + this.cacheSize);
      }
      if (cacheSize < 0 || cacheSize > MAX_CACHE_SIZE) {
        throw new IllegalArgumentException(
            "cacheSize must be between 0 and " + MAX_CACHE_SIZE + ", got " + cacheSize);
      }
      this.cacheSize = cacheSize;
      return this;
    }

    /**
     * Creates the codec.
     *
     * @return a new codec
     */
    public TagCodec build() {
      return new TagCodec(
          prefix == null ? DEFAULT_PREFIX : prefix,
          cacheSize == -1 ? DEFAULT_CACHE_SIZE : cacheSize);
    }
  }
}
